// SPDX-License-Identifier: MIT
/*
 * Upcalls: a thread is made to run a given function on its own stack, as
 * POSIX signals need. THREAD_UPCALL marks the thread and interrupts a
 * system call it is blocked in (ERR_INTR). On its way back to user mode
 * the thread's registers go into a frame on its user stack and it resumes
 * at the function; SYS_UPCALL_RETURN takes the frame back.
 *
 * A frame saved on the system-call path is partial: the callee-saved
 * registers were never saved (the C code keeps them live), so it is
 * restored through the same path; the function at pc is a C call and keeps
 * them too. A frame saved after an exception or interrupt is full and is
 * restored by arch_user_enter(). Frames come back from user memory, so
 * they are checked (magic, kind) and the arch sanitises what it restores.
 */
#include <kernel/thread.h>
#include <kernel/ipc.h>
#include <kernel/memory.h>
#include <kernel/log.h>

#define UPCALL_MAGIC    CAIRN_UPCALL_MAGIC
#define UPCALL_REDZONE  128

/* include/cairn/abi.h describes it to user space (the arch checks that
 * struct trap_frame has the layout said there) */
struct upcall_frame {
	uint64_t magic;
	uint64_t partial;
	uint64_t result;          /* partial: result 0 of the interrupted call */
	uint64_t pad;
	struct trap_frame tf;
};
_Static_assert(offsetof(struct upcall_frame, tf) == CAIRN_UPF_REGS * 8, "upcall frame header");

err_t thread_upcall_check(const struct thread *t, uint64_t pc, uint64_t flags)
{
	if (!t->started || pc >= arch_user_top() || (flags & ~(uint64_t)UPCALL_ONSTACK))
		return ERR_INVAL;
	/* one at a time: the one pending is not replaced (a signal handler
	 * that would be lost); the caller sends it again once this is taken */
	return t->upcall_pending ? ERR_BUSY : ERR_OK;
}

void thread_upcall(struct thread *t, uint64_t pc, uint64_t arg, uint64_t flags)
{
	t->upcall_pc = pc;
	t->upcall_arg = arg;
	t->upcall_onstack = (flags & UPCALL_ONSTACK) != 0;
	t->upcall_pending = 1;
	/* a blocked call ends with ERR_INTR, except a call a server is
	 * serving now (ipc_interrupt() leaves it), and one waiting in the
	 * queue of the Endpoint the caller serves (a server signalling a
	 * client): those are answered soon, then the upcall runs. A call the
	 * server put aside with a Reply (a read that waits for data, a wait
	 * for a child) is interrupted, as is one still queued (no server has
	 * seen it). */
	if (t->state == TS_BLOCKED &&
	    !(t->block == BK_CALL && t->wait_obj && t->wait_obj == (void *)current->served))
		ipc_interrupt(t);
	sched_kick(t);
}

/*
 * Diverts the current thread (on its way to user mode) into its pending
 * upcall. partial: from the system-call path, r is the call's result 0;
 * returns what that path must return now. A stack the frame cannot be
 * written to ends the process, as a fault would.
 */
uint64_t upcall_deliver(bool partial, uint64_t r)
{
	struct thread *t = current;
	struct trap_frame *tf = t->tf;
	struct upcall_frame f = { UPCALL_MAGIC, partial, r, 0, *tf };
	uintptr_t top = arch_frame_sp(tf), sp;

	/* UPCALL_ONSTACK: the frame at the top of the alternate stack, unless
	 * the thread runs on it already (a handler there, interrupted) */
	if (t->upcall_onstack && t->alt_size && (top <= t->alt_base || top > t->alt_base + t->alt_size))
		top = t->alt_base + t->alt_size + UPCALL_REDZONE;
	sp = (top - UPCALL_REDZONE - sizeof(f)) & ~(uintptr_t)15;
	t->upcall_pending = 0;
	if (top < UPCALL_REDZONE + sizeof(f) || copy_to_user(sp, &f, sizeof(f))) {
		kprintf("cairn: process %u (%s) killed: no stack for an upcall at %#lx\n",
			t->proc->id, t->proc->name, (unsigned long)sp);
		process_exit(t->proc, PROC_STATE_FAULTED, CAIRN_FAULT_WRITE);
		schedule();            /* never returns: the thread is dead */
		return r;
	}
	arch_upcall_enter(tf, t->upcall_pc, sp, t->upcall_arg, sp);
	return t->upcall_arg;
}

uint64_t sys_upcall_return(uint64_t frame)
{
	struct thread *t = current;
	struct upcall_frame f;

	if (copy_from_user(&f, frame, sizeof(f)) || f.magic != UPCALL_MAGIC || f.partial > 1)
		return ERR_INVAL;
	arch_frame_restore(t->tf, &f.tf, f.partial);
	if (f.partial)
		return f.result;
	arch_user_enter(t->tf);
}
