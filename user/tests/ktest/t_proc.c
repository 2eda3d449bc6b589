/* SPDX-License-Identifier: MIT */
/*
 * ktest: threads, processes, quotas and user faults: starting and
 * stopping threads, creating processes and the errors of PROC_*, quota
 * exhaustion (with every page back after the kill), killing processes
 * blocked in IPC, fault handlers and faults without one.
 */
#include "ktest.h"

#define PG         CAIRN_PAGE_SIZE

/* ---- threads ---------------------------------------------------------------------------- */

static void nothing_thread(struct kthread *kt)
{
	kt->step = 1;
}

static void wait_thread(struct kthread *kt)
{
	kt->step = 1;
	kt->res[0] = cairn_wait(kt->arg[0], CAIRN_FOREVER, NULL);
	kt->step = 2;
}

void t_thread_errors(void)
{
	static struct kthread kt;
	cap_t th = mk(OBJ_THREAD), n = mk(OBJ_NOTIFICATION);
	uint64_t pc = (uint64_t)kt_exit_stub;

	CHECK(th != CAP_NULL && n != CAP_NULL, "objects");
	EXPECT_ERR(inv(th, THREAD_START, 1ull << 63, 0, 0, 5, NULL), ERR_INVAL);
	EXPECT_ERR(inv(th, THREAD_START, 1ull << 56, 0, 0, 5, NULL), ERR_INVAL);
	EXPECT_ERR(inv(th, THREAD_START, pc, 1ull << 63, 0, 5, NULL), ERR_INVAL);
	EXPECT_ERR(inv(th, THREAD_START, pc, 0, 0, 128, NULL), ERR_INVAL);
	EXPECT_ERR(inv(th, THREAD_START, pc, 0, 0, UINT64_MAX, NULL), ERR_INVAL);
	EXPECT_ERR(inv(th, THREAD_SET_PRIORITY, 128, 0, 0, 0, NULL), ERR_INVAL);
	EXPECT_ERR(inv(th, THREAD_RESUME, 0, 0, 0, 0, NULL), ERR_INVAL);     /* not suspended */
	thread_dispose(&th);
	/* started twice */
	kt.arg[0] = n;
	CHECK_OK(kthread_start(&kt, wait_thread, PRIO_MAIN + 1, false));
	EXPECT(kt.step == 1, "thread did not run");
	EXPECT_ERR(inv(kt.th, THREAD_START, pc, 0, 0, 5, NULL), ERR_BUSY);
	EXPECT_OK(inv(kt.th, THREAD_SET_PRIORITY, PRIO_MAIN + 2, 0, 0, 0, NULL));
	/* blocked: suspended when its call returns, so it does not run on */
	EXPECT_OK(inv(kt.th, THREAD_SUSPEND, 0, 0, 0, 0, NULL));
	EXPECT_ERR(inv(kt.th, THREAD_SUSPEND, 0, 0, 0, 0, NULL), ERR_BUSY);
	EXPECT_OK(cairn_send(n, 0, 1, 0, 0, 0));
	sleep_ms(5);
	EXPECT(kt.step == 1, "a thread suspended while blocked ran on");
	EXPECT_OK(inv(kt.th, THREAD_RESUME, 0, 0, 0, 0, NULL));
	EXPECT(kthread_join(&kt, 2000), "thread did not end");
	EXPECT(kt.step == 2, "thread did not wake");
	kthread_free(&kt);
	del(&n);
}

static void spin_thread(struct kthread *kt)
{
	while (!kt->arg[1])
		kt->res[0]++;
}

void t_thread_suspend(void)
{
	static struct kthread kt;
	uint64_t c1, c2;

	kt.arg[1] = 0;
	CHECK_OK(kthread_start(&kt, spin_thread, PRIO_MAIN - 1, false));
	sleep_ms(20);
	EXPECT(kt.res[0] > 0, "spinning thread did not run");
	CHECK_OK(inv(kt.th, THREAD_SUSPEND, 0, 0, 0, 0, NULL));
	EXPECT_ERR(inv(kt.th, THREAD_SUSPEND, 0, 0, 0, 0, NULL), ERR_BUSY);
	c1 = kt.res[0];
	sleep_ms(30);
	c2 = kt.res[0];
	EXPECT(c1 == c2, "suspended thread ran: %lu -> %lu", (unsigned long)c1, (unsigned long)c2);
	CHECK_OK(inv(kt.th, THREAD_RESUME, 0, 0, 0, 0, NULL));
	EXPECT_ERR(inv(kt.th, THREAD_RESUME, 0, 0, 0, 0, NULL), ERR_INVAL);
	sleep_ms(30);
	EXPECT(kt.res[0] > c2, "resumed thread did not run");
	/* a suspended thread can be resumed into a higher priority */
	CHECK_OK(inv(kt.th, THREAD_SUSPEND, 0, 0, 0, 0, NULL));
	CHECK_OK(inv(kt.th, THREAD_SET_PRIORITY, PRIO_MAIN - 2, 0, 0, 0, NULL));
	kt.arg[1] = 1;
	CHECK_OK(inv(kt.th, THREAD_RESUME, 0, 0, 0, 0, NULL));
	EXPECT(kthread_join(&kt, 2000), "thread did not end");
	kthread_free(&kt);
}

/* Round robin goes on after a slice a thread ran alone: a thread of the
 * same priority that wakes from a timeout later gets the CPU within a
 * slice, though the spinner never enters the kernel. */
static void eq_spinner(struct kthread *kt)
{
	volatile uint64_t *stop = &kt->arg[1];
	uint64_t n = 0;

	while (!*stop && n < 400000000ull)
		n++;
	kt->res[0] = n;
	kt->res[1] = *stop;
}

void t_thread_round_robin(void)
{
	static struct kthread kt;

	kt.arg[1] = 0;
	kt.res[1] = 0;
	CHECK_OK(kthread_start(&kt, eq_spinner, PRIO_MAIN, false));
	sleep_ms(100);                    /* the spinner runs alone for 5 slices */
	kt.arg[1] = 1;                    /* we run again: stop it */
	CHECK(kthread_join(&kt, 10000), "thread did not end");
	EXPECT(kt.res[1] == 1, "the spinner was never preempted: it ran out its %lu turns",
	       (unsigned long)kt.res[0]);
	kthread_free(&kt);
}

void t_thread_exit(void)
{
	static struct kthread kt;

	CHECK_OK(kthread_start(&kt, nothing_thread, PRIO_MAIN + 1, false));
	EXPECT(kt.step == 1, "thread did not run");
	CHECK(kthread_join(&kt, 2000), "thread did not end");
	EXPECT_ERR(inv(kt.th, THREAD_SET_PRIORITY, 5, 0, 0, 0, NULL), ERR_SRCH);
	EXPECT_ERR(inv(kt.th, THREAD_START, (uint64_t)kt_exit_stub, 0, 0, 5, NULL), ERR_SRCH);
	EXPECT_ERR(inv(kt.th, THREAD_SUSPEND, 0, 0, 0, 0, NULL), ERR_SRCH);
	EXPECT_ERR(inv1(kt.th, THREAD_SET_IPCBUF, kt.stack_mo, 0, 0, 0, 0, NULL), ERR_SRCH);
	uint64_t type;
	EXPECT_OK(inv(kt.th, OBJ_IDENTIFY, 0, 0, 0, 0, NULL));
	EXPECT_OK(cap_ident(kt.th, &type, NULL, NULL));
	kthread_free(&kt);
}

static void starter_thread(struct kthread *kt)
{
	kt->res[0] = inv(kt->arg[0], THREAD_START, (uint64_t)kt_exit_stub, 0, 0, PRIO_MAIN, NULL);
	kt->res[1] = inv(kt->arg[0], THREAD_START, (uint64_t)kt_exit_stub, 0, 0, PRIO_MAIN - 1, NULL);
}

void t_thread_prio_limit(void)
{
	static struct kthread kt;
	cap_t th = mk(OBJ_THREAD);

	CHECK(th != CAP_NULL, "thread");
	/* our start priority is the limit, not the priority we run at */
	EXPECT_ERR(inv(th, THREAD_START, (uint64_t)kt_exit_stub, 0, 0, KT_PRIO_MAX + 1, NULL), ERR_PERM);
	EXPECT_ERR(inv(th, THREAD_SET_PRIORITY, KT_PRIO_MAX + 1, 0, 0, 0, NULL), ERR_PERM);
	EXPECT_ERR(inv(SLOT_SELF_THREAD, THREAD_SET_PRIORITY, KT_PRIO_MAX + 1, 0, 0, 0, NULL), ERR_PERM);
	EXPECT_OK(inv(th, THREAD_SET_PRIORITY, KT_PRIO_MAX, 0, 0, 0, NULL));
	EXPECT_OK(inv(th, THREAD_START, (uint64_t)kt_exit_stub, 0, 0, KT_PRIO_MAX, NULL));
	sleep_ms(1);
	del(&th);
	/* a thread may not start threads above its own start priority either */
	th = mk(OBJ_THREAD);
	CHECK(th != CAP_NULL, "thread");
	kt.arg[0] = th;
	CHECK_OK(kthread_start(&kt, starter_thread, PRIO_MAIN - 1, false));
	EXPECT(kthread_join(&kt, 2000), "thread did not end");
	EXPECT(kt.res[0] == ERR_PERM, "start above the starter's priority: %s", err_name((err_t)kt.res[0]));
	EXPECT(kt.res[1] == ERR_OK, "start at the starter's priority: %s", err_name((err_t)kt.res[1]));
	kthread_free(&kt);
	sleep_ms(1);
	del(&th);
}

/* THREAD_SET_PRIORITY's ceiling and flags: a ceiling above ours is
 * ERR_PERM, one below the priority or an unknown flag ERR_INVAL; a thread
 * given a higher ceiling may start threads up to it. */
void t_thread_prio_ceiling(void)
{
	static struct kthread kt;
	cap_t th = mk(OBJ_THREAD);

	CHECK(th != CAP_NULL, "thread");
	EXPECT_ERR(inv(th, THREAD_SET_PRIORITY, 5, 0, 4, 0, NULL), ERR_INVAL);
	EXPECT_ERR(inv(th, THREAD_SET_PRIORITY, 5, KT_PRIO_MAX + 1, THREAD_PRIO_CEILING, 0, NULL), ERR_PERM);
	EXPECT_ERR(inv(th, THREAD_SET_PRIORITY, 5, 4, THREAD_PRIO_CEILING, 0, NULL), ERR_INVAL);
	EXPECT_ERR(inv(th, THREAD_SET_PRIORITY, 5, 128, THREAD_PRIO_CEILING, 0, NULL), ERR_INVAL);
	EXPECT_OK(inv(th, THREAD_SET_PRIORITY, 5, KT_PRIO_MAX, THREAD_PRIO_CEILING | THREAD_PRIO_FIFO, 0, NULL));
	del(&th);
	/* the starter (below us: it waits for our join) gets PRIO_MAIN + 1 as its
	 * ceiling, then starts a thread at PRIO_MAIN */
	th = mk(OBJ_THREAD);
	CHECK(th != CAP_NULL, "thread");
	kt.arg[0] = th;
	CHECK_OK(kthread_start(&kt, starter_thread, PRIO_MAIN - 1, false));
	EXPECT_OK(inv(kt.th, THREAD_SET_PRIORITY, PRIO_MAIN - 1, PRIO_MAIN + 1, THREAD_PRIO_CEILING, 0, NULL));
	EXPECT(kthread_join(&kt, 2000), "thread did not end");
	EXPECT(kt.res[0] == ERR_OK, "start within the ceiling given: %s", err_name((err_t)kt.res[0]));
	kthread_free(&kt);
	sleep_ms(1);
	del(&th);
}

void t_thread_unstarted(void)
{
	uint64_t before = free_pages();
	cap_t th = mk(OBJ_THREAD);

	CHECK(th != CAP_NULL, "thread");
	del(&th);
	EXPECT(free_pages() == before, "a never-started thread whose last capability was deleted keeps "
	       "%ld pages", (long)(before - free_pages()));
}

/* ---- processes ---------------------------------------------------------------------------- */

void t_proc_create_errors(void)
{
	static const uint64_t bad[] = { OBJ_NONE, OBJ_ASPACE, OBJ_REPLY, OBJ_IRQLINE, OBJ_MMIO,
					OBJ_IRQ_CONTROL, OBJ_KINFO, OBJ_TYPE_COUNT, 99,
					(1ull << 32) | OBJ_NOTIFICATION };
	uint64_t before = free_pages();
	struct cairn_msg m;
	cap_t c;

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err_t e = create_on(SLOT_SELF_PROC, bad[i], 1, 0, &c);
		EXPECT(e == ERR_INVAL, "PROC_CREATE type %#lx: %s, want ERR_INVAL", (unsigned long)bad[i],
		       err_name(e));
		if (!e)
			del(&c);
	}
	EXPECT_ERR(inv(SLOT_SELF_PROC, PROC_CREATE, OBJ_PROCESS, QUOTA_RESERVED(0), 0, 0, &m), ERR_INVAL);
	EXPECT_ERR(inv(SLOT_SELF_PROC, PROC_CREATE, OBJ_PROCESS, QUOTA_RESERVED(UINT64_MAX), 0, 0, &m), ERR_NOMEM);
	EXPECT_ERR(inv(SLOT_SELF_PROC, PROC_CREATE, OBJ_PROCESS, QUOTA_RESERVED(1ull << 40), 0, 0, &m), ERR_NOMEM);
	/* too small a quota for even the process itself */
	EXPECT_ERR(inv(SLOT_SELF_PROC, PROC_CREATE, OBJ_PROCESS, QUOTA_RESERVED(64), 0, 0, &m), ERR_NOMEM);
	EXPECT(free_pages() == before, "free pages %lu before, %lu after the failures",
	       (unsigned long)before, (unsigned long)free_pages());
}

void t_proc_quota(void)
{
	struct cairn_msg m;
	uint64_t limit, used;
	cap_t mo, cp, cas;

	CHECK_OK(inv(SLOT_SELF_PROC, PROC_QUOTA, 0, 0, 0, 0, &m));
	limit = m.w[0];
	used = m.w[1];
	CHECK(used > 0 && used < limit, "quota: used %lu of %lu", (unsigned long)used, (unsigned long)limit);
	mo = mk_memobj(4, 0);
	CHECK(mo != CAP_NULL, "memobj");
	EXPECT_OK(inv(SLOT_SELF_PROC, PROC_QUOTA, 0, 0, 0, 0, &m));
	EXPECT(m.w[1] >= used + 4 * PG, "4 pages charged only %lu bytes", (unsigned long)(m.w[1] - used));
	del(&mo);
	EXPECT_OK(inv(SLOT_SELF_PROC, PROC_QUOTA, 0, 0, 0, 0, &m));
	EXPECT(m.w[1] == used, "used %lu after deleting, was %lu", (unsigned long)m.w[1], (unsigned long)used);
	/* a child's quota, all reserved, is taken whole from ours (and
	 * the kernel's record of it) */
	CHECK_OK(inv(SLOT_SELF_PROC, PROC_CREATE, OBJ_PROCESS, QUOTA_RESERVED(1 << 20), 0, 0, &m));
	cp = m.w[0];
	cas = m.w[1];
	EXPECT_OK(inv(SLOT_SELF_PROC, PROC_QUOTA, 0, 0, 0, 0, &m));
	EXPECT(m.w[1] >= used + (1 << 20) && m.w[1] <= used + (1 << 20) + 64,
	       "child of 1 MiB charged %lu", (unsigned long)(m.w[1] - used));
	EXPECT_OK(inv(cp, PROC_QUOTA, 0, 0, 0, 0, &m));
	EXPECT(m.w[0] == 1 << 20 && m.w[1] > 0 && m.w[1] < 1 << 20, "child quota %lu used %lu",
	       (unsigned long)m.w[0], (unsigned long)m.w[1]);
	EXPECT_OK(inv(cp, PROC_KILL, 0, 0, 0, 0, NULL));
	del(&cas);
	del(&cp);
	EXPECT_OK(inv(SLOT_SELF_PROC, PROC_QUOTA, 0, 0, 0, 0, &m));
	EXPECT(m.w[1] == used, "used %lu after the child, was %lu", (unsigned long)m.w[1], (unsigned long)used);
}

#define MAXOBJ 200

/* Creates objects of type on proc until the quota runs out. */
static unsigned exhaust(cap_t proc, unsigned type, uint64_t a, cap_t *objs, unsigned n, err_t *last)
{
	unsigned k = 0;

	*last = ERR_OK;
	while (k < MAXOBJ - n) {
		if ((*last = create_on(proc, type, a, 0, &objs[n + k])))
			break;
		k++;
	}
	return k;
}

void t_quota_exhaust(void)
{
	static cap_t objs[MAXOBJ];
	uint64_t before = free_pages();
	struct cairn_msg m;
	struct cairn_proc_status st;
	unsigned k;
	cap_t cp, cas, x;
	err_t e;

	CHECK_OK(inv(SLOT_SELF_PROC, PROC_CREATE, OBJ_PROCESS, QUOTA_RESERVED(128 << 10), 0, 0, &m));
	cp = m.w[0];
	cas = m.w[1];
	k = exhaust(cp, OBJ_MEMOBJ, 1, objs, 0, &e);
	EXPECT(e == ERR_NOMEM, "creating MemoryObjects ended with %s after %u", err_name(e), k);
	EXPECT(k >= 16 && k <= 32, "%u one-page MemoryObjects in 128 KiB", k);
	EXPECT_OK(inv(cp, PROC_QUOTA, 0, 0, 0, 0, &m));
	EXPECT(m.w[1] <= m.w[0], "quota used %lu > limit %lu", (unsigned long)m.w[1], (unsigned long)m.w[0]);
	EXPECT_ERR(create_on(cp, OBJ_MEMOBJ, 8, 0, &x), ERR_NOMEM);
	EXPECT_ERR(create_on(cp, OBJ_MEMOBJ, 1, MEMOBJ_CONTIG, &x), ERR_NOMEM);
	EXPECT_ERR(create_on(cp, OBJ_THREAD, 0, 0, &x), ERR_NOMEM);
	/* the kernel is fine: kill the child; its objects live on in our table */
	CHECK_OK(inv(cp, PROC_KILL, 5, 0, 0, 0, NULL));
	EXPECT_OK(proc_status(cp, &st));
	EXPECT(st.state == PROC_STATE_KILLED && st.status == 5, "state %u status %ld", st.state,
	       (long)st.status);
	EXPECT_ERR(create_on(cp, OBJ_MEMOBJ, 1, 0, &x), ERR_SRCH);
	if (k)
		EXPECT_OK(inv(objs[0], MEMOBJ_INFO, 0, 0, 0, 0, NULL));
	for (unsigned i = 0; i < k; i++)
		del(&objs[i]);
	del(&cas);
	del(&cp);
	EXPECT(free_pages() == before, "free pages %lu before the child, %lu after it went",
	       (unsigned long)before, (unsigned long)free_pages());
}

void t_quota_exhaust_objs(void)
{
	static const unsigned types[] = { OBJ_ENDPOINT, OBJ_NOTIFICATION, OBJ_TIMER };
	static cap_t objs[MAXOBJ];
	uint64_t before = free_pages(), base;
	struct cairn_msg m;
	unsigned k;
	cap_t cp, cas;
	err_t e;

	CHECK_OK(inv(SLOT_SELF_PROC, PROC_CREATE, OBJ_PROCESS, QUOTA_RESERVED(64 << 10), 0, 0, &m));
	cp = m.w[0];
	cas = m.w[1];
	CHECK_OK(inv(cp, PROC_QUOTA, 0, 0, 0, 0, &m));
	base = m.w[1];
	for (unsigned t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
		k = exhaust(cp, types[t], 0, objs, 0, &e);
		EXPECT(e == ERR_NOMEM || (e == ERR_OK && k == MAXOBJ), "type %u: %s after %u", types[t],
		       err_name(e), k);
		/* free them again: the quota must come back exactly */
		for (unsigned i = 0; i < k; i++)
			del(&objs[i]);
		EXPECT_OK(inv(cp, PROC_QUOTA, 0, 0, 0, 0, &m));
		EXPECT(m.w[1] == base, "type %u: quota used %lu after freeing, was %lu", types[t],
		       (unsigned long)m.w[1], (unsigned long)base);
	}
	/* threads of the child: never started, they go with the child */
	k = exhaust(cp, OBJ_THREAD, 0, objs, 0, &e);
	EXPECT(e == ERR_NOMEM && k >= 1 && k <= 4, "threads: %s after %u", err_name(e), k);
	for (unsigned i = 0; i < k; i++)
		del(&objs[i]);
	EXPECT_OK(inv(cp, PROC_KILL, 0, 0, 0, 0, NULL));
	del(&cas);
	del(&cp);
	EXPECT(free_pages() == before, "free pages %lu before, %lu after", (unsigned long)before,
	       (unsigned long)free_pages());
}

/* PROC_COPY_CAPS is all or nothing. The target's quota has no room for
 * another page of its capability table, so the source's capability in
 * slot 200 (table page 3) cannot be copied: the call fails, and the one
 * in slot 5 (page 0, which the target has) must not have been copied
 * before it. */
void t_copy_caps_atomic(void)
{
	static cap_t objs[MAXOBJ];
	uint64_t before = free_pages();
	struct cairn_msg m;
	cap_t src, src_as, dst, dst_as, note = mk(OBJ_NOTIFICATION);
	unsigned k;
	err_t e;

	CHECK(note != CAP_NULL, "notification");
	CHECK_OK(inv(SLOT_SELF_PROC, PROC_CREATE, OBJ_PROCESS, QUOTA_RESERVED(1 << 20), 0, 0, &m));
	src = m.w[0];
	src_as = m.w[1];
	CHECK_OK(inv(SLOT_SELF_PROC, PROC_CREATE, OBJ_PROCESS, QUOTA_RESERVED(64 << 10), 0, 0, &m));
	dst = m.w[0];
	dst_as = m.w[1];
	EXPECT_OK(inv1(src, PROC_GRANT, note, 5, RIGHTS_ALL, 0, 0, NULL));
	EXPECT_OK(inv1(src, PROC_GRANT, note, 200, RIGHTS_ALL, 0, 0, NULL));
	/* the target: page 0 of its table made (slot 0 used), then its quota spent */
	EXPECT_OK(inv1(dst, PROC_GRANT, note, 0, RIGHTS_ALL, 0, 0, NULL));
	k = exhaust(dst, OBJ_MEMOBJ, 1, objs, 0, &e);
	k += exhaust(dst, OBJ_NOTIFICATION, 0, objs, k, &e);
	EXPECT_OK(inv(dst, PROC_QUOTA, 0, 0, 0, 0, &m));
	EXPECT(m.w[0] - m.w[1] < 4096, "the target still has %lu bytes of quota",
	       (unsigned long)(m.w[0] - m.w[1]));
	EXPECT_ERR(inv1(dst, PROC_COPY_CAPS, src, 0, 0, 0, 0, &m), ERR_NOMEM);
	/* nothing was copied: the target's slot 5 is still empty */
	EXPECT_OK(inv1(dst, PROC_GRANT, note, 5, RIGHTS_ALL, 0, 0, NULL));
	for (unsigned i = 0; i < k; i++)
		del(&objs[i]);
	EXPECT_OK(inv(dst, PROC_KILL, 0, 0, 0, 0, NULL));
	EXPECT_OK(inv(src, PROC_KILL, 0, 0, 0, 0, NULL));
	del(&dst_as);
	del(&dst);
	del(&src_as);
	del(&src);
	del(&note);
	sleep_ms(10);
	EXPECT(free_pages() == before, "free pages %lu before, %lu after", (unsigned long)before,
	       (unsigned long)free_pages());
}

void t_quota_nested(void)
{
	uint64_t before = free_pages();
	struct cairn_msg m;
	struct cairn_proc_status st;
	cap_t cp, cas, gp, gas, mo;

	CHECK_OK(inv(SLOT_SELF_PROC, PROC_CREATE, OBJ_PROCESS, QUOTA_RESERVED(512 << 10), 0, 0, &m));
	cp = m.w[0];
	cas = m.w[1];
	CHECK_OK(inv(cp, PROC_CREATE, OBJ_PROCESS, QUOTA_RESERVED(256 << 10), 0, 0, &m));
	gp = m.w[0];
	gas = m.w[1];
	EXPECT_OK(inv(cp, PROC_QUOTA, 0, 0, 0, 0, &m));
	EXPECT(m.w[1] >= 256 << 10, "grandchild's quota not charged to the child: %lu", (unsigned long)m.w[1]);
	EXPECT_ERR(inv(cp, PROC_CREATE, OBJ_PROCESS, QUOTA_RESERVED(256 << 10), 0, 0, &m), ERR_NOMEM);
	EXPECT_OK(create_on(gp, OBJ_MEMOBJ, 4, 0, &mo));
	/* killing the child leaves the grandchild running */
	EXPECT_OK(inv(cp, PROC_KILL, 0, 0, 0, 0, NULL));
	EXPECT_OK(proc_status(gp, &st));
	EXPECT(st.state == PROC_STATE_RUNNING, "grandchild state %u after the child's kill", st.state);
	cap_t x;
	EXPECT_OK(create_on(gp, OBJ_NOTIFICATION, 0, 0, &x));
	del(&x);
	EXPECT_OK(inv(gp, PROC_KILL, 0, 0, 0, 0, NULL));
	del(&mo);
	del(&gas);
	del(&gp);
	del(&cas);
	del(&cp);
	EXPECT(free_pages() == before, "free pages %lu before, %lu after", (unsigned long)before,
	       (unsigned long)free_pages());
}

/* Bytes charged to proc's quota (PROC_QUOTA's used). */
static uint64_t used_of(cap_t proc)
{
	uint64_t limit, used;

	quota_of(proc, &limit, &used);
	return used;
}

/* A limit with a reserve: use within the reserve is the quota's own; use
 * beyond it is charged to the parent at once, byte for byte, and given
 * back when freed. PROC_QUOTA says the reserve. */
void t_quota_reserve(void)
{
	uint64_t before = free_pages(), c0, c1, g0, g1, g2;
	struct cairn_msg m;
	cap_t cp, cas, gp, gas, small = CAP_NULL, big = CAP_NULL;

	/* C: 1 MiB, all reserved; G in C: a limit of 512 KiB, 128 KiB reserved */
	CHECK_OK(inv(SLOT_SELF_PROC, PROC_CREATE, OBJ_PROCESS, QUOTA_RESERVED(1 << 20), 0, 0, &m));
	cp = m.w[0];
	cas = m.w[1];
	c0 = used_of(cp);
	EXPECT_ERR(inv(cp, PROC_CREATE, OBJ_PROCESS, cairn_quota_arg(PG, 2 * PG), 0, 0, &m), ERR_INVAL);
	CHECK_OK(inv(cp, PROC_CREATE, OBJ_PROCESS, cairn_quota_arg(512 << 10, 128 << 10), 0, 0, &m));
	gp = m.w[0];
	gas = m.w[1];
	c1 = used_of(cp);
	EXPECT(c1 - c0 >= 128 << 10 && c1 - c0 < (128 << 10) + 64, "the reserve charged %lu",
	       (unsigned long)(c1 - c0));
	EXPECT_OK(inv(gp, PROC_QUOTA, 0, 0, 0, 0, &m));
	EXPECT(m.w[0] == 512 << 10 && m.w[2] == 128 << 10, "limit %lu reserve %lu", (unsigned long)m.w[0],
	       (unsigned long)m.w[2]);
	g0 = m.w[1];
	CHECK(g0 < 64 << 10, "G uses %lu already", (unsigned long)g0);
	/* within the reserve: nothing more for C */
	EXPECT_OK(create_on(gp, OBJ_MEMOBJ, 8, 0, &small));
	g1 = used_of(gp);
	EXPECT(g1 <= 128 << 10 && used_of(cp) == c1, "within the reserve: G %lu, C %lu more",
	       (unsigned long)g1, (unsigned long)(used_of(cp) - c1));
	/* beyond it: C is charged what passes the reserve, at once */
	EXPECT_OK(create_on(gp, OBJ_MEMOBJ, 32, 0, &big));
	g2 = used_of(gp);
	EXPECT(g2 > 128 << 10 && used_of(cp) == c1 + (g2 - (128 << 10)),
	       "beyond the reserve: G %lu, C %lu more, want %lu", (unsigned long)g2,
	       (unsigned long)(used_of(cp) - c1), (unsigned long)(g2 - (128 << 10)));
	/* and given back when freed */
	del(&big);
	EXPECT(used_of(gp) == g1 && used_of(cp) == c1, "after freeing: G %lu (was %lu), C %lu (was %lu)",
	       (unsigned long)used_of(gp), (unsigned long)g1, (unsigned long)used_of(cp),
	       (unsigned long)c1);
	/* G's own limit bounds it */
	EXPECT_ERR(create_on(gp, OBJ_MEMOBJ, 128, 0, &big), ERR_NOMEM);
	EXPECT(used_of(gp) == g1 && used_of(cp) == c1, "a refused object charged G %lu, C %lu",
	       (unsigned long)used_of(gp), (unsigned long)used_of(cp));
	EXPECT_OK(inv(gp, PROC_KILL, 0, 0, 0, 0, NULL));
	del(&gas);
	del(&gp);
	/* G's quota outlives G while its memory object lives: still charged
	 * to C, and usable */
	EXPECT(used_of(cp) >= c1, "C %lu with G's object alive, was %lu", (unsigned long)used_of(cp),
	       (unsigned long)c1);
	EXPECT_OK(mo_write(small, 0, 42));
	del(&small);
	EXPECT(used_of(cp) == c0, "C uses %lu after G went, was %lu", (unsigned long)used_of(cp),
	       (unsigned long)c0);
	EXPECT_OK(inv(cp, PROC_KILL, 0, 0, 0, 0, NULL));
	del(&cas);
	del(&cp);
	EXPECT(free_pages() == before, "free pages %lu before, %lu after", (unsigned long)before,
	       (unsigned long)free_pages());
}

/* Limits nest: a quota with nothing reserved and a limit above its
 * parent's still cannot use more than the parent has; a grandchild's use
 * is charged to every ancestor up to the one with a reserve to cover it. */
void t_quota_limit_nests(void)
{
	uint64_t before = free_pages(), s0, c0, g0;
	struct cairn_msg m;
	cap_t cp, cas, gp, gas, mo = CAP_NULL, mo2 = CAP_NULL;
	err_t e;

	s0 = used_of(SLOT_SELF_PROC);
	/* C: 512 KiB, nothing reserved; G in C: 4 MiB, nothing reserved */
	CHECK_OK(inv(SLOT_SELF_PROC, PROC_CREATE, OBJ_PROCESS, cairn_quota_arg(512 << 10, 0), 0, 0, &m));
	cp = m.w[0];
	cas = m.w[1];
	c0 = used_of(cp);
	CHECK_OK(inv(cp, PROC_CREATE, OBJ_PROCESS, cairn_quota_arg(4 << 20, 0), 0, 0, &m));
	gp = m.w[0];
	gas = m.w[1];
	g0 = used_of(gp);
	EXPECT(used_of(cp) - c0 >= g0 && used_of(cp) - c0 < g0 + 64, "C charged %lu for G using %lu",
	       (unsigned long)(used_of(cp) - c0), (unsigned long)g0);
	/* G's use is C's, and ours: each level charged the same bytes */
	uint64_t c1 = used_of(cp), s1 = used_of(SLOT_SELF_PROC);
	EXPECT_OK(create_on(gp, OBJ_MEMOBJ, 16, 0, &mo));
	uint64_t dg = used_of(gp) - g0;
	EXPECT(dg >= 16 * PG && used_of(cp) - c1 == dg && used_of(SLOT_SELF_PROC) - s1 == dg,
	       "G +%lu, C +%lu, us +%lu", (unsigned long)dg, (unsigned long)(used_of(cp) - c1),
	       (unsigned long)(used_of(SLOT_SELF_PROC) - s1));
	/* C's limit bounds G, far below G's own */
	e = create_on(gp, OBJ_MEMOBJ, 128, 0, &mo2);
	EXPECT(e == ERR_NOMEM, "512 KiB more in G under C's 512 KiB: %s", err_name(e));
	if (!e)
		del(&mo2);
	EXPECT(used_of(gp) == g0 + dg && used_of(cp) == c1 + dg, "a refused object moved the counts");
	del(&mo);
	EXPECT_OK(inv(gp, PROC_KILL, 0, 0, 0, 0, NULL));
	del(&gas);
	del(&gp);
	EXPECT_OK(inv(cp, PROC_KILL, 0, 0, 0, 0, NULL));
	del(&cas);
	del(&cp);
	EXPECT(used_of(SLOT_SELF_PROC) == s0, "we use %lu after, %lu before",
	       (unsigned long)used_of(SLOT_SELF_PROC), (unsigned long)s0);
	EXPECT(free_pages() == before, "free pages %lu before, %lu after", (unsigned long)before,
	       (unsigned long)free_pages());
}

void t_proc_load_elf(void)
{
	uint64_t before = free_pages(), off, size;
	struct cairn_msg m;
	cap_t cp, cas, mo = mk_memobj(2, 0);

	CHECK(mo != CAP_NULL, "memobj");
	CHECK_OK(boot_prog("ktest", &off, &size));
	CHECK_OK(inv(SLOT_SELF_PROC, PROC_CREATE, OBJ_PROCESS, QUOTA_RESERVED(2 << 20), 0, 0, &m));
	cp = m.w[0];
	cas = m.w[1];
	EXPECT(inv1(cp, PROC_LOAD_ELF, mo, 0, 2 * PG, 0, 0, NULL) != ERR_OK, "zeros loaded as an ELF file");
	EXPECT_ERR(inv1(cp, PROC_LOAD_ELF, mo, 3 * PG, 16, 0, 0, NULL), ERR_RANGE);
	EXPECT_ERR(inv1(cp, PROC_LOAD_ELF, mo, PG, 2 * PG, 0, 0, NULL), ERR_RANGE);
	EXPECT_ERR(inv1(cp, PROC_LOAD_ELF, mo, UINT64_MAX, 2, 0, 0, NULL), ERR_RANGE);
	EXPECT_ERR(inv(cp, PROC_LOAD_ELF, 0, 2 * PG, 0, 0, NULL), ERR_INVAL);
	/* the real file, truncated, then whole, then again on top */
	EXPECT(inv1(cp, PROC_LOAD_ELF, k_bootimage, off, 100, 0, 0, NULL) != ERR_OK,
	       "a truncated ELF file loaded");
	CHECK_OK(inv1(cp, PROC_LOAD_ELF, k_bootimage, off, size, 0, 0, &m));
	EXPECT(m.w[0] >= 0x400000 && m.w[0] < 0x400000 + size, "entry %#lx", (unsigned long)m.w[0]);
	EXPECT_ERR(inv1(cp, PROC_LOAD_ELF, k_bootimage, off, size, 0, 0, &m), ERR_EXIST);
	EXPECT_OK(inv(cp, PROC_KILL, 0, 0, 0, 0, NULL));
	EXPECT_ERR(inv1(cp, PROC_LOAD_ELF, k_bootimage, off, size, 0, 0, &m), ERR_SRCH);
	del(&cas);
	del(&cp);
	del(&mo);
	EXPECT(free_pages() == before, "free pages %lu before, %lu after", (unsigned long)before,
	       (unsigned long)free_pages());
}

void t_proc_exit_status(void)
{
	struct cairn_child c;
	struct cairn_proc_status st;
	cap_t exitn = mk(OBJ_NOTIFICATION), n2 = mk(OBJ_NOTIFICATION), x;
	const char *argv[] = { "kt-hello", "exit=7" };
	uint64_t bits;

	CHECK(exitn != CAP_NULL && n2 != CAP_NULL, "notifications");
	CHECK_OK(spawn_prog("hello", "kt-hello", argv, 2, NULL, 0, PRIO_MAIN - 1, 512 << 10, exitn, &c));
	EXPECT(wait_bits(exitn, 3000) == 1, "child did not end");
	CHECK_OK(proc_status(c.proc, &st));
	EXPECT(st.state == PROC_STATE_EXITED && st.status == 7, "state %u status %ld, want exited 7",
	       st.state, (long)st.status);
	/* what still works on an ended process, and what does not */
	EXPECT_OK(inv(c.proc, PROC_QUOTA, 0, 0, 0, 0, NULL));
	EXPECT_OK(inv1(c.proc, PROC_BIND_EXIT, n2, 0x4, 0, 0, 0, NULL));
	EXPECT_OK(cairn_wait(n2, 0, &bits));
	EXPECT(bits == 4, "PROC_BIND_EXIT on an ended process: bits %#lx", (unsigned long)bits);
	EXPECT_ERR(inv(c.proc, PROC_KILL, 0, 0, 0, 0, NULL), ERR_SRCH);
	EXPECT_ERR(create_on(c.proc, OBJ_NOTIFICATION, 0, 0, &x), ERR_SRCH);
	EXPECT_ERR(inv1(c.proc, PROC_GRANT, n2, CAP_NULL, RIGHTS_ALL, 0, 0, NULL), ERR_SRCH);
	EXPECT_ERR(inv(c.thread, THREAD_SET_PRIORITY, 1, 0, 0, 0, NULL), ERR_SRCH);
	EXPECT_OK(inv(c.as, OBJ_IDENTIFY, 0, 0, 0, 0, NULL));
	child_end(&c);
	del(&exitn);
	del(&n2);
}

/* Spawns a peer in mode with ep, note and ready, waits until it is ready
 * and about to block, kills it, and checks what remains. */
static void kill_blocked(const char *mode, cap_t ep, cap_t note)
{
	struct cairn_child c;
	struct cairn_proc_status st;
	uint64_t before = free_pages();
	cap_t ready = mk(OBJ_NOTIFICATION), exitn = mk(OBJ_NOTIFICATION);

	CHECK(ready != CAP_NULL && exitn != CAP_NULL, "notifications");
	struct cairn_spawn_cap caps[] = { { "ep", ep, RIGHTS_ALL, 0 }, { "note", note, RIGHTS_ALL, 0 },
					  { "ready", ready, RIGHT_WRITE, 0 } };
	CHECK_OK(spawn_peer(mode, mode, caps, 3, PRIO_MAIN - 1, 1 << 20, exitn, &c));
	EXPECT(wait_bits(ready, 2000) == 1, "peer not ready");
	sleep_ms(20);                       /* it blocks meanwhile */
	EXPECT_OK(proc_status(c.proc, &st));
	EXPECT(st.state == PROC_STATE_RUNNING, "peer ended before the kill: state %u status %ld", st.state,
	       (long)st.status);
	EXPECT_OK(inv(c.proc, PROC_KILL, 99, 0, 0, 0, NULL));
	EXPECT(wait_bits(exitn, 1000) == 1, "no exit notification");
	EXPECT_OK(proc_status(c.proc, &st));
	EXPECT(st.state == PROC_STATE_KILLED && st.status == 99, "state %u status %ld", st.state,
	       (long)st.status);
	child_end(&c);
	del(&ready);
	del(&exitn);
	uint64_t after = free_pages_back(before, 1000);
	EXPECT(after == before, "free pages %lu before, %lu a second after", (unsigned long)before,
	       (unsigned long)after);
}

void t_proc_kill_recv(void)
{
	cap_t ep = mk(OBJ_ENDPOINT), n = mk(OBJ_NOTIFICATION);
	struct cairn_msg m;

	CHECK(ep != CAP_NULL && n != CAP_NULL, "objects");
	kill_blocked("block-recv", ep, n);
	/* the dead receiver is gone from the endpoint */
	EXPECT_ERR(cairn_send(ep, cairn_tag(1, 0, 0) | CAIRN_NONBLOCK, 0, 0, 0, 0), ERR_AGAIN);
	m = cairn_recv(ep, CAIRN_RECV_NONBLOCK);
	EXPECT(m.err == ERR_AGAIN, "receive: %s", err_name((err_t)m.err));
	del(&ep);
	del(&n);
}

void t_proc_kill_call(void)
{
	cap_t ep = mk(OBJ_ENDPOINT), n = mk(OBJ_NOTIFICATION);
	struct cairn_msg m;

	CHECK(ep != CAP_NULL && n != CAP_NULL, "objects");
	kill_blocked("block-call", ep, n);
	/* the dead caller is gone from the endpoint */
	m = cairn_recv(ep, CAIRN_RECV_NONBLOCK);
	EXPECT(m.err == ERR_AGAIN, "receive after the caller died: %s", err_name((err_t)m.err));
	EXPECT_ERR(cairn_reply(0, 0, 0, 0, 0), ERR_NOENT);
	del(&ep);
	del(&n);
}

void t_proc_kill_wait(void)
{
	cap_t ep = mk(OBJ_ENDPOINT), n = mk(OBJ_NOTIFICATION);
	uint64_t bits;

	CHECK(ep != CAP_NULL && n != CAP_NULL, "objects");
	kill_blocked("block-wait", ep, n);
	/* the notification works on: the dead waiter does not take the bits */
	EXPECT_OK(cairn_send(n, 0, 3, 0, 0, 0));
	EXPECT_OK(cairn_wait(n, 0, &bits));
	EXPECT(bits == 3, "bits %#lx", (unsigned long)bits);
	del(&ep);
	del(&n);
}

void t_proc_kill_spin(void)
{
	cap_t ep = mk(OBJ_ENDPOINT), n = mk(OBJ_NOTIFICATION);

	CHECK(ep != CAP_NULL && n != CAP_NULL, "objects");
	kill_blocked("spin", ep, n);
	del(&ep);
	del(&n);
}

/* We received a call; the caller is killed before we answer. */
void t_proc_kill_reply(void)
{
	struct cairn_child c;
	cap_t ep = mk(OBJ_ENDPOINT), ready = mk(OBJ_NOTIFICATION);
	struct cairn_msg m;

	CHECK(ep != CAP_NULL && ready != CAP_NULL, "objects");
	struct cairn_spawn_cap caps[] = { { "ep", ep, RIGHT_WRITE, 0 }, { "ready", ready, RIGHT_WRITE, 0 } };
	CHECK_OK(spawn_peer("kt-caller", "block-call", caps, 2, PRIO_MAIN - 1, 1 << 20, CAP_NULL, &c));
	EXPECT(wait_bits(ready, 2000) == 1, "peer not ready");
	m = cairn_recv(ep, 0);
	EXPECT(m.err == 0 && cairn_tag_label(m.tag) == SRV_ECHO, "receive: %s label %u",
	       err_name((err_t)m.err), cairn_tag_label(m.tag));
	EXPECT_OK(inv(c.proc, PROC_KILL, 0, 0, 0, 0, NULL));
	EXPECT_ERR(cairn_reply(cairn_tag(0, 4, 0), 1, 2, 3, 4), ERR_NOENT);
	child_end(&c);
	del(&ep);
	del(&ready);
}

/* A process with a thread, whose last capabilities are deleted: nothing can
 * ever reach it again, so it must not keep its memory. */
void t_proc_orphan(void)
{
	uint64_t before = free_pages();
	struct cairn_msg m;
	cap_t cp, cas, th;

	CHECK_OK(inv(SLOT_SELF_PROC, PROC_CREATE, OBJ_PROCESS, QUOTA_RESERVED(256 << 10), 0, 0, &m));
	cp = m.w[0];
	cas = m.w[1];
	CHECK_OK(create_on(cp, OBJ_THREAD, 0, 0, &th));
	del(&th);
	del(&cas);
	del(&cp);
	EXPECT(free_pages() == before, "an unreachable process with a never-started thread keeps %ld pages",
	       (long)(before - free_pages()));
}

/* ---- faults --------------------------------------------------------------------------------- */

/* Receives one message on ep within ms (polling, so a peer that dies
 * some other way does not hang the test). */
static err_t recv_within(cap_t ep, unsigned ms, struct cairn_msg *m)
{
	uint64_t end = now_ns() + (uint64_t)ms * 1000000;

	for (;;) {
		*m = cairn_recv(ep, CAIRN_RECV_NONBLOCK);
		if (m->err != ERR_AGAIN || now_ns() > end)
			return (err_t)m->err;
		sleep_ms(2);
	}
}

struct fault_setup {
	struct cairn_child c;
	cap_t ep, fep, go, exitn, srv;
};

/* Spawns a peer in mode (fault or fault-call) whose faults go to a badged
 * copy of a new endpoint; the peer waits for go. */
static err_t fault_peer(struct fault_setup *f, const char *mode, uint64_t badge)
{
	err_t e;

	f->ep = mk(OBJ_ENDPOINT);
	f->go = mk(OBJ_NOTIFICATION);
	f->exitn = mk(OBJ_NOTIFICATION);
	f->srv = mk(OBJ_ENDPOINT);
	f->fep = CAP_NULL;
	if (f->ep == CAP_NULL || f->go == CAP_NULL || f->exitn == CAP_NULL || f->srv == CAP_NULL)
		return ERR_NOMEM;
	if ((e = cap_mint(f->ep, RIGHT_WRITE, badge, &f->fep)))
		return e;
	struct cairn_spawn_cap caps[] = { { "go", f->go, RIGHT_READ, 0 }, { "ep", f->srv, RIGHT_WRITE, 0 } };
	if ((e = spawn_peer(mode, mode, caps, 2, PRIO_MAIN - 1, 1 << 20, f->exitn, &f->c)))
		return e;
	return inv1(f->c.proc, PROC_SET_FAULT, f->fep, 0, 0, 0, 0, NULL);
}

static void fault_end(struct fault_setup *f)
{
	child_end(&f->c);
	del(&f->ep);
	del(&f->fep);
	del(&f->go);
	del(&f->exitn);
	del(&f->srv);
}

/* Waits for the fault message and checks it. */
static bool got_fault(struct fault_setup *f, uint64_t badge, uint64_t addr, uint64_t kind)
{
	struct cairn_msg m, id;
	err_t e = recv_within(f->ep, 3000, &m);

	if (e) {
		t_fail(__LINE__, "no fault message: %s", err_name(e));
		return false;
	}
	if (cairn_tag_label(m.tag) != CAIRN_FAULT_LABEL || cairn_tag_len(m.tag) != 4) {
		t_fail(__LINE__, "fault message tag %#lx", (unsigned long)m.tag);
		return false;
	}
	/* w3: the faulting thread's id, as THREAD_GET_ID tells it */
	if ((e = cairn_invoke(f->c.thread, THREAD_GET_ID, 0, 0, 0, 0, 0, &id)) || !id.w[0] ||
	    m.w[3] != id.w[0]) {
		t_fail(__LINE__, "fault message's thread %lu, THREAD_GET_ID %s %lu",
		       (unsigned long)m.w[3], err_name(e), (unsigned long)id.w[0]);
		return false;
	}
	if (m.badge != badge || m.w[0] != addr || m.w[2] != kind || m.w[1] < 0x400000 ||
	    m.w[1] >= 0x1000000) {
		t_fail(__LINE__, "fault message: badge %#lx addr %#lx pc %#lx kind %lu", (unsigned long)m.badge,
		       (unsigned long)m.w[0], (unsigned long)m.w[1], (unsigned long)m.w[2]);
		return false;
	}
	return true;
}

/* Waits for the peer's end and checks its state and status. */
static void ended(struct fault_setup *f, unsigned state, int64_t status)
{
	struct cairn_proc_status st;

	EXPECT(wait_bits(f->exitn, 3000) == 1, "peer did not end");
	EXPECT_OK(proc_status(f->c.proc, &st));
	EXPECT(st.state == state && st.status == status, "peer state %u status %#lx, want %u %#lx",
	       st.state, (unsigned long)st.status, state, (unsigned long)status);
}

void t_fault_handler(void)
{
	struct fault_setup f;
	cap_t mo = CAP_NULL;

	CHECK_OK(fault_peer(&f, "fault", 0x77));
	EXPECT_OK(cairn_send(f.go, 0, 1, 0, 0, 0));
	if (got_fault(&f, 0x77, KT_FAULT_VA, CAIRN_FAULT_WRITE)) {
		EXPECT_OK(create_on(f.c.proc, OBJ_MEMOBJ, 1, 0, &mo));
		EXPECT_OK(inv1(f.c.as, AS_MAP, mo, KT_FAULT_VA, 0,
			       1 | (uint64_t)(CAIRN_PROT_R | CAIRN_PROT_W) << 48, 0, NULL));
		EXPECT_OK(cairn_reply(cairn_tag(0, 0, 0), 0, 0, 0, 0));
		ended(&f, PROC_STATE_EXITED, 0);
	}
	del(&mo);
	fault_end(&f);
}

void t_fault_kill(void)
{
	struct fault_setup f;
	struct cairn_proc_status st;

	CHECK_OK(fault_peer(&f, "fault", 0x78));
	EXPECT_OK(cairn_send(f.go, 0, 1, 0, 0, 0));
	if (got_fault(&f, 0x78, KT_FAULT_VA, CAIRN_FAULT_WRITE)) {
		EXPECT_OK(cairn_reply(cairn_tag(1, 0, 0), 0, 0, 0, 0));
		EXPECT(wait_bits(f.exitn, 3000) == 1, "peer did not end");
		EXPECT_OK(proc_status(f.c.proc, &st));
		EXPECT(st.state == PROC_STATE_FAULTED && st.fault_addr == KT_FAULT_VA,
		       "state %u fault address %#lx", st.state, (unsigned long)st.fault_addr);
	}
	fault_end(&f);
}

static void no_handler(const char *mode)
{
	struct cairn_child c;
	struct cairn_proc_status st;
	cap_t exitn = mk(OBJ_NOTIFICATION);

	CHECK(exitn != CAP_NULL, "notification");
	CHECK_OK(spawn_peer(mode, mode, NULL, 0, PRIO_MAIN - 1, 1 << 20, exitn, &c));
	EXPECT(wait_bits(exitn, 3000) == 1, "peer did not end");
	EXPECT_OK(proc_status(c.proc, &st));
	EXPECT(st.state == PROC_STATE_FAULTED && st.fault_addr == KT_BAD_VA,
	       "state %u fault address %#lx, want faulted at %#llx", st.state, (unsigned long)st.fault_addr,
	       KT_BAD_VA);
	EXPECT((st.fault_pc >= 0x400000 && st.fault_pc < 0x1000000) || st.fault_pc == KT_BAD_VA,
	       "fault pc %#lx", (unsigned long)st.fault_pc);
	child_end(&c);
	del(&exitn);
}

void t_fault_none(void)
{
	no_handler("crash");
}

void t_fault_exec(void)
{
	no_handler("exec");
}

void t_fault_protect(void)
{
	struct fault_setup f;
	cap_t mo = CAP_NULL;

	CHECK_OK(fault_peer(&f, "fault", 0x79));
	CHECK_OK(create_on(f.c.proc, OBJ_MEMOBJ, 1, 0, &mo));
	EXPECT_OK(inv1(f.c.as, AS_MAP, mo, KT_FAULT_VA, 0, 1 | (uint64_t)CAIRN_PROT_R << 48, 0, NULL));
	EXPECT_OK(cairn_send(f.go, 0, 1, 0, 0, 0));
	/* a mapped page that forbids the write: CAIRN_FAULT_PROT */
	if (got_fault(&f, 0x79, KT_FAULT_VA, CAIRN_FAULT_WRITE | CAIRN_FAULT_PROT)) {
		EXPECT_OK(inv(f.c.as, AS_PROTECT, KT_FAULT_VA, PG, CAIRN_PROT_R | CAIRN_PROT_W, 0, NULL));
		EXPECT_OK(cairn_reply(cairn_tag(0, 0, 0), 0, 0, 0, 0));
		ended(&f, PROC_STATE_EXITED, 0);
	}
	del(&mo);
	fault_end(&f);
}

/* The handler answers CAIRN_FAULT_RESUME: the peer goes on at another
 * pc (the same program: peer_resumed, which ends with 42), not at the
 * faulting instruction; a pc past the user addresses kills it. */
void t_fault_resume(void)
{
	struct fault_setup f;

	CHECK_OK(fault_peer(&f, "fault", 0x7b));
	EXPECT_OK(cairn_send(f.go, 0, 1, 0, 0, 0));
	if (got_fault(&f, 0x7b, KT_FAULT_VA, CAIRN_FAULT_WRITE)) {
		EXPECT_OK(cairn_reply(cairn_tag(CAIRN_FAULT_RESUME, 1, 0), (uint64_t)(uintptr_t)peer_resumed,
				      0, 0, 0));
		ended(&f, PROC_STATE_EXITED, 42);
	}
	fault_end(&f);

	CHECK_OK(fault_peer(&f, "fault", 0x7c));
	EXPECT_OK(cairn_send(f.go, 0, 1, 0, 0, 0));
	if (got_fault(&f, 0x7c, KT_FAULT_VA, CAIRN_FAULT_WRITE)) {
		EXPECT_OK(cairn_reply(cairn_tag(CAIRN_FAULT_RESUME, 1, 0), ~0ull << 60, 0, 0, 0));
		ended(&f, PROC_STATE_FAULTED, CAIRN_FAULT_OTHER);
	}
	fault_end(&f);
}

/* The handler fixes the fault but drops the fault message instead of
 * answering it; the peer retries, then makes an ordinary call, whose answer
 * must arrive as an answer (not be taken for a fault reply). */
void t_fault_drop(void)
{
	struct fault_setup f;
	struct cairn_msg m;
	cap_t mo = CAP_NULL;

	CHECK_OK(fault_peer(&f, "fault-call", 0x7a));
	EXPECT_OK(cairn_send(f.go, 0, 1, 0, 0, 0));
	if (got_fault(&f, 0x7a, KT_FAULT_VA, CAIRN_FAULT_WRITE)) {
		EXPECT_OK(create_on(f.c.proc, OBJ_MEMOBJ, 1, 0, &mo));
		EXPECT_OK(inv1(f.c.as, AS_MAP, mo, KT_FAULT_VA, 0,
			       1 | (uint64_t)(CAIRN_PROT_R | CAIRN_PROT_W) << 48, 0, NULL));
		m = cairn_recv(f.ep, CAIRN_RECV_NONBLOCK);          /* drops the fault */
		EXPECT(m.err == ERR_AGAIN, "second receive: %s", err_name((err_t)m.err));
		EXPECT_OK(recv_within(f.srv, 3000, &m));
		EXPECT(cairn_tag_label(m.tag) == SRV_ECHO, "peer's call has label %u", cairn_tag_label(m.tag));
		EXPECT_OK(cairn_reply(cairn_tag(0, 4, 0), m.w[0] + 1, m.w[1] + 2, m.w[2] + 3, m.w[3] + 4));
		ended(&f, PROC_STATE_EXITED, 0);
	}
	del(&mo);
	fault_end(&f);
}

void t_fault_errors(void)
{
	cap_t n = mk(OBJ_NOTIFICATION), ep = mk(OBJ_ENDPOINT), ro, cp, cas;
	struct cairn_msg m;

	CHECK(n != CAP_NULL && ep != CAP_NULL, "objects");
	CHECK_OK(inv(SLOT_SELF_PROC, PROC_CREATE, OBJ_PROCESS, QUOTA_RESERVED(256 << 10), 0, 0, &m));
	cp = m.w[0];
	cas = m.w[1];
	CHECK_OK(cap_copy(ep, RIGHT_READ | RIGHT_GRANT, &ro));
	EXPECT_ERR(inv1(cp, PROC_SET_FAULT, n, 0, 0, 0, 0, NULL), ERR_INVAL);
	EXPECT_ERR(inv1(cp, PROC_SET_FAULT, ro, 0, 0, 0, 0, NULL), ERR_PERM);
	EXPECT_OK(inv1(cp, PROC_SET_FAULT, ep, 0, 0, 0, 0, NULL));
	EXPECT_OK(inv1(cp, PROC_SET_FAULT, ep, 0, 0, 0, 0, NULL));   /* again: replaces */
	EXPECT_OK(inv(cp, PROC_SET_FAULT, 0, 0, 0, 0, NULL));        /* none: clears */
	EXPECT_OK(inv1(cp, PROC_SET_FAULT, ep, 0, 0, 0, 0, NULL));
	del(&ep);                         /* the process holds it */
	EXPECT_OK(inv(cp, PROC_KILL, 0, 0, 0, 0, NULL));
	EXPECT_ERR(inv1(cp, PROC_SET_FAULT, n, 0, 0, 0, 0, NULL), ERR_SRCH);
	del(&ro);
	del(&cas);
	del(&cp);
	del(&n);
}

/* ---- TLB tags: spaces not loaded on this CPU ---------------------------------------------- */

#define REMAP_ROUNDS 8
#define REMAP_WORD(i) (0x7a00ull + (i))

static err_t map_in(cap_t as, cap_t mo)
{
	return inv1(as, AS_MAP, mo, KT_FAULT_VA, 0, 1 | (uint64_t)CAIRN_PROT_R << 48, 0, NULL);
}

/* Another CPU than ktest's, or ktest's when there is one. */
static uint64_t other_cpu_mask(void)
{
	for (unsigned i = 0; i < k_ncpus; i++)
		if (!((k_cpu_mask >> i) & 1))
			return 1ull << i;
	return k_cpu_mask;
}

/*
 * A peer reads a word of its space and reports it in a call; while it
 * waits, ktest maps another object's page there, and the next read must
 * see it. The first half of the rounds the peer runs on ktest's CPU, so
 * its space is not loaded anywhere while it changes (that CPU must flush
 * the peer's tag when it loads it again); the second half on another CPU
 * (with several), which keeps the peer's space loaded while idle and is
 * shot down.
 */
void t_tlb_remap_away(void)
{
	struct fault_setup f;
	cap_t mo[2] = { CAP_NULL, CAP_NULL };
	struct cairn_msg m;

	CHECK_OK(fault_peer(&f, "remap-read", 0x7b));
	for (unsigned i = 0; i < 2; i++) {
		EXPECT_OK(create_on(f.c.proc, OBJ_MEMOBJ, 1, 0, &mo[i]));
		EXPECT_OK(mo_write(mo[i], 0, REMAP_WORD(i)));
	}
	EXPECT_OK(inv(f.c.thread, THREAD_SET_AFFINITY, k_cpu_mask, 0, 0, 0, NULL));
	EXPECT_OK(map_in(f.c.as, mo[0]));
	EXPECT_OK(cairn_send(f.go, 0, 1, 0, 0, 0));
	for (unsigned r = 0; r < REMAP_ROUNDS && !t_failed(); r++) {
		err_t e = recv_within(f.srv, 3000, &m);
		if (e) {
			t_fail(__LINE__, "round %u: no call from the peer: %s", r, err_name(e));
			break;
		}
		EXPECT(m.w[0] == REMAP_WORD(r % 2), "round %u: the peer read %#lx, want %#llx", r,
		       (unsigned long)m.w[0], REMAP_WORD(r % 2));
		EXPECT_OK(inv(f.c.as, AS_UNMAP, KT_FAULT_VA, PG, 0, 0, NULL));
		EXPECT_OK(map_in(f.c.as, mo[(r + 1) % 2]));
		if (r + 1 == REMAP_ROUNDS / 2)
			EXPECT_OK(inv(f.c.thread, THREAD_SET_AFFINITY, other_cpu_mask(), 0, 0, 0, NULL));
		EXPECT_OK(cairn_reply(cairn_tag(0, 1, 0), r + 1 < REMAP_ROUNDS, 0, 0, 0));
	}
	ended(&f, PROC_STATE_EXITED, 0);
	del(&mo[0]);
	del(&mo[1]);
	fault_end(&f);
}

#define MANY 10

/*
 * More spaces at once than a small tag pool has (the kernel booted with
 * astags=4 has three tags to give): ten peers on ktest's CPU, each with
 * its own word at the same address, take turns (yield) and read it again
 * and again; each must keep reading its own.
 */
void t_tlb_many_spaces(void)
{
	struct cairn_child c[MANY];
	cap_t ep = mk(OBJ_ENDPOINT), mo = CAP_NULL;
	unsigned started = 0, seen = 0, hellos = 0;
	struct cairn_msg m;

	CHECK(ep != CAP_NULL, "endpoint");
	struct cairn_spawn_cap caps[] = { { "ep", ep, RIGHT_WRITE, 0 } };
	for (; started < MANY && !t_failed(); started++) {
		EXPECT_OK(spawn_peer("yield-read", "yield-read", caps, 1, PRIO_MAIN - 1, 1 << 20, CAP_NULL,
				     &c[started]));
		if (t_failed())
			break;
		EXPECT_OK(inv(c[started].thread, THREAD_SET_AFFINITY, k_cpu_mask, 0, 0, 0, NULL));
		EXPECT_OK(create_on(c[started].proc, OBJ_MEMOBJ, 1, 0, &mo));
		EXPECT_OK(mo_write(mo, 0, REMAP_WORD(started)));
		EXPECT_OK(map_in(c[started].as, mo));
		del(&mo);
	}
	/* every word is mapped: each peer's first call lets it go */
	for (unsigned i = 0; i < 2 * started && !t_failed(); i++) {
		err_t e = recv_within(ep, 5000, &m);
		if (e) {
			t_fail(__LINE__, "%u of %u calls came: %s", i, 2 * started, err_name(e));
			break;
		}
		if (cairn_tag_label(m.tag) == SRV_ECHO) {
			hellos++;
			EXPECT_OK(cairn_reply(cairn_tag(0, 0, 0), 0, 0, 0, 0));
			continue;
		}
		uint64_t k = m.w[0] - REMAP_WORD(0);
		EXPECT(k < started && !((seen >> k) & 1), "a peer read %#lx", (unsigned long)m.w[0]);
		if (k < started)
			seen |= 1u << k;
		EXPECT_OK(cairn_reply(cairn_tag(0, 0, 0), 0, 0, 0, 0));
	}
	EXPECT(t_failed() || (hellos == started && seen == (1u << started) - 1),
	       "%u peers started, %u went, words seen %#x", started, hellos, seen);
	for (unsigned i = 0; i < started; i++)
		child_end(&c[i]);
	del(&ep);
}

/* A thread on another CPU that makes calls without end (each takes the
 * kernel lock whole), suspended and resumed over and over: a resumption
 * that came while it still ran there, waiting for the lock to find its
 * suspension, queued it, and the CPU that took it waited with the lock
 * held for it to leave its CPU: every CPU stopped. It must go on, and
 * end when told. (One CPU: nothing to race; still run.) */
static void call_thread(struct kthread *kt)
{
	struct cairn_msg m;

	while (!kt->arg[1]) {
		cairn_invoke(SLOT_SELF_THREAD, THREAD_GET_AFFINITY, 0, 0, 0, 0, 0, &m);
		kt->res[0]++;
	}
}

void t_thread_suspend_race(void)
{
	static struct kthread kt;
	uint64_t other = k_ncpus > 1 ? ~k_cpu_mask : k_cpu_mask, before;

	kt.arg[1] = 0;
	kt.res[0] = 0;
	CHECK_OK(kthread_start(&kt, call_thread, PRIO_MAIN, false));
	EXPECT_OK(inv(kt.th, THREAD_SET_AFFINITY, other, 0, 0, 0, NULL));
	for (int i = 0; i < 3000; i++) {
		err_t e = inv(kt.th, THREAD_SUSPEND, 0, 0, 0, 0, NULL);
		EXPECT(e == ERR_OK || e == ERR_BUSY, "suspend %d: %s", i, err_name(e));
		e = inv(kt.th, THREAD_RESUME, 0, 0, 0, 0, NULL);
		EXPECT(e == ERR_OK || e == ERR_INVAL, "resume %d: %s", i, err_name(e));
	}
	before = kt.res[0];
	sleep_ms(20);
	EXPECT(kt.res[0] > before, "the thread did not run on after its last resumption");
	kt.arg[1] = 1;
	EXPECT(kthread_join(&kt, 2000), "the thread did not end");
	kthread_free(&kt);
}
