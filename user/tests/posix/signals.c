// SPDX-License-Identifier: MIT
/*
 * Signals through the process server: default actions (terminate,
 * ignore, stop and continue, abort), handlers (plain and SA_SIGINFO with
 * the sender's pid, SA_RESETHAND, sa_mask), the mask
 * (sigprocmask, sigpending, delivery on unblock, SIGKILL unblockable),
 * sigsuspend, SIGCHLD (a handler, SIG_IGN: no zombies), SA_RESTART and
 * EINTR for a blocked read, the interval timer (SIGALRM), siglongjmp out
 * of a handler, a SIGSEGV handler, and a handler that uses stdio, errno
 * and the FPU while interrupting code that does too; sigtimedwait,
 * sigwaitinfo and sigwait (taken without the handler, timeouts, EINTR from
 * another signal's handler), sigqueue (values, real-time signals queued in
 * order, the queue's limit), sigaltstack (SA_ONSTACK, a stack that runs
 * out), handlers that nest (SA_NODEFER, another signal's, sa_mask). Expected list:
 * tests/harness/expected/posix-signals.txt.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include "posixtest.h"

static volatile sig_atomic_t hits[65], last_sig, nested_depth, max_depth;
static volatile pid_t last_pid;
static volatile int last_code;

static void msleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void on_sig(int sig)
{
	hits[sig]++;
	last_sig = sig;
}

static void on_info(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	hits[sig]++;
	last_sig = sig;
	last_pid = si->si_pid;
	last_code = si->si_code;
}

static void set_handler(int sig, void (*fn)(int), int flags)
{
	struct sigaction sa = { 0 };

	sa.sa_handler = fn;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static void reset_all(void)
{
	sigset_t none;

	for (int s = 1; s < 32; s++)
		if (s != SIGKILL && s != SIGSTOP)
			signal(s, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	memset((void *)hits, 0, sizeof(hits));
}

/* A child that waits (in a blocking read) until it is signalled. */
static pid_t waiting_child(int *wfd)
{
	int p[2];
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		char c;
		close(p[1]);
		while (read(p[0], &c, 1) != 0)
			;
		_exit(0);
	}
	close(p[0]);
	*wfd = p[1];
	return pid;
}

static void default_actions(void)
{
	int sigs[] = { SIGTERM, SIGUSR1, SIGINT, SIGHUP, SIGKILL }, st, w;

	for (unsigned i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		pid_t pid = waiting_child(&w);
		CHECK(kill(pid, sigs[i]) == 0);
		CHECK(waitpid(pid, &st, 0) == pid && WIFSIGNALED(st) && WTERMSIG(st) == sigs[i]);
		close(w);
	}
	/* ignored by default: nothing happens */
	CHECK(raise(SIGCHLD) == 0 && raise(SIGURG) == 0 && raise(SIGWINCH) == 0 && raise(SIGCONT) == 0);
	/* abort() ends with SIGABRT */
	pid_t pid = fork();
	if (pid == 0)
		abort();
	CHECK(waitpid(pid, &st, 0) == pid && WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT);
	/* SIG_IGN survives exec'less children too */
	signal(SIGTERM, SIG_IGN);
	pid = waiting_child(&w);
	CHECK(kill(pid, SIGTERM) == 0);
	msleep(10);
	CHECK(waitpid(pid, &st, WNOHANG) == 0);
	close(w);
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st));
	signal(SIGTERM, SIG_DFL);
}

static void stop_continue(void)
{
	int st, w;
	pid_t pid = waiting_child(&w);

	/* a group of its own: a terminal stop (SIGTSTP) to a member of an
	 * orphaned group (the first process's) would be dropped */
	CHECK(setpgid(pid, pid) == 0);
	CHECK(kill(pid, SIGSTOP) == 0);
	CHECK(waitpid(pid, &st, WUNTRACED) == pid && WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP);
	CHECK(kill(pid, SIGCONT) == 0);
	CHECK(waitpid(pid, &st, WCONTINUED) == pid && WIFCONTINUED(st));
	CHECK(kill(pid, SIGTSTP) == 0);
	CHECK(waitpid(pid, &st, WUNTRACED) == pid && WIFSTOPPED(st) && WSTOPSIG(st) == SIGTSTP);
	CHECK(kill(pid, SIGKILL) == 0);          /* a stopped process can be killed */
	CHECK(waitpid(pid, &st, 0) == pid && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	close(w);
}

static void handlers(void)
{
	struct sigaction sa = { 0 }, old;

	reset_all();
	set_handler(SIGUSR1, on_sig, 0);
	CHECK(kill(getpid(), SIGUSR1) == 0 && hits[SIGUSR1] == 1);   /* before kill returns */
	CHECK(raise(SIGUSR1) == 0 && hits[SIGUSR1] == 2);
	CHECK(sigaction(SIGUSR1, NULL, &old) == 0 && old.sa_handler == on_sig);
	sa.sa_sigaction = on_info;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(SIGUSR2, &sa, NULL) == 0);
	last_pid = 0;
	CHECK(kill(getpid(), SIGUSR2) == 0 && hits[SIGUSR2] == 1 && last_pid == getpid() && last_code == SI_USER);
	/* from a child: its pid */
	pid_t pid = fork();
	if (pid == 0)
		_exit(kill(getppid(), SIGUSR2) ? 1 : 0);
	int st;
	pid_t w;
	while ((w = waitpid(pid, &st, 0)) == -1 && errno == EINTR)
		;
	CHECK(w == pid && WIFEXITED(st) && !WEXITSTATUS(st));
	for (int i = 0; i < 100 && hits[SIGUSR2] < 2; i++)
		msleep(1);
	CHECK(hits[SIGUSR2] == 2 && last_pid == pid);
	/* SA_RESETHAND: once, then the default */
	set_handler(SIGUSR1, on_sig, SA_RESETHAND);
	CHECK(raise(SIGUSR1) == 0 && hits[SIGUSR1] == 3);
	CHECK(sigaction(SIGUSR1, NULL, &old) == 0 && old.sa_handler == SIG_DFL);
	ERRNO(sigaction(SIGKILL, &sa, NULL), EINVAL);
	ERRNO(sigaction(SIGSTOP, &sa, NULL), EINVAL);
	ERRNO(sigaction(0, &sa, NULL), EINVAL);
	ERRNO(sigaction(65, &sa, NULL), EINVAL);
	CHECK(signal(SIGUSR2, SIG_DFL) != SIG_ERR);
}

static void on_outer(int sig)
{
	nested_depth++;
	if (nested_depth > max_depth)
		max_depth = nested_depth;
	hits[sig]++;
	if (hits[sig] == 1) {
		raise(SIGUSR2);          /* blocked by sa_mask: runs after we return */
		if (hits[SIGUSR2])
			hits[0] = 98;
		raise(sig);              /* the same one: blocked until we return */
		if (hits[sig] != 1)
			hits[0] = 99;
	}
	nested_depth--;
}

static void on_inner(int sig)
{
	hits[sig]++;
	if (nested_depth + 1 > max_depth)
		max_depth = nested_depth + 1;
}

/* During a handler its signal and sa_mask are blocked; both come after.
 * (Cairn's process server runs one handler at a time: another unblocked
 * signal also waits for the handler to return, where Linux would nest it,
 * so this test only asks for what both do.) */
static void handler_masks(void)
{
	struct sigaction sa = { 0 };
	sigset_t cur;

	reset_all();
	sa.sa_handler = on_outer;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	sigaction(SIGUSR1, &sa, NULL);
	set_handler(SIGUSR2, on_inner, 0);
	max_depth = 0;
	CHECK(raise(SIGUSR1) == 0);
	if (!(hits[SIGUSR1] == 2 && hits[SIGUSR2] == 1 && max_depth == 1 && hits[0] == 0))
		FAIL("usr1 %d usr2 %d depth %d hits0 %d", hits[SIGUSR1], hits[SIGUSR2], max_depth, hits[0]);
	/* the mask is back as it was */
	CHECK(sigprocmask(SIG_SETMASK, NULL, &cur) == 0 && !sigismember(&cur, SIGUSR1) &&
	      !sigismember(&cur, SIGUSR2));
	reset_all();
}

static void masks(void)
{
	sigset_t set, old, pend;

	reset_all();
	set_handler(SIGUSR1, on_sig, 0);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGKILL);
	CHECK(sigprocmask(SIG_BLOCK, &set, &old) == 0 && !sigismember(&old, SIGUSR1));
	CHECK(raise(SIGUSR1) == 0 && hits[SIGUSR1] == 0);
	CHECK(sigpending(&pend) == 0 && sigismember(&pend, SIGUSR1));
	CHECK(sigprocmask(SIG_SETMASK, NULL, &old) == 0 && sigismember(&old, SIGUSR1) && !sigismember(&old, SIGKILL));
	CHECK(sigprocmask(SIG_UNBLOCK, &set, NULL) == 0 && hits[SIGUSR1] == 1);   /* delivered now */
	CHECK(sigpending(&pend) == 0 && !sigismember(&pend, SIGUSR1));
	/* several raises while blocked: one delivery (not queued) */
	CHECK(sigprocmask(SIG_BLOCK, &set, NULL) == 0);
	raise(SIGUSR1);
	raise(SIGUSR1);
	CHECK(sigprocmask(SIG_UNBLOCK, &set, NULL) == 0 && hits[SIGUSR1] == 2);
	/* ignoring a pending signal discards it */
	CHECK(sigprocmask(SIG_BLOCK, &set, NULL) == 0 && raise(SIGUSR1) == 0);
	signal(SIGUSR1, SIG_IGN);
	CHECK(sigpending(&pend) == 0 && !sigismember(&pend, SIGUSR1));
	CHECK(sigprocmask(SIG_UNBLOCK, &set, NULL) == 0);
	ERRNO(sigprocmask(42, &set, NULL), EINVAL);
	reset_all();
}

static void suspend(void)
{
	sigset_t block, empty;
	pid_t pid;
	int st;

	reset_all();
	set_handler(SIGUSR1, on_sig, 0);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, NULL);
	pid = fork();
	if (pid == 0) {
		msleep(20);
		kill(getppid(), SIGUSR1);
		_exit(0);
	}
	sigemptyset(&empty);
	CHECK(sigsuspend(&empty) == -1 && errno == EINTR && hits[SIGUSR1] == 1);
	CHECK(sigprocmask(SIG_SETMASK, NULL, &empty) == 0 && sigismember(&empty, SIGUSR1));
	/* already pending: sigsuspend returns at once */
	raise(SIGUSR1);
	sigemptyset(&empty);
	CHECK(sigsuspend(&empty) == -1 && errno == EINTR && hits[SIGUSR1] == 2);
	CHECK(waitpid(pid, &st, 0) == pid);
	/* pause() ends with a signal too */
	pid = fork();
	if (pid == 0) {
		msleep(20);
		kill(getppid(), SIGUSR1);
		_exit(0);
	}
	sigprocmask(SIG_UNBLOCK, &block, NULL);
	CHECK(pause() == -1 && errno == EINTR && hits[SIGUSR1] == 3);
	CHECK(waitpid(pid, &st, 0) == pid);
	reset_all();
}

static void children(void)
{
	sigset_t block, empty;
	int st;
	pid_t pid;

	reset_all();
	set_handler(SIGCHLD, on_sig, SA_NOCLDSTOP);
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, NULL);
	pid = fork();
	if (pid == 0)
		_exit(3);
	sigemptyset(&empty);
	while (!hits[SIGCHLD])
		sigsuspend(&empty);
	CHECK(hits[SIGCHLD] == 1);
	CHECK(waitpid(pid, &st, 0) == pid && WEXITSTATUS(st) == 3);
	sigprocmask(SIG_UNBLOCK, &block, NULL);
	/* SIGCHLD ignored: children leave no zombie */
	signal(SIGCHLD, SIG_IGN);
	pid = fork();
	if (pid == 0)
		_exit(0);
	errno = 0;
	CHECK(waitpid(pid, &st, 0) == -1 && errno == ECHILD);
	reset_all();
}

/* A read blocked on a pipe; a child signals, then writes. */
static int interrupted_read(int flags, ssize_t *got)
{
	int p[2], st;
	char c = 0;
	pid_t pid;

	set_handler(SIGUSR1, on_sig, flags);
	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		msleep(20);
		kill(getppid(), SIGUSR1);
		msleep(20);
		write(p[1], "d", 1);
		_exit(0);
	}
	close(p[1]);
	errno = 0;
	*got = read(p[0], &c, 1);
	int e = errno;
	waitpid(pid, &st, 0);
	close(p[0]);
	errno = e;
	return c;
}

static void restart(void)
{
	ssize_t n;

	reset_all();
	CHECK(interrupted_read(SA_RESTART, &n) == 'd' && n == 1 && hits[SIGUSR1] == 1);
	CHECK(interrupted_read(0, &n) == 0 && n == -1 && errno == EINTR && hits[SIGUSR1] == 2);
	reset_all();
}

static void timer(void)
{
	struct itimerval it = { { 0, 0 }, { 0, 50000 } }, cur;
	struct timespec t0, t1;

	reset_all();
	set_handler(SIGALRM, on_sig, 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(setitimer(ITIMER_REAL, &it, NULL) == 0);
	CHECK(getitimer(ITIMER_REAL, &cur) == 0 && (cur.it_value.tv_usec > 0 || cur.it_value.tv_sec > 0));
	while (!hits[SIGALRM])
		pause();
	clock_gettime(CLOCK_MONOTONIC, &t1);
	long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	CHECK(hits[SIGALRM] == 1 && ms >= 40);
	CHECK(getitimer(ITIMER_REAL, &cur) == 0 && !cur.it_value.tv_sec && !cur.it_value.tv_usec);
	/* alarm(): SIGALRM's default action ends a child */
	pid_t pid = fork();
	if (pid == 0) {
		signal(SIGALRM, SIG_DFL);
		alarm(1);
		for (;;)
			pause();
	}
	int st;
	CHECK(waitpid(pid, &st, 0) == pid && WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM);
	CHECK(alarm(0) == 0);
	reset_all();
}

static sigjmp_buf jb;

static void jump_out(int sig)
{
	hits[sig]++;
	siglongjmp(jb, sig);
}

static void longjump(void)
{
	sigset_t cur;
	volatile int rounds = 0;

	reset_all();
	set_handler(SIGUSR1, jump_out, 0);
	if (sigsetjmp(jb, 1) == 0) {
		raise(SIGUSR1);
		FAIL("the handler returned");
	}
	rounds++;
	CHECK(hits[SIGUSR1] == 1);
	CHECK(sigprocmask(SIG_SETMASK, NULL, &cur) == 0 && !sigismember(&cur, SIGUSR1));
	/* the delivery is over: the next one comes too */
	if (sigsetjmp(jb, 1) == 0)
		raise(SIGUSR1);
	CHECK(hits[SIGUSR1] == 2);
	set_handler(SIGUSR2, on_sig, 0);
	CHECK(raise(SIGUSR2) == 0 && hits[SIGUSR2] == 1);
	reset_all();
}

/* ---- sigtimedwait, sigwaitinfo, sigwait ------------------------------------------------ */

static long ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

/* A child that sends sig to its parent after ms milliseconds. */
static pid_t send_later(int sig, long ms)
{
	pid_t pid = fork();

	if (pid == 0) {
		msleep(ms);
		_exit(kill(getppid(), sig) ? 1 : 0);
	}
	return pid;
}

static int reap(pid_t pid)
{
	int st;
	pid_t w;

	while ((w = waitpid(pid, &st, 0)) == -1 && errno == EINTR)
		;
	return w == pid && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void sigtimedwait_basic(void)
{
	struct timespec zero = { 0, 0 }, t50 = { 0, 50000000 }, bad = { 0, 2000000000 }, t0;
	sigset_t set, pend, cur;
	siginfo_t si;
	pid_t pid;
	int sig;

	reset_all();
	alarm(20);                       /* a hang fails the program (SIGALRM) */
	set_handler(SIGUSR1, on_sig, 0);
	set_handler(SIGUSR2, on_sig, 0);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	/* pending already: taken at once, its handler does not run */
	CHECK(kill(getpid(), SIGUSR1) == 0);
	memset(&si, 0, sizeof(si));
	CHECK(sigtimedwait(&set, &si, &zero) == SIGUSR1);
	CHECK(si.si_signo == SIGUSR1 && si.si_code == SI_USER && si.si_pid == getpid());
	CHECK(sigpending(&pend) == 0 && !sigismember(&pend, SIGUSR1));
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	CHECK(hits[SIGUSR1] == 0);
	sigprocmask(SIG_BLOCK, &set, NULL);
	/* nothing pending: a zero timeout polls, a timeout waits that long */
	ERRNO(sigtimedwait(&set, &si, &zero), EAGAIN);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ERRNO(sigtimedwait(&set, &si, &t50), EAGAIN);
	long ms = ms_since(&t0);
	if (ms < 40 || ms > 2000)
		FAIL("a 50 ms timeout took %ld ms", ms);
	ERRNO(sigtimedwait(&set, &si, &bad), EINVAL);
	/* raised while it waits, by another process: its pid */
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, NULL);
	pid = send_later(SIGUSR2, 30);
	memset(&si, 0, sizeof(si));
	CHECK(sigwaitinfo(&set, &si) == SIGUSR2 && si.si_signo == SIGUSR2 && si.si_pid == pid &&
	      si.si_code == SI_USER);
	CHECK(reap(pid) == 0);
	/* sigwait */
	pid = send_later(SIGUSR1, 20);
	sig = 0;
	CHECK(sigwait(&set, &sig) == 0 && sig == SIGUSR1);
	CHECK(reap(pid) == 0);
	/* several pending: the lowest number first */
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	kill(getpid(), SIGTERM);
	kill(getpid(), SIGUSR2);
	CHECK(sigtimedwait(&set, NULL, &zero) == SIGUSR2);
	CHECK(sigtimedwait(&set, NULL, &zero) == SIGTERM);
	ERRNO(sigtimedwait(&set, NULL, &zero), EAGAIN);
	/* a signal not in the set stays pending, blocked */
	kill(getpid(), SIGUSR1);
	sigemptyset(&cur);
	sigaddset(&cur, SIGUSR2);
	ERRNO(sigtimedwait(&cur, NULL, &zero), EAGAIN);
	CHECK(sigpending(&pend) == 0 && sigismember(&pend, SIGUSR1));
	CHECK(sigwaitinfo(&set, NULL) == SIGUSR1);
	/* SIGCHLD (ignored by default) is kept while blocked and waited for */
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	pid = fork();
	if (pid == 0)
		_exit(7);
	memset(&si, 0, sizeof(si));
	CHECK(sigwaitinfo(&set, &si) == SIGCHLD && si.si_pid == pid);
	CHECK(reap(pid) == 7);
	CHECK(hits[SIGUSR1] == 0 && hits[SIGUSR2] == 0 && hits[SIGTERM] == 0);
	alarm(0);
	reset_all();
}

/* A handled signal outside the set interrupts the wait: EINTR, even with
 * SA_RESTART (as Linux). */
static void sigtimedwait_eintr(void)
{
	struct timespec t5 = { 5, 0 }, t0;
	sigset_t set;
	pid_t pid;

	reset_all();
	alarm(20);
	set_handler(SIGUSR1, on_sig, SA_RESTART);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = send_later(SIGUSR1, 30);
	ERRNO(sigtimedwait(&set, NULL, &t5), EINTR);
	CHECK(hits[SIGUSR1] == 1 && ms_since(&t0) < 4000);
	CHECK(reap(pid) == 0);
	/* the same without a timeout (sigwaitinfo) */
	pid = send_later(SIGUSR1, 30);
	ERRNO(sigwaitinfo(&set, NULL), EINTR);
	CHECK(hits[SIGUSR1] == 2);
	CHECK(reap(pid) == 0);
	/* the wait it left is over: a later SIGUSR2 stays pending, for the next wait */
	kill(getpid(), SIGUSR2);
	struct timespec zero = { 0, 0 };
	CHECK(sigtimedwait(&set, NULL, &zero) == SIGUSR2);
	alarm(0);
	reset_all();
}

/* ---- sigqueue: values, real-time queueing ------------------------------------------------ */

static volatile int rt_vals[8], rt_codes[8], rt_n;

static void on_rt(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	hits[sig]++;
	if (rt_n < 8) {
		rt_vals[rt_n] = si->si_value.sival_int;
		rt_codes[rt_n] = si->si_code;
		rt_n++;
	}
}

static void sigqueue_rt(void)
{
	struct timespec zero = { 0, 0 };
	struct sigaction sa = { 0 };
	struct rlimit rl, saved_rl;
	sigset_t set;
	siginfo_t si;
	pid_t pid;
	int n, lim;

	reset_all();
	alarm(20);
	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN);
	sigaddset(&set, SIGRTMIN + 1);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	/* real-time signals queue: lowest number first, each one's instances
	 * in order; a standard signal merges (the first value stays) */
	CHECK(sigqueue(getpid(), SIGRTMIN + 1, (union sigval){ .sival_int = 11 }) == 0);
	CHECK(sigqueue(getpid(), SIGRTMIN, (union sigval){ .sival_int = 21 }) == 0);
	CHECK(sigqueue(getpid(), SIGRTMIN + 1, (union sigval){ .sival_int = 12 }) == 0);
	CHECK(sigqueue(getpid(), SIGRTMIN, (union sigval){ .sival_int = 22 }) == 0);
	CHECK(sigqueue(getpid(), SIGUSR1, (union sigval){ .sival_int = 1 }) == 0);
	CHECK(sigqueue(getpid(), SIGUSR1, (union sigval){ .sival_int = 2 }) == 0);
	static const int want[][2] = { { SIGUSR1, 1 }, { 0, 21 }, { 0, 22 }, { 1, 11 }, { 1, 12 } };
	for (unsigned i = 0; i < 5; i++) {
		int ws = want[i][0] == SIGUSR1 ? SIGUSR1 : SIGRTMIN + want[i][0];
		memset(&si, 0, sizeof(si));
		int got = sigtimedwait(&set, &si, &zero);
		if (got != ws || si.si_signo != ws || si.si_code != SI_QUEUE ||
		    si.si_value.sival_int != want[i][1] || si.si_pid != getpid())
			FAIL("%u: got %d code %d value %d pid %d, want %d value %d", i, got,
			     si.si_code, si.si_value.sival_int, (int)si.si_pid, ws, want[i][1]);
	}
	ERRNO(sigtimedwait(&set, &si, &zero), EAGAIN);
	/* a handler (SA_SIGINFO) gets each instance with its value, in order */
	sa.sa_sigaction = on_rt;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(SIGRTMIN, &sa, NULL) == 0);
	rt_n = 0;
	for (int i = 0; i < 3; i++)
		CHECK(sigqueue(getpid(), SIGRTMIN, (union sigval){ .sival_int = 100 + i }) == 0);
	CHECK(hits[SIGRTMIN] == 0);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	for (int i = 0; i < 200 && rt_n < 3; i++)
		msleep(1);
	CHECK(rt_n == 3 && hits[SIGRTMIN] == 3);
	for (int i = 0; i < 3 && i < rt_n; i++)
		CHECK(rt_vals[i] == 100 + i && rt_codes[i] == SI_QUEUE);
	sigprocmask(SIG_BLOCK, &set, NULL);
	/* from another process: its pid and value */
	pid = fork();
	if (pid == 0)
		_exit(sigqueue(getppid(), SIGRTMIN + 1, (union sigval){ .sival_int = 42 }) ? 1 : 0);
	memset(&si, 0, sizeof(si));
	CHECK(sigwaitinfo(&set, &si) == SIGRTMIN + 1 && si.si_pid == pid && si.si_code == SI_QUEUE &&
	      si.si_value.sival_int == 42);
	CHECK(reap(pid) == 0);
	ERRNO(sigqueue(pid, SIGUSR1, (union sigval){ 0 }), ESRCH);      /* reaped */
	ERRNO(sigqueue(getpid(), 65, (union sigval){ 0 }), EINVAL);
	/* the queue has room for RLIMIT_SIGPENDING signals, then EAGAIN; all come out */
	CHECK(getrlimit(RLIMIT_SIGPENDING, &rl) == 0);
	saved_rl = rl;
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 64) {
		rl.rlim_cur = 32;             /* Linux: a lower limit, for the test */
		CHECK(setrlimit(RLIMIT_SIGPENDING, &rl) == 0);
	}
	lim = (int)rl.rlim_cur;
	for (n = 0; n < lim + 8; n++)
		if (sigqueue(getpid(), SIGRTMIN + 1, (union sigval){ .sival_int = n }))
			break;
	/* (Linux counts the user's pending signals in every process: a few may be elsewhere) */
	if (n > lim || n < lim / 2 || errno != EAGAIN)
		FAIL("%d queued (limit %d), errno %d", n, lim, errno);
	for (int i = 0; i < n; i++) {
		memset(&si, 0, sizeof(si));
		if (sigtimedwait(&set, &si, &zero) != SIGRTMIN + 1 || si.si_value.sival_int != i) {
			FAIL("instance %d: value %d", i, si.si_value.sival_int);
			break;
		}
	}
	ERRNO(sigtimedwait(&set, &si, &zero), EAGAIN);
	CHECK(setrlimit(RLIMIT_SIGPENDING, &saved_rl) == 0);   /* (rt_burst queues more) */
	signal(SIGRTMIN, SIG_DFL);
	alarm(0);
	reset_all();
}

static volatile int *volatile bad_address = (volatile int *)(uintptr_t)8;

static void segv(void)
{
	volatile int reached = 0;

	reset_all();
	set_handler(SIGSEGV, jump_out, 0);
	if (sigsetjmp(jb, 1) == 0) {
		*bad_address = 1;
		reached = 1;
	}
	CHECK(!reached && hits[SIGSEGV] == 1);
	/* unhandled: the child ends with SIGSEGV */
	pid_t pid = fork();
	if (pid == 0) {
		signal(SIGSEGV, SIG_DFL);
		*bad_address = 1;
		_exit(0);
	}
	int st;
	CHECK(waitpid(pid, &st, 0) == pid && WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
	reset_all();
}

/* A fault's siginfo: si_addr the address, si_code SEGV_MAPERR (Linux
 * gives MAPERR for an unmapped page); the handler runs on the thread
 * that faulted, a thread other than the first too. */
static volatile void *fault_addr;
static volatile int fault_code;
static pthread_t fault_thread;
static __thread sigjmp_buf fault_jb;

static void fault_handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	fault_addr = si->si_addr;
	fault_code = si->si_code;
	fault_thread = pthread_self();
	siglongjmp(fault_jb, 1);
}

static void *fault_here(void *arg)
{
	volatile int *p = arg;

	if (sigsetjmp(fault_jb, 1) == 0)
		*p = 1;
	return (void *)1;
}

static void segv_info(void)
{
	struct sigaction sa = { 0 };
	volatile int *bad = (volatile int *)(uintptr_t)0x1230;
	pthread_t t;
	void *r;

	reset_all();
	sa.sa_sigaction = fault_handler;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(SIGSEGV, &sa, NULL) == 0);
	fault_addr = NULL;
	CHECK(fault_here((void *)bad) == (void *)1);
	CHECK(fault_addr == bad && fault_code == SEGV_MAPERR && pthread_equal(fault_thread, pthread_self()));
	fault_addr = NULL;
	CHECK(pthread_create(&t, NULL, fault_here, (void *)(bad + 4)) == 0 && pthread_join(t, &r) == 0 &&
	      r == (void *)1);
	CHECK(fault_addr == bad + 4 && fault_code == SEGV_MAPERR && pthread_equal(fault_thread, t));
	reset_all();
}

/* ppoll and pselect: a signal pending while blocked, which the call's
 * mask lets through, ends the call with EINTR at once (the change of mask
 * and the wait are one step); after it the old mask is back. */
static void ppoll_mask(void)
{
	sigset_t block, none, cur;
	struct pollfd pfd;
	struct timespec two = { 2, 0 };
	struct timeval t0, t1;
	fd_set r;
	int p[2];

	reset_all();
	set_handler(SIGUSR1, on_sig, 0);
	CHECK(pipe(p) == 0);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigemptyset(&none);
	for (int round = 0; round < 2; round++) {
		CHECK(sigprocmask(SIG_BLOCK, &block, NULL) == 0);
		CHECK(raise(SIGUSR1) == 0 && hits[SIGUSR1] == round);
		gettimeofday(&t0, NULL);
		if (round == 0) {
			pfd = (struct pollfd){ .fd = p[0], .events = POLLIN };
			ERRNO(ppoll(&pfd, 1, &two, &none), EINTR);
		} else {
			FD_ZERO(&r);
			FD_SET(p[0], &r);
			ERRNO(pselect(p[0] + 1, &r, NULL, NULL, &two, &none), EINTR);
		}
		gettimeofday(&t1, NULL);
		CHECK(hits[SIGUSR1] == round + 1);
		CHECK((t1.tv_sec - t0.tv_sec) * 1000000 + (t1.tv_usec - t0.tv_usec) < 1000000);
		CHECK(sigprocmask(SIG_SETMASK, NULL, &cur) == 0 && sigismember(&cur, SIGUSR1));
		CHECK(sigprocmask(SIG_UNBLOCK, &block, NULL) == 0);
	}
	close(p[0]);
	close(p[1]);
	reset_all();
}

/* ---- si_code: SI_TKILL for raise, CLD_* and si_status for SIGCHLD ---- */

static volatile int tk_code = 99;

static void tk_handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	tk_code = si->si_code;
}

static int child_event(siginfo_t *si)
{
	sigset_t set;
	struct timespec ten = { 10, 0 };

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	return sigtimedwait(&set, si, &ten);
}

static void siginfo_codes(void)
{
	struct sigaction sa = { 0 };
	sigset_t set;
	siginfo_t si;
	pid_t pid;
	int st;

	reset_all();
	sa.sa_sigaction = tk_handler;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(SIGUSR1, &sa, NULL) == 0);
	raise(SIGUSR1);
	CHECK(tk_code == SI_TKILL);
	kill(getpid(), SIGUSR1);
	CHECK(tk_code == SI_USER);
	/* SIGCHLD, taken with sigtimedwait */
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	if ((pid = fork()) == 0)
		_exit(7);
	CHECK(child_event(&si) == SIGCHLD && si.si_code == CLD_EXITED && si.si_pid == pid &&
	      si.si_status == 7);
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 7);
	if ((pid = fork()) == 0) {
		pt_child_start();
		for (;;)
			pause();
	}
	CHECK(kill(pid, SIGSTOP) == 0);
	CHECK(child_event(&si) == SIGCHLD && si.si_code == CLD_STOPPED && si.si_pid == pid &&
	      si.si_status == SIGSTOP);
	CHECK(waitpid(pid, &st, WUNTRACED) == pid && WIFSTOPPED(st));
	CHECK(kill(pid, SIGCONT) == 0);
	CHECK(child_event(&si) == SIGCHLD && si.si_code == CLD_CONTINUED && si.si_pid == pid &&
	      si.si_status == SIGCONT);
	CHECK(kill(pid, SIGTERM) == 0);
	CHECK(child_event(&si) == SIGCHLD && si.si_code == CLD_KILLED && si.si_pid == pid &&
	      si.si_status == SIGTERM);
	CHECK(waitpid(pid, &st, 0) == pid && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
	reset_all();
}

/* ---- nested handlers ---- */

static volatile int nest_now, nest_max, nest_order[8], nest_n;

static void nest_handler(int sig)
{
	if (nest_n < 8)
		nest_order[nest_n++] = sig;
	if (++nest_now > nest_max)
		nest_max = nest_now;
	/* the same signal again, three times: inside with SA_NODEFER */
	if (sig == SIGUSR1 && nest_n < 3)
		raise(SIGUSR1);
	/* another, not in the mask: it runs before raise returns */
	if (sig == SIGUSR2)
		raise(SIGHUP);
	/* one in sa_mask: waits for this handler's end */
	if (sig == SIGHUP)
		raise(SIGINT);
	nest_now--;
}

static void nested(void)
{
	struct sigaction sa = { 0 };

	reset_all();
	sa.sa_handler = nest_handler;
	sa.sa_flags = SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(SIGUSR1, &sa, NULL) == 0);
	nest_now = nest_max = nest_n = 0;
	raise(SIGUSR1);
	CHECK(nest_max == 3 && nest_n == 3 && nest_now == 0);
	/* without SA_NODEFER the signal waits for the handler's end */
	sa.sa_flags = 0;
	CHECK(sigaction(SIGUSR1, &sa, NULL) == 0);
	nest_now = nest_max = nest_n = 0;
	raise(SIGUSR1);
	CHECK(nest_max == 1 && nest_n == 3);
	/* USR2's handler raises HUP (nested: not masked); HUP's raises INT,
	 * which HUP's sa_mask holds until HUP's handler ends */
	CHECK(sigaction(SIGUSR2, &sa, NULL) == 0);
	sigaddset(&sa.sa_mask, SIGINT);
	CHECK(sigaction(SIGHUP, &sa, NULL) == 0);
	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(SIGINT, &sa, NULL) == 0);
	nest_now = nest_max = nest_n = 0;
	raise(SIGUSR2);
	CHECK(nest_n == 3 && nest_order[0] == SIGUSR2 && nest_order[1] == SIGHUP &&
	      nest_order[2] == SIGINT && nest_max == 2);
	reset_all();
}

/* ---- sigaltstack ---- */

static char alt_mem[64 * 1024] __attribute__((aligned(16)));
static volatile uintptr_t alt_where;
static volatile int alt_flags, alt_eperm;

static int in_alt(uintptr_t a)
{
	return a >= (uintptr_t)alt_mem && a < (uintptr_t)alt_mem + sizeof(alt_mem);
}

static void alt_handler(int sig)
{
	volatile char here;
	stack_t now, other = { .ss_sp = alt_mem, .ss_size = 8192 };

	hits[sig]++;
	alt_where = (uintptr_t)&here;
	alt_flags = sigaltstack(NULL, &now) == 0 ? now.ss_flags : -1;
	/* not changed while on it */
	alt_eperm = sigaltstack(&other, NULL) == -1 && errno == EPERM;
}

static void alt_siginfo(int sig, siginfo_t *si, void *uc)
{
	(void)si;
	(void)uc;
	alt_handler(sig);
}

/* Recursion that never ends: the stack runs out */
static volatile long alt_depth;
__attribute__((noinline)) static long deeper(long n)
{
	volatile char pad[512];

	pad[0] = (char)n;
	alt_depth = n;
	if (n == -1)           /* never: the compiler is told it may end */
		return 0;
	return deeper(n + 1) + pad[0];
}

static void overflow_handler(int sig)
{
	volatile char here;

	hits[sig]++;
	alt_where = (uintptr_t)&here;
	siglongjmp(jb, 1);
}

static void altstack(void)
{
	stack_t ss, old;
	struct sigaction sa = { 0 };

	reset_all();
	/* none at first */
	CHECK(sigaltstack(NULL, &old) == 0 && old.ss_flags == SS_DISABLE);
	/* too small; bad flags */
	ss = (stack_t){ .ss_sp = alt_mem, .ss_size = 1024 };     /* below MINSIGSTKSZ */
	ERRNO(sigaltstack(&ss, NULL), ENOMEM);
	ss = (stack_t){ .ss_sp = alt_mem, .ss_size = sizeof(alt_mem), .ss_flags = 0x1234 };
	ERRNO(sigaltstack(&ss, NULL), EINVAL);
	ss.ss_flags = 0;
	CHECK(sigaltstack(&ss, &old) == 0 && old.ss_flags == SS_DISABLE);
	CHECK(sigaltstack(NULL, &old) == 0 && old.ss_sp == alt_mem && old.ss_size == sizeof(alt_mem) &&
	      old.ss_flags == 0);
	/* SA_ONSTACK: the handler runs there, sees SS_ONSTACK, cannot move it */
	set_handler(SIGUSR1, alt_handler, SA_ONSTACK);
	alt_where = 0;
	raise(SIGUSR1);
	CHECK(hits[SIGUSR1] == 1 && in_alt(alt_where) && alt_flags == SS_ONSTACK && alt_eperm);
	/* SA_SIGINFO too */
	sa.sa_sigaction = alt_siginfo;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(SIGUSR2, &sa, NULL) == 0);
	alt_where = 0;
	kill(getpid(), SIGUSR2);
	CHECK(hits[SIGUSR2] == 1 && in_alt(alt_where) && alt_flags == SS_ONSTACK);
	/* without SA_ONSTACK: the thread's own stack */
	set_handler(SIGUSR1, alt_handler, 0);
	alt_where = 0;
	raise(SIGUSR1);
	CHECK(hits[SIGUSR1] == 2 && alt_where && !in_alt(alt_where) && alt_flags == 0);
	/* a fork's child has it too */
	set_handler(SIGUSR1, alt_handler, SA_ONSTACK);
	pid_t pid = fork();
	if (pid == 0) {
		pt_child_start();
		alt_where = 0;
		raise(SIGUSR1);
		_exit(in_alt(alt_where) && alt_flags == SS_ONSTACK ? 0 : 1);
	}
	REAP(pid, 0);
	/* the stack that runs out: the SIGSEGV handler still runs, on the
	 * alternate stack, in a child (its stack is spent) */
	pid = fork();
	if (pid == 0) {
		pt_child_start();
		set_handler(SIGSEGV, overflow_handler, SA_ONSTACK);
		alt_where = 0;
		if (sigsetjmp(jb, 1) == 0)
			deeper(0);
		_exit(in_alt(alt_where) && hits[SIGSEGV] == 1 && alt_depth > 100 ? 0 : 1);
	}
	REAP(pid, 0);
	/* SS_DISABLE: gone */
	ss.ss_flags = SS_DISABLE;
	CHECK(sigaltstack(&ss, NULL) == 0);
	CHECK(sigaltstack(NULL, &old) == 0 && old.ss_flags == SS_DISABLE);
	alt_where = 0;
	raise(SIGUSR1);
	CHECK(hits[SIGUSR1] == 3 && alt_where && !in_alt(alt_where));
	reset_all();
}

static volatile double fp_sink;

static void busy_handler(int sig)
{
	char buf[64];
	volatile double x = 1.0;

	hits[sig]++;
	errno = EDOM;
	for (int i = 0; i < 50; i++)
		x = x * 1.5 + 0.25;
	fp_sink = x;
	snprintf(buf, sizeof(buf), "%d %.3f", sig, (double)x);
	write(-1, buf, strlen(buf));         /* EBADF: errno changes */
}

/* The interrupted code's FPU state and errno come back unchanged. */
static void handler_state(void)
{
	int p[2], st;
	pid_t pid;
	double acc = 0;

	reset_all();
	set_handler(SIGUSR1, busy_handler, SA_RESTART);
	CHECK(pipe(p) == 0);
	pid = fork();
	if (pid == 0) {
		for (int i = 0; i < 20; i++) {
			kill(getppid(), SIGUSR1);
			msleep(2);
		}
		_exit(0);
	}
	errno = ENOENT;
	for (long i = 0; i < 2000000 && hits[SIGUSR1] < 20; i++)
		acc += (double)(i % 7) * 0.5;
	int e = errno;
	CHECK(e == ENOENT);
	CHECK(waitpid(pid, &st, 0) == pid);
	double want = 0;
	long n = 0;
	/* recompute the same sum without signals */
	for (long i = 0; i < 2000000; i++) {
		if (want == acc)
			break;
		want += (double)(i % 7) * 0.5;
		n++;
	}
	CHECK(want == acc);
	close(p[0]);
	close(p[1]);
	reset_all();
}

/* A burst of queued real-time signals, unblocked at once: every handler
 * runs, lowest signal first, and each at the depth of the first (one
 * after another, not one inside another: 30 nested frames would be deep) */
static volatile int burst_n, burst_order_ok = 1, burst_last;
static volatile uintptr_t burst_lo = UINTPTR_MAX, burst_hi;

static void on_burst(int sig, siginfo_t *si, void *uc)
{
	volatile char here;
	uintptr_t a = (uintptr_t)&here;

	(void)uc;
	if (sig <= burst_last || si->si_code != SI_QUEUE || si->si_value.sival_int != sig * 3)
		burst_order_ok = 0;
	burst_last = sig;
	burst_n++;
	if (a < burst_lo)
		burst_lo = a;
	if (a > burst_hi)
		burst_hi = a;
}

static void rt_burst(void)
{
	struct sigaction sa;
	sigset_t set, old;
	int n = SIGRTMAX - SIGRTMIN + 1;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_burst;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&set);
	for (int s = SIGRTMIN; s <= SIGRTMAX; s++) {
		sigaddset(&set, s);
		sigaddset(&sa.sa_mask, s);
	}
	for (int s = SIGRTMIN; s <= SIGRTMAX; s++)
		CHECK(sigaction(s, &sa, NULL) == 0);
	CHECK(sigprocmask(SIG_BLOCK, &set, &old) == 0);
	burst_n = 0;
	burst_last = 0;
	for (int s = SIGRTMAX; s >= SIGRTMIN; s--) {
		union sigval v = { .sival_int = s * 3 };
		CHECK(sigqueue(getpid(), s, v) == 0);
	}
	CHECK(burst_n == 0);
	CHECK(sigprocmask(SIG_SETMASK, &old, NULL) == 0);
	for (int i = 0; i < 100 && burst_n < n; i++)
		usleep(1000);
	CHECK(burst_n == n ? 1 : FAIL("%d of %d handlers ran", burst_n, n));
	CHECK(burst_order_ok);
	CHECK(burst_hi - burst_lo < 2048 ? 1 : FAIL("handler frames %lu bytes apart: nested",
						    (unsigned long)(burst_hi - burst_lo)));
	sa.sa_handler = SIG_DFL;
	sa.sa_flags = 0;
	for (int s = SIGRTMIN; s <= SIGRTMAX; s++)
		sigaction(s, &sa, NULL);
}

/* ---- a fork beside a delivery ---------------------------------------------------------- */

#define FB_FORKS 40
static volatile int fb_handled, fb_bad, fb_done;

static void fb_on_usr1(int sig)
{
	(void)sig;
	fb_handled++;
}

/* Signals the process (its handler runs on the main thread, which waits
 * in pthread_join: an upcall on its way there) and forks at once: the
 * child, forked outside every handler, must have the forking thread's
 * mask, and its SIGTERM end it. It had the handler's, "all blocked" from
 * musl's fork, for ever (while sigprocmask told it the mask outside the
 * handler): an orphan of the storm (stress.c) in pause() never took its
 * SIGALRM. */
static void *fb_forker(void *arg)
{
	for (int i = 0; i < FB_FORKS; i++) {
		kill(getpid(), SIGUSR1);
		pid_t c = fork();
		if (c == 0) {
			raise(SIGTERM);         /* its default action: the end */
			_exit(1);
		}
		int st;
		if (c < 0 || waitpid(c, &st, 0) != c || !WIFSIGNALED(st) || WTERMSIG(st) != SIGTERM)
			fb_bad++;
	}
	fb_done = 1;
	return arg;
}

static void fork_beside_delivery(void)
{
	struct sigaction sa;
	pthread_t t;

	struct sched_param sp = { 0 };
	cpu_set_t one, old;

	/* one CPU, where the main thread (SCHED_IDLE, spinning) runs only
	 * when the forker waits: each signal's handler is on its way while
	 * the forker forks */
	CHECK(sched_getaffinity(0, sizeof(old), &old) == 0);
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	CHECK(sched_setaffinity(0, sizeof(one), &one) == 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fb_on_usr1;
	CHECK(sigaction(SIGUSR1, &sa, NULL) == 0);
	fb_done = 0;
	CHECK(pthread_create(&t, NULL, fb_forker, NULL) == 0);
	CHECK(pthread_setschedparam(pthread_self(), SCHED_IDLE, &sp) == 0);
	while (!fb_done)
		;
	CHECK(pthread_setschedparam(pthread_self(), SCHED_OTHER, &sp) == 0);
	CHECK(pthread_join(t, NULL) == 0);
	CHECK(sched_setaffinity(0, sizeof(old), &old) == 0);
	CHECK(fb_bad == 0 ? 1 : FAIL("%d of %d children were born with SIGTERM blocked", fb_bad, FB_FORKS));
	CHECK(fb_handled > 0);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGUSR1, &sa, NULL);
}

int main(void)
{
	pt_prefix = "signals";
	run("default_actions", default_actions);
	run("stop_continue", stop_continue);
	run("handlers", handlers);
	run("handler_masks", handler_masks);
	run("masks", masks);
	run("suspend", suspend);
	run("children", children);
	run("restart", restart);
	run("timer", timer);
	run("longjump", longjump);
	run("segv", segv);
	run("segv_info", segv_info);
	run("ppoll_mask", ppoll_mask);
	run("altstack", altstack);
	run("nested", nested);
	run("siginfo_codes", siginfo_codes);
	run("handler_state", handler_state);
	run("sigtimedwait", sigtimedwait_basic);
	run("sigtimedwait_eintr", sigtimedwait_eintr);
	run("sigqueue", sigqueue_rt);
	run("rt_burst", rt_burst);
	run("fork_beside_delivery", fork_beside_delivery);
	return finish();
}
