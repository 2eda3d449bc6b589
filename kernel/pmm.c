// SPDX-License-Identifier: MIT
/*
 * Physical page allocator: a binary buddy allocator.
 *
 * Each RAM range becomes a zone whose base is rounded down to the largest
 * block size, so blocks are naturally aligned in physical memory (huge-page
 * mappings and DMA want that). Pages below the real start of RAM, reserved
 * ranges and the page array itself are marked PAGE_RESERVED and never
 * enter a free list. A block is described by its first page: PAGE_FREE and
 * its order while free, PAGE_HEAD and its order while allocated.
 */
#include <kernel/mm.h>
#include <kernel/log.h>
#include <kernel/spinlock.h>
#include <string.h>

#define BLOCK_PAGES(o) (1ul << (o))
#define ZONE_ALIGN     (PAGE_SIZE << PMM_MAX_ORDER)

struct zone {
	paddr_t base;          /* ZONE_ALIGN aligned */
	size_t npages;
	struct page *pages;
};

static struct zone zones[BOOT_MAX_MEM];
static unsigned nzones;
static struct page *free_lists[PMM_MAX_ORDER + 1];
static size_t nfree, ntotal;
static struct spinlock lock = SPINLOCK_INIT(LOCK_PMM);

static struct zone *zone_of(paddr_t pa)
{
	for (unsigned i = 0; i < nzones; i++)
		if (pa >= zones[i].base && pa < zones[i].base + zones[i].npages * PAGE_SIZE)
			return &zones[i];
	return NULL;
}

static void list_push(unsigned order, struct page *p)
{
	p->prev = NULL;
	p->next = free_lists[order];
	if (p->next)
		p->next->prev = p;
	free_lists[order] = p;
}

static void list_remove(unsigned order, struct page *p)
{
	if (p->prev)
		p->prev->next = p->next;
	else
		free_lists[order] = p->next;
	if (p->next)
		p->next->prev = p->prev;
	p->next = p->prev = NULL;
}

/* Frees block idx of order in z, merging with free buddies. */
static void free_block(struct zone *z, size_t idx, unsigned order)
{
	nfree += BLOCK_PAGES(order);
	while (order < PMM_MAX_ORDER) {
		size_t buddy = idx ^ BLOCK_PAGES(order);
		struct page *b = &z->pages[buddy];
		if (buddy >= z->npages || !(b->flags & PAGE_FREE) || b->order != order)
			break;
		list_remove(order, b);
		b->flags = 0;
		idx &= ~BLOCK_PAGES(order);
		order++;
	}
	z->pages[idx].flags = PAGE_FREE;
	z->pages[idx].order = order;
	list_push(order, &z->pages[idx]);
}

/* ---- initialisation ------------------------------------------------------- */

struct span {
	paddr_t s, e;
};

#define MAX_EXCL (BOOT_MAX_RESERVED + BOOT_MAX_MEM)

static bool overlaps(const struct span *x, unsigned n, paddr_t s, paddr_t e, paddr_t *skip_to)
{
	for (unsigned i = 0; i < n; i++) {
		if (s < x[i].e && x[i].s < e) {
			*skip_to = x[i].e;
			return true;
		}
	}
	return false;
}

/* Finds `size` bytes of RAM, page aligned, away from every excluded span. */
static paddr_t boot_alloc(const struct boot_info *bi, struct span *excl, unsigned *nexcl, size_t size)
{
	for (unsigned i = 0; i < bi->n_mem; i++) {
		paddr_t s = ALIGN_UP(bi->mem[i].base, PAGE_SIZE);
		paddr_t end = bi->mem[i].base + bi->mem[i].size;
		paddr_t skip;

		while (s + size <= end) {
			if (!overlaps(excl, *nexcl, s, s + size, &skip)) {
				excl[(*nexcl)++] = (struct span){ s, s + size };
				return s;
			}
			s = ALIGN_UP(skip, PAGE_SIZE);
		}
	}
	return PADDR_INVALID;
}

/* Frees [s, e) of zone z in the largest aligned blocks that fit. */
static void free_run(struct zone *z, paddr_t s, paddr_t e)
{
	size_t idx = (s - z->base) / PAGE_SIZE, end = (e - z->base) / PAGE_SIZE;

	while (idx < end) {
		unsigned order = PMM_MAX_ORDER;
		while (order && ((idx & (BLOCK_PAGES(order) - 1)) || idx + BLOCK_PAGES(order) > end))
			order--;
		free_block(z, idx, order);
		idx += BLOCK_PAGES(order);
	}
}

/*
 * Frees the pages of RAM range [s, e) that are not excluded, each in the
 * zone that zone_of() finds for it: zones overlap when ranges share a
 * ZONE_ALIGN block (or come unsorted), and a page must be managed by
 * exactly one of them.
 */
static void release_range(const struct span *excl, unsigned nexcl, paddr_t s, paddr_t e)
{
	while (s < e) {
		struct zone *z = zone_of(s);
		paddr_t skip, next = e;

		/* the span ends where a zone that zone_of() prefers begins */
		for (struct zone *x = zones; x < (z ? z : zones + nzones); x++)
			if (x->base > s && x->base < next)
				next = x->base;
		if (!z) {   /* its page array did not fit: not managed */
			s = next;
			continue;
		}
		next = MIN(next, z->base + z->npages * PAGE_SIZE);
		if (overlaps(excl, nexcl, s, s + PAGE_SIZE, &skip)) {
			skip = MIN(ALIGN_UP(skip, PAGE_SIZE), next);
			ntotal += (skip - s) / PAGE_SIZE;
			s = skip;
			continue;
		}
		/* extend the run up to the next exclusion */
		for (unsigned x = 0; x < nexcl; x++)
			if (excl[x].s > s && excl[x].s < next)
				next = ALIGN_DOWN(excl[x].s, PAGE_SIZE);
		for (size_t p = (s - z->base) / PAGE_SIZE; p < (next - z->base) / PAGE_SIZE; p++)
			z->pages[p].flags = 0;
		free_run(z, s, next);
		ntotal += (next - s) / PAGE_SIZE;
		s = next;
	}
}

err_t pmm_init(const struct boot_info *bi)
{
	struct span excl[MAX_EXCL];
	unsigned nexcl = 0;

	for (unsigned i = 0; i < bi->n_reserved && nexcl < MAX_EXCL - BOOT_MAX_MEM; i++)
		excl[nexcl++] = (struct span){ ALIGN_DOWN(bi->reserved[i].base, PAGE_SIZE),
					       ALIGN_UP(bi->reserved[i].base + bi->reserved[i].size, PAGE_SIZE) };

	for (unsigned i = 0; i < bi->n_mem && nzones < BOOT_MAX_MEM; i++) {
		paddr_t end = ALIGN_DOWN(bi->mem[i].base + bi->mem[i].size, PAGE_SIZE);
		struct zone *z = &zones[nzones];

		z->base = ALIGN_DOWN(bi->mem[i].base, ZONE_ALIGN);
		if (end <= z->base)
			continue;
		z->npages = (end - z->base) / PAGE_SIZE;
		size_t bytes = ALIGN_UP(z->npages * sizeof(struct page), PAGE_SIZE);
		paddr_t arr = boot_alloc(bi, excl, &nexcl, bytes);
		if (arr == PADDR_INVALID) {
			pr_warn("pmm: no room for the page array of %#lx..%#lx; range skipped\n",
				(unsigned long)bi->mem[i].base, (unsigned long)end);
			continue;
		}
		z->pages = phys_to_virt(arr);
		memset(z->pages, 0, z->npages * sizeof(struct page));
		for (size_t p = 0; p < z->npages; p++)
			z->pages[p].flags = PAGE_RESERVED;
		if (nzones++ == 0)
			pmm_zone0 = (struct pmm_zone0){ z->base, z->npages * PAGE_SIZE, z->pages };
	}
	/* Free what is left of each range, span by span. */
	for (unsigned i = 0; i < bi->n_mem; i++)
		release_range(excl, nexcl, ALIGN_UP(bi->mem[i].base, PAGE_SIZE),
			      ALIGN_DOWN(bi->mem[i].base + bi->mem[i].size, PAGE_SIZE));
	return nfree ? ERR_OK : ERR_NOMEM;
}

void pmm_reset(void)
{
	memset(zones, 0, sizeof(zones));
	memset(free_lists, 0, sizeof(free_lists));
	nzones = 0;
	nfree = ntotal = 0;
	pmm_zone0 = (struct pmm_zone0){ 0, 0, NULL };
}

/* ---- allocation ----------------------------------------------------------- */

paddr_t pmm_alloc(unsigned order)
{
	unsigned o;
	paddr_t pa = PADDR_INVALID;

	if (order > PMM_MAX_ORDER)
		return PADDR_INVALID;
	unsigned long f = spin_lock_irqsave(&lock);
	for (o = order; o <= PMM_MAX_ORDER && !free_lists[o]; o++)
		;
	if (o <= PMM_MAX_ORDER) {
		struct page *p = free_lists[o];
		struct zone *z = NULL;
		list_remove(o, p);
		for (unsigned i = 0; i < nzones; i++)
			if (p >= zones[i].pages && p < zones[i].pages + zones[i].npages)
				z = &zones[i];
		size_t idx = p - z->pages;
		while (o > order) {   /* split, returning upper halves */
			o--;
			struct page *b = &z->pages[idx + BLOCK_PAGES(o)];
			b->flags = PAGE_FREE;
			b->order = o;
			list_push(o, b);
		}
		p->flags = PAGE_HEAD;
		p->order = order;
		nfree -= BLOCK_PAGES(order);
		pa = z->base + idx * PAGE_SIZE;
	}
	spin_unlock_irqrestore(&lock, f);
	return pa;
}

paddr_t pmm_alloc_zeroed(unsigned order)
{
	paddr_t pa = pmm_alloc(order);

	if (pa != PADDR_INVALID)
		memset(phys_to_virt(pa), 0, PAGE_SIZE << order);
	return pa;
}

void pmm_free(paddr_t pa, unsigned order)
{
	struct zone *z = zone_of(pa);
	size_t idx;

	BUG_ON(!z || (pa & PAGE_MASK));
	idx = (pa - z->base) / PAGE_SIZE;
	BUG_ON(!(z->pages[idx].flags & PAGE_HEAD) || z->pages[idx].order != order);
	unsigned long f = spin_lock_irqsave(&lock);
	z->pages[idx].flags = 0;
	free_block(z, idx, order);
	spin_unlock_irqrestore(&lock, f);
}

void page_stack_push(paddr_t *stack, paddr_t pa)
{
	*(paddr_t *)phys_to_virt(pa) = *stack;
	*stack = pa;
}

paddr_t page_stack_pop(paddr_t *stack)
{
	paddr_t pa = *stack;
	paddr_t *w;

	if (pa == PADDR_INVALID)
		return pa;
	w = phys_to_virt(pa);
	*stack = *w;
	*w = 0;
	return pa;
}

err_t page_stack_fill(paddr_t *stack, size_t n)
{
	while (n--) {
		paddr_t pa = pmm_alloc(0);
		if (pa == PADDR_INVALID) {
			page_stack_free(stack);
			return ERR_NOMEM;
		}
		page_stack_push(stack, pa);
	}
	return ERR_OK;
}

void page_stack_free(paddr_t *stack)
{
	while (*stack != PADDR_INVALID)
		pmm_free(page_stack_pop(stack), 0);
}

struct pmm_zone0 pmm_zone0;

struct page *pmm_page_slow(paddr_t pa)
{
	struct zone *z = zone_of(pa);

	return z ? &z->pages[(pa - z->base) / PAGE_SIZE] : NULL;
}

bool pmm_is_free(paddr_t pa)
{
	struct zone *z = zone_of(pa);
	bool found = false;

	if (!z)
		return false;
	size_t idx = (pa - z->base) / PAGE_SIZE;
	unsigned long f = spin_lock_irqsave(&lock);
	for (unsigned o = 0; o <= PMM_MAX_ORDER; o++) {
		size_t head = idx & ~(BLOCK_PAGES(o) - 1);
		struct page *p = &z->pages[head];
		if ((p->flags & PAGE_FREE) && p->order >= o) {
			found = true;
			break;
		}
	}
	spin_unlock_irqrestore(&lock, f);
	return found;
}

size_t pmm_free_pages(void)
{
	return nfree;
}

size_t pmm_total_pages(void)
{
	return ntotal;
}
