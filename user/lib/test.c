/* SPDX-License-Identifier: MIT */
/*
 * The core of the test library (include/cairn/test.h): the running test's
 * first failure, the result lines and their counts, the leak baseline.
 * Compiled into both worlds: libcairn (libcairn.a) and the musl-built
 * POSIX programs (scripts/toolchain.mk posix-tests); everything a world
 * differs in goes through the hooks of test.h (test_cairn.c, and
 * user/tests/posix/lib/test_musl.c).
 */
#include <stddef.h>
#include <cairn/test.h>

static char detail[256], note[200];
static bool failed;
static unsigned nrun, npassed, nfailed;
static uint64_t t0, baseline;

static void out(const char *f, ...) __attribute__((format(printf, 1, 2)));
static void out(const char *f, ...)
{
	char line[400];
	va_list ap;

	va_start(ap, f);
	t_vsnprintf(line, sizeof(line), f, ap);
	va_end(ap);
	t_write(line);
}

static int fmt(char *buf, unsigned long size, const char *f, ...) __attribute__((format(printf, 3, 4)));
static int fmt(char *buf, unsigned long size, const char *f, ...)
{
	va_list ap;
	int n;

	va_start(ap, f);
	n = t_vsnprintf(buf, size, f, ap);
	va_end(ap);
	return n;
}

void t_vfail(int line, const char *f, va_list ap)
{
	int n = 0;

	if (failed)
		return;
	failed = true;
	if (line > 0)
		n = fmt(detail, sizeof(detail), "line %d: ", line);
	t_vsnprintf(detail + n, sizeof(detail) - (unsigned long)n, f, ap);
}

void t_fail(int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	t_vfail(line, fmt, ap);
	va_end(ap);
}

void t_failf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	t_vfail(0, fmt, ap);
	va_end(ap);
}

int t_check(int ok, int line, const char *what)
{
	if (!ok)
		t_fail(line, "%s", what);
	return ok;
}

bool t_failed(void)
{
	return failed;
}

void t_note(const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	t_vsnprintf(note, sizeof(note), f, ap);
	va_end(ap);
}

void t_begin(const char *suite, unsigned ntests)
{
	t0 = t_clock_ns();
	if (suite)
		out("%s: %u tests\n", suite, ntests);
}

static bool result(const char *prefix, const char *name, bool ok)
{
	const char *why = ok ? note : (detail[0] ? detail : "failed");

	nrun++;
	if (ok)
		npassed++;
	else
		nfailed++;
	out("%s %u %s%s%s%s%s\n", ok ? "ok" : "not ok", nrun, prefix ? prefix : "", prefix ? "." : "",
	    name, why[0] ? ": " : "", why);
	failed = false;
	detail[0] = note[0] = 0;
	return ok;
}

bool t_run(const char *prefix, const char *name, void (*fn)(void))
{
	failed = false;
	detail[0] = note[0] = 0;
	fn();
	return result(prefix, name, !failed);
}

bool t_result(const char *prefix, const char *name, bool ok)
{
	return result(prefix, name, ok);
}

void t_run_all(const struct t_case *tests, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		t_run(NULL, tests[i].name, tests[i].fn);
}

unsigned t_end(const char *suite)
{
	uint64_t t1 = t_clock_ns();

	if (suite && t1)
		out("%s: %lu ms\n", suite, (unsigned long)((t1 - t0) / 1000000));
	out("%u passed, %u failed\n", npassed, nfailed);
	return nfailed;
}

int t_abort(const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	t_vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	out("%s\n0 passed, 1 failed\n", why);
	return 1;
}

unsigned t_passed(void)
{
	return npassed;
}

unsigned t_nfailed(void)
{
	return nfailed;
}

uint64_t t_leak_mark(void)
{
	return baseline = t_free_pages();
}

void t_leak_check(int line)
{
	uint64_t now = t_free_pages();

	if (now != baseline)
		t_fail(line, "free pages %lu at the baseline, %lu now (%ld pages not returned)",
		       (unsigned long)baseline, (unsigned long)now, (long)(baseline - now));
}
