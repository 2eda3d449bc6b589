/* SPDX-License-Identifier: MIT */
/*
 * Sockets: the objects of the socket protocol (include/cairn/sock.h) on
 * lwIP's raw API.
 *
 * A socket is an entry of the table with a generation; its badge is the
 * generation above the index + 1, so a capability to a closed socket is
 * ERR_BADF, never another socket. Its references are the capabilities
 * clients hold, each with a badge of its own: the socket's badge is its
 * first, IO_DUP makes more (struct nref: REF_BIT in the badge). IO_CLOSE
 * through a badge, or the death of its holder, releases that reference
 * once (the badge is EBADF from then on), so a holder can close only its
 * own; the last one closes the socket. Generations start at the clock
 * (microseconds since boot) when the server starts, so a restarted
 * server's badges are not a dead one's: an old socket is EBADF, never a
 * socket of the new instance.
 *
 * lwIP's callbacks (data, a connection, an error, room to send) only
 * change the socket and put it on the dirty list; after every message
 * sock_after() answers the callers that wait on a dirty socket (their
 * saved Replies) and signals its armed polls. So an answer never goes
 * out from inside lwIP, and a handler never waits.
 *
 * What a socket has received waits in its queue (struct rxq: a pbuf, with
 * the sender's address for datagrams). TCP's window opens as the client
 * takes bytes (tcp_recved), so a reader that does not read stops its
 * sender, and nothing else; a datagram socket drops what comes past its
 * SO_RCVBUF.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/ioctl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <cairn/linux.h>
#include "net.h"
#include "lwip/priv/tcp_priv.h"

#define WAITERS     8
#define ARMS        16
/* Armed Notifications kept in all (each a capability slot of the server's
 * CAP_SLOTS): past it a new arm fires at once, and poll asks again. */
#define ARM_BUDGET  512
#define TABLE_MAX   65536u
#define ACCEPT_MAX  128u
#define RCVBUF_DEF  (128 * 1024)
#define SNDBUF_DEF  TCP_SND_BUF
/* Sockets with shared rings at once: each takes SOCK_RING_PAGES of the
 * quota and three capability slots; past it a socket's data goes by
 * SOCK_SEND and SOCK_RECV. */
#define RINGS_MAX   128

enum { K_TCP = 1, K_UDP, K_RAW, K_PAIR, K_NETLINK };   /* K_PAIR: one end of socketpair(AF_UNIX);
						 * K_NETLINK: AF_NETLINK, netlink.c's */
enum { S_NEW, S_LISTEN, S_CONNECTING, S_CONNECTED, S_DEAD };

struct rxq {
	struct rxq *next;
	struct pbuf *p;
	u16_t off;                          /* bytes of p already taken (TCP) */
	u16_t port;
	ip_addr_t addr;
	struct ux_msg *ux;                  /* AF_UNIX: the sender's name, SCM_RIGHTS (unix.c) */
};

struct waiter {
	cap_t reply;
	uint32_t label;                     /* SOCK_ACCEPT, SOCK_RECV, IO_READ, SOCK_SEND, IO_WRITE, SOCK_CONNECT */
	uint64_t w0, w1;
	uint8_t *data;                      /* a send's bytes */
	size_t n;
	struct ux_msg *ux;                  /* AF_UNIX: a send's SCM_RIGHTS */
	uint64_t target;                    /* AF_UNIX: the socket a datagram or connect waits
	                                     * for room in (its badge), else 0 */
};

struct arm {
	cap_t note;
	uint64_t bits, obj;                 /* obj: the Notification's object id */
	uint32_t events;
};

struct sock {
	uint32_t idx, gen, refs;
	bool own_closed;                    /* its own badge's reference went (IO_CLOSE, gone) */
	uint16_t family;
	uint8_t kind, state;
	uint8_t proto;
	bool used, nonblock, v6only, reuse, keepalive, nodelay, broadcast;
	bool rd_shut, wr_shut, eof, dirty, bound;
	err_t soerr;                        /* pending error (SO_ERROR), an errno */
	union { struct tcp_pcb *tcp; struct udp_pcb *udp; struct raw_pcb *raw; void *any; } pcb;
	struct rxq *rx, *rx_last;
	size_t rx_bytes;
	int rcvbuf, sndbuf, linger_on, linger_s;
	struct sock *parent;                /* a listener's connection not accepted yet */
	struct sock *peer;                  /* K_PAIR: the other end (NULL once it closed) */
	uint8_t ptype;                      /* K_PAIR: SOCK_STREAM or SOCK_DGRAM; K_NETLINK: its type */
	struct sock *acq, *acq_last, *acq_next;
	unsigned nacq, backlog;
	struct waiter rd[WAITERS], wr[WAITERS];
	unsigned nrd, nwr;
	struct arm arms[ARMS];
	unsigned narms;
	struct sock *dirty_next;
	struct ring *ring;                  /* K_TCP: the shared rings, once a holder asked */
	bool closing;                       /* no holder left: sending what the tx ring holds */
	bool fin_pending;                   /* SHUT_WR once the tx ring is empty */
	struct unx *ux;                     /* AF_UNIX: name, credentials (unix.c) */
};

/* A socket's shared rings (include/cairn/sock.h), the server's side. */
struct ring {
	cap_t obj, data, space;             /* the MemoryObject; rx data, tx space Notifications */
	uint8_t *va;
	struct posix_pipe_shm *rx, *tx;
	uint8_t *rxr, *txr;
	uint32_t rx_tail, tx_head;          /* the indexes only we move (the shared ones are not trusted) */
	uint32_t size;                      /* each ring's bytes: SOCK_RING_RX, SOCK_DRING (records) */
	bool records;                       /* K_UDP: datagrams, one struct sock_rec each */
	bool broken;                        /* a holder broke a header: no more through them */
};

static uint32_t ring_rx_used(struct ring *g);
static uint32_t ring_tx_used(struct ring *g);
static void ring_run(struct sock *s);
static void ring_free(struct sock *s);

/* AF_UNIX (the section at the end; names and rights in unix.c) */
static struct rxq *rx_rights;           /* the message whose SCM_RIGHTS this receive delivers */
static bool ux_revents(struct sock *s, uint32_t *r);
static err_t ux_type_ok(uint64_t type, uint64_t proto);
static err_t ux_new(struct srv_req *r, struct sock *s, uint8_t type);
static void ux_close(struct sock *s);
static void ux_wake(struct sock *t);
static err_t ux_join(struct sock *s, struct sock *t);
static err_t ux_deliver(struct sock *s, struct sock *t, const uint8_t *data, size_t n, struct ux_msg **m);
static void ux_open(struct srv_req *r, struct srv_ans *a);
static void ux_bind(struct srv_req *r, struct srv_ans *a, struct sock *s);
static void ux_listen(struct srv_ans *a, struct sock *s, unsigned backlog);
static void ux_connect(struct srv_req *r, struct srv_ans *a, struct sock *s);
static void ux_send(struct srv_req *r, struct srv_ans *a, struct sock *s, bool io, const uint8_t *data,
		    size_t n);
static void ux_rights_answer(struct sock *s, struct srv_ans *a, uint64_t max);
static void ux_rights_more(struct srv_ans *a, struct sock *s, uint64_t max);
static void ux_recv_saved(struct sock *s, struct waiter *w, size_t len, uint64_t words[4], size_t taken);
static void ux_name(struct srv_req *r, struct srv_ans *a, struct sock *s);
static void ux_peercred(struct srv_ans *a, struct sock *s);
static void ux_rights_refuse(struct srv_req *r);

static struct sock **table;
static uint32_t table_n, table_cap, free_hint;
static struct sock *dirty_list;
static unsigned arms_kept, rings_made;
static unsigned ux_target_waiters;      /* waiters with a target (AF_UNIX), about: see ux_wake */
static unsigned long dgram_ring_drops;  /* datagrams of tx rings that could not go */
static cap_t served;                    /* the endpoint sockets are minted from */

/* ---- errors and addresses -------------------------------------------------------------------- */

err_t net_errno(err_t e)
{
	switch (e) {
	case ERR_OK: return E_OK;
	case ERR_MEM: return ERR_NOMEM;
	case ERR_BUF: return ERR_NOBUFS;
	case ERR_TIMEOUT: return ERR_TIMEDOUT;
	case ERR_RTE: return ERR_NETUNREACH;
	case ERR_INPROGRESS: return E_INPROGRESS;
	case ERR_VAL: return ERR_INVAL;
	case ERR_WOULDBLOCK: return ERR_AGAIN;
	case ERR_USE: return ERR_ADDRINUSE;
	case ERR_ALREADY: return E_ALREADY;
	case ERR_ISCONN: return E_ISCONN;
	case ERR_CONN: return ERR_NOTCONN;
	case ERR_IF: return ERR_NETDOWN;
	case ERR_ABRT: return ERR_CONNABORTED;
	case ERR_RST: return ERR_CONNRESET;
	case ERR_CLSD: return ERR_NOTCONN;
	default: return ERR_INVAL;
	}
}

/* A Linux address (len bytes at b) for a socket of family fam -> lwIP's.
 * An AF_INET6 socket takes ::ffff:a.b.c.d as IPv4. */
static err_t addr_in(const struct sock *s, const uint8_t *b, uint64_t len, ip_addr_t *ip, u16_t *port)
{
	uint16_t fam;

	if (len < 2)
		return ERR_INVAL;
	memcpy(&fam, b, 2);
	if (s->family == AF_INET) {
		struct sockaddr_in sin;

		if (fam != AF_INET)
			return ERR_AFNOSUPPORT;
		if (len < sizeof(sin))
			return ERR_INVAL;
		memcpy(&sin, b, sizeof(sin));
		ip_addr_set_ip4_u32_val(*ip, sin.sin_addr.s_addr);
		*port = ntohs(sin.sin_port);
		return E_OK;
	}
	if (len < sizeof(struct sockaddr_in6))
		return ERR_INVAL;                 /* checked before the family, as Linux */
	if (fam == AF_INET6) {
		struct sockaddr_in6 sin6;
		static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

		memcpy(&sin6, b, sizeof(sin6));
		*port = ntohs(sin6.sin6_port);
		if (!memcmp(sin6.sin6_addr.s6_addr, mapped, 12)) {
			uint32_t v4;

			if (s->v6only)
				return ERR_NETUNREACH;
			memcpy(&v4, sin6.sin6_addr.s6_addr + 12, 4);
			ip_addr_set_ip4_u32_val(*ip, v4);
			return E_OK;
		}
		IP_SET_TYPE_VAL(*ip, IPADDR_TYPE_V6);
		memcpy(ip_2_ip6(ip)->addr, sin6.sin6_addr.s6_addr, 16);
		ip6_addr_clear_zone(ip_2_ip6(ip));
		if (ip6_addr_islinklocal(ip_2_ip6(ip)) && net_have_if)
			ip6_addr_set_zone(ip_2_ip6(ip), netif_get_index(&net_if));
		return E_OK;
	}
	return ERR_AFNOSUPPORT;
}

/* lwIP's address -> a Linux one of the socket's family at out; its length. */
static size_t addr_out(const struct sock *s, const ip_addr_t *ip, u16_t port, uint8_t *out)
{
	if (s->family == AF_NETLINK)               /* what netlink answers came from: the kernel */
		return nl_name(s, true, out);
	if (s->family == AF_UNIX)                  /* accept: the peer's name (mostly none) */
		return ux_addr_out(s->peer && s->peer->ux ? &s->peer->ux->name : NULL, out);
	if (s->family == AF_INET) {
		struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };

		if (ip && IP_IS_V4(ip))
			sin.sin_addr.s_addr = ip4_addr_get_u32(ip_2_ip4(ip));
		memcpy(out, &sin, sizeof(sin));
		return sizeof(sin);
	} else {
		struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_port = htons(port) };

		if (ip && IP_IS_V4(ip) && !ip_addr_isany(ip)) {
			uint32_t v4 = ip4_addr_get_u32(ip_2_ip4(ip));

			sin6.sin6_addr.s6_addr[10] = sin6.sin6_addr.s6_addr[11] = 0xff;
			memcpy(sin6.sin6_addr.s6_addr + 12, &v4, 4);
		} else if (ip && IP_IS_V6(ip)) {
			memcpy(sin6.sin6_addr.s6_addr, ip_2_ip6(ip)->addr, 16);
			if (ip6_addr_islinklocal(ip_2_ip6(ip)))
				sin6.sin6_scope_id = ip6_addr_zone(ip_2_ip6(ip));
		}
		memcpy(out, &sin6, sizeof(sin6));
		return sizeof(sin6);
	}
}

/* Is ip one of ours (or any)? bind's EADDRNOTAVAIL otherwise. */
static bool addr_local(const ip_addr_t *ip)
{
	struct netif *n;

	if (ip_addr_isany(ip))
		return true;
	if (IP_IS_V4(ip) && ip4_addr_isloopback(ip_2_ip4(ip)))
		return true;
	if (IP_IS_V6(ip) && ip6_addr_isloopback(ip_2_ip6(ip)))
		return true;
	NETIF_FOREACH(n) {
		if (IP_IS_V4(ip) && ip4_addr_cmp(ip_2_ip4(ip), netif_ip4_addr(n)))
			return true;
		if (IP_IS_V6(ip) && netif_get_ip6_addr_match(n, ip_2_ip6(ip)) >= 0)
			return true;
	}
	return false;
}

/* ---- the table --------------------------------------------------------------------------------- */

static uint32_t gen_base;              /* the first generation of every entry (sock_init) */
static uint64_t badge_of(const struct sock *s) { return (uint64_t)s->gen << 32 | (s->idx + 1); }

void sock_each_unix(void (*fn)(void *arg, uint64_t num, unsigned refs, unsigned type, bool listening,
			       bool connected, const struct ux_name *name), void *arg)
{
	for (uint32_t i = 0; i < table_n; i++) {
		struct sock *s = table[i];

		if (s->used && s->kind == K_PAIR && s->state != S_DEAD)
			fn(arg, badge_of(s), s->refs, s->ptype, s->state == S_LISTEN,
			   s->state == S_CONNECTED || s->peer, s->ux && s->ux->name.len ? &s->ux->name : NULL);
	}
}

static struct sock *sock_new(uint16_t family, uint8_t kind)
{
	struct sock *s = NULL;
	uint32_t i;

	for (i = free_hint; i < table_n; i++)
		if (!table[i]->used)
			break;
	if (i == table_n) {
		if (table_n == TABLE_MAX)
			return NULL;
		if (table_n == table_cap) {
			uint32_t cap = table_cap ? table_cap * 2 : 64;
			struct sock **t = realloc(table, cap * sizeof(*t));

			if (!t)
				return NULL;
			table = t;
			table_cap = cap;
		}
		if (!(s = calloc(1, sizeof(*s))))
			return NULL;
		s->idx = i;
		s->gen = gen_base;
		table[table_n++] = s;
	}
	s = table[i];
	free_hint = i + 1;
	{
		uint32_t gen = s->gen + 1, idx = s->idx;

		memset(s, 0, sizeof(*s));
		s->gen = gen ? gen : 1;
		s->idx = idx;
	}
	s->used = true;
	s->family = family;
	s->kind = kind;
	s->rcvbuf = RCVBUF_DEF;
	s->sndbuf = SNDBUF_DEF;
	return s;
}

static struct sock *sock_find(uint64_t badge)
{
	uint32_t i = (uint32_t)badge - 1;

	if (i >= table_n || !table[i]->used || table[i]->gen != (uint32_t)(badge >> 32))
		return NULL;
	return table[i];
}

/* ---- references: a badge each ---------------------------------------------------------------- */

#define REF_BIT  (1ull << 31)      /* in the low half: an IO_DUP reference's badge */
#define REFS_MAX 65536u

struct nref {
	bool used;
	uint32_t gen;
	struct sock *s;
	uint32_t sgen;                     /* s's generation then (s closed: a dead reference) */
};

static struct nref *nrefs;
static uint32_t nrefs_n, nrefs_room;

static uint64_t nref_badge(const struct nref *n)
{
	return (uint64_t)n->gen << 32 | REF_BIT | (uint32_t)(n - nrefs + 1);
}

/* The IO_DUP reference badge names, or NULL. */
static struct nref *nref_of(uint64_t badge)
{
	uint32_t j = (uint32_t)(badge & ~REF_BIT) - 1;

	if (!(badge & REF_BIT) || j >= nrefs_n || !nrefs[j].used || nrefs[j].gen != (uint32_t)(badge >> 32))
		return NULL;
	return &nrefs[j];
}

/* The socket a client's badge names: a reference's, or its own badge's
 * while that is a reference still. */
static struct sock *sock_lookup(uint64_t badge)
{
	struct nref *n = nref_of(badge);
	struct sock *s;

	if (n)
		return n->s->used && n->s->gen == n->sgen ? n->s : NULL;
	if (badge & REF_BIT)
		return NULL;
	s = sock_find(badge);
	return s && !s->own_closed ? s : NULL;
}

/* A new reference of s: a free entry (grown as needed), or NULL. */
static struct nref *nref_new(struct sock *s)
{
	uint32_t j;

	for (j = 0; j < nrefs_n && nrefs[j].used; j++)
		;
	if (j == nrefs_n) {
		if (nrefs_n == nrefs_room) {
			uint32_t room = nrefs_room ? nrefs_room * 2 : 64;
			struct nref *m = room <= REFS_MAX ? realloc(nrefs, room * sizeof(*m)) : NULL;
			if (!m)
				return NULL;
			memset(m + nrefs_room, 0, (room - nrefs_room) * sizeof(*m));
			for (uint32_t k = nrefs_room; k < room; k++)
				m[k].gen = gen_base;
			nrefs = m;
			nrefs_room = room;
		}
		nrefs_n++;
	}
	nrefs[j].used = true;
	nrefs[j].gen = nrefs[j].gen + 1 ? nrefs[j].gen + 1 : 1;
	nrefs[j].s = s;
	nrefs[j].sgen = s->gen;
	return &nrefs[j];
}

static void mark(struct sock *s)
{
	if (s && !s->dirty) {
		s->dirty = true;
		s->dirty_next = dirty_list;
		dirty_list = s;
	}
}

static void rx_drop_all(struct sock *s)
{
	while (s->rx) {
		struct rxq *q = s->rx;

		s->rx = q->next;
		pbuf_free(q->p);
		ux_msg_free(q->ux);
		net_free(q);
	}
	s->rx_last = NULL;
	s->rx_bytes = 0;
}

static struct rxq *rx_push(struct sock *s, struct pbuf *p, const ip_addr_t *addr, u16_t port)
{
	struct rxq *q = net_alloc(sizeof(*q));

	if (!q) {
		pbuf_free(p);
		return NULL;
	}
	q->next = NULL;
	q->ux = NULL;
	q->p = p;
	q->off = 0;
	q->port = port;
	if (addr)
		ip_addr_copy(q->addr, *addr);
	else
		ip_addr_set_zero(&q->addr);
	if (s->rx_last)
		s->rx_last->next = q;
	else
		s->rx = q;
	s->rx_last = q;
	s->rx_bytes += p->tot_len;
	mark(s);
	return q;
}

void sock_queue(struct sock *s, struct pbuf *p)
{
	rx_push(s, p, NULL, 0);
}

/* ---- lwIP's callbacks ------------------------------------------------------------------------ */

static void tcp_attach(struct sock *s, struct tcp_pcb *pcb);

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct sock *s = arg;

	(void)err;
	if (!s) {
		if (p) {
			tcp_recved(pcb, p->tot_len);
			pbuf_free(p);
		}
		return ERR_OK;
	}
	if (!p) {
		s->eof = true;
		mark(s);
		return ERR_OK;
	}
	if (s->rd_shut) {
		tcp_recved(pcb, p->tot_len);
		pbuf_free(p);
		return ERR_OK;
	}
	rx_push(s, p, NULL, 0);
	return ERR_OK;
}

static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	(void)pcb;
	(void)len;
	mark(arg);
	return ERR_OK;
}

/* The pcb is gone (lwIP freed it): reset, timeout, or our own abort. */
static void on_err(void *arg, err_t err)
{
	struct sock *s = arg;

	if (!s)
		return;
	s->pcb.tcp = NULL;
	if (s->state == S_CONNECTING)
		s->soerr = err == ERR_RST ? ERR_CONNREFUSED : err == ERR_ABRT ? ERR_TIMEDOUT : net_errno(err);
	else if (err == ERR_RST)
		s->soerr = s->eof ? ERR_PIPE : ERR_CONNRESET;   /* after the peer's FIN: EPIPE, as Linux */
	else if (err == ERR_ABRT)
		s->soerr = ERR_TIMEDOUT;
	s->state = S_DEAD;
	s->eof = true;
	mark(s);
	if (s->parent)
		mark(s->parent);
}

static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct sock *s = arg;

	(void)pcb;
	if (s) {
		s->state = err == ERR_OK ? S_CONNECTED : S_DEAD;
		if (err != ERR_OK)
			s->soerr = net_errno(err);
		mark(s);
	}
	return ERR_OK;
}

/* A connection s at the end of listener l's queue */
static void acq_push(struct sock *l, struct sock *s)
{
	s->parent = l;
	if (l->acq_last)
		l->acq_last->acq_next = s;
	else
		l->acq = s;
	l->acq_last = s;
	l->nacq++;
	mark(l);
}

static err_t on_accept(void *arg, struct tcp_pcb *newpcb, err_t err)
{
	struct sock *l = arg, *s;

	if (err != ERR_OK || !newpcb || !l)
		return ERR_VAL;
	if (l->nacq >= l->backlog || !(s = sock_new(l->family, K_TCP))) {
		tcp_abort(newpcb);
		return ERR_ABRT;
	}
	s->state = S_CONNECTED;
	s->bound = true;
	s->parent = l;
	s->nodelay = l->nodelay;
	s->keepalive = l->keepalive;
	s->v6only = l->v6only;
	s->rcvbuf = l->rcvbuf;
	s->sndbuf = l->sndbuf;
	tcp_attach(s, newpcb);
	/* it counts in lwIP's backlog until accepted (acq_pop): when the queue
	 * is full, lwIP drops SYNs and the clients send them again, as Linux
	 * makes them, rather than accepting and resetting connections here */
	tcp_backlog_delayed(newpcb);
	acq_push(l, s);
	return ERR_OK;
}

static void tcp_attach(struct sock *s, struct tcp_pcb *pcb)
{
	s->pcb.tcp = pcb;
	tcp_arg(pcb, s);
	tcp_recv(pcb, on_recv);
	tcp_sent(pcb, on_sent);
	tcp_err(pcb, on_err);
	if (s->nodelay)
		tcp_nagle_disable(pcb);
	if (s->keepalive)
		ip_set_option(pcb, SOF_KEEPALIVE);
}

static void on_udp(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr, u16_t port)
{
	struct sock *s = arg;

	(void)pcb;
	if (!s || s->rd_shut || s->rx_bytes + p->tot_len > (size_t)s->rcvbuf) {
		pbuf_free(p);
		return;
	}
	rx_push(s, p, addr, port);
}

static u8_t on_raw(void *arg, struct raw_pcb *pcb, struct pbuf *p, const ip_addr_t *addr)
{
	struct sock *s = arg;
	struct pbuf *c;

	(void)pcb;
	if (!s || s->rx_bytes + p->tot_len > (size_t)s->rcvbuf)
		return 0;
	/* a copy: lwIP goes on with the packet (an echo request is still answered).
	 * IPv4 raw sockets get the IP header, as on Linux; IPv6 ones do not. */
	if (IP_IS_V6(addr) && pbuf_remove_header(p, IP6_HLEN) == 0) {
		c = pbuf_clone(PBUF_RAW, PBUF_RAM, p);
		pbuf_add_header_force(p, IP6_HLEN);
	} else {
		c = pbuf_clone(PBUF_RAW, PBUF_RAM, p);
	}
	if (c)
		rx_push(s, c, addr, 0);
	return 0;
}

/* ---- readiness and waiting ------------------------------------------------------------------- */

static uint32_t revents(struct sock *s)
{
	uint32_t r = 0;

	if (s->soerr)
		r |= POLLERR;
	if (s->kind == K_PAIR && ux_revents(s, &r))
		return r;
	if (s->kind == K_PAIR) {
		if (s->rx || s->eof || s->rd_shut || (s->ring && ring_rx_used(s->ring)))
			r |= POLLIN | POLLRDNORM;
		if (s->eof)
			r |= POLLRDHUP;
		if (!s->peer)
			r |= POLLHUP;
		if (s->ring && s->peer && !s->wr_shut)   /* room in the tx ring: a quarter of it */
			r |= s->ring->size - ring_tx_used(s->ring) >= s->ring->size / 4 ? POLLOUT | POLLWRNORM : 0;
		else if (!s->peer || s->wr_shut || s->peer->rx_bytes < (size_t)s->peer->rcvbuf)
			r |= POLLOUT | POLLWRNORM;
		return r;
	}
	if (s->kind != K_TCP) {
		if (s->rx || (s->ring && ring_rx_used(s->ring)))
			r |= POLLIN | POLLRDNORM;
		if (s->ring && !s->wr_shut)          /* room in the tx ring: a quarter of it */
			return r | (s->ring->size - ring_tx_used(s->ring) >= s->ring->size / 4 ? POLLOUT | POLLWRNORM : 0);
		return r | POLLOUT | POLLWRNORM;
	}
	switch (s->state) {
	case S_LISTEN:
		if (s->acq)
			r |= POLLIN | POLLRDNORM;
		break;
	case S_NEW:
		r |= POLLOUT | POLLHUP;
		break;
	case S_CONNECTING:
		break;
	case S_CONNECTED:
	case S_DEAD:
		if (s->rx_bytes || s->eof || s->rd_shut || (s->ring && ring_rx_used(s->ring)))
			r |= POLLIN | POLLRDNORM;
		if (s->eof)
			r |= POLLRDHUP;
		if (s->state == S_DEAD || (s->eof && s->wr_shut))
			r |= POLLHUP;
		if (s->state == S_DEAD)
			r |= POLLOUT | POLLWRNORM;
		else if (s->ring && !s->wr_shut)     /* room in the tx ring: a quarter of it */
			r |= SOCK_RING_TX - ring_tx_used(s->ring) >= SOCK_RING_TX / 4 ? POLLOUT | POLLWRNORM : 0;
		else if (!s->wr_shut && s->pcb.tcp && tcp_sndbuf(s->pcb.tcp) >= TCP_MSS)
			r |= POLLOUT | POLLWRNORM;
		else if (s->wr_shut)
			r |= POLLOUT | POLLWRNORM;
		break;
	}
	return r;
}

static void arms_fire(struct sock *s, bool all)
{
	uint32_t r = revents(s) | (all ? 0xffffffffu : 0);
	unsigned k = 0;

	for (unsigned i = 0; i < s->narms; i++) {
		struct arm *a = &s->arms[i];

		if (r & (a->events | POLLERR | POLLHUP)) {
			cairn_invoke(a->note, NOTIFY_SIGNAL, 0, a->bits, 0, 0, 0, NULL);
			cairn_cap_delete(a->note);
			arms_kept--;
		} else {
			s->arms[k++] = *a;
		}
	}
	s->narms = k;
}

static bool waiter_add(struct waiter *w, unsigned *n, struct srv_ans *a, uint32_t label, uint64_t w0,
		       uint64_t w1, const uint8_t *data, size_t len)
{
	struct waiter *x;

	if (*n == WAITERS) {
		a->err = ERR_AGAIN;
		return false;
	}
	x = &w[*n];
	memset(x, 0, sizeof(*x));
	if (len) {
		if (!(x->data = malloc(len))) {
			a->err = ERR_NOMEM;
			return false;
		}
		memcpy(x->data, data, len);
		x->n = len;
	}
	if ((a->err = srv_save_reply(a, &x->reply))) {
		free(x->data);
		return false;
	}
	x->label = label;
	x->w0 = w0;
	x->w1 = w1;
	(*n)++;
	return true;
}

static void waiter_pop(struct waiter *w, unsigned *n)
{
	if (w[0].target && ux_target_waiters)
		ux_target_waiters--;
	free(w[0].data);
	ux_msg_free(w[0].ux);
	memmove(w, w + 1, (*n - 1) * sizeof(*w));
	(*n)--;
}

/* ---- receiving and sending ------------------------------------------------------------------- */

/*
 * One receive into out (an address first unless io). Returns ERR_AGAIN
 * when the caller must wait. *len: inline bytes; w[]: the answer's words.
 * Takes what it copied only when commit (a saved answer commits once
 * sent: see take()).
 */
static err_t recv_one(struct sock *s, bool io, uint64_t max, uint64_t flags, uint8_t *out, size_t *len,
		      uint64_t w[4], size_t *taken)
{
	size_t hdr = 0, n = 0;

	*taken = 0;
	rx_rights = NULL;
	if (max > SOCK_DATA_MAX)
		max = SOCK_DATA_MAX;
	if (s->kind == K_TCP || (s->kind == K_PAIR && s->ptype == SOCK_STREAM)) {
		if (s->state == S_LISTEN)
			return ERR_NOTCONN;
		if (!s->rx_bytes) {
			if (s->soerr) {
				err_t e = s->soerr;
				s->soerr = 0;
				return e;
			}
			if (s->eof || s->rd_shut) {
				w[0] = 0;
				*len = 0;
				return E_OK;
			}
			if (s->state == S_NEW)
				return ERR_NOTCONN;
			return ERR_AGAIN;
		}
		for (struct rxq *q = s->rx; q && n < max; q = q->next) {
			size_t k = q->p->tot_len - q->off;
			bool rights = q->ux && q->ux->nrights;

			if (rights && n)
				break;                  /* bytes with capabilities start a receive */
			if (k > max - n)
				k = max - n;
			pbuf_copy_partial(q->p, out + n, (u16_t)k, q->off);
			n += k;
			if (rights) {
				rx_rights = flags & MSG_PEEK ? NULL : q;
				break;                  /* ... and end it */
			}
		}
		if (!(flags & MSG_PEEK))
			*taken = n;
		w[0] = n;
		w[1] = 0;
		w[2] = n;
		*len = n;
		return E_OK;
	}
	if (!s->rx) {
		if (s->soerr) {
			err_t e = s->soerr;
			s->soerr = 0;
			return e;
		}
		if (s->rd_shut || (s->kind == K_PAIR && s->eof))
			return w[0] = 0, *len = 0, E_OK;
		return ERR_AGAIN;
	}
	if (!io && s->kind != K_PAIR)
		hdr = addr_out(s, &s->rx->addr, s->rx->port, out);
	if (s->kind == K_PAIR && s->rx->ux) {
		if (!io && s->rx->ux->has_from)
			hdr = ux_addr_out(&s->rx->ux->from, out);
		if (s->rx->ux->nrights && !(flags & MSG_PEEK))
			rx_rights = s->rx;
	}
	n = s->rx->p->tot_len;
	w[2] = n;
	w[3] = 0;
	if (n > max) {
		n = max;
		w[3] = MSG_TRUNC;
	}
	w[1] = hdr;
	hdr = SOCK_ADDR_PAD(hdr);
	pbuf_copy_partial(s->rx->p, out + hdr, (u16_t)n, 0);
	w[0] = n;
	*len = hdr + n;
	if (!(flags & MSG_PEEK))
		*taken = 1;
	return E_OK;
}

/* What recv_one copied is taken from the queue. */
static void take(struct sock *s, size_t taken)
{
	if (!taken)
		return;
	if (s->kind == K_PAIR && s->peer)
		mark(s->peer);                       /* room for its sends */
	if (s->kind == K_PAIR)
		ux_wake(s);                          /* and for senders by name */
	if (s->ring)
		mark(s);                             /* the rest of the queue into rx (ring_fill) */
	if (s->kind != K_TCP && !(s->kind == K_PAIR && s->ptype == SOCK_STREAM)) {
		struct rxq *q = s->rx;

		s->rx = q->next;
		if (!s->rx)
			s->rx_last = NULL;
		s->rx_bytes -= q->p->tot_len;
		pbuf_free(q->p);
		ux_msg_free(q->ux);
		net_free(q);
		return;
	}
	s->rx_bytes -= taken;
	if (s->kind == K_TCP && s->pcb.tcp)
		tcp_recved(s->pcb.tcp, (u16_t)taken);
	while (taken) {
		struct rxq *q = s->rx;
		size_t k = q->p->tot_len - q->off;

		if (k > taken) {
			q->off = (u16_t)(q->off + taken);
			break;
		}
		taken -= k;
		s->rx = q->next;
		pbuf_free(q->p);
		ux_msg_free(q->ux);
		net_free(q);
	}
	if (!s->rx)
		s->rx_last = NULL;
}

/* A stream send of n bytes: how many went in, or ERR_AGAIN to wait. */
static err_t tcp_send(struct sock *s, const uint8_t *data, size_t n, uint64_t flags, uint64_t *sent)
{
	size_t room;
	err_t e;

	if (s->soerr && s->state == S_DEAD) {
		e = s->soerr;
		s->soerr = 0;
		return e;
	}
	if (s->wr_shut || s->state == S_DEAD)
		return ERR_PIPE;
	if (s->state == S_CONNECTING)
		return ERR_AGAIN;
	if (s->state != S_CONNECTED)
		return ERR_PIPE;                      /* never connected: Linux says EPIPE too */
	if (!n)
		return *sent = 0, E_OK;
	room = tcp_sndbuf(s->pcb.tcp);
	if (tcp_sndqueuelen(s->pcb.tcp) >= TCP_SND_QUEUELEN - 4)
		room = 0;
	if (!room)
		return ERR_AGAIN;
	if (n > room)
		n = room;
	e = tcp_write(s->pcb.tcp, data, (u16_t)n, TCP_WRITE_FLAG_COPY | ((flags & MSG_MORE) ? TCP_WRITE_FLAG_MORE : 0));
	if (e == ERR_MEM)
		return ERR_AGAIN;
	if (e != ERR_OK)
		return net_errno(e);
	tcp_output(s->pcb.tcp);
	*sent = n;
	return E_OK;
}

static err_t dgram_send(struct sock *s, const uint8_t *addr, uint64_t alen, const uint8_t *data, size_t n)
{
	ip_addr_t ip;
	u16_t port = 0;
	struct pbuf *p;
	err_t e;

	if (s->wr_shut)
		return ERR_PIPE;
	if (alen) {
		if ((e = addr_in(s, addr, alen, &ip, &port)))
			return e;
	} else if (s->state != S_CONNECTED) {
		return ERR_DESTADDRREQ;
	}
	if (!(p = pbuf_alloc(PBUF_TRANSPORT, (u16_t)n, PBUF_RAM)))
		return ERR_NOBUFS;
	pbuf_take(p, data, (u16_t)n);
	if (s->kind == K_UDP)
		e = alen ? udp_sendto(s->pcb.udp, p, &ip, port) : udp_send(s->pcb.udp, p);
	else
		e = alen ? raw_sendto(s->pcb.raw, p, &ip) : raw_send(s->pcb.raw, p);
	pbuf_free(p);
	return e == ERR_OK ? E_OK : e == ERR_MEM ? ERR_NOBUFS : net_errno(e);
}

/* A send on one end of a pair: into the other end's queue, as much as its
 * SO_RCVBUF takes (a datagram whole or not at all). */
static err_t pair_send(struct sock *s, const uint8_t *data, size_t n, uint64_t *sent, struct ux_msg **ux)
{
	struct sock *p = s->peer;
	size_t room;
	struct pbuf *b;
	struct rxq *q;

	if (s->wr_shut || !p || p->rd_shut)
		return ERR_PIPE;
	room = p->rx_bytes < (size_t)p->rcvbuf ? (size_t)p->rcvbuf - p->rx_bytes : 0;
	if (s->ptype != SOCK_STREAM ? room < n : !room)
		return n ? ERR_AGAIN : (*sent = 0, E_OK);
	if (n > room)
		n = room;
	if (!n && s->ptype == SOCK_STREAM)
		return *sent = 0, E_OK;               /* a datagram may be empty */
	if (!(b = pbuf_alloc(PBUF_RAW, (u16_t)n, PBUF_RAM)))
		return ERR_NOBUFS;
	pbuf_take(b, data, (u16_t)n);
	if ((q = rx_push(p, b, NULL, 0)) && ux && *ux) {
		q->ux = *ux;                         /* the capabilities go with the first bytes */
		*ux = NULL;
	}
	*sent = n;
	return E_OK;
}

/* ---- shared rings ------------------------------------------------------------------------------ */

/*
 * A connected TCP socket's bytes move through two rings its holders map
 * (SOCK_MAP; include/cairn/sock.h). We are the rx ring's only writer and
 * the tx ring's only reader: ring_fill copies what lwIP received (the
 * socket's queue) into rx as room allows and opens the window by what it
 * copied; ring_drain gives lwIP what the holders wrote in tx as its send
 * buffer allows. Both run for a dirty socket in sock_after, so after
 * every lwIP callback, and on IO_PIPE_KICK. Nothing in the shared page is
 * trusted: our own indexes are kept here, and a header whose indexes make
 * no sense breaks the rings (then the socket goes by messages).
 */
#define R_LOAD(p)     __atomic_load_n(p, __ATOMIC_SEQ_CST)
#define R_STORE(p, v) __atomic_store_n(p, v, __ATOMIC_SEQ_CST)

static void ring_signal(cap_t note)
{
	cairn_invoke(note, NOTIFY_SIGNAL, 0, 1, 0, 0, 0, NULL);
}

/* Bytes in rx the holders have not read (0 once broken). */
static uint32_t ring_rx_used(struct ring *g)
{
	uint32_t used = g->rx_tail - R_LOAD(&g->rx->head);

	if (used > g->size)
		g->broken = true;
	return g->broken ? 0 : used;
}

/* Bytes in tx we have not taken (0 once broken). */
static uint32_t ring_tx_used(struct ring *g)
{
	uint32_t used = R_LOAD(&g->tx->tail) - g->tx_head;

	if (used > g->size)
		g->broken = true;
	return g->broken ? 0 : used;
}

/* For a loop taking from tx: the bytes there; when there are none, 0
 * with tx's kick set (a holder's write brings us back; looked again after
 * asking), else the kick cleared (what the taker waits on brings it back). */
static uint32_t tx_waiting(struct ring *g)
{
	uint32_t used = ring_tx_used(g);

	if (!used) {
		R_STORE(&g->tx->kick, 1);
		if (!(used = ring_tx_used(g)))
			return 0;
	}
	R_STORE(&g->tx->kick, 0);
	return used;
}

/* Copies n bytes of the socket's queue into rx at its tail. */
static void ring_copy_in(struct sock *s, uint32_t n)
{
	struct ring *g = s->ring;
	uint32_t done = 0;

	for (struct rxq *q = s->rx; q && done < n; q = q->next) {
		uint32_t k = q->p->tot_len - q->off, off = (g->rx_tail + done) % SOCK_RING_RX, first;

		if (k > n - done)
			k = n - done;
		first = SOCK_RING_RX - off < k ? SOCK_RING_RX - off : k;
		pbuf_copy_partial(q->p, g->rxr + off, (u16_t)first, q->off);
		if (k > first)
			pbuf_copy_partial(q->p, g->rxr, (u16_t)(k - first), (u16_t)(q->off + first));
		done += k;
	}
}

/* n bytes at position pos (wrapping) of a ring of size bytes, in and out. */
static void ring_put(uint8_t *ring, uint32_t size, uint32_t pos, const void *src, uint32_t n)
{
	uint32_t off = pos % size, k = size - off < n ? size - off : n;

	memcpy(ring + off, src, k);
	memcpy(ring, (const uint8_t *)src + k, n - k);
}

static void ring_get(const uint8_t *ring, uint32_t size, uint32_t pos, void *dst, uint32_t n)
{
	uint32_t off = pos % size, k = size - off < n ? size - off : n;

	memcpy(dst, ring + off, k);
	memcpy((uint8_t *)dst + k, ring, n - k);
}

/* What of the socket's queue may go into rx: all of it, but on an AF_UNIX
 * pair only the bytes before a message that carries capabilities (those
 * go by SOCK_RECV, whole: ring_ends shows the readers the ring's end
 * while one is next). */
static size_t ring_fillable(struct sock *s)
{
	size_t n = 0;

	if (s->kind != K_PAIR)
		return s->rx_bytes;
	for (struct rxq *q = s->rx; q && !(q->ux && q->ux->nrights); q = q->next)
		n += q->p->tot_len - q->off;
	return n;
}

static void ring_fill(struct sock *s)
{
	struct ring *g = s->ring;
	bool moved = false;
	size_t avail;

	while ((avail = ring_fillable(s)) && !g->broken) {
		uint32_t used = ring_rx_used(g), n;

		if (used >= SOCK_RING_RX) {
			/* full: a holder's read kicks us; look again after asking */
			R_STORE(&g->rx->kick, 1);
			if (ring_rx_used(g) < used)
				continue;
			break;
		}
		n = SOCK_RING_RX - used;
		if (n > avail)
			n = (uint32_t)avail;
		ring_copy_in(s, n);
		take(s, n);                          /* the window opens by n */
		g->rx_tail += n;
		__atomic_store_n(&g->rx->tail, g->rx_tail, __ATOMIC_RELEASE);
		moved = true;
	}
	if (!ring_fillable(s))
		R_STORE(&g->rx->kick, 0);
	if (moved && R_LOAD(&g->rx->rwait))
		ring_signal(g->data);
}

/* An AF_UNIX stream pair: what the holders wrote in tx goes into the
 * peer's queue as its SO_RCVBUF allows (its reads mark us for the rest);
 * from there the peer's holders read it by message or through their own
 * rings (ring_fill). */
static void pair_pump(struct sock *s)
{
	struct ring *g = s->ring;
	struct sock *p = s->peer;
	bool moved = false;

	while (p && !s->wr_shut && !p->rd_shut && !g->broken) {
		uint32_t used = tx_waiting(g), n;
		size_t room = p->rx_bytes < (size_t)p->rcvbuf ? (size_t)p->rcvbuf - p->rx_bytes : 0;
		struct pbuf *b;

		if (!used)
			break;
		n = used < room ? used : (uint32_t)room;
		if (n > 0xffff)
			n = 0xffff;
		if (!n || !(b = pbuf_alloc(PBUF_RAW, (u16_t)n, PBUF_RAM)))
			break;
		ring_get(g->txr, SOCK_RING_TX, g->tx_head, b->payload, n);
		if (!rx_push(p, b, NULL, 0))
			break;
		g->tx_head += n;
		__atomic_store_n(&g->tx->head, g->tx_head, __ATOMIC_RELEASE);
		moved = true;
	}
	if (moved && R_LOAD(&g->tx->wwait))
		ring_signal(g->space);
}

static void ring_drain(struct sock *s)
{
	struct ring *g = s->ring;
	struct tcp_pcb *pcb = s->pcb.tcp;
	bool moved = false;

	while (pcb && s->state == S_CONNECTED && (!s->wr_shut || s->fin_pending) && !g->broken) {
		uint32_t used = tx_waiting(g), n, off, k;
		size_t room;

		if (!used)
			break;
		room = tcp_sndqueuelen(pcb) >= TCP_SND_QUEUELEN - 4 ? 0 : tcp_sndbuf(pcb);
		n = used < room ? used : (uint32_t)room;
		if (!n)
			break;
		off = g->tx_head % SOCK_RING_TX;
		k = SOCK_RING_TX - off < n ? SOCK_RING_TX - off : n;
		if (tcp_write(pcb, g->txr + off, (u16_t)k, TCP_WRITE_FLAG_COPY | (n > k ? TCP_WRITE_FLAG_MORE : 0)))
			break;                        /* ERR_MEM: again on the next on_sent */
		if (n > k && tcp_write(pcb, g->txr, (u16_t)(n - k), TCP_WRITE_FLAG_COPY))
			n = k;
		g->tx_head += n;
		__atomic_store_n(&g->tx->head, g->tx_head, __ATOMIC_RELEASE);
		moved = true;
	}
	if (moved) {
		tcp_output(pcb);
		if (R_LOAD(&g->tx->wwait))
			ring_signal(g->space);
	}
	if (s->fin_pending && s->pcb.tcp && (g->broken || !ring_tx_used(g))) {
		s->fin_pending = false;
		tcp_shutdown(s->pcb.tcp, 0, 1);
	}
}


/* The next datagram of an AF_UNIX socket's queue carries capabilities: it
 * goes by SOCK_RECV, whole (ring_ends shows the readers the ring's end
 * while it is next). */
static bool rights_next(const struct sock *s)
{
	return s->kind == K_PAIR && s->rx && s->rx->ux && s->rx->ux->nrights;
}

/* The datagrams queued (lwIP's, or an AF_UNIX socket's) go into rx, a
 * record each, as room allows. */
static void dring_fill(struct sock *s)
{
	struct ring *g = s->ring;
	bool moved = false;

	while (s->rx && !rights_next(s) && !g->broken) {
		struct rxq *q = s->rx;
		uint8_t addr[SOCK_ADDR_MAX];
		struct sock_rec h = { q->p->tot_len, 0 };
		uint32_t used = ring_rx_used(g), need, pos;

		if (s->kind == K_PAIR)               /* the sender's name, if it has one */
			h.alen = q->ux && q->ux->has_from ? (uint32_t)ux_addr_out(&q->ux->from, addr) : 0;
		else
			h.alen = (uint32_t)addr_out(s, &q->addr, q->port, addr);
		need = SOCK_REC_SIZE(h.alen, h.len);
		if (g->size - used < need) {
			/* full: a holder's read kicks us; look again after asking */
			R_STORE(&g->rx->kick, 1);
			if (ring_rx_used(g) < used)
				continue;
			break;
		}
		pos = g->rx_tail;
		ring_put(g->rxr, SOCK_DRING, pos, &h, sizeof(h));
		ring_put(g->rxr, SOCK_DRING, pos + 8, addr, h.alen);
		pos += 8 + ((h.alen + 7u) & ~7u);
		for (struct pbuf *b = q->p; b; b = b->next) {
			ring_put(g->rxr, SOCK_DRING, pos, b->payload, b->len);
			pos += b->len;
		}
		s->rx = q->next;                     /* taken (an empty datagram too) */
		if (!s->rx)
			s->rx_last = NULL;
		s->rx_bytes -= h.len;
		pbuf_free(q->p);
		ux_msg_free(q->ux);
		net_free(q);
		g->rx_tail += need;
		__atomic_store_n(&g->rx->tail, g->rx_tail, __ATOMIC_RELEASE);
		moved = true;
	}
	if (!s->rx || rights_next(s))
		R_STORE(&g->rx->kick, 0);
	if (moved && s->kind == K_PAIR) {         /* room in the queue, as take() makes */
		if (s->peer)
			mark(s->peer);
		ux_wake(s);
	}
	if (moved && R_LOAD(&g->rx->rwait))
		ring_signal(g->data);
}

/*
 * The next record the holders wrote in tx (used bytes there): its header
 * to *h and its whole size to *size. A record longer than max_len or
 * with an address longer than max_alen, or one that does not fit in
 * what is there, is nonsense: the rings break and it answers false.
 */
static bool rec_next(struct ring *g, uint32_t used, uint32_t max_len, uint32_t max_alen, struct sock_rec *h,
		     uint32_t *size)
{
	if (used >= sizeof(*h)) {
		ring_get(g->txr, g->size, g->tx_head, h, sizeof(*h));
		if (h->len <= max_len && h->alen <= max_alen && (*size = SOCK_REC_SIZE(h->alen, h->len)) <= used)
			return true;
	}
	g->broken = true;
	return false;
}

/*
 * An AF_UNIX datagram or seqpacket socket with a peer (socketpair, or a
 * connected seqpacket): the records the holders wrote in tx go into the
 * peer's queue, each whole as the peer's SO_RCVBUF allows (an empty
 * queue takes any), with this socket's name if it has one; the peer's
 * reads mark us for the rest. A record with an address (the holders
 * write none here: a send to a name goes by SOCK_SEND) breaks the rings;
 * one the peer cannot take any more (its reading end shut) is dropped and
 * counted, as SOCK_SEND would have refused it.
 */
static void pair_rec_drain(struct sock *s)
{
	struct ring *g = s->ring;
	struct sock *p = s->peer;
	bool moved = false;

	while (p && !s->wr_shut && !g->broken) {
		uint32_t used = tx_waiting(g), size;
		struct sock_rec h;
		struct pbuf *b = NULL;
		struct rxq *q;

		if (!used || !rec_next(g, used, SOCK_DGRAM_MAX, 0, &h, &size))
			break;
		if (!p->rd_shut) {
			size_t room = p->rx_bytes < (size_t)p->rcvbuf ? (size_t)p->rcvbuf - p->rx_bytes : 0;

			if (p->rx_bytes && room < h.len)
				break;                    /* full: whole or not at all */
			if (!(b = pbuf_alloc(PBUF_RAW, (u16_t)h.len, PBUF_RAM)))
				break;                    /* no memory now: again on the next turn */
			ring_get(g->txr, g->size, g->tx_head + 8, b->payload, h.len);
			if (!(q = rx_push(p, b, NULL, 0)))
				break;
			if (s->ux && s->ux->name.len && (q->ux = calloc(1, sizeof(*q->ux)))) {
				q->ux->from = s->ux->name;
				q->ux->has_from = true;
			}
		} else {
			dgram_ring_drops++;
		}
		g->tx_head += size;
		__atomic_store_n(&g->tx->head, g->tx_head, __ATOMIC_RELEASE);
		moved = true;
	}
	if (moved && R_LOAD(&g->tx->wwait))
		ring_signal(g->space);
}

/* The records the holders wrote in tx go out, a datagram each; what
 * cannot (a bad address, no route, no memory) is dropped and counted. */
static void dring_drain(struct sock *s)
{
	struct ring *g = s->ring;
	bool moved = false;

	while (!g->broken && !s->wr_shut && s->pcb.udp) {
		uint32_t used = tx_waiting(g), size;
		uint8_t addr[SOCK_ADDR_MAX];
		struct sock_rec h;
		struct pbuf *p;
		ip_addr_t ip;
		u16_t port = 0;
		err_t e = ERR_INVAL;

		if (!used || !rec_next(g, used, s->family == AF_INET ? SOCK_DGRAM_MAX4 : SOCK_DGRAM_MAX,
				       SOCK_ADDR_MAX, &h, &size))
			break;
		ring_get(g->txr, SOCK_DRING, g->tx_head + 8, addr, h.alen);
		if ((h.alen ? addr_in(s, addr, h.alen, &ip, &port) : s->state == S_CONNECTED ? E_OK : ERR_DESTADDRREQ) == E_OK &&
		    (p = pbuf_alloc(PBUF_TRANSPORT, (u16_t)h.len, PBUF_RAM))) {
			ring_get(g->txr, SOCK_DRING, g->tx_head + 8 + ((h.alen + 7u) & ~7u), p->payload, h.len);
			e = h.alen ? udp_sendto(s->pcb.udp, p, &ip, port) : udp_send(s->pcb.udp, p);
			pbuf_free(p);
		}
		if (e != ERR_OK)
			dgram_ring_drops++;
		g->tx_head += size;
		__atomic_store_n(&g->tx->head, g->tx_head, __ATOMIC_RELEASE);
		moved = true;
	}
	if (moved && R_LOAD(&g->tx->wwait))
		ring_signal(g->space);
}

/* The ends and flags the holders see: rx's writers 0 once nothing more
 * will come into it, tx's readers 0 once nothing more can be sent. */
static void ring_ends(struct sock *s)
{
	struct ring *g = s->ring;
	uint32_t w = !(g->broken || s->rd_shut || (!s->rx_bytes && (s->eof || s->state == S_DEAD)));
	uint32_t r = !(g->broken || s->wr_shut || s->fin_pending || s->state != S_CONNECTED || !s->pcb.tcp);
	uint32_t fl = s->nonblock ? O_NONBLOCK : 0;

	if (s->kind == K_PAIR) {             /* an AF_UNIX stream: the peer's end ends tx */
		w = !(g->broken || s->rd_shut || (!ring_fillable(s) && (s->eof || s->rx)));
		r = !(g->broken || s->wr_shut || !s->peer || s->peer->rd_shut);
	}
	if (g->records && s->kind == K_PAIR) {  /* AF_UNIX datagrams: records to the peer */
		w = !(g->broken || s->rd_shut || rights_next(s) || (!s->rx && s->eof));
		r = !(g->broken || s->wr_shut || !s->peer || s->peer->rd_shut);
		R_STORE(&g->tx->rflags, s->peer ? SOCK_RING_PEER : 0);
	} else if (g->records) {             /* a datagram socket: only its own shutdowns end them */
		w = !(g->broken || s->rd_shut);
		r = !(g->broken || s->wr_shut || !s->pcb.udp);
		R_STORE(&g->tx->rflags, (s->state == S_CONNECTED ? SOCK_RING_PEER : 0) |
					(s->family == AF_INET ? SOCK_RING_V4 : 0));
	}

	R_STORE(&g->rx->rflags, fl);
	R_STORE(&g->tx->wflags, fl);
	if (R_LOAD(&g->rx->writers) != w) {
		R_STORE(&g->rx->writers, w);
		if (R_LOAD(&g->rx->rwait))
			ring_signal(g->data);
	}
	if (R_LOAD(&g->tx->readers) != r) {
		R_STORE(&g->tx->readers, r);
		if (R_LOAD(&g->tx->wwait))
			ring_signal(g->space);
	}
}

static void ring_run(struct sock *s)
{
	if (s->ring && s->kind == K_PAIR && s->ring->records) {
		dring_fill(s);
		pair_rec_drain(s);
		ring_ends(s);
	} else if (s->ring && s->kind == K_PAIR) {
		ring_fill(s);
		pair_pump(s);
		ring_ends(s);
	} else if (s->ring && s->ring->records) {
		dring_fill(s);
		dring_drain(s);
		ring_ends(s);
	} else if (s->ring) {
		ring_fill(s);
		ring_drain(s);
		ring_ends(s);
	}
}

static void ring_free(struct sock *s)
{
	struct ring *g = s->ring;

	if (!g)
		return;
	R_STORE(&g->rx->writers, 0);
	R_STORE(&g->tx->readers, 0);
	ring_signal(g->data);
	ring_signal(g->space);
	cairn_unmap(g->va, g->records ? SOCK_DRING_PAGES : SOCK_RING_PAGES);
	cairn_cap_delete(g->obj);
	cairn_cap_delete(g->data);
	cairn_cap_delete(g->space);
	free(g);
	s->ring = NULL;
	rings_made--;
}

static err_t ring_new(struct sock *s)
{
	struct ring *g = calloc(1, sizeof(*g));
	bool rec = s->kind == K_UDP || (s->kind == K_PAIR && s->ptype != SOCK_STREAM);
	unsigned pages = rec ? SOCK_DRING_PAGES : SOCK_RING_PAGES;
	struct cairn_msg m;
	void *va;

	if (!g)
		return ERR_NOMEM;
	g->obj = g->data = g->space = CAP_NULL;
	g->records = rec;
	g->size = rec ? SOCK_DRING : SOCK_RING_RX;
	if (cairn_memobj_create(SLOT_SELF_PROC, pages, 0, &g->obj) ||
	    cairn_map(g->obj, 0, pages, CAIRN_PROT_R | CAIRN_PROT_W, &va))
		goto fail;
	g->va = va;
	if (cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_NOTIFICATION, 0, 0, 0, &m))
		goto fail_map;
	g->data = m.w[0];
	if (cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_NOTIFICATION, 0, 0, 0, &m))
		goto fail_map;
	g->space = m.w[0];
	g->rx = va;
	g->tx = (struct posix_pipe_shm *)(g->va + SOCK_RING_TXHDR);
	g->rxr = g->va + 4096;
	g->txr = g->rxr + g->size;
	g->rx->readers = g->rx->writers = g->tx->readers = g->tx->writers = 1;
	s->ring = g;
	rings_made++;
	return E_OK;
fail_map:
	cairn_unmap(va, pages);
fail:
	if (g->obj != CAP_NULL)
		cairn_cap_delete(g->obj);
	if (g->data != CAP_NULL)
		cairn_cap_delete(g->data);
	free(g);
	return ERR_NOMEM;
}

/* SOCK_MAP: the rings' objects, made on the first ask. */
static void op_map(struct srv_ans *a, struct sock *s)
{
	static const uint32_t rights[3] = { RIGHT_READ | RIGHT_WRITE, RIGHT_READ, RIGHT_READ };
	struct ring *g;

	/* AF_UNIX: a stream or seqpacket socket once connected, a datagram
	 * socket any time (its rx; its tx once it has a peer) */
	if ((s->kind != K_TCP && s->kind != K_UDP && s->kind != K_PAIR) ||
	    s->state == S_LISTEN || s->state == S_DEAD ||
	    (s->kind == K_PAIR && s->ptype != SOCK_DGRAM && (!s->peer || s->state != S_CONNECTED))) {
		a->err = ERR_NODEV;
		return;
	}
	if (s->kind == K_TCP && s->state != S_CONNECTED) {
		a->err = ERR_NOTCONN;
		return;
	}
	if (!s->ring) {
		if (rings_made >= RINGS_MAX || ring_new(s)) {
			a->err = ERR_NODEV;
			return;
		}
		ring_run(s);
	}
	g = s->ring;
	for (unsigned i = 0; i < 3; i++) {
		cap_t c = i == 0 ? g->obj : i == 1 ? g->data : g->space;

		if ((a->err = cairn_cap_copy(c, rights[i], &a->caps[i]))) {
			while (i--)
				cairn_cap_delete(a->caps[i]);
			a->err = ERR_NODEV;
			return;
		}
		a->made[i] = 0;
	}
	a->ncaps = 3;
	a->w[0] = g->size;
	a->w[1] = g->size;
	a->w[2] = g->records ? SOCK_RING_RECORDS : 0;
}

/* ---- answering the waiters of a dirty socket ----------------------------------------------- */

static err_t mint(struct sock *s, cap_t *out)
{
	uint64_t r[3];
	err_t e = cairn_cap_op(CAP_OP_MINT, served, CAP_NULL, RIGHT_WRITE | RIGHT_GRANT, badge_of(s), r);

	if (!e)
		*out = r[0];
	return e;
}

static void sock_close(struct sock *s);

static struct sock *acq_pop(struct sock *l)
{
	struct sock *s = l->acq;

	if (s) {
		l->acq = s->acq_next;
		if (!l->acq)
			l->acq_last = NULL;
		s->acq_next = NULL;
		s->parent = NULL;
		l->nacq--;
		if (l->kind == K_PAIR)
			ux_wake(l);                  /* room in the backlog */
		else if (s->pcb.tcp)
			tcp_backlog_accepted(s->pcb.tcp);   /* lwIP takes SYNs again */
	}
	return s;
}

static void acq_unpop(struct sock *l, struct sock *s)
{
	s->acq_next = l->acq;
	s->parent = l;
	l->acq = s;
	if (!l->acq_last)
		l->acq_last = s;
	l->nacq++;
	if (l->kind == K_TCP && s->pcb.tcp)
		tcp_backlog_delayed(s->pcb.tcp);
}

static void serve_readers(struct sock *s)
{
	while (s->nrd) {
		struct waiter *w = &s->rd[0];
		uint64_t words[4] = { 0, 0, 0, 0 };
		size_t len = 0, taken = 0;
		err_t e;

		if (w->label == SOCK_ACCEPT) {
			struct sock *c;
			cap_t cap;

			if (s->state != S_LISTEN) {
				srv_answer_saved(w->reply, ERR_INVAL, 0, 0, 0, 0, 0);
			} else if (!(c = acq_pop(s))) {
				return;
			} else if (mint(c, &cap)) {
				acq_unpop(s, c);
				return;
			} else {
				c->nonblock = (w->w0 & SOCK_NONBLOCK) != 0;
				words[0] = addr_out(c, c->pcb.tcp ? &c->pcb.tcp->remote_ip : NULL,
						    c->pcb.tcp ? c->pcb.tcp->remote_port : 0, srv_out());
				c->refs = 1;
				if (srv_answer_saved_caps(w->reply, E_OK, words[0], 1, &cap, words[0], 0, 0, 0)) {
					c->refs = 0;
					acq_unpop(s, c);
				}
				cairn_cap_delete(cap);
			}
			waiter_pop(s->rd, &s->nrd);
			continue;
		}
		e = recv_one(s, w->label == IO_READ, w->w0, w->w1, srv_out(), &len, words, &taken);
		if (e == ERR_AGAIN)
			return;
		if (!e && rx_rights) {
			ux_recv_saved(s, w, len, words, taken);
			waiter_pop(s->rd, &s->nrd);
			continue;
		}
		if (srv_answer_saved(w->reply, e, e ? 0 : len, words[0], words[1], words[2], words[3]) == E_OK && !e)
			take(s, taken);
		waiter_pop(s->rd, &s->nrd);
	}
}

static void serve_writers(struct sock *s)
{
	while (s->nwr) {
		struct waiter *w = &s->wr[0];
		uint64_t sent = 0;
		err_t e;

		if (w->target) {
			/* AF_UNIX: a datagram to, or a connect to, a socket that was full */
			struct sock *t = sock_find(w->target);

			if (!t || !t->used || t->kind != K_PAIR)
				e = ERR_CONNREFUSED;
			else if (w->label == SOCK_CONNECT)
				e = t->state == S_LISTEN ? ux_join(s, t) : ERR_CONNREFUSED;
			else if ((e = ux_deliver(s, t, w->data, w->n, &w->ux)) == E_OK)
				sent = w->n;
			if (e == ERR_AGAIN)
				return;
			srv_answer_saved(w->reply, e, 0, sent, 0, 0, 0);
			waiter_pop(s->wr, &s->nwr);
			continue;
		}
		if (w->label == SOCK_CONNECT) {
			if (s->state == S_CONNECTING)
				return;
			e = s->state == S_CONNECTED ? E_OK : s->soerr ? s->soerr : ERR_CONNREFUSED;
			if (e)
				s->soerr = 0;
			srv_answer_saved(w->reply, e, 0, 0, 0, 0, 0);
			waiter_pop(s->wr, &s->nwr);
			continue;
		}
		if (s->kind == K_PAIR && s->ring && ring_tx_used(s->ring) && s->peer)
			return;                              /* after the tx ring's bytes */
		e = s->kind == K_PAIR ? pair_send(s, w->data, w->n, &sent, &w->ux) : tcp_send(s, w->data, w->n, w->w1, &sent);
		if (e == ERR_AGAIN)
			return;
		srv_answer_saved(w->reply, e, 0, sent, 0, 0, 0);
		waiter_pop(s->wr, &s->nwr);
	}
}

bool sock_after(void)
{
	bool any = dirty_list != NULL;

	while (dirty_list) {
		struct sock *s = dirty_list;

		dirty_list = s->dirty_next;
		s->dirty = false;
		if (!s->used)
			continue;
		ring_run(s);
		if (s->closing && (!s->ring || !ring_tx_used(s->ring) || s->state != S_CONNECTED ||
				   (s->kind == K_PAIR && (!s->peer || s->peer->rd_shut)))) {
			sock_close(s);
			continue;
		}
		serve_readers(s);
		serve_writers(s);
		if (s->narms)
			arms_fire(s, false);
		if (!s->refs && !s->parent && s->state == S_DEAD && s->kind == K_TCP && !s->nrd && !s->nwr)
			sock_close(s);
	}
	return any;
}

/* ---- opening and closing --------------------------------------------------------------------- */

static err_t sock_pcb(struct sock *s)
{
	u8_t t = s->family == AF_INET ? IPADDR_TYPE_V4 : IPADDR_TYPE_ANY;

	switch (s->kind) {
	case K_TCP:
		if (!(s->pcb.tcp = tcp_new_ip_type(t)))
			return ERR_NOMEM;
		tcp_attach(s, s->pcb.tcp);
		break;
	case K_UDP:
		if (!(s->pcb.udp = udp_new_ip_type(t)))
			return ERR_NOMEM;
		udp_recv(s->pcb.udp, on_udp, s);
		break;
	case K_RAW:
		if (!(s->pcb.raw = raw_new_ip_type(s->family == AF_INET ? IPADDR_TYPE_V4 : IPADDR_TYPE_V6,
						   s->proto)))
			return ERR_NOMEM;
		raw_recv(s->pcb.raw, on_raw, s);
		break;
	}
	return E_OK;
}

static void sock_close(struct sock *s)
{
	struct sock *c;

	while (s->nrd) {
		srv_answer_saved(s->rd[0].reply, ERR_BADF, 0, 0, 0, 0, 0);
		waiter_pop(s->rd, &s->nrd);
	}
	while (s->nwr) {
		srv_answer_saved(s->wr[0].reply, ERR_BADF, 0, 0, 0, 0, 0);
		waiter_pop(s->wr, &s->nwr);
	}
	arms_fire(s, true);
	while ((c = acq_pop(s))) {
		if (c->kind == K_PAIR) {
			sock_close(c);
			continue;
		}
		if (c->pcb.tcp) {
			tcp_arg(c->pcb.tcp, NULL);
			tcp_abort(c->pcb.tcp);
		}
		rx_drop_all(c);
		c->used = false;
	}
	if (s->pcb.any) {
		switch (s->kind) {
		case K_TCP:
			tcp_arg(s->pcb.tcp, NULL);
			if (s->state == S_LISTEN) {
				tcp_close(s->pcb.tcp);
			} else {
				tcp_recv(s->pcb.tcp, NULL);
				tcp_sent(s->pcb.tcp, NULL);
				tcp_err(s->pcb.tcp, NULL);
				/* unread data, or SO_LINGER 0: a reset, as on Linux */
				if (s->rx_bytes || (s->ring && ring_rx_used(s->ring)) || (s->linger_on && !s->linger_s) ||
				    tcp_close(s->pcb.tcp) != ERR_OK)
					tcp_abort(s->pcb.tcp);
			}
			break;
		case K_UDP:
			udp_remove(s->pcb.udp);
			break;
		case K_RAW:
			raw_remove(s->pcb.raw);
			break;
		}
		s->pcb.any = NULL;
	}
	if (s->kind == K_NETLINK)
		nl_close(s);
	if (s->kind == K_PAIR && s->peer) {
		s->peer->eof = true;
		s->peer->peer = NULL;
		mark(s->peer);
		s->peer = NULL;
	}
	rx_drop_all(s);
	ring_free(s);
	s->closing = s->fin_pending = false;
	ux_close(s);
	s->used = false;
	if (s->idx < free_hint)
		free_hint = s->idx;
}

/* The shared rings made, and the datagrams their tx rings dropped. */
void sock_ring_counts(unsigned long *made, unsigned long *drops)
{
	*made = rings_made;
	*drops = dgram_ring_drops;
}

unsigned sock_count(bool all)
{
	unsigned n = 0;

	for (uint32_t i = 0; i < table_n; i++)
		n += all || table[i]->used;
	return n;
}

static void unref(struct sock *s)
{
	if (!s->refs || --s->refs)
		return;
	/* what the holders wrote in the tx ring still goes, then the close */
	if (s->ring && s->state == S_CONNECTED && ring_tx_used(s->ring) && !ring_rx_used(s->ring) &&
	    !s->rx_bytes && !(s->linger_on && !s->linger_s)) {
		s->closing = s->rd_shut = true;
		mark(s);
		return;
	}
	sock_close(s);
}

/* A reference goes (IO_CLOSE through it, its holder died, its answer
 * never arrived), and with it one of its socket's (unless that closed). */
static void nref_close(struct nref *n)
{
	bool live = n->s->used && n->s->gen == n->sgen;

	n->used = false;
	if (live)
		unref(n->s);
}

/* The reference a badge is goes: an IO_DUP one, or the socket's own. */
static void ref_drop(uint64_t badge)
{
	struct nref *n = nref_of(badge);
	struct sock *s;

	if (n) {
		nref_close(n);
	} else if (!(badge & REF_BIT) && (s = sock_find(badge)) && !s->own_closed) {
		s->own_closed = true;
		unref(s);
	}
}

void sock_gone(uint64_t badge)
{
	ref_drop(badge);
}

/* IO_DUP: a new reference of s, the answer's capability. */
static void dup_ref(struct srv_ans *a, struct sock *s)
{
	struct nref *n;
	uint64_t r[3];

	if (s->refs == UINT32_MAX || !(n = nref_new(s))) {
		a->err = ERR_MFILE;
		return;
	}
	if ((a->err = cairn_cap_op(CAP_OP_MINT, served, CAP_NULL, RIGHT_WRITE | RIGHT_GRANT, nref_badge(n), r))) {
		n->used = false;
		return;
	}
	s->refs++;
	a->caps[a->ncaps] = r[0];
	a->made[a->ncaps] = nref_badge(n);
	a->ncaps++;
}

/* The listener an accepted socket in the current answer came from (0: none) */
static uint64_t answer_from;

/* An answer carrying a new socket did not reach its caller: no reference
 * (an accepted connection goes back to its listener's queue). */
void sock_answered(struct srv_ans *a, err_t sent)
{
	for (unsigned i = 0; i < a->ncaps; i++) {
		struct sock *s = sock_find(a->made[i]), *l;

		if (sent && !a->made[i])             /* SCM_RIGHTS that did not arrive */
			srv_call_async(a->caps[i], IO_CLOSE, 0);
		cairn_cap_delete(a->caps[i]);
		if (sent && nref_of(a->made[i])) {   /* an IO_DUP's reference */
			nref_close(nref_of(a->made[i]));
			continue;
		}
		if (!sent || !s)
			continue;
		s->refs = 0;
		if (answer_from && (l = sock_find(answer_from)) && l->state == S_LISTEN)
			acq_unpop(l, s);
		else
			sock_close(s);
	}
	answer_from = 0;
}

err_t sock_object(struct srv_req *r)
{
	if (!r->badge) {
		if (r->label != SOCK_OPEN && r->label != SOCK_PAIR && r->label != NET_PROCNET)
			return ERR_BADF;
		return E_OK;
	}
	if (!(r->obj = sock_lookup(r->badge))) {
		if (r->label == SOCK_SEND)
			ux_rights_refuse(r);          /* SCM_RIGHTS to a closed socket go back */
		return ERR_BADF;
	}
	return E_OK;
}

err_t sock_init(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	gen_base = (uint32_t)((uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u);
	served = cairn_cap("net");
	ux_init();
	return E_OK;
}

/* ---- the handlers ---------------------------------------------------------------------------- */

static void answer_sock(struct srv_ans *a, struct sock *s, struct sock *listener)
{
	cap_t cap;

	if ((a->err = mint(s, &cap)))
		return;
	s->refs = 1;
	a->caps[a->ncaps] = cap;
	a->made[a->ncaps] = badge_of(s);
	a->ncaps++;
	answer_from = listener ? badge_of(listener) : 0;
}

/* socketpair(AF_UNIX, SOCK_STREAM or SOCK_DGRAM): two connected ends */
static void op_pair(struct srv_req *r, struct srv_ans *a)
{
	uint64_t type = r->w[1] & 0xf;
	struct sock *x, *y;

	if (r->w[0] != AF_UNIX) {
		a->err = r->w[0] == AF_INET || r->w[0] == AF_INET6 ? ERR_OPNOTSUPP : ERR_AFNOSUPPORT;
		return;
	}
	if ((a->err = ux_type_ok(type, r->w[2])))
		return;
	if (!(x = sock_new(AF_UNIX, K_PAIR)))
		goto nfile;
	if (!(y = sock_new(AF_UNIX, K_PAIR))) {
		x->used = false;
		goto nfile;
	}
	for (struct sock *e = x; e; e = e == x ? y : NULL) {
		e->ptype = (uint8_t)type;
		e->state = S_CONNECTED;
		e->bound = true;
		e->nonblock = (r->w[1] & SOCK_NONBLOCK) != 0;
		e->rcvbuf = e->sndbuf = 212992;       /* Linux's default */
	}
	x->peer = y;
	y->peer = x;
	if (ux_new(r, x, 0) || ux_new(r, y, 0)) {
		ux_close(x);
		ux_close(y);
		x->used = y->used = false;
		goto nfile;
	}
	x->ux->peer_cred = y->ux->peer_cred = x->ux->cred;
	x->ux->has_peer_cred = y->ux->has_peer_cred = true;
	answer_sock(a, x, NULL);
	if (!a->err)
		answer_sock(a, y, NULL);
	if (a->err) {
		for (unsigned i = 0; i < a->ncaps; i++)
			cairn_cap_delete(a->caps[i]);
		a->ncaps = 0;
		x->peer = y->peer = NULL;
		ux_close(x);
		ux_close(y);
		x->used = y->used = false;
	}
	return;
nfile:
	a->err = ERR_NFILE;
}

static void op_open(struct srv_req *r, struct srv_ans *a)
{
	uint64_t dom = r->w[0], type = r->w[1] & 0xf, proto = r->w[2];
	uint8_t kind;
	struct sock *s;

	if (r->w[1] & ~(uint64_t)(0xf | SOCK_NONBLOCK | SOCK_CLOEXEC)) {
		a->err = ERR_INVAL;
		return;
	}
	if (r->label == SOCK_PAIR) {
		op_pair(r, a);
		return;
	}
	if (dom == AF_UNIX) {
		ux_open(r, a);
		return;
	}
	if (dom == AF_NETLINK) {
		if ((a->err = nl_check(type, proto)))
			return;
		kind = K_NETLINK;
	} else if (dom != AF_INET && dom != AF_INET6) {
		a->err = ERR_AFNOSUPPORT;
		return;
	} else if (type == SOCK_STREAM && (proto == 0 || proto == IPPROTO_TCP))
		kind = K_TCP;
	else if (type == SOCK_DGRAM && (proto == 0 || proto == IPPROTO_UDP))
		kind = K_UDP;
	else if (type == SOCK_RAW && ((dom == AF_INET && proto == IPPROTO_ICMP) ||
				      (dom == AF_INET6 && proto == IPPROTO_ICMPV6)))
		kind = K_RAW;
	else {
		a->err = type == SOCK_STREAM || type == SOCK_DGRAM || type == SOCK_RAW ? ERR_PROTONOSUPPORT
										      : ERR_SOCKTNOSUPPORT;
		return;
	}
	if (!(s = sock_new((uint16_t)dom, kind))) {
		a->err = ERR_NFILE;
		return;
	}
	s->proto = (uint8_t)proto;
	s->ptype = (uint8_t)type;
	s->nonblock = (r->w[1] & SOCK_NONBLOCK) != 0;
	if ((a->err = sock_pcb(s))) {
		s->used = false;
		return;
	}
	answer_sock(a, s, NULL);
	if (a->err)
		sock_close(s);
}

static bool listening_on(const ip_addr_t *ip, u16_t port, struct tcp_pcb *self)
{
	for (struct tcp_pcb_listen *l = tcp_listen_pcbs.listen_pcbs; l; l = l->next)
		if ((struct tcp_pcb *)l != self && l->local_port == port &&
		    (ip_addr_isany(&l->local_ip) || ip_addr_isany(ip) || ip_addr_cmp(&l->local_ip, ip)))
			return true;
	return false;
}

static err_t do_bind(struct sock *s, const ip_addr_t *ip, u16_t port)
{
	err_t e;

	if (s->bound)
		return ERR_INVAL;
	if (!addr_local(ip))
		return ERR_ADDRNOTAVAIL;
	switch (s->kind) {
	case K_TCP:
		if (!s->pcb.tcp)
			return ERR_INVAL;
		if (port && listening_on(ip, port, NULL))
			return ERR_ADDRINUSE;
		if (s->reuse)
			ip_set_option(s->pcb.tcp, SOF_REUSEADDR);
		e = tcp_bind(s->pcb.tcp, ip, port);
		break;
	case K_UDP:
		if (s->reuse)
			ip_set_option(s->pcb.udp, SOF_REUSEADDR);
		e = udp_bind(s->pcb.udp, ip, port);
		break;
	default:
		e = raw_bind(s->pcb.raw, ip);
		break;
	}
	if (e != ERR_OK)
		return net_errno(e);
	s->bound = true;
	return E_OK;
}

/* The "any" address of the socket's family: an AF_INET6 socket without
 * IPV6_V6ONLY takes IPv4 too. */
static void any_of(const struct sock *s, ip_addr_t *ip)
{
	if (s->family == AF_INET)
		ip_addr_copy(*ip, *IP4_ADDR_ANY);
	else if (s->v6only)
		ip_addr_copy(*ip, *IP6_ADDR_ANY);
	else
		ip_addr_copy(*ip, *IP_ANY_TYPE);
}

static void op_bind(struct srv_req *r, struct srv_ans *a, struct sock *s)
{
	ip_addr_t ip;
	u16_t port;

	if (s->kind == K_PAIR) {
		ux_bind(r, a, s);
		return;
	}
	if (r->w[0] > r->nbytes || r->w[0] > SOCK_ADDR_MAX) {
		a->err = ERR_INVAL;
		return;
	}
	if (s->kind == K_NETLINK) {
		a->err = nl_bind(s, net_in, r->w[0]);
		return;
	}
	if ((a->err = addr_in(s, net_in, r->w[0], &ip, &port)))
		return;
	if (s->family == AF_INET6 && IP_IS_V6(&ip) && ip_addr_isany(&ip))
		any_of(s, &ip);
	a->err = do_bind(s, &ip, port);
}

static void op_listen(struct srv_req *r, struct srv_ans *a, struct sock *s)
{
	uint64_t backlog = (int64_t)r->w[0] < 1 ? 1 : r->w[0] > ACCEPT_MAX ? ACCEPT_MAX : r->w[0];
	struct tcp_pcb *l;
	ip_addr_t any;
	err_t e;

	if (s->kind == K_PAIR) {
		ux_listen(a, s, (unsigned)backlog);
		return;
	}
	if (s->kind != K_TCP) {
		a->err = ERR_OPNOTSUPP;
		return;
	}
	if (s->state == S_LISTEN) {
		s->backlog = (unsigned)backlog;
		tcp_backlog_set(s->pcb.tcp, (u8_t)backlog);
		return;
	}
	if (s->state != S_NEW || !s->pcb.tcp) {
		a->err = ERR_INVAL;
		return;
	}
	if (!s->bound) {
		any_of(s, &any);
		if ((a->err = do_bind(s, &any, 0)))
			return;
	}
	if (listening_on(&s->pcb.tcp->local_ip, s->pcb.tcp->local_port, NULL)) {
		a->err = ERR_ADDRINUSE;
		return;
	}
	if (!(l = tcp_listen_with_backlog_and_err(s->pcb.tcp, (u8_t)(backlog > 255 ? 255 : backlog), &e))) {
		a->err = net_errno(e);
		return;
	}
	s->pcb.tcp = l;               /* lwIP freed the old pcb */
	tcp_arg(l, s);
	tcp_accept(l, on_accept);
	s->state = S_LISTEN;
	s->backlog = (unsigned)backlog;
}

static void op_accept(struct srv_req *r, struct srv_ans *a, struct sock *s)
{
	struct sock *c;

	if (s->kind != K_TCP && !(s->kind == K_PAIR && s->ptype != SOCK_DGRAM)) {
		a->err = ERR_OPNOTSUPP;
		return;
	}
	if (s->state != S_LISTEN) {
		a->err = ERR_INVAL;
		return;
	}
	if (!(c = acq_pop(s))) {
		if (s->nonblock)
			a->err = ERR_AGAIN;
		else
			waiter_add(s->rd, &s->nrd, a, SOCK_ACCEPT, r->w[0], 0, NULL, 0);
		return;
	}
	c->nonblock = (r->w[0] & SOCK_NONBLOCK) != 0;
	answer_sock(a, c, s);
	if (a->err) {
		acq_unpop(s, c);
		return;
	}
	a->w[0] = a->nbytes = addr_out(c, c->pcb.tcp ? &c->pcb.tcp->remote_ip : NULL,
				       c->pcb.tcp ? c->pcb.tcp->remote_port : 0, net_out);
}

static void op_connect(struct srv_req *r, struct srv_ans *a, struct sock *s)
{
	ip_addr_t ip;
	u16_t port;
	uint16_t fam = 0;
	err_t e;

	if (r->w[0] > r->nbytes || r->w[0] > SOCK_ADDR_MAX || r->w[0] < 2) {
		a->err = ERR_INVAL;
		return;
	}
	memcpy(&fam, net_in, 2);
	if (s->kind == K_PAIR) {
		ux_connect(r, a, s);
		return;
	}
	if (s->kind == K_NETLINK) {
		a->err = nl_connect(s, net_in, r->w[0]);
		return;
	}
	if (s->kind != K_TCP && fam == AF_UNSPEC) {
		if (s->kind == K_UDP)
			udp_disconnect(s->pcb.udp);
		else
			raw_disconnect(s->pcb.raw);
		s->state = S_NEW;
		return;
	}
	if ((a->err = addr_in(s, net_in, r->w[0], &ip, &port)))
		return;
	if (s->kind == K_UDP || s->kind == K_RAW) {
		e = s->kind == K_UDP ? udp_connect(s->pcb.udp, &ip, port) : raw_connect(s->pcb.raw, &ip);
		if (e != ERR_OK) {
			a->err = net_errno(e);
			return;
		}
		s->state = S_CONNECTED;
		s->bound = true;
		return;
	}
	switch (s->state) {
	case S_CONNECTING:
		a->err = s->nonblock ? E_ALREADY : ERR_AGAIN;
		if (!s->nonblock)
			waiter_add(s->wr, &s->nwr, a, SOCK_CONNECT, 0, 0, NULL, 0);
		return;
	case S_CONNECTED:
		a->err = E_ISCONN;
		return;
	case S_LISTEN:
		a->err = E_ISCONN;
		return;
	case S_DEAD:
		/* a failed connect: try again on a new pcb */
		if ((a->err = sock_pcb(s)))
			return;
		s->soerr = 0;
		s->eof = false;
		s->bound = false;
		s->state = S_NEW;
		break;
	}
	if (!s->pcb.tcp) {
		a->err = ERR_INVAL;
		return;
	}
	if (!net_have_if && !ip_addr_isloopback(&ip) && !addr_local(&ip)) {
		a->err = ERR_NETUNREACH;
		return;
	}
	e = tcp_connect(s->pcb.tcp, &ip, port, on_connected);
	if (e != ERR_OK) {
		a->err = net_errno(e);
		return;
	}
	s->bound = true;
	s->state = S_CONNECTING;
	if (s->nonblock)
		a->err = E_INPROGRESS;
	else
		waiter_add(s->wr, &s->nwr, a, SOCK_CONNECT, 0, 0, NULL, 0);
}

/* SOCK_SEND (w0 n, w1 flags, w2 addrlen) or IO_WRITE (w0 n) */
static void op_send(struct srv_req *r, struct srv_ans *a, struct sock *s, bool io)
{
	uint64_t n = r->w[0], flags = io ? 0 : r->w[1], alen = io ? 0 : r->w[2];
	uint64_t hdr = SOCK_ADDR_PAD(alen) + (!io && (r->w[3] & SOCK_UX_KEYED) ? sizeof(struct sock_ux) : 0);
	uint64_t sent = 0;
	const uint8_t *data = net_in + hdr;

	if (s->kind == K_PAIR) {
		if (alen > SOCK_ADDR_MAX || hdr > r->nbytes || n > r->nbytes - hdr)
			n = ~0ull;                   /* refused there, its capabilities released */
		ux_send(r, a, s, io, data, n);
		return;
	}
	if (r->ncaps && !io) {
		ux_rights_refuse(r);                 /* SCM_RIGHTS: AF_UNIX only, as Linux */
		a->err = ERR_INVAL;
		return;
	}
	if (alen > SOCK_ADDR_MAX || hdr > r->nbytes || n > r->nbytes - hdr) {
		a->err = ERR_INVAL;
		return;
	}
	if (s->kind == K_NETLINK) {
		size_t room = s->rx_bytes < (size_t)s->rcvbuf ? (size_t)s->rcvbuf - s->rx_bytes : 0;

		if ((a->err = nl_send(s, room, net_in, alen, data, n)) == E_OK)
			a->w[0] = n;
		return;
	}
	if (s->kind != K_TCP) {
		if ((a->err = dgram_send(s, net_in, alen, data, n)) == E_OK)
			a->w[0] = n;
		return;
	}
	if (s->state == S_LISTEN) {
		a->err = ERR_NOTCONN;
		return;
	}
	if (alen && s->state == S_CONNECTED) {
		a->err = E_ISCONN;
		return;
	}
	if (s->ring && s->state == S_CONNECTED && !s->wr_shut && ring_tx_used(s->ring)) {
		a->err = ERR_NODEV;                  /* they would pass the ring's bytes */
		return;
	}
	if (s->nwr) {
		a->err = ERR_AGAIN;                 /* others wait first: in order */
	} else {
		a->err = tcp_send(s, data, n, flags, &sent);
		a->w[0] = sent;
	}
	if (a->err == ERR_AGAIN && !s->nonblock && !(flags & MSG_DONTWAIT))
		waiter_add(s->wr, &s->nwr, a, io ? IO_WRITE : SOCK_SEND, n, flags, data, n);
}

/* SOCK_RECV (w0 max, w1 flags) or IO_READ (w0 max) */
static void op_recv(struct srv_req *r, struct srv_ans *a, struct sock *s, bool io)
{
	uint64_t flags = io ? 0 : r->w[1];
	size_t len = 0, taken = 0;

	if (!io && flags == SOCK_RECV_RIGHTS) {
		ux_rights_more(a, s, r->w[2]);           /* the rest of a receive's SCM_RIGHTS */
		return;
	}
	if (s->kind == K_UDP && !s->ring && s->rx && s->rx->p->tot_len > SOCK_DATA_MAX &&
	    rings_made < RINGS_MAX && !ring_new(s))
		ring_run(s);                         /* a datagram no message holds: rings now */
	if (s->ring) {
		ring_run(s);
		if (ring_rx_used(s->ring)) {
			a->err = ERR_NODEV;          /* they would pass the ring's bytes */
			return;
		}
	}
	if (s->nrd) {
		a->err = ERR_AGAIN;
	} else {
		a->err = recv_one(s, io, r->w[0], flags, net_out, &len, a->w, &taken);
		if (!a->err) {
			a->nbytes = len;
			if (rx_rights)
				ux_rights_answer(s, a, io ? 0 : r->w[2]);
			take(s, taken);
		}
	}
	if (a->err == ERR_AGAIN && !s->nonblock && !(flags & MSG_DONTWAIT))
		if (waiter_add(s->rd, &s->nrd, a, io ? IO_READ : SOCK_RECV, r->w[0], flags, NULL, 0))
			s->rd[s->nrd - 1].n = io ? 0 : r->w[2];     /* SCM_RIGHTS it takes */
}

static void op_shutdown(struct srv_req *r, struct srv_ans *a, struct sock *s)
{
	uint64_t how = r->w[0];

	if (how > SHUT_RDWR) {
		a->err = ERR_INVAL;
		return;
	}
	if (s->state != S_CONNECTED && !(s->kind == K_TCP && s->state == S_DEAD && s->eof)) {
		a->err = ERR_NOTCONN;
		return;
	}
	if (how != SHUT_WR) {
		s->rd_shut = true;
		if (s->kind == K_TCP && s->pcb.tcp && s->rx_bytes)
			tcp_recved(s->pcb.tcp, (u16_t)(s->rx_bytes > 0xffff ? 0xffff : s->rx_bytes));
		rx_drop_all(s);
	}
	if (how != SHUT_RD && !s->wr_shut) {
		s->wr_shut = true;
		if (s->ring && ring_tx_used(s->ring))
			s->fin_pending = true;       /* after the tx ring's bytes (ring_drain) */
		else if (s->kind == K_TCP && s->pcb.tcp)
			tcp_shutdown(s->pcb.tcp, 0, 1);
		if (s->kind == K_PAIR && s->peer) {
			s->peer->eof = true;         /* the other end reads the end */
			mark(s->peer);
		}
	}
	mark(s);
}

static void op_name(struct srv_req *r, struct srv_ans *a, struct sock *s)
{
	const ip_addr_t *ip = NULL;
	u16_t port = 0;

	if (s->pcb.any) {
		/* the local and remote fields sit at the same place in every pcb */
		struct ip_pcb *p = s->pcb.any;

		if (r->w[0] == 0) {
			ip = &p->local_ip;
			port = s->kind == K_TCP ? s->pcb.tcp->local_port : s->kind == K_UDP ? s->pcb.udp->local_port : 0;
		} else if (s->state == S_CONNECTED) {
			ip = &p->remote_ip;
			port = s->kind == K_TCP ? s->pcb.tcp->remote_port : s->kind == K_UDP ? s->pcb.udp->remote_port : 0;
		}
	}
	if (s->kind == K_NETLINK) {
		a->w[0] = a->nbytes = nl_name(s, r->w[0] != 0, net_out);
		return;
	}
	if (s->kind == K_PAIR) {
		ux_name(r, a, s);
		return;
	}
	if (r->w[0] != 0 && !ip && !(s->kind == K_PAIR && s->peer)) {
		a->err = ERR_NOTCONN;
		return;
	}
	a->w[0] = a->nbytes = addr_out(s, ip, port, net_out);
}

/* An SOF_* flag of the socket's pcb, when it has one */
static void pcb_option(struct sock *s, u8_t opt, bool on)
{
	if (!s->pcb.any)
		return;
	if (on)
		ip_set_option((struct ip_pcb *)s->pcb.any, opt);
	else
		ip_reset_option((struct ip_pcb *)s->pcb.any, opt);
}

static int32_t opt_int(struct srv_req *r, struct srv_ans *a)
{
	int32_t v = 0;

	if (r->w[2] < sizeof(v) || r->nbytes < sizeof(v)) {
		a->err = ERR_INVAL;
		return 0;
	}
	memcpy(&v, net_in, sizeof(v));
	return v;
}

static void op_setopt(struct srv_req *r, struct srv_ans *a, struct sock *s)
{
	uint64_t level = r->w[0], name = r->w[1];
	int32_t v;

	if (level == SOL_SOCKET && name == SO_LINGER) {
		int32_t l[2];

		if (r->w[2] < sizeof(l) || r->nbytes < sizeof(l)) {
			a->err = ERR_INVAL;
			return;
		}
		memcpy(l, net_in, sizeof(l));
		s->linger_on = l[0] != 0;
		s->linger_s = l[1];
		return;
	}
	v = opt_int(r, a);
	if (a->err)
		return;
	switch (level) {
	case SOL_SOCKET:
		switch (name) {
		case SO_REUSEADDR:
		case SO_REUSEPORT:
			s->reuse = v != 0;
			pcb_option(s, SOF_REUSEADDR, v != 0);
			return;
		case SO_KEEPALIVE:
			s->keepalive = v != 0;
			pcb_option(s, SOF_KEEPALIVE, v != 0);
			return;
		case SO_BROADCAST:
			s->broadcast = v != 0;
			pcb_option(s, SOF_BROADCAST, v != 0);
			return;
		case SO_RCVBUF:
		case SO_SNDBUF:
			/* Linux doubles the value (for its bookkeeping) and reports that */
			if (v < 1024)
				v = 1024;
			if (v > 4 * 1024 * 1024)
				v = 4 * 1024 * 1024;
			if (name == SO_RCVBUF)
				s->rcvbuf = 2 * v;
			else
				s->sndbuf = 2 * v;
			return;
		case SO_RCVTIMEO:
		case SO_SNDTIMEO:
			a->err = ERR_NOPROTOOPT;
			return;
		}
		break;
	case IPPROTO_TCP:
		if (s->kind != K_TCP)
			break;
		switch (name) {
		case TCP_NODELAY:
			s->nodelay = v != 0;
			if (s->pcb.tcp && s->state != S_LISTEN) {
				if (v)
					tcp_nagle_disable(s->pcb.tcp);
				else
					tcp_nagle_enable(s->pcb.tcp);
			}
			return;
		case TCP_KEEPIDLE:
		case TCP_KEEPINTVL:
		case TCP_KEEPCNT:
			if (v < 1) {
				a->err = ERR_INVAL;
				return;
			}
			if (s->pcb.tcp && s->state != S_LISTEN) {
				if (name == TCP_KEEPIDLE)
					s->pcb.tcp->keep_idle = (u32_t)v * 1000;
				else if (name == TCP_KEEPINTVL)
					s->pcb.tcp->keep_intvl = (u32_t)v * 1000;
				else
					s->pcb.tcp->keep_cnt = (u32_t)v;
			}
			return;
		}
		break;
	case IPPROTO_IPV6:
		if (s->family != AF_INET6) {
			a->err = ERR_OPNOTSUPP;       /* as Linux, for an IPv4 socket */
			return;
		}
		if (name == IPV6_V6ONLY) {
			if (s->bound) {
				a->err = ERR_INVAL;
				return;
			}
			s->v6only = v != 0;
			return;
		}
		break;
	case IPPROTO_IP:
		if (s->family != AF_INET || !s->pcb.any)
			break;
		if (name == IP_TTL) {
			((struct ip_pcb *)s->pcb.any)->ttl = (u8_t)(v < 0 ? 64 : v);
			return;
		}
		if (name == IP_TOS) {
			((struct ip_pcb *)s->pcb.any)->tos = (u8_t)v;
			return;
		}
		break;
	}
	a->err = ERR_NOPROTOOPT;
}

static void op_getopt(struct srv_req *r, struct srv_ans *a, struct sock *s)
{
	uint64_t level = r->w[0], name = r->w[1];
	int32_t v = 0;

	switch (level) {
	case SOL_SOCKET:
		switch (name) {
		case SO_ERROR: v = s->soerr; s->soerr = 0; goto out;
		case SO_TYPE: v = s->kind == K_PAIR || s->kind == K_NETLINK ? s->ptype : s->kind == K_TCP ? SOCK_STREAM :
				  s->kind == K_UDP ? SOCK_DGRAM : SOCK_RAW; goto out;
		case SO_DOMAIN: v = s->family; goto out;
		case SO_PROTOCOL: v = s->kind == K_PAIR ? 0 : s->kind == K_TCP ? IPPROTO_TCP :
				      s->kind == K_UDP ? IPPROTO_UDP : s->proto; goto out;
		case SO_ACCEPTCONN: v = s->state == S_LISTEN; goto out;
		case SO_REUSEADDR: v = s->reuse; goto out;
		case SO_KEEPALIVE: v = s->keepalive; goto out;
		case SO_BROADCAST: v = s->broadcast; goto out;
		case SO_RCVBUF: v = s->rcvbuf; goto out;
		case SO_SNDBUF: v = s->sndbuf; goto out;
		case SO_PEERCRED:
			ux_peercred(a, s);
			return;
		case SO_LINGER: {
			int32_t l[2] = { s->linger_on, s->linger_s };

			memcpy(net_out, l, sizeof(l));
			a->w[0] = a->nbytes = sizeof(l);
			return;
		}
		}
		break;
	case IPPROTO_TCP:
		if (s->kind != K_TCP)
			break;
		switch (name) {
		case TCP_NODELAY: v = s->nodelay; goto out;
		case TCP_MAXSEG: v = s->pcb.tcp && s->state == S_CONNECTED ? tcp_mss(s->pcb.tcp) : TCP_MSS; goto out;
		case TCP_KEEPIDLE: v = s->pcb.tcp && s->state != S_LISTEN ? (int32_t)(s->pcb.tcp->keep_idle / 1000) : 7200; goto out;
		case TCP_KEEPINTVL: v = s->pcb.tcp && s->state != S_LISTEN ? (int32_t)(s->pcb.tcp->keep_intvl / 1000) : 75; goto out;
		case TCP_KEEPCNT: v = s->pcb.tcp && s->state != S_LISTEN ? (int32_t)s->pcb.tcp->keep_cnt : 9; goto out;
		}
		break;
	case IPPROTO_IPV6:
		if (s->family != AF_INET6) {
			a->err = ERR_OPNOTSUPP;
			return;
		}
		if (name == IPV6_V6ONLY) {
			v = s->v6only;
			goto out;
		}
		break;
	case SOL_CAIRN_NET:                     /* the server's own numbers (stats.c) */
		if (name == NET_STATS) {
			a->w[0] = a->nbytes = net_stats((char *)net_out, POSIX_INLINE_MAX);
			return;
		}
		break;
	case IPPROTO_IP:
		if (s->family == AF_INET && s->pcb.any && name == IP_TTL) {
			v = ((struct ip_pcb *)s->pcb.any)->ttl;
			goto out;
		}
		break;
	}
	a->err = ERR_NOPROTOOPT;
	return;
out:
	memcpy(net_out, &v, sizeof(v));
	a->w[0] = a->nbytes = sizeof(v);
}

static void serve_sock(struct srv_req *r, struct srv_ans *a)
{
	struct sock *s = r->obj;

	if (!s) {
		op_open(r, a);
		return;
	}
	switch (r->label) {
	case SOCK_BIND: op_bind(r, a, s); break;
	case SOCK_LISTEN: op_listen(r, a, s); break;
	case SOCK_ACCEPT: op_accept(r, a, s); break;
	case SOCK_CONNECT: op_connect(r, a, s); break;
	case SOCK_SEND: op_send(r, a, s, false); break;
	case SOCK_RECV: op_recv(r, a, s, false); break;
	case SOCK_SHUTDOWN: op_shutdown(r, a, s); break;
	case SOCK_NAME: op_name(r, a, s); break;
	case SOCK_SETOPT: op_setopt(r, a, s); break;
	case SOCK_GETOPT: op_getopt(r, a, s); break;
	case SOCK_MAP: op_map(a, s); break;
	default: a->err = ERR_INVAL; break;   /* SOCK_OPEN, SOCK_PAIR on a socket */
	}
}

static void io_poll(struct srv_req *r, struct srv_ans *a, struct sock *s, bool arm)
{
	uint32_t events = (uint32_t)r->w[0];
	uint32_t rev = revents(s) & (events | POLLERR | POLLHUP);
	uint64_t id[4];

	a->w[0] = rev;
	if (!arm)
		return;
	if (!r->ncaps || r->caps[0] == CAP_NULL || cairn_cap_identify(r->caps[0], id) ||
	    id[0] != OBJ_NOTIFICATION || !(id[1] & RIGHT_WRITE)) {
		a->err = ERR_INVAL;
		return;
	}
	if (rev || arms_kept >= ARM_BUDGET) {            /* ready, or no room: at once */
		cairn_invoke(r->caps[0], NOTIFY_SIGNAL, 0, r->w[1], 0, 0, 0, NULL);
		return;
	}
	/* a poller that armed this socket before and went on (its poll ended by
	 * another descriptor) arms it again: one arm a Notification */
	for (unsigned i = 0; i < s->narms; i++) {
		if (s->arms[i].obj == id[3]) {
			cairn_cap_delete(s->arms[i].note);
			s->arms[i] = (struct arm){ r->caps[0], r->w[1], id[3], events };
			r->caps[0] = CAP_NULL;               /* kept */
			return;
		}
	}
	if (s->narms == ARMS) {                      /* the oldest fires early; its poll asks again */
		cairn_invoke(s->arms[0].note, NOTIFY_SIGNAL, 0, s->arms[0].bits, 0, 0, 0, NULL);
		cairn_cap_delete(s->arms[0].note);
		memmove(s->arms, s->arms + 1, (ARMS - 1) * sizeof(s->arms[0]));
		s->narms--;
		arms_kept--;
	}
	s->arms[s->narms++] = (struct arm){ r->caps[0], r->w[1], id[3], events };
	arms_kept++;
	r->caps[0] = CAP_NULL;                       /* kept */
}

/* The interfaces by Linux's names: "lo" (lwIP's loopback) and "eth0".. */
void net_if_name(const struct netif *n, char out[IFNAMSIZ])
{
	const struct netif *m;
	unsigned k = 0;

	if (n->name[0] == 'l' && n->name[1] == 'o') {
		snprintf(out, IFNAMSIZ, "lo");
		return;
	}
	NETIF_FOREACH(m) {                    /* eth0, eth1... in the order added */
		if (m != n && m->num < n->num && !(m->name[0] == 'l' && m->name[1] == 'o'))
			k++;
	}
	snprintf(out, IFNAMSIZ, "eth%u", k);
}

/* SIOCGIF*: a struct ifreq in, the same out. */
static err_t if_ioctl(uint64_t req, struct ifreq *ifr)
{
	struct netif *n;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ifr->ifr_addr;

	if (req == SIOCGIFNAME) {
		if (!(n = netif_get_by_index((u8_t)ifr->ifr_ifindex)) || ifr->ifr_ifindex <= 0 ||
		    ifr->ifr_ifindex > 255)
			return ERR_NODEV;
		net_if_name(n, ifr->ifr_name);
		return E_OK;
	}
	ifr->ifr_name[IFNAMSIZ - 1] = 0;
	if (!(n = iface_by_name(ifr->ifr_name)))
		return ERR_NODEV;
	memset(&ifr->ifr_ifru, 0, sizeof(ifr->ifr_ifru));
	switch (req) {
	case SIOCGIFINDEX:
		ifr->ifr_ifindex = netif_get_index(n);
		return E_OK;
	case SIOCGIFFLAGS:
		ifr->ifr_flags = (short)iface_flags(n);
		return E_OK;
	case SIOCGIFADDR:
	case SIOCGIFNETMASK:
	case SIOCGIFBRDADDR:
	case SIOCGIFDSTADDR: {
		uint32_t addr = ip4_addr_get_u32(netif_ip4_addr(n));
		uint32_t mask = ip4_addr_get_u32(netif_ip4_netmask(n));

		if (!addr)
			return ERR_ADDRNOTAVAIL;
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = req == SIOCGIFADDR || req == SIOCGIFDSTADDR ? addr :
				       req == SIOCGIFNETMASK ? mask : (addr & mask) | ~mask;
		return E_OK;
	}
	case SIOCGIFMTU:
		ifr->ifr_mtu = (int)iface_mtu(n);
		return E_OK;
	case SIOCGIFHWADDR:
		ifr->ifr_hwaddr.sa_family = n->hwaddr_len == 6 ? ARPHRD_ETHER : ARPHRD_LOOPBACK;
		memcpy(ifr->ifr_hwaddr.sa_data, n->hwaddr, n->hwaddr_len);
		return E_OK;
	}
	return ERR_NOTTY;
}

static void io_ioctl(struct srv_req *r, struct srv_ans *a, struct sock *s)
{
	int32_t v;

	switch (r->w[0]) {
	case FIONREAD: {
		size_t n = s->rx_bytes + (s->ring ? ring_rx_used(s->ring) : 0);

		v = s->kind == K_TCP || (s->kind == K_PAIR && s->ptype == SOCK_STREAM) ?
		    (int32_t)(n > INT32_MAX ? INT32_MAX : n) : s->rx ? (int32_t)s->rx->p->tot_len : 0;
		memcpy(net_out, &v, sizeof(v));
		a->nbytes = sizeof(v);
		a->w[0] = 0;
		return;
	}
	case FIONBIO:
		if (r->nbytes < sizeof(v)) {
			a->err = ERR_INVAL;
			return;
		}
		memcpy(&v, net_in, sizeof(v));
		s->nonblock = v != 0;
		mark(s);                             /* the rings' flags */
		return;
	case SIOCGIFNAME: case SIOCGIFINDEX: case SIOCGIFFLAGS: case SIOCGIFADDR: case SIOCGIFDSTADDR:
	case SIOCGIFBRDADDR: case SIOCGIFNETMASK: case SIOCGIFMTU: case SIOCGIFHWADDR: {
		struct ifreq ifr;

		if (r->nbytes < sizeof(ifr)) {
			a->err = ERR_INVAL;
			return;
		}
		memcpy(&ifr, net_in, sizeof(ifr));
		if ((a->err = if_ioctl(r->w[0], &ifr)))
			return;
		memcpy(net_out, &ifr, sizeof(ifr));
		a->nbytes = sizeof(ifr);
		return;
	}
	}
	a->err = iface_ioctl(r->w[0], r->w[1], net_in, r->nbytes, net_out, &a->nbytes);
}

static void serve_io(struct srv_req *r, struct srv_ans *a)
{
	struct sock *s = r->obj;

	if (!s) {
		a->err = ERR_BADF;
		return;
	}
	switch (r->label) {
	case IO_READ: op_recv(r, a, s, true); break;
	case IO_WRITE: op_send(r, a, s, true); break;
	case IO_STAT: {
		struct posix_stat st = { .dev = 0x6e6574, .ino = s->idx + 1, .mode = 0140777, .nlink = 1,
					 .blksize = 4096 };

		memcpy(net_out, &st, sizeof(st));
		a->nbytes = sizeof(st);
		break;
	}
	case IO_GETFL: a->w[0] = O_RDWR | (s->nonblock ? O_NONBLOCK : 0); break;
	case IO_SETFL: s->nonblock = (r->w[0] & O_NONBLOCK) != 0; mark(s); break;
	case IO_PIPE_KICK: mark(s); break;          /* a ring moved: sock_after looks */
	case IO_DUP: dup_ref(a, s); break;      /* a reference of its own */
	case IO_CLOSE: ref_drop(r->badge); break;   /* the one it came through */
	case IO_POLL: io_poll(r, a, s, false); break;
	case IO_POLL_ARM: io_poll(r, a, s, true); break;
	case IO_IOCTL: io_ioctl(r, a, s); break;
	case IO_SEEK: case IO_PREAD: case IO_PWRITE: a->err = ERR_SPIPE; break;
	case IO_READDIR: a->err = ERR_NOTDIR; break;
	default: a->err = ERR_INVAL; break;
	}
}

const struct srv_op sock_ops[] = {
	{ IO_READ, IO_FEXTEND, serve_io },
	{ SOCK_OPEN, SOCK_MAP, serve_sock },
	{ NET_PROCNET, NET_PROCNET, iface_procnet },
};
const unsigned sock_nops = sizeof(sock_ops) / sizeof(sock_ops[0]);

/* ---- AF_UNIX: named and abstract sockets, SCM_RIGHTS, SO_PEERCRED ------------------------------
 *
 * An AF_UNIX socket is a K_PAIR socket with a struct unx (unix.c: its name,
 * credentials, a datagram socket's target). Connected ends move bytes as
 * socketpair's do (pair_send, recv_one); a stream connect makes the other
 * end at once, queued on the listener until accepted; a datagram goes into
 * the target's queue with the sender's name. docs/net.md, "Unix domain
 * sockets".
 */

#define UX_BUF 212992                          /* SO_RCVBUF/SO_SNDBUF: Linux's default */

/* An AF_UNIX socket's type and protocol (socket, socketpair) */
static err_t ux_type_ok(uint64_t type, uint64_t proto)
{
	if (type != SOCK_STREAM && type != SOCK_DGRAM && type != SOCK_SEQPACKET)
		return ERR_SOCKTNOSUPPORT;
	return proto ? ERR_PROTONOSUPPORT : E_OK;
}

static err_t ux_new(struct srv_req *r, struct sock *s, uint8_t type)
{
	struct sock_ux x;

	if (!(s->ux = calloc(1, sizeof(*s->ux))))
		return ERR_NOMEM;
	s->ux->sock = s;
	s->ux->type = type ? type : s->ptype;
	s->ux->cred = (struct ux_cred){ 0, 65534, 65534 };   /* none: Linux's overflow ids */
	if (r && r->nbytes >= sizeof(x)) {
		memcpy(&x, net_in, sizeof(x));
		s->ux->cred = (struct ux_cred){ x.pid, x.uid, x.gid };
	}
	return E_OK;
}

static void ux_close(struct sock *s)
{
	ux_wake(s);                                  /* who waits for it: refused now */
	if (!s->ux)
		return;
	if (s->ux->named)
		ux_unregister(s->ux);
	ux_msg_free(s->ux->stage);
	ux_msg_free(s->ux->rleft);
	free(s->ux);
	s->ux = NULL;
}

static void ux_open(struct srv_req *r, struct srv_ans *a)
{
	uint64_t type = r->w[1] & 0xf;
	struct sock *s;

	if ((a->err = ux_type_ok(type, r->w[2])))
		return;
	if (!(s = sock_new(AF_UNIX, K_PAIR))) {
		a->err = ERR_NFILE;
		return;
	}
	s->ptype = (uint8_t)type;
	s->nonblock = (r->w[1] & SOCK_NONBLOCK) != 0;
	s->rcvbuf = s->sndbuf = UX_BUF;
	if ((a->err = ux_new(r, s, 0))) {
		s->used = false;
		return;
	}
	answer_sock(a, s, NULL);
	if (a->err)
		sock_close(s);
}

/* The address of a request (alen bytes first) as a name, with the key and
 * credentials of its struct sock_ux when keyed. */
static err_t ux_addr_in(struct srv_req *r, uint64_t alen, bool keyed, struct ux_name *n, struct sock *s)
{
	struct sock_ux x;
	err_t e;

	if (alen > r->nbytes || alen > SOCK_ADDR_MAX)
		return ERR_INVAL;
	if ((e = ux_parse(net_in, alen, n)))
		return e;
	if (keyed) {
		if (!ux_ext(r, alen, &x))
			return ERR_INVAL;
		n->key = n->abstract ? 0 : x.key;
		s->ux->cred = (struct ux_cred){ x.pid, x.uid, x.gid };
	}
	return E_OK;
}

static void ux_bind(struct srv_req *r, struct srv_ans *a, struct sock *s)
{
	struct ux_name n;

	if (!s->ux) {
		a->err = ERR_INVAL;
		return;
	}
	if (r->w[1] & SOCK_UX_UNDO) {             /* the client could not make the node */
		if (!s->ux->named || s->ux->name.abstract || s->state != S_NEW) {
			a->err = ERR_INVAL;
			return;
		}
		ux_unregister(s->ux);
		memset(&s->ux->name, 0, sizeof(s->ux->name));
		s->bound = false;
		return;
	}
	if ((a->err = ux_addr_in(r, r->w[0], r->w[1] & SOCK_UX_KEYED, &n, s)))
		return;
	if (s->ux->named || s->bound) {
		a->err = ERR_INVAL;
		return;
	}
	if ((a->err = ux_register(s->ux, &n)))
		return;
	s->bound = true;
	a->w[0] = s->ux->name.key;
}

static void ux_listen(struct srv_ans *a, struct sock *s, unsigned backlog)
{
	if (s->ptype == SOCK_DGRAM) {
		a->err = ERR_OPNOTSUPP;
		return;
	}
	if (s->state == S_LISTEN) {
		s->backlog = backlog;
		return;
	}
	if (s->state != S_NEW || !s->ux || !s->ux->named) {
		a->err = ERR_INVAL;                  /* as Linux: listen needs a name */
		return;
	}
	s->state = S_LISTEN;
	s->backlog = backlog;
}

/* A stream connect: the other end, made now and queued on listener t. */
static err_t ux_join(struct sock *s, struct sock *t)
{
	struct sock *c;

	if (t->nacq >= t->backlog)
		return ERR_AGAIN;                    /* the backlog is full: wait (ux_connect) */
	if (!(c = sock_new(AF_UNIX, K_PAIR)))
		return ERR_NOBUFS;
	if (ux_new(NULL, c, t->ptype)) {
		c->used = false;
		return ERR_NOBUFS;
	}
	c->ptype = t->ptype;
	c->state = S_CONNECTED;
	c->bound = true;
	c->rcvbuf = t->rcvbuf;
	c->sndbuf = t->sndbuf;
	c->ux->name = t->ux->name;               /* its getsockname, not in the name table */
	c->ux->cred = t->ux->cred;
	c->ux->peer_cred = s->ux->cred;
	s->ux->peer_cred = t->ux->cred;
	c->ux->has_peer_cred = s->ux->has_peer_cred = true;
	c->peer = s;
	s->peer = c;
	s->state = S_CONNECTED;
	acq_push(t, c);
	mark(s);
	return E_OK;
}

static void ux_connect(struct srv_req *r, struct srv_ans *a, struct sock *s)
{
	struct ux_name n;
	struct unx *t;
	uint16_t fam;

	memcpy(&fam, net_in, 2);
	if (!s->ux || (s->peer && s->ptype == SOCK_DGRAM)) {
		a->err = E_ISCONN;                   /* a socketpair's end */
		return;
	}
	if (s->ptype == SOCK_DGRAM && fam == AF_UNSPEC) {
		s->ux->dpeer = 0;
		return;
	}
	if ((a->err = ux_addr_in(r, r->w[0], r->w[1] & SOCK_UX_KEYED, &n, s)))
		return;
	if (!n.len) {
		a->err = ERR_INVAL;
		return;
	}
	if (s->ptype != SOCK_DGRAM && s->state != S_NEW) {
		a->err = s->state == S_CONNECTED ? E_ISCONN : ERR_INVAL;
		return;
	}
	if (!(t = ux_lookup(&n))) {
		a->err = ERR_CONNREFUSED;
		return;
	}
	if (t->type != s->ptype) {
		a->err = ERR_PROTOTYPE;
		return;
	}
	if (s->ptype == SOCK_DGRAM) {
		s->ux->dpeer = badge_of(t->sock);
		s->ux->dname = t->name;
		return;
	}
	if (((struct sock *)t->sock)->state != S_LISTEN) {
		a->err = ERR_CONNREFUSED;
		return;
	}
	a->err = ux_join(s, t->sock);
	if (a->err == ERR_AGAIN && !s->nonblock && !s->nwr &&
	    waiter_add(s->wr, &s->nwr, a, SOCK_CONNECT, 0, 0, NULL, 0)) {
		s->wr[s->nwr - 1].target = badge_of(t->sock);   /* the backlog has room: ux_wake */
		ux_target_waiters++;
	}
}

/* Room in t (a datagram taken, a connection accepted) or t's end: marks
 * the sockets whose first waiter waits for t, so serve_writers tries
 * again. A scan of the table, only while someone waits. */
static void ux_wake(struct sock *t)
{
	uint64_t b = badge_of(t);

	if (!ux_target_waiters)
		return;
	for (uint32_t i = 0; i < table_n; i++) {
		struct sock *s = table[i];

		if (s->used && s->nwr && s->wr[0].target == b)
			mark(s);
	}
}

/* A datagram from s into t's queue, with s's name and m's capabilities. */
static err_t ux_deliver(struct sock *s, struct sock *t, const uint8_t *data, size_t n, struct ux_msg **m)
{
	struct pbuf *b;
	struct rxq *q;

	if (t->ptype != SOCK_DGRAM)
		return ERR_PROTOTYPE;
	if (s->wr_shut)
		return ERR_PIPE;
	if (t->rd_shut)
		return ERR_CONNREFUSED;
	if (t->rx_bytes + n > (size_t)t->rcvbuf)
		return ERR_AGAIN;                    /* full: wait (ux_send) */
	if (s->ux->name.len && !*m && !(*m = calloc(1, sizeof(**m))))
		return ERR_NOBUFS;
	if (!(b = pbuf_alloc(PBUF_RAW, (u16_t)n, PBUF_RAM)))
		return ERR_NOBUFS;
	pbuf_take(b, data, (u16_t)n);
	if (!(q = rx_push(t, b, NULL, 0)))
		return ERR_NOBUFS;
	if (*m && s->ux->name.len) {
		(*m)->from = s->ux->name;
		(*m)->has_from = true;
	}
	q->ux = *m;
	*m = NULL;
	return E_OK;
}

/* Capabilities sent that go no further: their references go back. */
static void ux_rights_refuse(struct srv_req *r)
{
	for (unsigned i = 0; i < r->ncaps; i++)
		srv_call_async(r->caps[i], IO_CLOSE, 0);
}

/* A message's record of n capabilities (none yet), or NULL. */
static struct ux_msg *ux_msg_new(unsigned n)
{
	return calloc(1, sizeof(struct ux_msg) + n * sizeof(cap_t));
}

/*
 * The capabilities a SOCK_SEND brought (kept; released on any error),
 * after those its sender staged under its token (SOCK_UX_STAGED; a
 * staging another sender's dropped is ERR_AGAIN). With SOCK_UX_STAGE
 * they are staged (*m stays NULL): a stage of another token drops what
 * was staged before.
 */
static err_t ux_rights_in(struct srv_req *r, struct sock *s, struct ux_msg **m)
{
	uint64_t how = r->w[3];
	uint32_t token = (uint32_t)(how >> 32);
	struct ux_msg *st = NULL, *x;
	unsigned have;

	*m = NULL;
	if (how & (SOCK_UX_STAGE | SOCK_UX_STAGED)) {
		if (!s->ux) {
			ux_rights_refuse(r);
			return ERR_INVAL;
		}
		if (s->ux->stage && s->ux->stage_token == token) {
			st = s->ux->stage;
			s->ux->stage = NULL;
		} else if (how & SOCK_UX_STAGED) {
			ux_rights_refuse(r);
			return ERR_AGAIN;             /* its stage is gone: the sender starts again */
		}
	}
	if (!r->ncaps && !st)
		return E_OK;
	have = st ? st->nrights : 0;
	if (r->ncaps > SOCK_RIGHTS_MAX || have + r->ncaps > SOCK_RIGHTS_LIMIT) {
		ux_msg_free(st);
		ux_rights_refuse(r);
		return ERR_INVAL;
	}
	if (!(x = ux_msg_new(have + r->ncaps))) {
		ux_msg_free(st);
		ux_rights_refuse(r);
		return ERR_NOBUFS;
	}
	if (st) {
		memcpy(x->rights, st->rights, have * sizeof(cap_t));
		st->nrights = 0;
		ux_msg_free(st);
	}
	for (unsigned i = 0; i < r->ncaps; i++) {
		x->rights[have + i] = r->caps[i];
		r->caps[i] = CAP_NULL;               /* kept */
	}
	x->nrights = have + r->ncaps;
	if (how & SOCK_UX_STAGE) {
		ux_msg_free(s->ux->stage);           /* another sender's, given up */
		s->ux->stage = x;
		s->ux->stage_token = token;
		return E_OK;
	}
	*m = x;
	return E_OK;
}

static void ux_send(struct srv_req *r, struct srv_ans *a, struct sock *s, bool io, const uint8_t *data,
		    size_t n)
{
	uint64_t flags = io ? 0 : r->w[1], alen = io ? 0 : r->w[2], sent = 0;
	struct ux_msg *m = NULL;
	struct ux_name nm;
	struct unx *t;

	if (!io && (a->err = ux_rights_in(r, s, &m)))
		return;
	if (!io && (r->w[3] & SOCK_UX_STAGE))
		return;                                  /* staged: sent with the next */
	if (n == ~0ull) {                             /* lengths past the message (op_send) */
		a->err = ERR_INVAL;
		goto out;
	}
	if (s->ptype == SOCK_DGRAM && s->ux && (alen || !s->peer)) {
		if (alen) {
			if ((a->err = ux_addr_in(r, alen, r->w[3] & SOCK_UX_KEYED, &nm, s)))
				goto out;
			t = nm.len ? ux_lookup(&nm) : NULL;
			if (!nm.len) {
				a->err = ERR_INVAL;
				goto out;
			}
		} else if (s->ux->dpeer) {
			struct sock *d = sock_find(s->ux->dpeer);

			t = d ? d->ux : NULL;
		} else {
			a->err = ERR_NOTCONN;
			goto out;
		}
		if (!t) {
			a->err = ERR_CONNREFUSED;
			goto out;
		}
		/* after the sends that wait already, in order */
		if ((a->err = s->nwr ? ERR_AGAIN : ux_deliver(s, t->sock, data, n, &m)) == E_OK)
			a->w[0] = n;
		else if (a->err == ERR_AGAIN && !s->nonblock && !(flags & MSG_DONTWAIT) &&
			 waiter_add(s->wr, &s->nwr, a, io ? IO_WRITE : SOCK_SEND, n, flags, data, n)) {
			s->wr[s->nwr - 1].ux = m;        /* waits for room in t (ux_wake) */
			s->wr[s->nwr - 1].target = badge_of(t->sock);
			ux_target_waiters++;
			m = NULL;
		}
		goto out;
	}
	if (alen) {
		a->err = s->state == S_CONNECTED ? E_ISCONN : ERR_OPNOTSUPP;
		goto out;
	}
	if (s->state != S_CONNECTED) {
		a->err = ERR_NOTCONN;
		goto out;
	}
	if (s->ring) {
		ring_run(s);                             /* the tx ring's bytes go first */
		if (ring_tx_used(s->ring) && !m) {
			a->err = ERR_NODEV;              /* they would pass the ring's bytes */
			goto out;
		}
	}
	a->err = s->nwr || (s->ring && ring_tx_used(s->ring)) ? ERR_AGAIN : pair_send(s, data, n, &sent, &m);
	a->w[0] = sent;
	if (a->err == ERR_AGAIN && !s->nonblock && !(flags & MSG_DONTWAIT) &&
	    waiter_add(s->wr, &s->nwr, a, io ? IO_WRITE : SOCK_SEND, n, flags, data, n)) {
		s->wr[s->nwr - 1].ux = m;
		m = NULL;
	}
out:
	ux_msg_free(m);
}

/* Capabilities that go no further: their references go back. */
static void rights_drop(cap_t *c, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		srv_call_async(c[i], IO_CLOSE, 0);
		cairn_cap_delete(c[i]);
	}
}

/*
 * How a receive of m's capabilities goes: the caller takes max of them,
 * the answer carries *now (at most SRV_ANS_CAPS), the next wait for
 * SOCK_RECV_RIGHTS in *rest (made here; NULL: none, or no memory, then
 * MSG_CTRUNC), the others are released (MSG_CTRUNC). Flags into *w3.
 */
static void rights_plan(struct ux_msg *m, uint64_t max, unsigned *now, struct ux_msg **rest, uint64_t *w3)
{
	unsigned k = (unsigned)(max < m->nrights ? max : m->nrights);

	*now = k < SRV_ANS_CAPS ? k : SRV_ANS_CAPS;
	*rest = NULL;
	if (k > *now && (*rest = ux_msg_new(k - *now))) {
		memcpy((*rest)->rights, m->rights + *now, (k - *now) * sizeof(cap_t));
		(*rest)->nrights = k - *now;
		*w3 |= SOCK_RIGHTS_MORE;
	}
	if (m->nrights > *now + (*rest ? (*rest)->nrights : 0))
		*w3 |= MSG_CTRUNC;
}

/* The plan carried out once the answer went: what waits goes to s's
 * rleft (an older rleft nobody took is released), the rest released. */
static void rights_done(struct sock *s, struct ux_msg *m, unsigned now, struct ux_msg *rest)
{
	unsigned kept = now + (rest ? rest->nrights : 0);

	rights_drop(m->rights + kept, m->nrights - kept);
	m->nrights = 0;
	if (rest && s->ux) {
		ux_msg_free(s->ux->rleft);
		s->ux->rleft = rest;
	} else if (rest) {
		ux_msg_free(rest);
	}
}

/* The receive's capabilities (rx_rights) into the answer: as many as the
 * caller takes (max), three now and SOCK_RIGHTS_MORE for the rest. */
static void ux_rights_answer(struct sock *s, struct srv_ans *a, uint64_t max)
{
	struct ux_msg *m = rx_rights->ux, *rest;
	unsigned now;

	rights_plan(m, max, &now, &rest, &a->w[3]);
	for (unsigned i = 0; i < now; i++) {
		a->caps[a->ncaps] = m->rights[i];       /* deleted once answered (sock_answered) */
		a->made[a->ncaps++] = 0;
	}
	rights_done(s, m, now, rest);
}

/* SOCK_RECV_RIGHTS: the next three of what a receive left waiting (as
 * many as the caller still takes, max; the rest released: MSG_CTRUNC). */
static void ux_rights_more(struct srv_ans *a, struct sock *s, uint64_t max)
{
	struct ux_msg *l = s->ux ? s->ux->rleft : NULL;
	unsigned k;

	a->w[0] = a->w[1] = a->w[2] = a->w[3] = 0;
	if (!l)
		return;
	k = l->nrights < SRV_ANS_CAPS ? l->nrights : SRV_ANS_CAPS;
	if (k > max)
		k = (unsigned)max;
	for (unsigned i = 0; i < k; i++) {
		a->caps[a->ncaps] = l->rights[i];       /* deleted once answered (sock_answered) */
		a->made[a->ncaps++] = 0;
	}
	if (k < l->nrights && k == SRV_ANS_CAPS) {
		memmove(l->rights, l->rights + k, (l->nrights - k) * sizeof(cap_t));
		l->nrights -= k;
		a->w[3] = SOCK_RIGHTS_MORE;
		return;
	}
	if (k < l->nrights)
		a->w[3] = MSG_CTRUNC;
	rights_drop(l->rights + k, l->nrights - k);
	l->nrights = 0;
	ux_msg_free(l);
	s->ux->rleft = NULL;
}

/* A saved receive whose message carries capabilities: taken only if the
 * answer arrived. */
static void ux_recv_saved(struct sock *s, struct waiter *w, size_t len, uint64_t words[4], size_t taken)
{
	struct ux_msg *m = rx_rights->ux, *rest;
	unsigned now;

	rights_plan(m, w->n, &now, &rest, &words[3]);
	if (srv_answer_saved_caps(w->reply, E_OK, len, now, m->rights, words[0], words[1], words[2], words[3])) {
		if (rest) {
			rest->nrights = 0;               /* still m's */
			ux_msg_free(rest);
		}
		return;
	}
	for (unsigned i = 0; i < now; i++)
		cairn_cap_delete(m->rights[i]);
	rights_done(s, m, now, rest);
	take(s, taken);
}

static void ux_name(struct srv_req *r, struct srv_ans *a, struct sock *s)
{
	const struct ux_name *n = NULL;

	if (r->w[0] == 0) {
		n = s->ux ? &s->ux->name : NULL;
	} else if (s->peer) {
		n = s->peer->ux ? &s->peer->ux->name : NULL;
	} else if (s->ux && s->ux->dpeer) {
		n = &s->ux->dname;
	} else {
		a->err = ERR_NOTCONN;
		return;
	}
	a->w[0] = a->nbytes = ux_addr_out(n, net_out);
}

static void ux_peercred(struct srv_ans *a, struct sock *s)
{
	struct ux_cred c = { 0, 65534, 65534 };    /* none: as Linux reports it */

	if (s->ux && s->ux->has_peer_cred)
		c = s->ux->peer_cred;
	memcpy(net_out, &c, sizeof(c));
	a->w[0] = a->nbytes = sizeof(c);
}

static bool ux_revents(struct sock *s, uint32_t *r)
{
	if (s->state == S_LISTEN) {
		if (s->acq)
			*r |= POLLIN | POLLRDNORM;
		return true;
	}
	if (s->ptype == SOCK_DGRAM && !s->peer) {
		if (s->rx || (s->ring && ring_rx_used(s->ring)))
			*r |= POLLIN | POLLRDNORM;
		*r |= POLLOUT | POLLWRNORM;
		return true;
	}
	return false;
}
