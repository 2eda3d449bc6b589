// SPDX-License-Identifier: MIT
/*
 * Several CPUs in one kernel: the kernel lock, requests between CPUs, TLB
 * shootdown. The contract is in kernel/include/kernel/smp.h; docs/smp.md
 * gives the design and why.
 *
 * The kernel lock is a ticket lock: CPUs get it in the order they asked,
 * so none starves while others come and go. A CPU waiting for it answers
 * TLB requests (smp_poll()), because the holder may be waiting for that
 * answer.
 */
#include <kernel/smp.h>
#include <kernel/memory.h>
#include <kernel/log.h>
#include <kernel/clock.h>

static struct {
	uint32_t next;                  /* the next ticket to give out */
	uint32_t owner;                 /* the ticket that holds the lock */
	uint32_t dozers;                /* CPUs dozing in klock() */
} klk;

/* Spins of a wait before the CPU dozes (arch_cpu_doze()). */
#define SPINS_BEFORE_DOZE 100

static void tlb_answer(struct cpu *c)
{
	if (c->active_as && c->active_as == c->tlb_as) {
		if (c->tlb_leave) {
			arch_as_activate(kernel_root);
			c->active_as = NULL;
		} else {
			arch_tlb_flush_all();
		}
	}
	__atomic_store_n(&c->tlb_req, 0, __ATOMIC_RELEASE);
}

/* What other CPUs asked of this one: answered at once, with or without
 * the lock. */
static void smp_poll(struct cpu *c)
{
	if (__atomic_load_n(&c->tlb_req, __ATOMIC_ACQUIRE))
		tlb_answer(c);
	if (__atomic_load_n(&c->ipi, __ATOMIC_RELAXED)) {
		uint32_t w = __atomic_exchange_n(&c->ipi, 0, __ATOMIC_ACQ_REL);
		if (w & IPI_STOP)
			arch_halt_cpu();
		if (w & IPI_RESCHED)
			c->work.b.resched = 1;
		if (w & IPI_TIMER)
			clock_program();
	}
}

bool klock(void)
{
	struct cpu *c = this_cpu();
	uint32_t ticket;

	if (c->klocked)
		return false;
	ticket = __atomic_fetch_add(&klk.next, 1, __ATOMIC_RELAXED);
	for (unsigned spins = 0; __atomic_load_n(&klk.owner, __ATOMIC_ACQUIRE) != ticket; ) {
		smp_poll(c);
		if (++spins < SPINS_BEFORE_DOZE) {
			arch_cpu_relax();
			continue;
		}
		/* a long wait: doze until the lock is ours (kunlock() wakes us)
		 * or briefly, to answer requests */
		spins = 0;
		c->wait_ticket = ticket;
		__atomic_store_n(&c->dozing, 1, __ATOMIC_SEQ_CST);
		__atomic_fetch_add(&klk.dozers, 1, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&klk.owner, __ATOMIC_SEQ_CST) != ticket)
			arch_cpu_doze();
		__atomic_fetch_sub(&klk.dozers, 1, __ATOMIC_SEQ_CST);
		__atomic_store_n(&c->dozing, 0, __ATOMIC_RELAXED);
	}
	c->klocked = 1;
	return true;
}

void kunlock(void)
{
	struct cpu *c = this_cpu();

	if (!c->klocked)
		return;
	uint32_t next = klk.owner + 1;

	c->klocked = 0;
	__atomic_store_n(&klk.owner, next, __ATOMIC_SEQ_CST);
	/* the next in line may be dozing: wake it */
	if (unlikely(__atomic_load_n(&klk.dozers, __ATOMIC_SEQ_CST)))
		for (unsigned i = 0; i < ncpus; i++)
			if (__atomic_load_n(&cpus[i].dozing, __ATOMIC_SEQ_CST) && cpus[i].wait_ticket == next)
				arch_send_ipi(i);
}

void smp_send(struct cpu *c, uint32_t bits)
{
	__atomic_fetch_or(&c->ipi, bits, __ATOMIC_RELEASE);
	arch_send_ipi(c->id);
}

void smp_ipi(void)
{
	smp_poll(this_cpu());
}

void smp_tlb_sync(struct aspace *as, bool leave)
{
	struct cpu *me = this_cpu();
	uint64_t wait = 0;

	if (ncpus < 2)
		return;
	for (unsigned i = 0; i < ncpus; i++) {
		struct cpu *c = &cpus[i];
		if (c == me || !c->online || c->active_as != as)
			continue;
		c->tlb_as = as;
		c->tlb_leave = leave;
		__atomic_store_n(&c->tlb_req, 1, __ATOMIC_RELEASE);
		arch_send_ipi(i);
		wait |= 1ull << i;
	}
	for (unsigned spins = 0; wait; ) {
		for (unsigned i = 0; i < ncpus; i++)
			if (((wait >> i) & 1) && !__atomic_load_n(&cpus[i].tlb_req, __ATOMIC_ACQUIRE))
				wait &= ~(1ull << i);
		if (++spins < SPINS_BEFORE_DOZE) {
			arch_cpu_relax();
		} else {
			spins = 0;
			arch_cpu_doze();
		}
	}
}

void smp_stop_others(void)
{
	struct cpu *me = this_cpu();

	for (unsigned i = 0; i < ncpus; i++)
		if (&cpus[i] != me && cpus[i].online)
			smp_send(&cpus[i], IPI_STOP);
}
