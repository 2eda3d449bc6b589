/* SPDX-License-Identifier: MIT */
/*
 * A split virtqueue as the driver side keeps it (virtio 1.x, 2.7): the
 * descriptor table with a free list, the available ring the driver fills
 * and the used ring the device fills, in memory the device reaches by DMA.
 * No registers and no system calls: the transport (virtio.h) tells the
 * device where the rings are and rings its doorbell; tests/host/test_virtq.c
 * plays the device on the host.
 *
 * Nothing the device writes is trusted: a used element whose id is not
 * the head of a chain in flight (out of range, free, or not a head) is
 * dropped with ERR_IO, and the queue goes on serving the others.
 * Event suppression: the driver honours the device's NO_NOTIFY flag;
 * VIRTIO_F_EVENT_IDX is not negotiated (one interrupt a batch is what the
 * drivers ask for anyway).
 */
#ifndef VIRTQ_H
#define VIRTQ_H
#include <stdbool.h>
#include <stdint.h>
#include <cairn/err.h>
#include "virtio.h"

#define VIRTQ_MAX  256u          /* entries a queue may have */

struct virtq {
	unsigned num;                    /* entries, a power of two */
	struct virtq_desc *desc;
	struct virtq_avail *avail;
	struct virtq_used *used;
	uint16_t free_head, nfree;       /* the free list, linked by desc[].next */
	uint16_t avail_idx;              /* our copy of avail->idx */
	uint16_t last_used;              /* used elements consumed */
	uint16_t added;                  /* chains made available since the last notify */
	uint16_t chain[VIRTQ_MAX];        /* per head: descriptors in its chain, 0 = not in flight */
	void *cookie[VIRTQ_MAX];         /* per head: the caller's */
	unsigned bad;                    /* used elements dropped as garbage */
};

/* One buffer of a chain: physical address, length, device-writable or not. */
struct virtq_buf {
	uint64_t pa;
	uint32_t len;
	bool write;
};

/*
 * Lays the queue out in mem (VIRTQ_BYTES(num) bytes, zeroed here), the
 * memory the device will see at the physical address the transport is
 * given. ERR_INVAL: num not a power of two in 1..VIRTQ_MAX.
 */
err_t virtq_init(struct virtq *q, unsigned num, void *mem);

/*
 * Makes a chain of n buffers available (device-readable ones first, as
 * the spec asks) with cookie, returned by virtq_get(). ERR_AGAIN: fewer
 * than n free descriptors; ERR_INVAL: n is 0 or more than the queue.
 */
err_t virtq_add(struct virtq *q, const struct virtq_buf *bufs, unsigned n, void *cookie);

/* True if chains were added since the last call and the device has not
 * asked (NO_NOTIFY) to go without: notify it then. */
bool virtq_kick_needed(struct virtq *q);

/*
 * Takes the next used element: 1 with its cookie and the bytes the device
 * wrote, 0 when none, or ERR_IO (negative) when the device returned
 * garbage, which is dropped (the next call looks at the next element).
 * The chain's descriptors go back to the free list.
 */
int virtq_get(struct virtq *q, void **cookie, uint32_t *len);

/* Chains in flight (made available, not yet used). */
static inline unsigned virtq_in_flight(const struct virtq *q)
{
	return q->num - q->nfree;
}

#endif
