/* SPDX-License-Identifier: MIT */
/*
 * FIFOs (FS_FIFO, include/cairn/posix.h): a FIFO is a file of any file
 * server (tmpfs here, ext2) whose FS_OPEN answer says POSIX_OPEN_FIFO, its
 * st_dev and inode; its pipe lives here, as a pipe() pipe does (pipe.c),
 * one per (dev, inode) while it is open or being opened, and goes with its
 * last end (its bytes with it, as on Linux).
 *
 * Opening: O_RDONLY waits until a writer opens, O_WRONLY until a reader
 * (O_NONBLOCK: ENXIO with no reader), O_RDWR at once; an opener that
 * arrives lets every waiting one of the other side through. A waiting
 * open is a saved Reply; one whose caller went (a signal, killed) is
 * found out when its answer cannot be delivered, and its end closed.
 */
#include "internal.h"

struct opener {
	struct opener *next;
	cap_t reply;
	uint32_t flags;
};

struct fifo {
	struct fifo *next;
	uint64_t dev, ino;
	uint32_t perm;
	struct pipe *p;                   /* NULL while no end is open */
	struct opener *rq, *wq;           /* waiting O_RDONLY, O_WRONLY opens */
	bool busy;                        /* being worked on: not freed under us */
};

static struct fifo *fifos;
static unsigned nopeners;
#define OPENERS_MAX 64u               /* waiting opens (saved Replies) */

static void fifo_put(struct fifo *f)
{
	if (f->p || f->rq || f->wq || f->busy)
		return;
	for (struct fifo **pp = &fifos; *pp; pp = &(*pp)->next) {
		if (*pp == f) {
			*pp = f->next;
			break;
		}
	}
	tmpfs_free(f, sizeof(*f));
}

void fifo_pipe_freed(struct fifo *f)
{
	f->p = NULL;
	fifo_put(f);
}

/* A new end of f's pipe for an open with flags (made if need be). */
static err_t end_new(struct fifo *f, uint32_t flags, struct handle **out)
{
	unsigned acc = flags & LINUX_O_ACCMODE;
	struct handle *h;
	err_t e;

	if (!f->p) {
		if (!(f->p = pipe_new()))
			return ERR_NOMEM;
		f->p->fifo = f;
		f->p->ino = f->ino;
		f->p->dev = f->dev;
		f->p->perm = f->perm;
	}
	if ((e = handle_new(acc == LINUX_O_WRONLY ? H_PIPE_W : H_PIPE_R,
			    flags & (LINUX_O_ACCMODE | LINUX_O_NONBLOCK), &h))) {
		if (!f->p->readers && !f->p->writers) {
			struct pipe *p = f->p;     /* made for this end: nobody has it */
			p->fifo = NULL;
			f->p = NULL;
			pipe_discard(p);
		}
		return e;
	}
	h->pipe = f->p;
	h->both = acc == LINUX_O_RDWR;
	if (acc != LINUX_O_WRONLY)
		f->p->readers++;
	if (acc != LINUX_O_RDONLY)
		f->p->writers++;
	pipe_flags(h);
	*out = h;
	return ERR_OK;
}

/* Lets the waiting opens of q through. */
static void let_through(struct fifo *f, struct opener **q)
{
	f->busy = true;
	while (*q) {
		struct opener *o = *q;
		struct handle *h;
		uint32_t idx;
		cap_t c;
		err_t e;

		*q = o->next;
		nopeners--;
		if ((e = end_new(f, o->flags, &h))) {
			srv_answer_saved(o->reply, e, 0, 0, 0, 0, 0);
		} else if ((e = ref_mint(h, false, &c, &idx))) {
			srv_answer_saved(o->reply, e, 0, 0, 0, 0, 0);
			handle_free(h);
		} else {
			e = srv_answer_saved_caps(o->reply, ERR_OK, 0, 1, &c, TMPFS_S_IFIFO, 0, 0, 0);
			cairn_cap_delete(c);
			if (e)
				handle_free(handle_at(idx));   /* the opener is gone: its reference */
		}
		tmpfs_free(o, sizeof(*o));
	}
	if (f->p)
		pipe_pump(f->p, true);
	f->busy = false;
}

void fs_fifo(struct srv_req *r, struct srv_ans *a)
{
	uint32_t flags = (uint32_t)r->w[0], acc = flags & LINUX_O_ACCMODE;
	uint64_t ino = r->w[1], dev = r->w[2] & 0xffffffffu;
	struct fifo *f;
	struct handle *h;
	struct opener *o, **q;

	if ((r->w[0] >> 32) || (flags & ~(uint32_t)(LINUX_O_ACCMODE | LINUX_O_NONBLOCK)) || acc == 3 ||
	    (r->w[2] >> 44)) {
		a->err = ERR_INVAL;
		return;
	}
	for (f = fifos; f && (f->dev != dev || f->ino != ino); f = f->next)
		;
	if (!f) {
		if (!(f = tmpfs_alloc(sizeof(*f)))) {
			a->err = ERR_NOMEM;
			return;
		}
		memset(f, 0, sizeof(*f));
		f->dev = dev;
		f->ino = ino;
		f->next = fifos;
		fifos = f;
	}
	f->perm = (uint32_t)(r->w[2] >> 32) & 07777u;
	/* the other side's waiting opens go first (this one is their other
	 * side); those whose callers went are found out here, and count for
	 * nothing */
	if (acc != LINUX_O_WRONLY && f->wq)
		let_through(f, &f->wq);
	if (acc != LINUX_O_RDONLY && f->rq)
		let_through(f, &f->rq);
	if (acc == LINUX_O_RDWR || (flags & LINUX_O_NONBLOCK && acc == LINUX_O_RDONLY) ||
	    (acc == LINUX_O_RDONLY && f->p && f->p->writers) ||
	    (acc == LINUX_O_WRONLY && f->p && f->p->readers)) {
		if ((a->err = end_new(f, flags, &h))) {
			fifo_put(f);
			return;
		}
		f->busy = true;
		a->err = give(a, h);          /* (frees h on failure) */
		f->busy = false;
		if (a->err) {
			fifo_put(f);
			return;
		}
		a->w[0] = TMPFS_S_IFIFO;
		pipe_pump(f->p, true);
		fifo_put(f);
		return;
	}
	if (acc == LINUX_O_WRONLY && (flags & LINUX_O_NONBLOCK)) {
		a->err = ERR_NXIO;            /* no reader */
		fifo_put(f);
		return;
	}
	/* wait for the other side */
	if (nopeners >= OPENERS_MAX || !(o = tmpfs_alloc(sizeof(*o)))) {
		a->err = ERR_AGAIN;
		fifo_put(f);
		return;
	}
	if ((a->err = srv_save_reply(a, &o->reply))) {
		tmpfs_free(o, sizeof(*o));
		fifo_put(f);
		return;
	}
	o->flags = flags;
	o->next = NULL;
	for (q = acc == LINUX_O_RDONLY ? &f->rq : &f->wq; *q; q = &(*q)->next)
		;
	*q = o;
	nopeners++;
}
