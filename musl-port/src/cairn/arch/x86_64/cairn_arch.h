/* SPDX-License-Identifier: MIT */
/*
 * What musl-port's C needs of x86_64 (installed as src/cairn/cairn_arch.h
 * by scripts/toolchain.mk; riscv64 has the same names and says what each
 * one is).
 */
#ifndef CAIRN_ARCH_H
#define CAIRN_ARCH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <signal.h>
#include <cairn/counter.h>

#define CAIRN_ARCH_MACHINE "x86_64"

static inline uintptr_t cairn_arch_thread_pointer(void)
{
	uintptr_t tp;

	__asm__ volatile("mov %%fs:0, %0" : "=r"(tp));
	return tp;
}

/* libcairn's counter read (user/lib/arch/<arch>/include/cairn/counter.h) */
static inline uint64_t cairn_arch_counter(void)
{
	return clock_counter();
}

/* x86_64's order: flags, stack, ptid, ctid, tls */
#define CAIRN_ARCH_CLONE_ARGS(a, b, c, d, e, f) \
	__cairn_clone((unsigned long)(a), (void *)(b), (void *)(c), (void *)(d), \
		      (unsigned long)(e), (uintptr_t)(f))

/* The save area of __cairn_sigentry (fork_entry.S), in words: the
 * fxsave image (64 words), the frame, rbx, r12, r13, r14, r15 */
#define CAIRN_ARCH_AREA_CS 65

/* Linux's gregs (REG_R8 0 .. REG_EFL 17) in the frame's order
 * (include/cairn/abi.h: cr2, r15, r14, r13, r12, r11, r10, r9, r8, rbp,
 * rdi, rsi, rdx, rcx, rbx, rax, vector, error, rip, cs, rflags, rsp, ss) */
static const unsigned char cairn_arch_greg_at[18] = {
	8, 7, 6, 5, 4, 3, 2, 1,          /* r8 .. r15 */
	10, 11, 9, 14, 12, 15, 13, 21,   /* rdi rsi rbp rbx rdx rax rcx rsp */
	18, 20,                          /* rip, rflags */
};
/* the callee-saved registers the area holds: REG_RBX, REG_R12..REG_R15 */
static const unsigned char cairn_arch_cs_greg[5] = { 11, 4, 5, 6, 7 };
enum { CAIRN_REG_RAX = 13, CAIRN_REG_CSGSFS = 18, CAIRN_REG_ERR = 19, CAIRN_REG_TRAPNO = 20,
       CAIRN_REG_CR2 = 22 };

/* Linux's x86-64 mcontext: 23 gregs, then fpregs pointing at the entry's
 * fxsave image (changes to it are restored). Reached as words: musl's
 * mcontext_t names them only with _GNU_SOURCE (else __space[32]). r: the
 * frame's registers (include/cairn/abi.h); partial: rax is the call's
 * result, the callee-saved registers the area's. */
#define CAIRN_MC_FPREGS 23
static inline void cairn_arch_uc_fill(mcontext_t *mc, const uint64_t *r, int partial, uint64_t result,
				      const uint64_t *area)
{
	uint64_t *g = (uint64_t *)(void *)mc;

	for (unsigned i = 0; i < 18; i++)
		g[i] = r[cairn_arch_greg_at[i]];
	g[CAIRN_REG_CSGSFS] = r[19] & 0xffff;
	g[CAIRN_REG_ERR] = r[17];
	g[CAIRN_REG_TRAPNO] = r[16] < 256 ? r[16] : 0;
	g[CAIRN_REG_CR2] = r[0];
	if (partial) {
		g[CAIRN_REG_RAX] = result;
		for (unsigned i = 0; i < 5; i++)
			g[cairn_arch_cs_greg[i]] = area[CAIRN_ARCH_AREA_CS + i];
	}
	g[CAIRN_MC_FPREGS] = (uint64_t)(uintptr_t)area;
}

static inline void cairn_arch_uc_apply(const mcontext_t *mc, uint64_t *r, int partial, uint64_t *result,
				       uint64_t *area)
{
	const uint64_t *g = (const uint64_t *)(const void *)mc;

	for (unsigned i = 0; i < 18; i++)
		r[cairn_arch_greg_at[i]] = g[i];
	if (partial) {
		*result = g[CAIRN_REG_RAX];
		for (unsigned i = 0; i < 5; i++)
			area[CAIRN_ARCH_AREA_CS + i] = g[cairn_arch_cs_greg[i]];
	}
}

#endif
