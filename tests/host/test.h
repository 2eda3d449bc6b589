/* SPDX-License-Identifier: MIT */
/*
 * A minimal host unit-test framework: TEST(name) defines a test, CHECK()
 * fails it with a message; run_tests() prints `ok N name` / `not ok N name`
 * lines and `N passed, N failed`, like the kernel self-tests.
 */
#ifndef HOST_TEST_H
#define HOST_TEST_H
#include <stdio.h>
#include <stdbool.h>

struct host_test {
	const char *name;
	bool (*fn)(void);
};

#define MAX_TESTS 128
extern struct host_test host_tests[MAX_TESTS];
extern unsigned host_ntests;

#define TEST(name_)                                                           \
	static bool test_##name_(void);                                       \
	__attribute__((constructor)) static void reg_##name_(void)            \
	{ host_tests[host_ntests++] = (struct host_test){ #name_, test_##name_ }; } \
	static bool test_##name_(void)

#define CHECK(cond) do {                                                      \
	if (!(cond)) {                                                        \
		printf("# check failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
		return false;                                                 \
	}                                                                     \
} while (0)

#endif
