// SPDX-License-Identifier: MIT
/* Tries each console driver built into the kernel against the device tree. */
#include <kernel/irq.h>

static err_t (*const probes[])(const void *fdt) = {
#ifdef CONFIG_UART_16550
	uart16550_probe,
#endif
#ifdef CONFIG_UART_SIFIVE
	sifive_uart_probe,
#endif
};

err_t console_probe_dt(const void *fdt)
{
	err_t e = ERR_NODEV;

	for (unsigned i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		e = probes[i](fdt);
		if (e != ERR_NODEV)
			return e;
	}
	return e;
}
