/* SPDX-License-Identifier: MIT */
/*
 * Clocks and sleeping. The time comes without a system call: KINFO_CLOCK
 * (asked once, on the capability named "kinfo") gives the scale, and
 * ns = counter * mult >> 32 with the counter read in user mode (rdtime on
 * riscv64, rdtsc on x86-64), exactly as the kernel computes its clock;
 * KINFO_TIME is the fallback if the scale is unknown. CLOCK_REALTIME (and
 * its variants, CLOCK_TAI) is that plus KINFO_CLOCK's real-time offset, which
 * the kernel takes from the platform's real-time clock at boot (the
 * Goldfish RTC of riscv64 virt, x86's CMOS clock); on a board without one
 * the offset is 0 and it counts from boot as if boot were the epoch. The
 * offset is read from the kernel's clock page (KINFO_CLOCK_PAGE, mapped
 * the first time it is needed, shared with a fork's child), so when
 * settimeofday or clock_settime(CLOCK_REALTIME) moves it (PS_SETTIME to
 * the process server, uid 0 only) every process follows at once; an
 * absolute clock_nanosleep of CLOCK_REALTIME looks at the clock every
 * 100 ms, so it ends when the clock so set says (futex and condition
 * variable deadlines do not: they become relative when they start).
 * CPU-time clocks are the kernel's counts of each thread's time
 * (cpu_clock, below), as are times() and getrusage().
 * Sleeping waits on this process's Notification with a timeout (a signal
 * handler's end signals it: the sleep ends with EINTR); the kernel's timeouts have the tick's resolution, and
 * the sleep goes on until the clock says the time has passed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <time.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/times.h>
#include "cairn_impl.h"
#include "cairn_arch.h"

#define NSEC 1000000000ull
#define REALTIME_SLICE (100000000ull)   /* an absolute CLOCK_REALTIME sleep looks again */

static cap_t kinfo = CAP_NULL;
static int kinfo_looked_up;
static uint64_t clock_mult;       /* KINFO_CLOCK: ns = counter * mult >> 32 */
static uint64_t realtime_offset;  /* KINFO_CLOCK: CLOCK_REALTIME - CLOCK_MONOTONIC */
static int clock_asked;
static const struct cairn_clock_page *clock_page;   /* the kernel's, once mapped */
static volatile int page_tried;

err_t __cairn_now(uint64_t *ns)
{
	struct cairn_msg m;
	err_t e;

	if (!kinfo_looked_up) {
		kinfo = cairn_cap("kinfo");
		kinfo_looked_up = 1;
	}
	if (kinfo == CAP_NULL)
		return ERR_NOENT;
	if (!clock_mult && !clock_asked) {
		clock_asked = 1;
		if (!cairn_invoke(kinfo, KINFO_CLOCK, 0, 0, 0, 0, 0, &m)) {
			clock_mult = m.w[0];
			realtime_offset = m.w[2];
		}
	}
	if (clock_mult) {
		uint64_t counter = cairn_arch_counter();

		*ns = (uint64_t)(((unsigned __int128)counter * clock_mult) >> 32);
		return ERR_OK;
	}
	if ((e = cairn_invoke(kinfo, KINFO_TIME, 0, 0, 0, 0, 0, &m)))
		return e;
	*ns = m.w[0];
	return ERR_OK;
}

/* Waits on this process's Notification (which nothing signals but a
 * signal handler's end and poll's arms) for ns; ERR_INTR when a handler
 * ran on this thread since the sleep began (count: its count then). */
static err_t wait_ns(uint64_t ns, unsigned long count)
{
	cap_t note = __cairn_note();
	err_t e;

	if (note == CAP_NULL)
		return ERR_NOMEM;
	if (count != __cairn_sig_self()->count)
		return ERR_INTR;
	e = cairn_wait(note, ns, NULL);
	if (e == ERR_INTR || count != __cairn_sig_self()->count)
		return ERR_INTR;
	return e == ERR_TIMEDOUT ? ERR_OK : e;
}

err_t __cairn_sleep(uint64_t ns)
{
	unsigned long count = __cairn_sig_self()->count;
	uint64_t now, deadline;
	err_t e;

	if (!ns)
		return ERR_OK;
	if (ns == CAIRN_FOREVER || __cairn_now(&now)) {
		do
			e = wait_ns(ns, count);
		while (!e && ns == CAIRN_FOREVER);   /* only a signal handler ends this */
		return e;
	}
	deadline = now + ns < now ? CAIRN_FOREVER - 1 : now + ns;
	while (now < deadline) {
		if ((e = wait_ns(deadline - now, count)))
			return e;
		if ((e = __cairn_now(&now)))
			return e;
	}
	return ERR_OK;
}

/* Maps the kernel's clock page (one thread does; the others use
 * KINFO_CLOCK's offset until it is there). */
static void map_clock_page(void)
{
	struct cairn_msg m;
	void *va;

	if (kinfo == CAP_NULL || __atomic_exchange_n(&page_tried, 1, __ATOMIC_ACQ_REL))
		return;
	if (cairn_invoke(kinfo, KINFO_CLOCK_PAGE, 0, 0, 0, 0, 0, &m))
		return;
	if (cairn_map(m.w[0], 0, 1, CAIRN_PROT_R | CAIRN_PROT_SHARE, &va)) {
		cairn_cap_delete(m.w[0]);
		return;
	}
	__atomic_store_n(&clock_page, (const struct cairn_clock_page *)va, __ATOMIC_RELEASE);
}

uint64_t __cairn_realtime_offset(void)
{
	const struct cairn_clock_page *p = __atomic_load_n(&clock_page, __ATOMIC_ACQUIRE);
	uint64_t ns;

	if (p)
		return __atomic_load_n(&p->realtime_offset, __ATOMIC_ACQUIRE);
	__cairn_now(&ns);       /* asks KINFO_CLOCK the first time */
	if (!page_tried) {
		map_clock_page();
		if ((p = __atomic_load_n(&clock_page, __ATOMIC_ACQUIRE)))
			return __atomic_load_n(&p->realtime_offset, __ATOMIC_ACQUIRE);
	}
	return realtime_offset;
}

static int is_realtime(long clk)
{
	return clk == CLOCK_REALTIME || clk == CLOCK_REALTIME_COARSE || clk == CLOCK_REALTIME_ALARM ||
	       clk == CLOCK_TAI;
}

/* The clocks this process can read: the time since boot, and for the
 * real-time ones that plus the real-time offset. */
static long check_clock(long clk)
{
	switch (clk) {
	case CLOCK_REALTIME: case CLOCK_MONOTONIC: case CLOCK_MONOTONIC_RAW:
	case CLOCK_REALTIME_COARSE: case CLOCK_MONOTONIC_COARSE: case CLOCK_BOOTTIME:
	case CLOCK_REALTIME_ALARM: case CLOCK_BOOTTIME_ALARM: case CLOCK_TAI:
		return 0;
	default:
		return -EINVAL;
	}
}

static long now_or_say(uint64_t *ns);

/*
 * CPU-time clocks: the kernel counts each thread's time at every switch
 * (kernel time spent for it included: no user/system split). The
 * process's: PROC_TIMES on its own Process; a thread's: THREAD_GET_TIME;
 * another process's (clock_getcpuclockid: (-pid - 1) * 8 + 2, Linux's
 * encoding): the process server's PS_TIMES; a thread's of ours
 * (pthread_getcpuclockid: (-tid - 1) * 8 + 6). 1 if clk is one (then *ns
 * or the error in *r), else 0.
 */
static int cpu_clock(long clk, uint64_t *ns, long *r)
{
	struct cairn_msg m;
	struct cairn_ans a;
	err_t e;

	*r = 0;
	if (clk == CLOCK_PROCESS_CPUTIME_ID || (clk < 0 && (clk & 7) != 6 &&
						 ~(clk >> 3) == __cairn_getpid())) {
		if ((e = cairn_invoke(SLOT_SELF_PROC, PROC_TIMES, 0, 0, 0, 0, 0, &m)))
			*r = cairn_errno(e);
		*ns = m.w[0];
		return 1;
	}
	if (clk == CLOCK_THREAD_CPUTIME_ID || (clk < 0 && (clk & 7) == 6)) {
		cap_t th = __cairn_thread_cap(clk == CLOCK_THREAD_CPUTIME_ID ? 0 : ~(clk >> 3));
		if (th == CAP_NULL)
			*r = -EINVAL;
		else if ((e = cairn_invoke(th, THREAD_GET_TIME, 0, 0, 0, 0, 0, &m)))
			*r = cairn_errno(e);
		*ns = m.w[0];
		return 1;
	}
	if (clk < 0 && (clk & 7) <= 2) {
		if (__cairn_proc == CAP_NULL)
			*r = -EINVAL;
		else if ((e = __cairn_ipc(__cairn_proc, PS_TIMES, (uint64_t)~(clk >> 3), 0, 0, 0, 0, 0,
					  IPC_ALWAYS, &a)))
			*r = e == ERR_SRCH ? -EINVAL : cairn_errno(e);
		*ns = a.w[0];
		return 1;
	}
	return 0;
}

/* times(): the process's CPU time as user time, its waited-for
 * children's too (no system time apart), in clock ticks (100 Hz, as
 * sysconf(_SC_CLK_TCK)); the ticks since boot */
long __cairn_times(void *out)
{
	struct tms *t = out;
	struct cairn_ans a;
	uint64_t now, self = 0, kids = 0;
	long r;

	if ((r = now_or_say(&now)))
		return r;
	if (t) {
		if (__cairn_proc != CAP_NULL &&
		    !__cairn_ipc(__cairn_proc, PS_TIMES, 0, 0, 0, 0, 0, 0, IPC_ALWAYS, &a)) {
			self = a.w[0];
			kids = a.w[1];
		} else {
			cpu_clock(CLOCK_PROCESS_CPUTIME_ID, &self, &r);
		}
		*t = (struct tms){ .tms_utime = (clock_t)(self / (NSEC / 100)),
				   .tms_cutime = (clock_t)(kids / (NSEC / 100)) };
	}
	return (long)(now / (NSEC / 100));
}

/* getrusage: RUSAGE_SELF (the process's CPU time), RUSAGE_THREAD, and
 * RUSAGE_CHILDREN (the children it waited for); all of it user time;
 * ru_maxrss the memory charged to the process now (PROC_QUOTA, KiB; 0
 * for children); the other counts 0 */
long __cairn_getrusage(long who, void *out)
{
	struct rusage *ru = out;
	struct cairn_ans a;
	struct cairn_msg m;
	uint64_t ns = 0;
	long r = 0;

	switch (who) {
	case RUSAGE_SELF:
		cpu_clock(CLOCK_PROCESS_CPUTIME_ID, &ns, &r);
		break;
	case RUSAGE_THREAD:
		cpu_clock(CLOCK_THREAD_CPUTIME_ID, &ns, &r);
		break;
	case RUSAGE_CHILDREN:
		if (__cairn_proc != CAP_NULL &&
		    (r = cairn_errno(__cairn_ipc(__cairn_proc, PS_TIMES, 0, 0, 0, 0, 0, 0, IPC_ALWAYS,
						 &a))) == 0)
			ns = a.w[1];
		break;
	default:
		return -EINVAL;
	}
	if (r)
		return r;
	memset(ru, 0, sizeof(*ru));
	ru->ru_utime.tv_sec = (time_t)(ns / NSEC);
	ru->ru_utime.tv_usec = (suseconds_t)(ns % NSEC / 1000);
	if (who != RUSAGE_CHILDREN && !cairn_invoke(SLOT_SELF_PROC, PROC_QUOTA, 0, 0, 0, 0, 0, &m))
		ru->ru_maxrss = (long)(m.w[1] / 1024);
	return 0;
}

static long now_or_say(uint64_t *ns)
{
	err_t e = __cairn_now(ns);

	if (e == ERR_NOENT) {
		__cairn_unimplemented(CAIRN_UNIMP_OTHER, 1, "reading the time without a \"kinfo\" capability is");
		return -ENOSYS;
	}
	return cairn_errno(e);
}

long __cairn_clock_gettime(long clk, void *out)
{
	struct timespec *ts = out;
	uint64_t ns;
	long r;

	if (cpu_clock(clk, &ns, &r)) {
		if (r)
			return r;
	} else if ((r = check_clock(clk)) || (r = now_or_say(&ns))) {
		return r;
	} else if (is_realtime(clk)) {
		ns += __cairn_realtime_offset();
	}
	ts->tv_sec = (time_t)(ns / NSEC);
	ts->tv_nsec = (long)(ns % NSEC);
	return 0;
}

/* clock_getres: a count of the counter the clocks read (riscv64 virt's
 * 10 MHz: 100 ns; a TSC: 1 ns), the timers' resolution too (the kernel's
 * deadlines are one-shot, in counts). Without the scale: 1 ns. */
long __cairn_clock_getres(long clk, void *out)
{
	struct timespec *ts = out;
	uint64_t ns;
	long r;

	if (cpu_clock(clk, &ns, &r)) {
		if (r)
			return r;
		r = now_or_say(&ns);   /* (the scale) */
	} else if ((r = check_clock(clk)) || (r = now_or_say(&ns))) {
		return r;
	}
	if (ts) {
		ts->tv_sec = 0;
		ts->tv_nsec = clock_mult ? (long)((clock_mult + 0xffffffffull) >> 32) : 1;
	}
	return 0;
}

long __cairn_gettimeofday(void *out, void *tz)
{
	struct timeval *tv = out;
	uint64_t ns;
	long r;

	if (tv) {
		if ((r = now_or_say(&ns)))
			return r;
		ns += __cairn_realtime_offset();
		tv->tv_sec = (time_t)(ns / NSEC);
		tv->tv_usec = (suseconds_t)(ns % NSEC / 1000);
	}
	if (tz) {
		struct timezone *z = tz;
		z->tz_minuteswest = 0;
		z->tz_dsttime = 0;
	}
	return 0;
}

static int valid(const struct timespec *ts)
{
	return ts->tv_sec >= 0 && ts->tv_nsec >= 0 && (unsigned long)ts->tv_nsec < NSEC;
}

static uint64_t to_ns(const struct timespec *ts)
{
	if ((uint64_t)ts->tv_sec >= (CAIRN_FOREVER - 1) / NSEC)
		return CAIRN_FOREVER - 1;
	return (uint64_t)ts->tv_sec * NSEC + (uint64_t)ts->tv_nsec;
}

/* Sleeps until the clock reads deadline (absolute) or for ns. */
static long sleep_for(uint64_t ns, void *rem)
{
	uint64_t start = 0, now;
	int timed = !__cairn_now(&start);
	err_t e = __cairn_sleep(ns);

	if (e == ERR_INTR) {
		if (rem) {
			struct timespec *r = rem;
			uint64_t left = ns;
			if (timed && !__cairn_now(&now))
				left = now - start >= ns ? 0 : ns - (now - start);
			r->tv_sec = (time_t)(left / NSEC);
			r->tv_nsec = (long)(left % NSEC);
		}
		return -EINTR;
	}
	return cairn_errno(e);
}

long __cairn_nanosleep(const void *req, void *rem)
{
	if (!valid(req))
		return -EINVAL;
	return sleep_for(to_ns(req), rem);
}

long __cairn_clock_nanosleep(long clk, long flags, const void *req, void *rem)
{
	uint64_t want, now;
	long r;

	if (clk == CLOCK_PROCESS_CPUTIME_ID || clk == CLOCK_THREAD_CPUTIME_ID || clk < 0)
		return -EOPNOTSUPP;
	if ((r = check_clock(clk)))
		return r;
	if (!valid(req))
		return -EINVAL;
	want = to_ns(req);
	if (!(flags & TIMER_ABSTIME))
		return sleep_for(want, rem);
	if ((r = now_or_say(&now)))
		return r;
	if (!is_realtime(clk))
		return want > now ? sleep_for(want - now, NULL) : 0;
	/* CLOCK_REALTIME may be set while this sleeps (settimeofday): the
	 * sleep ends when that clock says so, looked at every REALTIME_SLICE
	 * (the deadline stays absolute: the slices add no lateness) */
	for (;;) {
		now += __cairn_realtime_offset();
		if (now >= want)
			return 0;
		if ((r = sleep_for(want - now < REALTIME_SLICE ? want - now : REALTIME_SLICE, NULL)))
			return r;
		if ((r = now_or_say(&now)))
			return r;
	}
}

/* clock_settime: only CLOCK_REALTIME is set (by the process server, for
 * every process; uid 0 only). The other clocks, and a time before 1970 or
 * from 2262 on (2^63 ns), are EINVAL, as on Linux; CPU-time clocks EPERM
 * (Linux: they can never be set). */
long __cairn_clock_settime(long clk, const void *in)
{
	const struct timespec *ts = in;
	struct cairn_ans a;

	if (clk == CLOCK_PROCESS_CPUTIME_ID || clk == CLOCK_THREAD_CPUTIME_ID)
		return -EPERM;
	if (clk != CLOCK_REALTIME)
		return -EINVAL;
	if (!valid(ts) || (uint64_t)ts->tv_sec >= (1ull << 63) / NSEC)
		return -EINVAL;
	if (__cairn_proc == CAP_NULL)
		return -EPERM;          /* a program alone: nobody to ask */
	return cairn_errno(__cairn_ipc(__cairn_proc, PS_SETTIME, (uint64_t)ts->tv_sec * NSEC +
				       (uint64_t)ts->tv_nsec, 0, 0, 0, 0, 0, IPC_ALWAYS, &a));
}

/* The settimeofday system call (musl's settimeofday() calls clock_settime). */
long __cairn_settimeofday(const void *in, const void *tz)
{
	const struct timeval *tv = in;

	(void)tz;                   /* the time zone is not kept (as Linux, mostly) */
	if (!tv)
		return 0;
	if (tv->tv_usec < 0 || tv->tv_usec >= 1000000)
		return -EINVAL;
	return __cairn_clock_settime(CLOCK_REALTIME, &(struct timespec){ .tv_sec = tv->tv_sec,
					 .tv_nsec = tv->tv_usec * 1000 });
}
