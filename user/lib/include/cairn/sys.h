/* SPDX-License-Identifier: MIT */
/*
 * System calls of the Cairn kernel ABI (include/cairn/abi.h) as inline C
 * functions, for user programs linked with libcairn. The trap itself is in
 * <cairn/syscall_arch.h> (user/lib/arch/<arch>/include).
 *
 * Calling a kernel object and calling a server are the same operation:
 * cairn_call(). cairn_invoke() wraps the common case of a kernel method
 * whose answer label is an err_t.
 */
#ifndef CAIRN_SYS_H
#define CAIRN_SYS_H
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <cairn/abi.h>
#include <cairn/syscall_arch.h>

/* A received message or the answer to a call: err is the error of the call
 * mechanism (result 0), then the badge of the capability it came through
 * (0 for answers), the tag and words 0..3. Words 4.. are in cairn_ipcbuf(). */
struct cairn_msg {
	uint64_t err, badge, tag, w[4];
};

/* The calling thread's IPC buffer. The first thread's is CAIRN_IPCBUF_VA;
 * a thread started by the runtime sets its own (single-threaded for now).
 * A runtime whose threads each have theirs (musl-port) defines
 * CAIRN_IPCBUF_HOOK as the function that finds the caller's. */
extern struct cairn_ipcbuf *cairn_ipcbuf_ptr;
#ifdef CAIRN_IPCBUF_HOOK
struct cairn_ipcbuf *CAIRN_IPCBUF_HOOK(void);
static inline struct cairn_ipcbuf *cairn_ipcbuf(void) { return CAIRN_IPCBUF_HOOK(); }
#else
static inline struct cairn_ipcbuf *cairn_ipcbuf(void) { return cairn_ipcbuf_ptr; }
#endif

static inline struct cairn_msg cairn_sys_msg(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2,
					     uint64_t a3, uint64_t a4, uint64_t a5)
{
	uint64_t r[6];
	struct cairn_msg m;

	m.err = cairn_arch_syscall(nr, a0, a1, a2, a3, a4, a5, r);
	m.badge = r[0];
	m.tag = r[1];
	m.w[0] = r[2];
	m.w[1] = r[3];
	m.w[2] = r[4];
	m.w[3] = r[5];
	return m;
}

/* SYS_NULL: does nothing; err 0. */
static inline err_t cairn_null(void)
{
	uint64_t r[6];
	return (err_t)cairn_arch_syscall(SYS_NULL, 0, 0, 0, 0, 0, 0, r);
}

/* SYS_CALL: sends (tag, w0..w3 [+ ipcbuf words and caps]) through cap and
 * waits for the answer. */
static inline struct cairn_msg cairn_call(cap_t cap, uint64_t tag, uint64_t w0, uint64_t w1,
					  uint64_t w2, uint64_t w3)
{
	return cairn_sys_msg(SYS_CALL, cap, tag, w0, w1, w2, w3);
}

/* SYS_RECV: waits for a message on endpoint ep (flags: CAIRN_RECV_NONBLOCK). */
static inline struct cairn_msg cairn_recv(cap_t ep, uint64_t flags)
{
	return cairn_sys_msg(SYS_RECV, ep, flags, 0, 0, 0, 0);
}

/* SYS_REPLY: answers the last call received. */
static inline err_t cairn_reply(uint64_t tag, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3)
{
	uint64_t r[6];
	return (err_t)cairn_arch_syscall(SYS_REPLY, tag, w0, w1, w2, w3, 0, r);
}

/* SYS_REPLY_RECV: answers the last call received (if its caller waits),
 * then waits for the next message on ep. */
static inline struct cairn_msg cairn_reply_recv(cap_t ep, uint64_t tag, uint64_t w0, uint64_t w1,
						uint64_t w2, uint64_t w3)
{
	return cairn_sys_msg(SYS_REPLY_RECV, ep, tag, w0, w1, w2, w3);
}

/* SYS_SEND: sends without waiting for an answer (add CAIRN_NONBLOCK to the
 * tag not to wait for a receiver either). */
static inline err_t cairn_send(cap_t cap, uint64_t tag, uint64_t w0, uint64_t w1, uint64_t w2,
			       uint64_t w3)
{
	uint64_t r[6];
	return (err_t)cairn_arch_syscall(SYS_SEND, cap, tag, w0, w1, w2, w3, r);
}

/* SYS_WAIT: waits on a Notification up to timeout_ns (0 = poll,
 * CAIRN_FOREVER); the bits that woke it go to *bits (may be NULL). */
static inline err_t cairn_wait(cap_t notification, uint64_t timeout_ns, uint64_t *bits)
{
	uint64_t r[6];
	err_t e = (err_t)cairn_arch_syscall(SYS_WAIT, notification, timeout_ns, 0, 0, 0, 0, r);

	if (bits)
		*bits = e ? 0 : r[0];
	return e;
}

/* SYS_YIELD */
static inline err_t cairn_yield(void)
{
	uint64_t r[6];
	return (err_t)cairn_arch_syscall(SYS_YIELD, 0, 0, 0, 0, 0, 0, r);
}

/* SYS_YIELD(ns): sleeps ns (> 0); threads of every priority may run
 * meanwhile. ERR_INTR if an upcall ended it. */
static inline err_t cairn_nap(uint64_t ns)
{
	uint64_t r[6];
	return (err_t)cairn_arch_syscall(SYS_YIELD, ns, 0, 0, 0, 0, 0, r);
}

/* Takes the spin lock *l (0 free, 1 taken): yields a few times, then
 * naps, so that a holder of a lower priority preempted inside the lock
 * runs even on one CPU (yields alone go to nobody below the waiter). */
#define CAIRN_LOCK_YIELDS 8
#define CAIRN_LOCK_NAP_NS 100000
static inline void cairn_spin_take(volatile int *l)
{
	for (unsigned turns = 0; __atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE); turns++) {
		if (turns < CAIRN_LOCK_YIELDS)
			cairn_yield();
		else
			cairn_nap(CAIRN_LOCK_NAP_NS);
	}
}

/* SYS_ENTER: submits n_submit ring entries and waits until min_complete
 * completions are ready or timeout_ns passes. submitted/ready may be NULL. */
static inline err_t cairn_enter(uint64_t n_submit, uint64_t min_complete, uint64_t timeout_ns,
				uint64_t *submitted, uint64_t *ready)
{
	uint64_t r[6];
	err_t e = (err_t)cairn_arch_syscall(SYS_ENTER, n_submit, min_complete, timeout_ns, 0, 0, 0, r);

	if (submitted)
		*submitted = r[0];
	if (ready)
		*ready = r[1];
	return e;
}

/* SYS_CAP: operation op (CAP_OP_*) on the caller's own table. Results 1..3
 * go to out[0..2] when out is not NULL (the slot used; or type, rights,
 * badge for CAP_OP_IDENTIFY). */
static inline err_t cairn_cap_op(unsigned op, cap_t slot, cap_t dst, unsigned rights,
				 uint64_t badge, uint64_t out[3])
{
	uint64_t r[6];
	err_t e = (err_t)cairn_arch_syscall(SYS_CAP, op, slot, dst, rights, badge, 0, r);

	if (out) {
		out[0] = r[0];
		out[1] = r[1];
		out[2] = r[2];
	}
	return e;
}

/* CAP_OP_IDENTIFY with all four results: out[0..3] = type, rights, badge,
 * object id (the id names the object for the whole boot). */
static inline err_t cairn_cap_identify(cap_t slot, uint64_t out[4])
{
	uint64_t r[6];
	err_t e = (err_t)cairn_arch_syscall(SYS_CAP, CAP_OP_IDENTIFY, slot, CAP_NULL, 0, 0, 0, r);

	for (unsigned i = 0; i < 4; i++)
		out[i] = r[i];
	return e;
}

static inline err_t cairn_cap_delete(cap_t slot)
{
	return cairn_cap_op(CAP_OP_DELETE, slot, CAP_NULL, 0, 0, NULL);
}

/* Copies slot into a free slot with rights &= rights; the new slot in *out. */
static inline err_t cairn_cap_copy(cap_t slot, unsigned rights, cap_t *out)
{
	uint64_t r[3];
	err_t e = cairn_cap_op(CAP_OP_COPY, slot, CAP_NULL, rights, 0, r);

	if (!e && out)
		*out = r[0];
	return e;
}

/* SYS_EXIT: ends the calling process. Use exit() to flush the console first. */
__attribute__((noreturn)) static inline void cairn_exit(int status)
{
	uint64_t r[6];

	for (;;)
		cairn_arch_syscall(SYS_EXIT, (uint64_t)(int64_t)status, 0, 0, 0, 0, 0, r);
}

/* SYS_THREAD_EXIT: ends the calling thread (the last one ends the process). */
__attribute__((noreturn)) static inline void cairn_thread_exit(void)
{
	uint64_t r[6];

	for (;;)
		cairn_arch_syscall(SYS_THREAD_EXIT, 0, 0, 0, 0, 0, 0, r);
}

/*
 * Calls method on the object cap names with arguments w0..w3 (message
 * length 4 words) and the first ncaps capabilities of ipcbuf->caps[].
 * Returns the error of the call mechanism if there is one, else the label
 * of the answer (a kernel method answers with its err_t). The whole answer
 * goes to *out when out is not NULL (its results are out->w[]).
 */
static inline err_t cairn_invoke(cap_t cap, uint32_t method, unsigned ncaps, uint64_t w0,
				 uint64_t w1, uint64_t w2, uint64_t w3, struct cairn_msg *out)
{
	struct cairn_msg m = cairn_call(cap, cairn_tag(method, CAIRN_MSG_REGS, ncaps), w0, w1, w2, w3);

	if (out)
		*out = m;
	if (m.err)
		return (err_t)m.err;
	return (err_t)cairn_tag_label(m.tag);
}

/* cairn_invoke() with one capability (cap0) sent in ipcbuf->caps[0]. */
static inline err_t cairn_invoke_cap(cap_t cap, uint32_t method, cap_t cap0, uint64_t w0,
				     uint64_t w1, uint64_t w2, uint64_t w3, struct cairn_msg *out)
{
	cairn_ipcbuf()->caps[0] = cap0;
	return cairn_invoke(cap, method, 1, w0, w1, w2, w3, out);
}

/* ---- pagers: paged MemoryObjects (abi.h MEMOBJ_SET_PAGER..; docs/kernel.md) ---- */

/* MEMOBJ_SET_PAGER: page requests for mo go to ep (a receive capability)
 * with badge key; the object is size bytes. */
static inline err_t cairn_pager_set(cap_t mo, cap_t ep, uint64_t key, uint64_t size)
{
	return cairn_invoke_cap(mo, MEMOBJ_SET_PAGER, ep, key, size, 0, 0, NULL);
}

/* A page request: a message received with label CAIRN_PAGER_LABEL. */
struct cairn_page_request {
	uint64_t key, first, count;
	bool write;                 /* a write asked for one of the pages */
};

/* Whether m (received) is a page request; its fields in *r. */
static inline bool cairn_page_request(const struct cairn_msg *m, struct cairn_page_request *r)
{
	if (m->err || cairn_tag_label(m->tag) != CAIRN_PAGER_LABEL)
		return false;
	*r = (struct cairn_page_request){ m->badge, m->w[0], m->w[1], (m->w[2] & CAIRN_PAGER_WRITE) != 0 };
	return true;
}

/* MEMOBJ_SUPPLY: pages [first, first + count) of mo from src's pages
 * [src_first, ...); *supplied (may be NULL): those that were absent. */
static inline err_t cairn_pager_supply(cap_t mo, uint64_t first, uint64_t count, cap_t src,
				       uint64_t src_first, uint64_t *supplied)
{
	struct cairn_msg m;
	err_t e = cairn_invoke_cap(mo, MEMOBJ_SUPPLY, src, first, count, src_first, 0, &m);

	if (!e && supplied)
		*supplied = m.w[0];
	return e;
}

/* MEMOBJ_FAIL: the threads waiting for pages in the range get a fault. */
static inline err_t cairn_pager_fail(cap_t mo, uint64_t first, uint64_t count)
{
	return cairn_invoke(mo, MEMOBJ_FAIL, 0, first, count, 0, 0, NULL);
}

/* MEMOBJ_DIRTY: the pages of [first, first + count) (count <= 64) written
 * since last asked (bit k: page first + k), cleared; *next: the next dirty
 * page at or after first + count (the object's pages: none). */
static inline err_t cairn_pager_dirty(cap_t mo, uint64_t first, uint64_t count, uint64_t *bits,
				      uint64_t *next)
{
	struct cairn_msg m;
	err_t e = cairn_invoke(mo, MEMOBJ_DIRTY, 0, first, count, 0, 0, &m);

	if (!e) {
		*bits = m.w[0];
		*next = m.w[1];
	}
	return e;
}

/* MEMOBJ_EVICT: drops the clean pages of the range; *evicted may be NULL. */
static inline err_t cairn_pager_evict(cap_t mo, uint64_t first, uint64_t count, uint64_t *evicted)
{
	struct cairn_msg m;
	err_t e = cairn_invoke(mo, MEMOBJ_EVICT, 0, first, count, 0, 0, &m);

	if (!e && evicted)
		*evicted = m.w[0];
	return e;
}

/* MEMOBJ_RESIZE: the object is size bytes from now on. */
static inline err_t cairn_pager_resize(cap_t mo, uint64_t size)
{
	return cairn_invoke(mo, MEMOBJ_RESIZE, 0, size, 0, 0, 0, NULL);
}

#endif
