/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the host tests of kernel code (tests/host/stubs.c):
 * a fake physical memory arena behind phys_to_virt(), the knobs of the host
 * "arch", a way to expect a panic, and a deterministic random generator.
 */
#ifndef HOST_HOST_H
#define HOST_HOST_H
#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <kernel/boot.h>

/* Fake RAM: HOST_ARENA_SIZE bytes of host memory that appear at physical
 * address HOST_PA_BASE (physmap_base is set so phys_to_virt() works). */
#define HOST_PA_BASE    0x80000000ull
#define HOST_ARENA_SIZE (64ul << 20)

extern void *host_arena;
/* Allocates the arena (once) and points physmap_base at it. */
void host_arena_init(void);
/* A boot_info with the whole arena as its one memory range. */
void host_boot_info(struct boot_info *bi);
/* pmm_reset() + pmm_init() over the whole arena; false on failure. */
bool host_pmm_init_arena(void);

/* arch_pt_levels() returns this (3 or 4): the riscv64 inline's variable. */
#define host_pt_levels riscv_pt_levels
/* Calls of arch_tlb_flush_page() and arch_tlb_flush_all(). */
extern unsigned long host_tlb_flushes;

/* While non-NULL, panic() longjmps here instead of aborting. */
extern jmp_buf *host_panic_jmp;
extern char host_panic_msg[256];

/* Evaluates to true if `stmt` panicked (BUG_ON, panic()). */
#define EXPECT_PANIC(stmt) ({                                                 \
	jmp_buf jb_;                                                          \
	bool panicked_ = false;                                               \
	host_panic_jmp = &jb_;                                                \
	if (setjmp(jb_) == 0) {                                               \
		stmt;                                                         \
	} else {                                                              \
		panicked_ = true;                                             \
	}                                                                     \
	host_panic_jmp = NULL;                                                \
	panicked_;                                                            \
})

/* xorshift64*: the same sequence on every run. */
static inline uint64_t host_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

#endif
