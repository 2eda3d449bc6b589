/* SPDX-License-Identifier: MIT */
/*
 * What /proc shows (include/cairn/posix.h, PS_PROCLIST and PS_PROCINFO):
 * the VFS asks, through an unbadged capability to the server's endpoint,
 * and formats the text itself (user/servers/vfs/procfs.c).
 *
 * Each entry keeps its arguments (cmdline: set by the first start and by
 * every exec, copied at fork, cut at POSIX_CMDLINE_MAX bytes), its comm
 * (p->name: the last part of the path exec'd, 15 bytes) and the time it
 * was made. The rest comes from the table (ids,
 * state, signals) and from the kernel: PROC_QUOTA's used bytes stand for
 * its memory, the one number of its size the kernel tells. CPU times are
 * not known (the kernel keeps none per process): the VFS shows 0.
 *
 * Who may see what: kill(pid, 0) answers for every pid to every process
 * today (there are no users: ps_kill never answers EPERM), so every
 * process may learn of every other; PS_PROCLIST answers anyone. The
 * details (PS_PROCINFO) go only to system services, which hold the
 * unbadged endpoint; a process reads them through /proc, where the VFS
 * would apply the kill(pid, 0) rule once processes have owners.
 */
#include <string.h>
#include "proc.h"

uint64_t procs_made;
int last_pid;

void cmdline_set(struct proc *p, const char *args, size_t len)
{
	if (len > sizeof(p->cmdline))
		len = sizeof(p->cmdline);
	memcpy(p->cmdline, args, len);
	if (len && p->cmdline[len - 1])
		p->cmdline[len - 1] = 0;          /* cut: the last argument still ends */
	p->cmdline_len = (uint32_t)len;
}

void ps_proclist(uint64_t from, uint32_t *out, size_t max, uint64_t w[4])
{
	static uint32_t pids[MAX_PROCS];     /* 16 KiB: not on the stack */
	size_t n = 0, used = 0;

	/* the table is indexed by pid % MAX_PROCS: sort what matches */
	for (unsigned i = 0; i < MAX_PROCS; i++) {
		const struct proc *p = procs[i];
		size_t j;

		if (p->state == P_FREE)
			continue;
		used++;
		if ((uint64_t)p->pid < from)
			continue;
		for (j = n++; j > 0 && pids[j - 1] > (uint32_t)p->pid; j--)
			pids[j] = pids[j - 1];
		pids[j] = (uint32_t)p->pid;
	}
	if (n > max)
		n = max;
	memcpy(out, pids, n * sizeof(pids[0]));
	w[0] = n;
	w[1] = used;
	w[2] = (uint64_t)last_pid;
	w[3] = procs_made;
}

err_t ps_procinfo(int64_t pid, uint8_t *out, size_t *n)
{
	struct proc *p = proc_find(pid);
	struct posix_procinfo pi;
	struct cairn_msg m;

	if (!p)
		return ERR_SRCH;
	memset(&pi, 0, sizeof(pi));
	pi.pid = p->pid;
	pi.ppid = p->ppid;
	pi.pgid = p->pgid;
	pi.sid = p->sid;
	pi.threads = 1 + p->nthreads;    /* the main one and those registered (PS_THREAD) */
	if (p->state == P_ZOMBIE) {
		pi.state = POSIX_PS_ZOMBIE;
		pi.wstatus = p->wstatus;
	} else {
		pi.state = p->stopped ? POSIX_PS_STOPPED : POSIX_PS_RUNNING;
		if (p->kproc != CAP_NULL &&
		    !cairn_invoke(p->kproc, PROC_QUOTA, 0, 0, 0, 0, 0, &m))
			pi.mem_bytes = m.w[1];
	}
	pi.sigq = p->nq;
	pi.start_ns = p->start_ns;
	pi.pending = p->pending;
	pi.blocked = p->main.mask;
	for (int s = 1; s <= NSIG_MAX; s++) {
		if (p->act[s].disp == POSIX_SIG_IGN)
			pi.ignored |= sigbit(s);
		else if (p->act[s].disp == POSIX_SIG_HANDLE)
			pi.caught |= sigbit(s);
	}
	memcpy(pi.comm, p->name, sizeof(pi.comm) - 1);
	/* a zombie has no arguments any more (Linux: its memory is gone) */
	pi.argv_len = p->state == P_ZOMBIE ? 0 : p->cmdline_len;
	memcpy(out, &pi, sizeof(pi));
	memcpy(out + sizeof(pi), p->cmdline, pi.argv_len);
	*n = sizeof(pi) + pi.argv_len;
	return ERR_OK;
}

_Static_assert(sizeof(struct posix_procinfo) + POSIX_CMDLINE_MAX <= POSIX_INLINE_MAX,
	       "PS_PROCINFO fits in one answer");
