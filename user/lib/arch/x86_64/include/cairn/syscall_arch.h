/* SPDX-License-Identifier: MIT */
/*
 * x86-64 system-call trap (include/cairn/abi.h): `syscall` with rax =
 * number, rdi rsi rdx r10 r8 r9 = arguments, rax rdi rsi rdx r10 r8 r9 =
 * results; rcx and r11 clobbered. Reached as <cairn/syscall_arch.h> through
 * -Iuser/lib/arch/x86_64/include.
 */
#ifndef CAIRN_SYSCALL_ARCH_H
#define CAIRN_SYSCALL_ARCH_H
#include <stdint.h>

/* Traps with number nr and arguments a0..a5; returns result 0 and stores
 * results 1..6 in out[0..5]. */
static inline uint64_t cairn_arch_syscall(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2,
					  uint64_t a3, uint64_t a4, uint64_t a5, uint64_t out[6])
{
	register uint64_t r10 __asm__("r10") = a3;
	register uint64_t r8 __asm__("r8") = a4;
	register uint64_t r9 __asm__("r9") = a5;
	uint64_t rax = nr, rdi = a0, rsi = a1, rdx = a2;

	__asm__ volatile("syscall"
			 : "+a"(rax), "+D"(rdi), "+S"(rsi), "+d"(rdx), "+r"(r10), "+r"(r8), "+r"(r9)
			 :
			 : "rcx", "r11", "memory");
	out[0] = rdi;
	out[1] = rsi;
	out[2] = rdx;
	out[3] = r10;
	out[4] = r8;
	out[5] = r9;
	return rax;
}

#endif
