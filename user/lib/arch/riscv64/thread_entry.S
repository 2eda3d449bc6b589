/* SPDX-License-Identifier: MIT */
/*
 * riscv64 entry of a thread of cairn_thread_start() (user/lib/thread.c):
 * it starts here with sp just below its start block, which is also its
 * first argument (a0). Sets gp for linker relaxation and calls
 * cairn_thread_main(block), which never returns.
 */
	.text
	.balign 4
	.globl cairn_thread_trampoline
	.type cairn_thread_trampoline, @function
cairn_thread_trampoline:
	.option push
	.option norelax
	la	gp, __global_pointer$
	.option pop
	mv	s0, zero
	call	cairn_thread_main
	.size cairn_thread_trampoline, . - cairn_thread_trampoline
	.section .note.GNU-stack, "", %progbits
