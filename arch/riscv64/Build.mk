# SPDX-License-Identifier: MIT
obj-y += arch/riscv64/head.o arch/riscv64/entry.o arch/riscv64/early.o \
	arch/riscv64/sbi.o arch/riscv64/setup.o arch/riscv64/trap.o arch/riscv64/smp.o
obj-$(CONFIG_SELFTESTS) += arch/riscv64/selftest.o
