/* SPDX-License-Identifier: MIT */
/*
 * Raw output to the kernel's DebugConsole (the capability named "console"
 * in the start-up block): DEBUG_WRITE with w0 = length and the bytes in
 * ipcbuf->w[4..], message length 4 + ceil(len / 8) words, at most a
 * message's worth a call. No buffering here: libcairn's printf (console.c)
 * keeps lines, musl-port's write() (musl-port/src/cairn/fd.c) calls this
 * directly.
 */
#include <string.h>
#include <cairn/rt.h>

#define CHUNK_MAX  ((CAIRN_MSG_MAX - CAIRN_MSG_REGS) * 8)

static cap_t console = CAP_NULL;
static int console_looked_up;

cap_t cairn_console_cap(void)
{
	if (!console_looked_up) {
		console = cairn_cap("console");
		console_looked_up = 1;
	}
	return console;
}

err_t cairn_console_write(const char *s, size_t n)
{
	cap_t c = cairn_console_cap();

	if (c == CAP_NULL)
		return ERR_BADF;
	while (n) {
		size_t len = n < CHUNK_MAX ? n : CHUNK_MAX;
		struct cairn_msg m;

		memcpy(&cairn_ipcbuf()->w[CAIRN_MSG_REGS], s, len);
		m = cairn_call(c, cairn_tag(DEBUG_WRITE, CAIRN_MSG_REGS + (len + 7) / 8, 0), len, 0, 0, 0);
		if (m.err)
			return (err_t)m.err;
		if (cairn_tag_label(m.tag))
			return (err_t)cairn_tag_label(m.tag);
		s += len;
		n -= len;
	}
	return ERR_OK;
}
