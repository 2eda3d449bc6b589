/* SPDX-License-Identifier: MIT */
/*
 * Trap entry and exit. Every vector has a 16-byte stub at
 * x86_isr_stubs + 16 * vector that pushes a dummy error code (where the CPU
 * pushes none) and the vector, then the common path builds struct
 * trap_frame on the current stack and calls x86_trap(). Only kernel-mode
 * traps exist so far: no swapgs, no stack switch except the IST stacks of
 * double faults and NMIs. User-mode entry arrives with the process issue.
 */
#include <arch/cpu.h>

/* Vectors for which the CPU pushes an error code. */
#define HAS_ERROR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || \
		      (v) == 29 || (v) == 30)

	.section .text
	.balign 16
	.globl x86_isr_stubs
x86_isr_stubs:
	.set	vec, 0
	.rept	256
	.balign 16
	.if (HAS_ERROR(vec)) == 0
	pushq	$0
	.endif
	pushq	$vec
	jmp	x86_trap_common
	.set	vec, vec + 1
	.endr

	.balign 16
x86_trap_common:
	cld
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
	iretq

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

/* void arch_breakpoint(void): int3; the trap resumes after it */
	.globl arch_breakpoint
arch_breakpoint:
	int3
	ret

	.section .note.GNU-stack, "", @progbits
