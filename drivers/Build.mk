# SPDX-License-Identifier: MIT
obj-$(CONFIG_IRQ_PLIC) += drivers/irq/plic.o
obj-$(CONFIG_UART_16550) += drivers/serial/uart16550.o
