// SPDX-License-Identifier: MIT
/*
 * The lock-order check of debug builds (CONFIG_LOCK_CHECK): each CPU's
 * lock_held has bit r set while it holds the lock of rank r
 * (kernel/lockcheck.h). Taking rank r with any bit r or above set is out
 * of order (equal: the same lock again, or two of one class), and so is
 * waiting for another CPU with any spinlock held: either would let two
 * CPUs wait for each other. It starts once this CPU's struct cpu is
 * known (sched_init_cpu()); before that only the boot CPU runs.
 */
#include <kernel/lockcheck.h>
#include <kernel/log.h>
#include <kernel/thread.h>

static unsigned *counting;              /* the self-test's count, or NULL */

static void violation(struct cpu *c, const char *fmt, const char *name, unsigned rank)
{
	if (counting) {
		++*counting;
		return;
	}
	uint32_t held = c->lock_held;
	c->lock_held = 0;               /* the panic's own printing takes the console's */
	panic(fmt, name, rank, (unsigned)held);
}

void lock_taking(unsigned rank, const char *name)
{
	struct cpu *c = arch_cpu_core();

	if (!c)
		return;
	if (c->lock_held >> rank)
		violation(c, "lock order: %s (rank %u) taken while holding ranks %#x", name, rank);
	c->lock_held |= 1u << rank;
}

void lock_given(unsigned rank, const char *name)
{
	struct cpu *c = arch_cpu_core();

	if (!c)
		return;
	if (!(c->lock_held & (1u << rank)))
		violation(c, "lock order: %s (rank %u) given back but not held (held %#x)", name, rank);
	c->lock_held &= ~(1u << rank);
}

void lock_may_wait(const char *what)
{
	struct cpu *c = arch_cpu_core();

	if (c && (c->lock_held & ~(1u << LOCK_KERNEL)))
		violation(c, "lock order: %s waits for another CPU (rank %u) holding ranks %#x", what,
			  LOCK_KERNEL);
}

void lock_needs_kernel(const char *what)
{
	struct cpu *c = arch_cpu_core();

	if (c && c->online && !(c->lock_held & (1u << LOCK_KERNEL)))
		violation(c, "lock order: %s without the kernel lock (rank %u; held %#x)", what, LOCK_KERNEL);
}

void lockcheck_count_into(unsigned *count)
{
	counting = count;
}
