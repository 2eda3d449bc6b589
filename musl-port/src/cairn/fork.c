/* SPDX-License-Identifier: MIT */
/*
 * fork, clone (a new process) and execve. Their per-arch assembly and the
 * signal entry's are in arch/<arch>/fork_entry.S.
 *
 * fork: __cairn_fork_enter saves the registers the C calling convention
 * keeps (riscv64: ra, sp, gp, tp, s0-s11, fs0-fs11, fcsr; x86_64: the
 * return address, rsp, rbx, rbp, r12-r15, mxcsr, the x87 control word)
 * in a context on this stack and calls fork_parent(), which takes a
 * new reference of every descriptor for the child (IO_DUP: a capability
 * of its own, with a badge of its own, so that the child can close only
 * its own references, never the parent's) and stages it at the
 * descriptor's slot (PS_EXEC_KEEP), then sends PS_FORK with the child's
 * entry __cairn_fork_child, the context as its argument and our thread
 * pointer. The process server puts the staged references into the
 * child's table, copies the rest of the table (PROC_COPY_CAPS leaves
 * used slots alone) and the address space (copy-on-write), so the child
 * finds the context in its copy of this stack: it restores the registers
 * and returns 0 from __cairn_fork_enter, where the parent returns the
 * child's pid. If the fork fails the process server closes what was
 * staged.
 *
 * clone without CLONE_THREAD (posix_spawn's CLONE_VM|CLONE_VFORK) is a
 * fork whose child then runs musl's __cairn_clone_child on the stack
 * clone was given; the parent does not wait for the child's exec (vfork
 * semantics are not needed by posix_spawn, which waits on its pipe).
 *
 * execve: a "#!interpreter [arg]" file runs its interpreter (exec_path);
 * an image file is read through the VFS into a MemoryObject, every
 * descriptor without FD_CLOEXEC, the working directory and the named
 * capabilities are kept at their slots (PS_EXEC_KEEP), and PS_EXEC starts
 * the new image with argv, envp and the names (fdN=slot, cwd=slot,
 * vfs=slot, ...), which posix.c reads at start-up. A capability is a
 * reference of its description, and the old image's go with it (the VFS
 * drops a dead process's references itself, CAP_OP_WATCH): the new
 * image gets new references of its own (IO_DUP, staged as a fork's; the
 * process server closes them if the exec fails). A
 * close-on-exec descriptor is not kept: it closes with the old image, as
 * every server of descriptors watches its clients' ends.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include "syscall.h"
#include "cairn_impl.h"
#include "cairn_arch.h"

#define INLINE_MAX  POSIX_INLINE_MAX

struct fork_ctx {
	uint64_t r[32];              /* [0] return address, [1] sp, then the rest */
};

hidden long __cairn_fork_enter(struct fork_ctx *ctx, long (*fn)(struct fork_ctx *));
hidden void __cairn_fork_child(void);
hidden _Noreturn void __cairn_jump(uintptr_t pc, uintptr_t sp, uintptr_t a0);


/* ---- fork --------------------------------------------------------------------------------- */

static long fork_parent(struct fork_ctx *ctx)
{
	struct cairn_ans a;
	err_t e;

	uint32_t tid = (uint32_t)__cairn_sig_self()->tid;

	if ((e = __cairn_fd_fork_refs()))
		return e;
	/* the forking thread, whose mask and deliveries the child's are */
	memcpy(__cairn_ipc_data(), &tid, sizeof(tid));
	e = __cairn_ipc(__cairn_proc, PS_FORK, (uint64_t)(uintptr_t)__cairn_fork_child, ctx->r[1],
			(uint64_t)(uintptr_t)ctx, cairn_arch_thread_pointer(), sizeof(tid), 0, IPC_EINTR,
			&a);
	if (e)
		return cairn_errno(e);       /* the process server closed the staged references */
	return (long)a.w[0];
}

long __cairn_fork(void)
{
	struct fork_ctx ctx;
	long r;

	if (__cairn_proc == CAP_NULL) {
#ifdef SYS_fork
		return __cairn_nosys(SYS_fork);
#else
		return __cairn_nosys(SYS_clone);
#endif
	}
	r = __cairn_fork_enter(&ctx, fork_parent);
	if (!r) {
		/* the child's one thread: a lock of cairn_map()'s table that
		 * another thread held when the space was copied is nobody's */
		cairn_vm_forked();
		__cairn_posix_forked();
		__cairn_sysv_forked();   /* its shmat attaches count, no SEM_UNDO of its own */
	}
	return r;
}

long __cairn_clone(unsigned long flags, void *stack, void *ptid, void *ctid, unsigned long tls,
		   uintptr_t child_pc)
{
	const unsigned long as_fork = CLONE_VM | CLONE_VFORK;
	long r;

	if ((flags & 0xff) && (flags & 0xff) != SIGCHLD)
		return -EINVAL;
	if (flags & CLONE_THREAD)
		return __cairn_thread_clone(flags, stack, ptid, ctid, tls, child_pc);
	if (flags & ~(as_fork | 0xffu)) {
		__cairn_unimplemented(CAIRN_UNIMP_OTHER, 0x60001, "clone with these flags is");
		return -EINVAL;
	}
	r = __cairn_fork();
	if (!r && stack)
		__cairn_jump(child_pc, (uintptr_t)stack, cairn_arch_thread_pointer());
	return r;
}

/* ---- execve ------------------------------------------------------------------------------- */

/* PS_EXEC's strings as they are gathered: in a buffer of max bytes (the
 * message's, or a MemoryObject's for more, posix.h). */
struct strs {
	char *buf;
	size_t len, max;
};
#define ARG_STRLEN_MAX  (32 * 4096)

/* Appends s and its NUL (buf NULL: only counts): false if it does not fit. */
static int put_str(struct strs *b, const char *s)
{
	size_t n = strlen(s) + 1;

	if (n > b->max - b->len)
		return 0;
	if (b->buf)
		memcpy(b->buf + b->len, s, n);
	b->len += n;
	return 1;
}

static char *decimal(char *end, unsigned long v)
{
	*--end = 0;
	do
		*--end = (char)('0' + v % 10);
	while (v /= 10);
	return end;
}

/* "name=slot" */
static int put_name(struct strs *b, const char *name, cap_t slot)
{
	char tmp[48], num[24];
	size_t n = strlen(name);

	if (n > 20)
		return 0;
	memcpy(tmp, name, n);
	tmp[n++] = '=';
	strcpy(tmp + n, decimal(num + sizeof(num), slot));
	return put_str(b, tmp);
}

/* The capabilities the new image gets, and how. */
/* What an exec keeps: the open descriptors, the working directory and
 * the named capabilities (the process server takes at most 64 of all
 * these; more fail there) */
#define KEEP_MAX (FD_MAX + 1 + 64)

struct keep {
	cap_t slot;
	uint64_t dst;                 /* the same slot, or POSIX_KEEP_CLOSE */
	int ref;                      /* a reference of a description: a new one goes */
};

/* Stages what the exec keeps: a description's reference as a new one
 * (__cairn_keep_ref), the other capabilities as they are, four a call. */
static long keep_send(const struct keep *k, unsigned n)
{
	long r;

	for (unsigned i = 0; i < n; i++) {
		if (!k[i].ref || !(r = __cairn_keep_ref(k[i].slot)))
			continue;
		if (r != -EBADF && r != -EPIPE && r != -EIO)
			return r;
		/* its object is gone (the server died): kept as it is, to
		 * answer the program the same errors */
		cairn_ipcbuf()->caps[0] = k[i].slot;
		err_t e = __cairn_ipc(__cairn_proc, PS_EXEC_KEEP, k[i].dst, 0, 0, 0, 0, 1, IPC_ALWAYS, NULL);
		if (e)
			return cairn_errno(e);
	}
	for (unsigned i = 0, m; i < n; i += m) {
		uint64_t w[4] = { 0, 0, 0, 0 };
		err_t e;

		m = 0;
		for (; i + m < n && m < 4 && !k[i + m].ref; m++) {
			cairn_ipcbuf()->caps[m] = k[i + m].slot;
			w[m] = k[i + m].dst;
		}
		if (!m) {
			m = 1;                   /* a reference: staged above */
			continue;
		}
		if ((e = __cairn_ipc(__cairn_proc, PS_EXEC_KEEP, w[0], w[1], w[2], w[3], 0, m, IPC_ALWAYS,
				     NULL)))
			return cairn_errno(e);
	}
	return 0;
}

static int is_fd_name(const char *s)
{
	return s[0] == 'f' && s[1] == 'd' && s[2] >= '0' && s[2] <= '9';
}

static int slot_valid(cap_t slot)
{
	uint64_t id[3];

	return !cairn_cap_op(CAP_OP_IDENTIFY, slot, CAP_NULL, 0, 0, id);
}


/* Reads the file into a new MemoryObject: each IO_PREAD answer's bytes,
 * already at word 4 of the IPC buffer, go on as a MEMOBJ_WRITE (the kernel
 * copies them into the object's pages; no mapping, no page faults, no copy
 * of our own). */
static long load_file(cap_t file, uint64_t size, cap_t *out)
{
	uint64_t pages = (size + CAIRN_PAGE_SIZE - 1) / CAIRN_PAGE_SIZE, done = 0;
	struct cairn_ans a;
	struct cairn_msg m;
	cap_t mo;
	err_t e;

	if (!size)
		return -ENOEXEC;
	if ((e = cairn_memobj_create(SLOT_SELF_PROC, pages, 0, &mo)))
		return cairn_errno(e);
	while (done < size) {
		uint64_t k = size - done < INLINE_MAX ? size - done : INLINE_MAX;
		if ((e = __cairn_ipc(file, IO_PREAD, k, done, 0, 0, 0, 0, IPC_ALWAYS, &a)))
			break;
		if (!a.w[0] || a.w[0] > k || a.w[0] > a.nbytes) {
			e = ERR_NOEXEC;    /* shorter than its size */
			break;
		}
		m = cairn_call(mo, cairn_tag(MEMOBJ_WRITE, CAIRN_MSG_REGS + (unsigned)((a.w[0] + 7) / 8), 0),
			       done, a.w[0], 0, 0);
		if ((e = m.err ? (err_t)m.err : (err_t)cairn_tag_label(m.tag)))
			break;
		done += a.w[0];
	}
	if (e) {
		cairn_cap_delete(mo);
		return cairn_errno(e);
	}
	*out = mo;
	return 0;
}

/* The file's bytes in a MemoryObject: the server's own image of it when
 * it has one (IO_IMAGE: one call, no copy here; its size may be newer
 * than the open's), else read here (load_file). */
static long file_image(cap_t file, uint64_t *size, cap_t *out)
{
	struct cairn_ans a;
	/* with our token: a set-uid or set-gid file's server tells the
	 * process server this image runs with its ids (PS_EXEC_GRANT) */
	err_t e = __cairn_ipc(file, IO_IMAGE, 0, 0, 0, 0, 0, __cairn_with_cred(0), IPC_ALWAYS, &a);

	if (!e && a.ncaps == 1 && a.w[0]) {
		*out = cairn_ipcbuf()->caps[0];
		*size = a.w[0];
		return 0;
	}
	for (unsigned i = 0; !e && i < a.ncaps; i++)
		cairn_cap_delete(cairn_ipcbuf()->caps[i]);
	return load_file(file, *size, out);
}

/* The counts of PS_EXEC's strings */
struct counts {
	unsigned long argc, envc, nnames;
	unsigned nkeep;
};

/* argv, envp and the names, as they will travel, into b, then path when
 * it fits (optional); the capabilities to keep into keep. 0, or -E2BIG
 * when b is too small. */
static long gather_strs(struct strs *b, const char *path, char *const argv[], char *const envp[],
			struct keep *keep, struct counts *c)
{
	const char *name;
	cap_t slot;

	*c = (struct counts){ 0 };
	/* each string at most Linux's MAX_ARG_STRLEN (32 pages) */
	for (; argv && argv[c->argc]; c->argc++)
		if (strnlen(argv[c->argc], ARG_STRLEN_MAX) >= ARG_STRLEN_MAX ||
		    !put_str(b, argv[c->argc]))
			return -E2BIG;
	for (; envp && envp[c->envc]; c->envc++)
		if (strnlen(envp[c->envc], ARG_STRLEN_MAX) >= ARG_STRLEN_MAX ||
		    !put_str(b, envp[c->envc]))
			return -E2BIG;
	for (long fd = 0; fd < FD_MAX; fd++) {
		struct cairn_fd *f = __cairn_fd(fd);
		char fdname[8] = "fd";
		if (!f || f->kind != FDK_IO)
			continue;
		if (f->cloexec) {
			/* every server of descriptors (the VFS, file servers, the
			 * network and console servers) drops the references of a dead
			 * process's capabilities itself (CAP_OP_WATCH): the old image's
			 * end closes it. (An IO_CLOSE from the process server as well
			 * would drop a second reference: a forked telnetd's socket and
			 * pty master, closed under the parent by its child's exec.) */
			continue;
		}
		strcpy(fdname + 2, decimal(fdname + sizeof(fdname), (unsigned long)fd));
		keep[c->nkeep++] = (struct keep){ f->cap, f->cap, 1 };
		if (!put_name(b, fdname, f->cap))
			return -E2BIG;
		c->nnames++;
	}
	if (__cairn_cwd != CAP_NULL) {
		keep[c->nkeep++] = (struct keep){ __cairn_cwd, __cairn_cwd, 1 };
		if (!put_name(b, "cwd", __cairn_cwd))
			return -E2BIG;
		c->nnames++;
	}
	for (unsigned i = 0; (name = cairn_cap_name(i, &slot)); i++) {
		if (!strcmp(name, "proc") || !strcmp(name, "cred") || !strcmp(name, "cwd") || is_fd_name(name) ||
		    slot < SLOT_FIRST_FREE || !slot_valid(slot))
			continue;
		if (c->nkeep == KEEP_MAX)
			return -E2BIG;
		keep[c->nkeep++] = (struct keep){ slot, slot, 0 };
		if (!put_name(b, name, slot))
			return -E2BIG;
		c->nnames++;
	}
	if (path)
		put_str(b, path);                 /* optional: left out if it does not fit */
	return 0;
}

/* The exec of an image file (open: file, size; closed here); path is the
 * path execve was given (a script's, not its interpreter's): its last part
 * is the new image's comm (/proc/PID/comm), as Linux's. The strings travel
 * in the message when they fit, else in a MemoryObject of as many pages
 * as they need, POSIX_ARG_MAX bytes at most (posix.h, PS_EXEC). */
static long exec_image(const char *path, char *const argv[], char *const envp[], cap_t file,
		       uint64_t size)
{
	static struct keep keep[KEEP_MAX];
	char buf[INLINE_MAX];
	struct strs b = { buf, 0, INLINE_MAX };
	struct counts c;
	cap_t mo, smo = CAP_NULL;
	uint64_t slen;
	long r;
	err_t e;

	r = gather_strs(&b, path, argv, envp, keep, &c);
	if (r == -E2BIG) {
		struct strs count = { NULL, 0, POSIX_ARG_MAX };
		uint64_t pages;
		void *va;

		r = gather_strs(&count, path, argv, envp, keep, &c);
		pages = (count.len + CAIRN_PAGE_SIZE - 1) / CAIRN_PAGE_SIZE;
		if (r) {
			;                 /* E2BIG */
		} else if ((e = cairn_memobj_create(SLOT_SELF_PROC, pages, 0, &smo))) {
			r = cairn_errno(e);
		} else if ((e = cairn_map(smo, 0, pages, CAIRN_PROT_R | CAIRN_PROT_W, &va))) {
			r = cairn_errno(e);
		} else {
			b = (struct strs){ va, 0, pages * CAIRN_PAGE_SIZE };
			r = gather_strs(&b, path, argv, envp, keep, &c);
			cairn_unmap(va, pages);
		}
	}
	if (r) {
		if (smo != CAP_NULL)
			cairn_cap_delete(smo);
		__cairn_io_release(file);
		return r;
	}
	/* the program */
	r = file_image(file, &size, &mo);
	__cairn_io_release(file);
	if (r) {
		if (smo != CAP_NULL)
			cairn_cap_delete(smo);
		return r;
	}
	/* the capabilities it keeps, then the exec (no answer if it works).
	 * The new image's copies are references of their descriptions of
	 * their own (the old image's go with it): IO_DUP first, as a fork's */
	__cairn_fd_unlease_all();       /* the new image finds the offsets in the server */
	__cairn_mq_exec();              /* our mq_notify registrations end with the old image */
	__cairn_sysv_exec(0);           /* and our shmat attaches */
	__cairn_ipc(__cairn_proc, PS_EXEC_KEEP, 0, 0, 0, 0, 0, 0, IPC_ALWAYS, NULL);
	if (!(r = keep_send(keep, c.nkeep))) {
		cairn_ipcbuf()->caps[0] = mo;
		if (smo == CAP_NULL) {
			memcpy(__cairn_ipc_data(), buf, b.len);
			slen = b.len;
		} else {
			uint64_t n = b.len;
			memcpy(__cairn_ipc_data(), &n, sizeof(n));
			cairn_ipcbuf()->caps[1] = smo;
			slen = sizeof(n);
		}
		e = __cairn_ipc(__cairn_proc, PS_EXEC, size, c.argc, c.envc, c.nnames, slen,
				smo == CAP_NULL ? 1 : 2, IPC_ALWAYS, NULL);
		r = cairn_errno(e ? e : ERR_IO);
	}
	/* (emptied, the staged references closed by the process server) */
	__cairn_ipc(__cairn_proc, PS_EXEC_KEEP, 0, 0, 0, 0, 0, 0, IPC_ALWAYS, NULL);
	__cairn_sysv_exec(1);           /* the exec failed: they count again */
	cairn_cap_delete(mo);
	if (smo != CAP_NULL)
		cairn_cap_delete(smo);
	return r;
}

/* "#!interpreter [arg]" on the first line of a file (at most SCRIPT_LINE
 * bytes, as Linux's): 1 and the line after "#!" in line (NUL-ended), 0
 * for anything else, or -errno. */
#define SCRIPT_LINE  256
#define SCRIPT_DEPTH 4        /* interpreters that are scripts themselves */
static long script_line(cap_t file, uint64_t size, char *line)
{
	struct cairn_ans a;
	uint64_t k = size < SCRIPT_LINE ? size : SCRIPT_LINE, n;
	const char *d = __cairn_ipc_data(), *nl;
	err_t e;

	if (size < 2)
		return 0;
	if ((e = __cairn_ipc(file, IO_PREAD, k, 0, 0, 0, 0, 0, IPC_ALWAYS, &a)))
		return cairn_errno(e);
	n = a.w[0] < k ? a.w[0] : k;
	if (n > a.nbytes)
		n = a.nbytes;
	if (n < 2 || d[0] != '#' || d[1] != '!')
		return 0;
	if ((nl = memchr(d, '\n', n)))
		n = (uint64_t)(nl - d);
	else if (n < size)
		return -ENOEXEC;              /* a longer first line */
	memcpy(line, d + 2, n - 2);
	line[n - 2] = 0;
	return 1;
}

static long exec_path(const char *path, char *const argv[], char *const envp[], int depth,
		      const char *comm_path);

/* file (opened for exec, a reference of our own) runs: an image, or a
 * script's interpreter given path */
static long exec_file(cap_t file, uint64_t size, const char *path, char *const argv[],
		      char *const envp[], int depth, const char *comm_path)
{
	char line[SCRIPT_LINE], *interp, *arg = NULL, *p;
	unsigned long argc = 0, i = 0;
	long r;

	if (!(r = script_line(file, size, line)))
		return exec_image(comm_path, argv, envp, file, size);
	__cairn_io_release(file);
	if (r < 0)
		return r;
	if (depth >= SCRIPT_DEPTH)
		return -ELOOP;
	/* the interpreter, then one argument: the rest of the line, trimmed */
	for (p = line; *p == ' ' || *p == '\t'; p++)
		;
	interp = p;
	while (*p && *p != ' ' && *p != '\t')
		p++;
	if (*p) {
		*p++ = 0;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p) {
			char *end = p + strlen(p);
			while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
				*--end = 0;
			arg = p;
		}
	}
	if (!*interp)
		return -ENOEXEC;
	while (argv && argv[argc])
		argc++;
	char *nargv[argc + 3];
	nargv[i++] = interp;
	if (arg)
		nargv[i++] = arg;
	nargv[i++] = (char *)path;
	for (unsigned long j = 1; j < argc; j++)
		nargv[i++] = argv[j];
	nargv[i] = NULL;
	return exec_path(interp, nargv, envp, depth + 1, comm_path);
}

static long exec_path(const char *path, char *const argv[], char *const envp[], int depth,
		      const char *comm_path)
{
	uint64_t size;
	cap_t file;
	long r;

	if ((r = __cairn_open_exec(path, &file, &size)))
		return r;
	return exec_file(file, size, path, argv, envp, depth, comm_path);
}

long __cairn_execve(const char *path, char *const argv[], char *const envp[])
{
	if (__cairn_proc == CAP_NULL)
		return __cairn_nosys(SYS_execve);
	return exec_path(path, argv, envp, 0, path);
}

/* execveat, and fexecve through it (AT_EMPTY_PATH, an empty path: the
 * file open at dirfd). A script run so has no path its interpreter could
 * open (Linux gives it /dev/fd/N, which Cairn has not): ENOENT, as Linux
 * answers for a close-on-exec descriptor. */
long __cairn_execveat(long dirfd, const char *path, char *const argv[], char *const envp[], long flags)
{
	char line[SCRIPT_LINE];
	uint64_t size;
	cap_t file;
	long r;

	if (__cairn_proc == CAP_NULL)
		return __cairn_nosys(SYS_execveat);
	if ((r = __cairn_open_exec_at(dirfd, path, flags, &file, &size)))
		return r;
	if (*path == '/')
		return exec_file(file, size, path, argv, envp, 0, path);
	if ((r = script_line(file, size, line))) {
		__cairn_io_release(file);
		return r < 0 ? r : -ENOENT;
	}
	/* the name the new image is known by: the path, or the descriptor */
	char name[24], *n = name + sizeof(name);
	if (!*path) {
		unsigned long v = (unsigned long)dirfd;
		*--n = 0;
		do
			*--n = (char)('0' + v % 10);
		while ((v /= 10));
		path = n;
	}
	return exec_image(path, argv, envp, file, size);
}
