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
 * Unlike libcairn tests' CHECK, these record the failure and go on: each
 * is an expression, 1 when it held and 0 when it failed (`if (!CHECK(x))
 * return;` returns).
 */
#ifndef POSIXTEST_H
#define POSIXTEST_H
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#define CAIRN_TEST_POSIX
#include <cairn/test.h>

static const char *pt_prefix = "posix";

/* Records why the current test fails (the first reason wins); 0. */
__attribute__((format(printf, 1, 2), unused)) static int FAIL(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	t_vfail(0, fmt, ap);
	va_end(ap);
	return 0;
}

__attribute__((unused)) static int pt_check(int ok, int line, const char *what)
{
	if (!ok)
		t_fail(line, "%s", what);
	return ok;
}

__attribute__((unused)) static int pt_check_errno(long r, int e, int line, const char *what)
{
	int got = errno;

	if (r == -1 && got == e)
		return 1;
	t_fail(line, "%s: %ld, errno %s, want %s", what, r, t_err_name(got), t_err_name(e));
	return 0;
}

#define CHECK(c) pt_check(!!(c), __LINE__, #c)
/* An expected failure with errno e. */
#define ERRNO(call, e) pt_check_errno((long)(call), (e), __LINE__, #call)

__attribute__((unused)) static void run(const char *name, void (*fn)(void))
{
	errno = 0;
	fflush(stdout);         /* what the program printed before, then the result */
	t_run(pt_prefix, name, fn);
}

__attribute__((unused)) static int finish(void)
{
	return (int)t_end(NULL);
}
#endif
