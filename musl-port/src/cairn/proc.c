/* SPDX-License-Identifier: MIT */
/*
 * The calling process, until the process server exists: exit, ids,
 * uname, signal dispositions and mask, and (x86_64) the FS base.
 *
 * - exit_group/exit end the process with SYS_EXIT (status & 0xff, as a
 *   Linux parent would see it); there is one thread, so exit is
 *   exit_group.
 * - getpid/gettid answer CAIRN_PID and getppid CAIRN_PPID (init),
 *   constants; uid and gid are 0.
 * - rt_sigaction and rt_sigprocmask keep the dispositions and the mask of
 *   this process and check their arguments as Linux does, but no signal
 *   is delivered yet (the process server will send them through the
 *   kernel's upcalls).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/utsname.h>
#include "syscall.h"
#include "ksigaction.h"
#include "cairn_impl.h"

#define NSIG_MAX   64
#define SETSIZE    8       /* _NSIG / 8: the kernel's sigset_t */
#define UNBLOCKABLE ((1ull << (SIGKILL - 1)) | (1ull << (SIGSTOP - 1)))

static struct k_sigaction actions[NSIG_MAX + 1];
static uint64_t blocked;
static int *clear_tid;

_Noreturn void __cairn_exit_group(long status)
{
	for (;;)
		cairn_exit((int)(status & 0xff));
}

long __cairn_exit_thread(long status)
{
	/* The only thread: its exit ends the process. (Threads will clear
	 * and wake *clear_tid here, then end with SYS_THREAD_EXIT.) */
	(void)clear_tid;
	__cairn_exit_group(status);
}

long __cairn_set_tid_address(int *tidptr)
{
	clear_tid = tidptr;
	return CAIRN_PID;
}

static void field(char *dst, const char *src)
{
	strncpy(dst, src, sizeof(((struct utsname *)0)->sysname) - 1);
}

long __cairn_uname(void *buf)
{
	struct utsname *u = buf;

	memset(u, 0, sizeof(*u));
	field(u->sysname, "Cairn");
	field(u->nodename, "cairn");
	field(u->release, "0.5");
	field(u->version, "Cairn musl-port");
#if defined(__riscv)
	field(u->machine, "riscv64");
#else
	field(u->machine, "x86_64");
#endif
	field(u->domainname, "(none)");
	return 0;
}

long __cairn_rt_sigaction(long sig, const void *act, void *oact, size_t size)
{
	if (size != SETSIZE || sig < 1 || sig > NSIG_MAX)
		return -EINVAL;
	if (act && (sig == SIGKILL || sig == SIGSTOP))
		return -EINVAL;
	if (oact)
		memcpy(oact, &actions[sig], sizeof(struct k_sigaction));
	if (act)
		memcpy(&actions[sig], act, sizeof(struct k_sigaction));
	return 0;
}

long __cairn_rt_sigprocmask(long how, const void *set, void *old, size_t size)
{
	uint64_t s;

	if (size != SETSIZE)
		return -EINVAL;
	if (set && how != SIG_BLOCK && how != SIG_UNBLOCK && how != SIG_SETMASK)
		return -EINVAL;
	if (old)
		memcpy(old, &blocked, SETSIZE);
	if (set) {
		memcpy(&s, set, SETSIZE);
		if (how == SIG_BLOCK)
			blocked |= s;
		else if (how == SIG_UNBLOCK)
			blocked &= ~s;
		else
			blocked = s;
		blocked &= ~UNBLOCKABLE;
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
