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
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#define CAIRN_TEST_POSIX
#include <cairn/test.h>

static const char *pt_prefix = "posix";

__attribute__((unused)) static void run(const char *name, void (*fn)(void))
{
	errno = 0;
	fflush(stdout);         /* what the program printed before, then the result */
	t_run(pt_prefix, name, fn);
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
