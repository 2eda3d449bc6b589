/* SPDX-License-Identifier: MIT */
/*
 * A small printf engine for the kernel and servers. It follows C99 for the
 * conversions it supports, so host tests can compare it with libc's.
 */
#include <stdint.h>
#include <stdbool.h>
#include <format.h>

struct spec {
	bool left, zero, plus, space, alt;
	int width;
	int prec; /* -1: none */
};

struct out {
	fmt_sink_t sink;
	void *ctx;
	int n;
};

static void put(struct out *o, char c)
{
	o->sink(o->ctx, c);
	o->n++;
}

static void pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

static void emit_str(struct out *o, const struct spec *sp, const char *s)
{
	int len = 0;

	if (!s)
		s = "(null)";
	while (s[len] && (sp->prec < 0 || len < sp->prec))
		len++;
	if (!sp->left)
		pad(o, ' ', sp->width - len);
	for (int i = 0; i < len; i++)
		put(o, s[i]);
	if (sp->left)
		pad(o, ' ', sp->width - len);
}

static void emit_num(struct out *o, const struct spec *sp, uint64_t v, bool neg,
		     unsigned base, bool upper, const char *prefix)
{
	const char *dig = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int len = 0, plen = 0, zeros = 0;
	char sign = neg ? '-' : sp->plus ? '+' : sp->space ? ' ' : 0;

	while (v) {
		tmp[len++] = dig[v % base];
		v /= base;
	}
	if (sp->prec < 0 && len == 0)
		tmp[len++] = '0';
	if (sp->prec > len)
		zeros = sp->prec - len;
	if (base == 8 && prefix && zeros == 0 && (len == 0 || tmp[len - 1] != '0'))
		zeros = 1;
	if (base == 8)
		prefix = NULL;
	if (prefix)
		while (prefix[plen])
			plen++;
	int total = len + zeros + plen + (sign ? 1 : 0);
	if (!sp->left && sp->zero && sp->prec < 0)
		zeros += sp->width > total ? sp->width - total : 0, total = total > sp->width ? total : sp->width;
	if (!sp->left)
		pad(o, ' ', sp->width - total);
	if (sign)
		put(o, sign);
	for (int i = 0; i < plen; i++)
		put(o, prefix[i]);
	pad(o, '0', zeros);
	while (len)
		put(o, tmp[--len]);
	if (sp->left)
		pad(o, ' ', sp->width - total);
}

static const char *parse_int(const char *f, int *v)
{
	*v = 0;
	while (*f >= '0' && *f <= '9')
		*v = *v * 10 + (*f++ - '0');
	return f;
}

int fmt_vformat(fmt_sink_t sink, void *ctx, const char *f, va_list ap)
{
	struct out o = { sink, ctx, 0 };

	for (; *f; f++) {
		if (*f != '%') {
			put(&o, *f);
			continue;
		}
		struct spec sp = { .prec = -1 };
		for (;; f++) {
			char c = f[1];
			if (c == '-') sp.left = true;
			else if (c == '0') sp.zero = true;
			else if (c == '+') sp.plus = true;
			else if (c == ' ') sp.space = true;
			else if (c == '#') sp.alt = true;
			else break;
		}
		f++;
		if (*f == '*') {
			sp.width = va_arg(ap, int);
			if (sp.width < 0)
				sp.left = true, sp.width = -sp.width;
			f++;
		} else {
			f = parse_int(f, &sp.width);
		}
		if (*f == '.') {
			f++;
			if (*f == '*') {
				sp.prec = va_arg(ap, int);
				if (sp.prec < 0)
					sp.prec = -1;
				f++;
			} else {
				f = parse_int(f, &sp.prec);
			}
		}
		int lng = 0; /* -2 hh, -1 h, 0 int, 1 long, 2 long long */
		for (;; f++) {
			if (*f == 'h') lng--;
			else if (*f == 'l') lng++;
			else if (*f == 'z' || *f == 't' || *f == 'j') lng = 2;
			else break;
		}
		uint64_t u;
		int64_t s;
		switch (*f) {
		case 'd':
		case 'i':
			s = lng >= 1 ? (lng == 1 ? va_arg(ap, long) : va_arg(ap, long long)) : va_arg(ap, int);
			if (lng == -1) s = (short)s;
			if (lng <= -2) s = (signed char)s;
			emit_num(&o, &sp, s < 0 ? -(uint64_t)s : (uint64_t)s, s < 0, 10, false, NULL);
			break;
		case 'u': case 'x': case 'X': case 'o':
			u = lng >= 1 ? (lng == 1 ? va_arg(ap, unsigned long) : va_arg(ap, unsigned long long))
				     : va_arg(ap, unsigned int);
			if (lng == -1) u = (unsigned short)u;
			if (lng <= -2) u = (unsigned char)u;
			sp.plus = sp.space = false;   /* sign flags are for signed conversions */
			if (*f == 'u')
				emit_num(&o, &sp, u, false, 10, false, NULL);
			else if (*f == 'o')
				emit_num(&o, &sp, u, false, 8, false, sp.alt ? "0" : NULL);
			else
				emit_num(&o, &sp, u, false, 16, *f == 'X',
					 sp.alt && u ? (*f == 'X' ? "0X" : "0x") : NULL);
			break;
		case 'p':
			u = (uintptr_t)va_arg(ap, void *);
			emit_num(&o, &sp, u, false, 16, false, "0x");
			break;
		case 's':
			emit_str(&o, &sp, va_arg(ap, const char *));
			break;
		case 'c': {
			char str[2] = { (char)va_arg(ap, int), 0 };
			struct spec one = sp;
			one.prec = 1;
			if (!str[0]) { /* %c of NUL still prints one character */
				if (!sp.left) pad(&o, ' ', sp.width - 1);
				put(&o, 0);
				if (sp.left) pad(&o, ' ', sp.width - 1);
			} else {
				emit_str(&o, &one, str);
			}
			break;
		}
		case '%':
			put(&o, '%');
			break;
		case 0:
			return o.n;
		default: /* unknown conversion: print it as is */
			put(&o, '%');
			put(&o, *f);
			break;
		}
	}
	return o.n;
}

struct buf {
	char *p;
	size_t left;
};

static void buf_sink(void *ctx, char c)
{
	struct buf *b = ctx;

	if (b->left > 1) {
		*b->p++ = c;
		b->left--;
	}
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct buf b = { buf, size };
	int n = fmt_vformat(buf_sink, &b, fmt, ap);

	if (size)
		*b.p = 0;
	return n;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
