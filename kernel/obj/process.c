// SPDX-License-Identifier: MIT
/*
 * Process methods: create objects charged to a process, grant it
 * capabilities, load an ELF into it, end, suspend or resume it, copy
 * another process's capabilities into it (fork), and say where its end
 * and its faults go. Every method but PROC_STATUS and PROC_QUOTA (read
 * right) needs the manage right; most need the process still running.
 * The lifecycle itself (creation, exit, loading) is kernel/process.c.
 */
#include <kernel/method.h>
#include <kernel/memory.h>
#include <string.h>

static bool proc_alive(const struct kobj *o)
{
	return ((const struct process *)o)->state == PROC_STATE_RUNNING;
}

#define PROC(iv) ((struct process *)(iv)->obj)

/* ---- PROC_CREATE ------------------------------------------------------------------ */

struct proc_create_args {
	struct cap *slot, *slot2;   /* slot2: a new Process's AddressSpace */
	struct kobj *obj;           /* the new object, with the reference creation gave */
	bool list_ref;              /* that reference belongs to the process's thread list */
};

/* The new process's name from w[2..3]: it goes into the kernel log. */
static void proc_name(const struct msg *in, char name[17])
{
	memcpy(name, &in->w[2], 16);
	name[16] = 0;
	for (char *ch = name; *ch; ch++)
		if (*ch < 0x20 || *ch > 0x7e)
			*ch = '?';
}

static struct kobj *endpoint_new(struct quota *q)
{
	struct endpoint *ep = kobj_alloc(OBJ_ENDPOINT, sizeof(*ep), q);

	if (ep) {
		list_init(&ep->senders);
		list_init(&ep->receivers);
		list_init(&ep->async);
		list_init(&ep->paged);
		list_init(&ep->pager_reqs);
	}
	return ep ? &ep->obj : NULL;
}

static struct kobj *notification_new(struct quota *q)
{
	struct notification *n = kobj_alloc(OBJ_NOTIFICATION, sizeof(*n), q);

	if (n)
		list_init(&n->waiters);
	return n ? &n->obj : NULL;
}

/* Makes the object (the last step of decode that can fail). */
static err_t create_object(struct process *p, const struct msg *in, struct proc_create_args *a)
{
	char name[17];
	err_t e = ERR_NOMEM;

	switch (in->w[0]) {
	case OBJ_PROCESS: {
		proc_name(in, name);
		struct process *np = process_create(p->quota, cairn_quota_limit(in->w[1]),
						    cairn_quota_reserve(in->w[1]),
						    name[0] ? name : "process");
		a->obj = np ? &np->obj : NULL;
		break;
	}
	case OBJ_THREAD:
		a->obj = (struct kobj *)thread_create(p, p->quota);
		a->list_ref = true;
		break;
	case OBJ_ENDPOINT:
		a->obj = endpoint_new(p->quota);
		break;
	case OBJ_NOTIFICATION:
		a->obj = notification_new(p->quota);
		break;
	case OBJ_MEMOBJ:
		a->obj = (struct kobj *)memobj_create(in->w[1], in->w[2], p->quota, &e);
		break;
	case OBJ_TIMER:
		a->obj = timer_create(p->quota);
		break;
	}
	return a->obj ? ERR_OK : e;
}

static err_t create_args_ok(const struct msg *in)
{
	switch (in->w[0]) {
	case OBJ_PROCESS:
		return cairn_quota_limit(in->w[1]) &&
		       cairn_quota_reserve(in->w[1]) <= cairn_quota_limit(in->w[1]) ? ERR_OK : ERR_INVAL;
	case OBJ_MEMOBJ:
		if (in->w[2] & ~(uint64_t)(MEMOBJ_CONTIG | MEMOBJ_PAGED))
			return ERR_INVAL;
		return in->w[2] == (MEMOBJ_CONTIG | MEMOBJ_PAGED) ? ERR_INVAL : ERR_OK;
	case OBJ_THREAD:
	case OBJ_ENDPOINT:
	case OBJ_NOTIFICATION:
	case OBJ_TIMER:
		return ERR_OK;
	default:
		return ERR_INVAL;
	}
}

/* Reserves the caller's slot (two for a process: its AddressSpace too)
 * and makes the object; the capabilities go in at invoke. */
static err_t proc_decode_create(struct invocation *iv)
{
	struct proc_create_args *a = METHOD_ARGS(struct proc_create_args, iv);
	struct process *self = current->proc;
	err_t e;

	*a = (struct proc_create_args){ 0 };
	if ((e = create_args_ok(iv->in)) || (e = cap_reserve(self, CAP_NULL, &a->slot)))
		return e;
	if (iv->in->w[0] == OBJ_PROCESS) {
		a->slot->obj = (void *)1;        /* hold it while reserving the second */
		e = cap_reserve(self, CAP_NULL, &a->slot2);
		a->slot->obj = NULL;
		if (e)
			return e;
	}
	return create_object(PROC(iv), iv->in, a);
}

static void proc_invoke_create(struct invocation *iv)
{
	struct proc_create_args *a = METHOD_ARGS(struct proc_create_args, iv);

	cap_install(a->slot, a->obj, RIGHTS_ALL, 0);
	iv->out->w[0] = cap_slot_of(a->slot);
	if (a->slot2) {
		cap_install(a->slot2, &((struct process *)a->obj)->as->obj, RIGHTS_ALL, 0);
		iv->out->w[1] = cap_slot_of(a->slot2);
	}
	if (!a->list_ref)
		kobj_put(a->obj);
}

/* ---- PROC_GRANT ---------------------------------------------------------------------- */

struct proc_grant_args {
	struct cap *src, *slot;
};

static err_t proc_decode_grant(struct invocation *iv)
{
	struct proc_grant_args *a = METHOD_ARGS(struct proc_grant_args, iv);
	err_t e;

	if ((e = method_cap(iv, 0, OBJ_NONE, 0, &a->src)))
		return e;
	if (iv->in->w[2] && a->src->badge)
		return ERR_PERM;                  /* a badge is set once */
	return cap_reserve(PROC(iv), iv->in->w[0], &a->slot);
}

static void proc_invoke_grant(struct invocation *iv)
{
	struct proc_grant_args *a = METHOD_ARGS(struct proc_grant_args, iv);
	uint64_t badge = iv->in->w[2] ? iv->in->w[2] : a->src->badge;

	cap_derive(a->slot, a->src, iv->in->w[1], badge);
	iv->out->w[0] = cap_slot_of(a->slot);
}

/* ---- PROC_LOAD_ELF --------------------------------------------------------------------- */

struct proc_mo_args {
	struct memobj *mo;
};

static err_t proc_decode_load_elf(struct invocation *iv)
{
	struct proc_mo_args *a = METHOD_ARGS(struct proc_mo_args, iv);
	struct cap *c;
	err_t e = method_cap(iv, 0, OBJ_MEMOBJ, RIGHT_READ, &c);

	a->mo = e ? NULL : (struct memobj *)c->obj;
	return e;
}

/* An act: the loader validates the whole file first, but then maps
 * segments one by one, allocating as it goes; on a failure the process
 * keeps what was mapped (its creator discards it). */
static err_t proc_act_load_elf(struct invocation *iv)
{
	struct proc_mo_args *a = METHOD_ARGS(struct proc_mo_args, iv);

	return process_load_elf(PROC(iv), a->mo, iv->in->w[0], iv->in->w[1], &iv->out->w[0]);
}

/* ---- PROC_KILL, PROC_STATUS, PROC_QUOTA, PROC_SUSPEND, PROC_RESUME ---------------------- */

static void proc_invoke_kill(struct invocation *iv)
{
	process_exit(PROC(iv), PROC_STATE_KILLED, iv->in->w[0]);
}

static void proc_invoke_status(struct invocation *iv)
{
	struct process *p = PROC(iv);

	iv->out->w[0] = p->state;
	iv->out->w[1] = p->status;
	iv->out->w[2] = p->fault_addr;
	iv->out->w[3] = p->fault_pc;
}

static void proc_invoke_quota(struct invocation *iv)
{
	iv->out->w[0] = PROC(iv)->quota->limit;
	iv->out->w[1] = PROC(iv)->quota->used;
	iv->out->w[2] = PROC(iv)->quota->reserve;
}

static void proc_invoke_times(struct invocation *iv)
{
	iv->out->w[0] = process_cpu_ns(PROC(iv));
}

/* Every started thread that can be suspended (resumed) is. */
static void proc_invoke_suspend(struct invocation *iv)
{
	bool suspend = cairn_tag_label(iv->in->tag) == PROC_SUSPEND;

	list_for_each(it, &PROC(iv)->threads) {
		struct thread *t = list_entry(it, struct thread, proc_node);
		if (!t->started)
			continue;
		if (suspend && !thread_suspend_check(t))
			thread_suspend(t);
		else if (!suspend && !thread_resume_check(t))
			thread_resume(t);
	}
}

/* ---- PROC_COPY_CAPS ------------------------------------------------------------------------ */

struct proc_copy_args {
	struct process *src;
};

/* Slot s of src has a capability that PROC_COPY_CAPS copies into p. */
static struct cap *copy_source(struct process *src, struct process *p, cap_t s)
{
	struct cap *from = cap_get(src, s), *to = cap_get(p, s);

	if (!from || !from->obj || (to && to->obj))
		return NULL;
	return from;
}

/* All or nothing: every destination slot is reserved (its table page
 * made) before anything is copied, so invoke copies every one. */
static err_t proc_decode_copy_caps(struct invocation *iv)
{
	struct proc_copy_args *a = METHOD_ARGS(struct proc_copy_args, iv);
	struct process *p = PROC(iv);
	struct cap *c, *to;
	err_t e;

	if ((e = method_cap(iv, 0, OBJ_PROCESS, RIGHT_MANAGE, &c)))
		return e;
	a->src = (struct process *)c->obj;
	if (a->src == p)
		return ERR_INVAL;
	for (cap_t s = 0; s < a->src->caps.nslots; s++)
		if (copy_source(a->src, p, s) && (e = cap_reserve(p, s, &to)))
			return e;
	return ERR_OK;
}

static void proc_invoke_copy_caps(struct invocation *iv)
{
	struct proc_copy_args *a = METHOD_ARGS(struct proc_copy_args, iv);
	struct process *p = PROC(iv);
	uint64_t n = 0;

	for (cap_t s = 0; s < a->src->caps.nslots; s++) {
		struct cap *from = copy_source(a->src, p, s);
		if (!from)
			continue;
		cap_derive(cap_get(p, s), from, RIGHTS_ALL, from->badge);
		n++;
	}
	iv->out->w[0] = n;
}

/* ---- PROC_BIND_EXIT, PROC_SET_FAULT ------------------------------------------------------- */

struct proc_cap_args {
	struct cap *c;              /* NULL: none (PROC_SET_FAULT) */
};

static err_t proc_decode_bind_exit(struct invocation *iv)
{
	struct proc_cap_args *a = METHOD_ARGS(struct proc_cap_args, iv);

	return method_cap(iv, 0, OBJ_NOTIFICATION, RIGHT_WRITE, &a->c);
}

/* A process that has ended already signals at once. */
static void proc_invoke_bind_exit(struct invocation *iv)
{
	struct proc_cap_args *a = METHOD_ARGS(struct proc_cap_args, iv);
	struct process *p = PROC(iv);

	if (p->state != PROC_STATE_RUNNING) {
		notify_signal((struct notification *)a->c->obj, iv->in->w[0]);
		return;
	}
	if (p->exit_notify)
		kobj_put(&p->exit_notify->obj);
	kobj_get(a->c->obj);
	p->exit_notify = (struct notification *)a->c->obj;
	p->exit_bits = iv->in->w[0];
}

static err_t proc_decode_set_fault(struct invocation *iv)
{
	struct proc_cap_args *a = METHOD_ARGS(struct proc_cap_args, iv);

	a->c = NULL;
	if (cairn_tag_ncaps(iv->in->tag) == 0)
		return ERR_OK;
	return method_cap(iv, 0, OBJ_ENDPOINT, RIGHT_WRITE, &a->c);
}

static void proc_invoke_set_fault(struct invocation *iv)
{
	struct proc_cap_args *a = METHOD_ARGS(struct proc_cap_args, iv);
	struct process *p = PROC(iv);

	if (p->fault_ep)
		kobj_put(&p->fault_ep->obj);
	p->fault_ep = a->c ? (struct endpoint *)a->c->obj : NULL;
	p->fault_badge = a->c ? a->c->badge : 0;
	if (a->c)
		kobj_get(a->c->obj);
}

#define METHODS_FIRST PROC_CREATE
static const struct method methods[] = {
	METHOD(PROC_CREATE, RIGHT_MANAGE, M_LIVE, proc_decode_create, proc_invoke_create),
	METHOD(PROC_GRANT, RIGHT_MANAGE, M_LIVE, proc_decode_grant, proc_invoke_grant),
	METHOD_ACT(PROC_LOAD_ELF, RIGHT_MANAGE, M_LIVE, proc_decode_load_elf, proc_act_load_elf),
	METHOD(PROC_KILL, RIGHT_MANAGE, M_LIVE, NULL, proc_invoke_kill),
	METHOD(PROC_STATUS, RIGHT_READ, 0, NULL, proc_invoke_status),
	METHOD(PROC_QUOTA, RIGHT_READ, 0, NULL, proc_invoke_quota),
	METHOD(PROC_TIMES, RIGHT_READ, 0, NULL, proc_invoke_times),
	METHOD(PROC_SUSPEND, RIGHT_MANAGE, M_LIVE, NULL, proc_invoke_suspend),
	METHOD(PROC_RESUME, RIGHT_MANAGE, M_LIVE, NULL, proc_invoke_suspend),
	METHOD(PROC_COPY_CAPS, RIGHT_MANAGE, M_LIVE, proc_decode_copy_caps, proc_invoke_copy_caps),
	METHOD(PROC_BIND_EXIT, RIGHT_MANAGE, 0, proc_decode_bind_exit, proc_invoke_bind_exit),
	METHOD(PROC_SET_FAULT, RIGHT_MANAGE, M_LIVE, proc_decode_set_fault, proc_invoke_set_fault),
};

METHOD_TABLE(process_methods, methods, proc_alive);
