/* SPDX-License-Identifier: MIT */
/*
 * memset, 64 bytes a turn in 64-bit stores once the destination is on an
 * 8-byte boundary (a 4 KiB page: ~600 instructions). As memcpy.c: the
 * kernel's and libcairn's, and on riscv64 musl's (src/string/riscv64/).
 */
#include <stdint.h>
#include <string.h>

/* at -O2 wherever built (musl builds an arch's own string file at -Os),
 * and no loop turned into a call of memcpy or memset itself */
#pragma GCC optimize("O2", "no-tree-loop-distribute-patterns")

typedef uint64_t __attribute__((__may_alias__)) word_t;

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;

	if (n >= 16) {
		uint64_t w = (unsigned char)c * 0x0101010101010101ull;
		word_t *o;

		for (; (uintptr_t)d & 7; n--)
			*d++ = (unsigned char)c;
		o = (word_t *)d;
		for (; n >= 64; n -= 64, o += 8) {
			o[0] = w; o[1] = w; o[2] = w; o[3] = w;
			o[4] = w; o[5] = w; o[6] = w; o[7] = w;
		}
		for (; n >= 8; n -= 8)
			*o++ = w;
		d = (unsigned char *)o;
	}
	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}
