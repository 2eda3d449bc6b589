/* SPDX-License-Identifier: MIT */
/*
 * What musl-port's C needs of riscv64 (installed as src/cairn/cairn_arch.h
 * by scripts/toolchain.mk; x86_64 has the same names):
 *   CAIRN_ARCH_MACHINE            uname's machine
 *   cairn_arch_thread_pointer()   the thread pointer (musl's struct pthread)
 *   cairn_arch_counter()          the free-running counter KINFO_CLOCK scales
 *   CAIRN_ARCH_CLONE_ARGS(a..f)   SYS_clone's six arguments, in this arch's
 *                                 order, passed on to __cairn_clone (dispatch.c)
 *   cairn_arch_copy(d, s, n)      a file's bytes to or from its pages (fmap.c)
 */
#ifndef CAIRN_ARCH_H
#define CAIRN_ARCH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
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

/* A copy of file bytes: 64 bytes a turn when both ends are 8-byte aligned
 * (musl's C memcpy moves 32 a turn; a 4 KiB read is this loop). */
__attribute__((optimize("no-tree-loop-distribute-patterns")))
static inline void cairn_arch_copy(void *dst, const void *src, size_t n)
{
	if (n >= 64 && !(((uintptr_t)dst | (uintptr_t)src) & 7)) {
		uint64_t *d = dst;
		const uint64_t *s = src;

		for (size_t k = n / 64; k; k--, d += 8, s += 8) {
			uint64_t a0 = s[0], a1 = s[1], a2 = s[2], a3 = s[3];
			uint64_t a4 = s[4], a5 = s[5], a6 = s[6], a7 = s[7];
			d[0] = a0; d[1] = a1; d[2] = a2; d[3] = a3;
			d[4] = a4; d[5] = a5; d[6] = a6; d[7] = a7;
		}
		dst = d;
		src = s;
		n %= 64;
	}
	memcpy(dst, src, n);
}

/* the generic order: flags, stack, ptid, tls, ctid */
#define CAIRN_ARCH_CLONE_ARGS(a, b, c, d, e, f) \
	__cairn_clone((unsigned long)(a), (void *)(b), (void *)(c), (void *)(e), \
		      (unsigned long)(d), (uintptr_t)(f))

#endif
