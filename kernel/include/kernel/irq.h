/* SPDX-License-Identifier: MIT */
/*
 * Device interrupts in the kernel. One interrupt controller driver
 * registers an irq_chip; handlers attach to its interrupt numbers.
 */
#ifndef KERNEL_IRQ_H
#define KERNEL_IRQ_H
#include <kernel/types.h>
#include <cairn/abi.h>

struct irq_chip {
	const char *name;
	unsigned nr_irqs;                     /* valid numbers are 1..nr_irqs */
	void (*enable)(unsigned irq);
	void (*disable)(unsigned irq);
	unsigned (*claim)(void);              /* 0: nothing pending */
	void (*complete)(unsigned irq);
	/* Trigger mode and polarity, as IRQCTL_GET's flags (IRQCTL_LEVEL,
	 * IRQCTL_LOW; 0 is the platform's default for that interrupt). mode_ok:
	 * whether irq can take mode (non-zero, known bits only); NULL: no mode
	 * but the default. set_mode: applied at the next enable; NULL: nothing
	 * to set (every accepted mode is the default). */
	bool (*mode_ok)(unsigned irq, unsigned mode);
	void (*set_mode)(unsigned irq, unsigned mode);
};

typedef void (*irq_handler_t)(unsigned irq, void *arg);

err_t irq_set_chip(const struct irq_chip *chip);
const struct irq_chip *irq_chip(void);
/* A handler is attached to irq (a valid number). */
bool irq_in_use(unsigned irq);
/* Attaches and enables. ERR_INVAL for a bad number, ERR_BUSY if taken. */
err_t irq_attach(unsigned irq, irq_handler_t fn, void *arg);
void irq_detach(unsigned irq);
/* Interrupts handled since boot (all lines), for tests and the monitor. */
uint64_t irq_count(void);

/* Drivers linked into the kernel. */
err_t plic_probe(const void *fdt, uint64_t boot_hartid);
err_t uart16550_probe(const void *fdt);
/* A 16550 at a fixed I/O port (CONFIG_ARCH_HAS_PORT_IO), e.g. a PC's COM1. */
err_t uart16550_probe_port(uint16_t port, unsigned irq, const char *name);
err_t sifive_uart_probe(const void *fdt);
/* The first console driver that finds its device in the tree. */
err_t console_probe_dt(const void *fdt);

#endif
