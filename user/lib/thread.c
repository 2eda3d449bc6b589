/* SPDX-License-Identifier: MIT */
/*
 * More threads in the calling process: each gets its own stack and IPC
 * buffer (MemoryObjects charged to this process, mapped with cairn_map)
 * and starts in fn(arg); returning from fn ends the thread.
 *
 * The runtime's own state is single-threaded for now (printf buffering,
 * the heap, cairn_ipcbuf()): a thread started here should stick to system
 * calls that carry their message in registers.
 */
#include <cairn/rt.h>

#define THREAD_STACK_PAGES 4

struct thread_start {
	void (*fn)(uint64_t);
	uint64_t arg;
};

void cairn_thread_trampoline(void);
void cairn_thread_main(struct thread_start *ts);

void cairn_thread_main(struct thread_start *ts)
{
	uint64_t r[6];

	ts->fn(ts->arg);
	cairn_arch_syscall(SYS_THREAD_EXIT, 0, 0, 0, 0, 0, 0, r);
	for (;;)
		;
}

/* The thread starts in cairn_thread_trampoline (arch/<arch>/thread_entry.S),
 * which sets up what C needs and calls cairn_thread_main. */

err_t cairn_thread_start(void (*fn)(uint64_t), uint64_t arg, unsigned prio, cap_t *thread)
{
	return cairn_thread_start_ipcbuf(fn, arg, prio, thread, NULL);
}

err_t cairn_thread_start_ipcbuf(void (*fn)(uint64_t), uint64_t arg, unsigned prio, cap_t *thread,
				struct cairn_ipcbuf **ibuf)
{
	struct cairn_msg m;
	cap_t stack = CAP_NULL, ipcbuf = CAP_NULL, th = CAP_NULL;
	void *sva = NULL, *iva = NULL;
	err_t e;

	if ((e = cairn_memobj_create(SLOT_SELF_PROC, THREAD_STACK_PAGES, 0, &stack)) ||
	    (e = cairn_map(stack, 0, THREAD_STACK_PAGES, CAIRN_PROT_R | CAIRN_PROT_W, &sva)) ||
	    (e = cairn_memobj_create(SLOT_SELF_PROC, 1, 0, &ipcbuf)) ||
	    (e = cairn_map(ipcbuf, 0, 1, CAIRN_PROT_R | CAIRN_PROT_W, &iva)))
		goto fail;
	if ((e = cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_THREAD, 0, 0, 0, &m)))
		goto fail;
	th = m.w[0];
	cairn_ipcbuf()->caps[0] = ipcbuf;
	if ((e = cairn_invoke(th, THREAD_SET_IPCBUF, 1, 0, (uint64_t)iva, 0, 0, &m)))
		goto fail;
	struct thread_start *ts =
		(struct thread_start *)((char *)sva + THREAD_STACK_PAGES * CAIRN_PAGE_SIZE) - 1;
	ts->fn = fn;
	ts->arg = arg;
	if ((e = cairn_invoke(th, THREAD_START, 0, (uint64_t)cairn_thread_trampoline,
			      (uint64_t)ts & ~15ull, (uint64_t)ts, prio, &m)))
		goto fail;
	if (thread)
		*thread = th;
	if (ibuf)
		*ibuf = iva;
	return ERR_OK;
fail:
	/* nothing kept: a caller that tries priorities downwards (ERR_PERM)
	 * made a thread, a stack and a buffer for each try and ran out */
	if (th != CAP_NULL)
		cairn_cap_delete(th);
	if (iva)
		cairn_unmap(iva, 1);
	if (ipcbuf != CAP_NULL)
		cairn_cap_delete(ipcbuf);
	if (sva)
		cairn_unmap(sva, THREAD_STACK_PAGES);
	if (stack != CAP_NULL)
		cairn_cap_delete(stack);
	return e;
}
