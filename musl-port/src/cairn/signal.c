/* SPDX-License-Identifier: MIT */
/*
 * Signals, with the process server (include/cairn/posix.h): it keeps the
 * dispositions, the mask and the pending set, and runs a handler by an
 * upcall (THREAD_UPCALL) of __cairn_sigentry (fork.c, per arch) on the
 * main thread, with arg = sig | sender pid << 32 and the kernel's frame.
 *
 * The entry saves the FP registers (the kernel's frame holds none), then
 * __cairn_sig_run saves errno and the IPC buffer (the interrupted code
 * may have a request in it, or an answer it has yet to read), runs the
 * handler musl's sigaction gave (with a siginfo_t for SA_SIGINFO: signal,
 * si_code and the sender's pid from the upcall argument, si_value for
 * sigqueue's and timers' asked of the server: PS_SIGINFO, which also
 * gives a timer's overrun count; a timer's id comes as the sender), tells the
 * server the delivery is over (PS_SIGRETURN_DONE), puts the buffer and
 * errno back and returns; the entry restores the FP registers and
 * resumes the interrupted code (SYS_UPCALL_RETURN). A call the handler
 * interrupted answers ERR_INTR: ipc.c makes it again if the handler had
 * SA_RESTART.
 *
 * A handler left with longjmp (or siglongjmp) never returns: musl's
 * longjmp (patched, 0004-longjmp-hook.patch) calls __cairn_longjmp_hook
 * with the stack pointer it jumps to, and every delivery whose frame
 * lies below it is over (PS_SIGRETURN_DONE; siglongjmp then sets its
 * saved mask).
 *
 * The handler table is kept here too: sigaction's old action comes from
 * it. After an exec only SIG_IGN can be inherited; a disposition not set
 * since is asked of the server the first time (PS_SIGACTION sets it, so
 * it is set to SIG_IGN and back).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include "syscall.h"
#include "ksigaction.h"
#include "cairn_impl.h"
#include "cairn_arch.h"

#define NSIG_MAX   POSIX_NSIG
#define SETSIZE    8       /* _NSIG / 8: the kernel's sigset_t */
#define UNBLOCKABLE (posix_sigbit(POSIX_SIGKILL) | posix_sigbit(POSIX_SIGSTOP))

/* musl's numbers go over the protocol as they are (include/cairn/posix.h) */
_Static_assert(SIGKILL == POSIX_SIGKILL && SIGSTOP == POSIX_SIGSTOP && SIGCHLD == POSIX_SIGCHLD &&
	       SIGSEGV == POSIX_SIGSEGV && SIGCONT == POSIX_SIGCONT && SIGSYS == POSIX_SIGSYS &&
	       _NSIG - 1 == POSIX_NSIG, "signal numbers");
_Static_assert(SA_NOCLDSTOP == POSIX_SA_NOCLDSTOP && SA_NOCLDWAIT == POSIX_SA_NOCLDWAIT &&
	       SA_NODEFER == POSIX_SA_NODEFER && SA_RESETHAND == POSIX_SA_RESETHAND &&
	       SA_ONSTACK == POSIX_SA_ONSTACK, "sa_flags");
_Static_assert(SIG_BLOCK == POSIX_SIG_BLOCK && SIG_UNBLOCK == POSIX_SIG_UNBLOCK &&
	       SIG_SETMASK == POSIX_SIG_SETMASK, "sigprocmask how");
#define MAX_DEPTH  SIG_MAX_DEPTH

static struct k_sigaction actions[NSIG_MAX + 1];
static uint64_t known;             /* dispositions known here (set since start) */
static uint64_t local_mask;        /* without a process server */

hidden struct cairn_sigthr __cairn_sig_main;

/* The calling thread's word for PS_SIGMASK and PS_SIGRETURN_DONE: its
 * tid above, and the flag for a change made outside every handler (none
 * runs here now; one the server has begun may not have reached us yet) */
static uint64_t outside(const struct cairn_sigthr *me)
{
	return (me->depth ? 0 : POSIX_SIGMASK_OUTSIDE) | (uint64_t)(uint32_t)me->tid << 32;
}

long __cairn_sig_tid(void)
{
	struct cairn_sigthr *me = __cairn_sig_self();

	return me->tid ? me->tid : __cairn_getpid();
}

static uint64_t bit(long sig) { return 1ull << (sig - 1); }

static long ps(uint32_t label, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3, struct cairn_ans *a)
{
	return cairn_errno(__cairn_ipc(__cairn_proc, label, w0, w1, w2, w3, 0, 0, IPC_ALWAYS, a));
}

/* The server's disposition of sig, learnt by setting SIG_IGN and putting
 * the old one back (nothing else asks without setting). */
static long learn(long sig)
{
	struct cairn_ans a;
	long r;

	if (sig == SIGKILL || sig == SIGSTOP) {
		known |= bit(sig);
		return 0;
	}
	if ((r = ps(PS_SIGACTION, (uint64_t)sig, POSIX_SIG_IGN, 0, 0, &a)))
		return r;
	if ((a.w[0] & 0xffffffffu) != POSIX_SIG_IGN &&
	    (r = ps(PS_SIGACTION, (uint64_t)sig, a.w[0], a.w[1], a.w[2], NULL)))
		return r;
	memset(&actions[sig], 0, sizeof(actions[sig]));
	actions[sig].handler = (a.w[0] & 0xffffffffu) == POSIX_SIG_IGN ? SIG_IGN : SIG_DFL;
	actions[sig].flags = a.w[0] >> 32;
	memcpy(actions[sig].mask, &a.w[2], SETSIZE);
	known |= bit(sig);
	return 0;
}

long __cairn_rt_sigaction(long sig, const void *act, void *oact, size_t size)
{
	const struct k_sigaction *ka = act;
	struct k_sigaction old;
	uint64_t mask = 0;
	unsigned disp;
	long r;

	if (size != SETSIZE || sig < 1 || sig > NSIG_MAX)
		return -EINVAL;
	if (ka && (sig == SIGKILL || sig == SIGSTOP))
		return -EINVAL;
	if (__cairn_proc != CAP_NULL && !(known & bit(sig)) && !ka && (r = learn(sig)))
		return r;
	old = actions[sig];
	if (ka) {
		memcpy(&mask, ka->mask, SETSIZE);
		if (ka->handler == SIG_DFL)
			disp = POSIX_SIG_DFL;
		else if (ka->handler == SIG_IGN)
			disp = POSIX_SIG_IGN;
		else
			disp = POSIX_SIG_HANDLE;
		/* the table first: the handler may run as soon as the server answers */
		actions[sig] = *ka;
		if (__cairn_proc != CAP_NULL) {
			struct cairn_ans a;
			r = ps(PS_SIGACTION, (uint64_t)sig, disp | (uint64_t)(uint32_t)ka->flags << 32,
			       disp == POSIX_SIG_HANDLE ? (uint64_t)(uintptr_t)__cairn_sigentry : 0,
			       mask & ~UNBLOCKABLE, &a);
			if (r) {
				actions[sig] = old;
				return r;
			}
			if (!(known & bit(sig))) {
				/* inherited through exec: SIG_DFL or SIG_IGN */
				memset(&old, 0, sizeof(old));
				old.handler = (a.w[0] & 0xffffffffu) == POSIX_SIG_IGN ? SIG_IGN : SIG_DFL;
				old.flags = a.w[0] >> 32;
				memcpy(old.mask, &a.w[2], SETSIZE);
			}
		}
		known |= bit(sig);
	}
	if (oact)
		memcpy(oact, &old, sizeof(old));
	return 0;
}

long __cairn_rt_sigprocmask(long how, const void *set, void *old, size_t size)
{
	struct cairn_ans a;
	uint64_t s = 0;
	long r;

	if (size != SETSIZE)
		return -EINVAL;
	if (set && how != SIG_BLOCK && how != SIG_UNBLOCK && how != SIG_SETMASK)
		return -EINVAL;
	if (set)
		memcpy(&s, set, SETSIZE);
	if (__cairn_proc == CAP_NULL) {
		if (old)
			memcpy(old, &local_mask, SETSIZE);
		if (set) {
			if (how == SIG_BLOCK)
				local_mask |= s;
			else if (how == SIG_UNBLOCK)
				local_mask &= ~s;
			else
				local_mask = s;
			local_mask &= ~UNBLOCKABLE;
		}
		return 0;
	}
	if (!set) {
		how = POSIX_SIG_BLOCK;      /* adds nothing: the answer is the mask */
		s = 0;
	}
	if ((r = ps(PS_SIGMASK, (uint64_t)how, s, outside(__cairn_sig_self()), 0, &a)))
		return r;
	if (old)
		memcpy(old, &a.w[0], SETSIZE);
	return 0;
}

long __cairn_rt_sigpending(void *set, size_t size)
{
	struct cairn_ans a;
	long r;

	if (size > SETSIZE)
		return -EINVAL;
	if (__cairn_proc == CAP_NULL) {
		memset(set, 0, size);
		return 0;
	}
	if ((r = ps(PS_SIGPENDING, (uint64_t)__cairn_sig_self()->tid, 0, 0, 0, &a)))
		return r;
	memcpy(set, &a.w[0], size);
	return 0;
}

long __cairn_rt_sigsuspend(const void *set, size_t size)
{
	struct cairn_sigthr *me = __cairn_sig_self();
	struct cairn_ans a;
	unsigned long count;
	uint64_t s, oldmask;
	cap_t note;
	long r;

	if (size != SETSIZE)
		return -EINVAL;
	if (__cairn_proc == CAP_NULL)
		return __cairn_nosys(SYS_rt_sigsuspend);
	if ((note = __cairn_note()) == CAP_NULL)
		return -ENOMEM;
	memcpy(&s, set, SETSIZE);
	while (!cairn_wait(note, 0, NULL))
		;                         /* old wake-ups */
	count = me->count;
	/* a signal it unblocks is delivered on the way back from this request */
	if ((r = ps(PS_SIGMASK, POSIX_SIG_SETMASK, s, outside(me), 0, &a)))
		return r;
	oldmask = a.w[0];
	while (count == me->count) {
		err_t e = cairn_wait(note, CAIRN_FOREVER, NULL);
		if (e && e != ERR_TIMEDOUT && e != ERR_AGAIN)
			break;            /* ERR_INTR: a handler ran */
	}
	ps(PS_SIGMASK, POSIX_SIG_SETMASK, oldmask, outside(me), 0, NULL);
	return -EINTR;
}

/* A fault's signal from the kernel (si_code > 0: SEGV_MAPERR...): its
 * siginfo has the address (si_addr), the server's value. */
static int fault_info(int sig, int code)
{
	return (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE || sig == SIGTRAP) &&
	       code > 0 && code != SI_KERNEL;
}

/* The siginfo of a signal taken or delivered: the server's words
 * (sig, sender | si_code << 32, si_value, overrun). A timer's (SI_TIMER)
 * sender is its id; si_timerid and si_overrun are where si_pid and si_uid
 * are for other signals. */
static void fill_info(siginfo_t *si, int sig, uint64_t who, uint64_t value, uint64_t overrun)
{
	memset(si, 0, sizeof(*si));
	si->si_signo = sig;
	si->si_code = (int)(int32_t)(who >> 32);
	if (si->si_code == SI_TIMER) {
		si->si_timerid = (int)(uint32_t)who;
		si->si_overrun = (int)overrun;
	} else {
		si->si_pid = (pid_t)(uint32_t)who;
		si->si_uid = 0;
	}
	if (si->si_code < 0)
		si->si_value.sival_ptr = (void *)(uintptr_t)value;
	else if (fault_info(sig, si->si_code))
		si->si_addr = (void *)(uintptr_t)value;
	else if (sig == SIGCHLD && si->si_code > 0 && si->si_code != SI_KERNEL)
		si->si_status = (int)value;       /* CLD_*: the exit code or signal */
}

/* sigtimedwait, sigwaitinfo, sigwait: PS_SIGWAIT waits in the server,
 * for this thread (its tid: the signals pending for it come too); a
 * handler that runs on this thread meanwhile interrupts it (EINTR,
 * never restarted, as Linux). */
long __cairn_rt_sigtimedwait(const void *set, void *info, const void *timeout, size_t size)
{
	const struct timespec *ts = timeout;
	struct cairn_ans a;
	uint64_t s, t = UINT64_MAX;
	long r;

	if (size != SETSIZE)
		return -EINVAL;
	memcpy(&s, set, SETSIZE);
	s &= ~UNBLOCKABLE;
	if (ts) {
		if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000L)
			return -EINVAL;
		if ((uint64_t)ts->tv_sec >= UINT64_MAX / 2 / 1000000000u)
			t = UINT64_MAX;
		else
			t = (uint64_t)ts->tv_sec * 1000000000u + (uint64_t)ts->tv_nsec;
	}
	if (__cairn_proc == CAP_NULL)
		return __cairn_nosys(SYS_rt_sigtimedwait);
	if ((r = cairn_errno(__cairn_ipc(__cairn_proc, PS_SIGWAIT, s, t, (uint64_t)__cairn_sig_self()->tid, 0,
					 0, 0, IPC_EINTR, &a))))
		return r;
	if (info)
		fill_info(info, (int)a.w[0], a.w[1], a.w[2], a.w[3]);
	return (long)a.w[0];
}

/* rt_sigqueueinfo (sigqueue): si_code and si_value travel; the server
 * gives our pid as the sender. */
long __cairn_rt_sigqueueinfo(long pid, long sig, const void *info)
{
	const siginfo_t *si = info;

	if (__cairn_proc == CAP_NULL)
		return __cairn_nosys(SYS_rt_sigqueueinfo);
	if (sig < 0 || sig > NSIG_MAX)
		return -EINVAL;
	return ps(PS_SIGQUEUE, (uint64_t)pid, (uint64_t)sig, (uint64_t)(uint32_t)si->si_code,
		  (uint64_t)(uintptr_t)si->si_value.sival_ptr, NULL);
}

/* rt_tgsigqueueinfo (pthread_sigqueue): to a thread of ours, with its
 * si_code (PS_TKILL's explicit code) and si_value */
long __cairn_rt_tgsigqueueinfo(long pid, long tid, long sig, const void *info)
{
	const siginfo_t *si = info;

	if (__cairn_proc == CAP_NULL)
		return __cairn_nosys(SYS_rt_tgsigqueueinfo);
	if (sig < 0 || sig > NSIG_MAX || tid <= 0 || pid <= 0)
		return -EINVAL;
	if (pid != __cairn_getpid())
		return -ESRCH;          /* (another process's threads are not ours to name) */
	return ps(PS_TKILL, (uint64_t)tid, (uint64_t)sig,
		  (uint64_t)(uint32_t)si->si_code | POSIX_TKILL_CODE,
		  (uint64_t)(uintptr_t)si->si_value.sival_ptr, NULL);
}

/* Raises sig on the calling thread (SIGPIPE after EPIPE, as Linux
 * sends it to the writer; a handler's default once it ends) */
void __cairn_raise(int sig)
{
	if (__cairn_proc != CAP_NULL)
		ps(PS_TKILL, (uint64_t)__cairn_sig_tid(), (uint64_t)sig,
		   (uint64_t)(uint32_t)SI_USER | POSIX_TKILL_CODE, 0, NULL);
}

/* ---- delivery ---------------------------------------------------------------------------- */

static void delivery_done(struct cairn_sigthr *me, int sig, uint64_t how, uint64_t set)
{
	ps(PS_SIGRETURN_DONE, (uint64_t)sig, how, set, (uint64_t)(uint32_t)me->tid << 32, NULL);
}


void __cairn_sig_forked(int in_handler)
{
	struct cairn_sigthr *me = __cairn_sig_self();   /* the forking thread's, now the first's */

	me->tid = 0;
	me->in_cp = me->cp_cancel = 0;
	if (in_handler)
		return;                   /* the child returns from it as the parent will */
	me->depth = 0;
	me->hold = 0;
	me->held = 0;
	me->held_floor = 0;
	if (__cairn_proc != CAP_NULL)
		ps(PS_SIGRETURN_DONE, 0, 0, 0, POSIX_SIGRETURN_FORKED, NULL);
}

void __cairn_longjmp_hook(uintptr_t target_sp);
void __cairn_longjmp_hook(uintptr_t target_sp)
{
	struct cairn_sigthr *me = __cairn_sig_self();

	while (me->depth > 0) {
		int d = me->depth - 1;
		if (d < MAX_DEPTH && target_sp <= me->deliveries[d].frame)
			break;            /* a jump within the handler */
		me->depth = d;
		if (d < MAX_DEPTH)
			delivery_done(me, me->deliveries[d].sig, 0, 0);
	}
}

/* ---- sigaltstack ---------------------------------------------------------------------- */

static int on_altstack(const struct cairn_altstack *a, uintptr_t sp)
{
	return a->size && sp > a->base && sp - a->base <= a->size;
}

long __cairn_sigaltstack(const void *ssp, void *oldp)
{
	const stack_t *ss = ssp;
	stack_t *old = oldp;
	cap_t th;
	struct cairn_altstack *a = __cairn_thread_altstack(&th);
	volatile char here;
	int on = on_altstack(a, (uintptr_t)&here);

	if (old) {
		old->ss_sp = (void *)a->base;
		old->ss_size = a->size;
		old->ss_flags = on ? SS_ONSTACK : a->size ? 0 : SS_DISABLE;
	}
	if (!ss)
		return 0;
	/* musl checked the size (ENOMEM) and refused SS_ONSTACK */
	if (ss->ss_flags & ~SS_DISABLE)
		return -EINVAL;
	if (on)
		return -EPERM;
	if (ss->ss_flags & SS_DISABLE) {
		if (a->size)
			cairn_invoke(th, THREAD_SET_ALTSTACK, 0, 0, 0, 0, 0, NULL);
		a->base = 0;
		a->size = 0;
		return 0;
	}
	if (!a->save) {
		void *va;
		if (cairn_memobj_create(SLOT_SELF_PROC, ALT_SAVES, 0, &a->save_mo))
			return -ENOMEM;
		if (cairn_map(a->save_mo, 0, ALT_SAVES, CAIRN_PROT_R | CAIRN_PROT_W, &va)) {
			cairn_cap_delete(a->save_mo);
			return -ENOMEM;
		}
		a->save = va;
	}
	err_t e = cairn_invoke(th, THREAD_SET_ALTSTACK, 0, (uint64_t)(uintptr_t)ss->ss_sp, ss->ss_size,
			       0, 0, NULL);
	if (e)
		return e == ERR_INVAL ? -EINVAL : cairn_errno(e);
	a->base = (uintptr_t)ss->ss_sp;
	a->size = ss->ss_size;
	return 0;
}

void __cairn_altstack_forked(const struct cairn_altstack *forker)
{
	if (forker->size)
		cairn_invoke(SLOT_SELF_THREAD, THREAD_SET_ALTSTACK, 0, forker->base, forker->size, 0, 0,
			     NULL);
}

/* ---- a SA_SIGINFO handler's ucontext ----------------------------------------------------- */

/* The kernel's upcall frame (include/cairn/abi.h: a header, then the
 * registers in the arch's order) */
struct upframe {
	uint64_t magic, partial, result, pad;
	uint64_t r[];
};

/* As Linux fills it: the interrupted registers (from the frame, and the
 * entry's save area: FP registers, and the callee-saved registers of a
 * frame saved by the system-call path, live when the upcall came), the
 * mask before the handler, the thread's alternate stack. A delivery run
 * from a hold (no frame of its own: area NULL) has no registers. */
static void uc_fill(ucontext_t *uc, uintptr_t frame, const uint64_t *area, uint64_t mask)
{
	const struct upframe *f = (const struct upframe *)frame;
	cap_t th;
	struct cairn_altstack *a = __cairn_thread_altstack(&th);

	memset(uc, 0, sizeof(*uc));
	memcpy(&uc->uc_sigmask, &mask, sizeof(mask));
	uc->uc_stack.ss_sp = (void *)a->base;
	uc->uc_stack.ss_size = a->size;
	uc->uc_stack.ss_flags = a->size ? 0 : SS_DISABLE;
	if (area && f->magic == CAIRN_UPCALL_MAGIC)
		cairn_arch_uc_fill(&uc->uc_mcontext, f->r, (int)f->partial, f->result, area);
}

/* What the handler changed goes back where SYS_UPCALL_RETURN and the
 * entry take it from (the kernel checks what it restores) */
static void uc_apply(const ucontext_t *uc, uintptr_t frame, uint64_t *area)
{
	struct upframe *f = (struct upframe *)frame;

	if (area && f->magic == CAIRN_UPCALL_MAGIC)
		cairn_arch_uc_apply(&uc->uc_mcontext, f->r, (int)f->partial, &f->result, area);
}

/* ---- the upcall entry's C part ------------------------------------------------------------ */

static void sig_run_saved(uint64_t arg, uintptr_t frame, uint64_t *area, struct cairn_ipcbuf *saved);

/* The IPC buffer kept on the stack the handler runs on (not inlined: the
 * 4 KiB are not in the caller's frame, on a small alternate stack) */
__attribute__((noinline)) static void sig_run_local(uint64_t arg, uintptr_t frame, uint64_t *area)
{
	struct cairn_ipcbuf local;

	sig_run_saved(arg, frame, area, &local);
}

void __cairn_sig_run(uint64_t arg, uintptr_t frame, uint64_t *area)
{
	struct cairn_sigthr *me = __cairn_sig_self();
	cap_t th;
	struct cairn_altstack *a;

	/* inside a pipe's critical section: later (the server sends no other
	 * delivery before this one is done) */
	if (me->hold) {
		if (me->held < MAX_DEPTH)      /* (the server nests fewer) */
			me->held_args[me->held++] = arg;
		return;
	}
	/* on the alternate stack (SA_ONSTACK): the IPC buffer in a page of
	 * its own, while there are some */
	a = __cairn_thread_altstack(&th);
	if (a->save && a->used < ALT_SAVES && on_altstack(a, frame)) {
		sig_run_saved(arg, frame, area, &a->save[a->used++]);
		a->used--;
		return;
	}
	sig_run_local(arg, frame, area);
}

/* The note a wait of this thread sleeps on (poll, sleeps, sigsuspend). */
static cap_t own_note(void)
{
	cap_t n = __cairn_thread_note();

	return n != CAP_NULL ? n : __cairn_note_cap;
}

static void sig_run_saved(uint64_t arg, uintptr_t frame, uint64_t *area, struct cairn_ipcbuf *saved)
{
	struct cairn_sigthr *me = __cairn_sig_self();
	int sig = (int)(arg & 0xff), code = posix_sig_arg_code(arg), sender = (int)(arg >> 32);
	int saved_errno = errno, d;
	/* the held upcalls this frame runs at its end: those above base */
	int base = me->held, floor = me->held_floor;
	struct k_sigaction ka;
	cap_t note;

	/* the interrupted code's request or answer in the IPC buffer */
	memcpy(saved, cairn_ipcbuf(), sizeof(*saved));
	if (sig < 1 || sig > NSIG_MAX) {
		memcpy(cairn_ipcbuf(), saved, sizeof(*saved));
		return;
	}
	me->held_floor = base;
	int restart = 1;
	uint64_t end_how, end_mask;
next:
	end_how = end_mask = 0;
	ka = actions[sig];
	if (ka.flags & SA_RESETHAND) {
		actions[sig].handler = SIG_DFL;
		actions[sig].flags &= ~(unsigned long)SA_SIGINFO;
	}
	d = me->depth;
	if (d < MAX_DEPTH) {
		me->deliveries[d].sig = sig;
		me->deliveries[d].frame = frame;
	}
	me->depth = d + 1;
	if (ka.handler != SIG_DFL && ka.handler != SIG_IGN) {
		if (ka.flags & SA_SIGINFO) {
			siginfo_t si;
			ucontext_t uc;
			struct cairn_ans a;
			uint64_t value = 0, overrun = 0, mask = local_mask, after;
			/* the mask before the handler, sigqueue's and timers'
			 * value: asked of the server (register words only) */
			int known_mask = !ps(PS_SIGCONTEXT, (uint64_t)me->tid, 0, 0, 0, &a) &&
					 a.w[0] == (uint64_t)sig;
			if (known_mask) {
				mask = a.w[1];
				value = a.w[2];
				overrun = a.w[3];
			}
			/* a PROT_NONE reservation has no kernel mapping: Linux's
			 * SEGV_ACCERR all the same */
			if (sig == SIGSEGV && code == SEGV_MAPERR && __cairn_mem_prot_none((uintptr_t)value))
				code = SEGV_ACCERR;
			fill_info(&si, sig, (uint32_t)sender | (uint64_t)(uint32_t)code << 32, value,
				  overrun);
			uc_fill(&uc, frame, area, mask);
			((void (*)(int, siginfo_t *, void *))(void *)ka.handler)(sig, &si, &uc);
			/* a mask the handler left in its ucontext is the one after it */
			memcpy(&after, &uc.uc_sigmask, sizeof(after));
			if (known_mask && after != mask) {
				end_how = 1;
				end_mask = after;
			}
			uc_apply(&uc, frame, area);
		} else {
			ka.handler(sig);
		}
	}
	me->depth = d;
	/* an interrupted call restarts if every handler that ran had
	 * SA_RESTART, and no cancellation request came for its point */
	restart &= (ka.flags & SA_RESTART) != 0 && !me->cp_cancel;
	me->restart = restart;
	me->count++;
	/* a wait that missed the interruption (it began just after) ends too */
	if ((note = own_note()) != CAP_NULL)
		cairn_invoke(note, NOTIFY_SIGNAL, 0, NOTE_SIG_BIT, 0, 0, 0, NULL);
	/* The end. The server's next delivery comes by an upcall on the way
	 * out of PS_SIGRETURN_DONE: held, and run here in this frame, so
	 * that a queue of signals makes no frame each (each would nest in
	 * the last one's end, for ever while signals keep coming). The held
	 * ones are looked for once the hold is off (no more come then: one
	 * that comes nests and ends first, as on the server's side it nests
	 * in them), innermost first */
	me->hold++;
	delivery_done(me, sig, end_how, end_mask);
	/* changed to SIG_DFL while the upcall was on its way: the default now */
	if (ka.handler == SIG_DFL)
		__cairn_raise(sig);
	me->hold--;
	uint64_t more = 0;
	if (me->held > base) {
		/* read, then taken: one that nests in between pushes above it */
		more = me->held_args[me->held - 1];
		me->held--;
	}
	if (more) {
		arg = more;
		sig = (int)(arg & 0xff);
		code = posix_sig_arg_code(arg);
		sender = (int)(arg >> 32);
		if (sig >= 1 && sig <= NSIG_MAX) {
			cap_t th;
			struct cairn_altstack *a = __cairn_thread_altstack(&th);
			/* a handler for the alternate stack while we are not on
			 * it: an upcall of our own puts it there */
			if (!(actions[sig].flags & SA_ONSTACK) || !a->size ||
			    on_altstack(a, (uintptr_t)__builtin_frame_address(0)) ||
			    cairn_invoke(th, THREAD_UPCALL, 0, (uint64_t)(uintptr_t)__cairn_sigentry, arg,
					 UPCALL_ONSTACK, 0, NULL))
				goto next;    /* (one of the server's on its way: here) */
		}
	}
	me->held_floor = floor;
	memcpy(cairn_ipcbuf(), saved, sizeof(*saved));
	errno = saved_errno;
}

/* Runs the held upcalls, innermost first, as the server nested them
 * (with the hold off none is added; one that comes meanwhile nests and
 * ends at once), down to those a running delivery's end will run. */
void __cairn_sig_release(void)
{
	struct cairn_sigthr *me = __cairn_sig_self();

	while (!me->hold && me->held > me->held_floor) {
		uint64_t arg = me->held_args[me->held - 1];
		me->held--;
		__cairn_sig_run(arg, (uintptr_t)__builtin_frame_address(0), NULL);
	}
}

/* musl's cancel_handler (0009-cancel-handler.patch), the request
 * pending (self->cancel) and enabled: a thread blocked in a cancellation
 * point's call has it end (EINTR, not restarted), and __cairn_syscall_cp
 * acts on it; elsewhere the next cancellation point's check does. */
void __cairn_cancel_at_point(void)
{
	struct cairn_sigthr *me = __cairn_sig_self();

	if (me->in_cp)
		me->cp_cancel = 1;
}
