// SPDX-License-Identifier: MIT
/*
 * Kernel objects, quotas and capability tables.
 *
 * Design note. A capability table is a directory of pages of struct cap,
 * allocated on first use and charged to the owning process; the directory
 * itself starts inside the process (16 pages, 1,024 slots) and doubles,
 * up to CAP_SLOTS, when a slot past it is wanted, so a table costs what
 * its used pages cost, wherever they lie. Each slot knows its index
 * (cap_slot_of is one load). Capabilities form a derivation tree across
 * all tables (parent, first child, siblings): copy and mint add a child;
 * delete splices a capability's children into its parent's list; revoke
 * deletes a whole subtree, iteratively, deepest first. Dropping the last
 * reference to an object puts it on the reap list; kobj_reap() destroys
 * objects one at a time, so destruction that drops further references (a
 * process dropping its capabilities) never recurses.
 */
#include <kernel/object.h>
#include <kernel/thread.h>
#include <kernel/ipc.h>
#include <kernel/memory.h>
#include <kernel/pager.h>
#include <kernel/method.h>
#include <kernel/log.h>
#include <string.h>

/* ---- quotas ----------------------------------------------------------------- */

/* The census of KINFO_OBJECTS: live objects and their bytes by type, and
 * live quotas (index 0) with the bytes charged to them as objects. */
uint64_t kobj_census[OBJ_TYPE_COUNT], kobj_census_bytes[OBJ_TYPE_COUNT];

/* The part of `bytes` more use at q that lies beyond its reserve (what
 * its parent is charged for it). */
static uint64_t quota_over(const struct quota *q, uint64_t bytes)
{
	return MAX(q->used + bytes, q->reserve) - MAX(q->used, q->reserve);
}

/* The part of `bytes` less use at q that was beyond its reserve. */
static uint64_t quota_under(const struct quota *q, uint64_t bytes)
{
	return MAX(q->used, q->reserve) - MAX(q->used - bytes, q->reserve);
}

struct quota *quota_create(struct quota *parent, uint64_t limit, uint64_t reserve)
{
	struct quota *q;

	if (reserve > limit || (parent && quota_charge(parent, reserve + sizeof(*q))))
		return NULL;
	q = kzalloc(sizeof(*q));
	if (!q) {
		quota_uncharge(parent, reserve + sizeof(*q));
		return NULL;
	}
	q->limit = limit;
	q->reserve = reserve;
	q->refs = 1;
	q->parent = parent;
	kobj_census[OBJ_NONE]++;
	quota_get(parent);
	return q;
}

err_t quota_charge(struct quota *q, uint64_t bytes)
{
	uint64_t b = bytes;

	/* every level first, then the change: nothing moves on failure */
	for (struct quota *at = q; at && b; at = at->parent) {
		if (b > at->limit - MIN(at->used, at->limit))
			return ERR_NOMEM;
		b = quota_over(at, b);
	}
	quota_charge_force(q, bytes);
	return ERR_OK;
}

void quota_charge_force(struct quota *q, uint64_t bytes)
{
	for (struct quota *at = q; at && bytes; at = at->parent) {
		uint64_t over = quota_over(at, bytes);
		at->used += bytes;
		bytes = over;
	}
}

void quota_uncharge(struct quota *q, uint64_t bytes)
{
	for (struct quota *at = q; at && bytes; at = at->parent) {
		uint64_t under;
		if (bytes > at->used)
			panic("quota underflow (%lu > %lu)", (unsigned long)bytes,
			      (unsigned long)at->used);
		under = quota_under(at, bytes);
		at->used -= bytes;
		bytes = under;
	}
}

void quota_get(struct quota *q)
{
	if (q)
		q->refs++;
}

void quota_put(struct quota *q)
{
	while (q && --q->refs == 0) {
		struct quota *parent = q->parent;
		if (q->used)
			panic("quota freed with %lu bytes charged", (unsigned long)q->used);
		quota_uncharge(parent, q->reserve + sizeof(*q));
		kfree(q);
		kobj_census[OBJ_NONE]--;
		q = parent;
	}
}

/* ---- objects ------------------------------------------------------------------ */

static struct list reap_list = LIST_INIT(reap_list);
/* Processes and unstarted threads whose last capability went: "no
 * capability, no object", except that a running thread keeps itself and
 * its process alive (it can still exit, or be killed through its process). */
static struct list orphan_list = LIST_INIT(orphan_list);
unsigned kobj_reap_pending;
uint64_t kobj_next_oid;

void *kobj_alloc(unsigned type, size_t size, struct quota *q)
{
	struct kobj *o;

	if (quota_charge(q, size))
		return NULL;
	o = kzalloc(size);
	if (!o) {
		quota_uncharge(q, size);
		return NULL;
	}
	o->type = type;
	o->refs = 1;
	o->oid = ++kobj_next_oid;
	o->quota = q;
	o->charge = size;
	quota_get(q);
	kobj_census[type]++;
	kobj_census_bytes[type] += size;
	list_init(&o->reap_node);
	list_init(&o->orphan_node);
	return o;
}

void kobj_put(struct kobj *o)
{
	if (!o)
		return;
	if (o->refs == 0)
		panic("kobj_put on a dead %s", kobj_type_name(o->type));
	if (--o->refs == 0 && !o->reaping) {
		o->reaping = 1;
		list_add_tail(&reap_list, &o->reap_node);
		kobj_reap_pending++;
		sched_work.b.reap = 1;         /* reaped on the way out, without a reschedule */
	}
}

static void kobj_free(struct kobj *o)
{
	struct quota *q = o->quota;

	quota_uncharge(q, o->charge);
	kobj_census[o->type]--;
	kobj_census_bytes[o->type] -= o->charge;
	kfree(o);
	quota_put(q);
}

/* Type-specific teardown; returns false when the object must wait (a
 * thread that is still running on its stack). */
static bool kobj_destroy(struct kobj *o)
{
	switch (o->type) {
	case OBJ_PROCESS: {
		struct process *p = (struct process *)o;
		if (p->state == PROC_STATE_RUNNING)
			process_exit(p, PROC_STATE_KILLED, 0);
		quota_put(p->quota);
		break;
	}
	case OBJ_THREAD: {
		struct thread *t = (struct thread *)o;
		if (t->on_cpu)          /* still on its stack, here or elsewhere */
			return false;
		if (t->state != TS_DEAD)
			thread_kill(t);
		if (t->kstack)
			pmm_free(virt_to_phys(t->kstack), KSTACK_ORDER);
		quota_uncharge(o->quota, KSTACK_SIZE);
		if (t->proc)
			kobj_put(&t->proc->obj);
		break;
	}
	case OBJ_ENDPOINT:
		endpoint_destroy((struct endpoint *)o);
		break;
	case OBJ_NOTIFICATION:
		notification_destroy((struct notification *)o);
		break;
	case OBJ_MEMOBJ:
	case OBJ_MMIO:
		memobj_destroy((struct memobj *)o);
		break;
	case OBJ_ASPACE:
		aspace_destroy((struct aspace *)o);
		break;
	case OBJ_REPLY:
		reply_obj_destroy(o);
		break;
	case OBJ_IRQLINE:
		irqline_destroy(o);
		break;
	case OBJ_TIMER:
		timer_destroy(o);
		break;
	default:
		break;
	}
	return true;
}

/* The last capability to o went: processes end, unstarted threads go. */
static void kobj_orphaned(struct kobj *o)
{
	if ((o->type != OBJ_PROCESS && o->type != OBJ_THREAD) || list_linked(&o->orphan_node))
		return;
	kobj_get(o);
	list_add_tail(&orphan_list, &o->orphan_node);
	kobj_reap_pending++;
	sched_need_resched = true;
}

static void orphans_settle(void)
{
	while (!list_empty(&orphan_list)) {
		struct kobj *o = list_entry(orphan_list.next, struct kobj, orphan_node);
		list_del(&o->orphan_node);
		kobj_reap_pending--;
		if (o->ncaps == 0) {
			if (o->type == OBJ_PROCESS) {
				struct process *p = (struct process *)o;
				if (p->state == PROC_STATE_RUNNING)
					process_exit(p, PROC_STATE_KILLED, 0);
			} else {
				struct thread *t = (struct thread *)o;
				if (t->state == TS_INACTIVE)
					thread_kill(t);
			}
		}
		kobj_put(o);
	}
}

void kobj_reap(void)
{
	struct list deferred = LIST_INIT(deferred);

	orphans_settle();
	while (!list_empty(&reap_list)) {
		struct kobj *o = list_entry(reap_list.next, struct kobj, reap_node);
		list_del(&o->reap_node);
		if (!kobj_destroy(o)) {
			list_add_tail(&deferred, &o->reap_node);
			continue;
		}
		kobj_reap_pending--;
		kobj_free(o);
	}
	while (!list_empty(&deferred)) {
		struct list *n = deferred.next;
		list_del(n);
		list_add_tail(&reap_list, n);
	}
}

const char *kobj_type_name(unsigned type)
{
	static const char *const names[OBJ_TYPE_COUNT] = {
		[OBJ_NONE] = "none", [OBJ_PROCESS] = "Process", [OBJ_ASPACE] = "AddressSpace",
		[OBJ_THREAD] = "Thread", [OBJ_ENDPOINT] = "Endpoint", [OBJ_REPLY] = "Reply",
		[OBJ_NOTIFICATION] = "Notification", [OBJ_MEMOBJ] = "MemoryObject",
		[OBJ_IRQLINE] = "IrqLine", [OBJ_MMIO] = "MmioRegion", [OBJ_TIMER] = "Timer",
		[OBJ_IRQ_CONTROL] = "IrqControl", [OBJ_MMIO_CONTROL] = "MmioControl",
		[OBJ_DEBUG_CONSOLE] = "DebugConsole", [OBJ_KINFO] = "KernelInfo",
		[OBJ_IOPORT_CONTROL] = "IoPortControl", [OBJ_IOPORT] = "IoPort",
	};
	return type < OBJ_TYPE_COUNT && names[type] ? names[type] : "?";
}

/* ---- capability tables ------------------------------------------------------------ */

/* Makes the directory cover page index i (and at least twice what it
 * covered): a bigger directory replaces the old, charged to p. */
static err_t cap_dir_grow(struct process *p, unsigned i)
{
	struct cap_table *t = &p->caps;
	unsigned n = t->ndir ? t->ndir : CAP_DIR_INLINE;
	struct cap **dir;

	if (i >= CAP_PAGES)
		return ERR_BADF;
	if (!t->ndir && i < CAP_DIR_INLINE) {
		t->dir = t->inline_dir;
		t->ndir = CAP_DIR_INLINE;
		t->nslots = (cap_t)CAP_DIR_INLINE * CAPS_PER_PAGE;
		return ERR_OK;
	}
	while (n <= i)
		n *= 2;
	if (n > CAP_PAGES)
		n = CAP_PAGES;
	if (quota_charge(p->quota, n * sizeof(*dir)))
		return ERR_NOMEM;
	dir = kzalloc(n * sizeof(*dir));
	if (!dir) {
		quota_uncharge(p->quota, n * sizeof(*dir));
		return ERR_NOMEM;
	}
	if (t->ndir)
		memcpy(dir, t->dir, t->ndir * sizeof(*dir));
	if (t->dir == t->inline_dir) {
		/* no stale entries left for a table emptied and used again */
		memset(t->inline_dir, 0, sizeof(t->inline_dir));
	} else if (t->dir) {
		kfree(t->dir);
		quota_uncharge(p->quota, t->ndir * sizeof(*dir));
	}
	t->dir = dir;
	t->ndir = n;
	t->nslots = (cap_t)n * CAPS_PER_PAGE;
	return ERR_OK;
}

/* Page i of p's table, allocated (and the directory grown) if need be.
 * The page is charged first: out of quota, nothing changed. */
static struct cap *cap_page_get(struct process *p, unsigned i, err_t *err)
{
	struct cap *page;
	paddr_t pa;

	if (i < p->caps.ndir && (page = p->caps.dir[i]))
		return page;
	if ((*err = quota_charge(p->quota, PAGE_SIZE)))
		return NULL;
	if (i >= p->caps.ndir && (*err = cap_dir_grow(p, i)))
		goto out_uncharge;
	pa = pmm_alloc_zeroed(0);
	if (pa == PADDR_INVALID) {
		*err = ERR_NOMEM;
		goto out_uncharge;
	}
	page = phys_to_virt(pa);
	for (unsigned k = 0; k < CAPS_PER_PAGE; k++) {
		page[k].owner = p;
		page[k].slot = (uint32_t)(i * CAPS_PER_PAGE + k);
	}
	p->caps.dir[i] = page;
	return page;
out_uncharge:
	quota_uncharge(p->quota, PAGE_SIZE);
	return NULL;
}

err_t cap_reserve(struct process *p, cap_t dst, struct cap **out)
{
	err_t e = ERR_OK;

	if (p->state != PROC_STATE_RUNNING)
		return ERR_NOSPC;
	if (dst != CAP_NULL) {
		if (dst >= CAP_SLOTS)
			return ERR_BADF;
		struct cap *page = cap_page_get(p, dst / CAPS_PER_PAGE, &e);
		if (!page)
			return e;
		if (page[dst % CAPS_PER_PAGE].obj)
			return ERR_EXIST;
		*out = &page[dst % CAPS_PER_PAGE];
		return ERR_OK;
	}
	/* first free slot: existing pages first (from the hint on), then a new page */
	for (unsigned i = p->caps.free_hint / CAPS_PER_PAGE; i < p->caps.ndir; i++) {
		struct cap *page = p->caps.dir[i];
		if (!page)
			continue;
		unsigned k0 = i == p->caps.free_hint / CAPS_PER_PAGE ? p->caps.free_hint % CAPS_PER_PAGE : 0;
		for (unsigned k = k0; k < CAPS_PER_PAGE; k++)
			if (!page[k].obj) {
				p->caps.free_hint = i * CAPS_PER_PAGE + k;
				*out = &page[k];
				return ERR_OK;
			}
	}
	for (unsigned i = 0; i < CAP_PAGES; i++) {
		if (i < p->caps.ndir && p->caps.dir[i])
			continue;
		struct cap *page = cap_page_get(p, i, &e);
		if (!page)
			return e;
		if (p->caps.free_hint > i * CAPS_PER_PAGE)
			p->caps.free_hint = i * CAPS_PER_PAGE;
		*out = &page[0];
		return ERR_OK;
	}
	return ERR_NOSPC;
}

cap_t cap_slot_of(const struct cap *c)
{
	return c->owner ? c->slot : CAP_NULL;
}

static void child_link(struct cap *parent, struct cap *c)
{
	c->parent = parent;
	c->prev_sib = NULL;
	c->next_sib = parent ? parent->first_child : NULL;
	if (c->next_sib)
		c->next_sib->prev_sib = c;
	if (parent)
		parent->first_child = c;
}

static void child_unlink(struct cap *c)
{
	if (c->prev_sib)
		c->prev_sib->next_sib = c->next_sib;
	else if (c->parent)
		c->parent->first_child = c->next_sib;
	if (c->next_sib)
		c->next_sib->prev_sib = c->prev_sib;
	c->parent = c->next_sib = c->prev_sib = NULL;
}

/* A slot became empty: searches for a free one may start there again. */
static void cap_slot_freed(struct cap *c)
{
	struct process *p = c->owner;
	cap_t s;

	if (!p)
		return;
	s = cap_slot_of(c);
	if (s != CAP_NULL && s < p->caps.free_hint)
		p->caps.free_hint = (unsigned)s;
}

void cap_install(struct cap *slot, struct kobj *obj, unsigned rights, uint64_t badge)
{
	slot->obj = obj;
	slot->rights = rights & RIGHTS_ALL;
	slot->badge = badge;
	slot->first_child = NULL;
	child_link(NULL, slot);
	kobj_get(obj);
	obj->ncaps++;
	if (obj->type == OBJ_ENDPOINT && (slot->rights & RIGHT_READ))
		((struct endpoint *)obj)->recv_caps++;
}

void cap_derive(struct cap *slot, const struct cap *src, unsigned rights, uint64_t badge)
{
	cap_install(slot, src->obj, src->rights & rights, badge);
	child_link((struct cap *)src, slot);
}

void cap_delete(struct cap *c)
{
	struct kobj *obj = c->obj;
	struct cap *parent = c->parent;

	if (!obj)
		return;
	/* children move up to our parent */
	while (c->first_child) {
		struct cap *ch = c->first_child;
		child_unlink(ch);
		child_link(parent, ch);
	}
	child_unlink(c);
	/* the last capability that can receive on it: its server is gone */
	if (obj->type == OBJ_ENDPOINT && (c->rights & RIGHT_READ) &&
	    --((struct endpoint *)obj)->recv_caps == 0)
		endpoint_unserved((struct endpoint *)obj);
	c->obj = NULL;
	c->rights = 0;
	c->badge = 0;
	cap_slot_freed(c);
	if (--obj->ncaps == 0)
		kobj_orphaned(obj);
	kobj_put(obj);
}

void cap_revoke(struct cap *c)
{
	struct cap *n = c->first_child;

	while (n) {
		if (n->first_child) {        /* descend to a leaf */
			n = n->first_child;
			continue;
		}
		struct cap *up = n->parent;
		cap_delete(n);
		n = (up == c) ? c->first_child : up;
	}
}

void cap_move(struct cap *dst, struct cap *src)
{
	struct process *owner = dst->owner;
	uint32_t slot = dst->slot;

	*dst = *src;
	dst->owner = owner;
	dst->slot = slot;
	if (dst->prev_sib)
		dst->prev_sib->next_sib = dst;
	else if (dst->parent)
		dst->parent->first_child = dst;
	if (dst->next_sib)
		dst->next_sib->prev_sib = dst;
	for (struct cap *ch = dst->first_child; ch; ch = ch->next_sib)
		ch->parent = dst;
	src->obj = NULL;
	src->parent = src->first_child = src->next_sib = src->prev_sib = NULL;
	src->rights = 0;
	src->badge = 0;
	cap_slot_freed(src);
}

void cap_table_destroy(struct process *p)
{
	struct cap_table *t = &p->caps;

	for (unsigned i = 0; i < t->ndir; i++) {
		struct cap *page = t->dir[i];
		if (!page)
			continue;
		for (unsigned k = 0; k < CAPS_PER_PAGE; k++) {
			struct cap *c = &page[k];
			if (c->obj && c->obj->type == OBJ_ENDPOINT && c->badge)
				endpoint_badge_gone((struct endpoint *)c->obj, c->badge);
			cap_delete(c);
		}
	}
	for (unsigned i = 0; i < t->ndir; i++) {
		struct cap *page = t->dir[i];
		if (!page)
			continue;
		/* a capability elsewhere may still name one of ours as parent:
		 * cap_delete() spliced those away, so the page is unreferenced */
		pmm_free(virt_to_phys(page), 0);
		quota_uncharge(p->quota, PAGE_SIZE);
		t->dir[i] = NULL;
	}
	if (t->dir && t->dir != t->inline_dir) {
		kfree(t->dir);
		quota_uncharge(p->quota, t->ndir * sizeof(*t->dir));
	}
	t->dir = NULL;
	t->ndir = 0;
	t->nslots = 0;
	t->free_hint = 0;
}

size_t cap_count(struct process *p)
{
	size_t n = 0;

	for (unsigned i = 0; i < p->caps.ndir; i++) {
		struct cap *page = p->caps.dir[i];
		if (page)
			for (unsigned k = 0; k < CAPS_PER_PAGE; k++)
				n += page[k].obj != NULL;
	}
	return n;
}
