/* SPDX-License-Identifier: MIT */
/* The monotonic clock and the periodic tick. */
#ifndef KERNEL_CLOCK_H
#define KERNEL_CLOCK_H
#include <kernel/types.h>

/* Starts the tick on the calling CPU (CONFIG_TIMER_HZ). */
void clock_init(void);
/* Nanoseconds since boot, monotonic. Any context. */
uint64_t clock_ns(void);
/* ns = counter * clock_mult() >> 32 (for user-mode clocks). */
uint64_t clock_mult(void);
/* Ticks handled on the boot CPU. */
uint64_t clock_ticks(void);
/* Busy-waits (interrupts may stay on) for at least ns. */
void clock_delay_ns(uint64_t ns);

#endif
