/* SPDX-License-Identifier: MIT */
/*
 * The process table: an entry per live process or zombie, found by pid in
 * one step (pid % MAX_PROCS is its entry: a pid is only handed out when
 * its entry is free), and the rules of process groups and sessions.
 * Entries point at records allocated as the number of processes alive
 * at once grows; a freed record waits on a list for the next process, so
 * the server's memory is its high-water mark, not a table of MAX_PROCS.
 * A free entry points at proc_none (P_FREE, never written).
 */
#include <stdlib.h>
#include <string.h>
#include "proc.h"

static struct proc proc_none;
struct proc *procs[MAX_PROCS] = { [0 ... MAX_PROCS - 1] = &proc_none };
static struct proc *spare;       /* freed records (their next_spare) */
static int next_pid = 1;

struct proc *proc_find(int64_t pid)
{
	struct proc *p;

	if (pid <= 0 || pid > PID_MAX)
		return NULL;
	p = procs[pid % MAX_PROCS];
	return p->state != P_FREE && p->pid == pid ? p : NULL;
}

/* A pid may not be reused while a group or session carries it. */
static bool pid_in_use(int pid)
{
	for (unsigned i = 0; i < MAX_PROCS; i++)
		if (procs[i]->state != P_FREE && (procs[i]->pgid == pid || procs[i]->sid == pid))
			return true;
	return false;
}

struct proc *proc_alloc(void)
{
	for (unsigned tries = 0; tries < PID_MAX; tries++) {
		int pid = next_pid;
		struct proc *p = procs[pid % MAX_PROCS];

		next_pid = pid == PID_MAX ? 2 : pid + 1;
		if (p->state != P_FREE || pid_in_use(pid))
			continue;
		if (spare) {
			p = spare;
			spare = p->next_spare;
		} else if (!(p = malloc(sizeof(*p)))) {
			return NULL;
		}
		memset(p, 0, sizeof(*p));
		procs[pid % MAX_PROCS] = p;
		p->slot = pid % MAX_PROCS;
		p->pid = pid;
		p->kproc = p->kas = p->kthread = CAP_NULL;
		p->proc_slot = CAP_NULL;
		p->cred_cap = p->cred_slot = CAP_NULL;
		p->exit_code = -1;
		last_pid = pid;
		return p;
	}
	return NULL;
}

void proc_free(struct proc *p)
{
	if (p == &proc_none || procs[p->slot] != p)
		return;                  /* freed already */
	pool_put(p->pool);
	p->pool = NULL;
	procs[p->slot] = &proc_none;
	p->state = P_FREE;
	p->pid = 0;
	p->next_spare = spare;
	spare = p;
}

uint64_t proc_bit(const struct proc *p)
{
	return 1ull << (p->slot % 63);
}

bool group_exists(int pgid, int sid)
{
	for (unsigned i = 0; i < MAX_PROCS; i++) {
		struct proc *p = procs[i];
		if (p->state != P_FREE && p->pgid == pgid && (sid <= 0 || p->sid == sid))
			return true;
	}
	return false;
}

err_t ps_setpgid(struct proc *c, int64_t pid, int64_t pgid)
{
	struct proc *t = pid ? proc_find(pid) : c;

	if (pid < 0 || pgid < 0)
		return ERR_INVAL;
	if (!t || t->state != P_LIVE || (t != c && t->ppid != c->pid))
		return ERR_SRCH;
	if (!pgid)
		pgid = t->pid;
	if (t != c && t->execed)
		return ERR_ACCES;
	if (t->sid == t->pid || t->sid != c->sid)
		return ERR_PERM;
	if (pgid != t->pid && !group_exists((int)pgid, c->sid))
		return ERR_PERM;
	t->pgid = (int)pgid;
	return ERR_OK;
}

err_t ps_getpgid(struct proc *c, int64_t pid, uint64_t *out)
{
	struct proc *t = pid ? proc_find(pid) : c;

	if (!t)
		return ERR_SRCH;
	*out = (uint64_t)t->pgid;
	return ERR_OK;
}

err_t ps_setsid(struct proc *c, uint64_t *out)
{
	struct pool *pl;

	if (group_exists(c->pid, 0))
		return ERR_PERM;
	/* its children and images from now on: a pool of the session's own,
	 * within its creator's (none made: they stay in the creator's) */
	if (c->pool && (pl = pool_nested(c->pool))) {
		pool_put(c->pool);
		c->pool = pl;
	}
	c->sid = c->pgid = c->pid;
	*out = (uint64_t)c->sid;
	return ERR_OK;
}

err_t ps_getsid(struct proc *c, int64_t pid, uint64_t *out)
{
	struct proc *t = pid ? proc_find(pid) : c;

	if (!t)
		return ERR_SRCH;
	*out = (uint64_t)t->sid;
	return ERR_OK;
}
