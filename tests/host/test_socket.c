// SPDX-License-Identifier: MIT
/*
 * musl-port's socket.c (the client side of include/cairn/sock.h) against
 * a mock network server behind __cairn_ipc: the words and bytes of each
 * request (the type word, addresses padded first, at most SOCK_DATA_MAX
 * of data), a blocking stream send that the server takes in parts,
 * recv clamped to one request and MSG_WAITALL going on, datagrams (the
 * sender's address cut to the caller's buffer, MSG_TRUNC, EMSGSIZE past
 * SOCK_DATA_MAX), recvmsg's scatter and flags, sendmsg's gather and its
 * control data, SIGPIPE unless MSG_NOSIGNAL, ENOTSOCK, and the socket
 * type asked for once. The shim of cairn_impl.h is tests/host/musl/.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <cairn/sock.h>
#include "cairn_impl.h"
#include "test.h"

char host_ipc_data[POSIX_INLINE_MAX + 64];
struct host_ipcbuf host_ipcbuf;

/* ---- the descriptor table and the process ---- */
static struct cairn_fd fds[16];
static int raised, unimplemented;

cap_t cairn_cap(const char *name) { return !strcmp(name, "net") ? 5 : CAP_NULL; }
struct cairn_fd *__cairn_fd(long fd) { return fd >= 0 && fd < 16 && fds[fd].kind ? &fds[fd] : NULL; }
uint32_t __cairn_fd_type(struct cairn_fd *f) { return f->type & S_IFMT; }
/* no shared rings here: pipe.c's side is not in this test */
int __cairn_pipe_try(struct cairn_fd *f) { f->pipe = PIPE_SERVER; return 0; }
long __cairn_sock_ring_read(struct cairn_fd *f, struct iov_at *d, size_t total, int nonblock, int peek)
{
	(void)f; (void)d; (void)total; (void)nonblock; (void)peek;
	return -EIO;
}
long __cairn_sock_ring_write(struct cairn_fd *f, struct iov_at *v, size_t total, int nonblock)
{
	(void)f; (void)v; (void)total; (void)nonblock;
	return -EIO;
}
long __cairn_sock_rec_read(struct cairn_fd *f, struct iov_at *d, size_t total, int nonblock, int peek,
			   void *addr, uint32_t *alen, uint32_t *whole)
{
	(void)f; (void)d; (void)total; (void)nonblock; (void)peek; (void)addr; (void)alen; (void)whole;
	return -EIO;
}
long __cairn_sock_rec_write(struct cairn_fd *f, struct iov_at *v, size_t total, int nonblock,
			    const void *addr, uint32_t alen)
{
	(void)f; (void)v; (void)total; (void)nonblock; (void)addr; (void)alen;
	return -EIO;
}
void __cairn_fd_unreserve(long fd) { fds[fd].kind = FDK_NONE; }
void __cairn_io_release(cap_t cap) { (void)cap; }
err_t cairn_cap_delete(cap_t slot) { (void)slot; return 0; }
void __cairn_raise(int sig) { raised += sig == SIGPIPE; }
/* unix.c's, which the posix sockets test covers on Cairn */
void __cairn_ux_self(struct sock_ux *x) { memset(x, 0, sizeof(*x)); }
long __cairn_ux_addr_call(struct cairn_fd *f, uint32_t label, const void *addr, unsigned long len, int intr)
{
	(void)f; (void)label; (void)addr; (void)len; (void)intr;
	return -EAFNOSUPPORT;
}
long __cairn_ux_key(const void *addr, unsigned long len, struct sock_ux *x)
{
	(void)addr; (void)len;
	memset(x, 0, sizeof(*x));
	return 0;
}
long __cairn_ux_rights_out(const void *msg, cap_t *caps)
{
	(void)caps;
	return ((const struct msghdr *)msg)->msg_controllen ? -EINVAL : 0;
}
void __cairn_ux_rights_drop(const cap_t *caps, long n) { (void)caps; (void)n; }
void __cairn_ux_rights_in(void *msg, const cap_t *caps, unsigned n, long flags)
{
	(void)caps; (void)n; (void)flags;
	((struct msghdr *)msg)->msg_controllen = 0;
}
unsigned __cairn_ux_rights_room(const void *msg) { (void)msg; return 0; }
void __cairn_random_bytes(void *buf, size_t n) { memset(buf, 0x5a, n); }
void __cairn_unimplemented(unsigned kind, unsigned long key, const char *what)
{
	(void)kind; (void)key; (void)what;
	unimplemented++;
}

long __cairn_fd_reserve(long min)
{
	for (long i = min; i < 16; i++)
		if (!fds[i].kind) {
			fds[i] = (struct cairn_fd){ .cap = CAP_NULL, .kind = FDK_IO };
			return i;
		}
	return -EMFILE;
}

void __cairn_fd_fill(long fd, cap_t cap, int cloexec, uint32_t type)
{
	fds[fd] = (struct cairn_fd){ .cap = cap, .kind = FDK_IO, .cloexec = (uint8_t)!!cloexec, .type = type };
}

/* ---- the mock server: one stream and one datagram at a time ---- */
static int stype, take, nosys, pipe_err, calls, getopts;
static uint8_t stream[1 << 21];
static size_t slen, rpos;
static uint64_t last_w[4];
static size_t last_nbytes;
static uint8_t dgram[8192];
static size_t dlen;
static uint16_t from_port = 4242;

static void reset(int type)
{
	memset(fds, 0, sizeof(fds));
	for (int i = 0; i < 3; i++)
		fds[i] = (struct cairn_fd){ .cap = 10 + (cap_t)i, .kind = FDK_IO, .type = S_IFCHR };
	stype = type;
	take = 1000;
	nosys = pipe_err = calls = getopts = raised = unimplemented = 0;
	slen = rpos = dlen = 0;
}

static err_t mock_recv(uint64_t max, uint64_t flags, struct cairn_ans *a)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(from_port),
				   .sin_addr.s_addr = htonl(0x7f000001) };
	size_t k;

	if (stype == SOCK_STREAM) {
		/* a stream gives what it has, at most 700 bytes an answer; no address */
		k = slen - rpos < max ? slen - rpos : max;
		if (k > 700)
			k = 700;
		memcpy(host_ipc_data, stream + rpos, k);
		if (!(flags & MSG_PEEK))
			rpos += k;
		a->w[0] = a->w[2] = k;
		a->nbytes = (k + 7) & ~7ul;
		return 0;
	}
	size_t pad = SOCK_ADDR_PAD(sizeof(sin));
	memcpy(host_ipc_data, &sin, sizeof(sin));
	k = dlen < max ? dlen : max;
	memcpy(host_ipc_data + pad, dgram, k);
	a->w[0] = k;
	a->w[1] = sizeof(sin);
	a->w[2] = dlen;
	a->w[3] = k < dlen ? MSG_TRUNC : 0;
	a->nbytes = pad + ((k + 7) & ~7ul);
	return 0;
}

err_t __cairn_ipc(cap_t cap, uint32_t label, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3,
		  size_t nbytes, unsigned ncaps, int intr, struct cairn_ans *a)
{
	struct cairn_ans tmp;

	(void)cap; (void)ncaps; (void)intr;
	calls++;
	last_w[0] = w0; last_w[1] = w1; last_w[2] = w2; last_w[3] = w3;
	last_nbytes = nbytes;
	if (nbytes > POSIX_INLINE_MAX)
		return ERR_FAULT;                /* the test fails on it */
	if (!a)
		a = &tmp;
	memset(a, 0, sizeof(*a));
	if (nosys && label != SOCK_OPEN)
		return ERR_NOSYS;
	switch (label) {
	case SOCK_OPEN:
		host_ipcbuf.caps[0] = 77;
		a->ncaps = 1;
		return 0;
	case SOCK_BIND:
	case SOCK_CONNECT:
		return nbytes == SOCK_ADDR_PAD(w0) ? 0 : ERR_FAULT;
	case SOCK_LISTEN:
		return 0;
	case SOCK_SEND: {
		size_t pad = SOCK_ADDR_PAD(w2);
		if (nbytes != pad + w0 || w0 > SOCK_DATA_MAX)
			return ERR_FAULT;
		if (pipe_err)
			return ERR_PIPE;
		if (stype == SOCK_STREAM) {
			size_t k = w0 < (size_t)take ? w0 : (size_t)take;
			memcpy(stream + slen, host_ipc_data + pad, k);
			slen += k;
			a->w[0] = k;
		} else {
			memcpy(dgram, host_ipc_data + pad, w0);
			dlen = w0;
			a->w[0] = w0;
		}
		return 0;
	}
	case SOCK_RECV:
		return mock_recv(w0, w1, a);
	case SOCK_GETOPT: {
		int v = stype;
		getopts++;
		if (w0 != SOL_SOCKET || w1 != SO_TYPE)
			return ERR_NOPROTOOPT;
		memcpy(host_ipc_data, &v, sizeof(v));
		a->w[0] = sizeof(v);
		a->nbytes = 8;
		return 0;
	}
	}
	return ERR_INVAL;
}

static uint8_t big[1 << 20], back[1 << 20];

static void fill_big(void)
{
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7 + (i >> 11));
}

TEST(open_words)
{
	reset(SOCK_STREAM);
	long s = __cairn_socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_TCP);
	CHECK(s == 3 && fds[3].cloexec && fds[3].cap == 77);
	CHECK(fds[3].type == (S_IFSOCK | FD_SOCK_KNOWN | SOCK_STREAM));
	/* SOCK_CLOEXEC stays here, SOCK_NONBLOCK goes to the server */
	CHECK(last_w[0] == AF_INET && last_w[1] == (SOCK_STREAM | SOCK_NONBLOCK) && last_w[2] == IPPROTO_TCP);
	CHECK(__cairn_socket(AF_INET, 99, 0) == -EINVAL);
	return true;
}

TEST(addresses)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(80) };

	reset(SOCK_STREAM);
	long s = __cairn_socket(AF_INET, SOCK_STREAM, 0);
	CHECK(__cairn_bind(s, &sin, sizeof(sin)) == 0 && last_w[0] == 16 && last_nbytes == 16);
	CHECK(!memcmp(host_ipc_data, &sin, sizeof(sin)));
	/* an odd length is padded with zeros */
	memset(host_ipc_data, 0xff, 32);
	CHECK(__cairn_connect(s, &sin, 10) == 0 && last_nbytes == 16 && host_ipc_data[10] == 0 &&
	      host_ipc_data[15] == 0);
	CHECK(__cairn_bind(s, &sin, 200) == -EINVAL);
	CHECK(__cairn_bind(1, &sin, 16) == -ENOTSOCK);
	CHECK(__cairn_bind(9, &sin, 16) == -EBADF);
	return true;
}

TEST(stream_send_in_parts)
{
	reset(SOCK_STREAM);
	fill_big();
	long s = __cairn_socket(AF_INET, SOCK_STREAM, 0);
	calls = 0;
	/* the server takes 1000 bytes a request: the client sends on until all went */
	CHECK(__cairn_sendto(s, big, sizeof(big), 0, NULL, 0) == (long)sizeof(big));
	CHECK(slen == sizeof(big) && !memcmp(stream, big, slen));
	CHECK(calls == (int)((sizeof(big) + 999) / 1000));
	/* a later part's error: the count sent */
	take = SOCK_DATA_MAX;
	slen = 0;
	CHECK(__cairn_sendto(s, big, 3 * SOCK_DATA_MAX, 0, NULL, 0) == 3 * SOCK_DATA_MAX);
	return true;
}

TEST(stream_recv)
{
	reset(SOCK_STREAM);
	fill_big();
	long s = __cairn_socket(AF_INET, SOCK_STREAM, 0);
	memcpy(stream, big, sizeof(big));
	slen = sizeof(big);
	/* one request, at most SOCK_DATA_MAX asked */
	CHECK(__cairn_recvfrom(s, back, sizeof(back), 0, NULL, NULL) == 700 && !memcmp(back, big, 700));
	CHECK(last_w[0] == SOCK_DATA_MAX);
	/* MSG_PEEK takes nothing */
	uint8_t peek[10];
	CHECK(__cairn_recvfrom(s, peek, 10, MSG_PEEK, NULL, NULL) == 10 && rpos == 700 &&
	      !memcmp(peek, big + 700, 10));
	/* MSG_WAITALL goes on until it has all */
	CHECK(__cairn_recvfrom(s, back + 700, sizeof(back) - 700, MSG_WAITALL, NULL, NULL) ==
	      (long)sizeof(back) - 700);
	CHECK(!memcmp(back, big, sizeof(big)));
	/* and stops at the end of the stream */
	CHECK(__cairn_recvfrom(s, back, 100, MSG_WAITALL, NULL, NULL) == 0);
	return true;
}

TEST(sigpipe)
{
	reset(SOCK_STREAM);
	long s = __cairn_socket(AF_INET, SOCK_STREAM, 0);
	pipe_err = 1;
	CHECK(__cairn_sendto(s, "x", 1, 0, NULL, 0) == -EPIPE && raised == 1);
	CHECK(__cairn_sendto(s, "x", 1, MSG_NOSIGNAL, NULL, 0) == -EPIPE && raised == 1);
	return true;
}

TEST(datagrams)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(53) };
	struct sockaddr_in6 from;
	unsigned fl = sizeof(from);

	reset(SOCK_DGRAM);
	fill_big();
	long u = __cairn_socket(AF_INET, SOCK_DGRAM, 0);
	CHECK(__cairn_sendto(u, big, SOCK_DATA_MAX + 1, 0, &sin, sizeof(sin)) == -EMSGSIZE);
	CHECK(__cairn_sendto(u, big, SOCK_DATA_MAX, 0, &sin, sizeof(sin)) == SOCK_DATA_MAX);
	CHECK(last_w[2] == sizeof(sin) && last_nbytes == 16 + SOCK_DATA_MAX && dlen == SOCK_DATA_MAX);
	CHECK(!memcmp(dgram, big, dlen) && !memcmp(host_ipc_data, &sin, sizeof(sin)));
	/* the sender's address; a short buffer: the datagram cut */
	CHECK(__cairn_recvfrom(u, back, 10, 0, &from, &fl) == 10 && fl == 16 && from.sin6_family == AF_INET);
	CHECK(!memcmp(back, big, 10));
	/* MSG_TRUNC: the whole length */
	CHECK(__cairn_recvfrom(u, back, 10, MSG_TRUNC, NULL, NULL) == SOCK_DATA_MAX);
	/* an address buffer too short: cut, the length the whole */
	fl = 2;
	memset(&from, 0, sizeof(from));
	CHECK(__cairn_recvfrom(u, back, 10, 0, &from, &fl) == 10 && fl == 16 && from.sin6_family == AF_INET &&
	      from.sin6_port == 0);
	return true;
}

TEST(msg_calls)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(53) }, nm;
	char a1[3], a2[5], ctl[32];
	struct iovec rv[2] = { { a1, 3 }, { a2, 5 } };
	struct iovec sv[2] = { { "abc", 3 }, { "defg", 4 } };

	reset(SOCK_DGRAM);
	fill_big();
	long u = __cairn_socket(AF_INET, SOCK_DGRAM, 0);
	memcpy(dgram, big, 100);
	dlen = 100;
	struct msghdr m = { .msg_name = &nm, .msg_namelen = sizeof(nm), .msg_iov = rv, .msg_iovlen = 2,
			    .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	CHECK(__cairn_recvmsg(u, &m, 0) == 8);
	CHECK(!memcmp(a1, big, 3) && !memcmp(a2, big + 3, 5));
	CHECK(m.msg_flags == MSG_TRUNC && m.msg_controllen == 0 && m.msg_namelen == 16 &&
	      nm.sin_port == htons(from_port));
	struct msghdr sm = { .msg_name = &sin, .msg_namelen = sizeof(sin), .msg_iov = sv, .msg_iovlen = 2 };
	CHECK(__cairn_sendmsg(u, &sm, 0) == 7 && dlen == 7 && !memcmp(dgram, "abcdefg", 7));
	/* control data is unix.c's (its stub here refuses it): nothing is sent */
	sm.msg_control = ctl;
	sm.msg_controllen = 16;
	dlen = 0;
	CHECK(__cairn_sendmsg(u, &sm, 0) == -EINVAL && dlen == 0);
	return true;
}

TEST(not_a_socket)
{
	reset(SOCK_DGRAM);
	long u = __cairn_socket(AF_INET, SOCK_DGRAM, 0);
	/* a descriptor whose server knows no SOCK_* */
	nosys = 1;
	CHECK(__cairn_listen(u, 1) == -ENOTSOCK);
	/* one whose type says it is none */
	CHECK(__cairn_listen(0, 1) == -ENOTSOCK);
	return true;
}

TEST(type_asked_once)
{
	reset(SOCK_DGRAM);
	fill_big();
	/* a socket inherited through exec: its type not known yet */
	fds[5] = (struct cairn_fd){ .cap = 78, .kind = FDK_IO, .type = S_IFSOCK };
	CHECK(__cairn_sendto(5, big, SOCK_DATA_MAX + 1, 0, NULL, 0) == -EMSGSIZE);
	CHECK(fds[5].type == (S_IFSOCK | FD_SOCK_KNOWN | SOCK_DGRAM) && getopts == 1);
	CHECK(__cairn_sendto(5, big, SOCK_DATA_MAX + 1, 0, NULL, 0) == -EMSGSIZE && getopts == 1);
	return true;
}
