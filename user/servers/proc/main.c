/* SPDX-License-Identifier: MIT */
/*
 * proc: the process server (include/cairn/posix.h, "the process server").
 *
 *   service proc bin/proc [--quota=SIZE] [--prio=N] PROGRAM [ARGS...]
 *       cap console console w           its own messages
 *       cap kinfo kinfo r               the time (PS_SETITIMER; or posix.kinfo)
 *       cap bootimage bootimage r       where PROGRAM is looked for first
 *       cap ep endpoint:proc rwgm       optional: its endpoint, shared with
 *                                       system services (else it makes one)
 *       cap posix.NAME ...              given to PROGRAM as NAME
 *       cap posix.vfs endpoint:vfs wg   e.g.: PROGRAM gets the VFS root
 *                                       (badge POSIX_VFS_ROOT minted from an
 *                                       unbadged endpoint); PROGRAM is read
 *                                       through it if not in the boot image
 *       cap posix.tty endpoint:console wg   the tty (an unbadged endpoint
 *                                       reaches PROGRAM as POSIX_TTY_SHARED)
 *
 * It starts PROGRAM (a path, e.g. /bin/sh) as pid 1,
 * with argv = PROGRAM ARGS..., the environment PATH=/bin HOME=/, slots
 * 0..2 its own, "proc" at slot 3 and the posix.* capabilities after it;
 * every POSIX process after that is a fork or an exec of another. Each
 * gets --quota bytes (default 16M) from the server's quota and runs at
 * priority --prio (default 8; the server's own must be above it). When
 * pid 1 ends the server kills what is left and exits with pid 1's status
 * as a shell reports it (its exit code, 128 + the signal that ended it),
 * so the manifest's `exitstatus` passes it on.
 *
 * The server is one thread serving its endpoint, plus a watcher thread
 * that waits on the Notification every process's end signals
 * (PROC_BIND_EXIT) and tells the server through its endpoint.
 */
#include <string.h>
#include <lib/cpio.h>
#include "proc.h"

cap_t srv_ep = CAP_NULL, exit_note = CAP_NULL;
unsigned child_prio = 8;
uint64_t child_quota = 16ull << 20;
bool work_pending;
cap_t timer_cap = CAP_NULL, kinfo_cap = CAP_NULL;
static cap_t internal_ep;

void say(const char *fmt, ...)
{
	va_list ap;

	printf("proc: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

__attribute__((noreturn)) void server_exit(int status)
{
	for (unsigned i = 0; i < MAX_PROCS; i++)
		if (procs[i].state == P_LIVE)
			kproc_release(&procs[i].kproc, &procs[i].kas, &procs[i].kthread);
	say("pid 1 ended: exit status %d\n", status);
	exit(status);
}

/* ---- start-up ---------------------------------------------------------------------------- */

static void watcher(uint64_t arg)
{
	(void)arg;
	for (;;) {
		uint64_t bits;
		if (!cairn_wait(exit_note, CAIRN_FOREVER, &bits) && bits)
			cairn_call(internal_ep, cairn_tag(PS_INTERNAL_EXITS, CAIRN_MSG_REGS, 0), bits,
				   0, 0, 0);
	}
}

static bool parse_size(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return false;
	for (; *s >= '0' && *s <= '9'; s++)
		v = v * 10 + (uint64_t)(*s - '0');
	if (*s == 'K')
		v <<= 10, s++;
	else if (*s == 'M')
		v <<= 20, s++;
	*out = v;
	return !*s && v;
}

static const char *const default_env[] = { "PATH=/bin", "HOME=/" };

/* The first program's ELF file: a MemoryObject and where in it. */
struct file {
	cap_t mo;
	uint64_t offset, size;
	bool own;                    /* mo is ours to delete */
};

/* Finds path in the boot image. */
static err_t file_from_bootimage(const char *path, struct file *f)
{
	cap_t image = cairn_cap("bootimage");
	struct cpio_entry ent;
	uint64_t pages;
	void *va;
	err_t e;

	if (image == CAP_NULL)
		return ERR_NOENT;
	if ((e = cairn_memobj_pages(image, &pages)) ||
	    (e = cairn_map(image, 0, pages, CAIRN_PROT_R, &va)))
		return e;
	e = cpio_find(va, pages * CAIRN_PAGE_SIZE, path, &ent);
	if (!e && (ent.mode & CPIO_S_IFMT) != CPIO_S_IFREG)
		e = ERR_NOEXEC;
	if (!e) {
		f->mo = image;
		f->offset = (uint64_t)((const char *)ent.data - (const char *)va);
		f->size = ent.size;
		f->own = false;
	}
	cairn_unmap(va, pages);
	return e;
}

/* Reads path through the VFS (its root: vfs, unbadged or POSIX_VFS_ROOT)
 * into a MemoryObject of its own. */
static err_t file_from_vfs(cap_t vfs, const char *path, struct file *f)
{
	struct cairn_ipcbuf *ib = cairn_ipcbuf();
	size_t plen = strlen(path);
	struct posix_stat st;
	struct cairn_msg m;
	cap_t file;
	uint64_t pages, done = 0;
	char *va;
	err_t e;

	if (plen > POSIX_INLINE_MAX)
		return ERR_NOENT;
	memcpy(&ib->w[CAIRN_MSG_REGS], path, plen);
	m = cairn_call(vfs, cairn_tag(FS_OPEN, posix_words(plen), 0), 0 /* O_RDONLY */, 0, plen, 0);
	if ((e = m.err ? (err_t)m.err : (err_t)cairn_tag_label(m.tag)))
		return e;
	if (cairn_tag_ncaps(m.tag) < 1)
		return ERR_IO;
	file = ib->caps[0];
	m = cairn_call(file, cairn_tag(IO_STAT, CAIRN_MSG_REGS, 0), 0, 0, 0, 0);
	if ((e = m.err ? (err_t)m.err : (err_t)cairn_tag_label(m.tag)))
		goto out;
	memcpy(&st, &ib->w[CAIRN_MSG_REGS], sizeof(st));
	if ((st.mode & CPIO_S_IFMT) != CPIO_S_IFREG) {
		e = ERR_NOEXEC;
		goto out;
	}
	pages = (st.size + CAIRN_PAGE_SIZE - 1) / CAIRN_PAGE_SIZE;
	if ((e = cairn_memobj_create(SLOT_SELF_PROC, pages ? pages : 1, 0, &f->mo)))
		goto out;
	if ((e = cairn_map(f->mo, 0, pages ? pages : 1, CAIRN_PROT_R | CAIRN_PROT_W, (void **)&va))) {
		cairn_cap_delete(f->mo);
		goto out;
	}
	while (done < st.size) {
		uint64_t want = st.size - done < POSIX_INLINE_MAX ? st.size - done : POSIX_INLINE_MAX;
		m = cairn_call(file, cairn_tag(IO_READ, CAIRN_MSG_REGS, 0), want, 0, 0, 0);
		if ((e = m.err ? (err_t)m.err : (err_t)cairn_tag_label(m.tag)))
			break;
		if (!m.w[0] || m.w[0] > want) {
			e = m.w[0] ? ERR_IO : ERR_NOEXEC;     /* shorter than its size */
			break;
		}
		memcpy(va + done, &ib->w[CAIRN_MSG_REGS], m.w[0]);
		done += m.w[0];
	}
	cairn_unmap(va, pages ? pages : 1);
	if (e) {
		cairn_cap_delete(f->mo);
		goto out;
	}
	f->offset = 0;
	f->size = st.size;
	f->own = true;
out:
	cairn_call(file, cairn_tag(IO_CLOSE, CAIRN_MSG_REGS, 0), 0, 0, 0, 0);
	cairn_cap_delete(file);
	return e;
}

/* Starts the first program as pid 1. */
static err_t start_first(int argc, char **argv)
{
	static struct block b;
	static struct keep keep[MAX_KEEP];
	const char *path = argv[0];
	struct image im;
	struct file f;
	struct proc *p;
	unsigned nkeep = 0;
	cap_t slot, vfs = CAP_NULL;
	const char *name;
	uint64_t id[3];
	err_t e;

	block_addf(&b, "%d", argc);
	for (int i = 0; i < argc; i++)
		block_add(&b, argv[i]);
	block_addf(&b, "proc=%u", SLOT_FIRST_FREE);
	for (unsigned i = 0; (name = cairn_cap_name(i, &slot)); i++) {
		if (strncmp(name, "posix.", 6) || !name[6] || nkeep == MAX_KEEP)
			continue;
		keep[nkeep].mine = slot;
		keep[nkeep].dst = SLOT_FIRST_FREE + 1 + nkeep;
		keep[nkeep].badge = 0;
		/* the VFS's and the console's endpoints themselves: processes
		 * get the root directory and the shared tty description */
		if (!strcmp(name, "posix.vfs") || !strcmp(name, "posix.tty")) {
			if (name[6] == 'v')
				vfs = slot;
			if (!cairn_cap_op(CAP_OP_IDENTIFY, slot, CAP_NULL, 0, 0, id) &&
			    id[0] == OBJ_ENDPOINT && id[2] == 0)
				keep[nkeep].badge = name[6] == 'v' ? POSIX_VFS_ROOT : POSIX_TTY_SHARED;
		}
		block_addf(&b, "%s=%lu", name + 6, (unsigned long)keep[nkeep].dst);
		nkeep++;
	}
	block_add(&b, "");
	block_addf(&b, "%u", (unsigned)(sizeof(default_env) / sizeof(default_env[0])));
	for (unsigned i = 0; i < sizeof(default_env) / sizeof(default_env[0]); i++)
		block_add(&b, default_env[i]);
	if (b.overflow)
		return ERR_2BIG;

	e = file_from_bootimage(path, &f);
	if (e == ERR_NOENT && vfs != CAP_NULL)
		e = file_from_vfs(vfs, path, &f);
	if (e) {
		say("cannot find %s: %s\n", path, err_name(e));
		return e;
	}
	p = proc_alloc();
	memset(&im, 0, sizeof(im));
	im.file = f.mo;
	im.offset = f.offset;
	im.size = f.size;
	im.block = &b;
	im.keep = keep;
	im.nkeep = nkeep;
	im.keep_rights = RIGHTS_ALL;
	im.proc_slot = SLOT_FIRST_FREE;
	im.pid = p->pid;
	im.quota = child_quota;
	name = strrchr(path, '/');
	im.name = name && name[1] ? name + 1 : path;
	e = image_build(&im);
	if (f.own)
		cairn_cap_delete(f.mo);
	if (e) {
		say("cannot start %s: %s\n", path, err_name(e));
		proc_free(p);
		return e;
	}
	p->state = P_LIVE;
	p->ppid = 0;
	p->pgid = p->sid = p->pid;
	strlcpy(p->name, im.name, sizeof(p->name));
	p->kproc = im.kproc;
	p->kas = im.kas;
	p->kthread = im.kthread;
	p->proc_slot = SLOT_FIRST_FREE;
	p->quota = child_quota;
	if ((e = image_start(&im))) {
		say("cannot start %s: %s\n", path, err_name(e));
		proc_free(p);
		return e;
	}
	return ERR_OK;
}

/* ---- calls that must not wait: a ring on the main thread -------------------------------- */

#define RING_ENTRIES 16
static struct cairn_ring_hdr *ring;

static err_t ring_setup(void)
{
	cap_t mo;
	void *va;
	err_t e;

	if ((e = cairn_memobj_create(SLOT_SELF_PROC, 1, MEMOBJ_CONTIG, &mo)) ||
	    (e = cairn_map(mo, 0, 1, CAIRN_PROT_R | CAIRN_PROT_W, &va)) ||
	    (e = cairn_invoke_cap(SLOT_SELF_THREAD, THREAD_SET_RING, mo, RING_ENTRIES, 0, 0, 0, NULL)))
		return e;
	ring = va;
	return ERR_OK;
}

bool call_async(cap_t cap, uint32_t label, uint64_t w0)
{
	struct cairn_sqe *sq;
	uint64_t submitted = 0;
	uint32_t tail;

	if (!ring)
		return false;
	/* answers are not needed: whatever completed is dropped */
	__atomic_store_n(&ring->cq_head, __atomic_load_n(&ring->cq_tail, __ATOMIC_ACQUIRE),
			 __ATOMIC_RELEASE);
	tail = ring->sq_tail;
	if (tail - ring->sq_head >= RING_ENTRIES)
		return false;
	sq = (struct cairn_sqe *)((char *)ring + CAIRN_RING_SQ_OFF) + (tail & (RING_ENTRIES - 1));
	*sq = (struct cairn_sqe){ cap, cairn_tag(label, CAIRN_MSG_REGS, 0), { w0, 0, 0, 0 }, 0, 0 };
	__atomic_store_n(&ring->sq_tail, tail + 1, __ATOMIC_RELEASE);
	cairn_enter(1, 0, 0, &submitted, NULL);
	if (submitted != 1) {
		/* every entry is in flight (calls never answered): take it back
		 * rather than leave a slot number to be read later */
		__atomic_store_n(&ring->sq_tail, tail, __ATOMIC_RELEASE);
		return false;
	}
	return true;
}

static err_t setup(void)
{
	struct cairn_msg m;
	uint64_t r[3];
	err_t e;

	srv_ep = cairn_cap("ep");
	if (srv_ep == CAP_NULL) {
		if ((e = cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_ENDPOINT, 0, 0, 0, &m)))
			return e;
		srv_ep = m.w[0];
	}
	if ((e = cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_NOTIFICATION, 0, 0, 0, &m)))
		return e;
	exit_note = m.w[0];
	if ((e = cairn_cap_op(CAP_OP_MINT, srv_ep, CAP_NULL, RIGHT_WRITE, BADGE_INTERNAL, r)))
		return e;
	internal_ep = r[0];
	/* ITIMER_REAL needs the time and a Timer (without kinfo: ENOSYS) */
	if ((e = ring_setup()))
		return e;
	kinfo_cap = cairn_cap("kinfo");
	if (kinfo_cap == CAP_NULL)
		kinfo_cap = cairn_cap("posix.kinfo");
	if (kinfo_cap != CAP_NULL &&
	    !cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_TIMER, 0, 0, 0, &m))
		timer_cap = m.w[0];
	return cairn_thread_start(watcher, 0, child_prio + 1, NULL);
}

/* ---- the message loop --------------------------------------------------------------------- */

static char data[POSIX_INLINE_MAX + 8];

struct answer {
	bool send;                   /* false: no answer now (saved, or the caller is gone) */
	err_t err;
	uint64_t w[4];
};

/* Handles one message; caps[] are the capabilities that came with it
 * (a handler that keeps one sets it to CAP_NULL). */
static void handle(const struct cairn_msg *m, cap_t *caps, unsigned ncaps, struct answer *a)
{
	uint32_t label = cairn_tag_label(m->tag);
	struct proc *c = NULL;
	int sender = 0;
	bool later;

	a->send = true;
	if (m->badge == BADGE_INTERNAL) {
		if (label == PS_INTERNAL_EXITS) {
			if (m->w[0] & TIMER_BIT)
				timers_fire();
			procs_check_ended(m->w[0] & ~TIMER_BIT);
		}
		return;
	}
	if (m->badge & BADGE_FAULT) {
		c = proc_find((int64_t)(m->badge & ~BADGE_FAULT));
		if (label != CAIRN_FAULT_LABEL || !c || c->state != P_LIVE)
			a->err = ERR_INVAL;            /* the kernel kills it */
		else
			a->send = proc_fault(c, m->w[0], m->w[1], m->w[2]);
		return;
	}
	if (m->badge && m->badge <= PID_MAX) {
		sender = (int)m->badge;
		c = proc_find(sender);
		if (c && c->state != P_LIVE)
			c = NULL;
	}
	/* stopped while blocked in a call: its thread can be suspended once answered */
	if (c && c->suspend_pending)
		c->work = work_pending = true;
	if (!c && label != PS_KILL && label != PS_GETPID && label != PS_GETPGID &&
	    label != PS_GETSID) {
		a->err = ERR_PERM;
		return;
	}
	switch (label) {
	case PS_GETPID:
		if (c) {
			a->w[0] = (uint64_t)c->pid;
			a->w[1] = (uint64_t)c->ppid;
			a->w[2] = (uint64_t)c->pgid;
			a->w[3] = (uint64_t)c->sid;
		}
		return;
	case PS_FORK:
		a->err = ps_fork(c, m->w, &a->w[0]);
		return;
	case PS_EXEC: {
		unsigned len = cairn_tag_len(m->tag);
		size_t bytes = len > CAIRN_MSG_REGS ? (len - CAIRN_MSG_REGS) * 8ul : 0;
		if (bytes > POSIX_INLINE_MAX)
			bytes = POSIX_INLINE_MAX;
		memcpy(data, &cairn_ipcbuf()->w[CAIRN_MSG_REGS], bytes);
		a->err = ps_exec(c, m, data, bytes, ncaps ? caps[0] : CAP_NULL);
		if (!a->err)
			a->send = false;              /* the caller is gone */
		keep_clear(c);
		return;
	}
	case PS_EXEC_KEEP:
		a->err = ps_exec_keep(c, m->w, caps, ncaps);
		if (!a->err)
			for (unsigned i = 0; i < ncaps; i++)
				caps[i] = CAP_NULL;
		return;
	case PS_EXIT:
		proc_terminate(c, 0, (int)(m->w[0] & 0xff));
		a->send = false;
		return;
	case PS_WAIT:
		a->err = ps_wait(c, (int64_t)m->w[0], m->w[1], a->w, &later);
		a->send = !later;
		return;
	case PS_KILL:
		a->err = ps_kill(c, sender, (int64_t)m->w[0], (int64_t)m->w[1], m->w[2]);
		return;
	case PS_SIGACTION:
		a->err = ps_sigaction(c, m->w, a->w);
		return;
	case PS_SIGMASK:
		a->err = ps_sigmask(c, m->w[0], m->w[1], &a->w[0]);
		return;
	case PS_SIGPENDING:
		a->w[0] = c->pending;
		return;
	case PS_SETPGID:
		a->err = ps_setpgid(c, (int64_t)m->w[0], (int64_t)m->w[1]);
		return;
	case PS_GETPGID:
		if (!c && !m->w[0])
			a->err = ERR_SRCH;
		else
			a->err = ps_getpgid(c, (int64_t)m->w[0], &a->w[0]);
		return;
	case PS_SETSID:
		a->err = ps_setsid(c, &a->w[0]);
		return;
	case PS_GETSID:
		if (!c && !m->w[0])
			a->err = ERR_SRCH;
		else
			a->err = ps_getsid(c, (int64_t)m->w[0], &a->w[0]);
		return;
	case PS_SIGRETURN_DONE:
		a->err = ps_sigreturn(c, m->w[0], m->w[1], m->w[2], m->w[3], &a->w[0]);
		return;
	case PS_SETITIMER:
		a->err = ps_setitimer(c, m->w, a->w);
		return;
	case PS_SIGWAIT:
		a->err = ps_sigwait(c, m->w[0], m->w[1], a->w, &later);
		a->send = !later;
		return;
	case PS_SIGQUEUE:
		a->err = ps_sigqueue(c, m->w);
		return;
	case PS_SIGINFO:
		a->err = ps_siginfo(c, a->w);
		return;
	default:
		a->err = ERR_NOSYS;
		return;
	}
}

static void do_work(void)
{
	while (work_pending) {
		work_pending = false;
		for (unsigned i = 0; i < MAX_PROCS; i++)
			if (procs[i].state == P_LIVE && procs[i].work)
				sig_work(&procs[i]);
	}
}

static __attribute__((noreturn)) void serve(void)
{
	struct cairn_msg m = cairn_recv(srv_ep, 0);

	for (;;) {
		struct answer a = { 0 };
		cap_t caps[CAIRN_MSG_MAX_CAPS];
		unsigned ncaps;

		if (m.err) {
			m = cairn_recv(srv_ep, 0);
			continue;
		}
		ncaps = cairn_tag_ncaps(m.tag);
		if (ncaps > CAIRN_MSG_MAX_CAPS)
			ncaps = CAIRN_MSG_MAX_CAPS;
		for (unsigned i = 0; i < ncaps; i++)
			caps[i] = cairn_ipcbuf()->caps[i];
		handle(&m, caps, ncaps, &a);
		for (unsigned i = 0; i < ncaps; i++)
			if (caps[i] != CAP_NULL)
				cairn_cap_delete(caps[i]);
		if (a.send && !work_pending) {
			m = cairn_reply_recv(srv_ep, cairn_tag((uint32_t)a.err, CAIRN_MSG_REGS, 0), a.w[0],
					     a.w[1], a.w[2], a.w[3]);
			continue;
		}
		if (a.send)
			cairn_reply(cairn_tag((uint32_t)a.err, CAIRN_MSG_REGS, 0), a.w[0], a.w[1], a.w[2],
				    a.w[3]);
		do_work();
		m = cairn_recv(srv_ep, 0);
	}
}

int main(int argc, char **argv)
{
	int first = 1;
	err_t e;

	for (; first < argc && !strncmp(argv[first], "--", 2); first++) {
		const char *opt = argv[first];
		uint64_t v;
		if (!strncmp(opt, "--quota=", 8) && parse_size(opt + 8, &v)) {
			child_quota = v;
		} else if (!strncmp(opt, "--prio=", 7) && parse_size(opt + 7, &v) && v < 31) {
			child_prio = (unsigned)v;
		} else {
			say("unknown option %s\n", opt);
			return 2;
		}
	}
	if (first == argc) {
		say("usage: proc [--quota=SIZE] [--prio=N] PROGRAM [ARGS...]\n");
		return 2;
	}
	/* the table's pages now, so that the server's memory stays the same
	 * from one process to the next (pages come on first touch) */
	memset(procs, 0, sizeof(procs));
	if ((e = setup())) {
		say("cannot set up: %s\n", err_name(e));
		return 1;
	}
	if ((e = start_first(argc - first, argv + first)))
		return 127;
	serve();
}
