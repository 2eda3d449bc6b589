/* SPDX-License-Identifier: MIT */
/*
 * The ext2 server's block cache and libext2fs I/O manager.
 *
 * Design note. libext2fs reads and writes through an io_channel in units
 * of its current block size (1024 for the superblock, the file system's
 * block size otherwise), or in bytes (a negative count). The cache keeps
 * pages of BCACHE_PAGE bytes of the device, named by page number, in a
 * hash table and a least-recently-used list, whatever unit a request
 * came in: a change of block size costs nothing, and a write of part of a
 * page reads the page first (a write of a whole page reads nothing).
 * Writes stay in the cache (write-back) until io_channel_flush
 * (ext2fs_flush at FS_SYNCFS and unmount; IO_SYNC calls it alone,
 * xfs_fsync), or until a dirty page is the one to go; then dirty pages
 * are written in page order, neighbours together (at most the device's
 * max_io a request), and the device is flushed (BLK_OP_FLUSH) when it has
 * a write cache. A page whose write failed stays dirty and the flush
 * answers EIO: nothing is dropped silently. Reads of missing pages go to
 * the device in runs too. Runs are copied straight between the pages and
 * the device's own buffer (struct bdev's area: the block session's shared
 * data area) when it has one. An inode write, which libext2fs makes as a
 * write of its whole table block, copies only the inode's bytes
 * (bcache_hint, from xfs.c's write_inode hook).
 * The device's last page may be partial (a capacity not a multiple of
 * BCACHE_PAGE): its bytes past the end read as zeros and are never written.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "bcache.h"

#define HASH_BITS 12u
#define NHASH     (1u << HASH_BITS)

struct page {
	uint64_t no;
	struct page *hnext;                /* hash chain */
	struct page *prev, *next;          /* LRU list: head = most recent */
	bool dirty;
	uint8_t *data;
};

static struct bdev *dev;
static struct page *hash[NHASH];
static struct page lru = { .prev = &lru, .next = &lru };
static uint32_t npages, ndirty, max_pages = 1024;
static struct bcache_stats stats;
static struct { uint64_t pos; uint32_t len, off, n; } hint;   /* bcache_hint's */
static uint8_t *iobuf;                     /* runs of pages to and from the device: its
                                            * area, or own_buf */
static uint8_t *own_buf;                   /* max_io bytes, for a device without an area */

/* Page data comes in chunks of CHUNK_PAGES pages mapped whole, and goes
 * back to a free list, never to the heap: a page of the cache costs the
 * server's quota one page, which the file pages (pages.c, make_room)
 * count on when they leave room for the cache to grow. malloc would add
 * its header and size-class rounding to each (a fifth more: a 1024-page
 * cache overran that room by a megabyte and a write-back found no
 * memory). */
#define CHUNK_PAGES 16u
struct free_data { struct free_data *next; };
static struct free_data *free_data;

static uint8_t *data_alloc(void)
{
	struct free_data *f;

	if (!free_data) {
		uint8_t *c = mmap(NULL, CHUNK_PAGES * BCACHE_PAGE, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (c == MAP_FAILED)
			return NULL;
		for (unsigned i = CHUNK_PAGES; i--; ) {
			f = (struct free_data *)(c + i * BCACHE_PAGE);
			f->next = free_data;
			free_data = f;
		}
	}
	f = free_data;
	free_data = f->next;
	return (uint8_t *)f;
}

static void data_free(uint8_t *d)
{
	struct free_data *f = (struct free_data *)d;

	if (!f)
		return;
	f->next = free_data;
	free_data = f;
}

static unsigned hidx(uint64_t no) { return (unsigned)((no * 0x9e3779b97f4a7c15ull) >> (64 - HASH_BITS)); }

static void lru_unlink(struct page *p)
{
	p->prev->next = p->next;
	p->next->prev = p->prev;
}

static void lru_front(struct page *p)
{
	p->next = lru.next;
	p->prev = &lru;
	lru.next->prev = p;
	lru.next = p;
}

static struct page *find(uint64_t no)
{
	for (struct page *p = hash[hidx(no)]; p; p = p->hnext)
		if (p->no == no)
			return p;
	return NULL;
}

static void unhash(struct page *p)
{
	struct page **pp = &hash[hidx(p->no)];

	while (*pp != p)
		pp = &(*pp)->hnext;
	*pp = p->hnext;
}

static void page_free(struct page *p)
{
	unhash(p);
	lru_unlink(p);
	if (p->dirty)
		ndirty--;
	data_free(p->data);
	free(p);
	npages--;
}

/* Bytes of page no on the device (BCACHE_PAGE but for a partial last page). */
static uint32_t page_bytes(uint64_t no)
{
	uint64_t pos = no * BCACHE_PAGE;

	if (pos >= dev->capacity)
		return 0;
	return dev->capacity - pos < BCACHE_PAGE ? (uint32_t)(dev->capacity - pos) : BCACHE_PAGE;
}

/* Rounds a partial page up to whole device blocks (still within the device). */
static uint32_t io_len(uint64_t no, uint32_t bytes)
{
	return (bytes + dev->bsize - 1) & ~(dev->bsize - 1);
}

/* ---- write-back ------------------------------------------------------------------ */

static int cmp_page(const void *a, const void *b)
{
	uint64_t x = (*(struct page *const *)a)->no, y = (*(struct page *const *)b)->no;

	return x < y ? -1 : x > y;
}

/* Writes every dirty page, neighbours in one request. 0, or EIO (the
 * pages that failed stay dirty), or ENOMEM. */
static int write_back(void)
{
	struct page **v;
	uint32_t n = 0, per = dev->max_io / BCACHE_PAGE;
	int err = 0;

	if (!ndirty)
		return 0;
	if (!(v = malloc(ndirty * sizeof(*v))))
		return ENOMEM;
	for (struct page *p = lru.next; p != &lru; p = p->next)
		if (p->dirty)
			v[n++] = p;
	qsort(v, n, sizeof(*v), cmp_page);
	for (uint32_t i = 0; i < n;) {
		uint32_t j = i + 1, len;
		int e;

		while (j < n && j - i < per && v[j]->no == v[j - 1]->no + 1 && page_bytes(v[j]->no) == BCACHE_PAGE)
			j++;
		len = 0;
		for (uint32_t k = i; k < j; k++) {
			uint32_t b = page_bytes(v[k]->no);
			memcpy(iobuf + len, v[k]->data, b);
			len += k + 1 < j ? BCACHE_PAGE : io_len(v[k]->no, b);
		}
		stats.writes++;
		e = dev->write(dev, v[i]->no * BCACHE_PAGE, len, iobuf);
		if (e) {
			err = EIO;
		} else {
			for (uint32_t k = i; k < j; k++) {
				v[k]->dirty = false;
				ndirty--;
			}
		}
		i = j;
	}
	free(v);
	return err;
}

/* Room for extra more pages (at most max_pages): the least recently used
 * clean pages go; when every page is dirty they are written first. */
static int room(uint32_t extra)
{
	while (npages && npages + extra > max_pages) {
		struct page *p;
		int e;

		for (p = lru.prev; p != &lru && p->dirty; p = p->prev)
			;
		if (p == &lru) {
			if ((e = write_back()))
				return e;
			p = lru.prev;
		}
		page_free(p);
	}
	return 0;
}

/* ---- pages ---------------------------------------------------------------------- */

#define FILL_MAX 16u                       /* pages read in one request, at most */

/* Reads pages [no, no + count) that are not cached, in runs, into new
 * pages: room and the pages are made first (room may write dirty pages
 * back through iobuf), then the run is read into iobuf and copied out. */
static int fill(uint64_t no, uint64_t count)
{
	uint32_t per = dev->max_io / BCACHE_PAGE;

	if (per > FILL_MAX)
		per = FILL_MAX;
	for (uint64_t i = 0; i < count;) {
		uint64_t first = no + i, n = 0;
		struct page *np[FILL_MAX];
		uint32_t len = 0;
		int e;

		if (find(first)) {
			i++;
			continue;
		}
		while (i + n < count && n < per && !find(first + n) && page_bytes(first + n) == BCACHE_PAGE)
			n++;
		if (!n) {                         /* the partial last page */
			if (!page_bytes(first))
				return EINVAL;
			n = 1;
			len = io_len(first, page_bytes(first));
		} else {
			len = (uint32_t)n * BCACHE_PAGE;
		}
		if ((e = room((uint32_t)n)))
			return e;
		for (uint64_t k = 0; k < n; k++)
			if (!(np[k] = calloc(1, sizeof(*np[k]))) || !(np[k]->data = data_alloc())) {
				free(np[k]);
				while (k--) {
					data_free(np[k]->data);
					free(np[k]);
				}
				return ENOMEM;
			}
		stats.misses += n;
		stats.reads++;
		if (len < n * BCACHE_PAGE)
			memset(iobuf, 0, n * BCACHE_PAGE);
		e = dev->read(dev, first * BCACHE_PAGE, len, iobuf);
		for (uint64_t k = 0; k < n; k++) {
			struct page *p = np[k];

			if (e) {
				data_free(p->data);
				free(p);
				continue;
			}
			p->no = first + k;
			memcpy(p->data, iobuf + k * BCACHE_PAGE, BCACHE_PAGE);
			p->hnext = hash[hidx(p->no)];
			hash[hidx(p->no)] = p;
			lru_front(p);
			npages++;
		}
		if (e)
			return EIO;
		i += n;
	}
	return 0;
}

/* A new page no, not read (the caller writes all of it). */
static int fresh(uint64_t no, struct page **out)
{
	struct page *p;
	int e;

	if ((e = room(1)))
		return e;
	if (!(p = calloc(1, sizeof(*p))) || !(p->data = data_alloc())) {
		free(p);
		return ENOMEM;
	}
	if (page_bytes(no) < BCACHE_PAGE)
		memset(p->data, 0, BCACHE_PAGE);
	p->no = no;
	p->hnext = hash[hidx(no)];
	hash[hidx(no)] = p;
	lru_front(p);
	npages++;
	stats.misses++;
	*out = p;
	return 0;
}

/* Copies bytes [pos, pos + len) of the device out of (write false) or
 * into (write true) buf through the cache. */
static int transfer(uint64_t pos, uint64_t len, void *buf, bool write)
{
	uint8_t *b = buf;
	int e;

	if (pos > dev->capacity || len > dev->capacity - pos)
		return EINVAL;
	if (write && dev->ro)
		return EROFS;
	while (len) {
		uint64_t no = pos / BCACHE_PAGE, off = pos % BCACHE_PAGE;
		uint64_t n = BCACHE_PAGE - off < len ? BCACHE_PAGE - off : len;
		uint64_t want = (off + len + BCACHE_PAGE - 1) / BCACHE_PAGE;
		struct page *p = find(no);

		if (!p && write && !off && n == page_bytes(no)) {
			if ((e = fresh(no, &p)))   /* all of it written: nothing to read */
				return e;
		} else if (!p) {
			if ((e = fill(no, want > 64 ? 64 : want)) || !(p = find(no)))
				return e ? e : EIO;
		} else {
			stats.hits++;
		}
		lru_unlink(p);
		lru_front(p);
		if (write) {
			memcpy(p->data + off, b, n);
			if (!p->dirty) {
				p->dirty = true;
				ndirty++;
			}
		} else {
			memcpy(b, p->data + off, n);
		}
		b += n;
		pos += n;
		len -= n;
	}
	return 0;
}

int bcache_sync(void)
{
	int e = write_back();

	if (e)
		return e;
	if (dev->can_flush && !dev->ro) {
		stats.flushes++;
		if (dev->flush(dev))
			return EIO;
	}
	return 0;
}

void bcache_drop(void)
{
	while (lru.next != &lru)
		page_free(lru.next);
}

void bcache_init(struct bdev *d, uint32_t pages)
{
	bcache_drop();
	dev = d;
	max_pages = pages < 16 ? 16 : pages;
	hint.len = 0;
	memset(&stats, 0, sizeof(stats));
}

void bcache_get_stats(struct bcache_stats *s)
{
	*s = stats;
	s->pages = npages;
	s->dirty = ndirty;
	s->max_pages = max_pages;
}

/* ---- the io_manager ---------------------------------------------------------------- */

static errcode_t bc_open(const char *name, int flags, io_channel *out)
{
	io_channel ch;

	if (!dev)
		return EXT2_ET_BAD_DEVICE_NAME;
	if ((flags & IO_FLAG_RW) && dev->ro)
		return EROFS;
	if (dev->area) {
		iobuf = dev->area;
	} else {
		if (!own_buf && !(own_buf = malloc(dev->max_io)))
			return EXT2_ET_NO_MEMORY;
		iobuf = own_buf;
	}
	if (!(ch = calloc(1, sizeof(*ch))))
		return EXT2_ET_NO_MEMORY;
	if (!(ch->name = strdup(name ? name : "blk"))) {
		free(ch);
		return EXT2_ET_NO_MEMORY;
	}
	ch->magic = EXT2_ET_MAGIC_IO_CHANNEL;
	ch->manager = bcache_io_manager;
	ch->block_size = 1024;
	ch->refcount = 1;
	ch->flags = flags;
	*out = ch;
	return 0;
}

static errcode_t bc_close(io_channel ch)
{
	errcode_t e = 0;

	if (--ch->refcount > 0)
		return 0;
	if (ch->flags & IO_FLAG_RW)
		e = bcache_sync();
	free(ch->name);
	free(ch);
	return e;
}

static errcode_t bc_set_blksize(io_channel ch, int blksize)
{
	if (blksize <= 0)
		return EXT2_ET_INVALID_ARGUMENT;
	ch->block_size = blksize;
	return 0;
}

/* count > 0: blocks of the channel's size; count < 0: -count bytes */
static errcode_t span(io_channel ch, unsigned long long block, int count, uint64_t *pos, uint64_t *len)
{
	uint64_t bs = (uint64_t)ch->block_size;

	*len = count < 0 ? (uint64_t)-(int64_t)count : (uint64_t)count * bs;
	if (block > UINT64_MAX / bs)
		return EXT2_ET_LLSEEK_FAILED;
	*pos = block * bs;
	return 0;
}

static errcode_t bc_read64(io_channel ch, unsigned long long block, int count, void *data)
{
	uint64_t pos, len;
	errcode_t e;

	if ((e = span(ch, block, count, &pos, &len)))
		return e;
	if (pos > dev->capacity || len > dev->capacity - pos)
		return EXT2_ET_SHORT_READ;
	return transfer(pos, len, data, false);
}

void bcache_hint(uint64_t pos, uint32_t len, uint32_t off, uint32_t n)
{
	hint.pos = pos;
	hint.len = off < len && n <= len - off ? len : 0;
	hint.off = off;
	hint.n = n;
}

static errcode_t bc_write64(io_channel ch, unsigned long long block, int count, const void *data)
{
	uint64_t pos, len;
	uint32_t hlen = hint.len;
	errcode_t e;

	hint.len = 0;
	if ((e = span(ch, block, count, &pos, &len)))
		return e;
	if (pos > dev->capacity || len > dev->capacity - pos)
		return EXT2_ET_SHORT_WRITE;
	if (hlen && pos == hint.pos && len == hlen)
		return transfer(pos + hint.off, hint.n, (uint8_t *)data + hint.off, true);
	return transfer(pos, len, (void *)data, true);
}

static errcode_t bc_read(io_channel ch, unsigned long block, int count, void *data)
{
	return bc_read64(ch, block, count, data);
}

static errcode_t bc_write(io_channel ch, unsigned long block, int count, const void *data)
{
	return bc_write64(ch, block, count, data);
}

static errcode_t bc_write_byte(io_channel ch, unsigned long offset, int size, const void *data)
{
	hint.len = 0;
	if (size < 0 || offset > dev->capacity || (uint64_t)size > dev->capacity - offset)
		return EXT2_ET_SHORT_WRITE;
	return transfer(offset, (uint64_t)size, (void *)data, true);
}

static errcode_t bc_flush(io_channel ch)
{
	return bcache_sync();
}

static errcode_t bc_set_option(io_channel ch, const char *opt, const char *arg)
{
	return EXT2_ET_INVALID_ARGUMENT;
}

static struct struct_io_manager manager = {
	.magic = EXT2_ET_MAGIC_IO_MANAGER,
	.name = "Cairn block cache",
	.open = bc_open,
	.close = bc_close,
	.set_blksize = bc_set_blksize,
	.read_blk = bc_read,
	.write_blk = bc_write,
	.flush = bc_flush,
	.write_byte = bc_write_byte,
	.set_option = bc_set_option,
	.read_blk64 = bc_read64,
	.write_blk64 = bc_write64,
};

io_manager bcache_io_manager = &manager;
