// SPDX-License-Identifier: MIT
/*
 * Several CPUs in one kernel: the kernel lock, requests between CPUs, TLB
 * shootdown. The contract is in kernel/include/kernel/smp.h; docs/smp.md
 * gives the design and why.
 *
 * The kernel lock has two modes (docs/smp.md):
 *  - whole (klock()): a ticket lock, which CPUs get in the order they
 *    asked, so none starves; then the holder raises `slow` and waits until
 *    no CPU is in fast mode. The holder has the kernel to itself.
 *  - fast (kfast_try()): the IPC fast paths. A CPU marks itself (in_fast),
 *    then checks that no CPU holds the lock whole (`slow`); if one does, it
 *    takes the lock whole instead. CPUs in fast mode run at once; what
 *    their paths share is guarded by finer locks (an Endpoint's receivers,
 *    a thread's on_cpu) and by the rule that a thread is touched only by
 *    the path that owns it at that moment (kernel/ipc.c).
 * The two are a Dekker pair: each side writes its own flag, fences, and
 * reads the other's. A CPU waiting for the lock answers TLB requests
 * (smp_poll()), because the holder may be waiting for that answer.
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
/* the holder has the lock whole (or is about to): read by kfast_try() */
uint32_t klock_slow_flag;

/* A shootdown: the space is loaded here; its tag's entries go (loading
 * it again with a flush: the other tags' stay). */
static void tlb_answer(struct cpu *c)
{
	if (c->active_as && c->active_as == c->tlb_as) {
		if (c->tlb_leave) {
			astag_load_root(kernel_root);
			c->active_as = NULL;
		} else {
			arch_as_load(c->active_as->token, true);
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
	if (__atomic_load_n(&c->kick_req, __ATOMIC_ACQUIRE)) {
		c->work.b.resched = 1;
		__atomic_store_n(&c->kick_req, 0, __ATOMIC_RELEASE);
	}
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

/* Waits for turn `ticket` (taken): another CPU holds the lock. */
static __attribute__((noinline)) void klock_wait(struct cpu *c, uint32_t ticket)
{
	for (unsigned spins = 0; __atomic_load_n(&klk.owner, __ATOMIC_ACQUIRE) != ticket; ) {
		smp_poll(c);
		if (++spins < SPIN_DOZE) {
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
			arch_cpu_wait_ipi();
		__atomic_fetch_sub(&klk.dozers, 1, __ATOMIC_SEQ_CST);
		__atomic_store_n(&c->dozing, 0, __ATOMIC_RELAXED);
	}
}

/* Waits until no other CPU is in fast mode. */
static __attribute__((noinline)) void klock_drain(struct cpu *c)
{
	unsigned spins = 0;

	for (unsigned i = 0; i < ncpus; i++) {
		struct cpu *o = &cpus[i];
		while (o != c && __atomic_load_n(&o->in_fast, __ATOMIC_ACQUIRE)) {
			smp_poll(c);
			spin_turn(&spins);
		}
	}
}

bool klock_take(struct cpu *c)
{
	uint32_t ticket;

	c->work.b.unlock = 1;             /* the way out gives it back */
	if (ncpus == 1) {                 /* alone: nobody to exclude */
		lock_taking(LOCK_KERNEL, "the kernel lock");
		c->klocked = KL_WHOLE;
		return true;
	}
	/* no interrupt until the lock is ours: one taken while we wait (the
	 * doze ends with the interrupts as they were) would take a second
	 * ticket on this CPU and wait behind the first for ever (kmain
	 * takes the lock with interrupts on) */
	unsigned long f = arch_irq_save();
	lock_taking(LOCK_KERNEL, "the kernel lock");
	kfast_leave(c);                   /* from a fast path to a slow one */
	ticket = __atomic_fetch_add(&klk.next, 1, __ATOMIC_RELAXED);
	if (unlikely(__atomic_load_n(&klk.owner, __ATOMIC_ACQUIRE) != ticket))
		klock_wait(c, ticket);
	/* whole: no CPU in fast mode from here on */
	__atomic_store_n(&klock_slow_flag, 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (ncpus > 1)
		klock_drain(c);
	c->klocked = KL_WHOLE;
	arch_irq_restore(f);
	return true;
}

/* The next in line may be dozing: wake it. */
static __attribute__((noinline)) void kunlock_wake(uint32_t next)
{
	for (unsigned i = 0; i < ncpus; i++)
		if (__atomic_load_n(&cpus[i].dozing, __ATOMIC_SEQ_CST) && cpus[i].wait_ticket == next)
			arch_send_ipi(i);
}

void kunlock_whole(struct cpu *c)
{
	uint32_t next = klk.owner + 1;

	c->work.b.unlock = 0;
	lock_given(LOCK_KERNEL, "the kernel lock");
	if (ncpus == 1) {
		c->klocked = KL_NONE;
		return;
	}
	c->klocked = KL_NONE;
	__atomic_store_n(&klock_slow_flag, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&klk.owner, next, __ATOMIC_SEQ_CST);
	if (unlikely(__atomic_load_n(&klk.dozers, __ATOMIC_SEQ_CST)))
		kunlock_wake(next);
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

/* The CPUs that have as loaded now. */
static uint64_t tlb_loaded(struct aspace *as)
{
	uint64_t m = 0;

	for (unsigned i = 0; i < ncpus; i++)
		if (cpus[i].active_as == as)
			m |= 1ull << i;
	return m;
}

void smp_tlb_sync(struct aspace *as, bool leave)
{
	struct cpu *me = this_cpu();
	uint64_t wait = 0;

	/* this CPU flushed the changed entries if as is loaded here (for
	 * that tag alone on x86-64); the others with it loaded are shot
	 * down below; everyone else flushes the tag when it loads as again */
	if (!leave)
		astag_stale(as, tlb_loaded(as));
	if (ncpus < 2)
		return;
	lock_may_wait("a TLB shootdown");
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
		spin_turn(&spins);
	}
}

void smp_kick_sync(struct cpu *c)
{
	lock_may_wait("a kick");
	__atomic_store_n(&c->kick_req, 1, __ATOMIC_RELEASE);
	arch_send_ipi(c->id);
	for (unsigned spins = 0; __atomic_load_n(&c->kick_req, __ATOMIC_ACQUIRE); )
		spin_turn(&spins);
}

void smp_stop_others(void)
{
	struct cpu *me = this_cpu();

	for (unsigned i = 0; i < ncpus; i++)
		if (&cpus[i] != me && cpus[i].online)
			smp_send(&cpus[i], IPI_STOP);
}
