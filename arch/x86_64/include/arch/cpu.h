/* SPDX-License-Identifier: MIT */
/*
 * x86-64 CPU state: the trap frame, the per-CPU block (reached through
 * %gs), control-register and MSR bits, interrupt flag, TSC and port I/O.
 */
#ifndef ARCH_X86_CPU_H
#define ARCH_X86_CPU_H

#ifdef __ASSEMBLY__
#define X86_BIT(n) (1 << (n))
#else
#define X86_BIT(n) (1ul << (n))
#endif

#define CR0_PE   X86_BIT(0)
#define CR0_MP   X86_BIT(1)
#define CR0_ET   X86_BIT(4)
#define CR0_NE   X86_BIT(5)
#define CR0_WP   X86_BIT(16)
#define CR0_PG   X86_BIT(31)
#define CR4_PAE  X86_BIT(5)
#define CR4_PGE  X86_BIT(7)
#define MSR_EFER       0xc0000080
#define MSR_FS_BASE    0xc0000100
#define MSR_GS_BASE    0xc0000101
#define MSR_APIC_BASE  0x1b
#define EFER_SCE X86_BIT(0)
#define EFER_LME X86_BIT(8)
#define EFER_LMA X86_BIT(10)
#define EFER_NXE X86_BIT(11)
#define RFLAGS_IF X86_BIT(9)

/* GDT selectors (the same table layout on every CPU). */
#define SEL_KCODE   0x08
#define SEL_KDATA   0x10
#define SEL_UCODE32 0x18
#define SEL_UDATA   0x20
#define SEL_UCODE   0x28
#define SEL_TSS     0x30
#define GDT_ENTRIES 8

/* Interrupt vectors. 0-31 exceptions; 0x20-0x2f the (masked) 8259s. */
#define VEC_PIC_BASE   0x20
#define VEC_IRQ_BASE   0x30     /* + GSI, for GSIs routed by the IOAPIC */
#define VEC_IRQ_LAST   0xdf
#define VEC_TIMER      0xf0     /* local APIC timer */
#define VEC_SPURIOUS   0xff

/* Where smp.c copies the AP start-up code (trampoline.S is assembled for
 * it): below 1 MiB, page aligned; the start-up IPI vector is PA >> 12. */
#define X86_TRAMPOLINE_PA 0x8000

/* struct trap_frame layout, for entry.S */
#define TF_CR2     0
#define TF_R15     8
#define TF_RBP     (9 * 8)
#define TF_RAX     (15 * 8)
#define TF_VECTOR  (16 * 8)
#define TF_ERROR   (17 * 8)
#define TF_RIP     (18 * 8)
#define TF_CS      (19 * 8)
#define TF_RFLAGS  (20 * 8)
#define TF_RSP     (21 * 8)
#define TF_SS      (22 * 8)
#define TF_SIZE    (23 * 8)

/* struct x86_percpu layout, for head.S and trampoline.S */
#define PERCPU_SELF   0
#define PERCPU_ID     8
#define PERCPU_STACK  16

#ifndef __ASSEMBLY__
#include <stdint.h>
#include <stdbool.h>

struct trap_frame {
	uint64_t cr2;                   /* the faulting address, saved on every entry */
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;         /* error is 0 when the CPU pushes none */
	uint64_t rip, cs, rflags, rsp, ss;   /* pushed by the CPU */
};

struct x86_tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));

struct x86_percpu {
	struct x86_percpu *self;        /* PERCPU_SELF: %gs:0 */
	unsigned id;                    /* PERCPU_ID: logical CPU index */
	unsigned apic_id;
	uint64_t stack_top;             /* PERCPU_STACK */
	volatile int online;
	unsigned irq_pending;           /* GSI being dispatched (irq_chip claim) */
	uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(16)));
	struct x86_tss tss __attribute__((aligned(16)));
} __attribute__((aligned(64)));

static inline struct x86_percpu *x86_this_cpu(void)
{
	struct x86_percpu *p;
	__asm__ volatile("movq %%gs:0, %0" : "=r"(p));
	return p;
}

static inline unsigned arch_cpu_id(void)
{
	unsigned id;
	__asm__ volatile("movl %%gs:8, %0" : "=r"(id));
	return id;
}

static inline unsigned long arch_irq_save(void)
{
	unsigned long f;
	__asm__ volatile("pushfq; popq %0; cli" : "=r"(f) :: "memory");
	return f & RFLAGS_IF;
}

static inline void arch_irq_restore(unsigned long flags)
{
	if (flags & RFLAGS_IF)
		__asm__ volatile("sti" ::: "memory");
}

static inline void arch_irq_enable(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void arch_irq_disable(void) { __asm__ volatile("cli" ::: "memory"); }

static inline bool arch_irq_enabled(void)
{
	unsigned long f;
	__asm__ volatile("pushfq; popq %0" : "=r"(f) :: "memory");
	return f & RFLAGS_IF;
}

/* The TSC: constant rate on the CPUs we run on (QEMU's, and any with an
 * invariant TSC); its frequency is calibrated at boot. */
static inline uint64_t arch_counter_read(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi) :: "memory");
	return ((uint64_t)hi << 32) | lo;
}

static inline uintptr_t arch_current_fp(void)
{
	return (uintptr_t)__builtin_frame_address(0);
}

static inline void arch_cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}

/* ---- port I/O (CONFIG_ARCH_HAS_PORT_IO) ---- */
static inline uint8_t arch_inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

static inline void arch_outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(port) : "memory");
}

static inline uint32_t x86_inl(uint16_t port)
{
	uint32_t v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

static inline void x86_outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" :: "a"(v), "Nd"(port) : "memory");
}

/* ---- control registers, MSRs, CPUID ---- */
#define x86_read_cr(n) ({ uint64_t __v; \
	__asm__ volatile("mov %%cr" #n ", %0" : "=r"(__v) :: "memory"); __v; })
#define x86_write_cr(n, v) ({ uint64_t __v = (v); \
	__asm__ volatile("mov %0, %%cr" #n :: "r"(__v) : "memory"); })

static inline uint64_t x86_rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr) : "memory");
	return ((uint64_t)hi << 32) | lo;
}

static inline void x86_wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" :: "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

struct x86_cpuid {
	uint32_t eax, ebx, ecx, edx;
};

static inline struct x86_cpuid x86_cpuid(uint32_t leaf, uint32_t sub)
{
	struct x86_cpuid r;
	__asm__ volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
			 : "a"(leaf), "c"(sub));
	return r;
}

#endif
#endif
