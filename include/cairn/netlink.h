/* SPDX-License-Identifier: MIT */
/*
 * Linux's rtnetlink ABI, the part Cairn's network server speaks
 * (user/servers/net/netlink.c, docs/net.md "Netlink"): the values and
 * layouts of Linux's UAPI headers linux/netlink.h, linux/rtnetlink.h,
 * linux/if_link.h and linux/if_addr.h, under Linux's names. musl has no
 * such headers; a program built against Linux's (busybox's ip) sees the
 * same bytes. Only what the server and its tests use.
 *
 * A netlink socket is socket(AF_NETLINK, SOCK_RAW or SOCK_DGRAM,
 * NETLINK_ROUTE); its address is a struct sockaddr_nl (12 bytes). A
 * message is a struct nlmsghdr and its payload, padded to NLMSG_ALIGNTO;
 * a datagram carries one or more; attributes (struct rtattr) follow a
 * request's fixed part, each padded to RTA_ALIGNTO.
 */
#ifndef CAIRN_NETLINK_H
#define CAIRN_NETLINK_H
#include <stdint.h>

#define NETLINK_ROUTE      0

struct sockaddr_nl {
	uint16_t nl_family;            /* AF_NETLINK */
	uint16_t nl_pad;
	uint32_t nl_pid;               /* the port: 0 is the kernel (the server) */
	uint32_t nl_groups;
};

struct nlmsghdr {
	uint32_t nlmsg_len;            /* with this header */
	uint16_t nlmsg_type;
	uint16_t nlmsg_flags;
	uint32_t nlmsg_seq;
	uint32_t nlmsg_pid;
};

#define NLM_F_REQUEST      0x01
#define NLM_F_MULTI        0x02
#define NLM_F_ACK          0x04
#define NLM_F_ECHO         0x08
#define NLM_F_ROOT         0x100   /* GET requests */
#define NLM_F_MATCH        0x200
#define NLM_F_DUMP         (NLM_F_ROOT | NLM_F_MATCH)
#define NLM_F_REPLACE      0x100   /* NEW requests */
#define NLM_F_EXCL         0x200
#define NLM_F_CREATE       0x400

#define NLMSG_ALIGNTO      4u
#define NLMSG_ALIGN(len)   (((len) + NLMSG_ALIGNTO - 1) & ~(NLMSG_ALIGNTO - 1))
#define NLMSG_HDRLEN       ((int)NLMSG_ALIGN(sizeof(struct nlmsghdr)))
#define NLMSG_LENGTH(len)  ((len) + NLMSG_HDRLEN)
#define NLMSG_SPACE(len)   NLMSG_ALIGN(NLMSG_LENGTH(len))
#define NLMSG_DATA(nlh)    ((void *)(((char *)(nlh)) + NLMSG_LENGTH(0)))
#define NLMSG_NEXT(nlh, len) ((len) -= NLMSG_ALIGN((nlh)->nlmsg_len), \
			      (struct nlmsghdr *)(((char *)(nlh)) + NLMSG_ALIGN((nlh)->nlmsg_len)))
#define NLMSG_OK(nlh, len) ((len) >= (int)sizeof(struct nlmsghdr) && \
			    (nlh)->nlmsg_len >= sizeof(struct nlmsghdr) && (nlh)->nlmsg_len <= (len))
#define NLMSG_PAYLOAD(nlh, len) ((nlh)->nlmsg_len - NLMSG_SPACE((len)))

#define NLMSG_NOOP         0x1
#define NLMSG_ERROR        0x2
#define NLMSG_DONE         0x3
#define NLMSG_OVERRUN      0x4
#define NLMSG_MIN_TYPE     0x10

struct nlmsgerr {
	int error;                     /* a negative errno, 0 for an acknowledgement */
	struct nlmsghdr msg;           /* the request's header */
};

/* ---- rtnetlink ---- */
enum {
	RTM_NEWLINK = 16, RTM_DELLINK, RTM_GETLINK, RTM_SETLINK,
	RTM_NEWADDR = 20, RTM_DELADDR, RTM_GETADDR,
	RTM_NEWROUTE = 24, RTM_DELROUTE, RTM_GETROUTE,
};

struct rtattr {
	unsigned short rta_len;        /* with this header */
	unsigned short rta_type;
};

#define RTA_ALIGNTO        4u
#define RTA_ALIGN(len)     (((len) + RTA_ALIGNTO - 1) & ~(RTA_ALIGNTO - 1))
#define RTA_OK(rta, len)   ((len) >= (int)sizeof(struct rtattr) && \
			    (rta)->rta_len >= sizeof(struct rtattr) && (rta)->rta_len <= (len))
#define RTA_NEXT(rta, attrlen) ((attrlen) -= RTA_ALIGN((rta)->rta_len), \
				(struct rtattr *)(((char *)(rta)) + RTA_ALIGN((rta)->rta_len)))
#define RTA_LENGTH(len)    (RTA_ALIGN(sizeof(struct rtattr)) + (len))
#define RTA_SPACE(len)     RTA_ALIGN(RTA_LENGTH(len))
#define RTA_DATA(rta)      ((void *)(((char *)(rta)) + RTA_LENGTH(0)))
#define RTA_PAYLOAD(rta)   ((int)((rta)->rta_len) - RTA_LENGTH(0))

struct rtgenmsg {
	unsigned char rtgen_family;
};

/* RTM_*LINK */
struct ifinfomsg {
	unsigned char ifi_family;
	unsigned char __ifi_pad;
	unsigned short ifi_type;       /* ARPHRD_* */
	int ifi_index;
	unsigned ifi_flags;            /* IFF_* */
	unsigned ifi_change;
};

enum {
	IFLA_UNSPEC, IFLA_ADDRESS, IFLA_BROADCAST, IFLA_IFNAME, IFLA_MTU, IFLA_LINK, IFLA_QDISC,
	IFLA_STATS, IFLA_COST, IFLA_PRIORITY, IFLA_MASTER, IFLA_WIRELESS, IFLA_PROTINFO,
	IFLA_TXQLEN, IFLA_MAP, IFLA_WEIGHT, IFLA_OPERSTATE, IFLA_LINKMODE,
	IFLA_STATS64 = 23, IFLA_GROUP = 27, IFLA_PROMISCUITY = 30, IFLA_NUM_TX_QUEUES,
	IFLA_NUM_RX_QUEUES, IFLA_CARRIER, IFLA_MIN_MTU = 50, IFLA_MAX_MTU,
};

enum { IF_OPER_UNKNOWN, IF_OPER_NOTPRESENT, IF_OPER_DOWN, IF_OPER_LOWERLAYERDOWN,
       IF_OPER_TESTING, IF_OPER_DORMANT, IF_OPER_UP };

/* IFLA_STATS: Linux 6.1's struct rtnl_link_stats (IFLA_STATS64: the same
 * as uint64_t, with rx_otherhost_dropped after) */
enum {
	LINK_RX_PACKETS, LINK_TX_PACKETS, LINK_RX_BYTES, LINK_TX_BYTES, LINK_RX_ERRORS,
	LINK_TX_ERRORS, LINK_RX_DROPPED, LINK_TX_DROPPED, LINK_MULTICAST,
	LINK_STATS_N = 24, LINK_STATS64_N = 25,
};

/* RTM_*ADDR */
struct ifaddrmsg {
	uint8_t ifa_family;
	uint8_t ifa_prefixlen;
	uint8_t ifa_flags;             /* IFA_F_*, the low 8 bits (IFA_FLAGS: all) */
	uint8_t ifa_scope;             /* RT_SCOPE_* */
	uint32_t ifa_index;
};

enum { IFA_UNSPEC, IFA_ADDRESS, IFA_LOCAL, IFA_LABEL, IFA_BROADCAST, IFA_ANYCAST, IFA_CACHEINFO,
       IFA_MULTICAST, IFA_FLAGS };

#define IFA_F_SECONDARY    0x01
#define IFA_F_NODAD        0x02
#define IFA_F_DADFAILED    0x08
#define IFA_F_DEPRECATED   0x20
#define IFA_F_TENTATIVE    0x40
#define IFA_F_PERMANENT    0x80

struct ifa_cacheinfo {
	uint32_t ifa_prefered;         /* seconds; 0xffffffff: forever */
	uint32_t ifa_valid;
	uint32_t cstamp, tstamp;       /* hundredths of a second since boot */
};

/* RTM_*ROUTE */
struct rtmsg {
	unsigned char rtm_family;
	unsigned char rtm_dst_len;
	unsigned char rtm_src_len;
	unsigned char rtm_tos;
	unsigned char rtm_table;       /* RT_TABLE_* */
	unsigned char rtm_protocol;    /* RTPROT_* */
	unsigned char rtm_scope;       /* RT_SCOPE_* */
	unsigned char rtm_type;        /* RTN_* */
	unsigned rtm_flags;
};

enum { RTA_UNSPEC, RTA_DST, RTA_SRC, RTA_IIF, RTA_OIF, RTA_GATEWAY, RTA_PRIORITY, RTA_PREFSRC,
       RTA_METRICS, RTA_MULTIPATH, RTA_PROTOINFO, RTA_FLOW, RTA_CACHEINFO, RTA_SESSION,
       RTA_MP_ALGO, RTA_TABLE, RTA_MARK, RTA_MFC_STATS, RTA_VIA, RTA_NEWDST, RTA_PREF };

#define RT_TABLE_UNSPEC    0
#define RT_TABLE_MAIN      254
#define RT_TABLE_LOCAL     255
#define RTPROT_KERNEL      2
#define RTPROT_BOOT        3
#define RTPROT_STATIC      4
#define RTPROT_RA          9
#define RTPROT_DHCP        16
#define RT_SCOPE_UNIVERSE  0
#define RT_SCOPE_LINK      253
#define RT_SCOPE_HOST      254
#define RT_SCOPE_NOWHERE   255
enum { RTN_UNSPEC, RTN_UNICAST, RTN_LOCAL, RTN_BROADCAST, RTN_ANYCAST, RTN_MULTICAST };

#endif
