// SPDX-License-Identifier: MIT
/*
 * POSIX message queues (mq_open, mq_close, mq_unlink, mq_send,
 * mq_timedsend, mq_receive, mq_timedreceive, mq_getattr, mq_setattr,
 * mq_notify; musl-port/src/cairn/mq.c): creation and O_EXCL, /dev/mqueue,
 * priority order (FIFO within a priority), nonblocking sends and receives,
 * attributes, timeouts, blocking across processes (fork), EINTR and
 * SA_RESTART, mq_notify with a signal across processes (SI_MESGQ, the
 * value, the sender's pid; one registration, EBUSY; removed once fired,
 * by NULL and by mq_close), SIGEV_THREAD, unlink while open, a descriptor
 * shared by fork and dup, a stream of messages between two processes, and
 * the errors of bad names, attributes, descriptors, sizes and priorities.
 *
 * It passes on Linux (as root or not), built on the host:
 *   gcc -std=gnu11 -O2 -Wall -Wextra -Werror -Iuser/tests/posix -Iuser/lib/include \
 *       -o /tmp/mqueue user/tests/posix/mqueue.c user/tests/posix/lib/child.c \
 *       user/tests/posix/lib/test_musl.c user/lib/test.c -lpthread -lrt
 * Expected list: tests/harness/expected/posix-mqueue.txt.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <mqueue.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include "posixtest.h"

static char qname[64];

/* A queue name of this process's, with tag. */
static const char *name_of(const char *tag)
{
	snprintf(qname, sizeof(qname), "/pt_mq_%d_%s", (int)getpid(), tag);
	return qname;
}

static mqd_t make(const char *tag, int flags, long maxmsg, long msgsize)
{
	struct mq_attr a = { 0 };

	a.mq_maxmsg = maxmsg;
	a.mq_msgsize = msgsize;
	mq_unlink(name_of(tag));
	return mq_open(qname, flags | O_CREAT | O_EXCL, 0600, &a);
}

static struct timespec in_ms(long ms)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	t.tv_sec += ms / 1000;
	t.tv_nsec += (ms % 1000) * 1000000;
	if (t.tv_nsec >= 1000000000) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000;
	}
	return t;
}

static int64_t mono_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Creation: O_CREAT, O_EXCL (EEXIST), an existing queue opened again
 * (its attributes stay, the new ones are not even checked), ENOENT
 * without O_CREAT; the defaults (10 messages of 8192 bytes) with a NULL
 * attr; the descriptor is close-on-exec; the queue is a file of
 * /dev/mqueue (1777, listed in /proc/mounts) where there is one. */
static void open_create(void)
{
	struct mq_attr a = { 0 }, bad = { 0 };
	struct stat st;
	char path[128];
	mqd_t q, q2, q3;

	mq_unlink(name_of("create"));
	ERRNO(mq_open(qname, O_RDWR), ENOENT);
	CHECK((q = mq_open(qname, O_RDWR | O_CREAT | O_EXCL, 0600, NULL)) != (mqd_t)-1);
	ERRNO(mq_open(qname, O_RDWR | O_CREAT | O_EXCL, 0600, NULL), EEXIST);
	CHECK(mq_getattr(q, &a) == 0);
	CHECK(a.mq_maxmsg == 10 && a.mq_msgsize == 8192 && a.mq_curmsgs == 0 && a.mq_flags == 0);
	CHECK((fcntl((int)q, F_GETFD) & FD_CLOEXEC) != 0);
	bad.mq_maxmsg = -1;
	bad.mq_msgsize = 0;
	CHECK((q2 = mq_open(qname, O_RDWR | O_CREAT, 0600, &bad)) != (mqd_t)-1);
	CHECK((q3 = mq_open(qname, O_WRONLY)) != (mqd_t)-1);
	CHECK(q2 != q && q3 != q && q3 != q2);
	CHECK(mq_send(q3, "x", 1, 0) == 0);
	CHECK(mq_getattr(q2, &a) == 0 && a.mq_maxmsg == 10 && a.mq_curmsgs == 1);
	CHECK(mq_close(q2) == 0 && mq_close(q3) == 0);
	if (stat("/dev/mqueue", &st) == 0) {
		CHECK(S_ISDIR(st.st_mode) && (st.st_mode & 07777) == 01777);
		snprintf(path, sizeof(path), "/dev/mqueue%s", qname);
		CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
		CHECK(mounts_has(" /dev/mqueue mqueue "));
	}
	CHECK(mq_close(q) == 0);
	CHECK(mq_unlink(qname) == 0);
	ERRNO(mq_unlink(qname), ENOENT);
}

/* Messages come out highest priority first, in the order sent within a
 * priority, with their lengths and priorities (0 and MQ_PRIO_MAX - 1 too,
 * and an empty message). */
static void priority_order(void)
{
	static const struct {
		const char *text;
		unsigned prio;
	} sent[] = {
		{ "a1", 1 }, { "b5", 5 }, { "c0", 0 }, { "d5", 5 }, { "e3", 3 },
		{ "f1", 1 }, { "", 5 }, { "top", 32767 }, { "g0", 0 }, { "h3", 3 },
	};
	static const char *const order[] = { "top", "b5", "d5", "", "e3", "h3", "a1", "f1", "c0", "g0" };
	char buf[64];
	unsigned prio;
	mqd_t q = make("prio", O_RDWR, 10, 64);

	CHECK(q != (mqd_t)-1);
	for (unsigned i = 0; i < sizeof(sent) / sizeof(sent[0]); i++)
		CHECK(mq_send(q, sent[i].text, strlen(sent[i].text), sent[i].prio) == 0);
	for (unsigned i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		ssize_t n = mq_receive(q, buf, sizeof(buf), &prio);
		CHECK(n == (ssize_t)strlen(order[i]) && !memcmp(buf, order[i], (size_t)n));
		CHECK(prio == (i == 0 ? 32767u : order[i][0] ? (unsigned)(order[i][1] - '0') : 5u));
	}
	/* the priority may be left out */
	CHECK(mq_send(q, "xyz", 3, 7) == 0);
	CHECK(mq_receive(q, buf, sizeof(buf), NULL) == 3);
	mq_close(q);
	mq_unlink(name_of("prio"));
}

/* O_NONBLOCK: an empty queue's receive and a full queue's send are
 * EAGAIN, and nothing is queued; mq_setattr changes only the flag. */
static void nonblocking(void)
{
	struct mq_attr a = { 0 }, old = { 0 };
	char buf[16];
	unsigned prio = 99;
	mqd_t q = make("nonblock", O_RDWR | O_NONBLOCK, 3, 16);

	CHECK(q != (mqd_t)-1);
	CHECK(mq_getattr(q, &a) == 0 && a.mq_flags == O_NONBLOCK && a.mq_maxmsg == 3 && a.mq_msgsize == 16);
	ERRNO(mq_receive(q, buf, sizeof(buf), &prio), EAGAIN);
	CHECK(prio == 99);
	for (int i = 0; i < 3; i++)
		CHECK(mq_send(q, "m", 1, (unsigned)i) == 0);
	ERRNO(mq_send(q, "over", 4, 100), EAGAIN);
	CHECK(mq_getattr(q, &a) == 0 && a.mq_curmsgs == 3);
	CHECK(mq_receive(q, buf, sizeof(buf), &prio) == 1 && prio == 2);
	/* blocking again; the new attr's other fields are ignored */
	a.mq_flags = 0;
	a.mq_maxmsg = 100;
	a.mq_msgsize = 1;
	CHECK(mq_setattr(q, &a, &old) == 0);
	CHECK(old.mq_flags == O_NONBLOCK && old.mq_maxmsg == 3 && old.mq_msgsize == 16 && old.mq_curmsgs == 2);
	CHECK(mq_getattr(q, &a) == 0 && a.mq_flags == 0 && a.mq_maxmsg == 3 && a.mq_msgsize == 16);
	CHECK(mq_receive(q, buf, sizeof(buf), &prio) == 1 && prio == 1);
	CHECK(mq_receive(q, buf, sizeof(buf), &prio) == 1 && prio == 0);
	a.mq_flags = O_NONBLOCK;
	CHECK(mq_setattr(q, &a, NULL) == 0);
	ERRNO(mq_receive(q, buf, sizeof(buf), &prio), EAGAIN);
	a.mq_flags = O_NONBLOCK | O_APPEND;
	ERRNO(mq_setattr(q, &a, NULL), EINVAL);
	mq_close(q);
	mq_unlink(name_of("nonblock"));
}

/* Timeouts (absolute CLOCK_REALTIME): an empty queue's timed receive and
 * a full queue's timed send end with ETIMEDOUT when the time comes, and
 * at once for a time passed; a message there is taken whatever the time;
 * a bad time is EINVAL. */
static void timeouts(void)
{
	struct timespec t, past = { 1, 0 }, bad = { 0, 1000000000 }, neg = { -1, 0 };
	char buf[32];
	int64_t t0;
	mqd_t q = make("timeout", O_RDWR, 1, 32);

	CHECK(q != (mqd_t)-1);
	t = in_ms(80);
	t0 = mono_ms();
	ERRNO(mq_timedreceive(q, buf, sizeof(buf), NULL, &t), ETIMEDOUT);
	CHECK(mono_ms() - t0 >= 70 && mono_ms() - t0 < 5000);
	t0 = mono_ms();
	ERRNO(mq_timedreceive(q, buf, sizeof(buf), NULL, &past), ETIMEDOUT);
	CHECK(mono_ms() - t0 < 1000);
	ERRNO(mq_timedreceive(q, buf, sizeof(buf), NULL, &bad), EINVAL);
	ERRNO(mq_timedreceive(q, buf, sizeof(buf), NULL, &neg), EINVAL);
	CHECK(mq_timedsend(q, "one", 3, 0, &past) == 0);
	t = in_ms(60);
	t0 = mono_ms();
	ERRNO(mq_timedsend(q, "two", 3, 0, &t), ETIMEDOUT);
	CHECK(mono_ms() - t0 >= 50 && mono_ms() - t0 < 5000);
	ERRNO(mq_timedsend(q, "two", 3, 0, &past), ETIMEDOUT);
	ERRNO(mq_timedsend(q, "two", 3, 0, &bad), EINVAL);
	CHECK(mq_timedreceive(q, buf, sizeof(buf), NULL, &past) == 3 && !memcmp(buf, "one", 3));
	mq_close(q);
	mq_unlink(name_of("timeout"));
}

/* Blocking across processes: a child's receive of the empty queue waits
 * for the parent's message; the parent's send to the full queue waits for
 * the child's receive. The child opens the queue by name; the parent's
 * descriptor is the one inherited too. */
static void blocking_fork(void)
{
	char buf[32];
	mqd_t q = make("block", O_RDWR, 2, 32);
	int64_t t0;
	pid_t pid;

	CHECK(q != (mqd_t)-1);
	pid = fork();
	if (pid == 0) {
		pt_child_start();
		mqd_t c = mq_open(qname, O_RDWR);
		unsigned prio;
		if (c == (mqd_t)-1)
			_exit(1);
		int64_t s = mono_ms();
		if (mq_receive(c, buf, sizeof(buf), &prio) != 5 || memcmp(buf, "hello", 5) || prio != 4)
			_exit(2);
		if (mono_ms() - s < 40)
			_exit(3);             /* it did not wait */
		pt_msleep(100);           /* the parent fills the queue and waits */
		if (mq_receive(q, buf, sizeof(buf), &prio) != 2 || memcmp(buf, "m1", 2))
			_exit(4);
		if (mq_receive(c, buf, sizeof(buf), &prio) != 2 || memcmp(buf, "m2", 2))
			_exit(5);
		if (mq_receive(c, buf, sizeof(buf), &prio) != 2 || memcmp(buf, "m3", 2))
			_exit(6);
		_exit(0);
	}
	pt_msleep(60);
	CHECK(mq_send(q, "hello", 5, 4) == 0);
	pt_msleep(20);
	CHECK(mq_send(q, "m1", 2, 0) == 0);
	CHECK(mq_send(q, "m2", 2, 0) == 0);
	t0 = mono_ms();
	CHECK(mq_send(q, "m3", 2, 0) == 0);     /* full: waits for the child */
	CHECK(mono_ms() - t0 >= 30);
	REAP(pid, 0);
	mq_close(q);
	mq_unlink(name_of("block"));
}

static volatile sig_atomic_t caught;

static void on_signal(int sig)
{
	(void)sig;
	caught++;
}

/* A signal handler interrupts a blocked receive (EINTR) and send, or
 * not with SA_RESTART: the receive goes on and takes the message that
 * comes later. */
static void interrupted(void)
{
	struct sigaction sa = { 0 }, old;
	char buf[16];
	mqd_t q = make("intr", O_RDWR, 1, 16);
	pid_t pid, parent = getpid();

	CHECK(q != (mqd_t)-1);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(SIGUSR1, &sa, &old) == 0);
	pid = fork();
	if (pid == 0) {
		pt_child_start();
		pt_msleep(80);
		kill(parent, SIGUSR1);       /* the receive */
		pt_msleep(150);
		kill(parent, SIGUSR1);       /* the send */
		pt_msleep(150);
		kill(parent, SIGUSR1);       /* the SA_RESTART receive */
		pt_msleep(80);
		_exit(mq_send(q, "late", 4, 0) ? 1 : 0);
	}
	caught = 0;
	ERRNO(mq_receive(q, buf, sizeof(buf), NULL), EINTR);
	CHECK(caught == 1);
	CHECK(mq_send(q, "full", 4, 0) == 0);
	ERRNO(mq_send(q, "more", 4, 0), EINTR);
	CHECK(caught == 2);
	CHECK(mq_receive(q, buf, sizeof(buf), NULL) == 4 && !memcmp(buf, "full", 4));
	sa.sa_flags = SA_RESTART;
	CHECK(sigaction(SIGUSR1, &sa, NULL) == 0);
	CHECK(mq_receive(q, buf, sizeof(buf), NULL) == 4 && !memcmp(buf, "late", 4));
	CHECK(caught == 3);
	REAP(pid, 0);
	sigaction(SIGUSR1, &old, NULL);
	mq_close(q);
	mq_unlink(name_of("intr"));
}

static volatile sig_atomic_t n_code, n_value, n_pid, n_count;

static void on_notify(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	n_code = si->si_code;
	n_value = si->si_value.sival_int;
	n_pid = si->si_pid;
	n_count++;
}

/* Waits up to ms for the handler's count to reach n. */
static int notified(int n, int ms)
{
	int64_t end = mono_ms() + ms;

	while (n_count < n && mono_ms() < end)
		pt_msleep(2);
	return n_count == n;
}

/* mq_notify, SIGEV_SIGNAL: a child's message to the empty queue signals
 * the registered parent (SI_MESGQ, the value, the child's pid) once: the
 * registration is gone after it (a second message, or one to a non-empty
 * queue, signals nothing). One registration a queue: another process's
 * is EBUSY (and this process's second too) until NULL removes it; the
 * child can register then. mq_close removes the closer's registration. */
static void notify_signal(void)
{
	struct sigaction sa = { 0 }, old;
	struct sigevent ev = { 0 };
	char buf[16];
	mqd_t q = make("notify", O_RDWR, 4, 16);
	pid_t pid;

	CHECK(q != (mqd_t)-1);
	sa.sa_sigaction = on_notify;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(SIGUSR2, &sa, &old) == 0);
	n_count = 0;
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = SIGUSR2;
	ev.sigev_value.sival_int = 31337;
	CHECK(mq_notify(q, &ev) == 0);
	ERRNO(mq_notify(q, &ev), EBUSY);
	pid = fork();
	if (pid == 0) {
		pt_child_start();
		struct sigevent e2 = { 0 };
		e2.sigev_notify = SIGEV_NONE;
		if (mq_notify(q, &e2) != -1 || errno != EBUSY)
			_exit(1);
		if (mq_notify(q, NULL) != 0)   /* not its registration: nothing */
			_exit(2);
		pt_msleep(30);
		_exit(mq_send(q, "hi", 2, 0) || mq_send(q, "again", 5, 0) ? 3 : 0);
	}
	REAP(pid, 0);
	CHECK(notified(1, 5000));
	CHECK(n_code == SI_MESGQ && n_value == 31337 && n_pid == pid);
	CHECK(mq_receive(q, buf, sizeof(buf), NULL) == 2 && mq_receive(q, buf, sizeof(buf), NULL) == 5);
	/* fired: gone */
	CHECK(mq_send(q, "x", 1, 0) == 0);
	pt_msleep(30);
	CHECK(n_count == 1);
	/* only a message to an empty queue notifies */
	CHECK(mq_notify(q, &ev) == 0);
	CHECK(mq_send(q, "y", 1, 0) == 0);
	pt_msleep(30);
	CHECK(n_count == 1);
	CHECK(mq_receive(q, buf, sizeof(buf), NULL) == 1 && mq_receive(q, buf, sizeof(buf), NULL) == 1);
	CHECK(mq_send(q, "z", 1, 0) == 0);
	CHECK(notified(2, 5000) && n_pid == getpid() && n_code == SI_MESGQ);
	CHECK(mq_receive(q, buf, sizeof(buf), NULL) == 1);
	/* NULL removes it: another process registers */
	CHECK(mq_notify(q, &ev) == 0);
	CHECK(mq_notify(q, NULL) == 0);
	pid = fork();
	if (pid == 0) {
		pt_child_start();
		struct sigevent e2 = { 0 };
		e2.sigev_notify = SIGEV_NONE;
		_exit(mq_notify(q, &e2) == 0 ? 0 : 1);
	}
	REAP(pid, 0);
	/* a registration whose process is gone: Linux's ends with the
	 * process; a close removes the closer's */
	{
		mqd_t q2 = mq_open(qname, O_RDWR);
		CHECK(q2 != (mqd_t)-1);
		CHECK(mq_notify(q2, &ev) == 0);
		CHECK(mq_close(q2) == 0);
		CHECK(mq_notify(q, &ev) == 0);
		CHECK(mq_notify(q, NULL) == 0);
	}
	CHECK(mq_send(q, "w", 1, 0) == 0);
	pt_msleep(30);
	CHECK(n_count == 2);
	sigaction(SIGUSR2, &old, NULL);
	mq_close(q);
	mq_unlink(name_of("notify"));
}

static pthread_mutex_t t_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t t_cond = PTHREAD_COND_INITIALIZER;
static int t_value, t_runs;

static void on_thread(union sigval v)
{
	pthread_mutex_lock(&t_lock);
	t_value = v.sival_int;
	t_runs++;
	pthread_cond_broadcast(&t_cond);
	pthread_mutex_unlock(&t_lock);
}

/* mq_notify, SIGEV_THREAD: the function runs on a thread with the value
 * when a child's message arrives; a registration removed first never
 * runs it. */
static void notify_thread(void)
{
	struct sigevent ev = { 0 };
	struct timespec until;
	char buf[16];
	mqd_t q = make("nthread", O_RDWR, 4, 16);
	pid_t pid;
	int runs;

	CHECK(q != (mqd_t)-1);
	ev.sigev_notify = SIGEV_THREAD;
	ev.sigev_notify_function = on_thread;
	ev.sigev_value.sival_int = 777;
	/* removed before it fires: nothing runs */
	CHECK(mq_notify(q, &ev) == 0);
	CHECK(mq_notify(q, NULL) == 0);
	t_runs = 0;
	CHECK(mq_notify(q, &ev) == 0);
	pid = fork();
	if (pid == 0) {
		pt_child_start();
		_exit(mq_send(q, "go", 2, 1) ? 1 : 0);
	}
	REAP(pid, 0);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 5;
	pthread_mutex_lock(&t_lock);
	while (t_runs == 0 && pthread_cond_timedwait(&t_cond, &t_lock, &until) == 0)
		;
	runs = t_runs;
	pthread_mutex_unlock(&t_lock);
	CHECK(runs == 1 && t_value == 777);
	CHECK(mq_receive(q, buf, sizeof(buf), NULL) == 2);
	mq_close(q);
	mq_unlink(name_of("nthread"));
}

/* mq_unlink removes the name; the queue lives while open (its messages
 * too), and a new queue of the name is another. */
static void unlink_open(void)
{
	struct mq_attr a;
	char buf[16];
	mqd_t q = make("unlink", O_RDWR, 4, 16), q2;

	CHECK(q != (mqd_t)-1);
	CHECK(mq_send(q, "kept", 4, 2) == 0);
	CHECK(mq_unlink(qname) == 0);
	ERRNO(mq_open(qname, O_RDWR), ENOENT);
	ERRNO(mq_unlink(qname), ENOENT);
	CHECK((q2 = mq_open(qname, O_RDWR | O_CREAT | O_EXCL, 0600, NULL)) != (mqd_t)-1);
	CHECK(mq_getattr(q2, &a) == 0 && a.mq_curmsgs == 0 && a.mq_maxmsg == 10);
	CHECK(mq_send(q, "more", 4, 1) == 0);
	CHECK(mq_getattr(q, &a) == 0 && a.mq_curmsgs == 2 && a.mq_maxmsg == 4);
	CHECK(mq_receive(q, buf, sizeof(buf), NULL) == 4 && !memcmp(buf, "kept", 4));
	CHECK(mq_close(q2) == 0 && mq_unlink(qname) == 0);
	CHECK(mq_receive(q, buf, sizeof(buf), NULL) == 4 && !memcmp(buf, "more", 4));
	CHECK(mq_close(q) == 0);
}

/* The descriptor is a file descriptor: dup's works, and so does a fork's
 * child's copy; the access mode is the open's. */
static void shared_descriptor(void)
{
	char buf[16];
	mqd_t q = make("dup", O_RDWR, 4, 16), d, r;
	pid_t pid;

	CHECK(q != (mqd_t)-1);
	CHECK((d = dup(q)) >= 0);
	CHECK(mq_send(d, "via dup", 7, 0) == 0);
	CHECK(mq_close(d) == 0);
	CHECK(mq_receive(q, buf, sizeof(buf), NULL) == 7 && !memcmp(buf, "via dup", 7));
	CHECK((r = mq_open(qname, O_RDONLY)) != (mqd_t)-1);
	pid = fork();
	if (pid == 0) {
		pt_child_start();
		if (mq_send(r, "no", 2, 0) != -1 || errno != EBADF)
			_exit(1);
		_exit(mq_send(q, "child", 5, 3) ? 2 : 0);
	}
	REAP(pid, 0);
	CHECK(mq_receive(r, buf, sizeof(buf), NULL) == 5 && !memcmp(buf, "child", 5));
	mq_close(r);
	mq_close(q);
	mq_unlink(name_of("dup"));
}

/* 400 messages of 1 to 200 bytes from a child, each with its number and
 * a pattern, through a queue of 4: all come, in order, whole. */
static void stream(void)
{
	char buf[256];
	int bad = 0;
	mqd_t q = make("stream", O_RDWR, 4, 200);
	pid_t pid;

	CHECK(q != (mqd_t)-1);
	pid = fork();
	if (pid == 0) {
		pt_child_start();
		for (int i = 0; i < 400; i++) {
			size_t n = 1 + (size_t)(i * 37) % 200;
			for (size_t k = 0; k < n; k++)
				buf[k] = (char)(i + k);
			if (mq_send(q, buf, n, 0))
				_exit(1);
		}
		_exit(0);
	}
	for (int i = 0; i < 400 && !bad; i++) {
		size_t n = 1 + (size_t)(i * 37) % 200;
		ssize_t got = mq_receive(q, buf, sizeof(buf), NULL);
		if (got != (ssize_t)n)
			bad = 1 + i;
		for (size_t k = 0; k < n && !bad; k++)
			if (buf[k] != (char)(i + k))
				bad = 1 + i;
	}
	CHECK(bad == 0);
	REAP(pid, 0);
	mq_close(q);
	mq_unlink(name_of("stream"));
}

/* The errors: names (ENOENT, EACCES, ENAMETOOLONG), attributes (EINVAL;
 * more bytes than RLIMIT_MSGQUEUE allows: EMFILE, or EINVAL past the
 * non-root limits), sizes (EMSGSIZE), priorities (EINVAL), descriptors
 * (EBADF: closed, not a queue, not open for the call), sigevents. */
static void errors(void)
{
	struct mq_attr a = { 0 };
	struct sigevent ev = { 0 };
	char buf[64], big[300];
	mqd_t q, r, w;
	int fd;

	ERRNO(mq_open("/", O_RDWR | O_CREAT, 0600, NULL), ENOENT);
	ERRNO(mq_open("/a/b", O_RDWR | O_CREAT, 0600, NULL), EACCES);
	big[0] = '/';
	memset(big + 1, 'n', NAME_MAX + 1);
	big[NAME_MAX + 2] = 0;
	ERRNO(mq_open(big, O_RDWR | O_CREAT, 0600, NULL), ENAMETOOLONG);
	ERRNO(mq_unlink(big), ENAMETOOLONG);
	big[NAME_MAX + 1] = 0;                    /* NAME_MAX: fine */
	mq_unlink(big);
	CHECK((q = mq_open(big, O_RDWR | O_CREAT | O_EXCL, 0600, NULL)) != (mqd_t)-1);
	CHECK(mq_close(q) == 0 && mq_unlink(big) == 0);
	name_of("err");
	mq_unlink(qname);
	a.mq_maxmsg = 0;
	a.mq_msgsize = 16;
	ERRNO(mq_open(qname, O_RDWR | O_CREAT, 0600, &a), EINVAL);
	a.mq_maxmsg = 4;
	a.mq_msgsize = -1;
	ERRNO(mq_open(qname, O_RDWR | O_CREAT, 0600, &a), EINVAL);
	a.mq_maxmsg = 100000;
	a.mq_msgsize = 16;
	ERRNO(mq_open(qname, O_RDWR | O_CREAT, 0600, &a), EINVAL);
	a.mq_maxmsg = 4;
	a.mq_msgsize = 20 << 20;
	ERRNO(mq_open(qname, O_RDWR | O_CREAT, 0600, &a), EINVAL);
	a.mq_maxmsg = 200;
	a.mq_msgsize = 8192;
	errno = 0;
	CHECK(mq_open(qname, O_RDWR | O_CREAT, 0600, &a) == (mqd_t)-1 && (errno == EMFILE || errno == EINVAL));
	ERRNO(mq_open(qname, O_RDWR), ENOENT);    /* nothing was made */
	a.mq_maxmsg = 2;
	a.mq_msgsize = 8;
	CHECK((q = mq_open(qname, O_RDWR | O_CREAT | O_EXCL, 0600, &a)) != (mqd_t)-1);
	CHECK((r = mq_open(qname, O_RDONLY)) != (mqd_t)-1);
	CHECK((w = mq_open(qname, O_WRONLY)) != (mqd_t)-1);
	ERRNO(mq_send(q, "123456789", 9, 0), EMSGSIZE);
	ERRNO(mq_send(q, "x", 1, MQ_PRIO_MAX), EINVAL);
	ERRNO(mq_send(r, "x", 1, 0), EBADF);
	CHECK(mq_send(w, "12345678", 8, 0) == 0);
	ERRNO(mq_receive(q, buf, 7, NULL), EMSGSIZE);
	ERRNO(mq_receive(w, buf, sizeof(buf), NULL), EBADF);
	CHECK(mq_receive(r, buf, 8, NULL) == 8 && !memcmp(buf, "12345678", 8));
	ev.sigev_notify = 1234;
	ERRNO(mq_notify(q, &ev), EINVAL);
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = 1000;
	ERRNO(mq_notify(q, &ev), EINVAL);
	a.mq_flags = 12345;
	ERRNO(mq_setattr(q, &a, NULL), EINVAL);
	CHECK(mq_close(r) == 0 && mq_close(w) == 0);
	ERRNO(mq_close(r), EBADF);
	/* closed, never opened, not a queue */
	ERRNO(mq_send(r, "x", 1, 0), EBADF);
	ERRNO(mq_receive(r, buf, sizeof(buf), NULL), EBADF);
	ERRNO(mq_getattr(r, &a), EBADF);
	ERRNO(mq_notify(r, NULL), EBADF);
	ERRNO(mq_send((mqd_t)-1, "x", 1, 0), EBADF);
	ERRNO(mq_getattr((mqd_t)9999, &a), EBADF);
	fd = open("/proc/self/exe", O_RDONLY);
	if (fd < 0)
		fd = open("/dev/null", O_RDWR);
	CHECK(fd >= 0);
	ERRNO(mq_send((mqd_t)fd, "x", 1, 0), EBADF);
	ERRNO(mq_getattr((mqd_t)fd, &a), EBADF);
	close(fd);
	fd = open("/dev/null", O_RDWR);
	ERRNO(mq_receive((mqd_t)fd, buf, sizeof(buf), NULL), EBADF);
	close(fd);
	/* the queue still works */
	CHECK(mq_send(q, "ok", 2, 0) == 0 && mq_receive(q, buf, sizeof(buf), NULL) == 2);
	mq_close(q);
	mq_unlink(qname);
}

int main(int argc, char **argv)
{
	pt_prefix = "mqueue";
	pt_select(argc, argv);
	run_named("open_create", open_create);
	run_named("priority_order", priority_order);
	run_named("nonblocking", nonblocking);
	run_named("timeouts", timeouts);
	run_named("blocking_fork", blocking_fork);
	run_named("interrupted", interrupted);
	run_named("notify_signal", notify_signal);
	run_named("notify_thread", notify_thread);
	run_named("unlink_open", unlink_open);
	run_named("shared_descriptor", shared_descriptor);
	run_named("stream", stream);
	run_named("errors", errors);
	return finish();
}
