/* SPDX-License-Identifier: MIT */
/*
 * Descriptors. The table lives in the process: descriptor N is a slot of
 * its capability table holding a capability to a server object that
 * speaks the I/O protocol of include/cairn/posix.h (an open file
 * description of the VFS, a pipe end, a tty of the console server), plus
 * FD_CLOEXEC. Every descriptor has its own slot, and its capability is a
 * reference of its description in the server of its own: IO_DUP answers
 * a new one (dup, fork, exec, SCM_RIGHTS: __cairn_io_dup), IO_CLOSE through
 * a capability releases that one (close, exit), the last one closes the
 * description. Another holder of the description can release only its
 * own references, never ours.
 *
 * A program that init starts by itself (no tty) has descriptors 0-2 on
 * the kernel's debug console (FDK_DEBUG): writes print, reads see end of
 * file, and the terminal ioctls answer for a cooked-mode console.
 *
 * Data travels inline, at most POSIX_INLINE_MAX (4000) bytes a message:
 * a longer write is several IO_WRITEs; a longer read of a regular file
 * several IO_READs, of a tty one (what is there). writev gathers its
 * pieces straight into the IPC buffer. Pipes move their bytes through a
 * ring shared with the VFS instead (pipe.c).
 */
#define _GNU_SOURCE     /* ECHOCTL, ECHOKE */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <termios.h>
#include <net/if.h>
#include "kstat.h"
#include "cairn_impl.h"

#define INLINE_MAX  POSIX_INLINE_MAX

static struct cairn_fd fds[FD_MAX];
hidden long __cairn_fd_limit = FD_MAX;

struct cairn_fd *__cairn_fd(long fd)
{
	if (fd < 0 || fd >= FD_MAX || fds[fd].kind == FDK_NONE)
		return NULL;
	return &fds[fd];
}

int __cairn_fd_is_console(long fd)
{
	struct cairn_fd *f = __cairn_fd(fd);

	return f && (f->kind == FDK_DEBUG || (f->type & S_IFMT) == S_IFCHR);
}

void __cairn_fd_set(long fd, cap_t cap, int kind, uint32_t type)
{
	fds[fd] = (struct cairn_fd){ .cap = cap, .kind = (uint8_t)kind, .type = type };
}

static long lowest_free(long min)
{
	/* (min at the limit: none free above the last, a pair's second) */
	if (min < 0 || min > __cairn_fd_limit)
		return -EINVAL;
	for (long fd = min; fd < __cairn_fd_limit; fd++)
		if (fds[fd].kind == FDK_NONE)
			return fd;
	return -EMFILE;
}

/* Threads change the table one at a time. */
static volatile int fd_lock;

long __cairn_fd_install(long min, cap_t cap, int kind, int cloexec, uint32_t type)
{
	long fd;

	__cairn_lock(&fd_lock);
	fd = lowest_free(min);
	if (fd >= 0)
		fds[fd] = (struct cairn_fd){ .cap = cap, .kind = (uint8_t)kind, .cloexec = !!cloexec,
					     .type = type };
	__cairn_unlock(&fd_lock);
	return fd;
}

long __cairn_fd_reserve(long min)
{
	long fd;

	__cairn_lock(&fd_lock);
	fd = lowest_free(min);
	if (fd >= 0)
		fds[fd] = (struct cairn_fd){ .cap = CAP_NULL, .kind = FDK_IO };
	__cairn_unlock(&fd_lock);
	return fd;
}

void __cairn_fd_unreserve(long fd)
{
	__cairn_lock(&fd_lock);
	fds[fd].kind = FDK_NONE;
	__cairn_unlock(&fd_lock);
}

/* A reserved descriptor gets its capability under the lock, like every
 * change of the table: the assignment of a whole entry may clear it
 * first (x86-64: rep stos, then the fields), and another thread's
 * lowest_free() that saw kind FDK_NONE in between took the same
 * descriptor (threads.io_together on four CPUs: a thread's file and
 * another's pipe end in one descriptor, ESPIPE from pwrite, EPIPE and
 * another thread's bytes from the pipe) */
void __cairn_fd_fill(long fd, cap_t cap, int cloexec, uint32_t type)
{
	__cairn_lock(&fd_lock);
	fds[fd] = (struct cairn_fd){ .cap = cap, .kind = FDK_IO, .cloexec = !!cloexec, .type = type };
	__cairn_unlock(&fd_lock);
}

/* One more reference of the description cap names, as a capability of
 * its own in *out: IO_DUP's answer. A server that answers none counts
 * references by badge: a copy of cap is then the new reference. */
err_t __cairn_io_dup(cap_t cap, cap_t *out)
{
	struct cairn_ans a;
	err_t e = __cairn_ipc(cap, IO_DUP, 0, 0, 0, 0, 0, 0, IPC_ALWAYS, &a);

	if (e)
		return e;
	if (a.ncaps) {
		*out = cairn_ipcbuf()->caps[0];
		for (unsigned i = 1; i < a.ncaps; i++)
			cairn_cap_delete(cairn_ipcbuf()->caps[i]);
		return ERR_OK;
	}
	if ((e = cairn_cap_copy(cap, RIGHTS_ALL, out)))
		__cairn_ipc(cap, IO_CLOSE, 0, 0, 0, 0, 0, 0, IPC_ALWAYS, NULL);
	return e;
}

/* Drops a reference of an FDK_IO capability and the slot. */
void __cairn_io_release(cap_t cap)
{
	__cairn_ipc(cap, IO_CLOSE, 0, 0, 0, 0, 0, 0, IPC_ALWAYS, NULL);
	cairn_cap_delete(cap);
}

/* A descriptor's close: IO_CLOSE says our pid, so that the file's server
 * drops this process's record locks on the file (POSIX: closing any
 * descriptor of a file releases them). */
static void fd_release(cap_t cap)
{
	__cairn_ipc(cap, IO_CLOSE, (uint64_t)__cairn_getpid_known(), 0, 0, 0, 0, 0, IPC_ALWAYS, NULL);
	cairn_cap_delete(cap);
}

void __cairn_fd_close_all(void)
{
	for (long fd = 0; fd < FD_MAX; fd++) {
		if (fds[fd].kind == FDK_IO)
			fd_release(fds[fd].cap);
		fds[fd].kind = FDK_NONE;
	}
	if (__cairn_cwd != CAP_NULL)
		__cairn_io_release(__cairn_cwd);
	__cairn_cwd = CAP_NULL;
}

/* Stages a new reference (__cairn_io_dup) at slot for the next PS_FORK or
 * PS_EXEC (PS_EXEC_KEEP with POSIX_KEEP_REF: the process server closes it
 * if it is not given); our own copy goes at once, so that only the
 * process server and then the new process hold it. */
long __cairn_keep_ref(cap_t slot)
{
	cap_t c;
	err_t e;

	if ((e = __cairn_io_dup(slot, &c)))
		return cairn_errno(e);
	cairn_ipcbuf()->caps[0] = c;
	e = __cairn_ipc(__cairn_proc, PS_EXEC_KEEP, slot | POSIX_KEEP_REF, 0, 0, 0, 0, 1, IPC_ALWAYS, NULL);
	if (e)
		__cairn_ipc(c, IO_CLOSE, 0, 0, 0, 0, 0, 0, IPC_ALWAYS, NULL);
	cairn_cap_delete(c);
	return e ? cairn_errno(e) : 0;
}

/* A descriptor whose object is gone (its server died, or closed it):
 * the child gets a copy of the capability as it is (PROC_COPY_CAPS), which
 * answers the same errors; no reason to fail the fork. */
static long keep_ref_or_dead(cap_t cap)
{
	long r = __cairn_keep_ref(cap);

	return r == -EBADF || r == -EPIPE || r == -EIO ? 0 : r;
}

/* A fork's child gets a reference of its own of every descriptor and of
 * the working directory, at the same slot (staged: __cairn_keep_ref). On
 * an error the process server closes what was staged, and fork fails
 * with ENOMEM or, for every other want of room (a server's references,
 * the staging area), EAGAIN: what POSIX lets fork say. */
long __cairn_fd_fork_refs(void)
{
	long r = 0;

	__cairn_ipc(__cairn_proc, PS_EXEC_KEEP, 0, 0, 0, 0, 0, 0, IPC_ALWAYS, NULL);
	for (long fd = 0; fd < FD_MAX && !r; fd++) {
		if (fds[fd].kind != FDK_IO)
			continue;
		__cairn_fmap_unlease(&fds[fd]);   /* the child shares the offset */
		r = keep_ref_or_dead(fds[fd].cap);
	}
	if (!r && __cairn_cwd != CAP_NULL)
		r = keep_ref_or_dead(__cairn_cwd);
	if (r)
		__cairn_ipc(__cairn_proc, PS_EXEC_KEEP, 0, 0, 0, 0, 0, 0, IPC_ALWAYS, NULL);
	return !r || r == -ENOMEM ? r : -EAGAIN;
}

void __cairn_fd_unlease_all(void)
{
	for (long fd = 0; fd < FD_MAX; fd++)
		if (fds[fd].kind == FDK_IO)
			__cairn_fmap_unlease(&fds[fd]);
}

/* S_IFMT of descriptor f, asked for (IO_STAT) the first time. */
uint32_t __cairn_fd_type(struct cairn_fd *f)
{
	struct cairn_ans a;
	struct posix_stat st;

	if (!f->type && !__cairn_ipc(f->cap, IO_STAT, 0, 0, 0, 0, 0, 0, IPC_ALWAYS, &a) &&
	    a.nbytes >= sizeof(st)) {
		memcpy(&st, __cairn_ipc_data(), sizeof(st));
		f->type = (uint32_t)st.mode & S_IFMT;
	}
	return f->type & S_IFMT;
}

/* What kind of character device f is, asked once (IO_STAT) and kept in
 * the type's high bits: Linux's memory devices (major 1: /dev/zero, full,
 * random, urandom) and among them the random ones (1,8 /dev/random and
 * 1,9 /dev/urandom), whose reads this process answers from its own
 * generator (random.c) without asking the server. */
#define TYPE_DEV_KNOWN  (1u << 30)
#define TYPE_MEM_DEV    (1u << 31)
#define TYPE_RANDOM_DEV (1u << 29)
static uint32_t dev_kind(struct cairn_fd *f)
{
	struct cairn_ans a;
	struct posix_stat st;

	if (__cairn_fd_type(f) != S_IFCHR || f->kind != FDK_IO)
		return 0;
	if (!(f->type & TYPE_DEV_KNOWN)) {
		f->type |= TYPE_DEV_KNOWN;
		if (!__cairn_ipc(f->cap, IO_STAT, 0, 0, 0, 0, 0, 0, IPC_ALWAYS, &a) && a.nbytes >= sizeof(st)) {
			memcpy(&st, __cairn_ipc_data(), sizeof(st));
			if (((st.rdev >> 8) & 0xfff) == 1) {
				f->type |= TYPE_MEM_DEV;
				if ((st.rdev & 0xff) == 8 || (st.rdev & 0xff) == 9)
					f->type |= TYPE_RANDOM_DEV;
			}
		}
	}
	return f->type & (TYPE_MEM_DEV | TYPE_RANDOM_DEV);
}

/* Whether a read of f goes on until it has all it asked for (or the end):
 * a regular file, and the memory devices, which fill the buffer (dd bs=1M
 * from /dev/zero copies a megabyte). A pipe or a tty gives what it has. */
static int reads_on(struct cairn_fd *f)
{
	uint32_t t = __cairn_fd_type(f);

	if (t == S_IFREG)
		return 1;
	return t == S_IFCHR && (dev_kind(f) & TYPE_MEM_DEV);
}

/* A read of /dev/random or /dev/urandom: total bytes of the process's
 * generator into d, EFAULT for memory it may not write. */
static long random_read(struct iov_at *d, size_t total)
{
	char buf[1024];
	size_t done = 0;

	for (long i = 0; i < d->cnt; i++)
		if (!__cairn_mem_writable((uintptr_t)d->iov[i].iov_base, d->iov[i].iov_len))
			return -EFAULT;
	while (done < total) {
		size_t k = total - done < sizeof(buf) ? total - done : sizeof(buf);

		__cairn_random_bytes(buf, k);
		if (scatter(d, buf, k))
			break;
		done += k;
	}
	memset(buf, 0, sizeof(buf));
	return (long)done;
}

/* A positioned call's errors: the console says EPIPE where Linux says ESPIPE. */
static long at_errno(err_t e)
{
	return e == ERR_PIPE ? -ESPIPE : cairn_errno(e);
}

/* ---- reading ---------------------------------------------------------------------------- */

/* Reads up to total bytes into d (at offset off if at). */
static long io_read(struct cairn_fd *f, struct iov_at *d, size_t total, uint64_t off, int at)
{
	size_t done = 0;

	if (f->kind == FDK_DEBUG)
		return at ? -ESPIPE : 0;       /* no input: end of file */
	if (!total && !at)
		return 0;
	if (total > SSIZE_MAX)
		total = SSIZE_MAX;
	if (!at && __cairn_pipe_direct(f))
		return __cairn_pipe_readv(f, d->iov, d->cnt, total);
	/* a socket: a recv (its type is known by now: __cairn_pipe_try asked) */
	if (!at && (f->type & S_IFMT) == S_IFSOCK)
		return __cairn_sock_readv(f, d->iov, d->cnt, total);
	if (__cairn_fmap_direct(f)) {
		long r = __cairn_fmap_read(f, d, total, off, at);
		if (r != -ENOTSUP)
			return r;
		__cairn_fmap_unlease(f);  /* the server's offset from now on */
	}
	if (dev_kind(f) & TYPE_RANDOM_DEV)
		return random_read(d, total);
	/* the server's bytes would be lost: a bad buffer fails first */
	if (d->cnt && !__cairn_uwrite_ok(d->iov[0].iov_base, d->iov[0].iov_len > 0))
		return -EFAULT;
	do {
		size_t k = total - done < INLINE_MAX ? total - done : INLINE_MAX, got;
		struct cairn_ans a;
		err_t e = at ? __cairn_ipc(f->cap, IO_PREAD, k, off + done, 0, 0, 0, 0, IPC_RESTART, &a)
			     : __cairn_ipc(f->cap, IO_READ, k, 0, 0, 0, 0, 0, IPC_RESTART, &a);

		if (e)
			return done ? (long)done : at ? at_errno(e) : cairn_errno(e);
		got = a.w[0] < k ? a.w[0] : k;
		if (got > a.nbytes)
			got = a.nbytes;
		if (scatter(d, __cairn_ipc_data(), got))
			return done ? (long)done : -EFAULT;
		done += got;
		if (got < k || !reads_on(f))
			break;
	} while (done < total);
	return (long)done;
}

static long check_iov(const struct iovec *iov, long cnt, size_t *total)
{
	size_t sum = 0;

	if (cnt < 0 || cnt > IOV_MAX)
		return -EINVAL;
	for (long i = 0; i < cnt; i++) {
		if (iov[i].iov_len > (size_t)SSIZE_MAX - sum)
			return -EINVAL;
		sum += iov[i].iov_len;
	}
	*total = sum;
	return 0;
}

static long read_common(long fd, const struct iovec *iov, long cnt, uint64_t off, int at)
{
	struct cairn_fd *f = __cairn_fd(fd);
	struct iov_at d = { iov, cnt, 0, 0 };
	size_t total;
	long r;

	if (!f)
		return -EBADF;
	if ((r = check_iov(iov, cnt, &total)))
		return r;
	if (at && (int64_t)off < 0)
		return -EINVAL;
	return io_read(f, &d, total, off, at);
}

/* read(2) and write(2) of a pipe whose ring is mapped go straight to
 * pipe.c (what read_common and write_common would do, one call less). */
long __cairn_read(long fd, void *buf, size_t n)
{
	struct cairn_fd *f = __cairn_fd(fd);
	struct iovec v = { buf, n };

	if (f && f->pipe == PIPE_MAPPED && n && n <= SSIZE_MAX)
		return __cairn_pipe_readv(f, &v, 1, n);
	if (f && f->fmode == FMAP_MAPPED && f->lease && n <= SSIZE_MAX) {
		struct iov_at d = { &v, 1, 0, 0 };
		long r = __cairn_fmap_read(f, &d, n, 0, 0);
		if (r != -ENOTSUP)
			return r;
	}
	return read_common(fd, &v, 1, 0, 0);
}

long __cairn_readv(long fd, const void *iov, long cnt)
{
	return read_common(fd, iov, cnt, 0, 0);
}

long __cairn_pread(long fd, void *buf, size_t n, long off)
{
	struct iovec v = { buf, n };

	return read_common(fd, &v, 1, (uint64_t)off, 1);
}

long __cairn_preadv(long fd, const void *iov, long cnt, long off)
{
	return read_common(fd, iov, cnt, (uint64_t)off, 1);
}

/* ---- writing ---------------------------------------------------------------------------- */

/* The debug console: a writev gathered into as few DEBUG_WRITE calls as
 * its bytes need, so a line written with one call arrives whole. */
static long debug_write(const struct iovec *iov, long cnt, size_t total)
{
	static char gather[INLINE_MAX];
	size_t fill = 0;
	err_t e;

	for (long i = 0; i < cnt; i++) {
		const char *p = iov[i].iov_base;
		size_t len = iov[i].iov_len;
		while (len) {
			size_t k = INLINE_MAX - fill;
			if (k > len)
				k = len;
			if (__cairn_ucopy(gather + fill, p, k))
				return -EFAULT;
			fill += k;
			p += k;
			len -= k;
			if (fill == INLINE_MAX) {
				if ((e = cairn_console_write(gather, fill)))
					return cairn_errno(e);
				fill = 0;
			}
		}
	}
	if (fill && (e = cairn_console_write(gather, fill)))
		return cairn_errno(e);
	return (long)total;
}

static long write_common(long fd, const struct iovec *iov, long cnt, uint64_t off, int at)
{
	struct cairn_fd *f = __cairn_fd(fd);
	struct iov_at v = { iov, cnt, 0, 0 };
	size_t total, done = 0;
	long r;

	if (!f)
		return -EBADF;
	if ((r = check_iov(iov, cnt, &total)))
		return r;
	if (f->kind == FDK_DEBUG)
		return at ? -ESPIPE : debug_write(iov, cnt, total);
	if (at && (int64_t)off < 0)
		return -EINVAL;
	if (total > SSIZE_MAX)
		total = SSIZE_MAX;
	if (!at && __cairn_pipe_direct(f))
		return __cairn_pipe_writev(f, iov, cnt, total);
	/* a socket: a send (all of it on a blocking stream, one datagram);
	 * its type is known by now (__cairn_pipe_try asked) */
	if (!at && (f->type & S_IFMT) == S_IFSOCK)
		return __cairn_sock_writev(f, iov, cnt, total);
	if (__cairn_fmap_direct(f)) {
		struct iov_at w = { iov, cnt, 0, 0 };
		long r2 = __cairn_fmap_write(f, &w, total, off, at);
		if (r2 != -ENOTSUP)
			return r2;
		__cairn_fmap_unlease(f);  /* the server's offset from now on */
	}
	do {
		size_t fill = total - done < INLINE_MAX ? total - done : INLINE_MAX, wrote;
		struct cairn_ans a;
		err_t e;

		/* the next piece, gathered into the IPC buffer */
		if (gather(&v, (uint8_t *)__cairn_ipc_data(), fill))
			return done ? (long)done : -EFAULT;
		e = at ? __cairn_ipc(f->cap, IO_PWRITE, fill, off + done, 0, 0, fill, 0, IPC_RESTART, &a)
		       : __cairn_ipc(f->cap, IO_WRITE, fill, 0, 0, 0, fill, 0, IPC_RESTART, &a);
		if (e) {
			if (done)
				return (long)done;
			if (e == ERR_PIPE && !at)
				__cairn_raise(SIGPIPE);
			return at ? at_errno(e) : cairn_errno(e);
		}
		wrote = a.w[0] < fill ? a.w[0] : fill;
		done += wrote;
		if (wrote < fill)
			break;
	} while (done < total);
	return (long)done;
}

long __cairn_write(long fd, const void *buf, size_t n)
{
	struct cairn_fd *f = __cairn_fd(fd);
	struct iovec v = { (void *)buf, n };

	if (f && f->pipe == PIPE_MAPPED && n <= SSIZE_MAX)
		return __cairn_pipe_writev(f, &v, 1, n);
	if (f && f->fmode == FMAP_MAPPED && f->lease && n <= SSIZE_MAX) {
		struct iov_at w = { &v, 1, 0, 0 };
		long r = __cairn_fmap_write(f, &w, n, 0, 0);
		if (r != -ENOTSUP)
			return r;
	}
	return write_common(fd, &v, 1, 0, 0);
}

long __cairn_writev(long fd, const void *iov, long cnt)
{
	return write_common(fd, iov, cnt, 0, 0);
}

long __cairn_pwrite(long fd, const void *buf, size_t n, long off)
{
	struct iovec v = { (void *)buf, n };

	return write_common(fd, &v, 1, (uint64_t)off, 1);
}

long __cairn_pwritev(long fd, const void *iov, long cnt, long off)
{
	return write_common(fd, iov, cnt, (uint64_t)off, 1);
}

/* ---- the table -------------------------------------------------------------------------- */

long __cairn_close(long fd)
{
	struct cairn_fd *f = __cairn_fd(fd);
	struct cairn_fd old;

	if (!f)
		return -EBADF;
	__cairn_mq_closed(fd);
	__cairn_lock(&fd_lock);
	old = *f;
	f->kind = FDK_NONE;
	f->pipe = PIPE_UNTRIED;
	f->fmode = FMAP_UNTRIED;
	f->fm = NULL;
	__cairn_unlock(&fd_lock);
	__cairn_pipe_detach(&old);
	__cairn_fmap_detach(&old);
	if (old.kind == FDK_IO)
		fd_release(old.cap);
	return old.kind == FDK_NONE ? -EBADF : 0;
}

/* One more descriptor for f's description: a capability of its own. */
static err_t dup_cap(const struct cairn_fd *f, cap_t *out)
{
	err_t e;

	if (f->kind != FDK_IO) {
		*out = f->cap;
		return ERR_OK;
	}
	__cairn_fmap_unlease((struct cairn_fd *)f);   /* the offset is shared from now on */
	if ((e = __cairn_io_dup(f->cap, out)))
		return e == ERR_NOSPC ? EMFILE : e;
	return ERR_OK;
}

/* A reference of our own to the description open at fd (execveat's
 * AT_EMPTY_PATH); __cairn_io_release() gives it back. */
long __cairn_fd_ref(long fd, cap_t *out)
{
	struct cairn_fd *f = __cairn_fd(fd);
	err_t e;

	if (!f)
		return -EBADF;
	if (f->kind != FDK_IO)
		return -EACCES;              /* a pipe, a socket: no file to run */
	if ((e = dup_cap(f, out)))
		return e == EMFILE ? -EMFILE : cairn_errno(e);
	return 0;
}

/* The session a tty's description is the controlling terminal of (TIOCGSID), or -1. */
static long tty_sid(cap_t cap)
{
	struct cairn_ans a;
	int v;

	if (__cairn_ipc(cap, IO_IOCTL, TIOCGSID, 0, 0, 0, 0, 0, IPC_ALWAYS, &a) || a.nbytes < sizeof(v))
		return -1;
	memcpy(&v, __cairn_ipc_data(), sizeof(v));
	return v;
}

/* open("/dev/tty") (the VFS's POSIX_OPEN_CTTY): the console's tty, unless
 * our session's controlling terminal is another, a pty's slave among
 * descriptors 0-2 (a telnet session's shell): then that description, as
 * a new descriptor of it. */
void __cairn_ctty(cap_t *obj)
{
	long sid = __cairn_getsid(0);
	cap_t c;

	if (sid <= 0 || tty_sid(*obj) == sid)
		return;
	for (long fd = 0; fd < 3; fd++) {
		struct cairn_fd *f = __cairn_fd(fd);

		if (!f || f->kind != FDK_IO || __cairn_fd_type(f) != S_IFCHR || tty_sid(f->cap) != sid)
			continue;
		if (dup_cap(f, &c))
			return;
		__cairn_io_release(*obj);
		*obj = c;
		return;
	}
}

static long dup_from(long oldfd, long min, int cloexec)
{
	struct cairn_fd *f = __cairn_fd(oldfd);
	long fd;
	cap_t c;
	err_t e;

	if (!f)
		return -EBADF;
	if ((fd = lowest_free(min)) < 0)
		return fd;
	if ((e = dup_cap(f, &c)))
		return cairn_errno(e);
	return __cairn_fd_install(fd, c, f->kind, cloexec, f->type);
}

long __cairn_dup(long fd)
{
	return dup_from(fd, 0, 0);
}

long __cairn_dup3(long old, long new, long flags, int dup2)
{
	struct cairn_fd *f = __cairn_fd(old), saved;
	cap_t c;
	err_t e;

	if (!dup2 && (flags & ~(long)O_CLOEXEC))
		return -EINVAL;
	if (!f)
		return -EBADF;
	if (new < 0 || new >= __cairn_fd_limit)
		return -EBADF;
	if (old == new)
		return dup2 ? new : -EINVAL;
	if ((e = dup_cap(f, &c)))
		return cairn_errno(e);
	__cairn_mq_closed(new);
	__cairn_lock(&fd_lock);
	saved = fds[new];
	fds[new] = (struct cairn_fd){ .cap = c, .kind = f->kind, .cloexec = !!(flags & O_CLOEXEC),
				      .type = f->type };
	__cairn_unlock(&fd_lock);
	__cairn_pipe_detach(&saved);
	__cairn_fmap_detach(&saved);
	if (saved.kind == FDK_IO)
		fd_release(saved.cap);
	return new;
}

/*
 * IO_LOCK (include/cairn/posix.h, "locks"): the file's server keeps the
 * locks; a request that waits (F_SETLKW, flock without LOCK_NB) waits
 * there. Interrupted by a signal handler, it tells the server to forget
 * it (POSIX_LK_CANCEL), then asks again under SA_RESTART, else EINTR.
 */
static long lock_ipc(struct cairn_fd *f, uint32_t op, uint64_t w1, uint64_t start, uint64_t len,
		     struct cairn_ans *a)
{
	uint32_t cmd = op & 0xffu;
	err_t e;

	if (f->kind != FDK_IO)
		return -EINVAL;             /* the debug console */
	for (;;) {
		e = __cairn_ipc(f->cap, IO_LOCK, op, w1, start, len, 0, 0,
				cmd == POSIX_LK_SETW ? IPC_EINTR : IPC_ALWAYS, a);
		if (e != ERR_INTR || cmd != POSIX_LK_SETW)
			break;
		__cairn_ipc(f->cap, IO_LOCK, (op & ~0xffu) | POSIX_LK_CANCEL, w1, 0, 0, 0, 0, IPC_ALWAYS, NULL);
		if (!__cairn_sig_self()->restart)
			return -EINTR;
	}
	if (e == ERR_NOSYS)
		return -EINVAL;             /* a tty, a socket: no locks there */
	return cairn_errno(e);
}

static long rec_lock(struct cairn_fd *f, long fd, long cmd, struct flock *fl)
{
	uint32_t op = cmd == F_GETLK || cmd == F_OFD_GETLK ? POSIX_LK_GET :
		      cmd == F_SETLK || cmd == F_OFD_SETLK ? POSIX_LK_SET : POSIX_LK_SETW;
	bool ofd = cmd == F_OFD_GETLK || cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW;
	int64_t start;
	long whence, r;
	struct cairn_ans a;

	/* a bad struct: EFAULT, nothing locked (a GETLK writes it too) */
	if (!__cairn_uread_ok(fl, sizeof(*fl)) ||
	    ((op & 0xffu) == POSIX_LK_GET && !__cairn_uwrite_ok(fl, sizeof(*fl))))
		return -EFAULT;
	start = fl->l_start;
	whence = fl->l_whence;

	if (ofd) {
		op |= POSIX_LK_OFD;
		if (fl->l_pid)
			return -EINVAL;         /* Linux: l_pid must be 0 */
	}
	if (fl->l_type != F_RDLCK && fl->l_type != F_WRLCK && fl->l_type != F_UNLCK)
		return -EINVAL;
	if (whence == SEEK_CUR) {               /* our offset may be our own (a lease) */
		long cur = __cairn_lseek(fd, 0, SEEK_CUR);
		if (cur < 0)
			return cur;
		if (__builtin_add_overflow(start, (int64_t)cur, &start))
			return -EOVERFLOW;
		whence = SEEK_SET;
	} else if (whence != SEEK_SET && whence != SEEK_END) {
		return -EINVAL;
	}
	r = lock_ipc(f, op, (uint64_t)(uint8_t)fl->l_type | (uint64_t)whence << 8 |
			    (uint64_t)(uint32_t)__cairn_getpid_known() << 32,
		     (uint64_t)start, (uint64_t)(int64_t)fl->l_len, &a);
	if (r || (op & 0xffu) != POSIX_LK_GET)
		return r;
	if (a.w[0] == F_UNLCK) {
		fl->l_type = F_UNLCK;
		return 0;
	}
	fl->l_type = (short)a.w[0];
	fl->l_whence = SEEK_SET;
	fl->l_start = (off_t)a.w[1];
	fl->l_len = (off_t)a.w[2];
	fl->l_pid = (pid_t)(int64_t)a.w[3];
	return 0;
}

long __cairn_flock(long fd, long op)
{
	struct cairn_fd *f = __cairn_fd(fd);
	long how = op & ~(long)LOCK_NB;
	uint64_t type = how == LOCK_SH ? F_RDLCK : how == LOCK_EX ? F_WRLCK : F_UNLCK;

	if (!f)
		return -EBADF;
	if (how != LOCK_SH && how != LOCK_EX && how != LOCK_UN)
		return -EINVAL;
	return lock_ipc(f, POSIX_LK_FLOCK | ((op & LOCK_NB) || how == LOCK_UN ? POSIX_LK_SET : POSIX_LK_SETW),
			type | (uint64_t)(uint32_t)__cairn_getpid_known() << 32, 0, 0, NULL);
}

long __cairn_fcntl(long fd, long cmd, long arg)
{
	struct cairn_fd *f = __cairn_fd(fd);
	struct cairn_ans a;
	err_t e;

	if (!f)
		return -EBADF;
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if (arg < 0 || arg >= __cairn_fd_limit)
			return -EINVAL;
		return dup_from(fd, arg, cmd == F_DUPFD_CLOEXEC);
	case F_GETFD:
		return f->cloexec ? FD_CLOEXEC : 0;
	case F_SETFD:
		f->cloexec = (arg & FD_CLOEXEC) != 0;
		return 0;
	case F_GETFL:
		if (f->kind == FDK_DEBUG)
			return O_RDWR;
		if ((e = __cairn_ipc(f->cap, IO_GETFL, 0, 0, 0, 0, 0, 0, IPC_ALWAYS, &a)))
			return cairn_errno(e);
		return (long)(a.w[0] & 0xffffffffu);
	case F_SETFL:
		if (f->kind == FDK_DEBUG)
			return 0;
		e = __cairn_ipc(f->cap, IO_SETFL, (uint64_t)arg & (O_APPEND | O_NONBLOCK), 0, 0, 0, 0, 0,
				IPC_ALWAYS, NULL);
		if (!e)
			f->oflags = (f->oflags & ~(uint32_t)(O_APPEND | O_NONBLOCK)) |
				    ((uint32_t)arg & (O_APPEND | O_NONBLOCK));
		return cairn_errno(e);
	case F_GETLK: case F_SETLK: case F_SETLKW:
	case F_OFD_GETLK: case F_OFD_SETLK: case F_OFD_SETLKW:
		return rec_lock(f, fd, cmd, (struct flock *)arg);
	case F_GETPIPE_SZ:
		return __cairn_fd_type(f) == S_IFIFO ? 65536 : -EINVAL;
	}
	return -EINVAL;
}

long __cairn_pipe2(int *out, long flags)
{
	struct cairn_ans a;
	long r0, r1;
	cap_t c[2];
	err_t e;

	if (flags & ~(long)(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
		return -EINVAL;
	if (__cairn_root == CAP_NULL) {
		__cairn_unimplemented(CAIRN_UNIMP_OTHER, 0x20000, "pipes without a \"vfs\" capability are");
		return -ENOSYS;
	}
	/* two free descriptors first: nothing to undo in the server after */
	__cairn_lock(&fd_lock);
	if ((r0 = lowest_free(0)) >= 0) {
		fds[r0].kind = FDK_IO;
		if ((r1 = lowest_free(r0 + 1)) >= 0)
			fds[r1].kind = FDK_IO;
		else
			fds[r0].kind = FDK_NONE;
	}
	__cairn_unlock(&fd_lock);
	if (r0 < 0)
		return r0;
	if (r1 < 0)
		return r1;
	e = __cairn_ipc(__cairn_vfs, FS_PIPE, (uint64_t)flags & O_NONBLOCK, 0, 0, 0, 0, 0, IPC_ALWAYS, &a);
	if (!e && a.ncaps < 2)
		e = ERR_IO;
	if (e) {
		__cairn_fd_unreserve(r0);
		__cairn_fd_unreserve(r1);
		return cairn_errno(e);
	}
	c[0] = cairn_ipcbuf()->caps[0];
	c[1] = cairn_ipcbuf()->caps[1];
	__cairn_fd_fill(r0, c[0], (flags & O_CLOEXEC) != 0, S_IFIFO);
	__cairn_fd_fill(r1, c[1], (flags & O_CLOEXEC) != 0, S_IFIFO);
	out[0] = (int)r0;
	out[1] = (int)r1;
	return 0;
}

/* ---- the rest of the I/O protocol ------------------------------------------------------- */

long __cairn_lseek(long fd, long off, long whence)
{
	struct cairn_fd *f = __cairn_fd(fd);
	struct cairn_ans a;
	err_t e;

	if (!f)
		return -EBADF;
	if (f->kind == FDK_DEBUG)
		return -ESPIPE;
	if (f->fmode == FMAP_MAPPED && f->lease) {
		long r = __cairn_fmap_seek(f, off, whence);
		if (r != -ENOTSUP)
			return r;
		__cairn_fmap_unlease(f);
	}
	if ((e = __cairn_ipc(f->cap, IO_SEEK, (uint64_t)off, (uint64_t)whence, 0, 0, 0, 0, IPC_ALWAYS, &a)))
		return at_errno(e);
	return (long)a.w[0];
}

void __cairn_kstat(const struct posix_stat *ps, void *out)
{
	struct kstat *k = out;

	memset(k, 0, sizeof(*k));
	k->st_dev = ps->dev;
	k->st_ino = ps->ino;
	k->st_mode = (mode_t)ps->mode;
	k->st_nlink = (nlink_t)ps->nlink;
	k->st_uid = (uid_t)ps->uid;
	k->st_gid = (gid_t)ps->gid;
	k->st_rdev = ps->rdev;
	k->st_size = (off_t)ps->size;
	k->st_blksize = (blksize_t)ps->blksize;
	k->st_blocks = (blkcnt_t)ps->blocks;
	k->st_atime_sec = ps->atime_sec;
	k->st_atime_nsec = ps->atime_nsec;
	k->st_mtime_sec = ps->mtime_sec;
	k->st_mtime_nsec = ps->mtime_nsec;
	k->st_ctime_sec = ps->ctime_sec;
	k->st_ctime_nsec = ps->ctime_nsec;
}

long __cairn_fstat(long fd, void *kst)
{
	struct cairn_fd *f = __cairn_fd(fd);
	struct posix_stat st;
	struct cairn_ans a;
	err_t e;

	if (!f)
		return -EBADF;
	if (f->kind == FDK_DEBUG) {
		memset(&st, 0, sizeof(st));
		st.mode = S_IFCHR | 0620;
		st.rdev = (5 << 8) | 1;
		st.nlink = 1;
		st.blksize = 1024;
	} else {
		if ((e = __cairn_ipc(f->cap, IO_STAT, 0, 0, 0, 0, 0, 0, IPC_ALWAYS, &a)))
			return cairn_errno(e);
		if (a.nbytes < sizeof(st))
			return -EIO;
		memcpy(&st, __cairn_ipc_data(), sizeof(st));
		f->type = (uint32_t)st.mode & S_IFMT;
	}
	__cairn_kstat(&st, kst);
	return 0;
}

long __cairn_getdents64(long fd, void *buf, size_t len)
{
	struct cairn_fd *f = __cairn_fd(fd);
	struct cairn_ans a;
	size_t n;
	err_t e;

	if (!f)
		return -EBADF;
	if (f->kind == FDK_DEBUG)
		return -ENOTDIR;
	if (len > INLINE_MAX)
		len = INLINE_MAX;
	if ((e = __cairn_ipc(f->cap, IO_READDIR, POSIX_DIR_POS, len, 0, 0, 0, 0, IPC_ALWAYS, &a)))
		return cairn_errno(e);
	n = a.w[1] < a.nbytes ? a.w[1] : a.nbytes;
	if (n > len)
		n = len;
	memcpy(buf, __cairn_ipc_data(), n);
	return (long)n;
}

long __cairn_ftruncate(long fd, long len)
{
	struct cairn_fd *f = __cairn_fd(fd);

	if (!f)
		return -EBADF;
	if (len < 0)
		return -EINVAL;
	if (f->kind == FDK_DEBUG)
		return -EINVAL;
	return cairn_errno(__cairn_ipc(f->cap, IO_TRUNCATE, (uint64_t)len, 0, 0, 0, 0, 0, IPC_ALWAYS, NULL));
}

long __cairn_fsync(long fd)
{
	struct cairn_fd *f = __cairn_fd(fd);

	if (!f)
		return -EBADF;
	if (f->kind == FDK_DEBUG)
		return -EINVAL;
	if (__cairn_fmap_nosync(f))
		return 0;                 /* the pages are the file (tmpfs) */
	return cairn_errno(__cairn_ipc(f->cap, IO_SYNC, 0, 0, 0, 0, 0, 0, IPC_ALWAYS, NULL));
}

long __cairn_fchmod(long fd, long mode)
{
	struct cairn_fd *f = __cairn_fd(fd);

	if (!f)
		return -EBADF;
	if (f->kind == FDK_DEBUG)
		return -EPERM;
	return cairn_errno(__cairn_ipc(f->cap, FS_CHMOD, (uint64_t)mode & 07777, AT_EMPTY_PATH, 0, 0, 0,
				       __cairn_with_cred(0), IPC_ALWAYS, NULL));
}

/* ---- ioctl ----------------------------------------------------------------------------- */

/* The settings a Linux console in cooked mode reports (FDK_DEBUG). TCGETS
 * fills the kernel's struct termios, which ends after c_cc[19]. */
static void console_termios(struct termios *t)
{
	static const unsigned char cc[] = {
		[VINTR] = 3, [VQUIT] = 28, [VERASE] = 127, [VKILL] = 21, [VEOF] = 4,
		[VTIME] = 0, [VMIN] = 1, [VSTART] = 17, [VSTOP] = 19, [VSUSP] = 26,
		[VREPRINT] = 18, [VDISCARD] = 15, [VWERASE] = 23, [VLNEXT] = 22,
	};

	memset(t, 0, offsetof(struct termios, c_cc) + 19);
	t->c_iflag = ICRNL | IXON;
	t->c_oflag = OPOST | ONLCR;
	t->c_cflag = B115200 | CS8 | CREAD | HUPCL;
	t->c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN;
	memcpy(t->c_cc, cc, sizeof(cc));
}

static long debug_ioctl(unsigned long req, void *arg)
{
	if ((req == TIOCGWINSZ && !__cairn_uwrite_ok(arg, sizeof(struct winsize))) ||
	    (req == TCGETS && !__cairn_uwrite_ok(arg, offsetof(struct termios, c_cc) + 19)))
		return -EFAULT;
	switch (req) {
	case TIOCGWINSZ: {
		struct winsize ws = { .ws_row = 24, .ws_col = 80 };
		memcpy(arg, &ws, sizeof(ws));
		return 0;
	}
	case TCGETS:
		console_termios(arg);
		return 0;
	}
	char what[64] = "ioctl 0x";
	size_t n = strlen(what);
	for (int sh = 28; sh >= 0; sh -= 4)
		what[n++] = "0123456789abcdef"[(req >> sh) & 15];
	strcpy(what + n, " on the console");
	__cairn_unimplemented(CAIRN_UNIMP_IOCTL, req, what);
	return -ENOTTY;
}

#define TERMIOS_K   36      /* the kernel's struct termios */

long __cairn_ioctl(long fd, unsigned long req, void *arg)
{
	struct cairn_fd *f = __cairn_fd(fd);
	size_t in = 0, out = 0;
	unsigned ncaps = 0;
	uint64_t byval = 0, w2 = 0;
	struct cairn_ans a;
	err_t e;

	req = (unsigned int)req;     /* ioctl(2)'s int: 0x80045430 came sign-extended */
	if (!f)
		return -EBADF;
	if (f->kind == FDK_DEBUG)
		return debug_ioctl(req, arg);
	if (req == FIONREAD && f->fmode == FMAP_MAPPED && f->lease) {
		int v;
		if (!__cairn_fmap_fionread(f, &v))
			return __cairn_ucopy(arg, &v, sizeof(v)) ? -EFAULT : 0;
	}
	switch (req) {
	case TCGETS: out = TERMIOS_K; break;
	case TCSETS: case TCSETSW: case TCSETSF: in = TERMIOS_K; break;
	case TIOCGWINSZ: out = sizeof(struct winsize); break;
	case TIOCSWINSZ: in = sizeof(struct winsize); break;
	case TIOCGPGRP: case TIOCGSID: case FIONREAD: case TIOCOUTQ: out = sizeof(int); break;
	case TIOCGPTN: case TIOCGPTLCK: out = sizeof(int); break;     /* a pty's master */
	case TIOCSPGRP: case FIONBIO: case TIOCSPTLCK: in = sizeof(int); break;
	case TIOCSTI: in = 1; break;
	/* a network interface's settings (a socket: the network server) */
	case SIOCGIFNAME: case SIOCGIFINDEX: case SIOCGIFFLAGS: case SIOCGIFADDR:
	case SIOCGIFDSTADDR: case SIOCGIFBRDADDR: case SIOCGIFNETMASK: case SIOCGIFMTU:
	case SIOCGIFHWADDR: case SIOCGIFTXQLEN: case SIOCGIFMETRIC: case SIOCGIFMAP:
		in = out = sizeof(struct ifreq);
		break;
	case SIOCSIFFLAGS: case SIOCSIFADDR: case SIOCSIFNETMASK: case SIOCSIFBRDADDR: case SIOCSIFMTU:
		in = sizeof(struct ifreq);
		break;
	case SIOCGIFCONF:
		return __cairn_sock_ifconf(f, arg);      /* a pointer inside: socket.c */
	case TIOCSCTTY:
		/* the session leader's "proc" and its session become the tty's */
		byval = (uint64_t)arg;
		if (__cairn_proc != CAP_NULL) {
			long sid = __cairn_getsid(0);
			if (sid < 0)
				return sid;
			w2 = (uint64_t)sid;
			cairn_ipcbuf()->caps[0] = __cairn_proc;
			ncaps = 1;
		}
		break;
	default:
		byval = (uint64_t)arg;   /* TCFLSH, TCSBRK, TCXONC, TIOCNOTTY, ... */
		break;
	}
	/* a bad argument: EFAULT before the server hears of it (the answer
	 * of a request that writes is tried first too: then, as on Linux,
	 * nothing has changed) */
	if ((in && __cairn_ucopy(__cairn_ipc_data(), arg, in)) || (out && !__cairn_uwrite_ok(arg, out)))
		return -EFAULT;
	e = __cairn_ipc(f->cap, IO_IOCTL, req, byval, w2, 0, in, ncaps, IPC_RESTART, &a);
	if (e)
		return cairn_errno(e);
	if (out) {
		if (a.nbytes < out)
			return -EIO;
		if (__cairn_ucopy(arg, __cairn_ipc_data(), out))
			return -EFAULT;      /* unmapped meanwhile by another thread */
	}
	return (long)(int)a.w[0];
}

/* ---- sendfile --------------------------------------------------------------------------- */

/* sendfile(2): a copy through this process, a buffer at a time (no server
 * copies between two objects yet). At most SENDFILE_MAX bytes a call, so
 * a signal is taken between calls; the caller loops, as Linux's callers
 * do (Linux too may copy less than asked). Input read but not written is
 * given back: without an offset by seeking the input back (a pipe's cannot
 * be, as with Linux's splice, and is lost with the write's error).
 * Errors: the read's or the write's, when nothing was copied. */
#define SENDFILE_MAX  (1 << 20)

long __cairn_sendfile(long out, long in, long *offp, size_t count)
{
	char buf[4096];
	size_t done = 0;
	long off = 0, r = 0;

	if (offp) {
		off = *offp;
		if (off < 0)
			return -EINVAL;
	}
	if (count > SENDFILE_MAX)
		count = SENDFILE_MAX;
	while (done < count) {
		size_t want = count - done < sizeof(buf) ? count - done : sizeof(buf);
		long got, put = 0;

		got = offp ? __cairn_pread(in, buf, want, off + (long)done) : __cairn_read(in, buf, want);
		if (got <= 0) {
			r = got;
			break;
		}
		while (put < got) {
			long w = __cairn_write(out, buf + put, (size_t)(got - put));
			if (w <= 0) {
				r = w ? w : -EIO;
				break;
			}
			put += w;
		}
		done += (size_t)put;
		if (put < got) {
			if (!offp)
				__cairn_lseek(in, put - got, SEEK_CUR);
			break;
		}
		if ((size_t)got < want)
			break;
	}
	if (offp)
		*offp = off + (long)done;
	return done ? (long)done : r;
}
