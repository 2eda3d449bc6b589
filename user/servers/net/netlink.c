/* SPDX-License-Identifier: MIT */
/*
 * Netlink sockets: socket(AF_NETLINK, SOCK_RAW or SOCK_DGRAM,
 * NETLINK_ROUTE), the rtnetlink requests busybox's ip and musl's
 * getifaddrs/if_nameindex send (include/cairn/netlink.h, docs/net.md
 * "Netlink"). The server plays Linux's kernel, port 0.
 *
 * A socket is sock.c's (K_NETLINK: no lwIP pcb); what this file keeps of
 * it is its port id (nl_pid), bound by bind() or on first use. A send is
 * a datagram of requests; each is answered at once into the socket's
 * receive queue (sock_queue), in datagrams of at most NL_DGRAM bytes, so
 * a recv after the send finds them, MSG_DONTWAIT or not (musl's
 * getifaddrs reads so):
 * - RTM_GETLINK, RTM_GETADDR, RTM_GETROUTE with NLM_F_DUMP: every link,
 *   address (IPv4 and IPv6; rtgen_family AF_INET or AF_INET6 picks one),
 *   route (main table and local table), as RTM_NEW* with NLM_F_MULTI,
 *   then NLMSG_DONE. RTM_GETLINK without it: one link, by ifi_index or
 *   IFLA_IFNAME.
 * - RTM_NEWADDR, RTM_DELADDR: an IPv4 address (lwIP keeps one an
 *   interface: a new one replaces it, and DHCP stops there), IPv6 ones.
 * - anything else: NLMSG_ERROR with -EOPNOTSUPP; a message without
 *   NLM_F_REQUEST is ignored and a control message (type below
 *   NLMSG_MIN_TYPE) acknowledged, as Linux. An error message carries the
 *   request's header only (NLM_F_CAPPED, as with NETLINK_CAP_ACK).
 * Lengths are checked as Linux checks them: a message whose nlmsg_len is
 * short or runs past the datagram ends the datagram; an attribute that
 * runs past its message ends the attributes. Answers that would go past
 * the socket's SO_RCVBUF make the send ENOBUFS (Linux would report the
 * overrun on a later recv).
 * No multicast groups (nl_groups is kept and reported, nothing is ever
 * sent to it), no messages between sockets (a send to a port other than
 * 0 is ECONNREFUSED).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <cairn/netlink.h>
#include "net.h"
#include "lwip/priv/nd6_priv.h"
#include "lwip/prot/dhcp.h"

#define NL_DGRAM    (SOCK_DATA_MAX & ~7u)   /* the longest datagram of answers */
#define NL_MSG      1024u                   /* the longest answer message */
#define NLM_F_CAPPED 0x100                  /* an error's request header only */
#define LIFE_FOREVER 0xffffffffu
#define TXQLEN      1000u
#define RTM_MAX_    123u                    /* Linux 6.1's RTM_MAX */

/* ---- ports ----------------------------------------------------------------------------------- */

struct port {
	const struct sock *owner;
	uint32_t pid, groups;
};

static struct port *ports;
static size_t nports, ports_cap;
static uint32_t next_pid = 0x80000000u;

static struct port *port_of(const struct sock *s)
{
	for (size_t i = 0; i < nports; i++)
		if (ports[i].owner == s)
			return &ports[i];
	return NULL;
}

static bool pid_used(uint32_t pid)
{
	for (size_t i = 0; i < nports; i++)
		if (ports[i].pid == pid)
			return true;
	return pid == 0;
}

static struct port *port_add(const struct sock *s, uint32_t pid)
{
	if (nports == ports_cap) {
		size_t cap = ports_cap ? ports_cap * 2 : 16;
		struct port *p = realloc(ports, cap * sizeof(*p));

		if (!p)
			return NULL;
		ports = p;
		ports_cap = cap;
	}
	if (!pid) {                                  /* Linux picks a unique one too */
		do
			pid = next_pid++ | 0x80000000u;
		while (pid_used(pid));
	}
	ports[nports] = (struct port){ s, pid, 0 };
	return &ports[nports++];
}

/* The socket's port, bound now if it has none. */
static struct port *autobind(const struct sock *s)
{
	struct port *p = port_of(s);

	return p ? p : port_add(s, 0);
}

void nl_close(const struct sock *s)
{
	struct port *p = port_of(s);

	if (p)
		*p = ports[--nports];
}

err_t nl_check(uint64_t type, uint64_t proto)
{
	if (type != SOCK_RAW && type != SOCK_DGRAM)
		return ERR_SOCKTNOSUPPORT;
	return proto == NETLINK_ROUTE ? E_OK : ERR_PROTONOSUPPORT;
}

static err_t addr_nl(const uint8_t *addr, uint64_t len, struct sockaddr_nl *sa)
{
	if (len < sizeof(*sa))
		return ERR_INVAL;
	memcpy(sa, addr, sizeof(*sa));
	return sa->nl_family == AF_NETLINK ? E_OK : ERR_INVAL;
}

err_t nl_bind(const struct sock *s, const uint8_t *addr, uint64_t len)
{
	struct sockaddr_nl sa;
	struct port *p = port_of(s);
	err_t e;

	if ((e = addr_nl(addr, len, &sa)))
		return e;
	if (p) {                                     /* bound: the same port again is fine */
		if (sa.nl_pid && sa.nl_pid != p->pid)
			return ERR_INVAL;
	} else {
		if (sa.nl_pid && pid_used(sa.nl_pid))
			return ERR_ADDRINUSE;
		if (!(p = port_add(s, sa.nl_pid)))
			return ERR_NOMEM;
	}
	p->groups = sa.nl_groups;
	return E_OK;
}

err_t nl_connect(const struct sock *s, const uint8_t *addr, uint64_t len)
{
	struct sockaddr_nl sa;
	err_t e;

	if ((e = addr_nl(addr, len, &sa)))
		return e;
	if (sa.nl_pid)
		return ERR_CONNREFUSED;              /* only the kernel answers here */
	return autobind(s) ? E_OK : ERR_NOMEM;
}

size_t nl_name(const struct sock *s, bool peer, uint8_t *out)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	const struct port *p = peer ? NULL : autobind(s);

	if (p) {
		sa.nl_pid = p->pid;
		sa.nl_groups = p->groups;
	}
	memcpy(out, &sa, sizeof(sa));
	return sizeof(sa);
}

/* ---- building answers ------------------------------------------------------------------------ */

static struct {
	struct sock *s;
	uint32_t pid, seq;
	size_t room;                                 /* what the socket's queue may still take */
	err_t err;
	uint8_t dgram[NL_DGRAM];
	size_t len;                                  /* of dgram */
	uint8_t msg[NL_MSG];
	size_t mlen;                                 /* of msg, 0: none begun */
} b;

static void flush(void)
{
	struct pbuf *p;

	if (!b.len)
		return;
	if (b.len > b.room || !(p = pbuf_alloc(PBUF_RAW, (u16_t)b.len, PBUF_RAM))) {
		b.err = ERR_NOBUFS;
	} else {
		pbuf_take(p, b.dgram, (u16_t)b.len);
		sock_queue(b.s, p);
		b.room -= b.len;
	}
	b.len = 0;
}

static void begin(uint16_t type, uint16_t flags, const void *fixed, size_t n)
{
	struct nlmsghdr h = { 0, type, flags, b.seq, b.pid };

	memcpy(b.msg, &h, sizeof(h));
	memset(b.msg + sizeof(h), 0, NLMSG_ALIGN(n));
	memcpy(b.msg + sizeof(h), fixed, n);
	b.mlen = sizeof(h) + NLMSG_ALIGN(n);
}

static void attr(uint16_t type, const void *data, size_t n)
{
	struct rtattr a = { (unsigned short)RTA_LENGTH(n), type };

	if (b.mlen + RTA_SPACE(n) > sizeof(b.msg)) {
		b.err = ERR_NOBUFS;                  /* never: the messages are small */
		return;
	}
	memcpy(b.msg + b.mlen, &a, sizeof(a));
	memset(b.msg + b.mlen + sizeof(a), 0, RTA_SPACE(n) - sizeof(a));
	memcpy(b.msg + b.mlen + sizeof(a), data, n);
	b.mlen += RTA_SPACE(n);
}

static void attr_u32(uint16_t type, uint32_t v) { attr(type, &v, 4); }
static void attr_u8(uint16_t type, uint8_t v) { attr(type, &v, 1); }
static void attr_str(uint16_t type, const char *s) { attr(type, s, strlen(s) + 1); }

static void end(void)
{
	uint32_t len = (uint32_t)b.mlen;

	memcpy(b.msg, &len, 4);
	if (b.len + b.mlen > sizeof(b.dgram))
		flush();
	memcpy(b.dgram + b.len, b.msg, b.mlen);
	b.len += b.mlen;
	b.mlen = 0;
}

/* NLMSG_ERROR: err an errno (0: the acknowledgement) */
static void answer_error(const struct nlmsghdr *req, err_t err)
{
	struct nlmsgerr e = { -(int)err, *req };

	begin(NLMSG_ERROR, NLM_F_CAPPED, &e, sizeof(e));
	end();
}

static void answer_done(void)
{
	int32_t zero = 0;

	begin(NLMSG_DONE, NLM_F_MULTI, &zero, sizeof(zero));
	end();
}

/* ---- links ----------------------------------------------------------------------------------- */

static void put_link(struct netif *n, uint16_t flags)
{
	static const uint8_t zero[6], bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	bool lo = iface_is_lo(n);
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_type = lo ? ARPHRD_LOOPBACK : ARPHRD_ETHER,
				 .ifi_index = netif_get_index(n), .ifi_flags = iface_flags(n) };
	struct if_stats st;
	uint64_t s64[LINK_STATS64_N] = { 0 };
	uint32_t s32[LINK_STATS_N] = { 0 };
	char name[IFNAMSIZ];

	net_if_name(n, name);
	iface_stats(n, &st);
	s64[LINK_RX_PACKETS] = st.rx_packets;
	s64[LINK_TX_PACKETS] = st.tx_packets;
	s64[LINK_RX_BYTES] = st.rx_bytes;
	s64[LINK_TX_BYTES] = st.tx_bytes;
	s64[LINK_RX_ERRORS] = st.rx_errors;
	s64[LINK_TX_ERRORS] = st.tx_errors;
	s64[LINK_RX_DROPPED] = st.rx_dropped;
	s64[LINK_TX_DROPPED] = st.tx_dropped;
	for (unsigned i = 0; i < LINK_STATS_N; i++)
		s32[i] = (uint32_t)s64[i];
	begin(RTM_NEWLINK, flags, &ifi, sizeof(ifi));
	attr_str(IFLA_IFNAME, name);
	attr_u32(IFLA_TXQLEN, TXQLEN);
	attr_u8(IFLA_OPERSTATE, lo ? IF_OPER_UNKNOWN :
		netif_is_up(n) && netif_is_link_up(n) ? IF_OPER_UP : IF_OPER_DOWN);
	attr_u8(IFLA_LINKMODE, 0);
	attr_u32(IFLA_MTU, iface_mtu(n));
	attr_u32(IFLA_MIN_MTU, lo ? 0 : 68);
	attr_u32(IFLA_MAX_MTU, iface_mtu(n));
	attr_u32(IFLA_GROUP, 0);
	attr_u32(IFLA_PROMISCUITY, 0);
	attr_u32(IFLA_NUM_TX_QUEUES, 1);
	attr_u32(IFLA_NUM_RX_QUEUES, 1);
	attr_u8(IFLA_CARRIER, netif_is_link_up(n) ? 1 : 0);
	attr_str(IFLA_QDISC, "noqueue");         /* lwIP sends at once: no queueing discipline */
	attr(IFLA_ADDRESS, n->hwaddr_len == 6 ? n->hwaddr : zero, 6);
	attr(IFLA_BROADCAST, lo ? zero : bcast, 6);
	attr(IFLA_STATS64, s64, sizeof(s64));
	attr(IFLA_STATS, s32, sizeof(s32));
	end();
}

/* The attributes after a request's fixed part of n bytes: the first of type, or NULL */
static const struct rtattr *find_attr(const uint8_t *p, size_t plen, size_t fixed, uint16_t type, size_t *len)
{
	static struct rtattr a;
	size_t off = NLMSG_ALIGN(fixed);

	while (off + sizeof(a) <= plen) {
		memcpy(&a, p + off, sizeof(a));
		if (a.rta_len < sizeof(a) || a.rta_len > plen - off)
			return NULL;
		if (a.rta_type == type) {
			*len = a.rta_len - sizeof(a);
			return (const struct rtattr *)(p + off);
		}
		off += RTA_ALIGN(a.rta_len);
	}
	return NULL;
}

/* RTM_GETLINK without NLM_F_DUMP: the link of ifi_index, or of IFLA_IFNAME */
static err_t get_link(const uint8_t *p, size_t plen)
{
	struct ifinfomsg ifi;
	const struct rtattr *a;
	struct netif *n = NULL;
	size_t len;

	if (plen < sizeof(ifi))
		return ERR_INVAL;
	memcpy(&ifi, p, sizeof(ifi));
	if (ifi.ifi_index > 0) {
		n = ifi.ifi_index <= 255 ? netif_get_by_index((u8_t)ifi.ifi_index) : NULL;
	} else if ((a = find_attr(p, plen, sizeof(ifi), IFLA_IFNAME, &len))) {
		char want[IFNAMSIZ] = { 0 };

		memcpy(want, (const uint8_t *)a + sizeof(*a), len < IFNAMSIZ - 1 ? len : IFNAMSIZ - 1);
		n = iface_by_name(want);
	} else {
		return ERR_INVAL;
	}
	if (!n)
		return ERR_NODEV;
	put_link(n, 0);
	return E_OK;
}

/* ---- addresses ------------------------------------------------------------------------------- */

static void put_cacheinfo(uint32_t pref, uint32_t valid)
{
	struct ifa_cacheinfo ci = { pref, valid, 0, 0 };

	attr(IFA_CACHEINFO, &ci, sizeof(ci));
}

static void put_addr4(struct netif *n)
{
	bool lo = iface_is_lo(n);
	uint32_t a = ip4_addr_get_u32(netif_ip4_addr(n)), m = ip4_addr_get_u32(netif_ip4_netmask(n));
	struct ifaddrmsg ifa = { AF_INET, (uint8_t)iface_prefix4(n), IFA_F_PERMANENT,
				 ip4_addr_isloopback(netif_ip4_addr(n)) ? RT_SCOPE_HOST : RT_SCOPE_UNIVERSE,
				 netif_get_index(n) };
	uint32_t life = LIFE_FOREVER, brd = (a & m) | ~m;
	struct dhcp *d = netif_dhcp_data(n);
	char name[IFNAMSIZ];

	if (dhcp_supplied_address(n)) {
		ifa.ifa_flags = 0;                  /* "dynamic": the lease's */
		if (d && d->t0_timeout > d->lease_used)
			life = (uint32_t)(d->t0_timeout - d->lease_used) * DHCP_COARSE_TIMER_SECS;
	}
	net_if_name(n, name);
	begin(RTM_NEWADDR, NLM_F_MULTI, &ifa, sizeof(ifa));
	attr(IFA_ADDRESS, &a, 4);
	attr(IFA_LOCAL, &a, 4);
	if (!lo && ifa.ifa_prefixlen < 31)
		attr(IFA_BROADCAST, &brd, 4);
	attr_str(IFA_LABEL, name);
	attr_u32(IFA_FLAGS, ifa.ifa_flags);
	put_cacheinfo(life, life);
	end();
}

static void put_addr6(struct netif *n, int i)
{
	const ip6_addr_t *a = netif_ip6_addr(n, i);
	u8_t state = netif_ip6_addr_state(n, i);
	bool ll = ip6_addr_islinklocal(a), host = ip6_addr_isloopback(a);
	struct ifaddrmsg ifa = { AF_INET6, host ? 128 : 64, 0,
				 host ? RT_SCOPE_HOST : ll ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE,
				 netif_get_index(n) };
	uint32_t valid = LIFE_FOREVER, pref = LIFE_FOREVER;

	if (ip6_addr_istentative(state))
		ifa.ifa_flags |= IFA_F_TENTATIVE;
	if (ip6_addr_life_isstatic(netif_ip6_addr_valid_life(n, i))) {
		ifa.ifa_flags |= IFA_F_PERMANENT;    /* (lwIP's ::1 is "valid", not "preferred": not deprecated) */
	} else {                                     /* stateless autoconfiguration's */
		if (ip6_addr_isdeprecated(state))
			ifa.ifa_flags |= IFA_F_DEPRECATED;
		if (!ip6_addr_life_isinfinite(netif_ip6_addr_valid_life(n, i)))
			valid = netif_ip6_addr_valid_life(n, i);
		if (!ip6_addr_life_isinfinite(netif_ip6_addr_pref_life(n, i)))
			pref = netif_ip6_addr_pref_life(n, i);
	}
	begin(RTM_NEWADDR, NLM_F_MULTI, &ifa, sizeof(ifa));
	attr(IFA_ADDRESS, a->addr, 16);
	put_cacheinfo(pref, valid);
	attr_u32(IFA_FLAGS, ifa.ifa_flags);
	end();
}

static void dump_addrs(uint8_t family)
{
	struct netif *n;

	IFACES(n) {
		if (family != AF_INET6 && !ip4_addr_isany_val(*netif_ip4_addr(n)))
			put_addr4(n);
		if (family == AF_INET)
			continue;
		for (int i = 0; i < LWIP_IPV6_NUM_ADDRESSES; i++)
			if (!ip6_addr_isinvalid(netif_ip6_addr_state(n, i)))
				put_addr6(n, i);
	}
}

/* RTM_NEWADDR, RTM_DELADDR: an ifaddrmsg, IFA_LOCAL or IFA_ADDRESS */
static err_t change_addr(uint16_t type, uint16_t flags, const uint8_t *p, size_t plen)
{
	struct ifaddrmsg ifa;
	const struct rtattr *a;
	struct netif *n;
	size_t len;

	if (plen < sizeof(ifa))
		return ERR_INVAL;
	memcpy(&ifa, p, sizeof(ifa));
	if (!(n = ifa.ifa_index && ifa.ifa_index <= 255 ? netif_get_by_index((u8_t)ifa.ifa_index) : NULL))
		return ERR_NODEV;
	if (!(a = find_attr(p, plen, sizeof(ifa), IFA_LOCAL, &len)) &&
	    !(a = find_attr(p, plen, sizeof(ifa), IFA_ADDRESS, &len)))
		return ERR_INVAL;
	if (ifa.ifa_family == AF_INET) {
		ip4_addr_t ip, mask;
		uint32_t v;

		if (len != 4 || ifa.ifa_prefixlen > 32)
			return ERR_INVAL;
		memcpy(&v, (const uint8_t *)a + sizeof(*a), 4);
		ip4_addr_set_u32(&ip, v);
		if (type == RTM_DELADDR) {
			if (!ip4_addr_cmp(&ip, netif_ip4_addr(n)))
				return ERR_ADDRNOTAVAIL;
			return iface_set4(n, IP4_ADDR_ANY4, IP4_ADDR_ANY4);
		}
		if (ip4_addr_cmp(&ip, netif_ip4_addr(n)) && (flags & NLM_F_EXCL))
			return ERR_EXIST;
		ip4_addr_set_u32(&mask, ifa.ifa_prefixlen ? lwip_htonl(0xffffffffu << (32 - ifa.ifa_prefixlen)) : 0);
		return iface_set4(n, &ip, &mask);
	}
	if (ifa.ifa_family == AF_INET6) {
		ip6_addr_t ip;
		s8_t i;

		if (len != 16 || ifa.ifa_prefixlen > 128)
			return ERR_INVAL;
		memcpy(ip.addr, (const uint8_t *)a + sizeof(*a), 16);
		ip6_addr_clear_zone(&ip);
		ip6_addr_assign_zone(&ip, IP6_UNICAST, n);
		i = netif_get_ip6_addr_match(n, &ip);
		if (type == RTM_DELADDR) {
			if (i < 0)
				return ERR_ADDRNOTAVAIL;
			netif_ip6_addr_set_state(n, i, IP6_ADDR_INVALID);
			return E_OK;
		}
		if (i >= 0)
			return (flags & NLM_F_EXCL) ? ERR_EXIST : E_OK;
		if (netif_add_ip6_address(n, &ip, &i) != ERR_OK)
			return ERR_NOBUFS;               /* LWIP_IPV6_NUM_ADDRESSES in use */
		netif_ip6_addr_set_state(n, i, IP6_ADDR_PREFERRED);
		return E_OK;
	}
	return ERR_AFNOSUPPORT;
}

/* ---- routes ---------------------------------------------------------------------------------- */

static void put_route(uint8_t family, uint8_t table, uint8_t proto, uint8_t scope, uint8_t type,
		      const void *dst, unsigned dst_len, const void *gw, const void *src, struct netif *n,
		      uint32_t prio)
{
	struct rtmsg r = { .rtm_family = family, .rtm_dst_len = (unsigned char)dst_len, .rtm_table = table,
			   .rtm_protocol = proto, .rtm_scope = scope, .rtm_type = type };
	size_t alen = family == AF_INET ? 4 : 16;

	begin(RTM_NEWROUTE, NLM_F_MULTI, &r, sizeof(r));
	attr_u32(RTA_TABLE, table);
	if (dst)
		attr(RTA_DST, dst, alen);
	if (prio)
		attr_u32(RTA_PRIORITY, prio);
	if (src)
		attr(RTA_PREFSRC, src, alen);
	if (gw)
		attr(RTA_GATEWAY, gw, alen);
	attr_u32(RTA_OIF, netif_get_index(n));
	end();
}

static void routes4(struct netif *n)
{
	uint32_t a = ip4_addr_get_u32(netif_ip4_addr(n)), m = ip4_addr_get_u32(netif_ip4_netmask(n));
	uint32_t net = a & m, brd = net | ~m, gw = ip4_addr_get_u32(netif_ip4_gw(n));
	unsigned len = iface_prefix4(n);

	if (!a || !netif_is_up(n))
		return;
	if (iface_is_lo(n)) {
		put_route(AF_INET, RT_TABLE_LOCAL, RTPROT_KERNEL, RT_SCOPE_HOST, RTN_LOCAL, &net, len, NULL, &a, n, 0);
	} else {
		if (n == netif_default && gw)
			put_route(AF_INET, RT_TABLE_MAIN, dhcp_supplied_address(n) ? RTPROT_DHCP : RTPROT_STATIC,
				  RT_SCOPE_UNIVERSE, RTN_UNICAST, NULL, 0, &gw, NULL, n, 0);
		put_route(AF_INET, RT_TABLE_MAIN, RTPROT_KERNEL, RT_SCOPE_LINK, RTN_UNICAST, &net, len, NULL, &a, n, 0);
		if (len < 31)
			put_route(AF_INET, RT_TABLE_LOCAL, RTPROT_KERNEL, RT_SCOPE_LINK, RTN_BROADCAST, &brd, 32,
				  NULL, &a, n, 0);
	}
	put_route(AF_INET, RT_TABLE_LOCAL, RTPROT_KERNEL, RT_SCOPE_HOST, RTN_LOCAL, &a, 32, NULL, &a, n, 0);
}

static void routes6(struct netif *n)
{
	bool ll = false;

	if (!netif_is_up(n))
		return;
	for (int i = 0; i < LWIP_IPV6_NUM_ADDRESSES; i++) {
		const ip6_addr_t *a = netif_ip6_addr(n, i);

		if (!ip6_addr_isvalid(netif_ip6_addr_state(n, i)))
			continue;
		if (ip6_addr_isloopback(a))
			put_route(AF_INET6, RT_TABLE_MAIN, RTPROT_KERNEL, RT_SCOPE_UNIVERSE, RTN_UNICAST, a->addr, 128,
				  NULL, NULL, n, 256);
		else if (ip6_addr_islinklocal(a) && !ll) {
			static const uint8_t fe80[16] = { 0xfe, 0x80 };

			ll = true;
			put_route(AF_INET6, RT_TABLE_MAIN, RTPROT_KERNEL, RT_SCOPE_UNIVERSE, RTN_UNICAST, fe80, 64,
				  NULL, NULL, n, 256);
		}
	}
	for (int i = 0; i < LWIP_ND6_NUM_PREFIXES; i++)
		if (prefix_list[i].netif == n && prefix_list[i].invalidation_timer)
			put_route(AF_INET6, RT_TABLE_MAIN, RTPROT_RA, RT_SCOPE_UNIVERSE, RTN_UNICAST,
				  prefix_list[i].prefix.addr, 64, NULL, NULL, n, 256);
	for (int i = 0; i < LWIP_ND6_NUM_ROUTERS; i++) {
		const struct nd6_neighbor_cache_entry *r = default_router_list[i].neighbor_entry;

		if (r && r->netif == n && default_router_list[i].invalidation_timer)
			put_route(AF_INET6, RT_TABLE_MAIN, RTPROT_RA, RT_SCOPE_UNIVERSE, RTN_UNICAST, NULL, 0,
				  r->next_hop_address.addr, NULL, n, 1024);
	}
}

/* ---- requests -------------------------------------------------------------------------------- */

static void request(const struct nlmsghdr *h, const uint8_t *p, size_t plen)
{
	bool dump = (h->nlmsg_flags & NLM_F_DUMP) != 0;
	uint8_t family = plen ? p[0] : AF_UNSPEC;   /* struct rtgenmsg, or the fixed part's first byte */
	struct netif *n;
	err_t e = E_OK;

	b.seq = h->nlmsg_seq;
	if (!(h->nlmsg_flags & NLM_F_REQUEST))
		return;                                 /* not for the kernel: ignored */
	if (h->nlmsg_type > RTM_MAX_) {
		answer_error(h, ERR_OPNOTSUPP);
		return;
	}
	if (h->nlmsg_type < NLMSG_MIN_TYPE || !plen) {   /* as Linux: nothing to do */
		if (h->nlmsg_flags & NLM_F_ACK)
			answer_error(h, E_OK);
		return;
	}
	switch (h->nlmsg_type) {
	case RTM_GETLINK:
		if (!dump) {
			e = get_link(p, plen);
			break;
		}
		IFACES(n)
			put_link(n, NLM_F_MULTI);
		answer_done();
		return;
	case RTM_GETADDR:
	case RTM_GETROUTE:
		if (!dump) {
			e = ERR_OPNOTSUPP;                  /* ip route get: no lookups */
			break;
		}
		if (h->nlmsg_type == RTM_GETADDR) {
			dump_addrs(family);
		} else {
			IFACES(n) {
				if (family != AF_INET6)
					routes4(n);
				if (family != AF_INET)
					routes6(n);
			}
		}
		answer_done();
		return;
	case RTM_NEWADDR:
	case RTM_DELADDR:
		e = change_addr(h->nlmsg_type, h->nlmsg_flags, p, plen);
		break;
	default:
		e = ERR_OPNOTSUPP;
		break;
	}
	if (e || (h->nlmsg_flags & NLM_F_ACK))
		answer_error(h, e);
}

err_t nl_send(struct sock *s, size_t room, const uint8_t *addr, uint64_t alen, const uint8_t *data, size_t n)
{
	const struct port *pt;
	struct nlmsghdr h;
	size_t off = 0;
	err_t e;

	if (alen) {
		struct sockaddr_nl sa;

		if ((e = addr_nl(addr, alen, &sa)))
			return e;
		if (sa.nl_pid)
			return ERR_CONNREFUSED;             /* only the kernel answers here */
	}
	if (!(pt = autobind(s)))
		return ERR_NOMEM;
	if (!room)
		return ERR_NOBUFS;                      /* answers not read: no room for more */
	b.s = s;
	b.pid = pt->pid;
	b.room = room;
	b.err = E_OK;
	b.len = b.mlen = 0;
	while (n - off >= sizeof(h)) {
		memcpy(&h, data + off, sizeof(h));
		if (h.nlmsg_len < sizeof(h) || h.nlmsg_len > n - off)
			break;                              /* as Linux: the rest is dropped */
		request(&h, data + off + sizeof(h), h.nlmsg_len - sizeof(h));
		off += NLMSG_ALIGN(h.nlmsg_len);
		if (off > n)
			break;
	}
	flush();
	return b.err;
}
