/* SPDX-License-Identifier: MIT */
/*
 * Entry from OpenSBI: S-mode, MMU off, a0 = hart id, a1 = device tree
 * (physical). Running at the physical load address, every `la` here is
 * PC-relative and yields a physical address until we jump to the link
 * address. riscv_early_mmu() builds the boot page tables (identity, direct
 * map, kernel window) and turns on Sv48; then we move to the higher half.
 */
#include <arch/cpu.h>

	.section .text.boot, "ax"
	.option norvc
	.globl _start
_start:
	/* the instruction counter at the kernel's first instruction (the
	 * firmware's share of a boot: riscv_entry_counter, the banner) */
	rdinstret t3
	csrw	sie, zero
	csrci	sstatus, SSTATUS_SIE
	/* Only one hart may boot; any other that arrives here parks. */
	lla	t0, boot_lottery
	li	t1, 1
	amoswap.w t1, t1, (t0)
	bnez	t1, .Lpark
	lla	t0, riscv_entry_counter
	sd	t3, 0(t0)

	lla	sp, boot_stack_top
	mv	s0, a0
	mv	s1, a1

	lla	t0, __bss_start
	lla	t1, __bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	1b
2:
	lla	a0, _start		/* physical load address */
	mv	a1, s1
	mv	a2, s0
	call	riscv_early_mmu		/* returns 0 if no usable paging mode */
	beqz	a0, .Lpark

	/* offset = link address - load address */
	lla	t0, .Llink_start
	ld	t0, 0(t0)
	lla	t1, _start
	sub	s2, t0, t1
	lla	t2, 3f
	add	t2, t2, s2
	jr	t2
3:	/* now at the link address */
	add	sp, sp, s2
	lla	t0, riscv_trap_entry
	csrw	stvec, t0
	lla	tp, riscv_percpu
	mv	a0, s0
	mv	a1, s1
	call	riscv_boot
.Lpark:
	wfi
	j	.Lpark

/*
 * Secondary harts enter here through SBI HSM: MMU off, a0 = hart id,
 * a1 = opaque = logical CPU index. They reuse the boot page tables to get to
 * the higher half, then switch to the kernel's own.
 */
	.globl riscv_secondary_entry
riscv_secondary_entry:
	csrw	sie, zero
	lla	t0, riscv_boot_satp
	ld	t0, 0(t0)
	sfence.vma
	csrw	satp, t0
	sfence.vma
	lla	t0, .Llink_start
	ld	t0, 0(t0)
	lla	t1, _start
	sub	t0, t0, t1
	lla	t2, 4f
	add	t2, t2, t0
	jr	t2
4:	la	tp, riscv_percpu
	li	t0, PERCPU_SIZE
	mul	t0, t0, a1
	add	tp, tp, t0
	ld	sp, PERCPU_STACK(tp)
	lla	t0, riscv_trap_entry
	csrw	stvec, t0
	mv	a0, a1
	call	riscv_secondary_boot
	j	.Lpark

	.balign 8
.Llink_start:
	.quad	_start

	/* in .data, not .bss: the winner zeroes .bss, which would let a hart
	 * arriving after that win the lottery again and boot a second time */
	.section .data
	.balign 4
boot_lottery:
	.word	0
	.balign 8
	.globl riscv_entry_counter
riscv_entry_counter:
	.dword	0

	.section .bss
	.balign 16
	.globl boot_stack_top
boot_stack:
	.space	CONFIG_KERNEL_STACK_PAGES * 4096
boot_stack_top:
