// SPDX-License-Identifier: MIT
/*
 * Pipes whose bytes move through the ring the VFS shares with their
 * holders (include/cairn/posix.h, struct posix_pipe_shm; musl-port's
 * fd.c, "shared pipes"): a pipe inherited through execve (mapped anew),
 * a blocked reader woken by a write and by the last writer's exit, the
 * last writer's bytes before the end when it exits at once, a
 * blocked writer of a full pipe (exactly 65536 bytes) and the reader's
 * close (EPIPE, SIGPIPE), 4 MiB with odd write and read sizes, PIPE_BUF
 * atomicity with four writers, O_NONBLOCK set by another process on the
 * shared description, poll (POLLIN, POLLOUT, POLLHUP, POLLERR), the
 * self-pipe trick under a 1 ms interval timer (signal handlers held back
 * inside a copy), writer and reader threads, holders killed in the middle
 * of a copy (their side's lock taken over), more pipes than the server
 * shares (its own ring, IO_READ/IO_WRITE) and dup/dup2 of mapped ends.
 *
 * Every wait is bounded: children end themselves with alarm(20), the
 * parent waits for them with a timeout (then SIGKILL) and each test runs
 * under a watchdog alarm. The program also runs itself through execve:
 * `pipes sum RFD WFD N` reads N bytes from RFD, then its end of file,
 * and writes a summary and the bytes back to WFD. Expected list:
 * tests/harness/expected/posix-pipes.txt.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include "posixtest.h"

static char self[256];

/* A pipe whose two ends have both moved a byte (so both are mapped). */
static int mapped_pipe(int p[2])
{
	char c = 0;

	if (pipe(p))
		return -1;
	if (write(p[1], "m", 1) != 1 || read(p[0], &c, 1) != 1 || c != 'm')
		return -1;
	return 0;
}

static uint32_t fnv(uint32_t h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

/* The byte at offset i of a test stream: no period of 64 KiB. */
static uint8_t pattern(uint64_t i)
{
	return (uint8_t)((i ^ (i >> 9) ^ (i >> 17)) * 131u + 7u);
}

static void set_nonblock(int fd, int on)
{
	int fl = fcntl(fd, F_GETFL);

	fcntl(fd, F_SETFL, on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK);
}

/* Fills a pipe through a nonblocking write end with 4096-byte writes: the bytes that went in. */
static long fill_pipe(int wfd)
{
	static char buf[4096];
	long total = 0;

	memset(buf, 'f', sizeof(buf));
	set_nonblock(wfd, 1);
	for (;;) {
		ssize_t n = write(wfd, buf, sizeof(buf));
		if (n < 0)
			break;
		total += n;
		if (total > 1 << 22)
			break;
	}
	set_nonblock(wfd, 0);
	return total;
}

/* ---- the mode this program runs in when it execs itself ---- */

static uint8_t sum_buf[1 << 19];

/* `pipes sum RFD WFD N` */
static int mode_sum(char **argv)
{
	int rfd = atoi(argv[2]), wfd = atoi(argv[3]);
	long n = atol(argv[4]), got;
	struct stat st;
	char line[128], c;
	int eof, fifo;

	alarm(20);
	if (n < 0 || n > (long)sizeof(sum_buf))
		return 10;
	fifo = fstat(rfd, &st) == 0 && S_ISFIFO(st.st_mode);
	got = pt_read_full(rfd, sum_buf, (size_t)n);
	eof = read(rfd, &c, 1) == 0;
	int len = snprintf(line, sizeof(line), "n=%ld sum=%08x eof=%d fifo=%d\n", got,
			   fnv(2166136261u, sum_buf, got > 0 ? (size_t)got : 0), eof, fifo);
	if (pt_write_full(wfd, line, (size_t)len) != len)
		return 11;
	if (got > 0 && pt_write_full(wfd, sum_buf, (size_t)got) != got)
		return 12;
	return 0;
}

/* ---- 1: a pipe inherited through execve ---- */

static uint8_t xbuf[1 << 19];

/* Sends n pattern bytes to an exec'd `sum` child that reads the pipe on
 * descriptor 0 (to0: dup2'ed there) or on its own number, and checks what
 * it sends back through another pipe. */
static void exec_one(int to0, long n)
{
	int a[2], b[2];
	char arg_r[16], arg_w[16], arg_n[24], line[128], want[128];
	pid_t pid;

	CHECK(mapped_pipe(a) == 0 && mapped_pipe(b) == 0);
	for (long i = 0; i < n; i++)
		xbuf[i] = pattern((uint64_t)i * 3);
	/* some bytes are in the ring before the child even exists */
	CHECK(write(a[1], xbuf, 1000) == 1000);
	pid = fork();
	if (pid == 0) {
		int rfd = a[0];
		close(a[1]);
		close(b[0]);
		if (to0) {
			dup2(a[0], 0);
			close(a[0]);
			rfd = 0;
		}
		snprintf(arg_r, sizeof(arg_r), "%d", rfd);
		snprintf(arg_w, sizeof(arg_w), "%d", b[1]);
		snprintf(arg_n, sizeof(arg_n), "%ld", n);
		char *argv[] = { self, "sum", arg_r, arg_w, arg_n, NULL };
		execv(self, argv);
		_exit(127);
	}
	close(a[0]);
	close(b[1]);
	CHECK(pid > 0);
	CHECK(pt_write_full(a[1], xbuf + 1000, (size_t)(n - 1000)) == n - 1000);
	close(a[1]);
	/* the summary line, then the bytes */
	size_t k = 0;
	while (k < sizeof(line) - 1 && read(b[0], line + k, 1) == 1 && line[k] != '\n')
		k++;
	line[k] = 0;
	snprintf(want, sizeof(want), "n=%ld sum=%08x eof=1 fifo=1", n, fnv(2166136261u, xbuf, (size_t)n));
	if (strcmp(line, want))
		FAIL("exec'd child said '%s', want '%s'", line, want);
	static uint8_t back[1 << 19];
	CHECK(pt_read_full(b[0], back, (size_t)n) == n && !memcmp(back, xbuf, (size_t)n));
	char c;
	CHECK(read(b[0], &c, 1) == 0);
	close(b[0]);
	REAP(pid, 0);
}

static void exec_inherits(void)
{
	exec_one(1, 300000);
	exec_one(0, 70000);
	exec_one(0, 1000);
}

/* ---- 2: a blocked reader woken by a write; the end of file when the last writer exits ---- */

static void blocked_reader_woken(void)
{
	int p[2], q[2];
	pid_t pid;

	/* one wake-up, after the child surely waits */
	CHECK(mapped_pipe(p) == 0);
	pid = fork();
	if (pid == 0) {
		char buf[100];
		int64_t t0 = pt_now_ms();
		pt_child_start();
		close(p[1]);
		ssize_t n = read(p[0], buf, sizeof(buf));
		if (n != 5 || memcmp(buf, "hello", 5))
			_exit(1);
		if (pt_now_ms() - t0 < 10)
			_exit(2);         /* it did not wait */
		_exit(0);
	}
	pt_msleep(80);
	CHECK(write(p[1], "hello", 5) == 5);
	REAP(pid, 0);
	close(p[0]);
	close(p[1]);

	/* ping-pong: each side waits for the other 300 times */
	CHECK(pipe(p) == 0 && pipe(q) == 0);
	pid = fork();
	if (pid == 0) {
		uint32_t v;
		pt_child_start();
		close(p[1]);
		close(q[0]);
		for (uint32_t i = 0; i < 300; i++) {
			if (read(p[0], &v, 4) != 4 || v != i)
				_exit(1);
			v = i * 7 + 1;
			if (write(q[1], &v, 4) != 4)
				_exit(2);
		}
		_exit(0);
	}
	close(p[0]);
	close(q[1]);
	for (uint32_t i = 0; i < 300; i++) {
		uint32_t v = i;
		if (write(p[1], &v, 4) != 4 || read(q[0], &v, 4) != 4 || v != i * 7 + 1) {
			FAIL("ping-pong round %u", i);
			break;
		}
	}
	close(p[1]);
	close(q[0]);
	REAP(pid, 0);
}

static void eof_writer_exits(void)
{
	int p[2];
	pid_t w, r;

	for (int how = 0; how < 2; how++) {
		CHECK(mapped_pipe(p) == 0);
		w = fork();
		if (w == 0) {
			pt_child_start();
			close(p[0]);
			if (write(p[1], "abc", 3) != 3)
				_exit(1);
			if (how)
				for (;;)
					pause();  /* killed */
			pt_msleep(100);
			_exit(0);         /* p[1] is still open: exit closes it */
		}
		r = fork();
		if (r == 0) {
			char buf[8];
			pt_child_start();
			close(p[1]);
			if (pt_read_full(p[0], buf, 3) != 3 || memcmp(buf, "abc", 3))
				_exit(1);
			int64_t t0 = pt_now_ms();
			if (read(p[0], buf, sizeof(buf)) != 0)
				_exit(2);
			if (!how && pt_now_ms() - t0 < 10)
				_exit(3);         /* the end came before the writer's exit */
			_exit(0);
		}
		close(p[0]);
		close(p[1]);
		if (how) {
			pt_msleep(60);
			kill(w, SIGKILL);
		}
		/* the reader sees the end while the writer is still a zombie */
		REAP(r, 0);
		REAP(w, how ? 1000 + SIGKILL : 0);
	}
}

/* The last writer's bytes come before the end, however close its write
 * and its exit are to the reader's look at the empty ring. A reader that
 * saw the ring empty, was preempted, and then saw no writer (the writer
 * had written and exited meanwhile, on another CPU) took the end and lost
 * the bytes. Here the reader spins on a nonblocking read beside a busy
 * thread on its CPU, so it is preempted often, anywhere in its read,
 * while the writer writes and exits. */
static volatile int lb_stop;

static void *lb_spin(void *arg)
{
	(void)arg;
	while (!lb_stop)
		;
	return NULL;
}

static void last_bytes_then_end(void)
{
	char buf[80], want[64];
	cpu_set_t all, one;
	int p[2], lost = 0, cpu0 = 0;
	pthread_t spin;

	for (int i = 0; i < (int)sizeof(want); i++)
		want[i] = (char)('a' + i % 26);
	CHECK(sched_getaffinity(0, sizeof(all), &all) == 0);
	while (!CPU_ISSET(cpu0, &all))
		cpu0++;
	CPU_ZERO(&one);
	CPU_SET(cpu0, &one);
	CHECK(sched_setaffinity(0, sizeof(one), &one) == 0);
	lb_stop = 0;
	CHECK(pthread_create(&spin, NULL, lb_spin, NULL) == 0);   /* on cpu0 too */
	for (int round = 0; round < 120 && !lost; round++) {
		size_t n = 1 + (size_t)round % sizeof(want), got = 0;
		ssize_t r;
		pid_t w;

		CHECK(mapped_pipe(p) == 0);
		set_nonblock(p[0], 1);
		w = fork();
		if (w == 0) {
			close(p[0]);
			sched_setaffinity(0, sizeof(all), &all);
			pt_msleep(round % 5);
			_exit(write(p[1], want, n) == (ssize_t)n ? 0 : 1);
		}
		close(p[1]);
		while ((r = read(p[0], buf + got, sizeof(buf) - got)) != 0)
			if (r > 0)
				got += (size_t)r;
			else if (errno != EAGAIN)
				break;
		if (r < 0 || got != n || memcmp(buf, want, n)) {
			printf("# pipes.last_bytes_then_end: round %d: %zu of %zu bytes, then %zd\n", round,
			       got, n, r);
			lost = 1;
		}
		close(p[0]);
		REAP(w, 0);
	}
	lb_stop = 1;
	CHECK(pthread_join(spin, NULL) == 0);
	CHECK(sched_setaffinity(0, sizeof(all), &all) == 0);
	CHECK(!lost);
}

/* A shell's pipeline (`echo "$r" | uudecode`): a pipe its maker never
 * reads or writes, a writer child that writes a few bytes on its stdout
 * and exits, a reader child that reads its stdin to the end; each maps
 * the ring itself, and they run at once on several CPUs. The reader
 * tells what it got through a second pipe. */
static void pipeline_children(void)
{
	char want[48];
	int lost = 0;

	for (int i = 0; i < (int)sizeof(want); i++)
		want[i] = (char)('A' + i % 26);
	for (int round = 0; round < 200 && !lost; round++) {
		size_t n = 1 + (size_t)round % sizeof(want);
		int p[2], res[2];
		char got[64];
		ssize_t k;
		pid_t w, r;

		CHECK(pipe(p) == 0 && pipe(res) == 0);
		w = fork();
		if (w == 0) {
			dup2(p[1], 1);
			close(p[0]);
			close(p[1]);
			close(res[0]);
			close(res[1]);
			_exit(write(1, want, n) == (ssize_t)n ? 0 : 1);
		}
		r = fork();
		if (r == 0) {
			char buf[64];
			size_t total = 0;
			ssize_t m;
			dup2(p[0], 0);
			close(p[0]);
			close(p[1]);
			close(res[0]);
			while ((m = read(0, buf + total, sizeof(buf) - total)) > 0)
				total += (size_t)m;
			_exit(write(res[1], buf, total) == (ssize_t)total && m == 0 ? 0 : 1);
		}
		close(p[0]);
		close(p[1]);
		close(res[1]);
		k = pt_read_full(res[0], got, n);
		close(res[0]);
		REAP(w, 0);
		REAP(r, 0);
		if (k != (ssize_t)n || memcmp(got, want, n)) {
			printf("# pipes.pipeline_children: round %d: %zd of %zu bytes\n", round, k, n);
			lost = 1;
		}
	}
	CHECK(!lost);
}

/* dup and close of a pipe's write end while signals come every
 * millisecond: each close drops one reference of the description, never
 * two. A signal used to end the wait of a call the server was serving;
 * musl-port then sent the close again, and the second one dropped the
 * reference a child held: the reader saw the end before the child's
 * byte (busybox pipelines lost their bytes when SIGCHLD came). */
static volatile sig_atomic_t cs_hits;

static void cs_handler(int sig)
{
	(void)sig;
	cs_hits++;
}

static void close_under_signals(void)
{
	struct sigaction sa = { .sa_handler = cs_handler, .sa_flags = SA_RESTART };
	struct itimerval it = { { 0, 1000 }, { 0, 1000 } }, off = { { 0, 0 }, { 0, 0 } };
	int p[2], go[2], dups = 0;
	char c = 0;
	pid_t w;

	CHECK(mapped_pipe(p) == 0 && pipe(go) == 0);
	w = fork();
	if (w == 0) {
		char g;
		close(p[0]);
		close(go[1]);
		/* the byte once the parent is done: its write end is all
		 * that keeps the pipe open for the reader meanwhile */
		_exit(read(go[0], &g, 1) == 1 && write(p[1], "w", 1) == 1 ? 0 : 1);
	}
	close(go[0]);
	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(SIGALRM, &sa, NULL) == 0);
	cs_hits = 0;
	CHECK(setitimer(ITIMER_REAL, &it, NULL) == 0);
	/* 1.5 s and 50 signals; 10 s more at most (the timer replaced
	 * trun's watchdog alarm) */
	for (int64_t t0 = pt_now_ms(), now = t0; now < t0 + 1500 || (cs_hits < 50 && now < t0 + 11500);
	     now = pt_now_ms(), dups++) {
		int d = dup(p[1]);
		if (d < 0 || close(d))
			break;
	}
	setitimer(ITIMER_REAL, &off, NULL);
	signal(SIGALRM, SIG_IGN);       /* one still pending goes (not the default's end) */
	signal(SIGALRM, SIG_DFL);
	CHECK(cs_hits >= 50);
	printf("# pipes.close_under_signals: %d dup+close pairs, %d signals\n", dups, (int)cs_hits);
	close(p[1]);
	CHECK(write(go[1], "g", 1) == 1);
	close(go[1]);
	CHECK(pt_read_full(p[0], &c, 1) == 1 && c == 'w');    /* not the end before the byte */
	close(p[0]);
	REAP(w, 0);
}

/* ---- 3: a full pipe; its blocked writer when the reader goes ---- */

static void full_pipe(void)
{
	int p[2], n = -1;
	char c = 'x';

	CHECK(mapped_pipe(p) == 0);
	CHECK(fcntl(p[0], F_GETPIPE_SZ) == 65536 && fcntl(p[1], F_GETPIPE_SZ) == 65536);
	CHECK(fill_pipe(p[1]) == 65536);
	CHECK(ioctl(p[0], FIONREAD, &n) == 0 && n == 65536);
	set_nonblock(p[1], 1);
	ERRNO(write(p[1], &c, 1), EAGAIN);
	/* room for PIPE_BUF bytes, less one: a write of PIPE_BUF bytes goes in
	 * whole or not at all */
	static char big[4096];
	CHECK(read(p[0], big, 4095) == 4095 && big[0] == 'f');
	ERRNO(write(p[1], big, 4096), EAGAIN);
	CHECK(read(p[0], big, 1) == 1);
	CHECK(write(p[1], big, 4096) == 4096);
	ERRNO(write(p[1], &c, 1), EAGAIN);
	CHECK(ioctl(p[0], FIONREAD, &n) == 0 && n == 65536);
	close(p[0]);
	close(p[1]);
}

/* A child blocked writing len bytes to pipe p (full, or empty for a
 * write longer than the pipe); the parent closes the last read end. */
static void blocked_writer(int ignore, size_t len)
{
	int p[2];
	pid_t pid;

	CHECK(mapped_pipe(p) == 0);
	if (len <= 4096)
		CHECK(fill_pipe(p[1]) == 65536);
	pid = fork();
	if (pid == 0) {
		static char buf[100000];
		sigset_t s;
		pt_child_start();
		sigemptyset(&s);
		sigaddset(&s, SIGPIPE);
		sigprocmask(SIG_UNBLOCK, &s, NULL);
		signal(SIGPIPE, ignore ? SIG_IGN : SIG_DFL);
		close(p[0]);
		memset(buf, 'b', sizeof(buf));
		ssize_t n = write(p[1], buf, len);
		if (len <= 4096)
			_exit(n == -1 && errno == EPIPE ? 0 : 1);
		/* a longer write: what went in before the end */
		_exit(n == 65536 ? 0 : 2);
	}
	close(p[1]);
	/* the child blocked in its write: the pipe full (a longer write
	 * fills it first; how soon depends on the other CPUs' load), then
	 * a moment for the writer to wait */
	for (int i = 0, n = 0; i < 1000 && (ioctl(p[0], FIONREAD, &n) || n < 65536); i++)
		pt_msleep(10);
	pt_msleep(40);
	close(p[0]);
	REAP(pid, ignore ? 0 : 1000 + SIGPIPE);
}

static void blocked_writer_epipe(void)
{
	blocked_writer(1, 4096);
	blocked_writer(1, 1);
	blocked_writer(1, 100000);
}

static void blocked_writer_sigpipe(void)
{
	blocked_writer(0, 4096);
	blocked_writer(0, 100000);
}

/* ---- 4: 4 MiB, odd sizes ---- */

static void large_transfer(void)
{
	enum { TOTAL = 4 << 20 };
	static const size_t wsz[] = { 1, 4095, 4096, 4097, 65536, 100000 };
	static const size_t rsz[] = { 1, 7, 4096, 5000, 65536, 131072, 3 };
	static uint8_t buf[131072];
	int p[2];
	pid_t pid;

	CHECK(pipe(p) == 0);
	pid = fork();
	if (pid == 0) {
		uint64_t got = 0;
		pt_child_start();
		close(p[1]);
		for (unsigned i = 0;; i++) {
			ssize_t n = read(p[0], buf, rsz[i % 7]);
			if (n < 0)
				_exit(1);
			if (n == 0)
				break;
			for (ssize_t j = 0; j < n; j++)
				if (buf[j] != pattern(got + (uint64_t)j))
					_exit(2);
			got += (uint64_t)n;
		}
		_exit(got == TOTAL ? 0 : 3);
	}
	close(p[0]);
	uint64_t sent = 0;
	for (unsigned i = 0; sent < TOTAL; i++) {
		size_t k = wsz[i % 6];
		if (k > TOTAL - sent)
			k = TOTAL - sent;
		for (size_t j = 0; j < k; j++)
			buf[j] = pattern(sent + j);
		ssize_t n = write(p[1], buf, k);
		if (n != (ssize_t)k) {
			FAIL("write of %zu at %llu: %zd (errno %d)", k, (unsigned long long)sent, n, errno);
			break;
		}
		sent += k;
	}
	close(p[1]);
	REAP(pid, 0);
}

/* ---- 5: PIPE_BUF atomicity ---- */

static void atomic_records(void)
{
	enum { WRITERS = 4, RECORDS = 200, REC = 4096 };
	static uint8_t rec[REC];
	int p[2], seen[WRITERS] = { 0 }, bad = 0;
	pid_t pids[WRITERS];

	CHECK(REC == PIPE_BUF);
	CHECK(pipe(p) == 0);
	for (int w = 0; w < WRITERS; w++) {
		pids[w] = fork();
		if (pids[w] == 0) {
			pt_child_start();
			close(p[0]);
			for (int s = 0; s < RECORDS; s++) {
				memset(rec, w * 64 + s % 64, REC);
				if (write(p[1], rec, REC) != REC)
					_exit(1);
				if (s % 50 == w)
					sched_yield();
			}
			_exit(0);
		}
	}
	close(p[1]);
	for (long nrec = 0;; nrec++) {
		ssize_t n = pt_read_full(p[0], rec, REC);
		if (n == 0)
			break;
		if (n != REC) {
			FAIL("record %ld: %zd bytes", nrec, n);
			break;
		}
		int b = rec[0], w = b / 64;
		for (int i = 1; i < REC; i++)
			if (rec[i] != b) {
				bad++;
				break;
			}
		if (w >= WRITERS || b % 64 != seen[w] % 64)
			bad++;
		else
			seen[w]++;
		if (nrec % 100 == 0)
			pt_msleep(5);        /* the writers fill the pipe and wait */
	}
	close(p[0]);
	for (int w = 0; w < WRITERS; w++) {
		REAP(pids[w], 0);
		if (seen[w] != RECORDS)
			FAIL("writer %d: %d records, want %d", w, seen[w], RECORDS);
	}
	if (bad)
		FAIL("%d records mixed or out of order", bad);
}

/* ---- 6: O_NONBLOCK set by another process ---- */

static void nonblock_shared(void)
{
	int p[2];
	pid_t pid;
	char c;

	CHECK(mapped_pipe(p) == 0);
	pid = fork();
	if (pid == 0)
		_exit(fcntl(p[0], F_SETFL, fcntl(p[0], F_GETFL) | O_NONBLOCK) == 0 ? 0 : 1);
	REAP(pid, 0);
	CHECK(fcntl(p[0], F_GETFL) & O_NONBLOCK);
	ERRNO(read(p[0], &c, 1), EAGAIN);
	/* cleared by another child: a read waits again */
	pid = fork();
	if (pid == 0)
		_exit(fcntl(p[0], F_SETFL, fcntl(p[0], F_GETFL) & ~O_NONBLOCK) == 0 ? 0 : 1);
	REAP(pid, 0);
	CHECK(!(fcntl(p[0], F_GETFL) & O_NONBLOCK));
	pid = fork();
	if (pid == 0) {
		pt_child_start();
		pt_msleep(60);
		_exit(write(p[1], "w", 1) == 1 ? 0 : 1);
	}
	int64_t t0 = pt_now_ms();
	CHECK(read(p[0], &c, 1) == 1 && c == 'w' && pt_now_ms() - t0 >= 20);
	REAP(pid, 0);
	/* the write end likewise */
	pid = fork();
	if (pid == 0)
		_exit(fcntl(p[1], F_SETFL, O_NONBLOCK) == 0 ? 0 : 1);
	REAP(pid, 0);
	static char buf[4096];
	long total = 0;
	for (ssize_t n; total <= 1 << 20 && (n = write(p[1], buf, sizeof(buf))) > 0;)
		total += n;
	CHECK(errno == EAGAIN && total == 65536);
	pid = fork();
	if (pid == 0)
		_exit(fcntl(p[1], F_SETFL, 0) == 0 ? 0 : 1);
	REAP(pid, 0);
	CHECK(!(fcntl(p[1], F_GETFL) & O_NONBLOCK));
	pid = fork();
	if (pid == 0) {
		pt_child_start();
		pt_msleep(60);
		_exit(pt_read_full(p[0], buf, 4096) == 4096 ? 0 : 1);
	}
	t0 = pt_now_ms();
	CHECK(write(p[1], buf, 4096) == 4096 && pt_now_ms() - t0 >= 20);   /* it waited for room */
	REAP(pid, 0);
	close(p[0]);
	close(p[1]);
}

/* ---- 7: poll ---- */

static void poll_in(void)
{
	int p[2], q[2];
	struct pollfd pf;
	pid_t pid;
	char c;

	CHECK(mapped_pipe(p) == 0);
	pf = (struct pollfd){ .fd = p[0], .events = POLLIN };
	CHECK(poll(&pf, 1, 0) == 0 && pf.revents == 0);
	pid = fork();
	if (pid == 0) {
		pt_child_start();
		pt_msleep(50);
		_exit(write(p[1], "i", 1) == 1 ? 0 : 1);
	}
	int64_t t0 = pt_now_ms();
	CHECK(poll(&pf, 1, 5000) == 1 && pf.revents == POLLIN);
	CHECK(pt_now_ms() - t0 >= 20 && pt_now_ms() - t0 < 4000);
	CHECK(read(p[0], &c, 1) == 1 && c == 'i');
	REAP(pid, 0);
	/* rounds: the parent only polls and reads, the child writes at once */
	CHECK(pipe(q) == 0);
	pid = fork();
	if (pid == 0) {
		pt_child_start();
		close(p[0]);
		close(q[1]);
		for (int i = 0; i < 50; i++) {
			if (read(q[0], &c, 1) != 1 || write(p[1], &c, 1) != 1)
				_exit(1);
		}
		_exit(0);
	}
	close(q[0]);
	for (int i = 0; i < 50; i++) {
		char want = (char)('A' + i % 26);
		pf.revents = 0;
		if (write(q[1], &want, 1) != 1 || poll(&pf, 1, 5000) != 1 || pf.revents != POLLIN ||
		    read(p[0], &c, 1) != 1 || c != want) {
			FAIL("round %d: revents %#x", i, pf.revents);
			break;
		}
	}
	close(q[1]);
	REAP(pid, 0);
	close(p[0]);
	close(p[1]);
}

static void poll_out(void)
{
	int p[2];
	struct pollfd pf;
	pid_t pid;

	CHECK(mapped_pipe(p) == 0);
	pf = (struct pollfd){ .fd = p[1], .events = POLLOUT };
	CHECK(poll(&pf, 1, 0) == 1 && pf.revents == POLLOUT);
	CHECK(fill_pipe(p[1]) == 65536);
	CHECK(poll(&pf, 1, 0) == 0 && pf.revents == 0);
	CHECK(poll(&pf, 1, 30) == 0);
	pid = fork();
	if (pid == 0) {
		static char buf[65536];
		pt_child_start();
		pt_msleep(50);
		_exit(pt_read_full(p[0], buf, sizeof(buf)) == (ssize_t)sizeof(buf) ? 0 : 1);
	}
	int64_t t0 = pt_now_ms();
	CHECK(poll(&pf, 1, 5000) == 1 && pf.revents == POLLOUT);
	CHECK(pt_now_ms() - t0 >= 20 && pt_now_ms() - t0 < 4000);
	REAP(pid, 0);
	/* no reader left: POLLERR */
	close(p[0]);
	CHECK(poll(&pf, 1, 1000) == 1 && (pf.revents & POLLERR));
	close(p[1]);
}

static void poll_hup(void)
{
	int p[2];
	struct pollfd pf;
	pid_t pid;
	char c;

	/* a writer that closes while the parent polls: POLLHUP, nothing to read */
	CHECK(mapped_pipe(p) == 0);
	pid = fork();
	if (pid == 0) {
		pt_child_start();
		close(p[0]);
		pt_msleep(50);
		_exit(0);
	}
	close(p[1]);
	pf = (struct pollfd){ .fd = p[0], .events = POLLIN };
	int64_t t0 = pt_now_ms();
	CHECK(poll(&pf, 1, 5000) == 1 && pf.revents == POLLHUP && pt_now_ms() - t0 >= 20);
	CHECK(read(p[0], &c, 1) == 0);
	REAP(pid, 0);
	close(p[0]);
	/* one that writes, then goes: POLLIN and POLLHUP, then POLLHUP alone */
	CHECK(mapped_pipe(p) == 0);
	pid = fork();
	if (pid == 0) {
		pt_child_start();
		close(p[0]);
		_exit(write(p[1], "h", 1) == 1 ? 0 : 1);
	}
	close(p[1]);
	REAP(pid, 0);
	CHECK(poll(&pf, 1, 5000) == 1 && pf.revents == (POLLIN | POLLHUP));
	CHECK(read(p[0], &c, 1) == 1 && c == 'h');
	CHECK(poll(&pf, 1, 5000) == 1 && pf.revents == POLLHUP);
	CHECK(read(p[0], &c, 1) == 0);
	close(p[0]);
}

/* ---- 8: the self-pipe trick ---- */

static int sp_w;
static volatile sig_atomic_t sp_hits, sp_wrote, sp_failed;

static void sp_handler(int sig)
{
	int e = errno;

	(void)sig;
	sp_hits++;
	if (write(sp_w, "s", 1) == 1)
		sp_wrote++;
	else
		sp_failed++;
	errno = e;
}

struct sp_stats {
	long main_wrote, got, hits, wrote, failed, blocking, loops, s_read;
};

static char sp_buf[65536], sp_out[4000];

/* A read of at most n bytes of the pipe, counted (and its handler bytes). */
static ssize_t sp_read(int fd, struct sp_stats *st, size_t n)
{
	ssize_t k;

	do
		k = read(fd, sp_buf, n);
	while (k < 0 && errno == EINTR);
	for (char *q = sp_buf; k > 0 && (q = memchr(q, 's', (size_t)(sp_buf + k - q))); q++)
		st->s_read++;
	if (k > 0)
		st->got += k;
	return k;
}

static void self_pipe(void)
{
	struct sp_stats *st = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t pid;

	CHECK(st != MAP_FAILED);
	if (st == MAP_FAILED)
		return;
	memset(st, 0, sizeof(*st));
	/* in a child (its timer its own): a deadlock there ends in the timeout of REAP */
	pid = fork();
	if (pid == 0) {
		struct sigaction sa;
		struct itimerval it = { { 0, 1000 }, { 0, 1000 } }, off = { { 0, 0 }, { 0, 0 } };
		int p[2];

		if (mapped_pipe(p))
			_exit(1);
		sp_w = p[1];
		set_nonblock(p[1], 1);
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = sp_handler;
		sa.sa_flags = SA_RESTART;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGALRM, &sa, NULL);
		if (setitimer(ITIMER_REAL, &it, NULL))
			_exit(2);
		/* 300 ms, longer (up to 5 s) until the handler has run 10
		 * times and 3 blocking reads were done: a busy host may give
		 * this CPU little of those 300 ms */
		int64_t start = pt_now_ms(), end = start + 300, next_block = start + 40;
		memset(sp_out, 'm', sizeof(sp_out));
		for (unsigned i = 0;; i++) {
			/* bytes that are surely in the pipe: a read of at most that many never waits */
			long in = st->main_wrote + sp_wrote - st->got;
			int64_t t = pt_now_ms();
			ssize_t n;

			if (t >= end && ((sp_hits >= 10 && st->blocking >= 3) || t >= start + 5000))
				break;
			if (t >= next_block) {
				/* drained, then a blocking read of the empty pipe: the handler's byte ends it */
				next_block = t + 40;
				if (in > 0 && sp_read(p[0], st, in) != in)
					_exit(3);
				if (sp_read(p[0], st, 100) <= 0)
					_exit(4);
				st->blocking++;
			} else if (in > 16000) {
				/* most of the time is spent copying: the signals come in the middle of copies */
				size_t k = 1 + (i * 977u) % 65536;
				if (sp_read(p[0], st, k < (size_t)in ? k : (size_t)in) <= 0)
					_exit(5);
			} else {
				/* writes of its own, the handler's bytes between them */
				n = write(p[1], sp_out, 1 + (i * 997u) % 4000);
				if (n > 0)
					st->main_wrote += n;
				else if (!(n < 0 && (errno == EAGAIN || errno == EINTR)))
					_exit(6);
			}
			st->loops++;
		}
		setitimer(ITIMER_REAL, &off, NULL);
		pt_msleep(30);             /* a signal on its way */
		long in = st->main_wrote + sp_wrote - st->got;
		if (in > 0 && sp_read(p[0], st, in) != in)
			_exit(7);
		set_nonblock(p[0], 1);
		if (read(p[0], sp_buf, 1) != -1 || errno != EAGAIN)
			_exit(8);       /* not one byte more */
		st->hits = sp_hits;
		st->wrote = sp_wrote;
		st->failed = sp_failed;
		_exit(0);
	}
	REAP(pid, 0);
	if (st->got != st->main_wrote + st->wrote || st->s_read != st->wrote || st->hits < 10 || st->failed ||
	    st->wrote != st->hits || st->blocking < 3)
		FAIL("read %ld (%ld from the handler), main wrote %ld, the handler ran %ld times, wrote %ld, "
		     "failed %ld (%ld loops, %ld blocking reads)", st->got, st->s_read, st->main_wrote, st->hits,
		     st->wrote, st->failed, st->loops, st->blocking);
	munmap(st, 4096);
}

/* ---- 9: threads ---- */

enum { TW = 4, TR = 2, TRECS = 1000, TREC = 64 };
static int tp[2];
static int tseen[TR][TW][TRECS];
static int tbad[TR];

static void trec_fill(uint8_t *r, int w, int s)
{
	r[0] = (uint8_t)w;
	r[1] = (uint8_t)s;
	r[2] = (uint8_t)(s >> 8);
	for (int i = 3; i < TREC; i++)
		r[i] = (uint8_t)(w * 31 + s * 7 + i);
}

static void *twriter(void *arg)
{
	int w = (int)(intptr_t)arg;
	uint8_t r[TREC];

	for (int s = 0; s < TRECS; s++) {
		trec_fill(r, w, s);
		if (write(tp[1], r, TREC) != TREC)
			return (void *)1;
	}
	return NULL;
}

static void *treader(void *arg)
{
	int me = (int)(intptr_t)arg, last[TW];
	uint8_t r[TREC], want[TREC];

	for (int w = 0; w < TW; w++)
		last[w] = -1;
	for (;;) {
		ssize_t n = read(tp[0], r, TREC);
		if (n == 0)
			return NULL;
		if (n != TREC) {
			tbad[me]++;
			return (void *)1;
		}
		int w = r[0], s = r[1] | r[2] << 8;
		if (w >= TW || s >= TRECS || s <= last[w]) {
			tbad[me]++;
			continue;
		}
		trec_fill(want, w, s);
		if (memcmp(r, want, TREC))
			tbad[me]++;
		last[w] = s;
		tseen[me][w][s]++;
	}
}

static void threads_many(void)
{
	pid_t pid = fork();

	/* in a child: this process stays single-threaded */
	if (pid == 0) {
		pthread_t w[TW], r[TR];
		void *ret;
		int bad = 0;

		pt_child_start();
		if (pipe(tp))
			_exit(1);
		for (int i = 0; i < TR; i++)
			if (pthread_create(&r[i], NULL, treader, (void *)(intptr_t)i))
				_exit(2);
		for (int i = 0; i < TW; i++)
			if (pthread_create(&w[i], NULL, twriter, (void *)(intptr_t)i))
				_exit(3);
		for (int i = 0; i < TW; i++)
			if (pthread_join(w[i], &ret) || ret)
				bad |= 4;
		close(tp[1]);          /* the readers' end of file */
		for (int i = 0; i < TR; i++)
			if (pthread_join(r[i], &ret) || ret)
				bad |= 8;
		if (tbad[0] || tbad[1])
			bad |= 16;
		for (int w2 = 0; w2 < TW; w2++)
			for (int s = 0; s < TRECS; s++)
				if (tseen[0][w2][s] + tseen[1][w2][s] != 1)
					bad |= 32;
		_exit(bad);
	}
	REAP(pid, 0);
}

/* ---- 10: holders killed in the middle of a copy ---- */

static void killed_holder(void)
{
	static char buf[65536];

	for (int round = 0; round < 10; round++) {
		int p[2];
		pid_t w, r;

		CHECK(mapped_pipe(p) == 0);
		w = fork();
		if (w == 0) {
			static char wb[65536];
			pt_child_start();
			close(p[0]);
			memset(wb, 'w', sizeof(wb));
			for (;;)
				if (write(p[1], wb, sizeof(wb)) <= 0)
					_exit(1);
		}
		/* the parent reads some */
		for (int i = 0; i <= round % 3; i++) {
			ssize_t n = read(p[0], buf, sizeof(buf));
			if (n <= 0 || buf[0] != 'w' || buf[n - 1] != 'w') {
				FAIL("round %d: read %zd", round, n);
				break;
			}
		}
		/* then a reader copying out all the time: the one killed (preempted
		 * by the parent's wake-up) is likely inside a copy, holding its side */
		r = fork();
		if (r == 0) {
			static char rb[100000];
			pt_child_start();
			close(p[1]);
			for (unsigned i = 0;; i++)
				if (read(p[0], rb, i % 2 ? sizeof(rb) : 5000) <= 0)
					_exit(1);
		}
		pt_msleep(1 + round * 3);
		kill(round % 2 ? r : w, SIGKILL);
		pt_msleep(round % 3);
		kill(round % 2 ? w : r, SIGKILL);
		/* rounds 5..9 leave them zombies until the pipe is back: a dead
		 * holder's lock is taken over before it is reaped */
		if (round < 5) {
			REAP(w, 1000 + SIGKILL);
			REAP(r, 1000 + SIGKILL);
		} else {
			pt_msleep(20);
		}
		/* the parent's own ends still work: drain, then a write and a read */
		int64_t t0 = pt_now_ms();
		long left = 0, notw = 0;
		set_nonblock(p[0], 1);
		for (ssize_t n; (n = read(p[0], buf, sizeof(buf))) > 0;) {
			left += n;
			for (ssize_t i = 0; i < n; i++)
				notw += buf[i] != 'w';
		}
		CHECK(errno == EAGAIN && left <= 65536 && !notw);
		set_nonblock(p[0], 0);
		char c[8];
		CHECK(write(p[1], "ping", 4) == 4 && pt_read_full(p[0], c, 4) == 4 && !memcmp(c, "ping", 4));
		CHECK(write(p[1], buf, 65536) == 65536 && pt_read_full(p[0], buf, 65536) == 65536);
		if (pt_now_ms() - t0 > 3000)
			FAIL("round %d: %lld ms to get the pipe back", round, (long long)(pt_now_ms() - t0));
		if (round >= 5) {
			REAP(w, 1000 + SIGKILL);
			REAP(r, 1000 + SIGKILL);
		}
		close(p[0]);
		close(p[1]);
		if (t_failed()) {
			FAIL("round %d", round);
			break;
		}
	}
}

/* ---- 11: many pipes; more than the server shares ---- */

enum { NPIPES = 120 };

/* A byte through each pipe: all written, then all read, the last first. */
static int through_each(int (*ps)[2], int n, char tag)
{
	for (int i = 0; i < n; i++) {
		char c = (char)(tag + i % 50);
		if (write(ps[i][1], &c, 1) != 1)
			return FAIL("pipe %d: write: %s", i, strerror(errno));
	}
	for (int i = n - 1; i >= 0; i--) {
		char c = 0;
		if (read(ps[i][0], &c, 1) != 1 || c != (char)(tag + i % 50))
			return FAIL("pipe %d: read %d", i, c);
	}
	return 1;
}

/* A child blocks reading pipe ps (rounds times), woken by the parent's
 * writes, then the parent blocks reading what the child writes later: 0,
 * or why not. */
static int wake_both_ways(int ps[2], int rounds)
{
	pid_t pid = fork();

	if (pid == 0) {
		char c;
		pt_child_start();
		for (int i = 0; i < rounds; i++) {
			if (read(ps[0], &c, 1) != 1 || c != (char)i)
				_exit(1);
		}
		pt_msleep(30);
		static char buf[20000];
		memset(buf, 'k', sizeof(buf));
		_exit(pt_write_full(ps[1], buf, sizeof(buf)) == (ssize_t)sizeof(buf) ? 0 : 2);
	}
	for (int i = 0; i < rounds; i++) {
		char c = (char)i;
		pt_msleep(i < 3 ? 20 : 0);
		if (write(ps[1], &c, 1) != 1)
			return 10;
		/* let the child take it before the next one */
		for (int k = 0; k < 2000; k++) {
			int n = -1;
			if (ioctl(ps[0], FIONREAD, &n) || n == 0)
				break;
			sched_yield();
		}
	}
	static char buf[20000];
	if (pt_read_full(ps[0], buf, sizeof(buf)) != (ssize_t)sizeof(buf) || buf[0] != 'k' ||
	    buf[sizeof(buf) - 1] != 'k')
		return 11;
	int st = pt_reap(pid, 20000);
	return st;
}

static void many_pipes(void)
{
	static int ps[NPIPES][2];
	struct rlimit rl;
	int n = 0;

	CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0);
	if (rl.rlim_cur > 256) {          /* Linux: as Cairn's */
		rl.rlim_cur = 256;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur == 256);
	for (; n < NPIPES; n++)
		if (pipe(ps[n])) {
			FAIL("pipe %d: %s", n, strerror(errno));
			break;
		}
	if (n == NPIPES) {
		CHECK(through_each(ps, n, 'a'));
		CHECK(through_each(ps, n, 'A'));
		/* blocked readers woken, on the first and the last */
		int e;
		if ((e = wake_both_ways(ps[0], 10)))
			FAIL("the first pipe: %d", e);
		if ((e = wake_both_ways(ps[NPIPES - 1], 10)))
			FAIL("the last pipe: %d", e);
	}
	for (int i = 0; i < n; i++) {
		close(ps[i][0]);
		close(ps[i][1]);
	}
}

static void over_shared_budget(void)
{
	static int ps[NPIPES][2], more[NPIPES][2];
	int n = 0;
	pid_t pid;

	for (; n < NPIPES; n++)
		if (pipe(ps[n]))
			break;
	CHECK(n == NPIPES);
	if (n != NPIPES)
		goto out;
	CHECK(through_each(ps, n, 'a'));
	/* the parent keeps its 120 pipes open; a child with a table of its
	 * own opens 120 more: more than 128 pipes in the server */
	pid = fork();
	if (pid == 0) {
		int m = 0, e;
		pt_child_start();
		for (int i = 0; i < NPIPES; i++)
			if (i != 0 && i != NPIPES - 1) {
				close(ps[i][0]);
				close(ps[i][1]);
			}
		for (; m < NPIPES; m++)
			if (pipe(more[m]))
				_exit(1);
		for (int i = 0; i < m; i++) {
			char c = (char)i;
			if (write(more[i][1], &c, 1) != 1)
				_exit(2);
		}
		for (int i = 0; i < m; i++) {
			char c;
			if (read(more[i][0], &c, 1) != 1 || c != (char)i)
				_exit(3);
		}
		/* the last ones have the server's own ring (no shared one left):
		 * blocked readers and writers woken both ways, 4 KiB-long writes */
		if ((e = wake_both_ways(more[m - 1], 10)))
			_exit(10 + e);
		if ((e = wake_both_ways(more[m - 2], 3)))
			_exit(40 + e);
		/* a full one of them: exactly 65536 bytes, then a blocked writer */
		if (fill_pipe(more[m - 3][1]) != 65536)
			_exit(4);
		pid_t g = fork();
		if (g == 0) {
			static char b[65536];
			pt_child_start();
			pt_msleep(50);
			_exit(pt_read_full(more[m - 3][0], b, sizeof(b)) == (ssize_t)sizeof(b) ? 0 : 1);
		}
		static char big[60000];
		memset(big, 'q', sizeof(big));
		int64_t t0 = pt_now_ms();
		if (pt_write_full(more[m - 3][1], big, sizeof(big)) != (ssize_t)sizeof(big) || pt_now_ms() - t0 < 10)
			_exit(5);
		if (pt_reap(g, 20000))
			_exit(6);
		if (pt_read_full(more[m - 3][0], big, sizeof(big)) != (ssize_t)sizeof(big) || big[sizeof(big) - 1] != 'q')
			_exit(7);
		/* the parent's (shared) pipes go on working beside them */
		if ((e = wake_both_ways(ps[0], 5)))
			_exit(60 + e);
		if ((e = wake_both_ways(ps[NPIPES - 1], 5)))
			_exit(80 + e);
		/* a mix through ends of both kinds, and the end of file of one */
		for (int i = 0; i < m; i++) {
			char c = 'x';
			if (write(more[i][1], &c, 1) != 1)
				_exit(8);
			close(more[i][1]);
			if (read(more[i][0], &c, 1) != 1 || c != 'x' || read(more[i][0], &c, 1) != 0)
				_exit(9);
			close(more[i][0]);
		}
		_exit(0);
	}
	REAP(pid, 0);
	/* the parent's pipes still work */
	CHECK(through_each(ps, n, 'A'));
out:
	for (int i = 0; i < n; i++) {
		close(ps[i][0]);
		close(ps[i][1]);
	}
}

/* ---- 12: dup and dup2 of mapped ends ---- */

static void dup_ends(void)
{
	int p[2], q[2], d;
	char buf[16];
	pid_t pid;

	CHECK(mapped_pipe(p) == 0);
	d = dup(p[1]);
	CHECK(d >= 0 && close(p[1]) == 0);
	CHECK(write(d, "dup", 3) == 3 && read(p[0], buf, sizeof(buf)) == 3 && !memcmp(buf, "dup", 3));
	CHECK(dup2(d, 50) == 50 && close(d) == 0);
	CHECK(dup2(50, 50) == 50);
	CHECK(write(50, "d50", 3) == 3 && read(p[0], buf, sizeof(buf)) == 3 && !memcmp(buf, "d50", 3));
	d = fcntl(50, F_DUPFD_CLOEXEC, 60);
	CHECK(d >= 60 && write(d, "fc", 2) == 2 && read(p[0], buf, 2) == 2 && !memcmp(buf, "fc", 2));
	close(d);
	/* dup2 over a mapped write end: that pipe loses its only writer */
	CHECK(mapped_pipe(q) == 0);
	CHECK(dup2(50, q[1]) == q[1]);
	CHECK(write(q[1], "over", 4) == 4 && read(p[0], buf, sizeof(buf)) == 4 && !memcmp(buf, "over", 4));
	CHECK(read(q[0], buf, 1) == 0);
	/* and over a mapped read end */
	CHECK(dup2(p[0], q[0]) == q[0]);
	CHECK(write(50, "rd", 2) == 2 && read(q[0], buf, sizeof(buf)) == 2 && !memcmp(buf, "rd", 2));
	/* a child's stdout on the pipe (over its first descriptors) */
	pid = fork();
	if (pid == 0) {
		pt_child_start();
		if (dup2(50, 1) != 1)
			_exit(1);
		close(50);
		close(q[1]);
		printf("from the child\n");
		fflush(stdout);
		_exit(0);
	}
	REAP(pid, 0);
	CHECK(pt_read_full(q[0], buf, 15) == 15 && !memcmp(buf, "from the child\n", 15));
	/* every write end closed: the end of file, through either read descriptor */
	close(50);
	close(q[1]);
	CHECK(read(p[0], buf, 1) == 0 && read(q[0], buf, 1) == 0);
	close(p[0]);
	close(q[0]);
}

/* Each test under a watchdog: a hang ends the program (its tests then
 * missing) instead of the run. */
static void trun(const char *name, void (*fn)(void))
{
	signal(SIGALRM, SIG_DFL);
	alarm(60);
	run(name, fn);
	alarm(0);
}

int main(int argc, char **argv)
{
	if (argc > 4 && !strcmp(argv[1], "sum"))
		return mode_sum(argv);
	pt_prefix = "pipes";
	if (argv[0][0] == '/')
		snprintf(self, sizeof(self), "%s", argv[0]);
	else if (!realpath(argv[0], self))
		return 1;
	signal(SIGPIPE, SIG_DFL);
	trun("exec_inherits", exec_inherits);
	trun("blocked_reader_woken", blocked_reader_woken);
	trun("eof_writer_exits", eof_writer_exits);
	trun("last_bytes_then_end", last_bytes_then_end);
	trun("pipeline_children", pipeline_children);
	trun("close_under_signals", close_under_signals);
	trun("full_pipe", full_pipe);
	trun("blocked_writer_epipe", blocked_writer_epipe);
	trun("blocked_writer_sigpipe", blocked_writer_sigpipe);
	trun("large_transfer", large_transfer);
	trun("atomic_records", atomic_records);
	trun("nonblock_shared", nonblock_shared);
	trun("poll_in", poll_in);
	trun("poll_out", poll_out);
	trun("poll_hup", poll_hup);
	trun("self_pipe", self_pipe);
	trun("threads_many", threads_many);
	trun("killed_holder", killed_holder);
	trun("many_pipes", many_pipes);
	trun("over_shared_budget", over_shared_budget);
	trun("dup_ends", dup_ends);
	return finish();
}
