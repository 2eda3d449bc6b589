// SPDX-License-Identifier: MIT
/*
 * Host tests of lib/format.c: fmt_snprintf must print what the host libc's
 * snprintf prints for every conversion, flag, width, precision and length
 * modifier it supports, and follow C99 for truncation and return values.
 * Combinations C leaves undefined ('#' with %d, '0' with %s, ...) and
 * glibc's own choices (%p of NULL) are not compared.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <limits.h>
#include <format.h>
#include "test.h"
#include "host.h"

/* Formats with both implementations and reports any difference. */
static bool same(const char *fmt, ...)
{
	char want[512], got[512];
	va_list ap, aq;

	va_start(ap, fmt);
	va_copy(aq, ap);
	int wn = vsnprintf(want, sizeof(want), fmt, ap);
	int gn = fmt_vsnprintf(got, sizeof(got), fmt, aq);
	va_end(aq);
	va_end(ap);
	if (wn != gn || strcmp(want, got) != 0) {
		printf("# format \"%s\": libc \"%s\" (%d), fmt \"%s\" (%d)\n", fmt, want, wn, got, gn);
		return false;
	}
	return true;
}

TEST(signed_decimal)
{
	static const int vals[] = { 0, 1, -1, 7, -7, 42, -42, 1000, 65535, -65536,
				    INT_MAX, INT_MIN, INT_MAX - 1, INT_MIN + 1 };
	static const char *fmts[] = { "%d", "%i", "[%5d]", "[%-5d]", "[%05d]", "[%+d]", "[% d]",
				      "[%+05d]", "[% 05d]", "[%-+6d]", "[%.3d]", "[%8.3d]", "[%-8.3d]",
				      "[%08.3d]", "[%.0d]", "[%5.0d]", "[%+.0d]", "[%1d]", "[%20d]",
				      "[%-020d]", "[% -8i]", "[%+ d]" };
	bool ok = true;

	for (size_t f = 0; f < sizeof(fmts) / sizeof(fmts[0]); f++)
		for (size_t v = 0; v < sizeof(vals) / sizeof(vals[0]); v++)
			ok &= same(fmts[f], vals[v]);
	CHECK(ok);
	return true;
}

TEST(unsigned_hex_octal)
{
	static const unsigned vals[] = { 0, 1, 7, 8, 9, 15, 16, 255, 256, 0777, 01000, 0xdeadbeef,
					 UINT_MAX, UINT_MAX / 2 };
	static const char *fmts[] = { "%u", "%x", "%X", "%o", "[%#x]", "[%#X]", "[%#o]",
				      "[%10x]", "[%-10X]", "[%010x]", "[%#010x]", "[%#-10x]",
				      "[%.5x]", "[%#.5x]", "[%#.5o]", "[%#.0o]", "[%#.0x]", "[%.0u]",
				      "[%#5o]", "[%#05o]", "[%012o]", "[%-12u]", "[%08.4u]", "[%#2x]" };
	bool ok = true;

	for (size_t f = 0; f < sizeof(fmts) / sizeof(fmts[0]); f++)
		for (size_t v = 0; v < sizeof(vals) / sizeof(vals[0]); v++)
			ok &= same(fmts[f], vals[v]);
	CHECK(ok);
	return true;
}

/* '+' and ' ' only apply to signed conversions (C99 7.19.6.1). */
TEST(sign_flags_ignored_for_unsigned)
{
	CHECK(same("[%+u]", 5u));
	CHECK(same("[% u]", 5u));
	CHECK(same("[%+x]", 0xabu));
	CHECK(same("[% X]", 0xabu));
	CHECK(same("[%+o]", 8u));
	CHECK(same("[%+#x]", 0xabu));
	CHECK(same("[% 8u]", 77u));
	CHECK(same("[%+08lu]", 77ul));
	return true;
}

TEST(length_modifiers)
{
	bool ok = true;

	ok &= same("%hhd %hhd %hhd %hhu %hhx", 127, 128, -129, 511, 0x1ff);
	ok &= same("%hd %hd %hu %hx %ho", 32767, 32768, 70000, 0x12345, 0x10001);
	ok &= same("%ld %ld %lu %lx %lo", LONG_MAX, LONG_MIN, ULONG_MAX, 0x123456789abcdeful, 0777ul);
	ok &= same("%lld %lld %llu %llX", LLONG_MAX, LLONG_MIN, ULLONG_MAX, 0xfedcba9876543210ull);
	ok &= same("%zu %zx %zd", (size_t)SIZE_MAX, (size_t)0x1234, (ssize_t)-5);
	ok &= same("%jd %ju %td", (intmax_t)INT64_MIN, (uintmax_t)UINT64_MAX, (ptrdiff_t)-77);
	ok &= same("[%+20lld] [%-20llu] [%#25llo]", -1234567890123ll, 1234567890123ull, ULLONG_MAX);
	ok &= same("[%.20lx] [%#30.20llx]", 0xabcul, 0xabcdefull);
	CHECK(ok);
	return true;
}

TEST(strings_and_chars)
{
	bool ok = true;

	ok &= same("[%s]", "hello");
	ok &= same("[%s]", "");
	ok &= same("[%10s]", "hi");
	ok &= same("[%-10s]", "hi");
	ok &= same("[%.3s]", "abcdef");
	ok &= same("[%.0s]", "abcdef");
	ok &= same("[%8.2s]", "abcdef");
	ok &= same("[%-8.10s]", "abcdef");
	ok &= same("[%1s]", "abcdef");
	ok &= same("[%c]", 'x');
	ok &= same("[%5c]", 'y');
	ok &= same("[%-5c]", 'z');
	ok &= same("[%c%c%c]", 'a', 'b', 'c');
	ok &= same("[%c]", 0xe9);
	ok &= same("100%%");
	ok &= same("a%%b%%%%c");
	ok &= same("no conversions at all");
	CHECK(ok);
	return true;
}

/* Output that contains NUL: compare lengths and bytes, not strings. */
TEST(char_nul)
{
	char want[16], got[16];

	memset(want, 'q', sizeof(want));
	memset(got, 'q', sizeof(got));
	int wn = snprintf(want, sizeof(want), "a%cb%-3cc%3c", 0, 0, 0);
	int gn = fmt_snprintf(got, sizeof(got), "a%cb%-3cc%3c", 0, 0, 0);
	CHECK(wn == 10 && gn == wn);
	CHECK(memcmp(want, got, (size_t)wn + 1) == 0);
	return true;
}

TEST(pointer)
{
	int x;
	void *ps[] = { &x, (void *)1, (void *)0xffffffffffffffffull, (void *)0x80000000ul };
	bool ok = true;

	for (size_t i = 0; i < sizeof(ps) / sizeof(ps[0]); i++) {
		ok &= same("%p", ps[i]);
		ok &= same("[%20p]", ps[i]);
		ok &= same("[%-20p]", ps[i]);
	}
	CHECK(ok);
	return true;
}

TEST(star_width_and_precision)
{
	bool ok = true;

	for (int w = -12; w <= 12; w += 3)
		for (int p = -2; p <= 6; p += 2) {
			ok &= same("[%*d]", w, -123);
			ok &= same("[%*.*d]", w, p, 4567);
			ok &= same("[%.*s]", p, "precision");
			ok &= same("[%*.*s]", w, p, "precision");
			ok &= same("[%-*x]", w, 0xbeefu);
			ok &= same("[%0*u]", w, 99u);
		}
	CHECK(ok);
	return true;
}

TEST(truncation_and_return_value)
{
	char buf[16];
	const char *full = "value=12345 end";   /* 15 characters */

	for (size_t n = 0; n <= sizeof(buf); n++) {
		memset(buf, '#', sizeof(buf));
		int r = fmt_snprintf(buf, n, "value=%d %s", 12345, "end");
		CHECK(r == 15);
		if (n == 0) {
			CHECK(buf[0] == '#');
			continue;
		}
		size_t k = n - 1 < 15 ? n - 1 : 15;
		CHECK(memcmp(buf, full, k) == 0 && buf[k] == 0);
		for (size_t i = k + 1; i < sizeof(buf); i++)
			CHECK(buf[i] == '#');     /* nothing written past the end */
	}
	CHECK(fmt_snprintf(NULL, 0, "%s%d", "abc", -10) == 6);
	CHECK(fmt_snprintf(buf, sizeof(buf), "%s", "") == 0 && buf[0] == 0);
	return true;
}

struct counter {
	char buf[64];
	int n;
};

static void count_sink(void *ctx, char c)
{
	struct counter *k = ctx;

	if (k->n < (int)sizeof(k->buf) - 1)
		k->buf[k->n] = c;
	k->n++;
}

static int via_sink(struct counter *k, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int r = fmt_vformat(count_sink, k, fmt, ap);
	va_end(ap);
	k->buf[k->n < (int)sizeof(k->buf) ? k->n : (int)sizeof(k->buf) - 1] = 0;
	return r;
}

TEST(vformat_sink)
{
	struct counter k = { .n = 0 };

	CHECK(via_sink(&k, "%s=%#x, %-4d|", "id", 0x2au, 7) == 14);
	CHECK(k.n == 14 && strcmp(k.buf, "id=0x2a, 7   |") == 0);
	return true;
}

/* Random specifiers over the defined combinations, against libc. */
TEST(random_specs)
{
	static const char convs[] = "diuxXoscp";
	uint64_t seed = 0x1234567;
	bool ok = true;

	for (int iter = 0; iter < 20000 && ok; iter++) {
		char fmt[64], *f = fmt;
		char conv = convs[host_rand(&seed) % (sizeof(convs) - 1)];
		bool is_int = strchr("diuxXo", conv) != NULL;
		uint64_t r = host_rand(&seed);
		int len = is_int ? (int)(host_rand(&seed) % 6) : 0;  /* "", hh, h, l, ll, z */

		*f++ = '[';
		*f++ = '%';
		if (r & 1) *f++ = '-';
		if ((r & 2) && conv != 's' && conv != 'c' && conv != 'p') *f++ = '0';
		if ((r & 4) && conv != 'p') *f++ = '+';
		if ((r & 8) && conv != 'p') *f++ = ' ';
		if ((r & 16) && strchr("xXo", conv)) *f++ = '#';
		if (r & 32)
			f += sprintf(f, "%u", (unsigned)(r >> 8) % 25);
		if ((r & 64) && conv != 'c' && conv != 'p')
			f += sprintf(f, ".%u", (unsigned)(r >> 16) % 12);
		static const char *mods[] = { "", "hh", "h", "l", "ll", "z" };
		f += sprintf(f, "%s%c]", mods[len], conv);

		uint64_t v = host_rand(&seed) >> (host_rand(&seed) % 64);
		switch (conv) {
		case 's':
			ok = same(fmt, "random string" + (v % 14));
			break;
		case 'c':
			ok = same(fmt, (int)(v % 94) + 33);
			break;
		case 'p':
			ok = same(fmt, (void *)(uintptr_t)(v | 1));
			break;
		default:
			if (len <= 2)
				ok = same(fmt, (int)v);
			else if (len == 3)
				ok = same(fmt, (long)v);
			else if (len == 4)
				ok = same(fmt, (long long)v);
			else
				ok = same(fmt, (size_t)v);
		}
	}
	CHECK(ok);
	return true;
}
