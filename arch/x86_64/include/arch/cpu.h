/* SPDX-License-Identifier: MIT */
/*
 * x86-64 CPU state: the trap frame, the kernel context of a thread, the
 * per-CPU block (reached through %gs), control-register and MSR bits,
 * interrupt flag, TSC and port I/O, system-call argument and result slots.
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
#define CR0_EM   X86_BIT(2)
#define CR0_TS   X86_BIT(3)
#define CR0_ET   X86_BIT(4)
#define CR0_NE   X86_BIT(5)
#define CR0_WP   X86_BIT(16)
#define CR0_PG   X86_BIT(31)
#define CR4_TSD  X86_BIT(2)
#define CR4_PAE  X86_BIT(5)
#define CR4_PGE  X86_BIT(7)
#define CR4_PCE  X86_BIT(8)
#define CR4_OSFXSR     X86_BIT(9)
#define CR4_OSXMMEXCPT X86_BIT(10)
#define CR4_UMIP X86_BIT(11)
#define CR4_PCIDE X86_BIT(17)
#define CR3_NOFLUSH (1ull << 63)   /* with CR4.PCIDE: keep the PCID's entries */
#define CR4_SMEP X86_BIT(20)
#define CR4_SMAP X86_BIT(21)
#define MSR_EFER       0xc0000080
#define MSR_STAR       0xc0000081   /* SYSCALL/SYSRET selector bases */
#define MSR_LSTAR      0xc0000082   /* SYSCALL entry from 64-bit mode */
#define MSR_CSTAR      0xc0000083   /* SYSCALL entry from compatibility mode (AMD) */
#define MSR_SFMASK     0xc0000084   /* RFLAGS bits SYSCALL clears */
#define MSR_FS_BASE    0xc0000100
#define MSR_GS_BASE    0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102   /* swapped with GS_BASE by swapgs */
#define MSR_APIC_BASE  0x1b
#define EFER_SCE X86_BIT(0)
#define EFER_LME X86_BIT(8)
#define EFER_LMA X86_BIT(10)
#define EFER_NXE X86_BIT(11)
#define RFLAGS_FIXED X86_BIT(1)     /* always reads 1 */
#define RFLAGS_TF X86_BIT(8)
#define RFLAGS_IF X86_BIT(9)
#define RFLAGS_DF X86_BIT(10)
#define RFLAGS_NT X86_BIT(14)
#define RFLAGS_AC X86_BIT(18)

/*
 * GDT selectors (the same table layout on every CPU). SYSCALL loads
 * CS = STAR[47:32] (SEL_KCODE) and SS = that + 8 (SEL_KDATA); SYSRET to
 * 64-bit mode loads CS = STAR[63:48] + 16 (SEL_UCODE) and SS = STAR[63:48]
 * + 8 (SEL_UDATA), both with RPL 3. STAR[63:48] is SEL_UCODE32, the slot
 * SYSRET to 32-bit mode would use: it stays a null descriptor, so user
 * code cannot switch to compatibility mode.
 */
#define SEL_KCODE   0x08
#define SEL_KDATA   0x10
#define SEL_UCODE32 0x18
#define SEL_UDATA   0x20
#define SEL_UCODE   0x28
#define SEL_TSS     0x30
#define GDT_ENTRIES 8
#define SEL_RPL3    3
#define USER_CS     (SEL_UCODE | SEL_RPL3)
#define USER_SS     (SEL_UDATA | SEL_RPL3)

/* Interrupt vectors. 0-31 exceptions; 0x20-0x2f the (masked) 8259s. */
#define VEC_PIC_BASE   0x20
#define VEC_IRQ_BASE   0x30     /* + GSI, for GSIs routed by the IOAPIC */
#define VEC_IRQ_LAST   0xdf
#define VEC_TIMER      0xe0     /* local APIC timer: below VEC_IPI's priority */
#define VEC_IPI        0xf1     /* another CPU's request (arch_send_ipi) */
/* The task priority (CR8) that holds off every interrupt but VEC_IPI
 * (priority classes are vector >> 4): arch_cpu_wait_ipi() */
#define TPR_IPI_ONLY   (VEC_TIMER >> 4)
#define VEC_SPURIOUS   0xff
#define X86_ISR_STUB_SIZE 16    /* entry.S: x86_isr_stubs + vector * this */
/* Not vectors: what struct trap_frame.vector says for frames that no
 * interrupt made. */
#define X86_VEC_SYSCALL 0x100   /* saved by the SYSCALL entry */
#define X86_VEC_NONE    0x101   /* made by arch_user_frame_init() */

/* The end of user space: the canonical lower half of 4-level paging. */
#define X86_USER_TOP   0x0000800000000000

/* Where smp.c copies the AP start-up code (trampoline.S is assembled for
 * it): below 1 MiB, page aligned; the start-up IPI vector is PA >> 12. */
#define X86_TRAMPOLINE_PA 0x8000

/* struct trap_frame layout, for entry.S */
#define TF_CR2     0
#define TF_R15     8
#define TF_R14     (2 * 8)
#define TF_R13     (3 * 8)
#define TF_R12     (4 * 8)
#define TF_R11     (5 * 8)
#define TF_R10     (6 * 8)
#define TF_R9      (7 * 8)
#define TF_R8      (8 * 8)
#define TF_RBP     (9 * 8)
#define TF_RDI     (10 * 8)
#define TF_RSI     (11 * 8)
#define TF_RDX     (12 * 8)
#define TF_RCX     (13 * 8)
#define TF_RBX     (14 * 8)
#define TF_RAX     (15 * 8)
#define TF_VECTOR  (16 * 8)
#define TF_ERROR   (17 * 8)
#define TF_RIP     (18 * 8)
#define TF_CS      (19 * 8)
#define TF_RFLAGS  (20 * 8)
#define TF_RSP     (21 * 8)
#define TF_SS      (22 * 8)
#define TF_SIZE    (23 * 8)

/* struct arch_context layout, for entry.S */
#define CTX_RSP    0
#define CTX_RBX    8
#define CTX_RBP    16
#define CTX_R12    24
#define CTX_R13    32
#define CTX_R14    40
#define CTX_R15    48
#define CTX_FSBASE 56
#define CTX_FPU    64
#define CTX_FPU_SIZE 512

/* struct x86_percpu layout, for head.S, trampoline.S and entry.S */
#define PERCPU_SELF   0
#define PERCPU_ID     8
#define PERCPU_STACK  16
#define PERCPU_USER_RSP  32     /* scratch: the user rsp during SYSCALL entry */
#define PERCPU_CORE   40
#define PERCPU_TSS_RSP0  116    /* tss.rsp[0]: where the next user frame ends */

#ifndef __ASSEMBLY__
#include <stdint.h>
#include <stdbool.h>

/*
 * The registers of a trap, an interrupt or a system call. A thread's user
 * frame sits at the top of its kernel stack: the end of the frame (tf + 1)
 * must be 16-byte aligned, because the CPU aligns the stack pointer to 16
 * bytes before it pushes ss..rip at TSS.rsp0.
 *
 * A frame saved by the SYSCALL entry holds only what the return needs:
 * rip, rflags, rsp, ss, rbp (the entry clears it to end kernel
 * backtraces), the arguments rdi rsi rdx r10 r8 (which are also results
 * 1..5) and r9 = result 6 (0 until set); the sixth argument, whose
 * register r9 carries result 6, is kept in `error`. cs needs no store
 * (the thread entered user mode through this frame, so it says USER_CS).
 * vector, rax, rbx, rcx, r11-r15 and cr2 are left as they were: the
 * callee-saved registers survive the call into the core, the others are
 * the return value or clobbered by SYSRET. The rare slow return (see
 * entry.S) fills in the rest and sets vector to X86_VEC_SYSCALL.
 */
struct trap_frame {
	uint64_t cr2;                   /* the faulting address, saved on every trap */
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector;
	union {
		uint64_t error;         /* 0 when the CPU pushes none */
		uint64_t sys_arg5;      /* X86_VEC_SYSCALL: argument 5 */
	};
	uint64_t rip, cs, rflags, rsp, ss;   /* pushed by the CPU */
};

/*
 * A thread's kernel context: what arch_context_switch() keeps of the
 * switched-out side. The callee-saved registers and rsp (the return
 * address is on the stack), and the thread's x87/SSE state (FXSAVE
 * format): the kernel never touches those registers, so they still hold
 * the user's values whenever a thread is switched out.
 */
struct arch_context {
	uint64_t rsp, rbx, rbp, r12, r13, r14, r15;
	uint64_t fs_base;               /* the user FS base (TLS), switched with the context */
	uint8_t fpu[CTX_FPU_SIZE] __attribute__((aligned(16)));
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
	uint64_t user_rsp;              /* PERCPU_USER_RSP */
	void *core;                     /* PERCPU_CORE: the core's struct cpu (arch_cpu_core) */
	uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(16)));
	struct x86_tss tss __attribute__((aligned(16)));
} __attribute__((aligned(64)));

/* System-call arguments 0..5 (rdi rsi rdx r10 r8 r9) of a frame saved by
 * the SYSCALL entry; see include/cairn/abi.h. */
static inline uint64_t arch_syscall_arg(const struct trap_frame *tf, unsigned i)
{
	switch (i) {
	case 0: return tf->rdi;
	case 1: return tf->rsi;
	case 2: return tf->rdx;
	case 3: return tf->r10;
	case 4: return tf->r8;
	default: return tf->sys_arg5;
	}
}

/* Sets system-call result i (1..6: rdi rsi rdx r10 r8 r9) for the return
 * to user mode. Result i shares its register with argument i - 1. */
static inline void arch_syscall_set(struct trap_frame *tf, unsigned i, uint64_t v)
{
	switch (i) {
	case 1: tf->rdi = v; break;
	case 2: tf->rsi = v; break;
	case 3: tf->rdx = v; break;
	case 4: tf->r10 = v; break;
	case 5: tf->r8 = v; break;
	case 6: tf->r9 = v; break;
	}
}

static inline struct x86_percpu *x86_this_cpu(void)
{
	struct x86_percpu *p;
	__asm__ volatile("movq %%gs:0, %0" : "=r"(p));
	return p;
}

/* The next trap from user mode on this CPU saves its frame at tf: the CPU
 * pushes below TSS.rsp0, the SYSCALL entry reads the same field. tf + 1
 * must be 16-byte aligned (see struct trap_frame); a misplaced frame
 * stops here with an invalid-opcode report. */
static inline void arch_set_user_frame(struct trap_frame *tf)
{
	uintptr_t end = (uintptr_t)(tf + 1);

	if (end & 15)
		__builtin_trap();
	__asm__ volatile("movq %0, %%gs:%c1" :: "r"(end), "i"(PERCPU_TSS_RSP0) : "memory");
}

/* The token is CR3: the root and the tag as PCID (bits 0..11), with bit
 * 63 (keep the PCID's entries) for a tag above 0, which exists only with
 * CR4.PCIDE on (without, bit 63 is reserved). Tag 0's token lacks it: a
 * load of it always flushes PCID 0, as every write did without PCIDs. */
static inline uint64_t arch_as_token(uint64_t root, unsigned tag)
{
	return root | tag | (tag ? CR3_NOFLUSH : 0);
}

/* A CR3 write without bit 63 flushes the non-global entries of the PCID
 * it loads (PCID 0 without PCIDs: all of them). */
static inline bool arch_as_self_flush(uint64_t cr3) { return !(cr3 & CR3_NOFLUSH); }

/* The flush is the write without bit 63: no INVPCID needed. */
static inline void arch_as_load(uint64_t cr3, bool flush)
{
	if (flush)
		cr3 &= ~CR3_NOFLUSH;
	__asm__ volatile("mov %0, %%cr3" :: "r"(cr3) : "memory");
}

static inline void *arch_cpu_core(void)
{
	void *p;
	__asm__ volatile("movq %%gs:%c1, %0" : "=r"(p) : "i"(PERCPU_CORE));
	return p;
}

static inline void arch_cpu_core_set(void *core)
{
	x86_this_cpu()->core = core;
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

static inline uint16_t x86_inw(uint16_t port)
{
	uint16_t v;
	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

static inline void x86_outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" :: "a"(v), "Nd"(port) : "memory");
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

#define ARCH_IO_PORTS 0x10000u

static inline uint32_t arch_port_in(uint16_t port, unsigned width)
{
	return width == 1 ? arch_inb(port) : width == 2 ? x86_inw(port) : x86_inl(port);
}

static inline void arch_port_out(uint16_t port, unsigned width, uint32_t v)
{
	if (width == 1)
		arch_outb(port, (uint8_t)v);
	else if (width == 2)
		x86_outw(port, (uint16_t)v);
	else
		x86_outl(port, v);
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
