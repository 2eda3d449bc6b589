/* SPDX-License-Identifier: MIT */
/*
 * printf and friends on the kernel's DebugConsole (the capability named
 * "console" in the start-up block). Output is kept until a newline or a
 * full buffer, then sent with cairn_console_write() (debugcons.c). A line
 * arrives whole, so lines of concurrent processes do not interleave.
 */
#include <string.h>
#include <format.h>
#include <cairn/rt.h>

#define LINE_MAX   512

static char line[LINE_MAX];
static size_t line_len;

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
