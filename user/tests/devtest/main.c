// SPDX-License-Identifier: MIT
/*
 * devtest: the device manager (user/servers/devmgr) seen by a client,
 * booted with several devices at once (tests/run-all.sh gives QEMU the
 * devices; user/manifests/devtest.manifest gives devmgr the stub driver,
 * user/tests/stubdrv, for every device id it drives).
 *
 *   devtest UP FAILED NONE INTX HANG GIVEUP
 *
 * UP: the names whose drivers must come up (comma-separated); FAILED: the
 * name whose driver always fails; NONE: how many devices without a driver
 * at least (a virtio device with no table entry among them); INTX: the name
 * of QEMU's edu device, whose stub checks that its INTx arrives; HANG: the
 * name whose driver never says DEV_READY (the device manager's
 * --ready-timeout stops it, DEV_RESTART_MAX + 1 times); GIVEUP: the name
 * whose driver works when first started and crashes in every restart
 * (stubdrv --fail-restarted).
 *
 * Prints one line a test and "N passed, N failed" (user/lib/test.c).
 */
#include <stdbool.h>
#include <string.h>
#include <stdlib.h>
#include <cairn/rt.h>
#include <cairn/dev_client.h>
#include <cairn/test.h>
#include "../stubdrv/stub.h"

#define MAX_UP 8

static cap_t c_dev, c_admin, c_manage = CAP_NULL;
static char up_names[MAX_UP][DEV_NAME_MAX + 1];
static unsigned nup;
static const char *failed_name = "", *intx_name = "", *hang_name = "", *giveup_name = "";
static unsigned want_none;
static uint64_t baseline;
static char list[8192];

/* A DEV_* call with a name inline. */
static err_t dev_call(cap_t c, uint32_t label, uint64_t flags, const char *name, struct cairn_msg *out)
{
	size_t n = strlen(name);
	struct cairn_msg m;

	memset(&cairn_ipcbuf()->w[CAIRN_MSG_REGS], 0, (n + 7) / 8 * 8);
	memcpy(&cairn_ipcbuf()->w[CAIRN_MSG_REGS], name, n);
	m = cairn_call(c, cairn_tag(label, CAIRN_MSG_REGS + (unsigned)((n + 7) / 8), 0), flags, 0, 0, 0);
	if (out)
		*out = m;
	return m.err ? (err_t)m.err : (err_t)cairn_tag_label(m.tag);
}

/* DEV_LOOKUP; the service's endpoint in *svc. */
static err_t lookup(const char *name, uint64_t flags, cap_t *svc)
{
	return cairn_dev_lookup(c_dev, name, (unsigned)flags, svc);
}

static err_t ping(cap_t svc, struct cairn_msg *m)
{
	return cairn_invoke(svc, STUB_PING, 0, 0, 0, 0, 0, m);
}

/* The whole DEV_LIST text into list[]; the number of lines. */
static unsigned read_list(void)
{
	size_t len = 0;
	unsigned first = 0;

	for (;;) {
		struct cairn_msg m = cairn_call(c_dev, cairn_tag(DEV_LIST, CAIRN_MSG_REGS, 0), first, 0, 0, 0);
		size_t n = (cairn_tag_len(m.tag) - CAIRN_MSG_REGS) * 8;
		if (m.err || cairn_tag_label(m.tag) || !m.w[0])
			break;
		const char *t = (const char *)&cairn_ipcbuf()->w[CAIRN_MSG_REGS];
		size_t tl = strnlen(t, n);
		if (len + tl >= sizeof(list))
			break;
		memcpy(list + len, t, tl);
		len += tl;
		first += (unsigned)m.w[0];
		if (first >= m.w[1])
			break;
	}
	list[len] = 0;
	return first;
}

/* The STATE (last word) of NAME's line in list[], or NULL. */
static const char *state_of(const char *name, char *buf, size_t max)
{
	size_t n = strlen(name);

	for (const char *l = list; *l;) {
		const char *e = strchr(l, '\n');
		if (!e)
			break;
		if (!strncmp(l, name, n) && l[n] == ' ') {
			const char *s = e;
			while (s > l && s[-1] != ' ')
				s--;
			size_t k = (size_t)(e - s) < max - 1 ? (size_t)(e - s) : max - 1;
			memcpy(buf, s, k);
			buf[k] = 0;
			return buf;
		}
		l = e + 1;
	}
	return NULL;
}

/* ---- the tests ------------------------------------------------------------------------------------ */

/* The admin endpoint hands out the manage badge; nothing else there. */
static void t_manage(void)
{
	struct cairn_msg m;

	CHECK(c_admin != CAP_NULL, "no admin capability");
	EXPECT_ERR(cairn_invoke(c_admin, DEV_LOOKUP, 0, 0, 0, 0, 0, NULL), ERR_NOSYS);
	CHECK_OK(cairn_invoke(c_admin, DEV_MANAGE, 0, 0, 0, 0, 0, &m));
	CHECK(cairn_tag_ncaps(m.tag) == 1, "DEV_MANAGE gave %u capabilities", cairn_tag_ncaps(m.tag));
	c_manage = cairn_ipcbuf()->caps[0];
}

/* Names that are not there: ERR_NOENT; malformed: ERR_INVAL. */
static void t_lookup_absent(void)
{
	cap_t s;

	EXPECT_ERR(lookup("nosuch", 0, &s), ERR_NOENT);
	EXPECT_ERR(lookup("nosuch", DEV_NOWAIT, &s), ERR_NOENT);
	/* the device manager's own checks (by hand), then the library's */
	EXPECT_ERR(dev_call(c_dev, DEV_LOOKUP, 0, "", NULL), ERR_INVAL);
	EXPECT_ERR(dev_call(c_dev, DEV_LOOKUP, 0, "a-name-too-long-x", NULL), ERR_INVAL);
	EXPECT_ERR(lookup("", 0, &s), ERR_INVAL);
	EXPECT_ERR(lookup("a-name-too-long-x", 0, &s), ERR_INVAL);
	EXPECT_ERR(dev_call(c_dev, 0x5ff, 0, "x", NULL), ERR_NOSYS);
}

/* Each device with a driver: the lookup waits for DEV_READY and gives the
 * service, where the stub answers: its registers read right, its
 * capabilities and arguments as the contract says. */
static void t_lookup_up(void)
{
	for (unsigned i = 0; i < nup; i++) {
		struct cairn_msg m;
		cap_t s;
		uint64_t r[4];
		CHECK_OK(lookup(up_names[i], 0, &s));
		CHECK_OK(cairn_cap_identify(s, r));
		EXPECT(r[0] == OBJ_ENDPOINT && r[1] == (RIGHT_WRITE | RIGHT_GRANT) && r[2] == 0,
		       "%s: the service capability has type %lu rights %#lx badge %#lx", up_names[i],
		       (unsigned long)r[0], (unsigned long)r[1], (unsigned long)r[2]);
		CHECK_OK(ping(s, &m));
		EXPECT(m.w[0] == 0x74726976u || (m.w[0] & 0xffff) == 0x1af4,
		       "%s: registers read %#lx: neither the virtio magic nor the virtio PCI vendor",
		       up_names[i], (unsigned long)m.w[0]);
		EXPECT(m.w[3] == 0, "%s: the stub found %lu problems with how it was started (its log says)",
		       up_names[i], (unsigned long)m.w[3]);
		cairn_cap_delete(s);
	}
}

/* A driver that always crashes: restarted DEV_RESTART_MAX times, then
 * `failed`; the lookup (which waited) says ERR_NODEV. */
static void t_always_fails(void)
{
	cap_t s;

	CHECK(failed_name[0], "no FAILED name given");
	EXPECT_ERR(lookup(failed_name, 0, &s), ERR_NODEV);
	EXPECT_ERR(lookup(failed_name, DEV_NOWAIT, &s), ERR_NODEV);
}

/* DEV_LIST: every device, the right states. */
static void t_list(void)
{
	unsigned n = read_list(), none = 0;
	char st[16];

	CHECK(n >= nup + 1 + want_none, "%u devices listed, want at least %u", n, nup + 1 + want_none);
	for (unsigned i = 0; i < nup; i++) {
		const char *s = state_of(up_names[i], st, sizeof(st));
		EXPECT(s && !strcmp(s, "up"), "%s: state %s", up_names[i], s ? s : "(not listed)");
	}
	const char *s = state_of(failed_name, st, sizeof(st));
	EXPECT(s && !strcmp(s, "failed"), "%s: state %s", failed_name, s ? s : "(not listed)");
	s = state_of(hang_name, st, sizeof(st));
	EXPECT(s && !strcmp(s, "failed"), "%s: state %s", hang_name, s ? s : "(not listed)");
	for (const char *l = list; *l;) {
		const char *e = strchr(l, '\n');
		if (!e)
			break;
		none += e - l >= 5 && !memcmp(e - 5, " none", 5);
		l = e + 1;
	}
	EXPECT(none >= want_none, "%u devices without a driver, want at least %u", none, want_none);
	printf("%s", list);
}

/* DEV_RESTART needs the manage badge; a name it does not know is ERR_NOENT. */
static void t_restart_perm(void)
{
	CHECK(nup > 0, "no device");
	EXPECT_ERR(dev_call(c_dev, DEV_RESTART, 0, up_names[0], NULL), ERR_PERM);
	CHECK(c_manage != CAP_NULL, "no manage capability");
	EXPECT_ERR(dev_call(c_manage, DEV_RESTART, 0, "nosuch", NULL), ERR_NOENT);
	EXPECT_ERR(dev_call(c_manage, DEV_READY, 0, "", NULL), ERR_PERM);
}

/* DEV_RESTART: a new driver process behind the same service endpoint;
 * meanwhile lookups wait (or say ERR_AGAIN with DEV_NOWAIT). */
static void t_restart(void)
{
	struct cairn_msg m;
	uint64_t old, t0, took;
	cap_t s, s2;

	CHECK(nup > 0 && c_manage != CAP_NULL, "no device or no manage capability");
	baseline = free_pages();
	CHECK_OK(lookup(up_names[0], 0, &s));
	CHECK_OK(ping(s, &m));
	old = m.w[2];
	CHECK_OK(dev_call(c_manage, DEV_RESTART, 0, up_names[0], NULL));
	EXPECT_ERR(lookup(up_names[0], DEV_NOWAIT, &s2), ERR_AGAIN);
	t0 = now_ns();
	CHECK_OK(lookup(up_names[0], 0, &s2));
	took = now_ns() - t0;
	EXPECT(took >= STUB_READY_DELAY_NS / 2, "the lookup answered after %lu us: it did not wait for "
	       "DEV_READY", (unsigned long)(took / 1000));
	/* the old capability reaches the new driver, which found the device
	 * quiesced (virtio-mmio: reset) and was started as dev.h says */
	CHECK_OK(ping(s, &m));
	EXPECT(m.w[2] != old, "the same driver process (object %lu) answers", (unsigned long)old);
	EXPECT(m.w[3] == 0, "the new driver found %lu problems (its log says)", (unsigned long)m.w[3]);
	CHECK_OK(ping(s2, &m));
	cairn_cap_delete(s);
	cairn_cap_delete(s2);
}

/* A driver that crashes is restarted: its clients' calls reach the next one. */
static void t_crash(void)
{
	const char *name = nup > 1 ? up_names[1] : up_names[0];
	struct cairn_msg m;
	uint64_t old;
	cap_t s;

	CHECK(nup > 0, "no device");
	CHECK_OK(lookup(name, 0, &s));
	CHECK_OK(ping(s, &m));
	old = m.w[2];
	m = cairn_call(s, cairn_tag(STUB_CRASH, CAIRN_MSG_REGS, 0), 0, 0, 0, 0);
	EXPECT(m.err != 0, "STUB_CRASH was answered");
	cairn_cap_delete(s);
	CHECK_OK(lookup(name, 0, &s));
	CHECK_OK(ping(s, &m));
	EXPECT(m.w[2] != old, "the crashed driver (object %lu) still answers", (unsigned long)old);
	EXPECT(m.w[3] == 0, "the new driver found %lu problems (its log says)", (unsigned long)m.w[3]);
	cairn_cap_delete(s);
}

/* DEV_RESTART of a failed device tries it anew: it fails again. */
static void t_restart_failed(void)
{
	cap_t s;

	CHECK(c_manage != CAP_NULL, "no manage capability");
	CHECK_OK(dev_call(c_manage, DEV_RESTART, 0, failed_name, NULL));
	EXPECT_ERR(lookup(failed_name, 0, &s), ERR_NODEV);
}

/* Every driver stopped and started again: the kernel's free pages are
 * what they were. */
static void t_no_leak(void)
{
	cap_t s;

	CHECK(baseline, "no baseline");
	for (unsigned i = 0; i < nup; i++) {
		CHECK_OK(lookup(up_names[i], 0, &s));
		cairn_cap_delete(s);
	}
	EXPECT(free_pages() == baseline, "free pages %lu before the restarts, %lu after",
	       (unsigned long)baseline, (unsigned long)free_pages());
}

/* A driver that never says DEV_READY: stopped after the ready timeout
 * each time, then `failed`; the lookup that waited says ERR_NODEV. */
static void t_ready_timeout(void)
{
	cap_t s;

	CHECK(hang_name[0], "no HANG name given");
	EXPECT_ERR(lookup(hang_name, 0, &s), ERR_NODEV);
}

/* A PCI function's INTx reaches its driver: the line the device manager
 * worked out (riscv64: the interrupt-map; q35: ICH9's routing) is right. */
static void t_intx(void)
{
	struct cairn_msg m;
	cap_t s;

	CHECK(intx_name[0], "no INTX name given");
	CHECK_OK(lookup(intx_name, 0, &s));
	CHECK_OK(ping(s, &m));
	EXPECT(m.w[1] == 1, "the edu device's interrupt did not reach its driver (its log says)");
	EXPECT(m.w[3] == 0, "%s: the stub found %lu problems", intx_name, (unsigned long)m.w[3]);
	cairn_cap_delete(s);
}

/* A device that was up, whose driver then fails every restart: the device
 * manager gives it up, and a client holding its service gets ERR_PIPE
 * from a call at once, never waits for a driver that will not come (last:
 * the endpoint that goes is no_leak's business no more). */
static void t_given_up(void)
{
	struct cairn_msg m;
	cap_t s, s2;
	err_t e;

	CHECK(giveup_name[0], "no GIVEUP name given");
	CHECK_OK(lookup(giveup_name, 0, &s));
	CHECK_OK(ping(s, &m));
	m = cairn_call(s, cairn_tag(STUB_CRASH, CAIRN_MSG_REGS, 0), 0, 0, 0, 0);
	EXPECT(m.err != 0, "STUB_CRASH was answered");
	/* every restart crashes at once: the lookup that waits says ERR_NODEV */
	EXPECT_ERR(lookup(giveup_name, 0, &s2), ERR_NODEV);
	m = cairn_call(s, cairn_tag(STUB_PING, CAIRN_MSG_REGS, 0), 0, 0, 0, 0);
	e = m.err ? (err_t)m.err : (err_t)cairn_tag_label(m.tag);
	EXPECT(e == ERR_PIPE, "a call on the given-up device's service: %s", err_name(e));
	cairn_cap_delete(s);
}

static const struct t_case tests[] = {
	{ "dev.manage_badge", t_manage },
	{ "dev.lookup_absent", t_lookup_absent },
	{ "dev.lookup_waits_ready", t_lookup_up },
	{ "dev.always_fails", t_always_fails },
	{ "dev.ready_timeout", t_ready_timeout },
	{ "dev.pci_intx_delivered", t_intx },
	{ "dev.list", t_list },
	{ "dev.restart_needs_manage", t_restart_perm },
	{ "dev.restart", t_restart },
	{ "dev.crash_restarted", t_crash },
	{ "dev.restart_failed", t_restart_failed },
	{ "dev.no_leak", t_no_leak },
	{ "dev.given_up_fails_calls", t_given_up },
};

int main(int argc, char **argv)
{
	unsigned n = sizeof(tests) / sizeof(tests[0]);

	if (argc != 7)
		return t_abort("usage: devtest UP,NAMES FAILED NONE INTX HANG GIVEUP");
	for (char *p = argv[1]; *p && nup < MAX_UP;) {
		char *c = strchr(p, ',');
		size_t l = c ? (size_t)(c - p) : strlen(p);
		if (l > DEV_NAME_MAX)
			return t_abort("devtest: name too long");
		memcpy(up_names[nup++], p, l);
		p += l + (c != NULL);
	}
	failed_name = argv[2];
	want_none = (unsigned)strtoul(argv[3], NULL, 0);
	intx_name = argv[4];
	hang_name = argv[5];
	giveup_name = argv[6];
	c_dev = cairn_cap("devmgr");
	c_admin = cairn_cap("admin");
	if (c_dev == CAP_NULL)
		return t_abort("devtest: needs the capability devmgr");
	t_begin("devtest", n);
	t_run_all(tests, n);
	return t_end(NULL) ? 1 : 0;
}
