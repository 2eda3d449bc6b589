// SPDX-License-Identifier: MIT
/*
 * MemoryObject methods: its size, the physical address of a page (for
 * DMA), a copy-on-write copy, reads and writes through the caller's IPC
 * buffer, and the pager's methods (set the pager, supply, fail, dirty
 * pages, evict, resize). MemoryObjects themselves (pages, copy-on-write,
 * mappings) are kernel/memory.c, pagers kernel/pager.c.
 */
#include <kernel/method.h>
#include <kernel/memory.h>
#include <kernel/pager.h>
#include <kernel/log.h>

#define MEMOBJ(iv) ((struct memobj *)(iv)->obj)

/* The bytes of a message past its register words (w[4..] in the IPC buffer). */
#define MSG_BYTES_MAX ((CAIRN_MSG_MAX - CAIRN_MSG_REGS) * sizeof(uint64_t))

static void memobj_invoke_info(struct invocation *iv)
{
	struct memobj *mo = MEMOBJ(iv);

	iv->out->w[0] = mo->npages;
	iv->out->w[1] = (mo->flags & MEMOBJ_CONTIG) | ((mo->flags & MO_PAGED) ? MEMOBJ_PAGED : 0);
	iv->out->w[2] = memobj_pager(mo) ? mo->pager->size : mo->npages * PAGE_SIZE;
}

/* ---- MEMOBJ_PADDR ------------------------------------------------------------------- */

struct memobj_paddr_args {
	paddr_t pa;
};

/* The page is allocated here if it was never touched (the only way it
 * can fail): the physical address is then fixed for the object's life. */
static err_t memobj_decode_paddr(struct invocation *iv)
{
	struct memobj_paddr_args *a = METHOD_ARGS(struct memobj_paddr_args, iv);

	if (iv->in->w[0] >= MEMOBJ(iv)->npages)
		return ERR_RANGE;
	if (MEMOBJ(iv)->flags & (MO_PAGED | MO_COW))
		return ERR_INVAL;          /* its pages are the pager's to give */
	a->pa = memobj_page(MEMOBJ(iv), iv->in->w[0]);
	return a->pa == PADDR_INVALID ? ERR_NOMEM : ERR_OK;
}

static void memobj_invoke_paddr(struct invocation *iv)
{
	struct memobj_paddr_args *a = METHOD_ARGS(struct memobj_paddr_args, iv);

	iv->out->w[0] = a->pa;
}

/* ---- MEMOBJ_COPY -------------------------------------------------------------------- */

struct memobj_copy_args {
	struct cap *slot;
	struct memobj *copy;      /* made, not yet sharing the source's pages */
};

/* The slot and the copy (charged to the caller) are made here; the copy
 * is nobody's until invoke shares the pages and installs it. */
static err_t memobj_decode_copy(struct invocation *iv)
{
	struct memobj_copy_args *a = METHOD_ARGS(struct memobj_copy_args, iv);
	err_t e = cap_reserve(current->proc, CAP_NULL, &a->slot);

	if (!e)
		a->copy = memobj_copy_prepare(MEMOBJ(iv), current->proc->quota, &e);
	return e;
}

static void memobj_invoke_copy(struct invocation *iv)
{
	struct memobj_copy_args *a = METHOD_ARGS(struct memobj_copy_args, iv);

	memobj_copy_commit(MEMOBJ(iv), a->copy);
	cap_install(a->slot, &a->copy->obj, RIGHTS_ALL, 0);
	kobj_put(&a->copy->obj);
	iv->out->w[0] = cap_slot_of(a->slot);
}

/* ---- MEMOBJ_WRITE, MEMOBJ_READ: (offset, len), the bytes in w[4..] ------------------ */

/* The pages the write will allocate (first touches, or its own copy of a
 * page shared with a copy-on-write copy) are set aside here; the quota
 * was charged when the object was made (a copy's pages never touched:
 * allocated and charged here, memobj_fill()). The bytes come from the IPC
 * buffer, which the kernel maps itself (no user copy, no fault). */
static err_t memobj_decode_write(struct invocation *iv)
{
	unsigned len = cairn_tag_len(iv->in->tag);
	err_t e;

	if (!current->ipcbuf || iv->in->w[1] > (len - MIN(len, CAIRN_MSG_REGS)) * 8)
		return ERR_INVAL;
	if ((e = memobj_range_ok(MEMOBJ(iv), iv->in->w[0], iv->in->w[1])) ||
	    (e = memobj_present_ok(MEMOBJ(iv), iv->in->w[0], iv->in->w[1])) ||
	    (e = memobj_fill(MEMOBJ(iv), iv->in->w[0], iv->in->w[1])))
		return e;
	return memobj_reserve(memobj_write_needs(MEMOBJ(iv), iv->in->w[0], iv->in->w[1]));
}

static void memobj_invoke_write(struct invocation *iv)
{
	if (memobj_write(MEMOBJ(iv), iv->in->w[0], &current->ipcbuf->w[CAIRN_MSG_REGS], iv->in->w[1]))
		panic("memobj: a reserved write failed");
	memobj_release();
}

static err_t memobj_decode_read(struct invocation *iv)
{
	err_t e;

	if (!current->ipcbuf || iv->in->w[1] > MSG_BYTES_MAX)
		return ERR_INVAL;
	if ((e = memobj_range_ok(MEMOBJ(iv), iv->in->w[0], iv->in->w[1])))
		return e;
	return memobj_present_ok(MEMOBJ(iv), iv->in->w[0], iv->in->w[1]);
}

static void memobj_invoke_read(struct invocation *iv)
{
	uint64_t len = iv->in->w[1];

	(void)memobj_read(MEMOBJ(iv), iv->in->w[0], &current->ipcbuf->w[CAIRN_MSG_REGS], len);
	iv->out->tag = cairn_tag(0, CAIRN_MSG_REGS + (len + 7) / 8, 0);
}

/* ---- the pager's methods: MEMOBJ_SET_PAGER .. MEMOBJ_RESIZE ------------------------ */

/* Pages [first, first + count) lie within the first `limit` pages. */
static bool pages_in(uint64_t first, uint64_t count, uint64_t limit)
{
	return first <= limit && count <= limit - first;
}

/* The object invoked must be paged (ERR_INVAL). */
static err_t paged(const struct invocation *iv)
{
	return (MEMOBJ(iv)->flags & MO_PAGED) ? ERR_OK : ERR_INVAL;
}

struct memobj_pager_args {
	struct endpoint *ep;
	struct pager *p;              /* a new record (the object is not paged yet) */
};

/* An object paged already may take a new pager once its old one is gone
 * (a restarted server); any other must be fresh: no page, no copy. */
static err_t memobj_decode_set_pager(struct invocation *iv)
{
	struct memobj_pager_args *a = METHOD_ARGS(struct memobj_pager_args, iv);
	struct memobj *mo = MEMOBJ(iv);
	struct cap *c;
	err_t e;

	if ((e = method_cap(iv, 0, OBJ_ENDPOINT, RIGHT_READ, &c)))
		return e;
	a->ep = (struct endpoint *)c->obj;
	a->p = NULL;
	if (mo->flags & (MO_CONTIG | MO_PINNED | MO_COW))
		return ERR_INVAL;
	if (memobj_pager(mo) && mo->pager->ep)
		return ERR_BUSY;
	if (!memobj_pager(mo) && pager_absent(mo, 0, mo->npages) != mo->npages)
		return ERR_BUSY;
	if (iv->in->w[1] > mo->npages * PAGE_SIZE)
		return ERR_RANGE;
	if (!memobj_pager(mo) && !(a->p = pager_alloc(mo)))
		return ERR_NOMEM;
	return ERR_OK;
}

static void memobj_invoke_set_pager(struct invocation *iv)
{
	struct memobj_pager_args *a = METHOD_ARGS(struct memobj_pager_args, iv);

	if (a->p)
		pager_install(MEMOBJ(iv), a->p);
	pager_bind(MEMOBJ(iv), a->ep, iv->in->w[0], iv->in->w[1]);
}

struct memobj_supply_args {
	struct memobj *src;
};

/* The pages that will arrive are charged to the object's owner, and the
 * ones to copy (or zero) set aside, here. */
static err_t memobj_decode_supply(struct invocation *iv)
{
	struct memobj_supply_args *a = METHOD_ARGS(struct memobj_supply_args, iv);
	struct memobj *mo = MEMOBJ(iv);
	uint64_t first = iv->in->w[0], count = iv->in->w[1], sfirst = iv->in->w[2];
	size_t need, copies;
	struct cap *c;
	err_t e;

	if ((e = paged(iv)) || (e = method_cap(iv, 0, OBJ_MEMOBJ, RIGHT_READ, &c)))
		return e;
	a->src = (struct memobj *)c->obj;
	if (a->src == mo)
		return ERR_INVAL;
	if (!pages_in(first, count, (mo->pager->size + PAGE_SIZE - 1) / PAGE_SIZE) ||
	    !pages_in(sfirst, count, a->src->npages))
		return ERR_RANGE;
	need = pager_absent(mo, first, count);
	copies = pager_supply_copies(mo, first, count, a->src, sfirst);
	if (quota_charge(mo->obj.quota, need * PAGE_SIZE))
		return ERR_NOMEM;
	if ((e = memobj_reserve(copies))) {
		quota_uncharge(mo->obj.quota, need * PAGE_SIZE);
		return e;
	}
	return ERR_OK;
}

static void memobj_invoke_supply(struct invocation *iv)
{
	struct memobj_supply_args *a = METHOD_ARGS(struct memobj_supply_args, iv);

	iv->out->w[0] = pager_supply(MEMOBJ(iv), iv->in->w[0], iv->in->w[1], a->src, iv->in->w[2]);
	memobj_release();
}

/* (first, count) within the object's pages: FAIL, EVICT. */
static err_t memobj_decode_range(struct invocation *iv)
{
	err_t e = paged(iv);

	if (!e && !pages_in(iv->in->w[0], iv->in->w[1], MEMOBJ(iv)->npages))
		e = ERR_RANGE;
	return e;
}

static void memobj_invoke_fail(struct invocation *iv)
{
	iv->out->w[0] = pager_fail(MEMOBJ(iv), iv->in->w[0], iv->in->w[1]);
}

static void memobj_invoke_evict(struct invocation *iv)
{
	iv->out->w[0] = pager_evict(MEMOBJ(iv), iv->in->w[0], iv->in->w[1]);
}

static err_t memobj_decode_dirty(struct invocation *iv)
{
	if (iv->in->w[1] == 0 || iv->in->w[1] > 64)
		return paged(iv) ? paged(iv) : ERR_INVAL;
	return memobj_decode_range(iv);
}

static void memobj_invoke_dirty(struct invocation *iv)
{
	uint64_t next;

	iv->out->w[0] = pager_dirty_take(MEMOBJ(iv), iv->in->w[0], iv->in->w[1], &next);
	iv->out->w[1] = next;
}

static err_t memobj_decode_resize(struct invocation *iv)
{
	err_t e = paged(iv);

	if (!e)
		e = pager_resize_prepare(MEMOBJ(iv), iv->in->w[0],
					 METHOD_ARGS(struct pager_grow, iv));
	return e;
}

static void memobj_invoke_resize(struct invocation *iv)
{
	pager_resize(MEMOBJ(iv), iv->in->w[0], METHOD_ARGS(struct pager_grow, iv));
}

#define METHODS_FIRST MEMOBJ_INFO
static const struct method methods[] = {
	METHOD(MEMOBJ_INFO, 0, 0, NULL, memobj_invoke_info),
	METHOD(MEMOBJ_PADDR, RIGHT_MANAGE, 0, memobj_decode_paddr, memobj_invoke_paddr),
	METHOD(MEMOBJ_COPY, RIGHT_READ, 0, memobj_decode_copy, memobj_invoke_copy),
	METHOD(MEMOBJ_WRITE, RIGHT_WRITE, 0, memobj_decode_write, memobj_invoke_write),
	METHOD(MEMOBJ_READ, RIGHT_READ, 0, memobj_decode_read, memobj_invoke_read),
	METHOD(MEMOBJ_SET_PAGER, RIGHT_MANAGE, 0, memobj_decode_set_pager, memobj_invoke_set_pager),
	METHOD(MEMOBJ_SUPPLY, RIGHT_MANAGE, 0, memobj_decode_supply, memobj_invoke_supply),
	METHOD(MEMOBJ_FAIL, RIGHT_MANAGE, 0, memobj_decode_range, memobj_invoke_fail),
	METHOD(MEMOBJ_DIRTY, RIGHT_MANAGE, 0, memobj_decode_dirty, memobj_invoke_dirty),
	METHOD(MEMOBJ_EVICT, RIGHT_MANAGE, 0, memobj_decode_range, memobj_invoke_evict),
	METHOD(MEMOBJ_RESIZE, RIGHT_MANAGE, 0, memobj_decode_resize, memobj_invoke_resize),
};

METHOD_TABLE(memobj_methods, methods, NULL);
