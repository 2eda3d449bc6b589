/* SPDX-License-Identifier: MIT */
/*
 * ktest: userland tests of the kernel ABI (include/cairn/abi.h). Shared
 * declarations of the runner (main.c), the helpers (util.c), the test
 * groups (t_*.c) and the peer process (peer.c: this same program started
 * again with argv[1] = "peer").
 */
#ifndef KTEST_H
#define KTEST_H
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <cairn/rt.h>
#include <cairn/spawn.h>

/* ---- the runner: the test library (CHECK, EXPECT, CHECK_ERR, EXPECT_ERR,
 * CHECK_OK, EXPECT_OK, t_fail, free_pages, now_ns) ------------------------------- */
#include <cairn/test.h>
#include <test/arch.h>

/* ktest's own priority (it starts at KT_PRIO_MAX, user/manifests/ktest.manifest) */
#define PRIO_MAIN    10
#define KT_PRIO_MAX  16

/* ---- capabilities and kernel objects (util.c) ------------------------------------ */

extern cap_t k_console, k_kinfo, k_irqctl, k_mmioctl, k_bootimage, k_sleep;
/* IoPortControl: x86-64 only (CAP_NULL on riscv64, which has no I/O ports) */
extern cap_t k_ioportctl;

/* Method call with no capability argument: the call's error, else the answer's label. */
err_t inv(cap_t c, uint32_t method, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3,
	  struct cairn_msg *out);
/* The same with cap0 sent in the calling thread's IPC buffer (main thread only). */
err_t inv1(cap_t c, uint32_t method, cap_t cap0, uint64_t w0, uint64_t w1, uint64_t w2,
	   uint64_t w3, struct cairn_msg *out);
/* PROC_CREATE on proc: the new capability in *out. */
err_t create_on(cap_t proc, uint64_t type, uint64_t a, uint64_t b, cap_t *out);
/* PROC_CREATE on this process; CAP_NULL if it failed. */
cap_t mk(unsigned type);
cap_t mk_memobj(uint64_t pages, unsigned flags);
err_t cap_copy(cap_t slot, unsigned rights, cap_t *out);
/* MEMOBJ_WRITE of one word (main thread only: the IPC buffer). */
err_t mo_write(cap_t mo, uint64_t off, uint64_t v);
err_t cap_mint(cap_t slot, unsigned rights, uint64_t badge, cap_t *out);
/* CAP_OP_IDENTIFY: type, rights and badge (any may be NULL). */
err_t cap_ident(cap_t slot, uint64_t *type, uint64_t *rights, uint64_t *badge);
/* Deletes slot if it is not CAP_NULL and sets it to CAP_NULL. */
void del(cap_t *slot);
/* Waits about ms milliseconds (a timed-out wait on a private Notification). */
void sleep_ms(unsigned ms);
/* ktest runs under -icount (argument icount=1, user/manifests/ktest-icount.manifest):
 * guest time is exact, and time_within() holds a tight upper bound. */
extern bool k_icount;
/* The CPU the tests' threads run on (the main thread's, pinned at start:
 * most tests check how threads take turns on one CPU); k_ncpus online. */
extern uint64_t k_cpu_mask;
extern unsigned k_ncpus;
/* Whether a wait for want_ns that took took_ns was long enough and not too
 * long: at least want_ns; at most, under -icount, want + 10% + one tick
 * (timeouts end on the kernel's tick, 10 ms at CONFIG_TIMER_HZ 100) + 1 ms,
 * else (the host's clock, any load) 1 s. */
bool time_within(uint64_t want_ns, uint64_t took_ns);
/* Number of free slots in this process's table (slow: walks every slot). */
unsigned free_slots(void);
/* The quota (limit, used) of proc, in bytes (PROC_QUOTA). */
void quota_of(cap_t proc, uint64_t *limit, uint64_t *used);
/* PROC_CREATE's quota for a process whose limit is all reserved (b bytes
 * taken from the creator's quota up front, as init's services). */
#define QUOTA_RESERVED(b) cairn_quota_arg((b), (b))

/* A thread started here ends itself at once (needs no stack). */
void kt_exit_stub(void);
/* Disposes of a thread capability: a thread never started is started on
 * kt_exit_stub first (so it can be freed), then the capability deleted. */
void thread_dispose(cap_t *th);

/* ---- threads of this process (util.c) -------------------------------------------- */

struct kthread {
	cap_t th, stack_mo, ipc_mo;
	void *stack;
	struct cairn_ipcbuf *ipc;            /* this thread's own IPC buffer */
	void (*fn)(struct kthread *);
	volatile uint64_t arg[4];            /* from the main thread */
	volatile uint64_t res[8];            /* results for the main thread */
	volatile int step;                   /* progress marker */
};

/* Starts fn(kt) on a new thread at priority prio with its own 16 KiB stack
 * and IPC buffer (the thread must not use printf: that is the main
 * thread's). With ipcbuf false the thread gets no IPC buffer. */
err_t kthread_start(struct kthread *kt, void (*fn)(struct kthread *), unsigned prio, bool ipcbuf);
/* Waits up to ms for the thread to end; true if it did. */
bool kthread_join(struct kthread *kt, unsigned ms);
/* Deletes the thread's capability and frees its stack and IPC buffer (after join). */
void kthread_free(struct kthread *kt);

/* ---- processes (util.c) ------------------------------------------------------------ */

/* Finds bin/<prog> in the boot image (mapped on first use). */
err_t boot_prog(const char *prog, uint64_t *off, uint64_t *size);
/* Spawns this program again as a peer: argv = { name, "peer", mode }, the
 * capabilities named in caps (console is always added first), at priority
 * prio, with quota bytes, exit signalled on exit_note (may be CAP_NULL). */
err_t spawn_peer(const char *name, const char *mode, const struct cairn_spawn_cap *caps,
		 unsigned ncaps, unsigned prio, uint64_t quota, cap_t exit_note,
		 struct cairn_child *child);
/* Spawns another program of the boot image (bin/<prog>). */
err_t spawn_prog(const char *prog, const char *name, const char *const *argv, unsigned argc,
		 const struct cairn_spawn_cap *caps, unsigned ncaps, unsigned prio, uint64_t quota,
		 cap_t exit_note, struct cairn_child *child);
/* Waits up to ms for bits on note; the bits seen or 0. */
uint64_t wait_bits(cap_t note, unsigned ms);
/* PROC_STATUS of a process capability. */
err_t proc_status(cap_t proc, struct cairn_proc_status *st);
/* Kills (if still running) and releases a spawned child. */
void child_end(struct cairn_child *c);

/* The peer program's entry (peer.c). */
int peer_main(int argc, char **argv);
/* Where fault.resume_elsewhere resumes the peer: it ends with 42. */
__attribute__((noreturn)) void peer_resumed(void);

/* ---- the IPC test server (peer.c), run by a thread or a peer process ----------------- */

/* Labels the test server understands. */
enum {
	SRV_ECHO = 1,      /* -> label 0, (w0+1, w1+2, w2+3, w3+4) */
	SRV_LONG,          /* len words -> the same length, every word inverted */
	SRV_CAPSIG,        /* cap0 = Notification: signals it with w0; -> (ncaps, type, rights) */
	SRV_BADGE,         /* -> (badge), answered with SYS_REPLY */
	SRV_GIVECAP,       /* -> one new Notification, already signalled with w0 */
	SRV_DIE,           /* the server ends without answering */
	SRV_DROP,          /* the server receives again without answering */
	SRV_SEND,          /* (for SYS_SEND) counts it, keeps w0 */
	SRV_STAT,          /* -> (sends counted, last w0 sent) */
	SRV_QUIT,          /* -> label 0, then the server ends */
};

/* Serves ep with the IPC buffer ib until SRV_QUIT (returns 0), SRV_DIE
 * (returns 1: the caller must end without answering) or an error. */
int serve(cap_t ep, struct cairn_ipcbuf *ib);

/* What a page i of a paged object holds in its first word when ktest's
 * pager supplies it (t_pager.c, peer.c). */
#define PG_PATTERN(i)  (0x5000ull + (i))

/* An address no program uses, for fault tests (64 GiB). */
#define KT_FAULT_VA  0x1000000000ull
#define KT_BAD_VA    0xdead000ull

/* ---- test groups (t_*.c) ------------------------------------------------------------- */

#define T(fn, name) void fn(void);
#include "tests.def"
#undef T

#endif
