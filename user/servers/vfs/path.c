/* SPDX-License-Identifier: MIT */
/*
 * The VFS server's paths: the file-system protocol of include/cairn/posix.h
 * (FS_*) on a directory object: open, make, link, rename, remove, stat,
 * read links, change modes and times, each by a path resolved from the
 * directory (tmpfs.c). FS_PIPE is in pipe.c.
 */
#include "internal.h"

/* ---- request helpers -------------------------------------------------------------- */

/* A byte string of the request: len bytes at byte offset off. */
static err_t req_path(const struct srv_req *r, uint64_t off, uint64_t len, const char **p)
{
	if (len >= TMPFS_PATH_MAX)
		return ERR_NAMETOOLONG;
	if (off > r->nbytes || len > r->nbytes - off)
		return ERR_INVAL;
	*p = (const char *)req_bytes + off;
	return ERR_OK;
}

/* The directory cap0 names (the second path's), or dflt without cap0: a
 * capability to our own endpoint (its object id), else another file
 * system's (EXDEV); badge 0 is refused. */
static err_t req_dir2(const struct srv_req *r, struct tmpfs_node *dflt, struct tmpfs_node **d)
{
	uint64_t id[4];
	struct handle *h2;

	if (!r->ncaps) {
		if (!dflt)
			return ERR_NOTDIR;
		*d = dflt;
		return ERR_OK;
	}
	if (r->caps[0] == CAP_NULL || cairn_cap_identify(r->caps[0], id) || id[0] != OBJ_ENDPOINT)
		return ERR_BADF;
	if (id[3] != vfs_ep_id)
		return ERR_XDEV;
	if (!id[2] || !(h2 = handle_find(id[2])))
		return ERR_BADF;
	if (!(*d = dir_of(h2)))
		return ERR_NOTDIR;
	return ERR_OK;
}

/* The node a by-path request names: the object itself for AT_EMPTY_PATH
 * and an empty path, else path (flags word, length word w2) from the
 * directory object. Pipes answer only for themselves (*node NULL). */
static err_t req_node(const struct srv_req *r, const struct handle *h, uint64_t flags,
		      unsigned allowed, struct tmpfs_node **node)
{
	struct tmpfs_node *d;
	const char *p;
	err_t e;

	*node = NULL;
	if (flags & ~(uint64_t)allowed)
		return ERR_INVAL;
	if ((flags & LINUX_AT_EMPTY_PATH) && !r->w[2]) {
		if (h->kind == H_NODE)
			*node = h->node;
		return ERR_OK;
	}
	if (!(d = dir_of(h)))
		return ERR_NOTDIR;
	if ((e = req_path(r, 0, r->w[2], &p)))
		return e;
	return tmpfs_find(&fs, d, p, r->w[2], (unsigned)flags, allowed, node);
}


/* ---- the file-system protocol ------------------------------------------------------ */

static void fs_open(struct srv_ans *a, const struct srv_req *r, struct handle *h)
{
	struct tmpfs_node *d = dir_of(h), *n;
	struct handle *nh;
	const char *p;
	uint8_t *snap = NULL;
	uint32_t snap_len = 0;

	if (!d) {
		a->err = ERR_NOTDIR;
		return;
	}
	if (r->w[0] >> 32) {
		a->err = ERR_INVAL;
		return;
	}
	if ((a->err = req_path(r, 0, r->w[2], &p)))
		return;
	if ((a->err = tmpfs_open(&fs, d, p, r->w[2], (uint32_t)r->w[0] |
				 (r->w[1] & POSIX_OPEN_EXEC ? TMPFS_O_EXEC : 0), (uint32_t)r->w[1], &n)))
		return;
	if (!(r->w[0] & LINUX_O_PATH) && (n->mode & TMPFS_S_IFMT) == TMPFS_S_IFBLK) {
		/* a disk's node (dev.c): mount(2) names it; nothing behind it here */
		tmpfs_node_put(&fs, n);
		a->err = ERR_NXIO;
		return;
	}
	if (!(r->w[0] & LINUX_O_PATH) && dev_is_tty(n)) {      /* a tty of the console server (dev.c) */
		uint64_t rdev = n->rdev;
		if (!(a->err = dev_open_tty(a, n)))
			a->w[0] = TMPFS_S_IFCHR | (rdev == DEV_TTY ? POSIX_OPEN_CTTY :
						   rdev == DEV_CONSOLE ? 0 : POSIX_OPEN_CLONE);
		tmpfs_node_put(&fs, n);
		return;
	}
	/* a /proc file: its text now (procfs.c) */
	if (tmpfs_is_reg(n) && (n->flags & TMPFS_F_SYNTH) && !(r->w[0] & LINUX_O_PATH) &&
	    (a->err = procfs_snapshot(n, &snap, &snap_len))) {
		tmpfs_node_put(&fs, n);
		return;
	}
	if ((a->err = handle_new(H_NODE, (uint32_t)r->w[0] & KEEP_FLAGS, &nh))) {
		if (snap)
			tmpfs_free(snap, snap_len ? snap_len : 1);
		tmpfs_node_put(&fs, n);
		return;
	}
	nh->node = n;
	nh->sys = h->sys || !r->badge;   /* a system service's objects stay its own */
	nh->fsetid = cred_root(fs.cred);
	if ((r->w[0] & LINUX_O_TRUNC) && !nh->fsetid && tmpfs_is_reg(n))
		n->mode = cred_write_mode(n->mode);   /* a truncate (Linux) */
	nh->snap = snap;
	nh->snap_len = snap_len;
	if ((a->err = give(a, nh)))
		return;
	a->w[0] = n->mode & TMPFS_S_IFMT;
	if ((n->mode & TMPFS_S_IFMT) == TMPFS_S_IFIFO && !(r->w[0] & LINUX_O_PATH)) {
		/* a FIFO: its pipe is FS_FIFO's (fifo.c), by dev and inode */
		a->w[0] |= POSIX_OPEN_FIFO;
		a->w[2] = n->ino;
		a->w[3] = 1 | (uint64_t)(n->mode & 07777u) << 32;
		return;
	}
	/* a regular file's pages too, when asked and it has bytes (an empty
	 * one gets them at its first IO_FMAP: create + unlink makes none) */
	if ((r->w[1] & POSIX_OPEN_FMAP) && tmpfs_is_reg(n) && (n->size || n->u.file.ext)) {
		static uint8_t have[POSIX_FMAP_SLOTS / 8];
		uint64_t at = (r->w[2] + 7) & ~7ull, k = 0;

		/* the bitmap: what was sent of it, the rest 0 */
		if ((r->w[1] & POSIX_OPEN_FMAP_HAVE) && at < r->nbytes) {
			k = r->nbytes - at < sizeof(have) ? r->nbytes - at : sizeof(have);
			memcpy(have, req_bytes + at, k);
			memset(have + k, 0, sizeof(have) - k);
		}
		if (fmap_answer(a, nh, 1, r->w[1] & POSIX_OPEN_FMAP_TABLE, 0, k ? have : NULL))
			a->w[1] = 0;
	}
}


static void serve_path(struct srv_req *r, struct srv_ans *a);

void serve_fs(struct srv_req *r, struct srv_ans *a)
{
	struct handle *h = r->obj;

	/* who asks (docs/users.md): the token's user; without one, a system
	 * service's capability (the unbadged endpoint, what it opened) is
	 * root, a process's is nobody */
	fs.cred = cred_take(r, !r->badge || h->sys);
	mount_trusted = !r->badge;      /* (the unbadged endpoint's holders: services) */
	if (r->label != FS_PIPE && is_root(r->obj) && mount_root_request(a)) {
		fs.cred = NULL;
		mount_trusted = false;
		return;
	}
	serve_path(r, a);
	fs.cred = NULL;
	if (a->err == ERR_REMOTE)
		mount_remote(a);
	mount_trusted = false;
}

static void serve_path(struct srv_req *r, struct srv_ans *a)
{
	struct handle *h = r->obj;
	struct tmpfs_node *d = dir_of(h), *d2, *n;
	struct posix_stat st;
	const char *p, *p2;
	uint64_t l1 = r->w[2], l2 = r->w[3];

	/* /proc/self: the caller's pid, in w3 of a one-path request */
	procfs_caller = r->label == FS_RENAME || r->label == FS_LINK || r->label == FS_SYMLINK ?
			0 : r->w[3];
	switch (r->label) {
	case FS_OPEN:
		fs_open(a, r, h);
		return;
	case FS_PIPE:
		fs_pipe(a, r);
		return;
	case FS_STAT:
		if ((a->err = req_node(r, h, r->w[0], LINUX_AT_SYMLINK_NOFOLLOW | LINUX_AT_NO_AUTOMOUNT |
				       LINUX_AT_EMPTY_PATH, &n)))
			return;
		if (n) {
			fmap_sync(n);
			tmpfs_stat(n, &st);
		} else {
			pipe_stat(h->pipe, &st);
		}
		answer_stat(a, &st);
		return;
	case FS_CHMOD:
		if ((a->err = req_node(r, h, r->w[1], LINUX_AT_SYMLINK_NOFOLLOW | LINUX_AT_EMPTY_PATH, &n)) || !n)
			return;
		if (tmpfs_is_lnk(n) && (r->w[1] & LINUX_AT_SYMLINK_NOFOLLOW))
			a->err = ERR_OPNOTSUPP;
		else
			a->err = tmpfs_chmod(&fs, n, (uint32_t)r->w[0]);
		return;
	case FS_UTIMENS: {
		uint64_t off = (l1 + 7) & ~7ull;
		int64_t t[4];

		if (l1 >= TMPFS_PATH_MAX) {
			a->err = ERR_NAMETOOLONG;
			return;
		}
		if (off > r->nbytes || r->nbytes - off < sizeof(t)) {
			a->err = ERR_INVAL;
			return;
		}
		memcpy(t, req_bytes + off, sizeof(t));
		if ((a->err = req_node(r, h, r->w[0], LINUX_AT_SYMLINK_NOFOLLOW | LINUX_AT_EMPTY_PATH, &n)) || !n)
			return;
		fmap_sync(n);              /* clients' stores before: a later look would move mtime again */
		a->err = tmpfs_utimens(&fs, n, t);
		return;
	}
	case FS_CHOWN:
		if ((a->err = req_node(r, h, r->w[1], LINUX_AT_SYMLINK_NOFOLLOW | LINUX_AT_EMPTY_PATH, &n)) || !n)
			return;
		a->err = tmpfs_chown(&fs, n, (uint32_t)r->w[0], (uint32_t)(r->w[0] >> 32));
		return;
	case FS_ACCESS:
		if ((a->err = req_node(r, h, r->w[1], LINUX_AT_EACCESS | LINUX_AT_SYMLINK_NOFOLLOW |
				       LINUX_AT_EMPTY_PATH, &n)))
			return;
		if (r->w[0] & ~7ull)
			a->err = ERR_INVAL;
		else if (n)
			a->err = tmpfs_access_as(r->w[1] & LINUX_AT_EACCESS ? fs.cred : cred_real(fs.cred), n,
						 (unsigned)r->w[0]);
		return;
	case FS_LINK:
		if (r->w[0] >> 32) {
			a->err = ERR_INVAL;
			return;
		}
		if ((a->err = req_path(r, 0, l1, &p)) || (a->err = req_path(r, l1, l2, &p2)))
			return;
		if ((a->err = req_dir2(r, d, &d2)))
			return;
		if (!l1 && (r->w[0] & LINUX_AT_EMPTY_PATH)) {
			if (h->kind != H_NODE) {
				a->err = ERR_NOENT;
				return;
			}
			a->err = tmpfs_link(&fs, h->node, p, 0, d2, p2, l2, (unsigned)r->w[0]);
			return;
		}
		if (!d) {
			a->err = ERR_NOTDIR;
			return;
		}
		a->err = tmpfs_link(&fs, d, p, l1, d2, p2, l2, (unsigned)r->w[0]);
		return;
	default:
		break;
	}
	/* the rest are sent to a directory */
	if (!d) {
		a->err = ERR_NOTDIR;
		return;
	}
	switch (r->label) {
	case FS_MKDIR:
		if (!(a->err = req_path(r, 0, l1, &p)))
			a->err = tmpfs_mkdir(&fs, d, p, l1, (uint32_t)r->w[0]);
		break;
	case FS_UNLINK:
		if (r->w[0] >> 32)
			a->err = ERR_INVAL;
		else if (!(a->err = req_path(r, 0, l1, &p)))
			a->err = tmpfs_unlink(&fs, d, p, l1, (unsigned)r->w[0]);
		break;
	case FS_RENAME:
		if (r->w[0] >> 32) {
			a->err = ERR_INVAL;
			break;
		}
		if ((a->err = req_path(r, 0, l1, &p)) || (a->err = req_path(r, l1, l2, &p2)) ||
		    (a->err = req_dir2(r, d, &d2)))
			break;
		a->err = tmpfs_rename(&fs, d, p, l1, d2, p2, l2, (unsigned)r->w[0]);
		break;
	case FS_SYMLINK:
		if (!(a->err = req_path(r, 0, l1, &p)) && !(a->err = req_path(r, l1, l2, &p2)))
			a->err = tmpfs_symlink(&fs, p, l1, d, p2, l2);
		break;
	case FS_MKNOD:
		if (((r->w[0] & TMPFS_S_IFMT) != TMPFS_S_IFSOCK && (r->w[0] & TMPFS_S_IFMT) != TMPFS_S_IFIFO) ||
		    (r->w[0] >> 32))
			a->err = ERR_INVAL;
		else if (!(a->err = req_path(r, 0, l1, &p)))
			a->err = tmpfs_mkdev(&fs, d, p, l1, (uint32_t)r->w[0], r->w[1]);
		break;
	case FS_READLINK: {
		const char *t;
		size_t tlen;

		if ((a->err = req_path(r, 0, l1, &p)) ||
		    (a->err = tmpfs_readlink(&fs, d, p, l1, &t, &tlen)))
			break;
		if (tlen > INLINE_MAX)
			tlen = INLINE_MAX;
		memcpy(ans_bytes, t, tlen);
		a->w[0] = tlen;
		a->nbytes = tlen;
		break;
	}
	case FS_TRUNCATE:
		if ((int64_t)r->w[0] < 0) {
			a->err = ERR_INVAL;
			break;
		}
		if ((a->err = req_path(r, 0, l1, &p)) ||
		    (a->err = tmpfs_find(&fs, d, p, l1, 0, 0, &n)))
			break;
		/* write permission, after what tmpfs_truncate says first (EISDIR, EROFS) */
		if (tmpfs_is_dir(n) || (n->flags & TMPFS_F_RDONLY) ||
		    !(a->err = tmpfs_access_as(fs.cred, n, CRED_W)))
			a->err = tmpfs_truncate(&fs, n, r->w[0]);
		if (!a->err && !cred_root(fs.cred) && tmpfs_is_reg(n))
			n->mode = cred_write_mode(n->mode);
		break;
	case FS_GETPATH: {
		static char path[TMPFS_PATH_MAX];
		size_t len;

		if ((a->err = tmpfs_getpath(&fs, d, path, sizeof(path), &len)))
			break;
		if (len > INLINE_MAX) {
			a->err = ERR_RANGE;
			break;
		}
		memcpy(ans_bytes, path, len);
		a->w[0] = len;
		a->nbytes = len;
		break;
	}
	default:
		a->err = ERR_NOSYS;
	}
}
