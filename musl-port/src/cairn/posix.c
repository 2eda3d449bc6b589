/* SPDX-License-Identifier: MIT */
/*
 * The POSIX state of a process: the capabilities its start-up block
 * names (include/cairn/posix.h), its descriptors and its pid.
 *
 *   proc      the process server, badged with our pid (fork, exec, wait,
 *             signals)
 *   vfs       the VFS root directory (absolute paths, pipes)
 *   cwd       the working directory (after an exec; else a copy of vfs)
 *   fdN       descriptor N (after an exec: the descriptors it kept)
 *   tty       the terminal: without fdN names (the first process) it
 *             becomes descriptors 0, 1 and 2
 *   console   the kernel's debug console: descriptors 0-2 when there is no
 *             tty (a program init starts by itself)
 *
 * The first process (pid 1, a session leader) makes its tty the
 * controlling terminal of its session (TIOCSCTTY with its "proc"
 * capability), so ^C reaches its process group, as a login would; a weak
 * claim (POSIX_TTY_CTTY_WEAK), which a session leader's TIOCSCTTY takes
 * over (an init's shell).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <cairn/tty.h>
#include "cairn_impl.h"

hidden cap_t __cairn_cred = CAP_NULL;
hidden cap_t __cairn_proc = CAP_NULL, __cairn_root = CAP_NULL, __cairn_cwd = CAP_NULL;
hidden cap_t __cairn_vfs = CAP_NULL;
hidden long __cairn_my_pid;          /* 0: not asked yet (and after a fork) */
hidden cap_t __cairn_note_cap = CAP_NULL;
#define note __cairn_note_cap

/* "fdN" with N a decimal number below FD_MAX: N, else -1. */
static long fd_name(const char *name)
{
	long n = 0;

	if (name[0] != 'f' || name[1] != 'd' || !name[2])
		return -1;
	for (const char *p = name + 2; *p; p++) {
		if (*p < '0' || *p > '9' || (p == name + 2 && *p == '0' && p[1]))
			return -1;
		n = n * 10 + (*p - '0');
		if (n >= FD_MAX)
			return -1;
	}
	return n;
}

void __cairn_posix_init(void)
{
	const char *name;
	cap_t slot, tty;
	int have_fds = 0;

	__cairn_proc = cairn_cap("proc");
	/* a POSIX process's "proc" is badged with its pid; an unbadged one is
	 * a system service's (the ext2 server's: it asks which pids live and
	 * whose tokens it is sent, docs/users.md), and no process of ours */
	{
		uint64_t id[4];
		if (__cairn_proc != CAP_NULL && !cairn_cap_identify(__cairn_proc, id) && !id[2])
			__cairn_proc = CAP_NULL;
	}
	__cairn_cred = cairn_cap("cred");
	__cairn_vfs = __cairn_root = cairn_cap("vfs");
	__cairn_cwd = cairn_cap("cwd");
	__cairn_umask_start();
	__cairn_limits_start();
	__cairn_ucopy_register();
	/* the root directory's references are not counted: a copy will do */
	if (__cairn_cwd == CAP_NULL && __cairn_root != CAP_NULL &&
	    cairn_cap_copy(__cairn_root, RIGHTS_ALL, &__cairn_cwd))
		__cairn_cwd = CAP_NULL;
	for (unsigned i = 0; (name = cairn_cap_name(i, &slot)); i++) {
		long fd = fd_name(name);
		if (fd >= 0 && !__cairn_fd(fd)) {
			__cairn_fd_set(fd, slot, FDK_IO, 0);
			have_fds = 1;
		}
	}
	if (have_fds)
		return;
	tty = cairn_cap("tty");
	if (tty != CAP_NULL) {
		/* each descriptor its own reference: 0 the one "tty" is, 1
		 * and 2 new ones */
		for (long fd = 0; fd < 3; fd++) {
			cap_t c;
			if (fd ? __cairn_io_dup(tty, &c) : cairn_cap_copy(tty, RIGHTS_ALL, &c))
				break;
			__cairn_fd_set(fd, c, FDK_IO, S_IFCHR);
		}
		if (__cairn_proc != CAP_NULL && __cairn_getpid() == 1) {
			cairn_ipcbuf()->caps[0] = __cairn_proc;
			__cairn_ipc(tty, IO_IOCTL, LINUX_TIOCSCTTY, 0, 1, POSIX_TTY_CTTY_WEAK, 0, 1,
				    IPC_ALWAYS, NULL);
		}
	} else if (cairn_console_cap() != CAP_NULL) {
		for (long fd = 0; fd < 3; fd++)
			__cairn_fd_set(fd, cairn_console_cap(), FDK_DEBUG, S_IFCHR);
	}
}

long __cairn_getpid(void)
{
	struct cairn_ans a;

	if (__cairn_my_pid)
		return __cairn_my_pid;
	if (__cairn_proc == CAP_NULL)
		return CAIRN_PID;
	if (__cairn_ipc(__cairn_proc, PS_GETPID, 0, 0, 0, 0, 0, 0, IPC_ALWAYS, &a) || !a.w[0])
		return CAIRN_PID;
	__cairn_my_pid = (long)a.w[0];
	return __cairn_my_pid;
}

cap_t __cairn_note(void)
{
	struct cairn_msg m;
	cap_t own = __cairn_thread_note();

	if (own != CAP_NULL)
		return own;              /* a thread other than the first: its own */
	if (note == CAP_NULL &&
	    !cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_NOTIFICATION, 0, 0, 0, &m))
		note = m.w[0];
	return note;
}

void __cairn_posix_forked(void)
{
	/* the forking thread ran a handler (the server gave the child its
	 * deliveries) */
	int in_handler = __cairn_sig_self()->depth > 0;

	__cairn_threads_forked();    /* first: the IPC buffer this thread now has */
	__cairn_sig_forked(in_handler);
	__cairn_my_pid = 0;
	__cairn_random_forked(__cairn_getpid());
	/* the parent's Notification: ours is made when needed */
	if (note != CAP_NULL)
		cairn_cap_delete(note);
	note = CAP_NULL;
	__cairn_mem_forked();
}
