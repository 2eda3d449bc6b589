/* SPDX-License-Identifier: MIT */
/*
 * tmpfs: the in-memory file tree of the VFS server (see tmpfs.h). Plain C
 * with no system calls, built into the server and into a host unit test.
 *
 * Invariants the code keeps:
 * - Bytes past a file's size read as zero, wherever they are: a page is
 *   zeroed when allocated, a shrinking truncate zeroes the tail of the
 *   last page it keeps, and the backing is never read past backing_len
 *   (<= size).
 * - A directory's entries are in increasing seq order (new entries get
 *   next_seq), so a readdir cookie (a seq) survives entries being added
 *   and removed around it.
 * - A directory has nlink 2 + its subdirectories while linked, 0 once
 *   removed (then parent is NULL and nothing can be created in it).
 * - Every change is checked completely before anything is modified, and
 *   the one allocation a change may need comes before the modification,
 *   so an ENOMEM leaves the tree as it was.
 */
#include <string.h>
#include <lib/cpio.h>
#include "tmpfs.h"

#define RADIX_BITS   9u
#define RADIX_SLOTS  (1u << RADIX_BITS)
#define DIRENT_HDR   19u            /* d_ino, d_off, d_reclen, d_type */

/* ---- nodes ------------------------------------------------------------------- */

static struct tmpfs_time stamp(struct tmpfs *fs)
{
	uint64_t ns = fs->now ? fs->now() : 0;

	return (struct tmpfs_time){ (int64_t)(ns / 1000000000u), (int64_t)(ns % 1000000000u) };
}

static struct tmpfs_node *node_new(struct tmpfs *fs, uint32_t mode)
{
	struct tmpfs_node *n = tmpfs_alloc(sizeof(*n));

	if (!n)
		return NULL;
	n->ino = fs->next_ino++;
	n->mode = mode;
	n->atime = n->mtime = n->ctime = stamp(fs);
	if ((mode & TMPFS_S_IFMT) == TMPFS_S_IFDIR)
		n->u.dir.next_seq = 2;
	fs->nodes++;
	return n;
}

/* A symbolic link node to target (tlen bytes, kept NUL-ended), or NULL
 * when out of memory. */
static struct tmpfs_node *link_new(struct tmpfs *fs, uint32_t mode, const char *target, size_t tlen)
{
	struct tmpfs_node *n = node_new(fs, mode);

	if (!n)
		return NULL;
	if (!(n->u.link.target = tmpfs_alloc(tlen + 1))) {
		tmpfs_free(n, sizeof(*n));
		fs->nodes--;
		return NULL;
	}
	memcpy(n->u.link.target, target, tlen);
	n->size = tlen;
	return n;
}

static void data_free(struct tmpfs_node *f);

/* ---- users (docs/users.md) ------------------------------------------------------ */

/* want (CRED_R, CRED_W, CRED_X) on n as the request's user */
static err_t perm(const struct tmpfs *fs, const struct tmpfs_node *n, unsigned want)
{
	return fs->cred ? cred_perm(fs->cred, n->mode, n->uid, n->gid, want) : ERR_OK;
}

/* A new node's owner and group: the user's, or a set-gid directory's group */
static void owner_new(const struct tmpfs *fs, const struct tmpfs_node *dir, struct tmpfs_node *n)
{
	cred_new_owner(fs->cred, dir->mode, dir->gid, &n->mode, &n->uid, &n->gid);
}

/* Removing the entry of n from dir (unlink, rmdir, rename's either side) */
static err_t may_delete(const struct tmpfs *fs, const struct tmpfs_node *dir, const struct tmpfs_node *n)
{
	return fs->cred ? cred_may_delete(fs->cred, dir->mode, dir->uid, dir->gid, n->uid) : ERR_OK;
}

static void node_free(struct tmpfs *fs, struct tmpfs_node *n)
{
	if (tmpfs_is_reg(n)) {
		if (n->u.file.ext)
			fs->ext->release(fs, n);
		data_free(n);
	} else if (tmpfs_is_dir(n)) {
		for (uint32_t i = 0; i < n->u.dir.n; i++)
			tmpfs_free(n->u.dir.ents[i].name, n->u.dir.ents[i].len + 1u);
		if (n->u.dir.ents)
			tmpfs_free(n->u.dir.ents, n->u.dir.cap * sizeof(struct tmpfs_dentry));
	} else if (tmpfs_is_lnk(n)) {
		tmpfs_free(n->u.link.target, n->size + 1);
	}
	tmpfs_free(n, sizeof(*n));
	fs->nodes--;
}

static void node_release(struct tmpfs *fs, struct tmpfs_node *n)
{
	if (n && !n->nlink && !n->refs)
		node_free(fs, n);
}

void tmpfs_node_get(struct tmpfs_node *n)
{
	n->refs++;
}

void tmpfs_node_put(struct tmpfs *fs, struct tmpfs_node *n)
{
	if (n->refs)
		n->refs--;
	node_release(fs, n);
}

static bool dir_alive(const struct tmpfs_node *d)
{
	return d->nlink > 0;
}

/* Nothing may change it (/proc): tmpfs.h, "Read-only and synthetic nodes". */
static bool rdonly(const struct tmpfs_node *n)
{
	return n->flags & TMPFS_F_RDONLY;
}

/* ---- directories ------------------------------------------------------------- */

static struct tmpfs_dentry *dir_find(struct tmpfs_node *d, const char *name, size_t len)
{
	for (uint32_t i = 0; i < d->u.dir.n; i++) {
		struct tmpfs_dentry *e = &d->u.dir.ents[i];
		if (e->len == len && !memcmp(e->name, name, len))
			return e;
	}
	return NULL;
}

static struct tmpfs_dentry *dir_find_node(struct tmpfs_node *d, const struct tmpfs_node *n)
{
	for (uint32_t i = 0; i < d->u.dir.n; i++)
		if (d->u.dir.ents[i].node == n)
			return &d->u.dir.ents[i];
	return NULL;
}

/* Adds an entry (the name must not be there yet); ENOMEM leaves d as it was. */
static err_t dir_add(struct tmpfs *fs, struct tmpfs_node *d, const char *name, size_t len,
		     struct tmpfs_node *n)
{
	char *copy = tmpfs_alloc(len + 1);

	if (!copy)
		return ERR_NOMEM;
	if (d->u.dir.n == d->u.dir.cap) {
		uint32_t cap = d->u.dir.cap ? d->u.dir.cap * 2 : 8;
		struct tmpfs_dentry *ents = cap > d->u.dir.cap ? tmpfs_alloc(cap * sizeof(*ents)) : NULL;

		if (!ents) {
			tmpfs_free(copy, len + 1);
			return ERR_NOMEM;
		}
		if (d->u.dir.n)
			memcpy(ents, d->u.dir.ents, d->u.dir.n * sizeof(*ents));
		if (d->u.dir.ents)
			tmpfs_free(d->u.dir.ents, d->u.dir.cap * sizeof(*ents));
		d->u.dir.ents = ents;
		d->u.dir.cap = cap;
	}
	memcpy(copy, name, len);
	copy[len] = 0;
	d->u.dir.ents[d->u.dir.n++] = (struct tmpfs_dentry){
		.seq = d->u.dir.next_seq++, .node = n, .name = copy, .len = (uint32_t)len,
	};
	d->mtime = d->ctime = stamp(fs);
	return ERR_OK;
}

static void dir_remove(struct tmpfs *fs, struct tmpfs_node *d, struct tmpfs_dentry *e)
{
	uint32_t i = (uint32_t)(e - d->u.dir.ents);

	tmpfs_free(e->name, e->len + 1u);
	memmove(e, e + 1, (d->u.dir.n - i - 1) * sizeof(*e));
	d->u.dir.n--;
	d->mtime = d->ctime = stamp(fs);
}

/* Is a an ancestor of (or the same as) d? */
static bool dir_within(struct tmpfs *fs, const struct tmpfs_node *d, const struct tmpfs_node *a)
{
	while (d) {
		if (d == a)
			return true;
		if (d == fs->root || (d->flags & TMPFS_F_MROOT))
			return false;
		d = d->u.dir.parent;
	}
	return false;
}

/* The root of the mount directory d is in: fs->root or a TMPFS_F_MROOT. */
static const struct tmpfs_node *mount_top(struct tmpfs *fs, const struct tmpfs_node *d)
{
	while (d && d != fs->root && !(d->flags & TMPFS_F_MROOT))
		d = d->u.dir.parent;
	return d;
}

/* ---- file data: a radix tree of pages ------------------------------------------ */

/* Pages a tree of this depth covers. */
static uint64_t depth_pages(unsigned depth)
{
	return 1ull << (RADIX_BITS * depth);
}

static void *page_find(const struct tmpfs_node *f, uint64_t idx)
{
	void *p = f->u.file.root;

	if (idx >= depth_pages(f->u.file.depth))
		return NULL;
	for (unsigned lvl = f->u.file.depth; lvl > 0 && p; lvl--)
		p = ((void **)p)[(idx >> (RADIX_BITS * (lvl - 1))) & (RADIX_SLOTS - 1)];
	return p;
}

/* The page of index idx, made (from the backing, or zero) if absent; NULL
 * when out of memory. idx < TMPFS_FILE_MAX / TMPFS_PAGE. The caller
 * writes bytes [from, from + len) of the page now: a new page past the
 * backing has only the rest zeroed. */
static uint8_t *page_get(struct tmpfs_node *f, uint64_t idx, size_t from, size_t len)
{
	void **slot;

	while (idx >= depth_pages(f->u.file.depth)) {
		void **node;

		if (!f->u.file.root) {          /* nothing to keep: just deeper */
			f->u.file.depth++;
			continue;
		}
		if (!(node = tmpfs_page_alloc()))
			return NULL;
		node[0] = f->u.file.root;
		f->u.file.root = node;
		f->u.file.depth++;
	}
	slot = &f->u.file.root;
	for (unsigned lvl = f->u.file.depth; lvl > 0; lvl--) {
		if (!*slot && !(*slot = tmpfs_page_alloc()))
			return NULL;
		slot = &((void **)*slot)[(idx >> (RADIX_BITS * (lvl - 1))) & (RADIX_SLOTS - 1)];
	}
	if (!*slot) {
		uint64_t start = idx * TMPFS_PAGE;
		uint8_t *page = start >= f->u.file.backing_len ? tmpfs_page_alloc_raw() : tmpfs_page_alloc();

		if (!page)
			return NULL;
		if (start < f->u.file.backing_len) {
			uint64_t k = f->u.file.backing_len - start;
			memcpy(page, f->u.file.backing + start, k < TMPFS_PAGE ? k : TMPFS_PAGE);
		} else {
			memset(page, 0, from);
			memset(page + from + len, 0, TMPFS_PAGE - from - len);
		}
		*slot = page;
		f->u.file.pages++;
	}
	return *slot;
}

/* Frees every page of index >= from under *slot (a subtree of level lvl
 * whose first page is base), and the radix nodes left empty. */
static void trunc_tree(void **slot, unsigned lvl, uint64_t base, uint64_t from, uint64_t *pages)
{
	uint64_t span = depth_pages(lvl), child = span >> RADIX_BITS;
	bool empty = true;

	if (!*slot || base + span <= from)
		return;
	if (lvl == 0) {
		tmpfs_page_free(*slot);
		*slot = NULL;
		(*pages)--;
		return;
	}
	for (unsigned i = 0; i < RADIX_SLOTS; i++) {
		void **cs = &((void **)*slot)[i];

		trunc_tree(cs, lvl - 1, base + i * child, from, pages);
		if (*cs)
			empty = false;
	}
	if (empty) {
		tmpfs_page_free(*slot);
		*slot = NULL;
	}
}

static void export_tree(void **slot, unsigned lvl, uint64_t base,
			void (*fn)(void *arg, uint64_t idx, const void *page), void *arg)
{
	if (!*slot)
		return;
	if (lvl == 0) {
		if (fn)
			fn(arg, base, *slot);
		return;
	}
	for (unsigned i = 0; i < RADIX_SLOTS; i++)
		export_tree(&((void **)*slot)[i], lvl - 1, base + i * depth_pages(lvl - 1), fn, arg);
}

void tmpfs_export_pages(struct tmpfs_node *f, void (*fn)(void *arg, uint64_t idx, const void *page),
			void *arg)
{
	export_tree(&f->u.file.root, f->u.file.depth, 0, fn, arg);
	trunc_tree(&f->u.file.root, f->u.file.depth, 0, 0, &f->u.file.pages);
	f->u.file.root = NULL;
	f->u.file.depth = 0;
}

err_t tmpfs_import_page(struct tmpfs_node *f, uint64_t idx, const void *data)
{
	uint8_t *p = page_get(f, idx, 0, TMPFS_PAGE);

	if (!p)
		return ERR_NOMEM;
	memcpy(p, data, TMPFS_PAGE);
	return ERR_OK;
}

static void data_free(struct tmpfs_node *f)
{
	trunc_tree(&f->u.file.root, f->u.file.depth, 0, 0, &f->u.file.pages);
	f->u.file.root = NULL;
	f->u.file.depth = 0;
	f->u.file.backing = NULL;
	f->u.file.backing_len = 0;
}

err_t tmpfs_read(struct tmpfs *fs, struct tmpfs_node *f, uint64_t off, void *buf, size_t n,
		 size_t *got)
{
	uint8_t *out = buf;
	size_t left;

	*got = 0;
	if (tmpfs_is_dir(f))
		return ERR_ISDIR;
	if (!tmpfs_is_reg(f))
		return ERR_INVAL;
	if (off >= f->size || !n)
		return ERR_OK;
	if (n > f->size - off)
		n = (size_t)(f->size - off);
	if (f->u.file.ext) {
		fs->ext->read(fs, f, off, buf, n);
		*got = n;
		return ERR_OK;
	}
	for (left = n; left; ) {
		uint64_t po = off % TMPFS_PAGE;
		size_t k = TMPFS_PAGE - po < left ? (size_t)(TMPFS_PAGE - po) : left;
		const uint8_t *p = page_find(f, off / TMPFS_PAGE);

		if (p) {
			memcpy(out, p + po, k);
		} else if (off < f->u.file.backing_len) {
			uint64_t b = f->u.file.backing_len - off;
			size_t from = b < k ? (size_t)b : k;

			memcpy(out, f->u.file.backing + off, from);
			memset(out + from, 0, k - from);
		} else {
			memset(out, 0, k);
		}
		out += k;
		off += k;
		left -= k;
	}
	*got = n;
	return ERR_OK;
}

err_t tmpfs_write(struct tmpfs *fs, struct tmpfs_node *f, uint64_t off, const void *buf,
		  size_t n, size_t *done)
{
	const uint8_t *in = buf;
	size_t d = 0;

	*done = 0;
	if (tmpfs_is_dir(f))
		return ERR_ISDIR;
	if (!tmpfs_is_reg(f))
		return ERR_INVAL;
	if (rdonly(f))
		return ERR_ROFS;
	if (!n)
		return ERR_OK;
	if (off >= TMPFS_FILE_MAX)
		return ERR_FBIG;
	if (n > TMPFS_FILE_MAX - off)
		n = (size_t)(TMPFS_FILE_MAX - off);
	if (f->u.file.ext) {
		err_t e = ERR_OK;

		if (!(d = fs->ext->write(fs, f, off, in, n, &e)))
			return e ? e : ERR_NOSPC;
		if (off + d > f->size)
			f->size = off + d;
		n = 0;
	}
	while (d < n) {
		uint64_t po = off % TMPFS_PAGE;
		size_t k = TMPFS_PAGE - po < n - d ? (size_t)(TMPFS_PAGE - po) : n - d;
		uint8_t *p = page_get(f, off / TMPFS_PAGE, (size_t)po, k);

		if (!p)
			break;
		memcpy(p + po, in + d, k);
		d += k;
		off += k;
		if (off > f->size)
			f->size = off;
	}
	if (!d)
		return ERR_NOSPC;
	f->version++;
	f->mtime = f->ctime = stamp(fs);
	*done = d;
	return ERR_OK;
}

err_t tmpfs_truncate(struct tmpfs *fs, struct tmpfs_node *f, uint64_t len)
{
	if (tmpfs_is_dir(f))
		return ERR_ISDIR;
	if (!tmpfs_is_reg(f))
		return ERR_INVAL;
	if (rdonly(f))
		return ERR_ROFS;
	if (len > TMPFS_FILE_MAX)
		return ERR_FBIG;
	if (f->u.file.ext) {
		err_t e = fs->ext->truncate(fs, f, len);

		if (e)
			return e;
		if (f->u.file.backing_len > len)
			f->u.file.backing_len = len;
	} else if (len < f->size) {
		uint64_t keep = (len + TMPFS_PAGE - 1) / TMPFS_PAGE;

		trunc_tree(&f->u.file.root, f->u.file.depth, 0, keep, &f->u.file.pages);
		if (!f->u.file.root)
			f->u.file.depth = 0;
		if (len % TMPFS_PAGE) {
			uint8_t *p = page_find(f, len / TMPFS_PAGE);
			if (p)
				memset(p + len % TMPFS_PAGE, 0, TMPFS_PAGE - len % TMPFS_PAGE);
		}
		if (f->u.file.backing_len > len)
			f->u.file.backing_len = len;
		if (!f->u.file.backing_len)
			f->u.file.backing = NULL;
	}
	f->size = len;
	f->version++;
	f->mtime = f->ctime = stamp(fs);
	return ERR_OK;
}

/* ---- path resolution ---------------------------------------------------------- */

/* The path leaves the tree (tmpfs.h, fs->remote_*). */
static err_t remote(struct tmpfs *fs, int kind, struct tmpfs_node *n, const char *rest, size_t len)
{
	while (kind == TMPFS_REMOTE_DOWN && len && *rest == '/') {
		rest++;
		len--;
	}
	if (kind == TMPFS_REMOTE_DOWN && !len) {
		rest = ".";
		len = 1;
	}
	fs->remote_kind = kind;
	fs->remote = n;
	fs->remote_rest = rest;
	fs->remote_len = len;
	return ERR_REMOTE;
}

/* A mount point as the last component: what it names is the mounted root. */
static err_t remote_last(struct tmpfs *fs, struct tmpfs_node *n)
{
	return n && (n->flags & TMPFS_F_COVERED) ? remote(fs, TMPFS_REMOTE_DOWN, n, "", 0) : ERR_OK;
}

err_t tmpfs_resolve(struct tmpfs *fs, struct tmpfs_node *start, const char *path, size_t len,
		    unsigned flags, struct tmpfs_lookup *lk)
{
	char *buf = fs->scratch[0], *other = fs->scratch[1];
	struct tmpfs_node *cur = start;
	size_t rlen = len, pos = 0;
	unsigned links = 0;

	if (!len)
		return ERR_NOENT;
	if (len >= TMPFS_PATH_MAX)
		return ERR_NAMETOOLONG;
	if (memchr(path, 0, len))
		return ERR_INVAL;
	memcpy(buf, path, len);
	if (buf[0] == '/') {
		if (fs->not_root)
			return remote(fs, TMPFS_REMOTE_ROOT, NULL, buf, len);
		cur = fs->root;
	}
	for (;;) {
		struct tmpfs_node *next = NULL;
		int type = TMPFS_LAST_NORM;
		size_t s, clen, q;
		const char *c;
		bool last, slash;

		while (pos < rlen && buf[pos] == '/')
			pos++;
		if (!tmpfs_is_dir(cur))
			return ERR_NOTDIR;
		if (pos == rlen) {              /* nothing but slashes: the root */
			lk->parent = lk->node = cur;
			lk->last = TMPFS_LAST_ROOT;
			lk->slash = true;
			lk->name_len = 0;
			lk->name[0] = 0;
			return ERR_OK;
		}
		for (s = pos; pos < rlen && buf[pos] != '/'; pos++)
			;
		clen = pos - s;
		if (clen > TMPFS_NAME_MAX)
			return ERR_NAMETOOLONG;
		for (q = pos; q < rlen && buf[q] == '/'; q++)
			;
		last = q == rlen;
		slash = last && pos < rlen;
		c = buf + s;
		if (fs->cred) {                 /* search permission on each directory */
			err_t pe = perm(fs, cur, CRED_X);
			if (pe)
				return pe;
		}
		if (clen == 1 && c[0] == '.') {
			type = TMPFS_LAST_DOT;
			next = cur;
		} else if (clen == 2 && c[0] == '.' && c[1] == '.') {
			type = TMPFS_LAST_DOTDOT;
			if (cur->flags & TMPFS_F_MROOT)
				return remote(fs, TMPFS_REMOTE_UP, cur, c, rlen - s);
			next = cur == fs->root ? cur : cur->u.dir.parent;
			if (!next)
				return ERR_NOENT;
		} else if (dir_alive(cur)) {
			struct tmpfs_dentry *e;

			if ((cur->flags & TMPFS_F_SYNTH) && fs->synth_lookup) {
				err_t se = fs->synth_lookup(fs, cur, c, clen);
				if (se)
					return se;
			}
			e = dir_find(cur, c, clen);
			next = e ? e->node : NULL;
		}
		if (next && type == TMPFS_LAST_NORM && tmpfs_is_lnk(next) &&
		    (!last || (flags & TMPFS_LK_FOLLOW) || (slash && !(flags & TMPFS_LK_NOFOLLOW)))) {
			/* the rest of the path goes after the link's target */
			size_t tlen = (size_t)next->size, rest = rlen - pos;
			char *t;

			if (++links > TMPFS_MAXSYMLINKS)
				return ERR_LOOP;
			if (!tlen)
				return ERR_NOENT;
			if (tlen + rest >= TMPFS_PATH_MAX)
				return ERR_NAMETOOLONG;
			memcpy(other, next->u.link.target, tlen);
			memcpy(other + tlen, buf + pos, rest);
			t = buf;
			buf = other;
			other = t;
			rlen = tlen + rest;
			pos = 0;
			if (buf[0] == '/') {
				if (fs->not_root)
					return remote(fs, TMPFS_REMOTE_ROOT, NULL, buf, rlen);
				cur = fs->root;
			}
			continue;
		}
		if (!last) {
			if (!next)
				return ERR_NOENT;
			if (!tmpfs_is_dir(next))
				return ERR_NOTDIR;
			if (next->flags & TMPFS_F_COVERED)
				return remote(fs, TMPFS_REMOTE_DOWN, next, buf + q, rlen - q);
			cur = next;
			continue;
		}
		lk->parent = cur;
		lk->node = next;
		lk->last = type;
		lk->slash = slash;
		lk->name_len = (uint32_t)clen;
		memcpy(lk->name, c, clen);
		lk->name[clen] = 0;
		return ERR_OK;
	}
}

/* A path ending with '/' must name a directory. */
static err_t check_slash(const struct tmpfs_lookup *lk)
{
	return lk->slash && lk->node && !tmpfs_is_dir(lk->node) ? ERR_NOTDIR : ERR_OK;
}

/* Resolves the place a new name goes: ERR_EXIST if something is there
 * (a symbolic link is not followed), ENOENT if the directory was removed. */
static err_t resolve_new(struct tmpfs *fs, struct tmpfs_node *start, const char *path, size_t len,
			 struct tmpfs_lookup *lk)
{
	err_t e = tmpfs_resolve(fs, start, path, len, TMPFS_LK_NOFOLLOW, lk);

	if (e)
		return e;
	if (lk->node)
		return ERR_EXIST;
	if (!dir_alive(lk->parent))
		return ERR_NOENT;
	if (lk->parent->flags & TMPFS_F_RDONLY)
		return ERR_ROFS;
	return perm(fs, lk->parent, CRED_W | CRED_X);
}

/* ---- operations by path ------------------------------------------------------ */

err_t tmpfs_open(struct tmpfs *fs, struct tmpfs_node *start, const char *path, size_t len,
		 uint32_t oflags, uint32_t mode, struct tmpfs_node **out)
{
	bool excl = (oflags & (LINUX_O_CREAT | LINUX_O_EXCL)) == (LINUX_O_CREAT | LINUX_O_EXCL);
	bool opath = oflags & LINUX_O_PATH;
	struct tmpfs_lookup lk;
	struct tmpfs_node *n;
	unsigned acc = oflags & LINUX_O_ACCMODE;
	bool exec = oflags & TMPFS_O_EXEC;
	err_t e;

	oflags &= ~TMPFS_O_EXEC;
	if (acc == 3 && !opath)
		return ERR_INVAL;
	if ((oflags & LINUX_O_TMPFILE) == LINUX_O_TMPFILE)
		return ERR_OPNOTSUPP;
	e = tmpfs_resolve(fs, start, path, len, (oflags & LINUX_O_NOFOLLOW) || excl ? 0 : TMPFS_LK_FOLLOW, &lk);
	if (e)
		return e;
	n = lk.node;
	if (n) {
		if (excl && !opath)
			return ERR_EXIST;
		if ((e = remote_last(fs, n)) || (e = check_slash(&lk)))
			return e;
		if (tmpfs_is_lnk(n) && !opath)
			return ERR_LOOP;
		if ((oflags & LINUX_O_DIRECTORY) && !tmpfs_is_dir(n))
			return ERR_NOTDIR;
		if (!opath && tmpfs_is_dir(n) &&
		    (acc != LINUX_O_RDONLY || (oflags & (LINUX_O_CREAT | LINUX_O_TRUNC))))
			return ERR_ISDIR;
		if (!opath && (n->mode & TMPFS_S_IFMT) == TMPFS_S_IFSOCK)
			return ERR_NXIO;                 /* a socket is connected to, not opened */
		if (!opath && rdonly(n) && (acc != LINUX_O_RDONLY || (oflags & LINUX_O_TRUNC)))
			return ERR_ACCES;
		if (!opath) {
			unsigned want = exec ? CRED_X : acc == LINUX_O_RDONLY ? CRED_R :
					acc == LINUX_O_WRONLY ? CRED_W : CRED_R | CRED_W;
			if (oflags & LINUX_O_TRUNC)
				want |= CRED_W;
			if ((e = perm(fs, n, want)))
				return e;
		}
		if (!opath && tmpfs_is_reg(n) && (oflags & LINUX_O_TRUNC) && (e = tmpfs_truncate(fs, n, 0)))
			return e;
	} else {
		if (!(oflags & LINUX_O_CREAT) || opath)
			return ERR_NOENT;
		if (lk.slash)
			return ERR_ISDIR;
		if (oflags & LINUX_O_DIRECTORY)
			return ERR_INVAL;
		if (!dir_alive(lk.parent))
			return ERR_NOENT;
		if (rdonly(lk.parent))
			return ERR_ACCES;
		if ((e = perm(fs, lk.parent, CRED_W | CRED_X)))
			return e;
		if (!(n = node_new(fs, TMPFS_S_IFREG | (mode & TMPFS_MODE_MASK))))
			return ERR_NOSPC;
		owner_new(fs, lk.parent, n);
		if ((e = dir_add(fs, lk.parent, lk.name, lk.name_len, n))) {
			node_free(fs, n);
			return ERR_NOSPC;
		}
		n->nlink = 1;
	}
	tmpfs_node_get(n);
	*out = n;
	return ERR_OK;
}

err_t tmpfs_mkdir(struct tmpfs *fs, struct tmpfs_node *start, const char *path, size_t len,
		  uint32_t mode)
{
	struct tmpfs_lookup lk;
	struct tmpfs_node *d;
	err_t e;

	if ((e = resolve_new(fs, start, path, len, &lk)))
		return e;
	if (lk.parent->nlink >= TMPFS_LINK_MAX)
		return ERR_MLINK;
	if (!(d = node_new(fs, TMPFS_S_IFDIR | (mode & 01777u))))
		return ERR_NOSPC;
	owner_new(fs, lk.parent, d);
	if ((e = dir_add(fs, lk.parent, lk.name, lk.name_len, d))) {
		node_free(fs, d);
		return ERR_NOSPC;
	}
	d->nlink = 2;
	d->u.dir.parent = lk.parent;
	lk.parent->nlink++;
	return ERR_OK;
}

/* Entry de of dir goes: its node has a link less (a directory none, and
 * dir one less for its ".."), and goes too once nothing holds it. */
static void entry_unlink(struct tmpfs *fs, struct tmpfs_node *dir, struct tmpfs_dentry *de)
{
	struct tmpfs_node *n = de->node;

	dir_remove(fs, dir, de);
	if (tmpfs_is_dir(n)) {
		dir->nlink--;
		n->nlink = 0;
		n->u.dir.parent = NULL;
	} else {
		n->nlink--;
	}
	n->ctime = stamp(fs);
	node_release(fs, n);
}

err_t tmpfs_unlink(struct tmpfs *fs, struct tmpfs_node *start, const char *path, size_t len,
		   unsigned flags)
{
	struct tmpfs_lookup lk;
	struct tmpfs_node *n;
	err_t e;

	if (flags & ~(unsigned)LINUX_AT_REMOVEDIR)
		return ERR_INVAL;
	if ((e = tmpfs_resolve(fs, start, path, len, TMPFS_LK_NOFOLLOW, &lk)))
		return e;
	n = lk.node;
	if (flags & LINUX_AT_REMOVEDIR) {
		if (lk.last == TMPFS_LAST_DOT)
			return ERR_INVAL;
		if (lk.last == TMPFS_LAST_DOTDOT)
			return ERR_NOTEMPTY;
		if (lk.last == TMPFS_LAST_ROOT)
			return ERR_BUSY;
		if (!n)
			return ERR_NOENT;
		if (rdonly(lk.parent))
			return ERR_ROFS;
		if (rdonly(n) || (n->flags & (TMPFS_F_COVERED | TMPFS_F_MROOT)))
			return ERR_BUSY;               /* /proc itself: as a mount point */
		if (!tmpfs_is_dir(n))
			return ERR_NOTDIR;
		if (n->u.dir.n)
			return ERR_NOTEMPTY;
	} else {
		if (lk.last != TMPFS_LAST_NORM)
			return ERR_ISDIR;
		if (!n)
			return ERR_NOENT;
		if ((e = check_slash(&lk)))
			return e;
		if (tmpfs_is_dir(n))
			return ERR_ISDIR;
	}
	if (rdonly(lk.parent))
		return ERR_ROFS;
	if ((e = may_delete(fs, lk.parent, n)))
		return e;
	entry_unlink(fs, lk.parent, dir_find(lk.parent, lk.name, lk.name_len));
	return ERR_OK;
}

/* A directory moves from parent `from` to `to`: fix its ".." and the link counts. */
static void dir_moved(struct tmpfs_node *d, struct tmpfs_node *from, struct tmpfs_node *to)
{
	if (!tmpfs_is_dir(d) || from == to)
		return;
	from->nlink--;
	to->nlink++;
	d->u.dir.parent = to;
}

static err_t rename_exchange(struct tmpfs *fs, struct tmpfs_lookup *a, struct tmpfs_lookup *b)
{
	struct tmpfs_node *x = a->node, *y = b->node;
	struct tmpfs_dentry *ea, *eb;
	struct tmpfs_time now = stamp(fs);

	if (!x || !y)
		return ERR_NOENT;
	if (x == y)
		return ERR_OK;
	if ((tmpfs_is_dir(x) && dir_within(fs, b->parent, x)) ||
	    (tmpfs_is_dir(y) && dir_within(fs, a->parent, y)))
		return ERR_INVAL;
	ea = dir_find(a->parent, a->name, a->name_len);
	eb = dir_find(b->parent, b->name, b->name_len);
	ea->node = y;
	eb->node = x;
	dir_moved(x, a->parent, b->parent);
	dir_moved(y, b->parent, a->parent);
	x->ctime = y->ctime = now;
	a->parent->mtime = a->parent->ctime = b->parent->mtime = b->parent->ctime = now;
	return ERR_OK;
}

err_t tmpfs_rename(struct tmpfs *fs, struct tmpfs_node *start1, const char *p1, size_t l1,
		   struct tmpfs_node *start2, const char *p2, size_t l2, unsigned flags)
{
	struct tmpfs_lookup a, b;
	struct tmpfs_node *old, *tgt;
	struct tmpfs_dentry *ea, *eb;
	err_t e;

	if ((flags & ~(LINUX_RENAME_NOREPLACE | LINUX_RENAME_EXCHANGE)) ||
	    (flags == (LINUX_RENAME_NOREPLACE | LINUX_RENAME_EXCHANGE)))
		return ERR_INVAL;
	if ((e = tmpfs_resolve(fs, start1, p1, l1, TMPFS_LK_NOFOLLOW, &a)) ||
	    (e = tmpfs_resolve(fs, start2, p2, l2, TMPFS_LK_NOFOLLOW, &b)))
		return e == ERR_REMOTE ? remote(fs, TMPFS_REMOTE_SPLIT, NULL, "", 0) : e;
	if (a.last != TMPFS_LAST_NORM || b.last != TMPFS_LAST_NORM)
		return ERR_BUSY;
	if ((a.node && (a.node->flags & (TMPFS_F_COVERED | TMPFS_F_MROOT))) ||
	    (b.node && (b.node->flags & (TMPFS_F_COVERED | TMPFS_F_MROOT))))
		return ERR_BUSY;                       /* a mount point or a mount's root */
	if (!(old = a.node))
		return ERR_NOENT;
	if (rdonly(a.parent) || rdonly(b.parent))
		return rdonly(a.parent) && rdonly(b.parent) ? ERR_ROFS : ERR_XDEV;
	if (mount_top(fs, a.parent) != mount_top(fs, b.parent))
		return ERR_XDEV;                       /* two mounts */
	tgt = b.node;
	if (rdonly(old) || (tgt && rdonly(tgt)))
		return ERR_BUSY;                       /* /proc itself: as a mount point */
	if ((e = check_slash(&a)) || (e = check_slash(&b)))
		return e;
	if (!tmpfs_is_dir(old) && (a.slash || b.slash))
		return ERR_NOTDIR;
	if (!dir_alive(b.parent))
		return ERR_NOENT;
	if (fs->cred) {                        /* users (docs/users.md) */
		if ((e = may_delete(fs, a.parent, old)) ||
		    (e = tgt ? may_delete(fs, b.parent, tgt) : perm(fs, b.parent, CRED_W | CRED_X)))
			return e;
		/* a directory moving elsewhere has its ".." changed */
		if (a.parent != b.parent && tmpfs_is_dir(old) && (e = perm(fs, old, CRED_W)))
			return e;
		if (a.parent != b.parent && tgt && tmpfs_is_dir(tgt) && (flags & LINUX_RENAME_EXCHANGE) &&
		    (e = perm(fs, tgt, CRED_W)))
			return e;
	}
	if (flags & LINUX_RENAME_EXCHANGE)
		return rename_exchange(fs, &a, &b);
	if (tgt && (flags & LINUX_RENAME_NOREPLACE))
		return ERR_EXIST;
	if (old == tgt)
		return ERR_OK;
	if (tmpfs_is_dir(old)) {
		if (tgt && !tmpfs_is_dir(tgt))
			return ERR_NOTDIR;
		if (tgt && tgt->u.dir.n)
			return ERR_NOTEMPTY;
		if (dir_within(fs, b.parent, old))
			return ERR_INVAL;
		if (!tgt && a.parent != b.parent && b.parent->nlink >= TMPFS_LINK_MAX)
			return ERR_MLINK;
	} else if (tgt && tmpfs_is_dir(tgt)) {
		return ERR_ISDIR;
	}
	if (tgt) {
		eb = dir_find(b.parent, b.name, b.name_len);
		eb->node = old;
		b.parent->mtime = b.parent->ctime = stamp(fs);
		if (tmpfs_is_dir(tgt)) {
			b.parent->nlink--;
			tgt->nlink = 0;
			tgt->u.dir.parent = NULL;
		} else {
			tgt->nlink--;
		}
		tgt->ctime = stamp(fs);
	} else if ((e = dir_add(fs, b.parent, b.name, b.name_len, old))) {
		return e;
	}
	ea = dir_find(a.parent, a.name, a.name_len);   /* after dir_add: it may have moved */
	dir_remove(fs, a.parent, ea);
	dir_moved(old, a.parent, b.parent);
	old->ctime = stamp(fs);
	node_release(fs, tgt);
	return ERR_OK;
}

err_t tmpfs_link(struct tmpfs *fs, struct tmpfs_node *start1, const char *p1, size_t l1,
		 struct tmpfs_node *start2, const char *p2, size_t l2, unsigned flags)
{
	struct tmpfs_lookup a, b;
	struct tmpfs_node *old;
	err_t e;

	if (flags & ~(unsigned)(LINUX_AT_SYMLINK_FOLLOW | LINUX_AT_EMPTY_PATH))
		return ERR_INVAL;
	if (!l1 && (flags & LINUX_AT_EMPTY_PATH)) {
		old = start1;
	} else {
		e = tmpfs_resolve(fs, start1, p1, l1, flags & LINUX_AT_SYMLINK_FOLLOW ? TMPFS_LK_FOLLOW : 0, &a);
		if (e)
			return e == ERR_REMOTE ? remote(fs, TMPFS_REMOTE_SPLIT, NULL, "", 0) : e;
		if (!(old = a.node))
			return ERR_NOENT;
		if ((e = check_slash(&a)))
			return e;
	}
	if (tmpfs_is_dir(old))
		return ERR_PERM;
	if (!old->nlink)
		return ERR_NOENT;
	if ((e = resolve_new(fs, start2, p2, l2, &b)))
		return e == ERR_REMOTE ? remote(fs, TMPFS_REMOTE_SPLIT, NULL, "", 0) : e;
	if (b.slash)
		return ERR_NOENT;
	if (rdonly(old))
		return ERR_XDEV;
	if (!l1 && (flags & LINUX_AT_EMPTY_PATH) ? false : mount_top(fs, a.parent) != mount_top(fs, b.parent))
		return ERR_XDEV;                       /* two mounts */
	if (old->nlink >= TMPFS_LINK_MAX)
		return ERR_MLINK;
	if ((e = dir_add(fs, b.parent, b.name, b.name_len, old)))
		return ERR_NOSPC;
	old->nlink++;
	old->ctime = stamp(fs);
	return ERR_OK;
}

err_t tmpfs_symlink(struct tmpfs *fs, const char *target, size_t tlen, struct tmpfs_node *start,
		    const char *path, size_t len)
{
	struct tmpfs_lookup lk;
	struct tmpfs_node *n;
	err_t e;

	if (!tlen)
		return ERR_NOENT;
	if (tlen >= TMPFS_PATH_MAX)
		return ERR_NAMETOOLONG;
	if (memchr(target, 0, tlen))
		return ERR_INVAL;
	if ((e = resolve_new(fs, start, path, len, &lk)))
		return e;
	if (lk.slash)
		return ERR_NOENT;
	if (!(n = link_new(fs, TMPFS_S_IFLNK | 0777u, target, tlen)))
		return ERR_NOSPC;
	owner_new(fs, lk.parent, n);
	if ((e = dir_add(fs, lk.parent, lk.name, lk.name_len, n))) {
		node_free(fs, n);
		return ERR_NOSPC;
	}
	n->nlink = 1;
	return ERR_OK;
}

err_t tmpfs_mkdev(struct tmpfs *fs, struct tmpfs_node *start, const char *path, size_t len,
		  uint32_t mode, uint64_t rdev)
{
	struct tmpfs_lookup lk;
	struct tmpfs_node *n;
	err_t e;
	uint32_t type = mode & TMPFS_S_IFMT;

	if (type != TMPFS_S_IFBLK && type != TMPFS_S_IFSOCK && type != TMPFS_S_IFIFO)
		type = TMPFS_S_IFCHR;
	if ((e = resolve_new(fs, start, path, len, &lk)))
		return e;
	if (lk.slash)
		return ERR_NOENT;
	if (rdonly(lk.parent))
		return ERR_ACCES;
	if (!(n = node_new(fs, type | (mode & TMPFS_MODE_MASK))))
		return ERR_NOSPC;
	owner_new(fs, lk.parent, n);
	n->rdev = rdev;
	if ((e = dir_add(fs, lk.parent, lk.name, lk.name_len, n))) {
		node_free(fs, n);
		return ERR_NOSPC;
	}
	n->nlink = 1;
	return ERR_OK;
}

err_t tmpfs_readlink(struct tmpfs *fs, struct tmpfs_node *start, const char *path, size_t len,
		     const char **target, size_t *tlen)
{
	struct tmpfs_lookup lk;
	err_t e;

	if ((e = tmpfs_resolve(fs, start, path, len, 0, &lk)))
		return e;
	if (!lk.node)
		return ERR_NOENT;
	if ((e = check_slash(&lk)))
		return e;
	if (!tmpfs_is_lnk(lk.node))
		return ERR_INVAL;
	*target = lk.node->u.link.target;
	*tlen = (size_t)lk.node->size;
	return ERR_OK;
}

err_t tmpfs_find(struct tmpfs *fs, struct tmpfs_node *start, const char *path, size_t len,
		 unsigned flags, unsigned allowed, struct tmpfs_node **out)
{
	struct tmpfs_lookup lk;
	err_t e;

	if (flags & ~allowed)
		return ERR_INVAL;
	if (!len && (flags & LINUX_AT_EMPTY_PATH)) {
		*out = start;
		return ERR_OK;
	}
	e = tmpfs_resolve(fs, start, path, len, flags & LINUX_AT_SYMLINK_NOFOLLOW ? 0 : TMPFS_LK_FOLLOW, &lk);
	if (e)
		return e;
	if (!lk.node)
		return ERR_NOENT;
	if ((e = remote_last(fs, lk.node)) || (e = check_slash(&lk)))
		return e;
	*out = lk.node;
	return ERR_OK;
}

err_t tmpfs_access_as(const struct cairn_cred *c, const struct tmpfs_node *n, unsigned mode)
{
	if (mode & ~7u)
		return ERR_INVAL;
	if ((mode & 2) && rdonly(n))
		return ERR_ACCES;
	if (!c)
		return tmpfs_access(n, mode);
	return cred_perm(c, n->mode, n->uid, n->gid, mode);
}

err_t tmpfs_access(const struct tmpfs_node *n, unsigned mode)
{
	if (mode & ~7u)
		return ERR_INVAL;
	if ((mode & 1) && !tmpfs_is_dir(n) && !(n->mode & 0111u))
		return ERR_ACCES;
	if ((mode & 2) && rdonly(n))
		return ERR_ACCES;
	return ERR_OK;
}

/* ---- operations on a node ------------------------------------------------------ */

void tmpfs_stat(const struct tmpfs_node *n, struct posix_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->dev = rdonly(n) ? TMPFS_DEV_RDONLY : TMPFS_DEV;
	st->ino = n->ino;
	st->mode = n->mode;
	st->uid = n->uid;
	st->gid = n->gid;
	st->nlink = n->nlink;
	st->rdev = n->rdev;
	st->size = tmpfs_is_dir(n) ? 40u + 20u * (uint64_t)n->u.dir.n : n->size;
	st->blksize = TMPFS_PAGE;
	if (tmpfs_is_reg(n))
		st->blocks = (n->u.file.pages +
			      (n->u.file.backing_len + TMPFS_PAGE - 1) / TMPFS_PAGE) * (TMPFS_PAGE / 512);
	st->atime_sec = n->atime.sec;
	st->atime_nsec = n->atime.nsec;
	st->mtime_sec = n->mtime.sec;
	st->mtime_nsec = n->mtime.nsec;
	st->ctime_sec = n->ctime.sec;
	st->ctime_nsec = n->ctime.nsec;
}

err_t tmpfs_chmod(struct tmpfs *fs, struct tmpfs_node *n, uint32_t mode)
{
	err_t e;

	if (rdonly(n))
		return ERR_ROFS;
	if (fs->cred && (e = cred_chmod(fs->cred, n->uid, n->gid, &mode)))
		return e;
	n->mode = (n->mode & TMPFS_S_IFMT) | (mode & TMPFS_MODE_MASK);
	n->ctime = stamp(fs);
	return ERR_OK;
}

err_t tmpfs_chown(struct tmpfs *fs, struct tmpfs_node *n, uint32_t uid, uint32_t gid)
{
	err_t e;

	if (rdonly(n))
		return ERR_ROFS;
	if (fs->cred && (e = cred_chown(fs->cred, n->uid, n->gid, uid, gid)))
		return e;
	if (uid == POSIX_UID_KEEP && gid == POSIX_UID_KEEP)
		return ERR_OK;
	if (uid != POSIX_UID_KEEP)
		n->uid = uid;
	if (gid != POSIX_UID_KEEP)
		n->gid = gid;
	/* a new owner or group takes a file's set-id bits (Linux) */
	if (!tmpfs_is_dir(n)) {
		n->mode &= ~(uint32_t)CRED_S_ISUID;
		if (n->mode & 010u)
			n->mode &= ~(uint32_t)CRED_S_ISGID;
	}
	n->ctime = stamp(fs);
	return ERR_OK;
}

static bool time_ok(int64_t nsec)
{
	return (nsec >= 0 && nsec < 1000000000) || nsec == LINUX_UTIME_NOW || nsec == LINUX_UTIME_OMIT;
}

err_t tmpfs_utimens(struct tmpfs *fs, struct tmpfs_node *n, const int64_t t[4])
{
	struct tmpfs_time now = stamp(fs);

	err_t e;

	if (!time_ok(t[1]) || !time_ok(t[3]))
		return ERR_INVAL;
	if (rdonly(n))
		return ERR_ROFS;
	if (fs->cred && (e = cred_utimens(fs->cred, n->mode, n->uid, n->gid, t)))
		return e;
	if (t[1] == LINUX_UTIME_OMIT && t[3] == LINUX_UTIME_OMIT)
		return ERR_OK;
	if (t[1] != LINUX_UTIME_OMIT)
		n->atime = t[1] == LINUX_UTIME_NOW ? now : (struct tmpfs_time){ t[0], t[1] };
	if (t[3] != LINUX_UTIME_OMIT)
		n->mtime = t[3] == LINUX_UTIME_NOW ? now : (struct tmpfs_time){ t[2], t[3] };
	n->ctime = now;
	return ERR_OK;
}

static uint8_t dtype(const struct tmpfs_node *n)
{
	switch (n->mode & TMPFS_S_IFMT) {
	case TMPFS_S_IFDIR: return LINUX_DT_DIR;
	case TMPFS_S_IFREG: return LINUX_DT_REG;
	case TMPFS_S_IFLNK: return LINUX_DT_LNK;
	case TMPFS_S_IFIFO: return LINUX_DT_FIFO;
	case TMPFS_S_IFCHR: return LINUX_DT_CHR;
	case TMPFS_S_IFBLK: return LINUX_DT_BLK;
	case TMPFS_S_IFSOCK: return LINUX_DT_SOCK;
	default: return LINUX_DT_UNKNOWN;
	}
}

/* Writes one linux_dirent64 record at out if it fits in room; its length or 0. */
static size_t dirent_put(uint8_t *out, size_t room, uint64_t ino, uint64_t next, uint8_t type,
			 const char *name, size_t len)
{
	size_t reclen = (DIRENT_HDR + len + 1 + 7) & ~(size_t)7;
	uint16_t rl = (uint16_t)reclen;
	int64_t off = (int64_t)next;

	if (reclen > room)
		return 0;
	memset(out, 0, reclen);
	memcpy(out, &ino, 8);
	memcpy(out + 8, &off, 8);
	memcpy(out + 16, &rl, 2);
	out[18] = type;
	memcpy(out + DIRENT_HDR, name, len);
	return reclen;
}

err_t tmpfs_readdir(struct tmpfs *fs, struct tmpfs_node *d, uint64_t cookie, void *buf,
		    size_t max, size_t *n, uint64_t *next)
{
	uint8_t *out = buf;
	size_t used = 0, k;
	uint32_t lo, hi;

	*n = 0;
	*next = cookie;
	if (!tmpfs_is_dir(d))
		return ERR_NOTDIR;
	if ((d->flags & TMPFS_F_SYNTH) && fs->synth_fill && dir_alive(d))
		fs->synth_fill(fs, d);
	if (cookie >= (1ull << 62))
		return ERR_OK;                  /* past any entry */
	if (cookie == 0) {
		if (!(k = dirent_put(out, max, d->ino, 1, LINUX_DT_DIR, ".", 1)))
			return ERR_INVAL;
		used += k;
		cookie = 1;
	}
	if (cookie == 1) {
		const struct tmpfs_node *p = d == fs->root || !d->u.dir.parent ? d : d->u.dir.parent;

		if (!(k = dirent_put(out + used, max - used, p->ino, 2, LINUX_DT_DIR, "..", 2))) {
			*n = used;
			*next = cookie;
			return used ? ERR_OK : ERR_INVAL;
		}
		used += k;
		cookie = 2;
	}
	/* the first entry whose seq is at least cookie */
	lo = 0;
	hi = d->u.dir.n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (d->u.dir.ents[mid].seq < cookie)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < d->u.dir.n; lo++) {
		const struct tmpfs_dentry *e = &d->u.dir.ents[lo];

		k = dirent_put(out + used, max - used, e->node->ino, e->seq + 1, dtype(e->node), e->name,
			       e->len);
		if (!k) {
			if (!used)
				return ERR_INVAL;
			break;
		}
		used += k;
		cookie = e->seq + 1;
	}
	*n = used;
	*next = cookie;
	return ERR_OK;
}

err_t tmpfs_getpath(struct tmpfs *fs, struct tmpfs_node *d, char *buf, size_t max, size_t *len)
{
	size_t pos = max;

	if (!tmpfs_is_dir(d))
		return ERR_NOTDIR;
	if (max < 2)
		return ERR_RANGE;
	buf[--pos] = 0;
	while (d != fs->root) {
		struct tmpfs_node *p = d->u.dir.parent;

		if ((d->flags & TMPFS_F_MROOT) && fs->mount_path) {
			/* the mount's path, then what is below its root */
			const char *mp = fs->mount_path(fs, d);
			size_t ml = strlen(mp);

			if (ml == 1 && pos < max - 1)
				break;                  /* "/": the path below is whole */
			if (ml + 1 > pos)
				return ERR_RANGE;
			pos -= ml;
			memcpy(buf + pos, mp, ml);
			break;
		}
		const struct tmpfs_dentry *e;

		if (!p || !(e = dir_find_node(p, d)))
			return ERR_NOENT;
		if (e->len + 1u > pos)
			return ERR_RANGE;
		pos -= e->len;
		memcpy(buf + pos, e->name, e->len);
		buf[--pos] = '/';
		d = p;
	}
	if (pos == max - 1)
		buf[--pos] = '/';
	*len = max - 1 - pos;
	memmove(buf, buf + pos, *len + 1);
	return ERR_OK;
}

/* ---- the roots of other mounts ------------------------------------------------- */

err_t tmpfs_mkroot(struct tmpfs *fs, uint32_t mode, struct tmpfs_node **out)
{
	struct tmpfs_node *d = node_new(fs, TMPFS_S_IFDIR | (mode & TMPFS_MODE_MASK));

	if (!d)
		return ERR_NOSPC;
	d->nlink = 2;
	d->u.dir.parent = d;
	d->flags = TMPFS_F_MROOT;
	*out = d;
	return ERR_OK;
}

bool tmpfs_busy(const struct tmpfs_node *d, uint32_t root_refs)
{
	if (d->refs > root_refs)
		return true;
	for (uint32_t i = 0; i < d->u.dir.n; i++) {
		const struct tmpfs_node *n = d->u.dir.ents[i].node;

		if (tmpfs_is_dir(n) ? tmpfs_busy(n, 0) : n->refs != 0)
			return true;
	}
	return false;
}

void tmpfs_rmroot(struct tmpfs *fs, struct tmpfs_node *d)
{
	while (d->u.dir.n) {
		struct tmpfs_dentry *c = &d->u.dir.ents[d->u.dir.n - 1];
		tmpfs_synth_remove(fs, d, c->name, c->len);
	}
	d->nlink = 0;
	d->u.dir.parent = NULL;
	d->flags &= ~TMPFS_F_MROOT;
	node_release(fs, d);
}

/* ---- synthetic entries ---------------------------------------------------------- */

struct tmpfs_node *tmpfs_synth_find(struct tmpfs_node *dir, const char *name, size_t len)
{
	struct tmpfs_dentry *e = tmpfs_is_dir(dir) ? dir_find(dir, name, len) : NULL;

	return e ? e->node : NULL;
}

err_t tmpfs_synth_add(struct tmpfs *fs, struct tmpfs_node *dir, const char *name, size_t len,
		      uint32_t mode, uint32_t extra, uint64_t synth, const char *target,
		      size_t tlen, struct tmpfs_node **out)
{
	uint32_t type = mode & TMPFS_S_IFMT;
	struct tmpfs_node *n;

	if (!tmpfs_is_dir(dir) || !dir_alive(dir) || !len || len > TMPFS_NAME_MAX ||
	    (type != TMPFS_S_IFDIR && type != TMPFS_S_IFREG && type != TMPFS_S_IFLNK) ||
	    (type == TMPFS_S_IFLNK && (!tlen || tlen >= TMPFS_PATH_MAX)))
		return ERR_INVAL;
	if (dir_find(dir, name, len))
		return ERR_EXIST;
	if (type == TMPFS_S_IFDIR && dir->nlink >= TMPFS_LINK_MAX)
		return ERR_MLINK;
	n = type == TMPFS_S_IFLNK ? link_new(fs, mode, target, tlen) : node_new(fs, mode);
	if (!n)
		return ERR_NOMEM;
	n->flags = TMPFS_F_RDONLY | extra;
	n->synth = synth;
	if (dir_add(fs, dir, name, len, n)) {
		node_free(fs, n);
		return ERR_NOMEM;
	}
	if (type == TMPFS_S_IFDIR) {
		n->nlink = 2;
		n->u.dir.parent = dir;
		dir->nlink++;
	} else {
		n->nlink = 1;
	}
	if (out)
		*out = n;
	return ERR_OK;
}

void tmpfs_synth_remove(struct tmpfs *fs, struct tmpfs_node *dir, const char *name, size_t len)
{
	struct tmpfs_dentry *e = tmpfs_is_dir(dir) ? dir_find(dir, name, len) : NULL;
	struct tmpfs_node *n;

	if (!e)
		return;
	n = e->node;
	if (tmpfs_is_dir(n))
		while (n->u.dir.n) {
			struct tmpfs_dentry *c = &n->u.dir.ents[n->u.dir.n - 1];
			tmpfs_synth_remove(fs, n, c->name, c->len);
		}
	entry_unlink(fs, dir, e);
}

err_t tmpfs_synth_relink(struct tmpfs_node *link, const char *target, size_t tlen)
{
	char *t;

	if (!tmpfs_is_lnk(link) || !tlen || tlen >= TMPFS_PATH_MAX)
		return ERR_INVAL;
	if (tlen == link->size && !memcmp(link->u.link.target, target, tlen))
		return ERR_OK;
	if (!(t = tmpfs_alloc(tlen + 1)))
		return ERR_NOMEM;
	memcpy(t, target, tlen);
	tmpfs_free(link->u.link.target, link->size + 1);
	link->u.link.target = t;
	link->size = tlen;
	return ERR_OK;
}

/* ---- the tree ---------------------------------------------------------------- */

err_t tmpfs_init(struct tmpfs *fs, uint64_t (*now)(void))
{
	memset(fs, 0, sizeof(*fs));
	fs->now = now;
	fs->next_ino = 1;
	if (!(fs->root = node_new(fs, TMPFS_S_IFDIR | 0755u)))
		return ERR_NOMEM;
	fs->root->nlink = 2;
	return ERR_OK;
}

/* Frees a directory and everything under it (the host tests' teardown). */
static void destroy_dir(struct tmpfs *fs, struct tmpfs_node *d)
{
	while (d->u.dir.n) {
		struct tmpfs_dentry *e = &d->u.dir.ents[d->u.dir.n - 1];
		struct tmpfs_node *n = e->node;

		tmpfs_free(e->name, e->len + 1u);
		d->u.dir.n--;
		if (tmpfs_is_dir(n)) {
			destroy_dir(fs, n);
			node_free(fs, n);
		} else if (!--n->nlink) {
			node_free(fs, n);
		}
	}
}

void tmpfs_destroy(struct tmpfs *fs)
{
	if (!fs->root)
		return;
	destroy_dir(fs, fs->root);
	node_free(fs, fs->root);
	fs->root = NULL;
}

/* ---- the boot image -------------------------------------------------------------- */

/* The directory a cpio name's parent components lead to, made as needed
 * (0755); the last component in *name and *len. NULL if a component is not a
 * directory, is "." or "..", or memory ran out. */
static struct tmpfs_node *cpio_parent(struct tmpfs *fs, const char *path, size_t plen,
				      const char **name, size_t *len)
{
	struct tmpfs_node *d = fs->root;
	size_t pos = 0;

	for (;;) {
		size_t s, clen;
		struct tmpfs_dentry *e;
		struct tmpfs_node *n;

		while (pos < plen && path[pos] == '/')
			pos++;
		for (s = pos; pos < plen && path[pos] != '/'; pos++)
			;
		clen = pos - s;
		if (!clen || clen > TMPFS_NAME_MAX || (clen == 1 && path[s] == '.') ||
		    (clen == 2 && path[s] == '.' && path[s + 1] == '.'))
			return NULL;
		while (pos < plen && path[pos] == '/')
			pos++;
		if (pos == plen) {
			*name = path + s;
			*len = clen;
			return d;
		}
		if ((e = dir_find(d, path + s, clen))) {
			if (!tmpfs_is_dir(e->node))
				return NULL;
			d = e->node;
			continue;
		}
		if (d->nlink >= TMPFS_LINK_MAX || !(n = node_new(fs, TMPFS_S_IFDIR | 0755u)))
			return NULL;
		if (dir_add(fs, d, path + s, clen, n)) {
			node_free(fs, n);
			return NULL;
		}
		n->nlink = 2;
		n->u.dir.parent = d;
		d->nlink++;
		d = n;
	}
}

static bool cpio_add(struct tmpfs *fs, const struct cpio_entry *ce)
{
	const char *p = ce->name, *name;
	size_t plen = ce->name_len, len;
	uint32_t type = ce->mode & TMPFS_S_IFMT, perm = ce->mode & TMPFS_MODE_MASK;
	struct tmpfs_node *d, *n;
	struct tmpfs_dentry *e;

	while (plen && (p[0] == '/' || (plen >= 2 && p[0] == '.' && p[1] == '/'))) {
		p++;
		plen--;
	}
	if (!plen || (plen == 1 && p[0] == '.'))
		return true;                    /* the archive's own root */
	if (plen >= TMPFS_PATH_MAX || !(d = cpio_parent(fs, p, plen, &name, &len)))
		return false;
	e = dir_find(d, name, len);
	if (type == TMPFS_S_IFDIR) {
		if (e) {
			if (!tmpfs_is_dir(e->node))
				return false;
			e->node->mode = TMPFS_S_IFDIR | perm;
			return true;
		}
		return !tmpfs_mkdir(fs, d, name, len, perm);
	}
	if (e)
		return false;
	if (type == TMPFS_S_IFLNK)
		return !tmpfs_symlink(fs, ce->data, ce->size, d, name, len);
	if (type != TMPFS_S_IFREG || !(n = node_new(fs, TMPFS_S_IFREG | perm)))
		return false;
	n->size = ce->size;
	n->u.file.backing = ce->data;
	n->u.file.backing_len = ce->size;
	if (dir_add(fs, d, name, len, n)) {
		node_free(fs, n);
		return false;
	}
	n->nlink = 1;
	return true;
}

err_t tmpfs_load_cpio(struct tmpfs *fs, const void *archive, size_t size, unsigned *added,
		      unsigned *skipped)
{
	struct cpio_iter it;
	struct cpio_entry ce;
	err_t e;

	*added = *skipped = 0;
	cpio_iter_init(&it, archive, size);
	while (!(e = cpio_next(&it, &ce))) {
		if (cpio_add(fs, &ce))
			(*added)++;
		else
			(*skipped)++;
	}
	return e == ERR_NOENT ? ERR_OK : e;
}
