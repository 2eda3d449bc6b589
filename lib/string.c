/* SPDX-License-Identifier: MIT */
/*
 * Freestanding string and memory functions. Simple byte loops, with a
 * word-at-a-time path for the large copies and fills that page handling
 * and IPC do (memset 64 bytes a turn once 8-byte aligned: a page in about
 * 600 instructions instead of 2,000 a word at a time; memcpy 64 bytes a
 * turn when source and destination are as
 * far from an 8-byte boundary: 0.3 instructions a byte instead of 0.75;
 * when they are not, as a file of the boot image, whose data the cpio
 * format aligns to 4 bytes only, copied into an IPC buffer, words shifted
 * together: about 0.6 instead of 5 with bytes).
 */
#include <stdint.h>
#include <string.h>
#include <stdlib.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/*
 * memcpy when d and s are not both 8-byte aligned and n >= 64: d to its
 * boundary, then words, shifted together when s is not on one too: each 8
 * bytes written are the end of one aligned word of s and the start of the
 * next, each read once. Only words holding at least one byte of s[0..n)
 * are read (the first one's bytes before s share its 8-byte block, which
 * is never partly unmapped): it stops while the next word still ends
 * inside s[0..n). Out of line and reached by a tail call, so that
 * memcpy's common cases keep their few registers and no frame.
 */
__attribute__((noinline)) static void *copy_unaligned(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	for (; (uintptr_t)d & 7; n--)
		*d++ = *s++;
	if (((uintptr_t)s & 7) == 0) {
		for (; n >= 8; n -= 8, d += 8, s += 8)
			*(uint64_t *)d = *(const uint64_t *)s;
	} else {
		unsigned off = (unsigned)((uintptr_t)s & 7), lsh = 8 * off, rsh = 64 - lsh;
		const uint64_t *w = (const uint64_t *)(s - off);
		uint64_t *o = (uint64_t *)d, lo = w[0];
		size_t left = n;

		/* the word after w[0] ends 15 - off bytes after s */
		for (; left >= 40; left -= 32, w += 4, o += 4) {
			uint64_t a1 = w[1], a2 = w[2], a3 = w[3], a4 = w[4];
			o[0] = (lo >> lsh) | (a1 << rsh);
			o[1] = (a1 >> lsh) | (a2 << rsh);
			o[2] = (a2 >> lsh) | (a3 << rsh);
			o[3] = (a3 >> lsh) | (a4 << rsh);
			lo = a4;
		}
		for (; left >= 16; left -= 8, w++, o++) {
			uint64_t hi = w[1];
			*o = (lo >> lsh) | (hi << rsh);
			lo = hi;
		}
		d += n - left;
		s += n - left;
		n = left;
	}
	while (n--)
		*d++ = *s++;
	return dst;
}
#endif

void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (((((uintptr_t)d | (uintptr_t)s) & 7) != 0) && n >= 64)
		return copy_unaligned(dst, src, n);    /* a jump: no frame here */
#endif
	if ((((uintptr_t)d | (uintptr_t)s) & 7) == 0) {
		/* 64 bytes a turn: IPC messages and pages are mostly this */
		for (; n >= 64; n -= 64, d += 64, s += 64) {
			uint64_t a0 = ((const uint64_t *)s)[0], a1 = ((const uint64_t *)s)[1];
			uint64_t a2 = ((const uint64_t *)s)[2], a3 = ((const uint64_t *)s)[3];
			uint64_t a4 = ((const uint64_t *)s)[4], a5 = ((const uint64_t *)s)[5];
			uint64_t a6 = ((const uint64_t *)s)[6], a7 = ((const uint64_t *)s)[7];
			((uint64_t *)d)[0] = a0;
			((uint64_t *)d)[1] = a1;
			((uint64_t *)d)[2] = a2;
			((uint64_t *)d)[3] = a3;
			((uint64_t *)d)[4] = a4;
			((uint64_t *)d)[5] = a5;
			((uint64_t *)d)[6] = a6;
			((uint64_t *)d)[7] = a7;
		}
		for (; n >= 8; n -= 8, d += 8, s += 8)
			*(uint64_t *)d = *(const uint64_t *)s;
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d == s || n == 0)
		return dst;
	if (d < s || d >= s + n)
		return memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

/* Bytes up to an 8-byte boundary, then 64 bytes a turn, then words,
 * then bytes. */
void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;

	if (n >= 16) {
		uint64_t w = (unsigned char)c * 0x0101010101010101ull;
		for (; (uintptr_t)d & 7; n--)
			*d++ = (unsigned char)c;
		for (; n >= 64; n -= 64, d += 64) {
			((uint64_t *)d)[0] = w;
			((uint64_t *)d)[1] = w;
			((uint64_t *)d)[2] = w;
			((uint64_t *)d)[3] = w;
			((uint64_t *)d)[4] = w;
			((uint64_t *)d)[5] = w;
			((uint64_t *)d)[6] = w;
			((uint64_t *)d)[7] = w;
		}
		for (; n >= 8; n -= 8, d += 8)
			*(uint64_t *)d = w;
	}
	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

void *memchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;

	for (; n; n--, p++)
		if (*p == (unsigned char)c)
			return (void *)p;
	return NULL;
}

size_t strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return p - s;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			break;
	}
	return 0;
}

char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

char *strrchr(const char *s, int c)
{
	const char *last = NULL;

	for (;; s++) {
		if (*s == (char)c)
			last = s;
		if (!*s)
			return (char *)last;
	}
}

size_t strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size) {
		size_t n = len < size - 1 ? len : size - 1;
		memcpy(dst, src, n);
		dst[n] = 0;
	}
	return len;
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return 99;
}

unsigned long strtoul(const char *s, char **end, int base)
{
	const char *start = s, *digits;
	unsigned long v = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	if ((base == 0 || base == 16) && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') &&
	    digit_value(s[2]) < 16) {
		s += 2;
		base = 16;
	} else if (base == 0) {
		base = s[0] == '0' ? 8 : 10;
	}
	for (digits = s; digit_value(*s) < base; s++) {
		unsigned long d = digit_value(*s);
		v = v > (~0ul - d) / base ? ~0ul : v * base + d;   /* saturates, as C's */
	}
	if (end)
		*end = (char *)(s == digits ? start : s);   /* no digits: C's endptr = nptr */
	return v;
}
