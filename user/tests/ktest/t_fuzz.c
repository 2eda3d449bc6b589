/* SPDX-License-Identifier: MIT */
/*
 * ktest: runs the random-invocation fuzzer (user/tests/kfuzz) in a child process
 * with a modest quota, then checks that the kernel is still fine, that the
 * child can be killed, and that every page it used came back.
 */
#include "ktest.h"

/* seed and count: ktest's arguments fuzzseed=N and fuzzcount=N change them */
const char *kfuzz_seed = "seed=1", *kfuzz_count = "count=20000", *kfuzz_trace = "";
#define KFUZZ_QUOTA   (2ull << 20)
#define KFUZZ_PRIO    6          /* below ktest (10): ktest can always stop it */
#define KFUZZ_TIME_MS 25000

static struct cairn_child fz = { CAP_NULL, CAP_NULL, CAP_NULL, CAP_NULL, CAP_NULL, CAP_NULL, 0 };
static cap_t fz_exit = CAP_NULL, fz_done = CAP_NULL;
static uint64_t fz_before;

void t_kfuzz_run(void)
{
	const char *argv[] = { "kfuzz", kfuzz_seed, kfuzz_count, kfuzz_trace };
	struct cairn_proc_status st;
	uint64_t bits = 0, t0;

	fz_before = free_pages();
	fz_exit = mk(OBJ_NOTIFICATION);
	fz_done = mk(OBJ_NOTIFICATION);
	CHECK(fz_exit != CAP_NULL && fz_done != CAP_NULL, "notifications");
	struct cairn_spawn_cap caps[] = { { "done", fz_done, RIGHT_WRITE, 0 },
					  { "kinfo", k_kinfo, RIGHT_READ, 0 } };
	CHECK_OK(spawn_prog("kfuzz", "kfuzz", argv, kfuzz_trace[0] ? 4 : 3, caps, 2, KFUZZ_PRIO, KFUZZ_QUOTA, fz_exit, &fz));
	t0 = now_ns();
	/* kfuzz signals done (1: ran clean, 2: it saw wrong answers) and waits to be killed */
	while (!bits && now_ns() - t0 < KFUZZ_TIME_MS * 1000000ull) {
		bits = wait_bits(fz_done, 100);
		if (!bits && cairn_wait(fz_exit, 0, NULL) == ERR_OK)
			break;
	}
	CHECK_OK(proc_status(fz.proc, &st));
	CHECK(st.state == PROC_STATE_RUNNING, "kfuzz ended by itself: state %u status %#lx fault address %#lx pc %#lx",
	      st.state, (unsigned long)st.status, (unsigned long)st.fault_addr, (unsigned long)st.fault_pc);
	CHECK(bits, "kfuzz did not finish within %u ms", KFUZZ_TIME_MS);
	CHECK(bits == 1, "kfuzz saw wrong answers (see its # lines)");
}

void t_kfuzz_kill(void)
{
	struct cairn_proc_status st;

	CHECK(fz.proc != CAP_NULL, "kfuzz did not start");
	CHECK_OK(inv(fz.proc, PROC_KILL, 77, 0, 0, 0, NULL));
	CHECK(wait_bits(fz_exit, 2000) == 1, "no exit notification after the kill");
	CHECK_OK(proc_status(fz.proc, &st));
	CHECK(st.state == PROC_STATE_KILLED && st.status == 77, "state %u status %ld", st.state,
	      (long)st.status);
}

void t_kfuzz_leak(void)
{
	uint64_t now;

	cairn_child_release(&fz);
	del(&fz_exit);
	del(&fz_done);
	now = free_pages();
	CHECK(fz_before != 0, "kfuzz did not start");
	EXPECT(now == fz_before, "free pages %lu before kfuzz, %lu after (%ld pages not returned)",
	       (unsigned long)fz_before, (unsigned long)now, (long)(fz_before - now));
}
