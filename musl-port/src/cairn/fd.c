/* SPDX-License-Identifier: MIT */
/*
 * Descriptors. The table lives in the process: descriptor N is a slot of
 * its capability table holding a capability to a server object that
 * speaks the I/O protocol of include/cairn/posix.h (an open file
 * description of the VFS, a pipe end, a tty of the console server), plus
 * FD_CLOEXEC. Every descriptor has its own slot and counts as one
 * reference of its description in the server: dup and fork send IO_DUP,
 * close and exit IO_CLOSE; the last close closes the description.
 *
 * A program that init starts by itself (no tty) has descriptors 0-2 on
 * the kernel's debug console (FDK_DEBUG): writes print, reads see end of
 * file, and the terminal ioctls answer for a cooked-mode console.
 *
 * Data travels inline, at most POSIX_INLINE_MAX (4000) bytes a message:
 * a longer write is several IO_WRITEs; a longer read of a regular file
 * several IO_READs, of a tty one (what is there). writev gathers its
 * pieces straight into the IPC buffer. Pipes move their bytes through a
 * ring shared with the VFS instead (below, "shared pipes").
 */
#define _GNU_SOURCE     /* ECHOCTL, ECHOKE */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <termios.h>
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
	if (min < 0 || min >= __cairn_fd_limit)
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

/* Drops a reference of an FDK_IO capability and the slot. */
void __cairn_io_release(cap_t cap)
{
	__cairn_ipc(cap, IO_CLOSE, 0, 0, 0, 0, 0, 0, IPC_ALWAYS, NULL);
	cairn_cap_delete(cap);
}

void __cairn_fd_close_all(void)
{
	for (long fd = 0; fd < FD_MAX; fd++) {
		if (fds[fd].kind == FDK_IO)
			__cairn_io_release(fds[fd].cap);
		fds[fd].kind = FDK_NONE;
	}
	if (__cairn_cwd != CAP_NULL)
		__cairn_io_release(__cairn_cwd);
	__cairn_cwd = CAP_NULL;
}

void __cairn_fd_fork_refs(int undo)
{
	uint32_t label = undo ? IO_CLOSE : IO_DUP;

	for (long fd = 0; fd < FD_MAX; fd++)
		if (fds[fd].kind == FDK_IO)
			__cairn_ipc(fds[fd].cap, label, 0, 0, 0, 0, 0, 0, IPC_ALWAYS, NULL);
	if (__cairn_cwd != CAP_NULL)
		__cairn_ipc(__cairn_cwd, label, 0, 0, 0, 0, 0, 0, IPC_ALWAYS, NULL);
}

/* S_IFMT of descriptor f, asked for (IO_STAT) the first time. */
static uint32_t type_of(struct cairn_fd *f)
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

/* A positioned call's errors: the console says EPIPE where Linux says ESPIPE. */
static long at_errno(err_t e)
{
	return e == ERR_PIPE ? -ESPIPE : cairn_errno(e);
}

/* ---- reading ---------------------------------------------------------------------------- */

/* A place in an iovec array: where a read scatters to, or a write
 * gathers from. */
struct iov_at {
	const struct iovec *iov;
	long cnt, i;
	size_t off;               /* in iov[i] */
};

/* Copies n bytes between buf and the iovecs at v, onwards: into them
 * (scatter: a read) or out of them (gather: a write). */
static void iov_copy(struct iov_at *v, char *buf, size_t n, int into)
{
	while (n && v->i < v->cnt) {
		char *at = (char *)v->iov[v->i].iov_base + v->off;
		size_t k = v->iov[v->i].iov_len - v->off;

		if (k > n)
			k = n;
		if (into)
			memcpy(at, buf, k);
		else
			memcpy(buf, at, k);
		buf += k;
		n -= k;
		v->off += k;
		if (v->off == v->iov[v->i].iov_len) {
			v->i++;
			v->off = 0;
		}
	}
}

static void scatter(struct iov_at *d, const char *src, size_t n)
{
	iov_copy(d, (char *)src, n, 1);
}

static void gather(struct iov_at *v, uint8_t *dst, size_t n)
{
	iov_copy(v, (char *)dst, n, 0);
}

/* ---- shared pipes ------------------------------------------------------------------------ */
/*
 * A pipe's holders move its bytes themselves through the ring the VFS
 * shares (include/cairn/posix.h, struct posix_pipe_shm): the first read
 * or write of a pipe descriptor asks for it (IO_PIPE_MAP) and maps it
 * (shared with a fork's child, like the descriptor); from then on a
 * read or write that finds bytes or room is a copy and, when the other
 * side waits, one NOTIFY signal: no server round trip. A side that must
 * wait counts itself in rwait/wwait and waits on the pipe's data or space
 * Notification. A pipe the server could not share (or a map that failed)
 * goes through IO_READ/IO_WRITE as before.
 *
 * The side locks are held for a copy only. The main thread holds signal
 * handlers back meanwhile (a handler writing to the pipe its thread was
 * writing would wait for itself). A lock whose holder's process is gone
 * (killed inside the copy) is taken over after a while.
 */
#define RING        POSIX_PIPE_RING
#define LOAD(p)     __atomic_load_n(p, __ATOMIC_SEQ_CST)
#define STORE(p, v) __atomic_store_n(p, v, __ATOMIC_SEQ_CST)
#define ACQ(p)      __atomic_load_n(p, __ATOMIC_ACQUIRE)
#define REL(p, v)   __atomic_store_n(p, v, __ATOMIC_RELEASE)
#define RELAXED(p)  __atomic_load_n(p, __ATOMIC_RELAXED)

static volatile int attach_lock;

static uint8_t *ring_of(struct posix_pipe_shm *s)
{
	return (uint8_t *)s + 4096;
}

/* Maps descriptor f's pipe ring: 1 if f now has it. */
static int pipe_attach(struct cairn_fd *f)
{
	struct cairn_ans a;
	cap_t c[3];
	void *va;
	err_t e;

	__cairn_lock(&attach_lock);
	if (f->pipe != PIPE_UNTRIED)
		goto out;
	f->pipe = PIPE_SERVER;
	e = __cairn_ipc(f->cap, IO_PIPE_MAP, 0, 0, 0, 0, 0, 0, IPC_ALWAYS, &a);
	if (e || a.ncaps < 3) {
		for (unsigned i = 0; !e && i < a.ncaps; i++)
			cairn_cap_delete(cairn_ipcbuf()->caps[i]);
		goto out;
	}
	for (unsigned i = 0; i < 3; i++)
		c[i] = cairn_ipcbuf()->caps[i];
	if (a.w[1] != RING ||
	    cairn_map(c[0], 0, POSIX_PIPE_PAGES, CAIRN_PROT_R | CAIRN_PROT_W | CAIRN_PROT_SHARE, &va)) {
		for (unsigned i = 0; i < 3; i++)
			cairn_cap_delete(c[i]);
		goto out;
	}
	f->shm = va;
	f->pwend = a.w[0] == 1;
	for (unsigned i = 0; i < 3; i++)
		f->pobj[i] = c[i];
	f->pipe = PIPE_MAPPED;
out:
	__cairn_unlock(&attach_lock);
	return f->pipe == PIPE_MAPPED;
}

/* Drops what pipe_attach made (a descriptor that is gone: a copy). */
static void pipe_detach(struct cairn_fd *f)
{
	if (f->pipe != PIPE_MAPPED)
		return;
	cairn_unmap(f->shm, POSIX_PIPE_PAGES);
	for (unsigned i = 0; i < 3; i++)
		cairn_cap_delete(f->pobj[i]);
	f->pipe = PIPE_UNTRIED;
}

/* The first read or write of f: whether it is a pipe with a shared ring
 * (anything else is PIPE_SERVER from then on). */
__attribute__((noinline))
static int pipe_try(struct cairn_fd *f)
{
	if (f->kind != FDK_IO || type_of(f) != S_IFIFO) {
		f->pipe = PIPE_SERVER;
		return 0;
	}
	return pipe_attach(f);
}

/* Whether a read or write of f goes through the shared ring. */
static inline int pipe_direct(struct cairn_fd *f)
{
	if (f->pipe == PIPE_MAPPED)
		return 1;
	return f->pipe == PIPE_UNTRIED && pipe_try(f);
}

/* Holds signal handlers back on the main thread: 1 if it did. */
static int hold(void)
{
	if (__cairn_threaded && cairn_ipcbuf() != cairn_ipcbuf_ptr)
		return 0;
	__cairn_sig_hold++;
	return 1;
}

static void unhold(int held)
{
	if (held && !--__cairn_sig_hold && __cairn_sig_held)
		__cairn_sig_release();
}

static void side_lock(uint32_t *l)
{
	uint32_t me = (uint32_t)__cairn_getpid(), free;
	unsigned spins = 0;

	for (;;) {
		free = 0;
		if (__atomic_compare_exchange_n(l, &free, me, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			return;
		if (++spins < 64) {
			cairn_yield();
			continue;
		}
		/* a holder at a lower priority, or one that is gone */
		__cairn_sleep(1000000);
		if (spins % 16 == 0 && free != me && free != POSIX_PIPE_SERVER && free &&
		    __cairn_proc != CAP_NULL &&
		    __cairn_ipc(__cairn_proc, PS_KILL, free, 0, POSIX_KILL_LIVE, 0, 0, 0, IPC_ALWAYS,
				NULL) == ERR_SRCH)
			__atomic_compare_exchange_n(l, &free, 0, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	}
}

static void side_unlock(uint32_t *l)
{
	REL(l, 0);
}

/* After a side moved its index (or found the pipe's end): wakes the
 * other side, and this side's next waiter if there is still something
 * for it, and tells the server if it asked. */
static inline void pipe_after(struct cairn_fd *f, int wend, int more)
{
	struct posix_pipe_shm *s = f->shm;

	/* the index moved before any count is looked at: a waiter counted
	 * itself before looking at the index (pipe_wait), so one of us sees
	 * the other */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (RELAXED(wend ? &s->rwait : &s->wwait))
		cairn_send(f->pobj[wend ? 1 : 2], 0, 1, 0, 0, 0);
	if (more && RELAXED(wend ? &s->wwait : &s->rwait))
		cairn_send(f->pobj[wend ? 2 : 1], 0, 1, 0, 0, 0);
	if (RELAXED(&s->kick))
		__cairn_ipc(f->cap, IO_PIPE_KICK, 0, 0, 0, 0, 0, 0, IPC_ALWAYS, NULL);
}

/* Small copies (the usual pipe message) without a call. */
static inline void copy(void *dst, const void *src, size_t n)
{
	if (n > 16) {
		memcpy(dst, src, n);
		return;
	}
	for (size_t i = 0; i < n; i++)
		((char *)dst)[i] = ((const char *)src)[i];
}

/* Waits on this side's Notification after counting itself (rwait or
 * wwait), unless the other side's index moved or its count reached 0
 * meanwhile: 0, or ERR_INTR if a signal handler ran since sigs (counted
 * at the start of the attempt: a handler held back in the copy runs at
 * unhold, and must interrupt the wait it would have interrupted). */
static err_t pipe_wait(struct cairn_fd *f, int wend, uint32_t *lock, uint32_t seen, int held,
		       unsigned long sigs)
{
	struct posix_pipe_shm *s = f->shm;
	uint32_t *count = wend ? &s->wwait : &s->rwait;
	int moved;
	err_t e = 0;

	__atomic_fetch_add(count, 1, __ATOMIC_SEQ_CST);
	moved = wend ? LOAD(&s->head) != seen || !LOAD(&s->readers)
		     : LOAD(&s->tail) != seen || !LOAD(&s->writers);
	side_unlock(lock);
	unhold(held);
	if (!moved)
		e = __cairn_sig_count != sigs ? ERR_INTR
					      : cairn_wait(f->pobj[wend ? 2 : 1], CAIRN_FOREVER, NULL);
	__atomic_fetch_sub(count, 1, __ATOMIC_SEQ_CST);
	return e == ERR_INTR ? ERR_INTR : 0;
}

static long pipe_read(struct cairn_fd *f, struct iov_at *d, size_t total)
{
	struct posix_pipe_shm *s = f->shm;
	uint8_t *ring = ring_of(s);

	if (f->pwend)
		return -EBADF;
	if (!total)
		return 0;
	for (;;) {
		unsigned long sigs = __cairn_sig_count;
		int held = hold();
		side_lock(&s->rlock);
		uint32_t head = RELAXED(&s->head), tail = ACQ(&s->tail), used = tail - head;

		if (used > RING) {
			side_unlock(&s->rlock);
			unhold(held);
			return -EIO;              /* a broken header */
		}
		if (used) {
			uint32_t n = total < used ? (uint32_t)total : used, off = head % RING;
			uint32_t k = RING - off < n ? RING - off : n;

			if (d->cnt == 1 && n == k) {
				copy(d->iov[0].iov_base, ring + off, n);
			} else {
				scatter(d, (const char *)ring + off, k);
				scatter(d, (const char *)ring, n - k);
			}
			REL(&s->head, head + n);
			side_unlock(&s->rlock);
			unhold(held);
			pipe_after(f, 0, used > n);
			return n;
		}
		if (!RELAXED(&s->writers)) {
			side_unlock(&s->rlock);
			unhold(held);
			pipe_after(f, 0, 1);      /* the next reader sees the end too */
			return 0;
		}
		if (RELAXED(&s->rflags) & O_NONBLOCK) {
			side_unlock(&s->rlock);
			unhold(held);
			return -EAGAIN;
		}
		if (pipe_wait(f, 0, &s->rlock, tail, held, sigs) == ERR_INTR && !__cairn_sig_restart)
			return -EINTR;
	}
}

/* A write of at most POSIX_PIPE_BUF bytes goes in whole, a longer one
 * as room comes (as Linux's). */
static long pipe_write(struct cairn_fd *f, struct iov_at *v, size_t total)
{
	struct posix_pipe_shm *s = f->shm;
	uint8_t *ring = ring_of(s);
	size_t done = 0;

	if (!f->pwend)
		return -EBADF;
	if (!total)
		return 0;
	for (;;) {
		unsigned long sigs = __cairn_sig_count;
		int held = hold();
		side_lock(&s->wlock);
		uint32_t tail = RELAXED(&s->tail), head = ACQ(&s->head), used = tail - head;
		size_t rem = total - done, need = rem <= POSIX_PIPE_BUF ? rem : 1;

		if (!RELAXED(&s->readers) || used > RING) {
			int broken = used > RING;
			side_unlock(&s->wlock);
			unhold(held);
			pipe_after(f, 1, 1);      /* the next writer sees it too */
			if (broken)
				return done ? (long)done : -EIO;
			__cairn_raise(SIGPIPE);
			return done ? (long)done : -EPIPE;
		}
		if (RING - used >= need) {
			uint32_t n = rem < RING - used ? (uint32_t)rem : RING - used, off = tail % RING;
			uint32_t k = RING - off < n ? RING - off : n;

			if (v->cnt == 1 && n == k && n == rem) {
				copy(ring + off, (const char *)v->iov[0].iov_base + v->off, n);
			} else {
				gather(v, ring + off, k);
				gather(v, ring, n - k);
			}
			REL(&s->tail, tail + n);
			side_unlock(&s->wlock);
			unhold(held);
			done += n;
			pipe_after(f, 1, RING - used > n);
			if (done == total)
				return (long)done;
			continue;
		}
		if (RELAXED(&s->wflags) & O_NONBLOCK) {
			side_unlock(&s->wlock);
			unhold(held);
			return done ? (long)done : -EAGAIN;
		}
		if (pipe_wait(f, 1, &s->wlock, head, held, sigs) == ERR_INTR && (done || !__cairn_sig_restart))
			return done ? (long)done : -EINTR;
	}
}

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
	if (!at && pipe_direct(f))
		return pipe_read(f, d, total);
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
		scatter(d, __cairn_ipc_data(), got);
		done += got;
		/* only a regular file is read on: a pipe or a tty gives what it has */
		if (got < k || type_of(f) != S_IFREG)
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

long __cairn_read(long fd, void *buf, size_t n)
{
	struct iovec v = { buf, n };

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
			memcpy(gather + fill, p, k);
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
	if (!at && pipe_direct(f))
		return pipe_write(f, &v, total);
	do {
		size_t fill = total - done < INLINE_MAX ? total - done : INLINE_MAX, wrote;
		struct cairn_ans a;
		err_t e;

		/* the next piece, gathered into the IPC buffer */
		gather(&v, (uint8_t *)__cairn_ipc_data(), fill);
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
	struct iovec v = { (void *)buf, n };

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
	__cairn_lock(&fd_lock);
	old = *f;
	f->kind = FDK_NONE;
	f->pipe = PIPE_UNTRIED;
	__cairn_unlock(&fd_lock);
	pipe_detach(&old);
	if (old.kind == FDK_IO)
		__cairn_io_release(old.cap);
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
	if ((e = __cairn_ipc(f->cap, IO_DUP, 0, 0, 0, 0, 0, 0, IPC_ALWAYS, NULL)))
		return e;
	if ((e = cairn_cap_copy(f->cap, RIGHTS_ALL, out))) {
		__cairn_ipc(f->cap, IO_CLOSE, 0, 0, 0, 0, 0, 0, IPC_ALWAYS, NULL);
		return e == ERR_NOSPC ? EMFILE : e;
	}
	return ERR_OK;
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
	__cairn_lock(&fd_lock);
	saved = fds[new];
	fds[new] = (struct cairn_fd){ .cap = c, .kind = f->kind, .cloexec = !!(flags & O_CLOEXEC),
				      .type = f->type };
	__cairn_unlock(&fd_lock);
	pipe_detach(&saved);
	if (saved.kind == FDK_IO)
		__cairn_io_release(saved.cap);
	return new;
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
		return cairn_errno(e);
	case F_GETLK: case F_SETLK: case F_SETLKW:
	case F_OFD_GETLK: case F_OFD_SETLK: case F_OFD_SETLKW:
		__cairn_unimplemented(CAIRN_UNIMP_OTHER, 0x10000 + (unsigned long)cmd,
				      "fcntl record locks (F_GETLK, F_SETLK, F_SETLKW) are");
		return -ENOLCK;
	case F_GETPIPE_SZ:
		return type_of(f) == S_IFIFO ? 65536 : -EINVAL;
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
	e = __cairn_ipc(__cairn_root, FS_PIPE, (uint64_t)flags & O_NONBLOCK, 0, 0, 0, 0, 0, IPC_ALWAYS, &a);
	if (!e && a.ncaps < 2)
		e = ERR_IO;
	if (e) {
		fds[r0].kind = fds[r1].kind = FDK_NONE;
		return cairn_errno(e);
	}
	c[0] = cairn_ipcbuf()->caps[0];
	c[1] = cairn_ipcbuf()->caps[1];
	fds[r0] = (struct cairn_fd){ .cap = c[0], .kind = FDK_IO, .cloexec = !!(flags & O_CLOEXEC),
				     .type = S_IFIFO };
	fds[r1] = (struct cairn_fd){ .cap = c[1], .kind = FDK_IO, .cloexec = !!(flags & O_CLOEXEC),
				     .type = S_IFIFO };
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
				       0, IPC_ALWAYS, NULL));
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

	if (!f)
		return -EBADF;
	if (f->kind == FDK_DEBUG)
		return debug_ioctl(req, arg);
	switch (req) {
	case TCGETS: out = TERMIOS_K; break;
	case TCSETS: case TCSETSW: case TCSETSF: in = TERMIOS_K; break;
	case TIOCGWINSZ: out = sizeof(struct winsize); break;
	case TIOCSWINSZ: in = sizeof(struct winsize); break;
	case TIOCGPGRP: case TIOCGSID: case FIONREAD: case TIOCOUTQ: out = sizeof(int); break;
	case TIOCSPGRP: case FIONBIO: in = sizeof(int); break;
	case TIOCSTI: in = 1; break;
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
	if (in)
		memcpy(__cairn_ipc_data(), arg, in);
	e = __cairn_ipc(f->cap, IO_IOCTL, req, byval, w2, 0, in, ncaps, IPC_RESTART, &a);
	if (e)
		return cairn_errno(e);
	if (out) {
		if (a.nbytes < out)
			return -EIO;
		memcpy(arg, __cairn_ipc_data(), out);
	}
	return (long)(int)a.w[0];
}
