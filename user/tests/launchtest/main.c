/* SPDX-License-Identifier: MIT */
/*
 * launchtest: init's launcher (include/cairn/launch.h) as its client sees
 * it (user/manifests/launchtest.manifest): a template service `inst`
 * (bin/hello, which prints its arguments and capabilities) started on
 * demand through a `launcher:inst` capability. Bad requests are EINVAL
 * and start nothing; good ones answer at once with the instance's id,
 * and the instance gets the template's arguments, then --dev NAME and
 * --ro, and the caller's capability as "caller" (the harness checks
 * hello's lines and init's: tests/run-all.sh).
 */
#include <stdbool.h>
#include <string.h>
#include <cairn/rt.h>
#include <cairn/test.h>
#include <cairn/launch.h>

static cap_t c_launch;

/* LAUNCH_START with len bytes of name (cap give, or none): the error. */
static err_t launch(uint64_t flags, const char *name, size_t len, uint64_t claimed, cap_t give,
		    uint64_t *id)
{
	struct cairn_ipcbuf *ib = cairn_ipcbuf();
	struct cairn_msg m;

	memcpy(&ib->w[CAIRN_MSG_REGS], name, len);
	if (give != CAP_NULL)
		ib->caps[0] = give;
	m = cairn_call(c_launch, cairn_tag(LAUNCH_START, CAIRN_MSG_REGS + (unsigned)((len + 7) / 8),
					   give != CAP_NULL), flags, 0, claimed, 0);
	if (id)
		*id = m.w[0];
	return m.err ? (err_t)m.err : (err_t)cairn_tag_label(m.tag);
}

static void t_bad(void)
{
	static const char *const names[] = {
		"", ".blk", "-blk", "a/b", "a b", "blk\n", "0123456789abcdef", "../blk1", "blk1;x",
	};

	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		CHECK_ERR(launch(0, names[i], strlen(names[i]), strlen(names[i]), CAP_NULL, NULL), ERR_INVAL);
	CHECK_ERR(launch(2, "blk1", 4, 4, CAP_NULL, NULL), ERR_INVAL);                 /* flags */
	CHECK_ERR(launch(LAUNCH_RO << 8, "blk1", 4, 4, CAP_NULL, NULL), ERR_INVAL);
	CHECK_ERR(launch(0, "blk1", 4, 200, CAP_NULL, NULL), ERR_INVAL);               /* length */
	CHECK_ERR(launch(0, "blk1", 4, ~0ull, CAP_NULL, NULL), ERR_INVAL);
}

static void t_start(void)
{
	uint64_t id1 = 0, id2 = 0;

	/* with a capability for the instance ("caller") and read-only */
	CHECK_OK(launch(LAUNCH_RO, "blk1", 4, 4, cairn_cap("console"), &id1));
	/* without one; the longest name */
	CHECK_OK(launch(0, "abcdefghijklmno", 15, 15, CAP_NULL, &id2));
	CHECK(id1 && id2 && id1 != id2, "ids %lu and %lu", (unsigned long)id1, (unsigned long)id2);
}

static const struct t_case tests[] = {
	{ "launch.bad_requests", t_bad },
	{ "launch.start", t_start },
};

int main(int argc, char **argv)
{
	unsigned n = sizeof(tests) / sizeof(tests[0]);

	(void)argc;
	(void)argv;
	c_launch = cairn_cap("launch");
	t_begin("launchtest", n);
	t_run_all(tests, n);
	/* the instances print before the boot ends (init stops what still
	 * runs once this exits): a second for them */
	{
		struct cairn_msg m;
		if (!cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_NOTIFICATION, 0, 0, 0, &m))
			cairn_wait(m.w[0], 1000000000ull, NULL);
	}
	return t_end("launchtest") ? 1 : 0;
}
