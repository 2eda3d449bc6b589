/* SPDX-License-Identifier: MIT */
/*
 * What a process keeps across fork and exec besides its ids and signals:
 * the file-creation mask and the resource limits (PS_UMASK, PS_RLIMIT),
 * which each new image finds in its start-up block (include/cairn/posix.h),
 * and the main thread's stack, which grows down on faults up to
 * RLIMIT_STACK, as Linux grows a stack: the process is charged only for
 * what it uses, since a MemoryObject is charged in full when made.
 */
#include <string.h>
#include "proc.h"

void limits_default(struct proc *p)
{
	p->umask = 022;
	for (unsigned i = 0; i < POSIX_RLIM_N; i++)
		p->rlim[i][0] = p->rlim[i][1] = POSIX_RLIM_INF;
	p->rlim[POSIX_RLIMIT_STACK][0] = POSIX_STACK_DEFAULT;
	p->rlim[POSIX_RLIMIT_CORE][0] = 0;
	/* the libc's descriptor table and the server's signal queue */
	p->rlim[POSIX_RLIMIT_NOFILE][0] = p->rlim[POSIX_RLIMIT_NOFILE][1] = 256;
	p->rlim[POSIX_RLIMIT_SIGPENDING][0] = p->rlim[POSIX_RLIMIT_SIGPENDING][1] = POSIX_SIGQUEUE_MAX;
}

static void add_value(char *s, uint64_t v)
{
	char tmp[24];
	unsigned n = 0;

	if (v == POSIX_RLIM_INF) {
		memcpy(s, "inf", 4);
		return;
	}
	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10));
	while (n)
		*s++ = tmp[--n];
	*s = 0;
}

void block_add_kept(struct block *b, const struct proc *p)
{
	char cur[24], max[24];

	block_addf(b, "umask=%u", p->umask);
	for (unsigned i = 0; i < POSIX_RLIM_N; i++) {
		add_value(cur, p->rlim[i][0]);
		add_value(max, p->rlim[i][1]);
		block_addf(b, "rlimit%u=%s:%s", i, cur, max);
	}
	/* the main thread's scheduling (PS_SCHED), which exec keeps */
	block_addf(b, "sched=%u:%u:%u", p->main.policy, p->main.rtprio, p->main.reset_on_fork);
	block_add(b, "");
}

uint64_t stack_first_pages(const struct proc *p)
{
	uint64_t lim = p->rlim[POSIX_RLIMIT_STACK][0] / CAIRN_PAGE_SIZE;

	if (lim > POSIX_STACK_PAGES)
		lim = POSIX_STACK_PAGES;
	return lim < CAIRN_STACK_PAGES ? CAIRN_STACK_PAGES : lim;
}

err_t ps_umask(struct proc *c, uint64_t mask, uint64_t flags, uint64_t *old)
{
	if (flags > 1)
		return ERR_INVAL;
	*old = c->umask;
	if (!flags)
		c->umask = (uint32_t)(mask & 0777);
	return ERR_OK;
}

err_t ps_rlimit(struct proc *c, const uint64_t w[4], uint64_t out[2])
{
	uint64_t r = w[0], cur = w[1], max = w[2];

	if (r >= POSIX_RLIM_N || w[3] > 1)
		return ERR_INVAL;
	out[0] = c->rlim[r][0];
	out[1] = c->rlim[r][1];
	if (!w[3])
		return ERR_OK;
	if (cur > max)
		return ERR_INVAL;
	if (max > c->rlim[r][1] && c->euid != 0)
		return ERR_PERM;
	c->rlim[r][0] = cur;
	c->rlim[r][1] = max;
	return ERR_OK;
}

bool stack_grow(struct proc *p, uint64_t addr)
{
	uint64_t lim = p->rlim[POSIX_RLIMIT_STACK][0], floor, low;
	cap_t mo = CAP_NULL;
	err_t e;

	if (lim > POSIX_STACK_REGION)
		lim = POSIX_STACK_REGION;
	floor = CAIRN_STACK_TOP - (lim & ~(uint64_t)(CAIRN_PAGE_SIZE - 1));
	if (!p->stack_low || addr >= p->stack_low || addr < floor)
		return false;
	/* down to the fault, POSIX_STACK_GROW at least, not past the limit */
	low = addr & ~(uint64_t)(CAIRN_PAGE_SIZE - 1);
	if (p->stack_low - low < POSIX_STACK_GROW)
		low = p->stack_low - POSIX_STACK_GROW;
	if (low < floor || low > p->stack_low)
		low = floor;
	uint64_t pages = (p->stack_low - low) / CAIRN_PAGE_SIZE;
	if ((e = cairn_memobj_create(p->kproc, pages, 0, &mo)))
		return false;            /* its quota: the fault stands (SIGSEGV) */
	e = cairn_as_map(p->kas, mo, low, 0, pages, CAIRN_PROT_R | CAIRN_PROT_W);
	cairn_cap_delete(mo);            /* the mapping holds it */
	if (e)
		return false;
	p->stack_low = low;
	return true;
}

uint64_t proc_cpu_ns(const struct proc *p)
{
	struct cairn_msg m;

	if (p->state == P_LIVE && p->kproc != CAP_NULL &&
	    !cairn_invoke(p->kproc, PROC_TIMES, 0, 0, 0, 0, 0, &m))
		return m.w[0];
	return p->cpu_ns;
}

err_t ps_times(struct proc *c, int64_t pid, uint64_t out[2])
{
	struct proc *t = pid ? proc_find(pid) : c;

	if (!t || pid < 0)
		return ERR_SRCH;
	out[0] = proc_cpu_ns(t);
	out[1] = t->child_ns;
	return ERR_OK;
}
