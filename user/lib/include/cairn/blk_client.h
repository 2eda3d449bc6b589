/* SPDX-License-Identifier: MIT */
/*
 * The block protocol's client side (include/cairn/blk.h), for a file
 * system or a test: attach to a block driver's service, submit requests,
 * wait for completions. user/lib/blk.c.
 *
 * One thread uses a struct blk_client at a time. The client owns the
 * shared object (made here, contiguous) and keeps it across a driver's
 * death: when a call on the session fails because the driver died (or a
 * new driver does not know the session), blk_wait() completes every
 * request in flight with ERR_IO and attaches again through `svc`, which
 * outlives the driver; the caller may then submit again.
 */
#ifndef CAIRN_BLK_CLIENT_H
#define CAIRN_BLK_CLIENT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cairn/blk.h>
#include <cairn/sys.h>

struct blk_client {
	cap_t svc, session, mem;
	uint8_t *va;                       /* the shared object, mapped */
	size_t bytes;
	volatile struct blk_shm *shm;
	volatile struct blk_req *sq;
	volatile struct blk_cpl *cq;
	uint32_t entries, sq_tail, cq_head;
	uint64_t capacity;                 /* BLK_INFO */
	uint32_t bsize, flags;
	unsigned nflight;                  /* submitted, completion not taken yet */
	uint64_t flight[BLK_QUEUE_MAX];    /* their tags */
	unsigned failed;                   /* synthetic ERR_IO completions still to hand out */
	uint64_t failed_tags[BLK_QUEUE_MAX];
	unsigned reattached;               /* times the driver was found dead */
};

/*
 * Makes a contiguous object of one page of queues and data_bytes (rounded
 * up to pages) of data, and attaches it to the driver at svc with queues
 * of `entries`. Errors: those of BLK_INFO and BLK_ATTACH, ERR_NOMEM.
 */
err_t blk_attach(struct blk_client *c, cap_t svc, unsigned entries, size_t data_bytes);

/* The data area: a request's off is (pointer - c->va); blk_data(c) is at
 * off BLK_DATA_OFF. */
static inline uint8_t *blk_data(struct blk_client *c) { return c->va + BLK_DATA_OFF; }

/*
 * Queues a request (not yet seen by the driver: blk_kick or blk_wait).
 * ERR_AGAIN: entries requests are in flight or unread; take completions.
 */
err_t blk_submit(struct blk_client *c, uint32_t op, uint64_t pos, uint32_t len, uint64_t off,
		 uint64_t tag);

/* Tells the driver about new submissions if it sleeps (kick set). */
err_t blk_kick(struct blk_client *c);

/*
 * Takes up to max completions into out (*n of them), waiting for at
 * least one (BLK_WAIT) when none is there. ERR_AGAIN: nothing in flight.
 * A dead driver: the requests in flight complete with ERR_IO here and the
 * session is attached again (c->reattached counts it); the error of the
 * attach if that fails. ERR_INTR: the wait was interrupted (nothing lost).
 */
err_t blk_wait(struct blk_client *c, struct blk_cpl *out, unsigned max, unsigned *n);

/* One request, waited for: its completion's error. */
err_t blk_io(struct blk_client *c, uint32_t op, uint64_t pos, uint32_t len, uint64_t off);

/* Detaches and frees the object. */
void blk_detach(struct blk_client *c);

#endif
