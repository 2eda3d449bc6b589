/* SPDX-License-Identifier: MIT */
/*
 * What the in-guest tests need to know or do per arch, x86-64 (the
 * riscv64 twin: user/tests/arch/riscv64/include/test/arch.h, same names).
 * Reached by libcairn programs (scripts/user.mk) and by the musl-built
 * POSIX tests (scripts/toolchain.mk, -idirafter), so no test source needs
 * an arch #if. The counter reads are libcairn's: <cairn/counter.h>.
 */
#ifndef TEST_ARCH_H
#define TEST_ARCH_H
#include <stdint.h>

/* uname()'s machine */
#define TEST_ARCH_NAME "x86_64"

/* ---- entry stubs: top-level asm, each defines the global symbol `stub` ---------------------- */

/* A thread that starts here ends itself at once (SYS_THREAD_EXIT, no stack used). */
#define TEST_EXIT_STUB(stub)                                                                   \
	__asm__(".text\n.globl " #stub "\n" #stub ":\n\tmov $11, %eax\n\tsyscall\n\tjmp " #stub "\n")

/* A new thread's entry (it starts with sp, pc and the first argument set,
 * every other register zero): clears the frame pointer, aligns the stack
 * and calls fn(arg); fn must not return. */
#define TEST_THREAD_ENTRY(stub, fn)                                                            \
	__asm__(".text\n.globl " #stub "\n" #stub ":\n"                                          \
		"\txor %ebp, %ebp\n\tandq $-16, %rsp\n\tcall " #fn "\n\tud2\n")

/* An upcall entry (THREAD_UPCALL: arg0 = the argument, arg1 = the frame,
 * sp = the frame): keeps the frame, calls handler(arg), returns through
 * SYS_UPCALL_RETURN. */
#define TEST_UPCALL_STUB(stub, handler)                                                        \
	__asm__(".text\n.globl " #stub "\n" #stub ":\n"                                          \
		"\tpushq %rsi\n\tsubq $8, %rsp\n\tcall " #handler "\n"                            \
		"\taddq $8, %rsp\n\tpopq %rdi\n\tmovl $12, %eax\n\tsyscall\n\tud2\n")

/* An illegal instruction (the fault tests). */
static inline void test_illegal_insn(void)
{
	__asm__ volatile("ud2");
}

/* An I/O port write straight from user mode, which must fault (#GP: no
 * IOPL, no I/O bitmap): ports are reached only through an IoPort. */
static inline void test_port_outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(port) : "memory");
}

/* ---- the thread pointer (THREAD_SET_TLS: the FS base) ---------------------------------------- */

/* A value to set as a new thread's FS base: the address of word. */
static inline uint64_t test_tls_value(volatile uint64_t *word)
{
	return (uint64_t)word;
}
/* What the thread reads back through its FS base (*(FS base)), and what it must get. */
static inline uint64_t test_tls_read(void)
{
	uint64_t v;

	__asm__ volatile("movq %%fs:0, %0" : "=r"(v));
	return v;
}
static inline uint64_t test_tls_want(uint64_t set, volatile uint64_t *word)
{
	(void)set;
	return *word;
}

/* ---- the system call ABI ------------------------------------------------------------------- */

/* SYS_NULL hands registers 1..5 back unchanged: their first value when
 * ktest's t_sys_null fills argument registers with 10, 11, ... (rdi rsi
 * rdx r10 r8 are arguments 0..4). */
#define TEST_SYSNULL_FIRST_KEPT 11

/* ---- the board (QEMU q35) ------------------------------------------------------------------ */

#define KERNEL_IRQ  4               /* COM1 */
#define FREE_IRQ    5
#define DEV_PADDR   0xfed00000ull   /* HPET */
#define RAM_PADDR   0x100000ull
/* registers the kernel's own drivers hold (MMIOCTL_GET says ERR_BUSY) */
#define KERNEL_MMIO_A 0xfee00000ull /* local APIC */
#define KERNEL_MMIO_B 0xfec00000ull /* IOAPIC */
/* DEV_PADDR reads the virtio-mmio magic (0: none to check, the HPET is there) */
#define DEV_MAGIC   0u

/* KINFO_FIRMWARE holds the ACPI tables */
#define FIRMWARE_IS_FDT 0

/* Port I/O: a 16550 the kernel does not use (COM2, which q35's qemu.sh adds,
 * wired to nothing) and its ISA interrupt, for the IoPort and interrupt-mode
 * tests; the kernel's console UART (COM1), which IOPORTCTL_GET refuses */
#define TEST_HAS_IOPORTS 1
#define TEST_UART_PORT   0x2f8
#define TEST_UART_IRQ    3
#define KERNEL_UART_PORT 0x3f8
/* what DEBUG_RELEASE_DEVICE answers for the console UART: COM1's ports,
 * its GSI, reg_shift 0 | reg_width 1 << 8 | DEBUG_DEV_PORT << 16 */
#define KERNEL_UART_BASE 0x3f8
#define KERNEL_UART_SIZE 8
#define KERNEL_UART_IRQ  4
#define KERNEL_UART_W3   (1u << 8 | DEBUG_DEV_PORT << 16)
/* IRQCTL_GET's modes this interrupt controller gives (the IOAPIC: any) */
#define TEST_IRQ_LOW_OK  1
/* A PCI device whose INTx ktest raises: QEMU's "edu" (1234:11e8), which
 * tests/run-all.sh adds at 00:10.0 (-device edu,addr=0x10) for ktest; its
 * configuration space in q35's ECAM window (the MCFG's 0xb0000000, where
 * SeaBIOS puts it), and the GSIs PCI INTx may arrive on (PIRQ A-H) */
#define TEST_PCI_CFG      (0xb0000000ull + (0x10ull << 15))
#define TEST_INTX_GSI     16
#define TEST_INTX_COUNT   8

#endif
