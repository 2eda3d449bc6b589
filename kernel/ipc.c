// SPDX-License-Identifier: MIT
/*
 * IPC: synchronous call/reply/receive on Endpoints, asynchronous calls
 * from rings, and Notifications.
 *
 * A message is delivered by writing it straight into the receiver's
 * system-call results (its trap frame) and, for words beyond the four in
 * registers and for capabilities, into its IPC buffer. The fast path is
 * the common case of ipc_call(): a receiver already waits, so the message
 * goes into its frame and the kernel switches to it directly, without the
 * run queue; ipc_reply_recv() does the same in the other direction.
 *
 * The answer to a call is owed by the thread that received it
 * (thread->reply_to, an implicit one-shot Reply); receiving again before
 * answering drops it and the caller gets ERR_PIPE, as it does when the
 * server dies.
 */
#include <kernel/ipc.h>
#include <kernel/smp.h>
#include <kernel/memory.h>
#include <kernel/pager.h>
#include <kernel/lockcheck.h>
#include <kernel/log.h>
#include <kernel/trap.h>
#include <string.h>

static void async_free(struct async_msg *a);

/* Capabilities named in tx's IPC buffer go into rx's table. */
static unsigned transfer_caps(struct thread *tx, struct thread *rx, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		struct cap *src, *dst;
		uint64_t slot = tx->ipcbuf->caps[i];
		rx->ipcbuf->caps[i] = CAP_NULL;
		if (cap_lookup(tx->proc, slot, OBJ_NONE, 0, &src))
			continue;
		if (cap_reserve(rx->proc, CAP_NULL, &dst))
			continue;
		cap_derive(dst, src, RIGHTS_ALL, src->badge);
		rx->ipcbuf->caps[i] = cap_slot_of(dst);
	}
	return n;
}

/*
 * Writes a message into rx's results. tx (may be NULL) supplies words 4..
 * and capabilities through its IPC buffer; `grant` allows capabilities.
 */
static void deliver(struct thread *rx, uint64_t badge, uint64_t tag, const uint64_t *w,
		    struct thread *tx, bool grant)
{
	unsigned len = cairn_tag_len(tag), ncaps = cairn_tag_ncaps(tag);
	struct trap_frame *tf = rx->tf;

	if (len > CAIRN_MSG_REGS) {
		if (tx && tx->ipcbuf && rx->ipcbuf)
			memcpy(&rx->ipcbuf->w[CAIRN_MSG_REGS], &tx->ipcbuf->w[CAIRN_MSG_REGS],
			       (len - CAIRN_MSG_REGS) * sizeof(uint64_t));
		else
			len = CAIRN_MSG_REGS;
	}
	if (ncaps)
		ncaps = (grant && tx && tx->ipcbuf && rx->ipcbuf) ? transfer_caps(tx, rx, ncaps) : 0;
	tag = cairn_tag(cairn_tag_label(tag), len, ncaps);
	arch_syscall_set(tf, 1, badge);
	arch_syscall_set(tf, 2, tag);
	arch_syscall_set(tf, 3, w[0]);
	arch_syscall_set(tf, 4, w[1]);
	arch_syscall_set(tf, 5, w[2]);
	arch_syscall_set(tf, 6, w[3]);
}

static struct thread *first_waiter(struct list *q)
{
	if (list_empty(q))
		return NULL;
	struct thread *t = list_entry(q->next, struct thread, qnode);
	list_del(&t->qnode);
	if (list_linked(&t->tnode))
		list_del(&t->tnode);
	return t;
}

static void reply_link(struct thread *server, struct thread *caller)
{
	server->reply_to = caller;
	caller->replier = server;
	caller->block = BK_REPLY;
}

/* The server drops an unanswered call. */
static void reply_drop(struct thread *server)
{
	struct thread *caller = server->reply_to;

	if (caller) {
		server->reply_to = NULL;
		caller->replier = NULL;
		sched_wake(caller, ERR_PIPE);
	}
	if (server->reply_async) {
		struct async_msg *a = server->reply_async;
		server->reply_async = NULL;
		if (a->sender)
			ring_complete(a->sender, a->user_data, ERR_PIPE, &(struct msg){ 0 }, 0);
		async_free(a);
	}
}

/* Writes a short message (no IPC-buffer words, no capabilities) into a
 * thread's results. */
static inline void deliver_short(struct thread *rx, uint64_t badge, uint64_t tag, uint64_t w0,
				 uint64_t w1, uint64_t w2, uint64_t w3)
{
	struct trap_frame *tf = rx->tf;

	arch_syscall_set(tf, 1, badge);
	arch_syscall_set(tf, 2, tag & ~(uint64_t)(CAIRN_NONBLOCK | (7u << 10)));
	arch_syscall_set(tf, 3, w0);
	arch_syscall_set(tf, 4, w1);
	arch_syscall_set(tf, 5, w2);
	arch_syscall_set(tf, 6, w3);
}

/*
 * The fast paths run in fast mode (kernel/smp.c): CPUs run them at once,
 * and no slow path runs meanwhile. They share only Endpoints' receiver
 * lists (rx_lock) and the threads they take off them: a thread on the
 * list is the list's, taken by one path, which waits until its old CPU
 * has saved its context (on_cpu) before it runs it. A thread puts itself
 * on a list only once everything about it is written: from then on its
 * taker may write its registers and fields.
 */
/* No waiting in a fast path (a wait's calls would cost every call their
 * registers' saves): the lock taken at once, or the call goes the general
 * way. mp: several CPUs (the fast paths exist twice, see ipc_sys_call()). */
static inline bool rx_trylock(struct endpoint *ep, const bool mp)
{
	if (!mp || !__atomic_exchange_n(&ep->rx_lock, 1, __ATOMIC_ACQUIRE)) {
		lock_taking(LOCK_RX, "an Endpoint's rx_lock");
		return true;
	}
	return false;
}

static inline void rx_unlock(struct endpoint *ep, const bool mp)
{
	lock_given(LOCK_RX, "an Endpoint's rx_lock");
	if (mp)
		__atomic_store_n(&ep->rx_lock, 0, __ATOMIC_RELEASE);
}

/*
 * The fast path of a call: a receiver waits, owes no answer, may run on
 * this CPU, and the message fits in registers (the caller checked that).
 * Hand it the message and the CPU. Anything else goes the general way.
 * With one CPU (!mp) a waiting receiver is never on a CPU, every thread
 * may run on the one CPU, and nothing is locked.
 */
static inline __attribute__((always_inline)) uint64_t
call_fast(struct endpoint *ep, const struct cap *c, uint64_t tag, uint64_t w0, uint64_t w1,
	  uint64_t w2, uint64_t w3, const bool mp)
{
	struct cpu *cpu = this_cpu();
	struct thread *self = cpu->cur, *rx;

	if (unlikely(list_empty(&ep->receivers) || self->upcall_pending || !rx_trylock(ep, mp)))
		return syscall_call_whole();
	if (mp && unlikely(list_empty(&ep->receivers))) {
		rx_unlock(ep, mp);
		return syscall_call_whole();
	}
	rx = list_entry(ep->receivers.next, struct thread, qnode);
	/* on_cpu: it put itself here a moment ago and its CPU has not yet
	 * saved its context: the general way waits for that */
	if (unlikely(rx->reply_to || rx->reply_async || list_linked(&rx->tnode) ||
		     (mp && (!sched_runs_on(rx, cpu) || __atomic_load_n(&rx->on_cpu, __ATOMIC_ACQUIRE))))) {
		rx_unlock(ep, mp);
		return syscall_call_whole();
	}
	list_del(&rx->qnode);
	rx_unlock(ep, mp);
	deliver_short(rx, c->badge, tag, w0, w1, w2, w3);
	rx->reply_to = self;
	self->replier = rx;
	self->block = BK_REPLY;
	self->state = TS_BLOCKED;
	self->wake_err = ERR_OK;
	rx->block = BK_NONE;
	rx->wake_err = ERR_OK;
	cpu->work.b.resched = 0;
	sched_switch_on(cpu, rx, mp, true);
	return self->wake_err;
}

/* The fast paths' way in (SYS_CALL, SYS_REPLY_RECV: kernel/syscall.c's
 * table): fast mode, and slot a0 an Endpoint capability with right and a
 * message (tag a1) in registers; else NULL, and the general way from the
 * start, the kernel lock whole (what was read in fast mode may have
 * changed meanwhile). Each path exists twice, for one CPU and for
 * several: one test of ncpus instead of one in each step. */
static inline __attribute__((always_inline)) struct cap *
fast_entry(uint64_t a0, uint64_t a1, unsigned right, const bool mp)
{
	/* with one CPU, a thread that makes a call is running: nobody
	 * suspended or killed it as it came in */
	if (mp && unlikely(!kfast_try() || current->state != TS_RUNNING))
		return NULL;
	struct cap *c = cap_get(current->proc, a0);
	if (likely(c && c->obj && c->obj->type == OBJ_ENDPOINT && (c->rights & right) &&
		   (a1 & 0x1fff) <= CAIRN_MSG_REGS))
		return c;
	return NULL;
}

static inline __attribute__((always_inline)) uint64_t
sys_call_fast(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5,
	      const bool mp)
{
	struct cap *c = fast_entry(a0, a1, RIGHT_WRITE, mp);

	if (likely(c))
		return call_fast((struct endpoint *)c->obj, c, a1, a2, a3, a4, a5, mp);
	return syscall_call_whole();
}

uint64_t ipc_sys_call(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	if (ncpus == 1)
		return sys_call_fast(a0, a1, a2, a3, a4, a5, false);
	return sys_call_fast(a0, a1, a2, a3, a4, a5, true);
}

__attribute__((noinline))
err_t ipc_call(struct endpoint *ep, const struct cap *c, const struct msg *m)
{
	struct thread *self = current;
	struct thread *rx;
	bool grant = c->rights & RIGHT_GRANT;

	rx = first_waiter(&ep->receivers);
	if (rx) {
		/* fast path: hand the message and the CPU to the waiting receiver */
		reply_drop(rx);
		deliver(rx, c->badge, m->tag, m->w, self, grant);
		reply_link(rx, self);
		self->state = TS_BLOCKED;
		self->wake_err = ERR_OK;
		rx->block = BK_NONE;
		rx->wake_err = ERR_OK;
		sched_switch_to(rx);
		return self->wake_err;
	}
	if (!ep->recv_caps)
		return ERR_PIPE;        /* nobody can ever answer (endpoint_unserved()) */
	self->msg_tag = m->tag;
	memcpy(self->msg_w, m->w, sizeof(self->msg_w));
	self->msg_badge = c->badge;
	self->msg_grant = grant;
	list_add_tail(&ep->senders, &self->qnode);
	return sched_block(BK_CALL, ep, CAIRN_FOREVER);
}

err_t ipc_send(struct endpoint *ep, const struct cap *c, const struct msg *m, bool nonblock)
{
	struct thread *self = current;
	struct thread *rx = first_waiter(&ep->receivers);

	if (rx) {
		reply_drop(rx);
		deliver(rx, c->badge, m->tag, m->w, self, c->rights & RIGHT_GRANT);
		sched_wake(rx, ERR_OK);
		return ERR_OK;
	}
	if (!ep->recv_caps)
		return ERR_PIPE;
	if (nonblock)
		return ERR_AGAIN;
	self->msg_tag = m->tag;
	memcpy(self->msg_w, m->w, sizeof(self->msg_w));
	self->msg_badge = c->badge;
	self->msg_grant = c->rights & RIGHT_GRANT;
	list_add_tail(&ep->senders, &self->qnode);
	return sched_block(BK_SEND, ep, CAIRN_FOREVER);
}

/* Delivers the next page request queued on ep to rx (kernel/pager.c);
 * false when there is none. Nothing is owed for it. */
static bool deliver_page_request(struct endpoint *ep, struct thread *rx)
{
	uint64_t badge, w[4];

	if (likely(list_empty(&ep->pager_reqs)) || !pager_take_request(ep, &badge, w))
		return false;
	deliver_short(rx, badge, cairn_tag(CAIRN_PAGER_LABEL, 3, 0), w[0], w[1], w[2], w[3]);
	return true;
}

void ipc_pager_kick(struct endpoint *ep)
{
	struct thread *rx;

	if (list_empty(&ep->receivers))
		return;
	rx = first_waiter(&ep->receivers);
	reply_drop(rx);
	deliver_page_request(ep, rx);
	sched_wake(rx, ERR_OK);
}

/* Takes a pending message for current, if there is one: a bound
 * Notification's bits first (NOTIFY_BIND), then page requests (their
 * threads wait on a fault), then asynchronous calls, then senders. */
static bool recv_pending(struct endpoint *ep)
{
	struct thread *self = current;

	if (unlikely(self->bound_note) && self->bound_note->bits) {
		deliver_short(self, CAIRN_NOTIFY_BADGE, cairn_tag(CAIRN_NOTIFY_LABEL, 1, 0),
			      self->bound_note->bits, 0, 0, 0);
		self->bound_note->bits = 0;
		return true;
	}
	if (deliver_page_request(ep, self))
		return true;
	if (!list_empty(&ep->async)) {
		struct async_msg *a = list_entry(ep->async.next, struct async_msg, node);
		list_del(&a->node);
		a->ep = NULL;
		a->server = self;
		deliver(self, a->badge, a->tag, a->w, NULL, false);
		self->reply_async = a;
		return true;
	}
	struct thread *tx = first_waiter(&ep->senders);
	if (!tx)
		return false;
	deliver(self, tx->msg_badge, tx->msg_tag, tx->msg_w, tx, tx->msg_grant);
	if (tx->block == BK_CALL)
		reply_link(self, tx);
	else
		sched_wake(tx, ERR_OK);
	return true;
}

err_t ipc_recv(struct endpoint *ep, bool nonblock)
{
	struct thread *self = current;

	reply_drop(self);
	self->served = ep;
	if (recv_pending(ep))
		return ERR_OK;
	if (nonblock)
		return ERR_AGAIN;
	list_add_tail(&ep->receivers, &self->qnode);
	return sched_block(BK_RECV, ep, CAIRN_FOREVER);
}

/* Answers current's caller; returns the caller to run, not yet woken. */
/* Delivers an answer to a caller that waits for it (already unlinked
 * from whoever held its reply); returns the caller to wake, or NULL. */
static struct thread *answer(struct thread *caller, const struct msg *m)
{
	if (caller->fault_pending) {
		uint64_t label = cairn_tag_label(m->tag);
		caller->fault_pending = 0;
		/* CAIRN_FAULT_RESUME: on at w0 (a recovering copy's fixup) */
		if (label == CAIRN_FAULT_RESUME && m->w[0] < arch_user_top()) {
			arch_frame_set_pc(caller->tf, m->w[0]);
		} else if (label != 0) {
			process_exit(caller->proc, PROC_STATE_FAULTED, CAIRN_FAULT_OTHER);
			return NULL;
		}
	} else {
		deliver(caller, 0, m->tag, m->w, current, true);
	}
	return caller;
}

static struct thread *reply_take(const struct msg *m, err_t *err)
{
	struct thread *self = current;
	struct thread *caller = self->reply_to;

	*err = ERR_OK;
	if (self->reply_async) {
		struct async_msg *a = self->reply_async;
		self->reply_async = NULL;
		if (a->sender)
			ring_complete(a->sender, a->user_data, ERR_OK, m, 0);
		async_free(a);
		return NULL;
	}
	if (!caller) {
		*err = ERR_NOENT;   /* nobody to answer */
		return NULL;
	}
	self->reply_to = NULL;
	caller->replier = NULL;
	return answer(caller, m);
}

/* ---- Reply objects: an answer saved for later --------------------------------- */

struct reply_obj {
	struct kobj obj;
	struct thread *caller;
	struct async_msg *async;
	bool caller_gone;
};

err_t ipc_save_reply(cap_t dst, cap_t *out)
{
	struct thread *self = current;
	struct reply_obj *r;
	struct cap *slot;
	err_t e;

	if (!self->reply_to && !self->reply_async)
		return ERR_NOENT;
	if ((e = cap_reserve(self->proc, dst, &slot)))
		return e;
	r = kobj_alloc(OBJ_REPLY, sizeof(*r), self->proc->quota);
	if (!r)
		return ERR_NOMEM;
	if (self->reply_to) {
		r->caller = self->reply_to;
		r->caller->replier = NULL;
		r->caller->reply_obj = &r->obj;
		self->reply_to = NULL;
		/* an upcall that came while the call was served waited for the
		 * answer (ipc_interrupt()); put aside, the call may wait long:
		 * the upcall ends it now (a server acts on a saved call only
		 * once its answer is taken) */
		if (r->caller->upcall_pending)
			ipc_interrupt(r->caller);
	} else {
		r->async = self->reply_async;
		r->async->server = NULL;
		self->reply_async = NULL;
	}
	cap_install(slot, &r->obj, RIGHT_WRITE | RIGHT_GRANT, 0);
	kobj_put(&r->obj);
	*out = cap_slot_of(slot);
	return ERR_OK;
}

/* Answers through a saved Reply; one shot: ERR_NOENT once used, ERR_PIPE
 * if the caller is gone. */
err_t ipc_reply_obj_send(struct kobj *o, const struct msg *m)
{
	struct reply_obj *r = (struct reply_obj *)o;
	struct thread *caller = r->caller;

	if (r->async) {
		struct async_msg *a = r->async;
		r->async = NULL;
		if (a->sender)
			ring_complete(a->sender, a->user_data, ERR_OK, m, 0);
		async_free(a);
		return ERR_OK;
	}
	if (!caller)
		return r->caller_gone ? ERR_PIPE : ERR_NOENT;
	r->caller = NULL;
	caller->reply_obj = NULL;
	caller = answer(caller, m);
	if (caller)
		sched_wake(caller, ERR_OK);
	return ERR_OK;
}

void reply_obj_destroy(struct kobj *o)
{
	struct reply_obj *r = (struct reply_obj *)o;

	if (r->caller) {
		r->caller->reply_obj = NULL;
		sched_wake(r->caller, ERR_PIPE);
		r->caller = NULL;
	}
	if (r->async) {
		if (r->async->sender)
			ring_complete(r->async->sender, r->async->user_data, ERR_PIPE, &(struct msg){ 0 }, 0);
		async_free(r->async);
		r->async = NULL;
	}
}

err_t ipc_reply(const struct msg *m)
{
	err_t e;
	struct thread *caller = reply_take(m, &e);

	if (caller)
		sched_wake(caller, ERR_OK);
	return e;
}

static inline __attribute__((always_inline)) uint64_t
reply_recv_fast(struct endpoint *ep, uint64_t tag, uint64_t w0, uint64_t w1, uint64_t w2,
		uint64_t w3, const bool mp)
{
	struct cpu *cpu = this_cpu();
	struct thread *self = cpu->cur;
	struct thread *caller = self->reply_to;

	/*
	 * The fast path back: answer a caller that waits (not a fault),
	 * nothing else is queued for us (those queues change only in slow
	 * paths: not now), the answer fits in registers (the caller checked).
	 * Block receiving and run the caller directly.
	 */
	if (unlikely(!caller || caller->fault_pending || !list_empty(&ep->senders) ||
		     !list_empty(&ep->async) || !list_empty(&ep->pager_reqs) ||
		     (self->bound_note && self->bound_note->bits) || self->upcall_pending ||
		     sched_ready_above(cpu, caller->prio) ||
		     (mp && (!sched_runs_on(caller, cpu) ||
			     __atomic_load_n(&caller->on_cpu, __ATOMIC_ACQUIRE))) ||
		     !rx_trylock(ep, mp)))
		return syscall_reply_recv_whole();
	self->reply_to = NULL;
	caller->replier = NULL;
	deliver_short(caller, 0, tag, w0, w1, w2, w3);
	caller->wake_err = ERR_OK;
	caller->block = BK_NONE;
	self->state = TS_BLOCKED;
	self->block = BK_RECV;
	self->wait_obj = ep;
	self->served = ep;
	self->wake_err = ERR_OK;
	/* last, under rx_lock since the check: from here another CPU's call
	 * may take us (it waits for our context; it writes our registers and
	 * these fields) */
	list_add_tail(&ep->receivers, &self->qnode);
	rx_unlock(ep, mp);
	cpu->work.b.resched = 0;
	sched_switch_on(cpu, caller, mp, true);
	return self->wake_err;
}

/* SYS_REPLY_RECV, as ipc_sys_call(). */
static inline __attribute__((always_inline)) uint64_t
sys_reply_recv_fast(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5,
		    const bool mp)
{
	struct cap *c = fast_entry(a0, a1, RIGHT_READ, mp);

	if (likely(c))
		return reply_recv_fast((struct endpoint *)c->obj, a1, a2, a3, a4, a5, mp);
	return syscall_reply_recv_whole();
}

uint64_t ipc_sys_reply_recv(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
			    uint64_t a5)
{
	if (ncpus == 1)
		return sys_reply_recv_fast(a0, a1, a2, a3, a4, a5, false);
	return sys_reply_recv_fast(a0, a1, a2, a3, a4, a5, true);
}

__attribute__((noinline))
err_t ipc_reply_recv(struct endpoint *ep, const struct msg *m)
{
	current->served = ep;
	struct thread *self = current;
	struct thread *caller;
	err_t e;

	caller = reply_take(m, &e);

	if (recv_pending(ep)) {
		if (caller)
			sched_wake(caller, ERR_OK);
		return ERR_OK;
	}
	list_add_tail(&ep->receivers, &self->qnode);
	if (caller) {
		/* fast path back: block and run the caller directly */
		self->state = TS_BLOCKED;
		self->block = BK_RECV;
		self->wait_obj = ep;
		self->wake_err = ERR_OK;
		caller->wake_err = ERR_OK;
		caller->block = BK_NONE;
		sched_switch_to(caller);
		return self->wake_err;
	}
	return sched_block(BK_RECV, ep, CAIRN_FOREVER);
}

err_t ipc_call_async(struct endpoint *ep, const struct cap *c, const struct msg *m, uint64_t user_data)
{
	struct thread *self = current;
	struct quota *q = self->proc->quota;
	struct async_msg *a;
	struct thread *rx;

	if (!ep->recv_caps && list_empty(&ep->receivers))
		return ERR_PIPE;
	if (quota_charge(q, sizeof(*a)))
		return ERR_NOMEM;
	a = kzalloc(sizeof(*a));
	if (!a) {
		quota_uncharge(q, sizeof(*a));
		return ERR_NOMEM;
	}
	quota_get(q);
	a->quota = q;
	a->sender = self;
	a->tag = cairn_tag(cairn_tag_label(m->tag), MIN(cairn_tag_len(m->tag), CAIRN_MSG_REGS), 0);
	memcpy(a->w, m->w, sizeof(a->w));
	a->badge = c->badge;
	a->user_data = user_data;
	list_init(&a->node);
	rx = first_waiter(&ep->receivers);
	if (rx) {
		reply_drop(rx);
		a->server = rx;
		rx->reply_async = a;
		deliver(rx, a->badge, a->tag, a->w, NULL, false);
		sched_wake(rx, ERR_OK);
	} else {
		a->ep = ep;
		list_add_tail(&ep->async, &a->node);
	}
	list_add_tail(&self->async_sent, &a->snode);
	return ERR_OK;
}

static void async_free(struct async_msg *a)
{
	list_del(&a->node);
	if (list_linked(&a->snode))
		list_del(&a->snode);
	quota_uncharge(a->quota, sizeof(*a));
	quota_put(a->quota);
	kfree(a);
}

void ipc_thread_cleanup(struct thread *t)
{
	struct thread *saved = current;

	/* answers t owes */
	if (t->reply_to || t->reply_async) {
		current = t;            /* reply_drop works on behalf of t */
		reply_drop(t);
		current = saved;
	}
	if (t->bound_note)
		notify_unbind(t->bound_note);
	/* the answer t waits for */
	if (t->replier) {
		t->replier->reply_to = NULL;
		t->replier = NULL;
	}
	if (t->reply_obj) {
		((struct reply_obj *)t->reply_obj)->caller = NULL;
		((struct reply_obj *)t->reply_obj)->caller_gone = true;
		t->reply_obj = NULL;
	}
	/* t's asynchronous calls still out */
	while (!list_empty(&t->async_sent)) {
		struct async_msg *a = list_entry(t->async_sent.next, struct async_msg, snode);
		list_del(&a->snode);
		a->sender = NULL;
		if (a->ep)
			async_free(a);   /* still queued: nobody will answer */
	}
}

void ipc_interrupt(struct thread *t)
{
	if (t->state != TS_BLOCKED)
		return;
	if (t->fault_pending)
		return;             /* a fault must be answered: the upcall waits for it */
	/* a call a server is serving now (not one put aside with a Reply)
	 * waits for its answer, then the upcall runs: interrupted, the
	 * server's work would be done with nobody to take the answer (a
	 * file made, a capability lost), and a call musl-port makes again
	 * would find it done (a close twice drops a reference too many:
	 * busybox pipelines lost their bytes when SIGCHLD came; ash's
	 * `>/dev/null` said "Interrupted system call"). So open(), stat()
	 * and close() never fail with EINTR, as on Linux. A server that puts
	 * the call aside later ends it then (ipc_save_reply()). */
	if (t->block == BK_REPLY && t->replier)
		return;
	if (list_linked(&t->qnode))
		list_del(&t->qnode);
	if (t->reply_obj) {
		((struct reply_obj *)t->reply_obj)->caller = NULL;
		((struct reply_obj *)t->reply_obj)->caller_gone = true;
		t->reply_obj = NULL;
	}
	sched_wake(t, ERR_INTR);
}

err_t endpoint_watch(struct endpoint *ep, struct cap *note, uint64_t bits, struct quota *q)
{
	struct ep_watch *w = ep->watch;

	if (!w) {
		size_t bytes = sizeof(*w) + EP_WATCH_SLOTS * sizeof(uint64_t);
		if (quota_charge(q, bytes))
			return ERR_NOMEM;
		w = kzalloc(sizeof(*w));
		uint64_t *ring = w ? kmalloc(EP_WATCH_SLOTS * sizeof(uint64_t)) : NULL;
		if (!ring) {
			kfree(w);
			quota_uncharge(q, bytes);
			return ERR_NOMEM;
		}
		w->badge = ring;
		w->size = EP_WATCH_SLOTS;
		ep->watch = w;
		ep->watch_quota = q;
		quota_get(q);
	}
	if (w->note)
		kobj_put(&w->note->obj);
	kobj_get(note->obj);
	w->note = (struct notification *)note->obj;
	w->bits = bits;
	return ERR_OK;
}

/* The full queue of ep doubles, in order; false when it may not (the
 * limit, the quota, no memory). */
static bool watch_grow(struct endpoint *ep)
{
	struct ep_watch *w = ep->watch;
	uint32_t size = w->size * 2;
	uint64_t *ring;

	if (size > EP_WATCH_MAX || quota_charge(ep->watch_quota, w->size * sizeof(uint64_t)))
		return false;
	if (!(ring = kmalloc(size * sizeof(uint64_t)))) {
		quota_uncharge(ep->watch_quota, w->size * sizeof(uint64_t));
		return false;
	}
	for (uint32_t i = 0; i < w->size; i++)
		ring[i] = w->badge[(w->head + i) & (w->size - 1)];
	kfree(w->badge);
	w->badge = ring;
	w->tail = w->size;
	w->head = 0;
	w->size = size;
	return true;
}

void endpoint_badge_gone(struct endpoint *ep, uint64_t badge)
{
	struct ep_watch *w = ep->watch;

	if (!w)
		return;
	if (w->tail - w->head >= w->size && !watch_grow(ep))
		w->overflow = true;
	else
		w->badge[w->tail++ & (w->size - 1)] = badge;
	notify_signal(w->note, w->bits);
}

err_t endpoint_gone(struct endpoint *ep, uint64_t *badge, bool *overflow)
{
	struct ep_watch *w = ep->watch;

	if (!w)
		return ERR_INVAL;
	*overflow = w->overflow;
	w->overflow = false;
	if (w->head == w->tail)
		return ERR_AGAIN;
	*badge = w->badge[w->head++ & (w->size - 1)];
	return ERR_OK;
}

/* The queue and its charge go. */
static void watch_free(struct endpoint *ep)
{
	struct ep_watch *w = ep->watch;

	if (w->note)
		kobj_put(&w->note->obj);
	quota_uncharge(ep->watch_quota, sizeof(*w) + w->size * sizeof(uint64_t));
	quota_put(ep->watch_quota);
	kfree(w->badge);
	kfree(w);
	ep->watch = NULL;
}

/* Ends what waits in ep's queues (not its receivers): ERR_PIPE. */
static void endpoint_flush(struct endpoint *ep)
{
	struct thread *t;

	while ((t = first_waiter(&ep->senders)))
		sched_wake(t, ERR_PIPE);
	while (!list_empty(&ep->async)) {
		struct async_msg *a = list_entry(ep->async.next, struct async_msg, node);
		if (a->sender)
			ring_complete(a->sender, a->user_data, ERR_PIPE, &(struct msg){ 0 }, 0);
		async_free(a);
	}
}

void endpoint_unserved(struct endpoint *ep)
{
	endpoint_flush(ep);
	pager_endpoint_gone(ep);
}

void endpoint_destroy(struct endpoint *ep)
{
	/* every object it paged holds a reference: none is left */
	if (ep->watch)
		watch_free(ep);
	struct thread *t;

	endpoint_flush(ep);
	while ((t = first_waiter(&ep->receivers)))
		sched_wake(t, ERR_PIPE);
}

bool ipc_send_fault(struct thread *t, unsigned kind, bool prot, uintptr_t addr, uintptr_t pc)
{
	struct process *p = t->proc;
	struct endpoint *ep = p->fault_ep;
	struct msg m = { cairn_tag(CAIRN_FAULT_LABEL, 4, 0), { addr, pc, 0, t->id } };
	struct cap fake = { .badge = p->fault_badge };
	err_t e;

	if (!ep)
		return false;
	m.w[2] = fault_kind(kind) | (prot ? CAIRN_FAULT_PROT : 0);
	t->fault_pending = 1;
	e = ipc_call(ep, &fake, &m);
	/* however the call ended (answered, or dropped: the handler received
	 * again, died, deleted a saved Reply, the endpoint went), the fault
	 * message is no longer outstanding: the next answer t gets is to an
	 * ordinary call */
	t->fault_pending = 0;
	/* dropped, and nobody can receive there any more: retrying would
	 * fault again for ever. (No reference is taken across the call: a
	 * thread killed in it never comes back to drop one. The process's
	 * own keeps ep alive while it is still its fault endpoint.) */
	return !(e == ERR_PIPE && p->fault_ep == ep && !ep->recv_caps);
}

/* ---- notifications ------------------------------------------------------------ */

/* The thread n is bound to, if it waits in a receive: taken off its
 * Endpoint with n's bits as its message (not yet woken); else NULL. */
static struct thread *bound_take(struct notification *n)
{
	struct thread *t = n->bound;

	if (!t || t->state != TS_BLOCKED || t->block != BK_RECV)
		return NULL;
	list_del(&t->qnode);
	deliver_short(t, CAIRN_NOTIFY_BADGE, cairn_tag(CAIRN_NOTIFY_LABEL, 1, 0), n->bits, 0, 0, 0);
	n->bits = 0;
	return t;
}

void notify_signal(struct notification *n, uint64_t bits)
{
	n->bits |= bits;
	if (!n->bits)
		return;
	struct thread *t = first_waiter(&n->waiters);
	if (t) {
		t->msg_w[0] = n->bits;
		n->bits = 0;
		sched_wake(t, ERR_OK);
	} else if ((t = bound_take(n))) {
		sched_wake(t, ERR_OK);
	}
}

void notify_signal_user(struct notification *n, uint64_t bits)
{
	struct thread *t;

	n->bits |= bits;
	if (!n->bits)
		return;
	if (list_empty(&n->waiters)) {
		if (!(t = bound_take(n)))
			return;
		if (t->prio <= current->prio) {
			sched_wake(t, ERR_OK);
		} else {
			t->wake_err = ERR_OK;
			sched_preempt_to(t);
		}
		return;
	}
	t = list_entry(n->waiters.next, struct thread, qnode);
	if (t->prio <= current->prio) {
		notify_signal(n, 0);
		return;
	}
	/* a waiter above us: it runs now, without a trip through the run queue */
	list_del(&t->qnode);
	t->msg_w[0] = n->bits;
	n->bits = 0;
	t->wake_err = ERR_OK;
	sched_preempt_to(t);
}

err_t notify_wait(struct notification *n, uint64_t timeout_ns, uint64_t *bits)
{
	struct thread *self = current;
	err_t e;

	if (n->bits) {
		*bits = n->bits;
		n->bits = 0;
		return ERR_OK;
	}
	if (timeout_ns == 0)
		return ERR_AGAIN;
	list_add_tail(&n->waiters, &self->qnode);
	e = sched_block(BK_NOTIFY, n, timeout_ns);
	*bits = e ? 0 : self->msg_w[0];
	return e;
}

err_t notify_bind(struct notification *n, struct thread *t)
{
	if (n->bound || t->bound_note)
		return ERR_BUSY;
	n->bound = t;
	t->bound_note = n;
	return ERR_OK;
}

void notify_unbind(struct notification *n)
{
	if (n->bound) {
		n->bound->bound_note = NULL;
		n->bound = NULL;
	}
}

void notification_destroy(struct notification *n)
{
	struct thread *t;

	notify_unbind(n);

	while ((t = first_waiter(&n->waiters)))
		sched_wake(t, ERR_PIPE);
}
