// SPDX-License-Identifier: MIT
/*
 * Descriptors: pipes (blocking and not, end of file, EPIPE and SIGPIPE,
 * a large transfer to a forked reader), dup/dup2/dup3 and fcntl
 * (F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD/F_SETFD, F_GETFL/F_SETFL with
 * O_NONBLOCK and O_APPEND), the shared file offset of duplicates, EMFILE,
 * poll and select (ready at once, a timeout, a wake-up by a child, POLLHUP,
 * POLLNVAL, EBADF), readv/writev, and the terminal on descriptors 0-2
 * (isatty, tcgetattr/tcsetattr, the window size, the foreground process
 * group, FIONREAD on a pipe). Expected list:
 * tests/harness/expected/posix-io.txt.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include "posixtest.h"

static char base[256];

static int64_t now_ms(void)
{
	return (int64_t)(t_clock_ns() / 1000000);      /* the test library's CLOCK_MONOTONIC */
}

/* Waits for child pid; its exit status, or -1 if it did not exit. */
static int child_status(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static void pipe_basics(void)
{
	char buf[64];
	struct stat st;
	int p[2];

	CHECK(pipe(p) == 0 && p[0] >= 3 && p[1] >= 3);
	CHECK(fstat(p[0], &st) == 0 && S_ISFIFO(st.st_mode));
	CHECK(write(p[1], "abc", 3) == 3 && write(p[1], "def", 3) == 3);
	CHECK(read(p[0], buf, 2) == 2 && !memcmp(buf, "ab", 2));
	CHECK(read(p[0], buf, sizeof(buf)) == 4 && !memcmp(buf, "cdef", 4));
	ERRNO(write(p[0], "x", 1), EBADF);
	ERRNO(read(p[1], buf, 1), EBADF);
	ERRNO(lseek(p[0], 0, SEEK_SET), ESPIPE);
	CHECK(close(p[1]) == 0);
	CHECK(read(p[0], buf, sizeof(buf)) == 0);        /* end of file */
	close(p[0]);
	/* no reader: EPIPE, with SIGPIPE ignored */
	signal(SIGPIPE, SIG_IGN);
	CHECK(pipe(p) == 0 && close(p[0]) == 0);
	ERRNO(write(p[1], "x", 1), EPIPE);
	close(p[1]);
	signal(SIGPIPE, SIG_DFL);
	ERRNO(pipe2(p, 0x1234), EINVAL);
}

static void pipe_sigpipe_kills(void)
{
	int p[2], st = 0;
	pid_t pid;

	CHECK(pipe(p) == 0 && close(p[0]) == 0);     /* no reader anywhere */
	pid = fork();
	if (pid == 0) {
		sigset_t s;
		sigemptyset(&s);
		sigaddset(&s, SIGPIPE);
		sigprocmask(SIG_UNBLOCK, &s, NULL);
		signal(SIGPIPE, SIG_DFL);
		write(p[1], "x", 1);   /* no reader: SIGPIPE ends it */
		_exit(0);
	}
	close(p[1]);
	CHECK(waitpid(pid, &st, 0) == pid && WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE);
}

static void pipe_nonblock(void)
{
	char buf[4096];
	int p[2], flags;
	long total = 0;

	CHECK(pipe2(p, O_NONBLOCK | O_CLOEXEC) == 0);
	CHECK(fcntl(p[0], F_GETFD) == FD_CLOEXEC && fcntl(p[1], F_GETFD) == FD_CLOEXEC);
	CHECK((fcntl(p[0], F_GETFL) & (O_NONBLOCK | O_ACCMODE)) == (O_NONBLOCK | O_RDONLY));
	CHECK((fcntl(p[1], F_GETFL) & O_ACCMODE) == O_WRONLY);
	ERRNO(read(p[0], buf, 1), EAGAIN);
	memset(buf, 'z', sizeof(buf));
	for (;;) {
		ssize_t n = write(p[1], buf, sizeof(buf));
		if (n < 0) {
			CHECK(errno == EAGAIN);
			break;
		}
		total += n;
		if (total > 1 << 22)
			break;
	}
	CHECK(total >= 4096 && total <= 1 << 20);       /* the pipe filled up */
	flags = fcntl(p[0], F_GETFL);
	CHECK(fcntl(p[0], F_SETFL, flags & ~O_NONBLOCK) == 0 && !(fcntl(p[0], F_GETFL) & O_NONBLOCK));
	CHECK(read(p[0], buf, 100) == 100);
	close(p[0]);
	close(p[1]);
}

/* 256 KiB through a pipe to a forked child that checks every byte. */
static void pipe_to_child(void)
{
	enum { TOTAL = 256 * 1024 };
	static unsigned char buf[10000];
	int p[2], r[2];
	pid_t pid;
	long sent = 0;
	char ok = 0;

	CHECK(pipe(p) == 0 && pipe(r) == 0);
	pid = fork();
	if (pid == 0) {
		long got = 0, bad = 0;
		close(p[1]);
		close(r[0]);
		for (;;) {
			ssize_t n = read(p[0], buf, sizeof(buf));
			if (n <= 0)
				break;
			for (ssize_t i = 0; i < n; i++)
				bad += buf[i] != (unsigned char)((got + i) * 31);
			got += n;
		}
		char c = got == TOTAL && !bad ? 'y' : 'n';
		write(r[1], &c, 1);
		_exit(0);
	}
	close(p[0]);
	close(r[1]);
	while (sent < TOTAL) {
		size_t k = TOTAL - sent < (long)sizeof(buf) ? (size_t)(TOTAL - sent) : sizeof(buf);
		for (size_t i = 0; i < k; i++)
			buf[i] = (unsigned char)((sent + (long)i) * 31);
		ssize_t n = write(p[1], buf, k);
		if (n <= 0)
			break;
		sent += n;
	}
	CHECK(sent == TOTAL);
	close(p[1]);
	CHECK(read(r[0], &ok, 1) == 1 && ok == 'y');
	close(r[0]);
	CHECK(child_status(pid) == 0);
}

static void dup_fcntl(void)
{
	char path[300], buf[16];
	int fd, d, d2;

	snprintf(path, sizeof(path), "%s/dupfile", base);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);
	d = dup(fd);
	CHECK(d > fd);
	CHECK(write(fd, "12345", 5) == 5 && lseek(d, 0, SEEK_CUR) == 5);   /* one offset */
	CHECK(lseek(d, 1, SEEK_SET) == 1 && read(fd, buf, 2) == 2 && !memcmp(buf, "23", 2));
	CHECK(close(fd) == 0 && lseek(d, 0, SEEK_CUR) == 3);              /* still open */
	CHECK(dup2(d, 20) == 20 && fcntl(20, F_GETFD) == 0);
	CHECK(dup2(d, 20) == 20);                                          /* replaces it */
	CHECK(dup2(d, d) == d);
	ERRNO(dup2(d, -1), EBADF);
	ERRNO(dup2(99, 21), EBADF);
	ERRNO(dup3(d, d, 0), EINVAL);
	CHECK(dup3(d, 21, O_CLOEXEC) == 21 && fcntl(21, F_GETFD) == FD_CLOEXEC);
	CHECK(fcntl(21, F_SETFD, 0) == 0 && fcntl(21, F_GETFD) == 0);
	d2 = fcntl(d, F_DUPFD, 30);
	CHECK(d2 == 30);
	CHECK(fcntl(d, F_DUPFD, 30) == 31);
	CHECK(fcntl(d, F_DUPFD_CLOEXEC, 0) >= 0);
	ERRNO(fcntl(d, F_DUPFD, -1), EINVAL);
	ERRNO(fcntl(99, F_GETFD), EBADF);
	ERRNO(dup(99), EBADF);
	/* O_APPEND through F_SETFL, seen by every duplicate */
	CHECK(fcntl(d, F_SETFL, O_APPEND) == 0 && (fcntl(20, F_GETFL) & O_APPEND));
	CHECK(lseek(20, 0, SEEK_SET) == 0 && write(21, "X", 1) == 1 && lseek(d, 0, SEEK_CUR) == 6);
	CHECK((fcntl(d, F_GETFL) & O_ACCMODE) == O_RDWR);
	for (int i = 20; i < 40; i++)
		close(i);
	close(d);
	for (int i = 3; i < 64; i++)
		close(i);
}

static void fd_limit(void)
{
	struct rlimit rl;
	int fds[300], n = 0, lowest;

	CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur >= 64);
	/* a smaller soft limit, then fill the table */
	struct rlimit small = { 40, rl.rlim_max };
	CHECK(setrlimit(RLIMIT_NOFILE, &small) == 0);
	for (;;) {
		int fd = dup(0);
		if (fd < 0) {
			CHECK(errno == EMFILE);
			break;
		}
		if (n == 300)
			break;
		fds[n++] = fd;
	}
	CHECK(n == 40 - 3);
	ERRNO(open("/", O_RDONLY), EMFILE);
	ERRNO(pipe(fds + n), EMFILE);
	ERRNO(dup2(0, 40), EBADF);
	/* one descriptor left: a pair does not fit, EMFILE (not EINVAL) */
	close(fds[--n]);
	ERRNO(pipe(fds + n), EMFILE);
	ERRNO(socketpair(AF_UNIX, SOCK_STREAM, 0, fds + n), EMFILE);
	CHECK(dup(0) == fds[n]);                     /* and the one left is free */
	n++;
	lowest = fds[5];
	close(lowest);
	CHECK(dup(0) == lowest);                     /* the lowest free one */
	for (int i = 0; i < n; i++)
		close(fds[i]);
	CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0);
	small.rlim_cur = rl.rlim_max + 1;
	small.rlim_max = rl.rlim_max + 1;
	ERRNO(setrlimit(RLIMIT_NOFILE, &(struct rlimit){ 10, 5 }), EINVAL);
}

static void poll_pipes(void)
{
	struct pollfd pf[3];
	int p[2], q[2];
	int64_t t0;
	char c;
	pid_t pid;

	CHECK(pipe(p) == 0 && pipe(q) == 0);
	pf[0] = (struct pollfd){ .fd = p[0], .events = POLLIN };
	pf[1] = (struct pollfd){ .fd = q[1], .events = POLLOUT };
	pf[2] = (struct pollfd){ .fd = -1, .events = POLLIN };
	CHECK(poll(pf, 3, 0) == 1 && !pf[0].revents && (pf[1].revents & POLLOUT) && !pf[2].revents);
	CHECK(poll(pf, 1, 0) == 0);
	t0 = now_ms();
	CHECK(poll(pf, 1, 50) == 0 && now_ms() - t0 >= 45);
	CHECK(write(p[1], "x", 1) == 1);
	CHECK(poll(pf, 1, -1) == 1 && pf[0].revents == POLLIN);
	CHECK(read(p[0], &c, 1) == 1);
	/* a child writes later: poll waits for it */
	pid = fork();
	if (pid == 0) {
		struct timespec ts = { 0, 30 * 1000 * 1000 };
		nanosleep(&ts, NULL);
		write(p[1], "y", 1);
		_exit(0);
	}
	t0 = now_ms();
	CHECK(poll(pf, 1, 5000) == 1 && (pf[0].revents & POLLIN) && now_ms() - t0 >= 20);
	CHECK(read(p[0], &c, 1) == 1 && c == 'y');
	CHECK(child_status(pid) == 0);
	/* the writer closes: POLLHUP; the reader closes: POLLERR */
	close(p[1]);
	CHECK(poll(pf, 1, 1000) == 1 && (pf[0].revents & POLLHUP));
	close(q[0]);
	CHECK(poll(pf + 1, 1, 1000) == 1 && (pf[1].revents & POLLERR));
	/* a closed descriptor: POLLNVAL */
	close(p[0]);
	pf[0].events = POLLIN;
	CHECK(poll(pf, 1, 0) == 1 && pf[0].revents == POLLNVAL);
	close(q[1]);
	/* nothing to wait for: just the timeout */
	t0 = now_ms();
	CHECK(poll(NULL, 0, 20) == 0 && now_ms() - t0 >= 15);
}

static void select_pipes(void)
{
	struct timeval tv = { 0, 0 };
	fd_set r, w;
	int p[2];

	CHECK(pipe(p) == 0);
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_SET(p[0], &r);
	FD_SET(p[1], &w);
	CHECK(select(p[1] + 1, &r, &w, NULL, &tv) == 1 && !FD_ISSET(p[0], &r) && FD_ISSET(p[1], &w));
	CHECK(write(p[1], "z", 1) == 1);
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	tv = (struct timeval){ 1, 0 };
	CHECK(select(p[0] + 1, &r, NULL, NULL, &tv) == 1 && FD_ISSET(p[0], &r));
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	CHECK(pselect(p[0] + 1, &r, NULL, NULL, &ts, NULL) == 1);
	char c;
	CHECK(read(p[0], &c, 1) == 1);
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	int64_t t0 = now_ms();
	CHECK(pselect(p[0] + 1, &r, NULL, NULL, &ts, NULL) == 0 && now_ms() - t0 >= 8 && !FD_ISSET(p[0], &r));
	close(p[0]);
	close(p[1]);
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	tv = (struct timeval){ 0, 0 };
	ERRNO(select(p[0] + 1, &r, NULL, NULL, &tv), EBADF);
	ERRNO(select(-1, NULL, NULL, NULL, &tv), EINVAL);
}

static void vectors(void)
{
	char a[3], b[5];
	struct iovec in[2] = { { a, 3 }, { b, 5 } }, out[3] = { { "abc", 3 }, { "defgh", 5 }, { "ij", 2 } };
	int p[2];

	CHECK(pipe(p) == 0);
	CHECK(writev(p[1], out, 3) == 10);
	CHECK(readv(p[0], in, 2) == 8 && !memcmp(a, "abc", 3) && !memcmp(b, "defgh", 5));
	volatile int bad = -1;
	ERRNO(writev(p[1], out, bad), EINVAL);
	int n = -1;
	CHECK(ioctl(p[0], FIONREAD, &n) == 0 && n == 2);
	close(p[0]);
	close(p[1]);
}

static void terminal(void)
{
	struct termios t, t2;
	struct winsize ws;
	struct stat st;
	int fl;

	CHECK(isatty(0) && isatty(1) && isatty(2));
	CHECK(fstat(0, &st) == 0 && S_ISCHR(st.st_mode));
	CHECK(tcgetattr(0, &t) == 0 && (t.c_lflag & ICANON) && (t.c_lflag & ECHO) && (t.c_lflag & ISIG));
	CHECK(t.c_cc[VINTR] == 3 && t.c_cc[VEOF] == 4);
	t2 = t;
	t2.c_lflag &= ~(tcflag_t)ECHO;
	CHECK(tcsetattr(0, TCSANOW, &t2) == 0 && tcgetattr(1, &t2) == 0 && !(t2.c_lflag & ECHO));
	CHECK(tcsetattr(0, TCSANOW, &t) == 0 && tcgetattr(0, &t2) == 0 && (t2.c_lflag & ECHO));
	CHECK(ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0);
	CHECK(tcgetpgrp(0) == getpgrp());            /* the first process's terminal */
	CHECK(tcgetsid(0) == getsid(0));
	/* nothing typed: a nonblocking read says so */
	fl = fcntl(0, F_GETFL);
	CHECK(fcntl(0, F_SETFL, fl | O_NONBLOCK) == 0);
	char c;
	ERRNO(read(0, &c, 1), EAGAIN);
	CHECK(fcntl(0, F_SETFL, fl) == 0);
	ERRNO(lseek(1, 0, SEEK_SET), ESPIPE);
	int p[2];
	CHECK(pipe(p) == 0);
	errno = 0;
	CHECK(!isatty(p[0]) && errno == ENOTTY);
	errno = 0;
	CHECK(!isatty(77) && errno == EBADF);
	ERRNO(tcgetattr(p[1], &t2), ENOTTY);
	close(p[0]);
	close(p[1]);
}

int main(int argc, char **argv)
{
	/* where: PT_DIR, or an absolute path as the argument (a disk's /mnt) */
	const char *dir = argc > 1 && argv[1][0] == '/' ? argv[1] : getenv("PT_DIR");

	pt_prefix = "io";
	snprintf(base, sizeof(base), "%s/io.%d", dir ? dir : "/tmp", (int)getpid());
	if (mkdir(base, 0755)) {
		printf("io: cannot make %s: %s\n", base, strerror(errno));
		return 1;
	}
	run("pipe_basics", pipe_basics);
	run("pipe_sigpipe_kills", pipe_sigpipe_kills);
	run("pipe_nonblock", pipe_nonblock);
	run("pipe_to_child", pipe_to_child);
	run("dup_fcntl", dup_fcntl);
	run("fd_limit", fd_limit);
	run("poll_pipes", poll_pipes);
	run("select_pipes", select_pipes);
	run("vectors", vectors);
	if (isatty(0))
		run("terminal", terminal);
	return finish();
}
