/* SPDX-License-Identifier: MIT */
/*
 * What the arch layer hands the portable core at boot: memory, reserved
 * ranges, CPUs, command line and boot image. riscv64 fills it from the
 * device tree (kernel/devtree.c); other arches from their own boot protocol.
 */
#ifndef KERNEL_BOOT_H
#define KERNEL_BOOT_H
#include <kernel/types.h>

#define BOOT_MAX_MEM        16
#define BOOT_MAX_RESERVED   32
#define BOOT_CMDLINE_MAX    512
#define BOOT_MAX_CPUS       64

struct mem_range {
	paddr_t base;
	uint64_t size;
	const char *what;    /* for reserved ranges: who owns it (static string) */
};

struct boot_info {
	struct mem_range mem[BOOT_MAX_MEM];
	unsigned n_mem;
	struct mem_range reserved[BOOT_MAX_RESERVED];
	unsigned n_reserved;
	paddr_t initrd_start, initrd_end;     /* 0, 0: none */
	char cmdline[BOOT_CMDLINE_MAX];
	uint64_t timebase_hz;                 /* 0: arch calibrates */
	unsigned n_cpus;                      /* usable CPUs found */
	uint64_t cpu_hwid[BOOT_MAX_CPUS];     /* hart id / APIC id, [0] is the boot CPU */
	const void *fdt;                      /* device tree (virtual), or NULL */
	paddr_t fdt_pa;
	uint64_t fdt_size;
	paddr_t kernel_pa_start, kernel_pa_end;
	uint64_t entry_counter;               /* the instruction counter (user mode's
					       * insns(): rdinstret, rdtsc) read at the
					       * kernel's first instruction; under
					       * -icount shift=0, the instructions from
					       * reset to there (firmware, loader) */
};

/* Adds a reserved range; returns ERR_NOSPC when the table is full. */
err_t boot_reserve(struct boot_info *bi, paddr_t base, uint64_t size, const char *what);

/* Total bytes of RAM described in bi->mem. */
uint64_t boot_mem_total(const struct boot_info *bi);

/* The boot information of this boot (valid after arch_early_init). */
extern struct boot_info boot_info;

/* Command line: finds "key" or "key=value". Returns true when present and
 * sets *val (may be NULL) to the value ("" when no '='). */
bool cmdline_get(const char *cmdline, const char *key, char *val, size_t len);

#endif
