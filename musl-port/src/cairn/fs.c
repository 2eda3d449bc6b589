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
#include <sys/stat.h>
#include <unistd.h>
#include "cairn_impl.h"

#define INLINE_MAX  POSIX_INLINE_MAX

static long cur_umask = 022;

long __cairn_umask(long mask)
{
	long old = cur_umask;

	cur_umask = mask & 0777;
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

/* Checks path and puts it at the start of the inline bytes. */
static long put_path(long dirfd, const char *path, cap_t *dir, size_t *len, int empty_ok)
{
	long r;

	(void)me();       /* our pid known now: asking for it later would use the IPC buffer */
	if ((r = path_len(path, len, empty_ok)) || (r = dir_cap(dirfd, path, dir)))
		return r;
	memcpy(__cairn_ipc_data(), path, *len);
	return 0;
}

/* Both paths of a two-path request, the second right after the first;
 * *dir2 is CAP_NULL when it starts from the same directory. */
static long put_paths(long d1, const char *p1, long d2, const char *p2, cap_t *dir1, size_t *l1,
		      cap_t *dir2, size_t *l2, int empty1_ok)
{
	long r;

	if ((r = path_len(p1, l1, empty1_ok)) || (r = path_len(p2, l2, 0)))
		return r;
	if (*l1 + *l2 > INLINE_MAX)
		return -ENAMETOOLONG;
	if ((r = dir_cap(d1, p1, dir1)) || (r = dir_cap(d2, p2, dir2)))
		return r;
	if (*dir2 == *dir1)
		*dir2 = CAP_NULL;
	memcpy(__cairn_ipc_data(), p1, *l1);
	memcpy(__cairn_ipc_data() + *l1, p2, *l2);
	return 0;
}

/* w3 of a one-path request: our pid, for /proc/self (0: none) */
static uint64_t me(void)
{
	return __cairn_proc != CAP_NULL ? (uint64_t)__cairn_getpid() : 0;
}

static long simple(cap_t dir, uint32_t label, uint64_t w0, uint64_t w1, size_t len)
{
	return cairn_errno(__cairn_ipc(dir, label, w0, w1, len, me(), len, 0, IPC_RESTART, NULL));
}

static long free_fd_exists(void)
{
	for (long fd = 0; fd < __cairn_fd_limit; fd++)
		if (!__cairn_fd(fd))
			return 0;
	return -EMFILE;
}

/* FS_OPEN: the new object's capability and its type. */
static long open_obj(long dirfd, const char *path, long flags, long mode, cap_t *obj, uint32_t *type)
{
	struct cairn_ans a;
	size_t len;
	cap_t dir;
	long r;
	err_t e;

	if ((r = put_path(dirfd, path, &dir, &len, 0)))
		return r;
	if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE)
		mode &= ~cur_umask;
	e = __cairn_ipc(dir, FS_OPEN, (uint32_t)flags, (uint64_t)mode & 07777, len, me(), len, 0,
			IPC_RESTART, &a);
	if (e)
		return cairn_errno(e);
	if (a.ncaps < 1)
		return -EIO;
	*obj = cairn_ipcbuf()->caps[0];
	*type = (uint32_t)a.w[0] & S_IFMT;
	return 0;
}

long __cairn_openat(long dirfd, const char *path, long flags, long mode)
{
	uint32_t type;
	cap_t obj;
	long r, fd;

	if ((r = free_fd_exists()))
		return r;
	if ((r = open_obj(dirfd, path, flags, mode, &obj, &type)))
		return r;
	fd = __cairn_fd_install(0, obj, FDK_IO, (flags & O_CLOEXEC) != 0, type);
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
	if ((r = put_path(dirfd, path, &dir, &len, flags & AT_EMPTY_PATH)))
		return r;
	if ((e = __cairn_ipc(dir, FS_STAT, (uint64_t)flags, 0, len, me(), len, 0, IPC_RESTART, &a)))
		return cairn_errno(e);
	if (a.nbytes < sizeof(st))
		return -EIO;
	memcpy(&st, __cairn_ipc_data(), sizeof(st));
	__cairn_kstat(&st, kst);
	return 0;
}

long __cairn_mkdirat(long dirfd, const char *path, long mode)
{
	size_t len;
	cap_t dir;
	long r;

	if ((r = put_path(dirfd, path, &dir, &len, 0)))
		return r;
	return simple(dir, FS_MKDIR, (uint64_t)(mode & ~cur_umask & 07777), 0, len);
}

long __cairn_unlinkat(long dirfd, const char *path, long flags)
{
	size_t len;
	cap_t dir;
	long r;

	if ((r = put_path(dirfd, path, &dir, &len, 0)))
		return r;
	return simple(dir, FS_UNLINK, (uint64_t)flags, 0, len);
}

long __cairn_renameat2(long olddir, const char *old, long newdir, const char *new, long flags)
{
	size_t l1, l2;
	cap_t d1, d2;
	unsigned ncaps = 0;
	long r;

	if ((r = put_paths(olddir, old, newdir, new, &d1, &l1, &d2, &l2, 0)))
		return r;
	if (d2 != CAP_NULL) {
		cairn_ipcbuf()->caps[0] = d2;
		ncaps = 1;
	}
	return cairn_errno(__cairn_ipc(d1, FS_RENAME, (uint64_t)flags, 0, l1, l2, l1 + l2, ncaps,
				       IPC_RESTART, NULL));
}

long __cairn_linkat(long olddir, const char *old, long newdir, const char *new, long flags)
{
	size_t l1, l2;
	cap_t d1, d2;
	unsigned ncaps = 0;
	long r;

	/* with AT_EMPTY_PATH and "", the old file is olddir's object itself */
	if ((r = put_paths(olddir, old, newdir, new, &d1, &l1, &d2, &l2, flags & AT_EMPTY_PATH)))
		return r;
	if (!l1 && d2 == CAP_NULL && (r = dir_cap(newdir, new, &d2)))
		return r;
	if (d2 != CAP_NULL) {
		cairn_ipcbuf()->caps[0] = d2;
		ncaps = 1;
	}
	return cairn_errno(__cairn_ipc(d1, FS_LINK, (uint64_t)flags, 0, l1, l2, l1 + l2, ncaps,
				       IPC_RESTART, NULL));
}

long __cairn_symlinkat(const char *target, long dirfd, const char *path)
{
	size_t tl, pl;
	cap_t dir;
	long r;

	if ((r = path_len(target, &tl, 0)) || (r = path_len(path, &pl, 0)))
		return r;
	if (tl + pl > INLINE_MAX)
		return -ENAMETOOLONG;
	if ((r = dir_cap(dirfd, path, &dir)))
		return r;
	memcpy(__cairn_ipc_data(), target, tl);
	memcpy(__cairn_ipc_data() + tl, path, pl);
	return cairn_errno(__cairn_ipc(dir, FS_SYMLINK, 0, 0, tl, pl, tl + pl, 0, IPC_RESTART, NULL));
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
	if ((r = put_path(dirfd, path, &dir, &len, 0)))
		return r;
	if ((e = __cairn_ipc(dir, FS_READLINK, 0, 0, len, me(), len, 0, IPC_RESTART, &a)))
		return cairn_errno(e);
	n = a.w[0] < a.nbytes ? a.w[0] : a.nbytes;
	if (n > size)
		n = size;
	memcpy(buf, __cairn_ipc_data(), n);
	return (long)n;
}

long __cairn_fchmodat(long dirfd, const char *path, long mode, long flags)
{
	size_t len;
	cap_t dir;
	long r;

	if ((r = put_path(dirfd, path, &dir, &len, flags & AT_EMPTY_PATH)))
		return r;
	return simple(dir, FS_CHMOD, (uint64_t)mode & 07777, (uint64_t)flags, len);
}

/* There are no users: root (0) owns everything and cannot give it away. */
long __cairn_fchownat(long dirfd, const char *path, long uid, long gid, long flags)
{
	char kst[256];
	long r = __cairn_fstatat(dirfd, path, kst, flags);

	if (r)
		return r;
	if (((int)uid != -1 && uid != 0) || ((int)gid != -1 && gid != 0))
		return -EPERM;
	return 0;
}

long __cairn_utimensat(long dirfd, const char *path, const void *times, long flags)
{
	const struct timespec *t = times;
	int64_t w[4] = { 0, UTIME_NOW, 0, UTIME_NOW };
	size_t len = 0, off;
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
	} else if ((r = put_path(dirfd, path, &dir, &len, flags & AT_EMPTY_PATH))) {
		return r;
	}
	off = (len + 7) & ~(size_t)7;
	if (off + sizeof(w) > INLINE_MAX)
		return -ENAMETOOLONG;
	memcpy(__cairn_ipc_data() + off, w, sizeof(w));
	return cairn_errno(__cairn_ipc(dir, FS_UTIMENS, (uint64_t)flags, 0, len, me(), off + sizeof(w), 0,
				       IPC_RESTART, NULL));
}

long __cairn_faccessat(long dirfd, const char *path, long mode, long flags)
{
	size_t len;
	cap_t dir;
	long r;

	if ((r = put_path(dirfd, path, &dir, &len, flags & AT_EMPTY_PATH)))
		return r;
	return simple(dir, FS_ACCESS, (uint64_t)mode, (uint64_t)flags, len);
}

long __cairn_truncate(const char *path, long length)
{
	size_t len;
	cap_t dir;
	long r;

	if (length < 0)
		return -EINVAL;
	if ((r = put_path(AT_FDCWD, path, &dir, &len, 0)))
		return r;
	return simple(dir, FS_TRUNCATE, (uint64_t)length, 0, len);
}

/* The working directory becomes obj (a reference of our own). */
static void set_cwd(cap_t obj)
{
	cap_t old = __cairn_cwd;

	__cairn_cwd = obj;
	if (old != CAP_NULL)
		__cairn_io_release(old);
}

long __cairn_chdir(const char *path)
{
	uint32_t type;
	cap_t obj;
	long r;

	if ((r = open_obj(AT_FDCWD, path, O_PATH | O_DIRECTORY | O_CLOEXEC, 0, &obj, &type)))
		return r;
	if (type != S_IFDIR) {
		__cairn_io_release(obj);
		return -ENOTDIR;
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
	if ((e = __cairn_ipc(f->cap, IO_DUP, 0, 0, 0, 0, 0, 0, IPC_ALWAYS, NULL)))
		return cairn_errno(e);
	if ((e = cairn_cap_copy(f->cap, RIGHTS_ALL, &obj))) {
		__cairn_ipc(f->cap, IO_CLOSE, 0, 0, 0, 0, 0, 0, IPC_ALWAYS, NULL);
		return cairn_errno(e);
	}
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
	if ((e = __cairn_ipc(__cairn_cwd, FS_GETPATH, 0, 0, 0, 0, 0, 0, IPC_RESTART, &a)))
		return cairn_errno(e);
	n = a.w[0] < a.nbytes ? a.w[0] : a.nbytes;
	if (n + 1 > size)
		return -ERANGE;
	memcpy(buf, __cairn_ipc_data(), n);
	buf[n] = 0;
	return (long)(n + 1);
}

long __cairn_open_exec(const char *path, cap_t *file, uint64_t *size)
{
	struct posix_stat st;
	struct cairn_ans a;
	uint32_t type;
	cap_t obj;
	long r;
	err_t e;

	if ((r = open_obj(AT_FDCWD, path, O_RDONLY | O_CLOEXEC, 0, &obj, &type)))
		return r;
	if (type != S_IFREG) {
		r = -EACCES;
		goto fail;
	}
	if ((e = __cairn_ipc(obj, FS_ACCESS, X_OK, AT_EMPTY_PATH, 0, 0, 0, 0, IPC_ALWAYS, NULL))) {
		r = cairn_errno(e);
		goto fail;
	}
	if ((e = __cairn_ipc(obj, IO_STAT, 0, 0, 0, 0, 0, 0, IPC_ALWAYS, &a)) || a.nbytes < sizeof(st)) {
		r = e ? cairn_errno(e) : -EIO;
		goto fail;
	}
	memcpy(&st, __cairn_ipc_data(), sizeof(st));
	*file = obj;
	*size = st.size;
	return 0;
fail:
	__cairn_io_release(obj);
	return r;
}
