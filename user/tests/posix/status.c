// SPDX-License-Identifier: MIT
/*
 * The exit status of ./qemu-run.sh --exec is the program's own:
 * `status N` writes a line to stderr, a last line without a newline to
 * stdout (with a piece added by an atexit handler: nothing may be lost at
 * exit) and exits with N; `status crash` writes to address 16, so init
 * reports a crash and the status is 128 + SIGSEGV.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void bye(void)
{
	printf(" (atexit ran)");
}

int main(int argc, char **argv)
{
	const char *arg = argc > 1 ? argv[1] : "0";

	atexit(bye);
	if (!strcmp(arg, "crash")) {
		fprintf(stderr, "posix-status: writing to address 16\n");
		volatile uintptr_t addr = 16;
		*(volatile int *)addr = 1;
	}
	fprintf(stderr, "posix-status: to stderr\n");
	printf("posix-status: exiting with %s, a last line without a newline", arg);
	return atoi(arg);
}
