/* SPDX-License-Identifier: MIT */
/*
 * ttytest: the console server's tty protocol (include/cairn/posix.h,
 * docs/console.md) seen by a client, with no one typing
 * (user/manifests/ttytest.manifest). The console server runs with
 * `testhooks`: TIOCSTI types characters, and TTY_CAPTURE diverts the
 * tty's output (writes and echo) into a buffer the test reads back, so the
 * line discipline is checked end to end: editing, echo, ONLCR, signals,
 * non-canonical reads, waiting readers.
 *
 * One `ok N name` / `not ok N name: detail` line a test, then
 * `N passed, N failed`; exits with the number of failures. Its last act
 * closes the console (the server runs with clients=1 and exits then).
 */
#include <stdbool.h>
#include <string.h>
#include <cairn/rt.h>
#include <cairn/posix.h>
#include <cairn/tty.h>
#include <cairn/test.h>

static cap_t tty, kinfo;
static struct cairn_ring_hdr *ring;

/* ---- the protocol ----------------------------------------------------------------------- */

/* A request with n inline bytes; the answer's label (or the call's error). */
static err_t req(cap_t c, uint32_t label, const void *data, size_t len, uint64_t w0, uint64_t w1,
		 uint64_t w2, struct cairn_msg *out)
{
	struct cairn_msg m;

	if (len)
		memcpy(&cairn_ipcbuf()->w[CAIRN_MSG_REGS], data, len);
	m = cairn_call(c, cairn_tag(label, posix_words(len), 0), w0, w1, w2, 0);
	if (out)
		*out = m;
	return m.err ? (err_t)m.err : (err_t)cairn_tag_label(m.tag);
}

static err_t io(cap_t c, uint32_t label, uint64_t w0, uint64_t w1, struct cairn_msg *out)
{
	return req(c, label, NULL, 0, w0, w1, 0, out);
}

static err_t tty_write(cap_t c, const char *s)
{
	struct cairn_msg m;
	size_t len = strlen(s);
	err_t e = req(c, IO_WRITE, s, len, len, 0, 0, &m);

	return e ? e : m.w[0] == len ? ERR_OK : ERR_IO;
}

/* IO_READ of at most max bytes into buf (NUL-terminated); *got = bytes. */
static err_t tty_read(cap_t c, char *buf, size_t max, size_t *got)
{
	struct cairn_msg m;
	err_t e = io(c, IO_READ, max, 0, &m);

	*got = 0;
	buf[0] = 0;
	if (e)
		return e;
	if (m.w[0] > max || posix_words(m.w[0]) > cairn_tag_len(m.tag))
		return ERR_RANGE;
	memcpy(buf, &cairn_ipcbuf()->w[CAIRN_MSG_REGS], m.w[0]);
	buf[m.w[0]] = 0;
	*got = m.w[0];
	return ERR_OK;
}

/* An ioctl that returns a struct of size len into out. */
static err_t ioctl_get(cap_t c, uint64_t request, void *out, size_t len)
{
	struct cairn_msg m;
	err_t e = io(c, IO_IOCTL, request, 0, &m);

	if (e)
		return e;
	if (m.w[1] != len || posix_words(len) > cairn_tag_len(m.tag))
		return ERR_RANGE;
	memcpy(out, &cairn_ipcbuf()->w[CAIRN_MSG_REGS], len);
	return ERR_OK;
}

static err_t ioctl_set(cap_t c, uint64_t request, const void *in, size_t len)
{
	return req(c, IO_IOCTL, in, len, request, 0, 0, NULL);
}

static err_t ioctl_arg(cap_t c, uint64_t request, uint64_t arg)
{
	return req(c, IO_IOCTL, NULL, 0, request, arg, 0, NULL);
}

static err_t get_termios(struct linux_termios *t)
{
	return ioctl_get(tty, LINUX_TCGETS, t, LINUX_TERMIOS_SIZE);
}

static err_t set_termios(const struct linux_termios *t)
{
	return ioctl_set(tty, LINUX_TCSETS, t, LINUX_TERMIOS_SIZE);
}

static int32_t get_int(uint64_t request, err_t *e)
{
	int32_t v = -1;

	*e = ioctl_get(tty, request, &v, sizeof(v));
	return v;
}

/* Types s (TIOCSTI, one character a call). */
static err_t type(const char *s)
{
	err_t e = ERR_OK;

	while (*s && !e)
		e = ioctl_set(tty, LINUX_TIOCSTI, s++, 1);
	return e;
}

/* TTY_CAPTURE: mode 1 starts the diversion; 2 takes what it holds into
 * buf (NUL-terminated); 0 takes it and ends the diversion. */
static err_t capture(unsigned mode, char *buf, size_t max)
{
	struct cairn_msg m;
	err_t e = io(tty, TTY_CAPTURE, mode, 0, &m);
	size_t k;

	if (e || !buf)
		return e;
	k = m.w[0] < max - 1 ? m.w[0] : max - 1;
	memcpy(buf, &cairn_ipcbuf()->w[CAIRN_MSG_REGS], k);
	buf[k] = 0;
	return ERR_OK;
}

/* Shows control characters for a failure's detail. */
static const char *vis(const char *s)
{
	static char out[2][80];
	static int which;
	char *o = out[which ^= 1];
	size_t k = 0;

	for (; *s && k < sizeof(out[0]) - 5; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '\r') { o[k++] = '\\'; o[k++] = 'r'; }
		else if (c == '\n') { o[k++] = '\\'; o[k++] = 'n'; }
		else if (c == '\b') { o[k++] = '\\'; o[k++] = 'b'; }
		else if (c == '\t') { o[k++] = '\\'; o[k++] = 't'; }
		else if (c < 32 || c == 127) { o[k++] = '^'; o[k++] = c == 127 ? '?' : (char)(c ^ 64); }
		else o[k++] = (char)c;
	}
	o[k] = 0;
	return o;
}

/* Types `in`; a read must return `line` and the echo be `echo`. */
static bool typed(const char *in, const char *line, const char *echo)
{
	char got[256], out[512];
	size_t k;
	err_t e;

	if ((e = capture(2, out, sizeof(out))) || (e = type(in))) {
		t_failf("capture/type: %s", err_name(e));
		return false;
	}
	if ((e = tty_read(tty, got, sizeof(got) - 1, &k))) {
		t_failf("read: %s", err_name(e));
		return false;
	}
	if ((e = capture(2, out, sizeof(out)))) {
		t_failf("capture: %s", err_name(e));
		return false;
	}
	if (strcmp(got, line) || k != strlen(line)) {
		t_failf("read \"%s\" (%lu bytes), want \"%s\"", vis(got), (unsigned long)k, vis(line));
		return false;
	}
	if (echo && strcmp(out, echo)) {
		t_failf("echo \"%s\", want \"%s\"", vis(out), vis(echo));
		return false;
	}
	return true;
}

/* ---- the ring: reads that wait, without a second thread ------------------------------------- */

static struct cairn_sqe *sqes(void) { return (struct cairn_sqe *)((char *)ring + CAIRN_RING_SQ_OFF); }
static struct cairn_cqe *cqes(void) { return (struct cairn_cqe *)(sqes() + ring->entries); }

static err_t ring_setup(void)
{
	cap_t mo;
	void *va;
	err_t e;

	if ((e = cairn_memobj_create(SLOT_SELF_PROC, 1, MEMOBJ_CONTIG, &mo)) ||
	    (e = cairn_map(mo, 0, 1, CAIRN_PROT_R | CAIRN_PROT_W, &va)) ||
	    (e = cairn_invoke_cap(SLOT_SELF_THREAD, THREAD_SET_RING, mo, 8, 0, 0, 0, NULL)))
		return e;
	ring = va;
	return ERR_OK;
}

/* An asynchronous IO_READ (its answer's bytes are lost: only the count
 * arrives in the completion). */
static err_t async_read(uint64_t max, uint64_t id)
{
	uint32_t t = ring->sq_tail;
	struct cairn_sqe *s = &sqes()[t & (ring->entries - 1)];

	s->cap = tty;
	s->tag = cairn_tag(IO_READ, CAIRN_MSG_REGS, 0);
	s->w[0] = max;
	s->w[1] = s->w[2] = s->w[3] = 0;
	s->user_data = id;
	s->flags = 0;
	__atomic_store_n(&ring->sq_tail, t + 1, __ATOMIC_RELEASE);
	return cairn_enter(1, 0, 0, NULL, NULL);
}

/* The next completion, waiting up to timeout_ns; false if none. */
static bool completion(struct cairn_cqe *c, uint64_t timeout_ns)
{
	if (ring->cq_head == __atomic_load_n(&ring->cq_tail, __ATOMIC_ACQUIRE))
		cairn_enter(0, 1, timeout_ns, NULL, NULL);
	if (ring->cq_head == __atomic_load_n(&ring->cq_tail, __ATOMIC_ACQUIRE))
		return false;
	*c = cqes()[ring->cq_head & (ring->entries - 1)];
	__atomic_store_n(&ring->cq_head, ring->cq_head + 1, __ATOMIC_RELEASE);
	return true;
}

/* ---- tests ------------------------------------------------------------------------------------ */

static struct linux_termios saved;

static void t_termios(void)
{
	struct linux_termios t, u;
	err_t e;

	e = get_termios(&t);
	saved = t;
	if (e)
		t_failf("TCGETS: %s", err_name(e));
	else if (!(t.c_lflag & LINUX_ICANON) || !(t.c_lflag & LINUX_ECHO) || !(t.c_lflag & LINUX_ISIG))
		t_failf("c_lflag %#x lacks ICANON, ECHO or ISIG", t.c_lflag);
	t_ok(!e && (t.c_lflag & LINUX_ICANON) && (t.c_lflag & LINUX_ECHO) && (t.c_lflag & LINUX_ISIG) &&
	      (t.c_oflag & LINUX_ONLCR) && (t.c_iflag & LINUX_ICRNL) && t.c_cc[LINUX_VEOF] == 4 &&
	      t.c_cc[LINUX_VERASE] == 127 && t.c_cc[LINUX_VINTR] == 3 && t.c_cc[LINUX_VMIN] == 1,
	      "tty.tcgets_isatty");

	u = t;
	u.c_lflag &= ~(LINUX_ECHO | LINUX_ICANON);
	u.c_cc[LINUX_VMIN] = 5;
	u.c_cc[LINUX_VTIME] = 7;
	u.c_cc[LINUX_VINTR] = 'x';
	e = set_termios(&u);
	struct linux_termios v;
	err_t e2 = get_termios(&v);
	bool ok = !e && !e2 && !memcmp(&u, &v, LINUX_TERMIOS_SIZE);
	ok = ok && !ioctl_set(tty, LINUX_TCSETSW, &t, LINUX_TERMIOS_SIZE) && !get_termios(&v) &&
	     !memcmp(&t, &v, LINUX_TERMIOS_SIZE);
	t_ok(ok, "tty.tcsets_round_trip");

	t_ok(ioctl_set(tty, LINUX_TCSETS, &u, 8) == ERR_INVAL && !get_termios(&v) &&
	      !memcmp(&t, &v, LINUX_TERMIOS_SIZE), "tty.tcsets_short_is_einval");
}

static void t_winsize(void)
{
	struct linux_winsize ws, big = { .ws_row = 40, .ws_col = 132 }, got;
	err_t e = ioctl_get(tty, LINUX_TIOCGWINSZ, &ws, LINUX_WINSIZE_SIZE);

	if (!e)
		t_failf("%ux%u", ws.ws_col, ws.ws_row);
	t_ok(!e && ws.ws_col == 80 && ws.ws_row == 24, "tty.tiocgwinsz_80x24");
	t_ok(!ioctl_set(tty, LINUX_TIOCSWINSZ, &big, LINUX_WINSIZE_SIZE) &&
	      !ioctl_get(tty, LINUX_TIOCGWINSZ, &got, LINUX_WINSIZE_SIZE) && got.ws_col == 132 &&
	      got.ws_row == 40 && !ioctl_set(tty, LINUX_TIOCSWINSZ, &ws, LINUX_WINSIZE_SIZE) &&
	      ioctl_set(tty, LINUX_TIOCSWINSZ, &ws, 0) == ERR_INVAL, "tty.tiocswinsz");
}

static void t_errors(void)
{
	struct cairn_msg m;
	uint64_t r[3];
	cap_t forged;

	t_ok(ioctl_arg(tty, 0x1234, 0) == LINUX_ENOTTY && ioctl_arg(tty, 0x5401ull | 1ull << 40, 0) ==
	      LINUX_ENOTTY, "tty.unknown_ioctl_enotty");
	t_ok(ioctl_arg(tty, LINUX_TCFLSH, 7) == ERR_INVAL && ioctl_arg(tty, LINUX_TCXONC, 9) == ERR_INVAL &&
	      ioctl_set(tty, LINUX_TIOCSPGRP, "", 0) == ERR_INVAL && ioctl_set(tty, LINUX_FIONBIO, "", 0) == ERR_INVAL,
	      "tty.bad_ioctl_args_einval");
	t_ok(req(tty, IO_WRITE, "12345678", 8, 9, 0, 0, NULL) == ERR_INVAL &&
	      req(tty, IO_WRITE, "12345678", 8, 5000, 0, 0, NULL) == ERR_INVAL, "tty.write_bad_length");
	t_ok(io(tty, 0x999, 0, 0, NULL) == ERR_NOSYS, "tty.unknown_op_enosys");
	t_ok(io(tty, IO_SEEK, 0, POSIX_SEEK_CUR, NULL) == ERR_PIPE && io(tty, IO_PREAD, 1, 0, NULL) == ERR_PIPE,
	      "tty.not_seekable");
	/* a badge the server never made is no description */
	bool ok = !cairn_cap_op(CAP_OP_MINT, tty, CAP_NULL, RIGHT_WRITE, 0x777, r);
	forged = r[0];
	t_ok(ok && io(forged, IO_GETFL, 0, 0, &m) == ERR_BADF, "tty.unknown_badge_ebadf");
	cairn_cap_delete(forged);

	struct posix_stat st;
	ok = !io(tty, IO_STAT, 0, 0, &m) && cairn_tag_len(m.tag) >= posix_words(sizeof(st));
	if (ok)
		memcpy(&st, &cairn_ipcbuf()->w[CAIRN_MSG_REGS], sizeof(st));
	t_ok(ok && (st.mode & 0170000) == LINUX_S_IFCHR, "tty.stat_chr");
}

static void t_flags(void)
{
	struct cairn_msg m;
	cap_t d = CAP_NULL;
	char buf[16];
	size_t k;
	err_t e;

	t_ok(!io(tty, IO_GETFL, 0, 0, &m) && m.w[0] == LINUX_O_RDWR, "tty.getfl_rdwr");
	t_ok(!io(tty, IO_SETFL, LINUX_O_NONBLOCK, 0, NULL) && !io(tty, IO_GETFL, 0, 0, &m) &&
	      m.w[0] == (LINUX_O_RDWR | LINUX_O_NONBLOCK) && tty_read(tty, buf, 8, &k) == ERR_AGAIN &&
	      !io(tty, IO_SETFL, 0, 0, NULL) && !io(tty, IO_GETFL, 0, 0, &m) && m.w[0] == LINUX_O_RDWR,
	      "tty.setfl_nonblock_read_eagain");

	/* a description of its own: its O_NONBLOCK is not the shared one's */
	e = io(tty, TTY_OPEN, LINUX_O_NONBLOCK, 0, &m);
	if (!e && cairn_tag_ncaps(m.tag) == 1)
		d = cairn_ipcbuf()->caps[0];
	t_ok(!e && d != CAP_NULL && !io(d, IO_GETFL, 0, 0, &m) && (m.w[0] & LINUX_O_NONBLOCK) &&
	      !io(tty, IO_GETFL, 0, 0, &m) && !(m.w[0] & LINUX_O_NONBLOCK) &&
	      tty_read(d, buf, 8, &k) == ERR_AGAIN, "tty.open_own_nonblock");
	int32_t zero = 0, one = 1;
	t_ok(!ioctl_set(d, LINUX_FIONBIO, &zero, 4) && !io(d, IO_GETFL, 0, 0, &m) &&
	      !(m.w[0] & LINUX_O_NONBLOCK) && !ioctl_set(d, LINUX_FIONBIO, &one, 4) &&
	      !io(d, IO_GETFL, 0, 0, &m) && (m.w[0] & LINUX_O_NONBLOCK), "tty.fionbio");
	/* references: IO_DUP's is a capability of its own; closing one keeps
	 * the other, a second close through the same badge is EBADF and
	 * touches nothing; the last close ends it */
	cap_t d2 = CAP_NULL;
	if (!io(d, IO_DUP, 0, 0, &m) && cairn_tag_ncaps(m.tag) == 1)
		d2 = cairn_ipcbuf()->caps[0];
	t_ok(d2 != CAP_NULL && !io(d, IO_CLOSE, 0, 0, NULL) && io(d, IO_GETFL, 0, 0, NULL) == ERR_BADF &&
	      io(d, IO_CLOSE, 0, 0, NULL) == ERR_BADF && io(d, IO_CLOSE, 0, 0, NULL) == ERR_BADF &&
	      !io(d2, IO_GETFL, 0, 0, NULL) && !io(d2, IO_CLOSE, 0, 0, NULL) &&
	      io(d2, IO_GETFL, 0, 0, NULL) != ERR_OK, "tty.dup_close");
	cairn_cap_delete(d);
	if (d2 != CAP_NULL)
		cairn_cap_delete(d2);
	t_ok(!io(tty, IO_READ, 0, 0, &m) && m.w[0] == 0, "tty.read_zero_bytes");

	/* badge 1 (POSIX_TTY_SHARED) is the shared description too */
	uint64_t r[3];
	bool ok = !cairn_cap_op(CAP_OP_MINT, tty, CAP_NULL, RIGHT_WRITE, POSIX_TTY_SHARED, r);
	d = r[0];
	ok = ok && !io(tty, IO_SETFL, LINUX_O_NONBLOCK, 0, NULL) && !io(d, IO_GETFL, 0, 0, &m) &&
	     (m.w[0] & LINUX_O_NONBLOCK) && !io(d, IO_SETFL, 0, 0, NULL) && !io(tty, IO_GETFL, 0, 0, &m) &&
	     !(m.w[0] & LINUX_O_NONBLOCK);
	t_ok(ok, "tty.badge1_is_the_shared_description");
	cairn_cap_delete(d);

	/* at most 62 descriptions of its own; closing one makes room again */
	static cap_t many[64];
	unsigned opened = 0;
	while (opened < 64 && !io(tty, TTY_OPEN, 0, 0, &m) && cairn_tag_ncaps(m.tag) == 1)
		many[opened++] = cairn_ipcbuf()->caps[0];
	e = io(tty, TTY_OPEN, 0, 0, &m);
	ok = opened == 62 && e == ERR_NOSPC && !io(many[0], IO_CLOSE, 0, 0, NULL) &&
		  !io(tty, TTY_OPEN, 0, 0, &m) && cairn_tag_ncaps(m.tag) == 1;
	if (ok)
		many[0] = cairn_ipcbuf()->caps[0];
	if (!ok)
		t_failf("opened %u, then %s", opened, err_name(e));
	for (unsigned i = 0; i < opened; i++) {
		ok = !io(many[i], IO_CLOSE, 0, 0, NULL) && ok;
		cairn_cap_delete(many[i]);
	}
	t_ok(ok, "tty.open_limit_and_reuse");
}

static void t_poll(void)
{
	struct cairn_msg m;
	uint64_t bits = 0;
	cap_t note = CAP_NULL;
	char buf[16];
	size_t k;
	err_t e;

	t_ok(!io(tty, IO_POLL, LINUX_POLLIN | LINUX_POLLOUT, 0, &m) && m.w[0] == LINUX_POLLOUT,
	      "tty.poll_writable_not_readable");
	if (!cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_NOTIFICATION, 0, 0, 0, &m))
		note = m.w[0];
	cairn_ipcbuf()->caps[0] = note;
	m = cairn_call(tty, cairn_tag(IO_POLL_ARM, CAIRN_MSG_REGS, 1), LINUX_POLLOUT, 4, 0, 0);
	e = m.err ? (err_t)m.err : (err_t)cairn_tag_label(m.tag);
	t_ok(!e && !cairn_wait(note, 0, &bits) && bits == 4, "tty.poll_arm_pollout_at_once");

	cairn_ipcbuf()->caps[0] = note;
	m = cairn_call(tty, cairn_tag(IO_POLL_ARM, CAIRN_MSG_REGS, 1), LINUX_POLLIN, 8, 0, 0);
	e = m.err ? (err_t)m.err : (err_t)cairn_tag_label(m.tag);
	bool ok = !e && cairn_wait(note, 0, &bits) == ERR_AGAIN;
	ok = ok && !type("pa") && cairn_wait(note, 0, &bits) == ERR_AGAIN;    /* no line yet */
	ok = ok && !type("\n") && !cairn_wait(note, 0, &bits) && bits == 8;
	ok = ok && !io(tty, IO_POLL, LINUX_POLLIN, 0, &m) && m.w[0] == LINUX_POLLIN;
	ok = ok && !tty_read(tty, buf, 15, &k) && !strcmp(buf, "pa\n");
	t_ok(ok, "tty.poll_arm_pollin_on_line");
	t_ok(io(tty, IO_POLL_ARM, LINUX_POLLIN, 1, NULL) == ERR_INVAL, "tty.poll_arm_without_cap_einval");
	cairn_ipcbuf()->caps[0] = SLOT_SELF_THREAD;      /* not a Notification */
	m = cairn_call(tty, cairn_tag(IO_POLL_ARM, CAIRN_MSG_REGS, 1), LINUX_POLLOUT, 1, 0, 0);
	t_ok(!m.err && cairn_tag_label(m.tag) == ERR_INVAL, "tty.poll_arm_not_a_notification_einval");
	cairn_cap_delete(note);
}

static void t_output(void)
{
	struct linux_termios t = saved;
	char out[64];
	bool ok;

	capture(2, out, sizeof(out));
	ok = !tty_write(tty, "a\nb\n") && !capture(2, out, sizeof(out)) && !strcmp(out, "a\r\nb\r\n");
	if (!ok)
		t_failf("captured \"%s\"", vis(out));
	t_ok(ok, "tty.write_onlcr");
	t.c_oflag &= ~LINUX_OPOST;
	ok = !set_termios(&t) && !tty_write(tty, "c\nd\r") && !capture(2, out, sizeof(out)) &&
	     !strcmp(out, "c\nd\r");
	t_ok(ok && !set_termios(&saved), "tty.write_raw_without_opost");
	t = saved;
	t.c_oflag |= LINUX_XTABS;
	ok = !set_termios(&t) && !tty_write(tty, "ab\tc\n") && !capture(2, out, sizeof(out)) &&
	     !strcmp(out, "ab      c\r\n");
	t_ok(ok && !set_termios(&saved), "tty.write_xtabs");
}

static void t_canon(void)
{
	struct linux_termios t;
	char buf[64], out[64];
	size_t k;
	err_t e;

	t_ok(typed("ab\x7f" "c\n", "ac\n", "ab\b \bc\r\n"), "tty.canon_erase_del");
	t_ok(typed("xy\bz\n", "xy\bz\n", "xy^Hz\r\n"), "tty.canon_backspace_is_data_echoctl");
	t = saved;
	t.c_cc[LINUX_VERASE] = '\b';
	t_ok(!set_termios(&t) && typed("xy\bz\n", "xz\n", "xy\b \bz\r\n") && !set_termios(&saved),
	      "tty.canon_erase_bs_when_verase");
	t_ok(typed("junk\x15line\n", "line\n", "junk\b \b\b \b\b \b\b \bline\r\n"), "tty.canon_kill");
	t_ok(typed("hello wor\x17world\n", "hello world\n", NULL), "tty.canon_werase");
	t_ok(typed("one two  \x17\x17x\n", "x\n", NULL), "tty.canon_werase_twice");
	t_ok(typed("cr\r", "cr\n", "cr\r\n"), "tty.canon_icrnl");
	t_ok(typed("\x04", "", ""), "tty.canon_eof_at_line_start");
	t_ok(typed("part\x04", "part", "part"), "tty.canon_eof_delivers_partial_line");
	t_ok(typed("\x01\n", "\x01\n", "^A\r\n"), "tty.canon_echoctl");
	t_ok(typed("\x16\x15u\n", "\x15u\n", NULL), "tty.canon_lnext");
	t_ok(typed("a\t\x7f" "b\n", "ab\n", "a\t\b\b\b\b\b\b\bb\r\n"), "tty.canon_erase_tab");
	t_ok(typed("\xc3\xa9\x7f" "e\n", "e\n", "\xc3\xa9\b \be\r\n"), "tty.canon_erase_utf8");
	t_ok(typed("ab\x12" "c\n", "abc\n", "ab^R\r\nabc\r\n"), "tty.canon_reprint");

	t = saved;
	t.c_lflag &= ~LINUX_ECHO;
	t_ok(!set_termios(&t) && typed("secret\n", "secret\n", "") && !set_termios(&saved), "tty.canon_noecho");
	t.c_lflag |= LINUX_ECHONL;
	t_ok(!set_termios(&t) && typed("secret\n", "secret\n", "\r\n") && !set_termios(&saved),
	      "tty.canon_echonl");
	t = saved;
	t.c_iflag &= ~LINUX_ICRNL;
	t_ok(!set_termios(&t) && typed("a\r\n", "a\r\n", "a^M\r\n") && !set_termios(&saved), "tty.canon_no_icrnl");

	/* a line longer than the read: the rest stays for the next read */
	bool ok = !type("abcdef\n") && !tty_read(tty, buf, 3, &k) && !strcmp(buf, "abc") &&
		  !tty_read(tty, buf, 60, &k) && !strcmp(buf, "def\n");
	t_ok(ok, "tty.canon_line_in_two_reads");
	/* FIONREAD counts completed lines only; TCFLSH and TCSETSF drop input */
	int32_t v = get_int(LINUX_FIONREAD, &e);
	ok = !e && v == 0 && !type("xy\nzz") && get_int(LINUX_FIONREAD, &e) == 3 && !e;
	ok = ok && !ioctl_arg(tty, LINUX_TCFLSH, LINUX_TCIFLUSH) && get_int(LINUX_FIONREAD, &e) == 0;
	ok = ok && !type("q\n") && get_int(LINUX_FIONREAD, &e) == 2 &&
	     !ioctl_set(tty, LINUX_TCSETSF, &saved, LINUX_TERMIOS_SIZE) && get_int(LINUX_FIONREAD, &e) == 0;
	t_ok(ok, "tty.fionread_tcflsh_tcsetsf");
	capture(2, out, sizeof(out));

	/* a line holds at most 4095 bytes and its end: the rest is dropped */
	static char big[4200];
	ok = true;
	for (unsigned i = 0; i < 4100 && ok; i++)
		ok = !ioctl_set(tty, LINUX_TIOCSTI, "x", 1);
	while (!capture(2, big, sizeof(big)) && big[0])
		;
	ok = ok && !type("\n") && get_int(LINUX_FIONREAD, &e) == 4096 && !tty_read(tty, big, 4000, &k) &&
	     k == 4000 && !tty_read(tty, big, 4000, &k) && k == 96 && big[95] == '\n';
	t_ok(ok, "tty.canon_long_line_bounded");
	while (!capture(2, big, sizeof(big)) && big[0])
		;
	memset(big, 'w', 4000);
	big[4000] = 0;
	ok = !tty_write(tty, big) && !capture(2, big, sizeof(big)) && strlen(big) == 4000 && big[3999] == 'w';
	t_ok(ok, "tty.write_4000_bytes");
}

static void t_noncanon(void)
{
	struct linux_termios t = saved;
	struct cairn_cqe c;
	char buf[64], out[64];
	size_t k;

	t.c_lflag &= ~LINUX_ICANON;
	t.c_cc[LINUX_VMIN] = 0;
	t.c_cc[LINUX_VTIME] = 0;
	bool ok = !set_termios(&t) && !tty_read(tty, buf, 10, &k) && k == 0;
	ok = ok && !type("qr") && !tty_read(tty, buf, 10, &k) && !strcmp(buf, "qr");
	t_ok(ok, "tty.noncanon_vmin0_vtime0");
	capture(2, out, sizeof(out));
	t_ok(!strcmp(out, "qr"), "tty.noncanon_echo");

	t.c_cc[LINUX_VTIME] = 2;    /* 0.2 s */
	uint64_t t0 = now_ns();
	ok = !set_termios(&t) && !tty_read(tty, buf, 10, &k) && k == 0;
	uint64_t dt = now_ns() - t0;
	if (!ok || dt < 150000000ull || dt > 2000000000ull)
		t_failf("read %lu bytes after %lu ms", (unsigned long)k, (unsigned long)(dt / 1000000));
	t_ok(ok && dt >= 150000000ull && dt < 2000000000ull, "tty.noncanon_vtime_times_out");

	/* VMIN 3: a read waits for 3 bytes */
	t.c_cc[LINUX_VMIN] = 3;
	t.c_cc[LINUX_VTIME] = 0;
	ok = !set_termios(&t) && !async_read(10, 1) && !completion(&c, 50000000ull);
	ok = ok && !type("ab") && !completion(&c, 50000000ull);
	ok = ok && !type("c") && completion(&c, 1000000000ull) && !c.err && cairn_tag_label(c.tag) == 0 &&
	     c.w[0] == 3 && c.user_data == 1;
	t_ok(ok, "tty.noncanon_vmin_waits");
	/* O_NONBLOCK takes what there is even below VMIN */
	ok = !type("z") && !io(tty, IO_SETFL, LINUX_O_NONBLOCK, 0, NULL) && !tty_read(tty, buf, 10, &k) &&
	     !strcmp(buf, "z") && tty_read(tty, buf, 10, &k) == ERR_AGAIN && !io(tty, IO_SETFL, 0, 0, NULL);
	t_ok(ok, "tty.noncanon_nonblock");
	/* VMIN 5, VTIME 1: after the first byte, 0.1 s of silence ends the read */
	t.c_cc[LINUX_VMIN] = 5;
	t.c_cc[LINUX_VTIME] = 1;
	ok = !set_termios(&t) && !async_read(10, 2) && !completion(&c, 300000000ull) && !type("xy") &&
	     completion(&c, 2000000000ull) && c.w[0] == 2 && c.user_data == 2;
	t_ok(ok, "tty.noncanon_intercharacter_timer");

	/* back to canonical mode: what waits becomes a line */
	ok = !set_termios(&t) && !type("raw") && !set_termios(&saved) && !tty_read(tty, buf, 10, &k) &&
	     !strcmp(buf, "raw");
	t_ok(ok, "tty.canon_after_raw_keeps_input");
	capture(2, out, sizeof(out));
}

static void t_readers(void)
{
	struct cairn_cqe c1, c2;
	char out[64];

	/* two waiting readers are answered in order, a line each */
	bool ok = !async_read(100, 11) && !async_read(100, 12) && !completion(&c1, 50000000ull);
	ok = ok && !type("one\nthree\n") && completion(&c1, 1000000000ull) && completion(&c2, 1000000000ull);
	if (ok && !(c1.user_data == 11 && c1.w[0] == 4 && c2.user_data == 12 && c2.w[0] == 6))
		t_failf("reader %lu got %lu, reader %lu got %lu", (unsigned long)c1.user_data,
		    (unsigned long)c1.w[0], (unsigned long)c2.user_data, (unsigned long)c2.w[0]);
	t_ok(ok && c1.user_data == 11 && c1.w[0] == 4 && c2.user_data == 12 && c2.w[0] == 6,
	      "tty.readers_answered_in_order");
	/* ^D at the start of a line ends a waiting read with 0 bytes */
	ok = !async_read(100, 13) && !type("\x04") && completion(&c1, 1000000000ull) && !c1.err &&
	     c1.w[0] == 0 && c1.user_data == 13;
	t_ok(ok, "tty.reader_gets_eof");
	capture(2, out, sizeof(out));
}

static void t_signals(void)
{
	struct cairn_msg m;
	char out[64];
	cap_t fake = CAP_NULL;
	int32_t pg = 42;
	err_t e;

	/* without a session: no process group */
	t_ok(get_int(LINUX_TIOCGPGRP, &e) && e == LINUX_ENOTTY && ioctl_set(tty, LINUX_TIOCSPGRP, &pg, 4) ==
	      LINUX_ENOTTY, "tty.no_session_tiocgpgrp_enotty");
	/* a weak claim (pid 1's own, musl-port's posix.c) gives way to the
	 * next session's TIOCSCTTY without stealing (the one just below) */
	m = cairn_call(tty, cairn_tag(IO_IOCTL, CAIRN_MSG_REGS, 0), LINUX_TIOCSCTTY, 0, 6,
		       POSIX_TTY_CTTY_WEAK);
	e = m.err ? (err_t)m.err : (err_t)cairn_tag_label(m.tag);
	t_ok(!e && get_int(LINUX_TIOCGSID, &e) == 6 && !e, "tty.tiocsctty_weak");
	/* ttytest stands in for the process server: an endpoint of its own */
	if (!cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_ENDPOINT, 0, 0, 0, &m))
		fake = m.w[0];
	cairn_ipcbuf()->caps[0] = fake;
	m = cairn_call(tty, cairn_tag(IO_IOCTL, CAIRN_MSG_REGS, 1), LINUX_TIOCSCTTY, 0, 7, 0);
	e = m.err ? (err_t)m.err : (err_t)cairn_tag_label(m.tag);
	t_ok(!e && get_int(LINUX_TIOCGSID, &e) == 7 && !e && get_int(LINUX_TIOCGPGRP, &e) == 7 && !e &&
	      !ioctl_set(tty, LINUX_TIOCSPGRP, &pg, 4) && get_int(LINUX_TIOCGPGRP, &e) == 42,
	      "tty.tiocsctty_tiocspgrp");
	t_ok(req(tty, IO_IOCTL, NULL, 0, LINUX_TIOCSCTTY, 0, 8, NULL) == ERR_PERM,
	      "tty.tiocsctty_other_session_eperm");

	static const struct { const char *key; int sig; const char *echo; const char *name; } sigs[] = {
		{ "abc\x03", POSIX_SIGINT, "abc^C", "tty.ctrl_c_sigint_to_pgrp" },
		{ "\x1c", POSIX_SIGQUIT, "^\\", "tty.ctrl_backslash_sigquit" },
		{ "\x1a", POSIX_SIGTSTP, "^Z", "tty.ctrl_z_sigtstp" },
	};
	for (unsigned i = 0; i < 3; i++) {
		capture(2, out, sizeof(out));
		bool ok = !type(sigs[i].key);
		m = cairn_recv(fake, CAIRN_RECV_NONBLOCK);
		ok = ok && !m.err && cairn_tag_label(m.tag) == PS_KILL && (int64_t)m.w[0] == -42 &&
		     m.w[1] == (uint64_t)sigs[i].sig;
		if (!m.err)
			cairn_reply(cairn_tag(0, CAIRN_MSG_REGS, 0), 0, 0, 0, 0);
		else
			t_failf("no PS_KILL: %s", err_name((err_t)m.err));
		capture(2, out, sizeof(out));
		if (ok && strcmp(out, sigs[i].echo))
			t_failf("echo \"%s\"", vis(out));
		t_ok(ok && !strcmp(out, sigs[i].echo) && get_int(LINUX_FIONREAD, &e) == 0, sigs[i].name);
	}
	/* the signal character flushed the line: the next line is clean */
	t_ok(typed("ok\n", "ok\n", "ok\r\n"), "tty.line_after_signal");
	/* the session's leader ends (the process server's TTY_SESSION_END): the
	 * foreground group, not the leader's, gets SIGHUP and SIGCONT, and the
	 * tty is free for the next session */
	cap_t badged = CAP_NULL;
	uint64_t r[3];
	if (!cairn_cap_op(CAP_OP_MINT, tty, CAP_NULL, RIGHT_WRITE, POSIX_TTY_SHARED, r))
		badged = r[0];
	bool ok = req(badged, TTY_SESSION_END, NULL, 0, 7, 0, 0, NULL) == ERR_PERM &&
		  req(tty, TTY_SESSION_END, NULL, 0, 8, 0, 0, NULL) == ERR_OK &&
		  get_int(LINUX_TIOCGSID, &e) == 7 && !e;      /* another session's end: nothing */
	ok = ok && req(tty, TTY_SESSION_END, NULL, 0, 7, 0, 0, NULL) == ERR_OK;
	for (int sig = POSIX_SIGHUP, i = 0; i < 2; i++, sig = POSIX_SIGCONT) {
		m = cairn_recv(fake, CAIRN_RECV_NONBLOCK);
		ok = ok && !m.err && cairn_tag_label(m.tag) == PS_KILL && (int64_t)m.w[0] == -42 &&
		     m.w[1] == (uint64_t)sig;
		if (!m.err)
			cairn_reply(cairn_tag(0, CAIRN_MSG_REGS, 0), 0, 0, 0, 0);
	}
	ok = ok && get_int(LINUX_TIOCGSID, &e) && e == LINUX_ENOTTY &&
	     req(tty, IO_IOCTL, NULL, 0, LINUX_TIOCSCTTY, 0, 9, NULL) == ERR_OK &&
	     get_int(LINUX_TIOCGSID, &e) == 9 && !e;
	t_ok(ok, "tty.session_end");
	cairn_cap_delete(badged);
	t_ok(!ioctl_arg(tty, LINUX_TIOCNOTTY, 0) && get_int(LINUX_TIOCGPGRP, &e) && e == LINUX_ENOTTY,
	      "tty.tiocnotty");
	cairn_cap_delete(fake);
}

int main(int argc, char **argv)
{
	char out[64];
	err_t e;

	tty = cairn_cap("tty");
	kinfo = cairn_cap("kinfo");
	if (tty == CAP_NULL || kinfo == CAP_NULL) {
		return t_abort("ttytest: needs the capabilities tty and kinfo");
	}
	if ((e = ring_setup())) {
		return t_abort("ttytest: no ring: %s", err_name(e));
	}
	t_termios();
	t_winsize();
	t_errors();
	t_flags();
	e = capture(1, NULL, 0);
	t_ok(!e, "tty.capture_hook");
	if (!e) {
		t_poll();
		t_output();
		t_canon();
		t_noncanon();
		t_readers();
		t_signals();
		capture(0, out, sizeof(out));
	}
	t_end(NULL);
	/* the last reference to the shared description: the server exits */
	io(tty, IO_CLOSE, 0, 0, NULL);
	return (int)t_nfailed();
}
