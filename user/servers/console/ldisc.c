/* SPDX-License-Identifier: MIT */
/*
 * The line discipline, after Linux's n_tty: input processing (ISTRIP,
 * IGNCR, ICRNL, INLCR), signal characters (ISIG), canonical mode with
 * editing (ERASE, KILL, WERASE, LNEXT, REPRINT, EOF, EOL, EOL2), echo
 * (ECHO, ECHOE, ECHOK, ECHOKE, ECHOCTL, ECHONL), and output
 * post-processing (OPOST: ONLCR, OCRNL, ONOCR, ONLRET, XTABS), with the
 * cursor column kept so that erasing a tab or a ^X moves back the right
 * amount. Non-canonical reads (VMIN/VTIME) are main.c's: here is the
 * queue they read from.
 */
#include <string.h>
#include "console.h"

static const uint8_t default_cc[LINUX_NCCS] = {
	[LINUX_VINTR] = 3, [LINUX_VQUIT] = 28, [LINUX_VERASE] = 127, [LINUX_VKILL] = 21,
	[LINUX_VEOF] = 4, [LINUX_VTIME] = 0, [LINUX_VMIN] = 1, [LINUX_VSTART] = 17,
	[LINUX_VSTOP] = 19, [LINUX_VSUSP] = 26, [LINUX_VREPRINT] = 18, [LINUX_VDISCARD] = 15,
	[LINUX_VWERASE] = 23, [LINUX_VLNEXT] = 22,
};

void ldisc_init(struct tty *t)
{
	memset(t, 0, sizeof(*t));
	t->t.c_iflag = LINUX_ICRNL | LINUX_IUTF8;
	t->t.c_oflag = LINUX_OPOST | LINUX_ONLCR;
	t->t.c_cflag = LINUX_B115200 | LINUX_CS8 | LINUX_CREAD | LINUX_HUPCL;
	t->t.c_lflag = LINUX_ISIG | LINUX_ICANON | LINUX_ECHO | LINUX_ECHOE | LINUX_ECHOK |
		       LINUX_ECHOCTL | LINUX_ECHOKE | LINUX_IEXTEN;
	memcpy(t->t.c_cc, default_cc, sizeof(default_cc));
	t->ws.ws_row = 24;
	t->ws.ws_col = 80;
}

static bool is_ctl(uint8_t c) { return c < 32 || c == 127; }
static bool is_cont(const struct tty *t, uint8_t c)
{
	return (t->t.c_iflag & LINUX_IUTF8) && (c & 0xc0) == 0x80;
}
static bool is_space(uint8_t c) { return c == ' ' || c == '\t'; }

/* c is the (enabled) special character i */
static bool cc_is(const struct tty *t, unsigned i, uint8_t c)
{
	return t->t.c_cc[i] && t->t.c_cc[i] == c;
}

/* ---- output ------------------------------------------------------------------------------ */

void ldisc_flush_out(struct tty *t)
{
	if (!t->ob_len)
		return;
	if (t->capture) {
		unsigned n = t->ob_len;
		if (n > TTY_CAPT_SIZE - t->capt_len)
			n = TTY_CAPT_SIZE - t->capt_len;
		memcpy(t->capt + t->capt_len, t->ob, n);
		t->capt_len += n;
	} else {
		tty_output(t, t->ob, t->ob_len);
	}
	t->ob_len = 0;
}

static void out_raw(struct tty *t, char c)
{
	if (t->ob_len == TTY_OUT_SIZE)
		ldisc_flush_out(t);
	t->ob[t->ob_len++] = c;
}

/* One byte of output through OPOST, keeping the column. */
static void opost(struct tty *t, uint8_t c)
{
	uint32_t of = t->t.c_oflag;

	if (!(of & LINUX_OPOST)) {
		out_raw(t, (char)c);
		return;
	}
	switch (c) {
	case '\n':
		if (of & (LINUX_ONLRET | LINUX_ONLCR))
			t->col = 0;
		if (of & LINUX_ONLCR)
			out_raw(t, '\r');
		out_raw(t, '\n');
		return;
	case '\r':
		if ((of & LINUX_ONOCR) && t->col == 0)
			return;
		if (of & LINUX_OCRNL) {
			c = '\n';
			if (of & LINUX_ONLRET)
				t->col = 0;
		} else {
			t->col = 0;
		}
		out_raw(t, (char)c);
		return;
	case '\t': {
		unsigned spaces = 8 - (t->col & 7);
		t->col += spaces;
		if ((of & LINUX_TABDLY) == LINUX_XTABS)
			while (spaces--)
				out_raw(t, ' ');
		else
			out_raw(t, '\t');
		return;
	}
	case '\b':
		if (t->col)
			t->col--;
		out_raw(t, '\b');
		return;
	default:
		if (!is_ctl(c) && !is_cont(t, c))
			t->col++;
		out_raw(t, (char)c);
		return;
	}
}

void ldisc_write(struct tty *t, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		opost(t, (uint8_t)s[i]);
}

/* ---- echo -------------------------------------------------------------------------------- */

static bool echo_on(const struct tty *t) { return t->t.c_lflag & LINUX_ECHO; }

/* A character as echo shows it: a control character as ^X with ECHOCTL
 * (but tab and newline as themselves). */
static void echo_char(struct tty *t, uint8_t c)
{
	if (!echo_on(t))
		return;
	if ((t->t.c_lflag & LINUX_ECHOCTL) && is_ctl(c) && c != '\t' && c != '\n') {
		opost(t, '^');
		opost(t, c ^ 0100);
	} else {
		opost(t, c);
	}
}

static void echo_erase(struct tty *t, unsigned cols)
{
	while (cols--) {
		opost(t, '\b');
		opost(t, ' ');
		opost(t, '\b');
	}
}

/* The column after echoing ed[0..len) from the line's starting column. */
static unsigned line_column(const struct tty *t, unsigned len)
{
	unsigned col = t->ed_col;

	for (unsigned i = 0; i < len; i++) {
		uint8_t c = (uint8_t)t->ed[i];
		if (c == '\t')
			col = (col | 7) + 1;
		else if (is_ctl(c))
			col += (t->t.c_lflag & LINUX_ECHOCTL) ? 2 : 0;
		else if (!is_cont(t, c))
			col++;
	}
	return col;
}

/* ---- the read queue --------------------------------------------------------------------------- */

static void rq_push(struct tty *t, char c)
{
	t->rq[(t->rq_head + t->rq_count++) % TTY_RQ_SIZE] = c;
}

/* The line being edited becomes a completed line (an end-of-file mark if
 * it is empty and eof). */
static void commit_line(struct tty *t)
{
	if (t->nlines == TTY_MAX_LINES)
		return;        /* no room: the line stays being edited */
	for (unsigned i = 0; i < t->ed_len; i++)
		rq_push(t, t->ed[i]);
	t->lines[(t->line_head + t->nlines++) % TTY_MAX_LINES] = t->ed_len;
	t->ed_len = 0;
}

void ldisc_flush_input(struct tty *t)
{
	t->rq_head = t->rq_count = 0;
	t->line_head = t->nlines = 0;
	t->ed_len = 0;
	t->lnext = false;
}

bool ldisc_readable(const struct tty *t, bool poll)
{
	if (tty_canon(t))
		return t->nlines > 0;
	unsigned min = t->t.c_cc[LINUX_VMIN];
	if (poll && !t->t.c_cc[LINUX_VTIME] && min)
		return t->rq_count >= min;
	return t->rq_count > 0;
}

unsigned ldisc_inq(const struct tty *t)
{
	return t->rq_count;
}

size_t ldisc_peek(const struct tty *t, char *buf, size_t max, bool *eof)
{
	size_t n = t->rq_count;

	*eof = false;
	if (tty_canon(t)) {
		if (!t->nlines)
			return 0;
		n = t->lines[t->line_head];
		if (n == 0) {
			*eof = true;
			return 0;
		}
	}
	if (n > max)
		n = max;
	for (size_t i = 0; i < n; i++)
		buf[i] = t->rq[(t->rq_head + i) % TTY_RQ_SIZE];
	return n;
}

void ldisc_consume(struct tty *t, size_t n, bool eof)
{
	if (n > t->rq_count)
		n = t->rq_count;
	t->rq_head = (t->rq_head + n) % TTY_RQ_SIZE;
	t->rq_count -= n;
	if (!tty_canon(t) || !t->nlines)
		return;
	uint32_t *len = &t->lines[t->line_head];
	if (eof || n >= *len) {
		t->line_head = (t->line_head + 1) % TTY_MAX_LINES;
		t->nlines--;
	} else {
		*len -= n;
	}
}

void ldisc_set_termios(struct tty *t, const struct linux_termios *nt)
{
	bool was_canon = tty_canon(t);

	t->t = *nt;
	if (was_canon && !tty_canon(t)) {
		/* the line being edited can be read now; line boundaries go */
		for (unsigned i = 0; i < t->ed_len; i++)
			rq_push(t, t->ed[i]);
		t->ed_len = 0;
		t->nlines = t->line_head = 0;
	} else if (!was_canon && tty_canon(t)) {
		/* what is waiting becomes one line, so that nothing is lost */
		t->nlines = t->line_head = 0;
		t->ed_len = 0;
		t->ed_col = t->col;
		if (t->rq_count)
			t->lines[t->nlines++] = t->rq_count;
	}
}

/* ---- input -------------------------------------------------------------------------------- */

enum { ERASE, WERASE, KILL };

/* ERASE, WERASE and KILL on the line being edited, as Linux's eraser(). */
static void eraser(struct tty *t, int kind, uint8_t c)
{
	uint32_t lf = t->t.c_lflag;
	bool seen_word = false;

	if (!t->ed_len)
		return;
	if (kind == KILL) {
		if (!echo_on(t)) {
			t->ed_len = 0;
			return;
		}
		if (!(lf & LINUX_ECHOK) || !(lf & LINUX_ECHOKE) || !(lf & LINUX_ECHOE)) {
			t->ed_len = 0;
			echo_char(t, c);
			if (lf & LINUX_ECHOK)
				opost(t, '\n');
			t->ed_col = t->col;
			return;
		}
	}
	while (t->ed_len) {
		unsigned start = t->ed_len - 1;
		while (start && is_cont(t, (uint8_t)t->ed[start]))
			start--;
		uint8_t ch = (uint8_t)t->ed[start];
		if (kind == WERASE) {
			if (is_space(ch)) {
				if (seen_word)
					break;
			} else {
				seen_word = true;
			}
		}
		t->ed_len = start;
		if (echo_on(t)) {
			if (kind == ERASE && !(lf & LINUX_ECHOE)) {
				echo_char(t, c);
			} else if (ch == '\t') {
				unsigned col = line_column(t, t->ed_len);
				while (t->col > col)
					opost(t, '\b');
			} else if (is_ctl(ch)) {
				if (lf & LINUX_ECHOCTL)
					echo_erase(t, 2);
			} else {
				echo_erase(t, 1);
			}
		}
		if (kind == ERASE)
			break;
	}
}

static void isig(struct tty *t, int sig, uint8_t c)
{
	if (!(t->t.c_lflag & LINUX_NOFLSH))
		ldisc_flush_input(t);
	echo_char(t, c);
	ldisc_flush_out(t);     /* the echo before anything the signal makes appear */
	tty_signal(t, sig);
}

/* Room for one more byte in the line being edited (one byte is kept for
 * the line's end, so that a line can always be ended). */
static bool ed_room(const struct tty *t, bool terminator)
{
	unsigned used = t->rq_count + t->ed_len;
	return used + (terminator ? 0 : 1) < TTY_RQ_SIZE;
}

static void input_char(struct tty *t, uint8_t c)
{
	uint32_t iflag = t->t.c_iflag, lflag = t->t.c_lflag;

	if (t->lnext) {
		t->lnext = false;
		goto ordinary;
	}
	if (iflag & LINUX_ISTRIP)
		c &= 0x7f;
	if (c == '\r') {
		if (iflag & LINUX_IGNCR)
			return;
		if (iflag & LINUX_ICRNL)
			c = '\n';
	} else if (c == '\n' && (iflag & LINUX_INLCR)) {
		c = '\r';
	}
	if (lflag & LINUX_ISIG) {
		if (cc_is(t, LINUX_VINTR, c)) {
			isig(t, POSIX_SIGINT, c);
			return;
		}
		if (cc_is(t, LINUX_VQUIT, c)) {
			isig(t, POSIX_SIGQUIT, c);
			return;
		}
		if (cc_is(t, LINUX_VSUSP, c)) {
			isig(t, POSIX_SIGTSTP, c);
			return;
		}
	}
	if (lflag & LINUX_ICANON) {
		if (cc_is(t, LINUX_VERASE, c)) {
			eraser(t, ERASE, c);
			return;
		}
		if (cc_is(t, LINUX_VKILL, c)) {
			eraser(t, KILL, c);
			return;
		}
		if (lflag & LINUX_IEXTEN) {
			if (cc_is(t, LINUX_VWERASE, c)) {
				eraser(t, WERASE, c);
				return;
			}
			if (cc_is(t, LINUX_VLNEXT, c)) {
				t->lnext = true;
				return;
			}
			if (cc_is(t, LINUX_VREPRINT, c)) {
				if (echo_on(t)) {
					echo_char(t, c);
					opost(t, '\n');
					t->ed_col = t->col;
					for (unsigned i = 0; i < t->ed_len; i++)
						echo_char(t, (uint8_t)t->ed[i]);
				}
				return;
			}
		}
		if (c == '\n' || cc_is(t, LINUX_VEOL, c) ||
		    ((lflag & LINUX_IEXTEN) && cc_is(t, LINUX_VEOL2, c))) {
			if (!ed_room(t, true) || t->nlines == TTY_MAX_LINES)
				return;
			if (c == '\n') {
				if (echo_on(t) || (lflag & LINUX_ECHONL))
					opost(t, '\n');
			} else {
				echo_char(t, c);
			}
			t->ed[t->ed_len++] = (char)c;
			commit_line(t);
			t->ed_col = t->col;
			return;
		}
		if (cc_is(t, LINUX_VEOF, c)) {
			commit_line(t);     /* the partial line, or end of file */
			t->ed_col = t->col;
			return;
		}
	}
ordinary:
	if (lflag & LINUX_ICANON) {
		if (!ed_room(t, false))
			return;          /* the line is full: dropped */
		if (!t->ed_len)
			t->ed_col = t->col;
		t->ed[t->ed_len++] = (char)c;
		echo_char(t, c);
	} else {
		if (t->rq_count == TTY_RQ_SIZE)
			return;
		rq_push(t, (char)c);
		echo_char(t, c);
	}
}

void ldisc_input(struct tty *t, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		input_char(t, (uint8_t)s[i]);
}
