// SPDX-License-Identifier: MIT
/*
 * Pseudo-terminals (docs/console.md, "Pseudo-terminals"): posix_openpt,
 * grantpt, unlockpt, ptsname and the slave's lock, a line from the master
 * read by the slave in canonical mode (and not before its end), its echo
 * back to the master with ONLCR, output post-processing (ONLCR, OPOST off),
 * editing (VERASE), raw mode, ^C from the master as SIGINT to the slave's
 * foreground process group (a session leader's open making the slave its
 * controlling terminal, and TIOCSCTTY + tcsetpgrp), the master's close
 * (the slave reads end of file, its session gets SIGHUP), the slave's
 * close (the master reads EIO), poll on both ends, O_NONBLOCK, 32 KiB each
 * way through a writer that has to wait, bad requests, and the number of
 * ptys (Cairn's console server has 64: EAGAIN past them).
 *
 * It passes on Linux (the expectations are Linux's), built on the host:
 *   gcc -std=gnu11 -O2 -Wall -Wextra -Werror -idirafter user/lib/include \
 *       -idirafter user/lib/arch/x86_64/include \
 *       -idirafter user/tests/arch/x86_64/include -o /tmp/ptys \
 *       user/tests/posix/ptys.c user/lib/test.c user/tests/posix/lib/test_musl.c \
 *       user/tests/posix/lib/child.c
 * Expected list: tests/harness/expected/posix-ptys.txt.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <termios.h>
#include "posixtest.h"

/* A master and its slave, unlocked and opened (O_NOCTTY); -1 on failure. */
static int pty_pair(int *m, int *s)
{
	char *name;

	*m = *s = -1;
	if ((*m = posix_openpt(O_RDWR | O_NOCTTY)) < 0)
		return -1;
	if (grantpt(*m) || unlockpt(*m) || !(name = ptsname(*m)) ||
	    (*s = open(name, O_RDWR | O_NOCTTY)) < 0) {
		close(*m);
		return -1;
	}
	return 0;
}

/* Reads from fd until want bytes came or ms passed without any: the count. */
static ssize_t rd(int fd, char *buf, size_t want, int ms)
{
	size_t got = 0;

	while (got < want) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, ms) <= 0 || !(p.revents & POLLIN))
			break;
		n = read(fd, buf + got, want - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

/* The events poll reports for fd at once. */
static short events(int fd, short ev)
{
	struct pollfd p = { .fd = fd, .events = ev };

	return poll(&p, 1, 0) == 1 ? p.revents : 0;
}

static void open_unlock_name(void)
{
	char name[64], *p;
	struct stat st, st2;
	int m, s, n = -1, lock = 0;

	if (!CHECK((m = posix_openpt(O_RDWR | O_NOCTTY)) >= 0))
		return;
	CHECK(isatty(m));
	CHECK(grantpt(m) == 0);
	CHECK(ptsname_r(m, name, sizeof(name)) == 0 && !strncmp(name, "/dev/pts/", 9));
	CHECK(ioctl(m, TIOCGPTN, &n) == 0 && n == atoi(name + 9));
	CHECK(ioctl(m, TIOCGPTLCK, &lock) == 0 && lock == 1);
	ERRNO(open(name, O_RDWR | O_NOCTTY), EIO);          /* locked */
	CHECK(unlockpt(m) == 0);
	CHECK(ioctl(m, TIOCGPTLCK, &lock) == 0 && lock == 0);
	CHECK((p = ptsname(m)) && !strcmp(p, name));
	if (CHECK((s = open(name, O_RDWR | O_NOCTTY)) >= 0)) {
		CHECK(isatty(s));
		CHECK(fstat(s, &st) == 0 && S_ISCHR(st.st_mode) && major(st.st_rdev) >= 136 &&
		      (int)minor(st.st_rdev) == n % 256);
		CHECK(stat(name, &st2) == 0 && S_ISCHR(st2.st_mode) && st2.st_rdev == st.st_rdev);
		/* ttyname names the slave by its path (tty(1), ssh, script...) */
		CHECK((p = ttyname(s)) && !strcmp(p, name));
		char small[4];
		CHECK(ttyname_r(s, small, sizeof(small)) == ERANGE);
		ERRNO(ioctl(s, TIOCGPTN, &n), ENOTTY);           /* the master's only */
		close(s);
	}
	CHECK(fstat(m, &st) == 0 && S_ISCHR(st.st_mode));
	close(m);
}

static void canonical_line(void)
{
	char buf[64];
	int m, s;

	if (!CHECK(pty_pair(&m, &s) == 0))
		return;
	CHECK(write(m, "abc", 3) == 3);
	CHECK(!(events(s, POLLIN) & POLLIN));                 /* no line yet */
	CHECK(write(m, "de\n", 3) == 3);
	CHECK(events(s, POLLIN) & POLLIN);
	CHECK(read(s, buf, sizeof(buf)) == 6 && !memcmp(buf, "abcde\n", 6));
	/* a carriage return is a newline (ICRNL): what a terminal sends */
	CHECK(write(m, "x\r", 2) == 2);
	CHECK(read(s, buf, sizeof(buf)) == 2 && !memcmp(buf, "x\n", 2));
	/* two lines, read one at a time */
	CHECK(write(m, "one\ntwo\n", 8) == 8);
	CHECK(read(s, buf, sizeof(buf)) == 4 && !memcmp(buf, "one\n", 4));
	CHECK(read(s, buf, sizeof(buf)) == 4 && !memcmp(buf, "two\n", 4));
	/* ^D on an empty line: end of file */
	CHECK(write(m, "\004", 1) == 1);
	CHECK(read(s, buf, sizeof(buf)) == 0);
	close(s);
	close(m);
}

static void echo_onlcr(void)
{
	char buf[64];
	int m, s;

	if (!CHECK(pty_pair(&m, &s) == 0))
		return;
	CHECK(write(m, "hi\n", 3) == 3);
	CHECK(rd(m, buf, 4, 2000) == 4 && !memcmp(buf, "hi\r\n", 4));      /* the echo */
	CHECK(read(s, buf, sizeof(buf)) == 3);
	CHECK(write(s, "a\nb\n", 4) == 4);
	CHECK(rd(m, buf, 6, 2000) == 6 && !memcmp(buf, "a\r\nb\r\n", 6));  /* ONLCR */
	close(s);
	close(m);
}

static void opost_off_erase(void)
{
	struct termios t;
	char buf[64];
	int m, s;

	if (!CHECK(pty_pair(&m, &s) == 0))
		return;
	CHECK(tcgetattr(s, &t) == 0 && (t.c_lflag & ICANON) && (t.c_lflag & ECHO) &&
	      (t.c_oflag & ONLCR));
	t.c_oflag &= ~OPOST;
	t.c_lflag &= ~ECHO;
	CHECK(tcsetattr(s, TCSANOW, &t) == 0);
	CHECK(write(s, "a\nb\n", 4) == 4);
	CHECK(rd(m, buf, 4, 2000) == 4 && !memcmp(buf, "a\nb\n", 4));
	/* VERASE (DEL) and VKILL (^U) edit the line */
	CHECK(write(m, "abx\177c\n", 6) == 6);
	CHECK(read(s, buf, sizeof(buf)) == 4 && !memcmp(buf, "abc\n", 4));
	CHECK(write(m, "junk\025ok\n", 8) == 8);
	CHECK(read(s, buf, sizeof(buf)) == 3 && !memcmp(buf, "ok\n", 3));
	CHECK(rd(m, buf, 1, 100) == 0);                      /* no echo */
	close(s);
	close(m);
}

static void raw_mode(void)
{
	struct termios t;
	char buf[64];
	int m, s;

	if (!CHECK(pty_pair(&m, &s) == 0))
		return;
	CHECK(tcgetattr(s, &t) == 0);
	cfmakeraw(&t);
	CHECK(tcsetattr(s, TCSANOW, &t) == 0);
	CHECK(write(m, "x\003y\r", 4) == 4);                 /* no signal, no ICRNL */
	CHECK(rd(s, buf, 4, 2000) == 4 && !memcmp(buf, "x\003y\r", 4));
	CHECK(rd(m, buf, 1, 100) == 0);                      /* no echo */
	close(s);
	close(m);
}

static volatile sig_atomic_t got_sig;
static void on_sig(int sig) { got_sig = sig; }

/* A child in a session of its own takes the slave as its controlling
 * terminal (by opening it, or by TIOCSCTTY), says so through pipe p, and
 * waits for sig. Exit: 42 when sig came, 3-6 when something else failed. */
static void ctty_child(const char *name, int p, int sig, int by_ioctl)
{
	int fd;

	pt_child_start();
	signal(sig, on_sig);
	if (setsid() < 0)
		_exit(3);
	if ((fd = open(name, O_RDWR | (by_ioctl ? O_NOCTTY : 0))) < 0)
		_exit(4);
	if (by_ioctl && (ioctl(fd, TIOCSCTTY, 0) || tcsetpgrp(fd, getpid())))
		_exit(5);
	if (tcgetpgrp(fd) != getpid() || tcgetsid(fd) != getpid())
		_exit(6);
	if (write(p, "r", 1) != 1)
		_exit(7);
	for (int i = 0; i < 500 && !got_sig; i++)
		pt_msleep(20);
	_exit(got_sig == sig ? 42 : 8);
}

static void sigint_fg(int by_ioctl)
{
	char name[64], buf[16];
	int m, s, p[2];
	pid_t pid;

	if (!CHECK(pty_pair(&m, &s) == 0))
		return;
	CHECK(ptsname_r(m, name, sizeof(name)) == 0);
	close(s);
	if (!CHECK(pipe(p) == 0))
		return;
	if ((pid = fork()) == 0)
		ctty_child(name, p[1], SIGINT, by_ioctl);
	close(p[1]);
	CHECK(pt_read_full(p[0], buf, 1) == 1);
	CHECK(write(m, "\003", 1) == 1);
	REAP(pid, 42);
	CHECK(rd(m, buf, 2, 2000) == 2 && !memcmp(buf, "^C", 2));     /* ECHOCTL */
	close(p[0]);
	close(m);
}

static void sigint_open(void) { sigint_fg(0); }
static void sigint_tiocsctty(void) { sigint_fg(1); }

static void master_close_hup(void)
{
	char name[64], buf[16];
	int m, s, p[2];
	pid_t pid;

	if (!CHECK(pty_pair(&m, &s) == 0))
		return;
	CHECK(ptsname_r(m, name, sizeof(name)) == 0);
	if (!CHECK(pipe(p) == 0))
		return;
	if ((pid = fork()) == 0) {
		close(m);
		signal(SIGHUP, SIG_DFL);
		ctty_child(name, p[1], SIGUSR1, 0);       /* ends by SIGHUP first */
	}
	close(p[1]);
	CHECK(pt_read_full(p[0], buf, 1) == 1);
	close(m);
	REAP(pid, 1000 + SIGHUP);
	/* the slave still open here reads end of file; writes fail */
	CHECK(read(s, buf, sizeof(buf)) == 0);
	ERRNO(write(s, "x", 1), EIO);
	CHECK(events(s, POLLIN) & POLLHUP);
	close(s);
	close(p[0]);
}

static void slave_close_eio(void)
{
	char buf[16];
	int m, s, s2;

	if (!CHECK(pty_pair(&m, &s) == 0))
		return;
	CHECK((s2 = dup(s)) >= 0);
	CHECK(write(s, "bye\n", 4) == 4);
	close(s);
	CHECK(!(events(m, POLLIN) & POLLHUP));              /* a descriptor is still open */
	close(s2);
	CHECK(events(m, POLLIN) & POLLHUP);
	CHECK(read(m, buf, sizeof(buf)) == 5 && !memcmp(buf, "bye\r\n", 5));   /* what was left */
	ERRNO(read(m, buf, sizeof(buf)), EIO);
	close(m);
}

static void poll_nonblock(void)
{
	char buf[16];
	int m, s;

	if (!CHECK(pty_pair(&m, &s) == 0))
		return;
	CHECK(events(m, POLLIN | POLLOUT) == POLLOUT);
	CHECK(events(s, POLLIN | POLLOUT) == POLLOUT);
	CHECK(fcntl(m, F_SETFL, O_NONBLOCK) == 0 && fcntl(s, F_SETFL, O_NONBLOCK) == 0);
	ERRNO(read(m, buf, sizeof(buf)), EAGAIN);
	ERRNO(read(s, buf, sizeof(buf)), EAGAIN);
	CHECK(write(s, "z", 1) == 1);
	struct pollfd pf = { .fd = m, .events = POLLIN };
	CHECK(poll(&pf, 1, 2000) == 1 && pf.revents == POLLIN);
	CHECK(read(m, buf, sizeof(buf)) == 1 && buf[0] == 'z');
	/* a poll that waits is woken by the other side */
	pid_t pid = fork();
	if (pid == 0) {
		pt_child_start();
		pt_msleep(100);
		_exit(write(m, "w\n", 2) == 2 ? 0 : 1);
	}
	pf = (struct pollfd){ .fd = s, .events = POLLIN };
	CHECK(poll(&pf, 1, 5000) == 1 && (pf.revents & POLLIN));
	CHECK(read(s, buf, sizeof(buf)) == 2 && !memcmp(buf, "w\n", 2));
	REAP(pid, 0);
	close(s);
	close(m);
}

#define BULK (32 * 1024)

static uint8_t pattern(size_t i) { return (uint8_t)(i * 7 + (i >> 8)); }

/* 32 KiB each way in raw mode, more than either side holds: the writer waits. */
static void bulk_both_ways(void)
{
	static uint8_t buf[BULK];
	struct termios t;
	int m, s, bad = 0;
	pid_t pid;

	if (!CHECK(pty_pair(&m, &s) == 0))
		return;
	CHECK(tcgetattr(s, &t) == 0);
	cfmakeraw(&t);
	CHECK(tcsetattr(s, TCSANOW, &t) == 0);
	for (size_t i = 0; i < BULK; i++)
		buf[i] = pattern(i);
	if ((pid = fork()) == 0) {
		pt_child_start();
		_exit(pt_write_full(m, buf, BULK) == BULK ? 0 : 1);
	}
	memset(buf, 0, sizeof(buf));
	CHECK(pt_read_full(s, buf, BULK) == BULK);
	for (size_t i = 0; i < BULK; i++)
		bad += buf[i] != pattern(i);
	CHECK(bad == 0);
	REAP(pid, 0);
	for (size_t i = 0; i < BULK; i++)
		buf[i] = pattern(i);
	if ((pid = fork()) == 0) {
		pt_child_start();
		_exit(pt_write_full(s, buf, BULK) == BULK ? 0 : 1);
	}
	memset(buf, 0, sizeof(buf));
	CHECK(pt_read_full(m, buf, BULK) == BULK);
	bad = 0;
	for (size_t i = 0; i < BULK; i++)
		bad += buf[i] != pattern(i);
	CHECK(bad == 0);
	REAP(pid, 0);
	close(s);
	close(m);
}

static void bad_requests(void)
{
	char name[64];
	int m, s, v = 0;

	if (!CHECK(pty_pair(&m, &s) == 0))
		return;
	CHECK(ptsname_r(m, name, sizeof(name)) == 0);
	ERRNO(ioctl(m, 0x54ff, &v), ENOTTY);
	ERRNO(ioctl(s, TIOCSPTLCK, &v), ENOTTY);
	ERRNO(lseek(m, 0, SEEK_SET), ESPIPE);
	close(s);
	close(m);
	/* the pty is gone with its master and slave */
	errno = 0;
	CHECK(open(name, O_RDWR | O_NOCTTY) < 0 && (errno == ENOENT || errno == EIO));
}

#define MANY 100

static void pty_limit(void)
{
	static int fds[MANY];
	int n = 0, err = 0, fd;

	while (n < MANY && (fds[n] = posix_openpt(O_RDWR | O_NOCTTY)) >= 0)
		n++;
	if (n < MANY)
		err = errno;
#ifdef __cairn__
	CHECK(n == 64 && (err == EAGAIN || err == ENOSPC));
#else
	CHECK(n == MANY || err == EAGAIN || err == ENOSPC || err == EMFILE);
#endif
	if (CHECK(n > 0)) {
		close(fds[--n]);
		CHECK((fd = posix_openpt(O_RDWR | O_NOCTTY)) >= 0);
		if (fd >= 0)
			close(fd);
	}
	while (n)
		close(fds[--n]);
	/* all gone: a new one works */
	CHECK((fd = posix_openpt(O_RDWR | O_NOCTTY)) >= 0);
	if (fd >= 0)
		close(fd);
}

static void trun(const char *name, void (*fn)(void))
{
	signal(SIGALRM, SIG_DFL);
	alarm(60);
	run(name, fn);
	alarm(0);
}

int main(void)
{
	pt_prefix = "ptys";
	trun("open_unlock_name", open_unlock_name);
	trun("canonical_line", canonical_line);
	trun("echo_onlcr", echo_onlcr);
	trun("opost_off_erase", opost_off_erase);
	trun("raw_mode", raw_mode);
	trun("sigint_open", sigint_open);
	trun("sigint_tiocsctty", sigint_tiocsctty);
	trun("master_close_hup", master_close_hup);
	trun("slave_close_eio", slave_close_eio);
	trun("poll_nonblock", poll_nonblock);
	trun("bulk_both_ways", bulk_both_ways);
	trun("bad_requests", bad_requests);
	trun("pty_limit", pty_limit);
	return finish();
}
