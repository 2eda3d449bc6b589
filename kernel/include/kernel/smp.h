/* SPDX-License-Identifier: MIT */
/*
 * Several CPUs in one kernel (kernel/smp.c): the kernel lock, requests
 * between CPUs (IPIs), TLB shootdown. docs/smp.md gives the design.
 */
#ifndef KERNEL_SMP_H
#define KERNEL_SMP_H
#include <kernel/thread.h>
#include <kernel/lockcheck.h>

#define IPI_RESCHED  1u         /* schedule on the way out (a thread was made ready, killed...) */
#define IPI_STOP     2u         /* stop for good (panic, power-off) */
#define IPI_TIMER    4u         /* arm the timer again (a slice began here) */

/*
 * The kernel lock. Every path that reads or changes shared kernel state
 * holds it; a CPU takes it on entry (a system call, a trap or interrupt
 * from user mode, an interrupt in the idle loop) and gives it up on the
 * way back to user mode, or to wait idle. The CPU, not the thread, holds
 * it: a context switch passes it on to the thread switched to.
 *
 * klock() returns true when it took the lock, false when this CPU held
 * it already (an interrupt in a self-test that runs with interrupts on);
 * kunlock() gives it up if held. While it waits, a CPU answers the
 * requests of the CPU that holds it (TLB shootdowns), so that one never
 * waits for a CPU that waits for it.
 */
bool klock_take(struct cpu *c);
void kunlock_whole(struct cpu *c);

static inline bool klock(void)
{
	struct cpu *c = this_cpu();

	if (c->klocked == KL_WHOLE)
		return false;
	if (ncpus == 1) {                 /* alone: nobody to exclude */
		lock_taking(LOCK_KERNEL, "the kernel lock");
		c->work.b.unlock = 1;     /* the way out gives it back */
		c->klocked = KL_WHOLE;
		return true;
	}
	return klock_take(c);
}

/* Leaves fast mode if in it. */
static inline void kfast_leave(struct cpu *c)
{
	if (c->in_fast)
		__atomic_store_n(&c->in_fast, 0, __ATOMIC_RELEASE);
}

/* Gives up the kernel lock (either mode) if this CPU holds it. */
static inline void kunlock_cpu(struct cpu *c)
{
	kfast_leave(c);
	if (c->klocked != KL_WHOLE)
		return;
	if (ncpus == 1) {
		lock_given(LOCK_KERNEL, "the kernel lock");
		c->work.b.unlock = 0;
		c->klocked = KL_NONE;
		return;
	}
	kunlock_whole(c);
}

static inline void kunlock(void)
{
	kunlock_cpu(this_cpu());
}

/*
 * Fast mode, for the IPC fast paths (kernel/ipc.c): kfast_try() enters it
 * unless another CPU holds the lock whole. From fast mode, klock() takes
 * the lock whole (and must be followed by a fresh look at anything read
 * before it: others ran in between); kunlock() leaves either mode.
 */
extern uint32_t klock_slow_flag;

/* Fast mode if no CPU holds the lock whole (true); else nothing held.
 * With one CPU (ncpus is fixed before init starts) there is nobody to
 * exclude: the marks alone. */
static inline bool kfast_try(void)
{
	struct cpu *c = this_cpu();

	if (ncpus == 1)
		return true;
	__atomic_store_n(&c->in_fast, 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (likely(!__atomic_load_n(&klock_slow_flag, __ATOMIC_ACQUIRE)))
		return true;
	__atomic_store_n(&c->in_fast, 0, __ATOMIC_RELEASE);
	return false;
}

/* Asks CPU c for what bits says and interrupts it. Any context. */
void smp_send(struct cpu *c, uint32_t bits);
/* Interrupts CPU c and waits until it has left user mode (kernel lock
 * whole held: it cannot return to user mode before it has the lock). */
void smp_kick_sync(struct cpu *c);
/* The arch's IPI interrupt on this CPU (no lock needed). */
void smp_ipi(void);
/*
 * The page table of `as` changed (entries removed or rights taken away):
 * every other CPU that has it loaded flushes its TLB, or with leave (the
 * space goes away) loads the kernel's table instead; without leave, every
 * CPU that does not have it loaded is marked to flush its tag before it
 * loads it again (kernel/astag.c). Returns when all have. Kernel lock
 * held whole.
 */
void smp_tlb_sync(struct aspace *as, bool leave);
/* This CPU runs threads from now on (kmain_secondary). */
void sched_cpu_online(void);
extern uint64_t sched_online_mask;
/* Lets the secondary CPUs, waiting in kmain_secondary(), join the
 * scheduler (kmain, before init starts). */
void smp_release_secondaries(void);
/* Stops every other CPU (panic). Any context. */
void smp_stop_others(void);

#endif
