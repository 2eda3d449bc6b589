/* SPDX-License-Identifier: MIT */
/*
 * A random generator (user/lib/random.c): ChaCha20 with fast key erasure,
 * seeded from what a process can observe. Shared by libcairn programs (the
 * VFS's /dev/random and /dev/urandom) and musl-port (getrandom, AT_RANDOM),
 * which compiles user/lib/random.c in as well.
 */
#ifndef CAIRN_RANDOM_H
#define CAIRN_RANDOM_H
#include <stddef.h>
#include <stdint.h>
#include <cairn/sys.h>

struct cairn_rng {
	uint32_t key[8];
	uint64_t counter;
	unsigned samples;          /* folded in since the last stir */
	int seeded;
};

/*
 * Seeds r (once more: what it held stays mixed in) from
 * - the time counter (riscv64 rdtime and rdcycle, x86_64 rdtsc) read
 *   around 64 null system calls and yields, whose durations jitter with
 *   the host under QEMU's TCG;
 * - KINFO_TIME and KINFO_FREE_PAGES when kinfo is a KernelInfo capability
 *   (CAP_NULL: none);
 * - x86_64 RDRAND when the CPU has it (QEMU's qemu64 does not);
 * - the addresses of the stack and of r.
 * There is no entropy device behind it yet: under `-icount` the counter
 * readings are deterministic, and then so is the output. Good enough for
 * hash seeds, stack canaries and /dev/urandom's casual users, not for
 * keys, until an entropy server (virtio-rng) exists.
 */
void cairn_rng_seed(struct cairn_rng *r, cap_t kinfo);

/* Folds v into r's key (every fourth value stirs it). */
void cairn_rng_mix(struct cairn_rng *r, uint64_t v);

/* n bytes of r's output; then the key is replaced (fast key erasure: what
 * was handed out cannot be recomputed from a later state). r must be
 * seeded. */
void cairn_rng_bytes(struct cairn_rng *r, void *buf, size_t n);

#endif
