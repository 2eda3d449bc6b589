/* SPDX-License-Identifier: MIT */
/*
 * console: the console server. One tty (the machine's console) with a line
 * discipline (ldisc.c) over a character device (dev_relay.c), served with
 * the I/O protocol of include/cairn/posix.h on the endpoint the manifest
 * calls "tty" (endpoint:console). See docs/console.md.
 *
 * Objects (by the badge a request arrives with):
 *   0, 1          the shared open description (1 is POSIX_TTY_SHARED):
 *                 every holder of the manifest's unbadged capability
 *                 (init's services) or of badge 1 (POSIX processes, from
 *                 the process server) shares it and its O_NONBLOCK, like
 *                 an inherited /dev/console
 *   gen<<16 | i   an open description made by TTY_OPEN, with its own
 *                 O_NONBLOCK and reference count (IO_DUP / IO_CLOSE); the
 *                 last IO_CLOSE revokes its capability
 *   SRV_EVENT_BADGE  the server's own event thread: input arrived or the
 *                 VTIME timer fired (bits of the Notification in w0)
 *
 * The server runs the server skeleton's loop (<cairn/server.h>). Its
 * event thread is the skeleton's relay: it waits on the Notification that
 * the device's input (DEBUG_BIND_INPUT, or an IrqLine) and the Timer
 * signal, and turns each wake-up into a call on the endpoint, so the main
 * thread only ever waits in SYS_RECV. A read that must wait saves its
 * Reply (srv_save_reply) and joins the queue of readers, answered in order.
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
#include <string.h>
#include <cairn/posix.h>
#include <cairn/server.h>
#include "console.h"

#define EV_INPUT      1ull
#define EV_TIMER      2ull
#define MAX_DESC      64
#define MAX_READERS   32
#define MAX_ARMS      32
#define RING_N        8

_Static_assert(sizeof(struct linux_termios) == LINUX_TERMIOS_SIZE, "struct termios layout");
_Static_assert(sizeof(struct linux_winsize) == LINUX_WINSIZE_SIZE, "struct winsize layout");

struct desc {
	bool used;
	uint32_t refs, flags;
	uint64_t badge;
	cap_t cap;           /* the minted capability the clients' copies derive from */
};

struct reader {
	cap_t reply;
	uint32_t max;
	uint64_t start;      /* when the read came (VTIME with VMIN 0) */
};

struct arm {
	cap_t note;
	uint64_t bits;
	uint32_t events;
};

static struct tty tty;
static struct desc descs[MAX_DESC];
static struct reader readers[MAX_READERS];
static unsigned nreaders;
static struct arm arms[MAX_ARMS];
static unsigned narms;
static char req_data[POSIX_INLINE_MAX], ans_data[POSIX_INLINE_MAX], rd_buf[POSIX_INLINE_MAX];

static cap_t ep, notify, kinfo, proc_default, tty_proc = CAP_NULL, timer = CAP_NULL;
static int32_t tty_pgid, tty_sid;
static bool tty_weak;                /* the session's claim gives way (POSIX_TTY_CTTY_WEAK) */
static bool testhooks, quit;
static uint32_t clients;             /* 0: run for ever */
static uint64_t next_gen = 1, timer_deadline;
static struct cairn_ring_hdr *ring;
static bool ring_failed;

static void input(const char *s, size_t n);

uint64_t tty_now(void)
{
	struct cairn_msg m;

	if (kinfo == CAP_NULL || cairn_invoke(kinfo, KINFO_TIME, 0, 0, 0, 0, 0, &m))
		return 0;
	return m.w[0];
}

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
		if (e)
			printf("console: %s to the foreground process group failed: %s\n",
			       sig_name((int)c.user_data), err_name(e));
	}
	uint32_t pending = ring->sq_tail - ring->sq_head;
	if (pending)
		cairn_enter(pending, 0, 0, NULL, NULL);
}

/* sig to process group pgid (PS_KILL on the ring). */
static void group_signal(int32_t pgid, int sig)
{
	cap_t proc = tty_proc != CAP_NULL ? tty_proc : proc_default;

	if (pgid <= 0) {
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
void tty_signal(int sig)
{
	group_signal(tty_pgid, sig);
}

/* ---- readers ------------------------------------------------------------------------------- */

/* A read of at most max bytes that came at `start` may be answered now;
 * if not and a VTIME timer decides, *deadline is when. */
static bool read_ready(uint32_t max, uint64_t start, uint64_t *deadline)
{
	if (tty_canon(&tty))
		return tty.nlines > 0;
	unsigned min = tty.t.c_cc[LINUX_VMIN], avail = tty.rq_count;
	uint64_t time = tty.t.c_cc[LINUX_VTIME] * 100000000ull;
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
		uint64_t since = tty.last_input_ns > start ? tty.last_input_ns : start;
		if (tty_now() >= since + time)
			return true;
		*deadline = since + time;
	}
	return false;
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

/* Answers the readers that can be answered, in order. */
static void serve_readers(void)
{
	uint64_t deadline = 0;

	while (nreaders) {
		struct reader *r = &readers[0];
		bool eof;
		size_t n;
		err_t e;

		if (!read_ready(r->max, r->start, &deadline))
			break;
		n = ldisc_peek(&tty, rd_buf, r->max, &eof);
		memcpy(&cairn_ipcbuf()->w[CAIRN_MSG_REGS], rd_buf, n);
		e = srv_answer_saved(r->reply, 0, n, n, 0, 0, 0);
		if (!e)
			ldisc_consume(&tty, n, eof);   /* else the reader is gone: the next one gets it */
		memmove(&readers[0], &readers[1], --nreaders * sizeof(readers[0]));
	}
	set_timer(deadline);
}

/* ---- poll ------------------------------------------------------------------------------------ */

static uint32_t ready_events(void)
{
	uint32_t ev = LINUX_POLLOUT | LINUX_POLLWRNORM;

	if (ldisc_readable(&tty, true))
		ev |= LINUX_POLLIN | LINUX_POLLRDNORM;
	return ev;
}

static void disarm(unsigned i, bool signal)
{
	if (signal)
		cairn_invoke(arms[i].note, NOTIFY_SIGNAL, 0, arms[i].bits, 0, 0, 0, NULL);
	cairn_cap_delete(arms[i].note);
	memmove(&arms[i], &arms[i + 1], (--narms - i) * sizeof(arms[0]));
}

static void check_arms(void)
{
	uint32_t ready = ready_events();

	for (unsigned i = 0; i < narms;) {
		if (arms[i].events & ready)
			disarm(i, true);
		else
			i++;
	}
}

/* ---- open descriptions ------------------------------------------------------------------------ */

static struct desc *desc_of(uint64_t badge)
{
	unsigned i = badge & 0xffff;

	if (badge == 0 || badge == POSIX_TTY_SHARED)
		return &descs[0];
	if (i < 2 || i >= MAX_DESC || !descs[i].used || descs[i].badge != badge)
		return NULL;
	return &descs[i];
}

static err_t desc_open(uint32_t flags, cap_t *out)
{
	uint64_t r[3];
	err_t e;

	for (unsigned i = 2; i < MAX_DESC; i++) {     /* 1 is POSIX_TTY_SHARED */
		struct desc *d = &descs[i];
		if (d->used)
			continue;
		uint64_t badge = (next_gen++ & 0xffffffffffull) << 16 | i;
		if ((e = cairn_cap_op(CAP_OP_MINT, ep, CAP_NULL, RIGHT_WRITE | RIGHT_GRANT, badge, r)))
			return e;
		d->used = true;
		d->refs = 1;
		d->flags = flags & (LINUX_O_NONBLOCK | LINUX_O_APPEND);
		d->badge = badge;
		d->cap = r[0];
		*out = d->cap;
		return ERR_OK;
	}
	return ERR_NOSPC;    /* ENFILE would be Linux's */
}

static bool any_open(void)
{
	for (unsigned i = 2; i < MAX_DESC; i++)
		if (descs[i].used)
			return true;
	return false;
}

static void desc_close(struct desc *d)
{
	if (d == &descs[0]) {
		if (clients && d->refs && !--d->refs && !any_open())
			quit = true;
		return;
	}
	if (--d->refs)
		return;
	cairn_cap_op(CAP_OP_REVOKE, d->cap, CAP_NULL, 0, 0, NULL);
	cairn_cap_delete(d->cap);
	d->used = false;
	if (clients && !descs[0].refs && !any_open())
		quit = true;
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

static void do_ioctl(struct srv_req *q, struct srv_ans *a, struct desc *d)
{
	uint64_t arg = q->w[1];
	struct linux_termios nt;
	struct linux_winsize ws;
	int32_t v;

	a->w[0] = 0;
	switch (q->w[0]) {
	case LINUX_TCGETS:
		put(a, &tty.t, LINUX_TERMIOS_SIZE);
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
			ldisc_flush_input(&tty);
		ldisc_set_termios(&tty, &nt);
		return;
	case LINUX_TIOCGWINSZ:
		put(a, &tty.ws, LINUX_WINSIZE_SIZE);
		return;
	case LINUX_TIOCSWINSZ:
		if (q->nbytes < LINUX_WINSIZE_SIZE) {
			a->err = ERR_INVAL;
			return;
		}
		memcpy(&ws, req_data, LINUX_WINSIZE_SIZE);
		tty.ws = ws;
		return;
	case LINUX_TIOCGPGRP:
		if (!tty_sid)
			a->err = LINUX_ENOTTY;
		else
			put_int(a, tty_pgid);
		return;
	case LINUX_TIOCSPGRP:
		if (!get_int(q, &v))
			a->err = ERR_INVAL;
		else if (!tty_sid)
			a->err = LINUX_ENOTTY;
		else if (v <= 0)
			a->err = ERR_INVAL;
		else
			tty_pgid = v;
		return;
	case LINUX_TIOCSCTTY:
		if ((int64_t)q->w[2] <= 0 || q->w[2] > INT32_MAX) {
			a->err = ERR_INVAL;
			return;
		}
		if (tty_sid && tty_sid != (int32_t)q->w[2] && !arg && !tty_weak) {
			a->err = ERR_PERM;
			return;
		}
		tty_sid = tty_pgid = (int32_t)q->w[2];
		tty_weak = q->w[3] & POSIX_TTY_CTTY_WEAK;
		if (q->ncaps && q->caps[0] != CAP_NULL) {
			if (tty_proc != CAP_NULL)
				cairn_cap_delete(tty_proc);
			tty_proc = q->caps[0];
			q->caps[0] = CAP_NULL;            /* kept */
		}
		return;
	case LINUX_TIOCNOTTY:
		tty_sid = tty_pgid = 0;
		tty_weak = false;
		if (tty_proc != CAP_NULL)
			cairn_cap_delete(tty_proc);
		tty_proc = CAP_NULL;
		return;
	case LINUX_TIOCGSID:
		if (!tty_sid)
			a->err = LINUX_ENOTTY;
		else
			put_int(a, tty_sid);
		return;
	case LINUX_FIONREAD:
		put_int(a, (int32_t)ldisc_inq(&tty));
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
			ldisc_flush_input(&tty);
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
			input(req_data, 1);
		return;
	default:
		a->err = LINUX_ENOTTY;
		return;
	}
}

static void do_read(struct srv_req *q, struct srv_ans *a, struct desc *d)
{
	uint64_t max = q->w[0], deadline = 0, start = 0;
	cap_t reply;
	bool eof;
	size_t n;

	if (max > POSIX_INLINE_MAX)
		max = POSIX_INLINE_MAX;
	if (!max) {
		a->w[0] = 0;
		return;
	}
	if (!tty_canon(&tty) && tty.t.c_cc[LINUX_VTIME])
		start = tty_now();
	if (!nreaders && (read_ready((uint32_t)max, start, &deadline) ||
			  ((d->flags & LINUX_O_NONBLOCK) && !tty_canon(&tty) && tty.rq_count))) {
		n = ldisc_peek(&tty, ans_data, max, &eof);
		ldisc_consume(&tty, n, eof);
		a->w[0] = n;
		a->nbytes = n;
		return;
	}
	if (d->flags & LINUX_O_NONBLOCK) {
		a->err = ERR_AGAIN;
		return;
	}
	if (nreaders == MAX_READERS) {
		a->err = ERR_AGAIN;
		return;
	}
	if (srv_save_reply(a, &reply)) {
		a->err = ERR_NOMEM;
		return;
	}
	if (!start)
		start = tty_now();    /* for VTIME, should the tty turn non-canonical */
	readers[nreaders++] = (struct reader){ .reply = reply, .max = (uint32_t)max, .start = start };
}

static void do_poll_arm(struct srv_req *q, struct srv_ans *a)
{
	uint64_t id[3];

	if (!q->ncaps || q->caps[0] == CAP_NULL ||
	    cairn_cap_op(CAP_OP_IDENTIFY, q->caps[0], CAP_NULL, 0, 0, id) || id[0] != OBJ_NOTIFICATION ||
	    !(id[1] & RIGHT_WRITE)) {
		a->err = ERR_INVAL;
		return;
	}
	if (ready_events() & q->w[0]) {
		cairn_invoke(q->caps[0], NOTIFY_SIGNAL, 0, q->w[1], 0, 0, 0, NULL);
		return;
	}
	if (narms == MAX_ARMS)
		disarm(0, true);      /* the oldest wakes (spuriously) and polls again */
	arms[narms++] = (struct arm){ .note = q->caps[0], .bits = q->w[1], .events = (uint32_t)q->w[0] };
	q->caps[0] = CAP_NULL;                    /* kept */
}

/* TTY_SESSION_END: the session's leader ended; the terminal is free. */
static void session_end(struct srv_req *q, struct srv_ans *a)
{
	if (q->badge) {
		a->err = ERR_PERM;
		return;
	}
	if (!tty_sid || (uint64_t)tty_sid != q->w[0])
		return;
	if (tty_pgid != tty_sid) {
		group_signal(tty_pgid, POSIX_SIGHUP);
		group_signal(tty_pgid, POSIX_SIGCONT);
	}
	tty_sid = tty_pgid = 0;
	tty_weak = false;
	/* the leader's "proc" goes, unless a signal on the ring still names it */
	if (tty_proc != CAP_NULL && (!ring || ring->sq_tail == ring->sq_head)) {
		cairn_cap_delete(tty_proc);
		tty_proc = CAP_NULL;
	}
}

static void do_capture(struct srv_req *q, struct srv_ans *a)
{
	if (!testhooks) {
		a->err = ERR_PERM;
		return;
	}
	ldisc_flush_out(&tty);
	switch (q->w[0]) {
	case 1:
		tty.capture = true;
		tty.capt_len = 0;
		a->w[0] = 0;
		return;
	case 0:
	case 2: {
		size_t n = tty.capt_len < POSIX_INLINE_MAX ? tty.capt_len : POSIX_INLINE_MAX;
		memcpy(ans_data, tty.capt, n);
		memmove(tty.capt, tty.capt + n, tty.capt_len - n);
		tty.capt_len -= (unsigned)n;
		a->w[0] = n;
		a->nbytes = n;
		if (q->w[0] == 0)
			tty.capture = false;
		return;
	}
	default:
		a->err = ERR_INVAL;
	}
}

static void handle(struct srv_req *q, struct srv_ans *a)
{
	struct desc *d = q->obj;
	struct posix_stat st;

	switch (q->label) {
	case IO_READ:
		do_read(q, a, d);
		return;
	case IO_WRITE:
		if (q->w[0] > q->nbytes) {
			a->err = ERR_INVAL;
			return;
		}
		ldisc_write(&tty, req_data, q->w[0]);
		a->w[0] = q->w[0];
		return;
	case IO_PREAD:
	case IO_PWRITE:
	case IO_SEEK:
		a->err = ERR_PIPE;       /* not seekable (ESPIPE) */
		return;
	case IO_STAT:
		memset(&st, 0, sizeof(st));
		st.mode = LINUX_S_IFCHR | 0620;
		st.rdev = (5 << 8) | 1;
		st.nlink = 1;
		st.ino = 1;
		st.blksize = 1024;
		put(a, &st, sizeof(st));
		a->w[0] = sizeof(st);
		return;
	case IO_TRUNCATE:
	case IO_SYNC:
		a->err = ERR_INVAL;
		return;
	case IO_READDIR:
		a->err = ERR_NOTDIR;
		return;
	case IO_DUP:
		if (d->refs == UINT32_MAX)
			a->err = ERR_NOSPC;
		else if (d != &descs[0] || clients)
			d->refs++;
		return;
	case IO_CLOSE:
		desc_close(d);
		return;
	case IO_GETFL:
		a->w[0] = LINUX_O_RDWR | d->flags;
		return;
	case IO_SETFL:
		d->flags = (uint32_t)q->w[0] & (LINUX_O_NONBLOCK | LINUX_O_APPEND);
		return;
	case IO_IOCTL:
		do_ioctl(q, a, d);
		return;
	case IO_POLL:
		a->w[0] = ready_events() & (q->w[0] | LINUX_POLLERR | LINUX_POLLHUP | LINUX_POLLNVAL);
		return;
	case IO_POLL_ARM:
		do_poll_arm(q, a);
		return;
	case TTY_OPEN:
		a->err = desc_open((uint32_t)q->w[0], &a->caps[0]);
		a->ncaps = !a->err;
		return;
	case TTY_CAPTURE:
		do_capture(q, a);
		return;
	case TTY_SESSION_END:
		session_end(q, a);
		return;
	default:
		a->err = ERR_NOSYS;
		return;
	}
}

/* Input from the device or TIOCSTI. */
static void input(const char *s, size_t n)
{
	ldisc_input(&tty, s, n);
	if (n && !tty_canon(&tty) && tty.t.c_cc[LINUX_VTIME])
		tty.last_input_ns = tty_now();    /* VMIN/VTIME's inter-byte timer */
}

static void take_input(void)
{
	char buf[512];
	size_t n;

	while ((n = dev_read(buf, sizeof(buf))) > 0)
		input(buf, n);
}

static void handle_event(uint64_t bits)
{
	if (bits & EV_TIMER)
		timer_deadline = 0;     /* it fired: a one-shot */
	if (bits & EV_INPUT)
		take_input();
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
	{ TTY_OPEN, TTY_SESSION_END, handle },
};

/* Every request names an open description by its badge. */
static err_t object(struct srv_req *r)
{
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
};

/* After every message (an event too): what it changed goes out, waiting
 * readers and poll arms that can be answered are, signals are sent. */
static void ops_after(void)
{
	ldisc_flush_out(&tty);
	serve_readers();
	check_arms();
	ring_pump();
	if (quit)
		srv_stop(&srv);
}

int main(int argc, char **argv)
{
	unsigned prio = 10;
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
	ldisc_init(&tty);
	descs[0] = (struct desc){ .used = true, .refs = clients, .cap = ep };

	if ((e = cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_NOTIFICATION, 0, 0, 0, &m))) {
		printf("console: no notification: %s\n", err_name(e));
		return 1;
	}
	notify = m.w[0];
	if ((e = dev_init(notify, EV_INPUT)))      /* e.g. a console capability without r */
		printf("console: no input from %s: %s (output only)\n", dev_name(), err_name(e));
	srv.ep = ep;
	e = srv_relay(&srv, notify, prio);
	if (e == ERR_PERM && prio > 8)       /* above the service's: try the manifest's default */
		e = srv_relay(&srv, notify, prio = 8);
	if (e) {
		printf("console: cannot start the event thread at priority %u (the 'tty' endpoint "
		       "needs rights rw): %s\n", prio, err_name(e));
		return 1;
	}
	printf("console: a tty on %s\n", dev_name());
	take_input();       /* what arrived before the binding */
	ldisc_flush_out(&tty);

	srv_run(&srv);
	if (!srv.stopping)
		return 1;
	printf("console: every client closed the console: exiting\n");
	return 0;
}
