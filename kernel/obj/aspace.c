// SPDX-License-Identifier: MIT
/*
 * AddressSpace methods: map a MemoryObject or an MmioRegion, unmap,
 * change protection, and copy another space's mappings (fork). All need
 * the manage right. The mappings and page tables behind them are
 * kernel/memory.c and kernel/pgtable.c. AS_MAP, AS_UNMAP and AS_PROTECT
 * check everything and set aside the mapping records and page-table
 * pages they will need in decode (struct as_reserve, in their decoded
 * arguments), so invoke cannot fail; AS_COPY is an act (see
 * kernel/method.h), with every argument checked in decode.
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
	struct as_reserve r;
};

/* w2 = pages | prot << 48; the protection asked must be within what the
 * capability to the object allows (never execute for device memory). The
 * range is checked against existing mappings, and the mapping record and
 * page-table pages set aside. */
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
	if (a->prot & ~a->maxprot)
		return ERR_PERM;
	return aspace_map_prepare(ASPACE(iv), a->mo, iv->in->w[0], iv->in->w[1], a->npages, a->prot,
				  &a->r);
}

static void as_invoke_map(struct invocation *iv)
{
	struct as_map_args *a = METHOD_ARGS(struct as_map_args, iv);

	aspace_map_commit(ASPACE(iv), a->mo, iv->in->w[0], iv->in->w[1], a->npages, a->prot,
			  a->maxprot, &a->r)->share = a->share;
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

/* ---- AS_UNMAP, AS_PROTECT: (va, bytes); decode sets aside the records of
 * the splits at the range's edges (and for AS_PROTECT the page-table pages
 * re-mapping may need) ------------------------------------------------------------ */

struct as_range_args {
	struct as_reserve r;
};

static err_t as_decode_unmap(struct invocation *iv)
{
	struct as_range_args *a = METHOD_ARGS(struct as_range_args, iv);

	return aspace_unmap_prepare(ASPACE(iv), iv->in->w[0], iv->in->w[1], &a->r);
}

static void as_invoke_unmap(struct invocation *iv)
{
	struct as_range_args *a = METHOD_ARGS(struct as_range_args, iv);

	aspace_unmap_commit(ASPACE(iv), iv->in->w[0], iv->in->w[1], &a->r);
	kobj_reap();
}

static err_t as_decode_protect(struct invocation *iv)
{
	struct as_range_args *a = METHOD_ARGS(struct as_range_args, iv);

	if (iv->in->w[2] & ~7ull)
		return ERR_INVAL;
	return aspace_protect_prepare(ASPACE(iv), iv->in->w[0], iv->in->w[1],
				      prot_from_abi(iv->in->w[2]), &a->r);
}

static void as_invoke_protect(struct invocation *iv)
{
	struct as_range_args *a = METHOD_ARGS(struct as_range_args, iv);

	aspace_protect_commit(ASPACE(iv), iv->in->w[0], iv->in->w[1], prot_from_abi(iv->in->w[2]),
			      &a->r);
}

#define METHODS_FIRST AS_MAP
static const struct method methods[] = {
	METHOD(AS_MAP, RIGHT_MANAGE, 0, as_decode_map, as_invoke_map),
	METHOD(AS_UNMAP, RIGHT_MANAGE, 0, as_decode_unmap, as_invoke_unmap),
	METHOD(AS_PROTECT, RIGHT_MANAGE, 0, as_decode_protect, as_invoke_protect),
	METHOD_ACT(AS_COPY, RIGHT_MANAGE, 0, as_decode_copy, as_act_copy),
};

METHOD_TABLE(aspace_methods, methods, NULL);
