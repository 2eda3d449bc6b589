/* SPDX-License-Identifier: MIT */
/*
 * The Internet checksum for lwIP (LWIP_CHKSUM, port/lwipopts.h): the
 * one's-complement sum of data as 16-bit words, not inverted, in the
 * byte order lwIP wants ("host order": the sum of the words as loaded),
 * at any alignment and length.
 *
 * lwIP's own sums two bytes an iteration; every segment received and sent
 * is summed, so this one sums eight bytes an addition (a 64-bit
 * accumulator whose carries go back in at once, folded to 16 bits at the
 * end), four words a loop. A little-endian machine's (riscv64, x86-64):
 * a byte at an odd address is the high half of its word.
 */
#include <stdint.h>
#include <string.h>
#include "chksum.h"

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "net_chksum: little-endian only"
#endif

typedef uint64_t __attribute__((may_alias)) word64;
typedef uint16_t __attribute__((may_alias)) word16;

static inline uint64_t add_carry(uint64_t s, uint64_t w)
{
	s += w;
	return s + (s < w);
}

uint16_t net_chksum(const void *data, int len)
{
	const uint8_t *p = data;
	uint64_t s = 0;
	int odd = (uintptr_t)p & 1;

	if (len <= 0)
		return 0;
	if (odd) {
		s = (uint64_t)*p++ << 8;
		len--;
	}
	while (len >= 2 && ((uintptr_t)p & 7)) {
		s += *(const word16 *)p;
		p += 2;
		len -= 2;
	}
	while (len >= 32) {
		const word64 *w = (const word64 *)p;

		s = add_carry(s, w[0]);
		s = add_carry(s, w[1]);
		s = add_carry(s, w[2]);
		s = add_carry(s, w[3]);
		p += 32;
		len -= 32;
	}
	while (len >= 8) {
		s = add_carry(s, *(const word64 *)p);
		p += 8;
		len -= 8;
	}
	while (len >= 2) {
		s = add_carry(s, *(const word16 *)p);
		p += 2;
		len -= 2;
	}
	if (len)
		s = add_carry(s, *p);
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffffu) + (s >> 16);
	s = (s & 0xffffu) + (s >> 16);
	if (odd)
		s = ((s & 0xff) << 8) | (s >> 8);
	return (uint16_t)s;
}
