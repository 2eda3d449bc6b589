/* SPDX-License-Identifier: MIT */
/*
 * The ext2 server's protocols: the I/O protocol (IO_*) on open file
 * descriptions and the file-system protocol (FS_*) on directories, as
 * docs/vfs.md describes them for tmpfs, plus the mount requests of
 * include/cairn/posix.h (FS_COVER, FS_UNCOVER, FS_MOUNTED through the
 * admin capability, FS_STATFS, FS_SYNCFS, ERR_REMOTE answers). The work
 * is xfs.c's; this file checks the messages and answers.
 */
#include <string.h>
#include "ext2.h"
#undef LINUX_S_IFCHR             /* ext2fs.h's, the same value as tty.h's */
#include <cairn/tty.h>

static uint8_t *out(void) { return srv_out(); }

static bool can_read(const struct handle *h)
{
	unsigned acc = h->flags & LINUX_O_ACCMODE;

	return !(h->flags & LINUX_O_PATH) && (acc == LINUX_O_RDONLY || acc == LINUX_O_RDWR);
}

static bool can_write(const struct handle *h)
{
	unsigned acc = h->flags & LINUX_O_ACCMODE;

	return !(h->flags & LINUX_O_PATH) && (acc == LINUX_O_WRONLY || acc == LINUX_O_RDWR);
}

static void answer_stat(struct srv_ans *a, ext2_ino_t ino)
{
	struct posix_stat st;

	if ((a->err = xfs_stat(&xfs, ino, &st)))
		return;
	memcpy(out(), &st, sizeof(st));
	a->nbytes = sizeof(st);
}

/* An ERR_REMOTE answer: where xfs.c said (flags, the new path, cap0). */
static void answer_remote(struct srv_ans *a)
{
	struct xremote *rm = &xfs.remote;
	cap_t c;

	a->err = ERR_REMOTE;
	a->w[0] = rm->flags;
	a->w[1] = rm->len;
	if (rm->len > INLINE_MAX) {
		a->err = ERR_NAMETOOLONG;
		return;
	}
	memcpy(out(), rm->path, rm->len);
	a->nbytes = rm->len;
	if (rm->cap) {
		if (cairn_cap_copy((cap_t)rm->cap, RIGHT_WRITE | RIGHT_GRANT, &c)) {
			a->err = ERR_IO;
			a->nbytes = 0;
			return;
		}
		a->caps[a->ncaps] = c;
		a->made[a->ncaps] = NO_ENTRY;
		a->ncaps++;
	}
}

/* ---- the I/O protocol ----------------------------------------------------------------- */

static void io_seek(struct srv_ans *a, struct handle *h, int64_t off, uint64_t whence)
{
	uint64_t size;
	int64_t base;
	uint32_t mode;

	if ((a->err = xfs_mode(&xfs, h->ino, &mode)) || (a->err = xfs_size(&xfs, h->ino, &size)))
		return;
	if (whence == POSIX_SEEK_SET) {
		base = 0;
	} else if (whence == POSIX_SEEK_CUR) {
		base = (int64_t)h->pos;
	} else if (whence == POSIX_SEEK_END && !LINUX_S_ISDIR(mode)) {
		base = (int64_t)size;
	} else if ((whence == 3 || whence == 4) && !LINUX_S_ISDIR(mode)) {     /* SEEK_DATA, SEEK_HOLE */
		if (off < 0 || (uint64_t)off >= size) {
			a->err = ERR_NXIO;
			return;
		}
		h->pos = whence == 3 ? (uint64_t)off : size;
		a->w[0] = h->pos;
		return;
	} else {
		a->err = ERR_INVAL;
		return;
	}
	if (off > 0 && base > INT64_MAX - off) {
		a->err = ERR_OVERFLOW;
		return;
	}
	if (base + off < 0) {
		a->err = ERR_INVAL;
		return;
	}
	h->pos = (uint64_t)(base + off);
	a->w[0] = h->pos;
}

static void io_read(struct srv_ans *a, struct handle *h, uint64_t max, uint64_t off, bool at)
{
	size_t got;

	if (!can_read(h)) {
		a->err = ERR_BADF;
		return;
	}
	if (at && (int64_t)off < 0) {
		a->err = ERR_INVAL;
		return;
	}
	if (max > INLINE_MAX)
		max = INLINE_MAX;
	pages_sync(h->ino);           /* clients' stores in the pages first */
	if ((a->err = xfs_read(&xfs, h->ino, at ? off : h->pos, out(), (size_t)max, &got)))
		return;
	if (!at)
		h->pos += got;
	a->w[0] = got;
	a->nbytes = got;
}

static void io_write(struct srv_ans *a, const struct srv_req *r, struct handle *h, bool at)
{
	uint64_t n = r->w[0], off = r->w[1], size;
	size_t done;

	if (n > INLINE_MAX || n > r->nbytes) {
		a->err = ERR_INVAL;
		return;
	}
	if (!can_write(h)) {
		a->err = ERR_BADF;
		return;
	}
	if (at && (int64_t)off < 0) {
		a->err = ERR_INVAL;
		return;
	}
	if (h->flags & LINUX_O_APPEND) {
		if ((a->err = xfs_size(&xfs, h->ino, &size)))
			return;
		off = size;
	} else if (!at) {
		off = h->pos;
	}
	if (!n)
		return;
	image_forget(h->ino);
	if ((a->err = xfs_write(&xfs, h->ino, off, req_bytes, (size_t)n, &done)))
		return;
	pages_wrote(h->ino, off, req_bytes, done);
	if (!at)
		h->pos = off + done;
	a->w[0] = done;
}

static void io_poll(struct srv_ans *a, struct srv_req *r, struct handle *h, bool arm)
{
	uint32_t rev = LINUX_POLLIN | LINUX_POLLRDNORM | LINUX_POLLOUT | LINUX_POLLWRNORM;
	uint64_t id[4];

	if (arm && (!r->ncaps || r->caps[0] == CAP_NULL || cairn_cap_identify(r->caps[0], id) ||
		    id[0] != OBJ_NOTIFICATION || !(id[1] & RIGHT_WRITE))) {
		a->err = ERR_INVAL;
		return;
	}
	if (h->flags & LINUX_O_PATH)
		a->w[0] = LINUX_POLLNVAL;
	else
		a->w[0] = rev & ((uint32_t)r->w[0] | LINUX_POLLERR | LINUX_POLLHUP);
	if (arm && a->w[0])
		cairn_invoke(r->caps[0], NOTIFY_SIGNAL, 0, r->w[1], 0, 0, 0, NULL);
}

static void io_ioctl(struct srv_ans *a, const struct srv_req *r, struct handle *h)
{
	uint64_t size;
	uint32_t mode;
	int32_t v;

	switch (r->w[0]) {
	case LINUX_FIONREAD:
		if ((a->err = xfs_mode(&xfs, h->ino, &mode)) || (a->err = xfs_size(&xfs, h->ino, &size)))
			return;
		if (!LINUX_S_ISREG(mode)) {
			a->err = ERR_NOTTY;
			return;
		}
		size = size > h->pos ? size - h->pos : 0;
		v = size > INT32_MAX ? INT32_MAX : (int32_t)size;
		memcpy(out(), &v, sizeof(v));
		a->nbytes = sizeof(v);
		return;
	case LINUX_FIONBIO:
		if (r->nbytes < sizeof(v)) {
			a->err = ERR_INVAL;
			return;
		}
		memcpy(&v, req_bytes, sizeof(v));
		if (!is_fixed(h))
			h->flags = v ? h->flags | LINUX_O_NONBLOCK : h->flags & ~(uint32_t)LINUX_O_NONBLOCK;
		return;
	default:
		a->err = ERR_NOTTY;
	}
}

static void io_readdir(struct srv_ans *a, struct handle *h, uint64_t cookie, uint64_t max)
{
	size_t n;
	uint64_t next;

	if (cookie == POSIX_DIR_POS)
		cookie = h->pos;
	if (max > INLINE_MAX)
		max = INLINE_MAX;
	if ((a->err = xfs_readdir(&xfs, h->ino, cookie, out(), (size_t)max, &n, &next)))
		return;
	h->pos = next;
	a->w[0] = next;
	a->w[1] = n;
	a->nbytes = n;
}

void serve_io(struct srv_req *r, struct srv_ans *a)
{
	struct handle *h = r->obj;
	uint32_t mode;

	/* an O_PATH description only locates its file */
	if ((h->flags & LINUX_O_PATH) && r->label != IO_STAT && r->label != IO_DUP &&
	    r->label != IO_CLOSE && r->label != IO_GETFL && r->label != IO_POLL &&
	    r->label != IO_POLL_ARM) {
		a->err = ERR_BADF;
		return;
	}
	switch (r->label) {
	case IO_READ:
	case IO_PREAD:
		io_read(a, h, r->w[0], r->w[1], r->label == IO_PREAD);
		break;
	case IO_WRITE:
	case IO_PWRITE:
		if (can_write(h) && !h->fsetid)
			xfs_kill_setid(&xfs, h->ino);   /* a writer other than root (Linux) */
		io_write(a, r, h, r->label == IO_PWRITE);
		break;
	case IO_SEEK:
		io_seek(a, h, (int64_t)r->w[0], r->w[1]);
		break;
	case IO_STAT:
		pages_sync(h->ino);           /* clients' stores: on the disk, mtime moved */
		answer_stat(a, h->ino);
		break;
	case IO_TRUNCATE:
		if (!can_write(h) || xfs_mode(&xfs, h->ino, &mode) || !LINUX_S_ISREG(mode) || (int64_t)r->w[0] < 0)
			a->err = ERR_INVAL;
		else {
			image_forget(h->ino);
			if (!(a->err = xfs_truncate(&xfs, h->ino, r->w[0])))
				pages_truncated(h->ino);
			if (!a->err && !h->fsetid)
				xfs_kill_setid(&xfs, h->ino);
		}
		break;
	case IO_DUP:                      /* a new reference: the answer's capability */
		a->err = ref_give(a, h);
		break;
	case IO_CLOSE:                    /* the reference it came through goes */
		if (!is_fixed(h))
			lock_close(h, r->w[0]);   /* w0: the closing pid, whose locks go */
		if (req_ref)
			ref_close(req_ref);
		break;
	case IO_LOCK:
		io_lock(a, r, h);
		break;
	case IO_GETFL:
		a->w[0] = h->flags;
		break;
	case IO_SETFL:
		if (!is_fixed(h))
			h->flags = (h->flags & ~(uint32_t)(LINUX_O_APPEND | LINUX_O_NONBLOCK)) |
				   ((uint32_t)r->w[0] & (LINUX_O_APPEND | LINUX_O_NONBLOCK));
		break;
	case IO_IOCTL:
		io_ioctl(a, r, h);
		break;
	case IO_POLL:
	case IO_POLL_ARM:
		io_poll(a, r, h, r->label == IO_POLL_ARM);
		break;
	case IO_READDIR:
		io_readdir(a, h, r->w[0], r->w[1]);
		break;
	case IO_SYNC: {               /* fsync, fdatasync: the file's pages, then the
	                               * cache's dirty pages, to the device */
		err_t e = pages_sync(h->ino);
		a->err = xfs_fsync(&xfs);
		if (e)
			a->err = e;
		break;
	}
	case IO_PIPE_MAP:
	case IO_PIPE_KICK:
		a->err = ERR_INVAL;
		break;
	case IO_IMAGE:
		pages_sync(h->ino);
		io_image(r, a, h, can_read(h));
		break;
	case IO_FMAP:
		if ((r->w[0] & ~(uint64_t)(POSIX_FMAP_TABLE | POSIX_FMAP_ACCESS)) || r->w[1] > POSIX_FMAP_MAX)
			a->err = ERR_INVAL;
		else
			pages_fmap(a, h, r->w[0] & POSIX_FMAP_TABLE, r->w[1], can_write(h));
		/* writes to mapped pages never reach us: a description open
		 * for writing gets its pages here, where its writes begin */
		if (!a->err && can_write(h) && !h->fsetid)
			xfs_kill_setid(&xfs, h->ino);
		if (!a->err && (r->w[0] & POSIX_FMAP_ACCESS))
			xfs_accessed(&xfs, h->ino);     /* an mmap (Linux's file_accessed) */
		break;
	case IO_FEXTEND:
		pages_extend(a, r, h, can_write(h));
		if (!a->err && !h->fsetid)
			xfs_kill_setid(&xfs, h->ino);
		break;
	default:
		a->err = ERR_NOSYS;
	}
}

/* ---- the file-system protocol ------------------------------------------------------- */

/* A byte string of the request: len bytes at byte offset off. */
static err_t req_path(const struct srv_req *r, uint64_t off, uint64_t len, const char **p)
{
	if (len >= XFS_PATH_MAX)
		return ERR_NAMETOOLONG;
	if (off > r->nbytes || len > r->nbytes - off)
		return ERR_INVAL;
	*p = (const char *)req_bytes + off;
	return 0;
}

/* The second path's directory: cap0 (an object of this server: EXDEV
 * otherwise) or dflt. */
static err_t req_dir2(const struct srv_req *r, ext2_ino_t dflt, ext2_ino_t *d)
{
	struct handle *h2;
	uint64_t id[4];

	if (!r->ncaps) {
		if (!dflt)
			return ERR_NOTDIR;
		*d = dflt;
		return 0;
	}
	if (r->caps[0] == CAP_NULL || cairn_cap_identify(r->caps[0], id) || id[0] != OBJ_ENDPOINT)
		return ERR_BADF;
	if (id[3] != ep_id)
		return ERR_XDEV;
	if (!(h2 = handle_find(id[2])))
		return ERR_BADF;
	if (!is_dir_h(h2))
		return ERR_NOTDIR;
	*d = h2->ino;
	return 0;
}

/* The inode a by-path request names: the object itself for AT_EMPTY_PATH
 * and an empty path, else the path (length w2) from the directory. */
static err_t req_node(const struct srv_req *r, const struct handle *h, uint64_t flags, unsigned allowed,
		      ext2_ino_t *ino)
{
	const char *p;
	err_t e;

	if (flags & ~(uint64_t)allowed)
		return ERR_INVAL;
	if ((flags & LINUX_AT_EMPTY_PATH) && !r->w[2]) {
		*ino = h->ino;
		return 0;
	}
	if (!is_dir_h(h))
		return ERR_NOTDIR;
	if ((e = req_path(r, 0, r->w[2], &p)))
		return e;
	return xfs_find(&xfs, h->ino, p, r->w[2], (unsigned)flags, ino);
}

static bool admin(const struct srv_req *r);

static void fs_open(struct srv_ans *a, const struct srv_req *r, struct handle *h)
{
	struct handle *nh;
	const char *p;
	ext2_ino_t ino;
	uint32_t type;

	if (r->w[0] >> 32) {
		a->err = ERR_INVAL;
		return;
	}
	if ((a->err = req_path(r, 0, r->w[2], &p)))
		return;
	if ((a->err = xfs_open(&xfs, h->ino, p, r->w[2], (uint32_t)r->w[0] |
			       (r->w[1] & POSIX_OPEN_EXEC ? XFS_O_EXEC : 0), (uint32_t)r->w[1], &ino, &type)))
		return;
	if (r->w[0] & LINUX_O_TRUNC) {
		image_forget(ino);
		pages_truncated(ino);
	}
	if ((a->err = handle_new(ino, type, (uint32_t)r->w[0] & KEEP_FLAGS, &nh)))
		return;
	nh->sys = h->sys || admin(r);      /* a system service's objects stay its own */
	nh->fsetid = cred_root(xfs.cred);
	if ((r->w[0] & LINUX_O_TRUNC) && !nh->fsetid)
		xfs_kill_setid(&xfs, ino);       /* a truncate (Linux) */
	if ((a->err = give(a, nh)))
		return;
	a->w[0] = type;
	if (type == LINUX_S_IFIFO && !(r->w[0] & LINUX_O_PATH)) {
		/* a FIFO: its pipe is the VFS's (FS_FIFO), by st_dev and inode */
		struct posix_stat st;
		if (!xfs_stat(&xfs, ino, &st)) {
			a->w[0] |= POSIX_OPEN_FIFO;
			a->w[2] = ino;
			a->w[3] = (st.dev & 0xffffffffu) | (st.mode & 07777u) << 32;
		}
		return;
	}
	if (!(r->w[0] & LINUX_O_PATH))
		pages_opened(a, r, nh, can_write(nh));
}

static bool admin(const struct srv_req *r)
{
	return r->badge == POSIX_FS_ADMIN || r->badge == 0;
}

static void fs_mounts(struct srv_req *r, struct srv_ans *a)
{
	const char *p, *p2;
	uint64_t cap, old;

	if (!admin(r)) {
		a->err = ERR_PERM;
		return;
	}
	if ((a->err = req_path(r, 0, r->w[2], &p)))
		return;
	switch (r->label) {
	case FS_COVER:
		if (!r->ncaps || r->caps[0] == CAP_NULL) {
			a->err = ERR_INVAL;
			return;
		}
		if (!(a->err = xfs_cover(&xfs, p, r->w[2], r->caps[0])))
			r->caps[0] = CAP_NULL;              /* kept: the mounted root */
		return;
	case FS_UNCOVER:
		if (!(a->err = xfs_uncover(&xfs, p, r->w[2], &cap)))
			cairn_cap_delete((cap_t)cap);
		return;
	case FS_MOUNTED:
		if (!r->ncaps || r->caps[0] == CAP_NULL) {
			a->err = ERR_INVAL;
			return;
		}
		if ((a->err = req_path(r, r->w[2], r->w[3], &p2)))
			return;
		if (!(a->err = xfs_mounted(&xfs, p, r->w[2], p2, r->w[3], r->caps[0], &old))) {
			r->caps[0] = CAP_NULL;              /* kept: the covered directory */
			if (old)
				cairn_cap_delete((cap_t)old);
		}
		return;
	}
}

void serve_fs(struct srv_req *r, struct srv_ans *a)
{
	struct handle *h = r->obj;
	ext2_ino_t d = is_dir_h(h) ? h->ino : 0, d2, ino;
	const char *p, *p2;
	uint64_t l1 = r->w[2], l2 = r->w[3];

	/* who asks (docs/users.md): the token's user; without one, a system
	 * service's capability (the unbadged or admin one, what it opened) is
	 * root, a process's is nobody */
	xfs.cred = cred_take(r, admin(r) || h->sys);
	switch (r->label) {
	case FS_OPEN:
		if (!d)
			a->err = ERR_NOTDIR;
		else
			fs_open(a, r, h);
		goto out;
	case FS_STAT:
		if (!(a->err = req_node(r, h, r->w[0], LINUX_AT_SYMLINK_NOFOLLOW | LINUX_AT_NO_AUTOMOUNT |
					LINUX_AT_EMPTY_PATH, &ino))) {
			pages_sync(ino);
			answer_stat(a, ino);
		}
		goto out;
	case FS_CHMOD: {
		uint32_t mode;
		if ((a->err = req_node(r, h, r->w[1], LINUX_AT_SYMLINK_NOFOLLOW | LINUX_AT_EMPTY_PATH, &ino)) ||
		    (a->err = xfs_mode(&xfs, ino, &mode)))
			goto out;
		if (LINUX_S_ISLNK(mode) && (r->w[1] & LINUX_AT_SYMLINK_NOFOLLOW))
			a->err = ERR_OPNOTSUPP;
		else
			a->err = xfs_chmod(&xfs, ino, (uint32_t)r->w[0]);
		goto out;
	}
	case FS_UTIMENS: {
		uint64_t off = (l1 + 7) & ~7ull;
		int64_t t[4];

		if (l1 >= XFS_PATH_MAX) {
			a->err = ERR_NAMETOOLONG;
			goto out;
		}
		if (off > r->nbytes || r->nbytes - off < sizeof(t)) {
			a->err = ERR_INVAL;
			goto out;
		}
		memcpy(t, req_bytes + off, sizeof(t));
		if (!(a->err = req_node(r, h, r->w[0], LINUX_AT_SYMLINK_NOFOLLOW | LINUX_AT_EMPTY_PATH, &ino))) {
			pages_sync(ino);      /* a later write-back would move the times again */
			a->err = xfs_utimens(&xfs, ino, t);
		}
		goto out;
	}
	case FS_ACCESS:
		if ((a->err = req_node(r, h, r->w[1], LINUX_AT_EACCESS | LINUX_AT_SYMLINK_NOFOLLOW |
				       LINUX_AT_EMPTY_PATH, &ino)))
			goto out;
		a->err = r->w[0] & ~7ull ? ERR_INVAL :
			 xfs_access_as(&xfs, r->w[1] & LINUX_AT_EACCESS ? xfs.cred : cred_real(xfs.cred), ino,
				       (unsigned)r->w[0]);
		goto out;
	case FS_CHOWN:
		if (!(a->err = req_node(r, h, r->w[1], LINUX_AT_SYMLINK_NOFOLLOW | LINUX_AT_EMPTY_PATH, &ino)))
			a->err = xfs_chown(&xfs, ino, (uint32_t)r->w[0], (uint32_t)(r->w[0] >> 32));
		goto out;
	case FS_LINK:
		if (r->w[0] >> 32) {
			a->err = ERR_INVAL;
			goto out;
		}
		if ((a->err = req_path(r, 0, l1, &p)) || (a->err = req_path(r, l1, l2, &p2)) ||
		    (a->err = req_dir2(r, d, &d2)))
			goto out;
		if (!l1 && (r->w[0] & LINUX_AT_EMPTY_PATH))
			a->err = xfs_link(&xfs, 0, p, 0, h->ino, d2, p2, l2, (unsigned)r->w[0]);
		else if (!d)
			a->err = ERR_NOTDIR;
		else
			a->err = xfs_link(&xfs, d, p, l1, 0, d2, p2, l2, (unsigned)r->w[0]);
		goto out;
	case FS_STATFS: {
		struct posix_statfs sf;
		xfs_statfs(&xfs, &sf);
		memcpy(out(), &sf, sizeof(sf));
		a->nbytes = sizeof(sf);
		goto out;
	}
	case FS_SYNCFS: {
		err_t e = pages_sync_all();
		a->err = xfs_sync(&xfs);
		if (e)
			a->err = e;
		goto out;
	}
	case FS_COVER:
	case FS_UNCOVER:
	case FS_MOUNTED:
		fs_mounts(r, a);
		goto out;
	case FS_INUSE:
		/* umount's check: a client's object (hcount counts all but the
		 * root's and the admin's fixed entries) */
		a->err = !admin(r) ? ERR_PERM : hcount ? ERR_BUSY : ERR_OK;
		goto out;
	case FS_STOP:
		/* umount: everything written back and closed, then srv_run
		 * returns once this is answered and the server ends */
		if (!admin(r))
			a->err = ERR_PERM;
		else
			a->err = server_stop();
		goto out;
	default:
		break;
	}
	/* the rest are sent to a directory */
	if (!d) {
		a->err = ERR_NOTDIR;
		goto out;
	}
	switch (r->label) {
	case FS_MKDIR:
		if (!(a->err = req_path(r, 0, l1, &p)))
			a->err = xfs_mkdir(&xfs, d, p, l1, (uint32_t)r->w[0]);
		break;
	case FS_MKNOD:
		if (r->w[0] >> 32)
			a->err = ERR_INVAL;
		else if (!(a->err = req_path(r, 0, l1, &p)))
			a->err = xfs_mknod(&xfs, d, p, l1, (uint32_t)r->w[0], r->w[1]);
		break;
	case FS_UNLINK:
		if (r->w[0] >> 32)
			a->err = ERR_INVAL;
		else if (!(a->err = req_path(r, 0, l1, &p)))
			a->err = xfs_unlink(&xfs, d, p, l1, (unsigned)r->w[0]);
		break;
	case FS_RENAME:
		if (r->w[0] >> 32) {
			a->err = ERR_INVAL;
			break;
		}
		if ((a->err = req_path(r, 0, l1, &p)) || (a->err = req_path(r, l1, l2, &p2)) ||
		    (a->err = req_dir2(r, d, &d2)))
			break;
		a->err = xfs_rename(&xfs, d, p, l1, d2, p2, l2, (unsigned)r->w[0]);
		break;
	case FS_SYMLINK:
		if (!(a->err = req_path(r, 0, l1, &p)) && !(a->err = req_path(r, l1, l2, &p2)))
			a->err = xfs_symlink(&xfs, p, l1, d, p2, l2);
		break;
	case FS_READLINK: {
		size_t n;
		if (!(a->err = req_path(r, 0, l1, &p)) &&
		    !(a->err = xfs_readlink(&xfs, d, p, l1, (char *)out(), INLINE_MAX, &n))) {
			a->w[0] = n;
			a->nbytes = n;
		}
		break;
	}
	case FS_TRUNCATE:
		if ((int64_t)r->w[0] < 0)
			a->err = ERR_INVAL;
		else if (!(a->err = req_path(r, 0, l1, &p)) && !(a->err = xfs_find(&xfs, d, p, l1, 0, &ino)) &&
			 (xfs.ro || !(a->err = xfs_access_as(&xfs, xfs.cred, ino, CRED_W)))) {
			image_forget(ino);
			if (!(a->err = xfs_truncate(&xfs, ino, r->w[0])))
				pages_truncated(ino);
			if (!a->err && !cred_root(xfs.cred))
				xfs_kill_setid(&xfs, ino);
		}
		break;
	case FS_GETPATH: {
		static char path[XFS_PATH_MAX];
		size_t len;
		if ((a->err = xfs_getpath(&xfs, d, path, sizeof(path), &len)))
			break;
		if (len > INLINE_MAX) {
			a->err = ERR_RANGE;
			break;
		}
		memcpy(out(), path, len);
		a->w[0] = len;
		a->nbytes = len;
		break;
	}
	default:                      /* FS_PIPE: the VFS's; FS_MOUNT...: the mount table's */
		a->err = ERR_NOSYS;
	}
out:
	xfs.cred = NULL;
	if (a->err == ERR_REMOTE)
		answer_remote(a);
}
