// SPDX-License-Identifier: MIT
/*
 * AddressSpace methods: map a MemoryObject or an MmioRegion, unmap,
 * change protection, and copy another space's mappings (fork). All need
 * the manage right. The mappings and page tables behind them are
 * kernel/memory.c and kernel/pgtable.c, which allocate mapping records
 * and page-table pages as they go and undo their own partial work on
 * failure: the four methods are therefore acts (see kernel/method.h),
 * with every argument checked in decode.
 */
#include <kernel/method.h>
#include <kernel/memory.h>

#define ASPACE(iv) ((struct aspace *)(iv)->obj)

static unsigned prot_from_abi(uint64_t p)
{
	return ((p & CAIRN_PROT_R) ? PROT_R : 0) | ((p & CAIRN_PROT_W) ? PROT_W : 0) |
	       ((p & CAIRN_PROT_X) ? PROT_X : 0);
}

static unsigned prot_from_rights(unsigned r)
{
	return ((r & RIGHT_READ) ? PROT_R : 0) | ((r & RIGHT_WRITE) ? PROT_W : 0) |
	       ((r & RIGHT_EXEC) ? PROT_X : 0);
}

/* ---- AS_MAP ----------------------------------------------------------------------- */

struct as_map_args {
	struct memobj *mo;
	unsigned prot, maxprot;
	size_t npages;
	bool share;
};

/* w2 = pages | prot << 48; the protection asked must be within what the
 * capability to the object allows (never execute for device memory). */
static err_t as_decode_map(struct invocation *iv)
{
	struct as_map_args *a = METHOD_ARGS(struct as_map_args, iv);
	uint64_t w2 = iv->in->w[2];
	struct cap *c;
	err_t e;

	if ((e = method_cap(iv, 0, OBJ_NONE, 0, &c)))
		return e;
	if ((c->obj->type != OBJ_MEMOBJ && c->obj->type != OBJ_MMIO) || (w2 >> 52))
		return ERR_INVAL;
	a->mo = (struct memobj *)c->obj;
	a->prot = prot_from_abi(w2 >> 48);
	a->share = (w2 >> 48) & CAIRN_PROT_SHARE;
	a->npages = w2 & ((1ull << 48) - 1);
	a->maxprot = prot_from_rights(c->rights);
	if (c->obj->type == OBJ_MMIO)
		a->maxprot &= ~PROT_X;
	return (a->prot & ~a->maxprot) ? ERR_PERM : ERR_OK;
}

/* An act: aspace_map() checks the range against existing mappings and
 * allocates the mapping and page-table pages as it goes. */
static err_t as_act_map(struct invocation *iv)
{
	struct as_map_args *a = METHOD_ARGS(struct as_map_args, iv);
	struct aspace *as = ASPACE(iv);
	err_t e = aspace_map(as, a->mo, iv->in->w[0], iv->in->w[1], a->npages, a->prot, a->maxprot);

	if (!e && a->share)
		list_entry(as->mappings.prev, struct mapping, as_node)->share = true;
	return e;
}

/* ---- AS_COPY ------------------------------------------------------------------------ */

struct as_copy_args {
	struct aspace *src;
};

static err_t as_decode_copy(struct invocation *iv)
{
	struct as_copy_args *a = METHOD_ARGS(struct as_copy_args, iv);
	struct cap *c;
	err_t e = method_cap(iv, 0, OBJ_ASPACE, RIGHT_MANAGE, &c);

	a->src = e ? NULL : (struct aspace *)c->obj;
	return e;
}

/* An act: every mapping of the source is made again here, each a new
 * copy-on-write MemoryObject; what was made before a failure stays (the
 * caller discards the space). */
static err_t as_act_copy(struct invocation *iv)
{
	struct as_copy_args *a = METHOD_ARGS(struct as_copy_args, iv);
	size_t n = 0;
	err_t e = aspace_copy(ASPACE(iv), a->src, &n);

	iv->out->w[0] = n;
	return e;
}

/* ---- AS_UNMAP, AS_PROTECT --------------------------------------------------------------- */

/* An act: unmapping part of a mapping splits it (a new mapping record). */
static err_t as_act_unmap(struct invocation *iv)
{
	err_t e = aspace_unmap(ASPACE(iv), iv->in->w[0], iv->in->w[1]);

	kobj_reap();
	return e;
}

static err_t as_decode_protect(struct invocation *iv)
{
	return (iv->in->w[2] & ~7ull) ? ERR_INVAL : ERR_OK;
}

/* An act: like unmapping, a change to part of a mapping splits it. */
static err_t as_act_protect(struct invocation *iv)
{
	return aspace_protect(ASPACE(iv), iv->in->w[0], iv->in->w[1], prot_from_abi(iv->in->w[2]));
}

#define METHODS_FIRST AS_MAP
static const struct method methods[] = {
	METHOD_ACT(AS_MAP, RIGHT_MANAGE, 0, as_decode_map, as_act_map),
	METHOD_ACT(AS_UNMAP, RIGHT_MANAGE, 0, NULL, as_act_unmap),
	METHOD_ACT(AS_PROTECT, RIGHT_MANAGE, 0, as_decode_protect, as_act_protect),
	METHOD_ACT(AS_COPY, RIGHT_MANAGE, 0, as_decode_copy, as_act_copy),
};

METHOD_TABLE(aspace_methods, methods, NULL);
