# SPDX-License-Identifier: MIT
# The host gcc builds the kernel: freestanding, no red zone (interrupts push
# onto the kernel stack), the kernel code model (linked in the top 2 GiB),
# general registers only (no SSE state to save on traps), no CET prologues
# (the unwinder reads function entries). GCC still leaves out the frame of
# a leaf that needs no stack; trap.c's unwinder copes.
CROSS_COMPILE ?=
ARCH_CFLAGS := -m64 -march=x86-64 -mcmodel=kernel -mno-red-zone -mgeneral-regs-only \
	-fno-pie -fno-asynchronous-unwind-tables -fcf-protection=none
ARCH_LDFLAGS := -m elf_x86_64 -z max-page-size=0x1000 -z noexecstack --no-warn-rwx-segments \
	-static -nostdlib
