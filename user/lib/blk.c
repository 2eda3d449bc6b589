/* SPDX-License-Identifier: MIT */
/*
 * The block protocol's client (<cairn/blk_client.h>): the shared object,
 * the two single-producer single-consumer queues of include/cairn/blk.h,
 * signals to the driver only when it sleeps, and recovery from a driver
 * that died (in-flight requests fail with ERR_IO, the session is made
 * again).
 */
#include <string.h>
#include <cairn/rt.h>
#include <cairn/blk_client.h>

static err_t call(cap_t cap, uint32_t label, unsigned ncaps, uint64_t w0, struct cairn_msg *m)
{
	*m = cairn_call(cap, cairn_tag(label, CAIRN_MSG_REGS, ncaps), w0, 0, 0, 0);
	return m->err ? (err_t)m->err : (err_t)cairn_tag_label(m->tag);
}

/* BLK_ATTACH of our object: a new session, the queues from 0. */
static err_t session_make(struct blk_client *c)
{
	struct cairn_msg m;
	err_t e;

	cairn_ipcbuf()->caps[0] = c->mem;
	if ((e = call(c->svc, BLK_ATTACH, 1, c->entries, &m)))
		return e;
	c->session = cairn_ipcbuf()->caps[0];
	c->sq_tail = c->cq_head = 0;
	c->nflight = 0;
	return ERR_OK;
}

err_t blk_attach(struct blk_client *c, cap_t svc, unsigned entries, size_t data_bytes)
{
	uint64_t pages = 1 + (data_bytes + CAIRN_PAGE_SIZE - 1) / CAIRN_PAGE_SIZE;
	struct cairn_msg m;
	void *va;
	err_t e;

	memset(c, 0, sizeof(*c));
	c->svc = svc;
	c->session = c->mem = CAP_NULL;
	c->entries = entries;
	if ((e = call(svc, BLK_INFO, 0, 0, &m)))
		return e;
	c->capacity = m.w[0];
	c->bsize = (uint32_t)m.w[1];
	c->flags = (uint32_t)m.w[2];
	if ((e = cairn_memobj_create(SLOT_SELF_PROC, pages, MEMOBJ_CONTIG, &c->mem)))
		return e;
	if ((e = cairn_map(c->mem, 0, pages, CAIRN_PROT_R | CAIRN_PROT_W, &va)))
		goto out_mem;
	c->va = va;
	c->bytes = pages * CAIRN_PAGE_SIZE;
	c->shm = va;
	c->sq = (volatile struct blk_req *)(c->va + BLK_SQ_OFF);
	c->cq = (volatile struct blk_cpl *)(c->va + BLK_CQ_OFF);
	if ((e = session_make(c)))
		goto out_map;
	return ERR_OK;
out_map:
	cairn_unmap(c->va, pages);
out_mem:
	cairn_cap_delete(c->mem);
	c->mem = CAP_NULL;
	return e;
}

err_t blk_submit(struct blk_client *c, uint32_t op, uint64_t pos, uint32_t len, uint64_t off,
		 uint64_t tag)
{
	volatile struct blk_req *r;

	if (c->nflight >= c->entries)
		return ERR_AGAIN;
	r = &c->sq[c->sq_tail % c->entries];
	r->tag = tag;
	r->op = op;
	r->len = len;
	r->pos = pos;
	r->off = off;
	c->flight[c->nflight++] = tag;
	c->sq_tail++;
	__atomic_store_n(&c->shm->sq_tail, c->sq_tail, __ATOMIC_RELEASE);
	return ERR_OK;
}

/* The driver is gone (or forgot us): what was in flight fails, and a new
 * session starts on the same object. */
static err_t driver_lost(struct blk_client *c)
{
	for (unsigned i = 0; i < c->nflight; i++)
		c->failed_tags[c->failed++] = c->flight[i];
	c->nflight = 0;
	if (c->session != CAP_NULL)
		cairn_cap_delete(c->session);
	c->session = CAP_NULL;
	c->reattached++;
	return session_make(c);
}

/* A session call's error that means the driver is not the one we attached
 * to: the call itself failed (the driver died with our Reply), or the
 * session is unknown (a new driver). */
static bool lost(const struct cairn_msg *m)
{
	if (m->err)
		return m->err != ERR_INTR;      /* interrupted (an upcall): the driver lives */
	return cairn_tag_label(m->tag) == ERR_BADF;
}

err_t blk_kick(struct blk_client *c)
{
	struct cairn_msg m;
	err_t e;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);   /* sq_tail before reading kick */
	if (!__atomic_load_n(&c->shm->kick, __ATOMIC_ACQUIRE))
		return ERR_OK;
	e = call(c->session, BLK_KICK, 0, 0, &m);
	if (lost(&m))
		return driver_lost(c);
	return e;
}

/* Moves ready completions into out. */
static unsigned take(struct blk_client *c, struct blk_cpl *out, unsigned max)
{
	unsigned n = 0;

	while (n < max && c->failed) {
		out[n++] = (struct blk_cpl){ .tag = c->failed_tags[--c->failed], .err = ERR_IO };
	}
	while (n < max && c->cq_head != __atomic_load_n(&c->shm->cq_tail, __ATOMIC_ACQUIRE)) {
		volatile struct blk_cpl *p = &c->cq[c->cq_head % c->entries];

		out[n].tag = p->tag;
		out[n].err = p->err;
		out[n].len = p->len;
		for (unsigned i = 0; i < c->nflight; i++)
			if (c->flight[i] == out[n].tag) {
				c->flight[i] = c->flight[--c->nflight];
				break;
			}
		n++;
		c->cq_head++;
	}
	__atomic_store_n(&c->shm->cq_head, c->cq_head, __ATOMIC_RELEASE);
	return n;
}

err_t blk_wait(struct blk_client *c, struct blk_cpl *out, unsigned max, unsigned *n)
{
	struct cairn_msg m;
	err_t e;

	*n = take(c, out, max);
	while (*n == 0) {
		if (!c->nflight)
			return ERR_AGAIN;
		e = call(c->session, BLK_WAIT, 0, 0, &m);
		if (lost(&m)) {
			if ((e = driver_lost(c)))
				return e;
		} else if (e) {
			return e;
		}
		*n = take(c, out, max);
	}
	return ERR_OK;
}

err_t blk_io(struct blk_client *c, uint32_t op, uint64_t pos, uint32_t len, uint64_t off)
{
	struct blk_cpl cpl;
	unsigned n;
	err_t e;

	if ((e = blk_submit(c, op, pos, len, off, ~0ull)))
		return e;
	for (;;) {
		if ((e = blk_wait(c, &cpl, 1, &n)))
			return e;
		if (cpl.tag == ~0ull)
			return cpl.err;
	}
}

void blk_detach(struct blk_client *c)
{
	struct cairn_msg m;

	if (c->session != CAP_NULL) {
		call(c->session, BLK_DETACH, 0, 0, &m);
		cairn_cap_delete(c->session);
	}
	if (c->va)
		cairn_unmap(c->va, c->bytes / CAIRN_PAGE_SIZE);
	if (c->mem != CAP_NULL)
		cairn_cap_delete(c->mem);
	memset(c, 0, sizeof(*c));
	c->svc = c->session = c->mem = CAP_NULL;
}
