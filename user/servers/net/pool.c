/* SPDX-License-Identifier: MIT */
/*
 * Free lists in front of malloc for lwIP's memory (mem_clib_malloc and
 * mem_clib_free, port/lwipopts.h) and the server's own per-segment
 * records (sock.c): every frame received and every segment sent takes a
 * few blocks and gives them back within the turn.
 *
 * Through musl's malloc alone that was about 650 instructions a block and
 * a pair, and worse, a group of blocks whose last one came back was
 * unmapped and the next block mapped one again: a mmap and a munmap (a
 * kernel object made, pages zeroed and mapped, then reaped) every few
 * frames. Measured on a TCP receive (user/posixbench, `make bench`): a
 * fifth of its instructions went to allocation.
 *
 * Blocks are rounded up to six sizes (64 to 2,048 bytes, with an 8-byte
 * header naming the size); a freed one goes on its size's list unless the
 * list already holds POOL_KEEP bytes, then back to malloc. Larger blocks
 * go straight to malloc. So the lists hold at most 6 x POOL_KEEP bytes
 * more than lwIP uses at its peak, and nothing grows with time: a
 * connection's blocks are the same blocks the one before it gave back.
 *
 * Only the server's main thread calls these (lwIP runs on it alone).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pool.h"

#define POOL_MIN_SHIFT 6                        /* 64 bytes */
#define POOL_SIZES     6                        /* 64 .. 2048 */
#define POOL_KEEP      (256u << 10)             /* bytes a list holds at most */
#define POOL_HDR       8                        /* MEM_ALIGNMENT */
#define POOL_MAGIC     0x706f6f6cull            /* "pool": the header's high half */

struct block {
	struct block *next;
};

static struct block *lists[POOL_SIZES];
static unsigned kept[POOL_SIZES];

static unsigned size_of(unsigned k)
{
	return 1u << (POOL_MIN_SHIFT + k);
}

/* the list for n bytes and the header, or POOL_SIZES when none fits (a
 * loop: riscv64 without Zbb makes __builtin_clz a call into libgcc) */
static unsigned which(size_t n)
{
	unsigned k = 0;

	n += POOL_HDR;
	while (k < POOL_SIZES && n > size_of(k))
		k++;
	return k;
}

void *net_alloc(size_t n)
{
	unsigned k = which(n);
	uint64_t *h;

	if (k < POOL_SIZES && lists[k]) {
		h = (uint64_t *)lists[k];
		lists[k] = lists[k]->next;
		kept[k]--;
	} else if (!(h = malloc(k < POOL_SIZES ? size_of(k) : n + POOL_HDR))) {
		return NULL;
	}
	*h = POOL_MAGIC << 32 | k;
	return h + 1;
}

void net_free(void *p)
{
	uint64_t *h;
	unsigned k;

	if (!p)
		return;
	h = (uint64_t *)p - 1;
	if (*h >> 32 != POOL_MAGIC || (unsigned)*h > POOL_SIZES) {
		/* not ours (a bug here): kept, not handed to the wrong free */
		static unsigned told;

		if (!told++)
			printf("net: net_free(%p): not a block of net_alloc's (leaked)\n", p);
		return;
	}
	k = (unsigned)*h;
	if (k < POOL_SIZES && (kept[k] + 1) * size_of(k) <= POOL_KEEP) {
		struct block *b = (struct block *)h;

		b->next = lists[k];
		lists[k] = b;
		kept[k]++;
		return;
	}
	free(h);
}

void *net_calloc(size_t count, size_t size)
{
	void *p;

	if (size && count > (SIZE_MAX - POOL_HDR) / size)
		return NULL;
	if ((p = net_alloc(count * size)))
		memset(p, 0, count * size);
	return p;
}

size_t net_pool_kept(void)
{
	size_t bytes = 0;

	for (unsigned k = 0; k < POOL_SIZES; k++)
		bytes += (size_t)kept[k] * size_of(k);
	return bytes;
}
