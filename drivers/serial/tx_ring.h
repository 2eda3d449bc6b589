/* SPDX-License-Identifier: MIT */
/*
 * The transmit ring shared by the console UART drivers: bytes queued by
 * console writes (with "\n" sent as "\r\n"), moved to the hardware FIFO
 * from the driver's transmit interrupt. When the ring is full the writer
 * drains it through the driver's polled output, so nothing is dropped.
 * The driver's lock protects it.
 */
#ifndef DRIVERS_TX_RING_H
#define DRIVERS_TX_RING_H
#include <stdbool.h>
#include <stddef.h>

struct tx_ring {
	char buf[4096];
	unsigned head, tail;        /* free-running; head - tail = queued */
};

static inline bool tx_ring_empty(const struct tx_ring *r)
{
	return r->head == r->tail;
}

static inline char tx_ring_pop(struct tx_ring *r)
{
	return r->buf[r->tail++ % sizeof(r->buf)];
}

/* Sends everything queued through `put` (polled). */
static inline void tx_ring_drain(struct tx_ring *r, void (*put)(char))
{
	while (!tx_ring_empty(r))
		put(tx_ring_pop(r));
}

static inline void tx_ring_push(struct tx_ring *r, char c, void (*put)(char))
{
	if (r->head - r->tail == sizeof(r->buf))
		tx_ring_drain(r, put);
	r->buf[r->head++ % sizeof(r->buf)] = c;
}

/* Queues a console write, turning "\n" into "\r\n". */
static inline void tx_ring_write(struct tx_ring *r, const char *s, size_t n, void (*put)(char))
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			tx_ring_push(r, '\r', put);
		tx_ring_push(r, s[i], put);
	}
}

/* Polled write for panic: drains the ring first to keep the order. */
static inline void tx_ring_write_polled(struct tx_ring *r, const char *s, size_t n, void (*put)(char))
{
	tx_ring_drain(r, put);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			put('\r');
		put(s[i]);
	}
}

#endif
