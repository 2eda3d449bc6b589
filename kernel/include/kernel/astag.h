/* SPDX-License-Identifier: MIT */
/*
 * Address-space tags (kernel/astag.c): riscv64 ASIDs, x86-64 PCIDs. Each
 * address space holds a tag while it lives, so that a CPU switching back
 * to a space it ran before keeps the TLB entries it cached for it. The
 * design, and why it is sound across CPUs, is at the top of astag.c.
 */
#ifndef KERNEL_ASTAG_H
#define KERNEL_ASTAG_H
#include <kernel/types.h>
#include <kernel/memory.h>
#include <arch.h>

/* The tag of the kernel's own table and of every space that found the
 * pool empty: flushed each time a space loads it. */
#define ASTAG_SHARED 0u

/* Reads how many tags the machine has (arch_as_tags()), capped by the
 * boot argument astags=N (to test with few). Boot CPU, once, with the
 * kernel's table loaded. */
void astag_init(const char *cmdline);

/* Gives as a tag (ASTAG_SHARED when none is free) and marks every CPU as
 * having to flush it before its first load. Cannot fail. Kernel lock
 * held whole. */
void astag_alloc(struct aspace *as);

/* Gives as's tag back to the pool; no CPU may have as loaded any more
 * (sched_as_gone()). Kernel lock held whole. */
void astag_free(struct aspace *as);

/* Entries of as were removed or lost rights; the CPUs in `flushed` have
 * forgotten them (they have as loaded and were shot down, or did it
 * themselves), every other CPU must flush as's tag before it next loads
 * as. Kernel lock held whole. */
void astag_stale(struct aspace *as, uint64_t flushed);

/* Loads as on CPU `cpu` (this one), flushing its tag first if this CPU's
 * entries for it may be stale (always for ASTAG_SHARED). Interrupts off;
 * kernel lock held, either mode (fast-mode CPUs load spaces at the same
 * time: the clear is atomic). Returns whether it flushed. An inline: the
 * IPC fast path's. */
static inline bool astag_load(unsigned cpu, struct aspace *as)
{
	uint64_t bit = 1ull << cpu, token = as->token;
	bool flush;

	if (arch_as_self_flush(token)) {   /* x86-64's tag 0: nothing to decide */
		arch_as_load(token, false);
		return true;
	}
	flush = __atomic_load_n(&as->stale, __ATOMIC_RELAXED) & bit;
	/* a space on the shared tag keeps every bit: it flushes each time */
	if (unlikely(flush) && as->tag != ASTAG_SHARED)
		__atomic_fetch_and(&as->stale, ~bit, __ATOMIC_RELAXED);
	arch_as_load(token, flush);
	return flush;
}

/* Loads a table that has no tag of its own (the kernel's; a self-test's)
 * on this CPU, flushing the shared tag. Interrupts off. */
static inline void astag_load_root(paddr_t root)
{
	arch_as_load(arch_as_token(root, ASTAG_SHARED), true);
}

/* Tags in the pool (ASTAG_SHARED included; 1: tags are off) and how many
 * spaces hold one now (for the self-tests). */
unsigned astag_count(void);
unsigned astag_in_use(void);
/* Sets the pool's size for a self-test (n <= what astag_init() found;
 * no space may hold a tag at or above n); returns the old size. */
unsigned astag_set_count(unsigned n);

#endif
