/* SPDX-License-Identifier: MIT */
/*
 * Kernel self-tests, run when the kernel boots with `selftest` or
 * `selftest=SUITE`. Each test prints `ok N name` or `not ok N name`; the run
 * ends with `N passed, N failed` and powers off with status 0 only if all
 * passed. A test also fails if free memory after it differs from before.
 */
#ifndef KERNEL_SELFTEST_H
#define KERNEL_SELFTEST_H
#include <kernel/types.h>
#include <kernel/log.h>

struct selftest {
	const char *suite;
	const char *name;
	bool (*fn)(void);
};

#define SELFTEST(suite_, name_)                                               \
	static bool st_##name_(void);                                         \
	static const struct selftest st_desc_##name_ __used                   \
		__section(".selftests") __attribute__((aligned(8))) =         \
		{ #suite_, #name_, st_##name_ };                              \
	static bool st_##name_(void)

#define ST_CHECK(cond) do {                                                   \
	if (!(cond)) {                                                        \
		kprintf("# check failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
		return false;                                                 \
	}                                                                     \
} while (0)

/* The kernel booted with `icount` (./qemu-run.sh --icount: QEMU's
 * -icount shift=0, where guest time is the instruction count, exact and
 * the same every run): timing tests then hold tight upper bounds, which a
 * host's load would break without it. */
extern bool selftest_icount;

/* Runs the tests of `suite` ("" or "all" for every suite); returns the
 * number that failed. */
unsigned selftest_run(const char *suite);

#endif
