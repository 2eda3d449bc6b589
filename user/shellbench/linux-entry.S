/* SPDX-License-Identifier: MIT */
/*
 * A stand-in for the Linux peer's kernel (tests/bench.sh): booted by the
 * same QEMU command line as Linux (the peer's run-linux.sh, its -kernel
 * replaced), it reads the instruction counter at its first instruction,
 * prints "bench: entry <counter>" through the SBI console and shuts the
 * machine down. That is the firmware's share of the Linux boot (OpenSBI
 * runs the same path whichever kernel follows: the device tree is the
 * same), which the boot figure leaves out as Cairn's leaves out the count
 * its kernel reads at entry. riscv64, S-mode, no stack, no memory but its
 * own text and a buffer.
 */
	.section .text
	.option norvc
	.globl _start
_start:
	rdinstret s0
	/* the decimal digits, backwards from the buffer's end */
	lla	s1, digits_end
	li	t1, 10
1:	remu	t2, s0, t1
	divu	s0, s0, t1
	addi	t2, t2, '0'
	addi	s1, s1, -1
	sb	t2, 0(s1)
	bnez	s0, 1b
	lla	s2, prefix
	jal	puts
	mv	s2, s1
	jal	puts
	/* SBI system reset (SRST): shutdown; then the legacy shutdown */
	li	a7, 0x53525354
	li	a6, 0
	li	a0, 0
	li	a1, 0
	ecall
	li	a7, 8
	ecall
2:	wfi
	j	2b

/* prints the string at s2 with the legacy SBI console putchar (a call
 * keeps every register but a0 and a1) */
puts:
	lbu	a0, 0(s2)
	beqz	a0, 3f
	li	a7, 1
	ecall
	addi	s2, s2, 1
	j	puts
3:	ret

prefix:
	.asciz	"bench: entry "
digits:
	.space	24
digits_end:
	.asciz	"\n"
