/* SPDX-License-Identifier: MIT */
/*
 * proctest: tests of the process server (user/servers/proc) through its
 * protocol, PS_* of include/cairn/posix.h, as pid 1. Forks are done by
 * hand: the child starts on a trampoline with its own stack (a static
 * array, at the same address in the copy), runs a function and exits with
 * its result, which the parent reads through PS_WAIT. Prints one line a
 * test, `ok N name` or `not ok N name: line L: what`, then
 * `N passed, N failed`, and exits with the number of failures (the server
 * exits with it, and init with the server's status).
 *
 * Started with argv[1] = "exec-child" it is the image an exec test
 * starts instead (t_exec.c); with "init", it runs the tests of pid 1 as
 * the system's init instead (the server's --init: proctest-init.manifest).
 */
#include "proctest.h"

static const struct t_case tests[] = {
#define T(fn, name) { name, fn },
#include "tests.def"
#undef T
};

/* argv[1] "init": the server runs with --init (proctest-init.manifest) */
static const struct t_case init_tests[] = {
	{ "init.sigdfl_dropped", t_init_dfl_dropped },
	{ "init.blocked_or_handled", t_init_blocked_handled },
};

cap_t proc_cap = CAP_NULL, gate = CAP_NULL, shared_mo = CAP_NULL;
int my_pid;
volatile uint64_t *shared = (volatile uint64_t *)SHARED_VA;
static cap_t sleeper;

/* ---- the protocol ------------------------------------------------------------------------ */

err_t ps(uint32_t op, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3, uint64_t out[4])
{
	struct cairn_msg m;
	err_t e = cairn_invoke(proc_cap, op, 0, w0, w1, w2, w3, &m);

	if (out)
		for (int i = 0; i < 4; i++)
			out[i] = m.w[i];
	return e;
}

err_t ps_wait(int64_t pid, unsigned options, int *got_pid, int *status)
{
	uint64_t r[4];
	err_t e = ps(PS_WAIT, (uint64_t)pid, options, 0, 0, r);

	if (got_pid)
		*got_pid = e ? -1 : (int)r[0];
	if (status)
		*status = e ? -1 : (int)r[1];
	return e;
}

err_t ps_kill(int64_t pid, int sig)
{
	return ps(PS_KILL, (uint64_t)pid, (uint64_t)sig, 0, 0, NULL);
}

void sleep_ms(unsigned ms)
{
	cairn_wait(sleeper, (uint64_t)ms * 1000000, NULL);
}

err_t gate_wait(void)
{
	err_t e;

	do
		e = cairn_wait(gate, CAIRN_FOREVER, NULL);
	while (e == ERR_INTR);
	return e;
}

void gate_open(void)
{
	cairn_invoke(gate, NOTIFY_SIGNAL, 0, 1, 0, 0, 0, NULL);
}

/* ---- fork by hand -------------------------------------------------------------------------- */

static uint8_t child_stack[16384] __attribute__((aligned(16)));
static struct {
	int (*fn)(uint64_t);
	uint64_t arg;
} child_start;

void fork_trampoline(void);
void fork_child_main(void);

/* The child's first code: the stack is fresh, nothing else is. */
void fork_child_main(void)
{
	cairn_exit(child_start.fn(child_start.arg));
}

TEST_THREAD_ENTRY(fork_trampoline, fork_child_main);

int fork_fn(int (*fn)(uint64_t), uint64_t arg)
{
	uint64_t r[4];
	err_t e;

	cairn_console_flush();            /* the child must not print our pending output */
	child_start.fn = fn;
	child_start.arg = arg;
	e = ps(PS_FORK, (uint64_t)fork_trampoline, (uint64_t)(child_stack + sizeof(child_stack)), 0,
	       0, r);
	return e ? -e : (int)r[0];
}

/* ---- signal handlers -------------------------------------------------------------------------- */

volatile unsigned got[65];
volatile uint64_t last_arg, mask_in_handler;
volatile unsigned segv_exit_after;
volatile uint64_t sigreturn_set = ~0ull;
void (*volatile in_handler_hook)(int sig);

void sig_entry(uint64_t arg);

/* Entered with arg0 = the upcall argument, arg1 = the frame, sp = the
 * frame: keep the frame, run the C part, return through SYS_UPCALL_RETURN. */
TEST_UPCALL_STUB(sig_stub, sig_entry);

/* The handler: counts, notes what the server says the mask is while it
 * runs, and ends the delivery as the protocol asks. Register-only calls:
 * the interrupted code may be using the IPC buffer. */
void sig_entry(uint64_t arg)
{
	int sig = (int)(arg & 0xff);
	struct cairn_msg m;

	if (sig > 0 && sig <= 64)
		got[sig]++;
	last_arg = arg;
	/* a fault's handler: returning retries the instruction; the n-th time, exit */
	if (sig == SIGSEGV && segv_exit_after && got[sig] >= segv_exit_after)
		cairn_call(proc_cap, cairn_tag(PS_EXIT, CAIRN_MSG_REGS, 0), 70 + got[sig], 0, 0, 0);
	m = cairn_call(proc_cap, cairn_tag(PS_SIGMASK, CAIRN_MSG_REGS, 0), 0 /* SIG_BLOCK */, 0, 0, 0);
	mask_in_handler = m.w[0];
	if (in_handler_hook)
		in_handler_hook(sig);
	if (sigreturn_set != ~0ull)      /* as a handler left with siglongjmp would */
		cairn_call(proc_cap, cairn_tag(PS_SIGRETURN_DONE, CAIRN_MSG_REGS, 0), (uint64_t)sig, 1,
			   sigreturn_set, 0);
	else
		cairn_call(proc_cap, cairn_tag(PS_SIGRETURN_DONE, CAIRN_MSG_REGS, 0), (uint64_t)sig, 0,
			   0, 0);
}

err_t handle_signal(int sig, uint32_t flags, uint64_t mask)
{
	return ps(PS_SIGACTION, (uint64_t)sig, POSIX_SIG_HANDLE | (uint64_t)flags << 32,
		  (uint64_t)sig_stub, mask, NULL);
}

err_t default_signal(int sig)
{
	return ps(PS_SIGACTION, (uint64_t)sig, POSIX_SIG_DFL, 0, 0, NULL);
}

err_t ignore_signal(int sig)
{
	return ps(PS_SIGACTION, (uint64_t)sig, POSIX_SIG_IGN, 0, 0, NULL);
}

/* Every disposition back to SIG_DFL, nothing blocked, counters zero. */
void reset_signals(void)
{
	for (int s = 1; s <= 64; s++) {
		if (s != SIGKILL && s != SIGSTOP)
			default_signal(s);
		got[s] = 0;
	}
	ps(PS_SIGMASK, 2 /* SIG_SETMASK */, 0, 0, 0, NULL);
	last_arg = mask_in_handler = 0;
	segv_exit_after = 0;
	sigreturn_set = ~0ull;
}

/* ---- the runner ----------------------------------------------------------------------------------- */

static err_t setup(void)
{
	struct cairn_msg m;
	err_t e;

	proc_cap = cairn_cap("proc");
	if (proc_cap == CAP_NULL)
		return ERR_NOENT;
	if ((e = cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_NOTIFICATION, 0, 0, 0, &m)))
		return e;
	sleeper = m.w[0];
	if ((e = cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_NOTIFICATION, 0, 0, 0, &m)))
		return e;
	gate = m.w[0];
	if ((e = cairn_memobj_create(SLOT_SELF_PROC, 1, 0, &shared_mo)))
		return e;
	return map_shared();
}

err_t map_shared(void)
{
	cairn_ipcbuf()->caps[0] = shared_mo;
	return cairn_invoke(SLOT_SELF_AS, AS_MAP, 1, SHARED_VA, 0,
			    1 | (uint64_t)(CAIRN_PROT_R | CAIRN_PROT_W | CAIRN_PROT_SHARE) << 48, 0,
			    NULL);
}

/* Reaps whatever a failed test left behind (children killed first). */
static void cleanup(void)
{
	int pid, status;

	ps_kill(-1, SIGKILL);
	while (!ps_wait(-1, 0, &pid, &status))
		;
	reset_signals();
	cairn_wait(gate, 0, NULL);          /* drain */
	memset((void *)shared, 0, CAIRN_PAGE_SIZE);
}

/* One test as the runner sees it: with my_pid fresh, and cleaned up after
 * before its result line. */
static void (*current)(void);
static void run_current(void)
{
	uint64_t r[4];

	my_pid = ps(PS_GETPID, 0, 0, 0, 0, r) ? -1 : (int)r[0];
	current();
	cleanup();
}

int main(int argc, char **argv)
{
	const struct t_case *list = tests;
	unsigned n = sizeof(tests) / sizeof(tests[0]);
	err_t e;

	if (argc > 1 && !strcmp(argv[1], "exec-child"))
		return exec_child_main(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "init")) {
		list = init_tests;
		n = sizeof(init_tests) / sizeof(init_tests[0]);
	}
	printf("proctest: %u tests of the process server\n", n);
	if ((e = setup())) {
		printf("proctest: cannot set up: %s\n", err_name(e));
		return 100;
	}
	for (unsigned i = 0; i < n; i++) {
		current = list[i].fn;
		t_run(NULL, list[i].name, run_current);
	}
	return (int)t_end(NULL);
}
