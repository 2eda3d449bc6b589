/* SPDX-License-Identifier: MIT */
/*
 * The ext2 server's file system (xfs.c): the file protocol's operations
 * (docs/vfs.md's semantics, docs/ext2.md) on a file system that
 * libext2fs opened, by inode number and by path, with the mount rules of
 * include/cairn/posix.h (ERR_REMOTE). It makes no Cairn system call (the
 * host tests run it on an image file); capabilities are opaque numbers
 * the caller gives (covers) and gets back (struct xremote).
 */
#ifndef EXT2_XFS_H
#define EXT2_XFS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <ext2fs/ext2fs.h>
#include <cairn/err.h>
#include <cairn/linux.h>
#include <cairn/posix.h>
#include <cairn/cred.h>

#define XFS_PATH_MAX   POSIX_PATH_MAX
#define XFS_NAME_MAX   POSIX_NAME_MAX
#define XFS_MAXSYMLINKS 40
#define XFS_FILE_MAX   (1ull << 48)        /* as tmpfs: EFBIG above */
#define XFS_OPEN_HASH  1024u

/* What an ERR_REMOTE answer says (include/cairn/posix.h, mounts). */
struct xremote {
	uint32_t flags;                    /* POSIX_REMOTE_* */
	uint64_t cap;                      /* cap0: a cover's mounted root or the covered
	                                    * directory; 0: none */
	size_t len;
	char path[XFS_PATH_MAX];
};

struct xfs_open;                       /* an inode some description holds */
struct xfs_dent;                       /* the name cache's entries (xfs.c) */

#define XFS_DCACHE      1024u          /* name cache entries (a power of two) */
#define XFS_DCACHE_NAME 54u            /* longer names are not cached */
#define XFS_DTIMES      8u
#define XFS_ICACHE      16u            /* inodes kept (xfs.c, "The inode cache") */             /* directories with times not yet written */

struct xfs {
	ext2_filsys fs;
	bool ro;
	uint64_t dev;                      /* st_dev */
	uint64_t (*now_ns)(void);          /* real time, ns since 1970 */
	/* mounts (FS_COVER, FS_MOUNTED) */
	struct { ext2_ino_t ino; uint64_t cap; } covers[POSIX_COVER_MAX];
	unsigned ncovers;
	ext2_ino_t mount_root;             /* FS_MOUNTED's directory, 0 before */
	uint64_t up_cap;                   /* FS_MOUNTED's covered directory */
	char mount_path[XFS_PATH_MAX];
	size_t mount_path_len;
	struct xremote remote;             /* the last ERR_REMOTE */
	struct xfs_open *open[XFS_OPEN_HASH];
	struct xfs_dent *dcache;           /* XFS_DCACHE entries; NULL: none (no memory) */
	/* directories whose entries changed: their new mtime and ctime, not
	 * yet in their inodes (xfs.c, "Directory times") */
	struct { ext2_ino_t ino; int64_t sec, nsec; } dtimes[XFS_DTIMES];
	unsigned ndtimes;
	uint8_t *dir_buf;                  /* a block for directory walks; NULL: libext2fs allocates */
	struct { ext2_ino_t ino; struct ext2_inode_large in __attribute__((aligned(8))); } *icache;
	                                   /* XFS_ICACHE entries; NULL: none */
	uint8_t *bmap_buf;                 /* two blocks for ext2fs_bmap2; NULL: it allocates */
	/* called when an inode with no link and no holder goes, before its
	 * blocks do (the file pages' end, pages.c); NULL: nothing */
	void (*on_kill)(struct xfs *x, ext2_ino_t ino);
	/* who asks (docs/users.md): the request's credentials, checked at
	 * every step; NULL: nobody is checked (the host tests) */
	const struct cairn_cred *cred;
	char scratch[2][XFS_PATH_MAX];
};

/* xfs_open's oflags bit: opened to exec (execute permission, not read) */
#define XFS_O_EXEC 0x80000000u

/* ---- the file system ------------------------------------------------------------------- */

/* Opens the file system on the io_manager's device name (read-only with
 * ro), reads its bitmaps. Errors: EIO (not an ext2 file system we can
 * use, a broken one), EROFS, ENOMEM; *msg says what libext2fs said. */
err_t xfs_mount(struct xfs *x, io_manager io, const char *name, bool ro, uint64_t (*now_ns)(void),
		const char **msg);
/* Everything to the device (ext2fs_flush): FS_SYNCFS, the end. */
err_t xfs_sync(struct xfs *x);
/* IO_SYNC (fsync, fdatasync): what is written so far to the device, as
 * Linux's ext2 fsync does, without ext2fs_flush's rewrite of the
 * superblock, the group descriptors and the bitmaps: every dirty page of
 * the cache (the file's data, its inode's block, its indirect blocks, a
 * new name's directory block) and the device flushed. Free counts and
 * bitmaps on the disk may lag until the next xfs_sync; after a crash
 * e2fsck mends them from the inodes. File systems whose group
 * descriptors have checksums (uninit_bg, metadata_csum) get xfs_sync. */
err_t xfs_fsync(struct xfs *x);
/* Syncs and closes. */
err_t xfs_unmount(struct xfs *x);
/* A libext2fs error (or errno) as an errno. */
err_t xfs_err(errcode_t e);

/* ---- inodes held by open descriptions -------------------------------------------------- */
void xfs_hold(struct xfs *x, ext2_ino_t ino);
/* How many descriptions hold it. */
uint32_t xfs_holds(struct xfs *x, ext2_ino_t ino);
/* The last holder of an inode with no link left frees it. */
void xfs_release(struct xfs *x, ext2_ino_t ino);

/* ---- by path (start: the directory the request came to) ---------------------------------- */
err_t xfs_open(struct xfs *x, ext2_ino_t start, const char *path, size_t len, uint32_t oflags,
	       uint32_t mode, ext2_ino_t *ino, uint32_t *type);
err_t xfs_mkdir(struct xfs *x, ext2_ino_t start, const char *path, size_t len, uint32_t mode);
/* FS_MKNOD: a socket node whose st_rdev is rdev. EINVAL: not S_IFSOCK. */
err_t xfs_mknod(struct xfs *x, ext2_ino_t start, const char *path, size_t len, uint32_t mode,
		uint64_t rdev);
err_t xfs_unlink(struct xfs *x, ext2_ino_t start, const char *path, size_t len, unsigned flags);
err_t xfs_rename(struct xfs *x, ext2_ino_t s1, const char *p1, size_t l1, ext2_ino_t s2,
		 const char *p2, size_t l2, unsigned flags);
/* old: the object for AT_EMPTY_PATH with l1 0 (else 0). */
err_t xfs_link(struct xfs *x, ext2_ino_t s1, const char *p1, size_t l1, ext2_ino_t old,
	       ext2_ino_t s2, const char *p2, size_t l2, unsigned flags);
err_t xfs_symlink(struct xfs *x, const char *target, size_t tlen, ext2_ino_t start, const char *path,
		  size_t len);
err_t xfs_readlink(struct xfs *x, ext2_ino_t start, const char *path, size_t len, char *buf,
		   size_t max, size_t *n);
/* The inode a path names (AT_SYMLINK_NOFOLLOW in flags: not the last link). */
err_t xfs_find(struct xfs *x, ext2_ino_t start, const char *path, size_t len, unsigned flags,
	       ext2_ino_t *ino);
err_t xfs_getpath(struct xfs *x, ext2_ino_t dir, char *buf, size_t max, size_t *len);

/* ---- by inode ---------------------------------------------------------------------------- */
err_t xfs_stat(struct xfs *x, ext2_ino_t ino, struct posix_stat *st);
err_t xfs_mode(struct xfs *x, ext2_ino_t ino, uint32_t *mode);
err_t xfs_size(struct xfs *x, ext2_ino_t ino, uint64_t *size);
err_t xfs_chmod(struct xfs *x, ext2_ino_t ino, uint32_t mode);
/* A write by a user other than root: a regular file's set-id bits go
 * (cred_write_mode; nothing written when there are none). */
err_t xfs_kill_setid(struct xfs *x, ext2_ino_t ino);
err_t xfs_utimens(struct xfs *x, ext2_ino_t ino, const int64_t t[4]);
err_t xfs_access(struct xfs *x, ext2_ino_t ino, unsigned mode);
/* ... as the user c is (NULL: as xfs_access) */
err_t xfs_access_as(struct xfs *x, const struct cairn_cred *c, ext2_ino_t ino, unsigned mode);
/* chown (POSIX_UID_KEEP leaves one), as x->cred may (EPERM) */
err_t xfs_chown(struct xfs *x, ext2_ino_t ino, uint32_t uid, uint32_t gid);
err_t xfs_truncate(struct xfs *x, ext2_ino_t ino, uint64_t len);
err_t xfs_read(struct xfs *x, ext2_ino_t ino, uint64_t off, void *buf, size_t n, size_t *got);
/* xfs_read without moving the access time (the pager's reads). */
err_t xfs_read_pages(struct xfs *x, ext2_ino_t ino, uint64_t off, void *buf, size_t n, size_t *got);
/* ino was accessed otherwise than by a read (an mmap): its access time
 * moves, relatime, unless the file system is read-only. */
void xfs_accessed(struct xfs *x, ext2_ino_t ino);
/* A short write (or ENOSPC for none) when the disk is full. */
err_t xfs_write(struct xfs *x, ext2_ino_t ino, uint64_t off, const void *buf, size_t n, size_t *done);
/* linux_dirent64 records from cookie (a byte position in the directory;
 * 0 the start), at most max bytes: *n bytes, *next the cookie after them. */
err_t xfs_readdir(struct xfs *x, ext2_ino_t dir, uint64_t cookie, void *buf, size_t max, size_t *n,
		  uint64_t *next);
void xfs_statfs(struct xfs *x, struct posix_statfs *sf);

/* ---- mounts ------------------------------------------------------------------------------ */
/* FS_COVER: the directory at path becomes a mount point of cap. ENOSPC: full. */
err_t xfs_cover(struct xfs *x, const char *path, size_t len, uint64_t cap);
/* FS_UNCOVER: *cap is the cover's (the caller deletes it). EINVAL: not one. */
err_t xfs_uncover(struct xfs *x, const char *path, size_t len, uint64_t *cap);
/* FS_MOUNTED: the directory at path is a mount's root at mpath; up is the covered directory
 * (the caller's old up capability, if any, comes back in *old). */
err_t xfs_mounted(struct xfs *x, const char *path, size_t len, const char *mpath, size_t mlen,
		  uint64_t up, uint64_t *old);

#endif
