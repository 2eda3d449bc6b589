/* SPDX-License-Identifier: MIT */
/*
 * The ext2 server's file system: the file protocol's operations on a file
 * system opened by libext2fs, which owns the on-disk format (directories,
 * block maps and extents, bitmaps, symbolic links): this file only maps
 * requests onto it, with docs/vfs.md's semantics.
 *
 * Design note.
 * - Paths are resolved here component by component (xresolve), with
 *   ext2fs_lookup in each directory, following symbolic links (at most
 *   XFS_MAXSYMLINKS), the rules of docs/vfs.md ("Path rules"), and the
 *   mount rules of include/cairn/posix.h: a component naming a covered
 *   directory, ".." at a mount's root, an absolute link target (or path)
 *   in a tree that is not the namespace root answer ERR_REMOTE, with
 *   x->remote saying where to.
 * - Inodes are named by number everywhere; an open description holds
 *   its inode (xfs_hold). An inode whose last link goes while it is
 *   held keeps its blocks until the last holder lets go (as Linux's
 *   orphans; with no journal, a crash leaves it to e2fsck).
 * - Every inode number a directory entry gives is checked against the
 *   superblock before use, and every libext2fs error is an errno
 *   (xfs_err): a corrupt disk gives errors, not a crash.
 * - A name cache (struct xfs_dent) keeps what lookups found, (directory,
 *   name) -> inode, and what they did not (inode 0), so that a path
 *   walks no directory block twice. It is kept true by the functions
 *   that change entries (add_entry, del_entry, set_entry and the
 *   libext2fs calls that make names: ext2fs_mkdir, ext2fs_symlink),
 *   and emptied when a directory's inode goes (its number may come
 *   back as another directory). It is memory only: the disk is written
 *   exactly as without it.
 * - Directory times: a change of a directory's entries moves its mtime
 *   and ctime in memory (x->dtimes), and the inode is written with them
 *   later: when this server writes it anyway, at xfs_sync and unmount,
 *   or when the table is full. iget applies them, so every read sees
 *   them (stat, a read-modify-write). This saves a read and a write of
 *   the directory's inode (a whole block through the cache) per create,
 *   unlink, link and rename. The block cache is write-back already, so
 *   nothing reaches the disk later than before a sync; what changes is
 *   that a cache eviction between syncs may write the entries' block
 *   before the directory's times.
 * - Times are Linux's encoding: seconds in the old fields, nanoseconds and
 *   two more epoch bits in the large inode's extra fields.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "xfs.h"
#include "bcache.h"

enum { L_NORM, L_DOT, L_DOTDOT, L_ROOT };
#define LK_FOLLOW   1u            /* follow a link in the last component */
#define LK_NOFOLLOW 2u            /* not even with a trailing slash */
#define LK_PARENT   4u            /* the last component is a name acted on: no redirect */

struct xlookup {
	ext2_ino_t parent, ino;       /* ino 0: no such name */
	int last;
	bool slash;
	size_t name_len;
	char name[XFS_NAME_MAX + 1];
};

struct xfs_open {
	struct xfs_open *next;
	ext2_ino_t ino;
	uint32_t refs;
	bool orphan;                  /* it lost a link while held: its last holder checks */
};

/* 8-byte aligned: copies of it are memcpy's word loop */
typedef struct ext2_inode_large inode_t __attribute__((aligned(8)));

err_t xfs_err(errcode_t e)
{
	if (!e)
		return 0;
	if (e > 0 && e < 256)
		return (err_t)e;                 /* an errno: the io_manager's */
	switch (e) {
	case EXT2_ET_BLOCK_ALLOC_FAIL:
	case EXT2_ET_INODE_ALLOC_FAIL:
	case EXT2_ET_DIR_NO_SPACE:
	case EXT2_ET_EA_NO_SPACE:
	case EXT2_ET_TOOSMALL:
		return ERR_NOSPC;
	case EXT2_ET_NO_MEMORY:
		return ERR_NOMEM;
	case EXT2_ET_RO_FILSYS:
	case EXT2_ET_RO_UNSUPP_FEATURE:
		return ERR_ROFS;
	case EXT2_ET_FILE_TOO_BIG:
	case EXT2_ET_EXTENT_NOT_SUPPORTED:
		return ERR_FBIG;
	case EXT2_ET_FILE_NOT_FOUND:
		return ERR_NOENT;
	case EXT2_ET_DIR_EXISTS:
		return ERR_EXIST;
	case EXT2_ET_NO_DIRECTORY:
		return ERR_NOTDIR;
	default:
		return ERR_IO;                   /* corruption, a failed device */
	}
}

/* ---- inodes ------------------------------------------------------------------------- */

static bool ino_ok(struct xfs *x, ext2_ino_t ino)
{
	return ino >= EXT2_ROOT_INO && ino <= x->fs->super->s_inodes_count;
}

static void dtimes_apply(struct xfs *x, ext2_ino_t ino, inode_t *in);

/*
 * The inode cache: the last inodes read or written here, as on the disk
 * (directory times not applied), direct-mapped by number. Every inode
 * write, libext2fs's own included, first calls the write_inode hook
 * (inode_write_hint), which forgets the inode's entry; iput puts it back
 * once written. iget thereby skips ext2fs_read_inode_full (its search of
 * libext2fs's 4-entry cache, two copies of the whole inode).
 */
_Static_assert(sizeof(inode_t) % 8 == 0, "an inode is whole words");

static void icache_set(struct xfs *x, ext2_ino_t ino, const inode_t *in)
{
	if (x->icache) {
		x->icache[ino % XFS_ICACHE].ino = ino;
		x->icache[ino % XFS_ICACHE].in = *in;
	}
}

static void icache_forget(struct xfs *x, ext2_ino_t ino)
{
	if (x->icache && x->icache[ino % XFS_ICACHE].ino == ino)
		x->icache[ino % XFS_ICACHE].ino = 0;
}

static err_t iget(struct xfs *x, ext2_ino_t ino, inode_t *in)
{
	err_t e;

	if (!ino_ok(x, ino))
		return ERR_IO;
	if (x->icache && x->icache[ino % XFS_ICACHE].ino == ino) {
		*in = x->icache[ino % XFS_ICACHE].in;
		e = 0;
	} else {
		memset(in, 0, sizeof(*in));
		e = xfs_err(ext2fs_read_inode_full(x->fs, ino, (struct ext2_inode *)in, sizeof(*in)));
		if (!e)
			icache_set(x, ino, in);
	}
	if (!e && x->ndtimes)
		dtimes_apply(x, ino, in);
	return e;
}

static err_t iput(struct xfs *x, ext2_ino_t ino, inode_t *in)
{
	if (x->ro)
		return ERR_ROFS;
	errcode_t r = ext2fs_write_inode_full(x->fs, ino, (struct ext2_inode *)in, sizeof(*in));

	if (!r)
		icache_set(x, ino, in);
	return xfs_err(r);
}

static bool is_dir(const inode_t *in) { return LINUX_S_ISDIR(in->i_mode); }

/* ---- users (docs/users.md) ---------------------------------------------------------------- */

static uint32_t i_uid(const inode_t *in) { return inode_uid(*in); }
static uint32_t i_gid(const inode_t *in) { return inode_gid(*in); }

static void set_ids(inode_t *in, uint32_t uid, uint32_t gid)
{
	in->i_uid = (uint16_t)uid;
	in->osd2.linux2.l_i_uid_high = (uint16_t)(uid >> 16);
	in->i_gid = (uint16_t)gid;
	in->osd2.linux2.l_i_gid_high = (uint16_t)(gid >> 16);
}

static err_t iperm(struct xfs *x, const inode_t *in, unsigned want)
{
	return x->cred ? cred_perm(x->cred, in->i_mode, i_uid(in), i_gid(in), want) : 0;
}


static err_t perm_ino(struct xfs *x, ext2_ino_t ino, unsigned want)
{
	inode_t in;
	err_t e;

	if (!x->cred)
		return 0;
	if ((e = iget(x, ino, &in)))
		return e;
	return iperm(x, &in, want);
}

/* Removing the entry of in from dir (unlink, rmdir, rename's sides): the
 * sticky directory's rule too */
static err_t may_delete(struct xfs *x, ext2_ino_t dir, const inode_t *in)
{
	inode_t d;
	err_t e;

	if (!x->cred)
		return 0;
	if ((e = iget(x, dir, &d)))
		return e;
	return cred_may_delete(x->cred, d.i_mode, i_uid(&d), i_gid(&d), i_uid(in));
}

/* A new inode's owner and group (in->i_mode set): the user's, or a
 * set-gid directory's group */
static void owner_new(struct xfs *x, ext2_ino_t dir, inode_t *in)
{
	uint32_t mode = in->i_mode, uid, gid;
	inode_t d;

	if (iget(x, dir, &d))
		d.i_mode = 0;
	cred_new_owner(x->cred, d.i_mode, i_gid(&d), &mode, &uid, &gid);
	in->i_mode = (uint16_t)mode;
	set_ids(in, uid, gid);
}
static bool is_reg(const inode_t *in) { return LINUX_S_ISREG(in->i_mode); }
static bool is_lnk(const inode_t *in) { return LINUX_S_ISLNK(in->i_mode); }

static bool has_extra(struct xfs *x, const inode_t *in, size_t end)
{
	return EXT2_INODE_SIZE(x->fs->super) > EXT2_GOOD_OLD_INODE_SIZE &&
	       EXT2_GOOD_OLD_INODE_SIZE + (size_t)in->i_extra_isize >= end;
}

#define EXTRA_END(f) (offsetof(inode_t, f) + sizeof(((inode_t *)0)->f))

static void tget(struct xfs *x, const inode_t *in, uint32_t lo, uint32_t extra, size_t end,
		 int64_t *sec, int64_t *nsec)
{
	*sec = (int32_t)lo;
	*nsec = 0;
	if (has_extra(x, in, end)) {
		*sec += (int64_t)(extra & 3) << 32;
		*nsec = extra >> 2;
		if (*nsec > 999999999)
			*nsec = 0;
	}
}

static void tset(struct xfs *x, inode_t *in, uint32_t *lo, uint32_t *extra, size_t end, int64_t sec,
		 int64_t nsec)
{
	*lo = (uint32_t)sec;
	if (has_extra(x, in, end))
		*extra = (uint32_t)(nsec << 2) | (uint32_t)(((sec - (int32_t)sec) >> 32) & 3);
}

#define TGET(x, in, f, s, n) tget(x, in, (in)->i_##f, (in)->i_##f##_extra, EXTRA_END(i_##f##_extra), s, n)
#define TSET(x, in, f, s, n) tset(x, in, &(in)->i_##f, &(in)->i_##f##_extra, EXTRA_END(i_##f##_extra), s, n)

static void now(struct xfs *x, int64_t *sec, int64_t *nsec)
{
	uint64_t ns = x->now_ns ? x->now_ns() : 0;

	*sec = (int64_t)(ns / 1000000000u);
	*nsec = (int64_t)(ns % 1000000000u);
}

/* which: 1 atime, 2 mtime, 4 ctime */
static void touch(struct xfs *x, inode_t *in, unsigned which)
{
	int64_t s, n;

	now(x, &s, &n);
	if (which & 1)
		TSET(x, in, atime, s, n);
	if (which & 2)
		TSET(x, in, mtime, s, n);
	if (which & 4)
		TSET(x, in, ctime, s, n);
}

static err_t touch_ino(struct xfs *x, ext2_ino_t ino, unsigned which)
{
	inode_t in;
	err_t e;

	if ((e = iget(x, ino, &in)))
		return e;
	touch(x, &in, which);
	return iput(x, ino, &in);
}

/* relatime: the access time moves only when it is not after the last change */
static void touch_atime(struct xfs *x, ext2_ino_t ino)
{
	int64_t as, an, ms, mn, cs, cn;
	inode_t in;

	if (x->ro || iget(x, ino, &in))
		return;
	TGET(x, &in, atime, &as, &an);
	TGET(x, &in, mtime, &ms, &mn);
	TGET(x, &in, ctime, &cs, &cn);
	if (as < ms || (as == ms && an <= mn) || as < cs || (as == cs && an <= cn)) {
		touch(x, &in, 1);
		iput(x, ino, &in);
	}
}

/* ---- directory times ------------------------------------------------------------------------ */

static int dtimes_find(struct xfs *x, ext2_ino_t ino)
{
	for (unsigned i = 0; i < x->ndtimes; i++)
		if (x->dtimes[i].ino == ino)
			return (int)i;
	return -1;
}

/* in (inode ino, just read) gets the directory times it is owed. */
static void dtimes_apply(struct xfs *x, ext2_ino_t ino, inode_t *in)
{
	int i = dtimes_find(x, ino);

	if (i >= 0) {
		TSET(x, in, mtime, x->dtimes[i].sec, x->dtimes[i].nsec);
		TSET(x, in, ctime, x->dtimes[i].sec, x->dtimes[i].nsec);
	}
}

/* Entry i's times into its inode; the entry goes. */
static err_t dtimes_write(struct xfs *x, unsigned i)
{
	ext2_ino_t ino = x->dtimes[i].ino;
	inode_t in;
	err_t e;

	if (!(e = iget(x, ino, &in)))         /* applies them */
		e = iput(x, ino, &in);
	x->dtimes[i] = x->dtimes[--x->ndtimes];
	return e;
}

/* Every directory's times into its inode: the first error, or 0. */
static err_t dtimes_write_all(struct xfs *x)
{
	err_t e, first = 0;

	while (x->ndtimes)
		if ((e = dtimes_write(x, x->ndtimes - 1)) && !first)
			first = e;
	return first;
}

/* Directory dir's entries changed: its mtime and ctime move (written later). */
static void touch_dir(struct xfs *x, ext2_ino_t dir)
{
	int i = dtimes_find(x, dir);

	if (x->ro)
		return;
	if (i < 0) {
		if (x->ndtimes == XFS_DTIMES)
			dtimes_write(x, 0);
		i = (int)x->ndtimes++;
		x->dtimes[i].ino = dir;
	}
	now(x, &x->dtimes[i].sec, &x->dtimes[i].nsec);
}

/* ---- the name cache -------------------------------------------------------------------------- */

struct xfs_dent {
	ext2_ino_t dir;                    /* 0: a free entry */
	ext2_ino_t ino;                    /* 0: no such name */
	uint8_t len;
	char name[XFS_DCACHE_NAME];
};

static struct xfs_dent *dent_slot(struct xfs *x, ext2_ino_t dir, const char *name, size_t len)
{
	uint32_t h = 2166136261u ^ dir;

	if (!x->dcache || !len || len > XFS_DCACHE_NAME)
		return NULL;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)name[i]) * 16777619u;
	return &x->dcache[(h ^ h >> 15) & (XFS_DCACHE - 1)];
}

static bool dent_is(const struct xfs_dent *d, ext2_ino_t dir, const char *name, size_t len)
{
	return d->dir == dir && d->len == len && !memcmp(d->name, name, len);
}

/* From now on name in dir is ino (0: no such name). */
static void dent_set(struct xfs *x, ext2_ino_t dir, const char *name, size_t len, ext2_ino_t ino)
{
	struct xfs_dent *d = dent_slot(x, dir, name, len);

	if (!d)
		return;
	d->dir = dir;
	d->ino = ino;
	d->len = (uint8_t)len;
	memcpy(d->name, name, len);
}

/* What name in dir is is not known any more. */
static void dent_forget(struct xfs *x, ext2_ino_t dir, const char *name, size_t len)
{
	struct xfs_dent *d = dent_slot(x, dir, name, len);

	if (d && dent_is(d, dir, name, len))
		d->dir = 0;
}

static void dent_forget_all(struct xfs *x)
{
	if (x->dcache)
		memset(x->dcache, 0, XFS_DCACHE * sizeof(*x->dcache));
}

/* The inode name names in directory dir: 0 and *ino, ERR_NOENT (no such
 * name), or another error (a corrupt or failed disk: nothing cached). */
static err_t dir_lookup(struct xfs *x, ext2_ino_t dir, const char *name, size_t len, ext2_ino_t *ino)
{
	struct xfs_dent *d = dent_slot(x, dir, name, len);
	errcode_t r;

	if (d && dent_is(d, dir, name, len)) {
		*ino = d->ino;
		return d->ino ? 0 : ERR_NOENT;
	}
	r = ext2fs_lookup(x->fs, dir, name, (int)len, (char *)x->dir_buf, ino);
	if (r && r != EXT2_ET_FILE_NOT_FOUND)
		return xfs_err(r);
	if (r)
		*ino = 0;
	dent_set(x, dir, name, len, *ino);
	return r ? ERR_NOENT : 0;
}

/* ---- open inodes ------------------------------------------------------------------------ */

static struct xfs_open **open_slot(struct xfs *x, ext2_ino_t ino)
{
	struct xfs_open **pp = &x->open[ino % XFS_OPEN_HASH];

	while (*pp && (*pp)->ino != ino)
		pp = &(*pp)->next;
	return pp;
}

static bool held(struct xfs *x, ext2_ino_t ino)
{
	return *open_slot(x, ino) != NULL;
}

void xfs_hold(struct xfs *x, ext2_ino_t ino)
{
	struct xfs_open **pp = open_slot(x, ino), *o;

	if (*pp) {
		(*pp)->refs++;
		return;
	}
	if (!(o = calloc(1, sizeof(*o))))
		return;                   /* then an unlink frees it at once: reads see EIO */
	o->ino = ino;
	o->refs = 1;
	*pp = o;
}

/* Inode ino (in: what it holds now, unwritten changes included) has no
 * link left and no holder: its blocks and itself go. */
static err_t free_inode(struct xfs *x, ext2_ino_t ino, inode_t *in_now)
{
	inode_t in = *in_now;
	int64_t s, n;
	err_t e;

	if (LINUX_S_ISDIR(in.i_mode)) {
		int i = dtimes_find(x, ino);

		dent_forget_all(x);      /* its number may name another directory next */
		if (i >= 0)
			x->dtimes[i] = x->dtimes[--x->ndtimes];
	}
	if (x->on_kill)
		x->on_kill(x, ino);      /* its blocks are still there */
	if (ext2fs_inode_has_valid_blocks2(x->fs, (struct ext2_inode *)&in) &&
	    (e = xfs_err(ext2fs_punch(x->fs, ino, (struct ext2_inode *)&in, NULL, 0, ~0ULL)))) {
		iput(x, ino, &in);       /* no link (a corrupt disk: e2fsck frees it) */
		return e;
	}
	now(x, &s, &n);
	in.i_dtime = (uint32_t)s;
	if ((e = iput(x, ino, &in)))
		return e;
	ext2fs_inode_alloc_stats2(x->fs, ino, -1, LINUX_S_ISDIR(in.i_mode));
	return 0;
}

/* An inode with no link left and no holder: its blocks and itself go. */
static err_t kill_inode(struct xfs *x, ext2_ino_t ino)
{
	inode_t in;
	err_t e;

	if ((e = iget(x, ino, &in)))
		return e;
	return in.i_links_count ? 0 : free_inode(x, ino, &in);
}

uint32_t xfs_holds(struct xfs *x, ext2_ino_t ino)
{
	struct xfs_open *o = *open_slot(x, ino);

	return o ? o->refs : 0;
}

void xfs_release(struct xfs *x, ext2_ino_t ino)
{
	struct xfs_open **pp = open_slot(x, ino), *o = *pp;
	bool orphan;

	if (!o || --o->refs)
		return;
	*pp = o->next;
	orphan = o->orphan;
	free(o);
	if (orphan && !x->ro)
		kill_inode(x, ino);
}

/* ino lost a link: if that was its last, it goes now, or when the last
 * description that holds it closes. */
static void link_gone(struct xfs *x, ext2_ino_t ino)
{
	struct xfs_open *o = *open_slot(x, ino);

	if (o)
		o->orphan = true;
	else
		kill_inode(x, ino);
}

/* ---- mounts ------------------------------------------------------------------------------ */

static int cover_of(struct xfs *x, ext2_ino_t ino)
{
	for (unsigned i = 0; i < x->ncovers; i++)
		if (x->covers[i].ino == ino)
			return (int)i;
	return -1;
}

/* ERR_REMOTE to cap with a + b as the new path. */
static err_t remote(struct xfs *x, uint32_t flags, uint64_t cap, const char *a, size_t al, const char *b,
		    size_t bl)
{
	if (al + bl >= XFS_PATH_MAX)
		return ERR_NAMETOOLONG;
	x->remote.flags = flags;
	x->remote.cap = cap;
	memmove(x->remote.path, a, al);
	memmove(x->remote.path + al, b, bl);
	x->remote.len = al + bl;
	return ERR_REMOTE;
}

/* ---- symbolic links ------------------------------------------------------------------------- */

static err_t read_link(struct xfs *x, ext2_ino_t ino, inode_t *in, char *buf, size_t *len)
{
	uint64_t size = EXT2_I_SIZE(in);
	ext2_file_t f;
	unsigned got = 0;
	errcode_t r;

	if (size >= XFS_PATH_MAX)
		return ERR_IO;
	if (in->i_flags & EXT4_INLINE_DATA_FL) {
		size_t n = 0;
		char tmp[XFS_PATH_MAX + 64];
		if ((r = ext2fs_inline_data_size(x->fs, ino, &n)))
			return xfs_err(r);
		if (n > sizeof(tmp))
			return ERR_IO;                  /* more than a link holds: corrupt */
		if ((r = ext2fs_inline_data_get(x->fs, ino, (struct ext2_inode *)in, tmp, &n)))
			return xfs_err(r);
		if (n < size)
			return ERR_IO;
		memcpy(buf, tmp, size);
	} else if (ext2fs_is_fast_symlink((struct ext2_inode *)in)) {
		if (size > sizeof(in->i_block))
			return ERR_IO;
		memcpy(buf, in->i_block, size);
	} else {
		if ((r = ext2fs_file_open2(x->fs, ino, (struct ext2_inode *)in, 0, &f)))
			return xfs_err(r);
		r = ext2fs_file_read(f, buf, (unsigned)size, &got);
		ext2fs_file_close(f);
		if (r)
			return xfs_err(r);
		if (got != size)
			return ERR_IO;
	}
	*len = (size_t)size;
	return 0;
}

/* ---- path resolution --------------------------------------------------------------------- */

static err_t dir_alive(struct xfs *x, ext2_ino_t d, bool *alive)
{
	inode_t in;
	err_t e = iget(x, d, &in);

	*alive = !e && in.i_links_count > 0;
	return e;
}

static err_t xresolve(struct xfs *x, ext2_ino_t start, const char *path, size_t len, unsigned flags,
		      struct xlookup *lk)
{
	char *buf = x->scratch[0], *other = x->scratch[1];
	ext2_ino_t cur = start;
	size_t rlen = len, pos = 0;
	unsigned links = 0;
	inode_t in;
	err_t e;

	if (!len)
		return ERR_NOENT;
	if (len >= XFS_PATH_MAX)
		return ERR_NAMETOOLONG;
	if (memchr(path, 0, len))
		return ERR_INVAL;
	memcpy(buf, path, len);
	if (buf[0] == '/') {
		if (x->mount_root)
			return remote(x, POSIX_REMOTE_ROOT, 0, buf, rlen, "", 0);
		cur = EXT2_ROOT_INO;
	}
	for (;;) {
		ext2_ino_t next = 0;
		int type = L_NORM;
		size_t s, clen, q;
		const char *c;
		bool last, slash, alive;

		while (pos < rlen && buf[pos] == '/')
			pos++;
		if ((e = iget(x, cur, &in)))
			return e;
		if (!is_dir(&in))
			return ERR_NOTDIR;
		alive = in.i_links_count > 0;
		if (pos == rlen) {
			lk->parent = lk->ino = cur;
			lk->last = L_ROOT;
			lk->slash = true;
			lk->name_len = 0;
			lk->name[0] = 0;
			return 0;
		}
		for (s = pos; pos < rlen && buf[pos] != '/'; pos++)
			;
		clen = pos - s;
		if (clen > XFS_NAME_MAX)
			return ERR_NAMETOOLONG;
		for (q = pos; q < rlen && buf[q] == '/'; q++)
			;
		last = q == rlen;
		slash = last && pos < rlen;
		c = buf + s;
		if ((e = iperm(x, &in, CRED_X)))       /* search permission on each directory */
			return e;
		if (clen == 1 && c[0] == '.') {
			type = L_DOT;
			next = cur;
		} else if (clen == 2 && c[0] == '.' && c[1] == '.') {
			type = L_DOTDOT;
			if (x->mount_root && cur == x->mount_root)
				return remote(x, 0, x->up_cap, "..", 2, buf + pos, rlen - pos);
			if (!alive)
				return ERR_NOENT;
			if (cur == EXT2_ROOT_INO) {
				next = cur;
			} else if ((e = dir_lookup(x, cur, "..", 2, &next))) {
				return e == ERR_NOENT ? ERR_IO : e;
			}
		} else if (alive) {
			e = dir_lookup(x, cur, c, clen, &next);
			if (e && e != ERR_NOENT)
				return e;
		}
		if (next && !ino_ok(x, next))
			return ERR_IO;
		if (next && type == L_NORM) {
			int cv = cover_of(x, next);

			if (cv >= 0 && !(last && (flags & LK_PARENT))) {
				const char *rest = buf + q;
				size_t rl = rlen - q;
				return rl ? remote(x, 0, x->covers[cv].cap, rest, rl, "", 0) :
					    remote(x, 0, x->covers[cv].cap, ".", 1, "", 0);
			}
			if ((e = iget(x, next, &in)))
				return e;
			if (is_lnk(&in) && (!last || (flags & LK_FOLLOW) || (slash && !(flags & LK_NOFOLLOW)))) {
				size_t tlen, rest = rlen - pos;
				char *t;

				if (++links > XFS_MAXSYMLINKS)
					return ERR_LOOP;
				if ((e = read_link(x, next, &in, other, &tlen)))
					return e;
				if (!tlen)
					return ERR_NOENT;
				if (tlen + rest >= XFS_PATH_MAX)
					return ERR_NAMETOOLONG;
				memcpy(other + tlen, buf + pos, rest);
				t = buf;
				buf = other;
				other = t;
				rlen = tlen + rest;
				pos = 0;
				if (buf[0] == '/') {
					if (x->mount_root)
						return remote(x, POSIX_REMOTE_ROOT, 0, buf, rlen, "", 0);
					cur = EXT2_ROOT_INO;
				}
				continue;
			}
		}
		if (!last) {
			if (!next)
				return ERR_NOENT;
			if (type == L_NORM && !is_dir(&in))
				return ERR_NOTDIR;
			cur = next;
			continue;
		}
		lk->parent = cur;
		lk->ino = next;
		lk->last = type;
		lk->slash = slash;
		lk->name_len = clen;
		memcpy(lk->name, c, clen);
		lk->name[clen] = 0;
		return 0;
	}
}

static err_t check_slash(struct xfs *x, const struct xlookup *lk)
{
	inode_t in;
	err_t e;

	if (!lk->slash || !lk->ino)
		return 0;
	if ((e = iget(x, lk->ino, &in)))
		return e;
	return is_dir(&in) ? 0 : ERR_NOTDIR;
}

/* The place a new name goes: EEXIST if something is there (a link is
 * not followed; a mount point is there too), ENOENT in a removed directory. */
static err_t resolve_new(struct xfs *x, ext2_ino_t start, const char *path, size_t len, struct xlookup *lk)
{
	bool alive;
	err_t e = xresolve(x, start, path, len, LK_NOFOLLOW | LK_PARENT, lk);

	if (e)
		return e;
	if (lk->ino)
		return ERR_EXIST;
	if ((e = dir_alive(x, lk->parent, &alive)))
		return e;
	if (!alive)
		return ERR_NOENT;
	if (x->ro)
		return ERR_ROFS;
	return perm_ino(x, lk->parent, CRED_W | CRED_X);
}

err_t xfs_find(struct xfs *x, ext2_ino_t start, const char *path, size_t len, unsigned flags,
	       ext2_ino_t *ino)
{
	struct xlookup lk;
	err_t e = xresolve(x, start, path, len, flags & LINUX_AT_SYMLINK_NOFOLLOW ? 0 : LK_FOLLOW, &lk);

	if (e)
		return e;
	if (!lk.ino)
		return ERR_NOENT;
	if ((e = check_slash(x, &lk)))
		return e;
	*ino = lk.ino;
	return 0;
}

/* ---- directory entries --------------------------------------------------------------------- */

static int ftype(uint32_t mode)
{
	switch (mode & LINUX_S_IFMT) {
	case LINUX_S_IFREG: return EXT2_FT_REG_FILE;
	case LINUX_S_IFDIR: return EXT2_FT_DIR;
	case LINUX_S_IFLNK: return EXT2_FT_SYMLINK;
	case LINUX_S_IFCHR: return EXT2_FT_CHRDEV;
	case LINUX_S_IFBLK: return EXT2_FT_BLKDEV;
	case LINUX_S_IFIFO: return EXT2_FT_FIFO;
	case LINUX_S_IFSOCK: return EXT2_FT_SOCK;
	default: return EXT2_FT_UNKNOWN;
	}
}

/* ext2fs_link, growing the directory when it is full. */
static err_t add_entry(struct xfs *x, ext2_ino_t dir, const char *name, ext2_ino_t ino, int type)
{
	errcode_t r = ext2fs_link(x->fs, dir, name, ino, type);

	if (r == EXT2_ET_DIR_NO_SPACE) {
		if ((r = ext2fs_expand_dir(x->fs, dir))) {
			dent_forget(x, dir, name, strlen(name));
			return xfs_err(r);
		}
		r = ext2fs_link(x->fs, dir, name, ino, type);
	}
	if (r) {
		dent_forget(x, dir, name, strlen(name));
		return xfs_err(r);
	}
	dent_set(x, dir, name, strlen(name), ino);
	touch_dir(x, dir);
	return 0;
}

static err_t del_entry(struct xfs *x, ext2_ino_t dir, const char *name, ext2_ino_t ino)
{
	errcode_t r = ext2fs_unlink(x->fs, dir, name, ino, 0);

	if (r) {
		dent_forget(x, dir, name, strlen(name));
		return xfs_err(r);
	}
	dent_set(x, dir, name, strlen(name), 0);
	touch_dir(x, dir);
	return 0;
}

struct set_ctx {
	const char *name;
	size_t len;
	ext2_ino_t ino;
	int type;
	bool done;
};

static int set_cb(struct ext2_dir_entry *de, int off, int bs, char *buf, void *priv)
{
	struct set_ctx *c = priv;

	if (!de->inode || (size_t)ext2fs_dirent_name_len(de) != c->len || memcmp(de->name, c->name, c->len))
		return 0;
	de->inode = c->ino;
	if (c->type >= 0)
		ext2fs_dirent_set_file_type(de, c->type);
	c->done = true;
	return DIRENT_CHANGED | DIRENT_ABORT;
}

/* The entry name of dir points at ino from now on (a rename over a name). */
static err_t set_entry(struct xfs *x, ext2_ino_t dir, const char *name, ext2_ino_t ino, int type)
{
	struct set_ctx c = { name, strlen(name), ino, type, false };
	errcode_t r = ext2fs_dir_iterate(x->fs, dir, DIRENT_FLAG_INCLUDE_EMPTY, (char *)x->dir_buf, set_cb, &c);

	if (r || !c.done) {
		dent_forget(x, dir, name, c.len);
		return r ? xfs_err(r) : ERR_IO;
	}
	dent_set(x, dir, name, c.len, ino);
	touch_dir(x, dir);
	return 0;
}

struct empty_ctx { bool empty; };

static int empty_cb(struct ext2_dir_entry *de, int off, int bs, char *buf, void *priv)
{
	int n = ext2fs_dirent_name_len(de);

	if (!de->inode || (n == 1 && de->name[0] == '.') || (n == 2 && de->name[0] == '.' && de->name[1] == '.'))
		return 0;
	((struct empty_ctx *)priv)->empty = false;
	return DIRENT_ABORT;
}

static err_t dir_empty(struct xfs *x, ext2_ino_t d, bool *empty)
{
	struct empty_ctx c = { true };
	errcode_t r = ext2fs_dir_iterate(x->fs, d, 0, (char *)x->dir_buf, empty_cb, &c);

	*empty = c.empty;
	return xfs_err(r);
}

static err_t links_add(struct xfs *x, ext2_ino_t ino, int delta)
{
	inode_t in;
	err_t e;

	if ((e = iget(x, ino, &in)))
		return e;
	if (delta < 0 && in.i_links_count < (unsigned)-delta)
		in.i_links_count = 0;
	else
		in.i_links_count = (uint16_t)(in.i_links_count + delta);
	touch(x, &in, 4);
	return iput(x, ino, &in);
}

/* The parent of directory d (its ".."). */
static err_t parent_of(struct xfs *x, ext2_ino_t d, ext2_ino_t *p)
{
	err_t e;

	if (d == EXT2_ROOT_INO) {
		*p = d;
		return 0;
	}
	if ((e = dir_lookup(x, d, "..", 2, p)))
		return e == ERR_NOENT ? ERR_IO : e;
	return ino_ok(x, *p) ? 0 : ERR_IO;
}

/* Is d the directory a or below it? */
static err_t dir_within(struct xfs *x, ext2_ino_t d, ext2_ino_t a, bool *within)
{
	unsigned depth = 0;
	err_t e;

	*within = false;
	for (;;) {
		ext2_ino_t p;

		if (d == a) {
			*within = true;
			return 0;
		}
		if (d == EXT2_ROOT_INO)
			return 0;
		if (++depth > 65536)
			return ERR_IO;                 /* a loop: a corrupt tree */
		if ((e = parent_of(x, d, &p)))
			return e;
		d = p;
	}
}

/* ---- making inodes ------------------------------------------------------------------------- */

static err_t new_inode(struct xfs *x, ext2_ino_t dir, uint32_t mode, ext2_ino_t *out)
{
	errcode_t r = ext2fs_new_inode(x->fs, dir, (int)mode, NULL, out);

	return r ? xfs_err(r) : 0;
}

/* The inode just allocated for name in dir: written, linked, counted. */
static err_t init_inode(struct xfs *x, ext2_ino_t dir, const char *name, ext2_ino_t ino, uint32_t mode)
{
	inode_t in;
	errcode_t r;
	err_t e;

	memset(&in, 0, sizeof(in));
	in.i_mode = (uint16_t)mode;
	owner_new(x, dir, &in);
	in.i_links_count = 1;
	if (EXT2_INODE_SIZE(x->fs->super) > EXT2_GOOD_OLD_INODE_SIZE)
		in.i_extra_isize = sizeof(inode_t) - EXT2_GOOD_OLD_INODE_SIZE;
	touch(x, &in, 7);
	if (ext2fs_has_feature_extents(x->fs->super) && LINUX_S_ISREG(mode)) {
		ext2_extent_handle_t h;
		if ((r = ext2fs_extent_open2(x->fs, ino, (struct ext2_inode *)&in, &h)))
			return xfs_err(r);
		ext2fs_extent_free(h);
	}
	if ((e = add_entry(x, dir, name, ino, ftype(mode))))
		return e;
	if ((r = ext2fs_write_new_inode(x->fs, ino, (struct ext2_inode *)&in))) {
		ext2fs_unlink(x->fs, dir, name, ino, 0);
		dent_forget(x, dir, name, strlen(name));
		return xfs_err(r);
	}
	ext2fs_inode_alloc_stats2(x->fs, ino, +1, 0);
	return 0;
}

/* ---- operations by path --------------------------------------------------------------------- */

err_t xfs_truncate(struct xfs *x, ext2_ino_t ino, uint64_t len)
{
	ext2_file_t f;
	inode_t in;
	errcode_t r;
	err_t e;

	if (len > XFS_FILE_MAX)
		return ERR_FBIG;
	if ((e = iget(x, ino, &in)))
		return e;
	if (is_dir(&in))
		return ERR_ISDIR;
	if (!is_reg(&in))
		return ERR_INVAL;
	if (x->ro)
		return ERR_ROFS;
	if ((r = ext2fs_file_open2(x->fs, ino, (struct ext2_inode *)&in, EXT2_FILE_WRITE, &f)))
		return xfs_err(r);
	r = ext2fs_file_set_size2(f, len);
	e = xfs_err(ext2fs_file_close(f));
	if (r)
		return xfs_err(r);
	if (e)
		return e;
	return touch_ino(x, ino, 6);
}

err_t xfs_open(struct xfs *x, ext2_ino_t start, const char *path, size_t len, uint32_t oflags,
	       uint32_t mode, ext2_ino_t *ino, uint32_t *type)
{
	bool excl = (oflags & (LINUX_O_CREAT | LINUX_O_EXCL)) == (LINUX_O_CREAT | LINUX_O_EXCL);
	bool opath = oflags & LINUX_O_PATH, alive, exec = oflags & XFS_O_EXEC;
	unsigned acc = oflags & LINUX_O_ACCMODE;
	struct xlookup lk;
	inode_t in;
	err_t e;

	oflags &= ~XFS_O_EXEC;
	if (acc == 3 && !opath)
		return ERR_INVAL;
	if ((oflags & LINUX_O_TMPFILE) == LINUX_O_TMPFILE)
		return ERR_OPNOTSUPP;
	e = xresolve(x, start, path, len, (oflags & LINUX_O_NOFOLLOW) || excl ? 0 : LK_FOLLOW, &lk);
	if (e)
		return e;
	if (lk.ino) {
		if (excl && !opath)
			return ERR_EXIST;
		if ((e = check_slash(x, &lk)) || (e = iget(x, lk.ino, &in)))
			return e;
		if (is_lnk(&in) && !opath)
			return ERR_LOOP;
		if ((oflags & LINUX_O_DIRECTORY) && !is_dir(&in))
			return ERR_NOTDIR;
		if (!opath && is_dir(&in) && (acc != LINUX_O_RDONLY || (oflags & (LINUX_O_CREAT | LINUX_O_TRUNC))))
			return ERR_ISDIR;
		if (!opath && (in.i_mode & LINUX_S_IFMT) == LINUX_S_IFSOCK)
			return ERR_NXIO;                 /* a socket is connected to, not opened */
		if (!opath && x->ro && (acc != LINUX_O_RDONLY || (oflags & LINUX_O_TRUNC)) && !LINUX_S_ISCHR(in.i_mode))
			return ERR_ROFS;
		if (!opath) {
			unsigned want = exec ? CRED_X : acc == LINUX_O_RDONLY ? CRED_R :
					acc == LINUX_O_WRONLY ? CRED_W : CRED_R | CRED_W;
			if (oflags & LINUX_O_TRUNC)
				want |= CRED_W;
			if ((e = iperm(x, &in, want)))
				return e;
		}
		if (!opath && is_reg(&in) && (oflags & LINUX_O_TRUNC) && EXT2_I_SIZE(&in) &&
		    (e = xfs_truncate(x, lk.ino, 0)))
			return e;
		*ino = lk.ino;
		*type = in.i_mode & LINUX_S_IFMT;
		return 0;
	}
	if (!(oflags & LINUX_O_CREAT) || opath)
		return ERR_NOENT;
	if (lk.slash)
		return ERR_ISDIR;
	if (oflags & LINUX_O_DIRECTORY)
		return ERR_INVAL;
	if ((e = dir_alive(x, lk.parent, &alive)))
		return e;
	if (!alive)
		return ERR_NOENT;
	if (x->ro)
		return ERR_ROFS;
	if ((e = perm_ino(x, lk.parent, CRED_W | CRED_X)))
		return e;
	mode = LINUX_S_IFREG | (mode & 07777);
	if ((e = new_inode(x, lk.parent, mode, ino)) || (e = init_inode(x, lk.parent, lk.name, *ino, mode)))
		return e;
	*type = LINUX_S_IFREG;
	return 0;
}

/* A socket node (FS_MKNOD): its key (rdev) in i_block[0..1], where a
 * device keeps its number. */
err_t xfs_mknod(struct xfs *x, ext2_ino_t start, const char *path, size_t len, uint32_t mode,
		uint64_t rdev)
{
	struct xlookup lk;
	ext2_ino_t ino;
	inode_t in;
	err_t e;

	if ((mode & LINUX_S_IFMT) != LINUX_S_IFSOCK && (mode & LINUX_S_IFMT) != LINUX_S_IFIFO)
		return ERR_INVAL;
	if ((e = resolve_new(x, start, path, len, &lk)))
		return e;
	if (lk.slash)
		return ERR_NOENT;
	if (x->ro)
		return ERR_ROFS;
	mode = (mode & LINUX_S_IFMT) | (mode & 07777);
	if ((e = new_inode(x, lk.parent, mode, &ino)) || (e = init_inode(x, lk.parent, lk.name, ino, mode)))
		return e;
	if ((mode & LINUX_S_IFMT) == LINUX_S_IFIFO) {
		touch_dir(x, lk.parent);
		return 0;
	}
	if ((e = iget(x, ino, &in)))
		return e;
	in.i_block[0] = (uint32_t)rdev;
	in.i_block[1] = (uint32_t)(rdev >> 32);
	if ((e = iput(x, ino, &in)))
		return e;
	touch_dir(x, lk.parent);
	return 0;
}

err_t xfs_mkdir(struct xfs *x, ext2_ino_t start, const char *path, size_t len, uint32_t mode)
{
	struct xlookup lk;
	ext2_ino_t ino;
	inode_t in;
	errcode_t r;
	err_t e;

	if ((e = resolve_new(x, start, path, len, &lk)))
		return e;
	if ((e = iget(x, lk.parent, &in)))
		return e;
	if (in.i_links_count >= EXT2_LINK_MAX && !ext2fs_has_feature_dir_nlink(x->fs->super))
		return ERR_MLINK;
	dent_forget(x, lk.parent, lk.name, lk.name_len);
	r = ext2fs_mkdir(x->fs, lk.parent, 0, lk.name);
	if (r == EXT2_ET_DIR_NO_SPACE) {
		if ((r = ext2fs_expand_dir(x->fs, lk.parent)))
			return xfs_err(r);
		r = ext2fs_mkdir(x->fs, lk.parent, 0, lk.name);
	}
	if (r)
		return xfs_err(r);
	if ((e = dir_lookup(x, lk.parent, lk.name, lk.name_len, &ino)))
		return e == ERR_NOENT ? ERR_IO : e;
	if ((e = iget(x, ino, &in)))
		return e;
	in.i_mode = (uint16_t)(LINUX_S_IFDIR | (mode & 07777));
	owner_new(x, lk.parent, &in);
	if (EXT2_INODE_SIZE(x->fs->super) > EXT2_GOOD_OLD_INODE_SIZE && !in.i_extra_isize)
		in.i_extra_isize = sizeof(inode_t) - EXT2_GOOD_OLD_INODE_SIZE;
	touch(x, &in, 7);
	if ((e = iput(x, ino, &in)))
		return e;
	touch_dir(x, lk.parent);
	return 0;
}

err_t xfs_unlink(struct xfs *x, ext2_ino_t start, const char *path, size_t len, unsigned flags)
{
	struct xlookup lk;
	inode_t in;
	bool empty;
	err_t e;

	if (flags & ~(unsigned)LINUX_AT_REMOVEDIR)
		return ERR_INVAL;
	if ((e = xresolve(x, start, path, len, LK_NOFOLLOW | LK_PARENT, &lk)))
		return e;
	if (flags & LINUX_AT_REMOVEDIR) {
		if (lk.last == L_DOT)
			return ERR_INVAL;
		if (lk.last == L_DOTDOT)
			return ERR_NOTEMPTY;
		if (lk.last == L_ROOT)
			return ERR_BUSY;
		if (!lk.ino)
			return ERR_NOENT;
		if ((e = iget(x, lk.ino, &in)))
			return e;
		if (!is_dir(&in))
			return ERR_NOTDIR;
		if (cover_of(x, lk.ino) >= 0 || lk.ino == x->mount_root)
			return ERR_BUSY;
		if (x->ro)
			return ERR_ROFS;
		if ((e = may_delete(x, lk.parent, &in)))
			return e;
		if ((e = dir_empty(x, lk.ino, &empty)))
			return e;
		if (!empty)
			return ERR_NOTEMPTY;
		if ((e = del_entry(x, lk.parent, lk.name, lk.ino)))
			return e;
		in.i_links_count = 0;
		touch(x, &in, 4);
		if ((e = iput(x, lk.ino, &in)))
			return e;
		links_add(x, lk.parent, -1);
		link_gone(x, lk.ino);
		return 0;
	}
	if (lk.last != L_NORM)
		return ERR_ISDIR;
	if (!lk.ino)
		return ERR_NOENT;
	if ((e = check_slash(x, &lk)) || (e = iget(x, lk.ino, &in)))
		return e;
	if (is_dir(&in))
		return cover_of(x, lk.ino) >= 0 ? ERR_BUSY : ERR_ISDIR;
	if (x->ro)
		return ERR_ROFS;
	if ((e = may_delete(x, lk.parent, &in)))
		return e;
	if ((e = del_entry(x, lk.parent, lk.name, lk.ino)))
		return e;
	/* the link count and, for the last link of an inode no one holds,
	 * the inode's end: one write */
	if (in.i_links_count)
		in.i_links_count--;
	touch(x, &in, 4);
	if (!in.i_links_count && !held(x, lk.ino)) {
		free_inode(x, lk.ino, &in);
		return 0;
	}
	if ((e = iput(x, lk.ino, &in)))
		return e;
	if (!in.i_links_count)
		link_gone(x, lk.ino);           /* held: marked, it goes at the last close */
	return 0;
}

static err_t set_dotdot(struct xfs *x, ext2_ino_t d, ext2_ino_t parent)
{
	return set_entry(x, d, "..", parent, EXT2_FT_DIR);
}

static err_t rename_exchange(struct xfs *x, struct xlookup *a, struct xlookup *b, inode_t *ia, inode_t *ib)
{
	bool w1 = false, w2 = false;
	err_t e;

	if (a->ino == b->ino)
		return 0;
	if ((is_dir(ia) && (e = dir_within(x, b->parent, a->ino, &w1))) ||
	    (is_dir(ib) && (e = dir_within(x, a->parent, b->ino, &w2))))
		return e;
	if (w1 || w2)
		return ERR_INVAL;
	if ((e = set_entry(x, a->parent, a->name, b->ino, ftype(ib->i_mode))) ||
	    (e = set_entry(x, b->parent, b->name, a->ino, ftype(ia->i_mode))))
		return e;
	if (a->parent != b->parent) {
		if (is_dir(ia)) {
			set_dotdot(x, a->ino, b->parent);
			links_add(x, a->parent, -1);
			links_add(x, b->parent, +1);
		}
		if (is_dir(ib)) {
			set_dotdot(x, b->ino, a->parent);
			links_add(x, b->parent, -1);
			links_add(x, a->parent, +1);
		}
	}
	touch_ino(x, a->ino, 4);
	touch_ino(x, b->ino, 4);
	return 0;
}

err_t xfs_rename(struct xfs *x, ext2_ino_t s1, const char *p1, size_t l1, ext2_ino_t s2,
		 const char *p2, size_t l2, unsigned flags)
{
	struct xlookup a, b;
	inode_t ia, ib, ip;
	bool alive, within, empty;
	err_t e;

	if ((flags & ~(LINUX_RENAME_NOREPLACE | LINUX_RENAME_EXCHANGE)) ||
	    flags == (LINUX_RENAME_NOREPLACE | LINUX_RENAME_EXCHANGE))
		return ERR_INVAL;
	if ((e = xresolve(x, s1, p1, l1, LK_NOFOLLOW | LK_PARENT, &a)))
		return e == ERR_REMOTE ? remote(x, POSIX_REMOTE_SPLIT, 0, "", 0, "", 0) : e;
	if ((e = xresolve(x, s2, p2, l2, LK_NOFOLLOW | LK_PARENT, &b)))
		return e == ERR_REMOTE ? remote(x, POSIX_REMOTE_SPLIT, 0, "", 0, "", 0) : e;
	if (a.last != L_NORM || b.last != L_NORM)
		return ERR_BUSY;
	if (!a.ino)
		return ERR_NOENT;
	if (cover_of(x, a.ino) >= 0 || (b.ino && cover_of(x, b.ino) >= 0) || a.ino == x->mount_root ||
	    (b.ino && b.ino == x->mount_root))
		return ERR_BUSY;
	if ((e = check_slash(x, &a)) || (e = check_slash(x, &b)) || (e = iget(x, a.ino, &ia)))
		return e;
	if (!is_dir(&ia) && (a.slash || b.slash))
		return ERR_NOTDIR;
	if ((e = dir_alive(x, b.parent, &alive)))
		return e;
	if (!alive)
		return ERR_NOENT;
	if (x->ro)
		return ERR_ROFS;
	if (b.ino && (e = iget(x, b.ino, &ib)))
		return e;
	if (x->cred) {                           /* users (docs/users.md) */
		if ((e = may_delete(x, a.parent, &ia)) ||
		    (e = b.ino ? may_delete(x, b.parent, &ib) : perm_ino(x, b.parent, CRED_W | CRED_X)))
			return e;
		/* a directory moving elsewhere has its ".." changed */
		if (a.parent != b.parent && is_dir(&ia) && (e = iperm(x, &ia, CRED_W)))
			return e;
		if (a.parent != b.parent && b.ino && is_dir(&ib) && (flags & LINUX_RENAME_EXCHANGE) &&
		    (e = iperm(x, &ib, CRED_W)))
			return e;
	}
	if (flags & LINUX_RENAME_EXCHANGE) {
		if (!b.ino)
			return ERR_NOENT;
		return rename_exchange(x, &a, &b, &ia, &ib);
	}
	if (b.ino && (flags & LINUX_RENAME_NOREPLACE))
		return ERR_EXIST;
	if (a.ino == b.ino)
		return 0;
	if (is_dir(&ia)) {
		if (b.ino && !is_dir(&ib))
			return ERR_NOTDIR;
		if (b.ino && ((e = dir_empty(x, b.ino, &empty)) || !empty))
			return e ? e : ERR_NOTEMPTY;
		if ((e = dir_within(x, b.parent, a.ino, &within)))
			return e;
		if (within)
			return ERR_INVAL;
		if (!b.ino && a.parent != b.parent) {
			if ((e = iget(x, b.parent, &ip)))
				return e;
			if (ip.i_links_count >= EXT2_LINK_MAX && !ext2fs_has_feature_dir_nlink(x->fs->super))
				return ERR_MLINK;
		}
	} else if (b.ino && is_dir(&ib)) {
		return ERR_ISDIR;
	}
	/* the new name first (in place over a target: atomic), then the old one goes */
	if (b.ino)
		e = set_entry(x, b.parent, b.name, a.ino, ftype(ia.i_mode));
	else
		e = add_entry(x, b.parent, b.name, a.ino, ftype(ia.i_mode));
	if (e)
		return e;
	if ((e = del_entry(x, a.parent, a.name, a.ino)))
		return e;
	if (is_dir(&ia) && a.parent != b.parent) {
		set_dotdot(x, a.ino, b.parent);
		links_add(x, a.parent, -1);
		if (!b.ino)
			links_add(x, b.parent, +1);
	}
	touch_ino(x, a.ino, 4);
	if (b.ino) {
		if (is_dir(&ib)) {
			ib.i_links_count = 0;
			touch(x, &ib, 4);
			iput(x, b.ino, &ib);
			if (a.parent == b.parent || !is_dir(&ia))
				links_add(x, b.parent, -1);
		} else {
			links_add(x, b.ino, -1);
		}
		link_gone(x, b.ino);
	}
	return 0;
}

err_t xfs_link(struct xfs *x, ext2_ino_t s1, const char *p1, size_t l1, ext2_ino_t old,
	       ext2_ino_t s2, const char *p2, size_t l2, unsigned flags)
{
	struct xlookup a, b;
	inode_t in;
	err_t e;

	if (flags & ~(unsigned)(LINUX_AT_SYMLINK_FOLLOW | LINUX_AT_EMPTY_PATH))
		return ERR_INVAL;
	if (!old) {
		e = xresolve(x, s1, p1, l1, flags & LINUX_AT_SYMLINK_FOLLOW ? LK_FOLLOW : 0, &a);
		if (e)
			return e == ERR_REMOTE ? remote(x, POSIX_REMOTE_SPLIT, 0, "", 0, "", 0) : e;
		if (!(old = a.ino))
			return ERR_NOENT;
		if ((e = check_slash(x, &a)))
			return e;
	}
	if ((e = iget(x, old, &in)))
		return e;
	if (is_dir(&in))
		return ERR_PERM;
	if (!in.i_links_count)
		return ERR_NOENT;
	if ((e = resolve_new(x, s2, p2, l2, &b)))
		return e == ERR_REMOTE ? remote(x, POSIX_REMOTE_SPLIT, 0, "", 0, "", 0) : e;
	if (b.slash)
		return ERR_NOENT;
	if (in.i_links_count >= EXT2_LINK_MAX)
		return ERR_MLINK;
	if ((e = add_entry(x, b.parent, b.name, old, ftype(in.i_mode))))
		return e;
	return links_add(x, old, +1);
}

err_t xfs_symlink(struct xfs *x, const char *target, size_t tlen, ext2_ino_t start, const char *path,
		  size_t len)
{
	char t[XFS_PATH_MAX];
	struct xlookup lk;
	ext2_ino_t ino;
	inode_t in;
	errcode_t r;
	err_t e;

	if (!tlen)
		return ERR_NOENT;
	if (tlen >= XFS_PATH_MAX)
		return ERR_NAMETOOLONG;
	if (memchr(target, 0, tlen))
		return ERR_INVAL;
	if ((e = resolve_new(x, start, path, len, &lk)))
		return e;
	if (lk.slash)
		return ERR_NOENT;
	memcpy(t, target, tlen);
	t[tlen] = 0;
	dent_forget(x, lk.parent, lk.name, lk.name_len);
	r = ext2fs_symlink(x->fs, lk.parent, 0, lk.name, t);
	if (r == EXT2_ET_DIR_NO_SPACE) {
		if ((r = ext2fs_expand_dir(x->fs, lk.parent)))
			return xfs_err(r);
		r = ext2fs_symlink(x->fs, lk.parent, 0, lk.name, t);
	}
	if (r)
		return xfs_err(r);
	if ((e = dir_lookup(x, lk.parent, lk.name, lk.name_len, &ino)))
		return e == ERR_NOENT ? ERR_IO : e;
	if ((e = iget(x, ino, &in)))
		return e;
	in.i_mode = LINUX_S_IFLNK | 0777;
	owner_new(x, lk.parent, &in);
	if (EXT2_INODE_SIZE(x->fs->super) > EXT2_GOOD_OLD_INODE_SIZE && !in.i_extra_isize)
		in.i_extra_isize = sizeof(inode_t) - EXT2_GOOD_OLD_INODE_SIZE;
	touch(x, &in, 7);
	if ((e = iput(x, ino, &in)))
		return e;
	touch_dir(x, lk.parent);
	return 0;
}

err_t xfs_readlink(struct xfs *x, ext2_ino_t start, const char *path, size_t len, char *buf,
		   size_t max, size_t *n)
{
	char t[XFS_PATH_MAX];
	struct xlookup lk;
	size_t tl;
	inode_t in;
	err_t e;

	if ((e = xresolve(x, start, path, len, 0, &lk)))
		return e;
	if (!lk.ino)
		return ERR_NOENT;
	if ((e = check_slash(x, &lk)) || (e = iget(x, lk.ino, &in)))
		return e;
	if (!is_lnk(&in))
		return ERR_INVAL;
	if ((e = read_link(x, lk.ino, &in, t, &tl)))
		return e;
	*n = tl < max ? tl : max;
	memcpy(buf, t, *n);
	return 0;
}

/* ---- by inode ----------------------------------------------------------------------------- */

err_t xfs_stat(struct xfs *x, ext2_ino_t ino, struct posix_stat *st)
{
	inode_t in;
	err_t e;

	if ((e = iget(x, ino, &in)))
		return e;
	memset(st, 0, sizeof(*st));
	st->dev = x->dev;
	st->ino = ino;
	st->mode = in.i_mode;
	st->nlink = in.i_links_count;
	st->uid = inode_uid(in);
	st->gid = inode_gid(in);
	if ((in.i_mode & LINUX_S_IFMT) == LINUX_S_IFSOCK)
		st->rdev = in.i_block[0] | (uint64_t)in.i_block[1] << 32;
	else if (LINUX_S_ISCHR(in.i_mode) || LINUX_S_ISBLK(in.i_mode)) {
		uint32_t d = in.i_block[0] ? in.i_block[0] : in.i_block[1];
		st->rdev = in.i_block[0] ? ((d >> 8) & 0xff) << 8 | (d & 0xff) :
			   ((d & 0xfff00) >> 8) << 8 | (d & 0xff) | ((d >> 12) & 0xfff00);
	}
	st->size = EXT2_I_SIZE(&in);
	st->blksize = x->fs->blocksize;
	st->blocks = ext2fs_get_stat_i_blocks(x->fs, (struct ext2_inode *)&in);
	TGET(x, &in, atime, &st->atime_sec, &st->atime_nsec);
	TGET(x, &in, mtime, &st->mtime_sec, &st->mtime_nsec);
	TGET(x, &in, ctime, &st->ctime_sec, &st->ctime_nsec);
	return 0;
}

err_t xfs_mode(struct xfs *x, ext2_ino_t ino, uint32_t *mode)
{
	inode_t in;
	err_t e = iget(x, ino, &in);

	*mode = e ? 0 : in.i_mode;
	return e;
}

err_t xfs_size(struct xfs *x, ext2_ino_t ino, uint64_t *size)
{
	inode_t in;
	err_t e = iget(x, ino, &in);

	*size = e ? 0 : EXT2_I_SIZE(&in);
	return e;
}

err_t xfs_kill_setid(struct xfs *x, ext2_ino_t ino)
{
	inode_t in;
	uint32_t mode;
	err_t e;

	if ((e = iget(x, ino, &in)))
		return e;
	mode = cred_write_mode(in.i_mode);
	if (mode == in.i_mode || x->ro)
		return ERR_OK;
	in.i_mode = (uint16_t)mode;
	touch(x, &in, 4);
	return iput(x, ino, &in);
}

err_t xfs_chmod(struct xfs *x, ext2_ino_t ino, uint32_t mode)
{
	inode_t in;
	err_t e;

	if ((e = iget(x, ino, &in)))
		return e;
	if (x->ro)
		return ERR_ROFS;
	if (x->cred && (e = cred_chmod(x->cred, i_uid(&in), i_gid(&in), &mode)))
		return e;
	in.i_mode = (uint16_t)((in.i_mode & LINUX_S_IFMT) | (mode & 07777));
	touch(x, &in, 4);
	return iput(x, ino, &in);
}

static bool time_ok(int64_t nsec)
{
	return (nsec >= 0 && nsec <= 999999999) || nsec == LINUX_UTIME_NOW || nsec == LINUX_UTIME_OMIT;
}

err_t xfs_utimens(struct xfs *x, ext2_ino_t ino, const int64_t t[4])
{
	int64_t s, n;
	inode_t in;
	err_t e;
	int i;

	if (!time_ok(t[1]) || !time_ok(t[3]))
		return ERR_INVAL;
	if ((e = iget(x, ino, &in)))
		return e;
	if (t[1] == LINUX_UTIME_OMIT && t[3] == LINUX_UTIME_OMIT)
		return 0;
	if (x->ro)
		return ERR_ROFS;
	if (x->cred && (e = cred_utimens(x->cred, in.i_mode, i_uid(&in), i_gid(&in), t)))
		return e;
	now(x, &s, &n);
	if (t[1] == LINUX_UTIME_NOW)
		TSET(x, &in, atime, s, n);
	else if (t[1] != LINUX_UTIME_OMIT)
		TSET(x, &in, atime, t[0], t[1]);
	if (t[3] == LINUX_UTIME_NOW)
		TSET(x, &in, mtime, s, n);
	else if (t[3] != LINUX_UTIME_OMIT)
		TSET(x, &in, mtime, t[2], t[3]);
	TSET(x, &in, ctime, s, n);
	if ((e = iput(x, ino, &in)))
		return e;
	/* the directory times owed (iget applied them) are in the inode now,
	 * overridden: left in the table, the next iget would put them back
	 * over these (tar x's utimensat of a directory after making its
	 * files was lost; posixbench's tar_x check found it) */
	if (x->ndtimes && (i = dtimes_find(x, ino)) >= 0)
		x->dtimes[i] = x->dtimes[--x->ndtimes];
	return 0;
}

err_t xfs_access_as(struct xfs *x, const struct cairn_cred *c, ext2_ino_t ino, unsigned mode)
{
	inode_t in;
	err_t e;

	if (!c)
		return xfs_access(x, ino, mode);
	if ((e = iget(x, ino, &in)))
		return e;
	if ((e = cred_perm(c, in.i_mode, i_uid(&in), i_gid(&in), mode)))
		return e;
	if ((mode & 2) && x->ro)
		return ERR_ROFS;
	return 0;
}

err_t xfs_chown(struct xfs *x, ext2_ino_t ino, uint32_t uid, uint32_t gid)
{
	inode_t in;
	err_t e;

	if ((e = iget(x, ino, &in)))
		return e;
	if (x->ro)
		return ERR_ROFS;
	if (x->cred && (e = cred_chown(x->cred, i_uid(&in), i_gid(&in), uid, gid)))
		return e;
	if (uid == POSIX_UID_KEEP && gid == POSIX_UID_KEEP)
		return 0;
	set_ids(&in, uid != POSIX_UID_KEEP ? uid : i_uid(&in), gid != POSIX_UID_KEEP ? gid : i_gid(&in));
	/* a new owner or group takes a file's set-id bits (Linux) */
	if (!is_dir(&in)) {
		in.i_mode &= (uint16_t)~CRED_S_ISUID;
		if (in.i_mode & 010)
			in.i_mode &= (uint16_t)~CRED_S_ISGID;
	}
	touch(x, &in, 4);
	return iput(x, ino, &in);
}

err_t xfs_access(struct xfs *x, ext2_ino_t ino, unsigned mode)
{
	inode_t in;
	err_t e;

	if ((e = iget(x, ino, &in)))
		return e;
	if ((mode & 1) && !is_dir(&in) && !(in.i_mode & 0111))
		return ERR_ACCES;
	if ((mode & 2) && x->ro)
		return ERR_ROFS;
	return 0;
}

static err_t read_at(struct xfs *x, ext2_ino_t ino, uint64_t off, void *buf, size_t n, size_t *got,
		     bool atime);

err_t xfs_read(struct xfs *x, ext2_ino_t ino, uint64_t off, void *buf, size_t n, size_t *got)
{
	return read_at(x, ino, off, buf, n, got, true);
}

err_t xfs_read_pages(struct xfs *x, ext2_ino_t ino, uint64_t off, void *buf, size_t n, size_t *got)
{
	return read_at(x, ino, off, buf, n, got, false);
}

void xfs_accessed(struct xfs *x, ext2_ino_t ino)
{
	touch_atime(x, ino);
}

static err_t read_at(struct xfs *x, ext2_ino_t ino, uint64_t off, void *buf, size_t n, size_t *got,
		     bool atime)
{
	ext2_file_t f;
	unsigned g = 0;
	inode_t in;
	errcode_t r;
	err_t e;

	*got = 0;
	if ((e = iget(x, ino, &in)))
		return e;
	if (is_dir(&in))
		return ERR_ISDIR;
	if (off >= EXT2_I_SIZE(&in) || !n)
		return 0;
	if ((r = ext2fs_file_open2(x->fs, ino, (struct ext2_inode *)&in, 0, &f)))
		return xfs_err(r);
	if (!(r = ext2fs_file_llseek(f, off, EXT2_SEEK_SET, NULL)))
		r = ext2fs_file_read(f, buf, (unsigned)n, &g);
	ext2fs_file_close(f);
	if (r && !g)
		return xfs_err(r);
	*got = g;
	if (atime)
		touch_atime(x, ino);
	return 0;
}

/* A data block for block lblk of the file (a hole): taken from the
 * bitmap and mapped (BMAP_SET; ext2fs_bmap2 allocates the indirect
 * blocks on the way and writes the inode), without ext2fs_alloc_block3's
 * write of a zeroed block, which the data written next replaces. */
static errcode_t alloc_data(struct xfs *x, ext2_ino_t ino, inode_t *in, blk64_t lblk, blk64_t *pblk)
{
	ext2_filsys fs = x->fs;
	errcode_t r;

	if ((r = ext2fs_new_block3(fs, ext2fs_find_inode_goal(fs, ino, (struct ext2_inode *)in, lblk), NULL,
				   pblk, NULL)))
		return r;
	ext2fs_block_alloc_stats2(fs, *pblk, +1);   /* taken before bmap2 allocates an indirect block */
	if ((r = ext2fs_bmap2(fs, ino, (struct ext2_inode *)in, (char *)x->bmap_buf, BMAP_SET | BMAP_ALLOC, lblk,
				 NULL, pblk))) {
		ext2fs_block_alloc_stats2(fs, *pblk, -1);
		*pblk = 0;
		return r;
	}
	return ext2fs_iblk_add_blocks(fs, (struct ext2_inode *)in, 1);
}

/*
 * The whole blocks at the start of a write (the file pages' write-back
 * is whole pages): each mapped (ext2fs_bmap2; a hole allocated,
 * alloc_data) and written from buf into the cache at once, without
 * ext2fs_file_write's block buffer. Only for files with a block map and
 * no inline data (an extent may be uninitialized: ext2fs_file_write
 * knows those); the rest, and every other file, go through
 * ext2fs_file_write. *done: the bytes written (short when the disk is
 * full), the inode's size grown over them in *in (the caller writes it).
 * An error (ERR_NOSPC, ERR_FBIG, ERR_IO) only when none went.
 */
static err_t write_blocks(struct xfs *x, ext2_ino_t ino, inode_t *in, uint64_t off, const void *buf,
			  size_t n, size_t *done)
{
	ext2_filsys fs = x->fs;
	uint64_t bs = fs->blocksize, end;
	const uint8_t *p = buf;
	errcode_t r = 0;

	*done = 0;
	if (off % bs || n < bs || !is_reg(in) || (in->i_flags & (EXT4_EXTENTS_FL | EXT4_INLINE_DATA_FL)))
		return 0;
	for (; n - *done >= bs; p += bs, *done += bs) {
		blk64_t lblk = (off + *done) / bs, pblk = 0;

		if ((r = ext2fs_bmap2(fs, ino, (struct ext2_inode *)in, (char *)x->bmap_buf, 0, lblk, NULL, &pblk)))
			break;
		if (!pblk && (r = alloc_data(x, ino, in, lblk, &pblk)))
			break;
		if (!pblk || pblk >= ext2fs_blocks_count(fs->super)) {
			r = EXT2_ET_BAD_BLOCK_NUM;
			break;
		}
		if ((r = io_channel_write_blk64(fs->io, pblk, 1, p)))
			break;
	}
	if (!*done)
		return r ? xfs_err(r) : 0;
	end = off + *done;
	if (end > EXT2_I_SIZE(in) && (r = ext2fs_inode_size_set(fs, (struct ext2_inode *)in, end))) {
		*done = 0;
		return xfs_err(r);
	}
	return 0;
}

err_t xfs_write(struct xfs *x, ext2_ino_t ino, uint64_t off, const void *buf, size_t n, size_t *done)
{
	ext2_file_t f;
	unsigned w = 0;
	inode_t in;
	errcode_t r, rc;
	err_t e;

	*done = 0;
	if (off >= XFS_FILE_MAX || n > XFS_FILE_MAX - off)
		return ERR_FBIG;
	if ((e = iget(x, ino, &in)))
		return e;
	if (is_dir(&in))
		return ERR_ISDIR;
	if (x->ro)
		return ERR_ROFS;
	if ((e = write_blocks(x, ino, &in, off, buf, n, done)))
		return e;
	if (*done) {                       /* the inode's new size and times */
		touch(x, &in, 6);
		if ((e = iput(x, ino, &in)) || *done == n)
			return e;
		off += *done;
		buf = (const uint8_t *)buf + *done;
		n -= *done;
	}
	if ((r = ext2fs_file_open2(x->fs, ino, (struct ext2_inode *)&in, EXT2_FILE_WRITE, &f)))
		return *done ? 0 : xfs_err(r);
	if (!(r = ext2fs_file_llseek(f, off, EXT2_SEEK_SET, NULL)))
		r = ext2fs_file_write(f, buf, (unsigned)n, &w);
	/* a short write (the disk is full): the bytes that went in stay, and
	 * the file's size covers them (ext2fs_file_write saw to it) */
	rc = ext2fs_file_close(f);
	*done += w;
	if (!*done)
		return xfs_err(r ? r : rc);
	return w ? touch_ino(x, ino, 6) : 0;
}

struct rd_ctx {
	struct xfs *x;
	uint8_t *out;
	size_t max, n;
	uint64_t cookie, next, blk, bs;
	int last_off;
	bool full;
	err_t err;
};

static uint8_t dtype(int ft)
{
	switch (ft) {
	case EXT2_FT_REG_FILE: return LINUX_DT_REG;
	case EXT2_FT_DIR: return LINUX_DT_DIR;
	case EXT2_FT_SYMLINK: return LINUX_DT_LNK;
	case EXT2_FT_CHRDEV: return LINUX_DT_CHR;
	case EXT2_FT_BLKDEV: return 6;
	case EXT2_FT_FIFO: return LINUX_DT_FIFO;
	case EXT2_FT_SOCK: return 12;
	default: return LINUX_DT_UNKNOWN;
	}
}

/* Positions: the entry's byte offset in the directory (the block's
 * index, counted from the first entry of each block, times its size,
 * plus the offset in it), + 1 so that 0 is the start. */
static int rd_cb(struct ext2_dir_entry *de, int off, int bs, char *buf, void *priv)
{
	struct rd_ctx *c = priv;
	uint64_t pos, next;
	unsigned nl, rl;

	if (off <= c->last_off && c->last_off >= 0)
		c->blk++;
	c->last_off = off;
	c->bs = (uint64_t)bs;
	pos = c->blk * (uint64_t)bs + (uint64_t)off + 1;
	next = pos + (de->rec_len ? de->rec_len : (unsigned)bs);
	if (!de->inode || pos < c->cookie)
		return 0;
	nl = (unsigned)ext2fs_dirent_name_len(de);
	rl = (unsigned)((19 + nl + 1 + 7) & ~7u);
	if (c->n + rl > c->max) {
		c->full = true;
		return DIRENT_ABORT;
	}
	if (!ino_ok(c->x, de->inode)) {
		c->err = ERR_IO;
		return DIRENT_ABORT;
	}
	{
		uint8_t *r = c->out + c->n;
		uint64_t ino = de->inode;
		int64_t d_off = (int64_t)next;
		uint16_t reclen = (uint16_t)rl;

		memset(r, 0, rl);
		memcpy(r, &ino, 8);
		memcpy(r + 8, &d_off, 8);
		memcpy(r + 16, &reclen, 2);
		r[18] = dtype(ext2fs_dirent_file_type(de));
		memcpy(r + 19, de->name, nl);
	}
	c->n += rl;
	c->next = next;
	return 0;
}

err_t xfs_readdir(struct xfs *x, ext2_ino_t dir, uint64_t cookie, void *buf, size_t max, size_t *n,
		  uint64_t *next)
{
	struct rd_ctx c = { x, buf, max, 0, cookie, cookie, 0, 0, -1, false, 0 };
	inode_t in;
	errcode_t r;
	err_t e;

	if ((e = iget(x, dir, &in)))
		return e;
	if (!is_dir(&in))
		return ERR_NOTDIR;
	if (max < 24 + 8)
		return ERR_INVAL;
	*n = 0;
	*next = cookie;
	if (!in.i_links_count)
		return 0;                           /* a removed directory lists nothing */
	r = ext2fs_dir_iterate(x->fs, dir, DIRENT_FLAG_INCLUDE_EMPTY, (char *)x->dir_buf, rd_cb, &c);
	if (c.err)
		return c.err;
	if (r)
		return xfs_err(r);
	if (!c.n && c.full)
		return ERR_INVAL;
	*n = c.n;
	if (c.n)
		*next = c.next;
	else if (!c.full)
		*next = cookie > (uint64_t)EXT2_I_SIZE(&in) + 1 ? cookie : (uint64_t)EXT2_I_SIZE(&in) + 1;
	touch_atime(x, dir);
	return 0;
}

struct name_ctx {
	ext2_ino_t ino;
	char *name;
	size_t len;
	bool found;
};

static int name_cb(struct ext2_dir_entry *de, int off, int bs, char *buf, void *priv)
{
	struct name_ctx *c = priv;
	int n = ext2fs_dirent_name_len(de);

	if (de->inode != c->ino || (n == 1 && de->name[0] == '.') ||
	    (n == 2 && de->name[0] == '.' && de->name[1] == '.'))
		return 0;
	memcpy(c->name, de->name, (size_t)n);
	c->len = (size_t)n;
	c->found = true;
	return DIRENT_ABORT;
}

err_t xfs_getpath(struct xfs *x, ext2_ino_t dir, char *buf, size_t max, size_t *len)
{
	char name[XFS_NAME_MAX + 1];
	ext2_ino_t top = x->mount_root ? x->mount_root : EXT2_ROOT_INO;
	size_t pos = max, pl;
	unsigned depth = 0;
	inode_t in;
	err_t e;

	if ((e = iget(x, dir, &in)))
		return e;
	if (!in.i_links_count)
		return ERR_NOENT;
	while (dir != top) {
		struct name_ctx c = { dir, name, 0, false };
		ext2_ino_t p;

		if (dir == EXT2_ROOT_INO)
			return ERR_NOENT;               /* outside the mount's tree */
		if (++depth > 65536 || (e = parent_of(x, dir, &p)))
			return e ? e : ERR_IO;
		if ((e = xfs_err(ext2fs_dir_iterate(x->fs, p, 0, (char *)x->dir_buf, name_cb, &c))))
			return e;
		if (!c.found)
			return ERR_NOENT;
		if (c.len + 1 > pos)
			return ERR_RANGE;
		pos -= c.len;
		memcpy(buf + pos, name, c.len);
		buf[--pos] = '/';
		dir = p;
	}
	pl = x->mount_root ? x->mount_path_len : 0;
	if (pl == 1 && x->mount_path[0] == '/')
		pl = 0;
	if (pos == max && !pl) {
		if (!max)
			return ERR_RANGE;
		buf[--pos] = '/';
	}
	if (pl > pos)
		return ERR_RANGE;
	pos -= pl;
	memcpy(buf + pos, x->mount_path, pl);
	memmove(buf, buf + pos, max - pos);
	*len = max - pos;
	return 0;
}

void xfs_statfs(struct xfs *x, struct posix_statfs *sf)
{
	struct ext2_super_block *s = x->fs->super;
	uint64_t free = ext2fs_free_blocks_count(s), res = ext2fs_r_blocks_count(s);

	memset(sf, 0, sizeof(*sf));
	sf->type = 0xef53;
	sf->bsize = sf->frsize = x->fs->blocksize;
	sf->blocks = ext2fs_blocks_count(s) - s->s_first_data_block;
	sf->bfree = free;
	sf->bavail = free > res ? free - res : 0;
	sf->files = s->s_inodes_count;
	sf->ffree = s->s_free_inodes_count;
	sf->fsid = (uint64_t)s->s_uuid[0] | (uint64_t)s->s_uuid[1] << 8 | (uint64_t)s->s_uuid[2] << 16 |
		   (uint64_t)s->s_uuid[3] << 24 | (uint64_t)s->s_uuid[4] << 32 | (uint64_t)s->s_uuid[5] << 40;
	sf->namelen = XFS_NAME_MAX;
	sf->flags = x->ro ? 1 : 0;                   /* ST_RDONLY */
}

/* ---- mounts ---------------------------------------------------------------------------------- */

/* An admin request's path: from this server's root, whatever its place
 * in the namespace (leading slashes name that root, not the namespace's). */
static err_t find_dir(struct xfs *x, const char *path, size_t len, ext2_ino_t *ino)
{
	struct xlookup lk;
	inode_t in;
	err_t e;

	while (len && *path == '/') {
		path++;
		len--;
	}
	if (!len) {
		*ino = EXT2_ROOT_INO;
		return 0;
	}
	e = xresolve(x, EXT2_ROOT_INO, path, len, LK_FOLLOW | LK_PARENT, &lk);

	if (e == ERR_REMOTE)
		return ERR_INVAL;                   /* not in this server's tree */
	if (e)
		return e;
	if (!lk.ino)
		return ERR_NOENT;
	if ((e = iget(x, lk.ino, &in)))
		return e;
	if (!is_dir(&in))
		return ERR_NOTDIR;
	*ino = lk.ino;
	return 0;
}

err_t xfs_cover(struct xfs *x, const char *path, size_t len, uint64_t cap)
{
	ext2_ino_t ino;
	err_t e;

	if ((e = find_dir(x, path, len, &ino)))
		return e;
	if (cover_of(x, ino) >= 0)
		return ERR_BUSY;
	if (x->ncovers == POSIX_COVER_MAX)
		return ERR_NOSPC;
	x->covers[x->ncovers].ino = ino;
	x->covers[x->ncovers].cap = cap;
	x->ncovers++;
	return 0;
}

err_t xfs_uncover(struct xfs *x, const char *path, size_t len, uint64_t *cap)
{
	ext2_ino_t ino;
	int i;
	err_t e;

	if ((e = find_dir(x, path, len, &ino)))
		return e;
	if ((i = cover_of(x, ino)) < 0)
		return ERR_INVAL;
	*cap = x->covers[i].cap;
	x->covers[i] = x->covers[--x->ncovers];
	return 0;
}

err_t xfs_mounted(struct xfs *x, const char *path, size_t len, const char *mpath, size_t mlen,
		  uint64_t up, uint64_t *old)
{
	ext2_ino_t ino;
	err_t e;

	if (mlen >= XFS_PATH_MAX)
		return ERR_NAMETOOLONG;
	if (!mlen || mpath[0] != '/' || memchr(mpath, 0, mlen))
		return ERR_INVAL;
	if ((e = find_dir(x, path, len, &ino)))
		return e;
	*old = x->up_cap;
	x->up_cap = up;
	memcpy(x->mount_path, mpath, mlen);
	x->mount_path_len = mlen;
	while (x->mount_path_len > 1 && x->mount_path[x->mount_path_len - 1] == '/')
		x->mount_path_len--;
	/* mounted at "/": the namespace root, nothing above it */
	x->mount_root = x->mount_path_len == 1 ? 0 : ino;
	return 0;
}

/* ---- the file system ---------------------------------------------------------------------------- */

/*
 * libext2fs's write_inode hook, called first by every inode write: it
 * tells the cache which bytes of the inode table block the write that
 * follows changes (ext2fs_write_inode2 writes the whole block from its
 * copy), so that only the inode's bytes are copied (bcache_hint), and
 * leaves the write to libext2fs. Not for file systems whose inode
 * writes may also change other bytes there (none do; checksums are the
 * inode's own) nor images: a bad group or inode number gives no hint.
 */
static errcode_t inode_write_hint(ext2_filsys fs, ext2_ino_t ino, struct ext2_inode *inode)
{
	unsigned isz = EXT2_INODE_SIZE(fs->super), ipg = EXT2_INODES_PER_GROUP(fs->super);
	uint64_t group, off;
	blk64_t itab;

	(void)inode;
	if (fs->priv_data)
		icache_forget(fs->priv_data, ino);
	bcache_hint(0, 0, 0, 0);
	if (!ino || ino > fs->super->s_inodes_count || !ipg || (fs->flags & EXT2_FLAG_IMAGE_FILE))
		return EXT2_ET_CALLBACK_NOTHANDLED;
	group = (ino - 1) / ipg;
	off = (uint64_t)((ino - 1) % ipg) * isz;
	if (group >= fs->group_desc_count || !(itab = ext2fs_inode_table_loc(fs, (dgrp_t)group)))
		return EXT2_ET_CALLBACK_NOTHANDLED;
	itab += off / fs->blocksize;
	bcache_hint((uint64_t)itab * fs->blocksize, fs->blocksize, (uint32_t)(off % fs->blocksize), isz);
	return EXT2_ET_CALLBACK_NOTHANDLED;
}

err_t xfs_mount(struct xfs *x, io_manager io, const char *name, bool ro, uint64_t (*now_ns)(void),
		const char **msg)
{
	int flags = EXT2_FLAG_64BITS | (ro ? 0 : EXT2_FLAG_RW);
	errcode_t r;

	memset(x, 0, sizeof(*x));
	x->ro = ro;
	x->now_ns = now_ns;
	x->dev = 0x800;
	*msg = "";
	if ((r = ext2fs_open(name, flags, 0, 0, io, &x->fs))) {
		*msg = error_message(r);
		x->fs = NULL;
		return r == EXT2_ET_NO_MEMORY ? ERR_NOMEM : r == EROFS ? ERR_ROFS : ERR_IO;
	}
	if (!ro && (ext2fs_has_feature_journal_needs_recovery(x->fs->super) ||
		    (x->fs->super->s_feature_ro_compat & ~EXT2_LIB_FEATURE_RO_COMPAT_SUPP))) {
		*msg = "needs recovery or has unknown features: read-only";
		ext2fs_close_free(&x->fs);
		return ERR_ROFS;
	}
	if ((r = ext2fs_read_bitmaps(x->fs))) {
		*msg = error_message(r);
		ext2fs_close_free(&x->fs);
		return ERR_IO;
	}
	x->fs->umask = 0;
	x->fs->write_inode = inode_write_hint;
	x->fs->priv_data = x;
	/* without them it works, only slower */
	x->dcache = calloc(XFS_DCACHE, sizeof(*x->dcache));
	x->dir_buf = malloc(x->fs->blocksize);
	x->bmap_buf = malloc(2 * (size_t)x->fs->blocksize);
	x->icache = calloc(XFS_ICACHE, sizeof(*x->icache));
	return 0;
}

err_t xfs_sync(struct xfs *x)
{
	err_t e;

	if (x->ro)
		return 0;
	e = dtimes_write_all(x);
	return xfs_err(ext2fs_flush(x->fs)) ?: e;
}

err_t xfs_fsync(struct xfs *x)
{
	err_t e;

	if (x->ro)
		return 0;
	/* group descriptors with checksums say which inodes and blocks a
	 * group uses (uninit_bg, metadata_csum: itable_unused, the UNINIT
	 * flags): e2fsck would not look past them for an inode fsynced
	 * here, so those file systems take the whole flush */
	if (ext2fs_has_group_desc_csum(x->fs))
		return xfs_sync(x);
	e = dtimes_write_all(x);
	return xfs_err(io_channel_flush(x->fs->io)) ?: e;
}

err_t xfs_unmount(struct xfs *x)
{
	errcode_t r;

	if (!x->fs)
		return 0;
	if (!x->ro)
		dtimes_write_all(x);
	r = ext2fs_close_free(&x->fs);
	free(x->dcache);
	free(x->dir_buf);
	free(x->bmap_buf);
	free(x->icache);
	x->icache = NULL;
	x->dcache = NULL;
	x->dir_buf = NULL;
	x->bmap_buf = NULL;
	return xfs_err(r);
}
