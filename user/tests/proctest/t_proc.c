/* SPDX-License-Identifier: MIT */
/*
 * Ids, fork, wait and exit: what a child starts with, how it ends, and
 * how its parent learns it.
 */
#include "proctest.h"

/* Polls cond (an expression) for up to ms milliseconds. */
#define POLL(cond, ms)                                                    \
	do {                                                              \
		for (unsigned i_ = 0; i_ < (ms) && !(cond); i_ += 2)      \
			sleep_ms(2);                                      \
	} while (0)

void t_getpid(void)
{
	uint64_t r[4];

	CHECK_OK(ps(PS_GETPID, 0, 0, 0, 0, r));
	CHECK(r[0] == 1 && r[1] == 0 && r[2] == 1 && r[3] == 1,
	      "pid %lu ppid %lu pgid %lu sid %lu, want 1 0 1 1", (unsigned long)r[0],
	      (unsigned long)r[1], (unsigned long)r[2], (unsigned long)r[3]);
}

static int child_exit42(uint64_t arg)
{
	return 42;
}

void t_fork_exit(void)
{
	int pid = fork_fn(child_exit42, 0), wp, st;

	CHECK(pid > 1, "fork: %d", pid);
	CHECK_OK(ps_wait(pid, 0, &wp, &st));
	CHECK(wp == pid && st == 42 << 8, "wait: pid %d status %#x, want %d %#x", wp, st, pid,
	      42 << 8);
}

static int child_ids(uint64_t arg)
{
	uint64_t r[4];

	if (ps(PS_GETPID, 0, 0, 0, 0, r))
		return 1;
	for (int i = 0; i < 4; i++)
		shared[i] = r[i];
	return 0;
}

void t_fork_ids(void)
{
	int pid = fork_fn(child_ids, 0), wp, st;

	CHECK(pid > 1, "fork: %d", pid);
	CHECK_OK(ps_wait(pid, 0, &wp, &st));
	CHECK(st == 0, "child status %#x", st);
	CHECK(shared[0] == (uint64_t)pid && shared[1] == 1 && shared[2] == 1 && shared[3] == 1,
	      "the child saw pid %lu ppid %lu pgid %lu sid %lu (its pid is %d)",
	      (unsigned long)shared[0], (unsigned long)shared[1], (unsigned long)shared[2],
	      (unsigned long)shared[3], pid);
}

static volatile int cow_var;

static int child_cow(uint64_t arg)
{
	int before = cow_var;

	cow_var = 7;
	return before * 10 + cow_var;
}

void t_fork_cow(void)
{
	int pid, wp, st;

	cow_var = 5;
	pid = fork_fn(child_cow, 0);
	CHECK(pid > 1, "fork: %d", pid);
	cow_var = 6;                 /* after the fork: the child must not see it */
	CHECK_OK(ps_wait(pid, 0, &wp, &st));
	CHECK(st == 57 << 8, "child status %#x, want %#x (saw 5, wrote 7)", st, 57 << 8);
	CHECK(cow_var == 6, "the child's write reached the parent: %d", cow_var);
}

/* The child has the parent's capabilities at the same slots, and its own
 * "proc" (badged with its pid) and Process/AS/Thread in 0..2. */
static int child_caps(uint64_t pid_expected)
{
	uint64_t r[3];
	uint64_t ids[4];

	if (cairn_cap_op(CAP_OP_IDENTIFY, gate, CAP_NULL, 0, 0, r) || r[0] != OBJ_NOTIFICATION)
		return 1;
	if (cairn_cap_op(CAP_OP_IDENTIFY, proc_cap, CAP_NULL, 0, 0, r) || r[0] != OBJ_ENDPOINT)
		return 2;
	if (ps(PS_GETPID, 0, 0, 0, 0, ids) || r[2] != ids[0])
		return 3;                      /* its badge is its pid */
	if (cairn_cap_op(CAP_OP_IDENTIFY, SLOT_SELF_PROC, CAP_NULL, 0, 0, r) || r[0] != OBJ_PROCESS)
		return 4;
	if (cairn_cap_op(CAP_OP_IDENTIFY, SLOT_SELF_THREAD, CAP_NULL, 0, 0, r) || r[0] != OBJ_THREAD)
		return 5;
	/* its own process: the status of slot 0 is running */
	struct cairn_msg m;
	if (cairn_invoke(SLOT_SELF_PROC, PROC_STATUS, 0, 0, 0, 0, 0, &m) ||
	    m.w[0] != PROC_STATE_RUNNING)
		return 6;
	return 0;
}

void t_fork_caps(void)
{
	uint64_t r[3];
	int pid, wp, st;

	CHECK_OK(cairn_cap_op(CAP_OP_IDENTIFY, proc_cap, CAP_NULL, 0, 0, r));
	CHECK(r[2] == 1, "our proc capability's badge is %lu", (unsigned long)r[2]);
	pid = fork_fn(child_caps, 0);
	CHECK(pid > 1, "fork: %d", pid);
	CHECK_OK(ps_wait(pid, 0, &wp, &st));
	CHECK(st == 0, "child check %d failed", st >> 8);
}

static int child_shared(uint64_t arg)
{
	shared[0] = shared[0] + 1;
	return (int)shared[0];
}

void t_fork_shared(void)
{
	int pid, wp, st;

	shared[0] = 40;
	pid = fork_fn(child_shared, 0);
	CHECK(pid > 1, "fork: %d", pid);
	CHECK_OK(ps_wait(pid, 0, &wp, &st));
	CHECK(st == 41 << 8 && shared[0] == 41, "status %#x, shared %lu", st,
	      (unsigned long)shared[0]);
}

static int child_gate(uint64_t code)
{
	shared[0] = 1;
	gate_wait();
	return (int)code;
}

void t_wait_nohang(void)
{
	int pid = fork_fn(child_gate, 3), wp, st;

	CHECK(pid > 1, "fork: %d", pid);
	CHECK_OK(ps_wait(pid, WNOHANG, &wp, &st));
	CHECK(wp == 0 && st == 0, "WNOHANG on a running child: pid %d status %#x", wp, st);
	CHECK_OK(ps_wait(-1, WNOHANG, &wp, &st));
	CHECK(wp == 0, "WNOHANG (-1) on a running child: pid %d", wp);
	gate_open();
	CHECK_OK(ps_wait(pid, 0, &wp, &st));
	CHECK(wp == pid && st == 3 << 8, "pid %d status %#x", wp, st);
}

static int child_sleep(uint64_t code)
{
	sleep_ms(30);
	return (int)code;
}

void t_wait_blocks(void)
{
	int pid = fork_fn(child_sleep, 9), wp, st;

	CHECK(pid > 1, "fork: %d", pid);
	CHECK_OK(ps_wait(pid, 0, &wp, &st));          /* answered later, from a saved Reply */
	CHECK(wp == pid && st == 9 << 8, "pid %d status %#x", wp, st);
	pid = fork_fn(child_sleep, 10);
	CHECK(pid > 1, "fork: %d", pid);
	CHECK_OK(ps_wait(-1, 0, &wp, &st));
	CHECK(wp == pid && st == 10 << 8, "pid %d status %#x", wp, st);
}

void t_wait_echild(void)
{
	EXPECT_ERR(ps_wait(-1, 0, NULL, NULL), ERR_CHILD);
	EXPECT_ERR(ps_wait(-1, WNOHANG, NULL, NULL), ERR_CHILD);
	EXPECT_ERR(ps_wait(12345, 0, NULL, NULL), ERR_CHILD);
	EXPECT_ERR(ps_wait(1, 0, NULL, NULL), ERR_CHILD);
	EXPECT_ERR(ps_wait(0, 0, NULL, NULL), ERR_CHILD);
	EXPECT_ERR(ps_wait(-1, 0x100, NULL, NULL), ERR_INVAL);
}

static int child_code(uint64_t code)
{
	return (int)code;
}

void t_wait_any(void)
{
	int pids[3], seen = 0;

	for (int i = 0; i < 3; i++) {
		pids[i] = fork_fn(child_code, (uint64_t)i + 1);
		CHECK(pids[i] > 1, "fork %d: %d", i, pids[i]);
	}
	for (int n = 0; n < 3; n++) {
		int wp, st, i;
		CHECK_OK(ps_wait(-1, 0, &wp, &st));
		for (i = 0; i < 3 && pids[i] != wp; i++)
			;
		CHECK(i < 3, "wait gave pid %d, not one of ours", wp);
		CHECK(st == (i + 1) << 8, "pid %d: status %#x, want %#x", wp, st, (i + 1) << 8);
		CHECK(!(seen & 1 << i), "pid %d reported twice", wp);
		seen |= 1 << i;
	}
	EXPECT_ERR(ps_wait(-1, 0, NULL, NULL), ERR_CHILD);
}

static int child_ps_exit(uint64_t code)
{
	ps(PS_EXIT, code, 0, 0, 0, NULL);
	return 99;                   /* not reached */
}

static int child_sys_exit(uint64_t code)
{
	cairn_exit((int)code);
}

void t_exit_codes(void)
{
	int pid, wp, st;

	pid = fork_fn(child_ps_exit, 5);
	CHECK(pid > 1, "fork: %d", pid);
	CHECK_OK(ps_wait(pid, 0, &wp, &st));
	EXPECT(st == 5 << 8, "PS_EXIT(5): status %#x", st);
	pid = fork_fn(child_ps_exit, 0x1ff);
	CHECK(pid > 1, "fork: %d", pid);
	CHECK_OK(ps_wait(pid, 0, &wp, &st));
	EXPECT(st == 0xff << 8, "PS_EXIT(0x1ff): status %#x", st);
	pid = fork_fn(child_sys_exit, 300);
	CHECK(pid > 1, "fork: %d", pid);
	CHECK_OK(ps_wait(pid, 0, &wp, &st));
	EXPECT(st == (300 & 0xff) << 8, "SYS_EXIT(300): status %#x", st);
}

static int child_segv(uint64_t arg)
{
	*(volatile int *)0xdead000 = 1;
	return 0;
}

static int child_ill(uint64_t arg)
{
	test_illegal_insn();
	return 0;
}

void t_fault_status(void)
{
	int pid, wp, st;

	pid = fork_fn(child_segv, 0);
	CHECK(pid > 1, "fork: %d", pid);
	CHECK_OK(ps_wait(pid, 0, &wp, &st));
	EXPECT(st == SIGSEGV, "a bad write: status %#x, want SIGSEGV", st);
	pid = fork_fn(child_ill, 0);
	CHECK(pid > 1, "fork: %d", pid);
	CHECK_OK(ps_wait(pid, 0, &wp, &st));
	EXPECT(st == SIGILL, "an illegal instruction: status %#x, want SIGILL", st);
}

void t_zombie(void)
{
	int pid = fork_fn(child_code, 6), wp, st;
	uint64_t r[4];

	CHECK(pid > 1, "fork: %d", pid);
	CHECK_OK(ps_wait(pid, WNOWAIT, &wp, &st));
	CHECK(wp == pid && st == 6 << 8, "WNOWAIT: pid %d status %#x", wp, st);
	/* a zombie still exists: kill(pid, 0) and getpgid find it */
	EXPECT_OK(ps_kill(pid, 0));
	EXPECT_OK(ps(PS_GETPGID, (uint64_t)pid, 0, 0, 0, r));
	EXPECT(r[0] == 1, "the zombie's group: %lu", (unsigned long)r[0]);
	EXPECT_OK(ps_kill(pid, SIGTERM));               /* nothing happens to it */
	CHECK_OK(ps_wait(pid, WNOHANG, &wp, &st));
	CHECK(wp == pid && st == 6 << 8, "reaping: pid %d status %#x", wp, st);
	EXPECT_ERR(ps_kill(pid, 0), ERR_SRCH);
	EXPECT_ERR(ps_wait(pid, 0, NULL, NULL), ERR_CHILD);
}

static int grandchild(uint64_t code)
{
	gate_wait();
	return (int)code;
}

static int child_orphaner(uint64_t arg)
{
	int gc = fork_fn(grandchild, 7);

	if (gc <= 0)
		return 1;
	shared[0] = (uint64_t)gc;
	return 0;
}

void t_orphan(void)
{
	int pid = fork_fn(child_orphaner, 0), wp, st, gc;

	CHECK(pid > 1, "fork: %d", pid);
	CHECK_OK(ps_wait(pid, 0, &wp, &st));
	CHECK(st == 0, "the child failed to fork: %#x", st);
	gc = (int)shared[0];
	CHECK(gc > 1 && gc != pid, "grandchild pid %d", gc);
	/* the orphan is ours now */
	CHECK_OK(ps_wait(gc, WNOHANG, &wp, &st));
	CHECK(wp == 0, "the orphan ended early: %#x", st);
	gate_open();
	CHECK_OK(ps_wait(-1, 0, &wp, &st));
	CHECK(wp == gc && st == 7 << 8, "pid %d status %#x, want %d %#x", wp, st, gc, 7 << 8);
}

/* One round of what processes do: fork, exit, wait; fork, kill, wait;
 * a fork that makes an orphan. */
static bool cycle(void)
{
	int pid, wp, st;

	if ((pid = fork_fn(child_exit42, 0)) <= 1 || ps_wait(pid, 0, &wp, &st) || st != 42 << 8)
		return false;
	if ((pid = fork_fn(child_gate, 0)) <= 1 || ps_kill(pid, SIGTERM) ||
	    ps_wait(pid, 0, &wp, &st) || st != SIGTERM)
		return false;
	if ((pid = fork_fn(child_orphaner, 0)) <= 1 || ps_wait(pid, 0, &wp, &st) || st)
		return false;
	gate_open();
	return !ps_wait(-1, 0, &wp, &st) && st == 7 << 8;
}

void t_no_leak(void)
{
	uint64_t before, after;

	for (int i = 0; i < 3; i++)
		CHECK(cycle(), "warm-up round %d failed", i);
	sleep_ms(20);
	before = free_pages();
	CHECK(before, "no kinfo");
	for (int i = 0; i < 10; i++)
		CHECK(cycle(), "round %d failed", i);
	sleep_ms(20);
	after = free_pages();
	CHECK(after == before, "free pages %lu before 10 rounds, %lu after",
	      (unsigned long)before, (unsigned long)after);
}

/* ---- what /proc shows: PS_PROCLIST, PS_PROCINFO ------------------------------------------- */

/* PS_PROCLIST from `from`: the pids in pids[] (at most max), counts in r. */
static unsigned proclist(uint64_t from, uint32_t *pids, unsigned max, uint64_t r[4])
{
	const uint32_t *in = (const uint32_t *)&cairn_ipcbuf()->w[CAIRN_MSG_REGS];
	unsigned n;

	if (ps(PS_PROCLIST, from, 0, 0, 0, r))
		return 0;
	n = r[0] < max ? (unsigned)r[0] : max;
	memcpy(pids, in, n * sizeof(*pids));
	return n;
}

static bool listed(const uint32_t *pids, unsigned n, int pid)
{
	for (unsigned i = 0; i < n; i++)
		if (pids[i] == (uint32_t)pid)
			return true;
	return false;
}

void t_proclist(void)
{
	uint32_t pids[64];
	uint64_t r[4], before[4];
	unsigned n;
	int pid, wp, st;

	n = proclist(0, pids, 64, before);
	CHECK(n >= 1 && n == before[1] && listed(pids, n, my_pid), "%u pids, %lu in the table", n,
	      (unsigned long)before[1]);
	for (unsigned i = 1; i < n; i++)
		CHECK(pids[i - 1] < pids[i], "not ascending at %u", i);
	CHECK(before[2] >= (uint64_t)my_pid && before[3] >= 1, "last pid %lu, made %lu",
	      (unsigned long)before[2], (unsigned long)before[3]);
	/* a child: one more, the last pid and the count of forks move */
	pid = fork_fn(grandchild, 3);
	CHECK(pid > 1, "fork: %d", pid);
	n = proclist(0, pids, 64, r);
	EXPECT(listed(pids, n, pid) && r[1] == before[1] + 1 && r[2] == (uint64_t)pid &&
	       r[3] == before[3] + 1, "child %d: %u pids, counts %lu %lu %lu", pid, n,
	       (unsigned long)r[1], (unsigned long)r[2], (unsigned long)r[3]);
	/* from a pid on; past every pid: none, the counts still */
	n = proclist((uint64_t)pid, pids, 64, r);
	EXPECT(n >= 1 && pids[0] == (uint32_t)pid, "from %d: %u, first %u", pid, n, n ? pids[0] : 0);
	n = proclist(UINT64_MAX, pids, 64, r);
	EXPECT(n == 0 && r[1] == before[1] + 1, "from the end: %u, %lu", n, (unsigned long)r[1]);
	/* a zombie is listed until it is reaped */
	gate_open();
	CHECK_OK(ps_wait(pid, WNOWAIT, &wp, &st));
	n = proclist(0, pids, 64, r);
	EXPECT(listed(pids, n, pid), "zombie %d not listed", pid);
	CHECK_OK(ps_wait(pid, 0, &wp, &st));
	CHECK(wp == pid && st == 3 << 8, "reaped: %d %#x", wp, st);
	n = proclist(0, pids, 64, r);
	EXPECT(!listed(pids, n, pid) && r[1] == before[1], "reaped %d still listed", pid);
	/* the details are for system services (the VFS): a process reads /proc */
	EXPECT_ERR(ps(PS_PROCINFO, (uint64_t)my_pid, 0, 0, 0, r), ERR_PERM);
	EXPECT_ERR(ps(PS_PROCINFO, 0, 0, 0, 0, r), ERR_PERM);
	EXPECT_ERR(ps(PS_PROCINFO, UINT64_MAX, 0, 0, 0, r), ERR_PERM);
}
