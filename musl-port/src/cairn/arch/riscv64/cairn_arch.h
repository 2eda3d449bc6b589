/* SPDX-License-Identifier: MIT */
/*
 * What musl-port's C needs of riscv64 (installed as src/cairn/cairn_arch.h
 * by scripts/toolchain.mk; x86_64 has the same names):
 *   CAIRN_ARCH_MACHINE            uname's machine
 *   cairn_arch_thread_pointer()   the thread pointer (musl's struct pthread)
 *   cairn_arch_counter()          the free-running counter KINFO_CLOCK scales
 *   CAIRN_ARCH_CLONE_ARGS(a..f)   SYS_clone's six arguments, in this arch's
 *                                 order, passed on to __cairn_clone (dispatch.c)
 *   cairn_arch_uc_fill(), cairn_arch_uc_apply()
 *                                 a signal handler's mcontext from the upcall
 *                                 frame and the entry's save area, and back
 *                                 (signal.c)
 */
#ifndef CAIRN_ARCH_H
#define CAIRN_ARCH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <signal.h>
#include <cairn/counter.h>

#define CAIRN_ARCH_MACHINE "riscv64"

static inline uintptr_t cairn_arch_thread_pointer(void)
{
	uintptr_t tp;

	__asm__ volatile("mv %0, tp" : "=r"(tp));
	return tp;
}

/* libcairn's counter read (user/lib/arch/<arch>/include/cairn/counter.h) */
static inline uint64_t cairn_arch_counter(void)
{
	return clock_counter();
}

/* the generic order: flags, stack, ptid, tls, ctid */
#define CAIRN_ARCH_CLONE_ARGS(a, b, c, d, e, f) \
	__cairn_clone((unsigned long)(a), (void *)(b), (void *)(c), (void *)(e), \
		      (unsigned long)(d), (uintptr_t)(f))

/* The save area of __cairn_sigentry (fork_entry.S), in words: f0..f31,
 * fcsr, the frame, s0..s11 */
#define CAIRN_ARCH_AREA_FCSR 32
#define CAIRN_ARCH_AREA_S    34

/* the callee-saved registers' numbers: s0, s1, s2..s11 */
static const unsigned char cairn_arch_sregs[12] = { 8, 9, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27 };

/* Linux's riscv64 mcontext: __gregs[0] the pc, [i] register xi; the D
 * extension's FP state. r: the frame's registers (include/cairn/abi.h);
 * partial: a0 is the call's result, the callee-saved registers the area's. */
static inline void cairn_arch_uc_fill(mcontext_t *mc, const uint64_t *r, int partial, uint64_t result,
				      const uint64_t *area)
{
	mc->__gregs[0] = r[CAIRN_UPF_RV_PC];
	for (unsigned i = 1; i < 32; i++)
		mc->__gregs[i] = r[i];
	if (partial) {
		mc->__gregs[10] = result;
		for (unsigned i = 0; i < 12; i++)
			mc->__gregs[cairn_arch_sregs[i]] = area[CAIRN_ARCH_AREA_S + i];
	}
	for (unsigned i = 0; i < 32; i++)
		mc->__fpregs.__d.__f[i] = area[i];
	mc->__fpregs.__d.__fcsr = (unsigned)area[CAIRN_ARCH_AREA_FCSR];
}

static inline void cairn_arch_uc_apply(const mcontext_t *mc, uint64_t *r, int partial, uint64_t *result,
				       uint64_t *area)
{
	r[CAIRN_UPF_RV_PC] = mc->__gregs[0];
	for (unsigned i = 1; i < 32; i++)
		r[i] = mc->__gregs[i];
	if (partial) {
		*result = mc->__gregs[10];
		for (unsigned i = 0; i < 12; i++)
			area[CAIRN_ARCH_AREA_S + i] = mc->__gregs[cairn_arch_sregs[i]];
	}
	for (unsigned i = 0; i < 32; i++)
		area[i] = mc->__fpregs.__d.__f[i];
	area[CAIRN_ARCH_AREA_FCSR] = mc->__fpregs.__d.__fcsr;
}

#endif
