// SPDX-License-Identifier: MIT
/*
 * Host tests of the virtio library's split virtqueue
 * (drivers/virtio/virtq.c): the test plays the device, reading the
 * available ring and descriptor chains and writing used elements, both
 * well-behaved and garbage (ids out of range, of free descriptors, of
 * descriptors inside a chain, the same chain twice, an index far ahead).
 * Garbage must be dropped with ERR_IO and the queue must go on serving the
 * chains in flight; a random run is checked against a model of what is in
 * flight. Built with ASan and UBSan (host.mk).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "../../drivers/virtio/virtq.h"
#include "test.h"

#define NUM 16u

static void *ring_mem(unsigned num)
{
	void *m = aligned_alloc(VIRTQ_ALIGN, VIRTQ_BYTES(num));

	memset(m, 0xee, VIRTQ_BYTES(num));     /* virtq_init must clear it */
	return m;
}

/* The device's side: the next available head, or -1. */
static uint16_t dev_avail_seen;

static int dev_next_avail(struct virtq *q)
{
	if (dev_avail_seen == q->avail->idx)
		return -1;
	return q->avail->ring[dev_avail_seen++ % q->num];
}

static void dev_use(struct virtq *q, uint32_t id, uint32_t len)
{
	struct virtq_used_elem *e = &q->used->ring[q->used->idx % q->num];

	e->id = id;
	e->len = len;
	q->used->idx++;
}

static struct virtq_buf buf(uint64_t pa, uint32_t len, bool w)
{
	return (struct virtq_buf){ pa, len, w };
}

TEST(init_checks_size_and_clears)
{
	static struct virtq q;
	void *m = ring_mem(NUM);

	CHECK(virtq_init(&q, 0, m) == ERR_INVAL);
	CHECK(virtq_init(&q, 12, m) == ERR_INVAL);
	CHECK(virtq_init(&q, 512, m) == ERR_INVAL);
	CHECK(virtq_init(&q, NUM, m) == ERR_OK);
	CHECK(q.nfree == NUM && virtq_in_flight(&q) == 0);
	CHECK(q.avail->idx == 0 && q.used->idx == 0 && q.used->flags == 0);
	CHECK((uint8_t *)q.used - (uint8_t *)m == VIRTQ_USED_OFF(NUM));
	free(m);
	return true;
}

TEST(chain_layout_and_round_trip)
{
	static struct virtq q;
	void *m = ring_mem(NUM);
	struct virtq_buf b[3] = { buf(0x1000, 16, false), buf(0x20000, 4096, true), buf(0x1010, 1, true) };
	void *cookie;
	uint32_t len;
	int head, d;

	virtq_init(&q, NUM, m);
	dev_avail_seen = 0;
	CHECK(virtq_add(&q, b, 3, (void *)0x1234) == ERR_OK);
	CHECK(virtq_kick_needed(&q) && !virtq_kick_needed(&q));
	CHECK(virtq_in_flight(&q) == 3);
	head = dev_next_avail(&q);
	CHECK(head >= 0 && dev_next_avail(&q) == -1);
	d = head;
	for (unsigned i = 0; i < 3; i++) {
		CHECK(q.desc[d].addr == b[i].pa && q.desc[d].len == b[i].len);
		CHECK(!!(q.desc[d].flags & VIRTQ_DESC_F_WRITE) == b[i].write);
		CHECK(!!(q.desc[d].flags & VIRTQ_DESC_F_NEXT) == (i < 2));
		d = q.desc[d].next;
	}
	CHECK(virtq_get(&q, &cookie, &len) == 0);
	dev_use(&q, (uint32_t)head, 4097);
	CHECK(virtq_get(&q, &cookie, &len) == 1 && cookie == (void *)0x1234 && len == 4097);
	CHECK(virtq_get(&q, &cookie, &len) == 0);
	CHECK(q.nfree == NUM && q.bad == 0);
	free(m);
	return true;
}

TEST(full_queue_and_bad_sizes)
{
	static struct virtq q;
	void *m = ring_mem(NUM);
	struct virtq_buf b[NUM + 1];

	for (unsigned i = 0; i <= NUM; i++)
		b[i] = buf(0x1000 * (i + 1), 512, i & 1);
	virtq_init(&q, NUM, m);
	CHECK(virtq_add(&q, b, 0, NULL) == ERR_INVAL);
	CHECK(virtq_add(&q, b, NUM + 1, NULL) == ERR_INVAL);
	for (unsigned i = 0; i < NUM / 3; i++)
		CHECK(virtq_add(&q, b, 3, NULL) == ERR_OK);
	CHECK(virtq_add(&q, b, 3, NULL) == ERR_AGAIN);       /* 1 left */
	CHECK(virtq_add(&q, b, 1, NULL) == ERR_OK);
	CHECK(q.nfree == 0 && virtq_add(&q, b, 1, NULL) == ERR_AGAIN);
	free(m);
	return true;
}

TEST(no_notify_is_honoured)
{
	static struct virtq q;
	void *m = ring_mem(NUM);
	struct virtq_buf b = buf(0x1000, 512, true);

	virtq_init(&q, NUM, m);
	CHECK(!virtq_kick_needed(&q));                        /* nothing added */
	q.used->flags = VIRTQ_USED_F_NO_NOTIFY;
	virtq_add(&q, &b, 1, NULL);
	CHECK(!virtq_kick_needed(&q));
	q.used->flags = 0;
	virtq_add(&q, &b, 1, NULL);
	CHECK(virtq_kick_needed(&q));
	free(m);
	return true;
}

/* Garbage used elements: dropped with ERR_IO, the good ones still served. */
TEST(garbage_from_the_device)
{
	static struct virtq q;
	void *m = ring_mem(NUM);
	struct virtq_buf b[2] = { buf(0x1000, 16, false), buf(0x2000, 512, true) };
	int h1, h2, inner;
	void *cookie;
	uint32_t len;

	virtq_init(&q, NUM, m);
	dev_avail_seen = 0;
	CHECK(virtq_add(&q, b, 2, (void *)1) == ERR_OK);
	CHECK(virtq_add(&q, b, 2, (void *)2) == ERR_OK);
	h1 = dev_next_avail(&q);
	h2 = dev_next_avail(&q);
	inner = q.desc[h1].next;
	dev_use(&q, NUM, 0);                 /* out of range */
	dev_use(&q, 0xffffffffu, 0);
	dev_use(&q, (uint32_t)inner, 0);      /* inside a chain, not a head */
	dev_use(&q, NUM - 1, 0);             /* a free descriptor */
	dev_use(&q, (uint32_t)h2, 512);       /* good */
	dev_use(&q, (uint32_t)h2, 512);       /* the same chain again */
	for (int i = 0; i < 4; i++)
		CHECK(virtq_get(&q, &cookie, &len) == -ERR_IO);
	CHECK(virtq_get(&q, &cookie, &len) == 1 && cookie == (void *)2 && len == 512);
	CHECK(virtq_get(&q, &cookie, &len) == -ERR_IO);
	CHECK(virtq_get(&q, &cookie, &len) == 0);
	CHECK(q.bad == 5 && virtq_in_flight(&q) == 2);
	/* the first chain is still in flight and still completes */
	dev_use(&q, (uint32_t)h1, 7);
	CHECK(virtq_get(&q, &cookie, &len) == 1 && cookie == (void *)1 && len == 7);
	CHECK(q.nfree == NUM);
	/* an index more than a ring ahead: each look drops one, never past the ring */
	q.used->idx = (uint16_t)(q.used->idx + NUM + 5);
	for (unsigned i = 0; i < 6; i++)
		CHECK(virtq_get(&q, &cookie, &len) == -ERR_IO);
	free(m);
	return true;
}

/* Random chains completed in random order, against a model. */
TEST(random_against_model)
{
	static struct virtq q;
	void *m = ring_mem(64);
	int heads[64], nheads = 0;
	unsigned flight_desc = 0, completed = 0, added = 0;
	bool live[1024] = { false };
	unsigned seed = 12345;

	virtq_init(&q, 64, m);
	dev_avail_seen = 0;
	for (int step = 0; step < 20000; step++) {
		seed = seed * 1103515245u + 12345u;
		if ((seed >> 16) % 3 && added < 1000) {
			struct virtq_buf b[4];
			unsigned n = 1 + (seed >> 20) % 4;
			err_t e;

			for (unsigned i = 0; i < n; i++)
				b[i] = buf(0x1000 * i, 512, i == n - 1);
			e = virtq_add(&q, b, n, (void *)(uintptr_t)(added + 1));
			CHECK(e == (flight_desc + n <= 64 ? ERR_OK : ERR_AGAIN));
			if (!e) {
				live[added] = true;
				added++;
				flight_desc += n;
				heads[nheads++] = dev_next_avail(&q);
			}
		} else if (nheads) {
			unsigned k = (seed >> 18) % (unsigned)nheads;
			void *cookie;
			uint32_t len;
			unsigned n = 0;

			for (uint16_t d = (uint16_t)heads[k];; d = q.desc[d].next) {
				n++;
				if (!(q.desc[d].flags & VIRTQ_DESC_F_NEXT))
					break;
			}
			dev_use(&q, (uint32_t)heads[k], 3);
			heads[k] = heads[--nheads];
			CHECK(virtq_get(&q, &cookie, &len) == 1);
			CHECK(live[(uintptr_t)cookie - 1]);
			live[(uintptr_t)cookie - 1] = false;
			flight_desc -= n;
			completed++;
		}
		CHECK(virtq_in_flight(&q) == flight_desc);
	}
	CHECK(completed > 100 && q.bad == 0);
	free(m);
	return true;
}
