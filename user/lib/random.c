/* SPDX-License-Identifier: MIT */
/*
 * A random generator: ChaCha20 (RFC 8439's block function, a 64-bit block
 * counter and no nonce) keyed by what the process observed, with fast key
 * erasure: after every request the key is replaced by fresh output.
 * <cairn/random.h> says what seeds it. Used by the VFS (/dev/urandom)
 * and, compiled into musl-port, by getrandom and AT_RANDOM.
 */
#include <string.h>
#include <cairn/counter.h>
#include <cairn/random.h>

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

void cairn_rng_mix(struct cairn_rng *r, uint64_t v)
{
	uint32_t out[16];
	unsigned n = r->samples;

	r->key[n % 8] ^= (uint32_t)v;
	r->key[(n + 1) % 8] ^= (uint32_t)(v >> 32);
	if (++r->samples % 4 == 0) {
		chacha20(r->key, r->counter++, out);
		memcpy(r->key, out, sizeof(r->key));
	}
}

void cairn_rng_seed(struct cairn_rng *r, cap_t kinfo)
{
	struct cairn_msg m;
	uint64_t v;

	cairn_rng_mix(r, (uintptr_t)&v);
	cairn_rng_mix(r, (uintptr_t)r ^ seed_jitter());
	if (kinfo != CAP_NULL) {
		if (!cairn_invoke(kinfo, KINFO_TIME, 0, 0, 0, 0, 0, &m))
			cairn_rng_mix(r, m.w[0]);
		if (!cairn_invoke(kinfo, KINFO_FREE_PAGES, 0, 0, 0, 0, 0, &m))
			cairn_rng_mix(r, m.w[0] << 20 ^ m.w[1]);
	}
	for (int i = 0; i < 64; i++) {
		cairn_rng_mix(r, seed_jitter());
		if (i & 1)
			cairn_null();
		else
			cairn_yield();
	}
	for (int i = 0; i < 8; i++)
		if (hw_random(&v))
			cairn_rng_mix(r, v);
	cairn_rng_mix(r, seed_jitter());
	for (int i = 0; i < 4; i++)
		cairn_rng_mix(r, 0);      /* stir what is left */
	r->seeded = 1;
}

void cairn_rng_bytes(struct cairn_rng *r, void *buf, size_t n)
{
	unsigned char *p = buf;
	uint32_t out[16];

	while (n) {
		size_t k = n < 64 ? n : 64;

		chacha20(r->key, r->counter++, out);
		memcpy(p, out, k);
		p += k;
		n -= k;
	}
	chacha20(r->key, r->counter++, out);     /* fast key erasure */
	memcpy(r->key, out, sizeof(r->key));
	memset(out, 0, sizeof(out));
}
