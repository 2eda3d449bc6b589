/* SPDX-License-Identifier: MIT */
/*
 * ktest: messages (sizes, capability counts, the IPC buffer), IPC on
 * Endpoints between two threads and between two processes, and
 * Notifications.
 */
#include "ktest.h"


static void fill(struct cairn_ipcbuf *ib, unsigned from, unsigned to, uint64_t seed)
{
	for (unsigned i = from; i < to; i++)
		ib->w[i] = seed * 0x9e3779b97f4a7c15ull + i * 3 + 1;
}

/* ---- the server thread ---------------------------------------------------------------- */

static void srv_thread(struct kthread *kt)
{
	kt->res[0] = (uint64_t)serve(kt->arg[0], kt->ipc);
}

static err_t start_server(struct kthread *kt, cap_t ep, unsigned prio)
{
	kt->arg[0] = ep;
	return kthread_start(kt, srv_thread, prio, true);
}

/* Ends a server thread started by start_server. */
static void stop_server(struct kthread *kt, cap_t ep)
{
	struct cairn_msg m = cairn_call(ep, cairn_tag(SRV_QUIT, 0, 0), 0, 0, 0, 0);

	EXPECT(m.err == 0, "SRV_QUIT: %s", err_name((err_t)m.err));
	EXPECT(kthread_join(kt, 2000), "server thread did not end");
	kthread_free(kt);
}

/* ---- messages ----------------------------------------------------------------------------- */

void t_msg_too_long(void)
{
	static const unsigned lens[] = { CAIRN_MSG_MAX + 1, 600, 1000, 1023 };
	cap_t n = mk(OBJ_NOTIFICATION), ep = mk(OBJ_ENDPOINT);
	struct cairn_msg m;

	CHECK(n != CAP_NULL && ep != CAP_NULL, "objects");
	for (unsigned i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		uint64_t tag = cairn_tag(OBJ_IDENTIFY, lens[i], 0);
		m = cairn_call(n, tag, 0, 0, 0, 0);
		EXPECT(m.err == ERR_MSGSIZE, "call len %u on a kernel object: %s", lens[i],
		       err_name((err_t)m.err));
		m = cairn_call(ep, tag, 0, 0, 0, 0);
		EXPECT(m.err == ERR_MSGSIZE, "call len %u on an Endpoint: %s", lens[i], err_name((err_t)m.err));
		EXPECT_ERR(cairn_send(ep, tag | CAIRN_NONBLOCK, 0, 0, 0, 0), ERR_MSGSIZE);
		EXPECT_ERR(cairn_send(n, tag, 0, 0, 0, 0), ERR_MSGSIZE);
		EXPECT_ERR(cairn_reply(tag, 0, 0, 0, 0), ERR_MSGSIZE);
		m = cairn_reply_recv(ep, tag, 0, 0, 0, 0);
		EXPECT(m.err == ERR_MSGSIZE, "reply_recv len %u: %s", lens[i], err_name((err_t)m.err));
	}
	/* the largest message is fine */
	m = cairn_call(n, cairn_tag(OBJ_IDENTIFY, CAIRN_MSG_MAX, 0), 0, 0, 0, 0);
	EXPECT(m.err == 0 && cairn_tag_label(m.tag) == 0, "call len %u: %s", CAIRN_MSG_MAX,
	       err_name((err_t)m.err));
	del(&n);
	del(&ep);
}

void t_msg_too_many_caps(void)
{
	cap_t n = mk(OBJ_NOTIFICATION), ep = mk(OBJ_ENDPOINT);
	struct cairn_ipcbuf *ib = cairn_ipcbuf();
	struct cairn_msg m;

	CHECK(n != CAP_NULL && ep != CAP_NULL, "objects");
	for (unsigned i = 0; i < CAIRN_MSG_MAX_CAPS; i++)
		ib->caps[i] = n;
	for (unsigned k = CAIRN_MSG_MAX_CAPS + 1; k <= 7; k++) {
		uint64_t tag = cairn_tag(OBJ_IDENTIFY, 4, k);
		m = cairn_call(n, tag, 0, 0, 0, 0);
		EXPECT(m.err == ERR_INVAL, "%u caps to a kernel object: %s", k, err_name((err_t)m.err));
		m = cairn_call(ep, tag, 0, 0, 0, 0);
		EXPECT(m.err == ERR_INVAL, "%u caps to an Endpoint: %s", k, err_name((err_t)m.err));
		EXPECT_ERR(cairn_send(ep, tag | CAIRN_NONBLOCK, 0, 0, 0, 0), ERR_INVAL);
		EXPECT_ERR(cairn_reply(tag, 0, 0, 0, 0), ERR_INVAL);
	}
	/* four is the most: an Endpoint without a receiver then says ERR_AGAIN */
	EXPECT_ERR(cairn_send(ep, cairn_tag(1, 4, 4) | CAIRN_NONBLOCK, 0, 0, 0, 0), ERR_AGAIN);
	del(&n);
	del(&ep);
}

void t_msg_bad_cap(void)
{
	cap_t n = mk(OBJ_NOTIFICATION), ep = mk(OBJ_ENDPOINT);
	struct cairn_ipcbuf *ib = cairn_ipcbuf();
	struct cairn_msg m;

	CHECK(n != CAP_NULL && ep != CAP_NULL, "objects");
	ib->caps[0] = 5000;
	m = cairn_call(ep, cairn_tag(1, 4, 1), 0, 0, 0, 0);
	EXPECT(m.err == ERR_BADF, "call sending slot 5000: %s", err_name((err_t)m.err));
	EXPECT_ERR(cairn_send(ep, cairn_tag(1, 4, 1) | CAIRN_NONBLOCK, 0, 0, 0, 0), ERR_BADF);
	m = cairn_call(n, cairn_tag(OBJ_IDENTIFY, 4, 1), 0, 0, 0, 0);
	EXPECT(m.err == ERR_BADF, "call on a kernel object sending slot 5000: %s", err_name((err_t)m.err));
	ib->caps[0] = n;
	ib->caps[1] = CAP_NULL;
	m = cairn_call(ep, cairn_tag(1, 4, 2), 0, 0, 0, 0);
	EXPECT(m.err == ERR_BADF, "second capability CAP_NULL: %s", err_name((err_t)m.err));
	EXPECT_ERR(cairn_reply(cairn_tag(0, 4, 2), 0, 0, 0, 0), ERR_BADF);
	del(&n);
	del(&ep);
}

static void no_ipcbuf_thread(struct kthread *kt)
{
	cap_t n = kt->arg[0], mo = kt->arg[1];

	kt->res[0] = cairn_call(n, cairn_tag(OBJ_IDENTIFY, 5, 0), 0, 0, 0, 0).err;
	kt->res[1] = cairn_call(n, cairn_tag(OBJ_IDENTIFY, 4, 1), 0, 0, 0, 0).err;
	struct cairn_msg m = cairn_call(n, cairn_tag(OBJ_IDENTIFY, 4, 0), 0, 0, 0, 0);
	kt->res[2] = m.err ? m.err : cairn_tag_label(m.tag);
	m = cairn_call(mo, cairn_tag(MEMOBJ_READ, 4, 0), 0, 8, 0, 0);
	kt->res[3] = m.err ? m.err : cairn_tag_label(m.tag);
	kt->res[4] = cairn_send(n, cairn_tag(0, 6, 0), 1, 0, 0, 0);
	kt->step = 1;
}

void t_msg_no_ipcbuf(void)
{
	static struct kthread kt;
	cap_t n = mk(OBJ_NOTIFICATION), mo = mk_memobj(1, 0);

	CHECK(n != CAP_NULL && mo != CAP_NULL, "objects");
	kt.arg[0] = n;
	kt.arg[1] = mo;
	CHECK_OK(kthread_start(&kt, no_ipcbuf_thread, PRIO_MAIN, false));
	EXPECT(kthread_join(&kt, 2000), "thread did not end");
	EXPECT(kt.step == 1, "thread did not finish its calls");
	EXPECT(kt.res[0] == ERR_INVAL, "5 words without an IPC buffer: %s", err_name((err_t)kt.res[0]));
	EXPECT(kt.res[1] == ERR_INVAL, "a capability without an IPC buffer: %s", err_name((err_t)kt.res[1]));
	EXPECT(kt.res[2] == ERR_OK, "4 words without an IPC buffer: %s", err_name((err_t)kt.res[2]));
	EXPECT(kt.res[3] == ERR_INVAL, "MEMOBJ_READ without an IPC buffer: %s", err_name((err_t)kt.res[3]));
	EXPECT(kt.res[4] == ERR_INVAL, "send of 6 words without an IPC buffer: %s",
	       err_name((err_t)kt.res[4]));
	kthread_free(&kt);
	del(&n);
	del(&mo);
}

void t_msg_set_ipcbuf(void)
{
	cap_t th = mk(OBJ_THREAD), mo = mk_memobj(2, 0), contig = mk_memobj(1, MEMOBJ_CONTIG);

	CHECK(th != CAP_NULL && mo != CAP_NULL && contig != CAP_NULL, "objects");
	EXPECT_ERR(inv1(th, THREAD_SET_IPCBUF, mo, 2, KT_FAULT_VA, 0, 0, NULL), ERR_RANGE);
	EXPECT_ERR(inv1(th, THREAD_SET_IPCBUF, mo, UINT64_MAX, KT_FAULT_VA, 0, 0, NULL), ERR_RANGE);
	EXPECT_ERR(inv(th, THREAD_SET_IPCBUF, 0, KT_FAULT_VA, 0, 0, NULL), ERR_INVAL);
	EXPECT_OK(inv1(th, THREAD_SET_IPCBUF, mo, 1, KT_FAULT_VA, 0, 0, NULL));
	EXPECT_OK(inv1(th, THREAD_SET_IPCBUF, mo, 0, KT_FAULT_VA, 0, 0, NULL));    /* again: replaces */
	EXPECT_OK(inv1(th, THREAD_SET_IPCBUF, contig, 0, KT_FAULT_VA, 0, 0, NULL));
	/* the thread holds the MemoryObject: deleting our caps first is fine */
	del(&mo);
	del(&contig);
	thread_dispose(&th);
}

void t_msg_lengths(void)
{
	cap_t mo = mk_memobj(1, 0);
	struct cairn_ipcbuf *ib = cairn_ipcbuf();
	struct cairn_msg m;

	CHECK(mo != CAP_NULL, "memobj");
	/* MEMOBJ_WRITE: the bytes must be in the message */
	m = cairn_call(mo, cairn_tag(MEMOBJ_WRITE, 5, 0), 0, 9, 0, 0);
	EXPECT(cairn_tag_label(m.tag) == ERR_INVAL, "write 9 bytes from 1 word: %s",
	       err_name((err_t)cairn_tag_label(m.tag)));
	m = cairn_call(mo, cairn_tag(MEMOBJ_WRITE, 4, 0), 0, 1, 0, 0);
	EXPECT(cairn_tag_label(m.tag) == ERR_INVAL, "write 1 byte from no words: %s",
	       err_name((err_t)cairn_tag_label(m.tag)));
	m = cairn_call(mo, cairn_tag(MEMOBJ_WRITE, 2, 0), 0, 1, 0, 0);
	EXPECT(cairn_tag_label(m.tag) == ERR_INVAL, "write with a 2-word message: %s",
	       err_name((err_t)cairn_tag_label(m.tag)));
	m = cairn_call(mo, cairn_tag(MEMOBJ_WRITE, 5, 0), 0, 8, 0, 0);
	EXPECT(m.err == 0 && cairn_tag_label(m.tag) == 0, "write 8 bytes from 1 word: %s",
	       err_name((err_t)cairn_tag_label(m.tag)));
	/* MEMOBJ_READ: at most what fits in the IPC buffer */
	m = cairn_call(mo, cairn_tag(MEMOBJ_READ, 4, 0), 0, (CAIRN_MSG_MAX - CAIRN_MSG_REGS) * 8 + 1, 0, 0);
	EXPECT(cairn_tag_label(m.tag) == ERR_INVAL, "read past the IPC buffer: %s",
	       err_name((err_t)cairn_tag_label(m.tag)));
	m = cairn_call(mo, cairn_tag(MEMOBJ_READ, 4, 0), 0, 4000, 0, 0);
	EXPECT(m.err == 0 && cairn_tag_label(m.tag) == 0 && cairn_tag_len(m.tag) == 4 + 500,
	       "read 4000 bytes: %s, len %u", err_name((err_t)cairn_tag_label(m.tag)),
	       cairn_tag_len(m.tag));
	/* DEBUG_WRITE: the length must fit in the message */
	memcpy(&ib->w[CAIRN_MSG_REGS], "ktest\n", 6);
	m = cairn_call(k_console, cairn_tag(DEBUG_WRITE, 5, 0), 9, 0, 0, 0);
	EXPECT(cairn_tag_label(m.tag) == ERR_INVAL, "console write of 9 bytes from 1 word: %s",
	       err_name((err_t)cairn_tag_label(m.tag)));
	m = cairn_call(k_console, cairn_tag(DEBUG_WRITE, 3, 0), 0, 0, 0, 0);
	EXPECT(cairn_tag_label(m.tag) == ERR_INVAL, "console write with a 3-word message: %s",
	       err_name((err_t)cairn_tag_label(m.tag)));
	m = cairn_call(k_console, cairn_tag(DEBUG_WRITE, 4, 0), 0, 0, 0, 0);
	EXPECT(cairn_tag_label(m.tag) == 0, "console write of 0 bytes: %s",
	       err_name((err_t)cairn_tag_label(m.tag)));
	del(&mo);
}

/* ---- IPC between two threads ------------------------------------------------------------- */

void t_ipc_thread_call(void)
{
	static struct kthread kt;
	cap_t ep = mk(OBJ_ENDPOINT);

	CHECK(ep != CAP_NULL, "endpoint");
	CHECK_OK(start_server(&kt, ep, PRIO_MAIN));
	for (uint64_t i = 0; i < 10; i++) {
		struct cairn_msg m = cairn_call(ep, cairn_tag(SRV_ECHO, 4, 0), i, 100 + i, 200 + i, 300 + i);
		EXPECT(m.err == 0, "call %lu: %s", (unsigned long)i, err_name((err_t)m.err));
		EXPECT(cairn_tag_label(m.tag) == 0 && cairn_tag_len(m.tag) == 4 && cairn_tag_ncaps(m.tag) == 0,
		       "answer tag %#lx", (unsigned long)m.tag);
		EXPECT(m.w[0] == i + 1 && m.w[1] == 102 + i && m.w[2] == 203 + i && m.w[3] == 304 + i,
		       "answer %lu %lu %lu %lu", (unsigned long)m.w[0], (unsigned long)m.w[1],
		       (unsigned long)m.w[2], (unsigned long)m.w[3]);
		EXPECT(m.badge == 0, "answer badge %lu", (unsigned long)m.badge);
		if (t_failed())
			break;
	}
	/* a label the server does not know comes back as its error */
	struct cairn_msg m = cairn_call(ep, cairn_tag(777, 0, 0), 0, 0, 0, 0);
	EXPECT(m.err == 0 && cairn_tag_label(m.tag) == ERR_NOSYS, "unknown label: %s / %u",
	       err_name((err_t)m.err), cairn_tag_label(m.tag));
	stop_server(&kt, ep);
	EXPECT(kt.res[0] == 0, "server ended with %lu", (unsigned long)kt.res[0]);
	del(&ep);
}

void t_ipc_reply_recv(void)
{
	static struct kthread kt;
	cap_t ep = mk(OBJ_ENDPOINT);

	CHECK(ep != CAP_NULL, "endpoint");
	/* a server below us (runs when we block) and one above us */
	for (unsigned prio = PRIO_MAIN - 1; prio <= PRIO_MAIN + 1; prio += 2) {
		CHECK_OK(start_server(&kt, ep, prio));
		for (uint64_t i = 0; i < 200; i++) {
			struct cairn_msg m = cairn_call(ep, cairn_tag(SRV_ECHO, 1, 0), i, 0, 0, 0);
			if (m.err || m.w[0] != i + 1) {
				t_fail(__LINE__, "server prio %u call %lu: %s, w0 %lu", prio, (unsigned long)i,
				       err_name((err_t)m.err), (unsigned long)m.w[0]);
				break;
			}
		}
		stop_server(&kt, ep);
	}
	del(&ep);
}

void t_ipc_send(void)
{
	static struct kthread kt;
	cap_t ep = mk(OBJ_ENDPOINT), ep2 = mk(OBJ_ENDPOINT);
	struct cairn_msg m;

	CHECK(ep != CAP_NULL && ep2 != CAP_NULL, "endpoints");
	/* no receiver: a nonblocking send fails, a blocking one waits for one */
	EXPECT_ERR(cairn_send(ep2, cairn_tag(SRV_SEND, 1, 0) | CAIRN_NONBLOCK, 1, 0, 0, 0), ERR_AGAIN);
	CHECK_OK(start_server(&kt, ep, PRIO_MAIN - 1));
	EXPECT_OK(cairn_send(ep, cairn_tag(SRV_SEND, 1, 0), 5, 0, 0, 0));   /* blocks until received */
	sleep_ms(20);                                                       /* the server waits again */
	EXPECT_OK(cairn_send(ep, cairn_tag(SRV_SEND, 1, 0) | CAIRN_NONBLOCK, 6, 0, 0, 0));
	m = cairn_call(ep, cairn_tag(SRV_STAT, 0, 0), 0, 0, 0, 0);
	EXPECT(m.err == 0 && m.w[0] == 2 && m.w[1] == 6, "server saw %lu sends, last %lu (%s)",
	       (unsigned long)m.w[0], (unsigned long)m.w[1], err_name((err_t)m.err));
	/* SYS_SEND on a kernel object invokes it and drops the answer */
	cap_t n = mk(OBJ_NOTIFICATION);
	uint64_t bits;
	EXPECT_OK(cairn_send(n, cairn_tag(NOTIFY_SIGNAL, 1, 0), 3, 0, 0, 0));
	EXPECT_OK(cairn_wait(n, 0, &bits));
	EXPECT(bits == 3, "send on a Notification: bits %lu", (unsigned long)bits);
	cap_t mo = mk_memobj(1, 0);
	EXPECT_OK(cairn_send(mo, cairn_tag(MEMOBJ_INFO, 0, 0), 0, 0, 0, 0));
	del(&mo);
	del(&n);
	stop_server(&kt, ep);
	del(&ep);
	del(&ep2);
}

static void long_msg(cap_t ep, unsigned len)
{
	struct cairn_ipcbuf *ib = cairn_ipcbuf();
	struct cairn_msg m;

	fill(ib, CAIRN_MSG_REGS, len, len);
	m = cairn_call(ep, cairn_tag(SRV_LONG, len, 0), 1, 2, 3, 4);
	CHECK(m.err == 0 && cairn_tag_label(m.tag) == 0, "long call: %s / %u", err_name((err_t)m.err),
	      cairn_tag_label(m.tag));
	CHECK(cairn_tag_len(m.tag) == len, "answer has %u words, want %u", cairn_tag_len(m.tag), len);
	CHECK(m.w[0] == ~1ull && m.w[3] == ~4ull, "register words wrong");
	for (unsigned i = CAIRN_MSG_REGS; i < len; i++) {
		uint64_t want = ~(len * 0x9e3779b97f4a7c15ull + i * 3 + 1);
		CHECK(ib->w[i] == want, "word %u of %u: %#lx, want %#lx", i, len, (unsigned long)ib->w[i],
		      (unsigned long)want);
	}
}

void t_ipc_long(void)
{
	static struct kthread kt;
	cap_t ep = mk(OBJ_ENDPOINT);

	CHECK(ep != CAP_NULL, "endpoint");
	CHECK_OK(start_server(&kt, ep, PRIO_MAIN));
	long_msg(ep, 100);
	long_msg(ep, 5);
	stop_server(&kt, ep);
	del(&ep);
}

void t_ipc_max(void)
{
	static struct kthread kt;
	cap_t ep = mk(OBJ_ENDPOINT);

	CHECK(ep != CAP_NULL, "endpoint");
	CHECK_OK(start_server(&kt, ep, PRIO_MAIN - 1));
	long_msg(ep, CAIRN_MSG_MAX);
	stop_server(&kt, ep);
	del(&ep);
}

/* Sends notification n (rights r) with SRV_CAPSIG; the server signals it. */
static void cap_transfer(cap_t ep, cap_t n, unsigned r)
{
	cap_t c;
	uint64_t bits;

	CHECK_OK(cap_copy(n, r, &c));
	cairn_ipcbuf()->caps[0] = c;
	struct cairn_msg m = cairn_call(ep, cairn_tag(SRV_CAPSIG, 1, 1), 0x20, 0, 0, 0);
	del(&c);
	CHECK(m.err == 0 && cairn_tag_label(m.tag) == 0, "call: %s", err_name((err_t)m.err));
	CHECK(m.w[0] == 1, "server got %lu capabilities", (unsigned long)m.w[0]);
	CHECK(m.w[1] == OBJ_NOTIFICATION, "server's capability has type %lu", (unsigned long)m.w[1]);
	CHECK(m.w[2] == r, "server's capability has rights %#lx, want %#x", (unsigned long)m.w[2], r);
	CHECK_OK(cairn_wait(n, 1000000000ull, &bits));
	CHECK(bits == 0x20, "bits %#lx", (unsigned long)bits);
}

/* SRV_GIVECAP: the answer carries a Notification already signalled. */
static void cap_in_reply(cap_t ep)
{
	struct cairn_ipcbuf *ib = cairn_ipcbuf();
	uint64_t type, bits;
	cap_t got;

	ib->caps[0] = CAP_NULL;
	struct cairn_msg m = cairn_call(ep, cairn_tag(SRV_GIVECAP, 1, 0), 0x40, 0, 0, 0);
	CHECK(m.err == 0 && cairn_tag_label(m.tag) == 0, "call: %s", err_name((err_t)m.err));
	CHECK(cairn_tag_ncaps(m.tag) == 1, "answer carries %u capabilities", cairn_tag_ncaps(m.tag));
	got = ib->caps[0];
	CHECK_OK(cap_ident(got, &type, NULL, NULL));
	EXPECT(type == OBJ_NOTIFICATION, "received type %lu", (unsigned long)type);
	EXPECT_OK(cairn_wait(got, 0, &bits));
	EXPECT(bits == 0x40, "received notification bits %#lx", (unsigned long)bits);
	del(&got);
}

void t_ipc_cap_transfer(void)
{
	static struct kthread kt;
	cap_t ep = mk(OBJ_ENDPOINT), n = mk(OBJ_NOTIFICATION);
	unsigned before;

	CHECK(ep != CAP_NULL && n != CAP_NULL, "objects");
	CHECK_OK(start_server(&kt, ep, PRIO_MAIN));
	before = free_slots();
	cap_transfer(ep, n, RIGHTS_ALL);
	cap_transfer(ep, n, RIGHT_WRITE);
	EXPECT(free_slots() == before, "%u slots free before, %u after", before, free_slots());
	stop_server(&kt, ep);
	del(&ep);
	del(&n);
}

void t_ipc_cap_reply(void)
{
	static struct kthread kt;
	cap_t ep = mk(OBJ_ENDPOINT);

	CHECK(ep != CAP_NULL, "endpoint");
	CHECK_OK(start_server(&kt, ep, PRIO_MAIN - 1));
	cap_in_reply(ep);
	cap_in_reply(ep);
	stop_server(&kt, ep);
	del(&ep);
}

void t_ipc_grant_right(void)
{
	static struct kthread kt;
	cap_t ep = mk(OBJ_ENDPOINT), nog, n = mk(OBJ_NOTIFICATION);

	CHECK(ep != CAP_NULL && n != CAP_NULL, "objects");
	CHECK_OK(cap_copy(ep, RIGHT_WRITE, &nog));
	CHECK_OK(start_server(&kt, ep, PRIO_MAIN));
	/* without RIGHT_GRANT a plain call works, a call with a capability does not */
	struct cairn_msg m = cairn_call(nog, cairn_tag(SRV_ECHO, 1, 0), 1, 0, 0, 0);
	EXPECT(m.err == 0 && m.w[0] == 2, "call without RIGHT_GRANT: %s", err_name((err_t)m.err));
	cairn_ipcbuf()->caps[0] = n;
	m = cairn_call(nog, cairn_tag(SRV_CAPSIG, 1, 1), 1, 0, 0, 0);
	EXPECT(m.err == ERR_PERM, "capability through a cap without RIGHT_GRANT: %s", err_name((err_t)m.err));
	stop_server(&kt, ep);
	del(&nog);
	del(&ep);
	del(&n);
}

void t_ipc_badge(void)
{
	static struct kthread kt;
	cap_t ep = mk(OBJ_ENDPOINT), b1, b2;
	struct cairn_msg m;

	CHECK(ep != CAP_NULL, "endpoint");
	CHECK_OK(cap_mint(ep, RIGHT_WRITE | RIGHT_GRANT, 0x1234, &b1));
	CHECK_OK(cap_mint(ep, RIGHT_WRITE, 0xffffffffffffull, &b2));
	CHECK_OK(start_server(&kt, ep, PRIO_MAIN));
	m = cairn_call(b1, cairn_tag(SRV_BADGE, 0, 0), 0, 0, 0, 0);
	EXPECT(m.err == 0 && m.w[0] == 0x1234, "badge seen %#lx (%s)", (unsigned long)m.w[0],
	       err_name((err_t)m.err));
	m = cairn_call(b2, cairn_tag(SRV_BADGE, 0, 0), 0, 0, 0, 0);
	EXPECT(m.err == 0 && m.w[0] == 0xffffffffffffull, "badge seen %#lx", (unsigned long)m.w[0]);
	m = cairn_call(ep, cairn_tag(SRV_BADGE, 0, 0), 0, 0, 0, 0);
	EXPECT(m.err == 0 && m.w[0] == 0, "unbadged call seen with badge %#lx", (unsigned long)m.w[0]);
	EXPECT(m.badge == 0, "answer badge %lu", (unsigned long)m.badge);
	stop_server(&kt, ep);
	del(&b1);
	del(&b2);
	del(&ep);
}

void t_ipc_recv_nonblock(void)
{
	cap_t ep = mk(OBJ_ENDPOINT);
	struct cairn_msg m;

	CHECK(ep != CAP_NULL, "endpoint");
	m = cairn_recv(ep, CAIRN_RECV_NONBLOCK);
	EXPECT(m.err == ERR_AGAIN, "receive on an empty endpoint: %s", err_name((err_t)m.err));
	m = cairn_recv(ep, 2);
	EXPECT(m.err == ERR_INVAL, "receive flags 2: %s", err_name((err_t)m.err));
	m = cairn_recv(ep, UINT64_MAX);
	EXPECT(m.err == ERR_INVAL, "receive flags ~0: %s", err_name((err_t)m.err));
	del(&ep);
}

void t_ipc_reply_nobody(void)
{
	cap_t ep = mk(OBJ_ENDPOINT);

	CHECK(ep != CAP_NULL, "endpoint");
	EXPECT_ERR(cairn_reply(cairn_tag(0, 4, 0), 1, 2, 3, 4), ERR_NOENT);
	cairn_recv(ep, CAIRN_RECV_NONBLOCK);
	EXPECT_ERR(cairn_reply(cairn_tag(0, 4, 0), 1, 2, 3, 4), ERR_NOENT);
	del(&ep);
}

void t_ipc_drop(void)
{
	static struct kthread kt;
	cap_t ep = mk(OBJ_ENDPOINT);
	struct cairn_msg m;

	CHECK(ep != CAP_NULL, "endpoint");
	CHECK_OK(start_server(&kt, ep, PRIO_MAIN));
	m = cairn_call(ep, cairn_tag(SRV_DROP, 0, 0), 0, 0, 0, 0);
	EXPECT(m.err == ERR_PIPE, "dropped call: %s", err_name((err_t)m.err));
	m = cairn_call(ep, cairn_tag(SRV_ECHO, 1, 0), 7, 0, 0, 0);
	EXPECT(m.err == 0 && m.w[0] == 8, "call after the drop: %s", err_name((err_t)m.err));
	stop_server(&kt, ep);
	del(&ep);
}

void t_ipc_thread_dies(void)
{
	static struct kthread kt;
	cap_t ep = mk(OBJ_ENDPOINT);
	struct cairn_msg m;

	CHECK(ep != CAP_NULL, "endpoint");
	CHECK_OK(start_server(&kt, ep, PRIO_MAIN));
	m = cairn_call(ep, cairn_tag(SRV_DIE, 0, 0), 0, 0, 0, 0);
	EXPECT(m.err == ERR_PIPE, "server thread ended during the call: %s", err_name((err_t)m.err));
	EXPECT(kthread_join(&kt, 2000), "server did not end");
	EXPECT(kt.res[0] == 1, "server returned %lu", (unsigned long)kt.res[0]);
	kthread_free(&kt);
	/* nobody receives now */
	EXPECT_ERR(cairn_send(ep, cairn_tag(1, 0, 0) | CAIRN_NONBLOCK, 0, 0, 0, 0), ERR_AGAIN);
	del(&ep);
}

/* Deletes the endpoint (arg 0) while the main thread waits on it. */
static void deleter_thread(struct kthread *kt)
{
	cap_t ep = kt->arg[0];

	kt->step = 1;
	kt->res[0] = cairn_cap_delete(ep);
}

void t_ipc_ep_deleted(void)
{
	static struct kthread kt;
	cap_t ep = mk(OBJ_ENDPOINT);
	struct cairn_msg m;

	CHECK(ep != CAP_NULL, "endpoint");
	/* a caller waits for a receiver */
	kt.arg[0] = ep;
	CHECK_OK(kthread_start(&kt, deleter_thread, PRIO_MAIN - 1, false));
	m = cairn_call(ep, cairn_tag(SRV_ECHO, 0, 0), 0, 0, 0, 0);
	EXPECT(m.err == ERR_PIPE, "caller of a deleted endpoint: %s", err_name((err_t)m.err));
	EXPECT(kthread_join(&kt, 2000), "deleter did not end");
	EXPECT(kt.step == 1 && kt.res[0] == 0, "deleter: %s", err_name((err_t)kt.res[0]));
	kthread_free(&kt);
	/* a receiver waits for a sender */
	ep = mk(OBJ_ENDPOINT);
	CHECK(ep != CAP_NULL, "endpoint");
	kt.arg[0] = ep;
	CHECK_OK(kthread_start(&kt, deleter_thread, PRIO_MAIN - 1, false));
	m = cairn_recv(ep, 0);
	EXPECT(m.err == ERR_PIPE, "receiver of a deleted endpoint: %s", err_name((err_t)m.err));
	EXPECT(kthread_join(&kt, 2000), "deleter did not end");
	kthread_free(&kt);
}

/* ---- IPC between two processes ------------------------------------------------------------ */

void t_ipc_process(void)
{
	struct cairn_child c;
	struct cairn_proc_status st;
	cap_t ep = mk(OBJ_ENDPOINT), n = mk(OBJ_NOTIFICATION), exitn = mk(OBJ_NOTIFICATION), b;
	struct cairn_msg m;

	CHECK(ep != CAP_NULL && n != CAP_NULL && exitn != CAP_NULL, "objects");
	struct cairn_spawn_cap caps[] = { { "ep", ep, RIGHT_READ, 0 } };
	CHECK_OK(spawn_peer("kt-server", "server", caps, 1, PRIO_MAIN - 1, 1 << 20, exitn, &c));
	for (uint64_t i = 0; i < 20; i++) {
		m = cairn_call(ep, cairn_tag(SRV_ECHO, 4, 0), i, i, i, i);
		if (m.err || m.w[0] != i + 1 || m.w[3] != i + 4) {
			t_fail(__LINE__, "call %lu: %s", (unsigned long)i, err_name((err_t)m.err));
			break;
		}
	}
	long_msg(ep, 100);
	long_msg(ep, CAIRN_MSG_MAX);
	cap_transfer(ep, n, RIGHT_WRITE | RIGHT_READ);
	cap_in_reply(ep);
	if (!cap_mint(ep, RIGHT_WRITE, 0xb0b, &b)) {
		m = cairn_call(b, cairn_tag(SRV_BADGE, 0, 0), 0, 0, 0, 0);
		EXPECT(m.err == 0 && m.w[0] == 0xb0b, "badge across processes: %#lx", (unsigned long)m.w[0]);
		del(&b);
	}
	m = cairn_call(ep, cairn_tag(SRV_QUIT, 0, 0), 0, 0, 0, 0);
	EXPECT(m.err == 0, "quit: %s", err_name((err_t)m.err));
	EXPECT(wait_bits(exitn, 2000) == 1, "peer did not end");
	EXPECT_OK(proc_status(c.proc, &st));
	EXPECT(st.state == PROC_STATE_EXITED && st.status == 0, "peer state %u status %ld", st.state,
	       (long)st.status);
	child_end(&c);
	del(&ep);
	del(&n);
	del(&exitn);
}

void t_ipc_process_dies(void)
{
	struct cairn_child c;
	struct cairn_proc_status st;
	cap_t ep = mk(OBJ_ENDPOINT), exitn = mk(OBJ_NOTIFICATION);
	struct cairn_msg m;

	CHECK(ep != CAP_NULL && exitn != CAP_NULL, "objects");
	struct cairn_spawn_cap caps[] = { { "ep", ep, RIGHT_READ, 0 } };
	CHECK_OK(spawn_peer("kt-dies", "server", caps, 1, PRIO_MAIN - 1, 1 << 20, exitn, &c));
	m = cairn_call(ep, cairn_tag(SRV_DIE, 0, 0), 0, 0, 0, 0);
	EXPECT(m.err == ERR_PIPE, "server process exited during the call: %s", err_name((err_t)m.err));
	EXPECT(wait_bits(exitn, 2000) == 1, "peer did not end");
	EXPECT_OK(proc_status(c.proc, &st));
	EXPECT(st.state == PROC_STATE_EXITED, "peer state %u", st.state);
	child_end(&c);
	del(&ep);
	del(&exitn);
}

/* Kills the process arg[0] after arg[1] ms. */
static void killer_thread(struct kthread *kt)
{
	cairn_wait(kt->arg[2], kt->arg[1] * 1000000, NULL);
	kt->res[0] = inv(kt->arg[0], PROC_KILL, 42, 0, 0, 0, NULL);
	kt->step = 1;
}

void t_ipc_process_killed(void)
{
	struct cairn_child c;
	struct cairn_proc_status st;
	static struct kthread kt;
	cap_t ep = mk(OBJ_ENDPOINT), ready = mk(OBJ_NOTIFICATION), sleep = mk(OBJ_NOTIFICATION);
	struct cairn_msg m;

	CHECK(ep != CAP_NULL && ready != CAP_NULL && sleep != CAP_NULL, "objects");
	struct cairn_spawn_cap caps[] = { { "ep", ep, RIGHT_READ, 0 }, { "ready", ready, RIGHT_WRITE, 0 } };
	CHECK_OK(spawn_peer("kt-spinner", "recv-spin", caps, 2, PRIO_MAIN - 5, 1 << 20, CAP_NULL, &c));
	EXPECT(wait_bits(ready, 2000) == 1, "peer not ready");
	kt.arg[0] = c.proc;
	kt.arg[1] = 30;
	kt.arg[2] = sleep;
	CHECK_OK(kthread_start(&kt, killer_thread, PRIO_MAIN - 1, false));
	m = cairn_call(ep, cairn_tag(SRV_ECHO, 0, 0), 0, 0, 0, 0);
	EXPECT(m.err == ERR_PIPE, "server killed during the call: %s", err_name((err_t)m.err));
	EXPECT(kthread_join(&kt, 2000), "killer did not end");
	EXPECT(kt.res[0] == 0, "PROC_KILL: %s", err_name((err_t)kt.res[0]));
	kthread_free(&kt);
	EXPECT_OK(proc_status(c.proc, &st));
	EXPECT(st.state == PROC_STATE_KILLED && st.status == 42, "peer state %u status %ld", st.state,
	       (long)st.status);
	child_end(&c);
	del(&ep);
	del(&ready);
	del(&sleep);
}

/* Waits arg[1] ms on arg[2], then calls arg[0]: res[0] the error. */
static void late_caller_thread(struct kthread *kt)
{
	cairn_wait(kt->arg[2], kt->arg[1] * 1000000, NULL);
	kt->res[0] = cairn_call(kt->arg[0], cairn_tag(SRV_ECHO, 0, 0), 0, 0, 0, 0).err;
	kt->step = 1;
}

/* The server process holds the only capability that can receive on its
 * endpoint and is killed: the call it was serving and the call queued
 * behind it end with ERR_PIPE (the queued one waited for ever before), and
 * every later call or send fails at once. */
void t_ipc_unserved(void)
{
	struct cairn_child c;
	static struct kthread killer, caller;
	cap_t ep = mk(OBJ_ENDPOINT), ready = mk(OBJ_NOTIFICATION), sleep = mk(OBJ_NOTIFICATION), w;
	struct cairn_msg m;

	CHECK(ep != CAP_NULL && ready != CAP_NULL && sleep != CAP_NULL, "objects");
	CHECK_OK(cap_mint(ep, RIGHT_WRITE, 7, &w));
	struct cairn_spawn_cap caps[] = { { "ep", ep, RIGHT_READ, 0 }, { "ready", ready, RIGHT_WRITE, 0 } };
	CHECK_OK(spawn_peer("kt-unserved", "recv-spin", caps, 2, PRIO_MAIN - 5, 1 << 20, CAP_NULL, &c));
	EXPECT(wait_bits(ready, 2000) == 1, "peer not ready");
	del(&ep);                       /* the peer's is the one that can receive */
	caller.arg[0] = w;
	caller.arg[1] = 10;
	caller.arg[2] = sleep;
	CHECK_OK(kthread_start(&caller, late_caller_thread, PRIO_MAIN - 1, false));
	killer.arg[0] = c.proc;
	killer.arg[1] = 40;
	killer.arg[2] = sleep;
	CHECK_OK(kthread_start(&killer, killer_thread, PRIO_MAIN - 1, false));
	m = cairn_call(w, cairn_tag(SRV_ECHO, 0, 0), 0, 0, 0, 0);     /* served, never answered */
	EXPECT(m.err == ERR_PIPE, "call being served: %s", err_name((err_t)m.err));
	EXPECT(kthread_join(&killer, 2000), "killer did not end");
	EXPECT(kthread_join(&caller, 2000), "the queued caller still waits");
	EXPECT(caller.step == 1 && caller.res[0] == ERR_PIPE, "queued call: %s",
	       err_name((err_t)caller.res[0]));
	m = cairn_call(w, cairn_tag(SRV_ECHO, 0, 0), 0, 0, 0, 0);
	EXPECT(m.err == ERR_PIPE, "call after the end: %s", err_name((err_t)m.err));
	EXPECT_ERR(cairn_send(w, cairn_tag(1, 0, 0), 0, 0, 0, 0), ERR_PIPE);
	EXPECT_ERR(cairn_send(w, cairn_tag(1, 0, 0) | CAIRN_NONBLOCK, 0, 0, 0, 0), ERR_PIPE);
	kthread_free(&killer);
	kthread_free(&caller);
	child_end(&c);
	del(&w);
	del(&ready);
	del(&sleep);
}

/* ---- notifications ---------------------------------------------------------------------- */

void t_notify_poll(void)
{
	cap_t n = mk(OBJ_NOTIFICATION);
	struct cairn_msg m;

	CHECK(n != CAP_NULL, "notification");
	EXPECT_OK(inv(n, NOTIFY_SIGNAL, 1, 0, 0, 0, NULL));
	EXPECT_OK(inv(n, NOTIFY_SIGNAL, 4, 0, 0, 0, NULL));
	EXPECT_OK(inv(n, NOTIFY_SIGNAL, 0, 0, 0, 0, NULL));
	EXPECT_OK(inv(n, NOTIFY_POLL, 0, 0, 0, 0, &m));
	EXPECT(m.w[0] == 5, "poll: bits %#lx, want 5", (unsigned long)m.w[0]);
	EXPECT_ERR(inv(n, NOTIFY_POLL, 0, 0, 0, 0, &m), ERR_AGAIN);
	EXPECT_OK(inv(n, NOTIFY_SIGNAL, 1ull << 63, 0, 0, 0, NULL));
	EXPECT_OK(inv(n, NOTIFY_POLL, 0, 0, 0, 0, &m));
	EXPECT(m.w[0] == 1ull << 63, "poll: bits %#lx, want bit 63", (unsigned long)m.w[0]);
	del(&n);
}

void t_notify_wait(void)
{
	cap_t n = mk(OBJ_NOTIFICATION);
	uint64_t bits = 99, t0, dt;

	CHECK(n != CAP_NULL, "notification");
	EXPECT_ERR(cairn_wait(n, 0, &bits), ERR_AGAIN);
	t0 = now_ns();
	EXPECT_ERR(cairn_wait(n, 2000000, &bits), ERR_TIMEDOUT);
	dt = now_ns() - t0;
	EXPECT(time_within(2000000, dt), "a 2 ms wait took %lu ns%s", (unsigned long)dt,
	       k_icount ? " (under -icount)" : "");
	EXPECT_OK(cairn_send(n, 0, 0x11, 0, 0, 0));
	EXPECT_OK(cairn_wait(n, 0, &bits));
	EXPECT(bits == 0x11, "bits %#lx", (unsigned long)bits);
	EXPECT_OK(cairn_send(n, 0, 0x22, 0, 0, 0));
	EXPECT_OK(cairn_wait(n, CAIRN_FOREVER, &bits));
	EXPECT(bits == 0x22, "bits %#lx", (unsigned long)bits);
	EXPECT_OK(cairn_send(n, 0, 0x33, 0, 0, 0));
	EXPECT_OK(cairn_wait(n, 5000000, &bits));
	EXPECT(bits == 0x33, "bits %#lx", (unsigned long)bits);
	/* a huge timeout that must not overflow the deadline */
	EXPECT_OK(cairn_send(n, 0, 1, 0, 0, 0));
	EXPECT_OK(cairn_wait(n, CAIRN_FOREVER - 1, &bits));
	del(&n);
}

static void waiter_thread(struct kthread *kt)
{
	uint64_t bits = 0;

	kt->step = 1;
	kt->res[0] = cairn_wait(kt->arg[0], CAIRN_FOREVER, &bits);
	kt->res[1] = bits;
	kt->step = 2;
}

void t_notify_thread(void)
{
	static struct kthread kt;
	cap_t n = mk(OBJ_NOTIFICATION);

	CHECK(n != CAP_NULL, "notification");
	kt.arg[0] = n;
	CHECK_OK(kthread_start(&kt, waiter_thread, PRIO_MAIN + 1, false));
	EXPECT(kt.step == 1, "waiter did not run first");
	EXPECT_OK(cairn_send(n, 0, 0x8, 0, 0, 0));      /* wakes it: it runs at once */
	EXPECT(kt.step == 2, "waiter did not run on the signal");
	EXPECT(kt.res[0] == 0 && kt.res[1] == 0x8, "waiter: %s bits %#lx", err_name((err_t)kt.res[0]),
	       (unsigned long)kt.res[1]);
	EXPECT(kthread_join(&kt, 2000), "waiter did not end");
	kthread_free(&kt);
	del(&n);
}

void t_notify_deleted(void)
{
	static struct kthread kt;
	cap_t n = mk(OBJ_NOTIFICATION);

	CHECK(n != CAP_NULL, "notification");
	kt.arg[0] = n;
	CHECK_OK(kthread_start(&kt, waiter_thread, PRIO_MAIN + 1, false));
	EXPECT(kt.step == 1, "waiter did not run first");
	del(&n);                       /* the last capability: the waiter wakes */
	EXPECT(kthread_join(&kt, 2000), "waiter did not end");
	EXPECT(kt.step == 2 && kt.res[0] == ERR_PIPE, "waiter on a deleted notification: %s",
	       err_name((err_t)kt.res[0]));
	kthread_free(&kt);
}

/* A signal of a bound Notification, received as a message: 1, else 0. */
static int is_note(const struct cairn_msg *m, uint64_t bits)
{
	return !m->err && m->badge == CAIRN_NOTIFY_BADGE &&
	       cairn_tag_label(m->tag) == CAIRN_NOTIFY_LABEL && m->w[0] == bits;
}

/* Binds arg[0] to itself, then receives on arg[1]: two signals and a call
 * (answered w0 + 1) between them; a call with w0 = 0 ends it. */
static void bound_thread(struct kthread *kt)
{
	struct cairn_msg m;

	kt->res[0] = inv(kt->arg[0], NOTIFY_BIND, 0, 0, 0, 0, NULL);
	kt->step = 1;
	m = cairn_recv(kt->arg[1], 0);
	kt->res[1] = is_note(&m, 0x30);
	kt->step = 2;
	m = cairn_recv(kt->arg[1], 0);
	while (!m.err && !m.badge && m.w[0]) {
		kt->res[2]++;
		m = cairn_reply_recv(kt->arg[1], cairn_tag(0, 4, 0), m.w[0] + 1, 0, 0, 0);
		if (is_note(&m, 0x400)) {
			kt->res[3] = 1;
			kt->step = 3;
			m = cairn_recv(kt->arg[1], 0);
		}
	}
	kt->res[4] = m.err;
	cairn_reply(cairn_tag(0, 4, 0), 0, 0, 0, 0);
	kt->step = 4;
}

void t_notify_bound(void)
{
	static struct kthread kt;
	cap_t n = mk(OBJ_NOTIFICATION), n2 = mk(OBJ_NOTIFICATION), ep = mk(OBJ_ENDPOINT), c;
	struct cairn_msg m;
	uint64_t bits = 0;

	CHECK(n != CAP_NULL && n2 != CAP_NULL && ep != CAP_NULL, "objects");
	/* binding: one each way, undone by unbind */
	EXPECT_ERR(inv(n, NOTIFY_UNBIND, 0, 0, 0, 0, NULL), ERR_NOENT);
	EXPECT_OK(inv(n, NOTIFY_BIND, 0, 0, 0, 0, NULL));
	EXPECT_ERR(inv(n, NOTIFY_BIND, 0, 0, 0, 0, NULL), ERR_BUSY);
	EXPECT_ERR(inv(n2, NOTIFY_BIND, 0, 0, 0, 0, NULL), ERR_BUSY);
	CHECK_OK(cap_copy(n, RIGHT_WRITE, &c));
	EXPECT_ERR(inv(c, NOTIFY_UNBIND, 0, 0, 0, 0, NULL), ERR_PERM);
	del(&c);
	/* bits set before the receive come as its message, once */
	EXPECT_OK(cairn_send(n, 0, 0x5, 0, 0, 0));
	m = cairn_recv(ep, CAIRN_RECV_NONBLOCK);
	EXPECT(is_note(&m, 0x5), "receive: err %s badge %#lx label %#x w0 %#lx",
	       err_name((err_t)m.err), (unsigned long)m.badge, cairn_tag_label(m.tag),
	       (unsigned long)m.w[0]);
	m = cairn_recv(ep, CAIRN_RECV_NONBLOCK);
	EXPECT_ERR((err_t)m.err, ERR_AGAIN);
	/* a thread waiting on the Notification itself takes the signal first */
	kt.arg[0] = n;
	CHECK_OK(kthread_start(&kt, waiter_thread, PRIO_MAIN + 1, false));
	EXPECT_OK(cairn_send(n, 0, 0x8, 0, 0, 0));
	EXPECT(kt.step == 2 && kt.res[1] == 0x8, "waiter: step %d bits %#lx", kt.step,
	       (unsigned long)kt.res[1]);
	EXPECT(kthread_join(&kt, 2000), "waiter did not end");
	kthread_free(&kt);
	m = cairn_recv(ep, CAIRN_RECV_NONBLOCK);
	EXPECT_ERR((err_t)m.err, ERR_AGAIN);
	EXPECT_OK(inv(n, NOTIFY_UNBIND, 0, 0, 0, 0, NULL));
	EXPECT_OK(cairn_send(n, 0, 0x1, 0, 0, 0));
	m = cairn_recv(ep, CAIRN_RECV_NONBLOCK);
	EXPECT_ERR((err_t)m.err, ERR_AGAIN);
	EXPECT(cairn_wait(n, 0, &bits) == ERR_OK && bits == 1, "unbound: the bits stay with it");

	/* a thread blocked receiving wakes on the signal, and still serves calls */
	kt.arg[0] = n;
	kt.arg[1] = ep;
	CHECK_OK(kthread_start(&kt, bound_thread, PRIO_MAIN + 1, true));
	EXPECT(kt.step == 1 && kt.res[0] == ERR_OK, "bind in the thread: %s", err_name((err_t)kt.res[0]));
	EXPECT_ERR(inv(n, NOTIFY_BIND, 0, 0, 0, 0, NULL), ERR_BUSY);
	EXPECT_OK(cairn_send(n, 0, 0x30, 0, 0, 0));   /* it runs at once */
	EXPECT(kt.step == 2 && kt.res[1] == 1, "signal while receiving: step %d", kt.step);
	m = cairn_call(ep, cairn_tag(1, 4, 0), 41, 0, 0, 0);
	EXPECT(!m.err && m.w[0] == 42, "call: %s w0 %lu", err_name((err_t)m.err), (unsigned long)m.w[0]);
	EXPECT_OK(cairn_send(n, 0, 0x400, 0, 0, 0));  /* into its reply-and-receive */
	EXPECT(kt.step == 3 && kt.res[3] == 1, "signal after an answer: step %d", kt.step);
	m = cairn_call(ep, cairn_tag(1, 4, 0), 0, 0, 0, 0);
	EXPECT(kthread_join(&kt, 2000), "bound thread did not end");
	EXPECT(kt.res[2] == 1 && kt.res[4] == ERR_OK, "calls served %lu, last %s",
	       (unsigned long)kt.res[2], err_name((err_t)kt.res[4]));
	kthread_free(&kt);
	/* its end unbound it */
	EXPECT_OK(inv(n, NOTIFY_BIND, 0, 0, 0, 0, NULL));
	/* so does the Notification's end: the thread may bind another */
	del(&n);
	m = cairn_recv(ep, CAIRN_RECV_NONBLOCK);
	EXPECT_ERR((err_t)m.err, ERR_AGAIN);
	EXPECT_OK(inv(n2, NOTIFY_BIND, 0, 0, 0, 0, NULL));
	EXPECT_OK(inv(n2, NOTIFY_UNBIND, 0, 0, 0, 0, NULL));
	del(&n2);
	del(&ep);
}

/* ---- Reply objects (CAP_OP_SAVE_REPLY) ------------------------------------------------------ */

/* Receives two calls: answers the first through a saved Reply, drops the
 * second by deleting its Reply. */
static void saver_thread(struct kthread *kt)
{
	cap_t ep = kt->arg[0], rep;
	uint64_t r[3], type = 0, rights = 0;
	struct cairn_msg m = cairn_recv(ep, 0);

	kt->res[0] = m.err;
	kt->res[1] = cairn_cap_op(CAP_OP_SAVE_REPLY, 0, SLOT_SELF_PROC, 0, 0, r);  /* occupied */
	kt->res[2] = cairn_cap_op(CAP_OP_SAVE_REPLY, 0, CAP_NULL, 0, 0, r);
	rep = r[0];
	cap_ident(rep, &type, &rights, NULL);
	kt->res[3] = type << 8 | rights;
	kt->res[4] = cairn_cap_op(CAP_OP_SAVE_REPLY, 0, CAP_NULL, 0, 0, r);         /* none owed */
	kt->res[5] = cairn_reply(cairn_tag(0, 4, 0), 0, 0, 0, 0);                   /* none owed */
	kt->res[6] = cairn_send(rep, cairn_tag(0, 4, 0), m.w[0] + 1, m.w[1], 0, 0);
	kt->res[7] = cairn_send(rep, cairn_tag(0, 4, 0), 0, 0, 0, 0);               /* used */
	cairn_cap_delete(rep);
	m = cairn_recv(ep, 0);
	if (!m.err && !cairn_cap_op(CAP_OP_SAVE_REPLY, 0, CAP_NULL, 0, 0, r))
		cairn_cap_delete(r[0]);                                             /* dropped */
	kt->step = 1;
}

void t_ipc_save_reply(void)
{
	static struct kthread kt;
	cap_t ep = mk(OBJ_ENDPOINT);
	struct cairn_msg m;

	CHECK(ep != CAP_NULL, "endpoint");
	kt.arg[0] = ep;
	CHECK_OK(kthread_start(&kt, saver_thread, PRIO_MAIN - 1, true));
	m = cairn_call(ep, cairn_tag(SRV_ECHO, 4, 0), 5, 6, 0, 0);
	EXPECT(m.err == 0 && cairn_tag_label(m.tag) == 0 && m.w[0] == 6 && m.w[1] == 6,
	       "answer through a saved Reply: %s w0 %lu", err_name((err_t)m.err), (unsigned long)m.w[0]);
	m = cairn_call(ep, cairn_tag(SRV_ECHO, 4, 0), 7, 0, 0, 0);
	EXPECT(m.err == ERR_PIPE, "caller of a deleted Reply: %s", err_name((err_t)m.err));
	EXPECT(kthread_join(&kt, 2000), "server did not end");
	EXPECT(kt.step == 1, "server did not finish");
	EXPECT(kt.res[0] == 0, "receive: %s", err_name((err_t)kt.res[0]));
	EXPECT(kt.res[1] == ERR_EXIST, "save onto an occupied slot: %s", err_name((err_t)kt.res[1]));
	EXPECT(kt.res[2] == 0, "save: %s", err_name((err_t)kt.res[2]));
	EXPECT(kt.res[3] == ((uint64_t)OBJ_REPLY << 8 | (RIGHT_WRITE | RIGHT_GRANT)),
	       "saved Reply: type %lu rights %#lx", (unsigned long)(kt.res[3] >> 8),
	       (unsigned long)(kt.res[3] & 0xff));
	EXPECT(kt.res[4] == ERR_NOENT, "save with nothing owed: %s", err_name((err_t)kt.res[4]));
	EXPECT(kt.res[5] == ERR_NOENT, "SYS_REPLY after the save: %s", err_name((err_t)kt.res[5]));
	EXPECT(kt.res[6] == 0, "answer through the Reply: %s", err_name((err_t)kt.res[6]));
	EXPECT(kt.res[7] == ERR_NOENT, "second answer through the Reply: %s", err_name((err_t)kt.res[7]));
	kthread_free(&kt);
	del(&ep);
}

/* A saved Reply whose caller was killed; a Reply without RIGHT_WRITE; a
 * Reply of an asynchronous call. */
void t_ipc_reply_gone(void)
{
	struct cairn_child c;
	cap_t ep = mk(OBJ_ENDPOINT), ready = mk(OBJ_NOTIFICATION), rep, ro;
	struct cairn_msg m;
	uint64_t r[3];

	CHECK(ep != CAP_NULL && ready != CAP_NULL, "objects");
	struct cairn_spawn_cap caps[] = { { "ep", ep, RIGHT_WRITE, 0 }, { "ready", ready, RIGHT_WRITE, 0 } };
	CHECK_OK(spawn_peer("kt-caller", "block-call", caps, 2, PRIO_MAIN - 1, 1 << 20, CAP_NULL, &c));
	EXPECT(wait_bits(ready, 2000) == 1, "peer not ready");
	m = cairn_recv(ep, 0);
	CHECK(m.err == 0, "receive: %s", err_name((err_t)m.err));
	CHECK_OK(cairn_cap_op(CAP_OP_SAVE_REPLY, 0, CAP_NULL, 0, 0, r));
	rep = r[0];
	CHECK_OK(cap_copy(rep, RIGHT_GRANT, &ro));
	EXPECT_ERR(cairn_send(ro, cairn_tag(0, 4, 0), 0, 0, 0, 0), ERR_PERM);
	EXPECT_OK(inv(rep, OBJ_IDENTIFY, 0, 0, 0, 0, &m));
	EXPECT(m.w[0] == OBJ_REPLY, "identify: %lu", (unsigned long)m.w[0]);
	EXPECT_OK(inv(c.proc, PROC_KILL, 0, 0, 0, 0, NULL));
	EXPECT_ERR(cairn_send(rep, cairn_tag(0, 4, 0), 0, 0, 0, 0), ERR_PIPE);
	del(&ro);
	del(&rep);
	child_end(&c);
	del(&ep);
	del(&ready);
}
