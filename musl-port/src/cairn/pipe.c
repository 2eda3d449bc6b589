/* SPDX-License-Identifier: MIT */
/*
 * Shared pipes: fd.c's reads and writes of a pipe descriptor whose ring
 * the VFS shares.
 *
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
 * The side locks are held for a copy only. A thread holds signal
 * handlers back meanwhile (a handler writing to the pipe its thread was
 * writing would wait for itself). A lock whose holder's process is gone
 * (killed inside the copy) is taken over after a while.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <cairn/sock.h>
#include "cairn_impl.h"

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

/* Maps descriptor f's ring object: a pipe's (label IO_PIPE_MAP) or a
 * socket's two rings (SOCK_MAP): 1 if f now has it. A socket not
 * connected yet is asked again on its next read or write. */
static int ring_attach(struct cairn_fd *f, uint32_t label)
{
	int sock = label == SOCK_MAP, rec;
	unsigned pages;
	struct cairn_ans a;
	cap_t c[3];
	void *va;
	err_t e;

	__cairn_lock(&attach_lock);
	if (f->pipe != PIPE_UNTRIED)
		goto out;
	e = __cairn_ipc(f->cap, label, 0, 0, 0, 0, 0, 0, IPC_ALWAYS, &a);
	if (sock && e == ERR_NOTCONN)
		goto out;
	f->pipe = PIPE_SERVER;
	if (e || a.ncaps < 3) {
		for (unsigned i = 0; !e && i < a.ncaps; i++)
			cairn_cap_delete(cairn_ipcbuf()->caps[i]);
		goto out;
	}
	for (unsigned i = 0; i < 3; i++)
		c[i] = cairn_ipcbuf()->caps[i];
	rec = sock && a.w[2] == SOCK_RING_RECORDS;     /* a datagram socket's */
	pages = rec ? SOCK_DRING_PAGES : sock ? SOCK_RING_PAGES : POSIX_PIPE_PAGES;
	if ((rec ? a.w[0] != SOCK_DRING || a.w[1] != SOCK_DRING
		 : sock ? a.w[0] != SOCK_RING_RX || a.w[1] != SOCK_RING_TX || a.w[2] : a.w[1] != RING) ||
	    cairn_map(c[0], 0, pages, CAIRN_PROT_R | CAIRN_PROT_W | CAIRN_PROT_SHARE, &va)) {
		for (unsigned i = 0; i < 3; i++)
			cairn_cap_delete(c[i]);
		goto out;
	}
	f->shm = va;
	f->pwend = rec ? PIPE_SOCKD : sock ? PIPE_SOCK : a.w[0] == 1;
	for (unsigned i = 0; i < 3; i++)
		f->pobj[i] = c[i];
	f->pipe = PIPE_MAPPED;
out:
	__cairn_unlock(&attach_lock);
	return f->pipe == PIPE_MAPPED;
}

/* Drops what ring_attach made (a descriptor that is gone:
 * a copy). */
void __cairn_pipe_detach(struct cairn_fd *f)
{
	if (f->pipe != PIPE_MAPPED)
		return;
	cairn_unmap(f->shm, f->pwend == PIPE_SOCKD ? SOCK_DRING_PAGES
			    : f->pwend == PIPE_SOCK ? SOCK_RING_PAGES : POSIX_PIPE_PAGES);
	for (unsigned i = 0; i < 3; i++)
		cairn_cap_delete(f->pobj[i]);
	f->pipe = PIPE_UNTRIED;
}

/* The first read or write of f: whether it is a pipe with a shared ring,
 * or a socket with rings (anything else is PIPE_SERVER from then on). */
__attribute__((noinline))
int __cairn_pipe_try(struct cairn_fd *f)
{
	if (f->kind == FDK_IO && __cairn_fd_type(f) == S_IFSOCK)
		return f->pos >= SOCK_RING_AFTER && ring_attach(f, SOCK_MAP);   /* else asked later */
	if (f->kind != FDK_IO || __cairn_fd_type(f) != S_IFIFO) {
		f->pipe = PIPE_SERVER;
		return 0;
	}
	return ring_attach(f, IO_PIPE_MAP);
}

/* Holds signal handlers back on the calling thread: 1 (it did). */
static inline __attribute__((always_inline)) int hold(void)
{
	__cairn_sig_self()->hold++;
	return 1;
}

static inline __attribute__((always_inline)) void unhold(int held)
{
	struct cairn_sigthr *me = __cairn_sig_self();

	if (held && !--me->hold && me->held)
		__cairn_sig_release();
}

/* side_lock() when the lock was taken: waits for it. */
__attribute__((noinline))
static void side_lock_wait(uint32_t *l, uint32_t me)
{
	uint32_t free;
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

/* A side's lock, holding our pid (a holder that is gone is found). */
static inline __attribute__((always_inline)) void side_lock(uint32_t *l)
{
	uint32_t me = (uint32_t)__cairn_getpid_known(), free = 0;

	if (__builtin_expect(__atomic_compare_exchange_n(l, &free, me, 0, __ATOMIC_ACQUIRE,
							 __ATOMIC_RELAXED), 1))
		return;
	side_lock_wait(l, me);
}

static inline __attribute__((always_inline)) void side_unlock(uint32_t *l)
{
	REL(l, 0);
}

/* One ring as its holder sees it: a pipe's, or one of a socket's two
 * (socket.c). data: the Notification readers wait on; space: writers'. */
struct pview {
	struct posix_pipe_shm *s;
	uint8_t *ring;
	uint32_t size;                    /* a power of two */
	cap_t data, space, kick;          /* kick: where IO_PIPE_KICK goes */
};

/* After a side moved its index (or found the pipe's end): wakes the
 * other side, and this side's next waiter if there is still something
 * for it, and tells the server if it asked. */
static inline __attribute__((always_inline)) void pipe_after(const struct pview *p, int wend, int more)
{
	struct posix_pipe_shm *s = p->s;

	/* the index moved before any count is looked at: a waiter counted
	 * itself before looking at the index (pipe_wait), so one of us sees
	 * the other */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (RELAXED(wend ? &s->rwait : &s->wwait))
		cairn_send(wend ? p->data : p->space, 0, 1, 0, 0, 0);
	if (more && RELAXED(wend ? &s->wwait : &s->rwait))
		cairn_send(wend ? p->space : p->data, 0, 1, 0, 0, 0);
	if (RELAXED(&s->kick))
		__cairn_ipc(p->kick, IO_PIPE_KICK, 0, 0, 0, 0, 0, 0, IPC_ALWAYS, NULL);
}


/* Waits on this side's Notification after counting itself (rwait or
 * wwait), unless the other side's index moved or its count reached 0
 * meanwhile: 0, or ERR_INTR if a signal handler ran since sigs (counted
 * at the start of the attempt: a handler held back in the copy runs at
 * unhold, and must interrupt the wait it would have interrupted). */
static err_t pipe_wait(const struct pview *p, int wend, uint32_t *lock, uint32_t seen, int held,
		       unsigned long sigs)
{
	struct posix_pipe_shm *s = p->s;
	uint32_t *count = wend ? &s->wwait : &s->rwait;
	int moved;
	err_t e = 0;

	__atomic_fetch_add(count, 1, __ATOMIC_SEQ_CST);
	moved = wend ? LOAD(&s->head) != seen || !LOAD(&s->readers)
		     : LOAD(&s->tail) != seen || !LOAD(&s->writers);
	side_unlock(lock);
	unhold(held);
	if (!moved)
		e = __cairn_sig_self()->count != sigs ? ERR_INTR
					      : cairn_wait(wend ? p->space : p->data, CAIRN_FOREVER, NULL);
	__atomic_fetch_sub(count, 1, __ATOMIC_SEQ_CST);
	return e == ERR_INTR ? ERR_INTR : 0;
}

/* A reader that found its ring empty, its side lock held (tail: the
 * index it saw): at the ring's end (no writers) at_end; -EAGAIN when it
 * may not wait; else it waits and answers 1, to look again (-EINTR: a
 * signal handler ran). The lock is released in every case. */
static long reader_empty(const struct pview *p, uint32_t tail, int held, unsigned long sigs, int nonblock,
			 long at_end)
{
	struct posix_pipe_shm *s = p->s;

	if (!LOAD(&s->writers)) {
		/* the last writer may have put bytes in after we looked at
		 * the tail and before its close took the count to 0 (on
		 * another CPU): they come before the end */
		int more = LOAD(&s->tail) != tail;

		side_unlock(&s->rlock);
		unhold(held);
		if (more)
			return 1;
		pipe_after(p, 0, 1);      /* the next reader sees the end too */
		return at_end;
	}
	if (nonblock || (RELAXED(&s->rflags) & O_NONBLOCK)) {
		side_unlock(&s->rlock);
		unhold(held);
		return -EAGAIN;
	}
	if (pipe_wait(p, 0, &s->rlock, tail, held, sigs) == ERR_INTR && !__cairn_sig_self()->restart)
		return -EINTR;
	return 1;
}

/* Reads up to total bytes (0 at the end); nonblock: O_NONBLOCK or
 * MSG_DONTWAIT asked by the call; peek: MSG_PEEK (the bytes stay). */
static long ring_read(const struct pview *p, struct iov_at *d, size_t total, int nonblock, int peek)
{
	struct posix_pipe_shm *s = p->s;
	uint8_t *ring = p->ring;
	uint32_t size = p->size;

	if (!total)
		return 0;
	for (;;) {
		unsigned long sigs = __cairn_sig_self()->count;
		int held = hold();
		side_lock(&s->rlock);
		uint32_t head = RELAXED(&s->head), tail = ACQ(&s->tail), used = tail - head;

		if (used > size) {
			side_unlock(&s->rlock);
			unhold(held);
			return -EIO;              /* a broken header */
		}
		if (used) {
			uint32_t n = total < used ? (uint32_t)total : used, off = head & (size - 1);
			uint32_t k = size - off < n ? size - off : n;

			/* (one buffer, no wrap: the usual pipe message, without
			 * scatter's bookkeeping) */
			if (d->cnt == 1 && n == k ? __cairn_ucopy(d->iov[0].iov_base, ring + off, n) != 0 :
			    scatter(d, (const char *)ring + off, k) || scatter(d, (const char *)ring, n - k)) {
				side_unlock(&s->rlock);      /* the bytes stay, as Linux's */
				unhold(held);
				return -EFAULT;
			}
			if (peek) {
				side_unlock(&s->rlock);
				unhold(held);
				return n;
			}
			REL(&s->head, head + n);
			side_unlock(&s->rlock);
			unhold(held);
			pipe_after(p, 0, used > n);
			return n;
		}
		long r = reader_empty(p, tail, held, sigs, nonblock, 0);
		if (r != 1)
			return r;
	}
}

/* A write of at most POSIX_PIPE_BUF bytes goes in whole, a longer one
 * as room comes (as Linux's). At the readers' end: what went in, else
 * -EPIPE, with SIGPIPE raised when sigpipe. */
static long ring_write(const struct pview *p, struct iov_at *v, size_t total, int nonblock, int sigpipe)
{
	struct posix_pipe_shm *s = p->s;
	uint8_t *ring = p->ring;
	uint32_t size = p->size;
	size_t done = 0;

	if (!total)
		return 0;
	for (;;) {
		unsigned long sigs = __cairn_sig_self()->count;
		int held = hold();
		side_lock(&s->wlock);
		uint32_t tail = RELAXED(&s->tail), head = ACQ(&s->head), used = tail - head;
		size_t rem = total - done, need = rem <= POSIX_PIPE_BUF ? rem : 1;

		if (!RELAXED(&s->readers) || used > size) {
			int broken = used > size;
			side_unlock(&s->wlock);
			unhold(held);
			pipe_after(p, 1, 1);      /* the next writer sees it too */
			if (broken)
				return done ? (long)done : -EIO;
			if (sigpipe)
				__cairn_raise(SIGPIPE);
			return done ? (long)done : -EPIPE;
		}
		if (size - used >= need) {
			uint32_t n = rem < size - used ? (uint32_t)rem : size - used, off = tail & (size - 1);
			uint32_t k = size - off < n ? size - off : n;

			if (v->cnt == 1 && n == k && n == rem ?
			    __cairn_ucopy(ring + off, (const char *)v->iov[0].iov_base + v->off, n) != 0 :
			    gather(v, ring + off, k) || gather(v, ring, n - k)) {
				side_unlock(&s->wlock);      /* none of these bytes written */
				unhold(held);
				return done ? (long)done : -EFAULT;
			}
			REL(&s->tail, tail + n);
			side_unlock(&s->wlock);
			unhold(held);
			done += n;
			pipe_after(p, 1, size - used > n);
			if (done == total)
				return (long)done;
			continue;
		}
		if (nonblock || (RELAXED(&s->wflags) & O_NONBLOCK)) {
			side_unlock(&s->wlock);
			unhold(held);
			return done ? (long)done : -EAGAIN;
		}
		if (pipe_wait(p, 1, &s->wlock, head, held, sigs) == ERR_INTR && (done || !__cairn_sig_self()->restart))
			return done ? (long)done : -EINTR;
	}
}

/* f's view of its pipe's ring */
static inline struct pview pipe_view(const struct cairn_fd *f)
{
	return (struct pview){ f->shm, ring_of(f->shm), RING, f->pobj[1], f->pobj[2], f->cap };
}

/* A socket's rings (f->pwend == PIPE_SOCK, or PIPE_SOCKD: records): rx,
 * which it reads, and tx */
static inline struct pview sock_view(const struct cairn_fd *f, int tx)
{
	uint8_t *base = (uint8_t *)f->shm;
	uint32_t size = f->pwend == PIPE_SOCKD ? SOCK_DRING : SOCK_RING_RX;

	if (tx)
		return (struct pview){ (struct posix_pipe_shm *)(base + SOCK_RING_TXHDR),
				       base + 4096 + size, size, CAP_NULL, f->pobj[2], f->cap };
	return (struct pview){ f->shm, base + 4096, size, f->pobj[1], CAP_NULL, f->cap };
}

/* n bytes at ring position pos (wrapping), out and in. */
static void rec_get(const struct pview *p, uint32_t pos, void *dst, uint32_t n)
{
	uint32_t off = pos & (p->size - 1), k = p->size - off < n ? p->size - off : n;

	memcpy(dst, p->ring + off, k);
	memcpy((uint8_t *)dst + k, p->ring, n - k);
}

static void rec_put(const struct pview *p, uint32_t pos, const void *src, uint32_t n)
{
	uint32_t off = pos & (p->size - 1), k = p->size - off < n ? p->size - off : n;

	memcpy(p->ring + off, src, k);
	memcpy(p->ring, (const uint8_t *)src + k, n - k);
}

/* One datagram from a datagram socket's rx ring: up to total of its bytes
 * to d, its address (at most SOCK_ADDR_MAX bytes) to addr and its length
 * to *alen, its whole length to *whole; peek: it stays. -ENODATA at the
 * ring's end (SOCK_RECV says why), -EIO for a broken ring. */
long __cairn_sock_rec_read(struct cairn_fd *f, struct iov_at *d, size_t total, int nonblock, int peek,
			   void *addr, uint32_t *alen, uint32_t *whole)
{
	struct pview pv = sock_view(f, 0), *p = &pv;
	struct posix_pipe_shm *s = p->s;

	for (;;) {
		unsigned long sigs = __cairn_sig_self()->count;
		int held = hold();
		side_lock(&s->rlock);
		uint32_t head = RELAXED(&s->head), tail = ACQ(&s->tail), used = tail - head, rs = 0;
		struct sock_rec h = { 0, 0 };

		if (used)
			rec_get(p, head, &h, sizeof(h));
		if (used > p->size || (used && (used < sizeof(h) || h.alen > SOCK_ADDR_MAX ||
						h.len > SOCK_DGRAM_MAX || (rs = SOCK_REC_SIZE(h.alen, h.len)) > used))) {
			side_unlock(&s->rlock);
			unhold(held);
			return -EIO;              /* a broken header */
		}
		if (used) {
			uint32_t n = total < h.len ? (uint32_t)total : h.len, pos = head + 8 + ((h.alen + 7u) & ~7u);
			uint32_t off = pos & (p->size - 1), k = p->size - off < n ? p->size - off : n;

			rec_get(p, head + 8, addr, h.alen);
			*alen = h.alen;
			*whole = h.len;
			if (scatter(d, (const char *)p->ring + off, k) ||
			    scatter(d, (const char *)p->ring, n - k)) {
				side_unlock(&s->rlock);      /* the datagram stays */
				unhold(held);
				return -EFAULT;
			}
			if (!peek)
				REL(&s->head, head + rs);
			side_unlock(&s->rlock);
			unhold(held);
			if (!peek)
				pipe_after(p, 0, used > rs);
			return n;
		}
		long r = reader_empty(p, tail, held, sigs, nonblock, -ENODATA);
		if (r != 1)
			return r;
	}
}

/* One datagram of total bytes (from v) into a datagram socket's tx ring,
 * to addr (alen bytes, at most SOCK_ADDR_MAX; none: the peer), whole or
 * not at all. -EPIPE at the ring's end, -EDESTADDRREQ without an address
 * or a peer (SOCK_SEND says why), -EIO for a broken ring. */
long __cairn_sock_rec_write(struct cairn_fd *f, struct iov_at *v, size_t total, int nonblock,
			    const void *addr, uint32_t alen)
{
	struct pview pv = sock_view(f, 1), *p = &pv;
	struct posix_pipe_shm *s = p->s;
	struct sock_rec h = { (uint32_t)total, alen };
	uint32_t need = SOCK_REC_SIZE(alen, total);

	for (;;) {
		unsigned long sigs = __cairn_sig_self()->count;
		int held = hold();
		side_lock(&s->wlock);
		uint32_t tail = RELAXED(&s->tail), head = ACQ(&s->head), used = tail - head;

		if ((RELAXED(&s->rflags) & SOCK_RING_V4) && total > SOCK_DGRAM_MAX4) {
			side_unlock(&s->wlock);
			unhold(held);
			return -EMSGSIZE;
		}
		if (!RELAXED(&s->readers) || used > p->size || (!alen && !(RELAXED(&s->rflags) & SOCK_RING_PEER))) {
			long r = used > p->size ? -EIO : !RELAXED(&s->readers) ? -EPIPE : -EDESTADDRREQ;
			side_unlock(&s->wlock);
			unhold(held);
			return r;
		}
		if (p->size - used >= need) {
			uint32_t pos = tail + 8 + ((alen + 7u) & ~7u), off = pos & (p->size - 1);
			uint32_t k = p->size - off < total ? p->size - off : (uint32_t)total;

			if (gather(v, p->ring + off, k) || gather(v, p->ring, (uint32_t)total - k)) {
				side_unlock(&s->wlock);      /* not sent */
				unhold(held);
				return -EFAULT;
			}
			rec_put(p, tail, &h, sizeof(h));
			rec_put(p, tail + 8, addr, alen);
			REL(&s->tail, tail + need);
			side_unlock(&s->wlock);
			unhold(held);
			pipe_after(p, 1, p->size - used > need);
			return (long)total;
		}
		if (nonblock || (RELAXED(&s->wflags) & O_NONBLOCK)) {
			side_unlock(&s->wlock);
			unhold(held);
			return -EAGAIN;
		}
		if (pipe_wait(p, 1, &s->wlock, head, held, sigs) == ERR_INTR && !__cairn_sig_self()->restart)
			return -EINTR;
	}
}

long __cairn_sock_ring_read(struct cairn_fd *f, struct iov_at *d, size_t total, int nonblock, int peek)
{
	struct pview p = sock_view(f, 0);

	return ring_read(&p, d, total, nonblock, peek);
}

long __cairn_sock_ring_write(struct cairn_fd *f, struct iov_at *v, size_t total, int nonblock)
{
	struct pview p = sock_view(f, 1);

	return ring_write(&p, v, total, nonblock, 0);
}

long __cairn_pipe_readv(struct cairn_fd *f, const struct iovec *iov, long cnt, size_t total)
{
	struct iov_at d = { iov, cnt, 0, 0 };
	struct pview p;

	if (f->pwend == PIPE_SOCK || f->pwend == PIPE_SOCKD)
		return __cairn_sock_readv(f, iov, cnt, total);
	if (f->pwend)
		return -EBADF;
	p = pipe_view(f);
	return ring_read(&p, &d, total, 0, 0);
}

long __cairn_pipe_writev(struct cairn_fd *f, const struct iovec *iov, long cnt, size_t total)
{
	struct iov_at v = { iov, cnt, 0, 0 };
	struct pview p;

	if (f->pwend == PIPE_SOCK || f->pwend == PIPE_SOCKD)
		return __cairn_sock_writev(f, iov, cnt, total);
	if (f->pwend != 1)
		return -EBADF;
	p = pipe_view(f);
	return ring_write(&p, &v, total, 0, 1);
}
