// SPDX-License-Identifier: MIT
/*
 * SiFive UART (FU540 and relatives) as the kernel console. Output is
 * queued in a ring and moved to the 8-entry transmit FIFO from the transmit
 * watermark interrupt; a full ring is drained by polling, so nothing is
 * dropped. Input arrives through the receive watermark interrupt.
 */
#include <kernel/irq.h>
#include <kernel/console.h>
#include <kernel/devtree.h>
#include <kernel/mm.h>
#include <kernel/log.h>
#include <kernel/monitor.h>
#include <kernel/spinlock.h>
#include <libfdt.h>
#include "tx_ring.h"

enum { TXDATA = 0x00, RXDATA = 0x04, TXCTRL = 0x08, RXCTRL = 0x0c, IE = 0x10, IP = 0x14 };
#define DATA_FULL   (1u << 31)   /* txdata: FIFO full; rxdata: FIFO empty */
#define IE_TXWM     (1u << 0)
#define IE_RXWM     (1u << 1)
#define TXCTRL_TXEN 1u
#define RXCTRL_RXEN 1u
#define CNT(n)      ((uint32_t)(n) << 16)   /* watermark field of tx/rxctrl */

static struct {
	volatile uint32_t *base;
	uint32_t ie;
	struct spinlock lock;
	struct tx_ring tx;
} u = { .lock = SPINLOCK_INIT(LOCK_UART) };

static inline uint32_t rd(unsigned off) { return u.base[off / 4]; }
static inline void wr(unsigned off, uint32_t v) { u.base[off / 4] = v; }

static void put_polled(char c)
{
	while (rd(TXDATA) & DATA_FULL)
		;
	wr(TXDATA, (uint8_t)c);
}

static void set_ie(uint32_t ie)
{
	if (ie != u.ie)
		wr(IE, u.ie = ie);
}

/* Moves queued bytes into the FIFO while it has room. Lock held. */
static void tx_fill(void)
{
	while (!tx_ring_empty(&u.tx) && !(rd(TXDATA) & DATA_FULL))
		wr(TXDATA, (uint8_t)tx_ring_pop(&u.tx));
	set_ie(!tx_ring_empty(&u.tx) ? (u.ie | IE_TXWM) : (u.ie & ~IE_TXWM));
}

static void sifive_write(const char *s, size_t n)
{
	unsigned long f = spin_lock_irqsave(&u.lock);

	tx_ring_write(&u.tx, s, n, put_polled);
	tx_fill();
	spin_unlock_irqrestore(&u.lock, f);
}

static void sifive_write_polled(const char *s, size_t n)
{
	tx_ring_write_polled(&u.tx, s, n, put_polled);
}

static void sifive_irq(unsigned irq, void *arg)
{
	uint32_t c;

	spin_lock_irqsave(&u.lock);
	while (!((c = rd(RXDATA)) & DATA_FULL))
		console_input((char)c);
	tx_fill();
	spin_unlock_irqrestore(&u.lock, 0);
}

static const struct console_driver sifive_console = {
	.name = "sifive,uart0",
	.write = sifive_write,
	.write_polled = sifive_write_polled,
};

err_t sifive_uart_probe(const void *fdt)
{
	int node = dt_stdout_node(fdt);
	paddr_t base;
	uint64_t size;
	uint32_t irq;
	err_t e;

	if (node < 0 || fdt_node_check_compatible(fdt, node, "sifive,uart0") != 0)
		node = dt_find_compatible(fdt, -1, "sifive,uart0");
	if (node < 0)
		return ERR_NODEV;
	if ((e = dt_reg(fdt, node, 0, &base, &size)) || (e = dt_irq(fdt, node, &irq)))
		return e;
	if (size < 0x1c)
		return ERR_INVAL;
	u.base = vm_map_device(base, size);
	if (!u.base)
		return ERR_NOMEM;
	wr(IE, u.ie = 0);
	wr(TXCTRL, TXCTRL_TXEN | CNT(1));    /* interrupt when the FIFO is empty */
	wr(RXCTRL, RXCTRL_RXEN | CNT(0));    /* interrupt on any received byte */
	while (!(rd(RXDATA) & DATA_FULL))
		;
	if ((e = irq_attach(irq, sifive_irq, NULL)))
		return e;
	set_ie(IE_RXWM);
	console_register(&sifive_console);
	device_note("console (SiFive UART)", dt_node_name(fdt, node), base, irq);
	return ERR_OK;
}
