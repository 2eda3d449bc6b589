// SPDX-License-Identifier: MIT
/*
 * The thread dump (docs/kernel.md, "The thread dump"): three Ctrl-] in a
 * row at the kernel console, or DEBUG_DUMP on the DebugConsole, print
 * every CPU and every thread of every live process, what it waits for
 * and where its user code stands. It is for a system that hangs: the
 * test harness types it before it kills a boot that ran out of time, and
 * a test that sees its own threads stop (kfuzz's watchdog) asks for it,
 * so the log says who waited for whom.
 *
 * The bytes arrive in the console's receive interrupt, which holds the
 * UART's lock: the dump waits for a point where the kernel lock may be
 * taken (kdump_poll(), on the way back to user mode and in the idle loop)
 * and runs there, the lock whole, so every list it reads is still.
 */
#include <arch.h>
#include <kernel/kdump.h>
#include <kernel/log.h>
#include <kernel/clock.h>
#include <kernel/ipc.h>
#include <kernel/smp.h>

#define KDUMP_KEY      0x1d       /* Ctrl-] */
#define KDUMP_PRESSES  3

volatile uint32_t kdump_wanted;
static unsigned presses;

void kdump_request(void)
{
	__atomic_store_n(&kdump_wanted, 1, __ATOMIC_RELEASE);
	this_cpu()->work.b.resched = 1;     /* this CPU's way out looks */
}

void kdump_key(char c)
{
	presses = c == KDUMP_KEY ? presses + 1 : 0;
	if (presses < KDUMP_PRESSES)
		return;
	presses = 0;
	kdump_request();
}

static const char *const state_name[] = {
	[TS_INACTIVE] = "not started", [TS_READY] = "ready", [TS_RUNNING] = "running",
	[TS_BLOCKED] = "blocked", [TS_SUSPENDED] = "suspended", [TS_DEAD] = "dead",
};

static uint64_t oid_of(const void *obj)
{
	return obj ? ((const struct kobj *)obj)->oid : 0;
}

/* What a blocked thread waits for, after "blocked: ". */
static void print_wait(const struct thread *t)
{
	switch (t->block) {
	case BK_SEND:
	case BK_CALL:
		kprintf("%s on Endpoint #%lu", t->block == BK_SEND ? "send" : "call",
			(unsigned long)oid_of(t->wait_obj));
		break;
	case BK_RECV:
		kprintf("receive on Endpoint #%lu", (unsigned long)oid_of(t->wait_obj));
		break;
	case BK_REPLY:
		if (t->replier)
			kprintf("reply from T%u (%s)", t->replier->id, t->replier->proc->name);
		else if (t->reply_obj)
			kprintf("reply from whoever holds Reply #%lu", (unsigned long)t->reply_obj->oid);
		else
			kprintf("reply (nobody holds it)");
		break;
	case BK_NOTIFY:
		kprintf("wait on Notification #%lu", (unsigned long)oid_of(t->wait_obj));
		if (t->wait_obj)   /* bits there while it waits: a wake-up lost in the kernel */
			kprintf(" (bits %#lx)", (unsigned long)((struct notification *)t->wait_obj)->bits);
		break;
	case BK_RING:
		kprintf("ring completions");
		break;
	case BK_SLEEP:
		kprintf("sleep");
		break;
	case BK_PAGE:
		kprintf("page %lu of MemoryObject #%lu", (unsigned long)t->page_wait,
			(unsigned long)oid_of(t->wait_obj));
		break;
	default:
		kprintf("nothing named (block %u)", (unsigned)t->block);
	}
	if (t->deadline) {
		uint64_t now = clock_ns();
		kprintf(", %s %lu us", t->deadline > now ? "times out in" : "timed out",
			(unsigned long)((t->deadline > now ? t->deadline - now : now - t->deadline) / 1000));
	}
}

static void print_thread(const struct thread *t)
{
	kprintf("kdump:   T%u prio %u cpu%u %s", t->id, t->prio, t->cpu,
		t->state <= TS_DEAD ? state_name[t->state] : "?");
	if (t->state == TS_BLOCKED) {
		kprintf(": ");
		print_wait(t);
	}
	if (t->upcall_pending)
		kprintf(" (upcall pending)");
	if (t->suspend_pending)
		kprintf(" (suspend pending)");
	if (t->reply_to)
		kprintf(" (owes T%u a reply)", t->reply_to->id);
	if (t->tf && t->started)
		kprintf(" pc %#lx", (unsigned long)arch_frame_pc(t->tf));
	kprintf("\n");
}

static void kdump(void)
{
	unsigned nproc = 0, nthreads = 0;

	kprintf("kdump: at %lu ms, %u CPUs\n", (unsigned long)(clock_ns() / 1000000), ncpus);
	for (unsigned i = 0; i < ncpus; i++) {
		const struct cpu *c = &cpus[i];
		if (!c->online) {
			kprintf("kdump: cpu%u offline\n", i);
			continue;
		}
		if (c->cur == &c->idle)
			kprintf("kdump: cpu%u idle", i);
		else
			kprintf("kdump: cpu%u runs T%u (%s)", i, c->cur->id, c->cur->proc->name);
		kprintf(", %u ready, %lu switches\n", c->nready, (unsigned long)c->switches);
	}
	list_for_each(pi, &process_live) {
		const struct process *p = list_entry(pi, struct process, live_node);
		nproc++;
		kprintf("kdump: process %u (%s), %u threads\n", p->id, p->name, p->nthreads);
		list_for_each(ti, &p->threads) {
			print_thread(list_entry(ti, struct thread, proc_node));
			nthreads++;
		}
	}
	kprintf("kdump: end: %u processes, %u threads\n", nproc, nthreads);
}

void kdump_run(void)
{
	lock_needs_kernel("kdump_run()");
	if (!__atomic_exchange_n(&kdump_wanted, 0, __ATOMIC_ACQ_REL))
		return;
	kdump();
}
