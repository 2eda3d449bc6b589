/* SPDX-License-Identifier: MIT */
/*
 * The block protocol: what a block driver (drivers/virtio_blk) serves on
 * its `svc` Endpoint (include/cairn/dev.h) and a file-system server uses
 * (the client library: user/lib/blk.c, <cairn/blk_client.h>).
 * Conventions as in include/cairn/posix.h: a request is a SYS_CALL whose
 * label is the operation, the answer's label an err_t. docs/drivers.md
 * gives the whole protocol.
 *
 * ---- Sessions ------------------------------------------------------------------------
 * A client makes one physically contiguous MemoryObject (MEMOBJ_CONTIG)
 * of at least 2 pages and attaches it (BLK_ATTACH, the object as cap0 with
 * read, write and manage rights: the driver asks MEMOBJ_PADDR for its
 * address). Page 0 holds struct blk_shm and the two queues; pages 1..
 * are the data area. The device moves data straight between the disk and
 * the data area (no copy). The answer is a session: an Endpoint capability
 * minted with a badge that names it. Every later call goes to the session.
 * The driver keeps its own reference to the object while it holds the
 * session, and frees the session when the client detaches or dies (after
 * the device has finished the session's requests).
 *
 * ---- The queues (single producer, single consumer) ----------------------------------
 * Submissions: the client writes struct blk_req at sq[sq_tail % entries]
 * and then advances sq_tail; the driver takes them in order and advances
 * sq_head. Completions: the driver writes struct blk_cpl at
 * cq[cq_tail % entries] and advances cq_tail; the client takes them and
 * advances cq_head. Indexes run free mod 2^32. The driver takes a
 * submission only when its completion has room (requests in flight plus
 * unread completions at most `entries`): a client that never reads its
 * completions stops its own submissions, nobody else's. Completions come
 * in the order the device finishes requests, not in submission order:
 * match them by tag.
 *
 * ---- Signals only to sleepers --------------------------------------------------------
 * The driver sets `kick` before it waits for work and clears it while it
 * works; a client that advanced sq_tail and then (after a full fence)
 * finds kick set calls BLK_KICK. A client that wants completions calls
 * BLK_WAIT, which also takes new submissions: the driver answers it at
 * once when a completion is unread, else it saves the answer (a Reply)
 * and sends it with the next completion. A driver that dies answers no
 * saved Reply, so BLK_WAIT then fails (the kernel's error): the client's
 * in-flight requests are lost, and it attaches again (the `svc` Endpoint
 * outlives the driver).
 *
 * ---- Trust ---------------------------------------------------------------------------
 * The driver trusts nothing in the shared page: it keeps its own sq_head
 * and cq_tail (and rewrites them), checks every request (a bad one
 * completes with ERR_INVAL, the others are served), and a sq_tail more
 * than `entries` ahead of its sq_head breaks that session only (its calls
 * answer ERR_INVAL until it detaches). The client trusts the driver.
 */
#ifndef CAIRN_BLK_H
#define CAIRN_BLK_H
#include <stdint.h>
#include <cairn/abi.h>

/* ---- labels (0x600..) --------------------------------------------------------------- */
enum {
	BLK_INFO = 0x600,     /* on svc or a session: -> (capacity in bytes, block size,
	                       * BLK_F_* flags, BLK_QUEUE_MAX) */
	BLK_ATTACH,           /* on svc: cap0 = the shared MemoryObject (rw + manage),
	                       * (entries) -> (session badge), cap0 = the session (an
	                       * Endpoint, write right). entries: a power of two, 1 to
	                       * BLK_QUEUE_MAX. ERR_INVAL: entries, or an object that is
	                       * not contiguous or smaller than 2 pages; ERR_PERM: missing
	                       * rights; ERR_NOSPC: no free session (BLK_SESSIONS) */
	BLK_KICK,             /* on a session: new submissions -> (submissions taken).
	                       * ERR_INVAL: the session's queue is broken */
	BLK_WAIT,             /* on a session: take new submissions, then answer once a
	                       * completion is unread -> (unread completions). ERR_INVAL:
	                       * broken queue; ERR_BUSY: another BLK_WAIT is waiting */
	BLK_DETACH,           /* on a session: the driver forgets it once the device has
	                       * finished its requests (their completions are dropped) */
};

#define BLK_QUEUE_MAX   64u      /* entries per queue */
#define BLK_SESSIONS    8u       /* sessions a driver holds at once */

/* BLK_INFO flags */
#define BLK_F_RO        1u       /* writes fail with ERR_ROFS */
#define BLK_F_FLUSH     2u       /* the device has a write cache that BLK_OP_FLUSH empties */

/* Operations of a request */
enum {
	BLK_OP_READ = 1,      /* disk [pos, pos + len) -> data area at off */
	BLK_OP_WRITE = 2,     /* data area at off -> disk [pos, pos + len) */
	BLK_OP_FLUSH = 3,     /* every completed write is on stable storage (pos, len, off 0) */
};

/*
 * A request. pos and len are bytes, multiples of the block size, len > 0;
 * [off, off + len) must lie in the data area (off counts from the start of
 * the object, so the data area starts at 4096). Completion err: 0;
 * ERR_INVAL (unknown op, len 0 or not a multiple of the block size,
 * pos + len past the end of the disk, the buffer outside the data area);
 * ERR_ROFS (a write to a read-only disk); ERR_IO (the device failed it);
 * ERR_NOSYS (the device does not support the operation).
 */
struct blk_req {
	uint64_t tag;            /* the client's, returned in the completion */
	uint32_t op;             /* BLK_OP_* */
	uint32_t len;
	uint64_t pos;
	uint64_t off;
};

struct blk_cpl {
	uint64_t tag;
	int32_t err;             /* err_t */
	uint32_t len;            /* bytes moved (len of the request on success, else 0) */
};

/* Page 0 of the shared object: this header, then sq (BLK_SQ_OFF), then cq
 * (BLK_CQ_OFF), each BLK_QUEUE_MAX entries long whatever `entries` is. */
struct blk_shm {
	uint32_t sq_head, sq_tail;    /* sq_head: the driver's; sq_tail: the client's */
	uint32_t cq_head, cq_tail;    /* cq_head: the client's; cq_tail: the driver's */
	uint32_t kick;                /* driver: nonzero when a new submission needs BLK_KICK */
	uint32_t entries;             /* written by the driver at BLK_ATTACH */
};

#define BLK_SQ_OFF      64u
#define BLK_CQ_OFF      (BLK_SQ_OFF + BLK_QUEUE_MAX * 32u)
#define BLK_DATA_OFF    4096u    /* the data area: from page 1 to the end of the object */

_Static_assert(sizeof(struct blk_req) == 32, "blk_req is 32 bytes");
_Static_assert(sizeof(struct blk_cpl) == 16, "blk_cpl is 16 bytes");
_Static_assert(BLK_CQ_OFF + BLK_QUEUE_MAX * 16u <= BLK_DATA_OFF, "queues fit page 0");

#endif
