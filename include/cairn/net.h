/* SPDX-License-Identifier: MIT */
/*
 * The frame protocol: what a network driver (drivers/virtio_net) serves on
 * its `svc` Endpoint (include/cairn/dev.h) and the network server
 * (user/servers/net) uses. Conventions as in include/cairn/posix.h: a
 * request is a SYS_CALL whose label is the operation, the answer's label
 * an err_t. docs/drivers.md gives the whole protocol.
 *
 * ---- Sessions ------------------------------------------------------------------------
 * A client makes one physically contiguous MemoryObject (MEMOBJ_CONTIG) of
 * at least 5 pages and attaches it (NET_ATTACH: the object as cap0 with
 * read, write and manage rights, a Notification as cap1 with the write
 * right, and the bit the driver signals on it). Pages 0..3 hold struct
 * net_shm and the four queues; pages 4.. are the data area where the
 * frames are: the device moves them straight between the wire and the
 * data area (no copy). The answer is a session: an Endpoint capability
 * minted with a badge that names it. A driver holds NET_SESSIONS at once.
 * A frame received goes to one session: the one whose receive buffer the
 * device filled (the driver gives the device the sessions' rx_free
 * buffers in turn, one a session at a time).
 *
 * ---- The four queues (each single producer, single consumer) -----------------------
 *   rx_free  client -> driver: empty buffers (off, len) for frames to land in
 *   rx_used  driver -> client: those buffers, filled (off, len = frame bytes)
 *   tx       client -> driver: frames to send (off, len)
 *   tx_done  driver -> client: those buffers, sent or failed (err)
 * A queue's producer writes struct net_desc at q[tail % entries], then
 * advances tail; its consumer reads at head and advances head. Indexes run
 * free mod 2^32. A frame is an Ethernet frame without the FCS (14 bytes of
 * header and at most NET_MTU bytes of payload); the driver keeps the
 * device's own headers to itself. Every buffer handed to the driver comes
 * back exactly once (rx_used or tx_done), in any order: match by tag.
 *
 * ---- Signals only to sleepers --------------------------------------------------------
 * The driver sets `drv_sleep` before it stops looking at a session's
 * rx_free and tx queues, and clears it while it works; a client that
 * advanced rx_free.tail or tx.tail and then (after a full fence) finds
 * drv_sleep set calls NET_KICK; so does one that took entries from rx_used
 * or tx_done while its rx_free or tx still holds entries the driver has
 * not taken (the driver takes a buffer only when its answer has room in
 * rx_used or tx_done, so it may have stopped for want of room). The
 * client sets `cli_sleep` before it waits on its Notification (and looks
 * at rx_used and tx_done once more, after a full fence); the driver, having advanced rx_used.tail or
 * tx_done.tail, signals the Notification only when it finds cli_sleep set
 * (and clears it). No wake-up is lost: either the other side's look saw
 * the new entry, or this side saw the flag.
 *
 * ---- Trust ---------------------------------------------------------------------------
 * The driver trusts nothing in the shared page: it keeps its own copies of
 * the indexes it owns (and rewrites them), copies each descriptor before
 * checking it (a buffer outside the data area, shorter than a frame's
 * header or longer than NET_FRAME_MAX (tx) or shorter than NET_BUF_MIN (rx)
 * comes back with ERR_INVAL; the others are served), and a tail more than
 * `entries` ahead of its head breaks that session only (its calls answer
 * ERR_INVAL until it detaches). The client trusts the driver.
 */
#ifndef CAIRN_NET_H
#define CAIRN_NET_H
#include <stdint.h>
#include <cairn/abi.h>

/* ---- labels (0x900..) --------------------------------------------------------------- */
enum {
	NET_INFO = 0x900,     /* on svc or a session: -> (MAC address in bits 0..47,
	                       * its byte i in bits 8i..8i+7,
	                       * NET_MTU, NET_F_* flags, NET_QUEUE_MAX) */
	NET_ATTACH,           /* on svc: cap0 = the shared MemoryObject (rw + manage),
	                       * cap1 = a Notification (write), (entries, signal bit
	                       * number 0..63) -> (session badge), cap0 = the session (an
	                       * Endpoint, write right). entries: a power of two, 1 to
	                       * NET_QUEUE_MAX. ERR_INVAL: entries or bit, an object that is
	                       * not contiguous or smaller than 5 pages, no Notification;
	                       * ERR_PERM: missing rights; ERR_NOSPC: no free session */
	NET_KICK,             /* on a session: look at rx_free and tx now -> 0.
	                       * ERR_INVAL: the session's queues are broken */
	NET_DETACH,           /* on a session: the driver forgets it once the device has
	                       * given back its buffers (their entries are dropped; a
	                       * receive buffer the device holds is taken back by
	                       * resetting the device) */
};

#define NET_QUEUE_MAX   128u     /* entries per queue */
#define NET_SESSIONS    4u       /* sessions a driver holds at once */
#define NET_MTU         1500u    /* payload bytes of a frame, after the 14-byte header */
#define NET_FRAME_MAX   1514u    /* a whole frame, without the FCS */
#define NET_BUF_MIN     1514u    /* the smallest receive buffer */

/* NET_INFO flags */
#define NET_F_LINK      1u       /* the link is up (a device without link status: always) */

/* A buffer. tag: the client's, given back; off: a byte offset in the
 * object, in the data area (from NET_DATA_OFF); len: the frame's bytes (tx, rx_used)
 * or the buffer's room (rx_free); err: 0 or an err_t in rx_used and tx_done
 * (ERR_INVAL: a bad descriptor; ERR_IO: the device failed it, or the buffer
 * was still with the device when the session ended). */
struct net_desc {
	uint64_t tag;
	uint64_t off;
	uint32_t len;
	int32_t err;
};

struct net_queue {
	uint32_t head, tail;
	uint32_t pad[14];             /* each queue's indexes in their own cache line */
};

/* Pages 0..3 of the shared object: the header, then the four queues (NET_Q_OFF
 * + k * NET_QUEUE_MAX * 24 for queue k in the order of enum net_qid), each
 * NET_QUEUE_MAX entries long whatever `entries` is. */
enum net_qid { NET_Q_RX_FREE, NET_Q_RX_USED, NET_Q_TX, NET_Q_TX_DONE, NET_NQ };

struct net_shm {
	struct net_queue q[NET_NQ];
	uint32_t drv_sleep;           /* driver: nonzero when rx_free/tx need NET_KICK */
	uint32_t cli_sleep;           /* client: nonzero when it waits for its Notification */
	uint32_t entries;             /* written by the driver at NET_ATTACH */
};

#define NET_Q_OFF       512u
#define NET_DATA_OFF    16384u   /* the data area: from page 4 to the end of the object */

_Static_assert(sizeof(struct net_desc) == 24, "net_desc is 24 bytes");
_Static_assert(sizeof(struct net_shm) <= NET_Q_OFF, "the header fits before the queues");
_Static_assert(NET_Q_OFF + NET_NQ * NET_QUEUE_MAX * 24u <= NET_DATA_OFF,
	       "queues fit pages 0..3");

#endif
