/* SPDX-License-Identifier: MIT */
/*
 * entropy: the system's random bytes (RNG_READ, RNG_INFO of
 * include/cairn/dev.h), from one ChaCha20 generator (user/lib/random.c,
 * fast key erasure after every answer) seeded and reseeded from every
 * source the machine has:
 *
 *   service entropy bin/entropy
 *       cap console console w          its log lines
 *       cap entropy endpoint:entropy rw  the endpoint it serves
 *       cap kinfo kinfo r              the clock (reseeding), jitter seeding
 *       cap rng endpoint:...  w        optional: an RNG_READ service (the
 *                                      virtio-rng driver, or a stand-in)
 *       cap devmgr endpoint:devmgr w   optional: the device manager, asked
 *                                      for "rng" (DEV_LOOKUP)
 *
 * Sources, all folded in together:
 *   - the `rng` service: 32 bytes at each (re)seed (64 at start-up);
 *   - the CPU: x86-64 RDSEED, else RDRAND, when CPUID says so (hw_seed()
 *     of <cairn/counter.h>; QEMU's TCG offers RDRAND only, with the q35
 *     board's `-cpu qemu64,+rdrand`); riscv64's Zkr `seed` CSR is not
 *     read (counter.h says why);
 *   - timing jitter, KernelInfo and addresses (cairn_rng_seed()), always.
 * With neither of the first two the server says so once at start-up and
 * serves from jitter alone; RNG_INFO's RNG_HW says whether one fed it.
 *
 * Reseeding happens when a read finds the last seed older than
 * RESEED_NS or more than RESEED_BYTES served since. It is the one place
 * this server waits for another: an RNG_READ on `rng`, which a driver
 * answers with what the device has at once. A failing `rng` is logged
 * once and skipped until it works again (the device manager restarts a
 * driver behind the same endpoint).
 *
 * The device manager is asked with DEV_NOWAIT, for up to LOOKUP_WAIT_NS at
 * start-up (a driver still starting), and then again at each reseed while
 * its answer is ERR_AGAIN: a driver that never comes up (restarted until
 * the device manager gives up) must not hold the boot, since every POSIX
 * process and the VFS wait for this server's first answer.
 *
 * Clients need no badge: every caller gets fresh bytes of the one stream.
 */
#include <string.h>
#include <cairn/counter.h>
#include <cairn/dev_client.h>
#include <cairn/random.h>
#include <cairn/rt.h>
#include <cairn/server.h>

#define RESEED_NS     (30ull * 1000000000)
#define RESEED_BYTES  (1u << 20)
#define FRESH_BYTES   32                   /* from `rng` at each reseed */
#define LOOKUP_WAIT_NS (3ull * 1000000000)  /* for the device manager's rng at start-up */
#define LOOKUP_NAP_NS  (20ull * 1000000)

static struct cairn_rng rng;
static cap_t rng_svc = CAP_NULL;           /* an RNG_READ service, or none */
static cap_t devmgr = CAP_NULL;            /* to ask for "rng" while it is not up */
static bool svc_failing;                   /* its failure was logged */
static uint32_t info;                      /* RNG_INFO's flags */
static uint64_t seeded_at, served;
static uint8_t req_data[64];

/* DEV_LOOKUP "rng" with DEV_NOWAIT: the service's Endpoint, or CAP_NULL
 * and the error in *err (ERR_AGAIN: its driver is not up yet). */
static cap_t lookup_once(err_t *err)
{
	cap_t svc;

	*err = cairn_dev_lookup(devmgr, "rng", DEV_NOWAIT, &svc);
	return svc;
}

/* At start-up: the device manager's "rng", waiting up to LOOKUP_WAIT_NS
 * for a driver that is starting. Leaves devmgr set while it may still
 * come (ERR_AGAIN), for the reseeds to ask again. */
static void lookup_rng(void)
{
	uint64_t until = cairn_now_ns() + LOOKUP_WAIT_NS;
	struct cairn_msg m;
	cap_t nap = CAP_NULL;
	err_t e;

	while ((rng_svc = lookup_once(&e)) == CAP_NULL && e == ERR_AGAIN && cairn_now_ns() < until) {
		if (nap == CAP_NULL &&
		    !cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_NOTIFICATION, 0, 0, 0, &m))
			nap = m.w[0];
		if (nap == CAP_NULL || cairn_wait(nap, LOOKUP_NAP_NS, NULL) != ERR_TIMEDOUT)
			cairn_yield();
	}
	if (nap != CAP_NULL)
		cairn_cap_delete(nap);
	if (rng_svc != CAP_NULL || e != ERR_AGAIN) {
		if (e)
			printf("entropy: the device manager has no \"rng\": %s\n", err_name(e));
		devmgr = CAP_NULL;            /* found, or never will be */
		return;
	}
	printf("entropy: the device manager's \"rng\" is not up yet: asking again at each reseed\n");
}

/* At a reseed: the device manager's "rng" if it has come up since. */
static void lookup_again(void)
{
	err_t e = ERR_OK;

	if (devmgr == CAP_NULL || (rng_svc = lookup_once(&e)) == CAP_NULL) {
		if (devmgr != CAP_NULL && e != ERR_AGAIN) {
			printf("entropy: the device manager has no \"rng\": %s\n", err_name(e));
			devmgr = CAP_NULL;
		}
		return;
	}
	printf("entropy: the device manager's \"rng\" is up: reseeding from it\n");
	devmgr = CAP_NULL;
}

/* Folds n bytes from the `rng` service in: whether it gave them. */
static bool from_service(size_t n)
{
	uint8_t buf[64];
	err_t e;

	if (rng_svc == CAP_NULL)
		return false;
	if ((e = cairn_rng_read(rng_svc, buf, n))) {
		if (!svc_failing)
			printf("entropy: the rng service failed: %s (going on without it)\n", err_name(e));
		svc_failing = true;
		return false;
	}
	if (svc_failing)
		printf("entropy: the rng service works again\n");
	svc_failing = false;
	cairn_rng_add(&rng, buf, n);
	memset(buf, 0, sizeof(buf));
	return true;
}

/* Folds 4 values of the CPU's source in: whether it has one. */
static bool from_cpu(void)
{
	uint64_t v[4];
	unsigned n = 0;

	for (int i = 0; i < 4; i++)
		if (hw_seed(&v[n]))
			n++;
	if (n)
		cairn_rng_add(&rng, v, n * sizeof(v[0]));
	memset(v, 0, sizeof(v));
	return n;
}

static void reseed(void)
{
	bool hw;

	lookup_again();
	hw = from_cpu();
	hw |= from_service(FRESH_BYTES);
	cairn_rng_mix(&rng, seed_jitter());
	if (hw)
		info |= RNG_HW;
	seeded_at = cairn_now_ns();
	served = 0;
}

static void do_read(struct srv_req *r, struct srv_ans *a)
{
	uint64_t n = r->w[0];

	if (!n || n > RNG_READ_MAX) {
		a->err = ERR_INVAL;
		return;
	}
	if (served >= RESEED_BYTES || cairn_now_ns() - seeded_at >= RESEED_NS)
		reseed();
	cairn_rng_bytes(&rng, srv_out(), (size_t)n);
	served += n;
	a->w[0] = n;
	a->nbytes = (size_t)n;
}

static void do_info(struct srv_req *r, struct srv_ans *a)
{
	(void)r;
	a->w[0] = info;
}

static const struct srv_op ops[] = {
	{ RNG_READ, RNG_READ, do_read },
	{ RNG_INFO, RNG_INFO, do_info },
};

static struct srv srv = {
	.name = "entropy",
	.ops = ops,
	.nops = sizeof(ops) / sizeof(ops[0]),
	.in_buf = req_data,
	.in_max = sizeof(req_data),
};

/* The first seed: everything there is, and one line saying what. */
static void first_seed(cap_t kinfo)
{
	bool cpu, svc;

	cairn_rng_seed(&rng, kinfo);                /* jitter, KernelInfo, addresses */
	cpu = from_cpu();
	svc = from_service(CAIRN_RNG_SEED_BYTES);
	if (cpu || svc)
		info |= RNG_HW;
	seeded_at = cairn_now_ns();
	if (!cpu && !svc)
		printf("entropy: no entropy source (no rng service, no CPU instruction): "
		       "seeded from timing jitter only\n");
	else
		printf("entropy: seeded from %s%s%s\n", svc ? "the rng service" : "",
		       svc && cpu ? " and " : "", cpu ? "the CPU (RDSEED/RDRAND)" : "");
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cap_t kinfo = cairn_cap("kinfo");

	srv.ep = cairn_cap("entropy");
	if (srv.ep == CAP_NULL) {
		printf("entropy: no capability 'entropy' (the endpoint to serve)\n");
		return 1;
	}
	cairn_clock_init(kinfo);
	rng_svc = cairn_cap("rng");
	if (rng_svc == CAP_NULL && (devmgr = cairn_cap("devmgr")) != CAP_NULL)
		lookup_rng();
	first_seed(kinfo);
	srv_run(&srv);
	printf("entropy: stopped serving\n");
	return 1;
}
