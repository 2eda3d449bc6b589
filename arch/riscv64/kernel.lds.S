/* SPDX-License-Identifier: MIT */
/*
 * Kernel image layout. Text, read-only data and read-write data each start
 * on a page so vm_init() can map them W^X. The symbol table (.ksyms) comes
 * after everything the two-pass link must keep in place.
 */
#include <arch/mmu.h>
#include <kernel/sections.lds.h>

OUTPUT_ARCH(riscv)
ENTRY(_start)

SECTIONS
{
	. = KERNEL_LINK_ADDR;
	_start_image = .;
	.text : {
		_text_start = .;
		*(.text.boot)
		*(.text .text.*)
		_text_end = .;
	}
	. = ALIGN(4096);
	.rodata : {
		_rodata_start = .;
		*(.rodata .rodata.* .srodata .srodata.*)
		CORE_RO_TABLES
	}
	.ksyms : { KEEP(*(.ksyms)) }
	. = ALIGN(4096);
	_rodata_end = .;
	.data : {
		_data_start = .;
		*(.data .data.* .sdata .sdata.*)
	}
	.bss : {
		. = ALIGN(8);
		__bss_start = .;
		*(.bss .bss.* .sbss .sbss.* COMMON)
		. = ALIGN(8);
		__bss_end = .;
	}
	. = ALIGN(4096);
	_end = .;
	/DISCARD/ : { *(.note*) *(.comment) *(.eh_frame*) *(.riscv.attributes) }
}
