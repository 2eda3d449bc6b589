/* SPDX-License-Identifier: MIT */
/*
 * The console UART as a userland driver: the kernel gives its 16550 up
 * (DEBUG_RELEASE_DEVICE on the "console" capability, right m: it drains
 * what it queued, stops taking interrupts and from then on writes its log
 * by polling), and this driver takes the registers (MmioRegion from
 * "mmioctl") and the interrupt (IrqLine from "irqctl", bound to the
 * server's Notification, acknowledged after each drain of the receive
 * FIFO). Output is polled: wait for THR empty, write a byte. No newline
 * translation here: the line discipline does ONLCR.
 *
 * Only an MMIO 16550 can be given (riscv64 virt); the kernel answers
 * ERR_NOSYS for a port-I/O UART (x86-64 COM1), and dev.c falls back to
 * the relay.
 */
#include <string.h>
#include "console.h"

#define RBR 0
#define THR 0
#define IER 1
#define LSR 5
#define IER_RX   0x01
#define LSR_DR   0x01
#define LSR_THRE 0x20

static volatile uint8_t *regs;
static unsigned shift, width;
static cap_t line = CAP_NULL;

static uint8_t rd(unsigned r)
{
	return width == 4 ? (uint8_t)*(volatile uint32_t *)(regs + (r << shift)) : regs[r << shift];
}

static void wr(unsigned r, uint8_t v)
{
	if (width == 4)
		*(volatile uint32_t *)(regs + (r << shift)) = v;
	else
		regs[r << shift] = v;
}

const char *uart_name(void)
{
	return "the 16550 UART (userland driver)";
}

err_t uart_init(cap_t notify, uint64_t bit)
{
	cap_t dc = cairn_console_cap(), mmioctl = cairn_cap("mmioctl"), irqctl = cairn_cap("irqctl");
	struct cairn_msg m;
	uint64_t base, size, irq, page_off, pages;
	cap_t region;
	void *va;
	err_t e;

	if (dc == CAP_NULL || mmioctl == CAP_NULL || irqctl == CAP_NULL)
		return ERR_NOENT;
	if ((e = cairn_invoke(dc, DEBUG_RELEASE_DEVICE, 0, 0, 0, 0, 0, &m)))
		return e;
	base = m.w[0];
	size = m.w[1];
	irq = m.w[2];
	shift = m.w[3] & 0xff;
	width = (m.w[3] >> 8) & 0xff;
	page_off = base & (CAIRN_PAGE_SIZE - 1);
	pages = (page_off + size + CAIRN_PAGE_SIZE - 1) / CAIRN_PAGE_SIZE;
	if ((e = cairn_invoke(mmioctl, MMIOCTL_GET, 0, base - page_off, pages * CAIRN_PAGE_SIZE, 0, 0, &m)))
		return e;
	region = m.w[0];
	if ((e = cairn_map(region, 0, pages, CAIRN_PROT_R | CAIRN_PROT_W, &va)))
		return e;
	regs = (volatile uint8_t *)va + page_off;
	if ((e = cairn_invoke(irqctl, IRQCTL_GET, 0, irq, 0, 0, 0, &m)))
		return e;
	line = m.w[0];
	if ((e = cairn_invoke_cap(line, IRQ_BIND, notify, bit, 0, 0, 0, NULL)))
		return e;
	while (rd(LSR) & LSR_DR)            /* what came before we were ready */
		(void)rd(RBR);
	wr(IER, IER_RX);
	return cairn_invoke(line, IRQ_ACK, 0, 0, 0, 0, 0, NULL);
}

size_t uart_read(char *buf, size_t max)
{
	size_t n = 0;

	while (n < max && (rd(LSR) & LSR_DR))
		buf[n++] = (char)rd(RBR);
	if (!(rd(LSR) & LSR_DR))            /* drained: let the next byte interrupt */
		cairn_invoke(line, IRQ_ACK, 0, 0, 0, 0, 0, NULL);
	return n;
}

void uart_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		while (!(rd(LSR) & LSR_THRE))
			;
		wr(THR, (uint8_t)s[i]);
	}
}
