// SPDX-License-Identifier: MIT
/*
 * System calls and the methods of kernel objects.
 *
 * Every method is split seL4-style: decode (look up and check every
 * argument, reserve what can fail) and then invoke (change state, which
 * cannot fail). A call on a kernel object answers like a server would: a
 * message whose label is the method's err_t.
 */
#include <kernel/syscall.h>
#include <kernel/memory.h>
#include <kernel/log.h>
#include <kernel/console.h>
#include <string.h>


/* ---- message checks ------------------------------------------------------------- */

static err_t msg_check_long(struct thread *t, uint64_t tag)
{
	unsigned len = cairn_tag_len(tag), ncaps = cairn_tag_ncaps(tag);

	if (len > CAIRN_MSG_MAX)
		return ERR_MSGSIZE;
	if (ncaps > CAIRN_MSG_MAX_CAPS)
		return ERR_INVAL;
	if ((len > CAIRN_MSG_REGS || ncaps) && !t->ipcbuf)
		return ERR_INVAL;
	for (unsigned i = 0; i < ncaps; i++) {
		struct cap *c;
		if (cap_lookup(t->proc, t->ipcbuf->caps[i], OBJ_NONE, 0, &c))
			return ERR_BADF;
	}
	return ERR_OK;
}

/* Checks a message before anything changes: sizes, and that every
 * capability named for transfer exists. */
static inline err_t msg_check(struct thread *t, uint64_t tag)
{
	if (likely(cairn_tag_len(tag) <= CAIRN_MSG_REGS && cairn_tag_ncaps(tag) == 0))
		return ERR_OK;
	return msg_check_long(t, tag);
}

static void set_results(struct trap_frame *tf, uint64_t badge, const struct msg *m)
{
	arch_syscall_set(tf, 1, badge);
	arch_syscall_set(tf, 2, m->tag);
	arch_syscall_set(tf, 3, m->w[0]);
	arch_syscall_set(tf, 4, m->w[1]);
	arch_syscall_set(tf, 5, m->w[2]);
	arch_syscall_set(tf, 6, m->w[3]);
}

/* The i-th capability sent with the current call, checked. */
static err_t arg_cap(const struct msg *in, bool caps_ok, unsigned i, unsigned type, unsigned rights,
		     struct cap **out)
{
	if (!caps_ok || cairn_tag_ncaps(in->tag) <= i || !current->ipcbuf)
		return ERR_INVAL;
	return cap_lookup(current->proc, current->ipcbuf->caps[i], type, rights, out);
}

/* ---- Process ------------------------------------------------------------------------ */

static err_t proc_create(struct process *p, const struct msg *in, struct msg *out)
{
	struct process *self = current->proc;
	uint64_t type = in->w[0];
	struct cap *slot, *slot2 = NULL;
	struct kobj *obj = NULL;
	bool list_ref = false;
	err_t e;

	if ((e = cap_reserve(self, CAP_NULL, &slot)))
		return e;
	switch (type) {
	case OBJ_PROCESS: {
		char name[17] = { 0 };
		memcpy(name, &in->w[2], 16);
		name[16] = 0;
		for (char *ch = name; *ch; ch++)     /* it goes into the kernel log */
			if (*ch < 0x20 || *ch > 0x7e)
				*ch = '?';
		slot->obj = (void *)1;          /* hold it while reserving the second */
		e = cap_reserve(self, CAP_NULL, &slot2);
		slot->obj = NULL;
		if (e)
			return e;
		if (in->w[1] == 0)
			return ERR_INVAL;
		struct process *np = process_create(p->quota, in->w[1], name[0] ? name : "process");
		if (!np)
			return ERR_NOMEM;
		cap_install(slot, &np->obj, RIGHTS_ALL, 0);
		cap_install(slot2, &np->as->obj, RIGHTS_ALL, 0);
		kobj_put(&np->obj);
		out->w[0] = cap_slot_of(slot);
		out->w[1] = cap_slot_of(slot2);
		return ERR_OK;
	}
	case OBJ_THREAD:
		obj = (struct kobj *)thread_create(p, p->quota);
		list_ref = true;
		break;
	case OBJ_ENDPOINT: {
		struct endpoint *ep = kobj_alloc(OBJ_ENDPOINT, sizeof(*ep), p->quota);
		if (ep) {
			list_init(&ep->senders);
			list_init(&ep->receivers);
			list_init(&ep->async);
		}
		obj = (struct kobj *)ep;
		break;
	}
	case OBJ_NOTIFICATION: {
		struct notification *n = kobj_alloc(OBJ_NOTIFICATION, sizeof(*n), p->quota);
		if (n)
			list_init(&n->waiters);
		obj = (struct kobj *)n;
		break;
	}
	case OBJ_MEMOBJ:
		if (in->w[2] & ~(uint64_t)MEMOBJ_CONTIG)
			return ERR_INVAL;
		obj = (struct kobj *)memobj_create(in->w[1], in->w[2], p->quota, &e);
		if (!obj)
			return e;
		break;
	case OBJ_TIMER:
		obj = timer_create(p->quota);
		break;
	default:
		return ERR_INVAL;
	}
	if (!obj)
		return ERR_NOMEM;
	cap_install(slot, obj, RIGHTS_ALL, 0);
	if (!list_ref)
		kobj_put(obj);
	out->w[0] = cap_slot_of(slot);
	return ERR_OK;
}

static err_t thread_suspend(struct thread *t);
static err_t thread_resume(struct thread *t);

static err_t proc_invoke(struct cap *c, unsigned method, const struct msg *in, struct msg *out, bool caps_ok)
{
	struct process *p = (struct process *)c->obj;
	struct cap *a, *slot;
	err_t e;

	if (method == PROC_STATUS || method == PROC_QUOTA) {
		if (!(c->rights & RIGHT_READ))
			return ERR_PERM;
		if (method == PROC_QUOTA) {
			out->w[0] = p->quota->limit;
			out->w[1] = p->quota->used;
		} else {
			out->w[0] = p->state;
			out->w[1] = p->status;
			out->w[2] = p->fault_addr;
			out->w[3] = p->fault_pc;
		}
		return ERR_OK;
	}
	if (!(c->rights & RIGHT_MANAGE))
		return ERR_PERM;
	if (p->state != PROC_STATE_RUNNING && method != PROC_BIND_EXIT)
		return ERR_SRCH;
	switch (method) {
	case PROC_CREATE:
		return proc_create(p, in, out);
	case PROC_GRANT:
		if ((e = arg_cap(in, caps_ok, 0, OBJ_NONE, 0, &a)))
			return e;
		if (in->w[2] && a->badge)
			return ERR_PERM;          /* a badge is set once */
		if ((e = cap_reserve(p, in->w[0], &slot)))
			return e;
		cap_derive(slot, a, in->w[1], in->w[2] ? in->w[2] : a->badge);
		out->w[0] = cap_slot_of(slot);
		return ERR_OK;
	case PROC_LOAD_ELF:
		if ((e = arg_cap(in, caps_ok, 0, OBJ_MEMOBJ, RIGHT_READ, &a)))
			return e;
		return process_load_elf(p, (struct memobj *)a->obj, in->w[0], in->w[1], &out->w[0]);
	case PROC_KILL:
		process_exit(p, PROC_STATE_KILLED, in->w[0]);
		return ERR_OK;
	case PROC_SUSPEND:
	case PROC_RESUME:
		list_for_each(it, &p->threads) {
			struct thread *t = list_entry(it, struct thread, proc_node);
			if (t->started)
				method == PROC_SUSPEND ? thread_suspend(t) : thread_resume(t);
		}
		return ERR_OK;
	case PROC_COPY_CAPS: {
		struct process *src;
		uint64_t n = 0;
		if ((e = arg_cap(in, caps_ok, 0, OBJ_PROCESS, RIGHT_MANAGE, &a)))
			return e;
		src = (struct process *)a->obj;
		if (src == p)
			return ERR_INVAL;
		for (cap_t s = 0; s < CAP_SLOTS; s++) {
			struct cap *from = cap_get(src, s), *to;
			if (!from || !from->obj)
				continue;
			if (cap_get(p, s) && cap_get(p, s)->obj)
				continue;
			if ((e = cap_reserve(p, s, &to)))
				break;
			cap_derive(to, from, RIGHTS_ALL, from->badge);
			n++;
		}
		out->w[0] = n;
		return e;
	}
	case PROC_BIND_EXIT:
		if ((e = arg_cap(in, caps_ok, 0, OBJ_NOTIFICATION, RIGHT_WRITE, &a)))
			return e;
		if (p->state != PROC_STATE_RUNNING) {
			notify_signal((struct notification *)a->obj, in->w[0]);
			return ERR_OK;
		}
		if (p->exit_notify)
			kobj_put(&p->exit_notify->obj);
		kobj_get(a->obj);
		p->exit_notify = (struct notification *)a->obj;
		p->exit_bits = in->w[0];
		return ERR_OK;
	case PROC_SET_FAULT:
		if (cairn_tag_ncaps(in->tag) == 0) {
			a = NULL;
		} else if ((e = arg_cap(in, caps_ok, 0, OBJ_ENDPOINT, RIGHT_WRITE, &a))) {
			return e;
		}
		if (p->fault_ep)
			kobj_put(&p->fault_ep->obj);
		p->fault_ep = a ? (struct endpoint *)a->obj : NULL;
		p->fault_badge = a ? a->badge : 0;
		if (a)
			kobj_get(a->obj);
		return ERR_OK;
	default:
		return ERR_NOSYS;
	}
}

/* ---- AddressSpace ------------------------------------------------------------------------ */

static unsigned prot_from_abi(uint64_t p)
{
	return ((p & CAIRN_PROT_R) ? PROT_R : 0) | ((p & CAIRN_PROT_W) ? PROT_W : 0) |
	       ((p & CAIRN_PROT_X) ? PROT_X : 0);
}

static unsigned prot_from_rights(unsigned r)
{
	return ((r & RIGHT_READ) ? PROT_R : 0) | ((r & RIGHT_WRITE) ? PROT_W : 0) |
	       ((r & RIGHT_EXEC) ? PROT_X : 0);
}

static struct mapping *mapping_last(struct aspace *as)
{
	return list_entry(as->mappings.prev, struct mapping, as_node);
}

static err_t as_invoke(struct cap *c, unsigned method, const struct msg *in, struct msg *out,
		       bool caps_ok)
{
	struct aspace *as = (struct aspace *)c->obj;
	struct cap *a;
	err_t e;

	if (!(c->rights & RIGHT_MANAGE))
		return ERR_PERM;
	switch (method) {
	case AS_MAP: {
		unsigned prot = prot_from_abi(in->w[2] >> 48);
		size_t npages = in->w[2] & ((1ull << 48) - 1);
		if ((e = arg_cap(in, caps_ok, 0, OBJ_NONE, 0, &a)))
			return e;
		if (a->obj->type != OBJ_MEMOBJ && a->obj->type != OBJ_MMIO)
			return ERR_INVAL;
		if (in->w[2] >> 52)
			return ERR_INVAL;
		unsigned maxprot = prot_from_rights(a->rights);
		if (a->obj->type == OBJ_MMIO)
			maxprot &= ~PROT_X;
		if (prot & ~maxprot)
			return ERR_PERM;
		e = aspace_map(as, (struct memobj *)a->obj, in->w[0], in->w[1], npages, prot, maxprot);
		if (!e && ((in->w[2] >> 48) & CAIRN_PROT_SHARE))
			mapping_last(as)->share = true;
		return e;
	}
	case AS_COPY: {
		size_t n;
		if ((e = arg_cap(in, caps_ok, 0, OBJ_ASPACE, RIGHT_MANAGE, &a)))
			return e;
		e = aspace_copy(as, (struct aspace *)a->obj, &n);
		out->w[0] = n;
		return e;
	}
	case AS_UNMAP:
		e = aspace_unmap(as, in->w[0], in->w[1]);
		kobj_reap();
		return e;
	case AS_PROTECT:
		if (in->w[2] & ~7ull)
			return ERR_INVAL;
		return aspace_protect(as, in->w[0], in->w[1], prot_from_abi(in->w[2]));
	default:
		return ERR_NOSYS;
	}
}

/* ---- Thread ------------------------------------------------------------------------------ */

static err_t thread_invoke(struct cap *c, unsigned method, const struct msg *in, bool caps_ok)
{
	struct thread *t = (struct thread *)c->obj;
	struct cap *a;
	err_t e;

	if (!(c->rights & RIGHT_MANAGE))
		return ERR_PERM;
	if (t->state == TS_DEAD)
		return ERR_SRCH;
	switch (method) {
	case THREAD_START:
		if (t->started)
			return ERR_BUSY;
		if (in->w[0] >= arch_user_top() || in->w[1] >= arch_user_top() + 1 || in->w[3] >= NPRIO)
			return ERR_INVAL;
		if (in->w[3] > current->mcp)
			return ERR_PERM;         /* no thread above what its creator may use */
		arch_user_frame_init(t->tf, in->w[0], in->w[1], in->w[2]);
		t->prio = in->w[3];
		t->mcp = in->w[3];
		t->started = 1;
		sched_ready(t);
		return ERR_OK;
	case THREAD_SET_IPCBUF: {
		if ((e = arg_cap(in, caps_ok, 0, OBJ_MEMOBJ, RIGHT_READ | RIGHT_WRITE, &a)))
			return e;
		struct memobj *mo = (struct memobj *)a->obj;
		if (in->w[0] >= mo->npages)
			return ERR_RANGE;
		if ((e = memobj_pin(mo, in->w[0])))
			return e;
		if (t->ipcbuf_mo)
			kobj_put(&t->ipcbuf_mo->obj);
		kobj_get(&mo->obj);
		t->ipcbuf_mo = mo;
		t->ipcbuf = memobj_kaddr(mo, in->w[0] * PAGE_SIZE);
		return ERR_OK;
	}
	case THREAD_SET_RING:
		if ((e = arg_cap(in, caps_ok, 0, OBJ_MEMOBJ, RIGHT_READ | RIGHT_WRITE, &a)))
			return e;
		return ring_set(t, (struct memobj *)a->obj, in->w[0]);
	case THREAD_SET_PRIORITY:
		if (in->w[0] >= NPRIO)
			return ERR_INVAL;
		if (in->w[0] > current->mcp)
			return ERR_PERM;
		thread_set_prio(t, in->w[0]);
		return ERR_OK;
	case THREAD_SET_TLS:
		arch_set_tls(&t->ctx, t->tf, in->w[0], t == current);
		return ERR_OK;
	case THREAD_UPCALL:
		return thread_upcall(t, in->w[0], in->w[1]);
	case THREAD_SUSPEND:
		return thread_suspend(t);
	case THREAD_RESUME:
		return thread_resume(t);
	default:
		return ERR_NOSYS;
	}
}

/* ---- suspending ------------------------------------------------------------------------- */

/* A blocked thread is suspended when it next returns to user mode. */
static err_t thread_suspend(struct thread *t)
{
	if (t->state == TS_SUSPENDED || t->suspend_pending)
		return ERR_BUSY;
	if (t->state == TS_BLOCKED) {
		t->suspend_pending = 1;
		return ERR_OK;
	}
	if (t->state == TS_READY)
		sched_dequeue(t);
	else if (t->state != TS_RUNNING)
		return ERR_BUSY;             /* not started */
	t->state = TS_SUSPENDED;
	if (t == current)
		sched_need_resched = true;
	return ERR_OK;
}

static err_t thread_resume(struct thread *t)
{
	if (t->suspend_pending) {
		t->suspend_pending = 0;
		return ERR_OK;
	}
	if (t->state != TS_SUSPENDED)
		return ERR_INVAL;
	sched_ready(t);
	return ERR_OK;
}

/* ---- MemoryObject ------------------------------------------------------------------------- */

static err_t memobj_invoke(struct cap *c, unsigned method, const struct msg *in, struct msg *out)
{
	struct memobj *mo = (struct memobj *)c->obj;
	struct thread *self = current;
	size_t max_bytes = (CAIRN_MSG_MAX - CAIRN_MSG_REGS) * sizeof(uint64_t);
	err_t e;

	switch (method) {
	case MEMOBJ_INFO:
		out->w[0] = mo->npages;
		out->w[1] = mo->flags & MEMOBJ_CONTIG;
		return ERR_OK;
	case MEMOBJ_PADDR:
		if (!(c->rights & RIGHT_MANAGE))
			return ERR_PERM;
		if (in->w[0] >= mo->npages)
			return ERR_RANGE;
		out->w[0] = memobj_page(mo, in->w[0]);
		return out->w[0] == PADDR_INVALID ? ERR_NOMEM : ERR_OK;
	case MEMOBJ_COPY: {
		struct cap *slot;
		if (!(c->rights & RIGHT_READ))
			return ERR_PERM;
		if ((e = cap_reserve(self->proc, CAP_NULL, &slot)))
			return e;
		struct memobj *copy = memobj_copy(mo, self->proc->quota, &e);
		if (!copy)
			return e;
		cap_install(slot, &copy->obj, RIGHTS_ALL, 0);
		kobj_put(&copy->obj);
		out->w[0] = cap_slot_of(slot);
		return ERR_OK;
	}
	case MEMOBJ_WRITE:
		if (!(c->rights & RIGHT_WRITE))
			return ERR_PERM;
		if (!self->ipcbuf || in->w[1] > (cairn_tag_len(in->tag) - MIN(cairn_tag_len(in->tag), CAIRN_MSG_REGS)) * 8)
			return ERR_INVAL;
		return memobj_write(mo, in->w[0], &self->ipcbuf->w[CAIRN_MSG_REGS], in->w[1]);
	case MEMOBJ_READ:
		if (!(c->rights & RIGHT_READ))
			return ERR_PERM;
		if (!self->ipcbuf || in->w[1] > max_bytes)
			return ERR_INVAL;
		if ((e = memobj_read(mo, in->w[0], &self->ipcbuf->w[CAIRN_MSG_REGS], in->w[1])))
			return e;
		out->tag = cairn_tag(0, CAIRN_MSG_REGS + (in->w[1] + 7) / 8, 0);
		return ERR_OK;
	default:
		return ERR_NOSYS;
	}
}

/* ---- dispatch to objects -------------------------------------------------------------------- */

void obj_invoke(struct cap *c, const struct msg *in, struct msg *out, bool caps_ok)
{
	unsigned method = cairn_tag_label(in->tag);
	struct cap *a;
	err_t e;

	*out = (struct msg){ cairn_tag(0, CAIRN_MSG_REGS, 0), { 0, 0, 0, 0 } };
	if (method == OBJ_IDENTIFY) {
		out->w[0] = c->obj->type;
		e = ERR_OK;
		goto done;
	}
	switch (c->obj->type) {
	case OBJ_PROCESS:
		e = proc_invoke(c, method, in, out, caps_ok);
		break;
	case OBJ_ASPACE:
		e = as_invoke(c, method, in, out, caps_ok);
		break;
	case OBJ_THREAD:
		e = thread_invoke(c, method, in, caps_ok);
		break;
	case OBJ_NOTIFICATION:
		if (method == NOTIFY_SIGNAL) {
			e = (c->rights & RIGHT_WRITE) ? ERR_OK : ERR_PERM;
			if (!e)
				notify_signal((struct notification *)c->obj, in->w[0]);
		} else if (method == NOTIFY_POLL) {
			e = (c->rights & RIGHT_READ) ? notify_wait((struct notification *)c->obj, 0, &out->w[0]) : ERR_PERM;
		} else {
			e = ERR_NOSYS;
		}
		break;
	case OBJ_MEMOBJ:
		e = memobj_invoke(c, method, in, out);
		break;
	default:
		a = NULL;
		if (caps_ok && cairn_tag_ncaps(in->tag) && current->ipcbuf)
			cap_lookup(current->proc, current->ipcbuf->caps[0], OBJ_NONE, 0, &a);
		e = devobj_invoke(c, method, in, out, a);
		break;
	}
done:
	out->tag = cairn_tag(e, cairn_tag_len(out->tag), 0);
}

/* ---- system calls ------------------------------------------------------------------------------ */

__attribute__((noinline))
static uint64_t sys_call(uint64_t slot, uint64_t tag, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3)
{
	struct thread *self = current;
	struct cap *c = cap_get(self->proc, slot);
	struct msg m = { tag, { w0, w1, w2, w3 } }, out;
	err_t e;

	if (!c || !c->obj)
		return ERR_BADF;
	if ((e = msg_check(self, tag)))
		return e;
	if (c->obj->type == OBJ_ENDPOINT) {
		if (!(c->rights & RIGHT_WRITE) || (cairn_tag_ncaps(tag) && !(c->rights & RIGHT_GRANT)))
			return ERR_PERM;
		return ipc_call((struct endpoint *)c->obj, c, &m);
	}
	obj_invoke(c, &m, &out, true);
	set_results(self->tf, 0, &out);
	return ERR_OK;
}

static uint64_t sys_send(uint64_t slot, uint64_t tag, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3)
{
	struct thread *self = current;
	struct cap *c = cap_get(self->proc, slot);
	struct msg m = { tag, { w0, w1, w2, w3 } }, out;
	err_t e;

	if (!c || !c->obj)
		return ERR_BADF;
	if ((e = msg_check(self, tag)))
		return e;
	switch (c->obj->type) {
	case OBJ_ENDPOINT:
		if (!(c->rights & RIGHT_WRITE) || (cairn_tag_ncaps(tag) && !(c->rights & RIGHT_GRANT)))
			return ERR_PERM;
		return ipc_send((struct endpoint *)c->obj, c, &m, tag & CAIRN_NONBLOCK);
	case OBJ_NOTIFICATION:
		if (!(c->rights & RIGHT_WRITE))
			return ERR_PERM;
		notify_signal_user((struct notification *)c->obj, w0);
		return ERR_OK;
	case OBJ_REPLY:
		if (!(c->rights & RIGHT_WRITE))
			return ERR_PERM;
		return ipc_reply_obj_send(c->obj, &m);
	default:
		obj_invoke(c, &m, &out, true);
		return ERR_OK;
	}
}

static uint64_t sys_recv(uint64_t slot, uint64_t flags)
{
	struct cap *c;
	err_t e = cap_lookup(current->proc, slot, OBJ_ENDPOINT, RIGHT_READ, &c);

	if (e)
		return e;
	if (flags & ~(uint64_t)CAIRN_RECV_NONBLOCK)
		return ERR_INVAL;
	return ipc_recv((struct endpoint *)c->obj, flags & CAIRN_RECV_NONBLOCK);
}

__attribute__((noinline))
static uint64_t sys_reply_recv(uint64_t slot, uint64_t tag, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3)
{
	struct cap *c;
	struct msg m = { tag, { w0, w1, w2, w3 } };
	err_t e = cap_lookup(current->proc, slot, OBJ_ENDPOINT, RIGHT_READ, &c);

	if (e || (e = msg_check(current, tag)))
		return e;
	return ipc_reply_recv((struct endpoint *)c->obj, &m);
}

static uint64_t sys_reply(uint64_t tag, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3)
{
	struct msg m = { tag, { w0, w1, w2, w3 } };
	err_t e = msg_check(current, tag);

	return e ? e : ipc_reply(&m);
}

static uint64_t sys_wait(uint64_t slot, uint64_t timeout)
{
	struct cap *c;
	uint64_t bits = 0;
	err_t e = cap_lookup(current->proc, slot, OBJ_NOTIFICATION, RIGHT_READ, &c);

	if (e)
		return e;
	e = notify_wait((struct notification *)c->obj, timeout, &bits);
	arch_syscall_set(current->tf, 1, bits);
	return e;
}

static uint64_t sys_cap(uint64_t op, uint64_t slot, uint64_t dst, uint64_t rights, uint64_t badge)
{
	struct process *p = current->proc;
	struct cap *c, *d;
	cap_t saved;
	err_t e;

	if (op == CAP_OP_SAVE_REPLY) {
		if ((e = ipc_save_reply(dst, &saved)))
			return e;
		arch_syscall_set(current->tf, 1, saved);
		return ERR_OK;
	}
	if ((e = cap_lookup(p, slot, OBJ_NONE, 0, &c)))
		return e;
	switch (op) {
	case CAP_OP_COPY:
	case CAP_OP_MINT:
		if (op == CAP_OP_MINT && (c->badge || !badge))
			return c->badge ? ERR_PERM : ERR_INVAL;
		if ((e = cap_reserve(p, dst, &d)))
			return e;
		cap_derive(d, c, rights, op == CAP_OP_MINT ? badge : c->badge);
		break;
	case CAP_OP_MOVE:
		if (dst == slot)
			return ERR_OK;
		if ((e = cap_reserve(p, dst, &d)))
			return e;
		cap_move(d, c);
		break;
	case CAP_OP_DELETE:
		cap_delete(c);
		kobj_reap();
		return ERR_OK;
	case CAP_OP_REVOKE:
		cap_revoke(c);
		kobj_reap();
		return ERR_OK;
	case CAP_OP_WATCH: {
		struct cap *n;
		if (c->obj->type != OBJ_ENDPOINT || !(c->rights & RIGHT_READ))
			return c->obj->type != OBJ_ENDPOINT ? ERR_INVAL : ERR_PERM;
		if ((e = cap_lookup(p, dst, OBJ_NOTIFICATION, RIGHT_WRITE, &n)))
			return e == ERR_BADF ? ERR_BADF : e;
		return endpoint_watch((struct endpoint *)c->obj, n, badge, p->quota);
	}
	case CAP_OP_GONE: {
		uint64_t b = 0;
		bool overflow = false;
		if (c->obj->type != OBJ_ENDPOINT || !(c->rights & RIGHT_READ))
			return c->obj->type != OBJ_ENDPOINT ? ERR_INVAL : ERR_PERM;
		e = endpoint_gone((struct endpoint *)c->obj, &b, &overflow);
		arch_syscall_set(current->tf, 1, b);
		arch_syscall_set(current->tf, 2, overflow);
		return e;
	}
	case CAP_OP_IDENTIFY:
		arch_syscall_set(current->tf, 1, c->obj->type);
		arch_syscall_set(current->tf, 2, c->rights);
		arch_syscall_set(current->tf, 3, c->badge);
		arch_syscall_set(current->tf, 4, c->obj->oid);
		return ERR_OK;
	default:
		return ERR_INVAL;
	}
	arch_syscall_set(current->tf, 1, cap_slot_of(d));
	return ERR_OK;
}

static uint64_t sys_enter(uint64_t n, uint64_t min, uint64_t timeout)
{
	uint64_t submitted = 0, ready = 0;
	err_t e = ring_enter(n, min, timeout, &submitted, &ready);

	arch_syscall_set(current->tf, 1, submitted);
	arch_syscall_set(current->tf, 2, ready);
	return e;
}

static uint64_t sys_yield(void)
{
	sched_need_resched = true;
	return ERR_OK;
}

static uint64_t sys_exit(uint64_t status)
{
	process_exit(current->proc, PROC_STATE_EXITED, status);
	return ERR_OK;
}

static uint64_t sys_thread_exit(void)
{
	struct process *p = current->proc;

	thread_kill(current);
	if (p->nthreads == 0)
		process_exit(p, PROC_STATE_EXITED, 0);
	return ERR_OK;
}

/* One signature for the table; each entry passes on what it needs. */
#define SYSARGS uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5
#define SYSCALL(name, expr) \
	static uint64_t name(SYSARGS) \
	{ (void)a0; (void)a1; (void)a2; (void)a3; (void)a4; (void)a5; return (expr); }

SYSCALL(t_null, ERR_OK)
/* The IPC fast paths: an Endpoint with the right, a message in registers. */
static uint64_t t_call(SYSARGS)
{
	struct cap *c = cap_get(current->proc, a0);

	if (likely(c && c->obj && c->obj->type == OBJ_ENDPOINT && (c->rights & RIGHT_WRITE) &&
		   (a1 & 0x1fff) <= CAIRN_MSG_REGS))
		return ipc_call_fast((struct endpoint *)c->obj, c, a1, a2, a3, a4, a5);
	return sys_call(a0, a1, a2, a3, a4, a5);
}

static uint64_t t_reply_recv(SYSARGS)
{
	struct cap *c = cap_get(current->proc, a0);

	if (likely(c && c->obj && c->obj->type == OBJ_ENDPOINT && (c->rights & RIGHT_READ) &&
		   (a1 & 0x1fff) <= CAIRN_MSG_REGS))
		return ipc_reply_recv_fast((struct endpoint *)c->obj, a1, a2, a3, a4, a5);
	return sys_reply_recv(a0, a1, a2, a3, a4, a5);
}

SYSCALL(t_recv, sys_recv(a0, a1))
SYSCALL(t_reply, sys_reply(a0, a1, a2, a3, a4))
SYSCALL(t_send, sys_send(a0, a1, a2, a3, a4, a5))
SYSCALL(t_wait, sys_wait(a0, a1))
SYSCALL(t_yield, sys_yield())
SYSCALL(t_enter, sys_enter(a0, a1, a2))
SYSCALL(t_cap, sys_cap(a0, a1, a2, a3, a4))
SYSCALL(t_exit, sys_exit(a0))
SYSCALL(t_thread_exit, sys_thread_exit())
SYSCALL(t_upcall_return, sys_upcall_return(a0))
SYSCALL(t_bad, ERR_NOSYS)

static uint64_t (*const syscalls[SYS_COUNT])(SYSARGS) = {
	[SYS_NULL] = t_null, [SYS_CALL] = t_call, [SYS_RECV] = t_recv, [SYS_REPLY] = t_reply,
	[SYS_REPLY_RECV] = t_reply_recv, [SYS_SEND] = t_send, [SYS_WAIT] = t_wait,
	[SYS_YIELD] = t_yield, [SYS_ENTER] = t_enter, [SYS_CAP] = t_cap, [SYS_EXIT] = t_exit,
	[SYS_THREAD_EXIT] = t_thread_exit, [SYS_UPCALL_RETURN] = t_upcall_return,
};

uint64_t syscall_dispatch(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
			  uint64_t a4, uint64_t a5, uint64_t nr)
{
	uint64_t r = (likely(nr < SYS_COUNT) ? syscalls[nr] : t_bad)(a0, a1, a2, a3, a4, a5);

	/* work for the way out: a thread to preempt us, the current thread
	 * blocked, killed or suspended (sched_need_resched), objects to reap */
	if (unlikely(sched_work.any))
		sched_return_work();
	if (unlikely(current->upcall_pending | current->suspend_pending))
		r = sched_return_to_user(true, r);
	return r;
}
