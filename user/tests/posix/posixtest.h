// SPDX-License-Identifier: MIT
/*
 * The little test harness of the C test programs in user/tests/posix/
 * (built with <arch>-cairn-gcc, run with ./qemu-run.sh --exec; they also
 * build and pass on Linux, which is how their expectations were checked).
 * Each test prints `ok N PREFIX.NAME` or `not ok N PREFIX.NAME: why`, then
 * the program prints `N passed, N failed` and exits with the number of
 * failures. A test's children report through their exit status; only the
 * test program itself prints.
 */
#ifndef POSIXTEST_H
#define POSIXTEST_H
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static unsigned pt_n, pt_failed;
static char pt_why[240];
static const char *pt_prefix = "posix";

/* Records why the current test fails (the first reason wins); 0. */
__attribute__((format(printf, 1, 2), unused)) static int FAIL(const char *fmt, ...)
{
	va_list ap;

	if (!pt_why[0]) {
		va_start(ap, fmt);
		vsnprintf(pt_why, sizeof(pt_why), fmt, ap);
		va_end(ap);
	}
	return 0;
}

__attribute__((unused)) static int pt_check(int ok, int line, const char *what)
{
	return ok ? 1 : FAIL("line %d: %s", line, what);
}

__attribute__((unused)) static int pt_check_errno(long r, int e, int line, const char *what)
{
	int got = errno;

	return r == -1 && got == e ? 1 : FAIL("line %d: %s: %ld, errno %d, want %d", line, what, r, got, e);
}

#define CHECK(c) pt_check(!!(c), __LINE__, #c)
/* An expected failure with errno e. */
#define ERRNO(call, e) pt_check_errno((long)(call), (e), __LINE__, #call)

__attribute__((unused)) static void run(const char *name, void (*fn)(void))
{
	pt_why[0] = 0;
	errno = 0;
	fn();
	pt_n++;
	if (pt_why[0]) {
		pt_failed++;
		printf("not ok %u %s.%s: %s\n", pt_n, pt_prefix, name, pt_why);
	} else {
		printf("ok %u %s.%s\n", pt_n, pt_prefix, name);
	}
	fflush(stdout);
}

__attribute__((unused)) static int finish(void)
{
	printf("%u passed, %u failed\n", pt_n - pt_failed, pt_failed);
	fflush(stdout);
	return (int)pt_failed;
}
#endif
