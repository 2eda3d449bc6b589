/* SPDX-License-Identifier: MIT */
/*
 * The VFS server's memory: the four allocation functions tmpfs.c asks for
 * (tmpfs.h), on MemoryObjects charged to the server (never to a client).
 *
 * Pages come from chunks of up to CHUNK_PAGES pages (one MemoryObject
 * each, mapped with cairn_map) and go back to a free list when freed, so
 * file data costs a page per 4 KiB written and nothing per read. Small
 * objects (nodes, names, directory arrays up to 2 KiB) come from
 * power-of-two size classes carved out of those pages; larger ones from
 * libcairn's malloc. Memory is never given back to the kernel: a server
 * that once held a lot of file data keeps the pages for the next files.
 */
#include "internal.h"

#define CHUNK_PAGES   64u
#define MIN_SHIFT     4u               /* 16 bytes */
#define MAX_SHIFT     11u              /* 2048 bytes */
#define NCLASSES      (MAX_SHIFT - MIN_SHIFT + 1)

struct free_obj {
	struct free_obj *next;
};

static struct free_obj *free_pages;
static struct free_obj *free_objs[NCLASSES];
static struct vfs_mem_stats stats;

/* Maps a new MemoryObject of up to CHUNK_PAGES pages and frees its pages
 * into the list; tries smaller when the quota is short. */
static bool grow_chunk(void)
{
	for (uint64_t pages = CHUNK_PAGES; pages; pages /= 4) {
		cap_t obj;
		void *va;

		if (cairn_memobj_create(SLOT_SELF_PROC, pages, 0, &obj))
			continue;
		if (cairn_map(obj, 0, pages, CAIRN_PROT_R | CAIRN_PROT_W, &va)) {
			cairn_cap_delete(obj);
			continue;
		}
		/* the capability stays: the mapping is the server's for good */
		for (uint64_t i = 0; i < pages; i++) {
			struct free_obj *f = (struct free_obj *)((char *)va + i * TMPFS_PAGE);
			f->next = free_pages;
			free_pages = f;
		}
		stats.pages_total += pages;
		return true;
	}
	return false;
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

	if (!free_pages && !grow())
		return NULL;
	f = free_pages;
	free_pages = f->next;
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

	f->next = free_pages;
	free_pages = f;
	stats.pages_used--;
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
