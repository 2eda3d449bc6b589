/* SPDX-License-Identifier: MIT */
/*
 * The system as a whole, asked of the process server (include/cairn/posix.h,
 * PS_REBOOT..PS_SETUID): reboot, sethostname and setdomainname (uname's
 * names, proc.c), and the user ids. What changes the system is for uid 0
 * (the effective uid) only: EPERM for the others, which the server decides.
 * A program alone (no "proc") is uid 0 and may change nothing (EPERM).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include "cairn_impl.h"

static long ps(uint32_t label, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3, size_t nbytes,
	       struct cairn_ans *a)
{
	if (__cairn_proc == CAP_NULL)
		return -EPERM;
	return cairn_errno(__cairn_ipc(__cairn_proc, label, w0, w1, w2, w3, nbytes, 0, IPC_ALWAYS, a));
}

/* reboot(2): power off, halt and restart end the POSIX world (the server
 * kills every process, this one too, and init powers the machine off): no
 * return then. */
long __cairn_reboot(long magic1, long magic2, long cmd)
{
	if (magic1 == (long)0xfee1dead)
		__cairn_sync();            /* the disks first, whoever forgot (Linux leaves it to the caller) */
	return ps(PS_REBOOT, (uint32_t)magic1, (uint32_t)magic2, (uint32_t)cmd, 0, 0, NULL);
}

/* sethostname (which 0), setdomainname (1): at most POSIX_UTS_LEN bytes
 * (EINVAL, as Linux: a negative length too). */
long __cairn_setname(int which, const char *name, size_t len)
{
	size_t n = len <= POSIX_UTS_LEN ? len : 0;    /* too long: the server says EINVAL */

	if (len > (size_t)INT32_MAX)
		len = (size_t)INT32_MAX + 1;    /* an int below 0 in Linux's call */
	memcpy(__cairn_ipc_data(), name, n);
	return ps(PS_SETNAME, (uint64_t)which, len, 0, 0, n, NULL);
}

/* The ids PS_GETUID or PS_GETGID (label) says: which 0 the real one, 1
 * the effective one, 2 all three into r, e, s. Without a process server:
 * 0. */
static long get_ids(uint32_t label, unsigned which, void *r, void *e, void *s)
{
	struct cairn_ans a;
	unsigned *out[3] = { r, e, s };

	if (__cairn_proc == CAP_NULL) {
		a.w[0] = a.w[1] = a.w[2] = 0;
	} else {
		long err = ps(label, 0, 0, 0, 0, 0, &a);
		if (err && which < 2)
			return 0;        /* getuid cannot fail */
		if (err)
			return err;
	}
	if (which < 2)
		return (long)a.w[which];
	for (unsigned i = 0; i < 3; i++)
		if (out[i])
			*out[i] = (unsigned)a.w[i];
	return 0;
}

/* getuid (which 0), geteuid (1), getresuid (2: r, e, s filled) */
long __cairn_getuids(unsigned which, void *r, void *e, void *s)
{
	return get_ids(PS_GETUID, which, r, e, s);
}

/* setresuid (how 0), setuid (1), setreuid (2); -1 leaves a uid as it is. */
long __cairn_setuids(unsigned how, long a, long b, long c)
{
	return ps(PS_SETUID, how, (uint32_t)a, (uint32_t)b, (uint32_t)c, 0, NULL);
}

/* getgid (which 0), getegid (1), getresgid (2: r, e, s filled) */
long __cairn_getgids(unsigned which, void *r, void *e, void *s)
{
	return get_ids(PS_GETGID, which, r, e, s);
}

/* setresgid (how 0), setgid (1), setregid (2); -1 leaves a gid as it is. */
long __cairn_setgids(unsigned how, long a, long b, long c)
{
	return ps(PS_SETGID, how, (uint32_t)a, (uint32_t)b, (uint32_t)c, 0, NULL);
}

/* getgroups(n, list): the count when n is 0, EINVAL when n is too small. */
long __cairn_getgroups(long n, unsigned *list)
{
	struct cairn_ans a;
	long err;

	if (n < 0)
		return -EINVAL;
	if (__cairn_proc == CAP_NULL)
		return 0;
	if ((err = ps(PS_GETGROUPS, 0, 0, 0, 0, 0, &a)))
		return err;
	if (a.w[0] > POSIX_NGROUPS_MAX || a.nbytes < a.w[0] * sizeof(uint32_t))
		return -EIO;
	if (!n)
		return (long)a.w[0];
	if ((uint64_t)n < a.w[0])
		return -EINVAL;
	memcpy(list, __cairn_ipc_data(), a.w[0] * sizeof(uint32_t));
	return (long)a.w[0];
}

/* setgroups(n, list): the server says EPERM (not euid 0) or EINVAL (more
 * than NGROUPS_MAX, 32). */
long __cairn_setgroups(long n, const unsigned *list)
{
	if (n < 0 || n > POSIX_NGROUPS_MAX)
		return -EINVAL;
	memcpy(__cairn_ipc_data(), list, (size_t)n * sizeof(uint32_t));
	return ps(PS_SETGROUPS, (uint64_t)n, 0, 0, 0, (size_t)n * sizeof(uint32_t), NULL);
}

/* setfsuid (which 0), setfsgid (1): the old id, whatever happens. */
long __cairn_setfsid(unsigned which, long id)
{
	struct cairn_ans a;

	if (__cairn_proc == CAP_NULL || ps(PS_SETFSID, which, (uint32_t)id, 0, 0, 0, &a))
		return 0;
	return (long)(uint32_t)a.w[0];
}
