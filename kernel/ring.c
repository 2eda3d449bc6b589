// SPDX-License-Identifier: MIT
/*
 * Per-thread submission and completion rings (layout in
 * include/cairn/abi.h). The ring lives in a physically contiguous
 * MemoryObject that the kernel reaches through the direct map, so
 * completions can be posted while another address space is active.
 *
 * The user side can change the ring at any time: the kernel copies each
 * SQE before using it, masks every index, and never trusts a count it
 * did not keep itself (ring_inflight bounds what it will post, so the
 * completion queue cannot overflow unless the thread corrupts its own
 * indices, which only hurts itself).
 */
#include <kernel/ipc.h>
#include <kernel/memory.h>
#include <kernel/syscall.h>
#include <string.h>

static struct cairn_ring_hdr *hdr(struct thread *t) { return t->ring; }

static struct cairn_sqe *sqes(struct thread *t)
{
	return (struct cairn_sqe *)((char *)t->ring + CAIRN_RING_SQ_OFF);
}

static struct cairn_cqe *cqes(struct thread *t)
{
	return (struct cairn_cqe *)(sqes(t) + t->ring_entries);
}

err_t ring_check(const struct thread *t, const struct memobj *mo, uint64_t entries)
{
	size_t need;

	if (entries == 0 || entries > 64 || (entries & (entries - 1)))
		return ERR_INVAL;
	need = CAIRN_RING_SQ_OFF + (size_t)entries * (sizeof(struct cairn_sqe) + sizeof(struct cairn_cqe));
	if (!(mo->flags & MO_CONTIG) || mo->npages * PAGE_SIZE < need)
		return ERR_INVAL;
	return t->ring_inflight ? ERR_BUSY : ERR_OK;
}

void ring_set(struct thread *t, struct memobj *mo, uint64_t entries)
{
	ring_release(t);
	kobj_get(&mo->obj);
	t->ring_mo = mo;
	t->ring = memobj_kaddr(mo, 0);
	t->ring_entries = entries;
	memset(t->ring, 0, CAIRN_RING_SQ_OFF);
	hdr(t)->entries = entries;
}

void ring_release(struct thread *t)
{
	if (t->ring_mo)
		kobj_put(&t->ring_mo->obj);
	t->ring_mo = NULL;
	t->ring = NULL;
	t->ring_entries = 0;
}

static uint32_t ready_count(struct thread *t)
{
	struct cairn_ring_hdr *h = hdr(t);
	uint32_t n = h->cq_tail - __atomic_load_n(&h->cq_head, __ATOMIC_ACQUIRE);

	return n > t->ring_entries ? t->ring_entries : n;
}

void ring_complete(struct thread *t, uint64_t user_data, err_t err, const struct msg *m, uint64_t badge)
{
	struct cairn_ring_hdr *h;
	struct cairn_cqe *c;

	if (!t->ring)
		return;
	h = hdr(t);
	c = &cqes(t)[h->cq_tail & (t->ring_entries - 1)];
	c->user_data = user_data;
	c->err = (uint64_t)err;
	c->tag = m->tag;
	c->w[0] = m->w[0];
	c->w[1] = m->w[1];
	c->w[2] = m->w[2];
	c->w[3] = m->w[3];
	c->badge = badge;
	__atomic_store_n(&h->cq_tail, h->cq_tail + 1, __ATOMIC_RELEASE);
	if (t->ring_inflight)
		t->ring_inflight--;
	if (t->state == TS_BLOCKED && t->block == BK_RING && ready_count(t) >= t->ring_min_complete)
		sched_wake(t, ERR_OK);
}

/* One submission: an Endpoint gets an asynchronous call, anything else is
 * invoked now. */
static void submit_one(struct thread *t, const volatile struct cairn_sqe *sqe)
{
	/* each field read once: the thread may be rewriting the entry */
	uint64_t slot = sqe->cap, tag = sqe->tag, user_data = sqe->user_data;
	struct msg m = { cairn_tag(cairn_tag_label(tag), MIN(cairn_tag_len(tag), CAIRN_MSG_REGS), 0),
			 { sqe->w[0], sqe->w[1], sqe->w[2], sqe->w[3] } };
	struct msg out = { 0 };
	struct cap *c;
	err_t e;

	t->ring_inflight++;
	e = cap_lookup(t->proc, slot, OBJ_NONE, 0, &c);
	if (!e && c->obj->type == OBJ_ENDPOINT) {
		if (!(c->rights & RIGHT_WRITE))
			e = ERR_PERM;
		else if (!(e = ipc_call_async((struct endpoint *)c->obj, c, &m, user_data)))
			return;
	} else if (!e) {
		obj_invoke(c, &m, &out, false);
	}
	ring_complete(t, user_data, e, &out, 0);
}

err_t ring_enter(uint64_t n_submit, uint64_t min_complete, uint64_t timeout_ns,
		 uint64_t *submitted, uint64_t *ready)
{
	struct thread *t = current;
	struct cairn_ring_hdr *h;
	uint64_t n = 0;
	err_t e = ERR_OK;

	if (!t->ring)
		return ERR_INVAL;
	if (min_complete > t->ring_entries)
		return ERR_INVAL;
	h = hdr(t);
	while (n < n_submit && t->ring_inflight < t->ring_entries) {
		uint32_t head = h->sq_head;
		if (head == __atomic_load_n(&h->sq_tail, __ATOMIC_ACQUIRE))
			break;
		h->sq_head = head + 1;
		submit_one(t, &sqes(t)[head & (t->ring_entries - 1)]);
		n++;
		if (!t->ring)          /* the thread's ring went away (it was killed) */
			return ERR_PIPE;
	}
	*submitted = n;
	if (ready_count(t) < min_complete && timeout_ns != 0) {
		t->ring_min_complete = (uint32_t)min_complete;
		e = sched_block(BK_RING, NULL, timeout_ns);
		if (e == ERR_TIMEDOUT)
			e = ERR_OK;
	}
	*ready = t->ring ? ready_count(t) : 0;
	return e;
}
