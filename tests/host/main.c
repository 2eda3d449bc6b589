// SPDX-License-Identifier: MIT
/* Runs every TEST() of the program it is linked into. argv[0]'s base name
 * prefixes the test names. */
#include "test.h"
#include <string.h>
#include <time.h>
#include <stdint.h>

struct host_test host_tests[MAX_TESTS];
unsigned host_ntests;

uint64_t host_counter(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	const char *prog = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	unsigned passed = 0, failed = 0;

	(void)argc;
	for (unsigned i = 0; i < host_ntests; i++) {
		bool ok = host_tests[i].fn();
		printf("%s %u %s.%s\n", ok ? "ok" : "not ok", i + 1, prog, host_tests[i].name);
		fflush(stdout);
		if (ok)
			passed++;
		else
			failed++;
	}
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
