/* SPDX-License-Identifier: MIT */
/*
 * printf and friends on the kernel's DebugConsole (the capability named
 * "console" in the start-up block). Output is kept until a newline or a
 * full buffer, then sent with DEBUG_WRITE: w0 = length, the bytes in
 * ipcbuf->w[4..], message length 4 + ceil(len / 8) words. A line arrives
 * whole, so lines of concurrent processes do not interleave.
 */
#include <string.h>
#include <format.h>
#include <cairn/rt.h>

#define LINE_MAX   512
#define CHUNK_MAX  ((CAIRN_MSG_MAX - CAIRN_MSG_REGS) * 8)

static char line[LINE_MAX];
static size_t line_len;
static cap_t console = CAP_NULL;
static int console_looked_up;

static cap_t console_cap(void)
{
	if (!console_looked_up) {
		console = cairn_cap("console");
		console_looked_up = 1;
	}
	return console;
}

void cairn_console_write(const char *s, size_t n)
{
	cap_t c = console_cap();

	if (c == CAP_NULL)
		return;
	while (n) {
		size_t len = n < CHUNK_MAX ? n : CHUNK_MAX;

		memcpy(&cairn_ipcbuf()->w[CAIRN_MSG_REGS], s, len);
		cairn_call(c, cairn_tag(DEBUG_WRITE, CAIRN_MSG_REGS + (len + 7) / 8, 0), len, 0, 0, 0);
		s += len;
		n -= len;
	}
}

void cairn_console_flush(void)
{
	if (line_len)
		cairn_console_write(line, line_len);
	line_len = 0;
}

int putchar(int c)
{
	line[line_len++] = (char)c;
	if (c == '\n' || line_len == LINE_MAX)
		cairn_console_flush();
	return (unsigned char)c;
}

static void sink(void *ctx, char c)
{
	(void)ctx;
	putchar(c);
}

int vprintf(const char *fmt, va_list ap)
{
	return fmt_vformat(sink, NULL, fmt, ap);
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

int puts(const char *s)
{
	while (*s)
		putchar(*s++);
	putchar('\n');
	return 0;
}
