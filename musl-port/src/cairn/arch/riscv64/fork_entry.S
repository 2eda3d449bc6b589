/* SPDX-License-Identifier: MIT */
/*
 * The riscv64 assembly of fork and the signal entry (fork.c, signal.c).
 *
 * __cairn_fork_enter(ctx, fn) saves the registers the C calling convention
 * keeps (ra, sp, gp, tp, s0-s11, fs0-fs11, fcsr) in ctx (struct fork_ctx: [0] the return address, [1] the
 * stack pointer, then the rest) and tail-calls fn(ctx).
 * __cairn_fork_child(ctx) is where the child starts: it restores them and
 * returns 0 from __cairn_fork_enter.
 * __cairn_jump(pc, sp, a0) starts running at pc on the stack sp.
 * __cairn_sigentry is the upcall entry (a0 = sig | sender << 32, a1 = frame, sp = frame):
 * it saves the FP state and the callee-saved registers (its save area, which
 * signal.c's ucontext reads and writes: cairn_arch.h), runs
 * __cairn_sig_run(arg, frame, area), loads them back and returns with
 * SYS_UPCALL_RETURN (12, include/cairn/abi.h) to where the upcall came.
 */
.text

.global __cairn_fork_enter
.hidden __cairn_fork_enter
.type __cairn_fork_enter, %function
__cairn_fork_enter:
	sd ra, 0(a0)
	sd sp, 8(a0)
	sd gp, 16(a0)
	sd tp, 24(a0)
	sd s0, 32(a0)
	sd s1, 40(a0)
	sd s2, 48(a0)
	sd s3, 56(a0)
	sd s4, 64(a0)
	sd s5, 72(a0)
	sd s6, 80(a0)
	sd s7, 88(a0)
	sd s8, 96(a0)
	sd s9, 104(a0)
	sd s10, 112(a0)
	sd s11, 120(a0)
	fsd fs0, 128(a0)
	fsd fs1, 136(a0)
	fsd fs2, 144(a0)
	fsd fs3, 152(a0)
	fsd fs4, 160(a0)
	fsd fs5, 168(a0)
	fsd fs6, 176(a0)
	fsd fs7, 184(a0)
	fsd fs8, 192(a0)
	fsd fs9, 200(a0)
	fsd fs10, 208(a0)
	fsd fs11, 216(a0)
	frcsr t0
	sd t0, 224(a0)
	jr a1
/* the child: a0 = the context */
.global __cairn_fork_child
.hidden __cairn_fork_child
.type __cairn_fork_child, %function
__cairn_fork_child:
	ld ra, 0(a0)
	ld sp, 8(a0)
	ld gp, 16(a0)
	ld tp, 24(a0)
	ld s0, 32(a0)
	ld s1, 40(a0)
	ld s2, 48(a0)
	ld s3, 56(a0)
	ld s4, 64(a0)
	ld s5, 72(a0)
	ld s6, 80(a0)
	ld s7, 88(a0)
	ld s8, 96(a0)
	ld s9, 104(a0)
	ld s10, 112(a0)
	ld s11, 120(a0)
	fld fs0, 128(a0)
	fld fs1, 136(a0)
	fld fs2, 144(a0)
	fld fs3, 152(a0)
	fld fs4, 160(a0)
	fld fs5, 168(a0)
	fld fs6, 176(a0)
	fld fs7, 184(a0)
	fld fs8, 192(a0)
	fld fs9, 200(a0)
	fld fs10, 208(a0)
	fld fs11, 216(a0)
	ld t0, 224(a0)
	fscsr t0
	li a0, 0
	ret
/* _Noreturn __cairn_jump(pc, sp, a0) */
.global __cairn_jump
.hidden __cairn_jump
.type __cairn_jump, %function
__cairn_jump:
	mv sp, a1
	mv t0, a0
	mv a0, a2
	jr t0
/* the upcall entry: a0 = sig | sender << 32, a1 = frame, sp = frame */
.global __cairn_sigentry
.hidden __cairn_sigentry
.type __cairn_sigentry, %function
__cairn_sigentry:
	addi sp, sp, -368	/* f0-f31, fcsr, the frame, s0-s11 (cairn_arch.h) */
	fsd f0, 0(sp)
	fsd f1, 8(sp)
	fsd f2, 16(sp)
	fsd f3, 24(sp)
	fsd f4, 32(sp)
	fsd f5, 40(sp)
	fsd f6, 48(sp)
	fsd f7, 56(sp)
	fsd f8, 64(sp)
	fsd f9, 72(sp)
	fsd f10, 80(sp)
	fsd f11, 88(sp)
	fsd f12, 96(sp)
	fsd f13, 104(sp)
	fsd f14, 112(sp)
	fsd f15, 120(sp)
	fsd f16, 128(sp)
	fsd f17, 136(sp)
	fsd f18, 144(sp)
	fsd f19, 152(sp)
	fsd f20, 160(sp)
	fsd f21, 168(sp)
	fsd f22, 176(sp)
	fsd f23, 184(sp)
	fsd f24, 192(sp)
	fsd f25, 200(sp)
	fsd f26, 208(sp)
	fsd f27, 216(sp)
	fsd f28, 224(sp)
	fsd f29, 232(sp)
	fsd f30, 240(sp)
	fsd f31, 248(sp)
	frcsr t0
	sd t0, 256(sp)
	sd a1, 264(sp)
	sd s0, 272(sp)		/* callee-saved: a partial frame's live ones (the ucontext's) */
	sd s1, 280(sp)
	sd s2, 288(sp)
	sd s3, 296(sp)
	sd s4, 304(sp)
	sd s5, 312(sp)
	sd s6, 320(sp)
	sd s7, 328(sp)
	sd s8, 336(sp)
	sd s9, 344(sp)
	sd s10, 352(sp)
	sd s11, 360(sp)
	mv a2, sp		/* __cairn_sig_run(arg, frame, area) */
	call __cairn_sig_run
	ld s0, 272(sp)		/* as the handler's ucontext left them */
	ld s1, 280(sp)
	ld s2, 288(sp)
	ld s3, 296(sp)
	ld s4, 304(sp)
	ld s5, 312(sp)
	ld s6, 320(sp)
	ld s7, 328(sp)
	ld s8, 336(sp)
	ld s9, 344(sp)
	ld s10, 352(sp)
	ld s11, 360(sp)
	ld t0, 256(sp)
	fscsr t0
	fld f0, 0(sp)
	fld f1, 8(sp)
	fld f2, 16(sp)
	fld f3, 24(sp)
	fld f4, 32(sp)
	fld f5, 40(sp)
	fld f6, 48(sp)
	fld f7, 56(sp)
	fld f8, 64(sp)
	fld f9, 72(sp)
	fld f10, 80(sp)
	fld f11, 88(sp)
	fld f12, 96(sp)
	fld f13, 104(sp)
	fld f14, 112(sp)
	fld f15, 120(sp)
	fld f16, 128(sp)
	fld f17, 136(sp)
	fld f18, 144(sp)
	fld f19, 152(sp)
	fld f20, 160(sp)
	fld f21, 168(sp)
	fld f22, 176(sp)
	fld f23, 184(sp)
	fld f24, 192(sp)
	fld f25, 200(sp)
	fld f26, 208(sp)
	fld f27, 216(sp)
	fld f28, 224(sp)
	fld f29, 232(sp)
	fld f30, 240(sp)
	fld f31, 248(sp)
	ld a0, 264(sp)
	li a7, 12		/* SYS_UPCALL_RETURN(frame) */
	ecall
	unimp
.section .note.GNU-stack,"",%progbits
