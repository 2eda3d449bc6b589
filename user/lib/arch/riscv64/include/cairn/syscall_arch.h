/* SPDX-License-Identifier: MIT */
/*
 * riscv64 system-call trap (include/cairn/abi.h): a7 = number, a0..a5 =
 * arguments, a0..a6 = results; t0-t6 and a7 clobbered, ra preserved.
 * Reached as <cairn/syscall_arch.h> through -Iuser/lib/arch/riscv64/include.
 */
#ifndef CAIRN_SYSCALL_ARCH_H
#define CAIRN_SYSCALL_ARCH_H
#include <stdint.h>

/* Traps with number nr and arguments a0..a5; returns result 0 and stores
 * results 1..6 in out[0..5]. */
static inline uint64_t cairn_arch_syscall(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2,
					  uint64_t a3, uint64_t a4, uint64_t a5, uint64_t out[6])
{
	register uint64_t r0 __asm__("a0") = a0;
	register uint64_t r1 __asm__("a1") = a1;
	register uint64_t r2 __asm__("a2") = a2;
	register uint64_t r3 __asm__("a3") = a3;
	register uint64_t r4 __asm__("a4") = a4;
	register uint64_t r5 __asm__("a5") = a5;
	register uint64_t r6 __asm__("a6");
	register uint64_t r7 __asm__("a7") = nr;

	__asm__ volatile("ecall"
			 : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3), "+r"(r4), "+r"(r5), "=r"(r6), "+r"(r7)
			 :
			 : "t0", "t1", "t2", "t3", "t4", "t5", "t6", "memory");
	out[0] = r1;
	out[1] = r2;
	out[2] = r3;
	out[3] = r4;
	out[4] = r5;
	out[5] = r6;
	return r0;
}

#endif
