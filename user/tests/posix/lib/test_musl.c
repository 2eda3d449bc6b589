/* SPDX-License-Identifier: MIT */
/*
 * The musl hooks of the test library (user/lib/include/cairn/test.h) for
 * the POSIX test programs (user/tests/posix, built by <arch>-cairn-gcc with
 * user/lib/test.c; they also build on Linux): output through stdio,
 * flushed at once (a crash must not lose a result line), errno names, the
 * monotonic clock, and the checks that read errno. Free pages are not
 * visible to a POSIX program: 0.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <cairn/test.h>

void t_write(const char *s)
{
	fputs(s, stdout);
	fflush(stdout);
}

int t_vsnprintf(char *buf, unsigned long size, const char *fmt, va_list ap)
{
	return vsnprintf(buf, size, fmt, ap);
}

#define E(x) [x] = #x
static const char *const names[] = {
	E(EPERM), E(ENOENT), E(ESRCH), E(EINTR), E(EIO), E(ENXIO), E(E2BIG), E(ENOEXEC),
	E(EBADF), E(ECHILD), E(EAGAIN), E(ENOMEM), E(EACCES), E(EFAULT), E(EBUSY), E(EEXIST),
	E(EXDEV), E(ENODEV), E(ENOTDIR), E(EISDIR), E(EINVAL), E(ENFILE), E(EMFILE), E(ENOTTY),
	E(ETXTBSY), E(EFBIG), E(ENOSPC), E(ESPIPE), E(EROFS), E(EMLINK), E(EPIPE), E(EDOM),
	E(ERANGE), E(EDEADLK), E(ENAMETOOLONG), E(ENOLCK), E(ENOSYS), E(ENOTEMPTY), E(ELOOP),
	E(ENOMSG), E(EOVERFLOW), E(EILSEQ), E(ENOTSUP), E(ETIMEDOUT), E(ECANCELED),
	E(EOWNERDEAD), E(ENOTRECOVERABLE), E(EINPROGRESS), E(EALREADY),
};
#undef E

const char *t_err_name(long e)
{
	static char num[24];

	if (e == 0)
		return "0";
	if (e > 0 && (unsigned long)e < sizeof(names) / sizeof(names[0]) && names[e])
		return names[e];
	snprintf(num, sizeof(num), "errno %ld", e);
	return num;
}

int t_check_errno(long r, int e, int line, const char *what)
{
	int got = errno;

	if (r == -1 && got == e)
		return 1;
	t_fail(line, "%s: %ld, errno %s, want %s", what, r, t_err_name(got), t_err_name(e));
	return 0;
}

int FAIL(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	t_vfail(0, fmt, ap);
	va_end(ap);
	return 0;
}

uint64_t t_free_pages(void)
{
	return 0;
}

uint64_t t_clock_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts))
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}
