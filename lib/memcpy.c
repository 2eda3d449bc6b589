/* SPDX-License-Identifier: MIT */
/*
 * memcpy, word at a time for the large copies that page handling, IPC and
 * file data do: 64 bytes a turn when source and destination are as far
 * from an 8-byte boundary (0.3 instructions a byte instead of 0.75); when
 * they are not (a file of the boot image, whose data the cpio format
 * aligns to 4 bytes only, copied into an IPC buffer), words shifted
 * together (about 0.6 instead of 5 with bytes).
 *
 * The kernel's and libcairn's (lib/Build.mk, scripts/user.mk), and on
 * riscv64 musl's too: scripts/toolchain.mk puts this file in musl's tree
 * as src/string/riscv64/memcpy.c, which replaces musl's C memcpy (16
 * bytes a turn in 32-bit words: a 4 KiB copy ~2,800 instructions, ~1,100
 * here). Tested on the host with lib/string.c (tests/host/test_string.c).
 * musl's build passes neither -O2 nor -fno-tree-loop-distribute-patterns
 * for a file of an arch's own: the pragma below gives both. No restrict
 * on the pointers: with it, x86_64's servers (their byte loops made into
 * SSE copies) broke posix signals.sigqueue, so some caller copies with
 * overlapping ends (not found yet); without it this is what it was.
 */
#include <stdint.h>
#include <string.h>

/* at -O2 wherever built (musl builds an arch's own string file at -Os),
 * and no loop turned into a call of memcpy or memset itself */
#pragma GCC optimize("O2", "no-tree-loop-distribute-patterns")

typedef uint64_t __attribute__((__may_alias__)) word_t;

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
__attribute__((noinline))
static void *copy_unaligned(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	for (; (uintptr_t)d & 7; n--)
		*d++ = *s++;
	if (((uintptr_t)s & 7) == 0) {
		for (; n >= 8; n -= 8, d += 8, s += 8)
			*(word_t *)d = *(const word_t *)s;
	} else {
		unsigned off = (unsigned)((uintptr_t)s & 7), lsh = 8 * off, rsh = 64 - lsh;
		const word_t *w = (const word_t *)(s - off);
		word_t *o = (word_t *)d;
		uint64_t lo = w[0];
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
			uint64_t a0 = ((const word_t *)s)[0], a1 = ((const word_t *)s)[1];
			uint64_t a2 = ((const word_t *)s)[2], a3 = ((const word_t *)s)[3];
			uint64_t a4 = ((const word_t *)s)[4], a5 = ((const word_t *)s)[5];
			uint64_t a6 = ((const word_t *)s)[6], a7 = ((const word_t *)s)[7];
			((word_t *)d)[0] = a0;
			((word_t *)d)[1] = a1;
			((word_t *)d)[2] = a2;
			((word_t *)d)[3] = a3;
			((word_t *)d)[4] = a4;
			((word_t *)d)[5] = a5;
			((word_t *)d)[6] = a6;
			((word_t *)d)[7] = a7;
		}
		for (; n >= 8; n -= 8, d += 8, s += 8)
			*(word_t *)d = *(const word_t *)s;
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

