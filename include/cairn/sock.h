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
#ifndef CAIRN_SOCK_H
#define CAIRN_SOCK_H
#include <stdint.h>
#include <cairn/posix.h>

#define SOCK_ADDR_MAX      128                        /* sizeof(struct sockaddr_storage) */
#define SOCK_ADDR_PAD(n)   (((uint64_t)(n) + 7) & ~7ull)
/* The most data one SOCK_SEND or SOCK_RECV carries (an address may come too) */
#define SOCK_DATA_MAX      (POSIX_INLINE_MAX - SOCK_ADDR_MAX)

enum {
	SOCK_OPEN = 0xa00,    /* on "net" (unbadged): (domain, type | SOCK_NONBLOCK,
	                       * protocol) -> cap0 = the socket. ERR_AFNOSUPPORT (domain),
	                       * ERR_SOCKTNOSUPPORT / ERR_PROTONOSUPPORT (type, protocol),
	                       * ERR_NOMEM, ERR_NFILE (the server's table is full) */
	SOCK_PAIR,            /* on "net": (domain AF_UNIX, type | SOCK_NONBLOCK, protocol)
	                       * -> cap0, cap1 = two sockets connected to each other */
	SOCK_BIND,            /* (addrlen) + address -> 0. ERR_ADDRINUSE, ERR_ADDRNOTAVAIL,
	                       * ERR_INVAL (bound already, or a bad length), ERR_AFNOSUPPORT */
	SOCK_LISTEN,          /* (backlog) -> 0. ERR_OPNOTSUPP: not a stream socket */
	SOCK_ACCEPT,          /* (flags: SOCK_NONBLOCK for the new socket) -> cap0 = the new
	                       * socket, (addrlen) + the peer's address. Waits for a
	                       * connection. ERR_INVAL: not listening; ERR_AGAIN */
	SOCK_CONNECT,         /* (addrlen) + address -> 0 once connected. ERR_INPROGRESS
	                       * (non-blocking), ERR_ALREADY, ERR_ISCONN, ERR_CONNREFUSED,
	                       * ERR_TIMEDOUT, ERR_NETUNREACH, ERR_HOSTUNREACH. A datagram
	                       * socket only records the peer (AF_UNSPEC: forgets it) */
	SOCK_SEND,            /* (n, MSG_* flags, addrlen) + address + n bytes -> (sent).
	                       * ERR_PIPE (the client raises SIGPIPE unless MSG_NOSIGNAL),
	                       * ERR_NOTCONN, ERR_DESTADDRREQ, ERR_MSGSIZE, ERR_AGAIN,
	                       * ERR_ISCONN (an address on a connected stream) */
	SOCK_RECV,            /* (max, MSG_* flags: MSG_PEEK, MSG_DONTWAIT, MSG_TRUNC,
	                       * MSG_WAITALL) -> (n, addrlen, the whole datagram's length,
	                       * MSG_TRUNC when it was cut) + address + n bytes. n = 0 on a
	                       * stream: the peer shut down its side. ERR_NOTCONN,
	                       * ERR_CONNRESET, ERR_AGAIN */
	SOCK_SHUTDOWN,        /* (how: SHUT_RD, SHUT_WR, SHUT_RDWR) -> 0. ERR_NOTCONN */
	SOCK_NAME,            /* (0: this end, 1: the peer) -> (addrlen) + address.
	                       * ERR_NOTCONN: no peer */
	SOCK_SETOPT,          /* (level, name, len) + the value -> 0. ERR_NOPROTOOPT,
	                       * ERR_INVAL (length) */
	SOCK_GETOPT,          /* (level, name, max) -> (len) + the value. SO_ERROR reads and
	                       * clears the pending error */
};

/*
 * The interfaces' texts for the VFS's /proc/net (user/servers/vfs/procfs.c),
 * on "net" (unbadged, or any socket): NET_PROCNET (which: NET_PROC_*) ->
 * (len) + the file's text, in Linux's format, at most POSIX_INLINE_MAX
 * bytes. ERR_INVAL: no such file.
 */
enum { NET_PROCNET = 0xa40 };
enum { NET_PROC_DEV, NET_PROC_IF_INET6, NET_PROC_ROUTE };

#endif
