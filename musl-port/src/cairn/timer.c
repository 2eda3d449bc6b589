/* SPDX-License-Identifier: MIT */
/*
 * POSIX timers: timer_create, timer_settime, timer_gettime,
 * timer_getoverrun, timer_delete are the process server's PS_TIMER_*
 * (include/cairn/posix.h), which keeps each process's timers on its one
 * kernel Timer and raises their signals (si_code SI_TIMER, si_value,
 * si_timerid, si_overrun: signal.c's fill_info).
 *
 * musl's own timer_create turns SIGEV_THREAD into SIGEV_THREAD_ID: a
 * helper thread that blocks SIGTIMER (32) and waits for it in
 * sigwaitinfo, then calls the function; its timer_delete wakes the helper
 * with tkill. Both reach the helper itself: the server keeps a
 * SIGEV_THREAD_ID signal (and a tkill of a signal the thread blocks,
 * thread.c) for that thread's sigwaitinfo, so each helper gets its own
 * timer's signals and SIGTIMER never reaches the process (whose default
 * action for it would end it).
 *
 * Clocks: CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME, and the
 * CPU-time clocks: the process's, the calling thread's, another thread's
 * of ours (pthread_getcpuclockid) or another process's
 * (clock_getcpuclockid); the server looks at them when they could reach
 * the deadline (to the millisecond, user/servers/proc/timer.c). Others
 * EINVAL.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <time.h>
#include "syscall.h"
#include "pthread_impl.h"
#include "cairn_impl.h"

#define NSEC      1000000000ull
#define TIME_MAX  (UINT64_MAX / 2)      /* the server's limit: later is never */

/* The kernel's struct sigevent, as musl's timer_create passes it. */
struct ksigevent {
	union sigval sigev_value;
	int sigev_signo;
	int sigev_notify;
	int sigev_tid;
};

_Static_assert(SI_TIMER == POSIX_SI_TIMER && SIGEV_SIGNAL == POSIX_SIGEV_SIGNAL &&
	       SIGEV_NONE == POSIX_SIGEV_NONE && SIGEV_THREAD_ID == POSIX_SIGEV_THREAD_ID &&
	       TIMER_ABSTIME == POSIX_TIMER_ABSTIME && CLOCK_BOOTTIME == POSIX_CLOCK_BOOTTIME &&
	       CLOCK_PROCESS_CPUTIME_ID == POSIX_CLOCK_PROCESS_CPUTIME_ID, "timer numbers");

static long ps(uint32_t label, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3,
	       struct cairn_ans *a)
{
	return cairn_errno(__cairn_ipc(__cairn_proc, label, w0, w1, w2, w3, 0, 0, IPC_ALWAYS, a));
}

/* A timespec of timer_settime as ns (past TIME_MAX: TIME_MAX); -EINVAL
 * for a negative time or tv_nsec outside 0..999999999. */
static long ts_ns(const struct timespec *ts, uint64_t *ns)
{
	if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= (long)NSEC)
		return -EINVAL;
	if ((uint64_t)ts->tv_sec >= TIME_MAX / NSEC)
		*ns = TIME_MAX;
	else
		*ns = (uint64_t)ts->tv_sec * NSEC + (uint64_t)ts->tv_nsec;
	return 0;
}

static void ns_ts(uint64_t ns, struct timespec *ts)
{
	ts->tv_sec = (time_t)(ns / NSEC);
	ts->tv_nsec = (long)(ns % NSEC);
}

long __cairn_timer_create(long clk, const void *sevp, int *id)
{
	const struct ksigevent *sev = sevp;
	/* no sigevent: SIGALRM with the timer's id as si_value (Linux) */
	uint64_t notify = SIGEV_SIGNAL, flags = POSIX_TIMER_VALUE_ID, sig = SIGALRM, tid = 0;
	uint64_t value = 0;
	struct cairn_ans a;
	long r;

	if (__cairn_proc == CAP_NULL)
		return __cairn_nosys(SYS_timer_create);
	/* the calling thread's CPU clock, named for the server (Linux's
	 * encoding of pthread_getcpuclockid's) */
	if (clk == CLOCK_THREAD_CPUTIME_ID)
		clk = (long)(-(long)__pthread_self()->tid - 1) * 8 + 6;
	if (sev) {
		notify = (uint32_t)sev->sigev_notify;
		sig = (uint32_t)sev->sigev_signo;
		value = (uint64_t)(uintptr_t)sev->sigev_value.sival_ptr;
		flags = 0;
		/* the thread must be one of ours (the server knows no threads) */
		if (sev->sigev_notify == SIGEV_THREAD_ID) {
			if (!__cairn_tid_live(sev->sigev_tid))
				return -EINVAL;
			tid = (uint32_t)sev->sigev_tid;
		}
	}
	r = ps(PS_TIMER_CREATE, (uint64_t)(int64_t)clk, notify | flags << 32, sig | tid << 32, value, &a);
	if (r)
		return r;
	*id = (int)a.w[0];
	return 0;
}

long __cairn_timer_settime(long id, long flags, const void *new, void *old)
{
	const struct itimerspec *v = new;
	struct itimerspec *o = old;
	uint64_t value, interval;
	struct cairn_ans a;
	long r;

	if (__cairn_proc == CAP_NULL)
		return __cairn_nosys(SYS_timer_settime);
	if (!v)
		return -EFAULT;
	if ((r = ts_ns(&v->it_value, &value)) || (r = ts_ns(&v->it_interval, &interval)))
		return r;
	if ((r = ps(PS_TIMER_SET, (uint64_t)id, (uint64_t)flags, value, interval, &a)))
		return r;
	if (o) {
		ns_ts(a.w[0], &o->it_value);
		ns_ts(a.w[1], &o->it_interval);
	}
	return 0;
}

/* PS_TIMER_GET: (time left, interval, overrun) */
static long timer_get(long id, struct cairn_ans *a)
{
	if (__cairn_proc == CAP_NULL)
		return __cairn_nosys(SYS_timer_gettime);
	return ps(PS_TIMER_GET, (uint64_t)id, 0, 0, 0, a);
}

long __cairn_timer_gettime(long id, void *cur)
{
	struct itimerspec *c = cur;
	struct cairn_ans a;
	long r;

	if ((r = timer_get(id, &a)))
		return r;
	ns_ts(a.w[0], &c->it_value);
	ns_ts(a.w[1], &c->it_interval);
	return 0;
}

long __cairn_timer_getoverrun(long id)
{
	struct cairn_ans a;
	long r;

	if ((r = timer_get(id, &a)))
		return r;
	return (long)a.w[2];
}

long __cairn_timer_delete(long id)
{
	if (__cairn_proc == CAP_NULL)
		return __cairn_nosys(SYS_timer_delete);
	return ps(PS_TIMER_DELETE, (uint64_t)id, 0, 0, 0, NULL);
}
