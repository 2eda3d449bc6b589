/* SPDX-License-Identifier: MIT */
/*
 * Bad pointers handed to system calls: EFAULT, as on Linux, not SIGSEGV.
 * The system calls run here, in the caller's process, so the caller's
 * memory is touched by our own code. Linux's answer is its exception
 * tables: the few instructions that touch user memory may fault, and the
 * fault handler sends them to a fixup that returns an error. Ours is the
 * same, with the process server as the fault handler (it already gets
 * every user fault: PROC_SET_FAULT): the copy routines
 * (arch/<arch>/ucopy.S) lie in one range, which start-up tells the server
 * (PS_UCOPY); a memory fault whose pc is in it is answered
 * CAIRN_FAULT_RESUME at the routine's fixup (the kernel sets the pc),
 * and the routine returns -1. No signal is raised, whatever the SIGSEGV
 * disposition and mask; nothing is spent on the normal path (a fault
 * outside the range is a fault as before). Why the server and not the
 * kernel: the server grows the main stack on a fault below it, which a
 * copy into a large stack buffer needs first; the kernel knows nothing
 * of that, and a range of its own per process would be one more thing
 * for it to keep, for what is a rare, slow path.
 *
 * Data (read, write and their vector and positioned forms, pipes,
 * sockets, the files whose pages are mapped) is copied with
 * __cairn_ucopy where it is copied (cairn_impl.h's scatter and gather).
 * The other pointer arguments (paths, structures in and out) are tried
 * up front by __cairn_bad_args, a byte a page, before the call does
 * anything: then, as on Linux, a call that fails with EFAULT has changed
 * nothing. (A structure another thread unmaps between that check and
 * the call's use of it still faults: Linux would say EFAULT.)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <sys/times.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include "syscall.h"
#include "futex.h"
#include "ksigaction.h"
#include "cairn_impl.h"

extern hidden const char __cairn_ucopy_start[], __cairn_ucopy_end[], __cairn_ucopy_fixup[];

void __cairn_ucopy_register(void)
{
	if (__cairn_proc != CAP_NULL)
		__cairn_ipc(__cairn_proc, PS_UCOPY, (uint64_t)(uintptr_t)__cairn_ucopy_start,
			    (uint64_t)(uintptr_t)__cairn_ucopy_end, (uint64_t)(uintptr_t)__cairn_ucopy_fixup,
			    0, 0, 0, IPC_ALWAYS, NULL);
}

/* A byte of each page of [p, p + n), read (or written as it is). */
static int probe(const void *p, size_t n, int write)
{
	uintptr_t a = (uintptr_t)p, last;
	char c;

	if (!n)
		return 1;
	if (__builtin_add_overflow(a, n - 1, &last))
		return 0;
	for (;;) {
		if (write ? __cairn_uprobe_w((void *)a) : __cairn_ucopy(&c, (const void *)a, 1))
			return 0;
		if ((a | (CAIRN_PAGE_SIZE - 1)) >= last)
			return 1;
		a = (a | (CAIRN_PAGE_SIZE - 1)) + 1;
	}
}

int __cairn_uread_ok(const void *p, size_t n)
{
	return probe(p, n, 0);
}

int __cairn_uwrite_ok(void *p, size_t n)
{
	return probe(p, n, 1);
}

/* ---- the arguments of each call --------------------------------------------------------- */

static int str_ok(long s)
{
	return __cairn_ustrnlen((const char *)s, (size_t)-1 >> 1) >= 0;
}

/* a socklen_t *len (read and written), and what of the len bytes at addr
 * may be written: an address (Linux writes what there is, at most a
 * sockaddr_storage), or max */
static int addr_out_ok(long addr, long len, size_t max)
{
	unsigned n;

	if (!addr)
		return 1;
	if (!__cairn_uwrite_ok((void *)len, sizeof(unsigned)) ||
	    __cairn_ucopy(&n, (const void *)len, sizeof(n)))
		return 0;
	return __cairn_uwrite_ok((void *)addr, n < max ? n : max);
}

/* An address read: a length past a sockaddr_storage is EINVAL first */
static int addr_in_ok(long addr, long len)
{
	return (unsigned long)(unsigned)len > sizeof(struct sockaddr_storage) ||
	       __cairn_uread_ok((const void *)addr, (size_t)(unsigned)len);
}
#define ADDR_MAX sizeof(struct sockaddr_storage)

/* A msghdr and what it points to: the iovec array (each buffer is tried
 * as it is copied: scatter and gather), the address and the control
 * data, read for a send and written for a receive (recvmsg writes the
 * header's lengths and flags too). A count or length the call refuses
 * (EMSGSIZE, EINVAL) is left to it. */
static int msghdr_ok(long p, int recv)
{
	struct msghdr m;

	if (!__cairn_uread_ok((const void *)p, sizeof(m)) || (recv && !__cairn_uwrite_ok((void *)p, sizeof(m))))
		return 0;
	memcpy(&m, (const void *)p, sizeof(m));
	if (m.msg_iovlen > 0 && m.msg_iovlen <= IOV_MAX &&
	    !__cairn_uread_ok(m.msg_iov, (size_t)m.msg_iovlen * sizeof(struct iovec)))
		return 0;
	if (m.msg_name && m.msg_namelen) {
		size_t n = m.msg_namelen < ADDR_MAX ? m.msg_namelen : ADDR_MAX;
		if (recv ? !__cairn_uwrite_ok(m.msg_name, n) :
			   m.msg_namelen <= ADDR_MAX && !__cairn_uread_ok(m.msg_name, n))
			return 0;
	}
	if (m.msg_control && m.msg_controllen) {
		size_t n = m.msg_controllen < 65536 ? m.msg_controllen : 65536;
		if (recv ? !__cairn_uwrite_ok(m.msg_control, n) : !__cairn_uread_ok(m.msg_control, n))
			return 0;
	}
	return 1;
}

/* select's sets: Linux reads and writes whole longs */
static size_t fds_bytes(long n)
{
	if (n < 0 || n > FD_SETSIZE)
		return 0;            /* (EINVAL from the call) */
	return ((size_t)n + 63) / 64 * 8;
}

#define STR(x)        do { if (!str_ok(x)) return 1; } while (0)
#define IN(x, n)      do { if (!__cairn_uread_ok((const void *)(x), (n))) return 1; } while (0)
#define OUT(x, n)     do { if (!__cairn_uwrite_ok((void *)(x), (n))) return 1; } while (0)
#define OPT_IN(x, n)  do { if ((x) && !__cairn_uread_ok((const void *)(x), (n))) return 1; } while (0)
#define OPT_OUT(x, n) do { if ((x) && !__cairn_uwrite_ok((void *)(x), (n))) return 1; } while (0)
#define TS            sizeof(struct timespec)

/* The calls __cairn_bad_args has a case for (every one of them must be
 * here): the dispatcher looks here first, so that a call with no pointer
 * argument costs two instructions, not a call and a switch. */
const unsigned char __cairn_ptr_calls[CAIRN_PTR_CALLS] = {
#ifdef SYS_open
	[SYS_open] = 1,
#endif
#ifdef SYS_creat
	[SYS_creat] = 1,
#endif
#ifdef SYS_mkdir
	[SYS_mkdir] = 1,
#endif
#ifdef SYS_mknod
	[SYS_mknod] = 1,
#endif
#ifdef SYS_rmdir
	[SYS_rmdir] = 1,
#endif
#ifdef SYS_unlink
	[SYS_unlink] = 1,
#endif
#ifdef SYS_chmod
	[SYS_chmod] = 1,
#endif
#ifdef SYS_chown
	[SYS_chown] = 1,
#endif
#ifdef SYS_lchown
	[SYS_lchown] = 1,
#endif
#ifdef SYS_access
	[SYS_access] = 1,
#endif
	[SYS_truncate] = 1,
	[SYS_chdir] = 1,
	[SYS_umount2] = 1,
	[SYS_mq_unlink] = 1,
	[SYS_execve] = 1,
	[SYS_mq_open] = 1,
#ifdef SYS_stat
	[SYS_stat] = 1,
#endif
#ifdef SYS_lstat
	[SYS_lstat] = 1,
#endif
	[SYS_statfs] = 1,
	[SYS_openat] = 1,
	[SYS_mkdirat] = 1,
	[SYS_mknodat] = 1,
	[SYS_unlinkat] = 1,
	[SYS_fchmodat] = 1,
	[SYS_fchownat] = 1,
	[SYS_faccessat] = 1,
#ifdef SYS_faccessat2
	[SYS_faccessat2] = 1,
#endif
	[SYS_fstatat] = 1,
	[SYS_utimensat] = 1,
#ifdef SYS_rename
	[SYS_rename] = 1,
#endif
#ifdef SYS_link
	[SYS_link] = 1,
#endif
#ifdef SYS_symlink
	[SYS_symlink] = 1,
#endif
#ifdef SYS_renameat
	[SYS_renameat] = 1,
#endif
	[SYS_renameat2] = 1,
	[SYS_linkat] = 1,
	[SYS_symlinkat] = 1,
#ifdef SYS_readlink
	[SYS_readlink] = 1,
#endif
	[SYS_readlinkat] = 1,
	[SYS_mount] = 1,
	[SYS_readv] = 1,
	[SYS_writev] = 1,
	[SYS_preadv] = 1,
	[SYS_pwritev] = 1,
	[SYS_fstat] = 1,
	[SYS_fstatfs] = 1,
	[SYS_getdents64] = 1,
	[SYS_getrandom] = 1,
#ifdef SYS_pipe
	[SYS_pipe] = 1,
#endif
	[SYS_pipe2] = 1,
	[SYS_socketpair] = 1,
	[SYS_getcwd] = 1,
	[SYS_sendfile] = 1,
#ifdef SYS_poll
	[SYS_poll] = 1,
#endif
	[SYS_ppoll] = 1,
#ifdef SYS_select
	[SYS_select] = 1,
#endif
	[SYS_pselect6] = 1,
	[SYS_bind] = 1,
	[SYS_connect] = 1,
	[SYS_sendto] = 1,
	[SYS_recvfrom] = 1,
	[SYS_accept] = 1,
	[SYS_accept4] = 1,
	[SYS_getsockname] = 1,
	[SYS_getpeername] = 1,
	[SYS_sendmsg] = 1,
	[SYS_recvmsg] = 1,
	[SYS_setsockopt] = 1,
	[SYS_getsockopt] = 1,
	[SYS_clock_gettime] = 1,
	[SYS_timer_gettime] = 1,
	[SYS_clock_getres] = 1,
	[SYS_clock_settime] = 1,
	[SYS_gettimeofday] = 1,
	[SYS_settimeofday] = 1,
	[SYS_nanosleep] = 1,
	[SYS_clock_nanosleep] = 1,
	[SYS_setitimer] = 1,
	[SYS_getitimer] = 1,
	[SYS_timer_create] = 1,
	[SYS_timer_settime] = 1,
	[SYS_mq_timedsend] = 1,
	[SYS_mq_timedreceive] = 1,
	[SYS_wait4] = 1,
	[SYS_waitid] = 1,
	[SYS_uname] = 1,
	[SYS_sysinfo] = 1,
	[SYS_times] = 1,
	[SYS_getrusage] = 1,
#ifdef SYS_getrlimit
	[SYS_getrlimit] = 1,
#endif
#ifdef SYS_setrlimit
	[SYS_setrlimit] = 1,
#endif
	[SYS_prlimit64] = 1,
	[SYS_getresuid] = 1,
	[SYS_getresgid] = 1,
	[SYS_getgroups] = 1,
	[SYS_setgroups] = 1,
	[SYS_sched_getaffinity] = 1,
	[SYS_sched_setaffinity] = 1,
	[SYS_sched_rr_get_interval] = 1,
	[SYS_sethostname] = 1,
	[SYS_setdomainname] = 1,
	[SYS_rt_sigaction] = 1,
	[SYS_rt_sigprocmask] = 1,
	[SYS_rt_sigpending] = 1,
	[SYS_rt_sigsuspend] = 1,
	[SYS_rt_sigtimedwait] = 1,
	[SYS_sigaltstack] = 1,
	[SYS_rt_sigqueueinfo] = 1,
	[SYS_rt_tgsigqueueinfo] = 1,
	[SYS_futex] = 1,
};

/* Paths and what path calls write, then descriptors, sockets, time,
 * processes, signals. */
int __cairn_bad_args(long n, long a, long b, long c, long d, long e, long f)
{
	switch (n) {
	/* paths */
#ifdef SYS_open
	case SYS_open:
#endif
#ifdef SYS_creat
	case SYS_creat:
#endif
#ifdef SYS_mkdir
	case SYS_mkdir:
#endif
#ifdef SYS_mknod
	case SYS_mknod:
#endif
#ifdef SYS_rmdir
	case SYS_rmdir:
#endif
#ifdef SYS_unlink
	case SYS_unlink:
#endif
#ifdef SYS_chmod
	case SYS_chmod:
#endif
#ifdef SYS_chown
	case SYS_chown:
#endif
#ifdef SYS_lchown
	case SYS_lchown:
#endif
#ifdef SYS_access
	case SYS_access:
#endif
	case SYS_truncate: case SYS_chdir: case SYS_umount2: case SYS_mq_unlink: case SYS_execve:
		STR(a);
		return 0;
	case SYS_mq_open:
		STR(a);
		OPT_IN(d, 8 * sizeof(long));
		return 0;
#ifdef SYS_stat
	case SYS_stat:
#endif
#ifdef SYS_lstat
	case SYS_lstat:
#endif
		STR(a);
		OUT(b, sizeof(struct stat));
		return 0;
	case SYS_statfs:
		STR(a);
		OUT(b, sizeof(struct statfs));
		return 0;
	case SYS_openat: case SYS_mkdirat: case SYS_mknodat: case SYS_unlinkat: case SYS_fchmodat:
	case SYS_fchownat: case SYS_faccessat:
#ifdef SYS_faccessat2
	case SYS_faccessat2:
#endif
		STR(b);
		return 0;
	case SYS_fstatat:
		STR(b);
		OUT(c, sizeof(struct stat));
		return 0;
	case SYS_utimensat:
		if (b)
			STR(b);
		OPT_IN(c, 2 * TS);
		return 0;
#ifdef SYS_rename
	case SYS_rename:
#endif
#ifdef SYS_link
	case SYS_link:
#endif
#ifdef SYS_symlink
	case SYS_symlink:
#endif
		STR(a);
		STR(b);
		return 0;
#ifdef SYS_renameat
	case SYS_renameat:
#endif
	case SYS_renameat2: case SYS_linkat:
		STR(b);
		STR(d);
		return 0;
	case SYS_symlinkat:
		STR(a);
		STR(c);
		return 0;
#ifdef SYS_readlink
	case SYS_readlink:
		STR(a);
		OUT(b, c > 0);
		return 0;
#endif
	case SYS_readlinkat:
		STR(b);
		OUT(c, d > 0);
		return 0;
	case SYS_mount:
		STR(b);
		return 0;
	/* descriptors */
	case SYS_readv: case SYS_writev: case SYS_preadv: case SYS_pwritev:
		if (c > 0 && c <= IOV_MAX)
			IN(b, (size_t)c * sizeof(struct iovec));
		return 0;
	case SYS_fstat:
		OUT(b, sizeof(struct stat));
		return 0;
	case SYS_fstatfs:
		OUT(b, sizeof(struct statfs));
		return 0;
	case SYS_getdents64: case SYS_getrandom:
		OUT(n == SYS_getrandom ? a : b, (n == SYS_getrandom ? b : c) > 0);
		return 0;
#ifdef SYS_pipe
	case SYS_pipe:
#endif
	case SYS_pipe2:
		OUT(a, 2 * sizeof(int));
		return 0;
	case SYS_socketpair:
		OUT(d, 2 * sizeof(int));
		return 0;
	case SYS_getcwd:
		OUT(a, b > 0);
		return 0;
	case SYS_sendfile:
		OPT_OUT(c, sizeof(long));
		return 0;
#ifdef SYS_poll
	case SYS_poll:
#endif
	case SYS_ppoll:
		if ((unsigned long)b <= 4096)
			OUT(a, (size_t)b * sizeof(struct pollfd));
		if (n != SYS_ppoll)
			return 0;
		OPT_IN(c, TS);
		OPT_IN(d, (size_t)e);
		return 0;
#ifdef SYS_select
	case SYS_select:
#endif
	case SYS_pselect6:
		OPT_OUT(b, fds_bytes(a));
		OPT_OUT(c, fds_bytes(a));
		OPT_OUT(d, fds_bytes(a));
		OPT_OUT(e, TS);
		if (n == SYS_pselect6)
			OPT_IN(f, 2 * sizeof(long));
		return 0;
	/* sockets */
	case SYS_bind: case SYS_connect:
		return !addr_in_ok(b, c);
	case SYS_sendto:
		IN(b, (size_t)c > 0);
		return e && !addr_in_ok(e, f);
	case SYS_recvfrom:
		OUT(b, (size_t)c > 0);
		return !addr_out_ok(e, f, ADDR_MAX);
	case SYS_accept: case SYS_accept4: case SYS_getsockname: case SYS_getpeername:
		return !addr_out_ok(b, c, ADDR_MAX);
	case SYS_sendmsg: case SYS_recvmsg:
		return !msghdr_ok(b, n == SYS_recvmsg);
	case SYS_setsockopt:                  /* (the option's size: its first byte) */
		OPT_IN(d, (unsigned)e > 0);
		return 0;
	case SYS_getsockopt:
		return !addr_out_ok(d, e, 1);     /* (the option's size: its first byte) */
	/* time */
	case SYS_clock_gettime: case SYS_timer_gettime:
		OUT(b, n == SYS_clock_gettime ? TS : 2 * TS);
		return 0;
	case SYS_clock_getres:
		OPT_OUT(b, TS);
		return 0;
	case SYS_clock_settime:
		IN(b, TS);
		return 0;
	case SYS_gettimeofday:
		OPT_OUT(a, sizeof(struct timeval));
		OPT_OUT(b, 2 * sizeof(int));
		return 0;
	case SYS_settimeofday:
		OPT_IN(a, sizeof(struct timeval));
		return 0;
	case SYS_nanosleep:
		IN(a, TS);
		return 0;
	case SYS_clock_nanosleep:
		IN(c, TS);
		return 0;
	case SYS_setitimer: case SYS_getitimer:
		if (n == SYS_getitimer) {
			OUT(b, 4 * sizeof(long));
			return 0;
		}
		IN(b, 4 * sizeof(long));
		OPT_OUT(c, 4 * sizeof(long));
		return 0;
	case SYS_timer_create:
		OPT_IN(b, sizeof(struct sigevent));
		OUT(c, sizeof(int));
		return 0;
	case SYS_timer_settime:
		IN(c, 2 * TS);
		OPT_OUT(d, 2 * TS);
		return 0;
	case SYS_mq_timedsend: case SYS_mq_timedreceive:
		if (n == SYS_mq_timedsend)
			IN(b, (size_t)c > 0);    /* (a length past the queue's: EMSGSIZE first) */
		else
			OUT(b, (size_t)c > 0);
		if (n == SYS_mq_timedreceive)
			OPT_OUT(d, sizeof(unsigned));
		OPT_IN(e, TS);
		return 0;
	/* processes */
	case SYS_wait4:
		OPT_OUT(b, sizeof(int));
		OPT_OUT(d, sizeof(struct rusage));
		return 0;
	case SYS_waitid:
		OPT_OUT(c, sizeof(siginfo_t));
		OPT_OUT(e, sizeof(struct rusage));
		return 0;
	case SYS_uname:
		OUT(a, sizeof(struct utsname));
		return 0;
	case SYS_sysinfo:
		OUT(a, sizeof(struct sysinfo));
		return 0;
	case SYS_times:
		OPT_OUT(a, sizeof(struct tms));
		return 0;
	case SYS_getrusage:
		OUT(b, sizeof(struct rusage));
		return 0;
#ifdef SYS_getrlimit
	case SYS_getrlimit:
		OUT(b, sizeof(struct rlimit));
		return 0;
#endif
#ifdef SYS_setrlimit
	case SYS_setrlimit:
		IN(b, sizeof(struct rlimit));
		return 0;
#endif
	case SYS_prlimit64:
		OPT_IN(c, sizeof(struct rlimit));
		OPT_OUT(d, sizeof(struct rlimit));
		return 0;
	case SYS_getresuid: case SYS_getresgid:
		OUT(a, sizeof(unsigned));
		OUT(b, sizeof(unsigned));
		OUT(c, sizeof(unsigned));
		return 0;
	case SYS_getgroups:                   /* (as many as there are: the first) */
		OUT(b, a > 0);
		return 0;
	case SYS_setgroups:
		if (a > 0 && a <= 65536)
			IN(b, (size_t)a * sizeof(unsigned));
		return 0;
	case SYS_sched_getaffinity: case SYS_sched_setaffinity:
		if (n == SYS_sched_getaffinity)      /* (the CPUs there are: the first byte) */
			OUT(c, (size_t)b > 0);
		else
			IN(c, (size_t)b > 0);
		return 0;
	case SYS_sched_rr_get_interval:
		OUT(b, TS);
		return 0;
	case SYS_sethostname: case SYS_setdomainname:
		if ((size_t)b <= 64)                 /* (longer: EINVAL first) */
			IN(a, (size_t)b);
		return 0;
	/* signals */
	case SYS_rt_sigaction:
		OPT_IN(b, sizeof(struct k_sigaction));
		OPT_OUT(c, sizeof(struct k_sigaction));
		return 0;
	case SYS_rt_sigprocmask:
		if (d != _NSIG / 8)
			return 0;            /* (EINVAL from the call) */
		OPT_IN(b, (size_t)d);
		OPT_OUT(c, (size_t)d);
		return 0;
	case SYS_rt_sigpending:
		if ((size_t)b <= _NSIG / 8)
			OUT(a, (size_t)b);
		return 0;
	case SYS_rt_sigsuspend:
		if (b == _NSIG / 8)
			IN(a, (size_t)b);
		return 0;
	case SYS_rt_sigtimedwait:
		if (d == _NSIG / 8)
			IN(a, (size_t)d);
		OPT_IN(c, TS);
		return 0;
	case SYS_sigaltstack:
		OPT_IN(a, sizeof(stack_t));
		OPT_OUT(b, sizeof(stack_t));
		return 0;
	case SYS_rt_sigqueueinfo:
		IN(c, sizeof(siginfo_t));
		return 0;
	case SYS_rt_tgsigqueueinfo:
		IN(d, sizeof(siginfo_t));
		return 0;
	/* a wait reads the word (a wake does not: Linux's neither) */
	case SYS_futex:
		if ((b & 127) != FUTEX_WAIT && (b & 127) != FUTEX_WAIT_BITSET)
			return 0;
		if (a & 3)
			return 0;            /* (EINVAL from the call) */
		IN(a, sizeof(int));
		OPT_IN(d, TS);
		return 0;
	}
	return 0;
}
