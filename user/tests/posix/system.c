// SPDX-License-Identifier: MIT
/*
 * What a system gives a program besides files and processes, from an
 * ordinary C program built with <arch>-cairn-gcc and run with
 * ./qemu-run.sh --exec: the character devices of /dev (null, zero, full,
 * random, urandom, tty, console: Linux's numbers), sessions taking the
 * console as their terminal, uname and the host and domain names, setting the real-time clock, user ids, and reboot. One
 * `ok N system.NAME` line a test, then `N passed, N failed`; the exit
 * status is the number of failures (tests/harness/expected/posix-system.txt).
 *
 * `system poweroff` and `system restart` only call reboot(RB_POWER_OFF)
 * or reboot(RB_AUTOBOOT) after a line: the boot must end with status 0
 * (tests/harness/expected/posix-reboot.txt). `system uid` is what an exec
 * after setuid starts: its exit status is 0 when its uids are still 1000.
 *
 * On Linux it passes as root (uname's Cairn checks aside), but for
 * tty_sessions, which needs a terminal that is no session's controlling
 * terminal (as the console is to init's children).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <termios.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include "posixtest.h"
#include <test/arch.h>

static const char *self = "/bin/system";

/* A child runs fn; its exit status is fn's result (0: fine, else which step). */
static int in_child(int (*fn)(void))
{
	int st;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0)
		_exit(fn());
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* ---- /dev ---- */

static void dev_numbers(void)
{
	static const struct { const char *path; unsigned major, minor; } d[] = {
		{ "/dev/null", 1, 3 }, { "/dev/zero", 1, 5 }, { "/dev/full", 1, 7 },
		{ "/dev/random", 1, 8 }, { "/dev/urandom", 1, 9 }, { "/dev/tty", 5, 0 },
		{ "/dev/console", 5, 1 },
	};
	struct stat st;

	for (unsigned i = 0; i < sizeof(d) / sizeof(d[0]); i++) {
		if (stat(d[i].path, &st)) {
			FAIL("stat %s: %s", d[i].path, strerror(errno));
			continue;
		}
		if (!S_ISCHR(st.st_mode) || major(st.st_rdev) != d[i].major ||
		    minor(st.st_rdev) != d[i].minor)
			FAIL("%s: mode %o, device %u,%u", d[i].path, (unsigned)st.st_mode,
			     major(st.st_rdev), minor(st.st_rdev));
	}
}

static void dev_null_zero_full(void)
{
	char buf[8192];
	int fd;

	CHECK((fd = open("/dev/null", O_RDWR)) >= 0);
	CHECK(read(fd, buf, sizeof(buf)) == 0 && write(fd, buf, sizeof(buf)) == (ssize_t)sizeof(buf));
	close(fd);
	memset(buf, 1, sizeof(buf));
	CHECK((fd = open("/dev/zero", O_RDWR)) >= 0);
	/* one read fills the buffer, as Linux's (dd bs=1M count=1 copies 1M) */
	CHECK(read(fd, buf, sizeof(buf)) == (ssize_t)sizeof(buf) && !buf[0] && !buf[sizeof(buf) - 1]);
	CHECK(write(fd, buf, 100) == 100);
	close(fd);
	/* full: zeros to read, no space to write */
	memset(buf, 1, sizeof(buf));
	CHECK((fd = open("/dev/full", O_RDWR)) >= 0);
	CHECK(read(fd, buf, 1000) == 1000 && !buf[0] && !buf[999] && buf[1000] == 1);
	ERRNO(write(fd, "x", 1), ENOSPC);
	CHECK(lseek(fd, 0, SEEK_SET) == 0);
	close(fd);
	/* a stdio stream on it fails when it flushes */
	FILE *f = fopen("/dev/full", "w");
	CHECK(f && fputs("hello", f) >= 0 && fflush(f) == EOF && errno == ENOSPC);
	if (f)
		fclose(f);
}

/* n bytes from fd, however many reads it takes (a server answers at most
 * 4000 bytes a read). */
static int read_all(int fd, void *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, (char *)buf + got, n - got);
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

/* Random bytes: never the same twice, every byte value about as often. */
static void dev_urandom(void)
{
	static unsigned char a[4096], b[4096];
	unsigned count[256] = { 0 }, lo = ~0u, hi = 0;
	int fd;

	for (int which = 0; which < 2; which++) {
		const char *path = which ? "/dev/random" : "/dev/urandom";
		CHECK((fd = open(path, O_RDONLY)) >= 0);
		CHECK(read_all(fd, a, sizeof(a)) == 0 && read_all(fd, b, sizeof(b)) == 0);
		CHECK(memcmp(a, b, sizeof(a)) != 0);
		close(fd);
	}
	for (unsigned i = 0; i < sizeof(a); i++) {
		count[a[i]]++;
		count[b[i]]++;
	}
	for (unsigned i = 0; i < 256; i++) {
		lo = count[i] < lo ? count[i] : lo;
		hi = count[i] > hi ? count[i] : hi;
	}
	/* 32 expected of each: far from it means no randomness at all */
	CHECK(lo >= 8 && hi <= 80);
	/* writing is taken (and mixed in) */
	CHECK((fd = open("/dev/urandom", O_WRONLY)) >= 0 && write(fd, "seed", 4) == 4);
	close(fd);
	/* a fork's child and its parent part ways */
	int p[2];
	CHECK(pipe(p) == 0);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		int f = open("/dev/urandom", O_RDONLY);
		unsigned char c[32];
		_exit(f >= 0 && read(f, c, 32) == 32 && write(p[1], c, 32) == 32 ? 0 : 1);
	}
	CHECK((fd = open("/dev/urandom", O_RDONLY)) >= 0 && read(fd, a, 32) == 32);
	close(fd);
	CHECK(read(p[0], b, 32) == 32 && memcmp(a, b, 32) != 0);
	CHECK(waitpid(pid, NULL, 0) == pid);
	close(p[0]);
	close(p[1]);
}

/* /dev/tty and /dev/console: the console server's tty. */
static void dev_tty(void)
{
	static const char *paths[] = { "/dev/tty", "/dev/console" };
	struct termios t;
	struct stat st;
	int fd;

	for (unsigned i = 0; i < 2; i++) {
		CHECK((fd = open(paths[i], O_RDWR | O_NOCTTY)) >= 0);
		if (fd < 0)
			continue;
		CHECK(isatty(fd) && tcgetattr(fd, &t) == 0 && (t.c_lflag & ICANON));
		CHECK(fstat(fd, &st) == 0 && S_ISCHR(st.st_mode));
		CHECK(tcgetpgrp(fd) == getpgrp());
		dprintf(fd, "# system: a line written to %s\n", paths[i]);
		/* nobody types: a nonblocking read says so */
		int fl = fcntl(fd, F_GETFL);
		CHECK(fl >= 0 && fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0);
		char c;
		ERRNO(read(fd, &c, 1), EAGAIN);
		CHECK(fcntl(fd, F_SETFL, fl) == 0);
		CHECK(close(fd) == 0);
	}
	/* opened and closed many times: nothing left behind, still a tty */
	for (int i = 0; i < 300; i++) {
		fd = open("/dev/tty", O_RDWR);
		if (fd < 0 || close(fd)) {
			FAIL("round %d: %s", i, strerror(errno));
			break;
		}
	}
	CHECK(isatty(1) && tcgetattr(0, &t) == 0);
	/* the path: O_PATH locates it, O_DIRECTORY is not a directory */
	CHECK((fd = open("/dev/tty", O_PATH)) >= 0 && fstat(fd, &st) == 0 &&
	      major(st.st_rdev) == 5 && minor(st.st_rdev) == 0);
	close(fd);
	ERRNO(open("/dev/tty", O_RDONLY | O_DIRECTORY), ENOTDIR);
}

/* A new session takes the console as its controlling terminal (pid 1's
 * claim gives way, as the console is nobody's on Linux): fd 0 the tty. */
static int child_takes_tty(void)
{
	if (setsid() != getpid())
		return 1;
	if (ioctl(0, TIOCSCTTY, 0))
		return 2;
	if (tcgetsid(0) != getpid() || tcgetpgrp(0) != getpid())
		return 3;
	return 0;
}

/* Its leader ended: the tty is free for the next session (the process
 * server tells the console server). */
static void tty_sessions(void)
{
	CHECK(in_child(child_takes_tty) == 0);
	usleep(20000);                        /* the news travels asynchronously */
	ERRNO(tcgetsid(0), ENOTTY);
	CHECK(in_child(child_takes_tty) == 0);
	usleep(20000);
	/* and pid 1 takes it back */
	CHECK(ioctl(0, TIOCSCTTY, 0) == 0 && tcgetsid(0) == getsid(0) && tcgetpgrp(0) == getpgrp());
}

/* ---- names ---- */

static int child_sees_host(void)
{
	struct utsname u;
	char h[65];

	return uname(&u) || strcmp(u.nodename, "system-test") || gethostname(h, sizeof(h)) ||
	       strcmp(h, "system-test");
}

static void uname_names(void)
{
	static const char name64[] = "0123456789012345678901234567890123456789012345678901234567890123";
	struct utsname u;
	char h[80];

	CHECK(uname(&u) == 0 && !strcmp(u.sysname, "Cairn") && !strcmp(u.machine, TEST_ARCH_NAME));
	CHECK(u.release[0] >= '0' && u.release[0] <= '9');
	CHECK(gethostname(h, sizeof(h)) == 0 && !strcmp(h, "cairn") && !strcmp(u.nodename, "cairn"));
	CHECK(sethostname("system-test", 11) == 0 && uname(&u) == 0 && !strcmp(u.nodename, "system-test"));
	CHECK(in_child(child_sees_host) == 0);
	/* 64 bytes, the longest; 65 is too long */
	CHECK(sethostname(name64, 64) == 0 && gethostname(h, sizeof(h)) == 0 && !strcmp(h, name64));
	ERRNO(sethostname("0123456789012345678901234567890123456789012345678901234567890123x", 65), EINVAL);
	ERRNO(syscall(SYS_sethostname, "x", -1L), EINVAL);
	/* musl's gethostname truncates to the buffer (and ends it) */
	CHECK(gethostname(h, 5) == 0 && !memcmp(h, "0123", 4) && !h[4]);
	CHECK(setdomainname("example.org", 11) == 0 && uname(&u) == 0 && !strcmp(u.domainname, "example.org"));
	CHECK(sethostname("cairn", 5) == 0 && setdomainname("(none)", 6) == 0);
}

/* ---- the clock ---- */

static int child_sees_day(void)
{
	/* main set the clock a day on; the child sees it too */
	return time(NULL) < 86400 * 2 ? 1 : 0;
}

static void clock_set(void)
{
	struct timespec t0, t1, m0, m1, bad;
	struct timeval tv;
	const time_t day = 86400;

	ERRNO(clock_settime(CLOCK_MONOTONIC, &(struct timespec){ 100, 0 }), EINVAL);
	ERRNO(clock_settime(CLOCK_BOOTTIME, &(struct timespec){ 100, 0 }), EINVAL);
	ERRNO(clock_settime(CLOCK_PROCESS_CPUTIME_ID, &(struct timespec){ 100, 0 }), EPERM);
	bad = (struct timespec){ 100, 1000000000 };
	ERRNO(clock_settime(CLOCK_REALTIME, &bad), EINVAL);
	bad = (struct timespec){ 100, -1 };
	ERRNO(clock_settime(CLOCK_REALTIME, &bad), EINVAL);
	bad = (struct timespec){ -1, 0 };
	ERRNO(clock_settime(CLOCK_REALTIME, &bad), EINVAL);
	ERRNO(settimeofday(&(struct timeval){ 100, 1000000 }, NULL), EINVAL);
	CHECK(clock_gettime(CLOCK_REALTIME, &t0) == 0 && clock_gettime(CLOCK_MONOTONIC, &m0) == 0);
	time_t before = time(NULL);

	/* a day on: time() moves, CLOCK_MONOTONIC does not */
	t1 = t0;
	t1.tv_sec += day;
	CHECK(clock_settime(CLOCK_REALTIME, &t1) == 0);
	CHECK(time(NULL) - before >= day && time(NULL) - before <= day + 2);
	CHECK(clock_gettime(CLOCK_MONOTONIC, &m1) == 0 && m1.tv_sec - m0.tv_sec <= 2);
	CHECK(gettimeofday(&tv, NULL) == 0 && tv.tv_sec - before >= day);
	/* a child sees it too (set to two days after 1970 to tell) */
	CHECK(clock_settime(CLOCK_REALTIME, &(struct timespec){ 2 * day + 5, 0 }) == 0);
	CHECK(time(NULL) >= 2 * day + 5 && time(NULL) <= 2 * day + 7);
	CHECK(in_child(child_sees_day) == 0);
	/* settimeofday back to where the clock would be now */
	CHECK(clock_gettime(CLOCK_MONOTONIC, &m1) == 0);
	tv.tv_sec = t0.tv_sec + (m1.tv_sec - m0.tv_sec);
	tv.tv_usec = (suseconds_t)(t0.tv_nsec / 1000);
	CHECK(settimeofday(&tv, NULL) == 0);
	CHECK(time(NULL) - before >= 0 && time(NULL) - before <= 2);
	/* NULL: nothing to do */
	CHECK(settimeofday(NULL, NULL) == 0);
}

/* An absolute CLOCK_REALTIME sleep ends when the clock, set meanwhile,
 * says so: set 10 s on, a sleep until 3 s from now ends at once. */
static void clock_set_sleeper(void)
{
	struct timespec t0, m0, m1, until;
	int st;

	CHECK(clock_gettime(CLOCK_REALTIME, &t0) == 0 && clock_gettime(CLOCK_MONOTONIC, &m0) == 0);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		struct timespec a, b;
		until = t0;
		until.tv_sec += 3;
		clock_gettime(CLOCK_MONOTONIC, &a);
		if (clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &until, NULL))
			_exit(1);
		clock_gettime(CLOCK_MONOTONIC, &b);
		_exit(b.tv_sec - a.tv_sec >= 2 ? 2 : 0);     /* it slept the whole 3 s */
	}
	usleep(300000);
	CHECK(clock_gettime(CLOCK_REALTIME, &until) == 0);
	until.tv_sec += 10;
	CHECK(clock_settime(CLOCK_REALTIME, &until) == 0);
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* back */
	CHECK(clock_gettime(CLOCK_MONOTONIC, &m1) == 0);
	t0.tv_sec += m1.tv_sec - m0.tv_sec;
	t0.tv_nsec += m1.tv_nsec - m0.tv_nsec;
	if (t0.tv_nsec < 0)
		t0.tv_nsec += 1000000000, t0.tv_sec--;
	else if (t0.tv_nsec >= 1000000000)
		t0.tv_nsec -= 1000000000, t0.tv_sec++;
	CHECK(clock_settime(CLOCK_REALTIME, &t0) == 0);
}

/* ---- users ---- */

static int child_not_root(void)
{
	struct timespec t;
	uid_t r, e, s;

	if (setuid(1000) || getuid() != 1000 || geteuid() != 1000)
		return 1;
	if (getresuid(&r, &e, &s) || r != 1000 || e != 1000 || s != 1000)
		return 2;
	if (sethostname("x", 1) != -1 || errno != EPERM)
		return 3;
	clock_gettime(CLOCK_REALTIME, &t);
	if (clock_settime(CLOCK_REALTIME, &t) != -1 || errno != EPERM)
		return 4;
	if (reboot(RB_POWER_OFF) != -1 || errno != EPERM)
		return 5;
	if (reboot(RB_DISABLE_CAD) != -1 || errno != EPERM)
		return 6;
	if (setuid(0) != -1 || errno != EPERM)
		return 7;
	if (seteuid(0) != -1 || errno != EPERM)
		return 8;
	/* an exec keeps them */
	fflush(stdout);
	execl(self, "system", "uid", (char *)NULL);
	return 9;
}

static int child_setreuid(void)
{
	uid_t r, e, s;

	/* root swaps: real 1000, effective 0 (still root) */
	if (setreuid(1000, 0) || getuid() != 1000 || geteuid() != 0)
		return 1;
	if (getresuid(&r, &e, &s) || s != 0)
		return 2;
	/* drop the effective uid to the real one and back through the saved */
	if (seteuid(1000) || geteuid() != 1000 || seteuid(0) || geteuid() != 0)
		return 3;
	if (setresuid(2000, 2000, 2000) || getuid() != 2000)
		return 4;
	if (setresuid(1000, -1, -1) != -1 || errno != EPERM)
		return 5;
	return 0;
}

static void users(void)
{
	CHECK(getuid() == 0 && geteuid() == 0 && getgid() == 0);
	CHECK(in_child(child_not_root) == 0);
	CHECK(in_child(child_setreuid) == 0);
	CHECK(getuid() == 0 && geteuid() == 0);
}

/* ---- reboot ---- */

static void reboot_errors(void)
{
	CHECK(reboot(RB_ENABLE_CAD) == 0 && reboot(RB_DISABLE_CAD) == 0);
	ERRNO(reboot(0x12345678), EINVAL);
	ERRNO(syscall(SYS_reboot, 0xfee1deadL, 1L, (long)RB_POWER_OFF, 0L), EINVAL);
	ERRNO(syscall(SYS_reboot, 0L, 672274793L, (long)RB_POWER_OFF, 0L), EINVAL);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	self = argv[0][0] == '/' ? argv[0] : self;
	if (!strcmp(mode, "uid"))
		return getuid() == 1000 && geteuid() == 1000 ? 0 : 10;
	if (!strcmp(mode, "poweroff") || !strcmp(mode, "restart")) {
		printf("system: reboot(%s)\n", mode);
		fflush(stdout);
		reboot(mode[0] == 'p' ? RB_POWER_OFF : RB_AUTOBOOT);
		printf("system: reboot returned: %s\n", strerror(errno));
		return 1;
	}
	pt_prefix = "system";
	printf("system: /dev, names, the clock, users, reboot\n");
	run("dev_numbers", dev_numbers);
	run("dev_null_zero_full", dev_null_zero_full);
	run("dev_urandom", dev_urandom);
	run("dev_tty", dev_tty);
	run("tty_sessions", tty_sessions);
	run("uname_names", uname_names);
	run("clock_set", clock_set);
	run("clock_set_sleeper", clock_set_sleeper);
	run("users", users);
	run("reboot_errors", reboot_errors);
	return finish();
}
