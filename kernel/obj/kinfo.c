// SPDX-License-Identifier: MIT
/*
 * The boot-time root objects that init receives (IrqControl, MmioControl,
 * DebugConsole, KernelInfo: one static object each, never destroyed) and
 * the methods of KernelInfo: free memory, the clock and the firmware's
 * tables (read right), and setting the real-time clock (manage right,
 * which init holds and passes on only as its manifest says: the process
 * server, for settimeofday).
 */
#include <kernel/method.h>
#include <kernel/mm.h>
#include <kernel/clock.h>
#include <kernel/memory.h>
#include <kernel/thread.h>
#include <kernel/smp.h>
#include <kernel/log.h>
#include <arch.h>

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

/* ---- KINFO_FIRMWARE -> (slot, bytes) ----------------------------------------------- */

/* The copy of the firmware's tables made at boot (kinfo_firmware_init()),
 * and the one MemoryObject over it, made on the first call. */
static paddr_t fw_pa;
static size_t fw_bytes;
static struct memobj *fw_mo;

void kinfo_firmware_init(void)
{
	size_t n = arch_firmware_copy(NULL, 0), pages;
	unsigned order = 0;

	if (!n)
		return;
	pages = (n + PAGE_SIZE - 1) / PAGE_SIZE;
	while ((1ul << order) < pages)
		order++;
	if (order > PMM_MAX_ORDER || (fw_pa = pmm_alloc_zeroed(order)) == PADDR_INVALID) {
		pr_warn("kinfo: no room for the firmware's tables (%lu bytes): KINFO_FIRMWARE "
			"will say ERR_NOENT\n", (unsigned long)n);
		fw_pa = 0;
		return;
	}
	if (arch_firmware_copy(phys_to_virt(fw_pa), pages * PAGE_SIZE) != n) {
		pmm_free(fw_pa, order);
		fw_pa = 0;
		return;
	}
	fw_bytes = n;
}

struct kinfo_fw_args {
	struct cap *slot;
};

static err_t kinfo_decode_firmware(struct invocation *iv)
{
	struct kinfo_fw_args *a = METHOD_ARGS(struct kinfo_fw_args, iv);

	if (!fw_bytes)
		return ERR_NOENT;
	/* made once, kept for the whole boot (not charged to anyone) */
	if (!fw_mo && !(fw_mo = memobj_borrow(fw_pa, (fw_bytes + PAGE_SIZE - 1) / PAGE_SIZE)))
		return ERR_NOMEM;
	return cap_reserve(current->proc, CAP_NULL, &a->slot);
}

static void kinfo_invoke_firmware(struct invocation *iv)
{
	struct kinfo_fw_args *a = METHOD_ARGS(struct kinfo_fw_args, iv);

	/* read only: nobody may change what the next reader sees */
	cap_install(a->slot, &fw_mo->obj, RIGHT_READ, 0);
	iv->out->w[0] = cap_slot_of(a->slot);
	iv->out->w[1] = fw_bytes;
}

/* ---- KINFO_CPUS, KINFO_CPU_STAT ------------------------------------------------------ */

static void kinfo_invoke_cpus(struct invocation *iv)
{
	uint64_t n = 0;

	for (uint64_t m = sched_online_mask; m; m &= m - 1)
		n++;
	iv->out->w[0] = n;
	iv->out->w[1] = sched_online_mask;
	iv->out->w[2] = SLICE_NS;
}

static err_t kinfo_decode_cpu_stat(struct invocation *iv)
{
	return iv->in->w[0] < 64 && ((sched_online_mask >> iv->in->w[0]) & 1) ? ERR_OK : ERR_INVAL;
}

static void kinfo_invoke_cpu_stat(struct invocation *iv)
{
	const struct cpu *c = &cpus[iv->in->w[0]];
	uint64_t idle = c->idle_ns;

	if (c->idling)          /* waiting now: the wait so far counts */
		idle += clock_ns() - c->idle_since;
	iv->out->w[0] = idle;
	iv->out->w[1] = c->switches;
}

static err_t kinfo_decode_objects(struct invocation *iv)
{
	return iv->in->w[0] < OBJ_TYPE_COUNT ? ERR_OK : ERR_INVAL;
}

static void kinfo_invoke_objects(struct invocation *iv)
{
	iv->out->w[0] = kobj_census[iv->in->w[0]];
	iv->out->w[1] = kobj_census_bytes[iv->in->w[0]];
}

#define METHODS_FIRST KINFO_FREE_PAGES
static const struct method methods[] = {
	METHOD(KINFO_FREE_PAGES, RIGHT_READ, 0, NULL, kinfo_invoke_free_pages),
	METHOD(KINFO_TIME, RIGHT_READ, 0, NULL, kinfo_invoke_time),
	METHOD(KINFO_CLOCK, RIGHT_READ, 0, NULL, kinfo_invoke_clock),
	METHOD(KINFO_CLOCK_PAGE, RIGHT_READ, 0, kinfo_decode_clock_page, kinfo_invoke_clock_page),
	METHOD(KINFO_SET_REALTIME, RIGHT_MANAGE, 0, kinfo_decode_set_realtime, kinfo_invoke_set_realtime),
	METHOD(KINFO_FIRMWARE, RIGHT_READ, 0, kinfo_decode_firmware, kinfo_invoke_firmware),
	METHOD(KINFO_CPUS, RIGHT_READ, 0, NULL, kinfo_invoke_cpus),
	METHOD(KINFO_CPU_STAT, RIGHT_READ, 0, kinfo_decode_cpu_stat, kinfo_invoke_cpu_stat),
	METHOD(KINFO_OBJECTS, RIGHT_READ, 0, kinfo_decode_objects, kinfo_invoke_objects),
};

METHOD_TABLE(kinfo_methods, methods, NULL);
