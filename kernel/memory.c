// SPDX-License-Identifier: MIT
/*
 * MemoryObjects and address spaces.
 *
 * A MemoryObject is an array of physical pages, allocated zeroed on first
 * touch (memobj_page()) and charged in full when the object is created,
 * so a fault on it never fails on the quota. A copy-on-write copy (fork,
 * private mappings) shares every page (struct page.refs counts the
 * objects holding it) and is charged only for what it adds, so a fork
 * costs what the child really copies and touches, not the size of its
 * parent's mappings:
 *  - a copy of an ordinary object (MO_PAGEQ) is charged a page for each
 *    page it allocates (a first touch, or its own copy of a shared page
 *    on a write), recorded in the page (struct page.quota, holding a
 *    reference to the quota) and uncharged when the page is freed, by
 *    whichever holder lets it go last. A page an object charged in full
 *    lets go while copies still hold it is charged that way to the
 *    object's quota (quota_charge_force(): it was charged already), so a
 *    page in use is always charged once at least;
 *  - a copy of a paged object (MO_SLOTS) is charged a page for each page
 *    it holds, shared or its own, as a paged object is (kernel/pager.c).
 * A copy's charge can fail: the fault is then the process's (FAULT_REAL),
 * a method's ERR_NOMEM. A mapping places a range of an object's pages into an address
 * space; every mapping is on its object's list, so when a shared page is
 * replaced by a private copy, or a copy makes pages shared, each mapping
 * of the object is updated. A shared page is mapped read-only; a write to
 * it faults and aspace_fault() gives the faulting object its own copy.
 *
 * The methods that change these come in two steps (kernel/method.h): a
 * _prepare() that checks everything and sets aside what the change will
 * allocate (mapping records and page-table pages in a struct as_reserve,
 * pages for a write, a copy without pages), and a _commit() that cannot
 * fail. Faults and the boot-time loader still allocate as they go.
 *
 * A paged object (MO_PAGED) gets its absent pages from a pager instead
 * of zeroed ones: kernel/pager.c.
 */
#include <kernel/memory.h>
#include <kernel/pager.h>
#include <kernel/thread.h>
#include <kernel/smp.h>
#include <kernel/log.h>
#include <kernel/trap.h>
#include <string.h>

static inline struct page *pg(paddr_t pa) { return pmm_page(pa); }

_Static_assert(sizeof(struct memobj) <= 128, "struct memobj outgrew the heap's 128-byte class");

/* A page mo just allocated (charged already if MO_PAGEQ): its charge is
 * recorded in it. */
static void page_own(struct memobj *mo, paddr_t pa)
{
	if (mo->flags & MO_PAGEQ) {
		pg(pa)->quota = mo->obj.quota;
		quota_get(mo->obj.quota);
	}
}

/* mo lets page pa go: freed when it was the last holder (its own charge
 * with it). Still held by others, a page mo's charge in full covered is
 * charged to mo's quota on its own from now on. */
static void page_let_go(struct memobj *mo, paddr_t pa)
{
	struct page *p = pg(pa);

	if (--p->refs == 0) {
		if (p->quota) {
			quota_uncharge(p->quota, PAGE_SIZE);
			quota_put(p->quota);
			p->quota = NULL;
		}
		pmm_free(pa, 0);
	} else if ((mo->flags & MO_CHARGED) && !p->quota && mo->obj.quota) {
		quota_charge_force(mo->obj.quota, PAGE_SIZE);
		quota_get(mo->obj.quota);
		p->quota = mo->obj.quota;
	}
}

static struct memobj *memobj_alloc(size_t npages, unsigned flags, struct quota *q, err_t *err)
{
	struct memobj *mo;

	if (npages == 0 || npages > MEMOBJ_MAX_PAGES) {
		*err = ERR_INVAL;
		return NULL;
	}
	mo = kobj_alloc((flags & MO_DEVICE) ? OBJ_MMIO : OBJ_MEMOBJ, sizeof(*mo), q);
	if (!mo) {
		*err = ERR_NOMEM;
		return NULL;
	}
	mo->flags = flags;
	mo->npages = npages;
	list_init(&mo->mappings);
	/* charge first, so a small quota never makes the kernel allocate */
	if (quota_charge(q, npages * sizeof(paddr_t)))
		goto out_fail;
	mo->pages = kzalloc(npages * sizeof(paddr_t));
	if (!mo->pages) {
		quota_uncharge(q, npages * sizeof(paddr_t));
		goto out_fail;
	}
	return mo;
out_fail:
	mo->npages = 0;
	kobj_put(&mo->obj);      /* pages NULL: destroy has nothing to undo */
	kobj_reap();
	*err = ERR_NOMEM;
	return NULL;
}

struct memobj *memobj_create(size_t npages, unsigned flags, struct quota *q, err_t *err)
{
	struct memobj *mo = memobj_alloc(npages, flags & MO_CONTIG, q, err);

	if (!mo)
		return NULL;
	if (flags & MEMOBJ_PAGED) {     /* pages charged as the pager supplies them */
		struct pager *p = pager_alloc(mo);
		if (!p) {
			*err = ERR_NOMEM;
			goto out_fail;
		}
		pager_install(mo, p);
		return mo;
	}
	if (quota_charge(q, npages * PAGE_SIZE)) {
		*err = ERR_NOMEM;
		goto out_fail;
	}
	mo->flags |= MO_CHARGED;
	if (flags & MO_CONTIG) {
		unsigned order = 0;
		while ((1ul << order) < npages)
			order++;
		if (order > PMM_MAX_ORDER || (mo->base = pmm_alloc_zeroed(order)) == PADDR_INVALID) {
			*err = ERR_NOMEM;
			goto out_fail;
		}
		mo->order = order;
		for (size_t i = 0; i < npages; i++) {
			mo->pages[i] = mo->base + i * PAGE_SIZE;
			pg(mo->pages[i])->refs = 1;
		}
		return mo;
	}
	/* pages come on first touch (memobj_page()); the quota is charged now */
	return mo;
out_fail:
	kobj_put(&mo->obj);
	kobj_reap();
	return NULL;
}

struct memobj *memobj_device(paddr_t base, size_t npages, struct quota *q, err_t *err)
{
	struct memobj *mo = memobj_alloc(npages, MO_DEVICE | MO_BORROWED, q, err);

	if (!mo)
		return NULL;
	mo->base = base;
	for (size_t i = 0; i < npages; i++)
		mo->pages[i] = base + i * PAGE_SIZE;
	return mo;
}

struct memobj *memobj_borrow(paddr_t base, size_t npages)
{
	err_t e;
	struct memobj *mo = memobj_alloc(npages, MO_BORROWED | MO_CONTIG, NULL, &e);

	if (!mo)
		return NULL;
	mo->base = base;
	for (size_t i = 0; i < npages; i++)
		mo->pages[i] = base + i * PAGE_SIZE;
	return mo;
}

void memobj_destroy(struct memobj *mo)
{
	struct quota *q = mo->obj.quota;

	if (!mo->pages)
		return;
	if (memobj_pager(mo))
		pager_destroy(mo);
	if (memobj_cow_src(mo))
		kobj_put(&mo->cow_src->obj);
	mo->flags &= ~MO_COW;
	if (!(mo->flags & MO_BORROWED)) {
		if (mo->flags & MO_CONTIG) {
			if (mo->base)
				pmm_free(mo->base, mo->order);
		} else {
			size_t held = 0;
			for (size_t i = 0; i < mo->npages; i++) {
				paddr_t pa = mo->pages[i];
				held += pa != 0;
				if (pa)
					page_let_go(mo, pa);
			}
			if (mo->flags & MO_SLOTS)
				quota_uncharge(q, held * PAGE_SIZE);
		}
	}
	if (mo->flags & MO_CHARGED)
		quota_uncharge(q, mo->npages * PAGE_SIZE);
	quota_uncharge(q, mo->npages * sizeof(paddr_t));
	kfree(mo->pages);
	mo->pages = NULL;
}


/* Pages set aside by memobj_reserve() for the write under way (not
 * zeroed: most go back unused); page_take() takes these first (then a new
 * page), zeroed if asked. */
static paddr_t page_spare = PADDR_INVALID;

static paddr_t page_take(bool zeroed)
{
	paddr_t pa = page_stack_pop(&page_spare);

	if (pa != PADDR_INVALID) {
		if (zeroed)
			memset(phys_to_virt(pa), 0, PAGE_SIZE);
		return pa;
	}
	return zeroed ? pmm_alloc_zeroed(0) : pmm_alloc(0);
}

paddr_t memobj_page_take(bool zeroed)
{
	return page_take(zeroed);
}

err_t memobj_reserve(size_t n)
{
	return page_stack_fill(&page_spare, n);
}

void memobj_release(void)
{
	page_stack_free(&page_spare);
}

/* Page i, allocated (zeroed) and mapped everywhere on first use;
 * PADDR_INVALID when memory is out, or a copy's quota. */
paddr_t memobj_page(struct memobj *mo, size_t i)
{
	paddr_t pa = mo->pages[i];

	if (pa)
		return pa;
	if ((mo->flags & (MO_SLOTS | MO_PAGEQ)) && quota_charge(mo->obj.quota, PAGE_SIZE))
		return PADDR_INVALID;
	pa = page_take(true);
	if (pa == PADDR_INVALID) {
		if (mo->flags & (MO_SLOTS | MO_PAGEQ))
			quota_uncharge(mo->obj.quota, PAGE_SIZE);
		return pa;
	}
	pg(pa)->refs = 1;
	page_own(mo, pa);
	mo->pages[i] = pa;
	memobj_update_page(mo, i);
	return pa;
}

void *memobj_kaddr(struct memobj *mo, uint64_t off)
{
	paddr_t pa = memobj_page(mo, off / PAGE_SIZE);

	return pa == PADDR_INVALID ? NULL : (char *)phys_to_virt(pa) + off % PAGE_SIZE;
}

err_t memobj_range_ok(const struct memobj *mo, uint64_t off, size_t len)
{
	uint64_t size = mo->npages * PAGE_SIZE;

	if (mo->flags & MO_DEVICE)
		return ERR_INVAL;
	if (off > size || len > size - off)
		return ERR_RANGE;
	return ERR_OK;
}

bool memobj_shareable(const struct memobj *mo)
{
	return !(mo->flags & (MO_BORROWED | MO_CONTIG | MO_PINNED | MO_DEVICE));
}

err_t memobj_present_ok(struct memobj *mo, uint64_t off, size_t len)
{
	struct memobj *root = memobj_cow_src(mo) ? mo->cow_src : mo;

	if (!(root->flags & MO_PAGED) || !len)
		return ERR_OK;
	if (off + len > root->pager->size)
		return ERR_RANGE;
	for (size_t i = off / PAGE_SIZE; i <= (off + len - 1) / PAGE_SIZE; i++) {
		if (mo->pages[i])
			continue;
		if (root == mo || !root->pages[i])
			return ERR_AGAIN;
		/* a copy: its source's page, shared (what a read fault does) */
		pager_fault(mo, i, false, false);
		if (!mo->pages[i])
			return ERR_NOMEM;          /* the copy's quota */
	}
	return ERR_OK;
}



err_t memobj_read(struct memobj *mo, uint64_t off, void *buf, size_t len)
{
	err_t e = memobj_range_ok(mo, off, len);

	if (!e)
		e = memobj_present_ok(mo, off, len);
	while (!e && len) {
		size_t n = MIN(len, PAGE_SIZE - off % PAGE_SIZE);
		paddr_t pa = mo->pages[off / PAGE_SIZE];
		if (pa)
			memcpy(buf, (char *)phys_to_virt(pa) + off % PAGE_SIZE, n);
		else
			memset(buf, 0, n);          /* never touched: zeros */
		buf = (char *)buf + n;
		off += n;
		len -= n;
	}
	return e;
}

/* The page may be shared: give this object its own copy first. */
static err_t memobj_unshare(struct memobj *mo, size_t i);

/* Is page i shared with a copy (a write must give this object its own)? */
static bool page_shared(const struct memobj *mo, size_t i)
{
	paddr_t pa = mo->pages[i];

	return pa && !(mo->flags & (MO_BORROWED | MO_CONTIG)) && pg(pa)->refs > 1;
}

size_t memobj_write_needs(const struct memobj *mo, uint64_t off, size_t len)
{
	size_t n = 0;

	if (!len)
		return 0;
	for (size_t i = off / PAGE_SIZE; i <= (off + len - 1) / PAGE_SIZE; i++)
		n += !mo->pages[i] || page_shared(mo, i);
	return n;
}

err_t memobj_write(struct memobj *mo, uint64_t off, const void *buf, size_t len)
{
	err_t e = memobj_range_ok(mo, off, len);

	if (!e)
		e = memobj_present_ok(mo, off, len);
	while (!e && len) {
		size_t n = MIN(len, PAGE_SIZE - off % PAGE_SIZE);
		if ((e = memobj_unshare(mo, off / PAGE_SIZE)))
			break;
		if (memobj_pager(mo))
			mo->pager->state[off / PAGE_SIZE] |= PS_DIRTY;
		void *dst = memobj_kaddr(mo, off);
		if (!dst) {
			e = ERR_NOMEM;
			break;
		}
		memcpy(dst, buf, n);
		buf = (const char *)buf + n;
		off += n;
		len -= n;
	}
	return e;
}

err_t memobj_fill(struct memobj *mo, uint64_t off, size_t len)
{
	err_t e;

	if (!(mo->flags & (MO_SLOTS | MO_PAGEQ)) || !len)
		return ERR_OK;
	for (size_t i = off / PAGE_SIZE; i <= (off + len - 1) / PAGE_SIZE; i++) {
		if (!mo->pages[i] && memobj_page(mo, i) == PADDR_INVALID)
			return ERR_NOMEM;
		if ((mo->flags & MO_PAGEQ) && (e = memobj_unshare(mo, i)))
			return e;
	}
	return ERR_OK;
}

/* ---- mappings --------------------------------------------------------------------- */

static unsigned page_prot(struct mapping *m, size_t i)
{
	unsigned prot = m->prot;
	paddr_t pa = m->mo->pages[i];

	if (!(m->mo->flags & (MO_BORROWED | MO_CONTIG)) && pg(pa)->refs > 1)
		prot &= ~PROT_W;
	if ((m->mo->flags & MO_PAGED) && !pager_dirty(m->mo, i))
		prot &= ~PROT_W;        /* the first write is noted (MEMOBJ_DIRTY) */
	return prot;
}

/* Sets the entry of page i (of m's object) in m's space from scratch:
 * nothing for a page never touched or a no-access mapping. */
static void charge_tables(struct aspace *as, size_t before);

/* Spaces whose shootdown waits for the end of a batch (tlb_batch_begin()). */
static struct aspace *tlb_batch[4];
static unsigned tlb_batching, tlb_nbatch;

static void tlb_batch_flush(void)
{
	for (unsigned i = 0; i < tlb_nbatch; i++)
		smp_tlb_sync(tlb_batch[i], false);
	tlb_nbatch = 0;
}

static __attribute__((noinline)) void tlb_changed_sync(struct aspace *as)
{
	if (!tlb_batching) {
		smp_tlb_sync(as, false);
		return;
	}
	for (unsigned i = 0; i < tlb_nbatch; i++)
		if (tlb_batch[i] == as)
			return;
	if (tlb_nbatch == sizeof(tlb_batch) / sizeof(tlb_batch[0]))
		tlb_batch_flush();
	tlb_batch[tlb_nbatch++] = as;
}

/* The page table of as changed since pt_tlb_flushes was `flushes`: other
 * CPUs that have it loaded forget what they cached, and every other CPU
 * will before it loads it again (at once, or at the end of a batch).
 * Inline: faults and supplies change entries of the space loaded here
 * all the time, which with one CPU needs nothing more. */
static inline void tlb_changed(struct aspace *as, unsigned long flushes)
{
	if (flushes == pt_tlb_flushes)
		return;
	if (ncpus < 2 && as == this_cpu()->active_as)
		return;                 /* alone, and the change flushed it here */
	tlb_changed_sync(as);
}

/* Around loops that change many entries of few spaces, which free no
 * page before the end: one shootdown a space. */
static void tlb_batch_begin(void)
{
	tlb_batching++;
}

static void tlb_batch_end(void)
{
	if (--tlb_batching == 0)
		tlb_batch_flush();
}

static void mapping_set_page(struct mapping *m, size_t i)
{
	vaddr_t va = m->va + (i - m->first) * PAGE_SIZE;
	size_t before = pt_tables_live;
	unsigned long flushes = pt_tlb_flushes;
	unsigned prot;

	if (m->mo->pages[i] && ((prot = page_prot(m, i)) & (PROT_R | PROT_W | PROT_X))) {
		/* the old entry replaced in place; a failure can only be
		 * ENOMEM for a table (nothing was there): the page stays
		 * unmapped and the next touch faults (and retries) */
		if (pt_remap(m->as->root, va, m->mo->pages[i], prot))
			pr_warn("mm: cannot re-map %#lx, page left unmapped\n", (unsigned long)va);
	} else {
		pt_unmap(m->as->root, va, PAGE_SIZE);
	}
	tlb_changed(m->as, flushes);
	charge_tables(m->as, before);
}

void memobj_update_page(struct memobj *mo, size_t i)
{
	list_for_each(it, &mo->mappings) {
		struct mapping *m = list_entry(it, struct mapping, mo_node);
		if (i < m->first || i >= m->first + m->npages)
			continue;
		mapping_set_page(m, i);
	}
}

static err_t memobj_unshare(struct memobj *mo, size_t i)
{
	paddr_t old = mo->pages[i], pa;

	if (!page_shared(mo, i))
		return ERR_OK;
	if ((mo->flags & MO_PAGEQ) && quota_charge(mo->obj.quota, PAGE_SIZE))
		return ERR_NOMEM;
	pa = page_take(false);   /* copied over */
	if (pa == PADDR_INVALID) {
		if (mo->flags & MO_PAGEQ)
			quota_uncharge(mo->obj.quota, PAGE_SIZE);
		return ERR_NOMEM;
	}
	memcpy(phys_to_virt(pa), phys_to_virt(old), PAGE_SIZE);
	pg(pa)->refs = 1;
	page_own(mo, pa);
	page_let_go(mo, old);    /* shared: others hold it still */
	mo->pages[i] = pa;
	memobj_update_page(mo, i);
	/* the other holder may now be alone: let it write again */
	return ERR_OK;
}

void memobj_protect_page(struct memobj *mo, size_t i)
{
	list_for_each(it, &mo->mappings) {
		struct mapping *m = list_entry(it, struct mapping, mo_node);
		if (i >= m->first && i < m->first + m->npages && (m->prot & PROT_W)) {
			unsigned long flushes = pt_tlb_flushes;
			pt_protect(m->as->root, m->va + (i - m->first) * PAGE_SIZE, PAGE_SIZE,
				   m->prot & ~PROT_W);
			tlb_changed(m->as, flushes);
		}
	}
}

void memobj_drop_page(struct memobj *mo, size_t i)
{
	paddr_t pa = mo->pages[i];

	mo->pages[i] = 0;
	memobj_update_page(mo, i);     /* unmapped everywhere */
	page_let_go(mo, pa);
	if (mo->flags & MO_SLOTS)
		quota_uncharge(mo->obj.quota, PAGE_SIZE);
}

err_t memobj_pin(struct memobj *mo, size_t i)
{
	err_t e;

	if (mo->flags & (MO_PAGED | MO_COW))
		return ERR_INVAL;          /* the kernel never waits for a pager */
	e = memobj_unshare(mo, i);

	if (!e && memobj_page(mo, i) == PADDR_INVALID)
		e = ERR_NOMEM;
	if (!e)
		mo->flags |= MO_PINNED;
	return e;
}

/* A copy of an object that cannot share pages (contiguous, borrowed or
 * pinned): made whole now, on new pages. */
static struct memobj *copy_now(struct memobj *src, struct quota *q, err_t *err)
{
	struct memobj *mo = memobj_create(src->npages, 0, q, err);

	for (size_t i = 0; mo && i < src->npages; i++) {
		if (!src->pages[i])
			continue;
		void *dst = memobj_kaddr(mo, i * PAGE_SIZE);
		if (!dst) {
			kobj_put(&mo->obj);
			kobj_reap();
			*err = ERR_NOMEM;
			return NULL;
		}
		memcpy(dst, phys_to_virt(src->pages[i]), PAGE_SIZE);
	}
	return mo;
}

struct memobj *memobj_copy_prepare(struct memobj *src, struct quota *q, err_t *err)
{
	struct memobj *mo;

	if (src->flags & MO_DEVICE) {
		*err = ERR_INVAL;
		return NULL;
	}
	if (src->flags & (MO_BORROWED | MO_CONTIG | MO_PINNED))
		return copy_now(src, q, err);
	mo = memobj_alloc(src->npages, 0, q, err);
	if (!mo)
		return NULL;
	/* no pages yet: memobj_copy_commit() shares src's. A copy of an
	 * ordinary object is charged for the pages it allocates; of a paged
	 * one, for those it holds, these first */
	if (!(src->flags & (MO_PAGED | MO_COW))) {
		mo->flags |= MO_PAGEQ;
		return mo;
	}
	size_t held = 0;
	for (size_t i = 0; i < src->npages; i++)
		held += src->pages[i] != 0;
	if (quota_charge(q, held * PAGE_SIZE)) {
		kobj_put(&mo->obj);
		kobj_reap();
		*err = ERR_NOMEM;
		return NULL;
	}
	mo->flags |= MO_SLOTS;
	/* it gets its absent pages from that object, when they come */
	mo->cow_src = (src->flags & MO_PAGED) ? src : src->cow_src;
	mo->flags |= MO_COW;
	kobj_get(&mo->cow_src->obj);
	return mo;
}

void memobj_copy_commit(struct memobj *src, struct memobj *mo)
{
	if (src->flags & (MO_BORROWED | MO_CONTIG | MO_PINNED))
		return;                     /* copied already */
	for (size_t i = 0; i < src->npages; i++) {
		mo->pages[i] = src->pages[i];
		if (mo->pages[i])
			pg(mo->pages[i])->refs++;
	}
	/* every writable mapping of the source becomes read-only (4 KiB
	 * leaves: pt_protect() cannot fail) */
	tlb_batch_begin();
	list_for_each(it, &src->mappings) {
		struct mapping *m = list_entry(it, struct mapping, mo_node);
		unsigned long flushes = pt_tlb_flushes;
		if (m->prot & PROT_W)
			pt_protect(m->as->root, m->va, m->npages * PAGE_SIZE, m->prot & ~PROT_W);
		tlb_changed(m->as, flushes);
	}
	tlb_batch_end();
}

struct memobj *memobj_copy(struct memobj *src, struct quota *q, err_t *err)
{
	struct memobj *mo = memobj_copy_prepare(src, q, err);

	if (mo)
		memobj_copy_commit(src, mo);
	return mo;
}

/* ---- address spaces ---------------------------------------------------------------- */

/* Charges the table pages an operation added (may exceed the quota by
 * the few tables of one operation; the next charge then fails). */
static void charge_tables(struct aspace *as, size_t before)
{
	if (pt_tables_live > before) {
		size_t n = pt_tables_live - before;
		as->tables += n;
		quota_charge_force(as->obj.quota, n * PAGE_SIZE);   /* see above: may overshoot */
	} else if (pt_tables_live < before) {
		size_t n = MIN(before - pt_tables_live, as->tables);
		as->tables -= n;
		quota_uncharge(as->obj.quota, n * PAGE_SIZE);
	}
}

struct aspace *aspace_create(struct quota *q)
{
	struct aspace *as;

	if (quota_charge(q, PAGE_SIZE))
		return NULL;
	as = kobj_alloc(OBJ_ASPACE, sizeof(*as), q);
	if (!as) {
		quota_uncharge(q, PAGE_SIZE);
		return NULL;
	}
	list_init(&as->mappings);
	as->root = pt_create_user();
	if (as->root == PADDR_INVALID) {
		as->root = 0;
		kobj_put(&as->obj);
		kobj_reap();
		return NULL;
	}
	astag_alloc(as);
	return as;
}

/*
 * A space's list of mappings is sorted by address and its mappings never
 * overlap. as->hint is the mapping a search found or made last (NULL
 * once freed): faults, unmaps and their edge checks mostly ask for the
 * same one again, or for a neighbour, and a new mapping mostly goes
 * above all the others; a search starts from there.
 */
static inline vaddr_t mapping_end(const struct mapping *m)
{
	return m->va + m->npages * PAGE_SIZE;
}

static inline struct mapping *as_entry(struct list *n)
{
	return list_entry(n, struct mapping, as_node);
}

/* The node of the first mapping of as (by address) that ends after va,
 * or the list head when none does: the one holding va if any, else the
 * next above it. Walks from as->hint, down or up (up: unless the last
 * mapping is where va is or below it), and leaves the hint there (a
 * map's commit then finds its place at once). */
static struct list *mapping_from(struct aspace *as, vaddr_t va)
{
	struct list *head = &as->mappings, *n = as->hint ? &as->hint->as_node : head;

	if (n != head && mapping_end(as_entry(n)) > va) {
		while (n->prev != head && mapping_end(as_entry(n->prev)) > va)
			n = n->prev;
	} else if (head->prev == head || mapping_end(as_entry(head->prev)) <= va) {
		return head;            /* above them all */
	} else if (as_entry(head->prev)->va <= va) {
		n = head->prev;         /* in the last one */
	} else {
		for (n = n->next; mapping_end(as_entry(n)) <= va; n = n->next)
			;               /* stops at the last one at the latest */
	}
	as->hint = as_entry(n);
	return n;
}

static void mapping_free(struct mapping *m)
{
	size_t before = pt_tables_live;
	unsigned long flushes = pt_tlb_flushes;

	pt_unmap(m->as->root, m->va, m->npages * PAGE_SIZE);
	tlb_changed(m->as, flushes);    /* before the tables and pages are reused */
	charge_tables(m->as, before);
	if (m->as->hint == m)
		m->as->hint = NULL;
	list_del(&m->as_node);
	list_del(&m->mo_node);
	quota_uncharge(m->as->obj.quota, sizeof(*m));
	kobj_put(&m->mo->obj);
	kfree(m);
}

void aspace_destroy(struct aspace *as)
{
	sched_as_gone(as);
	astag_free(as);                 /* nobody has it loaded now */
	while (!list_empty(&as->mappings))
		mapping_free(list_entry(as->mappings.next, struct mapping, as_node));
	if (as->root) {
		size_t before = pt_tables_live;
		pt_destroy_user(as->root);
		charge_tables(as, before);
		quota_uncharge(as->obj.quota, PAGE_SIZE);  /* the root */
	}
	if (as->tables)
		panic("aspace: %lu table pages unaccounted", (unsigned long)as->tables);
}

static struct mapping *mapping_at(struct aspace *as, vaddr_t va)
{
	struct mapping *m = as->hint;
	struct list *n;

	if (m && va >= m->va && va - m->va < m->npages * PAGE_SIZE)
		return m;
	n = mapping_from(as, va);
	if (n == &as->mappings || as_entry(n)->va > va)
		return NULL;
	return as->hint = as_entry(n);
}

static bool range_ok(vaddr_t va, size_t bytes)
{
	return bytes && IS_ALIGNED(va, PAGE_SIZE) && IS_ALIGNED(bytes, PAGE_SIZE) && va >= PAGE_SIZE &&
	       va < arch_user_top() && bytes <= arch_user_top() - va;
}

/* ---- reservations: what an operation sets aside so that it cannot fail midway --- */

void aspace_release(struct aspace *as, struct as_reserve *r)
{
	for (unsigned i = 0; i < 2; i++) {
		if (r->rec[i]) {
			kfree(r->rec[i]);
			quota_uncharge(as->obj.quota, sizeof(struct mapping));
			r->rec[i] = NULL;
		}
	}
	/* tables used were charged as they were made (charge_tables()) */
	quota_uncharge(as->obj.quota, r->tables * PAGE_SIZE);
	r->tables = 0;
	pt_release();
}

/* Sets aside nrec mapping records and ntables table pages, charged to
 * as's quota; ERR_NOMEM with nothing set aside. */
static err_t reserve(struct aspace *as, struct as_reserve *r, unsigned nrec, size_t ntables)
{
	struct quota *q = as->obj.quota;

	*r = (struct as_reserve){ { NULL, NULL }, 0 };
	for (unsigned i = 0; i < nrec; i++) {
		if (quota_charge(q, sizeof(struct mapping)))
			goto out_fail;
		if (!(r->rec[i] = kzalloc(sizeof(struct mapping)))) {
			quota_uncharge(q, sizeof(struct mapping));
			goto out_fail;
		}
	}
	if (quota_charge(q, ntables * PAGE_SIZE))
		goto out_fail;
	if (pt_reserve(ntables)) {
		quota_uncharge(q, ntables * PAGE_SIZE);
		goto out_fail;
	}
	r->tables = ntables;
	return ERR_OK;
out_fail:
	aspace_release(as, r);
	return ERR_NOMEM;
}

/* A record set aside by reserve(), now the caller's (its charge with it). */
static struct mapping *reserved_record(struct as_reserve *r)
{
	struct mapping *m = r->rec[0] ? r->rec[0] : r->rec[1];

	if (m == r->rec[0])
		r->rec[0] = NULL;
	else
		r->rec[1] = NULL;
	return m;
}

/* Adds to *n the tables that mapping the pages of m's object present in
 * [va, end) (within m) would allocate; seen[] as for pt_count_missing(). */
static void count_tables(struct aspace *as, struct memobj *mo, vaddr_t mva, size_t first,
			 vaddr_t va, vaddr_t end, vaddr_t *seen, size_t *n)
{
	for (; va < end; va += PAGE_SIZE)
		if (mo->pages[first + (va - mva) / PAGE_SIZE])
			pt_count_missing(as->root, va, seen, n);
}

/* ---- map, unmap, protect --------------------------------------------------------- */

err_t aspace_map_prepare(struct aspace *as, struct memobj *mo, vaddr_t va, size_t first,
			 size_t npages, unsigned prot, struct as_reserve *r)
{
	vaddr_t seen[PT_LEVELS_MAX] = { 0 };
	size_t ntables = 0;
	struct list *n;

	if (!npages || first >= mo->npages || npages > mo->npages - first)
		return ERR_RANGE;
	if (!range_ok(va, npages * PAGE_SIZE))
		return ERR_INVAL;
	n = mapping_from(as, va);     /* the first ending after va */
	if (n != &as->mappings && as_entry(n)->va < va + npages * PAGE_SIZE)
		return ERR_EXIST;
	if (prot & (PROT_R | PROT_W | PROT_X))   /* only present pages are mapped now */
		count_tables(as, mo, va, first, va, va + npages * PAGE_SIZE, seen, &ntables);
	return reserve(as, r, 1, ntables);
}

struct mapping *aspace_map_commit(struct aspace *as, struct memobj *mo, vaddr_t va, size_t first,
				  size_t npages, unsigned prot, unsigned maxprot, struct as_reserve *r)
{
	struct mapping *m = reserved_record(r);
	size_t before = pt_tables_live;
	struct list *pos;

	m->as = as;
	m->mo = mo;
	m->va = va;
	m->first = first;
	m->npages = npages;
	m->prot = prot | PROT_USER | ((mo->flags & MO_DEVICE) ? PROT_DEVICE : 0);
	m->maxprot = maxprot;
	kobj_get(&mo->obj);
	pos = mapping_from(as, va);   /* kept sorted: before the next one up */
	list_add_between(&m->as_node, pos->prev, pos);
	as->hint = m;
	list_add_tail(&mo->mappings, &m->mo_node);
	for (size_t i = 0; i < npages; i++) {
		unsigned p = mo->pages[first + i] ? page_prot(m, first + i) : 0;
		err_t e;
		/* the rest fault in (a shared page mapped write-only too) */
		if ((p & (PROT_R | PROT_W | PROT_X)) &&
		    (e = pt_map(as->root, va + i * PAGE_SIZE, mo->pages[first + i], PAGE_SIZE, p)))
			panic("mm: a reserved map of %#lx failed: %d", (unsigned long)va, e);
	}
	charge_tables(as, before);
	aspace_release(as, r);
	return m;
}

err_t aspace_map(struct aspace *as, struct memobj *mo, vaddr_t va, size_t first, size_t npages,
		 unsigned prot, unsigned maxprot)
{
	struct as_reserve r;
	err_t e = aspace_map_prepare(as, mo, va, first, npages, prot, &r);

	if (!e)
		aspace_map_commit(as, mo, va, first, npages, prot, maxprot, &r);
	return e;
}

/* Splits m so that a mapping starts at va (m->va < va < end of m), with
 * a record from r. */
static void mapping_split(struct mapping *m, vaddr_t va, struct as_reserve *r)
{
	struct mapping *n = reserved_record(r);
	size_t k = (va - m->va) / PAGE_SIZE;

	*n = *m;
	n->va = va;
	n->first = m->first + k;
	n->npages = m->npages - k;
	m->npages = k;
	kobj_get(&m->mo->obj);
	list_add_between(&n->as_node, &m->as_node, m->as_node.next);
	list_add_between(&n->mo_node, &m->mo_node, m->mo_node.next);
}

/* The mappings [va, end) cuts through at its edges (0, 1 or 2 splits). */
static unsigned splits_needed(struct aspace *as, vaddr_t va, vaddr_t end)
{
	struct mapping *a = mapping_at(as, va), *b = mapping_at(as, end - 1);

	return (a && a->va < va) + (b && b->va + b->npages * PAGE_SIZE > end);
}

/* Splits the mappings at the edges of [va, end) so every mapping touched
 * is wholly inside or outside, with the records splits_needed() counted. */
static void split_edges(struct aspace *as, vaddr_t va, vaddr_t end, struct as_reserve *r)
{
	struct mapping *m = mapping_at(as, va);

	if (m && m->va < va)
		mapping_split(m, va, r);
	m = mapping_at(as, end - 1);
	if (m && m->va + m->npages * PAGE_SIZE > end)
		mapping_split(m, end, r);
}

err_t aspace_unmap_prepare(struct aspace *as, vaddr_t va, size_t bytes, struct as_reserve *r)
{
	if (!range_ok(va, bytes))
		return ERR_INVAL;
	return reserve(as, r, splits_needed(as, va, va + bytes), 0);
}

void aspace_unmap_commit(struct aspace *as, vaddr_t va, size_t bytes, struct as_reserve *r)
{
	split_edges(as, va, va + bytes, r);
	aspace_release(as, r);          /* before the frees: a table freed goes to the allocator */
	/* split: every mapping from here that starts in the range ends in it */
	for (struct list *n = mapping_from(as, va), *nx; n != &as->mappings; n = nx) {
		struct mapping *m = as_entry(n);
		nx = n->next;
		if (m->va >= va + bytes)
			break;
		mapping_free(m);
	}
}

err_t aspace_unmap(struct aspace *as, vaddr_t va, size_t bytes)
{
	struct as_reserve r;
	err_t e = aspace_unmap_prepare(as, va, bytes, &r);

	if (!e)
		aspace_unmap_commit(as, va, bytes, &r);
	return e;
}

/*
 * The rights of the capability used to map bound what protect may grant:
 * more than that on any mapping in the range is ERR_PERM, with nothing
 * changed (as AS_MAP refuses it). Set aside: the records of the splits,
 * and the tables that mapping every present page in the range would add
 * (each page is unmapped and mapped again; a table freed on the way is
 * kept for the re-map).
 */
err_t aspace_protect_prepare(struct aspace *as, vaddr_t va, size_t bytes, unsigned prot,
			     struct as_reserve *r)
{
	vaddr_t seen[PT_LEVELS_MAX] = { 0 };
	size_t ntables = 0;

	if (!range_ok(va, bytes))
		return ERR_INVAL;
	for (struct list *n = mapping_from(as, va); n != &as->mappings; n = n->next) {
		struct mapping *m = as_entry(n);
		vaddr_t mend = mapping_end(m);
		if (m->va >= va + bytes)
			break;
		if (prot & ~m->maxprot)
			return ERR_PERM;
		if (prot & (PROT_R | PROT_W | PROT_X))
			count_tables(as, m->mo, m->va, m->first, MAX(va, m->va), MIN(va + bytes, mend),
				     seen, &ntables);
	}
	return reserve(as, r, splits_needed(as, va, va + bytes), ntables);
}

void aspace_protect_commit(struct aspace *as, vaddr_t va, size_t bytes, unsigned prot,
			   struct as_reserve *r)
{
	split_edges(as, va, va + bytes, r);
	/* split: every mapping from here that starts in the range ends in it */
	for (struct list *n = mapping_from(as, va); n != &as->mappings; n = n->next) {
		struct mapping *m = as_entry(n);
		if (m->va >= va + bytes)
			break;
		m->prot = prot | PROT_USER | (m->prot & PROT_DEVICE);
		tlb_batch_begin();
		for (size_t i = 0; i < m->npages; i++)
			mapping_set_page(m, m->first + i);
		tlb_batch_end();
	}
	aspace_release(as, r);
}

err_t aspace_protect(struct aspace *as, vaddr_t va, size_t bytes, unsigned prot)
{
	struct as_reserve r;
	err_t e = aspace_protect_prepare(as, va, bytes, prot, &r);

	if (!e)
		aspace_protect_commit(as, va, bytes, prot, &r);
	return e;
}

err_t aspace_copy(struct aspace *as, struct aspace *src, size_t *count)
{
	err_t e = ERR_OK;

	*count = 0;
	if (as == src)
		return ERR_INVAL;
	list_for_each(it, &src->mappings) {
		struct mapping *m = list_entry(it, struct mapping, as_node);
		list_for_each(jt, &as->mappings) {
			struct mapping *o = list_entry(jt, struct mapping, as_node);
			if (m->va < o->va + o->npages * PAGE_SIZE && o->va < m->va + m->npages * PAGE_SIZE)
				return ERR_EXIST;
		}
	}
	list_for_each(it, &src->mappings) {
		struct mapping *m = list_entry(it, struct mapping, as_node);
		struct memobj *mo = m->mo;
		unsigned prot = m->prot & (PROT_R | PROT_W | PROT_X);

		if (!m->share && !(mo->flags & MO_DEVICE)) {
			mo = memobj_copy(m->mo, as->obj.quota, &e);
			if (!mo)
				return e;
		} else {
			kobj_get(&mo->obj);
		}
		e = aspace_map(as, mo, m->va, m->first, m->npages, prot, m->maxprot);
		kobj_put(&mo->obj);
		if (e)
			return e;
		mapping_at(as, m->va)->share = m->share;   /* the new one */
		(*count)++;
	}
	return ERR_OK;
}

/* The table allows the access already: another CPU handled the same
 * fault (two threads touched a new page at once) while this one waited
 * for the lock, or this CPU's TLB still held the entry from before it
 * changed (riscv64 may keep even an invalid one until an sfence.vma).
 * The entry is dropped here and the access tried again. */
static bool fault_gone(struct aspace *as, vaddr_t va, unsigned need)
{
	unsigned prot;

	if (!pt_lookup(as->root, ALIGN_DOWN(va, PAGE_SIZE), NULL, &prot) || (prot & need) != need)
		return false;
	arch_tlb_flush_page(va);
	return true;
}

enum fault_result aspace_fault(struct aspace *as, vaddr_t va, unsigned kind, bool may_wait)
{
	struct mapping *m = mapping_at(as, ALIGN_DOWN(va, PAGE_SIZE));
	unsigned need = kind == TRAP_USER_FAULT_WRITE ? PROT_W :
			kind == TRAP_USER_FAULT_EXEC ? PROT_X : PROT_R;
	struct memobj *mo;
	size_t i;

	if (!m)
		return FAULT_REAL;
	if (!(m->prot & need))
		return FAULT_ACCESS;
	mo = m->mo;
	i = m->first + (ALIGN_DOWN(va, PAGE_SIZE) - m->va) / PAGE_SIZE;
	if (mo->pages[i] && fault_gone(as, va, need))
		return FAULT_FIXED;
	if (!mo->pages[i] && (mo->flags & (MO_PAGED | MO_COW)))
		return pager_fault(mo, i, kind == TRAP_USER_FAULT_WRITE, may_wait);
	if (!mo->pages[i])                 /* first touch: a zeroed page, mapped everywhere */
		return memobj_page(mo, i) != PADDR_INVALID ? FAULT_FIXED : FAULT_REAL;
	if (kind != TRAP_USER_FAULT_WRITE)
		return FAULT_REAL;
	if (mo->flags & MO_PAGED)          /* the first write since supplied or reported */
		mo->pager->state[i] |= PS_DIRTY;
	if (memobj_unshare(mo, i))
		return FAULT_REAL;
	/* sole holder now: make it writable everywhere it is mapped */
	memobj_update_page(mo, i);
	return FAULT_FIXED;
}

/* ---- user copies ------------------------------------------------------------------ */

static bool user_range(uintptr_t u, size_t n)
{
	vaddr_t top = arch_user_top();

	return u < top && n <= top - u;
}

err_t copy_from_user(void *dst, uintptr_t usrc, size_t n)
{
	if (!user_range(usrc, n))
		return ERR_FAULT;
	return arch_copy_from_user(dst, (const void *)usrc, n);
}

err_t copy_to_user(uintptr_t udst, const void *src, size_t n)
{
	if (!user_range(udst, n))
		return ERR_FAULT;
	return arch_copy_to_user((void *)udst, src, n);
}
