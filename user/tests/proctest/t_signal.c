/* SPDX-License-Identifier: MIT */
/*
 * kill and signals: default actions, handlers run through THREAD_UPCALL
 * (sig_stub in main.c), masks, SIGCHLD, stop and continue.
 */
#include "proctest.h"

#define POLL(cond, ms)                                                    \
	do {                                                              \
		for (unsigned i_ = 0; i_ < (ms) && !(cond); i_ += 2)      \
			sleep_ms(2);                                      \
	} while (0)

static int child_gate(uint64_t code)
{
	shared[0] = 1;
	gate_wait();
	return (int)code;
}

static uint64_t mask_now(void)
{
	uint64_t r[4];

	ps(PS_SIGMASK, 0 /* SIG_BLOCK */, 0, 0, 0, r);
	return r[0];
}

void t_kill_term(void)
{
	int pid = fork_fn(child_gate, 0), wp, st;

	CHECK(pid > 1, "fork: %d", pid);
	CHECK_OK(ps_kill(pid, SIGTERM));
	CHECK_OK(ps_wait(pid, 0, &wp, &st));
	CHECK(st == SIGTERM, "status %#x, want SIGTERM", st);
	pid = fork_fn(child_gate, 0);
	CHECK(pid > 1, "fork: %d", pid);
	CHECK_OK(ps_kill(pid, SIGUSR2));
	CHECK_OK(ps_wait(pid, 0, &wp, &st));
	CHECK(st == SIGUSR2, "status %#x, want SIGUSR2", st);
}

static int child_ignores_term(uint64_t arg)
{
	if (ignore_signal(SIGTERM))
		return 1;
	shared[0] = 1;
	gate_wait();
	return 0;
}

void t_kill_sigkill(void)
{
	int pid, wp, st;

	EXPECT_ERR(handle_signal(SIGKILL, 0, 0), ERR_INVAL);
	EXPECT_ERR(ignore_signal(SIGKILL), ERR_INVAL);
	pid = fork_fn(child_ignores_term, 0);
	CHECK(pid > 1, "fork: %d", pid);
	POLL(shared[0], 1000);
	CHECK(shared[0], "the child did not get ready");
	CHECK_OK(ps_kill(pid, SIGTERM));               /* ignored */
	sleep_ms(10);
	CHECK_OK(ps_wait(pid, WNOHANG, &wp, &st));
	CHECK(wp == 0, "an ignored SIGTERM ended it: %#x", st);
	/* blocking does not stop SIGKILL either */
	CHECK_OK(ps_kill(pid, SIGKILL));
	CHECK_OK(ps_wait(pid, 0, &wp, &st));
	CHECK(st == SIGKILL, "status %#x, want SIGKILL", st);
}

void t_kill_errors(void)
{
	EXPECT_ERR(ps_kill(30000, 0), ERR_SRCH);
	EXPECT_ERR(ps_kill(30000, SIGTERM), ERR_SRCH);
	EXPECT_OK(ps_kill(1, 0));
	EXPECT_ERR(ps_kill(1, 65), ERR_INVAL);
	EXPECT_ERR(ps_kill(1, -1), ERR_INVAL);
	EXPECT_ERR(ps_kill(-30000, 0), ERR_SRCH);
	EXPECT_ERR(ps_kill(-1, 0), ERR_SRCH);          /* nobody but pid 1 */
	EXPECT_OK(ps_kill(0, 0));                      /* our own group */
}

/* POSIX_KILL_LIVE: a zombie counts as gone (musl-port's pipe locks); for
 * a plain kill it is still there until it is reaped */
void t_kill_live_flag(void)
{
	int pid, wp, st, gone = 0;

	shared[0] = 0;
	pid = fork_fn(child_gate, 5);
	CHECK(pid > 1, "fork: %d", pid);
	POLL(shared[0], 1000);
	EXPECT_OK(ps(PS_KILL, (uint64_t)pid, 0, POSIX_KILL_LIVE, 0, NULL));
	gate_open();
	for (int i = 0; i < 500 && !gone; i++) {
		gone = ps(PS_KILL, (uint64_t)pid, 0, POSIX_KILL_LIVE, 0, NULL) == ERR_SRCH;
		if (!gone)
			sleep_ms(2);
	}
	CHECK(gone, "a zombie is not live");
	EXPECT_OK(ps_kill(pid, 0));                    /* but it exists */
	CHECK_OK(ps_wait(pid, 0, &wp, &st));
	CHECK(wp == pid && st == 5 << 8, "wait: %d %#x", wp, st);
	EXPECT_ERR(ps_kill(pid, 0), ERR_SRCH);
	EXPECT_ERR(ps(PS_KILL, (uint64_t)pid, 0, POSIX_KILL_LIVE, 0, NULL), ERR_SRCH);
	EXPECT_OK(ps(PS_KILL, 1, 0, POSIX_KILL_LIVE, 0, NULL));
}

/* POSIX_KILL_PGRP: -1 names group 1 (the console server's ^C to it) */
static int child_counts_usr1(uint64_t arg)
{
	shared[0] = 1;
	for (int i = 0; i < 500 && !got[SIGUSR1]; i++)
		sleep_ms(2);
	return 10 + (int)got[SIGUSR1];
}

void t_kill_pgrp_flag(void)
{
	int pid, wp, st;

	EXPECT_ERR(ps(PS_KILL, 1, 0, POSIX_KILL_PGRP, 0, NULL), ERR_INVAL);
	EXPECT_ERR(ps(PS_KILL, (uint64_t)-1, 0, 4, 0, NULL), ERR_INVAL);
	EXPECT_ERR(ps(PS_KILL, (uint64_t)-30000, 0, POSIX_KILL_PGRP, 0, NULL), ERR_SRCH);
	CHECK_OK(handle_signal(SIGUSR1, 0, 0));
	pid = fork_fn(child_counts_usr1, 0);
	CHECK(pid > 1, "fork: %d", pid);
	POLL(shared[0], 1000);
	CHECK_OK(ps(PS_KILL, (uint64_t)-1, SIGUSR1, POSIX_KILL_PGRP, 0, NULL));
	CHECK(got[SIGUSR1] == 1, "group 1: our handler ran %u times", got[SIGUSR1]);
	CHECK_OK(ps_wait(pid, 0, &wp, &st));
	CHECK(st == 11 << 8, "group 1: the child's handler ran %d times", (st >> 8) - 10);
}

void t_kill_all(void)
{
	int a = fork_fn(child_gate, 0), b = fork_fn(child_gate, 0), wp, st;

	CHECK(a > 1 && b > 1, "fork: %d %d", a, b);
	CHECK_OK(ps_kill(-1, SIGTERM));                /* not us: pid 1 and the caller are spared */
	for (int i = 0; i < 2; i++) {
		CHECK_OK(ps_wait(-1, 0, &wp, &st));
		CHECK((wp == a || wp == b) && st == SIGTERM, "pid %d status %#x", wp, st);
	}
}

void t_signal_self(void)
{
	CHECK_OK(handle_signal(SIGUSR1, 0, 0));
	CHECK_OK(ps_kill(1, SIGUSR1));
	/* delivered on the way out of that very call */
	CHECK(got[SIGUSR1] == 1, "the handler ran %u times", got[SIGUSR1]);
	CHECK((last_arg & 0xff) == SIGUSR1 && last_arg >> 32 == 1,
	      "upcall argument %#lx, want signal %d from pid 1", (unsigned long)last_arg, SIGUSR1);
	CHECK(mask_in_handler & sigbit(SIGUSR1), "SIGUSR1 not masked in its handler (%#lx)",
	      (unsigned long)mask_in_handler);
	CHECK(mask_now() == 0, "the mask after the handler: %#lx", (unsigned long)mask_now());
	CHECK_OK(ps_kill(0, SIGUSR1));                 /* our group: just us */
	CHECK(got[SIGUSR1] == 2, "the handler ran %u times", got[SIGUSR1]);
}

void t_signal_mask(void)
{
	uint64_t r[4];

	CHECK_OK(handle_signal(SIGUSR2, 0, 0));
	CHECK_OK(ps(PS_SIGMASK, 0 /* SIG_BLOCK */, sigbit(SIGUSR2) | sigbit(SIGKILL), 0, 0, r));
	CHECK(r[0] == 0, "old mask %#lx", (unsigned long)r[0]);
	CHECK(mask_now() == sigbit(SIGUSR2), "mask %#lx: SIGKILL must not be blockable",
	      (unsigned long)mask_now());
	CHECK_OK(ps_kill(1, SIGUSR2));
	CHECK_OK(ps_kill(1, SIGUSR2));                 /* one pending instance */
	CHECK(got[SIGUSR2] == 0, "a blocked signal ran its handler");
	CHECK_OK(ps(PS_SIGPENDING, 0, 0, 0, 0, r));
	CHECK(r[0] == sigbit(SIGUSR2), "pending %#lx", (unsigned long)r[0]);
	CHECK_OK(ps(PS_SIGMASK, 1 /* SIG_UNBLOCK */, sigbit(SIGUSR2), 0, 0, r));
	CHECK(got[SIGUSR2] == 1, "after unblocking the handler ran %u times", got[SIGUSR2]);
	CHECK_OK(ps(PS_SIGPENDING, 0, 0, 0, 0, r));
	CHECK(r[0] == 0, "pending %#lx", (unsigned long)r[0]);
	EXPECT_ERR(ps(PS_SIGMASK, 7, 0, 0, 0, NULL), ERR_INVAL);
	EXPECT_ERR(ps(PS_SIGRETURN_DONE, SIGUSR2, 0, 0, 0, NULL), ERR_INVAL);
}

void t_signal_flags(void)
{
	uint64_t r[4];

	/* sa_mask is added while the handler runs */
	CHECK_OK(handle_signal(SIGUSR1, 0, sigbit(SIGUSR2) | sigbit(SIGHUP)));
	CHECK_OK(ps_kill(1, SIGUSR1));
	CHECK(got[SIGUSR1] == 1, "the handler ran %u times", got[SIGUSR1]);
	CHECK(mask_in_handler == (sigbit(SIGUSR1) | sigbit(SIGUSR2) | sigbit(SIGHUP)),
	      "mask in the handler %#lx", (unsigned long)mask_in_handler);
	CHECK(mask_now() == 0, "mask after %#lx", (unsigned long)mask_now());
	/* SA_NODEFER: the signal itself is not masked */
	CHECK_OK(handle_signal(SIGUSR1, SA_NODEFER, 0));
	CHECK_OK(ps_kill(1, SIGUSR1));
	CHECK(got[SIGUSR1] == 2 && mask_in_handler == 0, "NODEFER: ran %u, mask %#lx",
	      got[SIGUSR1], (unsigned long)mask_in_handler);
	/* SA_RESETHAND: back to SIG_DFL once delivered */
	CHECK_OK(handle_signal(SIGHUP, SA_RESETHAND, 0));
	CHECK_OK(ps_kill(1, SIGHUP));
	CHECK(got[SIGHUP] == 1, "RESETHAND: ran %u times", got[SIGHUP]);
	CHECK_OK(ps(PS_SIGACTION, SIGHUP, POSIX_SIG_IGN, 0, 0, r));
	CHECK(r[0] == POSIX_SIG_DFL, "after a RESETHAND delivery the disposition is %#lx",
	      (unsigned long)r[0]);
	/* a delivery ended with a mask of its own (siglongjmp) */
	sigreturn_set = sigbit(SIGUSR2);
	CHECK_OK(ps_kill(1, SIGUSR1));
	CHECK(got[SIGUSR1] == 3, "the handler ran %u times", got[SIGUSR1]);
	CHECK(mask_now() == sigbit(SIGUSR2), "mask after PS_SIGRETURN_DONE(sig, 1, set): %#lx",
	      (unsigned long)mask_now());
}

/* What the code a delivery interrupts does with the mask while the
 * handler's upcall is on its way (on several CPUs it may get there
 * first): with POSIX_SIGMASK_OUTSIDE the server answers the mask from
 * before the delivery and keeps the change past the handler's end. The
 * hook plays that code from inside the handler, where the server cannot
 * tell the difference. */
static uint64_t outside_old, outside_old_inner;

static void outside_hook(int sig)
{
	uint64_t r[4];

	if (sig != SIGUSR1)
		return;
	if (!ps(PS_SIGMASK, POSIX_SIG_BLOCK, sigbit(SIGHUP), POSIX_SIGMASK_OUTSIDE, 0, r))
		outside_old = r[0];
	/* the handler's own view: its mask, with what the outside added */
	if (!ps(PS_SIGMASK, POSIX_SIG_BLOCK, 0, 0, 0, r))
		outside_old_inner = r[0];
}

void t_signal_mask_outside(void)
{
	uint64_t r[4];

	CHECK_OK(ps(PS_SIGMASK, POSIX_SIG_SETMASK, sigbit(SIGTERM), 0, 0, NULL));
	CHECK_OK(handle_signal(SIGUSR1, 0, sigbit(SIGUSR2)));
	outside_old = outside_old_inner = 0;
	in_handler_hook = outside_hook;
	CHECK_OK(ps_kill(1, SIGUSR1));
	in_handler_hook = NULL;
	CHECK(got[SIGUSR1] >= 1, "the handler did not run");
	/* not the handler's mask (SIGUSR1, SIGUSR2 and SIGTERM): the one it
	 * interrupted */
	CHECK(outside_old == sigbit(SIGTERM), "old mask %#lx, want %#lx", (unsigned long)outside_old,
	      (unsigned long)sigbit(SIGTERM));
	CHECK(outside_old_inner == (sigbit(SIGTERM) | sigbit(SIGUSR1) | sigbit(SIGUSR2) | sigbit(SIGHUP)),
	      "the handler's mask %#lx", (unsigned long)outside_old_inner);
	/* the outside change outlives the handler's end; the handler's does not */
	CHECK(mask_now() == (sigbit(SIGTERM) | sigbit(SIGHUP)), "mask after the handler %#lx",
	      (unsigned long)mask_now());
	EXPECT_ERR(ps(PS_SIGMASK, POSIX_SIG_BLOCK, 0, 2, 0, r), ERR_INVAL);
	CHECK_OK(ps(PS_SIGMASK, POSIX_SIG_SETMASK, 0, 0, 0, NULL));
	CHECK_OK(default_signal(SIGUSR1));
}

void t_sigaction_errors(void)
{
	uint64_t r[4];

	EXPECT_ERR(handle_signal(0, 0, 0), ERR_INVAL);
	EXPECT_ERR(handle_signal(65, 0, 0), ERR_INVAL);
	EXPECT_ERR(ignore_signal(SIGSTOP), ERR_INVAL);
	EXPECT_ERR(ps(PS_SIGACTION, SIGUSR1, POSIX_SIG_HANDLE, 0, 0, NULL), ERR_INVAL);
	EXPECT_ERR(ps(PS_SIGACTION, SIGUSR1, 3, 0, 0, NULL), ERR_INVAL);
	EXPECT_OK(default_signal(SIGKILL));
	/* the old action comes back */
	CHECK_OK(handle_signal(SIGALRM, SA_NOCLDSTOP, sigbit(SIGINT)));
	CHECK_OK(ps(PS_SIGACTION, SIGALRM, POSIX_SIG_DFL, 0, 0, r));
	CHECK(r[0] == (POSIX_SIG_HANDLE | (uint64_t)SA_NOCLDSTOP << 32) &&
	      r[1] == (uint64_t)sig_stub && r[2] == sigbit(SIGINT),
	      "old action %#lx %#lx %#lx", (unsigned long)r[0], (unsigned long)r[1],
	      (unsigned long)r[2]);
}

/* Waits for SIGUSR1 (the handler is inherited from the parent). */
static int child_waits_usr1(uint64_t arg)
{
	shared[0] = 1;
	for (int i = 0; i < 500 && !got[SIGUSR1]; i++)
		sleep_ms(2);
	shared[1] = last_arg >> 32;
	return 10 + (int)got[SIGUSR1];
}

void t_signal_child(void)
{
	int pid, wp, st;

	CHECK_OK(handle_signal(SIGUSR1, 0, 0));
	pid = fork_fn(child_waits_usr1, 0);
	CHECK(pid > 1, "fork: %d", pid);
	POLL(shared[0], 1000);
	CHECK_OK(ps_kill(pid, SIGUSR1));
	CHECK_OK(ps_wait(pid, 0, &wp, &st));
	CHECK(st == 11 << 8, "status %#x: the child's handler ran %d times", st, (st >> 8) - 10);
	CHECK(shared[1] == 1, "the child saw the signal come from %lu", (unsigned long)shared[1]);
	CHECK(got[SIGUSR1] == 0, "the parent's handler ran");
}

/* Blocks on the gate once: an upcall interrupts the wait (ERR_INTR). */
static int child_blocked(uint64_t arg)
{
	err_t e;

	shared[0] = 1;
	e = cairn_wait(gate, CAIRN_FOREVER, NULL);
	return 20 + (e == ERR_INTR) + 2 * (int)got[SIGUSR1];
}

void t_signal_interrupts(void)
{
	int pid, wp, st;

	CHECK_OK(handle_signal(SIGUSR1, 0, 0));
	pid = fork_fn(child_blocked, 0);
	CHECK(pid > 1, "fork: %d", pid);
	POLL(shared[0], 1000);
	sleep_ms(10);                                 /* let it block */
	CHECK_OK(ps_kill(pid, SIGUSR1));
	CHECK_OK(ps_wait(pid, 0, &wp, &st));
	CHECK(st == 23 << 8, "status %#x: want the wait interrupted (EINTR) and the handler run", st);
}

void t_signal_ignored(void)
{
	uint64_t r[4];
	int pid, wp, st;

	/* ignored: discarded, not pending */
	CHECK_OK(ignore_signal(SIGUSR1));
	CHECK_OK(ps_kill(1, SIGUSR1));
	CHECK_OK(ps(PS_SIGPENDING, 0, 0, 0, 0, r));
	CHECK(r[0] == 0, "pending %#lx", (unsigned long)r[0]);
	/* default-ignored signals (SIGCHLD, SIGCONT) do nothing to a process */
	pid = fork_fn(child_gate, 5);
	CHECK(pid > 1, "fork: %d", pid);
	CHECK_OK(ps_kill(pid, SIGCHLD));
	CHECK_OK(ps_kill(pid, SIGCONT));
	sleep_ms(5);
	CHECK_OK(ps_wait(pid, WNOHANG, &wp, &st));
	CHECK(wp == 0, "a default-ignored signal ended it: %#x", st);
	/* a child inherits SIG_IGN */
	CHECK_OK(ps_kill(pid, SIGUSR1));
	sleep_ms(5);
	CHECK_OK(ps_wait(pid, WNOHANG, &wp, &st));
	CHECK(wp == 0, "an inherited SIG_IGN did not hold: %#x", st);
	gate_open();
	CHECK_OK(ps_wait(pid, 0, &wp, &st));
	CHECK(st == 5 << 8, "status %#x", st);
}

static int child_code(uint64_t code)
{
	return (int)code;
}

void t_sigchld_handler(void)
{
	int pid, wp, st;

	CHECK_OK(handle_signal(SIGCHLD, 0, 0));
	pid = fork_fn(child_code, 0);
	CHECK(pid > 1, "fork: %d", pid);
	/* with several CPUs the SIGCHLD can end the wait before the server
	 * saw it (ERR_INTR, the call not made): the child is waitable then */
	err_t e = ps_wait(pid, 0, &wp, &st);
	if (e == ERR_INTR)
		e = ps_wait(pid, WNOHANG, &wp, &st);
	CHECK(e == ERR_OK && wp == pid, "wait: %s, pid %d (child %d)", err_name(e), wp, pid);
	POLL(got[SIGCHLD], 500);
	CHECK(got[SIGCHLD] == 1, "SIGCHLD handler ran %u times", got[SIGCHLD]);
	CHECK((last_arg & 0xff) == SIGCHLD && (int)(last_arg >> 32) == pid,
	      "upcall argument %#lx (child %d)", (unsigned long)last_arg, pid);
}

void t_sigchld_ignored(void)
{
	int pid, wp, st;

	CHECK_OK(ignore_signal(SIGCHLD));
	pid = fork_fn(child_code, 0);
	CHECK(pid > 1, "fork: %d", pid);
	/* no zombie: the wait blocks until it is gone, then finds no child */
	CHECK_ERR(ps_wait(-1, 0, &wp, &st), ERR_CHILD);
	EXPECT_ERR(ps_kill(pid, 0), ERR_SRCH);
}

static __attribute__((noreturn)) int child_spins(uint64_t arg)
{
	for (;;)
		shared[0] = shared[0] + 1;
}

/* Stopping a child blocked in a call: it is reported stopped and continues. */
void t_stop_blocked(void)
{
	int pid = fork_fn(child_gate, 12), wp, st;

	CHECK(pid > 1, "fork: %d", pid);
	POLL(shared[0], 1000);
	sleep_ms(5);
	CHECK_OK(ps_kill(pid, SIGSTOP));
	CHECK_OK(ps_wait(pid, WUNTRACED, &wp, &st));
	CHECK(st == (0x7f | SIGSTOP << 8), "status %#x, want stopped", st);
	CHECK_OK(ps_kill(pid, SIGCONT));
	CHECK_OK(ps_wait(pid, WCONTINUED, &wp, &st));
	CHECK(st == 0xffff, "status %#x, want continued", st);
	gate_open();
	CHECK_OK(ps_wait(pid, 0, &wp, &st));
	CHECK(st == 12 << 8, "status %#x", st);
}

void t_stop_continue(void)
{
	int pid, wp, st;
	uint64_t v1, v2;

	pid = fork_fn(child_spins, 0);
	CHECK(pid > 1, "fork: %d", pid);
	POLL(shared[0], 1000);
	CHECK(shared[0], "the child does not run");
	CHECK_OK(ps_kill(pid, SIGSTOP));
	CHECK_OK(ps_wait(pid, WNOHANG, &wp, &st));
	CHECK(wp == 0, "a stop reported without WUNTRACED: %#x", st);
	CHECK_OK(ps_wait(pid, WUNTRACED, &wp, &st));
	CHECK(wp == pid && st == (0x7f | SIGSTOP << 8), "pid %d status %#x, want stopped", wp, st);
	v1 = shared[0];
	sleep_ms(50);
	v2 = shared[0];
	CHECK(v1 == v2, "a stopped child ran: %lu -> %lu", (unsigned long)v1, (unsigned long)v2);
	CHECK_OK(ps_wait(pid, WUNTRACED | WNOHANG, &wp, &st));
	CHECK(wp == 0, "the stop was reported twice");
	CHECK_OK(ps_kill(pid, SIGCONT));
	CHECK_OK(ps_wait(pid, WCONTINUED, &wp, &st));
	CHECK(wp == pid && st == 0xffff, "pid %d status %#x, want continued", wp, st);
	POLL(shared[0] != v2, 500);
	CHECK(shared[0] != v2, "a continued child does not run");
	/* a stop by SIGTSTP (default action stop), then SIGKILL while stopped;
	 * in a group of its own (with its parent outside, in the session):
	 * group 1, whose leader has no parent, is orphaned and would drop it */
	CHECK_OK(ps(PS_SETPGID, (uint64_t)pid, 0, 0, 0, NULL));
	CHECK_OK(ps_kill(pid, SIGTSTP));
	CHECK_OK(ps_wait(pid, WUNTRACED, &wp, &st));
	CHECK(st == (0x7f | SIGTSTP << 8), "status %#x, want stopped by SIGTSTP", st);
	CHECK_OK(ps_kill(pid, SIGKILL));
	CHECK_OK(ps_wait(pid, 0, &wp, &st));
	CHECK(st == SIGKILL, "status %#x, want SIGKILL", st);
}

static int child_faults(uint64_t arg)
{
	if (arg)
		ps(PS_SIGMASK, 0 /* SIG_BLOCK */, sigbit(SIGSEGV), 0, 0, NULL);
	*(volatile int *)0xdead000 = 1;
	return 1;
}

void t_fault_handler(void)
{
	int pid, wp, st;

	CHECK_OK(handle_signal(SIGSEGV, 0, 0));
	/* the handler returns once (the write is tried again), exits the second time */
	segv_exit_after = 2;
	pid = fork_fn(child_faults, 0);
	CHECK(pid > 1, "fork: %d", pid);
	CHECK_OK(ps_wait(pid, 0, &wp, &st));
	CHECK(st == 72 << 8, "status %#x, want exit 72 from the second SIGSEGV handler", st);
	/* blocked: the fault ends the process */
	pid = fork_fn(child_faults, 1);
	CHECK(pid > 1, "fork: %d", pid);
	CHECK_OK(ps_wait(pid, 0, &wp, &st));
	CHECK(st == SIGSEGV, "status %#x, want SIGSEGV", st);
	CHECK(got[SIGSEGV] == 0, "the parent's handler ran");
}

static int child_alarm(uint64_t ms)
{
	if (ps(PS_SETITIMER, 0, ms * 1000000, 0, 0, NULL))
		return 1;
	shared[0] = 1;
	gate_wait();
	return 2;
}

void t_itimer(void)
{
	uint64_t r[4];
	unsigned n;
	int pid, wp, st;

	CHECK_OK(ps(PS_SETITIMER, 0, 0, 0, 1, r));
	CHECK(r[0] == 0 && r[1] == 0, "a timer before any was set: %lu %lu", (unsigned long)r[0],
	      (unsigned long)r[1]);
	EXPECT_ERR(ps(PS_SETITIMER, 3, 1000000, 0, 0, NULL), ERR_INVAL);   /* 1, 2: VIRTUAL, PROF */
	CHECK_OK(ps(PS_SETITIMER, 1, 0, 0, 1, r));
	CHECK(r[0] == 0 && r[1] == 0, "ITIMER_VIRTUAL before any was set: %lu %lu", (unsigned long)r[0],
	      (unsigned long)r[1]);
	CHECK_OK(handle_signal(SIGALRM, 0, 0));
	/* one shot */
	CHECK_OK(ps(PS_SETITIMER, 0, 30000000, 0, 0, r));
	CHECK_OK(ps(PS_SETITIMER, 0, 0, 0, 1, r));
	CHECK(r[0] > 0 && r[0] <= 30000000, "remaining %lu ns", (unsigned long)r[0]);
	for (int i = 0; i < 100 && !got[SIGALRM]; i++)
		sleep_ms(5);
	CHECK(got[SIGALRM] == 1, "SIGALRM came %u times", got[SIGALRM]);
	CHECK((last_arg & 0xff) == SIGALRM && last_arg >> 32 == 0, "upcall argument %#lx",
	      (unsigned long)last_arg);
	CHECK_OK(ps(PS_SETITIMER, 0, 0, 0, 1, r));
	CHECK(r[0] == 0, "a one-shot timer still armed: %lu", (unsigned long)r[0]);
	/* periodic, then disarmed */
	CHECK_OK(ps(PS_SETITIMER, 0, 20000000, 20000000, 0, NULL));
	for (int i = 0; i < 200 && got[SIGALRM] < 4; i++)
		sleep_ms(5);
	CHECK(got[SIGALRM] >= 4, "periodic: SIGALRM came %u times", got[SIGALRM]);
	CHECK_OK(ps(PS_SETITIMER, 0, 0, 0, 0, r));
	CHECK(r[1] == 20000000, "old interval %lu", (unsigned long)r[1]);
	n = got[SIGALRM];
	sleep_ms(60);
	CHECK(got[SIGALRM] == n, "a disarmed timer went on: %u -> %u", n, got[SIGALRM]);
	/* default action: the child ends by SIGALRM */
	CHECK_OK(default_signal(SIGALRM));
	pid = fork_fn(child_alarm, 20);
	CHECK(pid > 1, "fork: %d", pid);
	CHECK_OK(ps_wait(pid, 0, &wp, &st));
	CHECK(st == SIGALRM, "status %#x, want SIGALRM", st);
}

/* A session leader with a stopped child in a group of its own, then the
 * leader's end: the child's group becomes orphaned (its only parent in the
 * session but outside the group is gone) with a stopped member, so SIGHUP
 * (and SIGCONT) end it. A child left stopped in the leader's own group
 * gets nothing: that group was orphaned from the start (the leader's
 * parent is in another session), as on Linux. */
static int grandchild_stops(uint64_t own_group)
{
	uint64_t r[4];

	if (ps(PS_GETPID, 0, 0, 0, 0, r))
		return 1;
	if (own_group && ps(PS_SETPGID, 0, 0, 0, 0, NULL))
		return 2;
	ps_kill((int64_t)r[0], SIGSTOP);
	return 3;
}

static int child_session_leader(uint64_t arg)
{
	int gc, wp, st;

	if (ps(PS_SETSID, 0, 0, 0, 0, NULL))
		return 1;
	gc = fork_fn(grandchild_stops, arg);
	if (gc <= 0)
		return 2;
	shared[0] = (uint64_t)gc;
	if (ps_wait(gc, WUNTRACED, &wp, &st) || st != (0x7f | SIGSTOP << 8))
		return 3;
	return 0;                         /* and the child's group becomes orphaned */
}

void t_orphaned_group(void)
{
	int pid, wp, st, gc;

	pid = fork_fn(child_session_leader, 1);
	CHECK(pid > 1, "fork: %d", pid);
	CHECK_OK(ps_wait(pid, 0, &wp, &st));
	CHECK(st == 0, "the session leader's check %d failed", st >> 8);
	gc = (int)shared[0];
	CHECK(gc > 1, "no grandchild");
	CHECK_OK(ps_wait(gc, 0, &wp, &st));
	CHECK(st == SIGHUP, "the stopped orphan: status %#x, want SIGHUP", st);
	/* in the leader's own group: still stopped, no SIGHUP */
	pid = fork_fn(child_session_leader, 0);
	CHECK(pid > 1, "fork: %d", pid);
	CHECK_OK(ps_wait(pid, 0, &wp, &st));
	CHECK(st == 0, "the session leader's check %d failed", st >> 8);
	gc = (int)shared[0];
	sleep_ms(20);
	EXPECT_ERR(ps_wait(gc, WNOHANG, &wp, &st), ERR_OK);
	CHECK(wp == 0, "the stopped child of an orphaned group changed: %d %#x", wp, st);
	CHECK_OK(ps_kill(gc, SIGKILL));
	CHECK_OK(ps_wait(gc, 0, &wp, &st));
	CHECK(st == SIGKILL, "status %#x, want SIGKILL", st);
}

/* ---- PS_SIGWAIT, PS_SIGQUEUE, PS_SIGINFO ---------------------------------------------------- */

static int child_kills_later(uint64_t sig)
{
	sleep_ms(30);
	return ps_kill(1, (int)sig) ? 1 : 0;
}

void t_sigwait(void);
void t_sigwait(void)
{
	uint64_t set = sigbit(SIGUSR1) | sigbit(SIGTERM), r[4];
	int pid, wp, st;

	CHECK_OK(handle_signal(SIGUSR1, 0, 0));
	CHECK_OK(handle_signal(SIGUSR2, 0, 0));
	CHECK_OK(ps(PS_SIGMASK, 0 /* SIG_BLOCK */, set, 0, 0, NULL));
	/* nothing pending: timeout 0 polls, a timeout ends with EAGAIN */
	CHECK_ERR(ps(PS_SIGWAIT, set, 0, 0, 0, NULL), ERR_AGAIN);
	CHECK_ERR(ps(PS_SIGWAIT, set, 20000000, 0, 0, NULL), ERR_AGAIN);
	/* pending: taken, lowest first, no handler; SIGKILL in the set is left out */
	CHECK_OK(ps_kill(1, SIGTERM));
	CHECK_OK(ps_kill(1, SIGUSR1));
	CHECK_OK(ps(PS_SIGWAIT, set | sigbit(SIGKILL), 0, 0, 0, r));
	CHECK(r[0] == SIGUSR1 && r[1] == 1, "took %lu from %#lx", (unsigned long)r[0],
	      (unsigned long)r[1]);
	CHECK_OK(ps(PS_SIGWAIT, set, 0, 0, 0, r));
	CHECK(r[0] == SIGTERM, "took %lu", (unsigned long)r[0]);
	CHECK_OK(ps(PS_SIGPENDING, 0, 0, 0, 0, r));
	CHECK(r[0] == 0 && got[SIGUSR1] == 0, "pending %#lx, handler ran %u times",
	      (unsigned long)r[0], got[SIGUSR1]);
	/* raised while the call waits, by a child: answered then, with its pid */
	pid = fork_fn(child_kills_later, SIGUSR1);
	CHECK(pid > 1, "fork: %d", pid);
	CHECK_OK(ps(PS_SIGWAIT, set, UINT64_MAX, 0, 0, r));
	CHECK(r[0] == SIGUSR1 && (uint32_t)r[1] == (uint32_t)pid && (r[1] >> 32) == 0,
	      "took %lu from %#lx (child %d)", (unsigned long)r[0], (unsigned long)r[1], pid);
	CHECK_OK(ps_wait(pid, 0, &wp, &st));
	/* a handled signal outside the set interrupts the wait */
	pid = fork_fn(child_kills_later, SIGUSR2);
	CHECK(pid > 1, "fork: %d", pid);
	CHECK_ERR(ps(PS_SIGWAIT, set, UINT64_MAX, 0, 0, NULL), ERR_INTR);
	CHECK(got[SIGUSR2] == 1, "SIGUSR2's handler ran %u times", got[SIGUSR2]);
	CHECK_OK(ps_wait(pid, 0, &wp, &st));
	/* the interrupted call cannot take a signal: it stays pending */
	CHECK_OK(ps_kill(1, SIGUSR1));
	CHECK_OK(ps(PS_SIGPENDING, 0, 0, 0, 0, r));
	CHECK(r[0] == sigbit(SIGUSR1), "pending %#lx", (unsigned long)r[0]);
	CHECK_OK(ps(PS_SIGWAIT, set, 0, 0, 0, r));
	CHECK(r[0] == SIGUSR1, "took %lu", (unsigned long)r[0]);
	/* SIGCHLD (ignored by default) is kept while waited for, even unblocked */
	pid = fork_fn(child_kills_later, SIGCHLD);
	CHECK(pid > 1, "fork: %d", pid);
	CHECK_OK(ps(PS_SIGWAIT, sigbit(SIGCHLD), 2000000000ull, 0, 0, r));
	CHECK(r[0] == SIGCHLD && (uint32_t)r[1] == (uint32_t)pid, "took %lu from %#lx",
	      (unsigned long)r[0], (unsigned long)r[1]);
	CHECK_OK(ps_wait(pid, 0, &wp, &st));
	CHECK(st == 0, "status %#x", st);
	CHECK_ERR(ps(PS_SIGINFO, 0, 0, 0, 0, NULL), ERR_INVAL);     /* no delivery */
}

static int child_queues(uint64_t arg)
{
	(void)arg;
	/* SI_USER's code from a process: only the kernel may */
	if (ps(PS_SIGQUEUE, 1, 40, 0, 5, NULL) != ERR_PERM)
		return 1;
	return ps(PS_SIGQUEUE, 1, 40, (uint32_t)POSIX_SI_QUEUE, 77, NULL) ? 2 : 0;
}

void t_sigqueue(void);
void t_sigqueue(void)
{
	uint64_t set = sigbit(40) | sigbit(41) | sigbit(SIGUSR1), r[4];
	uint32_t q = (uint32_t)POSIX_SI_QUEUE;
	int pid, wp, st, n;

	CHECK_OK(ps(PS_SIGMASK, 0 /* SIG_BLOCK */, set, 0, 0, NULL));
	EXPECT_ERR(ps(PS_SIGQUEUE, 1, 65, q, 0, NULL), ERR_INVAL);
	EXPECT_ERR(ps(PS_SIGQUEUE, 0, 40, q, 0, NULL), ERR_SRCH);
	EXPECT_ERR(ps(PS_SIGQUEUE, 30000, 40, q, 0, NULL), ERR_SRCH);
	CHECK_OK(ps(PS_SIGQUEUE, 1, 0, q, 0, NULL));                   /* exists */
	/* real-time signals queue, lowest number first, each in order */
	CHECK_OK(ps(PS_SIGQUEUE, 1, 41, q, 1, NULL));
	CHECK_OK(ps(PS_SIGQUEUE, 1, 40, q, 2, NULL));
	CHECK_OK(ps(PS_SIGQUEUE, 1, 41, q, 3, NULL));
	CHECK_OK(ps_kill(1, 40));                                      /* kill queues too */
	/* standard signals merge: the first one's value stays */
	CHECK_OK(ps(PS_SIGQUEUE, 1, SIGUSR1, q, 4, NULL));
	CHECK_OK(ps(PS_SIGQUEUE, 1, SIGUSR1, q, 5, NULL));
	static const uint64_t want[][3] = {
		{ SIGUSR1, 0xffffffffull, 4 }, { 40, 0xffffffffull, 2 }, { 40, 0, 0 },
		{ 41, 0xffffffffull, 1 }, { 41, 0xffffffffull, 3 },
	};
	for (unsigned i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		CHECK_OK(ps(PS_SIGWAIT, set, 0, 0, 0, r));
		CHECK(r[0] == want[i][0] && r[1] >> 32 == want[i][1] && (uint32_t)r[1] == 1 &&
		      r[2] == want[i][2], "%u: took %lu code %#lx value %lu", i, (unsigned long)r[0],
		      (unsigned long)(r[1] >> 32), (unsigned long)r[2]);
	}
	CHECK_ERR(ps(PS_SIGWAIT, set, 0, 0, 0, NULL), ERR_AGAIN);
	/* the queue's size, then EAGAIN (a kill still counts, merged) */
	for (n = 0; n < 100; n++)
		if (ps(PS_SIGQUEUE, 1, 40, q, (uint64_t)n, NULL))
			break;
	CHECK(n == POSIX_SIGQUEUE_MAX, "%d queued", n);
	EXPECT_ERR(ps(PS_SIGQUEUE, 1, 41, q, 0, NULL), ERR_AGAIN);
	CHECK_OK(ps_kill(1, 41));
	for (int i = 0; i < n; i++) {
		CHECK_OK(ps(PS_SIGWAIT, set, 0, 0, 0, r));
		CHECK(r[0] == 40 && r[2] == (uint64_t)i, "%d: took %lu value %lu", i,
		      (unsigned long)r[0], (unsigned long)r[2]);
	}
	CHECK_OK(ps(PS_SIGWAIT, set, 0, 0, 0, r));
	CHECK(r[0] == 41 && r[1] >> 32 == 0, "took %lu code %#lx", (unsigned long)r[0],
	      (unsigned long)(r[1] >> 32));
	CHECK_ERR(ps(PS_SIGWAIT, set, 0, 0, 0, NULL), ERR_AGAIN);
	/* from another process: its pid; the handler's upcall argument says
	 * SI_QUEUE and PS_SIGINFO gives the value */
	pid = fork_fn(child_queues, 0);
	CHECK(pid > 1, "fork: %d", pid);
	CHECK_OK(ps_wait(pid, 0, &wp, &st));
	CHECK(st == 0, "child status %#x", st);
	CHECK_OK(ps(PS_SIGWAIT, set, 0, 0, 0, r));
	CHECK(r[0] == 40 && (uint32_t)r[1] == (uint32_t)pid && r[1] >> 32 == q && r[2] == 77,
	      "took %lu from %#lx value %lu", (unsigned long)r[0], (unsigned long)r[1],
	      (unsigned long)r[2]);
	CHECK_OK(handle_signal(40, 0, 0));
	CHECK_OK(ps(PS_SIGQUEUE, 1, 40, q, 99, NULL));
	CHECK_OK(ps(PS_SIGMASK, 1 /* SIG_UNBLOCK */, set, 0, 0, NULL));
	CHECK(got[40] == 1 && (last_arg & 0xff) == 40 && posix_sig_arg_code(last_arg) == POSIX_SI_QUEUE &&
	      last_arg >> 32 == 1, "ran %u times, upcall argument %#lx", got[40],
	      (unsigned long)last_arg);
	/* a queued signal to an ignored disposition is dropped */
	CHECK_OK(ignore_signal(41));
	CHECK_OK(ps(PS_SIGQUEUE, 1, 41, q, 1, NULL));
	CHECK_OK(ps(PS_SIGPENDING, 0, 0, 0, 0, r));
	CHECK(r[0] == 0, "pending %#lx", (unsigned long)r[0]);
}
