// SPDX-License-Identifier: MIT
/*
 * Timer: signals a Notification at a deadline, once or periodically
 * (manage right for both methods). An armed timer is on the list of the
 * CPU that armed it (struct cpu.timers, sorted by deadline), whose timer
 * interrupt comes at the first deadline (kernel/sched.c, clock_program()):
 * deadlines are kept to the nanosecond, as the hardware timer allows.
 */
#include <kernel/method.h>

struct ktimer {
	struct kobj obj;
	struct notification *n;
	uint64_t bits, deadline, period;
	struct list node;
};

#define TIMER_MIN_PERIOD_NS 100000ull

#define TIMER(iv) ((struct ktimer *)(iv)->obj)

struct kobj *timer_create(struct quota *q)
{
	struct ktimer *t = kobj_alloc(OBJ_TIMER, sizeof(*t), q);

	if (t)
		list_init(&t->node);
	return t ? &t->obj : NULL;
}

static void timer_cancel(struct ktimer *t)
{
	if (list_linked(&t->node))
		list_del(&t->node);
	if (t->n)
		kobj_put(&t->n->obj);
	t->n = NULL;
}

void timer_destroy(struct kobj *o)
{
	timer_cancel((struct ktimer *)o);
}

static void timer_insert(struct cpu *c, struct ktimer *t)
{
	struct list *pos = &c->timers;

	list_for_each(it, &c->timers) {
		if (list_entry(it, struct ktimer, node)->deadline > t->deadline) {
			pos = it;
			break;
		}
	}
	list_add_between(&t->node, pos->prev, pos);
}

uint64_t timer_first(struct cpu *c)
{
	return list_empty(&c->timers) ? UINT64_MAX
				      : list_entry(c->timers.next, struct ktimer, node)->deadline;
}

void sched_timer_check(struct cpu *c, uint64_t now)
{
	while (!list_empty(&c->timers)) {
		struct ktimer *t = list_entry(c->timers.next, struct ktimer, node);
		if (t->deadline > now)
			break;
		notify_signal(t->n, t->bits);
		if (t->period) {
			while (t->deadline <= now)
				t->deadline += t->period;
			list_del(&t->node);
			timer_insert(c, t);
		} else {
			timer_cancel(t);
		}
	}
}

/* ---- TIMER_SET: cap0 = Notification, (bits, deadline_ns, period_ns) --------------- */

struct timer_set_args {
	struct notification *n;
};

static err_t timer_decode_set(struct invocation *iv)
{
	struct timer_set_args *a = METHOD_ARGS(struct timer_set_args, iv);
	err_t e;

	if ((e = method_notification(iv, &a->n)))
		return e;
	if (iv->in->w[2] && iv->in->w[2] < TIMER_MIN_PERIOD_NS)
		return ERR_INVAL;
	return ERR_OK;
}

/* Re-arms: whatever the timer was set to before is cancelled. */
static void timer_invoke_set(struct invocation *iv)
{
	struct timer_set_args *a = METHOD_ARGS(struct timer_set_args, iv);
	struct ktimer *t = TIMER(iv);

	timer_cancel(t);
	kobj_get(&a->n->obj);
	t->n = a->n;
	t->bits = iv->in->w[0];
	t->deadline = iv->in->w[1];
	t->period = iv->in->w[2];
	timer_insert(this_cpu(), t);
	if (t->deadline < this_cpu()->timeout_next)
		sched_timeouts_changed(this_cpu());
}

static void timer_invoke_cancel(struct invocation *iv)
{
	timer_cancel(TIMER(iv));
}

#define METHODS_FIRST TIMER_SET
static const struct method methods[] = {
	METHOD(TIMER_SET, RIGHT_MANAGE, 0, timer_decode_set, timer_invoke_set),
	METHOD(TIMER_CANCEL, RIGHT_MANAGE, 0, NULL, timer_invoke_cancel),
};

METHOD_TABLE(timer_methods, methods, NULL);
