/* SPDX-License-Identifier: MIT */
/*
 * fptest's view of the riscv64 (D extension: f0-f31, frm) floating-point state; the
 * x86-64 twin is user/tests/arch/x86_64/include/test/fpregs.h. NREG
 * 64-bit registers; fp_fill() sets them to base, base + 1, ... and the
 * rounding mode to rm; fp_read() stores them in out[0..NREG) and returns
 * the rounding mode.
 */
#ifndef TEST_FPREGS_H
#define TEST_FPREGS_H
#include <stdint.h>

#define NREG 32
#define FP_SET(i) "fmv.d.x f" #i ", %[v]\n\taddi %[v], %[v], 1\n\t"
#define FP_GET(i) "fmv.x.d t0, f" #i "\n\tsd t0, " #i "*8(%[o])\n\t"
static void fp_fill(uint64_t base, unsigned rm)
{
	uint64_t v = base;
	__asm__ volatile(".option push\n\t.option arch, +d\n\t"
		FP_SET(0) FP_SET(1) FP_SET(2) FP_SET(3) FP_SET(4) FP_SET(5) FP_SET(6) FP_SET(7)
		FP_SET(8) FP_SET(9) FP_SET(10) FP_SET(11) FP_SET(12) FP_SET(13) FP_SET(14) FP_SET(15)
		FP_SET(16) FP_SET(17) FP_SET(18) FP_SET(19) FP_SET(20) FP_SET(21) FP_SET(22) FP_SET(23)
		FP_SET(24) FP_SET(25) FP_SET(26) FP_SET(27) FP_SET(28) FP_SET(29) FP_SET(30) FP_SET(31)
		"fsrm %[rm]\n\t.option pop" : [v] "+r"(v) : [rm] "r"(rm) : "memory");
}
static unsigned fp_read(uint64_t *out)
{
	unsigned rm;
	__asm__ volatile(".option push\n\t.option arch, +d\n\t"
		FP_GET(0) FP_GET(1) FP_GET(2) FP_GET(3) FP_GET(4) FP_GET(5) FP_GET(6) FP_GET(7)
		FP_GET(8) FP_GET(9) FP_GET(10) FP_GET(11) FP_GET(12) FP_GET(13) FP_GET(14) FP_GET(15)
		FP_GET(16) FP_GET(17) FP_GET(18) FP_GET(19) FP_GET(20) FP_GET(21) FP_GET(22) FP_GET(23)
		FP_GET(24) FP_GET(25) FP_GET(26) FP_GET(27) FP_GET(28) FP_GET(29) FP_GET(30) FP_GET(31)
		"frrm %[rm]\n\t.option pop" : [rm] "=r"(rm) : [o] "r"(out) : "t0", "memory");
	return rm;
}
#endif
