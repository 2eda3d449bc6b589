// SPDX-License-Identifier: MIT
/* x86-64-specific self-tests: long mode and paging state, descriptor
 * tables, the calibrated clocks. */
#include <arch.h>
#include <arch/x86.h>
#include <kernel/selftest.h>
#include <kernel/mm.h>
#include <kernel/thread.h>   /* kernel/astag.h, with what it needs */

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

/* PCIDs exactly when CPUID has them: CR4.PCIDE and the tags the core
 * took (QEMU's TCG models have none). */
SELFTEST(x86, pcid_matches_cpuid)
{
	bool pcid = x86_cpuid(1, 0).ecx & (1u << 17);

	ST_CHECK(!!(x86_read_cr(4) & CR4_PCIDE) == pcid);
	ST_CHECK(arch_as_tags() == (pcid ? 4096u : 0u));
	ST_CHECK(cmdline_get(boot_info.cmdline, "astags", NULL, 0) || astag_count() == (pcid ? 4096u : 1u));
	return true;
}

/* ---- user mode ------------------------------------------------------------ */

/* SYSCALL/SYSRET selectors, entry and flag mask; control bits for user
 * mode; the descriptors SYSRET and user traps rely on. */
SELFTEST(x86, user_mode_setup)
{
	arch_user_init();              /* what the core does before the first thread */
	uint64_t star = x86_rdmsr(MSR_STAR), mask = x86_rdmsr(MSR_SFMASK);
	uint64_t cr0 = x86_read_cr(0), cr4 = x86_read_cr(4);
	const uint64_t *gdt = x86_this_cpu()->gdt;

	ST_CHECK(x86_rdmsr(MSR_EFER) & EFER_SCE);
	ST_CHECK(((star >> 32) & 0xffff) == SEL_KCODE);
	ST_CHECK((((star >> 48) + 16) | 3) == USER_CS && (((star >> 48) + 8) | 3) == USER_SS);
	ST_CHECK(x86_rdmsr(MSR_LSTAR) == (uint64_t)x86_syscall_entry);
	ST_CHECK(x86_rdmsr(MSR_CSTAR) == (uint64_t)x86_syscall_entry);
	ST_CHECK((mask & (RFLAGS_IF | RFLAGS_DF | RFLAGS_TF | RFLAGS_AC | RFLAGS_NT)) ==
		 (RFLAGS_IF | RFLAGS_DF | RFLAGS_TF | RFLAGS_AC | RFLAGS_NT));
	ST_CHECK(!(cr4 & CR4_TSD) && (cr4 & CR4_PCE) && (cr4 & CR4_OSFXSR) && (cr4 & CR4_OSXMMEXCPT));
	ST_CHECK(!!(cr4 & CR4_SMEP) == x86_has_smep && !!(cr4 & CR4_SMAP) == x86_has_smap);
	ST_CHECK(!!(cr4 & CR4_UMIP) == x86_has_umip);
	ST_CHECK(!(cr0 & (CR0_EM | CR0_TS)) && (cr0 & CR0_MP));
	/* user code: present, DPL 3, code, 64-bit; user data: present, DPL 3,
	 * writable; no compatibility-mode code segment */
	ST_CHECK(((gdt[SEL_UCODE / 8] >> 40) & 0xf8) == 0xf8 && (gdt[SEL_UCODE / 8] & (1ul << 53)));
	ST_CHECK(((gdt[SEL_UDATA / 8] >> 40) & 0xfa) == 0xf2);
	ST_CHECK(gdt[SEL_UCODE32 / 8] == 0);
	/* only int3 and into may be raised from user mode */
	struct desc_ptr idtr;
	__asm__ volatile("sidt %0" : "=m"(idtr));
	const uint8_t *idt = (const uint8_t *)idtr.base;
	ST_CHECK(((idt[3 * 16 + 5] >> 5) & 3) == 3 && ((idt[14 * 16 + 5] >> 5) & 3) == 0);
	ST_CHECK(((idt[VEC_TIMER * 16 + 5] >> 5) & 3) == 0);
	return true;
}

static struct arch_context st_main_ctx, st_other_ctx;
static uint64_t st_other_fp, st_other_mxcsr, st_other_xmm;
static unsigned st_other_steps;
static uint64_t st_saved[5] __used;   /* callee-saved registers after a switch back */

static void st_set_xmm0(uint64_t v)
{
	__asm__ volatile("movq %0, %%xmm0" :: "r"(v));
}

static uint64_t st_get_xmm0(void)
{
	uint64_t v;
	__asm__ volatile("movq %%xmm0, %0" : "=r"(v));
	return v;
}

static void st_other_entry(void)
{
	uint32_t mx;

	st_other_fp = (uintptr_t)__builtin_frame_address(0);
	__asm__ volatile("stmxcsr %0" : "=m"(mx));
	st_other_mxcsr = mx;
	st_set_xmm0(0x2222);
	st_other_steps = 1;
	arch_context_switch(&st_other_ctx, &st_main_ctx);
	st_other_xmm = st_get_xmm0();
	st_other_steps = 2;
	arch_context_switch(&st_other_ctx, &st_main_ctx);
	for (;;)
		;
}

/* Switching kernel contexts: a new one starts at its entry with the
 * stack aligned as after a call and a clean SSE state; each keeps its
 * callee-saved registers and its own SSE registers. */
SELFTEST(x86, context_switch)
{
	static uint8_t stack[2 * PAGE_SIZE] __attribute__((aligned(16)));

	arch_user_init();              /* SSE enabled */
	unsigned long flags = arch_irq_save();
	st_set_xmm0(0x1111);
	arch_context_init(&st_other_ctx, stack + sizeof(stack), st_other_entry);
	struct arch_context *from = &st_main_ctx, *to = &st_other_ctx;
	__asm__ volatile("movq $0xb1, %%rbx\n\tmovq $0xc12, %%r12\n\tmovq $0xc13, %%r13\n\t"
			 "movq $0xc14, %%r14\n\tmovq $0xc15, %%r15\n\t"
			 "call arch_context_switch\n\t"
			 "movq %%rbx, st_saved(%%rip)\n\tmovq %%r12, st_saved+8(%%rip)\n\t"
			 "movq %%r13, st_saved+16(%%rip)\n\tmovq %%r14, st_saved+24(%%rip)\n\t"
			 "movq %%r15, st_saved+32(%%rip)"
			 : "+D"(from), "+S"(to)
			 :
			 : "rax", "rbx", "rcx", "rdx", "r8", "r9", "r10", "r11", "r12", "r13", "r14",
			   "r15", "memory");
	uint64_t *saved = st_saved;
	ST_CHECK(st_other_steps == 1);
	ST_CHECK(saved[0] == 0xb1 && saved[1] == 0xc12 && saved[2] == 0xc13 && saved[3] == 0xc14 &&
		 saved[4] == 0xc15);
	ST_CHECK(st_get_xmm0() == 0x1111);
	ST_CHECK(st_other_mxcsr == 0x1f80);
	/* at entry rsp + 8 was 16-byte aligned, so the pushed rbp is too */
	ST_CHECK(st_other_fp % 16 == 0 && st_other_fp < (uintptr_t)stack + sizeof(stack));
	st_set_xmm0(0x3333);
	arch_context_switch(&st_main_ctx, &st_other_ctx);
	ST_CHECK(st_other_steps == 2 && st_other_xmm == 0x2222);
	ST_CHECK(st_get_xmm0() == 0x3333);
	arch_irq_restore(flags);
	return true;
}

/* User frames: what the first entry to user mode loads, where the next
 * trap from user mode saves its frame, the system-call registers. */
SELFTEST(x86, user_frame)
{
	static uint8_t area[2 * sizeof(struct trap_frame)] __attribute__((aligned(16)));
	struct trap_frame *tf = (struct trap_frame *)ALIGN_DOWN((uintptr_t)area + sizeof(area), 16) - 1;
	struct x86_percpu *pc = x86_this_cpu();
	uint64_t old_rsp0 = pc->tss.rsp[0];

	ST_CHECK(arch_user_top() == 0x0000800000000000ul);
	arch_user_frame_init(tf, 0x401000, 0x7fff0000, 42);
	ST_CHECK(tf->rip == 0x401000 && tf->rsp == 0x7fff0000 && tf->rdi == 42);
	ST_CHECK(tf->cs == USER_CS && tf->ss == USER_SS);
	ST_CHECK(tf->rflags == (RFLAGS_IF | RFLAGS_FIXED));
	ST_CHECK(tf->rax == 0 && tf->rsi == 0 && tf->rbp == 0 && tf->r15 == 0);

	unsigned long flags = arch_irq_save();
	arch_set_user_frame(tf);
	ST_CHECK(pc->tss.rsp[0] == (uintptr_t)(tf + 1));
	pc->tss.rsp[0] = old_rsp0;
	arch_irq_restore(flags);

	/* arguments rdi rsi rdx r10 r8, the sixth kept apart from r9 */
	tf->rdi = 10; tf->rsi = 11; tf->rdx = 12; tf->r10 = 13; tf->r8 = 14; tf->sys_arg5 = 15;
	tf->r9 = 0;
	for (unsigned i = 0; i < 6; i++)
		ST_CHECK(arch_syscall_arg(tf, i) == 10 + i);
	for (unsigned i = 1; i <= 6; i++)
		arch_syscall_set(tf, i, 100 + i);
	ST_CHECK(tf->rdi == 101 && tf->rsi == 102 && tf->rdx == 103 && tf->r10 == 104 &&
		 tf->r8 == 105 && tf->r9 == 106 && tf->sys_arg5 == 15);

	/* user leaves carry U/S and are never global; tables let the leaf decide */
	pte_t u = arch_pte_leaf(0x7000, PROT_R | PROT_W | PROT_USER | PROT_GLOBAL, 0);
	ST_CHECK((u & (PTE_US | PTE_RW)) == (PTE_US | PTE_RW) && !(u & PTE_G));
	ST_CHECK(arch_pte_table(0x8000) & PTE_US);
	return true;
}

#define ST_UVA 0x10000000ul

/* Outside the copy helpers the kernel cannot touch user memory when the
 * CPU has SMAP: AC is clear again after a copy, and a plain kernel load
 * from a user page faults (the copies themselves: the portable
 * user.copy_helpers test). */
SELFTEST(x86, user_memory_closed)
{
	uint8_t b = 1;
	uint64_t v;
	paddr_t root, pg;

	arch_user_init();
	root = pt_create_user();
	pg = pmm_alloc_zeroed(0);
	ST_CHECK(root != PADDR_INVALID && pg != PADDR_INVALID);
	ST_CHECK(pt_map(root, ST_UVA, pg, PAGE_SIZE, PROT_R | PROT_W | PROT_USER) == ERR_OK);
	unsigned long flags = arch_irq_save();
	astag_load_root(root);
	err_t to = arch_copy_to_user((void *)ST_UVA, &b, 1);
	unsigned long rflags;
	__asm__ volatile("pushfq; popq %0" : "=r"(rflags));
	err_t probe = arch_probe_read64((const void *)ST_UVA, &v);
	astag_load_root(kernel_root);
	arch_irq_restore(flags);
	ST_CHECK(to == ERR_OK && !(rflags & RFLAGS_AC));
	ST_CHECK(probe == (x86_has_smap ? ERR_FAULT : ERR_OK));
	pt_destroy_user(root);
	pmm_free(pg, 0);
	return true;
}
