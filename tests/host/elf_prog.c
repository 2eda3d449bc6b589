// SPDX-License-Identifier: MIT
/*
 * A tiny freestanding program that host.mk links as static executables
 * for riscv64 and x86-64 (and as a PIE, which must be refused), so
 * test_elf has real toolchain output to validate. It has code, read-only
 * data, data and bss, so the linker emits several PT_LOAD segments.
 */
static const char message[] = "cairn elf test";
volatile int counter = 3;
int table[256];

void _start(void);

void _start(void)
{
	for (unsigned i = 0; i < 256; i++)
		table[i] = counter + message[i % (sizeof(message) - 1)];
	for (;;)
		counter++;
}
