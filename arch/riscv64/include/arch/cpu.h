/* SPDX-License-Identifier: MIT */
/* RISC-V CPU state: trap frame, per-CPU block (in tp), CSR helpers. */
#ifndef ARCH_RISCV_CPU_H
#define ARCH_RISCV_CPU_H

#define SSTATUS_SIE   (1ul << 1)
#define SSTATUS_SPIE  (1ul << 5)
#define SSTATUS_SPP   (1ul << 8)
#define SSTATUS_SUM   (1ul << 18)
#define SIE_SSIE      (1ul << 1)
#define SIE_STIE      (1ul << 5)
#define SIE_SEIE      (1ul << 9)

/* struct trap_frame layout, for trap.S */
#define TF_REG(n)     ((n) * 8)
#define TF_SEPC       (32 * 8)
#define TF_SSTATUS    (33 * 8)
#define TF_SCAUSE     (34 * 8)
#define TF_STVAL      (35 * 8)
#define TF_KTP        (36 * 8)   /* kernel tp (per-CPU block) for entries from user mode */
#define TF_SIZE       (38 * 8)

/* struct arch_context layout, for entry.S */
#define CTX_RA        0
#define CTX_SP        8
#define CTX_S(n)      (16 + (n) * 8)
#define CTX_FP(n)     (112 + (n) * 8)   /* f0..f31 */
#define CTX_FCSR      (112 + 32 * 8)
#define CTX_FP_USED   (CTX_FCSR + 8)

#define SSTATUS_FS        (3ul << 13)
#define SSTATUS_FS_INITIAL (1ul << 13)
#define SSTATUS_FS_CLEAN  (2ul << 13)

/* struct riscv_percpu layout, for head.S */
#define PERCPU_STACK  16
#define PERCPU_SIZE   64

#ifndef __ASSEMBLY__
#include <stdint.h>
#include <stdbool.h>

struct trap_frame {
	uint64_t regs[32];   /* x0 (unused) .. x31; regs[2] is the trapped sp */
	uint64_t sepc, sstatus, scause, stval;
	uint64_t kernel_tp;  /* entries from user mode load tp from here */
	uint64_t pad;
};

/* Callee-saved state of a kernel context (arch_context_switch). */
struct arch_context {
	uint64_t ra, sp, s[12];
	/* user floating-point state, switched only for threads that use it
	 * (fp_used: set on their first FP instruction) */
	uint64_t f[32];
	uint64_t fcsr;
	uint8_t fp_used;
};

/* System-call arguments are a0..a5 and results a0..a6 (x10..x16). */
static inline void arch_syscall_set(struct trap_frame *tf, unsigned i, uint64_t v)
{
	tf->regs[10 + i] = v;
}

static inline uint64_t arch_syscall_arg(const struct trap_frame *tf, unsigned i)
{
	return tf->regs[10 + i];
}

struct riscv_percpu {
	unsigned id;                /* logical CPU index */
	unsigned pad;
	uint64_t hartid;
	uint64_t stack_top;         /* PERCPU_STACK */
	volatile int online;
	int pad2;
	void *core;                 /* the core's struct cpu (arch_cpu_core) */
	uint64_t reserved[3];
};

#define csr_read(csr) ({ unsigned long __v; \
	__asm__ volatile("csrr %0, " #csr : "=r"(__v) :: "memory"); __v; })
#define csr_write(csr, val) ({ unsigned long __v = (unsigned long)(val); \
	__asm__ volatile("csrw " #csr ", %0" :: "rK"(__v) : "memory"); })
#define csr_set(csr, val) ({ unsigned long __v = (unsigned long)(val); \
	__asm__ volatile("csrs " #csr ", %0" :: "rK"(__v) : "memory"); })
#define csr_clear(csr, val) ({ unsigned long __v = (unsigned long)(val); \
	__asm__ volatile("csrc " #csr ", %0" :: "rK"(__v) : "memory"); })

static inline struct riscv_percpu *riscv_this_cpu(void)
{
	struct riscv_percpu *p;
	__asm__ volatile("mv %0, tp" : "=r"(p));
	return p;
}

/* The next trap from user mode finds tf in sscratch (set on the way out);
 * it needs this CPU's tp from it. */
static inline void arch_set_user_frame(struct trap_frame *tf)
{
	tf->kernel_tp = (uintptr_t)riscv_this_cpu();
}

/* satp mode bits of the paging mode in use (set at boot). */
extern uint64_t riscv_satp_mode_bits;

/* The token is satp: the mode, the tag as ASID (bits 44..59) and the
 * root's page number. */
static inline uint64_t arch_as_token(uint64_t root, unsigned tag)
{
	return riscv_satp_mode_bits | ((uint64_t)tag << 44 /* SATP_ASID_SHIFT */) | (root >> 12);
}

/* A satp write flushes nothing, with or without ASIDs. */
static inline bool arch_as_self_flush(uint64_t satp) { (void)satp; return false; }

/* A flush is `sfence.vma zero, asid`, which leaves global (kernel) entries
 * and other ASIDs alone, after the write: no entry of the tag can be
 * cached anew from the old table after the fence. (The ASID goes in a
 * register even when 0: rs2 = x0 would flush every ASID.) */
static inline void arch_as_load(uint64_t satp, bool flush)
{
	csr_write(satp, satp);
	if (flush)
		__asm__ volatile("sfence.vma zero, %0" :: "r"((satp >> 44) & 0xffff) : "memory");
}

static inline unsigned arch_cpu_id(void) { return riscv_this_cpu()->id; }
static inline void *arch_cpu_core(void) { return riscv_this_cpu()->core; }
static inline void arch_cpu_core_set(void *core) { riscv_this_cpu()->core = core; }

static inline unsigned long arch_irq_save(void)
{
	unsigned long v;
	__asm__ volatile("csrrci %0, sstatus, %1" : "=r"(v) : "i"(SSTATUS_SIE) : "memory");
	return v & SSTATUS_SIE;
}

static inline void arch_irq_restore(unsigned long flags)
{
	if (flags)
		csr_set(sstatus, SSTATUS_SIE);
}

static inline void arch_irq_enable(void) { csr_set(sstatus, SSTATUS_SIE); }
static inline void arch_irq_disable(void) { csr_clear(sstatus, SSTATUS_SIE); }
static inline bool arch_irq_enabled(void) { return csr_read(sstatus) & SSTATUS_SIE; }

static inline uint64_t arch_counter_read(void)
{
	uint64_t t;
	__asm__ volatile("rdtime %0" : "=r"(t));
	return t;
}

static inline uintptr_t arch_current_fp(void)
{
	return (uintptr_t)__builtin_frame_address(0);
}

static inline void arch_cpu_relax(void)
{
	__asm__ volatile("nop" ::: "memory");
}

#endif
#endif
