/* SPDX-License-Identifier: MIT */
/*
 * The kernel's lock order, and its check in debug builds
 * (CONFIG_LOCK_CHECK, make DEBUG=1). Every lock has a rank; a CPU takes
 * locks in rising rank only, and waits for another CPU (a TLB shootdown,
 * a kick) holding no spinlock. Each CPU keeps the ranks it holds
 * (struct cpu's lock_held); a lock taken out of order, one given back
 * that was not held, or a wait with a spinlock held panics and names
 * them (docs/smp.md, "Lock order"). Without CONFIG_LOCK_CHECK the hooks
 * are empty and a spinlock has no rank field.
 */
#ifndef KERNEL_LOCKCHECK_H
#define KERNEL_LOCKCHECK_H
#include <stdbool.h>
#include <stdint.h>

enum lock_rank {
	LOCK_KERNEL = 1,     /* the kernel lock whole (kernel/smp.c) */
	LOCK_RX,             /* an Endpoint's rx_lock: fast mode, nothing else held */
	LOCK_IOAPIC,         /* arch/x86_64/ioapic.c */
	LOCK_HEAP,           /* kernel/heap.c: may take pages */
	LOCK_PMM,            /* kernel/pmm.c */
	LOCK_CONSOLE_OUT,    /* kernel/console.c's output: anything but what follows may print */
	LOCK_UART,           /* the console UART driver's (drivers/serial/): its writes, its interrupt */
	LOCK_CONSOLE_IN,     /* kernel/console.c's input: the UART's interrupt adds to it */
	LOCK_RANKS
};

#ifdef CONFIG_LOCK_CHECK
void lock_taking(unsigned rank, const char *name);
void lock_given(unsigned rank, const char *name);
/* About to wait for another CPU: only the kernel lock may be held. */
void lock_may_wait(const char *what);
/* What only the kernel lock whole allows (the scheduler's queues). */
void lock_needs_kernel(const char *what);
/* The self-test's: violations counted in *count instead of a panic
 * (NULL: panics again). */
void lockcheck_count_into(unsigned *count);
#else
static inline void lock_taking(unsigned rank, const char *name) { (void)rank; (void)name; }
static inline void lock_given(unsigned rank, const char *name) { (void)rank; (void)name; }
static inline void lock_may_wait(const char *what) { (void)what; }
static inline void lock_needs_kernel(const char *what) { (void)what; }
#endif

#endif
