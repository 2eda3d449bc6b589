// SPDX-License-Identifier: MIT
/*
 * Console multiplexing: output to the registered driver (or the early
 * console), input from the driver's interrupt handler into a ring that the
 * kernel monitor reads.
 */
#include <arch.h>
#include <kernel/console.h>
#include <kernel/spinlock.h>
#include <kernel/kdump.h>

static const struct console_driver *drv;
static bool panic_mode;
static struct spinlock out_lock = SPINLOCK_INIT(LOCK_CONSOLE_OUT);

#define IN_SIZE 256
static char in_buf[IN_SIZE];
static unsigned in_head, in_tail;
static struct spinlock in_lock = SPINLOCK_INIT(LOCK_CONSOLE_IN);

void console_register(const struct console_driver *d)
{
	drv = d;
}

const struct console_driver *console_driver(void)
{
	return drv;
}

void console_panic_mode(void)
{
	panic_mode = true;
}

void console_write(const char *s, size_t n)
{
	if (panic_mode) {
		if (drv && drv->write_polled)
			drv->write_polled(s, n);
		else
			while (n--)
				arch_early_putc(*s++);
		return;
	}
	unsigned long f = spin_lock_irqsave(&out_lock);
	if (drv)
		drv->write(s, n);
	else
		while (n--)
			arch_early_putc(*s++);
	spin_unlock_irqrestore(&out_lock, f);
}

err_t console_release(struct console_device *dev)
{
	if (!drv || !drv->release)
		return ERR_NOSYS;
	return drv->release(dev);
}

void console_flush(void)
{
	if (drv && drv->write_polled)
		drv->write_polled("", 0);    /* drains what is queued first */
}

void (*console_input_hook)(void);

void console_input(char c)
{
	kdump_key(c);                   /* three Ctrl-]: the thread dump */
	unsigned long f = spin_lock_irqsave(&in_lock);

	if (in_head - in_tail < IN_SIZE)
		in_buf[in_head++ % IN_SIZE] = c;
	spin_unlock_irqrestore(&in_lock, f);
	if (console_input_hook)
		console_input_hook();
}

int console_getc(void)
{
	int c = -1;
	unsigned long f = spin_lock_irqsave(&in_lock);

	if (in_tail != in_head)
		c = (unsigned char)in_buf[in_tail++ % IN_SIZE];
	spin_unlock_irqrestore(&in_lock, f);
	return c;
}
