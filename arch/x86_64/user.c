// SPDX-License-Identifier: MIT
/*
 * Threads and user mode on x86-64: the per-CPU set-up for SYSCALL/SYSRET
 * and user mode, kernel contexts of threads, user frames, address-space
 * switches. The entry and exit paths themselves are in entry.S.
 *
 * User space is the canonical lower half [0, X86_USER_TOP). A thread's
 * user frame sits at the top of its kernel stack; TSS.rsp0 (which the
 * SYSCALL entry reads too) points at its end, so every entry from user
 * mode saves the frame in place and runs the kernel below it
 * (arch_set_user_frame, arch_as_token and arch_as_load are inlines in arch/cpu.h).
 */
#include <stddef.h>
#include <arch.h>
#include <cairn/abi.h>
#include <kernel/smp.h>
#include <arch/x86.h>
#include <kernel/trap.h>
#include <string.h>

#define FCW_DEFAULT    0x037f   /* x87: all exceptions masked, double extended */
#define MXCSR_DEFAULT  0x1f80   /* SSE: all exceptions masked, round to nearest */

/* The flags SYSCALL clears: no interrupts until the kernel stack is in
 * place, DF and AC as kernel C expects them, no single-stepping of the
 * entry, NT so that a later iretq in kernel mode cannot fault. */
#define SYSCALL_FLAGS_MASK (RFLAGS_IF | RFLAGS_DF | RFLAGS_TF | RFLAGS_AC | RFLAGS_NT)

/*
 * Per CPU: SYSCALL/SYSRET (selectors, entry, flag mask), user-mode
 * counters (rdtsc, and rdpmc), SSE for user code, SMEP and, where the
 * CPU has them, SMAP (user memory only through the copy helpers) and UMIP
 * (no sgdt/sidt/str in user mode, which would show kernel addresses). A
 * second call changes nothing.
 */
void arch_user_init(void)
{
	uint64_t cr0 = x86_read_cr(0), cr4 = x86_read_cr(4);

	x86_wrmsr(MSR_STAR, ((uint64_t)(SEL_UCODE32 | SEL_RPL3) << 48) | ((uint64_t)SEL_KCODE << 32));
	x86_wrmsr(MSR_LSTAR, (uint64_t)x86_syscall_entry);
	x86_wrmsr(MSR_CSTAR, (uint64_t)x86_syscall_entry);
	x86_wrmsr(MSR_SFMASK, SYSCALL_FLAGS_MASK);
	x86_wrmsr(MSR_EFER, x86_rdmsr(MSR_EFER) | EFER_SCE);
	/* user GS and FS bases start at 0 (loaded by the first swapgs to user) */
	x86_wrmsr(MSR_KERNEL_GS_BASE, 0);
	x86_wrmsr(MSR_FS_BASE, 0);

	cr0 = (cr0 | CR0_MP | CR0_NE) & ~(CR0_EM | CR0_TS);
	x86_write_cr(0, cr0);
	cr4 = (cr4 | CR4_PCE | CR4_OSFXSR | CR4_OSXMMEXCPT) & ~CR4_TSD;
	if (x86_has_smep)
		cr4 |= CR4_SMEP;
	if (x86_has_smap)
		cr4 |= CR4_SMAP;
	if (x86_has_umip)
		cr4 |= CR4_UMIP;
	x86_write_cr(4, cr4);
	/* a clean x87/SSE state for a thread entered without a context switch */
	uint32_t mxcsr = MXCSR_DEFAULT;
	__asm__ volatile("fninit; ldmxcsr %0" :: "m"(mxcsr) : "memory");
}

vaddr_t arch_user_top(void)
{
	return X86_USER_TOP;
}

/*
 * The first switch to ctx "returns" into entry with rsp = stack_top - 8,
 * as after a call, and a zero return address and rbp that end backtraces.
 */
void arch_context_init(struct arch_context *ctx, void *stack_top, void (*entry)(void))
{
	uint64_t *sp = stack_top;

	*--sp = 0;
	*--sp = (uint64_t)entry;
	memset(ctx, 0, sizeof(*ctx));
	ctx->rsp = (uint64_t)sp;
	/* FXSAVE image of the state after fninit with SSE's default MXCSR:
	 * FCW at byte 0, abridged tag word 0 (all empty), MXCSR at byte 24 */
	uint16_t fcw = FCW_DEFAULT;
	uint32_t mxcsr = MXCSR_DEFAULT;
	memcpy(&ctx->fpu[0], &fcw, sizeof(fcw));
	memcpy(&ctx->fpu[24], &mxcsr, sizeof(mxcsr));
}

void arch_user_frame_init(struct trap_frame *tf, uintptr_t pc, uintptr_t sp, uintptr_t arg)
{
	memset(tf, 0, sizeof(*tf));
	tf->vector = X86_VEC_NONE;
	tf->rip = pc;
	tf->cs = USER_CS;
	tf->rflags = RFLAGS_FIXED | RFLAGS_IF;
	tf->rsp = sp;
	tf->ss = USER_SS;
	tf->rdi = arg;
}

noreturn void arch_user_enter(struct trap_frame *tf)
{
	x86_user_return_check(tf);
	x86_iret_to_user(tf);
}

/*
 * SYSRET to an address that is not canonical faults in ring 0 on Intel
 * CPUs, with the user's rsp already loaded; IRET to one faults in ring 0
 * too. Addresses above user space (canonical or not) are therefore never
 * returned to: the thread takes an instruction fault there, as it would
 * on fetching from it.
 */
void x86_user_return_check(struct trap_frame *tf)
{
	if (tf->rip >= X86_USER_TOP) {        /* rare: the kernel lock for it */
		klock();
		while (tf->rip >= X86_USER_TOP) {
			trap_user(tf, TRAP_USER_FAULT_EXEC, tf->rip);
			sched_user_return();
		}
		kunlock();
	}
	arch_irq_disable();
}

void arch_set_tls(struct arch_context *ctx, struct trap_frame *tf, uint64_t value, bool running)
{
	(void)tf;
	ctx->fs_base = value;
	if (running)
		x86_wrmsr(0xc0000100, value);
}

uintptr_t arch_frame_sp(const struct trap_frame *tf)
{
	return tf->rsp;
}

/* the upcall frame's layout, as include/cairn/abi.h tells user space */
_Static_assert(offsetof(struct trap_frame, rip) == CAIRN_UPF_X86_RIP * 8 &&
	       sizeof(struct trap_frame) == CAIRN_UPF_X86_NREGS * 8, "upcall frame registers");

void arch_frame_set_pc(struct trap_frame *tf, uintptr_t pc)
{
	tf->rip = pc;
}

void arch_upcall_enter(struct trap_frame *tf, uintptr_t pc, uintptr_t sp, uintptr_t a0, uintptr_t a1)
{
	tf->rip = pc;
	tf->rsp = sp;
	tf->rdi = a0;
	tf->rsi = a1;
}

/* The flags user code may set: CF PF AF ZF SF DF OF. */
#define RFLAGS_USER 0xcd5ul

void arch_frame_restore(struct trap_frame *tf, const struct trap_frame *saved, bool partial)
{
	tf->rip = saved->rip;
	tf->rsp = saved->rsp;
	tf->rflags = (saved->rflags & RFLAGS_USER) | RFLAGS_FIXED | RFLAGS_IF;
	tf->rdi = saved->rdi;
	tf->rsi = saved->rsi;
	tf->rdx = saved->rdx;
	tf->r10 = saved->r10;
	tf->r8 = saved->r8;
	tf->r9 = saved->r9;
	tf->rbp = saved->rbp;
	if (partial)
		return;
	tf->rax = saved->rax;
	tf->rbx = saved->rbx;
	tf->rcx = saved->rcx;
	tf->r11 = saved->r11;
	tf->r12 = saved->r12;
	tf->r13 = saved->r13;
	tf->r14 = saved->r14;
	tf->r15 = saved->r15;
	tf->cs = USER_CS;
	tf->ss = USER_SS;
	tf->vector = X86_VEC_NONE;
	tf->error = 0;
}
