/* SPDX-License-Identifier: MIT */
/*
 * Record and flock locks of the VFS's files (IO_LOCK, include/cairn/posix.h
 * "locks"): the table is libcairn's <cairn/lockf.h>, keyed by the node's
 * inode number; a request that waits (F_SETLKW, flock without LOCK_NB)
 * has its Reply saved and is answered when the lock is had. See
 * docs/vfs.md, "Locks".
 */
#include <cairn/lockf.h>
#include "internal.h"

static err_t lk_answer(uint64_t cookie, err_t err)
{
	return srv_answer_saved((cap_t)cookie, err, 0, 0, 0, 0, 0);
}

static struct lk_table locks = {
	.alloc = tmpfs_alloc,
	.release = tmpfs_free,
	.answer = lk_answer,
};

/* IO_LOCK on the description h */
void io_lock(struct srv_ans *a, const struct srv_req *r, struct handle *h)
{
	struct posix_stat st = { 0 };

	if (h->kind != H_NODE || is_root(h)) {
		a->err = ERR_INVAL;
		return;
	}
	if ((r->w[1] >> 8 & 0xffu) == POSIX_SEEK_END) {
		fmap_sync(h->node);
		tmpfs_stat(h->node, &st);
	}
	lk_pid_live = procfs_pid_live;
	lk_serve(&locks, r, a, h->node->ino, h->badge, st.size, can_read(h), can_write(h));
}

/* IO_CLOSE by process pid (0: not said): its POSIX locks on the file go. */
void lock_close(struct handle *h, uint64_t pid)
{
	if (h->kind == H_NODE && pid && pid <= UINT32_MAX && lk_busy(&locks, h->node->ino))
		lk_close_pid(&locks, h->node->ino, (uint32_t)pid);
}

/* The description h is being freed (its node not yet put): its OFD and
 * flock locks go; with it the node's last description, everything. */
void lock_desc_freed(struct handle *h)
{
	uint64_t key = h->node->ino;

	if (!lk_busy(&locks, key))
		return;
	lk_close_desc(&locks, key, h->badge);
	if (h->node->refs <= 1)
		lk_forget(&locks, key);
}

/* A reference of h went with a dead process (gone()): the POSIX locks of
 * processes that no longer live go (the process server says which). */
void lock_gone(struct handle *h)
{
	uint32_t pids[16];
	unsigned n;

	if (h->kind != H_NODE || !lk_busy(&locks, h->node->ino))
		return;
	n = lk_pids(&locks, h->node->ino, pids, 16);
	for (unsigned i = 0; i < n; i++)
		if (!procfs_pid_live(pids[i]))
			lk_close_pid(&locks, h->node->ino, pids[i]);
}
