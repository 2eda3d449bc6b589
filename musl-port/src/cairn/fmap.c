/* SPDX-License-Identifier: MIT */
/*
 * Regular files through their shared pages (include/cairn/posix.h, "File
 * pages"): fd.c's read, write, pread, pwrite and lseek of a file whose
 * server shares its pages, and mmap's file objects (mem.c).
 *
 * A file's pages are a MemoryObject the server pages; this process maps
 * it once (shared by all its descriptors of the file, and kept mapped a
 * while after the last one closes, so the next open of a hot file maps
 * nothing) and reads and writes are copies from and into the mapping.
 * The server's slot table, mapped read-only, says each file's size. Only
 * growing a file asks the server (IO_FEXTEND: the size moves first, then
 * the copy); a page not there yet is asked of the server by the fault.
 *
 * The offset of a description this process alone holds is leased
 * (POSIX_FMAP_LEASE): kept here, so read, write and lseek make no call.
 * It goes back to the server (IO_SEEK) before the description is shared:
 * dup, fork, exec; from then on read and write use the server's offset
 * (IO_READ, IO_WRITE), which every holder shares, while pread and pwrite
 * still copy here.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cairn_impl.h"
#include "cairn_arch.h"

#define PAGE         4096u
#define CACHE        32u
#define TABLE_PAGES  ((POSIX_FMAP_SLOTS * sizeof(struct posix_fmap_slot) + PAGE - 1) / PAGE)

/* A file's pages mapped here. */
struct cairn_fmap {
	uint64_t key;                /* the slot's key (0: a free entry) */
	uint32_t slot;
	uint8_t writable, nosync;
	cap_t obj;
	char *va;
	uint64_t pages;              /* mapped */
	char *old_va;                /* the mapping before the last growth (threads) */
	uint64_t old_pages;
	unsigned refs;               /* descriptors using it */
	uint64_t used;               /* for the least recently used */
};

static struct cairn_fmap cache[CACHE];
static uint64_t ticks;
/* The slots of the entries, kept as they change (have[0]: all, have[1]:
 * the writable ones), for FS_OPEN's POSIX_OPEN_FMAP_HAVE. A slot reused
 * by another file since is told by the answer's key (then IO_FMAP). */
static uint64_t have_bits[2][POSIX_FMAP_SLOTS / 64];
static unsigned have_top[2];             /* words of have_bits[w] up to the last nonzero one */
/* The entry last given each slot (its index + 1; 0: none), so that an
 * open of a file mapped here finds it without a walk of the cache. */
static uint8_t slot_entry[POSIX_FMAP_SLOTS];
static cap_t table = CAP_NULL;
static const volatile struct posix_fmap_slot *slots;
static volatile int lock;

static void take(void)
{
	if (__cairn_threaded)
		__cairn_lock(&lock);
}

static void give(void)
{
	if (__cairn_threaded)
		__cairn_unlock(&lock);
}

uint64_t __cairn_fmap_open_bits(uint32_t flags, uint8_t *have, size_t *havelen)
{
	int w = (flags & O_ACCMODE) != O_RDONLY;
	const uint64_t *bits = have_bits[w];
	uint64_t *words = (uint64_t *)have;
	unsigned top = have_top[w];

	*havelen = 0;
	if (!slots)
		return POSIX_OPEN_FMAP | POSIX_OPEN_FMAP_TABLE;
	/* as many words as the highest slot needs (a server hands out the
	 * lowest free slots, so mostly one) */
	for (unsigned i = 0; i < top; i++)
		words[i] = bits[i];
	if (!top)
		return POSIX_OPEN_FMAP;
	*havelen = top * 8;
	return POSIX_OPEN_FMAP | POSIX_OPEN_FMAP_HAVE;
}

/* The cached entry of the file with key in slot, or NULL. */
static struct cairn_fmap *cached(uint64_t key, uint32_t slot)
{
	unsigned e = slot < POSIX_FMAP_SLOTS ? slot_entry[slot] : 0;

	if (e && cache[e - 1].key == key && cache[e - 1].slot == slot)
		return &cache[e - 1];
	for (unsigned i = 0; i < CACHE; i++)
		if (cache[i].key == key && cache[i].slot == slot)
			return &cache[i];
	return NULL;
}

static void keep_table(cap_t t)
{
	void *va;

	if (t == CAP_NULL)
		return;
	if (slots || cairn_map(t, 0, TABLE_PAGES, CAIRN_PROT_R | CAIRN_PROT_SHARE, &va)) {
		cairn_cap_delete(t);
		return;
	}
	table = t;
	slots = va;
}

static void have_set(const struct cairn_fmap *m, int on)
{
	unsigned wi = m->slot / 64;
	uint64_t bit = 1ull << (m->slot % 64);
	uint8_t e = (uint8_t)(m - cache + 1);

	for (int w = 0; w < 2; w++) {
		have_bits[w][wi] &= ~bit;
		if (on && (!w || m->writable))
			have_bits[w][wi] |= bit;
		if (have_bits[w][wi] && have_top[w] <= wi)
			have_top[w] = wi + 1;
		while (have_top[w] && !have_bits[w][have_top[w] - 1])
			have_top[w]--;
	}
	if (on)
		slot_entry[m->slot] = e;
	else if (slot_entry[m->slot] == e)
		slot_entry[m->slot] = 0;
}

static void drop_entry(struct cairn_fmap *m)
{
	have_set(m, 0);
	cairn_unmap(m->va, m->pages);
	if (m->old_va)
		cairn_unmap(m->old_va, m->old_pages);
	m->old_va = NULL;
	cairn_cap_delete(m->obj);
	m->key = 0;
}

/* The entry of the file with key in slot, mapping obj (ours now: kept
 * or deleted), or NULL. */
static struct cairn_fmap *entry_for(uint64_t key, uint32_t slot, cap_t obj, int writable)
{
	struct cairn_fmap *m = NULL, *lru = NULL;
	uint64_t pages = slots[slot].pages;
	void *va;

	for (unsigned i = 0; i < CACHE; i++) {
		struct cairn_fmap *c = &cache[i];
		if (c->key == key && c->slot == slot) {
			m = c;
			break;
		}
		if (!c->refs && (!lru || !c->key || (lru->key && c->used < lru->used)))
			lru = c;
	}
	if (m && (m->writable || !writable)) {
		cairn_cap_delete(obj);
		return m;
	}
	if (!m && !lru) {
		cairn_cap_delete(obj);
		return NULL;
	}
	if (!pages)
		pages = 1;
	if (cairn_map(obj, 0, pages, CAIRN_PROT_R | (writable ? CAIRN_PROT_W : 0) | CAIRN_PROT_SHARE, &va)) {
		cairn_cap_delete(obj);
		return NULL;
	}
	if (m) {                     /* the same file, now with write rights */
		cairn_unmap(m->va, m->pages);
		cairn_cap_delete(m->obj);
	} else {
		m = lru;
		if (m->key)
			drop_entry(m);
		m->refs = 0;
	}
	m->key = key;
	m->slot = slot;
	m->obj = obj;
	m->va = va;
	m->pages = pages;
	m->writable = (uint8_t)writable;
	have_set(m, 1);
	return m;
}

/* f takes the file's pages from an answer's words: fmap word, offset,
 * open flags, key; obj and t the capabilities that came (CAP_NULL: none). */
static int attach(struct cairn_fd *f, uint64_t word, uint64_t off, uint32_t oflags, uint64_t key,
		  cap_t obj, cap_t t)
{
	uint32_t slot = (uint32_t)(word >> 32);
	int writable = (oflags & O_ACCMODE) != O_RDONLY;
	struct cairn_fmap *m;

	take();
	keep_table(t);
	/* obj is ours: deleted here, or by entry_for() (NULL: it did), once.
	 * The table's key is the VFS's to change at any time: it was looked
	 * at again after entry_for() had deleted obj, and a key changed
	 * meanwhile deleted it twice, taking whatever capability the slot
	 * held by then (threads.io_together on four CPUs: another thread's
	 * pipe end, EPIPE and another thread's bytes) */
	if (obj == CAP_NULL || !word || !slots || slot >= POSIX_FMAP_SLOTS || !key ||
	    slots[slot].key != key) {
		if (obj != CAP_NULL)
			cairn_cap_delete(obj);
		give();
		f->fmode = FMAP_SERVER;
		return 0;
	}
	if (!(m = entry_for(key, slot, obj, writable))) {
		give();
		f->fmode = FMAP_SERVER;
		return 0;
	}
	m->refs++;
	m->used = ++ticks;
	m->nosync = (word & POSIX_FMAP_NOSYNC) != 0;
	give();
	f->fm = m;
	f->oflags = oflags;
	f->lease = (word & POSIX_FMAP_LEASE) != 0;
	f->pos = off;
	f->fmode = FMAP_MAPPED;
	return 1;
}

void __cairn_fmap_opened(struct cairn_fd *f, const struct cairn_ans *a, uint32_t flags,
			 uint64_t bits, const uint8_t *have, size_t havelen)
{
	uint32_t slot = (uint32_t)(a->w[1] >> 32);
	int held = a->w[1] && (bits & POSIX_OPEN_FMAP_HAVE) && slot < havelen * 8 &&
		   (have[slot / 8] >> (slot % 8) & 1);
	unsigned k = 1;
	cap_t obj = CAP_NULL, t = CAP_NULL;

	if (a->w[1] && !held && k < a->ncaps)
		obj = cairn_ipcbuf()->caps[k++];
	if ((bits & POSIX_OPEN_FMAP_TABLE) && a->w[1] && k < a->ncaps)
		t = cairn_ipcbuf()->caps[k++];
	flags &= ~(uint32_t)(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC);
	if (f && held) {                        /* we map it already */
		struct cairn_fmap *m;

		take();
		if ((m = cached(a->w[3], slot)) && slots[slot].key == m->key) {
			m->refs++;
			m->used = ++ticks;
			give();
			f->fm = m;
			f->oflags = flags;
			f->lease = (a->w[1] & POSIX_FMAP_LEASE) != 0;
			f->pos = a->w[2];
			f->fmode = FMAP_MAPPED;
			return;
		}
		give();
		return;                         /* gone meanwhile: IO_FMAP at the first use */
	}
	if (!f || !a->w[1] || obj == CAP_NULL) {   /* no pages (yet): IO_FMAP at the first use */
		if (obj != CAP_NULL)
			cairn_cap_delete(obj);
		take();
		keep_table(t);
		give();
		return;
	}
	attach(f, a->w[1], a->w[2], flags, a->w[3], obj, t);
}

int __cairn_fmap_try(struct cairn_fd *f)
{
	struct cairn_ans a;
	int want_table = !slots;

	f->fmode = FMAP_SERVER;
	if (f->kind != FDK_IO || __cairn_fd_type(f) != S_IFREG)
		return 0;
	if (__cairn_ipc(f->cap, IO_FMAP, want_table ? POSIX_FMAP_TABLE : 0, 0, 0, 0, 0, 0, IPC_ALWAYS, &a) ||
	    !a.ncaps) {
		for (unsigned i = 0; i < a.ncaps; i++)
			cairn_cap_delete(cairn_ipcbuf()->caps[i]);
		return 0;
	}
	return attach(f, a.w[0], a.w[1], (uint32_t)a.w[2], a.w[3], cairn_ipcbuf()->caps[0],
		      want_table && a.ncaps > 1 ? cairn_ipcbuf()->caps[1] : CAP_NULL);
}

void __cairn_fmap_detach(struct cairn_fd *f)
{
	if (f->fmode == FMAP_MAPPED && f->fm) {
		take();
		f->fm->refs--;
		give();
	}
	f->fm = NULL;
	f->fmode = FMAP_UNTRIED;
	f->lease = 0;
}

void __cairn_fmap_unlease(struct cairn_fd *f)
{
	if (f->fmode != FMAP_MAPPED || !f->lease)
		return;
	f->lease = 0;
	__cairn_ipc(f->cap, IO_SEEK, f->pos, SEEK_SET, 0, 0, 0, 0, IPC_ALWAYS, NULL);
}

/* The file's size now, or -1 if the slot is no longer the file's. */
static int64_t size_of(const struct cairn_fmap *m)
{
	uint64_t size = __atomic_load_n(&slots[m->slot].size, __ATOMIC_ACQUIRE);

	if (slots[m->slot].key != m->key || size > POSIX_FMAP_MAX)
		return -1;
	return (int64_t)size;
}

/* The mapping covers [0, end), re-mapped with the object's pages now if
 * not: 0, or -1. */
static int cover(struct cairn_fmap *m, uint64_t end)
{
	uint64_t pages;
	void *va;

	if (end <= m->pages * PAGE)
		return 0;
	take();
	pages = slots[m->slot].pages;
	if (end > pages * PAGE ||
	    cairn_map(m->obj, 0, pages, CAIRN_PROT_R | (m->writable ? CAIRN_PROT_W : 0) | CAIRN_PROT_SHARE,
		      &va)) {
		give();
		return -1;
	}
	/* another thread may be copying from the old mapping: it stays
	 * until the next growth (or the entry goes) */
	if (m->old_va)
		cairn_unmap(m->old_va, m->old_pages);
	m->old_va = NULL;
	if (__cairn_threaded) {
		m->old_va = m->va;
		m->old_pages = m->pages;
	} else {
		cairn_unmap(m->va, m->pages);
	}
	m->va = va;
	m->pages = pages;
	give();
	return 0;
}

long __cairn_fmap_read(struct cairn_fd *f, struct iov_at *d, size_t total, uint64_t off, int at)
{
	struct cairn_fmap *m = f->fm;
	uint64_t pos = at ? off : f->pos;
	int64_t size;
	size_t n;

	if ((f->oflags & O_ACCMODE) == O_WRONLY)
		return -EBADF;
	if ((!at && !f->lease) || (size = size_of(m)) < 0)
		return -ENOTSUP;
	if (pos >= (uint64_t)size || !total)
		return 0;
	n = total < (uint64_t)size - pos ? total : (size_t)((uint64_t)size - pos);
	if (cover(m, pos + n))
		return -ENOTSUP;
	if (scatter(d, m->va + pos, n))
		return -EFAULT;               /* (the offset stays) */
	if (!at)
		f->pos = pos + n;
	return (long)n;
}

long __cairn_fmap_write(struct cairn_fd *f, struct iov_at *v, size_t total, uint64_t off, int at)
{
	struct cairn_fmap *m = f->fm;
	uint64_t pos = at ? off : f->pos;
	int append = (f->oflags & O_APPEND) != 0;
	int64_t size;

	if ((f->oflags & O_ACCMODE) == O_RDONLY)
		return -EBADF;
	if ((!at && !f->lease) || !m->writable || (size = size_of(m)) < 0)
		return -ENOTSUP;
	if (!total)
		return 0;
	if (v->cnt && !__cairn_uread_ok(v->iov[0].iov_base, v->iov[0].iov_len > 0))
		return -EFAULT;               /* (before the file grows) */
	if (append || pos > (uint64_t)size || total > (uint64_t)size - pos) {
		struct cairn_ans a;
		err_t e;

		if (pos >= POSIX_FMAP_MAX || total > POSIX_FMAP_MAX - pos)
			return -ENOTSUP;        /* past what pages may hold: the server says */
		e = __cairn_ipc(f->cap, IO_FEXTEND, total, append ? POSIX_FEXTEND_APPEND : pos, 0, 0, 0, 0,
				IPC_ALWAYS, &a);
		if (e == ERR_NODEV)
			return -ENOTSUP;
		if (e)
			return cairn_errno(e);
		pos = a.w[0];
	}
	if (cover(m, pos + total))
		return -ENOTSUP;
	if (gather(v, (uint8_t *)m->va + pos, total))
		return -EFAULT;
	if (!at)
		f->pos = pos + total;
	return (long)total;
}

long __cairn_fmap_seek(struct cairn_fd *f, long off, long whence)
{
	int64_t size, base;

	if (f->fmode != FMAP_MAPPED || !f->lease || (size = size_of(f->fm)) < 0)
		return -ENOTSUP;
	switch (whence) {
	case SEEK_SET: base = 0; break;
	case SEEK_CUR: base = (int64_t)f->pos; break;
	case SEEK_END: base = size; break;
	case SEEK_DATA: case SEEK_HOLE:
		if (off < 0 || off >= size)
			return -ENXIO;
		f->pos = whence == SEEK_DATA ? (uint64_t)off : (uint64_t)size;
		return (long)f->pos;
	default:
		return -EINVAL;
	}
	if (off > 0 && base > INT64_MAX - off)
		return -EOVERFLOW;
	if (base + off < 0)
		return -EINVAL;
	f->pos = (uint64_t)(base + off);
	return (long)f->pos;
}

int __cairn_fmap_nosync(struct cairn_fd *f)
{
	return f->fmode == FMAP_MAPPED && f->fm->nosync;
}

long __cairn_fmap_fionread(struct cairn_fd *f, int *out)
{
	int64_t size;

	if (f->fmode != FMAP_MAPPED || !f->lease || (size = size_of(f->fm)) < 0)
		return -ENOTSUP;
	*out = (uint64_t)size > f->pos ? ((uint64_t)size - f->pos > INT_MAX ? INT_MAX : (int)(size - (int64_t)f->pos)) : 0;
	return 0;
}

long __cairn_fmap_object(long fd, uint64_t bytes, unsigned flags, cap_t *obj, int *writable,
			 uint32_t *oflags, int *nosync)
{
	struct cairn_fd *f = __cairn_fd(fd);
	int want_table = !slots;
	struct cairn_ans a;
	err_t e;

	if (!f)
		return -EBADF;
	if (f->kind != FDK_IO || __cairn_fd_type(f) != S_IFREG)
		return -ENODEV;          /* a tty, a pipe, a directory: as Linux */
	e = __cairn_ipc(f->cap, IO_FMAP, (want_table ? POSIX_FMAP_TABLE : 0) | flags, bytes, 0, 0, 0, 0,
			IPC_ALWAYS, &a);
	if (e || !a.ncaps) {
		for (unsigned i = 0; !e && i < a.ncaps; i++)
			cairn_cap_delete(cairn_ipcbuf()->caps[i]);
		/* a write-only description has no pages to map: EACCES, as Linux */
		if (e == ERR_NODEV && !__cairn_ipc(f->cap, IO_GETFL, 0, 0, 0, 0, 0, 0, IPC_ALWAYS, &a) &&
		    (a.w[0] & O_ACCMODE) == O_WRONLY)
			return -EACCES;
		return e == ERR_BADF ? -EBADF : e == ERR_FBIG || e == ERR_NOMEM ? -ENOMEM : e ? -ENODEV : -EIO;
	}
	*obj = cairn_ipcbuf()->caps[0];
	if (*obj == CAP_NULL) {
		/* no slot left for it (a mapping holds one): as Linux's limit
		 * of mappings, ENOMEM */
		for (unsigned i = 1; i < a.ncaps; i++)
			if (cairn_ipcbuf()->caps[i] != CAP_NULL)
				cairn_cap_delete(cairn_ipcbuf()->caps[i]);
		return -ENOMEM;
	}
	if (want_table && a.ncaps > 1) {
		take();
		keep_table(cairn_ipcbuf()->caps[1]);
		give();
	}
	*oflags = (uint32_t)a.w[2];
	*nosync = (a.w[0] & POSIX_FMAP_NOSYNC) != 0;
	*writable = (*oflags & O_ACCMODE) == O_RDWR;
	return 0;
}
