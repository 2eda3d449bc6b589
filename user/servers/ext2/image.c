/* SPDX-License-Identifier: MIT */
/*
 * Exec images (IO_IMAGE, include/cairn/posix.h), as the VFS's image.c: a
 * regular file's bytes in a MemoryObject handed out read-only, so an exec
 * takes the file in one call instead of a read a message.
 *
 * The last IMAGE_SLOTS images are kept, each with the file's inode number,
 * size and change times: the next exec of an unchanged file gets the same
 * object, a changed one a new one (the old stays as it was: a snapshot).
 * A write or truncate through this server forgets the file's images at
 * once (image_forget); a reused inode number has other change times. The objects are charged to the
 * server: the least recently used goes when a new one needs its place,
 * and every one when memory runs short; an image that goes is revoked, so
 * no client keeps the server's memory by holding a copy.
 */
#include <string.h>
#include <cairn/rt.h>             /* cairn_memobj_create, cairn_map (musl-port has them) */
#include "ext2.h"

#define IMAGE_SLOTS  4
#define CHUNK        (1u << 20)

struct image {
	bool live;
	cap_t mo;
	ext2_ino_t ino;
	uint64_t size;
	int64_t mtime[2], ctime[2];
	uint64_t used;
};

static struct image images[IMAGE_SLOTS];
static uint64_t image_clock;

static void image_drop(struct image *im)
{
	cairn_cap_op(CAP_OP_REVOKE, im->mo, CAP_NULL, 0, 0, NULL);
	cairn_cap_delete(im->mo);
	*im = (struct image){ .live = false };
}

void image_forget(ext2_ino_t ino)
{
	for (unsigned i = 0; i < IMAGE_SLOTS; i++)
		if (images[i].live && images[i].ino == ino)
			image_drop(&images[i]);
}

static bool images_drop(void)
{
	bool any = false;

	for (unsigned i = 0; i < IMAGE_SLOTS; i++)
		if (images[i].live) {
			image_drop(&images[i]);
			any = true;
		}
	return any;
}

/* A new image of inode ino (size bytes): pages mapped here, filled, unmapped. */
static err_t image_make(ext2_ino_t ino, uint64_t size, cap_t *out)
{
	uint64_t pages = (size + CAIRN_PAGE_SIZE - 1) / CAIRN_PAGE_SIZE;
	size_t got = 0;
	uint8_t *va;
	cap_t mo;
	err_t e;

	e = cairn_memobj_create(SLOT_SELF_PROC, pages, 0, &mo);
	if (e == ERR_NOMEM && images_drop())
		e = cairn_memobj_create(SLOT_SELF_PROC, pages, 0, &mo);
	if (e)
		return e;
	if ((e = cairn_map(mo, 0, pages, CAIRN_PROT_R | CAIRN_PROT_W, (void **)&va))) {
		cairn_cap_delete(mo);
		return e;
	}
	for (uint64_t off = 0; !e && off < size; off += got) {
		size_t n = size - off < CHUNK ? (size_t)(size - off) : CHUNK;
		if (!(e = xfs_read(&xfs, ino, off, va + off, n, &got)) && !got)
			e = ERR_IO;                     /* shorter than its size: corrupt */
	}
	cairn_unmap(va, pages);
	if (e) {
		cairn_cap_delete(mo);
		return e;
	}
	*out = mo;
	return 0;
}

void io_image(struct srv_req *r, struct srv_ans *a, struct handle *h, bool readable)
{
	struct image *im = NULL, *lru = &images[0];
	struct posix_stat st;

	if ((a->err = xfs_stat(&xfs, h->ino, &st)))
		return;
	if (!LINUX_S_ISREG(st.mode) || !st.size) {
		a->err = ERR_INVAL;
		return;
	}
	if (!readable) {
		a->err = ERR_BADF;
		return;
	}
	for (unsigned i = 0; i < IMAGE_SLOTS && !im; i++) {
		struct image *c = &images[i];

		if (c->live && c->ino == h->ino && c->size == st.size && c->mtime[0] == st.mtime_sec &&
		    c->mtime[1] == st.mtime_nsec && c->ctime[0] == st.ctime_sec && c->ctime[1] == st.ctime_nsec)
			im = c;
		else if (!c->live || (lru->live && c->used < lru->used))
			lru = c;
	}
	if (!im) {
		cap_t mo;

		if ((a->err = image_make(h->ino, st.size, &mo)))
			return;
		if (lru->live)
			image_drop(lru);
		*lru = (struct image){ true, mo, h->ino, st.size, { st.mtime_sec, st.mtime_nsec },
				       { st.ctime_sec, st.ctime_nsec }, 0 };
		im = lru;
	}
	im->used = ++image_clock;
	if ((a->err = cairn_cap_copy(im->mo, RIGHT_READ, &a->caps[0])))
		return;
	a->made[0] = NO_ENTRY;
	a->ncaps = 1;
	a->w[0] = st.size;
	cred_exec_grant(r, (uint32_t)st.mode, (uint32_t)st.uid, (uint32_t)st.gid, im->mo);   /* set-uid, set-gid */
}
