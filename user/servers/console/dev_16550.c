/* SPDX-License-Identifier: MIT */
/*
 * The console UART as a userland driver: the kernel gives its 16550 up
 * (DEBUG_RELEASE_DEVICE on the "console" capability, right m: it drains
 * what it queued, stops taking interrupts and from then on writes its log
 * by polling), and this driver takes the registers and the interrupt
 * (IrqLine from "irqctl", bound to the server's Notification,
 * acknowledged once the receive FIFO is drained). The registers are
 * either memory (riscv64 virt: an MmioRegion from "mmioctl", mapped) or
 * I/O ports (x86-64's COM1: an IoPort from "ioportctl", each access an
 * IOPORT_IN or IOPORT_OUT, a FIFO's worth of output one IOPORT_WRITE).
 * Output is polled: wait until the transmit FIFO is empty, then fill it
 * (16 bytes). No newline translation here: the line discipline does
 * ONLCR.
 *
 * sifive_u's UART cannot be given (ERR_NOSYS); dev.c then falls back to
 * the relay.
 */
#include <string.h>
#include "console.h"

#define RBR 0
#define THR 0
#define IER 1
#define FCR 2
#define LSR 5
#define IER_RX   0x01
#define FCR_FIFO 0x07     /* enable and clear both FIFOs */
#define LSR_DR   0x01
#define LSR_THRE 0x20     /* with the FIFOs on: the transmit FIFO is empty */
#define FIFO_LEN 16

static volatile uint8_t *regs;     /* MMIO; NULL: ports */
static cap_t ports = CAP_NULL;     /* the IoPort over the UART's 8 ports */
static unsigned shift, width;
static cap_t line = CAP_NULL;

static uint8_t rd(unsigned r)
{
	struct cairn_msg m;

	if (!regs)
		return cairn_invoke(ports, IOPORT_IN, 0, r, 1, 0, 0, &m) ? 0 : (uint8_t)m.w[0];
	return width == 4 ? (uint8_t)*(volatile uint32_t *)(regs + (r << shift)) : regs[r << shift];
}

static void wr(unsigned r, uint8_t v)
{
	if (!regs)
		cairn_invoke(ports, IOPORT_OUT, 0, r, 1, v, 0, NULL);
	else if (width == 4)
		*(volatile uint32_t *)(regs + (r << shift)) = v;
	else
		regs[r << shift] = v;
}

/* n (at most FIFO_LEN) bytes into the empty transmit FIFO. */
static void wr_fifo(const char *s, size_t n)
{
	if (regs) {
		for (size_t i = 0; i < n; i++)
			wr(THR, (uint8_t)s[i]);
		return;
	}
	memcpy(&cairn_ipcbuf()->w[CAIRN_MSG_REGS], s, n);
	cairn_call(ports, cairn_tag(IOPORT_WRITE, CAIRN_MSG_REGS + (unsigned)(n + 7) / 8, 0), THR, n, 0, 0);
}

const char *uart_name(void)
{
	return regs ? "the 16550 UART (userland driver, MMIO)" :
		      "the 16550 UART (userland driver, port I/O)";
}

/* The registers: a mapped MmioRegion, or an IoPort. */
static err_t take_registers(uint64_t space, uint64_t base, uint64_t size)
{
	cap_t mmioctl = cairn_cap("mmioctl"), ioportctl = cairn_cap("ioportctl"), region;
	uint64_t page_off = base & (CAIRN_PAGE_SIZE - 1), pages;
	struct cairn_msg m;
	void *va;
	err_t e;

	if (space == DEBUG_DEV_PORT) {
		if (ioportctl == CAP_NULL)
			return ERR_NOENT;
		if ((e = cairn_invoke(ioportctl, IOPORTCTL_GET, 0, base, size, 0, 0, &m)))
			return e;
		ports = m.w[0];
		return ERR_OK;
	}
	if (space != DEBUG_DEV_MMIO || mmioctl == CAP_NULL)
		return ERR_NOENT;
	pages = (page_off + size + CAIRN_PAGE_SIZE - 1) / CAIRN_PAGE_SIZE;
	if ((e = cairn_invoke(mmioctl, MMIOCTL_GET, 0, base - page_off, pages * CAIRN_PAGE_SIZE, 0, 0, &m)))
		return e;
	region = m.w[0];
	if ((e = cairn_map(region, 0, pages, CAIRN_PROT_R | CAIRN_PROT_W, &va)))
		return e;
	regs = (volatile uint8_t *)va + page_off;
	return ERR_OK;
}

err_t uart_init(cap_t notify, uint64_t bit)
{
	cap_t dc = cairn_console_cap(), irqctl = cairn_cap("irqctl");
	struct cairn_msg m;
	uint64_t irq;
	err_t e;

	if (dc == CAP_NULL || irqctl == CAP_NULL)
		return ERR_NOENT;
	if (cairn_cap("mmioctl") == CAP_NULL && cairn_cap("ioportctl") == CAP_NULL)
		return ERR_NOENT;
	if ((e = cairn_invoke(dc, DEBUG_RELEASE_DEVICE, 0, 0, 0, 0, 0, &m)))
		return e;
	irq = m.w[2];
	shift = m.w[3] & 0xff;
	width = (m.w[3] >> 8) & 0xff;
	if ((e = take_registers((m.w[3] >> 16) & 0xff, m.w[0], m.w[1])))
		return e;
	if ((e = cairn_invoke(irqctl, IRQCTL_GET, 0, irq, 0, 0, 0, &m)))
		return e;
	line = m.w[0];
	if ((e = cairn_invoke_cap(line, IRQ_BIND, notify, bit, 0, 0, 0, NULL)))
		return e;
	wr(FCR, FCR_FIFO);
	while (rd(LSR) & LSR_DR)            /* what came before we were ready */
		(void)rd(RBR);
	wr(IER, IER_RX);
	return cairn_invoke(line, IRQ_ACK, 0, 0, 0, 0, 0, NULL);
}

/*
 * Drains the receive FIFO and then acknowledges the line. A byte that
 * arrives between the last look and the acknowledgement raised its
 * interrupt while the line was masked, which an edge-triggered line (ISA's
 * COM1) forgets: so look once more after it, and read on.
 */
size_t uart_read(char *buf, size_t max)
{
	size_t n = 0;

	for (;;) {
		while (n < max && (rd(LSR) & LSR_DR))
			buf[n++] = (char)rd(RBR);
		if (n == max)
			return n;           /* called again until it returns 0 */
		cairn_invoke(line, IRQ_ACK, 0, 0, 0, 0, 0, NULL);
		if (!(rd(LSR) & LSR_DR))
			return n;
	}
}

void uart_write(const char *s, size_t n)
{
	while (n) {
		size_t k = n < FIFO_LEN ? n : FIFO_LEN;

		while (!(rd(LSR) & LSR_THRE))
			;
		wr_fifo(s, k);
		s += k;
		n -= k;
	}
}
