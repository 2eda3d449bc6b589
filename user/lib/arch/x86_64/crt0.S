/* SPDX-License-Identifier: MIT */
/*
 * x86-64 process entry. Whoever started the thread (the kernel for init,
 * cairn_spawn() for a service) set rsp to the top of the stack and rdi to
 * the start-up block (include/cairn/abi.h); the loader zero-filled .bss.
 * Calls cairn_start(startup) with the stack aligned as the SysV ABI wants
 * (rsp + 8 a multiple of 16 at function entry); it never returns.
 */
	.section .text.entry, "ax"
	.globl _start
	.type _start, @function
_start:
	xorl	%ebp, %ebp
	andq	$-16, %rsp
	call	cairn_start
1:	ud2                     /* cairn_start does not return */
	jmp	1b
	.size _start, . - _start

	.section .note.GNU-stack, "", @progbits
