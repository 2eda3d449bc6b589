// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for lib/manifest.c. The input is manifest text, not
 * NUL-terminated. It is parsed with room for 4 services (and again with
 * none); an accepted manifest must satisfy tests/fuzz/invariants.h, a
 * refused one must name a line and a message.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <lib/manifest.h>
#include "invariants.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct manifest_service svc[4];

static void fail(const char *what)
{
	fprintf(stderr, "manifest: %s\n", what);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct manifest_error err;
	unsigned count = 99, lines = 1;
	err_t rc = manifest_parse((const char *)data, size, svc, 4, &count, &err);

	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	if (rc == 0) {
		const char *broken = manifest_invariants(svc, count);

		if (broken)
			fail(broken);
		if (count > 4 || err.line || err.msg)
			fail("bad success report");
		for (unsigned i = 0; i < count; i++)
			if (svc[i].line > lines)
				fail("service line past the end");
	} else {
		if ((rc != ERR_INVAL && rc != ERR_2BIG) || count != 0 || !err.msg ||
		    err.line == 0 || err.line > lines)
			fail("bad error report");
	}
	/* No room: fine only if there is no service at all. */
	rc = manifest_parse((const char *)data, size, NULL, 0, &count, NULL);
	if (rc == 0 && count != 0)
		fail("services without room");
	return 0;
}
