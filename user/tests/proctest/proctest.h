/* SPDX-License-Identifier: MIT */
/*
 * proctest: the process server's protocol (include/cairn/posix.h, PS_*)
 * spoken directly by a libcairn program that the server starts as pid 1
 * (user/manifests/proctest.manifest). Shared declarations of the runner
 * and helpers (main.c) and the tests (t_*.c).
 */
#ifndef PROCTEST_H
#define PROCTEST_H
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <cairn/rt.h>
#include <cairn/posix.h>

/* Linux numbers the tests use. */
enum {
	SIGHUP = 1, SIGINT = 2, SIGILL = 4, SIGKILL = 9, SIGUSR1 = 10, SIGSEGV = 11,
	SIGUSR2 = 12, SIGALRM = 14, SIGTERM = 15, SIGCHLD = 17, SIGCONT = 18, SIGSTOP = 19,
	SIGTSTP = 20,
};
#define WNOHANG     1u
#define WUNTRACED   2u
#define WCONTINUED  8u
#define WNOWAIT     0x01000000u
#define SA_NOCLDSTOP 1u
#define SA_NODEFER  0x40000000u
#define SA_RESETHAND 0x80000000u
static inline uint64_t sigbit(int sig) { return 1ull << (sig - 1); }

/* ---- the runner: the test library (CHECK, EXPECT, CHECK_ERR... free_pages, now_ns) ---- */
#include <cairn/test.h>
#include <test/arch.h>

/* ---- the protocol (main.c) ----------------------------------------------------------- */
extern cap_t proc_cap;       /* "proc" */
extern int my_pid;           /* at the start of each test */

/* A PS_* call with register arguments; results in out[0..3] (may be NULL). */
err_t ps(uint32_t op, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3, uint64_t out[4]);
/* PS_WAIT: *pid and *status (either may be NULL). */
err_t ps_wait(int64_t pid, unsigned options, int *got_pid, int *status);
err_t ps_kill(int64_t pid, int sig);

/* Forks: the child runs fn(arg) on its own stack and exits with its
 * result (SYS_EXIT); returns the child's pid, or -err. */
int fork_fn(int (*fn)(uint64_t), uint64_t arg);

/* Handlers (main.c): every handled signal goes through sig_stub; got[sig]
 * counts deliveries, last_arg is the upcall argument of the last one,
 * mask_in_handler the mask the server reported from inside it. */
void sig_stub(void);
extern volatile unsigned got[65];
extern volatile uint64_t last_arg, mask_in_handler;
/* With n > 0, the n-th SIGSEGV handled ends the process: PS_EXIT(70 + n). */
extern volatile unsigned segv_exit_after;
/* Not ~0: the handler ends with PS_SIGRETURN_DONE(sig, 1, sigreturn_set). */
extern volatile uint64_t sigreturn_set;
/* Not NULL: called in the handler before its PS_SIGRETURN_DONE. */
extern void (*volatile in_handler_hook)(int sig);
/* Installs sig_stub for sig with these flags and sa_mask. */
err_t handle_signal(int sig, uint32_t flags, uint64_t mask);
err_t default_signal(int sig);
err_t ignore_signal(int sig);
void reset_signals(void);

/* A page shared with every child (CAIRN_PROT_SHARE): children report here. */
#define SHARED_VA  0x2800000000ull
extern volatile uint64_t *shared;
extern cap_t shared_mo;      /* its MemoryObject */
/* Maps shared_mo at SHARED_VA (shared with children). */
err_t map_shared(void);

/* Waits about ms milliseconds. */
void sleep_ms(unsigned ms);
/* A Notification made before a fork: the children share it (their copy of
 * the capability is in the same slot). */
extern cap_t gate;
/* Blocks until gate is signalled (the child side); 0 or the wait's error. */
err_t gate_wait(void);
void gate_open(void);

/* The exec'd image's entry (t_exec.c): argv[1] == "exec-child". */
int exec_child_main(int argc, char **argv);

#define T(fn, name) void fn(void);
#include "tests.def"
#undef T
/* The tests of pid 1 as the system's init (the server's --init; argv[1]
 * "init", user/manifests/proctest-init.manifest), t_system.c. */
void t_init_dfl_dropped(void);
void t_init_blocked_handled(void);
#endif
