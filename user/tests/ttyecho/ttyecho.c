/* SPDX-License-Identifier: MIT */
/*
 * ttyecho: the other end of tests/harness/tty_test.py, which types into
 * QEMU's serial console (user/manifests/ttyecho.manifest). Everything it
 * writes goes through the tty (the capability "tty"), so the host sees the
 * console server's output processing as well as its echo.
 *
 * Says "ttyecho: ready", then prompts "> " and answers each line read with
 * "[line]" (without its newline). The line "raw" switches the tty to
 * non-canonical mode without echo for one read of 3 bytes (VMIN 3),
 * answered "{bytes}". End of file (0 bytes) prints "[EOF]" and ends, after
 * closing the tty, so the console server (clients=1) ends too.
 */
#include <string.h>
#include <cairn/rt.h>
#include <cairn/posix.h>
#include <cairn/tty.h>

static cap_t tty;

static err_t send(uint32_t label, const void *data, size_t len, uint64_t w0, struct cairn_msg *out)
{
	struct cairn_msg m;

	if (len)
		memcpy(&cairn_ipcbuf()->w[CAIRN_MSG_REGS], data, len);
	m = cairn_call(tty, cairn_tag(label, posix_words(len), 0), w0, 0, 0, 0);
	if (out)
		*out = m;
	return m.err ? (err_t)m.err : (err_t)cairn_tag_label(m.tag);
}

static void put(const char *s, size_t len)
{
	send(IO_WRITE, s, len, len, NULL);
}

static void puts_tty(const char *s)
{
	put(s, strlen(s));
}

/* A read of at most max bytes; -1 on an error. */
static long get(char *buf, size_t max)
{
	struct cairn_msg m;
	err_t e = send(IO_READ, NULL, 0, max, &m);

	if (e || m.w[0] > max) {
		printf("ttyecho: read failed: %s\n", err_name(e));
		return -1;
	}
	memcpy(buf, &cairn_ipcbuf()->w[CAIRN_MSG_REGS], m.w[0]);
	return (long)m.w[0];
}

static void bracket(char open, const char *s, size_t len, char close)
{
	char out[300];
	size_t k = 0;

	out[k++] = open;
	for (size_t i = 0; i < len && k < sizeof(out) - 3; i++)
		out[k++] = s[i];
	out[k++] = close;
	out[k++] = '\n';
	put(out, k);
}

static int raw_read(void)
{
	struct linux_termios t, raw;
	struct cairn_msg m;
	char buf[16];
	long n;

	if (send(IO_IOCTL, NULL, 0, LINUX_TCGETS, &m) || m.w[1] != LINUX_TERMIOS_SIZE)
		return 1;
	memcpy(&t, &cairn_ipcbuf()->w[CAIRN_MSG_REGS], sizeof(t));
	raw = t;
	raw.c_lflag &= ~(LINUX_ICANON | LINUX_ECHO);
	raw.c_cc[LINUX_VMIN] = 3;
	raw.c_cc[LINUX_VTIME] = 0;
	if (send(IO_IOCTL, &raw, sizeof(raw), LINUX_TCSETS, NULL))
		return 1;
	puts_tty("raw> ");
	n = get(buf, 3);
	if (n < 0)
		return 1;
	bracket('{', buf, (size_t)n, '}');
	return send(IO_IOCTL, &t, sizeof(t), LINUX_TCSETS, NULL) ? 1 : 0;
}

int main(int argc, char **argv)
{
	char line[256];

	tty = cairn_cap("tty");
	if (tty == CAP_NULL) {
		printf("ttyecho: no capability 'tty'\n");
		return 1;
	}
	/* without `testhooks` the console server refuses to be typed into */
	err_t e = send(IO_IOCTL, "x", 1, LINUX_TIOCSTI, NULL);
	puts_tty(e == ERR_PERM ? "ttyecho: TIOCSTI refused\n" : "ttyecho: TIOCSTI not refused\n");
	puts_tty("ttyecho: ready\n");
	for (;;) {
		long n;

		puts_tty("> ");
		n = get(line, sizeof(line));
		if (n < 0)
			return 1;
		if (n == 0) {
			puts_tty("[EOF]\n");
			break;
		}
		if (line[n - 1] == '\n')
			n--;
		bracket('[', line, (size_t)n, ']');
		if (n == 3 && !memcmp(line, "raw", 3) && raw_read())
			return 1;
	}
	send(IO_CLOSE, NULL, 0, 0, NULL);
	return 0;
}
