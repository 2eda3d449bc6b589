// SPDX-License-Identifier: MIT
/*
 * The scheduler: fixed priorities 0..31, round robin with a time slice of
 * TIME_SLICE_TICKS ticks within a priority, preemption when a higher
 * priority thread becomes ready or a slice ends (checked when returning
 * to user mode). Timeouts are a list sorted by deadline, checked on each
 * tick. The boot CPU's own context becomes the idle thread.
 *
 * Threads run on the boot CPU; kernel code runs with interrupts off, so
 * the queues need no lock (see kernel/object.h).
 */
#include <kernel/thread.h>
#include <kernel/memory.h>
#include <kernel/clock.h>
#include <kernel/log.h>

struct thread *current;
struct thread sched_idle_thread;
#define idle_thread sched_idle_thread
static struct list runq[NPRIO];
static uint32_t runq_bitmap;
static struct list sleepers = LIST_INIT(sleepers);
union sched_work sched_work;
struct aspace *sched_active_as;

void sched_init(void)
{
	for (unsigned i = 0; i < NPRIO; i++)
		list_init(&runq[i]);
	list_init(&idle_thread.qnode);
	list_init(&idle_thread.tnode);
	idle_thread.state = TS_RUNNING;
	current = &idle_thread;
}

static void runq_add(struct thread *t)
{
	list_add_tail(&runq[t->prio], &t->qnode);
	runq_bitmap |= 1u << t->prio;
}

static void runq_remove(struct thread *t)
{
	list_del(&t->qnode);
	if (list_empty(&runq[t->prio]))
		runq_bitmap &= ~(1u << t->prio);
}

void sched_ready(struct thread *t)
{
	t->state = TS_READY;
	runq_add(t);
	if (current == &idle_thread || t->prio > current->prio)
		sched_need_resched = true;
}

/* Index of the highest set bit of a non-zero word (no clz instruction is
 * assumed: riscv64 without Zbb). */
static inline unsigned highest_bit(uint32_t x)
{
	unsigned n = 0;

	if (x >> 16) { n += 16; x >>= 16; }
	if (x >> 8) { n += 8; x >>= 8; }
	if (x >> 4) { n += 4; x >>= 4; }
	if (x >> 2) { n += 2; x >>= 2; }
	return n + (x >> 1);
}

static struct thread *pick(void)
{
	if (!runq_bitmap)
		return &idle_thread;
	unsigned prio = highest_bit(runq_bitmap);
	struct thread *t = list_entry(runq[prio].next, struct thread, qnode);
	runq_remove(t);
	return t;
}

struct arch_context *sched_current_context(void)
{
	return &current->ctx;
}

void sched_as_gone(struct aspace *as)
{
	if (sched_active_as == as) {
		arch_as_activate(kernel_root);
		sched_active_as = NULL;
	}
}

static void switch_to(struct thread *next)
{
	sched_switch_inline(next);
}

void schedule(void)
{
	struct thread *prev = current;
	struct thread *next;

	sched_need_resched = false;
	if (prev->state == TS_RUNNING && prev != &idle_thread)
		sched_ready(prev);
	next = pick();
	if (next == prev) {
		/* alone at its level: a new slice, or nothing would ever end it
		 * for a thread of its priority that becomes ready later */
		prev->state = TS_RUNNING;
		if (prev->slice == 0)
			prev->slice = TIME_SLICE_TICKS;
		return;
	}
	if (prev == &idle_thread)
		prev->state = TS_READY;
	switch_to(next);
	/* back on prev's stack: whatever the last thread left behind (its own
	 * stack, if it died) can go now */
	if (kobj_reap_pending)
		kobj_reap();
}

void sched_preempt_to(struct thread *t)
{
	struct thread *self = current;

	if (list_linked(&t->tnode))
		list_del(&t->tnode);
	t->deadline = 0;
	t->block = BK_NONE;
	t->wait_obj = NULL;
	self->state = TS_READY;
	list_add_head(&runq[self->prio], &self->qnode);   /* first again at its level */
	runq_bitmap |= 1u << self->prio;
	sched_need_resched = false;
	sched_switch_inline(t);
}

void sched_switch_to(struct thread *t)
{
	sched_need_resched = false;
	switch_to(t);
}

static void timeout_insert(struct thread *t)
{
	struct list *pos = &sleepers;

	list_for_each(it, &sleepers) {
		struct thread *o = list_entry(it, struct thread, tnode);
		if (o->deadline > t->deadline) {
			pos = it;
			break;
		}
	}
	list_add_between(&t->tnode, pos->prev, pos);
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
	if (t->state == TS_READY && t != current)
		runq_remove(t);
	else if (list_linked(&t->qnode))
		list_del(&t->qnode);
	if (list_linked(&t->tnode))
		list_del(&t->tnode);
}

void sched_tick(void)
{
	uint64_t now = clock_ns();

	while (!list_empty(&sleepers)) {
		struct thread *t = list_entry(sleepers.next, struct thread, tnode);
		if (t->deadline > now)
			break;
		list_del(&t->tnode);
		if (list_linked(&t->qnode))
			list_del(&t->qnode);
		sched_wake(t, ERR_TIMEDOUT);
	}
	sched_timer_check(now);
	if (current != &idle_thread && current->slice && --current->slice == 0)
		sched_need_resched = true;
}

void sched_return_work(void)
{
	if (sched_need_resched || current->state != TS_RUNNING)
		schedule();
	sched_work.b.reap = 0;
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

noreturn void sched_run(void)
{
	arch_irq_disable();
	for (;;) {
		kobj_reap();
		if (runq_bitmap) {
			schedule();
			continue;
		}
		arch_wait_for_interrupt();
		arch_irq_enable();
		arch_irq_disable();
	}
}
