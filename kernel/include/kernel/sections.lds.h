/* SPDX-License-Identifier: MIT */
/*
 * Linker-script pieces for the tables the core reads out of the image, so
 * every arch's kernel.lds.S places them the same way. Put CORE_RO_TABLES
 * inside .rodata; .ksyms must follow everything the two-pass link keeps in
 * place (see scripts/kernel.mk).
 */
#ifndef KERNEL_SECTIONS_LDS_H
#define KERNEL_SECTIONS_LDS_H

#define CORE_RO_TABLES                                  \
	. = ALIGN(8);                                   \
	__selftests_start = .;                          \
	KEEP(*(.selftests))                             \
	__selftests_end = .;                            \
	. = ALIGN(8);                                   \
	__extable_start = .;                            \
	KEEP(*(__extable))                              \
	__extable_end = .;

#endif
