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
 * CPU-time clocks (ITIMER_VIRTUAL, ITIMER_PROF, POSIX timers on
 * CLOCK_PROCESS_CPUTIME_ID, a thread's clock or another process's) have no
 * kernel alarm: the server looks at the clock (PROC_TIMES, THREAD_GET_TIME)
 * when it could have reached the deadline at the earliest, the time left
 * divided among the threads that could run at once, at least 1 ms apart
 * (struct cpuwatch's look, one more deadline of the kernel Timer). A
 * deadline comes at most 1 ms late, never early. The kernel counts no
 * user/system split: ITIMER_VIRTUAL counts what ITIMER_PROF does (the
 * kernel's time for the process included).
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
	/* on a CPU-time clock: at is the next look, the deadline is cw's */
	bool cpu;
	int cpu_pid, cpu_tid;        /* the clock's process, and thread (0: the process's) */
	struct cpuwatch cw;
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
		if (procs[i]->state == P_LIVE) {
			earliest(&first, procs[i]->alarm_at);
			earliest(&first, procs[i]->itv[0].look);
			earliest(&first, procs[i]->itv[1].look);
		}
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

/* ---- CPU-time clocks ---------------------------------------------------------------------- */

/* The CPU time (ns) of process pid's clock (tid 0) or of its thread tid;
 * false when there is no such live process or thread. *par: how many
 * threads of it could run at once (the clock's fastest pace). */
static bool cpu_now(int pid, int tid, uint64_t *ns, unsigned *par)
{
	struct proc *p = pid > 0 ? proc_find(pid) : NULL;
	struct sthread *t;
	struct cairn_msg m;

	if (!p || p->state != P_LIVE || p->kproc == CAP_NULL)
		return false;
	if (!tid) {
		*par = 1 + p->nthreads;
		return !cairn_invoke(p->kproc, PROC_TIMES, 0, 0, 0, 0, 0, &m) && (*ns = m.w[0], true);
	}
	if (!(t = sthread_find(p, (uint64_t)tid)))
		return false;
	*par = 1;
	return !cairn_invoke(t == &p->main ? p->kthread : t->kthread, THREAD_GET_TIME, 0, 0, 0, 0,
			     0, &m) && (*ns = m.w[0], true);
}

/* The next look at a clock at cur (CPU ns) for a deadline left ahead */
static uint64_t cpu_look(uint64_t now, uint64_t left, unsigned par)
{
	uint64_t d = left / (par ? par : 1);

	return now + (d < 1000000 ? 1000000 : d);
}

/* cw looked at with its clock at cur: the expiries that came (0: none),
 * and the next look (none once disarmed) */
static uint64_t cpu_watch(struct cpuwatch *cw, uint64_t cur, unsigned par, uint64_t now)
{
	uint64_t n = 0;

	if (!cw->cpu_at) {
		cw->look = 0;
		return 0;
	}
	if (cur >= cw->cpu_at)
		n = expire(&cw->cpu_at, cw->interval, cur);
	cw->look = cw->cpu_at ? cpu_look(now, cw->cpu_at - cur, par) : 0;
	return n;
}

/* Arm cw: value ns of CPU time from cur (or, abs, the clock's time value),
 * then every interval. */
static void cpu_arm(struct cpuwatch *cw, uint64_t value, uint64_t interval, bool abs, uint64_t cur,
		    unsigned par, uint64_t now)
{
	if (!value) {
		*cw = (struct cpuwatch){ 0 };
		return;
	}
	cw->cpu_at = abs ? (value ? value : 1) : cur + value;
	cw->interval = interval;
	cw->look = cw->cpu_at > cur ? cpu_look(now, cw->cpu_at - cur, par) : now;
}

static uint64_t cpu_left(const struct cpuwatch *cw, uint64_t cur)
{
	if (!cw->cpu_at)
		return 0;
	return cw->cpu_at > cur ? cw->cpu_at - cur : 1;
}

void cpu_itimers_exec(struct proc *p)
{
	uint64_t cur;
	unsigned par;

	if (!cpu_now(p->pid, 0, &cur, &par))
		return;
	for (int i = 0; i < 2; i++)
		if (p->itv[i].cpu_at)
			p->itv[i].cpu_at = p->itv[i].cpu_at > cur ? p->itv[i].cpu_at - cur : 1;
}

static void overrun_add(struct ptimer *t, uint64_t n)
{
	t->overrun = n >= OVERRUN_MAX - t->overrun ? OVERRUN_MAX : t->overrun + (uint32_t)n;
}

/* Timer t's n expiries that have come: its signal, or overruns. */
static void ptimer_signal(struct ptimer *t, uint64_t n)
{
	uint32_t id = (uint32_t)(t - timers);

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
		struct proc *p = procs[i];
		if (p->state != P_LIVE)
			continue;
		for (int k = 0; k < 2; k++) {
			uint64_t cur;
			unsigned par;
			if (!p->itv[k].look || p->itv[k].look > now)
				continue;
			if (!cpu_now(p->pid, 0, &cur, &par))
				p->itv[k] = (struct cpuwatch){ 0 };
			else if (cpu_watch(&p->itv[k], cur, par, now))
				sig_send(p, k ? POSIX_SIGPROF : POSIX_SIGVTALRM, 0);
		}
		if (!p->alarm_at || p->alarm_at > now)
			continue;
		expire(&p->alarm_at, p->alarm_interval, now);
		sig_send(p, POSIX_SIGALRM, 0);
	}
	for (unsigned i = 0; i < MAX_TIMERS; i++) {
		struct ptimer *t = &timers[i];
		uint64_t cur, n;
		unsigned par;
		if (!t->p || t->notify == POSIX_SIGEV_NONE || !t->at || t->at > now)
			continue;
		if (!t->cpu) {
			ptimer_signal(t, expire(&t->at, t->interval, now));
			continue;
		}
		if (!cpu_now(t->cpu_pid, t->cpu_tid, &cur, &par)) {
			t->cw = (struct cpuwatch){ 0 };        /* its clock stopped for good */
			t->at = 0;
			continue;
		}
		n = cpu_watch(&t->cw, cur, par, now);
		t->at = t->cw.look;
		if (n)
			ptimer_signal(t, n);
	}
	sigwaits_expire(now);
	timer_rearm();
}

/* ---- ITIMER_REAL -------------------------------------------------------------------------- */

err_t ps_setitimer(struct proc *c, const uint64_t w[4], uint64_t out[2])
{
	uint64_t now, cur;
	unsigned par;

	if (w[0] > 2 || w[3] > 1)
		return ERR_INVAL;
	if (timer_cap == CAP_NULL || !(now = cairn_now_ns()))
		return ERR_NOSYS;
	if (w[0]) {                      /* ITIMER_VIRTUAL, ITIMER_PROF */
		struct cpuwatch *cw = &c->itv[w[0] - 1];
		if (!cpu_now(c->pid, 0, &cur, &par))
			return ERR_SRCH;
		out[0] = cpu_left(cw, cur);
		out[1] = cw->cpu_at ? cw->interval : 0;
		if (w[3])
			return ERR_OK;
		if (w[1] > TIME_MAX || w[2] > TIME_MAX)
			return ERR_INVAL;
		cpu_arm(cw, w[1], w[1] ? w[2] : 0, false, cur, par, now);
		timer_rearm();
		return ERR_OK;
	}
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

/* The clocks a timer may run on; a CPU-time one's process and thread (0:
 * the process's clock): CLOCK_PROCESS_CPUTIME_ID is the caller's, and
 * Linux's encoding of a process's (clock_getcpuclockid) or a thread's
 * (pthread_getcpuclockid, and musl-port's CLOCK_THREAD_CPUTIME_ID: the
 * calling thread's) is ~id << 3 | 2, with 4 for a thread. */
static err_t clock_check(const struct proc *c, uint64_t clock, bool *cpu, int *pid, int *tid)
{
	int64_t k = (int64_t)clock;

	*cpu = false;
	switch (k) {
	case POSIX_CLOCK_REALTIME: case POSIX_CLOCK_MONOTONIC: case POSIX_CLOCK_BOOTTIME:
		return ERR_OK;
	case POSIX_CLOCK_PROCESS_CPUTIME_ID:
		*cpu = true;
		*pid = c->pid;
		*tid = 0;
		return ERR_OK;
	}
	if (k >= 0 || k < INT32_MIN || (k & 3) != 2)
		return ERR_INVAL;
	int id = (int)~(k >> 3);
	*cpu = true;
	if (k & 4) {                     /* a thread of the caller's (0, its pid: the first) */
		*pid = c->pid;
		*tid = id ? id : c->pid;
		return sthread_find((struct proc *)c, (uint64_t)id) ? ERR_OK : ERR_INVAL;
	}
	*pid = id ? id : c->pid;
	*tid = 0;
	return proc_find(*pid) && proc_find(*pid)->state == P_LIVE ? ERR_OK : ERR_INVAL;
}

err_t ps_timer_create(struct proc *c, const uint64_t w[4], uint64_t *id)
{
	uint64_t notify = w[1] & 0xffffffffu, flags = w[1] >> 32;
	int sig = (int)(w[2] & 0xffffffffu);
	uint64_t tid = w[2] >> 32;
	int cpu_pid = 0, cpu_tid = 0;
	bool cpu;
	err_t e;

	if ((e = clock_check(c, w[0], &cpu, &cpu_pid, &cpu_tid)))
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
				      .value = (flags & POSIX_TIMER_VALUE_ID) ? i : w[3],
				      .cpu = cpu, .cpu_pid = cpu_pid, .cpu_tid = cpu_tid };
		*id = i;
		return ERR_OK;
	}
	return ERR_AGAIN;
}

/* The time left until t's next expiry (1: it is due, its signal not yet
 * raised), 0 if disarmed. A SIGEV_NONE timer's expiries are caught up here. */
static uint64_t ptimer_left(struct ptimer *t, uint64_t now)
{
	if (t->cpu) {
		uint64_t cur;
		unsigned par;
		if (!cpu_now(t->cpu_pid, t->cpu_tid, &cur, &par))
			return 0;
		if (t->notify == POSIX_SIGEV_NONE && t->cw.cpu_at && cur >= t->cw.cpu_at)
			cpu_watch(&t->cw, cur, par, now);
		return cpu_left(&t->cw, cur);
	}
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
	out[1] = t->cpu ? (t->cw.cpu_at ? t->cw.interval : 0) : t->at ? t->interval : 0;
	if (t->cpu) {
		uint64_t cur;
		unsigned par;
		if (!cpu_now(t->cpu_pid, t->cpu_tid, &cur, &par))
			return ERR_INVAL;
		cpu_arm(&t->cw, value, value ? w[3] : 0, abs, cur, par, now);
		t->at = t->notify == POSIX_SIGEV_NONE ? 0 : t->cw.look;
		timer_rearm();
		return ERR_OK;
	}
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
	out[1] = t->cpu ? (t->cw.cpu_at ? t->cw.interval : 0) : t->at ? t->interval : 0;
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
		if (!t->p || !t->real_abs || !t->at || t->cpu)
			continue;
		/* the same real time is now at a monotonic time moved by old - new */
		if (new_off > old_off)
			t->at = t->at > new_off - old_off ? t->at - (new_off - old_off) : 1;
		else
			t->at += old_off - new_off;
	}
	timer_rearm();
}
