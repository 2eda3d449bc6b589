// SPDX-License-Identifier: MIT
/*
 * Per-CPU set-up: the GDT (one per CPU, because each holds its own TSS
 * descriptor), the TSS with its IST stacks (double fault, NMI and machine
 * check run on their own stacks, so a kernel stack overflow still gets a
 * report), the shared IDT, and the CPU features the rest of the arch uses.
 */
#include <arch.h>
#include <arch/x86.h>
#include <string.h>

struct idt_gate {
	uint16_t off_lo, sel;
	uint8_t ist, type;
	uint16_t off_mid;
	uint32_t off_hi, zero;
} __attribute__((packed));

struct desc_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

#define GATE_INTR     0x8e     /* present, DPL 0, 64-bit interrupt gate */
#define GATE_INTR_U   0xee     /* same, DPL 3 (int3, into from user mode) */
#define IST_DF        1
#define IST_NMI       2

struct x86_percpu x86_percpu[CONFIG_NR_CPUS];
static struct idt_gate idt[256] __attribute__((aligned(16)));

uint64_t x86_pte_nx;
bool x86_has_1g_pages, x86_has_invariant_tsc, x86_has_smep, x86_has_smap, x86_has_umip;
bool x86_has_pcid;
char x86_cpu_vendor[13];
char x86_hypervisor[13];
bool x86_mmio_refill;

_Static_assert(sizeof(struct trap_frame) == TF_SIZE, "trap frame layout");
_Static_assert(__builtin_offsetof(struct trap_frame, rip) == TF_RIP, "trap frame layout");
_Static_assert(__builtin_offsetof(struct trap_frame, rbp) == TF_RBP, "trap frame layout");
_Static_assert(__builtin_offsetof(struct x86_percpu, id) == PERCPU_ID, "percpu layout");
_Static_assert(__builtin_offsetof(struct x86_percpu, stack_top) == PERCPU_STACK, "percpu layout");
_Static_assert(__builtin_offsetof(struct x86_percpu, user_rsp) == PERCPU_USER_RSP, "percpu layout");
_Static_assert(__builtin_offsetof(struct x86_percpu, core) == PERCPU_CORE, "percpu layout");
_Static_assert(__builtin_offsetof(struct x86_percpu, tss) + 4 == PERCPU_TSS_RSP0, "percpu layout");
_Static_assert(__builtin_offsetof(struct trap_frame, rdi) == TF_RDI, "trap frame layout");
_Static_assert(__builtin_offsetof(struct trap_frame, r10) == TF_R10, "trap frame layout");
_Static_assert(__builtin_offsetof(struct trap_frame, error) == TF_ERROR, "trap frame layout");
_Static_assert(__builtin_offsetof(struct trap_frame, sys_arg5) == TF_ERROR, "trap frame layout");
_Static_assert(__builtin_offsetof(struct trap_frame, rflags) == TF_RFLAGS, "trap frame layout");
_Static_assert(__builtin_offsetof(struct trap_frame, ss) == TF_SS, "trap frame layout");
_Static_assert(__builtin_offsetof(struct arch_context, r15) == CTX_R15, "context layout");
_Static_assert(__builtin_offsetof(struct arch_context, fpu) == CTX_FPU, "context layout");
_Static_assert(sizeof(struct x86_tss) == 104, "TSS layout");
_Static_assert(sizeof(struct idt_gate) == 16, "IDT gate layout");

void x86_features_init(void)
{
	struct x86_cpuid r = x86_cpuid(0, 0);

	memcpy(x86_cpu_vendor, &r.ebx, 4);
	memcpy(x86_cpu_vendor + 4, &r.edx, 4);
	memcpy(x86_cpu_vendor + 8, &r.ecx, 4);
	x86_cpu_vendor[12] = 0;
	x86_has_pcid = x86_cpuid(1, 0).ecx & (1u << 17);
	if (x86_cpuid(1, 0).ecx & (1u << 31)) {        /* under a hypervisor: whose */
		r = x86_cpuid(0x40000000, 0);
		memcpy(x86_hypervisor, &r.ebx, 4);
		memcpy(x86_hypervisor + 4, &r.ecx, 4);
		memcpy(x86_hypervisor + 8, &r.edx, 4);
		x86_hypervisor[12] = 0;
	}
	/* QEMU's TCG: x86_mmio_fresh() (arch/x86.h) */
	x86_mmio_refill = !strcmp(x86_hypervisor, "TCGTCGTCGTCG");
	uint32_t ext = x86_cpuid(0x80000000, 0).eax;
	if (ext >= 0x80000001) {
		r = x86_cpuid(0x80000001, 0);
		x86_pte_nx = (r.edx & (1u << 20)) ? PTE_NX : 0;
		x86_has_1g_pages = r.edx & (1u << 26);
	}
	if (ext >= 0x80000007)
		x86_has_invariant_tsc = x86_cpuid(0x80000007, 0).edx & (1u << 8);
	if (x86_cpuid(0, 0).eax >= 7) {
		r = x86_cpuid(7, 0);
		x86_has_smep = r.ebx & (1u << 7);
		x86_has_smap = r.ebx & (1u << 20);
		x86_has_umip = r.ecx & (1u << 2);
	}
}

void x86_idt_init(void)
{
	for (unsigned v = 0; v < 256; v++) {
		uint64_t a = (uint64_t)x86_isr_stubs + v * X86_ISR_STUB_SIZE;
		idt[v] = (struct idt_gate){
			.off_lo = a & 0xffff, .sel = SEL_KCODE,
			.ist = v == 8 ? IST_DF : (v == 2 || v == 18) ? IST_NMI : 0,
			.type = (v == 3 || v == 4) ? GATE_INTR_U : GATE_INTR,
			.off_mid = (a >> 16) & 0xffff, .off_hi = a >> 32,
		};
	}
}

static void load_segments(struct x86_percpu *pc)
{
	struct desc_ptr gdtr = { sizeof(pc->gdt) - 1, (uint64_t)pc->gdt };
	struct desc_ptr idtr = { sizeof(idt) - 1, (uint64_t)idt };

	__asm__ volatile("lgdt %0" :: "m"(gdtr) : "memory");
	/* reload CS with a far return, then the data segments */
	__asm__ volatile("pushq %0\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movl %1, %%eax\n\t"
			 "movl %%eax, %%ds\n\t"
			 "movl %%eax, %%es\n\t"
			 "movl %%eax, %%ss\n\t"
			 "xorl %%eax, %%eax\n\t"
			 "movl %%eax, %%fs\n\t"
			 "movl %%eax, %%gs"
			 :: "i"(SEL_KCODE), "i"(SEL_KDATA) : "rax", "memory");
	__asm__ volatile("ltr %w0" :: "r"(SEL_TSS) : "memory");
	__asm__ volatile("lidt %0" :: "m"(idtr) : "memory");
}

/*
 * Loads this CPU's GDT, TSS and the IDT, points %gs at its per-CPU block
 * and turns on the control bits every CPU needs (global pages, NX).
 * ist_df / ist_nmi: tops of the IST stacks.
 */
void x86_cpu_init(struct x86_percpu *pc, void *ist_df, void *ist_nmi)
{
	uint64_t base = (uint64_t)&pc->tss, limit = sizeof(pc->tss) - 1;

	pc->self = pc;
	memset(&pc->tss, 0, sizeof(pc->tss));
	pc->tss.ist[IST_DF - 1] = (uint64_t)ist_df;
	pc->tss.ist[IST_NMI - 1] = (uint64_t)ist_nmi;
	pc->tss.iomap_base = sizeof(pc->tss);      /* no I/O bitmap */
	pc->gdt[0] = 0;
	pc->gdt[SEL_KCODE / 8] = 0x00af9a000000ffff;
	pc->gdt[SEL_KDATA / 8] = 0x00cf92000000ffff;
	pc->gdt[SEL_UCODE32 / 8] = 0;                   /* see SEL_UCODE32 */
	pc->gdt[SEL_UDATA / 8] = 0x00cff2000000ffff;
	pc->gdt[SEL_UCODE / 8] = 0x00affa000000ffff;
	pc->gdt[SEL_TSS / 8] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
			       (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	pc->gdt[SEL_TSS / 8 + 1] = base >> 32;
	load_segments(pc);
	x86_wrmsr(MSR_GS_BASE, (uint64_t)pc);
	x86_write_cr(4, x86_read_cr(4) | CR4_PGE);
	/* PCIDs (the boot tables are loaded with PCID 0, as PCIDE wants) */
	if (x86_has_pcid)
		x86_write_cr(4, x86_read_cr(4) | CR4_PCIDE);
	if (x86_pte_nx)
		x86_wrmsr(MSR_EFER, x86_rdmsr(MSR_EFER) | EFER_NXE);
}
