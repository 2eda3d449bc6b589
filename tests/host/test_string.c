// SPDX-License-Identifier: MIT
/*
 * Host tests of lib/string.c, compiled with every name renamed to k_* (see
 * host.mk) and compared with the host libc over many sizes, alignments and
 * byte values. Buffers are exactly sized heap blocks where it matters, so
 * AddressSanitizer catches any read or write past the end.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "test.h"
#include "host.h"

void *k_memcpy(void *dst, const void *src, size_t n);
void *k_memmove(void *dst, const void *src, size_t n);
void *k_memset(void *dst, int c, size_t n);
int k_memcmp(const void *a, const void *b, size_t n);
void *k_memchr(const void *s, int c, size_t n);
size_t k_strlen(const char *s);
size_t k_strnlen(const char *s, size_t max);
int k_strcmp(const char *a, const char *b);
int k_strncmp(const char *a, const char *b, size_t n);
char *k_strchr(const char *s, int c);
char *k_strrchr(const char *s, int c);
size_t k_strlcpy(char *dst, const char *src, size_t size);
unsigned long k_strtoul(const char *s, char **end, int base);

#define GUARD 16
#define MAXN  300

static int sign(int x) { return (x > 0) - (x < 0); }

static void fill_random(unsigned char *p, size_t n, uint64_t *seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)host_rand(seed);
}

TEST(memcpy_sizes_alignments)
{
	unsigned char src[MAXN + 2 * GUARD], got[MAXN + 2 * GUARD], want[MAXN + 2 * GUARD];
	uint64_t seed = 1;

	for (size_t n = 0; n <= MAXN; n += (n < 40 ? 1 : 7))
		for (size_t so = 0; so < 16; so++)
			for (size_t d = 0; d < 16; d++) {
				fill_random(src, sizeof(src), &seed);
				fill_random(got, sizeof(got), &seed);
				memcpy(want, got, sizeof(got));
				CHECK(k_memcpy(got + d, src + so, n) == got + d);
				memcpy(want + d, src + so, n);
				CHECK(memcmp(got, want, sizeof(got)) == 0);
			}
	return true;
}

/* Exactly-sized blocks: the word-at-a-time path must stop at the end. */
TEST(memcpy_memset_exact_blocks)
{
	uint64_t seed = 2;

	for (size_t n = 1; n <= 200; n++) {
		unsigned char *a = malloc(n), *b = malloc(n);
		fill_random(a, n, &seed);
		k_memcpy(b, a, n);
		CHECK(memcmp(a, b, n) == 0);
		k_memset(b, 0x5a, n);
		for (size_t i = 0; i < n; i++)
			CHECK(b[i] == 0x5a);
		free(a);
		free(b);
	}
	return true;
}

/* A source that is not 8-byte aligned and ends exactly at its block's
 * end, into aligned and unaligned destinations: the shifted-word path may
 * read back to its 8-byte boundary, never past the end. */
TEST(memcpy_misaligned_exact_end)
{
	uint64_t seed = 4;

	for (size_t off = 1; off < 8; off++)
		for (size_t n = 1; n <= 300; n += (n < 70 ? 1 : 13)) {
			unsigned char *a = malloc(off + n), *b = malloc(n + 8);
			fill_random(a, off + n, &seed);
			for (size_t d = 0; d < 8; d++) {
				memset(b, 0, n + 8);
				CHECK(k_memcpy(b + d, a + off, n) == b + d);
				CHECK(memcmp(b + d, a + off, n) == 0);
				for (size_t i = 0; i < d; i++)
					CHECK(b[i] == 0);
				for (size_t i = d + n; i < n + 8; i++)
					CHECK(b[i] == 0);
			}
			free(a);
			free(b);
		}
	return true;
}

TEST(memmove_overlap)
{
	unsigned char buf[MAXN + 64], want[MAXN + 64];
	uint64_t seed = 3;

	for (size_t n = 0; n <= MAXN; n += (n < 48 ? 1 : 13))
		for (size_t s = 0; s < 24; s++)
			for (size_t d = 0; d < 24; d++) {
				fill_random(buf, sizeof(buf), &seed);
				memcpy(want, buf, sizeof(buf));
				CHECK(k_memmove(buf + d, buf + s, n) == buf + d);
				memmove(want + d, want + s, n);
				CHECK(memcmp(buf, want, sizeof(buf)) == 0);
			}
	return true;
}

TEST(memset_values)
{
	unsigned char got[MAXN + 2 * GUARD], want[MAXN + 2 * GUARD];
	static const int vals[] = { 0, 1, 0x7f, 0x80, 0xff, 0x1ab, -1, -128 };
	uint64_t seed = 4;

	for (size_t n = 0; n <= MAXN; n += (n < 40 ? 1 : 11))
		for (size_t d = 0; d < 16; d++)
			for (size_t v = 0; v < sizeof(vals) / sizeof(vals[0]); v++) {
				fill_random(got, sizeof(got), &seed);
				memcpy(want, got, sizeof(got));
				CHECK(k_memset(got + d, vals[v], n) == got + d);
				memset(want + d, vals[v], n);
				CHECK(memcmp(got, want, sizeof(got)) == 0);
			}
	return true;
}

TEST(memcmp_memchr)
{
	unsigned char a[128], b[128];
	uint64_t seed = 5;

	for (size_t n = 0; n < sizeof(a); n++) {
		fill_random(a, sizeof(a), &seed);
		memcpy(b, a, sizeof(a));
		CHECK(k_memcmp(a, b, n) == 0);
		for (size_t i = 0; i < n; i += 5) {
			b[i] ^= 0x80;   /* high bytes must compare as unsigned */
			CHECK(sign(k_memcmp(a, b, n)) == sign(memcmp(a, b, n)));
			CHECK(sign(k_memcmp(b, a, n)) == sign(memcmp(b, a, n)));
			b[i] = a[i];
		}
		for (int c = 0; c < 256; c += 17) {
			CHECK(k_memchr(a, c, n) == memchr(a, c, n));
			CHECK(k_memchr(a, c + 256, n) == memchr(a, c + 256, n));
		}
	}
	return true;
}

/* A NUL-terminated copy of s in an exactly-sized block. */
static char *exact(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);

	memcpy(p, s, n);
	return p;
}

static const char *const strs[] = {
	"", "a", "ab", "abc", "abcdefgh", "abcdefghi", "hello, world", "\x80\xff high",
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "abd", "abcdefgg", "z", "\x7f",
};
#define NSTRS (sizeof(strs) / sizeof(strs[0]))

TEST(strlen_strnlen)
{
	for (size_t i = 0; i < NSTRS; i++) {
		char *s = exact(strs[i]);
		size_t len = strlen(s);
		CHECK(k_strlen(s) == len);
		for (size_t m = 0; m <= len + 3; m++)
			CHECK(k_strnlen(s, m) == strnlen(s, m));
		free(s);
	}
	/* strnlen must not look past max even without a NUL */
	char *raw = malloc(7);
	memcpy(raw, "1234567", 7);
	CHECK(k_strnlen(raw, 7) == 7 && k_strnlen(raw, 3) == 3);
	free(raw);
	return true;
}

TEST(strcmp_strncmp)
{
	for (size_t i = 0; i < NSTRS; i++)
		for (size_t j = 0; j < NSTRS; j++) {
			char *a = exact(strs[i]), *b = exact(strs[j]);
			CHECK(sign(k_strcmp(a, b)) == sign(strcmp(a, b)));
			for (size_t n = 0; n < 14; n++)
				CHECK(sign(k_strncmp(a, b, n)) == sign(strncmp(a, b, n)));
			free(a);
			free(b);
		}
	return true;
}

TEST(strchr_strrchr)
{
	for (size_t i = 0; i < NSTRS; i++) {
		char *s = exact(strs[i]);
		for (int c = 0; c < 256; c++) {
			CHECK(k_strchr(s, c) == strchr(s, c));
			CHECK(k_strrchr(s, c) == strrchr(s, c));
		}
		/* c is converted to char: 'a' + 256 finds 'a' */
		CHECK(k_strchr(s, 'a' + 256) == strchr(s, 'a'));
		CHECK(k_strchr(s, 0) == s + strlen(s));
		free(s);
	}
	return true;
}

TEST(strlcpy)
{
	for (size_t i = 0; i < NSTRS; i++) {
		char *src = exact(strs[i]);
		size_t len = strlen(src);
		for (size_t size = 0; size <= len + 2; size++) {
			char *dst = malloc(size ? size : 1);
			memset(dst, '#', size ? size : 1);
			CHECK(k_strlcpy(dst, src, size) == len);
			if (size == 0) {
				CHECK(dst[0] == '#');
			} else {
				size_t n = len < size - 1 ? len : size - 1;
				CHECK(memcmp(dst, src, n) == 0 && dst[n] == 0);
			}
			free(dst);
		}
		free(src);
	}
	return true;
}

/*
 * strtoul over the inputs the kernel gives it (no sign; spaces and tabs
 * before the number): value and end pointer as libc's, including the end
 * pointer when there are no digits and saturation at ULONG_MAX.
 */
TEST(strtoul_bases)
{
	static const char *const in[] = {
		"0", "1", "42", "  42", "\t7x", "0x1f", "0X1F", "0x", "0xg", "0x1fg", "017", "08", "09",
		"0", "00", "ff", "FF", "zz", "Zz9", "123abc", "18446744073709551615", "0xffffffffffffffff",
		"01777777777777777777777", "", " ", "abc", "12 34", "0b101", "0x0x5", "1_000",
		"18446744073709551616", "99999999999999999999999999", "0x10000000000000000",
		"0x1ffffffffffffffff", "zzzzzzzzzzzzzzzzzz", "  \t", "\t0x",
	};
	static const int bases[] = { 0, 2, 8, 10, 16, 36 };

	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++)
		for (size_t b = 0; b < sizeof(bases) / sizeof(bases[0]); b++) {
			char *s = exact(in[i]);
			char *ge = NULL, *we = NULL;
			unsigned long g = k_strtoul(s, &ge, bases[b]);
			unsigned long w = strtoul(s, &we, bases[b]);
			if (g != w || ge != we)
				printf("# strtoul(\"%s\", %d): got %lu end+%td, want %lu end+%td\n",
				       in[i], bases[b], g, ge - s, w, we - s);
			CHECK(g == w && ge == we);
			CHECK(k_strtoul(s, NULL, bases[b]) == w);
			free(s);
		}
	return true;
}

/* Regressions: the end pointer with no digits, and overflow. */
TEST(strtoul_no_digits_and_overflow)
{
	const char *s = "  \tx";
	char *end = NULL;

	CHECK(k_strtoul(s, &end, 10) == 0 && end == s);
	s = "  0x";
	CHECK(k_strtoul(s, &end, 0) == 0 && end == s + 3);   /* "0", then 'x' */
	CHECK(k_strtoul("18446744073709551616", NULL, 10) == ~0ul);
	CHECK(k_strtoul("fffffffffffffffff0", NULL, 16) == ~0ul);
	CHECK(k_strtoul("18446744073709551615", NULL, 10) == ~0ul);
	CHECK(k_strtoul("18446744073709551614", NULL, 10) == ~0ul - 1);
	return true;
}

/* memset from every offset off an 8-byte boundary, lengths across the
 * 64-byte turns: exactly [d, d + n) written. */
TEST(memset_offsets_and_lengths)
{
	static uint64_t buf[64];
	unsigned char *b = (unsigned char *)buf;

	for (size_t off = 0; off < 8; off++) {
		for (size_t n = 0; n <= 300; n++) {
			memset(buf, 0xee, sizeof(buf));
			k_memset(b + off, 0x11, n);
			for (size_t i = 0; i < sizeof(buf); i++)
				CHECK(b[i] == (i >= off && i < off + n ? 0x11 : 0xee));
		}
	}
	return true;
}
