/* SPDX-License-Identifier: MIT */
/*
 * ktest: runs the random-invocation fuzzer (user/tests/kfuzz) in child
 * processes, one per CPU (up to KFUZZ_MAX) so they fuzz the kernel from
 * several CPUs at once, each with a modest quota and its own seeds; then
 * checks that every answer was well formed and no fuzzer stalled, that
 * the kernel is still fine, that every child can be killed, and that
 * every page they used came back. make test runs 20,000 calls;
 * tests/kfuzz-stress.sh (make stress) millions over many seeds.
 */
#include <stdlib.h>
#include <format.h>
#include "ktest.h"

/* ktest's arguments fuzzseed=N (the first seed), fuzzseeds=N (seeds of
 * each fuzzer), fuzzcount=N (calls of all fuzzers together, split evenly
 * over fuzzers and seeds), fuzztrace=N and fuzztime=MS (how long they may
 * take, KFUZZ_TIME_MS) change the run */
const char *kfuzz_seed = "seed=1", *kfuzz_count = "count=20000", *kfuzz_trace = "";
unsigned long kfuzz_time_ms, kfuzz_seeds = 1;
#define KFUZZ_QUOTA   (2ull << 20)
#define KFUZZ_PRIO    6          /* below ktest (10): ktest can always stop it */
/* a fuzzer takes ~17 s on four CPUs of an idle two-core host; under make
 * test's two lanes at once one took over 25 s: the bound is for a hang */
#define KFUZZ_TIME_MS 60000
#define KFUZZ_MAX     4

struct fuzzer {
	struct cairn_child c;
	cap_t exit, done;
	uint64_t bits;
};
static struct fuzzer fz[KFUZZ_MAX];
static unsigned nfz;
static uint64_t fz_before;

/* One fuzzer a CPU; together they make as many calls as one alone would
 * (count / n each, count / n / seeds a seed): every slow path takes the
 * one kernel lock, and a boot with four CPUs may run on a host with two,
 * so more calls would mostly mean more time. */
static unsigned fuzzers(unsigned long *each)
{
	unsigned n = k_ncpus < 1 ? 1 : k_ncpus > KFUZZ_MAX ? KFUZZ_MAX : k_ncpus;
	unsigned long count = strtoul(kfuzz_count + 6, NULL, 10);

	*each = count / n / kfuzz_seeds;
	return n;
}

void t_kfuzz_run(void)
{
	static char seeds[KFUZZ_MAX][32], counts[32], nseeds[32];
	unsigned long seed0 = strtoul(kfuzz_seed + 5, NULL, 10), each;
	struct cairn_proc_status st;
	unsigned n = fuzzers(&each), ndone = 0;
	uint64_t t0;

	fz_before = free_pages();
	fmt_snprintf(counts, sizeof(counts), "count=%lu", each);
	fmt_snprintf(nseeds, sizeof(nseeds), "seeds=%lu", kfuzz_seeds);
	for (unsigned i = 0; i < n; i++) {
		struct fuzzer *f = &fz[i];
		/* the first keeps the seed asked for: its run is the one a
		 * fuzzseed=N boot repeats; each runs seeds seed .. seed +
		 * fuzzseeds - 1 */
		fmt_snprintf(seeds[i], sizeof(seeds[i]), "seed=%lu", seed0 + i * 1000003ul);
		const char *argv[] = { "kfuzz", seeds[i], counts, nseeds, kfuzz_trace };
		f->exit = mk(OBJ_NOTIFICATION);
		f->done = mk(OBJ_NOTIFICATION);
		CHECK(f->exit != CAP_NULL && f->done != CAP_NULL, "notifications");
		struct cairn_spawn_cap caps[] = { { "done", f->done, RIGHT_WRITE, 0 },
						  { "kinfo", k_kinfo, RIGHT_READ, 0 } };
		CHECK_OK(spawn_prog("kfuzz", "kfuzz", argv, kfuzz_trace[0] ? 5 : 4, caps, 2, KFUZZ_PRIO,
				    KFUZZ_QUOTA, f->exit, &f->c));
		nfz = i + 1;
	}
	t0 = now_ns();
	/* each signals done (1: ran clean; else 2: it saw wrong answers, 4:
	 * its watchdog saw it stall) and waits to be killed */
	uint64_t limit_ms = kfuzz_time_ms ? kfuzz_time_ms : KFUZZ_TIME_MS;
	while (ndone < n && now_ns() - t0 < limit_ms * 1000000ull) {
		ndone = 0;
		for (unsigned i = 0; i < n; i++) {
			struct fuzzer *f = &fz[i];
			if (!f->bits)
				f->bits = wait_bits(f->done, 50);
			if (!f->bits && cairn_wait(f->exit, 0, NULL) == ERR_OK)
				f->bits = ~0ull;        /* ended by itself: reported below */
			ndone += f->bits != 0;
		}
	}
	for (unsigned i = 0; i < n; i++) {
		struct fuzzer *f = &fz[i];
		CHECK_OK(proc_status(f->c.proc, &st));
		CHECK(st.state == PROC_STATE_RUNNING,
		      "kfuzz %s ended by itself: state %u status %#lx fault address %#lx pc %#lx", seeds[i],
		      st.state, (unsigned long)st.status, (unsigned long)st.fault_addr, (unsigned long)st.fault_pc);
		CHECK(f->bits, "kfuzz %s did not finish within %lu ms (%u fuzzers, %lu calls each)", seeds[i],
		      (unsigned long)limit_ms, n, each);
		CHECK(!(f->bits & 4), "kfuzz %s stalled (see its \"# kfuzz: stall\" and \"race check\" lines)", seeds[i]);
		CHECK(f->bits == 1, "kfuzz %s saw wrong answers (see its # lines)", seeds[i]);
	}
	printf("# kfuzz: %u fuzzers at once, %lu seeds each, %lu calls a seed\n", n, kfuzz_seeds, each);
}

void t_kfuzz_kill(void)
{
	struct cairn_proc_status st;

	CHECK(nfz, "kfuzz did not start");
	for (unsigned i = 0; i < nfz; i++)
		CHECK_OK(inv(fz[i].c.proc, PROC_KILL, 77, 0, 0, 0, NULL));
	for (unsigned i = 0; i < nfz; i++) {
		CHECK(wait_bits(fz[i].exit, 2000) == 1, "no exit notification after the kill of fuzzer %u", i);
		CHECK_OK(proc_status(fz[i].c.proc, &st));
		CHECK(st.state == PROC_STATE_KILLED && st.status == 77, "fuzzer %u: state %u status %ld", i,
		      st.state, (long)st.status);
	}
}

void t_kfuzz_leak(void)
{
	uint64_t now;

	for (unsigned i = 0; i < nfz; i++) {
		cairn_child_release(&fz[i].c);
		del(&fz[i].exit);
		del(&fz[i].done);
	}
	now = free_pages();
	CHECK(fz_before != 0, "kfuzz did not start");
	EXPECT(now == fz_before, "free pages %lu before kfuzz, %lu after (%ld pages not returned)",
	       (unsigned long)fz_before, (unsigned long)now, (long)(fz_before - now));
}
