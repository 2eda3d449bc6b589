/* SPDX-License-Identifier: MIT */
/*
 * The riscv64 copy routines of user buffers (uaccess.c). They are leaf
 * functions that keep sp and ra, and lie in one range,
 * [__cairn_ucopy_start, __cairn_ucopy_end), which start-up gives the
 * process server (PS_UCOPY, include/cairn/posix.h): a memory fault of
 * one of them is answered CAIRN_FAULT_RESUME at __cairn_ucopy_fixup,
 * which returns -1 from it in place of the fault.
 *
 *   long __cairn_ucopy(void *dst, const void *src, size_t n):  0, or -1
 *   long __cairn_ustrnlen(const char *s, size_t max): the length, max if
 *        no NUL comes before it, or -1
 *   long __cairn_uprobe_w(void *p): 0 if the byte at p can be written
 *        (an atomic OR of 0 into its word: it is left as it is), or -1
 */
.section .text.cairn_ucopy, "ax", %progbits

.global __cairn_ucopy_start
.hidden __cairn_ucopy_start
__cairn_ucopy_start:

.global __cairn_ucopy
.hidden __cairn_ucopy
.type __cairn_ucopy, %function
__cairn_ucopy:
	or t0, a0, a1
	andi t0, t0, 7
	bnez t0, 2f
	li t1, 32
1:	bltu a2, t1, 4f		/* both aligned: 4 words at a time */
	ld t2, 0(a1)
	ld t3, 8(a1)
	ld t4, 16(a1)
	ld t5, 24(a1)
	sd t2, 0(a0)
	sd t3, 8(a0)
	sd t4, 16(a0)
	sd t5, 24(a0)
	addi a0, a0, 32
	addi a1, a1, 32
	addi a2, a2, -32
	j 1b
4:	li t1, 8
5:	bltu a2, t1, 2f		/* then words */
	ld t2, 0(a1)
	sd t2, 0(a0)
	addi a0, a0, 8
	addi a1, a1, 8
	addi a2, a2, -8
	j 5b
2:	beqz a2, 3f		/* then bytes */
	lbu t2, 0(a1)
	sb t2, 0(a0)
	addi a0, a0, 1
	addi a1, a1, 1
	addi a2, a2, -1
	j 2b
3:	li a0, 0
	ret

.global __cairn_ustrnlen
.hidden __cairn_ustrnlen
.type __cairn_ustrnlen, %function
__cairn_ustrnlen:
	mv t0, a0
1:	beqz a1, 2f
	lbu t2, 0(t0)
	beqz t2, 2f
	addi t0, t0, 1
	addi a1, a1, -1
	j 1b
2:	sub a0, t0, a0
	ret

.global __cairn_uprobe_w
.hidden __cairn_uprobe_w
.type __cairn_uprobe_w, %function
__cairn_uprobe_w:
	andi a0, a0, -4		/* its word (in the same page) */
	amoor.w zero, zero, (a0)
	li a0, 0
	ret

.global __cairn_ucopy_fixup
.hidden __cairn_ucopy_fixup
.type __cairn_ucopy_fixup, %function
__cairn_ucopy_fixup:
	li a0, -1
	ret

.global __cairn_ucopy_end
.hidden __cairn_ucopy_end
__cairn_ucopy_end:
.section .note.GNU-stack,"",%progbits
