/* SPDX-License-Identifier: MIT */
/*
 * File pages on ext2 (include/cairn/posix.h, "File pages"; docs/vfs.md):
 * a regular file's bytes as a paged MemoryObject its clients map, so
 * that musl-port's read, write, pread, pwrite and mmap copy through
 * shared pages as they do on tmpfs. libcairn's fmap.c (<cairn/fmap.h>)
 * keeps the slot table and the objects; this file is the pager and the
 * write-back.
 *
 * Design note.
 * - The disk (libext2fs, through the block cache) is the file; the
 *   object is a cache of it. A page asked for (CAIRN_PAGER_LABEL, the
 *   file's key as badge) is read from the file's blocks
 *   (xfs_read_pages: holes read as zeros) and supplied; a read error
 *   fails the page (the toucher gets SIGBUS).
 * - Clients' stores set the kernel's dirty bits. Write-back
 *   (pages_sync) takes them (MEMOBJ_DIRTY: the bits are cleared and the
 *   pages made read-only first, so a store during the write sets its bit
 *   again) and writes each run of dirty pages through libext2fs
 *   (xfs_write: blocks are allocated then, mtime and ctime move), never
 *   past the size. It runs where tmpfs takes the dirty bits (IO_STAT,
 *   FS_STAT, IO_IMAGE, the close of a writable description) and before
 *   IO_READ, IO_SYNC and FS_SYNCFS (which then flush the device), and
 *   at the server's end.
 * - The inode's size is the object's size (the pager size): IO_FEXTEND
 *   grows both (the disk sparsely: the new pages are supplied as zeros
 *   at once, so running out of memory is ENOSPC there); truncation cuts
 *   both (the tail of a partial last page cleared, pages past it
 *   dropped: MEMOBJ_RESIZE). The server's own IO_WRITE goes to the disk
 *   (a full disk is a short write or ENOSPC, as before) and into the
 *   pages that are present.
 * - Allocation happens at write-back, but a write that grows a file
 *   (IO_FEXTEND) reserves the blocks its bytes will need (with their
 *   indirect blocks) first: when the disk's free blocks less every
 *   file's reservation cannot hold them, the write is ENOSPC at once, as
 *   Linux's ext2 says at write(2), and nothing already written is lost.
 *   A write-back gives back as much of the file's reservation as it
 *   allocated (not all of it: an extension may not be written yet), the
 *   file's object going gives back the rest. What the
 *   reservation does not cover (a store through mmap into a hole made by
 *   ftruncate, the server's own IO_WRITE meanwhile taking the room) says
 *   ENOSPC at write-back instead: fsync, close or stat.
 * - Memory: the pages are charged to this server. After a write-back
 *   every page of a file is clean and may be evicted (MEMOBJ_EVICT):
 *   when a supply or a resize runs out of memory, every file is written
 *   back and its clean pages dropped, then the request is tried again.
 *   The pages never take the last HEADROOM bytes of the quota, nor what
 *   the block cache may still grow by (room()): a write-back needs
 *   memory of its own (block cache pages, libext2fs's buffers), and
 *   without it dirty pages could never go. A page whose write-back
 *   failed is made dirty again (a store of its first byte), so it is
 *   written at the next sync and never dropped as clean: nothing written
 *   is lost, and fsync keeps saying the error.
 * - Budget: at most PAGES_FILES objects (capability slots). Past that
 *   the least recently used one that no description holds and that was
 *   never mmapped is written back and freed (its slot's key changes:
 *   clients that cached it ask again); when none is, IO_FMAP says ENODEV
 *   and clients use IO_READ/IO_WRITE.
 * - An inode that goes (no link, no holder: xfs's on_kill) has its
 *   object freed first; a mapping that outlives it gets its pages filled
 *   first (a snapshot), as tmpfs does for its own.
 */
#include <stdlib.h>
#include <string.h>
#include <cairn/fmap.h>
#include <cairn/rt.h>
#include "ext2.h"

#define PAGE         CAIRN_PAGE_SIZE
#define PAGES_FILES  128u
#define ORPHAN_FILL  16384u
#define HASH         256u
#define RUN_MAX      64u             /* pages a write-back call writes at most */
#define HEADROOM     (1u << 20)      /* quota bytes the pages leave to the heap */

struct efile {
	struct fmap_file fm;
	struct efile *next;          /* the inode hash's chain */
	ext2_ino_t ino;
	uint64_t used;               /* when last handed out */
	bool mmapped;                /* asked for with bytes (mmap): never taken back */
	bool wgiven;                 /* a client got it writable: its dirty bits say something */
	uint64_t reserved;           /* blocks IO_FEXTEND reserved for it, not written back yet */
};

static struct efile *hash[HASH];
static bool ready;
static uint64_t ticks;
static uint8_t *buf;                 /* a page read from the disk */
static uint64_t reserved;            /* every file's reservation, in blocks */
static uint64_t budget;              /* bytes of pages that may come before asking PROC_QUOTA again */

/* At most blocks of e's reservation given back: blocks its write-back
 * allocated, or all of it when the file's object goes. */
static void unreserve(struct efile *e, uint64_t blocks)
{
	if (blocks > e->reserved)
		blocks = e->reserved;
	e->reserved -= blocks;
	reserved -= blocks;
}

static uint64_t free_blocks(void)
{
	struct posix_statfs sf;

	xfs_statfs(&xfs, &sf);
	return sf.bfree;
}

/* How many of base, base + step, base + 2 step, ... lie in [first, last). */
static uint64_t hits(uint64_t base, uint64_t step, uint64_t first, uint64_t last)
{
	uint64_t below_last, below_first;

	if (last <= base)
		return 0;
	below_last = (last - base + step - 1) / step;
	below_first = first <= base ? 0 : (first - base + step - 1) / step;
	return below_last - below_first;
}

/* Reserves for e the blocks a write of bytes [off, end) to a file of
 * old bytes needs: the data blocks from the first one not in the file
 * yet, and the indirect blocks that start in that range (ext2's map: 12
 * direct blocks, then one block of per block numbers, a double indirect
 * and a triple indirect tree); a write that starts past the end (a hole
 * before it) may need the indirect blocks of its first block too (3
 * more). ERR_NOSPC if the disk's free blocks less every reservation
 * cannot hold them. The root's reserved blocks count as free, as
 * libext2fs's allocator gives them. So appends reserve what they will
 * use, not more. */
static err_t reserve(struct efile *e, uint64_t off, uint64_t end, uint64_t old)
{
	struct posix_statfs sf;
	uint64_t bs, per, first, last, need, d1, d2, d3;

	xfs_statfs(&xfs, &sf);
	bs = sf.bsize;
	per = bs / 4;
	first = off > old ? off / bs : (old + bs - 1) / bs;
	last = (end + bs - 1) / bs;
	if (last <= first)
		return 0;
	d1 = 12;                              /* the first block the single indirect maps */
	d2 = d1 + per;                        /* the double indirect's */
	d3 = d2 + per * per;                  /* the triple indirect's */
	need = last - first;
	need += hits(d1, per, first, last);                  /* leaf indirect blocks */
	need += hits(d2, per * per, first, last);            /* the double's second level */
	need += (first <= d2 && d2 < last) + (first <= d3 && d3 < last);   /* their tops */
	if (off > old)
		need += 3;
	if (reserved > sf.bfree || need > sf.bfree - reserved)
		return ERR_NOSPC;
	e->reserved += need;
	reserved += need;
	return 0;
}

static uint64_t pages_of_bytes(uint64_t bytes)
{
	return (bytes + PAGE - 1) / PAGE;
}

static struct efile *find(ext2_ino_t ino)
{
	struct efile *e = hash[ino % HASH];

	while (e && e->ino != ino)
		e = e->next;
	return e;
}

static void make_room(uint64_t pages);

/* Page i present, read from the disk if it was not: false if it could
 * not be (a read error, no memory). */
static bool make_present(struct efile *e, uint64_t i)
{
	size_t got = 0;

	if (fmap_present(&e->fm, i))
		return true;
	make_room(1);
	if (xfs_read_pages(&xfs, e->ino, i * PAGE, buf, PAGE, &got))
		return false;
	fmap_supply_bytes(&e->fm, i, buf, got);
	return fmap_present(&e->fm, i);
}

/* Writes back e's dirty pages: the first error, or 0. */
static err_t writeback(struct efile *e)
{
	uint64_t end, i = 0, bits, next, size = e->fm.size, had;
	err_t err = 0;
	bool any = false;

	if (!e->wgiven)
		return 0;                    /* no client can have written it */
	had = e->reserved ? free_blocks() : 0;
	end = pages_of_bytes(size);
	while (i < end) {
		uint64_t k = end - i < 64 ? end - i : 64, j = 0;

		if (cairn_pager_dirty(e->fm.obj, i, k, &bits, &next))
			break;
		while (j < k) {
			uint64_t run = 0, off, n;
			size_t done;
			err_t r;

			if (!(bits >> j & 1)) {
				j++;
				continue;
			}
			while (j + run < k && (bits >> (j + run) & 1) && run < RUN_MAX)
				run++;
			off = (i + j) * PAGE;
			n = run * PAGE;
			if (n > size - off)
				n = size - off;
			if (!any)
				image_forget(e->ino);
			any = true;
			r = xfs_write(&xfs, e->ino, off, e->fm.va + off, (size_t)n, &done);
			if (!r && done < n)
				r = ERR_NOSPC;
			if (r) {
				/* kept dirty: written at the next sync, never dropped as clean */
				for (uint64_t p = 0; p < run; p++) {
					volatile uint8_t *b = (volatile uint8_t *)e->fm.va + off + p * PAGE;
					*b = *b;
				}
			}
			if (r && !err) {
				err = r;
				printf("ext2: inode %u: write-back of %llu bytes at %llu: %s\n", e->ino,
				       (unsigned long long)n, (unsigned long long)off, err_name(r));
			}
			j += run;
		}
		i = next > i + k ? next : i + k;
	}
	if (e->reserved) {
		uint64_t now = free_blocks();
		unreserve(e, had > now ? had - now : 0);
	}
	return err;
}

err_t pages_sync(ext2_ino_t ino)
{
	struct efile *e = find(ino);

	return e ? writeback(e) : 0;
}

err_t pages_sync_all(void)
{
	err_t err = 0, r;

	for (uint32_t i = 0; i < POSIX_FMAP_SLOTS; i++) {
		struct fmap_file *fm = fmap_at(i);

		if (fm && (r = writeback(fm->user)) && !err)
			err = r;
	}
	return err;
}

/* Memory ran short: every file written back and its clean pages
 * dropped. Whether any page went. */
static bool evict(void)
{
	uint64_t total = 0;

	for (uint32_t i = 0; i < POSIX_FMAP_SLOTS; i++) {
		struct fmap_file *fm = fmap_at(i);
		uint64_t got = 0;

		if (!fm)
			continue;
		writeback(fm->user);
		if (fm->size && !cairn_pager_evict(fm->obj, 0, pages_of_bytes(fm->size), &got))
			total += got;
	}
	return total != 0;
}

/* Room in the quota for pages more pages, the heap's headroom kept
 * (HEADROOM, and what the block cache may still allocate): files are
 * written back and their clean pages dropped when there is not. The
 * quota is asked only when the budget the last answer left runs out. */
static void make_room(uint64_t pages)
{
	uint64_t want = pages * PAGE;
	struct bcache_stats bs;
	struct cairn_msg m;

	if (want <= budget) {
		budget -= want;
		return;
	}
	bcache_get_stats(&bs);
	for (int tries = 0; tries < 2; tries++) {
		uint64_t keep = HEADROOM + (uint64_t)(bs.max_pages > bs.pages ? bs.max_pages - bs.pages : 0) * BCACHE_PAGE;
		uint64_t room;

		if (cairn_invoke(SLOT_SELF_PROC, PROC_QUOTA, 0, 0, 0, 0, 0, &m))
			break;
		room = m.w[0] > m.w[1] ? m.w[0] - m.w[1] : 0;
		if (room >= keep + want) {
			budget = room - keep - want;
			return;
		}
		if (tries || !evict())
			break;
	}
	budget = 0;
}

/* e's object freed (written back first; a client that mmapped it keeps
 * a whole snapshot). */
static void drop(struct efile *e)
{
	struct efile **pp = &hash[e->ino % HASH];
	uint64_t pages = pages_of_bytes(e->fm.size);

	writeback(e);
	if (e->mmapped) {
		if (pages <= ORPHAN_FILL) {
			for (uint64_t i = 0; i < pages; i++)
				if (!make_present(e, i))
					fmap_zero(&e->fm, i, 1);
		} else {
			cairn_pager_resize(e->fm.obj, 0);
		}
	}
	while (*pp != e)
		pp = &(*pp)->next;
	if (!e->mmapped && pages)
		cairn_pager_resize(e->fm.obj, 0);   /* a late touch faults, never waits */
	*pp = e->next;
	/* not revoked: a client deletes its copy by slot number, and a
	 * revoked slot of its may hold another capability by then */
	fmap_file_release(&e->fm);
	unreserve(e, e->reserved);
	free(e);
}

static void killed(struct xfs *x, ext2_ino_t ino)
{
	struct efile *e = find(ino);

	(void)x;
	if (e) {
		e->wgiven = false;           /* nothing to write: the file is going */
		drop(e);
	}
}

void pages_init(void)
{
	err_t e;

	if (!(buf = malloc(PAGE)) || (e = fmap_init(ep))) {
		printf("ext2: no shared file pages: files go through IO_READ/IO_WRITE\n");
		return;
	}
	xfs.on_kill = killed;
	ready = true;
}

/* Room for one more object: true if there is. */
static bool room(void)
{
	struct efile *lru = NULL;

	if (fmap_count() < PAGES_FILES)
		return true;
	for (uint32_t i = 0; i < POSIX_FMAP_SLOTS; i++) {
		struct fmap_file *fm = fmap_at(i);
		struct efile *e = fm ? fm->user : NULL;

		if (e && !e->mmapped && !xfs_holds(&xfs, e->ino) && (!lru || e->used < lru->used))
			lru = e;
	}
	if (!lru)
		return false;
	drop(lru);
	return true;
}

/* ---- the server's own reads, writes and truncations ------------------------------------- */

void pages_wrote(ext2_ino_t ino, uint64_t off, const void *data, size_t n)
{
	struct efile *e = find(ino);
	uint64_t size, old;

	if (!e || !n || xfs_size(&xfs, ino, &size))
		return;
	old = e->fm.size;
	if (size != old) {
		/* bytes a client stored past the old end are not the file's */
		if (size > old && old % PAGE && fmap_present(&e->fm, old / PAGE))
			memset(e->fm.va + old, 0, PAGE - old % PAGE);
		if (fmap_resize(&e->fm, size) == ERR_NOMEM && evict())
			fmap_resize(&e->fm, size);
	}
	if (off >= e->fm.size)
		return;
	if (n > e->fm.size - off)
		n = (size_t)(e->fm.size - off);
	for (uint64_t i = off / PAGE; i <= (off + n - 1) / PAGE; i++) {
		uint64_t a = i * PAGE > off ? i * PAGE : off, b = (i + 1) * PAGE < off + n ? (i + 1) * PAGE : off + n;

		if (fmap_present(&e->fm, i))
			memcpy(e->fm.va + a, (const uint8_t *)data + (a - off), (size_t)(b - a));
	}
}

void pages_truncated(ext2_ino_t ino)
{
	struct efile *e = find(ino);
	uint64_t len, old;

	if (!e || xfs_size(&xfs, ino, &len))
		return;
	old = e->fm.size;
	if (len < old && len % PAGE && fmap_present(&e->fm, len / PAGE))
		memset(e->fm.va + len, 0, PAGE - len % PAGE);
	else if (len > old && old % PAGE && fmap_present(&e->fm, old / PAGE))
		memset(e->fm.va + old, 0, PAGE - old % PAGE);
	if (len != old && fmap_resize(&e->fm, len) == ERR_NOMEM && evict())
		fmap_resize(&e->fm, len);
}

void pages_closing(struct handle *h, bool writable)
{
	if (writable)
		pages_sync(h->ino);          /* a client's stores: on the disk, mtime moved */
}

/* ---- the requests ------------------------------------------------------------------------- */

/* A page request from the kernel: the pages read from the file. Anything
 * else with that label (a client's call, a file that is gone) is
 * ignored: the kernel asks again at the next touch. */
void pages_request(struct srv_req *r, struct srv_ans *a)
{
	uint64_t first = r->w[0], end;
	struct fmap_file *fm = fmap_request(r->badge, first, r->w[1], &end);

	(void)a;
	if (!fm)
		return;
	for (uint64_t i = first; i < end; i++) {
		struct efile *e = fm->user;

		if (make_present(e, i))
			continue;
		if (evict() && make_present(e, i))
			continue;
		cairn_pager_fail(fm->obj, i, 1);     /* the toucher gets SIGBUS */
	}
}

/* The file's pages for h into answer a: the fmap word at w[at], the
 * offset at w[at + 1], the open flags at w[2] (at 0), the key at w[3],
 * the object as the next capability unless have (the caller's bitmap of
 * slots, NULL: none) says the caller holds it, then the table if asked. */
static err_t answer(struct srv_ans *a, struct handle *h, unsigned at, bool table, uint64_t bytes, bool write,
		    const uint8_t *have)
{
	struct efile *e;
	uint64_t size;
	uint32_t flags = 0;
	cap_t c, t = CAP_NULL;
	err_t err;

	if (!LINUX_S_ISREG(h->type))
		return ERR_INVAL;
	if (!ready || (h->flags & LINUX_O_DIRECT) || xfs_size(&xfs, h->ino, &size))
		return ERR_NODEV;
	if (!(e = find(h->ino))) {
		if (size > POSIX_FMAP_MAX / 2 || !room() || !(e = calloc(1, sizeof(*e))))
			return ERR_NODEV;
		e->ino = h->ino;
		if ((err = fmap_file_new(&e->fm, size, e))) {
			free(e);
			return err == ERR_NOSPC || err == ERR_FBIG ? ERR_NODEV : err;
		}
		e->next = hash[e->ino % HASH];
		hash[e->ino % HASH] = e;
	}
	if (bytes > e->fm.pages * PAGE && (err = fmap_reserve(&e->fm, pages_of_bytes(bytes))))
		return err;
	if (bytes)
		e->mmapped = true;           /* a mapping may outlive every description */
	e->used = ++ticks;
	if (have && (have[e->fm.slot / 8] >> (e->fm.slot % 8) & 1))
		c = CAP_NULL;                /* the caller has it */
	else if ((c = fmap_give_obj(&e->fm, write)) == CAP_NULL)
		return ERR_NOMEM;
	e->wgiven |= write;
	if (table && (t = fmap_give_table()) == CAP_NULL) {
		if (c != CAP_NULL)
			cairn_cap_delete(c);
		return ERR_NOMEM;
	}
	if (h->refs == 1)
		flags |= POSIX_FMAP_LEASE;
	a->w[at] = flags | (uint64_t)e->fm.slot << 32;
	a->w[at + 1] = h->pos;
	if (!at)
		a->w[2] = h->flags;
	a->w[3] = e->fm.key;
	if (c != CAP_NULL) {
		a->caps[a->ncaps] = c;
		a->made[a->ncaps++] = NO_ENTRY;
	}
	if (t != CAP_NULL) {
		a->caps[a->ncaps] = t;
		a->made[a->ncaps++] = NO_ENTRY;
	}
	return 0;
}

/* IO_FMAP: (flags, bytes) -> (fmap word, offset, open flags, key), cap0
 * the object, cap1 the table when asked. */
void pages_fmap(struct srv_ans *a, struct handle *h, bool table, uint64_t bytes, bool write)
{
	a->err = answer(a, h, 0, table, bytes, write, NULL);
}

/* FS_OPEN with POSIX_OPEN_FMAP (r: the request, a: its answer, which
 * gives the new description h as cap0): a regular file with bytes gets
 * its pages too, as tmpfs's do (an empty one at its first IO_FMAP, so
 * that create + unlink makes no object); otherwise, or when they cannot
 * be had, fmap word 0. */
void pages_opened(struct srv_ans *a, const struct srv_req *r, struct handle *h, bool write)
{
	static uint8_t have[POSIX_FMAP_SLOTS / 8];
	uint64_t at = (r->w[2] + 7) & ~7ull, k = 0, size;

	a->w[1] = 0;
	if (!(r->w[1] & POSIX_OPEN_FMAP) || !LINUX_S_ISREG(h->type) || xfs_size(&xfs, h->ino, &size) ||
	    (!size && !find(h->ino)))
		return;
	/* the bitmap: what was sent of it, the rest 0 */
	if ((r->w[1] & POSIX_OPEN_FMAP_HAVE) && at < r->nbytes) {
		k = r->nbytes - at < sizeof(have) ? r->nbytes - at : sizeof(have);
		memcpy(have, req_bytes + at, k);
		memset(have + k, 0, sizeof(have) - k);
	}
	if (answer(a, h, 1, r->w[1] & POSIX_OPEN_FMAP_TABLE, 0, write, k ? have : NULL))
		a->w[1] = 0;
}

/* IO_FEXTEND: (n, offset or POSIX_FEXTEND_APPEND) -> (offset). */
void pages_extend(struct srv_ans *a, const struct srv_req *r, struct handle *h, bool write)
{
	uint64_t len = r->w[0], off = r->w[1], end, old;
	struct efile *e;
	uint32_t mode;

	if ((a->err = xfs_mode(&xfs, h->ino, &mode)))
		return;
	if (!LINUX_S_ISREG(mode)) {
		a->err = ERR_INVAL;
		return;
	}
	if (!write) {
		a->err = ERR_BADF;
		return;
	}
	if (!(e = find(h->ino))) {
		a->err = ERR_NODEV;
		return;
	}
	old = e->fm.size;
	if (off == POSIX_FEXTEND_APPEND || (h->flags & LINUX_O_APPEND))
		off = old;
	if ((int64_t)off < 0) {
		a->err = ERR_INVAL;
		return;
	}
	if (off >= POSIX_FMAP_MAX || len > POSIX_FMAP_MAX - off) {
		a->err = ERR_FBIG;
		return;
	}
	end = off + len;
	if (end > old) {
		uint64_t had = e->reserved, p0 = pages_of_bytes(old), np = pages_of_bytes(end) - p0;

		make_room(np);
		if ((a->err = reserve(e, off, end, old)))
			return;
		image_forget(h->ino);
		if (old % PAGE && fmap_present(&e->fm, old / PAGE))
			memset(e->fm.va + old, 0, PAGE - old % PAGE);
		if ((a->err = xfs_truncate(&xfs, h->ino, end))) {
			unreserve(e, e->reserved - had);
			return;
		}
		if ((a->err = fmap_resize(&e->fm, end)) == ERR_NOMEM && evict())
			a->err = fmap_resize(&e->fm, end);
		/* the new pages now (holes on the disk: zeros), so running
		 * out of memory is ENOSPC here, not a fault in the client */
		if (!a->err && (a->err = fmap_zero(&e->fm, p0, np)) && evict())
			a->err = fmap_zero(&e->fm, p0, np);
		if (a->err) {
			xfs_truncate(&xfs, h->ino, old);
			fmap_resize(&e->fm, old);
			unreserve(e, e->reserved - had);
			a->err = ERR_NOSPC;
			return;
		}
	}
	a->w[0] = off;
}
