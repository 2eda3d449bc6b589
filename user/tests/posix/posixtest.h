// SPDX-License-Identifier: MIT
/*
 * The checks of the C test programs in user/tests/posix/ (built with
 * <arch>-cairn-gcc, run with ./qemu-run.sh --exec; they also build and
 * pass on Linux, which is how their expectations were checked), on top of
 * the test library every in-guest test shares (user/lib/include/cairn/test.h,
 * user/lib/test.c; this world's hooks in lib/test_musl.c). Each test
 * prints `ok N PREFIX.NAME` or `not ok N PREFIX.NAME: why`, then the
 * program prints `N passed, N failed` and exits with the number of
 * failures. A test's children report through their exit status; only the
 * test program itself prints.
 *
 * The checks (CHECK, ERRNO, FAIL: expressions that record a failure and
 * go on) are the test library's, for this world; this header adds the
 * runner: run() a test under the program's prefix, finish() the program.
 */
#ifndef POSIXTEST_H
#define POSIXTEST_H
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <string.h>
#include <unistd.h>
#define CAIRN_TEST_POSIX
#include <cairn/test.h>

static const char *pt_prefix = "posix";

/* lib/child.c: milliseconds since boot; a sleep EINTR does not cut short;
 * a forked child's start (it ends itself after 20 s); child pid's end
 * waited for at most ms: its exit code, 1000 + the signal that ended it,
 * -1 (not waitable) or -2 (it hung and was killed); REAP(pid, want) checks
 * it (20 s); n bytes read or written whole unless the end or an error
 * comes first (EINTR retried); MemFree of /proc/meminfo in KiB (-1
 * without it). */
int64_t pt_now_ms(void);
void pt_msleep(long ms);
void pt_child_start(void);
int pt_reap(pid_t pid, int ms);
int pt_check_reap(pid_t pid, int want, int line);
#define REAP(pid, want) pt_check_reap((pid), (want), __LINE__)
ssize_t pt_read_full(int fd, void *buf, size_t n);
ssize_t pt_write_full(int fd, const void *buf, size_t n);
long pt_mem_free_kb(void);

__attribute__((unused)) static void run(const char *name, void (*fn)(void))
{
	errno = 0;
	fflush(stdout);         /* what the program printed before, then the result */
	t_run(pt_prefix, name, fn);
}

/* Programs that run some of their tests (basics, timers) take the
 * arguments icount=1 (QEMU runs with -icount: guest time is exact, and
 * time checks hold tight upper bounds, tests/run-all.sh), then the names
 * of the tests to run (all without): pt_select() reads them. */
__attribute__((unused)) static int pt_icount;
__attribute__((unused)) static char **pt_only;
__attribute__((unused)) static int pt_nonly;

__attribute__((unused)) static void pt_select(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "icount=1")) {
		pt_icount = 1;
		argc--, argv++;
	}
	pt_only = argv + 1;
	pt_nonly = argc - 1;
}

/* run(), for the tests pt_select() named (all without). */
__attribute__((unused)) static void run_named(const char *name, void (*fn)(void))
{
	int i = 0;

	while (i < pt_nonly && strcmp(pt_only[i], name))
		i++;
	if (pt_nonly && i == pt_nonly)
		return;
	run(name, fn);
}

/* Whether a wait for want_ns that took took_ns was long enough and not too
 * long: at most, under -icount, want + 10% + 1 ms (Cairn's timers have no
 * tick: a timeout ends at its deadline), else 2 s (the host's clock, any
 * load). */
__attribute__((unused)) static int took_ok(int64_t want_ns, int64_t took_ns)
{
	if (took_ns < want_ns)
		return 0;
	if (!pt_icount)
		return took_ns < 2000ll * 1000 * 1000;
	return took_ns <= want_ns + want_ns / 10 + 1000ll * 1000;
}

/* Whether /proc/mounts (its first 8 KiB) holds needle. */
__attribute__((unused)) static int mounts_has(const char *needle)
{
	char buf[8192];
	int fd = open("/proc/mounts", O_RDONLY);
	ssize_t n, k = 0;

	if (fd < 0)
		return 0;
	while (k < (ssize_t)sizeof(buf) - 1 && (n = read(fd, buf + k, sizeof(buf) - 1 - k)) > 0)
		k += n;
	close(fd);
	buf[k] = 0;
	return strstr(buf, needle) != NULL;
}

__attribute__((unused)) static int finish(void)
{
	return (int)t_end(NULL);
}
#endif
