/* SPDX-License-Identifier: MIT */
/*
 * ktest: userland tests of every system call and kernel-object method of
 * include/cairn/abi.h, success and error paths. Started by init from
 * user/manifests/ktest.manifest; prints one line a test,
 *     ok N name            or    not ok N name: line L: what went wrong
 * and closes with "N passed, N failed" alone on a line. Exits 0 when
 * every test passed, so init (and the boot) ends with status 0.
 *
 * Started with argv[1] = "peer" this program is the other side of the
 * process tests instead (peer.c).
 *
 * The last test compares free pages with the count taken after the first
 * test: everything the tests made in between must be gone.
 */
#include <stdlib.h>
#include "ktest.h"

static const struct t_case tests[] = {
#define T(fn, name) { name, fn },
#include "tests.def"
#undef T
};

extern struct cairn_ring_hdr *k_ring;
extern const char *kfuzz_seed, *kfuzz_count, *kfuzz_trace;
extern unsigned long kfuzz_time_ms, kfuzz_seeds;

/* The last test: every page the tests took since the first one is back. */
void t_leak_final(void)
{
	LEAK_CHECK();
}

/* What every test may use, made once: a Notification to sleep on, the boot
 * image mapped, a ring on the main thread, the firmware object made. */
static err_t setup(void)
{
	uint64_t off, size;
	cap_t ring;
	void *va;
	err_t e;

	if ((k_sleep = mk(OBJ_NOTIFICATION)) == CAP_NULL)
		return ERR_NOMEM;
	if ((e = boot_prog("ktest", &off, &size)))
		return e;
	if ((ring = mk_memobj(1, MEMOBJ_CONTIG)) == CAP_NULL)
		return ERR_NOMEM;
	/* the kernel makes the firmware's object on the first KINFO_FIRMWARE
	 * and keeps it: before the leak check's baseline, not counted as a
	 * leak of kinfo.firmware's (its slab may need a page of its own) */
	struct cairn_msg m;
	if (!inv(k_kinfo, KINFO_FIRMWARE, 0, 0, 0, 0, &m))
		del(&m.w[0]);
	if ((e = cairn_map(ring, 0, 1, CAIRN_PROT_R | CAIRN_PROT_W, &va)))
		return e;
	if ((e = inv1(SLOT_SELF_THREAD, THREAD_SET_RING, ring, 16, 0, 0, 0, NULL)))
		return e;
	k_ring = va;
	return ERR_OK;
}

/* Whether name starts with one of the comma-separated prefixes of only. */
static bool selected(const char *name, const char *only)
{
	for (const char *p = only; *p;) {
		size_t len = 0;
		while (p[len] && p[len] != ',')
			len++;
		if (len && !strncmp(name, p, len))
			return true;
		p += len + (p[len] == ',');
	}
	return false;
}

int main(int argc, char **argv)
{
	unsigned n = sizeof(tests) / sizeof(tests[0]);
	err_t e;

	if (argc > 1 && !strcmp(argv[1], "peer"))
		return peer_main(argc, argv);
	k_console = cairn_cap("console");
	k_kinfo = cairn_cap("kinfo");
	k_irqctl = cairn_cap("irqctl");
	k_mmioctl = cairn_cap("mmioctl");
	k_ioportctl = cairn_cap("ioportctl");
	k_bootimage = cairn_cap("bootimage");
	if (k_kinfo == CAP_NULL || k_irqctl == CAP_NULL || k_mmioctl == CAP_NULL ||
	    k_bootimage == CAP_NULL) {
		return t_abort("ktest: needs the capabilities kinfo, irqctl, mmioctl and bootimage");
	}
	/* MemoryObject pages arrive on first touch: touch all of our stack and
	 * bss now, so a later test's deeper stack or first use of a static
	 * buffer is not counted as a leak */
	extern char __bss_start[], _end[];
	for (volatile char *p = (volatile char *)(CAIRN_STACK_TOP - CAIRN_STACK_PAGES * 4096ull);
	     p < (volatile char *)__builtin_frame_address(0) - 512; p += 4096)
		*p = 0;
	for (volatile char *p = __bss_start; p < _end; p += 4096)
		*p = *p;
	/* run at PRIO_MAIN; the start priority (16) stays the limit for threads */
	if ((e = inv(SLOT_SELF_THREAD, THREAD_SET_PRIORITY, PRIO_MAIN, 0, 0, 0, NULL)) || (e = setup())) {
		return t_abort("ktest: setup failed: %s", err_name(e));
	}
	/* one CPU for the main thread and the threads it starts (k_cpu_mask) */
	struct cairn_msg m;
	if ((e = inv(SLOT_SELF_THREAD, THREAD_GET_AFFINITY, 0, 0, 0, 0, &m)))
		return t_abort("ktest: THREAD_GET_AFFINITY: %s", err_name(e));
	k_cpu_mask = 1ull << m.w[1];
	if ((e = inv(SLOT_SELF_THREAD, THREAD_SET_AFFINITY, k_cpu_mask, 0, 0, 0, NULL)) ||
	    (e = inv(k_kinfo, KINFO_CPUS, 0, 0, 0, 0, &m)))
		return t_abort("ktest: cannot pin the main thread: %s", err_name(e));
	k_ncpus = (unsigned)m.w[0];
	/* arguments (for working on a few tests): only=PREFIX[,PREFIX...] runs
	 * the first test, those whose name starts with a PREFIX and the leak
	 * check; fuzzseed=N, fuzzseeds=N, fuzzcount=N, fuzztrace=N and
	 * fuzztime=MS change kfuzz's run (t_fuzz.c); icount=1: QEMU
	 * runs with -icount, time checks hold tight bounds (time_within) */
	const char *only = NULL;
	static char seed[32], count[32], trace[32];
	for (int i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "only=", 5))
			only = argv[i] + 5;
		if (!strcmp(argv[i], "icount=1"))
			k_icount = true;
		if (!strncmp(argv[i], "fuzzseed=", 9)) {      /* "seed=N" for kfuzz */
			strlcpy(seed, argv[i] + 4, sizeof(seed));
			kfuzz_seed = seed;
		}
		if (!strncmp(argv[i], "fuzztrace=", 10)) {    /* "trace=N": print from N on */
			strlcpy(trace, argv[i] + 4, sizeof(trace));
			kfuzz_trace = trace;
		}
		if (!strncmp(argv[i], "fuzztime=", 9))        /* ms the fuzzers may take */
			kfuzz_time_ms = strtoul(argv[i] + 9, NULL, 10);
		if (!strncmp(argv[i], "fuzzseeds=", 10) && strtoul(argv[i] + 10, NULL, 10))
			kfuzz_seeds = strtoul(argv[i] + 10, NULL, 10);
		if (!strncmp(argv[i], "fuzzcount=", 10)) {    /* "count=N" for kfuzz */
			strlcpy(count, argv[i] + 4, sizeof(count));
			kfuzz_count = count;
		}
	}
	t_begin("ktest", n);
	for (unsigned i = 0; i < n; i++) {
		if (only && i > 0 && i < n - 1 && !selected(tests[i].name, only))
			continue;
		t_run(NULL, tests[i].name, tests[i].fn);
		if (i == 0)
			t_leak_mark();
	}
	return t_end("ktest") ? 1 : 0;
}
