// SPDX-License-Identifier: MIT
/*
 * What the portable kernel code needs from the rest of the kernel and the
 * arch when it runs as a host program: logging to stdout (as `#` comment
 * lines, so they never look like test results), panic() that aborts or
 * returns to a test expecting it, the page-table arch knobs, and the fake
 * physical memory arena behind physmap_base.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arch.h>
#include <kernel/log.h>
#include <kernel/mm.h>
#include "host.h"

vaddr_t physmap_base;
paddr_t kernel_root;           /* pt_create_user() copies its upper half */
int log_level = LOG_WARN;
void *host_arena;
unsigned riscv_pt_levels = 4;   /* host_pt_levels */
unsigned long host_tlb_flushes;
jmp_buf *host_panic_jmp;
char host_panic_msg[256];

static void vlog(const char *fmt, va_list ap)
{
	char buf[512];
	char *line, *save = NULL;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		printf("# %s\n", line);
}

void klog(int level, const char *fmt, ...)
{
	va_list ap;

	if (level > log_level)
		return;
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

void kvprintf(const char *fmt, va_list ap)
{
	vlog(fmt, ap);
}

void kprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

noreturn void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(host_panic_msg, sizeof(host_panic_msg), fmt, ap);
	va_end(ap);
	if (host_panic_jmp)
		longjmp(*host_panic_jmp, 1);
	printf("# PANIC: %s\n", host_panic_msg);
	fflush(stdout);
	abort();
}

void arch_tlb_flush_page(vaddr_t va)
{
	(void)va;
	host_tlb_flushes++;
}

void arch_tlb_flush_all(void)
{
	host_tlb_flushes++;
}

void host_arena_init(void)
{
	if (!host_arena) {
		host_arena = aligned_alloc(PAGE_SIZE << PMM_MAX_ORDER, HOST_ARENA_SIZE);
		if (!host_arena) {
			printf("# cannot allocate the arena\n");
			abort();
		}
	}
	physmap_base = (vaddr_t)host_arena - (vaddr_t)HOST_PA_BASE;
}

void host_boot_info(struct boot_info *bi)
{
	host_arena_init();
	memset(bi, 0, sizeof(*bi));
	bi->mem[0] = (struct mem_range){ HOST_PA_BASE, HOST_ARENA_SIZE, "RAM" };
	bi->n_mem = 1;
}

bool host_pmm_init_arena(void)
{
	struct boot_info bi;

	host_boot_info(&bi);
	pmm_reset();
	return pmm_init(&bi) == ERR_OK;
}
