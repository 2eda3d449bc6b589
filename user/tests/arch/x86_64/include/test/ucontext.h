/* SPDX-License-Identifier: MIT */
/*
 * A SA_SIGINFO handler's ucontext on x86_64, for user/tests/posix/ucontext.c
 * (the twin: user/tests/arch/riscv64/include/test/ucontext.h, same names):
 * where the pc, the stack pointer and the register a test load writes
 * are, and a load and a store of known length and encoding that the
 * handler recognises at the faulting pc and skips.
 */
#ifndef TEST_UCONTEXT_H
#define TEST_UCONTEXT_H
#include <stdint.h>
#include <string.h>
#include <ucontext.h>

#define UC_PC(uc)     ((uc)->uc_mcontext.gregs[REG_RIP])
#define UC_SP(uc)     ((uc)->uc_mcontext.gregs[REG_RSP])
#define UC_RESULT(uc) ((uc)->uc_mcontext.gregs[REG_RAX])  /* rax: the load's register */
#define INSN_LEN      3

/* mov (%rdi), %rax, 3 bytes spelled out, with rax = 7 before it */
static inline long test_load_at(void *p)
{
	long v = 7;

	__asm__ volatile(".byte 0x48, 0x8b, 0x07" : "+a"(v) : "D"(p) : "memory");
	return v;
}

/* mov %rax, (%rdi) of 1 */
static inline void test_store_at(void *p)
{
	__asm__ volatile(".byte 0x48, 0x89, 0x07" : : "a"(1L), "D"(p) : "memory");
}

/* Whether the instruction at pc is the load's or the store's. */
static inline int test_known_insn(uintptr_t pc, int store)
{
	static const unsigned char ld[3] = { 0x48, 0x8b, 0x07 }, st[3] = { 0x48, 0x89, 0x07 };

	return !memcmp((const void *)pc, store ? st : ld, 3);
}

#endif
