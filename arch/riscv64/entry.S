/* SPDX-License-Identifier: MIT */
/*
 * Trap entry and exit. A trap from S-mode builds its frame (struct
 * trap_frame) on the current kernel stack and riscv_trap() decides. A trap
 * from U-mode finds the thread's frame in sscratch (the kernel stack grows
 * down from it): a system call saves only what the calling convention
 * does not already keep and calls syscall_dispatch(); anything else saves
 * every register and calls riscv_user_trap().
 */
#include <arch/cpu.h>

/* Registers x6..x31, saved or loaded as a block in struct trap_frame. */
#define REGS_6_31 6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31

	.macro save_regs regs:vararg
	.irp r, \regs
	sd	x\r, TF_REG(\r)(sp)
	.endr
	.endm

	.macro load_regs regs:vararg
	.irp r, \regs
	ld	x\r, TF_REG(\r)(sp)
	.endr
	.endm

/* The kernel is built without F/D; only these macros touch FP registers. */
	.macro call_fp_save ctx
	.option push
	.option arch, +d
	fsd	f0, CTX_FP(0)(\ctx)
	fsd	f1, CTX_FP(1)(\ctx)
	fsd	f2, CTX_FP(2)(\ctx)
	fsd	f3, CTX_FP(3)(\ctx)
	fsd	f4, CTX_FP(4)(\ctx)
	fsd	f5, CTX_FP(5)(\ctx)
	fsd	f6, CTX_FP(6)(\ctx)
	fsd	f7, CTX_FP(7)(\ctx)
	fsd	f8, CTX_FP(8)(\ctx)
	fsd	f9, CTX_FP(9)(\ctx)
	fsd	f10, CTX_FP(10)(\ctx)
	fsd	f11, CTX_FP(11)(\ctx)
	fsd	f12, CTX_FP(12)(\ctx)
	fsd	f13, CTX_FP(13)(\ctx)
	fsd	f14, CTX_FP(14)(\ctx)
	fsd	f15, CTX_FP(15)(\ctx)
	fsd	f16, CTX_FP(16)(\ctx)
	fsd	f17, CTX_FP(17)(\ctx)
	fsd	f18, CTX_FP(18)(\ctx)
	fsd	f19, CTX_FP(19)(\ctx)
	fsd	f20, CTX_FP(20)(\ctx)
	fsd	f21, CTX_FP(21)(\ctx)
	fsd	f22, CTX_FP(22)(\ctx)
	fsd	f23, CTX_FP(23)(\ctx)
	fsd	f24, CTX_FP(24)(\ctx)
	fsd	f25, CTX_FP(25)(\ctx)
	fsd	f26, CTX_FP(26)(\ctx)
	fsd	f27, CTX_FP(27)(\ctx)
	fsd	f28, CTX_FP(28)(\ctx)
	fsd	f29, CTX_FP(29)(\ctx)
	fsd	f30, CTX_FP(30)(\ctx)
	fsd	f31, CTX_FP(31)(\ctx)
	frcsr	t1
	sd	t1, CTX_FCSR(\ctx)
	.option pop
	.endm

	.macro call_fp_load ctx
	.option push
	.option arch, +d
	fld	f0, CTX_FP(0)(\ctx)
	fld	f1, CTX_FP(1)(\ctx)
	fld	f2, CTX_FP(2)(\ctx)
	fld	f3, CTX_FP(3)(\ctx)
	fld	f4, CTX_FP(4)(\ctx)
	fld	f5, CTX_FP(5)(\ctx)
	fld	f6, CTX_FP(6)(\ctx)
	fld	f7, CTX_FP(7)(\ctx)
	fld	f8, CTX_FP(8)(\ctx)
	fld	f9, CTX_FP(9)(\ctx)
	fld	f10, CTX_FP(10)(\ctx)
	fld	f11, CTX_FP(11)(\ctx)
	fld	f12, CTX_FP(12)(\ctx)
	fld	f13, CTX_FP(13)(\ctx)
	fld	f14, CTX_FP(14)(\ctx)
	fld	f15, CTX_FP(15)(\ctx)
	fld	f16, CTX_FP(16)(\ctx)
	fld	f17, CTX_FP(17)(\ctx)
	fld	f18, CTX_FP(18)(\ctx)
	fld	f19, CTX_FP(19)(\ctx)
	fld	f20, CTX_FP(20)(\ctx)
	fld	f21, CTX_FP(21)(\ctx)
	fld	f22, CTX_FP(22)(\ctx)
	fld	f23, CTX_FP(23)(\ctx)
	fld	f24, CTX_FP(24)(\ctx)
	fld	f25, CTX_FP(25)(\ctx)
	fld	f26, CTX_FP(26)(\ctx)
	fld	f27, CTX_FP(27)(\ctx)
	fld	f28, CTX_FP(28)(\ctx)
	fld	f29, CTX_FP(29)(\ctx)
	fld	f30, CTX_FP(30)(\ctx)
	fld	f31, CTX_FP(31)(\ctx)
	ld	t1, CTX_FCSR(\ctx)
	fscsr	t1
	.option pop
	.endm

	.section .text
	.balign 4
	.globl riscv_trap_entry
riscv_trap_entry:
	/* sscratch is 0 in the kernel and the thread's trap frame in user mode */
	csrrw	sp, sscratch, sp
	bnez	sp, .Lfrom_user
	csrrw	sp, sscratch, sp

	/* ---- a trap taken in S-mode: the frame goes on the current stack ---- */
	addi	sp, sp, -TF_SIZE
	save_regs 1, 3, 4, 5, REGS_6_31
	addi	t0, sp, TF_SIZE
	sd	t0, TF_REG(2)(sp)
	csrr	t0, sepc
	sd	t0, TF_SEPC(sp)
	csrr	t0, sstatus
	sd	t0, TF_SSTATUS(sp)
	csrr	t0, scause
	sd	t0, TF_SCAUSE(sp)
	csrr	t0, stval
	sd	t0, TF_STVAL(sp)

	/* a frame record so backtraces walk through the trap */
	mv	a0, sp
	call	riscv_trap

	ld	t0, TF_SEPC(sp)
	csrw	sepc, t0
	ld	t0, TF_SSTATUS(sp)
	csrw	sstatus, t0
	load_regs 1, 3, 4, 5, REGS_6_31
	addi	sp, sp, TF_SIZE
	sret

	/* ---- from user mode: sp = the thread's frame, user sp in sscratch ---- */
.Lfrom_user:
	sd	ra, TF_REG(1)(sp)
	sd	gp, TF_REG(3)(sp)
	sd	tp, TF_REG(4)(sp)
	sd	t0, TF_REG(5)(sp)
	csrr	t0, sscratch
	sd	t0, TF_REG(2)(sp)
	csrw	sscratch, zero
	ld	tp, TF_KTP(sp)
	csrr	t0, scause
	addi	t0, t0, -8
	bnez	t0, .Luser_trap

	/*
	 * System call. The C calling convention keeps s0-s11 for us, and the
	 * ABI lets t0-t6 and a7 be clobbered, so only what results do not
	 * overwrite is saved: a1..a6 (results the call does not set keep
	 * the argument) and the return pc; and a0, the first argument, for
	 * a fast path that hands the call to the general way
	 * (arch_syscall_arg()).
	 */
	csrr	t0, sepc
	addi	t0, t0, 4
	sd	t0, TF_SEPC(sp)
	sd	a0, TF_REG(10)(sp)
	sd	a1, TF_REG(11)(sp)
	sd	a2, TF_REG(12)(sp)
	sd	a3, TF_REG(13)(sp)
	sd	a4, TF_REG(14)(sp)
	sd	a5, TF_REG(15)(sp)
	sd	zero, TF_REG(16)(sp)
	mv	a6, a7
	call	syscall_dispatch
	/*
	 * sp is the frame again. sstatus needs no restore: SPP and SPIE were
	 * set by our own trap (U-mode, interrupts on), and if another thread
	 * ran meanwhile, every sret since (its own, or a kernel trap's) left
	 * SPP = U and SPIE = 1 again; the kernel never switches threads
	 * inside a trap taken in S-mode.
	 */
	ld	t0, TF_SEPC(sp)
	csrw	sepc, t0
	ld	a1, TF_REG(11)(sp)
	ld	a2, TF_REG(12)(sp)
	ld	a3, TF_REG(13)(sp)
	ld	a4, TF_REG(14)(sp)
	ld	a5, TF_REG(15)(sp)
	ld	a6, TF_REG(16)(sp)
	ld	ra, TF_REG(1)(sp)
	ld	gp, TF_REG(3)(sp)
	ld	tp, TF_REG(4)(sp)
	li	t0, 0
	li	t1, 0
	li	t2, 0
	li	t3, 0
	li	t4, 0
	li	t5, 0
	li	t6, 0
	li	a7, 0
	csrw	sscratch, sp
	ld	sp, TF_REG(2)(sp)
	sret

	/* an exception or interrupt from user mode: save everything */
.Luser_trap:
	save_regs REGS_6_31
	csrr	t0, sepc
	sd	t0, TF_SEPC(sp)
	csrr	t0, sstatus
	sd	t0, TF_SSTATUS(sp)
	csrr	t0, scause
	sd	t0, TF_SCAUSE(sp)
	csrr	t0, stval
	sd	t0, TF_STVAL(sp)
	mv	s0, zero             /* ends kernel backtraces here */
	mv	a0, sp
	call	riscv_user_trap
	mv	a0, sp
	/* fall through */

/* noreturn void arch_user_enter(struct trap_frame *tf): full restore */
	.globl arch_user_enter
arch_user_enter:
	mv	sp, a0
	ld	t0, TF_SEPC(sp)
	csrw	sepc, t0
	ld	t0, TF_SSTATUS(sp)
	li	t1, SSTATUS_SPP
	not	t1, t1
	and	t0, t0, t1
	ori	t0, t0, SSTATUS_SPIE
	csrw	sstatus, t0
	load_regs 1, 3, 4, 5, REGS_6_31
	csrw	sscratch, sp
	ld	sp, TF_REG(2)(sp)
	sret

/*
 * void arch_context_switch(struct arch_context *from, struct arch_context *to)
 * Also switches user floating-point state: from's is saved if the hart
 * says it is dirty; to's is loaded if it uses FP, and FS is left Clean
 * for it, or Off (so its first FP instruction traps and turns FP on).
 */
	.globl arch_context_switch
arch_context_switch:
	csrr	t0, sstatus
	srli	t1, t0, 13
	andi	t1, t1, 3
	li	t2, 3
	bne	t1, t2, 1f
	call_fp_save	a0
1:	lbu	t1, CTX_FP_USED(a1)
	li	t2, SSTATUS_FS
	csrc	sstatus, t2
	beqz	t1, 2f
	li	t2, SSTATUS_FS_CLEAN
	csrs	sstatus, t2
	call_fp_load	a1
2:
	sd	ra, CTX_RA(a0)
	sd	sp, CTX_SP(a0)
	sd	s0, CTX_S(0)(a0)
	sd	s1, CTX_S(1)(a0)
	sd	s2, CTX_S(2)(a0)
	sd	s3, CTX_S(3)(a0)
	sd	s4, CTX_S(4)(a0)
	sd	s5, CTX_S(5)(a0)
	sd	s6, CTX_S(6)(a0)
	sd	s7, CTX_S(7)(a0)
	sd	s8, CTX_S(8)(a0)
	sd	s9, CTX_S(9)(a0)
	sd	s10, CTX_S(10)(a0)
	sd	s11, CTX_S(11)(a0)
	ld	ra, CTX_RA(a1)
	ld	sp, CTX_SP(a1)
	ld	s0, CTX_S(0)(a1)
	ld	s1, CTX_S(1)(a1)
	ld	s2, CTX_S(2)(a1)
	ld	s3, CTX_S(3)(a1)
	ld	s4, CTX_S(4)(a1)
	ld	s5, CTX_S(5)(a1)
	ld	s6, CTX_S(6)(a1)
	ld	s7, CTX_S(7)(a1)
	ld	s8, CTX_S(8)(a1)
	ld	s9, CTX_S(9)(a1)
	ld	s10, CTX_S(10)(a1)
	ld	s11, CTX_S(11)(a1)
	ret

/* void riscv_fp_enable(struct arch_context *ctx): the current thread's first
 * FP instruction. FS on, registers from ctx (zero for a new thread). */
	.globl riscv_fp_enable
riscv_fp_enable:
	li	t2, SSTATUS_FS
	csrc	sstatus, t2
	li	t2, SSTATUS_FS_CLEAN
	csrs	sstatus, t2
	call_fp_load	a0
	ret

/*
 * err_t arch_copy_from_user(void *dst, const void *usrc, size_t n)
 * err_t arch_copy_to_user(void *udst, const void *src, size_t n)
 * Byte copies with SUM set; a fault goes through the exception table to
 * the ERR_FAULT return.
 */
	.globl arch_copy_from_user
	.globl arch_copy_to_user
arch_copy_from_user:
arch_copy_to_user:
	li	t1, SSTATUS_SUM
	csrs	sstatus, t1
	beqz	a2, 2f
1:	lb	t0, 0(a1)
3:	sb	t0, 0(a0)
	addi	a0, a0, 1
	addi	a1, a1, 1
	addi	a2, a2, -1
	bnez	a2, 1b
2:	csrc	sstatus, t1
	li	a0, 0
	ret
4:	li	t1, SSTATUS_SUM
	csrc	sstatus, t1
	li	a0, 14		/* ERR_FAULT */
	ret
	.section __extable, "a"
	.balign 8
	.quad	1b, 4b
	.quad	3b, 4b
	.previous

/*
 * err_t arch_probe_read64(const void *addr, uint64_t *val)
 * A load that may fault: the exception table sends the fault to 2f.
 */
	.globl arch_probe_read64
arch_probe_read64:
1:	ld	t0, 0(a0)
	sd	t0, 0(a1)
	li	a0, 0
	ret
2:	li	a0, 14		/* ERR_FAULT */
	ret
	.section __extable, "a"
	.balign 8
	.quad	1b, 2b
	.previous

/* void arch_breakpoint(void): a 4-byte ebreak */
	.globl arch_breakpoint
	.option push
	.option norvc
arch_breakpoint:
	ebreak
	ret
	.option pop

/*
 * void riscv_semihost_exit(const uint64_t block[2]): the RISC-V semihosting
 * call SYS_EXIT (0x18); QEMU with -semihosting exits with block[1].
 * The three-instruction sequence must be uncompressed and in one page.
 */
	.globl riscv_semihost_exit
	.option push
	.option norvc
	.balign 16
riscv_semihost_exit:
	mv	a1, a0
	li	a0, 0x18
	slli	x0, x0, 0x1f
	ebreak
	srai	x0, x0, 7
	ret
	.option pop
