/* SPDX-License-Identifier: MIT */
/*
 * nettest: the frame protocol (include/cairn/net.h) against the virtio
 * network driver (drivers/virtio_net) and QEMU's user networking (slirp:
 * the guest is 10.0.2.15, the gateway 10.0.2.2), by hand: the shared
 * object, the four queues, signals only to sleepers.
 *
 * Started by init (user/manifests/nettest.manifest) beside the device
 * manager, which starts the driver; the argument lookup=NAME finds it
 * (DEV_LOOKUP). Real exchanges with slirp: ARP who-has 10.0.2.2 and its
 * reply, ICMP echo to 10.0.2.2 and its reply (checksums computed here),
 * 200 of them in a row on recycled receive buffers and 16 at once; then
 * bad descriptors, a broken queue, sessions running out, and a client
 * killed with receive buffers held by the device.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <cairn/rt.h>
#include <cairn/test.h>
#include <cairn/dev_client.h>
#include <cairn/net.h>
#include <cairn/spawn.h>
#include <lib/cpio.h>

#define ENTRIES     32u
#define BUF         2048u               /* one frame buffer */
#define DATA_PAGES  (2u * ENTRIES * BUF / CAIRN_PAGE_SIZE)
#define RX_OFF(i)   (NET_DATA_OFF + (uint64_t)(i) * BUF)
#define TX_OFF(i)   (NET_DATA_OFF + (uint64_t)(ENTRIES + (i)) * BUF)
#define SEC         1000000000ull
#define QEMU_MAC    0x563412005452ull   /* 52:54:00:12:34:56, byte 0 in bits 0..7 */
#define TAG_RX      0x1000u

static const uint8_t my_ip[4] = { 10, 0, 2, 15 }, gw_ip[4] = { 10, 0, 2, 2 };
static uint8_t my_mac[6], gw_mac[6];
static cap_t c_svc = CAP_NULL, c_devmgr = CAP_NULL;
static const char *lookup_name = "net0";

/* ---- a client of the frame protocol ----------------------------------------------------- */

struct nc {
	cap_t mem, note, session;
	uint8_t *va;
	uint64_t bytes;
	volatile struct net_shm *shm;
	volatile struct net_desc *q[NET_NQ];
	uint32_t entries;
	uint32_t tail[NET_NQ];                /* ours of rx_free and tx ... */
	uint32_t head[NET_NQ];                /* ... and of rx_used and tx_done */
	unsigned kicks, sleeps;
	unsigned lost;                        /* waits that timed out with news there */
};

static struct nc nc;
static bool attached;

static err_t call(cap_t cap, uint32_t label, unsigned ncaps, uint64_t w0, uint64_t w1, struct cairn_msg *m)
{
	*m = cairn_call(cap, cairn_tag(label, CAIRN_MSG_REGS, ncaps), w0, w1, 0, 0);
	return m->err ? (err_t)m->err : (err_t)cairn_tag_label(m->tag);
}

static err_t nc_attach(struct nc *c, unsigned entries, unsigned data_pages)
{
	struct cairn_msg m;
	void *va;
	err_t e;

	memset(c, 0, sizeof(*c));
	c->mem = c->note = c->session = CAP_NULL;
	c->bytes = (uint64_t)(NET_DATA_OFF / CAIRN_PAGE_SIZE + data_pages) * CAIRN_PAGE_SIZE;
	if ((e = cairn_memobj_create(SLOT_SELF_PROC, c->bytes / CAIRN_PAGE_SIZE, MEMOBJ_CONTIG, &c->mem)))
		return e;
	if ((e = cairn_map(c->mem, 0, c->bytes / CAIRN_PAGE_SIZE, CAIRN_PROT_R | CAIRN_PROT_W, &va)))
		return e;
	c->va = va;
	if ((e = cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_NOTIFICATION, 0, 0, 0, &m)))
		return e;
	c->note = m.w[0];
	cairn_ipcbuf()->caps[0] = c->mem;
	cairn_ipcbuf()->caps[1] = c->note;
	if ((e = call(c_svc, NET_ATTACH, 2, entries, 5, &m)))
		return e;
	c->session = cairn_ipcbuf()->caps[0];
	c->entries = entries;
	c->shm = (volatile struct net_shm *)c->va;
	for (unsigned k = 0; k < NET_NQ; k++)
		c->q[k] = (volatile struct net_desc *)(c->va + NET_Q_OFF + k * NET_QUEUE_MAX * sizeof(struct net_desc));
	return ERR_OK;
}

static void nc_detach(struct nc *c)
{
	struct cairn_msg m;

	if (c->session != CAP_NULL) {
		call(c->session, NET_DETACH, 0, 0, 0, &m);
		cairn_cap_delete(c->session);
	}
	if (c->va)
		cairn_unmap(c->va, c->bytes / CAIRN_PAGE_SIZE);
	if (c->mem != CAP_NULL)
		cairn_cap_delete(c->mem);
	if (c->note != CAP_NULL)
		cairn_cap_delete(c->note);
	memset(c, 0, sizeof(*c));
	c->mem = c->note = c->session = CAP_NULL;
}

/* NET_KICK when the driver sleeps (after a full fence). */
static err_t nc_kick(struct nc *c)
{
	struct cairn_msg m;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!__atomic_load_n(&c->shm->drv_sleep, __ATOMIC_SEQ_CST))
		return ERR_OK;
	c->kicks++;
	return call(c->session, NET_KICK, 0, 0, 0, &m);
}

/* Queues a buffer on rx_free or tx (no kick). */
static void nc_put(struct nc *c, enum net_qid qi, uint64_t tag, uint64_t off, uint32_t len)
{
	volatile struct net_desc *d = &c->q[qi][c->tail[qi] % c->entries];

	d->tag = tag;
	d->off = off;
	d->len = len;
	d->err = 0;
	c->tail[qi]++;
	__atomic_store_n(&c->shm->q[qi].tail, c->tail[qi], __ATOMIC_RELEASE);
}

static bool nc_ready(struct nc *c, enum net_qid qi)
{
	return __atomic_load_n(&c->shm->q[qi].tail, __ATOMIC_ACQUIRE) != c->head[qi];
}

/* Takes one entry of rx_used or tx_done if there is one; then kicks a
 * sleeping driver if our rx_free or tx still holds entries it has not taken
 * (it may have stopped for want of room in the queue just read). */
static bool nc_take(struct nc *c, enum net_qid qi, struct net_desc *out)
{
	volatile struct net_desc *d;

	if (!nc_ready(c, qi))
		return false;
	d = &c->q[qi][c->head[qi] % c->entries];
	out->tag = d->tag;
	out->off = d->off;
	out->len = d->len;
	out->err = d->err;
	c->head[qi]++;
	__atomic_store_n(&c->shm->q[qi].head, c->head[qi], __ATOMIC_RELEASE);
	if (c->shm->q[NET_Q_RX_FREE].head != c->tail[NET_Q_RX_FREE] || c->shm->q[NET_Q_TX].head != c->tail[NET_Q_TX])
		nc_kick(c);
	return true;
}

/* Sleeps until rx_used or tx_done has something (or timeout): cli_sleep,
 * a full fence, one more look, then the Notification. */
static err_t nc_sleep(struct nc *c, uint64_t ns)
{
	err_t e;

	__atomic_store_n(&c->shm->cli_sleep, 1, __ATOMIC_SEQ_CST);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (nc_ready(c, NET_Q_RX_USED) || nc_ready(c, NET_Q_TX_DONE)) {
		__atomic_store_n(&c->shm->cli_sleep, 0, __ATOMIC_SEQ_CST);
		return ERR_OK;
	}
	c->sleeps++;
	e = cairn_wait(c->note, ns, NULL);
	__atomic_store_n(&c->shm->cli_sleep, 0, __ATOMIC_SEQ_CST);
	/* news that came without a signal while we slept: a lost wake-up */
	if (e && (nc_ready(c, NET_Q_RX_USED) || nc_ready(c, NET_Q_TX_DONE)))
		c->lost++;
	return e;
}

/* ---- frames ------------------------------------------------------------------------------ */

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }

/* The Internet checksum (RFC 1071) of n bytes. */
static uint16_t csum(const uint8_t *p, unsigned n)
{
	uint32_t s = 0;

	for (unsigned i = 0; i + 1 < n; i += 2)
		s += be16(p + i);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static unsigned make_arp(uint8_t *f)
{
	memset(f, 0, 60);
	memset(f, 0xff, 6);
	memcpy(f + 6, my_mac, 6);
	put16(f + 12, 0x0806);
	put16(f + 14, 1);                 /* Ethernet */
	put16(f + 16, 0x0800);            /* IPv4 */
	f[18] = 6;
	f[19] = 4;
	put16(f + 20, 1);                 /* request */
	memcpy(f + 22, my_mac, 6);
	memcpy(f + 28, my_ip, 4);
	memcpy(f + 38, gw_ip, 4);
	return 60;
}

/* An ARP reply to us: 10.0.2.2 is at f[22..27]. */
static bool is_arp_reply(const uint8_t *f, uint32_t len)
{
	return len >= 42 && be16(f + 12) == 0x0806 && be16(f + 20) == 2 && !memcmp(f, my_mac, 6) &&
	       !memcmp(f + 28, gw_ip, 4) && !memcmp(f + 32, my_mac, 6) && !memcmp(f + 38, my_ip, 4);
}

#define PING_DATA 56u

static void ping_payload(uint8_t *p, uint16_t seq)
{
	for (unsigned i = 0; i < PING_DATA; i++)
		p[i] = (uint8_t)(seq * 7 + i);
}

static unsigned make_ping(uint8_t *f, uint16_t seq)
{
	uint8_t *ip = f + 14, *icmp = ip + 20;

	memcpy(f, gw_mac, 6);
	memcpy(f + 6, my_mac, 6);
	put16(f + 12, 0x0800);
	memset(ip, 0, 20);
	ip[0] = 0x45;
	put16(ip + 2, 20 + 8 + PING_DATA);
	put16(ip + 4, seq);
	ip[8] = 64;                       /* ttl */
	ip[9] = 1;                        /* ICMP */
	memcpy(ip + 12, my_ip, 4);
	memcpy(ip + 16, gw_ip, 4);
	put16(ip + 10, csum(ip, 20));
	icmp[0] = 8;                      /* echo request */
	icmp[1] = 0;
	put16(icmp + 2, 0);
	put16(icmp + 4, 0xca1e);          /* id */
	put16(icmp + 6, seq);
	ping_payload(icmp + 8, seq);
	put16(icmp + 2, csum(icmp, 8 + PING_DATA));
	return 14 + 20 + 8 + PING_DATA;
}

/* The echo reply for seq: addresses, both checksums, the same payload. */
static bool is_pong(const uint8_t *f, uint32_t len, uint16_t seq)
{
	const uint8_t *ip = f + 14, *icmp;
	uint8_t want[PING_DATA];
	unsigned ihl, tot;

	if (len < 14 + 20 + 8 || be16(f + 12) != 0x0800 || (ip[0] >> 4) != 4 || ip[9] != 1)
		return false;
	ihl = (ip[0] & 15u) * 4;
	tot = be16(ip + 2);
	if (ihl < 20 || tot > len - 14 || tot < ihl + 8 + PING_DATA || csum(ip, ihl))
		return false;
	icmp = ip + ihl;
	if (memcmp(ip + 12, gw_ip, 4) || memcmp(ip + 16, my_ip, 4) || memcmp(f, my_mac, 6))
		return false;
	if (icmp[0] != 0 || be16(icmp + 4) != 0xca1e || be16(icmp + 6) != seq || csum(icmp, tot - ihl))
		return false;
	ping_payload(want, seq);
	return !memcmp(icmp + 8, want, PING_DATA);
}

/* Posts receive buffer i. */
static void post_rx(struct nc *c, unsigned i)
{
	nc_put(c, NET_Q_RX_FREE, TAG_RX + i, RX_OFF(i), BUF);
}

static unsigned tx_ok, tx_bad;        /* tx_done entries taken: sent, failed */

/*
 * Waits up to 5 s (without news) for a frame that match() accepts (the
 * others are dropped), recycling every receive buffer and counting
 * tx_done entries on the way. False (the test failed) on a timeout.
 */

static bool wait_frame(struct nc *c, bool (*match)(const uint8_t *, uint32_t, uint16_t), uint16_t arg, int line)
{
	uint64_t end = now_ns() + 5 * SEC;
	struct net_desc d;
	bool found = false;

	while (!found) {
		bool any = false;

		while (nc_take(c, NET_Q_TX_DONE, &d)) {
			any = true;
			if (d.err)
				tx_bad++;
			else
				tx_ok++;
		}
		while (!found && nc_take(c, NET_Q_RX_USED, &d)) {
			any = true;
			if (d.tag < TAG_RX || d.tag >= TAG_RX + ENTRIES || d.off != RX_OFF(d.tag - TAG_RX)) {
				t_fail(line, "rx_used: tag %#lx off %#lx", (unsigned long)d.tag, (unsigned long)d.off);
				return false;
			}
			if (!d.err && match(c->va + d.off, d.len, arg))
				found = true;
			post_rx(c, (unsigned)(d.tag - TAG_RX));
			nc_kick(c);
		}
		if (found)
			break;
		if (!any && now_ns() > end) {
			t_fail(line, "no answer within 5 s (%u sent, %u failed)", tx_ok, tx_bad);
			return false;
		}
		if (!any)
			nc_sleep(c, SEC / 2);
		if (c->lost) {
			t_fail(line, "%u wake-ups lost: the driver did not signal a sleeping client", c->lost);
			return false;
		}
	}
	return true;
}

static bool arp_match(const uint8_t *f, uint32_t len, uint16_t arg)
{
	if (!is_arp_reply(f, len))
		return false;
	memcpy(gw_mac, f + 22, 6);
	return true;
}

static bool pong_match(const uint8_t *f, uint32_t len, uint16_t seq)
{
	return is_pong(f, len, seq);
}

/* The pongs of seq 1000..1015 in any order: true once all came. */
static uint32_t batch_seen;

static bool batch_match(const uint8_t *f, uint32_t len, uint16_t unused)
{
	for (unsigned i = 0; i < 16; i++)
		if (is_pong(f, len, (uint16_t)(1000 + i)))
			batch_seen |= 1u << i;
	return batch_seen == 0xffff;
}

/* Sends a frame from tx buffer i (kick if the driver sleeps). */
static err_t send(struct nc *c, unsigned i, unsigned len)
{
	nc_put(c, NET_Q_TX, 0x2000u + i, TX_OFF(i), len);
	return nc_kick(c);
}

/* Waits until tx_done has every frame sent so far. */
static bool tx_drain(struct nc *c, unsigned want_total, int line)
{
	uint64_t end = now_ns() + 5 * SEC;
	struct net_desc d;

	while (tx_ok + tx_bad < want_total) {
		if (nc_take(c, NET_Q_TX_DONE, &d)) {
			if (d.err)
				tx_bad++;
			else
				tx_ok++;
			continue;
		}
		if (now_ns() > end) {
			t_fail(line, "tx_done: %u of %u", tx_ok + tx_bad, want_total);
			return false;
		}
		nc_sleep(c, SEC / 2);
		if (c->lost) {
			t_fail(line, "%u wake-ups lost: the driver did not signal a sleeping client", c->lost);
			return false;
		}
	}
	return true;
}

/* ---- the tests ------------------------------------------------------------------------ */

static void t_lookup(void)
{
	err_t e = cairn_dev_lookup(c_devmgr, lookup_name, 0, &c_svc);

	CHECK(!e, "DEV_LOOKUP %s: %s", lookup_name, err_name(e));
}

static void t_info(void)
{
	struct cairn_msg m;

	CHECK(c_svc != CAP_NULL, "no driver");
	CHECK_OK(call(c_svc, NET_INFO, 0, 0, 0, &m));
	CHECK(m.w[0] == QEMU_MAC, "mac %#lx, want 52:54:00:12:34:56", (unsigned long)m.w[0]);
	CHECK(m.w[1] == NET_MTU && m.w[3] == NET_QUEUE_MAX, "mtu %lu, queue max %lu", (unsigned long)m.w[1],
	      (unsigned long)m.w[3]);
	CHECK(m.w[2] & NET_F_LINK, "link down");
	for (unsigned i = 0; i < 6; i++)
		my_mac[i] = (uint8_t)(m.w[0] >> (8 * i));
}

static uint64_t pages_before;

static void t_attach(void)
{
	CHECK(c_svc != CAP_NULL, "no driver");
	pages_before = free_pages();
	CHECK_OK(nc_attach(&nc, ENTRIES, DATA_PAGES));
	attached = true;
	CHECK(nc.shm->entries == ENTRIES, "entries %u", nc.shm->entries);
	for (unsigned i = 0; i < ENTRIES; i++)
		post_rx(&nc, i);
	CHECK_OK(nc_kick(&nc));
	CHECK(nc.shm->q[NET_Q_RX_FREE].head == ENTRIES, "the driver took %u receive buffers of %u",
	      nc.shm->q[NET_Q_RX_FREE].head, ENTRIES);
}

/* NET_ATTACH's checks: entries, bit, the objects' kinds, sizes and rights. */
static void t_attach_errors(void)
{
	static const uint64_t bad_entries[] = { 0, 3, 48, NET_QUEUE_MAX * 2 };
	cap_t contig = CAP_NULL, paged = CAP_NULL, small = CAP_NULL, ro = CAP_NULL, note = CAP_NULL,
	      note_ro = CAP_NULL;
	struct cairn_msg m;

	CHECK_OK(cairn_memobj_create(SLOT_SELF_PROC, 6, MEMOBJ_CONTIG, &contig));
	CHECK_OK(cairn_memobj_create(SLOT_SELF_PROC, 6, 0, &paged));
	CHECK_OK(cairn_memobj_create(SLOT_SELF_PROC, 4, MEMOBJ_CONTIG, &small));
	CHECK_OK(cairn_cap_copy(contig, RIGHT_READ | RIGHT_WRITE, &ro));
	CHECK_OK(cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_NOTIFICATION, 0, 0, 0, &m));
	note = m.w[0];
	CHECK_OK(cairn_cap_copy(note, RIGHT_READ, &note_ro));
#define ATTACH(obj, n, ncaps, entries, bit)                                                   \
	(cairn_ipcbuf()->caps[0] = (obj), cairn_ipcbuf()->caps[1] = (n),                     \
	 call(c_svc, NET_ATTACH, ncaps, entries, bit, &m))
	for (unsigned i = 0; i < 4; i++)
		EXPECT(ATTACH(contig, note, 2, bad_entries[i], 0) == ERR_INVAL, "entries %lu",
		       (unsigned long)bad_entries[i]);
	EXPECT_ERR(ATTACH(contig, note, 2, 8, 64), ERR_INVAL);
	EXPECT_ERR(ATTACH(contig, note, 1, 8, 0), ERR_INVAL);        /* no Notification */
	EXPECT_ERR(ATTACH(contig, note, 0, 8, 0), ERR_INVAL);
	EXPECT_ERR(ATTACH(note, contig, 2, 8, 0), ERR_INVAL);        /* the wrong way round */
	EXPECT_ERR(ATTACH(paged, note, 2, 8, 0), ERR_INVAL);         /* not contiguous */
	EXPECT_ERR(ATTACH(small, note, 2, 8, 0), ERR_INVAL);         /* no data area */
	EXPECT_ERR(ATTACH(ro, note, 2, 8, 0), ERR_PERM);             /* no manage right */
	EXPECT_ERR(ATTACH(contig, note_ro, 2, 8, 0), ERR_PERM);      /* cannot signal */
#undef ATTACH
	EXPECT_ERR(call(c_svc, NET_KICK, 0, 0, 0, &m), ERR_BADF);
	EXPECT_ERR(call(c_svc, NET_DETACH, 0, 0, 0, &m), ERR_BADF);
	EXPECT_ERR(call(c_svc, 0x9ff, 0, 0, 0, &m), ERR_BADF);
	if (attached) {
		EXPECT_ERR(call(nc.session, NET_ATTACH, 0, 8, 0, &m), ERR_INVAL);
		EXPECT_OK(call(nc.session, NET_INFO, 0, 0, 0, &m));
	}
	cairn_cap_delete(contig);
	cairn_cap_delete(paged);
	cairn_cap_delete(small);
	cairn_cap_delete(ro);
	cairn_cap_delete(note);
	cairn_cap_delete(note_ro);
}

/* ARP who-has 10.0.2.2: the reply names us and gives the gateway's MAC. */
static void t_arp(void)
{
	unsigned sent = tx_ok + tx_bad;

	CHECK(attached, "not attached");
	CHECK_OK(send(&nc, 0, make_arp(nc.va + TX_OFF(0))));
	if (!wait_frame(&nc, arp_match, 0, __LINE__))
		return;
	CHECK(tx_drain(&nc, sent + 1, __LINE__), "tx");
	CHECK(tx_bad == 0, "%u frames failed", tx_bad);
	t_note("10.0.2.2 is at %02x:%02x:%02x:%02x:%02x:%02x", gw_mac[0], gw_mac[1], gw_mac[2], gw_mac[3],
	       gw_mac[4], gw_mac[5]);
}

/* One ICMP echo to 10.0.2.2: the reply carries the same payload. */
static void t_ping(void)
{
	unsigned sent = tx_ok + tx_bad;

	CHECK(attached && (gw_mac[0] | gw_mac[5]), "no gateway");
	CHECK_OK(send(&nc, 0, make_ping(nc.va + TX_OFF(0), 1)));
	if (!wait_frame(&nc, pong_match, 1, __LINE__))
		return;
	CHECK(tx_drain(&nc, sent + 1, __LINE__), "tx");
	CHECK(tx_bad == 0, "%u frames failed", tx_bad);
}

/* 200 pings one after the other (32 receive buffers, each recycled), then
 * 16 sent at once: every one answered. */
static void t_many(void)
{
	unsigned sent = tx_ok + tx_bad, sleeps = nc.sleeps;
	uint64_t t0 = now_ns();

	CHECK(attached && (gw_mac[0] | gw_mac[5]), "no gateway");
	for (unsigned i = 0; i < 200; i++) {
		CHECK_OK(send(&nc, i % ENTRIES, make_ping(nc.va + TX_OFF(i % ENTRIES), (uint16_t)(100 + i))));
		if (!wait_frame(&nc, pong_match, (uint16_t)(100 + i), __LINE__))
			return;
		sent++;
		if (!tx_drain(&nc, sent, __LINE__))
			return;
	}
	for (unsigned i = 0; i < 16; i++)
		nc_put(&nc, NET_Q_TX, 0x2000u + i, TX_OFF(i), make_ping(nc.va + TX_OFF(i), (uint16_t)(1000 + i)));
	CHECK_OK(nc_kick(&nc));
	batch_seen = 0;
	if (!wait_frame(&nc, batch_match, 0, __LINE__))
		return;
	CHECK(tx_drain(&nc, sent + 16, __LINE__), "tx");
	CHECK(tx_bad == 0, "%u frames failed", tx_bad);
	t_note("216 echoes in %lu ms, %u sleeps", (unsigned long)((now_ns() - t0) / 1000000), nc.sleeps - sleeps);
}

/* Signals only to sleepers: a client that never sets cli_sleep (it polls)
 * gets no signal for 20 echoes; one that sleeps is woken. */
static void t_no_spurious(void)
{
	uint64_t bits;
	unsigned sent = tx_ok + tx_bad;
	struct net_desc d;

	CHECK(attached && (gw_mac[0] | gw_mac[5]), "no gateway");
	cairn_wait(nc.note, 0, NULL);               /* what an earlier wait left */
	for (unsigned i = 0; i < 20; i++) {
		uint16_t seq = (uint16_t)(3000 + i);
		uint64_t end = now_ns() + 5 * SEC;
		bool got = false;

		CHECK_OK(send(&nc, 7, make_ping(nc.va + TX_OFF(7), seq)));
		while (!got && now_ns() < end) {
			while (nc_take(&nc, NET_Q_TX_DONE, &d))
				tx_ok += !d.err;
			while (nc_take(&nc, NET_Q_RX_USED, &d)) {
				got |= !d.err && is_pong(nc.va + d.off, d.len, seq);
				post_rx(&nc, (unsigned)(d.tag - TAG_RX));
				nc_kick(&nc);
			}
		}
		CHECK(got, "echo %u: no answer while polling", i);
	}
	CHECK(tx_drain(&nc, sent + 20, __LINE__), "tx");
	EXPECT(cairn_wait(nc.note, 0, &bits) != ERR_OK, "a signal (bits %#lx) though the client never slept",
	       (unsigned long)bits);
	/* and a sleeper is woken: the next echo's answer through the Notification */
	CHECK_OK(send(&nc, 7, make_ping(nc.va + TX_OFF(7), 3100)));
	CHECK(wait_frame(&nc, pong_match, 3100, __LINE__), "asleep");
}

/* Bad descriptors come back with ERR_INVAL; the good ones in the same
 * batch are sent (and answered). */
static void t_bad_desc(void)
{
	static const struct { uint64_t off; uint32_t len; } bad[] = {
		{ 0, 60 },                               /* the queues' pages */
		{ NET_DATA_OFF - 64, 60 },
		{ 0, 0 },                                /* (off set below: the object's end) */
		{ TX_OFF(3), 0 },                        /* len 0 */
		{ TX_OFF(3), 13 },                       /* shorter than a header */
		{ TX_OFF(3), NET_FRAME_MAX + 1 },        /* too long */
		{ UINT64_MAX - 10, 60 },
	};
	unsigned n = sizeof(bad) / sizeof(bad[0]);
	struct net_desc d;
	unsigned good = 0, inval = 0, other = 0, rx_inval = 0;
	uint64_t end;
	struct nc b;

	CHECK(attached && (gw_mac[0] | gw_mac[5]), "no gateway");
	while (nc_take(&nc, NET_Q_TX_DONE, &d))
		tx_ok++;
	nc_put(&nc, NET_Q_TX, 1, TX_OFF(0), make_ping(nc.va + TX_OFF(0), 7000));
	for (unsigned i = 0; i < n; i++)
		nc_put(&nc, NET_Q_TX, 100 + i, i == 2 ? nc.bytes - 30 : bad[i].off, bad[i].len);
	nc_put(&nc, NET_Q_TX, 2, TX_OFF(1), make_ping(nc.va + TX_OFF(1), 7001));
	CHECK_OK(nc_kick(&nc));
	end = now_ns() + 5 * SEC;
	while (good + inval + other < n + 2 && now_ns() < end) {
		if (!nc_take(&nc, NET_Q_TX_DONE, &d)) {
			nc_sleep(&nc, SEC / 2);
			continue;
		}
		if (d.tag == 1 || d.tag == 2)
			good += d.err == 0;
		else if (d.tag >= 100 && d.tag < 100 + n && d.err == ERR_INVAL)
			inval++;
		else
			other++;
	}
	EXPECT(good == 2 && inval == n && other == 0, "tx_done: %u good, %u ERR_INVAL of %u, %u other", good,
	       inval, n, other);
	tx_ok += good;
	if (!wait_frame(&nc, pong_match, 7000, __LINE__) || !wait_frame(&nc, pong_match, 7001, __LINE__))
		return;
	/* bad receive buffers (a session of their own): too short, outside
	 * the data area, past its end; each comes back ERR_INVAL at once */
	CHECK_OK(nc_attach(&b, 4, 2));
	nc_put(&b, NET_Q_RX_FREE, 900, NET_DATA_OFF, NET_BUF_MIN - 1);
	nc_put(&b, NET_Q_RX_FREE, 901, 1024, NET_BUF_MIN);
	nc_put(&b, NET_Q_RX_FREE, 902, b.bytes - 1000, NET_BUF_MIN);
	nc_put(&b, NET_Q_RX_FREE, 903, 0, 0);
	EXPECT_OK(nc_kick(&b));
	while (nc_take(&b, NET_Q_RX_USED, &d))
		rx_inval += d.tag >= 900 && d.tag <= 903 && d.err == ERR_INVAL && d.len == 0;
	EXPECT(rx_inval == 4, "bad receive buffers: %u of 4 came back ERR_INVAL", rx_inval);
	nc_detach(&b);
}

/* A tail far ahead breaks that session only: its kicks are ERR_INVAL,
 * another session (ours) is served; it detaches and a new one works. */
static void t_broken(void)
{
	struct nc b;
	struct cairn_msg m;

	CHECK(attached && (gw_mac[0] | gw_mac[5]), "no gateway");
	CHECK_OK(nc_attach(&b, 4, 2));
	b.shm->q[NET_Q_TX].tail = 1000;
	EXPECT_ERR(call(b.session, NET_KICK, 0, 0, 0, &m), ERR_INVAL);
	EXPECT_ERR(call(b.session, NET_KICK, 0, 0, 0, &m), ERR_INVAL);
	CHECK_OK(send(&nc, 5, make_ping(nc.va + TX_OFF(5), 8000)));
	EXPECT(wait_frame(&nc, pong_match, 8000, __LINE__), "the other session");
	nc_detach(&b);
	CHECK_OK(nc_attach(&b, 4, 2));
	b.shm->q[NET_Q_RX_FREE].tail = 0xffff0000u;
	EXPECT_ERR(call(b.session, NET_KICK, 0, 0, 0, &m), ERR_INVAL);
	nc_detach(&b);
	CHECK_OK(nc_attach(&b, 4, 2));
	EXPECT_OK(call(b.session, NET_KICK, 0, 0, 0, &m));
	nc_detach(&b);
}

/* Sessions we can still attach (each detached again). */
static unsigned free_sessions(void)
{
	static struct nc many[NET_SESSIONS];
	unsigned n = 0;

	while (n < NET_SESSIONS && !nc_attach(&many[n], 1, 1))
		n++;
	if (n < NET_SESSIONS)
		nc_detach(&many[n]);          /* the one that failed: its objects */
	for (unsigned i = n; i > 0; i--)
		nc_detach(&many[i - 1]);
	return n;
}

/* NET_SESSIONS + 1 at once: ERR_NOSPC; detached they come back; a
 * detached session's capability is ERR_BADF. */
static void t_sessions(void)
{
	static struct nc many[NET_SESSIONS];
	struct cairn_msg m;
	unsigned n = 0;
	cap_t old;
	err_t e = ERR_OK;

	CHECK(attached, "not attached");
	for (unsigned i = 0; i < 3 * NET_SESSIONS; i++) {
		CHECK_OK(nc_attach(&many[0], 2, 2));
		nc_detach(&many[0]);
	}
	while (n < NET_SESSIONS && !(e = nc_attach(&many[n], 1, 1)))
		n++;
	EXPECT(n == NET_SESSIONS - 1 && e == ERR_NOSPC, "%u more sessions, then %s", n, err_name(e));
	if (n < NET_SESSIONS)
		nc_detach(&many[n]);
	while (n)
		nc_detach(&many[--n]);
	CHECK_OK(nc_attach(&many[0], 2, 2));
	CHECK_OK(cairn_cap_copy(many[0].session, RIGHTS_ALL, &old));
	nc_detach(&many[0]);
	EXPECT_ERR(call(old, NET_KICK, 0, 0, 0, &m), ERR_BADF);
	EXPECT_ERR(call(old, NET_INFO, 0, 0, 0, &m), ERR_BADF);
	cairn_cap_delete(old);
	EXPECT(free_sessions() == NET_SESSIONS - 1, "sessions did not come back");
}

/* ---- a client that dies ------------------------------------------------------------------ */

/* argument `child`: attach, post 8 receive buffers (the device holds
 * them), say so on `ready`, wait to be killed. */
static int child_main(void)
{
	cap_t ready = cairn_cap("ready");
	struct nc c;

	if (nc_attach(&c, 8, 8))
		return 1;
	for (unsigned i = 0; i < 8; i++)
		nc_put(&c, NET_Q_RX_FREE, i, NET_DATA_OFF + i * 4096, 2048);
	nc_kick(&c);
	if (c.shm->q[NET_Q_RX_FREE].head != 8)
		return 2;
	cairn_invoke(ready, NOTIFY_SIGNAL, 0, 1, 0, 0, 0, NULL);
	for (;;)
		cairn_wait(c.note, CAIRN_FOREVER, NULL);
}

/* A client killed with receive buffers on the device (never detached):
 * the driver takes them back (a reset) and frees the session; we keep
 * being served. */
static void t_client_dies(void)
{
	cap_t image = cairn_cap("bootimage"), ready = CAP_NULL, ended = CAP_NULL;
	struct cairn_spawn_cap caps[3];
	struct cairn_spawn sp = { 0 };
	const char *argv[] = { "netchild", "child" };
	struct cairn_child child;
	struct cpio_entry ent;
	struct cairn_msg m;
	uint64_t pages, bits;
	unsigned before, during = 0, after = 0;
	void *va;

	CHECK(attached && image != CAP_NULL, "attached, bootimage");
	CHECK_OK(cairn_memobj_pages(image, &pages));
	CHECK_OK(cairn_map(image, 0, pages, CAIRN_PROT_R, &va));
	CHECK_OK(cpio_find(va, pages * CAIRN_PAGE_SIZE, "bin/nettest", &ent));
	CHECK_OK(cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_NOTIFICATION, 0, 0, 0, &m));
	ready = m.w[0];
	CHECK_OK(cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_NOTIFICATION, 0, 0, 0, &m));
	ended = m.w[0];
	before = free_sessions();
	caps[0] = (struct cairn_spawn_cap){ "console", cairn_cap("console"), RIGHT_WRITE, 0 };
	caps[1] = (struct cairn_spawn_cap){ "svc", c_svc, RIGHT_WRITE | RIGHT_GRANT, 0 };
	caps[2] = (struct cairn_spawn_cap){ "ready", ready, RIGHT_WRITE, 0 };
	sp.image = image;
	sp.offset = (uint64_t)((const char *)ent.data - (const char *)va);
	sp.size = ent.size;
	sp.argc = 2;
	sp.argv = argv;
	sp.ncaps = 3;
	sp.caps = caps;
	sp.quota = 1024 * 1024;
	sp.priority = 8;
	sp.exit_notify = ended;
	sp.exit_bits = 1;
	CHECK_OK(cairn_spawn(&sp, &child));
	EXPECT_OK(cairn_wait(ready, 5 * SEC, &bits));
	during = free_sessions();
	CHECK_OK(cairn_invoke(child.proc, PROC_KILL, 0, 9, 0, 0, 0, NULL));
	EXPECT_OK(cairn_wait(ended, 5 * SEC, &bits));
	for (int i = 0; i < 100 && (after = free_sessions()) < before; i++)
		cairn_wait(ended, 10000000, NULL);
	EXPECT(during == before - 1 && after == before, "free sessions: %u before, %u with the child, "
	       "%u after it was killed", before, during, after);
	/* our receive buffers went back to the device after its reset */
	CHECK_OK(send(&nc, 6, make_ping(nc.va + TX_OFF(6), 9000)));
	EXPECT(wait_frame(&nc, pong_match, 9000, __LINE__), "after the child");
	cairn_cap_delete(child.proc);
	cairn_cap_delete(child.as);
	cairn_cap_delete(child.thread);
	cairn_cap_delete(ready);
	cairn_cap_delete(ended);
	cairn_unmap(va, pages);
}

/* Detach with receive buffers on the device, attach again: it works, and
 * the pages come back once the last session is gone. */
static void t_detach(void)
{
	uint64_t after;

	CHECK(attached, "not attached");
	nc_detach(&nc);
	attached = false;
	tx_ok = tx_bad = 0;
	CHECK_OK(nc_attach(&nc, ENTRIES, DATA_PAGES));
	attached = true;
	for (unsigned i = 0; i < ENTRIES; i++)
		post_rx(&nc, i);
	CHECK_OK(nc_kick(&nc));
	CHECK_OK(send(&nc, 0, make_ping(nc.va + TX_OFF(0), 9100)));
	CHECK(wait_frame(&nc, pong_match, 9100, __LINE__), "after attaching again");
	nc_detach(&nc);
	attached = false;
	after = free_pages();
	EXPECT(after + 16 >= pages_before, "free pages %lu before attaching, %lu after detaching",
	       (unsigned long)pages_before, (unsigned long)after);
}

static const struct t_case tests[] = {
	{ "net.lookup", t_lookup },
	{ "net.info", t_info },
	{ "net.attach", t_attach },
	{ "net.attach_errors", t_attach_errors },
	{ "net.arp", t_arp },
	{ "net.ping", t_ping },
	{ "net.many", t_many },
	{ "net.no_spurious", t_no_spurious },
	{ "net.bad_desc", t_bad_desc },
	{ "net.broken", t_broken },
	{ "net.sessions", t_sessions },
	{ "net.client_dies", t_client_dies },
	{ "net.detach", t_detach },
};

int main(int argc, char **argv)
{
	unsigned n = sizeof(tests) / sizeof(tests[0]);

	c_svc = cairn_cap("svc");
	c_devmgr = cairn_cap("devmgr");
	if (argc > 1 && !strcmp(argv[1], "child"))
		return child_main();
	for (int i = 1; i < argc; i++)
		if (!strncmp(argv[i], "lookup=", 7))
			lookup_name = argv[i] + 7;
	t_begin("nettest", n);
	t_run_all(tests, n);
	return t_end("nettest") ? 1 : 0;
}
