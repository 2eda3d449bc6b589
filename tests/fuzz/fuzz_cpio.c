// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for lib/cpio.c. The input is an archive. Every entry
 * must lie inside it with a NUL-terminated name (tests/fuzz/invariants.h),
 * the iteration must end with ERR_NOENT or ERR_INVAL and stay ended, and
 * cpio_find must return the first entry for that entry's own name.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lib/cpio.h>
#include "invariants.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what)
{
	fprintf(stderr, "cpio: %s\n", what);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cpio_iter it;
	struct cpio_entry e, first, found;
	unsigned n = 0;
	err_t rc;

	cpio_iter_init(&it, data, size);
	while ((rc = cpio_next(&it, &e)) == 0) {
		const char *broken = cpio_entry_invariants(data, size, &e);

		if (broken)
			fail(broken);
		if (n++ == 0)
			first = e;
		if (it.off > size)
			fail("offset past the end");
	}
	if (rc != ERR_NOENT && rc != ERR_INVAL)
		fail("unexpected result");
	if (!it.done || cpio_next(&it, &e) != ERR_NOENT)
		fail("iteration did not stay ended");
	if (n > 0) {
		/* The first entry is found by its own name: itself. */
		if (cpio_find(data, size, first.name, &found) != 0 || found.data != first.data ||
		    found.name != first.name)
			fail("cpio_find missed the first entry");
	}
	return 0;
}
