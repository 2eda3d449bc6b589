/* SPDX-License-Identifier: MIT */
/*
 * The console server's parts (docs/console.md):
 *
 *   main.c    the server: open descriptions, the I/O protocol, waiting
 *             readers and writers, poll arms, signals, the event thread,
 *             pseudo-terminals (a pty's slave is a tty like the console,
 *             its master the "device" under it)
 *   ldisc.c   the line discipline: input processing and editing, echo,
 *             output post-processing, the read queue, termios
 *   dev_*.c   the character device under the tty: where input comes from
 *             and output goes: dev_relay.c (the kernel's DebugConsole:
 *             DEBUG_READ / DEBUG_BIND_INPUT / DEBUG_WRITE) or dev_16550.c
 *             (the UART itself, on an MmioRegion or an IoPort, and an
 *             IrqLine); dev.c picks one.
 */
#ifndef CONSOLE_H
#define CONSOLE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cairn/rt.h>
#include <cairn/posix.h>
#include <cairn/tty.h>

/* ---- the device (dev_relay.c) -------------------------------------------------------- */
/* Binds the device's input to bit `bit` of Notification `notify`: it is
 * signalled when input arrives (and may be signalled spuriously). */
err_t dev_init(cap_t notify, uint64_t bit);
/* Takes up to max bytes that have arrived, without waiting; 0 if none. */
size_t dev_read(char *buf, size_t max);
/* Writes n bytes; the line discipline has already post-processed them. */
void dev_write(const char *s, size_t n);
/* Prints the device's name for the start-up line. */
const char *dev_name(void);

/* The two devices (dev.c picks one). */
err_t relay_init(cap_t notify, uint64_t bit);
size_t relay_read(char *buf, size_t max);
void relay_write(const char *s, size_t n);
const char *relay_name(void);
err_t uart_init(cap_t notify, uint64_t bit);
size_t uart_read(char *buf, size_t max);
void uart_write(const char *s, size_t n);
const char *uart_name(void);

/* ---- the line discipline (ldisc.c) ----------------------------------------------------- */
#define TTY_RQ_SIZE    4096   /* the read queue (and the longest line, less one) */
#define TTY_MAX_LINES  256    /* completed lines (and end-of-file marks) waiting */
#define TTY_OUT_SIZE   4096
#define TTY_CAPT_SIZE  8192

struct tty {
	struct linux_termios t;
	struct linux_winsize ws;
	/* the read queue: bytes a read may take (completed lines in canonical mode) */
	char rq[TTY_RQ_SIZE];
	unsigned rq_head, rq_count;
	/* canonical mode: the lengths of the completed lines in rq (0 = end of file) */
	uint32_t lines[TTY_MAX_LINES];
	unsigned line_head, nlines;
	/* canonical mode: the line being edited */
	char ed[TTY_RQ_SIZE];
	unsigned ed_len, ed_col;
	bool lnext;
	/* output: post-processed bytes not yet written, the cursor column */
	char ob[TTY_OUT_SIZE];
	unsigned ob_len, col;
	/* test hook: output diverted into capt[] (TTY_CAPT_SIZE, the console's
	 * only) instead of the device */
	bool capture;
	char *capt;
	unsigned capt_len;
	uint64_t last_input_ns;
};

void ldisc_init(struct tty *t);
/* Input from the device (or TIOCSTI): editing, echo, signals. */
void ldisc_input(struct tty *t, const char *s, size_t n);
/* Output from a writer, post-processed (OPOST). */
void ldisc_write(struct tty *t, const char *s, size_t n);
/* Sends the pending output to the device (or the capture buffer). */
void ldisc_flush_out(struct tty *t);
/* New settings (TCSETS); turning ICANON on or off keeps the input. */
void ldisc_set_termios(struct tty *t, const struct linux_termios *nt);
/* Drops all input: the read queue and the line being edited. */
void ldisc_flush_input(struct tty *t);
/* A read could take something now (poll: Linux's rule for VMIN). */
bool ldisc_readable(const struct tty *t, bool poll);
/* The bytes a read could take now (FIONREAD). */
unsigned ldisc_inq(const struct tty *t);
/* What a read of at most max bytes takes: copies it to buf and returns its
 * length; *eof when it is an end-of-file mark (length 0). Nothing is taken
 * until ldisc_consume(). */
size_t ldisc_peek(const struct tty *t, char *buf, size_t max, bool *eof);
void ldisc_consume(struct tty *t, size_t n, bool eof);

static inline bool tty_canon(const struct tty *t) { return t->t.c_lflag & LINUX_ICANON; }

/* ---- main.c, called by the line discipline ---------------------------------------------- */
/* ^C, ^\, ^Z: the signal for tty t's foreground process group. */
void tty_signal(struct tty *t, int sig);
/* Post-processed output of tty t: to the device (the console) or to the
 * master's queue (a pty's slave). */
void tty_output(struct tty *t, const char *s, size_t n);
/* The monotonic clock in ns (0 without a "kinfo" capability). */
uint64_t tty_now(void);

#endif
