/* SPDX-License-Identifier: MIT */
/*
 * ktest: submission and completion rings, Timers, IrqControl and IrqLine,
 * MmioControl and MmioRegion, the DebugConsole and KernelInfo.
 */
#include "ktest.h"
#include <cairn/counter.h>

#define PG         CAIRN_PAGE_SIZE
#define NENT       16

struct cairn_ring_hdr *k_ring;       /* the main thread's ring (main.c) */

static struct cairn_sqe *sqes(struct cairn_ring_hdr *h)
{
	return (struct cairn_sqe *)((char *)h + CAIRN_RING_SQ_OFF);
}

static struct cairn_cqe *cqes(struct cairn_ring_hdr *h)
{
	return (struct cairn_cqe *)(sqes(h) + h->entries);
}

static void sqe_put(struct cairn_ring_hdr *h, cap_t cap, uint64_t tag, uint64_t w0, uint64_t w1,
		    uint64_t w2, uint64_t w3, uint64_t user_data)
{
	uint32_t t = h->sq_tail;
	struct cairn_sqe *s = &sqes(h)[t & (h->entries - 1)];

	s->cap = cap;
	s->tag = tag;
	s->w[0] = w0;
	s->w[1] = w1;
	s->w[2] = w2;
	s->w[3] = w3;
	s->user_data = user_data;
	s->flags = 0;
	__atomic_store_n(&h->sq_tail, t + 1, __ATOMIC_RELEASE);
}

static bool cqe_get(struct cairn_ring_hdr *h, struct cairn_cqe *out)
{
	uint32_t head = h->cq_head;

	if (head == __atomic_load_n(&h->cq_tail, __ATOMIC_ACQUIRE))
		return false;
	*out = cqes(h)[head & (h->entries - 1)];
	__atomic_store_n(&h->cq_head, head + 1, __ATOMIC_RELEASE);
	return true;
}

/* The ring is idle: nothing queued, nothing to consume. */
static bool ring_idle(void)
{
	struct cairn_cqe c;
	bool idle = k_ring->sq_head == k_ring->sq_tail;

	while (cqe_get(k_ring, &c))
		idle = false;
	return idle;
}

static err_t enter(uint64_t n, uint64_t min, uint64_t timeout, uint64_t *sub, uint64_t *ready)
{
	return cairn_enter(n, min, timeout, sub, ready);
}

/* ---- rings -------------------------------------------------------------------------------- */

static void enter_thread(struct kthread *kt)
{
	kt->res[0] = cairn_enter(0, 0, 0, NULL, NULL);
	kt->step = 1;
}

void t_ring_errors(void)
{
	cap_t th = mk(OBJ_THREAD), plain = mk_memobj(1, 0), ct = mk_memobj(1, MEMOBJ_CONTIG), ro;
	static struct kthread kt;
	uint64_t sub, ready;

	CHECK(th != CAP_NULL && plain != CAP_NULL && ct != CAP_NULL, "objects");
	CHECK_OK(cap_copy(ct, RIGHT_READ, &ro));
	EXPECT_ERR(inv1(th, THREAD_SET_RING, plain, NENT, 0, 0, 0, NULL), ERR_INVAL);
	EXPECT_ERR(inv1(th, THREAD_SET_RING, ct, 0, 0, 0, 0, NULL), ERR_INVAL);
	EXPECT_ERR(inv1(th, THREAD_SET_RING, ct, 3, 0, 0, 0, NULL), ERR_INVAL);
	EXPECT_ERR(inv1(th, THREAD_SET_RING, ct, 128, 0, 0, 0, NULL), ERR_INVAL);
	EXPECT_ERR(inv1(th, THREAD_SET_RING, ct, 64, 0, 0, 0, NULL), ERR_INVAL);     /* needs 3 pages */
	EXPECT_ERR(inv1(th, THREAD_SET_RING, ct, (1ull << 32) | NENT, 0, 0, 0, NULL), ERR_INVAL);
	EXPECT_ERR(inv(th, THREAD_SET_RING, NENT, 0, 0, 0, NULL), ERR_INVAL);
	EXPECT_ERR(inv1(th, THREAD_SET_RING, ro, NENT, 0, 0, 0, NULL), ERR_PERM);
	EXPECT_OK(inv1(th, THREAD_SET_RING, ct, NENT, 0, 0, 0, NULL));
	EXPECT_OK(inv1(th, THREAD_SET_RING, ct, 1, 0, 0, 0, NULL));
	thread_dispose(&th);
	del(&ro);
	del(&plain);
	del(&ct);
	/* SYS_ENTER without a ring, and asking for more than the ring holds */
	CHECK_OK(kthread_start(&kt, enter_thread, PRIO_MAIN + 1, false));
	EXPECT(kthread_join(&kt, 2000), "thread did not end");
	EXPECT(kt.step == 1 && kt.res[0] == ERR_INVAL, "SYS_ENTER without a ring: %s",
	       err_name((err_t)kt.res[0]));
	kthread_free(&kt);
	EXPECT_ERR(enter(0, NENT + 1, 0, &sub, &ready), ERR_INVAL);
	EXPECT_OK(enter(0, 0, 0, &sub, &ready));
	EXPECT(sub == 0 && ready == 0, "empty enter: submitted %lu ready %lu", (unsigned long)sub,
	       (unsigned long)ready);
}

void t_ring_notify(void)
{
	cap_t n = mk(OBJ_NOTIFICATION);
	struct cairn_cqe c;
	uint64_t sub, ready, bits;

	CHECK(n != CAP_NULL, "notification");
	CHECK(ring_idle(), "ring not idle");
	for (unsigned i = 0; i < NENT; i++)
		sqe_put(k_ring, n, cairn_tag(NOTIFY_SIGNAL, 1, 0), 1ull << i, 0, 0, 0, 100 + i);
	CHECK_OK(enter(NENT, NENT, CAIRN_FOREVER, &sub, &ready));
	EXPECT(sub == NENT && ready == NENT, "submitted %lu ready %lu", (unsigned long)sub,
	       (unsigned long)ready);
	EXPECT(k_ring->sq_head == k_ring->sq_tail, "sq_head %u sq_tail %u", k_ring->sq_head, k_ring->sq_tail);
	for (unsigned i = 0; i < NENT; i++) {
		if (!cqe_get(k_ring, &c)) {
			t_fail(__LINE__, "completion %u missing", i);
			break;
		}
		EXPECT(c.user_data == 100 + i && c.err == 0 && cairn_tag_label(c.tag) == 0,
		       "completion %u: user_data %lu err %lu label %u", i, (unsigned long)c.user_data,
		       (unsigned long)c.err, cairn_tag_label(c.tag));
	}
	EXPECT(!cqe_get(k_ring, &c), "more completions than submissions");
	EXPECT_OK(cairn_wait(n, 0, &bits));
	EXPECT(bits == 0xffff, "bits %#lx after 16 signals", (unsigned long)bits);
	del(&n);
}

void t_ring_kobj(void)
{
	cap_t n = mk(OBJ_NOTIFICATION), mo = mk_memobj(3, 0), tm = mk(OBJ_TIMER), nw, made = CAP_NULL;
	struct cairn_cqe c[NENT];
	struct cairn_msg m;
	uint64_t sub, ready, limit;

	CHECK(n != CAP_NULL && mo != CAP_NULL && tm != CAP_NULL, "objects");
	CHECK_OK(cap_copy(n, RIGHT_READ, &nw));
	CHECK_OK(inv(SLOT_SELF_PROC, PROC_QUOTA, 0, 0, 0, 0, &m));
	limit = m.w[0];
	CHECK(ring_idle(), "ring not idle");
	sqe_put(k_ring, SLOT_SELF_PROC, cairn_tag(OBJ_IDENTIFY, 0, 0), 0, 0, 0, 0, 0);
	sqe_put(k_ring, mo, cairn_tag(OBJ_IDENTIFY, 0, 0), 0, 0, 0, 0, 1);
	sqe_put(k_ring, mo, cairn_tag(MEMOBJ_INFO, 0, 0), 0, 0, 0, 0, 2);
	sqe_put(k_ring, k_kinfo, cairn_tag(KINFO_TIME, 0, 0), 0, 0, 0, 0, 3);
	sqe_put(k_ring, k_kinfo, cairn_tag(KINFO_FREE_PAGES, 0, 0), 0, 0, 0, 0, 4);
	sqe_put(k_ring, 5000, cairn_tag(OBJ_IDENTIFY, 0, 0), 0, 0, 0, 0, 5);
	sqe_put(k_ring, n, cairn_tag(NOTIFY_POLL, 0, 0), 0, 0, 0, 0, 6);
	sqe_put(k_ring, n, cairn_tag(NOTIFY_SIGNAL, 1, 0), 2, 0, 0, 0, 7);
	sqe_put(k_ring, n, cairn_tag(NOTIFY_POLL, 0, 0), 0, 0, 0, 0, 8);
	sqe_put(k_ring, SLOT_SELF_PROC, cairn_tag(PROC_QUOTA, 0, 0), 0, 0, 0, 0, 9);
	sqe_put(k_ring, n, cairn_tag(999, 0, 0), 0, 0, 0, 0, 10);
	sqe_put(k_ring, SLOT_SELF_AS, cairn_tag(AS_MAP, 4, 1), 0x1100000000ull, 0, 1, 0, 11);
	sqe_put(k_ring, SLOT_SELF_PROC, cairn_tag(PROC_CREATE, 4, 0), OBJ_NOTIFICATION, 0, 0, 0, 12);
	sqe_put(k_ring, k_console, cairn_tag(OBJ_IDENTIFY, 0, 0), 0, 0, 0, 0, 13);
	sqe_put(k_ring, tm, cairn_tag(TIMER_CANCEL, 0, 0), 0, 0, 0, 0, 14);
	sqe_put(k_ring, nw, cairn_tag(NOTIFY_SIGNAL, 1, 0), 1, 0, 0, 0, 15);
	CHECK_OK(enter(NENT, NENT, 0, &sub, &ready));
	EXPECT(sub == NENT && ready == NENT, "submitted %lu ready %lu", (unsigned long)sub,
	       (unsigned long)ready);
	for (unsigned i = 0; i < NENT; i++)
		if (!cqe_get(k_ring, &c[i]) || c[i].user_data != i) {
			t_fail(__LINE__, "completion %u missing or out of order", i);
			goto out;
		}
#define L(i) ((err_t)cairn_tag_label(c[i].tag))
	EXPECT(c[0].err == 0 && L(0) == 0 && c[0].w[0] == OBJ_PROCESS, "identify process: %lu",
	       (unsigned long)c[0].w[0]);
	EXPECT(c[1].w[0] == OBJ_MEMOBJ, "identify memobj: %lu", (unsigned long)c[1].w[0]);
	EXPECT(L(2) == 0 && c[2].w[0] == 3, "memobj info: %lu pages", (unsigned long)c[2].w[0]);
	EXPECT(L(3) == 0 && c[3].w[0] > 0, "time %lu", (unsigned long)c[3].w[0]);
	EXPECT(L(4) == 0 && c[4].w[0] > 0 && c[4].w[1] >= c[4].w[0], "free pages %lu of %lu",
	       (unsigned long)c[4].w[0], (unsigned long)c[4].w[1]);
	EXPECT(c[5].err == ERR_BADF, "bad slot: err %s", err_name((err_t)c[5].err));
	EXPECT(c[6].err == 0 && L(6) == ERR_AGAIN, "poll of nothing: %s", err_name(L(6)));
	EXPECT(L(7) == 0, "signal: %s", err_name(L(7)));
	EXPECT(L(8) == 0 && c[8].w[0] == 2, "poll: %s bits %lu", err_name(L(8)), (unsigned long)c[8].w[0]);
	EXPECT(L(9) == 0 && c[9].w[0] == limit, "quota limit %lu, want %lu", (unsigned long)c[9].w[0],
	       (unsigned long)limit);
	EXPECT(L(10) == ERR_NOSYS, "unknown method: %s", err_name(L(10)));
	EXPECT(L(11) == ERR_INVAL, "AS_MAP from a ring (no capability argument): %s", err_name(L(11)));
	EXPECT(L(12) == 0, "PROC_CREATE from a ring: %s", err_name(L(12)));
	if (L(12) == 0) {
		uint64_t type;
		made = c[12].w[0];
		EXPECT_OK(cap_ident(made, &type, NULL, NULL));
		EXPECT(type == OBJ_NOTIFICATION, "created type %lu", (unsigned long)type);
	}
	EXPECT(L(13) == 0 && c[13].w[0] == OBJ_DEBUG_CONSOLE, "identify console: %lu",
	       (unsigned long)c[13].w[0]);
	EXPECT(L(14) == 0, "timer cancel: %s", err_name(L(14)));
	EXPECT(L(15) == ERR_PERM, "signal without RIGHT_WRITE: %s", err_name(L(15)));
#undef L
out:
	ring_idle();
	del(&made);
	del(&nw);
	del(&n);
	del(&mo);
	del(&tm);
}

static void srv_thread(struct kthread *kt)
{
	kt->res[0] = (uint64_t)serve(kt->arg[0], kt->ipc);
}

/* One asynchronous SRV_ECHO through cap; waits for its completion. */
static void async_echo(cap_t cap, uint64_t ud, uint64_t x)
{
	struct cairn_cqe c;
	uint64_t sub, ready;

	sqe_put(k_ring, cap, cairn_tag(SRV_ECHO, 4, 0), x, x, x, x, ud);
	CHECK_OK(enter(1, 0, 0, &sub, &ready));
	CHECK(sub == 1, "submitted %lu", (unsigned long)sub);
	CHECK_OK(enter(0, 1, 2000000000ull, &sub, &ready));
	CHECK(ready == 1, "no completion (ready %lu)", (unsigned long)ready);
	CHECK(cqe_get(k_ring, &c), "completion missing");
	CHECK(c.user_data == ud && c.err == 0 && cairn_tag_label(c.tag) == 0, "completion: ud %lu err %s label %u",
	      (unsigned long)c.user_data, err_name((err_t)c.err), cairn_tag_label(c.tag));
	CHECK(c.w[0] == x + 1 && c.w[1] == x + 2 && c.w[2] == x + 3 && c.w[3] == x + 4,
	      "answer %lu %lu %lu %lu", (unsigned long)c.w[0], (unsigned long)c.w[1], (unsigned long)c.w[2],
	      (unsigned long)c.w[3]);
}

void t_ring_async(void)
{
	static struct kthread kt;
	struct cairn_cqe c;
	cap_t ep = mk(OBJ_ENDPOINT), b, ro;
	uint64_t sub, ready;

	CHECK(ep != CAP_NULL, "endpoint");
	CHECK(ring_idle(), "ring not idle");
	kt.arg[0] = ep;
	CHECK_OK(kthread_start(&kt, srv_thread, PRIO_MAIN - 1, true));
	async_echo(ep, 0xabc, 10);         /* queued: the server runs when we wait */
	async_echo(ep, 0xabd, 20);         /* the server waits already */
	/* badge */
	CHECK_OK(cap_mint(ep, RIGHT_WRITE, 0x99, &b));
	sqe_put(k_ring, b, cairn_tag(SRV_BADGE, 0, 0), 0, 0, 0, 0, 7);
	EXPECT_OK(enter(1, 1, 2000000000ull, &sub, &ready));
	EXPECT(cqe_get(k_ring, &c) && c.user_data == 7 && c.err == 0 && c.w[0] == 0x99,
	       "badged asynchronous call: badge seen %#lx", (unsigned long)c.w[0]);
	/* no RIGHT_WRITE: completes at once with the error */
	CHECK_OK(cap_copy(ep, RIGHT_READ, &ro));
	sqe_put(k_ring, ro, cairn_tag(SRV_ECHO, 4, 0), 0, 0, 0, 0, 8);
	EXPECT_OK(enter(1, 1, 0, &sub, &ready));
	EXPECT(cqe_get(k_ring, &c) && c.user_data == 8 && c.err == ERR_PERM, "call without RIGHT_WRITE: %s",
	       err_name((err_t)c.err));
	/* a server that drops the call completes it with ERR_PIPE */
	sqe_put(k_ring, ep, cairn_tag(SRV_DROP, 0, 0), 0, 0, 0, 0, 9);
	EXPECT_OK(enter(1, 1, 2000000000ull, &sub, &ready));   /* the server takes it and receives again */
	EXPECT(cqe_get(k_ring, &c) && c.user_data == 9 && c.err == ERR_PIPE, "dropped asynchronous call: ud %lu %s",
	       (unsigned long)c.user_data, err_name((err_t)c.err));
	async_echo(ep, 0xabe, 30);          /* the server still works */
	ring_idle();
	struct cairn_msg m = cairn_call(ep, cairn_tag(SRV_QUIT, 0, 0), 0, 0, 0, 0);
	EXPECT(m.err == 0, "quit: %s", err_name((err_t)m.err));
	EXPECT(kthread_join(&kt, 2000), "server did not end");
	kthread_free(&kt);
	del(&b);
	del(&ro);
	del(&ep);
}

void t_ring_inflight(void)
{
	static struct kthread kt;
	struct cairn_cqe c;
	cap_t ep = mk(OBJ_ENDPOINT), n = mk(OBJ_NOTIFICATION);
	uint64_t sub, ready, seen = 0;

	CHECK(ep != CAP_NULL && n != CAP_NULL, "objects");
	CHECK(ring_idle(), "ring not idle");
	for (unsigned i = 0; i < NENT; i++)
		sqe_put(k_ring, ep, cairn_tag(SRV_ECHO, 4, 0), i, 0, 0, 0, i);
	CHECK_OK(enter(NENT, 0, 0, &sub, &ready));
	EXPECT(sub == NENT && ready == 0, "16 calls nobody receives: submitted %lu ready %lu",
	       (unsigned long)sub, (unsigned long)ready);
	/* every entry is in flight: nothing more is taken */
	sqe_put(k_ring, n, cairn_tag(NOTIFY_SIGNAL, 1, 0), 1, 0, 0, 0, 100);
	EXPECT_OK(enter(1, 0, 0, &sub, &ready));
	EXPECT(sub == 0, "submitted %lu with the ring full", (unsigned long)sub);
	/* a timed wait for completions that do not come */
	EXPECT_OK(enter(0, 1, 1000000, &sub, &ready));
	EXPECT(ready == 0, "ready %lu", (unsigned long)ready);
	/* a server answers all of them */
	kt.arg[0] = ep;
	CHECK_OK(kthread_start(&kt, srv_thread, PRIO_MAIN - 1, true));
	EXPECT_OK(enter(0, NENT, 2000000000ull, &sub, &ready));
	EXPECT(ready == NENT, "ready %lu, want 16", (unsigned long)ready);
	while (cqe_get(k_ring, &c)) {
		EXPECT(c.err == 0 && c.w[0] == c.user_data + 1, "completion %lu: %s w0 %lu",
		       (unsigned long)c.user_data, err_name((err_t)c.err), (unsigned long)c.w[0]);
		seen |= 1ull << c.user_data;
	}
	EXPECT(seen == 0xffff, "completions seen %#lx", (unsigned long)seen);
	EXPECT_OK(enter(1, 1, 0, &sub, &ready));
	EXPECT(sub == 1 && cqe_get(k_ring, &c) && c.user_data == 100, "the waiting entry did not run");
	struct cairn_msg m = cairn_call(ep, cairn_tag(SRV_QUIT, 0, 0), 0, 0, 0, 0);
	EXPECT(m.err == 0, "quit: %s", err_name((err_t)m.err));
	EXPECT(kthread_join(&kt, 2000), "server did not end");
	kthread_free(&kt);
	ring_idle();
	del(&ep);
	del(&n);
}

/* Submits an asynchronous call through its own ring, then ends. */
static void async_sender(struct kthread *kt)
{
	struct cairn_ring_hdr *h = (struct cairn_ring_hdr *)kt->arg[1];

	sqe_put(h, kt->arg[0], cairn_tag(SRV_ECHO, 4, 0), 1, 2, 3, 4, 55);
	kt->res[0] = cairn_enter(1, 0, 0, NULL, NULL);
	kt->step = 1;
}

void t_ring_async_pipe(void)
{
	uint64_t before = free_pages();
	static struct kthread kt;
	struct cairn_cqe c;
	struct cairn_msg m;
	cap_t ep = mk(OBJ_ENDPOINT), ct = mk_memobj(1, MEMOBJ_CONTIG);
	uint64_t sub, ready;
	void *va;

	CHECK(ep != CAP_NULL && ct != CAP_NULL, "objects");
	CHECK(ring_idle(), "ring not idle");
	/* the endpoint goes while the call is queued */
	sqe_put(k_ring, ep, cairn_tag(SRV_ECHO, 4, 0), 0, 0, 0, 0, 1);
	CHECK_OK(enter(1, 0, 0, &sub, &ready));
	del(&ep);
	EXPECT_OK(enter(0, 1, 1000000000ull, &sub, &ready));
	EXPECT(cqe_get(k_ring, &c) && c.user_data == 1 && c.err == ERR_PIPE,
	       "queued call on a deleted endpoint: %s", err_name((err_t)c.err));
	/* the caller goes while its call is queued; the answer finds nobody */
	ep = mk(OBJ_ENDPOINT);
	CHECK(ep != CAP_NULL, "endpoint");
	CHECK_OK(cairn_map(ct, 0, 1, CAIRN_PROT_R | CAIRN_PROT_W, &va));
	kt.arg[0] = ep;
	kt.arg[1] = (uint64_t)va;
	CHECK_OK(kthread_start(&kt, async_sender, PRIO_MAIN - 1, false));
	EXPECT_OK(inv1(kt.th, THREAD_SET_RING, ct, NENT, 0, 0, 0, NULL));
	EXPECT(kthread_join(&kt, 2000), "sender did not end");
	EXPECT(kt.step == 1 && kt.res[0] == 0, "sender's enter: %s", err_name((err_t)kt.res[0]));
	m = cairn_recv(ep, CAIRN_RECV_NONBLOCK);
	EXPECT(m.err == ERR_AGAIN || (m.err == 0 && cairn_tag_label(m.tag) == SRV_ECHO),
	       "receive the dead sender's call: %s", err_name((err_t)m.err));
	if (m.err == 0)
		EXPECT_OK(cairn_reply(cairn_tag(0, 4, 0), 0, 0, 0, 0));
	kthread_free(&kt);
	cairn_unmap(va, 1);
	del(&ct);
	del(&ep);
	EXPECT(free_pages() == before, "free pages %lu before, %lu after", (unsigned long)before,
	       (unsigned long)free_pages());
}

/* ---- timers ------------------------------------------------------------------------------- */

void t_timer_oneshot(void)
{
	cap_t tm = mk(OBJ_TIMER), n = mk(OBJ_NOTIFICATION);
	uint64_t deadline, bits, t;

	CHECK(tm != CAP_NULL && n != CAP_NULL, "objects");
	deadline = now_ns() + 5000000;
	CHECK_OK(inv1(tm, TIMER_SET, n, 0x2, deadline, 0, 0, NULL));
	EXPECT_OK(cairn_wait(n, 1000000000ull, &bits));
	t = now_ns();
	EXPECT(bits == 0x2, "timer bits %#lx", (unsigned long)bits);
	EXPECT(t >= deadline, "woke %ld ns before the deadline", (long)(deadline - t));
	EXPECT_ERR(cairn_wait(n, 20000000, &bits), ERR_TIMEDOUT);     /* once only */
	/* a deadline in the past fires at once */
	CHECK_OK(inv1(tm, TIMER_SET, n, 0x4, 1, 0, 0, NULL));
	EXPECT_OK(cairn_wait(n, 1000000000ull, &bits));
	EXPECT(bits == 0x4, "timer bits %#lx", (unsigned long)bits);
	del(&tm);
	del(&n);
}

void t_timer_periodic(void)
{
	cap_t tm = mk(OBJ_TIMER), n = mk(OBJ_NOTIFICATION), n2 = mk(OBJ_NOTIFICATION);
	uint64_t bits;

	CHECK(tm != CAP_NULL && n != CAP_NULL && n2 != CAP_NULL, "objects");
	CHECK_OK(inv1(tm, TIMER_SET, n, 0x1, now_ns() + 1000000, 2000000, 0, NULL));
	for (int i = 0; i < 3; i++) {
		EXPECT_OK(cairn_wait(n, 1000000000ull, &bits));
		EXPECT(bits == 1, "tick %d bits %#lx", i, (unsigned long)bits);
	}
	CHECK_OK(inv(tm, TIMER_CANCEL, 0, 0, 0, 0, NULL));
	cairn_wait(n, 0, NULL);
	EXPECT_ERR(cairn_wait(n, 30000000, &bits), ERR_TIMEDOUT);
	EXPECT_OK(inv(tm, TIMER_CANCEL, 0, 0, 0, 0, NULL));          /* idle: fine */
	/* re-arming replaces the notification */
	CHECK_OK(inv1(tm, TIMER_SET, n, 0x1, now_ns(), 1000000, 0, NULL));
	CHECK_OK(inv1(tm, TIMER_SET, n2, 0x8, now_ns(), 1000000, 0, NULL));
	EXPECT_OK(cairn_wait(n2, 1000000000ull, &bits));
	EXPECT(bits == 8, "re-armed timer bits %#lx", (unsigned long)bits);
	cairn_wait(n, 0, NULL);
	EXPECT_ERR(cairn_wait(n, 30000000, &bits), ERR_TIMEDOUT);
	/* the notification may go first: the timer holds it */
	del(&n2);
	sleep_ms(20);
	/* deleting an armed timer stops it */
	CHECK_OK(inv1(tm, TIMER_SET, n, 0x1, now_ns() + 1000000, 1000000, 0, NULL));
	del(&tm);
	cairn_wait(n, 0, NULL);
	EXPECT_ERR(cairn_wait(n, 30000000, &bits), ERR_TIMEDOUT);
	del(&n);
}

void t_timer_errors(void)
{
	cap_t tm = mk(OBJ_TIMER), n = mk(OBJ_NOTIFICATION), mo = mk_memobj(1, 0), ro;

	CHECK(tm != CAP_NULL && n != CAP_NULL && mo != CAP_NULL, "objects");
	CHECK_OK(cap_copy(n, RIGHT_READ, &ro));
	EXPECT_ERR(inv(tm, TIMER_SET, 1, now_ns(), 0, 0, NULL), ERR_INVAL);
	EXPECT_ERR(inv1(tm, TIMER_SET, ro, 1, now_ns(), 0, 0, NULL), ERR_PERM);
	EXPECT_ERR(inv1(tm, TIMER_SET, n, 1, now_ns(), 50000, 0, NULL), ERR_INVAL);  /* period < 100 us */
	EXPECT_ERR(inv1(tm, TIMER_SET, n, 1, now_ns(), 1, 0, NULL), ERR_INVAL);
	EXPECT_OK(inv1(tm, TIMER_SET, n, 1, UINT64_MAX, 0, 0, NULL));                 /* never fires */
	EXPECT_ERR(cairn_wait(n, 20000000, NULL), ERR_TIMEDOUT);
	EXPECT_ERR(inv1(tm, TIMER_SET, mo, 1, now_ns(), 0, 0, NULL), ERR_INVAL);      /* wrong type */
	del(&ro);
	del(&tm);
	del(&n);
	del(&mo);
}

/* ---- interrupts ----------------------------------------------------------------------------- */

/* KERNEL_IRQ, FREE_IRQ, DEV_PADDR, RAM_PADDR, KERNEL_MMIO_A/B: test/arch.h */

static err_t irq_get(uint64_t irq, cap_t *out)
{
	struct cairn_msg m;
	err_t e = inv(k_irqctl, IRQCTL_GET, irq, 0, 0, 0, &m);

	*out = e ? CAP_NULL : m.w[0];
	return e;
}

void t_irq_busy(void)
{
	cap_t l;

	EXPECT_ERR(irq_get(KERNEL_IRQ, &l), ERR_BUSY);
	del(&l);
}

void t_irq_get(void)
{
	uint64_t before = free_pages(), type;
	cap_t l, l2;

	CHECK_OK(irq_get(FREE_IRQ, &l));
	EXPECT_OK(cap_ident(l, &type, NULL, NULL));
	EXPECT(type == OBJ_IRQLINE, "type %lu", (unsigned long)type);
	EXPECT_ERR(irq_get(FREE_IRQ, &l2), ERR_BUSY);
	del(&l2);
	/* a copy keeps the line taken; the last capability frees it */
	CHECK_OK(cap_copy(l, RIGHTS_ALL, &l2));
	del(&l);
	EXPECT_ERR(irq_get(FREE_IRQ, &l), ERR_BUSY);
	del(&l);
	del(&l2);
	EXPECT_OK(irq_get(FREE_IRQ, &l));
	del(&l);
	EXPECT(free_pages() == before, "free pages %lu before, %lu after", (unsigned long)before,
	       (unsigned long)free_pages());
}

void t_irq_bad(void)
{
	static const uint64_t bad[] = { 0, 1023, 1024, 5000, 0xffffffffull, (1ull << 32) | FREE_IRQ,
					UINT64_MAX };
	cap_t l;

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err_t e = irq_get(bad[i], &l);
		EXPECT(e == ERR_INVAL, "IRQCTL_GET %#lx: %s, want ERR_INVAL", (unsigned long)bad[i], err_name(e));
		del(&l);
	}
}

void t_irq_bind(void)
{
	cap_t l, n = mk(OBJ_NOTIFICATION), mo = mk_memobj(1, 0), c, nro;

	CHECK(n != CAP_NULL && mo != CAP_NULL, "objects");
	CHECK_OK(irq_get(FREE_IRQ, &l));
	EXPECT_OK(inv(l, IRQ_ACK, 0, 0, 0, 0, NULL));           /* nothing bound: fine */
	EXPECT_ERR(inv(l, IRQ_BIND, 1, 0, 0, 0, NULL), ERR_INVAL);
	EXPECT_ERR(inv1(l, IRQ_BIND, mo, 1, 0, 0, 0, NULL), ERR_INVAL);
	CHECK_OK(cap_copy(n, RIGHT_READ, &nro));
	EXPECT_ERR(inv1(l, IRQ_BIND, nro, 1, 0, 0, 0, NULL), ERR_PERM);
	EXPECT_OK(inv1(l, IRQ_BIND, n, 1, 0, 0, 0, NULL));
	EXPECT_OK(inv1(l, IRQ_BIND, n, 2, 0, 0, 0, NULL));      /* again: replaces */
	EXPECT_OK(inv(l, IRQ_ACK, 0, 0, 0, 0, NULL));
	EXPECT_ERR(cairn_wait(n, 0, NULL), ERR_AGAIN);          /* no device: no interrupt */
	CHECK_OK(cap_copy(l, RIGHTS_ALL & ~RIGHT_MANAGE, &c));
	EXPECT_ERR(inv1(c, IRQ_BIND, n, 1, 0, 0, 0, NULL), ERR_PERM);
	del(&c);
	CHECK_OK(cap_copy(l, RIGHTS_ALL & ~RIGHT_WRITE, &c));
	EXPECT_ERR(inv(c, IRQ_ACK, 0, 0, 0, 0, NULL), ERR_PERM);
	del(&c);
	del(&n);                 /* the line holds it */
	del(&l);
	del(&nro);
	del(&mo);
}

/* ---- device memory -------------------------------------------------------------------------- */

static err_t mmio_get(uint64_t pa, uint64_t bytes, cap_t *out)
{
	struct cairn_msg m;
	err_t e = inv(k_mmioctl, MMIOCTL_GET, pa, bytes, 0, 0, &m);

	*out = e ? CAP_NULL : m.w[0];
	return e;
}

void t_mmio_ram(void)
{
	cap_t r;

	EXPECT_ERR(mmio_get(RAM_PADDR, PG, &r), ERR_PERM);
	del(&r);
	EXPECT_ERR(mmio_get(RAM_PADDR + 0x200000, 16 * PG, &r), ERR_PERM);
	del(&r);
	EXPECT_ERR(mmio_get(RAM_PADDR - PG, 2 * PG, &r), ERR_PERM);        /* straddles the start */
	del(&r);
	/* the registers of the kernel's own drivers: interrupt controller, console UART */
	EXPECT_ERR(mmio_get(KERNEL_MMIO_A, PG, &r), ERR_BUSY);    /* PLIC; local APIC */
	del(&r);
	EXPECT_ERR(mmio_get(KERNEL_MMIO_B, PG, &r), ERR_BUSY);    /* 16550; IOAPIC */
	del(&r);
}

void t_mmio_bad(void)
{
	cap_t r;

	EXPECT_ERR(mmio_get(DEV_PADDR + 1, PG, &r), ERR_INVAL);
	del(&r);
	EXPECT_ERR(mmio_get(DEV_PADDR, 0, &r), ERR_INVAL);
	del(&r);
	EXPECT_ERR(mmio_get(DEV_PADDR, 100, &r), ERR_INVAL);
	del(&r);
	EXPECT_ERR(mmio_get(UINT64_MAX & ~(PG - 1), 2 * PG, &r), ERR_INVAL);
	del(&r);
	EXPECT_ERR(mmio_get(DEV_PADDR, 1ull << 40, &r), ERR_INVAL);
	del(&r);
}

void t_mmio_map(void)
{
	uint64_t before = free_pages(), type;
	struct cairn_msg m;
	cap_t r, th;
	void *va;

	CHECK_OK(mmio_get(DEV_PADDR, PG, &r));
	EXPECT_OK(cap_ident(r, &type, NULL, NULL));
	EXPECT(type == OBJ_MMIO, "type %lu", (unsigned long)type);
	EXPECT_OK(inv(r, MEMOBJ_INFO, 0, 0, 0, 0, &m));
	EXPECT(m.w[0] == 1 && m.w[1] == DEV_PADDR, "info: %lu pages at %#lx", (unsigned long)m.w[0],
	       (unsigned long)m.w[1]);
	CHECK_OK(cairn_map(r, 0, 1, CAIRN_PROT_R | CAIRN_PROT_W, &va));
	uint32_t magic = *(volatile uint32_t *)va;
	EXPECT(!DEV_MAGIC || magic == DEV_MAGIC, "magic %#x, want %#x", magic, DEV_MAGIC);
	EXPECT_OK(cairn_unmap(va, 1));
	EXPECT_ERR(inv1(SLOT_SELF_AS, AS_MAP, r, 0x1100000000ull, 0,
			1 | (uint64_t)(CAIRN_PROT_R | CAIRN_PROT_X) << 48, 0, NULL), ERR_PERM);
	EXPECT_ERR(inv(r, MEMOBJ_READ, 0, 8, 0, 0, NULL), ERR_NOSYS);
	EXPECT_ERR(inv(r, MEMOBJ_COPY, 0, 0, 0, 0, NULL), ERR_NOSYS);
	th = mk(OBJ_THREAD);
	EXPECT_ERR(inv1(th, THREAD_SET_IPCBUF, r, 0, 0x1100000000ull, 0, 0, NULL), ERR_INVAL);
	thread_dispose(&th);
	del(&r);
	EXPECT(free_pages() == before, "free pages %lu before, %lu after", (unsigned long)before,
	       (unsigned long)free_pages());
}

/* ---- console and kernel information --------------------------------------------------------- */

void t_console(void)
{
	static const char line[] = "# ktest: a line written with DEBUG_WRITE\n";
	struct cairn_ipcbuf *ib = cairn_ipcbuf();
	struct cairn_msg m;
	size_t n = sizeof(line) - 1;

	/* the line must appear on the console: tests/run-all.sh's
	 * ktest-icount boots --require it; here, that all of it was taken */
	cairn_console_flush();
	memcpy(&ib->w[CAIRN_MSG_REGS], line, n);
	m = cairn_call(k_console, cairn_tag(DEBUG_WRITE, CAIRN_MSG_REGS + (n + 7) / 8, 0), n, 0, 0, 0);
	EXPECT(m.err == 0 && cairn_tag_label(m.tag) == 0, "DEBUG_WRITE: %s / %s", err_name((err_t)m.err),
	       err_name((err_t)cairn_tag_label(m.tag)));
	EXPECT(m.w[0] == n, "DEBUG_WRITE wrote %lu bytes of %lu", (unsigned long)m.w[0], (unsigned long)n);
	EXPECT_ERR(inv(k_console, KINFO_TIME, 0, 0, 0, 0, NULL), ERR_NOSYS);
}

/* DEBUG_DUMP: the kernel's thread dump on the console (the harness
 * --requires its last line in tests/run-all.sh's ktest boots), write
 * right only */
void t_console_dump(void)
{
	cap_t ro;

	cairn_console_flush();
	EXPECT_ERR(inv(k_console, DEBUG_DUMP, 0, 0, 0, 0, NULL), ERR_OK);
	CHECK_OK(cap_copy(k_console, RIGHT_READ, &ro));
	EXPECT_ERR(inv(ro, DEBUG_DUMP, 0, 0, 0, 0, NULL), ERR_PERM);
	del(&ro);
}

void t_kinfo(void)
{
	struct cairn_msg m;
	uint64_t t0, t1;

	CHECK_OK(inv(k_kinfo, KINFO_FREE_PAGES, 0, 0, 0, 0, &m));
	EXPECT(m.w[0] > 0 && m.w[1] >= m.w[0] && m.w[1] < (1ull << 40), "free %lu of %lu pages",
	       (unsigned long)m.w[0], (unsigned long)m.w[1]);
	t0 = now_ns();
	sleep_ms(2);
	t1 = now_ns();
	EXPECT(t1 > t0 && time_within(2000000, t1 - t0), "time %lu then %lu%s", (unsigned long)t0,
	       (unsigned long)t1, k_icount ? " (under -icount)" : "");

	/* the clock without a system call: counter * mult >> 32 lies between two KINFO_TIMEs */
	uint64_t counter, mult;
	CHECK_OK(inv(k_kinfo, KINFO_CLOCK, 0, 0, 0, 0, &m));
	mult = m.w[0];
	EXPECT(mult > 0 && m.w[1] > 0, "mult %lu, hz %lu", (unsigned long)mult, (unsigned long)m.w[1]);
	t0 = now_ns();
	counter = clock_counter();
	t1 = now_ns();
	uint64_t ns = (uint64_t)(((unsigned __int128)counter * mult) >> 32);
	EXPECT(ns >= t0 && ns <= t1, "user-mode clock %lu not within [%lu, %lu]", (unsigned long)ns,
	       (unsigned long)t0, (unsigned long)t1);
}

/* The clock page: a read-only MemoryObject holding the real-time offset
 * KINFO_CLOCK gives; it cannot be written, nor made a ring or IPC buffer. */
void t_kinfo_page(void)
{
	uint64_t before = free_pages(), type, rights;
	struct cairn_msg m, c;
	cap_t pg, th;
	void *va;

	CHECK_OK(inv(k_kinfo, KINFO_CLOCK_PAGE, 0, 0, 0, 0, &m));
	pg = m.w[0];
	EXPECT_OK(cap_ident(pg, &type, &rights, NULL));
	EXPECT(type == OBJ_MEMOBJ && rights == RIGHT_READ, "type %lu rights %#lx", (unsigned long)type,
	       (unsigned long)rights);
	CHECK_OK(cairn_map(pg, 0, 1, CAIRN_PROT_R | CAIRN_PROT_SHARE, &va));
	const volatile struct cairn_clock_page *cp = va;
	CHECK_OK(inv(k_kinfo, KINFO_CLOCK, 0, 0, 0, 0, &c));
	EXPECT(cp->realtime_offset == c.w[2], "page offset %#lx, KINFO_CLOCK %#lx",
	       (unsigned long)cp->realtime_offset, (unsigned long)c.w[2]);
	EXPECT_OK(cairn_unmap(va, 1));
	EXPECT_ERR(inv1(SLOT_SELF_AS, AS_MAP, pg, 0x1100000000ull, 0,
			1 | (uint64_t)(CAIRN_PROT_R | CAIRN_PROT_W) << 48, 0, NULL), ERR_PERM);
	EXPECT_ERR(inv(pg, MEMOBJ_WRITE, 0, 8, 0, 0, NULL), ERR_PERM);
	th = mk(OBJ_THREAD);
	EXPECT_ERR(inv1(th, THREAD_SET_RING, pg, 1, 0, 0, 0, NULL), ERR_PERM);
	EXPECT_ERR(inv1(th, THREAD_SET_IPCBUF, pg, 0, 0x1100000000ull, 0, 0, NULL), ERR_PERM);
	thread_dispose(&th);
	/* the same page for everyone: a second capability reads the same */
	CHECK_OK(inv(k_kinfo, KINFO_CLOCK_PAGE, 0, 0, 0, 0, &m));
	EXPECT_OK(inv(m.w[0], MEMOBJ_READ, 0, 8, 0, 0, &c));
	del(&m.w[0]);
	del(&pg);
	EXPECT(free_pages() == before, "free pages %lu before, %lu after", (unsigned long)before,
	       (unsigned long)free_pages());
}

/* KINFO_SET_REALTIME: manage right only ("clock" in ktest.manifest); every
 * reader follows (KINFO_CLOCK, the clock page). */
void t_kinfo_settime(void)
{
	cap_t clk = cairn_cap("clock");
	struct cairn_msg m, c;
	uint64_t off0, now, day = 86400ull * 1000000000ull;
	void *va;

	EXPECT_ERR(inv(k_kinfo, KINFO_SET_REALTIME, day, 0, 0, 0, NULL), ERR_PERM);
	CHECK(clk != CAP_NULL, "no \"clock\" capability (kinfo m)");
	EXPECT_ERR(inv(clk, KINFO_TIME, 0, 0, 0, 0, NULL), ERR_PERM);     /* m alone reads nothing */
	EXPECT_ERR(inv(clk, KINFO_SET_REALTIME, 1ull << 63, 0, 0, 0, NULL), ERR_INVAL);
	EXPECT_ERR(inv(clk, KINFO_SET_REALTIME, UINT64_MAX, 0, 0, 0, NULL), ERR_INVAL);
	CHECK_OK(inv(k_kinfo, KINFO_CLOCK_PAGE, 0, 0, 0, 0, &m));
	CHECK_OK(cairn_map(m.w[0], 0, 1, CAIRN_PROT_R | CAIRN_PROT_SHARE, &va));
	const volatile struct cairn_clock_page *cp = va;
	uint64_t sets = cp->sets;
	CHECK_OK(inv(k_kinfo, KINFO_CLOCK, 0, 0, 0, 0, &c));
	off0 = c.w[2];
	now = now_ns();
	/* a day on: the offset moves by a day (less the time the call took) */
	CHECK_OK(inv(clk, KINFO_SET_REALTIME, now + off0 + day, 0, 0, 0, NULL));
	EXPECT_OK(inv(k_kinfo, KINFO_CLOCK, 0, 0, 0, 0, &c));
	EXPECT(off0 + day - c.w[2] < 100000000ull, "offset %#lx, want %#lx + a day",
	       (unsigned long)c.w[2], (unsigned long)off0);
	EXPECT(cp->realtime_offset == c.w[2] && cp->sets == sets + 1, "page offset %#lx sets %lu",
	       (unsigned long)cp->realtime_offset, (unsigned long)cp->sets);
	/* a time before boot: the offset wraps, real time still reads it */
	CHECK_OK(inv(clk, KINFO_SET_REALTIME, 1000, 0, 0, 0, NULL));
	EXPECT(now_ns() + cp->realtime_offset < 100001000ull, "1000 ns after 1970: reads %lu",
	       (unsigned long)(now_ns() + cp->realtime_offset));
	/* back: as it was */
	now = now_ns();
	CHECK_OK(inv(clk, KINFO_SET_REALTIME, now + off0, 0, 0, 0, NULL));
	EXPECT(off0 - cp->realtime_offset < 100000000ull, "offset %#lx, want %#lx",
	       (unsigned long)cp->realtime_offset, (unsigned long)off0);
	EXPECT_OK(cairn_unmap(va, 1));
	del(&m.w[0]);
}

/* Reads a big-endian 32-bit word (the device tree's byte order). */
static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* KINFO_FIRMWARE: a read-only copy of the firmware's tables. riscv64: a
 * device tree blob whose header's totalsize is the size given; x86-64:
 * ACPI tables back to back whose lengths add up to it, among them the
 * MADT ("APIC") and the FADT ("FACP"). Not writable, not with the manage
 * right alone, the same object on a second call, no pages used. */
void t_kinfo_firmware(void)
{
	uint64_t before, type, rights, bytes, pages, id1, id2, r[4];
	cap_t clk = cairn_cap("clock"), fw, fw2;
	struct cairn_msg m;
	const uint8_t *b;
	void *va;

	/* the kernel makes the object on the first call and keeps it */
	CHECK_OK(inv(k_kinfo, KINFO_FIRMWARE, 0, 0, 0, 0, &m));
	del(&m.w[0]);
	before = free_pages();
	CHECK_OK(inv(k_kinfo, KINFO_FIRMWARE, 0, 0, 0, 0, &m));
	fw = m.w[0];
	bytes = m.w[1];
	CHECK(bytes >= 36 && bytes < (64u << 20), "%lu bytes", (unsigned long)bytes);
	EXPECT_OK(cap_ident(fw, &type, &rights, NULL));
	EXPECT(type == OBJ_MEMOBJ && rights == RIGHT_READ, "type %lu rights %#lx", (unsigned long)type,
	       (unsigned long)rights);
	CHECK_OK(inv(fw, MEMOBJ_INFO, 0, 0, 0, 0, &m));
	pages = m.w[0];
	EXPECT(pages == (bytes + CAIRN_PAGE_SIZE - 1) / CAIRN_PAGE_SIZE, "%lu pages for %lu bytes",
	       (unsigned long)pages, (unsigned long)bytes);
	CHECK_OK(cairn_map(fw, 0, pages, CAIRN_PROT_R, &va));
	b = va;
	if (FIRMWARE_IS_FDT) {
		EXPECT(be32(b) == 0xd00dfeedu, "magic %#x, want the FDT magic d00dfeed", be32(b));
		EXPECT(be32(b + 4) == bytes, "totalsize %u, KINFO_FIRMWARE says %lu", be32(b + 4),
		       (unsigned long)bytes);
	} else {
		bool apic = false, facp = false;
		uint64_t off = 0;
		unsigned n = 0;
		while (off + 36 <= bytes) {
			uint32_t len;
			memcpy(&len, b + off + 4, 4);
			if (len < 36 || off + len > bytes)
				break;
			apic |= !memcmp(b + off, "APIC", 4);
			facp |= !memcmp(b + off, "FACP", 4);
			off += len;
			n++;
		}
		EXPECT(off == bytes, "the tables' lengths add up to %lu of %lu bytes (%u tables)",
		       (unsigned long)off, (unsigned long)bytes, n);
		EXPECT(apic && facp, "MADT %s, FADT %s among %u tables", apic ? "found" : "missing",
		       facp ? "found" : "missing", n);
	}
	for (uint64_t i = bytes; i < pages * CAIRN_PAGE_SIZE; i++)
		CHECK(b[i] == 0, "byte %lu past the end is %#x", (unsigned long)i, b[i]);
	EXPECT_OK(cairn_unmap(va, pages));
	/* not writable: no writable mapping, no MEMOBJ_WRITE, no ring */
	EXPECT_ERR(inv1(SLOT_SELF_AS, AS_MAP, fw, 0x1100000000ull, 0,
			1 | (uint64_t)(CAIRN_PROT_R | CAIRN_PROT_W) << 48, 0, NULL), ERR_PERM);
	EXPECT_ERR(inv(fw, MEMOBJ_WRITE, 0, 8, 0, 0, NULL), ERR_PERM);
	/* the same object again */
	CHECK_OK(inv(k_kinfo, KINFO_FIRMWARE, 0, 0, 0, 0, &m));
	fw2 = m.w[0];
	EXPECT(m.w[1] == bytes, "second call: %lu bytes, first %lu", (unsigned long)m.w[1],
	       (unsigned long)bytes);
	EXPECT_OK(cairn_cap_identify(fw, r));
	id1 = r[3];
	EXPECT_OK(cairn_cap_identify(fw2, r));
	id2 = r[3];
	EXPECT(id1 && id1 == id2, "object ids %lu and %lu", (unsigned long)id1, (unsigned long)id2);
	del(&fw2);
	del(&fw);
	/* the read right is needed: manage alone is not enough */
	CHECK(clk != CAP_NULL, "no \"clock\" capability (kinfo m)");
	EXPECT_ERR(inv(clk, KINFO_FIRMWARE, 0, 0, 0, 0, NULL), ERR_PERM);
	EXPECT(free_pages() == before, "free pages %lu before, %lu after", (unsigned long)before,
	       (unsigned long)free_pages());
}

/* KINFO_OBJECTS: a Notification made counts one more of its type (and its
 * bytes), deleted one less; a process made, one more quota too, which goes
 * with the process and its AddressSpace; a type out of range is ERR_INVAL.
 * (Deleting the process alone keeps the space and with it the quota: how
 * this test's first version showed a "leak" of a quota and a page a
 * process, its own.) */
static void objects_of(unsigned type, uint64_t *count, uint64_t *bytes)
{
	struct cairn_msg m;

	*count = *bytes = ~0ull;
	if (!inv(k_kinfo, KINFO_OBJECTS, type, 0, 0, 0, &m)) {
		*count = m.w[0];
		*bytes = m.w[1];
	}
}

void t_kinfo_objects(void)
{
	uint64_t n0, b0, n1, b1, q0, qb, q1, p0, p1;
	cap_t note;

	objects_of(OBJ_NOTIFICATION, &n0, &b0);
	CHECK(n0 != ~0ull && n0 > 0, "KINFO_OBJECTS of notifications failed");
	note = mk(OBJ_NOTIFICATION);
	CHECK(note != CAP_NULL, "notification");
	objects_of(OBJ_NOTIFICATION, &n1, &b1);
	EXPECT(n1 == n0 + 1 && b1 > b0, "notifications %lu (%lu bytes), then %lu (%lu bytes)",
	       (unsigned long)n0, (unsigned long)b0, (unsigned long)n1, (unsigned long)b1);
	del(&note);
	sleep_ms(1);                         /* reaped on a way out */
	objects_of(OBJ_NOTIFICATION, &n1, &b1);
	EXPECT(n1 == n0 && b1 == b0, "after the delete: %lu notifications (%lu bytes), want %lu (%lu)",
	       (unsigned long)n1, (unsigned long)b1, (unsigned long)n0, (unsigned long)b0);
	objects_of(OBJ_NONE, &q0, &qb);
	objects_of(OBJ_PROCESS, &p0, &qb);
	struct cairn_msg m;
	CHECK_OK(inv(SLOT_SELF_PROC, PROC_CREATE, OBJ_PROCESS, QUOTA_RESERVED(64 * 1024), 0, 0, &m));
	cap_t proc = m.w[0], as = m.w[1];        /* the process and its AddressSpace */
	objects_of(OBJ_NONE, &q1, &qb);
	objects_of(OBJ_PROCESS, &p1, &qb);
	EXPECT(q1 == q0 + 1 && p1 == p0 + 1, "a process made: quotas %lu -> %lu, processes %lu -> %lu",
	       (unsigned long)q0, (unsigned long)q1, (unsigned long)p0, (unsigned long)p1);
	del(&proc);
	del(&as);
	sleep_ms(1);
	objects_of(OBJ_NONE, &q1, &qb);
	EXPECT(q1 == q0, "the process and its space deleted: quotas %lu, want %lu", (unsigned long)q1,
	       (unsigned long)q0);
	EXPECT_ERR(inv(k_kinfo, KINFO_OBJECTS, OBJ_TYPE_COUNT, 0, 0, 0, NULL), ERR_INVAL);
}
