// SPDX-License-Identifier: MIT
/*
 * The kernel monitor: until there is a userland, the console runs a few
 * commands (help, mem, devices, uptime, cpus, poweroff, crash). Input comes
 * from the console driver's receive interrupt.
 */
#include <arch.h>
#include <kernel/monitor.h>
#include <kernel/log.h>
#include <kernel/console.h>
#include <kernel/clock.h>
#include <kernel/irq.h>
#include <kernel/mm.h>
#include <string.h>

#define MAX_DEVICES 16
static struct {
	const char *what, *node;
	paddr_t base;
	unsigned irq;
} devices[MAX_DEVICES];
static unsigned ndevices;

void device_note(const char *what, const char *node, paddr_t base, unsigned irq)
{
	if (ndevices < MAX_DEVICES)
		devices[ndevices++] = (typeof(devices[0])){ what, node, base, irq };
}

void monitor_print_devices(void)
{
	kprintf("  devices:\n");
	for (unsigned i = 0; i < ndevices; i++) {
		kprintf("    %-22s %-24s at %#lx", devices[i].what, devices[i].node,
			(unsigned long)devices[i].base);
		if (devices[i].irq)
			kprintf(", irq %u", devices[i].irq);
		kprintf("\n");
	}
}

/* Kept out of line so the backtrace of a deliberate crash has frames. */
__attribute__((noinline)) static void crash_store(volatile uint64_t *p)
{
	*p = 0xdead;
}

__attribute__((noinline)) static void crash_nested(const char *kind)
{
	static const uint64_t not_code = 0;

	if (strcmp(kind, "exec") == 0)   /* jump into non-executable data */
		((void (*)(void))(uintptr_t)&not_code)();
	static volatile uintptr_t bad = 0x10;   /* volatile: keep the compiler out of it */

	crash_store((volatile uint64_t *)bad);
}

void monitor_crash(const char *kind)
{
	kprintf("crash: deliberately faulting (%s)\n", kind[0] ? kind : "null");
	crash_nested(kind);
}

static void readline(char *buf, size_t len)
{
	size_t n = 0;

	for (;;) {
		int c = console_getc();
		if (c < 0) {
			arch_wait_for_interrupt();
			continue;
		}
		if (c == '\r' || c == '\n') {
			kprintf("\n");
			buf[n] = 0;
			return;
		}
		if ((c == 0x7f || c == '\b') && n) {
			n--;
			kprintf("\b \b");
		} else if (c >= ' ' && c < 0x7f && n + 1 < len) {
			buf[n++] = (char)c;
			kprintf("%c", c);
		}
	}
}

noreturn void monitor_run(void)
{
	char line[64];

	kprintf("\nkernel monitor: type 'help' (userland arrives with init)\n");
	for (;;) {
		kprintf("cairn> ");
		readline(line, sizeof(line));
		if (!strcmp(line, "help")) {
			kprintf("help mem devices uptime cpus poweroff crash\n");
		} else if (!strcmp(line, "mem")) {
			kprintf("%lu of %lu pages free (%lu KiB)\n", (unsigned long)pmm_free_pages(),
				(unsigned long)pmm_total_pages(),
				(unsigned long)(pmm_free_pages() * PAGE_SIZE / 1024));
		} else if (!strcmp(line, "devices")) {
			monitor_print_devices();
		} else if (!strcmp(line, "uptime")) {
			uint64_t ns = clock_ns();
			kprintf("%lu.%03lu s, %lu ticks, %lu interrupts\n", (unsigned long)(ns / 1000000000),
				(unsigned long)(ns / 1000000 % 1000), (unsigned long)clock_ticks(),
				(unsigned long)irq_count());
		} else if (!strcmp(line, "cpus")) {
			kprintf("%u online\n", arch_cpus_online());
		} else if (!strcmp(line, "poweroff")) {
			arch_poweroff(0);
		} else if (!strcmp(line, "crash")) {
			monitor_crash("null");
		} else if (line[0]) {
			kprintf("unknown command '%s'; try 'help'\n", line);
		}
	}
}
