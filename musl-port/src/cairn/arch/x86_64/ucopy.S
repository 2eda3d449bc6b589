/* SPDX-License-Identifier: MIT */
/*
 * The x86-64 copy routines of user buffers (uaccess.c). They are leaf
 * functions that push nothing (the return address stays at the top of
 * the stack), and lie in one range, [__cairn_ucopy_start,
 * __cairn_ucopy_end), which start-up gives the process server (PS_UCOPY,
 * include/cairn/posix.h): a memory fault of one of them is answered
 * CAIRN_FAULT_RESUME at __cairn_ucopy_fixup, which returns -1 from it in
 * place of the fault.
 *
 *   long __cairn_ucopy(void *dst, const void *src, size_t n):  0, or -1
 *   long __cairn_ustrnlen(const char *s, size_t max): the length, max if
 *        no NUL comes before it, or -1
 *   long __cairn_uprobe_w(void *p): 0 if the byte at p can be written
 *        (a locked OR of 0: it is left as it is), or -1
 */
.section .text.cairn_ucopy, "ax", %progbits

.global __cairn_ucopy_start
.hidden __cairn_ucopy_start
__cairn_ucopy_start:

.global __cairn_ucopy
.hidden __cairn_ucopy
.type __cairn_ucopy, %function
__cairn_ucopy:
	mov %rdx, %rcx
	shr $3, %rcx
	rep movsq		/* words (a byte-wise rep movsb is slow under QEMU) */
	mov %rdx, %rcx
	and $7, %rcx
	rep movsb
	xor %eax, %eax
	ret

.global __cairn_ustrnlen
.hidden __cairn_ustrnlen
.type __cairn_ustrnlen, %function
__cairn_ustrnlen:
	mov %rdi, %rax
1:	test %rsi, %rsi
	jz 2f
	cmpb $0, (%rax)
	je 2f
	inc %rax
	dec %rsi
	jmp 1b
2:	sub %rdi, %rax
	ret

.global __cairn_uprobe_w
.hidden __cairn_uprobe_w
.type __cairn_uprobe_w, %function
__cairn_uprobe_w:
	lock orb $0, (%rdi)
	xor %eax, %eax
	ret

.global __cairn_ucopy_fixup
.hidden __cairn_ucopy_fixup
.type __cairn_ucopy_fixup, %function
__cairn_ucopy_fixup:
	mov $-1, %rax
	ret

.global __cairn_ucopy_end
.hidden __cairn_ucopy_end
__cairn_ucopy_end:
.section .note.GNU-stack,"",%progbits
