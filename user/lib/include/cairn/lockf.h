/* SPDX-License-Identifier: MIT */
/*
 * Record locks and flock locks for a file server (user/lib/lockf.c): the
 * one implementation the VFS (tmpfs) and the ext2 server share. The
 * protocol is IO_LOCK of include/cairn/posix.h; docs/vfs.md, "Locks".
 *
 * The table keeps, per file (a key the server chooses: an inode number),
 * its byte-range locks (POSIX ones, owned by a pid, and OFD ones, owned
 * by an open file description) and its flock locks (owned by a
 * description, whole file), and the requests waiting for them. It makes
 * no system call: the server saves a waiter's Reply and hands it over as
 * a cookie; the table calls back answer(cookie, err) when the waiter is
 * granted (err 0: the lock is applied only if that answer was delivered)
 * or fails. Memory comes from the server's alloc/release hooks.
 */
#ifndef CAIRN_LOCKF_H
#define CAIRN_LOCKF_H
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <cairn/err.h>

#define LK_RD   0                 /* Linux's F_RDLCK, F_WRLCK, F_UNLCK */
#define LK_WR   1
#define LK_UN   2
#define LK_POSIX 0                /* kinds of lock */
#define LK_OFD   1
#define LK_FLOCK 2
#define LK_END   UINT64_MAX       /* a range's end: to the end of file and beyond */
#define LK_WAITERS_MAX 64         /* requests waiting in one server (ENOLCK past it) */
#define LK_BUCKETS 64

struct lk_lock {
	struct lk_lock *next;
	uint64_t owner;                   /* POSIX: the pid; OFD, flock: the description's id */
	uint64_t start, end;              /* bytes [start, end]; end LK_END: to the end and beyond */
	uint32_t pid;                     /* for F_GETLK: who set it */
	uint8_t type, kind;
};

struct lk_file {
	struct lk_file *next;
	uint64_t key;
	struct lk_lock *locks;            /* POSIX and OFD */
	struct lk_lock *flocks;
	unsigned nwait;
};

struct lk_req {
	uint8_t kind, type;
	uint64_t owner;
	uint32_t pid;
	uint64_t start, end;
};

struct lk_waiter {
	struct lk_waiter *next;
	struct lk_file *file;
	struct lk_req q;
	uint64_t desc;                    /* the description it came through */
	uint64_t cookie;                  /* the server's (its saved Reply) */
};

struct lk_table {
	struct lk_file *files[LK_BUCKETS];
	struct lk_waiter *waiters;        /* every waiting request, oldest first */
	unsigned nwaiters;
	void *(*alloc)(size_t n);
	void (*release)(void *p, size_t n);
	/* answers a waiter; returns 0 when the answer was delivered */
	err_t (*answer)(uint64_t cookie, err_t err);
};

/* Bytes [*start, *end] of an flock-style (l_start, l_len) from base (0 for
 * SEEK_SET, the size for SEEK_END). ERR_INVAL: before byte 0;
 * ERR_OVERFLOW: past 2^63 - 1. */
err_t lk_range(int64_t base, int64_t l_start, int64_t l_len, uint64_t *start, uint64_t *end);

/* Sets or removes a lock now: 0, ERR_AGAIN (a conflicting lock), ERR_NOLCK
 * (no memory). An flock request first drops the owner's own flock lock (a
 * conversion is not atomic, as on Linux). Waiters the change lets through
 * are answered. */
err_t lk_set(struct lk_table *t, uint64_t key, const struct lk_req *q);

/* Whether waiting for q would deadlock (POSIX locks: a cycle of owners
 * each waiting for the next, in this table). */
bool lk_deadlock(struct lk_table *t, uint64_t key, const struct lk_req *q);

/* q waits (after lk_set said ERR_AGAIN): 0, or ERR_NOLCK (too many
 * waiters, no memory): the caller answers that itself. */
err_t lk_wait(struct lk_table *t, uint64_t key, const struct lk_req *q, uint64_t desc, uint64_t cookie);

/* F_GETLK: the first lock that conflicts with q into *out (true), or false. */
bool lk_get(struct lk_table *t, uint64_t key, const struct lk_req *q, struct lk_lock *out);

/* The process pid closed a descriptor of the file: its POSIX locks on it
 * go (POSIX's rule), waiters let through are answered. */
void lk_close_pid(struct lk_table *t, uint64_t key, uint32_t pid);

/* The last reference of description desc went: its OFD and flock locks go,
 * and its waiters are answered ERR_BADF. */
void lk_close_desc(struct lk_table *t, uint64_t key, uint64_t desc);

/* Waiting requests of pid (POSIX) or desc through desc on the file end
 * with err (an interrupted F_SETLKW that told the server). */
void lk_cancel(struct lk_table *t, uint64_t key, uint64_t desc, uint32_t pid, err_t err);

/* No description of the file is open any more: everything of it goes. */
void lk_forget(struct lk_table *t, uint64_t key);

/* The distinct pids holding POSIX locks on the file (at most max) */
unsigned lk_pids(struct lk_table *t, uint64_t key, uint32_t *out, unsigned max);

/* Whether the file has any lock or waiter */
bool lk_busy(struct lk_table *t, uint64_t key);

/*
 * Serves IO_LOCK (include/cairn/posix.h, "locks") on description desc of
 * file key: size is the file's (for SEEK_END), rd and wr whether the
 * description is open for reading, writing. A request that must wait has
 * its Reply saved (srv_save_reply) and is answered through t->answer.
 */
struct srv_req;
struct srv_ans;
/* The server's word on whether a lock holder's pid still lives (NULL:
 * every one does). A request that meets another process's POSIX lock
 * asks it first, so a holder that has ended (killed: its locks go when
 * the server hears of its dead references, which may come after its
 * parent's wait) is no obstacle. */
extern bool (*lk_pid_live)(uint32_t pid);
void lk_serve(struct lk_table *t, const struct srv_req *r, struct srv_ans *a, uint64_t key, uint64_t desc,
	      uint64_t size, bool rd, bool wr);

#endif
