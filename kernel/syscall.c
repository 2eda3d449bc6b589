// SPDX-License-Identifier: MIT
/*
 * The system calls: the trap side. Each sys_* entry checks what the
 * system call itself takes (the capability slot, the message's sizes and
 * the capabilities it names) and sets the results; IPC goes to
 * kernel/ipc.c, a call on any other kernel object to obj_invoke(), the
 * one dispatcher of object methods (kernel/obj/dispatch.c, with one file
 * of methods per object type beside it).
 */
#include <kernel/syscall.h>
#include <kernel/smp.h>
#include <kernel/memory.h>

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

/* ---- SYS_CAP: operations on the caller's own capabilities ---------------------------- */

/* COPY and MINT (a badge is set once, and never to 0): the copy's slot. */
static err_t cap_op_derive(struct cap *c, uint64_t op, cap_t dst, unsigned rights, uint64_t badge)
{
	struct cap *d;
	err_t e;

	if (op == CAP_OP_MINT && (c->badge || !badge))
		return c->badge ? ERR_PERM : ERR_INVAL;
	if ((e = cap_reserve(current->proc, dst, &d)))
		return e;
	cap_derive(d, c, rights, op == CAP_OP_MINT ? badge : c->badge);
	arch_syscall_set(current->tf, 1, cap_slot_of(d));
	return ERR_OK;
}

static err_t cap_op_move(struct cap *c, cap_t slot, cap_t dst)
{
	struct cap *d;
	err_t e;

	if (dst == slot)
		return ERR_OK;
	if ((e = cap_reserve(current->proc, dst, &d)))
		return e;
	cap_move(d, c);
	arch_syscall_set(current->tf, 1, cap_slot_of(d));
	return ERR_OK;
}

/* WATCH and GONE are on an Endpoint the caller may receive from. */
static err_t cap_op_watched(const struct cap *c)
{
	if (c->obj->type != OBJ_ENDPOINT)
		return ERR_INVAL;
	return (c->rights & RIGHT_READ) ? ERR_OK : ERR_PERM;
}

static err_t cap_op_watch(struct cap *c, cap_t note, uint64_t bits)
{
	struct cap *n;
	err_t e;

	if ((e = cap_op_watched(c)) || (e = cap_lookup(current->proc, note, OBJ_NOTIFICATION, RIGHT_WRITE, &n)))
		return e;
	return endpoint_watch((struct endpoint *)c->obj, n, bits, current->proc->quota);
}

static err_t cap_op_gone(struct cap *c)
{
	uint64_t badge = 0;
	bool overflow = false;
	err_t e;

	if ((e = cap_op_watched(c)))
		return e;
	e = endpoint_gone((struct endpoint *)c->obj, &badge, &overflow);
	arch_syscall_set(current->tf, 1, badge);
	arch_syscall_set(current->tf, 2, overflow);
	return e;
}

static err_t cap_op_identify(const struct cap *c)
{
	arch_syscall_set(current->tf, 1, c->obj->type);
	arch_syscall_set(current->tf, 2, c->rights);
	arch_syscall_set(current->tf, 3, c->badge);
	arch_syscall_set(current->tf, 4, c->obj->oid);
	return ERR_OK;
}

static err_t cap_op_save_reply(cap_t dst)
{
	cap_t saved;
	err_t e = ipc_save_reply(dst, &saved);

	if (!e)
		arch_syscall_set(current->tf, 1, saved);
	return e;
}

static uint64_t sys_cap(uint64_t op, uint64_t slot, uint64_t dst, uint64_t rights, uint64_t badge)
{
	struct cap *c;
	err_t e;

	if (op == CAP_OP_SAVE_REPLY)
		return cap_op_save_reply(dst);
	if ((e = cap_lookup(current->proc, slot, OBJ_NONE, 0, &c)))
		return e;
	switch (op) {
	case CAP_OP_COPY:
	case CAP_OP_MINT:
		return cap_op_derive(c, op, dst, rights, badge);
	case CAP_OP_MOVE:
		return cap_op_move(c, slot, dst);
	case CAP_OP_DELETE:
	case CAP_OP_REVOKE:
		op == CAP_OP_DELETE ? cap_delete(c) : cap_revoke(c);
		kobj_reap();
		return ERR_OK;
	case CAP_OP_WATCH:
		return cap_op_watch(c, dst, badge);
	case CAP_OP_GONE:
		return cap_op_gone(c);
	case CAP_OP_IDENTIFY:
		return cap_op_identify(c);
	default:
		return ERR_INVAL;
	}
}

static uint64_t sys_enter(uint64_t n, uint64_t min, uint64_t timeout)
{
	uint64_t submitted = 0, ready = 0;
	err_t e = ring_enter(n, min, timeout, &submitted, &ready);

	arch_syscall_set(current->tf, 1, submitted);
	arch_syscall_set(current->tf, 2, ready);
	return e;
}

/* ns 0: behind the threads of its priority here now (schedule() queues
 * it at the back of its level), at once rather than on the way out; a
 * yield lets only threads of the same or a higher priority run. ns > 0:
 * a sleep, which lets any run: a spin lock's waiter whose holder has a
 * lower priority and was preempted inside the lock would otherwise yield
 * to nobody but itself for ever on one CPU (the ext2 server's main
 * thread spun on a libc lock its write-back thread held). */
static uint64_t sys_yield(uint64_t ns)
{
	err_t e;

	if (!ns) {
		sched_yield_now();
		return ERR_OK;
	}
	e = sched_block(BK_SLEEP, NULL, ns);
	return e == ERR_TIMEDOUT ? ERR_OK : e;
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
/* SYS_CALL and SYS_REPLY_RECV the general way, the kernel lock whole: a
 * fast path that is not one for this call hands it here, with nothing
 * changed (it reads the arguments from the thread's frame). */
#define TF_ARGS(tf) arch_syscall_arg(tf, 0), arch_syscall_arg(tf, 1), arch_syscall_arg(tf, 2), \
	arch_syscall_arg(tf, 3), arch_syscall_arg(tf, 4), arch_syscall_arg(tf, 5)

static inline bool kenter(void);

uint64_t syscall_call_whole(void)
{
	if (!kenter())
		return ERR_INTR;
	return sys_call(TF_ARGS(current->tf));
}

uint64_t syscall_reply_recv_whole(void)
{
	if (!kenter())
		return ERR_INTR;
	return sys_reply_recv(TF_ARGS(current->tf));
}

/* Each takes the kernel lock whole first (kernel/smp.c): a thread killed
 * by another CPU while it waited for it makes no call (it never runs
 * again); SYS_NULL needs no lock; the IPC fast paths take fast mode. */
static inline bool kenter(void)
{
	klock();
	/* with one CPU, a thread making a system call runs: nobody else
	 * suspended or killed it meanwhile */
	if (ncpus == 1)
		return true;
	/* suspended by another CPU as it came in: the call waits for the
	 * resumption */
	while (unlikely(current->state == TS_SUSPENDED))
		schedule();
	return current->state == TS_RUNNING;
}
#define SYSCALL(name, expr) \
	static uint64_t name(SYSARGS) \
	{ (void)a0; (void)a1; (void)a2; (void)a3; (void)a4; (void)a5; \
	  return likely(kenter()) ? (expr) : ERR_INTR; }

static uint64_t t_null(SYSARGS)
{
	(void)a0; (void)a1; (void)a2; (void)a3; (void)a4; (void)a5;
	return ERR_OK;
}
SYSCALL(t_recv, sys_recv(a0, a1))
SYSCALL(t_reply, sys_reply(a0, a1, a2, a3, a4))
SYSCALL(t_send, sys_send(a0, a1, a2, a3, a4, a5))
SYSCALL(t_wait, sys_wait(a0, a1))
SYSCALL(t_yield, sys_yield(a0))
SYSCALL(t_enter, sys_enter(a0, a1, a2))
SYSCALL(t_cap, sys_cap(a0, a1, a2, a3, a4))
SYSCALL(t_exit, sys_exit(a0))
SYSCALL(t_thread_exit, sys_thread_exit())
SYSCALL(t_upcall_return, sys_upcall_return(a0))
SYSCALL(t_bad, ERR_NOSYS)

static uint64_t (*const syscalls[SYS_COUNT])(SYSARGS) = {
	[SYS_NULL] = t_null, [SYS_CALL] = ipc_sys_call, [SYS_RECV] = t_recv, [SYS_REPLY] = t_reply,
	[SYS_REPLY_RECV] = ipc_sys_reply_recv, [SYS_SEND] = t_send, [SYS_WAIT] = t_wait,
	[SYS_YIELD] = t_yield, [SYS_ENTER] = t_enter, [SYS_CAP] = t_cap, [SYS_EXIT] = t_exit,
	[SYS_THREAD_EXIT] = t_thread_exit, [SYS_UPCALL_RETURN] = t_upcall_return,
};

/* The usual work on the way out: the lock whole to give back, and
 * nothing else. */
static inline bool exit_unlock_only(const struct cpu *c, const struct thread *t)
{
	const __typeof__(c->work) unlock_only = { .b.unlock = 1 };

	return c->work.any == unlock_only.any && !(t->upcall_pending | t->suspend_pending) &&
	       t->state == TS_RUNNING && c->klocked == KL_WHOLE;
}

/* The way out when there is work (see syscall_dispatch()). */
static __attribute__((noinline)) uint64_t syscall_exit_work(uint64_t r)
{
	struct cpu *c = this_cpu();
	struct thread *t = c->cur;

	if (likely(exit_unlock_only(c, t))) {
		kunlock_cpu(c);
		return r;
	}
	klock();
	if (sched_work.b.resched | sched_work.b.reap | (current->state != TS_RUNNING))
		sched_return_work();
	t = current;
	if (t->upcall_pending | t->suspend_pending)
		r = sched_return_to_user(true, r);
	kunlock();
	return r;
}

uint64_t syscall_dispatch(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
			  uint64_t a4, uint64_t a5, uint64_t nr)
{
	/* SYS_NULL takes no lock and makes no work: nothing to look at on
	 * the way out (work made meanwhile by another CPU comes with an IPI,
	 * whose own way out does it) */
	if (nr == SYS_NULL)
		return ERR_OK;
	uint64_t r = (likely(nr < SYS_COUNT) ? syscalls[nr] : t_bad)(a0, a1, a2, a3, a4, a5);
	/* afresh: the thread may be on another CPU now */
	struct cpu *c = this_cpu();
	struct thread *t = c->cur;

	/* work for the way out: a thread to preempt us, the current thread
	 * blocked, killed or suspended (resched: what ends a thread's run
	 * sets it, on this CPU or by IPI from another), objects to reap, the
	 * kernel lock held whole, an upcall or a suspension pending */
	if (unlikely(c->work.any | t->upcall_pending | t->suspend_pending)) {
		/* with one CPU the lock is only marks: the usual work here,
		 * without syscall_exit_work()'s frame */
		if (ncpus == 1 && exit_unlock_only(c, t)) {
			lock_given(LOCK_KERNEL, "the kernel lock");
			c->work.b.unlock = 0;
			c->klocked = KL_NONE;
			return r;
		}
		return syscall_exit_work(r);
	}
	kfast_leave(c);
	return r;
}
