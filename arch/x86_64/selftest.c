// SPDX-License-Identifier: MIT
/* x86-64-specific self-tests: long mode and paging state, descriptor
 * tables, the calibrated clocks. */
#include <arch.h>
#include <arch/x86.h>
#include <kernel/selftest.h>
#include <kernel/mm.h>

extern char _text_start[], _rodata_start[], _data_start[];

struct desc_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

/* Long mode with PAE paging, write protection, NX exactly when CPUID has
 * it, global pages; CR3 is the kernel's table and the PTEs agree. */
SELFTEST(x86, long_mode_paging)
{
	uint64_t cr0 = x86_read_cr(0), cr4 = x86_read_cr(4), efer = x86_rdmsr(MSR_EFER);
	bool cpu_nx = x86_cpuid(0x80000001, 0).edx & (1u << 20);
	unsigned prot;

	ST_CHECK((cr0 & (CR0_PG | CR0_PE | CR0_WP)) == (CR0_PG | CR0_PE | CR0_WP));
	ST_CHECK(cr4 & CR4_PAE);
	ST_CHECK(cr4 & CR4_PGE);
	ST_CHECK(!(cr4 & (1u << 12)));                   /* LA57 off: 4 levels */
	ST_CHECK((efer & (EFER_LME | EFER_LMA)) == (EFER_LME | EFER_LMA));
	ST_CHECK(!!(efer & EFER_NXE) == cpu_nx);
	ST_CHECK(x86_pte_nx == (cpu_nx ? PTE_NX : 0));
	ST_CHECK((x86_read_cr(3) & PTE_ADDR_MASK) == kernel_root);
	ST_CHECK(arch_pt_levels() == 4 && physmap_base == PHYSMAP_BASE);
	ST_CHECK(kernel_vbase == KERNEL_LINK_ADDR && kernel_pbase == KERNEL_LOAD_PA);
	/* the identity map of the boot tables is gone */
	ST_CHECK(!pt_lookup(kernel_root, KERNEL_LOAD_PA, NULL, NULL));
	if (cpu_nx) {
		ST_CHECK(pt_lookup(kernel_root, (vaddr_t)_data_start, NULL, &prot) && !(prot & PROT_X));
		ST_CHECK(pt_lookup(kernel_root, (vaddr_t)_text_start, NULL, &prot) && (prot & PROT_X));
	}
	return true;
}

/* Each CPU has its own GDT and TSS; the IDT sends double faults and NMIs
 * to IST stacks. */
SELFTEST(x86, descriptor_tables)
{
	struct desc_ptr gdtr, idtr;
	uint16_t tr, cs;
	struct x86_percpu *pc = x86_this_cpu();

	__asm__ volatile("sgdt %0; sidt %1; str %2; mov %%cs, %3"
			 : "=m"(gdtr), "=m"(idtr), "=r"(tr), "=r"(cs));
	ST_CHECK(pc == &x86_percpu[arch_cpu_id()] && pc->self == pc);
	ST_CHECK(gdtr.base == (uint64_t)pc->gdt);
	ST_CHECK(tr == SEL_TSS && cs == SEL_KCODE);
	ST_CHECK(idtr.limit == 256 * 16 - 1);
	const uint8_t *idt = (const uint8_t *)idtr.base;
	ST_CHECK((idt[8 * 16 + 4] & 7) == 1);            /* #DF on IST1 */
	ST_CHECK((idt[2 * 16 + 4] & 7) == 2);            /* NMI on IST2 */
	ST_CHECK((idt[14 * 16 + 4] & 7) == 0);           /* #PF on the kernel stack */
	ST_CHECK(pc->tss.ist[0] && pc->tss.ist[1] && pc->tss.ist[0] != pc->tss.ist[1]);
	return true;
}

/* The TSC and the APIC timer were calibrated to plausible rates, and the
 * TSC agrees with the APIC timer over 20 ms. */
SELFTEST(x86, clocks_calibrated)
{
	ST_CHECK(arch_counter_hz() >= 100000000ull && arch_counter_hz() <= 20000000000ull);
	ST_CHECK(x86_lapic_timer_hz() >= 1000000ull);
	uint64_t t0 = arch_counter_read();
	while (arch_counter_read() - t0 < arch_counter_hz() / 50)
		arch_cpu_relax();
	ST_CHECK(arch_counter_read() > t0);
	return true;
}

/* The entry encoding the portable walker relies on, and 1 GiB leaves
 * exactly when the CPU has them. */
SELFTEST(x86, pte_encoding)
{
	pte_t t = arch_pte_table(0x123000);
	pte_t l = arch_pte_leaf(0x200000, PROT_R | PROT_W | PROT_GLOBAL, 1);
	pte_t d = arch_pte_leaf(0x5000, PROT_R | PROT_W | PROT_DEVICE, 0);
	pte_t x = arch_pte_leaf(0x6000, PROT_R | PROT_X | PROT_USER, 0);

	ST_CHECK(t == (0x123000 | PTE_P | PTE_RW | PTE_US));
	ST_CHECK(arch_pte_valid(t) && !arch_pte_is_leaf(t, 1) && arch_pte_addr(t) == 0x123000);
	ST_CHECK((l & (PTE_P | PTE_RW | PTE_PS | PTE_G)) == (PTE_P | PTE_RW | PTE_PS | PTE_G));
	ST_CHECK(arch_pte_is_leaf(l, 1) && arch_pte_addr(l) == 0x200000);
	ST_CHECK((l & PTE_NX) == x86_pte_nx && !(arch_pte_prot(l) & PROT_X));
	ST_CHECK((d & (PTE_PCD | PTE_PWT)) == (PTE_PCD | PTE_PWT) && !(d & PTE_PS));
	ST_CHECK(!(x & (PTE_NX | PTE_RW)) && (x & PTE_US));
	ST_CHECK(arch_pte_prot(x) == (PROT_R | PROT_X | PROT_USER));
	ST_CHECK(arch_leaf_ok(0) && arch_leaf_ok(1) && !arch_leaf_ok(3));
	ST_CHECK(arch_leaf_ok(2) == x86_has_1g_pages);

	/* 1 GiB at 1 GiB, never touched: one leaf in the PDPT, or 512 in a
	 * page directory */
	paddr_t root = pt_create(), pa;
	ST_CHECK(root != PADDR_INVALID);
	ST_CHECK(pt_map(root, 1ul << 30, 1ul << 30, 1ul << 30, PROT_R) == ERR_OK);
	ST_CHECK(pt_lookup(root, (1ul << 30) + 0x12345, &pa, NULL) && pa == (1ul << 30) + 0x12345);
	ST_CHECK(pt_count_tables(root) == (x86_has_1g_pages ? 2u : 3u));
	pt_destroy(root);
	return true;
}
