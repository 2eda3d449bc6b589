/* SPDX-License-Identifier: MIT */
/*
 * fptest's view of the x86-64 (SSE: xmm0-xmm15, MXCSR) floating-point state; the
 * riscv64 twin is user/tests/arch/riscv64/include/test/fpregs.h. NREG
 * 64-bit registers; fp_fill() sets them to base, base + 1, ... and the
 * rounding mode to rm; fp_read() stores them in out[0..NREG) and returns
 * the rounding mode.
 */
#ifndef TEST_FPREGS_H
#define TEST_FPREGS_H
#include <stdint.h>

#define NREG 16
#define FP_SET(i) "movq %[v], %%xmm" #i "\n\tinc %[v]\n\t"
#define FP_GET(i) "movq %%xmm" #i ", " #i "*8(%[o])\n\t"
static void fp_fill(uint64_t base, unsigned rm)
{
	uint64_t v = base;
	uint32_t mxcsr = 0x1f80 | (rm << 13);
	__asm__ volatile(FP_SET(0) FP_SET(1) FP_SET(2) FP_SET(3) FP_SET(4) FP_SET(5) FP_SET(6) FP_SET(7)
		FP_SET(8) FP_SET(9) FP_SET(10) FP_SET(11) FP_SET(12) FP_SET(13) FP_SET(14) FP_SET(15)
		"ldmxcsr %[m]" : [v] "+r"(v) : [m] "m"(mxcsr) : "memory");
}
static unsigned fp_read(uint64_t *out)
{
	uint32_t mxcsr;
	__asm__ volatile(FP_GET(0) FP_GET(1) FP_GET(2) FP_GET(3) FP_GET(4) FP_GET(5) FP_GET(6) FP_GET(7)
		FP_GET(8) FP_GET(9) FP_GET(10) FP_GET(11) FP_GET(12) FP_GET(13) FP_GET(14) FP_GET(15)
		"stmxcsr %[m]" : [m] "=m"(mxcsr) : [o] "r"(out) : "memory");
	return (mxcsr >> 13) & 3;
}
#endif
