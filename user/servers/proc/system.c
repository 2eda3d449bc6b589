/* SPDX-License-Identifier: MIT */
/*
 * The system's own requests (include/cairn/posix.h, PS_REBOOT..PS_SETUID):
 * the host and domain names uname reports, the real-time clock, power,
 * and the users a process runs as. What changes the whole system needs
 * uid 0: the caller's effective uid.
 *
 * - The names live here, for every process: this server is the system's
 *   one process server, and lives as long as the POSIX world.
 * - The clock is the kernel's: KINFO_SET_REALTIME on the capability the
 *   manifest names "clock" (KernelInfo, manage right); every clock reader
 *   follows through the kernel's clock page.
 * - reboot: every process is killed and the server exits 0 (server_exit),
 *   so init, for which the server's status is its own (`exitstatus`),
 *   powers the machine off.
 */
#include <string.h>
#include "proc.h"

cap_t clock_cap = CAP_NULL;

static struct posix_uts names = { "cairn", "(none)" };

static bool root(const struct proc *c)
{
	return c->euid == 0;
}

err_t ps_reboot(struct proc *c, const uint64_t w[4])
{
	uint64_t m2 = w[1];

	if (!root(c))
		return ERR_PERM;
	if (w[0] != POSIX_REBOOT_MAGIC1 || (m2 != POSIX_REBOOT_MAGIC2 && m2 != POSIX_REBOOT_MAGIC2A &&
					    m2 != POSIX_REBOOT_MAGIC2B && m2 != POSIX_REBOOT_MAGIC2C))
		return ERR_INVAL;
	switch (w[2]) {
	case POSIX_REBOOT_CAD_ON:
	case POSIX_REBOOT_CAD_OFF:
		return ERR_OK;
	case POSIX_REBOOT_POWER_OFF:
	case POSIX_REBOOT_HALT:
	case POSIX_REBOOT_RESTART:
		say("pid %d (%s): %s\n", c->pid, c->name,
		    w[2] == POSIX_REBOOT_POWER_OFF ? "power off" :
		    w[2] == POSIX_REBOOT_HALT ? "halt" : "restart (as a power off)");
		server_exit(0, "powering off");
	default:
		return ERR_INVAL;
	}
}

err_t ps_setname(struct proc *c, const uint64_t w[4], const char *data, size_t nbytes)
{
	char *dst;

	if (!root(c))
		return ERR_PERM;
	if (w[0] > 1 || w[1] > POSIX_UTS_LEN || w[1] > nbytes)
		return ERR_INVAL;
	dst = w[0] ? names.domainname : names.nodename;
	memset(dst, 0, POSIX_UTS_LEN + 1);
	memcpy(dst, data, w[1]);
	return ERR_OK;
}

size_t ps_uname(void *out)
{
	memcpy(out, &names, sizeof(names));
	return sizeof(names);
}

err_t ps_settime(struct proc *c, uint64_t ns)
{
	struct cairn_msg m;
	uint64_t old;
	err_t e;

	if (!root(c) || clock_cap == CAP_NULL)
		return ERR_PERM;
	if (ns >> 63)
		return ERR_INVAL;
	old = cairn_realtime_offset();
	if ((e = cairn_invoke(clock_cap, KINFO_SET_REALTIME, 0, ns, 0, 0, 0, &m)))
		return e == ERR_INVAL ? ERR_INVAL : ERR_PERM;
	timers_clock_set(old, cairn_realtime_offset());
	return ERR_OK;
}

void ps_getuid(struct proc *c, uint64_t out[3])
{
	out[0] = c->ruid;
	out[1] = c->euid;
	out[2] = c->suid;
}

/* ---- credential tokens ------------------------------------------------------------------- */

static uint64_t cred_serial;

void cred_drop(struct proc *p)
{
	if (p->cred_cap == CAP_NULL)
		return;
	cairn_cap_op(CAP_OP_REVOKE, p->cred_cap, CAP_NULL, 0, 0, NULL);
	cairn_cap_delete(p->cred_cap);
	p->cred_cap = CAP_NULL;
	p->cred_badge = 0;
}

/* A token with a new serial (not yet any process's). */
err_t cred_mint(cap_t *cap, uint64_t *badge)
{
	uint64_t r[3];
	err_t e;

	*badge = POSIX_CRED_BADGE | ++cred_serial;
	if ((e = cairn_cap_op(CAP_OP_MINT, srv_ep, CAP_NULL, RIGHT_WRITE, *badge, r)))
		return e;
	*cap = r[0];
	return ERR_OK;
}

/* p's token is cap from now on (its old one revoked, every copy). */
void cred_switch(struct proc *p, cap_t cap, uint64_t badge)
{
	cred_drop(p);
	p->cred_cap = cap;
	p->cred_badge = badge;
}

err_t cred_new(struct proc *p, cap_t kproc)
{
	uint64_t badge;
	cap_t cap;
	err_t e;

	cred_drop(p);
	if ((e = cred_mint(&cap, &badge)))
		return e;
	cred_switch(p, cap, badge);
	if (kproc == CAP_NULL || p->cred_slot == CAP_NULL)
		return ERR_OK;
	return cairn_invoke_cap(kproc, PROC_GRANT, p->cred_cap, p->cred_slot, RIGHT_WRITE, 0, 0, NULL);
}

struct proc *cred_find(uint64_t badge)
{
	for (unsigned i = 0; i < MAX_PROCS; i++)
		if (procs[i]->state == P_LIVE && procs[i]->cred_badge == badge)
			return procs[i];
	return NULL;
}

void cred_copy(struct proc *to, const struct proc *from)
{
	to->ruid = from->ruid;
	to->euid = from->euid;
	to->suid = from->suid;
	to->fsuid = from->fsuid;
	to->rgid = from->rgid;
	to->egid = from->egid;
	to->sgid = from->sgid;
	to->fsgid = from->fsgid;
	to->ngroups = from->ngroups;
	memcpy(to->groups, from->groups, sizeof(to->groups));
	to->cred_slot = from->cred_slot;
}

size_t ps_cred(struct proc *c, void *out)
{
	struct posix_cred pc = {
		.ruid = c->ruid, .euid = c->euid, .suid = c->suid, .fsuid = c->fsuid,
		.rgid = c->rgid, .egid = c->egid, .sgid = c->sgid, .fsgid = c->fsgid,
		.ngroups = c->ngroups,
	};

	memcpy(pc.groups, c->groups, sizeof(pc.groups));
	memcpy(out, &pc, sizeof(pc));
	return sizeof(pc);
}

/* The ids changed: the file servers must learn it from a new token. */
static void creds_changed(struct proc *c, const struct posix_cred *old)
{
	struct posix_cred now;

	ps_cred(c, &now);
	if (memcmp(old, &now, sizeof(now)))
		cred_new(c, c->kproc);
}

/* A file server's word that an image is set-uid or set-gid (posix.h,
 * PS_EXEC_GRANT): kept for the next exec of the token's process. */
err_t ps_exec_grant(const uint64_t w[4])
{
	struct proc *p;

	if (!w[3] || (w[3] & ~(uint64_t)(POSIX_EXEC_SETUID | POSIX_EXEC_SETGID)) ||
	    !(w[0] & POSIX_CRED_BADGE))
		return ERR_INVAL;
	if (!(p = cred_find(w[0])))
		return ERR_SRCH;
	p->grant_image = w[1];
	p->grant_uid = (uint32_t)w[2];
	p->grant_gid = (uint32_t)(w[2] >> 32);
	p->grant_flags = (uint32_t)w[3];
	return ERR_OK;
}

/* ---- the ids --------------------------------------------------------------------------- */

/* One of the caller's own ids (or left as it is). */
static bool own(uint32_t u, uint32_t r, uint32_t e, uint32_t s)
{
	return u == POSIX_UID_KEEP || u == r || u == e || u == s;
}

/* Linux's setresuid (how 0), setuid (1), setreuid (2) on a triple of ids;
 * priv: the caller may set any (euid 0). */
static err_t set_ids(const uint64_t w[4], bool priv, uint32_t *ro, uint32_t *eo, uint32_t *so)
{
	uint32_t r, e, s;

	if (w[0] > 2 || w[1] > POSIX_UID_KEEP || w[2] > POSIX_UID_KEEP || w[3] > POSIX_UID_KEEP)
		return ERR_INVAL;
	r = (uint32_t)w[1];
	e = (uint32_t)w[2];
	s = (uint32_t)w[3];
	switch (w[0]) {
	case 0:                                  /* setresuid(r, e, s) */
		if (!priv && (!own(r, *ro, *eo, *so) || !own(e, *ro, *eo, *so) || !own(s, *ro, *eo, *so)))
			return ERR_PERM;
		break;
	case 1:                                  /* setuid(r) */
		if (r == POSIX_UID_KEEP)
			return ERR_INVAL;
		if (priv) {
			e = s = r;
		} else if (r == *ro || r == *so) {
			e = r;
			r = s = POSIX_UID_KEEP;
		} else {
			return ERR_PERM;
		}
		break;
	default:                                 /* setreuid(r, e) */
		if (!priv && ((r != POSIX_UID_KEEP && r != *ro && r != *eo) || !own(e, *ro, *eo, *so)))
			return ERR_PERM;
		s = POSIX_UID_KEEP;
		if (r != POSIX_UID_KEEP || (e != POSIX_UID_KEEP && e != *ro))
			s = e != POSIX_UID_KEEP ? e : *eo;
		break;
	}
	if (r != POSIX_UID_KEEP)
		*ro = r;
	if (e != POSIX_UID_KEEP)
		*eo = e;
	if (s != POSIX_UID_KEEP)
		*so = s;
	return ERR_OK;
}

err_t ps_setuid(struct proc *c, const uint64_t w[4])
{
	struct posix_cred old;
	err_t e;

	ps_cred(c, &old);
	if ((e = set_ids(w, root(c), &c->ruid, &c->euid, &c->suid)))
		return e;
	c->fsuid = c->euid;
	creds_changed(c, &old);
	return ERR_OK;
}

void ps_getgid(struct proc *c, uint64_t out[4])
{
	out[0] = c->rgid;
	out[1] = c->egid;
	out[2] = c->sgid;
	out[3] = c->fsuid | (uint64_t)c->fsgid << 32;
}

err_t ps_setgid(struct proc *c, const uint64_t w[4])
{
	struct posix_cred old;
	err_t e;

	ps_cred(c, &old);
	if ((e = set_ids(w, root(c), &c->rgid, &c->egid, &c->sgid)))
		return e;
	c->fsgid = c->egid;
	creds_changed(c, &old);
	return ERR_OK;
}

size_t ps_getgroups(struct proc *c, void *out, uint64_t *n)
{
	*n = c->ngroups;
	memcpy(out, c->groups, c->ngroups * sizeof(uint32_t));
	return c->ngroups * sizeof(uint32_t);
}

err_t ps_setgroups(struct proc *c, uint64_t n, const void *data, size_t nbytes)
{
	struct posix_cred old;

	if (n > POSIX_NGROUPS_MAX || nbytes < n * sizeof(uint32_t))
		return ERR_INVAL;
	if (!root(c))
		return ERR_PERM;
	ps_cred(c, &old);
	memset(c->groups, 0, sizeof(c->groups));
	memcpy(c->groups, data, n * sizeof(uint32_t));
	c->ngroups = (uint32_t)n;
	creds_changed(c, &old);
	return ERR_OK;
}

/* setfsuid, setfsgid: the old id whatever happens (Linux) */
uint64_t ps_setfsid(struct proc *c, const uint64_t w[4])
{
	bool gid = w[0] == 1;
	uint32_t *fs = gid ? &c->fsgid : &c->fsuid, old = *fs, id = (uint32_t)w[1];
	struct posix_cred before;

	if (w[0] > 1 || w[1] >= POSIX_UID_KEEP)
		return old;
	ps_cred(c, &before);
	if (root(c) || (gid ? own(id, c->rgid, c->egid, c->sgid) || id == c->fsgid
			    : own(id, c->ruid, c->euid, c->suid) || id == c->fsuid))
		*fs = id;
	creds_changed(c, &before);
	return old;
}
