/* SPDX-License-Identifier: MIT */
/*
 * Threads: clone with CLONE_THREAD (pthread_create), the thread exit that
 * clears and wakes the child-tid word, futex, membarrier.
 *
 * A thread is a kernel Thread of this process (PROC_CREATE OBJ_THREAD)
 * with its own IPC buffer: a page mapped with cairn_map and registered
 * with THREAD_SET_IPCBUF, whose address musl's struct pthread carries
 * (the field cairn_ipcbuf, 0005-pthread-ipcbuf.patch); cairn_ipcbuf()
 * is __cairn_ipcbuf_self() (sys.h's CAIRN_IPCBUF_HOOK, set for all of
 * musl-port). Until the first thread is made, every call uses the first
 * thread's buffer (CAIRN_IPCBUF_VA) without looking at the thread pointer,
 * which is not set up yet when the process starts.
 *
 * The threads are kept in a list of entries, each in the thread's own
 * memory: a MemoryObject of two pages, its IPC buffer, then its entry
 * (struct thr) with its exit stack above it. So threads are bounded by
 * memory only (the process's quota: a thread's kernel Thread and stack,
 * its IPC buffer, Notification and these pages). A live thread finds its
 * entry through its struct pthread (cairn_sig points into it); a thread
 * is also found by its thread pointer (the exit of a detached thread runs
 * after its struct pthread was unmapped: the pointer is still in tp / the
 * FS base, its memory is not). A thread that ends leaves its entry to be
 * reaped by a later clone, once the kernel says it ended: its IPC buffer,
 * Notification and capabilities cannot go while it runs on them, nor (an
 * munmap waits for it) its stack, which it still uses after it clears its
 * ctid word.
 *
 * futex: each waiting thread sleeps on its own Notification, listed with
 * the address it waits on (struct waiter, in its entry); FUTEX_WAKE
 * signals up to n of them. A spinlock (yielding: all threads share one
 * CPU) covers the check of the word and the listing, so a wake cannot slip
 * between them.
 *
 * Signals are each thread's: a new thread is registered with the
 * process server (PS_THREAD, with a copy of its kernel Thread) before it
 * starts, with its creator's mask, and leaves it at its exit. The server
 * keeps each thread's mask, runs a handler on a thread that does not
 * block it (the one tkill, tgkill or pthread_kill names: PS_TKILL), and
 * every request about signals names the calling thread
 * (struct cairn_sigthr's tid: 0 for the first thread).
 *
 * pthread_cancel: a cancellation point's call goes through
 * __cairn_syscall_cp (0002 and 0009 patches), which ends it with the
 * request acted on when a cancellation request's handler ran meanwhile.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <time.h>
#include "futex.h"
#include "pthread_impl.h"
#include "cairn_impl.h"
#include "cairn_arch.h"

#define FUTEX_WAKE_BITSET  10
#define FUTEX_CMD_MASK     (~(FUTEX_PRIVATE | FUTEX_CLOCK_REALTIME))
#define THR_PAGES          2         /* a thread's: IPC buffer, entry and exit stack */
#define THREAD_PRIO        8         /* the process server's (proc --prio) */
#define IDLE_PRIO          1         /* SCHED_IDLE: below every server */
/* Thread ids: above every pid (Linux's PID_MAX_LIMIT is 2^22) and below
 * 2^30, as musl needs them: its locks keep the owner's tid in the bits
 * of FUTEX_TID_MASK (0x3fffffff) beside flag bits (0x40000000 is
 * MAYBE_WAITERS of stdio's locks and FUTEX_OWNER_DIED of mutexes). */
#define TID_BASE           0x400000

/* A thread's scheduling: policy (| SCHED_RESET_ON_FORK) and priority */
struct schedp {
	int policy, prio;
};

/* A FUTEX_WAIT under way, listed in waiters. A thread has one for each
 * level of signal handlers (struct cairn_sigthr's depth) that may run
 * one, each interrupting the one below: a wait its handler never returned
 * to (a longjmp out, pthread_exit in it) is found listed by the next wait
 * at its level, or by the thread's end, and taken off. */
#define WAIT_LEVELS (SIG_MAX_DEPTH + 1)
struct waiter {
	struct waiter *next;
	volatile int *addr;
	cap_t note;
	volatile int woken;              /* by futex_wake, which took it off the list */
	int listed;
};

struct thr {
	struct thr *next;                /* the list (threads), newest first */
	int dead;
	int gone;                        /* dead, and the kernel says it ended */
	int registered;                  /* with the process server (PS_THREAD) */
	uintptr_t tp;                    /* the thread pointer: the key */
	int tid;
	cap_t thread, ipc_mo, note;
	void *ipc_va;
	volatile int *ctid;              /* CLONE_CHILD_CLEARTID */
	struct cairn_sigthr sig;         /* its signal state (signal.c) */
	void *robust;                    /* set_robust_list's head */
	struct schedp sched;             /* its policy and priority */
	unsigned boost;                  /* kernel priority lent by a PI mutex's waiter, 0: none */
	uint64_t affinity;               /* its CPU mask as last set; 0: never set (all) */
	struct cairn_altstack alt;       /* sigaltstack */
	struct waiter waits[WAIT_LEVELS];
};
/* the rest of the entry's page is the thread's exit stack */
_Static_assert(sizeof(struct thr) <= CAIRN_PAGE_SIZE / 2, "struct thr leaves no exit stack");

static struct thr *threads;          /* every entry (table_lock) */
static const struct schedp *main_sched_get(void);
static unsigned kprio_of(const struct schedp *sp);
static volatile int table_lock;
static int next_tid = TID_BASE;
hidden volatile int __cairn_threaded;

#define for_each_thr(t) for (struct thr *t = threads; t; t = t->next)

static struct waiter *waiters;       /* table_lock */
/* Signals sent after the table's lock is let go (futex_wake): while one
 * is on its way the notes stay (reap() frees no entry). */
static volatile int wakes_out;
/* The first thread's waits (the others' are in their entries). */
static struct waiter main_waits[WAIT_LEVELS];

static uintptr_t get_tp(void)
{
	return cairn_arch_thread_pointer();
}

void __cairn_lock(volatile int *l)
{
	cairn_spin_take(l);
}

void __cairn_unlock(volatile int *l)
{
	a_store(l, 0);
}

struct cairn_sigthr *__cairn_sig_thread(void)
{
	return __pthread_self()->cairn_sig;
}

struct cairn_ipcbuf *__cairn_ipcbuf_self(void)
{
	if (!__cairn_threaded)
		return cairn_ipcbuf_ptr;
	return __pthread_self()->cairn_ipcbuf;
}

/* The entry of the thread whose pointer is tp (table_lock held), or NULL
 * for the first thread. */
static struct thr *entry_of(uintptr_t tp)
{
	for_each_thr(t)
		if (t->tp == tp)
			return t;
	return NULL;
}

/* The calling thread's entry, NULL for the first thread: its struct
 * pthread's signal state is the entry's (clone sets it), the first
 * thread's is __cairn_sig_main (a fork's child's too). */
static struct thr *self_entry(void)
{
	struct cairn_sigthr *s;

	if (!__cairn_threaded)
		return NULL;
	s = __pthread_self()->cairn_sig;
	if (!s || s == &__cairn_sig_main)
		return NULL;
	return (struct thr *)((char *)s - offsetof(struct thr, sig));
}

/* The entry of live thread tid (table_lock held), or NULL. */
static struct thr *entry_of_tid(long tid)
{
	for_each_thr(t)
		if (!t->dead && t->tid == tid)
			return t;
	return NULL;
}

/* The first thread's robust-mutex list head (set_robust_list). */
static void *main_robust;

/* The first thread's scheduling (the others' are in their entries): what
 * exec kept (the start-up block's sched=policy:priority:reset) until set. */
static struct schedp main_sched;
static int main_sched_read;
static unsigned main_boost;
static uint64_t main_affinity;

/* The first thread's alternate signal stack. */
static struct cairn_altstack main_alt;

struct cairn_altstack *__cairn_thread_altstack(cap_t *thread)
{
	struct thr *me = __cairn_threaded ? self_entry() : NULL;

	*thread = me ? me->thread : SLOT_SELF_THREAD;
	return me ? &me->alt : &main_alt;
}

static void altstack_drop(struct cairn_altstack *a)
{
	if (a->save) {
		cairn_unmap(a->save, ALT_SAVES);
		cairn_cap_delete(a->save_mo);
	}
	*a = (struct cairn_altstack){ 0 };
}

/* The first thread's futex Notification. */
static cap_t main_note = CAP_NULL;

static cap_t new_note(void)
{
	struct cairn_msg m;

	if (cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_NOTIFICATION, 0, 0, 0, &m))
		return CAP_NULL;
	return m.w[0];
}

/* Whether a thread that ended in musl's eyes (dead) is off its stack and
 * IPC buffer: the kernel says it ended (THREAD_RESUME of an ended thread:
 * ERR_SRCH). Under table_lock. */
static int thread_gone(struct thr *t)
{
	if (!t->gone && (t->thread == CAP_NULL ||
			 cairn_invoke(t->thread, THREAD_RESUME, 0, 0, 0, 0, 0, NULL) == ERR_SRCH))
		t->gone = 1;
	return t->gone;
}

/* Takes w off waiters (table_lock held). */
static void waiter_unlist(struct waiter *w)
{
	for (struct waiter **pp = &waiters; *pp; pp = &(*pp)->next)
		if (*pp == w) {
			*pp = w->next;
			break;
		}
	w->listed = 0;
}

/* Lists w last (wakes go oldest first; table_lock held). */
static void waiter_list(struct waiter *w)
{
	struct waiter **pp = &waiters;

	while (*pp)
		pp = &(*pp)->next;
	w->next = NULL;
	w->listed = 1;
	*pp = w;
}

/* A new entry for the thread whose pointer is tls, listed, in its two
 * pages (table_lock held); NULL when memory is out. */
static struct thr *thr_new(uintptr_t tls)
{
	struct thr *t;
	cap_t mo;
	void *va;

	if (cairn_memobj_create(SLOT_SELF_PROC, THR_PAGES, 0, &mo))
		return NULL;
	if (cairn_map(mo, 0, THR_PAGES, CAIRN_PROT_R | CAIRN_PROT_W, &va)) {
		cairn_cap_delete(mo);
		return NULL;
	}
	t = (struct thr *)((char *)va + CAIRN_PAGE_SIZE);
	*t = (struct thr){ .next = threads, .tp = tls, .thread = CAP_NULL, .ipc_mo = mo,
			   .note = CAP_NULL, .ipc_va = va };
	threads = t;
	return t;
}

/* Frees an entry taken off the list: what the thread left, then the
 * entry's own pages. */
static void thr_free(struct thr *t)
{
	cap_t mo = t->ipc_mo;
	void *va = t->ipc_va;

	for (int i = 0; i < WAIT_LEVELS; i++)
		if (t->waits[i].listed)
			waiter_unlist(&t->waits[i]);
	altstack_drop(&t->alt);
	if (t->note != CAP_NULL)
		cairn_cap_delete(t->note);
	if (t->thread != CAP_NULL)
		cairn_cap_delete(t->thread);
	cairn_unmap(va, THR_PAGES);
	cairn_cap_delete(mo);
}

/* Frees what ended threads left (table_lock held). */
static void reap(void)
{
	for (struct thr **pp = &threads; *pp;) {
		struct thr *t = *pp;
		/* one still on its way out (a wake, its exit) keeps its IPC
		 * buffer and capabilities until a later clone, and none goes
		 * while a wake may signal its note (futex_wake) */
		if (!t->dead || !thread_gone(t) || wakes_out) {
			pp = &t->next;
			continue;
		}
		*pp = t->next;
		thr_free(t);
	}
}

long __cairn_thread_clone(unsigned long flags, void *stack, int *ptid, int *ctid, unsigned long tls,
			  uintptr_t child_pc)
{
	const unsigned long need = CLONE_VM | CLONE_THREAD | CLONE_SIGHAND | CLONE_SETTLS;
	struct pthread *td = (struct pthread *)(tls - (uintptr_t)TP_ADJ((struct pthread *)0));
	struct cairn_msg m;
	struct thr *t = NULL;
	err_t e;
	long r;

	if ((flags & need) != need || !stack)
		return -EINVAL;
	__cairn_lock(&table_lock);
	reap();
	if (!(t = thr_new(tls))) {
		__cairn_unlock(&table_lock);
		return -EAGAIN;
	}
	if ((t->note = new_note()) == CAP_NULL) {
		e = ERR_NOMEM;
		goto fail;
	}
	if ((e = cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_THREAD, 0, 0, 0, &m)))
		goto fail;
	t->thread = m.w[0];
	if ((e = cairn_invoke_cap(t->thread, THREAD_SET_IPCBUF, t->ipc_mo, 0, (uint64_t)t->ipc_va, 0, 0,
				  NULL)) ||
	    (e = cairn_invoke(t->thread, THREAD_SET_TLS, 0, tls, 0, 0, 0, NULL)))
		goto fail;
	t->tid = next_tid++;
	t->sig.tid = t->tid;
	/* the process server runs its handlers from now on, with our mask */
	if (__cairn_proc != CAP_NULL) {
		cairn_ipcbuf()->caps[0] = t->thread;
		if ((e = __cairn_ipc(__cairn_proc, PS_THREAD, POSIX_THREAD_NEW, (uint64_t)t->tid,
				     (uint64_t)__cairn_sig_tid(), 0, 0, 1, IPC_ALWAYS, NULL)))
			goto fail;
		t->registered = 1;
	}
	/* from now on each thread finds its own buffer and signal state
	 * through its struct pthread */
	if (!__cairn_threaded) {
		__pthread_self()->cairn_ipcbuf = cairn_ipcbuf_ptr;
		__pthread_self()->cairn_sig = &__cairn_sig_main;
		a_barrier();
		__cairn_threaded = 1;
	}
	td->cairn_ipcbuf = t->ipc_va;
	td->cairn_sig = &t->sig;
	t->ctid = (flags & CLONE_CHILD_CLEARTID) ? ctid : NULL;
	if (flags & CLONE_PARENT_SETTID)
		*ptid = t->tid;
	r = t->tid;
	/* a new thread runs where its creator may, as on Linux */
	{
		struct thr *me = __cairn_threaded ? self_entry() : NULL;
		uint64_t mask = me ? me->affinity : main_affinity;
		if (mask && !cairn_invoke(t->thread, THREAD_SET_AFFINITY, 0, mask, 0, 0, 0, NULL))
			t->affinity = mask;
	}
	/* ... and at its creator's priority and policy (Linux's clone; the
	 * process server copies them for the thread too, PS_THREAD) */
	{
		struct thr *me = __cairn_threaded ? self_entry() : NULL;
		unsigned kp;
		t->sched = me ? me->sched : *main_sched_get();
		kp = kprio_of(&t->sched);
		e = cairn_invoke(t->thread, THREAD_START, 0, child_pc, (uint64_t)stack, tls, kp, NULL);
		if (e == ERR_PERM)     /* a process started at a lower priority */
			for (unsigned p = kp; p-- > 0 && e == ERR_PERM;)
				e = cairn_invoke(t->thread, THREAD_START, 0, child_pc, (uint64_t)stack, tls, p, NULL);
		if (!e && (t->sched.policy & ~SCHED_RESET_ON_FORK) == SCHED_FIFO)
			cairn_invoke(t->thread, THREAD_SET_PRIORITY, 0, kp, 0, THREAD_PRIO_FIFO, 0, NULL);
	}
	if (e)
		goto fail;
	__cairn_unlock(&table_lock);
	return r;
fail:
	if (t->registered)
		__cairn_ipc(__cairn_proc, PS_THREAD, POSIX_THREAD_END, (uint64_t)t->tid, 0, 0, 0, 0,
			    IPC_ALWAYS, NULL);
	t->dead = 1;
	reap();
	__cairn_unlock(&table_lock);
	return e == ERR_NOMEM || e == ERR_AGAIN ? -EAGAIN : cairn_errno(e);
}

/*
 * Wakes up to n waiters on addr, oldest first. Each is taken off the
 * list and marked under the lock but signalled after it, as Linux's
 * wake_q: a woken thread more urgent than ours preempts us at the
 * signal, and finds the lock free (it needs none on its way out of the
 * wait). Signalled under the lock, it spun and napped on it while we,
 * less urgent, ran on: a SCHED_FIFO thread made by pthread_create ran
 * only after the call had returned to its less urgent creator. Batches of
 * WAKE_BATCH; a late signal is an old wake-up to the note's next wait.
 */
#define WAKE_BATCH 16
static long futex_wake(volatile int *addr, long n)
{
	cap_t notes[WAKE_BATCH];
	long woken = 0;
	unsigned k;

	do {
		k = 0;
		__cairn_lock(&table_lock);
		for (struct waiter **pp = &waiters; *pp && woken < n && k < WAKE_BATCH;) {
			struct waiter *w = *pp;
			if (w->addr != addr || w->woken) {
				pp = &w->next;
				continue;
			}
			*pp = w->next;
			w->listed = 0;
			a_store(&w->woken, 1);
			notes[k++] = w->note;
			woken++;
		}
		if (k)
			a_inc(&wakes_out);
		__cairn_unlock(&table_lock);
		for (unsigned i = 0; i < k; i++)
			cairn_invoke(notes[i], NOTIFY_SIGNAL, 0, 1, 0, 0, 0, NULL);
		if (k)
			a_dec(&wakes_out);
	} while (k == WAKE_BATCH && woken < n);
	return woken;
}

/*
 * The stacks detached threads end on: __unmapself unmaps the thread's own
 * stack, then exits on this one. One per entry (the rest of the page that
 * holds the entry), the thread's until its entry is freed, which is once
 * the kernel says the thread ended (reap()). One stack for all, handed on
 * by the thread-list lock, was not enough: the exit releases that lock
 * (ctid) and wakes its waiter while still on the stack, and the next
 * detached thread's __unmapself overwrote the return addresses of the one
 * before (threads.detach_many on four x86-64 CPUs: an exec fault at an
 * address in a thread's memory). EXIT_STACK is the first thread's, for
 * the exit of a process that unmapped its own first stack.
 */
#define EXIT_STACK 4096
#define EXIT_ARGS  64
static char exit_stack_spare[EXIT_STACK] __attribute__((aligned(16)));

void *__cairn_exit_stack(void)
{
	struct thr *t;

	__cairn_lock(&table_lock);
	t = entry_of(get_tp());
	__cairn_unlock(&table_lock);
	/* a thread not in the table is the first, which musl never unmaps.
	 * EXIT_ARGS bytes are left at the top: __unmapself's calls of the
	 * 7-argument __cairn_syscall pass none on the stack, whose slot (x86-64:
	 * above the return address) is read anyway, and the page above the
	 * entry's is not mapped */
	return t ? (char *)t->ipc_va + THR_PAGES * CAIRN_PAGE_SIZE - EXIT_ARGS :
		   exit_stack_spare + EXIT_STACK - EXIT_ARGS;
}

int __cairn_thread_set_ctid(int *p)
{
	struct thr *t;

	if (!__cairn_threaded)
		return 0;
	__cairn_lock(&table_lock);
	if ((t = self_entry()))
		t->ctid = p;
	__cairn_unlock(&table_lock);
	return t != NULL;
}

/* tp: the thread pointer when the thread's struct pthread may be gone
 * already (__unmapself), else 0. */
long __cairn_exit_thread(long status, uintptr_t tp)
{
	struct thr *t;
	volatile int *ctid = NULL;

	if (!__cairn_threaded)
		__cairn_exit_group(status);
	__cairn_lock(&table_lock);
	t = entry_of(tp ? tp : get_tp());
	if (t) {
		ctid = t->ctid;
		t->dead = 1;
	}
	__cairn_unlock(&table_lock);
	if (!t)                          /* the first thread: the process ends */
		__cairn_exit_group(status);
	/* no handler runs on it any more (musl blocked every signal) */
	if (t->registered)
		__cairn_ipc(__cairn_proc, PS_THREAD, POSIX_THREAD_END, (uint64_t)t->tid, 0, 0, 0, 0,
			    IPC_ALWAYS, NULL);
	if (ctid) {
		*ctid = 0;
		futex_wake(ctid, 1);
	}
	for (;;)
		cairn_thread_exit();
}

/*
 * An munmap of [lo, hi) that holds the struct pthread (the thread pointer)
 * of a thread that has ended in musl's eyes: __cairn_exit_thread() clears
 * its ctid word, which lets a joiner (pthread_join, or pthread_detach of a
 * thread already exiting) go on and unmap the stack, and then wakes that
 * joiner and ends, still on the stack. Linux clears the word in the
 * kernel, once the thread is off user memory; here the unmap waits until
 * the kernel says the thread ended (THREAD_RESUME of an ended thread:
 * ERR_SRCH). Without this a thread read its return address from an
 * unmapped stack (threads.detach_many on four CPUs). A detached thread
 * unmapping its own stack (__unmapself) is not dead yet: not waited for.
 * Once the threads in the range are gone, their entries are freed at
 * once (reap(): a joiner's munmap of the stack), not at the next clone.
 */
void __cairn_threads_unmapping(uintptr_t lo, uintptr_t hi)
{
	if (!__cairn_threaded)
		return;
	for (int turn = 0; turn < 100000; turn++) {
		int waiting = 0, joined = 0;

		__cairn_lock(&table_lock);
		for_each_thr(t)
			if (t->dead && t->tp >= lo && t->tp < hi) {
				joined = 1;
				waiting |= !thread_gone(t);
			}
		/* a joined thread's (a stack unmapped after pthread_join) goes
		 * now rather than at the next clone */
		if (joined && !waiting)
			reap();
		__cairn_unlock(&table_lock);
		if (!waiting)
			return;
		/* its last steps: a wake and the exit (a nap now and then: it
		 * may have a lower priority than this thread) */
		if (turn % CAIRN_LOCK_YIELDS == CAIRN_LOCK_YIELDS - 1)
			cairn_nap(CAIRN_LOCK_NAP_NS);
		else
			cairn_yield();
	}
}

cap_t __cairn_thread_note(void)
{
	struct thr *t;
	cap_t note;

	if (!__cairn_threaded)
		return CAP_NULL;
	__cairn_lock(&table_lock);
	t = self_entry();
	note = t ? t->note : CAP_NULL;
	__cairn_unlock(&table_lock);
	return note;
}

/*
 * Robust mutexes: set_robust_list keeps the head of the calling thread's
 * list (musl's struct pthread robust_list: head, futex offset, pending).
 * A thread that ends through pthread_exit marks its mutexes itself
 * (musl); the end of the whole process (exit_group) marks every
 * thread's, as Linux's kernel does: each lock word its thread owns gets
 * FUTEX_OWNER_DIED and a waiter is woken, so another process sharing the
 * mutex gets EOWNERDEAD. A process killed by a signal runs no code:
 * its robust mutexes stay locked (see README).
 */
#define ROBUST_LEN       (3 * sizeof(long))
#define FUTEX_OWNER_DIED 0x40000000
#define FUTEX_WAITERS_B  0x80000000u
#define FUTEX_TID_BITS   0x3fffffff

long __cairn_set_robust_list(void *head, size_t len)
{
	struct thr *t;

	if (len != ROBUST_LEN)
		return -EINVAL;
	__cairn_lock(&table_lock);
	t = __cairn_threaded ? self_entry() : NULL;
	if (t)
		t->robust = head;
	else
		main_robust = head;
	__cairn_unlock(&table_lock);
	return 0;
}

long __cairn_get_robust_list(long tid, void **head, size_t *len)
{
	void *h = NULL;
	int found = !tid || tid == __cairn_getpid();

	__cairn_lock(&table_lock);
	if (!tid) {
		struct thr *t = __cairn_threaded ? self_entry() : NULL;
		h = t ? t->robust : main_robust;
	} else if (found) {
		h = main_robust;
	} else {
		struct thr *t = entry_of_tid(tid);
		if ((found = t != NULL))
			h = t->robust;
	}
	__cairn_unlock(&table_lock);
	if (!found)
		return -ESRCH;           /* (another process's: not ours to read) */
	*head = h;
	*len = ROBUST_LEN;
	return 0;
}

/* One thread's list at the process's end (bounded: a list made a loop
 * or garbage stops the walk, never the exit). */
static void robust_release(void *head, int tid)
{
	struct { void *volatile next; long off; void *volatile pending; } *h = head;
	void *volatile *rp;
	unsigned n = 0;

	if (!h)
		return;
	for (rp = h->next; rp && rp != (void *)h && n < 4096; rp = *rp, n++) {
		volatile int *word = (volatile int *)((char *)rp + h->off);
		int v = *word;
		if ((v & FUTEX_TID_BITS) != tid)
			continue;
		*word = (int)(((unsigned)v & FUTEX_WAITERS_B) | FUTEX_OWNER_DIED);
		futex_wake(word, 1);
	}
}

void __cairn_robust_exit(void)
{
	robust_release(main_robust, (int)__cairn_getpid());
	for_each_thr(t)
		if (!t->dead)
			robust_release(t->robust, t->tid);
}

cap_t __cairn_thread_cap(long tid)
{
	cap_t th = CAP_NULL;

	if (!tid || tid == __cairn_getpid()) {
		struct thr *me;
		if (tid || !__cairn_threaded)
			return SLOT_SELF_THREAD;
		__cairn_lock(&table_lock);
		me = self_entry();
		th = me ? me->thread : SLOT_SELF_THREAD;
		__cairn_unlock(&table_lock);
		return th;
	}
	__cairn_lock(&table_lock);
	{
		struct thr *t = entry_of_tid(tid);
		if (t)
			th = t->thread;
	}
	__cairn_unlock(&table_lock);
	return th;
}

long __cairn_gettid(void)
{
	return __cairn_sig_tid();
}

/* A cancellation point's call (__syscall_cp_asm's, after its check):
 * a cancellation request whose handler ran while the call blocked
 * (__cairn_cancel_at_point) ends it with EINTR, and is acted on here. A
 * call that finished anyway keeps its result: the request waits for
 * the next point (self->cancel stays set). */
hidden long __cancel(void);       /* musl's src/thread/pthread_cancel.c */
long __cairn_syscall_cp(long nr, long u, long v, long w, long x, long y, long z);
long __cairn_syscall_cp(long nr, long u, long v, long w, long x, long y, long z)
{
	struct cairn_sigthr *me = __cairn_sig_self();
	long r;

	me->in_cp++;
	/* a request whose handler ran between __syscall_cp_asm's check and
	 * here found no call under way: acted on now */
	if (__pthread_self()->cancel && !__pthread_self()->canceldisable) {
		me->in_cp--;
		return __cancel();
	}
	r = __cairn_syscall(nr, u, v, w, x, y, z);
	me->in_cp--;
	if (me->cp_cancel && !me->in_cp) {
		me->cp_cancel = 0;
		if (r == -EINTR)
			r = __cancel();
	}
	return r;
}

/*
 * Scheduling policies of this process's threads: SYS_sched_setscheduler,
 * sched_getscheduler, sched_setparam and sched_getparam, as
 * pthread_setschedparam, pthread_getschedparam, pthread_setschedprio and
 * pthread_create with PTHREAD_EXPLICIT_SCHED make them, and of other
 * processes (a pid: its main thread). A thread is named by its tid, or 0
 * for the caller. The process server sets them (PS_SCHED: it checks the
 * privilege and holds the priorities above ours); the kernel priorities
 * (docs/proc.md, Scheduling):
 *   SCHED_OTHER, SCHED_BATCH  priority 0: THREAD_PRIO (8)
 *   SCHED_IDLE                 priority 0: IDLE_PRIO, below every server
 *                              and every other program's threads: it runs
 *                              only when they all wait (make bench's spinners)
 *   SCHED_FIFO, SCHED_RR       priority 1..99: THREAD_PRIO + priority, above
 *                              every ordinary thread, below the drivers and
 *                              servers; FIFO without a time slice. uid 0
 *                              only (EPERM), as Linux without RLIMIT_RTPRIO
 * Without a process server: SCHED_OTHER, _BATCH and _IDLE only. A new
 * thread starts with its creator's; fork and exec keep the caller's (the
 * server's doing).
 */

static const struct schedp *main_sched_get(void)
{
	if (!main_sched_read) {
		const char *s = cairn_startup_kept("sched");
		unsigned pol = 0, prio = 0, reset = 0;
		if (s && sscanf(s, "%u:%u:%u", &pol, &prio, &reset) == 3 && prio <= 99) {
			main_sched.policy = (int)pol | (reset ? SCHED_RESET_ON_FORK : 0);
			main_sched.prio = (int)prio;
		}
		main_sched_read = 1;
	}
	return &main_sched;
}

static unsigned kprio_of(const struct schedp *sp)
{
	switch (sp->policy & ~SCHED_RESET_ON_FORK) {
	case SCHED_FIFO: case SCHED_RR:
		return THREAD_PRIO + (unsigned)sp->prio;
	case SCHED_IDLE:
		return IDLE_PRIO;
	}
	return THREAD_PRIO;
}

/* The capability and entry (NULL: the first thread) of thread tid (0:
 * the caller), or 0 when tid names no thread of ours (table_lock held). */
static int thread_target(long tid, cap_t *thread, struct thr **entry)
{
	struct thr *t = NULL;

	if (tid == 0) {
		t = __cairn_threaded ? self_entry() : NULL;
	} else if (tid != __cairn_getpid()) {
		if (!(t = entry_of_tid(tid)))
			return 0;
	}
	*thread = t ? t->thread : SLOT_SELF_THREAD;
	*entry = t;
	return 1;
}

/* ... with its scheduling and its tid */
static int sched_target(long tid, cap_t *thread, struct schedp **sched, long *id)
{
	struct thr *t;

	if (!thread_target(tid, thread, &t))
		return 0;
	*sched = t ? &t->sched : (struct schedp *)main_sched_get();
	*id = t ? t->tid : __cairn_getpid();
	return 1;
}

static int sched_valid(int policy, int prio)
{
	switch (policy & ~SCHED_RESET_ON_FORK) {
	case SCHED_FIFO: case SCHED_RR:
		return prio >= 1 && prio <= 99;
	case SCHED_OTHER: case SCHED_BATCH: case SCHED_IDLE:
		return prio == 0;
	}
	return 0;
}

long __cairn_sched_policy(long op, long tid, long policy, void *param)
{
	struct sched_param *sp = param;
	struct schedp *cur, want;
	struct cairn_ans m;
	cap_t th;
	long id, r = 0;
	err_t e;

	if (tid < 0 || (op != 0 && !sp) || (op == 3 && policy < 0))
		return -EINVAL;
	__cairn_lock(&table_lock);
	if (!sched_target(tid, &th, &cur, &id)) {
		__cairn_unlock(&table_lock);
		if (tid >= TID_BASE)
			return -ESRCH;
		/* another process: the process server knows its main thread */
		if (__cairn_proc == CAP_NULL)
			return op >= 2 ? -EPERM : -ESRCH;
		if (op >= 2) {
			want.policy = op == 2 ? -1 : (int)policy;
			want.prio = sp->sched_priority;
			if (op == 2) {             /* its policy first */
				if ((e = __cairn_ipc(__cairn_proc, PS_SCHED, 0, (uint64_t)tid, 0, 0, 0, 0,
						     IPC_ALWAYS, &m)))
					return cairn_errno(e);
				want.policy = (int)m.w[0];
			}
			if (!sched_valid(want.policy, want.prio))
				return -EINVAL;
			e = __cairn_ipc(__cairn_proc, PS_SCHED, 1, (uint64_t)tid, (uint64_t)(unsigned)want.policy,
					(uint64_t)want.prio, 0, 0, IPC_ALWAYS, &m);
		} else {
			e = __cairn_ipc(__cairn_proc, PS_SCHED, 0, (uint64_t)tid, 0, 0, 0, 0, IPC_ALWAYS, &m);
		}
		if (e)
			return cairn_errno(e);
		if (op == 1)
			sp->sched_priority = (int)m.w[1];
		return op == 0 ? (long)m.w[0] : 0;
	}
	/* our own thread. The calls go without the lock: one that raises a
	 * thread above us lets it run at once, and it may want the lock
	 * (pthread_create's new SCHED_FIFO thread waits for its creator in
	 * futex_wait: it napped on the lock while its less urgent creator
	 * went on and returned before it ran) */
	struct schedp now = *cur;
	int store = 0;
	__cairn_unlock(&table_lock);
	/* a read: the process server's word is the last (another process
	 * may have set ours, PS_SCHED) */
	if (op <= 1 && __cairn_proc != CAP_NULL &&
	    !__cairn_ipc(__cairn_proc, PS_SCHED, 0, (uint64_t)id, 0, 0, 0, 0, IPC_ALWAYS, &m)) {
		now.policy = (int)m.w[0];
		now.prio = (int)m.w[1];
		store = 1;
	}
	switch (op) {
	case 0:                              /* sched_getscheduler */
		r = now.policy;
		break;
	case 1:                              /* sched_getparam */
		sp->sched_priority = now.prio;
		break;
	case 2:                              /* sched_setparam: the policy it has */
	case 3:                              /* sched_setscheduler */
		want.policy = op == 2 ? now.policy : (int)policy;
		want.prio = sp->sched_priority;
		if (!sched_valid(want.policy, want.prio)) {
			r = -EINVAL;
			break;
		}
		if (__cairn_proc != CAP_NULL) {
			e = __cairn_ipc(__cairn_proc, PS_SCHED, 1, (uint64_t)id, (uint64_t)(unsigned)want.policy,
					(uint64_t)want.prio, 0, 0, IPC_ALWAYS, NULL);
		} else if ((want.policy & ~SCHED_RESET_ON_FORK) == SCHED_FIFO ||
			   (want.policy & ~SCHED_RESET_ON_FORK) == SCHED_RR) {
			e = ERR_PERM;                /* nobody to grant it */
		} else {
			unsigned kp = kprio_of(&want);
			for (e = ERR_PERM; e == ERR_PERM && kp >= IDLE_PRIO; kp--)
				e = cairn_invoke(th, THREAD_SET_PRIORITY, 0, kp, 0, 0, 0, NULL);
		}
		if (e) {
			r = e == ERR_PERM ? -EPERM : cairn_errno(e);
			break;
		}
		now = want;
		store = 1;
		break;
	default:
		r = -EINVAL;
	}
	if (store) {                         /* unless the thread ended meanwhile */
		long again;
		__cairn_lock(&table_lock);
		if (sched_target(tid, &th, &cur, &again) && again == id)
			*cur = now;
		__cairn_unlock(&table_lock);
	}
	return r;
}

/* sched_get_priority_max and _min: Linux's ranges (SCHED_FIFO and SCHED_RR
 * 1..99; the others 0..0). */
long __cairn_sched_prio_range(long max, long policy)
{
	switch (policy) {
	case SCHED_FIFO: case SCHED_RR:
		return max ? 99 : 1;
	case SCHED_OTHER: case SCHED_BATCH: case SCHED_IDLE:
		return 0;
	}
	return -EINVAL;
}

/* sched_rr_get_interval: the kernel's time slice (KINFO_CPUS), which the
 * threads of a priority share round robin; of a thread of ours, or of a
 * process that exists (ESRCH otherwise). */
long __cairn_sched_rr_interval(long pid, void *out)
{
	struct timespec *ts = out;
	struct cairn_msg m;
	cap_t kinfo = cairn_cap("kinfo");

	if (pid < 0)
		return -EINVAL;
	if (!ts)
		return -EFAULT;
	if (pid && pid != __cairn_getpid() && !__cairn_tid_live(pid)) {
		long r = __cairn_kill(pid, 0);
		if (r == -ESRCH)
			return r;
	}
	if (kinfo == CAP_NULL || cairn_invoke(kinfo, KINFO_CPUS, 0, 0, 0, 0, 0, &m) || !m.w[2])
		return -ENOSYS;
	ts->tv_sec = (time_t)(m.w[2] / 1000000000u);
	ts->tv_nsec = (long)(m.w[2] % 1000000000u);
	return 0;
}

/* Is tid a live thread of this process (the first one's tid is the pid)? */
int __cairn_tid_live(long tid)
{
	int known = tid == __cairn_getpid();

	if (tid <= 0)
		return 0;
	__cairn_lock(&table_lock);
	if (!known)
		known = entry_of_tid(tid) != NULL;
	__cairn_unlock(&table_lock);
	return known;
}

/* tkill/tgkill (pthread_kill, raise): the process server delivers sig to
 * that thread (PS_TKILL, si_code SI_TKILL). */
long __cairn_thread_kill(long tid, long sig)
{
	if (tid <= 0 || sig < 0 || sig > 64)
		return -EINVAL;
	if (!__cairn_tid_live(tid))
		return -ESRCH;
	if (__cairn_proc != CAP_NULL)
		return cairn_errno(__cairn_ipc(__cairn_proc, PS_TKILL, (uint64_t)tid, (uint64_t)sig,
					       0, 0, 0, 0, IPC_ALWAYS, NULL));
	return __cairn_kill(__cairn_getpid(), sig);
}

/* ---- CPU affinity -------------------------------------------------------------------- */

/*
 * sched_setaffinity and sched_getaffinity (pthread_setaffinity_np and
 * pthread_getaffinity_np are them with a thread's tid): a thread's CPUs
 * are the kernel Thread's (THREAD_SET_AFFINITY), up to 64 CPUs, the mask
 * Linux's cpu_set_t lays out (bit i of byte i / 8). CPUs that are not
 * online are dropped; none left is EINVAL. pid 0 is the caller, our pid
 * the first thread; another process's pid names its main thread, which
 * the process server reads and sets (PS_AFFINITY: setting needs the
 * same uid or uid 0, EPERM). A thread starts with its creator's CPUs, a
 * fork's child with the forking thread's, an exec's image with the
 * main thread's. sched_getcpu (SYS_getcpu): the CPU the caller runs on
 * now.
 */
#define AFFINITY_BYTES sizeof(uint64_t)
#define OTHER_PROCESS  1              /* affinity_thread: pid is not ours */

/* The Thread of pid and where its mask is kept: 0 with table_lock held,
 * OTHER_PROCESS (a pid of another process: the process server's), or
 * -errno. */
static long affinity_thread(long pid, cap_t *th, uint64_t **saved)
{
	struct thr *t;

	if (pid < 0 || pid > INT_MAX)
		return -ESRCH;
	__cairn_lock(&table_lock);
	if (!thread_target(pid, th, &t)) {
		__cairn_unlock(&table_lock);
		if (pid >= TID_BASE || __cairn_proc == CAP_NULL)
			return -ESRCH;
		return OTHER_PROCESS;
	}
	*saved = t ? &t->affinity : &main_affinity;
	return 0;
}

/* Another process's CPUs (PS_AFFINITY): set 0 reads them. */
static long other_affinity(long pid, uint64_t set, uint64_t want, uint64_t *mask)
{
	struct cairn_ans m;
	err_t e = __cairn_ipc(__cairn_proc, PS_AFFINITY, (uint64_t)pid, set, want, 0, 0, 0,
			      IPC_ALWAYS, &m);

	if (e)
		return cairn_errno(e);
	*mask = m.w[0];
	return 0;
}

long __cairn_sched_getaffinity(long pid, size_t len, void *mask)
{
	struct cairn_msg m;
	uint64_t *saved;
	cap_t th;
	long r;
	err_t e;

	if (len < AFFINITY_BYTES || len % sizeof(unsigned long))
		return -EINVAL;
	if ((r = affinity_thread(pid, &th, &saved)) == OTHER_PROCESS) {
		if ((r = other_affinity(pid, 0, 0, &m.w[0])))
			return r;
	} else if (r) {
		return r;
	} else {
		e = cairn_invoke(th, THREAD_GET_AFFINITY, 0, 0, 0, 0, 0, &m);
		__cairn_unlock(&table_lock);
		if (e)
			return cairn_errno(e);
	}
	for (size_t i = 0; i < AFFINITY_BYTES; i++)
		((unsigned char *)mask)[i] = (unsigned char)(m.w[0] >> (8 * i));
	return AFFINITY_BYTES;        /* the bytes Linux writes for up to 64 CPUs */
}

long __cairn_sched_setaffinity(long pid, size_t len, const void *mask)
{
	uint64_t want = 0, *saved;
	cap_t th;
	long r;
	err_t e;

	if (!len)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		unsigned char b = ((const unsigned char *)mask)[i];
		if (i < AFFINITY_BYTES)
			want |= (uint64_t)b << (8 * i);
	}
	if (!want)
		return -EINVAL;
	if ((r = affinity_thread(pid, &th, &saved)) == OTHER_PROCESS)
		return other_affinity(pid, 1, want, &want);
	if (r)
		return r;
	e = cairn_invoke(th, THREAD_SET_AFFINITY, 0, want, 0, 0, 0, NULL);
	if (!e)
		*saved = want;
	__cairn_unlock(&table_lock);
	return e ? cairn_errno(e) : 0;
}

long __cairn_getcpu(unsigned *cpu, unsigned *node)
{
	struct cairn_msg m;
	err_t e = cairn_invoke(__cairn_threaded && self_entry() ? self_entry()->thread : SLOT_SELF_THREAD,
			       THREAD_GET_AFFINITY, 0, 0, 0, 0, 0, &m);

	if (e)
		return cairn_errno(e);
	if (cpu)
		*cpu = (unsigned)m.w[1];
	if (node)
		*node = 0;
	return 0;
}


void __cairn_threads_forked(void)
{
	/* the child runs on the forking thread's CPUs (a new kernel Thread) */
	{
		struct thr *me = __cairn_threaded ? self_entry() : NULL;
		if (me)
			main_affinity = me->affinity;
		if (main_affinity)
			cairn_invoke(SLOT_SELF_THREAD, THREAD_SET_AFFINITY, 0, main_affinity, 0, 0, 0, NULL);
		/* and on its alternate stack (the other threads' save pages
		 * are copies nobody uses: dropped below) */
		__cairn_altstack_forked(me ? &me->alt : &main_alt);
		if (me) {
			main_alt = me->alt;
			me->alt = (struct cairn_altstack){ 0 };
		}
	}
	/* SCHED_RESET_ON_FORK: the process server started the child as
	 * SCHED_OTHER (a first thread's; another's below) */
	if (main_sched.policy & SCHED_RESET_ON_FORK)
		main_sched = (struct schedp){ 0 };
	/* only the forking thread goes on, on a fresh IPC buffer at the first
	 * thread's place; the others' entries name the parent's objects */
	if (!__cairn_threaded)
		return;
	{
		/* the child's thread keeps the forking thread's policy, as on
		 * Linux (it starts at the process server's priority) */
		struct thr *me = self_entry();
		if (me) {
			main_sched = me->sched;
			main_sched_read = 1;
			if (main_sched.policy & SCHED_RESET_ON_FORK)
				main_sched = (struct schedp){ 0 };
			/* the process server set the child's own (PS_SCHED); without
			 * one, SCHED_IDLE is ours to set */
			if (__cairn_proc == CAP_NULL && main_sched.policy == SCHED_IDLE)
				cairn_invoke(SLOT_SELF_THREAD, THREAD_SET_PRIORITY, 0, IDLE_PRIO, 0, 0, 0, NULL);
		}
	}
	__pthread_self()->cairn_ipcbuf = cairn_ipcbuf_ptr;
	/* the forking thread's signal state is the first thread's now (the
	 * server gave the child its mask and deliveries) */
	{
		struct thr *me = self_entry();
		if (me)
			__cairn_sig_main = me->sig;
		__pthread_self()->cairn_sig = &__cairn_sig_main;
	}
	/* our copies of the parent's objects (the Threads are not ours), and
	 * the entries' pages (copies too) */
	waiters = NULL;
	wakes_out = 0;               /* the parent's wakes are not ours */
	memset(main_waits, 0, sizeof(main_waits));
	while (threads) {
		struct thr *t = threads;
		threads = t->next;
		thr_free(t);
	}
	if (main_note != CAP_NULL)
		cairn_cap_delete(main_note);
	main_note = CAP_NULL;
	table_lock = 0;
}

static long futex_wait(volatile int *addr, int val, uint64_t ns)
{
	int level = __cairn_sig_self()->depth;
	struct waiter *w;
	struct thr *t;
	cap_t note;
	err_t e;

	if (level < 0 || level >= WAIT_LEVELS)
		return -ENOMEM;

	__cairn_lock(&table_lock);
	if (*addr != val) {
		__cairn_unlock(&table_lock);
		return -EAGAIN;
	}
	t = self_entry();
	if (t)
		note = t->note;
	else {
		if (main_note == CAP_NULL)
			main_note = new_note();
		note = main_note;
	}
	if (note == CAP_NULL) {
		__cairn_unlock(&table_lock);
		return -ENOMEM;
	}
	while (!cairn_wait(note, 0, NULL))
		;                            /* an old wake-up */
	w = (t ? t->waits : main_waits) + level;
	if (w->listed)
		waiter_unlist(w);            /* a wait never returned to */
	w->addr = addr;
	w->note = note;
	w->woken = 0;
	waiter_list(w);
	__cairn_unlock(&table_lock);
	e = cairn_wait(note, ns, NULL);
	if (w->woken)
		return 0;                    /* futex_wake took it off the list */
	__cairn_lock(&table_lock);
	if (w->woken)
		e = ERR_OK;
	else
		waiter_unlist(w);
	__cairn_unlock(&table_lock);
	if (e == ERR_INTR)
		return -EINTR;
	if (e == ERR_TIMEDOUT)
		return -ETIMEDOUT;
	return cairn_errno(e);
}

/* A futex wait that is not FUTEX_PRIVATE: the word may be in memory
 * other processes share (named and pshared semaphores, pshared mutexes
 * and condition variables), whose wakes never reach this process's
 * table. It looks at the word itself, napping between looks, 20 us at
 * first, doubling to 1 ms: a wake is seen within a millisecond, and
 * one from this process's threads at once too. */
static long futex_wait_shared(volatile int *addr, int val, uint64_t ns)
{
	uint64_t nap = 20000, start, now;
	/* a handler run on this thread between naps ends the wait too (EINTR,
	 * as Linux's) */
	struct cairn_sigthr *me = __cairn_sig_self();
	unsigned long sigs = me->count;

	if (*addr != val)
		return -EAGAIN;               /* as FUTEX_WAIT: not what the caller saw */
	if (__cairn_now(&start))
		start = 0;
	for (;;) {
		if (*addr != val)
			return 0;
		if (ns != CAIRN_FOREVER) {
			if (__cairn_now(&now))
				now = start;
			if (now - start >= ns)
				return -ETIMEDOUT;
			if (nap > ns - (now - start))
				nap = ns - (now - start);
		}
		if (cairn_nap(nap) == ERR_INTR || me->count != sigs)
			return -EINTR;
		if (nap < 1000000)
			nap *= 2;
	}
}

/*
 * Priority-inheritance futexes (FUTEX_LOCK_PI, FUTEX_TRYLOCK_PI,
 * FUTEX_UNLOCK_PI: musl's PTHREAD_PRIO_INHERIT mutexes), Linux's protocol
 * on the word: the owner's tid, FUTEX_WAITERS when someone waits or may,
 * FUTEX_OWNER_DIED kept. A waiter marks the word, lends the owner its
 * kernel priority when the owner's is lower (THREAD_SET_PRIORITY: the
 * waiter's ceiling covers its own priority), and waits as FUTEX_WAIT does;
 * an unlock clears the word, wakes one waiter and gives the lent priority
 * back; the waiter takes the word and marks it again (others may wait).
 * Only an owner among this process's threads can be lent a priority (a
 * process-shared mutex's owner in another process is not: its waiters
 * wait without lending); a thread that owns several such mutexes gives
 * back what it was lent at its first unlock.
 */
#define PI_TID_MASK 0x3fffffff

static unsigned sched_kprio(const struct schedp *sp, unsigned boost)
{
	unsigned k = kprio_of(sp);
	return boost > k ? boost : k;
}

/* Lend owner (a tid) our priority if it runs below it. */
static void pi_lend(int owner)
{
	struct thr *me, *o = NULL;
	unsigned mine, theirs;
	const struct schedp *osp;
	unsigned *oboost;
	cap_t oth;

	__cairn_lock(&table_lock);
	me = __cairn_threaded ? self_entry() : NULL;
	mine = me ? sched_kprio(&me->sched, me->boost) : sched_kprio(main_sched_get(), main_boost);
	if (owner == __cairn_getpid()) {
		osp = main_sched_get();
		oboost = &main_boost;
		oth = SLOT_SELF_THREAD;
	} else {
		if (!(o = entry_of_tid(owner))) {
			__cairn_unlock(&table_lock);
			return;
		}
		osp = &o->sched;
		oboost = &o->boost;
		oth = o->thread;
	}
	theirs = sched_kprio(osp, *oboost);
	if (mine > theirs &&
	    !cairn_invoke(oth, THREAD_SET_PRIORITY, 0, mine, 0,
			  (osp->policy & ~SCHED_RESET_ON_FORK) == SCHED_FIFO ? THREAD_PRIO_FIFO : 0, 0, NULL))
		*oboost = mine;
	__cairn_unlock(&table_lock);
}

/* Give back what we were lent: after the table's lock is free again (at
 * our own priority we may wait a while to run, and the thread we woke
 * needs that lock on its way out of the wait). */
static void pi_give_back(void)
{
	struct thr *me;
	struct schedp sp;
	unsigned *boost;
	cap_t th;
	int lent;

	__cairn_lock(&table_lock);
	me = __cairn_threaded ? self_entry() : NULL;
	sp = me ? me->sched : *main_sched_get();
	boost = me ? &me->boost : &main_boost;
	th = me ? me->thread : SLOT_SELF_THREAD;
	lent = *boost != 0;
	*boost = 0;
	__cairn_unlock(&table_lock);
	if (lent)
		cairn_invoke(th, THREAD_SET_PRIORITY, 0, kprio_of(&sp), 0,
			     (sp.policy & ~SCHED_RESET_ON_FORK) == SCHED_FIFO ? THREAD_PRIO_FIFO : 0, 0, NULL);
}

static long futex_lock_pi(volatile int *addr, int private, const struct timespec *at, int try)
{
	int self = __pthread_self()->tid, waited = 0;
	uint64_t deadline = CAIRN_FOREVER, now;
	long r;

	if (at) {
		if (at->tv_sec < 0 || at->tv_nsec < 0 || at->tv_nsec >= 1000000000)
			return -EINVAL;
		deadline = (uint64_t)at->tv_sec >= (CAIRN_FOREVER - 1) / 1000000000u - 1 ? CAIRN_FOREVER - 1 :
			   (uint64_t)at->tv_sec * 1000000000u + (uint64_t)at->tv_nsec;
	}
	for (;;) {
		int v = *addr;
		if (!(v & PI_TID_MASK)) {
			int want = self | (v & FUTEX_OWNER_DIED) | (waited ? (int)FUTEX_WAITERS_B : 0);
			if (a_cas(addr, v, want) == v)
				return 0;
			continue;
		}
		if ((v & PI_TID_MASK) == self)
			return -EDEADLK;
		if (try)
			return -EBUSY;
		if (!(v & (int)FUTEX_WAITERS_B)) {
			if (a_cas(addr, v, v | (int)FUTEX_WAITERS_B) != v)
				continue;
			v |= (int)FUTEX_WAITERS_B;
		}
		pi_lend(v & PI_TID_MASK);
		uint64_t ns = CAIRN_FOREVER;
		if (at) {                       /* absolute, CLOCK_REALTIME (Linux's) */
			if (__cairn_now(&now))
				return -ENOSYS;
			now += __cairn_realtime_offset();
			if (now >= deadline)
				return -ETIMEDOUT;
			ns = deadline - now;
		}
		r = private ? futex_wait(addr, v, ns) : futex_wait_shared(addr, v, ns);
		waited = 1;
		if (r == -ETIMEDOUT || r == -ENOMEM)
			return r;
		/* woken, changed, or a signal (Linux takes LOCK_PI up again) */
	}
}

static long futex_unlock_pi(volatile int *addr, int private)
{
	int self = __pthread_self()->tid, v;

	do {
		v = *addr;
		if ((v & PI_TID_MASK) != self)
			return -EPERM;
	} while (a_cas(addr, v, 0) != v);
	/* the waiter woken first: given back, we may not run again until
	 * the threads between its priority and ours are done */
	if (private)
		futex_wake(addr, 1);
	pi_give_back();
	return 0;
}

long __cairn_futex(int *uaddr, long op, long val, const void *ts, int *uaddr2, long val3)
{
	const struct timespec *t = ts;
	uint64_t ns = CAIRN_FOREVER, now;
	long cmd = op & FUTEX_CMD_MASK, n;
	err_t e;

	if ((uintptr_t)uaddr & 3)
		return -EINVAL;
	switch (cmd) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET:
		if (cmd == FUTEX_WAIT_BITSET && !(uint32_t)val3)
			return -EINVAL;
		if (t && (t->tv_sec < 0 || t->tv_nsec < 0 || t->tv_nsec >= 1000000000))
			return -EINVAL;
		if (t) {
			ns = (uint64_t)t->tv_sec >= (CAIRN_FOREVER - 1) / 1000000000u - 1 ? CAIRN_FOREVER - 1 :
			     (uint64_t)t->tv_sec * 1000000000u + (uint64_t)t->tv_nsec;
			if (cmd == FUTEX_WAIT_BITSET) {   /* absolute */
				if ((e = __cairn_now(&now)))
					return cairn_errno(e == ERR_NOENT ? ERR_NOSYS : e);
				if (op & FUTEX_CLOCK_REALTIME)
					now += __cairn_realtime_offset();
				ns = ns > now ? ns - now : 0;
			}
			if (!ns)
				return *(volatile int *)uaddr != (int)val ? -EAGAIN : -ETIMEDOUT;
		}
		if (!(op & FUTEX_PRIVATE))
			return futex_wait_shared(uaddr, (int)val, ns);
		return futex_wait(uaddr, (int)val, ns);
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET:
		if (cmd == FUTEX_WAKE_BITSET && !(uint32_t)val3)
			return -EINVAL;
		return futex_wake(uaddr, val);
	case FUTEX_REQUEUE:
	case FUTEX_CMP_REQUEUE:
		if (cmd == FUTEX_CMP_REQUEUE && *(volatile int *)uaddr != (int)val3)
			return -EAGAIN;
		/* wake val, move up to val2 (the timeout argument) to uaddr2 */
		n = futex_wake(uaddr, val);
		__cairn_lock(&table_lock);
		long moved = 0;
		for (struct waiter *w = waiters; w && moved < (long)(uintptr_t)ts; w = w->next)
			if (w->addr == uaddr && !w->woken) {
				w->addr = uaddr2;
				moved++;
				n++;
			}
		__cairn_unlock(&table_lock);
		return n;
	case FUTEX_LOCK_PI:
	case FUTEX_TRYLOCK_PI:
		return futex_lock_pi(uaddr, (op & FUTEX_PRIVATE) != 0, cmd == FUTEX_LOCK_PI ? t : NULL,
				     cmd == FUTEX_TRYLOCK_PI);
	case FUTEX_UNLOCK_PI:
		return futex_unlock_pi(uaddr, (op & FUTEX_PRIVATE) != 0);
	}
	__cairn_unimplemented(CAIRN_UNIMP_FUTEX, (unsigned long)cmd,
			      cmd == FUTEX_WAKE_OP ? "futex FUTEX_WAKE_OP" : "futex operation");
	return -ENOSYS;
}

/* One CPU runs every thread: a barrier is already there. */
long __cairn_membarrier(long cmd, long flags)
{
	if (flags)
		return -EINVAL;
	switch (cmd) {
	case 0:                  /* MEMBARRIER_CMD_QUERY */
		return 1 | 8 | 16;   /* GLOBAL, PRIVATE_EXPEDITED, REGISTER_PRIVATE_EXPEDITED */
	case 1: case 8: case 16:
		a_barrier();
		return 0;
	}
	return -EINVAL;
}
