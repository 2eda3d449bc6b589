/* SPDX-License-Identifier: MIT */
/* Kernel trap helpers: the exception table, backtraces, symbols. */
#ifndef KERNEL_TRAP_H
#define KERNEL_TRAP_H
#include <arch.h>

/* Fixup address for a faulting kernel pc listed in __extable, or 0. */
uintptr_t extable_fixup(uintptr_t pc);

/* Name of the function containing addr and the offset into it; NULL when
 * addr is not in the kernel's text. */
const char *ksym_lookup(uintptr_t addr, uintptr_t *offset);

/* Prints "  [<pc>] func+0xoff" lines starting at pc/fp. */
void backtrace_print(uintptr_t pc, uintptr_t fp);
/* From a trap frame (handles a leaf function at the trap). */
void backtrace_print_frame(const struct trap_frame *tf);
/* Collects up to max return addresses from the caller's frame. */
unsigned backtrace_collect(uintptr_t *pcs, unsigned max);

/* trap_user() kinds */
enum {
	TRAP_USER_FAULT_READ = 1,   /* page or access fault on a load */
	TRAP_USER_FAULT_WRITE = 2,  /* on a store */
	TRAP_USER_FAULT_EXEC = 3,   /* on an instruction fetch */
	TRAP_USER_ILLEGAL = 4,      /* illegal or privileged instruction */
	TRAP_USER_BREAKPOINT = 5,
	TRAP_USER_MISALIGNED = 6,
	TRAP_USER_OTHER = 7,
	TRAP_USER_ARITH = 8,        /* divide error, floating-point exception */
	TRAP_USER_PAGER = 9,        /* a paged page that cannot come (never from the arch) */
};

/* Self-tests hook a breakpoint: called with the frame; return true if
 * handled. */
extern bool (*breakpoint_hook)(struct trap_frame *tf);

#endif
