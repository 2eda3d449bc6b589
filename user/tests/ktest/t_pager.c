/* SPDX-License-Identifier: MIT */
/*
 * ktest: paged MemoryObjects (MEMOBJ_SET_PAGER .. MEMOBJ_RESIZE, page
 * requests on an Endpoint, CAIRN_FAULT_PAGER). ktest is the pager, in a
 * thread of its own (pager_thread) or from the main thread by hand; the
 * clients are threads of ktest and peer processes (peer.c, modes pg-*)
 * that map the object. A page i that the pager supplies holds
 * PG_PATTERN(i) in its first word.
 */
#include "ktest.h"

#define PVA   0x1300000000ull    /* the paged object, mapped here */
#define SVA   0x1300800000ull    /* the pager's source buffer (16 pages) */
#define CVA   0x1301000000ull    /* a private copy */
#define PG    CAIRN_PAGE_SIZE
#define WPP   (PG / 8)           /* words a page */
#define RW    (CAIRN_PROT_R | CAIRN_PROT_W)
#define SRC_PAGES 16
#define KEY   0x6b6579ull

static err_t map(cap_t mo, uint64_t va, uint64_t first, uint64_t pages, unsigned prot)
{
	return inv1(SLOT_SELF_AS, AS_MAP, mo, va, first, pages | (uint64_t)prot << 48, 0, NULL);
}

static err_t unmap(uint64_t va, uint64_t pages)
{
	return inv(SLOT_SELF_AS, AS_UNMAP, va, pages * PG, 0, 0, NULL);
}

static volatile uint64_t *page(uint64_t va, uint64_t i)
{
	return (volatile uint64_t *)(va + i * PG);
}

/* A paged object of `pages` pages (size `size` bytes), its pager ep. */
static err_t mk_paged(uint64_t pages, uint64_t size, cap_t *mo, cap_t *ep)
{
	err_t e;

	*ep = mk(OBJ_ENDPOINT);
	if ((e = create_on(SLOT_SELF_PROC, OBJ_MEMOBJ, pages, MEMOBJ_PAGED, mo)))
		return e;
	if (*ep == CAP_NULL)
		return ERR_NOMEM;
	return cairn_pager_set(*mo, *ep, KEY, size);
}

/* The source buffer the pager fills and supplies from, mapped at SVA. */
static cap_t src_buffer(void)
{
	cap_t src = mk_memobj(SRC_PAGES, 0);

	if (src != CAP_NULL && map(src, SVA, 0, SRC_PAGES, RW))
		del(&src);
	return src;
}

/* Supplies pages [first, first + n) (n <= SRC_PAGES) with their pattern
 * from the source buffer, naming it in the IPC buffer ib. */
static err_t supply(cap_t mo, cap_t src, struct cairn_ipcbuf *ib, uint64_t first, uint64_t n,
		    uint64_t *done)
{
	struct cairn_msg m;

	for (uint64_t k = 0; k < n; k++)
		page(SVA, k)[0] = PG_PATTERN(first + k);
	ib->caps[0] = src;
	m = cairn_call(mo, cairn_tag(MEMOBJ_SUPPLY, 3, 1), first, n, 0, 0);
	if (done)
		*done = m.w[0];
	return m.err ? (err_t)m.err : (err_t)cairn_tag_label(m.tag);
}

/* The pager: arg = { ep, mo, src }; res[0] requests, res[1] pages asked,
 * res[2] last w2 (CAIRN_PAGER_WRITE), res[3] a wrong badge seen, res[4]
 * the last first page, res[5] the first SUPPLY error. Ends on SRV_QUIT. */
static void pager_thread(struct kthread *kt)
{
	cap_t ep = kt->arg[0], mo = kt->arg[1], src = kt->arg[2];
	struct cairn_msg m = cairn_recv(ep, 0);
	struct cairn_page_request r;

	for (;;) {
		if (m.err)
			return;
		if (cairn_tag_label(m.tag) == SRV_QUIT) {
			cairn_reply(cairn_tag(0, 4, 0), 0, 0, 0, 0);
			return;
		}
		if (cairn_page_request(&m, &r)) {
			uint64_t n = r.count > SRC_PAGES ? SRC_PAGES : r.count;
			err_t e;
			kt->res[0]++;
			kt->res[1] += r.count;
			kt->res[2] = r.write ? CAIRN_PAGER_WRITE : 0;
			kt->res[4] = r.first;
			if (r.key != KEY)
				kt->res[3] = r.key ? r.key : 1;
			if ((e = supply(mo, src, kt->ipc, r.first, n, NULL)) && !kt->res[5])
				kt->res[5] = (uint64_t)e;
		}
		m = cairn_recv(ep, 0);
	}
}

static void pager_stop(struct kthread *kt, cap_t ep)
{
	cairn_call(ep, cairn_tag(SRV_QUIT, 0, 0), 0, 0, 0, 0);
	EXPECT(kthread_join(kt, 2000), "the pager thread did not end");
	kthread_free(kt);
}

/* One request waiting on ep (nonblocking); false when none. */
static bool take_request(cap_t ep, struct cairn_msg *r)
{
	*r = cairn_recv(ep, CAIRN_RECV_NONBLOCK);
	return !r->err && cairn_tag_label(r->tag) == CAIRN_PAGER_LABEL;
}

/* ---- tests ------------------------------------------------------------------------------- */

void t_pager_errors(void)
{
	uint64_t before = free_pages();
	cap_t mo, ep, plain = mk_memobj(4, 0), contig = mk_memobj(1, MEMOBJ_CONTIG), note = mk(OBJ_NOTIFICATION);
	cap_t src = mk_memobj(2, 0), ep_send = CAP_NULL, mo_rw = CAP_NULL, tmp;
	struct cairn_msg m;

	CHECK(plain != CAP_NULL && contig != CAP_NULL && note != CAP_NULL && src != CAP_NULL, "objects");
	CHECK_OK(mk_paged(8, 6 * PG, &mo, &ep));
	CHECK_OK(cap_copy(ep, RIGHT_WRITE, &ep_send));
	CHECK_OK(cap_copy(mo, RIGHT_READ | RIGHT_WRITE, &mo_rw));
	/* PROC_CREATE: contiguous and paged at once */
	EXPECT_ERR(create_on(SLOT_SELF_PROC, OBJ_MEMOBJ, 1, MEMOBJ_PAGED | MEMOBJ_CONTIG, &tmp), ERR_INVAL);
	/* MEMOBJ_INFO: paged, its size */
	CHECK_OK(inv(mo, MEMOBJ_INFO, 0, 0, 0, 0, &m));
	EXPECT(m.w[0] == 8 && m.w[1] == MEMOBJ_PAGED && m.w[2] == 6 * PG, "info %lu %#lx %lu",
	       (unsigned long)m.w[0], (unsigned long)m.w[1], (unsigned long)m.w[2]);
	CHECK_OK(inv(plain, MEMOBJ_INFO, 0, 0, 0, 0, &m));
	EXPECT(m.w[1] == 0 && m.w[2] == 4 * PG, "plain info %#lx %lu", (unsigned long)m.w[1],
	       (unsigned long)m.w[2]);
	/* SET_PAGER */
	EXPECT_ERR(inv1(mo, MEMOBJ_SET_PAGER, ep, 1, PG, 0, 0, NULL), ERR_BUSY);
	EXPECT_ERR(inv1(contig, MEMOBJ_SET_PAGER, ep, 1, PG, 0, 0, NULL), ERR_INVAL);
	EXPECT_ERR(inv1(plain, MEMOBJ_SET_PAGER, note, 1, PG, 0, 0, NULL), ERR_INVAL);
	EXPECT_ERR(inv1(plain, MEMOBJ_SET_PAGER, ep_send, 1, PG, 0, 0, NULL), ERR_PERM);
	EXPECT_ERR(inv1(plain, MEMOBJ_SET_PAGER, ep, 1, 5 * PG, 0, 0, NULL), ERR_RANGE);
	EXPECT_ERR(inv1(mo_rw, MEMOBJ_SET_PAGER, ep, 1, PG, 0, 0, NULL), ERR_PERM);
	EXPECT_ERR(inv(plain, MEMOBJ_SET_PAGER, 1, PG, 0, 0, NULL), ERR_INVAL);   /* no cap0 */
	/* the pager's methods on an object that is not paged */
	EXPECT_ERR(inv1(plain, MEMOBJ_SUPPLY, src, 0, 1, 0, 0, NULL), ERR_INVAL);
	EXPECT_ERR(inv(plain, MEMOBJ_FAIL, 0, 1, 0, 0, NULL), ERR_INVAL);
	EXPECT_ERR(inv(plain, MEMOBJ_DIRTY, 0, 1, 0, 0, NULL), ERR_INVAL);
	EXPECT_ERR(inv(plain, MEMOBJ_EVICT, 0, 1, 0, 0, NULL), ERR_INVAL);
	EXPECT_ERR(inv(plain, MEMOBJ_RESIZE, PG, 0, 0, 0, NULL), ERR_INVAL);
	/* without the manage right */
	EXPECT_ERR(inv1(mo_rw, MEMOBJ_SUPPLY, src, 0, 1, 0, 0, NULL), ERR_PERM);
	EXPECT_ERR(inv(mo_rw, MEMOBJ_DIRTY, 0, 1, 0, 0, NULL), ERR_PERM);
	EXPECT_ERR(inv(mo_rw, MEMOBJ_EVICT, 0, 1, 0, 0, NULL), ERR_PERM);
	EXPECT_ERR(inv(mo_rw, MEMOBJ_RESIZE, 0, 0, 0, 0, NULL), ERR_PERM);
	EXPECT_ERR(inv(mo_rw, MEMOBJ_FAIL, 0, 1, 0, 0, NULL), ERR_PERM);
	/* ranges */
	EXPECT_ERR(inv1(mo, MEMOBJ_SUPPLY, src, 5, 2, 0, 0, NULL), ERR_RANGE);      /* past the size */
	EXPECT_ERR(inv1(mo, MEMOBJ_SUPPLY, src, 0, 3, 0, 0, NULL), ERR_RANGE);      /* past the source */
	EXPECT_ERR(inv1(mo, MEMOBJ_SUPPLY, src, 0, 1, ~0ull, 0, NULL), ERR_RANGE);
	EXPECT_ERR(inv1(mo, MEMOBJ_SUPPLY, src, ~0ull, 2, 0, 0, NULL), ERR_RANGE);
	EXPECT_ERR(inv1(mo, MEMOBJ_SUPPLY, mo, 0, 1, 1, 0, NULL), ERR_INVAL);       /* itself */
	EXPECT_ERR(inv1(mo, MEMOBJ_SUPPLY, note, 0, 1, 0, 0, NULL), ERR_INVAL);
	EXPECT_ERR(inv(mo, MEMOBJ_SUPPLY, 0, 1, 0, 0, NULL), ERR_INVAL);            /* no source */
	EXPECT_ERR(inv(mo, MEMOBJ_DIRTY, 0, 0, 0, 0, NULL), ERR_INVAL);
	EXPECT_ERR(inv(mo, MEMOBJ_DIRTY, 0, 65, 0, 0, NULL), ERR_INVAL);
	EXPECT_ERR(inv(mo, MEMOBJ_DIRTY, 7, 2, 0, 0, NULL), ERR_RANGE);
	EXPECT_ERR(inv(mo, MEMOBJ_EVICT, 9, 1, 0, 0, NULL), ERR_RANGE);
	EXPECT_ERR(inv(mo, MEMOBJ_FAIL, 1, ~0ull, 0, 0, NULL), ERR_RANGE);
	EXPECT_ERR(inv(mo, MEMOBJ_RESIZE, MEMOBJ_MAX + 1, 0, 0, 0, NULL), ERR_RANGE);
	/* the kernel never waits for the pager: absent pages are ERR_AGAIN */
	EXPECT_ERR(inv(mo, MEMOBJ_READ, 0, 8, 0, 0, NULL), ERR_AGAIN);
	EXPECT_ERR(inv(mo, MEMOBJ_READ, 6 * PG, 8, 0, 0, NULL), ERR_RANGE);          /* past the size */
	EXPECT_ERR(inv(mo, MEMOBJ_PADDR, 0, 0, 0, 0, NULL), ERR_INVAL);
	EXPECT_ERR(inv1(SLOT_SELF_THREAD, THREAD_SET_IPCBUF, mo, 0, CAIRN_IPCBUF_VA, 0, 0, NULL),
		   ERR_INVAL);
	/* nothing asked: no request */
	EXPECT(!take_request(ep, &m), "a request nobody made");
	/* a plain object with a page touched cannot become paged */
	CHECK_OK(inv(plain, MEMOBJ_PADDR, 1, 0, 0, 0, NULL));
	EXPECT_ERR(inv1(plain, MEMOBJ_SET_PAGER, ep, 1, PG, 0, 0, NULL), ERR_BUSY);
	del(&mo_rw);
	del(&ep_send);
	del(&mo);
	del(&ep);
	del(&plain);
	del(&contig);
	del(&note);
	del(&src);
	EXPECT(free_pages() == before, "free pages %lu, want %lu", (unsigned long)free_pages(),
	       (unsigned long)before);
}

/* A pager thread serves a paged object that this thread reads through a
 * mapping: one request a page, the pattern in every page, read faults. */
void t_pager_supply_read(void)
{
	static struct kthread kt;
	uint64_t before = free_pages();
	cap_t mo, ep, src = src_buffer();
	bool ok = true;

	CHECK(src != CAP_NULL, "source buffer");
	CHECK_OK(mk_paged(8, 8 * PG, &mo, &ep));
	kt.arg[0] = ep;
	kt.arg[1] = mo;
	kt.arg[2] = src;
	CHECK_OK(kthread_start(&kt, pager_thread, PRIO_MAIN + 1, true));
	CHECK_OK(map(mo, PVA, 0, 8, RW));
	for (uint64_t i = 0; i < 8; i++)
		ok &= page(PVA, i)[0] == PG_PATTERN(i);
	EXPECT(ok, "a page did not hold its pattern");
	for (uint64_t i = 0; i < 8; i++)       /* present now: no more requests */
		ok &= page(PVA, i)[0] == PG_PATTERN(i);
	EXPECT(kt.res[0] == 8 && kt.res[1] == 8, "%lu requests for %lu pages, want 8 and 8",
	       (unsigned long)kt.res[0], (unsigned long)kt.res[1]);
	EXPECT(kt.res[2] == 0 && kt.res[3] == 0 && kt.res[5] == 0,
	       "kind %lu, wrong badge %#lx, supply error %lu", (unsigned long)kt.res[2],
	       (unsigned long)kt.res[3], (unsigned long)kt.res[5]);
	/* a write fault on an absent page says so */
	CHECK_OK(inv(mo, MEMOBJ_EVICT, 3, 1, 0, 0, NULL));
	page(PVA, 3)[1] = 7;
	EXPECT(kt.res[2] == CAIRN_PAGER_WRITE && kt.res[4] == 3, "write request: kind %lu page %lu",
	       (unsigned long)kt.res[2], (unsigned long)kt.res[4]);
	EXPECT(page(PVA, 3)[0] == PG_PATTERN(3) && page(PVA, 3)[1] == 7, "page 3 after the write");
	pager_stop(&kt, ep);
	CHECK_OK(unmap(PVA, 8));
	CHECK_OK(unmap(SVA, SRC_PAGES));
	del(&mo);
	del(&ep);
	del(&src);
	EXPECT(free_pages() == before, "free pages %lu, want %lu", (unsigned long)free_pages(),
	       (unsigned long)before);
}

/* Threads that read page 3 (arg[0]: the mapping); res[0] = what they read. */
static void reader_thread(struct kthread *kt)
{
	kt->step = 1;
	kt->res[0] = page(kt->arg[0], kt->arg[1])[0];
	kt->step = 2;
}

/* Four threads fault on one page: one request. This thread is the pager,
 * by hand: the request waits on the endpoint until received. */
void t_pager_one_request(void)
{
	static struct kthread kts[4];
	uint64_t before = free_pages(), done = 0;
	cap_t mo, ep, src = src_buffer();
	struct cairn_msg r;

	CHECK(src != CAP_NULL, "source buffer");
	CHECK_OK(mk_paged(8, 8 * PG, &mo, &ep));
	CHECK_OK(map(mo, PVA, 0, 8, RW));
	for (unsigned k = 0; k < 4; k++) {
		kts[k].arg[0] = PVA;
		kts[k].arg[1] = 3;
		CHECK_OK(kthread_start(&kts[k], reader_thread, PRIO_MAIN + 1, false));
	}
	for (unsigned k = 0; k < 4; k++)
		EXPECT(kts[k].step == 1, "thread %u did not block on the page", k);
	EXPECT(take_request(ep, &r), "no request: %s", err_name((err_t)r.err));
	EXPECT(r.badge == KEY && r.w[0] == 3 && r.w[1] == 1 && r.w[2] == 0,
	       "request badge %#lx page %lu count %lu kind %lu", (unsigned long)r.badge,
	       (unsigned long)r.w[0], (unsigned long)r.w[1], (unsigned long)r.w[2]);
	EXPECT(!take_request(ep, &r), "a second request for page %lu", (unsigned long)r.w[0]);
	EXPECT_OK(supply(mo, src, cairn_ipcbuf(), 3, 1, &done));
	EXPECT(done == 1, "supplied %lu", (unsigned long)done);
	for (unsigned k = 0; k < 4; k++) {
		EXPECT(kthread_join(&kts[k], 2000), "thread %u did not resume", k);
		EXPECT(kts[k].res[0] == PG_PATTERN(3), "thread %u read %#lx", k,
		       (unsigned long)kts[k].res[0]);
		kthread_free(&kts[k]);
	}
	EXPECT(!take_request(ep, &r), "a request after the supply");
	CHECK_OK(unmap(PVA, 8));
	CHECK_OK(unmap(SVA, SRC_PAGES));
	del(&mo);
	del(&ep);
	del(&src);
	EXPECT(free_pages() == before, "free pages %lu, want %lu", (unsigned long)free_pages(),
	       (unsigned long)before);
}

/* One fault, a range supplied in answer: the rest is there without a
 * request; a range supplied again adds nothing; the owner's quota grows
 * by the pages supplied and shrinks by those evicted. */
void t_pager_supply_range(void)
{
	static struct kthread kt;
	uint64_t before = free_pages(), done = 9, q0, q1, q2;
	cap_t mo, ep, src = src_buffer();
	struct cairn_msg r;
	bool ok = true;

	CHECK(src != CAP_NULL, "source buffer");
	CHECK_OK(mk_paged(32, 32 * PG, &mo, &ep));
	CHECK_OK(map(mo, PVA, 0, 32, RW));
	CHECK_OK(inv(SLOT_SELF_PROC, PROC_QUOTA, 0, 0, 0, 0, &r));
	q0 = r.w[1];
	kt.arg[0] = PVA;
	kt.arg[1] = 4;
	CHECK_OK(kthread_start(&kt, reader_thread, PRIO_MAIN + 1, false));
	EXPECT(take_request(ep, &r) && r.w[0] == 4 && r.w[1] == 1, "request for page 4");
	EXPECT_OK(supply(mo, src, cairn_ipcbuf(), 0, SRC_PAGES, &done));
	EXPECT(done == SRC_PAGES, "supplied %lu", (unsigned long)done);
	EXPECT(kthread_join(&kt, 2000) && kt.res[0] == PG_PATTERN(4), "the reader");
	kthread_free(&kt);
	for (uint64_t i = 0; i < SRC_PAGES; i++)
		ok &= page(PVA, i)[0] == PG_PATTERN(i);
	EXPECT(ok, "a page of the range did not hold its pattern");
	EXPECT(!take_request(ep, &r), "a request for a supplied page (%lu)", (unsigned long)r.w[0]);
	EXPECT_OK(supply(mo, src, cairn_ipcbuf(), 0, 2, &done));
	EXPECT(done == 0, "present pages supplied again: %lu", (unsigned long)done);
	CHECK_OK(inv(SLOT_SELF_PROC, PROC_QUOTA, 0, 0, 0, 0, &r));
	q1 = r.w[1];
	/* (+2: the buffer's first two pages, written again for the second
	 * supply while the object held them, are the buffer's own charge
	 * on their own until the object lets them go, kernel/memory.c) */
	EXPECT(q1 - q0 >= SRC_PAGES * PG && q1 - q0 < (SRC_PAGES + 2 + 4) * PG,
	       "quota grew %lu bytes for %u pages", (unsigned long)(q1 - q0), SRC_PAGES);
	/* the pager's own buffer, shared: its write copies, the object keeps its page */
	page(SVA, 0)[0] = 0xbad;
	EXPECT(page(PVA, 0)[0] == PG_PATTERN(0), "the source's later write reached the object");
	CHECK_OK(inv(mo, MEMOBJ_EVICT, 0, 32, 0, 0, &r));
	EXPECT(r.w[0] == SRC_PAGES, "evicted %lu", (unsigned long)r.w[0]);
	CHECK_OK(inv(SLOT_SELF_PROC, PROC_QUOTA, 0, 0, 0, 0, &r));
	q2 = r.w[1];
	EXPECT(q1 - q2 >= SRC_PAGES * PG, "quota after evicting: %lu, was %lu", (unsigned long)q2,
	       (unsigned long)q1);
	CHECK_OK(unmap(PVA, 32));
	CHECK_OK(unmap(SVA, SRC_PAGES));
	del(&mo);
	del(&ep);
	del(&src);
	EXPECT(free_pages() == before, "free pages %lu, want %lu", (unsigned long)free_pages(),
	       (unsigned long)before);
}

/* A peer process (peer.c, mode) maps the paged object; this thread is
 * its pager by hand. Returns after the peer's first request (in *r). */
static err_t spawn_client(const char *mode, cap_t mo, cap_t ready, struct cairn_child *c)
{
	struct cairn_spawn_cap caps[] = {
		{ "mo", mo, RIGHT_READ | RIGHT_WRITE, 0 }, { "ready", ready, RIGHT_WRITE, 0 },
	};

	return spawn_peer("kt-pgclient", mode, caps, 2, PRIO_MAIN - 1, 1 << 20, CAP_NULL, c);
}

/* Waits up to 2 s for a request on ep. */
static bool wait_request(cap_t ep, struct cairn_msg *r)
{
	for (unsigned t = 0; t < 200; t++) {
		if (take_request(ep, r))
			return true;
		sleep_ms(10);
	}
	return false;
}

/* Waits up to 2 s for the child to end; its status. */
static bool child_ended(struct cairn_child *c, struct cairn_proc_status *st)
{
	for (unsigned t = 0; t < 200; t++) {
		if (!proc_status(c->proc, st) && st->state != PROC_STATE_RUNNING)
			return true;
		sleep_ms(10);
	}
	return false;
}

/* A failed range: the waiting peer gets CAIRN_FAULT_PAGER (no fault
 * handler: it is ended, FAULTED). A later fault asks again. */
void t_pager_fail(void)
{
	uint64_t before = free_pages();
	cap_t mo, ep, ready = mk(OBJ_NOTIFICATION);
	struct cairn_proc_status st;
	struct cairn_child c;
	struct cairn_msg r;

	CHECK(ready != CAP_NULL, "notification");
	CHECK_OK(mk_paged(8, 8 * PG, &mo, &ep));
	CHECK_OK(spawn_client("pg-read", mo, ready, &c));
	EXPECT(wait_bits(ready, 2000) == 1, "peer not ready");
	CHECK(wait_request(ep, &r), "no request from the peer");
	EXPECT(r.w[0] == 5 && r.w[1] == 1, "request for page %lu (%lu)", (unsigned long)r.w[0],
	       (unsigned long)r.w[1]);
	CHECK_OK(inv(mo, MEMOBJ_FAIL, 0, 8, 0, 0, &r));
	EXPECT(r.w[0] == 1, "failed %lu requests", (unsigned long)r.w[0]);
	EXPECT(child_ended(&c, &st), "the peer still runs after MEMOBJ_FAIL");
	EXPECT(st.state == PROC_STATE_FAULTED && st.status == CAIRN_FAULT_PAGER,
	       "peer state %u status %ld", st.state, (long)st.status);
	EXPECT(st.fault_addr >= CAIRN_VM_BASE, "fault address %#lx", (unsigned long)st.fault_addr);
	child_end(&c);
	/* failed, not forgotten: the next fault asks again */
	CHECK_OK(spawn_client("pg-read", mo, ready, &c));
	EXPECT(wait_bits(ready, 2000) == 1, "peer not ready");
	EXPECT(wait_request(ep, &r) && r.w[0] == 5, "no second request");
	CHECK_OK(inv(mo, MEMOBJ_FAIL, 5, 1, 0, 0, NULL));
	EXPECT(child_ended(&c, &st) && st.status == CAIRN_FAULT_PAGER, "second peer");
	child_end(&c);
	del(&mo);
	del(&ep);
	del(&ready);
	EXPECT(free_pages() == before, "free pages %lu, want %lu", (unsigned long)free_pages(),
	       (unsigned long)before);
}

/* A waiter killed while it waits is cleaned up; the page supplied after
 * wakes nobody; a page past the size faults at once. */
void t_pager_killed_waiter(void)
{
	uint64_t before = free_pages(), done = 0;
	cap_t mo, ep, ready = mk(OBJ_NOTIFICATION), src = src_buffer();
	struct cairn_proc_status st;
	struct cairn_child c;
	struct cairn_msg r;

	CHECK(ready != CAP_NULL && src != CAP_NULL, "objects");
	CHECK_OK(mk_paged(8, 8 * PG, &mo, &ep));
	CHECK_OK(spawn_client("pg-read", mo, ready, &c));
	EXPECT(wait_bits(ready, 2000) == 1, "peer not ready");
	CHECK(wait_request(ep, &r), "no request from the peer");
	CHECK_OK(inv(c.proc, PROC_KILL, 42, 0, 0, 0, NULL));
	EXPECT(child_ended(&c, &st) && st.state == PROC_STATE_KILLED, "peer state %u", st.state);
	child_end(&c);
	EXPECT_OK(supply(mo, src, cairn_ipcbuf(), 5, 1, &done));
	EXPECT(done == 1, "supplied %lu", (unsigned long)done);
	/* past the size: CAIRN_FAULT_PAGER without a request */
	CHECK_OK(inv(mo, MEMOBJ_RESIZE, 5 * PG, 0, 0, 0, NULL));
	CHECK_OK(spawn_client("pg-read", mo, ready, &c));
	EXPECT(child_ended(&c, &st) && st.state == PROC_STATE_FAULTED &&
	       st.status == CAIRN_FAULT_PAGER, "past the size: state %u status %ld", st.state,
	       (long)st.status);
	EXPECT(!take_request(ep, &r), "a request past the size");
	child_end(&c);
	CHECK_OK(unmap(SVA, SRC_PAGES));
	del(&mo);
	del(&ep);
	del(&ready);
	del(&src);
	EXPECT(free_pages() == before, "free pages %lu, want %lu", (unsigned long)free_pages(),
	       (unsigned long)before);
}

/* The pager goes (its last receive capability is deleted, or its process
 * ends) while a peer waits: the peer gets CAIRN_FAULT_PAGER, no hang. */
void t_pager_gone(void)
{
	uint64_t before = free_pages();
	cap_t mo, ep, ready = mk(OBJ_NOTIFICATION), pready = mk(OBJ_NOTIFICATION);
	struct cairn_proc_status st;
	struct cairn_child c, pc;
	struct cairn_msg r;

	CHECK(ready != CAP_NULL && pready != CAP_NULL, "objects");
	CHECK_OK(mk_paged(8, 8 * PG, &mo, &ep));
	CHECK_OK(spawn_client("pg-read", mo, ready, &c));
	EXPECT(wait_bits(ready, 2000) == 1, "peer not ready");
	CHECK(wait_request(ep, &r), "no request from the peer");
	del(&ep);                            /* the pager's only receive capability */
	EXPECT(child_ended(&c, &st) && st.state == PROC_STATE_FAULTED &&
	       st.status == CAIRN_FAULT_PAGER, "pager gone: state %u status %ld", st.state,
	       (long)st.status);
	child_end(&c);
	del(&mo);
	/* a pager process that ends: block-recv receives one request and exits */
	CHECK_OK(mk_paged(8, 8 * PG, &mo, &ep));
	{
		struct cairn_spawn_cap caps[] = { { "ep", ep, RIGHT_READ, 0 },
						  { "ready", pready, RIGHT_WRITE, 0 } };
		CHECK_OK(spawn_peer("kt-pager", "block-recv", caps, 2, PRIO_MAIN - 1, 1 << 20, CAP_NULL,
				    &pc));
	}
	EXPECT(wait_bits(pready, 2000) == 1, "pager peer not ready");
	del(&ep);
	CHECK_OK(spawn_client("pg-read", mo, ready, &c));
	EXPECT(child_ended(&pc, &st) && st.state == PROC_STATE_EXITED, "the pager peer: state %u",
	       st.state);
	EXPECT(child_ended(&c, &st) && st.state == PROC_STATE_FAULTED &&
	       st.status == CAIRN_FAULT_PAGER, "pager process ended: state %u status %ld", st.state,
	       (long)st.status);
	child_end(&c);
	child_end(&pc);
	/* and a new pager may take the object over */
	ep = mk(OBJ_ENDPOINT);
	EXPECT_OK(inv1(mo, MEMOBJ_SET_PAGER, ep, KEY, 8 * PG, 0, 0, NULL));
	del(&mo);
	del(&ep);
	del(&ready);
	del(&pready);
	EXPECT(free_pages() == before, "free pages %lu, want %lu", (unsigned long)free_pages(),
	       (unsigned long)before);
}

/* A pager thread serves another process that reads and writes the object
 * through a mapping (peer mode pg-rw); the writes show here and as dirty
 * pages, which MEMOBJ_DIRTY reports once. */
void t_pager_process(void)
{
	static struct kthread kt;
	uint64_t before = free_pages();
	cap_t mo, ep, src = src_buffer(), ready = mk(OBJ_NOTIFICATION);
	struct cairn_proc_status st;
	struct cairn_child c;
	struct cairn_msg r;

	CHECK(src != CAP_NULL && ready != CAP_NULL, "objects");
	CHECK_OK(mk_paged(8, 8 * PG, &mo, &ep));
	kt.arg[0] = ep;
	kt.arg[1] = mo;
	kt.arg[2] = src;
	CHECK_OK(kthread_start(&kt, pager_thread, PRIO_MAIN + 1, true));
	CHECK_OK(spawn_client("pg-rw", mo, ready, &c));
	EXPECT(child_ended(&c, &st) && st.state == PROC_STATE_EXITED && st.status == 0,
	       "the client: state %u status %ld", st.state, (long)st.status);
	child_end(&c);
	EXPECT(kt.res[0] == 8 && kt.res[5] == 0, "%lu requests, supply error %lu",
	       (unsigned long)kt.res[0], (unsigned long)kt.res[5]);
	{
		uint64_t bits = 0, next = 0;
		CHECK_OK(cairn_pager_dirty(mo, 0, 8, &bits, &next));
		EXPECT(bits == ((1u << 2) | (1u << 6)) && next == 8, "dirty %#lx next %lu, want 0x44 8",
		       (unsigned long)bits, (unsigned long)next);
	}
	CHECK_OK(inv(mo, MEMOBJ_DIRTY, 0, 8, 0, 0, &r));
	EXPECT(r.w[0] == 0, "dirty again: %#lx", (unsigned long)r.w[0]);
	CHECK_OK(map(mo, PVA, 0, 8, CAIRN_PROT_R));
	EXPECT(page(PVA, 2)[1] == 0xd00d2 && page(PVA, 6)[1] == 0xd00d6 && page(PVA, 6)[0] == PG_PATTERN(6),
	       "the client's writes: %#lx %#lx", (unsigned long)page(PVA, 2)[1],
	       (unsigned long)page(PVA, 6)[1]);
	EXPECT(kt.res[0] == 8, "the client's pages were asked for again");
	pager_stop(&kt, ep);
	CHECK_OK(unmap(PVA, 8));
	CHECK_OK(unmap(SVA, SRC_PAGES));
	del(&mo);
	del(&ep);
	del(&src);
	del(&ready);
	EXPECT(free_pages() == before, "free pages %lu, want %lu", (unsigned long)free_pages(),
	       (unsigned long)before);
}

/* Dirty tracking through a shared mapping here: the first write after a
 * supply or a report is seen, a later one too; MEMOBJ_WRITE counts;
 * `next` finds the next dirty page; evicting keeps dirty pages. */
void t_pager_dirty(void)
{
	static struct kthread kt;
	uint64_t before = free_pages(), done;
	cap_t mo, ep, src = src_buffer();
	struct cairn_msg r;

	CHECK(src != CAP_NULL, "source buffer");
	CHECK_OK(mk_paged(128, 128 * PG, &mo, &ep));
	CHECK_OK(map(mo, PVA, 0, 128, RW));
	CHECK_OK(supply(mo, src, cairn_ipcbuf(), 0, 4, &done));
	CHECK_OK(supply(mo, src, cairn_ipcbuf(), 100, 1, &done));
	EXPECT(page(PVA, 1)[0] == PG_PATTERN(1), "page 1");
	CHECK_OK(inv(mo, MEMOBJ_DIRTY, 0, 4, 0, 0, &r));
	EXPECT(r.w[0] == 0 && r.w[1] == 128, "clean after a read: %#lx next %lu", (unsigned long)r.w[0],
	       (unsigned long)r.w[1]);
	page(PVA, 1)[5] = 1;
	page(PVA, 100)[5] = 1;
	CHECK_OK(inv(mo, MEMOBJ_DIRTY, 0, 4, 0, 0, &r));
	EXPECT(r.w[0] == 2 && r.w[1] == 100, "after a write: %#lx next %lu", (unsigned long)r.w[0],
	       (unsigned long)r.w[1]);
	page(PVA, 1)[6] = 2;                 /* write-protected again: seen again */
	CHECK_OK(inv(mo, MEMOBJ_DIRTY, 0, 4, 0, 0, &r));
	EXPECT(r.w[0] == 2, "a second write: %#lx", (unsigned long)r.w[0]);
	cairn_ipcbuf()->w[CAIRN_MSG_REGS] = 9;
	r = cairn_call(mo, cairn_tag(MEMOBJ_WRITE, CAIRN_MSG_REGS + 1, 0), 3 * PG + 8, 8, 0, 0);
	EXPECT(!r.err && cairn_tag_label(r.tag) == 0, "MEMOBJ_WRITE");
	/* evict: the dirty pages (3, 100) stay, the clean ones go */
	CHECK_OK(inv(mo, MEMOBJ_EVICT, 0, 128, 0, 0, &r));
	EXPECT(r.w[0] == 3, "evicted %lu, want 3", (unsigned long)r.w[0]);
	EXPECT(page(PVA, 3)[1] == 9 && page(PVA, 100)[5] == 1, "dirty pages after evicting");
	CHECK_OK(inv(mo, MEMOBJ_DIRTY, 0, 64, 0, 0, &r));
	EXPECT(r.w[0] == 8 && r.w[1] == 100, "MEMOBJ_WRITE's page: %#lx next %lu",
	       (unsigned long)r.w[0], (unsigned long)r.w[1]);
	/* an evicted page comes back through the pager */
	kt.arg[0] = ep;
	kt.arg[1] = mo;
	kt.arg[2] = src;
	CHECK_OK(kthread_start(&kt, pager_thread, PRIO_MAIN + 1, true));
	EXPECT(page(PVA, 1)[0] == PG_PATTERN(1) && page(PVA, 1)[5] == 0, "page 1 after refaulting");
	EXPECT(kt.res[0] == 1 && kt.res[4] == 1, "refault: %lu requests, page %lu",
	       (unsigned long)kt.res[0], (unsigned long)kt.res[4]);
	/* a page supplied by copying (zeros: the source's page 10 was never
	 * touched) is the object's alone, and read-only all the same until written */
	cairn_ipcbuf()->caps[0] = src;
	r = cairn_call(mo, cairn_tag(MEMOBJ_SUPPLY, 3, 1), 50, 1, 10, 0);
	EXPECT(!r.err && cairn_tag_label(r.tag) == 0 && r.w[0] == 1, "a supply of zeros");
	EXPECT(page(PVA, 50)[0] == 0, "not a page of zeros");
	page(PVA, 50)[2] = 3;
	CHECK_OK(inv(mo, MEMOBJ_DIRTY, 50, 1, 0, 0, &r));
	EXPECT(r.w[0] == 1, "a copied page written: dirty %#lx", (unsigned long)r.w[0]);
	page(PVA, 50)[2] = 4;
	CHECK_OK(inv(mo, MEMOBJ_DIRTY, 50, 1, 0, 0, &r));
	EXPECT(r.w[0] == 1, "a copied page written again: dirty %#lx", (unsigned long)r.w[0]);
	pager_stop(&kt, ep);
	CHECK_OK(unmap(PVA, 128));
	CHECK_OK(unmap(SVA, SRC_PAGES));
	del(&mo);
	del(&ep);
	del(&src);
	EXPECT(free_pages() == before, "free pages %lu, want %lu", (unsigned long)free_pages(),
	       (unsigned long)before);
}

/* MAP_PRIVATE: a copy-on-write copy of a paged object. A page absent in
 * both comes from the pager; the copy's writes stay its own; pages present
 * in the object when the copy is made are shared. */
void t_pager_private(void)
{
	static struct kthread kt;
	uint64_t before = free_pages(), done;
	cap_t mo, ep, copy, src = src_buffer();
	struct cairn_msg r;

	CHECK(src != CAP_NULL, "source buffer");
	CHECK_OK(mk_paged(8, 8 * PG, &mo, &ep));
	CHECK_OK(supply(mo, src, cairn_ipcbuf(), 0, 1, &done));
	CHECK_OK(inv(mo, MEMOBJ_COPY, 0, 0, 0, 0, &r));
	copy = r.w[0];
	CHECK_OK(map(mo, PVA, 0, 8, RW));
	CHECK_OK(map(copy, CVA, 0, 8, RW));
	kt.arg[0] = ep;
	kt.arg[1] = mo;
	kt.arg[2] = src;
	CHECK_OK(kthread_start(&kt, pager_thread, PRIO_MAIN + 1, true));
	/* page 2: absent in both; the copy's read asks the pager */
	EXPECT(page(CVA, 2)[0] == PG_PATTERN(2), "the copy's page 2: %#lx", (unsigned long)page(CVA, 2)[0]);
	EXPECT(kt.res[0] == 1 && kt.res[4] == 2, "%lu requests, page %lu", (unsigned long)kt.res[0],
	       (unsigned long)kt.res[4]);
	page(CVA, 2)[0] = 0xc0b1;
	page(CVA, 0)[0] = 0xc0b0;
	page(CVA, 5)[1] = 0xc0b5;            /* a write fault asks too, then copies */
	EXPECT(page(CVA, 5)[0] == PG_PATTERN(5), "the copy's page 5");
	EXPECT(page(PVA, 2)[0] == PG_PATTERN(2) && page(PVA, 0)[0] == PG_PATTERN(0) &&
	       page(PVA, 5)[1] == 0, "the copy's writes reached the object");
	CHECK_OK(inv(mo, MEMOBJ_DIRTY, 0, 8, 0, 0, &r));
	EXPECT(r.w[0] == 0, "the object dirty after private writes: %#lx", (unsigned long)r.w[0]);
	/* the object's own write does not reach the copy's page either */
	page(PVA, 2)[0] = 0x5a;
	EXPECT(page(CVA, 2)[0] == 0xc0b1, "the object's write reached the copy");
	EXPECT(kt.res[0] == 2, "requests: %lu, want 2", (unsigned long)kt.res[0]);
	/* the copy as a fork would make it (AS_COPY makes one of these too) */
	CHECK_OK(inv(copy, MEMOBJ_READ, 2 * PG, 8, 0, 0, NULL));
	EXPECT(cairn_ipcbuf()->w[CAIRN_MSG_REGS] == 0xc0b1, "MEMOBJ_READ of the copy");
	EXPECT_ERR(inv(copy, MEMOBJ_READ, 7 * PG, 8, 0, 0, NULL), ERR_AGAIN);
	pager_stop(&kt, ep);
	CHECK_OK(unmap(PVA, 8));
	CHECK_OK(unmap(CVA, 8));
	CHECK_OK(unmap(SVA, SRC_PAGES));
	del(&copy);
	del(&mo);
	del(&ep);
	del(&src);
	EXPECT(free_pages() == before, "free pages %lu, want %lu", (unsigned long)free_pages(),
	       (unsigned long)before);
}

/* MEMOBJ_RESIZE: truncation drops pages (dirty too) past the end and they
 * cannot be supplied; growing past the object's pages grows it. */
void t_pager_resize(void)
{
	uint64_t before = free_pages(), done;
	cap_t mo, ep, src = src_buffer();
	struct cairn_msg r;

	CHECK(src != CAP_NULL, "source buffer");
	CHECK_OK(mk_paged(8, 8 * PG, &mo, &ep));
	CHECK_OK(supply(mo, src, cairn_ipcbuf(), 0, 8, &done));
	CHECK_OK(map(mo, PVA, 0, 8, RW));
	page(PVA, 6)[1] = 1;                  /* dirty: dropped all the same */
	CHECK_OK(inv(mo, MEMOBJ_RESIZE, 3 * PG + 100, 0, 0, 0, NULL));
	CHECK_OK(inv(mo, MEMOBJ_INFO, 0, 0, 0, 0, &r));
	EXPECT(r.w[0] == 8 && r.w[2] == 3 * PG + 100, "info after truncating: %lu pages, %lu bytes",
	       (unsigned long)r.w[0], (unsigned long)r.w[2]);
	EXPECT_OK(inv(mo, MEMOBJ_READ, 3 * PG, 100, 0, 0, NULL));
	EXPECT_ERR(inv(mo, MEMOBJ_READ, 3 * PG + 96, 8, 0, 0, NULL), ERR_RANGE);
	EXPECT_ERR(inv(mo, MEMOBJ_READ, 6 * PG, 8, 0, 0, NULL), ERR_RANGE);
	EXPECT_ERR(inv1(mo, MEMOBJ_SUPPLY, src, 4, 1, 0, 0, NULL), ERR_RANGE);
	CHECK_OK(inv(mo, MEMOBJ_DIRTY, 0, 8, 0, 0, &r));
	EXPECT(r.w[0] == 0, "dirty bits past the end: %#lx", (unsigned long)r.w[0]);
	CHECK_OK(inv(mo, MEMOBJ_EVICT, 0, 8, 0, 0, &r));
	EXPECT(r.w[0] == 4, "pages left after truncating: %lu, want 4", (unsigned long)r.w[0]);
	/* grow past the object's 8 pages */
	CHECK_OK(inv(mo, MEMOBJ_RESIZE, 20 * PG, 0, 0, 0, NULL));
	CHECK_OK(inv(mo, MEMOBJ_INFO, 0, 0, 0, 0, &r));
	EXPECT(r.w[0] == 20 && r.w[2] == 20 * PG, "info after growing: %lu pages, %lu bytes",
	       (unsigned long)r.w[0], (unsigned long)r.w[2]);
	EXPECT_OK(supply(mo, src, cairn_ipcbuf(), 19, 1, &done));
	EXPECT(done == 1, "supplied %lu past the old end", (unsigned long)done);
	CHECK_OK(inv(mo, MEMOBJ_READ, 19 * PG, 8, 0, 0, NULL));
	EXPECT(cairn_ipcbuf()->w[CAIRN_MSG_REGS] == PG_PATTERN(19), "page 19");
	CHECK_OK(unmap(PVA, 8));
	CHECK_OK(unmap(SVA, SRC_PAGES));
	del(&mo);
	del(&ep);
	del(&src);
	EXPECT(free_pages() == before, "free pages %lu, want %lu", (unsigned long)free_pages(),
	       (unsigned long)before);
}
