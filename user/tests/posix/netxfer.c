// SPDX-License-Identifier: MIT
/*
 * Bulk TCP between two machines, every byte checked, and a server for a
 * load of short connections (tests/harness/relay_test.py, net_load.py;
 * tests/README.md). Builds and runs on Linux too.
 *
 *   netxfer recv PORT [CONNS]          accepts CONNS connections (default
 *                                      1) one after another; each: reads
 *                                      to the end, checks every byte
 *   netxfer send ADDR PORT BYTES[,BYTES...]  one connection each BYTES
 *                                      (a suffix K or M: KiB, MiB)
 *   netxfer serve PORT                 the load's server (below)
 *   netxfer stats                      the network server's numbers
 *
 * A transfer: the sender writes a 16-byte header ("NXF1", the seed, the
 * length), then the length's bytes of a pattern the seed makes (xorshift;
 * the seed is the connection's number + 1); the receiver reads that
 * many bytes (or to an early end), checks the length and every byte, and
 * answers with 16 bytes (the count it got, its FNV-1a checksum); the
 * sender checks that too, so it ends only once all arrived, and then
 * closes. Both print
 *
 *     netxfer: recv|send N bytes fnv 0123456789abcdef in T ms (K KiB/s): ok
 *
 * and the receiver then prints the network server's numbers (Cairn: a
 * line "netxfer: stats ..."; getsockopt SOL_CAIRN_NET, include/cairn/sock.h).
 * The receiver waits (30 s at most) for the sender to close after the
 * answer (its end of file comes only once the sender has the answer: the
 * sender does not shut down its side before, which would be an end of
 * file at once), and the sender waits 1 s before it ends: on a lossy
 * link the last segments may have to go again, and with --exec the
 * machine powers off when the program ends (a last answer lost, then
 * the receiver gone: the sender waited for it for ever). The sender
 * waits 60 s at most for the answer.
 * The sender retries connecting (ECONNREFUSED, ETIMEDOUT, EHOSTUNREACH,
 * ENETUNREACH) for 60 s: the receiver may still be starting.
 *
 * serve: one process, one connection at a time: reads a line; "stats"
 * answers the network server's numbers (one line), "quit" answers "bye"
 * and ends the server, anything else comes back as it came; then reads
 * to the end (the client closes first, so the TIME_WAIT is the client's)
 * and closes. It prints "netxfer: serving PORT" when listening, and the
 * count of connections at the end.
 *
 * Exit status: 0 when every transfer was whole and right.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#define SOL_CAIRN_NET  0x6e6574      /* include/cairn/sock.h */
#define NET_STATS      1
#define BUF            (64 * 1024)

static uint8_t buf[BUF], want[BUF];

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct pattern {
	uint64_t s;
};

/* The next n bytes of the pattern (n a multiple of 8: a new word each 8) */
static void fill(struct pattern *p, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!(i & 7)) {
			p->s ^= p->s << 13;
			p->s ^= p->s >> 7;
			p->s ^= p->s << 17;
		}
		out[i] = (uint8_t)(p->s >> (8 * (i & 7)));
	}
}

static uint64_t fnv(uint64_t h, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

static int write_all(int fd, const void *b, size_t n)
{
	const uint8_t *p = b;

	while (n) {
		ssize_t k = write(fd, p, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

static ssize_t read_full(int fd, void *b, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t k = read(fd, (uint8_t *)b + got, n - got);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -1;
		if (!k)
			break;
		got += (size_t)k;
	}
	return (ssize_t)got;
}

static void put64(uint8_t *b, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get64(const uint8_t *b)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v |= (uint64_t)b[i] << (8 * i);
	return v;
}

static void stats(int fd, const char *what)
{
	static char line[4000];
	socklen_t len = sizeof(line) - 1;
	int own = fd < 0;

	if (own)
		fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd >= 0 && getsockopt(fd, SOL_CAIRN_NET, NET_STATS, line, &len) == 0) {
		line[len] = 0;
		printf("netxfer: %s %s\n", what, line);
	} else {
		printf("netxfer: %s unknown (%s)\n", what, strerror(errno));
	}
	if (own && fd >= 0)
		close(fd);
	fflush(stdout);
}

static int listener(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 16)) {
		printf("netxfer: cannot listen on %d: %s\n", port, strerror(errno));
		exit(2);
	}
	return fd;
}

static void report(const char *what, uint64_t n, uint64_t sum, int64_t ms, const char *verdict)
{

	printf("netxfer: %s %llu bytes fnv %016llx in %lld ms (%llu KiB/s): %s\n", what,
	       (unsigned long long)n, (unsigned long long)sum, (long long)ms,
	       (unsigned long long)(ms > 0 ? n * 1000 / 1024 / (uint64_t)ms : 0), verdict);
	fflush(stdout);
}

/* One connection's transfer, the receiving side: 0 when whole and right. */
static int recv_one(int c)
{
	uint8_t hdr[16], ans[16];
	uint64_t len, got = 0, sum = 0xcbf29ce484222325ull, bad_at = UINT64_MAX;
	struct pattern p;
	int64_t t0 = now_ms();
	size_t have = 0, used = 0;     /* pattern bytes made in want[], taken */

	if (read_full(c, hdr, sizeof(hdr)) != sizeof(hdr) || memcmp(hdr, "NXF1", 4)) {
		printf("netxfer: recv: no header\n");
		return 1;
	}
	p.s = (get64(hdr + 4) & 0xffffffffu) * 0x9e3779b97f4a7c15ull | 1;
	len = get64(hdr + 8);
	while (got < len) {
		ssize_t k = read(c, buf, len - got < sizeof(buf) ? (size_t)(len - got) : sizeof(buf));

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			printf("netxfer: recv: read after %llu bytes: %s\n", (unsigned long long)got, strerror(errno));
			return 1;
		}
		if (!k)
			break;
		sum = fnv(sum, buf, (size_t)k);
		for (size_t i = 0; i < (size_t)k; i++) {
			if (used == have) {
				fill(&p, want, sizeof(want));
				have = sizeof(want);
				used = 0;
			}
			if (buf[i] != want[used++] && bad_at == UINT64_MAX)
				bad_at = got + i;
		}
		got += (uint64_t)k;
	}
	t0 = now_ms() - t0;               /* the transfer's time */
	put64(ans, got);
	put64(ans + 8, sum);
	write_all(c, ans, sizeof(ans));
	/* the sender closes once it has the answer: till then (30 s at most)
	 * this machine stays, to send it again if it was lost */
	struct pollfd pf = { .fd = c, .events = POLLIN };
	while (poll(&pf, 1, 30000) > 0 && read(c, buf, sizeof(buf)) > 0)
		;
	if (got != len || bad_at != UINT64_MAX) {
		char why[96];

		if (got != len)
			snprintf(why, sizeof(why), "BAD: %llu bytes announced", (unsigned long long)len);
		else
			snprintf(why, sizeof(why), "BAD: byte %llu differs", (unsigned long long)bad_at);
		report("recv", got, sum, t0, why);
		return 1;
	}
	report("recv", got, sum, t0, "ok");
	return 0;
}

static int do_recv(int port, int conns)
{
	int l = listener(port), bad = 0;

	printf("netxfer: listening on %d\n", port);
	fflush(stdout);
	for (int i = 0; i < conns; i++) {
		int c = accept(l, NULL, NULL);

		if (c < 0) {
			printf("netxfer: accept: %s\n", strerror(errno));
			return 1;
		}
		bad += recv_one(c);
		close(c);
	}
	stats(l, "stats");
	close(l);
	return bad != 0;
}

static int dial(const char *host, int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int64_t end = now_ms() + 60000;

	if (inet_pton(AF_INET, host, &a.sin_addr) != 1) {
		printf("netxfer: not an IPv4 address: %s\n", host);
		exit(2);
	}
	for (;;) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		if (fd < 0) {
			printf("netxfer: socket: %s\n", strerror(errno));
			exit(1);
		}
		if (!connect(fd, (struct sockaddr *)&a, sizeof(a)))
			return fd;
		if ((errno != ECONNREFUSED && errno != ETIMEDOUT && errno != EHOSTUNREACH &&
		     errno != ENETUNREACH) || now_ms() > end) {
			printf("netxfer: connect to %s:%d: %s\n", host, port, strerror(errno));
			exit(1);
		}
		close(fd);
		usleep(200000);
	}
}

static int send_one(const char *host, int port, uint64_t len, uint32_t seed)
{
	uint8_t hdr[16], ans[16];
	uint64_t sum = 0xcbf29ce484222325ull, left = len;
	struct pattern p = { (uint64_t)seed * 0x9e3779b97f4a7c15ull | 1 };
	int c = dial(host, port);
	int64_t t0 = now_ms();

	memcpy(hdr, "NXF1", 4);
	for (int i = 0; i < 4; i++)
		hdr[4 + i] = (uint8_t)(seed >> (8 * i));
	put64(hdr + 8, len);
	if (write_all(c, hdr, sizeof(hdr))) {
		printf("netxfer: send: %s\n", strerror(errno));
		return 1;
	}
	while (left) {
		size_t k = left < sizeof(buf) ? (size_t)left : sizeof(buf);

		fill(&p, buf, sizeof(buf));
		sum = fnv(sum, buf, k);
		if (write_all(c, buf, k)) {
			printf("netxfer: send: write after %llu bytes: %s\n",
			       (unsigned long long)(len - left), strerror(errno));
			return 1;
		}
		left -= k;
	}
	/* the answer, 60 s at most (not shutdown(SHUT_WR) first: the
	 * receiver takes our close for the sign that the answer came) */
	struct pollfd pf = { .fd = c, .events = POLLIN };
	if (poll(&pf, 1, 60000) <= 0 || read_full(c, ans, sizeof(ans)) != sizeof(ans)) {
		printf("netxfer: send: no answer from the receiver\n");
		return 1;
	}
	close(c);
	t0 = now_ms() - t0;
	if (get64(ans) != len || get64(ans + 8) != sum) {
		char why[96];

		snprintf(why, sizeof(why), "BAD: the receiver got %llu bytes fnv %016llx",
			 (unsigned long long)get64(ans), (unsigned long long)get64(ans + 8));
		report("send", len, sum, t0, why);
		return 1;
	}
	report("send", len, sum, t0, "ok");
	return 0;
}

static uint64_t size_arg(const char *s, const char **end)
{
	char *e;
	uint64_t v = strtoull(s, &e, 10);

	if (*e == 'K')
		v <<= 10, e++;
	else if (*e == 'M')
		v <<= 20, e++;
	*end = e;
	return v;
}

static int do_send(const char *host, int port, const char *sizes)
{
	const char *s = sizes;
	uint32_t seed = 1;
	int bad = 0;

	while (*s) {
		uint64_t len = size_arg(s, &s);

		if (*s && *s != ',') {
			printf("netxfer: bad size list %s\n", sizes);
			return 2;
		}
		if (*s)
			s++;
		bad += send_one(host, port, len, seed++);
	}
	sleep(1);       /* the last FIN may be lost: a while to send it again */
	stats(-1, "stats");
	return bad != 0;
}

static int do_serve(int port)
{
	int l = listener(port);
	unsigned long n = 0;
	char line[256];

	printf("netxfer: serving %d\n", port);
	fflush(stdout);
	for (;;) {
		int c = accept(l, NULL, NULL), quit = 0;
		ssize_t k;

		if (c < 0) {
			if (errno == EINTR)
				continue;
			printf("netxfer: accept after %lu connections: %s\n", n, strerror(errno));
			return 1;
		}
		n++;
		k = read(c, line, sizeof(line) - 1);
		if (k > 0) {
			line[k] = 0;
			if (!strncmp(line, "stats", 5)) {
				static char st[4000];
				socklen_t len = sizeof(st) - 2;

				if (getsockopt(c, SOL_CAIRN_NET, NET_STATS, st, &len))
					len = (socklen_t)snprintf(st, sizeof(st), "unknown (%s)", strerror(errno));
				else if (len)
					len--;             /* its NUL */
				st[len++] = '\n';
				write_all(c, st, len);
			} else if (!strncmp(line, "quit", 4)) {
				write_all(c, "bye\n", 4);
				quit = 1;
			} else {
				write_all(c, line, (size_t)k);
			}
			while ((k = read(c, line, sizeof(line))) > 0)
				;
		}
		close(c);
		if (quit)
			break;
	}
	printf("netxfer: served %lu connections\n", n);
	close(l);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 3 && !strcmp(argv[1], "recv"))
		return do_recv(atoi(argv[2]), argc > 3 ? atoi(argv[3]) : 1);
	if (argc == 5 && !strcmp(argv[1], "send"))
		return do_send(argv[2], atoi(argv[3]), argv[4]);
	if (argc == 3 && !strcmp(argv[1], "serve"))
		return do_serve(atoi(argv[2]));
	if (argc == 2 && !strcmp(argv[1], "stats")) {
		stats(-1, "stats");
		return 0;
	}
	fprintf(stderr, "usage: netxfer recv PORT [CONNS] | send ADDR PORT BYTES[,BYTES...] | serve PORT | stats\n");
	return 2;
}
