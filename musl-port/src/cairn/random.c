/* SPDX-License-Identifier: MIT */
/*
 * getrandom, the bytes of AT_RANDOM at start-up and reads of /dev/random
 * and /dev/urandom (fd.c): one generator per process, libcairn's
 * (user/lib/random.c, compiled in by scripts/toolchain.mk: ChaCha20 with
 * fast key erasure, so bytes handed out cannot be recomputed from a later
 * state).
 *
 * Seeding: 512 bits from the entropy server (RNG_READ on the capability
 * "rng", which the process server gives every POSIX process: posix.rng)
 * the first time bytes are wanted (AT_RANDOM, before main). A program
 * without "rng" (init started it by itself) falls back to what it can
 * observe (<cairn/random.h>: the time counter around system calls,
 * KernelInfo, RDRAND, addresses); so does one whose server fails.
 *
 * fork: the child at once folds its pid and the counter in (so it never
 * continues its parent's stream, even before it reseeds), and before its
 * first bytes reseeds from the entropy server (lazily: a fork that execs
 * at once costs no call). posix_spawn's CLONE_VM|CLONE_VFORK is a fork
 * here (fork.c), so the same holds; the child only ever writes its own
 * copy of the state. Threads share the generator under a lock, each
 * request moving the key on, so no two threads get the same bytes; a
 * signal handler is held back while the main thread holds the lock (it
 * may want bytes too).
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
#define CHUNK          4096       /* bytes made under the lock at a time */

static struct cairn_rng rng;
static volatile int rng_lock;
static int reseed_wanted;         /* a fork's child, not reseeded from the server yet */

static void seed(void)
{
	cap_t ep = cairn_cap("rng");

	if (ep != CAP_NULL && !cairn_rng_seed_from(&rng, ep))
		return;
	cairn_rng_seed(&rng, cairn_cap("kinfo"));
}

/* Takes the generator: holds signal handlers back on the calling
 * thread first (1: it did), as pipe.c does. */
static int take(void)
{
	__cairn_sig_self()->hold++;
	__cairn_lock(&rng_lock);
	return 1;
}

static void give(int held)
{
	struct cairn_sigthr *me = __cairn_sig_self();

	__cairn_unlock(&rng_lock);
	if (held && !--me->hold && me->held)
		__cairn_sig_release();
}

void __cairn_random_bytes(void *buf, size_t n)
{
	unsigned char *p = buf;

	do {
		size_t k = n < CHUNK ? n : CHUNK;
		int held = take();

		if (!rng.seeded)
			seed();
		else if (reseed_wanted && cairn_cap("rng") != CAP_NULL)
			cairn_rng_seed_from(&rng, cairn_cap("rng"));
		reseed_wanted = 0;
		cairn_rng_bytes(&rng, p, k);
		give(held);
		p += k;
		n -= k;
	} while (n);
}

void __cairn_random_forked(long pid)
{
	rng_lock = 0;                   /* a thread of the parent may have held it */
	if (!rng.seeded)
		return;                 /* seeds itself when first asked */
	cairn_rng_mix(&rng, (uint64_t)pid << 32 ^ seed_jitter());
	cairn_rng_mix(&rng, seed_jitter());
	for (int i = 0; i < 3; i++)
		cairn_rng_mix(&rng, 0);     /* stir */
	reseed_wanted = 1;
}

long __cairn_getrandom(void *buf, size_t len, long flags)
{
	if ((unsigned long)flags & ~(unsigned long)(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
		return -EINVAL;
	if ((flags & GRND_RANDOM) && (flags & GRND_INSECURE))
		return -EINVAL;
	if (len > GETRANDOM_MAX)
		len = GETRANDOM_MAX;
	if (!len)
		return 0;
	if (!__cairn_mem_writable((uintptr_t)buf, len))
		return -EFAULT;
	__cairn_random_bytes(buf, len);
	return (long)len;
}
