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

/* getuid (which 0), geteuid (1), getresuid (2: r, e, s filled). Without a
 * process server: uid 0. */
long __cairn_getuids(unsigned which, void *r, void *e, void *s)
{
	struct cairn_ans a;
	unsigned *out[3] = { r, e, s };

	if (__cairn_proc == CAP_NULL) {
		a.w[0] = a.w[1] = a.w[2] = 0;
	} else {
		long err = ps(PS_GETUID, 0, 0, 0, 0, 0, &a);
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

/* setresuid (how 0), setuid (1), setreuid (2); -1 leaves a uid as it is. */
long __cairn_setuids(unsigned how, long a, long b, long c)
{
	return ps(PS_SETUID, how, (uint32_t)a, (uint32_t)b, (uint32_t)c, 0, NULL);
}
