// SPDX-License-Identifier: MIT
/*
 * Pagers: MemoryObjects whose absent pages come from a userland server.
 *
 * Design note. A paged object (MO_PAGED) carries a struct pager: one
 * state byte a page (PS_*), the list of threads blocked on its pages and
 * its binding to the pager's Endpoint. A fault on an absent page never
 * allocates: it marks the page PS_QUEUED (once: a page already asked for
 * is not asked again), puts the object on the Endpoint's list of objects
 * with requests (an intrusive node: nothing is allocated), and blocks the
 * thread on the object's waiter list (thread.qnode, the page in
 * thread.page_wait). A receive on the Endpoint takes a request before any
 * message (pager_take_request(): a run of queued pages of one object, the
 * object's key as the badge), and a receiver already waiting gets it at
 * once (ipc_pager_kick()). The pager answers with MEMOBJ_SUPPLY (pages in,
 * waiters woken to retry) or MEMOBJ_FAIL (waiters get CAIRN_FAULT_PAGER).
 *
 * The pager is gone when the last capability that can receive on its
 * Endpoint is (endpoint.recv_caps, counted by object.c): every object it
 * paged is detached, its waiters fail and so does every later fault, so a
 * dead pager never leaves a thread blocked. A thread killed while it waits
 * is taken off the waiter list by sched_dequeue(); an upcall interrupts
 * the wait (the access is retried after it). The waits hold no reference:
 * an object destroyed under them wakes them to retry (and find no mapping).
 *
 * Pages of a paged object are charged to its owner's quota as they come
 * (pager.present), not up front: a file cache grows with use and shrinks
 * with MEMOBJ_EVICT. Dirty tracking: a supplied page is mapped read-only
 * until the first write, which sets PS_DIRTY and maps it writable;
 * MEMOBJ_DIRTY reports and clears the bits and write-protects the pages
 * again. A copy-on-write copy of a paged object (MEMOBJ_COPY, a private
 * mapping) keeps the object as cow_src: its absent pages are shared from
 * the object when present there, and asked of the pager when not.
 */
#include <kernel/pager.h>
#include <kernel/thread.h>
#include <kernel/log.h>
#include <string.h>

static inline struct page *pg(paddr_t pa) { return pmm_page(pa); }

/* Pages that hold `bytes` bytes (at most MEMOBJ_MAX). */
static size_t bytes_pages(uint64_t bytes)
{
	return (bytes + PAGE_SIZE - 1) / PAGE_SIZE;
}

struct pager *pager_alloc(struct memobj *mo)
{
	struct quota *q = mo->obj.quota;
	size_t bytes = sizeof(struct pager) + mo->npages;
	struct pager *p;

	if (quota_charge(q, bytes))
		return NULL;
	p = kzalloc(sizeof(*p));
	if (p)
		p->state = kzalloc(mo->npages);
	if (!p || !p->state) {
		kfree(p);
		quota_uncharge(q, bytes);
		return NULL;
	}
	p->mo = mo;
	list_init(&p->ep_node);
	list_init(&p->req_node);
	list_init(&p->waiters);
	list_init(&p->binder_node);
	return p;
}

void pager_install(struct memobj *mo, struct pager *p)
{
	if (mo->flags & MO_CHARGED)
		quota_uncharge(mo->obj.quota, mo->npages * PAGE_SIZE);
	mo->flags = (mo->flags & ~MO_CHARGED) | MO_PAGED;
	mo->pager = p;
}

void pager_bind(struct memobj *mo, struct endpoint *ep, uint64_t key, uint64_t size)
{
	struct pager *p = mo->pager;

	kobj_get(&ep->obj);
	p->ep = ep;
	p->key = key;
	p->size = size;
	list_add_tail(&ep->paged, &p->ep_node);
	p->binder = current->proc;
	list_add_tail(&current->proc->pagers, &p->binder_node);
}

/* Wakes the waiters on pages [first, end) with err; with ERR_OK only those
 * whose page is now present. */
static void pager_wake(struct pager *p, size_t first, size_t end, err_t err)
{
	list_for_each_safe(it, nx, &p->waiters) {
		struct thread *t = list_entry(it, struct thread, qnode);
		if (t->page_wait < first || t->page_wait >= end)
			continue;
		if (err == ERR_OK && !p->mo->pages[t->page_wait])
			continue;
		list_del(&t->qnode);
		sched_wake(t, err);
	}
}

/* Page i is no longer asked for (supplied, failed, dropped). */
static void page_settle(struct pager *p, size_t i)
{
	if (p->state[i] & PS_QUEUED) {
		p->queued--;
		if (!p->queued && list_linked(&p->req_node))
			list_del(&p->req_node);
	}
	p->state[i] &= ~(PS_QUEUED | PS_SENT | PS_WRITE);
}

/* Unbinds p from its endpoint: requests dropped, waiters failed (err). */
static void pager_detach(struct pager *p, err_t err)
{
	struct endpoint *ep = p->ep;

	if (ep) {
		for (size_t i = 0; i < p->mo->npages; i++)
			page_settle(p, i);
		list_del(&p->ep_node);
		p->ep = NULL;
		kobj_put(&ep->obj);
	}
	if (p->binder) {
		list_del(&p->binder_node);
		p->binder = NULL;
	}
	pager_wake(p, 0, SIZE_MAX, err);
}

void pager_destroy(struct memobj *mo)
{
	struct pager *p = mo->pager;
	struct quota *q = mo->obj.quota;

	pager_detach(p, ERR_AGAIN);
	quota_uncharge(q, p->present * PAGE_SIZE + sizeof(*p) + mo->npages);
	kfree(p->state);
	kfree(p);
	mo->pager = NULL;
}

void pager_endpoint_gone(struct endpoint *ep)
{
	while (!list_empty(&ep->paged))
		pager_detach(list_entry(ep->paged.next, struct pager, ep_node), ERR_IO);
}

void pager_process_gone(struct process *p)
{
	while (!list_empty(&p->pagers))
		pager_detach(list_entry(p->pagers.next, struct pager, binder_node), ERR_IO);
}

/* ---- faults and requests ----------------------------------------------------------- */

/* Asks the pager for page i (once). */
static void pager_request(struct pager *p, size_t i, bool write)
{
	uint8_t *st = &p->state[i];

	if (*st & (PS_QUEUED | PS_SENT)) {
		if (write && (*st & PS_QUEUED))
			*st |= PS_WRITE;
		return;
	}
	*st |= PS_QUEUED | (write ? PS_WRITE : 0);
	if (p->queued++ == 0 || i < p->qlow)
		p->qlow = i;
	if (!list_linked(&p->req_node))
		list_add_tail(&p->ep->pager_reqs, &p->req_node);
	ipc_pager_kick(p->ep);
}

bool pager_take_request(struct endpoint *ep, uint64_t *badge, uint64_t w[4])
{
	struct pager *p = list_first(&ep->pager_reqs, struct pager, req_node);
	size_t i, n = 0;
	bool write = false;

	if (!p)
		return false;
	for (i = p->qlow; !(p->state[i] & PS_QUEUED); i++)
		;
	for (; i + n < p->mo->npages && (p->state[i + n] & PS_QUEUED); n++) {
		uint8_t *st = &p->state[i + n];
		write |= *st & PS_WRITE;
		*st = (*st & ~(PS_QUEUED | PS_WRITE)) | PS_SENT;
	}
	p->queued -= n;
	p->qlow = i + n;
	list_del(&p->req_node);
	if (p->queued)          /* the other objects' requests come first */
		list_add_tail(&ep->pager_reqs, &p->req_node);
	*badge = p->key;
	w[0] = i;
	w[1] = n;
	w[2] = write ? CAIRN_PAGER_WRITE : 0;
	w[3] = 0;
	return true;
}

enum fault_result pager_fault(struct memobj *mo, size_t i, bool write, bool may_wait)
{
	struct memobj *root = memobj_cow_src(mo) ? mo->cow_src : mo;
	struct pager *p = root->pager;
	struct thread *self = current;
	err_t e;

	if (i >= root->npages || i >= bytes_pages(p->size))
		return FAULT_PAGER;
	if (root != mo && root->pages[i]) {
		/* a copy: share the page its source has (a write then copies it) */
		if (quota_charge(mo->obj.quota, PAGE_SIZE))
			return FAULT_REAL;      /* the copy's quota (MO_SLOTS) */
		mo->pages[i] = root->pages[i];
		pg(mo->pages[i])->refs++;
		memobj_protect_page(root, i);
		memobj_update_page(mo, i);
		return FAULT_FIXED;
	}
	if (!p->ep)
		return FAULT_PAGER;
	if (!may_wait)
		return FAULT_REAL;
	pager_request(p, i, write);
	self->page_wait = i;
	list_add_tail(&p->waiters, &self->qnode);
	e = sched_block(BK_PAGE, root, CAIRN_FOREVER);
	/* ERR_INTR (an upcall) and ERR_AGAIN (the object went): retry */
	return e == ERR_IO ? FAULT_PAGER : FAULT_FIXED;
}

/* ---- the methods' changes ---------------------------------------------------------- */

size_t pager_absent(const struct memobj *mo, size_t first, size_t count)
{
	size_t n = 0;

	for (size_t i = first; i < first + count; i++)
		n += !mo->pages[i];
	return n;
}

/* Can page k of src be shared (not copied) into a paged object? */
static bool supply_shares(const struct memobj *src, size_t k)
{
	return src->pages[k] && memobj_shareable(src);
}

size_t pager_supply_copies(const struct memobj *mo, size_t first, size_t count,
			   const struct memobj *src, size_t sfirst)
{
	size_t n = 0;

	for (size_t k = 0; k < count; k++)
		n += !mo->pages[first + k] && !supply_shares(src, sfirst + k);
	return n;
}

size_t pager_supply(struct memobj *mo, size_t first, size_t count, struct memobj *src,
		    size_t sfirst)
{
	struct pager *p = mo->pager;
	size_t n = 0;

	for (size_t k = 0; k < count; k++) {
		size_t i = first + k, s = sfirst + k;
		paddr_t pa;
		if (mo->pages[i])
			continue;
		if (supply_shares(src, s)) {
			pa = src->pages[s];
			pg(pa)->refs++;
			memobj_protect_page(src, s);   /* shared now: writes copy it */
		} else {
			pa = memobj_page_take(!src->pages[s]);
			if (pa == PADDR_INVALID)
				panic("pager: a reserved page is missing");
			if (src->pages[s])
				memcpy(phys_to_virt(pa), phys_to_virt(src->pages[s]), PAGE_SIZE);
			pg(pa)->refs = 1;
		}
		mo->pages[i] = pa;
		page_settle(p, i);
		p->state[i] &= ~PS_DIRTY;
		p->present++;
		memobj_update_page(mo, i);
		n++;
	}
	pager_wake(p, first, first + count, ERR_OK);
	return n;
}

size_t pager_fail(struct memobj *mo, size_t first, size_t count)
{
	struct pager *p = mo->pager;
	size_t n = 0;

	for (size_t i = first; i < first + count; i++) {
		if (mo->pages[i] || !(p->state[i] & (PS_QUEUED | PS_SENT)))
			continue;
		page_settle(p, i);
		n++;
	}
	/* a waiter on a present page was woken by its supply already */
	pager_wake(p, first, first + count, ERR_IO);
	return n;
}

uint64_t pager_dirty_take(struct memobj *mo, size_t first, size_t count, uint64_t *next)
{
	struct pager *p = mo->pager;
	uint64_t bits = 0;
	size_t i;

	for (size_t k = 0; k < count; k++) {
		if (!(p->state[first + k] & PS_DIRTY))
			continue;
		bits |= 1ull << k;
		p->state[first + k] &= ~PS_DIRTY;
		memobj_protect_page(mo, first + k);   /* the next write is seen */
	}
	for (i = first + count; i < mo->npages && !(p->state[i] & PS_DIRTY); i++)
		;
	*next = i;
	return bits;
}

/* Drops present page i: unmapped, uncharged, clean. */
static void pager_drop(struct memobj *mo, size_t i)
{
	struct pager *p = mo->pager;

	memobj_drop_page(mo, i);
	p->state[i] &= ~PS_DIRTY;
	p->present--;
	quota_uncharge(mo->obj.quota, PAGE_SIZE);
}

size_t pager_evict(struct memobj *mo, size_t first, size_t count)
{
	size_t n = 0;

	for (size_t i = first; i < first + count; i++) {
		if (!mo->pages[i] || pager_dirty(mo, i))
			continue;
		pager_drop(mo, i);
		n++;
	}
	return n;
}

err_t pager_resize_prepare(struct memobj *mo, uint64_t size, struct pager_grow *g)
{
	struct quota *q = mo->obj.quota;
	size_t npages, more;

	*g = (struct pager_grow){ NULL, NULL, 0 };
	if (size > MEMOBJ_MAX)
		return ERR_RANGE;
	npages = bytes_pages(size);
	if (npages <= mo->npages)
		return ERR_OK;
	more = npages - mo->npages;
	if (quota_charge(q, more * (sizeof(paddr_t) + 1)))
		return ERR_NOMEM;
	g->pages = kzalloc(npages * sizeof(paddr_t));
	g->state = kzalloc(npages);
	if (!g->pages || !g->state) {
		kfree(g->pages);
		kfree(g->state);
		quota_uncharge(q, more * (sizeof(paddr_t) + 1));
		return ERR_NOMEM;
	}
	g->npages = npages;
	return ERR_OK;
}

void pager_resize(struct memobj *mo, uint64_t size, struct pager_grow *g)
{
	struct pager *p = mo->pager;
	size_t end = bytes_pages(size);

	if (g->npages) {                /* charged by pager_resize_prepare() */
		memcpy(g->pages, mo->pages, mo->npages * sizeof(paddr_t));
		memcpy(g->state, p->state, mo->npages);
		kfree(mo->pages);
		kfree(p->state);
		mo->pages = g->pages;
		p->state = g->state;
		mo->npages = g->npages;
	}
	for (size_t i = end; i < mo->npages; i++) {
		if (mo->pages[i])
			pager_drop(mo, i);
		page_settle(p, i);
	}
	p->size = size;
	pager_wake(p, end, SIZE_MAX, ERR_IO);
}
