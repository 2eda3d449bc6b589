// SPDX-License-Identifier: MIT
/*
 * A SA_SIGINFO handler's third argument, as Linux fills it and takes it
 * back (musl-port/src/cairn/signal.c, from the kernel's upcall frame:
 * include/cairn/abi.h): a SIGSEGV handler finds the faulting pc in
 * uc_mcontext (riscv64's __gregs[0], x86-64's gregs[REG_RIP]), the
 * instruction there, and skips it by advancing the pc (a 4-byte riscv64
 * load or store, .option norvc; a 3-byte x86-64 mov spelled out in
 * bytes), and a register it sets is what the interrupted code finds;
 * si_code says SEGV_MAPERR for an unmapped page (never mapped, or
 * munmap'd) and SEGV_ACCERR for a PROT_NONE page and a write to a
 * read-only one, si_addr the address; uc_sigmask is the mask before the
 * handler (not sa_mask, not the signal), and one the handler changes
 * there is the mask after it; a signal's ucontext has the interrupted
 * stack pointer; uc_stack tells the alternate stack.
 *
 * It passes on Linux, built on the host:
 *   gcc -std=gnu11 -O2 -Wall -Wextra -Werror -Iuser/tests/posix -Iuser/lib/include \
 *       -Iuser/tests/arch/x86_64/include -o /tmp/ucontext user/tests/posix/ucontext.c \
 *       user/tests/posix/lib/child.c user/tests/posix/lib/test_musl.c user/lib/test.c -lpthread
 * Expected list: tests/harness/expected/posix-ucontext.txt.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <ucontext.h>
#include "posixtest.h"

/* where the pc is, and a load and a store the handler knows
 * (user/tests/arch/<arch>/include/test/ucontext.h) */
#include <test/ucontext.h>

static struct {
	volatile int n, code, insn_ok, store;
	void *volatile addr;
	volatile long set;          /* what the handler puts in the load's register */
} fault;

static void on_segv(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;

	(void)sig;
	fault.n++;
	fault.code = si->si_code;
	fault.addr = si->si_addr;
	fault.insn_ok = test_known_insn((uintptr_t)UC_PC(uc), fault.store);
	if (fault.insn_ok) {
		if (!fault.store)
			UC_RESULT(uc) = fault.set;
		UC_PC(uc) += INSN_LEN;       /* past it: the code goes on */
	} else {
		signal(SIGSEGV, SIG_DFL);    /* not ours: the fault ends the test */
	}
}

/* One fault at p (a load, or a store), skipped by the handler: its
 * si_code; the load's register is the handler's. */
static int fault_at(void *p, int store, long set)
{
	long v = 0;

	fault.n = 0;
	fault.store = store;
	fault.set = set;
	fault.code = -1;
	if (store)
		test_store_at(p);
	else
		v = test_load_at(p);
	CHECK(fault.n == 1 && fault.insn_ok && fault.addr == p);
	CHECK(store || v == set);
	return fault.code;
}

static void skip_fault(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	struct sigaction sa = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO };
	char *none, *ro, *gone, *hole;

	CHECK(sigaction(SIGSEGV, &sa, NULL) == 0);
	none = mmap(NULL, (size_t)pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ro = mmap(NULL, (size_t)pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	hole = mmap(NULL, (size_t)pg * 3, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(none != MAP_FAILED && ro != MAP_FAILED && hole != MAP_FAILED);
	gone = hole + pg;
	CHECK(munmap(gone, (size_t)pg) == 0);
	/* an unmapped page: SEGV_MAPERR; the load's register is the handler's */
	CHECK(fault_at((void *)8, 0, 42) == SEGV_MAPERR);
	CHECK(fault_at(gone, 0, 43) == SEGV_MAPERR);
	CHECK(fault_at(gone, 1, 0) == SEGV_MAPERR);
	/* a mapped page that forbids the access: SEGV_ACCERR */
	CHECK(fault_at(none, 0, 44) == SEGV_ACCERR);
	CHECK(fault_at(none, 1, 0) == SEGV_ACCERR);
	CHECK(fault_at(ro, 1, 0) == SEGV_ACCERR);
	/* the read-only page reads, and was not written */
	CHECK(test_load_at(ro) == 0);
	signal(SIGSEGV, SIG_DFL);
	munmap(none, (size_t)pg);
	munmap(ro, (size_t)pg);
	munmap(hole, (size_t)pg * 3);
}

static struct {
	volatile int n;
	sigset_t uc_mask, cur;
	volatile uintptr_t sp;
	volatile int add_hup;
	stack_t st;
} sigc;

static void on_usr1(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;

	(void)sig;
	(void)si;
	sigc.n++;
	sigc.uc_mask = uc->uc_sigmask;
	sigprocmask(SIG_BLOCK, NULL, &sigc.cur);
	sigc.sp = (uintptr_t)UC_SP(uc);
	sigc.st = uc->uc_stack;
	if (sigc.add_hup)
		sigaddset(&uc->uc_sigmask, SIGHUP);
}

/* uc_sigmask: the mask before the handler; changed there, the mask after. */
static void uc_sigmask(void)
{
	struct sigaction sa = { .sa_sigaction = on_usr1, .sa_flags = SA_SIGINFO };
	sigset_t intr, old, now;

	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	CHECK(sigaction(SIGUSR1, &sa, NULL) == 0);
	sigemptyset(&intr);
	sigaddset(&intr, SIGINT);
	CHECK(sigprocmask(SIG_BLOCK, &intr, &old) == 0);
	sigc.n = 0;
	sigc.add_hup = 0;
	CHECK(raise(SIGUSR1) == 0 && sigc.n == 1);
	/* before: SIGINT only; during: SIGINT, SIGUSR1 (the signal), SIGUSR2 (sa_mask) */
	CHECK(sigismember(&sigc.uc_mask, SIGINT) == 1);
	CHECK(sigismember(&sigc.uc_mask, SIGUSR1) == 0 && sigismember(&sigc.uc_mask, SIGUSR2) == 0);
	CHECK(sigismember(&sigc.cur, SIGINT) == 1 && sigismember(&sigc.cur, SIGUSR1) == 1 &&
	      sigismember(&sigc.cur, SIGUSR2) == 1);
	CHECK(sigprocmask(SIG_BLOCK, NULL, &now) == 0 && sigismember(&now, SIGINT) == 1 &&
	      sigismember(&now, SIGHUP) == 0 && sigismember(&now, SIGUSR1) == 0);
	/* the handler adds SIGHUP to its ucontext's mask: blocked after it */
	sigc.add_hup = 1;
	CHECK(raise(SIGUSR1) == 0 && sigc.n == 2);
	CHECK(sigprocmask(SIG_BLOCK, NULL, &now) == 0 && sigismember(&now, SIGHUP) == 1 &&
	      sigismember(&now, SIGINT) == 1 && sigismember(&now, SIGUSR1) == 0 &&
	      sigismember(&now, SIGUSR2) == 0);
	CHECK(sigprocmask(SIG_SETMASK, &old, NULL) == 0);
	signal(SIGUSR1, SIG_DFL);
}

/* A signal's ucontext: the interrupted stack pointer (near this frame's),
 * and the alternate stack in uc_stack. */
static void registers(void)
{
	struct sigaction sa = { .sa_sigaction = on_usr1, .sa_flags = SA_SIGINFO };
	stack_t alt = { .ss_size = 65536 }, none = { .ss_flags = SS_DISABLE };
	char here;

	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(SIGUSR1, &sa, NULL) == 0);
	sigc.n = 0;
	sigc.add_hup = 0;
	CHECK(raise(SIGUSR1) == 0 && sigc.n == 1);
	CHECK(sigc.sp < (uintptr_t)&here && (uintptr_t)&here - sigc.sp < 65536);
	alt.ss_sp = malloc(alt.ss_size);
	CHECK(alt.ss_sp && sigaltstack(&alt, NULL) == 0);
	CHECK(raise(SIGUSR1) == 0 && sigc.n == 2);
	CHECK(sigc.st.ss_sp == alt.ss_sp && sigc.st.ss_size == alt.ss_size);
	CHECK(sigaltstack(&none, NULL) == 0);
	free(alt.ss_sp);
	signal(SIGUSR1, SIG_DFL);
}

int main(int argc, char **argv)
{
	pt_prefix = "ucontext";
	pt_select(argc, argv);
	run_named("skip_fault", skip_fault);
	run_named("sigmask", uc_sigmask);
	run_named("registers", registers);
	return finish();
}
