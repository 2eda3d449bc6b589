// SPDX-License-Identifier: MIT
/*
 * The 16550 UART as the kernel console, interrupt driven both ways. Its
 * registers are memory mapped (found in the device tree) or, where the arch
 * has port I/O, at a fixed I/O port (a PC's COM1).
 * Output is queued in a ring and fed to the transmit FIFO from the
 * "transmitter empty" interrupt; when the ring is full the writer drains it
 * by polling, so nothing is ever dropped. Received characters go to the
 * console input ring from the receive interrupt.
 */
#include <kernel/irq.h>
#include <kernel/console.h>
#include <kernel/devtree.h>
#include <kernel/mm.h>
#include <kernel/log.h>
#include <kernel/monitor.h>
#include <kernel/spinlock.h>
#include <kernel/clock.h>
#include <kernel/selftest.h>
#include <kernel/ioport.h>
#include <libfdt.h>
#include "tx_ring.h"

enum { RBR = 0, THR = 0, IER = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4, LSR = 5 };
#define LSR_DR    0x01
#define LSR_THRE  0x20
#define IER_RX    0x01
#define IER_TX    0x02
#define MCR_DTR   0x01
#define MCR_RTS   0x02
#define MCR_OUT2  0x08
#define MCR_LOOP  0x10
#define FIFO_LEN  16

static struct uart {
	volatile uint8_t *base;
	uint16_t port;            /* port I/O when non-zero, else MMIO at base */
	unsigned shift, width;
	unsigned irq;
	paddr_t pa;               /* MMIO: the registers' physical address and size */
	uint64_t size;
	bool released;            /* handed to a user-level driver: polled output only */
	uint8_t ier;
	struct spinlock lock;
	struct tx_ring tx;
	/* self-test capture of received bytes */
	volatile unsigned cap_n;
	char *cap;
	unsigned cap_max;
} u = { .lock = SPINLOCK_INIT(LOCK_UART) };

static uint8_t rd(unsigned r)
{
#ifdef CONFIG_ARCH_HAS_PORT_IO
	if (u.port)
		return arch_inb(u.port + r);
#endif
	if (u.width == 4)
		return *(volatile uint32_t *)(u.base + (r << u.shift));
	return u.base[r << u.shift];
}

static void wr(unsigned r, uint8_t v)
{
#ifdef CONFIG_ARCH_HAS_PORT_IO
	if (u.port) {
		arch_outb(u.port + r, v);
		return;
	}
#endif
	if (u.width == 4)
		*(volatile uint32_t *)(u.base + (r << u.shift)) = v;
	else
		u.base[r << u.shift] = v;
}

static void put_polled(char c)
{
	while (!(rd(LSR) & LSR_THRE))
		;
	wr(THR, c);
}

/* Moves up to a FIFO's worth from the ring to the UART. Lock held. */
static void tx_fill(void)
{
	for (int i = 0; i < FIFO_LEN && !tx_ring_empty(&u.tx); i++)
		wr(THR, tx_ring_pop(&u.tx));
	uint8_t ier = !tx_ring_empty(&u.tx) ? (u.ier | IER_TX) : (u.ier & ~IER_TX);
	if (ier != u.ier)
		wr(IER, u.ier = ier);
}

static void uart_write_polled(const char *s, size_t n);

static void uart_write(const char *s, size_t n)
{
	if (u.released) {
		uart_write_polled(s, n);
		return;
	}
	unsigned long f = spin_lock_irqsave(&u.lock);

	tx_ring_write(&u.tx, s, n, put_polled);
	if (rd(LSR) & LSR_THRE)
		tx_fill();
	else if (!(u.ier & IER_TX))
		wr(IER, u.ier |= IER_TX);
	spin_unlock_irqrestore(&u.lock, f);
}

static void uart_write_polled(const char *s, size_t n)
{
	tx_ring_write_polled(&u.tx, s, n, put_polled);
}

static void uart_irq(unsigned irq, void *arg)
{
	spin_lock_irqsave(&u.lock);
	while (rd(LSR) & LSR_DR) {
		char c = rd(RBR);
		if (u.cap) {
			if (u.cap_n < u.cap_max)
				u.cap[u.cap_n++] = c;
		} else {
			console_input(c);
		}
	}
	if (rd(LSR) & LSR_THRE)
		tx_fill();
	spin_unlock_irqrestore(&u.lock, 0);
}

/* Hands the UART to a user-level driver: what is queued goes out, the
 * interrupt is detached and masked at the UART, its registers (memory or
 * ports) stop being the kernel's, and from now on the kernel only writes
 * by polling. */
static err_t uart_release(struct console_device *dev)
{
	if (u.released)
		return ERR_BUSY;
	unsigned long f = spin_lock_irqsave(&u.lock);
	tx_ring_drain(&u.tx, put_polled);
	wr(IER, u.ier = 0);
	u.released = true;
	spin_unlock_irqrestore(&u.lock, f);
	irq_detach(u.irq);
	if (u.port)
		ioport_release(u.port);
	else
		vm_release_device(u.pa);
	dev->base = u.port ? u.port : u.pa;
	dev->size = u.size;
	dev->irq = u.irq;
	dev->reg_shift = u.shift;
	dev->reg_width = u.width;
	dev->port = u.port != 0;
	return ERR_OK;
}

static const struct console_driver uart_console = {
	.name = "ns16550a",
	.write = uart_write,
	.write_polled = uart_write_polled,
	.release = uart_release,
};

static bool is_16550(const void *fdt, int node)
{
	return node >= 0 && (fdt_node_check_compatible(fdt, node, "ns16550a") == 0 ||
			     fdt_node_check_compatible(fdt, node, "ns16550") == 0);
}

/* Common set-up once the registers are reachable: 8N1 (the divisor stays
 * as firmware set it), FIFOs, receive interrupt, console registration. */
static err_t setup(const char *name, paddr_t where, unsigned irq)
{
	err_t e;

	u.irq = irq;
	wr(IER, u.ier = 0);
	wr(FCR, 0x07);                 /* enable and clear the FIFOs */
	wr(LCR, 0x03);                 /* 8N1; the divisor stays as firmware set it */
	wr(MCR, MCR_DTR | MCR_RTS | MCR_OUT2);
	while (rd(LSR) & LSR_DR)
		(void)rd(RBR);
	if ((e = irq_attach(irq, uart_irq, NULL)))
		return e;
	wr(IER, u.ier = IER_RX);
	console_register(&uart_console);
	device_note("console (16550 UART)", name, where, irq);
	return ERR_OK;
}

err_t uart16550_probe(const void *fdt)
{
	int node = dt_stdout_node(fdt);
	paddr_t base;
	uint64_t size;
	uint32_t shift, width, irq;
	err_t e;

	if (!is_16550(fdt, node))
		node = dt_find_compatible(fdt, -1, "ns16550a");
	if (node < 0)
		return ERR_NODEV;
	if ((e = dt_reg(fdt, node, 0, &base, &size)) || (e = dt_irq(fdt, node, &irq)) ||
	    (e = dt_u32(fdt, node, "reg-shift", 0, &shift)) ||
	    (e = dt_u32(fdt, node, "reg-io-width", 1, &width)))
		return e;
	if (shift > 2 || (width != 1 && width != 4) || size == 0)
		return ERR_INVAL;
	u.base = vm_map_device(base, size);
	if (!u.base)
		return ERR_NOMEM;
	u.shift = shift;
	u.width = width;
	u.pa = base;
	u.size = size;
	return setup(dt_node_name(fdt, node), base, irq);
}

#ifdef CONFIG_ARCH_HAS_PORT_IO
err_t uart16550_probe_port(uint16_t port, unsigned irq, const char *name)
{
	if (!port)
		return ERR_INVAL;
	arch_outb(port + 7, 0x5a);     /* the scratch register tells a UART from nothing */
	if (arch_inb(port + 7) != 0x5a)
		return ERR_NODEV;
	u.port = port;
	u.shift = 0;
	u.width = 1;
	u.size = 8;
	ioport_reserve(port, 8, name);
	return setup(name, port, irq);
}
#endif

#ifdef CONFIG_SELFTESTS
/* Loopback mode feeds transmitted bytes back to the receiver, so the
 * receive interrupt path (UART -> PLIC or IOAPIC -> trap -> handler) is exercised
 * without anything typed at the console. */
SELFTEST(console, uart_loopback_irq)
{
	static const char msg[] = "Cairn\x01\xfe\n";
	char got[sizeof(msg)] = { 0 };
	uint64_t irqs = irq_count();
	unsigned long f;

	ST_CHECK(u.base != NULL || u.port != 0);
	f = spin_lock_irqsave(&u.lock);
	tx_ring_drain(&u.tx, put_polled);
	while (!(rd(LSR) & 0x40))     /* transmitter fully empty */
		;
	u.cap = got;
	u.cap_max = sizeof(msg) - 1;
	u.cap_n = 0;
	wr(MCR, rd(MCR) | MCR_LOOP);
	for (unsigned i = 0; i < sizeof(msg) - 1; i++)
		put_polled(msg[i]);
	spin_unlock_irqrestore(&u.lock, f);

	uint64_t deadline = clock_ns() + 200000000;
	while (u.cap_n < sizeof(msg) - 1 && clock_ns() < deadline)
		arch_wait_for_interrupt();
	f = spin_lock_irqsave(&u.lock);
	wr(MCR, rd(MCR) & ~MCR_LOOP);
	u.cap = NULL;
	spin_unlock_irqrestore(&u.lock, f);

	ST_CHECK(u.cap_n == sizeof(msg) - 1);
	for (unsigned i = 0; i < sizeof(msg) - 1; i++)
		ST_CHECK(got[i] == msg[i]);
	ST_CHECK(irq_count() > irqs);
	return true;
}
#endif
