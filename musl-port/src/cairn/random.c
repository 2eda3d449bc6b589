/* SPDX-License-Identifier: MIT */
/*
 * getrandom, and the bytes of AT_RANDOM at start-up: libcairn's generator
 * (user/lib/random.c, compiled in by scripts/toolchain.mk: ChaCha20 with
 * fast key erasure), seeded once per process from what it can observe
 * (<cairn/random.h> says what: the time counter around system calls,
 * KINFO_TIME and KINFO_FREE_PAGES with "kinfo", RDRAND, addresses). A
 * fork's child folds its pid and the counter in, so parent and child part
 * ways. There is no entropy device behind it yet: under `-icount` the
 * output is deterministic. Good enough for hash seeds and stack canaries,
 * not for keys, until an entropy server (virtio-rng) exists. The VFS's
 * /dev/urandom is the same generator, in the VFS.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <cairn/counter.h>
#include <cairn/random.h>
#include "cairn_impl.h"

#define GRND_NONBLOCK  1
#define GRND_RANDOM    2
#define GRND_INSECURE  4
#define GETRANDOM_MAX  33554431   /* what Linux returns at most per call */

static struct cairn_rng rng;

void __cairn_random_bytes(void *buf, size_t n)
{
	if (!rng.seeded)
		cairn_rng_seed(&rng, cairn_cap("kinfo"));
	cairn_rng_bytes(&rng, buf, n);
}

void __cairn_random_forked(long pid)
{
	if (!rng.seeded)
		return;
	cairn_rng_mix(&rng, (uint64_t)pid << 32 ^ seed_jitter());
	cairn_rng_mix(&rng, seed_jitter());
	for (int i = 0; i < 3; i++)
		cairn_rng_mix(&rng, 0);     /* stir */
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
