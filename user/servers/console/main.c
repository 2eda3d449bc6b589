/* SPDX-License-Identifier: MIT */
/*
 * console: the console server. The machine's console, a tty with a line
 * discipline (ldisc.c) over a character device (dev.c), and up to MAX_PTY
 * pseudo-terminals (a slave tty with a line discipline of its own, whose
 * "device" is its master), served with the I/O protocol of
 * include/cairn/posix.h on the endpoint the manifest calls "tty"
 * (endpoint:console). See docs/console.md.
 *
 * Objects (by the badge a request arrives with):
 *   0, 1          the shared open description (1 is POSIX_TTY_SHARED):
 *                 every holder of the manifest's unbadged capability
 *                 (init's services) or of badge 1 (POSIX processes, from
 *                 the process server) shares it and its O_NONBLOCK, like
 *                 an inherited /dev/console; IO_DUP through them makes a
 *                 reference of its own, as below
 *   gen<<16 | i   an open description: of the console (made by TTY_OPEN),
 *                 of a pty's master or of a pty's slave (TTY_PTY_OPEN),
 *                 with its own O_NONBLOCK; this badge is its first
 *                 reference, and IO_DUP makes more, each a capability with
 *                 a badge of its own (gen<<16 | MAX_DESC + j, struct cref):
 *                 IO_CLOSE through a badge, or the death of its holder
 *                 (srv_watch; for the first reference a pty's only),
 *                 releases that reference once and revokes its copies, so
 *                 a holder can close only its own; the last one closes
 *                 the description
 *   POSIX_PTY_OPENER | n  /dev/ptmx (n = POSIX_PTY_PTMX) or /dev/pts/n as
 *                 the VFS hands them out: only TTY_PTY_OPEN, which makes
 *                 the description the opener then uses
 *   SRV_EVENT_BADGE  the server's own event thread: input arrived or the
 *                 VTIME timer fired (bits of the Notification in w0)
 *
 * The server runs the server skeleton's loop (<cairn/server.h>). Its
 * event thread is the skeleton's relay: it waits on the Notification that
 * the device's input (DEBUG_BIND_INPUT, or an IrqLine) and the Timer
 * signal, and turns each wake-up into a call on the endpoint, so the main
 * thread only ever waits in SYS_RECV. A read that must wait saves its
 * Reply (srv_save_reply) and joins the queue of readers, answered in order;
 * so does a write to a pty that finds no room at all (a short write is
 * answered at once).
 * ^C / ^\ / ^Z go to the process server as asynchronous PS_KILL calls
 * (a ring submission), so this server never waits for another one.
 *
 * Arguments: clients=N  exit once the shared description has been closed
 *                       N times (more than it was IO_DUP'd) and every
 *                       TTY_OPEN description is closed (tests); without
 *                       it the server runs for ever
 *            testhooks  allow TIOCSTI and TTY_CAPTURE
 *            prio=N     the event thread's priority (default 10, the
 *                       manifest's priority for the service)
 */
#include <stdlib.h>
#include <string.h>
#include <cairn/posix.h>
#include <cairn/server.h>
#include "console.h"

#define EV_INPUT      1ull
#define EV_TIMER      2ull
#define EV_GONE       4ull
#define MAX_DESC      256    /* open descriptions in all (the badge's low 16 bits) */
#define MAX_REFS      16384  /* references made by IO_DUP (low bits MAX_DESC + j) */
#define REF_BLOCK     256    /* ...in blocks made as they are needed */
#define MAX_CONS_DESC 62     /* of them the console's (TTY_OPEN) */
#define MAX_PTY       64
#define MAX_READERS   32
#define MAX_ARMS      32
#define MAX_WRITERS   4
#define PTY_MQ_SIZE   4096   /* a slave's output, for its master to read */
#define OUT_WORST     8      /* the most one byte becomes through OPOST (a tab, XTABS) */
#define RING_N        8

_Static_assert(sizeof(struct linux_termios) == LINUX_TERMIOS_SIZE, "struct termios layout");
_Static_assert(sizeof(struct linux_winsize) == LINUX_WINSIZE_SIZE, "struct winsize layout");

enum role { ROLE_CONSOLE, ROLE_MASTER, ROLE_SLAVE, ROLE_OPENER };

struct pty;

struct desc {
	bool used;
	uint8_t role;
	uint32_t refs, flags;
	uint64_t badge;
	cap_t cap;           /* the minted capability the clients' copies derive from */
	struct pty *pty;     /* a master's or a slave's */
	bool own_ref;        /* its own badge is still a reference (not closed) */
};

/* A reference of a description made by IO_DUP: a badge of its own. */
struct cref {
	bool used;
	uint64_t badge;
	cap_t cap;           /* minted with badge; the clients' copies derive from it */
	struct desc *d;
	uint64_t dbadge;     /* d's badge when made (d closed and reused: a dead reference) */
};

struct reader {
	cap_t reply;
	uint32_t max;
	uint64_t start;      /* when the read came (VTIME with VMIN 0) */
};

struct writer {
	cap_t reply;
	uint32_t n;
	char *buf;           /* the bytes, copied */
};

struct arm {
	cap_t note;
	uint64_t bits;
	uint32_t events;
};

/* What waits on one side of a tty: readers (in order), writers, poll arms. */
struct waits {
	struct reader readers[MAX_READERS];
	unsigned nreaders;
	struct writer writers[MAX_WRITERS];
	unsigned nwriters;
	struct arm arms[MAX_ARMS];
	unsigned narms;
};

/* A tty: the console, or a pty's slave. ld first: the line discipline's
 * struct tty * is the struct term *. */
struct term {
	struct tty ld;
	struct pty *pty;                 /* NULL: the console */
	struct waits w;
	cap_t proc;                      /* the session leader's "proc" (TIOCSCTTY) */
	int32_t pgid, sid;
	bool weak;                       /* the session's claim gives way (POSIX_TTY_CTTY_WEAK) */
};

struct pty {
	struct term s;                   /* the slave */
	struct waits m;                  /* the master's readers, writers, arms */
	unsigned index;
	bool locked;                     /* TIOCSPTLCK: the slave cannot be opened */
	bool master_open;                /* else hung up: slave reads end, writes fail */
	bool slave_opened;               /* once: then no slave open means EIO on the master */
	unsigned nslaves;                /* open slave descriptions */
	char mq[PTY_MQ_SIZE];
	unsigned mq_head, mq_count;
};

static struct term console;
static char console_capt[TTY_CAPT_SIZE];
static struct pty *ptys[MAX_PTY];
static struct desc descs[MAX_DESC], opener = { .used = true, .role = ROLE_OPENER };
static char req_data[POSIX_INLINE_MAX], ans_data[POSIX_INLINE_MAX], rd_buf[POSIX_INLINE_MAX];

static cap_t ep, notify, kinfo, proc_default, timer = CAP_NULL;
static bool testhooks, quit;
static uint32_t clients;             /* 0: run for ever */
static uint64_t next_gen = 1, timer_deadline;
static struct cref *cref_blocks[MAX_REFS / REF_BLOCK];
static struct cref *req_cref;         /* the reference a request came through, or NULL */
static struct cairn_ring_hdr *ring;
static bool ring_failed;

static void input(struct term *tm, const char *s, size_t n);

uint64_t tty_now(void)
{
	struct cairn_msg m;

	if (kinfo == CAP_NULL || cairn_invoke(kinfo, KINFO_TIME, 0, 0, 0, 0, 0, &m))
		return 0;
	return m.w[0];
}

static struct term *term_of(struct tty *t) { return (struct term *)t; }
static bool hung(const struct term *tm) { return tm->pty && !tm->pty->master_open; }
/* a pty's master whose slaves have all closed: reads end in EIO */
static bool other_closed(const struct pty *p) { return p->slave_opened && !p->nslaves; }

/* ---- signals through the process server (an asynchronous call on the ring) ---------------- */

static struct cairn_sqe *sqes(void) { return (struct cairn_sqe *)((char *)ring + CAIRN_RING_SQ_OFF); }
static struct cairn_cqe *cqes(void) { return (struct cairn_cqe *)(sqes() + ring->entries); }

static bool ring_setup(void)
{
	cap_t mo;
	void *va;
	err_t e;

	if (ring)
		return true;
	if (ring_failed)
		return false;
	if ((e = cairn_memobj_create(SLOT_SELF_PROC, 1, MEMOBJ_CONTIG, &mo)) ||
	    (e = cairn_map(mo, 0, 1, CAIRN_PROT_R | CAIRN_PROT_W, &va)) ||
	    (e = cairn_invoke_cap(SLOT_SELF_THREAD, THREAD_SET_RING, mo, RING_N, 0, 0, 0, NULL))) {
		printf("console: no ring for signals: %s\n", err_name(e));
		ring_failed = true;
		return false;
	}
	ring = va;
	return true;
}

static const char *sig_name(int sig)
{
	switch (sig) {
	case POSIX_SIGINT: return "SIGINT";
	case POSIX_SIGQUIT: return "SIGQUIT";
	case POSIX_SIGTSTP: return "SIGTSTP";
	case POSIX_SIGHUP: return "SIGHUP";
	case POSIX_SIGCONT: return "SIGCONT";
	default: return "a signal";
	}
}

/* Takes the process server's answers; submits what waits. */
static void ring_pump(void)
{
	if (!ring)
		return;
	while (ring->cq_head != __atomic_load_n(&ring->cq_tail, __ATOMIC_ACQUIRE)) {
		struct cairn_cqe c = cqes()[ring->cq_head & (ring->entries - 1)];
		__atomic_store_n(&ring->cq_head, ring->cq_head + 1, __ATOMIC_RELEASE);
		err_t e = c.err ? (err_t)c.err : (err_t)cairn_tag_label(c.tag);
		int sig = (int)c.user_data;
		/* a hangup's group may have ended already: not news */
		if (e && !(e == ERR_SRCH && (sig == POSIX_SIGHUP || sig == POSIX_SIGCONT)))
			printf("console: %s to the foreground process group failed: %s\n",
			       sig_name(sig), err_name(e));
	}
	uint32_t pending = ring->sq_tail - ring->sq_head;
	if (pending)
		cairn_enter(pending, 0, 0, NULL, NULL);
}

static bool ring_idle(void) { return !ring || ring->sq_tail == ring->sq_head; }

/* sig to process group pgid of tm's session (PS_KILL on the ring). */
static void group_signal(struct term *tm, int32_t pgid, int sig)
{
	cap_t proc = tm->proc != CAP_NULL ? tm->proc : proc_default;

	if (pgid <= 0) {
		if (!tm->pty)
			printf("console: %s: no foreground process group\n", sig_name(sig));
		return;
	}
	if (proc == CAP_NULL) {
		printf("console: %s for process group %d: no process server\n", sig_name(sig),
		       (int)pgid);
		return;
	}
	if (!ring_setup())
		return;
	ring_pump();
	uint32_t t = ring->sq_tail;
	if (t - ring->sq_head >= ring->entries) {
		printf("console: %s for process group %d dropped: too many signals waiting\n",
		       sig_name(sig), (int)pgid);
		return;
	}
	struct cairn_sqe *s = &sqes()[t & (ring->entries - 1)];
	s->cap = proc;
	s->tag = cairn_tag(PS_KILL, CAIRN_MSG_REGS, 0);
	s->w[0] = (uint64_t)-(int64_t)pgid;
	s->w[1] = (uint64_t)sig;
	s->w[2] = POSIX_KILL_PGRP;      /* -pgid is a group, even group 1 */
	s->w[3] = 0;
	s->user_data = (uint64_t)sig;
	s->flags = 0;
	__atomic_store_n(&ring->sq_tail, t + 1, __ATOMIC_RELEASE);
	ring_pump();
}

/* ^C, ^\ and ^Z: to the foreground process group. */
void tty_signal(struct tty *t, int sig)
{
	struct term *tm = term_of(t);

	group_signal(tm, tm->pgid, sig);
}

/* The session gives the tty up: its leader's "proc" goes, unless a signal
 * on the ring still names it. */
static void term_no_session(struct term *tm)
{
	tm->sid = tm->pgid = 0;
	tm->weak = false;
	if (tm->proc != CAP_NULL && ring_idle()) {
		cairn_cap_delete(tm->proc);
		tm->proc = CAP_NULL;
	}
}

/* ---- a pty's master queue: what the slave wrote (post-processed) --------------------------- */

static unsigned mq_free(const struct pty *p) { return PTY_MQ_SIZE - p->mq_count; }

static void mq_put(struct pty *p, const char *s, size_t n)
{
	if (n > mq_free(p))
		n = mq_free(p);              /* echo with the master not reading: dropped */
	for (size_t i = 0; i < n; i++)
		p->mq[(p->mq_head + p->mq_count++) % PTY_MQ_SIZE] = s[i];
}

static size_t mq_peek(const struct pty *p, char *buf, size_t max)
{
	size_t n = p->mq_count < max ? p->mq_count : max;

	for (size_t i = 0; i < n; i++)
		buf[i] = p->mq[(p->mq_head + i) % PTY_MQ_SIZE];
	return n;
}

static void mq_consume(struct pty *p, size_t n)
{
	p->mq_head = (unsigned)((p->mq_head + n) % PTY_MQ_SIZE);
	p->mq_count -= (unsigned)n;
}

void tty_output(struct tty *t, const char *s, size_t n)
{
	struct term *tm = term_of(t);

	if (!tm->pty)
		dev_write(s, n);
	else if (tm->pty->master_open)
		mq_put(tm->pty, s, n);
}

/* A slave's write: as many bytes as the master's queue has room for once
 * post-processed; the count taken. */
static size_t slave_put(struct pty *p, const char *s, size_t n)
{
	struct tty *t = &p->s.ld;
	size_t i;

	for (i = 0; i < n; i++) {
		if (mq_free(p) < t->ob_len + OUT_WORST) {
			ldisc_flush_out(t);
			if (mq_free(p) < OUT_WORST)
				break;
		}
		ldisc_write(t, s + i, 1);
	}
	ldisc_flush_out(t);
	return i;
}

/* Room in a slave's input for bytes from the master (Linux's receive
 * room): in canonical mode one byte is kept for a line's end, and a line
 * that fills the queue takes whatever comes (and drops it, but a newline)
 * rather than stop the master for ever. */
static size_t in_room(const struct tty *t)
{
	unsigned used = t->rq_count + t->ed_len;

	if (!tty_canon(t))
		return TTY_RQ_SIZE - t->rq_count;
	if (t->nlines == TTY_MAX_LINES)
		return 0;
	if (used + 1 < TTY_RQ_SIZE)
		return TTY_RQ_SIZE - 1 - used;
	return t->nlines ? 0 : SIZE_MAX;
}

static size_t master_put(struct pty *p, const char *s, size_t n)
{
	size_t k = in_room(&p->s.ld);

	if (k > n)
		k = n;
	input(&p->s, s, k);
	return k;
}

/* ---- readers ------------------------------------------------------------------------------- */

/* A read of tm of at most max bytes that came at `start` may be answered
 * now; if not and a VTIME timer decides, *deadline is when. */
static bool read_ready(const struct term *tm, uint32_t max, uint64_t start, uint64_t *deadline)
{
	const struct tty *t = &tm->ld;

	if (hung(tm))
		return true;                 /* end of file */
	if (tty_canon(t))
		return t->nlines > 0;
	unsigned min = t->t.c_cc[LINUX_VMIN], avail = t->rq_count;
	uint64_t time = t->t.c_cc[LINUX_VTIME] * 100000000ull;
	unsigned want = min < max ? min : max;

	if (!time)
		return avail >= want;
	if (!min) {
		if (avail)
			return true;
		if (tty_now() >= start + time)
			return true;
		*deadline = start + time;
		return false;
	}
	if (avail >= want)
		return true;
	if (avail) {
		/* the inter-byte timer runs from the last byte, or from the read
		 * if the bytes were there before it */
		uint64_t since = t->last_input_ns > start ? t->last_input_ns : start;
		if (tty_now() >= since + time)
			return true;
		*deadline = since + time;
	}
	return false;
}

/* What a read of tm takes now (into buf): the byte count; 0 at end of
 * file (a hung-up slave's too). */
static size_t term_take(struct term *tm, char *buf, size_t max, bool *eof)
{
	if (hung(tm)) {
		*eof = false;
		return 0;
	}
	return ldisc_peek(&tm->ld, buf, max, eof);
}

static void reader_pop(struct waits *w)
{
	memmove(&w->readers[0], &w->readers[1], --w->nreaders * sizeof(w->readers[0]));
}

/* Answers tm's readers that can be answered, in order; *deadline: the
 * earliest VTIME timer wanted. */
static void serve_readers(struct term *tm, uint64_t *deadline)
{
	struct waits *w = &tm->w;

	while (w->nreaders) {
		struct reader *r = &w->readers[0];
		uint64_t dl = 0;
		bool eof;
		size_t n;

		if (!read_ready(tm, r->max, r->start, &dl)) {
			if (dl && (!*deadline || dl < *deadline))
				*deadline = dl;
			break;
		}
		n = term_take(tm, rd_buf, r->max, &eof);
		memcpy(&cairn_ipcbuf()->w[CAIRN_MSG_REGS], rd_buf, n);
		if (!srv_answer_saved(r->reply, 0, n, n, 0, 0, 0) && !hung(tm))
			ldisc_consume(&tm->ld, n, eof);   /* else the reader is gone: the next one gets it */
		reader_pop(w);
	}
}

/* A pty master's readers: what the slave wrote, then EIO once no slave is open. */
static void serve_master_readers(struct pty *p)
{
	struct waits *w = &p->m;

	while (w->nreaders) {
		struct reader *r = &w->readers[0];
		size_t n;

		if (p->mq_count) {
			n = mq_peek(p, rd_buf, r->max);
			memcpy(&cairn_ipcbuf()->w[CAIRN_MSG_REGS], rd_buf, n);
			if (!srv_answer_saved(r->reply, 0, n, n, 0, 0, 0))
				mq_consume(p, n);
		} else if (other_closed(p) || !p->master_open) {
			srv_answer_saved(r->reply, ERR_IO, 0, 0, 0, 0, 0);
		} else {
			break;
		}
		reader_pop(w);
	}
}

/* A read that must wait joins w's queue (the Reply saved). */
static void reader_wait(struct waits *w, struct srv_ans *a, uint32_t max, uint64_t start)
{
	cap_t reply;

	if (w->nreaders == MAX_READERS) {
		a->err = ERR_AGAIN;
		return;
	}
	if (srv_save_reply(a, &reply)) {
		a->err = ERR_NOMEM;
		return;
	}
	w->readers[w->nreaders++] = (struct reader){ .reply = reply, .max = max, .start = start };
}

/* ---- writers that found no room (a pty's two sides) ------------------------------------------ */

static void writer_wait(struct waits *w, struct srv_ans *a, const char *s, size_t n)
{
	struct writer *wr;
	cap_t reply;

	if (w->nwriters == MAX_WRITERS) {
		a->err = ERR_AGAIN;
		return;
	}
	wr = &w->writers[w->nwriters];
	if (!(wr->buf = malloc(n))) {
		a->err = ERR_NOMEM;
		return;
	}
	if (srv_save_reply(a, &reply)) {
		free(wr->buf);
		a->err = ERR_NOMEM;
		return;
	}
	memcpy(wr->buf, s, n);
	wr->reply = reply;
	wr->n = (uint32_t)n;
	w->nwriters++;
}

static void writer_pop(struct waits *w, err_t err, uint64_t done)
{
	srv_answer_saved(w->writers[0].reply, err, 0, done, 0, 0, 0);
	free(w->writers[0].buf);
	memmove(&w->writers[0], &w->writers[1], --w->nwriters * sizeof(w->writers[0]));
}

/* The waiting writers of a pty, in order, each answered with what it got
 * in once anything fits (a short write, as a signal would make). */
static void serve_writers(struct pty *p)
{
	size_t k;

	while (p->s.w.nwriters) {
		if (!p->master_open) {
			writer_pop(&p->s.w, ERR_IO, 0);
			continue;
		}
		if (!(k = slave_put(p, p->s.w.writers[0].buf, p->s.w.writers[0].n)))
			break;
		writer_pop(&p->s.w, 0, k);
	}
	while (p->m.nwriters) {
		if (other_closed(p) || !p->master_open) {
			writer_pop(&p->m, ERR_IO, 0);
			continue;
		}
		if (!(k = master_put(p, p->m.writers[0].buf, p->m.writers[0].n)))
			break;
		writer_pop(&p->m, 0, k);
	}
}

/* ---- poll ------------------------------------------------------------------------------------ */

#define EV_IN  (LINUX_POLLIN | LINUX_POLLRDNORM)
#define EV_OUT (LINUX_POLLOUT | LINUX_POLLWRNORM)

static uint32_t term_events(const struct term *tm)
{
	uint32_t ev = 0;

	if (hung(tm))
		return EV_IN | EV_OUT | LINUX_POLLHUP;
	if (!tm->pty || mq_free(tm->pty) >= tm->ld.ob_len + OUT_WORST)
		ev |= EV_OUT;
	if (ldisc_readable(&tm->ld, true))
		ev |= EV_IN;
	return ev;
}

static uint32_t master_events(const struct pty *p)
{
	uint32_t ev = 0;

	if (p->mq_count)
		ev |= EV_IN;
	if (other_closed(p))
		return ev | EV_IN | LINUX_POLLHUP;
	if (in_room(&p->s.ld))
		ev |= EV_OUT;
	return ev;
}

static void disarm(struct waits *w, unsigned i, bool signal)
{
	if (signal)
		cairn_invoke(w->arms[i].note, NOTIFY_SIGNAL, 0, w->arms[i].bits, 0, 0, 0, NULL);
	cairn_cap_delete(w->arms[i].note);
	memmove(&w->arms[i], &w->arms[i + 1], (--w->narms - i) * sizeof(w->arms[0]));
}

static void check_arms(struct waits *w, uint32_t ready)
{
	for (unsigned i = 0; i < w->narms;) {
		if ((w->arms[i].events & ready) || (ready & LINUX_POLLHUP))
			disarm(w, i, true);       /* a hangup is every poller's news */
		else
			i++;
	}
}

static void do_poll_arm(struct waits *w, uint32_t ready, struct srv_req *q, struct srv_ans *a)
{
	uint64_t id[3];

	if (!q->ncaps || q->caps[0] == CAP_NULL ||
	    cairn_cap_op(CAP_OP_IDENTIFY, q->caps[0], CAP_NULL, 0, 0, id) || id[0] != OBJ_NOTIFICATION ||
	    !(id[1] & RIGHT_WRITE)) {
		a->err = ERR_INVAL;
		return;
	}
	if ((ready & q->w[0]) || (ready & LINUX_POLLHUP)) {
		cairn_invoke(q->caps[0], NOTIFY_SIGNAL, 0, q->w[1], 0, 0, 0, NULL);
		return;
	}
	if (w->narms == MAX_ARMS)
		disarm(w, 0, true);      /* the oldest wakes (spuriously) and polls again */
	w->arms[w->narms++] = (struct arm){ .note = q->caps[0], .bits = q->w[1], .events = (uint32_t)q->w[0] };
	q->caps[0] = CAP_NULL;                    /* kept */
}

/* Everything that waits on w is answered (the object goes): readers and
 * writers with err, arms signalled. */
static void waits_drop(struct waits *w, err_t err)
{
	while (w->nreaders) {
		srv_answer_saved(w->readers[0].reply, err, 0, 0, 0, 0, 0);
		reader_pop(w);
	}
	while (w->nwriters)
		writer_pop(w, err, 0);
	while (w->narms)
		disarm(w, 0, true);
}

/* ---- open descriptions ------------------------------------------------------------------------ */

/* Reference j's entry, or NULL if its block was never made (no such
 * reference); make: the block is made, NULL when memory is out. */
static struct cref *cref_at(unsigned j, bool make)
{
	struct cref **b = &cref_blocks[j / REF_BLOCK];

	if (!*b && make)
		*b = calloc(REF_BLOCK, sizeof(**b));
	return *b ? &(*b)[j % REF_BLOCK] : NULL;
}

static struct desc *desc_of(uint64_t badge)
{
	unsigned i = badge & 0xffff;

	if (badge == 0 || badge == POSIX_TTY_SHARED)
		return &descs[0];
	if (badge & POSIX_PTY_OPENER)
		return (badge & ~(POSIX_PTY_OPENER | 0xffffull)) ? NULL : &opener;
	if (i >= MAX_DESC && i < MAX_DESC + MAX_REFS) {
		struct cref *c = cref_at(i - MAX_DESC, false);
		if (!c || !c->used || c->badge != badge || !c->d->used || c->d->badge != c->dbadge)
			return NULL;
		return c->d;
	}
	if (i < 2 || i >= MAX_DESC || !descs[i].used || descs[i].badge != badge || !descs[i].own_ref)
		return NULL;
	return &descs[i];
}

/* The IO_DUP reference badge names, or NULL. */
static struct cref *cref_of(uint64_t badge)
{
	unsigned i = badge & 0xffff;

	struct cref *c;

	if ((badge & POSIX_PTY_OPENER) || i < MAX_DESC || i >= MAX_DESC + MAX_REFS ||
	    !(c = cref_at(i - MAX_DESC, false)))
		return NULL;
	return c->used && c->badge == badge ? c : NULL;
}

static struct term *term_of_desc(struct desc *d)
{
	return d->role == ROLE_CONSOLE ? &console : &d->pty->s;
}

static err_t desc_open(enum role role, struct pty *p, uint32_t flags, struct desc **out)
{
	unsigned cons = 0, i, free_i = 0;
	uint64_t r[3];
	err_t e;

	for (i = 2; i < MAX_DESC; i++) {          /* 1 is POSIX_TTY_SHARED */
		if (!descs[i].used && !free_i)
			free_i = i;
		cons += descs[i].used && descs[i].role == ROLE_CONSOLE;
	}
	if (!free_i || (role == ROLE_CONSOLE && cons >= MAX_CONS_DESC))
		return ERR_NOSPC;                 /* ENFILE would be Linux's */
	struct desc *d = &descs[free_i];
	uint64_t badge = (next_gen++ & 0xffffffffffull) << 16 | free_i;
	if ((e = cairn_cap_op(CAP_OP_MINT, ep, CAP_NULL, RIGHT_WRITE | RIGHT_GRANT, badge, r)))
		return e;
	*d = (struct desc){ .used = true, .role = (uint8_t)role, .refs = 1,
			    .flags = flags & (LINUX_O_NONBLOCK | LINUX_O_APPEND), .badge = badge,
			    .cap = r[0], .pty = p, .own_ref = true };
	*out = d;
	return ERR_OK;
}

static bool any_open(void)
{
	for (unsigned i = 2; i < MAX_DESC; i++)
		if (descs[i].used)
			return true;
	return false;
}

/* ---- pseudo-terminals ---------------------------------------------------------------------- */

static err_t pty_new(struct pty **out)
{
	struct pty *p;
	unsigned i;

	for (i = 0; i < MAX_PTY && ptys[i]; i++)
		;
	if (i == MAX_PTY)
		return ERR_NOSPC;                 /* Linux's past /proc/sys/kernel/pty/max */
	if (!(p = calloc(1, sizeof(*p))))
		return ERR_NOMEM;
	ldisc_init(&p->s.ld);
	p->s.pty = p;
	p->s.proc = CAP_NULL;
	p->index = i;
	p->locked = true;
	p->master_open = true;
	ptys[i] = p;
	*out = p;
	return ERR_OK;
}

/* Once its master and every slave are closed. */
static void pty_free(struct pty *p)
{
	waits_drop(&p->s.w, ERR_IO);
	waits_drop(&p->m, ERR_IO);
	if (p->s.proc != CAP_NULL)
		cairn_cap_delete(p->s.proc);    /* (a signal still on the ring has its copy: sent) */
	ptys[p->index] = NULL;
	free(p);
}

/* The master's last close: a hangup. The slave's session's foreground
 * group, and its leader's group, get SIGHUP and SIGCONT (Linux's); its
 * reads end, its writes fail. */
static void pty_master_closed(struct pty *p)
{
	struct term *tm = &p->s;

	p->master_open = false;
	p->mq_count = 0;
	if (tm->sid) {
		group_signal(tm, tm->pgid, POSIX_SIGHUP);
		group_signal(tm, tm->pgid, POSIX_SIGCONT);
		if (tm->pgid != tm->sid) {
			group_signal(tm, tm->sid, POSIX_SIGHUP);
			group_signal(tm, tm->sid, POSIX_SIGCONT);
		}
	}
	waits_drop(&p->m, ERR_BADF);
	if (!p->nslaves)
		pty_free(p);
}

static void pty_slave_closed(struct pty *p)
{
	if (!p->master_open)
		pty_free(p);
	/* else the master's readers see EIO and its arms POLLHUP (after()) */
}

static void desc_close(struct desc *d)
{
	if (d == &descs[0]) {
		if (clients && d->refs && !--d->refs && !any_open())
			quit = true;
		return;
	}
	if (d->role == ROLE_OPENER || --d->refs)
		return;
	cairn_cap_op(CAP_OP_REVOKE, d->cap, CAP_NULL, 0, 0, NULL);
	cairn_cap_delete(d->cap);
	d->used = false;
	if (d->role == ROLE_MASTER)
		pty_master_closed(d->pty);
	else if (d->role == ROLE_SLAVE && !--d->pty->nslaves)
		pty_slave_closed(d->pty);
	if (clients && !descs[0].refs && !any_open())
		quit = true;
}

/* IO_DUP of description d (not an opener): a new reference, the answer's
 * capability. ENOSPC: no free reference. (The shared description's
 * references are counted only with clients=, as its badges' are.) */
static err_t cref_new(struct desc *d, struct srv_ans *a)
{
	static unsigned hint;
	uint64_t r[3];
	unsigned j, k;
	err_t e;

	struct cref *c = NULL;

	for (k = 0, j = hint; k < MAX_REFS && (c = cref_at(j, true)) && c->used; k++)
		j = (j + 1) % MAX_REFS;
	if (!c || k == MAX_REFS || d->refs == UINT32_MAX)
		return ERR_NOSPC;
	hint = (j + 1) % MAX_REFS;
	uint64_t badge = (next_gen++ & 0xffffffffffull) << 16 | (MAX_DESC + j);
	if ((e = cairn_cap_op(CAP_OP_MINT, ep, CAP_NULL, RIGHT_WRITE | RIGHT_GRANT, badge, r)))
		return e;
	*c = (struct cref){ .used = true, .badge = badge, .cap = r[0], .d = d, .dbadge = d->badge };
	if (d != &descs[0] || clients)
		d->refs++;
	a->caps[0] = r[0];
	a->made[0] = badge;
	a->ncaps = 1;
	return ERR_OK;
}

/* A reference goes: its copies are revoked, and its description loses one
 * (unless that closed already). */
static void cref_close(struct cref *c)
{
	bool live = c->d->used && c->d->badge == c->dbadge;

	cairn_cap_op(CAP_OP_REVOKE, c->cap, CAP_NULL, 0, 0, NULL);
	cairn_cap_delete(c->cap);
	c->used = false;
	if (live)
		desc_close(c->d);
}

/* The description's own badge goes as a reference (IO_CLOSE through it,
 * its holder died): its copies are revoked, later requests through it
 * are EBADF. */
static void own_close(struct desc *d)
{
	d->own_ref = false;
	cairn_cap_op(CAP_OP_REVOKE, d->cap, CAP_NULL, 0, 0, NULL);
	desc_close(d);
}

/* TTY_PTY_OPEN through /dev/ptmx's or /dev/pts/N's opener. */
static void pty_open(struct srv_req *q, struct srv_ans *a)
{
	unsigned n = q->badge & 0xffff;
	uint32_t flags = (uint32_t)q->w[0];
	struct desc *d;
	struct pty *p;
	err_t e;

	if (n == POSIX_PTY_PTMX) {
		if ((e = pty_new(&p))) {
			a->err = e;
			return;
		}
		if ((e = desc_open(ROLE_MASTER, p, flags, &d))) {
			pty_free(p);
			a->err = e;
			return;
		}
	} else {
		if (n >= MAX_PTY || !(p = ptys[n])) {
			a->err = ERR_NOENT;
			return;
		}
		if (p->locked || !p->master_open) {
			a->err = ERR_IO;
			return;
		}
		if ((a->err = desc_open(ROLE_SLAVE, p, flags, &d)))
			return;
		p->nslaves++;
		p->slave_opened = true;
		/* a session leader's open makes a slave of no session its controlling terminal */
		if (!(flags & LINUX_O_NOCTTY) && q->w[1] && q->w[1] <= INT32_MAX && !p->s.sid) {
			p->s.sid = p->s.pgid = (int32_t)q->w[1];
			if (q->ncaps && q->caps[0] != CAP_NULL) {
				if (p->s.proc != CAP_NULL)
					cairn_cap_delete(p->s.proc);
				p->s.proc = q->caps[0];
				q->caps[0] = CAP_NULL;            /* kept */
			}
		}
	}
	a->caps[0] = d->cap;
	a->made[0] = (uintptr_t)d->badge;
	a->ncaps = 1;
	a->w[0] = p->index;
}

/* ---- requests ---------------------------------------------------------------------------------- */

static void put(struct srv_ans *a, const void *p, size_t n)
{
	memcpy(ans_data, p, n);
	a->nbytes = n;
	a->w[1] = n;
}

static void put_int(struct srv_ans *a, int32_t v)
{
	put(a, &v, sizeof(v));
}

static bool get_int(const struct srv_req *q, int32_t *v)
{
	if (q->nbytes < sizeof(*v))
		return false;
	memcpy(v, req_data, sizeof(*v));
	return true;
}

/* An ioctl of a tty (the console, a slave; a master's that are its slave's). */
static void term_ioctl(struct term *tm, struct srv_req *q, struct srv_ans *a, struct desc *d)
{
	struct tty *t = &tm->ld;
	uint64_t arg = q->w[1];
	struct linux_termios nt;
	struct linux_winsize ws;
	int32_t v;

	a->w[0] = 0;
	switch (q->w[0]) {
	case LINUX_TCGETS:
		put(a, &t->t, LINUX_TERMIOS_SIZE);
		return;
	case LINUX_TCSETS:
	case LINUX_TCSETSW:
	case LINUX_TCSETSF:
		if (q->nbytes < LINUX_TERMIOS_SIZE) {
			a->err = ERR_INVAL;
			return;
		}
		memcpy(&nt, req_data, LINUX_TERMIOS_SIZE);
		if (q->w[0] == LINUX_TCSETSF)
			ldisc_flush_input(t);
		ldisc_set_termios(t, &nt);
		return;
	case LINUX_TIOCGWINSZ:
		put(a, &t->ws, LINUX_WINSIZE_SIZE);
		return;
	case LINUX_TIOCSWINSZ:
		if (q->nbytes < LINUX_WINSIZE_SIZE) {
			a->err = ERR_INVAL;
			return;
		}
		memcpy(&ws, req_data, LINUX_WINSIZE_SIZE);
		t->ws = ws;
		return;
	case LINUX_TIOCGPGRP:
		if (!tm->sid)
			a->err = LINUX_ENOTTY;
		else
			put_int(a, tm->pgid);
		return;
	case LINUX_TIOCSPGRP:
		if (!get_int(q, &v))
			a->err = ERR_INVAL;
		else if (!tm->sid)
			a->err = LINUX_ENOTTY;
		else if (v <= 0)
			a->err = ERR_INVAL;
		else
			tm->pgid = v;
		return;
	case LINUX_TIOCSCTTY:
		if ((int64_t)q->w[2] <= 0 || q->w[2] > INT32_MAX) {
			a->err = ERR_INVAL;
			return;
		}
		if (tm->sid && tm->sid != (int32_t)q->w[2] && !arg && !tm->weak) {
			a->err = ERR_PERM;
			return;
		}
		tm->sid = tm->pgid = (int32_t)q->w[2];
		tm->weak = q->w[3] & POSIX_TTY_CTTY_WEAK;
		if (q->ncaps && q->caps[0] != CAP_NULL) {
			if (tm->proc != CAP_NULL)
				cairn_cap_delete(tm->proc);
			tm->proc = q->caps[0];
			q->caps[0] = CAP_NULL;            /* kept */
		}
		return;
	case LINUX_TIOCNOTTY:
		term_no_session(tm);
		return;
	case LINUX_TIOCGSID:
		if (!tm->sid)
			a->err = LINUX_ENOTTY;
		else
			put_int(a, tm->sid);
		return;
	case LINUX_FIONREAD:
		put_int(a, (int32_t)ldisc_inq(t));
		return;
	case LINUX_TIOCOUTQ:
		put_int(a, 0);      /* output is written at once */
		return;
	case LINUX_FIONBIO:
		if (!get_int(q, &v))
			a->err = ERR_INVAL;
		else if (v)
			d->flags |= LINUX_O_NONBLOCK;
		else
			d->flags &= ~(uint32_t)LINUX_O_NONBLOCK;
		return;
	case LINUX_TCFLSH:
		if (arg > LINUX_TCIOFLUSH)
			a->err = ERR_INVAL;
		else if (arg != LINUX_TCOFLUSH)
			ldisc_flush_input(t);
		return;
	case LINUX_TCSBRK:
		return;             /* drain: output is written at once; a break is not sent */
	case LINUX_TCXONC:
		if (arg > 3)
			a->err = ERR_INVAL;
		return;
	case LINUX_TIOCSTI:
		if (!testhooks)
			a->err = ERR_PERM;
		else if (q->nbytes < 1)
			a->err = ERR_INVAL;
		else
			input(tm, req_data, 1);
		return;
	default:
		a->err = LINUX_ENOTTY;
		return;
	}
}

/* A pty master's ioctls: its own, and the slave's settings and size. */
static void master_ioctl(struct pty *p, struct srv_req *q, struct srv_ans *a, struct desc *d)
{
	int32_t v;

	a->w[0] = 0;
	switch (q->w[0]) {
	case LINUX_TIOCGPTN:
		put_int(a, (int32_t)p->index);
		return;
	case LINUX_TIOCSPTLCK:
		if (!get_int(q, &v))
			a->err = ERR_INVAL;
		else
			p->locked = v != 0;
		return;
	case LINUX_TIOCGPTLCK:
		put_int(a, p->locked);
		return;
	case LINUX_FIONREAD:
		put_int(a, (int32_t)p->mq_count);
		return;
	case LINUX_TCGETS: case LINUX_TCSETS: case LINUX_TCSETSW: case LINUX_TCSETSF:
	case LINUX_TIOCGWINSZ: case LINUX_TIOCSWINSZ: case LINUX_TIOCGPGRP: case LINUX_TIOCOUTQ:
	case LINUX_FIONBIO: case LINUX_TCFLSH: case LINUX_TCSBRK: case LINUX_TCXONC:
		term_ioctl(&p->s, q, a, d);
		return;
	default:
		a->err = LINUX_ENOTTY;
		return;
	}
}

static void term_read(struct term *tm, struct srv_req *q, struct srv_ans *a, struct desc *d)
{
	uint64_t max = q->w[0], deadline = 0, start = 0;
	struct tty *t = &tm->ld;
	bool eof;
	size_t n;

	if (max > POSIX_INLINE_MAX)
		max = POSIX_INLINE_MAX;
	if (!max) {
		a->w[0] = 0;
		return;
	}
	if (!tty_canon(t) && t->t.c_cc[LINUX_VTIME])
		start = tty_now();
	if (!tm->w.nreaders && (read_ready(tm, (uint32_t)max, start, &deadline) ||
				((d->flags & LINUX_O_NONBLOCK) && !tty_canon(t) && t->rq_count))) {
		n = term_take(tm, ans_data, max, &eof);
		if (!hung(tm))
			ldisc_consume(t, n, eof);
		a->w[0] = n;
		a->nbytes = n;
		return;
	}
	if (d->flags & LINUX_O_NONBLOCK) {
		a->err = ERR_AGAIN;
		return;
	}
	if (!start)
		start = tty_now();    /* for VTIME, should the tty turn non-canonical */
	reader_wait(&tm->w, a, (uint32_t)max, start);
}

static void master_read(struct pty *p, struct srv_req *q, struct srv_ans *a, struct desc *d)
{
	uint64_t max = q->w[0];
	size_t n;

	if (max > POSIX_INLINE_MAX)
		max = POSIX_INLINE_MAX;
	if (!max) {
		a->w[0] = 0;
		return;
	}
	if (!p->m.nreaders && p->mq_count) {
		n = mq_peek(p, ans_data, max);
		mq_consume(p, n);
		a->w[0] = n;
		a->nbytes = n;
	} else if (!p->m.nreaders && other_closed(p)) {
		a->err = ERR_IO;
	} else if (d->flags & LINUX_O_NONBLOCK) {
		a->err = ERR_AGAIN;
	} else {
		reader_wait(&p->m, a, (uint32_t)max, 0);
	}
}

/* A write to one side of a pty: what fits now, or waiting for room. */
static void pty_write(struct desc *d, struct srv_ans *a, size_t n)
{
	struct pty *p = d->pty;
	bool master = d->role == ROLE_MASTER;
	struct waits *w = master ? &p->m : &p->s.w;
	size_t k = 0;

	if (!n) {
		a->w[0] = 0;
		return;
	}
	if (master ? other_closed(p) : !p->master_open) {
		a->err = ERR_IO;
		return;
	}
	if (!w->nwriters)
		k = master ? master_put(p, req_data, n) : slave_put(p, req_data, n);
	if (k)
		a->w[0] = k;
	else if (d->flags & LINUX_O_NONBLOCK)
		a->err = ERR_AGAIN;
	else
		writer_wait(w, a, req_data, n);
}

/* TTY_SESSION_END: the session's leader ended; the console is free. */
static void session_end(struct srv_req *q, struct srv_ans *a)
{
	if (q->badge) {
		a->err = ERR_PERM;
		return;
	}
	if (!console.sid || (uint64_t)console.sid != q->w[0])
		return;
	if (console.pgid != console.sid) {
		group_signal(&console, console.pgid, POSIX_SIGHUP);
		group_signal(&console, console.pgid, POSIX_SIGCONT);
	}
	term_no_session(&console);
}

static void do_capture(struct srv_req *q, struct srv_ans *a)
{
	struct tty *t = &console.ld;

	if (!testhooks) {
		a->err = ERR_PERM;
		return;
	}
	ldisc_flush_out(t);
	switch (q->w[0]) {
	case 1:
		t->capture = true;
		t->capt_len = 0;
		a->w[0] = 0;
		return;
	case 0:
	case 2: {
		size_t n = t->capt_len < POSIX_INLINE_MAX ? t->capt_len : POSIX_INLINE_MAX;
		memcpy(ans_data, t->capt, n);
		memmove(t->capt, t->capt + n, t->capt_len - n);
		t->capt_len -= (unsigned)n;
		a->w[0] = n;
		a->nbytes = n;
		if (q->w[0] == 0)
			t->capture = false;
		return;
	}
	default:
		a->err = ERR_INVAL;
	}
}

static void do_stat(struct srv_ans *a, struct desc *d)
{
	struct posix_stat st;

	memset(&st, 0, sizeof(st));
	st.mode = LINUX_S_IFCHR | 0620;
	st.rdev = (5 << 8) | 1;
	st.ino = 1;
	if (d->role == ROLE_MASTER || d->role == ROLE_OPENER) {
		st.mode = LINUX_S_IFCHR | 0666;
		st.rdev = (5 << 8) | 2;
		st.ino = 2;
	}
	if (d->role == ROLE_SLAVE) {
		unsigned n = d->pty->index;
		st.rdev = (uint64_t)(136 + n / 256) << 8 | (n % 256);
		st.ino = 3 + n;
	}
	st.nlink = 1;
	st.blksize = 1024;
	put(a, &st, sizeof(st));
	a->w[0] = sizeof(st);
}

static void handle(struct srv_req *q, struct srv_ans *a)
{
	struct desc *d = q->obj;
	struct term *tm;

	if (d->role == ROLE_OPENER) {
		if (q->label == TTY_PTY_OPEN)
			pty_open(q, a);
		else if (q->label == IO_STAT)
			do_stat(a, d);
		else if (q->label != IO_CLOSE && q->label != IO_DUP)
			a->err = ERR_BADF;
		return;
	}
	tm = term_of_desc(d);
	switch (q->label) {
	case IO_READ:
		if (d->role == ROLE_MASTER)
			master_read(d->pty, q, a, d);
		else
			term_read(tm, q, a, d);
		return;
	case IO_WRITE:
		if (q->w[0] > q->nbytes) {
			a->err = ERR_INVAL;
			return;
		}
		if (d->role != ROLE_CONSOLE) {
			pty_write(d, a, q->w[0]);
			return;
		}
		ldisc_write(&console.ld, req_data, q->w[0]);
		a->w[0] = q->w[0];
		return;
	case IO_PREAD:
	case IO_PWRITE:
	case IO_SEEK:
		a->err = ERR_PIPE;       /* not seekable (ESPIPE) */
		return;
	case IO_STAT:
		do_stat(a, d);
		return;
	case IO_TRUNCATE:
	case IO_SYNC:
		a->err = ERR_INVAL;
		return;
	case IO_READDIR:
		a->err = ERR_NOTDIR;
		return;
	case IO_DUP:                    /* a description's: a reference of its own */
		if (d->role != ROLE_OPENER)
			a->err = cref_new(d, a);
		else if (d->refs == UINT32_MAX)
			a->err = ERR_NOSPC;
		else if (d != &descs[0] || clients)
			d->refs++;
		return;
	case IO_CLOSE:                  /* the reference it came through */
		if (req_cref)
			cref_close(req_cref);
		else if (d != &descs[0] && d->role != ROLE_OPENER)
			own_close(d);
		else
			desc_close(d);
		return;
	case IO_GETFL:
		a->w[0] = LINUX_O_RDWR | d->flags;
		return;
	case IO_SETFL:
		d->flags = (uint32_t)q->w[0] & (LINUX_O_NONBLOCK | LINUX_O_APPEND);
		return;
	case IO_IOCTL:
		if (d->role == ROLE_MASTER)
			master_ioctl(d->pty, q, a, d);
		else
			term_ioctl(tm, q, a, d);
		return;
	case IO_POLL:
		a->w[0] = (d->role == ROLE_MASTER ? master_events(d->pty) : term_events(tm)) &
			  (q->w[0] | LINUX_POLLERR | LINUX_POLLHUP | LINUX_POLLNVAL);
		return;
	case IO_POLL_ARM:
		if (d->role == ROLE_MASTER)
			do_poll_arm(&d->pty->m, master_events(d->pty), q, a);
		else
			do_poll_arm(&tm->w, term_events(tm), q, a);
		return;
	case TTY_OPEN: {
		struct desc *nd;
		if (d->role != ROLE_CONSOLE) {
			a->err = ERR_BADF;
			return;
		}
		if ((a->err = desc_open(ROLE_CONSOLE, NULL, (uint32_t)q->w[0], &nd)))
			return;
		a->caps[0] = nd->cap;
		a->made[0] = (uintptr_t)nd->badge;
		a->ncaps = 1;
		return;
	}
	case TTY_CAPTURE:
		do_capture(q, a);
		return;
	case TTY_SESSION_END:
		session_end(q, a);
		return;
	case TTY_PTY_OPEN:
		a->err = ERR_BADF;
		return;
	default:
		a->err = ERR_NOSYS;
		return;
	}
}

/* Input from the device, TIOCSTI, or a pty's master. */
static void input(struct term *tm, const char *s, size_t n)
{
	struct tty *t = &tm->ld;

	ldisc_input(t, s, n);
	if (n && !tty_canon(t) && t->t.c_cc[LINUX_VTIME])
		t->last_input_ns = tty_now();    /* VMIN/VTIME's inter-byte timer */
}

static void take_input(void)
{
	char buf[512];
	size_t n;

	while ((n = dev_read(buf, sizeof(buf))) > 0)
		input(&console, buf, n);
}

static void handle_event(uint64_t bits)
{
	if (bits & EV_TIMER)
		timer_deadline = 0;     /* it fired: a one-shot */
	if (bits & EV_INPUT)
		take_input();
}

/* A pty's description went with a dead process: as its IO_CLOSE. (The
 * console's are not counted so: the shared one is everyone's.) */
static void gone(uint64_t badge)
{
	struct cref *c = cref_of(badge);
	struct desc *d = desc_of(badge);

	if (c)
		cref_close(c);
	else if (d && (d->role == ROLE_MASTER || d->role == ROLE_SLAVE))
		own_close(d);
}

/* An answer with a new description that did not arrive: it closes. */
static void answered(struct srv_ans *a, err_t sent)
{
	struct desc *d;

	for (unsigned i = 0; i < a->ncaps; i++) {
		struct cref *c = sent ? cref_of(a->made[i]) : NULL;
		if (c)
			cref_close(c);
		else if (sent && (d = desc_of(a->made[i])) && d->role != ROLE_OPENER && d != &descs[0])
			own_close(d);
	}
}

static void set_timer(uint64_t deadline)
{
	struct cairn_msg m;

	if (deadline == timer_deadline)
		return;
	timer_deadline = deadline;
	if (!deadline) {
		if (timer != CAP_NULL)
			cairn_invoke(timer, TIMER_CANCEL, 0, 0, 0, 0, 0, NULL);
		return;
	}
	if (timer == CAP_NULL) {
		if (cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_TIMER, 0, 0, 0, &m)) {
			printf("console: no timer for VTIME\n");
			return;
		}
		timer = m.w[0];
	}
	cairn_invoke_cap(timer, TIMER_SET, notify, EV_TIMER, deadline, 0, 0, NULL);
}

/* ---- start-up and the loop ------------------------------------------------------------------ */

static unsigned long number(const char *s)
{
	unsigned long v = 0;

	while (*s >= '0' && *s <= '9')
		v = v * 10 + (unsigned long)(*s++ - '0');
	return v;
}

static void ops_after(void);

static const struct srv_op ops[] = {
	{ IO_READ, IO_PIPE_KICK, handle },
	{ TTY_OPEN, TTY_PTY_OPEN, handle },
};

/* Every request names an open description by its badge. */
static err_t object(struct srv_req *r)
{
	req_cref = cref_of(r->badge);
	return (r->obj = desc_of(r->badge)) ? ERR_OK : ERR_BADF;
}

static struct srv srv = {
	.name = "console",
	.ops = ops,
	.nops = sizeof(ops) / sizeof(ops[0]),
	.in_buf = (uint8_t *)req_data,
	.in_max = sizeof(req_data),
	.out_buf = (uint8_t *)ans_data,
	.object = object,
	.after = ops_after,
	.event = handle_event,
	.gone = gone,
	.answered = answered,
};

/* What a message changed, for one tty: its output goes out, its waiting
 * readers and poll arms that can be answered are. */
static void term_after(struct term *tm, uint64_t *deadline)
{
	ldisc_flush_out(&tm->ld);
	serve_readers(tm, deadline);
	check_arms(&tm->w, term_events(tm));
}

/* After every message (an event too): what it changed goes out, waiting
 * readers, writers and poll arms that can be answered are, signals are
 * sent. */
static void ops_after(void)
{
	uint64_t deadline = 0;

	term_after(&console, &deadline);
	for (unsigned i = 0; i < MAX_PTY; i++) {
		struct pty *p = ptys[i];
		if (!p)
			continue;
		serve_writers(p);
		term_after(&p->s, &deadline);
		serve_master_readers(p);
		serve_writers(p);                /* the readers made room */
		check_arms(&p->m, master_events(p));
		check_arms(&p->s.w, term_events(&p->s));
	}
	set_timer(deadline);
	ring_pump();
	if (quit)
		srv_stop(&srv);
}

int main(int argc, char **argv)
{
	unsigned prio = 110;
	struct cairn_msg m;
	err_t e;

	for (int i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "clients=", 8))
			clients = (uint32_t)number(argv[i] + 8);
		else if (!strcmp(argv[i], "testhooks"))
			testhooks = true;
		else if (!strncmp(argv[i], "prio=", 5))
			prio = (unsigned)number(argv[i] + 5);
		else
			printf("console: unknown argument %s\n", argv[i]);
	}
	ep = cairn_cap("tty");
	kinfo = cairn_cap("kinfo");
	proc_default = cairn_cap("proc");
	if (ep == CAP_NULL) {
		printf("console: no capability 'tty' (the endpoint to serve)\n");
		return 1;
	}
	/* descriptions' generations start at the time in microseconds: a
	 * restarted server's badges are past every badge its predecessor
	 * minted (one a microsecond at most), so an old capability names no
	 * new description (EBADF) */
	cairn_clock_init(kinfo);
	next_gen = cairn_now_ns() / 1000 + 1;
	ldisc_init(&console.ld);
	console.ld.capt = console_capt;
	console.proc = CAP_NULL;
	descs[0] = (struct desc){ .used = true, .role = ROLE_CONSOLE, .refs = clients, .cap = ep };

	if ((e = cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_NOTIFICATION, 0, 0, 0, &m))) {
		printf("console: no notification: %s\n", err_name(e));
		return 1;
	}
	notify = m.w[0];
	if ((e = dev_init(notify, EV_INPUT)))      /* e.g. a console capability without r */
		printf("console: no input from %s: %s (output only)\n", dev_name(), err_name(e));
	srv.ep = ep;
	/* input at once, at the server's own priority (else the relay thread) */
	e = srv_bind(&srv, notify);
	if (e)
		e = srv_relay(&srv, notify, prio);
	if (e == ERR_PERM && prio > 8)       /* above the service's: try the manifest's default */
		e = srv_relay(&srv, notify, prio = 8);
	if (e) {
		printf("console: cannot start the event thread at priority %u (the 'tty' endpoint "
		       "needs rights rw): %s\n", prio, err_name(e));
		return 1;
	}
	if ((e = srv_watch(&srv, EV_GONE)))
		printf("console: dead clients' pty references stay: %s\n", err_name(e));
	printf("console: a tty on %s\n", dev_name());
	take_input();       /* what arrived before the binding */
	ldisc_flush_out(&console.ld);

	srv_run(&srv);
	if (!srv.stopping)
		return 1;
	printf("console: every client closed the console: exiting\n");
	return 0;
}
