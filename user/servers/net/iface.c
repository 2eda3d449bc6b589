/* SPDX-License-Identifier: MIT */
/*
 * The interfaces (lo, eth0) as Linux shows them: their IFF_* flags, MTU
 * and counters, the ioctls sock.c leaves (SIOCGIFCONF, SIOCGIFTXQLEN,
 * SIOCGIFMETRIC, SIOCGIFMAP and the SIOCSIF* that change an interface),
 * and the texts of /proc/net/dev, /proc/net/if_inet6 and /proc/net/route,
 * and the sockets' /proc/net/tcp, tcp6, udp and udp6 (NET_PROCNET, asked
 * by the VFS: include/cairn/sock.h).
 *
 * Counters. eth0's are link.c's (frames to and from the driver, with
 * their Ethernet headers, as Linux counts them). The loopback's are
 * counted here: every packet lwIP delivers from its loopback queue (to
 * 127.0.0.1, ::1, or an address of its own, which Linux also sends
 * through lo) passes ip4_input or ip6_input while after() runs that
 * queue (net_loop_polling), where lwIP's input hooks (port/hooks.h) count
 * it, once as sent and once as received, as Linux's lo does.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/ioctl.h>
#include <netinet/in.h>
#include <net/if.h>
#include <net/if_arp.h>
#include "net.h"
#include "hooks.h"
#include "lwip/udp.h"
#include "lwip/priv/tcp_priv.h"

#define TXQLEN  1000

bool net_loop_polling;
static struct if_stats lo_stats;

int net_loop_input(struct pbuf *p)
{
	if (net_loop_polling) {
		lo_stats.rx_packets++;
		lo_stats.rx_bytes += p->tot_len;
		lo_stats.tx_packets++;
		lo_stats.tx_bytes += p->tot_len;
	}
	return 0;                                    /* lwIP goes on with it */
}

struct netif *iface_next(const struct netif *prev)
{
	struct netif *n, *best = NULL;
	u8_t after = prev ? netif_get_index(prev) : 0;

	NETIF_FOREACH(n)
		if (netif_get_index(n) > after && (!best || netif_get_index(n) < netif_get_index(best)))
			best = n;
	return best;
}

bool iface_is_lo(const struct netif *n)
{
	return n->name[0] == 'l' && n->name[1] == 'o';
}

uint32_t iface_flags(const struct netif *n)
{
	bool up = netif_is_up(n), running = up && netif_is_link_up(n);

	return (up ? IFF_UP : 0) | (running ? IFF_RUNNING | IFF_LOWER_UP : 0) |
	       ((n->flags & NETIF_FLAG_BROADCAST) ? IFF_BROADCAST : 0) |
	       ((n->flags & NETIF_FLAG_IGMP) ? IFF_MULTICAST : 0) | (iface_is_lo(n) ? IFF_LOOPBACK : 0);
}

unsigned iface_mtu(const struct netif *n)
{
	return n->mtu ? n->mtu : 65536;
}

unsigned iface_prefix4(const struct netif *n)
{
	return (unsigned)__builtin_popcount(ip4_addr_get_u32(netif_ip4_netmask(n)));
}

void iface_stats(const struct netif *n, struct if_stats *st)
{
	if (iface_is_lo(n))
		*st = lo_stats;
	else if (n == &net_if && net_have_if)
		link_stats(st);
	else
		memset(st, 0, sizeof(*st));
}

struct netif *iface_by_name(const char *name)
{
	struct netif *n;
	char b[IFNAMSIZ];

	NETIF_FOREACH(n) {
		net_if_name(n, b);
		if (!strncmp(b, name, IFNAMSIZ))
			return n;
	}
	return NULL;
}

err_t iface_set4(struct netif *n, const ip4_addr_t *addr, const ip4_addr_t *mask)
{
	ip4_addr_t gw;

	if (iface_is_lo(n))
		return ERR_OPNOTSUPP;                /* lwIP's loopback keeps 127.0.0.1 */
	ip4_addr_copy(gw, *netif_ip4_gw(n));     /* (dhcp_stop clears DHCP's) */
	if (netif_dhcp_data(n))
		dhcp_stop(n);                        /* an address set by hand stays */
	if (ip4_addr_isany(addr) || !ip4_addr_netcmp(&gw, addr, mask))
		ip4_addr_set_zero(&gw);              /* the gateway must be on the new network */
	netif_set_addr(n, addr, mask, &gw);
	return E_OK;
}

/* SIOCGIFCONF: an ifreq (name, IPv4 address) for each interface that has
 * an IPv4 address, as Linux; the client copies what its buffer takes. */
static err_t ifconf(uint8_t *out, size_t *nout)
{
	struct netif *n;
	size_t len = 0;

	IFACES(n) {
		struct ifreq ifr;
		struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;

		if (ip4_addr_isany_val(*netif_ip4_addr(n)) || len + sizeof(ifr) > POSIX_INLINE_MAX)
			continue;
		memset(&ifr, 0, sizeof(ifr));
		net_if_name(n, ifr.ifr_name);
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = ip4_addr_get_u32(netif_ip4_addr(n));
		memcpy(out + len, &ifr, sizeof(ifr));
		len += sizeof(ifr);
	}
	*nout = len;
	return E_OK;
}

err_t iface_ioctl(uint64_t req, uint64_t arg, const uint8_t *in, size_t nin, uint8_t *out, size_t *nout)
{
	struct ifreq ifr;
	struct netif *n;
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&ifr.ifr_addr;

	(void)arg;
	if (req == SIOCGIFCONF)
		return ifconf(out, nout);
	switch (req) {
	case SIOCGIFTXQLEN: case SIOCGIFMETRIC: case SIOCGIFMAP: case SIOCSIFFLAGS: case SIOCSIFADDR:
	case SIOCSIFNETMASK: case SIOCSIFMTU: case SIOCSIFBRDADDR:
		break;
	default:
		return ERR_NOTTY;
	}
	if (nin < sizeof(ifr))
		return ERR_INVAL;
	memcpy(&ifr, in, sizeof(ifr));
	ifr.ifr_name[IFNAMSIZ - 1] = 0;
	if (!(n = iface_by_name(ifr.ifr_name)))
		return ERR_NODEV;
	switch (req) {
	case SIOCGIFTXQLEN: case SIOCGIFMETRIC: case SIOCGIFMAP:
		memset(&ifr.ifr_ifru, 0, sizeof(ifr.ifr_ifru));
		if (req == SIOCGIFTXQLEN)
			ifr.ifr_qlen = TXQLEN;
		memcpy(out, &ifr, sizeof(ifr));
		*nout = sizeof(ifr);
		return E_OK;
	case SIOCSIFFLAGS:
		if ((ifr.ifr_flags & IFF_UP) && !netif_is_up(n))
			netif_set_up(n);
		else if (!(ifr.ifr_flags & IFF_UP) && netif_is_up(n))
			netif_set_down(n);
		return E_OK;
	case SIOCSIFMTU:
		if (ifr.ifr_mtu < 68 || ifr.ifr_mtu > (int)NET_MTU || iface_is_lo(n))
			return ERR_INVAL;                /* no larger than the device's frames */
		n->mtu = (u16_t)ifr.ifr_mtu;
		n->mtu6 = (u16_t)ifr.ifr_mtu;
		return E_OK;
	case SIOCSIFBRDADDR:
		return E_OK;                         /* lwIP's broadcast follows the netmask */
	default: {                                   /* SIOCSIFADDR, SIOCSIFNETMASK */
		ip4_addr_t a, m;

		if (sin->sin_family != AF_INET)
			return ERR_INVAL;
		ip4_addr_set_u32(&a, sin->sin_addr.s_addr);
		if (req == SIOCSIFNETMASK) {
			uint32_t v = lwip_ntohl(sin->sin_addr.s_addr);

			if (v & ~(v ? 0xffffffffu << __builtin_ctz(v) : 0))
				return ERR_INVAL;            /* not a prefix */
			return iface_set4(n, netif_ip4_addr(n), &a);
		}
		/* a new address: the netmask of its class, as Linux (ifconfig sets its own after) */
		ip4_addr_copy(m, *netif_ip4_netmask(n));
		if (ip4_addr_isany_val(m))
			ip4_addr_set_u32(&m, IP_CLASSA(lwip_ntohl(sin->sin_addr.s_addr)) ? PP_HTONL(0xff000000u) :
					      IP_CLASSB(lwip_ntohl(sin->sin_addr.s_addr)) ? PP_HTONL(0xffff0000u) :
											       PP_HTONL(0xffffff00u));
		return iface_set4(n, &a, &m);
	}
	}
}

/* ---- /proc/net ------------------------------------------------------------------------------- */

struct text {
	char *buf;
	size_t len, max;
};

static void put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (t->len + 1 >= t->max)
		return;
	va_start(ap, fmt);
	k = vsnprintf(t->buf + t->len, t->max - t->len, fmt, ap);
	va_end(ap);
	if (k > 0)
		t->len = (size_t)k < t->max - t->len ? t->len + (size_t)k : t->max - 1;
}

/* Linux's net/core/net-procfs.c */
static void proc_dev(struct text *t)
{
	struct netif *n;

	put(t, "Inter-|   Receive                                                |  Transmit\n"
	       " face |bytes    packets errs drop fifo frame compressed multicast|"
	       "bytes    packets errs drop fifo colls carrier compressed\n");
	IFACES(n) {
		struct if_stats st;
		char name[IFNAMSIZ];

		net_if_name(n, name);
		iface_stats(n, &st);
		put(t, "%6s:%8llu %7llu %4llu %4llu %4u %5u %10u %9u %8llu %7llu %4llu %4llu %4u %5u %7u %10u\n",
		    name, (unsigned long long)st.rx_bytes, (unsigned long long)st.rx_packets,
		    (unsigned long long)st.rx_errors, (unsigned long long)st.rx_dropped, 0u, 0u, 0u, 0u,
		    (unsigned long long)st.tx_bytes, (unsigned long long)st.tx_packets,
		    (unsigned long long)st.tx_errors, (unsigned long long)st.tx_dropped, 0u, 0u, 0u, 0u);
	}
}

/* Linux's net/ipv6/addrconf.c, if6_seq_show */
static void proc_if_inet6(struct text *t)
{
	struct netif *n;

	IFACES(n) {
		char name[IFNAMSIZ];

		net_if_name(n, name);
		for (int i = 0; i < LWIP_IPV6_NUM_ADDRESSES; i++) {
			const ip6_addr_t *a = netif_ip6_addr(n, i);
			u8_t state = netif_ip6_addr_state(n, i);
			const uint8_t *b = (const uint8_t *)a->addr;
			unsigned scope = ip6_addr_isloopback(a) ? 0x10 : ip6_addr_islinklocal(a) ? 0x20 : 0;
			unsigned flags = ip6_addr_istentative(state) ? 0x40 : 0;

			if (ip6_addr_isinvalid(state))
				continue;
			if (ip6_addr_life_isstatic(netif_ip6_addr_valid_life(n, i)))
				flags |= 0x80;               /* IFA_F_PERMANENT */
			for (int k = 0; k < 16; k++)
				put(t, "%02x", b[k]);
			put(t, " %02x %02x %02x %02x %8s\n", netif_get_index(n), ip6_addr_isloopback(a) ? 128 : 64,
			    scope, flags, name);
		}
	}
}

/* Linux's net/ipv4/fib_trie.c, fib_route_seq_show: each line 127 columns */
static void route_line(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void route_line(struct text *t, const char *fmt, ...)
{
	size_t start = t->len;
	va_list ap;
	int k;

	if (t->len + 129 >= t->max)
		return;
	va_start(ap, fmt);
	k = vsnprintf(t->buf + t->len, t->max - t->len, fmt, ap);
	va_end(ap);
	if (k < 0 || (size_t)k > 127)
		k = 127;
	t->len += (size_t)k;
	while (t->len - start < 127)
		t->buf[t->len++] = ' ';
	t->buf[t->len++] = '\n';
	t->buf[t->len] = 0;
}

static void proc_route(struct text *t)
{
	struct netif *n;

	route_line(t, "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT");
	IFACES(n) {
		uint32_t a = ip4_addr_get_u32(netif_ip4_addr(n)), m = ip4_addr_get_u32(netif_ip4_netmask(n));
		uint32_t gw = ip4_addr_get_u32(netif_ip4_gw(n));
		char name[IFNAMSIZ];

		if (!a || iface_is_lo(n) || !netif_is_up(n))
			continue;                        /* Linux's lo routes are in the local table */
		net_if_name(n, name);
		if (n == netif_default && gw)
			route_line(t, "%s\t%08X\t%08X\t%04X\t%d\t%u\t%d\t%08X\t%d\t%u\t%u", name, 0u, gw,
				   0x0003u /* RTF_UP | RTF_GATEWAY */, 0, 0u, 0, 0u, 0, 0u, 0u);
		route_line(t, "%s\t%08X\t%08X\t%04X\t%d\t%u\t%d\t%08X\t%d\t%u\t%u", name, a & m, 0u,
			   0x0001u /* RTF_UP */, 0, 0u, 0, m, 0, 0u, 0u);
	}
}

/* One address and port as Linux's /proc/net/tcp shows them: the address's
 * 32-bit words in memory order as hex (both arches little-endian, as
 * Linux's x86-64), the port in host order. */
static void sock_addr(struct text *t, const ip_addr_t *ip, u16_t port, bool v6)
{
	if (!v6) {
		put(t, "%08X:%04X", IP_IS_V4(ip) ? (unsigned)ip4_addr_get_u32(ip_2_ip4(ip)) : 0u, port);
		return;
	}
	if (IP_IS_V6(ip)) {
		const u32_t *w = ip_2_ip6(ip)->addr;

		put(t, "%08X%08X%08X%08X:%04X", (unsigned)w[0], (unsigned)w[1], (unsigned)w[2],
		    (unsigned)w[3], port);
	} else if (IP_IS_V4(ip) && !ip_addr_isany(ip)) {      /* ::ffff:a.b.c.d */
		put(t, "0000000000000000%08X%08X:%04X", (unsigned)PP_HTONL(0xffffu),
		    (unsigned)ip4_addr_get_u32(ip_2_ip4(ip)), port);
	} else {
		put(t, "00000000000000000000000000000000:%04X", port);
	}
}

/* Whether a pcb (its local address's type) belongs in the v6 file: an
 * AF_INET6 socket's, dual-stack ones included, as Linux's. */
static bool pcb_v6(const ip_addr_t *local)
{
	return IP_GET_TYPE(local) != IPADDR_TYPE_V4;
}

/* Linux's TCP_* state numbers for lwIP's */
static unsigned tcp_linux_state(enum tcp_state s)
{
	static const unsigned map[] = {
		[CLOSED] = 7, [LISTEN] = 10, [SYN_SENT] = 2, [SYN_RCVD] = 3, [ESTABLISHED] = 1,
		[FIN_WAIT_1] = 4, [FIN_WAIT_2] = 5, [CLOSE_WAIT] = 8, [CLOSING] = 11, [LAST_ACK] = 9,
		[TIME_WAIT] = 6,
	};
	return (unsigned)s < sizeof(map) / sizeof(map[0]) ? map[s] : 7;
}

/* One line of /proc/net/tcp or udp (Linux's tcp4_seq_show, udp4_format_sock). */
static void sock_line(struct text *t, unsigned *sl, const ip_addr_t *lip, u16_t lport, const ip_addr_t *rip,
		      u16_t rport, unsigned st, unsigned txq, bool v6)
{
	if (t->len + 200 >= t->max)
		return;                                  /* whole lines only */
	put(t, "%4u: ", (*sl)++);
	sock_addr(t, lip, lport, v6);
	put(t, " ");
	sock_addr(t, rip, rport, v6);
	put(t, " %02X %08X:%08X 00:00000000 00000000     0        0 0 1 0000000000000000\n", st, txq, 0u);
}

static void proc_tcp(struct text *t, bool v6)
{
	static const ip_addr_t any = IPADDR4_INIT(0);
	struct tcp_pcb *lists[] = { tcp_active_pcbs, tcp_tw_pcbs };
	unsigned sl = 0;

	put(t, v6 ? "  sl  local_address                         remote_address                        st"
		    " tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
		  : "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid"
		    "  timeout inode\n");
	for (struct tcp_pcb_listen *l = tcp_listen_pcbs.listen_pcbs; l; l = l->next)
		if (pcb_v6(&l->local_ip) == v6)
			sock_line(t, &sl, &l->local_ip, l->local_port, &any, 0, 10, 0, v6);
	for (unsigned i = 0; i < 2; i++)
		for (struct tcp_pcb *p = lists[i]; p; p = p->next)
			if (pcb_v6(&p->local_ip) == v6)
				sock_line(t, &sl, &p->local_ip, p->local_port, &p->remote_ip, p->remote_port,
					  tcp_linux_state(p->state), (unsigned)(TCP_SND_BUF - p->snd_buf), v6);
}

static void proc_udp(struct text *t, bool v6)
{
	unsigned sl = 0;

	put(t, v6 ? "  sl  local_address                         remote_address                        st"
		    " tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n"
		  : "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid"
		    "  timeout inode ref pointer drops\n");
	for (struct udp_pcb *p = udp_pcbs; p; p = p->next)
		if (pcb_v6(&p->local_ip) == v6)
			sock_line(t, &sl, &p->local_ip, p->local_port, &p->remote_ip, p->remote_port,
				  (p->flags & UDP_FLAGS_CONNECTED) ? 1 : 7, 0, v6);
}

/* Linux's net/unix/af_unix.c unix_seq_show: Num (here the socket's
 * badge), RefCount, Protocol, Flags (__SO_ACCEPTCON for a listener), Type,
 * St (SS_UNCONNECTED 1, SS_CONNECTED 3), Inode (none: 0), Path (an
 * abstract name with '@' first) */
static void unix_line(void *arg, uint64_t num, unsigned refs, unsigned type, bool listening, bool connected,
		      const struct ux_name *name)
{
	struct text *t = arg;

	if (t->len + 240 >= t->max)
		return;                                  /* whole lines only */
	put(t, "%016llx: %08X 00000000 %08X %04X %02X %5u", (unsigned long long)num, refs ? refs : 1u,
	    listening ? 0x10000u : 0u, type, connected ? 3u : 1u, 0u);
	if (name) {
		put(t, " %s", name->abstract ? "@" : "");
		for (unsigned i = name->abstract ? 1 : 0; i < name->len; i++)
			put(t, "%c", name->b[i] >= 0x20 && name->b[i] < 0x7f ? name->b[i] : '@');
	}
	put(t, "\n");
}

void iface_procnet(struct srv_req *r, struct srv_ans *a)
{
	static char whole[NET_PROC_MAX];
	struct text t = { whole, 0, sizeof(whole) };
	uint64_t off = r->w[1];

	switch (r->w[0]) {
	case NET_PROC_DEV: proc_dev(&t); break;
	case NET_PROC_IF_INET6: proc_if_inet6(&t); break;
	case NET_PROC_ROUTE: proc_route(&t); break;
	case NET_PROC_TCP: case NET_PROC_TCP6: proc_tcp(&t, r->w[0] == NET_PROC_TCP6); break;
	case NET_PROC_UDP: case NET_PROC_UDP6: proc_udp(&t, r->w[0] == NET_PROC_UDP6); break;
	case NET_PROC_UNIX:
		put(&t, "Num       RefCount Protocol Flags    Type St Inode Path\n");
		sock_each_unix(unix_line, &t);
		break;
	default: a->err = ERR_INVAL; return;
	}
	if (off > t.len)
		off = t.len;
	a->nbytes = t.len - off < POSIX_INLINE_MAX ? t.len - off : POSIX_INLINE_MAX;
	memcpy(net_out, whole + off, a->nbytes);
	a->w[0] = a->nbytes;
	a->w[1] = t.len;
}
