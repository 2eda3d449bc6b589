/* SPDX-License-Identifier: MIT */
/*
 * printf-style formatting without libc: %d %i %u %x %X %o %p %s %c %%,
 * flags '-' '0' '+' ' ' '#', width and precision (also '*'), length
 * modifiers hh h l ll z t j. Output goes to a callback or a buffer.
 */
#ifndef CAIRN_FORMAT_H
#define CAIRN_FORMAT_H
#include <stdarg.h>
#include <stddef.h>

typedef void (*fmt_sink_t)(void *ctx, char c);

/* Formats to `sink`; returns the number of characters produced. */
int fmt_vformat(fmt_sink_t sink, void *ctx, const char *fmt, va_list ap);

/* C99 semantics: always NUL-terminates when size > 0, returns the length
 * the full output would have had. */
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
