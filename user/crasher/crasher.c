/* SPDX-License-Identifier: MIT */
/*
 * crasher: a test service that faults on purpose, so init's report of a
 * crashed service (fault address, pc) can be checked while the system
 * goes on. argv[1] picks the fault: write (default), read, exec.
 */
#include <string.h>
#include <cairn/rt.h>

#define BAD_ADDR  0xdead000ul    /* below the program: never mapped */

int main(int argc, char **argv)
{
	const char *how = argc > 1 ? argv[1] : "write";

	printf("crasher: about to %s at %#lx\n", how, BAD_ADDR);
	cairn_console_flush();
	if (!strcmp(how, "read"))
		return *(volatile int *)BAD_ADDR;
	if (!strcmp(how, "exec"))
		((void (*)(void))BAD_ADDR)();
	else
		*(volatile int *)BAD_ADDR = 1;
	printf("crasher: still alive after the fault\n");
	return 1;
}
