/* SPDX-License-Identifier: MIT */
/*
 * What musl-port's C needs of riscv64 (installed as src/cairn/cairn_arch.h
 * by scripts/toolchain.mk; x86_64 has the same names):
 *   CAIRN_ARCH_MACHINE            uname's machine
 *   cairn_arch_thread_pointer()   the thread pointer (musl's struct pthread)
 *   cairn_arch_counter()          the free-running counter KINFO_CLOCK scales
 *   CAIRN_ARCH_CLONE_ARGS(a..f)   SYS_clone's six arguments, in this arch's
 *                                 order, passed on to __cairn_clone (dispatch.c)
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

/* the generic order: flags, stack, ptid, tls, ctid */
#define CAIRN_ARCH_CLONE_ARGS(a, b, c, d, e, f) \
	__cairn_clone((unsigned long)(a), (void *)(b), (void *)(c), (void *)(e), \
		      (unsigned long)(d), (uintptr_t)(f))

#endif
