/* SPDX-License-Identifier: MIT */
/*
 * vfs: the file server. It serves the I/O and file-system protocols of
 * include/cairn/posix.h on one Endpoint (the manifest's `endpoint:vfs`,
 * which the server holds with rights rwg so that it can mint from it),
 * over an in-memory tree (tmpfs.c) that starts with the boot image's
 * files, /tmp, /dev/null and /dev/zero.
 *
 * Design note.
 * - Objects. Every object a client holds (the root directory, an open
 *   file description, a pipe end) is an entry of the object table, named
 *   by the badge of the client's capability (vfs.h: index, generation,
 *   random bits). FS_OPEN and FS_PIPE make entries and answer with
 *   capabilities minted from the server's endpoint with the entry's badge
 *   (rights w+g); the server's own copy is deleted once the answer is
 *   through, so the table, not the capability table, bounds what is open.
 *   An entry is an open file description: its offset and status flags are
 *   shared by every holder. IO_DUP adds a reference (dup, fork), IO_CLOSE
 *   drops one; the last one frees the entry, and its badge is refused
 *   from then on (EBADF).
 * - One thread, never blocked by a client: answers go out with
 *   SYS_REPLY_RECV or SYS_REPLY (neither waits), a call that must wait (a
 *   read of an empty pipe, a write to a full one) has its Reply saved
 *   (CAP_OP_SAVE_REPLY) and is answered later with SYS_SEND on it, and
 *   IO_POLL_ARM's Notifications are signalled (which never waits either).
 *   A shared pipe's lock words are only ever tried (see "pipes").
 * - Nothing a client sends is trusted: the message length bounds every
 *   byte string read, every length, offset and flag word is checked, every
 *   capability a client sends is deleted from the server's table once the
 *   request is done (unless it is a Notification kept for IO_POLL_ARM),
 *   and the slots kept for saved Replies and Notifications are bounded
 *   (SLOT_BUDGET), so no client can fill the server's table.
 * - Memory: file data, pipe buffers and the tree are the server's (mem.c;
 *   a shared pipe's ring is a MemoryObject of its own); a client is
 *   charged nothing but its mappings of pipe rings.
 */
#include <string.h>
#include <cairn/rt.h>
#include <cairn/posix.h>
#include <cairn/tty.h>
#include "tmpfs.h"
#include "vfs.h"

#define HANDLE_BLOCK    256u
#define HANDLE_MAX      65536u            /* entries of the object table */
#define PIPE_SIZE       POSIX_PIPE_RING
#define PIPE_PAGES      (PIPE_SIZE / TMPFS_PAGE)
#define PIPE_BUF        POSIX_PIPE_BUF    /* writes up to this are atomic */
#define PIPE_SHARED_MAX 128u              /* pipes with a shared ring (3 slots each) */
#define SLOT_BUDGET     768u              /* saved Replies, armed Notifications, shared pipes */
#define ARMS_PER_END    16u
#define PIPE_DEV        2                 /* st_dev of pipes */
#define INLINE_MAX      POSIX_INLINE_MAX
#define DEV_NULL        0x103u            /* makedev(1, 3) */
#define DEV_ZERO        0x105u            /* makedev(1, 5) */

/* Status flags an open file description keeps (F_GETFL). */
#define KEEP_FLAGS   (~(uint32_t)(LINUX_O_CREAT | LINUX_O_EXCL | LINUX_O_NOCTTY | LINUX_O_TRUNC | LINUX_O_CLOEXEC))

enum { H_FREE, H_NODE, H_PIPE_R, H_PIPE_W };

struct pipe;

struct handle {
	uint64_t badge;
	uint32_t refs;                    /* UINT32_MAX: the root, never freed */
	uint32_t flags;                   /* O_ACCMODE and status flags */
	uint32_t gen;
	uint32_t next_free;
	uint8_t kind;
	uint64_t pos;                     /* file offset, or directory cookie */
	struct tmpfs_node *node;
	struct pipe *pipe;
};

/* A call waiting for a pipe: its saved Reply and what it asked for. */
struct waiter {
	struct waiter *next;
	cap_t reply;
	uint64_t badge;                   /* the pipe end it came through */
	uint32_t len;                     /* reader: max bytes; writer: bytes in data */
	uint8_t *data;
};

/* A Notification to signal when a pipe end becomes ready (IO_POLL_ARM). */
struct arm {
	struct arm *next;
	cap_t notif;
	uint64_t bits, badge;
	uint32_t events;
};

struct pipe {
	struct posix_pipe_shm *s;         /* the header: shared page 0, or local */
	uint8_t *page[PIPE_PAGES];        /* the ring: shared pages 1.., or made as needed */
	bool shared;
	cap_t obj[3];                     /* shared: MemoryObject, data and space Notifications */
	void *va;                         /* shared: where the server maps it */
	struct posix_pipe_shm local;
	uint32_t readers, writers;        /* open descriptions of each end */
	struct waiter *rq, *wq;           /* waiting readers, writers (FIFO) */
	struct arm *arms[2];              /* [0] read end, [1] write end */
	uint32_t narms[2];
	uint64_t ino;
	struct tmpfs_time ctime;
};

struct req {
	uint64_t badge;
	uint32_t label;
	uint64_t w[4];
	size_t nbytes;                    /* inline bytes received (in in[]) */
	unsigned ncaps;
	cap_t caps[CAIRN_MSG_MAX_CAPS];   /* received; CAP_NULL once kept */
};

struct ans {
	err_t err;
	uint64_t w[4];
	size_t nbytes;                    /* inline bytes written at out */
	unsigned ncaps;
	cap_t caps[3];                    /* minted (or copied) for the caller */
	uint32_t made[3];                 /* their entries, undone if the answer fails (or NO_ENTRY) */
	bool deferred;                    /* answered later (saved Reply) */
};

static struct tmpfs fs;
static cap_t ep = CAP_NULL, kinfo = CAP_NULL;
static struct handle *hblock[HANDLE_MAX / HANDLE_BLOCK];
static uint32_t hnext = 2, hfree, hcount;
static uint32_t slots_used, nwaiters, narms, nshared;
#define NO_ENTRY        UINT32_MAX
static uint64_t rng_state;
static uint8_t in[INLINE_MAX];        /* the request's inline bytes */
static uint8_t *out;                  /* the answer's inline bytes (IPC buffer) */

/* ---- time and randomness ------------------------------------------------------- */

static uint64_t clock_mult;           /* KINFO_CLOCK: ns = counter * mult >> 32 */

/* The monotonic clock: from the time counter when the kernel says its
 * scale (no system call), else KINFO_TIME; 0 without kinfo. */
static uint64_t now_ns(void)
{
	struct cairn_msg m;

	if (clock_mult) {
		uint64_t counter;
#if defined(__riscv)
		__asm__ volatile("rdtime %0" : "=r"(counter));
#else
		uint32_t lo, hi;
		__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
		counter = ((uint64_t)hi << 32) | lo;
#endif
		return (uint64_t)(((unsigned __int128)counter * clock_mult) >> 32);
	}
	if (kinfo == CAP_NULL || cairn_invoke(kinfo, KINFO_TIME, 0, 0, 0, 0, 0, &m))
		return 0;
	return m.w[0];
}

static void clock_init(void)
{
	struct cairn_msg m;

	if (kinfo != CAP_NULL && !cairn_invoke(kinfo, KINFO_CLOCK, 0, 0, 0, 0, 0, &m))
		clock_mult = m.w[0];
}

/* splitmix64: badges' random bits, so a badge cannot be guessed from
 * another one (not a cryptographic generator). */
static uint64_t rng_next(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static struct tmpfs_time stamp(void)
{
	uint64_t ns = now_ns();

	return (struct tmpfs_time){ (int64_t)(ns / 1000000000u), (int64_t)(ns % 1000000000u) };
}

static bool time_before_eq(struct tmpfs_time a, struct tmpfs_time b)
{
	return a.sec < b.sec || (a.sec == b.sec && a.nsec <= b.nsec);
}

/* relatime: the access time moves only when it is not after the last change. */
static void touch_atime(struct tmpfs_node *n)
{
	if (time_before_eq(n->atime, n->mtime) || time_before_eq(n->atime, n->ctime))
		n->atime = stamp();
}

/* ---- the object table ------------------------------------------------------------ */

static struct handle *handle_at(uint32_t i)
{
	return &hblock[i / HANDLE_BLOCK][i % HANDLE_BLOCK];
}

static uint32_t handle_index(const struct handle *h)
{
	return VFS_BADGE_INDEX(h->badge);
}

static struct handle *handle_find(uint64_t badge)
{
	uint32_t i;
	struct handle *h;

	if (!badge)
		badge = POSIX_VFS_ROOT;
	i = VFS_BADGE_INDEX(badge);
	if (i >= hnext)
		return NULL;
	h = handle_at(i);
	return h->kind != H_FREE && h->badge == badge ? h : NULL;
}

static err_t handle_new(uint8_t kind, uint32_t flags, struct handle **out_h)
{
	struct handle *h;
	uint32_t i, gen;

	if (hfree) {
		i = hfree;
		hfree = handle_at(i)->next_free;
	} else {
		if (hnext == HANDLE_MAX)
			return ERR_MFILE;
		if (!hblock[hnext / HANDLE_BLOCK] &&
		    !(hblock[hnext / HANDLE_BLOCK] = tmpfs_alloc(HANDLE_BLOCK * sizeof(struct handle))))
			return ERR_NOMEM;
		i = hnext++;
	}
	h = handle_at(i);
	gen = h->gen;
	memset(h, 0, sizeof(*h));
	h->gen = gen;
	h->kind = kind;
	h->flags = flags;
	h->refs = 1;
	h->badge = i | (uint64_t)(gen & 0xffu) << 24 | (rng_next() & 0xffffffff00000000ull);
	hcount++;
	*out_h = h;
	return ERR_OK;
}

static void pipe_end_closed(struct handle *h);

/* Frees an entry whatever its references (the last reference went, or
 * the answer that made it never arrived). */
static void handle_free(struct handle *h)
{
	uint32_t i = handle_index(h);

	if (h->kind == H_NODE)
		tmpfs_node_put(&fs, h->node);
	else if (h->kind == H_PIPE_R || h->kind == H_PIPE_W)
		pipe_end_closed(h);
	h->kind = H_FREE;
	h->badge = 0;
	h->gen++;
	h->next_free = hfree;
	hfree = i;
	hcount--;
}

static void handle_release(struct handle *h)
{
	if (h->refs == UINT32_MAX)
		return;                   /* the root */
	if (!--h->refs)
		handle_free(h);
}

static bool is_root(const struct handle *h)
{
	return h->refs == UINT32_MAX;
}

/* Hands entry h to the caller: a capability minted with its badge. On
 * failure the entry is freed. */
static err_t give(struct ans *a, struct handle *h)
{
	uint64_t r[3];
	err_t e = cairn_cap_op(CAP_OP_MINT, ep, CAP_NULL, RIGHT_WRITE | RIGHT_GRANT, h->badge, r);

	if (e) {
		handle_free(h);
		return e;
	}
	a->caps[a->ncaps] = r[0];
	a->made[a->ncaps] = handle_index(h);
	a->ncaps++;
	return ERR_OK;
}

/* ---- saved answers --------------------------------------------------------------- */

/* Answers a saved Reply (one shot: the slot goes); an error means the
 * caller is gone (killed, or its call interrupted). */
static err_t send_saved(cap_t reply, err_t err, uint64_t w0, size_t nbytes)
{
	err_t e = cairn_send(reply, cairn_tag((uint32_t)err, posix_words(nbytes), 0), w0, 0, 0, 0);

	cairn_cap_delete(reply);
	slots_used--;
	return e;
}

/* The caller waits: its Reply joins queue q. */
static void defer(struct ans *a, struct waiter **q, uint64_t badge, uint32_t len,
		  const uint8_t *data)
{
	struct waiter *w;
	uint64_t r[3];
	err_t e;

	if (slots_used >= SLOT_BUDGET) {
		a->err = ERR_AGAIN;
		return;
	}
	if (!(w = tmpfs_alloc(sizeof(*w))) || (data && !(w->data = tmpfs_alloc(len)))) {
		tmpfs_free(w, sizeof(*w));
		a->err = ERR_NOMEM;
		return;
	}
	if ((e = cairn_cap_op(CAP_OP_SAVE_REPLY, 0, CAP_NULL, 0, 0, r))) {
		if (w->data)
			tmpfs_free(w->data, len);
		tmpfs_free(w, sizeof(*w));
		a->err = e;
		return;
	}
	if (data)
		memcpy(w->data, data, len);
	w->reply = r[0];
	w->badge = badge;
	w->len = len;
	while (*q)
		q = &(*q)->next;
	*q = w;
	slots_used++;
	nwaiters++;
	a->deferred = true;
}

static void waiter_free(struct waiter *w)
{
	if (w->data)
		tmpfs_free(w->data, w->len);
	tmpfs_free(w, sizeof(*w));
	nwaiters--;
}

/* ---- pipes ------------------------------------------------------------------------ */
/*
 * A pipe's bytes live in a ring with the header of include/cairn/posix.h
 * (struct posix_pipe_shm): a shared pipe's ring is a MemoryObject that
 * its holders map (IO_PIPE_MAP) and move data through themselves; the
 * server maps it too and serves IO_READ/IO_WRITE on the same ring for
 * clients that do not. When the shared objects cannot be had (more than
 * PIPE_SHARED_MAX shared pipes, the quota, the table), the ring is the
 * server's own (pages made as needed, a header of its own), and only
 * IO_READ/IO_WRITE reach it.
 *
 * The server never waits for a client: it only tries a side's lock, and
 * treats a side held by a client as not ready yet (the caller waits, and
 * kick makes the holder tell us when it is done).
 */

static uint32_t pipe_used(const struct pipe *p)
{
	uint32_t u = __atomic_load_n(&p->s->tail, __ATOMIC_SEQ_CST) -
		     __atomic_load_n(&p->s->head, __ATOMIC_SEQ_CST);

	return u > PIPE_SIZE ? PIPE_SIZE : u;     /* a broken header: full */
}

static uint32_t pipe_space(const struct pipe *p)
{
	return PIPE_SIZE - pipe_used(p);
}

static bool side_lock(uint32_t *l)
{
	uint32_t free = 0;

	return __atomic_compare_exchange_n(l, &free, POSIX_PIPE_SERVER, false, __ATOMIC_SEQ_CST,
					   __ATOMIC_SEQ_CST);
}

static void side_unlock(uint32_t *l)
{
	__atomic_store_n(l, 0, __ATOMIC_SEQ_CST);
}

/* Makes the ring's pages for n more bytes; false when out of memory. */
static bool pipe_reserve(struct pipe *p, uint32_t n)
{
	uint32_t tail = p->s->tail;

	for (uint32_t off = 0; off < n; ) {
		uint32_t pos = (tail + off) % PIPE_SIZE;

		if (!p->page[pos / TMPFS_PAGE] && !(p->page[pos / TMPFS_PAGE] = tmpfs_page_alloc()))
			return false;
		off += TMPFS_PAGE - pos % TMPFS_PAGE;
	}
	return true;
}

/* Appends n bytes (wlock held, room checked). */
static void pipe_put(struct pipe *p, const uint8_t *src, uint32_t n)
{
	uint32_t tail = p->s->tail;

	for (uint32_t off = 0; off < n; ) {
		uint32_t pos = (tail + off) % PIPE_SIZE, k = TMPFS_PAGE - pos % TMPFS_PAGE;

		if (k > n - off)
			k = n - off;
		memcpy(p->page[pos / TMPFS_PAGE] + pos % TMPFS_PAGE, src + off, k);
		off += k;
	}
	__atomic_store_n(&p->s->tail, tail + n, __ATOMIC_SEQ_CST);
}

/* Copies out and consumes n bytes (rlock held, n <= pipe_used()). */
static void pipe_take(struct pipe *p, uint8_t *dst, uint32_t n)
{
	uint32_t head = p->s->head;

	for (uint32_t off = 0; off < n; ) {
		uint32_t pos = (head + off) % PIPE_SIZE, k = TMPFS_PAGE - pos % TMPFS_PAGE;

		if (k > n - off)
			k = n - off;
		if (p->page[pos / TMPFS_PAGE])
			memcpy(dst + off, p->page[pos / TMPFS_PAGE] + pos % TMPFS_PAGE, k);
		else
			memset(dst + off, 0, k);      /* a broken header pointed past the data */
		off += k;
	}
	__atomic_store_n(&p->s->head, head + n, __ATOMIC_SEQ_CST);
}

static uint32_t pipe_revents(const struct pipe *p, bool wend)
{
	uint32_t r = 0;

	if (!wend) {
		if (pipe_used(p))
			r |= LINUX_POLLIN | LINUX_POLLRDNORM;
		if (!p->writers)
			r |= LINUX_POLLHUP;
	} else {
		if (pipe_space(p) >= PIPE_BUF)
			r |= LINUX_POLLOUT | LINUX_POLLWRNORM;
		if (!p->readers)
			r |= LINUX_POLLERR;
	}
	return r;
}

static void arm_fire(struct arm *a)
{
	cairn_invoke(a->notif, NOTIFY_SIGNAL, 0, a->bits, 0, 0, 0, NULL);
	cairn_cap_delete(a->notif);
	tmpfs_free(a, sizeof(*a));
	slots_used--;
	narms--;
}

/* Signals the armed Notifications whose events are ready (all of them
 * with all = true) or, with badge set, those armed through that entry. */
static void pipe_fire(struct pipe *p, bool all, uint64_t badge)
{
	for (unsigned end = 0; end < 2; end++) {
		uint32_t rev = pipe_revents(p, end);
		struct arm **ap = &p->arms[end];

		while (*ap) {
			struct arm *a = *ap;

			if (all || (badge && a->badge == badge) ||
			    (!badge && (rev & (a->events | LINUX_POLLERR | LINUX_POLLHUP)))) {
				*ap = a->next;
				p->narms[end]--;
				arm_fire(a);
			} else {
				ap = &a->next;
			}
		}
	}
}

/* Whether the server has something waiting on p (a Reply or an arm), and
 * so wants IO_PIPE_KICK after clients' changes. */
static uint32_t pipe_wants_kick(const struct pipe *p)
{
	return p->rq || p->wq || p->narms[0] || p->narms[1];
}

/* A shared pipe's counts where its clients see them, and its clients
 * waiting in SYS_WAIT whose wait may be over woken. */
static void pipe_wake(struct pipe *p)
{
	struct posix_pipe_shm *s = p->s;

	if (!p->shared)
		return;
	__atomic_store_n(&s->readers, p->readers, __ATOMIC_SEQ_CST);
	__atomic_store_n(&s->writers, p->writers, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&s->rwait, __ATOMIC_SEQ_CST) && (pipe_used(p) || !p->writers))
		cairn_invoke(p->obj[1], NOTIFY_SIGNAL, 0, 1, 0, 0, 0, NULL);
	if (__atomic_load_n(&s->wwait, __ATOMIC_SEQ_CST) && (pipe_space(p) || !p->readers))
		cairn_invoke(p->obj[2], NOTIFY_SIGNAL, 0, 1, 0, 0, 0, NULL);
}

/*
 * Moves a pipe forward after a change: waiting writers whose data now
 * fits write it, waiting readers (if readers_too) get data or the end of
 * file, then the armed Notifications that became ready are signalled and
 * a shared pipe's waiting clients woken. Answers to waiting readers go
 * through the IPC buffer: a caller whose own answer has inline bytes
 * there passes readers_too = false (there is then no waiting reader
 * anyway: readers wait only on an empty pipe, and every change that adds
 * data comes here with readers_too).
 *
 * A shared pipe then says whether we want IO_PIPE_KICK (something of ours
 * waits on it) and looks once more: a client's change made before it saw
 * kick is seen by that second look, one made after it is kicked.
 */
static void pipe_pump(struct pipe *p, bool readers_too)
{
	struct posix_pipe_shm *s = p->s;
	bool progress = true, again = p->shared;

	for (;;) {
		while (progress) {
			progress = false;
			if (p->wq && p->readers && side_lock(&s->wlock)) {
				while (p->wq && pipe_space(p) >= p->wq->len && pipe_reserve(p, p->wq->len)) {
					struct waiter *w = p->wq;

					p->wq = w->next;
					if (!send_saved(w->reply, ERR_OK, w->len, 0))
						pipe_put(p, w->data, w->len);
					waiter_free(w);
					progress = true;
				}
				side_unlock(&s->wlock);
			}
			if (readers_too && p->rq && side_lock(&s->rlock)) {
				while (p->rq && (pipe_used(p) || !p->writers)) {
					struct waiter *w = p->rq;
					uint32_t n = pipe_used(p) < w->len ? pipe_used(p) : w->len;
					uint32_t head = s->head;

					p->rq = w->next;
					if (n > INLINE_MAX)
						n = INLINE_MAX;
					pipe_take(p, out, n);
					if (send_saved(w->reply, ERR_OK, n, n))
						__atomic_store_n(&s->head, head, __ATOMIC_SEQ_CST);  /* not taken */
					waiter_free(w);
					progress = true;
				}
				side_unlock(&s->rlock);
			}
		}
		pipe_fire(p, false, 0);
		pipe_wake(p);
		if (!p->shared)
			return;
		uint32_t want = pipe_wants_kick(p);
		__atomic_store_n(&s->kick, want, __ATOMIC_SEQ_CST);
		if (!want || !again)
			return;
		again = false;
		progress = true;
	}
}

/* Answers every waiter in *q with err (all of them, or those of one entry). */
static void waiters_fail(struct waiter **q, uint64_t badge, err_t err)
{
	while (*q) {
		struct waiter *w = *q;

		if (badge && w->badge != badge) {
			q = &w->next;
			continue;
		}
		*q = w->next;
		send_saved(w->reply, err, 0, 0);
		waiter_free(w);
	}
}

/* Undoes pipe_share() (or what of it was done). */
static void pipe_unshare(struct pipe *p)
{
	if (p->va)
		cairn_unmap(p->va, POSIX_PIPE_PAGES);
	for (unsigned i = 0; i < 3; i++)
		if (p->obj[i] != CAP_NULL)
			cairn_cap_delete(p->obj[i]);
	if (p->shared) {
		nshared--;
		slots_used -= 3;
	}
	p->obj[0] = p->obj[1] = p->obj[2] = CAP_NULL;
	p->va = NULL;
	p->shared = false;
}

/* Gives pipe p a ring its clients can map; false: p keeps its own. */
static bool pipe_share(struct pipe *p)
{
	struct cairn_msg m;

	p->obj[0] = p->obj[1] = p->obj[2] = CAP_NULL;
	p->va = NULL;
	if (nshared >= PIPE_SHARED_MAX || slots_used + 3 > SLOT_BUDGET)
		return false;
	if (cairn_memobj_create(SLOT_SELF_PROC, POSIX_PIPE_PAGES, 0, &p->obj[0]) ||
	    cairn_map(p->obj[0], 0, POSIX_PIPE_PAGES, CAIRN_PROT_R | CAIRN_PROT_W, &p->va))
		goto fail;
	for (unsigned i = 1; i < 3; i++) {
		if (cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_NOTIFICATION, 0, 0, 0, &m))
			goto fail;
		p->obj[i] = m.w[0];
	}
	p->s = p->va;
	for (unsigned i = 0; i < PIPE_PAGES; i++)
		p->page[i] = (uint8_t *)p->va + (i + 1) * TMPFS_PAGE;
	p->shared = true;
	nshared++;
	slots_used += 3;
	return true;
fail:
	pipe_unshare(p);
	return false;
}

static void pipe_free(struct pipe *p)
{
	pipe_fire(p, true, 0);
	waiters_fail(&p->rq, 0, ERR_BADF);
	waiters_fail(&p->wq, 0, ERR_BADF);
	if (p->shared)
		pipe_unshare(p);
	else
		for (unsigned i = 0; i < PIPE_PAGES; i++)
			if (p->page[i])
				tmpfs_page_free(p->page[i]);
	tmpfs_free(p, sizeof(*p));
}

/* The last reference to a pipe end's description went. */
static void pipe_end_closed(struct handle *h)
{
	struct pipe *p = h->pipe;

	waiters_fail(&p->rq, h->badge, ERR_BADF);
	waiters_fail(&p->wq, h->badge, ERR_BADF);
	pipe_fire(p, false, h->badge);
	if (h->kind == H_PIPE_W)
		p->writers--;
	else
		p->readers--;
	if (!p->readers)
		waiters_fail(&p->wq, 0, ERR_PIPE);
	if (!p->readers && !p->writers) {
		pipe_free(p);
		return;
	}
	pipe_pump(p, true);
}

/* A pipe end's O_NONBLOCK, where a shared pipe's clients see it. */
static void pipe_flags(struct handle *h)
{
	struct posix_pipe_shm *s = h->pipe->s;

	__atomic_store_n(h->kind == H_PIPE_W ? &s->wflags : &s->rflags, h->flags & LINUX_O_NONBLOCK,
			 __ATOMIC_SEQ_CST);
}

static void pipe_stat(const struct pipe *p, struct posix_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->dev = PIPE_DEV;
	st->ino = p->ino;
	st->mode = TMPFS_S_IFIFO | 0600u;
	st->nlink = 1;
	st->blksize = TMPFS_PAGE;
	st->atime_sec = st->mtime_sec = st->ctime_sec = p->ctime.sec;
	st->atime_nsec = st->mtime_nsec = st->ctime_nsec = p->ctime.nsec;
}

static void pipe_read(struct ans *a, struct handle *h, uint64_t max)
{
	struct pipe *p = h->pipe;

	if (h->kind != H_PIPE_R) {
		a->err = ERR_BADF;
		return;
	}
	if (max > INLINE_MAX)
		max = INLINE_MAX;
	if (!max)
		return;
	if (side_lock(&p->s->rlock)) {
		uint32_t n = pipe_used(p) < max ? pipe_used(p) : (uint32_t)max;

		if (n)
			pipe_take(p, out, n);
		side_unlock(&p->s->rlock);
		if (n) {
			a->w[0] = n;
			a->nbytes = n;
			pipe_pump(p, false);
			return;
		}
		if (!p->writers)
			return;           /* end of file: 0 bytes */
	}
	/* empty, or a client is reading it right now */
	if (h->flags & LINUX_O_NONBLOCK) {
		a->err = ERR_AGAIN;
		return;
	}
	defer(a, &p->rq, h->badge, (uint32_t)max, NULL);
	if (a->deferred)
		pipe_pump(p, true);
}

/* Every write carries at most INLINE_MAX (< PIPE_BUF) bytes, so every
 * write is atomic: all of it goes in at once, or it waits. */
static void pipe_write(struct ans *a, struct handle *h, const uint8_t *data, uint32_t n)
{
	struct pipe *p = h->pipe;

	if (h->kind != H_PIPE_W) {
		a->err = ERR_BADF;
		return;
	}
	if (!p->readers) {
		a->err = ERR_PIPE;
		return;
	}
	if (!n)
		return;
	if (!p->wq && side_lock(&p->s->wlock)) {
		bool done = false;

		if (pipe_space(p) >= n) {
			if (!pipe_reserve(p, n)) {
				side_unlock(&p->s->wlock);
				a->err = h->flags & LINUX_O_NONBLOCK ? ERR_AGAIN : ERR_NOMEM;
				return;
			}
			pipe_put(p, data, n);
			done = true;
		}
		side_unlock(&p->s->wlock);
		if (done) {
			a->w[0] = n;
			pipe_pump(p, true);
			return;
		}
	}
	if (h->flags & LINUX_O_NONBLOCK) {
		a->err = ERR_AGAIN;
		return;
	}
	defer(a, &p->wq, h->badge, n, data);
	if (a->deferred)
		pipe_pump(p, false);
}

/* IO_PIPE_MAP: the shared ring's objects, with the rights this end needs
 * (a writer cannot wait for data, a reader cannot wait for space). */
static void pipe_map(struct ans *a, struct handle *h)
{
	struct pipe *p = h->pipe;
	bool w = h->kind == H_PIPE_W;
	uint32_t rights[3] = { RIGHT_READ | RIGHT_WRITE, w ? RIGHT_WRITE : RIGHT_READ | RIGHT_WRITE,
			       w ? RIGHT_READ | RIGHT_WRITE : RIGHT_WRITE };

	if (h->kind != H_PIPE_R && h->kind != H_PIPE_W) {
		a->err = ERR_INVAL;
		return;
	}
	if (!p->shared) {
		a->err = ERR_NODEV;
		return;
	}
	for (unsigned i = 0; i < 3; i++) {
		if ((a->err = cairn_cap_copy(p->obj[i], rights[i], &a->caps[i]))) {
			while (i--)
				cairn_cap_delete(a->caps[i]);
			return;
		}
		a->made[i] = NO_ENTRY;
	}
	a->ncaps = 3;
	a->w[0] = w;
	a->w[1] = PIPE_SIZE;
}

static void pipe_arm(struct ans *a, struct handle *h, cap_t *notif, uint32_t events, uint64_t bits)
{
	struct pipe *p = h->pipe;
	unsigned end = h->kind == H_PIPE_W;
	uint32_t rev;
	struct arm *arm, **ap;

	/* kick before looking: a client's change after our look is kicked */
	if (p->shared)
		__atomic_store_n(&p->s->kick, 1, __ATOMIC_SEQ_CST);
	rev = pipe_revents(p, end);
	a->w[0] = rev & (events | LINUX_POLLERR | LINUX_POLLHUP);
	if (a->w[0]) {
		cairn_invoke(*notif, NOTIFY_SIGNAL, 0, bits, 0, 0, 0, NULL);
		if (p->shared)
			__atomic_store_n(&p->s->kick, pipe_wants_kick(p), __ATOMIC_SEQ_CST);
		return;
	}
	if (p->narms[end] >= ARMS_PER_END || slots_used >= SLOT_BUDGET) {
		/* make room: the oldest arm fires early (a spurious wake-up, which
		 * poll tolerates: it asks again with IO_POLL) */
		if (!p->arms[end]) {
			a->err = ERR_AGAIN;
			return;
		}
		arm = p->arms[end];
		p->arms[end] = arm->next;
		p->narms[end]--;
		arm_fire(arm);
	}
	if (!(arm = tmpfs_alloc(sizeof(*arm)))) {
		a->err = ERR_NOMEM;
		return;
	}
	arm->notif = *notif;
	arm->bits = bits;
	arm->badge = h->badge;
	arm->events = events;
	for (ap = &p->arms[end]; *ap; ap = &(*ap)->next)
		;
	*ap = arm;
	p->narms[end]++;
	slots_used++;
	narms++;
	*notif = CAP_NULL;                /* kept */
}

/* ---- request helpers -------------------------------------------------------------- */

/* A byte string of the request: len bytes at byte offset off. */
static err_t req_path(const struct req *r, uint64_t off, uint64_t len, const char **p)
{
	if (len >= TMPFS_PATH_MAX)
		return ERR_NAMETOOLONG;
	if (off > r->nbytes || len > r->nbytes - off)
		return ERR_INVAL;
	*p = (const char *)in + off;
	return ERR_OK;
}

static struct tmpfs_node *dir_of(const struct handle *h)
{
	return h->kind == H_NODE && tmpfs_is_dir(h->node) ? h->node : NULL;
}

/* The directory cap0 names (the second path's), or dflt without cap0.
 * Note: the kernel cannot yet tell the server whether cap0 is a
 * capability to its own endpoint, so cap0 is taken by its badge, which
 * only the object's holders know (vfs.h); badge 0 is refused here. */
static err_t req_dir2(const struct req *r, struct tmpfs_node *dflt, struct tmpfs_node **d)
{
	uint64_t id[3];
	struct handle *h2;

	if (!r->ncaps) {
		if (!dflt)
			return ERR_NOTDIR;
		*d = dflt;
		return ERR_OK;
	}
	if (r->caps[0] == CAP_NULL || cairn_cap_op(CAP_OP_IDENTIFY, r->caps[0], 0, 0, 0, id) ||
	    id[0] != OBJ_ENDPOINT || !id[2] || !(h2 = handle_find(id[2])))
		return ERR_BADF;
	if (!(*d = dir_of(h2)))
		return ERR_NOTDIR;
	return ERR_OK;
}

/* The node a by-path request names: the object itself for AT_EMPTY_PATH
 * and an empty path, else path (flags word, length word w2) from the
 * directory object. Pipes answer only for themselves (*node NULL). */
static err_t req_node(const struct req *r, const struct handle *h, uint64_t flags,
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

static void answer_stat(struct ans *a, const struct posix_stat *st)
{
	memcpy(out, st, sizeof(*st));
	a->nbytes = sizeof(*st);
}

/* ---- the I/O protocol ------------------------------------------------------------- */

static void io_seek(struct ans *a, struct handle *h, int64_t off, uint64_t whence)
{
	struct tmpfs_node *n = h->node;
	int64_t base;

	if (h->kind != H_NODE) {
		a->err = ERR_SPIPE;
		return;
	}
	if (tmpfs_is_chr(n)) {                  /* as Linux's /dev/null: always 0 */
		h->pos = 0;
		a->w[0] = 0;
		return;
	}
	if (tmpfs_is_dir(n)) {
		if (whence == POSIX_SEEK_SET)
			base = 0;
		else if (whence == POSIX_SEEK_CUR)
			base = (int64_t)h->pos;
		else {
			a->err = ERR_INVAL;
			return;
		}
	} else if (whence == POSIX_SEEK_SET) {
		base = 0;
	} else if (whence == POSIX_SEEK_CUR) {
		base = (int64_t)h->pos;
	} else if (whence == POSIX_SEEK_END) {
		base = (int64_t)n->size;
	} else if (whence == 3 || whence == 4) {      /* SEEK_DATA, SEEK_HOLE */
		if (off < 0 || (uint64_t)off >= n->size) {
			a->err = ERR_NXIO;
			return;
		}
		h->pos = whence == 3 ? (uint64_t)off : n->size;
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

static void io_read(struct ans *a, struct handle *h, uint64_t max, uint64_t off, bool at)
{
	size_t got;

	if (h->kind != H_NODE) {
		if (at)
			a->err = ERR_SPIPE;
		else
			pipe_read(a, h, max);
		return;
	}
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
	if (tmpfs_is_chr(h->node)) {            /* /dev/null: nothing; /dev/zero: zeros */
		got = h->node->rdev == DEV_ZERO ? (size_t)max : 0;
		memset(out, 0, got);
		a->w[0] = got;
		a->nbytes = got;
		return;
	}
	if ((a->err = tmpfs_read(&fs, h->node, at ? off : h->pos, out, (size_t)max, &got)))
		return;
	if (!at)
		h->pos += got;
	a->w[0] = got;
	a->nbytes = got;
	touch_atime(h->node);
}

static void io_write(struct ans *a, const struct req *r, struct handle *h, bool at)
{
	uint64_t n = r->w[0], off = r->w[1];
	size_t done;

	if (n > INLINE_MAX || n > r->nbytes) {
		a->err = ERR_INVAL;
		return;
	}
	if (h->kind != H_NODE) {
		if (at)
			a->err = ERR_SPIPE;
		else
			pipe_write(a, h, in, (uint32_t)n);
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
	if (tmpfs_is_chr(h->node)) {            /* /dev/null and /dev/zero take everything */
		a->w[0] = n;
		return;
	}
	if (!at || (h->flags & LINUX_O_APPEND))
		off = (h->flags & LINUX_O_APPEND) ? h->node->size : h->pos;
	if (!n)
		return;
	if ((a->err = tmpfs_write(&fs, h->node, off, in, (size_t)n, &done)))
		return;
	if (!at)
		h->pos = off + done;
	a->w[0] = done;
}

static uint32_t node_revents(void)
{
	return LINUX_POLLIN | LINUX_POLLRDNORM | LINUX_POLLOUT | LINUX_POLLWRNORM;
}

static void io_poll(struct ans *a, struct req *r, struct handle *h, bool arm)
{
	uint32_t events = (uint32_t)r->w[0];
	uint32_t rev;

	if (h->flags & LINUX_O_PATH) {
		a->w[0] = LINUX_POLLNVAL;
		if (arm && r->ncaps && r->caps[0] != CAP_NULL)
			cairn_invoke(r->caps[0], NOTIFY_SIGNAL, 0, r->w[1], 0, 0, 0, NULL);
		return;
	}
	if (arm) {
		uint64_t id[3];

		if (!r->ncaps || r->caps[0] == CAP_NULL ||
		    cairn_cap_op(CAP_OP_IDENTIFY, r->caps[0], 0, 0, 0, id) ||
		    id[0] != OBJ_NOTIFICATION || !(id[1] & RIGHT_WRITE)) {
			a->err = ERR_INVAL;
			return;
		}
		if (h->kind != H_NODE) {
			pipe_arm(a, h, &r->caps[0], events, r->w[1]);
			return;
		}
	}
	if (h->kind == H_NODE)
		rev = node_revents();
	else
		rev = pipe_revents(h->pipe, h->kind == H_PIPE_W);
	a->w[0] = rev & (events | LINUX_POLLERR | LINUX_POLLHUP);
	if (arm && a->w[0])
		cairn_invoke(r->caps[0], NOTIFY_SIGNAL, 0, r->w[1], 0, 0, 0, NULL);
}

static void io_ioctl(struct ans *a, const struct req *r, struct handle *h)
{
	int32_t v;

	switch (r->w[0]) {
	case LINUX_FIONREAD:
		if (h->kind == H_PIPE_R) {
			v = (int32_t)pipe_used(h->pipe);
		} else if (h->kind == H_NODE && tmpfs_is_reg(h->node)) {
			uint64_t left = h->node->size > h->pos ? h->node->size - h->pos : 0;
			v = left > INT32_MAX ? INT32_MAX : (int32_t)left;
		} else {
			a->err = ERR_NOTTY;
			return;
		}
		memcpy(out, &v, sizeof(v));
		a->nbytes = sizeof(v);
		return;
	case LINUX_FIONBIO:
		if (r->nbytes < sizeof(v)) {
			a->err = ERR_INVAL;
			return;
		}
		memcpy(&v, in, sizeof(v));
		if (!is_root(h))
			h->flags = v ? h->flags | LINUX_O_NONBLOCK : h->flags & ~(uint32_t)LINUX_O_NONBLOCK;
		if (h->kind != H_NODE)
			pipe_flags(h);
		return;
	default:
		a->err = ERR_NOTTY;
	}
}

static void io_readdir(struct ans *a, struct handle *h, uint64_t cookie, uint64_t max)
{
	size_t n;
	uint64_t next;

	if (h->flags & LINUX_O_PATH) {
		a->err = ERR_BADF;
		return;
	}
	if (!dir_of(h)) {
		a->err = ERR_NOTDIR;
		return;
	}
	if (cookie == POSIX_DIR_POS)
		cookie = h->pos;
	if (max > INLINE_MAX)
		max = INLINE_MAX;
	if ((a->err = tmpfs_readdir(&fs, h->node, cookie, out, (size_t)max, &n, &next)))
		return;
	h->pos = next;
	a->w[0] = next;
	a->w[1] = n;
	a->nbytes = n;
	touch_atime(h->node);
}

static void serve_io(struct ans *a, struct req *r, struct handle *h)
{
	struct posix_stat st;

	/* an O_PATH description only locates its file */
	if ((h->flags & LINUX_O_PATH) && r->label != IO_STAT && r->label != IO_DUP &&
	    r->label != IO_CLOSE && r->label != IO_GETFL && r->label != IO_POLL &&
	    r->label != IO_POLL_ARM) {
		a->err = ERR_BADF;
		return;
	}
	switch (r->label) {
	case IO_READ:
		io_read(a, h, r->w[0], 0, false);
		break;
	case IO_PREAD:
		io_read(a, h, r->w[0], r->w[1], true);
		break;
	case IO_WRITE:
		io_write(a, r, h, false);
		break;
	case IO_PWRITE:
		io_write(a, r, h, true);
		break;
	case IO_SEEK:
		io_seek(a, h, (int64_t)r->w[0], r->w[1]);
		break;
	case IO_STAT:
		if (h->kind == H_NODE)
			tmpfs_stat(h->node, &st);
		else
			pipe_stat(h->pipe, &st);
		answer_stat(a, &st);
		break;
	case IO_TRUNCATE:
		if (h->kind != H_NODE || !can_write(h) || !tmpfs_is_reg(h->node) || (int64_t)r->w[0] < 0)
			a->err = ERR_INVAL;
		else
			a->err = tmpfs_truncate(&fs, h->node, r->w[0]);
		break;
	case IO_DUP:
		if (!is_root(h)) {
			if (h->refs == UINT32_MAX - 1)
				a->err = ERR_MFILE;
			else
				h->refs++;
		}
		break;
	case IO_CLOSE:
		handle_release(h);
		break;
	case IO_GETFL:
		a->w[0] = h->flags;
		break;
	case IO_SETFL:
		if (!is_root(h))
			h->flags = (h->flags & ~(uint32_t)(LINUX_O_APPEND | LINUX_O_NONBLOCK)) |
				   ((uint32_t)r->w[0] & (LINUX_O_APPEND | LINUX_O_NONBLOCK));
		if (h->kind != H_NODE)
			pipe_flags(h);
		break;
	case IO_IOCTL:
		io_ioctl(a, r, h);
		break;
	case IO_POLL:
		io_poll(a, r, h, false);
		break;
	case IO_POLL_ARM:
		io_poll(a, r, h, true);
		break;
	case IO_READDIR:
		io_readdir(a, h, r->w[0], r->w[1]);
		break;
	case IO_SYNC:
		if (h->kind != H_NODE)
			a->err = ERR_INVAL;
		break;
	case IO_PIPE_MAP:
		pipe_map(a, h);
		break;
	case IO_PIPE_KICK:
		if (h->kind == H_NODE)
			a->err = ERR_INVAL;
		else
			pipe_pump(h->pipe, true);
		break;
	default:
		a->err = ERR_NOSYS;
	}
}

/* ---- the file-system protocol ------------------------------------------------------ */

static void fs_open(struct ans *a, const struct req *r, struct handle *h)
{
	struct tmpfs_node *d = dir_of(h), *n;
	struct handle *nh;
	const char *p;

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
	if ((a->err = tmpfs_open(&fs, d, p, r->w[2], (uint32_t)r->w[0], (uint32_t)r->w[1], &n)))
		return;
	if ((a->err = handle_new(H_NODE, (uint32_t)r->w[0] & KEEP_FLAGS, &nh))) {
		tmpfs_node_put(&fs, n);
		return;
	}
	nh->node = n;
	if ((a->err = give(a, nh)))
		return;
	a->w[0] = n->mode & TMPFS_S_IFMT;
}

static void fs_pipe(struct ans *a, const struct req *r)
{
	uint32_t nb = r->w[0] & LINUX_O_NONBLOCK;
	struct handle *rh, *wh;
	struct pipe *p;

	if (r->w[0] & ~(uint64_t)(LINUX_O_NONBLOCK | LINUX_O_CLOEXEC)) {
		a->err = ERR_INVAL;
		return;
	}
	if (!(p = tmpfs_alloc(sizeof(*p)))) {
		a->err = ERR_NOMEM;
		return;
	}
	p->ino = fs.next_ino++;
	p->ctime = stamp();
	p->s = &p->local;
	pipe_share(p);
	if ((a->err = handle_new(H_PIPE_R, LINUX_O_RDONLY | nb, &rh))) {
		tmpfs_free(p, sizeof(*p));
		return;
	}
	rh->pipe = p;
	p->readers = 1;
	if ((a->err = handle_new(H_PIPE_W, LINUX_O_WRONLY | nb, &wh))) {
		handle_free(rh);          /* frees the pipe too */
		return;
	}
	wh->pipe = p;
	p->writers = 1;
	pipe_flags(rh);
	pipe_flags(wh);
	pipe_wake(p);                     /* the counts */
	if ((a->err = give(a, rh))) {
		handle_free(wh);
		return;
	}
	if ((a->err = give(a, wh))) {
		cairn_cap_delete(a->caps[0]);
		a->ncaps = 0;
		handle_free(rh);
	}
}

static void serve_fs(struct ans *a, struct req *r, struct handle *h)
{
	struct tmpfs_node *d = dir_of(h), *d2, *n;
	struct posix_stat st;
	const char *p, *p2;
	uint64_t l1 = r->w[2], l2 = r->w[3];

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
		if (n)
			tmpfs_stat(n, &st);
		else
			pipe_stat(h->pipe, &st);
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
		memcpy(t, in + off, sizeof(t));
		if ((a->err = req_node(r, h, r->w[0], LINUX_AT_SYMLINK_NOFOLLOW | LINUX_AT_EMPTY_PATH, &n)) || !n)
			return;
		a->err = tmpfs_utimens(&fs, n, t);
		return;
	}
	case FS_ACCESS:
		if ((a->err = req_node(r, h, r->w[1], LINUX_AT_EACCESS | LINUX_AT_SYMLINK_NOFOLLOW |
				       LINUX_AT_EMPTY_PATH, &n)))
			return;
		if (r->w[0] & ~7ull)
			a->err = ERR_INVAL;
		else if (n)
			a->err = tmpfs_access(n, (unsigned)r->w[0]);
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
	case FS_READLINK: {
		const char *t;
		size_t tlen;

		if ((a->err = req_path(r, 0, l1, &p)) ||
		    (a->err = tmpfs_readlink(&fs, d, p, l1, &t, &tlen)))
			break;
		if (tlen > INLINE_MAX)
			tlen = INLINE_MAX;
		memcpy(out, t, tlen);
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
		a->err = tmpfs_truncate(&fs, n, r->w[0]);
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
		memcpy(out, path, len);
		a->w[0] = len;
		a->nbytes = len;
		break;
	}
	default:
		a->err = ERR_NOSYS;
	}
}

static void debug_stats(struct ans *a)
{
	struct vfs_mem_stats ms;

	vfs_mem_stats(&ms);
	a->w[0] = hcount;
	a->w[1] = fs.nodes;
	a->w[2] = nwaiters;
	a->w[3] = narms;
	memcpy(out, &ms, sizeof(ms));
	a->nbytes = sizeof(ms);
}

/* ---- the loop ----------------------------------------------------------------------- */

/* Every badge whose capability went with a dead process: one reference
 * less, as an IO_CLOSE would have done (the kernel queues one entry per
 * capability, and each descriptor holds one reference: IO_DUP). */
static void drop_gone_clients(void)
{
	uint64_t r[6];
	unsigned n = 0;

	while (!cairn_arch_syscall(SYS_CAP, CAP_OP_GONE, ep, 0, 0, 0, 0, r)) {
		struct handle *h = handle_find(r[0]);
		if (r[1])
			printf("vfs: some dead clients' references were lost (queue overflow)\n");
		if (h && !is_root(h))
			handle_release(h);
		n++;
	}
	(void)n;
}

static cap_t gone_note = CAP_NULL, gone_ep = CAP_NULL;

/* The watcher: waits for the kernel's signal and turns it into a call on
 * our own endpoint, so the main loop (which only receives) drains. */
static void gone_watcher(uint64_t arg)
{
	(void)arg;
	for (;;) {
		uint64_t bits;
		if (cairn_wait(gone_note, CAIRN_FOREVER, &bits))
			continue;
		cairn_call(gone_ep, cairn_tag(VFS_GONE, 0, 0), 0, 0, 0, 0);
	}
}

static void watch_clients(void)
{
	struct cairn_msg m;
	uint64_t r[3];
	err_t e;

	if ((e = cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_NOTIFICATION, 0, 0, 0, &m)))
		goto out;
	gone_note = m.w[0];
	if ((e = cairn_cap_op(CAP_OP_MINT, ep, CAP_NULL, RIGHT_WRITE, VFS_GONE_BADGE, r)))
		goto out;
	gone_ep = r[0];
	if ((e = cairn_cap_op(CAP_OP_WATCH, ep, gone_note, 0, 1, NULL)))
		goto out;
	if ((e = cairn_thread_start(gone_watcher, 0, 8, NULL)))
		goto out;
	return;
out:
	printf("vfs: cannot watch for dead clients (%s): their references stay\n", err_name(e));
}

static void handle_request(struct req *r, struct ans *a)
{
	struct handle *h;

	if (r->badge == VFS_GONE_BADGE && r->label == VFS_GONE) {
		drop_gone_clients();
		return;
	}
	h = handle_find(r->badge);

	if (!h) {
		a->err = ERR_BADF;
		return;
	}
	if (r->label >= IO_READ && r->label <= IO_PIPE_KICK)
		serve_io(a, r, h);
	else if (r->label >= FS_OPEN && r->label <= FS_PIPE)
		serve_fs(a, r, h);
	else if (r->label == VFS_DEBUG_STATS && !r->badge)
		debug_stats(a);
	else if (r->label == VFS_DEBUG_SHUTDOWN && !r->badge) {
		cairn_reply(cairn_tag(0, CAIRN_MSG_REGS, 0), 0, 0, 0, 0);
		printf("vfs: shut down by request\n");
		exit(0);
	}
	else
		a->err = ERR_NOSYS;
}

static void serve(void)
{
	struct cairn_ipcbuf *ib = cairn_ipcbuf();
	struct cairn_msg m = cairn_recv(ep, 0);

	out = (uint8_t *)&ib->w[CAIRN_MSG_REGS];
	for (;;) {
		struct req r;
		struct ans a;
		uint64_t tag;
		unsigned len;

		if (m.err) {
			m = cairn_recv(ep, 0);
			continue;
		}
		memset(&a, 0, sizeof(a));
		r.badge = m.badge;
		r.label = cairn_tag_label(m.tag);
		memcpy(r.w, m.w, sizeof(r.w));
		len = cairn_tag_len(m.tag);
		r.nbytes = len > CAIRN_MSG_REGS ? (len - CAIRN_MSG_REGS) * 8u : 0;
		if (r.nbytes > INLINE_MAX)
			r.nbytes = INLINE_MAX;
		memcpy(in, out, r.nbytes);
		r.ncaps = cairn_tag_ncaps(m.tag);
		if (r.ncaps > CAIRN_MSG_MAX_CAPS)
			r.ncaps = CAIRN_MSG_MAX_CAPS;
		for (unsigned i = 0; i < r.ncaps; i++)
			r.caps[i] = ib->caps[i];

		handle_request(&r, &a);

		for (unsigned i = 0; i < r.ncaps; i++)
			if (r.caps[i] != CAP_NULL)
				cairn_cap_delete(r.caps[i]);
		if (a.deferred) {
			m = cairn_recv(ep, 0);
			continue;
		}
		if (a.err) {
			a.nbytes = 0;
			for (unsigned i = 0; i < a.ncaps; i++) {
				cairn_cap_delete(a.caps[i]);
				if (a.made[i] != NO_ENTRY)
					handle_free(handle_at(a.made[i]));
			}
			a.ncaps = 0;
		}
		tag = cairn_tag((uint32_t)a.err, posix_words(a.nbytes), a.ncaps);
		if (!a.ncaps) {
			m = cairn_reply_recv(ep, tag, a.w[0], a.w[1], a.w[2], a.w[3]);
			continue;
		}
		for (unsigned i = 0; i < a.ncaps; i++)
			ib->caps[i] = a.caps[i];
		err_t e = cairn_reply(tag, a.w[0], a.w[1], a.w[2], a.w[3]);
		for (unsigned i = 0; i < a.ncaps; i++) {
			cairn_cap_delete(a.caps[i]);
			if (e && a.made[i] != NO_ENTRY) {
				/* the caller is gone: nobody holds what was made for it */
				struct handle *nh = handle_at(a.made[i]);
				if (nh->kind != H_FREE)
					handle_free(nh);
			}
		}
		m = cairn_recv(ep, 0);
	}
}

/* ---- start-up ----------------------------------------------------------------------- */

static void load_bootimage(void)
{
	cap_t img = cairn_cap("bootimage");
	unsigned added, skipped;
	uint64_t pages;
	void *va;
	err_t e;

	if (img == CAP_NULL) {
		printf("vfs: no boot image capability: the tree starts empty\n");
		return;
	}
	if ((e = cairn_memobj_pages(img, &pages)) || (e = cairn_map(img, 0, pages, CAIRN_PROT_R, &va))) {
		printf("vfs: cannot map the boot image: %s\n", err_name(e));
		return;
	}
	e = tmpfs_load_cpio(&fs, va, pages * CAIRN_PAGE_SIZE, &added, &skipped);
	printf("vfs: %u entries from the boot image", added);
	if (skipped)
		printf(", %u skipped", skipped);
	if (e)
		printf(" (archive: %s)", err_name(e));
	printf("\n");
}

int main(int argc, char **argv)
{
	uint64_t id[3];
	struct handle *root;
	err_t e;

	ep = cairn_cap("vfs");
	kinfo = cairn_cap("kinfo");
	if (ep == CAP_NULL || cairn_cap_op(CAP_OP_IDENTIFY, ep, 0, 0, 0, id) || id[0] != OBJ_ENDPOINT ||
	    (id[1] & (RIGHT_READ | RIGHT_WRITE | RIGHT_GRANT)) != (RIGHT_READ | RIGHT_WRITE | RIGHT_GRANT) ||
	    id[2]) {
		printf("vfs: needs the unbadged endpoint \"vfs\" with rights rwg\n");
		return 1;
	}
	clock_init();
	rng_state = now_ns() ^ (uint64_t)(uintptr_t)&id ^ 0x5ca1ab1e0ddba11ull;
	if ((e = tmpfs_init(&fs, now_ns))) {
		printf("vfs: cannot make the tree: %s\n", err_name(e));
		return 1;
	}
	load_bootimage();
	tmpfs_mkdir(&fs, fs.root, "tmp", 3, 01777);
	tmpfs_mkdir(&fs, fs.root, "dev", 3, 0755);
	tmpfs_mkdev(&fs, fs.root, "/dev/null", 9, 0666, DEV_NULL);
	tmpfs_mkdev(&fs, fs.root, "/dev/zero", 9, 0666, DEV_ZERO);

	/* entry 1: the root directory, shared by every holder of badge 1 */
	if (!(hblock[0] = tmpfs_alloc(HANDLE_BLOCK * sizeof(struct handle)))) {
		printf("vfs: out of memory\n");
		return 1;
	}
	root = handle_at(POSIX_VFS_ROOT);
	root->kind = H_NODE;
	root->badge = POSIX_VFS_ROOT;
	root->refs = UINT32_MAX;
	root->flags = LINUX_O_RDONLY | LINUX_O_DIRECTORY;
	root->node = fs.root;
	tmpfs_node_get(fs.root);
	hcount = 1;
	watch_clients();
	printf("vfs: serving\n");
	cairn_console_flush();
	serve();
	return 0;
}
