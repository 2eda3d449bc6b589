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

#endif
