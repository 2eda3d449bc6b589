/* SPDX-License-Identifier: MIT */
/*
 * lwIP's configuration for Cairn's network server (user/servers/net,
 * docs/net.md). One thread drives lwIP through its raw API (NO_SYS):
 * the server implements the socket semantics itself, so lwIP's netconn
 * and sockets layers are off. Memory comes from the C library's malloc
 * (heap and pools, through the server's free lists: pool.c), so the
 * number of sockets is bounded by the server's quota, not by fixed pools.
 */
#ifndef CAIRN_LWIPOPTS_H
#define CAIRN_LWIPOPTS_H

/* ---- the platform ---- */
#define NO_SYS                      1
#define SYS_LIGHTWEIGHT_PROT        0
#define LWIP_SOCKET                 0
#define LWIP_NETCONN                0
#define LWIP_TIMERS                 1
#define MEM_LIBC_MALLOC             1
#define MEMP_MEM_MALLOC             1
/* malloc through the server's free lists (pool.c) */
#include "../pool.h"
#define mem_clib_malloc             net_alloc
#define mem_clib_free               net_free
#define mem_clib_calloc             net_calloc
#define MEM_ALIGNMENT               8
/* lwIP's counters (stats.c shows them: getsockopt SOL_CAIRN_NET): memory in
 * use (MEM_STATS: every malloc of lwIP, its pools' elements included, in
 * bytes; MEMP_STATS: elements per pool) and each protocol's packets and
 * errors, in 32 bits (LWIP_STATS_LARGE) */
#define LWIP_STATS                  1
#define LWIP_STATS_LARGE            1
#define LWIP_STATS_DISPLAY          0
#define MEM_STATS                   1
#define MEMP_STATS                  1
#define MIB2_STATS                  0
#define LWIP_PROVIDE_ERRNO          0
#define LWIP_ERRNO_STDINCLUDE       1
#define LWIP_DONT_PROVIDE_BYTEORDER_FUNCTIONS 1
/* byte swaps inline (lwIP's def.c makes them calls: 1.5% of a TCP
 * receive), in shifts: x86-64's compiler makes them its byte swap, and on
 * riscv64 without Zbb __builtin_bswap32 would be a call into libgcc */
#include <stdint.h>
static inline uint16_t net_bswap16(uint16_t x)
{
	return (uint16_t)(x << 8 | x >> 8);
}
static inline uint32_t net_bswap32(uint32_t x)
{
	return x << 24 | (x & 0xff00u) << 8 | ((x >> 8) & 0xff00u) | x >> 24;
}
#define lwip_htons(x)               net_bswap16(x)
#define lwip_htonl(x)               net_bswap32(x)

/* ---- interfaces ---- */
#define LWIP_ETHERNET               1
#define LWIP_ARP                    1
#define ETHARP_SUPPORT_STATIC_ENTRIES 0
#define LWIP_NETIF_STATUS_CALLBACK  1
#define LWIP_NETIF_LINK_CALLBACK    1
#define LWIP_NETIF_HOSTNAME         1
#define LWIP_NETIF_LOOPBACK         1
#define LWIP_HAVE_LOOPIF            1
#define LWIP_LOOPBACK_MAX_PBUFS     0
#define PBUF_POOL_BUFSIZE           1536

/* ---- IPv4 ---- */
#define LWIP_IPV4                   1
#define IP_FORWARD                  0
#define IP_REASSEMBLY               1
#define IP_FRAG                     1
#define LWIP_ICMP                   1
#define LWIP_RAW                    1
#define LWIP_IGMP                   1
#define LWIP_DHCP                   1
#define LWIP_DHCP_DOES_ACD_CHECK    0
#define DHCP_DOES_ARP_CHECK         0
#define LWIP_AUTOIP                 0

/* ---- IPv6 ---- */
#define LWIP_IPV6                   1
#define LWIP_IPV6_AUTOCONFIG        1
#define LWIP_IPV6_MLD               1
#define LWIP_IPV6_FRAG              1
#define LWIP_IPV6_REASS             1
#define IPV6_FRAG_COPYHEADER        1     /* 64-bit pointers do not fit the header */
#define LWIP_ICMP6                  1
#define LWIP_IPV6_DHCP6             0
#define LWIP_IPV6_NUM_ADDRESSES     3
#define LWIP_ND6_RDNSS_MAX_DNS_SERVERS 0

/* ---- DNS: only the servers' list (DHCP fills it, LWIP_DNS on; /etc/resolv.conf is
 * written from it); names are resolved by musl's resolver in programs. */
#define LWIP_DNS                    1
#define DNS_MAX_SERVERS             2

/* ---- UDP and TCP ---- */
#define LWIP_UDP                    1
#define LWIP_UDPLITE                0
#define LWIP_TCP                    1
#define TCP_MSS                     1460
#define LWIP_WND_SCALE              1
#define TCP_RCV_SCALE               2
#define TCP_WND                     (128 * 1024)
#define TCP_SND_BUF                 (64 * 1024)
#define TCP_SND_QUEUELEN            (4 * TCP_SND_BUF / TCP_MSS)
#define TCP_SNDLOWAT                (TCP_SND_BUF / 4)
#define TCP_QUEUE_OOSEQ             1
#define TCP_OOSEQ_MAX_BYTES         (256 * 1024)
#define TCP_OOSEQ_MAX_PBUFS         256
#define LWIP_TCP_SACK_OUT           0
#define TCP_LISTEN_BACKLOG          1
#define TCP_DEFAULT_LISTEN_BACKLOG  128
#define LWIP_TCP_KEEPALIVE          1
#define LWIP_TCP_TIMESTAMPS         0
#define SO_REUSE                    1
#define LWIP_CALLBACK_API           1
#define LWIP_ALTCP                  0
#define TCP_OVERSIZE                TCP_MSS
/* lwIP's TCP timer: every 50 ms (lwIP's default 250), its coarse one
 * (retransmission timeouts are counted in it) every 100 ms. lwIP has no
 * SACK and leaves fast recovery at the first partial ACK, so a second
 * loss in a window waits for the retransmission timeout, about 3 coarse
 * ticks on a fast link: 300 ms here rather than 1.5 s (Linux's least is
 * 200 ms). Through the relay's 5% loss (tests/harness/relay_test.py)
 * this made a transfer about 5 times faster. It runs only while there
 * are TCP connections (lwIP stops it when none is left). */
#define TCP_TMR_INTERVAL            50

/* ---- checksums: our own sum, eight bytes an addition (chksum.c) ---- */
#include "../chksum.h"
#define LWIP_CHKSUM                 net_chksum

/* ---- hooks: the loopback interface's counters (user/servers/net/iface.c) ---- */
#define LWIP_HOOK_FILENAME          "hooks.h"
#define LWIP_HOOK_IP4_INPUT(p, inp) net_loop_input(p)
#define LWIP_HOOK_IP6_INPUT(p, inp) net_loop_input(p)

/* ---- checks ---- */
#define LWIP_NOASSERT_ON_ERROR      0
#define CHECKSUM_CHECK_IP           1
#define CHECKSUM_CHECK_TCP          1
#define CHECKSUM_CHECK_UDP          1
#define CHECKSUM_CHECK_ICMP         1
#define CHECKSUM_CHECK_ICMP6        1

#endif
