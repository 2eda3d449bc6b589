/* SPDX-License-Identifier: MIT */
/*
 * The counters user mode reads directly, for tests, benchmarks and seeding
 * random generators (the riscv64 twin is
 * user/lib/arch/riscv64/include/cairn/counter.h). Header
 * only, compiler headers only: reached by libcairn programs and by the
 * musl-built ones (scripts/toolchain.mk posix-tests, -idirafter).
 */
#ifndef CAIRN_COUNTER_H
#define CAIRN_COUNTER_H
#include <stdint.h>

/* Instructions retired, as the time stamp counter: under qemu -icount
 * shift=0 (make bench) it advances once an instruction; user/bench checks
 * that with insns_loop2(). lfence: the earlier instructions are done. */
static inline uint64_t insns(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* The clock's counter (rdtsc), in the units KINFO_TIME_INFO's mult converts. */
static inline uint64_t clock_counter(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* Counts down n to 0 in a 2-instruction loop (a known number of
 * instructions, to calibrate insns() against). */
static inline void insns_loop2(uint64_t n)
{
	__asm__ volatile("1: dec %0\n\tjnz 1b" : "+r"(n));
}

/* Orders every memory access before it against every one after (device
 * registers included). */
static inline void mem_barrier(void)
{
	__asm__ volatile("mfence" ::: "memory");
}

/* A fast-changing value, for seeding random generators (user/lib/random.c). */
static inline uint64_t seed_jitter(void)
{
	return clock_counter();
}

/* 1 and a random value from the CPU (RDRAND, tried up to 10 times as
 * Intel advises), or 0 when it has no such instruction or gave nothing. */
static inline int hw_random(uint64_t *v)
{
	uint32_t a, b, c, d;
	unsigned char ok = 0;

	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
	if (!(c & (1u << 30)))
		return 0;
	for (int i = 0; i < 10 && !ok; i++)
		__asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok));
	return ok;
}

/* 1 and a value straight from the CPU's entropy source (RDSEED: full
 * entropy, for seeding), else hw_random()'s (RDRAND: a DRBG the CPU
 * reseeds itself; QEMU's TCG has RDRAND but not RDSEED). 0: neither. */
static inline int hw_seed(uint64_t *v)
{
	uint32_t a, b, c, d;
	unsigned char ok = 0;

	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0), "c"(0));
	if (a >= 7) {
		__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(7), "c"(0));
		if (b & (1u << 18))
			for (int i = 0; i < 100 && !ok; i++)
				__asm__ volatile("rdseed %0; setc %1" : "=r"(*v), "=qm"(ok));
		if (ok)
			return 1;
	}
	return hw_random(v);
}

/* Counts forever: *turns is the number of turns of a loop of
 * COUNTER_SPIN_INSNS instructions (benchmarks subtract a spinner's work
 * from the instruction counter: user/blkbench/blkbench.h). */
#define COUNTER_SPIN_INSNS 3
static inline void counter_spin(volatile uint64_t *turns)
{
	uint64_t n = 0;

	__asm__ volatile("1: inc %0\n\tmov %0, (%1)\n\tjmp 1b" : "+r"(n) : "r"(turns) : "memory");
}

#endif
