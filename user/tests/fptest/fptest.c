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

static void result(bool ok, const char *name)
{
	t_result(NULL, name, ok);
}

/* NREG, fp_fill() and fp_read(): test/fpregs.h */

/* Fills, yields ROUNDS times, checks; true when every register survived. */
static bool fp_round_trip(uint64_t base, unsigned rm)
{
	uint64_t got[NREG];
	unsigned got_rm;

	fp_fill(base, rm);
	for (int i = 0; i < ROUNDS; i++)
		cairn_yield();
	got_rm = fp_read(got);
	for (unsigned i = 0; i < NREG; i++)
		if (got[i] != base + i)
			return false;
	return got_rm == rm;
}

static volatile int peer_ok = -1, plain_done;

static void peer(uint64_t arg)
{
	peer_ok = fp_round_trip(0x4000000000000000ull, 2);
}

static void plain(uint64_t arg)
{
	for (int i = 0; i < ROUNDS; i++)
		cairn_yield();
	plain_done = 1;
}

static err_t start_thread(void (*fn)(uint64_t), unsigned prio)
{
	return cairn_thread_start(fn, 0, prio, NULL);
}

int main(int argc, char **argv)
{
	struct cairn_msg m;
	err_t e;

	/* our own priority is the most we may give; run the others at it */
	if ((e = cairn_invoke(SLOT_SELF_THREAD, THREAD_SET_PRIORITY, 0, 8, 0, 0, 0, &m)))
		printf("fptest: priority: %s\n", err_name(e));
	result(start_thread(peer, 8) == ERR_OK && start_thread(plain, 8) == ERR_OK, "fp.start_threads");
	bool mine = fp_round_trip(0x3ff0000000000000ull, 1);
	while (peer_ok < 0 || !plain_done)
		cairn_yield();
	result(mine, "fp.main_thread_registers_kept");
	result(peer_ok == 1, "fp.second_thread_registers_kept");
	result(plain_done, "fp.thread_without_fp_runs");
	return t_end(NULL) != 0;
}
