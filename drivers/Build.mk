# SPDX-License-Identifier: MIT
obj-y += drivers/console_probe.o
obj-$(CONFIG_IRQ_PLIC) += drivers/irq/plic.o
obj-$(CONFIG_UART_16550) += drivers/serial/uart16550.o
obj-$(CONFIG_UART_SIFIVE) += drivers/serial/sifive_uart.o
