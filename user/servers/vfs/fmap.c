/* SPDX-License-Identifier: MIT */
/*
 * File pages: a tmpfs file's bytes as a MemoryObject its clients map
 * (include/cairn/posix.h, "File pages"; docs/vfs.md).
 *
 * Design note. A regular file gets shared pages the first time a client
 * asks (IO_FMAP, FS_OPEN with POSIX_OPEN_FMAP): a paged MemoryObject
 * (libcairn's fmap.c) that from then on IS the file's data: tmpfs hands
 * its radix pages over (tmpfs_export_pages) and reads and writes of the
 * node go through the server's own mapping of the object (the tmpfs_ext
 * hooks below). There is one copy of every byte, so a client's write
 * into its mapping is the file at once for everyone, the server
 * included, with no write-back; the server is the pager only of pages
 * that hold no written byte: holes (zeros) and the boot image's bytes
 * (copied in when first touched).
 *
 * Which pages hold bytes only the object has is the server's own
 * bitmap, `written`: pages the server wrote or handed over, and pages a
 * client wrote, which the kernel's dirty bits tell (MEMOBJ_DIRTY, taken
 * at stat, sync, close of a writable description and before eviction:
 * a bit found dirty also moves the file's mtime and version). A page
 * not in it can be made again, so under memory pressure those are
 * evicted (MEMOBJ_EVICT); written pages never are (tmpfs has no disk to
 * write them to). The server's own touches make the pages present first
 * (fmap_present, supply): a server that faulted on its own object would
 * wait for itself.
 *
 * Each file's object takes a slot of the server's capability table
 * (shared with saved Replies, arms and pipes, each with a budget of its
 * own: SLOT_BUDGET), so at most FMAP_FILES of them live at once. Past that,
 * the least recently used file that no description holds and that was
 * never mmapped gives its pages back: its written pages go back into
 * the radix tree, its holes are filled (a client still mapping it, its
 * read cache, sees a whole snapshot) and its slot is freed (the key
 * changes: a client's next look at the slot tells it). A file every
 * object of which is open or mapped makes the next one go through
 * IO_READ and IO_WRITE (ERR_NODEV).
 */
#include <stdlib.h>
#include <cairn/fmap.h>
#include "internal.h"

#define PAGE        TMPFS_PAGE
#define ORPHAN_FILL 16384u           /* pages: a gone file still mapped keeps its holes filled */
#define FMAP_FILES  128u             /* objects alive at once (capability slots) */
#define PAST_END    (16ull << 20)    /* IO_FMAP bytes: at most this far past the end */

struct vfile {
	struct fmap_file fm;
	struct tmpfs_node *node;
	uint64_t *written;           /* a bit a page: bytes only the object holds */
	uint64_t wpages;             /* pages the bitmap covers */
	uint64_t used;               /* when last handed out (least recently used) */
	bool mmapped;                /* asked for with bytes (mmap): never taken back */
	bool wgiven;                 /* a client got it writable: its dirty bits may say something */
};

static bool fmap_ready;
static uint64_t ticks;

static inline struct vfile *vfile_of(const struct tmpfs_node *n)
{
	return n->u.file.ext;
}

static uint64_t pages_of(uint64_t bytes)
{
	return (bytes + PAGE - 1) / PAGE;
}

/* The bytes a file's data may take in all: the server's quota less
 * FMAP_RESERVE, kept for what must not fail when the files fill it
 * (pages a read asks for again, pipes, open files, the answers). */
#define FMAP_RESERVE (2ull << 20)

static bool room_for(uint64_t bytes)
{
	struct cairn_msg q;

	if (cairn_invoke(SLOT_SELF_PROC, PROC_QUOTA, 0, 0, 0, 0, 0, &q))
		return true;                 /* (no quota known: the kernel says) */
	return q.w[1] <= q.w[0] && q.w[0] - q.w[1] >= FMAP_RESERVE + bytes;
}

static bool is_written(const struct vfile *v, uint64_t i)
{
	return i < v->wpages && (v->written[i / 64] >> (i % 64) & 1);
}

static void mark_written(struct vfile *v, uint64_t i)
{
	if (i >= v->wpages) {
		uint64_t words = (v->fm.pages + 63) / 64, old = (v->wpages + 63) / 64;
		uint64_t *w;

		if (i >= words * 64)
			words = i / 64 + 1;
		if (!(w = realloc(v->written, words * 8)))
			return;                 /* then it may be evicted: only if clean */
		memset(w + old, 0, (words - old) * 8);
		v->written = w;
		v->wpages = words * 64;
	}
	if (!is_written(v, i)) {
		v->written[i / 64] |= 1ull << (i % 64);
		v->node->u.file.pages++;
	}
}

static void clear_written_from(struct vfile *v, uint64_t from)
{
	for (uint64_t i = from; i < v->wpages; i++)
		if (is_written(v, i)) {
			v->written[i / 64] &= ~(1ull << (i % 64));
			v->node->u.file.pages--;
		}
}

/* Page i is present, with what it holds (image bytes or zeros) when it
 * was not: false when it could not be made so (no memory), and then the
 * server must not touch it (it would fault on its own object and wait
 * for itself, its own pager). */
static bool make_present(struct vfile *v, uint64_t i)
{
	const struct tmpfs_node *n = v->node;
	uint64_t start = i * PAGE;

	if (is_written(v, i) || fmap_present(&v->fm, i))
		return true;
	if (start < n->u.file.backing_len) {
		uint64_t k = n->u.file.backing_len - start;
		return fmap_supply_bytes(&v->fm, i, n->u.file.backing + start, k < PAGE ? (size_t)k : PAGE);
	}
	return fmap_zero(&v->fm, i, 1) == ERR_OK;
}

/* ---- the tmpfs_ext hooks ----------------------------------------------------------- */

/* A read copies what the object holds, and a page it does not hold
 * from where it comes from (zeros, the boot image's bytes) without
 * making it present: a read of a big sparse file costs no memory. */
static void ext_read(struct tmpfs *t, struct tmpfs_node *f, uint64_t off, void *buf, size_t n)
{
	struct vfile *v = vfile_of(f);
	uint8_t *out = buf;

	(void)t;
	while (n) {
		uint64_t i = off / PAGE, in = off % PAGE, k = PAGE - in;
		uint64_t blen = f->u.file.backing_len;

		if (k > n)
			k = n;
		if (is_written(v, i) || fmap_present(&v->fm, i)) {
			memcpy(out, v->fm.va + off, k);
		} else {
			uint64_t b = off < blen ? (blen - off < k ? blen - off : k) : 0;
			memcpy(out, f->u.file.backing + off, b);
			memset(out + b, 0, k - b);
		}
		out += k;
		off += k;
		n -= k;
	}
}

static size_t ext_write(struct tmpfs *t, struct tmpfs_node *f, uint64_t off, const void *buf, size_t n,
			err_t *err)
{
	struct vfile *v = vfile_of(f);

	(void)t;
	if (off >= POSIX_FMAP_MAX) {
		*err = ERR_FBIG;
		return 0;
	}
	if (n > POSIX_FMAP_MAX - off)
		n = (size_t)(POSIX_FMAP_MAX - off);
	if (off + n > v->fm.size && !room_for((pages_of(off + n) - pages_of(v->fm.size)) * PAGE)) {
		*err = ERR_NOSPC;            /* files stop short of the quota (FMAP_RESERVE) */
		return 0;
	}
	if (off + n > v->fm.size && (*err = fmap_resize(&v->fm, off + n)))
		return 0;
	for (uint64_t i = off / PAGE; i <= (off + n - 1) / PAGE; i++)
		if (!make_present(v, i)) {
			*err = ERR_NOSPC;
			return 0;
		}
	for (uint64_t i = off / PAGE; i <= (off + n - 1) / PAGE; i++)
		mark_written(v, i);
	memcpy(v->fm.va + off, buf, n);
	return n;
}

static err_t ext_truncate(struct tmpfs *t, struct tmpfs_node *f, uint64_t len)
{
	struct vfile *v = vfile_of(f);
	uint64_t i = len / PAGE;
	err_t e;

	(void)t;
	if (len > POSIX_FMAP_MAX)
		return ERR_FBIG;
	if (len < v->fm.size && len % PAGE && (is_written(v, i) || fmap_present(&v->fm, i))) {
		memset(v->fm.va + len, 0, PAGE - len % PAGE);
		mark_written(v, i);
	}
	if ((e = fmap_resize(&v->fm, len)))
		return e;
	clear_written_from(v, pages_of(len));
	return ERR_OK;
}

/* The node is gone. A client may still map the object (mmap, then close
 * and unlink): its holes are filled first, so nobody asks for a page of
 * a file that is no more (a big sparse one is cut to nothing instead). */
static void vfile_free(struct vfile *v)
{
	struct tmpfs_node *f = v->node;
	uint64_t pages = pages_of(v->fm.size);

	if (pages <= ORPHAN_FILL) {
		for (uint64_t i = 0; i < pages; i++)
			if (!is_written(v, i))
				make_present(v, i);
	} else {
		cairn_pager_resize(v->fm.obj, 0);
	}
	fmap_file_free(&v->fm);
	free(v->written);
	tmpfs_free(v, sizeof(*v));
	f->u.file.ext = NULL;
}

static void ext_release(struct tmpfs *t, struct tmpfs_node *f)
{
	(void)t;
	vfile_free(vfile_of(f));
	f->u.file.pages = 0;
}

static const struct tmpfs_ext ext_ops = { ext_read, ext_write, ext_truncate, ext_release };

/* ---- giving files shared pages ------------------------------------------------------- */

void fmap_setup(void)
{
	err_t e = fmap_init(ep);

	if (e) {
		printf("vfs: no shared file pages (%s): files go through IO_READ/IO_WRITE\n", err_name(e));
		return;
	}
	fs.ext = &ext_ops;
	fmap_ready = true;
}

static void take_page(void *arg, uint64_t idx, const void *page)
{
	struct vfile *v = arg;

	fmap_supply_bytes(&v->fm, idx, page, PAGE);
	mark_written(v, idx);
}

/* File v's pages back into the radix tree (its written ones; the rest
 * are holes or the backing's), and its object freed: false if out of
 * memory (nothing changed). */
static bool take_back(struct vfile *v)
{
	struct tmpfs_node *n = v->node;
	uint64_t pages = pages_of(v->fm.size);

	fmap_sync(n);
	n->u.file.pages = 0;
	for (uint64_t i = 0; i < pages; i++) {
		if (is_written(v, i) && tmpfs_import_page(n, i, v->fm.va + i * PAGE)) {
			tmpfs_export_pages(n, NULL, NULL);      /* undone */
			n->u.file.pages = 0;
			for (uint64_t j = 0; j < v->wpages; j++)
				n->u.file.pages += is_written(v, j);
			return false;
		}
	}
	vfile_free(v);
	return true;
}

/* Makes room for one more file: true if there is. */
static bool room(void)
{
	struct vfile *lru = NULL;

	if (fmap_count() < FMAP_FILES)
		return true;
	for (uint32_t i = 0; i < POSIX_FMAP_SLOTS; i++) {
		struct fmap_file *fm = fmap_at(i);
		struct vfile *v = fm ? fm->user : NULL;

		if (v && !v->node->refs && !v->mmapped && (!lru || v->used < lru->used))
			lru = v;
	}
	return lru && take_back(lru);
}

/* File n with shared pages (made now if it had none). ERR_NODEV: it
 * cannot have them (not a plain file, too big, no room left). */
static err_t attach(struct tmpfs_node *n, struct vfile **out)
{
	struct vfile *v;
	err_t e;

	if ((*out = vfile_of(n)))
		return ERR_OK;
	if (!fmap_ready || !tmpfs_is_reg(n) || (n->flags & (TMPFS_F_SYNTH | TMPFS_F_RDONLY)) ||
	    n->size > POSIX_FMAP_MAX / 2 || !room())
		return ERR_NODEV;
	if (!(v = tmpfs_alloc(sizeof(*v))))
		return ERR_NOMEM;
	v->node = n;
	if ((e = fmap_file_new(&v->fm, n->size, v))) {
		tmpfs_free(v, sizeof(*v));
		return e == ERR_NOSPC || e == ERR_FBIG ? ERR_NODEV : e;
	}
	n->u.file.ext = v;
	/* the radix tree's pages become the object's */
	n->u.file.pages = 0;
	tmpfs_export_pages(n, take_page, v);
	*out = v;
	return ERR_OK;
}

/* What the kernel's dirty bits say clients wrote: into `written`, and
 * the file's mtime and version move if anything was. */
void fmap_sync(struct tmpfs_node *n)
{
	struct vfile *v = vfile_of(n);
	uint64_t end, i = 0, bits, next;
	bool any = false;

	if (!v || !v->wgiven)
		return;                     /* no client can have written it */
	end = pages_of(v->fm.size);
	while (i < end) {
		uint64_t k = end - i < 64 ? end - i : 64;

		if (cairn_pager_dirty(v->fm.obj, i, k, &bits, &next))
			break;
		for (uint64_t j = 0; j < k; j++)
			if (bits >> j & 1) {
				mark_written(v, i + j);
				any = true;
			}
		i = next > i + k ? next : i + k;
	}
	if (any) {
		n->version++;
		n->mtime = n->ctime = stamp();
	}
}

/* Drops every page of every file that holds nothing only the object
 * has: how many went. */
uint64_t fmap_evict(void)
{
	uint64_t total = 0;

	for (uint64_t key = 0; key < POSIX_FMAP_SLOTS; key++) {
		/* every file: walk the slots through fmap_find's index */
		struct fmap_file *fm = fmap_at((uint32_t)key);
		struct vfile *v;
		uint64_t end, run = 0;

		if (!fm)
			continue;
		v = fm->user;
		fmap_sync(v->node);
		end = pages_of(fm->size);
		for (uint64_t i = 0; i <= end; i++) {
			if (i < end && !is_written(v, i)) {
				run++;
				continue;
			}
			if (run) {
				uint64_t got = 0;
				cairn_pager_evict(fm->obj, i - run, run, &got);
				total += got;
			}
			run = 0;
		}
	}
	return total;
}

/* ---- the requests ---------------------------------------------------------------------- */

/* Supplies page i of v (zeros or the boot image's bytes), evicting and
 * dropping what can go back when memory is short: false if it still
 * cannot. */
static bool supply_page(struct vfile *v, uint64_t i)
{
	if (make_present(v, i))
		return true;
	if ((fmap_evict() || images_drop()) && make_present(v, i))
		return true;
	return false;
}

/* A page request from the kernel (label CAIRN_PAGER_LABEL, the file's key
 * as badge): the pages are zeros or the boot image's bytes. A page that
 * cannot be supplied even after evicting is failed (the thread waiting
 * gets CAIRN_FAULT_PAGER: SIGBUS, or EFAULT in a copy of a call), never
 * left waiting. Anything else (a client's call with that label, a file
 * that is gone) is ignored: the kernel asks again at the next touch. */
void fmap_page_request(struct srv_req *r, struct srv_ans *a)
{
	uint64_t first = r->w[0], end;
	struct fmap_file *fm = fmap_request(r->badge, first, r->w[1], &end);

	(void)a;
	if (!fm)
		return;
	for (uint64_t i = first; i < end; i++) {
		struct vfile *v = fm->user;

		if (!supply_page(v, i))
			cairn_pager_fail(fm->obj, i, 1);
	}
}

/* The fmap word and offset of h's file into a->w[at..] (IO_FMAP: w2 the
 * open flags too), its key into w3, and its
 * object (and the table when asked) as the answer's next capabilities.
 * ERR_NODEV: the file has no shared pages. */
err_t fmap_answer(struct srv_ans *a, struct handle *h, unsigned at, bool table, uint64_t bytes,
		  const uint8_t *have)
{
	struct vfile *v;
	uint32_t flags = POSIX_FMAP_NOSYNC;
	cap_t c, t = CAP_NULL;
	err_t e;

	if (h->kind != H_NODE || !tmpfs_is_reg(h->node) || is_snapshot(h) || (h->flags & LINUX_O_PATH))
		return ERR_INVAL;
	/* pages past the end cost the server (the kernel's page table of
	 * the object): a client gets at most PAST_END of them */
	if (bytes > h->node->size && bytes - h->node->size > PAST_END)
		return ERR_NOMEM;
	/* a write-only description gets no pages: a mapping could read them */
	if ((h->flags & LINUX_O_DIRECT) || !can_read(h) || (e = attach(h->node, &v)))
		return ERR_NODEV;
	if (bytes > v->fm.pages * PAGE && (e = fmap_reserve(&v->fm, pages_of(bytes))))
		return e;
	if (bytes)
		v->mmapped = true;          /* a mapping may outlive every description */
	v->used = ++ticks;
	if (have && (have[v->fm.slot / 8] >> (v->fm.slot % 8) & 1))
		c = CAP_NULL;               /* the caller has it */
	else if ((c = fmap_give_obj(&v->fm, can_write(h))) == CAP_NULL)
		return ERR_NOMEM;
	v->wgiven |= can_write(h);
	if (table && (t = fmap_give_table()) == CAP_NULL) {
		if (c != CAP_NULL)
			cairn_cap_delete(c);
		return ERR_NOMEM;
	}
	if (h->refs == 1) {
		h->leased = true;
		flags |= POSIX_FMAP_LEASE;
	}
	a->w[at] = flags | (uint64_t)v->fm.slot << 32;
	a->w[at + 1] = h->pos;
	if (at == 0)
		a->w[2] = h->flags;
	a->w[3] = v->fm.key;
	if (c != CAP_NULL) {
		a->caps[a->ncaps] = c;
		a->made[a->ncaps++] = NO_ENTRY;
	}
	if (t != CAP_NULL) {
		a->caps[a->ncaps] = t;
		a->made[a->ncaps++] = NO_ENTRY;
	}
	return ERR_OK;
}

/* IO_FEXTEND: (n, offset or POSIX_FEXTEND_APPEND) -> (offset). */
void fmap_extend(struct srv_ans *a, const struct srv_req *r, struct handle *h)
{
	struct tmpfs_node *n = h->node;
	struct vfile *v;
	uint64_t len = r->w[0], off = r->w[1], end, old;

	if (h->kind != H_NODE || !tmpfs_is_reg(n) || is_snapshot(h)) {
		a->err = ERR_INVAL;
		return;
	}
	if (!can_write(h)) {
		a->err = ERR_BADF;
		return;
	}
	if (!(v = vfile_of(n))) {
		a->err = ERR_NODEV;
		return;
	}
	if (off == POSIX_FEXTEND_APPEND || (h->flags & LINUX_O_APPEND))
		off = n->size;
	if ((int64_t)off < 0) {
		a->err = ERR_INVAL;
		return;
	}
	if (off >= POSIX_FMAP_MAX || len > POSIX_FMAP_MAX - off) {
		a->err = ERR_FBIG;
		return;
	}
	end = off + len;
	old = n->size;
	/* files stop short of the server's quota (FMAP_RESERVE): ENOSPC */
	if (end > old && !room_for((pages_of(end) - pages_of(old)) * PAGE)) {
		a->err = ERR_NOSPC;
		return;
	}
	if (end > old) {
		if (old % PAGE && !make_present(v, old / PAGE)) {
			a->err = ERR_NOSPC;
			return;
		}
		if ((a->err = fmap_resize(&v->fm, end)) == ERR_NOMEM && fmap_evict())
			a->err = fmap_resize(&v->fm, end);
		if (a->err)
			return;
		/* the new pages now: out of memory is ENOSPC here, not a
		 * fault in the client's copy */
		if (fmap_zero(&v->fm, pages_of(old), pages_of(end) - pages_of(old))) {
			fmap_resize(&v->fm, old);
			a->err = ERR_NOSPC;
			return;
		}
		n->size = end;
	}
	/* a page marked written is taken to be present (make_present):
	 * one inside the old size may be a hole, and the server's own next
	 * touch of it would fault on its own object and wait for itself */
	for (uint64_t i = off / PAGE; len && i < pages_of(end); i++)
		if (!make_present(v, i)) {
			a->err = ERR_NOSPC;
			return;
		}
	for (uint64_t i = off / PAGE; len && i < pages_of(end); i++)
		mark_written(v, i);
	if (len) {
		n->version++;
		n->mtime = n->ctime = stamp();
	}
	a->w[0] = off;
}
