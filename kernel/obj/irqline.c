// SPDX-License-Identifier: MIT
/*
 * IrqControl and IrqLine. IrqControl (a boot-time root, manage right)
 * hands out one IrqLine per interrupt number not already taken by the
 * kernel or by another line. An IrqLine delivers its interrupt to a
 * Notification and stays masked from each delivery until the driver
 * acknowledges it (IRQ_ACK), so a level-triggered device cannot storm.
 * The interrupt controller glue is kernel/irq.c.
 */
#include <kernel/method.h>
#include <kernel/irq.h>

struct irqline {
	struct kobj obj;
	unsigned irq;
	bool masked;
	struct notification *n;
	uint64_t bits;
};

#define MAX_IRQS 1024
static struct irqline *irq_lines[MAX_IRQS];

#define LINE(iv) ((struct irqline *)(iv)->obj)

static void irqline_handler(unsigned irq, void *arg)
{
	struct irqline *l = arg;

	irq_chip()->disable(irq);
	l->masked = true;
	if (l->n)
		notify_signal(l->n, l->bits);
}

void irqline_destroy(struct kobj *o)
{
	struct irqline *l = (struct irqline *)o;

	if (irq_lines[l->irq] == l) {
		irq_detach(l->irq);
		if (irq_chip()->set_mode)
			irq_chip()->set_mode(l->irq, 0);   /* the platform's mode again */
		irq_lines[l->irq] = NULL;
	}
	if (l->n)
		kobj_put(&l->n->obj);
}

/* ---- IrqControl: IRQCTL_GET (irq, flags) -> (slot) ----------------------------------- */

struct irqctl_get_args {
	struct cap *slot;
	struct irqline *line;
};

/* ERR_INVAL: no such interrupt, unknown flags, or a mode the controller
 * cannot give this interrupt; ERR_BUSY: the kernel or another line has it. */
static err_t irqctl_decode_get(struct invocation *iv)
{
	struct irqctl_get_args *a = METHOD_ARGS(struct irqctl_get_args, iv);
	const struct irq_chip *chip = irq_chip();
	struct process *self = current->proc;
	uint64_t irq = iv->in->w[0], mode = iv->in->w[1];
	err_t e;

	if (!chip || irq == 0 || irq > chip->nr_irqs || irq >= MAX_IRQS)
		return ERR_INVAL;
	if (mode & ~(uint64_t)(IRQCTL_LEVEL | IRQCTL_LOW))
		return ERR_INVAL;
	if (mode && (!chip->mode_ok || !chip->mode_ok((unsigned)irq, (unsigned)mode)))
		return ERR_INVAL;
	if (irq_lines[irq] || irq_in_use(irq))
		return ERR_BUSY;
	if ((e = cap_reserve(self, CAP_NULL, &a->slot)))
		return e;
	a->line = kobj_alloc(OBJ_IRQLINE, sizeof(*a->line), self->quota);
	return a->line ? ERR_OK : ERR_NOMEM;
}

/* The line starts masked, in the mode asked for: it is unmasked by the
 * first IRQ_ACK after a Notification is bound. */
static void irqctl_invoke_get(struct invocation *iv)
{
	struct irqctl_get_args *a = METHOD_ARGS(struct irqctl_get_args, iv);
	struct irqline *l = a->line;

	l->irq = iv->in->w[0];
	if (irq_chip()->set_mode)
		irq_chip()->set_mode(l->irq, (unsigned)iv->in->w[1]);
	(void)irq_attach(l->irq, irqline_handler, l);   /* checked in decode */
	irq_chip()->disable(l->irq);
	l->masked = true;
	irq_lines[l->irq] = l;
	cap_install(a->slot, &l->obj, RIGHTS_ALL, 0);
	kobj_put(&l->obj);
	iv->out->w[0] = cap_slot_of(a->slot);
}

/* ---- IrqLine: IRQ_BIND, IRQ_ACK ------------------------------------------------------- */

struct irq_bind_args {
	struct notification *n;
};

static err_t irqline_decode_bind(struct invocation *iv)
{
	struct irq_bind_args *a = METHOD_ARGS(struct irq_bind_args, iv);

	return method_notification(iv, &a->n);
}

static void irqline_invoke_bind(struct invocation *iv)
{
	struct irq_bind_args *a = METHOD_ARGS(struct irq_bind_args, iv);
	struct irqline *l = LINE(iv);

	if (l->n)
		kobj_put(&l->n->obj);
	kobj_get(&a->n->obj);
	l->n = a->n;
	l->bits = iv->in->w[0];
}

/* Unmasks a line that delivered (only once a Notification is bound). */
static void irqline_invoke_ack(struct invocation *iv)
{
	struct irqline *l = LINE(iv);

	if (l->masked && l->n) {
		l->masked = false;
		irq_chip()->enable(l->irq);
	}
}

#define METHODS_FIRST IRQCTL_GET
static const struct method irqctl_list[] = {
	METHOD(IRQCTL_GET, RIGHT_MANAGE, 0, irqctl_decode_get, irqctl_invoke_get),
};

METHOD_TABLE(irqctl_methods, irqctl_list, NULL);
#undef METHODS_FIRST

#define METHODS_FIRST IRQ_BIND
static const struct method irqline_list[] = {
	METHOD(IRQ_BIND, RIGHT_MANAGE, 0, irqline_decode_bind, irqline_invoke_bind),
	METHOD(IRQ_ACK, RIGHT_WRITE, 0, NULL, irqline_invoke_ack),
};

METHOD_TABLE(irqline_methods, irqline_list, NULL);
