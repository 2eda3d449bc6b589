/* SPDX-License-Identifier: MIT */
/*
 * A small first-fit heap for Cairn's own programs. The arena starts at
 * CAIRN_HEAP_BASE and grows by mapping new MemoryObjects (charged to this
 * process) right after its end, so it stays one contiguous run of blocks.
 * Each block starts with a 16-byte header (size including the header,
 * free flag); free blocks are merged with the free blocks after them when
 * malloc walks past them. Enough for init and tests; musl brings a real
 * malloc later.
 */
#include <string.h>
#include <cairn/rt.h>

#define HDR         16u
#define GROW_PAGES  16u    /* grow by at least 64 KiB */

struct block {
	uint64_t size;     /* bytes, header included, multiple of 16 */
	uint64_t free;
};

static uint64_t heap_end = CAIRN_HEAP_BASE;

static struct block *at(uint64_t va) { return (struct block *)(uintptr_t)va; }

/* Maps pages of a new MemoryObject at heap_end as one free block. */
static int grow_by(uint64_t pages)
{
	cap_t obj;

	if (pages > (CAIRN_HEAP_BASE + CAIRN_HEAP_MAX - heap_end) / CAIRN_PAGE_SIZE)
		return 0;
	if (cairn_memobj_create(SLOT_SELF_PROC, pages, 0, &obj))
		return 0;
	if (cairn_as_map(SLOT_SELF_AS, obj, heap_end, 0, pages, CAIRN_PROT_R | CAIRN_PROT_W)) {
		cairn_cap_delete(obj);
		return 0;
	}
	/* The capability stays in our table: the heap never shrinks. */
	at(heap_end)->size = pages * CAIRN_PAGE_SIZE;
	at(heap_end)->free = 1;
	heap_end += pages * CAIRN_PAGE_SIZE;
	return 1;
}

/* Makes room for a block of `need` bytes after the arena (merged into a
 * free last block by the walk). Grows by half the arena at least, so a
 * process holds O(log size) heap MemoryObjects, or by just what is needed
 * when the quota cannot afford more. */
static int grow(uint64_t need)
{
	uint64_t pages = (need + CAIRN_PAGE_SIZE - 1) / CAIRN_PAGE_SIZE;
	uint64_t more = (heap_end - CAIRN_HEAP_BASE) / CAIRN_PAGE_SIZE / 2;

	if (more < GROW_PAGES)
		more = GROW_PAGES;
	return (more > pages && grow_by(more)) || grow_by(pages);
}

static void *take(uint64_t va, uint64_t need)
{
	struct block *b = at(va);

	if (b->size - need >= 2 * HDR) {
		at(va + need)->size = b->size - need;
		at(va + need)->free = 1;
		b->size = need;
	}
	b->free = 0;
	return (void *)(uintptr_t)(va + HDR);
}

void *malloc(size_t n)
{
	uint64_t need, va;
	int grown = 0;

	if (n > CAIRN_HEAP_MAX)
		return NULL;
	need = ((n + 15) & ~15ull) + HDR;
	for (;;) {
		for (va = CAIRN_HEAP_BASE; va < heap_end; va += at(va)->size) {
			struct block *b = at(va);

			if (!b->free)
				continue;
			while (va + b->size < heap_end && at(va + b->size)->free)
				b->size += at(va + b->size)->size;
			if (b->size >= need)
				return take(va, need);
		}
		if (grown || !grow(need))
			return NULL;
		grown = 1;
	}
}

void free(void *p)
{
	if (p)
		at((uintptr_t)p - HDR)->free = 1;
}

void *calloc(size_t n, size_t size)
{
	void *p;

	if (size && n > SIZE_MAX / size)
		return NULL;
	p = malloc(n * size);
	if (p)
		memset(p, 0, n * size);
	return p;
}

void *realloc(void *p, size_t n)
{
	void *q;
	uint64_t have;

	if (!p)
		return malloc(n);
	have = at((uintptr_t)p - HDR)->size - HDR;
	if (n <= have)
		return p;
	q = malloc(n);
	if (q) {
		memcpy(q, p, have);
		free(p);
	}
	return q;
}
