// SPDX-License-Identifier: MIT
/* Device interrupt dispatch: controller claim, handler, completion. */
#include <arch.h>
#include <kernel/irq.h>
#include <kernel/mm.h>
#include <kernel/log.h>

struct irq_slot {
	irq_handler_t fn;
	void *arg;
};

static const struct irq_chip *chip;
static struct irq_slot *slots;
static uint64_t handled;

err_t irq_set_chip(const struct irq_chip *c)
{
	slots = kzalloc((c->nr_irqs + 1) * sizeof(*slots));
	if (!slots)
		return ERR_NOMEM;
	chip = c;
	return ERR_OK;
}

const struct irq_chip *irq_chip(void)
{
	return chip;
}

bool irq_in_use(unsigned irq)
{
	return chip && irq && irq <= chip->nr_irqs && slots[irq].fn;
}

err_t irq_attach(unsigned irq, irq_handler_t fn, void *arg)
{
	if (!chip || irq == 0 || irq > chip->nr_irqs || !fn)
		return ERR_INVAL;
	if (slots[irq].fn)
		return ERR_BUSY;
	slots[irq].arg = arg;
	__atomic_store_n(&slots[irq].fn, fn, __ATOMIC_RELEASE);
	chip->enable(irq);
	return ERR_OK;
}

void irq_detach(unsigned irq)
{
	if (!chip || irq == 0 || irq > chip->nr_irqs)
		return;
	chip->disable(irq);
	slots[irq].fn = NULL;
}

void irq_dispatch(void)
{
	unsigned irq;

	if (!chip)
		return;
	while ((irq = chip->claim()) != 0) {
		if (irq <= chip->nr_irqs && slots[irq].fn) {
			slots[irq].fn(irq, slots[irq].arg);
			handled++;
		} else {
			pr_warn("irq %u: no handler; disabled\n", irq);
			chip->disable(irq);
		}
		chip->complete(irq);
	}
}

uint64_t irq_count(void)
{
	return handled;
}
