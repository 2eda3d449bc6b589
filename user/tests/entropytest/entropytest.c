/* SPDX-License-Identifier: MIT */
/*
 * The entropy server (user/servers/entropy) through its protocol, RNG_READ
 * and RNG_INFO of include/cairn/dev.h, on the capability "entropy"
 * (user/manifests/entropytest*.manifest): every size up to RNG_READ_MAX, bad
 * sizes and labels answered with errors (and the server serving on), bytes
 * that never repeat and whose bits are balanced, two generators seeded from
 * it that part ways, and RNG_INFO's RNG_HW as the argument says:
 *
 *   entropytest hw | nohw     RNG_HW expected set (a source fed the server) or not
 *   entropytest fake          a stand-in RNG_READ service on "svc" (a pattern of
 *                         bytes, not random: the server must mix it, not
 *                         pass it on), for the server's `rng` capability;
 *                         also as the device manager's driver for a
 *                         virtio-rng (entropytest-devmgr.manifest: its
 *                         arguments --name rng --mmio ADDR fake), when it
 *                         first says DEV_READY on "devmgr"
 */
#include <string.h>
#include <cairn/dev.h>
#include <cairn/random.h>
#include <cairn/rt.h>
#include <cairn/test.h>

static cap_t ep;
static int want_hw = -1;

/* RNG_READ of n: the answer's label (or the call's error); bytes to buf. */
static err_t rng_read(uint64_t n, void *buf, uint64_t *got)
{
	struct cairn_msg m = cairn_call(ep, cairn_tag(RNG_READ, CAIRN_MSG_REGS, 0), n, 0, 0, 0);

	if (m.err)
		return (err_t)m.err;
	*got = m.w[0];
	if (!cairn_tag_label(m.tag) && buf && m.w[0] <= RNG_READ_MAX)
		memcpy(buf, &cairn_ipcbuf()->w[CAIRN_MSG_REGS], m.w[0]);
	return (err_t)cairn_tag_label(m.tag);
}

static void t_info(void)
{
	struct cairn_msg m;
	err_t e = cairn_invoke(ep, RNG_INFO, 0, 0, 0, 0, 0, &m);

	CHECK(!e, "RNG_INFO: %s", err_name(e));
	CHECK(!(m.w[0] & ~(uint64_t)RNG_HW), "unknown flags %#llx", (unsigned long long)m.w[0]);
	if (want_hw >= 0)
		CHECK(!!(m.w[0] & RNG_HW) == want_hw, "RNG_HW is %s, want %s",
		      m.w[0] & RNG_HW ? "set" : "clear", want_hw ? "set" : "clear");
	t_note("flags %#llx", (unsigned long long)m.w[0]);
}

static void t_sizes(void)
{
	static const uint64_t sizes[] = { 1, 2, 7, 8, 9, 16, 100, 255, RNG_READ_MAX };
	uint8_t a[RNG_READ_MAX], b[RNG_READ_MAX];

	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint64_t n = sizes[i], got = 0, got2 = 0;
		err_t e = rng_read(n, a, &got);

		CHECK(!e && got == n, "RNG_READ %llu: %s, %llu bytes", (unsigned long long)n,
		      err_name(e), (unsigned long long)got);
		e = rng_read(n, b, &got2);
		CHECK(!e && got2 == n, "second RNG_READ %llu: %s", (unsigned long long)n, err_name(e));
		/* 8 bytes or more equal by chance: 2^-64 */
		CHECK(n < 8 || memcmp(a, b, n), "two reads of %llu gave the same bytes",
		      (unsigned long long)n);
	}
}

static void t_bad(void)
{
	uint64_t got = 0;
	struct cairn_msg m;

	CHECK(rng_read(0, NULL, &got) == ERR_INVAL, "RNG_READ 0 is not EINVAL");
	CHECK(rng_read(RNG_READ_MAX + 1, NULL, &got) == ERR_INVAL, "RNG_READ_MAX + 1 is not EINVAL");
	CHECK(rng_read(~0ull, NULL, &got) == ERR_INVAL, "RNG_READ 2^64-1 is not EINVAL");
	CHECK(cairn_invoke(ep, RNG_INFO + 1, 0, 0, 0, 0, 0, &m) == ERR_NOSYS, "an unknown label");
	CHECK(cairn_invoke(ep, 0, 0, 0, 0, 0, 0, &m) == ERR_NOSYS, "label 0");
	/* a long request (bytes the server does not want) and stray words */
	memset(&cairn_ipcbuf()->w[CAIRN_MSG_REGS], 0xa5, 40 * 8);
	m = cairn_call(ep, cairn_tag(RNG_READ, 40, 0), 16, 1, 2, 3);
	CHECK(!m.err && !cairn_tag_label(m.tag) && m.w[0] == 16, "a long RNG_READ: %s %s",
	      err_name((err_t)m.err), err_name((err_t)cairn_tag_label(m.tag)));
	CHECK(!rng_read(RNG_READ_MAX, NULL, &got) && got == RNG_READ_MAX, "serving after bad input");
}

/* 64 KiB: each bit position's ones within 5 sigma of half, and the whole
 * within 5 sigma; no 16-byte block seen twice. */
static void t_balance(void)
{
	enum { TOTAL = 65536, N = TOTAL / RNG_READ_MAX };
	static uint8_t buf[TOTAL];
	uint64_t ones = 0, got, pos[8] = { 0 };

	for (unsigned i = 0; i < N; i++)
		CHECK(!rng_read(RNG_READ_MAX, buf + i * RNG_READ_MAX, &got) && got == RNG_READ_MAX,
		      "read %u", i);
	for (unsigned i = 0; i < TOTAL; i++)
		for (int b = 0; b < 8; b++)
			if (buf[i] >> b & 1) {
				ones++;
				pos[b]++;
			}
	/* sigma of TOTAL*8 bits: sqrt(524288)/2 = 362; of TOTAL bits: 128 */
	CHECK(ones > TOTAL * 4 - 5 * 362 && ones < TOTAL * 4 + 5 * 362, "%llu ones of %u bits",
	      (unsigned long long)ones, TOTAL * 8);
	for (int b = 0; b < 8; b++)
		CHECK(pos[b] > TOTAL / 2 - 5 * 128 && pos[b] < TOTAL / 2 + 5 * 128,
		      "bit %d set %llu times of %u", b, (unsigned long long)pos[b], TOTAL);
	for (unsigned i = 0; i < TOTAL; i += 16)
		for (unsigned j = i + 16; j < i + 1024 && j < TOTAL; j += 16)
			CHECK(memcmp(buf + i, buf + j, 16), "blocks at %u and %u equal", i, j);
}

/* libcairn's client side: cairn_rng_read of more than one message, and
 * two generators seeded from the server give different streams. */
static void t_client(void)
{
	static uint8_t big[3 * RNG_READ_MAX + 5];
	struct cairn_rng r1, r2;
	uint8_t a[64], b[64];
	err_t e;

	memset(big, 0, sizeof(big));
	CHECK(!(e = cairn_rng_read(ep, big, sizeof(big))), "cairn_rng_read: %s", err_name(e));
	CHECK(memcmp(big + sizeof(big) - 16, (uint8_t[16]){ 0 }, 16), "the last bytes not filled");
	CHECK(cairn_rng_read(CAP_NULL, big, 8) == ERR_BADF, "cairn_rng_read without a server");
	memset(&r1, 0, sizeof(r1));
	memset(&r2, 0, sizeof(r2));
	CHECK(!cairn_rng_seed_from(&r1, ep) && r1.seeded, "seed r1");
	CHECK(!cairn_rng_seed_from(&r2, ep) && r2.seeded, "seed r2");
	cairn_rng_bytes(&r1, a, sizeof(a));
	cairn_rng_bytes(&r2, b, sizeof(b));
	CHECK(memcmp(a, b, sizeof(a)), "two generators seeded from the server agree");
}

/* More than the server serves between reseeds (1 MiB, RESEED_BYTES of
 * user/servers/entropy): it reseeds, and serves on. Under
 * entropytest-svc.manifest the stand-in service logs each RNG_READ it
 * answers, so the harness sees the reseed ask it again; without a source
 * the server's warning must not come again. */
static void t_reseed(void)
{
	uint8_t a[RNG_READ_MAX], b[RNG_READ_MAX];
	uint64_t got;

	for (unsigned i = 0; i <= (1u << 20) / RNG_READ_MAX; i++)
		CHECK(!rng_read(RNG_READ_MAX, a, &got) && got == RNG_READ_MAX, "read %u", i);
	CHECK(!rng_read(RNG_READ_MAX, b, &got) && memcmp(a, b, sizeof(a)), "after the reseed");
}

static const struct t_case tests[] = {
	{ "entropy.info", t_info },
	{ "entropy.read_sizes", t_sizes },
	{ "entropy.bad_requests", t_bad },
	{ "entropy.bit_balance_64k", t_balance },
	{ "entropy.client_library", t_client },
	{ "entropy.reseed_after_1mib", t_reseed },
};

/* The stand-in device: RNG_READ answers min(n, 64) bytes of a counter,
 * and logs it. */
static int fake_main(void)
{
	cap_t svc = cairn_cap("svc");
	struct cairn_msg m;
	uint8_t next = 0;
	unsigned served = 0;

	if (svc == CAP_NULL)
		return t_abort("entropytest fake: no capability 'svc'");
	if (cairn_cap("devmgr") != CAP_NULL && cairn_invoke(cairn_cap("devmgr"), DEV_READY, 0, 0, 0, 0, 0, NULL))
		printf("entropytest fake: DEV_READY refused\n");
	m = cairn_recv(svc, 0);
	for (;;) {
		uint64_t n = m.w[0] < 64 ? m.w[0] : 64;
		uint8_t *out = (uint8_t *)&cairn_ipcbuf()->w[CAIRN_MSG_REGS];

		if (m.err || cairn_tag_label(m.tag) != RNG_READ || !n) {
			m = cairn_reply_recv(svc, cairn_tag(m.err ? ERR_OK : ERR_NOSYS, 0, 0), 0, 0, 0, 0);
			continue;
		}
		for (uint64_t i = 0; i < n; i++)
			out[i] = next++;
		printf("entropytest fake: RNG_READ %llu (request %u)\n", (unsigned long long)n, ++served);
		cairn_console_flush();
		m = cairn_reply_recv(svc, cairn_tag(ERR_OK, CAIRN_MSG_REGS + (unsigned)(n + 7) / 8, 0),
				     n, 0, 0, 0);
	}
}

int main(int argc, char **argv)
{
	unsigned nfailed;

	if (argc > 1 && !strcmp(argv[argc - 1], "fake"))
		return fake_main();
	if (argc > 1)
		want_hw = !strcmp(argv[1], "hw");
	ep = cairn_cap("entropy");
	if (ep == CAP_NULL)
		return t_abort("entropytest: needs the capability entropy (the entropy server)");
	t_begin("entropytest", sizeof(tests) / sizeof(tests[0]));
	t_run_all(tests, sizeof(tests) / sizeof(tests[0]));
	nfailed = t_end("entropytest");
	cairn_console_flush();
	return (int)nfailed;
}
