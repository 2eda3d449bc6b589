/* SPDX-License-Identifier: MIT */
/*
 * The thread dump (kernel/kdump.c): three Ctrl-] in a row at the kernel
 * console, or DEBUG_DUMP, print every CPU and thread and what each waits
 * for.
 */
#ifndef KERNEL_KDUMP_H
#define KERNEL_KDUMP_H
#include <kernel/list.h>
#include <stdint.h>

/* The processes not yet ended (kernel/process.c). */
extern struct list process_live;
/* A dump was asked for and has not run yet. */
extern volatile uint32_t kdump_wanted;

/* Asks for a dump, which runs on this CPU's way back to user mode or in
 * its idle loop (any context: only marks the request). */
void kdump_request(void);
/* Each byte of console input (any context: the receive interrupt). */
void kdump_key(char c);
/* Runs an asked-for dump (the kernel lock whole; cheap when none is). */
void kdump_run(void);

static inline void kdump_poll(void)
{
	if (__builtin_expect(kdump_wanted, 0))
		kdump_run();
}

#endif
