/* SPDX-License-Identifier: MIT */
/*
 * The kernel console: where the log goes, and where typed characters
 * arrive. A driver registers itself; until then (and in panic) output goes
 * through arch_early_putc().
 */
#ifndef KERNEL_CONSOLE_H
#define KERNEL_CONSOLE_H
#include <kernel/types.h>

/* A console device given up to a user-level driver (release()): registers
 * in memory (port false: physical address and bytes) or I/O ports (port
 * true: first port and how many). */
struct console_device {
	paddr_t base;
	uint64_t size;
	unsigned irq, reg_shift, reg_width;
	bool port;
};

struct console_driver {
	const char *name;
	/* Queues n bytes for output; must not lose any (waits when full). */
	void (*write)(const char *s, size_t n);
	/* Writes synchronously without locks or interrupts (panic). */
	void (*write_polled)(const char *s, size_t n);
	/* Optional: gives the device up (see DEBUG_RELEASE_DEVICE). */
	err_t (*release)(struct console_device *dev);
};

void console_register(const struct console_driver *drv);
const struct console_driver *console_driver(void);
void console_write(const char *s, size_t n);
/* Gives the console device to user space: ERR_NOSYS if the driver cannot. */
err_t console_release(struct console_device *dev);

/* Sends everything queued, by polling (before powering off). */
void console_flush(void);
/* Switches to polled, lock-free output for good (panic, fatal traps). */
void console_panic_mode(void);

/* Called by the driver's interrupt handler for each received character. */
void console_input(char c);
/* Called after each received character (interrupt context), if set. */
extern void (*console_input_hook)(void);
/* Next received character, or -1 when none is waiting. */
int console_getc(void);

#endif
