/* SPDX-License-Identifier: MIT */
/*
 * The network server's side of the frame protocol (include/cairn/net.h):
 * one session with the network driver, and the lwIP interface on it.
 *
 * The shared object: pages 0..3 the queues, then NBUF buffers of BUF
 * bytes: the first RXN wait in the driver's rx_free queue for frames, the
 * others carry frames to send. A received frame is copied into a pbuf
 * and its buffer goes straight back to rx_free; a frame to send is copied
 * out of lwIP's pbuf chain into a free transmit buffer (lwIP frees or
 * keeps its pbufs as it likes). The driver signals LINK_BIT on the relay's
 * Notification only when cli_sleep is set (link_poll sets it when done).
 */
#include <string.h>
#include "net.h"

#define ENTRIES     NET_QUEUE_MAX
#define BUF         2048u
#define RXN         ENTRIES
#define TXN         ENTRIES
#define NBUF        (RXN + TXN)
#define PAGES       ((NET_DATA_OFF + NBUF * BUF) / CAIRN_PAGE_SIZE)

static cap_t svc = CAP_NULL, session = CAP_NULL, mem = CAP_NULL;
static uint8_t *va;
static volatile struct net_shm *shm;
static volatile struct net_desc *q[NET_NQ];
static uint32_t rxf_tail, rxu_head, tx_tail, txd_head;
static uint32_t tx_free[TXN], ntx_free;
static uint8_t mac[6];
static uint64_t rx_frames, rx_bytes, rx_errors, rx_dropped, tx_frames, tx_bytes, tx_dropped;

static uint64_t buf_off(uint32_t i) { return NET_DATA_OFF + (uint64_t)i * BUF; }

static err_t call(cap_t cap, uint32_t label, unsigned ncaps, uint64_t w0, uint64_t w1, struct cairn_msg *m)
{
	*m = cairn_call(cap, cairn_tag(label, CAIRN_MSG_REGS, ncaps), w0, w1, 0, 0);
	return m->err ? (err_t)m->err : (err_t)cairn_tag_label(m->tag);
}

/* After producing on rx_free or tx: a kick if the driver said it sleeps. */
static void kick(void)
{
	struct cairn_msg m;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&shm->drv_sleep, __ATOMIC_RELAXED))
		call(session, NET_KICK, 0, 0, 0, &m);
}

static void post_rx(uint32_t i)
{
	volatile struct net_desc *d = &q[NET_Q_RX_FREE][rxf_tail % ENTRIES];

	d->tag = i;
	d->off = buf_off(i);
	d->len = BUF;
	d->err = 0;
	rxf_tail++;
	__atomic_store_n(&shm->q[NET_Q_RX_FREE].tail, rxf_tail, __ATOMIC_RELEASE);
}

/* Takes back the transmit buffers the driver is done with. */
static bool reap_tx(void)
{
	uint32_t tail = __atomic_load_n(&shm->q[NET_Q_TX_DONE].tail, __ATOMIC_ACQUIRE);
	bool any = false;

	while (txd_head != tail) {
		uint64_t tag = q[NET_Q_TX_DONE][txd_head % ENTRIES].tag;

		if (tag >= RXN && tag < NBUF && ntx_free < TXN)
			tx_free[ntx_free++] = (uint32_t)tag;
		txd_head++;
		any = true;
	}
	__atomic_store_n(&shm->q[NET_Q_TX_DONE].head, txd_head, __ATOMIC_RELEASE);
	return any;
}

static err_t link_output(struct netif *nif, struct pbuf *p)
{
	volatile struct net_desc *d;
	uint32_t i;

	(void)nif;
	if (!ntx_free)
		reap_tx();
	if (!ntx_free || p->tot_len > NET_FRAME_MAX) {
		tx_dropped++;
		return ERR_MEM;              /* lwIP's TCP retransmits; a datagram is lost */
	}
	i = tx_free[--ntx_free];
	pbuf_copy_partial(p, va + buf_off(i), p->tot_len, 0);
	d = &q[NET_Q_TX][tx_tail % ENTRIES];
	d->tag = i;
	d->off = buf_off(i);
	d->len = p->tot_len;
	d->err = 0;
	tx_tail++;
	__atomic_store_n(&shm->q[NET_Q_TX].tail, tx_tail, __ATOMIC_RELEASE);
	tx_frames++;
	tx_bytes += p->tot_len;
	kick();
	return ERR_OK;
}

/* Received frames into lwIP, their buffers back to the driver. */
static bool take_rx(void)
{
	uint32_t tail = __atomic_load_n(&shm->q[NET_Q_RX_USED].tail, __ATOMIC_ACQUIRE);
	bool any = false;

	while (rxu_head != tail) {
		volatile struct net_desc *d = &q[NET_Q_RX_USED][rxu_head % ENTRIES];
		uint64_t tag = d->tag;
		uint32_t len = d->len;
		int32_t err = d->err;

		rxu_head++;
		any = true;
		if (tag >= RXN)
			continue;                  /* not one of ours: the driver is wrong; dropped */
		if (!err && len >= 14 && len <= NET_FRAME_MAX) {
			struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_POOL);

			if (p) {
				pbuf_take(p, va + buf_off((uint32_t)tag), (u16_t)len);
				rx_frames++;
				rx_bytes += len;
				if (net_if.input(p, &net_if) != ERR_OK)
					pbuf_free(p);
			} else {
				rx_dropped++;
			}
		} else {
			rx_errors++;
		}
		post_rx((uint32_t)tag);
	}
	__atomic_store_n(&shm->q[NET_Q_RX_USED].head, rxu_head, __ATOMIC_RELEASE);
	return any;
}

void link_stats(struct if_stats *st)
{
	*st = (struct if_stats){ .rx_packets = rx_frames, .rx_bytes = rx_bytes, .rx_errors = rx_errors,
				 .rx_dropped = rx_dropped, .tx_packets = tx_frames, .tx_bytes = tx_bytes,
				 .tx_dropped = tx_dropped };
}

void link_poll(void)
{
	if (!shm)
		return;
	for (;;) {
		bool any;

		__atomic_store_n(&shm->cli_sleep, 0, __ATOMIC_RELAXED);
		any = take_rx();
		any |= reap_tx();
		if (any)
			kick();                    /* rx_free has the buffers again */
		__atomic_store_n(&shm->cli_sleep, 1, __ATOMIC_SEQ_CST);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (__atomic_load_n(&shm->q[NET_Q_RX_USED].tail, __ATOMIC_ACQUIRE) == rxu_head &&
		    __atomic_load_n(&shm->q[NET_Q_TX_DONE].tail, __ATOMIC_ACQUIRE) == txd_head)
			return;
	}
}

void link_counts(unsigned long *rx, unsigned long *tx, unsigned long *tx_drop)
{
	*rx = rx_frames;
	*tx = tx_frames;
	*tx_drop = tx_dropped;
}

static err_t if_init(struct netif *nif)
{
	nif->name[0] = 'e';
	nif->name[1] = 't';
	nif->output = etharp_output;
	nif->output_ip6 = ethip6_output;
	nif->linkoutput = link_output;
	nif->mtu = NET_MTU;
	nif->mtu6 = NET_MTU;
	nif->hwaddr_len = 6;
	memcpy(nif->hwaddr, mac, 6);
	nif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET |
		     NETIF_FLAG_IGMP | NETIF_FLAG_MLD6;
	netif_set_hostname(nif, "cairn");
	return ERR_OK;
}

err_t link_open(cap_t drv, struct netif *nif)
{
	struct cairn_msg m;
	uint64_t flags;
	void *p;
	err_t e;

	svc = drv;
	if ((e = call(svc, NET_INFO, 0, 0, 0, &m)))
		return e;
	flags = m.w[2];
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)(m.w[0] >> (8 * i));    /* byte i in bits 8i.. */
	if ((e = cairn_memobj_create(SLOT_SELF_PROC, PAGES, MEMOBJ_CONTIG, &mem)))
		return e;
	if ((e = cairn_map(mem, 0, PAGES, CAIRN_PROT_R | CAIRN_PROT_W, &p)))
		return e;
	va = p;
	shm = p;
	for (int k = 0; k < NET_NQ; k++)
		q[k] = (volatile struct net_desc *)(va + NET_Q_OFF + k * NET_QUEUE_MAX * sizeof(struct net_desc));
	cairn_ipcbuf()->caps[0] = mem;
	cairn_ipcbuf()->caps[1] = net_note;
	if ((e = call(svc, NET_ATTACH, 2, ENTRIES, 0 /* LINK_BIT is bit 0 */, &m)))
		return e;
	session = cairn_ipcbuf()->caps[0];
	for (uint32_t i = 0; i < RXN; i++)
		post_rx(i);
	for (uint32_t i = RXN; i < NBUF; i++)
		tx_free[ntx_free++] = i;
	if (!netif_add(nif, IP4_ADDR_ANY4, IP4_ADDR_ANY4, IP4_ADDR_ANY4, NULL, if_init, ethernet_input))
		return ERR_NOMEM;
	kick();
	char name[16];

	net_if_name(nif, name);
	printf("net: %s: MAC %02x:%02x:%02x:%02x:%02x:%02x%s\n", name, mac[0], mac[1], mac[2], mac[3], mac[4], mac[5], (flags & NET_F_LINK) ? "" : ", link down");
	return E_OK;
}
