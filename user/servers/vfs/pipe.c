/* SPDX-License-Identifier: MIT */
/*
 * The VFS server's pipes: FS_PIPE makes one, and the I/O protocol on its
 * ends (read, write, poll arms, IO_PIPE_MAP of a shared ring, kicks). A
 * call that must wait (a read of an empty pipe, a write to a full one)
 * has its Reply saved and joins the pipe's queue of waiters, answered
 * when the pipe moves. See docs/vfs.md, "Pipes".
 */
#include "internal.h"

static uint32_t slots_used, nshared;
uint32_t nwaiters, narms;

/* ---- calls that wait ------------------------------------------------------------- */

/* Answers a saved Reply (one shot: the slot goes); an error means the
 * caller is gone (killed, or its call interrupted). */
static err_t send_saved(cap_t reply, err_t err, uint64_t w0, size_t nbytes)
{
	slots_used--;
	return srv_answer_saved(reply, err, nbytes, w0, 0, 0, 0);
}

/* The caller waits: its Reply joins queue q. */
static void defer(struct srv_ans *a, struct waiter **q, uint64_t badge, uint32_t len,
		  const uint8_t *data)
{
	struct waiter *w;
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
	if ((e = srv_save_reply(a, &w->reply))) {
		if (w->data)
			tmpfs_free(w->data, len);
		tmpfs_free(w, sizeof(*w));
		a->err = e;
		return;
	}
	if (data)
		memcpy(w->data, data, len);
	w->badge = badge;
	w->len = len;
	while (*q)
		q = &(*q)->next;
	*q = w;
	slots_used++;
	nwaiters++;
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

uint32_t pipe_used(const struct pipe *p)
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

uint32_t pipe_revents(const struct pipe *p, bool wend)
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
void pipe_pump(struct pipe *p, bool readers_too)
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
					pipe_take(p, ans_bytes, n);
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
	if (p->fifo)
		fifo_pipe_freed(p->fifo);
	tmpfs_free(p, sizeof(*p));
}

/* A pipe no end was made of (fifo.c) goes. */
void pipe_discard(struct pipe *p)
{
	pipe_free(p);
}

/* The last reference to a pipe end's description went. */
void pipe_end_closed(struct handle *h)
{
	struct pipe *p = h->pipe;

	waiters_fail(&p->rq, h->badge, ERR_BADF);
	waiters_fail(&p->wq, h->badge, ERR_BADF);
	pipe_fire(p, false, h->badge);
	if (h->kind == H_PIPE_W || h->both)
		p->writers--;
	if (h->kind == H_PIPE_R)
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
void pipe_flags(struct handle *h)
{
	struct posix_pipe_shm *s = h->pipe->s;

	__atomic_store_n(h->kind == H_PIPE_W ? &s->wflags : &s->rflags, h->flags & LINUX_O_NONBLOCK,
			 __ATOMIC_SEQ_CST);
}

void pipe_stat(const struct pipe *p, struct posix_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->dev = p->fifo ? p->dev : PIPE_DEV;       /* a FIFO: its file's */
	st->ino = p->ino;
	st->mode = TMPFS_S_IFIFO | (p->fifo ? p->perm : 0600u);
	st->nlink = 1;
	st->blksize = TMPFS_PAGE;
	st->atime_sec = st->mtime_sec = st->ctime_sec = p->ctime.sec;
	st->atime_nsec = st->mtime_nsec = st->ctime_nsec = p->ctime.nsec;
}

void pipe_read(struct srv_ans *a, struct handle *h, uint64_t max)
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
			pipe_take(p, ans_bytes, n);
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
void pipe_write(struct srv_ans *a, struct handle *h, const uint8_t *data, uint32_t n)
{
	struct pipe *p = h->pipe;

	if (h->kind != H_PIPE_W && !h->both) {
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
void pipe_map(struct srv_ans *a, struct handle *h)
{
	struct pipe *p = h->pipe;
	bool w = h->kind == H_PIPE_W;
	uint32_t rights[3] = { RIGHT_READ | RIGHT_WRITE, w ? RIGHT_WRITE : RIGHT_READ | RIGHT_WRITE,
			       w ? RIGHT_READ | RIGHT_WRITE : RIGHT_WRITE };

	if (h->kind != H_PIPE_R && h->kind != H_PIPE_W) {
		a->err = ERR_INVAL;
		return;
	}
	if (!p->shared || h->both) {      /* a FIFO open O_RDWR: through us */
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

void pipe_arm(struct srv_ans *a, struct handle *h, cap_t *notif, uint32_t events, uint64_t bits)
{
	struct pipe *p = h->pipe;
	unsigned end = h->kind == H_PIPE_W || (h->both && !(events & (LINUX_POLLIN | LINUX_POLLRDNORM)));
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

/* A new pipe with no end yet (its ring shared if it can be). */
struct pipe *pipe_new(void)
{
	struct pipe *p = tmpfs_alloc(sizeof(*p));

	if (!p)
		return NULL;
	memset(p, 0, sizeof(*p));
	p->ino = fs.next_ino++;
	p->ctime = stamp();
	p->s = &p->local;
	pipe_share(p);
	return p;
}

void fs_pipe(struct srv_ans *a, const struct srv_req *r)
{
	uint32_t nb = r->w[0] & LINUX_O_NONBLOCK;
	struct handle *rh, *wh;
	struct pipe *p;

	if (r->w[0] & ~(uint64_t)(LINUX_O_NONBLOCK | LINUX_O_CLOEXEC)) {
		a->err = ERR_INVAL;
		return;
	}
	if (!(p = pipe_new())) {
		a->err = ERR_NOMEM;
		return;
	}
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
