/* SPDX-License-Identifier: MIT */
/*
 * The VFS server's memory: the four allocation functions tmpfs.c asks for
 * (tmpfs.h), on MemoryObjects charged to the server (never to a client).
 *
 * Pages come from chunks of up to CHUNK_PAGES pages (one MemoryObject
 * each, mapped with cairn_map), each with a free list of its own, so file
 * data costs a page per 4 KiB written and nothing per read. A chunk whose
 * every page is free again goes back to the kernel (unmapped, its object
 * deleted), but for one kept for the next files: unlinked files give
 * their pages back to the whole system, not to this server only. Small
 * objects (nodes, names, directory arrays up to 2 KiB) come from
 * power-of-two size classes carved out of pages that stay theirs; larger
 * ones from libcairn's malloc.
 */
#include <stdlib.h>
#include "internal.h"

#define CHUNK_PAGES   64u
#define MAX_CHUNKS    8192u            /* 2 GiB of 64-page chunks */
#define MIN_SHIFT     4u               /* 16 bytes */
#define MAX_SHIFT     11u              /* 2048 bytes */
#define NCLASSES      (MAX_SHIFT - MIN_SHIFT + 1)

struct free_obj {
	struct free_obj *next;
};

struct chunk {
	char *va;
	uint32_t pages, nfree;
	cap_t obj;
	struct free_obj *free;           /* its free pages */
	struct chunk *prev, *next;       /* on `avail` while it has free pages */
};

/* The chunks by address (chunk_of's binary search), and those with a free
 * page, the last one to get a page back first. */
static struct chunk *chunks[MAX_CHUNKS];
static unsigned nchunks, nempty;
static struct chunk *avail;
static struct free_obj *free_objs[NCLASSES];
static struct vfs_mem_stats stats;

static void avail_add(struct chunk *c)
{
	c->prev = NULL;
	c->next = avail;
	if (avail)
		avail->prev = c;
	avail = c;
}

static void avail_del(struct chunk *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		avail = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->prev = c->next = NULL;
}

/* The index of the first chunk whose address is above va. */
static unsigned chunk_above(const void *va)
{
	unsigned lo = 0, hi = nchunks;

	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;
		if ((const char *)va < chunks[mid]->va)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

static struct chunk *chunk_of(const void *va)
{
	unsigned i = chunk_above(va);
	struct chunk *c = i ? chunks[i - 1] : NULL;

	if (!c || (const char *)va >= c->va + (uint64_t)c->pages * TMPFS_PAGE) {
		printf("vfs: a page freed that is no chunk's (%p)\n", va);
		return NULL;
	}
	return c;
}

/* Maps a new MemoryObject of up to CHUNK_PAGES pages as a chunk of free
 * pages; tries smaller when the quota is short. */
static bool grow_chunk(void)
{
	struct chunk *c;

	if (nchunks == MAX_CHUNKS || !(c = malloc(sizeof(*c))))
		return false;
	for (uint64_t pages = CHUNK_PAGES; pages; pages /= 4) {
		cap_t obj;
		void *va;

		if (cairn_memobj_create(SLOT_SELF_PROC, pages, 0, &obj))
			continue;
		if (cairn_map(obj, 0, pages, CAIRN_PROT_R | CAIRN_PROT_W, &va)) {
			cairn_cap_delete(obj);
			continue;
		}
		*c = (struct chunk){ .va = va, .pages = (uint32_t)pages, .nfree = (uint32_t)pages, .obj = obj };
		for (uint64_t i = pages; i--;) {
			struct free_obj *f = (struct free_obj *)((char *)va + i * TMPFS_PAGE);
			f->next = c->free;
			c->free = f;
		}
		unsigned at = chunk_above(va);
		memmove(&chunks[at + 1], &chunks[at], (nchunks - at) * sizeof(chunks[0]));
		chunks[at] = c;
		nchunks++;
		nempty++;
		avail_add(c);
		stats.pages_total += pages;
		return true;
	}
	free(c);
	return false;
}

/* An empty chunk goes back to the kernel. */
static void chunk_release(struct chunk *c)
{
	unsigned at = chunk_above(c->va) - 1;

	avail_del(c);
	memmove(&chunks[at], &chunks[at + 1], (nchunks - at - 1) * sizeof(chunks[0]));
	nchunks--;
	nempty--;
	cairn_unmap(c->va, c->pages);
	cairn_cap_delete(c->obj);
	stats.pages_total -= c->pages;
	free(c);
}

/* ...and again once the exec images kept (image.c), then the clean file
 * pages (fmap.c), gave their memory back. */
static bool grow(void)
{
	return grow_chunk() || (images_drop() && grow_chunk()) || (fmap_evict() && grow_chunk());
}

/* A page whose every byte the caller writes at once: not zeroed first. */
void *tmpfs_page_alloc_raw(void)
{
	struct free_obj *f;
	struct chunk *c;

	if (!avail && !grow())
		return NULL;
	c = avail;
	f = c->free;
	c->free = f->next;
	if (c->nfree-- == c->pages)
		nempty--;
	if (!c->nfree)
		avail_del(c);
	stats.pages_used++;
	return f;
}

void *tmpfs_page_alloc(void)
{
	void *p = tmpfs_page_alloc_raw();

	if (p)
		memset(p, 0, TMPFS_PAGE);
	return p;
}

void tmpfs_page_free(void *p)
{
	struct free_obj *f = p;
	struct chunk *c = chunk_of(p);

	if (!c)
		return;
	f->next = c->free;
	c->free = f;
	if (!c->nfree++)
		avail_add(c);
	stats.pages_used--;
	if (c->nfree < c->pages)
		return;
	if (++nempty > 1)               /* one empty chunk kept for the next files */
		chunk_release(c);
}

static unsigned size_class(size_t n)
{
	unsigned c = 0;

	while ((1ul << (MIN_SHIFT + c)) < n)
		c++;
	return c;
}

void *tmpfs_alloc(size_t n)
{
	struct free_obj *f;
	unsigned c;

	if (n > (1ul << MAX_SHIFT)) {
		void *p = malloc(n);
		if (p) {
			memset(p, 0, n);
			stats.big_bytes += n;
		}
		return p;
	}
	c = size_class(n ? n : 1);
	if (!free_objs[c]) {
		size_t size = 1ul << (MIN_SHIFT + c);
		char *page = tmpfs_page_alloc();

		if (!page)
			return NULL;
		for (size_t off = 0; off < TMPFS_PAGE; off += size) {
			f = (struct free_obj *)(page + off);
			f->next = free_objs[c];
			free_objs[c] = f;
		}
	}
	f = free_objs[c];
	free_objs[c] = f->next;
	memset(f, 0, 1ul << (MIN_SHIFT + c));
	stats.small_bytes += 1ul << (MIN_SHIFT + c);
	return f;
}

void tmpfs_free(void *p, size_t n)
{
	struct free_obj *f = p;
	unsigned c;

	if (!p)
		return;
	if (n > (1ul << MAX_SHIFT)) {
		free(p);
		stats.big_bytes -= n;
		return;
	}
	c = size_class(n ? n : 1);
	f->next = free_objs[c];
	free_objs[c] = f;
	stats.small_bytes -= 1ul << (MIN_SHIFT + c);
}

void vfs_mem_stats(struct vfs_mem_stats *out)
{
	*out = stats;
}
