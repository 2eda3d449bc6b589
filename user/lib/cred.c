/* SPDX-License-Identifier: MIT */
/*
 * A file server's side of credential tokens (docs/users.md,
 * include/cairn/posix.h "Credentials"): the libc sends its process's
 * token, a capability to the process server's endpoint badged
 * POSIX_CRED_BADGE | serial, with every FS_* request. The server checks
 * that it is one (CAP_OP_IDENTIFY: the process server's endpoint, such a
 * badge: nothing the client says is believed), asks PS_CRED through it
 * the first time it sees the badge, and keeps the answer: the process
 * server never lets a serial stand for other ids (a change of ids
 * revokes the token and makes a new one), so a cached badge is never
 * stale, and a revoked one can no longer be presented.
 */
#include <string.h>
#include <cairn/rt.h>
#include <cairn/server.h>
#include <cairn/cred.h>

#define CACHE 64u

static uint64_t proc_id, own_id;
static cap_t proc_cap;                 /* the process server's unbadged endpoint */
static bool users;                     /* a process server is known */
static struct {
	uint64_t badge;                    /* 0: free */
	struct cairn_cred c;
} cache[CACHE];
static unsigned next_victim;

static const struct cairn_cred root_cred = { 0 };
static const struct cairn_cred nobody_cred = {
	.uid = POSIX_OVERFLOW_ID, .gid = POSIX_OVERFLOW_ID,
	.ruid = POSIX_OVERFLOW_ID, .rgid = POSIX_OVERFLOW_ID,
};

void cred_init(uint64_t proc, uint64_t own_ep_id)
{
	uint64_t id[4];

	own_id = own_ep_id;
	proc_cap = (cap_t)proc;
	users = proc != CAP_NULL && !cairn_cap_identify((cap_t)proc, id) && id[0] == OBJ_ENDPOINT;
	if (users)
		proc_id = id[3];
}

/* PS_CRED through the token: its ids, kept by badge. */
static const struct cairn_cred *lookup(cap_t tok, uint64_t badge)
{
	struct cairn_ipcbuf *ib = cairn_ipcbuf();
	struct posix_cred pc;
	struct cairn_msg m;
	unsigned i;

	for (i = 0; i < CACHE; i++)
		if (cache[i].badge == badge)
			return &cache[i].c;
	m = cairn_call(tok, cairn_tag(PS_CRED, CAIRN_MSG_REGS, 0), 0, 0, 0, 0);
	if (m.err || cairn_tag_label(m.tag) ||
	    (cairn_tag_len(m.tag) - CAIRN_MSG_REGS) * 8 < sizeof(pc))
		return &nobody_cred;           /* gone meanwhile (its ids changed): nobody */
	memcpy(&pc, &ib->w[CAIRN_MSG_REGS], sizeof(pc));
	i = next_victim++ % CACHE;
	cache[i].badge = badge;
	cache[i].c.uid = pc.fsuid;
	cache[i].c.gid = pc.fsgid;
	cache[i].c.ruid = pc.ruid;
	cache[i].c.rgid = pc.rgid;
	cache[i].c.ngroups = pc.ngroups > POSIX_NGROUPS_MAX ? POSIX_NGROUPS_MAX : pc.ngroups;
	memcpy(cache[i].c.groups, pc.groups, sizeof(pc.groups));
	return &cache[i].c;
}

/* The request's last capability is a credential token (an endpoint not
 * ours, badged so): its identity in id. */
static bool is_token(const struct srv_req *r, uint64_t id[4])
{
	cap_t tok;

	return r->ncaps && (tok = r->caps[r->ncaps - 1]) != CAP_NULL && !cairn_cap_identify(tok, id) &&
	       id[0] == OBJ_ENDPOINT && (id[2] & POSIX_CRED_BADGE) && id[3] != own_id;
}

static void token_drop(struct srv_req *r)
{
	cairn_cap_delete(r->caps[r->ncaps - 1]);
	r->caps[--r->ncaps] = CAP_NULL;
}

const struct cairn_cred *cred_take(struct srv_req *r, bool trusted)
{
	const struct cairn_cred *c = NULL;
	uint64_t id[4];

	/* the token is the last capability */
	if (is_token(r, id) && (!users || id[3] == proc_id)) {
		if (users)
			c = lookup(r->caps[r->ncaps - 1], id[2]);
		token_drop(r);
	}
	if (!users)
		return &root_cred;
	if (c)
		return c;
	return trusted ? &root_cred : &nobody_cred;
}

const struct cairn_cred *cred_real(const struct cairn_cred *c)
{
	static struct cairn_cred real;

	real = *c;
	real.uid = c->ruid;
	real.gid = c->rgid;
	return &real;
}

/* The token at the end of r: its badge, taken out (0: none). */
static uint64_t token_take(struct srv_req *r)
{
	uint64_t id[4];

	if (!users || !is_token(r, id) || id[3] != proc_id)
		return 0;
	token_drop(r);
	return id[2];
}

void cred_exec_grant(struct srv_req *r, uint32_t mode, uint32_t uid, uint32_t gid, uint64_t image)
{
	uint64_t badge = token_take(r), flags = 0, id[4];

	if (mode & CRED_S_ISUID)
		flags |= POSIX_EXEC_SETUID;
	/* set-gid without group execute is a mandatory-locking mark (Linux) */
	if ((mode & (CRED_S_ISGID | 010u)) == (CRED_S_ISGID | 010u))
		flags |= POSIX_EXEC_SETGID;
	if (!badge || !flags || cairn_cap_identify((cap_t)image, id) || id[0] != OBJ_MEMOBJ)
		return;
	/* the process server never waits for us, so we may wait for it; an
	 * error (the process is gone) leaves the exec as it is */
	(void)cairn_call(proc_cap, cairn_tag(PS_EXEC_GRANT, CAIRN_MSG_REGS, 0), badge, id[3],
			 uid | (uint64_t)gid << 32, flags);
}
