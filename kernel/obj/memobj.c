// SPDX-License-Identifier: MIT
/*
 * MemoryObject methods: its size, the physical address of a page (for
 * DMA), a copy-on-write copy, and reads and writes through the caller's
 * IPC buffer. MemoryObjects themselves (pages, copy-on-write, mappings)
 * are kernel/memory.c.
 */
#include <kernel/method.h>
#include <kernel/memory.h>
#include <kernel/log.h>

#define MEMOBJ(iv) ((struct memobj *)(iv)->obj)

/* The bytes of a message past its register words (w[4..] in the IPC buffer). */
#define MSG_BYTES_MAX ((CAIRN_MSG_MAX - CAIRN_MSG_REGS) * sizeof(uint64_t))

static void memobj_invoke_info(struct invocation *iv)
{
	iv->out->w[0] = MEMOBJ(iv)->npages;
	iv->out->w[1] = MEMOBJ(iv)->flags & MEMOBJ_CONTIG;
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
 * was charged when the object was made. The bytes come from the IPC
 * buffer, which the kernel maps itself (no user copy, no fault). */
static err_t memobj_decode_write(struct invocation *iv)
{
	unsigned len = cairn_tag_len(iv->in->tag);
	err_t e;

	if (!current->ipcbuf || iv->in->w[1] > (len - MIN(len, CAIRN_MSG_REGS)) * 8)
		return ERR_INVAL;
	if ((e = memobj_range_ok(MEMOBJ(iv), iv->in->w[0], iv->in->w[1])))
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
	if (!current->ipcbuf || iv->in->w[1] > MSG_BYTES_MAX)
		return ERR_INVAL;
	return memobj_range_ok(MEMOBJ(iv), iv->in->w[0], iv->in->w[1]);
}

static void memobj_invoke_read(struct invocation *iv)
{
	uint64_t len = iv->in->w[1];

	(void)memobj_read(MEMOBJ(iv), iv->in->w[0], &current->ipcbuf->w[CAIRN_MSG_REGS], len);
	iv->out->tag = cairn_tag(0, CAIRN_MSG_REGS + (len + 7) / 8, 0);
}

#define METHODS_FIRST MEMOBJ_INFO
static const struct method methods[] = {
	METHOD(MEMOBJ_INFO, 0, 0, NULL, memobj_invoke_info),
	METHOD(MEMOBJ_PADDR, RIGHT_MANAGE, 0, memobj_decode_paddr, memobj_invoke_paddr),
	METHOD(MEMOBJ_COPY, RIGHT_READ, 0, memobj_decode_copy, memobj_invoke_copy),
	METHOD(MEMOBJ_WRITE, RIGHT_WRITE, 0, memobj_decode_write, memobj_invoke_write),
	METHOD(MEMOBJ_READ, RIGHT_READ, 0, memobj_decode_read, memobj_invoke_read),
};

METHOD_TABLE(memobj_methods, methods, NULL);
