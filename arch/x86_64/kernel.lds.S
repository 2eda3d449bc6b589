/* SPDX-License-Identifier: MIT */
/*
 * Kernel image layout: linked in the top 2 GiB (KERNEL_LINK_ADDR), loaded
 * by GRUB at the physical addresses given by AT() (KERNEL_LOAD_PA up).
 * The Multiboot2 header comes first so it lies in the file's first 32 KiB.
 * Text, read-only data and read-write data each start on a page so
 * vm_init() can map them W^X. .ksyms comes after everything the two-pass
 * link must keep in place.
 */
#include <arch/mmu.h>
#include <kernel/sections.lds.h>

OUTPUT_FORMAT("elf64-x86-64")
OUTPUT_ARCH(i386:x86-64)
ENTRY(_start)

#define LMA(s) AT(ADDR(s) - KERNEL_WINDOW)

SECTIONS
{
	. = KERNEL_LINK_ADDR;
	_start_image = .;
	.text : LMA(.text) {
		_text_start = .;
		KEEP(*(.multiboot2))
		*(.text.boot)
		*(.text .text.*)
		_text_end = .;
	}
	. = ALIGN(4096);
	.rodata : LMA(.rodata) {
		_rodata_start = .;
		*(.rodata .rodata.*)
		CORE_RO_TABLES
	}
	.ksyms : LMA(.ksyms) { KEEP(*(.ksyms)) }
	. = ALIGN(4096);
	_rodata_end = .;
	.data : LMA(.data) {
		_data_start = .;
		*(.data .data.*)
	}
	.bss : LMA(.bss) {
		. = ALIGN(8);
		__bss_start = .;
		*(.bss .bss.* COMMON)
		. = ALIGN(8);
		__bss_end = .;
	}
	. = ALIGN(4096);
	_end = .;
	/DISCARD/ : { *(.note*) *(.comment) *(.eh_frame*) }
}
