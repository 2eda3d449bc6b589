/* SPDX-License-Identifier: MIT */
/*
 * musl-port internals: the Linux system-call dispatcher (dispatch.c) and
 * the files that answer each area of calls. Built inside musl's tree as
 * src/cairn/ (scripts/toolchain.mk), with musl's internal headers and
 * Cairn's ABI (include/cairn/abi.h, include/cairn/posix.h) and libcairn
 * (user/lib/include).
 *
 * Each handler takes the raw system-call arguments and returns what the
 * Linux system call would: a result >= 0, or -errno. Cairn's err_t values
 * are errno numbers (include/cairn/err.h), so -(long)err is the answer.
 *
 *   dispatch.c  the switch on the Linux number, "not implemented" messages
 *   ipc.c       calls to servers (the IPC buffer, interrupted calls)
 *   posix.c     start-up of the POSIX state: capabilities, descriptors, pid
 *   fd.c        the descriptor table and the I/O protocol
 *   poll.c      poll, ppoll, select, pselect
 *   socket.c    BSD sockets: requests to the network server ("net")
 *   fs.c        path calls through the VFS, the working directory
 *   proc.c      exit, ids, groups, wait, kill, rlimits, uname
 *   signal.c    dispositions, masks, the upcall entry that runs handlers
 *   fork.c      fork, clone (a process), execve, the per-arch trampolines
 *   sysinfo.c   sysinfo
 *   mq.c        POSIX message queues (files of /dev/mqueue, mapped shared)
 *   sysvipc.c   System V messages, semaphores, shared memory (files of /dev/sysvipc)
 *   shlock.c    locks of memory that processes share (the holder's pid)
 *   mem.c, time.c, thread.c, random.c, start.c, names.c
 */
#ifndef CAIRN_IMPL_H
#define CAIRN_IMPL_H
#include <features.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/uio.h>
#include <cairn/rt.h>
#include <cairn/posix.h>

/* Process layout of a musl-port program (include/cairn/abi.h and
 * user/lib/include/cairn/rt.h have the rest):
 *   0x400000                            the program (musl-port/cairn.lds)
 *   CAIRN_MMAP_BASE..CAIRN_MMAP_END     mmap
 *   CAIRN_HEAP_BASE..+CAIRN_HEAP_MAX    brk
 *   CAIRN_VM_BASE..CAIRN_VM_END         libcairn's cairn_map() (runtime use)
 *   CAIRN_STACK_TOP                     stack, IPC buffer, start-up block */
#define CAIRN_MMAP_BASE  0x1000000000ull   /* 64 GiB */
#define CAIRN_MMAP_END   0x2000000000ull   /* 128 GiB = CAIRN_HEAP_BASE */

/* Without a process server (a program init starts itself) every process
 * is this one. */
#define CAIRN_PID        2
#define CAIRN_PPID       1

static inline long cairn_errno(err_t e) { return -(long)e; }

/* dispatch.c: -ENOSYS, saying once per number on stderr that the call
 * is not implemented. */
hidden long __cairn_nosys(long n);
/* Says "cairn: WHAT not implemented" on stderr the first time key is
 * seen for this kind of thing (kind: a small number naming the table). */
hidden void __cairn_unimplemented(unsigned kind, unsigned long key, const char *what);
enum { CAIRN_UNIMP_IOCTL, CAIRN_UNIMP_FUTEX, CAIRN_UNIMP_CLOCK, CAIRN_UNIMP_OTHER, CAIRN_UNIMP_KINDS };
/* Writes a message on stderr (fd 2). */
hidden void __cairn_say(const char *s);

/* ---- ipc.c: requests to servers ------------------------------------------------------ */
/* The inline bytes of the calling thread's IPC buffer (word 4 on):
 * POSIX_INLINE_MAX bytes to send or received. */
static inline char *__cairn_ipc_data(void)
{
	return (char *)&cairn_ipcbuf()->w[CAIRN_MSG_REGS];
}
/* An answer: the words and how many inline bytes and capabilities came
 * (the bytes at __cairn_ipc_data(), the slots in cairn_ipcbuf()->caps). */
struct cairn_ans {
	uint64_t w[4];
	size_t nbytes;
	unsigned ncaps;
};
/* What to do when a signal handler interrupts a call that waits (ERR_INTR). */
enum {
	IPC_EINTR = 0,        /* return EINTR */
	IPC_RESTART = 1,      /* call again if the handler had SA_RESTART, else EINTR */
	IPC_ALWAYS = 2,       /* call again (requests that must happen: close, dup) */
};
/* Calls cap with label and w0..w3, nbytes inline bytes already at
 * __cairn_ipc_data() and ncaps capabilities already in
 * cairn_ipcbuf()->caps[]. Returns the error of the call mechanism or the
 * answer's label (0 or an errno); fills *a (may be NULL). */
hidden err_t __cairn_ipc(cap_t cap, uint32_t label, uint64_t w0, uint64_t w1, uint64_t w2,
			 uint64_t w3, size_t nbytes, unsigned ncaps, int intr, struct cairn_ans *a);

/* ---- posix.c: the POSIX state of this process ------------------------------------------- */
extern hidden cap_t __cairn_cred;   /* "cred": our credential token (docs/users.md), or CAP_NULL */
extern hidden cap_t __cairn_proc;   /* "proc": the process server (badged with our pid) */
extern hidden cap_t __cairn_root;   /* the root directory: "vfs", or the one the VFS
                                     * named once "/" was mounted from a disk (fs.c) */
extern hidden cap_t __cairn_vfs;    /* "vfs": the VFS (pipes, the mount table) */
hidden int __cairn_same_object(cap_t a, cap_t b);
extern hidden cap_t __cairn_cwd;    /* the working directory (our own reference) */
/* Called by __cairn_start before main: descriptors, working directory. */
hidden void __cairn_posix_init(void);
/* Our pid (PS_GETPID once, CAIRN_PID without a process server). */
hidden long __cairn_getpid(void);
extern hidden long __cairn_my_pid;
/* __cairn_getpid() without a call once it is known (pipe.c's side locks) */
static inline __attribute__((always_inline)) long __cairn_getpid_known(void)
{
	long p = __cairn_my_pid;

	return p ? p : __cairn_getpid();
}
/* Forgets the cached pid and per-process objects (the child of a fork). */
hidden void __cairn_posix_forked(void);
/* The child of a fork (signal.c): in_handler, the forking thread was
 * running a handler; else what the parent's main thread had under way
 * (a handler, an upcall on its way, signals held) is not the child's. */
hidden void __cairn_sig_forked(int in_handler);
/* A Notification of this process (poll, sleeping, sigsuspend; made when
 * first needed), or CAP_NULL. Every signal handler's end signals
 * NOTE_SIG_BIT on it, so a wait that began before the handler ran (a
 * missed ERR_INTR) ends too: waits compare __cairn_sig_count. */
hidden cap_t __cairn_note(void);
extern hidden cap_t __cairn_note_cap;
#define NOTE_POLL_BIT   1ull
#define NOTE_SIG_BIT    (1ull << 63)

/* ---- fd.c: descriptors -------------------------------------------------------------- */
#define FD_MAX   256                   /* RLIMIT_NOFILE */
enum { FDK_NONE = 0, FDK_IO, FDK_DEBUG };
struct cairn_fd {
	cap_t cap;                         /* FDK_IO: a server object; FDK_DEBUG: the console */
	uint8_t kind, cloexec;
	uint8_t pipe;                      /* PIPE_*: a pipe's shared ring (fd.c) */
	uint8_t pwend;                     /* PIPE_MAPPED: 1 the write end, PIPE_SOCK a socket's rings */
	uint32_t type;                     /* S_IFMT bits, 0: not known yet */
	struct posix_pipe_shm *shm;        /* PIPE_MAPPED: the ring, mapped */
	cap_t pobj[3];                     /* PIPE_MAPPED: its MemoryObject, data and space Notifications */
	uint8_t fmode;                     /* FMAP_*: a regular file's shared pages (fmap.c) */
	uint8_t lease;                     /* FMAP_MAPPED: the offset is ours, in pos */
	uint32_t oflags;                   /* FMAP_MAPPED: the description's open flags */
	struct cairn_fmap *fm;             /* FMAP_MAPPED: the file's pages, mapped */
	uint64_t pos;                      /* lease: the description's offset; a socket:
	                                    * bytes it moved by messages (socket.c) */
};
enum { PIPE_UNTRIED = 0, PIPE_MAPPED, PIPE_SERVER };
#define PIPE_SOCK 2
#define PIPE_SOCKD 3                       /* a datagram socket's rings: records */
enum { FMAP_UNTRIED = 0, FMAP_MAPPED, FMAP_SERVER };
/* S_IFMT of descriptor f, asked for (IO_STAT) the first time. */
hidden uint32_t __cairn_fd_type(struct cairn_fd *f);
/* Descriptor fd, or NULL (EBADF). */
hidden struct cairn_fd *__cairn_fd(long fd);
/* Installs cap as the lowest free descriptor >= min: the descriptor, or
 * -EMFILE (-EINVAL if min is out of range). The slot is the table's now. */
hidden long __cairn_fd_install(long min, cap_t cap, int kind, int cloexec, uint32_t type);
/* Takes the lowest free descriptor >= min before the object it will hold
 * exists (socket, accept: EMFILE before the server makes anything): the
 * descriptor, or -EMFILE. __cairn_fd_fill gives it its capability,
 * __cairn_fd_unreserve frees it again. */
hidden long __cairn_fd_reserve(long min);
hidden void __cairn_fd_unreserve(long fd);
hidden void __cairn_fd_fill(long fd, cap_t cap, int cloexec, uint32_t type);
/* Sets descriptor fd (free) to cap (start-up). */
hidden void __cairn_fd_set(long fd, cap_t cap, int kind, uint32_t type);
/* IO_CLOSE on an I/O object (one reference of its description less),
 * then its slot deleted. */
hidden void __cairn_io_release(cap_t cap);
hidden long __cairn_fd_ref(long fd, cap_t *out);
hidden long __cairn_open_exec_at(long dirfd, const char *path, long flags, cap_t *file, uint64_t *size);
hidden long __cairn_execveat(long dirfd, const char *path, char *const argv[], char *const envp[], long flags);
/* Sends IO_CLOSE on every descriptor and the working directory (exit). */
hidden void __cairn_fd_close_all(void);
/* One more reference of cap's description, a capability of its own (IO_DUP). */
hidden err_t __cairn_io_dup(cap_t cap, cap_t *out);
/* Stages a new reference of slot's description at slot for the next
 * PS_FORK or PS_EXEC (PS_EXEC_KEEP, POSIX_KEEP_REF); 0 or -errno. */
hidden long __cairn_keep_ref(cap_t slot);
/* Stages a reference of every descriptor and the working directory for a
 * fork's child (__cairn_keep_ref); 0 or -errno (nothing staged). */
hidden long __cairn_fd_fork_refs(void);
/* The soft RLIMIT_NOFILE. */
extern hidden long __cairn_fd_limit;
hidden int __cairn_fd_is_console(long fd);
hidden long __cairn_read(long fd, void *buf, size_t n);
hidden long __cairn_readv(long fd, const void *iov, long cnt);
hidden long __cairn_write(long fd, const void *buf, size_t n);
hidden long __cairn_writev(long fd, const void *iov, long cnt);
hidden long __cairn_pread(long fd, void *buf, size_t n, long off);
hidden long __cairn_pwrite(long fd, const void *buf, size_t n, long off);
hidden long __cairn_preadv(long fd, const void *iov, long cnt, long off);
hidden long __cairn_pwritev(long fd, const void *iov, long cnt, long off);
hidden long __cairn_close(long fd);
hidden long __cairn_lseek(long fd, long off, long whence);
hidden long __cairn_sendfile(long out, long in, long *offp, size_t count);
hidden long __cairn_ioctl(long fd, unsigned long req, void *arg);
hidden long __cairn_dup(long fd);
/* open("/dev/tty"): *obj, the console's tty, becomes our session's
 * controlling terminal when that is another (fd.c) */
hidden void __cairn_ctty(cap_t *obj);
hidden long __cairn_dup3(long old, long new, long flags, int dup2);
hidden long __cairn_fcntl(long fd, long cmd, long arg);
hidden long __cairn_flock(long fd, long op);
hidden long __cairn_pipe2(int *fds, long flags);
hidden long __cairn_fstat(long fd, void *kst);
hidden long __cairn_getdents64(long fd, void *buf, size_t len);
hidden long __cairn_ftruncate(long fd, long len);
hidden long __cairn_fsync(long fd);
hidden long __cairn_fchmod(long fd, long mode);
/* struct posix_stat to musl's struct kstat of this arch. */
hidden void __cairn_kstat(const struct posix_stat *ps, void *kst);

/* ---- uaccess.c: the caller's memory, EFAULT for a bad pointer ----------------------------- */
/* The copy routines (arch/<arch>/ucopy.S): a memory fault in one of them
 * makes it return -1 (the process server resumes it at its fixup). */
hidden long __cairn_ucopy(void *dst, const void *src, size_t n);
hidden long __cairn_ustrnlen(const char *s, size_t max);
hidden long __cairn_uprobe_w(void *p);
/* Whether the n bytes at p can be read (written): a byte of each page
 * tried (a write leaves it as it was). */
hidden int __cairn_uread_ok(const void *p, size_t n);
hidden int __cairn_uwrite_ok(void *p, size_t n);
/* Start-up: the copy routines' range, told to the process server. */
hidden void __cairn_ucopy_register(void);
/* Whether system call n's pointer arguments point where it cannot read
 * or write what it will (then it is EFAULT, before anything is done). */
hidden int __cairn_bad_args(long n, long a, long b, long c, long d, long e, long f);
/* Which calls it looks at (1), by number */
#define CAIRN_PTR_CALLS 512
extern hidden const unsigned char __cairn_ptr_calls[CAIRN_PTR_CALLS];

/* ---- pipe.c: shared pipe rings (fd.c's reads and writes of a pipe) ----------------------- */
/* A place in an iovec array: where a read scatters to, or a write
 * gathers from. */
struct iov_at {
	const struct iovec *iov;
	long cnt, i;
	size_t off;               /* in iov[i] */
};

/* Copies n bytes between buf and the iovecs at v, onwards: into them
 * (scatter: a read) or out of them (gather: a write), with the copy
 * routine that survives a bad pointer (uaccess.c): 0, or -1 when an iovec's
 * memory cannot be accessed (some bytes may have been copied). */
static inline int __cairn_iov_copy(struct iov_at *v, char *buf, size_t n, int into)
{
	while (n && v->i < v->cnt) {
		char *at = (char *)v->iov[v->i].iov_base + v->off;
		size_t k = v->iov[v->i].iov_len - v->off;

		if (k > n)
			k = n;
		if (into ? __cairn_ucopy(at, buf, k) : __cairn_ucopy(buf, at, k))
			return -1;
		buf += k;
		n -= k;
		v->off += k;
		if (v->off == v->iov[v->i].iov_len) {
			v->i++;
			v->off = 0;
		}
	}
	return 0;
}

static inline int scatter(struct iov_at *d, const char *src, size_t n)
{
	return __cairn_iov_copy(d, (char *)src, n, 1);
}

static inline int gather(struct iov_at *v, uint8_t *dst, size_t n)
{
	return __cairn_iov_copy(v, (char *)dst, n, 0);
}
/* Whether a read or write of f goes through its pipe's shared ring
 * (mapping it on the first one). */
hidden int __cairn_pipe_try(struct cairn_fd *f);
static inline int __cairn_pipe_direct(struct cairn_fd *f)
{
	if (f->pipe == PIPE_MAPPED)
		return 1;
	return f->pipe == PIPE_UNTRIED && __cairn_pipe_try(f);
}
/* A read (write) of up to total bytes (0 < total <= SSIZE_MAX; a write
 * may be of 0) into (from) the cnt iovecs at iov, through the ring of f
 * (PIPE_MAPPED): what read(2) (write(2)) returns. */
hidden long __cairn_pipe_readv(struct cairn_fd *f, const struct iovec *iov, long cnt, size_t total);
hidden long __cairn_pipe_writev(struct cairn_fd *f, const struct iovec *iov, long cnt, size_t total);
/* Drops the mapping of f's ring (f is gone: a copy of it). */
hidden void __cairn_pipe_detach(struct cairn_fd *f);

/* ---- fmap.c: regular files through their shared pages ------------------------------------ */
/* FS_OPEN's request bits for an open with flags: POSIX_OPEN_FMAP, the
 * table when we have none, POSIX_OPEN_FMAP_HAVE with the bitmap of the
 * objects we hold in have (*havelen bytes to send after the path, 0: none). */
#define FMAP_HAVE_BYTES (POSIX_FMAP_SLOTS / 8)   /* have: 8-byte aligned */
hidden uint64_t __cairn_fmap_open_bits(uint32_t flags, uint8_t *have, size_t *havelen);
/* After FS_OPEN answered a (caps from cairn_ipcbuf()->caps[1]), asked
 * with bits: f (the new descriptor, flags its open flags; NULL: none was
 * made) takes the file's pages, or not. */
hidden void __cairn_fmap_opened(struct cairn_fd *f, const struct cairn_ans *a, uint32_t flags,
				uint64_t bits, const uint8_t *have, size_t havelen);
/* Whether reads and writes of f go through its pages (asking IO_FMAP the
 * first time). */
hidden int __cairn_fmap_try(struct cairn_fd *f);
static inline int __cairn_fmap_direct(struct cairn_fd *f)
{
	if (f->fmode == FMAP_MAPPED)
		return 1;
	return f->fmode == FMAP_UNTRIED && __cairn_fmap_try(f);
}
/* read/pread and write/pwrite through the pages (f FMAP_MAPPED; at: at
 * offset off, else the description's): what the call returns; -ENOTSUP:
 * go through the server instead. */
hidden long __cairn_fmap_read(struct cairn_fd *f, struct iov_at *d, size_t total, uint64_t off, int at);
hidden long __cairn_fmap_write(struct cairn_fd *f, struct iov_at *v, size_t total, uint64_t off, int at);
/* lseek of a leased offset; -ENOTSUP: ask the server. */
hidden long __cairn_fmap_seek(struct cairn_fd *f, long off, long whence);
/* Gives f's offset back to the server (before dup, fork, exec). */
hidden void __cairn_fmap_unlease(struct cairn_fd *f);
/* Drops f's use of the pages (close; f is a copy). */
hidden void __cairn_fmap_detach(struct cairn_fd *f);
/* Whether fsync of f needs no call (the pages are the file). */
hidden int __cairn_fmap_nosync(struct cairn_fd *f);
/* FIONREAD of a leased offset; -ENOTSUP: ask the server. */
hidden long __cairn_fmap_fionread(struct cairn_fd *f, int *out);
/* Gives every descriptor's leased offset back (before exec). */
hidden void __cairn_fd_unlease_all(void);
/* mmap's file object: a capability of its own to fd's file's MemoryObject
 * with pages up to `bytes`, whether it may be mapped writable, the open
 * flags. flags: IO_FMAP's (POSIX_FMAP_ACCESS for an mmap). -EACCES,
 * -ENODEV, -EBADF as mmap's. */
hidden long __cairn_fmap_object(long fd, uint64_t bytes, unsigned flags, cap_t *obj, int *writable,
				 uint32_t *oflags, int *nosync);

/* ---- socket.c: BSD sockets on the network server (include/cairn/sock.h) ------------------ */
/* A socket descriptor's type: S_IFSOCK, and in the bits below S_IFMT the
 * socket type (SOCK_STREAM...) once known (FD_SOCK_KNOWN). */
#define FD_SOCK_KNOWN   0x10u
#define FD_SOCK_TYPE    0x0fu
hidden long __cairn_socket(long domain, long type, long proto);
hidden long __cairn_socketpair(long domain, long type, long proto, int *sv);
hidden long __cairn_bind(long fd, const void *addr, unsigned long len);
hidden long __cairn_listen(long fd, long backlog);
hidden long __cairn_accept4(long fd, void *addr, unsigned *len, long flags);
hidden long __cairn_connect(long fd, const void *addr, unsigned long len);
hidden long __cairn_sendto(long fd, const void *buf, size_t n, long flags, const void *addr,
			   unsigned long alen);
hidden long __cairn_recvfrom(long fd, void *buf, size_t n, long flags, void *addr, unsigned *alen);
hidden long __cairn_sendmsg(long fd, const void *msg, long flags);
hidden long __cairn_recvmsg(long fd, void *msg, long flags);
hidden long __cairn_shutdown(long fd, long how);
hidden long __cairn_sockname(long fd, void *addr, unsigned *len, int peer);
hidden long __cairn_setsockopt(long fd, long level, long name, const void *val, unsigned long len);
hidden long __cairn_getsockopt(long fd, long level, long name, void *val, unsigned *len);
/* ---- unix.c: AF_UNIX names, SCM_RIGHTS, credentials ---- */
struct sock_ux;
/* The caller's pid and effective uid (SO_PEERCRED). */
hidden void __cairn_ux_self(struct sock_ux *x);
/* bind or connect (label) of f to an AF_UNIX address: what the call returns. */
hidden long __cairn_ux_addr_call(struct cairn_fd *f, uint32_t label, const void *addr, unsigned long len,
				 int intr);
/* A path address's key for a send (stat of its node): 0 or -errno. */
hidden long __cairn_ux_key(const void *addr, unsigned long len, struct sock_ux *x);
/* SCM_RIGHTS of a sendmsg: each descriptor's capability with a reference
 * of its own (IO_DUP) into caps[]; their number, or -errno (nothing held). */
hidden long __cairn_ux_rights_out(const void *msg, cap_t *caps);
/* Drops what __cairn_ux_rights_out took (the send did not reach the server). */
hidden void __cairn_ux_rights_drop(const cap_t *caps, long n);
/* Received capabilities (n of them) as descriptors in msg's control
 * buffer; what does not fit is closed and sets MSG_CTRUNC. */
hidden void __cairn_ux_rights_in(void *msg, const cap_t *caps, unsigned n, long flags);
/* How many descriptors msg's control buffer holds. */
hidden unsigned __cairn_ux_rights_room(const void *msg);
/* write/writev of a descriptor known to be a socket: a send with no flags;
 * read/readv of a socket with shared rings: a recv with no flags. */
hidden long __cairn_sock_writev(struct cairn_fd *f, const struct iovec *iov, long cnt, size_t total);
hidden long __cairn_sock_readv(struct cairn_fd *f, const struct iovec *iov, long cnt, size_t total);
/* pipe.c: a socket's shared rings (PIPE_MAPPED with pwend PIPE_SOCK): a
 * read of rx (0 at its end: then SOCK_RECV says why), a write into tx
 * (-EPIPE at its end, no SIGPIPE: then SOCK_SEND says why). */
hidden long __cairn_sock_ring_read(struct cairn_fd *f, struct iov_at *d, size_t total, int nonblock, int peek);
hidden long __cairn_sock_ring_write(struct cairn_fd *f, struct iov_at *v, size_t total, int nonblock);
/* ... and a datagram socket's (pwend PIPE_SOCKD): one record each */
hidden long __cairn_sock_rec_read(struct cairn_fd *f, struct iov_at *d, size_t total, int nonblock, int peek,
				  void *addr, uint32_t *alen, uint32_t *whole);
hidden long __cairn_sock_rec_write(struct cairn_fd *f, struct iov_at *v, size_t total, int nonblock,
				   const void *addr, uint32_t alen);
/* ioctl(SIOCGIFCONF) on a socket: arg is a struct ifconf */
hidden long __cairn_sock_ifconf(struct cairn_fd *f, void *arg);

/* ---- poll.c ----------------------------------------------------------------------------- */
hidden long __cairn_ppoll(void *fds, unsigned long n, const void *ts, const void *mask, size_t size);
hidden long __cairn_poll(void *fds, unsigned long n, long timeout_ms);
hidden long __cairn_pselect6(long n, void *r, void *w, void *e, const void *ts, const void *mask);
hidden long __cairn_select(long n, void *r, void *w, void *e, void *tv);

/* ---- fs.c: paths ----------------------------------------------------------------------- */
hidden long __cairn_openat(long dirfd, const char *path, long flags, long mode);
hidden long __cairn_fstatat(long dirfd, const char *path, void *kst, long flags);
hidden long __cairn_mkdirat(long dirfd, const char *path, long mode);
hidden long __cairn_mknodat(long dirfd, const char *path, long mode, unsigned long long rdev);
hidden long __cairn_unlinkat(long dirfd, const char *path, long flags);
hidden long __cairn_renameat2(long olddir, const char *old, long newdir, const char *new, long flags);
hidden long __cairn_linkat(long olddir, const char *old, long newdir, const char *new, long flags);
hidden long __cairn_symlinkat(const char *target, long dirfd, const char *path);
hidden long __cairn_readlinkat(long dirfd, const char *path, char *buf, size_t size);
hidden long __cairn_fchmodat(long dirfd, const char *path, long mode, long flags);
hidden long __cairn_fchownat(long dirfd, const char *path, long uid, long gid, long flags);
hidden long __cairn_utimensat(long dirfd, const char *path, const void *times, long flags);
hidden long __cairn_faccessat(long dirfd, const char *path, long mode, long flags);
hidden long __cairn_truncate(const char *path, long len);
hidden long __cairn_sync(void);
hidden long __cairn_syncfs(long fd);
hidden long __cairn_statfs(const char *path, long fd, void *buf);
hidden long __cairn_mount(const char *src, const char *target, const char *type, unsigned long flags,
			  const void *data);
hidden long __cairn_umount(const char *target, long flags);
hidden long __cairn_chdir(const char *path);
hidden long __cairn_fchdir(long fd);
hidden long __cairn_getcwd(char *buf, size_t size);
hidden long __cairn_umask(long mask);
/* Opens path (relative to the working directory) for execve: a capability
 * to the open file and its size. */
hidden long __cairn_open_exec(const char *path, cap_t *file, uint64_t *size);

/* ---- mem.c: brk and anonymous mmap on MemoryObjects -------------------------------------- */
hidden long __cairn_brk(uintptr_t end);
hidden long __cairn_mmap(uintptr_t addr, size_t len, long prot, long flags, long fd, long off);
hidden long __cairn_munmap(uintptr_t addr, size_t len);
hidden long __cairn_mprotect(uintptr_t addr, size_t len, long prot);
hidden long __cairn_madvise(uintptr_t addr, size_t len, long advice);
hidden long __cairn_msync(uintptr_t addr, size_t len, long flags);
hidden long __cairn_mremap(uintptr_t old, size_t old_len, size_t new_len, long flags, uintptr_t new_addr);
/* The child of a fork: the MemoryObjects of the table are the parent's. */
hidden void __cairn_mem_forked(void);

/* ---- time.c -------------------------------------------------------------------------------- */
hidden long __cairn_clock_gettime(long clk, void *ts);
hidden long __cairn_clock_getres(long clk, void *ts);
hidden long __cairn_gettimeofday(void *tv, void *tz);
hidden long __cairn_nanosleep(const void *req, void *rem);
hidden long __cairn_clock_nanosleep(long clk, long flags, const void *req, void *rem);
/* Monotonic nanoseconds (KINFO_TIME on the "kinfo" capability); ERR_NOENT
 * without one. */
hidden err_t __cairn_now(uint64_t *ns);
/* CLOCK_REALTIME - CLOCK_MONOTONIC in ns, modulo 2^64 (the kernel's clock
 * page, else KINFO_CLOCK; 0: no real-time clock). */
hidden uint64_t __cairn_realtime_offset(void);
hidden long __cairn_clock_settime(long clk, const void *ts);
hidden long __cairn_settimeofday(const void *tv, const void *tz);
/* Blocks the calling thread for at least ns nanoseconds (CAIRN_FOREVER:
 * until interrupted); ERR_INTR if an upcall interrupted it. */
hidden err_t __cairn_sleep(uint64_t ns);

/* ---- timer.c ------------------------------------------------------------------------------ */
hidden long __cairn_timer_create(long clk, const void *sevp, int *id);
hidden long __cairn_timer_settime(long id, long flags, const void *new, void *old);
hidden long __cairn_timer_gettime(long id, void *cur);
hidden long __cairn_timer_getoverrun(long id);
hidden long __cairn_timer_delete(long id);

/* ---- proc.c ------------------------------------------------------------------------------- */
_Noreturn hidden void __cairn_exit_group(long status);
/* thread.c: a thread's exit; tp its thread pointer if its struct pthread
 * may be unmapped already (else 0) */
hidden long __cairn_exit_thread(long status, uintptr_t tp);
/* The top of the calling thread's exit stack (__unmapself ends there). */
hidden void *__cairn_exit_stack(void);
hidden long __cairn_set_tid_address(int *tidptr);
hidden long __cairn_uname(void *buf);
/* system.c: the system's names, power, users (the process server) */
hidden long __cairn_reboot(long magic1, long magic2, long cmd);
hidden long __cairn_setname(int which, const char *name, size_t len);
hidden long __cairn_getuids(unsigned which, void *r, void *e, void *s);
hidden long __cairn_setuids(unsigned how, long a, long b, long c);
hidden long __cairn_getgids(unsigned which, void *r, void *e, void *s);
hidden long __cairn_setgids(unsigned how, long a, long b, long c);
hidden long __cairn_getgroups(long n, unsigned *list);
hidden long __cairn_setgroups(long n, const unsigned *list);
hidden long __cairn_setfsid(unsigned which, long id);
hidden unsigned __cairn_with_cred(unsigned ncaps);
hidden long __cairn_arch_prctl(long code, unsigned long addr);
hidden long __cairn_getppid(void);
hidden long __cairn_getpgid(long pid);
hidden long __cairn_setpgid(long pid, long pgid);
hidden long __cairn_getsid(long pid);
hidden long __cairn_setsid(void);
hidden long __cairn_wait4(long pid, int *status, long options, void *rusage);
hidden long __cairn_waitid(long type, long id, void *info, long options, void *rusage);
hidden long __cairn_kill(long pid, long sig);
hidden long __cairn_killpg(long pgid, long sig);
hidden long __cairn_sched_getaffinity(long pid, size_t len, void *mask);
hidden long __cairn_sched_setaffinity(long pid, size_t len, const void *mask);
hidden long __cairn_getcpu(unsigned *cpu, unsigned *node);
hidden long __cairn_prlimit64(long pid, long res, const void *new, void *old);
hidden long __cairn_setitimer(long which, const void *new, void *old);
hidden long __cairn_getitimer(long which, void *old);

/* ---- sysinfo.c ---------------------------------------------------------------------------- */
hidden long __cairn_sysinfo(void *buf);

/* ---- signal.c ----------------------------------------------------------------------------- */
hidden long __cairn_rt_sigaction(long sig, const void *act, void *oact, size_t size);
hidden long __cairn_rt_sigprocmask(long how, const void *set, void *old, size_t size);
hidden long __cairn_rt_sigpending(void *set, size_t size);
hidden long __cairn_rt_sigsuspend(const void *set, size_t size);
hidden long __cairn_rt_sigtimedwait(const void *set, void *info, const void *timeout, size_t size);
hidden long __cairn_rt_sigqueueinfo(long pid, long sig, const void *info);
hidden long __cairn_rt_tgsigqueueinfo(long pid, long tid, long sig, const void *info);
/* The umask and the resource limits the start-up block says (fs.c, proc.c) */
hidden void __cairn_umask_start(void);
hidden void __cairn_limits_start(void);
/* A thread's signal state: the server delivers signals to each thread
 * (handlers run on the thread the kernel upcalls), so what a wait or a
 * pipe's critical section looks at is the calling thread's. The first
 * thread's is __cairn_sig_main; another's is in its entry of thread.c's
 * table, found through struct pthread's cairn_sig once a second thread
 * exists (0005-pthread-ipcbuf.patch). */
#define SIG_MAX_DEPTH 16
struct cairn_sigthr {
	int tid;                         /* the server's name of the thread: 0 the first */
	volatile unsigned long count;    /* handlers run on it so far */
	volatile int restart;            /* every handler of the last nest had SA_RESTART */
	volatile int depth;              /* handlers running (a longjmp out ends them:
	                                  * __cairn_longjmp_hook) */
	/* while hold is nonzero the thread is inside a pipe's critical
	 * section (fd.c): an upcall is held (held_args, held of them) and
	 * run by __cairn_sig_release() when the section ends; those below
	 * held_floor belong to a delivery that runs (its end runs them) */
	volatile int hold, held, held_floor;
	volatile uint64_t held_args[SIG_MAX_DEPTH];
	struct {
		int sig;
		uintptr_t frame;
	} deliveries[SIG_MAX_DEPTH];
	/* pthread_cancel: in_cp while in a cancellation point's call
	 * (__cairn_syscall_cp), cp_cancel when a cancellation request came
	 * meanwhile (the call ends with EINTR and the thread acts on it) */
	volatile int in_cp, cp_cancel;
};
extern hidden struct cairn_sigthr __cairn_sig_main;
hidden struct cairn_sigthr *__cairn_sig_thread(void);
/* Set once a second thread exists (thread.c). */
extern hidden volatile int __cairn_threaded;
static inline __attribute__((always_inline)) struct cairn_sigthr *__cairn_sig_self(void)
{
	return __cairn_threaded ? __cairn_sig_thread() : &__cairn_sig_main;
}
/* The calling thread's tid as the process server names it (the first
 * thread: the pid). */
hidden long __cairn_sig_tid(void);
/* The upcall entry the process server runs handlers through (fork.c's
 * per-arch assembly calls __cairn_sig_run with the kernel's frame). */
hidden void __cairn_sigentry(void);
hidden void __cairn_sig_run(uint64_t arg, uintptr_t frame, uint64_t *area);
/* Raises sig on this process (SIGPIPE after EPIPE). */
hidden void __cairn_raise(int sig);
/* Runs the calling thread's held upcalls (its hold is off). */
hidden void __cairn_sig_release(void);
/* A cancellation request's handler (musl's cancel_handler, 0009 patch):
 * a thread in a cancellation point's call ends it and acts on it. */
hidden void __cairn_cancel_at_point(void);
/* A thread's alternate signal stack (sigaltstack, signal.c): size 0 is
 * none. save: pages where a delivery on it keeps the interrupted code's
 * IPC buffer (4 KiB, too much for a small stack), one a nested level,
 * ALT_SAVES of them, mapped when the stack is set: a MemoryObject of
 * their own (save_mo) mapped with cairn_map, not through mmap's tables,
 * so that a thread's end can free them under the thread table's lock and
 * inside an munmap (thread.c). */
#define ALT_SAVES 4
struct cairn_altstack {
	uintptr_t base;
	size_t size;
	struct cairn_ipcbuf *save;
	cap_t save_mo;                   /* save's object (when save is set) */
	int used;                        /* save pages in use */
};
hidden long __cairn_sigaltstack(const void *ss, void *old);
/* The fork's child: the forking thread's alternate stack, the child's
 * first thread's now (the kernel's Thread is new). */
hidden void __cairn_altstack_forked(const struct cairn_altstack *forker);

/* ---- fork.c --------------------------------------------------------------------------------- */
hidden long __cairn_fork(void);
hidden long __cairn_clone(unsigned long flags, void *stack, void *ptid, void *ctid, unsigned long tls,
			  uintptr_t child_pc);
hidden long __cairn_execve(const char *path, char *const argv[], char *const envp[]);

/* ---- thread.c -------------------------------------------------------------------------------- */
hidden long __cairn_futex(int *uaddr, long op, long val, const void *ts, int *uaddr2, long val3);
hidden long __cairn_thread_clone(unsigned long flags, void *stack, int *ptid, int *ctid,
				 unsigned long tls, uintptr_t child_pc);
hidden long __cairn_gettid(void);
/* op 0 sched_getscheduler, 1 sched_getparam, 2 sched_setparam, 3
 * sched_setscheduler, of the thread tid (0: the caller) */
hidden long __cairn_sched_policy(long op, long tid, long policy, void *param);
hidden long __cairn_sched_prio_range(long max, long policy);
/* set_tid_address of a thread other than the first: 1 (its exit clears
 * and wakes p), else 0. */
hidden int __cairn_thread_set_ctid(int *p);
hidden long __cairn_sched_rr_interval(long pid, void *ts);
hidden long __cairn_thread_kill(long tid, long sig);
/* The kernel Thread of our thread tid (0: the caller; the pid: the
 * first), or CAP_NULL. */
hidden cap_t __cairn_thread_cap(long tid);
/* times, getrusage (time.c) */
hidden long __cairn_times(void *tms);
hidden long __cairn_getrusage(long who, void *ru);
/* set_robust_list, get_robust_list; the process's end marks every
 * thread's robust mutexes (__cairn_robust_exit). */
hidden long __cairn_set_robust_list(void *head, size_t len);
hidden long __cairn_get_robust_list(long tid, void **head, size_t *len);
hidden void __cairn_robust_exit(void);
/* 1 if tid is a live thread of this process (the first one's is the pid). */
hidden int __cairn_tid_live(long tid);
hidden long __cairn_membarrier(long cmd, long flags);
/* The calling thread's own Notification (threads but the first), or CAP_NULL. */
hidden cap_t __cairn_thread_note(void);
/* The calling thread's alternate stack record and Thread capability. */
hidden struct cairn_altstack *__cairn_thread_altstack(cap_t *thread);
/* The child of a fork: only the calling thread goes on. */
hidden void __cairn_threads_forked(void);
/* An munmap of [lo, hi): waits until a thread that ended with its struct
 * pthread in there is off its stack (thread.c). */
hidden void __cairn_threads_unmapping(uintptr_t lo, uintptr_t hi);
/* A spinlock that yields (every thread runs on one CPU). */
hidden void __cairn_lock(volatile int *l);
hidden void __cairn_unlock(volatile int *l);

/* ---- shlock.c: locks of memory that processes share ------------------------------------ */
/* Takes the lock word (the holder's pid, 0: free; a gone holder's is taken
 * over), signal handlers held back on the calling thread: what
 * __cairn_shunlock wants back. */
hidden int __cairn_shlock(uint32_t *word);
hidden void __cairn_shunlock(uint32_t *word, int held);
/* Whether process pid is gone (a zombie counts as gone; pid <= 0: no). */
hidden int __cairn_pid_gone(int32_t pid);

/* ---- sysvipc.c: System V messages, semaphores, shared memory ---------------------------- */
hidden long __cairn_msgget(long key, long flags);
hidden long __cairn_msgsnd(long id, const void *msg, size_t len, long flags);
hidden long __cairn_msgrcv(long id, void *msg, size_t len, long type, long flags);
hidden long __cairn_msgctl(long id, long cmd, void *buf);
hidden long __cairn_semget(long key, long nsems, long flags);
hidden long __cairn_semtimedop(long id, void *sops, size_t nsops, const void *ts);
hidden long __cairn_semctl(long id, long num, long cmd, void *arg);
hidden long __cairn_shmget(long key, size_t size, long flags);
hidden long __cairn_shmat(long id, uintptr_t addr, long flags);
hidden long __cairn_shmdt(uintptr_t addr);
hidden long __cairn_shmctl(long id, long cmd, void *buf);
/* fork.c: the child of a fork (its attaches counted, no undo of its own) */
hidden void __cairn_sysv_forked(void);
/* fork.c: an exec is made (failed 0: before it, the attaches go; 1: it
 * failed, they are counted again) */
hidden void __cairn_sysv_exec(int failed);
/* proc.c: exit (the undo applied, the attaches gone) */
hidden void __cairn_sysv_exit(void);

/* ---- mq.c: POSIX message queues ------------------------------------------------------------ */
hidden long __cairn_mq_open(const char *name, long flags, long mode, const void *attr);
hidden long __cairn_mq_unlink(const char *name);
hidden long __cairn_mq_timedsend(long fd, const char *msg, size_t len, unsigned prio, const void *ts);
hidden long __cairn_mq_timedreceive(long fd, char *msg, size_t len, unsigned *prio, const void *ts);
hidden long __cairn_mq_notify(long fd, const void *sev);
hidden long __cairn_mq_getsetattr(long fd, const void *new, void *old);
/* fd.c: descriptor fd closed or replaced (its queue's mapping goes) */
hidden void __cairn_mq_closed(long fd);
/* fork.c: an exec (this process's notifications are removed) */
hidden void __cairn_mq_exec(void);
/* src/mq/mq_notify.c (patched): SIGEV_THREAD's registration and helper */
hidden long __cairn_mq_notify_arm(long fd, const void *sev, void *ctx);
hidden void __cairn_mq_notify_disarm(void *ctx);
hidden int __cairn_mq_notify_wait(void *ctx);

/* ---- random.c --------------------------------------------------------------------------------- */
hidden long __cairn_getrandom(void *buf, size_t len, long flags);
/* Fills buf with n bytes from the generator (seeding it first if needed). */
hidden void __cairn_random_bytes(void *buf, size_t n);
/* A fork's child (pid): its generator parts from its parent's. */
hidden void __cairn_random_forked(long pid);
/* mem.c: whether [p, p + n) is memory this process may write, as far as
 * its tables know (EFAULT otherwise). */
hidden int __cairn_mem_writable(uintptr_t p, size_t n);
hidden int __cairn_mem_prot_none(uintptr_t va);
/* mlock and friends: present pages (mem.c) */
hidden long __cairn_mlock(uintptr_t addr, size_t len);
hidden long __cairn_munlock(uintptr_t addr, size_t len);
hidden long __cairn_mlockall(long flags);
hidden long __cairn_munlockall(void);

/* start.c: called by _start_c (crt/crt1.c) with the start-up block */
_Noreturn void __cairn_start(const char *startup, int (*entry)(), void (*init)(), void (*fini)());

/* The generated table of system-call names (syscall_names.h, from musl's
 * arch/<arch>/bits/syscall.h.in). */
hidden const char *__cairn_syscall_name(unsigned long n);

#endif
