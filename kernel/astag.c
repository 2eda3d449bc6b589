// SPDX-License-Identifier: MIT
/*
 * Address-space tags: riscv64 ASIDs (satp bits 44..59), x86-64 PCIDs (CR3
 * bits 0..11). The contract is in kernel/include/kernel/astag.h.
 *
 * Design. A space takes a tag from a pool when it is made and gives it
 * back when it goes. A CPU that loads a space under its tag keeps, when it
 * loads another, what it cached for the first, so switching back costs no
 * flush. That is only sound while those entries are still right, and a
 * CPU keeps them for spaces it no longer runs, which the shootdown
 * (smp_tlb_sync()) does not reach: it interrupts only the CPUs that have
 * the space loaded now. So each space has a mask of the CPUs whose
 * entries for it may be stale (`stale`):
 *  - when entries of the space are removed or lose rights, every CPU that
 *    was not shot down (nor flushed the entries itself) gets its bit set
 *    (astag_stale());
 *  - when a space gets a tag (maybe one another space used before), every
 *    CPU gets its bit set: a tag given back is reused without generations
 *    or a flush of every CPU;
 *  - a CPU that loads the space with its bit set flushes that one tag as
 *    it loads it and clears its bit (astag_load()).
 * Bits are set by the holder of the kernel lock whole, when no other CPU
 * is inside the kernel but to answer it, and cleared by CPUs switching,
 * in either mode of the lock (fast-mode CPUs run together: atomics).
 *
 * The pool is finite (4096 at most here; riscv64 harts have up to 2^16
 * ASIDs, x86-64 4096 PCIDs, QEMU's x86 CPU none). Tag 0 (ASTAG_SHARED) is
 * the kernel's table's and that of every space made while the pool was
 * empty: such a space flushes it each time it is loaded, which is the
 * behaviour of a machine with no tags at all. The kernel's table holds no
 * user entries, so what spaces left under tag 0 never matters there.
 */
#include <kernel/astag.h>
#include <kernel/thread.h>   /* with memory.h: object.h's inlines */
#include <kernel/boot.h>
#include <kernel/log.h>
#include <stdlib.h>

#define ASTAG_MAX 4096u

static uint64_t used[ASTAG_MAX / 64];   /* bit t: tag t is held (tag 0 always) */
static unsigned ntags = 1, nused;

void astag_init(const char *cmdline)
{
	unsigned n = arch_as_tags();
	char arg[16];

	if (n > ASTAG_MAX)
		n = ASTAG_MAX;
	if (cmdline_get(cmdline, "astags", arg, sizeof(arg))) {
		unsigned long want = strtoul(arg, NULL, 10);
		if (want < n)
			n = (unsigned)want;
	}
	ntags = n < 2 ? 1 : n;
	used[0] = 1;
	if (ntags > 1)
		pr_info("astag: %u address-space tags\n", ntags);
	else
		pr_info("astag: no address-space tags: every switch flushes the TLB\n");
}

/* The index of the lowest bit set in x (not 0); no __builtin_ctzll: the
 * kernel links no libgcc, and riscv64 without Zbb would call it. */
static unsigned lowest_bit(uint64_t x)
{
	unsigned n = 0;

	while (!(x & 0xff)) {
		n += 8;
		x >>= 8;
	}
	while (!(x & 1)) {
		n++;
		x >>= 1;
	}
	return n;
}

/* The lowest free tag, or ASTAG_SHARED. */
static unsigned find_free(void)
{
	unsigned words = (ntags + 63) / 64;

	for (unsigned w = 0; w < words; w++) {
		uint64_t free = ~used[w];
		if (w == words - 1 && ntags % 64)
			free &= (1ull << (ntags % 64)) - 1;
		if (free)
			return w * 64 + lowest_bit(free);
	}
	return ASTAG_SHARED;
}

void astag_alloc(struct aspace *as)
{
	unsigned t = find_free();

	if (t != ASTAG_SHARED) {
		used[t / 64] |= 1ull << (t % 64);
		nused++;
	}
	as->tag = t;
	as->token = arch_as_token(as->root, t);
	__atomic_store_n(&as->stale, ~0ull, __ATOMIC_RELAXED);
}

void astag_free(struct aspace *as)
{
	unsigned t = as->tag;

	if (t == ASTAG_SHARED)
		return;
	used[t / 64] &= ~(1ull << (t % 64));
	nused--;
	as->tag = ASTAG_SHARED;
}

void astag_stale(struct aspace *as, uint64_t flushed)
{
	__atomic_fetch_or(&as->stale, ~flushed, __ATOMIC_RELAXED);
}

unsigned astag_count(void)
{
	return ntags;
}

unsigned astag_in_use(void)
{
	return nused;
}

unsigned astag_set_count(unsigned n)
{
	unsigned old = ntags;

	ntags = n < 2 ? 1 : n;
	return old;
}
