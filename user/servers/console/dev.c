/* SPDX-License-Identifier: MIT */
/*
 * Which character device is under the tty: the userland 16550 driver
 * when the server was given "irqctl" and "mmioctl" (riscv64 virt's MMIO
 * UART) or "ioportctl" (x86-64's COM1) and the kernel can hand its UART
 * over, else the kernel's console through the relay.
 */
#include "console.h"

static bool use_uart;

const char *dev_name(void)
{
	return use_uart ? uart_name() : relay_name();
}

err_t dev_init(cap_t notify, uint64_t bit)
{
	if ((cairn_cap("mmioctl") != CAP_NULL || cairn_cap("ioportctl") != CAP_NULL) &&
	    cairn_cap("irqctl") != CAP_NULL) {
		err_t e = uart_init(notify, bit);
		if (!e) {
			use_uart = true;
			return ERR_OK;
		}
		printf("console: the UART stays the kernel's (%s): using the relay\n", err_name(e));
	}
	return relay_init(notify, bit);
}

size_t dev_read(char *buf, size_t max)
{
	return use_uart ? uart_read(buf, max) : relay_read(buf, max);
}

void dev_write(const char *s, size_t n)
{
	if (use_uart)
		uart_write(s, n);
	else
		relay_write(s, n);
}
