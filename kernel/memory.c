// SPDX-License-Identifier: MIT
/*
 * MemoryObjects and address spaces.
 *
 * A MemoryObject is an array of physical pages, allocated zeroed on first
 * touch (memobj_page()) and charged in full when the object is created. A copy-on-write copy
 * shares every page (struct page.refs counts the objects holding it) and
 * is charged in full up front, so a later write fault never fails on the
 * quota. A mapping places a range of an object's pages into an address
 * space; every mapping is on its object's list, so when a shared page is
 * replaced by a private copy, or a copy makes pages shared, each mapping
 * of the object is updated. A shared page is mapped read-only; a write to
 * it faults and aspace_fault() gives the faulting object its own copy.
 */
#include <kernel/memory.h>
#include <kernel/thread.h>
#include <kernel/log.h>
#include <kernel/trap.h>
#include <string.h>

static inline struct page *pg(paddr_t pa) { return pmm_page(pa); }

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
	if (quota_charge(q, npages * PAGE_SIZE)) {
		*err = ERR_NOMEM;
		goto out_fail;
	}
	mo->flags |= 0x80000000u;   /* pages charged */
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
	if (!(mo->flags & MO_BORROWED)) {
		if (mo->flags & MO_CONTIG) {
			if (mo->base)
				pmm_free(mo->base, mo->order);
		} else {
			for (size_t i = 0; i < mo->npages; i++) {
				paddr_t pa = mo->pages[i];
				if (pa && --pg(pa)->refs == 0)
					pmm_free(pa, 0);
			}
		}
	}
	if (mo->flags & 0x80000000u)
		quota_uncharge(q, mo->npages * PAGE_SIZE);
	quota_uncharge(q, mo->npages * sizeof(paddr_t));
	kfree(mo->pages);
	mo->pages = NULL;
}

static void memobj_update_page(struct memobj *mo, size_t i);

/* Page i, allocated (zeroed) and mapped everywhere on first use;
 * PADDR_INVALID when memory is out (the quota was charged at creation). */
paddr_t memobj_page(struct memobj *mo, size_t i)
{
	paddr_t pa = mo->pages[i];

	if (pa)
		return pa;
	pa = pmm_alloc_zeroed(0);
	if (pa == PADDR_INVALID)
		return pa;
	pg(pa)->refs = 1;
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

err_t memobj_read(struct memobj *mo, uint64_t off, void *buf, size_t len)
{
	err_t e = memobj_range_ok(mo, off, len);

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

err_t memobj_write(struct memobj *mo, uint64_t off, const void *buf, size_t len)
{
	err_t e = memobj_range_ok(mo, off, len);

	while (!e && len) {
		size_t n = MIN(len, PAGE_SIZE - off % PAGE_SIZE);
		if ((e = memobj_unshare(mo, off / PAGE_SIZE)))
			break;
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

/* ---- mappings --------------------------------------------------------------------- */

static unsigned page_prot(struct mapping *m, size_t i)
{
	unsigned prot = m->prot;
	paddr_t pa = m->mo->pages[i];

	if (!(m->mo->flags & (MO_BORROWED | MO_CONTIG)) && pg(pa)->refs > 1)
		prot &= ~PROT_W;
	return prot;
}

/* Sets the entry of page i (of m's object) in m's space from scratch:
 * nothing for a page never touched or a no-access mapping. */
static void charge_tables(struct aspace *as, size_t before);

static void mapping_set_page(struct mapping *m, size_t i)
{
	vaddr_t va = m->va + (i - m->first) * PAGE_SIZE;
	size_t before = pt_tables_live;
	unsigned prot;

	pt_unmap(m->as->root, va, PAGE_SIZE);
	if (m->mo->pages[i] && ((prot = page_prot(m, i)) & (PROT_R | PROT_W | PROT_X))) {
		/* a failure can only be ENOMEM for a table: the page stays
		 * unmapped and the next touch faults (and retries) */
		if (pt_map(m->as->root, va, m->mo->pages[i], PAGE_SIZE, prot))
			pr_warn("mm: cannot re-map %#lx, page left unmapped\n", (unsigned long)va);
	}
	charge_tables(m->as, before);
}

/* Re-maps page i of mo in every mapping of it (after a copy or unshare). */
static void memobj_update_page(struct memobj *mo, size_t i)
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

	if (!old || (mo->flags & (MO_BORROWED | MO_CONTIG)) || pg(old)->refs == 1)
		return ERR_OK;
	pa = pmm_alloc(0);
	if (pa == PADDR_INVALID)
		return ERR_NOMEM;
	memcpy(phys_to_virt(pa), phys_to_virt(old), PAGE_SIZE);
	pg(pa)->refs = 1;
	pg(old)->refs--;
	mo->pages[i] = pa;
	memobj_update_page(mo, i);
	/* the other holder may now be alone: let it write again */
	return ERR_OK;
}

err_t memobj_pin(struct memobj *mo, size_t i)
{
	err_t e = memobj_unshare(mo, i);

	if (!e && memobj_page(mo, i) == PADDR_INVALID)
		e = ERR_NOMEM;
	if (!e)
		mo->flags |= MO_PINNED;
	return e;
}

struct memobj *memobj_copy(struct memobj *src, struct quota *q, err_t *err)
{
	struct memobj *mo;

	if (src->flags & MO_DEVICE) {
		*err = ERR_INVAL;
		return NULL;
	}
	if (src->flags & (MO_BORROWED | MO_CONTIG | MO_PINNED)) {
		/* not shareable page by page: copy now */
		mo = memobj_create(src->npages, 0, q, err);
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
	mo = memobj_alloc(src->npages, 0, q, err);
	if (!mo)
		return NULL;
	if (quota_charge(q, src->npages * PAGE_SIZE)) {
		kobj_put(&mo->obj);
		kobj_reap();
		*err = ERR_NOMEM;
		return NULL;
	}
	mo->flags |= 0x80000000u;
	for (size_t i = 0; i < src->npages; i++) {
		mo->pages[i] = src->pages[i];
		if (mo->pages[i])
			pg(mo->pages[i])->refs++;
	}
	/* every writable mapping of the source becomes read-only */
	list_for_each(it, &src->mappings) {
		struct mapping *m = list_entry(it, struct mapping, mo_node);
		if (m->prot & PROT_W)
			pt_protect(m->as->root, m->va, m->npages * PAGE_SIZE, m->prot & ~PROT_W);
	}
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
		if (as->obj.quota)
			as->obj.quota->used += n * PAGE_SIZE;   /* see above: may overshoot */
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
	return as;
}

static void mapping_free(struct mapping *m)
{
	size_t before = pt_tables_live;

	pt_unmap(m->as->root, m->va, m->npages * PAGE_SIZE);
	charge_tables(m->as, before);
	list_del(&m->as_node);
	list_del(&m->mo_node);
	quota_uncharge(m->as->obj.quota, sizeof(*m));
	kobj_put(&m->mo->obj);
	kfree(m);
}

void aspace_destroy(struct aspace *as)
{
	sched_as_gone(as);
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
	list_for_each(it, &as->mappings) {
		struct mapping *m = list_entry(it, struct mapping, as_node);
		if (va >= m->va && va - m->va < m->npages * PAGE_SIZE)
			return m;
	}
	return NULL;
}

static bool range_ok(vaddr_t va, size_t bytes)
{
	return bytes && IS_ALIGNED(va, PAGE_SIZE) && IS_ALIGNED(bytes, PAGE_SIZE) && va >= PAGE_SIZE &&
	       va < arch_user_top() && bytes <= arch_user_top() - va;
}

err_t aspace_map(struct aspace *as, struct memobj *mo, vaddr_t va, size_t first, size_t npages,
		 unsigned prot, unsigned maxprot)
{
	struct mapping *m;
	size_t before;
	err_t e;

	if (!npages || first >= mo->npages || npages > mo->npages - first)
		return ERR_RANGE;
	if (!range_ok(va, npages * PAGE_SIZE))
		return ERR_INVAL;
	list_for_each(it, &as->mappings) {
		struct mapping *o = list_entry(it, struct mapping, as_node);
		if (va < o->va + o->npages * PAGE_SIZE && o->va < va + npages * PAGE_SIZE)
			return ERR_EXIST;
	}
	if (quota_charge(as->obj.quota, sizeof(*m)))
		return ERR_NOMEM;
	if (as->obj.quota && as->obj.quota->used + 4 * PAGE_SIZE > as->obj.quota->limit) {
		quota_uncharge(as->obj.quota, sizeof(*m));
		return ERR_NOMEM;    /* room for the tables this may need */
	}
	m = kzalloc(sizeof(*m));
	if (!m) {
		quota_uncharge(as->obj.quota, sizeof(*m));
		return ERR_NOMEM;
	}
	m->as = as;
	m->mo = mo;
	m->va = va;
	m->first = first;
	m->npages = npages;
	m->prot = prot | PROT_USER | ((mo->flags & MO_DEVICE) ? PROT_DEVICE : 0);
	m->maxprot = maxprot;
	kobj_get(&mo->obj);
	list_add_tail(&as->mappings, &m->as_node);
	list_add_tail(&mo->mappings, &m->mo_node);
	before = pt_tables_live;
	e = ERR_OK;
	for (size_t i = 0; i < npages && !e; i++)
		if (mo->pages[first + i] && (prot & (PROT_R | PROT_W | PROT_X)))  /* the rest fault in */
			e = pt_map(as->root, va + i * PAGE_SIZE, mo->pages[first + i], PAGE_SIZE,
				   page_prot(m, first + i));
	charge_tables(as, before);
	if (e)
		mapping_free(m);
	return e;
}

/* Splits m so that a mapping starts at va (m->va < va < end of m). */
static err_t mapping_split(struct mapping *m, vaddr_t va)
{
	struct mapping *n;
	size_t k = (va - m->va) / PAGE_SIZE;

	if (quota_charge(m->as->obj.quota, sizeof(*n)))
		return ERR_NOMEM;
	n = kzalloc(sizeof(*n));
	if (!n) {
		quota_uncharge(m->as->obj.quota, sizeof(*n));
		return ERR_NOMEM;
	}
	*n = *m;
	n->va = va;
	n->first = m->first + k;
	n->npages = m->npages - k;
	m->npages = k;
	kobj_get(&m->mo->obj);
	list_add_between(&n->as_node, &m->as_node, m->as_node.next);
	list_add_between(&n->mo_node, &m->mo_node, m->mo_node.next);
	return ERR_OK;
}

/* Splits the mappings at the edges of [va, end) so every mapping touched
 * is wholly inside or outside. */
static err_t split_edges(struct aspace *as, vaddr_t va, vaddr_t end)
{
	struct mapping *m = mapping_at(as, va);
	err_t e;

	if (m && m->va < va && (e = mapping_split(m, va)))
		return e;
	m = mapping_at(as, end - 1);
	if (m && m->va + m->npages * PAGE_SIZE > end && (e = mapping_split(m, end)))
		return e;
	return ERR_OK;
}

err_t aspace_unmap(struct aspace *as, vaddr_t va, size_t bytes)
{
	err_t e;

	if (!range_ok(va, bytes))
		return ERR_INVAL;
	if ((e = split_edges(as, va, va + bytes)))
		return e;
	list_for_each_safe(it, nx, &as->mappings) {
		struct mapping *m = list_entry(it, struct mapping, as_node);
		if (m->va >= va && m->va < va + bytes)
			mapping_free(m);
	}
	return ERR_OK;
}

err_t aspace_protect(struct aspace *as, vaddr_t va, size_t bytes, unsigned prot)
{
	err_t e;

	if (!range_ok(va, bytes))
		return ERR_INVAL;
	/* the rights of the capability used to map bound what protect may
	 * grant: more than that on any mapping in the range is ERR_PERM, with
	 * nothing changed (as AS_MAP refuses it) */
	list_for_each(it, &as->mappings) {
		struct mapping *m = list_entry(it, struct mapping, as_node);
		bool overlaps = m->va < va + bytes && va < m->va + m->npages * PAGE_SIZE;
		if (overlaps && (prot & ~m->maxprot))
			return ERR_PERM;
	}
	if ((e = split_edges(as, va, va + bytes)))
		return e;
	list_for_each(it, &as->mappings) {
		struct mapping *m = list_entry(it, struct mapping, as_node);
		if (m->va < va || m->va >= va + bytes)
			continue;
		m->prot = prot | PROT_USER | (m->prot & PROT_DEVICE);
		for (size_t i = 0; i < m->npages; i++)
			mapping_set_page(m, m->first + i);
	}
	return ERR_OK;
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
		/* the new mapping is the last one on the list */
		list_entry(as->mappings.prev, struct mapping, as_node)->share = m->share;
		(*count)++;
	}
	return ERR_OK;
}

bool aspace_fault(struct aspace *as, vaddr_t va, unsigned kind)
{
	struct mapping *m = mapping_at(as, ALIGN_DOWN(va, PAGE_SIZE));
	unsigned need = kind == TRAP_USER_FAULT_WRITE ? PROT_W :
			kind == TRAP_USER_FAULT_EXEC ? PROT_X : PROT_R;
	size_t i;

	if (!m || !(m->prot & need))
		return false;
	i = m->first + (ALIGN_DOWN(va, PAGE_SIZE) - m->va) / PAGE_SIZE;
	if (!m->mo->pages[i])                 /* first touch: a zeroed page, mapped everywhere */
		return memobj_page(m->mo, i) != PADDR_INVALID;
	if (kind != TRAP_USER_FAULT_WRITE)
		return false;
	if (memobj_unshare(m->mo, i))
		return false;
	/* sole holder now: make it writable everywhere it is mapped */
	memobj_update_page(m->mo, i);
	return true;
}

void aspace_activate(struct aspace *as)
{
	arch_as_activate(as->root);
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
