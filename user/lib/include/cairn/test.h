/* SPDX-License-Identifier: MIT */
/*
 * The test library of Cairn's in-guest C tests (user/tests/, drivers/virtio_rng)
 * and, for the counter and clock reads, the benchmarks (user/bench,
 * user/posixbench, user/tests/vfstest/bench.c).
 *
 * Two worlds use it: libcairn programs (freestanding, printf to the debug
 * console) and the musl-built POSIX programs (user/tests/posix, compiled by
 * <arch>-cairn-gcc). The core, user/lib/test.c, is compiled into both: it
 * records failures, runs tests, numbers and prints the result lines and
 * counts them. It calls a handful of hooks that each world defines once:
 * user/lib/test_cairn.c (libcairn: printf, fmt_vsnprintf, err_name, the
 * kinfo capability) and user/tests/posix/lib/test_musl.c (stdio, errno
 * names, clock_gettime). This header includes only compiler headers, so the
 * musl build reaches it with -idirafter user/lib/include (scripts/toolchain.mk).
 *
 * What a run prints (the format tests/harness/boot_test.py judges):
 *     SUITE: N tests
 *     ok N name                  one line a test, in the order run
 *     not ok N name: line L: why (the first failure of the test)
 *     SUITE: T ms
 *     N passed, N failed         alone on the last line
 *
 * The checks are defined here, once per world. A libcairn test is a void
 * function; its checks return from it on the first failure (CHECK*) or
 * record it and go on (EXPECT*). A POSIX test's checks are expressions
 * (CHECK, ERRNO, FAIL: 1 when the check held, 0 when it failed and was
 * recorded), so that `if (!CHECK(x)) return;` returns and a check can sit
 * in a condition; user/tests/posix/posixtest.h adds its runner.
 */
#ifndef CAIRN_TEST_H
#define CAIRN_TEST_H
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

/* ---- failures of the running test --------------------------------------------------- */

/* Records the first failure of the running test as "line L: message"
 * (later ones are dropped: the first is the cause); line 0: no prefix. */
void t_fail(int line, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void t_vfail(int line, const char *fmt, va_list ap);
/* The same without the "line L: " prefix. */
void t_failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* ok, or 0 with "line L: what" recorded (the POSIX world's CHECK). */
int t_check(int ok, int line, const char *what);
/* True once the running test has failed. */
bool t_failed(void);
/* A remark on the running test, printed after its name if it passes:
 * "ok N name: remark" (the last one set wins). */
void t_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- running tests ------------------------------------------------------------------ */

struct t_case {
	const char *name;
	void (*fn)(void);
};

/* Prints "suite: N tests" and starts the clock (suite may be NULL: no line). */
void t_begin(const char *suite, unsigned ntests);
/* Runs one test and prints its result line, numbered in the order run;
 * prefix (may be NULL) goes before the name as "prefix.name". True if it passed. */
bool t_run(const char *prefix, const char *name, void (*fn)(void));
/* For a program that checks in line rather than in test functions: prints
 * the result line of a check made by the caller (ok, or not ok with the
 * reason recorded by t_fail/t_failf since the last result), named
 * "prefix.name" (prefix may be NULL), and starts the next. Returns ok. */
bool t_result(const char *prefix, const char *name, bool ok);
/* The same with the arguments in the order of a check: t_ok(cond, name). */
static inline bool t_ok(bool ok, const char *name) { return t_result(NULL, name, ok); }
/* Runs every test of a table (t_run each, no prefix). */
void t_run_all(const struct t_case *tests, unsigned n);
/* Prints "suite: T ms" (when suite is not NULL and there is a clock) and
 * "N passed, N failed"; returns the number of failures. */
unsigned t_end(const char *suite);
/* When the program cannot even start its tests: prints why and "0 passed,
 * 1 failed"; returns 1 (for main to return). */
int t_abort(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
unsigned t_passed(void);
unsigned t_nfailed(void);

/* ---- leaks (as xv6's usertests: free memory after equals free memory before) --------- */

/* Remembers the free page count now (the baseline) and returns it. */
uint64_t t_leak_mark(void);
/* Fails the running test if the free page count differs from the baseline. */
void t_leak_check(int line);
#define LEAK_CHECK() t_leak_check(__LINE__)

/* ---- the hooks: one definition per world -------------------------------------------- */

/* Writes s to the test output (and flushes it). */
void t_write(const char *s);
int t_vsnprintf(char *buf, unsigned long size, const char *fmt, va_list ap);
/* The name of an error: err_t (libcairn) or errno (musl). */
const char *t_err_name(long e);
/* Free physical pages (0 when this world cannot tell: the leak check then passes). */
uint64_t t_free_pages(void);
/* Nanoseconds since boot (0 when there is no clock). */
uint64_t t_clock_ns(void);

/* ---- libcairn tests: the checks, free pages and the clock ---------------------------- */
/* The musl world (user/tests/posix/posixtest.h) defines CAIRN_TEST_POSIX:
 * its checks are spelled differently and these names are free for it. */
#ifndef CAIRN_TEST_POSIX
/* KINFO_FREE_PAGES and KINFO_TIME of the "kinfo" capability (0 without it). */
uint64_t free_pages(void);
uint64_t now_ns(void);
/* free_pages() once it is want, or after ms: a thread killed while it ran
 * on another CPU gives back its kernel stack when that CPU next switches
 * (it needs the kernel lock for that, which whoever runs takes first). */
uint64_t free_pages_back(uint64_t want, unsigned ms);

/* Fails the test and returns from the test function when cond is false. */
#define CHECK(cond, ...)                                          \
	do {                                                      \
		if (!(cond)) {                                    \
			t_fail(__LINE__, __VA_ARGS__);            \
			return;                                   \
		}                                                 \
	} while (0)
/* Fails the test but goes on (for cleanup that must still run). */
#define EXPECT(cond, ...)                                         \
	do {                                                      \
		if (!(cond))                                      \
			t_fail(__LINE__, __VA_ARGS__);            \
	} while (0)
/* expr must give the error want (an err_t); CHECK_* return, EXPECT_* go on. */
#define CHECK_ERR(expr, want)                                                              \
	do {                                                                               \
		long e_ = (long)(expr);                                                    \
		if (e_ != (long)(want)) {                                                  \
			t_fail(__LINE__, "%s: got %s, want %s", #expr, t_err_name(e_),     \
			       t_err_name((long)(want)));                                  \
			return;                                                            \
		}                                                                          \
	} while (0)
#define EXPECT_ERR(expr, want)                                                             \
	do {                                                                               \
		long e_ = (long)(expr);                                                    \
		if (e_ != (long)(want))                                                    \
			t_fail(__LINE__, "%s: got %s, want %s", #expr, t_err_name(e_),     \
			       t_err_name((long)(want)));                                  \
	} while (0)
#define CHECK_OK(expr) CHECK_ERR(expr, 0)
#define EXPECT_OK(expr) EXPECT_ERR(expr, 0)

#else /* CAIRN_TEST_POSIX: the musl world's checks */
/* r must be -1 with errno e, or 0 with the difference recorded (test_musl.c). */
int t_check_errno(long r, int e, int line, const char *what);
/* Records the failure (the first reason wins); 0. */
int FAIL(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define CHECK(c) t_check(!!(c), __LINE__, #c)
/* An expected failure with errno e. */
#define ERRNO(call, e) t_check_errno((long)(call), (e), __LINE__, #call)
#endif

#endif
