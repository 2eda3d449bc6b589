/* SPDX-License-Identifier: MIT */
/*
 * A random generator: ChaCha20 (RFC 8439's block function, a 64-bit block
 * counter and no nonce) keyed from the entropy server (RNG_READ,
 * include/cairn/dev.h) or, without one, from what the process observed,
 * with fast key erasure: after every request the key is replaced by fresh
 * output. <cairn/random.h> says what seeds it. Used by the entropy server
 * itself, the VFS (/dev/urandom) and, compiled into musl-port, by
 * getrandom, AT_RANDOM and reads of /dev/urandom.
 */
#include <string.h>
#include <cairn/counter.h>
#include <cairn/dev.h>
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

void cairn_rng_add(struct cairn_rng *r, const void *buf, size_t n)
{
	const unsigned char *p = buf;
	uint64_t v;

	for (size_t i = 0; i < n; i += 8) {
		v = 0;
		memcpy(&v, p + i, n - i < 8 ? n - i : 8);
		cairn_rng_mix(r, v);
	}
	for (int i = 0; i < 4; i++)
		cairn_rng_mix(r, 0);      /* stir what is left */
	v = 0;
}

err_t cairn_rng_read(cap_t ep, void *buf, size_t n)
{
	unsigned char *p = buf;

	if (ep == CAP_NULL)
		return ERR_BADF;
	while (n) {
		size_t k = n < RNG_READ_MAX ? n : RNG_READ_MAX, got;
		struct cairn_msg m;
		int tries = 0;

		do
			m = cairn_call(ep, cairn_tag(RNG_READ, CAIRN_MSG_REGS, 0), k, 0, 0, 0);
		while (m.err == ERR_INTR && ++tries < 100);    /* a signal handler ran */
		if (m.err)
			return (err_t)m.err;
		if (cairn_tag_label(m.tag))
			return (err_t)cairn_tag_label(m.tag);
		got = m.w[0];
		if (!got || got > k || cairn_tag_len(m.tag) < CAIRN_MSG_REGS + (got + 7) / 8)
			return ERR_IO;                   /* an answer that breaks the protocol */
		memcpy(p, &cairn_ipcbuf()->w[CAIRN_MSG_REGS], got);
		p += got;
		n -= got;
	}
	return ERR_OK;
}

err_t cairn_rng_seed_from(struct cairn_rng *r, cap_t ep)
{
	unsigned char seed[CAIRN_RNG_SEED_BYTES];
	err_t e;

	if ((e = cairn_rng_read(ep, seed, sizeof(seed))))
		return e;
	cairn_rng_mix(r, (uintptr_t)r ^ seed_jitter());
	cairn_rng_add(r, seed, sizeof(seed));
	memset(seed, 0, sizeof(seed));
	r->seeded = 1;
	return ERR_OK;
}
