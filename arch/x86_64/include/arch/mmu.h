/* SPDX-License-Identifier: MIT */
/*
 * x86-64 4-level page-table entry encoding for the portable walker.
 * Level 0 maps 4 KiB (PTE), level 1 2 MiB (PDE with PS), level 2 1 GiB
 * (PDPTE with PS, only when CPUID says pdpe1gb), level 3 is the PML4.
 * There is no "not readable": a present entry is readable. NX is only
 * set once EFER.NXE is on (x86_pte_nx holds the bit or 0); a mapping meant
 * to be non-executable also carries the ignored bit PTE_SW_NOEXEC, so its
 * protection reads back the same on a CPU without NX (where nothing
 * enforces it).
 *
 * User access: PROT_USER sets U/S on the leaf. Table entries always carry
 * U/S and R/W, because x86 grants the most restrictive combination along
 * the walk and the leaf alone should decide. A user leaf is never global
 * (it would outlive the address-space switch), whatever prot asks.
 */
#ifndef ARCH_X86_MMU_H
#define ARCH_X86_MMU_H

#ifdef __ASSEMBLY__
#define _UL(x) x
#else
#define _UL(x) x##ul
#endif

#define PTE_P    (_UL(1) << 0)
#define PTE_RW   (_UL(1) << 1)
#define PTE_US   (_UL(1) << 2)
#define PTE_PWT  (_UL(1) << 3)
#define PTE_PCD  (_UL(1) << 4)
#define PTE_A    (_UL(1) << 5)
#define PTE_D    (_UL(1) << 6)
#define PTE_PS   (_UL(1) << 7)
#define PTE_G    (_UL(1) << 8)
#define PTE_SW_NOEXEC (_UL(1) << 52)   /* ignored by the MMU */
#define PTE_NX   (_UL(1) << 63)
#define PTE_ADDR_MASK _UL(0x000ffffffffff000)

/*
 * Virtual layout. The image is linked at KERNEL_LINK_ADDR and loaded by
 * GRUB at KERNEL_LOAD_PA: the 1 GiB kernel window maps physical 0..1 GiB.
 * All RAM is in the direct map at PHYSMAP_BASE (PML4 slot 256).
 */
#define KERNEL_WINDOW    _UL(0xffffffff80000000)
#define KERNEL_LOAD_PA   _UL(0x200000)
#define KERNEL_LINK_ADDR (KERNEL_WINDOW + KERNEL_LOAD_PA)
#define PHYSMAP_BASE     _UL(0xffff800000000000)

#ifndef __ASSEMBLY__
#include <stdint.h>
#include <stdbool.h>

typedef uint64_t pte_t;

#include <kernel/prot.h>

extern uint64_t x86_pte_nx;     /* PTE_NX when EFER.NXE is on, else 0 */
extern bool x86_has_1g_pages;   /* CPUID 0x80000001 EDX.pdpe1gb */

static inline pte_t arch_pte_table(uint64_t next)
{
	return (next & PTE_ADDR_MASK) | PTE_P | PTE_RW | PTE_US;
}

static inline pte_t arch_pte_leaf(uint64_t pa, unsigned prot, unsigned level)
{
	pte_t e = (pa & PTE_ADDR_MASK) | PTE_P | PTE_A;

	if (level > 0)
		e |= PTE_PS;
	if (prot & PROT_W) e |= PTE_RW | PTE_D;
	if (prot & PROT_USER) e |= PTE_US;
	if ((prot & (PROT_GLOBAL | PROT_USER)) == PROT_GLOBAL) e |= PTE_G;
	if (!(prot & PROT_X)) e |= PTE_SW_NOEXEC | x86_pte_nx;
	if (prot & PROT_DEVICE) e |= PTE_PCD | PTE_PWT;
	return e;
}

static inline bool arch_pte_valid(pte_t e) { return e & PTE_P; }

static inline bool arch_pte_is_leaf(pte_t e, unsigned level)
{
	return (e & PTE_P) && (level == 0 || (e & PTE_PS));
}

static inline uint64_t arch_pte_addr(pte_t e)
{
	return e & PTE_ADDR_MASK;
}

static inline unsigned arch_pte_prot(pte_t e)
{
	unsigned p = PROT_R;

	if (e & PTE_RW) p |= PROT_W;
	if (!(e & (PTE_NX | PTE_SW_NOEXEC))) p |= PROT_X;
	if (e & PTE_US) p |= PROT_USER;
	if (e & PTE_G) p |= PROT_GLOBAL;
	if (e & PTE_PCD) p |= PROT_DEVICE;
	return p;
}

/* Always 4-level paging (no LA57). */
static inline unsigned arch_pt_levels(void) { return 4; }

/* 4 KiB and 2 MiB leaves always; 1 GiB leaves only with pdpe1gb. */
static inline bool arch_leaf_ok(unsigned level)
{
	return level <= 1 || (level == 2 && x86_has_1g_pages);
}

#endif
#endif
