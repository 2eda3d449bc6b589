/* SPDX-License-Identifier: MIT */
/*
 * The x86_64 assembly of fork and the signal entry (fork.c, signal.c).
 *
 * __cairn_fork_enter(ctx, fn) saves the registers the C calling convention
 * keeps (the return address, rsp, rbx, rbp, r12-r15, mxcsr, the x87 control word) in ctx (struct fork_ctx: [0] the return address, [1] the
 * stack pointer, then the rest) and tail-calls fn(ctx).
 * __cairn_fork_child(ctx) is where the child starts: it restores them and
 * returns 0 from __cairn_fork_enter.
 * __cairn_jump(pc, sp, a0) starts running at pc on the stack sp.
 * __cairn_sigentry is the upcall entry (rdi = sig | sender << 32, rsi = frame, rsp = frame (16-byte aligned, no return address)):
 * it saves the FP state and the callee-saved registers (its save area, which
 * signal.c's ucontext reads and writes: cairn_arch.h), runs
 * __cairn_sig_run(arg, frame, area), loads them back and returns with
 * SYS_UPCALL_RETURN (12, include/cairn/abi.h) to where the upcall came.
 */
.text
.global __cairn_fork_enter
.hidden __cairn_fork_enter
.type __cairn_fork_enter, @function
__cairn_fork_enter:
	mov (%rsp), %rax
	mov %rax, 0(%rdi)
	lea 8(%rsp), %rax
	mov %rax, 8(%rdi)
	mov %rbx, 16(%rdi)
	mov %rbp, 24(%rdi)
	mov %r12, 32(%rdi)
	mov %r13, 40(%rdi)
	mov %r14, 48(%rdi)
	mov %r15, 56(%rdi)
	stmxcsr 64(%rdi)
	fnstcw 68(%rdi)
	jmp *%rsi
.global __cairn_fork_child
.hidden __cairn_fork_child
.type __cairn_fork_child, @function
__cairn_fork_child:
	mov 16(%rdi), %rbx
	mov 24(%rdi), %rbp
	mov 32(%rdi), %r12
	mov 40(%rdi), %r13
	mov 48(%rdi), %r14
	mov 56(%rdi), %r15
	ldmxcsr 64(%rdi)
	fldcw 68(%rdi)
	mov 8(%rdi), %rsp
	xor %eax, %eax
	jmp *0(%rdi)
.global __cairn_jump
.hidden __cairn_jump
.type __cairn_jump, @function
__cairn_jump:
	mov %rsi, %rsp
	mov %rdi, %rax
	mov %rdx, %rdi
	jmp *%rax
/* the upcall entry: rdi = sig | sender << 32, rsi = frame, rsp = frame
 * (16-byte aligned, no return address) */
.global __cairn_sigentry
.hidden __cairn_sigentry
.type __cairn_sigentry, @function
__cairn_sigentry:
	cld
	sub $560, %rsp
	fxsave64 (%rsp)
	mov %rsi, 512(%rsp)
	mov %rbx, 520(%rsp)	/* callee-saved: a partial frame's live ones (the ucontext's) */
	mov %r12, 528(%rsp)
	mov %r13, 536(%rsp)
	mov %r14, 544(%rsp)
	mov %r15, 552(%rsp)
	mov %rsp, %rdx		/* __cairn_sig_run(arg, frame, area) */
	call __cairn_sig_run
	mov 520(%rsp), %rbx	/* as the handler's ucontext left them */
	mov 528(%rsp), %r12
	mov 536(%rsp), %r13
	mov 544(%rsp), %r14
	mov 552(%rsp), %r15
	fxrstor64 (%rsp)
	mov 512(%rsp), %rdi
	mov $12, %eax		/* SYS_UPCALL_RETURN(frame) */
	syscall
	hlt
.section .note.GNU-stack,"",%progbits
