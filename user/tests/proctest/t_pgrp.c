/* SPDX-License-Identifier: MIT */
/*
 * Process groups and sessions: setpgid, getpgid, setsid, getsid, and
 * the calls that name a group (kill, wait).
 */
#include "proctest.h"

#define POLL(cond, ms)                                                    \
	do {                                                              \
		for (unsigned i_ = 0; i_ < (ms) && !(cond); i_ += 2)      \
			sleep_ms(2);                                      \
	} while (0)

static int child_gate(uint64_t code)
{
	gate_wait();
	return (int)code;
}

static uint64_t pgid_of(int pid)
{
	uint64_t r[4];

	return ps(PS_GETPGID, (uint64_t)pid, 0, 0, 0, r) ? (uint64_t)-1 : r[0];
}

void t_setpgid(void)
{
	int a, b, wp, st;

	a = fork_fn(child_gate, 0);
	b = fork_fn(child_gate, 0);
	CHECK(a > 1 && b > 1, "fork: %d %d", a, b);
	CHECK(pgid_of(a) == 1 && pgid_of(0) == 1, "groups before: %lu %lu",
	      (unsigned long)pgid_of(a), (unsigned long)pgid_of(0));
	CHECK_OK(ps(PS_SETPGID, (uint64_t)a, 0, 0, 0, NULL));     /* its own group */
	CHECK(pgid_of(a) == (uint64_t)a, "pgid of %d: %lu", a, (unsigned long)pgid_of(a));
	CHECK_OK(ps(PS_SETPGID, (uint64_t)b, (uint64_t)a, 0, 0, NULL));   /* joins it */
	CHECK(pgid_of(b) == (uint64_t)a, "pgid of %d: %lu", b, (unsigned long)pgid_of(b));
	CHECK(pgid_of(0) == 1, "our group changed: %lu", (unsigned long)pgid_of(0));
	CHECK_OK(ps_kill(-a, SIGTERM));
	for (int i = 0; i < 2; i++) {
		CHECK_OK(ps_wait(-1, 0, &wp, &st));
		CHECK((wp == a || wp == b) && st == SIGTERM, "pid %d status %#x", wp, st);
	}
	EXPECT_ERR(ps_kill(-a, 0), ERR_SRCH);           /* the group is gone */
}

static int child_code(uint64_t code)
{
	return (int)code;
}

void t_wait_group(void)
{
	int a, c, wp, st;

	a = fork_fn(child_gate, 8);
	CHECK(a > 1, "fork: %d", a);
	CHECK_OK(ps(PS_SETPGID, (uint64_t)a, (uint64_t)a, 0, 0, NULL));
	c = fork_fn(child_code, 4);
	CHECK(c > 1, "fork: %d", c);
	/* wait(0): our group only */
	CHECK_OK(ps_wait(0, 0, &wp, &st));
	CHECK(wp == c && st == 4 << 8, "wait(0): pid %d status %#x", wp, st);
	CHECK_ERR(ps_wait(0, WNOHANG, &wp, &st), ERR_CHILD);
	/* wait(-pgid) */
	CHECK_OK(ps_wait(-a, WNOHANG, &wp, &st));
	CHECK(wp == 0, "wait(-%d) WNOHANG gave %d", a, wp);
	gate_open();
	CHECK_OK(ps_wait(-a, 0, &wp, &st));
	CHECK(wp == a && st == 8 << 8, "wait(-%d): pid %d status %#x", a, wp, st);
}

void t_setpgid_errors(void)
{
	int a;

	EXPECT_ERR(ps(PS_SETPGID, 30000, 0, 0, 0, NULL), ERR_SRCH);
	EXPECT_ERR(ps(PS_SETPGID, 0, 0, 0, 0, NULL), ERR_PERM);       /* a session leader */
	EXPECT_ERR(ps(PS_SETPGID, 0, (uint64_t)-1, 0, 0, NULL), ERR_INVAL);
	EXPECT_ERR(ps(PS_GETPGID, 30000, 0, 0, 0, NULL), ERR_SRCH);
	EXPECT_ERR(ps(PS_GETSID, 30000, 0, 0, 0, NULL), ERR_SRCH);
	a = fork_fn(child_gate, 0);
	CHECK(a > 1, "fork: %d", a);
	EXPECT_ERR(ps(PS_SETPGID, (uint64_t)a, 30000, 0, 0, NULL), ERR_PERM);  /* no such group */
	EXPECT_ERR(ps(PS_SETPGID, 1, 0, 0, 0, NULL), ERR_PERM);       /* ourselves: a leader */
	gate_open();
}

/* setsid in a child: it leads a new session and group. */
static int child_setsid(uint64_t arg)
{
	uint64_t r[4], me[4];

	if (ps(PS_GETPID, 0, 0, 0, 0, me))
		return 1;
	if (ps(PS_SETSID, 0, 0, 0, 0, r) || r[0] != me[0])
		return 2;
	if (ps(PS_GETSID, 0, 0, 0, 0, r) || r[0] != me[0])
		return 3;
	if (ps(PS_GETPGID, 0, 0, 0, 0, r) || r[0] != me[0])
		return 4;
	if (ps(PS_SETSID, 0, 0, 0, 0, r) != ERR_PERM)   /* now a group leader */
		return 5;
	if (ps(PS_SETPGID, 0, 0, 0, 0, r) != ERR_PERM)  /* a session leader */
		return 6;
	shared[0] = 1;
	gate_wait();
	return 0;
}

void t_setsid(void)
{
	uint64_t r[4];
	int a, wp, st;

	EXPECT_ERR(ps(PS_SETSID, 0, 0, 0, 0, r), ERR_PERM);           /* we lead group 1 */
	a = fork_fn(child_setsid, 0);
	CHECK(a > 1, "fork: %d", a);
	POLL(shared[0], 1000);
	if (!shared[0]) {
		ps_wait(a, 0, &wp, &st);
		CHECK(0, "the child's check %d failed", st >> 8);
	}
	CHECK_OK(ps(PS_GETSID, (uint64_t)a, 0, 0, 0, r));
	CHECK(r[0] == (uint64_t)a, "its session: %lu", (unsigned long)r[0]);
	CHECK_OK(ps(PS_GETSID, 0, 0, 0, 0, r));
	CHECK(r[0] == 1, "our session: %lu", (unsigned long)r[0]);
	/* another session: we cannot move it, and cannot join its group */
	EXPECT_ERR(ps(PS_SETPGID, (uint64_t)a, 0, 0, 0, NULL), ERR_PERM);
	gate_open();
	CHECK_OK(ps_wait(a, 0, &wp, &st));
	CHECK(st == 0, "status %#x", st);
}

static int grandchild_gate(uint64_t arg)
{
	gate_wait();
	return 0;
}

/* Leads a group with a child of its own, then signals the group (itself
 * included): kill(0, sig). */
static int child_group_killer(uint64_t arg)
{
	int gc;

	if (ps(PS_SETPGID, 0, 0, 0, 0, NULL))
		return 1;
	gc = fork_fn(grandchild_gate, 0);
	if (gc <= 0)
		return 2;
	shared[0] = (uint64_t)gc;
	ps_kill(0, SIGTERM);
	for (;;)
		sleep_ms(100);               /* the signal ends us */
}

void t_kill_group_zero(void)
{
	int a, wp, st, seen = 0;

	a = fork_fn(child_group_killer, 0);
	CHECK(a > 1, "fork: %d", a);
	for (int i = 0; i < 2; i++) {
		CHECK_OK(ps_wait(-1, 0, &wp, &st));
		CHECK(st == SIGTERM, "pid %d status %#x (child %d, grandchild %lu)", wp, st, a,
		      (unsigned long)shared[0]);
		seen |= wp == a ? 1 : wp == (int)shared[0] ? 2 : 4;
	}
	CHECK(seen == 3, "reaped the wrong processes (%#x)", seen);
}
