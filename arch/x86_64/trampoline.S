/* SPDX-License-Identifier: MIT */
/*
 * Application-processor start-up code. smp.c copies this to
 * X86_TRAMPOLINE_PA (below 1 MiB, 4 KiB aligned) and fills in the data at
 * its end; a start-up IPI with vector X86_TRAMPOLINE_PA >> 12 starts the AP
 * here in real mode, CS = vector << 8, IP = 0. It goes straight to long
 * mode on the boot page tables (whose identity map covers this page), then
 * jumps to x86_ap_entry in the higher half with its per-CPU block in rdi.
 * Assembled for its run address: T(x) is where x lands after the copy.
 */
#include <arch/cpu.h>

#define T(x) ((x) - x86_trampoline_start + X86_TRAMPOLINE_PA)

	.section .rodata
	.balign 16
	.code16
	.globl x86_trampoline_start
x86_trampoline_start:
	cli
	cld
	xorw	%ax, %ax
	movw	%ax, %ds
	lgdtl	T(tramp_gdt_ptr)
	movl	%cr4, %eax
	orl	$(CR4_PAE | CR4_PGE), %eax
	movl	%eax, %cr4
	movl	T(x86_tramp_cr3), %eax
	movl	%eax, %cr3
	movl	$MSR_EFER, %ecx
	rdmsr
	orl	T(x86_tramp_efer), %eax
	wrmsr
	movl	$(CR0_PG | CR0_WP | CR0_NE | CR0_ET | CR0_MP | CR0_PE), %eax
	movl	%eax, %cr0
	ljmpl	$SEL_KCODE, $T(tramp_long)

	.code64
tramp_long:
	movl	$SEL_KDATA, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	xorl	%eax, %eax
	movl	%eax, %fs
	movl	%eax, %gs
	movq	T(x86_tramp_stack), %rsp
	movq	T(x86_tramp_percpu), %rdi
	movq	T(x86_tramp_entry), %rax
	xorl	%ebp, %ebp
	call	*%rax
1:	cli
	hlt
	jmp	1b

	.balign 8
tramp_gdt:
	.quad	0
	.quad	0x00af9a000000ffff		/* SEL_KCODE */
	.quad	0x00cf92000000ffff		/* SEL_KDATA */
tramp_gdt_end:
	.balign 8
tramp_gdt_ptr:
	.short	tramp_gdt_end - tramp_gdt - 1
	.long	T(tramp_gdt)
	.balign 8
	.globl x86_tramp_cr3, x86_tramp_efer, x86_tramp_percpu, x86_tramp_stack, x86_tramp_entry
x86_tramp_cr3:
	.quad	0			/* boot PML4, below 4 GiB */
x86_tramp_efer:
	.quad	0			/* EFER bits to set: LME, NXE */
x86_tramp_percpu:
	.quad	0
x86_tramp_stack:
	.quad	0
x86_tramp_entry:
	.quad	0
	.globl x86_trampoline_end
x86_trampoline_end:

	.section .note.GNU-stack, "", @progbits
