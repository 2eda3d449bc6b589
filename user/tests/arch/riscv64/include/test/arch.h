/* SPDX-License-Identifier: MIT */
/*
 * What the in-guest tests need to know or do per arch, riscv64 (the
 * x86-64 twin: user/tests/arch/x86_64/include/test/arch.h, same names).
 * Reached by libcairn programs (scripts/user.mk) and by the musl-built
 * POSIX tests (scripts/toolchain.mk, -idirafter), so no test source needs
 * an arch #if. The counter reads are libcairn's: <cairn/counter.h>.
 */
#ifndef TEST_ARCH_H
#define TEST_ARCH_H
#include <stdint.h>

/* uname()'s machine */
#define TEST_ARCH_NAME "riscv64"

/* ---- entry stubs: top-level asm, each defines the global symbol `stub` ---------------------- */

/* A thread that starts here ends itself at once (SYS_THREAD_EXIT, no stack used). */
#define TEST_EXIT_STUB(stub)                                                                   \
	__asm__(".text\n.balign 4\n.globl " #stub "\n" #stub ":\n\tli a7, 11\n\tecall\n\tj " #stub "\n")

/* A new thread's entry (it starts with sp, pc and the first argument set,
 * every other register zero): sets gp, clears the frame and return
 * registers and calls fn(arg); fn must not return. */
#define TEST_THREAD_ENTRY(stub, fn)                                                            \
	__asm__(".text\n.balign 4\n.globl " #stub "\n" #stub ":\n"                               \
		"\t.option push\n\t.option norelax\n\tla gp, __global_pointer$\n\t.option pop\n"  \
		"\tmv s0, zero\n\tmv ra, zero\n\tcall " #fn "\n\tunimp\n")

/* An upcall entry (THREAD_UPCALL: arg0 = the argument, arg1 = the frame,
 * sp = the frame): keeps the frame, calls handler(arg), returns through
 * SYS_UPCALL_RETURN. */
#define TEST_UPCALL_STUB(stub, handler)                                                        \
	__asm__(".text\n.balign 4\n.globl " #stub "\n" #stub ":\n"                               \
		"\taddi sp, sp, -16\n\tsd a1, 0(sp)\n\tcall " #handler "\n"                       \
		"\tld a0, 0(sp)\n\tli a7, 12\n\tecall\n\tunimp\n")

/* An illegal instruction (the fault tests). */
static inline void test_illegal_insn(void)
{
	__asm__ volatile("unimp");
}

/* ---- the thread pointer (THREAD_SET_TLS) --------------------------------------------------- */

/* A value to set as a new thread's thread pointer (word: memory it may point at). */
static inline uint64_t test_tls_value(volatile uint64_t *word)
{
	(void)word;
	return 0x1234567;
}
/* What the thread reads back through its thread pointer, and what it must get. */
static inline uint64_t test_tls_read(void)
{
	uint64_t tp;

	__asm__ volatile("mv %0, tp" : "=r"(tp));
	return tp;
}
static inline uint64_t test_tls_want(uint64_t set, volatile uint64_t *word)
{
	(void)word;
	return set;
}

/* ---- the system call ABI ------------------------------------------------------------------- */

/* SYS_NULL hands registers 1..5 back unchanged: their first value when
 * ktest's t_sys_null fills argument registers with 10, 11, ... (a1..a5 are
 * arguments 1..5). */
#define TEST_SYSNULL_FIRST_KEPT 12

/* ---- the board (QEMU virt) ------------------------------------------------------------------ */

#define KERNEL_IRQ  10              /* the 16550 console */
#define FREE_IRQ    1               /* virtio-mmio slot 0 */
#define DEV_PADDR   0x10001000ull   /* virtio-mmio slot 0's registers */
#define RAM_PADDR   0x80000000ull
/* registers the kernel's own drivers hold (MMIOCTL_GET says ERR_BUSY) */
#define KERNEL_MMIO_A 0x0c000000ull /* PLIC */
#define KERNEL_MMIO_B 0x10000000ull /* 16550 */
/* DEV_PADDR reads the virtio-mmio magic "virt" (0 where there is none to check) */
#define DEV_MAGIC   0x74726976u

/* KINFO_FIRMWARE holds the device tree blob */
#define FIRMWARE_IS_FDT 1

/* No port I/O on riscv64: no ioportctl root (the x86-64 twin names a UART),
 * and no instruction to reach a port: test_port_outb does nothing (the
 * tests that use it do not run here) */
static inline void test_port_outb(uint16_t port, uint8_t v)
{
	(void)port;
	(void)v;
}
#define TEST_HAS_IOPORTS 0
#define TEST_UART_PORT   0
#define TEST_UART_IRQ    0
#define KERNEL_UART_PORT 0
/* what DEBUG_RELEASE_DEVICE answers for the console UART: virt's 16550 in
 * memory, its PLIC source, reg_shift 0 | reg_width 1 << 8 | DEBUG_DEV_MMIO << 16 */
#define KERNEL_UART_BASE 0x10000000ull
#define KERNEL_UART_SIZE 0x100
#define KERNEL_UART_IRQ  10
#define KERNEL_UART_W3   (1u << 8 | DEBUG_DEV_MMIO << 16)
/* the PLIC: level (active high) only, IRQCTL_LOW refused */
#define TEST_IRQ_LOW_OK  0
/* no PCI INTx test here (nothing assigns BARs on virt before the device
 * manager): the x86-64 twin names QEMU's edu device */
#define TEST_PCI_CFG      0ull
#define TEST_INTX_GSI     0
#define TEST_INTX_COUNT   0

#endif
