/* SPDX-License-Identifier: MIT */
/*
 * Path calls through the VFS (the file-system protocol of
 * include/cairn/posix.h). A request goes to the directory object a path
 * starts from: the root directory ("vfs") for an absolute path, the
 * working directory for AT_FDCWD, or the descriptor's object (the server
 * answers ENOTDIR when it is not a directory); the path travels inline,
 * not NUL-terminated, and a second path right after the first. The
 * working directory is a directory object of our own (O_PATH), replaced
 * by chdir and fchdir. The umask is applied here (the server takes modes
 * as they come).
 *
 * Paths longer than one message's inline bytes (4000) are ENAMETOOLONG,
 * as are those of POSIX_PATH_MAX (4096) bytes or more.
 *
 * A one-path request carries our pid in w3 (me()): the VFS resolves
 * /proc/self with it (include/cairn/posix.h, the file-system protocol).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cairn_impl.h"

#define INLINE_MAX  POSIX_INLINE_MAX

/* The umask: the process server keeps it across exec (PS_UMASK; the
 * start-up block says it), applied here. */
static long cur_umask = 022;

void __cairn_umask_start(void)
{
	const char *s = cairn_startup_kept("umask");
	long v = 0;

	if (!s)
		return;
	for (; *s >= '0' && *s <= '9'; s++)
		v = v * 10 + (*s - '0');
	cur_umask = v & 0777;
}

long __cairn_umask(long mask)
{
	long old = cur_umask;

	cur_umask = mask & 0777;
	if (__cairn_proc != CAP_NULL)
		__cairn_ipc(__cairn_proc, PS_UMASK, (uint64_t)cur_umask, 0, 0, 0, 0, 0, IPC_ALWAYS, NULL);
	return old;
}

static long no_vfs(void)
{
	__cairn_unimplemented(CAIRN_UNIMP_OTHER, 0x30000, "files without a \"vfs\" capability are");
	return -ENOSYS;
}

/* The length of path: ENAMETOOLONG, ENOENT for an empty one unless empty_ok. */
static long path_len(const char *path, size_t *len, int empty_ok)
{
	size_t n = strnlen(path, POSIX_PATH_MAX);

	if (n >= POSIX_PATH_MAX || n > INLINE_MAX)
		return -ENAMETOOLONG;
	if (!n && !empty_ok)
		return -ENOENT;
	*len = n;
	return 0;
}

/* The object a path starts from. */
static long dir_cap(long dirfd, const char *path, cap_t *out)
{
	struct cairn_fd *f;

	if (__cairn_root == CAP_NULL)
		return no_vfs();
	if (path && path[0] == '/') {
		*out = __cairn_root;
		return 0;
	}
	if (dirfd == AT_FDCWD) {
		if (__cairn_cwd == CAP_NULL)
			return -ENOENT;
		*out = __cairn_cwd;
		return 0;
	}
	if (!(f = __cairn_fd(dirfd)))
		return -EBADF;
	if (f->kind != FDK_IO)
		return -ENOTDIR;
	*out = f->cap;
	return 0;
}

static uint64_t me(void);
/* The length of path and the directory it starts from. */
static long start(long dirfd, const char *path, cap_t *dir, size_t *len, int empty_ok)
{
	long r;

	(void)me();       /* our pid known now: asking for it later would use the IPC buffer */
	if ((r = path_len(path, len, empty_ok)) || (r = dir_cap(dirfd, path, dir)))
		return r;
	return 0;
}

/* Our credential token as the last of ncaps capabilities of a file
 * request (docs/users.md): the file server asks the process server who we
 * are through it. The new count. */
unsigned __cairn_with_cred(unsigned ncaps)
{
	if (__cairn_cred == CAP_NULL)
		return ncaps;
	cairn_ipcbuf()->caps[ncaps] = __cairn_cred;
	return ncaps + 1;
}

/* w3 of a one-path request: our pid, for /proc/self (0: none) */
static uint64_t me(void)
{
	return __cairn_proc != CAP_NULL ? (uint64_t)__cairn_getpid() : 0;
}

/* ---- requests across mounts (include/cairn/posix.h, "mounts") -------------------- */

/* A one-path request: label, w0, w1, the path, and for FS_SYMLINK the
 * target before it, for FS_UTIMENS the times after it (8-byte aligned). */
struct req {
	uint32_t label;
	uint64_t w0, w1;
	const char *pre;
	size_t prelen;
	const void *post;
	size_t postlen;
	uint64_t post_bit;     /* set: post is optional, sent with this w1 bit; both are
	                        * dropped (here too) when a path leaves no room */
};

/* Two capabilities to the same object with the same badge. */
int __cairn_same_object(cap_t a, cap_t b)
{
	uint64_t x[4], y[4];

	return !cairn_cap_identify(a, x) && !cairn_cap_identify(b, y) && x[2] == y[2] && x[3] == y[3];
}

/* The VFS root said "/" is another server's: its root is ours from now on
 * (a working directory that was the old root follows). */
static void new_root(cap_t root, cap_t *dir)
{
	int cwd_was_root = __cairn_cwd != CAP_NULL && __cairn_root != CAP_NULL &&
			   __cairn_same_object(__cairn_cwd, __cairn_root);
	int dir_is_cwd = *dir == __cairn_cwd;
	cap_t old = __cairn_root, c;

	__cairn_root = root;
	if (old != __cairn_vfs)
		cairn_cap_delete(old);
	if (cwd_was_root && !cairn_cap_copy(root, RIGHTS_ALL, &c)) {
		cap_t oc = __cairn_cwd;
		__cairn_cwd = c;
		cairn_cap_delete(oc);      /* a copy of the old root: no reference to drop */
	}
	*dir = dir_is_cwd ? __cairn_cwd : __cairn_root;
}

/* Sends q with path (len bytes) to dir, following redirects: the answer's
 * error, the answer in *a. ERR_REMOTE only with POSIX_REMOTE_SPLIT. */
static err_t path_ipc(cap_t dir, struct req *q, const char *path, size_t len,
		      struct cairn_ans *a)
{
	char buf[POSIX_PATH_MAX];
	struct cairn_ans own;
	uint64_t pid = me();
	cap_t held = CAP_NULL, got;
	unsigned hops = 0;
	err_t e;

	if (!a)
		a = &own;
	for (;;) {
		char *d = (char *)__cairn_ipc_data();
		size_t n = q->prelen + len;

		if (n > INLINE_MAX) {
			e = ERR_NAMETOOLONG;
			break;
		}
		memcpy(d, q->pre, q->prelen);
		memcpy(d + q->prelen, path, len);
		if (q->postlen && q->post_bit &&
		    ((len + 7) & ~(size_t)7) + q->postlen > INLINE_MAX) {
			q->postlen = 0;
			q->w1 &= ~q->post_bit;
		}
		if (q->postlen) {
			n = (len + 7) & ~(size_t)7;
			if (n + q->postlen > INLINE_MAX) {
				e = ERR_NAMETOOLONG;
				break;
			}
			memcpy(d + n, q->post, q->postlen);
			n += q->postlen;
		}
		e = __cairn_ipc(dir, q->label, q->w0, q->w1, q->label == FS_SYMLINK ? q->prelen : len,
				q->label == FS_SYMLINK ? len : pid, n, __cairn_with_cred(0), IPC_RESTART, a);
		if (e != ERR_REMOTE)
			break;
		got = a->ncaps ? cairn_ipcbuf()->caps[0] : CAP_NULL;
		if (a->w[0] & POSIX_REMOTE_SPLIT) {
			if (got != CAP_NULL)
				cairn_cap_delete(got);
			break;
		}
		if (++hops > POSIX_REMOTE_MAX) {
			if (got != CAP_NULL)
				cairn_cap_delete(got);
			e = ERR_LOOP;
			break;
		}
		if (a->w[0] & POSIX_REMOTE_NEWROOT) {
			if (got == CAP_NULL) {
				e = ERR_IO;
				break;
			}
			new_root(got, &dir);
			continue;
		}
		if ((a->w[0] & POSIX_REMOTE_ROOT) && !a->w[1]) {
			if (got != CAP_NULL)
				cairn_cap_delete(got);
			dir = __cairn_root;       /* again, the path as it was */
			continue;
		}
		if (a->w[1] > a->nbytes || a->w[1] >= POSIX_PATH_MAX || !a->w[1]) {
			if (got != CAP_NULL)
				cairn_cap_delete(got);
			e = ERR_IO;
			break;
		}
		len = a->w[1];
		memcpy(buf, __cairn_ipc_data(), len);
		path = buf;
		if (a->w[0] & POSIX_REMOTE_ROOT) {
			if (got != CAP_NULL)
				cairn_cap_delete(got);
			dir = __cairn_root;
			continue;
		}
		if (got == CAP_NULL) {
			e = ERR_IO;
			break;
		}
		if (held != CAP_NULL)
			cairn_cap_delete(held);   /* a redirect's copy: no reference of ours */
		dir = held = got;
	}
	if (held != CAP_NULL)
		cairn_cap_delete(held);
	return e;
}

/* A request of one path from dirfd, answered with words only. */
static long path_simple(long dirfd, const char *path, int empty_ok, uint32_t label, uint64_t w0,
			uint64_t w1)
{
	struct req q = { .label = label, .w0 = w0, .w1 = w1 };
	size_t len;
	cap_t dir;
	long r;

	if ((r = start(dirfd, path, &dir, &len, empty_ok)))
		return r;
	return cairn_errno(path_ipc(dir, &q, path, len, NULL));
}

static long free_fd_exists(void)
{
	for (long fd = 0; fd < __cairn_fd_limit; fd++)
		if (!__cairn_fd(fd))
			return 0;
	return -EMFILE;
}

/* FS_OPEN: the new object's capability and its type; *a the answer (its
 * other capabilities still in the IPC buffer) when a is not NULL, else
 * they are deleted. */
static long open_obj(long dirfd, const char *path, long flags, long mode, cap_t *obj, uint32_t *type,
		     struct cairn_ans *out, uint64_t *bits, uint8_t *have, size_t *havelenp)
{
	struct cairn_ans a;
	size_t len, havelen = 0;
	uint64_t fm = 0;
	cap_t dir;
	long r;
	err_t e;

	if ((r = start(dirfd, path, &dir, &len, 0)))
		return r;
	if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE)
		mode &= ~cur_umask;
	if (out)
		fm = __cairn_fmap_open_bits((uint32_t)flags, have, &havelen);
	struct req q = { .label = FS_OPEN, .w0 = (uint32_t)flags,
			 .w1 = ((uint64_t)mode & (07777 | POSIX_OPEN_EXEC)) | fm,
			 .post = have, .postlen = havelen, .post_bit = POSIX_OPEN_FMAP_HAVE };
	e = path_ipc(dir, &q, path, len, &a);
	if (out) {
		*bits = q.w1 & ~(uint64_t)07777;
		*havelenp = q.postlen;
	}
	if (e)
		return cairn_errno(e);
	if (a.ncaps < 1)
		return -EIO;
	*obj = cairn_ipcbuf()->caps[0];
	*type = (uint32_t)a.w[0] & S_IFMT;
	if (out)
		*out = a;
	else
		for (unsigned i = 1; i < a.ncaps; i++)
			cairn_cap_delete(cairn_ipcbuf()->caps[i]);
	return 0;
}

/* A cloning device (/dev/ptmx, /dev/pts/N: the VFS answered POSIX_OPEN_CLONE
 * and a capability to the console server's opener): the description
 * itself comes from TTY_PTY_OPEN on it (include/cairn/posix.h). A session
 * leader sends its session and "proc", so that a slave of no session
 * becomes its controlling terminal, as an open does on Linux. */
static long tty_clone(cap_t *obj, long flags)
{
	struct cairn_ans a;
	uint64_t sid = 0;
	unsigned ncaps = 0;
	err_t e;

	if (__cairn_proc != CAP_NULL && !(flags & O_NOCTTY)) {
		long s = __cairn_getsid(0);
		if (s > 0 && s == __cairn_getpid()) {
			sid = (uint64_t)s;
			cairn_ipcbuf()->caps[0] = __cairn_proc;
			ncaps = 1;
		}
	}
	e = __cairn_ipc(*obj, TTY_PTY_OPEN, (uint64_t)flags & (O_NONBLOCK | O_NOCTTY), sid, 0, 0, 0,
			ncaps, IPC_ALWAYS, &a);
	cairn_cap_delete(*obj);
	*obj = CAP_NULL;
	if (e)
		return cairn_errno(e);
	if (a.ncaps < 1)
		return -EIO;
	*obj = cairn_ipcbuf()->caps[0];
	for (unsigned i = 1; i < a.ncaps; i++)
		cairn_cap_delete(cairn_ipcbuf()->caps[i]);
	return 0;
}

/* A FIFO (its server answered POSIX_OPEN_FIFO, its inode and st_dev): its
 * pipe is the VFS's, FS_FIFO's, which may wait for the other side (a
 * signal handler interrupts it: EINTR, or again under SA_RESTART). The
 * description of the node goes. */
static long fifo_open(cap_t *obj, long flags, uint64_t ino, uint64_t dev)
{
	struct cairn_ans a;
	err_t e;

	__cairn_io_release(*obj);
	*obj = CAP_NULL;
	e = __cairn_ipc(__cairn_vfs, FS_FIFO, (uint64_t)flags & (O_ACCMODE | O_NONBLOCK), ino, dev, 0, 0, 0,
			IPC_RESTART, &a);
	if (e)
		return cairn_errno(e);
	if (a.ncaps < 1)
		return -EIO;
	*obj = cairn_ipcbuf()->caps[0];
	for (unsigned i = 1; i < a.ncaps; i++)
		cairn_cap_delete(cairn_ipcbuf()->caps[i]);
	return 0;
}

long __cairn_openat(long dirfd, const char *path, long flags, long mode)
{
	uint64_t have[FMAP_HAVE_BYTES / 8];
	struct cairn_ans a;
	size_t havelen;
	uint64_t bits;
	uint32_t type;
	cap_t obj;
	long r, fd;

	if ((r = free_fd_exists()))
		return r;
	if ((r = open_obj(dirfd, path, flags, mode, &obj, &type, &a, &bits, (uint8_t *)have, &havelen)))
		return r;
	if ((a.w[0] & POSIX_OPEN_CLONE) && (r = tty_clone(&obj, flags)))
		return r;
	if ((a.w[0] & POSIX_OPEN_FIFO) && (r = fifo_open(&obj, flags, a.w[2], a.w[3])))
		return r;
	if (a.w[0] & POSIX_OPEN_CTTY)
		__cairn_ctty(&obj);
	fd = __cairn_fd_install(0, obj, FDK_IO, (flags & O_CLOEXEC) != 0, type);
	/* the file's pages, if they came (none if there is no descriptor) */
	__cairn_fmap_opened(fd < 0 ? NULL : __cairn_fd(fd), &a, (uint32_t)flags, bits, (uint8_t *)have,
			    havelen);
	if (fd < 0)
		__cairn_io_release(obj);
	return fd;
}

long __cairn_fstatat(long dirfd, const char *path, void *kst, long flags)
{
	struct posix_stat st;
	struct cairn_ans a;
	size_t len;
	cap_t dir;
	long r;
	err_t e;

	if ((flags & AT_EMPTY_PATH) && !*path && dirfd != AT_FDCWD)
		return __cairn_fstat(dirfd, kst);
	if ((r = start(dirfd, path, &dir, &len, flags & AT_EMPTY_PATH)))
		return r;
	if ((e = path_ipc(dir, &(struct req){ .label = FS_STAT, .w0 = (uint64_t)flags }, path, len, &a)))
		return cairn_errno(e);
	if (a.nbytes < sizeof(st))
		return -EIO;
	memcpy(&st, __cairn_ipc_data(), sizeof(st));
	__cairn_kstat(&st, kst);
	return 0;
}

long __cairn_mkdirat(long dirfd, const char *path, long mode)
{
	return path_simple(dirfd, path, 0, FS_MKDIR, (uint64_t)(mode & ~cur_umask & 07777), 0);
}

/* mknod of a socket node (FS_MKNOD): rdev is its key (unix.c); of a FIFO
 * (mkfifo); of a regular file (type 0 or S_IFREG: as open O_CREAT|O_EXCL).
 * Devices are not made this way: EPERM, as for a process without
 * CAP_MKNOD; another type EINVAL. */
long __cairn_mknodat(long dirfd, const char *path, long mode, unsigned long long rdev)
{
	long type = mode & S_IFMT, fd;

	if (type == 0 || type == S_IFREG) {
		if ((fd = __cairn_openat(dirfd, path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode & 07777)) < 0)
			return fd;
		__cairn_close(fd);
		return 0;
	}
	if (type == S_IFCHR || type == S_IFBLK)
		return -EPERM;
	if (type != S_IFSOCK && type != S_IFIFO)
		return -EINVAL;
	return path_simple(dirfd, path, 0, FS_MKNOD, (uint64_t)type | (uint64_t)(mode & ~cur_umask & 07777),
			   type == S_IFIFO ? 0 : rdev);
}

long __cairn_unlinkat(long dirfd, const char *path, long flags)
{
	return path_simple(dirfd, path, 0, FS_UNLINK, (uint64_t)flags, 0);
}

/*
 * A two-path request (FS_RENAME, FS_LINK). Sent whole to the first path's
 * directory; when a server answers POSIX_REMOTE_SPLIT (a path crosses a
 * mount), each path's parent directory is opened (following redirects)
 * and the request goes again with the last components only.
 */
static long parent_of(long dirfd, const char *path, size_t len, cap_t *dir, const char **base,
		      size_t *blen)
{
	char p[POSIX_PATH_MAX];
	size_t end = len, b;
	uint32_t type;
	long r;

	while (end > 1 && path[end - 1] == '/')
		end--;
	for (b = end; b && path[b - 1] != '/'; b--)
		;
	*base = path + b;
	*blen = len - b;              /* a trailing '/' stays with the name */
	if (!*blen || (end == 1 && path[0] == '/'))
		return -EBUSY;            /* "/" */
	if (!b) {                     /* no directory part: dirfd's */
		*dir = CAP_NULL;
		return 0;
	}
	memcpy(p, path, b);
	p[b] = 0;
	if ((r = open_obj(dirfd, p, O_PATH | O_DIRECTORY | O_CLOEXEC, 0, dir, &type, NULL, NULL, NULL, NULL)))
		return r;
	return 0;
}

static long two_paths(uint32_t label, long d1, const char *p1, long d2, const char *p2, long flags,
		      int empty1)
{
	size_t l1, l2;
	int split = 0;
	long r;

	if ((r = path_len(p1, &l1, empty1)) || (r = path_len(p2, &l2, 0)))
		return r;
	if (l1 + l2 > INLINE_MAX)
		return -ENAMETOOLONG;
	for (int tries = 0; tries < 4; tries++) {
		const char *b1 = p1, *b2 = p2;
		size_t b1l = l1, b2l = l2;
		cap_t c1, c2, o1 = CAP_NULL, o2 = CAP_NULL;
		struct cairn_ans a;
		unsigned ncaps = 0;
		int again = 0;
		err_t e;

		if (split && ((l1 && (r = parent_of(d1, p1, l1, &o1, &b1, &b1l))) ||
			      (r = parent_of(d2, p2, l2, &o2, &b2, &b2l))))
			goto next;
		if (o1 != CAP_NULL)
			c1 = o1;
		else if ((r = dir_cap(d1, b1, &c1)))
			goto next;
		if (o2 != CAP_NULL)
			c2 = o2;
		else if ((r = dir_cap(d2, b2, &c2)))
			goto next;
		if (c2 == c1 && b1l)
			c2 = CAP_NULL;            /* the same directory: no cap0 */
		memcpy(__cairn_ipc_data(), b1, b1l);
		memcpy(__cairn_ipc_data() + b1l, b2, b2l);
		if (c2 != CAP_NULL) {
			cairn_ipcbuf()->caps[0] = c2;
			ncaps = 1;
		}
		e = __cairn_ipc(c1, label, (uint64_t)flags, 0, b1l, b2l, b1l + b2l, __cairn_with_cred(ncaps),
				IPC_RESTART, &a);
		r = cairn_errno(e);
		if (e == ERR_REMOTE) {
			r = -EXDEV;
			if (a.ncaps && (a.w[0] & POSIX_REMOTE_NEWROOT)) {
				new_root(cairn_ipcbuf()->caps[0], &c1);
				again = 1;
			} else {
				if (a.ncaps)
					cairn_cap_delete(cairn_ipcbuf()->caps[0]);
				again = !split;
				split = 1;
			}
		}
next:
		if (o1 != CAP_NULL)
			__cairn_io_release(o1);
		if (o2 != CAP_NULL)
			__cairn_io_release(o2);
		if (!again)
			return r;
	}
	return -EXDEV;
}

long __cairn_renameat2(long olddir, const char *old, long newdir, const char *new, long flags)
{
	return two_paths(FS_RENAME, olddir, old, newdir, new, flags, 0);
}

long __cairn_linkat(long olddir, const char *old, long newdir, const char *new, long flags)
{
	/* with AT_EMPTY_PATH and "", the old file is olddir's object itself */
	return two_paths(FS_LINK, olddir, old, newdir, new, flags, flags & AT_EMPTY_PATH);
}

long __cairn_symlinkat(const char *target, long dirfd, const char *path)
{
	size_t tl, pl;
	cap_t dir;
	long r;

	if ((r = path_len(target, &tl, 0)) || (r = start(dirfd, path, &dir, &pl, 0)))
		return r;
	if (tl + pl > INLINE_MAX)
		return -ENAMETOOLONG;
	return cairn_errno(path_ipc(dir, &(struct req){ .label = FS_SYMLINK, .pre = target, .prelen = tl },
				    path, pl, NULL));
}

long __cairn_readlinkat(long dirfd, const char *path, char *buf, size_t size)
{
	struct cairn_ans a;
	size_t len, n;
	cap_t dir;
	long r;
	err_t e;

	if ((long)size <= 0)
		return -EINVAL;
	if ((r = start(dirfd, path, &dir, &len, 0)))
		return r;
	if ((e = path_ipc(dir, &(struct req){ .label = FS_READLINK }, path, len, &a)))
		return cairn_errno(e);
	n = a.w[0] < a.nbytes ? a.w[0] : a.nbytes;
	if (n > size)
		n = size;
	memcpy(buf, __cairn_ipc_data(), n);
	return (long)n;
}

long __cairn_fchmodat(long dirfd, const char *path, long mode, long flags)
{
	return path_simple(dirfd, path, flags & AT_EMPTY_PATH, FS_CHMOD, (uint64_t)mode & 07777,
			   (uint64_t)flags);
}

/* FS_CHOWN: the server decides who may (docs/users.md); -1 keeps an id. */
long __cairn_fchownat(long dirfd, const char *path, long uid, long gid, long flags)
{
	if (flags & ~(long)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	return path_simple(dirfd, path, flags & AT_EMPTY_PATH, FS_CHOWN,
			   (uint64_t)(uint32_t)uid | (uint64_t)(uint32_t)gid << 32, (uint64_t)flags);
}

long __cairn_utimensat(long dirfd, const char *path, const void *times, long flags)
{
	const struct timespec *t = times;
	int64_t w[4] = { 0, UTIME_NOW, 0, UTIME_NOW };
	size_t len = 0;
	cap_t dir;
	long r;

	if (t) {
		w[0] = t[0].tv_sec;
		w[1] = t[0].tv_nsec;
		w[2] = t[1].tv_sec;
		w[3] = t[1].tv_nsec;
	}
	if (!path) {
		/* futimens: the descriptor's own object */
		struct cairn_fd *f = __cairn_fd(dirfd);
		if (!f)
			return -EBADF;
		if (f->kind != FDK_IO)
			return -EPERM;
		dir = f->cap;
		flags |= AT_EMPTY_PATH;
		path = "";
	} else if ((r = start(dirfd, path, &dir, &len, flags & AT_EMPTY_PATH))) {
		return r;
	}
	return cairn_errno(path_ipc(dir, &(struct req){ .label = FS_UTIMENS, .w0 = (uint64_t)flags,
							.post = w, .postlen = sizeof(w) },
				    path, len, NULL));
}

long __cairn_faccessat(long dirfd, const char *path, long mode, long flags)
{
	return path_simple(dirfd, path, flags & AT_EMPTY_PATH, FS_ACCESS, (uint64_t)mode,
			   (uint64_t)flags);
}

long __cairn_truncate(const char *path, long length)
{
	if (length < 0)
		return -EINVAL;
	return path_simple(AT_FDCWD, path, 0, FS_TRUNCATE, (uint64_t)length, 0);
}

/* The working directory becomes obj (a reference of our own). */
static void set_cwd(cap_t obj)
{
	cap_t old = __cairn_cwd;

	__cairn_cwd = obj;
	if (old != CAP_NULL)
		__cairn_io_release(old);
}

/* chdir's and fchdir's search permission on the directory (Linux's
 * MAY_EXEC): the server asks the token whose it is (docs/users.md). */
static long may_search(cap_t dir)
{
	uint64_t pid = me();     /* first: it may ask the process server */

	return cairn_errno(__cairn_ipc(dir, FS_ACCESS, X_OK, AT_EMPTY_PATH | AT_EACCESS, 0, pid, 0,
				       __cairn_with_cred(0), IPC_ALWAYS, NULL));
}

long __cairn_chdir(const char *path)
{
	uint32_t type;
	cap_t obj;
	long r;

	if ((r = open_obj(AT_FDCWD, path, O_PATH | O_DIRECTORY | O_CLOEXEC, 0, &obj, &type, NULL, NULL, NULL, NULL)))
		return r;
	if (type != S_IFDIR) {
		__cairn_io_release(obj);
		return -ENOTDIR;
	}
	if ((r = may_search(obj))) {
		__cairn_io_release(obj);
		return r;
	}
	set_cwd(obj);
	return 0;
}

long __cairn_fchdir(long fd)
{
	struct cairn_fd *f = __cairn_fd(fd);
	char kst[256];
	cap_t obj;
	long r;
	err_t e;

	if (!f)
		return -EBADF;
	if (f->kind != FDK_IO)
		return -ENOTDIR;
	if ((r = __cairn_fstat(fd, kst)))
		return r;
	if ((f->type & S_IFMT) != S_IFDIR)
		return -ENOTDIR;
	if ((r = may_search(f->cap)))
		return r;
	if ((e = __cairn_io_dup(f->cap, &obj)))
		return cairn_errno(e);
	set_cwd(obj);
	return 0;
}

long __cairn_getcwd(char *buf, size_t size)
{
	struct cairn_ans a;
	size_t n;
	err_t e;

	if (__cairn_cwd == CAP_NULL)
		return __cairn_root == CAP_NULL ? no_vfs() : -ENOENT;
	if ((e = path_ipc(__cairn_cwd, &(struct req){ .label = FS_GETPATH }, "", 0, &a)))
		return cairn_errno(e);
	n = a.w[0] < a.nbytes ? a.w[0] : a.nbytes;
	if (n + 1 > size)
		return -ERANGE;
	memcpy(buf, __cairn_ipc_data(), n);
	buf[n] = 0;
	return (long)(n + 1);
}

/* The file to exec for execveat: path from dirfd, or with AT_EMPTY_PATH
 * and an empty path the file open at dirfd (fexecve: a reference of our
 * own, whose execute permission the file's server checks as for a path,
 * AT_EACCESS). */
long __cairn_open_exec_at(long dirfd, const char *path, long flags, cap_t *file, uint64_t *size)
{
	struct posix_stat st;
	struct cairn_ans a;
	uint32_t type;
	cap_t obj;
	long r;
	err_t e;

	if (flags & ~(long)(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
		return -EINVAL;
	if (!path)
		return -EFAULT;
	if (*path || !(flags & AT_EMPTY_PATH)) {
		long oflags = O_RDONLY | O_CLOEXEC | ((flags & AT_SYMLINK_NOFOLLOW) ? O_NOFOLLOW : 0);
		if ((r = open_obj(dirfd, path, oflags, (long)POSIX_OPEN_EXEC, &obj, &type, NULL,
				  NULL, NULL, NULL)))
			return r;
	} else if ((r = __cairn_fd_ref(dirfd, &obj))) {
		return r;
	} else {
		type = 0;                    /* the stat's below */
	}
	if ((e = __cairn_ipc(obj, IO_STAT, 0, 0, 0, 0, 0, 0, IPC_ALWAYS, &a)) || a.nbytes < sizeof(st)) {
		r = e ? cairn_errno(e) : -EIO;
		goto fail;
	}
	memcpy(&st, __cairn_ipc_data(), sizeof(st));
	if (!type) {
		type = (uint32_t)(st.mode & S_IFMT);
		if (type == S_IFREG && (r = may_search(obj)))   /* X_OK on the file itself */
			goto fail;
	}
	if (type != S_IFREG) {
		r = -EACCES;
		goto fail;
	}
	*file = obj;
	*size = st.size;
	return 0;
fail:
	__cairn_io_release(obj);
	return r;
}

long __cairn_open_exec(const char *path, cap_t *file, uint64_t *size)
{
	return __cairn_open_exec_at(AT_FDCWD, path, 0, file, size);
}

/* ---- mounts: the VFS's table (include/cairn/posix.h, "mounts") ---------------------- */

/* sync: every mounted file system writes back (FS_SYNC_ALL). */
long __cairn_sync(void)
{
	if (__cairn_vfs == CAP_NULL)
		return 0;
	__cairn_ipc(__cairn_vfs, FS_SYNC_ALL, 0, 0, 0, 0, 0, 0, IPC_ALWAYS, NULL);
	return 0;             /* sync(2) cannot fail */
}

long __cairn_syncfs(long fd)
{
	struct cairn_fd *f = __cairn_fd(fd);
	err_t e;

	if (!f)
		return -EBADF;
	if (f->kind != FDK_IO)
		return 0;
	e = __cairn_ipc(f->cap, FS_SYNCFS, 0, 0, 0, 0, 0, 0, IPC_ALWAYS, NULL);
	return e == ERR_NOSYS ? 0 : cairn_errno(e);     /* a server with nothing to write back */
}

/* statfs (path) and fstatfs (fd): FS_STATFS on the object, as Linux's struct statfs. */
long __cairn_statfs(const char *path, long fd, void *buf)
{
	struct posix_statfs st;
	struct cairn_ans a;
	struct cairn_fd *f;
	uint32_t type;
	cap_t obj;
	long r, *out = buf;
	err_t e;

	if (path) {
		if ((r = open_obj(AT_FDCWD, path, O_PATH | O_CLOEXEC, 0, &obj, &type, NULL, NULL, NULL, NULL)))
			return r;
	} else {
		if (!(f = __cairn_fd(fd)))
			return -EBADF;
		if (f->kind != FDK_IO)
			return -ENOSYS;
		obj = f->cap;
	}
	e = __cairn_ipc(obj, FS_STATFS, 0, 0, 0, 0, 0, 0, IPC_RESTART, &a);
	if (!e && a.nbytes < sizeof(st))
		e = ERR_IO;
	if (!e)
		memcpy(&st, __cairn_ipc_data(), sizeof(st));
	if (path)
		__cairn_io_release(obj);
	if (e)
		return cairn_errno(e == ERR_NOSYS ? ERR_NOSYS : e);
	/* struct statfs of 64-bit Linux: type, bsize, blocks, bfree, bavail, files,
	 * ffree, fsid (two ints), namelen, frsize, flags, spare[4] */
	memset(buf, 0, 120);
	out[0] = (long)st.type;
	out[1] = (long)st.bsize;
	out[2] = (long)st.blocks;
	out[3] = (long)st.bfree;
	out[4] = (long)st.bavail;
	out[5] = (long)st.files;
	out[6] = (long)st.ffree;
	((int *)&out[7])[0] = (int)st.fsid;
	((int *)&out[7])[1] = (int)(st.fsid >> 32);
	out[8] = (long)st.namelen;
	out[9] = (long)st.frsize;
	out[10] = (long)st.flags;
	return 0;
}

/* mount: FS_MOUNT to the VFS with the mount point (opened O_PATH) as cap0
 * and our credential token (root's only: EPERM); the VFS keeps the mount
 * point's reference once mounted. Types the VFS cannot start
 * a server for are ENODEV (docs/vfs.md, "Mounts"). */
long __cairn_mount(const char *src, const char *target, const char *type, unsigned long flags,
		   const void *data)
{
	size_t sl, tl;
	uint32_t t;
	cap_t obj;
	long r;
	err_t e;

	(void)data;
	if (flags & (MS_REMOUNT | MS_BIND | MS_MOVE | MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE))
		return -EINVAL;
	if (!type || !src)
		return -EINVAL;
	sl = strnlen(src, 64);
	tl = strnlen(type, 24);
	if (!sl || sl >= 64 || !tl || tl >= 24)
		return sl >= 64 ? -ENAMETOOLONG : -EINVAL;
	if ((r = open_obj(AT_FDCWD, target, O_PATH | O_DIRECTORY | O_CLOEXEC, 0, &obj, &t, NULL, NULL, NULL, NULL)))
		return r;
	memcpy(__cairn_ipc_data(), src, sl);
	memcpy(__cairn_ipc_data() + sl, type, tl);
	cairn_ipcbuf()->caps[0] = obj;
	e = __cairn_ipc(__cairn_vfs, FS_MOUNT, flags & MS_RDONLY, 0, sl, tl, sl + tl, __cairn_with_cred(1),
			IPC_ALWAYS, NULL);
	if (e)
		__cairn_io_release(obj);
	else
		cairn_cap_delete(obj);         /* the reference is the VFS's now */
	return cairn_errno(e);
}

/* umount2: the mount at target's absolute path (root's only: the token). */
long __cairn_umount(const char *target, long flags)
{
	char path[POSIX_PATH_MAX];
	size_t len;
	cap_t obj;
	uint32_t type;
	struct cairn_ans a;
	long r;
	err_t e;

	if (flags & ~7L)
		return -EINVAL;
	if ((r = open_obj(AT_FDCWD, target, O_PATH | O_DIRECTORY | O_CLOEXEC, 0, &obj, &type, NULL, NULL, NULL, NULL)))
		return r;
	e = path_ipc(obj, &(struct req){ .label = FS_GETPATH }, "", 0, &a);
	len = !e && a.w[0] <= a.nbytes && a.w[0] < sizeof(path) ? a.w[0] : 0;
	if (len)
		memcpy(path, __cairn_ipc_data(), len);
	__cairn_io_release(obj);
	if (e)
		return cairn_errno(e);
	if (!len)
		return -EIO;
	memcpy(__cairn_ipc_data(), path, len);
	return cairn_errno(__cairn_ipc(__cairn_vfs, FS_UMOUNT, (uint64_t)flags, 0, len, 0, len,
				       __cairn_with_cred(0), IPC_ALWAYS, NULL));
}
