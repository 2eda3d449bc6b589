// SPDX-License-Identifier: MIT
/*
 * The self-test runner: every SELFTEST() lands in the .selftests section;
 * this runs those of the requested suite, checks each for leaked pages, and
 * prints one line a test plus the closing count.
 */
#include <kernel/selftest.h>
#include <kernel/mm.h>
#include <string.h>

extern const struct selftest __selftests_start[], __selftests_end[];

bool selftest_icount;

unsigned selftest_run(const char *suite)
{
	unsigned n = 0, passed = 0, failed = 0;
	bool all = !suite[0] || !strcmp(suite, "all");

	kprintf("selftest: running suite '%s'\n", all ? "all" : suite);
	for (const struct selftest *t = __selftests_start; t < __selftests_end; t++) {
		if (!all && strcmp(t->suite, suite))
			continue;
		size_t before = pmm_free_pages();
		bool ok = t->fn();
		size_t after = pmm_free_pages();
		if (ok && after != before) {
			kprintf("# %s: free pages %lu before, %lu after\n", t->name,
				(unsigned long)before, (unsigned long)after);
			ok = false;
		}
		n++;
		kprintf("%s %u %s.%s\n", ok ? "ok" : "not ok", n, t->suite, t->name);
		if (ok)
			passed++;
		else
			failed++;
	}
	if (n == 0) {
		kprintf("selftest: no tests in suite '%s'\n", suite);
		failed = 1;
	}
	kprintf("%u passed, %u failed\n", passed, failed);
	return failed;
}
