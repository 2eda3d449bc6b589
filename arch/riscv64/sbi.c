// SPDX-License-Identifier: MIT
/* SBI calls: console, timer, hart state management, system reset. */
#include <arch/sbi.h>

struct sbiret riscv_sbi_call(unsigned long ext, unsigned long fid, unsigned long a0,
			     unsigned long a1, unsigned long a2)
{
	register unsigned long r0 __asm__("a0") = a0;
	register unsigned long r1 __asm__("a1") = a1;
	register unsigned long r2 __asm__("a2") = a2;
	register unsigned long r6 __asm__("a6") = fid;
	register unsigned long r7 __asm__("a7") = ext;

	__asm__ volatile("ecall" : "+r"(r0), "+r"(r1) : "r"(r2), "r"(r6), "r"(r7) : "memory");
	return (struct sbiret){ (long)r0, (long)r1 };
}

void riscv_sbi_putchar(char c)
{
	riscv_sbi_call(SBI_EXT_LEGACY_PUTCHAR, 0, (unsigned char)c, 0, 0);
}

struct sbiret riscv_sbi_hart_start(unsigned long hartid, unsigned long start_pa,
				   unsigned long opaque)
{
	return riscv_sbi_call(SBI_EXT_HSM, 0, hartid, start_pa, opaque);
}

void riscv_sbi_set_timer(uint64_t deadline)
{
	riscv_sbi_call(SBI_EXT_TIME, 0, deadline, 0, 0);
}

void riscv_sbi_send_ipi(unsigned long hartid)
{
	/* hart mask 1 from base hartid: that one hart */
	riscv_sbi_call(SBI_EXT_IPI, 0, 1, hartid, 0);
}

long riscv_sbi_probe(unsigned long ext)
{
	return riscv_sbi_call(SBI_EXT_BASE, 3, ext, 0, 0).value;
}

long riscv_sbi_shutdown(int failure)
{
	/* SRST: type 0 = shutdown; reason 0 = none, 1 = system failure */
	return riscv_sbi_call(SBI_EXT_SRST, 0, 0, failure ? 1 : 0, 0).error;
}
