/* SPDX-License-Identifier: MIT */
/*
 * Record and flock locks of the disk's files (IO_LOCK, include/cairn/posix.h
 * "locks"): libcairn's <cairn/lockf.h>, the VFS's code too, keyed by the
 * inode number. A killed process's POSIX locks go when the process server
 * ("proc", optional: the worlds with signals) says it no longer lives,
 * else when the file's last description closes. See docs/vfs.md, "Locks".
 */
#include <stdlib.h>
#include <cairn/lockf.h>
#include "ext2.h"

static bool pid_live(uint32_t pid);

static void *lk_alloc(size_t n) { return malloc(n); }
static void lk_release(void *p, size_t n) { (void)n; free(p); }

static err_t lk_answer(uint64_t cookie, err_t err)
{
	return srv_answer_saved((cap_t)cookie, err, 0, 0, 0, 0, 0);
}

static struct lk_table locks = { .alloc = lk_alloc, .release = lk_release, .answer = lk_answer };

static bool can(const struct handle *h, unsigned want)
{
	unsigned acc = h->flags & LINUX_O_ACCMODE;

	return !(h->flags & LINUX_O_PATH) && (acc == want || acc == LINUX_O_RDWR);
}

void io_lock(struct srv_ans *a, const struct srv_req *r, struct handle *h)
{
	uint64_t size = 0;

	if (is_fixed(h)) {
		a->err = ERR_INVAL;
		return;
	}
	if ((r->w[1] >> 8 & 0xffu) == POSIX_SEEK_END && (a->err = xfs_size(&xfs, h->ino, &size)))
		return;
	lk_pid_live = pid_live;
	lk_serve(&locks, r, a, h->ino, h->badge, size, can(h, LINUX_O_RDONLY), can(h, LINUX_O_WRONLY));
}

void lock_close(struct handle *h, uint64_t pid)
{
	if (pid && pid <= UINT32_MAX && lk_busy(&locks, h->ino))
		lk_close_pid(&locks, h->ino, (uint32_t)pid);
}

/* Before xfs_release(): the description's OFD and flock locks go, and
 * with the inode's last description everything. */
void lock_desc_freed(struct handle *h)
{
	if (!lk_busy(&locks, h->ino))
		return;
	lk_close_desc(&locks, h->ino, h->badge);
	if (xfs_holds(&xfs, h->ino) <= 1)
		lk_forget(&locks, h->ino);
}

static bool pid_live(uint32_t pid)
{
	static cap_t proc = CAP_NULL;
	static bool looked;
	struct cairn_msg m;

	if (!looked) {
		proc = cairn_cap("proc");
		looked = true;
	}
	if (proc == CAP_NULL)
		return true;
	m = cairn_call(proc, cairn_tag(PS_KILL, CAIRN_MSG_REGS, 0), pid, 0, POSIX_KILL_LIVE, 0);
	if (!m.err)
		for (unsigned i = 0; i < cairn_tag_ncaps(m.tag) && i < CAIRN_MSG_MAX_CAPS; i++)
			if (cairn_ipcbuf()->caps[i] != CAP_NULL)
				cairn_cap_delete(cairn_ipcbuf()->caps[i]);
	return m.err || cairn_tag_label(m.tag) != ERR_SRCH;
}

void lock_gone(struct handle *h)
{
	uint32_t pids[16];
	unsigned n;

	if (!lk_busy(&locks, h->ino))
		return;
	n = lk_pids(&locks, h->ino, pids, 16);
	for (unsigned i = 0; i < n; i++)
		if (!pid_live(pids[i]))
			lk_close_pid(&locks, h->ino, pids[i]);
}
