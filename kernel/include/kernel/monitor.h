/* SPDX-License-Identifier: MIT */
/* The kernel monitor: a tiny command line on the console until init exists. */
#ifndef KERNEL_MONITOR_H
#define KERNEL_MONITOR_H
#include <kernel/types.h>

noreturn void monitor_run(void);
/* Deliberate faults for testing the fatal-trap report (boot arg crash=KIND). */
void monitor_crash(const char *kind);
void monitor_print_devices(void);

/* Devices found by drivers, for the banner and `devices`. */
void device_note(const char *what, const char *node, paddr_t base, unsigned irq);

#endif
