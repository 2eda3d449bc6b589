/* SPDX-License-Identifier: MIT */
/* MemoryObjects, address spaces, user page faults, user copies. */
#ifndef KERNEL_MEMORY_H
#define KERNEL_MEMORY_H
#include <kernel/object.h>
#include <kernel/mm.h>

#define MO_CONTIG     MEMOBJ_CONTIG   /* one physically contiguous block */
#define MO_BORROWED   0x100u          /* pages not ours (boot image): never freed */
#define MO_DEVICE     0x200u          /* an MmioRegion: device memory */
#define MO_PINNED     0x400u          /* the kernel writes its pages (IPC buffer): never shared */
#define MO_PAGED      0x800u          /* pages come from a pager (kernel/pager.c) */
#define MO_COW        0x1000u         /* a copy of a paged object (cow_src) */
#define MO_SLOTS      0x2000u         /* a copy of a paged object: a page charged for
                                        * each page it holds, shared or its own */
#define MO_PAGEQ      0x4000u         /* a copy of another: each page it allocates is
                                        * charged on its own (struct page.quota) */
#define MO_CHARGED    0x80000000u     /* npages * PAGE_SIZE charged up front */
#define MEMOBJ_MAX_PAGES (MEMOBJ_MAX / PAGE_SIZE)   /* 1 GiB */

struct pager;

/* 128 bytes: keep it within the heap's 128-byte class. */
struct memobj {
	struct kobj obj;
	uint32_t flags;
	unsigned order;               /* MO_CONTIG: allocation order */
	size_t npages;
	paddr_t *pages;               /* npages entries; shared pages have refs > 1 */
	paddr_t base;                 /* MO_CONTIG / MO_DEVICE: first page */
	struct list mappings;
	union {                       /* read through memobj_pager(), memobj_cow_src() */
		struct pager *pager;  /* MO_PAGED: requests, waiters, page states */
		struct memobj *cow_src; /* MO_COW: the paged object it is a copy of
		                         * (a reference); absent pages come from it */
	};
};

static inline struct pager *memobj_pager(const struct memobj *mo)
{
	return (mo->flags & MO_PAGED) ? mo->pager : NULL;
}

static inline struct memobj *memobj_cow_src(const struct memobj *mo)
{
	return (mo->flags & MO_COW) ? mo->cow_src : NULL;
}

struct mapping {
	struct list as_node, mo_node;
	struct aspace *as;
	struct memobj *mo;            /* holds a reference */
	vaddr_t va;
	size_t first, npages;
	unsigned prot;                /* PROT_* (PROT_USER included) */
	unsigned maxprot;
	bool share;                   /* aspace_copy() shares it rather than copying */
};

struct aspace {
	struct kobj obj;
	paddr_t root;
	struct list mappings;         /* sorted by address */
	struct mapping *hint;         /* where a search starts (memory.c) */
	size_t tables;                /* table pages charged */
	unsigned tag;                 /* its TLB tag (kernel/astag.c) */
	uint64_t token;               /* loads root under tag (arch_as_token()) */
	uint64_t stale;               /* bit c: CPU c flushes the tag before it loads it */
};

struct memobj *memobj_create(size_t npages, unsigned flags, struct quota *q, err_t *err);
struct memobj *memobj_device(paddr_t base, size_t npages, struct quota *q, err_t *err);
/* A memobj over existing pages [base, base+npages) never freed (boot image). */
struct memobj *memobj_borrow(paddr_t base, size_t npages);
struct memobj *memobj_copy(struct memobj *src, struct quota *q, err_t *err);
/* memobj_copy() in two steps: the copy, charged to q, without pages yet
 * (or, for an object that cannot share its pages, whole on new pages);
 * NULL with *err (ERR_INVAL: device memory; ERR_NOMEM). Then the sharing
 * of src's pages with it, which cannot fail. src must not change between. */
struct memobj *memobj_copy_prepare(struct memobj *src, struct quota *q, err_t *err);
void memobj_copy_commit(struct memobj *src, struct memobj *mo);
void memobj_destroy(struct memobj *mo);
/* The kernel will write page i directly: unshare it and keep it private. */
err_t memobj_pin(struct memobj *mo, size_t i);
/* Page i, allocated zeroed on first use (and mapped wherever the object
 * is); PADDR_INVALID when memory is out. */
paddr_t memobj_page(struct memobj *mo, size_t i);
/* Kernel pointer to byte `off` (the rest of that page is contiguous);
 * allocates the page if needed; NULL when memory is out. */
void *memobj_kaddr(struct memobj *mo, uint64_t off);
/* Bytes [off, off + len) lie within mo: ERR_RANGE when not, ERR_INVAL for
 * device memory (never read or written by the kernel). */
err_t memobj_range_ok(const struct memobj *mo, uint64_t off, size_t len);
/* Reads bytes (zeros where never touched); fails only as memobj_range_ok(). */
err_t memobj_read(struct memobj *mo, uint64_t off, void *buf, size_t len);
err_t memobj_write(struct memobj *mo, uint64_t off, const void *buf, size_t len);
/* The pages memobj_write() of [off, off + len) (within mo) will allocate:
 * those never touched and those shared with a copy. */
size_t memobj_write_needs(const struct memobj *mo, uint64_t off, size_t len);
/* Sets aside n pages that the next first touches and unshares take
 * (zeroed as they are taken, when asked) before asking the page
 * allocator (ERR_NOMEM: none kept), so that a
 * write with memobj_write_needs() pages set aside cannot fail;
 * memobj_release() frees what is left. Nothing else may run between. */
err_t memobj_reserve(size_t n);
void memobj_release(void);

/*
 * What a change to an address space needs that could run out, set aside
 * by its _prepare() step (charged to the space's quota) so that the
 * _commit() step cannot fail: the mapping records of new mappings and
 * splits, and page-table pages (pt_reserve()). A _prepare() that fails
 * has set nothing aside; _commit() uses what it needs and gives back the
 * rest (aspace_release()). Nothing else may run between the two steps.
 */
struct as_reserve {
	struct mapping *rec[2];       /* charged, not yet on any list */
	size_t tables;                /* table pages charged and set aside */
};

struct aspace *aspace_create(struct quota *q);
void aspace_destroy(struct aspace *as);
/* Maps pages [first, first+npages) of mo at va. maxprot bounds what
 * aspace_protect() may grant later (the rights of the capability used). */
err_t aspace_map(struct aspace *as, struct memobj *mo, vaddr_t va, size_t first, size_t npages,
		 unsigned prot, unsigned maxprot);
/* aspace_map() in two steps: every check (ERR_RANGE, ERR_INVAL, ERR_EXIST)
 * and the reservation (ERR_NOMEM); then the mapping, which it returns. */
err_t aspace_map_prepare(struct aspace *as, struct memobj *mo, vaddr_t va, size_t first,
			 size_t npages, unsigned prot, struct as_reserve *r);
struct mapping *aspace_map_commit(struct aspace *as, struct memobj *mo, vaddr_t va, size_t first,
				  size_t npages, unsigned prot, unsigned maxprot, struct as_reserve *r);
err_t aspace_unmap(struct aspace *as, vaddr_t va, size_t bytes);
err_t aspace_unmap_prepare(struct aspace *as, vaddr_t va, size_t bytes, struct as_reserve *r);
void aspace_unmap_commit(struct aspace *as, vaddr_t va, size_t bytes, struct as_reserve *r);
/* Gives back what r still holds (cannot fail). */
void aspace_release(struct aspace *as, struct as_reserve *r);
/* Maps into `as` what `src` maps (copy-on-write copies charged to as's
 * quota, or the same objects for shared mappings); *count = mappings made.
 * On an error what was made stays (the caller discards the space). */
err_t aspace_copy(struct aspace *as, struct aspace *src, size_t *count);
err_t aspace_protect(struct aspace *as, vaddr_t va, size_t bytes, unsigned prot);
/* aspace_protect() in two steps: the checks (ERR_INVAL, ERR_PERM) and the
 * reservation (ERR_NOMEM); then the change. */
err_t aspace_protect_prepare(struct aspace *as, vaddr_t va, size_t bytes, unsigned prot,
			     struct as_reserve *r);
void aspace_protect_commit(struct aspace *as, vaddr_t va, size_t bytes, unsigned prot,
			   struct as_reserve *r);
/* What aspace_fault() made of a fault. */
enum fault_result {
	FAULT_FIXED,     /* resolved (or waited for a pager): retry the access */
	FAULT_REAL,      /* nothing mapped there: the process's fault */
	FAULT_ACCESS,    /* a mapping whose protection forbids it: the process's fault */
	FAULT_PAGER,     /* a paged page that cannot come (CAIRN_FAULT_PAGER) */
};
/* Resolves a user fault: a first touch, copy-on-write, a paged page.
 * With may_wait (a user-mode fault of current, never the kernel's own user
 * copies) a paged page that is absent blocks current until the pager
 * supplies or fails it; without, it is FAULT_REAL. */
enum fault_result aspace_fault(struct aspace *as, vaddr_t va, unsigned kind, bool may_wait);
/* Re-maps page i of mo in every mapping of it (after its page changed). */
void memobj_update_page(struct memobj *mo, size_t i);
/* Write-protects page i in every writable mapping of mo (cannot fail). */
void memobj_protect_page(struct memobj *mo, size_t i);
/* Drops page i (present) from mo: unmapped everywhere, its reference given
 * back; the caller uncharges it. */
void memobj_drop_page(struct memobj *mo, size_t i);
/* Takes a page set aside by memobj_reserve() (or a new one; zeroed if
 * asked): PADDR_INVALID when memory is out. */
paddr_t memobj_page_take(bool zeroed);
/* May mo's pages be shared with another object (not contiguous,
 * borrowed, pinned or device memory)? */
bool memobj_shareable(const struct memobj *mo);
/* A paged object, or a copy of one: pages [off, off + len) must be present
 * for the kernel to read or write them without the pager (a copy takes
 * what its source has, shared): ERR_AGAIN when one is absent, ERR_RANGE
 * past a paged object's size, ERR_NOMEM when a copy's quota is out.
 * ERR_OK for every other object. */
err_t memobj_present_ok(struct memobj *mo, uint64_t off, size_t len);
/* A copy's pages in [off, off + len) never touched, or shared (MO_PAGEQ):
 * allocated, its own, and charged now, so a write there needs no quota;
 * ERR_NOMEM: its quota or memory is out (pages made before stay). Other
 * objects: nothing. */
err_t memobj_fill(struct memobj *mo, uint64_t off, size_t len);

/* Copy-in/copy-out for the current address space. */
err_t copy_from_user(void *dst, uintptr_t usrc, size_t n);
err_t copy_to_user(uintptr_t udst, const void *src, size_t n);

#endif
