// SPDX-License-Identifier: MIT
/*
 * Self-tests of the lock-order check (CONFIG_LOCK_CHECK, kernel/lockcheck.c):
 * locks in rising rank pass; a lower rank after a higher one, the same
 * rank twice, the kernel lock after a spinlock, a lock given back that
 * was not held and a wait for another CPU with a spinlock held are each
 * one violation (counted here instead of the panic).
 */
#include <kernel/selftest.h>
#include <kernel/spinlock.h>
#include <kernel/thread.h>

static struct spinlock lo = SPINLOCK_INIT(LOCK_HEAP), lo2 = SPINLOCK_INIT(LOCK_HEAP);
static struct spinlock hi = SPINLOCK_INIT(LOCK_PMM);

SELFTEST(lock, order_checked)
{
	unsigned n = 0;
	uint32_t before = this_cpu()->lock_held;
	unsigned long f, g;

	lockcheck_count_into(&n);
	f = spin_lock_irqsave(&lo);             /* rising: fine */
	g = spin_lock_irqsave(&hi);
	spin_unlock_irqrestore(&hi, g);
	spin_unlock_irqrestore(&lo, f);
	unsigned in_order = n;

	f = spin_lock_irqsave(&hi);             /* falling: one */
	g = spin_lock_irqsave(&lo);
	spin_unlock_irqrestore(&lo, g);
	spin_unlock_irqrestore(&hi, f);
	unsigned falling = n;

	f = spin_lock_irqsave(&lo);
	lock_taking(LOCK_KERNEL, "the kernel lock");    /* the kernel lock inside: one */
	lock_given(LOCK_KERNEL, "the kernel lock");
	unsigned kernel_inside = n;
	lock_may_wait("the self-test");                 /* waiting with a spinlock: one */
	unsigned wait_held = n;
	g = spin_lock_irqsave(&lo2);                    /* the same rank twice: one (last:
							 * the rank's bit goes with either) */
	spin_unlock_irqrestore(&lo2, g);
	unsigned twice = n;
	lock_taking(LOCK_HEAP, "the self-test");        /* lo's bit again (lo2's release
							 * took it), for lo's: none */
	spin_unlock_irqrestore(&lo, f);
	lock_given(LOCK_PMM, "a lock not held");        /* not held: one */
	unsigned not_held = n;
	lock_taking(LOCK_KERNEL, "the kernel lock");    /* waiting with the kernel lock alone: none */
	lock_may_wait("the self-test");
	lock_given(LOCK_KERNEL, "the kernel lock");
	lockcheck_count_into(NULL);

	ST_CHECK(in_order == 0);
	ST_CHECK(falling == 1);
	ST_CHECK(kernel_inside == 2);
	ST_CHECK(wait_held == 3);
	ST_CHECK(twice == 4);
	ST_CHECK(not_held == 5);
	ST_CHECK(n == 5);
	ST_CHECK(this_cpu()->lock_held == before);
	return true;
}
