/* SPDX-License-Identifier: MIT */
/*
 * A SA_SIGINFO handler's ucontext on riscv64, for user/tests/posix/ucontext.c
 * (the twin: user/tests/arch/x86_64/include/test/ucontext.h, same names):
 * where the pc, the stack pointer and the register a test load writes
 * are, and a load and a store of known length and encoding that the
 * handler recognises at the faulting pc and skips.
 */
#ifndef TEST_UCONTEXT_H
#define TEST_UCONTEXT_H
#include <stdint.h>
#include <string.h>
#include <ucontext.h>

#define UC_PC(uc)     ((uc)->uc_mcontext.__gregs[0])
#define UC_SP(uc)     ((uc)->uc_mcontext.__gregs[2])
#define UC_RESULT(uc) ((uc)->uc_mcontext.__gregs[5])    /* t0: the load's register */
#define INSN_LEN      4

/* ld t0, 0(t1), 4 bytes (.option norvc), with t0 = 7 before it */
static inline long test_load_at(void *p)
{
	long v;

	__asm__ volatile(".option push\n.option norvc\n"
			 "li t0, 7\nmv t1, %1\nld t0, 0(t1)\nmv %0, t0\n"
			 ".option pop" : "=r"(v) : "r"(p) : "t0", "t1", "memory");
	return v;
}

/* sd t0, 0(t1) of 1 */
static inline void test_store_at(void *p)
{
	__asm__ volatile(".option push\n.option norvc\n"
			 "li t0, 1\nmv t1, %0\nsd t0, 0(t1)\n"
			 ".option pop" : : "r"(p) : "t0", "t1", "memory");
}

/* Whether the instruction at pc is the load's (ld t0, 0(t1): 0x00033283)
 * or the store's (sd t0, 0(t1): 0x00533023). */
static inline int test_known_insn(uintptr_t pc, int store)
{
	uint32_t insn;

	memcpy(&insn, (const void *)pc, 4);
	return insn == (store ? 0x00533023u : 0x00033283u);
}

#endif
