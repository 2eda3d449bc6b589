/* SPDX-License-Identifier: MIT */
/*
 * rngtest: the random-bytes protocol (include/cairn/dev.h, RNG_*) against
 * the virtio entropy driver (drivers/virtio_rng, started as the device
 * manager starts it: user/manifests/rng-*.manifest). rngtest plays the
 * device manager's part the driver needs (it receives DEV_READY on
 * `devmgr`), or with the argument lookup=NAME asks a real device manager
 * for the driver (DEV_LOOKUP). Then RNG_INFO, RNG_READ of every size class, bad sizes, a
 * badge the driver never gave, and bytes that look random.
 */
#include <stdbool.h>
#include <string.h>
#include <cairn/rt.h>
#include <cairn/test.h>
#include <cairn/dev_client.h>

static cap_t c_svc = CAP_NULL, c_devmgr = CAP_NULL;

static err_t rng_read(cap_t svc, uint64_t n, uint8_t *out, uint64_t *got)
{
	struct cairn_msg m = cairn_call(svc, cairn_tag(RNG_READ, CAIRN_MSG_REGS, 0), n, 0, 0, 0);
	err_t e = m.err ? (err_t)m.err : (err_t)cairn_tag_label(m.tag);

	if (!e) {
		*got = m.w[0];
		if (*got <= RNG_READ_MAX)
			memcpy(out, &cairn_ipcbuf()->w[CAIRN_MSG_REGS], *got);
	}
	return e;
}

static const char *lookup_name;        /* argument lookup=NAME: a real device manager */

/* DEV_READY received (we play the device manager), or with lookup=NAME
 * the driver's svc from the device manager (DEV_LOOKUP). */
static void t_ready(void)
{
	struct cairn_msg m;

	if (lookup_name) {
		err_t e = cairn_dev_lookup(c_devmgr, lookup_name, 0, &c_svc);

		CHECK(!e, "DEV_LOOKUP %s: %s", lookup_name, err_name(e));
		return;
	}
	CHECK(c_devmgr != CAP_NULL && c_svc != CAP_NULL, "capabilities devmgr and svc");
	m = cairn_recv(c_devmgr, 0);
	CHECK_OK((err_t)m.err);
	CHECK(cairn_tag_label(m.tag) == DEV_READY, "label %#x, want DEV_READY", cairn_tag_label(m.tag));
	CHECK_OK(cairn_reply(cairn_tag(0, CAIRN_MSG_REGS, 0), 0, 0, 0, 0));
}

static void t_info(void)
{
	struct cairn_msg m = cairn_call(c_svc, cairn_tag(RNG_INFO, CAIRN_MSG_REGS, 0), 0, 0, 0, 0);

	CHECK(!m.err && cairn_tag_label(m.tag) == 0, "RNG_INFO: %s", err_name(m.err ? (err_t)m.err :
	      (err_t)cairn_tag_label(m.tag)));
	CHECK(m.w[0] == RNG_HW, "flags %#lx, want RNG_HW", (unsigned long)m.w[0]);
}

/* Every size from 1 to RNG_READ_MAX answers 1..n bytes. */
static void t_sizes(void)
{
	static const uint64_t sizes[] = { 1, 2, 7, 8, 31, 64, 100, 255, RNG_READ_MAX };
	uint8_t buf[RNG_READ_MAX];
	uint64_t got;

	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		CHECK_OK(rng_read(c_svc, sizes[i], buf, &got));
		CHECK(got > 0 && got <= sizes[i], "asked %lu, got %lu", (unsigned long)sizes[i], (unsigned long)got);
	}
}

static void t_bad_sizes(void)
{
	uint8_t buf[RNG_READ_MAX];
	uint64_t got;

	EXPECT_ERR(rng_read(c_svc, 0, buf, &got), ERR_INVAL);
	EXPECT_ERR(rng_read(c_svc, RNG_READ_MAX + 1, buf, &got), ERR_INVAL);
	EXPECT_ERR(rng_read(c_svc, UINT64_MAX, buf, &got), ERR_INVAL);
	EXPECT_OK(rng_read(c_svc, 16, buf, &got));       /* still serving */
}

/* A badge the driver never gave names nothing: ERR_BADF. */
static void t_badge(void)
{
	uint8_t buf[16];
	uint64_t r[3], got;

	CHECK_OK(cairn_cap_op(CAP_OP_MINT, c_svc, CAP_NULL, RIGHT_WRITE, 77, r));
	EXPECT_ERR(rng_read(r[0], 16, buf, &got), ERR_BADF);
	cairn_cap_delete(r[0]);
}

/* 32 reads of 256 bytes: no two alike, most byte values seen. */
static void t_random(void)
{
	static uint8_t got[32][RNG_READ_MAX];
	static bool seen[256];
	unsigned distinct = 0;
	uint64_t n;

	for (unsigned i = 0; i < 32; i++) {
		CHECK_OK(rng_read(c_svc, RNG_READ_MAX, got[i], &n));
		CHECK(n == RNG_READ_MAX, "read %u: %lu bytes", i, (unsigned long)n);
		for (unsigned k = 0; k < i; k++)
			CHECK(memcmp(got[i], got[k], RNG_READ_MAX), "reads %u and %u are the same", k, i);
		for (unsigned b = 0; b < RNG_READ_MAX; b++)
			if (!seen[got[i][b]]) {
				seen[got[i][b]] = true;
				distinct++;
			}
	}
	CHECK(distinct >= 250, "8 KiB of bytes use only %u values", distinct);
}

static const struct t_case tests[] = {
	{ "rngd.dev_ready", t_ready },
	{ "rngd.info", t_info },
	{ "rngd.sizes", t_sizes },
	{ "rngd.bad_sizes", t_bad_sizes },
	{ "rngd.unknown_badge", t_badge },
	{ "rngd.random", t_random },
};

int main(int argc, char **argv)
{
	unsigned n = sizeof(tests) / sizeof(tests[0]);

	c_svc = cairn_cap("svc");
	c_devmgr = cairn_cap("devmgr");
	if (argc > 1 && !strncmp(argv[1], "lookup=", 7))
		lookup_name = argv[1] + 7;
	t_begin("rngtest", n);
	t_run_all(tests, n);
	return t_end("rngtest") ? 1 : 0;
}
