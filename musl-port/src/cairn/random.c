/* SPDX-License-Identifier: MIT */
/*
 * getrandom, and the bytes of AT_RANDOM at start-up: a ChaCha20 generator
 * with fast key erasure (the key is replaced after every request),
 * seeded once per process from what it can observe:
 * - the time counter (riscv64 rdtime and rdcycle, x86_64 rdtsc) read
 *   around 64 null system calls and yields, whose durations jitter with
 *   the host under QEMU's TCG;
 * - KINFO_TIME and KINFO_FREE_PAGES when the process has "kinfo";
 * - x86_64 RDRAND when the CPU has it (QEMU's qemu64 does not);
 * - the addresses of the stack and of the start-up data.
 * There is no entropy device behind it yet: under `-icount` the counter
 * readings are deterministic, and then so is the output. Good enough for
 * hash seeds and stack canaries, not for keys, until an entropy server
 * (virtio-rng) exists.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include "cairn_impl.h"
#include "cairn_arch.h"

#define GRND_NONBLOCK  1
#define GRND_RANDOM    2
#define GRND_INSECURE  4
#define GETRANDOM_MAX  33554431   /* what Linux returns at most per call */

static uint32_t key[8];
static uint64_t counter;
static int seeded;

static uint32_t rotl(uint32_t v, int n) { return v << n | v >> (32 - n); }

#define QR(a, b, c, d) (a += b, d = rotl(d ^ a, 16), c += d, b = rotl(b ^ c, 12), \
			a += b, d = rotl(d ^ a, 8), c += d, b = rotl(b ^ c, 7))

static void chacha20(const uint32_t k[8], uint64_t ctr, uint32_t out[16])
{
	uint32_t in[16] = { 0x61707865, 0x3320646e, 0x79622d32, 0x6b206574,
			    k[0], k[1], k[2], k[3], k[4], k[5], k[6], k[7],
			    (uint32_t)ctr, (uint32_t)(ctr >> 32), 0, 0 };
	uint32_t x[16];

	memcpy(x, in, sizeof(x));
	for (int i = 0; i < 10; i++) {
		QR(x[0], x[4], x[8], x[12]); QR(x[1], x[5], x[9], x[13]);
		QR(x[2], x[6], x[10], x[14]); QR(x[3], x[7], x[11], x[15]);
		QR(x[0], x[5], x[10], x[15]); QR(x[1], x[6], x[11], x[12]);
		QR(x[2], x[7], x[8], x[13]); QR(x[3], x[4], x[9], x[14]);
	}
	for (int i = 0; i < 16; i++)
		out[i] = x[i] + in[i];
}

static uint64_t cycles(void)
{
	return cairn_arch_jitter();
}

/* Folds a sample into the key; every fourth one stirs it. */
static void mix(uint64_t v)
{
	static unsigned n;
	uint32_t out[16];

	key[n % 8] ^= (uint32_t)v;
	key[(n + 1) % 8] ^= (uint32_t)(v >> 32);
	if (++n % 4 == 0) {
		chacha20(key, counter++, out);
		memcpy(key, out, sizeof(key));
	}
}

static void seed(void)
{
	struct cairn_msg m;
	cap_t kinfo = cairn_cap("kinfo");
	uint64_t v;

	mix((uintptr_t)&v);
	mix((uintptr_t)&key ^ cycles());
	if (kinfo != CAP_NULL) {
		if (!cairn_invoke(kinfo, KINFO_TIME, 0, 0, 0, 0, 0, &m))
			mix(m.w[0]);
		if (!cairn_invoke(kinfo, KINFO_FREE_PAGES, 0, 0, 0, 0, 0, &m))
			mix(m.w[0] << 20 ^ m.w[1]);
	}
	for (int i = 0; i < 64; i++) {
		mix(cycles());
		if (i & 1)
			cairn_null();
		else
			cairn_yield();
	}
	for (int i = 0; i < 8; i++)
		if (cairn_arch_hw_random(&v))
			mix(v);
	mix(cycles());
	for (int i = 0; i < 4; i++)
		mix(0);     /* stir what is left */
	seeded = 1;
}

void __cairn_random_bytes(void *buf, size_t n)
{
	unsigned char *p = buf;
	uint32_t out[16];

	if (!seeded)
		seed();
	while (n) {
		size_t k = n < 64 ? n : 64;

		chacha20(key, counter++, out);
		memcpy(p, out, k);
		p += k;
		n -= k;
	}
	chacha20(key, counter++, out);     /* fast key erasure */
	memcpy(key, out, sizeof(key));
	memset(out, 0, sizeof(out));
}

long __cairn_getrandom(void *buf, size_t len, long flags)
{
	if ((unsigned long)flags & ~(unsigned long)(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
		return -EINVAL;
	if ((flags & GRND_RANDOM) && (flags & GRND_INSECURE))
		return -EINVAL;
	if (len > GETRANDOM_MAX)
		len = GETRANDOM_MAX;
	__cairn_random_bytes(buf, len);
	return (long)len;
}
