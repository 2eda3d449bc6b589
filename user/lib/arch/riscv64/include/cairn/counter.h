/* SPDX-License-Identifier: MIT */
/*
 * The counters user mode reads directly, for tests, benchmarks and seeding
 * random generators (the x86-64 twin is
 * user/lib/arch/x86_64/include/cairn/counter.h). Header
 * only, compiler headers only: reached by libcairn programs and by the
 * musl-built ones (scripts/toolchain.mk posix-tests, -idirafter).
 */
#ifndef CAIRN_COUNTER_H
#define CAIRN_COUNTER_H
#include <stdint.h>

/* Instructions retired (rdinstret): exact, what user/bench reports. */
static inline uint64_t insns(void)
{
	uint64_t v;

	__asm__ volatile("rdinstret %0" : "=r"(v));
	return v;
}

/* The clock's counter (rdtime), in the units KINFO_TIME_INFO's mult converts. */
static inline uint64_t clock_counter(void)
{
	uint64_t v;

	__asm__ volatile("rdtime %0" : "=r"(v));
	return v;
}

/* Counts down n to 0 in a 2-instruction loop (a known number of
 * instructions, to calibrate insns() against). */
static inline void insns_loop2(uint64_t n)
{
	__asm__ volatile("1: addi %0, %0, -1\n\tbnez %0, 1b" : "+r"(n));
}

/* Orders every memory access before it against every one after (device
 * registers included): fence iorw, iorw. */
static inline void mem_barrier(void)
{
	__asm__ volatile("fence iorw, iorw" ::: "memory");
}

/* A fast-changing value, for seeding random generators (user/lib/random.c). */
static inline uint64_t seed_jitter(void)
{
	uint64_t v, c;

	__asm__ volatile("rdtime %0" : "=r"(v));
	__asm__ volatile("rdcycle %0" : "=r"(c));
	return v ^ (c << 32 | c >> 32);
}

/* 1 and a random value from the CPU, or 0 when it has no such instruction:
 * always 0 here (see hw_seed()). */
static inline int hw_random(uint64_t *v)
{
	(void)v;
	return 0;
}

/*
 * 1 and a value from the CPU's entropy source, or 0: always 0 on riscv64.
 * Zkr's `seed` CSR is readable in U-mode only when the M-mode firmware has
 * set mseccfg.USEED (in S-mode, mseccfg.SSEED); otherwise reading it raises
 * an illegal-instruction exception, which would end the process. Neither
 * OpenSBI nor QEMU's default CPU (`rv64`, no Zkr) gives it, and a safe
 * probe needs the kernel (a KernelInfo method reading it in S-mode, or a
 * fault handler), which does not exist yet: riscv64's hardware source is
 * virtio-rng, through the entropy server's "rng".
 */
static inline int hw_seed(uint64_t *v)
{
	(void)v;
	return 0;
}

/* Counts forever: *turns is the number of turns of a loop of
 * COUNTER_SPIN_INSNS instructions (benchmarks subtract a spinner's work
 * from the instruction counter: user/blkbench/blkbench.h). */
#define COUNTER_SPIN_INSNS 3
static inline void counter_spin(volatile uint64_t *turns)
{
	uint64_t n = 0;

	__asm__ volatile("1: addi %0, %0, 1\n\tsd %0, 0(%1)\n\tj 1b" : "+r"(n) : "r"(turns) : "memory");
}

#endif
