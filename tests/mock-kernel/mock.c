/* SPDX-License-Identifier: MIT */
/*
 * A mock Cairn kernel, to test the user side (libcairn, init) on the host
 * before and besides QEMU. The user code is built for the host with
 * tests/mock-kernel/include/cairn/syscall_arch.h, whose "trap" is a call to
 * mock_syscall() below; the result is one freestanding static x86-64 Linux
 * program (raw Linux system calls only, no libc) that plays init.
 *
 *   mockinit BOOTIMAGE.cpio [FAIL_AT]   run init on that boot image; FAIL_AT
 *                                       makes the FAIL_AT-th kernel method
 *                                       called fail with ERR_NOMEM
 *   mockinit --check-elf riscv64|x86_64 FILE...
 *                                       run lib/elf's checks (the kernel's
 *                                       loader's) on program files
 *
 * The mock follows include/cairn/abi.h and checks what a kernel would
 * (slots, rights, ranges, quotas) plus what the user side promises:
 * a started service has its program, stack, IPC buffer, a read-only
 * start-up block naming exactly the capabilities it holds, its own caps in
 * slots 0..2; init leaves no half-built process and, when it exits, holds
 * no capability to any service's objects. Services do not run: at
 * THREAD_START each one ends at once, by its name: "crash*" faults, an
 * argument "exit=N" exits N, anything else exits 0. Results a call does
 * not define are poisoned. Every violation prints "mock: PROBLEM: ..." and
 * makes the exit status 100; otherwise it is init's.
 * MemoryObjects are memfds, and init's own mappings real mmaps of them.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <format.h>
#include <lib/elf.h>
#include <cairn/abi.h>
#include <cairn/syscall_arch.h>

#define PAGE       4096ull
#define USER_TOP   (1ull << 38)     /* 256 GiB: the Sv39 limit */
#define MAX_OBJ    2048
#define MAX_PROC   64
#define MAX_MAP    256
#define POISON     0x5a5a5a5a00000000ull
#define INIT_QUOTA (64ull << 20)
#define INIT_PRIORITY 16           /* init's start priority: the most it may give */

/* ---- Linux ------------------------------------------------------------------ */
enum { L_READ = 0, L_WRITE = 1, L_OPEN = 2, L_CLOSE = 3, L_FSTAT = 5, L_MMAP = 9,
       L_MPROTECT = 10, L_MUNMAP = 11, L_PREAD = 17, L_FTRUNCATE = 77, L_EXIT_GROUP = 231,
       L_MEMFD_CREATE = 319 };
#define L_PROT_R 1
#define L_PROT_W 2
#define L_MAP_SHARED 1
#define L_MAP_PRIVATE 2
#define L_MAP_ANON 0x20
#define L_MAP_FIXED_NOREPLACE 0x100000

static long lsys(long n, long a, long b, long c, long d, long e, long f)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	long ret;

	__asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8),
			 "r"(r9) : "rcx", "r11", "memory");
	return ret;
}

__attribute__((noreturn)) static void lexit(int status)
{
	for (;;)
		lsys(L_EXIT_GROUP, status, 0, 0, 0, 0, 0);
}

static void lwrite(const char *s, size_t n)
{
	while (n) {
		long r = lsys(L_WRITE, 1, (long)s, (long)n, 0, 0, 0);
		if (r <= 0)
			return;
		s += r;
		n -= (size_t)r;
	}
}

static void *lmmap(uint64_t va, uint64_t len, int prot, int flags, int fd, uint64_t off)
{
	return (void *)lsys(L_MMAP, (long)va, (long)len, prot, flags, fd, (long)off);
}

__attribute__((format(printf, 1, 2))) static void say(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	lwrite(buf, n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

static unsigned problems;
#define PROBLEM(...) (say("mock: PROBLEM: " __VA_ARGS__), problems++)

/* ---- objects, processes, capabilities ------------------------------------------ */
struct proc;

struct obj {
	unsigned type, id;
	struct proc *owner;          /* charged to */
	struct proc *proc;           /* PROCESS, ASPACE, THREAD: whose */
	uint64_t pages;              /* MEMOBJ */
	int fd;
	uint64_t bits;               /* NOTIFICATION: pending */
	struct obj *ipcbuf;          /* THREAD */
	uint64_t ipcbuf_va;
	bool started;
};

struct cap {
	struct obj *o;
	unsigned rights;
	uint64_t badge;
};

struct mapping {
	uint64_t va, pages;
	unsigned prot;
	struct obj *mo;              /* NULL: an ELF segment */
};

struct proc {
	unsigned id;
	struct obj *self, *as, *thread;
	struct cap caps[CAP_SLOTS];
	struct mapping map[MAX_MAP];
	unsigned nmap;
	uint64_t quota, used;
	bool loaded;
	uint64_t entry;
	unsigned state;
	int64_t status;
	uint64_t fault_addr, fault_pc;
	struct obj *exit_obj;
	uint64_t exit_bits;
	char name[64];
};

static struct obj objs[MAX_OBJ];
static unsigned nobj;
static struct proc procs[MAX_PROC];
static unsigned nproc;
static struct proc *init;
static unsigned long ncalls, fail_at;

static const char *type_name(unsigned t)
{
	static const char *const n[] = { "none", "process", "aspace", "thread", "endpoint", "reply",
		"notification", "memobj", "irqline", "mmio", "timer", "irqctl", "mmioctl", "console",
		"kinfo", "ioportctl", "ioport" };
	return t < sizeof(n) / sizeof(n[0]) ? n[t] : "?";
}

static err_t charge(struct proc *p, uint64_t bytes)
{
	if (bytes > p->quota - p->used)
		return ERR_NOMEM;
	p->used += bytes;
	return ERR_OK;
}

static struct obj *obj_new(unsigned type, struct proc *owner)
{
	struct obj *o;

	if (nobj == MAX_OBJ) {
		PROBLEM("out of mock objects\n");
		lexit(100);
	}
	o = &objs[nobj++];
	memset(o, 0, sizeof(*o));
	o->type = type;
	o->id = nobj;
	o->owner = owner;
	o->fd = -1;
	return o;
}

static struct cap *cap_get(struct proc *p, uint64_t slot)
{
	if (slot >= CAP_SLOTS || !p->caps[slot].o)
		return NULL;
	return &p->caps[slot];
}

static err_t cap_put(struct proc *p, uint64_t dst, struct obj *o, unsigned rights, uint64_t badge,
		     uint64_t *slot)
{
	if (dst == CAP_NULL) {
		for (dst = SLOT_FIRST_FREE; dst < CAP_SLOTS && p->caps[dst].o; dst++)
			;
		if (dst == CAP_SLOTS)
			return ERR_NOSPC;
	} else if (dst >= CAP_SLOTS) {
		return ERR_BADF;
	} else if (p->caps[dst].o) {
		return ERR_EXIST;
	}
	p->caps[dst] = (struct cap){ o, rights, badge };
	if (slot)
		*slot = dst;
	return ERR_OK;
}

static struct proc *proc_new(struct proc *parent, uint64_t quota)
{
	struct proc *p;

	if (nproc == MAX_PROC) {
		PROBLEM("out of mock processes\n");
		lexit(100);
	}
	p = &procs[nproc++];
	memset(p, 0, sizeof(*p));
	p->id = nproc;
	p->quota = quota;
	p->self = obj_new(OBJ_PROCESS, parent);
	p->self->proc = p;
	p->as = obj_new(OBJ_ASPACE, p);
	p->as->proc = p;
	p->state = PROC_STATE_RUNNING;
	return p;
}

static err_t memobj_new(struct proc *owner, uint64_t pages, struct obj **out)
{
	struct obj *o;
	long fd;

	if (!pages || pages > 65536)
		return ERR_INVAL;
	if (charge(owner, pages * PAGE))
		return ERR_NOMEM;
	fd = lsys(L_MEMFD_CREATE, (long)"memobj", 0, 0, 0, 0, 0);
	if (fd < 0 || lsys(L_FTRUNCATE, fd, (long)(pages * PAGE), 0, 0, 0, 0) < 0) {
		PROBLEM("memfd: %ld\n", fd);
		lexit(100);
	}
	o = obj_new(OBJ_MEMOBJ, owner);
	o->pages = pages;
	o->fd = (int)fd;
	*out = o;
	return ERR_OK;
}

/* A process ended: note how, signal its exit notification. */
static void proc_end(struct proc *p, unsigned state, int64_t status, uint64_t addr, uint64_t pc)
{
	p->state = state;
	p->status = status;
	p->fault_addr = addr;
	p->fault_pc = pc;
	if (p->exit_obj)
		p->exit_obj->bits |= p->exit_bits;
}

static struct mapping *map_find(struct proc *p, uint64_t va)
{
	for (unsigned i = 0; i < p->nmap; i++)
		if (va >= p->map[i].va && va < p->map[i].va + p->map[i].pages * PAGE)
			return &p->map[i];
	return NULL;
}

static err_t map_add(struct proc *p, uint64_t va, uint64_t pages, unsigned prot, struct obj *mo)
{
	if (va % PAGE || !pages || va < PAGE || va >= USER_TOP || pages > (USER_TOP - va) / PAGE)
		return ERR_INVAL;
	for (unsigned i = 0; i < p->nmap; i++)
		if (va < p->map[i].va + p->map[i].pages * PAGE && p->map[i].va < va + pages * PAGE)
			return ERR_EXIST;
	if (p->nmap == MAX_MAP)
		return ERR_NOMEM;
	p->map[p->nmap++] = (struct mapping){ va, pages, prot, mo };
	return ERR_OK;
}

/* ---- the checks of a service at THREAD_START ---------------------------------------- */
static bool mapped_as(struct proc *p, uint64_t va, uint64_t pages, unsigned prot, struct obj *mo)
{
	struct mapping *m = map_find(p, va);

	return m && m->va == va && m->pages == pages && m->prot == prot && (!mo || m->mo == mo) &&
	       m->mo && m->mo->owner == p;
}

/* The next string of the start-up block, or NULL at its end or if the
 * string runs past it. */
static char *blk_next(char *blk, size_t *pos)
{
	char *s = blk + *pos;
	size_t len;

	if (*pos >= CAIRN_STARTUP_MAX)
		return NULL;
	len = strnlen(s, CAIRN_STARTUP_MAX - *pos);
	if (*pos + len >= CAIRN_STARTUP_MAX)
		return NULL;
	*pos += len + 1;
	return s;
}

/* Reads the start-up block the way a program would, and checks it names
 * exactly the capabilities the process holds beyond slots 0..2. */
static void check_startup(struct proc *p, struct obj *mo, char *argv0, size_t argv0_size,
			  uint64_t *args)
{
	static char blk[CAIRN_STARTUP_MAX + 1];
	char line[512];
	size_t pos = 0, ll = 0;
	bool named[CAP_SLOTS] = { false };
	unsigned long argc;
	char *end;

	memset(blk, 0, sizeof(blk));
	if (lsys(L_PREAD, mo->fd, (long)blk, CAIRN_STARTUP_MAX, 0, 0, 0) != CAIRN_STARTUP_MAX) {
		PROBLEM("cannot read the start-up block\n");
		return;
	}
	char *s = blk_next(blk, &pos);

	argc = s ? strtoul(s, &end, 10) : 0;
	if (!s || !*s || *end || argc == 0 || argc > 64) {
		PROBLEM("start-up block: bad argc\n");
		return;
	}
	ll += fmt_snprintf(line + ll, sizeof(line) - ll, "argv:");
	for (unsigned long i = 0; i < argc; i++) {
		s = blk_next(blk, &pos);
		if (!s) {
			PROBLEM("start-up block: argv cut short\n");
			return;
		}
		if (i == 0)
			strlcpy(argv0, s, argv0_size);
		if (!strncmp(s, "exit=", 5))
			*args = strtoul(s + 5, NULL, 0);
		ll += fmt_snprintf(line + ll, sizeof(line) - ll, " %s", s);
	}
	ll += fmt_snprintf(line + ll, sizeof(line) - ll, "; caps:");
	while ((s = blk_next(blk, &pos)) && *s) {
		char *eq = strchr(s, '=');
		unsigned long slot;
		struct cap *c;

		if (!eq || eq == s) {
			PROBLEM("start-up block: bad entry '%s'\n", s);
			return;
		}
		slot = strtoul(eq + 1, &end, 10);
		c = *end || end == eq + 1 ? NULL : cap_get(p, slot);
		if (!c || slot < SLOT_FIRST_FREE) {
			PROBLEM("start-up block: '%s' names no capability of the service\n", s);
			continue;
		}
		named[slot] = true;
		ll += fmt_snprintf(line + ll, sizeof(line) - ll, " %.*s=%lu(%s#%u,%#x)", (int)(eq - s), s,
				   slot, type_name(c->o->type), c->o->id, c->rights);
	}
	if (!s)
		PROBLEM("start-up block: no closing empty string\n");
	say("mock: start %s (process %u) %s\n", argv0, p->id, line);
	for (unsigned i = SLOT_FIRST_FREE; i < CAP_SLOTS; i++)
		if (p->caps[i].o && !named[i])
			PROBLEM("%s holds slot %u (%s) that its start-up block does not name\n", argv0, i,
				type_name(p->caps[i].o->type));
}

static err_t thread_start(struct obj *t, const uint64_t *w)
{
	struct proc *p = t->proc;
	struct mapping *m;
	char name[64] = "?";
	uint64_t exit_arg = 0;

	if (t->started)
		return ERR_BUSY;
	if (w[3] > INIT_PRIORITY)
		return ERR_PERM;        /* above the caller's start priority */
	t->started = true;
	if (p == init) {
		PROBLEM("init started a thread of its own\n");
		return ERR_OK;
	}
	if (!p->loaded)
		PROBLEM("thread started before its program was loaded\n");
	if (w[0] != p->entry || w[1] != CAIRN_STACK_TOP || w[2] != CAIRN_STARTUP_VA)
		PROBLEM("THREAD_START(%#lx, %#lx, %#lx, %lu): want (entry %#lx, stack top, start-up block)\n",
			(unsigned long)w[0], (unsigned long)w[1], (unsigned long)w[2], (unsigned long)w[3],
			(unsigned long)p->entry);
	if (!mapped_as(p, CAIRN_STACK_TOP - CAIRN_STACK_PAGES * PAGE, CAIRN_STACK_PAGES,
		       CAIRN_PROT_R | CAIRN_PROT_W, NULL))
		PROBLEM("no stack of %u pages RW, charged to the service, below CAIRN_STACK_TOP\n",
			CAIRN_STACK_PAGES);
	if (!t->ipcbuf || t->ipcbuf_va != CAIRN_IPCBUF_VA ||
	    !mapped_as(p, CAIRN_IPCBUF_VA, 1, CAIRN_PROT_R | CAIRN_PROT_W, t->ipcbuf))
		PROBLEM("no IPC buffer registered and mapped RW at CAIRN_IPCBUF_VA\n");
	m = map_find(p, CAIRN_STARTUP_VA);
	if (!m || !mapped_as(p, CAIRN_STARTUP_VA, 1, CAIRN_PROT_R, m->mo)) {
		PROBLEM("no read-only start-up block at CAIRN_STARTUP_VA\n");
	} else {
		for (unsigned i = 0; i < init->nmap; i++)
			if (init->map[i].mo == m->mo)
				PROBLEM("init still maps the service's start-up block\n");
		check_startup(p, m->mo, name, sizeof(name), &exit_arg);
	}
	strlcpy(p->name, name, sizeof(p->name));
	if (!cap_get(p, SLOT_SELF_PROC) || p->caps[SLOT_SELF_PROC].o != p->self ||
	    !cap_get(p, SLOT_SELF_AS) || p->caps[SLOT_SELF_AS].o != p->as ||
	    !cap_get(p, SLOT_SELF_THREAD) || p->caps[SLOT_SELF_THREAD].o != t)
		PROBLEM("%s: slots 0..2 are not its own process, address space and thread\n", name);

	if (!strncmp(name, "crash", 5))
		proc_end(p, PROC_STATE_FAULTED, 0xdead000, 0xdead000, 0x400123);   /* as the kernel */
	else
		proc_end(p, PROC_STATE_EXITED, (int64_t)exit_arg, 0, 0);
	return ERR_OK;
}

/* ---- kernel methods ----------------------------------------------------------------- */
static bool has(const struct cap *c, unsigned rights) { return (c->rights & rights) == rights; }

static err_t proc_method(struct cap *c, unsigned label, struct cap *c0, const uint64_t *w,
			 uint64_t *res)
{
	struct proc *p = c->o->proc, *child;
	struct obj *o;
	err_t e;

	if (label != PROC_STATUS && !has(c, RIGHT_MANAGE))
		return ERR_PERM;
	switch (label) {
	case PROC_CREATE:
		switch (w[0]) {
		case OBJ_PROCESS: {
			/* cairn_quota_arg(limit, reserve): the reserve is charged
			 * to the creator now (the mock charges no use beyond it) */
			uint64_t limit = cairn_quota_limit(w[1]), reserve = cairn_quota_reserve(w[1]);

			if (!limit || reserve > limit || charge(p, reserve))
				return ERR_NOMEM;
			child = proc_new(p, limit);
			if ((e = cap_put(init, CAP_NULL, child->self, RIGHTS_ALL, 0, &res[0])))
				return e;
			return cap_put(init, CAP_NULL, child->as, RIGHTS_ALL, 0, &res[1]);
		}
		case OBJ_THREAD:
			if (charge(p, PAGE))
				return ERR_NOMEM;
			o = obj_new(OBJ_THREAD, p);
			o->proc = p;
			if (!p->thread)
				p->thread = o;
			break;
		case OBJ_ENDPOINT:
		case OBJ_NOTIFICATION:
		case OBJ_TIMER:
			if (charge(p, 256))
				return ERR_NOMEM;
			o = obj_new((unsigned)w[0], p);
			break;
		case OBJ_MEMOBJ:
			if (w[2] & ~(uint64_t)MEMOBJ_CONTIG)
				return ERR_INVAL;
			if ((e = memobj_new(p, w[1], &o)))
				return e;
			break;
		default:
			return ERR_INVAL;
		}
		return cap_put(init, CAP_NULL, o, RIGHTS_ALL, 0, &res[0]);
	case PROC_GRANT:
		if (!c0)
			return ERR_INVAL;
		return cap_put(p, w[0], c0->o, c0->rights & (unsigned)w[1], w[2] ? w[2] : c0->badge,
			       &res[0]);
	case PROC_LOAD_ELF: {
		static uint8_t file[4 << 20];
		struct elf_image img;
		const char *why;

		if (!c0 || c0->o->type != OBJ_MEMOBJ || !has(c0, RIGHT_READ))
			return ERR_INVAL;
		if (w[0] > c0->o->pages * PAGE || w[1] > c0->o->pages * PAGE - w[0] || w[1] > sizeof(file))
			return ERR_INVAL;
		if (p->loaded)
			return ERR_BUSY;
		if (lsys(L_PREAD, c0->o->fd, (long)file, (long)w[1], (long)w[0], 0, 0) != (long)w[1])
			return ERR_IO;
		if (elf_parse(file, w[1] < 4096 ? w[1] : 4096, w[1], ELF_MACHINE_X86_64, USER_TOP, &img,
			      &why)) {
			say("mock: PROC_LOAD_ELF: %s\n", why);
			return ERR_NOEXEC;
		}
		for (unsigned i = 0; i < img.nseg; i++) {
			uint64_t va = img.seg[i].vaddr & ~(PAGE - 1);
			uint64_t pages = (img.seg[i].vaddr + img.seg[i].memsz - va + PAGE - 1) / PAGE;

			if (charge(p, pages * PAGE) || map_add(p, va, pages, img.seg[i].prot, NULL))
				return ERR_NOMEM;
		}
		p->loaded = true;
		p->entry = res[0] = img.entry;
		return ERR_OK;
	}
	case PROC_KILL:
		if (p->state == PROC_STATE_RUNNING)
			proc_end(p, PROC_STATE_KILLED, (int64_t)w[0], 0, 0);
		return ERR_OK;
	case PROC_STATUS:
		res[0] = p->state;
		res[1] = (uint64_t)p->status;
		res[2] = p->fault_addr;
		res[3] = p->fault_pc;
		return ERR_OK;
	case PROC_BIND_EXIT:
		if (!c0 || c0->o->type != OBJ_NOTIFICATION || !has(c0, RIGHT_WRITE))
			return ERR_INVAL;
		p->exit_obj = c0->o;
		p->exit_bits = w[0];
		if (p->state != PROC_STATE_RUNNING)
			c0->o->bits |= w[0];
		return ERR_OK;
	default:
		return ERR_NOSYS;
	}
}

static err_t as_method(struct cap *c, unsigned label, struct cap *c0, const uint64_t *w)
{
	struct proc *p = c->o->proc;
	uint64_t va = w[0], pages = w[2] & ((1ull << 48) - 1);
	unsigned prot = (unsigned)(w[2] >> 48);
	struct mapping *m;
	err_t e;

	if (!has(c, RIGHT_MANAGE))
		return ERR_PERM;
	switch (label) {
	case AS_MAP:
		if (!c0 || c0->o->type != OBJ_MEMOBJ || !prot || prot > 7)
			return ERR_INVAL;
		if (((prot & CAIRN_PROT_R) && !has(c0, RIGHT_READ)) ||
		    ((prot & CAIRN_PROT_W) && !has(c0, RIGHT_WRITE)) ||
		    ((prot & CAIRN_PROT_X) && !has(c0, RIGHT_EXEC)))
			return ERR_PERM;
		if (w[1] > c0->o->pages || pages > c0->o->pages - w[1])
			return ERR_INVAL;
		if ((e = map_add(p, va, pages, prot, c0->o)))
			return e;
		if (p == init) {
			void *r = lmmap(va, pages * PAGE, (int)(prot & 3), L_MAP_SHARED | L_MAP_FIXED_NOREPLACE,
					c0->o->fd, w[1] * PAGE);
			if (r != (void *)(uintptr_t)va) {
				PROBLEM("host mmap at %#lx: %ld\n", (unsigned long)va, (long)r);
				p->nmap--;
				return ERR_NOMEM;
			}
		}
		return ERR_OK;
	case AS_UNMAP:
		m = map_find(p, va);
		if (!m || m->va != va || m->pages * PAGE != w[1] || !m->mo) {
			PROBLEM("AS_UNMAP(%#lx, %#lx) matches no mapping made by AS_MAP\n", (unsigned long)va,
				(unsigned long)w[1]);
			return ERR_INVAL;
		}
		if (p == init)
			lsys(L_MUNMAP, (long)va, (long)w[1], 0, 0, 0, 0);
		*m = p->map[--p->nmap];
		return ERR_OK;
	default:
		return ERR_NOSYS;
	}
}

static err_t method(struct cap *c, unsigned label, uint64_t tag, struct cap *c0, const uint64_t *w,
		    uint64_t *res)
{
	struct cairn_ipcbuf *ib = (struct cairn_ipcbuf *)CAIRN_IPCBUF_VA;
	struct obj *o = c->o, *n;

	switch (o->type) {
	case OBJ_PROCESS:
		return proc_method(c, label, c0, w, res);
	case OBJ_ASPACE:
		return as_method(c, label, c0, w);
	case OBJ_THREAD:
		if (!has(c, RIGHT_MANAGE))
			return ERR_PERM;
		if (label == THREAD_SET_IPCBUF) {
			if (!c0 || c0->o->type != OBJ_MEMOBJ || w[0] >= c0->o->pages || w[1] % PAGE)
				return ERR_INVAL;
			o->ipcbuf = c0->o;
			o->ipcbuf_va = w[1];
			return ERR_OK;
		}
		if (label == THREAD_START)
			return thread_start(o, w);
		return ERR_NOSYS;
	case OBJ_MEMOBJ:
		if (label != MEMOBJ_INFO)
			return ERR_NOSYS;
		res[0] = o->pages;
		res[1] = 0;
		return ERR_OK;
	case OBJ_DEBUG_CONSOLE:
		if (label != DEBUG_WRITE)
			return ERR_NOSYS;
		if (!has(c, RIGHT_WRITE))
			return ERR_PERM;
		if (w[0] > (CAIRN_MSG_MAX - 4) * 8 || cairn_tag_len(tag) < 4 + (w[0] + 7) / 8) {
			PROBLEM("DEBUG_WRITE of %lu bytes in a message of %u words\n", (unsigned long)w[0],
				cairn_tag_len(tag));
			return ERR_INVAL;
		}
		lwrite((const char *)&ib->w[4], w[0]);
		return ERR_OK;
	case OBJ_KINFO:
		if (label != KINFO_FREE_PAGES)
			return ERR_NOSYS;
		res[0] = (init->quota - init->used) / PAGE;
		res[1] = init->quota / PAGE;
		return ERR_OK;
	case OBJ_IRQ_CONTROL:
	case OBJ_MMIO_CONTROL:
		if (label != (o->type == OBJ_IRQ_CONTROL ? IRQCTL_GET : MMIOCTL_GET))
			return ERR_NOSYS;
		n = obj_new(o->type == OBJ_IRQ_CONTROL ? OBJ_IRQLINE : OBJ_MMIO, init);
		return cap_put(init, CAP_NULL, n, RIGHTS_ALL, 0, &res[0]);
	case OBJ_IOPORT_CONTROL:
		if (label != IOPORTCTL_GET)
			return ERR_NOSYS;
		if (!w[1] || w[1] > 0x10000 || w[0] > 0x10000 - w[1]) {
			PROBLEM("IOPORTCTL_GET of %#lx ports at %#lx\n", (unsigned long)w[1],
				(unsigned long)w[0]);
			return ERR_INVAL;
		}
		n = obj_new(OBJ_IOPORT, init);
		return cap_put(init, CAP_NULL, n, RIGHTS_ALL, 0, &res[0]);
	default:
		return ERR_NOSYS;
	}
}

/* ---- system calls --------------------------------------------------------------------- */
static uint64_t sys_call(uint64_t slot, uint64_t tag, const uint64_t *w, uint64_t out[6])
{
	struct cairn_ipcbuf *ib = (struct cairn_ipcbuf *)CAIRN_IPCBUF_VA;
	struct cap *c = cap_get(init, slot), *c0 = NULL;
	unsigned label = cairn_tag_label(tag);
	uint64_t res[4] = { POISON + 3, POISON + 4, POISON + 5, POISON + 6 };
	err_t e;

	if (!c)
		return ERR_BADF;
	if (cairn_tag_ncaps(tag) > CAIRN_MSG_MAX_CAPS || cairn_tag_len(tag) > CAIRN_MSG_MAX)
		return ERR_INVAL;
	if (cairn_tag_ncaps(tag) && !(c0 = cap_get(init, ib->caps[0])))
		return ERR_BADF;
	if (label != DEBUG_WRITE && ++ncalls == fail_at) {
		say("mock: failing kernel call %lu (method %u on a %s) with ENOMEM\n", ncalls, label,
		    type_name(c->o->type));
		e = ERR_NOMEM;
	} else {
		e = method(c, label, tag, c0, w, res);
	}
	out[0] = 0;
	out[1] = cairn_tag((uint32_t)e, 4, 0);
	if (e)
		res[0] = res[1] = res[2] = res[3] = POISON;
	memcpy(&out[2], res, sizeof(res));
	return 0;
}

static uint64_t sys_wait(uint64_t slot, uint64_t timeout, uint64_t out[6])
{
	struct cap *c = cap_get(init, slot);

	if (!c || c->o->type != OBJ_NOTIFICATION)
		return ERR_BADF;
	if (!has(c, RIGHT_READ))
		return ERR_PERM;
	if (c->o->bits) {
		out[0] = c->o->bits;
		c->o->bits = 0;
		return 0;
	}
	if (timeout == 0)
		return ERR_AGAIN;
	PROBLEM("init waits on a notification that nothing will signal\n");
	lexit(100);
}

static uint64_t sys_cap(uint64_t op, uint64_t slot, uint64_t dst, uint64_t rights, uint64_t badge,
			uint64_t out[6])
{
	struct cap *c = cap_get(init, slot);

	if (!c) {
		PROBLEM("SYS_CAP %lu on empty slot %lu\n", (unsigned long)op, (unsigned long)slot);
		return ERR_BADF;
	}
	switch (op) {
	case CAP_OP_DELETE:
		memset(c, 0, sizeof(*c));
		return 0;
	case CAP_OP_COPY:
		return cap_put(init, dst, c->o, c->rights & (unsigned)rights, c->badge, &out[0]);
	case CAP_OP_IDENTIFY:
		out[0] = c->o->type;
		out[1] = c->rights;
		out[2] = c->badge;
		return 0;
	default:
		(void)badge;
		return ERR_NOSYS;
	}
}

__attribute__((noreturn)) static void sys_exit(int64_t status)
{
	say("mock: init exited with status %ld\n", (long)status);
	for (unsigned i = 1; i < nproc; i++)
		if (procs[i].state == PROC_STATE_RUNNING)
			PROBLEM("process %u was left half-built (never started nor killed)\n", procs[i].id);
	for (unsigned s = 0; s < CAP_SLOTS; s++) {
		struct obj *o = init->caps[s].o;

		if (o && ((o->proc && o->proc != init) || (o->type == OBJ_MEMOBJ && o->owner != init)))
			PROBLEM("init still holds slot %u: a %s of process %u\n", s, type_name(o->type),
				o->proc ? o->proc->id : o->owner->id);
	}
	say("mock: %u problem%s\n", problems, problems == 1 ? "" : "s");
	lexit(problems ? 100 : (int)status);
}

uint64_t mock_syscall(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
		      uint64_t a4, uint64_t a5, uint64_t out[6])
{
	uint64_t w[4] = { a2, a3, a4, a5 };

	for (unsigned i = 0; i < 6; i++)
		out[i] = POISON + 1 + i;
	switch (nr) {
	case SYS_NULL:
	case SYS_YIELD:
		return 0;
	case SYS_CALL:
		return sys_call(a0, a1, w, out);
	case SYS_WAIT:
		return sys_wait(a0, a1, out);
	case SYS_CAP:
		return sys_cap(a0, a1, a2, a3, a4, out);
	case SYS_EXIT:
		sys_exit((int64_t)a0);
	default:
		PROBLEM("unexpected system call %lu\n", (unsigned long)nr);
		return ERR_NOSYS;
	}
}

/* ---- start-up ------------------------------------------------------------------------- */
static struct obj *load_file(const char *path)
{
	uint64_t st[18], size;
	struct obj *o;
	long fd = lsys(L_OPEN, (long)path, 0, 0, 0, 0, 0);
	char *p;

	if (fd < 0 || lsys(L_FSTAT, fd, (long)st, 0, 0, 0, 0) < 0) {
		say("mockinit: cannot open %s\n", path);
		lexit(2);
	}
	size = st[6];   /* st_size */
	if (memobj_new(init, (size + PAGE - 1) / PAGE ? (size + PAGE - 1) / PAGE : 1, &o))
		lexit(2);
	p = lmmap(0, o->pages * PAGE, L_PROT_R | L_PROT_W, L_MAP_SHARED, o->fd, 0);
	for (uint64_t off = 0; off < size;) {
		long r = lsys(L_READ, fd, (long)(p + off), (long)(size - off), 0, 0, 0);
		if (r <= 0)
			lexit(2);
		off += (uint64_t)r;
	}
	lsys(L_MUNMAP, (long)p, (long)(o->pages * PAGE), 0, 0, 0, 0);
	lsys(L_CLOSE, fd, 0, 0, 0, 0, 0);
	return o;
}

/* --check-elf MACHINE FILE...: lib/elf's verdict on each file. */
static int check_elf(int argc, char **argv)
{
	static uint8_t buf[4 << 20];
	unsigned machine = !strcmp(argv[2], "riscv64") ? ELF_MACHINE_RISCV : ELF_MACHINE_X86_64;
	int bad = 0;

	for (int i = 3; i < argc; i++) {
		struct elf_image img;
		const char *why = "?";
		long fd = lsys(L_OPEN, (long)argv[i], 0, 0, 0, 0, 0), n = -1;

		if (fd >= 0)
			n = lsys(L_READ, fd, (long)buf, sizeof(buf), 0, 0, 0);
		if (n < 0 || elf_parse(buf, n < 4096 ? (size_t)n : 4096, (uint64_t)n, machine, USER_TOP,
				       &img, &why)) {
			say("not ok %s: %s\n", argv[i], why);
			bad = 1;
		} else {
			say("ok %s: entry %#lx, %u segments\n", argv[i], (unsigned long)img.entry, img.nseg);
		}
	}
	return bad;
}

__attribute__((noreturn)) void cairn_start(const char *startup);
__attribute__((noreturn, used)) void mock_main(long *sp);

void mock_main(long *sp)
{
	static const char *const roots[] = { "console", "kinfo", "irqctl", "mmioctl", "ioportctl" };
	static const unsigned root_type[] = { OBJ_DEBUG_CONSOLE, OBJ_KINFO, OBJ_IRQ_CONTROL,
					      OBJ_MMIO_CONTROL, OBJ_IOPORT_CONTROL };
	unsigned nroots = 5;
	int argc = (int)sp[0];
	char **argv = (char **)(sp + 1);
	char *blk;
	size_t pos = 0;
	uint64_t slot;

	if (argc >= 3 && !strcmp(argv[1], "--check-elf"))
		lexit(check_elf(argc, argv));
	if (argc >= 2 && !strcmp(argv[argc - 1], "--no-ioports")) {
		nroots--;               /* a machine without I/O ports (riscv64): no ioportctl */
		argc--;
	}
	if (argc < 2) {
		say("usage: mockinit BOOTIMAGE.cpio [FAIL_AT] [--no-ioports] | --check-elf riscv64|x86_64 FILE...\n");
		lexit(2);
	}
	if (argc > 2)
		fail_at = strtoul(argv[2], NULL, 10);

	/* init as the kernel makes it: own caps in 0..2, the roots after. */
	init = proc_new(NULL, INIT_QUOTA);
	init->thread = obj_new(OBJ_THREAD, init);
	init->thread->proc = init;
	init->thread->started = true;
	cap_put(init, SLOT_SELF_PROC, init->self, RIGHTS_ALL, 0, NULL);
	cap_put(init, SLOT_SELF_AS, init->as, RIGHTS_ALL, 0, NULL);
	cap_put(init, SLOT_SELF_THREAD, init->thread, RIGHTS_ALL, 0, NULL);
	if (lmmap(CAIRN_IPCBUF_VA, PAGE, L_PROT_R | L_PROT_W, L_MAP_PRIVATE | L_MAP_ANON | L_MAP_FIXED_NOREPLACE, -1, 0) !=
	    (void *)CAIRN_IPCBUF_VA)
		lexit(2);
	blk = lmmap(CAIRN_STARTUP_VA, PAGE, L_PROT_R | L_PROT_W,
		    L_MAP_PRIVATE | L_MAP_ANON | L_MAP_FIXED_NOREPLACE, -1, 0);
	if (blk != (void *)CAIRN_STARTUP_VA)
		lexit(2);
	pos += (size_t)fmt_snprintf(blk + pos, PAGE - pos, "1") + 1;
	pos += (size_t)fmt_snprintf(blk + pos, PAGE - pos, "init") + 1;
	cap_put(init, CAP_NULL, load_file(argv[1]), RIGHT_READ, 0, &slot);
	pos += (size_t)fmt_snprintf(blk + pos, PAGE - pos, "bootimage=%lu", (unsigned long)slot) + 1;
	for (unsigned i = 0; i < nroots; i++) {
		cap_put(init, CAP_NULL, obj_new(root_type[i], NULL), RIGHTS_ALL, 0, &slot);
		pos += (size_t)fmt_snprintf(blk + pos, PAGE - pos, "%s=%lu", roots[i],
					    (unsigned long)slot) + 1;
	}
	blk[pos] = 0;
	lsys(L_MPROTECT, (long)blk, PAGE, L_PROT_R, 0, 0, 0);
	cairn_start(blk);
}

__asm__(".globl _start\n"
	"_start:\n"
	"	xorl %ebp, %ebp\n"
	"	movq %rsp, %rdi\n"
	"	andq $-16, %rsp\n"
	"	call mock_main\n"
	"	ud2\n");
