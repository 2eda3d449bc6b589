/* SPDX-License-Identifier: MIT */
/*
 * THREAD_UPCALL and SYS_UPCALL_RETURN: a thread blocked in a system call
 * gets ERR_INTR and runs the upcall first, but for a call a server is
 * serving (its answer comes first; another upcall meanwhile is ERR_BUSY);
 * a thread preempted in user mode runs it and resumes with every register
 * as it was; bad frames and arguments are refused; the alternate stack.
 */
#include "ktest.h"

static volatile uint64_t up_arg, up_count;

void upcall_stub(void);
void upcall_handler(uint64_t arg);

/* Entered with arg0 = arg, arg1 = the frame, sp = the frame: keep the
 * frame, call the C handler, return through SYS_UPCALL_RETURN. */
TEST_UPCALL_STUB(upcall_stub, upcall_handler);

static volatile uint64_t up_sp[4];     /* where the handler ran, by arg (0..3) */
static volatile int up_nest;

void upcall_handler(uint64_t arg)
{
	volatile char here;

	up_arg = arg;
	up_count++;
	if (arg < 4)
		up_sp[arg] = (uint64_t)(uintptr_t)&here;
	/* one more upcall from inside this one: nested on the same stack */
	if (up_nest) {
		up_nest = 0;
		inv(SLOT_SELF_THREAD, THREAD_UPCALL, (uint64_t)upcall_stub, 2, UPCALL_ONSTACK, 0, NULL);
	}
}

static cap_t up_note;

static void blocked_thread(struct kthread *kt)
{
	uint64_t bits;

	kt->step = 1;
	kt->res[0] = cairn_wait(up_note, CAIRN_FOREVER, &bits);
	kt->res[1] = up_count;          /* the upcall ran before the wait returned */
	kt->step = 2;
}

void t_upcall_blocked(void)
{
	struct kthread kt = { 0 };

	up_note = mk(OBJ_NOTIFICATION);
	up_count = 0;
	CHECK(up_note != CAP_NULL, "notification");
	CHECK_OK(kthread_start(&kt, blocked_thread, PRIO_MAIN + 1, false));
	EXPECT(kt.step == 1, "the thread did not block");
	EXPECT_OK(inv(kt.th, THREAD_UPCALL, (uint64_t)upcall_stub, 77, 0, 0, NULL));
	EXPECT(kthread_join(&kt, 1000), "the thread did not end");
	EXPECT(kt.res[0] == ERR_INTR, "the wait returned %lu, not EINTR", (unsigned long)kt.res[0]);
	EXPECT(kt.res[1] == 1 && up_arg == 77, "upcall count %lu, arg %lu",
	       (unsigned long)kt.res[1], (unsigned long)up_arg);
	kthread_free(&kt);
	del(&up_note);
}

/* A call a server is serving waits for its answer, the upcall after it;
 * a call put aside with a Reply is interrupted (ERR_INTR). */
static cap_t sv_ep, sv_go;

static void served_caller(struct kthread *kt)
{
	struct cairn_msg m;

	kt->step = 1;
	m = cairn_call(sv_ep, cairn_tag(SRV_ECHO, 4, 0), 41, 0, 0, 0);
	kt->res[0] = m.err;
	kt->res[1] = m.w[0];
	kt->res[2] = up_count;          /* the upcall ran before the call returned */
	kt->step = 2;
}

/* Takes one call; arg[0] 0: answers it (w0 + 1) once sv_go comes; 1:
 * puts it aside in a Reply (res[1]) and waits for sv_go; 2: waits for
 * sv_go, then puts it aside and waits for sv_go again. */
static void served_server(struct kthread *kt)
{
	struct cairn_msg m = cairn_recv(sv_ep, 0);
	uint64_t r[3] = { 0 }, bits;

	kt->res[0] = m.err;
	if (kt->arg[0] == 1)
		kt->res[0] |= cairn_cap_op(CAP_OP_SAVE_REPLY, 0, CAP_NULL, 0, 0, r);
	kt->step = 1;
	cairn_wait(sv_go, CAIRN_FOREVER, &bits);
	if (kt->arg[0] == 2) {
		kt->res[0] |= cairn_cap_op(CAP_OP_SAVE_REPLY, 0, CAP_NULL, 0, 0, r);
		kt->step = 3;
		cairn_wait(sv_go, CAIRN_FOREVER, &bits);
	}
	kt->res[1] = r[0];
	if (!kt->arg[0])
		kt->res[2] = cairn_reply(cairn_tag(0, 4, 0), m.w[0] + 1, 0, 0, 0);
	kt->step = 2;
}

void t_upcall_served_call(void)
{
	static struct kthread cl, sv;

	sv_ep = mk(OBJ_ENDPOINT);
	sv_go = mk(OBJ_NOTIFICATION);
	CHECK(sv_ep != CAP_NULL && sv_go != CAP_NULL, "objects");
	/* saved 0: answered; 1: put aside before the upcall; 2: put aside
	 * after it (the upcall, which waited, ends the call then) */
	for (int saved = 0; saved < 3; saved++) {
		cl = (struct kthread){ 0 };
		sv = (struct kthread){ 0 };
		up_count = 0;
		sv.arg[0] = (uint64_t)saved;
		CHECK_OK(kthread_start(&sv, served_server, PRIO_MAIN + 1, true));
		CHECK_OK(kthread_start(&cl, served_caller, PRIO_MAIN + 1, true));
		for (int i = 0; i < 100 && sv.step != 1; i++)
			sleep_ms(10);
		CHECK(sv.step == 1 && !sv.res[0], "the server did not take the call: %s",
		      err_name((err_t)sv.res[0]));
		/* the upcall comes from a thread that is not the server */
		EXPECT_OK(inv(cl.th, THREAD_UPCALL, (uint64_t)upcall_stub, 88 + saved, 0, 0, NULL));
		if (saved != 1) {
			sleep_ms(30);
			EXPECT(cl.step == 1 && up_count == 0,
			       "a served call was interrupted (step %d, upcalls %lu)", cl.step,
			       (unsigned long)up_count);
			/* the one waiting is not replaced */
			EXPECT_ERR(inv(cl.th, THREAD_UPCALL, (uint64_t)upcall_stub, 99, 0, 0, NULL), ERR_BUSY);
		}
		EXPECT_OK(cairn_send(sv_go, 0, 1, 0, 0, 0));
		EXPECT(kthread_join(&cl, 1000), "the caller did not end (put aside: %d)", saved);
		if (saved == 2) {
			EXPECT(sv.step == 3, "the server went on before its second go");
			EXPECT_OK(cairn_send(sv_go, 0, 1, 0, 0, 0));
		}
		EXPECT(kthread_join(&sv, 1000), "the server did not end");
		if (!saved)
			EXPECT(cl.res[0] == 0 && cl.res[1] == 42 && cl.res[2] == 1 && up_arg == 88,
			       "served call: %s, w0 %lu, upcalls before its return %lu",
			       err_name((err_t)cl.res[0]), (unsigned long)cl.res[1], (unsigned long)cl.res[2]);
		else
			EXPECT(cl.res[0] == ERR_INTR && cl.res[2] == 1 && up_arg == (uint64_t)(88 + saved),
			       "call put aside: %s, upcalls before its return %lu", err_name((err_t)cl.res[0]),
			       (unsigned long)cl.res[2]);
		if (sv.res[1])
			cairn_cap_delete(sv.res[1]);
		kthread_free(&cl);
		kthread_free(&sv);
	}
	del(&sv_ep);
	del(&sv_go);
}

static volatile int spin_go;

/* Spins in user mode with values in many registers; any register the
 * upcall did not give back shows up as a wrong sum. */
static void spinning_thread(struct kthread *kt)
{
	volatile uint64_t sum = 0;
	uint64_t a = 1, b = 2, c = 3, d = 4, e = 5, f = 6, g = 7, h = 8;

	kt->step = 1;
	while (!up_count) {
		a += 1; b += 2; c += 3; d += 4; e += 5; f += 6; g += 7; h += 8;
		__asm__ volatile("" : "+r"(a), "+r"(b), "+r"(c), "+r"(d), "+r"(e), "+r"(f), "+r"(g), "+r"(h));
		sum++;
	}
	kt->res[0] = (b == 2 * a) && (c == 3 * a) && (d == 4 * a) && (e == 5 * a) && (f == 6 * a) &&
		     (g == 7 * a) && (h == 8 * a);
	kt->step = 2;
}

void t_upcall_running(void)
{
	struct kthread kt = { 0 };

	up_count = 0;
	CHECK_OK(kthread_start(&kt, spinning_thread, PRIO_MAIN - 1, false));
	sleep_ms(30);                  /* it runs (and is preempted) while we sleep */
	EXPECT(kt.step == 1, "the thread is not spinning");
	EXPECT_OK(inv(kt.th, THREAD_UPCALL, (uint64_t)upcall_stub, 5, 0, 0, NULL));
	EXPECT(kthread_join(&kt, 2000), "the thread did not end");
	EXPECT(up_count == 1 && up_arg == 5, "upcall count %lu, arg %lu", (unsigned long)up_count,
	       (unsigned long)up_arg);
	EXPECT(kt.res[0] == 1, "registers changed across the upcall");
	kthread_free(&kt);
}

void t_upcall_errors(void)
{
	uint64_t r[6];
	uint64_t junk[64] = { 0 };
	cap_t th;

	CHECK_OK(create_on(SLOT_SELF_PROC, OBJ_THREAD, 0, 0, &th));
	EXPECT_ERR(inv(th, THREAD_UPCALL, (uint64_t)upcall_stub, 0, 0, 0, NULL), ERR_INVAL);
	EXPECT_ERR(inv(SLOT_SELF_THREAD, THREAD_UPCALL, 1ull << 62, 0, 0, 0, NULL), ERR_INVAL);
	thread_dispose(&th);
	EXPECT((err_t)cairn_arch_syscall(SYS_UPCALL_RETURN, (uint64_t)junk, 0, 0, 0, 0, 0, r) == ERR_INVAL,
	       "a frame without the magic was taken");
	EXPECT((err_t)cairn_arch_syscall(SYS_UPCALL_RETURN, 8, 0, 0, 0, 0, 0, r) == ERR_INVAL,
	       "an unreadable frame was taken");
	EXPECT((err_t)cairn_arch_syscall(SYS_UPCALL_RETURN, 1ull << 63, 0, 0, 0, 0, 0, r) == ERR_INVAL,
	       "a kernel address was taken");
	/* an upcall on ourselves runs on the way out of that very call */
	up_count = 0;
	EXPECT_OK(inv(SLOT_SELF_THREAD, THREAD_UPCALL, (uint64_t)upcall_stub, 9, 0, 0, NULL));
	EXPECT(up_count == 1 && up_arg == 9, "self upcall: count %lu, arg %lu",
	       (unsigned long)up_count, (unsigned long)up_arg);
}

/* THREAD_SET_ALTSTACK and UPCALL_ONSTACK (sigaltstack): the upcall runs
 * on the alternate stack, nested ones below it there; without the flag,
 * or without a stack, on the thread's own. */
void t_upcall_altstack(void)
{
	static uint64_t alt[1024] __attribute__((aligned(16)));     /* 8 KiB */
	uint64_t lo = (uint64_t)(uintptr_t)alt, hi = lo + sizeof(alt);
	volatile char mine;
	uint64_t own = (uint64_t)(uintptr_t)&mine;

	EXPECT_ERR(inv(SLOT_SELF_THREAD, THREAD_SET_ALTSTACK, lo, UPCALL_ALTSTACK_MIN - 1, 0, 0, NULL),
		   ERR_INVAL);
	EXPECT_ERR(inv(SLOT_SELF_THREAD, THREAD_SET_ALTSTACK, 1ull << 62, sizeof(alt), 0, 0, NULL),
		   ERR_INVAL);
	EXPECT_ERR(inv(SLOT_SELF_THREAD, THREAD_SET_ALTSTACK, lo, ~0ull - lo + 2, 0, 0, NULL), ERR_INVAL);
	EXPECT_ERR(inv(SLOT_SELF_THREAD, THREAD_UPCALL, (uint64_t)upcall_stub, 0, 2, 0, NULL), ERR_INVAL);
	/* no stack yet: the flag changes nothing */
	up_sp[0] = 0;
	EXPECT_OK(inv(SLOT_SELF_THREAD, THREAD_UPCALL, (uint64_t)upcall_stub, 0, UPCALL_ONSTACK, 0, NULL));
	EXPECT(up_sp[0] && (up_sp[0] < lo || up_sp[0] >= hi) && up_sp[0] < own,
	       "no alternate stack: ran at %#lx", (unsigned long)up_sp[0]);
	EXPECT_OK(inv(SLOT_SELF_THREAD, THREAD_SET_ALTSTACK, lo, sizeof(alt), 0, 0, NULL));
	up_sp[1] = up_sp[2] = 0;
	up_nest = 1;
	EXPECT_OK(inv(SLOT_SELF_THREAD, THREAD_UPCALL, (uint64_t)upcall_stub, 1, UPCALL_ONSTACK, 0, NULL));
	EXPECT(up_sp[1] >= lo && up_sp[1] < hi, "UPCALL_ONSTACK ran at %#lx, not in [%#lx, %#lx)",
	       (unsigned long)up_sp[1], (unsigned long)lo, (unsigned long)hi);
	EXPECT(up_sp[2] >= lo && up_sp[2] < up_sp[1], "the nested upcall ran at %#lx (first: %#lx)",
	       (unsigned long)up_sp[2], (unsigned long)up_sp[1]);
	/* without the flag: the thread's own stack */
	up_sp[3] = 0;
	EXPECT_OK(inv(SLOT_SELF_THREAD, THREAD_UPCALL, (uint64_t)upcall_stub, 3, 0, 0, NULL));
	EXPECT(up_sp[3] && (up_sp[3] < lo || up_sp[3] >= hi), "without the flag: ran at %#lx",
	       (unsigned long)up_sp[3]);
	/* size 0: none again */
	EXPECT_OK(inv(SLOT_SELF_THREAD, THREAD_SET_ALTSTACK, 0, 0, 0, 0, NULL));
	up_sp[0] = 0;
	EXPECT_OK(inv(SLOT_SELF_THREAD, THREAD_UPCALL, (uint64_t)upcall_stub, 0, UPCALL_ONSTACK, 0, NULL));
	EXPECT(up_sp[0] && (up_sp[0] < lo || up_sp[0] >= hi), "after size 0: ran at %#lx",
	       (unsigned long)up_sp[0]);
}
