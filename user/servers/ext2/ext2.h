/* SPDX-License-Identifier: MIT */
/*
 * What the ext2 server's Cairn side shares (main.c, proto.c, blkdev.c):
 * the object table (open file descriptions, named by badges as the VFS's:
 * docs/vfs.md "Objects and badges"), the file system (xfs.h) and the
 * device (bcache.h).
 */
#ifndef EXT2_EXT2_H
#define EXT2_EXT2_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <cairn/libc.h>
#include <cairn/server.h>
#include "bcache.h"
#include "xfs.h"

#define BLKDEV_IO      65536u            /* the session's data area */
#define HANDLE_MAX     65536u            /* open descriptions (EMFILE) */
#define INLINE_MAX     POSIX_INLINE_MAX
#define NO_ENTRY       UINT32_MAX        /* srv_ans.made[]: a capability that made no entry */
#define BADGE_INDEX(b) ((uint32_t)((b) & 0xffffffu))
#define KEEP_FLAGS   (~(uint32_t)(LINUX_O_CREAT | LINUX_O_EXCL | LINUX_O_NOCTTY | LINUX_O_TRUNC | LINUX_O_CLOEXEC))

/* An open file description (or the root, index POSIX_VFS_ROOT, or the
 * admin capability's root, index POSIX_FS_ADMIN: both never freed), or a
 * reference of one (ref: what a client's badge names, as the VFS's H_REF:
 * each capability handed out is a reference of its own, which IO_CLOSE
 * through it or its holder's death releases once). */
struct handle {
	uint64_t badge;
	uint32_t refs;                     /* UINT32_MAX: root or admin */
	uint32_t flags;                    /* O_ACCMODE and status flags */
	uint32_t gen, next_free;
	bool used;
	uint64_t pos;                      /* offset, or directory cookie */
	ext2_ino_t ino;
	uint32_t type;                     /* the inode's S_IFMT bits (fixed while it is held) */
	bool sys;                          /* opened through a system service's capability: a
	                                    * request without a token is root's (docs/users.md) */
	bool fsetid;                       /* opened by root: its writes keep set-id bits */
	bool ref;                          /* a reference: of desc (as it was: desc_badge) */
	struct handle *desc;
	uint64_t desc_badge;
};

extern struct xfs xfs;
extern cap_t ep;
extern uint64_t ep_id;                   /* CAP_OP_IDENTIFY's object id of ep */
extern uint8_t req_bytes[INLINE_MAX];

/* main.c: the object table */
struct handle *handle_find(uint64_t badge);
err_t handle_new(ext2_ino_t ino, uint32_t type, uint32_t flags, struct handle **out);
void handle_free(struct handle *h);
void handle_release(struct handle *h);
err_t give(struct srv_ans *a, struct handle *h);
err_t ref_give(struct srv_ans *a, struct handle *h);
void ref_close(struct handle *ref);
extern struct handle *req_ref;           /* the reference a request came through, or NULL */
err_t server_stop(void);             /* FS_STOP: close, end once answered (main.c) */
extern uint32_t hcount;
static inline bool is_fixed(const struct handle *h) { return h->refs == UINT32_MAX; }

/* lock.c: record and flock locks (IO_LOCK, <cairn/lockf.h>) */
void io_lock(struct srv_ans *a, const struct srv_req *r, struct handle *h);
void lock_close(struct handle *h, uint64_t pid);
void lock_desc_freed(struct handle *h);
void lock_gone(struct handle *h);
static inline bool is_dir_h(const struct handle *h) { return LINUX_S_ISDIR(h->type); }

/* proto.c: the protocols */
void serve_io(struct srv_req *r, struct srv_ans *a);
void serve_fs(struct srv_req *r, struct srv_ans *a);

/* image.c: exec images (IO_IMAGE); a file's images go when it changes */
void io_image(struct srv_req *r, struct srv_ans *a, struct handle *h, bool readable);
void image_forget(ext2_ino_t ino);

/* pages.c: file pages (IO_FMAP, IO_FEXTEND, page requests): a regular
 * file's bytes as a MemoryObject this server pages from the disk. The
 * server's own writes and truncations tell it (pages_wrote,
 * pages_truncated); pages_sync writes clients' stores back. */
void pages_init(void);
void pages_request(struct srv_req *r, struct srv_ans *a);
void pages_fmap(struct srv_ans *a, struct handle *h, bool table, uint64_t bytes, bool write);
void pages_opened(struct srv_ans *a, const struct srv_req *r, struct handle *h, bool write);
void pages_extend(struct srv_ans *a, const struct srv_req *r, struct handle *h, bool write);
void pages_wrote(ext2_ino_t ino, uint64_t off, const void *data, size_t n);
void pages_truncated(ext2_ino_t ino);
void pages_closing(struct handle *h, bool writable);
err_t pages_sync(ext2_ino_t ino);
err_t pages_sync_all(void);

/* alloc.c: malloc and free keep buffers of one and three blocks (the
 * file system's block size) for the next malloc of that size */
void alloc_keep(size_t block);

/* blkdev.c: the device named name, through the device manager (devmgr) or
 * a block service capability (blk, when not CAP_NULL). */
err_t blkdev_open(cap_t devmgr, cap_t blk, const char *name, struct bdev *d);

#endif
