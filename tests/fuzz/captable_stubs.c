// SPDX-License-Identifier: MIT
/*
 * What kernel/object.c needs from the rest of the kernel, for the
 * capability-table fuzzer: pages and the heap from the host allocator,
 * object teardown reduced to bookkeeping the fuzzer checks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <kernel/thread.h>
#include <kernel/ipc.h>
#include <kernel/memory.h>
#include <kernel/log.h>
#include "captable_fuzz.h"

vaddr_t physmap_base;             /* 0: physical = host virtual */
struct cpu cpus[CONFIG_NR_CPUS];   /* current and sched_work are CPU 0's */

void *host_cpu_core(void)
{
	return &cpus[0];
}
size_t fuzz_pages_live;

paddr_t pmm_alloc_zeroed(unsigned order)
{
	void *p = aligned_alloc(PAGE_SIZE, PAGE_SIZE << order);

	if (!p)
		return PADDR_INVALID;
	memset(p, 0, PAGE_SIZE << order);
	fuzz_pages_live += 1u << order;
	return (paddr_t)(uintptr_t)p;
}

void pmm_free(paddr_t pa, unsigned order)
{
	fuzz_pages_live -= 1u << order;
	free((void *)(uintptr_t)pa);
}

void *kzalloc(size_t n) { return calloc(1, n); }
void *kmalloc(size_t n) { return malloc(n); }
void kfree(void *p) { free(p); }

noreturn void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/* Teardown: the fuzzer's objects are Notifications; processes are fake
 * and torn down by the fuzzer itself. */
void notification_destroy(struct notification *n) { fuzz_object_destroyed(&n->obj); }
void process_exit(struct process *p, int state, uint64_t status) { (void)p; (void)state; (void)status; }
void thread_kill(struct thread *t) { (void)t; }
void endpoint_destroy(struct endpoint *ep) { (void)ep; }
void memobj_destroy(struct memobj *mo) { (void)mo; }
void aspace_destroy(struct aspace *as) { (void)as; }
void irqline_destroy(struct kobj *o) { (void)o; }
void timer_destroy(struct kobj *o) { (void)o; }
void reply_obj_destroy(struct kobj *o) { (void)o; }
void endpoint_badge_gone(struct endpoint *ep, uint64_t badge) { (void)ep; (void)badge; }
void pager_endpoint_gone(struct endpoint *ep) { (void)ep; }
void endpoint_unserved(struct endpoint *ep) { (void)ep; }
