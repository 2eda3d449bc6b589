/* SPDX-License-Identifier: MIT */
/*
 * The network server's own declarations (user/servers/net, docs/net.md).
 *
 * Cairn's headers and lwIP's both name errors ERR_*: Cairn's are POSIX
 * errnos (include/cairn/err.h), lwIP's small negative numbers
 * (lwip/err.h), and a few names are in both. This header includes
 * Cairn's first, keeps the errno values of the shared names as E_*, and
 * then lets lwIP's names win: in this server ERR_OK, ERR_INPROGRESS,
 * ERR_ALREADY and ERR_ISCONN are lwIP's, and what goes to a client is an
 * errno (E_* or Cairn's other ERR_* names, which lwIP does not use).
 */
#ifndef NET_NET_H
#define NET_NET_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cairn/rt.h>
#include <cairn/sys.h>
#include <cairn/server.h>
#include <cairn/posix.h>
#include <cairn/sock.h>
#include <cairn/net.h>

enum {
	E_OK = 0,
	E_INPROGRESS = ERR_INPROGRESS,
	E_ALREADY = ERR_ALREADY,
	E_ISCONN = ERR_ISCONN,
};
#undef ERR_OK
#undef ERR_INPROGRESS
#undef ERR_ALREADY
#undef ERR_ISCONN

#include "lwip/init.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/tcp.h"
#include "lwip/udp.h"
#include "lwip/raw.h"
#include "lwip/ip.h"
#include "lwip/dhcp.h"
#include "lwip/dns.h"
#include "lwip/timeouts.h"
#include "lwip/sys.h"
#include "lwip/etharp.h"
#include "lwip/ethip6.h"
#include "lwip/nd6.h"
#include "netif/ethernet.h"

/* Relay bits (the skeleton's relay thread, one Notification) */
#define LINK_BIT    1ull      /* the driver: frames received or sent */
#define TIMER_BIT   2ull      /* lwIP's next timeout is due */
#define GONE_BIT    4ull      /* a client died (srv_watch) */

/* ---- main.c ---- */
extern struct netif net_if;              /* the Ethernet interface (when there is a device) */
extern bool net_have_if;
extern cap_t net_note;                   /* the relay's Notification */
extern uint8_t *net_in;                  /* a request's inline bytes (srv.in_buf) */
extern uint8_t *net_out;                 /* an answer's inline bytes (srv.out_buf) */
uint64_t net_now_ms(void);
/* lwIP may have new timeouts: the timer is set for the earliest. */
void net_timer_update(void);

/* ---- link.c: the frame protocol's client (include/cairn/net.h) ---- */
/* Attaches to the driver's svc and adds the interface (not up yet). */
err_t link_open(cap_t svc, struct netif *nif);
/* Takes received frames into lwIP and sent buffers back; arms the signal. */
void link_poll(void);
/* Frames received, sent, and not sent for want of a buffer. */
void link_counts(unsigned long *rx, unsigned long *tx, unsigned long *tx_dropped);

/* ---- sock.c: sockets ---- */
err_t sock_init(void);
extern const struct srv_op sock_ops[];
extern const unsigned sock_nops;
err_t sock_object(struct srv_req *r);
void sock_gone(uint64_t badge);
/* Answers and signals for the sockets lwIP changed: whether there were any. */
bool sock_after(void);
void sock_answered(struct srv_ans *a, err_t sent);
/* Sockets open (all: the table's entries) */
unsigned sock_count(bool all);
void sock_ring_counts(unsigned long *made, unsigned long *drops);
/* ---- stats.c ---- */
/* The server's numbers as one line of text (NET_STATS): its length with the NUL */
size_t net_stats(char *buf, size_t max);
/* lwIP's error -> an errno */
err_t net_errno(err_t lwip_err);
/* An interface's Linux name ("lo", "eth0"): 16 bytes (IFNAMSIZ) */
void net_if_name(const struct netif *n, char out[16]);
/* For netlink.c: a message into socket s's receive queue (taken) */
struct sock;
void sock_queue(struct sock *s, struct pbuf *p);

/* ---- iface.c: the interfaces' flags, counters, ioctls and /proc/net texts ---- */
struct if_stats {
	uint64_t rx_packets, rx_bytes, rx_errors, rx_dropped;
	uint64_t tx_packets, tx_bytes, tx_errors, tx_dropped;
};
bool iface_is_lo(const struct netif *n);
struct netif *iface_by_name(const char *name);       /* NULL: none */
/* The interfaces in the order of their index, as Linux lists them (lwIP's
 * list has the newest first): IFACES(n) { ... } */
struct netif *iface_next(const struct netif *prev);
#define IFACES(n) for ((n) = iface_next(NULL); (n); (n) = iface_next(n))
/* SIOCGIFFLAGS's and ifi_flags's IFF_* */
uint32_t iface_flags(const struct netif *n);
unsigned iface_mtu(const struct netif *n);
unsigned iface_prefix4(const struct netif *n);     /* the IPv4 netmask's length */
void iface_stats(const struct netif *n, struct if_stats *st);
/* The ioctls sock.c does not answer (SIOCGIFCONF, SIOCGIFTXQLEN, SIOCSIF*...):
 * ERR_NOTTY for an unknown one. in: nin bytes; the answer to out, *nout. */
err_t iface_ioctl(uint64_t req, uint64_t arg, const uint8_t *in, size_t nin, uint8_t *out, size_t *nout);
/* An IPv4 address change (SIOCSIFADDR, RTM_NEWADDR): DHCP stops on n */
err_t iface_set4(struct netif *n, const ip4_addr_t *addr, const ip4_addr_t *mask);
/* NET_PROCNET */
void iface_procnet(struct srv_req *r, struct srv_ans *a);
struct ux_name;
/* Each AF_UNIX socket for /proc/net/unix (sock.c): fn(arg, its number,
 * references, SOCK_* type, listening, connected, its name or NULL) */
void sock_each_unix(void (*fn)(void *arg, uint64_t num, unsigned refs, unsigned type, bool listening,
			       bool connected, const struct ux_name *name), void *arg);
/* LWIP_HOOK_IP4_INPUT/IP6_INPUT (port/hooks.h): counts the loopback's
 * packets while after() runs its queue (net_loop_polling) */
extern bool net_loop_polling;

/* ---- link.c's counters (eth0) ---- */
void link_stats(struct if_stats *st);

/* ---- netlink.c: AF_NETLINK sockets, NETLINK_ROUTE (include/cairn/netlink.h) ---- */
/* socket(AF_NETLINK, type, proto)'s checks */
err_t nl_check(uint64_t type, uint64_t proto);
err_t nl_bind(const struct sock *s, const uint8_t *addr, uint64_t len);
err_t nl_connect(const struct sock *s, const uint8_t *addr, uint64_t len);
/* this end's struct sockaddr_nl (peer: the kernel's, the server's) at out: its length */
size_t nl_name(const struct sock *s, bool peer, uint8_t *out);
/* A datagram of requests to the kernel; the answers go into s's queue,
 * room bytes at most (its SO_RCVBUF less what it holds) */
err_t nl_send(struct sock *s, size_t room, const uint8_t *addr, uint64_t alen, const uint8_t *data, size_t n);
void nl_close(const struct sock *s);

/* ---- unix.c: AF_UNIX names, keys, capabilities in flight, credentials ---- */
struct ux_name {                         /* a bound name */
	bool abstract;
	uint8_t len;                         /* bytes of b: a path without its NUL, or abstract */
	uint8_t b[108];
	uint64_t key;                        /* a path's key (its node's st_rdev) */
};
struct ux_cred { uint32_t pid, uid, gid; };
struct unx {                             /* an AF_UNIX socket's own (sock.c: s->ux) */
	void *sock;
	struct ux_name name;
	bool named;                          /* in the name table */
	bool has_peer_cred;
	uint8_t type;                        /* SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET */
	struct ux_cred cred, peer_cred;
	uint64_t dpeer;                      /* a connected datagram socket: the target's badge */
	struct ux_name dname;                /* ... and its name */
	/* SCM_RIGHTS past SOCK_RIGHTS_MAX a message: what a sender staged
	 * (SOCK_UX_STAGE, under stage_token) and what a receive left for
	 * its SOCK_RECV_RIGHTS (SOCK_RIGHTS_MORE) */
	struct ux_msg *stage, *rleft;
	uint32_t stage_token;
	struct unx *next;                    /* the name table */
};
struct ux_msg {                          /* what a queued message carries besides bytes */
	struct ux_name from;                 /* the sender's name (datagrams) */
	bool has_from;
	unsigned nrights;
	cap_t rights[];                      /* SCM_RIGHTS: the server's copies (nrights) */
};
extern unsigned long ux_lost;            /* releases the async ring had no room for */
void ux_init(void);
/* A sockaddr_un (len bytes at b) -> a name. ERR_INVAL: not AF_UNIX, bad length.
 * len 2: no name (bind: autobind). */
err_t ux_parse(const uint8_t *b, uint64_t len, struct ux_name *n);
/* The sockaddr_un of name n (NULL: unnamed) at out: its length (Linux's). */
size_t ux_addr_out(const struct ux_name *n, uint8_t *out);
struct unx *ux_lookup(const struct ux_name *n);
/* Binds u to n (a path gets a new key in u->name.key; no name: an
 * autobind name). ERR_ADDRINUSE: an abstract name taken. */
err_t ux_register(struct unx *u, const struct ux_name *n);
void ux_unregister(struct unx *u);
bool ux_ext(const struct srv_req *r, uint64_t alen, struct sock_ux *x);
/* The capabilities of m go back to their servers (IO_CLOSE, not waited for). */
void ux_rights_release(struct ux_msg *m);
void ux_msg_free(struct ux_msg *m);

#endif
