/* SPDX-License-Identifier: MIT */
/*
 * Exec images (IO_IMAGE, include/cairn/posix.h): a regular file's bytes in
 * a MemoryObject the VFS hands out read-only, so an exec takes the file in
 * one call instead of reading it a message at a time into memory of its
 * own (the process server's loader reads the object directly).
 *
 * The last IMAGE_SLOTS images made are kept, each with the file's inode
 * number, version (tmpfs: one more at every write or truncate) and size:
 * the next exec of an unchanged file gets the same object, and a changed
 * file gets a new one (its old image stays as it was: a snapshot, as a
 * running program's text is). The objects are charged to the VFS, so they
 * are bounded here: the least recently used goes when a new one needs its
 * place, and every one goes when the server's memory runs short (mem.c
 * asks before it fails). An image that goes is revoked, so no client can
 * keep the VFS's memory by holding a copy.
 */
#include "internal.h"

#define IMAGE_SLOTS  8

struct image {
	bool live;                        /* false: a free slot */
	cap_t mo;
	uint64_t ino, version, size;
	uint64_t used;                    /* image_clock at its last use */
};

static struct image images[IMAGE_SLOTS];
static uint64_t image_clock;

static void image_drop(struct image *im)
{
	cairn_cap_op(CAP_OP_REVOKE, im->mo, CAP_NULL, 0, 0, NULL);
	cairn_cap_delete(im->mo);
	*im = (struct image){ .live = false };
}

bool images_drop(void)
{
	bool any = false;

	for (unsigned i = 0; i < IMAGE_SLOTS; i++)
		if (images[i].live) {
			image_drop(&images[i]);
			any = true;
		}
	return any;
}

/* A new image of file n in mo: its pages mapped here, filled, unmapped. */
static err_t image_make(struct tmpfs_node *n, cap_t *out)
{
	uint64_t pages = (n->size + CAIRN_PAGE_SIZE - 1) / CAIRN_PAGE_SIZE;
	struct cairn_msg q;
	size_t got;
	void *va;
	cap_t mo;
	err_t e;

	/* the image's pages are ours until the last one goes: at most half
	 * of what is left of our quota (a big sparse file, made in a
	 * moment, would otherwise take the server's memory, and filling it
	 * would fault) */
	if (!cairn_invoke(SLOT_SELF_PROC, PROC_QUOTA, 0, 0, 0, 0, 0, &q) &&
	    (q.w[1] >= q.w[0] || pages > (q.w[0] - q.w[1]) / CAIRN_PAGE_SIZE / 2))
		return ERR_NOMEM;

	e = cairn_memobj_create(SLOT_SELF_PROC, pages, 0, &mo);
	if (e == ERR_NOMEM && images_drop())
		e = cairn_memobj_create(SLOT_SELF_PROC, pages, 0, &mo);
	if (e)
		return e;
	if ((e = cairn_map(mo, 0, pages, CAIRN_PROT_R | CAIRN_PROT_W, &va))) {
		cairn_cap_delete(mo);
		return e;
	}
	e = tmpfs_read(&fs, n, 0, va, (size_t)n->size, &got);
	cairn_unmap(va, pages);
	if (!e && got != n->size)
		e = ERR_IO;
	if (e) {
		cairn_cap_delete(mo);
		return e;
	}
	*out = mo;
	return ERR_OK;
}

void io_image(struct srv_req *r, struct srv_ans *a, struct handle *h)
{
	struct tmpfs_node *n = h->node;
	struct image *im = NULL, *lru = &images[0];

	if (h->kind != H_NODE || !tmpfs_is_reg(n) || is_snapshot(h) || !n->size) {
		a->err = ERR_INVAL;
		return;
	}
	if (!can_read(h)) {
		a->err = ERR_BADF;
		return;
	}
	fmap_sync(n);          /* a client's writes in the pages move the version */
	for (unsigned i = 0; i < IMAGE_SLOTS && !im; i++) {
		struct image *c = &images[i];

		if (c->live && c->ino == n->ino && c->version == n->version && c->size == n->size)
			im = c;
		else if (!c->live || (lru->live && c->used < lru->used))
			lru = c;
	}
	if (!im) {
		cap_t mo;

		if ((a->err = image_make(n, &mo)))
			return;
		if (lru->live)
			image_drop(lru);
		*lru = (struct image){ true, mo, n->ino, n->version, n->size, 0 };
		im = lru;
	}
	im->used = ++image_clock;
	if ((a->err = cairn_cap_copy(im->mo, RIGHT_READ, &a->caps[0])))
		return;
	a->made[0] = NO_ENTRY;
	a->ncaps = 1;
	a->w[0] = n->size;
	touch_atime(n);
	cred_exec_grant(r, n->mode, n->uid, n->gid, im->mo);   /* set-uid, set-gid */
}
