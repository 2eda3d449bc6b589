// SPDX-License-Identifier: MIT
/*
 * Boot page tables, built with the MMU off at the physical load address.
 * Everything here must be position independent: no absolute pointers in
 * data, no calls into code that uses them. Only PC-relative `la`.
 *
 *   identity   VA 0..512 GiB       -> PA 0..512 GiB   (1 GiB pages; dropped later)
 *   direct map PHYSMAP_BASE + x    -> PA x            (same table as identity)
 *   kernel     KERNEL_WINDOW + 2M.. -> load address   (2 MiB pages)
 *
 * Sv48 is probed the way Linux's set_satp_mode() does: write satp with the
 * mode and read it back; an unsupported mode leaves satp unchanged.
 */
#include <stdint.h>
#include <arch/mmu.h>
#include <arch/cpu.h>
#include <arch/sbi.h>

#define KERNEL_2M_SLOTS 16  /* 32 MiB window for the image */

static pte_t boot_root[512] __attribute__((aligned(4096)));
static pte_t boot_l2_phys[512] __attribute__((aligned(4096)));
static pte_t boot_l2_kernel[512] __attribute__((aligned(4096)));
static pte_t boot_l1_kernel[512] __attribute__((aligned(4096)));

uint64_t riscv_boot_satp;      /* for secondary harts */
uint64_t riscv_load_pa;        /* physical address of _start */
uint64_t riscv_boot_dtb_pa;

unsigned long riscv_early_mmu(uint64_t load_pa, uint64_t dtb_pa);

static void early_puts(const char *s)
{
	while (*s)
		riscv_sbi_putchar(*s++);
}

static unsigned idx(uint64_t va, unsigned level)
{
	return (va >> (12 + 9 * level)) & 511;
}

unsigned long riscv_early_mmu(uint64_t load_pa, uint64_t dtb_pa)
{
	const pte_t leaf = PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D | PTE_G;

	riscv_load_pa = load_pa;
	riscv_boot_dtb_pa = dtb_pa;
	if (load_pa & ((1ul << 21) - 1)) {
		early_puts("cairn: load address is not 2 MiB aligned; stopping\n");
		riscv_sbi_shutdown(1);
	}
	for (unsigned i = 0; i < 512; i++)
		boot_l2_phys[i] = (((uint64_t)i << 30) >> 12 << PTE_PPN_SHIFT) | leaf;
	for (unsigned i = 0; i < KERNEL_2M_SLOTS; i++) {
		uint64_t pa = load_pa + ((uint64_t)i << 21);
		boot_l1_kernel[idx(KERNEL_LINK_ADDR, 1) + i] = (pa >> 12 << PTE_PPN_SHIFT) | leaf;
	}
	boot_l2_kernel[idx(KERNEL_WINDOW, 2)] = arch_pte_table((uint64_t)boot_l1_kernel);

	boot_root[idx(0, 3)] = arch_pte_table((uint64_t)boot_l2_phys);
	boot_root[idx(PHYSMAP_BASE_SV48, 3)] = arch_pte_table((uint64_t)boot_l2_phys);
	boot_root[idx(KERNEL_WINDOW, 3)] = arch_pte_table((uint64_t)boot_l2_kernel);

	uint64_t satp = (SATP_MODE_SV48 << SATP_MODE_SHIFT) | ((uint64_t)boot_root >> 12);
	__asm__ volatile("sfence.vma" ::: "memory");
	csr_write(satp, satp);
	__asm__ volatile("sfence.vma" ::: "memory");
	if ((csr_read(satp) >> SATP_MODE_SHIFT) != SATP_MODE_SV48) {
		early_puts("cairn: this hart does not support Sv48 paging; stopping\n");
		riscv_sbi_shutdown(1);
	}
	riscv_boot_satp = satp;
	return satp;
}
