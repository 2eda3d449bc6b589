/* SPDX-License-Identifier: MIT */
/*
 * Process start-up of libcairn programs: reads the start-up block
 * (startup.c) into argv and the capability names, runs main() and exits.
 */
#include <cairn/rt.h>

#define MAX_ARGS  32

static char *argv_tab[MAX_ARGS + 1];

void cairn_start(const char *startup)
{
	unsigned argc = cairn_startup_read(startup, argv_tab, MAX_ARGS);

	if (argc > MAX_ARGS)
		argc = MAX_ARGS;
	argv_tab[argc] = NULL;
	exit(main((int)argc, argv_tab));
}

void exit(int status)
{
	cairn_console_flush();
	cairn_exit(status);
}
