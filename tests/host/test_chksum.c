/* SPDX-License-Identifier: MIT */
/*
 * The network server's Internet checksum (user/servers/net/chksum.c)
 * against the plain definition (RFC 1071: big-endian 16-bit words, an
 * odd last byte padded with zero), at every alignment and length up to a
 * jumbo frame, on random bytes and on the all-ones bytes that carry most.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "test.h"
#include "../../user/servers/net/chksum.h"

/* The definition: the sum of big-endian words, folded. */
static uint16_t ref_sum(const uint8_t *p, int len)
{
	uint32_t s = 0;

	for (int i = 0; i + 1 < len; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* lwIP's "host order": on a little-endian machine the bytes swapped */
static uint16_t host(uint16_t be)
{
	return (uint16_t)(be >> 8 | be << 8);
}

static bool check_buf(const uint8_t *base, int maxlen)
{
	for (int off = 0; off < 8; off++)
		for (int len = 0; len <= maxlen; len += len < 80 ? 1 : 37) {
			uint16_t want = host(ref_sum(base + off, len)), got = net_chksum(base + off, len);

			if (want != got) {
				printf("# offset %d length %d: %04x, want %04x\n", off, len, got, want);
				return false;
			}
		}
	return true;
}

TEST(chksum_random_bytes)
{
	static uint8_t buf[9100];
	uint32_t x = 2463534242u;

	for (size_t i = 0; i < sizeof(buf); i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = (uint8_t)x;
	}
	CHECK(check_buf(buf, 9000));
	return true;
}

TEST(chksum_all_ones)
{
	static uint8_t buf[9100];

	memset(buf, 0xff, sizeof(buf));
	CHECK(check_buf(buf, 9000));
	/* a sum of ones and zeros that folds to exactly 0xffff */
	buf[0] = 0;
	buf[1] = 0;
	CHECK(check_buf(buf, 200));
	return true;
}

TEST(chksum_empty_and_negative)
{
	uint8_t b[2] = { 0x12, 0x34 };

	CHECK(net_chksum(b, 0) == 0);
	CHECK(net_chksum(b, -1) == 0);
	CHECK(net_chksum(b, 1) == host(0x1200));
	return true;
}
