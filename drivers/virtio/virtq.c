/* SPDX-License-Identifier: MIT */
/*
 * The split virtqueue's driver side (virtq.h): a free list of
 * descriptors, chains made available, used elements taken back with every
 * field the device wrote checked. Plain memory accesses with fences
 * between the device-visible steps; built for the drivers and for the
 * host unit test (tests/host/test_virtq.c).
 */
#include <string.h>
#include "virtq.h"

/* Orders our writes of the rings against the device's reads (and its
 * writes against our reads): a full fence, which on riscv64 also orders
 * them against the doorbell's MMIO store. */
static inline void vq_fence(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

err_t virtq_init(struct virtq *q, unsigned num, void *mem)
{
	uint8_t *m = mem;

	if (num == 0 || num > VIRTQ_MAX || (num & (num - 1)))
		return ERR_INVAL;
	memset(q, 0, sizeof(*q));
	memset(mem, 0, VIRTQ_BYTES(num));
	q->num = num;
	q->desc = (struct virtq_desc *)m;
	q->avail = (struct virtq_avail *)(m + VIRTQ_DESC_BYTES(num));
	q->used = (struct virtq_used *)(m + VIRTQ_USED_OFF(num));
	for (unsigned i = 0; i < num; i++)
		q->desc[i].next = (uint16_t)(i + 1);
	q->free_head = 0;
	q->nfree = (uint16_t)num;
	return ERR_OK;
}

err_t virtq_add(struct virtq *q, const struct virtq_buf *bufs, unsigned n, void *cookie)
{
	uint16_t head = q->free_head, d = head, last = head;

	if (n == 0 || n > q->num)
		return ERR_INVAL;
	if (n > q->nfree)
		return ERR_AGAIN;
	for (unsigned i = 0; i < n; i++) {
		last = d;
		q->desc[d].addr = bufs[i].pa;
		q->desc[d].len = bufs[i].len;
		q->desc[d].flags = (uint16_t)((bufs[i].write ? VIRTQ_DESC_F_WRITE : 0) |
					      (i + 1 < n ? VIRTQ_DESC_F_NEXT : 0));
		d = q->desc[d].next;
	}
	q->free_head = q->desc[last].next;
	q->nfree = (uint16_t)(q->nfree - n);
	q->chain[head] = (uint16_t)n;
	q->cookie[head] = cookie;
	q->avail->ring[q->avail_idx % q->num] = head;
	q->avail_idx++;
	vq_fence();                           /* descriptors and ring entry before idx */
	__atomic_store_n(&q->avail->idx, q->avail_idx, __ATOMIC_RELEASE);
	q->added++;
	return ERR_OK;
}

bool virtq_kick_needed(struct virtq *q)
{
	bool kick;

	vq_fence();                           /* avail->idx before reading used->flags */
	kick = q->added && !(__atomic_load_n(&q->used->flags, __ATOMIC_ACQUIRE) & VIRTQ_USED_F_NO_NOTIFY);
	q->added = 0;
	return kick;
}

/* Puts the chain starting at head back on the free list. */
static void free_chain(struct virtq *q, uint16_t head)
{
	unsigned n = q->chain[head];
	uint16_t d = head;

	for (unsigned i = 1; i < n; i++)
		d = q->desc[d].next;          /* our own links: the device does not write desc */
	q->desc[d].next = q->free_head;
	q->free_head = head;
	q->nfree = (uint16_t)(q->nfree + n);
	q->chain[head] = 0;
	q->cookie[head] = NULL;
}

int virtq_get(struct virtq *q, void **cookie, uint32_t *len)
{
	struct virtq_used_elem e;
	uint16_t idx = __atomic_load_n(&q->used->idx, __ATOMIC_ACQUIRE);

	if (idx == q->last_used)
		return 0;
	vq_fence();                           /* idx before the element */
	e = q->used->ring[q->last_used % q->num];
	q->last_used++;
	if ((uint16_t)(idx - q->last_used) >= q->num || e.id >= q->num || q->chain[e.id] == 0) {
		/* an index more than a ring ahead, or an id that is not a chain in flight */
		q->bad++;
		return -ERR_IO;
	}
	*cookie = q->cookie[e.id];
	*len = e.len;
	free_chain(q, (uint16_t)e.id);
	return 1;
}
