// SPDX-License-Identifier: MIT
/*
 * The scheduler: fixed priorities 0..31, round robin with a time slice of
 * SLICE_NS within a priority, preemption when a higher priority thread
 * becomes ready or a slice ends (checked when returning to user mode).
 *
 * There is no periodic tick. Each CPU arms its timer (clock_program())
 * for the earliest of: its own timeouts (threads that blocked there with
 * one, sorted by deadline; Timer objects armed there) and the end of the
 * slice of the thread it runs (timed whenever a thread runs: a lone
 * thread too, docs/smp.md). An idle CPU with no timeouts is not woken.
 * An IPC call hands the rest of the caller's slice to the receiver.
 *
 * Every CPU has its own run queues and its own idle thread (the CPU's boot
 * context). A thread becomes ready on the CPU it last ran on, unless that
 * one is busy with a thread at least as urgent and another CPU it may run
 * on is idle; it runs only on the CPUs of its affinity mask. A CPU with
 * nothing to run takes the most urgent ready thread it may run from
 * another CPU's queues before it goes idle. A thread made ready on another
 * CPU that should run at once there interrupts that CPU (IPI_RESCHED).
 *
 * All of this runs under the kernel lock (kernel/smp.c), which a CPU keeps
 * across a context switch: the thread switched to releases it on its way
 * to user mode.
 */
#include <kernel/thread.h>
#include <kernel/smp.h>
#include <kernel/ipc.h>
#include <kernel/memory.h>
#include <kernel/clock.h>
#include <kernel/log.h>
#include <kernel/kdump.h>

struct cpu cpus[CONFIG_NR_CPUS];
unsigned ncpus = 1;
uint64_t sched_online_mask = 1;

void sched_wait_off_cpu(struct thread *t)
{
	unsigned spins = 0;

	lock_may_wait("a thread's context save");
	while (__atomic_load_n(&t->on_cpu, __ATOMIC_ACQUIRE))
		spin_turn(&spins);
}

void sched_init_cpu(void)
{
	struct cpu *c = &cpus[arch_cpu_id()];
	struct thread *idle = &c->idle;

	arch_cpu_core_set(c);
	c->id = arch_cpu_id();
	for (unsigned i = 0; i < NPRIO; i++)
		list_init(&c->runq[i]);
	list_init(&c->sleepers);
	list_init(&c->timers);
	c->slice_end = c->timeout_next = UINT64_MAX;
	list_init(&idle->qnode);
	list_init(&idle->tnode);
	idle->state = TS_RUNNING;
	idle->on_cpu = 1;
	idle->cpu = (uint8_t)c->id;
	idle->affinity = 1ull << c->id;
	c->cur = idle;
}

void sched_init(void)
{
	sched_init_cpu();
	cpus[0].online = 1;
}

/* Several secondaries may come at once (ncpus counts them already:
 * smp_release_secondaries()). */
void sched_cpu_online(void)
{
	struct cpu *c = this_cpu();

	__atomic_fetch_or(&sched_online_mask, 1ull << c->id, __ATOMIC_RELAXED);
	__atomic_store_n(&c->online, 1, __ATOMIC_RELEASE);
}

static inline bool cpu_idle(const struct cpu *c)
{
	return c->cur == &c->idle && !c->nready;
}

static inline void runq_mark(struct cpu *c, unsigned prio)
{
	c->runq_bitmap[prio >> 6] |= 1ull << (prio & 63);
}

static inline bool runq_any(const struct cpu *c)
{
	return (c->runq_bitmap[0] | c->runq_bitmap[1]) != 0;
}

/* Anything ready at prio or above? */
static inline bool runq_any_from(const struct cpu *c, unsigned prio)
{
	if (prio >= 64)
		return (c->runq_bitmap[1] >> (prio - 64)) != 0;
	return c->runq_bitmap[1] || (c->runq_bitmap[0] >> prio);
}

static void runq_add(struct cpu *c, struct thread *t)
{
	t->cpu = (uint8_t)c->id;
	list_add_tail(&c->runq[t->prio], &t->qnode);
	runq_mark(c, t->prio);
	c->nready++;
}

/* t off the queues of c, the CPU it waits on */
static inline void runq_take(struct cpu *c, struct thread *t)
{
	list_del(&t->qnode);
	if (list_empty(&c->runq[t->prio]))
		c->runq_bitmap[t->prio >> 6] &= ~(1ull << (t->prio & 63));
	c->nready--;
}

static void runq_remove(struct thread *t)
{
	runq_take(&cpus[t->cpu], t);
}

/* Where a thread that becomes ready should wait: its last CPU if it may
 * run there and would run soon (idle, or it outranks what runs there);
 * else an idle CPU it may run on; else its last CPU, or the first it may
 * run on. */
static struct cpu *place(const struct thread *t)
{
	struct cpu *last = &cpus[t->cpu];

	if (ncpus == 1)
		return &cpus[0];
	if (last->online && sched_runs_on(t, last) &&
	    (cpu_idle(last) || t->prio > last->cur->prio))
		return last;
	for (unsigned i = 0; i < ncpus; i++) {
		struct cpu *c = &cpus[i];
		if (c->online && sched_runs_on(t, c) && cpu_idle(c))
			return c;
	}
	if (last->online && sched_runs_on(t, last))
		return last;
	for (unsigned i = 0; i < ncpus; i++)
		if (cpus[i].online && sched_runs_on(t, &cpus[i]))
			return &cpus[i];
	return &cpus[0];        /* cannot happen: the mask is checked when set */
}

void sched_ready(struct thread *t)
{
	lock_needs_kernel("sched_ready()");
	struct cpu *c = place(t);

	t->state = TS_READY;
	runq_add(c, t);
	if (c->cur == &c->idle || t->prio > c->cur->prio) {
		if (c == this_cpu())
			c->work.b.resched = 1;
		else
			smp_send(c, IPI_RESCHED);
	} else if (c->slice_end == UINT64_MAX) {
		/* it waits behind the running thread: time that one's slice */
		c->slice_end = clock_ns() + SLICE_NS;
		if (c == this_cpu())
			clock_program();
		else
			smp_send(c, IPI_TIMER);
	}
}

/* t runs and its priority fell: its CPU chooses again (it may keep it). */
void sched_check_preempt(struct thread *t)
{
	struct cpu *c = &cpus[t->cpu];

	if (c == this_cpu())
		c->work.b.resched = 1;
	else
		smp_send(c, IPI_RESCHED);
}

/* The index of the highest set bit of each byte value (of 0: 0). */
static const uint8_t top_bit[256] = {
#define TB2(n) n, n
#define TB4(n) TB2(n), TB2(n)
#define TB8(n) TB4(n), TB4(n)
#define TB16(n) TB8(n), TB8(n)
	0, 0, TB2(1), TB4(2), TB8(3), TB16(4), TB16(5), TB16(5), TB16(6), TB16(6), TB16(6), TB16(6),
	TB16(7), TB16(7), TB16(7), TB16(7), TB16(7), TB16(7), TB16(7), TB16(7),
#undef TB2
#undef TB4
#undef TB8
#undef TB16
};

/* Index of the highest set bit of a non-zero 32-bit word (no clz
 * instruction is assumed: riscv64 without Zbb): two tests and a look-up. */
static inline unsigned highest_bit32(uint32_t x)
{
	if (x < 0x10000)
		return x < 0x100 ? top_bit[x] : 8 + top_bit[x >> 8];
	return x < 0x1000000 ? 16 + top_bit[x >> 16] : 24 + top_bit[x >> 24];
}

/* ... of a non-zero 64-bit word */
static inline unsigned highest_bit(uint64_t x)
{
	return x >> 32 ? 32 + highest_bit32((uint32_t)(x >> 32)) : highest_bit32((uint32_t)x);
}

/* The highest priority with a ready thread on c (some must be): the
 * services' band (64 and up) first */
static inline unsigned runq_top(const struct cpu *c)
{
	return c->runq_bitmap[1] ? 64 + highest_bit(c->runq_bitmap[1]) : highest_bit(c->runq_bitmap[0]);
}

/* The most urgent thread waiting on another CPU's queues that may run on
 * c, or NULL (left where it is). */
static struct thread *stealable(struct cpu *c)
{
	struct thread *best = NULL;

	for (unsigned i = 0; i < ncpus; i++) {
		struct cpu *o = &cpus[i];
		if (o == c || !o->nready)
			continue;
		uint64_t words[2] = { o->runq_bitmap[0], o->runq_bitmap[1] };
		for (int wi = 1; wi >= 0; wi--)
		for (uint64_t bits = words[wi]; bits; ) {
			unsigned prio = highest_bit(bits);
			bits &= ~(1ull << prio);
			prio += 64 * (unsigned)wi;
			if (best && prio <= best->prio)
				break;
			list_for_each(it, &o->runq[prio]) {
				struct thread *t = list_entry(it, struct thread, qnode);
				if (sched_runs_on(t, c)) {
					best = t;
					break;
				}
			}
			if (best && best->prio == prio)
				break;
		}
	}
	return best;
}

/* The same, taken off its queue. */
static struct thread *steal(struct cpu *c)
{
	struct thread *best = stealable(c);

	if (best)
		runq_remove(best);
	return best;
}

static inline __attribute__((always_inline)) struct thread *pick(struct cpu *c)
{
	struct thread *t;

	if (!c->nready) {
		t = ncpus > 1 ? steal(c) : NULL;
		return t ? t : &c->idle;
	}
	unsigned prio = runq_top(c);
	t = list_entry(c->runq[prio].next, struct thread, qnode);
	runq_take(c, t);
	return t;
}

struct arch_context *sched_current_context(void)
{
	return &current->ctx;
}

void sched_as_gone(struct aspace *as)
{
	struct cpu *c = this_cpu();

	if (c->active_as == as) {
		astag_load_root(kernel_root);
		c->active_as = NULL;
	}
	smp_tlb_sync(as, true);
}

/* schedule(), for one CPU (mp false) or several: with one, prev may run
 * here (its affinity cannot leave out the one CPU) and next is on no
 * other CPU. */
static inline __attribute__((always_inline)) void schedule_on(const bool mp, const bool yield)
{
	struct cpu *c = this_cpu();
	struct thread *prev = c->cur;
	struct thread *next;

	lock_needs_kernel("schedule()");
	c->work.b.resched = 0;
	/* an upcall came from another CPU as it was about to block: the
	 * wait ends at once, as it would have a moment later (but a call
	 * being served: ipc_interrupt()) */
	if (unlikely(prev->state == TS_BLOCKED && prev->upcall_pending))
		ipc_interrupt(prev);
	if (prev->state == TS_RUNNING && prev != &c->idle) {
		if (!mp || sched_runs_on(prev, c)) {
			prev->state = TS_READY;
			runq_add(c, prev);
			if (!yield && unlikely(prev->fifo)) {
				/* SCHED_FIFO: preempted, it is first again at its level */
				list_del(&prev->qnode);
				list_add_head(&c->runq[prev->prio], &prev->qnode);
			}
		} else {
			sched_ready(prev);      /* its affinity changed: elsewhere */
		}
	}
	next = pick(c);
	/* a thread's slice is timed (the idle thread's not); a new slice
	 * when the last one ended (sched_tick() says so) or none was timed,
	 * else the rest of this one goes on to next (a yield, a block): a
	 * switch inside a slice reads no clock and arms no timer. A yield's
	 * rest may be too short for next to reach its user code: handed on
	 * by one (prev queued again), it is a gift, and at its end next gets
	 * a slice of its own instead of losing the CPU (sched_tick()) */
	bool gift = false;
	if (next == &c->idle) {
		c->slice_end = UINT64_MAX;        /* an early timer is harmless */
	} else if (c->slice_end == UINT64_MAX) {
		c->slice_end = clock_ns() + SLICE_NS;
		clock_program();
	} else {
		gift = prev->state == TS_READY;
	}
	if (next == prev) {
		prev->state = TS_RUNNING;
		return;
	}
	c->slice_gift = gift;
	if (prev == &c->idle)
		prev->state = TS_READY;
	c->switches++;
	if (mp)
		sched_switch_cpu(c, next);
	else
		sched_switch_on(c, next, false, false);
	/* back on prev's stack, maybe on another CPU, maybe switched to by a
	 * fast path: the lock whole again for what follows; whatever the last
	 * thread left behind (its own stack, if it died) can go now */
	klock();
	if (kobj_reap_pending)
		kobj_reap();
}

void schedule(void)
{
	if (ncpus == 1)
		schedule_on(false, false);
	else
		schedule_on(true, false);
}

/* SYS_YIELD(0): the same, and a SCHED_FIFO thread goes last at its level */
void sched_yield_now(void)
{
	if (ncpus == 1)
		schedule_on(false, true);
	else
		schedule_on(true, true);
}

/* Runs t here at once (direct), or makes it ready (on a CPU it may run
 * on) and lets the scheduler choose; current is queued or blocked. Back
 * with the lock whole: a fast path may have switched back to us. */
static void hand_over(struct thread *t, bool direct)
{
	if (!direct) {
		sched_ready(t);
		schedule();
		return;
	}
	sched_switch_inline(t);
	klock();
}

void sched_preempt_to(struct thread *t)
{
	struct cpu *c = this_cpu();
	struct thread *self = c->cur;

	if (list_linked(&t->tnode))
		list_del(&t->tnode);
	t->deadline = 0;
	t->block = BK_NONE;
	t->wait_obj = NULL;
	self->state = TS_READY;
	list_add_head(&c->runq[self->prio], &self->qnode);   /* first again at its level */
	self->cpu = (uint8_t)c->id;
	runq_mark(c, self->prio);
	c->nready++;
	c->work.b.resched = 0;
	if (c->slice_end == UINT64_MAX) {     /* time the slice of whoever runs now */
		c->slice_end = clock_ns() + SLICE_NS;
		clock_program();
	}
	hand_over(t, sched_runs_here(t));
}

void sched_switch_to(struct thread *t)
{
	sched_need_resched = false;
	hand_over(t, sched_runs_here(t) && likely(!current->upcall_pending) &&
		     !sched_ready_above(this_cpu(), t->prio));
}

void sched_timeouts_changed(struct cpu *c)
{
	uint64_t n = timer_first(c);

	if (!list_empty(&c->sleepers)) {
		struct thread *t = list_entry(c->sleepers.next, struct thread, tnode);
		if (t->deadline < n)
			n = t->deadline;
	}
	c->timeout_next = n;
	if (c == this_cpu())
		clock_program();
}

static void timeout_insert(struct thread *t)
{
	struct cpu *c = this_cpu();
	struct list *pos = &c->sleepers;

	list_for_each(it, &c->sleepers) {
		struct thread *o = list_entry(it, struct thread, tnode);
		if (o->deadline > t->deadline) {
			pos = it;
			break;
		}
	}
	list_add_between(&t->tnode, pos->prev, pos);
	if (t->deadline < c->timeout_next)
		sched_timeouts_changed(c);
}

err_t sched_block(enum block_kind kind, void *obj, uint64_t timeout_ns)
{
	struct thread *t = current;

	t->state = TS_BLOCKED;
	t->block = kind;
	t->wait_obj = obj;
	t->wake_err = ERR_OK;
	if (timeout_ns != CAIRN_FOREVER) {
		uint64_t now = clock_ns();
		t->deadline = timeout_ns > UINT64_MAX - now ? UINT64_MAX : now + timeout_ns;
		timeout_insert(t);
	}
	schedule();
	return t->wake_err;
}

void sched_wake(struct thread *t, err_t err)
{
	if (list_linked(&t->tnode))
		list_del(&t->tnode);
	t->deadline = 0;
	t->wake_err = err;
	t->block = BK_NONE;
	t->wait_obj = NULL;
	sched_ready(t);
}

void sched_dequeue(struct thread *t)
{
	if (t->state == TS_READY && !t->on_cpu)
		runq_remove(t);
	else if (list_linked(&t->qnode))
		list_del(&t->qnode);
	if (list_linked(&t->tnode))
		list_del(&t->tnode);
}

void sched_kick(struct thread *t)
{
	struct cpu *c = this_cpu();

	if (t == c->cur)
		c->work.b.resched = 1;
	else if (t->on_cpu)
		smp_send(&cpus[t->cpu], IPI_RESCHED);
}

void sched_kick_sync(struct thread *t)
{
	struct cpu *c = this_cpu();

	if (t == c->cur)
		c->work.b.resched = 1;
	else if (t->on_cpu)
		smp_kick_sync(&cpus[t->cpu]);
}

void sched_set_affinity(struct thread *t, uint64_t mask)
{
	t->affinity = mask;
	if (t->state == TS_READY && !t->on_cpu && !sched_runs_on(t, &cpus[t->cpu])) {
		runq_remove(t);
		sched_ready(t);
	} else if (t->on_cpu && !sched_runs_on(t, &cpus[t->cpu])) {
		sched_kick(t);          /* it moves when its CPU next schedules */
	}
}

void sched_tick(void)
{
	struct cpu *c = this_cpu();
	uint64_t now = clock_ns();

	while (!list_empty(&c->sleepers)) {
		struct thread *t = list_entry(c->sleepers.next, struct thread, tnode);
		if (t->deadline > now)
			break;
		list_del(&t->tnode);
		if (list_linked(&t->qnode))
			list_del(&t->qnode);
		sched_wake(t, ERR_TIMEDOUT);
	}
	sched_timer_check(c, now);
	sched_timeouts_changed(c);
	if (now >= c->slice_end) {
		/* the slice is over: the next thread of its priority (or a
		 * more urgent one) runs; only less urgent ones wait: time on */
		if (c->cur != &c->idle && !c->cur->fifo && runq_any_from(c, c->cur->prio) && !c->slice_gift) {
			c->work.b.resched = 1;
			c->slice_end = UINT64_MAX;      /* schedule() times the next one */
		} else {
			c->slice_end = c->cur != &c->idle ? now + SLICE_NS : UINT64_MAX;
		}
		c->slice_gift = 0;
	}
}

void sched_return_work(void)
{
	kdump_poll();
	if (sched_need_resched || current->state != TS_RUNNING)
		schedule();
	sched_work.b.reap = 0;
	if (kobj_reap_pending)          /* every system call with work comes here */
		kobj_reap();
}

uint64_t sched_return_to_user(bool partial, uint64_t r)
{
	struct thread *t = current;

	if (t->suspend_pending) {        /* suspended while it was blocked */
		t->suspend_pending = 0;
		t->state = TS_SUSPENDED;
		schedule();
	}
	if (t->upcall_pending)
		r = upcall_deliver(partial, r);
	return r;
}

void sched_user_return(void)
{
	sched_return_work();
	sched_return_to_user(false, 0);
}

/* Something for this CPU to run: its own queues, or another CPU's. */
static bool work_for(struct cpu *c)
{
	return runq_any(c) || (ncpus > 1 && stealable(c));
}

noreturn void sched_run(void)
{
	struct cpu *c = this_cpu();

	arch_irq_disable();
	klock();
	for (;;) {
		kobj_reap();
		kdump_poll();
		if (work_for(c)) {
			schedule();
			continue;
		}
		/* nothing to run: wait without the lock; a thread made ready
		 * here meanwhile comes with an IPI, which ends the wait */
		c->idle_since = clock_ns();
		c->idling = 1;
		kunlock();
		arch_wait_for_interrupt();
		arch_irq_enable();
		arch_irq_disable();
		klock();
		c->idling = 0;
		c->idle_ns += clock_ns() - c->idle_since;
	}
}
