/* SPDX-License-Identifier: MIT */
/*
 * proctest: the system's own requests (PS_REBOOT..PS_SETUID): the names
 * uname reports, the clock, users, reboot's checks; and, in a boot of its
 * own with the server's --init (proctest-init.manifest, argv[1] "init"),
 * pid 1 as the system's init.
 */
#include "proctest.h"

#define UID   1000u
#define KEEP  POSIX_UID_KEEP

static err_t call_bytes(uint32_t op, const void *data, size_t n, uint64_t w0, uint64_t w1)
{
	struct cairn_msg m;

	memcpy(&cairn_ipcbuf()->w[CAIRN_MSG_REGS], data, n);
	m = cairn_call(proc_cap, cairn_tag(op, posix_words(n), 0), w0, w1, 0, 0);
	return m.err ? (err_t)m.err : (err_t)cairn_tag_label(m.tag);
}

static err_t uname_of(struct posix_uts *u)
{
	struct cairn_msg m = cairn_call(proc_cap, cairn_tag(PS_UNAME, CAIRN_MSG_REGS, 0), 0, 0, 0, 0);
	err_t e = m.err ? (err_t)m.err : (err_t)cairn_tag_label(m.tag);

	if (!e && cairn_tag_len(m.tag) < posix_words(sizeof(*u)))
		e = ERR_IO;
	if (!e)
		memcpy(u, &cairn_ipcbuf()->w[CAIRN_MSG_REGS], sizeof(*u));
	return e;
}

static int child_sees_name(uint64_t arg)
{
	struct posix_uts u;

	(void)arg;
	return uname_of(&u) || strcmp(u.nodename, "proctest-host") ? 1 : 0;
}

void t_names(void)
{
	static const char long_name[] = "0123456789012345678901234567890123456789012345678901234567890123x";
	struct posix_uts u;
	int pid, st;

	CHECK_OK(uname_of(&u));
	CHECK(!strcmp(u.nodename, "cairn") && !strcmp(u.domainname, "(none)"), "names %s, %s",
	      u.nodename, u.domainname);
	EXPECT_ERR(call_bytes(PS_SETNAME, "x", 1, 2, 1), ERR_INVAL);            /* which */
	EXPECT_ERR(call_bytes(PS_SETNAME, long_name, 65, 0, 65), ERR_INVAL);    /* 65 bytes */
	EXPECT_ERR(call_bytes(PS_SETNAME, "abc", 3, 0, 100), ERR_INVAL);        /* more than sent */
	EXPECT_ERR(call_bytes(PS_SETNAME, "abc", 3, 0, UINT64_MAX), ERR_INVAL);
	CHECK_OK(uname_of(&u));
	CHECK(!strcmp(u.nodename, "cairn"), "a bad request changed the name: %s", u.nodename);
	/* 64 bytes, the longest */
	EXPECT_OK(call_bytes(PS_SETNAME, long_name, 64, 0, 64));
	EXPECT(!uname_of(&u) && strlen(u.nodename) == 64 && !memcmp(u.nodename, long_name, 64),
	       "64 bytes: %s", u.nodename);
	/* every process sees it */
	CHECK_OK(call_bytes(PS_SETNAME, "proctest-host", 13, 0, 13));
	CHECK((pid = fork_fn(child_sees_name, 0)) > 1, "fork: %d", pid);
	CHECK(!ps_wait(pid, 0, NULL, &st) && st == 0, "the child saw another name (status %#x)", st);
	/* the domain name; an empty name */
	EXPECT_OK(call_bytes(PS_SETNAME, "example.org", 11, 1, 11));
	EXPECT(!uname_of(&u) && !strcmp(u.domainname, "example.org"), "domain %s", u.domainname);
	EXPECT_OK(call_bytes(PS_SETNAME, "", 0, 1, 0));
	EXPECT(!uname_of(&u) && !u.domainname[0], "empty domain: %s", u.domainname);
	call_bytes(PS_SETNAME, "cairn", 5, 0, 5);
	call_bytes(PS_SETNAME, "(none)", 6, 1, 6);
}

static err_t setuid_call(uint64_t how, uint64_t a, uint64_t b, uint64_t c)
{
	return ps(PS_SETUID, how, a, b, c, NULL);
}

static bool uids_are(uint32_t r, uint32_t e, uint32_t s)
{
	uint64_t o[4];

	return !ps(PS_GETUID, 0, 0, 0, 0, o) && o[0] == r && o[1] == e && o[2] == s;
}

/* Not uid 0: nothing that changes the system (each failure its own code). */
static int child_unprivileged(uint64_t arg)
{
	(void)arg;
	if (setuid_call(1, UID, 0, 0) || !uids_are(UID, UID, UID))
		return 1;
	if (call_bytes(PS_SETNAME, "x", 1, 0, 1) != ERR_PERM)
		return 2;
	if (ps(PS_SETTIME, 1000000000ull, 0, 0, 0, NULL) != ERR_PERM)
		return 3;
	if (ps(PS_REBOOT, POSIX_REBOOT_MAGIC1, POSIX_REBOOT_MAGIC2, POSIX_REBOOT_POWER_OFF, 0, NULL) !=
	    ERR_PERM)
		return 4;
	if (ps(PS_REBOOT, 0, 0, POSIX_REBOOT_CAD_OFF, 0, NULL) != ERR_PERM)   /* EPERM first */
		return 5;
	if (setuid_call(1, 0, 0, 0) != ERR_PERM || setuid_call(0, KEEP, 0, KEEP) != ERR_PERM)
		return 6;
	if (setuid_call(1, UID, 0, 0) || !uids_are(UID, UID, UID))            /* its own: fine */
		return 7;
	return 0;
}

/* Unprivileged rules: only among one's own uids; the saved one. */
static int child_rules(uint64_t arg)
{
	(void)arg;
	/* uid 0 may set any: real 1000, effective 0, saved 2000 */
	if (setuid_call(0, UID, 0, 2000) || !uids_are(UID, 0, 2000))
		return 1;
	/* effective 0 is still root: setreuid(-1, 3000) moves saved too */
	if (setuid_call(2, KEEP, 3000, 0) || !uids_are(UID, 3000, 3000))
		return 2;
	/* now not root: only among 1000, 3000, 3000 */
	if (setuid_call(0, KEEP, 0, KEEP) != ERR_PERM || setuid_call(0, 5, KEEP, KEEP) != ERR_PERM)
		return 3;
	if (setuid_call(0, 3000, UID, KEEP) || !uids_are(3000, UID, 3000))
		return 4;
	/* setuid: the effective uid only, to the real or saved one */
	if (setuid_call(1, 3000, 0, 0) || !uids_are(3000, 3000, 3000))
		return 5;
	if (setuid_call(1, UID, 0, 0) != ERR_PERM)
		return 6;
	/* setreuid: the real one only to the real or effective one */
	if (setuid_call(2, 4000, KEEP, 0) != ERR_PERM)
		return 7;
	return 0;
}

void t_uids(void)
{
	int pid, st;

	CHECK(uids_are(0, 0, 0), "pid 1 is not uid 0");
	EXPECT_ERR(setuid_call(3, 0, 0, 0), ERR_INVAL);
	EXPECT_ERR(setuid_call(0, 1ull << 32, KEEP, KEEP), ERR_INVAL);
	EXPECT_ERR(setuid_call(1, KEEP, 0, 0), ERR_INVAL);
	CHECK((pid = fork_fn(child_unprivileged, 0)) > 1, "fork: %d", pid);
	CHECK(!ps_wait(pid, 0, NULL, &st), "wait");
	EXPECT(st == 0, "unprivileged child: step %d failed", st >> 8);
	CHECK((pid = fork_fn(child_rules, 0)) > 1, "fork: %d", pid);
	CHECK(!ps_wait(pid, 0, NULL, &st), "wait");
	EXPECT(st == 0, "setuid rules: step %d failed", st >> 8);
	EXPECT(uids_are(0, 0, 0), "a child's setuid changed pid 1");
}

void t_reboot_errors(void)
{
	EXPECT_ERR(ps(PS_REBOOT, 0, POSIX_REBOOT_MAGIC2, POSIX_REBOOT_POWER_OFF, 0, NULL), ERR_INVAL);
	EXPECT_ERR(ps(PS_REBOOT, POSIX_REBOOT_MAGIC1, 1, POSIX_REBOOT_POWER_OFF, 0, NULL), ERR_INVAL);
	EXPECT_ERR(ps(PS_REBOOT, POSIX_REBOOT_MAGIC1 | 1ull << 32, POSIX_REBOOT_MAGIC2,
		      POSIX_REBOOT_POWER_OFF, 0, NULL), ERR_INVAL);
	EXPECT_ERR(ps(PS_REBOOT, POSIX_REBOOT_MAGIC1, POSIX_REBOOT_MAGIC2, 0x12345678, 0, NULL), ERR_INVAL);
	EXPECT_ERR(ps(PS_REBOOT, POSIX_REBOOT_MAGIC1, POSIX_REBOOT_MAGIC2, POSIX_REBOOT_POWER_OFF |
		      1ull << 32, 0, NULL), ERR_INVAL);
	EXPECT_OK(ps(PS_REBOOT, POSIX_REBOOT_MAGIC1, POSIX_REBOOT_MAGIC2, POSIX_REBOOT_CAD_ON, 0, NULL));
	EXPECT_OK(ps(PS_REBOOT, POSIX_REBOOT_MAGIC1, POSIX_REBOOT_MAGIC2C, POSIX_REBOOT_CAD_OFF, 0, NULL));
}

void t_settime(void)
{
	uint64_t day = 86400ull * 1000000000ull, t0, t1, m0;

	EXPECT_ERR(ps(PS_SETTIME, 1ull << 63, 0, 0, 0, NULL), ERR_INVAL);
	EXPECT_ERR(ps(PS_SETTIME, UINT64_MAX, 0, 0, 0, NULL), ERR_INVAL);
	t0 = cairn_realtime_ns();
	m0 = now_ns();
	CHECK_OK(ps(PS_SETTIME, t0 + day, 0, 0, 0, NULL));
	t1 = cairn_realtime_ns();
	/* libcairn's clock follows at once (the kernel's clock page) */
	EXPECT(t1 - t0 >= day && t1 - t0 < day + 1000000000ull, "a day on: %lu ns later",
	       (unsigned long)(t1 - t0));
	/* back: the time it would be now */
	CHECK_OK(ps(PS_SETTIME, t0 + (now_ns() - m0), 0, 0, 0, NULL));
	t1 = cairn_realtime_ns();
	EXPECT(t1 - t0 < 1000000000ull, "back: %lu ns after the start", (unsigned long)(t1 - t0));
}

/* ---- pid 1 as the system's init (the server's --init) ---------------------------------------- */

static int child_kill_init(uint64_t sig)
{
	return ps_kill(1, (int)sig) ? 1 : 0;
}

static bool pending(int sig)
{
	uint64_t o[4];

	return !ps(PS_SIGPENDING, 0, 0, 0, 0, o) && (o[0] & sigbit(sig));
}

/* A signal pid 1 has not asked for is not delivered: it goes on. */
void t_init_dfl_dropped(void)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGSEGV, SIGKILL, SIGSTOP, SIGTSTP };
	int pid, st;

	for (unsigned i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		CHECK((pid = fork_fn(child_kill_init, (uint64_t)sigs[i])) > 1, "fork: %d", pid);
		CHECK(!ps_wait(pid, 0, NULL, &st) && st == 0, "kill(1, %d) failed: %#x", sigs[i], st);
		sleep_ms(5);
		EXPECT(!pending(sigs[i]), "signal %d is pending", sigs[i]);
	}
	/* the console's ^C: the group of pid 1 */
	EXPECT_OK(ps(PS_KILL, (uint64_t)-1, SIGINT, POSIX_KILL_PGRP, 0, NULL));
	sleep_ms(5);
	EXPECT(!pending(SIGINT), "SIGINT is pending");
}

/* Blocked, or handled, it is delivered as to any process. */
void t_init_blocked_handled(void)
{
	uint64_t o[4];
	int pid, st;
	err_t e;

	CHECK_OK(ps(PS_SIGMASK, POSIX_SIG_BLOCK, sigbit(SIGUSR2) | sigbit(SIGCHLD), 0, 0, NULL));
	CHECK((pid = fork_fn(child_kill_init, SIGUSR2)) > 1, "fork: %d", pid);
	CHECK(!ps_wait(pid, 0, NULL, &st) && st == 0, "kill failed: %#x", st);
	EXPECT(pending(SIGUSR2), "a blocked SIGUSR2 was dropped");
	/* sigtimedwait takes it (busybox init's way) */
	EXPECT(!ps(PS_SIGWAIT, sigbit(SIGUSR2) | sigbit(SIGCHLD), 0, 0, 0, o) &&
	       (o[0] == SIGUSR2 || o[0] == SIGCHLD), "sigtimedwait: %lu", (unsigned long)o[0]);
	/* unblocked with SIG_DFL: dropped, no default action */
	CHECK((pid = fork_fn(child_kill_init, SIGUSR2)) > 1, "fork: %d", pid);
	CHECK(!ps_wait(pid, 0, NULL, &st) && st == 0, "kill failed: %#x", st);
	CHECK_OK(ps(PS_SIGMASK, POSIX_SIG_SETMASK, 0, 0, 0, NULL));
	sleep_ms(5);
	EXPECT(!pending(SIGUSR2), "SIGUSR2 still pending");
	/* handled: its handler runs */
	CHECK_OK(handle_signal(SIGUSR1, 0, 0));
	CHECK((pid = fork_fn(child_kill_init, SIGUSR1)) > 1, "fork: %d", pid);
	while ((e = ps_wait(pid, 0, NULL, &st)) == ERR_INTR)
		;                                  /* the handler interrupted the wait */
	CHECK(!e && st == 0, "kill failed: %#x", st);
	for (int i = 0; i < 100 && !got[SIGUSR1]; i++)
		sleep_ms(2);
	EXPECT(got[SIGUSR1] == 1, "the handler ran %u times", got[SIGUSR1]);
}
