/* SPDX-License-Identifier: MIT */
/*
 * RISC-V Sv39/Sv48 page-table entry encoding for the portable walker.
 * Level 0 maps 4 KiB, level 1 2 MiB, level 2 1 GiB, level 3 512 GiB.
 */
#ifndef ARCH_RISCV_MMU_H
#define ARCH_RISCV_MMU_H

#ifdef __ASSEMBLY__
#define _UL(x) x
#else
#define _UL(x) x##ul
#endif

#define PTE_V  (1ul << 0)
#define PTE_R  (1ul << 1)
#define PTE_W  (1ul << 2)
#define PTE_X  (1ul << 3)
#define PTE_U  (1ul << 4)
#define PTE_G  (1ul << 5)
#define PTE_A  (1ul << 6)
#define PTE_D  (1ul << 7)
#define PTE_PPN_SHIFT 10

#define SATP_MODE_SV39  8ul
#define SATP_MODE_SV48  9ul
#define SATP_MODE_SHIFT 60
#define SATP_ASID_SHIFT 44
#define SATP_ASID_MASK  0xfffful   /* 16 bits at most; a hart may have fewer */

/* Link address of the kernel image and of its 1 GiB window. */
#define KERNEL_LINK_ADDR _UL(0xffffffff80200000)
#define KERNEL_WINDOW    _UL(0xffffffff80000000)
#define PHYSMAP_BASE_SV48 _UL(0xffff800000000000)
#define PHYSMAP_BASE_SV39 _UL(0xffffffc000000000)

#ifndef __ASSEMBLY__
#include <stdint.h>
#include <stdbool.h>

typedef uint64_t pte_t;

#include <kernel/prot.h>

static inline pte_t arch_pte_table(uint64_t next)
{
	return ((next >> 12) << PTE_PPN_SHIFT) | PTE_V;
}

static inline pte_t arch_pte_leaf(uint64_t pa, unsigned prot, unsigned level)
{
	pte_t e = ((pa >> 12) << PTE_PPN_SHIFT) | PTE_V | PTE_A | PTE_D;

	(void)level;
	if (prot & PROT_R) e |= PTE_R;
	if (prot & PROT_W) e |= PTE_W | PTE_R;  /* W without R is reserved */
	if (prot & PROT_X) e |= PTE_X;
	if (prot & PROT_USER) e |= PTE_U;
	if (prot & PROT_GLOBAL) e |= PTE_G;
	return e;
}

static inline bool arch_pte_valid(pte_t e) { return e & PTE_V; }

static inline bool arch_pte_is_leaf(pte_t e, unsigned level)
{
	(void)level;
	return (e & PTE_V) && (e & (PTE_R | PTE_W | PTE_X));
}

static inline uint64_t arch_pte_addr(pte_t e)
{
	return ((e >> PTE_PPN_SHIFT) & ((1ul << 44) - 1)) << 12;
}

static inline unsigned arch_pte_prot(pte_t e)
{
	unsigned p = 0;

	if (e & PTE_R) p |= PROT_R;
	if (e & PTE_W) p |= PROT_W;
	if (e & PTE_X) p |= PROT_X;
	if (e & PTE_U) p |= PROT_USER;
	if (e & PTE_G) p |= PROT_GLOBAL;
	return p;
}

/* Leaves may sit at every level up to 1 GiB pages. */
static inline bool arch_leaf_ok(unsigned level) { return level <= 2; }

/* Levels of the paging mode chosen at boot: 4 (Sv48) or 3 (Sv39). */
extern unsigned riscv_pt_levels;
static inline unsigned arch_pt_levels(void) { return riscv_pt_levels; }

#endif
#endif
