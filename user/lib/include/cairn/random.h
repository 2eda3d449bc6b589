/* SPDX-License-Identifier: MIT */
/*
 * A random generator (user/lib/random.c): ChaCha20 with fast key erasure,
 * seeded from the entropy server (user/servers/entropy, RNG_READ of
 * include/cairn/dev.h) when the process holds a capability to it, else
 * from what the process can observe. Shared by libcairn programs (the
 * entropy server's own generator, the VFS's /dev/random and /dev/urandom)
 * and musl-port (getrandom, AT_RANDOM, /dev/urandom), which compiles
 * user/lib/random.c in as well.
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

/* Bytes cairn_rng_seed_from() asks for: 512 bits. */
#define CAIRN_RNG_SEED_BYTES  64

/*
 * Seeds r (once more: what it held stays mixed in) from
 * - the time counter (riscv64 rdtime and rdcycle, x86_64 rdtsc) read
 *   around 64 null system calls and yields, whose durations jitter with
 *   the host under QEMU's TCG;
 * - KINFO_TIME and KINFO_FREE_PAGES when kinfo is a KernelInfo capability
 *   (CAP_NULL: none);
 * - x86_64 RDRAND when the CPU has it;
 * - the addresses of the stack and of r.
 * The fallback of a process without the entropy server: under `-icount`
 * the counter readings are deterministic, and then so is the output (with
 * no RDRAND). Good enough for hash seeds and stack canaries, not for keys.
 */
void cairn_rng_seed(struct cairn_rng *r, cap_t kinfo);

/*
 * Seeds r (once more: what it held stays mixed in) with
 * CAIRN_RNG_SEED_BYTES from the RNG_READ server at ep (the entropy server:
 * the capability a POSIX process finds as "rng"). Returns 0 (r is seeded),
 * or the error of cairn_rng_read() (r is as it was, but for stirring).
 */
err_t cairn_rng_seed_from(struct cairn_rng *r, cap_t ep);

/*
 * Reads n bytes from the RNG_READ server at ep into buf, as many
 * RNG_READs of at most RNG_READ_MAX as it takes (one interrupted by a
 * signal handler, ERR_INTR, is made again). Returns 0, ERR_BADF without
 * ep, the server's answer or the call's error, or ERR_IO for an answer
 * that breaks the protocol (no bytes, or more than asked). Uses the
 * caller's IPC buffer.
 */
err_t cairn_rng_read(cap_t ep, void *buf, size_t n);

/* Folds the n bytes at buf into r's key, then stirs. */
void cairn_rng_add(struct cairn_rng *r, const void *buf, size_t n);

/* Folds v into r's key (every fourth value stirs it). */
void cairn_rng_mix(struct cairn_rng *r, uint64_t v);

/* n bytes of r's output; then the key is replaced (fast key erasure: what
 * was handed out cannot be recomputed from a later state). r must be
 * seeded. */
void cairn_rng_bytes(struct cairn_rng *r, void *buf, size_t n);

#endif
