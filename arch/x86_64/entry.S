/* SPDX-License-Identifier: MIT */
/*
 * Kernel entry and exit: traps and interrupts, SYSCALL, the return to user
 * mode, kernel context switches, and the fault-tolerant memory accesses
 * (probe, user copies) of the exception table.
 *
 * Every vector has a 16-byte stub at x86_isr_stubs + 16 * vector that
 * pushes a dummy error code (where the CPU pushes none) and the vector,
 * then a common path builds struct trap_frame and calls C.
 *
 * GS: in kernel mode GS_BASE is this CPU's struct x86_percpu and
 * KERNEL_GS_BASE the user's GS base; in user mode the other way round.
 * Every entry from ring 3 (the RPL of the saved CS, or SYSCALL) does
 * swapgs first, every exit to ring 3 last. NMI, double fault and machine
 * check (IST stacks) may arrive in the few instructions between SYSCALL
 * or an exit and the swapgs, so their path asks the GS_BASE MSR instead.
 *
 * A trap from ring 3 arrives at TSS.rsp0, which arch_set_user_frame()
 * points at the end of the thread's user frame: the frame the CPU and the
 * common path build there is that thread's struct trap_frame. SYSCALL
 * switches to the same place itself.
 */
#include <arch/cpu.h>

/* Vectors for which the CPU pushes an error code. */
#define HAS_ERROR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || \
		      (v) == 29 || (v) == 30)
/* Vectors on IST stacks: NMI, double fault, machine check. */
#define PARANOID(v) ((v) == 2 || (v) == 8 || (v) == 18)

/* The stub of vector `vec`: exactly X86_ISR_STUB_SIZE bytes (.org fails
 * the build if the code is longer). */
.macro ISR_STUB
.Lstub\@:
	.if (HAS_ERROR(vec)) == 0
	pushq	$0
	.endif
	pushq	$vec
	.if PARANOID(vec)
	jmp	x86_trap_paranoid
	.else
	jmp	x86_trap_common
	.endif
	.org	.Lstub\@ + X86_ISR_STUB_SIZE, 0xcc
.endm

	.section .text
	.balign 16
	.globl x86_isr_stubs
x86_isr_stubs:
	.set	vec, 0
	.rept	256
	ISR_STUB
	.set	vec, vec + 1
	.endr

/* The rest of struct trap_frame below what the CPU and the stub pushed. */
.macro SAVE_REGS
	pushq	%rax
	pushq	%rbx
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%rbp
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%cr2, %rax
	pushq	%rax
.endm

/* From rsp = the frame up to the CPU's part (rip, cs, rflags, rsp, ss). */
.macro RESTORE_REGS
	addq	$8, %rsp			/* cr2 */
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rbp
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rbx
	popq	%rax
	addq	$16, %rsp			/* vector, error */
.endm

/*
 * Flags for kernel C: AC off (with SMAP, user memory stays closed even if
 * user mode set AC), DF off, NT off; IF is already off (interrupt gates).
 * iretq restores the trapped flags.
 */
.macro KERNEL_FLAGS
	pushq	$RFLAGS_FIXED
	popfq
.endm

	.balign 16
x86_trap_common:
	testb	$SEL_RPL3, 24(%rsp)		/* CS above vector, error, rip */
	jnz	x86_trap_from_user
	KERNEL_FLAGS
	SAVE_REGS
	movq	%rsp, %rbx			/* the frame; rbx survives the call */
	/* a frame record (saved rbp, trapped rip) so backtraces walk
	 * through the trap into the interrupted function */
	pushq	TF_RIP(%rbx)
	pushq	%rbp
	movq	%rsp, %rbp
	andq	$-16, %rsp
	movq	%rbx, %rdi
	call	x86_trap
	movq	%rbx, %rsp
	RESTORE_REGS
	iretq

/* A trap or interrupt in user mode: the frame is the thread's user frame. */
x86_trap_from_user:
	swapgs
	KERNEL_FLAGS
	SAVE_REGS
	/* the CPU loaded a null SS; a SYSRET from that state leaves SS
	 * unusable on AMD CPUs, so the kernel never runs with one */
	movl	$SEL_KDATA, %eax
	movl	%eax, %ss
	movq	%rsp, %rbx
	xorl	%ebp, %ebp			/* kernel backtraces end here */
	andq	$-16, %rsp
	movq	%rbx, %rdi
	call	x86_trap_user			/* returns with interrupts off */
.Lreturn_to_user:				/* rbx = the frame */
	movq	%rbx, %rsp
	RESTORE_REGS
	swapgs
	iretq

/* noreturn void x86_iret_to_user(struct trap_frame *tf): interrupts off */
	.globl x86_iret_to_user
x86_iret_to_user:
	movq	%rdi, %rbx
	jmp	.Lreturn_to_user

/*
 * NMI, double fault, machine check: on their IST stacks, possibly between
 * SYSCALL and its swapgs or between an exit's swapgs and sysretq/iretq,
 * where the CS RPL does not tell which GS base is loaded. Kernel GS bases
 * are upper-half addresses, user ones are not.
 */
	.balign 16
x86_trap_paranoid:
	KERNEL_FLAGS
	SAVE_REGS
	movq	%rsp, %rbx
	movl	$MSR_GS_BASE, %ecx
	rdmsr
	xorl	%r12d, %r12d			/* r12: swapgs again on the way out */
	testl	%edx, %edx
	js	1f
	swapgs
	movl	$1, %r12d
1:	pushq	TF_RIP(%rbx)
	pushq	%rbp
	movq	%rsp, %rbp
	andq	$-16, %rsp
	movq	%rbx, %rdi
	call	x86_trap
	testl	%r12d, %r12d
	jz	2f
	swapgs
2:	movq	%rbx, %rsp
	RESTORE_REGS
	iretq

/*
 * SYSCALL from user mode (LSTAR, and CSTAR: a compatibility-mode caller
 * is served the same way and returns in 64-bit mode). The CPU has put the
 * return rip in rcx and rflags in r11 and cleared IF, DF, TF, AC and NT
 * (SFMASK); rsp is still the user's. Number in rax, arguments in rdi rsi
 * rdx r10 r8 r9; see include/cairn/abi.h and struct trap_frame for what
 * the frame holds. Its cs slot already says USER_CS: the thread entered
 * user mode through this frame.
 *
 * uint64_t syscall_dispatch(a0, a1, a2, a3, a4, a5, nr): a3 goes in rcx
 * and nr on the stack, the seventh argument of the C ABI.
 *
 * 20 instructions from swapgs to the call, 16 from its return to sysretq.
 */
	.balign 16
	.globl x86_syscall_entry
x86_syscall_entry:
	swapgs
	movq	%rsp, %gs:PERCPU_USER_RSP
	movq	%gs:PERCPU_TSS_RSP0, %rsp	/* the end of the thread's frame */
	pushq	$USER_SS
	pushq	%gs:PERCPU_USER_RSP
	subq	$TF_SIZE - 16, %rsp		/* rsp = the frame */
	movq	%r11, TF_RFLAGS(%rsp)
	movq	%rcx, TF_RIP(%rsp)
	movq	%r9, TF_ERROR(%rsp)		/* argument 5 */
	movq	%rdi, TF_RDI(%rsp)
	movq	%rsi, TF_RSI(%rsp)
	movq	%rdx, TF_RDX(%rsp)
	movq	%r10, TF_R10(%rsp)
	movq	%r8, TF_R8(%rsp)
	movq	$0, TF_R9(%rsp)			/* result 6 until set */
	movq	%rbp, TF_RBP(%rsp)
	xorl	%ebp, %ebp			/* kernel backtraces end here */
	movq	%r10, %rcx
	pushq	%rax				/* nr; rsp is now 16-byte aligned */
	call	syscall_dispatch
	cli					/* the core may have enabled them */
	movq	8+TF_RDI(%rsp), %rdi		/* results 1..6 */
	movq	8+TF_RSI(%rsp), %rsi
	movq	8+TF_RDX(%rsp), %rdx
	movq	8+TF_R10(%rsp), %r10
	movq	8+TF_R8(%rsp), %r8
	movq	8+TF_R9(%rsp), %r9
	movq	8+TF_RBP(%rsp), %rbp
	movq	8+TF_RIP(%rsp), %rcx
	movq	%rcx, %r11
	shrq	$47, %r11			/* not in user space: SYSRET would #GP */
	jnz	.Lsysret_slow			/* in ring 0, on the user's rsp */
	movq	8+TF_RFLAGS(%rsp), %r11
	movq	8+TF_RSP(%rsp), %rsp
	swapgs
	sysretq

/*
 * The return address is not in user space (a SYSCALL in the last bytes
 * below X86_USER_TOP): complete the frame with the registers as the
 * thread would see them after the call, let x86_user_return_check() turn
 * the address into a fault of the thread, and leave through iretq.
 */
.Lsysret_slow:
	addq	$8, %rsp			/* nr; rsp = the frame */
	movq	%rax, TF_RAX(%rsp)
	movq	%rbx, TF_RBX(%rsp)
	movq	%rcx, TF_RCX(%rsp)
	movq	TF_RFLAGS(%rsp), %r11
	movq	%r11, TF_R11(%rsp)
	movq	%r12, TF_R12(%rsp)
	movq	%r13, TF_R13(%rsp)
	movq	%r14, TF_R14(%rsp)
	movq	%r15, TF_R15(%rsp)
	movq	$0, TF_CR2(%rsp)
	movq	$X86_VEC_SYSCALL, TF_VECTOR(%rsp)
	movq	$USER_CS, TF_CS(%rsp)
	movq	%rsp, %rbx
	xorl	%ebp, %ebp
	andq	$-16, %rsp
	movq	%rbx, %rdi
	call	x86_user_return_check
	jmp	.Lreturn_to_user

/*
 * void arch_context_switch(struct arch_context *from, struct arch_context *to)
 * Interrupts off. The x87/SSE state goes with the context (see struct
 * arch_context).
 */
	.globl arch_context_switch
arch_context_switch:
	movq	%rsp, CTX_RSP(%rdi)
	movq	%rbx, CTX_RBX(%rdi)
	movq	%rbp, CTX_RBP(%rdi)
	movq	%r12, CTX_R12(%rdi)
	movq	%r13, CTX_R13(%rdi)
	movq	%r14, CTX_R14(%rdi)
	movq	%r15, CTX_R15(%rdi)
	fxsave64 CTX_FPU(%rdi)
	fxrstor64 CTX_FPU(%rsi)
	movq	CTX_FSBASE(%rsi), %rax
	cmpq	CTX_FSBASE(%rdi), %rax
	je	1f
	movl	$0xc0000100, %ecx		/* IA32_FS_BASE */
	movq	%rax, %rdx
	shrq	$32, %rdx
	wrmsr
1:	movq	CTX_RSP(%rsi), %rsp
	movq	CTX_RBX(%rsi), %rbx
	movq	CTX_RBP(%rsi), %rbp
	movq	CTX_R12(%rsi), %r12
	movq	CTX_R13(%rsi), %r13
	movq	CTX_R14(%rsi), %r14
	movq	CTX_R15(%rsi), %r15
	ret

/*
 * err_t arch_probe_read64(const void *addr, uint64_t *val)
 * A load that may fault (#PF, or #GP for a non-canonical address): the
 * exception table sends the fault to 2f.
 */
	.globl arch_probe_read64
arch_probe_read64:
1:	movq	(%rdi), %rax
	movq	%rax, (%rsi)
	xorl	%eax, %eax
	ret
2:	movl	$14, %eax			/* ERR_FAULT */
	ret
	.section __extable, "a"
	.balign 8
	.quad	1b, 2b
	.previous

/*
 * err_t arch_copy_from_user(void *dst, const void *usrc, size_t n)
 * err_t arch_copy_to_user(void *udst, const void *src, size_t n)
 * One byte copy whose fault (#PF, #GP) ends it with ERR_FAULT. With SMAP
 * the copy opens user memory (stac) for its duration only.
 */
	.globl arch_copy_from_user, arch_copy_to_user
arch_copy_from_user:
arch_copy_to_user:
	movq	%rdx, %rcx
	cmpb	$0, x86_has_smap(%rip)
	je	1f
	stac
1:	rep movsb
	xorl	%eax, %eax
3:	cmpb	$0, x86_has_smap(%rip)
	je	4f
	clac
4:	ret
2:	movl	$14, %eax			/* ERR_FAULT */
	jmp	3b
	.section __extable, "a"
	.balign 8
	.quad	1b, 2b
	.previous

/* void arch_breakpoint(void): int3; the trap resumes after it */
	.globl arch_breakpoint
arch_breakpoint:
	int3
	ret

	.section .note.GNU-stack, "", @progbits
