/* SPDX-License-Identifier: MIT */
/*
 * ktest: the plain system calls, calls on every object type, and the
 * capability table (SYS_CAP): bad slots, wrong types, missing rights,
 * copy, mint, move, delete, revoke.
 */
#include "ktest.h"

static uint64_t raw(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
		    uint64_t a5, uint64_t r[6])
{
	return cairn_arch_syscall(nr, a0, a1, a2, a3, a4, a5, r);
}

/* ---- system calls ------------------------------------------------------------------- */

/* Fills every slot, then frees them: also makes every page of the table
 * exist before the leak check's baseline is taken. */
void t_cap_table_full(void)
{
	static cap_t got[CAP_SLOTS];
	unsigned k = 0;
	cap_t n = mk(OBJ_NOTIFICATION), x;
	err_t e = ERR_OK;

	CHECK(n != CAP_NULL, "no notification");
	while (k < CAP_SLOTS) {
		cap_t c;
		if ((e = cap_copy(n, RIGHTS_ALL, &c)))
			break;
		got[k++] = c;
	}
	EXPECT(e == ERR_NOSPC, "copy into a full table: %s after %u copies, want ERR_NOSPC", err_name(e), k);
	EXPECT_ERR(create_on(SLOT_SELF_PROC, OBJ_NOTIFICATION, 0, 0, &x), ERR_NOSPC);
	EXPECT_ERR(inv(n, MEMOBJ_COPY, 0, 0, 0, 0, NULL), ERR_NOSYS);
	EXPECT(free_slots() == 0, "table full but %u free slots", free_slots());
	for (unsigned i = 0; i < k; i++)
		EXPECT_OK(cairn_cap_delete(got[i]));
	EXPECT(free_slots() > CAP_SLOTS - 64, "only %u free slots after deleting the copies", free_slots());
	del(&n);
}

void t_sys_null(void)
{
	uint64_t r[6];
	uint64_t e = raw(SYS_NULL, 11, 12, 13, 14, 15, 16, r);

	/* results 1..5 keep what their registers held: on riscv64 a1..a5 (arguments
	 * 1..5), on x86_64 rdi rsi rdx r10 r8 (arguments 0..4); result 6 is 0 */
	const uint64_t first = TEST_SYSNULL_FIRST_KEPT;
	CHECK(e == 0, "SYS_NULL: %lu", (unsigned long)e);
	CHECK(r[0] == first && r[1] == first + 1 && r[2] == first + 2 && r[3] == first + 3 &&
	      r[4] == first + 4, "results 1..5 should keep their registers: %lu %lu %lu %lu %lu",
	      (unsigned long)r[0], (unsigned long)r[1], (unsigned long)r[2], (unsigned long)r[3],
	      (unsigned long)r[4]);
	CHECK(r[5] == 0, "result 6 is %#lx, want 0", (unsigned long)r[5]);
	CHECK_OK(cairn_null());
}

void t_sys_bad_number(void)
{
	static const uint64_t nrs[] = { SYS_COUNT, SYS_COUNT + 1, 100, 0xffffffffull, 1ull << 32,
					UINT64_MAX };
	uint64_t r[6];

	for (unsigned i = 0; i < sizeof(nrs) / sizeof(nrs[0]); i++) {
		uint64_t e = raw(nrs[i], 1, 2, 3, 4, 5, 6, r);
		CHECK(e == ERR_NOSYS, "system call %#lx: %s, want ERR_NOSYS", (unsigned long)nrs[i],
		      err_name((err_t)e));
	}
}

/* The partner counts up to the turn the main thread gives it, then yields;
 * a timer tick that preempts the main thread lets it run more often, but
 * never count past the turn. */
static void yield_partner(struct kthread *kt)
{
	while (kt->step < 10) {
		if (kt->step < (int)kt->arg[0])
			kt->step++;
		cairn_yield();
	}
}

/* A yield lets a thread of the same priority run: after each of ours the
 * partner has counted up to the turn we gave it (both on one CPU,
 * k_cpu_mask). With the rest of a nearly spent slice handed on, the tick
 * took the CPU back before the partner ran (sys_yield() in the kernel). */
void t_sys_yield(void)
{
	static struct kthread kt;

	kt.arg[0] = 0;
	kt.step = 0;
	CHECK_OK(kthread_start(&kt, yield_partner, PRIO_MAIN, false));
	for (int i = 0; i < 10; i++) {
		kt.arg[0] = (uint64_t)i + 1;
		CHECK_OK(cairn_yield());
		EXPECT(kt.step == i + 1, "yield %d: the thread of equal priority did not run (step %d)",
		       i, kt.step);
	}
	EXPECT(kthread_join(&kt, 2000), "the thread did not end");
	kthread_free(&kt);
}

/* The partner, a priority below the main thread, counts for as long as
 * it runs. */
static void nap_partner(struct kthread *kt)
{
	while (!kt->arg[1])
		kt->step++;
}

/* SYS_YIELD(ns) sleeps ns and lets a thread of a lower priority run,
 * where a yield does not (both on one CPU): a spin lock's waiter naps so
 * that a holder below it gets out of the lock. */
void t_sys_nap(void)
{
	static struct kthread kt;
	int before;

	kt.arg[0] = kt.arg[1] = 0;
	kt.step = 0;
	CHECK_OK(kthread_start(&kt, nap_partner, PRIO_MAIN - 1, false));
	for (int i = 0; i < 5; i++) {
		before = kt.step;
		CHECK_OK(cairn_yield());
		EXPECT(kt.step == before, "yield %d: a thread of a lower priority ran", i);
		uint64_t t0 = now_ns();
		CHECK_OK(cairn_nap(1000000));
		uint64_t t = now_ns() - t0;
		EXPECT(t >= 1000000, "nap %d: a 1 ms nap took %lu ns", i, (unsigned long)t);
		/* the host may not run this CPU for a whole nap (several QEMU
		 * CPUs on a loaded machine): a few more (a yield never lets
		 * the thread run, however many) */
		for (int n = 0; n < 100 && kt.step == before; n++)
			CHECK_OK(cairn_nap(1000000));
		EXPECT(kt.step > before, "nap %d: the thread of a lower priority did not run", i);
	}
	kt.arg[1] = 1;
	CHECK_OK(cairn_nap(1000000));
	EXPECT(kthread_join(&kt, 2000), "the thread did not end");
	kthread_free(&kt);
}

/* One object of every type this process can hold. */
struct zoo {
	cap_t c[OBJ_TYPE_COUNT];
};

static void zoo_make(struct zoo *z)
{
	struct cairn_msg m;

	for (unsigned i = 0; i < OBJ_TYPE_COUNT; i++)
		z->c[i] = CAP_NULL;
	z->c[OBJ_NOTIFICATION] = mk(OBJ_NOTIFICATION);
	z->c[OBJ_ENDPOINT] = mk(OBJ_ENDPOINT);
	z->c[OBJ_MEMOBJ] = mk_memobj(1, 0);
	z->c[OBJ_TIMER] = mk(OBJ_TIMER);
	z->c[OBJ_THREAD] = mk(OBJ_THREAD);
	if (!inv(k_irqctl, IRQCTL_GET, 1, 0, 0, 0, &m))
		z->c[OBJ_IRQLINE] = m.w[0];
	if (!inv(k_mmioctl, MMIOCTL_GET, DEV_PADDR, 4096, 0, 0, &m))
		z->c[OBJ_MMIO] = m.w[0];
	if (TEST_HAS_IOPORTS && !inv(k_ioportctl, IOPORTCTL_GET, TEST_UART_PORT, 8, 0, 0, &m))
		z->c[OBJ_IOPORT] = m.w[0];
}

static void zoo_free(struct zoo *z)
{
	static const unsigned made[] = { OBJ_NOTIFICATION, OBJ_ENDPOINT, OBJ_MEMOBJ, OBJ_TIMER,
					 OBJ_THREAD, OBJ_IRQLINE, OBJ_MMIO, OBJ_IOPORT };

	for (unsigned i = 0; i < sizeof(made) / sizeof(made[0]); i++)
		if (made[i] == OBJ_THREAD)
			thread_dispose(&z->c[made[i]]);
		else
			del(&z->c[made[i]]);
}

static void zoo_roots(struct zoo *z)
{
	z->c[OBJ_PROCESS] = SLOT_SELF_PROC;
	z->c[OBJ_ASPACE] = SLOT_SELF_AS;
	z->c[OBJ_IRQ_CONTROL] = k_irqctl;
	z->c[OBJ_MMIO_CONTROL] = k_mmioctl;
	z->c[OBJ_DEBUG_CONSOLE] = k_console;
	z->c[OBJ_KINFO] = k_kinfo;
	z->c[OBJ_IOPORT_CONTROL] = k_ioportctl;
}

void t_call_identify(void)
{
	struct zoo z;
	struct cairn_msg m;

	zoo_make(&z);
	zoo_roots(&z);
	for (unsigned t = OBJ_PROCESS; t < OBJ_TYPE_COUNT; t++) {
		uint64_t type;
		if (t == OBJ_REPLY)
			continue;               /* no way to hold one */
		if (!TEST_HAS_IOPORTS && (t == OBJ_IOPORT_CONTROL || t == OBJ_IOPORT))
			continue;               /* riscv64: no I/O ports */
		if (z.c[t] == CAP_NULL) {
			t_fail(__LINE__, "could not make an object of type %u", t);
			break;
		}
		EXPECT_OK(cap_ident(z.c[t], &type, NULL, NULL));
		EXPECT(type == t, "CAP_OP_IDENTIFY of type %u says %lu", t, (unsigned long)type);
		if (t == OBJ_ENDPOINT)
			continue;               /* a call on an Endpoint is IPC */
		err_t e = inv(z.c[t], OBJ_IDENTIFY, 0, 0, 0, 0, &m);
		EXPECT(e == ERR_OK && m.w[0] == t, "OBJ_IDENTIFY on type %u: %s, type %lu", t,
		       err_name(e), (unsigned long)m.w[0]);
		EXPECT(m.badge == 0, "answer of a kernel object has badge %lu", (unsigned long)m.badge);
	}
	zoo_free(&z);
}

void t_call_nosys(void)
{
	static const uint32_t bad[] = { 0, 13, 15, 31, 63, 99, 111, 128, 0xfa17, 0xffffffffu };
	struct zoo z;

	zoo_make(&z);
	zoo_roots(&z);
	for (unsigned t = OBJ_PROCESS; t < OBJ_TYPE_COUNT; t++) {
		if (t == OBJ_REPLY || t == OBJ_ENDPOINT || z.c[t] == CAP_NULL)
			continue;
		for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			err_t e = inv(z.c[t], bad[i], 0, 0, 0, 0, NULL);
			EXPECT(e == ERR_NOSYS, "method %#x on type %u: %s, want ERR_NOSYS", bad[i], t,
			       err_name(e));
		}
	}
	/* a method of another type */
	EXPECT_ERR(inv(z.c[OBJ_MEMOBJ], NOTIFY_SIGNAL, 1, 0, 0, 0, NULL), ERR_NOSYS);
	EXPECT_ERR(inv(z.c[OBJ_NOTIFICATION], MEMOBJ_INFO, 0, 0, 0, 0, NULL), ERR_NOSYS);
	EXPECT_ERR(inv(z.c[OBJ_TIMER], KINFO_TIME, 0, 0, 0, 0, NULL), ERR_NOSYS);
	EXPECT_ERR(inv(k_kinfo, IRQCTL_GET, 1, 0, 0, 0, NULL), ERR_NOSYS);
	EXPECT_ERR(inv(SLOT_SELF_AS, PROC_STATUS, 0, 0, 0, 0, NULL), ERR_NOSYS);
	zoo_free(&z);
}

/* ---- bad slots ------------------------------------------------------------------------ */

/* Every system call that names a slot answers ERR_BADF for slot s. */
static void all_badf(cap_t s)
{
	uint64_t r[6];
	struct cairn_msg m;

	m = cairn_call(s, cairn_tag(OBJ_IDENTIFY, 0, 0), 0, 0, 0, 0);
	EXPECT(m.err == ERR_BADF, "SYS_CALL slot %#lx: %s", (unsigned long)s, err_name((err_t)m.err));
	EXPECT_ERR(cairn_send(s, cairn_tag(1, 0, 0), 0, 0, 0, 0), ERR_BADF);
	m = cairn_recv(s, CAIRN_RECV_NONBLOCK);
	EXPECT(m.err == ERR_BADF, "SYS_RECV slot %#lx: %s", (unsigned long)s, err_name((err_t)m.err));
	m = cairn_reply_recv(s, 0, 0, 0, 0, 0);
	EXPECT(m.err == ERR_BADF, "SYS_REPLY_RECV slot %#lx: %s", (unsigned long)s,
	       err_name((err_t)m.err));
	EXPECT_ERR(cairn_wait(s, 0, NULL), ERR_BADF);
	for (unsigned op = CAP_OP_COPY; op <= CAP_OP_IDENTIFY; op++)   /* SAVE_REPLY takes no slot */
		EXPECT(cairn_cap_op(op, s, CAP_NULL, RIGHTS_ALL, 1, NULL) == ERR_BADF,
		       "SYS_CAP op %u slot %#lx: not ERR_BADF", op, (unsigned long)s);
	EXPECT((err_t)raw(SYS_CAP, 99, s, 0, 0, 0, 0, r) == ERR_BADF, "SYS_CAP bad op on a bad slot");
	/* as a capability argument in the IPC buffer */
	EXPECT_ERR(inv1(SLOT_SELF_AS, AS_MAP, s, KT_FAULT_VA, 0, 1ull | (uint64_t)CAIRN_PROT_R << 48, 0,
			NULL), ERR_BADF);
	EXPECT_ERR(inv1(SLOT_SELF_PROC, PROC_GRANT, s, CAP_NULL, RIGHTS_ALL, 0, 0, NULL), ERR_BADF);
}

void t_cap_badf_range(void)
{
	static const cap_t slots[] = { CAP_SLOTS, CAP_SLOTS + 1, 4096, 0xffffffffull, 1ull << 40,
				       CAP_NULL, CAP_NULL - 1 };

	for (unsigned i = 0; i < sizeof(slots) / sizeof(slots[0]); i++)
		all_badf(slots[i]);
}

void t_cap_badf_empty(void)
{
	cap_t n = mk(OBJ_NOTIFICATION), s = n;

	CHECK(n != CAP_NULL, "no notification");
	del(&n);
	all_badf(s);                 /* just emptied */
	all_badf(CAP_SLOTS - 1);     /* never used */
}

void t_cap_wrong_type(void)
{
	cap_t n = mk(OBJ_NOTIFICATION), ep = mk(OBJ_ENDPOINT), mo = mk_memobj(1, 0);
	struct cairn_msg m;

	CHECK(n != CAP_NULL && ep != CAP_NULL && mo != CAP_NULL, "objects");
	EXPECT_ERR(cairn_wait(ep, 0, NULL), ERR_INVAL);
	EXPECT_ERR(cairn_wait(mo, 0, NULL), ERR_INVAL);
	m = cairn_recv(n, CAIRN_RECV_NONBLOCK);
	EXPECT(m.err == ERR_INVAL, "SYS_RECV on a Notification: %s", err_name((err_t)m.err));
	m = cairn_recv(SLOT_SELF_PROC, CAIRN_RECV_NONBLOCK);
	EXPECT(m.err == ERR_INVAL, "SYS_RECV on a Process: %s", err_name((err_t)m.err));
	m = cairn_reply_recv(mo, 0, 0, 0, 0, 0);
	EXPECT(m.err == ERR_INVAL, "SYS_REPLY_RECV on a MemoryObject: %s", err_name((err_t)m.err));
	EXPECT_ERR(inv1(SLOT_SELF_AS, AS_MAP, n, KT_FAULT_VA, 0, 1ull | (uint64_t)CAIRN_PROT_R << 48, 0,
			NULL), ERR_INVAL);
	cap_t th = mk(OBJ_THREAD);
	EXPECT_ERR(inv1(th, THREAD_SET_IPCBUF, ep, 0, KT_FAULT_VA, 0, 0, NULL), ERR_INVAL);
	EXPECT_ERR(inv1(th, THREAD_SET_RING, n, 16, 0, 0, 0, NULL), ERR_INVAL);
	thread_dispose(&th);
	EXPECT_ERR(inv1(SLOT_SELF_PROC, PROC_LOAD_ELF, n, 0, 4096, 0, 0, NULL), ERR_INVAL);
	EXPECT_ERR(inv1(SLOT_SELF_PROC, PROC_BIND_EXIT, mo, 1, 0, 0, 0, NULL), ERR_INVAL);
	EXPECT_ERR(inv1(SLOT_SELF_PROC, PROC_SET_FAULT, n, 0, 0, 0, 0, NULL), ERR_INVAL);
	/* a method that needs a capability argument, called without one */
	EXPECT_ERR(inv(SLOT_SELF_AS, AS_MAP, KT_FAULT_VA, 0, 1ull | (uint64_t)CAIRN_PROT_R << 48, 0, NULL),
		   ERR_INVAL);
	EXPECT_ERR(inv(SLOT_SELF_PROC, PROC_GRANT, CAP_NULL, RIGHTS_ALL, 0, 0, NULL), ERR_INVAL);
	del(&n);
	del(&ep);
	del(&mo);
}

/* ---- rights --------------------------------------------------------------------------- */

/* A copy of c with rights r. */
static cap_t with(cap_t c, unsigned r)
{
	cap_t d;

	cap_copy(c, r, &d);
	return d;
}

void t_cap_rights(void)
{
	cap_t n = mk(OBJ_NOTIFICATION), ep = mk(OBJ_ENDPOINT), mo = mk_memobj(1, 0), tm = mk(OBJ_TIMER);
	cap_t c;
	struct cairn_msg m;
	uint64_t rights;

	CHECK(n != CAP_NULL && ep != CAP_NULL && mo != CAP_NULL && tm != CAP_NULL, "objects");
	/* Notification */
	c = with(n, RIGHT_READ);
	EXPECT_ERR(inv(c, NOTIFY_SIGNAL, 1, 0, 0, 0, NULL), ERR_PERM);
	EXPECT_ERR(cairn_send(c, 0, 1, 0, 0, 0), ERR_PERM);
	del(&c);
	c = with(n, RIGHT_WRITE);
	EXPECT_ERR(inv(c, NOTIFY_POLL, 0, 0, 0, 0, NULL), ERR_PERM);
	EXPECT_ERR(cairn_wait(c, 0, NULL), ERR_PERM);
	del(&c);
	/* Endpoint */
	c = with(ep, RIGHTS_ALL & ~RIGHT_WRITE);
	m = cairn_call(c, cairn_tag(1, 0, 0), 0, 0, 0, 0);
	EXPECT(m.err == ERR_PERM, "call without RIGHT_WRITE: %s", err_name((err_t)m.err));
	EXPECT_ERR(cairn_send(c, cairn_tag(1, 0, 0) | CAIRN_NONBLOCK, 0, 0, 0, 0), ERR_PERM);
	del(&c);
	c = with(ep, RIGHTS_ALL & ~RIGHT_READ);
	m = cairn_recv(c, CAIRN_RECV_NONBLOCK);
	EXPECT(m.err == ERR_PERM, "receive without RIGHT_READ: %s", err_name((err_t)m.err));
	m = cairn_reply_recv(c, 0, 0, 0, 0, 0);
	EXPECT(m.err == ERR_PERM, "reply_recv without RIGHT_READ: %s", err_name((err_t)m.err));
	del(&c);
	c = with(ep, RIGHTS_ALL & ~RIGHT_GRANT);
	cairn_ipcbuf()->caps[0] = n;
	m = cairn_call(c, cairn_tag(1, 0, 1), 0, 0, 0, 0);
	EXPECT(m.err == ERR_PERM, "call with a capability without RIGHT_GRANT: %s", err_name((err_t)m.err));
	EXPECT_ERR(cairn_send(c, cairn_tag(1, 0, 1) | CAIRN_NONBLOCK, 0, 0, 0, 0), ERR_PERM);
	del(&c);
	/* MemoryObject */
	c = with(mo, RIGHTS_ALL & ~RIGHT_MANAGE);
	EXPECT_ERR(inv(c, MEMOBJ_PADDR, 0, 0, 0, 0, NULL), ERR_PERM);
	EXPECT_OK(inv(c, MEMOBJ_INFO, 0, 0, 0, 0, NULL));
	del(&c);
	c = with(mo, RIGHTS_ALL & ~RIGHT_READ);
	EXPECT_ERR(inv(c, MEMOBJ_COPY, 0, 0, 0, 0, NULL), ERR_PERM);
	EXPECT_ERR(inv(c, MEMOBJ_READ, 0, 8, 0, 0, NULL), ERR_PERM);
	EXPECT_ERR(inv1(SLOT_SELF_AS, AS_MAP, c, KT_FAULT_VA, 0, 1ull | (uint64_t)CAIRN_PROT_R << 48, 0,
			NULL), ERR_PERM);
	del(&c);
	c = with(mo, RIGHT_READ);
	EXPECT_ERR(cairn_call(c, cairn_tag(MEMOBJ_WRITE, 5, 0), 0, 8, 0, 0).tag >> 16, ERR_PERM);
	EXPECT_ERR(inv1(SLOT_SELF_AS, AS_MAP, c, KT_FAULT_VA, 0,
			1ull | (uint64_t)(CAIRN_PROT_R | CAIRN_PROT_W) << 48, 0, NULL), ERR_PERM);
	EXPECT_ERR(inv1(SLOT_SELF_AS, AS_MAP, c, KT_FAULT_VA, 0,
			1ull | (uint64_t)(CAIRN_PROT_R | CAIRN_PROT_X) << 48, 0, NULL), ERR_PERM);
	cap_t th = mk(OBJ_THREAD);
	EXPECT_ERR(inv1(th, THREAD_SET_IPCBUF, c, 0, KT_FAULT_VA, 0, 0, NULL), ERR_PERM);
	thread_dispose(&th);
	/* rights only shrink */
	cap_t c2 = with(c, RIGHTS_ALL);
	EXPECT_OK(cap_ident(c2, NULL, &rights, NULL));
	EXPECT(rights == RIGHT_READ, "copy of a read-only cap with all rights has rights %#lx",
	       (unsigned long)rights);
	del(&c2);
	del(&c);
	/* Process, AddressSpace, Thread */
	c = with(SLOT_SELF_PROC, RIGHTS_ALL & ~RIGHT_MANAGE);
	EXPECT_ERR(inv(c, PROC_CREATE, OBJ_NOTIFICATION, 0, 0, 0, NULL), ERR_PERM);
	EXPECT_ERR(inv(c, PROC_KILL, 0, 0, 0, 0, NULL), ERR_PERM);
	EXPECT_OK(inv(c, PROC_STATUS, 0, 0, 0, 0, NULL));
	del(&c);
	c = with(SLOT_SELF_PROC, RIGHTS_ALL & ~RIGHT_READ);
	EXPECT_ERR(inv(c, PROC_STATUS, 0, 0, 0, 0, NULL), ERR_PERM);
	EXPECT_ERR(inv(c, PROC_QUOTA, 0, 0, 0, 0, NULL), ERR_PERM);
	del(&c);
	c = with(SLOT_SELF_AS, RIGHTS_ALL & ~RIGHT_MANAGE);
	EXPECT_ERR(inv1(c, AS_MAP, mo, KT_FAULT_VA, 0, 1ull | (uint64_t)CAIRN_PROT_R << 48, 0, NULL),
		   ERR_PERM);
	EXPECT_ERR(inv(c, AS_UNMAP, KT_FAULT_VA, 4096, 0, 0, NULL), ERR_PERM);
	del(&c);
	c = with(SLOT_SELF_THREAD, RIGHTS_ALL & ~RIGHT_MANAGE);
	EXPECT_ERR(inv(c, THREAD_SET_PRIORITY, 8, 0, 0, 0, NULL), ERR_PERM);
	del(&c);
	/* Timer and the roots */
	c = with(tm, RIGHTS_ALL & ~RIGHT_MANAGE);
	EXPECT_ERR(inv(c, TIMER_CANCEL, 0, 0, 0, 0, NULL), ERR_PERM);
	del(&c);
	c = with(k_console, 0);
	memcpy(&cairn_ipcbuf()->w[CAIRN_MSG_REGS], "x", 1);
	EXPECT_ERR((err_t)cairn_tag_label(cairn_call(c, cairn_tag(DEBUG_WRITE, 5, 0), 1, 0, 0, 0).tag),
		   ERR_PERM);
	del(&c);
	c = with(k_kinfo, 0);
	EXPECT_ERR(inv(c, KINFO_TIME, 0, 0, 0, 0, NULL), ERR_PERM);
	EXPECT_ERR(inv(c, KINFO_FREE_PAGES, 0, 0, 0, 0, NULL), ERR_PERM);
	del(&c);
	c = with(k_irqctl, RIGHTS_ALL & ~RIGHT_MANAGE);
	EXPECT_ERR(inv(c, IRQCTL_GET, 1, 0, 0, 0, NULL), ERR_PERM);
	del(&c);
	c = with(k_mmioctl, RIGHTS_ALL & ~RIGHT_MANAGE);
	EXPECT_ERR(inv(c, MMIOCTL_GET, 0x10001000, 4096, 0, 0, NULL), ERR_PERM);
	del(&c);
	/* a Notification without RIGHT_WRITE cannot be bound to an exit */
	c = with(n, RIGHT_READ);
	EXPECT_ERR(inv1(SLOT_SELF_PROC, PROC_BIND_EXIT, c, 1, 0, 0, 0, NULL), ERR_PERM);
	del(&c);
	del(&n);
	del(&ep);
	del(&mo);
	del(&tm);
}

/* ---- copy, mint, revoke, delete, move -------------------------------------------------------- */

void t_cap_copy(void)
{
	cap_t n = mk(OBJ_NOTIFICATION), c1, c2;
	uint64_t type, rights, badge;
	uint64_t bits;

	CHECK(n != CAP_NULL, "notification");
	CHECK_OK(cap_copy(n, RIGHT_READ | RIGHT_WRITE | RIGHT_GRANT, &c1));
	CHECK(c1 != n, "copy landed on the source slot");
	CHECK_OK(cap_ident(c1, &type, &rights, &badge));
	EXPECT(type == OBJ_NOTIFICATION && rights == (RIGHT_READ | RIGHT_WRITE | RIGHT_GRANT) && badge == 0,
	       "copy: type %lu rights %#lx badge %lu", (unsigned long)type, (unsigned long)rights,
	       (unsigned long)badge);
	CHECK_OK(cap_copy(c1, RIGHT_WRITE, &c2));
	CHECK_OK(cap_ident(c2, NULL, &rights, NULL));
	EXPECT(rights == RIGHT_WRITE, "copy of copy: rights %#lx", (unsigned long)rights);
	/* all three name the same object */
	EXPECT_OK(cairn_send(c2, 0, 0x10, 0, 0, 0));
	EXPECT_OK(cairn_wait(c1, 0, &bits));
	EXPECT(bits == 0x10, "signal through a copy: bits %#lx", (unsigned long)bits);
	/* and IDENTIFY's object id says so; another object has another id */
	uint64_t r[6], id_n, id_c2, id_other;
	cap_t other = mk(OBJ_NOTIFICATION);
	CHECK(other != CAP_NULL, "second notification");
	EXPECT(!cairn_arch_syscall(SYS_CAP, CAP_OP_IDENTIFY, n, 0, 0, 0, 0, r), "identify n");
	id_n = r[3];
	EXPECT(!cairn_arch_syscall(SYS_CAP, CAP_OP_IDENTIFY, c2, 0, 0, 0, 0, r), "identify c2");
	id_c2 = r[3];
	EXPECT(!cairn_arch_syscall(SYS_CAP, CAP_OP_IDENTIFY, other, 0, 0, 0, 0, r), "identify other");
	id_other = r[3];
	EXPECT(id_n && id_n == id_c2 && id_other != id_n, "object ids %lu %lu %lu",
	       (unsigned long)id_n, (unsigned long)id_c2, (unsigned long)id_other);
	del(&other);
	del(&c2);
	del(&c1);
	del(&n);
}

void t_cap_mint(void)
{
	cap_t n = mk(OBJ_NOTIFICATION), m1, m2, c;
	uint64_t rights, badge;
	uint64_t r[3];

	CHECK(n != CAP_NULL, "notification");
	CHECK_OK(cap_mint(n, RIGHT_READ | RIGHT_WRITE, 7, &m1));
	CHECK_OK(cap_ident(m1, NULL, &rights, &badge));
	EXPECT(rights == (RIGHT_READ | RIGHT_WRITE) && badge == 7, "minted: rights %#lx badge %lu",
	       (unsigned long)rights, (unsigned long)badge);
	EXPECT_ERR(cap_mint(m1, RIGHTS_ALL, 8, &m2), ERR_PERM);    /* a badge is set once */
	EXPECT_ERR(cap_mint(m1, RIGHTS_ALL, 7, &m2), ERR_PERM);
	EXPECT_ERR(cap_mint(n, RIGHTS_ALL, 0, &m2), ERR_INVAL);    /* badge 0 is "no badge" */
	CHECK_OK(cap_copy(m1, RIGHTS_ALL, &c));
	CHECK_OK(cap_ident(c, NULL, NULL, &badge));
	EXPECT(badge == 7, "copy of a minted cap: badge %lu", (unsigned long)badge);
	/* PROC_GRANT with a badge follows the same rule */
	EXPECT_ERR(inv1(SLOT_SELF_PROC, PROC_GRANT, m1, CAP_NULL, RIGHTS_ALL, 9, 0, NULL), ERR_PERM);
	/* a large badge survives */
	del(&c);
	CHECK_OK(cairn_cap_op(CAP_OP_MINT, n, CAP_NULL, RIGHTS_ALL, 0xfedcba9876543210ull, r));
	c = r[0];
	CHECK_OK(cap_ident(c, NULL, NULL, &badge));
	EXPECT(badge == 0xfedcba9876543210ull, "64-bit badge came back as %#lx", (unsigned long)badge);
	del(&c);
	del(&m1);
	del(&n);
}

void t_cap_revoke(void)
{
	cap_t n = mk(OBJ_NOTIFICATION), c1, c2, c3, c4;

	CHECK(n != CAP_NULL, "notification");
	/* revoke the parent: every derived capability goes, the parent stays */
	CHECK_OK(cap_copy(n, RIGHTS_ALL, &c1));
	CHECK_OK(cap_mint(c1, RIGHTS_ALL, 5, &c2));
	CHECK_OK(cairn_cap_op(CAP_OP_REVOKE, n, CAP_NULL, 0, 0, NULL));
	EXPECT_ERR(cairn_send(c1, 0, 1, 0, 0, 0), ERR_BADF);
	EXPECT_ERR(cairn_send(c2, 0, 1, 0, 0, 0), ERR_BADF);
	EXPECT_ERR(cap_ident(c2, NULL, NULL, NULL), ERR_BADF);
	EXPECT_OK(cairn_send(n, 0, 1, 0, 0, 0));
	/* revoke a middle one: only its subtree goes */
	CHECK_OK(cap_copy(n, RIGHTS_ALL, &c1));
	CHECK_OK(cap_copy(c1, RIGHTS_ALL, &c2));
	CHECK_OK(cap_copy(n, RIGHTS_ALL, &c3));
	CHECK_OK(cap_copy(c2, RIGHTS_ALL, &c4));
	CHECK_OK(cairn_cap_op(CAP_OP_REVOKE, c1, CAP_NULL, 0, 0, NULL));
	EXPECT_OK(cap_ident(c1, NULL, NULL, NULL));
	EXPECT_ERR(cap_ident(c2, NULL, NULL, NULL), ERR_BADF);
	EXPECT_ERR(cap_ident(c4, NULL, NULL, NULL), ERR_BADF);
	EXPECT_OK(cap_ident(c3, NULL, NULL, NULL));
	/* revoke with nothing derived is a no-op */
	EXPECT_OK(cairn_cap_op(CAP_OP_REVOKE, c3, CAP_NULL, 0, 0, NULL));
	EXPECT_OK(cap_ident(c3, NULL, NULL, NULL));
	del(&c3);
	del(&c1);
	/* the object outlives a revoke of everything but its last cap */
	EXPECT_OK(cairn_wait(n, 0, NULL));
	del(&n);
}

void t_cap_revoke_deep(void)
{
	static cap_t chain[200];
	cap_t n = mk(OBJ_NOTIFICATION), prev;
	unsigned k;

	CHECK(n != CAP_NULL, "notification");
	prev = n;
	for (k = 0; k < 200; k++) {
		/* a chain with a side branch at every level */
		if (cap_copy(prev, RIGHTS_ALL, &chain[k]))
			break;
		if (k % 2 == 0)
			prev = chain[k];
	}
	CHECK(k == 200, "only %u copies", k);
	CHECK_OK(cairn_cap_op(CAP_OP_REVOKE, n, CAP_NULL, 0, 0, NULL));
	for (k = 0; k < 200; k++)
		EXPECT(cap_ident(chain[k], NULL, NULL, NULL) == ERR_BADF, "copy %u survived the revoke", k);
	EXPECT_OK(cap_ident(n, NULL, NULL, NULL));
	del(&n);
}

void t_cap_delete(void)
{
	cap_t n = mk(OBJ_NOTIFICATION), c1, c2, s;

	CHECK(n != CAP_NULL, "notification");
	CHECK_OK(cap_copy(n, RIGHTS_ALL, &c1));
	CHECK_OK(cap_copy(c1, RIGHTS_ALL, &c2));
	/* deleting the middle one keeps its child, which moves up to the parent */
	s = c1;
	CHECK_OK(cairn_cap_delete(c1));
	EXPECT_ERR(cairn_cap_delete(s), ERR_BADF);
	EXPECT_ERR(cap_ident(s, NULL, NULL, NULL), ERR_BADF);
	EXPECT_OK(cairn_send(c2, 0, 1, 0, 0, 0));
	CHECK_OK(cairn_cap_op(CAP_OP_REVOKE, n, CAP_NULL, 0, 0, NULL));
	EXPECT_ERR(cap_ident(c2, NULL, NULL, NULL), ERR_BADF);
	/* deleting the parent keeps the copy working */
	CHECK_OK(cap_copy(n, RIGHTS_ALL, &c1));
	s = n;
	del(&n);
	EXPECT_OK(cairn_send(c1, 0, 1, 0, 0, 0));
	EXPECT_ERR(cairn_send(s, 0, 1, 0, 0, 0), ERR_BADF);
	del(&c1);
}

void t_cap_move(void)
{
	cap_t n = mk(OBJ_NOTIFICATION), c1, dst, other = mk(OBJ_NOTIFICATION);
	uint64_t r[3], type;

	CHECK(n != CAP_NULL && other != CAP_NULL, "notifications");
	CHECK_OK(cap_copy(n, RIGHTS_ALL, &c1));
	/* move the parent: the child still hangs below it */
	CHECK_OK(cairn_cap_op(CAP_OP_MOVE, n, CAP_NULL, 0, 0, r));
	dst = r[0];
	EXPECT(dst != n, "moved onto itself");
	EXPECT_ERR(cap_ident(n, NULL, NULL, NULL), ERR_BADF);
	EXPECT_OK(cap_ident(dst, &type, NULL, NULL));
	EXPECT(type == OBJ_NOTIFICATION, "moved cap has type %lu", (unsigned long)type);
	EXPECT_OK(cairn_cap_op(CAP_OP_REVOKE, dst, CAP_NULL, 0, 0, NULL));
	EXPECT_ERR(cap_ident(c1, NULL, NULL, NULL), ERR_BADF);
	n = dst;
	/* move a child: revoking the parent still reaches it */
	CHECK_OK(cap_copy(n, RIGHTS_ALL, &c1));
	CHECK_OK(cairn_cap_op(CAP_OP_MOVE, c1, CAP_NULL, 0, 0, r));
	dst = r[0];
	CHECK_OK(cairn_cap_op(CAP_OP_REVOKE, n, CAP_NULL, 0, 0, NULL));
	EXPECT_ERR(cap_ident(dst, NULL, NULL, NULL), ERR_BADF);
	/* onto an occupied slot, onto itself, out of range */
	EXPECT_ERR(cairn_cap_op(CAP_OP_MOVE, n, other, 0, 0, NULL), ERR_EXIST);
	EXPECT_OK(cap_ident(n, NULL, NULL, NULL));
	EXPECT_OK(cairn_cap_op(CAP_OP_MOVE, n, n, 0, 0, NULL));
	EXPECT_OK(cap_ident(n, NULL, NULL, NULL));
	EXPECT_ERR(cairn_cap_op(CAP_OP_MOVE, n, CAP_SLOTS, 0, 0, NULL), ERR_BADF);
	EXPECT_OK(cap_ident(n, NULL, NULL, NULL));
	del(&n);
	del(&other);
}

void t_cap_dst(void)
{
	cap_t n = mk(OBJ_NOTIFICATION), d;
	uint64_t r[3];

	CHECK(n != CAP_NULL, "notification");
	/* a free slot near the end of the table */
	for (d = CAP_SLOTS - 2; d > SLOT_FIRST_FREE; d--)
		if (cap_ident(d, NULL, NULL, NULL) == ERR_BADF)
			break;
	CHECK_OK(cairn_cap_op(CAP_OP_COPY, n, d, RIGHTS_ALL, 0, r));
	EXPECT(r[0] == d, "copy to slot %lu landed in %lu", (unsigned long)d, (unsigned long)r[0]);
	EXPECT_ERR(cairn_cap_op(CAP_OP_COPY, n, d, RIGHTS_ALL, 0, r), ERR_EXIST);
	EXPECT_ERR(cairn_cap_op(CAP_OP_MINT, n, d, RIGHTS_ALL, 3, r), ERR_EXIST);
	EXPECT_ERR(cairn_cap_op(CAP_OP_COPY, n, CAP_SLOTS, RIGHTS_ALL, 0, r), ERR_BADF);
	EXPECT_ERR(cairn_cap_op(CAP_OP_COPY, n, 1ull << 50, RIGHTS_ALL, 0, r), ERR_BADF);
	cap_t dd = d;
	del(&dd);
	CHECK_OK(cairn_cap_op(CAP_OP_MINT, n, d, RIGHT_READ, 3, r));
	EXPECT(r[0] == d, "mint to slot %lu landed in %lu", (unsigned long)d, (unsigned long)r[0]);
	dd = d;
	del(&dd);
	del(&n);
}

/* A grant of n to slot dst of proc (CAP_NULL: the first free slot); the
 * slot it landed in goes to *at. */
static err_t grant_to(cap_t proc, cap_t n, cap_t dst, cap_t *at)
{
	struct cairn_msg m;
	err_t e;

	cairn_ipcbuf()->caps[0] = n;
	e = cairn_invoke(proc, PROC_GRANT, 1, dst, RIGHTS_ALL, 0, 0, &m);
	if (at)
		*at = e ? CAP_NULL : m.w[0];
	return e;
}

/* A slot far up a table (its last): a capability there costs a page of
 * slots and the directory, not the pages between; it works as any other
 * slot (a signal through our own); a fork's PROC_COPY_CAPS copies it to
 * the same slot; the tables' ends give every page back. */
void t_cap_far_slot(void)
{
	const cap_t far = CAP_SLOTS - 1;
	uint64_t before = free_pages(), limit, used0, used1, used2, bits = 0;
	struct cairn_msg m;
	cap_t n = mk(OBJ_NOTIFICATION), p1, as1, p2, as2, at;
	uint64_t r[3];

	CHECK(n != CAP_NULL, "notification");
	/* our own table: a copy up there signals the object */
	CHECK_OK(cairn_cap_op(CAP_OP_COPY, n, far, RIGHTS_ALL, 0, r));
	EXPECT(r[0] == far, "copy to slot %lu landed in %lu", (unsigned long)far, (unsigned long)r[0]);
	EXPECT_OK(inv(far, NOTIFY_SIGNAL, 0x40, 0, 0, 0, NULL));
	EXPECT_OK(inv(n, NOTIFY_POLL, 0, 0, 0, 0, &m));
	bits = m.w[0];
	EXPECT(bits == 0x40, "polled %#lx through the copy's signal, want 0x40", (unsigned long)bits);
	at = far;
	del(&at);
	/* another process's: the slot's page and the directory are charged */
	CHECK_OK(inv(SLOT_SELF_PROC, PROC_CREATE, OBJ_PROCESS, QUOTA_RESERVED(1 << 20), 0, 0, &m));
	p1 = m.w[0];
	as1 = m.w[1];
	quota_of(p1, &limit, &used0);
	EXPECT_OK(grant_to(p1, n, far, &at));
	EXPECT(at == far, "granted to %lu, want %lu", (unsigned long)at, (unsigned long)far);
	quota_of(p1, &limit, &used1);
	EXPECT(used1 > used0 && used1 - used0 <= 4 * CAIRN_PAGE_SIZE, "a far slot cost %lu bytes",
	       (unsigned long)(used1 - used0));
	EXPECT_ERR(grant_to(p1, n, far, NULL), ERR_EXIST);
	EXPECT_OK(grant_to(p1, n, far - 1, NULL));         /* on the same page: no charge */
	quota_of(p1, &limit, &used2);
	EXPECT(used2 == used1, "a second slot on the page cost %lu bytes", (unsigned long)(used2 - used1));
	EXPECT_ERR(grant_to(p1, n, CAP_SLOTS, NULL), ERR_BADF);
	/* a fork: the copy has them in the same slots, and nothing between */
	CHECK_OK(inv(SLOT_SELF_PROC, PROC_CREATE, OBJ_PROCESS, QUOTA_RESERVED(1 << 20), 0, 0, &m));
	p2 = m.w[0];
	as2 = m.w[1];
	EXPECT_OK(inv1(p2, PROC_COPY_CAPS, p1, 0, 0, 0, 0, &m));
	EXPECT(m.w[0] >= 2, "copied %lu capabilities", (unsigned long)m.w[0]);
	EXPECT_ERR(grant_to(p2, n, far, NULL), ERR_EXIST);
	EXPECT_ERR(grant_to(p2, n, far - 1, NULL), ERR_EXIST);
	EXPECT_OK(grant_to(p2, n, far - 2, NULL));
	EXPECT_OK(grant_to(p2, n, CAP_SLOTS / 2, NULL));
	/* revoking ours takes every copy: the slots are free again */
	CHECK_OK(cairn_cap_op(CAP_OP_REVOKE, n, CAP_NULL, 0, 0, NULL));
	EXPECT_OK(grant_to(p2, n, far, NULL));
	EXPECT_OK(inv(p1, PROC_KILL, 0, 0, 0, 0, NULL));
	EXPECT_OK(inv(p2, PROC_KILL, 0, 0, 0, 0, NULL));
	del(&as1);
	del(&p1);
	del(&as2);
	del(&p2);
	del(&n);
	EXPECT(free_pages_back(before, 1000) == before, "free pages %lu before, %lu after",
	       (unsigned long)before, (unsigned long)free_pages());
}

/* Grants to proc (dst as grant_to's) while the quota it has left is given
 * back one page-sized MemoryObject of fill at a time: each ERR_NOMEM
 * changes neither the quota used nor the free pages; returns the first
 * other answer (*nomem: how many ran out). */
static err_t grant_until_fits(cap_t proc, cap_t n, cap_t dst, cap_t *fill, unsigned *nfill,
			      unsigned *nomem, cap_t *at)
{
	uint64_t limit, used, used2, fp;
	err_t e;

	for (*nomem = 0;; (*nomem)++) {
		quota_of(proc, &limit, &used);
		fp = free_pages();
		if ((e = grant_to(proc, n, dst, at)) != ERR_NOMEM)
			return e;
		quota_of(proc, &limit, &used2);
		EXPECT(used2 == used && free_pages() == fp,
		       "slot %ld: ERR_NOMEM, quota used %lu -> %lu, free pages %lu -> %lu", (long)dst,
		       (unsigned long)used, (unsigned long)used2, (unsigned long)fp,
		       (unsigned long)free_pages());
		if (!*nfill)
			return e;
		del(&fill[--*nfill]);
	}
}

/* A table that must grow past the process's quota: ERR_NOMEM with nothing
 * changed, both when the first free slot is past the slots the table
 * holds (its 1,025th capability) and for a slot far up it; each fits
 * once the quota has room. */
void t_cap_grow_nomem(void)
{
	static cap_t fill[128];
	uint64_t before = free_pages();
	unsigned nfill = 0, nomem = 0, k;
	struct cairn_msg m;
	cap_t n = mk(OBJ_NOTIFICATION), cp, cas, at = CAP_NULL;

	CHECK(n != CAP_NULL, "notification");
	CHECK_OK(inv(SLOT_SELF_PROC, PROC_CREATE, OBJ_PROCESS, QUOTA_RESERVED(256 << 10), 0, 0, &m));
	cp = m.w[0];
	cas = m.w[1];
	/* the first 1,024 slots (the table's pages without a directory) */
	for (k = 0; k < 1024 && !grant_to(cp, n, CAP_NULL, &at) && at < 1023; k++)
		;
	CHECK(at == 1023, "grants ended at slot %ld after %u", (long)at, k);
	/* the quota spent on one-page MemoryObjects */
	while (nfill < 128 && !create_on(cp, OBJ_MEMOBJ, 1, 0, &fill[nfill]))
		nfill++;
	CHECK(nfill < 128, "the quota held %u pages", nfill);
	EXPECT_OK(grant_until_fits(cp, n, CAP_NULL, fill, &nfill, &nomem, &at));
	EXPECT(nomem >= 1, "the 1,025th slot never ran out of quota");
	EXPECT(at == 1024, "the 1,025th capability landed in slot %ld", (long)at);
	while (nfill < 128 && !create_on(cp, OBJ_MEMOBJ, 1, 0, &fill[nfill]))
		nfill++;
	/* a page and a directory: out of quota with a page's worth left too */
	EXPECT_OK(grant_until_fits(cp, n, CAP_SLOTS - 1, fill, &nfill, &nomem, &at));
	EXPECT(nomem >= 2, "the far slot ran out of quota %u times", nomem);
	EXPECT_OK(inv(cp, PROC_KILL, 0, 0, 0, 0, NULL));
	while (nfill)
		del(&fill[--nfill]);
	del(&cas);
	del(&cp);
	del(&n);
	EXPECT(free_pages_back(before, 1000) == before, "free pages %lu before, %lu after",
	       (unsigned long)before, (unsigned long)free_pages());
}

void t_cap_bad_op(void)
{
	static const uint64_t ops[] = { CAP_OP_SAVE_REPLY + 1, 99, 0xffffffffull, UINT64_MAX };
	cap_t n = mk(OBJ_NOTIFICATION);
	uint64_t r[6];

	CHECK(n != CAP_NULL, "notification");
	for (unsigned i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		EXPECT((err_t)raw(SYS_CAP, ops[i], n, CAP_NULL, RIGHTS_ALL, 0, 0, r) == ERR_INVAL,
		       "SYS_CAP op %#lx: not ERR_INVAL", (unsigned long)ops[i]);
	EXPECT_OK(cap_ident(n, NULL, NULL, NULL));
	del(&n);
}

void t_proc_grant(void)
{
	cap_t n = mk(OBJ_NOTIFICATION), g, other = mk(OBJ_NOTIFICATION);
	struct cairn_msg m;
	uint64_t rights, badge;

	CHECK(n != CAP_NULL && other != CAP_NULL, "notifications");
	CHECK_OK(inv1(SLOT_SELF_PROC, PROC_GRANT, n, CAP_NULL, RIGHT_READ | RIGHT_GRANT, 9, 0, &m));
	g = m.w[0];
	CHECK_OK(cap_ident(g, NULL, &rights, &badge));
	EXPECT(rights == (RIGHT_READ | RIGHT_GRANT) && badge == 9, "granted: rights %#lx badge %lu",
	       (unsigned long)rights, (unsigned long)badge);
	/* the grant derives from cap0: revoking cap0 removes it */
	CHECK_OK(cairn_cap_op(CAP_OP_REVOKE, n, CAP_NULL, 0, 0, NULL));
	EXPECT_ERR(cap_ident(g, NULL, NULL, NULL), ERR_BADF);
	EXPECT_ERR(inv1(SLOT_SELF_PROC, PROC_GRANT, n, other, RIGHTS_ALL, 0, 0, NULL), ERR_EXIST);
	EXPECT_ERR(inv1(SLOT_SELF_PROC, PROC_GRANT, n, CAP_SLOTS + 5, RIGHTS_ALL, 0, 0, NULL), ERR_BADF);
	del(&n);
	del(&other);
}
