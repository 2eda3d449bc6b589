// SPDX-License-Identifier: MIT
/*
 * The objects userland drivers and init are built on: IrqLine (an
 * interrupt delivered to a Notification, masked until the driver
 * acknowledges it), MmioRegion (device registers to map), Timer (a
 * Notification signalled at a deadline, once or periodically), and the
 * boot-time roots init receives: IrqControl, MmioControl, DebugConsole
 * and KernelInfo.
 */
#include <kernel/syscall.h>
#include <kernel/memory.h>
#include <kernel/irq.h>
#include <kernel/clock.h>
#include <kernel/console.h>
#include <kernel/boot.h>
#include <kernel/log.h>

struct irqline {
	struct kobj obj;
	unsigned irq;
	bool masked;
	struct notification *n;
	uint64_t bits;
};

struct ktimer {
	struct kobj obj;
	struct notification *n;
	uint64_t bits, deadline, period;
	struct list node;
};

#define MAX_IRQS 1024
static struct irqline *irq_lines[MAX_IRQS];
static struct list timers = LIST_INIT(timers);
static struct kobj roots[OBJ_TYPE_COUNT];

struct kobj *devobj_root(unsigned type)
{
	struct kobj *o = &roots[type];

	if (!o->type) {
		o->type = type;
		o->oid = ++kobj_next_oid;
		o->refs = 1;            /* never destroyed */
		list_init(&o->reap_node);
		list_init(&o->orphan_node);
	}
	return o;
}

/* ---- IrqLine ----------------------------------------------------------------------- */

static void irqline_handler(unsigned irq, void *arg)
{
	struct irqline *l = arg;
	const struct irq_chip *chip = irq_chip();

	chip->disable(irq);
	l->masked = true;
	if (l->n)
		notify_signal(l->n, l->bits);
}

static err_t irqctl_get(uint64_t irq, struct msg *out)
{
	const struct irq_chip *chip = irq_chip();
	struct process *self = current->proc;
	struct irqline *l;
	struct cap *slot;
	err_t e;

	if (!chip || irq == 0 || irq > chip->nr_irqs || irq >= MAX_IRQS)
		return ERR_INVAL;
	if (irq_lines[irq])
		return ERR_BUSY;
	if ((e = cap_reserve(self, CAP_NULL, &slot)))
		return e;
	l = kobj_alloc(OBJ_IRQLINE, sizeof(*l), self->quota);
	if (!l)
		return ERR_NOMEM;
	l->irq = irq;
	if ((e = irq_attach(irq, irqline_handler, l))) {   /* the kernel uses it */
		kobj_put(&l->obj);
		kobj_reap();
		return e;
	}
	/* masked until a notification is bound */
	chip->disable(irq);
	l->masked = true;
	irq_lines[irq] = l;
	cap_install(slot, &l->obj, RIGHTS_ALL, 0);
	kobj_put(&l->obj);
	out->w[0] = cap_slot_of(slot);
	return ERR_OK;
}

static void irqline_destroy(struct irqline *l)
{
	if (irq_lines[l->irq] == l) {
		irq_detach(l->irq);
		irq_lines[l->irq] = NULL;
	}
	if (l->n)
		kobj_put(&l->n->obj);
}

/* ---- MmioControl --------------------------------------------------------------------- */

static err_t mmioctl_get(paddr_t pa, uint64_t bytes, struct msg *out)
{
	const struct boot_info *bi = &boot_info;
	struct process *self = current->proc;
	struct memobj *mo;
	struct cap *slot;
	err_t e;

	if (!bytes || !IS_ALIGNED(pa, PAGE_SIZE) || !IS_ALIGNED(bytes, PAGE_SIZE) || pa + bytes < pa ||
	    bytes / PAGE_SIZE > MEMOBJ_MAX_PAGES)
		return ERR_INVAL;
	for (unsigned i = 0; i < bi->n_mem; i++)     /* RAM is never device memory */
		if (pa < bi->mem[i].base + bi->mem[i].size && bi->mem[i].base < pa + bytes)
			return ERR_PERM;
	if (vm_is_kernel_device(pa, bytes))          /* the kernel's own drivers' registers */
		return ERR_BUSY;
	if ((e = cap_reserve(self, CAP_NULL, &slot)))
		return e;
	mo = memobj_device(pa, bytes / PAGE_SIZE, self->quota, &e);
	if (!mo)
		return e;
	cap_install(slot, &mo->obj, RIGHT_READ | RIGHT_WRITE | RIGHT_GRANT | RIGHT_MANAGE, 0);
	kobj_put(&mo->obj);
	out->w[0] = cap_slot_of(slot);
	return ERR_OK;
}

/* ---- Timer ----------------------------------------------------------------------------- */

struct kobj *timer_create(struct quota *q)
{
	struct ktimer *t = kobj_alloc(OBJ_TIMER, sizeof(*t), q);

	if (t)
		list_init(&t->node);
	return t ? &t->obj : NULL;
}

static void timer_cancel(struct ktimer *t)
{
	if (list_linked(&t->node))
		list_del(&t->node);
	if (t->n)
		kobj_put(&t->n->obj);
	t->n = NULL;
}

void sched_timer_check(uint64_t now)
{
	list_for_each_safe(it, nx, &timers) {
		struct ktimer *t = list_entry(it, struct ktimer, node);
		if (t->deadline > now)
			continue;
		notify_signal(t->n, t->bits);
		if (t->period) {
			while (t->deadline <= now)
				t->deadline += t->period;
		} else {
			timer_cancel(t);
		}
	}
}

#define TIMER_MIN_PERIOD_NS 100000ull

static err_t timer_invoke(struct ktimer *t, unsigned method, const struct msg *in, struct cap *cap0)
{
	switch (method) {
	case TIMER_SET:
		if (!cap0 || cap0->obj->type != OBJ_NOTIFICATION)
			return ERR_INVAL;
		if (!(cap0->rights & RIGHT_WRITE))
			return ERR_PERM;
		if (in->w[2] && in->w[2] < TIMER_MIN_PERIOD_NS)
			return ERR_INVAL;
		timer_cancel(t);
		kobj_get(cap0->obj);
		t->n = (struct notification *)cap0->obj;
		t->bits = in->w[0];
		t->deadline = in->w[1];
		t->period = in->w[2];
		list_add_tail(&timers, &t->node);
		return ERR_OK;
	case TIMER_CANCEL:
		timer_cancel(t);
		return ERR_OK;
	default:
		return ERR_NOSYS;
	}
}

/* ---- console input relay ------------------------------------------------------------------ */

static struct notification *input_note;
static uint64_t input_bits;

static void input_arrived(void)
{
	if (input_note)
		notify_signal(input_note, input_bits);
}

static err_t console_relay(struct cap *c, unsigned method, const struct msg *in, struct msg *out,
			   struct cap *cap0)
{
	struct thread *self = current;

	if (!(c->rights & RIGHT_READ))
		return ERR_PERM;
	if (method == DEBUG_BIND_INPUT) {
		if (!cap0 || cap0->obj->type != OBJ_NOTIFICATION)
			return ERR_INVAL;
		if (!(cap0->rights & RIGHT_WRITE))
			return ERR_PERM;
		if (input_note)
			kobj_put(&input_note->obj);
		kobj_get(cap0->obj);
		input_note = (struct notification *)cap0->obj;
		input_bits = in->w[0];
		console_input_hook = input_arrived;
		return ERR_OK;
	}
	/* DEBUG_READ */
	uint64_t max = in->w[0], n = 0;
	int ch;
	if (!self->ipcbuf || max > (CAIRN_MSG_MAX - CAIRN_MSG_REGS) * 8ull)
		return ERR_INVAL;
	char *dst = (char *)&self->ipcbuf->w[CAIRN_MSG_REGS];
	while (n < max && (ch = console_getc()) >= 0)
		dst[n++] = (char)ch;
	out->w[0] = n;
	out->tag = cairn_tag(0, CAIRN_MSG_REGS + (unsigned)((n + 7) / 8), 0);
	return ERR_OK;
}

/* ---- dispatch --------------------------------------------------------------------------- */

err_t devobj_invoke(struct cap *c, unsigned method, const struct msg *in, struct msg *out,
		    struct cap *cap0)
{
	struct thread *self = current;

	switch (c->obj->type) {
	case OBJ_IRQLINE: {
		struct irqline *l = (struct irqline *)c->obj;
		if (method == IRQ_BIND) {
			if (!(c->rights & RIGHT_MANAGE))
				return ERR_PERM;
			if (!cap0 || cap0->obj->type != OBJ_NOTIFICATION)
				return ERR_INVAL;
			if (!(cap0->rights & RIGHT_WRITE))
				return ERR_PERM;
			if (l->n)
				kobj_put(&l->n->obj);
			kobj_get(cap0->obj);
			l->n = (struct notification *)cap0->obj;
			l->bits = in->w[0];
			return ERR_OK;
		}
		if (method == IRQ_ACK) {
			if (!(c->rights & RIGHT_WRITE))
				return ERR_PERM;
			if (l->masked && l->n) {
				l->masked = false;
				irq_chip()->enable(l->irq);
			}
			return ERR_OK;
		}
		return ERR_NOSYS;
	}
	case OBJ_MMIO:
		if (method == MEMOBJ_INFO) {
			struct memobj *mo = (struct memobj *)c->obj;
			out->w[0] = mo->npages;
			out->w[1] = mo->base;
			return ERR_OK;
		}
		return ERR_NOSYS;
	case OBJ_TIMER:
		if (!(c->rights & RIGHT_MANAGE))
			return ERR_PERM;
		return timer_invoke((struct ktimer *)c->obj, method, in, cap0);
	case OBJ_IRQ_CONTROL:
		if (method != IRQCTL_GET)
			return ERR_NOSYS;
		return (c->rights & RIGHT_MANAGE) ? irqctl_get(in->w[0], out) : ERR_PERM;
	case OBJ_MMIO_CONTROL:
		if (method != MMIOCTL_GET)
			return ERR_NOSYS;
		return (c->rights & RIGHT_MANAGE) ? mmioctl_get(in->w[0], in->w[1], out) : ERR_PERM;
	case OBJ_DEBUG_CONSOLE: {
		unsigned len = cairn_tag_len(in->tag);
		if (method == DEBUG_READ || method == DEBUG_BIND_INPUT)
			return console_relay(c, method, in, out, cap0);
		if (method == DEBUG_RELEASE_DEVICE) {
			struct console_device dev;
			err_t e;
			if (!(c->rights & RIGHT_MANAGE))
				return ERR_PERM;
			if ((e = console_release(&dev)))
				return e;
			out->w[0] = dev.base;
			out->w[1] = dev.size;
			out->w[2] = dev.irq;
			out->w[3] = dev.reg_shift | dev.reg_width << 8;
			return ERR_OK;
		}
		if (method != DEBUG_WRITE)
			return ERR_NOSYS;
		if (!(c->rights & RIGHT_WRITE))
			return ERR_PERM;
		if (!self->ipcbuf || len < CAIRN_MSG_REGS || in->w[0] > (len - CAIRN_MSG_REGS) * 8ull)
			return ERR_INVAL;
		console_write((const char *)&self->ipcbuf->w[CAIRN_MSG_REGS], in->w[0]);
		out->w[0] = in->w[0];
		return ERR_OK;
	}
	case OBJ_KINFO:
		if (!(c->rights & RIGHT_READ))
			return ERR_PERM;
		if (method == KINFO_FREE_PAGES) {
			out->w[0] = pmm_free_pages();
			out->w[1] = pmm_total_pages();
			return ERR_OK;
		}
		if (method == KINFO_TIME) {
			out->w[0] = clock_ns();
			return ERR_OK;
		}
		if (method == KINFO_CLOCK) {
			out->w[0] = clock_mult();
			out->w[1] = arch_counter_hz();
			out->w[2] = clock_realtime_offset();
			return ERR_OK;
		}
		return ERR_NOSYS;
	default:
		return ERR_NOSYS;
	}
}

bool kobj_destroy_hook(struct kobj *o)
{
	switch (o->type) {
	case OBJ_IRQLINE:
		irqline_destroy((struct irqline *)o);
		return true;
	case OBJ_TIMER:
		timer_cancel((struct ktimer *)o);
		return true;
	default:
		return false;
	}
}
