# SPDX-License-Identifier: MIT
CROSS_COMPILE ?= riscv64-linux-gnu-
ARCH_CFLAGS := -march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany -mno-relax \
	-mstrict-align
ARCH_LDFLAGS := -m elf64lriscv --no-relax -z max-page-size=4096 -static -nostdlib
