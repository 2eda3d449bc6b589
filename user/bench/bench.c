/* SPDX-License-Identifier: MIT */
/*
 * The kernel benchmarks of `make bench`: each figure is guest instructions
 * per operation, read with the instruction counter (rdinstret on riscv64)
 * under QEMU -icount, so it is exact and repeatable. Each figure is the
 * best of several runs, so that a timer tick landing in one run does not
 * count. Output lines: "bench: <name> <instructions> insns/op".
 *
 *   null_syscall     SYS_NULL
 *   ipc_call_reply   SYS_CALL to a server in another process that answers
 *                    with SYS_REPLY_RECV: one round trip
 *   ring_batch16     16 NOTIFY_SIGNAL invocations queued in the submission
 *                    ring and run by one SYS_ENTER (per batch; per call too)
 *   kobj_call_signal the same NOTIFY_SIGNAL as one SYS_CALL each (for scale)
 *   notify_wake      signal a Notification a higher-priority thread waits
 *                    on: it wakes, runs, and waits again
 *   thread_switch    SYS_YIELD between two threads of equal priority: one
 *                    switch
 *   pager_fault_supply  a read of an absent page of a paged MemoryObject:
 *                    the fault, the page request received by a pager thread
 *                    of higher priority, its MEMOBJ_SUPPLY of one page
 *                    (shared from its buffer, no copy), the reader resumed
 *                    and its read retried (per page)
 *
 * Those run on one CPU (tests/bench.sh boots them with --smp 1). With the
 * argument "smp" (the bench-smp boot: two CPUs, still under -icount):
 *
 *   ipc_call_reply_smp  ipc_call_reply with client and server pinned to
 *                    CPU 0 of two: the fast paths as they are with more than
 *                    one CPU (fast mode's marks, the Endpoint's lock)
 *   ipc_cross_cpu    ipc_call_reply with the client pinned to CPU 0 and the
 *                    server to CPU 1: guest time per round trip, read from
 *                    the clock, which under -icount shift=0 advances one ns
 *                    an instruction of either CPU (so the figure counts
 *                    both CPUs' instructions, the IPIs and the wake-ups
 *                    included)
 *
 * With "scale" (the bench-scale boot: two CPUs, no -icount, QEMU's
 * multi-threaded TCG, so the CPUs run at once on the host's cores): one
 * client/server pair pinned to CPU 0 makes calls for SCALE_MS of the
 * host's time, then two pairs, one pinned to each CPU, for as long; the
 * line "bench: scaling_2_pairs R" gives the second count over the first
 * (the goal: 1.8 or more), and scale_1_pair and scale_2_pairs the counts
 * per second (wall clock: these vary with the host's load).
 */
#include <string.h>
#include <lib/cpio.h>
#include <cairn/rt.h>
#include <cairn/spawn.h>
#include <cairn/counter.h>

#define RUNS 5

static void report(const char *name, uint64_t total, uint64_t ops)
{
	printf("bench: %s %lu insns/op\n", name, (unsigned long)((total + ops / 2) / ops));
}

static void die(const char *what, err_t e)
{
	printf("bench: FAILED %s: %s\n", what, err_name(e));
	exit(1);
}

static void start_thread(void (*fn)(uint64_t), uint64_t arg, unsigned prio)
{
	err_t e = cairn_thread_start(fn, arg, prio, NULL);

	if (e)
		die("thread", e);
}

/* ---- the benchmarks --------------------------------------------------------------- */

/* The counter itself: a loop of exactly two instructions an iteration must
 * read as 2 (on x86-64 this checks that rdtsc under -icount shift=0 counts
 * one tick an instruction). */
static void calibrate(void)
{
	uint64_t n = 100000, t0 = insns();
	insns_loop2(n);
	uint64_t d = insns() - t0;
	printf("bench: calibration %lu.%02lu counts per instruction (2-instruction loop)\n",
	       (unsigned long)(d / n / 2), (unsigned long)(d * 50 / n % 100));
}

static void bench_null(void)
{
	uint64_t best = UINT64_MAX, n = 2000;

	for (int r = 0; r < RUNS; r++) {
		uint64_t t0 = insns();
		for (uint64_t i = 0; i < n; i++)
			cairn_null();
		uint64_t d = insns() - t0;
		if (d < best)
			best = d;
	}
	report("null_syscall", best, n);
}

/* ---- several CPUs ------------------------------------------------------------------- */

static unsigned cpus_online(void)
{
	struct cairn_msg m;
	unsigned n = 0;

	if (cairn_invoke(SLOT_SELF_THREAD, THREAD_GET_AFFINITY, 0, 0, 0, 0, 0, &m))
		return 1;
	for (uint64_t b = m.w[0]; b; b &= b - 1)
		n++;
	return n;
}

static void pin(cap_t thread, unsigned cpu)
{
	err_t e = cairn_invoke(thread, THREAD_SET_AFFINITY, 0, 1ull << cpu, 0, 0, 0, NULL);

	if (e)
		die("THREAD_SET_AFFINITY", e);
}

/* n calls to the server (this program's server()), each answer checked. */
static void ipc_calls(cap_t ep, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		struct cairn_msg m = cairn_call(ep, cairn_tag(1, 1, 0), i, 0, 0, 0);
		if (m.err || m.w[0] != i + 1)
			die("ipc answer", m.err ? (err_t)m.err : ERR_IO);
	}
}

static void bench_ipc_named(cap_t ep, const char *name)
{
	uint64_t best = UINT64_MAX, n = 1000;

	for (int r = 0; r < RUNS; r++) {
		uint64_t t0 = insns();
		ipc_calls(ep, n);
		uint64_t d = insns() - t0;
		if (d < best)
			best = d;
	}
	report(name, best, n);
}

static void bench_ipc(cap_t ep)
{
	bench_ipc_named(ep, "ipc_call_reply");
}

static void bench_ring(void)
{
	struct cairn_msg m;
	cap_t ring, note;
	void *va;
	err_t e;
	uint64_t best = UINT64_MAX, batches = 100;

	if ((e = cairn_memobj_create(SLOT_SELF_PROC, 1, MEMOBJ_CONTIG, &ring)) ||
	    (e = cairn_map(ring, 0, 1, CAIRN_PROT_R | CAIRN_PROT_W, &va)))
		die("ring memory", e);
	if ((e = cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_NOTIFICATION, 0, 0, 0, &m)))
		die("notification", e);
	note = m.w[0];
	cairn_ipcbuf()->caps[0] = ring;
	if ((e = cairn_invoke(SLOT_SELF_THREAD, THREAD_SET_RING, 1, 16, 0, 0, 0, &m)))
		die("ring set", e);
	struct cairn_ring_hdr *h = va;
	struct cairn_sqe *sq = (struct cairn_sqe *)((char *)va + CAIRN_RING_SQ_OFF);
	struct cairn_cqe *cq = (struct cairn_cqe *)(sq + 16);

	for (int r = 0; r < RUNS; r++) {
		uint64_t t0 = insns();
		for (uint64_t b = 0; b < batches; b++) {
			uint32_t tail = h->sq_tail;
			for (unsigned i = 0; i < 16; i++) {
				struct cairn_sqe *s = &sq[(tail + i) & 15];
				s->cap = note;
				s->tag = cairn_tag(NOTIFY_SIGNAL, 1, 0);
				s->w[0] = 1;
				s->user_data = i;
			}
			__atomic_store_n(&h->sq_tail, tail + 16, __ATOMIC_RELEASE);
			uint64_t sub, ready;
			if ((e = cairn_enter(16, 16, CAIRN_FOREVER, &sub, &ready)) || sub != 16 || ready != 16)
				die("ring enter", e ? e : ERR_IO);
			uint32_t head = h->cq_head;
			for (unsigned i = 0; i < 16; i++)
				if (cq[(head + i) & 15].err || cairn_tag_label(cq[(head + i) & 15].tag))
					die("ring completion", ERR_IO);
			__atomic_store_n(&h->cq_head, head + 16, __ATOMIC_RELEASE);
		}
		uint64_t d = insns() - t0;
		if (d < best)
			best = d;
	}
	report("ring_batch16", best, batches);
	report("ring_batch16_per_call", best, batches * 16);

	/* for scale: the same invocation as one SYS_CALL each */
	best = UINT64_MAX;
	for (int r = 0; r < RUNS; r++) {
		uint64_t t0 = insns();
		for (uint64_t i = 0; i < 16 * batches; i++)
			cairn_call(note, cairn_tag(NOTIFY_SIGNAL, 1, 0), 1, 0, 0, 0);
		uint64_t d = insns() - t0;
		if (d < best)
			best = d;
	}
	report("kobj_call_signal", best, 16 * batches);
}

static volatile int stop;
static cap_t note_a;

static void waiter(uint64_t arg)
{
	uint64_t bits;

	while (!stop)
		cairn_wait(note_a, CAIRN_FOREVER, &bits);
}

static void bench_notify(void)
{
	struct cairn_msg m;
	uint64_t best = UINT64_MAX, n = 1000;
	err_t e;

	if ((e = cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_NOTIFICATION, 0, 0, 0, &m)))
		die("notification", e);
	note_a = m.w[0];
	/* the waiter runs above us, so a signal runs it at once */
	if ((e = cairn_invoke(SLOT_SELF_THREAD, THREAD_SET_PRIORITY, 0, 7, 0, 0, 0, &m)))
		die("priority", e);
	start_thread(waiter, 0, 8);
	for (int r = 0; r < RUNS; r++) {
		uint64_t t0 = insns();
		for (uint64_t i = 0; i < n; i++)
			cairn_send(note_a, 0, 1, 0, 0, 0);
		uint64_t d = insns() - t0;
		if (d < best)
			best = d;
	}
	stop = 1;
	cairn_send(note_a, 0, 1, 0, 0, 0);
	report("notify_wake", best, n);
}

static volatile int stop_yield;

static void yielder(uint64_t arg)
{
	while (!stop_yield)
		cairn_yield();
}

static void bench_switch(void)
{
	uint64_t best = UINT64_MAX, n = 1000;

	start_thread(yielder, 0, 7);   /* our own priority since bench_notify */
	cairn_yield();
	for (int r = 0; r < RUNS; r++) {
		uint64_t t0 = insns();
		for (uint64_t i = 0; i < n; i++)
			cairn_yield();
		uint64_t d = insns() - t0;
		if (d < best)
			best = d;
	}
	stop_yield = 1;
	cairn_yield();
	report("thread_switch", best, 2 * n);   /* each yield here is two switches */
}

#define PAGER_PAGES 64
static cap_t pg_ep, pg_mo, pg_src;
static struct cairn_ipcbuf *volatile pg_ib;

/* Answers each page request with page 0 of pg_src; ends when the
 * endpoint goes. pg_ib is set before the first request comes. */
static void pager(uint64_t arg)
{
	struct cairn_msg m = cairn_recv(pg_ep, 0);
	struct cairn_page_request r;

	while (cairn_page_request(&m, &r)) {
		pg_ib->caps[0] = pg_src;
		cairn_call(pg_mo, cairn_tag(MEMOBJ_SUPPLY, 3, 1), r.first, 1, 0, 0);
		m = cairn_recv(pg_ep, 0);
	}
}

static cap_t make(uint64_t type, uint64_t a, uint64_t b)
{
	struct cairn_msg m;
	err_t e = cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, type, a, b, 0, &m);

	if (e)
		die("object", e);
	return m.w[0];
}

static void bench_pager(void)
{
	uint64_t best = UINT64_MAX;
	void *va, *sva;
	err_t e;

	pg_ep = make(OBJ_ENDPOINT, 0, 0);
	pg_mo = make(OBJ_MEMOBJ, PAGER_PAGES, MEMOBJ_PAGED);
	pg_src = make(OBJ_MEMOBJ, 1, 0);
	if ((e = cairn_map(pg_src, 0, 1, CAIRN_PROT_R | CAIRN_PROT_W, &sva)) ||
	    (e = cairn_pager_set(pg_mo, pg_ep, 1, PAGER_PAGES * CAIRN_PAGE_SIZE)) ||
	    (e = cairn_map(pg_mo, 0, PAGER_PAGES, CAIRN_PROT_R, &va)))
		die("paged object", e);
	*(volatile uint64_t *)sva = 1;           /* present: supplies share it */
	if ((e = cairn_thread_start_ipcbuf(pager, 0, 8, NULL, (struct cairn_ipcbuf **)&pg_ib)))
		die("pager thread", e);
	for (int r = 0; r < RUNS; r++) {
		uint64_t t0 = insns();
		for (uint64_t i = 0; i < PAGER_PAGES; i++)
			(void)*(volatile uint64_t *)((char *)va + i * CAIRN_PAGE_SIZE);
		uint64_t d = insns() - t0;
		if (d < best)
			best = d;
		if ((e = cairn_pager_evict(pg_mo, 0, PAGER_PAGES, NULL)))
			die("evict", e);
	}
	cairn_cap_delete(pg_ep);                 /* the pager is gone: its thread ends */
	report("pager_fault_supply", best, PAGER_PAGES);
}

/* ---- the IPC server (this program, started with argv[1] = "server") ------------------ */

static int server(int argc, char **argv)
{
	cap_t ep = cairn_cap("ep");
	struct cairn_msg m;

	if (argc > 2)
		pin(SLOT_SELF_THREAD, (unsigned)(argv[2][0] - '0'));
	m = cairn_recv(ep, 0);

	for (;;) {
		if (m.err)
			return 1;
		m = cairn_reply_recv(ep, cairn_tag(0, 1, 0), m.w[0] + 1, 0, 0, 0);
	}
}

/* A server process (this program), its thread pinned to cpu (< 0: not). */
static cap_t start_server(int cpu)
{
	static struct cairn_child children[2];
	static unsigned nchildren;
	static char cpuarg[2][2];
	struct cairn_msg m;
	struct cpio_entry ent;
	uint64_t pages;
	void *va;
	cap_t image = cairn_cap("bootimage"), ep;
	err_t e;

	if (image == CAP_NULL)
		die("no bootimage capability", ERR_NOENT);
	if ((e = cairn_memobj_pages(image, &pages)) || (e = cairn_map(image, 0, pages, CAIRN_PROT_R, &va)))
		die("boot image", e);
	if ((e = cpio_find(va, pages * CAIRN_PAGE_SIZE, "bin/bench", &ent)))
		die("bin/bench", e);
	if ((e = cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_ENDPOINT, 0, 0, 0, &m)))
		die("endpoint", e);
	ep = m.w[0];
	if (nchildren == 2)
		die("a third server", ERR_NOMEM);
	cpuarg[nchildren][0] = (char)('0' + (cpu < 0 ? 0 : cpu));
	const char *argv[] = { "bench-server", "server", cpuarg[nchildren] };
	struct cairn_spawn_cap caps[] = { { "ep", ep, RIGHT_READ, 0 } };
	struct cairn_spawn s = {
		.image = image, .offset = (uint64_t)((const char *)ent.data - (const char *)va),
		.size = ent.size, .argc = cpu < 0 ? 2 : 3, .argv = argv, .ncaps = 1, .caps = caps,
		.quota = 1 << 20, .priority = 8, .exit_notify = CAP_NULL,
	};
	if ((e = cairn_spawn(&s, &children[nchildren++])))
		die("spawn server", e);
	return ep;
}

/* Round trips between CPUs: the time of both sides (see the top). */
static void bench_ipc_cross(void)
{
	uint64_t best = UINT64_MAX, n = 500;
	cap_t ep;

	pin(SLOT_SELF_THREAD, 0);
	/* first both on CPU 0: the fast path as it is with several CPUs */
	bench_ipc_named(start_server(0), "ipc_call_reply_smp");
	ep = start_server(1);
	for (int r = 0; r <= RUNS; r++) {
		uint64_t t0 = cairn_now_ns();
		ipc_calls(ep, n);
		uint64_t d = cairn_now_ns() - t0;
		if (r && d < best)               /* run 0 warms up: the server starts */
			best = d;
	}
	report("ipc_cross_cpu", best, n);
}

#define SCALE_MS 2000
static struct pair {
	cap_t ep, thread, done;
	volatile uint64_t calls;
} pairs[2];
static volatile int scale_stop;
static cap_t sleep_note;

static void scale_client(uint64_t i)
{
	struct pair *p = &pairs[i];
	uint64_t n = 0;

	while (!scale_stop) {
		struct cairn_msg m = cairn_call(p->ep, cairn_tag(1, 1, 0), n, 0, 0, 0);
		if (m.err || m.w[0] != n + 1)
			die("ipc answer", m.err ? (err_t)m.err : ERR_IO);
		n++;
	}
	p->calls = n;
	cairn_invoke(p->done, NOTIFY_SIGNAL, 0, 1, 0, 0, 0, NULL);
}

/* Calls made by pairs [0, npairs) in SCALE_MS. */
static uint64_t scale_run(unsigned npairs)
{
	uint64_t total = 0;
	err_t e;

	scale_stop = 0;
	for (unsigned i = 0; i < npairs; i++) {
		pairs[i].calls = 0;
		if ((e = cairn_thread_start(scale_client, i, 8, &pairs[i].thread)))
			die("client thread", e);
		pin(pairs[i].thread, i);
	}
	cairn_wait(sleep_note, SCALE_MS * 1000000ull, NULL);   /* nothing signals it: a sleep */
	scale_stop = 1;
	for (unsigned i = 0; i < npairs; i++) {
		cairn_wait(pairs[i].done, CAIRN_FOREVER, NULL);
		total += pairs[i].calls;
		cairn_cap_delete(pairs[i].thread);
	}
	return total;
}

static void bench_scale(void)
{
	struct cairn_msg m;
	err_t e;

	pin(SLOT_SELF_THREAD, 0);
	if ((e = cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_NOTIFICATION, 0, 0, 0, &m)))
		die("notification", e);
	sleep_note = m.w[0];
	for (unsigned i = 0; i < 2; i++) {
		pairs[i].ep = start_server((int)i);
		if ((e = cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_NOTIFICATION, 0, 0, 0, &m)))
			die("notification", e);
		pairs[i].done = m.w[0];
		/* a first call: the server is up and waiting */
		m = cairn_call(pairs[i].ep, cairn_tag(1, 1, 0), 0, 0, 0, 0);
		if (m.err || m.w[0] != 1)
			die("first call", m.err ? (err_t)m.err : ERR_IO);
	}
	uint64_t one = scale_run(1), two = scale_run(2);
	printf("bench: scale_1_pair %lu calls/s\n", (unsigned long)(one * 1000 / SCALE_MS));
	printf("bench: scale_2_pairs %lu calls/s\n", (unsigned long)(two * 1000 / SCALE_MS));
	printf("bench: scaling_2_pairs %lu.%02lu\n", (unsigned long)(two / one),
	       (unsigned long)(two * 100 / one % 100));
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "server"))
		return server(argc, argv);
	if (argc > 1 && (!strcmp(argv[1], "smp") || !strcmp(argv[1], "scale"))) {
		cairn_clock_init(cairn_cap("kinfo"));
		if (cpus_online() < 2)
			die("one CPU online", ERR_INVAL);
		if (!strcmp(argv[1], "smp"))
			bench_ipc_cross();
		else
			bench_scale();
		printf("bench: done\n");
		return 0;
	}
	calibrate();
	bench_null();
	bench_ipc(start_server(-1));
	bench_ring();
	bench_notify();
	bench_switch();
	bench_pager();
	printf("bench: done\n");
	return 0;
}
