/* SPDX-License-Identifier: MIT */
/*
 * BSD sockets: the socket protocol of include/cairn/sock.h, spoken to the
 * network server (user/servers/net). socket() and socketpair() ask the
 * server's unbadged endpoint, named "net" in every POSIX process (the
 * process server's posix.net; kept across fork and exec like the other
 * named capabilities); each socket is a capability to a server object,
 * held in the descriptor table like a pipe end, so read, write, poll,
 * select, fcntl, ioctl (FIONREAD, FIONBIO), dup, close, fork and exec work
 * on it through the I/O protocol as on any descriptor (fd.c, poll.c).
 *
 * Addresses travel as Linux's bytes (struct sockaddr_in...), first in the
 * message, padded to SOCK_ADDR_PAD; data after them, at most
 * SOCK_DATA_MAX bytes a message:
 * - a send of more is several SOCK_SENDs on a stream socket (a blocking
 *   one is answered once some bytes went in: the rest goes on until all
 *   is sent; a later part's error or a signal ends it with the count
 *   sent); a datagram of more is EMSGSIZE for now;
 * - a recv is one SOCK_RECV of at most SOCK_DATA_MAX, except MSG_WAITALL
 *   on a stream, which goes on until it has all or the stream ends.
 * EPIPE raises SIGPIPE unless MSG_NOSIGNAL (write() always: fd.c).
 * SOCK_CLOEXEC is the descriptor table's; SOCK_NONBLOCK travels to the
 * server in the type word (the description's O_NONBLOCK).
 *
 * A call on a descriptor that is not a socket is ENOTSOCK (its type from
 * IO_STAT, once: S_IFSOCK; a server that answers ERR_NOSYS to a SOCK_*
 * request says the same). Without "net", socket() and socketpair() are
 * EAFNOSUPPORT. A signal that interrupts a wait restarts accept, send and
 * recv when its handler has SA_RESTART (else EINTR), connect never.
 * AF_UNIX names, SCM_RIGHTS and credentials are unix.c's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/ioctl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <cairn/sock.h>
#include "cairn_impl.h"

#define TYPE_MASK  0xf        /* Linux's SOCK_TYPE_MASK: the type, below its flags */

/* "net", looked up once (a fork's child has it at the same slot). */
static cap_t net(void)
{
	static cap_t cap = CAP_NULL;
	static int looked;

	if (!looked) {
		cap = cairn_cap("net");
		looked = 1;
	}
	return cap;
}

/* The errno of a SOCK_* answer: a server that does not know the request
 * is not a socket's. */
static long sock_errno(err_t e)
{
	return e == ERR_NOSYS ? -ENOTSOCK : cairn_errno(e);
}

/* Descriptor fd as a socket, or NULL with *err: EBADF, ENOTSOCK. */
static struct cairn_fd *sock_fd(long fd, long *err)
{
	struct cairn_fd *f = __cairn_fd(fd);

	if (!f) {
		*err = -EBADF;
		return NULL;
	}
	if (f->kind != FDK_IO || __cairn_fd_type(f) != S_IFSOCK) {
		*err = -ENOTSOCK;
		return NULL;
	}
	return f;
}

/* The socket type of f (SOCK_STREAM...), asked for (SO_TYPE) the first
 * time; 0 if the server would not say. */
static unsigned sock_type(struct cairn_fd *f)
{
	struct cairn_ans a;
	int v;

	if (f->type & FD_SOCK_KNOWN)
		return f->type & FD_SOCK_TYPE;
	if (__cairn_ipc(f->cap, SOCK_GETOPT, SOL_SOCKET, SO_TYPE, sizeof(v), 0, 0, 0, IPC_ALWAYS, &a) ||
	    a.w[0] < sizeof(v) || a.nbytes < sizeof(v))
		return 0;
	memcpy(&v, __cairn_ipc_data(), sizeof(v));
	f->type = (f->type & ~(FD_SOCK_KNOWN | FD_SOCK_TYPE)) | FD_SOCK_KNOWN | ((unsigned)v & FD_SOCK_TYPE);
	return (unsigned)v & FD_SOCK_TYPE;
}

static int is_stream(struct cairn_fd *f)
{
	return sock_type(f) == SOCK_STREAM;
}

/* An address into the IPC buffer (first, padded with zeros): its padded
 * length. */
static size_t put_addr(const void *addr, size_t len)
{
	char *d = __cairn_ipc_data();
	size_t pad = SOCK_ADDR_PAD(len);

	if (len)
		memcpy(d, addr, len);
	memset(d + len, 0, pad - len);
	return pad;
}

/* The answer's address (alen bytes at the start of the inline data) to a
 * caller's (addr, *len): at most *len bytes copied, *len the address's
 * length, as Linux. */
static void take_addr(void *addr, unsigned *len, size_t alen)
{
	if (!addr || !len)
		return;
	memcpy(addr, __cairn_ipc_data(), alen < *len ? alen : *len);
	*len = (unsigned)alen;
}

/* A caller's address length (in: a socklen_t's value): EINVAL past
 * sockaddr_storage or negative. */
static long addr_len_ok(const void *addr, unsigned long len)
{
	if (!addr)
		return len ? -EFAULT : 0;
	if ((long)(int)len < 0 || len > SOCK_ADDR_MAX)
		return -EINVAL;
	return 0;
}

/* ---- making sockets --------------------------------------------------------------------- */

/* An AF_UNIX socket's first request carries the caller's credentials
 * inline (SO_PEERCRED): their length. */
static size_t ux_creds(long domain)
{
	struct sock_ux x;

	if (domain != AF_UNIX)
		return 0;
	__cairn_ux_self(&x);
	memcpy(__cairn_ipc_data(), &x, sizeof(x));
	return sizeof(x);
}

long __cairn_socket(long domain, long type, long proto)
{
	struct cairn_ans a;
	long fd;
	err_t e;

	if (type & ~(long)(TYPE_MASK | SOCK_CLOEXEC | SOCK_NONBLOCK))
		return -EINVAL;
	if (net() == CAP_NULL)
		return -EAFNOSUPPORT;
	if ((fd = __cairn_fd_reserve(0)) < 0)
		return fd;
	e = __cairn_ipc(net(), SOCK_OPEN, (uint64_t)domain, (uint64_t)type & (TYPE_MASK | SOCK_NONBLOCK),
			(uint64_t)proto, 0, ux_creds(domain), 0, IPC_ALWAYS, &a);
	if (!e && a.ncaps < 1)
		e = ERR_IO;
	if (e) {
		__cairn_fd_unreserve(fd);
		return cairn_errno(e);
	}
	__cairn_fd_fill(fd, cairn_ipcbuf()->caps[0], type & SOCK_CLOEXEC,
			S_IFSOCK | FD_SOCK_KNOWN | ((uint32_t)type & TYPE_MASK));
	return fd;
}

long __cairn_socketpair(long domain, long type, long proto, int *sv)
{
	struct cairn_ans a;
	uint32_t t = S_IFSOCK | FD_SOCK_KNOWN | ((uint32_t)type & TYPE_MASK);
	long r0, r1;
	err_t e;

	if (type & ~(long)(TYPE_MASK | SOCK_CLOEXEC | SOCK_NONBLOCK))
		return -EINVAL;
	if (net() == CAP_NULL)
		return -EAFNOSUPPORT;
	if ((r0 = __cairn_fd_reserve(0)) < 0)
		return r0;
	if ((r1 = __cairn_fd_reserve(r0 + 1)) < 0) {
		__cairn_fd_unreserve(r0);
		return r1;
	}
	e = __cairn_ipc(net(), SOCK_PAIR, (uint64_t)domain, (uint64_t)type & (TYPE_MASK | SOCK_NONBLOCK),
			(uint64_t)proto, 0, ux_creds(domain), 0, IPC_ALWAYS, &a);
	if (!e && a.ncaps < 2) {
		for (unsigned i = 0; i < a.ncaps; i++)
			__cairn_io_release(cairn_ipcbuf()->caps[i]);
		e = ERR_IO;
	}
	if (e) {
		__cairn_fd_unreserve(r0);
		__cairn_fd_unreserve(r1);
		return cairn_errno(e);
	}
	__cairn_fd_fill(r0, cairn_ipcbuf()->caps[0], type & SOCK_CLOEXEC, t);
	__cairn_fd_fill(r1, cairn_ipcbuf()->caps[1], type & SOCK_CLOEXEC, t);
	sv[0] = (int)r0;
	sv[1] = (int)r1;
	return 0;
}

long __cairn_accept4(long fd, void *addr, unsigned *len, long flags)
{
	struct cairn_fd *f;
	struct cairn_ans a;
	long r, nfd;
	size_t alen;
	err_t e;

	if (!(f = sock_fd(fd, &r)))
		return r;
	if (flags & ~(long)(SOCK_CLOEXEC | SOCK_NONBLOCK))
		return -EINVAL;
	if (addr && len && (int)*len < 0)
		return -EINVAL;
	if ((nfd = __cairn_fd_reserve(0)) < 0)
		return nfd;
	e = __cairn_ipc(f->cap, SOCK_ACCEPT, (uint64_t)flags & SOCK_NONBLOCK, 0, 0, 0, 0, 0, IPC_RESTART, &a);
	if (!e && a.ncaps < 1)
		e = ERR_IO;
	if (e) {
		__cairn_fd_unreserve(nfd);
		return sock_errno(e);
	}
	alen = a.w[0] < a.nbytes ? a.w[0] : a.nbytes;
	if (alen > SOCK_ADDR_MAX)
		alen = SOCK_ADDR_MAX;
	take_addr(addr, len, alen);
	/* the new socket's type is the listener's */
	__cairn_fd_fill(nfd, cairn_ipcbuf()->caps[0], flags & SOCK_CLOEXEC,
			S_IFSOCK | (f->type & (FD_SOCK_KNOWN | FD_SOCK_TYPE)));
	return nfd;
}

/* ---- addresses, connections -------------------------------------------------------------- */

/* A request that carries an address and nothing else (bind, connect). */
static long addr_call(long fd, uint32_t label, const void *addr, unsigned long len, int intr)
{
	struct cairn_fd *f;
	long r;
	err_t e;

	if (!(f = sock_fd(fd, &r)))
		return r;
	if ((r = addr_len_ok(addr, len)))
		return r;
	if (addr && len >= sizeof(sa_family_t) && ((const struct sockaddr *)addr)->sa_family == AF_UNIX)
		return __cairn_ux_addr_call(f, label, addr, len, intr);
	e = __cairn_ipc(f->cap, label, len, 0, 0, 0, put_addr(addr, len), 0, intr, NULL);
	return sock_errno(e);
}

long __cairn_bind(long fd, const void *addr, unsigned long len)
{
	return addr_call(fd, SOCK_BIND, addr, len, IPC_ALWAYS);
}

long __cairn_connect(long fd, const void *addr, unsigned long len)
{
	return addr_call(fd, SOCK_CONNECT, addr, len, IPC_EINTR);
}

long __cairn_listen(long fd, long backlog)
{
	struct cairn_fd *f;
	long r;

	if (!(f = sock_fd(fd, &r)))
		return r;
	return sock_errno(__cairn_ipc(f->cap, SOCK_LISTEN, (uint64_t)(int)backlog, 0, 0, 0, 0, 0,
				      IPC_ALWAYS, NULL));
}

long __cairn_shutdown(long fd, long how)
{
	struct cairn_fd *f;
	long r;

	if (!(f = sock_fd(fd, &r)))
		return r;
	if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR)
		return -EINVAL;
	return sock_errno(__cairn_ipc(f->cap, SOCK_SHUTDOWN, (uint64_t)how, 0, 0, 0, 0, 0, IPC_ALWAYS, NULL));
}

long __cairn_sockname(long fd, void *addr, unsigned *len, int peer)
{
	struct cairn_fd *f;
	struct cairn_ans a;
	size_t alen;
	long r;
	err_t e;

	if (!(f = sock_fd(fd, &r)))
		return r;
	if (!addr || !len)
		return -EFAULT;
	if ((int)*len < 0)
		return -EINVAL;
	if ((e = __cairn_ipc(f->cap, SOCK_NAME, peer ? 1 : 0, 0, 0, 0, 0, 0, IPC_ALWAYS, &a)))
		return sock_errno(e);
	alen = a.w[0] < a.nbytes ? a.w[0] : a.nbytes;
	if (alen > SOCK_ADDR_MAX)
		alen = SOCK_ADDR_MAX;
	take_addr(addr, len, alen);
	return 0;
}

/* ---- options ------------------------------------------------------------------------------ */

long __cairn_setsockopt(long fd, long level, long name, const void *val, unsigned long len)
{
	struct cairn_fd *f;
	long r;

	if (!(f = sock_fd(fd, &r)))
		return r;
	if ((int)len < 0 || len > POSIX_INLINE_MAX)
		return -EINVAL;
	if (len && !val)
		return -EFAULT;
	if (len)
		memcpy(__cairn_ipc_data(), val, len);
	return sock_errno(__cairn_ipc(f->cap, SOCK_SETOPT, (uint64_t)level, (uint64_t)name, len, 0, len, 0,
				      IPC_ALWAYS, NULL));
}

long __cairn_getsockopt(long fd, long level, long name, void *val, unsigned *len)
{
	struct cairn_fd *f;
	struct cairn_ans a;
	size_t max, n;
	long r;
	err_t e;

	if (!(f = sock_fd(fd, &r)))
		return r;
	if (!len)
		return -EFAULT;
	if ((int)*len < 0)
		return -EINVAL;
	max = *len < POSIX_INLINE_MAX ? *len : POSIX_INLINE_MAX;
	if ((e = __cairn_ipc(f->cap, SOCK_GETOPT, (uint64_t)level, (uint64_t)name, max, 0, 0, 0,
			     IPC_ALWAYS, &a)))
		return sock_errno(e);
	n = a.w[0] < max ? a.w[0] : max;
	if (n > a.nbytes)
		n = a.nbytes;
	if (n && val)
		memcpy(val, __cairn_ipc_data(), n);
	*len = (unsigned)n;
	return 0;
}

/* ---- sending ----------------------------------------------------------------------------- */

/* Skips n bytes of the iovecs at v. */
static void iov_skip(struct iov_at *v, size_t n)
{
	while (n && v->i < v->cnt) {
		size_t k = v->iov[v->i].iov_len - v->off;
		if (k > n)
			k = n;
		n -= k;
		v->off += k;
		if (v->off == v->iov[v->i].iov_len) {
			v->i++;
			v->off = 0;
		}
	}
}

static long check_iov(const struct iovec *iov, long cnt, size_t *total)
{
	size_t sum = 0;

	if (cnt < 0 || cnt > IOV_MAX)
		return -EMSGSIZE;
	if (cnt && !iov)
		return -EFAULT;
	for (long i = 0; i < cnt; i++) {
		if (iov[i].iov_len > (size_t)SSIZE_MAX - sum)
			return -EINVAL;
		sum += iov[i].iov_len;
	}
	*total = sum;
	return 0;
}

/* Whether f's data goes through its shared rings (a connected TCP
 * socket's or AF_UNIX stream's, a UDP socket's records: mapped on a read
 * or write once SOCK_RING_AFTER bytes went by message, pipe.c). */
static int rings(struct cairn_fd *f)
{
	if (f->pipe == PIPE_MAPPED)
		return f->pwend == PIPE_SOCK || f->pwend == PIPE_SOCKD;
	return f->pipe == PIPE_UNTRIED && __cairn_pipe_try(f) &&
	       (f->pwend == PIPE_SOCK || f->pwend == PIPE_SOCKD);
}

/* A UDP destination the tx ring may carry: an AF_INET or AF_INET6 address
 * whole (else SOCK_SEND answers its error); its length there, else 0. */
static uint32_t ring_addr(const void *addr, unsigned long alen)
{
	sa_family_t fam;

	if (alen < sizeof(fam))
		return 0;
	memcpy(&fam, addr, sizeof(fam));
	if (fam == AF_INET && alen >= sizeof(struct sockaddr_in))
		return sizeof(struct sockaddr_in);
	if (fam == AF_INET6 && alen >= sizeof(struct sockaddr_in6))
		return sizeof(struct sockaddr_in6);
	return 0;
}

/* ENODEV from a data message: the socket has rings holding bytes (another
 * holder made them: this descriptor came through exec; or they filled
 * since this one looked). Whether f goes to them now (mapping them short
 * of SOCK_RING_AFTER). */
static int ring_now(struct cairn_fd *f)
{
	if (f->pipe == PIPE_MAPPED)
		return rings(f);             /* mapped: the ring again (it filled meanwhile) */
	if (f->pipe != PIPE_UNTRIED || f->pos >= SOCK_RING_AFTER)
		return 0;
	f->pos = SOCK_RING_AFTER;
	return rings(f);
}

/* More than SOCK_RIGHTS_MAX descriptors: all but the last three go
 * ahead, three a message, staged under a token of this send's
 * (SOCK_UX_STAGE, include/cairn/sock.h); the send's first message takes
 * them (SOCK_UX_STAGED). What the server got leaves rights[] (it
 * releases them on an error). */
static long stage_rights(struct cairn_fd *f, long flags, cap_t *rights, long *nrights, uint32_t *token)
{
	struct cairn_ans a;

	do
		__cairn_random_bytes(token, sizeof(*token));
	while (!*token);
	while (*nrights > (long)SOCK_RIGHTS_MAX) {
		for (unsigned i = 0; i < SOCK_RIGHTS_MAX; i++)
			cairn_ipcbuf()->caps[i] = rights[i];
		err_t e = __cairn_ipc(f->cap, SOCK_SEND, 0, (uint64_t)(unsigned)flags, 0,
				      SOCK_UX_STAGE | (uint64_t)*token << 32, 0, SOCK_RIGHTS_MAX, IPC_RESTART, &a);

		*nrights -= SOCK_RIGHTS_MAX;
		memmove(rights, rights + SOCK_RIGHTS_MAX, (size_t)*nrights * sizeof(cap_t));
		if (e)
			return sock_errno(e);
	}
	return 0;
}

/* A receive's SCM_RIGHTS past the three its answer carried
 * (SOCK_RIGHTS_MORE): SOCK_RECV_RIGHTS until none wait; MSG_CTRUNC if
 * some were lost. */
static uint64_t more_rights(struct cairn_fd *f, cap_t *rights, unsigned room, unsigned *got, unsigned *nrights)
{
	for (;;) {
		struct cairn_ans a;
		err_t e = __cairn_ipc(f->cap, SOCK_RECV, 0, SOCK_RECV_RIGHTS, room - *got, 0, 0, 0, IPC_RESTART, &a);

		if (e)
			return MSG_CTRUNC;
		for (unsigned i = 0; i < a.ncaps; i++) {
			if (*got < room) {
				rights[(*got)++] = cairn_ipcbuf()->caps[i];
				*nrights = *got;
			} else {
				__cairn_io_release(cairn_ipcbuf()->caps[i]);
			}
		}
		if (!(a.w[3] & SOCK_RIGHTS_MORE) || !a.ncaps)
			return a.w[3] & MSG_CTRUNC;
	}
}

/* Sends total bytes of the cnt iovecs at iov (to addr, alen bytes, if
 * given) with MSG_* flags: what send(2) returns. */
static long send_iov(struct cairn_fd *f, const struct iovec *iov, long cnt, size_t total, long flags,
		     const void *addr, unsigned long alen, cap_t *rights, long *nrights)
{
	struct iov_at v = { iov, cnt, 0, 0 };
	size_t done = 0, max = SOCK_DATA_MAX;
	struct sock_ux x;
	int keyed = 0;
	uint32_t token = 0;
	long r;

	if (!addr)
		alen = 0;               /* as Linux: no address, its length unread */
	else if ((r = addr_len_ok(addr, alen)))
		return r;
again:
	v = (struct iov_at){ iov, cnt, 0, 0 };
	if (total > SOCK_DATA_MAX && !is_stream(f) && f->pipe == PIPE_UNTRIED && f->pos < SOCK_RING_AFTER)
		f->pos = SOCK_RING_AFTER;        /* a datagram no message holds: the rings now (UDP) */
	if (!(flags & MSG_OOB) && !(nrights && *nrights) && rings(f) && f->pwend == PIPE_SOCKD) {
		/* a datagram into the tx ring; at its end, without an address or
		 * peer, or to an address it cannot carry (AF_UNIX names: the key
		 * is looked up here, below), SOCK_SEND says why; SCM_RIGHTS go by
		 * message, after the ring's records */
		uint32_t ral = addr ? ring_addr(addr, alen) : 0;

		if (total > SOCK_DGRAM_MAX)
			return -EMSGSIZE;
		if (!addr || ral) {
			r = __cairn_sock_rec_write(f, &v, total, (flags & MSG_DONTWAIT) != 0, addr, ral);
			if (r != -EPIPE && r != -EDESTADDRREQ)
				return r;
		}
		v = (struct iov_at){ iov, cnt, 0, 0 };
	} else if (!addr && !(flags & MSG_OOB) && !(nrights && *nrights) && rings(f)) {
		/* into the tx ring (SCM_RIGHTS go by message, after the ring's
		 * bytes); at its end SOCK_SEND below says why */
		r = __cairn_sock_ring_write(f, &v, total, (flags & MSG_DONTWAIT) != 0);
		if (r != -EPIPE)
			return r;
		v = (struct iov_at){ iov, cnt, 0, 0 };
	}
	if (alen >= sizeof(sa_family_t) && ((const struct sockaddr *)addr)->sa_family == AF_UNIX) {
		if ((r = __cairn_ux_key(addr, alen, &x)))
			return r;
		keyed = 1;               /* a struct sock_ux after the address */
		max = POSIX_INLINE_MAX - SOCK_ADDR_PAD(alen) - sizeof(x);
	}
	if (total > max && !is_stream(f))
		return -EMSGSIZE;          /* one datagram a message, for now */
	if (nrights && *nrights > SOCK_RIGHTS_MAX && (r = stage_rights(f, flags, rights, nrights, &token)))
		return r;
	do {
		size_t k = total - done < max ? total - done : max, sent;
		size_t pad = put_addr(addr, alen);
		unsigned nc = nrights ? (unsigned)*nrights : 0;
		struct cairn_ans a;
		err_t e;

		if (keyed) {
			memcpy((uint8_t *)__cairn_ipc_data() + pad, &x, sizeof(x));
			pad += sizeof(x);
		}
		if (gather(&v, (uint8_t *)__cairn_ipc_data() + pad, k))
			return done ? (long)done : -EFAULT;
		for (unsigned i = 0; i < nc; i++)
			cairn_ipcbuf()->caps[i] = rights[i];   /* SCM_RIGHTS go with the first part */
		e = __cairn_ipc(f->cap, SOCK_SEND, k, (uint64_t)(unsigned)flags, alen,
				(keyed ? SOCK_UX_KEYED : 0) | (token ? SOCK_UX_STAGED | (uint64_t)token << 32 : 0),
				pad + k, nc, IPC_RESTART, &a);
		token = 0;                     /* what was staged went with the first part */
		if (nc)
			*nrights = 0;            /* the server has them: it releases them on an error */
		if (e == ERR_NODEV && !done && ring_now(f))
			goto again;
		if (e) {
			if (done)
				return (long)done;
			if (e == ERR_PIPE && !(flags & MSG_NOSIGNAL))
				__cairn_raise(SIGPIPE);
			return sock_errno(e);
		}
		sent = a.w[0] < k ? a.w[0] : k;
		done += sent;
		f->pos += sent;
		if (sent < k) {
			/* the server took part: the rest goes again from there */
			v = (struct iov_at){ iov, cnt, 0, 0 };
			iov_skip(&v, done);
		}
	} while (done < total);
	return (long)done;
}

long __cairn_sendto(long fd, const void *buf, size_t n, long flags, const void *addr, unsigned long alen)
{
	struct iovec v = { (void *)buf, n };
	struct cairn_fd *f;
	long r;

	if (!(f = sock_fd(fd, &r)))
		return r;
	if (n > SSIZE_MAX)
		n = v.iov_len = SSIZE_MAX;
	return send_iov(f, &v, 1, n, flags, addr, alen, NULL, NULL);
}

long __cairn_sendmsg(long fd, const void *m, long flags)
{
	const struct msghdr *msg = m;
	struct cairn_fd *f;
	cap_t rights[SOCK_RIGHTS_LIMIT], sent[SOCK_RIGHTS_LIMIT];
	size_t total;
	long r, n, all;

	if (!(f = sock_fd(fd, &r)))
		return r;
	if ((r = check_iov(msg->msg_iov, msg->msg_iovlen, &total)))
		return r;
	if ((n = __cairn_ux_rights_out(msg, rights)) < 0)
		return n;
	memcpy(sent, rights, (size_t)n * sizeof(cap_t));
	all = n;
	r = send_iov(f, msg->msg_iov, msg->msg_iovlen, total, flags, msg->msg_name,
		     msg->msg_name ? msg->msg_namelen : 0, rights, &n);
	/* the references are the server's copies now (the first all - n, sent
	 * in order), ours go; what did not reach it is released */
	for (long i = 0; i < all - n; i++)
		cairn_cap_delete(sent[i]);
	__cairn_ux_rights_drop(rights, n);
	return r;
}

long __cairn_sock_writev(struct cairn_fd *f, const struct iovec *iov, long cnt, size_t total)
{
	return send_iov(f, iov, cnt, total, 0, NULL, 0, NULL, NULL);
}

/* SIOCGIFCONF: the server answers an ifreq per interface with an IPv4
 * address; as many whole ones as ifc_len takes are copied, and ifc_len
 * says how many bytes they are (with no buffer: all of them), as Linux. */
long __cairn_sock_ifconf(struct cairn_fd *f, void *arg)
{
	struct ifconf *ifc = arg;
	struct cairn_ans a;
	size_t n;
	err_t e;

	if (!__cairn_uwrite_ok(ifc, sizeof(*ifc)))
		return -EFAULT;
	if ((e = __cairn_ipc(f->cap, IO_IOCTL, SIOCGIFCONF, 0, 0, 0, 0, 0, IPC_ALWAYS, &a)))
		return sock_errno(e) == -ENOTSOCK ? -ENOTTY : sock_errno(e);
	n = a.nbytes - a.nbytes % sizeof(struct ifreq);
	if (ifc->ifc_buf) {
		if (ifc->ifc_len < 0)
			return -EINVAL;
		if (n > (size_t)ifc->ifc_len)
			n = (size_t)ifc->ifc_len - (size_t)ifc->ifc_len % sizeof(struct ifreq);
		if (__cairn_ucopy(ifc->ifc_buf, __cairn_ipc_data(), n))
			return -EFAULT;      /* the buffer: ifc_len as it was */
	}
	ifc->ifc_len = (int)n;
	return 0;
}

/* ---- receiving --------------------------------------------------------------------------- */

/* Receives up to total bytes into the cnt iovecs at iov with MSG_*
 * flags: what recv(2) returns; the sender's address to (addr, *alen) and
 * the answer's MSG_* flags to *mflags when asked for. */
static long recv_iov(struct cairn_fd *f, const struct iovec *iov, long cnt, size_t total, long flags,
		     void *addr, unsigned *alen, int *mflags, cap_t *rights, unsigned *nrights)
{
	struct iov_at d = { iov, cnt, 0, 0 };
	size_t done = 0;
	long first = -1;
	int all = (flags & MSG_WAITALL) && !(flags & (MSG_PEEK | MSG_DONTWAIT | MSG_TRUNC)) &&
		  is_stream(f);
	unsigned room = nrights ? *nrights : 0, got = 0;

	if (nrights)
		*nrights = 0;            /* SCM_RIGHTS come through SOCK_RECV only */

	if (addr && alen && (int)*alen < 0)
		return -EINVAL;
	if (mflags)
		*mflags = 0;
again:
	if (total > SOCK_DATA_MAX && !is_stream(f) && f->pipe == PIPE_UNTRIED && f->pos < SOCK_RING_AFTER)
		f->pos = SOCK_RING_AFTER;        /* room for a datagram no message holds: the rings now */
	if (!(flags & MSG_OOB) && rings(f) && f->pwend == PIPE_SOCKD) {
		/* a datagram from the rx ring; at its end SOCK_RECV below says why */
		uint8_t from[SOCK_ADDR_MAX];
		uint32_t fl = 0, whole = 0;
		long r = __cairn_sock_rec_read(f, &d, total, (flags & MSG_DONTWAIT) != 0, (flags & MSG_PEEK) != 0,
					       from, &fl, &whole);

		if (r != -ENODATA) {
			if (r < 0)
				return r;
			if (addr && alen) {
				memcpy(addr, from, fl < *alen ? fl : *alen);
				*alen = fl;
			}
			if (mflags && whole > (uint32_t)r)
				*mflags |= MSG_TRUNC;
			return (flags & MSG_TRUNC) ? (long)whole : r;
		}
	} else if (!(flags & MSG_OOB) && rings(f)) {
		/* from the rx ring; at its end (0) SOCK_RECV below says why */
		long r = __cairn_sock_ring_read(f, &d, total, (flags & MSG_DONTWAIT) != 0, (flags & MSG_PEEK) != 0);

		while (r > 0 && (flags & MSG_WAITALL) && !(flags & MSG_PEEK) && done + (size_t)r < total) {
			done += (size_t)r;
			r = __cairn_sock_ring_read(f, &d, total - done, 0, 0);
		}
		if (r > 0 || (r < 0 && !done)) {
			take_addr(addr, alen, 0);   /* a stream's recvfrom: no address, as Linux */
			return r < 0 ? r : (long)(done + (size_t)r);
		}
		if (done)
			return (long)done;
	}
	do {
		size_t max = total - done < SOCK_DATA_MAX ? total - done : SOCK_DATA_MAX, n, al, pad;
		struct cairn_ans a;
		err_t e = __cairn_ipc(f->cap, SOCK_RECV, max, (uint64_t)(unsigned)flags, room - got, 0, 0, 0,
				      IPC_RESTART, &a);

		if (e == ERR_NODEV && !done && ring_now(f))
			goto again;
		if (e)
			return done ? (long)done : sock_errno(e);
		for (unsigned i = 0; i < a.ncaps; i++) {     /* SCM_RIGHTS */
			if (got < room) {
				rights[got++] = cairn_ipcbuf()->caps[i];
				*nrights = got;      /* room > 0: nrights is there */
			} else
				__cairn_io_release(cairn_ipcbuf()->caps[i]);
		}
		if (a.w[3] & SOCK_RIGHTS_MORE)
			a.w[3] |= more_rights(f, rights, room, &got, nrights);
		if (mflags)
			*mflags |= (int)(a.w[3] & MSG_CTRUNC);
		al = a.w[1] < SOCK_ADDR_MAX ? a.w[1] : SOCK_ADDR_MAX;
		pad = SOCK_ADDR_PAD(al);
		if (pad > a.nbytes)
			al = pad = 0;
		n = a.w[0] < max ? a.w[0] : max;
		if (n > a.nbytes - pad)
			n = a.nbytes - pad;
		if (scatter(&d, __cairn_ipc_data() + pad, n))
			return done ? (long)done : -EFAULT;
		f->pos += n;
		if (first < 0) {
			take_addr(addr, alen, al);
			if (mflags)
				*mflags |= (int)a.w[3];
			/* MSG_TRUNC asked for: the datagram's whole length */
			first = (flags & MSG_TRUNC) && a.w[2] > n ? (long)a.w[2] : (long)n;
		}
		done += n;
		if (!all || !n || a.ncaps)
			break;
	} while (done < total);
	return first > (long)done ? first : (long)done;
}

long __cairn_sock_readv(struct cairn_fd *f, const struct iovec *iov, long cnt, size_t total)
{
	return recv_iov(f, iov, cnt, total, 0, NULL, NULL, NULL, NULL, NULL);
}

long __cairn_recvfrom(long fd, void *buf, size_t n, long flags, void *addr, unsigned *alen)
{
	struct iovec v = { buf, n };
	struct cairn_fd *f;
	long r;

	if (!(f = sock_fd(fd, &r)))
		return r;
	if (n > SSIZE_MAX)
		n = v.iov_len = SSIZE_MAX;
	return recv_iov(f, &v, 1, n, flags, addr, alen, NULL, NULL, NULL);
}

long __cairn_recvmsg(long fd, void *m, long flags)
{
	struct msghdr *msg = m;
	struct cairn_fd *f;
	size_t total;
	unsigned alen = msg->msg_namelen, n = SOCK_RIGHTS_LIMIT;
	cap_t rights[SOCK_RIGHTS_LIMIT];
	int mflags = 0;
	long r;

	if (!(f = sock_fd(fd, &r)))
		return r;
	if ((r = check_iov(msg->msg_iov, msg->msg_iovlen, &total)))
		return r;
	if (__cairn_ux_rights_room(msg) < n)
		n = __cairn_ux_rights_room(msg);
	r = recv_iov(f, msg->msg_iov, msg->msg_iovlen, total, flags, msg->msg_name, &alen, &mflags, rights, &n);
	if (r < 0)
		return r;
	if (msg->msg_name)
		msg->msg_namelen = alen;
	msg->msg_flags = mflags;
	__cairn_ux_rights_in(msg, rights, n, flags);   /* msg_controllen: what it holds */
	return r;
}
