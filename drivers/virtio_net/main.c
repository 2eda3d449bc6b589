/* SPDX-License-Identifier: MIT */
/*
 * virtio_net: the virtio network driver. Serves the frame protocol
 * (include/cairn/net.h) on its `svc` Endpoint for a virtio-net device
 * (virtio id 1) on any transport of the virtio library (drivers/virtio/):
 * virtio-mmio (modern or legacy) or virtio-pci. Started with the
 * capabilities and arguments of include/cairn/dev.h.
 *
 * One thread serves (the server skeleton, <cairn/server.h>); the relay
 * thread turns the device's interrupt (IRQ_BIT) and dead clients
 * (GONE_BIT, srv_watch) into events. Queue 0 receives, queue 1 transmits.
 * Every buffer a client hands over becomes one chain of two descriptors:
 * the virtio_net_hdr (12 bytes modern, 10 legacy: no MRG_RXBUF, no
 * offloads) in the `dma` memory, then the frame itself straight in the
 * client's shared object (zero copy), by the physical address learnt at
 * NET_ATTACH. Receive chains are posted from the sessions' rx_free queues
 * in turn; a frame goes to the session whose buffer the device filled.
 *
 * A session that ends (NET_DETACH, or its client died) while the device
 * still holds its buffers: transmit buffers come back by themselves, but
 * a receive buffer stays with the device until a frame arrives, which
 * may be never. The driver then resets the device and sets its queues up
 * again, posting the other sessions' receive buffers anew (their frames
 * in flight to be sent complete with ERR_IO); only then does it let go of
 * the ended session's object, so the device never writes freed pages.
 */
#include <stdbool.h>
#include <string.h>
#include <format.h>
#include <cairn/rt.h>
#include <cairn/net.h>
#include <cairn/server.h>
#include "virtq.h"
#include "vdrv.h"

/* virtio-net (virtio 1.x, 5.1) */
#define VIRTIO_NET_F_MAC        5
#define VIRTIO_NET_F_STATUS     16
#define VIRTIO_NET_CFG_MAC      0     /* 6 bytes */
#define VIRTIO_NET_CFG_STATUS   6     /* le16 */
#define VIRTIO_NET_S_LINK_UP    1u
#define VIRTIO_ID_NET           1
#define HDR_MODERN              12u   /* struct virtio_net_hdr with num_buffers */
#define HDR_LEGACY              10u   /* without it (no MRG_RXBUF) */
#define HDR_SLOT                16u   /* bytes of dma a header takes */
#define ETH_HLEN                14u

#define QSIZE       256u       /* virtqueue entries asked for (the device may give fewer) */
#define NSLOTS      128u       /* chains (two descriptors each) a queue holds at most */
#define RXQ         0u
#define TXQ         1u
#define IRQ_BIT     1ull
#define GONE_BIT    2ull
#define PG          CAIRN_PAGE_SIZE
#define SHM_PAGES   (NET_DATA_OFF / PG)

struct session {
	bool used, closing, broken, dirty;
	uint64_t badge;
	cap_t mem, note;                  /* the client's object and Notification */
	uint64_t bit;                     /* the bit signalled on note */
	volatile struct net_shm *shm;
	volatile struct net_desc *q[NET_NQ];
	uint8_t *va;                      /* pages 0..3 (the queues) mapped here */
	uint64_t pa, bytes;               /* the whole object's address and size */
	/* ours: never read back from the page */
	uint32_t entries, rxf_head, rxu_tail, tx_head, txd_tail;
	unsigned rx_inflight, tx_inflight;
};

/* A chain on the device: its session's buffer (NULL s: free). */
struct slot {
	struct session *s;
	uint64_t tag, off;
	uint32_t len;
	uint8_t *hdr;
	uint64_t hdr_pa;
};

struct queue {
	struct virtq vq;
	uint64_t ring_pa;
	unsigned num, nslots, free_slots;
	unsigned hint;                  /* where slot_get looks first */
	struct slot slots[NSLOTS];
};

static struct vdrv v;
static struct queue rxq, txq;
static struct session sessions[NET_SESSIONS];
static uint64_t gen, want, tx_hdr_pa;
static unsigned hdr_len, next_session, bad_used, resets;
static bool dead;                     /* the device did not come back from a reset */
static uint8_t mac[6];

/* ---- sessions --------------------------------------------------------------------------- */

static struct session *session_of(uint64_t badge)
{
	unsigned i = (unsigned)(badge & 0xff) - 1;

	if (badge == 0 || i >= NET_SESSIONS || !sessions[i].used || sessions[i].badge != badge)
		return NULL;
	return &sessions[i];
}

static void session_free(struct session *s)
{
	if (s->va)
		cairn_unmap(s->va, SHM_PAGES);
	if (s->mem != CAP_NULL)
		cairn_cap_delete(s->mem);
	if (s->note != CAP_NULL)
		cairn_cap_delete(s->note);
	memset(s, 0, sizeof(*s));
	s->mem = s->note = CAP_NULL;
}

/* Detached or dead: freed now, or once the device has let go of its
 * buffers (after(): a reset when it holds receive buffers). */
static void session_close(struct session *s)
{
	s->closing = true;
	if (!s->rx_inflight && !s->tx_inflight)
		session_free(s);
}

/* Entries the client has not taken yet from a queue the driver fills. */
static uint32_t unread(struct session *s, enum net_qid qi, uint32_t tail)
{
	return tail - __atomic_load_n(&s->shm->q[qi].head, __ATOMIC_ACQUIRE);
}

/* Writes a descriptor at the driver's tail of rx_used or tx_done and
 * publishes it; the client is signalled in after() if it sleeps. */
static void give_back(struct session *s, enum net_qid qi, uint64_t tag, uint64_t off, uint32_t len, err_t err)
{
	uint32_t *tail = qi == NET_Q_RX_USED ? &s->rxu_tail : &s->txd_tail;
	volatile struct net_desc *d = &s->q[qi][*tail % s->entries];

	d->tag = tag;
	d->off = off;
	d->len = err ? 0 : len;
	d->err = err;
	(*tail)++;
	__atomic_store_n(&s->shm->q[qi].tail, *tail, __ATOMIC_RELEASE);
	s->dirty = true;
}

/* Signals only to sleepers: the client said it waits (cli_sleep). */
static void signal_client(struct session *s)
{
	s->dirty = false;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);      /* our tails before reading cli_sleep */
	if (!__atomic_load_n(&s->shm->cli_sleep, __ATOMIC_SEQ_CST))
		return;
	__atomic_store_n(&s->shm->cli_sleep, 0, __ATOMIC_SEQ_CST);
	cairn_invoke(s->note, NOTIFY_SIGNAL, 0, 1ull << s->bit, 0, 0, 0, NULL);
}

/* ---- the device's queues ------------------------------------------------------------------ */

/* A free slot: the device uses buffers in about the order they went on,
 * so the one after the last taken is nearly always free (a search from
 * slot 0 was 7% of a TCP receive's instructions). */
static struct slot *slot_get(struct queue *q)
{
	for (unsigned k = q->free_slots ? q->nslots : 0; k; k--) {
		struct slot *sl = &q->slots[q->hint];

		q->hint = q->hint + 1 == q->nslots ? 0 : q->hint + 1;
		if (!sl->s)
			return sl;
	}
	return NULL;
}

/* Puts slot sl (its session and buffer filled in) on the device's queue. */
static err_t post(struct queue *q, struct slot *sl, bool rx)
{
	struct virtq_buf b[2];

	b[0] = (struct virtq_buf){ rx ? sl->hdr_pa : tx_hdr_pa, hdr_len, rx };
	b[1] = (struct virtq_buf){ sl->s->pa + sl->off, sl->len, rx };
	return virtq_add(&q->vq, b, 2, sl);
}

/* A buffer the client handed over, copied out of the page: ERR_INVAL
 * unless it lies in the data area and its length suits the queue. */
static err_t check(struct session *s, const struct net_desc *d, bool rx)
{
	if (d->off < NET_DATA_OFF || d->off > s->bytes || d->len > s->bytes - d->off)
		return ERR_INVAL;
	if (rx ? d->len < NET_BUF_MIN : d->len < ETH_HLEN || d->len > NET_FRAME_MAX)
		return ERR_INVAL;
	return ERR_OK;
}

/*
 * Takes new entries of one of s's queues (rx_free or tx) while the queue
 * it answers on has room and the device has slots: each good one goes to
 * the device, a bad one straight back with ERR_INVAL. max bounds how many
 * (the receive side takes one a session a turn). Returns false when it
 * stopped for want of device slots (the device's next used buffer makes
 * the driver look again).
 */
static bool take(struct session *s, bool rx, unsigned max, unsigned *taken)
{
	enum net_qid in = rx ? NET_Q_RX_FREE : NET_Q_TX, out = rx ? NET_Q_RX_USED : NET_Q_TX_DONE;
	struct queue *q = rx ? &rxq : &txq;
	uint32_t *head = rx ? &s->rxf_head : &s->tx_head;
	uint32_t *otail = rx ? &s->rxu_tail : &s->txd_tail;
	unsigned *inflight = rx ? &s->rx_inflight : &s->tx_inflight;
	uint32_t tail = __atomic_load_n(&s->shm->q[in].tail, __ATOMIC_ACQUIRE);
	bool more = true;

	if (tail - *head > s->entries || unread(s, out, *otail) > s->entries) {
		printf("%s: session %#lx: broken queue (%s tail %u, head %u): dropped\n", v.name,
		       (unsigned long)s->badge, rx ? "rx_free" : "tx", tail, *head);
		s->broken = true;
		return true;
	}
	while (*head != tail && max) {
		volatile struct net_desc *src = &s->q[in][*head % s->entries];
		struct net_desc d = { src->tag, src->off, src->len, 0 };
		struct slot *sl;
		err_t e;

		/* every buffer comes back once: its answer must have room */
		if (*inflight + unread(s, out, *otail) >= s->entries)
			break;
		if (!(e = check(s, &d, rx)) && dead)
			e = ERR_IO;
		if (!e) {
			if (!(sl = slot_get(q))) {
				more = false;
				break;
			}
			sl->s = s;
			sl->tag = d.tag;
			sl->off = d.off;
			sl->len = rx && d.len > NET_FRAME_MAX ? NET_FRAME_MAX : d.len;
			if ((e = post(q, sl, rx)) == ERR_AGAIN) {
				sl->s = NULL;
				more = false;
				break;
			}
			if (!e) {
				q->free_slots--;
				(*inflight)++;
			} else {
				sl->s = NULL;
			}
		}
		if (e)
			give_back(s, out, d.tag, d.off, 0, e);
		(*head)++;
		(*taken)++;
		max--;
	}
	__atomic_store_n(&s->shm->q[in].head, *head, __ATOMIC_RELEASE);
	return more;
}

/*
 * Looks at every session's tx and rx_free queues. drv_sleep is set before
 * the look (a full fence between it and reading the tails) and cleared
 * again only when the driver stopped for want of transmit slots: a frame
 * sent makes it look again by itself. (Out of receive slots it stays set:
 * a frame may never come; a kick then finds nothing to do, and the next
 * frame received makes the driver look anyway.)
 */
static void pump(void)
{
	unsigned taken;

	for (unsigned k = 0; k < NET_SESSIONS; k++) {
		struct session *s = &sessions[k];

		if (!s->used || s->closing || s->broken)
			continue;
		__atomic_store_n(&s->shm->drv_sleep, 1, __ATOMIC_SEQ_CST);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		taken = 0;
		if (!take(s, false, NET_QUEUE_MAX, &taken))
			__atomic_store_n(&s->shm->drv_sleep, 0, __ATOMIC_SEQ_CST);
	}
	/* receive buffers: one a session a turn, so every session gets slots */
	do {
		taken = 0;
		for (unsigned i = 0; i < NET_SESSIONS && rxq.free_slots; i++) {
			struct session *s = &sessions[(next_session + i) % NET_SESSIONS];

			if (s->used && !s->closing && !s->broken)
				take(s, true, 1, &taken);
		}
	} while (taken && rxq.free_slots);
	next_session = (next_session + 1) % NET_SESSIONS;
	if (virtq_kick_needed(&rxq.vq))
		virtio_notify(&v.dev, RXQ);
	if (virtq_kick_needed(&txq.vq))
		virtio_notify(&v.dev, TXQ);
}

/* Takes the device's used buffers of one queue back to their sessions. */
static void reap(struct queue *q, bool rx)
{
	void *cookie;
	uint32_t len;
	int r;

	while ((r = virtq_get(&q->vq, &cookie, &len)) != 0) {
		struct slot *sl = cookie;
		struct session *s;
		err_t e = ERR_OK;

		if (r < 0) {
			if (bad_used++ < 4)
				printf("%s: the device returned a bad used element (dropped)\n", v.name);
			continue;
		}
		s = sl->s;
		sl->s = NULL;
		q->free_slots++;
		if (rx) {
			s->rx_inflight--;
			/* the device wrote the header, then the frame */
			if (len < hdr_len + ETH_HLEN)
				e = ERR_IO;
			len -= hdr_len;
			if (len > sl->len)
				len = sl->len;
		} else {
			s->tx_inflight--;
			len = sl->len;
		}
		if (s->closing) {
			if (!s->rx_inflight && !s->tx_inflight)
				session_free(s);
			continue;
		}
		if (!s->broken)
			give_back(s, rx ? NET_Q_RX_USED : NET_Q_TX_DONE, sl->tag, sl->off, len, e);
	}
}

/* ---- reset: taking receive buffers back from the device ------------------------------------- */

static err_t queues_setup(void)
{
	struct queue *qs[2] = { &rxq, &txq };
	err_t e;

	for (unsigned i = 0; i < 2; i++) {
		struct queue *q = qs[i];
		unsigned num = q->num;

		if ((e = virtio_queue_setup(&v.dev, i, &num, q->ring_pa)))
			return e;
		if (num != q->num)
			return ERR_IO;
		if ((e = virtq_init(&q->vq, num, q->vq.desc)))
			return e;
	}
	return virtio_driver_ok(&v.dev);
}

/*
 * The device holds receive buffers of a session that ended: reset it, set
 * the queues up again, give the other sessions' receive buffers to it
 * anew; their frames in flight to be sent complete with ERR_IO (they may
 * have gone).
 */
static void device_restart(void)
{
	uint64_t negotiated = v.dev.features;
	err_t e;

	resets++;
	virtio_reset(&v.dev);
	for (unsigned i = 0; i < txq.nslots; i++) {
		struct slot *sl = &txq.slots[i];

		if (!sl->s)
			continue;
		sl->s->tx_inflight--;
		if (!sl->s->closing && !sl->s->broken)
			give_back(sl->s, NET_Q_TX_DONE, sl->tag, sl->off, 0, ERR_IO);
		sl->s = NULL;
		txq.free_slots++;
	}
	for (unsigned i = 0; i < rxq.nslots; i++) {
		struct slot *sl = &rxq.slots[i];

		if (sl->s && sl->s->closing) {
			sl->s->rx_inflight--;
			sl->s = NULL;
			rxq.free_slots++;
		}
	}
	for (unsigned k = 0; k < NET_SESSIONS; k++)
		if (sessions[k].used && sessions[k].closing && !sessions[k].rx_inflight && !sessions[k].tx_inflight)
			session_free(&sessions[k]);
	if ((e = virtio_negotiate(&v.dev, want)) || v.dev.features != negotiated || (e = queues_setup())) {
		printf("%s: the device did not come back after a reset: %s\n", v.name, err_name(e));
		/* every buffer back with ERR_IO; from now on each one handed over too */
		dead = true;
		virtio_reset(&v.dev);
		for (unsigned i = 0; i < rxq.nslots; i++) {
			struct slot *sl = &rxq.slots[i];

			if (!sl->s)
				continue;
			sl->s->rx_inflight--;
			if (!sl->s->broken)
				give_back(sl->s, NET_Q_RX_USED, sl->tag, sl->off, 0, ERR_IO);
			sl->s = NULL;
			rxq.free_slots++;
		}
		return;
	}
	for (unsigned i = 0; i < rxq.nslots; i++)
		if (rxq.slots[i].s)
			post(&rxq, &rxq.slots[i], true);
	if (virtq_kick_needed(&rxq.vq))
		virtio_notify(&v.dev, RXQ);
}

/* After every message: ended sessions the device still holds (a reset),
 * new buffers of every session, then the sleepers to wake. */
static void after(void)
{
	bool restart = false;

	for (unsigned k = 0; k < NET_SESSIONS; k++) {
		struct session *s = &sessions[k];

		if (s->used && s->closing && s->rx_inflight)
			restart = true;
	}
	if (restart) {
		printf("%s: a session ended with receive buffers on the device: reset to take them back\n",
		       v.name);
		device_restart();
	}
	pump();
	for (unsigned k = 0; k < NET_SESSIONS; k++)
		if (sessions[k].used && !sessions[k].closing && sessions[k].dirty)
			signal_client(&sessions[k]);
}

/* ---- the protocol ---------------------------------------------------------------------------- */

static uint32_t link_flags(void)
{
	if (!(v.dev.features & (1ull << VIRTIO_NET_F_STATUS)))
		return NET_F_LINK;
	return virtio_cfg_read(&v.dev, VIRTIO_NET_CFG_STATUS, 2) & VIRTIO_NET_S_LINK_UP ? NET_F_LINK : 0;
}

static void do_info(struct srv_req *r, struct srv_ans *a)
{
	uint64_t m = 0;

	for (unsigned i = 0; i < 6; i++)
		m |= (uint64_t)mac[i] << (8 * i);
	a->w[0] = m;
	a->w[1] = NET_MTU;
	a->w[2] = link_flags();
	a->w[3] = NET_QUEUE_MAX;
}

static void do_attach(struct srv_req *r, struct srv_ans *a)
{
	struct session *s = NULL;
	uint64_t ident[3], nident[3], entries = r->w[0], bit = r->w[1];
	struct cairn_msg m;
	void *va;
	unsigned i;

	if (r->badge || r->ncaps < 2 || entries == 0 || entries > NET_QUEUE_MAX || (entries & (entries - 1)) ||
	    bit > 63) {
		a->err = ERR_INVAL;             /* (a session attaches nothing) */
		return;
	}
	if ((a->err = cairn_cap_op(CAP_OP_IDENTIFY, r->caps[0], 0, 0, 0, ident)) ||
	    (a->err = cairn_cap_op(CAP_OP_IDENTIFY, r->caps[1], 0, 0, 0, nident)))
		return;
	if (ident[0] != OBJ_MEMOBJ || nident[0] != OBJ_NOTIFICATION) {
		a->err = ERR_INVAL;
		return;
	}
	if ((ident[1] & (RIGHT_READ | RIGHT_WRITE | RIGHT_MANAGE)) != (RIGHT_READ | RIGHT_WRITE | RIGHT_MANAGE) ||
	    !(nident[1] & RIGHT_WRITE)) {
		a->err = ERR_PERM;
		return;
	}
	if ((a->err = cairn_invoke(r->caps[0], MEMOBJ_INFO, 0, 0, 0, 0, 0, &m)))
		return;
	if (!(m.w[1] & MEMOBJ_CONTIG) || m.w[0] < SHM_PAGES + 1 || m.w[0] > (1u << 20)) {
		a->err = ERR_INVAL;
		return;
	}
	for (i = 0; i < NET_SESSIONS; i++)
		if (!sessions[i].used) {
			s = &sessions[i];
			break;
		}
	if (!s) {
		a->err = ERR_NOSPC;
		return;
	}
	s->bytes = m.w[0] * PG;
	if ((a->err = cairn_invoke(r->caps[0], MEMOBJ_PADDR, 0, 0, 0, 0, 0, &m)))
		return;
	s->pa = m.w[0];
	/* only pages 0..3, the queues: the frames go between the device and
	 * the client */
	if ((a->err = cairn_map(r->caps[0], 0, SHM_PAGES, CAIRN_PROT_R | CAIRN_PROT_W, &va)))
		return;
	s->used = true;
	s->mem = r->caps[0];
	s->note = r->caps[1];
	r->caps[0] = r->caps[1] = CAP_NULL;  /* kept */
	s->bit = bit;
	s->va = va;
	s->shm = va;
	for (unsigned k = 0; k < NET_NQ; k++)
		s->q[k] = (volatile struct net_desc *)(s->va + NET_Q_OFF + k * NET_QUEUE_MAX * sizeof(struct net_desc));
	s->entries = (uint32_t)entries;
	s->badge = gen << 8 | (i + 1);
	/* the client's indexes start where ours do: a reused object starts clean */
	for (unsigned k = 0; k < NET_NQ; k++)
		s->shm->q[k].head = s->shm->q[k].tail = 0;
	s->shm->entries = s->entries;
	s->shm->cli_sleep = 0;
	s->shm->drv_sleep = 1;
	if ((a->err = cairn_cap_op(CAP_OP_MINT, v.svc, CAP_NULL, RIGHT_WRITE, s->badge, ident))) {
		session_free(s);
		return;
	}
	a->ncaps = 1;
	a->caps[0] = ident[0];
	a->made[0] = (uintptr_t)s;
	a->w[0] = s->badge;
}

/* The session's capability went out (sent 0) or did not. */
static void answered(struct srv_ans *a, err_t sent)
{
	struct session *s = (struct session *)a->made[0];

	cairn_cap_delete(a->caps[0]);
	if (sent && s && s->used)
		session_close(s);
}

static void handle(struct srv_req *r, struct srv_ans *a)
{
	struct session *s = r->obj;

	switch (r->label) {
	case NET_INFO:
		do_info(r, a);
		break;
	case NET_ATTACH:
		do_attach(r, a);
		break;
	case NET_KICK:
		pump();                         /* (after() looks again: no harm) */
		if (s->broken)
			a->err = ERR_INVAL;
		break;
	case NET_DETACH:
		session_close(s);
		break;
	}
}

/* badge 0: the service itself; otherwise a session of this driver. */
static err_t object(struct srv_req *r)
{
	if (!r->badge)
		return r->label == NET_INFO || r->label == NET_ATTACH ? ERR_OK : ERR_BADF;
	r->obj = session_of(r->badge);
	return r->obj && !((struct session *)r->obj)->closing ? ERR_OK : ERR_BADF;
}

static void event(uint64_t bits)
{
	if (bits & IRQ_BIT) {
		virtio_isr(&v.dev);
		reap(&rxq, true);
		reap(&txq, false);
		vdrv_irq_ack(&v);
	}
}

static void gone(uint64_t badge)
{
	struct session *s = session_of(badge);

	if (s && !s->closing)
		session_close(s);
}

static const struct srv_op ops[] = {
	{ NET_INFO, NET_DETACH, handle },
};

static struct srv srv = {
	.ops = ops,
	.nops = sizeof(ops) / sizeof(ops[0]),
	.object = object,
	.after = after,
	.answered = answered,
	.event = event,
	.gone = gone,
};

/* ---- start-up ----------------------------------------------------------------------------------- */

static err_t queue_alloc(struct queue *q, bool rx)
{
	unsigned num = QSIZE;
	uint64_t hpa = 0;
	uint8_t *hdrs = NULL;
	void *ring;
	err_t e;

	if (!(ring = vdrv_dma_alloc(&v, VIRTQ_BYTES(QSIZE), VIRTQ_ALIGN, &q->ring_pa)))
		return ERR_NOMEM;
	if ((e = virtio_queue_setup(&v.dev, rx ? RXQ : TXQ, &num, q->ring_pa)))
		return e;
	if ((e = virtq_init(&q->vq, num, ring)))
		return e;
	q->num = num;
	q->nslots = num / 2 < NSLOTS ? num / 2 : NSLOTS;
	q->hint = 0;
	if (!q->nslots)
		return ERR_NODEV;
	if (rx && !(hdrs = vdrv_dma_alloc(&v, q->nslots * HDR_SLOT, HDR_SLOT, &hpa)))
		return ERR_NOMEM;
	for (unsigned i = 0; i < q->nslots; i++) {
		q->slots[i].hdr = hdrs ? hdrs + HDR_SLOT * i : NULL;
		q->slots[i].hdr_pa = hpa + HDR_SLOT * i;
	}
	q->free_slots = q->nslots;
	return ERR_OK;
}

static err_t setup_device(void)
{
	uint8_t *txh;
	err_t e;

	want = 1ull << VIRTIO_NET_F_MAC | 1ull << VIRTIO_NET_F_STATUS;
	if ((e = virtio_negotiate(&v.dev, want)))
		return e;
	hdr_len = v.dev.legacy ? HDR_LEGACY : HDR_MODERN;
	if (v.dev.features & (1ull << VIRTIO_NET_F_MAC)) {
		for (unsigned i = 0; i < 6; i++)
			mac[i] = (uint8_t)virtio_cfg_read(&v.dev, VIRTIO_NET_CFG_MAC + i, 1);
	} else {
		/* locally administered, unicast, from the driver's process id */
		mac[0] = 0x02;
		mac[1] = 0xca;
		for (unsigned i = 2; i < 6; i++)
			mac[i] = (uint8_t)(gen >> (8 * (5 - i)));
	}
	/* one header for every frame sent: zero (no offloads), the device only reads it */
	if (!(txh = vdrv_dma_alloc(&v, HDR_SLOT, HDR_SLOT, &tx_hdr_pa)))
		return ERR_NOMEM;
	memset(txh, 0, HDR_SLOT);
	if ((e = queue_alloc(&rxq, true)) || (e = queue_alloc(&txq, false)))
		return e;
	return virtio_driver_ok(&v.dev);
}

int main(int argc, char **argv)
{
	uint64_t ident[6];
	struct cairn_msg m;
	cap_t note;
	unsigned prio = 8;
	err_t e;

	for (unsigned i = 0; i < NET_SESSIONS; i++)
		sessions[i].mem = sessions[i].note = CAP_NULL;
	if ((e = vdrv_open(&v, argc, argv, VIRTIO_ID_NET, 8))) {
		printf("%s: no virtio network device (needs --mmio PADDR and regs, or --pci BB:DD.F, cfg "
		       "and barN; irq): %s\n", argv[0], err_name(e));
		return 1;
	}
	srv.name = v.name;
	if (v.svc == CAP_NULL) {
		printf("%s: no capability 'svc' (the endpoint to serve)\n", v.name);
		return 1;
	}
	/* badges name this driver's sessions only (virtio_blk's reasoning) */
	if ((e = (err_t)cairn_arch_syscall(SYS_CAP, CAP_OP_IDENTIFY, SLOT_SELF_PROC, 0, 0, 0, 0, ident)))
		return 1;
	gen = ident[3] & 0xffffffffffffull;
	if ((e = setup_device())) {
		printf("%s: %s: the device did not start: %s (status %#x)\n", v.name,
		       virtio_describe(&v.dev), err_name(e), virtio_status(&v.dev));
		virtio_reset(&v.dev);
		return 1;
	}
	if ((e = cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_NOTIFICATION, 0, 0, 0, &m))) {
		printf("%s: no notification: %s\n", v.name, err_name(e));
		return 1;
	}
	note = m.w[0];
	srv.ep = v.svc;
	if ((e = srv_relay(&srv, note, prio)) || (e = srv_watch(&srv, GONE_BIT)) ||
	    (e = vdrv_irq_bind(&v, note, IRQ_BIT))) {
		printf("%s: cannot serve (relay, watch, irq): %s\n", v.name, err_name(e));
		return 1;
	}
	printf("%s: %s, mac %02x:%02x:%02x:%02x:%02x:%02x%s, link %s, queues of %u and %u\n", v.name,
	       virtio_describe(&v.dev), mac[0], mac[1], mac[2], mac[3], mac[4], mac[5],
	       v.dev.features & (1ull << VIRTIO_NET_F_MAC) ? "" : " (made up)",
	       link_flags() ? "up" : "down", rxq.num, txq.num);
	if ((e = vdrv_ready(&v)))
		printf("%s: DEV_READY: %s\n", v.name, err_name(e));
	srv_run(&srv);
	virtio_reset(&v.dev);
	return 1;
}
