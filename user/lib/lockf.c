/* SPDX-License-Identifier: MIT */
/*
 * Record locks (fcntl F_SETLK..., OFD locks) and flock locks of a file
 * server: <cairn/lockf.h>. The table makes no system call (a host test
 * could link it); lk_serve() saves a waiter's Reply with the skeleton's
 * srv_save_reply(). The VFS and the ext2 server link it.
 *
 * A file's byte-range locks are one list of POSIX locks (owner: a pid) and
 * OFD locks (owner: a description); an owner's own locks of one kind never
 * overlap and locks of one type are never adjacent (set merges them). Two
 * locks conflict when their owners differ (a POSIX and an OFD owner always
 * do), their ranges overlap and one is a write lock. flock locks are a list
 * of their own, whole-file, one per description: they never meet the
 * others (Linux).
 */
#include <string.h>
#include <cairn/lockf.h>
#include <cairn/posix.h>
#include <cairn/server.h>

static unsigned bucket(uint64_t key)
{
	return (unsigned)((key * 0x9e3779b97f4a7c15ull) >> 58) % LK_BUCKETS;
}

static struct lk_file *file_find(struct lk_table *t, uint64_t key)
{
	for (struct lk_file *f = t->files[bucket(key)]; f; f = f->next)
		if (f->key == key)
			return f;
	return NULL;
}

static struct lk_file *file_get(struct lk_table *t, uint64_t key)
{
	struct lk_file *f = file_find(t, key);

	if (f || !(f = t->alloc(sizeof(*f))))
		return f;
	memset(f, 0, sizeof(*f));
	f->key = key;
	f->next = t->files[bucket(key)];
	t->files[bucket(key)] = f;
	return f;
}

/* Frees f once it holds nothing. */
static void file_put(struct lk_table *t, struct lk_file *f)
{
	struct lk_file **p;

	if (f->locks || f->flocks || f->nwait)
		return;
	for (p = &t->files[bucket(f->key)]; *p; p = &(*p)->next) {
		if (*p == f) {
			*p = f->next;
			break;
		}
	}
	t->release(f, sizeof(*f));
}

err_t lk_range(int64_t base, int64_t l_start, int64_t l_len, uint64_t *start, uint64_t *end)
{
	int64_t s;

	if (__builtin_add_overflow(base, l_start, &s))
		return ERR_OVERFLOW;
	if (s < 0)
		return ERR_INVAL;
	if (l_len == 0) {
		*start = (uint64_t)s;
		*end = LK_END;
		return ERR_OK;
	}
	if (l_len > 0) {
		int64_t e;
		if (__builtin_add_overflow(s, l_len - 1, &e))
			return ERR_OVERFLOW;
		*start = (uint64_t)s;
		*end = (uint64_t)e;
		return ERR_OK;
	}
	/* a negative length: the bytes before start */
	if (l_len == INT64_MIN || s + l_len < 0)
		return ERR_INVAL;
	*start = (uint64_t)(s + l_len);
	*end = (uint64_t)s - 1;
	return ERR_OK;
}

static bool overlap(uint64_t s1, uint64_t e1, uint64_t s2, uint64_t e2)
{
	return s1 <= e2 && s2 <= e1;
}

static bool same_owner(const struct lk_lock *l, const struct lk_req *q)
{
	bool lofd = l->kind != LK_POSIX, qofd = q->kind != LK_POSIX;

	return lofd == qofd && l->owner == q->owner;
}

static bool conflicts(const struct lk_lock *l, const struct lk_req *q)
{
	return !same_owner(l, q) && overlap(l->start, l->end, q->start, q->end) &&
	       (l->type == LK_WR || q->type == LK_WR);
}

static struct lk_lock *first_conflict(struct lk_file *f, const struct lk_req *q)
{
	for (struct lk_lock *l = q->kind == LK_FLOCK ? f->flocks : f->locks; l; l = l->next)
		if (conflicts(l, q))
			return l;
	return NULL;
}

/*
 * Applies q to its owner's locks in *list (no conflict left to check):
 * the owner's locks overlapping the range are cut back (a lock around it
 * split in two), those of q's type touching it merged into the new one.
 * spare: two records (the new lock, a split's second half); the unused
 * ones are given back.
 */
static void apply(struct lk_table *t, struct lk_lock **list, const struct lk_req *q, struct lk_lock *spare[2])
{
	uint64_t s = q->start, e = q->end;
	struct lk_lock **p = list;
	unsigned used = 0;

	while (*p) {
		struct lk_lock *l = *p;

		if (!same_owner(l, q)) {
			p = &l->next;
			continue;
		}
		if (q->type != LK_UN && l->type == q->type &&
		    (overlap(l->start, l->end, s, e) || (l->end != LK_END && l->end + 1 == s) ||
		     (e != LK_END && e + 1 == l->start))) {
			if (l->start < s)
				s = l->start;
			if (l->end > e)
				e = l->end;
			*p = l->next;
			t->release(l, sizeof(*l));
			continue;
		}
		if (!overlap(l->start, l->end, q->start, q->end)) {
			p = &l->next;
			continue;
		}
		if (l->start < q->start && l->end > q->end) {
			struct lk_lock *r = spare[used++];      /* the right half */
			*r = *l;
			r->start = q->end + 1;
			l->end = q->start - 1;
			l->next = r;
			p = &r->next;
			continue;
		}
		if (l->start < q->start) {
			l->end = q->start - 1;
			p = &l->next;
		} else if (l->end > q->end) {
			l->start = q->end + 1;
			p = &l->next;
		} else {
			*p = l->next;
			t->release(l, sizeof(*l));
		}
	}
	if (q->type != LK_UN) {
		struct lk_lock *n = spare[used++];

		*n = (struct lk_lock){ .next = *list, .owner = q->owner, .start = s, .end = e,
				       .pid = q->pid, .type = q->type, .kind = q->kind };
		*list = n;
	}
	while (used < 2)
		t->release(spare[used++], sizeof(struct lk_lock));
}

static bool spares(struct lk_table *t, struct lk_lock *spare[2])
{
	spare[0] = t->alloc(sizeof(struct lk_lock));
	spare[1] = t->alloc(sizeof(struct lk_lock));
	if (spare[0] && spare[1])
		return true;
	if (spare[0])
		t->release(spare[0], sizeof(struct lk_lock));
	if (spare[1])
		t->release(spare[1], sizeof(struct lk_lock));
	return false;
}

/* flock: the owner's own lock goes first */
static bool drop_flock(struct lk_table *t, struct lk_file *f, uint64_t owner)
{
	for (struct lk_lock **p = &f->flocks; *p; p = &(*p)->next) {
		if ((*p)->owner == owner) {
			struct lk_lock *l = *p;
			*p = l->next;
			t->release(l, sizeof(*l));
			return true;
		}
	}
	return false;
}

static void waiter_unlink(struct lk_table *t, struct lk_waiter *w)
{
	for (struct lk_waiter **p = &t->waiters; *p; p = &(*p)->next) {
		if (*p == w) {
			*p = w->next;
			break;
		}
	}
	w->file->nwait--;
	t->nwaiters--;
	t->release(w, sizeof(*w));
}

/* Answers the waiters of f that no lock holds back any more, oldest
 * first, until nothing moves. */
static void pump(struct lk_table *t, struct lk_file *f)
{
	bool progress = true;

	while (progress && f->nwait) {
		progress = false;
		for (struct lk_waiter *w = t->waiters, *next; w; w = next) {
			struct lk_lock *spare[2];

			next = w->next;
			if (w->file != f || first_conflict(f, &w->q))
				continue;
			if (!spares(t, spare)) {
				t->answer(w->cookie, ERR_NOLCK);
			} else if (t->answer(w->cookie, ERR_OK)) {
				t->release(spare[0], sizeof(struct lk_lock));   /* the caller is gone */
				t->release(spare[1], sizeof(struct lk_lock));
			} else {
				apply(t, w->q.kind == LK_FLOCK ? &f->flocks : &f->locks, &w->q, spare);
			}
			waiter_unlink(t, w);
			progress = true;
			break;                  /* the list changed: from the start again */
		}
	}
}

err_t lk_set(struct lk_table *t, uint64_t key, const struct lk_req *q)
{
	struct lk_lock *spare[2];
	struct lk_file *f;

	if (q->type == LK_UN && !(f = file_find(t, key)))
		return ERR_OK;
	if (!(f = file_get(t, key)))
		return ERR_NOLCK;
	if (q->kind == LK_FLOCK && drop_flock(t, f, q->owner))
		pump(t, f);
	if (q->type != LK_UN && first_conflict(f, q)) {
		file_put(t, f);
		return ERR_AGAIN;
	}
	if (!spares(t, spare)) {
		file_put(t, f);
		return ERR_NOLCK;
	}
	apply(t, q->kind == LK_FLOCK ? &f->flocks : &f->locks, q, spare);
	pump(t, f);
	file_put(t, f);
	return ERR_OK;
}

/* The owner (POSIX) whose lock holds q back, or 0 */
static bool blocker(struct lk_table *t, const struct lk_waiter *w, uint64_t *owner)
{
	struct lk_lock *l = first_conflict(w->file, &w->q);

	if (!l || l->kind != LK_POSIX)
		return false;
	*owner = l->owner;
	return true;
}

bool lk_deadlock(struct lk_table *t, uint64_t key, const struct lk_req *q)
{
	struct lk_file *f = file_find(t, key);
	struct lk_lock *l;
	uint64_t owner;

	if (q->kind != LK_POSIX || !f || !(l = first_conflict(f, q)) || l->kind != LK_POSIX)
		return false;
	owner = l->owner;
	/* follow the owners each one waits for, as Linux does (10 steps) */
	for (unsigned depth = 0; depth < 10; depth++) {
		struct lk_waiter *w;

		for (w = t->waiters; w; w = w->next)
			if (w->q.kind == LK_POSIX && w->q.owner == owner)
				break;
		if (!w || !blocker(t, w, &owner))
			return false;
		if (owner == q->owner)
			return true;
	}
	return false;
}

err_t lk_wait(struct lk_table *t, uint64_t key, const struct lk_req *q, uint64_t desc, uint64_t cookie)
{
	struct lk_waiter *w, **p;
	struct lk_file *f;

	if (t->nwaiters >= LK_WAITERS_MAX || !(f = file_get(t, key)))
		return ERR_NOLCK;
	if (!(w = t->alloc(sizeof(*w)))) {
		file_put(t, f);
		return ERR_NOLCK;
	}
	*w = (struct lk_waiter){ .file = f, .q = *q, .desc = desc, .cookie = cookie };
	for (p = &t->waiters; *p; p = &(*p)->next)
		;
	*p = w;
	f->nwait++;
	t->nwaiters++;
	return ERR_OK;
}

bool lk_get(struct lk_table *t, uint64_t key, const struct lk_req *q, struct lk_lock *out)
{
	struct lk_file *f = file_find(t, key);
	struct lk_lock *l;

	if (!f || !(l = first_conflict(f, q)))
		return false;
	*out = *l;
	return true;
}

static void drop_where(struct lk_table *t, struct lk_lock **list, bool ofd, uint64_t owner)
{
	while (*list) {
		struct lk_lock *l = *list;

		if ((l->kind != LK_POSIX) == ofd && l->owner == owner) {
			*list = l->next;
			t->release(l, sizeof(*l));
		} else {
			list = &l->next;
		}
	}
}

void lk_close_pid(struct lk_table *t, uint64_t key, uint32_t pid)
{
	struct lk_file *f = file_find(t, key);

	if (!f)
		return;
	drop_where(t, &f->locks, false, pid);
	pump(t, f);
	file_put(t, f);
}

void lk_cancel(struct lk_table *t, uint64_t key, uint64_t desc, uint32_t pid, err_t err)
{
	struct lk_file *f = file_find(t, key);

	if (!f)
		return;
	for (struct lk_waiter *w = t->waiters, *next; w; w = next) {
		next = w->next;
		if (w->file == f && w->desc == desc && (w->q.kind != LK_POSIX || w->q.owner == pid)) {
			t->answer(w->cookie, err);
			waiter_unlink(t, w);
		}
	}
	file_put(t, f);
}

void lk_close_desc(struct lk_table *t, uint64_t key, uint64_t desc)
{
	struct lk_file *f = file_find(t, key);

	if (!f)
		return;
	for (struct lk_waiter *w = t->waiters, *next; w; w = next) {
		next = w->next;
		if (w->file == f && w->desc == desc) {
			t->answer(w->cookie, ERR_BADF);
			waiter_unlink(t, w);
		}
	}
	drop_where(t, &f->locks, true, desc);
	drop_where(t, &f->flocks, true, desc);
	pump(t, f);
	file_put(t, f);
}

void lk_forget(struct lk_table *t, uint64_t key)
{
	struct lk_file *f = file_find(t, key);

	if (!f)
		return;
	for (struct lk_waiter *w = t->waiters, *next; w; w = next) {
		next = w->next;
		if (w->file == f) {
			t->answer(w->cookie, ERR_BADF);
			waiter_unlink(t, w);
		}
	}
	for (struct lk_lock **list = &f->locks; list; list = list == &f->locks ? &f->flocks : NULL) {
		while (*list) {
			struct lk_lock *l = *list;
			*list = l->next;
			t->release(l, sizeof(*l));
		}
	}
	file_put(t, f);
}

unsigned lk_pids(struct lk_table *t, uint64_t key, uint32_t *out, unsigned max)
{
	struct lk_file *f = file_find(t, key);
	unsigned n = 0;

	if (!f)
		return 0;
	for (struct lk_lock *l = f->locks; l && n < max; l = l->next) {
		unsigned i;

		if (l->kind != LK_POSIX)
			continue;
		for (i = 0; i < n && out[i] != l->pid; i++)
			;
		if (i == n)
			out[n++] = l->pid;
	}
	return n;
}

bool lk_busy(struct lk_table *t, uint64_t key)
{
	return file_find(t, key) != NULL;
}

/* ---- IO_LOCK, for any file server ------------------------------------------------------ */

bool (*lk_pid_live)(uint32_t pid);

/* The POSIX locks on key of processes that no longer live go: true if
 * some did. */
static bool purge_dead(struct lk_table *t, uint64_t key)
{
	uint32_t pids[16];
	unsigned n;
	bool any = false;

	if (!lk_pid_live)
		return false;
	n = lk_pids(t, key, pids, 16);
	for (unsigned i = 0; i < n; i++)
		if (!lk_pid_live(pids[i])) {
			lk_close_pid(t, key, pids[i]);
			any = true;
		}
	return any;
}

void lk_serve(struct lk_table *t, const struct srv_req *r, struct srv_ans *a, uint64_t key, uint64_t desc,
	      uint64_t size, bool rd, bool wr)
{
	uint32_t cmd = (uint32_t)r->w[0] & 0xffu, fl = (uint32_t)r->w[0] & ~0xffu;
	uint32_t type = (uint32_t)r->w[1] & 0xffu, whence = (uint32_t)(r->w[1] >> 8) & 0xffu;
	uint32_t pid = (uint32_t)(r->w[1] >> 32);
	struct lk_req q = { .type = (uint8_t)type, .pid = pid };
	struct lk_lock l;
	cap_t reply;
	err_t e;

	if ((r->w[0] >> 32) || (r->w[1] >> 16 & 0xffffu) ||
	    (fl & ~(POSIX_LK_OFD | POSIX_LK_FLOCK)) || fl == (POSIX_LK_OFD | POSIX_LK_FLOCK) ||
	    cmd > POSIX_LK_CANCEL || (!fl && !pid)) {
		a->err = ERR_INVAL;
		return;
	}
	q.kind = fl & POSIX_LK_FLOCK ? LK_FLOCK : fl & POSIX_LK_OFD ? LK_OFD : LK_POSIX;
	q.owner = q.kind == LK_POSIX ? pid : desc;
	if (cmd == POSIX_LK_CANCEL) {
		lk_cancel(t, key, desc, pid, ERR_INTR);
		return;
	}
	if (type > LK_UN || (cmd == POSIX_LK_GET && (type == LK_UN || q.kind == LK_FLOCK))) {
		a->err = ERR_INVAL;
		return;
	}
	if (q.kind == LK_FLOCK) {
		q.start = 0;
		q.end = LK_END;
	} else {
		if (whence != POSIX_SEEK_SET && whence != POSIX_SEEK_END) {
			a->err = ERR_INVAL;
			return;
		}
		if ((a->err = lk_range(whence == POSIX_SEEK_END ? (int64_t)size : 0, (int64_t)r->w[2],
				       (int64_t)r->w[3], &q.start, &q.end)))
			return;
		if (cmd != POSIX_LK_GET && ((type == LK_RD && !rd) || (type == LK_WR && !wr))) {
			a->err = ERR_BADF;
			return;
		}
	}
	if (cmd == POSIX_LK_GET) {
		if (lk_get(t, key, &q, &l) && l.kind == LK_POSIX && purge_dead(t, key) &&
		    !lk_get(t, key, &q, &l)) {
			a->w[0] = LK_UN;
			return;
		}
		if (!lk_get(t, key, &q, &l)) {
			a->w[0] = LK_UN;
			return;
		}
		a->w[0] = l.type;
		a->w[1] = l.start;
		a->w[2] = l.end == LK_END ? 0 : l.end - l.start + 1;
		a->w[3] = l.kind == LK_POSIX ? (uint64_t)l.pid : UINT64_MAX;
		return;
	}
	e = lk_set(t, key, &q);
	if (e == ERR_AGAIN && purge_dead(t, key))
		e = lk_set(t, key, &q);
	if (e != ERR_AGAIN || cmd == POSIX_LK_SET) {
		a->err = e;
		return;
	}
	if (lk_deadlock(t, key, &q)) {
		a->err = ERR_DEADLK;
		return;
	}
	if ((a->err = srv_save_reply(a, &reply)))
		return;
	if ((e = lk_wait(t, key, &q, desc, reply)))
		srv_answer_saved(reply, e, 0, 0, 0, 0, 0);
}

