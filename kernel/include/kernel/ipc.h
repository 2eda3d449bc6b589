/* SPDX-License-Identifier: MIT */
/* Endpoints, notifications, asynchronous calls and rings. */
#ifndef KERNEL_IPC_H
#define KERNEL_IPC_H
#include <kernel/thread.h>

struct endpoint {
	struct kobj obj;
	struct list senders;          /* threads blocked in send or call */
	struct list receivers;        /* threads blocked in receive */
	struct list async;            /* queued asynchronous calls (struct async_msg) */
	struct ep_watch *watch;       /* badges left behind by dead processes (CAP_OP_WATCH) */
	struct quota *watch_quota;
	struct list paged;            /* struct pager.ep_node: the objects it pages */
	struct list pager_reqs;       /* struct pager.req_node: those with requests queued */
	uint32_t recv_caps;           /* capabilities with RIGHT_READ (object.c) */
	int rx_lock;                  /* guards receivers between fast paths (ipc.c) */
};

/* What an Endpoint's server learns about its clients' ends: the badges of
 * badged capabilities to it that went away because their process ended.
 * The queue starts at EP_WATCH_SLOTS and doubles, charged to the quota of
 * the process that asked (CAP_OP_WATCH), up to EP_WATCH_MAX: a badge is
 * lost (overflow) only past that or with that quota spent, as each lost
 * badge is a reference the server never gets back. */
#define EP_WATCH_SLOTS 256u
#define EP_WATCH_MAX   65536u
struct ep_watch {
	struct notification *note;
	uint64_t bits;
	uint32_t head, tail, size;  /* a ring of size (a power of two) slots */
	bool overflow;
	uint64_t *badge;
};

/* A badged capability to ep is going with its process: tell the server. */
void endpoint_badge_gone(struct endpoint *ep, uint64_t badge);
err_t endpoint_watch(struct endpoint *ep, struct cap *note, uint64_t bits, struct quota *q);
/* Next gone badge: ERR_AGAIN when none; *overflow when some were lost. */
err_t endpoint_gone(struct endpoint *ep, uint64_t *badge, bool *overflow);

struct notification {
	struct kobj obj;
	uint64_t bits;
	struct list waiters;
	struct thread *bound;         /* NOTIFY_BIND: signals reach its receive */
};

/* An asynchronous call from a ring: queued on an endpoint, then held by the
 * server thread that received it until answered. */
struct async_msg {
	struct list node;             /* endpoint queue while queued */
	struct list snode;            /* sender's list of calls out */
	struct thread *sender;        /* NULL once the sender is gone */
	struct endpoint *ep;          /* while queued */
	struct thread *server;        /* while being served */
	uint64_t tag, w[4], badge, user_data;
	struct quota *quota;
};

/* A message as the system-call layer sees it. */
struct msg {
	uint64_t tag, w[4];
};

/* The fast paths (messages in registers only, checked by the caller);
 * they fall back to ipc_call() / ipc_reply_recv(). */
/* The fast paths (fast mode, kernel/smp.h): a call that is not theirs to
 * make goes the general way (kernel/syscall.c), nothing changed. */
uint64_t syscall_call_whole(void);
uint64_t syscall_reply_recv_whole(void);
/* SYS_CALL and SYS_REPLY_RECV themselves (the system-call table's
 * entries): the fast path, or the general way. */
uint64_t ipc_sys_call(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5);
uint64_t ipc_sys_reply_recv(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
			    uint64_t a5);
/* Call: blocks current until answered. Results in current's frame. */
err_t ipc_call(struct endpoint *ep, const struct cap *c, const struct msg *m);
/* Send: without an answer. */
err_t ipc_send(struct endpoint *ep, const struct cap *c, const struct msg *m, bool nonblock);
/* Receive: blocks (unless nonblock) until a message arrives. */
err_t ipc_recv(struct endpoint *ep, bool nonblock);
/* Answers the call current received last. */
err_t ipc_reply(const struct msg *m);
/* Answer, then receive (the fast path back to the caller). */
err_t ipc_reply_recv(struct endpoint *ep, const struct msg *m);
/* Queues an asynchronous call from a ring. */
err_t ipc_call_async(struct endpoint *ep, const struct cap *c, const struct msg *m, uint64_t user_data);

/* Saves the answer current owes into a Reply capability (dst or a free
 * slot); answering through it later: ipc_reply_obj_send(). */
err_t ipc_save_reply(cap_t dst, cap_t *out);
err_t ipc_reply_obj_send(struct kobj *reply, const struct msg *m);
void reply_obj_destroy(struct kobj *reply);

/* Interrupts the system call t is blocked in: it returns ERR_INTR; an
 * answer it waited for is dropped. Not a call a server is serving now
 * (it may have acted on it): that one ends with its answer, or when the
 * server puts it aside with a Reply. */
void ipc_interrupt(struct thread *t);

/* The thread is going away: cancel everything it takes part in. */
void ipc_thread_cleanup(struct thread *t);
void endpoint_destroy(struct endpoint *ep);
/* The last capability that can receive on ep went (object.c): nobody can
 * ever serve it again. Every call queued on it (threads, asynchronous
 * calls) ends with ERR_PIPE, its paged objects fail (pager.c), and later
 * calls and sends fail at once with ERR_PIPE: a client of a dead server
 * never waits for ever. While some capability can still receive (a
 * restarted server's, or init's, which keeps it for the restart), calls
 * wait in the queue for the next receive. */
void endpoint_unserved(struct endpoint *ep);

/* A page request was queued on ep (kernel/pager.c): a receiver waiting
 * there gets it now. */
void ipc_pager_kick(struct endpoint *ep);

/* Delivers a fault of t to its process's fault endpoint as a call (prot:
 * a mapped page's protection forbade the access, CAIRN_FAULT_PROT); false
 * when there is none, or nobody can receive on it any more (its server
 * died and nobody restarts it): the caller then ends the process. The answer retries the instruction, resumes at
 * another pc (CAIRN_FAULT_RESUME) or ends the process. */
bool ipc_send_fault(struct thread *t, unsigned kind, bool prot, uintptr_t addr, uintptr_t pc);

void notify_signal(struct notification *n, uint64_t bits);
/* The same from a thread's system call: a waiter of higher priority runs
 * at once. */
void notify_signal_user(struct notification *n, uint64_t bits);
err_t notify_wait(struct notification *n, uint64_t timeout_ns, uint64_t *bits);
void notification_destroy(struct notification *n);
/* NOTIFY_BIND (ERR_BUSY: n or t is bound already) and NOTIFY_UNBIND. */
err_t notify_bind(struct notification *n, struct thread *t);
void notify_unbind(struct notification *n);

/* Rings (ring.c) */
/* THREAD_SET_RING: whether mo can hold t's rings of `entries` entries
 * (ERR_INVAL: not a power of two up to 64, not contiguous, too small;
 * ERR_BUSY: t has calls in flight); then the change, which cannot fail. */
err_t ring_check(const struct thread *t, const struct memobj *mo, uint64_t entries);
void ring_set(struct thread *t, struct memobj *mo, uint64_t entries);
err_t ring_enter(uint64_t n_submit, uint64_t min_complete, uint64_t timeout_ns,
		 uint64_t *submitted, uint64_t *ready);
/* Posts a completion for t (t's ring exists). */
void ring_complete(struct thread *t, uint64_t user_data, err_t err, const struct msg *m, uint64_t badge);
void ring_release(struct thread *t);

#endif
