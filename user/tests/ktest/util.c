/* SPDX-License-Identifier: MIT */
/*
 * ktest helpers: short wrappers of the kernel methods the tests use,
 * threads of this process with their own stack and IPC buffer, and peer
 * processes started from the boot image.
 */
#include <lib/cpio.h>
#include "ktest.h"

cap_t k_console = CAP_NULL, k_kinfo = CAP_NULL, k_irqctl = CAP_NULL, k_mmioctl = CAP_NULL;
cap_t k_ioportctl = CAP_NULL;
cap_t k_bootimage = CAP_NULL, k_sleep = CAP_NULL;

/* ---- kernel objects ------------------------------------------------------------------ */

err_t inv(cap_t c, uint32_t method, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3,
	  struct cairn_msg *out)
{
	return cairn_invoke(c, method, 0, w0, w1, w2, w3, out);
}

err_t inv1(cap_t c, uint32_t method, cap_t cap0, uint64_t w0, uint64_t w1, uint64_t w2,
	   uint64_t w3, struct cairn_msg *out)
{
	return cairn_invoke_cap(c, method, cap0, w0, w1, w2, w3, out);
}

err_t create_on(cap_t proc, uint64_t type, uint64_t a, uint64_t b, cap_t *out)
{
	struct cairn_msg m;
	err_t e = inv(proc, PROC_CREATE, type, a, b, 0, &m);

	*out = e ? CAP_NULL : m.w[0];
	return e;
}

cap_t mk(unsigned type)
{
	cap_t c;

	create_on(SLOT_SELF_PROC, type, 0, 0, &c);
	return c;
}

cap_t mk_memobj(uint64_t pages, unsigned flags)
{
	cap_t c;

	create_on(SLOT_SELF_PROC, OBJ_MEMOBJ, pages, flags, &c);
	return c;
}

err_t cap_copy(cap_t slot, unsigned rights, cap_t *out)
{
	uint64_t r[3];
	err_t e = cairn_cap_op(CAP_OP_COPY, slot, CAP_NULL, rights, 0, r);

	*out = e ? CAP_NULL : r[0];
	return e;
}

err_t cap_mint(cap_t slot, unsigned rights, uint64_t badge, cap_t *out)
{
	uint64_t r[3];
	err_t e = cairn_cap_op(CAP_OP_MINT, slot, CAP_NULL, rights, badge, r);

	*out = e ? CAP_NULL : r[0];
	return e;
}

err_t cap_ident(cap_t slot, uint64_t *type, uint64_t *rights, uint64_t *badge)
{
	uint64_t r[3];
	err_t e = cairn_cap_op(CAP_OP_IDENTIFY, slot, 0, 0, 0, r);

	if (!e) {
		if (type)
			*type = r[0];
		if (rights)
			*rights = r[1];
		if (badge)
			*badge = r[2];
	}
	return e;
}

void del(cap_t *slot)
{
	if (*slot != CAP_NULL)
		cairn_cap_delete(*slot);
	*slot = CAP_NULL;
}

void sleep_ms(unsigned ms)
{
	cairn_wait(k_sleep, (uint64_t)ms * 1000000, NULL);
}

bool k_icount;
uint64_t k_cpu_mask = ~0ull;
unsigned k_ncpus = 1;

bool time_within(uint64_t want_ns, uint64_t took_ns)
{
	const uint64_t tick_ns = 10000000, slack_ns = 1000000;

	if (took_ns < want_ns)
		return false;
	if (!k_icount)
		return took_ns < 1000000000ull;
	return took_ns <= want_ns + want_ns / 10 + tick_ns + slack_ns;
}

void quota_of(cap_t proc, uint64_t *limit, uint64_t *used)
{
	struct cairn_msg m;

	CHECK_OK(inv(proc, PROC_QUOTA, 0, 0, 0, 0, &m));
	*limit = m.w[0];
	*used = m.w[1];
}

unsigned free_slots(void)
{
	unsigned n = 0;

	for (cap_t s = 0; s < CAP_SLOTS; s++)
		n += cap_ident(s, NULL, NULL, NULL) == ERR_BADF;
	return n;
}

/* A thread that runs this ends itself at once (no stack needed). */
void kt_exit_stub(void);
TEST_EXIT_STUB(kt_exit_stub);

/* Starts a thread that was never started at kt_exit_stub, so deleting its
 * capability frees it, then deletes the capability. */
void thread_dispose(cap_t *th)
{
	if (inv(*th, THREAD_START, (uint64_t)kt_exit_stub, 0, 0, PRIO_MAIN + 1, NULL) == ERR_OK)
		sleep_ms(1);
	del(th);
}

/* ---- threads ------------------------------------------------------------------------- */

#define KT_STACK_PAGES 4

void kthread_trampoline(void);
void kthread_main(struct kthread *kt);

void kthread_main(struct kthread *kt)
{
	kt->fn(kt);
	cairn_thread_exit();
}

/* A new thread starts with sp, pc and the first argument set and every
 * other register zero: set gp (riscv) and call kthread_main(kt). */
TEST_THREAD_ENTRY(kthread_trampoline, kthread_main);

err_t kthread_start(struct kthread *kt, void (*fn)(struct kthread *), unsigned prio, bool ipcbuf)
{
	void *ipc = NULL;
	err_t e;

	kt->th = kt->stack_mo = kt->ipc_mo = CAP_NULL;
	kt->stack = NULL;
	kt->ipc = NULL;
	kt->fn = fn;
	kt->step = 0;
	for (unsigned i = 0; i < 8; i++)
		kt->res[i] = 0;
	if ((kt->stack_mo = mk_memobj(KT_STACK_PAGES, 0)) == CAP_NULL)
		return ERR_NOMEM;
	if ((e = cairn_map(kt->stack_mo, 0, KT_STACK_PAGES, CAIRN_PROT_R | CAIRN_PROT_W, &kt->stack)))
		goto out;
	if (ipcbuf) {
		if ((kt->ipc_mo = mk_memobj(1, 0)) == CAP_NULL) {
			e = ERR_NOMEM;
			goto out;
		}
		if ((e = cairn_map(kt->ipc_mo, 0, 1, CAIRN_PROT_R | CAIRN_PROT_W, &ipc)))
			goto out;
		kt->ipc = ipc;
	}
	if ((kt->th = mk(OBJ_THREAD)) == CAP_NULL) {
		e = ERR_NOMEM;
		goto out;
	}
	if (ipcbuf && (e = inv1(kt->th, THREAD_SET_IPCBUF, kt->ipc_mo, 0, (uint64_t)ipc, 0, 0, NULL)))
		goto out;
	if ((e = inv(kt->th, THREAD_SET_AFFINITY, k_cpu_mask, 0, 0, 0, NULL)))
		goto out;
	uint64_t sp = (uint64_t)kt->stack + KT_STACK_PAGES * CAIRN_PAGE_SIZE;
	if ((e = inv(kt->th, THREAD_START, (uint64_t)kthread_trampoline, sp, (uint64_t)kt, prio, NULL)))
		goto out;
	return ERR_OK;
out:
	kthread_free(kt);
	return e;
}

bool kthread_join(struct kthread *kt, unsigned ms)
{
	uint64_t end = now_ns() + (uint64_t)ms * 1000000;

	if (kt->th == CAP_NULL)
		return true;
	for (;;) {
		/* THREAD_RESUME answers ERR_SRCH once the thread is dead and
		 * changes nothing on a thread that is not suspended */
		if (inv(kt->th, THREAD_RESUME, 0, 0, 0, 0, NULL) == ERR_SRCH)
			return true;
		if (now_ns() > end)
			return false;
		cairn_yield();
		sleep_ms(1);
	}
}

void kthread_free(struct kthread *kt)
{
	del(&kt->th);
	if (kt->stack)
		cairn_unmap(kt->stack, KT_STACK_PAGES);
	if (kt->ipc)
		cairn_unmap(kt->ipc, 1);
	kt->stack = NULL;
	kt->ipc = NULL;
	del(&kt->stack_mo);
	del(&kt->ipc_mo);
}

/* ---- processes ---------------------------------------------------------------------- */

static const void *image_va;
static uint64_t image_size;

err_t boot_prog(const char *prog, uint64_t *off, uint64_t *size)
{
	struct cpio_entry ent;
	char path[48];
	err_t e;

	if (!image_va) {
		uint64_t pages;
		void *va;
		if (k_bootimage == CAP_NULL)
			return ERR_NOENT;
		if ((e = cairn_memobj_pages(k_bootimage, &pages)) ||
		    (e = cairn_map(k_bootimage, 0, pages, CAIRN_PROT_R, &va)))
			return e;
		image_va = va;
		image_size = pages * CAIRN_PAGE_SIZE;
	}
	strlcpy(path, "bin/", sizeof(path));
	strlcpy(path + 4, prog, sizeof(path) - 4);
	if ((e = cpio_find(image_va, image_size, path, &ent)))
		return e;
	*off = (uint64_t)((const char *)ent.data - (const char *)image_va);
	*size = ent.size;
	return ERR_OK;
}

err_t spawn_prog(const char *prog, const char *name, const char *const *argv, unsigned argc,
		 const struct cairn_spawn_cap *caps, unsigned ncaps, unsigned prio, uint64_t quota,
		 cap_t exit_note, struct cairn_child *child)
{
	struct cairn_spawn_cap all[8];
	struct cairn_spawn s = { 0 };
	err_t e;

	if (ncaps + 1 > 8)
		return ERR_2BIG;
	all[0] = (struct cairn_spawn_cap){ "console", k_console, RIGHT_WRITE, 0 };
	for (unsigned i = 0; i < ncaps; i++)
		all[i + 1] = caps[i];
	if ((e = boot_prog(prog, &s.offset, &s.size)))
		return e;
	s.image = k_bootimage;
	s.name = name;
	s.argc = argc;
	s.argv = argv;
	s.ncaps = ncaps + 1;
	s.caps = all;
	s.quota = quota;
	s.priority = prio;
	s.exit_notify = exit_note;
	s.exit_bits = 1;
	return cairn_spawn(&s, child);
}

err_t mo_write(cap_t mo, uint64_t off, uint64_t v)
{
	struct cairn_msg m;

	cairn_ipcbuf()->w[CAIRN_MSG_REGS] = v;
	m = cairn_call(mo, cairn_tag(MEMOBJ_WRITE, CAIRN_MSG_REGS + 1, 0), off, 8, 0, 0);
	return m.err ? (err_t)m.err : (err_t)cairn_tag_label(m.tag);
}

err_t spawn_peer(const char *name, const char *mode, const struct cairn_spawn_cap *caps,
		 unsigned ncaps, unsigned prio, uint64_t quota, cap_t exit_note,
		 struct cairn_child *child)
{
	const char *argv[] = { name, "peer", mode };

	return spawn_prog("ktest", name, argv, 3, caps, ncaps, prio, quota, exit_note, child);
}

uint64_t wait_bits(cap_t note, unsigned ms)
{
	uint64_t bits = 0;

	if (cairn_wait(note, (uint64_t)ms * 1000000, &bits))
		return 0;
	return bits;
}

err_t proc_status(cap_t proc, struct cairn_proc_status *st)
{
	struct cairn_msg m;
	err_t e = inv(proc, PROC_STATUS, 0, 0, 0, 0, &m);

	if (!e) {
		st->state = (unsigned)m.w[0];
		st->status = (int64_t)m.w[1];
		st->fault_addr = m.w[2];
		st->fault_pc = m.w[3];
	}
	return e;
}

void child_end(struct cairn_child *c)
{
	if (c->proc != CAP_NULL)
		inv(c->proc, PROC_KILL, 0, 0, 0, 0, NULL);
	cairn_child_release(c);
}
