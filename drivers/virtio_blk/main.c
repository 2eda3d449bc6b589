/* SPDX-License-Identifier: MIT */
/*
 * virtio_blk: the virtio block driver. Serves the block protocol
 * (include/cairn/blk.h) on its `svc` Endpoint for a virtio-blk device on
 * any transport of the virtio library (drivers/virtio/): virtio-mmio
 * (modern or legacy) or virtio-pci. Started with the capabilities and
 * arguments of include/cairn/dev.h.
 *
 * One thread serves (the server skeleton, <cairn/server.h>); the relay
 * thread turns the device's interrupt (IRQ_BIT) and dead clients
 * (GONE_BIT, srv_watch) into events. Every request of a client's
 * submission queue becomes one descriptor chain (header, data, status) of
 * the device's queue 0; the data descriptor points straight into the
 * client's shared object (zero copy), whose physical address the driver
 * learnt at BLK_ATTACH. The header and status bytes live in the `dma`
 * memory, one slot per request in flight.
 *
 * The handlers never wait: BLK_WAIT with nothing to answer yet is a saved
 * Reply, answered when a completion for that session comes.
 */
#include <stdbool.h>
#include <string.h>
#include <format.h>
#include <cairn/rt.h>
#include <cairn/blk.h>
#include <cairn/server.h>
#include <cairn/counter.h>
#include "virtq.h"
#include "vdrv.h"

/* virtio-blk (virtio 1.x, 5.2) */
#define VIRTIO_BLK_F_SIZE_MAX   1
#define VIRTIO_BLK_F_SEG_MAX    2
#define VIRTIO_BLK_F_RO         5
#define VIRTIO_BLK_F_BLK_SIZE   6
#define VIRTIO_BLK_F_FLUSH      9
#define VIRTIO_BLK_CFG_CAPACITY 0     /* le64, 512-byte sectors */
#define VIRTIO_BLK_CFG_SIZE_MAX 8     /* le32 */
#define VIRTIO_BLK_CFG_SEG_MAX  12    /* le32 */
#define VIRTIO_BLK_CFG_BLK_SIZE 20    /* le32 */
#define VIRTIO_BLK_T_IN         0
#define VIRTIO_BLK_T_OUT        1
#define VIRTIO_BLK_T_FLUSH      4
#define VIRTIO_BLK_S_OK         0
#define VIRTIO_BLK_S_IOERR      1
#define VIRTIO_BLK_S_UNSUPP     2

struct vblk_hdr {
	uint32_t type, reserved;
	uint64_t sector;
};

#define QSIZE       256u       /* virtqueue entries asked for (the device may give fewer) */
#define NSLOTS      64u        /* requests in flight at once */
#define MAX_SEGS    16u        /* data descriptors a request may take (SIZE_MAX) */
#define IRQ_BIT     1ull
#define GONE_BIT    2ull
#define PG          CAIRN_PAGE_SIZE

/* Test hook (argument --testhooks only): taking a request with this tag
 * crashes the driver, so user/tests/blktest can check that clients
 * survive a driver's death (in-flight requests fail with ERR_IO, the
 * session is made again with the next driver). */
#define TEST_CRASH_TAG  0xdeadb10cdeadb10cull
static bool testhooks;

struct session {
	bool used, closing, broken;
	uint64_t badge;
	cap_t mem;                        /* the client's object */
	volatile struct blk_shm *shm;
	volatile struct blk_req *sq;
	volatile struct blk_cpl *cq;
	uint8_t *va;                      /* page 0 (the queues) mapped here */
	uint64_t pa, bytes;               /* the whole object's address and size */
	uint32_t entries, sq_head, cq_tail;   /* ours: never read back from the page */
	unsigned inflight;
	cap_t reply;                      /* a waiting BLK_WAIT, or CAP_NULL */
};

struct slot {
	struct session *s;                /* NULL: free */
	uint64_t tag;
	uint32_t len;
	struct vblk_hdr *hdr;
	uint64_t hdr_pa;
	volatile uint8_t *status;
	uint64_t status_pa;
};

static struct vdrv v;
static struct virtq vq;
static struct session sessions[BLK_SESSIONS];
static struct slot slots[NSLOTS];
static unsigned nslots, free_slots;
static uint64_t capacity, bsize, size_max, gen;
static uint32_t info_flags;
static unsigned next_session;          /* round robin */
static unsigned bad_used;

/* ---- sessions --------------------------------------------------------------------------- */

static struct session *session_of(uint64_t badge)
{
	unsigned i = (unsigned)(badge & 0xff) - 1;

	if (badge == 0 || i >= BLK_SESSIONS || !sessions[i].used || sessions[i].badge != badge)
		return NULL;
	return &sessions[i];
}

static void session_free(struct session *s)
{
	if (s->reply != CAP_NULL)
		srv_answer_saved(s->reply, ERR_BADF, 0, 0, 0, 0, 0);
	if (s->va)
		cairn_unmap(s->va, 1);
	if (s->mem != CAP_NULL)
		cairn_cap_delete(s->mem);
	memset(s, 0, sizeof(*s));
	s->mem = s->reply = CAP_NULL;
}

/* Detached or dead: freed now, or when the device has finished its requests. */
static void session_close(struct session *s)
{
	s->closing = true;
	if (!s->inflight)
		session_free(s);
}

static uint32_t unread(struct session *s)
{
	return s->cq_tail - __atomic_load_n(&s->shm->cq_head, __ATOMIC_ACQUIRE);
}

/* Writes a completion and publishes it. */
static void complete(struct session *s, uint64_t tag, err_t err, uint32_t len)
{
	volatile struct blk_cpl *c = &s->cq[s->cq_tail % s->entries];

	c->tag = tag;
	c->err = err;
	c->len = err ? 0 : len;
	s->cq_tail++;
	__atomic_store_n(&s->shm->cq_tail, s->cq_tail, __ATOMIC_RELEASE);
}

/* ---- requests ---------------------------------------------------------------------------- */

static err_t check(struct session *s, const struct blk_req *r)
{
	if (r->op == BLK_OP_FLUSH)
		return r->len || r->pos || r->off ? ERR_INVAL : ERR_OK;
	if (r->op != BLK_OP_READ && r->op != BLK_OP_WRITE)
		return ERR_INVAL;
	if (r->len == 0 || r->len % bsize || r->pos % bsize || r->pos > capacity ||
	    r->len > capacity - r->pos)
		return ERR_INVAL;
	if (r->off < BLK_DATA_OFF || r->off > s->bytes || r->len > s->bytes - r->off)
		return ERR_INVAL;
	if (r->op == BLK_OP_WRITE && (info_flags & BLK_F_RO))
		return ERR_ROFS;
	return ERR_OK;
}

static struct slot *slot_get(void)
{
	for (unsigned i = 0; i < nslots; i++)
		if (!slots[i].s)
			return &slots[i];
	return NULL;
}

/* Puts a checked request on the device's queue. ERR_AGAIN: no slot or
 * descriptors now (the request stays in the client's queue). */
static err_t submit(struct session *s, const struct blk_req *r)
{
	struct virtq_buf b[MAX_SEGS + 2];
	struct slot *sl;
	unsigned n = 0;
	err_t e;

	if (!(sl = slot_get()))
		return ERR_AGAIN;
	if (testhooks && r->tag == TEST_CRASH_TAG) {
		printf("%s: test hook: crashing with %u requests in flight\n", v.name, nslots - free_slots);
		__builtin_trap();
	}
	sl->hdr->type = r->op == BLK_OP_READ ? VIRTIO_BLK_T_IN :
			r->op == BLK_OP_WRITE ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_FLUSH;
	sl->hdr->reserved = 0;
	sl->hdr->sector = r->op == BLK_OP_FLUSH ? 0 : r->pos / 512;
	*sl->status = 0xff;
	b[n++] = (struct virtq_buf){ sl->hdr_pa, sizeof(struct vblk_hdr), false };
	for (uint64_t done = 0; done < r->len; n++) {
		uint64_t chunk = r->len - done;

		if (chunk > size_max)
			chunk = size_max;
		if (n > MAX_SEGS)
			return ERR_INVAL;
		b[n] = (struct virtq_buf){ s->pa + r->off + done, (uint32_t)chunk, r->op == BLK_OP_READ };
		done += chunk;
	}
	b[n++] = (struct virtq_buf){ sl->status_pa, 1, true };
	if ((e = virtq_add(&vq, b, n, sl)))
		return e;
	sl->s = s;
	sl->tag = r->tag;
	sl->len = r->len;
	s->inflight++;
	free_slots--;
	return ERR_OK;
}

/*
 * Takes s's new submissions while its completions have room and the
 * device has slots. Sets kick: 1 when the driver will not look again by
 * itself (it took everything, or the client must read completions first),
 * 0 when a completion will make it look (out of slots). Returns how many
 * it took; a broken queue breaks the session.
 */
static unsigned pump(struct session *s)
{
	unsigned taken = 0;
	uint32_t tail;
	err_t e;

	if (s->broken || s->closing)
		return 0;
	__atomic_store_n(&s->shm->kick, 1, __ATOMIC_SEQ_CST);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);     /* kick before reading sq_tail: no lost wake-up */
	tail = __atomic_load_n(&s->shm->sq_tail, __ATOMIC_ACQUIRE);
	if (tail - s->sq_head > s->entries || unread(s) > s->entries) {
		printf("%s: session %#lx: broken queue (sq_tail %u, sq_head %u, %u unread): dropped\n",
		       v.name, (unsigned long)s->badge, tail, s->sq_head, unread(s));
		s->broken = true;
		return 0;
	}
	while (s->sq_head != tail) {
		struct blk_req r;

		if (s->inflight + unread(s) >= s->entries)
			break;                          /* kick stays 1: the client reads, then kicks */
		r.tag = s->sq[s->sq_head % s->entries].tag;
		r.op = s->sq[s->sq_head % s->entries].op;
		r.len = s->sq[s->sq_head % s->entries].len;
		r.pos = s->sq[s->sq_head % s->entries].pos;
		r.off = s->sq[s->sq_head % s->entries].off;
		e = check(s, &r);
		if (!e && r.op == BLK_OP_FLUSH && !(info_flags & BLK_F_FLUSH))
			complete(s, r.tag, ERR_OK, 0);  /* no write cache: nothing to flush */
		else if (!e && (e = submit(s, &r)) == ERR_AGAIN) {
			__atomic_store_n(&s->shm->kick, 0, __ATOMIC_RELAXED);
			break;                          /* a completion frees a slot and looks again */
		} else if (e) {
			complete(s, r.tag, e, 0);
		}
		s->sq_head++;
		taken++;
	}
	__atomic_store_n(&s->shm->sq_head, s->sq_head, __ATOMIC_RELEASE);
	if (virtq_kick_needed(&vq))
		virtio_notify(&v.dev, 0);
	return taken;
}

/* Answers a waiting BLK_WAIT that has something to read. */
static void wake(struct session *s)
{
	uint32_t n;

	if (s->reply == CAP_NULL)
		return;
	if (s->broken) {
		srv_answer_saved(s->reply, ERR_INVAL, 0, 0, 0, 0, 0);
	} else {
		if (!(n = unread(s)) && (s->inflight || s->sq_head != s->shm->sq_tail))
			return;
		srv_answer_saved(s->reply, n ? ERR_OK : ERR_AGAIN, 0, n, 0, 0, 0);
	}
	s->reply = CAP_NULL;
}

/* Takes the device's used buffers: each one's completion goes to its session. */
static void reap(void)
{
	void *cookie;
	uint32_t len;
	int r;

	while ((r = virtq_get(&vq, &cookie, &len)) != 0) {
		struct slot *sl = cookie;
		struct session *s;
		err_t e;

		if (r < 0) {
			if (bad_used++ < 4)
				printf("%s: the device returned a bad used element (dropped)\n", v.name);
			continue;
		}
		s = sl->s;
		e = *sl->status == VIRTIO_BLK_S_OK ? ERR_OK :
		    *sl->status == VIRTIO_BLK_S_UNSUPP ? ERR_NOSYS : ERR_IO;
		sl->s = NULL;
		free_slots++;
		s->inflight--;
		if (s->closing) {
			if (!s->inflight)
				session_free(s);
			continue;
		}
		if (!s->broken)
			complete(s, sl->tag, e, sl->len);
	}
}

/* After every message: new submissions of every session (round robin),
 * then the waiters that can be answered. */
static void after(void)
{
	for (unsigned k = 0; k < BLK_SESSIONS; k++) {
		struct session *s = &sessions[(next_session + k) % BLK_SESSIONS];

		if (s->used && !s->closing)
			pump(s);
	}
	next_session = (next_session + 1) % BLK_SESSIONS;
	for (unsigned k = 0; k < BLK_SESSIONS; k++)
		if (sessions[k].used && !sessions[k].closing)
			wake(&sessions[k]);
}

/* ---- the protocol ---------------------------------------------------------------------------- */

static void do_info(struct srv_req *r, struct srv_ans *a)
{
	a->w[0] = capacity;
	a->w[1] = bsize;
	a->w[2] = info_flags;
	a->w[3] = BLK_QUEUE_MAX;
}

static void do_attach(struct srv_req *r, struct srv_ans *a)
{
	struct session *s = NULL;
	uint64_t ident[3], entries = r->w[0];
	struct cairn_msg m;
	void *va;
	unsigned i;

	if (r->badge) {
		a->err = ERR_INVAL;             /* a session attaches nothing */
		return;
	}
	if (r->ncaps < 1 || entries == 0 || entries > BLK_QUEUE_MAX || (entries & (entries - 1))) {
		a->err = ERR_INVAL;
		return;
	}
	for (i = 0; i < BLK_SESSIONS; i++)
		if (!sessions[i].used) {
			s = &sessions[i];
			break;
		}
	if (!s) {
		a->err = ERR_NOSPC;
		return;
	}
	if ((a->err = cairn_cap_op(CAP_OP_IDENTIFY, r->caps[0], 0, 0, 0, ident)))
		return;
	if (ident[0] != OBJ_MEMOBJ) {
		a->err = ERR_INVAL;
		return;
	}
	if ((ident[1] & (RIGHT_READ | RIGHT_WRITE | RIGHT_MANAGE)) != (RIGHT_READ | RIGHT_WRITE | RIGHT_MANAGE)) {
		a->err = ERR_PERM;
		return;
	}
	if ((a->err = cairn_invoke(r->caps[0], MEMOBJ_INFO, 0, 0, 0, 0, 0, &m)))
		return;
	if (!(m.w[1] & MEMOBJ_CONTIG) || m.w[0] < 2 || m.w[0] > (1u << 20)) {
		a->err = ERR_INVAL;
		return;
	}
	s->bytes = m.w[0] * PG;
	if ((a->err = cairn_invoke(r->caps[0], MEMOBJ_PADDR, 0, 0, 0, 0, 0, &m)))
		return;
	s->pa = m.w[0];
	/* only page 0, the queues: the data goes between the device and the
	 * client, and a big object costs the driver no page tables */
	if ((a->err = cairn_map(r->caps[0], 0, 1, CAIRN_PROT_R | CAIRN_PROT_W, &va)))
		return;
	s->used = true;
	s->mem = r->caps[0];
	r->caps[0] = CAP_NULL;              /* kept */
	s->reply = CAP_NULL;
	s->va = va;
	s->shm = va;
	s->sq = (volatile struct blk_req *)(s->va + BLK_SQ_OFF);
	s->cq = (volatile struct blk_cpl *)(s->va + BLK_CQ_OFF);
	s->entries = (uint32_t)entries;
	s->badge = gen << 8 | (i + 1);
	/* the client's indexes start where ours do: a reused object starts clean */
	s->shm->sq_head = s->shm->sq_tail = s->shm->cq_head = s->shm->cq_tail = 0;
	s->shm->entries = s->entries;
	s->shm->kick = 1;
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
		session_free(s);
}

static void do_session(struct srv_req *r, struct srv_ans *a)
{
	struct session *s = r->obj;

	if (!s) {
		a->err = ERR_BADF;
		return;
	}
	switch (r->label) {
	case BLK_KICK:
		a->w[0] = pump(s);
		a->err = s->broken ? ERR_INVAL : ERR_OK;
		break;
	case BLK_WAIT:
		pump(s);
		if (s->broken) {
			a->err = ERR_INVAL;
		} else if (s->reply != CAP_NULL) {
			a->err = ERR_BUSY;
		} else if (unread(s)) {
			a->w[0] = unread(s);
		} else if (!s->inflight && s->sq_head == s->shm->sq_tail) {
			a->err = ERR_AGAIN;        /* nothing to wait for */
		} else if ((a->err = srv_save_reply(a, &s->reply))) {
			s->reply = CAP_NULL;
		}
		break;
	case BLK_DETACH:
		session_close(s);
		break;
	}
}

static void handle(struct srv_req *r, struct srv_ans *a)
{
	switch (r->label) {
	case BLK_INFO:
		do_info(r, a);
		break;
	case BLK_ATTACH:
		do_attach(r, a);
		break;
	default:
		do_session(r, a);
	}
}

/* badge 0: the service itself; otherwise a session of this driver. */
static err_t object(struct srv_req *r)
{
	if (!r->badge)
		return r->label == BLK_INFO || r->label == BLK_ATTACH ? ERR_OK : ERR_BADF;
	r->obj = session_of(r->badge);
	return r->obj ? ERR_OK : ERR_BADF;
}

static void event(uint64_t bits)
{
	if (bits & IRQ_BIT) {
		virtio_isr(&v.dev);
		reap();
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
	{ BLK_INFO, BLK_DETACH, handle },
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

static err_t setup_device(void)
{
	uint64_t want = 1ull << VIRTIO_BLK_F_RO | 1ull << VIRTIO_BLK_F_BLK_SIZE | 1ull << VIRTIO_BLK_F_FLUSH |
			1ull << VIRTIO_BLK_F_SIZE_MAX | 1ull << VIRTIO_BLK_F_SEG_MAX;
	unsigned num = QSIZE;
	uint64_t pa, spa;
	uint8_t *slotmem;
	void *ring;
	err_t e;

	if ((e = virtio_negotiate(&v.dev, want)))
		return e;
	capacity = virtio_cfg_read(&v.dev, VIRTIO_BLK_CFG_CAPACITY, 8) * 512;
	bsize = v.dev.features & (1ull << VIRTIO_BLK_F_BLK_SIZE) ?
		virtio_cfg_read(&v.dev, VIRTIO_BLK_CFG_BLK_SIZE, 4) : 512;
	if (bsize < 512 || bsize > 65536 || (bsize & (bsize - 1)))
		bsize = 512;
	size_max = v.dev.features & (1ull << VIRTIO_BLK_F_SIZE_MAX) ?
		   virtio_cfg_read(&v.dev, VIRTIO_BLK_CFG_SIZE_MAX, 4) : UINT32_MAX;
	if (size_max < 4096)
		size_max = 4096;
	if (size_max > 0x80000000u)
		size_max = 0x80000000u;
	info_flags = (v.dev.features & (1ull << VIRTIO_BLK_F_RO) ? BLK_F_RO : 0) |
		     (v.dev.features & (1ull << VIRTIO_BLK_F_FLUSH) ? BLK_F_FLUSH : 0);
	/* the device's queue size decides the ring's bytes: ask, then lay it out */
	if (!(ring = vdrv_dma_alloc(&v, VIRTQ_BYTES(QSIZE), VIRTQ_ALIGN, &pa)))
		return ERR_NOMEM;
	if ((e = virtio_queue_setup(&v.dev, 0, &num, pa)))
		return e;
	if ((e = virtq_init(&vq, num, ring)))
		return e;
	nslots = num / 3 < NSLOTS ? num / 3 : NSLOTS;
	if (!nslots)
		return ERR_NODEV;
	if (!(slotmem = vdrv_dma_alloc(&v, nslots * 32, 32, &spa)))
		return ERR_NOMEM;
	for (unsigned i = 0; i < nslots; i++) {
		slots[i].hdr = (struct vblk_hdr *)(slotmem + 32 * i);
		slots[i].hdr_pa = spa + 32 * i;
		slots[i].status = slotmem + 32 * i + 16;
		slots[i].status_pa = spa + 32 * i + 16;
	}
	free_slots = nslots;
	return virtio_driver_ok(&v.dev);
}

int main(int argc, char **argv)
{
	uint64_t ident[6];
	struct cairn_msg m;
	cap_t note;
	unsigned prio = 8;
	err_t e;

	for (unsigned i = 0; i < BLK_SESSIONS; i++)
		sessions[i].mem = sessions[i].reply = CAP_NULL;
	for (int i = 1; i < argc; i++)
		testhooks |= !strcmp(argv[i], "--testhooks");
	if ((e = vdrv_open(&v, argc, argv, VIRTIO_ID_BLOCK, 4))) {
		printf("%s: no virtio block device (needs --mmio PADDR and regs, or --pci BB:DD.F, cfg "
		       "and barN; irq): %s\n", argv[0], err_name(e));
		return 1;
	}
	srv.name = v.name;
	if (v.svc == CAP_NULL) {
		printf("%s: no capability 'svc' (the endpoint to serve)\n", v.name);
		return 1;
	}
	/* badges name this driver's sessions only: a stale client of an earlier
	 * driver on the same svc must not reach a new session. The Process's
	 * object id is never reused during the boot. */
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
	printf("%s: %s, %lu bytes in blocks of %lu%s%s, queue of %u, %u requests in flight\n", v.name,
	       virtio_describe(&v.dev), (unsigned long)capacity, (unsigned long)bsize,
	       info_flags & BLK_F_RO ? ", read-only" : "", info_flags & BLK_F_FLUSH ? ", write cache" : "",
	       vq.num, nslots);
	if ((e = vdrv_ready(&v)))
		printf("%s: DEV_READY: %s\n", v.name, err_name(e));
	srv_run(&srv);
	virtio_reset(&v.dev);
	return 1;
}
