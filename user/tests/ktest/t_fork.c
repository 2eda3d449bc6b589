/* SPDX-License-Identifier: MIT */
/*
 * AS_COPY (the kernel half of fork) and THREAD_SET_TLS. A new process
 * gets a copy of this whole address space; a thread started in it runs
 * code of this program on its copied data: it must see the data as it
 * was when the copy was made (copy-on-write both ways), and memory mapped
 * with CAIRN_PROT_SHARE must stay shared. The child's thread pointer is
 * set from outside before it starts.
 */
#include "ktest.h"

#define SHARED_VA 0x2800000000ull      /* a page mapped shared, away from the test VAs */

static volatile uint64_t fork_data = 1;
static volatile uint64_t tls_word = 0x7715ull;
static uint8_t child_stack[8192] __attribute__((aligned(16)));

static struct {
	void (*fn)(uint64_t);
	uint64_t arg;
} child_start;

void cairn_thread_trampoline(void);

/* Runs in the copy: reports what it sees in the shared page, writes its
 * own copy of fork_data (the parent must not see it), then ends. */
static void fork_child(uint64_t tls)
{
	volatile uint64_t *shared = (volatile uint64_t *)SHARED_VA;
	uint64_t tp;

	tp = test_tls_read();
	tls = test_tls_want(tls, &tls_word);
	shared[0] = fork_data;
	shared[1] = tp == tls;
	fork_data = 99;
	shared[2] = fork_data;
	shared[3] = 1;
}

void t_as_copy(void)
{
	struct cairn_msg m;
	uint64_t before = free_pages();
	cap_t proc, as, th, shared_mo = mk_memobj(1, 0), note = mk(OBJ_NOTIFICATION);
	volatile uint64_t *shared = (volatile uint64_t *)SHARED_VA;
	uint64_t tls;

	CHECK(shared_mo != CAP_NULL && note != CAP_NULL, "objects");
	cairn_ipcbuf()->caps[0] = shared_mo;
	CHECK_OK(cairn_invoke(SLOT_SELF_AS, AS_MAP, 1, SHARED_VA, 0,
			      1 | (uint64_t)(CAIRN_PROT_R | CAIRN_PROT_W | CAIRN_PROT_SHARE) << 48, 0, &m));
	shared[3] = 0;
	fork_data = 1;
	CHECK_OK(inv(SLOT_SELF_PROC, PROC_CREATE, OBJ_PROCESS, QUOTA_RESERVED(4 << 20), 0, 0, &m));
	proc = m.w[0];
	as = m.w[1];
	/* the copy's thread starts on the copied stack array, in copied code */
	child_start.fn = fork_child;
	tls = test_tls_value(&tls_word);
	child_start.arg = tls;
	CHECK_OK(inv1(as, AS_COPY, SLOT_SELF_AS, 0, 0, 0, 0, &m));
	EXPECT(m.w[0] >= 4, "only %lu mappings copied", (unsigned long)m.w[0]);
	EXPECT_ERR(inv1(as, AS_COPY, SLOT_SELF_AS, 0, 0, 0, 0, NULL), ERR_EXIST);
	EXPECT_ERR(inv1(SLOT_SELF_AS, AS_COPY, SLOT_SELF_AS, 0, 0, 0, 0, NULL), ERR_INVAL);
	fork_data = 2;                      /* after the copy: the child must still see 1 */
	cairn_ipcbuf()->caps[0] = note;
	CHECK_OK(cairn_invoke(proc, PROC_BIND_EXIT, 1, 1, 0, 0, 0, &m));
	CHECK_OK(create_on(proc, OBJ_THREAD, 0, 0, &th));
	CHECK_OK(inv(th, THREAD_SET_TLS, tls, 0, 0, 0, NULL));
	CHECK_OK(inv(th, THREAD_START, (uint64_t)cairn_thread_trampoline,
		     (uint64_t)(child_stack + sizeof(child_stack)), (uint64_t)&child_start, 5, NULL));
	EXPECT(wait_bits(note, 2000) == 1, "the copy did not end");
	EXPECT(shared[3] == 1, "the copy did not run to its end");
	EXPECT(shared[0] == 1, "the copy saw %lu, not the data at the time of the copy",
	       (unsigned long)shared[0]);
	EXPECT(shared[1] == 1, "the copy's thread pointer was not what THREAD_SET_TLS set");
	EXPECT(shared[2] == 99, "the copy's own write did not stick");
	EXPECT(fork_data == 2, "the copy's write reached the original: %lu", (unsigned long)fork_data);
	del(&th);
	del(&as);
	del(&proc);
	EXPECT_OK(cairn_invoke(SLOT_SELF_AS, AS_UNMAP, 0, SHARED_VA, CAIRN_PAGE_SIZE, 0, 0, &m));
	del(&shared_mo);
	del(&note);
	sleep_ms(10);                       /* let the kernel reap the copy */
	EXPECT(free_pages() == before, "free pages %lu before, %lu after",
	       (unsigned long)before, (unsigned long)free_pages());
}

/* PROC_COPY_CAPS (the capability half of fork): every capability of the
 * source goes to the same slot of the target; used slots stay as they are;
 * the copies are derived (revoking the source's reaches them). */
void t_copy_caps(void)
{
	struct cairn_msg m;
	cap_t proc, as, note = mk(OBJ_NOTIFICATION), probe;
	unsigned used;

	CHECK(note != CAP_NULL, "notification");
	CHECK_OK(inv(SLOT_SELF_PROC, PROC_CREATE, OBJ_PROCESS, QUOTA_RESERVED(1 << 20), 0, 0, &m));
	proc = m.w[0];
	as = m.w[1];
	used = CAP_SLOTS - free_slots();
	/* the target's slot 5 is taken already: that one is not copied */
	cairn_ipcbuf()->caps[0] = note;
	CHECK_OK(cairn_invoke(proc, PROC_GRANT, 1, 5, RIGHTS_ALL, 0, 0, &m));
	EXPECT_OK(inv1(proc, PROC_COPY_CAPS, SLOT_SELF_PROC, 0, 0, 0, 0, &m));
	EXPECT(m.w[0] == used - 1, "copied %lu of %u", (unsigned long)m.w[0], used);
	/* a second copy finds every slot used */
	EXPECT_OK(inv1(proc, PROC_COPY_CAPS, SLOT_SELF_PROC, 0, 0, 0, 0, &m));
	EXPECT(m.w[0] == 0, "copied %lu again", (unsigned long)m.w[0]);
	EXPECT_ERR(inv1(SLOT_SELF_PROC, PROC_COPY_CAPS, SLOT_SELF_PROC, 0, 0, 0, 0, NULL), ERR_INVAL);
	EXPECT_ERR(inv1(proc, PROC_COPY_CAPS, note, 0, 0, 0, 0, NULL), ERR_INVAL);
	/* the copies are derived from ours: revoking our notification takes the target's
	 * copy of it, so granting into that slot works again */
	CHECK_OK(cairn_cap_op(CAP_OP_REVOKE, note, CAP_NULL, 0, 0, NULL));
	cairn_ipcbuf()->caps[0] = note;
	EXPECT_OK(cairn_invoke(proc, PROC_GRANT, 1, note, RIGHTS_ALL, 0, 0, &m));
	probe = CAP_NULL;
	(void)probe;
	/* the target now holds capabilities to itself (copies of ours): it
	 * would outlive our capabilities, so end it explicitly */
	EXPECT_OK(inv(proc, PROC_KILL, 0, 0, 0, 0, NULL));
	del(&as);
	del(&proc);
	del(&note);
}

/* CAP_OP_WATCH / CAP_OP_GONE: a server learns the badges of capabilities
 * to its endpoint that went with their process (not explicit deletes). */
void t_ep_watch(void)
{
	struct cairn_msg m;
	uint64_t r[6], bits;
	cap_t ep = mk(OBJ_ENDPOINT), note = mk(OBJ_NOTIFICATION), proc, as, minted, ro;

	CHECK(ep != CAP_NULL && note != CAP_NULL, "objects");
	EXPECT_ERR(cairn_cap_op(CAP_OP_GONE, ep, CAP_NULL, 0, 0, NULL), ERR_INVAL);     /* not watched */
	EXPECT_ERR(cairn_cap_op(CAP_OP_WATCH, note, note, 0, 4, NULL), ERR_INVAL);      /* not an endpoint */
	EXPECT_ERR(cairn_cap_op(CAP_OP_WATCH, ep, ep, 0, 4, NULL), ERR_INVAL);          /* not a notification */
	CHECK_OK(cap_copy(ep, RIGHT_WRITE, &ro));
	EXPECT_ERR(cairn_cap_op(CAP_OP_WATCH, ro, note, 0, 4, NULL), ERR_PERM);         /* not its server */
	CHECK_OK(cairn_cap_op(CAP_OP_WATCH, ep, note, 0, 4, NULL));
	EXPECT_ERR(cairn_cap_op(CAP_OP_GONE, ep, CAP_NULL, 0, 0, NULL), ERR_AGAIN);
	/* a child holding two badged capabilities and one unbadged */
	CHECK_OK(inv(SLOT_SELF_PROC, PROC_CREATE, OBJ_PROCESS, QUOTA_RESERVED(1 << 20), 0, 0, &m));
	proc = m.w[0];
	as = m.w[1];
	CHECK_OK(cap_mint(ep, RIGHT_WRITE, 77, &minted));
	for (int i = 0; i < 2; i++) {
		cairn_ipcbuf()->caps[0] = minted;
		EXPECT_OK(cairn_invoke(proc, PROC_GRANT, 1, CAP_NULL, RIGHTS_ALL, 0, 0, &m));
	}
	cairn_ipcbuf()->caps[0] = ep;
	EXPECT_OK(cairn_invoke(proc, PROC_GRANT, 1, CAP_NULL, RIGHT_WRITE, 0, 0, &m));
	/* our own delete of a badged capability is not reported */
	del(&minted);
	EXPECT(cairn_wait(note, 0, &bits) == ERR_AGAIN, "an explicit delete was reported");
	EXPECT_OK(inv(proc, PROC_KILL, 0, 0, 0, 0, NULL));
	EXPECT(wait_bits(note, 500) == 4, "no signal for the dead process's capabilities");
	unsigned n77 = 0, other = 0;
	while (!cairn_arch_syscall(SYS_CAP, CAP_OP_GONE, ep, 0, 0, 0, 0, r))
		if (r[0] == 77) n77++; else other++;
	EXPECT(n77 == 2 && other == 0, "gone badges: %u of 77, %u others", n77, other);
	del(&as);
	del(&proc);
	del(&ro);
	del(&ep);
	del(&note);
}

/* Many clients end at once (a process group killed, a burst of exits):
 * the queue grows, so every badge arrives and none is lost:
 * each lost badge would be a reference its server never gets back. A child
 * holds WATCH_MANY badged capabilities (four times the queue's first
 * size) and is killed before we read any. */
#define WATCH_MANY 1024u
void t_ep_watch_many(void)
{
	struct cairn_msg m;
	uint64_t r[6];
	cap_t ep = mk(OBJ_ENDPOINT), note = mk(OBJ_NOTIFICATION), proc, as, minted;
	unsigned got = 0, in_order = 0, lost = 0;

	CHECK(ep != CAP_NULL && note != CAP_NULL, "objects");
	CHECK_OK(cairn_cap_op(CAP_OP_WATCH, ep, note, 0, 8, NULL));
	CHECK_OK(inv(SLOT_SELF_PROC, PROC_CREATE, OBJ_PROCESS, QUOTA_RESERVED(1 << 20), 0, 0, &m));
	proc = m.w[0];
	as = m.w[1];
	for (unsigned i = 1; i <= WATCH_MANY; i++) {
		CHECK_OK(cap_mint(ep, RIGHT_WRITE, 1000 + i, &minted));
		cairn_ipcbuf()->caps[0] = minted;
		EXPECT_OK(cairn_invoke(proc, PROC_GRANT, 1, CAP_NULL, RIGHTS_ALL, 0, 0, &m));
		del(&minted);
	}
	EXPECT_OK(inv(proc, PROC_KILL, 0, 0, 0, 0, NULL));
	EXPECT(wait_bits(note, 500) == 8, "no signal for the dead process's capabilities");
	while (!cairn_arch_syscall(SYS_CAP, CAP_OP_GONE, ep, 0, 0, 0, 0, r)) {
		got++;
		lost += r[1] != 0;
		in_order += r[0] >= 1001 && r[0] <= 1000 + WATCH_MANY;
	}
	EXPECT(got == WATCH_MANY && in_order == WATCH_MANY && !lost,
	       "gone badges: %u of %u (%u ours), overflow said %u times", got, WATCH_MANY, in_order, lost);
	del(&as);
	del(&proc);
	del(&ep);
	del(&note);
}
