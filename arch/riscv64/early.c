// SPDX-License-Identifier: MIT
/*
 * Boot page tables, built with the MMU off at the physical load address.
 * Everything here must be position independent: no absolute pointers in
 * data, no calls into code that uses them. Only PC-relative `la`.
 *
 *   identity   VA 0..             -> PA 0..           (1 GiB pages; dropped later)
 *   direct map PHYSMAP_BASE + x    -> PA x            (1 GiB pages)
 *   kernel     KERNEL_WINDOW + 2M.. -> load address   (2 MiB pages)
 *
 * Sv48 is used unless the boot hart's device-tree node says riscv,sv39 or
 * the command line has `no4lvl` (as Linux's), and it is probed the way
 * Linux's set_satp_mode() does: write satp with the mode and read it back;
 * an unsupported mode leaves satp unchanged. Without Sv48, Sv39.
 * libfdt's read-only functions are position independent and safe to call
 * here; the full check of the tree comes later, with the MMU on.
 */
#include <stdint.h>
#include <stdbool.h>
#include <arch/mmu.h>
#include <arch/cpu.h>
#include <arch/sbi.h>
#include <libfdt.h>

#define KERNEL_2M_SLOTS 16  /* 32 MiB window for the image */

static pte_t boot_root[512] __attribute__((aligned(4096)));
static pte_t boot_l2_phys[512] __attribute__((aligned(4096)));
static pte_t boot_l2_kernel[512] __attribute__((aligned(4096)));
static pte_t boot_l1_kernel[512] __attribute__((aligned(4096)));
static pte_t boot_root39[512] __attribute__((aligned(4096)));

uint64_t riscv_boot_satp;      /* for secondary harts */
uint64_t riscv_load_pa;        /* physical address of _start */
uint64_t riscv_boot_dtb_pa;

unsigned long riscv_early_mmu(uint64_t load_pa, uint64_t dtb_pa, uint64_t hartid);

static void early_puts(const char *s)
{
	while (*s)
		riscv_sbi_putchar(*s++);
}

static unsigned idx(uint64_t va, unsigned level)
{
	return (va >> (12 + 9 * level)) & 511;
}

static bool has_word(const char *s, int len, const char *w)
{
	int wl = 0;

	while (w[wl])
		wl++;
	for (int i = 0; i + wl <= len; i++) {
		if ((i == 0 || s[i - 1] == ' ') && (i + wl == len || s[i + wl] == ' ' || s[i + wl] == 0)) {
			int j = 0;
			while (j < wl && s[i + j] == w[j])
				j++;
			if (j == wl)
				return true;
		}
	}
	return false;
}

/* Does the device tree ask for Sv39 (bootargs no4lvl, or the hart's mmu-type)? */
static bool dt_wants_sv39(const void *fdt, uint64_t hartid)
{
	int node, len;
	const char *p;

	if (fdt_check_header(fdt) != 0)
		return false;
	node = fdt_path_offset(fdt, "/chosen");
	if (node >= 0 && (p = fdt_getprop(fdt, node, "bootargs", &len)) && has_word(p, len, "no4lvl"))
		return true;
	node = fdt_path_offset(fdt, "/cpus");
	if (node < 0)
		return false;
	fdt_for_each_subnode(node, fdt, node) {
		const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
		if (!reg || len != 4 || fdt32_to_cpu(*reg) != hartid)
			continue;
		p = fdt_getprop(fdt, node, "mmu-type", &len);
		return p && has_word(p, len, "riscv,sv39");
	}
	return false;
}

static bool try_satp(uint64_t mode, pte_t *root)
{
	uint64_t satp = (mode << SATP_MODE_SHIFT) | ((uint64_t)root >> 12);

	__asm__ volatile("sfence.vma" ::: "memory");
	csr_write(satp, satp);
	__asm__ volatile("sfence.vma" ::: "memory");
	if ((csr_read(satp) >> SATP_MODE_SHIFT) != mode)
		return false;
	riscv_boot_satp = satp;
	return true;
}

unsigned long riscv_early_mmu(uint64_t load_pa, uint64_t dtb_pa, uint64_t hartid)
{
	const pte_t leaf = PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D | PTE_G;

	riscv_load_pa = load_pa;
	riscv_boot_dtb_pa = dtb_pa;
	if (load_pa & ((1ul << 21) - 1)) {
		early_puts("cairn: load address is not 2 MiB aligned; stopping\n");
		riscv_sbi_shutdown(1);
		return 0;
	}
	for (unsigned i = 0; i < 512; i++)
		boot_l2_phys[i] = (((uint64_t)i << 30) >> 12 << PTE_PPN_SHIFT) | leaf;
	for (unsigned i = 0; i < KERNEL_2M_SLOTS; i++) {
		uint64_t pa = load_pa + ((uint64_t)i << 21);
		boot_l1_kernel[idx(KERNEL_LINK_ADDR, 1) + i] = (pa >> 12 << PTE_PPN_SHIFT) | leaf;
	}
	boot_l2_kernel[idx(KERNEL_WINDOW, 2)] = arch_pte_table((uint64_t)boot_l1_kernel);

	/* Sv48: the identity and the direct map share one table of 1 GiB pages */
	boot_root[idx(0, 3)] = arch_pte_table((uint64_t)boot_l2_phys);
	boot_root[idx(PHYSMAP_BASE_SV48, 3)] = arch_pte_table((uint64_t)boot_l2_phys);
	boot_root[idx(KERNEL_WINDOW, 3)] = arch_pte_table((uint64_t)boot_l2_kernel);

	/* Sv39: the root itself holds the 1 GiB pages */
	for (unsigned i = 0; i < 256; i++)
		boot_root39[i] = boot_l2_phys[i];
	for (unsigned i = 0; idx(PHYSMAP_BASE_SV39, 2) + i < idx(KERNEL_WINDOW, 2); i++)
		boot_root39[idx(PHYSMAP_BASE_SV39, 2) + i] = boot_l2_phys[i];
	boot_root39[idx(KERNEL_WINDOW, 2)] = arch_pte_table((uint64_t)boot_l1_kernel);

	if (!dt_wants_sv39((const void *)dtb_pa, hartid) && try_satp(SATP_MODE_SV48, boot_root))
		return riscv_boot_satp;
	if (try_satp(SATP_MODE_SV39, boot_root39))
		return riscv_boot_satp;
	early_puts("cairn: this hart supports neither Sv48 nor Sv39 paging; stopping\n");
	riscv_sbi_shutdown(1);
	return 0;
}
