/* SPDX-License-Identifier: MIT */
/*
 * What the block benchmarks read, shared by Cairn's user/blkbench and the
 * Linux peer's blkbench-linux.c, so both sides make the same requests: a
 * BLKBENCH_DISK_MB disk, BLKBENCH_RAND_OPS 4 KiB reads at offsets from the
 * same generator, BLKBENCH_SEQ_OPS 1 MiB reads from offset 0; each figure
 * the best of BLKBENCH_RUNS runs.
 */
#ifndef BLKBENCH_H
#define BLKBENCH_H
#include <stdint.h>
#include <cairn/counter.h>

#define BLKBENCH_DISK_MB   64
#define BLKBENCH_RAND_OPS  256
#define BLKBENCH_SEQ_OPS   16
#define BLKBENCH_SEQ_SIZE  (1024 * 1024)
#define BLKBENCH_RUNS      3
#define BLKBENCH_SEED      0x9e3779b97f4a7c15ull

/* The next 4 KiB-aligned offset inside the disk (xorshift64). */
static inline uint64_t blkbench_rand_offset(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return (x % ((uint64_t)BLKBENCH_DISK_MB * 256)) * 4096;
}

/*
 * Waiting for the device. Under -icount shift=0,sleep=off a CPU with
 * nothing to run jumps its clock, which the instruction counter reads, to
 * the next timer's deadline, so an idle wait for a disk would count as
 * whatever the timers are set to, and vary with how long the host took.
 * So a spinner runs at the lowest priority during the figures and keeps
 * the CPU busy: it counts its loop's turns (BLKBENCH_SPIN_INSNS
 * instructions each, within one turn per interruption), and a figure is
 * the instructions counted less the spinner's: what the reads cost the CPU.
 */
#define BLKBENCH_SPIN_INSNS COUNTER_SPIN_INSNS
static inline void blkbench_spin(volatile uint64_t *turns) { counter_spin(turns); }

#endif
