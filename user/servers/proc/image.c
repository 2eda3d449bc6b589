/* SPDX-License-Identifier: MIT */
/*
 * Kernel processes for POSIX processes: a new image (the first program
 * and exec) built the way libcairn's cairn_spawn builds one, but with the
 * capabilities at the slots the caller asks for, and fork.
 *
 * Every kernel object is charged to the new process's quota, made from a
 * pool's (PROC_CREATE on the pool's kernel process) with a limit
 * (--quota) and nothing reserved: what a process uses is charged to its
 * pool as it uses it, up to the root pool, which is carved from the
 * server's quota at start, and comes back when freed. The server's own
 * memory (its heap, its tables) stays outside the pools, so a fork bomb
 * that fills them leaves it able to serve. Each session after the first
 * gets a pool nested in its creator's, limited to SESSION_SHARE of it,
 * so a fork bomb fills its own session's pool and leaves the rest.
 */
#include <stdlib.h>
#include <string.h>
#include <format.h>
#include "proc.h"

/* ---- start-up blocks ---------------------------------------------------------------- */

void block_add(struct block *b, const char *s)
{
	size_t n = strlen(s) + 1;

	if (b->overflow || n > b->max - b->len) {
		b->overflow = true;
		return;
	}
	memcpy(b->buf + b->len, s, n);
	b->len += n;
}

void block_addf(struct block *b, const char *fmt, ...)
{
	char tmp[96];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		b->overflow = true;
	else
		block_add(b, tmp);
}

void block_finish(struct block *b)
{
	size_t first, extra = 2, total;
	char tmp[32];
	int n;

	if (b->overflow || b->len <= CAIRN_STARTUP_MAX)
		return;
	/* ":length" counts itself */
	for (;;) {
		total = b->len + extra;
		n = fmt_snprintf(tmp, sizeof(tmp), ":%lu", (unsigned long)total);
		if ((size_t)n == extra)
			break;
		extra = (size_t)n;
	}
	if (total > b->max) {
		b->overflow = true;
		return;
	}
	first = strlen(b->buf);
	memmove(b->buf + first + extra, b->buf + first, b->len - first);
	memcpy(b->buf + first, tmp, extra);
	b->len = total;
}

void *temp_alloc(struct temp *t, size_t n, void *small, size_t small_n)
{
	*t = (struct temp){ NULL, CAP_NULL, 0 };
	if (n <= small_n)
		return t->va = small;
	t->pages = (n + CAIRN_PAGE_SIZE - 1) / CAIRN_PAGE_SIZE;
	if (cairn_memobj_create(SLOT_SELF_PROC, t->pages, 0, &t->mo))
		return NULL;
	if (cairn_map(t->mo, 0, t->pages, CAIRN_PROT_R | CAIRN_PROT_W, &t->va)) {
		cairn_cap_delete(t->mo);
		t->mo = CAP_NULL;
		return NULL;
	}
	return t->va;
}

void temp_free(struct temp *t)
{
	if (t->mo != CAP_NULL) {
		cairn_unmap(t->va, t->pages);
		cairn_cap_delete(t->mo);
	}
	*t = (struct temp){ NULL, CAP_NULL, 0 };
}

/* ---- kernel calls ----------------------------------------------------------------------- */

static err_t create_on(cap_t proc, unsigned type, uint64_t a, uint64_t b, cap_t *out)
{
	struct cairn_msg m;
	err_t e = cairn_invoke(proc, PROC_CREATE, 0, type, a, b, 0, &m);

	if (!e)
		*out = m.w[0];
	return e;
}

static err_t grant(cap_t proc, cap_t cap, cap_t dst, unsigned rights, uint64_t badge)
{
	return cairn_invoke_cap(proc, PROC_GRANT, cap, dst, rights, badge, 0, NULL);
}

static void del(cap_t *c)
{
	if (*c != CAP_NULL)
		cairn_cap_delete(*c);
	*c = CAP_NULL;
}

void kproc_release(cap_t *kproc, cap_t *kas, cap_t *kthread)
{
	if (*kproc != CAP_NULL)
		cairn_invoke(*kproc, PROC_KILL, 0, 0, 0, 0, 0, NULL);
	del(kthread);
	del(kas);
	del(kproc);
}

/* A MemoryObject of pages charged to proc, mapped at va in as. */
static err_t child_memory(cap_t proc, cap_t as, uint64_t pages, uint64_t va, unsigned prot,
			  cap_t *out)
{
	err_t e = cairn_memobj_create(proc, pages, 0, out);

	if (!e)
		e = cairn_as_map(as, *out, va, 0, pages, prot);
	if (e)
		del(out);
	return e;
}

/* ---- pools ----------------------------------------------------------------------------- */

struct pool *root_pool;

/* A kernel process without threads with a quota of limit (reserve of it
 * reserved), made from parent's (the server's if CAP_NULL). */
static err_t pool_make(cap_t parent, uint64_t limit, uint64_t reserve, const char *name,
		       struct pool **out)
{
	struct pool *pl = calloc(1, sizeof(*pl));
	uint64_t w[2] = { 0, 0 };
	struct cairn_msg m;
	err_t e;

	if (!pl)
		return ERR_NOMEM;
	memcpy(w, name, strnlen(name, sizeof(w)));
	e = cairn_invoke(parent == CAP_NULL ? SLOT_SELF_PROC : parent, PROC_CREATE, 0, OBJ_PROCESS,
			 cairn_quota_arg(limit, reserve), w[0], w[1], &m);
	if (e) {
		free(pl);
		return e;
	}
	pl->kproc = m.w[0];
	pl->kas = m.w[1];
	pl->limit = limit;
	pl->users = 1;
	*out = pl;
	return ERR_OK;
}

err_t pool_root_make(void)
{
	struct cairn_msg m;
	uint64_t left, keep;
	err_t e;

	if ((e = cairn_invoke(SLOT_SELF_PROC, PROC_QUOTA, 0, 0, 0, 0, 0, &m)))
		return e;
	left = m.w[0] > m.w[1] ? m.w[0] - m.w[1] : 0;
	/* the server keeps an eighth (4 to 32 MiB) for its heap and tables */
	keep = left / 8;
	if (keep < (4ull << 20))
		keep = 4ull << 20;
	if (keep > (32ull << 20))
		keep = 32ull << 20;
	if (left < 2 * keep)
		keep = left / 2;
	left -= keep;
	left &= ~(CAIRN_PAGE_SIZE - 1);
	return pool_make(CAP_NULL, left, left, "pool", &root_pool);
}

struct pool *pool_nested(struct pool *parent)
{
	struct pool *pl;
	uint64_t limit = parent->limit / SESSION_SHARE_DEN * SESSION_SHARE_NUM;

	if (pool_make(parent->kproc, limit & ~(CAIRN_PAGE_SIZE - 1), 0, "session", &pl))
		return NULL;
	pl->parent = parent;
	pool_get(parent);
	return pl;
}

void pool_get(struct pool *pl)
{
	if (pl)
		pl->users++;
}

void pool_put(struct pool *pl)
{
	while (pl && --pl->users == 0) {
		struct pool *parent = pl->parent;
		del(&pl->kas);
		del(&pl->kproc);
		free(pl);
		pl = parent;
	}
}

/* Whether every pool from pl up has FORK_HEADROOM left after a fork. */
static bool pool_room(const struct pool *pl)
{
	struct cairn_msg m;

	for (; pl; pl = pl->parent)
		if (cairn_invoke(pl->kproc, PROC_QUOTA, 0, 0, 0, 0, 0, &m) ||
		    m.w[1] + FORK_HEADROOM > m.w[0])
			return false;
	return true;
}

/* ---- kernel processes ------------------------------------------------------------------ */

/* The new process, its first thread (not started) and its own capabilities. */
static err_t new_process(const char *name, struct pool *pool, uint64_t quota, cap_t *kproc,
			 cap_t *kas, cap_t *kthread)
{
	struct cairn_msg m;
	uint64_t w[2] = { 0, 0 };
	err_t e;

	memcpy(w, name, strnlen(name, sizeof(w)));
	e = cairn_invoke(pool->kproc, PROC_CREATE, 0, OBJ_PROCESS, cairn_quota_arg(quota, 0), w[0], w[1],
			 &m);
	if (e)
		return e;
	*kproc = m.w[0];
	*kas = m.w[1];
	*kthread = CAP_NULL;
	if ((e = create_on(*kproc, OBJ_THREAD, 0, 0, kthread)) ||
	    (e = grant(*kproc, *kproc, SLOT_SELF_PROC, RIGHTS_ALL, 0)) ||
	    (e = grant(*kproc, *kas, SLOT_SELF_AS, RIGHTS_ALL, 0)) ||
	    (e = grant(*kproc, *kthread, SLOT_SELF_THREAD, RIGHTS_ALL, 0)))
		kproc_release(kproc, kas, kthread);
	return e;
}

/* Its user faults come to the server (BADGE_FAULT | pid). */
static err_t set_fault(cap_t kproc, int pid)
{
	uint64_t r[3];
	err_t e = cairn_cap_op(CAP_OP_MINT, srv_ep, CAP_NULL, RIGHT_WRITE, BADGE_FAULT | (uint64_t)pid, r);

	if (e)
		return e;
	e = cairn_invoke_cap(kproc, PROC_SET_FAULT, r[0], 0, 0, 0, 0, NULL);
	cairn_cap_delete(r[0]);
	return e;
}

/* Its "proc" capability: the server's endpoint badged with the pid. */
static err_t grant_proc_cap(cap_t kproc, cap_t slot, int pid)
{
	return grant(kproc, srv_ep, slot, RIGHT_WRITE | RIGHT_GRANT, (uint64_t)pid);
}

/* Gives the kept capabilities into kproc's table at their slots; a
 * reference given is no longer closed by keep_clear (it goes with kproc's
 * process if that fails: the server sees its badge go). */
static err_t keep_give(cap_t kproc, struct keep *k, unsigned n, unsigned rights)
{
	err_t e;

	for (unsigned i = 0; i < n; i++) {
		if (k[i].close)
			continue;
		if ((e = grant(kproc, k[i].mine, k[i].dst, rights, k[i].badge)))
			return e;
		k[i].ref = false;
	}
	return ERR_OK;
}

err_t image_build(struct image *im)
{
	struct cairn_msg m;
	cap_t mo = CAP_NULL;
	void *va;
	err_t e;

	e = new_process(im->name, im->pool, im->quota, &im->kproc, &im->kas, &im->kthread);
	if (e)
		return e;
	e = cairn_invoke_cap(im->kproc, PROC_LOAD_ELF, im->file, im->offset, im->size, 0, 0, &m);
	if (e) {
		if (e != ERR_NOMEM)
			e = ERR_NOEXEC;         /* whatever the loader refused */
		goto fail;
	}
	im->entry = m.w[0];
	/* stack, IPC buffer, start-up block (charged to the new process; the
	 * mappings and the thread hold them, so our capabilities can go) */
	if (!im->stack_pages)
		im->stack_pages = POSIX_STACK_PAGES;
	if ((e = child_memory(im->kproc, im->kas, im->stack_pages,
			      CAIRN_STACK_TOP - im->stack_pages * CAIRN_PAGE_SIZE,
			      CAIRN_PROT_R | CAIRN_PROT_W, &mo)))
		goto fail;
	del(&mo);
	if ((e = child_memory(im->kproc, im->kas, 1, CAIRN_IPCBUF_VA, CAIRN_PROT_R | CAIRN_PROT_W,
			      &mo)))
		goto fail;
	e = cairn_invoke_cap(im->kthread, THREAD_SET_IPCBUF, mo, 0, CAIRN_IPCBUF_VA, 0, 0, NULL);
	del(&mo);
	if (e)
		goto fail;
	/* the start-up block: one page, or as many as a long one needs */
	uint64_t pages = (im->block->len + CAIRN_PAGE_SIZE - 1) / CAIRN_PAGE_SIZE;
	if (!pages)
		pages = 1;
	if ((e = cairn_memobj_create(im->kproc, pages, 0, &mo)))
		goto fail;
	if ((e = cairn_map(mo, 0, pages, CAIRN_PROT_R | CAIRN_PROT_W, &va))) {
		del(&mo);
		goto fail;
	}
	memcpy(va, im->block->buf, im->block->len);
	cairn_unmap(va, pages);
	e = cairn_as_map(im->kas, mo, CAIRN_STARTUP_VA, 0, pages, CAIRN_PROT_R | CAIRN_PROT_W);
	del(&mo);
	if (e)
		goto fail;
	/* capabilities: "proc", then the ones kept */
	if ((e = grant_proc_cap(im->kproc, im->proc_slot, im->pid)))
		goto fail;
	if (im->cred_cap != CAP_NULL && im->cred_slot != CAP_NULL &&
	    (e = grant(im->kproc, im->cred_cap, im->cred_slot, RIGHT_WRITE, 0)))
		goto fail;
	if ((e = keep_give(im->kproc, im->keep, im->nkeep, im->keep_rights)))
		goto fail;
	e = cairn_invoke_cap(im->kproc, PROC_BIND_EXIT, exit_note,
			     proc_bit(procs[im->pid % MAX_PROCS]), 0, 0, 0, NULL);
	if (e || (e = set_fault(im->kproc, im->pid)))
		goto fail;
	return ERR_OK;
fail:
	kproc_release(&im->kproc, &im->kas, &im->kthread);
	return e;
}

err_t image_start(struct image *im)
{
	err_t e = cairn_invoke(im->kthread, THREAD_START, 0, im->entry, CAIRN_STACK_TOP,
			       CAIRN_STARTUP_VA, child_prio, NULL);

	if (e)
		kproc_release(&im->kproc, &im->kas, &im->kthread);
	return e;
}

/* ---- CPUs ------------------------------------------------------------------------------------ */

/* A new main thread (fork's child, exec's image) runs where the one it
 * comes from may: Linux keeps the mask across fork and exec. */
static void copy_affinity(cap_t from, cap_t to)
{
	struct cairn_msg m;

	if (!cairn_invoke(from, THREAD_GET_AFFINITY, 0, 0, 0, 0, 0, &m))
		cairn_invoke(to, THREAD_SET_AFFINITY, 0, m.w[0], 0, 0, 0, NULL);
}

err_t ps_affinity(struct proc *c, int64_t pid, uint64_t set, uint64_t mask, uint64_t *out)
{
	struct proc *t = pid > 0 && pid <= PID_MAX ? proc_find((int)pid) : NULL;
	struct cairn_msg m;
	err_t e;

	if (!t || t->state != P_LIVE || t->kthread == CAP_NULL)
		return ERR_SRCH;
	if (set) {
		if (set != 1)
			return ERR_INVAL;
		if (!c || (c->euid != 0 && c->euid != t->ruid && c->euid != t->euid))
			return ERR_PERM;
		if ((e = cairn_invoke(t->kthread, THREAD_SET_AFFINITY, 0, mask, 0, 0, 0, NULL)))
			return e;
	}
	if ((e = cairn_invoke(t->kthread, THREAD_GET_AFFINITY, 0, 0, 0, 0, 0, &m)))
		return e;
	*out = m.w[0];
	return ERR_OK;
}

/* ---- scheduling ------------------------------------------------------------------------------ */

/* POSIX policies on the kernel's priorities (docs/proc.md, Scheduling):
 * SCHED_OTHER and SCHED_BATCH at the children's priority (8), SCHED_IDLE
 * at 1, SCHED_FIFO and SCHED_RR priority p (1..99) at 8 + p: above every
 * ordinary thread, below the drivers and the services. The thread's
 * ceiling is its priority or the children's, whichever is higher, so it
 * may start threads at its own priority and go down to the children's
 * and back by itself; higher needs this server again. */
static bool sched_rt(unsigned policy)
{
	return policy == POSIX_SCHED_FIFO || policy == POSIX_SCHED_RR;
}

err_t sched_apply(cap_t kthread, const struct sthread *t)
{
	unsigned k = sched_rt(t->policy) ? child_prio + t->rtprio :
		     t->policy == POSIX_SCHED_IDLE ? 1 : child_prio;
	unsigned ceiling = k > child_prio ? k : child_prio;

	return cairn_invoke(kthread, THREAD_SET_PRIORITY, 0, k, ceiling,
			    THREAD_PRIO_CEILING | (t->policy == POSIX_SCHED_FIFO ? THREAD_PRIO_FIFO : 0),
			    0, NULL);
}

/* w: (op, tid or pid, policy | POSIX_SCHED_RESET_ON_FORK, priority). op 0
 * reads, op 1 sets. The target is a thread of the caller (its tid, the
 * pid for the main one) or another process's main thread. */
err_t ps_sched(struct proc *c, const uint64_t w[4], uint64_t out[2])
{
	struct sthread *t = NULL, want;
	struct proc *o = c;
	unsigned policy = (unsigned)(w[2] & ~(uint64_t)POSIX_SCHED_RESET_ON_FORK);
	err_t e;

	if (!c)
		return ERR_PERM;
	if (w[0] > 1 || (int64_t)w[1] <= 0)
		return ERR_INVAL;
	if (w[1] <= INT32_MAX)
		t = sthread_find(c, w[1]);
	if (!t) {
		o = w[1] <= PID_MAX ? proc_find((int)w[1]) : NULL;
		if (!o || o->state != P_LIVE || o->kthread == CAP_NULL)
			return ERR_SRCH;
		t = sthread_find(o, 0);
	}
	if (w[0] == 1) {
		if (w[2] & ~(uint64_t)(POSIX_SCHED_RESET_ON_FORK | 0xff))
			return ERR_INVAL;
		switch (policy) {
		case POSIX_SCHED_FIFO: case POSIX_SCHED_RR:
			if (w[3] < 1 || w[3] > POSIX_SCHED_RT_MAX)
				return ERR_INVAL;
			break;
		case POSIX_SCHED_OTHER: case POSIX_SCHED_BATCH: case POSIX_SCHED_IDLE:
			if (w[3] != 0)
				return ERR_INVAL;
			break;
		default:
			return ERR_INVAL;
		}
		if (o != c && c->euid != 0 && c->euid != o->ruid && c->euid != o->euid)
			return ERR_PERM;
		/* real-time: uid 0 (Linux's CAP_SYS_NICE; RLIMIT_RTPRIO is 0), or
		 * a real-time thread going down within real time */
		if (sched_rt(policy) && c->euid != 0 &&
		    !(sched_rt(t->policy) && w[3] <= t->rtprio))
			return ERR_PERM;
		want = *t;
		want.policy = (uint8_t)policy;
		want.rtprio = (uint8_t)w[3];
		want.reset_on_fork = (w[2] & POSIX_SCHED_RESET_ON_FORK) != 0;
		if ((e = sched_apply(t == &o->main ? o->kthread : t->kthread, &want)))
			return e == ERR_PERM ? ERR_PERM : ERR_SRCH;
		t->policy = want.policy;
		t->rtprio = want.rtprio;
		t->reset_on_fork = want.reset_on_fork;
	}
	out[0] = t->policy | (t->reset_on_fork ? POSIX_SCHED_RESET_ON_FORK : 0);
	out[1] = t->rtprio;
	return ERR_OK;
}

/* ---- fork ------------------------------------------------------------------------------------ */

static err_t fork_do(struct proc *parent, const uint64_t w[4], uint32_t tid, uint64_t *child_pid)
{
	struct sthread *t = sthread_find(parent, tid);
	struct proc *c;

	if (!t)
		return ERR_SRCH;
	c = proc_alloc();
	cap_t kproc, kas, kthread, mo = CAP_NULL;
	err_t e;

	if (!c)
		return ERR_AGAIN;
	if (!pool_room(parent->pool)) {
		proc_free(c);
		return ERR_AGAIN;
	}
	e = new_process(parent->name, parent->pool, parent->quota, &kproc, &kas, &kthread);
	if (e) {
		proc_free(c);
		return e;
	}
	/* "proc" and the references staged for the child (PS_EXEC_KEEP: each
	 * descriptor's own, at its slot) first: PROC_COPY_CAPS leaves the
	 * slots already used alone */
	cred_copy(c, parent);
	if ((e = grant_proc_cap(kproc, parent->proc_slot, c->pid)) ||
	    (e = cred_new(c, kproc)) ||
	    (e = keep_give(kproc, parent->keep, parent->nkeep, RIGHTS_ALL)) ||
	    (e = cairn_invoke_cap(kproc, PROC_COPY_CAPS, parent->kproc, 0, 0, 0, 0, NULL)) ||
	    (e = cairn_invoke_cap(kas, AS_COPY, parent->kas, 0, 0, 0, 0, NULL)))
		goto fail;
	/* a fresh IPC buffer page for its thread, where the parent's was */
	if ((e = cairn_as_unmap(kas, CAIRN_IPCBUF_VA, CAIRN_PAGE_SIZE)) ||
	    (e = child_memory(kproc, kas, 1, CAIRN_IPCBUF_VA, CAIRN_PROT_R | CAIRN_PROT_W, &mo)))
		goto fail;
	e = cairn_invoke_cap(kthread, THREAD_SET_IPCBUF, mo, 0, CAIRN_IPCBUF_VA, 0, 0, NULL);
	del(&mo);
	if (e)
		goto fail;
	if ((e = cairn_invoke(kthread, THREAD_SET_TLS, 0, w[3], 0, 0, 0, NULL)) ||
	    (e = cairn_invoke_cap(kproc, PROC_BIND_EXIT, exit_note, proc_bit(c), 0, 0, 0, NULL)) ||
	    (e = set_fault(kproc, c->pid)))
		goto fail;

	c->state = P_LIVE;
	c->ppid = parent->pid;
	c->pgid = parent->pgid;
	c->sid = parent->sid;
	memcpy(c->name, parent->name, sizeof(c->name));
	c->kproc = kproc;
	c->kas = kas;
	c->kthread = kthread;
	c->proc_slot = parent->proc_slot;
	c->quota = parent->quota;
	c->pool = parent->pool;
	pool_get(c->pool);
	c->umask = parent->umask;
	memcpy(c->rlim, parent->rlim, sizeof(c->rlim));
	c->stack_low = parent->stack_low;     /* (the space is a copy) */
	c->ucopy_lo = parent->ucopy_lo;
	c->ucopy_hi = parent->ucopy_hi;
	c->ucopy_fixup = parent->ucopy_fixup;
	/* the forking thread's mask; forked inside a handler: so is the
	 * child (a child forked outside every handler ends what it
	 * inherits: POSIX_SIGRETURN_FORKED) */
	c->main.mask = t->mask;
	if (!t->reset_on_fork) {         /* the forking thread's scheduling, as Linux */
		c->main.policy = t->policy;
		c->main.rtprio = t->rtprio;
	}
	memcpy(c->main.deliv, t->deliv, sizeof(c->main.deliv));
	c->main.ndeliv = t->ndeliv;
	memcpy(c->act, parent->act, sizeof(c->act));
	c->start_ns = cairn_now_ns();
	cmdline_set(c, parent->cmdline, parent->cmdline_len);
	copy_affinity(parent->kthread, kthread);
	e = cairn_invoke(kthread, THREAD_START, 0, w[0], w[1], w[2], child_prio, NULL);
	if (!e && c->main.policy != POSIX_SCHED_OTHER)
		e = sched_apply(kthread, &c->main);
	if (e) {
		c->kproc = c->kas = c->kthread = CAP_NULL;
		goto fail;
	}
	*child_pid = (uint64_t)c->pid;
	procs_made++;
	return ERR_OK;
fail:
	kproc_release(&kproc, &kas, &kthread);
	cred_drop(c);
	proc_free(c);
	return e;
}

err_t ps_fork(struct proc *parent, const uint64_t w[4], uint32_t tid, uint64_t *child_pid)
{
	err_t e = fork_do(parent, w, tid, child_pid);

	keep_clear(parent);            /* what was staged and not given is closed */
	return e;
}

/* ---- exec ------------------------------------------------------------------------------------- */

/* Empties p's PS_EXEC_KEEP list; a reference staged and not given is
 * closed (IO_CLOSE through it, not waited for). */
static unsigned keep_total;           /* staged by all processes together */

void keep_clear(struct proc *p)
{
	keep_total -= p->nkeep;
	for (unsigned i = 0; i < p->nkeep; i++) {
		if (p->keep[i].ref)
			call_async(p->keep[i].mine, IO_CLOSE, 0);
		del(&p->keep[i].mine);
	}
	p->nkeep = 0;
}

/* p's staging array with room for n, or NULL (no memory). Each table
 * entry keeps its array for the processes after it. */
static struct keep *keep_room(struct proc *p, unsigned n)
{
	static struct keep *mem[MAX_PROCS];
	static unsigned room[MAX_PROCS];
	unsigned i = p->slot;

	if (n > room[i]) {
		unsigned want = n < 16 ? 16 : n * 2 > MAX_KEEP ? MAX_KEEP : n * 2;
		struct keep *k = realloc(mem[i], want * sizeof(*k));
		if (!k)
			return NULL;
		mem[i] = k;
		room[i] = want;
	}
	return p->keep = mem[i];
}

err_t ps_exec_keep(struct proc *p, const uint64_t w[4], const cap_t *caps, unsigned ncaps)
{
	if (!ncaps) {
		keep_clear(p);
		return ERR_OK;
	}
	/* the server's own table bounds what all processes together may stage */
	if (p->nkeep + ncaps > MAX_KEEP || keep_total + ncaps > MAX_KEEP_ALL)
		return ERR_2BIG;
	for (unsigned i = 0; i < ncaps; i++) {
		if ((w[i] & POSIX_KEEP_CLOSE) && (w[i] & POSIX_KEEP_REF))
			return ERR_INVAL;
		if (w[i] & POSIX_KEEP_CLOSE)
			continue;             /* closed, not kept: its slot does not matter */
		uint64_t slot = w[i] & ~POSIX_KEEP_REF;
		if (slot < SLOT_FIRST_FREE || slot >= CAP_SLOTS || slot == p->proc_slot ||
		    slot == p->cred_slot)
			return ERR_INVAL;
		for (unsigned j = 0; j < p->nkeep; j++)
			if (!p->keep[j].close && p->keep[j].dst == slot)
				return ERR_INVAL;
		for (unsigned j = 0; j < i; j++)
			if ((w[j] & ~POSIX_KEEP_REF) == slot)
				return ERR_INVAL;
	}
	if (!keep_room(p, p->nkeep + ncaps))
		return ERR_NOMEM;
	for (unsigned i = 0; i < ncaps; i++) {
		p->keep[p->nkeep].mine = caps[i];
		p->keep[p->nkeep].dst = w[i] & ~(POSIX_KEEP_CLOSE | POSIX_KEEP_REF);
		p->keep[p->nkeep].badge = 0;
		p->keep[p->nkeep].close = (w[i] & POSIX_KEEP_CLOSE) != 0;
		p->keep[p->nkeep].ref = (w[i] & POSIX_KEEP_REF) != 0;
		p->nkeep++;
		keep_total++;
	}
	return ERR_OK;
}

/* The next NUL-terminated string of data[*pos..len), or NULL. */
static const char *next_str(const char *data, size_t len, size_t *pos)
{
	const char *s = data + *pos;
	size_t n;

	if (*pos >= len)
		return NULL;
	n = strnlen(s, len - *pos);
	if (n == len - *pos)
		return NULL;
	*pos += n + 1;
	return s;
}

/* "name=slot" with a decimal slot: the slot, or CAP_NULL. */
static cap_t name_slot(const char *s)
{
	const char *eq = strchr(s, '=');
	uint64_t v = 0;

	if (!eq || eq == s || !eq[1])
		return CAP_NULL;
	for (const char *d = eq + 1; *d; d++) {
		if (*d < '0' || *d > '9' || v >= CAP_SLOTS)
			return CAP_NULL;
		v = v * 10 + (uint64_t)(*d - '0');
	}
	return v < CAP_SLOTS ? v : CAP_NULL;
}

static bool is_name(const char *s, const char *name)
{
	size_t n = strlen(name);

	return !strncmp(s, name, n) && s[n] == '=';
}

/* The program's name for the kernel: the last part of its path. */
static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s && s[1] ? s + 1 : path;
}

static err_t exec_in(struct proc *p, const uint64_t w[4], const char *data, size_t len, cap_t file,
		     struct block *bp);

err_t ps_exec(struct proc *p, const uint64_t w[4], const char *data, size_t len, cap_t file)
{
	/* the block: the strings, the names ("proc="), the kept values */
	static char small[4 * CAIRN_STARTUP_MAX];
	size_t need = len + CAIRN_STARTUP_MAX;
	struct block b = { NULL, 0, need < POSIX_STARTUP_MAX ? need : POSIX_STARTUP_MAX, false };
	struct temp t;
	err_t e;

	if (!(b.buf = temp_alloc(&t, b.max, small, sizeof(small))))
		return ERR_NOMEM;
	e = exec_in(p, w, data, len, file, &b);
	temp_free(&t);
	return e;
}

static err_t exec_in(struct proc *p, const uint64_t w[4], const char *data, size_t len, cap_t file,
		     struct block *bp)
{
	struct block b = *bp;
	uint64_t argc = w[1], envc = w[2], nnames = w[3], type[4];
	const char *argv0 = NULL, *path;
	size_t pos = 0, args_len;
	struct image im;
	err_t e;

	b.len = 0;
	b.overflow = false;
	if (file == CAP_NULL || cairn_cap_identify(file, type) || type[0] != OBJ_MEMOBJ)
		return ERR_INVAL;
	/* the ids it runs with: a set-uid or set-gid image's, when its file
	 * server said this very object is one (PS_EXEC_GRANT); the saved ids
	 * are the effective ones after every exec (POSIX) */
	bool granted = p->grant_flags && p->grant_image == type[3];
	uint32_t euid = granted && (p->grant_flags & POSIX_EXEC_SETUID) ? p->grant_uid : p->euid;
	uint32_t egid = granted && (p->grant_flags & POSIX_EXEC_SETGID) ? p->grant_gid : p->egid;
	p->grant_flags = 0;
	if (argc > POSIX_ARG_MAX || envc > POSIX_ARG_MAX || nnames > POSIX_ARG_MAX)
		return ERR_INVAL;
	block_addf(&b, "%lu", (unsigned long)argc);
	for (uint64_t i = 0; i < argc; i++) {
		const char *s = next_str(data, len, &pos);
		if (!s)
			return ERR_INVAL;
		if (!i)
			argv0 = s;
		block_add(&b, s);
	}
	args_len = pos;
	const char *env = data + pos;
	for (uint64_t i = 0; i < envc; i++)
		if (!next_str(data, len, &pos))
			return ERR_INVAL;
	for (uint64_t i = 0; i < nnames; i++) {
		const char *s = next_str(data, len, &pos);
		cap_t slot;
		bool kept = false;

		if (!s || (slot = name_slot(s)) == CAP_NULL)
			return ERR_INVAL;
		if (is_name(s, "proc") || is_name(s, "cred"))
			continue;                      /* the server's own */
		for (unsigned j = 0; j < p->nkeep; j++)
			kept |= !p->keep[j].close && p->keep[j].dst == slot;
		if (!kept)
			return ERR_INVAL;
		block_add(&b, s);
	}
	path = next_str(data, len, &pos);           /* optional: the path exec'd */
	block_addf(&b, "proc=%lu", (unsigned long)p->proc_slot);
	if (p->cred_cap != CAP_NULL && p->cred_slot != CAP_NULL)
		block_addf(&b, "cred=%lu", (unsigned long)p->cred_slot);
	block_add(&b, "");
	block_addf(&b, "%lu", (unsigned long)envc);
	pos = (size_t)(env - data);
	for (uint64_t i = 0; i < envc; i++)
		block_add(&b, next_str(data, len, &pos));
	block_add_kept(&b, p);
	block_finish(&b);
	if (b.overflow)
		return ERR_2BIG;

	memset(&im, 0, sizeof(im));
	im.file = file;
	im.offset = 0;
	im.size = w[0];
	im.block = &b;
	im.keep = p->keep;
	im.nkeep = p->nkeep;
	im.keep_rights = RIGHTS_ALL;
	im.proc_slot = p->proc_slot;
	im.cred_cap = p->cred_cap;
	im.cred_slot = p->cred_slot;
	im.pid = p->pid;
	im.pool = p->pool;
	im.quota = p->quota;
	im.name = path && *path ? base_name(path) : argv0 ? base_name(argv0) : p->name;
	im.stack_pages = stack_first_pages(p);
	/* new ids: a new token, the new image's; the old one stays the
	 * process's until the point of no return */
	bool ids_change = euid != p->euid || euid != p->suid || euid != p->fsuid ||
			  egid != p->egid || egid != p->sgid || egid != p->fsgid;
	cap_t token = CAP_NULL;
	uint64_t badge = 0;
	if (ids_change && p->cred_cap != CAP_NULL) {
		if ((e = cred_mint(&token, &badge)))
			return e;
		im.cred_cap = token;
	}
	if ((e = image_build(&im))) {
		if (token != CAP_NULL) {
			cairn_cap_op(CAP_OP_REVOKE, token, CAP_NULL, 0, 0, NULL);
			cairn_cap_delete(token);
		}
		return e;
	}
	copy_affinity(p->kthread, im.kthread);

	/* the point of no return: the old image goes, the new one starts, and
	 * its close-on-exec descriptors are closed */
	waits_drop(p);
	timers_free(p);             /* POSIX timers go; ITIMER_REAL stays (POSIX) */
	tsigs_drop(p);              /* the threads are gone */
	cpu_itimers_exec(p);        /* kept (POSIX), on the new image's clock */
	kproc_release(&p->kproc, &p->kas, &p->kthread);
	if (ids_change) {
		p->euid = p->suid = p->fsuid = euid;
		p->egid = p->sgid = p->fsgid = egid;
		if (token != CAP_NULL)
			cred_switch(p, token, badge);
	}
	for (unsigned i = 0; i < p->nkeep; i++)
		if (p->keep[i].close)
			call_async(p->keep[i].mine, IO_CLOSE, (uint64_t)p->pid);   /* its locks go */
	keep_clear(p);
	p->kproc = im.kproc;
	p->kas = im.kas;
	p->kthread = im.kthread;
	p->stack_low = CAIRN_STACK_TOP - im.stack_pages * CAIRN_PAGE_SIZE;
	p->ucopy_lo = p->ucopy_hi = p->ucopy_fixup = 0;   /* the new image says its own */
	memset(p->name, 0, sizeof(p->name));
	strlcpy(p->name, im.name, sizeof(p->name));
	cmdline_set(p, data, args_len);
	p->execed = true;
	sthreads_drop(p);             /* (their kernel Threads are gone) */
	p->main.ndeliv = 0;
	p->main.suspend_pending = false;
	p->main.kid = 0;              /* a new kernel Thread */
	p->stopped = p->suspend_pending = false;
	for (int s = 1; s <= NSIG_MAX; s++)
		if (p->act[s].disp == POSIX_SIG_HANDLE)
			p->act[s] = (struct sigact){ 0 };
	if (image_start(&im)) {
		p->kproc = p->kas = p->kthread = CAP_NULL;
		p->end_sig = POSIX_SIGKILL;
		proc_ended(p);
		return ERR_OK;
	}
	if (p->main.policy != POSIX_SCHED_OTHER)
		sched_apply(p->kthread, &p->main);   /* exec keeps the scheduling (Linux) */
	p->work = work_pending = true;        /* pending signals may be deliverable now */
	return ERR_OK;
}
