/* SPDX-License-Identifier: MIT */
/*
 * Physical pages (buddy allocator), the kernel heap, and the portable
 * page-table walker.
 */
#ifndef KERNEL_MM_H
#define KERNEL_MM_H
#include <kernel/types.h>
#include <kernel/boot.h>

#include <kernel/prot.h>   /* PROT_*, encoded into entries by arch_pte_leaf() */

extern vaddr_t physmap_base;

static inline void *phys_to_virt(paddr_t pa) { return (void *)(physmap_base + (vaddr_t)pa); }
static inline paddr_t virt_to_phys(const void *va) { return (paddr_t)((vaddr_t)va - physmap_base); }

/* ---- page allocator -------------------------------------------------------- */

#define PMM_MAX_ORDER 10   /* largest block: 2^10 pages = 4 MiB */

struct page {
	union {
		struct { struct page *next, *prev; };   /* free list or slab partial list */
	};
	void *freelist;          /* slab: first free object */
	uint16_t inuse;          /* slab: objects handed out; page table: nonzero entries */
	uint8_t order;           /* block order (head page of a block) */
	uint8_t flags;
	uint8_t slab_class;
	uint32_t refs;           /* user pages: memory objects sharing it (copy-on-write) */
	struct quota *quota;     /* user pages: charged a page on their own (a reference),
	                          * or NULL: their holders' charges cover them (memory.c) */
};

#define PAGE_FREE      0x01  /* head of a free block */
#define PAGE_RESERVED  0x02  /* never allocatable */
#define PAGE_SLAB      0x04
#define PAGE_HEAD      0x08  /* head of an allocated block */

/*
 * Builds the allocator over bi->mem minus bi->reserved. Its page array is
 * taken from the memory itself. Returns ERR_NOMEM if no memory is usable.
 */
err_t pmm_init(const struct boot_info *bi);

/* 2^order contiguous, naturally aligned pages; PADDR_INVALID when none. */
paddr_t pmm_alloc(unsigned order);
/* Same, zero-filled. */
paddr_t pmm_alloc_zeroed(unsigned order);
/* Frees a block from pmm_alloc with the same order. */
void pmm_free(paddr_t pa, unsigned order);

/*
 * A stack of pages set aside for an operation that must not fail midway
 * (page-table and MemoryObject reservations), linked through their first
 * word; *stack is PADDR_INVALID when empty.
 * page_stack_fill() adds n new pages, not zeroed (most go back unused:
 * the taker zeroes what it needs; ERR_NOMEM: the stack is given back
 * whole); page_stack_push() adds a page; page_stack_pop() takes one, its
 * first word (the link) zeroed, the rest as it was pushed (PADDR_INVALID:
 * empty); page_stack_free() gives them all back to the allocator.
 */
err_t page_stack_fill(paddr_t *stack, size_t n);
void page_stack_push(paddr_t *stack, paddr_t pa);
paddr_t page_stack_pop(paddr_t *stack);
void page_stack_free(paddr_t *stack);

/* The descriptor of a managed page, or NULL. The first zone (the one
 * zone_of() tries first; often the only one) is looked up inline. */
struct pmm_zone0 {
	paddr_t base;
	size_t bytes;
	struct page *pages;
};
extern struct pmm_zone0 pmm_zone0;
struct page *pmm_page_slow(paddr_t pa);

static inline struct page *pmm_page(paddr_t pa)
{
	if (pa - pmm_zone0.base < pmm_zone0.bytes)
		return &pmm_zone0.pages[(pa - pmm_zone0.base) / PAGE_SIZE];
	return pmm_page_slow(pa);
}
/* Whether pa lies in a free block (for tests of reservations). */
bool pmm_is_free(paddr_t pa);

size_t pmm_free_pages(void);
size_t pmm_total_pages(void);
/* Releases the allocator's state (host tests only). */
void pmm_reset(void);

/* ---- kernel heap ----------------------------------------------------------- */

/* Small objects come from per-size slabs, large ones straight from pages.
 * Returns NULL when memory runs out. Objects are 16-byte aligned. */
void *kmalloc(size_t size);
void *kzalloc(size_t size);
void kfree(void *p);

/* ---- page tables ----------------------------------------------------------- */

/* A fresh, empty top-level table; PADDR_INVALID on ENOMEM. */
paddr_t pt_create(void);

/*
 * Maps [va, va+size) to [pa, pa+size) with `prot`, using the largest leaves
 * that alignment allows. All three must be page aligned. Fails with
 * ERR_EXIST if any page is already mapped (nothing is changed then),
 * ERR_NOMEM if a table cannot be allocated (what was mapped stays mapped),
 * ERR_INVAL for misalignment, a zero size, or a prot without any of
 * PROT_R, PROT_W, PROT_X (there are no "no access" mappings: unmap).
 */
err_t pt_map(paddr_t root, vaddr_t va, paddr_t pa, size_t size, unsigned prot);

/* Maps the 4 KiB page at va to pa with `prot`, replacing the 4 KiB leaf
 * there if any (its TLB entry flushed): pt_unmap() then pt_map() of the
 * page without freeing and re-making its tables. ERR_INVAL as pt_map()
 * and when a large leaf covers va, ERR_NOMEM when a table cannot be
 * allocated (then nothing was mapped there before). */
err_t pt_remap(paddr_t root, vaddr_t va, paddr_t pa, unsigned prot);

/* Removes mappings in [va, va+size); a large leaf partly inside is an
 * ERR_INVAL (checked before anything changes). Unmapped pages are skipped. */
err_t pt_unmap(paddr_t root, vaddr_t va, size_t size);

/* Changes the protection of mapped pages in range (same rules as unmap;
 * prot as for pt_map). */
err_t pt_protect(paddr_t root, vaddr_t va, size_t size, unsigned prot);

/* Translates va: true and *pa, *prot (may be NULL) when mapped. */
bool pt_lookup(paddr_t root, vaddr_t va, paddr_t *pa, unsigned *prot);

/* Frees every table page below root and root itself (not the mapped
 * pages). */
void pt_destroy(paddr_t root);

/* A user address space: a fresh root whose upper half shares the kernel's
 * tables; pt_destroy_user() frees only the lower half and the root. */
paddr_t pt_create_user(void);
void pt_destroy_user(paddr_t root);

/* Table pages currently allocated by the walker (for quota charging). */
extern size_t pt_tables_live;
/* Valid entries changed or removed so far (each flushed from this CPU's
 * TLB): a caller that sees it move makes other CPUs flush too. */
extern unsigned long pt_tlb_flushes;

/*
 * Table pages set aside for an operation that must not fail midway:
 * pt_reserve() allocates n pages (ERR_NOMEM: none kept) that
 * pt_create() takes (and zeroes) before asking the page allocator, and until
 * pt_release() a table freed goes back among them; pt_release() frees
 * what is left. One reservation at a time (single CPU, no preemption in
 * the kernel); pt_reserve(0) only opens it.
 */
err_t pt_reserve(size_t n);
void pt_release(void);

/* Deepest tree the walker handles (levels), for pt_count_missing(). */
#define PT_LEVELS_MAX 6

/* Adds to *n the tables that mapping the 4 KiB page at va in root's tree
 * would allocate, each counted once across calls: seen[] (zeroed by the
 * caller) remembers the missing tables counted so far. */
void pt_count_missing(paddr_t root, vaddr_t va, vaddr_t seen[PT_LEVELS_MAX], size_t *n);

/* Number of table pages reachable from root (tests). */
size_t pt_count_tables(paddr_t root);

/* The kernel's own table, built by vm_init(). */
extern paddr_t kernel_root;

/* Builds the kernel page table: the image W^X, the direct map of RAM. */
err_t vm_init(const struct boot_info *bi);

/* Whether [pa, pa+size) overlaps device registers the kernel maps for itself. */
bool vm_is_kernel_device(paddr_t pa, uint64_t size);

/* The kernel no longer drives the device at pa (its mapping stays, for
 * polled console output): MMIOCTL_GET may hand it out. */
void vm_release_device(paddr_t pa);

/* Maps device registers [pa, pa+size) and returns their kernel address. */
void *vm_map_device(paddr_t pa, size_t size);

#endif
