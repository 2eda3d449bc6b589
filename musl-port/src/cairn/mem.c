/* SPDX-License-Identifier: MIT */
/*
 * brk and anonymous mmap/munmap/mprotect/madvise/mremap on MemoryObjects
 * mapped into this process's AddressSpace (SLOT_SELF_AS).
 *
 * The process keeps a sorted table of pieces: ranges of pages with one
 * Linux protection, each backed by a run of pages of one MemoryObject
 * (object table, reference counted by the pieces that use it). Each mmap
 * makes one object; mprotect and munmap split pieces; an object's
 * capability is deleted (its pages freed) when no piece uses it any more,
 * so unmapping part of an object keeps all its pages until the rest goes
 * too. Both tables start small (in the program's data) and grow, twice
 * as large each time (never shrinking), into MemoryObjects of their own
 * (cairn_map): mmaps are bounded by memory only (the process's quota:
 * each one's object, its capability slot, mapping records and page
 * tables, and these tables).
 * PROT_NONE ranges are not mapped in the kernel (AS_MAP needs some
 * access); a PROT_NONE reservation gets memory only when mprotect first
 * makes part of it accessible (the whole reservation at once when it is
 * at most BACK_WHOLE_MAX pages, else just that part). MAP_SHARED
 * mappings are made with CAIRN_PROT_SHARE, so a forked child will share
 * them instead of copying them.
 *
 * brk grows from CAIRN_HEAP_BASE in objects of at least BRK_GROW pages
 * (the rest of the last one is kept mapped above the break for the next
 * growth); shrinking unmaps what lies above the new break.
 *
 * mmap picks addresses in [CAIRN_MMAP_BASE, CAIRN_MMAP_END); MAP_FIXED
 * may be anywhere not mapped by something else (the program, the stack,
 * the runtime's own mappings: the kernel refuses those, ENOMEM). munmap
 * and mprotect act on this table only: a range outside it is left alone
 * (munmap) or refused (mprotect, ENOMEM).
 *
 * A file mapping maps the file's own MemoryObject (fmap.c, IO_FMAP: the
 * server pages it): MAP_SHARED the object itself, so a write is the file
 * at once, for every reader and mapper; MAP_PRIVATE a copy-on-write copy
 * of it (MEMOBJ_COPY), whose untouched pages follow the file. A touch at
 * or past the end of the file faults (CAIRN_FAULT_PAGER: SIGBUS, as on
 * Linux). msync has nothing to write on tmpfs (the pages are the file);
 * msync(MS_SYNC) of a disk file's shared mapping (no POSIX_FMAP_NOSYNC)
 * asks for a sync, which writes the dirty pages back.
 *
 * After a fork the child's table names the parent's MemoryObjects (the
 * kernel made copy-on-write copies in the child's address space, which
 * the child has no capability to): those of private pieces are never
 * mapped again. mremap moves such pieces by copying their bytes, a
 * PROT_NONE one made accessible gets fresh zero memory.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include "cairn_impl.h"

#define PAGE            CAIRN_PAGE_SIZE
#define TABLE_FIRST     64      /* entries of each table before it grows */
#define BACK_WHOLE_MAX  64
#define BRK_GROW        16
#define PROT_ALL        (PROT_READ | PROT_WRITE | PROT_EXEC)

#ifndef CAIRN_PROT_SHARE
#define CAIRN_PROT_SHARE 0
#endif

struct piece {
	uint64_t va, pages;
	uint64_t first;          /* its first page in the object */
	int obj;                 /* index in objs[], -1: no memory yet (PROT_NONE) */
	unsigned char prot;      /* PROT_* */
	unsigned char shared;    /* MAP_SHARED */
	unsigned char locked;    /* mlock, mlockall: msync(MS_INVALIDATE) is EBUSY */
};

struct obj {
	cap_t cap;
	unsigned refs;           /* 0: free entry */
	unsigned char inherited; /* made before a fork: the parent's object (a private
	                          * piece's pages here are the kernel's copies of it) */
	unsigned char wback;     /* a file whose server writes its pages back (a disk's:
	                          * no POSIX_FMAP_NOSYNC): msync(MS_SYNC) asks for it */
};

/* A table's storage: first the static one, then a MemoryObject mapped
 * with cairn_map (after a fork, the capability is the copy of the
 * parent's the child got, and the mapping the kernel's copy: both ours
 * to drop) */
struct table {
	void *base;
	unsigned size;           /* entries it holds */
	cap_t mo;                /* CAP_NULL: the static storage */
};

static struct piece pieces_first[TABLE_FIRST];
static struct obj objs_first[TABLE_FIRST];
static struct table piece_tab = { pieces_first, TABLE_FIRST, CAP_NULL };
static struct table obj_tab = { objs_first, TABLE_FIRST, CAP_NULL };
#define pieces ((struct piece *)piece_tab.base)
#define objs   ((struct obj *)obj_tab.base)
static unsigned npieces;
static unsigned nobjs;       /* entries used so far: [0, nobjs) */
static unsigned obj_hint;    /* no free entry below it */

static int lock_future;                       /* mlockall(MCL_FUTURE): new pieces locked */
static uint64_t brk_cur = CAIRN_HEAP_BASE;    /* the break */
static uint64_t brk_mapped = CAIRN_HEAP_BASE; /* end of the pages mapped for it */

static uint64_t end_of(const struct piece *p) { return p->va + p->pages * PAGE; }
static int mapped(const struct piece *p) { return p->prot != PROT_NONE && p->obj >= 0; }

static unsigned cairn_prot(unsigned prot)
{
	unsigned c = CAIRN_PROT_R;   /* write or exec access implies read, as on Linux */

	if (prot & PROT_WRITE)
		c |= CAIRN_PROT_W;
	if (prot & PROT_EXEC)
		c |= CAIRN_PROT_X;
	return c;
}

/* A kernel error as the errno Linux gives for the same failure. */
static long mem_errno(err_t e)
{
	switch (e) {
	case ERR_EXIST: case ERR_RANGE: case ERR_NOSPC: return -ENOMEM;
	case ERR_PERM: return -EACCES;
	default: return cairn_errno(e);
	}
}

/* Round len up to whole pages; 0 if that overflows. */
static uint64_t page_bytes(size_t len)
{
	return len > UINT64_MAX - (PAGE - 1) ? 0 : (len + PAGE - 1) & ~(PAGE - 1);
}

/* The index of the first piece that ends above va. */
static unsigned find(uint64_t va)
{
	unsigned lo = 0, hi = npieces;

	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;
		if (end_of(&pieces[mid]) <= va)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Makes t hold at least `need` entries of `size` bytes (twice as many as
 * before, or more): a new object, the entries copied, the old one freed.
 * -ENOMEM when memory is out (t is as it was). */
static int table_grow(struct table *t, size_t size, unsigned need)
{
	uint64_t n = t->size, pages;
	cap_t mo;
	void *va;

	while (n < need)
		n *= 2;
	if (n == t->size)
		n *= 2;
	if (n > UINT32_MAX / size)
		return -ENOMEM;
	pages = (n * size + PAGE - 1) / PAGE;
	if (cairn_memobj_create(SLOT_SELF_PROC, pages, 0, &mo))
		return -ENOMEM;
	if (cairn_map(mo, 0, pages, CAIRN_PROT_R | CAIRN_PROT_W, &va)) {
		cairn_cap_delete(mo);
		return -ENOMEM;
	}
	memcpy(va, t->base, t->size * size);
	if (t->mo != CAP_NULL) {
		cairn_unmap(t->base, (t->size * size + PAGE - 1) / PAGE);
		cairn_cap_delete(t->mo);
	}
	t->base = va;
	t->size = (unsigned)(pages * PAGE / size);
	t->mo = mo;
	return 0;
}

/* Room for `more` pieces. */
static int pieces_room(unsigned more)
{
	if (npieces + more <= piece_tab.size)
		return 0;
	return table_grow(&piece_tab, sizeof(struct piece), npieces + more);
}

static int insert_at(unsigned i, const struct piece *p)
{
	if (pieces_room(1))
		return -ENOMEM;
	memmove(&pieces[i + 1], &pieces[i], (npieces - i) * sizeof(pieces[0]));
	pieces[i] = *p;
	npieces++;
	return 0;
}

static void remove_at(unsigned i)
{
	memmove(&pieces[i], &pieces[i + 1], (npieces - i - 1) * sizeof(pieces[0]));
	npieces--;
}

/* A free entry of objs (its refs stay 0 until a piece uses it: the
 * caller counts the first piece before it asks for another), or -1. */
static int obj_entry(void)
{
	unsigned i;

	for (i = obj_hint; i < nobjs && objs[i].refs; i++)
		;
	if (i == nobjs) {
		if (nobjs == obj_tab.size && table_grow(&obj_tab, sizeof(struct obj), nobjs + 1))
			return -1;
		nobjs++;
	}
	obj_hint = i;
	return (int)i;
}

static err_t obj_new(uint64_t pages, int *idx)
{
	cap_t cap;
	err_t e;
	int i;

	if ((i = obj_entry()) < 0)
		return ERR_NOMEM;
	if ((e = cairn_memobj_create(SLOT_SELF_PROC, pages, 0, &cap)))
		return e;
	objs[i].cap = cap;
	objs[i].refs = 0;
	objs[i].inherited = 0;
	*idx = i;
	return ERR_OK;
}

/* An entry for a MemoryObject capability of ours (a file's). */
static err_t obj_adopt(cap_t cap, int *idx)
{
	int i;

	if ((i = obj_entry()) < 0)
		return ERR_NOMEM;
	objs[i].cap = cap;
	objs[i].refs = 0;
	objs[i].inherited = 0;
	objs[i].wback = 0;
	*idx = i;
	return ERR_OK;
}

static void obj_put(int i)
{
	if (i >= 0 && !--objs[i].refs) {
		cairn_cap_delete(objs[i].cap);
		if ((unsigned)i < obj_hint)
			obj_hint = (unsigned)i;
	}
}

/* Whether piece p's object must not be mapped again: a private piece of
 * an object from before a fork (the parent's; the child has only the
 * copies AS_COPY made, which it cannot name). */
static int foreign(const struct piece *p)
{
	return p->obj >= 0 && !p->shared && objs[p->obj].inherited;
}

static void merge(void);

void __cairn_mem_forked(void)
{
	for (unsigned i = 0; i < nobjs; i++)
		if (objs[i].refs)
			objs[i].inherited = 1;
	/* a fork's child inherits no memory locks (POSIX) */
	for (unsigned i = 0; i < npieces; i++)
		pieces[i].locked = 0;
	lock_future = 0;
	merge();
}

/* An object made but not used by any piece (a failed mapping). */
static void obj_drop(int i)
{
	if (!objs[i].refs)
		cairn_cap_delete(objs[i].cap);
}

static err_t map_piece(const struct piece *p)
{
	if (!mapped(p))
		return ERR_OK;
	return cairn_as_map(SLOT_SELF_AS, objs[p->obj].cap, p->va, p->first, p->pages,
			    cairn_prot(p->prot) | (p->shared ? CAIRN_PROT_SHARE : 0));
}

static err_t unmap_piece(const struct piece *p)
{
	return mapped(p) ? cairn_as_unmap(SLOT_SELF_AS, p->va, p->pages * PAGE) : ERR_OK;
}

/* Splits the piece holding va (if it starts below va) so a piece starts at va. */
static int split(uint64_t va)
{
	unsigned i = find(va);
	struct piece *p = &pieces[i], q;
	uint64_t k;

	if (i == npieces || p->va >= va)
		return 0;
	k = (va - p->va) / PAGE;
	q = *p;
	q.va = va;
	q.first = p->first + k;
	q.pages = p->pages - k;
	if (insert_at(i + 1, &q))
		return -ENOMEM;
	pieces[i].pages = k;
	if (q.obj >= 0)
		objs[q.obj].refs++;
	return 0;
}

/* Joins neighbours that continue each other (same object and protection). */
static void merge(void)
{
	for (unsigned i = 0; i + 1 < npieces;) {
		struct piece *a = &pieces[i], *b = &pieces[i + 1];

		if (end_of(a) == b->va && a->obj == b->obj && a->prot == b->prot &&
		    a->shared == b->shared && a->locked == b->locked &&
		    (a->obj < 0 || a->first + a->pages == b->first)) {
			a->pages += b->pages;
			if (b->obj >= 0)
				objs[b->obj].refs--;
			remove_at(i + 1);
		} else {
			i++;
		}
	}
}

/* Whether pieces cover [va, end) without a gap. */
static int covered(uint64_t va, uint64_t end)
{
	for (unsigned i = find(va); va < end; i++) {
		if (i == npieces || pieces[i].va > va)
			return 0;
		va = end_of(&pieces[i]);
	}
	return 1;
}

/* Whether va is in a PROT_NONE piece (reserved, not mapped in the
 * kernel: a fault there is SEGV_ACCERR on Linux, not SEGV_MAPERR).
 * Read without the lock (from a fault's handler). */
int __cairn_mem_prot_none(uintptr_t va)
{
	unsigned i = find(va);

	return i < npieces && pieces[i].va <= va && pieces[i].prot == PROT_NONE;
}

/* Whether [p, p + n) may be written as far as this table knows:
 * not below the program, not past the stack's top, and inside the mmap
 * window or the break only where writable pieces or the break's pages
 * are. Elsewhere (the program's data, the stack) it is taken as fine. */
int __cairn_mem_writable(uintptr_t p, size_t n)
{
	uint64_t end;

	if (!n)
		return 1;
	if (p < 0x400000 || __builtin_add_overflow((uint64_t)p, (uint64_t)n, &end) ||
	    end > CAIRN_STACK_TOP)
		return 0;
	if (p < CAIRN_MMAP_END && end > CAIRN_MMAP_BASE) {
		if (p < CAIRN_MMAP_BASE || end > CAIRN_MMAP_END || !covered(p, end))
			return 0;
		for (unsigned i = find(p); i < npieces && pieces[i].va < end; i++)
			if (!(pieces[i].prot & PROT_WRITE))
				return 0;
		return 1;
	}
	if (p < CAIRN_HEAP_BASE + CAIRN_HEAP_MAX && end > CAIRN_HEAP_BASE)
		return p >= CAIRN_HEAP_BASE && end <= brk_mapped;
	return 1;
}

static int overlaps(uint64_t va, uint64_t end)
{
	unsigned i = find(va);

	return i < npieces && pieces[i].va < end;
}

/* Removes the pieces inside [va, end), splitting those across its edges. */
static long unmap_range(uint64_t va, uint64_t end)
{
	unsigned i;
	err_t e;

	if (split(va) || split(end))
		return -ENOMEM;
	i = find(va);
	while (i < npieces && pieces[i].va < end) {
		if ((e = unmap_piece(&pieces[i])))
			return mem_errno(e);
		obj_put(pieces[i].obj);
		remove_at(i);
	}
	return 0;
}

/* A new piece of fresh memory at [va, va + pages) with prot (no memory
 * yet for PROT_NONE). */
static long add_anon(uint64_t va, uint64_t pages, unsigned prot, int shared)
{
	struct piece p = { .va = va, .pages = pages, .obj = -1, .prot = (unsigned char)prot,
			   .shared = (unsigned char)shared, .locked = (unsigned char)lock_future };
	err_t e;
	long r;

	if (pieces_room(1))
		return -ENOMEM;
	if (prot != PROT_NONE) {
		int idx;

		if ((e = obj_new(pages, &idx)))
			return mem_errno(e);
		p.obj = idx;
		if ((e = map_piece(&p))) {
			obj_drop(idx);
			return mem_errno(e);
		}
		objs[idx].refs = 1;
	}
	if ((r = insert_at(find(va), &p))) {
		unmap_piece(&p);
		obj_put(p.obj);
	}
	return r;
}

/* A new piece at [va, va + pages) mapping file fd from byte off (a
 * multiple of the page): its object itself when shared, a copy-on-write
 * copy when private. */
static long add_file(uint64_t va, uint64_t pages, unsigned prot, int shared, long fd, uint64_t off)
{
	struct piece p = { .va = va, .pages = pages, .first = off / PAGE, .prot = (unsigned char)prot,
			   .shared = (unsigned char)shared, .locked = (unsigned char)lock_future };
	uint32_t oflags, acc;
	struct cairn_msg m;
	int writable, nosync, idx;
	cap_t obj;
	err_t e;
	long r;

	if (pieces_room(1))
		return -ENOMEM;
	if (off > POSIX_FMAP_MAX || pages > (POSIX_FMAP_MAX - off) / PAGE)
		return -ENOMEM;
	if ((r = __cairn_fmap_object(fd, off + pages * PAGE, POSIX_FMAP_ACCESS, &obj, &writable, &oflags,
				     &nosync)))
		return r;
	acc = oflags & O_ACCMODE;
	if (acc == O_WRONLY || (shared && (prot & PROT_WRITE) && !writable)) {
		cairn_cap_delete(obj);
		return -EACCES;
	}
	if (!shared) {
		e = cairn_invoke(obj, MEMOBJ_COPY, 0, 0, 0, 0, 0, &m);
		cairn_cap_delete(obj);
		if (e)
			return mem_errno(e);
		obj = m.w[0];
	}
	if ((e = obj_adopt(obj, &idx))) {
		cairn_cap_delete(obj);
		return mem_errno(e);
	}
	p.obj = idx;
	objs[idx].wback = (unsigned char)(shared && !nosync);
	if ((e = map_piece(&p))) {
		obj_drop(idx);
		return mem_errno(e);
	}
	objs[idx].refs = 1;
	if ((r = insert_at(find(va), &p))) {
		unmap_piece(&p);
		obj_put(p.obj);
	}
	return r;
}

/* Gives piece i (no memory yet) an object: one for the whole run of
 * memoryless pieces around it when that is small, else for it alone. */
static err_t back(unsigned i)
{
	unsigned lo = i, hi = i;
	uint64_t pages;
	err_t e;
	int idx;

	while (lo > 0 && pieces[lo - 1].obj < 0 && end_of(&pieces[lo - 1]) == pieces[lo].va)
		lo--;
	while (hi + 1 < npieces && pieces[hi + 1].obj < 0 && end_of(&pieces[hi]) == pieces[hi + 1].va)
		hi++;
	pages = (end_of(&pieces[hi]) - pieces[lo].va) / PAGE;
	if (pages > BACK_WHOLE_MAX) {
		lo = hi = i;
		pages = pieces[i].pages;
	}
	if ((e = obj_new(pages, &idx)))
		return e;
	for (unsigned j = lo; j <= hi; j++) {
		pieces[j].obj = idx;
		pieces[j].first = (pieces[j].va - pieces[lo].va) / PAGE;
		objs[idx].refs++;
	}
	return ERR_OK;
}

/* A free range of `bytes` in the mmap window: the hint if it is free,
 * else the lowest that fits; 0 if none. */
static uint64_t pick(uint64_t hint, uint64_t bytes)
{
	uint64_t cur = CAIRN_MMAP_BASE;

	if (bytes > CAIRN_MMAP_END - CAIRN_MMAP_BASE)
		return 0;
	hint &= ~(PAGE - 1);
	if (hint >= CAIRN_MMAP_BASE && hint <= CAIRN_MMAP_END - bytes && !overlaps(hint, hint + bytes))
		return hint;
	for (unsigned i = find(cur); i < npieces && pieces[i].va < CAIRN_MMAP_END; i++) {
		if (pieces[i].va >= cur + bytes)
			break;
		cur = end_of(&pieces[i]);
	}
	return cur <= CAIRN_MMAP_END - bytes ? cur : 0;
}

long __cairn_mmap(uintptr_t addr, size_t len, long prot, long flags, long fd, long off)
{
	unsigned type = (unsigned)flags & MAP_TYPE;
	uint64_t bytes = page_bytes(len), va;
	long r;

	if (!len)
		return -EINVAL;
	if (type != MAP_SHARED && type != MAP_PRIVATE && type != MAP_SHARED_VALIDATE)
		return -EINVAL;
	if ((unsigned long)prot & ~(unsigned long)PROT_ALL)
		return -EINVAL;
	if ((unsigned long)off & (PAGE - 1))
		return -EINVAL;
	if (!bytes)
		return -ENOMEM;
	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		va = addr;
		if (va & (PAGE - 1))
			return -EINVAL;
		if (va < PAGE || va > UINT64_MAX - bytes)
			return -ENOMEM;
		if (flags & MAP_FIXED_NOREPLACE && !(flags & MAP_FIXED)) {
			if (overlaps(va, va + bytes))
				return -EEXIST;
		} else if ((r = unmap_range(va, va + bytes))) {
			return r;
		}
	} else if (!(va = pick(addr, bytes))) {
		return -ENOMEM;
	}
	if (!(flags & MAP_ANONYMOUS))
		r = add_file(va, bytes / PAGE, (unsigned)prot, type != MAP_PRIVATE, fd, (uint64_t)off);
	else
		r = add_anon(va, bytes / PAGE, (unsigned)prot, type != MAP_PRIVATE);
	if (r)
		return r;
	return (long)va;
}

long __cairn_msync(uintptr_t addr, size_t len, long flags)
{
	uint64_t bytes = page_bytes(len);

	if ((addr & (PAGE - 1)) || (flags & ~(long)(MS_ASYNC | MS_SYNC | MS_INVALIDATE)) ||
	    ((flags & MS_ASYNC) && (flags & MS_SYNC)))
		return -EINVAL;
	if (!len)
		return 0;
	if (!bytes || addr > UINT64_MAX - bytes || !covered(addr, addr + bytes))
		return -ENOMEM;
	/* MS_INVALIDATE of locked pages: EBUSY (POSIX, Linux) */
	if (flags & MS_INVALIDATE)
		for (unsigned i = find(addr); i < npieces && pieces[i].va < addr + bytes; i++)
			if (pieces[i].locked)
				return -EBUSY;
	/* a shared file mapping is the file's own pages: on tmpfs that is
	 * all; a disk's server writes them back when asked (the mapping
	 * names no descriptor of the file, so every file system is: sync) */
	if (flags & MS_SYNC)
		for (unsigned i = find(addr); i < npieces && pieces[i].va < addr + bytes; i++)
			if (pieces[i].shared && pieces[i].obj >= 0 && objs[pieces[i].obj].wback)
				return __cairn_sync();
	return 0;
}

long __cairn_munmap(uintptr_t addr, size_t len)
{
	uint64_t bytes = page_bytes(len);

	if ((addr & (PAGE - 1)) || !len || !bytes || addr > UINT64_MAX - bytes)
		return -EINVAL;
	__cairn_threads_unmapping(addr, addr + bytes);
	return unmap_range(addr, addr + bytes);
}

long __cairn_mprotect(uintptr_t addr, size_t len, long prot)
{
	uint64_t bytes = page_bytes(len), end;
	err_t e;

	if ((addr & (PAGE - 1)) || ((unsigned long)prot & ~(unsigned long)PROT_ALL))
		return -EINVAL;
	if (!len)
		return 0;
	if (!bytes || addr > UINT64_MAX - bytes)
		return -ENOMEM;
	end = addr + bytes;
	if (!covered(addr, end))
		return -ENOMEM;
	if (split(addr) || split(end))
		return -ENOMEM;
	for (unsigned i = find(addr); i < npieces && pieces[i].va < end; i++) {
		struct piece *p = &pieces[i];

		if (p->prot == prot)
			continue;
		if (prot == PROT_NONE) {
			e = unmap_piece(p);
		} else if (p->prot == PROT_NONE) {
			/* not mapped in a fork's child: it gets fresh (zero) memory */
			if (foreign(p)) {
				obj_put(p->obj);
				p->obj = -1;
			}
			if (p->obj < 0 && (e = back(i)))
				return mem_errno(e);
			p->prot = (unsigned char)prot;
			if ((e = map_piece(p)))
				p->prot = PROT_NONE;
		} else {
			e = cairn_invoke(SLOT_SELF_AS, AS_PROTECT, 0, p->va, p->pages * PAGE,
					 cairn_prot((unsigned)prot), 0, NULL);
		}
		if (e)
			return mem_errno(e);
		p->prot = (unsigned char)prot;
	}
	merge();
	return 0;
}

/* Zeroes the pages of piece p inside [va, end) (MADV_DONTNEED). */
static err_t zero_pages(const struct piece *p, uint64_t va, uint64_t end)
{
	uint64_t a = va > p->va ? va : p->va, b = end < end_of(p) ? end : end_of(p);
	unsigned rw = CAIRN_PROT_R | CAIRN_PROT_W;
	err_t e;

	if (p->obj < 0 || (p->prot == PROT_NONE && foreign(p)))
		return ERR_OK;   /* no memory: reads as zero once made accessible */
	if (p->prot == PROT_NONE) {
		if ((e = cairn_as_map(SLOT_SELF_AS, objs[p->obj].cap, a, p->first + (a - p->va) / PAGE,
				      (b - a) / PAGE, rw)))
			return e;
		memset((void *)(uintptr_t)a, 0, b - a);
		return cairn_as_unmap(SLOT_SELF_AS, a, b - a);
	}
	if (!(p->prot & PROT_WRITE) &&
	    (e = cairn_invoke(SLOT_SELF_AS, AS_PROTECT, 0, a, b - a, rw, 0, NULL)))
		return e;
	memset((void *)(uintptr_t)a, 0, b - a);
	if (!(p->prot & PROT_WRITE))
		return cairn_invoke(SLOT_SELF_AS, AS_PROTECT, 0, a, b - a, cairn_prot(p->prot), 0, NULL);
	return ERR_OK;
}

long __cairn_madvise(uintptr_t addr, size_t len, long advice)
{
	uint64_t bytes = page_bytes(len), end;
	err_t e;

	if (addr & (PAGE - 1))
		return -EINVAL;
	switch (advice) {
	case MADV_NORMAL: case MADV_RANDOM: case MADV_SEQUENTIAL: case MADV_WILLNEED:
	case MADV_DONTNEED: case MADV_FREE: case MADV_DONTFORK: case MADV_DOFORK:
	case MADV_MERGEABLE: case MADV_UNMERGEABLE: case MADV_HUGEPAGE: case MADV_NOHUGEPAGE:
	case MADV_DONTDUMP: case MADV_DODUMP:
		break;
	default:
		return -EINVAL;
	}
	if (!len)
		return 0;
	if (!bytes || addr > UINT64_MAX - bytes)
		return -EINVAL;
	end = addr + bytes;
	if (!covered(addr, end))
		return -ENOMEM;
	if (advice != MADV_DONTNEED)
		return 0;        /* advice only: nothing to do */
	/* private memory reads as zero afterwards; shared keeps its data */
	for (unsigned i = find(addr); i < npieces && pieces[i].va < end; i++)
		if (!pieces[i].shared && (e = zero_pages(&pieces[i], addr, end)))
			return mem_errno(e);
	return 0;
}

static void reverse(unsigned a, unsigned b)
{
	while (a + 1 < b) {
		struct piece t = pieces[a];
		pieces[a++] = pieces[--b];
		pieces[b] = t;
	}
}

/* Exchanges pieces[a, b) and pieces[b, c). */
static void rotate(unsigned a, unsigned b, unsigned c)
{
	reverse(a, b);
	reverse(b, c);
	reverse(a, c);
}

/* Moves the pieces of [old, old + bytes) to start at new (free). */
static long move_range(uint64_t old, uint64_t bytes, uint64_t new)
{
	unsigned i = find(old), first = i;
	err_t e;

	for (; i < npieces && pieces[i].va < old + bytes; i++) {
		struct piece p = pieces[i];

		p.va = new + (p.va - old);
		if ((e = map_piece(&p))) {
			while (i-- > first) {     /* undo the new mappings made so far */
				p = pieces[i];
				p.va = new + (p.va - old);
				unmap_piece(&p);
			}
			return mem_errno(e);
		}
	}
	for (i = first; i < npieces && pieces[i].va < old + bytes; i++) {
		unmap_piece(&pieces[i]);
		pieces[i].va = new + (pieces[i].va - old);
	}
	/* the moved pieces [first, i) go where their new addresses belong:
	 * after the `to` other pieces below new */
	unsigned to = 0;
	for (unsigned j = 0; j < npieces; j++)
		if ((j < first || j >= i) && pieces[j].va < new)
			to++;
	if (to < first)
		rotate(to, first, i);
	else if (to > first)
		rotate(first, i, to + (i - first));
	return 0;
}

/* mremap's move in a fork's child, of pieces it cannot map again: fresh
 * memory at va (free) with a copy of the bytes, the old range unmapped. */
static long remap_by_copy(uint64_t old, uint64_t ob, uint64_t nb, uint64_t va)
{
	uint64_t keep = nb < ob ? nb : ob;
	unsigned last = find(old + keep - 1), prot = pieces[last].prot, shared = pieces[last].shared;
	long r;

	for (unsigned i = find(old); i < npieces && pieces[i].va < old + keep; i++)
		if (pieces[i].prot == PROT_NONE)
			return -ENOMEM;    /* nothing to copy from */
	if ((r = add_anon(va, nb / PAGE, PROT_READ | PROT_WRITE, shared)))
		return r;
	memcpy((void *)(uintptr_t)va, (const void *)(uintptr_t)old, keep);
	if (prot != (PROT_READ | PROT_WRITE) && (r = __cairn_mprotect(va, nb, prot)))
		return r;
	if ((r = unmap_range(old, old + ob)))
		return r;
	merge();
	return (long)va;
}

long __cairn_mremap(uintptr_t old, size_t old_len, size_t new_len, long flags, uintptr_t new_addr)
{
	uint64_t ob = page_bytes(old_len), nb = page_bytes(new_len), va;
	long r;

	if ((old & (PAGE - 1)) || (flags & ~(long)(MREMAP_MAYMOVE | MREMAP_FIXED)))
		return -EINVAL;
	if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE))
		return -EINVAL;
	if (!new_len || !nb || !ob || old > UINT64_MAX - ob)
		return -EINVAL;   /* old_len 0 asks to duplicate a shared mapping: not here */
	if (!covered(old, old + ob))
		return -EFAULT;
	if (flags & MREMAP_FIXED) {
		if ((new_addr & (PAGE - 1)) || new_addr > UINT64_MAX - nb ||
		    (new_addr < old + ob && old < new_addr + nb))
			return -EINVAL;
		if ((r = unmap_range(new_addr, new_addr + nb)))
			return r;
		va = new_addr;
	} else if (nb <= ob) {
		if (nb < ob && (r = unmap_range(old + nb, old + ob)))
			return r;
		return (long)old;
	} else {
		/* grow in place when the pages after it are free */
		unsigned i = find(old + ob - 1);
		const struct piece *last = &pieces[i];
		if (!overlaps(old + ob, old + nb) && old + nb <= UINT64_MAX - PAGE &&
		    !add_anon(old + ob, (nb - ob) / PAGE, last->prot, last->shared))
			return (long)old;
		if (!(flags & MREMAP_MAYMOVE))
			return -ENOMEM;
		if (!(va = pick(0, nb)))
			return -ENOMEM;
	}
	/* move: the same objects at the new place, then the rest fresh */
	if (split(old) || split(old + ob))
		return -ENOMEM;
	for (unsigned i = find(old); i < npieces && pieces[i].va < old + ob; i++)
		if (foreign(&pieces[i]))
			return remap_by_copy(old, ob, nb, va);
	uint64_t keep = nb < ob ? nb : ob;
	if (keep < ob && (r = unmap_range(old + keep, old + ob)))
		return r;
	unsigned last = find(old + keep - 1);
	unsigned prot = pieces[last].prot, shared = pieces[last].shared;
	if ((r = move_range(old, keep, va)))
		return r;
	if (nb > keep && (r = add_anon(va + keep, (nb - keep) / PAGE, prot, shared)))
		return r;
	merge();
	return (long)va;
}

long __cairn_brk(uintptr_t want)
{
	uint64_t limit = CAIRN_HEAP_BASE + CAIRN_HEAP_MAX, end;

	if (want < CAIRN_HEAP_BASE || want > limit)
		return (long)brk_cur;
	end = (want + PAGE - 1) & ~(PAGE - 1);
	if (end > brk_mapped) {
		uint64_t grow = end - brk_mapped;

		if (grow < BRK_GROW * PAGE)
			grow = BRK_GROW * PAGE;
		if (grow > limit - brk_mapped)
			grow = limit - brk_mapped;
		if (overlaps(brk_mapped, brk_mapped + grow) ||
		    add_anon(brk_mapped, grow / PAGE, PROT_READ | PROT_WRITE, 0)) {
			grow = end - brk_mapped;   /* just what is needed */
			if (overlaps(brk_mapped, end) ||
			    add_anon(brk_mapped, grow / PAGE, PROT_READ | PROT_WRITE, 0))
				return (long)brk_cur;
		}
		brk_mapped += grow;
		merge();
	} else if (end < brk_mapped && want < brk_cur) {
		if (unmap_range(end, brk_mapped))
			return (long)brk_cur;
		brk_mapped = end;
	}
	brk_cur = want;
	return (long)brk_cur;
}

/*
 * mlock, munlock, mlockall, munlockall: a page of a MemoryObject is
 * allocated at its first touch and never paged out (no swap; a file's
 * pages are its server's to write back, never evicted under a mapping),
 * so a locked range only has to be present: mlock touches each readable
 * page of it. ENOMEM: a range not all mapped, as Linux. RLIMIT_MEMLOCK
 * is not counted. The pieces keep whether they are locked, for msync's
 * EBUSY (MS_INVALIDATE of locked pages); a fork's child has no locks.
 */

/* Marks the pieces of [va, end) locked or not. */
static long mark_locked(uint64_t va, uint64_t end, int locked)
{
	if (split(va) || split(end))
		return -EAGAIN;
	for (unsigned i = find(va); i < npieces && pieces[i].va < end; i++)
		pieces[i].locked = (unsigned char)locked;
	merge();
	return 0;
}

static long lock_range(uintptr_t addr, size_t len, int touch)
{
	uint64_t va = addr & ~(uint64_t)(PAGE - 1), end;

	if (__builtin_add_overflow((uint64_t)addr, (uint64_t)len, &end) || end > UINT64_MAX - PAGE)
		return -EINVAL;
	end = (end + PAGE - 1) & ~(uint64_t)(PAGE - 1);
	if (va >= end)
		return 0;
	if (va < 0x400000 || end > CAIRN_STACK_TOP)
		return -ENOMEM;
	if (va < CAIRN_MMAP_END && end > CAIRN_MMAP_BASE &&
	    (va < CAIRN_MMAP_BASE || end > CAIRN_MMAP_END || !covered(va, end)))
		return -ENOMEM;
	if (va < CAIRN_HEAP_BASE + CAIRN_HEAP_MAX && end > CAIRN_HEAP_BASE &&
	    (va < CAIRN_HEAP_BASE || end > brk_mapped))
		return -ENOMEM;
	if (!touch)
		return mark_locked(va, end, 0);
	for (uint64_t p = va; p < end; p += PAGE) {
		if (p >= CAIRN_MMAP_BASE && p < CAIRN_MMAP_END) {
			unsigned i = find(p);
			if (i < npieces && !(pieces[i].prot & PROT_READ))
				continue;        /* PROT_NONE: present when it may be touched */
		}
		(void)*(volatile const char *)p;
	}
	return mark_locked(va, end, 1);
}

long __cairn_mlock(uintptr_t addr, size_t len)
{
	return lock_range(addr, len, 1);
}

long __cairn_munlock(uintptr_t addr, size_t len)
{
	return lock_range(addr, len, 0);
}

long __cairn_mlockall(long flags)
{
	if (!flags || (flags & ~(long)(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) ||
	    flags == MCL_ONFAULT)
		return -EINVAL;
	lock_future = (flags & MCL_FUTURE) != 0;
	if (flags & MCL_CURRENT) {
		for (unsigned i = 0; i < npieces; i++)
			pieces[i].locked = 1;
		merge();
	}
	return 0;
}

long __cairn_munlockall(void)
{
	lock_future = 0;
	for (unsigned i = 0; i < npieces; i++)
		pieces[i].locked = 0;
	merge();
	return 0;
}
