/* SPDX-License-Identifier: MIT */
/* Calls into OpenSBI (the SBI specification v1.0). */
#ifndef ARCH_RISCV_SBI_H
#define ARCH_RISCV_SBI_H
#include <stdint.h>

#define SBI_EXT_LEGACY_PUTCHAR 0x01
#define SBI_EXT_BASE   0x10
#define SBI_EXT_TIME   0x54494D45
#define SBI_EXT_HSM    0x48534D
#define SBI_EXT_IPI    0x735049
#define SBI_EXT_SRST   0x53525354
#define SBI_EXT_DBCN   0x4442434E

struct sbiret {
	long error;
	long value;
};

struct sbiret riscv_sbi_call(unsigned long ext, unsigned long fid, unsigned long a0,
			     unsigned long a1, unsigned long a2);
void riscv_sbi_putchar(char c);
struct sbiret riscv_sbi_hart_start(unsigned long hartid, unsigned long start_pa,
				   unsigned long opaque);
void riscv_sbi_set_timer(uint64_t deadline);
void riscv_sbi_send_ipi(unsigned long hartid);
/* Returns only when the firmware cannot shut down (an SBI error). */
long riscv_sbi_shutdown(int failure);
long riscv_sbi_probe(unsigned long ext);

#endif
