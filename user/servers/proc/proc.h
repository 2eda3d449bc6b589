/* SPDX-License-Identifier: MIT */
/*
 * The process server (include/cairn/posix.h, "the process server"):
 * shared declarations of its parts.
 *
 *   main.c     start-up, the first program, the message loop
 *   table.c    the process table: pids, parents, groups and sessions
 *   image.c    kernel processes: a new image (first program, exec), fork
 *   signal.c   signals, stop/continue, the end of a process, wait
 *   timer.c    the kernel Timer: ITIMER_REAL, POSIX timers, sigtimedwait's timeouts
 *   info.c     what /proc shows: PS_PROCLIST, PS_PROCINFO, argument lists
 *   system.c   the system's names, clock, power and users
 *   limits.c   the umask, resource limits and the main stack's growth
 */
#ifndef PROC_H
#define PROC_H
#include <stdbool.h>
#include <stdint.h>
#include <cairn/rt.h>
#include <cairn/posix.h>

#define MAX_PROCS    4096        /* table entries (live processes and zombies) */
#define PID_MAX      32767
#define MAX_KEEP     320         /* PS_EXEC_KEEP capabilities per process (every
                                  * descriptor, the working directory, names) */
#define MAX_KEEP_ALL 1024        /* ... and in all (they sit in the server's table) */
#define MAX_WAITERS  64          /* blocked PS_WAIT calls, all processes */
#define WAITS_PER_PROC 8
#define MAX_SIGWAITERS 64        /* blocked PS_SIGWAIT calls, all processes */
#define SIGWAITS_PER_PROC 16       /* one per thread (a thread's new call ends its old one) */
#define MAX_TIMERS   512         /* POSIX timers, all processes (POSIX_TIMERS_PER_PROC each) */
#define MAX_TSIGS    128         /* signals pending for a thread, all processes */
#define NSIG_MAX     POSIX_NSIG


#define sigbit        posix_sigbit
#define UNBLOCKABLE   (sigbit(POSIX_SIGKILL) | sigbit(POSIX_SIGSTOP))
#define STOP_SIGS     (sigbit(POSIX_SIGSTOP) | sigbit(POSIX_SIGTSTP) | sigbit(POSIX_SIGTTIN) | \
		       sigbit(POSIX_SIGTTOU))

/* User faults of process pid come badged BADGE_FAULT | pid (PROC_SET_FAULT). */
#define BADGE_FAULT     (1ull << 62)

enum pstate { P_FREE = 0, P_LIVE, P_ZOMBIE };
enum { REPORT_NONE = 0, REPORT_STOP, REPORT_CONT };

struct keep {
	cap_t mine;                  /* in the server's table */
	cap_t dst;                   /* the slot in the new image */
	uint64_t badge;              /* for the new image's copy (mine is unbadged), or 0 */
	bool close;                  /* not given: IO_CLOSE once the exec is done */
	bool ref;                    /* a reference staged for the new process
	                              * (POSIX_KEEP_REF): IO_CLOSE unless given */
};

/* What a signal's receiver learns (siginfo): sender pid, si_code, si_value;
 * a timer's (SI_TIMER) its id as sender and the overrun count. */
struct siginf {
	uint32_t sender;
	int32_t code;
	uint64_t value;
	uint32_t timer;              /* a POSIX timer's signal: its id + 1 (timer.c); else 0 */
	uint32_t overrun;            /* a timer's: filled in when the signal is taken */
};
struct sigq {
	int sig;
	struct siginf si;
};

struct sigact {
	uint8_t disp;                /* POSIX_SIG_* */
	uint32_t flags;              /* Linux SA_* */
	uint64_t pc, mask;
};

/* Handlers running at once on a thread, one inside another (the libc's
 * entry keeps as many: MAX_DEPTH in musl-port's signal.c) */
#define DELIV_MAX 8
/* Threads a process may register besides its main one (PS_THREAD): one
 * for each kernel stack its quota could pay for (the kernel charges 16
 * KiB a Thread), so a process's threads here are bounded by its memory */
#define STHREAD_QUOTA (16u << 10)

/* A delivery in progress: a handler interrupted by another's nests
 * (as Linux runs them) */
struct delivery {
	int sig;
	struct siginf si;
	uint64_t saved_mask;         /* the mask its end puts back */
};

/* A thread as signals see it (signal.c): its mask and the deliveries
 * running on it. The main thread's is the process's (p->main, tid 0,
 * p->kthread); the others' are allocated from the heap, listed in their
 * process's p->threads in the order their libc registered them
 * (PS_THREAD), with a copy of their kernel Thread. */
struct sthread {
	struct proc *p;              /* the owner */
	struct sthread *next;        /* p->threads */
	int tid;                     /* 0: the main thread */
	cap_t kthread;               /* registered ones: the server's copy */
	uint32_t kid;                /* the kernel's id of it (THREAD_GET_ID), 0: not asked yet */
	uint64_t mask;
	struct delivery deliv[DELIV_MAX];
	unsigned ndeliv;
	bool suspend_pending;        /* stopped while blocked in a call */
	bool sent;                   /* an upcall went to it in this sig_work pass */
	uint8_t policy;              /* POSIX_SCHED_* (PS_SCHED), its priority below */
	uint8_t rtprio;              /* 1..99 for SCHED_FIFO and SCHED_RR, else 0 */
	bool reset_on_fork;          /* SCHED_RESET_ON_FORK */
};

/* A deadline on a CPU-time clock (timer.c): the clock's time it comes
 * at (0: off), its interval, and when the server looks next (monotonic
 * ns): the clock cannot reach it before. */
struct cpuwatch {
	uint64_t cpu_at, interval, look;
};

/* A pool (image.c): a kernel process without threads whose quota the
 * kernel processes of POSIX processes are made from (docs/proc.md,
 * "Memory"). The root pool is carved whole from the server's quota at
 * start; each session made after the first gets one nested in its
 * creator's, with a limit of SESSION_SHARE of it and nothing reserved. */
struct pool {
	cap_t kproc, kas;
	uint64_t limit;
	unsigned users;              /* processes whose pool it is, nested pools */
	struct pool *parent;
};
#define SESSION_SHARE_NUM 3      /* a session's pool: 3/4 of its creator's */
#define SESSION_SHARE_DEN 4
/* What a fork must leave free in each pool up the chain (else EAGAIN),
 * so that a full pool fails the next fork, not a running process's next
 * first touch of a page. */
#define FORK_HEADROOM (256u << 10)

struct proc {
	enum pstate state;
	unsigned slot;               /* its entry: pid % MAX_PROCS */
	struct proc *next_spare;     /* a freed record: the next one (table.c) */
	struct pool *pool;           /* what its children and exec images are made from */
	int pid, ppid, pgid, sid;
	char name[16];
	/* the kernel process (the server's capabilities; CAP_NULL once it ended) */
	cap_t kproc, kas, kthread;
	cap_t proc_slot;             /* its "proc" capability's slot in its own table */
	uint64_t quota;              /* its kernel quota's limit (--quota) */
	bool execed;                 /* has done an exec (setpgid: EACCES) */
	uint32_t ruid, euid, suid;   /* real, effective, saved uid (PS_SETUID) */
	uint32_t rgid, egid, sgid;   /* ... gid (PS_SETGID) */
	uint32_t fsuid, fsgid;       /* what file servers check: follow euid, egid (PS_SETFSID) */
	uint32_t ngroups;            /* supplementary groups (PS_SETGROUPS) */
	uint32_t groups[POSIX_NGROUPS_MAX];
	/* the credential token (system.c, docs/users.md): the server's own
	 * copy (every other is derived from it: revoking it takes them all),
	 * its badge, and the process's slot for it */
	cap_t cred_cap, cred_slot;
	uint64_t cred_badge;
	/* a set-uid or set-gid image's ids, as its file server said
	 * (PS_EXEC_GRANT): for the next PS_EXEC, of that object only */
	uint64_t grant_image;        /* its object id */
	uint32_t grant_uid, grant_gid, grant_flags;   /* POSIX_EXEC_SET* */
	/* how it ended (wait status) and what its parent has yet to see */
	int end_sig;                 /* killed by the server with this signal, 0: not */
	int exit_code;               /* PS_EXIT's code, -1: none */
	int wstatus;                 /* zombie: its wait status */
	uint8_t report;              /* REPORT_*: a stop/continue not yet waited for */
	int stop_sig;
	bool stopped, suspend_pending;  /* suspend_pending: some thread's */
	/* signals: those for the process (a thread's own: signal.c's tsigs) */
	uint64_t pending;
	struct siginf info[NSIG_MAX + 1]; /* each pending standard signal's (the first one's) */
	uint64_t rt_over;            /* real-time signals pending beyond the queue (kill) */
	unsigned nq;                 /* queued real-time signals, oldest first */
	struct sigq q[POSIX_SIGQUEUE_MAX];
	struct sigact act[NSIG_MAX + 1];
	struct sthread main;         /* the main thread's mask and deliveries */
	struct sthread *threads;     /* the others, registered (PS_THREAD): oldest first */
	unsigned nthreads;           /* how many */
	bool work;                   /* signals to look at after the answer */
	/* kept across fork and exec (limits.c): the file-creation mask, the
	 * resource limits (cur, max), and the main stack's lowest mapped
	 * address (0: not known), which faults move down to RLIMIT_STACK */
	uint32_t umask;
	uint64_t rlim[POSIX_RLIM_N][2];
	uint64_t stack_low;
	/* the libc's copy routines [lo, hi) and their fixup (PS_UCOPY;
	 * kept across fork, not exec) */
	uint64_t ucopy_lo, ucopy_hi, ucopy_fixup;
	/* CPU time (PS_TIMES): an ended process's own, and that of the
	 * children it reaped (theirs included) */
	uint64_t cpu_ns, child_ns;
	/* ITIMER_REAL: absolute deadline (monotonic ns, 0: off) and interval */
	uint64_t alarm_at, alarm_interval;
	/* ITIMER_VIRTUAL and ITIMER_PROF (timer.c): CPU-time deadlines */
	struct cpuwatch itv[2];
	/* PS_EXEC_KEEP */
	unsigned nkeep;
	struct keep *keep;           /* image.c keep_room(): the table entry's array */
	/* what /proc shows (info.c) */
	uint64_t start_ns;           /* made at (monotonic ns) */
	uint32_t cmdline_len;        /* bytes of cmdline: the arguments, each NUL-ended */
	char cmdline[POSIX_CMDLINE_MAX];
};

/* ---- main.c ---------------------------------------------------------------------- */
extern cap_t srv_ep;             /* the endpoint (unbadged, full rights) */
extern cap_t exit_note;          /* every process's end signals it */
extern unsigned child_prio;      /* priority of every POSIX process */
extern uint64_t child_quota;     /* each process's quota limit (--quota) */
extern bool work_pending;        /* some process has p->work set */
extern cap_t timer_cap;          /* a Timer signalling exit_note's TIMER_BIT, or CAP_NULL */
extern cap_t kinfo_cap;          /* for the time, or CAP_NULL */
extern cap_t tty_cap;            /* "posix.tty" (unbadged: TTY_SESSION_END), or CAP_NULL */
extern bool init_pid1;           /* --init: pid 1 is the system's init (signal.c) */
/* Ends the server: every process is killed, "proc: WHY: exit status N" is
 * logged and the server exits with status (pid 1 ended: as a shell
 * reports it; a reboot: 0). */
__attribute__((noreturn)) void server_exit(int status, const char *why);
/* An asynchronous call (a ring submission: the server never waits for
 * another server or a process); false if it could not be sent. */
bool call_async(cap_t cap, uint32_t label, uint64_t w0);
/* A server message "proc: ..." on the debug console. */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- table.c ---------------------------------------------------------------------- */
extern struct proc *procs[MAX_PROCS];
/* The process (live or zombie) with this pid, or NULL. */
struct proc *proc_find(int64_t pid);
/* A free entry with a fresh pid (state still P_FREE; the caller fills it), or NULL. */
struct proc *proc_alloc(void);
/* Frees an entry (its kernel capabilities must be gone). */
void proc_free(struct proc *p);
/* The exit-notification bit of an entry (bits 0..62; 63 is the timer's). */
uint64_t proc_bit(const struct proc *p);
#define TIMER_BIT  (1ull << 63)
/* true if any process (live or zombie) is in group pgid [of session sid, if sid > 0]. */
bool group_exists(int pgid, int sid);
err_t ps_setpgid(struct proc *c, int64_t pid, int64_t pgid);
err_t ps_getpgid(struct proc *c, int64_t pid, uint64_t *out);
err_t ps_setsid(struct proc *c, uint64_t *out);
err_t ps_getsid(struct proc *c, int64_t pid, uint64_t *out);

/* ---- image.c ------------------------------------------------------------------------ */
/* A start-up block under construction, in buf (max bytes). */
struct block {
	char *buf;
	size_t len, max;
	bool overflow;
};
/* A buffer of n bytes for the server's own use while it serves one call
 * (exec's strings, a start-up block): a small static one, or pages of a
 * MemoryObject of its own (charged to its quota until temp_free). NULL:
 * no quota. */
struct temp {
	void *va;
	cap_t mo;
	uint64_t pages;
};
void *temp_alloc(struct temp *t, size_t n, void *small, size_t small_n);
void temp_free(struct temp *t);
void block_add(struct block *b, const char *s);
void block_addf(struct block *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A block longer than CAIRN_STARTUP_MAX: "argc" becomes "argc:length" (posix.h) */
void block_finish(struct block *b);

struct image {
	/* in */
	cap_t file;                  /* MemoryObject with the ELF file */
	uint64_t offset, size;
	const struct block *block;
	struct keep *keep;           /* capabilities to give, at their slots (ref
	                              * cleared when given) */
	unsigned nkeep;
	unsigned keep_rights;
	cap_t proc_slot;
	cap_t cred_cap, cred_slot;   /* the token to give at cred_slot (CAP_NULL: none) */
	int pid;
	struct pool *pool;           /* its kernel process is made from this */
	uint64_t quota;              /* ... with this limit, nothing reserved */
	const char *name;
	uint64_t stack_pages;        /* the main stack's first size (0: POSIX_STACK_PAGES) */
	/* out: the server's capabilities to the new process */
	cap_t kproc, kas, kthread;
	uint64_t entry;
};
/* The root pool: the server's quota less what it keeps for itself. */
err_t pool_root_make(void);
extern struct pool *root_pool;
/* A pool nested in parent (a new session's), or NULL (no memory). */
struct pool *pool_nested(struct pool *parent);
void pool_get(struct pool *pl);
/* Drops a reference (NULL: nothing); the last one deletes the pool's
 * kernel process (its quota stays while processes made from it live). */
void pool_put(struct pool *pl);
/* Builds a whole process but for starting its thread; on failure nothing is left. */
err_t image_build(struct image *im);
/* Starts it; on failure it is killed and its capabilities deleted. */
err_t image_start(struct image *im);
/* Kills a kernel process (if it runs) and deletes the capabilities. */
void kproc_release(cap_t *kproc, cap_t *kas, cap_t *kthread);
/* PS_FORK */
/* PS_FORK from the parent's thread tid (0: the main one) */
err_t ps_fork(struct proc *parent, const uint64_t w[4], uint32_t tid, uint64_t *child_pid);
/* PS_AFFINITY (c: the caller, NULL for a system service) */
err_t ps_affinity(struct proc *c, int64_t pid, uint64_t set, uint64_t mask, uint64_t *out);
err_t ps_sched(struct proc *c, const uint64_t w[4], uint64_t out[2]);
err_t sched_apply(cap_t kthread, const struct sthread *t);
/* PS_EXEC; on success the caller is gone: no answer. */
err_t ps_exec(struct proc *p, const uint64_t w[4], const char *data, size_t len, cap_t file);
/* PS_EXEC_KEEP */
err_t ps_exec_keep(struct proc *p, const uint64_t w[4], const cap_t *caps, unsigned ncaps);
void keep_clear(struct proc *p);

/* ---- info.c ----------------------------------------------------------------------- */
extern uint64_t procs_made;      /* the first process and every fork */
extern int last_pid;             /* the last pid handed out */
/* p's arguments: the NUL-ended strings of args (len bytes), cut at POSIX_CMDLINE_MAX. */
void cmdline_set(struct proc *p, const char *args, size_t len);
/* PS_PROCLIST: the pids >= from into out (at most max), counts in w[0..3]. */
void ps_proclist(uint64_t from, uint32_t *out, size_t max, uint64_t w[4]);
/* PS_PROCINFO: struct posix_procinfo and the arguments into out (room for
 * POSIX_INLINE_MAX bytes); *n the bytes. ERR_SRCH. */
err_t ps_procinfo(int64_t pid, uint8_t *out, size_t *n);

/* ---- signal.c ---------------------------------------------------------------------- */
/* Raises sig (1..64) on p, sent by pid sender (0: the system). */
void sig_send(struct proc *p, int sig, int sender);
/* Acts on what p's signals ask for now (after the answer to any call). */
void sig_work(struct proc *p);
err_t ps_kill(struct proc *c, int sender, int64_t pid, int64_t sig, uint64_t flags);
err_t ps_sigqueue(struct proc *c, const uint64_t w[4]);
err_t ps_sigwait(struct proc *c, const uint64_t w[4], uint64_t out[4], bool *later);
err_t ps_siginfo(struct proc *c, uint64_t tid, uint64_t out[4]);
err_t ps_sigcontext(struct proc *c, uint64_t tid, uint64_t out[4]);
err_t ps_sigaction(struct proc *c, const uint64_t w[4], uint64_t out[4]);
/* The calls of one thread carry its tid (0 or the pid: the main thread). */
err_t ps_sigmask(struct proc *c, uint64_t how, uint64_t set, uint64_t flags, uint64_t *old);
err_t ps_sigreturn(struct proc *c, uint64_t sig, uint64_t how, uint64_t set, uint64_t flags);
err_t ps_sigpending(struct proc *c, uint64_t tid, uint64_t *set);
err_t ps_thread(struct proc *c, const uint64_t w[4], cap_t kthread);
/* The thread tid (0 or p's pid: the main one) of p, or NULL. */
struct sthread *sthread_find(struct proc *p, uint64_t tid);
/* Every registered thread of p goes (exit, exec: only the main one is left). */
void sthreads_drop(struct proc *p);
/* The exit notification fired with bits: processes that ended are handled. */
void procs_check_ended(uint64_t bits);
/* p ended (its kernel process is dead): zombie, SIGCHLD, waits, orphans. */
void proc_ended(struct proc *p);
/* A user fault of p's thread kid (the kernel's fault message): a memory
 * fault in the libc's copy routines (PS_UCOPY) resumes at their fixup
 * (true, *resume = its pc: answer CAIRN_FAULT_RESUME); a handled
 * SIGSEGV/SIGILL... runs its handler on that thread (si_addr: addr,
 * si_code from the kind) and the instruction is retried (true: answer
 * 0), else p ends with that signal (false: no answer). */
bool proc_fault(struct proc *p, uint64_t addr, uint64_t pc, uint64_t kind, uint64_t kid,
		uint64_t *resume);
err_t ps_ucopy(struct proc *c, uint64_t start, uint64_t end, uint64_t fixup);
/* Kills p's kernel process for signal sig (wait status sig), or for PS_EXIT
 * (sig 0, exit code code). */
void proc_terminate(struct proc *p, int sig, int code);
/* Raises sig with siginfo si on thread tid of p (p's pid: the main
 * thread), as tgkill: its handler runs on that thread, or its PS_SIGWAIT
 * takes it; a default action is the process's. A tid p has not
 * registered: the process's signal. must_queue: ERR_AGAIN instead of
 * dropping or merging an instance there is no room for. */
err_t sig_raise_to(struct proc *p, int tid, int sig, const struct siginf *si, bool must_queue);
/* true while an instance of sig from timer (its id + 1) is pending on p. */
bool sig_timer_pending(const struct proc *p, int sig, uint32_t timer);
/* The pending instance of sig from timer, if any, goes. */
void sig_timer_drop(struct proc *p, int sig, uint32_t timer);
/* Every signal pending for one of p's threads goes (exit, exec). */
void tsigs_drop(struct proc *p);
/* The earliest deadline of the blocked PS_SIGWAIT calls, 0: none. */
uint64_t sigwaits_deadline(void);
/* PS_SIGWAIT calls whose deadline is now or past: EAGAIN. */
void sigwaits_expire(uint64_t now);
err_t ps_tkill(struct proc *c, const uint64_t w[4]);

/* ---- timer.c ----------------------------------------------------------------------- */
/* Touches the timer table's pages (start-up: the server's memory stays flat). */
void timers_init(void);
/* The kernel Timer goes off at the earliest deadline of all (ITIMER_REAL,
 * POSIX timers, PS_SIGWAIT timeouts), or is cancelled. */
void timer_rearm(void);
/* The Timer fired: every deadline that has come is acted on. */
void timers_fire(void);
/* A timer's signal (si->timer) is taken, by a delivery or PS_SIGWAIT:
 * si->overrun is its overrun count; with remove the timer's count
 * restarts (the count timer_getoverrun tells is that one). */
void timer_taken(struct proc *p, struct siginf *si, bool remove);
/* Every POSIX timer of p goes (exit, exec). */
void timers_free(struct proc *p);
/* CLOCK_REALTIME moved from old to new offset (PS_SETTIME): absolute
 * CLOCK_REALTIME timers move with it. */
void timers_clock_set(uint64_t old_off, uint64_t new_off);
err_t ps_setitimer(struct proc *c, const uint64_t w[4], uint64_t out[2]);
/* exec: ITIMER_VIRTUAL's and ITIMER_PROF's deadlines onto the new image's clock */
void cpu_itimers_exec(struct proc *p);
err_t ps_timer_create(struct proc *c, const uint64_t w[4], uint64_t *id);
err_t ps_timer_set(struct proc *c, const uint64_t w[4], uint64_t out[2]);
err_t ps_timer_get(struct proc *c, uint64_t id, uint64_t out[3]);
err_t ps_timer_delete(struct proc *c, uint64_t id);
/* PS_WAIT: answered now (*later false) or saved for later. */
err_t ps_wait(struct proc *c, int64_t pid, uint64_t options, uint64_t out[2], bool *later);
/* Drops every blocked wait p made. */
void waits_drop(struct proc *p);

/* ---- limits.c ---------------------------------------------------------------------- */
/* A first process's: umask 022, Linux's default limits */
void limits_default(struct proc *p);
/* The kept strings of p's new image's start-up block (after the environment) */
void block_add_kept(struct block *b, const struct proc *p);
/* The pages the main stack of p's next image starts with */
uint64_t stack_first_pages(const struct proc *p);
err_t ps_umask(struct proc *c, uint64_t mask, uint64_t flags, uint64_t *old);
err_t ps_rlimit(struct proc *c, const uint64_t w[4], uint64_t out[2]);
/* A fault of p at addr below its main stack and within RLIMIT_STACK: more
 * stack is mapped (true: retry the instruction) */
bool stack_grow(struct proc *p, uint64_t addr);
err_t ps_times(struct proc *c, int64_t pid, uint64_t out[2]);
/* The CPU time of p's threads now (a live one's kernel process) */
uint64_t proc_cpu_ns(const struct proc *p);

/* ---- system.c ---------------------------------------------------------------------- */
extern cap_t clock_cap;          /* "clock": KernelInfo with the manage right, or CAP_NULL */
/* PS_REBOOT: an error, or the server ends (no return). */
err_t ps_reboot(struct proc *c, const uint64_t w[4]);
err_t ps_setname(struct proc *c, const uint64_t w[4], const char *data, size_t nbytes);
/* PS_UNAME: writes struct posix_uts at out, returns its size. */
size_t ps_uname(void *out);
err_t ps_settime(struct proc *c, uint64_t ns);
void ps_getuid(struct proc *c, uint64_t out[3]);
err_t ps_setuid(struct proc *c, const uint64_t w[4]);
void ps_getgid(struct proc *c, uint64_t out[4]);
err_t ps_setgid(struct proc *c, const uint64_t w[4]);
size_t ps_getgroups(struct proc *c, void *out, uint64_t *n);
err_t ps_setgroups(struct proc *c, uint64_t n, const void *data, size_t nbytes);
uint64_t ps_setfsid(struct proc *c, const uint64_t w[4]);
size_t ps_cred(struct proc *c, void *out);
/* Credential tokens (docs/users.md): a new one for p (the old one revoked
 * with every copy), given at p->cred_slot of kproc unless CAP_NULL; the
 * process whose token has this badge; p's token goes (its end). */
err_t cred_new(struct proc *p, cap_t kproc);
struct proc *cred_find(uint64_t badge);
void cred_drop(struct proc *p);
err_t cred_mint(cap_t *cap, uint64_t *badge);
void cred_switch(struct proc *p, cap_t cap, uint64_t badge);
err_t ps_exec_grant(const uint64_t w[4]);
/* The credentials a fork's child starts with: its parent's. */
void cred_copy(struct proc *to, const struct proc *from);
#endif
