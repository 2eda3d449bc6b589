/* SPDX-License-Identifier: MIT */
/*
 * What the VFS server's own files share (not its clients: they see
 * include/cairn/posix.h and vfs.h): the object table (objects.c), pipes
 * (pipe.c), open files (file.c), exec images (image.c), paths (path.c), the clock (clock.c),
 * /proc (procfs.c), and the globals main.c sets up. Handlers take the skeleton's request
 * and answer (<cairn/server.h>); a request's inline bytes are at
 * req_bytes, an answer's are written at ans_bytes (the IPC buffer).
 */
#ifndef VFS_INTERNAL_H
#define VFS_INTERNAL_H
#include <string.h>
#include <cairn/rt.h>
#include <cairn/linux.h>
#include <cairn/posix.h>
#include <cairn/server.h>
#include <cairn/fmap.h>
#include "tmpfs.h"
#include "vfs.h"

#define HANDLE_BLOCK    256u
#define HANDLE_MAX      65536u            /* entries of the object table */
#define PIPE_SIZE       POSIX_PIPE_RING
#define PIPE_PAGES      (PIPE_SIZE / TMPFS_PAGE)
#define PIPE_BUF        POSIX_PIPE_BUF    /* writes up to this are atomic */
#define PIPE_SHARED_MAX 128u              /* pipes with a shared ring (3 slots each) */
#define SLOT_BUDGET     768u              /* saved Replies, armed Notifications, shared pipes */
#define ARMS_PER_END    16u
#define PIPE_DEV        2                 /* st_dev of pipes */
#define INLINE_MAX      POSIX_INLINE_MAX
#define DEV_NULL        0x103u            /* makedev(1, 3) */
#define DEV_ZERO        0x105u            /* makedev(1, 5) */
#define DEV_FULL        0x107u            /* makedev(1, 7) */
#define DEV_RANDOM      0x108u            /* makedev(1, 8) */
#define DEV_URANDOM     0x109u            /* makedev(1, 9) */
#define DEV_TTY         0x500u            /* makedev(5, 0) */
#define DEV_CONSOLE     0x501u            /* makedev(5, 1) */
#define DEV_PTMX        0x502u            /* makedev(5, 2) */
#define DEV_PTS0        0x8800u           /* makedev(136, N): /dev/pts/N */
#define DEV_NPTS        64                /* the console server's ptys */

/* Status flags an open file description keeps (F_GETFL). */
#define KEEP_FLAGS   (~(uint32_t)(LINUX_O_CREAT | LINUX_O_EXCL | LINUX_O_NOCTTY | LINUX_O_TRUNC | LINUX_O_CLOEXEC))

#define NO_ENTRY        UINT32_MAX        /* srv_ans.made[]: a capability that made no entry */

/* H_MOUNTCB: mount.c, a launched server's callback. H_REF: one capability's
 * reference of an open description (objects.c) */
enum { H_FREE, H_NODE, H_PIPE_R, H_PIPE_W, H_MOUNTCB, H_REF };

struct pipe;

struct handle {
	uint64_t badge;
	uint32_t refs;                    /* UINT32_MAX: the root, never freed */
	uint32_t flags;                   /* O_ACCMODE and status flags */
	uint32_t gen;
	uint32_t next_free;
	uint8_t kind;
	bool leased;                      /* the offset is the client's (fmap.c, POSIX_FMAP_LEASE) */
	bool both;                        /* H_PIPE_R of a FIFO opened O_RDWR: a writer too */
	bool sys;                         /* opened through a system service's capability:
	                                   * a request without a token is root's (docs/users.md) */
	bool fsetid;                      /* opened by root: its writes keep set-id bits */
	uint64_t pos;                     /* file offset, or directory cookie */
	struct tmpfs_node *node;
	struct pipe *pipe;
	uint8_t *snap;                    /* a /proc file: its text, made at open */
	uint32_t snap_len;
	struct handle *desc;              /* H_REF: the description it holds a reference of */
	uint64_t desc_badge;              /* H_REF: desc's badge then (desc freed: a dead ref) */
	bool pinned;                      /* H_REF: a tmpfs mount's root, whose copies every
	                                   * redirect hands out: no client's close or end
	                                   * takes it (the unmount does) */
};

/* A /proc file (procfs.c): its bytes are the open description's snapshot. */
static inline bool is_snapshot(const struct handle *h)
{
	return h->kind == H_NODE && tmpfs_is_reg(h->node) && (h->node->flags & TMPFS_F_SYNTH);
}

/* A call waiting for a pipe: its saved Reply and what it asked for. */
struct waiter {
	struct waiter *next;
	cap_t reply;
	uint64_t badge;                   /* the pipe end it came through */
	uint32_t len;                     /* reader: max bytes; writer: bytes in data */
	uint8_t *data;
};

/* A Notification to signal when a pipe end becomes ready (IO_POLL_ARM). */
struct arm {
	struct arm *next;
	cap_t notif;
	uint64_t bits, badge;
	uint32_t events;
};

struct pipe {
	struct posix_pipe_shm *s;         /* the header: shared page 0, or local */
	uint8_t *page[PIPE_PAGES];        /* the ring: shared pages 1.., or made as needed */
	bool shared;
	cap_t obj[3];                     /* shared: MemoryObject, data and space Notifications */
	void *va;                         /* shared: where the server maps it */
	struct posix_pipe_shm local;
	uint32_t readers, writers;        /* open descriptions of each end */
	struct waiter *rq, *wq;           /* waiting readers, writers (FIFO) */
	struct arm *arms[2];              /* [0] read end, [1] write end */
	uint32_t narms[2];
	uint64_t ino;
	struct tmpfs_time ctime;
	struct fifo *fifo;                /* a FIFO's pipe (fifo.c): its file's dev, mode */
	uint64_t dev;
	uint32_t perm;
};

static inline struct tmpfs_node *dir_of(const struct handle *h)
{
	return h->kind == H_NODE && tmpfs_is_dir(h->node) ? h->node : NULL;
}

/* main.c */
extern struct tmpfs fs;
extern cap_t ep;                          /* the endpoint served, rights rwg */
extern uint64_t vfs_ep_id;                /* its object id (CAP_OP_IDENTIFY) */
extern uint8_t req_bytes[INLINE_MAX];     /* the request's inline bytes */
extern uint8_t *ans_bytes;                /* the answer's inline bytes (IPC buffer) */
extern struct handle *req_ref;            /* the reference the request came through, or NULL */

/* objects.c, inline: every request looks its badge up */
extern struct handle *hblock[HANDLE_MAX / HANDLE_BLOCK];
extern uint32_t hnext;                    /* entries below it have been used */

static inline struct handle *handle_at(uint32_t i)
{
	return &hblock[i / HANDLE_BLOCK][i % HANDLE_BLOCK];
}

/* The entry badge names whatever its kind, or NULL; badge 0 is the root's. */
static inline struct handle *entry_find(uint64_t badge)
{
	uint32_t i;
	struct handle *h;

	if (!badge)
		badge = POSIX_VFS_ROOT;
	i = VFS_BADGE_INDEX(badge);
	if (i >= hnext)
		return NULL;
	h = handle_at(i);
	return h->kind != H_FREE && h->badge == badge ? h : NULL;
}

/* The object a client's badge names, or NULL: a reference's (H_REF)
 * description, the root, or a launched server's callback. A description
 * is never named by its own badge (that one is the server's: locks,
 * waiters and arms are keyed by it). */
static inline struct handle *handle_find(uint64_t badge)
{
	struct handle *h = entry_find(badge);

	if (!h)
		return NULL;
	if (h->kind == H_REF)
		return h->desc->kind != H_FREE && h->desc->badge == h->desc_badge ? h->desc : NULL;
	return h->refs == UINT32_MAX || h->kind == H_MOUNTCB ? h : NULL;
}

static inline bool is_root(const struct handle *h)
{
	return h->refs == UINT32_MAX;
}

/* clock.c */
struct tmpfs_time stamp(void);
void touch_atime(struct tmpfs_node *n);

/* objects.c */
extern uint32_t hcount;                   /* entries in use that are not references */
uint32_t handles_free(void);
extern uint32_t nrefs;                    /* references (H_REF entries) in use */
err_t objects_init(uint64_t seed);
err_t handle_new(uint8_t kind, uint32_t flags, struct handle **out_h);
void handle_free(struct handle *h);
void handle_release(struct handle *h);
err_t give(struct srv_ans *a, struct handle *h);
err_t ref_mint(struct handle *h, bool more, cap_t *cap, uint32_t *index);
err_t ref_give(struct srv_ans *a, struct handle *h);
void ref_close(struct handle *ref);

/* pipe.c */
extern uint32_t nwaiters, narms;          /* calls waiting, poll arms waiting */
void fs_pipe(struct srv_ans *a, const struct srv_req *r);
void pipe_end_closed(struct handle *h);
void pipe_flags(struct handle *h);
void pipe_stat(const struct pipe *p, struct posix_stat *st);
void pipe_read(struct srv_ans *a, struct handle *h, uint64_t max);
void pipe_write(struct srv_ans *a, struct handle *h, const uint8_t *data, uint32_t n);
void pipe_map(struct srv_ans *a, struct handle *h);
void pipe_arm(struct srv_ans *a, struct handle *h, cap_t *notif, uint32_t events, uint64_t bits);
uint32_t pipe_used(const struct pipe *p);
uint32_t pipe_revents(const struct pipe *p, bool wend);
void pipe_pump(struct pipe *p, bool readers_too);
struct pipe *pipe_new(void);
void pipe_discard(struct pipe *p);

/* fifo.c: FIFOs (FS_FIFO) */
struct fifo;
void fs_fifo(struct srv_req *r, struct srv_ans *a);
void fifo_pipe_freed(struct fifo *f);

/* file.c */
void serve_io(struct srv_req *r, struct srv_ans *a);
bool can_read(const struct handle *h);
bool can_write(const struct handle *h);
void write_kills_setid(const struct handle *h);
void answer_stat(struct srv_ans *a, const struct posix_stat *st);

/* image.c: exec images (IO_IMAGE) */
void io_image(struct srv_req *r, struct srv_ans *a, struct handle *h);
/* Drops every image kept: true if there was one (its memory is free). */
bool images_drop(void);

/* fmap.c: file pages (IO_FMAP, IO_FEXTEND, page requests) */
void fmap_setup(void);
void fmap_sync(struct tmpfs_node *n);
uint64_t fmap_evict(void);
void fmap_page_request(struct srv_req *r, struct srv_ans *a);
err_t fmap_answer(struct srv_ans *a, struct handle *h, unsigned at, bool table, uint64_t bytes,
		  const uint8_t *have);
void fmap_extend(struct srv_ans *a, const struct srv_req *r, struct handle *h);

/* path.c */
void serve_fs(struct srv_req *r, struct srv_ans *a);

/* lock.c: record and flock locks (IO_LOCK) */
void io_lock(struct srv_ans *a, const struct srv_req *r, struct handle *h);
void lock_close(struct handle *h, uint64_t pid);
void lock_desc_freed(struct handle *h);
void lock_gone(struct handle *h);

/* mount.c: the mount table */
extern bool mount_work_pending;
extern cap_t relay_note;                  /* the relay's Notification (main.c) */
void mount_init(unsigned root_wait_s, bool disk_tmp, struct tmpfs_node *proc_dir);
err_t mount_timer(unsigned seconds);
/* The request at hand is a system service's: redirects give admin capabilities */
extern bool mount_trusted;
void mount_remote(struct srv_ans *a);
bool mount_root_request(struct srv_ans *a);
void mount_event(uint64_t bits);
void mount_do_work(void);
size_t mount_text(char *buf, size_t max);
void serve_mount(struct srv_req *r, struct srv_ans *a);
void mount_cb_gone(struct handle *h);
void dev_blk_start(void);
err_t dev_synth_lookup(struct tmpfs_node *dir);     /* /dev's tmpfs hooks, through procfs.c's */
void dev_synth_fill(struct tmpfs_node *dir);
void dev_event(uint64_t bits);

/* procfs.c: /proc */
extern uint64_t procfs_caller;            /* the request's claimed pid (FS_* w3), or 0 */
void procfs_init(void);
/* Whether the process server says pid lives (a zombie does not); true
 * without a process server to ask. */
bool procfs_pid_live(uint32_t pid);
/* The text of /proc file n now, in memory of tmpfs_alloc (*len bytes,
 * allocated max(*len, 1)); ENOENT if its process ended. */
err_t procfs_snapshot(const struct tmpfs_node *n, uint8_t **out, uint32_t *len);
/* dev.c: the character devices of /dev */
void dev_init(void);                      /* makes /dev and its nodes */
bool dev_is_tty(const struct tmpfs_node *n);
/* Opening /dev/tty or /dev/console: the console's shared tty as the
 * answer's next capability (made[] NO_ENTRY); /dev/ptmx or
 * /dev/pts/N: the console server's opener for it (made[] NO_ENTRY,
 * include/cairn/posix.h: POSIX_PTY_OPENER). ERR_NXIO without "tty". */
err_t dev_open_tty(struct srv_ans *a, const struct tmpfs_node *n);
/* IO_READ (at most INLINE_MAX bytes) and IO_WRITE of a character device. */
void dev_read(struct srv_ans *a, const struct tmpfs_node *n, uint64_t max);
void dev_write(struct srv_ans *a, const struct tmpfs_node *n, const uint8_t *data, uint64_t len);

#endif
