// SPDX-License-Identifier: MIT
/*
 * BSD sockets over loopback (musl-port's socket.c and the network server,
 * include/cairn/sock.h): TCP on 127.0.0.1 (connect and accept, data both
 * ways, 1 MiB each way with a forked client, names, ECONNREFUSED,
 * EADDRINUSE and SO_REUSEADDR as Linux has them, EAGAIN, the errors of an
 * unconnected socket, EPIPE with and without SIGPIPE, half-close,
 * non-blocking connect, poll and select, sockets across fork and exec,
 * MSG_PEEK, MSG_WAITALL, FIONREAD, options), UDP (addresses, connected
 * UDP, MSG_TRUNC, datagram boundaries, sendmsg/recvmsg with iovecs), IPv6
 * on ::1 (TCP, UDP, IPV6_V6ONLY), socketpair(AF_UNIX) stream and
 * datagram, AF_UNIX sockets named by a path (stream, datagram,
 * seqpacket) and abstract, SCM_RIGHTS (a file, a pipe end and a socket
 * to another process; MSG_CTRUNC; rights dropped with their socket),
 * SO_PEERCRED, load (200 connections at once, then 1,000 in a row),
 * shared rings (rings: past 32 KiB; AF_UNIX streams, datagrams and
 * seqpackets too), and the errors of socket() and of a
 * socket call on a pipe. Netlink (NETLINK_ROUTE): the port bind gives,
 * dumps of links and addresses (lo, 127.0.0.1/8), an unknown type's
 * EOPNOTSUPP, and the C library's if_nameindex and getifaddrs on them.
 *
 * It passes on Linux (the expectations are Linux's), built on the host:
 *   gcc -std=gnu11 -O2 -Wall -Wextra -Werror -idirafter user/lib/include \
 *       -idirafter user/lib/arch/x86_64/include \
 *       -idirafter user/tests/arch/x86_64/include -o /tmp/sockets \
 *       user/tests/posix/sockets.c user/lib/test.c user/tests/posix/lib/test_musl.c \
 *       user/tests/posix/lib/child.c
 * On Cairn it needs the network server and a process with "net"
 * (scripts/posix-manifest.sh servers --net, proc --net), as --exec's
 * world has them:
 *   ./qemu-run.sh --exec build/<arch>/tests/posix/sockets
 * Every port is the system's choice (bind to port 0, then getsockname).
 * Every wait is bounded: children end themselves with alarm(20), the
 * parent reaps them with a timeout, each test runs under alarm(60).
 * `sockets child FD` (an exec of itself) writes a line on socket FD.
 * Expected list: tests/harness/expected/posix-sockets.txt.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <stddef.h>
#include <time.h>
#include <ifaddrs.h>
#include <net/if.h>
#ifdef __cairn__
#include <cairn/netlink.h>
#define SOL_CAIRN_NET  0x6e6574      /* include/cairn/sock.h */
#define NET_STATS      1
#else
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#endif
#include "posixtest.h"

static char self[256];
static volatile sig_atomic_t pipes_caught;

/* The shared rings the network server has made and not freed (its
 * NET_STATS "rings", asked through socket fd); on Linux, which has none to
 * count, 2 (so a check of "at least 2" passes there). */
static int rings_now(int fd)
{
#ifdef __cairn__
	char st[1024] = "";
	socklen_t sl = sizeof(st) - 1;
	const char *r = getsockopt(fd, SOL_CAIRN_NET, NET_STATS, st, &sl) == 0 ? strstr(st, " rings=") : NULL;

	return r ? atoi(r + 7) : -1;
#else
	(void)fd;
	return 2;
#endif
}

static uint32_t fnv(uint32_t h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static uint8_t pattern(uint64_t i)
{
	return (uint8_t)((i ^ (i >> 9) ^ (i >> 17)) * 131u + 7u);
}

static void set_nonblock(int fd, int on)
{
	int fl = fcntl(fd, F_GETFL);

	fcntl(fd, F_SETFL, on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK);
}

static void on_sigpipe(int sig)
{
	(void)sig;
	pipes_caught++;
}

/* ---- addresses and connections ---- */

/* The loopback address of family fam (AF_INET, AF_INET6) with port (host order). */
static socklen_t loopback(int fam, struct sockaddr_storage *ss, int port)
{
	memset(ss, 0, sizeof(*ss));
	if (fam == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		a->sin6_addr = in6addr_loopback;
		return sizeof(*a);
	}
	struct sockaddr_in *a = (struct sockaddr_in *)ss;
	a->sin_family = AF_INET;
	a->sin_port = htons((uint16_t)port);
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sizeof(*a);
}

static int port_of(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return ntohs(((const struct sockaddr_in *)ss)->sin_port);
}

/* A socket of type bound to loopback port 0 (its address in *ss, *len); -1 on failure. */
static int bound(int fam, int type, struct sockaddr_storage *ss, socklen_t *len)
{
	int s = socket(fam, type, 0);

	if (s < 0)
		return -1;
	*len = loopback(fam, ss, 0);
	if (bind(s, (struct sockaddr *)ss, *len) || getsockname(s, (struct sockaddr *)ss, len)) {
		close(s);
		return -1;
	}
	return s;
}

/* A TCP listener on loopback (its address in *ss, *len). */
static int listener(int fam, struct sockaddr_storage *ss, socklen_t *len)
{
	int s = bound(fam, SOCK_STREAM, ss, len);

	if (s >= 0 && listen(s, 8)) {
		close(s);
		return -1;
	}
	return s;
}

/* A connected TCP pair over loopback: *c the connecting end, *a the accepted one. */
static int tcp_pair(int fam, int *c, int *a)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int l = listener(fam, &ss, &len);

	*c = *a = -1;
	if (l < 0)
		return -1;
	*c = socket(fam, SOCK_STREAM, 0);
	if (*c < 0 || connect(*c, (struct sockaddr *)&ss, len) || (*a = accept(l, NULL, NULL)) < 0) {
		close(l);
		if (*c >= 0)
			close(*c);
		*c = -1;
		return -1;
	}
	close(l);
	return 0;
}

/* A port nothing listens on: bound, then closed. */
static int closed_port(int fam)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int s = bound(fam, SOCK_STREAM, &ss, &len);

	if (s < 0)
		return -1;
	close(s);
	return port_of(&ss);
}

static int same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return 0;
	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;
		return x->sin6_port == y->sin6_port && !memcmp(&x->sin6_addr, &y->sin6_addr, 16);
	}
	const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;
	return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
}

static int optint(int s, int level, int name)
{
	int v = -12345;
	socklen_t len = sizeof(v);

	if (getsockopt(s, level, name, &v, &len) || len != sizeof(v))
		return -12345;
	return v;
}

/* ---- TCP ---- */

static void tcp_basic_in(int fam)
{
	struct sockaddr_storage ss, peer, name;
	socklen_t len, plen = sizeof(peer), nlen = sizeof(name);
	int l = listener(fam, &ss, &len), c, a;
	char buf[64];

	if (!CHECK(l >= 0))
		return;
	CHECK(port_of(&ss) != 0);
	c = socket(fam, SOCK_STREAM, 0);
	CHECK(c >= 0);
	CHECK(connect(c, (struct sockaddr *)&ss, len) == 0);
	a = accept(l, (struct sockaddr *)&peer, &plen);
	CHECK(a >= 0);
	/* the peer accept names is the client's own name */
	CHECK(getsockname(c, (struct sockaddr *)&name, &nlen) == 0);
	CHECK(plen == len && nlen == len && same_addr(&peer, &name));
	/* and the client's peer is the listener's address */
	nlen = sizeof(name);
	CHECK(getpeername(c, (struct sockaddr *)&name, &nlen) == 0 && same_addr(&name, &ss));
	nlen = sizeof(name);
	CHECK(getsockname(a, (struct sockaddr *)&name, &nlen) == 0 && same_addr(&name, &ss));
	nlen = sizeof(name);
	CHECK(getpeername(a, (struct sockaddr *)&name, &nlen) == 0 && same_addr(&name, &peer));
	/* a short address buffer: cut, the length says the whole */
	nlen = 2;
	memset(&name, 0, sizeof(name));
	CHECK(getsockname(a, (struct sockaddr *)&name, &nlen) == 0 && nlen == len &&
	      name.ss_family == fam && port_of(&name) == 0);
	CHECK(write(c, "hello", 5) == 5);
	CHECK(pt_read_full(a, buf, 5) == 5 && !memcmp(buf, "hello", 5));
	CHECK(send(a, "world!", 6, 0) == 6);
	CHECK(pt_read_full(c, buf, 6) == 6 && !memcmp(buf, "world!", 6));
	close(a);
	close(c);
	close(l);
}

static void tcp_basic(void)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int l = listener(AF_INET, &ss, &len), c, a;
	char buf[64];

	if (!CHECK(l >= 0))
		return;
	c = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(c >= 0);
	CHECK(optint(c, SOL_SOCKET, SO_TYPE) == SOCK_STREAM);
	CHECK(connect(c, (struct sockaddr *)&ss, len) == 0);
	a = accept(l, NULL, NULL);
	CHECK(a >= 0);
	CHECK(write(c, "hello", 5) == 5);
	CHECK(pt_read_full(a, buf, 5) == 5 && !memcmp(buf, "hello", 5));
	CHECK(send(a, "world!", 6, 0) == 6);
	CHECK(recv(c, buf, 6, MSG_WAITALL) == 6 && !memcmp(buf, "world!", 6));
	/* sendto with no address on a connected stream; recvfrom with one */
	CHECK(sendto(c, "xyz", 3, 0, NULL, 0) == 3);
	struct sockaddr_storage from;
	socklen_t flen = sizeof(from);
	CHECK(recvfrom(a, buf, 3, MSG_WAITALL, (struct sockaddr *)&from, &flen) == 3 && !memcmp(buf, "xyz", 3));
	/* a second connection to the same listener */
	int c2 = socket(AF_INET, SOCK_STREAM, 0), a2;
	CHECK(c2 >= 0 && connect(c2, (struct sockaddr *)&ss, len) == 0);
	a2 = accept(l, NULL, NULL);
	CHECK(a2 >= 0);
	CHECK(write(a2, "2", 1) == 1 && read(c2, buf, 1) == 1 && buf[0] == '2');
	struct stat st;
	CHECK(fstat(a2, &st) == 0 && S_ISSOCK(st.st_mode));
	close(a2);
	close(c2);
	close(a);
	close(c);
	close(l);
}

static void tcp_names(void)
{
	tcp_basic_in(AF_INET);
}

/* 1 MiB each way: a forked client sends, the parent checks and answers the sum, then the reverse. */
static void tcp_large(void)
{
	enum { TOTAL = 1 << 20 };
	static uint8_t buf[65536];
	struct sockaddr_storage ss;
	socklen_t len;
	int l = listener(AF_INET, &ss, &len), a;
	pid_t pid;

	if (!CHECK(l >= 0))
		return;
	pid = fork();
	if (pid == 0) {
		static const size_t wsz[] = { 1, 4095, 4096, 4097, 65536, 10000, 3 };
		uint64_t sent = 0;
		uint32_t h = 2166136261u, back = 0;
		int c;

		pt_child_start();
		c = socket(AF_INET, SOCK_STREAM, 0);
		if (c < 0 || connect(c, (struct sockaddr *)&ss, len))
			_exit(1);
		for (unsigned i = 0; sent < TOTAL; i++) {
			size_t k = wsz[i % 7];
			if (k > TOTAL - sent)
				k = TOTAL - sent;
			for (size_t j = 0; j < k; j++)
				buf[j] = pattern(sent + j);
			h = fnv(h, buf, k);
			if (pt_write_full(c, buf, k) != (ssize_t)k)
				_exit(2);
			sent += k;
		}
		if (pt_read_full(c, &back, 4) != 4 || back != h)
			_exit(3);
		/* now the parent's megabyte, in big reads */
		uint64_t got = 0;
		while (got < TOTAL) {
			ssize_t n = recv(c, buf, sizeof(buf), 0);
			if (n <= 0)
				_exit(4);
			for (ssize_t j = 0; j < n; j++)
				if (buf[j] != pattern(got + (uint64_t)j + 5))
					_exit(5);
			got += (uint64_t)n;
		}
		_exit(recv(c, buf, 1, 0) == 0 ? 0 : 6);
	}
	a = accept(l, NULL, NULL);
	CHECK(a >= 0);
	uint64_t got = 0;
	uint32_t h = 2166136261u;
	int bad = 0;
	while (got < TOTAL) {
		size_t want = (got / 7) % 3 == 0 ? 1000 : sizeof(buf);
		ssize_t n = read(a, buf, want);
		if (n <= 0)
			break;
		for (ssize_t j = 0; j < n; j++)
			bad += buf[j] != pattern(got + (uint64_t)j);
		h = fnv(h, buf, (size_t)n);
		got += (uint64_t)n;
	}
	CHECK(got == TOTAL && !bad);
	CHECK(write(a, &h, 4) == 4);
	/* one send of the whole megabyte: a blocking stream sends all */
	static uint8_t big[TOTAL];
	for (uint64_t i = 0; i < TOTAL; i++)
		big[i] = pattern(i + 5);
	CHECK(send(a, big, TOTAL, 0) == TOTAL);
	close(a);
	REAP(pid, 0);
	close(l);
}

static void conn_refused(void)
{
	struct sockaddr_storage ss;
	int port = closed_port(AF_INET), s;
	socklen_t len;

	if (!CHECK(port > 0))
		return;
	len = loopback(AF_INET, &ss, port);
	s = socket(AF_INET, SOCK_STREAM, 0);
	if (!CHECK(s >= 0))
		return;
	ERRNO(connect(s, (struct sockaddr *)&ss, len), ECONNREFUSED);
	close(s);
}

static void addr_in_use(void)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int one = 1, l, s, c, a;
	char b;

	/* two binds to one port */
	l = bound(AF_INET, SOCK_STREAM, &ss, &len);
	if (!CHECK(l >= 0))
		return;
	s = socket(AF_INET, SOCK_STREAM, 0);
	ERRNO(bind(s, (struct sockaddr *)&ss, len), EADDRINUSE);
	/* bound twice: EINVAL */
	struct sockaddr_storage any;
	socklen_t alen = loopback(AF_INET, &any, 0);
	ERRNO(bind(l, (struct sockaddr *)&any, alen), EINVAL);
	close(s);
	close(l);
	/* SO_REUSEADDR on both does not share a port with a listener */
	l = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0);
	CHECK(optint(l, SOL_SOCKET, SO_REUSEADDR) == 1);
	len = loopback(AF_INET, &ss, 0);
	CHECK(bind(l, (struct sockaddr *)&ss, len) == 0 && getsockname(l, (struct sockaddr *)&ss, &len) == 0);
	CHECK(listen(l, 4) == 0);
	s = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0);
	ERRNO(bind(s, (struct sockaddr *)&ss, len), EADDRINUSE);
	close(s);
	/* a connection whose accepted end closes first: that end waits
	 * (TIME_WAIT) on the port; without SO_REUSEADDR the port is taken,
	 * with it a new socket may bind once the listener is gone */
	c = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(connect(c, (struct sockaddr *)&ss, len) == 0);
	a = accept(l, NULL, NULL);
	CHECK(a >= 0);
	close(a);
	CHECK(read(c, &b, 1) == 0);
	close(c);
	close(l);
	pt_msleep(50);
	s = socket(AF_INET, SOCK_STREAM, 0);
	ERRNO(bind(s, (struct sockaddr *)&ss, len), EADDRINUSE);
	close(s);
	s = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0);
	CHECK(bind(s, (struct sockaddr *)&ss, len) == 0);
	CHECK(listen(s, 4) == 0);
	close(s);
}

static void nonblock_again(void)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int l = listener(AF_INET, &ss, &len), c, a, s;
	char buf[8];

	if (!CHECK(l >= 0))
		return;
	/* accept with nothing queued */
	set_nonblock(l, 1);
	ERRNO(accept(l, NULL, NULL), EAGAIN);
	ERRNO(accept4(l, NULL, NULL, SOCK_CLOEXEC), EAGAIN);
	/* socket(SOCK_NONBLOCK | SOCK_CLOEXEC): the flags where they belong */
	s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (!CHECK(s >= 0))
		return;
	CHECK((fcntl(s, F_GETFL) & O_NONBLOCK) && fcntl(s, F_GETFD) == FD_CLOEXEC);
	close(s);
	c = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(c >= 0 && connect(c, (struct sockaddr *)&ss, len) == 0);
	struct pollfd pf = { .fd = l, .events = POLLIN };
	CHECK(poll(&pf, 1, 5000) == 1);
	a = accept4(l, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	CHECK(a >= 0);
	CHECK((fcntl(a, F_GETFL) & O_NONBLOCK) && fcntl(a, F_GETFD) == FD_CLOEXEC);
	/* recv with nothing there */
	ERRNO(recv(a, buf, sizeof(buf), 0), EAGAIN);
	ERRNO(read(a, buf, sizeof(buf)), EAGAIN);
	/* MSG_DONTWAIT on a blocking socket */
	CHECK(!(fcntl(c, F_GETFL) & O_NONBLOCK));
	ERRNO(recv(c, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
	/* then data */
	CHECK(write(c, "n", 1) == 1);
	pf = (struct pollfd){ .fd = a, .events = POLLIN };
	CHECK(poll(&pf, 1, 5000) == 1 && (pf.revents & POLLIN));
	CHECK(recv(a, buf, sizeof(buf), 0) == 1 && buf[0] == 'n');
	ERRNO(recv(a, buf, sizeof(buf), 0), EAGAIN);
	/* FIONBIO turns it on and off */
	int on = 1;
	CHECK(ioctl(c, FIONBIO, &on) == 0 && (fcntl(c, F_GETFL) & O_NONBLOCK));
	ERRNO(recv(c, buf, sizeof(buf), 0), EAGAIN);
	on = 0;
	CHECK(ioctl(c, FIONBIO, &on) == 0 && !(fcntl(c, F_GETFL) & O_NONBLOCK));
	/* a full send buffer: a non-blocking send ends with EAGAIN */
	static char fill[65536];
	long total = 0;
	ssize_t n;
	while ((n = send(a, fill, sizeof(fill), 0)) > 0 && total < (64l << 20))
		total += n;
	CHECK(n == -1 && errno == EAGAIN && total > 0);
	close(a);
	close(c);
	close(l);
}

static void not_connected(void)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int s = socket(AF_INET, SOCK_STREAM, 0);
	char buf[4];

	if (!CHECK(s >= 0))
		return;
	ERRNO(getpeername(s, (struct sockaddr *)&ss, &len), ENOTCONN);
	ERRNO(recv(s, buf, sizeof(buf), 0), ENOTCONN);
	ERRNO(read(s, buf, sizeof(buf)), ENOTCONN);
	/* Linux: a send on a stream that never connected is EPIPE (SIGPIPE
	 * unless MSG_NOSIGNAL), as after a close */
	ERRNO(send(s, "x", 1, MSG_NOSIGNAL), EPIPE);
	ERRNO(shutdown(s, SHUT_RDWR), ENOTCONN);
	/* a listener is not connected either */
	int l = listener(AF_INET, &ss, &len);
	if (!CHECK(l >= 0))
		return;
	ERRNO(recv(l, buf, sizeof(buf), 0), ENOTCONN);
	len = sizeof(ss);
	ERRNO(getpeername(l, (struct sockaddr *)&ss, &len), ENOTCONN);
	/* accept on a socket that does not listen */
	ERRNO(accept(s, NULL, NULL), EINVAL);
	ERRNO(shutdown(l, 7), EINVAL);
	close(l);
	close(s);
}

/* Sends on c until it fails (at most 50 tries, 10 ms apart): the errno. */
static int send_until_error(int c, int flags)
{
	for (int i = 0; i < 50; i++) {
		if (send(c, "data", 4, flags) < 0)
			return errno;
		pt_msleep(10);
	}
	return 0;
}

static void epipe(void)
{
	int c, a;

	signal(SIGPIPE, on_sigpipe);
	/* the peer closed: SIGPIPE and EPIPE */
	if (!CHECK(tcp_pair(AF_INET, &c, &a) == 0))
		return;
	close(a);
	pipes_caught = 0;
	CHECK(send_until_error(c, 0) == EPIPE);
	CHECK(pipes_caught == 1);
	/* write() too */
	ERRNO(write(c, "w", 1), EPIPE);
	CHECK(pipes_caught == 2);
	/* MSG_NOSIGNAL: EPIPE alone */
	ERRNO(send(c, "q", 1, MSG_NOSIGNAL), EPIPE);
	CHECK(pipes_caught == 2);
	close(c);
	/* our own shutdown(SHUT_WR): EPIPE at once */
	if (!CHECK(tcp_pair(AF_INET, &c, &a) == 0))
		return;
	CHECK(shutdown(c, SHUT_WR) == 0);
	ERRNO(send(c, "x", 1, MSG_NOSIGNAL), EPIPE);
	CHECK(pipes_caught == 2);
	ERRNO(send(c, "x", 1, 0), EPIPE);
	CHECK(pipes_caught == 3);
	close(a);
	close(c);
	/* the default action ends a child */
	if (!CHECK(tcp_pair(AF_INET, &c, &a) == 0))
		return;
	close(a);
	pid_t pid = fork();
	if (pid == 0) {
		pt_child_start();
		signal(SIGPIPE, SIG_DFL);
		send_until_error(c, 0);
		_exit(0);
	}
	REAP(pid, 1000 + SIGPIPE);
	close(c);
	signal(SIGPIPE, SIG_DFL);
}

/* A connected stream's bytes past the first SOCK_RING_AFTER (32 KiB) go
 * through shared rings on Cairn: what a send buffer does there. MSG_PEEK,
 * MSG_WAITALL and FIONREAD see the bytes; a non-blocking sender fills up
 * (EAGAIN, no POLLOUT) and gets room back as the peer reads; what was
 * sent before a close or a shutdown(SHUT_WR) all arrives, then the end;
 * a reset peer is EPIPE. */
static int ring_warm(int c, int a)
{
	static uint8_t buf[40000];

	memset(buf, 'w', sizeof(buf));
	return pt_write_full(c, buf, sizeof(buf)) == (ssize_t)sizeof(buf) &&
	       pt_read_full(a, buf, sizeof(buf)) == (ssize_t)sizeof(buf) &&
	       pt_write_full(a, buf, sizeof(buf)) == (ssize_t)sizeof(buf) &&
	       pt_read_full(c, buf, sizeof(buf)) == (ssize_t)sizeof(buf);
}

static void rings(void)
{
	enum { BIG = 600000 };
	static uint8_t out[BIG], in[BIG];
	pid_t pid;
	int c, a, n, fl;
	ssize_t k, sent = 0, got = 0;

	for (size_t i = 0; i < BIG; i++)
		out[i] = pattern(i);
	if (!CHECK(tcp_pair(AF_INET, &c, &a) == 0))
		return;
	CHECK(ring_warm(c, a));
	/* peek, FIONREAD, waitall */
	CHECK(write(c, out, 1000) == 1000);
	pt_msleep(20);
	CHECK(ioctl(a, FIONREAD, &n) == 0 && n == 1000);
	CHECK(recv(a, in, 10, MSG_PEEK) == 10 && !memcmp(in, out, 10));
	CHECK(recv(a, in, 1000, MSG_WAITALL) == 1000 && !memcmp(in, out, 1000));
	CHECK(ioctl(a, FIONREAD, &n) == 0 && n == 0);
	/* a non-blocking sender fills up (small buffers where they count:
	 * Linux), then gets room back */
	n = 4096;
	CHECK(setsockopt(c, SOL_SOCKET, SO_SNDBUF, &n, sizeof(n)) == 0);
	CHECK(setsockopt(a, SOL_SOCKET, SO_RCVBUF, &n, sizeof(n)) == 0);
	fl = fcntl(c, F_GETFL);
	CHECK(fcntl(c, F_SETFL, fl | O_NONBLOCK) == 0);
	while (sent < BIG && (k = send(c, out + sent, (size_t)(BIG - sent), 0)) > 0)
		sent += k;
	CHECK(sent < BIG && errno == EAGAIN);
	while (got < BIG) {
		struct pollfd pp[2] = { { .fd = a, .events = POLLIN }, { .fd = c, .events = POLLOUT } };

		if (poll(pp, sent < BIG ? 2 : 1, 5000) <= 0)
			break;
		if ((pp[0].revents & POLLIN) && (k = recv(a, in + got, (size_t)(BIG - got), MSG_DONTWAIT)) > 0)
			got += k;
		if (sent < BIG && (pp[1].revents & POLLOUT) &&
		    (k = send(c, out + sent, (size_t)(BIG - sent), 0)) > 0)
			sent += k;
	}
	CHECK(got == BIG && sent == BIG && !memcmp(in, out, BIG));
	CHECK(fcntl(c, F_SETFL, fl) == 0);
	/* sent just before shutdown(SHUT_WR), then just before close (by a
	 * child): all of it arrives, then the end */
	for (int how = 0; how < 2; how++) {
		if (how && (!CHECK(tcp_pair(AF_INET, &c, &a) == 0) || !CHECK(ring_warm(c, a))))
			return;
		if ((pid = fork()) == 0) {
			pt_child_start();
			if (write(c, out, BIG) != BIG)
				_exit(1);
			_exit(how ? 0 : shutdown(c, SHUT_WR) ? 2 : 0);
		}
		close(c);
		memset(in, 0, BIG);
		CHECK(pt_read_full(a, in, BIG) == BIG && !memcmp(in, out, BIG));
		CHECK(read(a, in, 1) == 0);
		REAP(pid, 0);
		close(a);
	}
	/* a program exec'd with the descriptor reads what is in the rings */
	if (!CHECK(tcp_pair(AF_INET, &c, &a) == 0))
		return;
	CHECK(ring_warm(c, a));
	CHECK(write(a, out, 5000) == 5000);
	pt_msleep(20);
	if ((pid = fork()) == 0) {
		char fd[16];

		pt_child_start();
		snprintf(fd, sizeof(fd), "%d", c);
		execl(self, self, "ringchild", fd, (char *)NULL);
		_exit(127);
	}
	close(c);                      /* the child's end: its exit is the end */
	CHECK(pt_read_full(a, in, 7) == 7 && !memcmp(in, "ring ok", 7));
	REAP(pid, 0);
	close(a);
	/* the peer gone: EPIPE (SIGPIPE ignored), and the reader's end */
	if (!CHECK(tcp_pair(AF_INET, &c, &a) == 0))
		return;
	CHECK(ring_warm(c, a));
	close(a);
	signal(SIGPIPE, SIG_IGN);
	k = 0;
	for (int i = 0; i < 50 && k >= 0; i++) {
		k = send(c, out, 1000, 0);
		pt_msleep(10);
	}
	CHECK(k < 0 && errno == EPIPE);
	signal(SIGPIPE, SIG_DFL);
	k = read(c, in, 1);
	CHECK(k == 0 || (k < 0 && errno == ECONNRESET));
	close(c);
}

static void half_close(void)
{
	int c, a;
	char buf[16];

	if (!CHECK(tcp_pair(AF_INET, &c, &a) == 0))
		return;
	CHECK(write(c, "last", 4) == 4);
	CHECK(shutdown(c, SHUT_WR) == 0);
	CHECK(pt_read_full(a, buf, 4) == 4 && !memcmp(buf, "last", 4));
	CHECK(read(a, buf, sizeof(buf)) == 0);
	CHECK(recv(a, buf, sizeof(buf), 0) == 0);
	/* the other way still works */
	CHECK(write(a, "reply", 5) == 5);
	CHECK(pt_read_full(c, buf, 5) == 5 && !memcmp(buf, "reply", 5));
	/* shutdown(SHUT_RD) on our side: reads end at once */
	CHECK(shutdown(a, SHUT_RD) == 0);
	CHECK(read(a, buf, sizeof(buf)) == 0);
	close(a);
	CHECK(read(c, buf, sizeof(buf)) == 0);
	close(c);
}

static void nonblock_connect(void)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int l = listener(AF_INET, &ss, &len), c, r;
	struct pollfd pf;

	if (!CHECK(l >= 0))
		return;
	c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	CHECK(c >= 0);
	r = connect(c, (struct sockaddr *)&ss, len);
	CHECK(r == 0 || errno == EINPROGRESS);
	pf = (struct pollfd){ .fd = c, .events = POLLOUT };
	CHECK(poll(&pf, 1, 5000) == 1 && pf.revents == POLLOUT);
	CHECK(optint(c, SOL_SOCKET, SO_ERROR) == 0);
	/* connected now: Linux answers the first connect after the
	 * handshake with 0, later ones with EISCONN */
	r = connect(c, (struct sockaddr *)&ss, len);
	CHECK(r == 0 || errno == EISCONN);
	ERRNO(connect(c, (struct sockaddr *)&ss, len), EISCONN);
	int a = accept(l, NULL, NULL);
	CHECK(a >= 0);
	CHECK(write(c, "c", 1) == 1);
	close(a);
	close(c);
	/* to a port nobody listens on: SO_ERROR says ECONNREFUSED (once) */
	len = loopback(AF_INET, &ss, closed_port(AF_INET));
	c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	CHECK(c >= 0);
	r = connect(c, (struct sockaddr *)&ss, len);
	CHECK(r == -1 && (errno == EINPROGRESS || errno == ECONNREFUSED));
	if (r == -1 && errno == EINPROGRESS) {
		pf = (struct pollfd){ .fd = c, .events = POLLOUT };
		CHECK(poll(&pf, 1, 5000) == 1 && (pf.revents & POLLOUT));
		CHECK(optint(c, SOL_SOCKET, SO_ERROR) == ECONNREFUSED);
	}
	CHECK(optint(c, SOL_SOCKET, SO_ERROR) == 0);
	close(c);
	close(l);
}

static void poll_events(void)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int l = listener(AF_INET, &ss, &len), c, a;
	struct pollfd pf[2];
	char buf[8];

	if (!CHECK(l >= 0))
		return;
	/* a listener: nothing, then POLLIN for a connection waiting */
	pf[0] = (struct pollfd){ .fd = l, .events = POLLIN | POLLOUT };
	CHECK(poll(pf, 1, 0) == 0);
	c = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(c >= 0 && connect(c, (struct sockaddr *)&ss, len) == 0);
	CHECK(poll(pf, 1, 5000) == 1 && pf[0].revents == POLLIN);
	a = accept(l, NULL, NULL);
	CHECK(a >= 0);
	CHECK(poll(pf, 1, 0) == 0);
	/* connected: writable, not readable */
	pf[0] = (struct pollfd){ .fd = a, .events = POLLIN | POLLOUT };
	CHECK(poll(pf, 1, 5000) == 1 && pf[0].revents == POLLOUT);
	/* data wakes a waiting poll */
	pid_t pid = fork();
	if (pid == 0) {
		pt_child_start();
		pt_msleep(50);
		_exit(write(c, "p", 1) == 1 ? 0 : 1);
	}
	pf[0] = (struct pollfd){ .fd = a, .events = POLLIN };
	int64_t t0 = pt_now_ms();
	CHECK(poll(pf, 1, 5000) == 1 && pf[0].revents == POLLIN && pt_now_ms() - t0 >= 20);
	REAP(pid, 0);
	CHECK(read(a, buf, 1) == 1);
	/* two sockets, one ready */
	pf[0] = (struct pollfd){ .fd = a, .events = POLLIN };
	pf[1] = (struct pollfd){ .fd = c, .events = POLLIN };
	CHECK(write(a, "q", 1) == 1);
	CHECK(poll(pf, 2, 5000) == 1 && pf[0].revents == 0 && pf[1].revents == POLLIN);
	CHECK(read(c, buf, 1) == 1);
	/* the peer closes: POLLIN (and POLLRDHUP), a read of 0 */
	close(c);
	pf[0] = (struct pollfd){ .fd = a, .events = POLLIN | POLLRDHUP };
	CHECK(poll(pf, 1, 5000) == 1 && (pf[0].revents & POLLIN) && (pf[0].revents & POLLRDHUP));
	CHECK(read(a, buf, 1) == 0);
	/* both ways shut: POLLHUP too */
	CHECK(shutdown(a, SHUT_WR) == 0);
	pf[0] = (struct pollfd){ .fd = a, .events = POLLIN };
	CHECK(poll(pf, 1, 5000) == 1 && (pf[0].revents & POLLHUP));
	close(a);
	close(l);
}

static void select_socket(void)
{
	int c, a, n;
	fd_set r, w;
	struct timeval tv = { 0, 0 };
	char b;

	if (!CHECK(tcp_pair(AF_INET, &c, &a) == 0))
		return;
	FD_ZERO(&r);
	FD_SET(a, &r);
	n = a > c ? a + 1 : c + 1;
	CHECK(select(n, &r, NULL, NULL, &tv) == 0);
	FD_ZERO(&w);
	FD_SET(c, &w);
	tv = (struct timeval){ 1, 0 };
	CHECK(select(n, NULL, &w, NULL, &tv) == 1 && FD_ISSET(c, &w));
	CHECK(write(c, "s", 1) == 1);
	FD_ZERO(&r);
	FD_SET(a, &r);
	FD_SET(c, &r);
	tv = (struct timeval){ 5, 0 };
	CHECK(select(n, &r, NULL, NULL, &tv) == 1 && FD_ISSET(a, &r) && !FD_ISSET(c, &r));
	CHECK(read(a, &b, 1) == 1 && b == 's');
	close(a);
	close(c);
}

static void fork_inherit(void)
{
	int c, a;
	char buf[64];
	pid_t pid;

	if (!CHECK(tcp_pair(AF_INET, &c, &a) == 0))
		return;
	/* the child writes on the inherited socket, the parent's copy reads */
	pid = fork();
	if (pid == 0) {
		pt_child_start();
		close(a);
		_exit(write(c, "from child", 10) == 10 ? 0 : 1);
	}
	CHECK(pt_read_full(a, buf, 10) == 10 && !memcmp(buf, "from child", 10));
	REAP(pid, 0);
	/* the parent's copy still works after the child's is gone */
	CHECK(write(c, "p", 1) == 1 && read(a, buf, 1) == 1 && buf[0] == 'p');
	/* through exec: the program writes a line on descriptor c */
	pid = fork();
	if (pid == 0) {
		char fd[16];
		pt_child_start();
		snprintf(fd, sizeof(fd), "%d", c);
		execl(self, self, "child", fd, (char *)NULL);
		_exit(127);
	}
	ssize_t n = pt_read_full(a, buf, 9);
	CHECK(n == 9 && !memcmp(buf, "exec'd ok", 9));
	REAP(pid, 0);
	/* the last holder's close ends the stream */
	close(c);
	CHECK(read(a, buf, 1) == 0);
	close(a);
}

static void peek_and_waitall(void)
{
	int c, a;
	char buf[16];

	if (!CHECK(tcp_pair(AF_INET, &c, &a) == 0))
		return;
	CHECK(write(c, "peekaboo", 8) == 8);
	struct pollfd pf = { .fd = a, .events = POLLIN };
	CHECK(poll(&pf, 1, 5000) == 1);
	pt_msleep(20);
	CHECK(recv(a, buf, 4, MSG_PEEK) == 4 && !memcmp(buf, "peek", 4));
	CHECK(recv(a, buf, 8, MSG_PEEK | MSG_WAITALL) == 8 && !memcmp(buf, "peekaboo", 8));
	CHECK(recv(a, buf, 8, 0) == 8 && !memcmp(buf, "peekaboo", 8));
	/* MSG_WAITALL waits for the rest */
	pid_t pid = fork();
	if (pid == 0) {
		pt_child_start();
		write(c, "abc", 3);
		pt_msleep(50);
		write(c, "defgh", 5);
		_exit(0);
	}
	CHECK(recv(a, buf, 8, MSG_WAITALL) == 8 && !memcmp(buf, "abcdefgh", 8));
	REAP(pid, 0);
	close(c);
	/* at the end of the stream it returns what there was */
	CHECK(recv(a, buf, 8, MSG_WAITALL) == 0);
	close(a);
}

static void fionread(void)
{
	int c, a, n = -1;

	if (!CHECK(tcp_pair(AF_INET, &c, &a) == 0))
		return;
	CHECK(ioctl(a, FIONREAD, &n) == 0 && n == 0);
	static char buf[3000];
	memset(buf, 'f', sizeof(buf));
	CHECK(write(c, buf, 100) == 100);
	struct pollfd pf = { .fd = a, .events = POLLIN };
	CHECK(poll(&pf, 1, 5000) == 1);
	pt_msleep(20);
	CHECK(ioctl(a, FIONREAD, &n) == 0 && n == 100);
	CHECK(read(a, buf, 40) == 40);
	CHECK(ioctl(a, FIONREAD, &n) == 0 && n == 60);
	close(a);
	close(c);
}

static void buffer_sizes(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0), v;

	if (!CHECK(s >= 0))
		return;
	CHECK(optint(s, SOL_SOCKET, SO_RCVBUF) > 0);
	CHECK(optint(s, SOL_SOCKET, SO_SNDBUF) > 0);
	v = 65536;
	CHECK(setsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)) == 0);
	CHECK(optint(s, SOL_SOCKET, SO_RCVBUF) >= 65536);
	CHECK(setsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)) == 0);
	CHECK(optint(s, SOL_SOCKET, SO_SNDBUF) >= 65536);
	/* a short option: EINVAL */
	char b = 1;
	ERRNO(setsockopt(s, SOL_SOCKET, SO_RCVBUF, &b, 1), EINVAL);
	close(s);
}

static void options(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0), u = socket(AF_INET, SOCK_DGRAM, 0), one = 1, zero = 0;

	if (!CHECK(s >= 0 && u >= 0))
		return;
	CHECK(optint(s, SOL_SOCKET, SO_TYPE) == SOCK_STREAM);
	CHECK(optint(u, SOL_SOCKET, SO_TYPE) == SOCK_DGRAM);
	CHECK(optint(s, SOL_SOCKET, SO_ERROR) == 0);
	CHECK(optint(s, SOL_SOCKET, SO_KEEPALIVE) == 0);
	CHECK(setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one)) == 0);
	CHECK(optint(s, SOL_SOCKET, SO_KEEPALIVE) == 1);
	CHECK(setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &zero, sizeof(zero)) == 0);
	CHECK(optint(s, SOL_SOCKET, SO_KEEPALIVE) == 0);
	CHECK(optint(s, IPPROTO_TCP, TCP_NODELAY) == 0);
	CHECK(setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) == 0);
	CHECK(optint(s, IPPROTO_TCP, TCP_NODELAY) != 0);
	CHECK(optint(s, SOL_SOCKET, SO_REUSEADDR) == 0);
	/* a short buffer gets what fits */
	int v = 0;
	socklen_t len = 0;
	CHECK(getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &len) == 0 && len == 0);
	/* unknown options and levels */
	len = sizeof(v);
	ERRNO(getsockopt(s, SOL_SOCKET, 12345, &v, &len), ENOPROTOOPT);
	ERRNO(setsockopt(s, SOL_SOCKET, 12345, &one, sizeof(one)), ENOPROTOOPT);
	len = sizeof(v);
	ERRNO(getsockopt(s, IPPROTO_TCP, 12345, &v, &len), ENOPROTOOPT);
	close(s);
	close(u);
}

/* ---- UDP ---- */

static void udp_in(int fam)
{
	struct sockaddr_storage sa, sb, from;
	socklen_t la, lb, lf = sizeof(from);
	int a = bound(fam, SOCK_DGRAM, &sa, &la), b = bound(fam, SOCK_DGRAM, &sb, &lb);
	char buf[64];

	if (!CHECK(a >= 0 && b >= 0))
		return;
	CHECK(sendto(a, "to b", 4, 0, (struct sockaddr *)&sb, lb) == 4);
	CHECK(recvfrom(b, buf, sizeof(buf), 0, (struct sockaddr *)&from, &lf) == 4 && !memcmp(buf, "to b", 4));
	CHECK(lf == la && same_addr(&from, &sa));
	CHECK(sendto(b, "to a", 4, 0, (struct sockaddr *)&from, lf) == 4);
	lf = sizeof(from);
	CHECK(recvfrom(a, buf, sizeof(buf), 0, (struct sockaddr *)&from, &lf) == 4 && !memcmp(buf, "to a", 4));
	CHECK(same_addr(&from, &sb));
	/* an empty datagram */
	CHECK(sendto(a, "", 0, 0, (struct sockaddr *)&sb, lb) == 0);
	CHECK(recv(b, buf, sizeof(buf), 0) == 0);
	/* nothing waiting */
	ERRNO(recv(b, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
	/* no peer, no address */
	ERRNO(send(a, "x", 1, 0), EDESTADDRREQ);
	close(a);
	close(b);
}

static void udp_sendto(void)
{
	udp_in(AF_INET);
}

static void udp_connected(void)
{
	struct sockaddr_storage sa, sb, sc, peer;
	socklen_t la, lb, lc, lp = sizeof(peer);
	int a = bound(AF_INET, SOCK_DGRAM, &sa, &la), b = bound(AF_INET, SOCK_DGRAM, &sb, &lb);
	int c = bound(AF_INET, SOCK_DGRAM, &sc, &lc);
	char buf[16];

	if (!CHECK(a >= 0 && b >= 0 && c >= 0))
		return;
	CHECK(connect(a, (struct sockaddr *)&sb, lb) == 0);
	CHECK(getpeername(a, (struct sockaddr *)&peer, &lp) == 0 && same_addr(&peer, &sb));
	CHECK(send(a, "one", 3, 0) == 3);
	CHECK(write(a, "two", 3) == 3);
	CHECK(recv(b, buf, sizeof(buf), 0) == 3 && !memcmp(buf, "one", 3));
	CHECK(read(b, buf, sizeof(buf)) == 3 && !memcmp(buf, "two", 3));
	/* a connected socket takes datagrams from its peer only */
	CHECK(sendto(c, "not", 3, 0, (struct sockaddr *)&sa, la) == 3);
	CHECK(sendto(b, "yes", 3, 0, (struct sockaddr *)&sa, la) == 3);
	CHECK(recv(a, buf, sizeof(buf), 0) == 3 && !memcmp(buf, "yes", 3));
	ERRNO(recv(a, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
	/* AF_UNSPEC forgets the peer */
	struct sockaddr unspec = { .sa_family = AF_UNSPEC };
	CHECK(connect(a, &unspec, sizeof(unspec)) == 0);
	lp = sizeof(peer);
	ERRNO(getpeername(a, (struct sockaddr *)&peer, &lp), ENOTCONN);
	ERRNO(send(a, "x", 1, 0), EDESTADDRREQ);
	close(a);
	close(b);
	close(c);
}

static void udp_trunc(void)
{
	struct sockaddr_storage sa, sb;
	socklen_t la, lb;
	int a = bound(AF_INET, SOCK_DGRAM, &sa, &la), b = bound(AF_INET, SOCK_DGRAM, &sb, &lb);
	char buf[16];
	struct iovec v = { buf, 4 };
	struct msghdr m = { .msg_iov = &v, .msg_iovlen = 1 };

	if (!CHECK(a >= 0 && b >= 0))
		return;
	CHECK(sendto(a, "0123456789", 10, 0, (struct sockaddr *)&sb, lb) == 10);
	CHECK(recvmsg(b, &m, 0) == 4 && !memcmp(buf, "0123", 4) && (m.msg_flags & MSG_TRUNC));
	/* the rest of that datagram is gone */
	ERRNO(recv(b, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
	/* MSG_TRUNC asked for: the whole length */
	CHECK(sendto(a, "0123456789", 10, 0, (struct sockaddr *)&sb, lb) == 10);
	CHECK(recv(b, buf, 3, MSG_TRUNC) == 10 && !memcmp(buf, "012", 3));
	/* one that fits: no MSG_TRUNC */
	CHECK(sendto(a, "abc", 3, 0, (struct sockaddr *)&sb, lb) == 3);
	m.msg_flags = -1;
	CHECK(recvmsg(b, &m, 0) == 3 && m.msg_flags == 0);
	close(a);
	close(b);
}

static void udp_boundaries(void)
{
	struct sockaddr_storage sa, sb;
	socklen_t la, lb;
	int a = bound(AF_INET, SOCK_DGRAM, &sa, &la), b = bound(AF_INET, SOCK_DGRAM, &sb, &lb);
	static char buf[4096], out[4096];
	static const size_t sizes[] = { 1, 100, 7, 1400, 2, 3000 };

	if (!CHECK(a >= 0 && b >= 0))
		return;
	for (unsigned i = 0; i < 6; i++) {
		memset(out, 'a' + (int)i, sizes[i]);
		CHECK(sendto(a, out, sizes[i], 0, (struct sockaddr *)&sb, lb) == (ssize_t)sizes[i]);
	}
	for (unsigned i = 0; i < 6; i++) {
		ssize_t n = recv(b, buf, sizeof(buf), 0);
		CHECK(n == (ssize_t)sizes[i] && buf[0] == 'a' + (int)i && buf[n - 1] == 'a' + (int)i);
	}
	/* MSG_PEEK keeps the datagram whole */
	CHECK(sendto(a, "peek", 4, 0, (struct sockaddr *)&sb, lb) == 4);
	CHECK(recv(b, buf, 2, MSG_PEEK) == 2 && recv(b, buf, sizeof(buf), 0) == 4 && !memcmp(buf, "peek", 4));
	close(a);
	close(b);
}

/*
 * Many datagrams (past the 32 KiB after which Cairn's musl-port moves a
 * UDP socket's datagrams through shared rings): every one whole, in
 * order, from the right sender, in bursts of 50 before reading; through a
 * connected socket too; empty ones, MSG_PEEK, MSG_TRUNC; then the largest
 * datagrams (65,507 bytes on IPv4, one more is EMSGSIZE).
 */
static void fill(char *b, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (char)(seed * 31 + i * 7);
}

static void udp_rings(void)
{
	struct sockaddr_storage sa, sb, from;
	socklen_t la, lb, lf;
	int a = bound(AF_INET, SOCK_DGRAM, &sa, &la), b = bound(AF_INET, SOCK_DGRAM, &sb, &lb);
	static char out[65508], in[65508];
	unsigned bad = 0, sent = 0;
	struct iovec v = { in, 4 };
	struct msghdr m = { .msg_iov = &v, .msg_iovlen = 1 };
	int big = 1 << 20;

	if (!CHECK(a >= 0 && b >= 0))
		return;
	for (unsigned burst = 0; burst < 12; burst++) {
		for (unsigned i = 0; i < 50; i++) {
			size_t n = (burst * 50 + i) * 37 % 1500;
			fill(out, n, burst * 50 + i);
			sent += sendto(a, out, n, 0, (struct sockaddr *)&sb, lb) == (ssize_t)n;
		}
		for (unsigned i = 0; i < 50; i++) {
			size_t n = (burst * 50 + i) * 37 % 1500;
			lf = sizeof(from);
			fill(out, n, burst * 50 + i);
			bad += recvfrom(b, in, sizeof(in), 0, (struct sockaddr *)&from, &lf) != (ssize_t)n ||
			       memcmp(in, out, n) || lf != la || !same_addr(&from, &sa);
		}
	}
	CHECK(sent == 600 && bad == 0);
	ERRNO(recv(b, in, sizeof(in), MSG_DONTWAIT), EAGAIN);
	CHECK(rings_now(a) >= 2);        /* they went through rings */
	/* connected: send and write without an address, both ways */
	CHECK(connect(a, (struct sockaddr *)&sb, lb) == 0 && connect(b, (struct sockaddr *)&sa, la) == 0);
	bad = 0;
	for (unsigned i = 0; i < 100; i++) {
		fill(out, 1000, i);
		bad += (i % 2 ? write(a, out, 1000) : send(a, out, 1000, 0)) != 1000;
		bad += read(b, in, sizeof(in)) != 1000 || memcmp(in, out, 1000);
		bad += send(b, out, 999, 0) != 999 || recv(a, in, sizeof(in), 0) != 999 || memcmp(in, out, 999);
	}
	CHECK(bad == 0);
	/* an empty datagram, MSG_PEEK, MSG_TRUNC */
	CHECK(send(a, "", 0, 0) == 0 && recv(b, in, sizeof(in), 0) == 0);
	CHECK(send(a, "peeked", 6, 0) == 6);
	CHECK(recv(b, in, 3, MSG_PEEK) == 3 && recv(b, in, sizeof(in), MSG_PEEK) == 6);
	CHECK(recv(b, in, sizeof(in), 0) == 6 && !memcmp(in, "peeked", 6));
	CHECK(send(a, "0123456789", 10, 0) == 10);
	CHECK(recvmsg(b, &m, 0) == 4 && !memcmp(in, "0123", 4) && (m.msg_flags & MSG_TRUNC));
	CHECK(send(a, "0123456789", 10, 0) == 10 && recv(b, in, 2, MSG_TRUNC) == 10);
	ERRNO(recv(b, in, sizeof(in), MSG_DONTWAIT), EAGAIN);
	/* the largest datagrams (room for them at the receiver) */
	setsockopt(b, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	fill(out, 65507, 7);
	CHECK(send(a, out, 65507, 0) == 65507);
	CHECK(recv(b, in, sizeof(in), 0) == 65507 && !memcmp(in, out, 65507));
	fill(out, 60000, 8);
	CHECK(send(a, out, 60000, 0) == 60000);
	CHECK(recv(b, in, sizeof(in), 0) == 60000 && !memcmp(in, out, 60000));
	ERRNO(send(a, out, 65508, 0), EMSGSIZE);
	/* a large one to a socket that moved little: it arrives whole */
	struct sockaddr_storage sc;
	socklen_t lc;
	int c = bound(AF_INET, SOCK_DGRAM, &sc, &lc);
	if (CHECK(c >= 0)) {
		fill(out, 20000, 9);
		CHECK(sendto(a, out, 20000, 0, (struct sockaddr *)&sc, lc) == 20000);
		lf = sizeof(from);
		CHECK(recvfrom(c, in, sizeof(in), 0, (struct sockaddr *)&from, &lf) == 20000 &&
		      !memcmp(in, out, 20000) && same_addr(&from, &sa));
		close(c);
	}
	close(a);
	close(b);
}

/*
 * /proc/net/tcp, tcp6 and udp (busybox netstat reads them): a listener, a
 * connection's two ends and a bound UDP socket each have their line, with
 * Linux's address format and state numbers.
 */
/* file's whole text (up to 1 MiB, NUL-ended, until the next call), or NULL */
static char *proc_text(const char *file)
{
	static char text[1 << 20];
	int fd = open(file, O_RDONLY);
	size_t n = 0;
	ssize_t k;

	if (fd < 0)
		return NULL;
	while (n < sizeof(text) - 1 && (k = read(fd, text + n, sizeof(text) - 1 - n)) > 0)
		n += (size_t)k;
	close(fd);
	text[n] = 0;
	return text;
}

static int proc_has(const char *file, const char *want)
{
	char *text = proc_text(file);
	int found;

	if (!text)
		return 0;
	found = strstr(text, want) != NULL;
	if (!found)
		printf("# %s has no \"%s\"; its text:\n%s", file, want, text);
	return found;
}

/* file has a line ending in " tail" that also has want in it */
static int proc_line(const char *file, const char *tail, const char *want)
{
	char *text = proc_text(file);
	size_t tl = strlen(tail);

	if (!text)
		return 0;
	for (char *line = text, *end; *line; line = end + 1) {
		if (!(end = strchr(line, '\n')))
			break;
		*end = 0;
		if ((size_t)(end - line) > tl && line[end - line - tl - 1] == ' ' && !strcmp(end - tl, tail) &&
		    strstr(line, want))
			return 1;
	}
	printf("# %s has no line ending in \" %s\" with \"%s\"\n", file, tail, want);
	return 0;
}

static void proc_net(void)
{
	struct sockaddr_storage ls, us, l6;
	socklen_t ll, ul, l6l;
	int l = listener(AF_INET, &ls, &ll), u = bound(AF_INET, SOCK_DGRAM, &us, &ul);
	int l6s = listener(AF_INET6, &l6, &l6l), c = socket(AF_INET, SOCK_STREAM, 0), a;
	unsigned lp, up, p6, cp;
	struct sockaddr_in cs;
	socklen_t cl = sizeof(cs);
	char want[128];

	if (!CHECK(l >= 0 && u >= 0 && l6s >= 0 && c >= 0))
		return;
	lp = ntohs(((struct sockaddr_in *)&ls)->sin_port);
	up = ntohs(((struct sockaddr_in *)&us)->sin_port);
	p6 = ntohs(((struct sockaddr_in6 *)&l6)->sin6_port);
	CHECK(connect(c, (struct sockaddr *)&ls, ll) == 0 && getsockname(c, (struct sockaddr *)&cs, &cl) == 0);
	a = accept(l, NULL, NULL);
	CHECK(a >= 0);
	cp = ntohs(cs.sin_port);
	CHECK(proc_has("/proc/net/tcp", "  sl  local_address rem_address   st tx_queue rx_queue"));
	snprintf(want, sizeof(want), "0100007F:%04X 00000000:0000 0A ", lp);
	CHECK(proc_has("/proc/net/tcp", want));                /* the listener */
	snprintf(want, sizeof(want), "0100007F:%04X 0100007F:%04X 01 ", cp, lp);
	CHECK(proc_has("/proc/net/tcp", want));                /* the client's end */
	snprintf(want, sizeof(want), "0100007F:%04X 0100007F:%04X 01 ", lp, cp);
	CHECK(proc_has("/proc/net/tcp", want));                /* the accepted end */
	snprintf(want, sizeof(want), "00000000000000000000000001000000:%04X 00000000000000000000000000000000:0000 0A ", p6);
	CHECK(proc_has("/proc/net/tcp6", want));               /* ::1, listening */
	snprintf(want, sizeof(want), "0100007F:%04X 00000000:0000 07 ", up);
	CHECK(proc_has("/proc/net/udp", want));
	/* a listening AF_UNIX stream socket by its path: __SO_ACCEPTCON, SOCK_STREAM, SS_UNCONNECTED */
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	int x = socket(AF_UNIX, SOCK_STREAM, 0);
	snprintf(un.sun_path, sizeof(un.sun_path), "/tmp/sockets-procnet-%d", (int)getpid());
	unlink(un.sun_path);
	CHECK(x >= 0 && bind(x, (struct sockaddr *)&un, sizeof(un)) == 0 && listen(x, 1) == 0);
	CHECK(proc_has("/proc/net/unix", "Num       RefCount Protocol Flags    Type St Inode Path\n"));
	CHECK(proc_line("/proc/net/unix", un.sun_path, " 00010000 0001 01 "));
	close(x);
	unlink(un.sun_path);
	close(a);
	close(c);
	close(l);
	close(l6s);
	close(u);
}

/*
 * Load: 200 connections open at once to one server (a forked child that
 * polls its listener and every accepted socket, answering each line with
 * its reverse), all answered; then 1,000 connections one after another,
 * each answered.
 */
#define CONCURRENT 200
static void serve_reverse(int l, int total)
{
	static struct pollfd p[CONCURRENT + 1];
	int n = 1, done = 0;

	p[0] = (struct pollfd){ .fd = l, .events = POLLIN };
	while (done < total) {
		if (poll(p, (nfds_t)n, 20000) <= 0)
			_exit(2);
		if ((p[0].revents & POLLIN) && n <= CONCURRENT) {
			int a = accept(l, NULL, NULL);

			if (a < 0)
				_exit(3);
			p[n++] = (struct pollfd){ .fd = a, .events = POLLIN };
		}
		for (int i = 1; i < n; i++) {
			char buf[16], out[16];
			ssize_t k;

			if (!(p[i].revents & (POLLIN | POLLHUP)))
				continue;
			k = read(p[i].fd, buf, sizeof(buf));
			if (k > 0) {
				for (ssize_t j = 0; j < k; j++)
					out[j] = buf[k - 1 - j];
				if (pt_write_full(p[i].fd, out, (size_t)k) != k)
					_exit(4);
				continue;
			}
			close(p[i].fd);                      /* the client's end: next */
			p[i--] = p[--n];
			done++;
		}
	}
	_exit(0);
}

static void load(void)
{
	static int c[CONCURRENT];
	struct sockaddr_storage ss;
	socklen_t len;
	int l = listener(AF_INET, &ss, &len), ok = 0;
	pid_t pid;

	if (!CHECK(l >= 0) || !CHECK(listen(l, 128) == 0))
		return;
	if ((pid = fork()) == 0) {
		pt_child_start();
		alarm(55);       /* 1,200 connections: the test's own 60 s bound */
		serve_reverse(l, CONCURRENT + 1000);
	}
	close(l);
	for (int i = 0; i < CONCURRENT; i++)
		c[i] = -1;
	for (int i = 0; i < CONCURRENT; i++) {
		c[i] = socket(AF_INET, SOCK_STREAM, 0);
		if (c[i] < 0 || connect(c[i], (struct sockaddr *)&ss, len)) {
			FAIL("connection %d: %s", i, strerror(errno));
			if (c[i] >= 0)
				close(c[i]);
			c[i] = -1;
			break;
		}
	}
	for (int i = 0; i < CONCURRENT; i++) {
		char q[8], r[8];

		snprintf(q, sizeof(q), "%05d", i);
		if (c[i] >= 0 && write(c[i], q, 5) == 5 && pt_read_full(c[i], r, 5) == 5 &&
		    r[0] == q[4] && r[4] == q[0])
			ok++;
	}
	for (int i = 0; i < CONCURRENT; i++)
		if (c[i] >= 0)
			close(c[i]);
	if (!CHECK(ok == CONCURRENT)) {
		kill(pid, SIGKILL);
		pt_reap(pid, 5000);
		return;
	}
	ok = 0;
	for (int i = 0; i < 1000; i++) {
		int s = socket(AF_INET, SOCK_STREAM, 0);
		char r[3];

		if (s >= 0 && !connect(s, (struct sockaddr *)&ss, len) && write(s, "abc", 3) == 3 &&
		    pt_read_full(s, r, 3) == 3 && !memcmp(r, "cba", 3))
			ok++;
		if (s >= 0)
			close(s);
	}
	CHECK(ok == 1000);
	REAP(pid, 0);
}

/* socketpair(AF_UNIX): a stream pair both ways, the end seen, EPIPE; a
 * datagram pair keeps boundaries; the errors of the other families */
static void unix_pair(void)
{
	int sv[2], type = -1;
	socklen_t len = sizeof(type);
	char buf[256];
	struct pollfd p;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	if (!CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0))
		return;
	CHECK(write(sv[0], "hello", 5) == 5 && pt_read_full(sv[1], buf, 5) == 5 && !memcmp(buf, "hello", 5));
	CHECK(send(sv[1], "back", 4, 0) == 4 && recv(sv[0], buf, sizeof(buf), 0) == 4 && !memcmp(buf, "back", 4));
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_STREAM);
	CHECK(getpeername(sv[0], (struct sockaddr *)&ss, &sl) == 0 && ss.ss_family == AF_UNIX);
	set_nonblock(sv[1], 1);
	ERRNO(read(sv[1], buf, sizeof(buf)), EAGAIN);
	p = (struct pollfd){ .fd = sv[1], .events = POLLIN | POLLOUT };
	CHECK(poll(&p, 1, 0) == 1 && p.revents == POLLOUT);
	CHECK(write(sv[0], "x", 1) == 1);
	CHECK(poll(&p, 1, 1000) == 1 && (p.revents & POLLIN));
	CHECK(read(sv[1], buf, sizeof(buf)) == 1);
	/* shutdown(SHUT_WR): the other end reads 0 and can still write back */
	CHECK(shutdown(sv[0], SHUT_WR) == 0);
	CHECK(read(sv[1], buf, sizeof(buf)) == 0);
	CHECK(write(sv[1], "ok", 2) == 2 && pt_read_full(sv[0], buf, 2) == 2);
	/* closed: EPIPE for the writer */
	close(sv[0]);
	ERRNO(send(sv[1], "z", 1, MSG_NOSIGNAL), EPIPE);
	close(sv[1]);
	/* datagrams: boundaries kept, a short buffer cuts */
	if (!CHECK(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) == 0))
		return;
	CHECK(fcntl(sv[0], F_GETFD) == FD_CLOEXEC);
	CHECK(send(sv[0], "one", 3, 0) == 3 && send(sv[0], "three", 5, 0) == 5);
	CHECK(recv(sv[1], buf, sizeof(buf), 0) == 3 && recv(sv[1], buf, 2, 0) == 2 && !memcmp(buf, "th", 2));
	close(sv[0]);
	close(sv[1]);
	ERRNO(socketpair(AF_INET, SOCK_STREAM, 0, sv), EOPNOTSUPP);
	/* a pair's datagram end is connected: no other address */
	CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0);
	CHECK(send(sv[0], "ab", 2, 0) == 2 && send(sv[0], "c", 1, 0) == 1 && recv(sv[1], buf, sizeof(buf), 0) == 2);
	close(sv[0]);
	close(sv[1]);
	ERRNO(socketpair(12345, SOCK_STREAM, 0, sv), EAFNOSUPPORT);
}

/* ---- AF_UNIX ---- */

/* A path name under /tmp (this process's own), its address length */
static socklen_t ux_path(struct sockaddr_un *sun, const char *tag)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	snprintf(sun->sun_path, sizeof(sun->sun_path), "/tmp/ux-%d-%s", (int)getpid(), tag);
	unlink(sun->sun_path);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(sun->sun_path) + 1);
}

/* A bound AF_UNIX socket of type (and listening if a stream one) */
static int ux_bound(int type, const struct sockaddr_un *sun, socklen_t len)
{
	int s = socket(AF_UNIX, type, 0);

	if (s < 0 || bind(s, (const struct sockaddr *)sun, len) ||
	    (type != SOCK_DGRAM && listen(s, 4))) {
		if (s >= 0)
			close(s);
		return -1;
	}
	return s;
}

/* A stream socket named by a path: the node (stat, EADDRINUSE, unlink),
 * connect and accept, names, and connect's errors */
static void unix_named(void)
{
	struct sockaddr_un sun, got, other;
	socklen_t len = ux_path(&sun, "s"), gl = sizeof(got), ol;
	struct stat st;
	char buf[16];
	int l = ux_bound(SOCK_STREAM, &sun, len), c, a, d;

	if (!CHECK(l >= 0))
		return;
	CHECK(stat(sun.sun_path, &st) == 0 && S_ISSOCK(st.st_mode));
	d = socket(AF_UNIX, SOCK_STREAM, 0);
	ERRNO(bind(d, (struct sockaddr *)&sun, len), EADDRINUSE);
	close(d);
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(connect(c, (struct sockaddr *)&sun, len) == 0);
	a = accept(l, (struct sockaddr *)&got, &gl);
	CHECK(a >= 0 && gl == sizeof(sa_family_t) && got.sun_family == AF_UNIX);   /* an unnamed peer */
	CHECK(write(c, "ping", 4) == 4 && pt_read_full(a, buf, 4) == 4 && !memcmp(buf, "ping", 4));
	CHECK(write(a, "pong", 4) == 4 && pt_read_full(c, buf, 4) == 4 && !memcmp(buf, "pong", 4));
	gl = sizeof(got);
	CHECK(getpeername(c, (struct sockaddr *)&got, &gl) == 0 && gl == len && !strcmp(got.sun_path, sun.sun_path));
	gl = sizeof(got);
	CHECK(getsockname(l, (struct sockaddr *)&got, &gl) == 0 && gl == len && !strcmp(got.sun_path, sun.sun_path));
	gl = sizeof(got);
	CHECK(getsockname(a, (struct sockaddr *)&got, &gl) == 0 && gl == len && !strcmp(got.sun_path, sun.sun_path));
	CHECK(optint(a, SOL_SOCKET, SO_TYPE) == SOCK_STREAM);
	close(c);
	CHECK(read(a, buf, sizeof(buf)) == 0);
	close(a);
	/* a datagram socket at a stream listener's path */
	c = socket(AF_UNIX, SOCK_DGRAM, 0);
	ERRNO(connect(c, (struct sockaddr *)&sun, len), EPROTOTYPE);
	close(c);
	/* bound but not listening; a regular file; no such path */
	ol = ux_path(&other, "n");
	d = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(bind(d, (struct sockaddr *)&other, ol) == 0);
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	ERRNO(connect(c, (struct sockaddr *)&other, ol), ECONNREFUSED);
	close(d);
	unlink(other.sun_path);
	close(open(other.sun_path, O_CREAT | O_WRONLY, 0666));
	ERRNO(connect(c, (struct sockaddr *)&other, ol), ECONNREFUSED);
	ERRNO(open(sun.sun_path, O_RDONLY), ENXIO);
	unlink(other.sun_path);
	ERRNO(connect(c, (struct sockaddr *)&other, ol), ENOENT);
	/* the listener closed, its node left: refused; unlinked: gone */
	close(l);
	ERRNO(connect(c, (struct sockaddr *)&sun, len), ECONNREFUSED);
	CHECK(unlink(sun.sun_path) == 0);
	ERRNO(connect(c, (struct sockaddr *)&sun, len), ENOENT);
	close(c);
	/* SOCK_SEQPACKET: a connection that keeps boundaries */
	len = ux_path(&sun, "q");
	l = ux_bound(SOCK_SEQPACKET, &sun, len);
	c = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	if (!CHECK(l >= 0 && c >= 0 && connect(c, (struct sockaddr *)&sun, len) == 0))
		return;
	a = accept(l, NULL, NULL);
	CHECK(a >= 0 && send(c, "one", 3, 0) == 3 && send(c, "two!", 4, 0) == 4);
	CHECK(recv(a, buf, sizeof(buf), 0) == 3 && recv(a, buf, sizeof(buf), 0) == 4 && !memcmp(buf, "two!", 4));
	close(c);
	CHECK(recv(a, buf, sizeof(buf), 0) == 0);
	close(a);
	close(l);
	unlink(sun.sun_path);
}

/* Datagrams to a path: the sender's name, a connected datagram socket,
 * the errors of a missing or closed receiver */
static void unix_dgram(void)
{
	struct sockaddr_un sa, sb, from;
	socklen_t la = ux_path(&sa, "a"), lb = ux_path(&sb, "b"), fl = sizeof(from);
	int a = ux_bound(SOCK_DGRAM, &sa, la), b = ux_bound(SOCK_DGRAM, &sb, lb), u;
	char buf[16];

	if (!CHECK(a >= 0 && b >= 0))
		return;
	CHECK(sendto(a, "to b", 4, 0, (struct sockaddr *)&sb, lb) == 4);
	CHECK(recvfrom(b, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl) == 4 && !memcmp(buf, "to b", 4));
	CHECK(fl == la && !strcmp(from.sun_path, sa.sun_path));
	/* an unnamed sender: no address */
	u = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHECK(sendto(u, "anon", 4, 0, (struct sockaddr *)&sb, lb) == 4);
	fl = sizeof(from);
	CHECK(recvfrom(b, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl) == 4 && fl == 0);
	ERRNO(send(u, "x", 1, 0), ENOTCONN);
	/* connected: send() goes there */
	CHECK(connect(u, (struct sockaddr *)&sa, la) == 0 && send(u, "conn", 4, 0) == 4);
	CHECK(recv(a, buf, sizeof(buf), 0) == 4 && !memcmp(buf, "conn", 4));
	fl = sizeof(from);
	CHECK(getpeername(u, (struct sockaddr *)&from, &fl) == 0 && fl == la && !strcmp(from.sun_path, sa.sun_path));
	/* the receiver gone: refused; its node gone: no such file */
	close(a);
	ERRNO(send(u, "x", 1, 0), ECONNREFUSED);
	ERRNO(sendto(u, "x", 1, 0, (struct sockaddr *)&sa, la), ECONNREFUSED);
	unlink(sa.sun_path);
	ERRNO(sendto(u, "x", 1, 0, (struct sockaddr *)&sa, la), ENOENT);
	close(u);
	close(b);
	unlink(sb.sun_path);
}

/* Milliseconds since t0 */
static long ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* A sender to a full receiver by name, and a connect to a full backlog,
 * wait for room (as Linux: EAGAIN only when non-blocking); a child makes
 * the room 300 ms later. */
static void unix_full_waits(void)
{
	struct sockaddr_un sd, ss;
	socklen_t ld = ux_path(&sd, "fd"), ls = ux_path(&ss, "fs");
	int d = ux_bound(SOCK_DGRAM, &sd, ld), u = socket(AF_UNIX, SOCK_DGRAM, 0);
	int l = socket(AF_UNIX, SOCK_STREAM, 0), c[64], nc = 0, status = 0;
	static char buf[1000];
	unsigned sent = 0;
	struct timespec t0;
	pid_t pid;

	if (!CHECK(d >= 0 && u >= 0 && l >= 0))
		return;
	while (sent < 100000 && sendto(u, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&sd, ld) == sizeof(buf))
		sent++;
	CHECK(errno == EAGAIN && sent < 100000);
	if ((pid = fork()) == 0) {
		usleep(300000);
		_exit(recv(d, buf, sizeof(buf), 0) == sizeof(buf) ? 0 : 1);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(sendto(u, buf, sizeof(buf), 0, (struct sockaddr *)&sd, ld) == sizeof(buf));  /* waits */
	CHECK(ms_since(&t0) >= 200);
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* a stream listener with a backlog of 1, filled by non-blocking connects */
	CHECK(bind(l, (struct sockaddr *)&ss, ls) == 0 && listen(l, 1) == 0);
	for (; nc < 64; nc++) {
		c[nc] = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (connect(c[nc], (struct sockaddr *)&ss, ls)) {
			CHECK(errno == EAGAIN);
			close(c[nc]);
			break;
		}
	}
	CHECK(nc >= 1 && nc < 64);
	if ((pid = fork()) == 0) {
		int a;

		usleep(300000);
		a = accept(l, NULL, NULL);
		_exit(a >= 0 ? 0 : 1);
	}
	c[nc] = socket(AF_UNIX, SOCK_STREAM, 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(connect(c[nc], (struct sockaddr *)&ss, ls) == 0);                      /* waits */
	CHECK(ms_since(&t0) >= 200);
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
	for (int i = 0; i <= nc; i++)
		close(c[i]);
	close(l);
	close(d);
	close(u);
	unlink(sd.sun_path);
	unlink(ss.sun_path);
}

/* Abstract names: the exact bytes and length, no file; autobind */
static void unix_abstract(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX }, got;
	int n = snprintf(sun.sun_path + 1, sizeof(sun.sun_path) - 1, "cairn-ux-%d", (int)getpid());
	socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n), gl = sizeof(got);
	int l = ux_bound(SOCK_STREAM, &sun, len), c, d, a = -1;
	char buf[8];

	if (!CHECK(l >= 0))
		return;
	d = socket(AF_UNIX, SOCK_STREAM, 0);
	ERRNO(bind(d, (struct sockaddr *)&sun, len), EADDRINUSE);
	CHECK(getsockname(l, (struct sockaddr *)&got, &gl) == 0 && gl == len && !memcmp(&got, &sun, len));
	/* one byte more is another name */
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	ERRNO(connect(c, (struct sockaddr *)&sun, len + 1), ECONNREFUSED);
	CHECK(connect(c, (struct sockaddr *)&sun, len) == 0 && (a = accept(l, NULL, NULL)) >= 0);
	CHECK(write(c, "abs", 3) == 3 && pt_read_full(a, buf, 3) == 3 && !memcmp(buf, "abs", 3));
	close(a);
	close(c);
	/* autobind: an abstract name of five hex digits */
	gl = sizeof(got);
	CHECK(bind(d, (struct sockaddr *)&sun, sizeof(sa_family_t)) == 0);
	CHECK(getsockname(d, (struct sockaddr *)&got, &gl) == 0 && gl == offsetof(struct sockaddr_un, sun_path) + 6 &&
	      got.sun_path[0] == 0);
	close(d);
	close(l);
}

static ssize_t send_fds(int s, const int *fds, int n, const char *data)
{
	char ctl[CMSG_SPACE(4 * sizeof(int))];
	struct iovec v = { (void *)data, strlen(data) };
	struct msghdr m = { .msg_iov = &v, .msg_iovlen = 1, .msg_control = ctl,
			    .msg_controllen = CMSG_SPACE(n * sizeof(int)) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);

	memset(ctl, 0, sizeof(ctl));
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(n * sizeof(int));
	memcpy(CMSG_DATA(c), fds, n * sizeof(int));
	return sendmsg(s, &m, 0);
}

/* Receives up to room descriptors with the data: how many came (in fds) */
static int recv_fds(int s, int *fds, int room, char *data, size_t max, int *flags)
{
	char ctl[CMSG_SPACE(4 * sizeof(int))];
	struct iovec v = { data, max };
	struct msghdr m = { .msg_iov = &v, .msg_iovlen = 1, .msg_control = ctl,
			    .msg_controllen = room ? CMSG_LEN(room * sizeof(int)) : 0 };
	struct cmsghdr *c;
	int n = 0;

	if (recvmsg(s, &m, 0) < 0)
		return -1;
	*flags = m.msg_flags;
	for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			n = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			memcpy(fds, CMSG_DATA(c), n * sizeof(int));
		}
	}
	return n;
}

/* Receives with room for exactly room descriptors (up to 16): how many came */
static int recv_fds_room(int s, int *fds, int room, char *data, size_t max, int *flags)
{
	union { char b[CMSG_SPACE(16 * sizeof(int))]; struct cmsghdr h; } ctl;
	struct iovec v = { data, max };
	struct msghdr m = { .msg_iov = &v, .msg_iovlen = 1, .msg_control = ctl.b,
			    .msg_controllen = CMSG_LEN(room * sizeof(int)) };
	int n = 0;

	memset(ctl.b, 0, sizeof(ctl.b));
	if (recvmsg(s, &m, 0) < 0)
		return -1;
	*flags = m.msg_flags;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			n = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			memcpy(fds, CMSG_DATA(c), n * sizeof(int));
		}
	return n;
}

/* sendmsg with n descriptors (up to 256) and a byte */
static ssize_t send_fdsn(int s, const int *fds, int n, const char *data)
{
	static union { char b[CMSG_SPACE(256 * sizeof(int))]; struct cmsghdr h; } ctl;
	struct iovec v = { (void *)data, strlen(data) };
	struct msghdr m = { .msg_iov = &v, .msg_iovlen = 1, .msg_control = ctl.b,
			    .msg_controllen = CMSG_SPACE(n * sizeof(int)) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);

	memset(ctl.b, 0, sizeof(ctl.b));
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(n * sizeof(int));
	memcpy(CMSG_DATA(c), fds, n * sizeof(int));
	return sendmsg(s, &m, 0);
}

/*
 * SCM_RIGHTS past three a message (on Cairn the server's messages carry
 * three capabilities: the rest go ahead and come after): 10 pipe ends
 * through a stream and a datagram pair, each usable and in its place;
 * 7 to a receiver with room for 4 (MSG_CTRUNC, the other 3 closed: their
 * pipes end); 254 copies, past Linux's SCM_MAX_FD, refused.
 */
static void unix_many_rights(void)
{
	static const int types[2] = { SOCK_STREAM, SOCK_DGRAM };

	for (int t = 0; t < 2; t++) {
		int sv[2], p[10][2], fds[254], got[10], fl = 0, n;
		char buf[4], c;

		if (!CHECK(socketpair(AF_UNIX, types[t], 0, sv) == 0))
			return;
		for (int i = 0; i < 10; i++) {
			if (!CHECK(pipe(p[i]) == 0))
				return;
			fds[i] = p[i][1];
		}
		CHECK(send_fdsn(sv[0], fds, 10, "M") == 1);
		for (int i = 0; i < 10; i++)
			close(p[i][1]);
		n = recv_fds_room(sv[1], got, 10, buf, sizeof(buf), &fl);
		if (!CHECK(n == 10 && !(fl & MSG_CTRUNC) && buf[0] == 'M'))
			printf("# unix_many_rights: type %d: %d descriptors, flags %#x\n", types[t], n, fl);
		for (int i = 0; i < n; i++) {
			c = (char)('a' + i);
			CHECK(write(got[i], &c, 1) == 1 && read(p[i][0], buf, 1) == 1 && buf[0] == c);
		}
		/* 7 to room for 4: the first 4 come, the other 3 are closed */
		if (n == 10) {
			CHECK(send_fdsn(sv[0], got, 7, "T") == 1);
			for (int i = 0; i < 10; i++)
				close(got[i]);
			n = recv_fds_room(sv[1], got, 4, buf, sizeof(buf), &fl);
			CHECK(n == 4 && (fl & MSG_CTRUNC) && buf[0] == 'T');
			for (int i = 0; i < n; i++) {
				c = (char)('A' + i);
				CHECK(write(got[i], &c, 1) == 1 && read(p[i][0], buf, 1) == 1 && buf[0] == c);
				close(got[i]);
			}
			for (int i = 4; i < 10; i++)     /* no writer left anywhere: the end */
				CHECK(read(p[i][0], buf, 1) == 0);
		}
		for (int i = 0; i < 254; i++)
			fds[i] = sv[0];
		/* glibc passes them on and Linux refuses, EINVAL; musl refuses
		 * control data past 1 KiB itself, ENOMEM (so on Linux too) */
		errno = 0;
		CHECK(send_fdsn(sv[0], fds, 254, "X") == -1 && (errno == EINVAL || errno == ENOMEM));
		for (int i = 0; i < 10; i++)
			close(p[i][0]);
		close(sv[0]);
		close(sv[1]);
	}
}

/*
 * An AF_UNIX stream pair past its first 32 KiB (on Cairn through shared
 * rings): 4 MiB each way at once between a child and its parent, every
 * byte checked; then a descriptor passed between bytes keeps its place.
 */
static void unix_rings(void)
{
	int sv[2], p[2], fl = 0, status = 0;
	static char out[65536], in[65536];
	uint32_t sum_out = 2166136261u, sum_in = 2166136261u;
	size_t total = 4u << 20, done;
	char buf[16];
	pid_t pid;

	if (!CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0 && pipe(p) == 0))
		return;
	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (char)(i * 7 + i / 251);
	if ((pid = fork()) == 0) {
		uint32_t h = 2166136261u;

		close(sv[0]);
		for (done = 0; done < total;) {              /* echo what comes, summing it */
			ssize_t k = read(sv[1], in, sizeof(in));

			if (k <= 0 || write(sv[1], in, (size_t)k) != k)
				_exit(2);
			h = fnv(h, (uint8_t *)in, (size_t)k);
			done += (size_t)k;
		}
		/* then: "abc", "X" with a pipe's end, "def" */
		if (read(sv[1], buf, 3) != 3 || memcmp(buf, "abc", 3))
			_exit(3);
		int fd[1], n = recv_fds(sv[1], fd, 1, buf, 1, &fl);
		if (n != 1 || buf[0] != 'X' || write(fd[0], "through", 7) != 7)
			_exit(4);
		if (read(sv[1], buf, 3) != 3 || memcmp(buf, "def", 3))
			_exit(5);
		_exit(write(sv[1], &h, sizeof(h)) == sizeof(h) ? 0 : 6);
	}
	close(sv[1]);
	size_t sent = 0, back = 0;
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	while (back < total) {
		if (sent < total) {
			size_t k = total - sent < sizeof(out) ? total - sent : sizeof(out);
			ssize_t w = write(sv[0], out, k);

			if (w > 0) {
				sum_out = fnv(sum_out, (uint8_t *)out, (size_t)w);
				sent += (size_t)w;
			} else if (!CHECK(errno == EAGAIN)) {
				break;
			}
		}
		ssize_t r = read(sv[0], in, sizeof(in));
		if (r > 0) {
			sum_in = fnv(sum_in, (uint8_t *)in, (size_t)r);
			back += (size_t)r;
		} else if (r == 0 || errno != EAGAIN) {
			CHECK(0);
			break;
		} else {
			struct pollfd pf = { sv[0], POLLIN | (sent < total ? POLLOUT : 0), 0 };
			poll(&pf, 1, 1000);
		}
	}
	CHECK(back == total && sum_in == sum_out);
	CHECK(rings_now(sv[0]) >= 2);    /* both ends went through rings */
	fcntl(sv[0], F_SETFL, 0);
	CHECK(write(sv[0], "abc", 3) == 3 && send_fds(sv[0], &p[1], 1, "X") == 1 && write(sv[0], "def", 3) == 3);
	uint32_t h = 0;
	ssize_t hr = read(sv[0], &h, sizeof(h));
	if (!CHECK(hr == sizeof(h) && h == sum_out))
		printf("# unix_rings: the child's sum: read %zd, %#x, want %#x\n", hr, h, sum_out);
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
	if (WIFEXITED(status) && WEXITSTATUS(status))
		printf("# unix_rings: the child's exit status %d\n", WEXITSTATUS(status));
	close(p[1]);
	CHECK(read(p[0], buf, 7) == 7 && !memcmp(buf, "through", 7));
	close(p[0]);
	close(sv[0]);
}

/* datagram i of unix_dgram_rings: its length (1 to 9,000 bytes, one of
 * 60,000: an empty one ends dgram_echo) and its bytes */
static size_t dgram_len(unsigned i)
{
	return i == 77 ? 60000 : 1 + (i * 2654435761u >> 7) % 9000;
}

static void dgram_fill(char *b, unsigned i, size_t n)
{
	for (size_t k = 0; k < n; k++)
		b[k] = (char)(i * 31 + k * 7 + k / 253);
}

/* A child echoes every datagram of sv[1] until an empty one; 0 if all
 * went back whole. */
static int dgram_echo(int fd)
{
	static char b[65536];

	for (;;) {
		ssize_t k = recv(fd, b, sizeof(b), 0);

		if (k < 0 || send(fd, b, (size_t)k, 0) != k)
			return 2;
		if (k == 0)
			return 0;
	}
}

/*
 * AF_UNIX datagram and seqpacket pairs past their first 32 KiB (on Cairn
 * through the records of shared rings): 400 datagrams of 1 to 9,000
 * bytes and one of 60,000 to a child that echoes them, 8 in flight, each
 * back whole and in order; a datagram cut to the reader's buffer
 * (MSG_TRUNC); a descriptor passed between datagrams keeps its place; a
 * seqpacket pair's end is a 0; a named receiver gets the sender's name
 * with each datagram.
 */
static void unix_dgram_rings(void)
{
	static const int types[2] = { SOCK_DGRAM, SOCK_SEQPACKET };
	static char out[65536], in[65536];

	for (int t = 0; t < 2; t++) {
		int sv[2], status = 0, bad = 0;
		unsigned sent = 0, got = 0, n = 400;
		pid_t pid;

		if (!CHECK(socketpair(AF_UNIX, types[t], 0, sv) == 0))
			return;
		if ((pid = fork()) == 0) {
			close(sv[0]);
			alarm(20);
			_exit(dgram_echo(sv[1]));
		}
		close(sv[1]);
		while (got < n && !bad) {
			while (sent < n && sent - got < 8) {
				size_t len = dgram_len(sent);

				dgram_fill(out, sent, len);
				if (send(sv[0], out, len, 0) != (ssize_t)len) {
					printf("# unix_dgram_rings: type %d: send %u (%zu bytes): %s\n", types[t], sent, len,
					       strerror(errno));
					bad = 1;
					break;
				}
				sent++;
			}
			if (bad)
				break;
			size_t len = dgram_len(got);
			ssize_t k = recv(sv[0], in, sizeof(in), 0);

			dgram_fill(out, got, len);
			if (k != (ssize_t)len || memcmp(in, out, len)) {
				printf("# unix_dgram_rings: type %d: datagram %u came back as %zd bytes, want %zu\n",
				       types[t], got, k, len);
				bad = 1;
			}
			got++;
		}
		CHECK(!bad && got == n);
		CHECK(rings_now(sv[0]) >= 2);    /* both ends have rings */
		/* cut to the buffer: the rest of the datagram is gone */
		struct iovec v = { in, 10 };
		struct msghdr m = { .msg_iov = &v, .msg_iovlen = 1 };
		memset(out, 'q', 100);
		CHECK(send(sv[0], out, 100, 0) == 100 && recvmsg(sv[0], &m, 0) == 10 && (m.msg_flags & MSG_TRUNC));
		CHECK(send(sv[0], "after", 5, 0) == 5 && recv(sv[0], in, sizeof(in), 0) == 5 && !memcmp(in, "after", 5));
		/* a descriptor between datagrams, on a pair of its own past its
		 * first 32 KiB: a, b, X with it, c */
		int q[2], p[2], fd = -1, fl = 0;
		char buf[8];
		if (CHECK(socketpair(AF_UNIX, types[t], 0, q) == 0 && pipe(p) == 0)) {
			for (unsigned i = 0; i < 64; i++)
				if (send(q[0], out, 1000, 0) != 1000 || recv(q[1], in, sizeof(in), 0) != 1000)
					bad = 1;
			CHECK(!bad);
			CHECK(send(q[0], "a", 1, 0) == 1 && send(q[0], "b", 1, 0) == 1 &&
			      send_fds(q[0], &p[1], 1, "X") == 1 && send(q[0], "c", 1, 0) == 1);
			CHECK(recv(q[1], buf, sizeof(buf), 0) == 1 && buf[0] == 'a');
			CHECK(recv(q[1], buf, sizeof(buf), 0) == 1 && buf[0] == 'b');
			CHECK(recv_fds(q[1], &fd, 1, buf, sizeof(buf), &fl) == 1 && buf[0] == 'X');
			CHECK(recv(q[1], buf, sizeof(buf), 0) == 1 && buf[0] == 'c');
			CHECK(fd >= 0 && write(fd, "!", 1) == 1 && read(p[0], buf, 1) == 1 && buf[0] == '!');
			if (fd >= 0)
				close(fd);
			close(p[0]);
			close(p[1]);
			close(q[0]);
			close(q[1]);
		}
		/* the end: the child echoes the empty datagram and leaves */
		CHECK(send(sv[0], "", 0, 0) == 0 && recv(sv[0], in, sizeof(in), 0) == 0);
		CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
		if (types[t] == SOCK_SEQPACKET)
			CHECK(recv(sv[0], in, sizeof(in), 0) == 0);   /* the peer gone: the end */
		close(sv[0]);
	}

	/* a named receiver: 200 datagrams of 500 bytes from a named sender */
	struct sockaddr_un sa, sb, from;
	socklen_t la = ux_path(&sa, "ra"), lb = ux_path(&sb, "rb"), fl;
	int a = ux_bound(SOCK_DGRAM, &sa, la), b = ux_bound(SOCK_DGRAM, &sb, lb), bad = 0;

	if (CHECK(a >= 0 && b >= 0)) {
		for (unsigned i = 0; i < 200 && !bad; i++) {
			dgram_fill(out, i, 500);
			fl = sizeof(from);
			if (sendto(a, out, 500, 0, (struct sockaddr *)&sb, lb) != 500 ||
			    recvfrom(b, in, sizeof(in), 0, (struct sockaddr *)&from, &fl) != 500 || memcmp(in, out, 500) ||
			    fl != la || strcmp(from.sun_path, sa.sun_path)) {
				printf("# unix_dgram_rings: named datagram %u\n", i);
				bad = 1;
			}
		}
		CHECK(!bad);
	}
	if (a >= 0)
		close(a);
	if (b >= 0)
		close(b);
	unlink(sa.sun_path);
	unlink(sb.sun_path);
}

/* SCM_RIGHTS: a file, a pipe's write end and a socket to a child, which
 * uses them; MSG_CTRUNC; rights dropped with the socket holding them */
static void unix_rights(void)
{
	int sv[2], p[2], q[2], fds[3], got[4], fl = 0, file;
	char path[64], buf[32];
	pid_t pid;

	snprintf(path, sizeof(path), "/tmp/ux-%d-file", (int)getpid());
	file = open(path, O_CREAT | O_RDWR | O_TRUNC, 0600);
	if (!CHECK(file >= 0 && write(file, "file data", 9) == 9 && lseek(file, 0, SEEK_SET) == 0))
		return;
	unlink(path);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0 && pipe(p) == 0 && socketpair(AF_UNIX, SOCK_STREAM, 0, q) == 0);
	pid = fork();
	if (pid == 0) {
		int n, f = 0;

		pt_child_start();
		close(sv[0]);
		close(file);
		close(p[1]);
		close(q[0]);
		n = recv_fds(sv[1], got, 3, buf, sizeof(buf), &f);
		if (n != 3 || memcmp(buf, "three", 5) || (f & MSG_CTRUNC))
			_exit(2);
		if (read(got[0], buf, 9) != 9 || memcmp(buf, "file data", 9))
			_exit(3);
		if (write(got[1], "via pipe", 8) != 8 || write(got[2], "via sock", 8) != 8)
			_exit(4);
		_exit(0);
	}
	fds[0] = file;
	fds[1] = p[1];
	fds[2] = q[0];
	CHECK(send_fds(sv[0], fds, 3, "three") == 5);
	close(p[1]);
	close(q[0]);
	CHECK(pt_read_full(p[0], buf, 8) == 8 && !memcmp(buf, "via pipe", 8));
	CHECK(pt_read_full(q[1], buf, 8) == 8 && !memcmp(buf, "via sock", 8));
	REAP(pid, 0);
	/* the child's copies closed with it: the pipe's writers are all gone */
	CHECK(read(p[0], buf, 1) == 0);
	close(p[0]);
	close(q[1]);
	/* two sent, room for one: the other closed, MSG_CTRUNC */
	fds[1] = file;
	CHECK(send_fds(sv[0], fds, 2, "two") == 3);
	CHECK(recv_fds(sv[1], got, 1, buf, sizeof(buf), &fl) == 1 && (fl & MSG_CTRUNC));
	CHECK(lseek(got[0], 0, SEEK_CUR) == 9);          /* the same open file: its offset */
	close(got[0]);
	/* a plain recv takes the bytes and drops the descriptors */
	CHECK(send_fds(sv[0], fds, 1, "one") == 3 && recv(sv[1], buf, sizeof(buf), 0) == 3);
	/* a pipe's write end in flight when its socket closes: released */
	CHECK(pipe(p) == 0 && send_fds(sv[0], &p[1], 1, "x") == 1);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
	CHECK(read(p[0], buf, 1) == 0);
	close(p[0]);
	close(file);
	/* not a descriptor */
	CHECK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0);
	fds[0] = 999;
	ERRNO(send_fds(sv[0], fds, 1, "bad"), EBADF);
	close(sv[0]);
	close(sv[1]);
}

/* SO_PEERCRED: a pair's ends, and each end of a connection (the child's) */
static void unix_peercred(void)
{
	struct ucred cr;
	socklen_t cl = sizeof(cr);
	struct sockaddr_un sun;
	socklen_t len = ux_path(&sun, "c");
	int sv[2], l, a;
	pid_t pid;

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &cr, &cl) == 0 && cl == sizeof(cr));
	CHECK(cr.pid == getpid() && cr.uid == geteuid() && cr.gid == getegid());
	close(sv[0]);
	close(sv[1]);
	l = ux_bound(SOCK_STREAM, &sun, len);
	if (!CHECK(l >= 0))
		return;
	pid = fork();
	if (pid == 0) {
		int c = socket(AF_UNIX, SOCK_STREAM, 0);

		pt_child_start();
		if (connect(c, (struct sockaddr *)&sun, len))
			_exit(2);
		cl = sizeof(cr);
		if (getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cr, &cl) || cr.pid != getppid())
			_exit(3);
		_exit(write(c, "k", 1) == 1 ? 0 : 4);
	}
	a = accept(l, NULL, NULL);
	cl = sizeof(cr);
	CHECK(a >= 0 && getsockopt(a, SOL_SOCKET, SO_PEERCRED, &cr, &cl) == 0 && cr.pid == pid);
	REAP(pid, 0);
	close(a);
	close(l);
	unlink(sun.sun_path);
}

static void msg_iovecs(void)
{
	struct sockaddr_storage sa, sb, from;
	socklen_t la, lb;
	int a = bound(AF_INET, SOCK_DGRAM, &sa, &la), b = bound(AF_INET, SOCK_DGRAM, &sb, &lb);
	char p1[] = "gath", p2[] = "ered", p3[] = "!", r1[3], r2[5], r3[8];
	struct iovec sv[3] = { { p1, 4 }, { p2, 4 }, { p3, 1 } };
	struct iovec rv[3] = { { r1, 3 }, { r2, 5 }, { r3, 8 } };
	struct msghdr m = { .msg_name = &sb, .msg_namelen = lb, .msg_iov = sv, .msg_iovlen = 3 };

	if (!CHECK(a >= 0 && b >= 0))
		return;
	CHECK(sendmsg(a, &m, 0) == 9);
	char ctl[64];
	m = (struct msghdr){ .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = rv, .msg_iovlen = 3,
			     .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	CHECK(recvmsg(b, &m, 0) == 9);
	CHECK(!memcmp(r1, "gat", 3) && !memcmp(r2, "hered", 5) && r3[0] == '!');
	CHECK(m.msg_namelen == la && same_addr(&from, &sa) && m.msg_controllen == 0 && m.msg_flags == 0);
	/* a stream's: scattered across the iovecs too */
	int c, d;
	if (!CHECK(tcp_pair(AF_INET, &c, &d) == 0))
		return;
	m = (struct msghdr){ .msg_iov = sv, .msg_iovlen = 3 };
	CHECK(sendmsg(c, &m, 0) == 9);
	rv[2].iov_len = 1;
	m = (struct msghdr){ .msg_iov = rv, .msg_iovlen = 3 };
	CHECK(recvmsg(d, &m, MSG_WAITALL) == 9 && !memcmp(r1, "gat", 3) && !memcmp(r2, "hered", 5));
	close(c);
	close(d);
	close(a);
	close(b);
}

/* ---- IPv6 ---- */

static void tcp6(void)
{
	struct sockaddr_storage ss, name;
	socklen_t len, nlen = sizeof(name);
	int l = listener(AF_INET6, &ss, &len), c, a;
	char buf[8];

	if (!CHECK(l >= 0 && ss.ss_family == AF_INET6 && len == sizeof(struct sockaddr_in6)))
		return;
	c = socket(AF_INET6, SOCK_STREAM, 0);
	CHECK(c >= 0 && connect(c, (struct sockaddr *)&ss, len) == 0);
	a = accept(l, (struct sockaddr *)&name, &nlen);
	CHECK(a >= 0 && nlen == sizeof(struct sockaddr_in6) && name.ss_family == AF_INET6);
	CHECK(IN6_IS_ADDR_LOOPBACK(&((struct sockaddr_in6 *)&name)->sin6_addr));
	CHECK(write(c, "six", 3) == 3 && pt_read_full(a, buf, 3) == 3 && !memcmp(buf, "six", 3));
	CHECK(write(a, "ok", 2) == 2 && pt_read_full(c, buf, 2) == 2 && !memcmp(buf, "ok", 2));
	nlen = sizeof(name);
	CHECK(getpeername(c, (struct sockaddr *)&name, &nlen) == 0 && same_addr(&name, &ss));
	close(a);
	close(c);
	close(l);
	/* refused on ::1 too */
	len = loopback(AF_INET6, &ss, closed_port(AF_INET6));
	c = socket(AF_INET6, SOCK_STREAM, 0);
	ERRNO(connect(c, (struct sockaddr *)&ss, len), ECONNREFUSED);
	close(c);
	/* the pair helper over ::1 */
	if (!CHECK(tcp_pair(AF_INET6, &c, &a) == 0))
		return;
	CHECK(write(a, "z", 1) == 1 && read(c, buf, 1) == 1 && buf[0] == 'z');
	close(a);
	close(c);
}

static void udp6(void)
{
	udp_in(AF_INET6);
}

static void v6only(void)
{
	int s = socket(AF_INET6, SOCK_STREAM, 0), one = 1, zero = 0;

	if (!CHECK(s >= 0))
		return;
	CHECK(optint(s, IPPROTO_IPV6, IPV6_V6ONLY) == 0);
	CHECK(setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) == 0);
	CHECK(optint(s, IPPROTO_IPV6, IPV6_V6ONLY) == 1);
	CHECK(setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) == 0);
	CHECK(optint(s, IPPROTO_IPV6, IPV6_V6ONLY) == 0);
	close(s);
	/* not an IPv6 socket's option on an IPv4 one */
	s = socket(AF_INET, SOCK_STREAM, 0);
	int v;
	socklen_t len = sizeof(v);
	ERRNO(getsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &v, &len), EOPNOTSUPP);
	close(s);
	/* an IPv6 socket rejects an IPv4 address */
	s = socket(AF_INET6, SOCK_DGRAM, 0);
	struct sockaddr_storage ss;
	socklen_t l4 = loopback(AF_INET, &ss, 0);
	ERRNO(bind(s, (struct sockaddr *)&ss, l4), EINVAL);
	close(s);
}

/* ---- errors ---- */

/* ---- netlink ---- */

static int nl_socket(struct sockaddr_nl *me)
{
	int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	socklen_t len = sizeof(*me);

	CHECK(s >= 0);
	CHECK(bind(s, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	CHECK(getsockname(s, (struct sockaddr *)me, &len) == 0);
	CHECK(len == sizeof(*me) && me->nl_family == AF_NETLINK && me->nl_pid != 0);
	return s;
}

static void nl_request(int s, uint16_t type, uint16_t flags, uint32_t seq, uint8_t family)
{
	struct {
		struct nlmsghdr h;
		struct rtgenmsg g;
	} req = { { NLMSG_LENGTH(sizeof(struct rtgenmsg)), type, flags, seq, 0 }, { family } };
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };

	CHECK(sendto(s, &req, req.h.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) ==
	      (ssize_t)req.h.nlmsg_len);
}

/* Reads the answers to request seq until NLMSG_DONE or NLMSG_ERROR; calls
 * fn on each other message; the error's value (0 at NLMSG_DONE). */
static int nl_answers(int s, const struct sockaddr_nl *me, uint32_t seq, void (*fn)(struct nlmsghdr *, void *),
		      void *arg)
{
	static char buf[16384];

	for (int rounds = 0; rounds < 100; rounds++) {
		struct sockaddr_nl from;
		socklen_t flen = sizeof(from);
		int n = (int)recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);

		CHECK(n > 0 && flen == sizeof(from) && from.nl_family == AF_NETLINK && from.nl_pid == 0);
		if (n <= 0)
			return -1;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			CHECK(h->nlmsg_seq == seq && h->nlmsg_pid == me->nl_pid);
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR)
				return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
			fn(h, arg);
		}
	}
	return -1;
}

static void nl_find_lo(struct nlmsghdr *h, void *arg)
{
	struct ifinfomsg *ifi = NLMSG_DATA(h);
	int len = (int)h->nlmsg_len - NLMSG_LENGTH(sizeof(*ifi));

	CHECK(h->nlmsg_type == RTM_NEWLINK && (h->nlmsg_flags & NLM_F_MULTI));
	for (struct rtattr *a = (struct rtattr *)((char *)ifi + NLMSG_ALIGN(sizeof(*ifi))); RTA_OK(a, len);
	     a = RTA_NEXT(a, len))
		if (a->rta_type == IFLA_IFNAME && !strcmp(RTA_DATA(a), "lo") && ifi->ifi_index == 1 &&
		    (ifi->ifi_flags & (IFF_LOOPBACK | IFF_UP)) == (IFF_LOOPBACK | IFF_UP))
			*(int *)arg = 1;
}

static void nl_find_127(struct nlmsghdr *h, void *arg)
{
	struct ifaddrmsg *ifa = NLMSG_DATA(h);
	int len = (int)h->nlmsg_len - NLMSG_LENGTH(sizeof(*ifa));

	CHECK(h->nlmsg_type == RTM_NEWADDR && ifa->ifa_family == AF_INET);
	for (struct rtattr *a = (struct rtattr *)((char *)ifa + NLMSG_ALIGN(sizeof(*ifa))); RTA_OK(a, len);
	     a = RTA_NEXT(a, len))
		if (a->rta_type == IFA_LOCAL && RTA_PAYLOAD(a) == 4 &&
		    !memcmp(RTA_DATA(a), "\x7f\0\0\1", 4) && ifa->ifa_prefixlen == 8 && ifa->ifa_index == 1)
			*(int *)arg = 1;
}

static void nl_none(struct nlmsghdr *h, void *arg)
{
	(void)arg;
	CHECK(h->nlmsg_type == NLMSG_ERROR);          /* no other message comes first */
}

static void netlink_route(void)
{
	struct sockaddr_nl me;
	int s = nl_socket(&me), lo = 0, a127 = 0;
	struct if_nameindex *ni;
	struct ifaddrs *ifs;

	nl_request(s, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 101, AF_UNSPEC);
	CHECK(nl_answers(s, &me, 101, nl_find_lo, &lo) == 0);
	CHECK(lo);
	nl_request(s, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, 102, AF_INET);
	CHECK(nl_answers(s, &me, 102, nl_find_127, &a127) == 0);
	CHECK(a127);
	nl_request(s, 0x7f0, NLM_F_REQUEST, 103, AF_UNSPEC);             /* past RTM_MAX */
	CHECK(nl_answers(s, &me, 103, nl_none, NULL) == -EOPNOTSUPP);
	close(s);
	/* the C library's: if_nameindex and getifaddrs ask over netlink */
	CHECK(if_nametoindex("lo") == 1);
	lo = 0;
	if ((ni = if_nameindex())) {
		for (struct if_nameindex *i = ni; i->if_index; i++)
			lo |= i->if_index == 1 && !strcmp(i->if_name, "lo");
		if_freenameindex(ni);
	}
	CHECK(lo);
	a127 = 0;
	CHECK(getifaddrs(&ifs) == 0);
	for (struct ifaddrs *i = ifs; i; i = i->ifa_next)
		a127 |= !strcmp(i->ifa_name, "lo") && i->ifa_addr && i->ifa_addr->sa_family == AF_INET &&
			((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr == htonl(INADDR_LOOPBACK);
	freeifaddrs(ifs);
	CHECK(a127);
}

static void bad_socket(void)
{
	ERRNO(socket(AF_INET, 99, 0), EINVAL);
	ERRNO(socket(AF_INET, SOCK_STREAM | 0x100, 0), EINVAL);
	ERRNO(socket(AF_INET, SOCK_STREAM, IPPROTO_UDP), EPROTONOSUPPORT);
	ERRNO(socket(AF_INET, SOCK_DGRAM, IPPROTO_TCP), EPROTONOSUPPORT);
	ERRNO(socket(12345, SOCK_STREAM, 0), EAFNOSUPPORT);
	ERRNO(socket(-1, SOCK_STREAM, 0), EAFNOSUPPORT);
	/* a bad address length */
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_storage ss;
	socklen_t len = loopback(AF_INET, &ss, 0);
	ERRNO(bind(s, (struct sockaddr *)&ss, len - 4), EINVAL);
	ERRNO(bind(s, (struct sockaddr *)&ss, 4096), EINVAL);
	/* listen then connect */
	CHECK(bind(s, (struct sockaddr *)&ss, len) == 0 && listen(s, 1) == 0);
	len = sizeof(ss);
	CHECK(getsockname(s, (struct sockaddr *)&ss, &len) == 0);
	ERRNO(connect(s, (struct sockaddr *)&ss, len), EISCONN);
	close(s);
	/* listen on a datagram socket */
	s = socket(AF_INET, SOCK_DGRAM, 0);
	ERRNO(listen(s, 1), EOPNOTSUPP);
	ERRNO(accept(s, NULL, NULL), EOPNOTSUPP);
	close(s);
	/* a closed descriptor */
	ERRNO(send(s, "x", 1, 0), EBADF);
	ERRNO(listen(s, 1), EBADF);
}

static void not_a_socket(void)
{
	int p[2], v;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss), vl = sizeof(v);
	char b;

	CHECK(pipe(p) == 0);
	ERRNO(getsockname(p[0], (struct sockaddr *)&ss, &len), ENOTSOCK);
	ERRNO(getpeername(p[0], (struct sockaddr *)&ss, &len), ENOTSOCK);
	ERRNO(send(p[1], "x", 1, 0), ENOTSOCK);
	ERRNO(recv(p[0], &b, 1, MSG_DONTWAIT), ENOTSOCK);
	ERRNO(bind(p[0], (struct sockaddr *)&ss, loopback(AF_INET, &ss, 0)), ENOTSOCK);
	ERRNO(connect(p[0], (struct sockaddr *)&ss, loopback(AF_INET, &ss, 1)), ENOTSOCK);
	ERRNO(listen(p[0], 1), ENOTSOCK);
	ERRNO(accept(p[0], NULL, NULL), ENOTSOCK);
	ERRNO(shutdown(p[0], SHUT_RDWR), ENOTSOCK);
	ERRNO(getsockopt(p[0], SOL_SOCKET, SO_TYPE, &v, &vl), ENOTSOCK);
	ERRNO(setsockopt(p[0], SOL_SOCKET, SO_KEEPALIVE, &v, sizeof(v)), ENOTSOCK);
	close(p[0]);
	close(p[1]);
	/* a regular file too */
	int fd = open("/proc/self/exe", O_RDONLY);
	if (fd < 0)
		fd = open(self, O_RDONLY);
	CHECK(fd >= 0);
	ERRNO(listen(fd, 1), ENOTSOCK);
	close(fd);
}

/* `sockets child FD`: a line on socket FD, kept across exec */
static int mode_child(char **argv)
{
	int fd = atoi(argv[2]);
	struct stat st;

	alarm(20);
	if (!strcmp(argv[1], "ringchild")) {
		/* bytes already in the socket's rings (the parent made them) */
		static uint8_t b[5000];

		if (pt_read_full(fd, b, sizeof(b)) != (ssize_t)sizeof(b))
			return 4;
		for (size_t i = 0; i < sizeof(b); i++)
			if (b[i] != pattern(i))
				return 5;
		return write(fd, "ring ok", 7) == 7 ? 0 : 1;
	}
	if (fstat(fd, &st) || !S_ISSOCK(st.st_mode))
		return 2;
	if (optint(fd, SOL_SOCKET, SO_TYPE) != SOCK_STREAM)
		return 3;
	return write(fd, "exec'd ok", 9) == 9 ? 0 : 1;
}

static void trun(const char *name, void (*fn)(void))
{
	signal(SIGALRM, SIG_DFL);
	alarm(60);
	run(name, fn);
	alarm(0);
}

int main(int argc, char **argv)
{
	if (argc > 2 && (!strcmp(argv[1], "child") || !strcmp(argv[1], "ringchild")))
		return mode_child(argv);
	pt_prefix = "sockets";
	if (argv[0][0] == '/')
		snprintf(self, sizeof(self), "%s", argv[0]);
	else if (!realpath(argv[0], self))
		return 1;
	signal(SIGPIPE, SIG_DFL);
	trun("tcp_basic", tcp_basic);
	trun("tcp_names", tcp_names);
	trun("tcp_large", tcp_large);
	trun("conn_refused", conn_refused);
	trun("addr_in_use", addr_in_use);
	trun("nonblock_again", nonblock_again);
	trun("not_connected", not_connected);
	trun("epipe", epipe);
	trun("half_close", half_close);
	trun("nonblock_connect", nonblock_connect);
	trun("poll_events", poll_events);
	trun("select_socket", select_socket);
	trun("fork_inherit", fork_inherit);
	trun("peek_and_waitall", peek_and_waitall);
	trun("fionread", fionread);
	trun("buffer_sizes", buffer_sizes);
	trun("options", options);
	trun("udp_sendto", udp_sendto);
	trun("udp_connected", udp_connected);
	trun("udp_trunc", udp_trunc);
	trun("udp_boundaries", udp_boundaries);
	trun("udp_rings", udp_rings);
	trun("proc_net", proc_net);
	trun("msg_iovecs", msg_iovecs);
	trun("unix_pair", unix_pair);
	trun("unix_named", unix_named);
	trun("unix_dgram", unix_dgram);
	trun("unix_full_waits", unix_full_waits);
	trun("unix_abstract", unix_abstract);
	trun("unix_rights", unix_rights);
	trun("unix_many_rights", unix_many_rights);
	trun("unix_rings", unix_rings);
	trun("unix_dgram_rings", unix_dgram_rings);
	trun("unix_peercred", unix_peercred);
	trun("load", load);
	trun("rings", rings);
	trun("tcp6", tcp6);
	trun("udp6", udp6);
	trun("v6only", v6only);
	trun("netlink_route", netlink_route);
	trun("bad_socket", bad_socket);
	trun("not_a_socket", not_a_socket);
	return finish();
}
