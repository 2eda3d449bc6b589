/* SPDX-License-Identifier: MIT */
/*
 * The network server's numbers (getsockopt SOL_CAIRN_NET NET_STATS on any
 * socket, include/cairn/sock.h; docs/net.md, "Its numbers"): one line of
 * `name=value` words, for tests and people.
 *
 *   kmem        the server's kernel memory: PROC_QUOTA's used bytes (its
 *               pages, page tables and kernel objects), the kernel's own count
 *   kmem_limit  its quota
 *   lwip_mem    bytes lwIP has from malloc now (MEM_STATS: every mem_malloc,
 *               its pools' elements too, since MEMP_MEM_MALLOC), and its
 *               high mark (lwip_mem_max) and failures (lwip_mem_err)
 *   memp        lwIP's pool elements in use, all pools (MEMP_STATS)
 *   sockets     sockets open; sock_slots, the table's entries (kept)
 *   tcp_active, tcp_tw, tcp_listen   TCP pcbs on lwIP's lists
 *   rx_frames, tx_frames, tx_dropped the link (link.c)
 *   PROTO.recv, .drop, .chkerr, .lenerr, .proterr, .memerr, .err  lwIP's
 *               counters of link, etharp, ip, ipfrag, icmp, udp, tcp, ip6,
 *               ip6frag, icmp6, nd6
 *
 * A leak shows as kmem, lwip_mem, memp or the pcb counts that do not come
 * back after a load (tests/harness/net_load.py).
 */
#include <string.h>
#include "net.h"
#include "lwip/stats.h"
#include "lwip/memp.h"
#include "lwip/priv/tcp_priv.h"

static unsigned pcbs(struct tcp_pcb *p)
{
	unsigned n = 0;

	for (; p; p = p->next)
		n++;
	return n;
}

struct out {
	char *b;
	size_t n, max;
};

static void put(struct out *o, const char *name, const char *sub, uint64_t v)
{
	int k;

	if (o->n >= o->max)
		return;
	k = snprintf(o->b + o->n, o->max - o->n, "%s%s%s%s=%llu", o->n ? " " : "", name,
		     sub ? "." : "", sub ? sub : "", (unsigned long long)v);
	if (k > 0)
		o->n += (size_t)k;
	if (o->n >= o->max)
		o->n = o->max - 1;
}

static void proto(struct out *o, const char *name, const struct stats_proto *p)
{
	put(o, name, "recv", p->recv);
	put(o, name, "drop", p->drop);
	put(o, name, "chkerr", p->chkerr);
	put(o, name, "lenerr", p->lenerr);
	put(o, name, "proterr", p->proterr);
	put(o, name, "memerr", p->memerr);
	put(o, name, "err", p->err);
}

size_t net_stats(char *buf, size_t max)
{
	struct out o = { buf, 0, max };
	struct cairn_msg m;
	unsigned long rx, tx, txd, rings, drops;
	uint64_t memp = 0;

	if (!max)
		return 0;
	buf[0] = 0;
	if (cairn_invoke(SLOT_SELF_PROC, PROC_QUOTA, 0, 0, 0, 0, 0, &m))
		m.w[0] = m.w[1] = 0;
	put(&o, "kmem", NULL, m.w[1]);
	put(&o, "kmem_limit", NULL, m.w[0]);
	put(&o, "lwip_mem", NULL, lwip_stats.mem.used);
	put(&o, "lwip_mem_max", NULL, lwip_stats.mem.max);
	put(&o, "lwip_mem_err", NULL, lwip_stats.mem.err);
	for (int i = 0; i < MEMP_MAX; i++)
		if (lwip_stats.memp[i])
			memp += lwip_stats.memp[i]->used;
	put(&o, "memp", NULL, memp);
	put(&o, "sockets", NULL, sock_count(false));
	put(&o, "sock_slots", NULL, sock_count(true));
	sock_ring_counts(&rings, &drops);
	put(&o, "rings", NULL, rings);
	put(&o, "ring_dgram_drops", NULL, drops);
	put(&o, "tcp_active", NULL, pcbs(tcp_active_pcbs));
	put(&o, "tcp_tw", NULL, pcbs(tcp_tw_pcbs));
	put(&o, "tcp_listen", NULL, pcbs(tcp_listen_pcbs.pcbs));
	link_counts(&rx, &tx, &txd);
	put(&o, "rx_frames", NULL, rx);
	put(&o, "tx_frames", NULL, tx);
	put(&o, "tx_dropped", NULL, txd);
	proto(&o, "link", &lwip_stats.link);
	proto(&o, "etharp", &lwip_stats.etharp);
	proto(&o, "ip", &lwip_stats.ip);
	proto(&o, "ipfrag", &lwip_stats.ip_frag);
	proto(&o, "icmp", &lwip_stats.icmp);
	proto(&o, "udp", &lwip_stats.udp);
	proto(&o, "tcp", &lwip_stats.tcp);
	proto(&o, "ip6", &lwip_stats.ip6);
	proto(&o, "ip6frag", &lwip_stats.ip6_frag);
	proto(&o, "icmp6", &lwip_stats.icmp6);
	proto(&o, "nd6", &lwip_stats.nd6);
	return o.n + 1;                  /* with its NUL */
}
