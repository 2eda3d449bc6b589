/* SPDX-License-Identifier: MIT */
/*
 * Threads, processes and the scheduler.
 */
#ifndef KERNEL_THREAD_H
#define KERNEL_THREAD_H
#include <kernel/object.h>
#include <kernel/memory.h>
#include <kernel/astag.h>

#define NPRIO          128         /* priorities 0 (lowest) .. 127 */
#define KSTACK_ORDER   2           /* 16 KiB kernel stack a thread */
#define KSTACK_SIZE    (PAGE_SIZE << KSTACK_ORDER)
#define SLICE_NS       (CONFIG_TIME_SLICE_MS * 1000000ull)
#define INIT_PRIORITY  126         /* init's; a thread never starts another above its own */

enum thread_state {
	TS_INACTIVE,     /* created, not started */
	TS_READY,        /* on the run queue (or running: see current) */
	TS_RUNNING,
	TS_BLOCKED,      /* waiting: see block_kind */
	TS_SUSPENDED,
	TS_DEAD,
};

enum block_kind {
	BK_NONE, BK_SEND, BK_CALL, BK_REPLY, BK_RECV, BK_NOTIFY, BK_RING, BK_SLEEP,
	BK_PAGE,         /* a page of a paged object (kernel/pager.c), page_wait */
};

struct memobj;
struct endpoint;
struct notification;
struct async_msg;

struct thread {
	struct kobj obj;
	struct process *proc;         /* owns a reference */
	struct list proc_node;        /* process's thread list */
	struct arch_context ctx;
	void *kstack;                 /* KSTACK_SIZE bytes; the trap frame at its top */
	struct trap_frame *tf;
	enum thread_state state;
	enum block_kind block;
	uint8_t prio;
	uint8_t mcp;                  /* highest priority it may give (its start priority,
	                               * or a ceiling set by THREAD_SET_PRIORITY) */
	uint8_t fifo;                 /* THREAD_PRIO_FIFO: no time slice; preempted, first again */
	uint8_t started;
	uint8_t on_cpu;               /* some CPU's current thread (its context is live there) */
	uint8_t cpu;                  /* the CPU it runs on, or last ran on */
	uint64_t affinity;            /* CPUs it may run on (bit i: CPU i); never 0 */
	struct list qnode;            /* run queue or a wait queue */
	void *wait_obj;               /* the endpoint/notification waited on */
	uint64_t deadline;            /* timeout (ns), 0 = none */
	struct list tnode;            /* a CPU's timeout list */
	err_t wake_err;               /* result for the woken syscall */
	size_t page_wait;             /* BK_PAGE: the page waited for */

	/* IPC */
	uint64_t msg_tag, msg_w[4], msg_badge;   /* while blocked sending */
	uint8_t msg_grant;
	uint8_t fault_pending;        /* blocked in a fault call */
	uint8_t upcall_pending;       /* divert to upcall_pc on the way to user mode */
	uint8_t suspend_pending;      /* suspend on the way to user mode (was blocked) */
	uint8_t upcall_onstack;       /* ... on the alternate stack (UPCALL_ONSTACK) */
	uint64_t upcall_pc, upcall_arg;
	uint64_t alt_base, alt_size;  /* THREAD_SET_ALTSTACK; size 0: none */
	struct list async_sent;       /* async_msg.snode of calls out */
	struct thread *reply_to;      /* the caller this thread must answer */
	struct async_msg *reply_async;/* ... or the asynchronous call */
	struct thread *replier;       /* while BK_REPLY: who holds our reply */
	struct kobj *reply_obj;       /* ... or the Reply object it was saved in */
	struct notification *bound_note; /* NOTIFY_BIND: its signals come as messages */
	struct endpoint *served;      /* the Endpoint it last received on (THREAD_UPCALL) */
	uint64_t run_ticks;           /* counter ticks it ran (kernel time for it included),
	                               * up to its last switch away (thread_cpu_ns()) */
	uint32_t id;

	/* IPC buffer: one page of a MemoryObject, reached through the direct map */
	struct memobj *ipcbuf_mo;
	struct cairn_ipcbuf *ipcbuf;

	/* rings */
	struct memobj *ring_mo;
	void *ring;
	uint32_t ring_entries, ring_inflight;
	uint32_t ring_min_complete;
};

struct aspace;

struct process {
	struct kobj obj;
	struct quota *quota;          /* the process's own quota */
	struct aspace *as;
	struct cap_table caps;
	struct list threads;
	unsigned nthreads;
	int state;                    /* PROC_STATE_* */
	uint64_t status, fault_addr, fault_pc;
	uint64_t dead_ticks;          /* run_ticks of its threads that ended */
	struct notification *exit_notify;
	uint64_t exit_bits;
	struct endpoint *fault_ep;
	uint64_t fault_badge;
	uint32_t id;
	char name[24];
	struct list live_node;        /* process_live, until it ends (the thread dump) */
	struct list pagers;           /* struct pager.binder_node: the objects it set
				       * itself pager of (MEMOBJ_SET_PAGER), until it ends */
};

/* ---- inline lookups (the IPC fast path) ---- */

static inline struct cap *cap_get(struct process *p, cap_t slot)
{
	struct cap *page;

	if (unlikely(slot >= p->caps.nslots))
		return NULL;
	page = p->caps.dir[slot / CAPS_PER_PAGE];
	return likely(page) ? &page[slot % CAPS_PER_PAGE] : NULL;
}

static inline err_t cap_lookup(struct process *p, cap_t slot, unsigned type, unsigned rights,
			       struct cap **out)
{
	struct cap *c = cap_get(p, slot);

	if (!c || !c->obj)
		return ERR_BADF;
	if (type != OBJ_NONE && c->obj->type != type)
		return ERR_INVAL;
	if ((c->rights & rights) != rights)
		return ERR_PERM;
	*out = c;
	return ERR_OK;
}

/* ---- CPUs ---------------------------------------------------------------------- */

/* Work for the way back to user mode, tested with one load (.any):
 * resched: current should give up the CPU (preempted, blocked, killed,
 * suspended, yielding); reap: objects wait for kobj_reap(); unlock: the
 * CPU holds the kernel lock whole (kernel/smp.c), so a system call that
 * took it leaves by the slow way, and one that did not pays nothing. */
union sched_work {
	uint32_t any;
	struct {
		uint8_t resched, reap, unlock, pad;
	} b;
};

/*
 * What the core keeps per CPU (kernel/sched.c, kernel/smp.c). A CPU's
 * fields are written by that CPU, or by another one holding the kernel
 * lock while this one cannot be inside the kernel (it is in user mode,
 * idle, or waiting for the lock); ipi and tlb_req are the exceptions,
 * written with atomics by any CPU at any time.
 */
struct cpu {
	struct thread *cur;               /* the thread running here (`current`) */
	struct thread *prev;              /* the one before it (sched_finish_switch()) */
	union sched_work work;
	uint8_t online;               /* runs threads */
	uint8_t klocked;              /* KL_*: holds the kernel lock whole (kernel/smp.c) */
	uint8_t in_fast;              /* in fast mode, or about to be (several CPUs only) */
	uint8_t idling;               /* in the idle loop, interrupts on, waiting */
	uint8_t dozing;               /* waiting for the kernel lock, dozing (kernel/smp.c) */
	unsigned id;
	struct aspace *active_as;     /* whose page table is loaded (NULL: the kernel's) */
	uint64_t runq_bitmap[2];      /* bit p % 64 of word p / 64: runq[p] not empty */
	unsigned nready;              /* threads on runq */
	/* time (ns of clock_ns(); UINT64_MAX: none) */
	uint64_t slice_end;           /* the running thread's slice ends (only timed while others wait) */
	uint8_t slice_gift;           /* the rest of it came from a yield: at its end a slice of its own */
	uint64_t timeout_next;        /* the earliest of sleepers and timers */
	uint64_t timer_at;            /* what the CPU's timer is armed for */
	struct list sleepers;         /* threads blocked with a timeout here, by deadline */
	struct list timers;           /* Timer objects armed here, by deadline (kernel/obj/timer.c) */
	uint64_t switches;            /* scheduler switches here since boot (not IPC hand-offs) */
	uint64_t idle_ns, idle_since; /* time waiting in the idle loop; when this wait began */
	uint64_t run_since;           /* arch_counter_read() at the last switch here */
	/* requests from other CPUs (kernel/smp.c) */
	uint32_t ipi;                 /* IPI_* bits */
	uint32_t tlb_req;             /* a TLB request waits: tlb_as, tlb_leave */
	uint32_t kick_req;            /* leave user mode, and say so (smp_kick_sync) */
	struct aspace *tlb_as;
	uint8_t tlb_leave;
	uint32_t lock_held;           /* bit r: a lock of rank r held here (CONFIG_LOCK_CHECK) */
	struct thread idle;           /* runs sched_run() on the CPU's boot stack */
	/* last: 2 KiB of them, and the fields above stay within the reach of
	 * riscv64's 12-bit load offsets (before them, every later field cost
	 * an instruction more: thread_switch 314 -> 342) */
	struct list runq[NPRIO];
} __attribute__((aligned(64)));

#define KL_NONE  0
#define KL_WHOLE 2

/* One turn of a loop that waits for another CPU: a pause, and every
 * SPIN_DOZE turns a doze (arch_cpu_doze(): under emulation the CPU waited
 * for gets the host, or under -icount its turn). */
#define SPIN_DOZE 100
static inline void spin_turn(unsigned *spins)
{
	if (++*spins < SPIN_DOZE) {
		arch_cpu_relax();
	} else {
		*spins = 0;
		arch_cpu_doze();
	}
}

extern struct cpu cpus[CONFIG_NR_CPUS];
extern unsigned ncpus;                   /* CPUs that run threads: 0..ncpus-1 */

static inline struct cpu *this_cpu(void)
{
	return arch_cpu_core();
}

#define current (this_cpu()->cur)

/* t may run on this CPU (its affinity). */
static inline bool sched_runs_on(const struct thread *t, const struct cpu *c)
{
	return (t->affinity >> c->id) & 1;
}

static inline bool sched_runs_here(const struct thread *t)
{
	return sched_runs_on(t, this_cpu());
}
#define sched_work (this_cpu()->work)
#define sched_need_resched (this_cpu()->work.b.resched)

/* Makes next the running thread and switches to it (the caller has put
 * current where it belongs: a queue, blocked, dead). */
/*
 * prev's context is saved only inside arch_context_switch(): until then
 * it is still on_cpu, and another CPU that took it off a queue (fast mode:
 * an Endpoint's receivers) waits before it switches to it. The thread that
 * runs next clears it (sched_finish_switch()).
 */
/* Waits until t's context is saved (kernel/sched.c). */
void sched_wait_off_cpu(struct thread *t);

static inline void sched_finish_switch(void)
{
	__atomic_store_n(&this_cpu()->prev->on_cpu, 0, __ATOMIC_RELEASE);
}

/* The switch itself, next known to be off every CPU (the fast paths
 * checked: sched_switch_cpu() waits). mp: a machine with several CPUs;
 * with one there is no other CPU to tell that prev's context is saved
 * (no fence) and no CPU number to keep (on_cpu is kept: the general way
 * reads it). user: next is not the idle thread (the IPC fast paths know). */
static inline __attribute__((always_inline)) void sched_switch_on(struct cpu *c, struct thread *next,
								  const bool mp, const bool user)
{
	struct thread *prev = c->cur;
	/* read once: the byte store below may alias it (one CPU: 0) */
	unsigned id = mp ? c->id : 0;

	next->state = TS_RUNNING;
	c->cur = next;
	c->prev = prev;
	next->on_cpu = 1;
	if (mp)
		next->cpu = (uint8_t)id;
	/* CPU time: what prev ran since the last switch here (a counter
	 * read and two adds: the IPC fast paths pay them too) */
	uint64_t now = arch_counter_read();
	prev->run_ticks += now - c->run_since;
	c->run_since = now;
	if (user || next != &c->idle) {
		arch_set_user_frame(next->tf);
		if (next->proc->as != c->active_as) {
			c->active_as = next->proc->as;
			astag_load(id, c->active_as);
		}
	}
	arch_context_switch(&prev->ctx, &next->ctx);
	if (mp)
		sched_finish_switch();   /* this_cpu() afresh: maybe another CPU now */
	else
		c->prev->on_cpu = 0;     /* the one CPU: c is still ours */
}

/* A thread ready on c's queues more urgent than priority prio? (A direct
 * hand-off to a thread of prio must not pass it by.) */
static inline bool sched_ready_above(const struct cpu *c, unsigned prio)
{
	unsigned p = prio + 1;

	if (!c->nready || p >= NPRIO)
		return false;
	if (p >= 64)
		return (c->runq_bitmap[1] >> (p - 64)) != 0;
	return c->runq_bitmap[1] || (c->runq_bitmap[0] >> p);
}

static inline void sched_switch_fast(struct cpu *c, struct thread *next)
{
	sched_switch_on(c, next, true, false);
}

/* sched_switch_inline() with this CPU's struct cpu at hand. */
static inline void sched_switch_cpu(struct cpu *c, struct thread *next)
{
	if (unlikely(__atomic_load_n(&next->on_cpu, __ATOMIC_ACQUIRE)))
		sched_wait_off_cpu(next);
	sched_switch_fast(c, next);
}

static inline void sched_switch_inline(struct thread *next)
{
	sched_switch_cpu(this_cpu(), next);
}

/* The CPU time t has had, in ns (its run so far on a CPU included). */
uint64_t thread_cpu_ns(const struct thread *t);
/* ... and every thread of p, ended ones included. */
uint64_t process_cpu_ns(const struct process *p);

/* ---- scheduler (sched.c) --------------------------------------------------- */
void sched_init(void);
/* Makes t runnable (state READY, queued by priority). */
void sched_ready(struct thread *t);
/* The current thread gives up the CPU; its state must already say why
 * (BLOCKED, DEAD, ...; READY re-queues it). Returns when it runs again. */
void schedule(void);
/* Switches straight to t (IPC fast path): current must already be blocked
 * or queued. */
void sched_switch_to(struct thread *t);
/* Wakes t (blocked, off its wait queue; wake_err and results set) and
 * runs it at once; current goes back to the head of its run queue. For a
 * wake-up of a thread of higher priority. */
void sched_preempt_to(struct thread *t);
/* Blocks current with a timeout (ns from now; CAIRN_FOREVER: none) until
 * woken; returns current->wake_err. */
err_t sched_block(enum block_kind kind, void *obj, uint64_t timeout_ns);
/* Wakes a blocked thread with err as its result (removes timeouts, not
 * the wait queue: callers dequeue). */
void sched_wake(struct thread *t, err_t err);
/* Takes a thread off the run queue or the wait queue it is on. */
void sched_dequeue(struct thread *t);
/* An address space is going away: no CPU may keep it loaded. */
void sched_as_gone(struct aspace *as);
/* Called from clock_tick(): time slices and timeouts of this CPU. */
void sched_tick(void);
/* This CPU's timeout lists changed: timeout_next, and the timer (a CPU
 * other than this one: its timer may fire early, which is harmless). */
void sched_timeouts_changed(struct cpu *c);
/* Sets up this CPU's scheduler state (its idle thread is the caller). */
void sched_init_cpu(void);
/* Runs the scheduler's idle loop on this CPU forever (the kernel lock held). */
noreturn void sched_run(void);
/* t changed in a way its CPU must notice on its way to user mode (killed,
 * suspended, an upcall): when it runs on another CPU, interrupt that one.
 * sched_kick_sync() returns once that CPU has left user mode (it will not
 * go back before it has the kernel lock, which the caller holds). */
void sched_kick(struct thread *t);
void sched_kick_sync(struct thread *t);
/* THREAD_SET_AFFINITY: the CPUs t may run on (mask of online CPUs, not 0). */
void sched_set_affinity(struct thread *t, uint64_t mask);
/* Timer objects of CPU c whose deadline passed signal (clock_tick()). */
void sched_timer_check(struct cpu *c, uint64_t now);
/* The earliest deadline of CPU c's Timer objects, or UINT64_MAX. */
uint64_t timer_first(struct cpu *c);

/* ---- threads and processes (process.c) ------------------------------------- */
struct thread *thread_create(struct process *p, struct quota *q);
void thread_kill(struct thread *t);
void thread_set_prio(struct thread *t, unsigned prio);
void sched_check_preempt(struct thread *t);   /* a running t's priority fell */
void sched_yield_now(void);                  /* schedule(), a SCHED_FIFO thread last at its level */
struct process *process_create(struct quota *parent, uint64_t limit, uint64_t reserve,
			       const char *name);
/* Ends a process: every thread, capability and mapping goes. */
void process_exit(struct process *p, int state, uint64_t status);
/* Loads an ELF64 file held in mo at [off, off+size) into p's space. */
err_t process_load_elf(struct process *p, struct memobj *mo, uint64_t off, uint64_t size,
		       uint64_t *entry);
/* Starts init from the boot image; returns false when there is none. */
bool process_start_init(const struct boot_info *bi);
/* Status of init when it ended (for the power-off status). */
void process_init_ended(struct process *p);

/* Upcalls (upcall.c). */
/* THREAD_UPCALL: ERR_INVAL when t was never started, pc is not a user
 * address or flags are unknown, ERR_BUSY while one is pending; then the
 * change, which cannot fail. */
err_t thread_upcall_check(const struct thread *t, uint64_t pc, uint64_t flags);
void thread_upcall(struct thread *t, uint64_t pc, uint64_t arg, uint64_t flags);
uint64_t upcall_deliver(bool partial, uint64_t r);
uint64_t sys_upcall_return(uint64_t frame);
/* The work on the way back to user mode, without upcalls (syscall path). */
void sched_return_work(void);
/* A pending suspension, then a pending upcall (partial: from the syscall
 * path, r its result 0; returns what that path must return). */
uint64_t sched_return_to_user(bool partial, uint64_t r);

/* CAIRN_FAULT_* for a TRAP_USER_* kind. */
unsigned fault_kind(unsigned trap_kind);
/* A user fault in the current thread (from trap_user). */
void thread_fault(struct thread *t, unsigned kind, uintptr_t addr, uintptr_t pc);

#endif
