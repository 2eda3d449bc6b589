// SPDX-License-Identifier: MIT
/*
 * The boot-time root objects that init receives (IrqControl, MmioControl,
 * DebugConsole, KernelInfo: one static object each, never destroyed) and
 * the methods of KernelInfo: free memory and the clock (read right), and
 * setting the real-time clock (manage right, which init holds and passes
 * on only as its manifest says: the process server, for settimeofday).
 */
#include <kernel/method.h>
#include <kernel/mm.h>
#include <kernel/clock.h>
#include <kernel/memory.h>
#include <kernel/thread.h>

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

/* ---- KINFO_CLOCK_PAGE -> (slot) ----------------------------------------------------- */

struct kinfo_page_args {
	struct cap *slot;
};

static err_t kinfo_decode_clock_page(struct invocation *iv)
{
	struct kinfo_page_args *a = METHOD_ARGS(struct kinfo_page_args, iv);

	if (!clock_page_object())
		return ERR_NOMEM;
	return cap_reserve(current->proc, CAP_NULL, &a->slot);
}

static void kinfo_invoke_clock_page(struct invocation *iv)
{
	struct kinfo_page_args *a = METHOD_ARGS(struct kinfo_page_args, iv);

	/* read only: it cannot be written, nor made a ring or an IPC buffer */
	cap_install(a->slot, &clock_page_object()->obj, RIGHT_READ, 0);
	iv->out->w[0] = cap_slot_of(a->slot);
}

/* ---- KINFO_SET_REALTIME (ns since 1970) ---------------------------------------------- */

static err_t kinfo_decode_set_realtime(struct invocation *iv)
{
	return iv->in->w[0] >> 63 ? ERR_INVAL : ERR_OK;
}

static void kinfo_invoke_set_realtime(struct invocation *iv)
{
	clock_settime(iv->in->w[0]);
}

#define METHODS_FIRST KINFO_FREE_PAGES
static const struct method methods[] = {
	METHOD(KINFO_FREE_PAGES, RIGHT_READ, 0, NULL, kinfo_invoke_free_pages),
	METHOD(KINFO_TIME, RIGHT_READ, 0, NULL, kinfo_invoke_time),
	METHOD(KINFO_CLOCK, RIGHT_READ, 0, NULL, kinfo_invoke_clock),
	METHOD(KINFO_CLOCK_PAGE, RIGHT_READ, 0, kinfo_decode_clock_page, kinfo_invoke_clock_page),
	METHOD(KINFO_SET_REALTIME, RIGHT_MANAGE, 0, kinfo_decode_set_realtime, kinfo_invoke_set_realtime),
};

METHOD_TABLE(kinfo_methods, methods, NULL);
