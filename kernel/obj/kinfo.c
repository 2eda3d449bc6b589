// SPDX-License-Identifier: MIT
/*
 * The boot-time root objects that init receives (IrqControl, MmioControl,
 * DebugConsole, KernelInfo: one static object each, never destroyed) and
 * the methods of KernelInfo (read right): free memory and the clock.
 */
#include <kernel/method.h>
#include <kernel/mm.h>
#include <kernel/clock.h>

static struct kobj roots[OBJ_TYPE_COUNT];

struct kobj *devobj_root(unsigned type)
{
	struct kobj *o = &roots[type];

	if (!o->type) {
		o->type = type;
		o->oid = ++kobj_next_oid;
		o->refs = 1;            /* never destroyed */
		list_init(&o->reap_node);
		list_init(&o->orphan_node);
	}
	return o;
}

static void kinfo_invoke_free_pages(struct invocation *iv)
{
	iv->out->w[0] = pmm_free_pages();
	iv->out->w[1] = pmm_total_pages();
}

static void kinfo_invoke_time(struct invocation *iv)
{
	iv->out->w[0] = clock_ns();
}

/* What user mode needs to read the clock itself: ns = counter * mult >> 32. */
static void kinfo_invoke_clock(struct invocation *iv)
{
	iv->out->w[0] = clock_mult();
	iv->out->w[1] = arch_counter_hz();
	iv->out->w[2] = clock_realtime_offset();
}

#define METHODS_FIRST KINFO_FREE_PAGES
static const struct method methods[] = {
	METHOD(KINFO_FREE_PAGES, RIGHT_READ, 0, NULL, kinfo_invoke_free_pages),
	METHOD(KINFO_TIME, RIGHT_READ, 0, NULL, kinfo_invoke_time),
	METHOD(KINFO_CLOCK, RIGHT_READ, 0, NULL, kinfo_invoke_clock),
};

METHOD_TABLE(kinfo_methods, methods, NULL);
