/* SPDX-License-Identifier: MIT */
/*
 * Pagers: MemoryObjects whose absent pages come from a userland server
 * (kernel/pager.c; the ABI: MEMOBJ_SET_PAGER and the methods after it in
 * include/cairn/abi.h; how a file server uses it: docs/kernel.md).
 */
#ifndef KERNEL_PAGER_H
#define KERNEL_PAGER_H
#include <kernel/memory.h>
#include <kernel/ipc.h>

/* The state of one page of a paged object (struct pager.state[]). */
#define PS_QUEUED  0x01u    /* absent, asked for, not yet received by the pager */
#define PS_SENT    0x02u    /* absent, the pager received the request */
#define PS_WRITE   0x04u    /* a write asked for it (while PS_QUEUED) */
#define PS_DIRTY   0x08u    /* present, written since supplied or last reported */

struct pager {
	struct memobj *mo;
	struct endpoint *ep;          /* a reference; NULL: none set, or gone */
	uint64_t key;                 /* the badge of its requests */
	uint64_t size;                /* bytes; pages at or past it fault */
	uint8_t *state;               /* mo->npages entries, PS_* */
	struct list ep_node;          /* ep->paged: every object the endpoint pages */
	struct list req_node;         /* ep->pager_reqs while a page is PS_QUEUED */
	struct list waiters;          /* threads blocked on a page (qnode; page_wait) */
	struct process *binder;       /* the process whose MEMOBJ_SET_PAGER bound it */
	struct list binder_node;      /* binder->pagers */
	size_t queued;                /* pages PS_QUEUED */
	size_t qlow;                  /* no page below it is PS_QUEUED */
	size_t present;               /* pages present, each charged PAGE_SIZE */
};

static inline bool pager_dirty(const struct memobj *mo, size_t i)
{
	return memobj_pager(mo) && (mo->pager->state[i] & PS_DIRTY);
}

/* A pager record for mo (no pager set: every fault is FAULT_PAGER),
 * charged to mo's quota; NULL when out of quota or memory. */
struct pager *pager_alloc(struct memobj *mo);
/* Makes mo paged with p: the pages charged up front are given back. */
void pager_install(struct memobj *mo, struct pager *p);
/* MEMOBJ_SET_PAGER's change: requests go to ep (a reference taken). */
void pager_bind(struct memobj *mo, struct endpoint *ep, uint64_t key, uint64_t size);
/* mo is being destroyed: waiters retry (and find no mapping), the record
 * and the present pages' charges go. The pages are memobj_destroy()'s. */
void pager_destroy(struct memobj *mo);

/* A fault on absent page i of mo (paged, or a copy of a paged object);
 * see aspace_fault(). */
enum fault_result pager_fault(struct memobj *mo, size_t i, bool write, bool may_wait);
/* The next page request queued on ep, for a receiver: false when none. */
bool pager_take_request(struct endpoint *ep, uint64_t *badge, uint64_t w[4]);
/* The last capability that could receive on ep went: its objects'
 * pager is gone. */
void pager_endpoint_gone(struct endpoint *ep);
/* Process p, which bound objects to their pager, ended: they are detached
 * the same way. Its Endpoint may live on (init keeps a restarted server's),
 * but a new server never knows the dead one's objects: their absent pages
 * would be asked of it for ever. */
void pager_process_gone(struct process *p);

/* The methods' changes (kernel/obj/memobj.c checks and reserves first). */
/* Pages of [first, first + count) absent in mo. */
size_t pager_absent(const struct memobj *mo, size_t first, size_t count);
/* Of those, the ones the source cannot give by sharing (copies, zeros). */
size_t pager_supply_copies(const struct memobj *mo, size_t first, size_t count,
			   const struct memobj *src, size_t sfirst);
size_t pager_supply(struct memobj *mo, size_t first, size_t count, struct memobj *src,
		    size_t sfirst);
size_t pager_fail(struct memobj *mo, size_t first, size_t count);
uint64_t pager_dirty_take(struct memobj *mo, size_t first, size_t count, uint64_t *next);
size_t pager_evict(struct memobj *mo, size_t first, size_t count);
/* MEMOBJ_RESIZE: arrays for the grown object, charged (ERR_NOMEM), or
 * none needed; then the change. */
struct pager_grow {
	paddr_t *pages;
	uint8_t *state;
	size_t npages;
};
err_t pager_resize_prepare(struct memobj *mo, uint64_t size, struct pager_grow *g);
void pager_resize(struct memobj *mo, uint64_t size, struct pager_grow *g);

#endif
