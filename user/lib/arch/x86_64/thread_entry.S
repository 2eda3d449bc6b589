/* SPDX-License-Identifier: MIT */
/*
 * x86_64 entry of a thread of cairn_thread_start() (user/lib/thread.c):
 * it starts here with rsp just below its start block, which is also its
 * first argument (rdi). Clears the frame pointer, aligns the stack as a
 * call expects and calls cairn_thread_main(block), which never returns.
 */
	.text
	.globl cairn_thread_trampoline
	.type cairn_thread_trampoline, @function
cairn_thread_trampoline:
	xor	%rbp, %rbp
	sub	$8, %rsp
	call	cairn_thread_main
	.size cairn_thread_trampoline, . - cairn_thread_trampoline
	.section .note.GNU-stack, "", %progbits
