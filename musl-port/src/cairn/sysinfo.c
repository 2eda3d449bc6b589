/* SPDX-License-Identifier: MIT */
/*
 * sysinfo(2): the time since boot (the monotonic clock, rounded up to a
 * second as Linux's), the memory (KINFO_FREE_PAGES on "kinfo": total and
 * free pages, in bytes, mem_unit 1) and the number of processes (the
 * process server's table, live ones and zombies: PS_PROCLIST; 1, this
 * one, without a "proc" capability). What Cairn does not measure is 0:
 * the load averages, shared and buffer memory, swap, high memory. The
 * same numbers are /proc/uptime and /proc/meminfo's (the VFS's procfs.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/sysinfo.h>
#include "cairn_impl.h"

long __cairn_sysinfo(void *buf)
{
	struct sysinfo *si = buf;
	struct cairn_ans a;
	struct cairn_msg m;
	cap_t kinfo = cairn_cap("kinfo");
	uint64_t ns;

	if (!si)
		return -EFAULT;
	memset(si, 0, sizeof(*si));
	if (!__cairn_now(&ns))
		si->uptime = (unsigned long)(ns / 1000000000u + (ns % 1000000000u != 0));
	if (kinfo != CAP_NULL && !cairn_invoke(kinfo, KINFO_FREE_PAGES, 0, 0, 0, 0, 0, &m)) {
		si->freeram = (unsigned long)(m.w[0] * 4096u);
		si->totalram = (unsigned long)(m.w[1] * 4096u);
	}
	si->procs = 1;
	if (__cairn_proc != CAP_NULL &&
	    !__cairn_ipc(__cairn_proc, PS_PROCLIST, UINT64_MAX, 0, 0, 0, 0, 0, IPC_ALWAYS, &a))
		si->procs = (unsigned short)(a.w[1] > 0xffff ? 0xffff : a.w[1]);
	si->mem_unit = 1;
	return 0;
}
