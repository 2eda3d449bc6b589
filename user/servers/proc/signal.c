/* SPDX-License-Identifier: MIT */
/*
 * Signals (include/cairn/posix.h): raising one marks it pending; after
 * the answer to the call at hand the server acts on each process's
 * pending signals that some thread does not block (sig_work): the
 * default action (terminate, ignore, stop), or a handler run through
 * THREAD_UPCALL on a thread that does not block it (the main thread
 * first). Each thread has its own mask and its own deliveries, which
 * nest (DELIV_MAX deep), each ended by PS_SIGRETURN_DONE, one upcall a
 * thread at a time. The main thread is the process's (p->main); the
 * libc registers the others (PS_THREAD) with a copy of their kernel
 * Thread. Real-time signals are queued with their siginfo; PS_SIGWAIT
 * (sigtimedwait) takes pending signals without a delivery, or waits with
 * a saved Reply. Signals for one thread (tgkill, pthread_kill, a timer's
 * SIGEV_THREAD_ID) wait in a table of their own (tsigs) until that
 * thread unblocks them or its PS_SIGWAIT takes them; the default action
 * of one is the process's, as on Linux.
 *
 * The end of a process: its wait status, the zombie its parent waits
 * for (or none if the parent ignores SIGCHLD), SIGCHLD, orphans to pid 1,
 * and the blocked PS_WAIT calls, answered through their saved Replies.
 */
#include <stdlib.h>
#include <string.h>
#include "proc.h"

enum { A_TERM, A_IGN, A_STOP, A_CONT };

static int default_action(int sig)
{
	switch (sig) {
	case POSIX_SIGCHLD: case POSIX_SIGURG: case POSIX_SIGWINCH:
		return A_IGN;
	case POSIX_SIGCONT:
		return A_CONT;
	case POSIX_SIGSTOP: case POSIX_SIGTSTP: case POSIX_SIGTTIN: case POSIX_SIGTTOU:
		return A_STOP;
	default:
		return A_TERM;
	}
}

static bool ignored(const struct proc *p, int sig)
{
	unsigned d = p->act[sig].disp;

	if (d == POSIX_SIG_IGN)
		return true;
	return d == POSIX_SIG_DFL && (default_action(sig) == A_IGN || default_action(sig) == A_CONT);
}

bool init_pid1;

/* pid 1 as the system's init (--init): as on Linux, a signal it has not
 * asked to handle is not delivered to it, whatever its default action
 * (SIGKILL and SIGSTOP too). */
static bool init_spares(const struct proc *p, int sig)
{
	return init_pid1 && p->pid == 1 && p->act[sig].disp == POSIX_SIG_DFL;
}

static err_t deliver(struct proc *p, struct sthread *t, int sig, const struct siginf *si);
static err_t sig_raise(struct proc *p, int sig, const struct siginf *si, bool must_queue);
static uint64_t waited(const struct proc *p);
static uint64_t waited_by(const struct proc *p, int tid);
static void sigwaits_answer(struct proc *p);
static void sigwaits_drop(struct proc *p);
static bool tsig_take(struct proc *p, int tid, uint64_t set, int *sig, struct siginf *si);
static struct sthread *sthread_next(struct proc *p, struct sthread *t);

static void mark_work(struct proc *p)
{
	p->work = true;
	work_pending = true;
}

/* ---- waiting for children -------------------------------------------------------------- */

struct waiter {
	int pid, pgid;               /* the waiting process, its group at the time */
	int64_t target;
	unsigned options;
	cap_t reply;
};
static struct waiter waiters[MAX_WAITERS];
static unsigned nwaiters;

static void waiter_remove(unsigned i)
{
	memmove(&waiters[i], &waiters[i + 1], (nwaiters - i - 1) * sizeof(waiters[0]));
	nwaiters--;
}

/* Ends waiter i: the kernel answers its caller ERR_PIPE if it still waits. */
static void waiter_drop(unsigned i)
{
	cairn_cap_delete(waiters[i].reply);
	waiter_remove(i);
}

void waits_drop(struct proc *p)
{
	for (unsigned i = 0; i < nwaiters;) {
		if (waiters[i].pid == p->pid)
			waiter_drop(i);
		else
			i++;
	}
	sigwaits_drop(p);
}

static bool wait_matches(int wpid, int wpgid, int64_t target, const struct proc *q)
{
	if (q->state == P_FREE || q->ppid != wpid)
		return false;
	if (target > 0)
		return q->pid == target;
	if (target == -1)
		return true;
	if (target == 0)
		return q->pgid == wpgid;
	return q->pgid == -target;
}

/* What q has to report to a wait with these options: true and *status. */
static bool reportable(const struct proc *q, unsigned options, int *status)
{
	if (q->state == P_ZOMBIE) {
		*status = q->wstatus;
		return true;
	}
	if (q->report == REPORT_STOP && (options & POSIX_WUNTRACED)) {
		*status = 0x7f | q->stop_sig << 8;
		return true;
	}
	if (q->report == REPORT_CONT && (options & POSIX_WCONTINUED)) {
		*status = 0xffff;
		return true;
	}
	return false;
}

static void consume(struct proc *q, unsigned options)
{
	struct proc *parent;

	if (options & POSIX_WNOWAIT)
		return;
	if (q->state == P_ZOMBIE) {
		/* reaped: its times are its parent's children's (Linux's) */
		if ((parent = proc_find(q->ppid)))
			parent->child_ns += q->cpu_ns + q->child_ns;
		proc_free(q);
		return;
	}
	q->report = REPORT_NONE;
}

enum { SCAN_NONE, SCAN_WAIT, SCAN_FOUND };

static int scan(int wpid, int wpgid, int64_t target, unsigned options, struct proc **found,
		int *status)
{
	bool any = false;

	for (unsigned i = 0; i < MAX_PROCS; i++) {
		struct proc *q = procs[i];
		if (!wait_matches(wpid, wpgid, target, q))
			continue;
		any = true;
		if (reportable(q, options, status)) {
			*found = q;
			return SCAN_FOUND;
		}
	}
	return any ? SCAN_WAIT : SCAN_NONE;
}

#define WAIT_OPTIONS  (POSIX_WNOHANG | POSIX_WUNTRACED | POSIX_WCONTINUED | POSIX_WNOWAIT)
#define WAIT_IGNORED  0xe0000000u        /* __WNOTHREAD, __WALL, __WCLONE */

err_t ps_wait(struct proc *c, int64_t pid, uint64_t options, uint64_t out[2], bool *later)
{
	struct proc *q;
	int status;
	uint64_t r[3];
	err_t e;

	*later = false;
	if (options & ~(uint64_t)(WAIT_OPTIONS | WAIT_IGNORED))
		return ERR_INVAL;
	if (pid < -PID_MAX || pid > PID_MAX)
		return ERR_CHILD;
	switch (scan(c->pid, c->pgid, pid, (unsigned)options, &q, &status)) {
	case SCAN_NONE:
		return ERR_CHILD;
	case SCAN_FOUND:
		out[0] = (uint64_t)q->pid;
		out[1] = (uint64_t)status;
		consume(q, (unsigned)options);
		return ERR_OK;
	}
	if (options & POSIX_WNOHANG) {
		out[0] = out[1] = 0;
		return ERR_OK;
	}
	/* wait: the oldest wait of this process goes if it has too many (its
	 * caller was interrupted, or it is a thread that gets ERR_PIPE) */
	unsigned mine = 0, oldest = MAX_WAITERS;
	for (unsigned i = 0; i < nwaiters; i++) {
		if (waiters[i].pid == c->pid) {
			if (oldest == MAX_WAITERS)
				oldest = i;
			mine++;
		}
	}
	if (mine >= WAITS_PER_PROC)
		waiter_drop(oldest);
	else if (nwaiters == MAX_WAITERS)
		return ERR_AGAIN;
	if ((e = cairn_cap_op(CAP_OP_SAVE_REPLY, 0, CAP_NULL, 0, 0, r)))
		return e;
	waiters[nwaiters++] = (struct waiter){ c->pid, c->pgid, pid, (unsigned)options, r[0] };
	*later = true;
	return ERR_OK;
}

/* Answers whatever blocked waits of parent can be answered now. */
static void waits_answer(struct proc *parent)
{
	for (unsigned i = 0; i < nwaiters;) {
		struct waiter *w = &waiters[i];
		struct proc *q, *wp;
		int status;
		err_t e;

		if (w->pid != parent->pid) {
			i++;
			continue;
		}
		switch (scan(w->pid, w->pgid, w->target, w->options, &q, &status)) {
		case SCAN_WAIT:
			i++;
			continue;
		case SCAN_NONE:
			cairn_send(w->reply, cairn_tag(ERR_CHILD, CAIRN_MSG_REGS, 0), 0, 0, 0, 0);
			waiter_drop(i);
			continue;
		}
		e = cairn_send(w->reply, cairn_tag(0, CAIRN_MSG_REGS, 0), (uint64_t)q->pid,
			       (uint64_t)status, 0, 0);
		if (!e)
			consume(q, w->options);
		waiter_drop(i);
		/* a stopped process whose thread was blocked here can be suspended now */
		if (!e && (wp = proc_find(parent->pid)) && wp->suspend_pending)
			mark_work(wp);
	}
}

/* ---- stop, continue, end ------------------------------------------------------------------ */

/* SIGCHLD about p, as Linux fills it: the child's pid, CLD_* and the
 * status (exit code, or the signal). A core dump is not made: CLD_KILLED. */
static void child_info(const struct proc *p, bool ended, struct siginf *si)
{
	*si = (struct siginf){ .sender = (uint32_t)p->pid };
	if (ended) {
		int st = p->wstatus;      /* (proc_ended's) */
		si->code = st & 0x7f ? POSIX_CLD_KILLED : POSIX_CLD_EXITED;
		si->value = (uint64_t)(st & 0x7f ? st & 0x7f : (st >> 8) & 0xff);
	} else if (p->stopped) {
		si->code = POSIX_CLD_STOPPED;
		si->value = (uint64_t)p->stop_sig;
	} else {
		si->code = POSIX_CLD_CONTINUED;
		si->value = POSIX_SIGCONT;
	}
}

/* Tells the parent of p about a change: SIGCHLD (unless SA_NOCLDSTOP and
 * stopped is true) and its waits. */
static void tell_parent(struct proc *p, bool stop_or_cont)
{
	struct proc *parent = proc_find(p->ppid);
	struct siginf si;

	if (!parent || parent->state != P_LIVE)
		return;
	child_info(p, !stop_or_cont, &si);   /* p may be reaped by the wait answered */
	waits_answer(parent);
	if (!stop_or_cont || !(parent->act[POSIX_SIGCHLD].flags & POSIX_SA_NOCLDSTOP))
		sig_raise(parent, POSIX_SIGCHLD, &si, false);
}

static cap_t sthread_cap(const struct proc *p, const struct sthread *t)
{
	return t->tid ? t->kthread : p->kthread;
}

/* Suspends p's threads (again: only those still pending). */
static void try_suspend(struct proc *p, bool again)
{
	p->suspend_pending = false;
	for (struct sthread *t = NULL; (t = sthread_next(p, t));) {
		if (again && !t->suspend_pending)
			continue;
		err_t e = cairn_invoke(sthread_cap(p, t), THREAD_SUSPEND, 0, 0, 0, 0, 0, NULL);
		/* ERR_BUSY: blocked in a call; suspended when we see it run again */
		t->suspend_pending = e == ERR_BUSY;
		p->suspend_pending |= t->suspend_pending;
	}
}

static void proc_stop(struct proc *p, int sig)
{
	try_suspend(p, false);
	p->stopped = true;
	p->stop_sig = sig;
	p->report = REPORT_STOP;
	tell_parent(p, true);
}

static void proc_continue(struct proc *p)
{
	for (struct sthread *t = NULL; (t = sthread_next(p, t));) {
		if (!t->suspend_pending)
			cairn_invoke(sthread_cap(p, t), THREAD_RESUME, 0, 0, 0, 0, 0, NULL);
		t->suspend_pending = false;
	}
	p->stopped = p->suspend_pending = false;
	p->report = REPORT_CONT;
	mark_work(p);
	tell_parent(p, true);
}

/* The kernel's id of p's thread t (asked once). */
static uint32_t sthread_kid(struct proc *p, struct sthread *t)
{
	struct cairn_msg m;

	if (!t->kid && !cairn_invoke(sthread_cap(p, t), THREAD_GET_ID, 0, 0, 0, 0, 0, &m))
		t->kid = (uint32_t)m.w[0];
	return t->kid;
}

err_t ps_ucopy(struct proc *c, uint64_t start, uint64_t end, uint64_t fixup)
{
	if (start >= end || end > CAIRN_STACK_TOP || fixup < start || fixup >= end)
		return ERR_INVAL;
	c->ucopy_lo = start;
	c->ucopy_hi = end;
	c->ucopy_fixup = fixup;
	return ERR_OK;
}

/* si_code of a fault (Linux's numbers): SEGV_MAPERR 1 / SEGV_ACCERR 2
 * (a mapped page that forbids the access), BUS_ADRALN 1 (misaligned) /
 * BUS_ADRERR 2 (a paged object's page that cannot come), TRAP_BRKPT 1,
 * ILL_ILLOPC 1, FPE_INTDIV 1 (what the kernel tells no more about) */
static int32_t fault_code(uint64_t kind, bool prot)
{
	switch (kind) {
	case CAIRN_FAULT_READ: case CAIRN_FAULT_WRITE: case CAIRN_FAULT_EXEC:
		return prot ? 2 : 1;
	case CAIRN_FAULT_PAGER:
		return 2;
	default:
		return 1;
	}
}

bool proc_fault(struct proc *p, uint64_t addr, uint64_t pc, uint64_t w2, uint64_t kid,
		uint64_t *resume)
{
	uint64_t kind = CAIRN_FAULT_KIND(w2);
	bool prot = (w2 & CAIRN_FAULT_PROT) != 0;
	int sig = posix_fault_signal(kind);
	struct sigact *a = &p->act[sig];
	struct sthread *t, *on = NULL;

	/* below the main stack, within RLIMIT_STACK: it grows */
	if ((kind == CAIRN_FAULT_READ || kind == CAIRN_FAULT_WRITE) && !prot && stack_grow(p, addr))
		return true;
	/* a bad pointer handed to a system call: the copy returns EFAULT */
	if (pc >= p->ucopy_lo && pc < p->ucopy_hi && (sig == POSIX_SIGSEGV || kind == CAIRN_FAULT_PAGER)) {
		*resume = p->ucopy_fixup;
		return true;
	}
	/* the faulting thread (the main one if the server does not know it) */
	for (t = NULL; (t = sthread_next(p, t)) && !on;)
		if (kid && sthread_kid(p, t) == kid)
			on = t;
	if (!on)
		on = sthread_next(p, NULL);
	/* a handler that can run now runs on that thread, then the
	 * instruction is tried again (as Linux does when a handler returns) */
	if (a->disp == POSIX_SIG_HANDLE && !(on->mask & sigbit(sig)) && on->ndeliv < DELIV_MAX &&
	    !p->stopped) {
		unsigned n = on->ndeliv;
		/* si_addr (the value PS_SIGINFO gives): the address */
		deliver(p, on, sig, &(struct siginf){ .code = fault_code(kind, prot), .value = addr });
		if (on->ndeliv > n)
			return true;
	}
	say("pid %d (%s) killed by signal %d: %s at %#lx, pc %#lx\n", p->pid, p->name, sig,
	    kind == CAIRN_FAULT_READ ? "read fault" : kind == CAIRN_FAULT_WRITE ? "write fault" :
	    kind == CAIRN_FAULT_EXEC ? "exec fault" : kind == CAIRN_FAULT_ILLEGAL ?
	    "illegal instruction" : kind == CAIRN_FAULT_MISALIGNED ? "misaligned access" :
	    kind == CAIRN_FAULT_BREAKPOINT ? "breakpoint" : kind == CAIRN_FAULT_ARITH ?
	    "arithmetic exception" : "exception", (unsigned long)addr,
	    (unsigned long)pc);
	proc_terminate(p, sig, 0);
	return false;
}

void proc_terminate(struct proc *p, int sig, int code)
{
	if (p->state != P_LIVE)
		return;
	if (sig)
		p->end_sig = sig;
	else
		p->exit_code = code & 0xff;
	cairn_invoke(p->kproc, PROC_KILL, 0, sig ? 128 + (uint64_t)sig : (uint64_t)(code & 0xff),
		     0, 0, 0, NULL);
	proc_ended(p);
}

/* The wait status of a process whose kernel process has ended. */
static int end_status(struct proc *p)
{
	struct cairn_msg m;

	if (p->end_sig)
		return p->end_sig;
	if (p->exit_code >= 0)
		return p->exit_code << 8;
	if (p->kproc == CAP_NULL || cairn_invoke(p->kproc, PROC_STATUS, 0, 0, 0, 0, 0, &m))
		return POSIX_SIGKILL;
	switch (m.w[0]) {
	case PROC_STATE_EXITED:
		return (int)(m.w[1] & 0xff) << 8;
	case PROC_STATE_FAULTED:
		return posix_fault_signal(m.w[1]);
	default:
		return POSIX_SIGKILL;
	}
}

/* An orphaned process group: no member has a parent in another group of
 * the same session (POSIX). *stopped: one of its members is stopped. */
static struct proc *leaving;   /* the process proc_ended() ends: no member, no parent */

static bool group_orphaned(int pgid, bool *stopped)
{
	bool orphaned = true, any = false;

	*stopped = false;
	for (unsigned i = 0; i < MAX_PROCS; i++) {
		struct proc *q = procs[i], *parent;
		if (q->state != P_LIVE || q == leaving || q->pgid != pgid)
			continue;
		any = true;
		*stopped |= q->stopped;
		parent = proc_find(q->ppid);
		if (parent && parent != leaving && parent->state == P_LIVE && parent->pgid != pgid &&
		    parent->sid == q->sid)
			orphaned = false;
	}
	return any && orphaned;
}

/* A group that has just become orphaned (it was not before: was) with a
 * stopped member gets SIGHUP and SIGCONT, each member; one that was
 * orphaned already gets nothing (POSIX, as Linux). */
static void orphan_check(int pgid, bool was)
{
	bool stopped;

	if (was || !group_orphaned(pgid, &stopped) || !stopped)
		return;
	for (unsigned i = 0; i < MAX_PROCS; i++) {
		struct proc *q = procs[i];
		if (q->state == P_LIVE && q->pgid == pgid) {
			sig_send(q, POSIX_SIGHUP, 0);
			sig_send(q, POSIX_SIGCONT, 0);
		}
	}
}

void proc_ended(struct proc *p)
{
	struct proc *parent, *init = proc_find(1);
	bool orphaned_zombie = false;

	if (p->state != P_LIVE)
		return;
	p->wstatus = end_status(p);
	p->cpu_ns = proc_cpu_ns(p);          /* (before its kernel process goes) */
	kproc_release(&p->kproc, &p->kas, &p->kthread);
	cred_drop(p);                  /* its token, every copy: no one acts as it */
	keep_clear(p);
	waits_drop(p);
	sthreads_drop(p);
	p->stopped = p->suspend_pending = false;
	p->report = REPORT_NONE;
	p->pending = 0;
	p->rt_over = 0;
	p->nq = 0;
	p->work = false;
	p->alarm_at = 0;
	timers_free(p);
	tsigs_drop(p);
	if (p->pid == 1) {
		int ws = p->wstatus;
		server_exit((ws & 0x7f) ? 128 + (ws & 0x7f) : (ws >> 8) & 0xff, "pid 1 ended");
	}
	/* a session leader: the tty it may have had is free (the console
	 * server checks that it was this session's) */
	if (p->sid == p->pid && tty_cap != CAP_NULL)
		call_async(tty_cap, TTY_SESSION_END, (uint64_t)p->sid);
	/* orphans go to pid 1; groups left without a parent outside them in
	 * their session, and with a stopped member, are told (SIGHUP, SIGCONT) */
	static bool was[MAX_PROCS];
	bool stopped, own_was = group_orphaned(p->pgid, &stopped);
	for (unsigned i = 0; i < MAX_PROCS; i++) {
		struct proc *q = procs[i];
		was[i] = q->state == P_LIVE && q->ppid == p->pid && q != p && q->pgid != p->pgid &&
			 group_orphaned(q->pgid, &stopped);
	}
	leaving = p;
	for (unsigned i = 0; i < MAX_PROCS; i++) {
		struct proc *q = procs[i];
		if (q->state != P_FREE && q->ppid == p->pid && q != p) {
			q->ppid = 1;
			orphaned_zombie |= q->state == P_ZOMBIE;
			if (q->state == P_LIVE && q->pgid != p->pgid)
				orphan_check(q->pgid, was[i]);
		}
	}
	orphan_check(p->pgid, own_was);
	leaving = NULL;
	if (orphaned_zombie && init && init->state == P_LIVE) {
		waits_answer(init);
		sig_send(init, POSIX_SIGCHLD, 0);
	}
	parent = proc_find(p->ppid);
	if (!parent || parent->state != P_LIVE) {
		proc_free(p);
		return;
	}
	if (parent->act[POSIX_SIGCHLD].disp == POSIX_SIG_IGN || (parent->act[POSIX_SIGCHLD].flags & POSIX_SA_NOCLDWAIT)) {
		struct siginf si;
		child_info(p, true, &si);
		proc_free(p);             /* no zombie */
		waits_answer(parent);
		if (parent->act[POSIX_SIGCHLD].disp == POSIX_SIG_HANDLE)
			sig_raise(parent, POSIX_SIGCHLD, &si, false);
		return;
	}
	p->state = P_ZOMBIE;
	tell_parent(p, false);
}

void procs_check_ended(uint64_t bits)
{
	struct cairn_msg m;

	for (unsigned i = 0; i < MAX_PROCS; i++) {
		struct proc *p = procs[i];
		if (p->state != P_LIVE || !(bits & proc_bit(p)))
			continue;
		if (cairn_invoke(p->kproc, PROC_STATUS, 0, 0, 0, 0, 0, &m) ||
		    m.w[0] != PROC_STATE_RUNNING)
			proc_ended(p);
	}
}

/* ---- raising and delivering signals -------------------------------------------------------- */

/* ---- pending signals: the set, each standard signal's siginfo, the queue ---------------- */

static bool is_rt(int sig)
{
	return sig >= POSIX_SIGRTMIN;
}

static bool queued(const struct proc *p, int sig)
{
	for (unsigned i = 0; i < p->nq; i++)
		if (p->q[i].sig == sig)
			return true;
	return false;
}

/* The siginfo of the instance of pending signal sig to go first; with
 * remove, it is no longer pending (sig stays pending while a real-time
 * signal has more instances). */
static void take(struct proc *p, int sig, struct siginf *si, bool remove)
{
	uint64_t bit = sigbit(sig);
	unsigned i = 0;

	if (!is_rt(sig)) {
		*si = p->info[sig];
		if (remove)
			p->pending &= ~bit;
		goto out;
	}
	while (i < p->nq && p->q[i].sig != sig)
		i++;
	if (i < p->nq) {
		*si = p->q[i].si;
		if (remove) {
			memmove(&p->q[i], &p->q[i + 1], (p->nq - i - 1) * sizeof(p->q[0]));
			p->nq--;
		}
	} else {
		*si = p->info[sig];
		if (remove)
			p->rt_over &= ~bit;
	}
	if (remove && !(p->rt_over & bit) && !queued(p, sig))
		p->pending &= ~bit;
out:
	if (si->timer)
		timer_taken(p, si, remove);
}

/* Every pending instance of sig goes. */
static void discard(struct proc *p, int sig)
{
	unsigned n = 0;

	p->pending &= ~sigbit(sig);
	p->rt_over &= ~sigbit(sig);
	for (unsigned i = 0; i < p->nq; i++)
		if (p->q[i].sig != sig)
			p->q[n++] = p->q[i];
	p->nq = n;
}

/* Raises sig on p (the process) with siginfo si. must_queue (PS_SIGQUEUE):
 * a real-time signal the queue has no room for is ERR_AGAIN instead of
 * merged. */
static err_t sig_raise(struct proc *p, int sig, const struct siginf *si, bool must_queue)
{
	uint64_t bit;

	if (!p || p->state != P_LIVE || sig < 1 || sig > NSIG_MAX)
		return ERR_OK;
	bit = sigbit(sig);
	/* init: dropped, unless blocked or waited for (sigtimedwait takes it);
	 * SIGKILL and SIGSTOP cannot be either */
	if (init_spares(p, sig) && ((bit & UNBLOCKABLE) || !((p->main.mask | waited(p)) & bit)))
		return ERR_OK;
	if (sig == POSIX_SIGKILL) {
		proc_terminate(p, POSIX_SIGKILL, 0);
		return ERR_OK;
	}
	if (sig == POSIX_SIGCONT) {
		p->pending &= ~STOP_SIGS;
		if (p->stopped)
			proc_continue(p);
	}
	if (bit & STOP_SIGS) {
		bool stopped;
		p->pending &= ~sigbit(POSIX_SIGCONT);
		/* terminal stops of an orphaned group are dropped (POSIX) */
		if (sig != POSIX_SIGSTOP && p->act[sig].disp == POSIX_SIG_DFL &&
		    group_orphaned(p->pgid, &stopped))
			return ERR_OK;
	}
	/* an ignored signal is dropped, unless blocked (by the main thread,
	 * which a kill names) or waited for (Linux) */
	if (ignored(p, sig) && !((p->main.mask | waited(p)) & bit))
		return ERR_OK;
	if (is_rt(sig)) {
		if (p->nq < POSIX_SIGQUEUE_MAX) {
			p->q[p->nq].sig = sig;
			p->q[p->nq].si = *si;
			p->nq++;
		} else if (must_queue) {
			return ERR_AGAIN;
		} else if (!(p->rt_over & bit)) {
			p->rt_over |= bit;
			p->info[sig] = *si;
		}
	} else if (!(p->pending & bit)) {
		p->info[sig] = *si;       /* merged: the first one's siginfo stays */
	}
	p->pending |= bit;
	mark_work(p);
	sigwaits_answer(p);
	return ERR_OK;
}

void sig_send(struct proc *p, int sig, int sender)
{
	struct siginf si = { .sender = (uint32_t)sender, .code = sender ? POSIX_SI_USER : POSIX_SI_KERNEL };

	sig_raise(p, sig, &si, false);
}

/* The delivery of sig (its handler's) on thread t begins: the mask, the state. */
static void deliver_begin(struct proc *p, struct sthread *t, int sig, const struct siginf *si)
{
	struct sigact *a = &p->act[sig];
	struct delivery *d = &t->deliv[t->ndeliv++];

	d->sig = sig;
	d->si = *si;
	d->saved_mask = t->mask;
	t->mask |= a->mask;
	if (!(a->flags & POSIX_SA_NODEFER))
		t->mask |= sigbit(sig);
	t->mask &= ~UNBLOCKABLE;
	if (a->flags & POSIX_SA_RESETHAND)
		*a = (struct sigact){ 0 };
}

/* Runs the handler of sig on p's thread t, with siginfo si (t->ndeliv
 * below DELIV_MAX). ERR_BUSY: the thread has yet to take an upcall sent
 * before (a handler it has not begun, which this one would nest in):
 * nothing changed, sig waits. Another error is logged. */
static err_t deliver(struct proc *p, struct sthread *t, int sig, const struct siginf *si)
{
	uint64_t pc = p->act[sig].pc;
	uint64_t flags = p->act[sig].flags & POSIX_SA_ONSTACK ? UPCALL_ONSTACK : 0;
	err_t e;

	e = cairn_invoke(sthread_cap(p, t), THREAD_UPCALL, 0, pc,
			 posix_sig_arg(sig, si->code, si->sender), flags, 0, NULL);
	if (!e)
		deliver_begin(p, t, sig, si);     /* (SA_RESETHAND clears the action) */
	else if (e != ERR_BUSY)
		say("pid %d: cannot deliver signal %d to thread %d: %s\n", p->pid, sig,
		    t->tid ? t->tid : p->pid, err_name(e));
	return e;
}

static int tsig_first(const struct proc *p, int tid, uint64_t set);
static uint64_t tsig_set(const struct proc *p, int tid);
static void tsig_discard(struct proc *p, int tid, int sig);
static struct siginf tsigs_si(int i);
static void tsig_remove(struct proc *p, int i, struct siginf *si);

/* The instance of sig to go first: the process's (t NULL) or thread
 * t's own; with remove it goes. */
static void take_for(struct proc *p, struct sthread *t, int sig, struct siginf *si, bool remove)
{
	int tsig;

	if (!t) {
		take(p, sig, si, remove);
		return;
	}
	tsig = tsig_first(p, t->tid, sigbit(sig));
	*si = tsigs_si(tsig);
	if (remove)
		tsig_remove(p, tsig, si);
}

/* Acts on sig, pending for the process (own false) or for thread t
 * (own), which does not block it: t runs its handler (unless t had its
 * upcall in this pass: it waits), or the default action. true: p
 * ended or stopped. */
static bool act(struct proc *p, struct sthread *t, int sig, bool own)
{
	struct sigact *a = &p->act[sig];
	struct siginf si;

	if (a->disp == POSIX_SIG_HANDLE) {
		/* inside another handler too, if its mask lets it: nested, as
		 * on Linux (SA_NODEFER: even its own); one upcall a thread a
		 * pass (the kernel holds one) */
		if (t->sent || t->ndeliv >= DELIV_MAX)
			return false;
		t->sent = true;
		take_for(p, own ? t : NULL, sig, &si, false);
		if (deliver(p, t, sig, &si) != ERR_BUSY)
			take_for(p, own ? t : NULL, sig, &si, true);   /* delivered (or lost: logged) */
		return false;
	}
	/* taken as a delivery would take it: a timer's overruns are counted
	 * (timer_getoverrun after an ignored or default-action expiry) */
	take_for(p, own ? t : NULL, sig, &si, true);
	if (a->disp == POSIX_SIG_IGN || init_spares(p, sig)) {
		if (own)                 /* init: no default action */
			tsig_discard(p, t->tid, sig);
		else
			discard(p, sig);
		return false;
	}
	switch (default_action(sig)) {
	case A_TERM:
		proc_terminate(p, sig, 0);
		return true;
	case A_STOP:
		proc_stop(p, sig);
		return true;
	default:
		return false;
	}
}

void sig_work(struct proc *p)
{
	struct sthread *t;

	p->work = false;
	if (p->state != P_LIVE)
		return;
	if (p->stopped) {
		if (p->suspend_pending)
			try_suspend(p, true);
		return;
	}
	for (t = NULL; (t = sthread_next(p, t));)
		t->sent = false;
	/* each thread's own signals first (Linux takes them first too) */
	for (t = NULL; (t = sthread_next(p, t));) {
		uint64_t own = tsig_set(p, t->tid) & ~t->mask;
		for (int sig = 1; own; sig++, own >>= 1)
			if ((own & 1) && act(p, t, sig, true))
				return;
	}
	/* the process's, on the first thread that does not block it (the
	 * main thread first) and can take an upcall now */
	for (int sig = 1; sig <= NSIG_MAX; sig++) {
		uint64_t bit = sigbit(sig);
		struct sthread *to = NULL;

		if (!(p->pending & bit))
			continue;
		for (t = NULL; (t = sthread_next(p, t));) {
			if (t->mask & bit)
				continue;
			if (!to)
				to = t;
			if (!t->sent && t->ndeliv < DELIV_MAX) {
				to = t;
				break;
			}
		}
		if (to && act(p, to, sig, false))
			return;
	}
}

/* ---- the calls ---------------------------------------------------------------------------- */

/* Whether c may send sig to t (POSIX kill, Linux's rule): a system
 * service (no c) and euid 0 may signal anyone; another process only one
 * whose real or saved uid is its real or effective uid, or with SIGCONT
 * one of its own session. */
static bool may_signal(const struct proc *c, const struct proc *t, int64_t sig)
{
	if (!c || c->euid == 0)
		return true;
	if (sig == POSIX_SIGCONT && c->sid == t->sid)
		return true;
	return c->euid == t->ruid || c->euid == t->suid || c->ruid == t->ruid || c->ruid == t->suid;
}

err_t ps_kill(struct proc *c, int sender, int64_t pid, int64_t sig, uint64_t flags)
{
	bool found = false, denied = false;
	int64_t pgid;

	if (sig < 0 || sig > NSIG_MAX || (flags & ~(uint64_t)(POSIX_KILL_PGRP | POSIX_KILL_LIVE)))
		return ERR_INVAL;
	if (flags & POSIX_KILL_PGRP) {
		/* -pgid of a group, even group 1 (which -1 alone cannot name) */
		if (pid >= 0)
			return ERR_INVAL;
		if (pid < -PID_MAX)
			return ERR_SRCH;
		pgid = -pid;
		goto group;
	}
	if (pid > 0) {
		struct proc *t = proc_find(pid);
		if (!t || ((flags & POSIX_KILL_LIVE) && t->state != P_LIVE))
			return ERR_SRCH;
		if (!may_signal(c, t, sig))
			return ERR_PERM;
		if (sig)
			sig_send(t, (int)sig, sender);
		return ERR_OK;
	}
	if (pid == -1) {
		/* every process but pid 1 and the caller: success if there is
		 * one, those it may not signal left alone (Linux's answer) */
		for (unsigned i = 0; i < MAX_PROCS; i++) {
			struct proc *q = procs[i];
			if (q->state != P_LIVE || q->pid == 1 || q == c)
				continue;
			found = true;
			if (sig && may_signal(c, q, sig))
				sig_send(q, (int)sig, sender);
		}
		return found ? ERR_OK : ERR_SRCH;
	}
	if (pid == 0) {
		if (!c)
			return ERR_SRCH;
		pgid = c->pgid;
	} else {
		if (pid < -PID_MAX)
			return ERR_SRCH;
		pgid = -pid;
	}
group:
	/* EPERM when the group has members and the caller may signal none */
	for (unsigned i = 0; i < MAX_PROCS; i++) {
		struct proc *q = procs[i];
		if (q->state == P_FREE || q->pgid != pgid)
			continue;
		if (!may_signal(c, q, sig)) {
			denied = true;
			continue;
		}
		found = true;
		if (sig)
			sig_send(q, (int)sig, sender);
	}
	return found ? ERR_OK : denied ? ERR_PERM : ERR_SRCH;
}

err_t ps_sigaction(struct proc *c, const uint64_t w[4], uint64_t out[4])
{
	uint64_t sig = w[0], disp = w[1] & 0xffffffffu;
	struct sigact *a, old;

	if (sig < 1 || sig > NSIG_MAX || disp > POSIX_SIG_HANDLE)
		return ERR_INVAL;
	if ((sig == POSIX_SIGKILL || sig == POSIX_SIGSTOP) && disp != POSIX_SIG_DFL)
		return ERR_INVAL;
	if (disp == POSIX_SIG_HANDLE && !w[2])
		return ERR_INVAL;
	a = &c->act[sig];
	old = *a;
	out[0] = old.disp | (uint64_t)old.flags << 32;
	out[1] = old.pc;
	out[2] = old.mask;
	a->disp = (uint8_t)disp;
	a->flags = (uint32_t)(w[1] >> 32);
	a->pc = disp == POSIX_SIG_HANDLE ? w[2] : 0;
	a->mask = w[3] & ~UNBLOCKABLE;
	if (ignored(c, (int)sig) && !(waited(c) & sigbit((int)sig))) {
		discard(c, (int)sig);        /* the process's and every thread's (Linux) */
		for (struct sthread *t = NULL; (t = sthread_next(c, t));)
			tsig_discard(c, t->tid, (int)sig);
	}
	mark_work(c);
	return ERR_OK;
}

static uint64_t mask_change(uint64_t m, uint64_t how, uint64_t set)
{
	m = how == POSIX_SIG_BLOCK ? m | set : how == POSIX_SIG_UNBLOCK ? m & ~set : set;
	return m & ~UNBLOCKABLE;
}

/* The calls of one thread carry its tid in the upper half of a word. */
#define TID_OF(w)   ((w) >> 32)
#define FLAGS_OF(w) ((w) & 0xffffffffu)

err_t ps_sigmask(struct proc *c, uint64_t how, uint64_t set, uint64_t flags, uint64_t *old)
{
	struct sthread *t = sthread_find(c, TID_OF(flags));

	if (how > POSIX_SIG_SETMASK || (FLAGS_OF(flags) & ~(uint64_t)POSIX_SIGMASK_OUTSIDE))
		return ERR_INVAL;
	if (!t)
		return ERR_SRCH;
	if (t->ndeliv && (flags & POSIX_SIGMASK_OUTSIDE)) {
		/* a handler's upcall is on its way (on another CPU the thread
		 * may get here first): the code it interrupts sees and changes
		 * the mask the handler's end puts back, which the handler's
		 * mask holds meanwhile too. Answered with the handler's mask,
		 * musl's fork took "all blocked" as the mask to restore: a
		 * shell's children were born with every signal blocked */
		*old = t->deliv[0].saved_mask;
		t->deliv[0].saved_mask = mask_change(t->deliv[0].saved_mask, how, set);
		for (unsigned i = 1; i < t->ndeliv; i++)
			t->deliv[i].saved_mask |= t->deliv[0].saved_mask;
		t->mask |= t->deliv[0].saved_mask;
	} else {
		*old = t->mask;
		t->mask = mask_change(t->mask, how, set);
	}
	mark_work(c);
	return ERR_OK;
}

err_t ps_sigpending(struct proc *c, uint64_t tid, uint64_t *set)
{
	struct sthread *t = sthread_find(c, tid);

	if (!t)
		return ERR_SRCH;
	*set = c->pending | tsig_set(c, t->tid);
	return ERR_OK;
}

err_t ps_sigreturn(struct proc *c, uint64_t sig, uint64_t how, uint64_t set, uint64_t flags)
{
	struct sthread *t = sthread_find(c, TID_OF(flags));

	flags = FLAGS_OF(flags);
	if (!t)
		return ERR_SRCH;
	if (flags & POSIX_SIGRETURN_FORKED) {
		/* a fork's child whose thread runs no handler: the forking
		 * thread's delivery (or an upcall on its way there) is not
		 * the child's, whose mask would otherwise stay the handler's
		 * for ever (musl's fork blocks every signal around the fork,
		 * and a mask change outside a handler goes to what the
		 * handler's end puts back: an orphan in pause() never took
		 * its SIGALRM) */
		if (flags != POSIX_SIGRETURN_FORKED || sig || how || set)
			return ERR_INVAL;
		if (t->ndeliv) {
			t->mask = t->deliv[0].saved_mask & ~UNBLOCKABLE;
			t->ndeliv = 0;
			mark_work(c);
		}
		return ERR_OK;
	}
	if (!t->ndeliv || (uint64_t)t->deliv[t->ndeliv - 1].sig != sig || how > 1 || flags)
		return ERR_INVAL;
	t->ndeliv--;
	t->mask = (how ? set : t->deliv[t->ndeliv].saved_mask) & ~UNBLOCKABLE;
	mark_work(c);
	return ERR_OK;
}

err_t ps_siginfo(struct proc *c, uint64_t tid, uint64_t out[4])
{
	struct sthread *t = sthread_find(c, tid);
	const struct delivery *d = t && t->ndeliv ? &t->deliv[t->ndeliv - 1] : NULL;

	if (!d)
		return ERR_INVAL;
	out[0] = (uint64_t)d->sig;
	out[1] = d->si.sender | (uint64_t)(uint32_t)d->si.code << 32;
	out[2] = d->si.value;
	out[3] = d->si.overrun;
	return ERR_OK;
}

err_t ps_sigcontext(struct proc *c, uint64_t tid, uint64_t out[4])
{
	struct sthread *t = sthread_find(c, tid);
	const struct delivery *d = t && t->ndeliv ? &t->deliv[t->ndeliv - 1] : NULL;

	if (!d)
		return ERR_INVAL;
	out[0] = (uint64_t)d->sig;
	out[1] = d->saved_mask;
	out[2] = d->si.value;
	out[3] = d->si.overrun;
	return ERR_OK;
}

err_t ps_sigqueue(struct proc *c, const uint64_t w[4])
{
	int64_t pid = (int64_t)w[0];
	int32_t code = (int32_t)w[2];
	struct proc *t;

	if (w[1] > NSIG_MAX)
		return ERR_INVAL;
	if (pid <= 0 || pid > PID_MAX || !(t = proc_find(pid)))
		return ERR_SRCH;
	/* only the kernel sends SI_USER, SI_KERNEL, SI_TKILL... to another process */
	if ((code >= 0 || code == POSIX_SI_TKILL) && t != c)
		return ERR_PERM;
	if (!may_signal(c, t, (int64_t)w[1]))
		return ERR_PERM;
	if (!w[1] || t->state != P_LIVE)
		return ERR_OK;
	return sig_raise(t, (int)w[1], &(struct siginf){ .sender = (uint32_t)c->pid, .code = code, .value = w[3] }, true);
}

/* ---- sigtimedwait: blocked PS_SIGWAIT calls ------------------------------------------------ */

struct sigwaiter {
	int pid;
	int tid;                     /* the calling thread, 0: the main one */
	uint64_t set;
	uint64_t deadline;           /* monotonic ns, 0: none */
	cap_t reply;
};
static struct sigwaiter sigwaiters[MAX_SIGWAITERS];
static unsigned nsigwaiters;

static void sigwaiter_drop(unsigned i)
{
	cairn_cap_delete(sigwaiters[i].reply);
	memmove(&sigwaiters[i], &sigwaiters[i + 1], (nsigwaiters - i - 1) * sizeof(sigwaiters[0]));
	nsigwaiters--;
}

static void sigwaits_drop(struct proc *p)
{
	for (unsigned i = 0; i < nsigwaiters;) {
		if (sigwaiters[i].pid == p->pid)
			sigwaiter_drop(i);
		else
			i++;
	}
}

/* The signals p's blocked PS_SIGWAIT calls wait for. */
static uint64_t waited(const struct proc *p)
{
	uint64_t set = 0;

	for (unsigned i = 0; i < nsigwaiters; i++)
		if (sigwaiters[i].pid == p->pid)
			set |= sigwaiters[i].set;
	return set;
}

/* The signals the blocked PS_SIGWAIT of p's thread tid waits for. */
static uint64_t waited_by(const struct proc *p, int tid)
{
	for (unsigned i = 0; i < nsigwaiters; i++)
		if (sigwaiters[i].pid == p->pid && sigwaiters[i].tid == tid)
			return sigwaiters[i].set;
	return 0;
}

static int lowest(uint64_t set)
{
	int sig = 1;

	while (!(set & 1)) {
		set >>= 1;
		sig++;
	}
	return sig;
}

static void sig_answer_words(int sig, const struct siginf *si, uint64_t out[4])
{
	out[0] = (uint64_t)sig;
	out[1] = si->sender | (uint64_t)(uint32_t)si->code << 32;
	out[2] = si->value;
	out[3] = si->overrun;
}

/* Hands p's pending signals to its blocked PS_SIGWAIT calls, oldest call
 * first. A caller that is gone or was interrupted (ERR_PIPE) leaves the
 * signal pending. */
static void sigwaits_answer(struct proc *p)
{
	for (unsigned i = 0; i < nsigwaiters;) {
		struct sigwaiter *w = &sigwaiters[i];
		uint64_t ready = p->pending & w->set, out[4];
		struct siginf si;
		int sig;

		if (w->pid != p->pid || !ready) {
			i++;
			continue;
		}
		sig = lowest(ready);
		take(p, sig, &si, false);
		sig_answer_words(sig, &si, out);
		if (!cairn_send(w->reply, cairn_tag(0, CAIRN_MSG_REGS, 0), out[0], out[1], out[2],
				out[3]))
			take(p, sig, &si, true);
		sigwaiter_drop(i);
	}
}

/* The thread a PS_SIGWAIT or a signal names: 0 for the main thread. */
static int thread_of(const struct proc *p, uint64_t tid)
{
	return tid == (uint64_t)p->pid ? 0 : (int)tid;
}

/* A signal of set pending for c now (its thread's first): taken into out. */
static bool sigwait_take(struct proc *c, int tid, uint64_t set, uint64_t out[4])
{
	struct siginf si;
	int sig;

	if (tsig_take(c, tid, set, &sig, &si)) {
		sig_answer_words(sig, &si, out);
		return true;
	}
	if (!(c->pending & set))
		return false;
	sig = lowest(c->pending & set);
	take(c, sig, &si, true);
	sig_answer_words(sig, &si, out);
	return true;
}

/* Room for c's new call from thread tid: that thread's old call ends (it
 * was interrupted: a thread makes one call at a time), else the oldest of
 * c's goes if it has too many. false: the table is full. */
static bool sigwaiter_room(struct proc *c, int tid)
{
	unsigned mine = 0, oldest = MAX_SIGWAITERS;

	for (unsigned i = 0; i < nsigwaiters; i++) {
		if (sigwaiters[i].pid != c->pid)
			continue;
		if (sigwaiters[i].tid == tid) {
			sigwaiter_drop(i);
			return true;
		}
		if (oldest == MAX_SIGWAITERS)
			oldest = i;
		mine++;
	}
	if (mine >= SIGWAITS_PER_PROC) {
		sigwaiter_drop(oldest);
		return true;
	}
	return nsigwaiters < MAX_SIGWAITERS;
}

err_t ps_sigwait(struct proc *c, const uint64_t w[4], uint64_t out[4], bool *later)
{
	uint64_t set = w[0] & ~UNBLOCKABLE, timeout = w[1], deadline = 0, r[3];
	int tid;
	err_t e;

	*later = false;
	if (w[2] > INT32_MAX)
		return ERR_INVAL;
	tid = thread_of(c, w[2]);
	if (sigwait_take(c, tid, set, out))
		return ERR_OK;
	if (!timeout)
		return ERR_AGAIN;
	if (timeout != UINT64_MAX) {
		uint64_t now;
		if (timer_cap == CAP_NULL || !(now = cairn_now_ns()))
			return ERR_NOSYS;
		deadline = timeout > UINT64_MAX / 2 ? 0 : now + timeout;
	}
	if (!sigwaiter_room(c, tid))
		return ERR_AGAIN;
	if ((e = cairn_cap_op(CAP_OP_SAVE_REPLY, 0, CAP_NULL, 0, 0, r)))
		return e;
	sigwaiters[nsigwaiters++] = (struct sigwaiter){ c->pid, tid, set, deadline, r[0] };
	*later = true;
	if (deadline)
		timer_rearm();
	return ERR_OK;
}

uint64_t sigwaits_deadline(void)
{
	uint64_t first = 0;

	for (unsigned i = 0; i < nsigwaiters; i++)
		if (sigwaiters[i].deadline && (!first || sigwaiters[i].deadline < first))
			first = sigwaiters[i].deadline;
	return first;
}

void sigwaits_expire(uint64_t now)
{
	for (unsigned i = 0; i < nsigwaiters;) {
		if (sigwaiters[i].deadline && sigwaiters[i].deadline <= now) {
			cairn_send(sigwaiters[i].reply, cairn_tag(ERR_AGAIN, CAIRN_MSG_REGS, 0), 0, 0, 0, 0);
			sigwaiter_drop(i);
		} else {
			i++;
		}
	}
}


/* ---- signals for one thread ------------------------------------------------------------- */

/* A signal pending for one thread of a process (PS_TKILL, SIGEV_THREAD_ID):
 * only that thread's PS_SIGWAIT takes it. */
struct tsig {
	struct proc *p;              /* NULL: a free entry */
	int tid, sig;
	struct siginf si;
	uint64_t seq;                /* raised in this order */
};
static struct tsig tsigs[MAX_TSIGS];
static uint64_t tsig_seq;

/* The entry of p's thread tid to go first among set (lowest signal,
 * oldest instance), or -1. */
static int tsig_first(const struct proc *p, int tid, uint64_t set)
{
	int best = -1;

	for (int i = 0; i < MAX_TSIGS; i++) {
		const struct tsig *t = &tsigs[i];
		if (t->p != p || t->tid != tid || !(set & sigbit(t->sig)))
			continue;
		if (best < 0 || t->sig < tsigs[best].sig ||
		    (t->sig == tsigs[best].sig && t->seq < tsigs[best].seq))
			best = i;
	}
	return best;
}

static bool tsig_take(struct proc *p, int tid, uint64_t set, int *sig, struct siginf *si)
{
	int i = tsig_first(p, tid, set);

	if (i < 0)
		return false;
	*sig = tsigs[i].sig;
	*si = tsigs[i].si;
	tsigs[i].p = NULL;
	if (si->timer)
		timer_taken(p, si, true);
	return true;
}

static struct siginf tsigs_si(int i)
{
	return tsigs[i].si;
}

/* Entry i (tsig_first's) goes: taken with siginfo *si. */
static void tsig_remove(struct proc *p, int i, struct siginf *si)
{
	tsigs[i].p = NULL;
	if (si->timer)
		timer_taken(p, si, true);
}

/* The signals pending for p's thread tid. */
static uint64_t tsig_set(const struct proc *p, int tid)
{
	uint64_t set = 0;

	for (int i = 0; i < MAX_TSIGS; i++)
		if (tsigs[i].p == p && tsigs[i].tid == tid)
			set |= sigbit(tsigs[i].sig);
	return set;
}

/* Every instance of sig pending for p's thread tid goes. */
static void tsig_discard(struct proc *p, int tid, int sig)
{
	for (int i = 0; i < MAX_TSIGS; i++)
		if (tsigs[i].p == p && tsigs[i].tid == tid && tsigs[i].sig == sig)
			tsigs[i].p = NULL;
}

/* Hands sig to the PS_SIGWAIT of p's thread tid waiting for it, if any. */
static bool tsig_to_waiter(struct proc *p, int tid, int sig, const struct siginf *si)
{
	for (unsigned i = 0; i < nsigwaiters; i++) {
		struct sigwaiter *w = &sigwaiters[i];
		struct siginf copy = *si;
		uint64_t out[4];
		bool sent;

		if (w->pid != p->pid || w->tid != tid || !(w->set & sigbit(sig)))
			continue;
		if (copy.timer)
			timer_taken(p, &copy, false);
		sig_answer_words(sig, &copy, out);
		sent = !cairn_send(w->reply, cairn_tag(0, CAIRN_MSG_REGS, 0), out[0], out[1], out[2],
				   out[3]);
		if (sent && copy.timer)
			timer_taken(p, &copy, true);
		sigwaiter_drop(i);
		return sent;             /* a thread waits once: no other call of tid */
	}
	return false;
}

static unsigned tsig_count(const struct proc *p)
{
	unsigned n = 0;

	for (int i = 0; i < MAX_TSIGS; i++)
		n += tsigs[i].p == p;
	return n;
}

err_t sig_raise_to(struct proc *p, int tid, int sig, const struct siginf *si, bool must_queue)
{
	struct sthread *t;
	uint64_t bit;
	int free = -1;

	if (!p || p->state != P_LIVE || sig < 1 || sig > NSIG_MAX)
		return ERR_OK;
	bit = sigbit(sig);
	/* the process's: SIGKILL, SIGSTOP, SIGCONT, a thread the server
	 * does not know */
	if (!tid || (bit & (UNBLOCKABLE | sigbit(POSIX_SIGCONT))) ||
	    !(t = sthread_find(p, (uint64_t)tid)))
		return sig_raise(p, sig, si, must_queue);
	/* a default action or SIG_IGN the thread does not block or wait
	 * for: the process's, as the action is (the same rules) */
	if (p->act[sig].disp != POSIX_SIG_HANDLE && !((t->mask | waited_by(p, t->tid)) & bit))
		return sig_raise(p, sig, si, must_queue);
	if (tsig_to_waiter(p, t->tid, sig, si))
		return ERR_OK;
	/* a standard signal pending for the thread already: merged */
	if (!is_rt(sig) && tsig_first(p, t->tid, bit) >= 0)
		return ERR_OK;
	for (int i = 0; i < MAX_TSIGS && free < 0; i++)
		if (!tsigs[i].p)
			free = i;
	if (free < 0 || tsig_count(p) >= POSIX_TSIG_MAX)
		return must_queue ? ERR_AGAIN : ERR_OK;
	tsigs[free] = (struct tsig){ p, t->tid, sig, *si, ++tsig_seq };
	mark_work(p);
	return ERR_OK;
}

void tsigs_drop(struct proc *p)
{
	for (int i = 0; i < MAX_TSIGS; i++)
		if (tsigs[i].p == p)
			tsigs[i].p = NULL;
}

bool sig_timer_pending(const struct proc *p, int sig, uint32_t timer)
{
	uint64_t bit = sigbit(sig);

	for (int i = 0; i < MAX_TSIGS; i++)
		if (tsigs[i].p == p && tsigs[i].si.timer == timer)
			return true;
	for (unsigned i = 0; i < p->nq; i++)
		if (p->q[i].si.timer == timer)
			return true;
	if (is_rt(sig))
		return (p->rt_over & bit) && p->info[sig].timer == timer;
	return (p->pending & bit) && p->info[sig].timer == timer;
}

void sig_timer_drop(struct proc *p, int sig, uint32_t timer)
{
	uint64_t bit = sigbit(sig);
	unsigned n = 0;

	for (int i = 0; i < MAX_TSIGS; i++)
		if (tsigs[i].p == p && tsigs[i].si.timer == timer)
			tsigs[i].p = NULL;
	for (unsigned i = 0; i < p->nq; i++)
		if (p->q[i].si.timer != timer)
			p->q[n++] = p->q[i];
	p->nq = n;
	if (is_rt(sig)) {
		if ((p->rt_over & bit) && p->info[sig].timer == timer)
			p->rt_over &= ~bit;
		if (!(p->rt_over & bit) && !queued(p, sig))
			p->pending &= ~bit;
	} else if ((p->pending & bit) && p->info[sig].timer == timer) {
		p->pending &= ~bit;
	}
}

/* tgkill, pthread_kill, pthread_sigqueue (w[2]: POSIX_TKILL_CODE and
 * the si_code, else SI_TKILL; w[3] si_value): sig 0 only checks that
 * the thread is. */
err_t ps_tkill(struct proc *c, const uint64_t w[4])
{
	uint64_t tid = w[0], sig = w[1];
	int32_t code = w[2] & POSIX_TKILL_CODE ? (int32_t)w[2] : POSIX_SI_TKILL;

	if (sig > NSIG_MAX || !tid || tid > INT32_MAX || (w[2] & ~(POSIX_TKILL_CODE | 0xffffffffu)))
		return ERR_INVAL;
	if (!sthread_find(c, tid))
		return ERR_SRCH;
	if (!sig)
		return ERR_OK;
	return sig_raise_to(c, (int)tid, (int)sig,
			    &(struct siginf){ (uint32_t)c->pid, code, w[3], 0, 0 }, is_rt((int)sig));
}

/* ---- threads --------------------------------------------------------------------------------- */

struct sthread *sthread_find(struct proc *p, uint64_t tid)
{
	if (!tid || tid == (uint64_t)p->pid) {
		p->main.p = p;
		return &p->main;
	}
	if (tid > INT32_MAX)
		return NULL;
	for (struct sthread *t = p->threads; t; t = t->next)
		if (t->tid == (int)tid)
			return t;
	return NULL;
}

/* p's threads, the main one first: for (t = NULL; (t = sthread_next(p, t));) */
static struct sthread *sthread_next(struct proc *p, struct sthread *t)
{
	if (!t) {
		p->main.p = p;
		return &p->main;
	}
	return t == &p->main ? p->threads : t->next;
}

/* A registered thread goes, with the signals pending for it (as on
 * Linux) and its sigtimedwait. */
static void sthread_drop(struct sthread *t)
{
	struct proc *p = t->p;
	struct sthread **pp = &p->threads;

	for (int i = 0; i < MAX_TSIGS; i++)
		if (tsigs[i].p == p && tsigs[i].tid == t->tid)
			tsigs[i].p = NULL;
	for (unsigned i = 0; i < nsigwaiters;) {
		if (sigwaiters[i].pid == p->pid && sigwaiters[i].tid == t->tid)
			sigwaiter_drop(i);
		else
			i++;
	}
	cairn_cap_delete(t->kthread);
	while (*pp != t)
		pp = &(*pp)->next;
	*pp = t->next;
	free(t);
	p->nthreads--;
}

void sthreads_drop(struct proc *p)
{
	while (p->threads)
		sthread_drop(p->threads);
}

err_t ps_thread(struct proc *c, const uint64_t w[4], cap_t kthread)
{
	uint64_t tid = w[1];
	struct sthread *t, *creator, **pp;

	if (!tid || tid == (uint64_t)c->pid || tid > INT32_MAX)
		return ERR_INVAL;
	t = sthread_find(c, tid);
	switch (w[0]) {
	case POSIX_THREAD_NEW:
		if (t || kthread == CAP_NULL || !(creator = sthread_find(c, w[2])))
			return ERR_INVAL;
		if (c->nthreads >= c->quota / STHREAD_QUOTA || !(t = malloc(sizeof(*t))))
			return ERR_AGAIN;
		*t = (struct sthread){ .p = c, .tid = (int)tid, .kthread = kthread,
				       .mask = creator->mask, .policy = creator->policy,
				       .rtprio = creator->rtprio,
				       .reset_on_fork = creator->reset_on_fork };
		for (pp = &c->threads; *pp; pp = &(*pp)->next)
			;
		*pp = t;
		c->nthreads++;
		return ERR_OK;
	case POSIX_THREAD_END:
		if (!t)
			return ERR_INVAL;
		sthread_drop(t);
		mark_work(c);
		return ERR_OK;
	default:
		return ERR_INVAL;
	}
}
