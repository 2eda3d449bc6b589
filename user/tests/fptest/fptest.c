/* SPDX-License-Identifier: MIT */
/*
 * User floating-point state across thread switches. Two threads of one
 * process fill every FP register (riscv64 f0..f31 and fcsr's rounding
 * mode; x86-64 xmm0..xmm15 and the MXCSR rounding mode) with their own
 * pattern, yield to each other many times, and check that each got its
 * registers back; a third thread that never touches FP runs between them.
 * riscv64 turns FP on for a thread at its first FP instruction; x86-64
 * switches the state for every thread.
 *
 * The program itself is built without FP (like all of Cairn's own user
 * code for now), so the registers are reached with inline assembly.
 */
#include <stdbool.h>
#include <string.h>
#include <cairn/rt.h>
#include <cairn/test.h>
#include <test/fpregs.h>

#define ROUNDS     200

/* NREG, fp_fill() and fp_read(): test/fpregs.h */

/* FP threads between their fill and their check (they hold live FP state) */
static volatile int in_round;

/* Fills, yields ROUNDS times, checks; true when every register survived. */
static bool fp_round_trip(uint64_t base, unsigned rm)
{
	uint64_t got[NREG];
	unsigned got_rm;

	fp_fill(base, rm);
	__atomic_add_fetch(&in_round, 1, __ATOMIC_SEQ_CST);
	for (int i = 0; i < ROUNDS; i++)
		cairn_yield();
	__atomic_sub_fetch(&in_round, 1, __ATOMIC_SEQ_CST);
	got_rm = fp_read(got);
	for (unsigned i = 0; i < NREG; i++)
		if (got[i] != base + i)
			return false;
	return got_rm == rm;
}

static volatile int peer_ok = -1, plain_done, plain_between;

static void peer(uint64_t arg)
{
	peer_ok = fp_round_trip(0x4000000000000000ull, 2);
}

/* Runs between the FP threads: counts its turns while both hold live FP
 * state (a switch from an FP thread to it and on to the other). */
static void plain(uint64_t arg)
{
	for (int i = 0; i < ROUNDS; i++) {
		if (in_round == 2)
			plain_between++;
		cairn_yield();
	}
	plain_done = 1;
}

/* All three on one CPU (the main thread's): they must take turns there,
 * each switch saving and loading FP state, not run side by side. */
static uint64_t one_cpu = ~0ull;

static err_t start_thread(void (*fn)(uint64_t), unsigned prio)
{
	cap_t th;
	err_t e = cairn_thread_start(fn, 0, prio, &th);

	return e ? e : cairn_invoke(th, THREAD_SET_AFFINITY, 0, one_cpu, 0, 0, 0, NULL);
}

int main(int argc, char **argv)
{
	struct cairn_msg m;
	err_t e;

	/* our own priority is the most we may give; run the others at it */
	if ((e = cairn_invoke(SLOT_SELF_THREAD, THREAD_SET_PRIORITY, 0, 8, 0, 0, 0, &m)))
		printf("fptest: priority: %s\n", err_name(e));
	if (!cairn_invoke(SLOT_SELF_THREAD, THREAD_GET_AFFINITY, 0, 0, 0, 0, 0, &m)) {
		one_cpu = 1ull << m.w[1];
		cairn_invoke(SLOT_SELF_THREAD, THREAD_SET_AFFINITY, 0, one_cpu, 0, 0, 0, NULL);
	}
	t_ok(start_thread(peer, 8) == ERR_OK && start_thread(plain, 8) == ERR_OK, "fp.start_threads");
	bool mine = fp_round_trip(0x3ff0000000000000ull, 1);
	while (peer_ok < 0 || !plain_done)
		cairn_yield();
	t_ok(mine, "fp.main_thread_registers_kept");
	t_ok(peer_ok == 1, "fp.second_thread_registers_kept");
	/* the three take turns at each yield: the plain thread ran between
	 * the FP threads on most of its turns, not before or after them */
	t_ok(plain_done && plain_between >= ROUNDS / 2, "fp.thread_without_fp_runs");
	if (plain_between < ROUNDS / 2)
		printf("# fptest: the thread without FP ran %d of %d turns between the FP threads\n",
		       plain_between, ROUNDS);
	return t_end(NULL) != 0;
}
