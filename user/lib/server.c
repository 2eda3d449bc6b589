/* SPDX-License-Identifier: MIT */
/*
 * The server skeleton: the receive loop, dispatch by label, saved Replies,
 * the relay thread and dead clients (contract: <cairn/server.h>).
 *
 * The loop answers with SYS_REPLY_RECV whenever it can: one system call
 * answers a client and waits for the next. It answers with SYS_REPLY
 * alone (then SYS_RECV) only when the server must see the outcome first
 * (an answer with capabilities and an answered() hook), must work before
 * receiving (work_pending), or stops.
 */
#include <string.h>
#include <cairn/rt.h>
#include <cairn/posix.h>
#include <cairn/server.h>

/* What a request brings beyond its registers: inline bytes, capabilities. */
static void gather_long(struct srv *s, uint64_t tag, struct srv_req *r)
{
	struct cairn_ipcbuf *ib = cairn_ipcbuf();
	unsigned len = cairn_tag_len(tag);

	r->nbytes = len > CAIRN_MSG_REGS ? (len - CAIRN_MSG_REGS) * 8u : 0;
	if (r->nbytes > s->in_max)
		r->nbytes = s->in_max;
	if (r->nbytes)
		memcpy(s->in_buf, &ib->w[CAIRN_MSG_REGS], r->nbytes);
	r->ncaps = cairn_tag_ncaps(tag);
	if (r->ncaps > CAIRN_MSG_MAX_CAPS)
		r->ncaps = CAIRN_MSG_MAX_CAPS;
	for (unsigned i = 0; i < r->ncaps; i++)
		r->caps[i] = ib->caps[i];
}

static void gather(struct srv *s, const struct cairn_msg *m, struct srv_req *r)
{
	uint64_t tag = m->tag;

	r->badge = m->badge;
	r->label = cairn_tag_label(tag);
	r->w[0] = m->w[0];          /* (memcpy would be a call: -ffreestanding) */
	r->w[1] = m->w[1];
	r->w[2] = m->w[2];
	r->w[3] = m->w[3];
	r->obj = NULL;
	r->nbytes = 0;
	r->ncaps = 0;
	if (cairn_tag_len(tag) > CAIRN_MSG_REGS || cairn_tag_ncaps(tag))
		gather_long(s, tag, r);
}

/* The relay's call: dead clients first (their badges), then the rest. */
static void relay_event(struct srv *s, uint64_t bits)
{
	uint64_t r[3];

	if (s->gone_bit & bits) {
		while (!cairn_cap_op(CAP_OP_GONE, s->ep, 0, 0, 0, r)) {
			if (r[1])
				printf("%s: some dead clients' references were lost (queue overflow)\n",
				       s->name);
			s->gone(r[0]);
		}
		bits &= ~s->gone_bit;
	}
	if (bits && s->event)
		s->event(bits);
}

static void dispatch(struct srv *s, struct srv_req *r, struct srv_ans *a)
{
	if (r->badge == SRV_EVENT_BADGE && r->label == SRV_EVENT_LABEL && s->relayed) {
		relay_event(s, r->w[0]);
		return;
	}
	/* the bound Notification's signal, from the kernel: nobody to answer */
	if (r->badge == CAIRN_NOTIFY_BADGE && r->label == CAIRN_NOTIFY_LABEL && s->bound) {
		relay_event(s, r->w[0]);
		a->deferred = true;
		return;
	}
	if (s->object && (a->err = s->object(r)))
		return;
	for (const struct srv_op *op = s->ops; op < s->ops + s->nops; op++) {
		if (r->label - op->first <= op->last - op->first) {
			op->fn(r, a);
			return;
		}
	}
	a->err = ERR_NOSYS;
}

/* Sends answer a (unless deferred); returns the next message (none when
 * stopping). */
static struct cairn_msg answer(struct srv *s, struct srv_ans *a)
{
	struct cairn_ipcbuf *ib;
	struct cairn_msg none = { .err = ERR_AGAIN };
	bool work = s->work_pending && *s->work_pending;
	uint64_t tag;
	err_t e;

	/* the common answer: words only, and nothing to do before the next */
	if (!(a->deferred | a->nbytes | a->ncaps | s->stopping | work))
		return cairn_reply_recv(s->ep, cairn_tag((uint32_t)a->err, CAIRN_MSG_REGS, 0),
					a->w[0], a->w[1], a->w[2], a->w[3]);
	if (!a->deferred) {
		if (a->err && a->err != ERR_REMOTE) {   /* a redirect carries its path and cap */
			a->nbytes = 0;
			if (a->ncaps && s->answered)
				s->answered(a, a->err);
			a->ncaps = 0;
		}
		ib = cairn_ipcbuf();
		if (a->nbytes && s->out_buf)
			memcpy(&ib->w[CAIRN_MSG_REGS], s->out_buf, a->nbytes);
		for (unsigned i = 0; i < a->ncaps; i++)
			ib->caps[i] = a->caps[i];
		tag = cairn_tag((uint32_t)a->err, srv_words(a->nbytes), a->ncaps);
		if (!s->stopping && !work && !(a->ncaps && s->answered))
			return cairn_reply_recv(s->ep, tag, a->w[0], a->w[1], a->w[2], a->w[3]);
		e = cairn_reply(tag, a->w[0], a->w[1], a->w[2], a->w[3]);
		if (a->ncaps && s->answered)
			s->answered(a, e);
	}
	if (s->stopping)
		return none;
	if (work)
		s->work();
	return cairn_recv(s->ep, 0);
}

void srv_run(struct srv *s)
{
	struct cairn_msg m = cairn_recv(s->ep, 0);
	unsigned errors = 0;

	while (!s->stopping) {
		struct srv_req r;
		struct srv_ans a;

		if (m.err) {
			printf("%s: receive failed: %s\n", s->name, err_name((err_t)m.err));
			if (++errors == 100)
				return;
			m = cairn_recv(s->ep, 0);
			continue;
		}
		errors = 0;
		gather(s, &m, &r);
		a.err = ERR_OK;
		a.w[0] = a.w[1] = a.w[2] = a.w[3] = 0;
		a.nbytes = 0;
		a.ncaps = 0;
		a.deferred = false;
		dispatch(s, &r, &a);
		for (unsigned i = 0; i < r.ncaps; i++)
			if (r.caps[i] != CAP_NULL)
				cairn_cap_delete(r.caps[i]);
		if (s->after)
			s->after();
		m = answer(s, &a);
	}
}

/* ---- the relay ---------------------------------------------------------------------------- */

static void relay_thread(uint64_t arg)
{
	struct srv *s = (struct srv *)(uintptr_t)arg;

	for (;;) {
		uint64_t bits;

		if (cairn_wait(s->relay_note, CAIRN_FOREVER, &bits) || !bits)
			continue;
		cairn_call(s->relay_ep, cairn_tag(SRV_EVENT_LABEL, CAIRN_MSG_REGS, 0), bits, 0, 0, 0);
	}
}

err_t srv_relay(struct srv *s, cap_t notif, unsigned prio)
{
	uint64_t r[3];
	err_t e;

	if (!s->relayed) {
		if ((e = cairn_cap_op(CAP_OP_MINT, s->ep, CAP_NULL, RIGHT_WRITE, SRV_EVENT_BADGE, r)))
			return e;
		s->relay_ep = r[0];
		s->relayed = true;
	}
	s->relay_note = notif;
	return cairn_thread_start(relay_thread, (uint64_t)(uintptr_t)s, prio, NULL);
}

err_t srv_bind(struct srv *s, cap_t notif)
{
	err_t e;

	if (s->bound || s->relayed)
		return ERR_BUSY;
	if ((e = cairn_invoke(notif, NOTIFY_BIND, 0, 0, 0, 0, 0, NULL)))
		return e;
	s->relay_note = notif;
	s->bound = true;
	return ERR_OK;
}

err_t srv_watch(struct srv *s, uint64_t bit)
{
	err_t e;

	if (!(s->relayed || s->bound) || !s->gone)
		return ERR_INVAL;
	if ((e = cairn_cap_op(CAP_OP_WATCH, s->ep, s->relay_note, 0, bit, NULL)))
		return e;
	s->gone_bit |= bit;
	return ERR_OK;
}

/* ---- saved Replies ------------------------------------------------------------------------ */

err_t srv_save_reply(struct srv_ans *a, cap_t *reply)
{
	uint64_t r[3];
	err_t e = cairn_cap_op(CAP_OP_SAVE_REPLY, 0, CAP_NULL, 0, 0, r);

	if (e)
		return e;
	*reply = r[0];
	a->deferred = true;
	return ERR_OK;
}

err_t srv_answer_saved(cap_t reply, err_t err, size_t nbytes, uint64_t w0, uint64_t w1,
		       uint64_t w2, uint64_t w3)
{
	return srv_answer_saved_caps(reply, err, nbytes, 0, NULL, w0, w1, w2, w3);
}

err_t srv_answer_saved_caps(cap_t reply, err_t err, size_t nbytes, unsigned ncaps, const cap_t *caps,
			    uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3)
{
	err_t e;

	for (unsigned i = 0; i < ncaps; i++)
		cairn_ipcbuf()->caps[i] = caps[i];
	e = cairn_send(reply, cairn_tag((uint32_t)err, srv_words(nbytes), ncaps), w0, w1, w2, w3);
	cairn_cap_delete(reply);
	return e;
}

/* ---- calls that must not wait: a ring on the main thread ----------------------------------- */

#define ASYNC_ENTRIES 16
static struct cairn_ring_hdr *aring;

err_t srv_async_init(void)
{
	cap_t mo;
	void *va;
	err_t e;

	if (aring)
		return ERR_OK;
	if ((e = cairn_memobj_create(SLOT_SELF_PROC, 1, MEMOBJ_CONTIG, &mo)))
		return e;
	if ((e = cairn_map(mo, 0, 1, CAIRN_PROT_R | CAIRN_PROT_W, &va)) ||
	    (e = cairn_invoke_cap(SLOT_SELF_THREAD, THREAD_SET_RING, mo, ASYNC_ENTRIES, 0, 0, 0, NULL))) {
		cairn_cap_delete(mo);
		return e;
	}
	aring = va;
	return ERR_OK;
}

err_t srv_call_async(cap_t cap, uint32_t label, uint64_t w0)
{
	struct cairn_sqe *sq;
	uint64_t submitted = 0;
	uint32_t tail;
	err_t e;

	if ((e = srv_async_init()))
		return e;
	/* answers are not needed: whatever completed is dropped */
	__atomic_store_n(&aring->cq_head, __atomic_load_n(&aring->cq_tail, __ATOMIC_ACQUIRE),
			 __ATOMIC_RELEASE);
	tail = aring->sq_tail;
	if (tail - aring->sq_head >= ASYNC_ENTRIES)
		return ERR_AGAIN;
	sq = (struct cairn_sqe *)((char *)aring + CAIRN_RING_SQ_OFF) + (tail & (ASYNC_ENTRIES - 1));
	*sq = (struct cairn_sqe){ cap, cairn_tag(label, CAIRN_MSG_REGS, 0), { w0, 0, 0, 0 }, 0, 0 };
	__atomic_store_n(&aring->sq_tail, tail + 1, __ATOMIC_RELEASE);
	cairn_enter(1, 0, 0, &submitted, NULL);
	if (submitted != 1) {
		/* every entry is in flight (calls never answered): take it back
		 * rather than leave a slot number to be read later */
		__atomic_store_n(&aring->sq_tail, tail, __ATOMIC_RELEASE);
		return ERR_AGAIN;
	}
	return ERR_OK;
}
