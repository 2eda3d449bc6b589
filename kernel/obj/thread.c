// SPDX-License-Identifier: MIT
/*
 * Thread methods: start a thread, give it an IPC buffer and rings, set
 * its priority and thread pointer, interrupt it with an upcall, suspend
 * and resume it. Every one needs the manage right and a thread that has
 * not ended. Threads themselves (creation, scheduling) are
 * kernel/process.c and kernel/sched.c.
 */
#include <kernel/method.h>
#include <kernel/memory.h>
#include <kernel/smp.h>

static bool thread_alive(const struct kobj *o)
{
	return ((const struct thread *)o)->state != TS_DEAD;
}

#define THREAD(iv) ((struct thread *)(iv)->obj)

/* ---- THREAD_START, THREAD_SET_PRIORITY, THREAD_SET_TLS ----------------------------- */

static err_t thread_decode_start(struct invocation *iv)
{
	const uint64_t *w = iv->in->w;

	if (THREAD(iv)->started)
		return ERR_BUSY;
	if (w[0] >= arch_user_top() || w[1] >= arch_user_top() + 1 || w[3] >= NPRIO)
		return ERR_INVAL;
	if (w[3] > current->mcp)
		return ERR_PERM;             /* no thread above what its creator may use */
	return ERR_OK;
}

static void thread_invoke_start(struct invocation *iv)
{
	struct thread *t = THREAD(iv);
	const uint64_t *w = iv->in->w;

	arch_user_frame_init(t->tf, w[0], w[1], w[2]);
	t->prio = w[3];
	t->mcp = w[3];
	t->started = 1;
	sched_ready(t);
}

/* (priority, ceiling, flags): the priority at most the caller's
 * ceiling; THREAD_PRIO_CEILING: the thread's ceiling too (at most the
 * caller's, and not below the priority); THREAD_PRIO_FIFO: no time
 * slice (its absence: round robin, as threads start). */
static err_t thread_decode_set_priority(struct invocation *iv)
{
	const uint64_t *w = iv->in->w;

	if (w[0] >= NPRIO || (w[2] & ~(uint64_t)(THREAD_PRIO_CEILING | THREAD_PRIO_FIFO)))
		return ERR_INVAL;
	if ((w[2] & THREAD_PRIO_CEILING) && (w[1] >= NPRIO || w[1] < w[0]))
		return ERR_INVAL;
	if (w[0] > current->mcp || ((w[2] & THREAD_PRIO_CEILING) && w[1] > current->mcp))
		return ERR_PERM;
	return ERR_OK;
}

static void thread_invoke_set_priority(struct invocation *iv)
{
	struct thread *t = THREAD(iv);
	const uint64_t *w = iv->in->w;

	if (w[2] & THREAD_PRIO_CEILING)
		t->mcp = (uint8_t)w[1];
	t->fifo = (w[2] & THREAD_PRIO_FIFO) != 0;
	thread_set_prio(t, w[0]);
}

/* Not of a thread that runs on another CPU: its thread pointer is live
 * there. */
static err_t thread_decode_set_tls(struct invocation *iv)
{
	struct thread *t = THREAD(iv);

	return t->on_cpu && t != current ? ERR_BUSY : ERR_OK;
}

static void thread_invoke_set_tls(struct invocation *iv)
{
	struct thread *t = THREAD(iv);

	arch_set_tls(&t->ctx, t->tf, iv->in->w[0], t == current);
}

/* ---- THREAD_SET_IPCBUF, THREAD_SET_RING ------------------------------------------- */

struct thread_mo_args {
	struct memobj *mo;
};

/* The page is made, unshared and pinned here (the reservation): the
 * kernel reaches it through the direct map from then on. */
static err_t thread_decode_set_ipcbuf(struct invocation *iv)
{
	struct thread_mo_args *a = METHOD_ARGS(struct thread_mo_args, iv);
	struct cap *c;
	err_t e;

	if ((e = method_cap(iv, 0, OBJ_MEMOBJ, RIGHT_READ | RIGHT_WRITE, &c)))
		return e;
	a->mo = (struct memobj *)c->obj;
	if (iv->in->w[0] >= a->mo->npages)
		return ERR_RANGE;
	return memobj_pin(a->mo, iv->in->w[0]);
}

static void thread_invoke_set_ipcbuf(struct invocation *iv)
{
	struct thread_mo_args *a = METHOD_ARGS(struct thread_mo_args, iv);
	struct thread *t = THREAD(iv);

	if (t->ipcbuf_mo)
		kobj_put(&t->ipcbuf_mo->obj);
	kobj_get(&a->mo->obj);
	t->ipcbuf_mo = a->mo;
	t->ipcbuf = memobj_kaddr(a->mo, iv->in->w[0] * PAGE_SIZE);
}

static err_t thread_decode_set_ring(struct invocation *iv)
{
	struct thread_mo_args *a = METHOD_ARGS(struct thread_mo_args, iv);
	struct cap *c;
	err_t e;

	if ((e = method_cap(iv, 0, OBJ_MEMOBJ, RIGHT_READ | RIGHT_WRITE, &c)))
		return e;
	a->mo = (struct memobj *)c->obj;
	return ring_check(THREAD(iv), a->mo, iv->in->w[0]);
}

static void thread_invoke_set_ring(struct invocation *iv)
{
	struct thread_mo_args *a = METHOD_ARGS(struct thread_mo_args, iv);

	ring_set(THREAD(iv), a->mo, iv->in->w[0]);
}

/* ---- THREAD_UPCALL ------------------------------------------------------------------ */

static err_t thread_decode_upcall(struct invocation *iv)
{
	return thread_upcall_check(THREAD(iv), iv->in->w[0], iv->in->w[2]);
}

static void thread_invoke_upcall(struct invocation *iv)
{
	thread_upcall(THREAD(iv), iv->in->w[0], iv->in->w[1], iv->in->w[2]);
}

/* ---- THREAD_SET_ALTSTACK ------------------------------------------------------------ */

static err_t thread_decode_set_altstack(struct invocation *iv)
{
	uint64_t base = iv->in->w[0], size = iv->in->w[1];

	if (!size)
		return ERR_OK;
	return size < UPCALL_ALTSTACK_MIN || base >= arch_user_top() || size > arch_user_top() - base
		       ? ERR_INVAL : ERR_OK;
}

static void thread_invoke_set_altstack(struct invocation *iv)
{
	struct thread *t = THREAD(iv);

	t->alt_base = iv->in->w[1] ? iv->in->w[0] : 0;
	t->alt_size = iv->in->w[1];
}

/* ---- THREAD_SUSPEND, THREAD_RESUME (also for PROC_SUSPEND, PROC_RESUME) --------------- */

err_t thread_suspend_check(const struct thread *t)
{
	if (t->state == TS_SUSPENDED || t->suspend_pending)
		return ERR_BUSY;
	if (t->state == TS_BLOCKED || t->state == TS_READY || t->state == TS_RUNNING)
		return ERR_OK;
	return ERR_BUSY;                     /* not started */
}

void thread_suspend(struct thread *t)
{
	if (t->state == TS_BLOCKED) {      /* suspended when its call returns */
		t->suspend_pending = 1;
		return;
	}
	if (t->state == TS_READY)
		sched_dequeue(t);
	t->state = TS_SUSPENDED;
	/* running on another CPU: stopped before we return (a call it was
	 * about to make waits for its resumption: syscall.c, kenter()) */
	sched_kick_sync(t);
}

err_t thread_resume_check(const struct thread *t)
{
	return t->suspend_pending || t->state == TS_SUSPENDED ? ERR_OK : ERR_INVAL;
}

void thread_resume(struct thread *t)
{
	if (t->suspend_pending)
		t->suspend_pending = 0;
	else if (t->on_cpu)
		/* suspended while running on another CPU, which has not
		 * switched away from it yet (it may wait for the kernel lock
		 * in kenter(), to find the suspension there): it runs on, as
		 * if never stopped. Queued, another CPU would take it and wait
		 * with the lock held for it to leave its CPU, which waits for
		 * the lock: every CPU stopped (signals.siginfo_codes on four
		 * x86-64 CPUs, SIGSTOP then SIGCONT to a child) */
		t->state = TS_RUNNING;
	else
		sched_ready(t);
}

static err_t thread_decode_suspend(struct invocation *iv)
{
	return thread_suspend_check(THREAD(iv));
}

static void thread_invoke_suspend(struct invocation *iv)
{
	thread_suspend(THREAD(iv));
}

static err_t thread_decode_resume(struct invocation *iv)
{
	return thread_resume_check(THREAD(iv));
}

static void thread_invoke_resume(struct invocation *iv)
{
	thread_resume(THREAD(iv));
}

/* ---- THREAD_SET_AFFINITY, THREAD_GET_AFFINITY ---------------------------------------- */

static err_t thread_decode_set_affinity(struct invocation *iv)
{
	return iv->in->w[0] & sched_online_mask ? ERR_OK : ERR_INVAL;
}

static void thread_invoke_set_affinity(struct invocation *iv)
{
	sched_set_affinity(THREAD(iv), iv->in->w[0] & sched_online_mask);
}

static void thread_invoke_get_affinity(struct invocation *iv)
{
	struct thread *t = THREAD(iv);

	iv->out->w[0] = t->affinity & sched_online_mask;
	iv->out->w[1] = t->cpu;
}

static void thread_invoke_get_id(struct invocation *iv)
{
	iv->out->w[0] = THREAD(iv)->id;
}

static void thread_invoke_get_time(struct invocation *iv)
{
	iv->out->w[0] = thread_cpu_ns(THREAD(iv));
}

#define METHODS_FIRST THREAD_START
static const struct method methods[] = {
	METHOD(THREAD_START, RIGHT_MANAGE, M_LIVE, thread_decode_start, thread_invoke_start),
	METHOD(THREAD_SET_IPCBUF, RIGHT_MANAGE, M_LIVE, thread_decode_set_ipcbuf, thread_invoke_set_ipcbuf),
	METHOD(THREAD_SET_RING, RIGHT_MANAGE, M_LIVE, thread_decode_set_ring, thread_invoke_set_ring),
	METHOD(THREAD_SET_PRIORITY, RIGHT_MANAGE, M_LIVE, thread_decode_set_priority,
	       thread_invoke_set_priority),
	METHOD(THREAD_SET_TLS, RIGHT_MANAGE, M_LIVE, thread_decode_set_tls, thread_invoke_set_tls),
	METHOD(THREAD_UPCALL, RIGHT_MANAGE, M_LIVE, thread_decode_upcall, thread_invoke_upcall),
	METHOD(THREAD_SUSPEND, RIGHT_MANAGE, M_LIVE, thread_decode_suspend, thread_invoke_suspend),
	METHOD(THREAD_RESUME, RIGHT_MANAGE, M_LIVE, thread_decode_resume, thread_invoke_resume),
	METHOD(THREAD_SET_AFFINITY, RIGHT_MANAGE, M_LIVE, thread_decode_set_affinity,
	       thread_invoke_set_affinity),
	METHOD(THREAD_GET_AFFINITY, RIGHT_READ, 0, NULL, thread_invoke_get_affinity),
	METHOD(THREAD_SET_ALTSTACK, RIGHT_MANAGE, M_LIVE, thread_decode_set_altstack,
	       thread_invoke_set_altstack),
	METHOD(THREAD_GET_ID, RIGHT_READ, 0, NULL, thread_invoke_get_id),
	METHOD(THREAD_GET_TIME, RIGHT_READ, 0, NULL, thread_invoke_get_time),
};

METHOD_TABLE(thread_methods, methods, thread_alive);
