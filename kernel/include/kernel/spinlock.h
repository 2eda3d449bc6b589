/* SPDX-License-Identifier: MIT */
/* Spinlocks that also keep local interrupts off while held. */
#ifndef KERNEL_SPINLOCK_H
#define KERNEL_SPINLOCK_H
#include <arch.h>
#include <kernel/lockcheck.h>

struct spinlock {
	int locked;
#ifdef CONFIG_LOCK_CHECK
	uint8_t rank;                   /* LOCK_*: its place in the lock order */
	const char *name;
#endif
};

#ifdef CONFIG_LOCK_CHECK
#define SPINLOCK_INIT(r) { 0, (r), #r }
#else
#define SPINLOCK_INIT(r) { 0 }
#endif

static inline unsigned long spin_lock_irqsave(struct spinlock *l)
{
	unsigned long flags = arch_irq_save();

#ifdef CONFIG_LOCK_CHECK
	lock_taking(l->rank, l->name);
#endif
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			arch_cpu_relax();
	return flags;
}

static inline void spin_unlock_irqrestore(struct spinlock *l, unsigned long flags)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
#ifdef CONFIG_LOCK_CHECK
	lock_given(l->rank, l->name);
#endif
	arch_irq_restore(flags);
}

#endif
