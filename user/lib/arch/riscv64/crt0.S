/* SPDX-License-Identifier: MIT */
/*
 * riscv64 process entry. Whoever started the thread (the kernel for init,
 * cairn_spawn() for a service) set sp to the top of the stack and a0 to the
 * start-up block (include/cairn/abi.h); the loader zero-filled .bss. Sets
 * gp for linker relaxation and calls cairn_start(startup), which never
 * returns.
 */
	.section .text.entry, "ax"
	.globl _start
	.type _start, @function
_start:
	.option push
	.option norelax
	la	gp, __global_pointer$
	.option pop
	andi	sp, sp, -16
	li	ra, 0
	li	s0, 0
	call	cairn_start
1:	unimp                   /* cairn_start does not return */
	j	1b
	.size _start, . - _start
