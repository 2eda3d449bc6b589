/* SPDX-License-Identifier: MIT */
/*
 * Users and permissions in the file servers (docs/users.md): who a
 * request comes from (struct cairn_cred, from the caller's credential
 * token: user/lib/cred.c) and Linux's rules of what that user may do to
 * a file (the inline functions below, shared by the VFS's tmpfs and the
 * ext2 server, and built into the host tests with them).
 *
 * A file server checks with the ids here; "root" is uid 0 (the
 * file-system uid, which follows the effective uid). Root passes every
 * check but one: executing a file (not a directory) with no x bit at all.
 */
#ifndef CAIRN_CRED_H
#define CAIRN_CRED_H
#include <stdbool.h>
#include <stdint.h>
#include <cairn/err.h>
#include <cairn/posix.h>

struct cairn_cred {
	uint32_t uid, gid;                  /* what the checks use: fsuid, fsgid */
	uint32_t ruid, rgid;                /* real ids (access() without AT_EACCESS) */
	uint32_t ngroups;
	uint32_t groups[POSIX_NGROUPS_MAX];
};

/* access(2)-style wants */
#define CRED_R 4u
#define CRED_W 2u
#define CRED_X 1u

#define CRED_S_IFMT  0170000u
#define CRED_S_IFDIR 0040000u
#define CRED_S_ISUID 04000u
#define CRED_S_ISGID 02000u
#define CRED_S_ISVTX 01000u

static inline bool cred_root(const struct cairn_cred *c)
{
	return !c || c->uid == 0;
}

static inline bool cred_in_group(const struct cairn_cred *c, uint32_t gid)
{
	if (!c || c->gid == gid)
		return true;
	for (uint32_t i = 0; i < c->ngroups && i < POSIX_NGROUPS_MAX; i++)
		if (c->groups[i] == gid)
			return true;
	return false;
}

/* want (CRED_R | CRED_W | CRED_X) on a file of mode, uid, gid: the owner's
 * bits for its owner, the group's for a member, the others' for the rest.
 * c NULL: no users (everything allowed but executing what has no x bit). */
static inline err_t cred_perm(const struct cairn_cred *c, uint32_t mode, uint32_t uid, uint32_t gid,
			      unsigned want)
{
	unsigned bits;

	if (!want)
		return ERR_OK;
	if (cred_root(c)) {
		if ((want & CRED_X) && (mode & CRED_S_IFMT) != CRED_S_IFDIR && !(mode & 0111u))
			return ERR_ACCES;
		return ERR_OK;
	}
	if (c->uid == uid)
		bits = mode >> 6;
	else if (cred_in_group(c, gid))
		bits = mode >> 3;
	else
		bits = mode;
	return (bits & want & 7u) == want ? ERR_OK : ERR_ACCES;
}

/* The owner of a file, or root: chmod, explicit utimes, chown's rights. */
static inline bool cred_owner(const struct cairn_cred *c, uint32_t uid)
{
	return cred_root(c) || c->uid == uid;
}

/* Removing or renaming away the entry of a file owned by uid from a
 * directory (dmode, duid, dgid): write and search on the directory, and in
 * a sticky one (01000, /tmp) only the file's owner, the directory's, or
 * root (EPERM). */
static inline err_t cred_may_delete(const struct cairn_cred *c, uint32_t dmode, uint32_t duid,
				    uint32_t dgid, uint32_t uid)
{
	err_t e = cred_perm(c, dmode, duid, dgid, CRED_W | CRED_X);

	if (e)
		return e;
	if ((dmode & CRED_S_ISVTX) && !cred_root(c) && c->uid != uid && c->uid != duid)
		return ERR_PERM;
	return ERR_OK;
}

/* chmod: owner or root (EPERM); the set-gid bit of a file whose group the
 * caller is not in goes, unless root (Linux). *mode is changed. */
static inline err_t cred_chmod(const struct cairn_cred *c, uint32_t uid, uint32_t gid, uint32_t *mode)
{
	if (!cred_owner(c, uid))
		return ERR_PERM;
	if (!cred_root(c) && !cred_in_group(c, gid))
		*mode &= ~CRED_S_ISGID;
	return ERR_OK;
}

/* chown(uid, gid), POSIX_UID_KEEP for either: root may give any; the
 * owner may "change" the owner to itself and the group to one it is in. */
static inline err_t cred_chown(const struct cairn_cred *c, uint32_t cur_uid, uint32_t cur_gid,
			       uint32_t uid, uint32_t gid)
{
	if (cred_root(c))
		return ERR_OK;
	if (uid != POSIX_UID_KEEP && uid != cur_uid)
		return ERR_PERM;
	if (gid != POSIX_UID_KEEP && gid != cur_gid && (c->uid != cur_uid || !cred_in_group(c, gid)))
		return ERR_PERM;
	if ((uid != POSIX_UID_KEEP || gid != POSIX_UID_KEEP) && c->uid != cur_uid)
		return ERR_PERM;
	return ERR_OK;
}

/* utimensat's times t (atime s, ns, mtime s, ns; ns UTIME_NOW 0x3fffffff,
 * UTIME_OMIT 0x3ffffffe): both "now" needs the owner, root or write
 * permission (EACCES); any other explicit time the owner or root (EPERM). */
static inline err_t cred_utimens(const struct cairn_cred *c, uint32_t mode, uint32_t uid, uint32_t gid,
				 const int64_t t[4])
{
	const int64_t now = (1l << 30) - 1, omit = (1l << 30) - 2;

	if (t[1] == omit && t[3] == omit)
		return ERR_OK;
	if (cred_owner(c, uid))
		return ERR_OK;
	if (t[1] == now && t[3] == now)
		return cred_perm(c, mode, uid, gid, CRED_W) ? ERR_ACCES : ERR_OK;
	return ERR_PERM;
}

/* A write or truncate of a regular file by a user other than root (who
 * has CAP_FSETID): its mode without set-uid, and without set-gid where
 * group execute makes it one (Linux's file_remove_privs). */
static inline uint32_t cred_write_mode(uint32_t mode)
{
	if ((mode & CRED_S_IFMT) != 0100000u)
		return mode;
	mode &= ~CRED_S_ISUID;
	if (mode & 010u)
		mode &= ~CRED_S_ISGID;
	return mode;
}

/* The owner and group of a new file made by c in a directory (dmode, dgid):
 * the caller's fs ids, or the directory's group when it is set-gid (then a
 * new directory is set-gid too: *mode). */
static inline void cred_new_owner(const struct cairn_cred *c, uint32_t dmode, uint32_t dgid,
				  uint32_t *mode, uint32_t *uid, uint32_t *gid)
{
	*uid = c ? c->uid : 0;
	*gid = c ? c->gid : 0;
	if (dmode & CRED_S_ISGID) {
		*gid = dgid;
		if ((*mode & CRED_S_IFMT) == CRED_S_IFDIR)
			*mode |= CRED_S_ISGID;
	}
}

/* ---- the token (user/lib/cred.c: the servers, not the host tests) ---------------- */
struct srv_req;
/* Learns which endpoint is the process server's (proc: a capability to it;
 * CAP_NULL: none known, so there are no users: every request is root's)
 * and which is ours (own_ep_id: requests' cap0 naming our objects). */
void cred_init(uint64_t proc, uint64_t own_ep_id);
/* The credentials of the request: its token's (taken out of r->caps),
 * else root's if trusted (a system service's capability) or when no
 * process server is known, else nobody's (POSIX_OVERFLOW_ID, no groups). */
const struct cairn_cred *cred_take(struct srv_req *r, bool trusted);
/* The same credentials with the real ids as the ones checked (access()). */
const struct cairn_cred *cred_real(const struct cairn_cred *c);
/* IO_IMAGE of a file (mode, uid, gid) whose image is the MemoryObject
 * image: with a token in r (taken out of r->caps) and a set-uid file (or
 * set-gid with group execute), the process server hears that this image
 * runs with those ids for the token's process (PS_EXEC_GRANT). */
void cred_exec_grant(struct srv_req *r, uint32_t mode, uint32_t uid, uint32_t gid, uint64_t image);

#endif
