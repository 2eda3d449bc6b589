// SPDX-License-Identifier: MIT
/*
 * Threads and processes: creation, the end of a process (which releases
 * everything it had), user faults, the ELF loader, and starting init from
 * the boot image.
 */
#include <kernel/thread.h>
#include <kernel/ipc.h>
#include <kernel/memory.h>
#include <kernel/pager.h>
#include <kernel/syscall.h>
#include <kernel/smp.h>
#include <kernel/log.h>
#include <kernel/trap.h>
#include <kernel/console.h>
#include <kernel/clock.h>
#include <lib/elf.h>
#include <lib/cpio.h>

static uint64_t thread_ticks(const struct thread *t);
#include <string.h>
#include <format.h>

static uint32_t next_thread_id = 1, next_process_id = 1;
static struct process *init_proc;
/* The processes not yet ended (process_exit()), oldest first: what the
 * thread dump walks (kernel/kdump.c). */
struct list process_live = LIST_INIT(process_live);

/* ---- threads ---------------------------------------------------------------------- */

static void thread_first_run(void)
{
	sched_finish_switch();
	klock();
	kobj_reap();
	kunlock();
	arch_user_enter(current->tf);
}

struct thread *thread_create(struct process *p, struct quota *q)
{
	struct thread *t;
	paddr_t ks;

	if (p->state != PROC_STATE_RUNNING)
		return NULL;
	if (quota_charge(q, KSTACK_SIZE))
		return NULL;
	t = kobj_alloc(OBJ_THREAD, sizeof(*t), q);
	if (!t) {
		quota_uncharge(q, KSTACK_SIZE);
		return NULL;
	}
	ks = pmm_alloc(KSTACK_ORDER);
	if (ks == PADDR_INVALID) {
		kobj_put(&t->obj);     /* destroy uncharges the stack */
		kobj_reap();
		return NULL;
	}
	t->kstack = phys_to_virt(ks);
	t->tf = (struct trap_frame *)((char *)t->kstack + KSTACK_SIZE) - 1;
	memset(t->tf, 0, sizeof(*t->tf));
	t->proc = p;
	kobj_get(&p->obj);
	t->state = TS_INACTIVE;
	t->prio = 8;
	/* a thread made by a thread of its own process starts on its
	 * maker's CPUs (as Linux's clone does): pinning a program's main
	 * thread pins the threads it starts, with no moment elsewhere */
	t->affinity = current && current->proc == p ? current->affinity : ~0ull;
	t->cpu = (uint8_t)this_cpu()->id;
	t->id = next_thread_id++;
	list_init(&t->qnode);
	list_init(&t->tnode);
	list_init(&t->async_sent);
	arch_context_init(&t->ctx, (void *)ALIGN_DOWN((uintptr_t)t->tf, 16), thread_first_run);
	list_add_tail(&p->threads, &t->proc_node);   /* the list holds the first reference */
	p->nthreads++;
	return t;
}

void thread_kill(struct thread *t)
{
	struct process *p = t->proc;

	if (t->state == TS_DEAD)
		return;
	ipc_thread_cleanup(t);
	if (!t->on_cpu)
		sched_dequeue(t);
	else if (list_linked(&t->tnode))
		list_del(&t->tnode);
	t->state = TS_DEAD;
	sched_kick_sync(t);      /* running (here or on another CPU): stopped now */
	ring_release(t);
	if (t->ipcbuf_mo)
		kobj_put(&t->ipcbuf_mo->obj);
	t->ipcbuf_mo = NULL;
	t->ipcbuf = NULL;
	list_del(&t->proc_node);
	p->nthreads--;
	p->dead_ticks += thread_ticks(t);
	kobj_put(&t->obj);
}

/* ---- CPU time -------------------------------------------------------------------- */

/* t's run_ticks, and its run so far if it is some CPU's current thread
 * (read without that CPU's say: a moment off at most) */
static uint64_t thread_ticks(const struct thread *t)
{
	uint64_t r = t->run_ticks;
	const struct cpu *c = &cpus[t->cpu < CONFIG_NR_CPUS ? t->cpu : 0];

	if (t->on_cpu && __atomic_load_n(&c->cur, __ATOMIC_RELAXED) == t)
		r += arch_counter_read() - c->run_since;
	return r;
}

static uint64_t ticks_ns(uint64_t ticks)
{
	return (uint64_t)(((unsigned __int128)ticks * clock_mult()) >> 32);
}

uint64_t thread_cpu_ns(const struct thread *t)
{
	return ticks_ns(thread_ticks(t));
}

uint64_t process_cpu_ns(const struct process *p)
{
	uint64_t r = p->dead_ticks;

	list_for_each(it, &p->threads)
		r += thread_ticks(list_entry(it, struct thread, proc_node));
	return ticks_ns(r);
}

void thread_set_prio(struct thread *t, unsigned prio)
{
	if (t->state == TS_READY) {
		sched_dequeue(t);
		t->prio = prio;
		sched_ready(t);
	} else {
		bool lower = prio < t->prio;
		t->prio = prio;
		if (lower && t->state == TS_RUNNING)
			sched_check_preempt(t);     /* a more urgent thread may wait now */
	}
}

/* ---- processes --------------------------------------------------------------------- */

struct process *process_create(struct quota *parent, uint64_t limit, uint64_t reserve,
			       const char *name)
{
	struct quota *q = quota_create(parent, limit, reserve);
	struct process *p;

	if (!q)
		return NULL;
	p = kobj_alloc(OBJ_PROCESS, sizeof(*p), q);
	if (!p) {
		quota_put(q);
		return NULL;
	}
	p->quota = q;          /* the reference quota_create gave */
	list_init(&p->threads);
	list_init(&p->pagers);
	p->state = PROC_STATE_RUNNING;
	list_add_tail(&process_live, &p->live_node);
	p->id = next_process_id++;
	memcpy(p->name, name, MIN(strlen(name), sizeof(p->name) - 1));
	p->as = aspace_create(q);
	if (!p->as) {
		process_exit(p, PROC_STATE_KILLED, 0);
		kobj_put(&p->obj);
		kobj_reap();
		return NULL;
	}
	return p;
}

void process_exit(struct process *p, int state, uint64_t status)
{
	if (p->state != PROC_STATE_RUNNING)
		return;
	p->state = state;
	p->status = status;
	list_del(&p->live_node);
	while (!list_empty(&p->threads))
		thread_kill(list_entry(p->threads.next, struct thread, proc_node));
	cap_table_destroy(p);
	pager_process_gone(p);
	if (p->as)
		kobj_put(&p->as->obj);
	p->as = NULL;
	if (p->fault_ep)
		kobj_put(&p->fault_ep->obj);
	p->fault_ep = NULL;
	if (p->exit_notify) {
		notify_signal(p->exit_notify, p->exit_bits);
		kobj_put(&p->exit_notify->obj);
		p->exit_notify = NULL;
	}
	if (p == init_proc)
		process_init_ended(p);
}

void process_init_ended(struct process *p)
{
	static const char *const how[] = { "running", "exited", "was killed", "crashed" };
	int status = p->state == PROC_STATE_EXITED ? (int)(p->status & 0xff) : 1;

	kprintf("cairn: init %s (status %lu); powering off\n", how[p->state & 3],
		(unsigned long)p->status);
	console_flush();
	arch_poweroff(status);
}

/* The CAIRN_FAULT_* kind a fault reports to user space. */
unsigned fault_kind(unsigned trap_kind)
{
	switch (trap_kind) {
	case TRAP_USER_FAULT_READ: return CAIRN_FAULT_READ;
	case TRAP_USER_FAULT_WRITE: return CAIRN_FAULT_WRITE;
	case TRAP_USER_FAULT_EXEC: return CAIRN_FAULT_EXEC;
	case TRAP_USER_MISALIGNED: return CAIRN_FAULT_MISALIGNED;
	case TRAP_USER_BREAKPOINT: return CAIRN_FAULT_BREAKPOINT;
	case TRAP_USER_ILLEGAL: return CAIRN_FAULT_ILLEGAL;
	case TRAP_USER_ARITH: return CAIRN_FAULT_ARITH;
	case TRAP_USER_PAGER: return CAIRN_FAULT_PAGER;
	default: return CAIRN_FAULT_OTHER;
	}
}

void thread_fault(struct thread *t, unsigned kind, uintptr_t addr, uintptr_t pc)
{
	static const char *const what[] = {
		[TRAP_USER_FAULT_READ] = "read fault", [TRAP_USER_FAULT_WRITE] = "write fault",
		[TRAP_USER_FAULT_EXEC] = "exec fault", [TRAP_USER_ILLEGAL] = "illegal instruction",
		[TRAP_USER_BREAKPOINT] = "breakpoint", [TRAP_USER_MISALIGNED] = "misaligned access",
		[TRAP_USER_OTHER] = "exception", [TRAP_USER_ARITH] = "arithmetic exception",
		[TRAP_USER_PAGER] = "pager fault",
	};
	struct process *p = t->proc;
	bool prot = false;

	if (kind <= TRAP_USER_FAULT_EXEC && p->as) {
		enum fault_result r = aspace_fault(p->as, addr, kind, true);
		if (r == FAULT_FIXED)
			return;
		if (r == FAULT_PAGER)
			kind = TRAP_USER_PAGER;
		prot = r == FAULT_ACCESS;
	}
	p->fault_addr = addr;
	p->fault_pc = pc;
	if (ipc_send_fault(t, kind, prot, addr, pc))
		return;
	kprintf("cairn: process %u (%s) killed: %s at %#lx, pc %#lx\n", p->id, p->name,
		kind < ARRAY_SIZE(what) && what[kind] ? what[kind] : "exception",
		(unsigned long)addr, (unsigned long)pc);
	process_exit(p, PROC_STATE_FAULTED, fault_kind(kind));
}

/* ---- the ELF loader --------------------------------------------------------------- */

static uint8_t elf_hdr_buf[PAGE_SIZE];

static unsigned elf_prot(unsigned f)
{
	return ((f & ELF_PROT_R) ? PROT_R : 0) | ((f & ELF_PROT_W) ? PROT_W : 0) |
	       ((f & ELF_PROT_X) ? PROT_X : 0);
}

err_t process_load_elf(struct process *p, struct memobj *mo, uint64_t off, uint64_t size,
		       uint64_t *entry)
{
	struct elf_image img;
	const char *why = NULL;
	size_t hlen = MIN(size, sizeof(elf_hdr_buf));
	unsigned done = 0;
	err_t e;

	if (!p->as)
		return ERR_SRCH;
	if (off > mo->npages * PAGE_SIZE || size > mo->npages * PAGE_SIZE - off)
		return ERR_RANGE;
	if ((e = memobj_read(mo, off, elf_hdr_buf, hlen)))
		return e;
	e = elf_parse(elf_hdr_buf, hlen, size, CONFIG_ARCH_ELF_MACHINE, arch_user_top(), &img, &why);
	if (e) {
		pr_info("elf: %s: rejected: %s\n", p->name, why ? why : err_name(e));
		return e;
	}
	for (; done < img.nseg; done++) {
		struct elf_segment *s = &img.seg[done];
		vaddr_t start = ALIGN_DOWN(s->vaddr, PAGE_SIZE);
		size_t npages = (ALIGN_UP(s->vaddr + s->memsz, PAGE_SIZE) - start) / PAGE_SIZE;
		uint64_t foff = off + s->offset;

		/* A read-only segment all in the file, at the same place in its
		 * pages as in the file's: the file's own pages, mapped (no copy;
		 * the edge pages show the file's bytes around it, as Linux's
		 * mmap of a program does). Neither the mapping's maximum
		 * protection nor a fork's copy (copy-on-write) can write them. */
		if (!(s->prot & ELF_PROT_W) && s->filesz == s->memsz && foff % PAGE_SIZE == s->vaddr % PAGE_SIZE &&
		    (foff - s->vaddr % PAGE_SIZE) / PAGE_SIZE + npages <= mo->npages) {
			e = aspace_map(p->as, mo, start, (foff - s->vaddr % PAGE_SIZE) / PAGE_SIZE, npages,
				       elf_prot(s->prot), elf_prot(s->prot));
			if (e)
				goto out_unmap;
			continue;
		}
		struct memobj *seg = memobj_create(npages, 0, p->quota, &e);
		if (!seg)
			goto out_unmap;
		for (uint64_t copied = 0; copied < s->filesz && !e;) {
			uint64_t dst = s->vaddr - start + copied;
			size_t n = MIN(s->filesz - copied, PAGE_SIZE - dst % PAGE_SIZE);
			void *to = memobj_kaddr(seg, dst);
			e = to ? memobj_read(mo, off + s->offset + copied, to, n) : ERR_NOMEM;
			copied += n;
		}
		if (!e)
			e = aspace_map(p->as, seg, start, 0, npages, elf_prot(s->prot), elf_prot(s->prot));
		kobj_put(&seg->obj);
		if (e)
			goto out_unmap;
	}
	*entry = img.entry;
	return ERR_OK;
out_unmap:
	for (unsigned i = 0; i < done; i++) {
		vaddr_t start = ALIGN_DOWN(img.seg[i].vaddr, PAGE_SIZE);
		aspace_unmap(p->as, start, ALIGN_UP(img.seg[i].vaddr + img.seg[i].memsz, PAGE_SIZE) - start);
	}
	kobj_reap();
	return e;
}

/* ---- init ------------------------------------------------------------------------------ */

/* Maps a fresh MemoryObject of npages at va in p; returns it (the mapping
 * holds it; the caller's reference is returned too). */
static struct memobj *map_new(struct process *p, vaddr_t va, size_t npages, unsigned prot)
{
	err_t e;
	struct memobj *mo = memobj_create(npages, 0, p->quota, &e);

	if (!mo)
		return NULL;
	if (aspace_map(p->as, mo, va, 0, npages, prot, prot)) {
		kobj_put(&mo->obj);
		return NULL;
	}
	return mo;
}

static err_t grant_root(struct process *p, cap_t slot, struct kobj *obj, unsigned rights)
{
	struct cap *c;
	err_t e = cap_reserve(p, slot, &c);

	if (!e)
		cap_install(c, obj, rights, 0);
	return e;
}

/* Appends a string and its NUL to the start-up block. */
static size_t block_add(char *block, size_t len, const char *s)
{
	size_t n = strlen(s) + 1;

	memcpy(block + len, s, n);
	return len + n;
}

bool process_start_init(const struct boot_info *bi)
{
	static const struct { const char *name; unsigned type, rights; } roots[] = {
		{ "console", OBJ_DEBUG_CONSOLE, RIGHT_READ | RIGHT_WRITE | RIGHT_MANAGE },
		{ "irqctl", OBJ_IRQ_CONTROL, RIGHT_MANAGE },
		{ "mmioctl", OBJ_MMIO_CONTROL, RIGHT_MANAGE },
		{ "kinfo", OBJ_KINFO, RIGHT_READ | RIGHT_MANAGE },   /* m: KINFO_SET_REALTIME */
		{ "ioportctl", OBJ_IOPORT_CONTROL, RIGHT_MANAGE },   /* where there are ports */
	};
	size_t img_size = bi->initrd_end - bi->initrd_start;
	struct cpio_entry ent;
	struct process *p;
	struct thread *t;
	struct memobj *image, *stack, *ipcbuf, *startup;
	uint64_t entry, limit;
	char block[256], name[32];
	size_t len = 0;
	err_t e;

	if (!img_size)
		return false;
	if (cpio_find(phys_to_virt(bi->initrd_start), img_size, "bin/init", &ent)) {
		pr_err("boot image: no bin/init\n");
		return false;
	}
	/* init gets what is free now, less an eighth kept for the kernel itself */
	limit = (uint64_t)pmm_free_pages() * PAGE_SIZE / 8 * 7;
	p = process_create(NULL, limit, limit, "init");
	if (!p)
		panic("cannot create init");
	init_proc = p;
	image = memobj_create(ALIGN_UP(img_size, PAGE_SIZE) / PAGE_SIZE, 0, p->quota, &e);
	if (!image)
		panic("no memory for the boot image (%s)", err_name(e));
	memobj_write(image, 0, phys_to_virt(bi->initrd_start), img_size);
	e = process_load_elf(p, image, (uint64_t)((const char *)ent.data - (const char *)phys_to_virt(bi->initrd_start)),
			     ent.size, &entry);
	if (e)
		panic("cannot load bin/init (%s)", err_name(e));
	stack = map_new(p, CAIRN_STACK_TOP - CAIRN_STACK_PAGES * PAGE_SIZE, CAIRN_STACK_PAGES, PROT_R | PROT_W);
	ipcbuf = map_new(p, CAIRN_IPCBUF_VA, 1, PROT_R | PROT_W);
	startup = map_new(p, CAIRN_STARTUP_VA, 1, PROT_R);
	t = thread_create(p, p->quota);
	if (!stack || !ipcbuf || !startup || !t)
		panic("cannot set up init");
	kobj_put(&stack->obj);
	kobj_put(&startup->obj);
	t->prio = t->mcp = INIT_PRIORITY;
	t->ipcbuf_mo = ipcbuf;          /* the creation reference */
	if (memobj_pin(ipcbuf, 0))
		panic("no memory for init's IPC buffer");
	t->ipcbuf = memobj_kaddr(ipcbuf, 0);

	if (grant_root(p, SLOT_SELF_PROC, &p->obj, RIGHTS_ALL) ||
	    grant_root(p, SLOT_SELF_AS, &p->as->obj, RIGHTS_ALL) ||
	    grant_root(p, SLOT_SELF_THREAD, &t->obj, RIGHTS_ALL) ||
	    grant_root(p, SLOT_FIRST_FREE, &image->obj, RIGHT_READ))
		panic("cannot give init its capabilities");
	kobj_put(&image->obj);
	kobj_put(&p->obj);              /* init lives by its own capability */
	len = block_add(block, len, "1");
	len = block_add(block, len, "init");
	fmt_snprintf(name, sizeof(name), "bootimage=%u", SLOT_FIRST_FREE);
	len = block_add(block, len, name);
	for (unsigned i = 0; i < ARRAY_SIZE(roots); i++) {
		cap_t slot = SLOT_FIRST_FREE + 1 + i;
		if (roots[i].type == OBJ_IOPORT_CONTROL && !ARCH_IO_PORTS)
			continue;               /* riscv64: no port space, no IoPortControl */
		if (grant_root(p, slot, devobj_root(roots[i].type), roots[i].rights))
			panic("cannot give init its capabilities");
		fmt_snprintf(name, sizeof(name), "%s=%u", roots[i].name, (unsigned)slot);
		len = block_add(block, len, name);
	}
	block[len++] = 0;
	memobj_write(startup, 0, block, len);

	arch_user_frame_init(t->tf, entry, CAIRN_STACK_TOP, CAIRN_STARTUP_VA);
	t->started = 1;
	sched_ready(t);
	pr_info("init: process %u, entry %#lx, boot image %lu bytes\n", p->id, (unsigned long)entry,
		(unsigned long)img_size);
	return true;
}

/* ---- hooks from the arch ----------------------------------------------------------- */

void trap_user(struct trap_frame *tf, unsigned kind, uintptr_t addr)
{
	/* suspended or killed by another CPU as it trapped: nothing now (a
	 * suspended thread traps again at the same instruction when resumed) */
	if (current->state != TS_RUNNING)
		return;
	thread_fault(current, kind, addr, arch_frame_pc(tf));
}

bool vm_user_fault(uintptr_t addr, bool write)
{
	struct thread *t = current;

	if (!t || !t->proc || !t->proc->as)
		return false;
	/* the kernel's own user copies never wait for a pager (ERR_FAULT) */
	return aspace_fault(t->proc->as, addr, write ? TRAP_USER_FAULT_WRITE : TRAP_USER_FAULT_READ,
			    false) == FAULT_FIXED;
}
