/* SPDX-License-Identifier: MIT */
/*
 * Time in the process server: ITIMER_REAL (setitimer, alarm), POSIX
 * timers (timer_create...) and the timeouts of blocked PS_SIGWAIT calls
 * share one kernel Timer, a one-shot Timer set to the earliest deadline
 * of them all (timer_rearm), which signals the exit Notification's
 * TIMER_BIT; the relay thread then calls timers_fire().
 *
 * Every deadline is an absolute time of the server's monotonic clock
 * (cairn_now_ns). CLOCK_MONOTONIC and CLOCK_BOOTTIME are that clock
 * (nothing suspends); CLOCK_REALTIME is it plus the kernel's real-time
 * offset, so an absolute CLOCK_REALTIME time becomes a monotonic one when
 * armed and moves when PS_SETTIME moves the offset (POSIX: absolute
 * timers follow the clock, relative ones do not).
 *
 * POSIX timers live in one table for all processes; a timer's id is its
 * index, and the owner is checked on every request. A timer's signal is
 * raised with its id + 1 in the siginfo (struct siginf's timer); while that
 * instance is pending another expiry only counts an overrun (POSIX), and
 * when it is taken (delivered, or by PS_SIGWAIT: signal.c's take calls
 * timer_taken) the count goes into its siginfo and becomes the one
 * timer_getoverrun tells.
 */
#include <string.h>
#include "proc.h"

#define OVERRUN_MAX 0x7fffffffu  /* DELAYTIMER_MAX: Linux's INT_MAX */
#define TIME_MAX    (UINT64_MAX / 2)

struct ptimer {
	struct proc *p;              /* owner, NULL: free */
	int pid;                     /* the owner's pid (an entry is reused by another) */
	uint8_t notify;              /* POSIX_SIGEV_* */
	bool real_abs;               /* armed with an absolute CLOCK_REALTIME time */
	int clock;
	int sig, tid;
	uint64_t value;              /* si_value */
	uint64_t at;                 /* next expiry, monotonic ns; 0: disarmed */
	uint64_t interval;           /* ns, 0: one-shot */
	uint32_t overrun;            /* expiries not signalled since the last taken */
	uint32_t overrun_last;       /* the count of the last signal taken */
};
static struct ptimer timers[MAX_TIMERS];

void timers_init(void)
{
	memset(timers, 0, sizeof(timers));
}

/* ---- the kernel Timer --------------------------------------------------------------------- */

static void earliest(uint64_t *first, uint64_t t)
{
	if (t && (!*first || t < *first))
		*first = t;
}

void timer_rearm(void)
{
	uint64_t first = 0;

	if (timer_cap == CAP_NULL)
		return;
	for (unsigned i = 0; i < MAX_PROCS; i++)
		if (procs[i].state == P_LIVE)
			earliest(&first, procs[i].alarm_at);
	/* SIGEV_NONE timers signal nothing: their expiries are computed when asked */
	for (unsigned i = 0; i < MAX_TIMERS; i++)
		if (timers[i].p && timers[i].notify != POSIX_SIGEV_NONE)
			earliest(&first, timers[i].at);
	earliest(&first, sigwaits_deadline());
	if (!first)
		cairn_invoke(timer_cap, TIMER_CANCEL, 0, 0, 0, 0, 0, NULL);
	else
		cairn_invoke_cap(timer_cap, TIMER_SET, exit_note, TIMER_BIT, first, 0, 0, NULL);
}

/* Periods of interval since *at that have come by now (at least one), and
 * *at moved past now; a one-shot timer (interval 0) is disarmed. */
static uint64_t expire(uint64_t *at, uint64_t interval, uint64_t now)
{
	uint64_t n;

	if (!interval) {
		*at = 0;
		return 1;
	}
	n = (now - *at) / interval + 1;
	*at += n * interval;
	return n;
}

static void overrun_add(struct ptimer *t, uint64_t n)
{
	t->overrun = n >= OVERRUN_MAX - t->overrun ? OVERRUN_MAX : t->overrun + (uint32_t)n;
}

/* Timer t's expiries that have come: its signal, or overruns. */
static void ptimer_fire(struct ptimer *t, uint64_t now)
{
	uint32_t id = (uint32_t)(t - timers);
	uint64_t n = expire(&t->at, t->interval, now);

	if (sig_timer_pending(t->p, t->sig, id + 1)) {
		overrun_add(t, n);
		return;
	}
	overrun_add(t, n - 1);
	sig_raise_to(t->p, t->tid, t->sig,
		     &(struct siginf){ id, POSIX_SI_TIMER, t->value, id + 1, 0 }, false);
}

void timers_fire(void)
{
	uint64_t now = cairn_now_ns();

	for (unsigned i = 0; i < MAX_PROCS; i++) {
		struct proc *p = &procs[i];
		if (p->state != P_LIVE || !p->alarm_at || p->alarm_at > now)
			continue;
		expire(&p->alarm_at, p->alarm_interval, now);
		sig_send(p, POSIX_SIGALRM, 0);
	}
	for (unsigned i = 0; i < MAX_TIMERS; i++) {
		struct ptimer *t = &timers[i];
		if (t->p && t->notify != POSIX_SIGEV_NONE && t->at && t->at <= now)
			ptimer_fire(t, now);
	}
	sigwaits_expire(now);
	timer_rearm();
}

/* ---- ITIMER_REAL -------------------------------------------------------------------------- */

err_t ps_setitimer(struct proc *c, const uint64_t w[4], uint64_t out[2])
{
	uint64_t now;

	if (w[0] != 0 || w[3] > 1)
		return ERR_INVAL;
	if (timer_cap == CAP_NULL || !(now = cairn_now_ns()))
		return ERR_NOSYS;
	out[0] = c->alarm_at ? (c->alarm_at > now ? c->alarm_at - now : 1) : 0;
	out[1] = c->alarm_interval;
	if (w[3])
		return ERR_OK;
	if (w[1] > TIME_MAX || w[2] > TIME_MAX)
		return ERR_INVAL;
	c->alarm_at = w[1] ? now + w[1] : 0;
	c->alarm_interval = w[1] ? w[2] : 0;
	timer_rearm();
	return ERR_OK;
}

/* ---- POSIX timers ------------------------------------------------------------------------- */

/* c's timer id, or NULL (EINVAL: not an id of c's). */
static struct ptimer *ptimer_of(const struct proc *c, uint64_t id)
{
	struct ptimer *t;

	if (id >= MAX_TIMERS)
		return NULL;
	t = &timers[id];
	return t->p == c && t->pid == c->pid ? t : NULL;
}

static unsigned ptimer_count(const struct proc *c)
{
	unsigned n = 0;

	for (unsigned i = 0; i < MAX_TIMERS; i++)
		n += timers[i].p == c && timers[i].pid == c->pid;
	return n;
}

/* The clocks a timer may run on; ERR_OPNOTSUPP for the CPU-time ones (not
 * kept: musl-port's clock_gettime has none either). */
static err_t clock_check(uint64_t clock)
{
	switch ((int64_t)clock) {
	case POSIX_CLOCK_REALTIME: case POSIX_CLOCK_MONOTONIC: case POSIX_CLOCK_BOOTTIME:
		return ERR_OK;
	case POSIX_CLOCK_PROCESS_CPUTIME_ID: case POSIX_CLOCK_THREAD_CPUTIME_ID:
		return ERR_OPNOTSUPP;
	default:
		/* negative: a CPU-time clock of a process or thread (Linux's encoding) */
		return (int64_t)clock < 0 && (int64_t)clock >= INT32_MIN ? ERR_OPNOTSUPP : ERR_INVAL;
	}
}

err_t ps_timer_create(struct proc *c, const uint64_t w[4], uint64_t *id)
{
	uint64_t notify = w[1] & 0xffffffffu, flags = w[1] >> 32;
	int sig = (int)(w[2] & 0xffffffffu);
	uint64_t tid = w[2] >> 32;
	err_t e;

	if ((e = clock_check(w[0])))
		return e;
	if (flags & ~(uint64_t)POSIX_TIMER_VALUE_ID)
		return ERR_INVAL;
	switch (notify) {
	case POSIX_SIGEV_NONE:
		sig = 0;
		tid = 0;
		break;
	case POSIX_SIGEV_SIGNAL:
		tid = 0;
		/* fall through */
	case POSIX_SIGEV_THREAD_ID:
		if ((w[2] & 0xffffffffu) < 1 || (w[2] & 0xffffffffu) > NSIG_MAX ||
		    (notify == POSIX_SIGEV_THREAD_ID && (!tid || tid > INT32_MAX)))
			return ERR_INVAL;
		break;
	default:
		return ERR_INVAL;
	}
	if (ptimer_count(c) >= POSIX_TIMERS_PER_PROC)
		return ERR_AGAIN;
	for (unsigned i = 0; i < MAX_TIMERS; i++) {
		struct ptimer *t = &timers[i];
		if (t->p)
			continue;
		*t = (struct ptimer){ .p = c, .pid = c->pid, .notify = (uint8_t)notify,
				      .clock = (int)w[0], .sig = sig, .tid = (int)tid,
				      .value = (flags & POSIX_TIMER_VALUE_ID) ? i : w[3] };
		*id = i;
		return ERR_OK;
	}
	return ERR_AGAIN;
}

/* The time left until t's next expiry (1: it is due, its signal not yet
 * raised), 0 if disarmed. A SIGEV_NONE timer's expiries are caught up here. */
static uint64_t ptimer_left(struct ptimer *t, uint64_t now)
{
	if (!t->at)
		return 0;
	if (t->at > now)
		return t->at - now;
	if (t->notify != POSIX_SIGEV_NONE)
		return 1;
	expire(&t->at, t->interval, now);
	return t->at ? t->at - now : 0;
}

err_t ps_timer_set(struct proc *c, const uint64_t w[4], uint64_t out[2])
{
	struct ptimer *t = ptimer_of(c, w[0]);
	uint64_t now, value = w[2], at;
	bool abs = w[1] & POSIX_TIMER_ABSTIME;

	if (!t || (w[1] & ~(uint64_t)POSIX_TIMER_ABSTIME) || value > TIME_MAX || w[3] > TIME_MAX)
		return ERR_INVAL;
	if (timer_cap == CAP_NULL || !(now = cairn_now_ns()))
		return ERR_NOSYS;
	out[0] = ptimer_left(t, now);
	out[1] = t->at ? t->interval : 0;
	if (!value) {
		at = 0;
	} else if (!abs) {
		at = now + value;
	} else {
		/* a time of the timer's clock; one already past fires at once */
		uint64_t off = t->clock == POSIX_CLOCK_REALTIME ? cairn_realtime_offset() : 0;
		at = value > off ? value - off : 1;
		if (!at)
			at = 1;
	}
	t->at = at;
	t->interval = at ? w[3] : 0;
	t->real_abs = at && abs && t->clock == POSIX_CLOCK_REALTIME;
	timer_rearm();
	return ERR_OK;
}

err_t ps_timer_get(struct proc *c, uint64_t id, uint64_t out[3])
{
	struct ptimer *t = ptimer_of(c, id);
	uint64_t now;

	if (!t)
		return ERR_INVAL;
	if (!(now = cairn_now_ns()))
		return ERR_NOSYS;
	out[0] = ptimer_left(t, now);
	out[1] = t->at ? t->interval : 0;
	out[2] = t->overrun_last;
	return ERR_OK;
}

static void ptimer_free(struct ptimer *t)
{
	if (t->sig && t->p->state == P_LIVE)
		sig_timer_drop(t->p, t->sig, (uint32_t)(t - timers) + 1);
	t->p = NULL;
}

err_t ps_timer_delete(struct proc *c, uint64_t id)
{
	struct ptimer *t = ptimer_of(c, id);

	if (!t)
		return ERR_INVAL;
	ptimer_free(t);
	timer_rearm();
	return ERR_OK;
}

void timers_free(struct proc *p)
{
	for (unsigned i = 0; i < MAX_TIMERS; i++)
		if (timers[i].p == p)
			ptimer_free(&timers[i]);
}

void timer_taken(struct proc *p, struct siginf *si, bool remove)
{
	struct ptimer *t;

	if (!si->timer || !(t = ptimer_of(p, si->timer - 1)))
		return;
	si->overrun = t->overrun;
	if (remove) {
		t->overrun_last = t->overrun;
		t->overrun = 0;
	}
}

void timers_clock_set(uint64_t old_off, uint64_t new_off)
{
	for (unsigned i = 0; i < MAX_TIMERS; i++) {
		struct ptimer *t = &timers[i];
		if (!t->p || !t->real_abs || !t->at)
			continue;
		/* the same real time is now at a monotonic time moved by old - new */
		if (new_off > old_off)
			t->at = t->at > new_off - old_off ? t->at - (new_off - old_off) : 1;
		else
			t->at += old_off - new_off;
	}
	timer_rearm();
}
