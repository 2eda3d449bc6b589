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
 *       cap clock kinfo m               optional: settimeofday may set the
 *                                       real-time clock (PS_SETTIME)
 *
 * Options: --quota=SIZE, --prio=N (below), --init: PROGRAM is the system's
 * init, and as on Linux a signal pid 1 has not asked for is not delivered
 * to it (its disposition SIG_DFL, SIGKILL and SIGSTOP included: dropped,
 * unless blocked or waited for, and its default action is never taken);
 * without it pid 1 is a program run by itself (./qemu-run.sh --exec, the
 * tests) and signals act on it as on any process.
 *
 * It starts PROGRAM (a path, e.g. /bin/sh) as pid 1,
 * with argv = PROGRAM ARGS..., the environment PATH=/bin HOME=/, slots
 * 0..2 its own, "proc" at slot 3 and the posix.* capabilities after it;
 * every POSIX process after that is a fork or an exec of another. Each
 * may use --quota bytes of kernel memory (default 16M: a limit, nothing
 * reserved; its use is charged to its session's pool as it comes, image.c)
 * and runs at priority --prio (default 8; the server's own must be above
 * it). When
 * pid 1 ends the server kills what is left and exits with pid 1's status
 * as a shell reports it (its exit code, 128 + the signal that ended it),
 * so the manifest's `exitstatus` passes it on.
 *
 * The server is one thread running the server skeleton's loop
 * (<cairn/server.h>) on its endpoint, plus the skeleton's relay thread,
 * which waits on the Notification every process's end (PROC_BIND_EXIT)
 * and the Timer signal and tells the server through its endpoint.
 */
#include <string.h>
#include <lib/cpio.h>
#include <cairn/fs_client.h>
#include <cairn/server.h>
#include "proc.h"

cap_t srv_ep = CAP_NULL, exit_note = CAP_NULL;
unsigned child_prio = 8;
uint64_t child_quota = 16ull << 20;
bool work_pending;
cap_t timer_cap = CAP_NULL, kinfo_cap = CAP_NULL, tty_cap = CAP_NULL;

void say(const char *fmt, ...)
{
	va_list ap;

	printf("proc: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

__attribute__((noreturn)) void server_exit(int status, const char *why)
{
	for (unsigned i = 0; i < MAX_PROCS; i++)
		if (procs[i]->state == P_LIVE)
			kproc_release(&procs[i]->kproc, &procs[i]->kas, &procs[i]->kthread);
	say("%s: exit status %d\n", why, status);
	exit(status);
}

/* ---- start-up ---------------------------------------------------------------------------- */

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
	if (!e && (ent.mode & CPIO_S_IFMT) == CPIO_S_IFLNK)
		e = ERR_NOENT;          /* e.g. /sbin/init -> /bin/busybox: the VFS follows it */
	else if (!e && (ent.mode & CPIO_S_IFMT) != CPIO_S_IFREG)
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
	static cap_t root = CAP_NULL;
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
	if (root == CAP_NULL)
		root = vfs;
	/* "/" may be a disk's: the VFS then names its root (NEWROOT), kept here */
	if ((e = cairn_fs_open(&root, CAP_NULL, path, plen, 0 /* O_RDONLY */, 0, &file, NULL)))
		return e;
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
	static char buf[4 * CAIRN_STARTUP_MAX];
	static struct block b = { buf, 0, sizeof(buf), false };
	static struct keep keep[MAX_KEEP];
	const char *path = argv[0];
	struct image im;
	struct file f;
	struct proc *p;
	unsigned nkeep = 0;
	cap_t slot, vfs = CAP_NULL, cred_slot;
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
		keep[nkeep].ref = false;
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
	cred_slot = SLOT_FIRST_FREE + 1 + nkeep;        /* the credential token */
	block_addf(&b, "cred=%lu", (unsigned long)cred_slot);
	block_add(&b, "");
	block_addf(&b, "%u", (unsigned)(sizeof(default_env) / sizeof(default_env[0])));
	for (unsigned i = 0; i < sizeof(default_env) / sizeof(default_env[0]); i++)
		block_add(&b, default_env[i]);
	static struct proc first;       /* (its kept values: the defaults) */
	limits_default(&first);
	block_add_kept(&b, &first);
	block_finish(&b);
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
	p->cred_slot = cred_slot;
	if ((e = cred_new(p, CAP_NULL))) {
		say("cannot make a credential token: %s\n", err_name(e));
		proc_free(p);
		return e;
	}
	memset(&im, 0, sizeof(im));
	im.cred_cap = p->cred_cap;
	im.cred_slot = cred_slot;
	im.file = f.mo;
	im.offset = f.offset;
	im.size = f.size;
	im.block = &b;
	im.keep = keep;
	im.nkeep = nkeep;
	im.keep_rights = RIGHTS_ALL;
	im.proc_slot = SLOT_FIRST_FREE;
	im.pid = p->pid;
	im.pool = root_pool;
	im.quota = child_quota;
	name = strrchr(path, '/');
	im.name = name && name[1] ? name + 1 : path;
	limits_default(p);
	im.stack_pages = stack_first_pages(p);
	e = image_build(&im);
	if (f.own)
		cairn_cap_delete(f.mo);
	if (e) {
		say("cannot start %s: %s\n", path, err_name(e));
		cred_drop(p);
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
	p->stack_low = CAIRN_STACK_TOP - im.stack_pages * CAIRN_PAGE_SIZE;
	p->proc_slot = SLOT_FIRST_FREE;
	p->quota = child_quota;
	p->pool = root_pool;
	pool_get(root_pool);
	p->start_ns = cairn_now_ns();
	for (int i = 0; i < argc; i++) {
		static char args[POSIX_CMDLINE_MAX];
		size_t k = strlen(argv[i]) + 1;

		if (k > sizeof(args) - p->cmdline_len)
			break;
		memcpy(args + p->cmdline_len, argv[i], k);
		cmdline_set(p, args, p->cmdline_len + k);
	}
	procs_made++;
	if ((e = image_start(&im))) {
		say("cannot start %s: %s\n", path, err_name(e));
		proc_free(p);
		return e;
	}
	return ERR_OK;
}

/* ---- calls that must not wait: the skeleton's ring ------------------------------------- */

bool call_async(cap_t cap, uint32_t label, uint64_t w0)
{
	return srv_call_async(cap, label, w0) == ERR_OK;
}

static struct srv srv;

static err_t setup(void)
{
	struct cairn_msg m;
	uint64_t id[3];
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
	/* ITIMER_REAL needs the time and a Timer (without kinfo: ENOSYS) */
	if ((e = srv_async_init()))
		return e;
	clock_cap = cairn_cap("clock");
	tty_cap = cairn_cap("posix.tty");
	if (tty_cap != CAP_NULL && (cairn_cap_op(CAP_OP_IDENTIFY, tty_cap, CAP_NULL, 0, 0, id) ||
				    id[0] != OBJ_ENDPOINT || id[2]))
		tty_cap = CAP_NULL;     /* TTY_SESSION_END needs the unbadged one */
	kinfo_cap = cairn_cap("kinfo");
	if (kinfo_cap == CAP_NULL)
		kinfo_cap = cairn_cap("posix.kinfo");
	cairn_clock_init(kinfo_cap);
	if (kinfo_cap != CAP_NULL &&
	    !cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_TIMER, 0, 0, 0, &m))
		timer_cap = m.w[0];
	srv.ep = srv_ep;
	/* a child's end at once, at the server's priority (above its
	 * children's); else a relay thread just above them */
	return srv_bind(&srv, exit_note) ? srv_relay(&srv, exit_note, child_prio + 1) : ERR_OK;
}

/* ---- the message loop: the server skeleton's, with these handlers -------------------- */

static char data[POSIX_INLINE_MAX + 8];

/* The process a request is from (r->obj; NULL for a client that is no
 * live process, which may only ask about others), or a user fault's. */
/* The process whose request is being served (object()), for after(). */
static struct proc *req_proc;

static err_t object(struct srv_req *r)
{
	struct proc *c = NULL;
	uint32_t label = r->label;

	req_proc = NULL;
	if (r->badge & BADGE_FAULT) {
		c = proc_find((int64_t)(r->badge & ~BADGE_FAULT));
		if (label != CAIRN_FAULT_LABEL || !c || c->state != P_LIVE)
			return ERR_INVAL;              /* the kernel kills it */
		r->obj = c;
		return ERR_OK;
	}
	if (r->badge & POSIX_CRED_BADGE) {
		/* a credential token: what ids it stands for (a file server asks) */
		if (label != PS_CRED)
			return ERR_PERM;
		if (!(c = cred_find(r->badge)))
			return ERR_SRCH;
		r->obj = c;
		return ERR_OK;
	}
	if (r->badge && r->badge <= PID_MAX) {
		c = proc_find((int)r->badge);
		if (c && c->state != P_LIVE)
			c = NULL;
	}
	/* stopped while blocked in a call: its thread can be suspended once answered */
	if (c && c->suspend_pending)
		c->work = work_pending = true;
	if (!c && label != PS_KILL && label != PS_GETPID && label != PS_GETPGID &&
	    label != PS_GETSID && label != PS_PROCLIST && label != PS_PROCINFO &&
	    label != PS_AFFINITY && label != PS_EXEC_GRANT)
		return ERR_PERM;
	r->obj = c;
	req_proc = c;
	return ERR_OK;
}

static void op_fault(struct srv_req *r, struct srv_ans *a)
{
	if (!(r->badge & BADGE_FAULT)) {
		a->err = ERR_NOSYS;
		return;
	}
	uint64_t resume = 0;

	a->deferred = !proc_fault(r->obj, r->w[0], r->w[1], r->w[2], r->w[3], &resume);
	if (resume) {
		a->err = (err_t)CAIRN_FAULT_RESUME;
		a->w[0] = resume;
	}
}

static void op_ucopy(struct srv_req *r, struct srv_ans *a)
{
	a->err = ps_ucopy(r->obj, r->w[0], r->w[1], r->w[2]);
}

static void op_sigcontext(struct srv_req *r, struct srv_ans *a)
{
	a->err = ps_sigcontext(r->obj, r->w[0], a->w);
}

static void op_getpid(struct srv_req *r, struct srv_ans *a)
{
	struct proc *c = r->obj;

	if (c) {
		a->w[0] = (uint64_t)c->pid;
		a->w[1] = (uint64_t)c->ppid;
		a->w[2] = (uint64_t)c->pgid;
		a->w[3] = (uint64_t)c->sid;
	}
}

static void op_fork(struct srv_req *r, struct srv_ans *a)
{
	uint32_t tid = 0;

	/* the forking thread's tid inline (its mask and deliveries are the
	 * child's), if given */
	if (r->nbytes >= sizeof(tid))
		memcpy(&tid, data, sizeof(tid));
	a->err = ps_fork(r->obj, r->w, tid, &a->w[0]);
}

/* PS_EXEC's strings: inline, or (longer than a message) in cap1, a
 * MemoryObject, copied here (into *t, freed after the exec) before they
 * are read, so the caller cannot change them under the parser. */
static err_t exec_strings(struct srv_req *r, const char **out, size_t *len, struct temp *t)
{
	uint64_t n, pages;
	void *va, *copy;
	err_t e;

	*t = (struct temp){ NULL, CAP_NULL, 0 };
	if (r->ncaps < 2) {
		*out = data;
		*len = r->nbytes;
		return ERR_OK;
	}
	if (r->ncaps > 2 || r->nbytes != sizeof(n))
		return ERR_INVAL;
	memcpy(&n, data, sizeof(n));
	if (n > POSIX_ARG_MAX)
		return ERR_2BIG;
	pages = (n + CAIRN_PAGE_SIZE - 1) / CAIRN_PAGE_SIZE;
	if (!pages)
		return ERR_INVAL;
	if (!(copy = temp_alloc(t, n, NULL, 0)))
		return ERR_NOMEM;
	if ((e = cairn_map(r->caps[1], 0, pages, CAIRN_PROT_R, &va))) {
		temp_free(t);
		return e == ERR_NOMEM ? e : ERR_INVAL;
	}
	memcpy(copy, va, n);
	cairn_unmap(va, pages);
	*out = copy;
	*len = n;
	return ERR_OK;
}

static void op_exec(struct srv_req *r, struct srv_ans *a)
{
	const char *strings;
	size_t len;
	struct temp t;

	a->err = exec_strings(r, &strings, &len, &t);
	if (!a->err)
		a->err = ps_exec(r->obj, r->w, strings, len, r->ncaps ? r->caps[0] : CAP_NULL);
	temp_free(&t);
	if (!a->err)
		a->deferred = true;              /* the caller is gone */
	keep_clear(r->obj);
}

static void op_exec_keep(struct srv_req *r, struct srv_ans *a)
{
	a->err = ps_exec_keep(r->obj, r->w, r->caps, r->ncaps);
	if (!a->err)
		for (unsigned i = 0; i < r->ncaps; i++)
			r->caps[i] = CAP_NULL;
}

static void op_exit(struct srv_req *r, struct srv_ans *a)
{
	proc_terminate(r->obj, 0, (int)(r->w[0] & 0xff));
	a->deferred = true;
}

static void op_wait(struct srv_req *r, struct srv_ans *a)
{
	bool later;

	a->err = ps_wait(r->obj, (int64_t)r->w[0], r->w[1], a->w, &later);
	a->deferred = later;
}

static void op_kill(struct srv_req *r, struct srv_ans *a)
{
	int sender = r->badge && r->badge <= PID_MAX ? (int)r->badge : 0;

	a->err = ps_kill(r->obj, sender, (int64_t)r->w[0], (int64_t)r->w[1], r->w[2]);
}

static void op_sigaction(struct srv_req *r, struct srv_ans *a)
{
	a->err = ps_sigaction(r->obj, r->w, a->w);
}

static void op_sigmask(struct srv_req *r, struct srv_ans *a)
{
	a->err = ps_sigmask(r->obj, r->w[0], r->w[1], r->w[2], &a->w[0]);
}

static void op_sigpending(struct srv_req *r, struct srv_ans *a)
{
	a->err = ps_sigpending(r->obj, r->w[0], &a->w[0]);
}

static void op_setpgid(struct srv_req *r, struct srv_ans *a)
{
	a->err = ps_setpgid(r->obj, (int64_t)r->w[0], (int64_t)r->w[1]);
}

static void op_getpgid(struct srv_req *r, struct srv_ans *a)
{
	if (!r->obj && !r->w[0])
		a->err = ERR_SRCH;
	else
		a->err = ps_getpgid(r->obj, (int64_t)r->w[0], &a->w[0]);
}

static void op_setsid(struct srv_req *r, struct srv_ans *a)
{
	a->err = ps_setsid(r->obj, &a->w[0]);
}

static void op_getsid(struct srv_req *r, struct srv_ans *a)
{
	if (!r->obj && !r->w[0])
		a->err = ERR_SRCH;
	else
		a->err = ps_getsid(r->obj, (int64_t)r->w[0], &a->w[0]);
}

static void op_sigreturn(struct srv_req *r, struct srv_ans *a)
{
	a->err = ps_sigreturn(r->obj, r->w[0], r->w[1], r->w[2], r->w[3]);
}

static void op_setitimer(struct srv_req *r, struct srv_ans *a)
{
	a->err = ps_setitimer(r->obj, r->w, a->w);
}

static void op_sigwait(struct srv_req *r, struct srv_ans *a)
{
	bool later;

	a->err = ps_sigwait(r->obj, r->w, a->w, &later);
	a->deferred = later;
}

static void op_sigqueue(struct srv_req *r, struct srv_ans *a)
{
	a->err = ps_sigqueue(r->obj, r->w);
}

static void op_siginfo(struct srv_req *r, struct srv_ans *a)
{
	a->err = ps_siginfo(r->obj, r->w[0], a->w);
}

static void op_timer_create(struct srv_req *r, struct srv_ans *a)
{
	a->err = ps_timer_create(r->obj, r->w, &a->w[0]);
}

static void op_timer_set(struct srv_req *r, struct srv_ans *a)
{
	a->err = ps_timer_set(r->obj, r->w, a->w);
}

static void op_timer_get(struct srv_req *r, struct srv_ans *a)
{
	a->err = ps_timer_get(r->obj, r->w[0], a->w);
}

static void op_timer_delete(struct srv_req *r, struct srv_ans *a)
{
	a->err = ps_timer_delete(r->obj, r->w[0]);
}

static void op_tkill(struct srv_req *r, struct srv_ans *a)
{
	a->err = ps_tkill(r->obj, r->w);
}

static void op_umask(struct srv_req *r, struct srv_ans *a)
{
	a->err = ps_umask(r->obj, r->w[0], r->w[1], &a->w[0]);
}

static void op_rlimit(struct srv_req *r, struct srv_ans *a)
{
	a->err = ps_rlimit(r->obj, r->w, a->w);
}

static void op_times(struct srv_req *r, struct srv_ans *a)
{
	a->err = ps_times(r->obj, (int64_t)r->w[0], a->w);
}

static void op_thread(struct srv_req *r, struct srv_ans *a)
{
	if (r->ncaps > 1) {
		a->err = ERR_INVAL;
		return;
	}
	a->err = ps_thread(r->obj, r->w, r->ncaps ? r->caps[0] : CAP_NULL);
	if (!a->err && r->ncaps)
		r->caps[0] = CAP_NULL;           /* kept */
}

static void op_sched(struct srv_req *r, struct srv_ans *a)
{
	a->err = ps_sched(r->obj, r->w, a->w);
}

static void op_affinity(struct srv_req *r, struct srv_ans *a)
{
	a->err = ps_affinity(r->obj, (int64_t)r->w[0], r->w[1], r->w[2], &a->w[0]);
}

static void op_proclist(struct srv_req *r, struct srv_ans *a)
{
	ps_proclist(r->w[0], (uint32_t *)srv_out(), POSIX_INLINE_MAX / sizeof(uint32_t), a->w);
	a->nbytes = a->w[0] * sizeof(uint32_t);
}

/* Only for a system service (the unbadged endpoint): a file server's
 * word that an image is set-uid or set-gid. */
static void op_exec_grant(struct srv_req *r, struct srv_ans *a)
{
	a->err = r->badge ? ERR_PERM : ps_exec_grant(r->w);
}

/* Only for a system service (the unbadged endpoint): a process reads
 * /proc, where the VFS applies the rule of who may see what (info.c). */
static void op_procinfo(struct srv_req *r, struct srv_ans *a)
{
	if (r->badge)
		a->err = ERR_PERM;
	else
		a->err = ps_procinfo((int64_t)r->w[0], srv_out(), &a->nbytes);
}

static void op_reboot(struct srv_req *r, struct srv_ans *a)
{
	a->err = ps_reboot(r->obj, r->w);
}

static void op_setname(struct srv_req *r, struct srv_ans *a)
{
	a->err = ps_setname(r->obj, r->w, data, r->nbytes);
}

static void op_uname(struct srv_req *r, struct srv_ans *a)
{
	(void)r;
	a->nbytes = ps_uname(srv_out());
}

static void op_settime(struct srv_req *r, struct srv_ans *a)
{
	a->err = ps_settime(r->obj, r->w[0]);
}

static void op_getuid(struct srv_req *r, struct srv_ans *a)
{
	ps_getuid(r->obj, a->w);
}

static void op_setuid(struct srv_req *r, struct srv_ans *a)
{
	a->err = ps_setuid(r->obj, r->w);
}

static void op_getgid(struct srv_req *r, struct srv_ans *a)
{
	ps_getgid(r->obj, a->w);
}

static void op_setgid(struct srv_req *r, struct srv_ans *a)
{
	a->err = ps_setgid(r->obj, r->w);
}

static void op_getgroups(struct srv_req *r, struct srv_ans *a)
{
	a->nbytes = ps_getgroups(r->obj, srv_out(), &a->w[0]);
}

static void op_setgroups(struct srv_req *r, struct srv_ans *a)
{
	a->err = ps_setgroups(r->obj, r->w[0], data, r->nbytes);
}

static void op_setfsid(struct srv_req *r, struct srv_ans *a)
{
	a->w[0] = ps_setfsid(r->obj, r->w);
}

/* Through a credential token (object()), or a process's own "proc". */
static void op_cred(struct srv_req *r, struct srv_ans *a)
{
	a->nbytes = ps_cred(r->obj, srv_out());
}

#define OP(label, fn) { label, label, fn }
static const struct srv_op ops[] = {
	OP(PS_GETPID, op_getpid),
	OP(PS_FORK, op_fork),
	OP(PS_EXEC, op_exec),
	OP(PS_EXEC_KEEP, op_exec_keep),
	OP(PS_EXEC_GRANT, op_exec_grant),
	OP(PS_EXIT, op_exit),
	OP(PS_WAIT, op_wait),
	OP(PS_KILL, op_kill),
	OP(PS_SIGACTION, op_sigaction),
	OP(PS_SIGMASK, op_sigmask),
	OP(PS_SIGPENDING, op_sigpending),
	OP(PS_SETPGID, op_setpgid),
	OP(PS_GETPGID, op_getpgid),
	OP(PS_SETSID, op_setsid),
	OP(PS_GETSID, op_getsid),
	OP(PS_SIGRETURN_DONE, op_sigreturn),
	OP(PS_SETITIMER, op_setitimer),
	OP(PS_SIGWAIT, op_sigwait),
	OP(PS_SIGQUEUE, op_sigqueue),
	OP(PS_SIGINFO, op_siginfo),
	OP(PS_PROCLIST, op_proclist),
	OP(PS_PROCINFO, op_procinfo),
	OP(PS_TIMER_CREATE, op_timer_create),
	OP(PS_TIMER_SET, op_timer_set),
	OP(PS_TIMER_GET, op_timer_get),
	OP(PS_TIMER_DELETE, op_timer_delete),
	OP(PS_TKILL, op_tkill),
	OP(PS_AFFINITY, op_affinity),
	OP(PS_SCHED, op_sched),
	OP(PS_THREAD, op_thread),
	OP(PS_UMASK, op_umask),
	OP(PS_RLIMIT, op_rlimit),
	OP(PS_TIMES, op_times),
	OP(PS_REBOOT, op_reboot),
	OP(PS_SETNAME, op_setname),
	OP(PS_UNAME, op_uname),
	OP(PS_SETTIME, op_settime),
	OP(PS_GETUID, op_getuid),
	OP(PS_SETUID, op_setuid),
	OP(PS_GETGID, op_getgid),
	OP(PS_SETGID, op_setgid),
	OP(PS_GETGROUPS, op_getgroups),
	OP(PS_SETGROUPS, op_setgroups),
	OP(PS_SETFSID, op_setfsid),
	OP(PS_CRED, op_cred),
	OP(PS_UCOPY, op_ucopy),
	OP(PS_SIGCONTEXT, op_sigcontext),
	OP(CAIRN_FAULT_LABEL, op_fault),
};

/* The relay: processes ended (their bits of exit_note), or the Timer fired. */
static void event(uint64_t bits)
{
	if (bits & TIMER_BIT)
		timers_fire();
	procs_check_ended(bits & ~TIMER_BIT);
}

/* Before the answer: the caller's own signals (a kill of its own process
 * is delivered before kill() returns, as POSIX has it; with several CPUs
 * the caller would run on before a later upcall). The kernel holds an
 * upcall of a thread waiting for our answer until that answer. Others'
 * come after the answer (do_work): a parent whose wait we answered
 * gets its SIGCHLD after the wait's result, not instead of it. */
static void caller_work(void)
{
	struct proc *c = req_proc;

	req_proc = NULL;
	if (c && c->state == P_LIVE && c->work)
		sig_work(c);
}

static void do_work(void)
{
	while (work_pending) {
		work_pending = false;
		for (unsigned i = 0; i < MAX_PROCS; i++)
			if (procs[i]->state == P_LIVE && procs[i]->work)
				sig_work(procs[i]);
	}
}

static struct srv srv = {
	.name = "proc",
	.ops = ops,
	.nops = sizeof(ops) / sizeof(ops[0]),
	.in_buf = (uint8_t *)data,
	.in_max = POSIX_INLINE_MAX,
	.object = object,
	.event = event,
	.after = caller_work,
	.work = do_work,
	.work_pending = &work_pending,
};

int main(int argc, char **argv)
{
	int first = 1;
	err_t e;

	for (; first < argc && !strncmp(argv[first], "--", 2); first++) {
		const char *opt = argv[first];
		uint64_t v;
		if (!strncmp(opt, "--quota=", 8) && parse_size(opt + 8, &v)) {
			child_quota = v;
		} else if (!strncmp(opt, "--prio=", 7) && parse_size(opt + 7, &v) && v < 127) {
			child_prio = (unsigned)v;
		} else if (!strcmp(opt, "--init")) {
			init_pid1 = true;
		} else {
			say("unknown option %s\n", opt);
			return 2;
		}
	}
	if (first == argc) {
		say("usage: proc [--quota=SIZE] [--prio=N] [--init] PROGRAM [ARGS...]\n");
		return 2;
	}
	timers_init();
	if ((e = setup()) || (e = pool_root_make())) {
		say("cannot set up: %s\n", err_name(e));
		return 1;
	}
	if ((e = start_first(argc - first, argv + first)))
		return 127;
	srv_run(&srv);
	return 1;
}
