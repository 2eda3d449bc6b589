/* SPDX-License-Identifier: MIT */
/*
 * kfuzz: a random-invocation fuzzer of the kernel ABI. Started by ktest in
 * a child process with a modest quota (argv: seed=N seeds=N count=N, see
 * main()). It makes a pool of kernel objects and then issues `count`
 * random system calls: random numbers, slots (mostly from the pool),
 * methods, arguments, tags (lengths, capability counts, flags) and
 * IPC-buffer contents, directly and through its submission ring. The
 * kernel must answer every one with an error or a result, never panic;
 * the run is repeatable (a fixed seed).
 *
 * What keeps the fuzzer itself alive (a fuzzer that kills itself tests
 * nothing):
 *  - slots below prot_limit (its own Process, AddressSpace and Thread, the
 *    console, the "done" Notification, the helper's and the watchdog's
 *    objects, the ring) and the keeper slots at the top of the table are
 *    protected: only harmless methods reach them (identify, status, quota,
 *    creation on its own Process, mappings inside the fuzz window of its
 *    own space);
 *  - threads of its own process are only ever started on a stub that ends
 *    the thread at once; threads of child processes start anywhere;
 *  - a helper thread, below the fuzzing thread's priority (so it runs only
 *    while that one is blocked), answers calls and sends on every
 *    Endpoint, sends to every receiver and signals every Notification, so
 *    no blocking call waits for ever; none of its own calls blocks (the
 *    slots it works on change under it: struct server; race_check()
 *    makes that happen at the start of every run);
 *  - a watchdog thread reports a run that stops (no invocation finished
 *    for WD_STALL_MS: where the fuzzing thread and the helper are, and the
 *    kernel's thread dump) and does the helper's work itself, so whatever
 *    the fuzzed calls did to the helper, the run goes on or says what hung;
 *  - every child process it creates is kept: its original capability moves
 *    to a protected keeper slot (the fuzzer works on copies, so no revoke
 *    can reach the keeper), and at the end every keeper is killed, so
 *    nothing outlives the fuzzer;
 *  - Endpoints and Notifications likewise: the originals stay in protected
 *    anchor slots, through which the helper serves them.
 * Every 5000 invocations a new generation starts: every child is killed
 * and every capability of the pool deleted, so the quota comes back; each
 * seed starts with a new generation and a fresh pool.
 *
 * When done it prints a summary ("# kfuzz: ..."), signals "done" (1: every
 * answer was well formed and nothing stalled; else 2: some answers were
 * not, see the # lines, and 4: the watchdog saw a stall) and waits to be
 * killed: ktest checks that it can be, and that every page comes back.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <format.h>
#include <cairn/rt.h>
#include <test/arch.h>

#define FZ_VA        0x1000000000ull      /* the fuzz window of our own space */
#define FZ_PAGES     64
#define POOL_END     256                  /* pool slots: [prot_limit, POOL_END) */
#define ANCHOR_FIRST 700                  /* anchors: [ANCHOR_FIRST, KEEP_FIRST) */
#define KEEP_FIRST   960                  /* keepers: [KEEP_FIRST, FZ_SLOTS) */
/* The part of the table laid out above (the kernel's first 1,024 slots,
 * which need no directory); slots past it up to CAP_SLOTS are ones the
 * kernel hands out when these are full, not modelled */
#define FZ_SLOTS     1024
#define MAX_PRIO_FZ  4                    /* threads the fuzzer starts run below it */
#define HELPER_PRIO  5
#define WATCHDOG_PRIO 6                   /* the fuzzing thread's (ktest starts it at 6) */
#define RING_N       16
#define PG           CAIRN_PAGE_SIZE

enum kind { K_NONE, K_UNKNOWN, K_OWN_THREAD, K_CHILD_THREAD, K_CHILD_PROC, K_CHILD_AS, K_OBJ, K_CONTIG };

static struct {
	uint8_t used, type, kind;
} S[CAP_SLOTS];
static cap_t list[CAP_SLOTS];            /* used slots in [prot_limit, ANCHOR_FIRST) */
static unsigned nlist, hiwater, prot_limit, next_keeper = FZ_SLOTS - 1;
static struct {
	cap_t slot;
	unsigned type;
} anchors[KEEP_FIRST - ANCHOR_FIRST];
static unsigned nanchors, generations;
static cap_t next_anchor = ANCHOR_FIRST;
static bool dirty;

static cap_t console, done, helper_note;
static struct cairn_ring_hdr *ring;

static uint64_t rng_state;
static unsigned long n_ok, n_err, n_ring, n_children, n_bad;
static unsigned long errs[128], method_ok[128], method_tried[128];

/* ---- randomness --------------------------------------------------------------------- */

static uint64_t rnd(void)
{
	uint64_t x = rng_state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return x * 0x2545f4914f6cdd1dull;
}

static uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static bool chance(unsigned pct)
{
	return below(100) < pct;
}

/* ---- the answers: every error must be one of err.h's ------------------------------------- */

static bool err_valid(uint64_t e)
{
	static const uint8_t ok[] = { ERR_OK, ERR_PERM, ERR_NOENT, ERR_SRCH, ERR_IO, ERR_2BIG,
				      ERR_NOEXEC, ERR_BADF, ERR_AGAIN, ERR_NOMEM, ERR_ACCES, ERR_FAULT,
				      ERR_BUSY, ERR_EXIST, ERR_NODEV, ERR_INVAL, ERR_NOSPC, ERR_PIPE,
				      ERR_RANGE, ERR_NOSYS, ERR_MSGSIZE, ERR_OVERFLOW, ERR_TIMEDOUT };

	for (unsigned i = 0; i < sizeof(ok); i++)
		if (e == ok[i])
			return true;
	return false;
}

static void bad(const char *what, uint64_t nr, uint64_t v)
{
	if (n_bad++ < 10)
		printf("# kfuzz: bad answer: %s (system call %lu, value %#lx)\n", what, (unsigned long)nr,
		       (unsigned long)v);
}

static void count(uint64_t nr, uint64_t e)
{
	if (!err_valid(e))
		bad("result 0 is not an err_t", nr, e);
	if (e)
		n_err++;
	else
		n_ok++;
	errs[e & 127]++;
}

/* ---- the slot table ---------------------------------------------------------------------- */

static bool protected_slot(cap_t s)
{
	return s < prot_limit || (s >= ANCHOR_FIRST && s < FZ_SLOTS);
}

static void note_slot(cap_t s, unsigned type, unsigned kind)
{
	if (s >= FZ_SLOTS || protected_slot(s))
		return;
	if (!S[s].used)
		list[nlist++] = s;
	S[s].used = 1;
	S[s].type = type;
	S[s].kind = kind;
	if (s > hiwater)
		hiwater = s;
}

/* Identifies every slot up to the high-water mark again (after revokes,
 * transfers and anything else whose effect on the table is not known). */
static void rescan(void)
{
	uint64_t r[6];

	nlist = 0;
	for (cap_t s = prot_limit; s <= hiwater + 8 && s < ANCHOR_FIRST; s++) {
		uint64_t e = cairn_arch_syscall(SYS_CAP, CAP_OP_IDENTIFY, s, 0, 0, 0, 0, r);
		if (e) {
			S[s].used = 0;
			continue;
		}
		if (r[0] == 0 || r[0] >= OBJ_TYPE_COUNT || r[1] > RIGHTS_ALL)
			bad("CAP_OP_IDENTIFY: type or rights out of range", SYS_CAP, r[0] << 8 | r[1]);
		if (!S[s].used || S[s].type != r[0])
			S[s].kind = K_UNKNOWN;
		S[s].used = 1;
		S[s].type = (uint8_t)r[0];
		list[nlist++] = s;
		if (s > hiwater)
			hiwater = s;
	}
	dirty = false;
}

/* The type of the object in slot s now (0: none). */
static unsigned type_now(cap_t s)
{
	uint64_t r[6];

	if (cairn_arch_syscall(SYS_CAP, CAP_OP_IDENTIFY, s, 0, 0, 0, 0, r))
		return 0;
	return (unsigned)r[0];
}

/* A slot to act on: mostly one in use, sometimes any number. */
static cap_t pick_any(void)
{
	switch (below(20)) {
	case 0: return CAP_SLOTS + below(100);
	case 1: return rnd();
	case 2: return CAP_NULL;
	case 3: return below(prot_limit);                 /* protected: filtered later */
	case 4: return prot_limit + below(POOL_END - prot_limit);
	default: return nlist ? list[below(nlist)] : below(64);
	}
}

/* A slot for a capability argument: never a protected one. */
static cap_t pick_arg(unsigned want_type)
{
	for (int tries = 0; tries < 8 && nlist; tries++) {
		cap_t s = list[below(nlist)];
		if (!want_type || S[s].type == want_type || chance(10))
			return s;
	}
	switch (below(4)) {
	case 0: return CAP_SLOTS + below(10);
	case 1: return CAP_NULL;
	default: return nlist ? list[below(nlist)] : 5000;
	}
}

static cap_t pick_typed(unsigned type)
{
	cap_t s = pick_arg(type);

	return protected_slot(s) ? CAP_NULL : s;
}

/* ---- values ---------------------------------------------------------------------------------- */

static uint64_t val(void)
{
	switch (below(12)) {
	case 0: return 0;
	case 1: return 1;
	case 2: return below(8);
	case 3: return below(5000);
	case 4: return below(64) * PG;
	case 5: return rnd();
	case 6: return UINT64_MAX - below(4);
	case 7: return 1ull << below(64);
	case 8: return pick_any();
	case 9: return FZ_VA + below(FZ_PAGES) * PG;
	case 10: return 0x400000 + below(64) * PG;
	default: return rnd() & 0xffffffff;
	}
}

static uint64_t fz_va(void)
{
	return FZ_VA + below(FZ_PAGES) * PG + (chance(5) ? below(PG) : 0);
}

static uint64_t fz_bytes(uint64_t va)
{
	uint64_t left = FZ_VA + FZ_PAGES * PG - va;
	uint64_t b = (below(8) + (chance(10) ? 0 : 1)) * PG + (chance(5) ? below(PG) : 0);

	return b > left ? left : b;
}

/* ---- an invocation ----------------------------------------------------------------------------- */

struct inv {
	cap_t cap;
	uint64_t tag, w[4];
	unsigned method, ncaps;
	bool own_as;          /* the target is our own AddressSpace */
};

extern void fz_exit_stub(void);
TEST_EXIT_STUB(fz_exit_stub);

static const uint32_t all_methods[] = {
	PROC_CREATE, PROC_GRANT, PROC_LOAD_ELF, PROC_KILL, PROC_STATUS, PROC_BIND_EXIT, PROC_SET_FAULT,
	PROC_QUOTA, AS_MAP, AS_UNMAP, AS_PROTECT, THREAD_START, THREAD_SET_IPCBUF, THREAD_SET_RING,
	THREAD_SET_PRIORITY, THREAD_SUSPEND, THREAD_RESUME, NOTIFY_SIGNAL, NOTIFY_POLL, MEMOBJ_INFO,
	MEMOBJ_PADDR, MEMOBJ_COPY, MEMOBJ_WRITE, MEMOBJ_READ, IRQ_BIND, IRQ_ACK, TIMER_SET, TIMER_CANCEL,
	IRQCTL_GET, MMIOCTL_GET, DEBUG_WRITE, KINFO_FREE_PAGES, KINFO_TIME, OBJ_IDENTIFY,
	IOPORTCTL_GET, IOPORT_IN, IOPORT_OUT, IOPORT_WRITE, IOPORT_INFO,
	MEMOBJ_SET_PAGER, MEMOBJ_SUPPLY, MEMOBJ_FAIL, MEMOBJ_DIRTY, MEMOBJ_EVICT, MEMOBJ_RESIZE,
};

static uint32_t method_for(unsigned type)
{
	static const uint32_t proc[] = { PROC_CREATE, PROC_CREATE, PROC_CREATE, PROC_GRANT, PROC_LOAD_ELF,
					 PROC_KILL, PROC_STATUS, PROC_BIND_EXIT, PROC_SET_FAULT, PROC_QUOTA };
	static const uint32_t as[] = { AS_MAP, AS_MAP, AS_UNMAP, AS_PROTECT };
	static const uint32_t th[] = { THREAD_START, THREAD_SET_IPCBUF, THREAD_SET_RING, THREAD_SET_PRIORITY,
				       THREAD_SUSPEND, THREAD_RESUME };
	static const uint32_t mo[] = { MEMOBJ_INFO, MEMOBJ_PADDR, MEMOBJ_COPY, MEMOBJ_WRITE, MEMOBJ_READ,
				       MEMOBJ_SET_PAGER, MEMOBJ_SUPPLY, MEMOBJ_FAIL, MEMOBJ_DIRTY,
				       MEMOBJ_EVICT, MEMOBJ_RESIZE };
	static const uint32_t nt[] = { NOTIFY_SIGNAL, NOTIFY_POLL };
	static const uint32_t tm[] = { TIMER_SET, TIMER_CANCEL };
#define PICK(a) a[below(sizeof(a) / sizeof(a[0]))]
	if (chance(15))
		return chance(30) ? (uint32_t)rnd() : PICK(all_methods);
	switch (type) {
	case OBJ_PROCESS: return PICK(proc);
	case OBJ_ASPACE: return PICK(as);
	case OBJ_THREAD: return PICK(th);
	case OBJ_MEMOBJ: return PICK(mo);
	case OBJ_NOTIFICATION: return PICK(nt);
	case OBJ_TIMER: return PICK(tm);
	case OBJ_ENDPOINT: return 1 + below(12);
	default: return PICK(all_methods);
	}
#undef PICK
}

/* Fills the arguments of v->method: mostly shaped so the method can
 * work, sometimes all random. */
static void args_for(struct inv *v)
{
	uint64_t *w = v->w;

	for (unsigned i = 0; i < 4; i++)
		w[i] = val();
	v->ncaps = 0;
	if (chance(15))
		return;               /* fully random arguments */
	switch (v->method) {
	case PROC_CREATE:
		w[0] = chance(90) ? below(OBJ_TYPE_COUNT + 1) : val();
		if (w[0] == OBJ_PROCESS) {
			w[1] = chance(80) ? 8 * PG + below(96 * PG) : val();
			w[2] = rnd();    /* the name: made printable by gen() */
			w[3] = rnd();
		} else if (w[0] == OBJ_MEMOBJ) {
			w[1] = chance(85) ? 1 + below(6) : val();
			w[2] = chance(60) ? 0 : chance(50) ? MEMOBJ_CONTIG : chance(70) ? MEMOBJ_PAGED : val();
		}
		break;
	case PROC_GRANT:
		v->ncaps = 1;
		w[0] = chance(50) ? CAP_NULL : chance(50) ? below(64) : val();
		w[1] = chance(80) ? below(RIGHTS_ALL + 1) : val();
		w[2] = chance(60) ? 0 : rnd();
		break;
	case PROC_LOAD_ELF:
		v->ncaps = 1;
		w[0] = below(3) * PG;
		w[1] = below(4) * PG + below(200);
		break;
	case PROC_BIND_EXIT:
	case PROC_SET_FAULT:
	case IRQ_BIND:
		v->ncaps = chance(85) ? 1 : 0;
		break;
	case TIMER_SET:
		v->ncaps = chance(90) ? 1 : 0;
		w[1] = chance(50) ? below(20000000) : chance(50) ? UINT64_MAX : val();
		w[2] = chance(60) ? 0 : chance(70) ? 100000 + below(5000000) : below(200000);
		break;
	case AS_MAP:
		v->ncaps = 1;
		w[0] = (v->own_as || chance(60)) ? fz_va() : val();
		w[1] = chance(60) ? 0 : below(4);
		w[2] = (1 + below(chance(60) ? 1 : 4)) | (uint64_t)(chance(90) ? 1 + below(7) : below(1 << 16)) << 48;
		break;
	case AS_UNMAP:
	case AS_PROTECT:
		w[0] = (v->own_as || chance(60)) ? fz_va() : val();
		w[1] = fz_bytes(w[0]);
		w[2] = chance(90) ? below(8) : val();
		break;
	case THREAD_START:
		w[3] = chance(90) ? below(MAX_PRIO_FZ + 1) : val();
		break;
	case THREAD_SET_IPCBUF:
	case THREAD_SET_RING:
		v->ncaps = 1;
		w[0] = v->method == THREAD_SET_RING ? (chance(80) ? 1u << below(8) : val()) : below(3);
		break;
	case THREAD_SET_PRIORITY:
		w[0] = chance(90) ? below(MAX_PRIO_FZ + 1) : 32 + below(1000);
		break;
	case MEMOBJ_PADDR:
		w[0] = below(4);
		break;
	case MEMOBJ_WRITE:
		w[0] = chance(80) ? below(3 * PG) : val();
		w[1] = chance(80) ? below(64) : val();
		break;
	case MEMOBJ_READ:
		w[0] = chance(80) ? below(3 * PG) : val();
		w[1] = chance(80) ? below(600) : val();
		break;
	case MEMOBJ_SET_PAGER:        /* cap0 an Endpoint (the pool's), (key, size) */
		v->ncaps = 1;
		w[0] = rnd();
		w[1] = chance(80) ? below(7) * PG + below(2) * 100 : val();
		break;
	case MEMOBJ_SUPPLY:           /* cap0 a source, (first, count, source first) */
		v->ncaps = 1;
		w[0] = chance(80) ? below(6) : val();
		w[1] = chance(80) ? below(6) : val();
		w[2] = chance(80) ? below(4) : val();
		break;
	case MEMOBJ_FAIL:
	case MEMOBJ_EVICT:
	case MEMOBJ_DIRTY:
		w[0] = chance(80) ? below(6) : val();
		w[1] = chance(80) ? below(v->method == MEMOBJ_DIRTY ? 70 : 8) : val();
		break;
	case MEMOBJ_RESIZE:
		w[0] = chance(80) ? below(12) * PG + below(2) * 100 : val();
		break;
	}
}

/* Makes the invocation safe for the fuzzer itself; false: skip it. */
static bool make_safe(struct inv *v, unsigned type, unsigned kind)
{
	if (v->cap < CAP_SLOTS && protected_slot(v->cap)) {
		switch (v->method) {
		case OBJ_IDENTIFY:
		case PROC_STATUS:
		case PROC_QUOTA:
		case KINFO_TIME:
		case KINFO_FREE_PAGES:
			return true;
		case PROC_CREATE:
			return v->cap == SLOT_SELF_PROC;
		case AS_MAP:
		case AS_UNMAP:
		case AS_PROTECT:
			/* our own space: only inside the fuzz window */
			if (v->cap != SLOT_SELF_AS)
				return false;
			if (v->w[0] < FZ_VA || v->w[0] >= FZ_VA + FZ_PAGES * PG)
				v->w[0] = fz_va();
			uint64_t room = (FZ_VA + FZ_PAGES * PG - v->w[0]) / PG;
			if (v->method == AS_MAP) {
				uint64_t pages = 1 + below(4);
				if (pages > room)
					pages = room ? room : 1;
				v->w[2] = pages | (uint64_t)below(8) << 48;
			} else if (v->w[1] > room * PG) {
				v->w[1] = fz_bytes(v->w[0]);
			}
			return true;
		default:
			return false;
		}
	}
	if (type == OBJ_THREAD && kind != K_CHILD_THREAD && v->method == THREAD_START)
		v->w[0] = (uint64_t)fz_exit_stub;
	if (type == OBJ_THREAD && (v->method == THREAD_START || v->method == THREAD_SET_PRIORITY) &&
	    v->w[v->method == THREAD_START ? 3 : 0] > MAX_PRIO_FZ && v->w[v->method == THREAD_START ? 3 : 0] < 32)
		v->w[v->method == THREAD_START ? 3 : 0] = MAX_PRIO_FZ;
	/* a process capability in the pool is never our own: any method goes */
	return true;
}

/* Builds a random invocation; false if none could be made safe. */
static bool gen(struct inv *v)
{
	for (int tries = 0; tries < 4; tries++) {
		cap_t c = pick_any();
		unsigned type = c < CAP_SLOTS && S[c].used ? S[c].type : (unsigned)below(OBJ_TYPE_COUNT);
		unsigned kind = c < CAP_SLOTS ? S[c].kind : K_NONE;

		if (c < prot_limit)
			type = c == SLOT_SELF_PROC ? OBJ_PROCESS : c == SLOT_SELF_AS ? OBJ_ASPACE : OBJ_NONE;
		v->cap = c;
		v->own_as = c == SLOT_SELF_AS;
		v->method = method_for(type);
		args_for(v);
		if (!make_safe(v, type, kind))
			continue;
		if (v->method == PROC_CREATE && v->w[0] == OBJ_PROCESS) {
			/* a printable name: the kernel prints it as it is */
			v->w[2] = 0x2d7a66ull | (uint64_t)('a' + below(26)) << 24;
			v->w[3] = 0;
		}
		unsigned len = CAIRN_MSG_REGS;
		if (v->method == MEMOBJ_WRITE && v->w[1] < 4000)
			len = CAIRN_MSG_REGS + (unsigned)(v->w[1] + 7) / 8;
		if (chance(10))
			len = (unsigned)below(1024);
		unsigned ncaps = chance(90) ? v->ncaps : (unsigned)below(8);
		v->tag = cairn_tag(v->method, len, ncaps);
		if (chance(5))
			v->tag |= CAIRN_NONBLOCK;
		if (chance(3))
			v->tag |= rnd() & 0xffff00000000c000ull;
		return true;
	}
	return false;
}

/* Random IPC-buffer contents: capability slots (never protected) and words. */
static void fill_ipcbuf(struct cairn_ipcbuf *ib, unsigned method)
{
	unsigned want = method == AS_MAP || method == PROC_LOAD_ELF || method == THREAD_SET_IPCBUF ||
			method == THREAD_SET_RING ? OBJ_MEMOBJ :
			method == PROC_BIND_EXIT || method == IRQ_BIND || method == TIMER_SET ? OBJ_NOTIFICATION :
			method == PROC_SET_FAULT ? OBJ_ENDPOINT : 0;

	for (unsigned i = 0; i < CAIRN_MSG_MAX_CAPS; i++)
		ib->caps[i] = i == 0 && want ? pick_typed(want) : pick_arg(0);
	if (method == THREAD_SET_RING || (method == THREAD_SET_IPCBUF && chance(30))) {
		for (int k = 0; k < 8 && nlist; k++) {      /* a contiguous one, if there is one */
			cap_t c = list[below(nlist)];
			if (S[c].kind == K_CONTIG) {
				ib->caps[0] = c;
				break;
			}
		}
	}
	for (unsigned i = 0; i < CAIRN_MSG_MAX_CAPS; i++)
		if (protected_slot(ib->caps[i]))
			ib->caps[i] = CAP_NULL;
	unsigned n = chance(70) ? 12 : (unsigned)below(CAIRN_MSG_MAX);
	for (unsigned i = CAIRN_MSG_REGS; i < CAIRN_MSG_REGS + n && i < CAIRN_MSG_MAX; i++)
		ib->w[i] = chance(50) ? val() : rnd();
}

/* ---- keepers ------------------------------------------------------------------------------------ */

/* A new child process (and its AddressSpace) at slot p: keep a copy in a
 * protected slot so it can be killed at the end; kill it now if there is
 * no room. */
static void new_child(cap_t p, cap_t as)
{
	uint64_t r[6];

	/* only ever act on what really is a new child's capability */
	if (p >= CAP_SLOTS || protected_slot(p) || type_now(p) != OBJ_PROCESS)
		return;
	n_children++;
	note_slot(p, OBJ_PROCESS, K_CHILD_PROC);
	if (as < CAP_SLOTS && type_now(as) == OBJ_ASPACE)
		note_slot(as, OBJ_ASPACE, K_CHILD_AS);
	/* the original moves to the keeper slot and p gets a copy: a revoke of
	 * anything the fuzzer holds can then never reach the keeper */
	while (next_keeper >= KEEP_FIRST) {
		uint64_t e = cairn_arch_syscall(SYS_CAP, CAP_OP_MOVE, p, next_keeper, 0, 0, 0, r);
		next_keeper--;
		if (e == ERR_EXIST)
			continue;
		if (e)
			break;
		if (cairn_arch_syscall(SYS_CAP, CAP_OP_COPY, next_keeper + 1, p, RIGHTS_ALL, 0, 0, r))
			S[p].used = 0, dirty = true;
		return;
	}
	cairn_invoke(p, PROC_KILL, 0, 0, 0, 0, 0, NULL);
}

/* A new thread's capability at slot t. */
static void new_thread(cap_t t, bool own)
{
	if (t < CAP_SLOTS && type_now(t) == OBJ_THREAD)
		note_slot(t, OBJ_THREAD, own ? K_OWN_THREAD : K_CHILD_THREAD);
	else
		dirty = true;
}

/* A new Endpoint or Notification at slot s: the original moves to an
 * anchor slot (protected, full rights) and s gets a copy of it, so every
 * capability the fuzzer can reach derives from the anchor, and the helper
 * can always serve it, whatever rights the fuzzer's copies have left. */
static void new_waitable(cap_t s, unsigned type)
{
	uint64_t r[6];

	if (s >= CAP_SLOTS || protected_slot(s) || type_now(s) != type)
		return;
	while (next_anchor < KEEP_FIRST) {
		uint64_t e = cairn_arch_syscall(SYS_CAP, CAP_OP_MOVE, s, next_anchor, 0, 0, 0, r);
		next_anchor++;
		if (e == ERR_EXIST)
			continue;
		if (e)
			break;
		anchors[nanchors].slot = next_anchor - 1;
		anchors[nanchors++].type = type;
		if (!cairn_arch_syscall(SYS_CAP, CAP_OP_COPY, next_anchor - 1, s, RIGHTS_ALL, 0, 0, r))
			note_slot(s, type, K_OBJ);
		else
			S[s].used = 0, dirty = true;
		return;
	}
	cairn_arch_syscall(SYS_CAP, CAP_OP_DELETE, s, 0, 0, 0, 0, r);   /* no room: not kept */
	dirty = true;
}

/* After an invocation that worked: remember what it made. */
static void after(const struct inv *v, const uint64_t res[4], unsigned target_kind)
{
	if (v->method == PROC_CREATE) {
		if (v->w[0] == OBJ_PROCESS)
			new_child(res[0], res[1]);
		else if (v->w[0] == OBJ_THREAD)
			new_thread(res[0], v->cap == SLOT_SELF_PROC);
		else if (v->w[0] == OBJ_ENDPOINT || v->w[0] == OBJ_NOTIFICATION)
			new_waitable(res[0], (unsigned)v->w[0]);
		else if (v->w[0] == OBJ_MEMOBJ && v->w[2] == MEMOBJ_CONTIG && type_now(res[0]) == OBJ_MEMOBJ)
			note_slot(res[0], OBJ_MEMOBJ, K_CONTIG);
		else
			dirty = true;
	} else if (v->method == MEMOBJ_COPY) {
		dirty = true;
	} else if (v->method == PROC_GRANT && target_kind == K_NONE) {
		dirty = true;
	}
}

/* ---- the system calls ----------------------------------------------------------------------------- */

static bool tracing;

#define NO_CALL UINT64_MAX

/* What the fuzzing thread is doing, for the watchdog. */
static volatile struct {
	uint64_t done;             /* invocations finished (every seed) */
	uint64_t beat;             /* steps of reset()'s sweep of the table (not an invocation,
	                            * but progress: the watchdog counts it) */
	uint64_t seed, i;          /* the invocation under way */
	uint64_t nr, a[6];         /* the system call it is in (NO_CALL: none) */
} fz = { .nr = NO_CALL };

/* A fuzzed system call: recorded for the watchdog, counted, traced. */
static uint64_t sys(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
		    uint64_t a5, uint64_t r[6])
{
	uint64_t e;

	fz.a[0] = a0, fz.a[1] = a1, fz.a[2] = a2, fz.a[3] = a3, fz.a[4] = a4, fz.a[5] = a5;
	fz.nr = nr;
	e = cairn_arch_syscall(nr, a0, a1, a2, a3, a4, a5, r);
	fz.nr = NO_CALL;
	if (tracing)
		printf("# kfuzz: trace: sys %lu (%#lx %#lx %#lx %#lx %#lx %#lx) -> %lu [%#lx %#lx %#lx %#lx %#lx]\n",
		       (unsigned long)nr, (unsigned long)a0, (unsigned long)a1, (unsigned long)a2,
		       (unsigned long)a3, (unsigned long)a4, (unsigned long)a5, (unsigned long)e,
		       (unsigned long)r[0], (unsigned long)r[1], (unsigned long)r[2], (unsigned long)r[3],
		       (unsigned long)r[4]);

	count(nr, e);
	return e;
}

static void do_call(bool send)
{
	struct inv v;
	uint64_t r[6];

	if (!gen(&v))
		return;
	/* SYS_SEND on a Notification signals it whatever the label says; on
	 * another kernel object it invokes it and drops the answer, so a
	 * process made that way would have no keeper */
	if (send && ((v.cap < CAP_SLOTS && protected_slot(v.cap)) || v.method == PROC_CREATE))
		return;
	fill_ipcbuf(cairn_ipcbuf(), v.method);
	unsigned kind = v.cap < CAP_SLOTS ? S[v.cap].kind : K_NONE;
	unsigned type = v.cap < CAP_SLOTS ? type_now(v.cap) : 0;
	uint64_t e = sys(send ? SYS_SEND : SYS_CALL, v.cap, v.tag, v.w[0], v.w[1], v.w[2], v.w[3], r);
	if (e)
		return;
	if (!send && cairn_tag_ncaps(r[1]))
		dirty = true;          /* an answer from the helper carried capabilities */
	if (!send && type != OBJ_ENDPOINT && r[0] != 0)
		bad("answer of a kernel object has a badge", SYS_CALL, r[0]);
	if (!send && type != OBJ_ENDPOINT && !err_valid(cairn_tag_label(r[1])))
		bad("answer label of a kernel object is not an err_t", SYS_CALL, r[1]);
	if (!send && type && type != OBJ_ENDPOINT && v.method < 128) {
		method_tried[v.method]++;
		if (cairn_tag_label(r[1]) == 0)
			method_ok[v.method]++;
	}
	if (!send && type && type != OBJ_ENDPOINT && cairn_tag_label(r[1]) == 0)
		after(&v, &r[2], kind);
	if (send)
		dirty = true;
}

static void do_recv(int which)
{
	cap_t ep = chance(90) ? pick_typed(OBJ_ENDPOINT) : pick_any();
	uint64_t r[6], flags = chance(70) ? CAIRN_RECV_NONBLOCK : chance(70) ? 0 : rnd();

	if (ep < CAP_SLOTS && protected_slot(ep))
		return;
	if (which == SYS_RECV) {
		if (!sys(SYS_RECV, ep, flags, 0, 0, 0, 0, r) && cairn_tag_ncaps(r[1]))
			dirty = true;
		return;
	}
	fill_ipcbuf(cairn_ipcbuf(), 0);
	uint64_t tag = cairn_tag((uint32_t)below(40), chance(80) ? (unsigned)below(8) : (unsigned)below(1024),
				 chance(80) ? 0 : (unsigned)below(6));
	if (which == SYS_REPLY) {
		sys(SYS_REPLY, tag, val(), val(), val(), val(), 0, r);
		return;
	}
	if (!sys(SYS_REPLY_RECV, ep, tag, val(), val(), val(), val(), r) && cairn_tag_ncaps(r[1]))
		dirty = true;
}

static void do_wait(void)
{
	cap_t n = chance(90) ? pick_typed(OBJ_NOTIFICATION) : pick_any();
	uint64_t r[6], t = chance(50) ? 0 : chance(60) ? below(3000000) : CAIRN_FOREVER;

	if (n < CAP_SLOTS && protected_slot(n))
		return;
	sys(SYS_WAIT, n, t, 0, 0, 0, 0, r);
}

static void do_cap(void)
{
	static const uint8_t ops[] = { CAP_OP_COPY, CAP_OP_COPY, CAP_OP_COPY, CAP_OP_MINT, CAP_OP_MINT,
				       CAP_OP_MOVE, CAP_OP_MOVE, CAP_OP_DELETE, CAP_OP_DELETE, CAP_OP_DELETE,
				       CAP_OP_DELETE, CAP_OP_REVOKE, CAP_OP_IDENTIFY, CAP_OP_IDENTIFY,
				       CAP_OP_SAVE_REPLY, CAP_OP_SAVE_REPLY, 9 };
	unsigned op = chance(97) ? ops[below(sizeof(ops))] : (unsigned)rnd();
	cap_t s = pick_any(), dst;
	uint64_t r[6], rights = chance(90) ? below(RIGHTS_ALL + 1) : rnd();
	uint64_t badge = chance(80) ? 1 + below(1000) : rnd();

	if (s < CAP_SLOTS && protected_slot(s) && op != CAP_OP_IDENTIFY && op != CAP_OP_SAVE_REPLY)
		return;
	switch (below(6)) {
	case 0: dst = below(prot_limit); break;                  /* occupied: ERR_EXIST */
	case 1: dst = CAP_SLOTS + below(1000); break;
	case 2: dst = prot_limit + below(POOL_END - prot_limit); break;
	default: dst = CAP_NULL; break;
	}
	if (dst >= ANCHOR_FIRST && dst < FZ_SLOTS)
		dst = CAP_NULL;
	unsigned kind = s < CAP_SLOTS ? S[s].kind : K_NONE, type = s < CAP_SLOTS ? S[s].type : 0;
	if (sys(SYS_CAP, op, s, dst, rights, badge, 0, r))
		return;
	switch (op) {
	case CAP_OP_COPY:
	case CAP_OP_MINT:
		note_slot(r[0], type, kind);
		break;
	case CAP_OP_MOVE:
		if (r[0] != s) {
			S[s].used = 0;
			note_slot(r[0], type, kind);
			dirty = true;
		}
		break;
	case CAP_OP_DELETE:
	case CAP_OP_REVOKE:
		dirty = true;
		break;
	case CAP_OP_IDENTIFY:
		if (r[0] == 0 || r[0] >= OBJ_TYPE_COUNT || r[1] > RIGHTS_ALL)
			bad("CAP_OP_IDENTIFY: type or rights out of range", SYS_CAP, r[0] << 8 | r[1]);
		break;
	case CAP_OP_SAVE_REPLY:
		note_slot(r[0], OBJ_REPLY, K_OBJ);
		break;
	}
}

/* Fills up to four ring entries with random invocations and enters. */
static void do_ring(void)
{
	struct cairn_sqe *sq = (struct cairn_sqe *)((char *)ring + CAIRN_RING_SQ_OFF);
	struct cairn_cqe *cq = (struct cairn_cqe *)(sq + RING_N);
	unsigned n = (unsigned)below(5);
	uint64_t r[6];

	for (unsigned i = 0; i < n && ring->sq_tail - ring->sq_head < RING_N; i++) {
		struct inv v;
		if (!gen(&v))
			continue;
		/* an entry may wait in the ring (all entries in flight) until its
		 * slot holds one of our own threads: start none anywhere but the stub */
		if (v.method == THREAD_START)
			v.w[0] = (uint64_t)fz_exit_stub;
		struct cairn_sqe *s = &sq[ring->sq_tail & (RING_N - 1)];
		s->cap = v.cap;
		s->tag = v.tag;
		memcpy(s->w, v.w, sizeof(s->w));
		unsigned type = v.cap < CAP_SLOTS ? type_now(v.cap) : 0;
		s->user_data = (uint64_t)v.method << 32 | (v.w[0] & 0xff) << 8 |
			       (uint64_t)(type && type != OBJ_ENDPOINT) << 1 | (v.cap == SLOT_SELF_PROC);
		s->flags = rnd();
		if (tracing)
			printf("# kfuzz: trace: sqe cap %#lx tag %#lx w %#lx %#lx %#lx %#lx\n", (unsigned long)s->cap,
			       (unsigned long)s->tag, (unsigned long)s->w[0], (unsigned long)s->w[1],
			       (unsigned long)s->w[2], (unsigned long)s->w[3]);
		__atomic_store_n(&ring->sq_tail, ring->sq_tail + 1, __ATOMIC_RELEASE);
	}
	uint64_t min = chance(90) ? below(3) : below(40);
	uint64_t t = chance(70) ? 0 : below(2000000);
	sys(SYS_ENTER, chance(90) ? n : rnd(), min, t, 0, 0, 0, r);
	n_ring++;
	/* take every completion; remember what the ring created */
	while (ring->cq_head != __atomic_load_n(&ring->cq_tail, __ATOMIC_ACQUIRE)) {
		struct cairn_cqe c = cq[ring->cq_head & (RING_N - 1)];
		__atomic_store_n(&ring->cq_head, ring->cq_head + 1, __ATOMIC_RELEASE);
		if (!err_valid(c.err))
			bad("completion error is not an err_t", SYS_ENTER, c.err);
		if (c.err || cairn_tag_label(c.tag))
			continue;
		uint32_t method = (uint32_t)(c.user_data >> 32);
		unsigned type = (c.user_data >> 8) & 0xff;
		if (!(c.user_data & 2))
			continue;      /* an answer from the helper, not a kernel object's */
		if (method == PROC_CREATE && type == OBJ_PROCESS)
			new_child(c.w[0], c.w[1]);
		else if (method == PROC_CREATE && type == OBJ_THREAD)
			new_thread(c.w[0], c.user_data & 1);
		else if (method == PROC_CREATE && (type == OBJ_ENDPOINT || type == OBJ_NOTIFICATION))
			new_waitable(c.w[0], type);
		else if (method == PROC_CREATE || method == MEMOBJ_COPY)
			dirty = true;
	}
}

/* PROC_CREATE on our own Process or a child's: the pool grows. */
static void do_create(void)
{
	static const uint8_t types[] = { OBJ_ENDPOINT, OBJ_NOTIFICATION, OBJ_MEMOBJ, OBJ_MEMOBJ, OBJ_MEMOBJ,
					 OBJ_TIMER, OBJ_THREAD, OBJ_THREAD, OBJ_PROCESS };
	cap_t proc = SLOT_SELF_PROC;
	struct inv v;
	uint64_t r[6];

	if (chance(40)) {
		cap_t c = pick_typed(OBJ_PROCESS);
		if (c < CAP_SLOTS && S[c].type == OBJ_PROCESS)
			proc = c;
	}
	v.cap = proc;
	v.method = PROC_CREATE;
	v.own_as = false;
	args_for(&v);
	v.w[0] = types[below(sizeof(types))];
	if (v.w[0] == OBJ_MEMOBJ) {
		v.w[1] = 1 + below(4);
		v.w[2] = chance(25) ? MEMOBJ_CONTIG : chance(30) ? MEMOBJ_PAGED : 0;
	} else if (v.w[0] == OBJ_PROCESS) {
		uint64_t limit = 16 * PG + below(48 * PG);
		/* all reserved (a service's), none (a POSIX process's) or some */
		v.w[1] = cairn_quota_arg(limit, chance(40) ? limit : chance(50) ? 0 : below(limit + 1));
		v.w[2] = 0x2d7a66ull | (uint64_t)('a' + below(26)) << 24;    /* "fz-?" */
		v.w[3] = 0;
	}
	uint64_t e = sys(SYS_CALL, proc, cairn_tag(PROC_CREATE, 4, 0), v.w[0], v.w[1], v.w[2], v.w[3], r);
	method_tried[PROC_CREATE]++;
	if (!e && cairn_tag_label(r[1]) == 0) {
		method_ok[PROC_CREATE]++;
		after(&v, &r[2], K_NONE);
	}
}

/* Starts a new generation: every child killed, every capability of the
 * pool, the anchors and the keepers deleted (so the quota comes back and
 * new children can be made), then a fresh pool. */
static void new_child(cap_t p, cap_t as);
static void reset(void)
{
	uint64_t r[6];

	for (cap_t s = next_keeper + 1; s < FZ_SLOTS; s++) {
		uint64_t id[3];
		/* keepers hold Endpoints too: a call on one would wait for a receiver */
		if (!cairn_cap_op(CAP_OP_IDENTIFY, s, CAP_NULL, 0, 0, id) && id[0] == OBJ_PROCESS)
			cairn_invoke(s, PROC_KILL, 0, 0, 0, 0, 0, NULL);
	}
	for (cap_t s = prot_limit; s < CAP_SLOTS; s++) {
		if (s == helper_note)
			continue;
		cairn_arch_syscall(SYS_CAP, CAP_OP_DELETE, s, 0, 0, 0, 0, r);
		S[s].used = 0;
		if (!(s & 1023))
			fz.beat++;
	}
	nlist = nanchors = 0;
	next_anchor = ANCHOR_FIRST;
	next_keeper = FZ_SLOTS - 1;
	hiwater = prot_limit;
	dirty = true;
	generations++;
}

static void one(void)
{
	uint64_t r[6];

	switch (below(100)) {
	case 0 ... 7: do_create(); break;
	case 8 ... 44: do_call(false); break;
	case 45 ... 51: do_call(true); break;
	case 52 ... 56: do_recv(SYS_RECV); break;
	case 57 ... 58: do_recv(SYS_REPLY); break;
	case 59 ... 61: do_recv(SYS_REPLY_RECV); break;
	case 62 ... 66: do_wait(); break;
	case 67: sys(SYS_YIELD, 0, 0, 0, 0, 0, 0, r); break;
	case 68 ... 78: do_ring(); break;
	case 79 ... 93: do_cap(); break;
	case 94 ... 95:
		if (sys(SYS_NULL, val(), val(), val(), val(), val(), val(), r))
			bad("SYS_NULL failed", SYS_NULL, 0);
		break;
	default:
		/* a system call that does not exist (never SYS_EXIT/SYS_THREAD_EXIT) */
		sys(SYS_COUNT + below(chance(50) ? 10 : 1u << 31), val(), val(), val(), val(), val(), val(), r);
		break;
	}
}

/* Milliseconds since boot (libcairn's clock, named in main). */
static uint64_t now_ms(void)
{
	return cairn_now_ns() / 1000000;
}

/* ---- the helper and the watchdog ---------------------------------------------------------------- */

/*
 * A server: the helper thread, or the watchdog when it stands in. Every
 * system call a server makes returns at once (receives and sends are
 * non-blocking, answers never wait), because the slots it works on are
 * the fuzzing thread's to change under it: a new generation (reset())
 * deletes the anchors and puts new objects in the same slots, an
 * Endpoint where a Notification was, and a saved Reply's slot may be
 * moved away and filled with an Endpoint before the server sends on it.
 * A server that blocked there (a plain send on an Endpoint nobody
 * receives on) left every later blocking call of the fuzzer waiting for
 * ever: the stalls of issue 17.
 */
struct server {
	uint64_t rng;                    /* its own sequence: the fuzzing thread's does
	                                  * not depend on when a server ran */
	struct cairn_ipcbuf *ib;
	volatile uint64_t rounds;        /* sweeps begun */
	volatile uint64_t in_nr, in_slot;/* the system call it is in (NO_CALL: none) */
	unsigned long answers;
};

static struct server helper = { .rng = 0x853c49e6748fea9bull, .in_nr = NO_CALL };
static struct server standin = { .rng = 0x2545f4914f6cdd1dull, .in_nr = NO_CALL };
/* race_check(): the helper's sweep stops after reading an anchor while
 * sweep_hold is set, and says so in sweep_held */
static volatile int sweep_hold, sweep_held;

/* Sleeps ms milliseconds (SYS_YIELD's nap: lower threads run). */
static void nap_ms(uint64_t ms)
{
	uint64_t r[6];

	cairn_arch_syscall(SYS_YIELD, ms * 1000000, 0, 0, 0, 0, 0, r);
}

static uint64_t srnd(struct server *sv)
{
	uint64_t x = sv->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	sv->rng = x;
	return x * 0x2545f4914f6cdd1dull;
}

static uint64_t sbelow(struct server *sv, uint64_t n)
{
	return n ? srnd(sv) % n : 0;
}

/* A server's system call, recorded for the watchdog's report. */
static uint64_t srv_sys(struct server *sv, uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2,
			uint64_t a3, uint64_t a4, uint64_t r[6])
{
	uint64_t e;

	sv->in_slot = nr == SYS_CAP ? a1 : a0;
	sv->in_nr = nr;
	e = cairn_arch_syscall(nr, a0, a1, a2, a3, a4, 0, r);
	sv->in_nr = NO_CALL;
	return e;
}

/* Answers one received message: faults kill the child, anything else gets
 * a random answer (sometimes long, sometimes carrying a capability). */
static void server_answer(struct server *sv, uint64_t tag)
{
	struct cairn_ipcbuf *ib = sv->ib;
	uint64_t r[6];

	sv->answers++;
	if (cairn_tag_ncaps(tag))
		dirty = true;
	if (cairn_tag_label(tag) == CAIRN_FAULT_LABEL && cairn_tag_len(tag) == 4) {
		srv_sys(sv, SYS_REPLY, cairn_tag(1, 0, 0), 0, 0, 0, 0, r);
		return;
	}
	if (sbelow(sv, 100) < 10 && !srv_sys(sv, SYS_CAP, CAP_OP_SAVE_REPLY, 0, CAP_NULL, 0, 0, r)) {
		/* answer through a saved Reply, or drop it (the caller gets
		 * ERR_PIPE); the slot may hold something else by now */
		cap_t rep = r[0];
		if (sbelow(sv, 2))
			srv_sys(sv, SYS_SEND, rep, cairn_tag((uint32_t)sbelow(sv, 4), 4, 0) | CAIRN_NONBLOCK,
				srnd(sv), srnd(sv), 0, r);
		srv_sys(sv, SYS_CAP, CAP_OP_DELETE, rep, 0, 0, 0, r);
		return;
	}
	unsigned len = sbelow(sv, 100) < 80 ? (unsigned)sbelow(sv, 5) : (unsigned)sbelow(sv, CAIRN_MSG_MAX + 1);
	unsigned ncaps = 0;
	for (unsigned i = CAIRN_MSG_REGS; i < len; i++)
		ib->w[i] = srnd(sv);
	if (sbelow(sv, 100) < 10 && nlist) {
		ib->caps[0] = list[sbelow(sv, nlist)];
		ncaps = 1;
	}
	srv_sys(sv, SYS_REPLY, cairn_tag((uint32_t)sbelow(sv, 4), len, ncaps), srnd(sv), srnd(sv), srnd(sv), 0, r);
}

/* One pass over the anchors: serve every Endpoint, send to every
 * receiver, signal every Notification. Returns how much it did. */
static unsigned server_sweep(struct server *sv)
{
	unsigned did = 0;
	uint64_t r[6];

	sv->rounds++;
	for (unsigned i = 0; i < nanchors; i++) {
		cap_t s = anchors[i].slot;
		unsigned type = anchors[i].type;
		while (sv == &helper && sweep_hold) {     /* race_check() */
			sweep_held = 1;
			nap_ms(1);
		}
		if (type == OBJ_ENDPOINT) {
			for (int k = 0; k < 8; k++) {
				if (srv_sys(sv, SYS_RECV, s, CAIRN_RECV_NONBLOCK, 0, 0, 0, r))
					break;
				server_answer(sv, r[1]);
				did++;
			}
			if (!srv_sys(sv, SYS_SEND, s, cairn_tag(2, 4, 0) | CAIRN_NONBLOCK, srnd(sv), 0, 0, r))
				did++;
		} else {
			/* a signal; CAIRN_NONBLOCK for when the slot holds an Endpoint now */
			srv_sys(sv, SYS_SEND, s, CAIRN_NONBLOCK, 1 + sbelow(sv, 0xff), 0, 0, r);
		}
	}
	return did;
}

static volatile int stop_threads;

void helper_main(void);
void helper_main(void)
{
	while (!stop_threads) {
		if (server_sweep(&helper))
			continue;
		cairn_wait(helper_note, 5000000, NULL);    /* a tick for the lower threads */
	}
	cairn_thread_exit();
}

void helper_trampoline(void);
TEST_THREAD_ENTRY(helper_trampoline, helper_main);

/*
 * The watchdog: a thread at the fuzzing thread's own priority that looks
 * every WD_TICK_MS whether an invocation finished. After WD_STALL_MS
 * without one it reports the stall (the seed and invocation, the system
 * call the fuzzing thread is in, what the helper is doing, and the
 * kernel's thread dump), nudges the helper and stands in for it (its
 * own sweeps of the anchors, so whatever happened to the helper, the
 * run goes on); after WD_HANG_MS it reports the run hung and signals
 * "done" itself. Either way the run has failed (DONE_STALL).
 */
#define WD_TICK_MS  250
#define WD_STALL_MS 5000
#define WD_HANG_MS  20000

/* "done" bits */
#define DONE_CLEAN  1
#define DONE_BAD    2      /* some answer was not well formed */
#define DONE_STALL  4      /* the watchdog saw a stall */

static cap_t wd_note;
static unsigned long n_stalls;

/* printf for the watchdog: libcairn's printf keeps one line for the
 * process and writes it through the first thread's IPC buffer */
static void wd_print(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	uint64_t r[6];
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 1)
		n = sizeof(line) - 1;
	memcpy(&standin.ib->w[CAIRN_MSG_REGS], line, (size_t)n);
	cairn_arch_syscall(SYS_CALL, console, cairn_tag(DEBUG_WRITE, CAIRN_MSG_REGS + (unsigned)(n + 7) / 8, 0),
			   (uint64_t)n, 0, 0, 0, r);
}

static const char *const sys_names[] = {
	[SYS_NULL] = "SYS_NULL", [SYS_CALL] = "SYS_CALL", [SYS_RECV] = "SYS_RECV",
	[SYS_REPLY] = "SYS_REPLY", [SYS_REPLY_RECV] = "SYS_REPLY_RECV", [SYS_SEND] = "SYS_SEND",
	[SYS_WAIT] = "SYS_WAIT", [SYS_YIELD] = "SYS_YIELD", [SYS_ENTER] = "SYS_ENTER", [SYS_CAP] = "SYS_CAP",
};

static const char *sys_name(uint64_t nr)
{
	return nr < sizeof(sys_names) / sizeof(sys_names[0]) && sys_names[nr] ? sys_names[nr] : "another";
}

/* What slot s holds now, for a report. */
static const char *wd_type(cap_t s)
{
	static const char *const names[] = {
		[OBJ_PROCESS] = "a Process", [OBJ_ASPACE] = "an AddressSpace", [OBJ_THREAD] = "a Thread",
		[OBJ_ENDPOINT] = "an Endpoint", [OBJ_REPLY] = "a Reply", [OBJ_NOTIFICATION] = "a Notification",
		[OBJ_MEMOBJ] = "a MemoryObject", [OBJ_TIMER] = "a Timer",
	};
	uint64_t r[6];

	if (cairn_arch_syscall(SYS_CAP, CAP_OP_IDENTIFY, s, 0, 0, 0, 0, r))
		return "nothing";
	return r[0] < sizeof(names) / sizeof(names[0]) && names[r[0]] ? names[r[0]] : "another object";
}

static void wd_report(uint64_t ms, uint64_t helper_rounds)
{
	uint64_t nr = fz.nr, hnr = helper.in_nr, hslot = helper.in_slot;

	wd_print("# kfuzz: stall: seed %lu, invocation %lu: none finished for %lu ms\n", (unsigned long)fz.seed,
		 (unsigned long)fz.i, (unsigned long)ms);
	if (nr == NO_CALL)
		wd_print("# kfuzz: stall: the fuzzing thread is between system calls\n");
	else
		wd_print("# kfuzz: stall: the fuzzing thread is in system call %lu (%s) (%#lx %#lx %#lx %#lx %#lx "
			 "%#lx); slot %lu holds %s\n", (unsigned long)nr, sys_name(nr),
			 (unsigned long)fz.a[0], (unsigned long)fz.a[1], (unsigned long)fz.a[2],
			 (unsigned long)fz.a[3], (unsigned long)fz.a[4], (unsigned long)fz.a[5],
			 (unsigned long)fz.a[0], wd_type(fz.a[0]));
	if (hnr == NO_CALL)
		wd_print("# kfuzz: stall: the helper is between system calls, %lu sweeps since\n",
			 (unsigned long)(helper.rounds - helper_rounds));
	else
		wd_print("# kfuzz: stall: the helper is in system call %lu (%s) on slot %lu, which holds %s now; "
			 "%lu sweeps since\n", (unsigned long)hnr, sys_name(hnr), (unsigned long)hslot,
			 wd_type(hslot), (unsigned long)(helper.rounds - helper_rounds));
	/* the kernel's view of every thread (kernel/kdump.c) */
	uint64_t r[6];
	cairn_arch_syscall(SYS_CALL, console, cairn_tag(DEBUG_DUMP, CAIRN_MSG_REGS, 0), 0, 0, 0, 0, r);
}

void watchdog_main(void);
void watchdog_main(void)
{
	uint64_t seen = fz.done + fz.beat, since = now_ms(), helper_rounds = helper.rounds, r[6];
	int state = 0;         /* 0: going on; 1: a stall reported; 2: hung, "done" signalled */

	while (!stop_threads) {
		cairn_wait(wd_note, WD_TICK_MS * 1000000ull, NULL);
		uint64_t d = fz.done + fz.beat, t = now_ms();
		if (d != seen) {
			if (state)
				wd_print("# kfuzz: stall: seed %lu went on after %lu ms (the helper swept %lu times "
					 "meanwhile)\n", (unsigned long)fz.seed, (unsigned long)(t - since),
					 (unsigned long)(helper.rounds - helper_rounds));
			seen = d;
			since = t;
			helper_rounds = helper.rounds;
			state = 0;
			continue;
		}
		if (t - since < WD_STALL_MS || state == 2)
			continue;
		if (!state) {
			state = 1;
			n_stalls++;
			wd_report(t - since, helper_rounds);
		}
		/* wake the helper, and do its work */
		cairn_arch_syscall(SYS_SEND, helper_note, CAIRN_NONBLOCK, 1, 0, 0, 0, r);
		server_sweep(&standin);
		if (t - since >= WD_HANG_MS) {
			state = 2;
			wd_print("# kfuzz: hung: seed %lu, invocation %lu, in system call %s: nothing ended it in "
				 "%lu ms\n", (unsigned long)fz.seed, (unsigned long)fz.i,
				 fz.nr == NO_CALL ? "none" : sys_name(fz.nr), (unsigned long)(t - since));
			cairn_arch_syscall(SYS_SEND, done, 0, DONE_STALL | (n_bad ? DONE_BAD : 0), 0, 0, 0, r);
		}
	}
	cairn_thread_exit();
}

void watchdog_trampoline(void);
TEST_THREAD_ENTRY(watchdog_trampoline, watchdog_main);

/* ---- set-up and the run --------------------------------------------------------------------------- */

static cap_t must(const char *what, err_t e, cap_t c)
{
	if (e) {
		printf("# kfuzz: set-up failed: %s: %s\n", what, err_name(e));
		exit(3);
	}
	return c;
}

static cap_t create(unsigned type, uint64_t a, uint64_t b)
{
	struct cairn_msg m;
	err_t e = cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, type, a, b, 0, &m);

	return must("create", e, m.w[0]);
}

/* A thread of our own with a stack and an IPC buffer, not yet started;
 * its stack top goes to *sp. */
static cap_t new_own_thread(struct cairn_ipcbuf **ib, uint64_t *sp)
{
	cap_t stack = create(OBJ_MEMOBJ, 4, 0), ipc = create(OBJ_MEMOBJ, 1, 0), th;
	void *sva, *iva;
	struct cairn_msg m;

	must("map stack", cairn_map(stack, 0, 4, CAIRN_PROT_R | CAIRN_PROT_W, &sva), 0);
	must("map ipcbuf", cairn_map(ipc, 0, 1, CAIRN_PROT_R | CAIRN_PROT_W, &iva), 0);
	th = create(OBJ_THREAD, 0, 0);
	must("ipcbuf", cairn_invoke_cap(th, THREAD_SET_IPCBUF, ipc, 0, (uint64_t)iva, 0, 0, &m), 0);
	*ib = iva;
	*sp = (uint64_t)sva + 4 * PG;
	return th;
}

static cap_t helper_th, watchdog_th;

/* The ring, the helper and the watchdog: everything made here is protected. */
static void setup(void)
{
	cap_t rmo;
	void *rva;
	uint64_t hsp, wsp;
	struct cairn_msg m;

	helper_note = create(OBJ_NOTIFICATION, 0, 0);
	wd_note = create(OBJ_NOTIFICATION, 0, 0);
	rmo = create(OBJ_MEMOBJ, 1, MEMOBJ_CONTIG);
	must("map ring", cairn_map(rmo, 0, 1, CAIRN_PROT_R | CAIRN_PROT_W, &rva), 0);
	ring = rva;
	must("ring", cairn_invoke_cap(SLOT_SELF_THREAD, THREAD_SET_RING, rmo, RING_N, 0, 0, 0, &m), 0);
	helper_th = new_own_thread(&helper.ib, &hsp);
	watchdog_th = new_own_thread(&standin.ib, &wsp);
	prot_limit = (unsigned)watchdog_th + 1;
	if (prot_limit < SLOT_FIRST_FREE + 2)
		prot_limit = SLOT_FIRST_FREE + 2;
	hiwater = prot_limit;
	must("helper start", cairn_invoke(helper_th, THREAD_START, 0, (uint64_t)helper_trampoline, hsp, 0,
					  HELPER_PRIO, &m), 0);
	must("watchdog start", cairn_invoke(watchdog_th, THREAD_START, 0, (uint64_t)watchdog_trampoline, wsp, 0,
					    WATCHDOG_PRIO, &m), 0);
}

/* A seed's first pool. */
static void first_pool(void)
{
	static const unsigned types[] = { OBJ_ENDPOINT, OBJ_ENDPOINT, OBJ_NOTIFICATION, OBJ_NOTIFICATION,
					  OBJ_TIMER, OBJ_THREAD };
	struct cairn_msg m;

	for (unsigned i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		cap_t c = create(types[i], 0, 0);
		if (types[i] == OBJ_ENDPOINT || types[i] == OBJ_NOTIFICATION)
			new_waitable(c, types[i]);
		else
			note_slot(c, types[i], types[i] == OBJ_THREAD ? K_OWN_THREAD : K_OBJ);
	}
	note_slot(create(OBJ_MEMOBJ, 2, 0), OBJ_MEMOBJ, K_OBJ);
	note_slot(create(OBJ_MEMOBJ, 1, MEMOBJ_CONTIG), OBJ_MEMOBJ, K_OBJ);
	if (!cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_PROCESS, cairn_quota_arg(64 * PG, 64 * PG), 0, 0,
			   &m))
		new_child(m.w[0], m.w[1]);
}

static uint64_t arg(int argc, char **argv, const char *name, uint64_t def)
{
	size_t n = strlen(name);

	for (int i = 1; i < argc; i++)
		if (!strncmp(argv[i], name, n) && argv[i][n] == '=')
			return strtoul(argv[i] + n + 1, NULL, 0);
	return def;
}

/*
 * The stalls of issue 17 made to happen: the helper is held right after
 * reading the anchor of a Notification, the anchor's slot is emptied and
 * given an Endpoint (as a new generation does), and the helper goes on
 * with what it read. Its signal must not wait for a receiver there: the
 * helper must go on sweeping. A stall otherwise (DONE_STALL), and the
 * helper is let go by a receive on that Endpoint.
 */
static void race_check(void)
{
	cap_t slot, n = create(OBJ_NOTIFICATION, 0, 0), e;
	uint64_t rounds, t, r[6];

	new_waitable(n, OBJ_NOTIFICATION);
	slot = anchors[0].slot;
	sweep_held = 0;
	sweep_hold = 1;
	for (t = now_ms(); !sweep_held && now_ms() - t < 2000;)
		nap_ms(1);
	reset();
	e = create(OBJ_ENDPOINT, 0, 0);
	new_waitable(e, OBJ_ENDPOINT);
	rounds = helper.rounds;
	sweep_hold = 0;
	if (!sweep_held || nanchors != 1 || anchors[0].slot != slot) {
		printf("# kfuzz: race check: not made (the helper %s, anchor slot %lu then %lu)\n",
		       sweep_held ? "stopped" : "did not stop", (unsigned long)slot, (unsigned long)anchors[0].slot);
		n_stalls++;
	} else {
		for (t = now_ms(); helper.rounds < rounds + 2 && now_ms() - t < 2000;)
			nap_ms(1);
		if (helper.rounds < rounds + 2) {
			printf("# kfuzz: race check: the helper is stuck in system call %lu (%s) on slot %lu, an "
			       "Endpoint where it read a Notification\n", (unsigned long)helper.in_nr,
			       sys_name(helper.in_nr), (unsigned long)helper.in_slot);
			n_stalls++;
			cairn_arch_syscall(SYS_RECV, slot, CAIRN_RECV_NONBLOCK, 0, 0, 0, 0, r);
		}
	}
	reset();
}

/* One seed's run: a fresh pool, then n invocations, a new generation
 * every 5000. */
static void run_seed(uint64_t seed, uint64_t n, uint64_t trace_from, uint64_t every)
{
	uint64_t t0 = now_ms();

	fz.seed = seed;
	rng_state = seed * 0x9e3779b97f4a7c15ull + 0x1234567;
	if (!rng_state)
		rng_state = 1;
	first_pool();
	for (uint64_t i = 0; i < n; i++) {
		if (i && i % 5000 == 0)
			reset();
		if (dirty || i % 32 == 0)
			rescan();
		fz.i = i;
		tracing = i >= trace_from;
		if (tracing)
			printf("# kfuzz: trace: invocation %lu\n", (unsigned long)i);
		one();
		fz.done++;
		if ((i + 1) % every == 0) {
			printf("# kfuzz: seed %lu: %lu invocations, %lu ok, %lu errors, %lu children, %u anchors, "
			       "%lu ms\n", (unsigned long)seed, (unsigned long)(i + 1), n_ok, n_err, n_children,
			       nanchors, (unsigned long)(now_ms() - t0));
			cairn_console_flush();
		}
	}
}

/* Stops a thread of ours: flags it, wakes it, and waits (up to 200 ms)
 * until THREAD_RESUME says it has ended. */
static void stop_thread(cap_t th, cap_t note)
{
	uint64_t r[6];

	cairn_arch_syscall(SYS_SEND, note, CAIRN_NONBLOCK, 1, 0, 0, 0, r);
	for (int i = 0; i < 100 && cairn_invoke(th, THREAD_RESUME, 0, 0, 0, 0, 0, NULL) != ERR_SRCH; i++)
		nap_ms(2);
}

/*
 * argv: seed=N (the first seed), seeds=N (how many seeds, one after the
 * other: seed, seed + 1, ...; each run from a fresh pool, so a stall or
 * a bad answer of one is repeated by a boot with that seed alone),
 * count=N (invocations of each seed), trace=N (print every system call
 * from invocation N of each seed on).
 */
int main(int argc, char **argv)
{
	uint64_t seed0 = arg(argc, argv, "seed", 1), seeds = arg(argc, argv, "seeds", 1);
	uint64_t n = arg(argc, argv, "count", 20000), trace_from = arg(argc, argv, "trace", UINT64_MAX);
	/* a progress line about every tenth of a seed, at least every 2000 */
	uint64_t every = n / 10 < 2000 ? 2000 : n / 10, t0, r[6];

	console = cairn_cap("console");
	done = cairn_cap("done");
	cairn_clock_init(cairn_cap("kinfo"));
	if (!seeds)
		seeds = 1;
	setup();
	printf("# kfuzz: seeds %lu to %lu, %lu invocations each, protected slots below %u\n",
	       (unsigned long)seed0, (unsigned long)(seed0 + seeds - 1), (unsigned long)n, prot_limit);
	cairn_console_flush();
	race_check();
	t0 = now_ms();
	for (uint64_t k = 0; k < seeds; k++) {
		if (k)
			reset();        /* the last seed's objects and children go */
		run_seed(seed0 + k, n, trace_from, every);
	}
	/* end: stop the helper and the watchdog, kill every child, report,
	 * and wait to be killed */
	stop_threads = 1;
	stop_thread(helper_th, helper_note);
	stop_thread(watchdog_th, wd_note);
	unsigned killed = 0;
	for (cap_t s = next_keeper + 1; s < FZ_SLOTS; s++) {
		uint64_t id[3];
		/* keepers hold Endpoints too: a call on one would wait for a receiver */
		if (cairn_cap_op(CAP_OP_IDENTIFY, s, CAP_NULL, 0, 0, id) || id[0] != OBJ_PROCESS)
			continue;
		if (!cairn_invoke(s, PROC_KILL, 0, 0, 0, 0, 0, NULL))
			killed++;
	}
	uint64_t ms = now_ms() - t0;
	printf("# kfuzz: done in %lu ms: %lu invocations (%lu a second), %lu ok, %lu errors, %lu ring entries, "
	       "%lu children (%u still running at the end), %u generations, %lu helper answers, "
	       "%lu watchdog answers, %lu stalls, %lu bad answers\n",
	       (unsigned long)ms, (unsigned long)fz.done, (unsigned long)(ms ? fz.done * 1000 / ms : 0), n_ok,
	       n_err, n_ring, n_children, killed, generations + 1, helper.answers, standin.answers, n_stalls,
	       n_bad);
	printf("# kfuzz: kernel methods that worked (of tried):");
	for (unsigned m = 0; m < 128; m++)
		if (method_tried[m])
			printf(" %u:%lu/%lu", m, method_ok[m], method_tried[m]);
	printf("\n");
	printf("# kfuzz: errors:");
	for (unsigned e = 0; e < 128; e++)
		if (errs[e])
			printf(" %s=%lu", e ? err_name((err_t)e) : "ok", errs[e]);
	printf("\n");
	cairn_console_flush();
	cairn_arch_syscall(SYS_SEND, done, 0,
			   (n_bad ? DONE_BAD : 0) | (n_stalls ? DONE_STALL : 0) | (!n_bad && !n_stalls ? DONE_CLEAN : 0),
			   0, 0, 0, r);
	for (;;)
		cairn_wait(helper_note, CAIRN_FOREVER, NULL);
}
