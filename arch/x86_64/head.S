/* SPDX-License-Identifier: MIT */
/*
 * Entry from GRUB (Multiboot2): 32-bit protected mode, paging off, flat
 * segments, eax = 0x36d76289, ebx = the Multiboot2 information (physical),
 * no stack. The image is linked high, so everything here runs at physical
 * addresses: PA(x) turns a link address into its load address.
 *
 * Boot page tables (2 MiB pages; the walker builds the real ones later):
 *   identity     VA 0..4 GiB                 -> PA 0..4 GiB  (for the switch; APs too)
 *   direct map   PHYSMAP_BASE + 0..4 GiB     -> PA 0..4 GiB  (extended in C when RAM goes higher)
 *   kernel       KERNEL_WINDOW + 0..1 GiB    -> PA 0..1 GiB
 * Then long mode, a jump to the higher half and x86_boot() in C.
 */
#include <arch/mmu.h>
#include <arch/cpu.h>

#define PA(x) ((x) - KERNEL_WINDOW)
#define MB2_MAGIC        0xe85250d6
#define MB2_BOOT_MAGIC   0x36d76289
#define COM1 0x3f8

	.section .multiboot2, "a"
	.balign 8
mb2_header:
	.long	MB2_MAGIC
	.long	0				/* i386 protected mode */
	.long	mb2_header_end - mb2_header
	.long	0x100000000 - (MB2_MAGIC + (mb2_header_end - mb2_header))
	/* no optional tags: GRUB always passes the memory map, the command
	 * line, the modules and the ACPI RSDP */
	.balign 8
	.short	0, 0
	.long	8
mb2_header_end:

	.section .text.boot, "ax"
	.code32
	.globl _start
_start:
	cli
	cld
	/* the instruction counter at the kernel's first instructions (the
	 * firmware's and GRUB's share of a boot: x86_entry_counter, the
	 * banner); rdtsc writes eax, which holds the Multiboot2 magic */
	movl	%eax, %edi
	rdtsc
	movl	%eax, PA(x86_entry_counter)
	movl	%edx, PA(x86_entry_counter) + 4
	movl	%edi, %eax
	movl	$PA(boot_stack_top), %esp
	movl	%eax, %edx
	movl	%ebx, %esi

	/* clear .bss (the page tables and the stack live there) */
	movl	$PA(__bss_start), %edi
	movl	$PA(__bss_end), %ecx
	subl	%edi, %ecx
	xorl	%eax, %eax
	rep stosb

	movl	%edx, PA(x86_mb2_magic)
	movl	%esi, PA(x86_mb2_info_pa)
	cmpl	$MB2_BOOT_MAGIC, %edx
	jne	.Lno_multiboot

	/* long mode? */
	movl	$0x80000000, %eax
	cpuid
	cmpl	$0x80000001, %eax
	jb	.Lno_long_mode
	movl	$0x80000001, %eax
	cpuid
	testl	$(1 << 29), %edx
	jz	.Lno_long_mode

	/* 2048 2 MiB pages: 0..4 GiB in the four directories of boot_pd */
	movl	$PA(boot_pd), %edi
	xorl	%ecx, %ecx
1:	movl	%ecx, %eax
	shll	$21, %eax
	orl	$(PTE_P | PTE_RW | PTE_PS), %eax
	movl	%eax, (%edi, %ecx, 8)
	movl	$0, 4(%edi, %ecx, 8)
	incl	%ecx
	cmpl	$2048, %ecx
	jb	1b
	/* boot_pdpt_low[0..3] -> the four directories */
	movl	$PA(boot_pdpt_low), %edi
	movl	$PA(boot_pd) + (PTE_P | PTE_RW), %eax
	xorl	%ecx, %ecx
2:	movl	%eax, (%edi, %ecx, 8)
	addl	$4096, %eax
	incl	%ecx
	cmpl	$4, %ecx
	jb	2b
	/* kernel window: PDPT slot 510 of PML4 slot 511 -> the first directory */
	movl	$PA(boot_pd) + (PTE_P | PTE_RW), PA(boot_pdpt_kernel) + 510 * 8
	movl	$PA(boot_pdpt_low) + (PTE_P | PTE_RW), PA(boot_pml4)
	movl	$PA(boot_pdpt_low) + (PTE_P | PTE_RW), PA(boot_pml4) + 256 * 8
	movl	$PA(boot_pdpt_kernel) + (PTE_P | PTE_RW), PA(boot_pml4) + 511 * 8

	movl	%cr4, %eax
	orl	$CR4_PAE, %eax
	movl	%eax, %cr4
	movl	$PA(boot_pml4), %eax
	movl	%eax, %cr3
	movl	$MSR_EFER, %ecx
	rdmsr
	orl	$EFER_LME, %eax
	wrmsr
	movl	%cr0, %eax
	orl	$(CR0_PG | CR0_WP | CR0_PE), %eax
	movl	%eax, %cr0
	lgdt	PA(boot_gdt_ptr)
	ljmp	$SEL_KCODE, $PA(.Llong)

/* esi = message (physical): polled COM1, then stop with status 2 */
.Lfail:
	movw	$COM1 + 5, %dx
1:	inb	%dx, %al
	testb	$0x20, %al
	jz	1b
	lodsb
	testb	%al, %al
	jz	2f
	movw	$COM1, %dx
	outb	%al, %dx
	jmp	.Lfail
2:	movl	$2, %eax			/* isa-debug-exit: unusable boot */
	outl	%eax, $0xf4
3:	hlt
	jmp	3b
.Lno_multiboot:
	movl	$PA(msg_no_mb2), %esi
	jmp	.Lfail
.Lno_long_mode:
	movl	$PA(msg_no_lm), %esi
	jmp	.Lfail

	.code64
.Llong:
	movabsq	$.Lhigh, %rax
	jmp	*%rax

	.section .text
	.globl x86_start64
x86_start64:
.Lhigh:
	movl	$SEL_KDATA, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	xorl	%eax, %eax
	movl	%eax, %fs
	movl	%eax, %gs
	movabsq	$boot_stack_top, %rsp
	xorl	%ebp, %ebp
	call	x86_boot
4:	cli
	hlt
	jmp	4b

	.section .rodata
	.balign 8
boot_gdt:
	.quad	0
	.quad	0x00af9a000000ffff		/* SEL_KCODE: 64-bit code */
	.quad	0x00cf92000000ffff		/* SEL_KDATA */
boot_gdt_end:
boot_gdt_ptr:
	.short	boot_gdt_end - boot_gdt - 1
	.long	PA(boot_gdt)
msg_no_mb2:
	.asciz	"cairn: not started by a Multiboot2 loader; stopping\r\n"
msg_no_lm:
	.asciz	"cairn: this CPU has no 64-bit long mode; stopping\r\n"

	.section .data
	.balign 8
	.globl x86_entry_counter
x86_entry_counter:
	.quad	0
	.globl x86_mb2_magic, x86_mb2_info_pa
x86_mb2_magic:
	.long	0
x86_mb2_info_pa:
	.long	0

	.section .bss
	.balign 4096
	.globl boot_pml4, boot_pdpt_low
boot_pml4:
	.space	4096
boot_pdpt_low:
	.space	4096
boot_pdpt_kernel:
	.space	4096
boot_pd:
	.space	4 * 4096
	.balign 16
	.globl boot_stack_top
boot_stack:
	.space	CONFIG_KERNEL_STACK_PAGES * 4096
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
