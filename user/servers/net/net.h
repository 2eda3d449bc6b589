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
/* ---- stats.c ---- */
/* The server's numbers as one line of text (NET_STATS): its length with the NUL */
size_t net_stats(char *buf, size_t max);
/* lwIP's error -> an errno */
err_t net_errno(err_t lwip_err);
/* An interface's Linux name ("lo", "eth0"): 16 bytes (IFNAMSIZ) */
void net_if_name(const struct netif *n, char out[16]);

#endif
