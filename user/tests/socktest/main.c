/* SPDX-License-Identifier: MIT */
/*
 * socktest: the network server's socket protocol (include/cairn/sock.h)
 * spoken directly, as no libc would: every malformed request gets an
 * error and the server goes on serving (socktest.manifest: the network
 * server with no device, loopback only, and this program holding "net").
 *
 *   open        SOCK_OPEN's refusals; a socket is S_IFSOCK; SOCK_OPEN on a
 *               socket, IO_* on the unbadged endpoint
 *   lengths     addresses and data longer than the message, longer than
 *               any address, a length word of 2^64 - 1
 *   loopback    a TCP connection over 127.0.0.1 by hand: bind, listen,
 *               non-blocking connect, accept, data both ways, close
 *   arms        IO_POLL_ARM without a Notification, with another object
 *   closed      a socket's capability after its last IO_CLOSE is EBADF
 *   many        1,000 sockets open at once, closed, opened again
 *   unix        AF_UNIX by hand: bad addresses and lengths, a struct
 *               sock_ux missing, wrong keys (a lying client reaches
 *               nothing), SOCK_UX_UNDO out of turn, too many capabilities
 *               (each released), capabilities not taken (MSG_CTRUNC),
 *               more than three staged (SOCK_UX_STAGE) and taken in threes
 *               (SOCK_RECV_RIGHTS), every reference back at the end
 *   fuzz        20,000 requests with random labels, words and bytes on
 *               random sockets (seeded), then the loopback test again
 *   netlink     AF_NETLINK (include/cairn/netlink.h): refusals of bad
 *               types, addresses, message and attribute lengths (each
 *               answered or dropped, the server serving on), a dump by
 *               hand, a queue not read (ENOBUFS), NET_PROCNET and
 *               SIOCGIFCONF, then 3,000 random netlink datagrams (seeded)
 */
#include <stdbool.h>
#include <string.h>
#include <cairn/rt.h>
#include <cairn/sys.h>
#include <cairn/posix.h>
#include <cairn/sock.h>
#include <cairn/linux.h>
#include <cairn/netlink.h>
#include <cairn/test.h>

#define AF_INET_      2
#define AF_INET6_     10
#define AF_UNIX_      1
#define SOCK_STREAM_  1
#define SOCK_DGRAM_   2
#define SOCK_NB       04000
#define AF_NETLINK_   16
#define SOCK_RAW_     3
#define SRV_ANS_CAPS_ 3             /* capabilities an answer carries */

static cap_t net;

#define REQUIRE(c) CHECK(c, "%s", #c)

struct ans {
	err_t err;
	uint64_t w[4];
	unsigned ncaps;
	cap_t cap;
};

static uint8_t *inl(void) { return (uint8_t *)&cairn_ipcbuf()->w[CAIRN_MSG_REGS]; }

/* label, words, nbytes already at inl(), ncaps in ipcbuf->caps */
static struct ans call(cap_t c, uint32_t label, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3,
		       size_t nbytes, unsigned ncaps)
{
	struct cairn_msg m = cairn_call(c, cairn_tag(label, posix_words(nbytes), ncaps), w0, w1, w2, w3);
	struct ans a = { .err = m.err ? (err_t)m.err : (err_t)cairn_tag_label(m.tag) };

	memcpy(a.w, m.w, sizeof(a.w));
	a.ncaps = cairn_tag_ncaps(m.tag);
	a.cap = a.ncaps ? cairn_ipcbuf()->caps[0] : CAP_NULL;
	return a;
}

static cap_t sock_open(uint64_t type)
{
	struct ans a = call(net, SOCK_OPEN, AF_INET_, type, 0, 0, 0, 0);

	return a.err || a.ncaps != 1 ? CAP_NULL : a.cap;
}

static void sock_close(cap_t s)
{
	call(s, IO_CLOSE, 0, 0, 0, 0, 0, 0);
	cairn_cap_delete(s);
}

/* struct sockaddr_in, Linux's bytes */
static size_t sin_at(uint8_t *b, uint32_t addr_host, uint16_t port)
{
	memset(b, 0, 16);
	b[0] = AF_INET_;
	b[2] = (uint8_t)(port >> 8);
	b[3] = (uint8_t)port;
	b[4] = (uint8_t)(addr_host >> 24);
	b[5] = (uint8_t)(addr_host >> 16);
	b[6] = (uint8_t)(addr_host >> 8);
	b[7] = (uint8_t)addr_host;
	return 16;
}

#define LOOP 0x7f000001u

static void t_open(void)
{
	struct ans a;
	cap_t s;

	EXPECT_ERR(call(net, SOCK_OPEN, 99, SOCK_STREAM_, 0, 0, 0, 0).err, ERR_AFNOSUPPORT);
	EXPECT_ERR(call(net, SOCK_OPEN, AF_INET_, 9, 0, 0, 0, 0).err, ERR_SOCKTNOSUPPORT);
	EXPECT_ERR(call(net, SOCK_OPEN, AF_INET_, SOCK_STREAM_, 17, 0, 0, 0).err, ERR_PROTONOSUPPORT);
	EXPECT_ERR(call(net, SOCK_OPEN, AF_INET_, SOCK_STREAM_ | 0x100, 0, 0, 0, 0).err, ERR_INVAL);
	EXPECT_ERR(call(net, SOCK_OPEN, AF_INET_, ~0ull, ~0ull, ~0ull, 0, 0).err, ERR_INVAL);
	EXPECT_ERR(call(net, SOCK_PAIR, AF_INET_, SOCK_STREAM_, 0, 0, 0, 0).err, ERR_OPNOTSUPP);
	EXPECT_ERR(call(net, SOCK_PAIR, AF_UNIX_, 3, 0, 0, 0, 0).err, ERR_SOCKTNOSUPPORT);  /* SOCK_RAW */
	EXPECT_ERR(call(net, SOCK_OPEN, AF_UNIX_, 3, 0, 0, 0, 0).err, ERR_SOCKTNOSUPPORT);
	EXPECT_ERR(call(net, SOCK_OPEN, AF_UNIX_, SOCK_STREAM_, 1, 0, 0, 0).err, ERR_PROTONOSUPPORT);
	EXPECT_ERR(call(net, SOCK_PAIR, AF_UNIX_, SOCK_STREAM_, 1, 0, 0, 0).err, ERR_PROTONOSUPPORT);
	a = call(net, SOCK_PAIR, AF_UNIX_, SOCK_STREAM_, 0, 0, 0, 0);
	EXPECT_ERR(a.err, ERR_OK);
	if (!a.err && a.ncaps == 2) {
		cap_t y = cairn_ipcbuf()->caps[1];

		sock_close(a.cap);
		memcpy(inl(), "x", 1);
		EXPECT_ERR(call(y, IO_WRITE, 1, 0, 0, 0, 1, 0).err, ERR_PIPE);      /* the other end closed */
		sock_close(y);
	}
	EXPECT_ERR(call(net, IO_READ, 100, 0, 0, 0, 0, 0).err, ERR_BADF);
	EXPECT_ERR(call(net, SOCK_BIND, 16, 0, 0, 0, 0, 0).err, ERR_BADF);
	s = sock_open(SOCK_STREAM_);
	REQUIRE(s != CAP_NULL);
	a = call(s, IO_STAT, 0, 0, 0, 0, 0, 0);
	EXPECT_ERR(a.err, ERR_OK);
	EXPECT((((struct posix_stat *)inl())->mode & 0170000) == 0140000, "not S_IFSOCK");
	EXPECT_ERR(call(s, SOCK_OPEN, AF_INET_, SOCK_STREAM_, 0, 0, 0, 0).err, ERR_INVAL);
	EXPECT_ERR(call(s, 0xa7f, 0, 0, 0, 0, 0, 0).err, ERR_NOSYS);
	EXPECT_ERR(call(s, IO_SEEK, 0, 0, 0, 0, 0, 0).err, ERR_SPIPE);
	sock_close(s);
}

static void t_lengths(void)
{
	cap_t s = sock_open(SOCK_DGRAM_ | SOCK_NB);
	size_t n;

	REQUIRE(s != CAP_NULL);
	n = sin_at(inl(), LOOP, 9);
	EXPECT_ERR(call(s, SOCK_BIND, 64, 0, 0, 0, n, 0).err, ERR_INVAL);        /* more than sent */
	EXPECT_ERR(call(s, SOCK_BIND, ~0ull, 0, 0, 0, n, 0).err, ERR_INVAL);
	EXPECT_ERR(call(s, SOCK_BIND, 1, 0, 0, 0, n, 0).err, ERR_INVAL);
	EXPECT_ERR(call(s, SOCK_BIND, 0, 0, 0, 0, 0, 0).err, ERR_INVAL);
	inl()[0] = 77;
	EXPECT_ERR(call(s, SOCK_BIND, 16, 0, 0, 0, 16, 0).err, ERR_AFNOSUPPORT);
	n = sin_at(inl(), 0x01020304, 9);                                       /* not ours */
	EXPECT_ERR(call(s, SOCK_BIND, 16, 0, 0, 0, n, 0).err, ERR_ADDRNOTAVAIL);
	/* SOCK_SEND: n past the bytes, an address length past SOCK_ADDR_MAX */
	n = sin_at(inl(), LOOP, 9);
	EXPECT_ERR(call(s, SOCK_SEND, 4000, 0, 16, 0, n + 8, 0).err, ERR_INVAL);
	EXPECT_ERR(call(s, SOCK_SEND, 1, 0, 4096, 0, 64, 0).err, ERR_INVAL);
	EXPECT_ERR(call(s, SOCK_SEND, ~0ull, 0, ~0ull, 0, 64, 0).err, ERR_INVAL);
	EXPECT_ERR(call(s, IO_WRITE, 5000, 0, 0, 0, 8, 0).err, ERR_INVAL);
	EXPECT_ERR(call(s, SOCK_RECV, ~0ull, ~0ull, 0, 0, 0, 0).err, ERR_AGAIN);  /* clamped; nothing there */
	EXPECT_ERR(call(s, SOCK_SETOPT, 1, 2, 4, 0, 0, 0).err, ERR_INVAL);       /* value not sent */
	EXPECT_ERR(call(s, SOCK_SETOPT, 12345, 1, 4, 0, 8, 0).err, ERR_NOPROTOOPT);
	EXPECT_ERR(call(s, SOCK_GETOPT, 1, 9999, 4, 0, 0, 0).err, ERR_NOPROTOOPT);
	EXPECT_ERR(call(s, SOCK_SHUTDOWN, 7, 0, 0, 0, 0, 0).err, ERR_INVAL);
	EXPECT_ERR(call(s, SOCK_NAME, 1, 0, 0, 0, 0, 0).err, ERR_NOTCONN);
	EXPECT_ERR(call(s, SOCK_CONNECT, 1, 0, 0, 0, 0, 0).err, ERR_INVAL);
	EXPECT_ERR(call(s, SOCK_LISTEN, 5, 0, 0, 0, 0, 0).err, ERR_OPNOTSUPP);
	EXPECT_ERR(call(s, SOCK_ACCEPT, 0, 0, 0, 0, 0, 0).err, ERR_OPNOTSUPP);
	EXPECT_ERR(call(s, IO_IOCTL, 0x8913, 0, 0, 0, 0, 0).err, ERR_INVAL);     /* SIOCGIFFLAGS: no ifreq */
	sock_close(s);
}

/* A TCP connection over 127.0.0.1 made by hand; 0 on success. */
static bool loopback_once(uint16_t port)
{
	cap_t l = sock_open(SOCK_STREAM_), c = sock_open(SOCK_STREAM_ | SOCK_NB), a = CAP_NULL;
	struct ans r;
	size_t n;
	bool ok = false;

	if (l == CAP_NULL || c == CAP_NULL)
		goto out;
	n = sin_at(inl(), LOOP, port);
	if (call(l, SOCK_BIND, n, 0, 0, 0, n, 0).err || call(l, SOCK_LISTEN, 4, 0, 0, 0, 0, 0).err)
		goto out;
	n = sin_at(inl(), LOOP, port);
	r = call(c, SOCK_CONNECT, n, 0, 0, 0, n, 0);
	if (r.err != ERR_INPROGRESS && r.err != ERR_OK)
		goto out;
	r = call(l, SOCK_ACCEPT, 0, 0, 0, 0, 0, 0);             /* waits for the handshake */
	if (r.err || r.ncaps != 1)
		goto out;
	a = r.cap;
	memcpy(inl(), "cairn-loopback", 14);
	for (int i = 0; i < 100 && (r = call(c, IO_WRITE, 14, 0, 0, 0, 14, 0)).err == ERR_AGAIN; i++)
		cairn_yield();                                   /* connect may still be finishing */
	if (r.err || r.w[0] != 14)
		goto out;
	r = call(a, IO_READ, 100, 0, 0, 0, 0, 0);
	if (r.err || r.w[0] != 14 || memcmp(inl(), "cairn-loopback", 14))
		goto out;
	memcpy(inl(), "back", 4);
	if (call(a, SOCK_SEND, 4, 0, 0, 0, 4, 0).err)
		goto out;
	r = call(c, SOCK_RECV, 100, 0, 0, 0, 0, 0);
	while (r.err == ERR_AGAIN) {
		cairn_yield();
		r = call(c, SOCK_RECV, 100, 0, 0, 0, 0, 0);
	}
	ok = !r.err && r.w[0] == 4 && !memcmp(inl(), "back", 4);
out:
	if (l != CAP_NULL)
		sock_close(l);
	if (c != CAP_NULL)
		sock_close(c);
	if (a != CAP_NULL)
		sock_close(a);
	return ok;
}

static void t_loopback(void)
{
	REQUIRE(loopback_once(4100));
}

static void t_arms(void)
{
	cap_t s = sock_open(SOCK_DGRAM_);
	struct cairn_msg m;

	REQUIRE(s != CAP_NULL);
	EXPECT_ERR(call(s, IO_POLL_ARM, LINUX_POLLIN, 1, 0, 0, 0, 0).err, ERR_INVAL);
	cairn_ipcbuf()->caps[0] = s;                              /* not a Notification */
	EXPECT_ERR(call(s, IO_POLL_ARM, LINUX_POLLIN, 1, 0, 0, 0, 1).err, ERR_INVAL);
	REQUIRE(!cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_NOTIFICATION, 0, 0, 0, &m));
	for (int i = 0; i < 40; i++) {                            /* more than a socket keeps */
		cairn_ipcbuf()->caps[0] = m.w[0];
		EXPECT_ERR(call(s, IO_POLL_ARM, LINUX_POLLIN, 1, 0, 0, 0, 1).err, ERR_OK);
	}
	sock_close(s);                                            /* fires the rest */
	EXPECT_ERR(cairn_wait(m.w[0], 0, NULL), ERR_OK);
	cairn_cap_delete(m.w[0]);
}

static void t_closed(void)
{
	cap_t s = sock_open(SOCK_STREAM_), d;

	REQUIRE(s != CAP_NULL);
	REQUIRE(!cairn_cap_copy(s, RIGHTS_ALL, &d));
	EXPECT_ERR(call(s, IO_CLOSE, 0, 0, 0, 0, 0, 0).err, ERR_OK);
	EXPECT_ERR(call(d, IO_READ, 10, 0, 0, 0, 0, 0).err, ERR_BADF);
	EXPECT_ERR(call(d, SOCK_LISTEN, 1, 0, 0, 0, 0, 0).err, ERR_BADF);
	cairn_cap_delete(s);
	cairn_cap_delete(d);
}

/* struct sockaddr_un at inl(): a path (abstract: a leading 0); its length */
static size_t sun_at(const char *name, size_t n, bool abstract)
{
	uint8_t *b = inl();

	memset(b, 0, 128);
	b[0] = AF_UNIX_;
	memcpy(b + 2 + abstract, name, n);
	return 2 + abstract + n + !abstract;
}

static cap_t ux_open(uint64_t type)
{
	struct ans a = call(net, SOCK_OPEN, AF_UNIX_, type, 0, 0, 0, 0);

	return a.err || a.ncaps != 1 ? CAP_NULL : a.cap;
}

/* SOCK_CONNECT with a struct sock_ux carrying key after the address */
static err_t ux_connect(cap_t s, const char *path, uint64_t key)
{
	size_t n = sun_at(path, strlen(path), false);
	struct sock_ux x = { .key = key, .pid = 1 };

	memcpy(inl() + SOCK_ADDR_PAD(n), &x, sizeof(x));
	return call(s, SOCK_CONNECT, n, SOCK_UX_KEYED, 0, 0, SOCK_ADDR_PAD(n) + sizeof(x), 0).err;
}

/* New references of d (IO_DUP: each a capability with a badge of its own)
 * as the first n capabilities of the next message; our copies go after
 * it (drop_refs: the server holds its own). */
static cap_t refs_held[CAIRN_MSG_MAX_CAPS];
static unsigned refs_n;

static void refs_of(cap_t d, unsigned n)
{
	for (refs_n = 0; refs_n < n; refs_n++) {
		struct ans a = call(d, IO_DUP, 0, 0, 0, 0, 0, 0);
		EXPECT(!a.err && a.ncaps == 1, "IO_DUP: %d, %u caps", a.err, a.ncaps);
		refs_held[refs_n] = a.cap;
	}
	for (unsigned i = 0; i < n; i++)
		cairn_ipcbuf()->caps[i] = refs_held[i];
}

static void drop_refs(void)
{
	for (unsigned i = 0; i < refs_n; i++)
		cairn_cap_delete(refs_held[i]);
	refs_n = 0;
}

/* n references of d as the capabilities of a SOCK_SEND on x with how
 * (SOCK_UX_STAGE or SOCK_UX_STAGED) and token; with data: "x" */
static void stage_d(cap_t d, cap_t x, unsigned n, uint32_t token, uint64_t how, size_t data, err_t want)
{
	refs_of(d, n);
	inl()[0] = 'x';
	EXPECT_ERR(call(x, SOCK_SEND, data, 0, 0, how | (uint64_t)token << 32, data, n).err, want);
	drop_refs();
}

/* The capabilities an answer brought (in the IPC buffer): closed */
static void close_caps(unsigned n)
{
	cap_t c[SRV_ANS_CAPS_];

	for (unsigned i = 0; i < n && i < SRV_ANS_CAPS_; i++)
		c[i] = cairn_ipcbuf()->caps[i];
	for (unsigned i = 0; i < n && i < SRV_ANS_CAPS_; i++)
		sock_close(c[i]);
}

static void t_unix(void)
{
	cap_t l = ux_open(SOCK_STREAM_), c = ux_open(SOCK_STREAM_ | SOCK_NB), d = ux_open(SOCK_DGRAM_), x, y;
	struct ans a;
	uint64_t key;
	size_t n;

	REQUIRE(l != CAP_NULL && c != CAP_NULL && d != CAP_NULL);
	/* addresses: too long, too short, another family; a sock_ux promised, not sent */
	n = sun_at("/tmp/socktest", 13, false);
	EXPECT_ERR(call(l, SOCK_BIND, 111, 0, 0, 0, 112, 0).err, ERR_INVAL);
	EXPECT_ERR(call(l, SOCK_BIND, 1, 0, 0, 0, n, 0).err, ERR_INVAL);
	EXPECT_ERR(call(l, SOCK_BIND, n, SOCK_UX_KEYED, 0, 0, n, 0).err, ERR_INVAL);
	EXPECT_ERR(call(l, SOCK_BIND, 0, SOCK_UX_UNDO, 0, 0, 0, 0).err, ERR_INVAL);   /* nothing to undo */
	inl()[0] = AF_INET_;
	EXPECT_ERR(call(l, SOCK_BIND, n, 0, 0, 0, n, 0).err, ERR_INVAL);
	EXPECT_ERR(call(c, SOCK_CONNECT, 2, 0, 0, 0, 8, 0).err, ERR_INVAL);
	/* a path's name: its key is the answer, and only the key reaches it */
	n = sun_at("/tmp/socktest", 13, false);
	a = call(l, SOCK_BIND, n, 0, 0, 0, n, 0);
	EXPECT_ERR(a.err, ERR_OK);
	key = a.w[0];
	EXPECT(key != 0, "no key");
	EXPECT_ERR(call(l, SOCK_LISTEN, 4, 0, 0, 0, 0, 0).err, ERR_OK);
	EXPECT_ERR(ux_connect(c, "/tmp/socktest", key + 1), ERR_CONNREFUSED);
	EXPECT_ERR(ux_connect(c, "/tmp/socktest", 0), ERR_CONNREFUSED);
	EXPECT_ERR(ux_connect(c, "/tmp/socktest", ~0ull), ERR_CONNREFUSED);
	EXPECT_ERR(ux_connect(d, "/tmp/socktest", key), ERR_PROTOTYPE);
	EXPECT_ERR(ux_connect(c, "/elsewhere", key), ERR_OK);        /* the key names it, not the path */
	EXPECT_ERR(ux_connect(c, "/tmp/socktest", key), ERR_ISCONN);
	a = call(l, SOCK_ACCEPT, 0, 0, 0, 0, 0, 0);
	EXPECT(!a.err && a.ncaps == 1, "accept: %d", a.err);
	if (a.ncaps)
		sock_close(a.cap);
	EXPECT_ERR(call(l, SOCK_BIND, 0, SOCK_UX_UNDO, 0, 0, 0, 0).err, ERR_INVAL);   /* listening */
	/* abstract: nobody there; then too many capabilities, each released */
	n = sun_at("none", 4, true);
	memcpy(inl() + SOCK_ADDR_PAD(n), "data", 4);
	EXPECT_ERR(call(d, SOCK_SEND, 4, 0, n, 0, SOCK_ADDR_PAD(n) + 4, 0).err, ERR_CONNREFUSED);
	a = call(net, SOCK_PAIR, AF_UNIX_, SOCK_DGRAM_ | SOCK_NB, 0, 0, 0, 0);
	REQUIRE(!a.err && a.ncaps == 2);
	x = a.cap;
	y = cairn_ipcbuf()->caps[1];
	refs_of(d, 4);                   /* a reference each */
	memcpy(inl(), "four", 4);
	EXPECT_ERR(call(x, SOCK_SEND, 4, 0, 0, 0, 4, 4).err, ERR_INVAL);
	drop_refs();
	/* one sent, none taken: MSG_CTRUNC, and the reference goes back */
	refs_of(d, 1);
	EXPECT_ERR(call(x, SOCK_SEND, 4, 0, 0, 0, 4, 1).err, ERR_OK);
	drop_refs();
	a = call(y, SOCK_RECV, 100, 0, 0, 0, 0, 0);
	EXPECT(!a.err && a.ncaps == 0 && (a.w[3] & 0x8), "recv: %d, %u caps, flags %lx", a.err, a.ncaps,
	       (unsigned long)a.w[3]);
	/* taken: a socket's capability comes back, a huge count is clamped */
	refs_of(d, 1);
	EXPECT_ERR(call(x, SOCK_SEND, 0, 0, 0, 0, 0, 1).err, ERR_OK);
	drop_refs();
	a = call(y, SOCK_RECV, 100, 0, ~0ull, 0, 0, 0);
	EXPECT(!a.err && a.ncaps == 1, "recv: %d, %u caps", a.err, a.ncaps);
	if (a.ncaps)
		sock_close(a.cap);
	/* capabilities on a UDP socket: EINVAL, and the reference goes back */
	{
		cap_t u = sock_open(SOCK_DGRAM_);

		refs_of(d, 1);
		n = sin_at(inl(), LOOP, 9);
		EXPECT_ERR(call(u, SOCK_SEND, 0, 0, n, 0, n, 1).err, ERR_INVAL);
		drop_refs();
		/* ... and on a closed socket: EBADF, the reference back too */
		cap_t u2 = CAP_NULL;

		REQUIRE(!cairn_cap_copy(u, RIGHTS_ALL, &u2));
		sock_close(u);
		refs_of(d, 1);
		EXPECT_ERR(call(u2, SOCK_SEND, 0, 0, 0, 0, 0, 1).err, ERR_BADF);
		drop_refs();
		cairn_cap_delete(u2);
	}
	/* past three a message: staged under a token, taken by the send with
	 * it (SOCK_UX_STAGED); another token's stage drops the first, a
	 * send whose stage is gone is EAGAIN; a receive takes three, then
	 * SOCK_RECV_RIGHTS the rest, or leaves them to the socket's close */
	stage_d(d, x, 3, 7, SOCK_UX_STAGE, 0, ERR_OK);
	stage_d(d, x, 1, 8, SOCK_UX_STAGED, 0, ERR_AGAIN);         /* token 7's is not its */
	stage_d(d, x, 3, 9, SOCK_UX_STAGE, 0, ERR_OK);             /* 7's dropped */
	stage_d(d, x, 1, 9, SOCK_UX_STAGED, 1, ERR_OK);            /* "x" with 4 */
	a = call(y, SOCK_RECV, 100, 0, 2, 0, 0, 0);
	EXPECT(!a.err && a.ncaps == 2 && (a.w[3] & 0x8) && !(a.w[3] & SOCK_RIGHTS_MORE), "recv 2 of 4: %d, %u caps, %lx",
	       a.err, a.ncaps, (unsigned long)a.w[3]);
	close_caps(a.ncaps);
	stage_d(d, x, 3, 5, SOCK_UX_STAGE, 0, ERR_OK);
	stage_d(d, x, 2, 5, SOCK_UX_STAGED, 1, ERR_OK);            /* 5 */
	a = call(y, SOCK_RECV, 100, 0, ~0ull, 0, 0, 0);
	EXPECT(!a.err && a.ncaps == 3 && (a.w[3] & SOCK_RIGHTS_MORE), "recv 3 of 5: %d, %u caps", a.err, a.ncaps);
	close_caps(a.ncaps);
	a = call(y, SOCK_RECV, 0, SOCK_RECV_RIGHTS, ~0ull, 0, 0, 0);
	EXPECT(!a.err && a.ncaps == 2 && !a.w[3], "the other 2: %d, %u caps, %lx", a.err, a.ncaps, (unsigned long)a.w[3]);
	close_caps(a.ncaps);
	a = call(y, SOCK_RECV, 0, SOCK_RECV_RIGHTS, ~0ull, 0, 0, 0);
	EXPECT(!a.err && a.ncaps == 0, "none left: %d, %u caps", a.err, a.ncaps);
	stage_d(d, x, 3, 6, SOCK_UX_STAGE, 0, ERR_OK);
	stage_d(d, x, 1, 6, SOCK_UX_STAGED, 1, ERR_OK);            /* 4: one left to y's close */
	a = call(y, SOCK_RECV, 100, 0, ~0ull, 0, 0, 0);
	EXPECT(!a.err && a.ncaps == 3 && (a.w[3] & SOCK_RIGHTS_MORE), "recv 3 of 4: %d, %u caps", a.err, a.ncaps);
	close_caps(a.ncaps);
	stage_d(d, x, 3, 4, SOCK_UX_STAGE, 0, ERR_OK);             /* staged, never sent: x's close */
	/* still one reference of d left: it answers */
	EXPECT_ERR(call(d, IO_STAT, 0, 0, 0, 0, 0, 0).err, ERR_OK);
	a = call(d, SOCK_GETOPT, 1, 17, 12, 0, 0, 0);               /* SO_PEERCRED: none */
	EXPECT(!a.err && a.w[0] == 12, "peercred");
	sock_close(x);
	sock_close(y);
	sock_close(l);
	sock_close(c);
	/* every reference the capabilities took came back: d's last close ends it */
	cap_t d2 = CAP_NULL;

	REQUIRE(!cairn_cap_copy(d, RIGHTS_ALL, &d2));
	sock_close(d);
	EXPECT_ERR(call(d2, IO_STAT, 0, 0, 0, 0, 0, 0).err, ERR_BADF);
	cairn_cap_delete(d2);
	REQUIRE(loopback_once(4103));
}

#define MANY 1000
static cap_t many[MANY];

static void t_many(void)
{
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < MANY; i++) {
			many[i] = sock_open(i & 1 ? SOCK_DGRAM_ : SOCK_STREAM_);
			REQUIRE(many[i] != CAP_NULL);
		}
		for (int i = 0; i < MANY; i++)
			sock_close(many[i]);
	}
	REQUIRE(loopback_once(4101));
}

static uint64_t seed = 20261206;
static uint64_t rnd(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return seed;
}

static void t_fuzz(void)
{
	cap_t s[8];
	unsigned answered = 0;

	for (int i = 0; i < 8; i++) {
		s[i] = i >= 6 ? ux_open(i & 1 ? SOCK_DGRAM_ | SOCK_NB : SOCK_STREAM_ | SOCK_NB)
			      : sock_open(i & 1 ? SOCK_DGRAM_ | SOCK_NB : SOCK_STREAM_ | SOCK_NB);
		REQUIRE(s[i] != CAP_NULL);
	}
	for (int i = 0; i < 20000; i++) {
		uint64_t r = rnd();
		uint32_t label = (r & 1) ? 0xa00 + (uint32_t)(rnd() % 14) : IO_READ + (uint32_t)(rnd() % 24);
		size_t n = rnd() % 200;
		struct ans a;

		if (label == IO_CLOSE || label == IO_DUP || label == SOCK_ACCEPT || label == SOCK_CONNECT ||
		    label == IO_SETFL)
			continue;           /* references, waits and blocking mode: the other tests' */
		for (size_t k = 0; k < n; k += 8) {
			uint64_t v = rnd();
			memcpy(inl() + k, &v, 8);
		}
		if (rnd() & 1)
			inl()[0] = (rnd() & 1) ? AF_INET_ : (rnd() & 1) ? AF_INET6_ : AF_UNIX_;
		a = call(s[rnd() % 8], label, rnd() % 5000, rnd() & 0xffff, rnd() % 300, rnd(), n, 0);
		if (a.err != ERR_INTR)
			answered++;
		for (unsigned k = 0; k < a.ncaps; k++)
			cairn_cap_delete(cairn_ipcbuf()->caps[k]);
	}
	t_note("%u answered", answered);
	for (int i = 0; i < 8; i++)
		sock_close(s[i]);
	REQUIRE(loopback_once(4102));
}

/* ---- netlink ---- */

static cap_t nl_open(void)
{
	struct ans a = call(net, SOCK_OPEN, AF_NETLINK_, SOCK_RAW_ | SOCK_NB, NETLINK_ROUTE, 0, 0, 0);

	return a.err || a.ncaps != 1 ? CAP_NULL : a.cap;
}

/* A request (header and len bytes of payload) to the kernel; the send's error */
static err_t nl_req(cap_t s, uint32_t nlmsg_len, uint16_t type, uint16_t flags, uint32_t seq,
		    const void *payload, size_t len)
{
	struct nlmsghdr h = { nlmsg_len, type, flags, seq, 0 };

	memcpy(inl(), &h, sizeof(h));
	memcpy(inl() + sizeof(h), payload, len);
	return call(s, SOCK_SEND, sizeof(h) + len, 0, 0, 0, sizeof(h) + len, 0).err;
}

/* The next datagram into buf (at most max); its length, or -1: none */
static long nl_recv(cap_t s, uint8_t *buf, size_t max)
{
	struct ans a = call(s, SOCK_RECV, max, 0, 0, 0, 0, 0);
	size_t pad = SOCK_ADDR_PAD(a.w[1]);

	if (a.err)
		return -1;
	memcpy(buf, inl() + pad, a.w[0]);
	return (long)a.w[0];
}

static void nl_drain(cap_t s)
{
	while (call(s, SOCK_RECV, 4000, 0, 0, 0, 0, 0).err == ERR_OK)
		;
}

/* The answer to a lone request: NLMSG_ERROR's error (1: something else, 2: nothing) */
static int nl_error_of(cap_t s, uint32_t seq)
{
	static uint8_t buf[4000];
	struct nlmsghdr h;
	struct nlmsgerr e;
	long n = nl_recv(s, buf, sizeof(buf));

	if (n < (long)NLMSG_LENGTH(sizeof(e)))
		return n < 0 ? 2 : 1;
	memcpy(&h, buf, sizeof(h));
	memcpy(&e, buf + sizeof(h), sizeof(e));
	return h.nlmsg_type == NLMSG_ERROR && h.nlmsg_seq == seq && e.msg.nlmsg_seq == seq ? e.error : 1;
}

static void t_netlink(void)
{
	static uint8_t buf[4000];
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK_ };
	uint8_t junk[64];
	cap_t s;
	struct ans a;
	long n;
	int sends = 0;

	EXPECT_ERR(call(net, SOCK_OPEN, AF_NETLINK_, SOCK_STREAM_, 0, 0, 0, 0).err, ERR_SOCKTNOSUPPORT);
	EXPECT_ERR(call(net, SOCK_OPEN, AF_NETLINK_, SOCK_RAW_, 5, 0, 0, 0).err, ERR_PROTONOSUPPORT);
	REQUIRE((s = nl_open()) != CAP_NULL);
	/* addresses: short, another family, another port */
	memcpy(inl(), &sa, sizeof(sa));
	EXPECT_ERR(call(s, SOCK_BIND, 4, 0, 0, 0, 8, 0).err, ERR_INVAL);
	inl()[0] = AF_INET_;
	EXPECT_ERR(call(s, SOCK_BIND, sizeof(sa), 0, 0, 0, 16, 0).err, ERR_INVAL);
	sa.nl_pid = 77;
	memcpy(inl(), &sa, sizeof(sa));
	memcpy(inl() + 16, "x", 1);
	EXPECT_ERR(call(s, SOCK_SEND, 1, 0, sizeof(sa), 0, 17, 0).err, ERR_CONNREFUSED);
	EXPECT_ERR(call(s, SOCK_LISTEN, 1, 0, 0, 0, 0, 0).err, ERR_OPNOTSUPP);
	/* the port the server chose, and the kernel's as the sender */
	a = call(s, SOCK_NAME, 0, 0, 0, 0, 0, 0);
	EXPECT_ERR(a.err, ERR_OK);
	memcpy(&sa, inl(), sizeof(sa));
	EXPECT(a.w[0] == sizeof(sa) && sa.nl_family == AF_NETLINK_ && sa.nl_pid, "getsockname: %lu bytes, pid %u",
	       (unsigned long)a.w[0], sa.nl_pid);
	/* bad lengths: dropped (no answer), as Linux */
	memset(junk, 0, sizeof(junk));
	EXPECT_ERR(nl_req(s, 0, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 1, junk, 4), ERR_OK);
	EXPECT_ERR(nl_req(s, 0xffffffffu, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 2, junk, 4), ERR_OK);
	EXPECT_ERR(nl_req(s, 21, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 3, junk, 4), ERR_OK);
	EXPECT(nl_error_of(s, 0) == 2, "an answer to a malformed message");
	/* unknown type, a lookup without an index or name, a bad attribute, short payloads */
	EXPECT_ERR(nl_req(s, 20, 0x7f0, NLM_F_REQUEST, 4, junk, 4), ERR_OK);
	EXPECT(nl_error_of(s, 4) == -ERR_OPNOTSUPP, "unknown type: not -EOPNOTSUPP");
	EXPECT_ERR(nl_req(s, 32, RTM_GETLINK, NLM_F_REQUEST, 5, junk, 16), ERR_OK);
	EXPECT(nl_error_of(s, 5) == -ERR_INVAL, "RTM_GETLINK without index or name: not -EINVAL");
	junk[16] = 0xff, junk[17] = 0xff, junk[18] = IFLA_IFNAME;       /* rta_len 65535 */
	EXPECT_ERR(nl_req(s, 40, RTM_GETLINK, NLM_F_REQUEST, 6, junk, 24), ERR_OK);
	EXPECT(nl_error_of(s, 6) == -ERR_INVAL, "an attribute past its message: not -EINVAL");
	junk[16] = 4, junk[17] = 0;                                      /* an empty name */
	EXPECT_ERR(nl_req(s, 40, RTM_GETLINK, NLM_F_REQUEST, 7, junk, 24), ERR_OK);
	EXPECT(nl_error_of(s, 7) == -ERR_NODEV, "an empty name: not -ENODEV");
	EXPECT_ERR(nl_req(s, 20, RTM_NEWADDR, NLM_F_REQUEST | NLM_F_ACK, 8, junk, 4), ERR_OK);
	EXPECT(nl_error_of(s, 8) == -ERR_INVAL, "RTM_NEWADDR, short: not -EINVAL");
	EXPECT_ERR(nl_req(s, 16, NLMSG_NOOP, NLM_F_REQUEST | NLM_F_ACK, 9, junk, 0), ERR_OK);
	EXPECT(nl_error_of(s, 9) == 0, "NLMSG_NOOP with NLM_F_ACK: not acknowledged");
	EXPECT_ERR(nl_req(s, 20, 0x7f0, 0, 10, junk, 4), ERR_OK);          /* not a request */
	EXPECT(nl_error_of(s, 0) == 2, "an answer to a message without NLM_F_REQUEST");
	/* a dump by hand: RTM_NEWLINK for lo, to this port, then NLMSG_DONE */
	EXPECT_ERR(nl_req(s, 17, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 11, junk, 1), ERR_OK);
	n = nl_recv(s, buf, sizeof(buf));
	{
		struct nlmsghdr h;
		struct ifinfomsg ifi;
		bool done = false;

		for (long off = 0; n > 0 && off + (long)sizeof(h) <= n; off += NLMSG_ALIGN(h.nlmsg_len)) {
			memcpy(&h, buf + off, sizeof(h));
			if (h.nlmsg_len < sizeof(h) || h.nlmsg_seq != 11 || h.nlmsg_pid != sa.nl_pid)
				break;
			if (h.nlmsg_type == NLMSG_DONE)
				done = true;
			if (h.nlmsg_type == RTM_NEWLINK) {
				memcpy(&ifi, buf + off + sizeof(h), sizeof(ifi));
				EXPECT(ifi.ifi_index == 1 && (h.nlmsg_flags & NLM_F_MULTI), "lo: index %d", ifi.ifi_index);
			}
		}
		EXPECT(done, "no NLMSG_DONE in %ld bytes", n);
	}
	/* answers not read: the queue fills, then ENOBUFS; reading makes room */
	while (sends < 1000 && nl_req(s, 17, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 12, junk, 1) == ERR_OK)
		sends++;
	EXPECT(sends > 10 && sends < 1000, "%d dumps queued", sends);
	EXPECT_ERR(nl_req(s, 17, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 12, junk, 1), ERR_NOBUFS);
	nl_drain(s);
	EXPECT_ERR(nl_req(s, 17, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 12, junk, 1), ERR_OK);
	nl_drain(s);
	/* /proc/net's texts, SIOCGIFCONF (lo: 127.0.0.1) */
	EXPECT_ERR(call(net, NET_PROCNET, 99, 0, 0, 0, 0, 0).err, ERR_INVAL);
	a = call(net, NET_PROCNET, NET_PROC_DEV, 0, 0, 0, 0, 0);
	EXPECT(!a.err && a.w[0] > 20 && !memcmp(inl(), "Inter-|", 7), "NET_PROC_DEV: %d, %lu bytes", a.err,
	       (unsigned long)a.w[0]);
	a = call(s, IO_IOCTL, 0x8912 /* SIOCGIFCONF */, 0, 0, 0, 0, 0);
	EXPECT(!a.err && !memcmp(inl(), "lo", 3) && inl()[20] == 127, "SIOCGIFCONF: %d", a.err);
	/* random datagrams: headers of random lengths, types and flags */
	for (int i = 0; i < 3000; i++) {
		size_t len = rnd() % 120;
		struct nlmsghdr h = { (uint32_t)(rnd() % 140), (uint16_t)(rnd() % 40), (uint16_t)rnd(), 0, 0 };

		for (size_t k = 0; k < len + 16; k += 8) {
			uint64_t v = rnd();
			memcpy(inl() + k, &v, 8);
		}
		if (rnd() & 1)
			memcpy(inl(), &h, sizeof(h));
		call(s, rnd() & 3 ? SOCK_SEND : IO_WRITE, len, 0, 0, 0, len, 0);
		if (!(i & 15))
			nl_drain(s);
	}
	nl_drain(s);
	EXPECT_ERR(nl_req(s, 17, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 13, junk, 1), ERR_OK);
	EXPECT(nl_recv(s, buf, sizeof(buf)) > 0, "no dump after the random datagrams");
	sock_close(s);
}

static const struct t_case tests[] = {
	{ "open", t_open },
	{ "lengths", t_lengths },
	{ "loopback", t_loopback },
	{ "arms", t_arms },
	{ "closed", t_closed },
	{ "many", t_many },
	{ "unix", t_unix },
	{ "fuzz", t_fuzz },
	{ "netlink", t_netlink },
};

int main(int argc, char **argv)
{
	unsigned n = sizeof(tests) / sizeof(tests[0]);

	(void)argc;
	(void)argv;
	net = cairn_cap("net");
	if (net == CAP_NULL)
		return t_abort("socktest: no \"net\" capability");
	t_begin("socktest", n);
	t_run_all(tests, n);
	return t_end("socktest") ? 1 : 0;
}
