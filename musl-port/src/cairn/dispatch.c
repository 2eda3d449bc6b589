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
 * Never a silent wrong answer. The servers (process, VFS, console) will
 * take over the descriptor and process calls; their numbers land here
 * first either way.
 */
#define _GNU_SOURCE
#include <errno.h>
#include "syscall.h"
#include "cairn_impl.h"

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

long __cairn_syscall(long n, long a, long b, long c, long d, long e, long f)
{
	switch (n) {
	/* descriptors (fd.c): 0, 1 and 2 are the console until the servers come */
	case SYS_read: return __cairn_read(a, (void *)b, (size_t)c);
	case SYS_readv: return __cairn_readv(a, (const void *)b, c);
	case SYS_write: return __cairn_write(a, (const void *)b, (size_t)c);
	case SYS_writev: return __cairn_writev(a, (const void *)b, c);
	case SYS_close: return __cairn_close(a);
	case SYS_lseek: return __cairn_lseek(a, b, c);
	case SYS_ioctl: return __cairn_ioctl(a, (unsigned long)b, (void *)c);

	/* memory (mem.c) */
	case SYS_brk: return __cairn_brk((uintptr_t)a);
	case SYS_mmap: return __cairn_mmap((uintptr_t)a, (size_t)b, c, d, e, f);
	case SYS_munmap: return __cairn_munmap((uintptr_t)a, (size_t)b);
	case SYS_mprotect: return __cairn_mprotect((uintptr_t)a, (size_t)b, c);
	case SYS_madvise: return __cairn_madvise((uintptr_t)a, (size_t)b, c);
	case SYS_mremap: return __cairn_mremap((uintptr_t)a, (size_t)b, (size_t)c, d, (uintptr_t)e);

	/* time (time.c) */
	case SYS_clock_gettime: return __cairn_clock_gettime(a, (void *)b);
	case SYS_gettimeofday: return __cairn_gettimeofday((void *)a, (void *)b);
	case SYS_nanosleep: return __cairn_nanosleep((const void *)a, (void *)b);
	case SYS_clock_nanosleep: return __cairn_clock_nanosleep(a, b, (const void *)c, (void *)d);
	case SYS_sched_yield: cairn_yield(); return 0;

	/* the process (proc.c): one process, one thread until the process
	 * server and real threads exist */
	case SYS_exit_group: __cairn_exit_group(a);
	case SYS_exit: return __cairn_exit_thread(a);
	case SYS_getpid: return CAIRN_PID;
	case SYS_gettid: return CAIRN_PID;
	case SYS_getppid: return CAIRN_PPID;
	case SYS_getuid: case SYS_geteuid: case SYS_getgid: case SYS_getegid: return 0;
	case SYS_set_tid_address: return __cairn_set_tid_address((int *)a);
	case SYS_uname: return __cairn_uname((void *)a);
	case SYS_rt_sigaction: return __cairn_rt_sigaction(a, (const void *)b, (void *)c, (size_t)d);
	case SYS_rt_sigprocmask: return __cairn_rt_sigprocmask(a, (const void *)b, (void *)c, (size_t)d);
#ifdef SYS_arch_prctl
	case SYS_arch_prctl: return __cairn_arch_prctl(a, (unsigned long)b);
#endif
#ifdef SYS_riscv_flush_icache
	case SYS_riscv_flush_icache:
		/* every thread runs on the boot hart for now */
		__asm__ volatile("fence.i" ::: "memory");
		return 0;
#endif

	/* threads (thread.c) */
	case SYS_futex: return __cairn_futex((int *)a, b, c, (const void *)d, (int *)e, f);

	/* random.c */
	case SYS_getrandom: return __cairn_getrandom((void *)a, (size_t)b, c);
	}
	return __cairn_nosys(n);
}
