// SPDX-License-Identifier: MIT
/*
 * Timer: signals a Notification at a deadline, once or periodically
 * (manage right for both methods). Armed timers are on one list that the
 * clock tick checks (sched_timer_check()), so deadlines have the tick's
 * resolution.
 */
#include <kernel/method.h>

struct ktimer {
	struct kobj obj;
	struct notification *n;
	uint64_t bits, deadline, period;
	struct list node;
};

#define TIMER_MIN_PERIOD_NS 100000ull

static struct list timers = LIST_INIT(timers);

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

void sched_timer_check(uint64_t now)
{
	list_for_each_safe(it, nx, &timers) {
		struct ktimer *t = list_entry(it, struct ktimer, node);
		if (t->deadline > now)
			continue;
		notify_signal(t->n, t->bits);
		if (t->period) {
			while (t->deadline <= now)
				t->deadline += t->period;
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
	list_add_tail(&timers, &t->node);
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
