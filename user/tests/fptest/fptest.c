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

#define NREG_RISCV 32
#define NREG_X86   16
#define ROUNDS     200

static void result(bool ok, const char *name)
{
	t_result(name, ok);
}

#if defined(__riscv)
#define NREG NREG_RISCV
#define FP_SET(i) "fmv.d.x f" #i ", %[v]\n\taddi %[v], %[v], 1\n\t"
#define FP_GET(i) "fmv.x.d t0, f" #i "\n\tsd t0, " #i "*8(%[o])\n\t"
static void fp_fill(uint64_t base, unsigned rm)
{
	uint64_t v = base;
	__asm__ volatile(".option push\n\t.option arch, +d\n\t"
		FP_SET(0) FP_SET(1) FP_SET(2) FP_SET(3) FP_SET(4) FP_SET(5) FP_SET(6) FP_SET(7)
		FP_SET(8) FP_SET(9) FP_SET(10) FP_SET(11) FP_SET(12) FP_SET(13) FP_SET(14) FP_SET(15)
		FP_SET(16) FP_SET(17) FP_SET(18) FP_SET(19) FP_SET(20) FP_SET(21) FP_SET(22) FP_SET(23)
		FP_SET(24) FP_SET(25) FP_SET(26) FP_SET(27) FP_SET(28) FP_SET(29) FP_SET(30) FP_SET(31)
		"fsrm %[rm]\n\t.option pop" : [v] "+r"(v) : [rm] "r"(rm) : "memory");
}
static unsigned fp_read(uint64_t *out)
{
	unsigned rm;
	__asm__ volatile(".option push\n\t.option arch, +d\n\t"
		FP_GET(0) FP_GET(1) FP_GET(2) FP_GET(3) FP_GET(4) FP_GET(5) FP_GET(6) FP_GET(7)
		FP_GET(8) FP_GET(9) FP_GET(10) FP_GET(11) FP_GET(12) FP_GET(13) FP_GET(14) FP_GET(15)
		FP_GET(16) FP_GET(17) FP_GET(18) FP_GET(19) FP_GET(20) FP_GET(21) FP_GET(22) FP_GET(23)
		FP_GET(24) FP_GET(25) FP_GET(26) FP_GET(27) FP_GET(28) FP_GET(29) FP_GET(30) FP_GET(31)
		"frrm %[rm]\n\t.option pop" : [rm] "=r"(rm) : [o] "r"(out) : "t0", "memory");
	return rm;
}
#else
#define NREG NREG_X86
#define FP_SET(i) "movq %[v], %%xmm" #i "\n\tinc %[v]\n\t"
#define FP_GET(i) "movq %%xmm" #i ", " #i "*8(%[o])\n\t"
static void fp_fill(uint64_t base, unsigned rm)
{
	uint64_t v = base;
	uint32_t mxcsr = 0x1f80 | (rm << 13);
	__asm__ volatile(FP_SET(0) FP_SET(1) FP_SET(2) FP_SET(3) FP_SET(4) FP_SET(5) FP_SET(6) FP_SET(7)
		FP_SET(8) FP_SET(9) FP_SET(10) FP_SET(11) FP_SET(12) FP_SET(13) FP_SET(14) FP_SET(15)
		"ldmxcsr %[m]" : [v] "+r"(v) : [m] "m"(mxcsr) : "memory");
}
static unsigned fp_read(uint64_t *out)
{
	uint32_t mxcsr;
	__asm__ volatile(FP_GET(0) FP_GET(1) FP_GET(2) FP_GET(3) FP_GET(4) FP_GET(5) FP_GET(6) FP_GET(7)
		FP_GET(8) FP_GET(9) FP_GET(10) FP_GET(11) FP_GET(12) FP_GET(13) FP_GET(14) FP_GET(15)
		"stmxcsr %[m]" : [m] "=m"(mxcsr) : [o] "r"(out) : "memory");
	return (mxcsr >> 13) & 3;
}
#endif

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
