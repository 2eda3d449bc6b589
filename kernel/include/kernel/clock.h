/* SPDX-License-Identifier: MIT */
/* The monotonic clock and the periodic tick. */
#ifndef KERNEL_CLOCK_H
#define KERNEL_CLOCK_H
#include <kernel/types.h>

struct memobj;

/* The clock, and the boot CPU's timer. */
void clock_init(void);
/* The calling CPU's timer (a secondary CPU; clock_init() does the boot CPU's). */
void clock_init_cpu(void);
/* Arms this CPU's timer for the earlier of its slice end and its next
 * timeout (struct cpu), if it is not armed for that already. Interrupts
 * off; needs no lock (it reads only this CPU's words). */
void clock_program(void);
/* Nanoseconds since boot, monotonic. Any context. */
uint64_t clock_ns(void);
/* ns = counter * clock_mult() >> 32 (for user-mode clocks). */
uint64_t clock_mult(void);
/* The platform's real-time clock said epoch_ns (ns since 1970-01-01 UTC)
 * now: called by the arch once at boot (arch_platform_init), when it has
 * one. */
void clock_set_realtime(uint64_t epoch_ns);
/* KINFO_SET_REALTIME: CLOCK_REALTIME is epoch_ns now (the offset wraps
 * modulo 2^64 for a time before boot); the clock page follows. */
void clock_settime(uint64_t epoch_ns);
/* The MemoryObject over the clock page (struct cairn_clock_page), or NULL
 * if it could not be made at boot. Never freed. */
struct memobj *clock_page_object(void);
/* CLOCK_REALTIME - clock_ns() (for user-mode clocks, KINFO_CLOCK); 0 when
 * the platform has no real-time clock. */
uint64_t clock_realtime_offset(void);
/* Timer interrupts handled on the boot CPU. */
uint64_t clock_ticks(void);
/* Busy-waits (interrupts may stay on) for at least ns. */
void clock_delay_ns(uint64_t ns);

#endif
