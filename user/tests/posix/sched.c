// SPDX-License-Identifier: MIT
/*
 * Scheduling policies (sched_setscheduler, sched_getscheduler,
 * sched_setparam, sched_getparam, pthread_setschedparam, pthread_create
 * with PTHREAD_EXPLICIT_SCHED): the ranges; SCHED_FIFO and SCHED_RR for
 * uid 0 and how they run on one CPU (a more urgent thread preempts at
 * once, a less urgent one waits, SCHED_FIFO keeps the CPU without a time
 * slice, SCHED_RR shares it); the unprivileged rules (EPERM, going down
 * allowed); fork (kept, SCHED_RESET_ON_FORK) and exec (kept); another
 * process's policy; EINVAL and ESRCH.
 *
 * Runs as uid 0 (Cairn's tests; on Linux as root, which may use real
 * time). Arguments: the names of the tests to run (all without). It
 * passes on Linux, built on the host:
 *   gcc -O2 -Iuser/tests/posix -Iuser/lib/include user/tests/posix/sched.c \
 *       user/tests/posix/lib/child.c user/tests/posix/lib/test_musl.c \
 *       user/lib/test.c -lpthread
 * Expected list: tests/harness/expected/posix-sched.txt.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include "posixtest.h"

#ifndef SCHED_RESET_ON_FORK
#define SCHED_RESET_ON_FORK 0x40000000
#endif

static char self[256];

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int set_policy(int policy, int prio)
{
	struct sched_param sp = { .sched_priority = prio };

	return sched_setscheduler(0, policy, &sp);
}

static int prio_of(pid_t pid)
{
	struct sched_param sp = { .sched_priority = -1 };

	return sched_getparam(pid, &sp) == 0 ? sp.sched_priority : -1;
}

/* The calling thread on CPU 0 only: what it starts runs there too. */
static int one_cpu(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	return pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static void back_to_other(void)
{
	CHECK(set_policy(SCHED_OTHER, 0) == 0);
	CHECK(sched_getscheduler(0) == SCHED_OTHER);
}

static void ranges(void)
{
	CHECK(sched_get_priority_min(SCHED_FIFO) == 1);
	CHECK(sched_get_priority_max(SCHED_FIFO) == 99);
	CHECK(sched_get_priority_min(SCHED_RR) == 1);
	CHECK(sched_get_priority_max(SCHED_RR) == 99);
	CHECK(sched_get_priority_min(SCHED_OTHER) == 0);
	CHECK(sched_get_priority_max(SCHED_OTHER) == 0);
	ERRNO(sched_get_priority_max(42), EINVAL);
	/* a SCHED_RR thread's slice */
	struct timespec ts = { -1, -1 };
	CHECK(set_policy(SCHED_RR, 1) == 0);
	CHECK(sched_rr_get_interval(0, &ts) == 0 && ts.tv_sec >= 0 && ts.tv_nsec >= 0 &&
	      (ts.tv_sec > 0 || ts.tv_nsec > 0));
	back_to_other();
}

/* Set, read back, and the thread's own view through pthreads. */
static void set_get(void)
{
	struct sched_param sp;
	int pol = -1;

	CHECK(sched_getscheduler(0) == SCHED_OTHER && prio_of(0) == 0);
	CHECK(set_policy(SCHED_FIFO, 10) == 0);
	CHECK(sched_getscheduler(0) == SCHED_FIFO && prio_of(0) == 10);
	CHECK(pthread_getschedparam(pthread_self(), &pol, &sp) == 0 && pol == SCHED_FIFO &&
	      sp.sched_priority == 10);
	sp.sched_priority = 20;
	CHECK(sched_setparam(0, &sp) == 0 && sched_getscheduler(0) == SCHED_FIFO && prio_of(0) == 20);
	CHECK(pthread_setschedprio(pthread_self(), 5) == 0 && prio_of(0) == 5);
	sp.sched_priority = 30;
	CHECK(pthread_setschedparam(pthread_self(), SCHED_RR, &sp) == 0);
	CHECK(sched_getscheduler(0) == SCHED_RR && prio_of(0) == 30);
	CHECK(sched_getscheduler(getpid()) == SCHED_RR);
	back_to_other();
	CHECK(prio_of(0) == 0);
	CHECK(set_policy(SCHED_IDLE, 0) == 0 && sched_getscheduler(0) == SCHED_IDLE);
	CHECK(set_policy(SCHED_BATCH, 0) == 0 && sched_getscheduler(0) == SCHED_BATCH);
	back_to_other();
}

static void errors(void)
{
	struct sched_param sp = { .sched_priority = 0 };

	ERRNO(set_policy(SCHED_FIFO, 0), EINVAL);
	ERRNO(set_policy(SCHED_FIFO, 100), EINVAL);
	ERRNO(set_policy(SCHED_RR, -1), EINVAL);
	ERRNO(set_policy(SCHED_OTHER, 5), EINVAL);
	ERRNO(set_policy(42, 0), EINVAL);
	ERRNO(sched_setscheduler(-1, SCHED_OTHER, &sp), EINVAL);
	sp.sched_priority = 5;
	ERRNO(sched_setparam(0, &sp), EINVAL);      /* SCHED_OTHER takes 0 only */
	CHECK(sched_getscheduler(0) == SCHED_OTHER && prio_of(0) == 0);
	/* a pid nobody has */
	ERRNO(sched_getscheduler(99999), ESRCH);
	ERRNO(sched_getparam(99999, &sp), ESRCH);
	sp.sched_priority = 0;
	ERRNO(sched_setscheduler(99999, SCHED_OTHER, &sp), ESRCH);
}

/* ---- running on one CPU ------------------------------------------------------------ */

static volatile int flag, b_ran, a_saw_b;

static void *set_flag(void *arg)
{
	(void)arg;
	flag = 1;
	return NULL;
}

static pthread_t start_at(int policy, int prio, void *(*fn)(void *))
{
	pthread_attr_t at;
	struct sched_param sp = { .sched_priority = prio };
	pthread_t t = 0;

	pthread_attr_init(&at);
	pthread_attr_setinheritsched(&at, PTHREAD_EXPLICIT_SCHED);
	pthread_attr_setschedpolicy(&at, policy);
	pthread_attr_setschedparam(&at, &sp);
	CHECK(pthread_create(&t, &at, fn, NULL) == 0);
	pthread_attr_destroy(&at);
	return t;
}

/* A more urgent thread runs before pthread_create returns; a less urgent
 * one not while its creator runs, and at once when the creator waits. */
static void preempt(void)
{
	pthread_t t;

	CHECK(one_cpu() == 0);
	CHECK(set_policy(SCHED_FIFO, 10) == 0);
	/* again and again: the new thread must not find a lock its creator
	 * holds (musl-port's sched_setscheduler called the process server
	 * under its thread table's lock, and the new thread napped on it) */
	int late = 0;
	for (int i = 0; i < 20; i++) {
		flag = 0;
		t = start_at(SCHED_FIFO, 20, set_flag);
		late += flag != 1;
		pthread_join(t, NULL);
	}
	CHECK(late == 0);

	flag = 0;
	t = start_at(SCHED_FIFO, 5, set_flag);
	int64_t end = now_ms() + 100;
	while (now_ms() < end && !flag)
		;
	CHECK(flag == 0);
	pthread_join(t, NULL);
	CHECK(flag == 1);

	/* a thread made without explicit attributes has its creator's */
	pthread_attr_t at;
	pthread_attr_init(&at);
	flag = 0;
	CHECK(pthread_create(&t, &at, set_flag, NULL) == 0);
	end = now_ms() + 100;
	while (now_ms() < end && !flag)
		;
	CHECK(flag == 0);     /* the same priority, FIFO: it waits for us */
	pthread_join(t, NULL);
	pthread_attr_destroy(&at);
	back_to_other();
}

/* A post that wakes a more urgent thread on our CPU runs it before the
 * post returns, and each time: the woken thread must not find a lock its
 * waker still holds (musl-port's futex wake signals after its lock). */
static sem_t sem;

static void *wait_then_flag(void *arg)
{
	int n = (int)(intptr_t)arg;

	for (int i = 0; i < n; i++) {
		if (sem_wait(&sem))
			return NULL;
		flag = i + 1;
	}
	return NULL;
}

static void wake_preempts(void)
{
	enum { ROUNDS = 50 };
	pthread_attr_t at;
	struct sched_param sp = { .sched_priority = 20 };
	pthread_t t;
	int late = 0;

	CHECK(one_cpu() == 0);
	CHECK(set_policy(SCHED_FIFO, 10) == 0);
	CHECK(sem_init(&sem, 0, 0) == 0);
	flag = 0;
	pthread_attr_init(&at);
	pthread_attr_setinheritsched(&at, PTHREAD_EXPLICIT_SCHED);
	pthread_attr_setschedpolicy(&at, SCHED_FIFO);
	pthread_attr_setschedparam(&at, &sp);
	CHECK(pthread_create(&t, &at, wait_then_flag, (void *)(intptr_t)ROUNDS) == 0);
	pthread_attr_destroy(&at);
	for (int i = 0; i < ROUNDS; i++) {
		CHECK(sem_post(&sem) == 0);
		if (flag != i + 1)
			late++;
	}
	CHECK(late == 0);
	pthread_join(t, NULL);
	CHECK(flag == ROUNDS);
	sem_destroy(&sem);
	back_to_other();
}

/* A thread that lowers its priority below a ready one's gives it the CPU
 * before the call returns (the process server's answer must not pass the
 * ready thread by). */
static void lower_yields(void)
{
	pthread_t t;
	struct sched_param sp = { .sched_priority = 10 };

	CHECK(one_cpu() == 0);
	CHECK(set_policy(SCHED_FIFO, 20) == 0);
	flag = 0;
	t = start_at(SCHED_FIFO, 20, set_flag);
	CHECK(flag == 0);                     /* the same priority, FIFO: it waits */
	CHECK(sched_setparam(0, &sp) == 0);
	CHECK(flag == 1);
	pthread_join(t, NULL);
	back_to_other();
}

static void *mark_b(void *arg)
{
	(void)arg;
	b_ran = 1;
	return NULL;
}

/* Two threads of one priority on one CPU: we spin up to ms, watching for
 * the one we made (B) to run. */
static void share(int policy, int64_t ms)
{
	pthread_t b;
	int64_t end;

	CHECK(one_cpu() == 0);
	CHECK(set_policy(policy, 10) == 0);
	b_ran = a_saw_b = 0;
	b = start_at(policy, 10, mark_b);
	for (end = now_ms() + ms; now_ms() < end;)
		if (b_ran) {
			a_saw_b = 1;
			break;
		}
	pthread_join(b, NULL);
	CHECK(b_ran == 1);
	back_to_other();
}

/* SCHED_FIFO: B does not run while we spin (no time slice). */
static void fifo_no_slice(void)
{
	share(SCHED_FIFO, 300);
	CHECK(a_saw_b == 0);
}

/* SCHED_RR: B runs while we spin, when our slice ends. */
static void rr_slices(void)
{
	share(SCHED_RR, 3000);
	CHECK(a_saw_b == 1);
}

/* ---- priority inheritance ------------------------------------------------------------ */

static pthread_mutex_t pi_m;
static volatile int l_locked, go, med_done, h_got, h_saw_med_done;

static void *low(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&pi_m);
	l_locked = 1;
	while (!go)
		;
	int64_t end = now_ms() + 30;      /* work it needs the CPU for */
	while (now_ms() < end)
		;
	pthread_mutex_unlock(&pi_m);
	return NULL;
}

static void *medium(void *arg)
{
	(void)arg;
	int64_t end = now_ms() + 1000;
	while (now_ms() < end)
		;
	med_done = 1;
	return NULL;
}

static void *high(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&pi_m);
	h_saw_med_done = med_done;
	h_got = 1;
	pthread_mutex_unlock(&pi_m);
	return NULL;
}

static void pi_mutex_init(int type)
{
	pthread_mutexattr_t ma;

	CHECK(pthread_mutexattr_init(&ma) == 0);
	CHECK(pthread_mutexattr_setprotocol(&ma, PTHREAD_PRIO_INHERIT) == 0);
	CHECK(pthread_mutexattr_settype(&ma, type) == 0);
	int proto = -1;
	CHECK(pthread_mutexattr_getprotocol(&ma, &proto) == 0 && proto == PTHREAD_PRIO_INHERIT);
	CHECK(pthread_mutex_init(&pi_m, &ma) == 0);
	pthread_mutexattr_destroy(&ma);
}

static void *try_pi(void *arg)
{
	(void)arg;
	struct timespec at;
	int r1 = pthread_mutex_trylock(&pi_m);
	clock_gettime(CLOCK_REALTIME, &at);
	at.tv_nsec += 20 * 1000000;
	if (at.tv_nsec >= 1000000000) {
		at.tv_sec++;
		at.tv_nsec -= 1000000000;
	}
	int r2 = pthread_mutex_timedlock(&pi_m, &at);
	return (void *)(intptr_t)(r1 == EBUSY && r2 == ETIMEDOUT);
}

/* A PTHREAD_PRIO_INHERIT mutex as a mutex: trylock, timedlock, EDEADLK. */
static void pi_basics(void)
{
	pthread_t t;
	void *ok = NULL;

	pi_mutex_init(PTHREAD_MUTEX_ERRORCHECK);
	CHECK(pthread_mutex_lock(&pi_m) == 0);
	CHECK(pthread_mutex_lock(&pi_m) == EDEADLK);
	CHECK(pthread_create(&t, NULL, try_pi, NULL) == 0);
	pthread_join(t, &ok);
	CHECK(ok == (void *)1);
	CHECK(pthread_mutex_unlock(&pi_m) == 0);
	CHECK(pthread_mutex_unlock(&pi_m) == EPERM);
	CHECK(pthread_mutex_trylock(&pi_m) == 0 && pthread_mutex_unlock(&pi_m) == 0);
	CHECK(pthread_mutex_destroy(&pi_m) == 0);
}

/* The inversion: low holds the mutex high wants, medium spins between
 * them on the one CPU. Lent high's priority, low finishes before medium
 * does, and high has the mutex while medium still spins. */
static void pi_inversion(void)
{
	pthread_t l, m, h;
	struct timespec nap = { 0, 10 * 1000000 };

	pi_mutex_init(PTHREAD_MUTEX_NORMAL);
	l_locked = go = med_done = h_got = h_saw_med_done = 0;
	CHECK(one_cpu() == 0);
	CHECK(set_policy(SCHED_FIFO, 40) == 0);
	l = start_at(SCHED_FIFO, 10, low);
	while (!l_locked)
		nanosleep(&nap, NULL);      /* low runs while we sleep: it holds the mutex */
	m = start_at(SCHED_FIFO, 15, medium);
	h = start_at(SCHED_FIFO, 20, high);
	go = 1;
	pthread_join(h, NULL);
	pthread_join(m, NULL);
	pthread_join(l, NULL);
	CHECK(h_got == 1);
	CHECK(h_saw_med_done == 0);
	back_to_other();
	CHECK(pthread_mutex_destroy(&pi_m) == 0);
}

/* ---- privileges, fork, exec, other processes ---------------------------------------- */

static void unprivileged(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		int bad = 0;
		pt_child_start();
		/* real time while uid 0, then not */
		if (set_policy(SCHED_FIFO, 10))
			_exit(10);
		if (setgid(65534) || setuid(65534))
			_exit(11);
		bad |= set_policy(SCHED_FIFO, 5) != 0;         /* down: allowed */
		bad |= (set_policy(SCHED_FIFO, 10) != -1 || errno != EPERM) << 1;   /* up: not */
		bad |= (set_policy(SCHED_RR, 6) != -1 || errno != EPERM) << 2;
		bad |= (sched_getscheduler(0) != SCHED_FIFO || prio_of(0) != 5) << 3;
		bad |= (set_policy(SCHED_OTHER, 0) != 0) << 4;   /* out of real time: allowed */
		bad |= (set_policy(SCHED_FIFO, 1) != -1 || errno != EPERM) << 5;
		/* another user's process */
		struct sched_param sp = { 0 };
		bad |= (sched_setscheduler(getppid(), SCHED_OTHER, &sp) != -1 || errno != EPERM) << 6;
		bad |= (sched_getscheduler(getppid()) != SCHED_OTHER) << 7;
		_exit(bad ? 20 + bad : 0);
	}
	REAP(pid, 0);
}

static void fork_keeps(void)
{
	pid_t pid;

	CHECK(set_policy(SCHED_FIFO, 15) == 0);
	pid = fork();
	if (pid == 0)
		_exit(sched_getscheduler(0) == SCHED_FIFO && prio_of(0) == 15 ? 0 : 1);
	REAP(pid, 0);
	CHECK(set_policy(SCHED_FIFO | SCHED_RESET_ON_FORK, 15) == 0);
	CHECK(sched_getscheduler(0) == (SCHED_FIFO | SCHED_RESET_ON_FORK));
	pid = fork();
	if (pid == 0)
		_exit(sched_getscheduler(0) == SCHED_OTHER && prio_of(0) == 0 ? 0 : 1);
	REAP(pid, 0);
	back_to_other();
	/* SCHED_RR too */
	CHECK(set_policy(SCHED_RR, 3) == 0);
	pid = fork();
	if (pid == 0)
		_exit(sched_getscheduler(0) == SCHED_RR && prio_of(0) == 3 ? 0 : 1);
	REAP(pid, 0);
	back_to_other();
}

static void exec_keeps(void)
{
	pid_t pid;

	CHECK(set_policy(SCHED_FIFO, 12) == 0);
	pid = fork();
	if (pid == 0) {
		execl(self, self, "report", "1", "12", (char *)NULL);
		_exit(99);
	}
	REAP(pid, 0);
	back_to_other();
	pid = fork();
	if (pid == 0) {
		execl(self, self, "report", "0", "0", (char *)NULL);
		_exit(99);
	}
	REAP(pid, 0);
}

/* Another process's policy, read and set by its parent (uid 0). */
static void other_process(void)
{
	int up[2], down[2];
	char c;
	pid_t pid;
	struct sched_param sp = { .sched_priority = 7 };

	CHECK(pipe(up) == 0 && pipe(down) == 0);
	pid = fork();
	if (pid == 0) {
		pt_child_start();
		if (set_policy(SCHED_RR, 4) || write(up[1], "x", 1) != 1)
			_exit(1);
		if (read(down[0], &c, 1) != 1)
			_exit(2);
		_exit(sched_getscheduler(0) == SCHED_FIFO && prio_of(0) == 7 ? 0 : 3);
	}
	CHECK(read(up[0], &c, 1) == 1);
	CHECK(sched_getscheduler(pid) == SCHED_RR && prio_of(pid) == 4);
	CHECK(sched_setscheduler(pid, SCHED_FIFO, &sp) == 0);
	CHECK(sched_getscheduler(pid) == SCHED_FIFO && prio_of(pid) == 7);
	CHECK(write(down[1], "y", 1) == 1);
	REAP(pid, 0);
	close(up[0]);
	close(up[1]);
	close(down[0]);
	close(down[1]);
}

int main(int argc, char **argv)
{
	/* exec'd by exec_keeps: is our policy (FIFO or OTHER) and priority what it says? */
	if (argc > 3 && !strcmp(argv[1], "report")) {
		int want_fifo = atoi(argv[2]), want_prio = atoi(argv[3]);
		return sched_getscheduler(0) == (want_fifo ? SCHED_FIFO : SCHED_OTHER) &&
		       prio_of(0) == want_prio ? 0 : 1;
	}
	pt_prefix = "sched";
	if (argv[0][0] == '/')
		snprintf(self, sizeof(self), "%s", argv[0]);
	else if (!realpath(argv[0], self))
		return 1;
	pt_select(argc, argv);
	run_named("ranges", ranges);
	run_named("set_get", set_get);
	run_named("errors", errors);
	run_named("preempt", preempt);
	run_named("wake_preempts", wake_preempts);
	run_named("lower_yields", lower_yields);
	run_named("fifo_no_slice", fifo_no_slice);
	run_named("rr_slices", rr_slices);
	run_named("pi_basics", pi_basics);
	run_named("pi_inversion", pi_inversion);
	run_named("unprivileged", unprivileged);
	run_named("fork_keeps", fork_keeps);
	run_named("exec_keeps", exec_keeps);
	run_named("other_process", other_process);
	return finish();
}
