/* SPDX-License-Identifier: MIT */
/*
 * tmpfs: the VFS server's in-memory file tree (tmpfs.c), free of any
 * IPC so that it builds and is unit-tested on the host
 * (tests/host/test_tmpfs.c).
 *
 * Nodes are directories, regular files and symbolic links. A file's data
 * is a sparse tree of 4 KiB pages (a radix tree of 512-way nodes, as deep
 * as the file needs; pages never written read as zeros) in front of an
 * optional read-only backing (the boot image's bytes, never copied until
 * written). Directories keep their entries in creation order, each with a
 * sequence number that is its IO_READDIR cookie (0 is ".", 1 is "..").
 *
 * Paths are resolved component by component from a starting directory
 * (or the root, for an absolute path), following symbolic links (at most
 * TMPFS_MAXSYMLINKS, else ELOOP) as Linux does; the errors are Linux's.
 *
 * A node lives while it has a link (nlink > 0) or a reference
 * (tmpfs_node_get/put: the server's open descriptions). Allocation goes
 * through four functions the user of this file provides (the server:
 * mem.c; the host test: its own, with failure injection).
 *
 * Read-only and synthetic nodes (the server's /proc, procfs.c). A node
 * with TMPFS_F_RDONLY never changes through a path or descriptor
 * operation: creating, removing or renaming in such a directory, or
 * changing such a node's mode, times or size, is EROFS; opening it for
 * writing is EACCES; a rename or hard link between it and a writable
 * directory is EXDEV (another file system, as Linux's /proc is), and
 * removing or renaming the read-only directory itself EBUSY (as a mount
 * point). A
 * directory with TMPFS_F_SYNTH has its entries made by the user of
 * tmpfs: fs->synth_lookup runs before a name is looked up in it and
 * fs->synth_fill before it is read (readdir), and they change it with
 * the tmpfs_synth_* functions, which take no path. A regular file with
 * TMPFS_F_SYNTH holds no bytes (size 0): the server makes its contents
 * when it is opened.
 */
#ifndef VFS_TMPFS_H
#define VFS_TMPFS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cairn/cred.h>
#include <cairn/err.h>
#include <cairn/linux.h>
#include <cairn/posix.h>

/* File types and mode bits (the POSIX values). */
#define TMPFS_S_IFMT    0170000u
#define TMPFS_S_IFIFO   0010000u
#define TMPFS_S_IFCHR   0020000u
#define TMPFS_S_IFBLK   0060000u
#define TMPFS_S_IFDIR   0040000u
#define TMPFS_S_IFREG   0100000u
#define TMPFS_S_IFLNK   0120000u
#define TMPFS_S_IFSOCK  0140000u
#define TMPFS_MODE_MASK 07777u

#define TMPFS_PAGE        4096u
#define TMPFS_MAXSYMLINKS 40
#define TMPFS_NAME_MAX    255               /* bytes in a component */
#define TMPFS_PATH_MAX    4096              /* a path must be shorter */
#define TMPFS_LINK_MAX    65000u            /* hard links to one node */
#define TMPFS_DEPTH_MAX   4                 /* radix levels: files up to 2^48 bytes */
#define TMPFS_FILE_MAX    (1ull << 48)
#define TMPFS_DEV         1                 /* st_dev of every node but... */
#define TMPFS_DEV_RDONLY  3                 /* ...read-only ones: /proc is another file system */

struct tmpfs_time {
	int64_t sec, nsec;
};

struct tmpfs_dentry {
	uint64_t seq;                           /* the entry's readdir cookie */
	struct tmpfs_node *node;
	char *name;                             /* NUL-terminated, len bytes */
	uint32_t len;
};

#define TMPFS_F_RDONLY  1u                  /* nothing changes it (see above) */
#define TMPFS_F_SYNTH   2u                  /* its entries or bytes are made by the user */
#define TMPFS_F_COVERED 4u                  /* a mount point: another file system's root */
#define TMPFS_F_MROOT   8u                  /* the root of a mount: ".." leaves the tree */

struct tmpfs_node {
	uint64_t ino;
	uint32_t mode;                          /* type | permission bits */
	uint32_t uid, gid;                      /* owner and group (docs/users.md) */
	uint32_t nlink;
	uint32_t refs;                          /* tmpfs_node_get() holders */
	uint32_t flags;                         /* TMPFS_F_* */
	uint64_t synth;                         /* the user's word for a synthetic node */
	uint64_t rdev;                          /* character device: its number */
	uint64_t size;                          /* file: bytes; symlink: target length */
	uint64_t version;                       /* file: one more at every write or truncate */
	struct tmpfs_time atime, mtime, ctime;
	union {
		struct {
			void *root;             /* page (depth 0) or radix node */
			unsigned depth;
			uint64_t pages;         /* pages allocated (data, not radix nodes) */
			const uint8_t *backing; /* read-only bytes behind the pages */
			uint64_t backing_len;
			void *ext;              /* set: the data is the user's (tmpfs_ext) */
		} file;
		struct {
			struct tmpfs_dentry *ents;
			uint32_t n, cap;
			uint64_t next_seq;
			struct tmpfs_node *parent;  /* NULL once removed */
		} dir;
		struct {
			char *target;           /* NUL-terminated, size bytes */
		} link;
	} u;
};

struct tmpfs {
	struct tmpfs_node *root;
	uint64_t next_ino;
	uint64_t nodes;                         /* nodes alive */
	uint64_t (*now)(void);                  /* nanoseconds, for timestamps */
	char scratch[2][TMPFS_PATH_MAX];        /* path resolution buffers */
	/* synthetic directories (TMPFS_F_SYNTH; NULL: none): before name is
	 * looked up in dir (it may add, change or remove that entry; an error
	 * ends the lookup with it), and before dir is read */
	err_t (*synth_lookup)(struct tmpfs *fs, struct tmpfs_node *dir, const char *name, size_t len);
	void (*synth_fill)(struct tmpfs *fs, struct tmpfs_node *dir);
	/* Mounts (include/cairn/posix.h, "mounts"). not_root: this tree is not
	 * the namespace's root, so an absolute path or symbolic link leaves
	 * it. mount_path: the absolute path a TMPFS_F_MROOT directory is
	 * mounted at (for tmpfs_getpath). */
	bool not_root;
	/* who asks (docs/users.md): the request's credentials, checked at
	 * every step (search, open, make, remove, chmod...); NULL: nobody is
	 * checked (the VFS's own calls, the host tests) */
	const struct cairn_cred *cred;
	/* File data kept by the user of tmpfs (the server: a MemoryObject per
	 * file, fmap.c): a file whose u.file.ext is set has its bytes there,
	 * not in the radix tree (NULL: no file has). */
	const struct tmpfs_ext *ext;
	const char *(*mount_path)(struct tmpfs *fs, struct tmpfs_node *mroot);
	/* ERR_REMOTE from a path operation: where the path leaves the tree.
	 * TMPFS_REMOTE_DOWN: into the file system mounted on remote (rest:
	 * the path below it, "." when none); _UP: ".." out of the mount whose
	 * root is remote (rest starts with ".."); _ROOT: an absolute path
	 * (rest) to restart at the caller's root; _SPLIT: a two-path
	 * operation that left the tree. rest points into scratch. */
	int remote_kind;
	struct tmpfs_node *remote;
	const char *remote_rest;
	size_t remote_len;
};

enum { TMPFS_REMOTE_DOWN = 1, TMPFS_REMOTE_UP, TMPFS_REMOTE_ROOT, TMPFS_REMOTE_SPLIT };

/*
 * A file with u.file.ext set keeps its bytes with the user (the backing,
 * if any, is still the node's: bytes never written read from it). tmpfs
 * checks the arguments, clamps reads to the size and keeps size, version
 * and times; the hooks move the bytes:
 * - read: n bytes at off (off + n <= size) into buf;
 * - write: n bytes at off (off + n <= TMPFS_FILE_MAX), growing the size
 *   the hook keeps to off + n when past it: the bytes written (fewer when
 *   out of memory or past what the hook can hold; 0 is ENOSPC unless
 *   *err is set);
 * - truncate: the size becomes len (bytes past it read as zero when it
 *   grows again), or an error;
 * - release: the node is freed.
 */
struct tmpfs_ext {
	void (*read)(struct tmpfs *fs, struct tmpfs_node *f, uint64_t off, void *buf, size_t n);
	size_t (*write)(struct tmpfs *fs, struct tmpfs_node *f, uint64_t off, const void *buf,
			size_t n, err_t *err);
	err_t (*truncate)(struct tmpfs *fs, struct tmpfs_node *f, uint64_t len);
	void (*release)(struct tmpfs *fs, struct tmpfs_node *f);
};

/* Hands each page of a file's radix tree (index, 4 KiB) to fn, then frees
 * the tree (the backing stays): for a user taking the data over (ext).
 * fn NULL: the tree is only freed. */
void tmpfs_export_pages(struct tmpfs_node *f, void (*fn)(void *arg, uint64_t idx, const void *page),
			void *arg);
/* The other way: page idx of the file's radix tree holds the 4 KiB at
 * data (ENOMEM: out of memory). */
err_t tmpfs_import_page(struct tmpfs_node *f, uint64_t idx, const void *data);

/* ---- provided by the user of tmpfs.c --------------------------------------- */
/* Zeroed memory of n bytes, or NULL. */
void *tmpfs_alloc(size_t n);
void tmpfs_free(void *p, size_t n);
/* A zeroed 4 KiB page, or NULL; _raw: not zeroed (the caller writes it all). */
void *tmpfs_page_alloc(void);
void *tmpfs_page_alloc_raw(void);
void tmpfs_page_free(void *p);

/* ---- the tree ---------------------------------------------------------------- */

/* An empty tree (the root directory, mode 0755); now() gives timestamps. */
err_t tmpfs_init(struct tmpfs *fs, uint64_t (*now)(void));
/* Frees every node (the host test's leak check). References held are
 * ignored. */
void tmpfs_destroy(struct tmpfs *fs);

static inline bool tmpfs_is_dir(const struct tmpfs_node *n) { return (n->mode & TMPFS_S_IFMT) == TMPFS_S_IFDIR; }
static inline bool tmpfs_is_reg(const struct tmpfs_node *n) { return (n->mode & TMPFS_S_IFMT) == TMPFS_S_IFREG; }
static inline bool tmpfs_is_lnk(const struct tmpfs_node *n) { return (n->mode & TMPFS_S_IFMT) == TMPFS_S_IFLNK; }
static inline bool tmpfs_is_chr(const struct tmpfs_node *n) { return (n->mode & TMPFS_S_IFMT) == TMPFS_S_IFCHR; }

/* A reference keeps a node alive after its last link goes. */
void tmpfs_node_get(struct tmpfs_node *n);
void tmpfs_node_put(struct tmpfs *fs, struct tmpfs_node *n);

/* ---- path resolution ------------------------------------------------------- */

enum { TMPFS_LAST_NORM, TMPFS_LAST_DOT, TMPFS_LAST_DOTDOT, TMPFS_LAST_ROOT };

#define TMPFS_LK_FOLLOW   1u   /* follow a symbolic link in the last component */
#define TMPFS_LK_NOFOLLOW 2u   /* never follow the last one, even before a trailing '/' */

struct tmpfs_lookup {
	struct tmpfs_node *parent;   /* directory holding the last component */
	struct tmpfs_node *node;     /* what it names; NULL if absent */
	int last;                    /* TMPFS_LAST_* */
	bool slash;                  /* the path ended with '/' */
	uint32_t name_len;
	char name[TMPFS_NAME_MAX + 1];
};

/*
 * Resolves path (len bytes, not NUL-terminated) from directory start.
 * Every component but the last must lead to a directory (symbolic links
 * are followed); the last is looked up in its parent and followed if it
 * is a link and flags has TMPFS_LK_FOLLOW (or the path ends with '/',
 * unless TMPFS_LK_NOFOLLOW). Errors: ENOENT (empty path, a missing
 * directory, a removed one), EINVAL (a NUL byte), ENAMETOOLONG (path,
 * component or expansion too long), ENOTDIR, ELOOP (more than 40 links),
 * ENOTDIR as well when the path ends with '/' and names an existing
 * non-directory. A missing last component is not an error: lk->node is
 * NULL and lk->parent/name say where it would be.
 * ERR_REMOTE (fs->remote_*): the path leaves the tree before its last
 * component (a mount point, ".." out of a mount's root, an absolute path
 * or link when fs->not_root). A last component that is a mount point is
 * not followed (lk->node is it): the operations that act on what it names
 * answer ERR_REMOTE themselves, those on the name EBUSY or EEXIST.
 */
err_t tmpfs_resolve(struct tmpfs *fs, struct tmpfs_node *start, const char *path, size_t len,
		    unsigned flags, struct tmpfs_lookup *lk);

/* ---- operations by path (from directory start); Linux semantics ------------ */

/* open(2): oflags are Linux O_* flags; mode the permission bits of a
 * created file. On success *out is the node with a reference taken. */
err_t tmpfs_open(struct tmpfs *fs, struct tmpfs_node *start, const char *path, size_t len,
		 uint32_t oflags, uint32_t mode, struct tmpfs_node **out);
err_t tmpfs_mkdir(struct tmpfs *fs, struct tmpfs_node *start, const char *path, size_t len,
		  uint32_t mode);
/* unlinkat(2): flags 0 or AT_REMOVEDIR. */
err_t tmpfs_unlink(struct tmpfs *fs, struct tmpfs_node *start, const char *path, size_t len,
		   unsigned flags);
/* renameat2(2): flags 0, RENAME_NOREPLACE or RENAME_EXCHANGE. */
err_t tmpfs_rename(struct tmpfs *fs, struct tmpfs_node *start1, const char *p1, size_t l1,
		   struct tmpfs_node *start2, const char *p2, size_t l2, unsigned flags);
/* linkat(2): flags AT_SYMLINK_FOLLOW (follow old), AT_EMPTY_PATH (old is
 * start1 itself when l1 is 0). */
err_t tmpfs_link(struct tmpfs *fs, struct tmpfs_node *start1, const char *p1, size_t l1,
		 struct tmpfs_node *start2, const char *p2, size_t l2, unsigned flags);
err_t tmpfs_symlink(struct tmpfs *fs, const char *target, size_t tlen, struct tmpfs_node *start,
		    const char *path, size_t len);
/* A device node: a character device (its behaviour is the server's: /dev/null...),
 * a block device when mode's type bits say TMPFS_S_IFBLK (a disk's name), or a
 * socket node (TMPFS_S_IFSOCK: FS_MKNOD, rdev the network server's key). */
err_t tmpfs_mkdev(struct tmpfs *fs, struct tmpfs_node *start, const char *path, size_t len,
		  uint32_t mode, uint64_t rdev);
/* readlink(2): *target points into the node (valid until it changes). */
err_t tmpfs_readlink(struct tmpfs *fs, struct tmpfs_node *start, const char *path, size_t len,
		     const char **target, size_t *tlen);
/* The node a path names, for stat/chmod/utimens/access/truncate: flags
 * AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH (an empty path names start itself);
 * other bits of allowed may be set, any bit outside allowed is EINVAL. */
err_t tmpfs_find(struct tmpfs *fs, struct tmpfs_node *start, const char *path, size_t len,
		 unsigned flags, unsigned allowed, struct tmpfs_node **out);
/* access(2) mode bits R_OK 4, W_OK 2, X_OK 1 on a node (no users are
 * modelled: everything is allowed but executing what has no x bit). */
err_t tmpfs_access(const struct tmpfs_node *n, unsigned mode);
/* ... as the user c is (docs/users.md; NULL: as tmpfs_access) */
err_t tmpfs_access_as(const struct cairn_cred *c, const struct tmpfs_node *n, unsigned mode);
/* chown (POSIX_UID_KEEP: leave it), as fs->cred may (EPERM) */
err_t tmpfs_chown(struct tmpfs *fs, struct tmpfs_node *n, uint32_t uid, uint32_t gid);
/* tmpfs_open's oflags bit: opened to exec, execute permission instead of read */
#define TMPFS_O_EXEC 0x80000000u

/* ---- operations on a node ------------------------------------------------ */

void tmpfs_stat(const struct tmpfs_node *n, struct posix_stat *st);
err_t tmpfs_chmod(struct tmpfs *fs, struct tmpfs_node *n, uint32_t mode);
/* times: atime sec, nsec, mtime sec, nsec; nsec may be UTIME_NOW/UTIME_OMIT. */
err_t tmpfs_utimens(struct tmpfs *fs, struct tmpfs_node *n, const int64_t times[4]);
/* Reads up to n bytes at off of a regular file; *got = 0 at or past the end. */
err_t tmpfs_read(struct tmpfs *fs, struct tmpfs_node *node, uint64_t off, void *buf, size_t n,
		 size_t *got);
/* Writes n bytes at off; a partial write (out of memory or past the
 * maximum size) reports what was written, an error only if nothing was. */
err_t tmpfs_write(struct tmpfs *fs, struct tmpfs_node *node, uint64_t off, const void *buf,
		  size_t n, size_t *done);
err_t tmpfs_truncate(struct tmpfs *fs, struct tmpfs_node *node, uint64_t len);
/*
 * Directory records (struct linux_dirent64, 8-byte aligned) from cookie
 * on, into buf of max bytes: *n bytes written (0: the end), *next the
 * cookie to continue from. EINVAL if not even one record fits.
 */
err_t tmpfs_readdir(struct tmpfs *fs, struct tmpfs_node *dir, uint64_t cookie, void *buf,
		    size_t max, size_t *n, uint64_t *next);
/* The absolute path of directory dir (getcwd) into buf, NUL-terminated;
 * ENOENT if it was removed, ERANGE if it does not fit in max bytes. */
err_t tmpfs_getpath(struct tmpfs *fs, struct tmpfs_node *dir, char *buf, size_t max, size_t *len);

/* ---- the roots of other mounts (tmpfs mounted elsewhere) --------------------- */
/* A directory that is in no directory: the root of a mount (TMPFS_F_MROOT,
 * its ".." leaves the tree). Renames and links between two mounts' trees
 * are EXDEV. ENOSPC: out of memory. */
err_t tmpfs_mkroot(struct tmpfs *fs, uint32_t mode, struct tmpfs_node **out);
/* Is anything in directory d's tree held (open, a working directory)?
 * d itself may have root_refs references. */
bool tmpfs_busy(const struct tmpfs_node *d, uint32_t root_refs);
/* Unmounted: everything in it is unlinked (what someone holds lives on),
 * then the root itself. */
void tmpfs_rmroot(struct tmpfs *fs, struct tmpfs_node *d);

/* ---- synthetic entries (for the synth_* hooks: no path, no hook runs) ------- */

/* The entry name (len bytes) of directory dir, or NULL. */
struct tmpfs_node *tmpfs_synth_find(struct tmpfs_node *dir, const char *name, size_t len);
/* Adds entry name to dir (which must not have it): a directory, regular
 * file or symbolic link by the type bits of mode (a link's target is
 * tlen bytes at target), with flags TMPFS_F_RDONLY | extra and the word
 * synth. ENOMEM leaves dir as it was; EEXIST, EINVAL (another type). */
err_t tmpfs_synth_add(struct tmpfs *fs, struct tmpfs_node *dir, const char *name, size_t len,
		      uint32_t mode, uint32_t extra, uint64_t synth, const char *target,
		      size_t tlen, struct tmpfs_node **out);
/* Removes entry name from dir (if there), and for a directory everything
 * in it first; a node someone still holds lives on, unlinked. */
void tmpfs_synth_remove(struct tmpfs *fs, struct tmpfs_node *dir, const char *name, size_t len);
/* A symbolic link's new target (1..TMPFS_PATH_MAX - 1 bytes); ENOMEM
 * leaves the old one. */
err_t tmpfs_synth_relink(struct tmpfs_node *link, const char *target, size_t tlen);

/* ---- the boot image ------------------------------------------------------- */
/* Adds every entry of a newc cpio archive to the tree: directories,
 * regular files (their data read in place from the archive, which must
 * stay mapped and unchanged) and symbolic links. *added counts the
 * entries made; an entry that cannot be added is skipped (*skipped). */
err_t tmpfs_load_cpio(struct tmpfs *fs, const void *archive, size_t size, unsigned *added,
		      unsigned *skipped);

#endif
