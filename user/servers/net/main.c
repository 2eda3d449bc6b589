/* SPDX-License-Identifier: MIT */
/*
 * net: the network server. lwIP 2.1.3 (Debian's source package, built by
 * scripts/lwip.mk with port/lwipopts.h) over a network driver's frame
 * protocol (include/cairn/net.h), serving sockets (include/cairn/sock.h)
 * to POSIX programs. docs/net.md says what it serves and how:
 *
 *     service net bin/net [--dev net0] [--no-dhcp] [--addr A.B.C.D/N [--gw G]] [--resolv PATH]
 *         cap net endpoint:net rwg        # served (sockets are minted from it)
 *         cap devmgr endpoint:devmgr w    # finds --dev there (none: loopback only)
 *         cap vfs endpoint:vfs wg         # writes /etc/resolv.conf from DHCP's servers
 *         cap rng endpoint:entropy w      # lwIP's random numbers (ports, sequence numbers)
 *         cap console console w
 *         cap kinfo kinfo r
 *
 * Design note.
 * - One thread drives lwIP through its raw API (NO_SYS 1): lwIP is never
 *   entered from two threads, so it needs no locks. It runs libcairn's
 *   server skeleton; the relay thread turns the driver's signal
 *   (LINK_BIT), lwIP's timer (TIMER_BIT, a one-shot kernel Timer set
 *   for lwIP's next timeout) and dead clients (GONE_BIT) into events.
 * - After every message (after()) the loopback queue is run
 *   (netif_poll_all: a send to 127.0.0.1 arrives there), waiting callers
 *   whose socket became ready are answered, and the timer is set again.
 * - It is a program of the Cairn C toolchain (musl-port), since lwIP
 *   wants a C library; descriptors 0-2 are the console.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/random.h>
#include <cairn/dev_client.h>
#include "net.h"

struct netif net_if;
bool net_have_if;
cap_t net_note = CAP_NULL;

static cap_t ep = CAP_NULL, timer = CAP_NULL;
static uint64_t timer_due = UINT64_MAX;   /* ms, what the timer is set for */
static uint8_t req_bytes[POSIX_INLINE_MAX];
static uint8_t ans_bytes[POSIX_INLINE_MAX];
static char devname[32] = "net0";
static const char *resolv_path = "/etc/resolv.conf";
static bool use_dhcp = true;
static ip4_addr_t st_addr, st_mask, st_gw;  /* --addr, --gw: a static address (no DHCP) */
static bool st_set;

/* ---- time and randomness for lwIP ------------------------------------------------------------ */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);     /* musl-port: the counter, no system call */
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t net_now_ms(void)
{
	return now_ns() / 1000000u;
}

u32_t sys_now(void)
{
	return (u32_t)net_now_ms();
}

static uint64_t rng_s[2];

uint32_t net_rand(void)
{
	/* xorshift128+, seeded from getrandom (the entropy server) */
	uint64_t a = rng_s[0], b = rng_s[1];

	rng_s[0] = b;
	a ^= a << 23;
	rng_s[1] = a ^ b ^ (a >> 17) ^ (b >> 26);
	return (uint32_t)((rng_s[1] + b) >> 16);
}

void net_timer_update(void)
{
	u32_t sleep = sys_timeouts_sleeptime();
	uint64_t due;

	if (timer == CAP_NULL || sleep == SYS_TIMEOUTS_SLEEPTIME_INFINITE)
		return;
	due = net_now_ms() + sleep;
	if (due >= timer_due)
		return;                      /* the timer fires earlier anyway */
	cairn_ipcbuf()->caps[0] = net_note;
	if (!cairn_invoke(timer, TIMER_SET, 1, TIMER_BIT, due * 1000000u, 0, 0, NULL))
		timer_due = due;
}

/* ---- DHCP and /etc/resolv.conf --------------------------------------------------------------- */

static char resolv[256];
static pthread_mutex_t resolv_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t resolv_cond = PTHREAD_COND_INITIALIZER;
static bool resolv_new;

/* Writes the file from its own thread: the serving thread never waits for
 * the VFS (or the disk behind it). */
static void *resolv_thread(void *arg)
{
	(void)arg;
	for (;;) {
		char text[sizeof(resolv)];
		FILE *f;

		pthread_mutex_lock(&resolv_lock);
		while (!resolv_new)
			pthread_cond_wait(&resolv_cond, &resolv_lock);
		resolv_new = false;
		memcpy(text, resolv, sizeof(text));
		pthread_mutex_unlock(&resolv_lock);
		if (!(f = fopen(resolv_path, "w")) || fputs(text, f) < 0 || fclose(f)) {
			fprintf(stderr, "net: cannot write %s: %m\n", resolv_path);
			continue;
		}
	}
	return NULL;
}

static void status_changed(struct netif *nif)
{
	char a[16], m[16], g[16], name[16], text[sizeof(resolv)];
	size_t n = 0;

	static uint32_t shown;                   /* the address last logged */

	if (ip4_addr_isany_val(*netif_ip4_addr(nif)) || ip4_addr_get_u32(netif_ip4_addr(nif)) == shown)
		return;                          /* also called for IPv6 changes */
	shown = ip4_addr_get_u32(netif_ip4_addr(nif));
	ip4addr_ntoa_r(netif_ip4_addr(nif), a, sizeof(a));
	ip4addr_ntoa_r(netif_ip4_netmask(nif), m, sizeof(m));
	ip4addr_ntoa_r(netif_ip4_gw(nif), g, sizeof(g));
	net_if_name(nif, name);
	printf("net: %s: %s netmask %s gateway %s%s\n", name, a, m, g,
	       dhcp_supplied_address(nif) ? " (DHCP)" : st_set ? " (static)" : "");
	if (!dhcp_supplied_address(nif))
		return;                          /* name servers come only from DHCP */
	n += (size_t)snprintf(text + n, sizeof(text) - n, "# written by the network server (DHCP)\n");
	for (int i = 0; i < DNS_MAX_SERVERS; i++) {
		const ip_addr_t *d = dns_getserver((u8_t)i);
		char s[IPADDR_STRLEN_MAX];

		if (ip_addr_isany(d) || n >= sizeof(text))
			continue;
		ipaddr_ntoa_r(d, s, sizeof(s));
		n += (size_t)snprintf(text + n, sizeof(text) - n, "nameserver %s\n", s);
	}
	if (n >= sizeof(text))
		n = sizeof(text) - 1;
	pthread_mutex_lock(&resolv_lock);
	memcpy(resolv, text, n + 1);
	resolv_new = true;
	pthread_cond_signal(&resolv_cond);
	pthread_mutex_unlock(&resolv_lock);
}

/* ---- the server ------------------------------------------------------------------------------ */

static void event(uint64_t bits)
{
	if (bits & LINK_BIT)
		link_poll();
	if (bits & TIMER_BIT) {
		timer_due = UINT64_MAX;
		sys_check_timeouts();
	}
}

static void after(void)
{
	/* what sock_after sends on the loopback interface (a ring's bytes,
	 * drained there) is delivered before we wait again */
	for (int i = 0; i < 16; i++) {
		net_loop_polling = true;         /* the loopback's counters (iface.c) */
		netif_poll_all();
		net_loop_polling = false;
		if (!sock_after())
			break;
	}
	net_timer_update();
}

static struct srv srv = {
	.name = "net",
	.event = event,
	.after = after,
	.in_buf = req_bytes,
	.in_max = sizeof(req_bytes),
	.out_buf = ans_bytes,
	.object = sock_object,
	.answered = sock_answered,
	.gone = sock_gone,
};

uint8_t *net_out = ans_bytes;
uint8_t *net_in = req_bytes;

static void usage(void)
{
	fprintf(stderr, "usage: net [--dev NAME] [--no-dhcp] [--addr A.B.C.D/N [--gw G]] [--resolv PATH]\n");
	exit(2);
}

/* --addr A.B.C.D/N: the address and the netmask's length (0..32) */
static bool parse_addr(const char *arg)
{
	char a[16];
	const char *slash = strchr(arg, '/');
	char *end;
	unsigned long n;

	if (!slash || (size_t)(slash - arg) >= sizeof(a))
		return false;
	memcpy(a, arg, (size_t)(slash - arg));
	a[slash - arg] = 0;
	n = strtoul(slash + 1, &end, 10);
	if (!ip4addr_aton(a, &st_addr) || end == slash + 1 || *end || n > 32)
		return false;
	ip4_addr_set_u32(&st_mask, lwip_htonl(n ? 0xffffffffu << (32 - n) : 0));
	return true;
}

int main(int argc, char **argv)
{
	struct cairn_msg m;
	uint64_t id[4];
	cap_t drv;
	err_t e;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--dev") && i + 1 < argc && strlen(argv[i + 1]) < sizeof(devname))
			strcpy(devname, argv[++i]);
		else if (!strcmp(argv[i], "--no-dhcp"))
			use_dhcp = false;
		else if (!strcmp(argv[i], "--addr") && i + 1 < argc && parse_addr(argv[i + 1]))
			st_set = true, use_dhcp = false, i++;
		else if (!strcmp(argv[i], "--gw") && i + 1 < argc && ip4addr_aton(argv[i + 1], &st_gw))
			i++;
		else if (!strcmp(argv[i], "--resolv") && i + 1 < argc)
			resolv_path = argv[++i];
		else
			usage();
	}
	ep = cairn_cap("net");
	if (ep == CAP_NULL || cairn_cap_identify(ep, id) || id[0] != OBJ_ENDPOINT ||
	    (id[1] & (RIGHT_READ | RIGHT_WRITE | RIGHT_GRANT)) != (RIGHT_READ | RIGHT_WRITE | RIGHT_GRANT) || id[2]) {
		fprintf(stderr, "net: needs the unbadged endpoint \"net\" with rights rwg\n");
		return 1;
	}
	if (getrandom(rng_s, sizeof(rng_s), 0) != sizeof(rng_s))
		rng_s[0] = now_ns() ^ 0x6e6574;
	rng_s[1] |= 1;
	srv.ep = ep;
	srv.ops = sock_ops;
	srv.nops = sock_nops;
	if ((e = cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_NOTIFICATION, 0, 0, 0, &m))) {
		fprintf(stderr, "net: no Notification: %s\n", err_name(e));
		return 1;
	}
	net_note = m.w[0];
	if ((e = srv_relay(&srv, net_note, 8)) || (e = srv_watch(&srv, GONE_BIT))) {
		fprintf(stderr, "net: cannot start the relay: %s\n", err_name(e));
		return 1;
	}
	if (!cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_TIMER, 0, 0, 0, &m))
		timer = m.w[0];
	else
		fprintf(stderr, "net: no Timer: lwIP's timeouts run only when a message comes\n");
	lwip_init();
	if ((e = sock_init())) {
		fprintf(stderr, "net: out of memory\n");
		return 1;
	}
	e = ERR_NOENT;
	drv = CAP_NULL;
	if (cairn_cap("devmgr") != CAP_NULL)
		e = cairn_dev_lookup(cairn_cap("devmgr"), devname, 0, &drv);
	if (!e)
		e = link_open(drv, &net_if);
	if (e) {
		printf("net: no network device %s (%s): loopback only\n", devname, err_name(e));
	} else {
		pthread_t th;

		net_have_if = true;
		netif_set_default(&net_if);
		netif_set_status_callback(&net_if, status_changed);
		if (st_set)
			netif_set_addr(&net_if, &st_addr, &st_mask, &st_gw);
		netif_create_ip6_linklocal_address(&net_if, 1);
		net_if.ip6_autoconfig_enabled = 1;
		netif_set_up(&net_if);
		netif_set_link_up(&net_if);
		if (pthread_create(&th, NULL, resolv_thread, NULL) == 0)
			pthread_detach(th);
		if (use_dhcp && dhcp_start(&net_if) != ERR_OK)
			fprintf(stderr, "net: DHCP did not start\n");
		link_poll();
	}
	net_timer_update();
	printf("net: serving\n");
	srv_run(&srv);
	return 0;
}
