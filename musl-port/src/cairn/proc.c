/* SPDX-License-Identifier: MIT */
/*
 * The process: exit, ids, process groups and sessions, wait, kill, the
 * interval timer, resource limits, uname and (x86_64) the FS base. With a
 * "proc" capability (a POSIX process) these are requests to the process
 * server (include/cairn/posix.h, PS_*); without one (a program init
 * starts by itself) the process is alone: pid CAIRN_PID, parent init.
 *
 * - exit_group closes every descriptor (IO_CLOSE: a pipe's reader sees its
 *   end) and the working directory, then PS_EXIT (else SYS_EXIT), which
 *   ends every thread; a thread's own exit is thread.c's.
 * - wait4 is PS_WAIT (the server answers when a child changes state; a
 *   signal handler interrupts it: EINTR, or again with SA_RESTART); no
 *   rusage is kept (zeroes).
 * - Resource limits: RLIMIT_NOFILE is the descriptor table's size (the
 *   soft limit can be lowered and raised again), RLIMIT_STACK the first
 *   thread's stack (1 MiB under the process server, posix.h),
 *   RLIMIT_SIGPENDING the process server's real-time signal queue (32);
 *   the rest are unlimited. Nothing is kept across exec.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include "syscall.h"
#include <cairn/version.h>
#include "cairn_impl.h"
#include "cairn_arch.h"

/* PS_WAIT takes musl's options as they are (include/cairn/posix.h) */
_Static_assert(WNOHANG == POSIX_WNOHANG && WUNTRACED == POSIX_WUNTRACED &&
	       WCONTINUED == POSIX_WCONTINUED && WNOWAIT == POSIX_WNOWAIT, "wait options");

static int *clear_tid;

_Noreturn void __cairn_exit_group(long status)
{
	__cairn_robust_exit();
	__cairn_sysv_exit();            /* SEM_UNDO, shmat attaches */
	__cairn_fd_close_all();
	/* pid 1's end is the POSIX world's (init powers off): the disks first */
	if (__cairn_proc != CAP_NULL && __cairn_getpid() == 1)
		__cairn_sync();
	/* no answer: the server ends the process */
	if (__cairn_proc != CAP_NULL)
		cairn_call(__cairn_proc, cairn_tag(PS_EXIT, CAIRN_MSG_REGS, 0), (uint64_t)(status & 0xff),
			   0, 0, 0);
	for (;;)
		cairn_exit((int)(status & 0xff));
}

long __cairn_set_tid_address(int *tidptr)
{
	/* another thread's: cleared and woken at its exit (musl's
	 * pthread_create, when the new thread's scheduling cannot be set,
	 * waits so for it to go); the first thread's exit ends the process */
	if (!__cairn_thread_set_ctid(tidptr))
		clear_tid = tidptr;
	return __cairn_gettid();
}

static void field(char *dst, const char *src)
{
	strncpy(dst, src, sizeof(((struct utsname *)0)->sysname) - 1);
}

/* uname: the system's name and version (include/cairn/version.h), the
 * machine, and the host and domain names the process server keeps
 * (PS_UNAME; sethostname and setdomainname set them, system.c). */
long __cairn_uname(void *buf)
{
	struct utsname *u = buf;
	struct posix_uts names = { "cairn", "(none)" };
	struct cairn_ans a;

	if (__cairn_proc != CAP_NULL &&
	    !__cairn_ipc(__cairn_proc, PS_UNAME, 0, 0, 0, 0, 0, 0, IPC_ALWAYS, &a) &&
	    a.nbytes >= sizeof(names)) {
		memcpy(&names, __cairn_ipc_data(), sizeof(names));
		names.nodename[POSIX_UTS_LEN] = names.domainname[POSIX_UTS_LEN] = 0;
	}
	memset(u, 0, sizeof(*u));
	field(u->sysname, "Cairn");
	field(u->nodename, names.nodename);
	field(u->release, CAIRN_RELEASE);
	field(u->version, "Cairn musl-port");
	field(u->machine, CAIRN_ARCH_MACHINE);
	field(u->domainname, names.domainname);
	return 0;
}

/* ---- requests to the process server ----------------------------------------------------- */

static long ps(uint32_t label, uint64_t w0, uint64_t w1, uint64_t w2, int intr, struct cairn_ans *a)
{
	return cairn_errno(__cairn_ipc(__cairn_proc, label, w0, w1, w2, 0, 0, 0, intr, a));
}

long __cairn_getppid(void)
{
	struct cairn_ans a;

	if (__cairn_proc == CAP_NULL)
		return CAIRN_PPID;
	if (ps(PS_GETPID, 0, 0, 0, IPC_ALWAYS, &a))
		return 0;
	return (long)a.w[1];
}

long __cairn_getpgid(long pid)
{
	struct cairn_ans a;
	long r;

	if (__cairn_proc == CAP_NULL)
		return pid && pid != CAIRN_PID ? -ESRCH : CAIRN_PID;
	if (pid < 0)
		return -ESRCH;
	if ((r = ps(PS_GETPGID, (uint64_t)pid, 0, 0, IPC_ALWAYS, &a)))
		return r;
	return (long)a.w[0];
}

long __cairn_setpgid(long pid, long pgid)
{
	if (__cairn_proc == CAP_NULL)
		return -EPERM;
	if (pgid < 0)
		return -EINVAL;
	return ps(PS_SETPGID, (uint64_t)pid, (uint64_t)pgid, 0, IPC_ALWAYS, NULL);
}

long __cairn_getsid(long pid)
{
	struct cairn_ans a;
	long r;

	if (__cairn_proc == CAP_NULL)
		return pid && pid != CAIRN_PID ? -ESRCH : CAIRN_PID;
	if (pid < 0)
		return -ESRCH;
	if ((r = ps(PS_GETSID, (uint64_t)pid, 0, 0, IPC_ALWAYS, &a)))
		return r;
	return (long)a.w[0];
}

long __cairn_setsid(void)
{
	struct cairn_ans a;
	long r;

	if (__cairn_proc == CAP_NULL)
		return -EPERM;
	if ((r = ps(PS_SETSID, 0, 0, 0, IPC_ALWAYS, &a)))
		return r;
	return (long)a.w[0];
}

long __cairn_wait4(long pid, int *status, long options, void *rusage)
{
	struct cairn_ans a;
	long r;

	if (__cairn_proc == CAP_NULL)
		return -ECHILD;
	if ((int)pid == INT_MIN)
		return -ESRCH;
	r = ps(PS_WAIT, (uint64_t)(int64_t)(int)pid, (uint64_t)options, 0, IPC_RESTART, &a);
	/* a signal (SIGCHLD itself) can end the call before the process
	 * server saw it, with a child already waitable: as on Linux, a child
	 * that can be reaped is reaped, and the signal comes after */
	if (r == -EINTR && !(options & WNOHANG) &&
	    !ps(PS_WAIT, (uint64_t)(int64_t)(int)pid, (uint64_t)options | WNOHANG, 0, IPC_ALWAYS, &a) &&
	    a.w[0])
		r = 0;
	if (r)
		return r;
	if (status && a.w[0])
		*status = (int)a.w[1];
	if (rusage)
		memset(rusage, 0, sizeof(struct rusage));
	return (long)a.w[0];
}

/* waitid over PS_WAIT: P_PID, P_PGID, P_ALL; a stop is only seen with
 * WSTOPPED, a continue with WCONTINUED; WEXITED must be given (the server
 * always reports ended children). */
long __cairn_waitid(long type, long id, void *info, long options, void *rusage)
{
	siginfo_t *si = info;
	long pid, opts = options & (WNOHANG | WNOWAIT | WCONTINUED), r;
	int st = 0;

	if (options & ~(long)(WNOHANG | WNOWAIT | WEXITED | WSTOPPED | WCONTINUED | __WALL | __WCLONE |
			      __WNOTHREAD))
		return -EINVAL;
	if (!(options & (WEXITED | WSTOPPED | WCONTINUED)))
		return -EINVAL;
	if (!(options & WEXITED)) {
		__cairn_unimplemented(CAIRN_UNIMP_OTHER, 0x40000, "waitid without WEXITED is");
		return -EINVAL;
	}
	if (options & WSTOPPED)
		opts |= WUNTRACED;
	switch (type) {
	case P_PID: if (id <= 0) return -EINVAL; pid = id; break;
	case P_PGID: if (id < 0) return -EINVAL; pid = id ? -id : 0; break;
	case P_ALL: pid = -1; break;
	default: return -EINVAL;
	}
	if ((r = __cairn_wait4(pid, &st, opts, rusage)) < 0)
		return r;
	if (si) {
		memset(si, 0, sizeof(*si));
		if (r) {
			si->si_signo = SIGCHLD;
			si->si_pid = (pid_t)r;
			if (WIFEXITED(st)) {
				si->si_code = CLD_EXITED;
				si->si_status = WEXITSTATUS(st);
			} else if (WIFSIGNALED(st)) {
				si->si_code = CLD_KILLED;
				si->si_status = WTERMSIG(st);
			} else if (WIFSTOPPED(st)) {
				si->si_code = CLD_STOPPED;
				si->si_status = WSTOPSIG(st);
			} else {
				si->si_code = CLD_CONTINUED;
				si->si_status = SIGCONT;
			}
		}
	}
	return 0;
}

long __cairn_kill(long pid, long sig)
{
	if (sig < 0 || sig > 64)
		return -EINVAL;
	if (__cairn_proc == CAP_NULL)
		return __cairn_nosys(SYS_kill);
	if ((int)pid == INT_MIN)
		return -ESRCH;
	return ps(PS_KILL, (uint64_t)(int64_t)(int)pid, (uint64_t)sig, 0, IPC_ALWAYS, NULL);
}

/* killpg (0013-killpg-group.patch): the group pgid by its id
 * (POSIX_KILL_PGRP), group 1 too; 0 is the caller's group. */
long __cairn_killpg(long pgid, long sig)
{
	if (!pgid || __cairn_proc == CAP_NULL)
		return __cairn_kill(-pgid, sig);
	if (sig < 0 || sig > 64)
		return -EINVAL;
	if (pgid < 0 || pgid > INT_MAX)
		return -ESRCH;
	return ps(PS_KILL, (uint64_t)-(int64_t)pgid, (uint64_t)sig, POSIX_KILL_PGRP, IPC_ALWAYS, NULL);
}

/* ---- the interval timers (ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF) --------------------- */

static uint64_t tv_ns(const struct timeval *tv)
{
	return (uint64_t)tv->tv_sec * 1000000000u + (uint64_t)tv->tv_usec * 1000u;
}

static void ns_tv(uint64_t ns, struct timeval *tv)
{
	tv->tv_sec = (time_t)(ns / 1000000000u);
	tv->tv_usec = (suseconds_t)(ns % 1000000000u / 1000u);
	if (!tv->tv_sec && !tv->tv_usec && ns)
		tv->tv_usec = 1;              /* some time left: not "disarmed" */
}

static long itimer(long which, const struct itimerval *new, struct itimerval *old)
{
	struct cairn_ans a;
	long r;

	if (which != ITIMER_REAL && which != ITIMER_VIRTUAL && which != ITIMER_PROF)
		return -EINVAL;
	if (__cairn_proc == CAP_NULL)
		return __cairn_nosys(SYS_setitimer);
	if (new && (new->it_value.tv_sec < 0 || new->it_value.tv_usec < 0 ||
		    new->it_value.tv_usec >= 1000000 || new->it_interval.tv_sec < 0 ||
		    new->it_interval.tv_usec < 0 || new->it_interval.tv_usec >= 1000000))
		return -EINVAL;
	r = ps(PS_SETITIMER, (uint64_t)which, new ? tv_ns(&new->it_value) : 0,
	       new ? tv_ns(&new->it_interval) : 0, IPC_ALWAYS, &a);
	if (r)
		return r;
	if (old) {
		ns_tv(a.w[0], &old->it_value);
		ns_tv(a.w[1], &old->it_interval);
	}
	return 0;
}

long __cairn_setitimer(long which, const void *new, void *old)
{
	if (!new)
		return -EFAULT;
	return itimer(which, new, old);
}

long __cairn_getitimer(long which, void *old)
{
	struct cairn_ans a;
	long r;

	if ((which != ITIMER_REAL && which != ITIMER_VIRTUAL && which != ITIMER_PROF) ||
	    __cairn_proc == CAP_NULL)
		return itimer(which, NULL, old);
	/* flags 1: only read it */
	if ((r = cairn_errno(__cairn_ipc(__cairn_proc, PS_SETITIMER, (uint64_t)which, 0, 0, 1, 0, 0,
					 IPC_ALWAYS, &a))))
		return r;
	ns_tv(a.w[0], &((struct itimerval *)old)->it_value);
	ns_tv(a.w[1], &((struct itimerval *)old)->it_interval);
	return 0;
}

/* ---- resource limits ---------------------------------------------------------------------- */

static struct rlimit limits[RLIM_NLIMITS];
static int limits_set;

/* "cur:max" of the start-up block (decimal or "inf"): 0 if it reads. */
static int kept_limit(const char *s, struct rlimit *out)
{
	rlim_t v[2];

	for (int i = 0; i < 2; i++) {
		if (!strncmp(s, "inf", 3)) {
			v[i] = RLIM_INFINITY;
			s += 3;
		} else if (*s >= '0' && *s <= '9') {
			for (v[i] = 0; *s >= '0' && *s <= '9'; s++)
				v[i] = v[i] * 10 + (rlim_t)(*s - '0');
		} else {
			return -1;
		}
		if (*s++ != (i ? 0 : ':'))
			return -1;
	}
	out->rlim_cur = v[0];
	out->rlim_max = v[1];
	return 0;
}

static void limits_init(void)
{
	if (limits_set)
		return;
	for (int i = 0; i < RLIM_NLIMITS; i++)
		limits[i] = (struct rlimit){ RLIM_INFINITY, RLIM_INFINITY };
	limits[RLIMIT_NOFILE] = (struct rlimit){ FD_MAX, FD_MAX };
	/* the main thread's stack without the process server: init's */
	uint64_t stack = CAIRN_STACK_PAGES * CAIRN_PAGE_SIZE;
	limits[RLIMIT_STACK] = (struct rlimit){ stack, stack };
	limits[RLIMIT_CORE] = (struct rlimit){ 0, RLIM_INFINITY };
	/* the process server queues this many real-time signals (posix.h) */
	limits[RLIMIT_SIGPENDING] = (struct rlimit){ POSIX_SIGQUEUE_MAX, POSIX_SIGQUEUE_MAX };
	/* the process server keeps them across exec (PS_RLIMIT): the
	 * start-up block says them */
	for (int i = 0; i < RLIM_NLIMITS && i < POSIX_RLIM_N; i++) {
		char key[12] = "rlimit";
		const char *s;
		struct rlimit l;
		key[6] = (char)('0' + i / 10 % 10);
		key[7] = (char)('0' + i % 10);
		if (i < 10) {
			key[6] = key[7];
			key[7] = 0;
		}
		if ((s = cairn_startup_kept(key)) && !kept_limit(s, &l))
			limits[i] = l;
	}
	if (limits[RLIMIT_NOFILE].rlim_cur < FD_MAX)
		__cairn_fd_limit = (long)limits[RLIMIT_NOFILE].rlim_cur;
	limits_set = 1;
}

void __cairn_limits_start(void)
{
	limits_init();
}

long __cairn_prlimit64(long pid, long res, const void *new, void *old)
{
	const struct rlimit *n = new;

	if (pid && pid != __cairn_getpid())
		return -ESRCH;
	if (res < 0 || res >= RLIM_NLIMITS)
		return -EINVAL;
	limits_init();
	if (n && n->rlim_cur > n->rlim_max)
		return -EINVAL;
	if (n && __cairn_proc != CAP_NULL) {
		/* the server keeps them (across exec) and says who may raise them */
		long r = cairn_errno(__cairn_ipc(__cairn_proc, PS_RLIMIT, (uint64_t)res, n->rlim_cur,
						 n->rlim_max, 1, 0, 0, IPC_ALWAYS, NULL));
		if (r)
			return r;
	} else if (n && n->rlim_max > limits[res].rlim_max) {
		return -EPERM;       /* raising a hard limit: no such privilege here */
	}
	if (old)
		memcpy(old, &limits[res], sizeof(struct rlimit));
	if (n) {
		limits[res] = *n;
		if (res == RLIMIT_NOFILE)
			__cairn_fd_limit = n->rlim_cur < FD_MAX ? (long)n->rlim_cur : FD_MAX;
	}
	return 0;
}

#ifdef SYS_arch_prctl
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003

static unsigned long fs_base;

/* x86_64: the FS base (musl's thread pointer) through THREAD_SET_TLS on
 * the calling thread (the first thread's capability is SLOT_SELF_THREAD). */
long __cairn_arch_prctl(long code, unsigned long addr)
{
	err_t e;

	switch (code) {
	case ARCH_SET_FS:
		if ((e = cairn_invoke(SLOT_SELF_THREAD, THREAD_SET_TLS, 0, addr, 0, 0, 0, NULL)))
			return cairn_errno(e);
		fs_base = addr;
		return 0;
	case ARCH_GET_FS:
		memcpy((void *)addr, &fs_base, sizeof(fs_base));
		return 0;
	}
	return -EINVAL;
}
#endif
