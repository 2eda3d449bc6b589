/* SPDX-License-Identifier: MIT */
/*
 * The socket protocol: between musl-port (musl-port/src/cairn/socket.c)
 * and the network server (user/servers/net, docs/net.md). Conventions as
 * in include/cairn/posix.h: a request is a SYS_CALL whose label is the
 * operation, the answer's label 0 or a POSIX errno (include/cairn/err.h),
 * bytes inline from word 4 of the IPC buffer (at most POSIX_INLINE_MAX).
 *
 * A socket is a server object like a pipe end: an Endpoint capability
 * minted with a badge that names it, held in the descriptor table. It
 * speaks the I/O protocol (posix.h: IO_READ and IO_WRITE are recv and
 * send with no flags and no address; IO_POLL, IO_POLL_ARM, IO_STAT
 * (S_IFSOCK), IO_GETFL, IO_SETFL (O_NONBLOCK), IO_DUP, IO_CLOSE,
 * IO_IOCTL (FIONREAD, FIONBIO; SIOCGIF* on any socket)) and the SOCK_*
 * operations below. Every POSIX process holds the server's unbadged
 * endpoint as "net" (the process server's manifest: posix.net); without
 * it socket() is EAFNOSUPPORT.
 *
 * Values are Linux's, as musl's headers have them: address families,
 * socket types and their SOCK_NONBLOCK flag, MSG_* flags, SOL_SOCKET,
 * IPPROTO_*, option names, and addresses: struct sockaddr_in (16 bytes),
 * sockaddr_in6 (28), sockaddr_un (up to 110), in network byte order where
 * Linux has them so. The server translates to and from lwIP's.
 *
 * An address travels inline, first, padded to a multiple of 8 bytes:
 * SOCK_ADDR_PAD(addrlen) bytes; data follows it.
 *
 * Waiting: an operation that must wait (accept with no connection
 * queued, connect until the handshake ends, recv with nothing queued, send
 * with no room) is answered later (a saved Reply) unless the description
 * is O_NONBLOCK or the call says MSG_DONTWAIT: then ERR_AGAIN (connect:
 * ERR_INPROGRESS, the result later through SO_ERROR and POLLOUT). A
 * caller interrupted by a signal gets ERR_INTR from the kernel; the
 * server notices when it answers and drops that answer (nothing is
 * taken). A blocking stream send is answered as soon as some bytes went
 * in: the client sends the rest (so a signal between parts returns the
 * count sent, as on Linux).
 */
/*
 * AF_UNIX (docs/net.md, "Unix domain sockets"). socket(AF_UNIX) makes a
 * socket of the server with no lwIP underneath; its names are:
 * - a path: bind asks SOCK_BIND, whose answer w0 is the name's key, a
 *   random 64-bit number the server chose, then makes the socket node
 *   with FS_MKNOD (include/cairn/posix.h) whose st_rdev is the key
 *   (EEXIST: SOCK_BIND with SOCK_UX_UNDO, and EADDRINUSE). connect and
 *   sendto stat the path and send the node's st_rdev: the server finds
 *   the socket by that key and nothing else. Only a process that can
 *   stat the node learns its key (or one that was told it, which could
 *   as well have been given a connected descriptor), so a client that
 *   lies reaches no socket it could not reach by path: it can only guess
 *   a 64-bit number. A stale node (its socket closed, or the key of
 *   another boot) is ECONNREFUSED.
 * - abstract (sun_path[0] == 0, Linux's): the name's bytes and length.
 * A request that names an AF_UNIX address (SOCK_BIND and SOCK_CONNECT
 * with SOCK_UX_KEYED in w1, SOCK_SEND with it in w3) carries a struct
 * sock_ux after the padded address (data follows it), as SOCK_OPEN and
 * SOCK_PAIR may carry one inline: the key and the caller's credentials
 * (SO_PEERCRED; claims of the caller's C library, which the server does
 * not check).
 *
 * SCM_RIGHTS: SOCK_SEND on an AF_UNIX socket carries the descriptors'
 * capabilities (at most SOCK_RIGHTS_MAX; each with a reference of its
 * own, IO_DUP, which travels with it). The server keeps them with the
 * bytes they came with; SOCK_RECV w2 says how many the caller takes, and
 * the answer carries that many (w3 MSG_CTRUNC when more came: the server
 * releases those, IO_CLOSE). More than SOCK_RIGHTS_MAX (up to
 * SOCK_RIGHTS_LIMIT): the sender first sends SOCK_SENDs of no bytes with
 * SOCK_UX_STAGE and a token of its choice in w3's high half, three
 * capabilities each, then the real one with SOCK_UX_STAGED and the same
 * token, which takes them in order before its own (one staging a
 * socket: another token's first stage drops an older one, and a
 * SOCK_UX_STAGED send whose token was dropped is ERR_AGAIN). The
 * receiver gets three with the bytes and SOCK_RIGHTS_MORE in w3 while
 * more of those it takes wait; SOCK_RECV with SOCK_RECV_RIGHTS in w1
 * answers the next three (no bytes), until no SOCK_RIGHTS_MORE. Rights
 * left waiting when another receive of rights comes are released.
 * A stream receive stops at the end of bytes
 * that came with capabilities and before the next such bytes. Whenever
 * the server refuses a SOCK_SEND that carried capabilities (any error; a
 * socket not AF_UNIX: ERR_INVAL), it releases them.
 */
#ifndef CAIRN_SOCK_H
#define CAIRN_SOCK_H
#include <stdint.h>
#include <cairn/posix.h>

#define SOCK_ADDR_MAX      128                        /* sizeof(struct sockaddr_storage) */
#define SOCK_ADDR_PAD(n)   (((uint64_t)(n) + 7) & ~7ull)
/* The most data one SOCK_SEND or SOCK_RECV carries (an address may come too) */
#define SOCK_DATA_MAX      (POSIX_INLINE_MAX - SOCK_ADDR_MAX)

#define SOCK_UX_KEYED      1u     /* a struct sock_ux follows the address */
#define SOCK_UX_UNDO       2u     /* SOCK_BIND: the node could not be made: forget the name */
#define SOCK_UX_STAGE      4u     /* SOCK_SEND w3: capabilities only, more follow (below) */
#define SOCK_UX_STAGED     8u     /* SOCK_SEND w3: the send takes what was staged */
#define SOCK_RIGHTS_LIMIT  253u   /* descriptors a sendmsg passes (Linux's SCM_MAX_FD) */
#define SOCK_RIGHTS_MORE   (1ull << 32)   /* SOCK_RECV answer w3: more capabilities wait */
#define SOCK_RECV_RIGHTS   (1ull << 32)   /* SOCK_RECV w1 (alone): take them (no bytes) */
#define SOCK_RIGHTS_MAX    3u     /* capabilities one SOCK_SEND passes (an answer carries 3) */
struct sock_ux {
	uint64_t key;                 /* a path's key: its node's st_rdev (0: abstract) */
	uint32_t pid, uid, gid, pad;  /* the caller (SO_PEERCRED) */
};

enum {
	SOCK_OPEN = 0xa00,    /* on "net" (unbadged): (domain, type | SOCK_NONBLOCK,
	                       * protocol) -> cap0 = the socket. ERR_AFNOSUPPORT (domain),
	                       * ERR_SOCKTNOSUPPORT / ERR_PROTONOSUPPORT (type, protocol),
	                       * ERR_NOMEM, ERR_NFILE (the server's table is full) */
	SOCK_PAIR,            /* on "net": (domain AF_UNIX, type | SOCK_NONBLOCK, protocol)
	                       * -> cap0, cap1 = two sockets connected to each other */
	SOCK_BIND,            /* (addrlen [, SOCK_UX_*]) + address [+ sock_ux] -> 0 (AF_UNIX
	                       * path: w0 the key). ERR_ADDRINUSE, ERR_ADDRNOTAVAIL,
	                       * ERR_INVAL (bound already, or a bad length), ERR_AFNOSUPPORT */
	SOCK_LISTEN,          /* (backlog) -> 0. ERR_OPNOTSUPP: not a stream socket */
	SOCK_ACCEPT,          /* (flags: SOCK_NONBLOCK for the new socket) -> cap0 = the new
	                       * socket, (addrlen) + the peer's address. Waits for a
	                       * connection. ERR_INVAL: not listening; ERR_AGAIN */
	SOCK_CONNECT,         /* (addrlen [, SOCK_UX_KEYED]) + address [+ sock_ux] -> 0 once
	                       * connected (AF_UNIX: ERR_CONNREFUSED, ERR_PROTOTYPE). ERR_INPROGRESS
	                       * (non-blocking), ERR_ALREADY, ERR_ISCONN, ERR_CONNREFUSED,
	                       * ERR_TIMEDOUT, ERR_NETUNREACH, ERR_HOSTUNREACH. A datagram
	                       * socket only records the peer (AF_UNSPEC: forgets it) */
	SOCK_SEND,            /* (n, MSG_* flags, addrlen [, SOCK_UX_KEYED]) + address
	                       * [+ sock_ux] + n bytes [caps: SCM_RIGHTS] -> (sent).
	                       * ERR_PIPE (the client raises SIGPIPE unless MSG_NOSIGNAL),
	                       * ERR_NOTCONN, ERR_DESTADDRREQ, ERR_MSGSIZE, ERR_AGAIN,
	                       * ERR_ISCONN (an address on a connected stream) */
	SOCK_RECV,            /* (max, MSG_* flags: MSG_PEEK, MSG_DONTWAIT, MSG_TRUNC,
	                       * MSG_WAITALL, capabilities taken) -> (n, addrlen, the whole
	                       * datagram's length, MSG_TRUNC when it was cut, MSG_CTRUNC)
	                       * + address + n bytes [caps: SCM_RIGHTS]. n = 0 on a
	                       * stream: the peer shut down its side. ERR_NOTCONN,
	                       * ERR_CONNRESET, ERR_AGAIN */
	SOCK_SHUTDOWN,        /* (how: SHUT_RD, SHUT_WR, SHUT_RDWR) -> 0. ERR_NOTCONN */
	SOCK_NAME,            /* (0: this end, 1: the peer) -> (addrlen) + address.
	                       * ERR_NOTCONN: no peer */
	SOCK_SETOPT,          /* (level, name, len) + the value -> 0. ERR_NOPROTOOPT,
	                       * ERR_INVAL (length) */
	SOCK_GETOPT,          /* (level, name, max) -> (len) + the value. SO_ERROR reads and
	                       * clears the pending error */
	SOCK_MAP,             /* a connected TCP socket's or AF_UNIX stream's shared rings,
	                       * or a UDP or AF_UNIX datagram or seqpacket socket's
	                       * datagram rings (below): -> (rx ring bytes, tx ring bytes,
	                       * SOCK_RING_RECORDS for datagrams), cap0 = the MemoryObject,
	                       * cap1 = the data Notification (rx), cap2 = the space
	                       * Notification (tx). ERR_NOTCONN: TCP not connected yet (ask
	                       * again later); ERR_NODEV: no rings for this socket (not TCP
	                       * or UDP, or none left): use SOCK_SEND and SOCK_RECV */
};

/*
 * Shared rings (docs/net.md, "Socket data"). A connected TCP socket's
 * bytes move through two rings in one MemoryObject that its holders map
 * (SOCK_MAP) and the server maps too; each is a shared pipe as
 * include/cairn/posix.h describes (struct posix_pipe_shm, the same
 * rules): the rx ring's writer is the server, its readers the holders;
 * the tx ring's writers are the holders, its reader the server. Page 0
 * holds the rx header at 0 and the tx header at SOCK_RING_TXHDR; the rx
 * ring is the SOCK_RING_RX bytes from page 1, the tx ring the
 * SOCK_RING_TX bytes after it. IO_PIPE_KICK on the socket tells the
 * server a ring moved while a header's kick was set (the server wants to
 * know: it has bytes waiting for room in rx, or it waits for bytes in tx).
 * - rx: writers becomes 0 at the end of what the socket will receive (the
 *   peer's FIN, an error, SHUT_RD): a reader that finds the ring empty
 *   then asks SOCK_RECV, which answers 0 or the error.
 * - tx: readers becomes 0 once nothing more can be sent (SHUT_WR, the
 *   connection gone): a writer then sends with SOCK_SEND, which answers
 *   the error (EPIPE...). What is in the tx ring when the last holder
 *   closes is still sent, then the connection closes (as Linux's send
 *   buffer).
 * - rflags and wflags carry the description's O_NONBLOCK.
 * - Once a socket has rings, SOCK_SEND, SOCK_RECV, IO_READ and IO_WRITE
 *   answer ERR_NODEV while its ring holds bytes in that direction (they
 *   would pass them), and serve as before when it is empty (the end, an
 *   error, a holder that could not map).
 */
#define SOCK_RING_RX      32768u
#define SOCK_RING_TX      32768u
#define SOCK_RING_TXHDR   256u
#define SOCK_RING_PAGES   (1u + (SOCK_RING_RX + SOCK_RING_TX) / 4096u)

/*
 * A UDP socket's rings (SOCK_MAP's w2 = SOCK_RING_RECORDS) hold datagrams,
 * one record each, in the same layout with SOCK_DRING bytes a ring: a
 * struct sock_rec, the address (alen bytes: a sockaddr_in or
 * sockaddr_in6, as SOCK_RECV's; in tx the destination, or none for the
 * connected peer), then the len bytes of the datagram; SOCK_REC_SIZE
 * bytes in all (each part padded to 8), wrapping at the ring's end like
 * the bytes of a stream. A record goes in whole or waits for room, and
 * comes out whole (cut to the reader's buffer: MSG_TRUNC). The server
 * sets SOCK_RING_PEER in tx's rflags while the socket has a peer (a
 * record without an address may go), and SOCK_RING_V4 for an AF_INET
 * socket (its datagrams are at most 65,507 bytes: EMSGSIZE past it). What the server cannot send (no
 * route, no memory, a bad address) is dropped, as the network may. A
 * header whose records make no sense breaks the rings, as above.
 * An AF_UNIX datagram or seqpacket socket's records are the same: in rx
 * the address is the sender's name (a sockaddr_un, or none: alen 0); in
 * tx a record has no address and goes to the peer (SOCK_RING_PEER while
 * there is one), a send to a name goes by SOCK_SEND.
 */
#define SOCK_RING_RECORDS 1u
#define SOCK_RING_PEER    0x10000u
#define SOCK_RING_V4      0x20000u
#define SOCK_DGRAM_MAX4   65507u
#define SOCK_DRING        131072u
#define SOCK_DRING_PAGES  (1u + 2u * SOCK_DRING / 4096u)
#define SOCK_DGRAM_MAX    65527u      /* IPv6's largest UDP payload; IPv4's is 65,507 */
struct sock_rec {
	uint32_t len, alen;
};
#define SOCK_REC_SIZE(alen, len) \
	(8u + (((uint32_t)(alen) + 7u) & ~7u) + (((uint32_t)(len) + 7u) & ~7u))
/* A holder asks for the rings once a descriptor has moved this many bytes
 * by messages: a short exchange is cheaper without them (making and
 * mapping them costs more than a few calls). */
#define SOCK_RING_AFTER   32768u

/* getsockopt(fd, SOL_CAIRN_NET, NET_STATS, buf, &len) on any socket: the
 * network server's own numbers as one line of text, `name=value` words
 * separated by spaces (user/servers/net/stats.c, docs/net.md, "Its
 * numbers"): its kernel memory, lwIP's memory in use, sockets and TCP
 * connections, frames and each protocol's drops and errors. Not Linux's:
 * there it is ENOPROTOOPT. */
#define SOL_CAIRN_NET      0x6e6574
#define NET_STATS          1

/*
 * The interfaces' and sockets' texts for the VFS's /proc/net
 * (user/servers/vfs/procfs.c), on "net" (unbadged, or any socket):
 * NET_PROCNET (which: NET_PROC_*, offset) -> (len, the whole text's
 * length) + the file's text from byte offset, in Linux's format, at most
 * POSIX_INLINE_MAX bytes a call (a text is at most 64 KiB). ERR_INVAL: no
 * such file.
 */
enum { NET_PROCNET = 0xa40 };
enum { NET_PROC_DEV, NET_PROC_IF_INET6, NET_PROC_ROUTE, NET_PROC_TCP, NET_PROC_TCP6, NET_PROC_UDP,
       NET_PROC_UDP6, NET_PROC_UNIX };
#define NET_PROC_MAX 65536u

#endif
