// SPDX-License-Identifier: MIT
/*
 * Several CPUs in one kernel: the kernel lock, requests between CPUs, TLB
 * shootdown. The contract is in kernel/include/kernel/smp.h; docs/smp.md
 * gives the design and why.
 *
 * The kernel lock has two modes (docs/smp.md):
 *  - whole (klock()): a lock whoever runs when it comes free takes (a
 *    waiter passed over too often claims the next turn, so none starves);
 *    then the holder raises `slow` and waits until no CPU is in fast mode.
 *    The holder has the kernel to itself.
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
	uint32_t held;                  /* 1: a CPU holds the lock whole */
	uint32_t dozers;                /* CPUs dozing in klock() */
	uint32_t urgent;                /* 1 + a CPU that waited past KLOCK_PATIENCE (0: none) */
	uint32_t wake_next;             /* where kunlock_wake() looks first */
} klk;
/* the holder has the lock whole (or is about to): read by kfast_try() */
uint32_t klock_slow_flag;

/* Rounds (SPIN_DOZE spins and a doze each) a waiter lets others pass it
 * before it claims the next turn (klk.urgent). */
#define KLOCK_PATIENCE 4

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

/* Takes the lock if it is free and no other CPU has claimed the turn. */
static inline bool klock_grab(struct cpu *c)
{
	uint32_t u = __atomic_load_n(&klk.urgent, __ATOMIC_RELAXED);

	if (u && u != c->id + 1)
		return false;
	return !__atomic_load_n(&klk.held, __ATOMIC_RELAXED) &&
	       !__atomic_exchange_n(&klk.held, 1, __ATOMIC_ACQUIRE);
}

/* Waits until the lock is ours: another CPU holds it. Whoever runs when
 * it comes free takes it, not the next in a queue: under emulation with
 * more virtual CPUs than host cores the next in line is often not
 * running, and a queue made every hand-over wait for the host to run it
 * (kfuzz on four CPUs of a two-core host: over 60 s with a ticket lock).
 * So that none starves, a CPU passed over KLOCK_PATIENCE times claims the
 * next turn (klk.urgent): the others stand back until it has had it. */
static __attribute__((noinline)) void klock_wait(struct cpu *c)
{
	unsigned spins = 0, rounds = 0;
	const uint32_t me = c->id + 1;

	while (!klock_grab(c)) {
		smp_poll(c);
		if (++spins < SPIN_DOZE) {
			arch_cpu_relax();
			continue;
		}
		spins = 0;
		if (++rounds >= KLOCK_PATIENCE) {
			uint32_t none = 0;
			__atomic_compare_exchange_n(&klk.urgent, &none, me, false, __ATOMIC_SEQ_CST,
						    __ATOMIC_RELAXED);
		}
		/* a long wait: doze until an unlock wakes us (kunlock_wake())
		 * or briefly, to answer requests */
		__atomic_store_n(&c->dozing, 1, __ATOMIC_SEQ_CST);
		__atomic_fetch_add(&klk.dozers, 1, __ATOMIC_SEQ_CST);
		uint32_t u = __atomic_load_n(&klk.urgent, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&klk.held, __ATOMIC_SEQ_CST) || (u && u != me))
			arch_cpu_wait_ipi();
		__atomic_fetch_sub(&klk.dozers, 1, __ATOMIC_SEQ_CST);
		__atomic_store_n(&c->dozing, 0, __ATOMIC_RELAXED);
	}
	if (__atomic_load_n(&klk.urgent, __ATOMIC_RELAXED) == me)
		__atomic_store_n(&klk.urgent, 0, __ATOMIC_RELEASE);
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
	c->work.b.unlock = 1;             /* the way out gives it back */
	if (ncpus == 1) {                 /* alone: nobody to exclude */
		lock_taking(LOCK_KERNEL, "the kernel lock");
		c->klocked = KL_WHOLE;
		return true;
	}
	/* no interrupt until the lock is ours: one taken while we wait (the
	 * doze ends with the interrupts as they were) would wait for the
	 * lock on this CPU a second time, for ever, while the first wait
	 * cannot go on (kmain takes the lock with interrupts on) */
	unsigned long f = arch_irq_save();
	lock_taking(LOCK_KERNEL, "the kernel lock");
	kfast_leave(c);                   /* from a fast path to a slow one */
	if (unlikely(!klock_grab(c)))
		klock_wait(c);
	/* whole: no CPU in fast mode from here on */
	__atomic_store_n(&klock_slow_flag, 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (ncpus > 1)
		klock_drain(c);
	c->klocked = KL_WHOLE;
	arch_irq_restore(f);
	return true;
}

/* Some CPU dozes in klock_wait(): wake one, the one that claimed the
 * next turn if any, else the next dozing one in a round over all CPUs
 * (from where the last wake-up left off: a round from the releaser would
 * wake the same dozer every time while another dozed for ever, x86-64's
 * doze having no timer). Each unlock with dozers wakes one, which takes
 * the lock or dozes again, counting a round towards its claim. */
static __attribute__((noinline)) void kunlock_wake(void)
{
	uint32_t u = __atomic_load_n(&klk.urgent, __ATOMIC_SEQ_CST);

	if (u && __atomic_load_n(&cpus[u - 1].dozing, __ATOMIC_SEQ_CST)) {
		arch_send_ipi(u - 1);
		return;
	}
	unsigned from = __atomic_load_n(&klk.wake_next, __ATOMIC_RELAXED);
	for (unsigned k = 0; k < ncpus; k++) {
		unsigned i = (from + k) % ncpus;
		if (__atomic_load_n(&cpus[i].dozing, __ATOMIC_SEQ_CST)) {
			__atomic_store_n(&klk.wake_next, (i + 1) % ncpus, __ATOMIC_RELAXED);
			arch_send_ipi(i);
			return;
		}
	}
}

void kunlock_whole(struct cpu *c)
{
	c->work.b.unlock = 0;
	lock_given(LOCK_KERNEL, "the kernel lock");
	if (ncpus == 1) {
		c->klocked = KL_NONE;
		return;
	}
	c->klocked = KL_NONE;
	__atomic_store_n(&klock_slow_flag, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&klk.held, 0, __ATOMIC_SEQ_CST);
	if (unlikely(__atomic_load_n(&klk.dozers, __ATOMIC_SEQ_CST)))
		kunlock_wake();
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
