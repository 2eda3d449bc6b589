/* SPDX-License-Identifier: MIT */
/*
 * hello: the smallest service. Prints its arguments and capabilities on
 * the debug console and exits 0 (or with the status given as
 * `exit=N` in its arguments, to test how init reports it).
 */
#include <stdlib.h>
#include <string.h>
#include <cairn/rt.h>

int main(int argc, char **argv)
{
	const char *name;
	cap_t slot;
	int status = 0;

	printf("hello: hello from user space (argc %d)\n", argc);
	for (int i = 0; i < argc; i++) {
		printf("hello: argv[%d] = \"%s\"\n", i, argv[i]);
		if (!strncmp(argv[i], "exit=", 5))
			status = (int)strtoul(argv[i] + 5, NULL, 0);
	}
	for (unsigned i = 0; (name = cairn_cap_name(i, &slot)); i++)
		printf("hello: capability %s in slot %lu\n", name, (unsigned long)slot);
	printf("hello: exiting with status %d\n", status);
	return status;
}
