/* SPDX-License-Identifier: MIT */
/*
 * The Linux system-call dispatcher of musl-port. musl's __syscallN,
 * __syscall_cp_asm and the assembly that used to trap call
 * __cairn_syscall(n, a..f) (patches in musl-port/patches/); each Linux
 * system-call number that Cairn implements goes to the file of its area,
 * every other one answers -ENOSYS and says so on stderr, once per number:
 *
 *     cairn: system call NAME (N) not implemented
 *
 * Never a silent wrong answer. Descriptors, paths, processes and signals
 * are requests to the POSIX servers (the VFS, the console server, the
 * process server: include/cairn/posix.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include "syscall.h"
#include "cairn_impl.h"
#include "cairn_arch.h"

#define REPORT_MAX 1024

static unsigned char reported[REPORT_MAX / 8 + 1];   /* last bit: numbers >= REPORT_MAX */
static struct {
	unsigned long key[32];
	unsigned n;
} unimp[CAIRN_UNIMP_KINDS];

/* Whether bit i of set was clear (and sets it). */
static int first_time(unsigned char *set, unsigned long i)
{
	int first = !(set[i / 8] & (1u << (i % 8)));

	set[i / 8] |= (unsigned char)(1u << (i % 8));
	return first;
}

void __cairn_say(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	__cairn_write(2, s, n);
}

/* Decimal of v into buf (at least 24 bytes). */
static char *decimal(char *buf, unsigned long v)
{
	char *p = buf + 23;

	*p = 0;
	do
		*--p = (char)('0' + v % 10);
	while (v /= 10);
	return p;
}

long __cairn_nosys(long n)
{
	unsigned long i = (unsigned long)n < REPORT_MAX ? (unsigned long)n : REPORT_MAX;
	const char *name = __cairn_syscall_name((unsigned long)n);
	char num[24];

	if (first_time(reported, i)) {
		__cairn_say("cairn: system call ");
		__cairn_say(name ? name : "(unknown)");
		__cairn_say(" (");
		if (n < 0) {
			__cairn_say("-");
			__cairn_say(decimal(num, -(unsigned long)n));
		} else {
			__cairn_say(decimal(num, (unsigned long)n));
		}
		__cairn_say(") not implemented\n");
	}
	return -ENOSYS;
}

void __cairn_unimplemented(unsigned kind, unsigned long key, const char *what)
{
	if (kind >= CAIRN_UNIMP_KINDS)
		kind = CAIRN_UNIMP_OTHER;
	for (unsigned i = 0; i < unimp[kind].n; i++)
		if (unimp[kind].key[i] == key)
			return;
	if (unimp[kind].n < sizeof(unimp[kind].key) / sizeof(unimp[kind].key[0]))
		unimp[kind].key[unimp[kind].n++] = key;
	__cairn_say("cairn: ");
	__cairn_say(what);
	__cairn_say(" not implemented\n");
}

static long memory(long n, long a, long b, long c, long d, long e, long f)
{
	static volatile int lock;
	long r;

	__cairn_lock(&lock);
	switch (n) {
	case SYS_brk: r = __cairn_brk((uintptr_t)a); break;
	case SYS_mmap: r = __cairn_mmap((uintptr_t)a, (size_t)b, c, d, e, f); break;
	case SYS_munmap: r = __cairn_munmap((uintptr_t)a, (size_t)b); break;
	case SYS_mprotect: r = __cairn_mprotect((uintptr_t)a, (size_t)b, c); break;
	case SYS_madvise: r = __cairn_madvise((uintptr_t)a, (size_t)b, c); break;
	case SYS_msync: r = __cairn_msync((uintptr_t)a, (size_t)b, c); break;
	default: r = __cairn_mremap((uintptr_t)a, (size_t)b, (size_t)c, d, (uintptr_t)e); break;
	}
	__cairn_unlock(&lock);
	return r;
}

static long syscall_rest(long n, long a, long b, long c, long d, long e, long f);

/* read and write first, as tail calls with nothing to save: inside the
 * switch its frame (other cases keep registers across calls) cost each
 * 30 instructions */
long __cairn_syscall(long n, long a, long b, long c, long d, long e, long f)
{
	if (n == SYS_read)
		return __cairn_read(a, (void *)b, (size_t)c);
	if (n == SYS_write)
		return __cairn_write(a, (const void *)b, (size_t)c);
	return syscall_rest(n, a, b, c, d, e, f);
}

__attribute__((noinline))
static long syscall_rest(long n, long a, long b, long c, long d, long e, long f)
{
	/* a pointer to memory the call cannot use: EFAULT (uaccess.c) */
	if ((unsigned long)n < CAIRN_PTR_CALLS && __cairn_ptr_calls[n] && __cairn_bad_args(n, a, b, c, d, e, f))
		return -EFAULT;
	switch (n) {
	/* descriptors (fd.c, poll.c) */
	case SYS_read: return __cairn_read(a, (void *)b, (size_t)c);
	case SYS_readv: return __cairn_readv(a, (const void *)b, c);
	case SYS_write: return __cairn_write(a, (const void *)b, (size_t)c);
	case SYS_writev: return __cairn_writev(a, (const void *)b, c);
	case SYS_pread64: return __cairn_pread(a, (void *)b, (size_t)c, d);
	case SYS_pwrite64: return __cairn_pwrite(a, (const void *)b, (size_t)c, d);
	case SYS_preadv: return __cairn_preadv(a, (const void *)b, c, d);
	case SYS_pwritev: return __cairn_pwritev(a, (const void *)b, c, d);
	case SYS_close: return __cairn_close(a);
	case SYS_lseek: return __cairn_lseek(a, b, c);
	case SYS_sendfile: return __cairn_sendfile(a, b, (long *)c, (size_t)d);
	case SYS_ioctl: return __cairn_ioctl(a, (unsigned long)b, (void *)c);
	case SYS_dup: return __cairn_dup(a);
#ifdef SYS_dup2
	case SYS_dup2: return __cairn_dup3(a, b, 0, 1);
#endif
	case SYS_dup3: return __cairn_dup3(a, b, c, 0);
	case SYS_fcntl: return __cairn_fcntl(a, b, c);
	case SYS_flock: return __cairn_flock(a, b);
#ifdef SYS_pipe
	case SYS_pipe: return __cairn_pipe2((int *)a, 0);
#endif
	case SYS_pipe2: return __cairn_pipe2((int *)a, b);
	case SYS_fstat: return __cairn_fstat(a, (void *)b);
	case SYS_getdents64: return __cairn_getdents64(a, (void *)b, (size_t)c);
	case SYS_ftruncate: return __cairn_ftruncate(a, b);
	case SYS_fsync: case SYS_fdatasync: return __cairn_fsync(a);
	case SYS_sync: return __cairn_sync();
	case SYS_syncfs: return __cairn_syncfs(a);
	case SYS_statfs: return __cairn_statfs((const char *)a, -1, (void *)b);
	case SYS_fstatfs: return __cairn_statfs(NULL, a, (void *)b);
	case SYS_mount: return __cairn_mount((const char *)a, (const char *)b, (const char *)c, (unsigned long)d, (const void *)e);
	case SYS_umount2: return __cairn_umount((const char *)a, b);
	case SYS_fchmod: return __cairn_fchmod(a, b);
	case SYS_fchown: return __cairn_fchownat(a, "", b, c, AT_EMPTY_PATH);
#ifdef SYS_poll
	case SYS_poll: return __cairn_poll((void *)a, (unsigned long)b, c);
#endif
	case SYS_ppoll: return __cairn_ppoll((void *)a, (unsigned long)b, (const void *)c, (const void *)d, (size_t)e);
#ifdef SYS_select
	case SYS_select: return __cairn_select(a, (void *)b, (void *)c, (void *)d, (void *)e);
#endif
	case SYS_pselect6: return __cairn_pselect6(a, (void *)b, (void *)c, (void *)d, (const void *)e, (const void *)f);

	/* sockets (socket.c) */
	case SYS_socket: return __cairn_socket(a, b, c);
	case SYS_socketpair: return __cairn_socketpair(a, b, c, (int *)d);
	case SYS_bind: return __cairn_bind(a, (const void *)b, (unsigned long)(unsigned)c);
	case SYS_listen: return __cairn_listen(a, b);
	case SYS_accept: return __cairn_accept4(a, (void *)b, (unsigned *)c, 0);
	case SYS_accept4: return __cairn_accept4(a, (void *)b, (unsigned *)c, d);
	case SYS_connect: return __cairn_connect(a, (const void *)b, (unsigned long)(unsigned)c);
	case SYS_sendto: return __cairn_sendto(a, (const void *)b, (size_t)c, d, (const void *)e, (unsigned long)(unsigned)f);
	case SYS_recvfrom: return __cairn_recvfrom(a, (void *)b, (size_t)c, d, (void *)e, (unsigned *)f);
	case SYS_sendmsg: return __cairn_sendmsg(a, (const void *)b, c);
	case SYS_recvmsg: return __cairn_recvmsg(a, (void *)b, c);
	case SYS_shutdown: return __cairn_shutdown(a, b);
	case SYS_getsockname: return __cairn_sockname(a, (void *)b, (unsigned *)c, 0);
	case SYS_getpeername: return __cairn_sockname(a, (void *)b, (unsigned *)c, 1);
	case SYS_setsockopt: return __cairn_setsockopt(a, b, c, (const void *)d, (unsigned long)(unsigned)e);
	case SYS_getsockopt: return __cairn_getsockopt(a, b, c, (void *)d, (unsigned *)e);

	/* paths (fs.c) */
#ifdef SYS_open
	case SYS_open: return __cairn_openat(AT_FDCWD, (const char *)a, b, c);
#endif
#ifdef SYS_creat
	case SYS_creat: return __cairn_openat(AT_FDCWD, (const char *)a, O_CREAT | O_WRONLY | O_TRUNC, b);
#endif
	case SYS_openat: return __cairn_openat(a, (const char *)b, c, d);
#ifdef SYS_stat
	case SYS_stat: return __cairn_fstatat(AT_FDCWD, (const char *)a, (void *)b, 0);
#endif
#ifdef SYS_lstat
	case SYS_lstat: return __cairn_fstatat(AT_FDCWD, (const char *)a, (void *)b, AT_SYMLINK_NOFOLLOW);
#endif
	case SYS_fstatat: return __cairn_fstatat(a, (const char *)b, (void *)c, d);
#ifdef SYS_mkdir
	case SYS_mkdir: return __cairn_mkdirat(AT_FDCWD, (const char *)a, b);
#endif
	case SYS_mkdirat: return __cairn_mkdirat(a, (const char *)b, c);
#ifdef SYS_mknod
	case SYS_mknod: return __cairn_mknodat(AT_FDCWD, (const char *)a, b, (unsigned long long)c);
#endif
	case SYS_mknodat: return __cairn_mknodat(a, (const char *)b, c, (unsigned long long)d);
#ifdef SYS_rmdir
	case SYS_rmdir: return __cairn_unlinkat(AT_FDCWD, (const char *)a, AT_REMOVEDIR);
#endif
#ifdef SYS_unlink
	case SYS_unlink: return __cairn_unlinkat(AT_FDCWD, (const char *)a, 0);
#endif
	case SYS_unlinkat: return __cairn_unlinkat(a, (const char *)b, c);
#ifdef SYS_rename
	case SYS_rename: return __cairn_renameat2(AT_FDCWD, (const char *)a, AT_FDCWD, (const char *)b, 0);
#endif
#ifdef SYS_renameat
	case SYS_renameat: return __cairn_renameat2(a, (const char *)b, c, (const char *)d, 0);
#endif
	case SYS_renameat2: return __cairn_renameat2(a, (const char *)b, c, (const char *)d, e);
#ifdef SYS_link
	case SYS_link: return __cairn_linkat(AT_FDCWD, (const char *)a, AT_FDCWD, (const char *)b, 0);
#endif
	case SYS_linkat: return __cairn_linkat(a, (const char *)b, c, (const char *)d, e);
#ifdef SYS_symlink
	case SYS_symlink: return __cairn_symlinkat((const char *)a, AT_FDCWD, (const char *)b);
#endif
	case SYS_symlinkat: return __cairn_symlinkat((const char *)a, b, (const char *)c);
#ifdef SYS_readlink
	case SYS_readlink: return __cairn_readlinkat(AT_FDCWD, (const char *)a, (char *)b, (size_t)c);
#endif
	case SYS_readlinkat: return __cairn_readlinkat(a, (const char *)b, (char *)c, (size_t)d);
#ifdef SYS_chmod
	case SYS_chmod: return __cairn_fchmodat(AT_FDCWD, (const char *)a, b, 0);
#endif
	case SYS_fchmodat: return __cairn_fchmodat(a, (const char *)b, c, 0);
#ifdef SYS_chown
	case SYS_chown: return __cairn_fchownat(AT_FDCWD, (const char *)a, b, c, 0);
#endif
#ifdef SYS_lchown
	case SYS_lchown: return __cairn_fchownat(AT_FDCWD, (const char *)a, b, c, AT_SYMLINK_NOFOLLOW);
#endif
	case SYS_fchownat: return __cairn_fchownat(a, (const char *)b, c, d, e);
	case SYS_utimensat: return __cairn_utimensat(a, (const char *)b, (const void *)c, d);
#ifdef SYS_access
	case SYS_access: return __cairn_faccessat(AT_FDCWD, (const char *)a, b, 0);
#endif
	case SYS_faccessat: return __cairn_faccessat(a, (const char *)b, c, 0);
#ifdef SYS_faccessat2
	case SYS_faccessat2: return __cairn_faccessat(a, (const char *)b, c, d);
#endif
	case SYS_truncate: return __cairn_truncate((const char *)a, b);
	case SYS_chdir: return __cairn_chdir((const char *)a);
	case SYS_fchdir: return __cairn_fchdir(a);
	case SYS_getcwd: return __cairn_getcwd((char *)a, (size_t)b);
	case SYS_umask: return __cairn_umask(a);

	/* memory (mem.c): one thread at a time in its tables */
	case SYS_brk: case SYS_mmap: case SYS_munmap: case SYS_mprotect: case SYS_madvise:
	case SYS_mremap: case SYS_msync:
		return memory(n, a, b, c, d, e, f);

	/* time (time.c) */
	case SYS_clock_gettime: return __cairn_clock_gettime(a, (void *)b);
	case SYS_clock_getres: return __cairn_clock_getres(a, (void *)b);
	case SYS_clock_settime: return __cairn_clock_settime(a, (const void *)b);
	case SYS_settimeofday: return __cairn_settimeofday((const void *)a, (const void *)b);
	case SYS_gettimeofday: return __cairn_gettimeofday((void *)a, (void *)b);
	case SYS_nanosleep: return __cairn_nanosleep((const void *)a, (void *)b);
	case SYS_clock_nanosleep: return __cairn_clock_nanosleep(a, b, (const void *)c, (void *)d);
	case SYS_sched_yield: cairn_yield(); return 0;
	case SYS_setitimer: return __cairn_setitimer(a, (const void *)b, (void *)c);
	case SYS_getitimer: return __cairn_getitimer(a, (void *)b);
	case SYS_timer_create: return __cairn_timer_create(a, (const void *)b, (int *)c);
	case SYS_timer_settime: return __cairn_timer_settime(a, b, (const void *)c, (void *)d);
	case SYS_timer_gettime: return __cairn_timer_gettime(a, (void *)b);
	case SYS_timer_getoverrun: return __cairn_timer_getoverrun(a);
	case SYS_timer_delete: return __cairn_timer_delete(a);

	/* processes (proc.c, fork.c) */
	case SYS_exit_group: __cairn_exit_group(a);
	case SYS_exit: return __cairn_exit_thread(a, (uintptr_t)b);
#ifdef SYS_fork
	case SYS_fork: return __cairn_fork();
#endif
#ifdef SYS_vfork
	case SYS_vfork: return __cairn_fork();
#endif
	case SYS_clone: return CAIRN_ARCH_CLONE_ARGS(a, b, c, d, e, f);
	case SYS_execve: return __cairn_execve((const char *)a, (char *const *)b, (char *const *)c);
	case SYS_execveat: return __cairn_execveat(a, (const char *)b, (char *const *)c, (char *const *)d, e);
	case SYS_wait4: return __cairn_wait4(a, (int *)b, c, (void *)d);
	case SYS_waitid: return __cairn_waitid(a, b, (void *)c, d, (void *)e);
	case SYS_getpid: return __cairn_getpid();
	case SYS_gettid: return __cairn_gettid();
	case SYS_getppid: return __cairn_getppid();
	case SYS_getpgid: return __cairn_getpgid(a);
#ifdef SYS_getpgrp
	case SYS_getpgrp: return __cairn_getpgid(0);
#endif
	case SYS_setpgid: return __cairn_setpgid(a, b);
	case SYS_getsid: return __cairn_getsid(a);
	case SYS_setsid: return __cairn_setsid();
	case SYS_getgid: return __cairn_getgids(0, 0, 0, 0);
	case SYS_getegid: return __cairn_getgids(1, 0, 0, 0);
	case SYS_getresgid: return __cairn_getgids(2, (void *)a, (void *)b, (void *)c);
	case SYS_setresgid: return __cairn_setgids(0, a, b, c);
	case SYS_setgid: return __cairn_setgids(1, a, -1, -1);
	case SYS_setregid: return __cairn_setgids(2, a, b, -1);
	case SYS_getgroups: return __cairn_getgroups(a, (unsigned *)b);
	case SYS_setgroups: return __cairn_setgroups(a, (const unsigned *)b);
	case SYS_setfsuid: return __cairn_setfsid(0, a);
	case SYS_setfsgid: return __cairn_setfsid(1, a);
	case SYS_getuid: return __cairn_getuids(0, 0, 0, 0);
	case SYS_geteuid: return __cairn_getuids(1, 0, 0, 0);
	case SYS_getresuid: return __cairn_getuids(2, (void *)a, (void *)b, (void *)c);
	case SYS_setresuid: return __cairn_setuids(0, a, b, c);
	case SYS_setuid: return __cairn_setuids(1, a, -1, -1);
	case SYS_setreuid: return __cairn_setuids(2, a, b, -1);
	case SYS_kill: return __cairn_kill(a, b);
	case SYS_sched_getaffinity: return __cairn_sched_getaffinity(a, (size_t)b, (void *)c);
	case SYS_sched_setaffinity: return __cairn_sched_setaffinity(a, (size_t)b, (const void *)c);
#ifdef SYS_getcpu
	case SYS_getcpu: return __cairn_getcpu((unsigned *)a, (unsigned *)b);
#endif
	case SYS_sched_getscheduler: return __cairn_sched_policy(0, a, 0, 0);
	case SYS_sched_getparam: return __cairn_sched_policy(1, a, 0, (void *)b);
	case SYS_sched_setparam: return __cairn_sched_policy(2, a, 0, (void *)b);
	case SYS_sched_setscheduler: return __cairn_sched_policy(3, a, b, (void *)c);
	case SYS_sched_get_priority_max: return __cairn_sched_prio_range(1, a);
	case SYS_sched_get_priority_min: return __cairn_sched_prio_range(0, a);
	case SYS_sched_rr_get_interval: return __cairn_sched_rr_interval(a, (void *)b);
	case SYS_tkill: return __cairn_thread_kill(a, b);
	case SYS_tgkill: return a != __cairn_getpid() ? -ESRCH : __cairn_thread_kill(b, c);
	case SYS_prlimit64: return __cairn_prlimit64(a, b, (const void *)c, (void *)d);
#ifdef SYS_getrlimit
	case SYS_getrlimit: return __cairn_prlimit64(0, a, 0, (void *)b);
#endif
#ifdef SYS_setrlimit
	case SYS_setrlimit: return __cairn_prlimit64(0, a, (const void *)b, 0);
#endif
	case SYS_set_tid_address: return __cairn_set_tid_address((int *)a);
	case SYS_uname: return __cairn_uname((void *)a);
	case SYS_sysinfo: return __cairn_sysinfo((void *)a);
	case SYS_times: return __cairn_times((void *)a);
	case SYS_mlock: return __cairn_mlock((uintptr_t)a, (size_t)b);
#ifdef SYS_mlock2
	case SYS_mlock2: return (c & ~1l) ? -EINVAL : __cairn_mlock((uintptr_t)a, (size_t)b);
#endif
	case SYS_munlock: return __cairn_munlock((uintptr_t)a, (size_t)b);
	case SYS_mlockall: return __cairn_mlockall(a);
	case SYS_munlockall: return __cairn_munlockall();
	case SYS_getrusage: return __cairn_getrusage(a, (void *)b);
	case SYS_sethostname: return __cairn_setname(0, (const char *)a, (size_t)b);
	case SYS_setdomainname: return __cairn_setname(1, (const char *)a, (size_t)b);
	case SYS_reboot: return __cairn_reboot(a, b, c);
#ifdef SYS_arch_prctl
	case SYS_arch_prctl: return __cairn_arch_prctl(a, (unsigned long)b);
#endif
#ifdef SYS_riscv_flush_icache
	case SYS_riscv_flush_icache:
		/* every thread runs on the boot hart for now */
		__asm__ volatile("fence.i" ::: "memory");
		return 0;
#endif

	/* signals (signal.c) */
	case SYS_rt_sigaction: return __cairn_rt_sigaction(a, (const void *)b, (void *)c, (size_t)d);
	case SYS_rt_sigprocmask: return __cairn_rt_sigprocmask(a, (const void *)b, (void *)c, (size_t)d);
	case SYS_rt_sigpending: return __cairn_rt_sigpending((void *)a, (size_t)b);
	case SYS_sigaltstack: return __cairn_sigaltstack((const void *)a, (void *)b);
	case SYS_rt_sigsuspend: return __cairn_rt_sigsuspend((const void *)a, (size_t)b);
	case SYS_rt_sigtimedwait: return __cairn_rt_sigtimedwait((const void *)a, (void *)b, (const void *)c, (size_t)d);
	case SYS_rt_sigqueueinfo: return __cairn_rt_sigqueueinfo(a, b, (const void *)c);
	case SYS_rt_tgsigqueueinfo: return __cairn_rt_tgsigqueueinfo(a, b, c, (const void *)d);
#ifdef SYS_pause
	case SYS_pause: return __cairn_ppoll(0, 0, 0, 0, 0);
#endif

	/* threads (thread.c) */
	case SYS_futex: return __cairn_futex((int *)a, b, c, (const void *)d, (int *)e, f);
	case SYS_membarrier: return __cairn_membarrier(a, b);
	case SYS_set_robust_list: return __cairn_set_robust_list((void *)a, (size_t)b);
	case SYS_get_robust_list: return __cairn_get_robust_list(a, (void **)b, (size_t *)c);

	/* message queues (mq.c; mq_close is close) */
	case SYS_mq_open: return __cairn_mq_open((const char *)a, b, c, (const void *)d);
	case SYS_mq_unlink: return __cairn_mq_unlink((const char *)a);
	case SYS_mq_timedsend: return __cairn_mq_timedsend(a, (const char *)b, (size_t)c, (unsigned)d, (const void *)e);
	case SYS_mq_timedreceive: return __cairn_mq_timedreceive(a, (char *)b, (size_t)c, (unsigned *)d, (const void *)e);
	case SYS_mq_notify: return __cairn_mq_notify(a, (const void *)b);
	case SYS_mq_getsetattr: return __cairn_mq_getsetattr(a, (const void *)b, (void *)c);

	/* System V IPC (sysvipc.c); musl calls these, not SYS_ipc, on both arches */
	case SYS_msgget: return __cairn_msgget(a, b);
	case SYS_msgsnd: return __cairn_msgsnd(a, (const void *)b, (size_t)c, d);
	case SYS_msgrcv: return __cairn_msgrcv(a, (void *)b, (size_t)c, d, e);
	case SYS_msgctl: return __cairn_msgctl(a, b, (void *)c);
	case SYS_semget: return __cairn_semget(a, b, c);
	case SYS_semop: return __cairn_semtimedop(a, (void *)b, (size_t)c, NULL);
	case SYS_semtimedop: return __cairn_semtimedop(a, (void *)b, (size_t)c, (const void *)d);
	case SYS_semctl: return __cairn_semctl(a, b, c, (void *)d);
	case SYS_shmget: return __cairn_shmget(a, (size_t)b, c);
	case SYS_shmat: return __cairn_shmat(a, (uintptr_t)b, c);
	case SYS_shmdt: return __cairn_shmdt((uintptr_t)a);
	case SYS_shmctl: return __cairn_shmctl(a, b, (void *)c);

	/* random.c */
	case SYS_getrandom: return __cairn_getrandom((void *)a, (size_t)b, c);
	}
	return __cairn_nosys(n);
}
