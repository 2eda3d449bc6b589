/* SPDX-License-Identifier: MIT */
/*
 * The protocols between the POSIX layer (musl-port) and the servers that
 * implement POSIX on Cairn: the I/O protocol every descriptor speaks, the
 * file-system protocol of the VFS, and the process server's protocol.
 *
 * Conventions (as for kernel objects, include/cairn/abi.h):
 * - A request is a SYS_CALL whose label is the operation; the answer's
 *   label is an err_t (0 or a positive POSIX errno), its words the results.
 * - A server object (an open file description, a pipe end, a tty, a
 *   directory, a process) is an Endpoint capability minted by the server
 *   with a badge that names the object; the server tells its objects apart
 *   by the badge it receives.
 * - Byte strings (data, paths) travel in the IPC buffer from word 4 on:
 *   at most POSIX_INLINE_MAX bytes a message; the message length in words
 *   covers them (4 + ceil(bytes / 8)). A path is not NUL-terminated: its
 *   length is given; at most POSIX_PATH_MAX bytes.
 * - A request that must wait (reading an empty pipe, wait4) is answered
 *   later: the server saves the Reply (CAP_OP_SAVE_REPLY) and keeps
 *   serving others. Nonblocking descriptors get ERR_AGAIN instead.
 * - A server never trusts a length, an offset or a badge it is sent.
 */
#ifndef CAIRN_POSIX_H
#define CAIRN_POSIX_H
#include <stdint.h>
#include <cairn/abi.h>

#define POSIX_INLINE_MAX   ((CAIRN_MSG_MAX - CAIRN_MSG_REGS) * 8)   /* 4000 bytes */
#define POSIX_PATH_MAX     4096
#define POSIX_NAME_MAX     255
/* The main thread's stack of a process the process server starts: 1 MiB
 * below CAIRN_STACK_TOP at first (abi.h's CAIRN_STACK_PAGES, 64 KiB, is
 * too little for busybox's applets; a MemoryObject is charged to the quota
 * in full, and a fork copies it), or RLIMIT_STACK if less; a fault below
 * it and above CAIRN_STACK_TOP - RLIMIT_STACK maps more (the process
 * server, PS_RLIMIT), as Linux grows a stack: 8 MiB by default, as
 * Linux's, at most POSIX_STACK_REGION. */
#define POSIX_STACK_PAGES  256
#define POSIX_STACK_DEFAULT (8ull << 20)
#define POSIX_STACK_REGION  (4ull << 30)
#define POSIX_STACK_GROW    (256ull << 10)   /* the least a fault adds */
/* Resource limits (PS_RLIMIT): Linux's numbers */
#define POSIX_RLIM_N        16
#define POSIX_RLIM_INF      (~0ull)
#define POSIX_RLIMIT_STACK  3
#define POSIX_RLIMIT_CORE   4
#define POSIX_RLIMIT_NOFILE 7
#define POSIX_RLIMIT_SIGPENDING 11
/* An exec's strings (PS_EXEC) and a POSIX process's start-up block (above):
 * 2 MiB of arguments and environment, Linux's default (a quarter of its
 * 8 MiB stack limit, which musl's sysconf(_SC_ARG_MAX) reports), and room
 * for the capability names */
#define POSIX_ARG_MAX      (2 * 1024 * 1024 + 64 * 1024)
#define POSIX_STARTUP_MAX  (POSIX_ARG_MAX + CAIRN_STARTUP_MAX)

/* Message length (in words) for n bytes of inline data. */
static inline unsigned posix_words(uint64_t bytes) { return CAIRN_MSG_REGS + (unsigned)((bytes + 7) / 8); }

/* ---- the I/O protocol: every descriptor's object ----------------------------- */
enum {
	IO_READ = 0x100,      /* (max) -> (n), the bytes inline. 0 bytes: end of file */
	IO_WRITE,             /* (n) bytes inline -> (written) */
	IO_PREAD,             /* (max, offset) -> (n) + bytes */
	IO_PWRITE,            /* (n, offset) + bytes -> (written) */
	IO_SEEK,              /* (offset, whence) -> (new offset); ESPIPE (29): not seekable */
	IO_STAT,              /* -> struct posix_stat inline */
	IO_TRUNCATE,          /* (length) */
	IO_DUP,               /* -> cap0: a new reference to this description, a capability
	                       * of its own (dup, fork, exec, SCM_RIGHTS) */
	IO_CLOSE,             /* the reference this capability is goes (once: then EBADF);
	                       * the last one closes the description */
	IO_GETFL,             /* -> (flags: O_* status flags, Linux values) */
	IO_SETFL,             /* (flags): only O_APPEND and O_NONBLOCK change */
	IO_IOCTL,             /* (request, arg) [+ struct inline] -> (result) [+ struct inline] */
	IO_POLL,              /* (events) -> (revents) now, POLLIN... Linux values */
	IO_POLL_ARM,          /* cap0 = Notification, (events, bits): signal bits once when one
	                       * of events is ready (or at once if it is) */
	IO_READDIR,           /* (cookie, max) -> (next cookie, n) + struct linux_dirent64
	                       * records inline; n = 0 at the end. Cookie POSIX_DIR_POS: from
	                       * the description's own position (getdents64); either way the
	                       * position becomes the next cookie (IO_SEEK SEEK_SET sets it) */
	IO_SYNC,
	IO_PIPE_MAP,          /* a pipe end: -> (end: 0 read, 1 write, ring bytes), cap0 = the
	                       * pipe's MemoryObject (struct posix_pipe_shm, then the ring),
	                       * cap1 = the data Notification, cap2 = the space Notification.
	                       * ERR_NODEV: this pipe has no shared ring (use IO_READ/IO_WRITE);
	                       * ERR_INVAL: not a pipe */
	IO_PIPE_KICK,         /* a pipe end: the ring changed while posix_pipe_shm.kick was set */
	IO_IMAGE,             /* a regular file open for reading: -> (size), cap0 = a MemoryObject
	                       * holding its bytes at offset 0, read-only: a snapshot later
	                       * writes leave as it was (exec's image, PS_EXEC). The server may
	                       * revoke it once it is not its latest (the VFS: docs/vfs.md).
	                       * The caller's credential token may come as cap0: a set-uid or
	                       * set-gid file's image is then granted its ids (PS_EXEC_GRANT).
	                       * ERR_INVAL: not a regular file, or empty; ERR_BADF: not open
	                       * for reading; ERR_NOMEM */
	IO_FMAP,              /* a regular file: (flags POSIX_FMAP_*, bytes) -> (fmap word,
	                       * offset, open flags, key), cap0 = the file's MemoryObject, cap1 = the
	                       * slot table when asked for (below, "file pages"). bytes: the
	                       * object must have pages up to there (mmap past the end; the
	                       * VFS: at most 16 MiB past it, else ERR_NOMEM). Flag
	                       * POSIX_FMAP_ACCESS: for an mmap, which is an access (the
	                       * access time moves, relatime, as Linux's mmap).
	                       * ERR_NODEV: this file has no shared pages (use IO_READ...), or
	                       * the description is write-only (pages can be read);
	                       * ERR_INVAL: not a regular file; ERR_BADF: O_PATH */
	IO_FEXTEND,           /* a regular file with shared pages, open for writing: (n, offset
	                       * or POSIX_FEXTEND_APPEND) -> (offset): the file grows to at least
	                       * offset + n (O_APPEND: offset = the size, atomically), so the
	                       * caller may write [offset, offset + n) in the pages.
	                       * ERR_FBIG: past POSIX_FMAP_MAX; ERR_NOSPC; ERR_BADF: not open
	                       * for writing; ERR_NODEV: no shared pages */
	IO_LOCK,              /* record and flock locks (below, "locks"): (cmd | flags,
	                       * type | whence << 8 | pid << 32, l_start, l_len) -> for
	                       * POSIX_LK_GET (type, start, len, pid) */
};

/*
 * Locks (docs/vfs.md, "Locks"; the servers' code is libcairn's
 * <cairn/lockf.h>). IO_LOCK on a description:
 * - w0: POSIX_LK_GET (F_GETLK), POSIX_LK_SET (F_SETLK), POSIX_LK_SETW
 *   (F_SETLKW: the answer waits, a saved Reply, until the lock is had) or
 *   POSIX_LK_CANCEL (the caller's F_SETLKW through this description was
 *   interrupted: its waiting requests there end), with POSIX_LK_OFD (an
 *   open file description's lock, F_OFD_*) or POSIX_LK_FLOCK (flock(2):
 *   type only, the whole file) or neither (a process's POSIX lock).
 * - w1: type (F_RDLCK 0, F_WRLCK 1, F_UNLCK 2) | whence << 8 (SEEK_SET or
 *   SEEK_END: the caller turns SEEK_CUR into SEEK_SET, the offset may be
 *   its own) | the caller's pid << 32 (the POSIX lock's owner: a claim the
 *   server does not check, as FS_* w3).
 * - w2, w3: l_start, l_len (struct flock's, len 0: to the end and beyond).
 * - GET answers (type, start, len, pid): F_UNLCK when nothing conflicts;
 *   pid -1 for an OFD lock.
 * Errors: EAGAIN (a conflicting lock, SET; flock's EWOULDBLOCK), EDEADLK
 * (SETW would wait for a process that waits for the caller), EBADF (a
 * write lock on a description not open for writing, a read lock on one not
 * open for reading; O_PATH), EINVAL (type, whence, a range before byte 0,
 * not a file), EOVERFLOW, ENOLCK (too many waiting, no memory). IO_CLOSE's
 * w0 is the closing process's pid (0: none said): its POSIX locks on the
 * file go, as POSIX wants of any close; the last reference of a
 * description takes its OFD and flock locks.
 */
#define POSIX_LK_GET     0u
#define POSIX_LK_SET     1u
#define POSIX_LK_SETW    2u
#define POSIX_LK_CANCEL  3u
#define POSIX_LK_OFD     0x100u
#define POSIX_LK_FLOCK   0x200u

/*
 * File pages (docs/vfs.md, "File pages"). A regular file's bytes are the
 * pages of a MemoryObject that clients map and copy from and to
 * themselves; the server is its pager (include/cairn/abi.h,
 * MEMOBJ_SET_PAGER), so a page not there yet is asked of it by the fault.
 *
 * - IO_FMAP, or FS_OPEN with POSIX_OPEN_FMAP in w1's high bits, answers
 *   the fmap word: POSIX_FMAP_* flags in bits 0..31 and the file's slot
 *   in bits 32..63, and cap0 (FS_OPEN: cap1) = the file's MemoryObject:
 *   rights r, plus w when the description is open for writing, never
 *   RIGHT_MANAGE. With POSIX_FMAP_TABLE asked (FS_OPEN:
 *   POSIX_OPEN_FMAP_TABLE), the next capability is the slot table: a
 *   MemoryObject of POSIX_FMAP_SLOTS struct posix_fmap_slot, read-only,
 *   the same for every file of the server. A client keeps one per server;
 *   the answer's key is the slot's (a client that finds another key in
 *   the table it has holds another server's table: it asks again).
 * - POSIX_OPEN_FMAP_HAVE: the caller holds the objects of some files
 *   already: a bitmap (bit k: slot k) follows the path at the next 8-byte
 *   boundary, to the end of the message (at most POSIX_FMAP_SLOTS bits;
 *   the bits past it are 0), and for a file whose slot's bit is set the
 *   answer carries no object (the fmap word and key as usual; the table,
 *   when asked, comes as cap1). A caller opening for writing
 *   sets only the bits of objects it holds with write rights.
 * - The slot is the server's word on the file: key (never 0 while the
 *   slot is the file's; it changes when the slot is reused), size in
 *   bytes, and pages: how many pages of the object exist (a mapping may
 *   cover that many; a touch at or past the size faults:
 *   CAIRN_FAULT_PAGER, SIGBUS). Only the server writes it.
 * - Reading: bytes [off, min(off + n, size)) are copied from the mapping.
 *   Writing inside the size: copied into it. Growing the file (a write
 *   past the size, O_APPEND): IO_FEXTEND first, then the copy.
 * - POSIX_FMAP_LEASE: the description's offset (w1 of the answer) is the
 *   caller's to keep in its own memory while it is the description's only
 *   holder (the server gives it only then). It gives it back with IO_SEEK
 *   (SEEK_SET to it) before it shares the description (IO_DUP: dup, fork;
 *   exec) and the server keeps it from then on; IO_READ, IO_WRITE and
 *   IO_SEEK of a leased description use the server's (stale) offset.
 * - POSIX_FMAP_NOSYNC: the pages are the file (tmpfs): fsync and msync
 *   need no call.
 * - Nothing in the object is trusted by the server: its own node holds
 *   the size; a holder with write rights can write any byte of the file
 *   (as write(2) could).
 */
#define POSIX_FMAP_TABLE       1u          /* IO_FMAP flags: send the slot table too */
#define POSIX_FMAP_ACCESS      2u          /*   an mmap: the access time moves */
#define POSIX_FMAP_LEASE       1u          /* fmap word flags */
#define POSIX_FMAP_NOSYNC      2u
#define POSIX_OPEN_FMAP        (1ull << 32)  /* FS_OPEN w1 (mode) high bits */
#define POSIX_OPEN_FMAP_TABLE  (1ull << 33)
#define POSIX_OPEN_FMAP_HAVE   (1ull << 34)  /* + a bitmap after the path (below) */
#define POSIX_OPEN_EXEC        (1ull << 35)  /* FS_OPEN w1: opened to exec: execute
                                              * permission instead of read (docs/users.md) */
#define POSIX_FEXTEND_APPEND   UINT64_MAX
#define POSIX_FMAP_SLOTS       1024u
#define POSIX_FMAP_MAX         (1ull << 30)  /* bytes of a file with shared pages (MEMOBJ_MAX) */
struct posix_fmap_slot {
	uint64_t key, size, pages, reserved;
};

/*
 * A shared pipe (docs/vfs.md, "Pipes"). Page 0 of the pipe's MemoryObject
 * is this header, pages 1.. the ring of POSIX_PIPE_RING bytes. Holders of
 * the pipe's ends move data through it themselves; the server only makes
 * the pipe, keeps the counts of open descriptions, answers poll and stat,
 * and serves IO_READ/IO_WRITE for clients that do not map it.
 *
 * - head (bytes read so far, mod 2^32) belongs to the readers' side, tail
 *   (bytes written) to the writers'; tail - head bytes are in the ring, at
 *   ring[head % POSIX_PIPE_RING]. Each side changes its index only holding
 *   its lock (rlock, wlock: 0 free, else the holder's tag; a client's is
 *   its pid, the server's POSIX_PIPE_SERVER; the server only ever tries).
 * - A thread about to wait increments rwait (for data) or wwait (for
 *   space), looks at the indexes again, then waits on the data or space
 *   Notification; a thread that moves an index signals the other side's
 *   Notification when the other side's count is nonzero (sequentially
 *   consistent order on both sides: no wake-up is lost), and sends
 *   IO_PIPE_KICK when kick is nonzero (the server has waiters or armed
 *   polls of its own).
 * - readers, writers: open descriptions of each end; rflags, wflags: their
 *   O_NONBLOCK. The server writes them; a client only reads them.
 * - Nothing in the page is trusted by anyone: any holder of the pipe can
 *   write it. A broken header breaks that pipe and nothing else.
 */
#define POSIX_PIPE_RING    65536u
#define POSIX_PIPE_PAGES   (1u + POSIX_PIPE_RING / 4096u)
#define POSIX_PIPE_BUF     4096u           /* writes up to this many bytes are atomic */
#define POSIX_PIPE_SERVER  0xffffffffu
struct posix_pipe_shm {
	uint32_t rlock, wlock;
	uint32_t head, tail;
	uint32_t rwait, wwait;
	uint32_t readers, writers;
	uint32_t rflags, wflags;
	uint32_t kick;
};

#define POSIX_DIR_POS  UINT64_MAX

#define POSIX_SEEK_SET 0
#define POSIX_SEEK_CUR 1
#define POSIX_SEEK_END 2

/* The stat record of IO_STAT and FS_STAT (server-independent; musl-port
 * converts it to struct stat). */
struct posix_stat {
	uint64_t dev, ino, mode, nlink, uid, gid, rdev, size, blksize, blocks;
	int64_t atime_sec, atime_nsec, mtime_sec, mtime_nsec, ctime_sec, ctime_nsec;
};

/* ---- the file-system protocol of the VFS ----------------------------------- */
/*
 * Sent to a directory object (the root, the working directory, a
 * directory opened with O_DIRECTORY): every path is resolved from it (an
 * absolute path from the VFS root). Two-path operations carry the second
 * path right after the first in the same buffer (w2 = length of the first,
 * w3 = length of the second) and its starting directory as cap0 (none:
 * the same directory). With AT_EMPTY_PATH in the flags and an empty path,
 * FS_STAT, FS_CHMOD, FS_UTIMENS, FS_ACCESS and FS_LINK (old path) act on
 * the object they are sent to, which may be any file (fstat, fchmod,
 * futimens); otherwise a non-directory object answers ENOTDIR.
 *
 * w3 of a one-path request (all but FS_RENAME, FS_LINK, FS_SYMLINK, whose
 * w3 is a length) is the caller's pid, 0 if it has none: the VFS resolves
 * /proc/self with it and with nothing else. It is a claim the VFS does
 * not check, and needs not: /proc/self names what /proc/PID names, which
 * any process may read (docs/vfs.md, "/proc").
 *
 * The VFS root directory is the badge POSIX_VFS_ROOT on the VFS endpoint:
 * the holder of the unbadged endpoint capability (the process server)
 * mints it and hands out only badged capabilities.
 */
#define POSIX_VFS_ROOT 1
enum {
	FS_OPEN = 0x200,      /* (flags, mode, path length) + path -> cap0 = the new object,
	                       * (type: S_IFMT bits). Linux O_* flags. POSIX_OPEN_FMAP in mode:
	                       * a regular file's pages too, as IO_FMAP: (type, fmap word,
	                       * offset, key), cap1 = its MemoryObject [cap2 = the slot
	                       * table]; a file without shared pages answers fmap word 0 */
	FS_MKDIR,             /* (mode, 0, path length) + path */
	FS_UNLINK,            /* (flags: AT_REMOVEDIR, 0, path length) + path */
	FS_RENAME,            /* (flags: renameat2 RENAME_*, 0, length 1, length 2) + path 1 +
	                       * path 2 [cap0: directory of path 2] */
	FS_LINK,              /* (flags, 0, length 1, length 2) + old path + new path [cap0] */
	FS_SYMLINK,           /* (0, 0, target length, path length) + target + link path */
	FS_READLINK,          /* (0, 0, path length) + path -> (n) + target inline */
	FS_STAT,              /* (flags: AT_SYMLINK_NOFOLLOW, 0, path length) + path -> posix_stat */
	FS_CHMOD,             /* (mode, flags, path length) + path */
	FS_UTIMENS,           /* (flags, 0, path length) + path; times: 4 words after the path,
	                       * at the next 8-byte boundary (atime s, ns, mtime s, ns; ns
	                       * UTIME_NOW / UTIME_OMIT as Linux) */
	FS_ACCESS,            /* (mode, flags, path length) + path */
	FS_TRUNCATE,          /* (length, 0, path length) + path */
	FS_GETPATH,           /* -> (n) + the directory's absolute path (getcwd) */
	FS_PIPE,              /* (flags: O_NONBLOCK, O_CLOEXEC are the caller's) -> caps[0] = the
	                       * read end, caps[1] = the write end (any directory object) */
	FS_STATFS,            /* any object -> struct posix_statfs inline (statfs, fstatfs, df) */
	FS_SYNCFS,            /* any object: everything of its file system reaches the device
	                       * (syncfs; sync asks the mount table, FS_SYNC_ALL) */
	FS_COVER,             /* admin only: (0, 0, path length) + path, cap0 = the root directory
	                       * of another file system: the directory at path (resolved in
	                       * this server only) becomes a mount point (below) */
	FS_UNCOVER,           /* admin only: (0, 0, path length) + path: no longer a mount point */
	FS_MOUNTED,           /* admin only: (0, 0, path length, mount path length) + path + the
	                       * absolute mount path, cap0 = the covered directory (in the
	                       * covering file system): this server's directory at path is
	                       * the root of a mount at that absolute path (below) */
	FS_MOUNT,             /* to the mount table (the VFS): below */
	FS_UMOUNT,            /* to the mount table (the VFS): below */
	FS_SYNC_ALL,          /* to the mount table (the VFS): FS_SYNCFS on every mount */
	FS_INUSE,             /* admin only, to a file-system server: EBUSY while a client holds
	                       * an object of it other than the root (an open file, a working
	                       * directory), else 0 (umount's check) */
	FS_STOP,              /* admin only, to a file-system server: write everything back and
	                       * end once answered (umount of a disk: the server goes) */
	FS_MKNOD,             /* (mode: S_IFSOCK | permissions, rdev, path length) + path: a
	                       * socket node (bind of an AF_UNIX socket; rdev is the network
	                       * server's key for it, docs/net.md, shown as st_rdev). EEXIST;
	                       * EINVAL: another type (devices are not made this way). With
	                       * S_IFIFO: a FIFO (mkfifo; rdev ignored). Opening a FIFO (not
	                       * O_PATH) answers w0 = S_IFIFO | POSIX_OPEN_FIFO, w2 = its inode,
	                       * w3 = its st_dev | permissions << 32, and a description of the
	                       * node, which the opener closes once it has the pipe: FS_FIFO */
	FS_FIFO,              /* to the VFS (any of its objects): (flags: O_ACCMODE, O_NONBLOCK,
	                       * inode, st_dev | permissions << 32) -> cap0 = an end of the
	                       * FIFO's pipe (the VFS keeps one per dev and inode while it is
	                       * open or being opened). O_RDONLY waits (a saved Reply) until a
	                       * writer opens, O_WRONLY until a reader (O_NONBLOCK: ENXIO),
	                       * O_RDWR opens at once (an end that reads and writes, through
	                       * IO_READ/IO_WRITE: IO_PIPE_MAP says ENODEV) */
	FS_CHOWN,             /* (uid | gid << 32, flags, path length) + path: chown, lchown,
	                       * fchownat (flags AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH: the object
	                       * itself, fchown); POSIX_UID_KEEP leaves one as it is. EPERM:
	                       * not the owner, or (not euid 0) a new owner, or a group the
	                       * caller is not in (docs/users.md) */
};
#define POSIX_OPEN_FIFO  (1u << 26)      /* FS_OPEN's answer w0: a FIFO, open it with FS_FIFO */

/* ---- mounts: one tree over several file-system servers ------------------------
 *
 * Each file-system server (the VFS's tmpfs, the ext2 server) resolves paths
 * in its own tree only. Where its tree meets another's it answers
 * ERR_REMOTE, and the caller sends the request again where it points
 * (musl-port's fs.c, libcairn's cairn_fs_*); there is no hop through a
 * third server and none on IO_* (an open file is the capability of the
 * server that owns it).
 *
 * ERR_REMOTE answer to a one-path FS_* request: w0 = POSIX_REMOTE_* flags,
 * w1 = length of the new path, inline: the new path. The caller repeats
 * the same request (same label and words, the path replaced; for
 * FS_SYMLINK the link path, the target stays) sent to cap0, or to its
 * root directory with POSIX_REMOTE_ROOT (then no cap0; w1 = 0 there:
 * the path as it was, the VFS's "ask again" once it stops waiting for a
 * disk's root). More than
 * POSIX_REMOTE_MAX redirections in one call: ELOOP. With
 * POSIX_REMOTE_NEWROOT (sent by the VFS root once "/" is mounted from
 * another server), cap0 is the new root directory and w1 is 0: the caller
 * keeps it as its root from then on (its children inherit it) and sends
 * the request again as it would have with that root (a working directory
 * that was the old root becomes the new one).
 *
 * A server answers ERR_REMOTE when, resolving a path:
 * - a component names a directory that is a mount point (FS_COVER): to
 *   the mounted root, with the rest of the path after that component
 *   ("." when none); the mount point itself is never acted on, so
 *   FS_UNLINK and FS_RENAME of it are EBUSY, FS_MKDIR and FS_SYMLINK EEXIST;
 * - ".." is taken at a directory that is a mount's root (FS_MOUNTED): to
 *   the covered directory, with "../" and the rest;
 * - a symbolic link's target is absolute in a server whose tree is not the
 *   namespace root (it received FS_MOUNTED, or its root is mounted over):
 *   POSIX_REMOTE_ROOT, with the target and the rest.
 * The starting directory of a request is never redirected. AT_EMPTY_PATH
 * with an empty path resolves nothing.
 *
 * Two-path requests (FS_RENAME, FS_LINK): a server that would have to
 * redirect while resolving either path answers ERR_REMOTE with
 * POSIX_REMOTE_SPLIT (no cap0, no path): the caller opens each path's
 * parent directory (O_PATH | O_DIRECTORY, following redirects) and sends
 * the request again with the two last components only, relative to those
 * (path 1's directory as the target, path 2's as cap0). A cap0 that is
 * not an object of the server itself (CAP_OP_IDENTIFY: not its endpoint)
 * is EXDEV, as Linux's rename and link across mounts.
 *
 * Admin requests (FS_COVER, FS_UNCOVER, FS_MOUNTED) are taken only through
 * the server's admin capability: badge POSIX_FS_ADMIN on its endpoint, which
 * only its owner holds (the server hands it to the mount table with
 * FS_MOUNT; the VFS's own is its unbadged endpoint); else EPERM. A server
 * holds at most POSIX_COVER_MAX mount points (ENOSPC).
 *
 * FS_GETPATH in a mount's tree answers the mount path followed by the path
 * below the mount's root.
 *
 * The mount table (the VFS, docs/vfs.md "Mounts") takes, on any
 * capability of the VFS endpoint (FS_MOUNT and FS_UMOUNT from root only:
 * the caller's credential token as the last capability, as every FS_*
 * request's, else EPERM; the unbadged endpoint's holders, services, and a
 * launched server's callback are not asked):
 * - FS_MOUNT (flags, 0, source length, fstype length) + source + fstype
 *   [+ the mount path, POSIX_MOUNT_AT], cap0 = the mount point directory
 *   (opened O_PATH by the caller; the VFS keeps that reference once
 *   mounted, the caller keeps it on an error), cap1 = the mounted file
 *   system's root directory, cap2 = its admin capability (both from the
 *   file-system server; none for "tmpfs", which the VFS makes itself).
 *   flags POSIX_MOUNT_ROOT: "/", only once and only on the unbadged
 *   endpoint, with no mount point: cap0 the root, cap1 the admin; MS_RDONLY is Linux's. POSIX_MOUNT_AT (unbadged endpoint
 *   only: a server the manifest starts): no cap0, the mount point is the
 *   VFS's own directory at the absolute path that follows the fstype (w1
 *   its length; made if missing), cap0/cap1 the root and admin
 *   capabilities. POSIX_MOUNT_NONE (unbadged only, nothing else): a disk
 *   server that cannot serve says so, and the VFS stops waiting for it
 *   (--root-wait). The VFS covers the mount point
 *   (FS_COVER through the covering server's admin capability) and tells
 *   the mounted one (FS_MOUNTED). EBUSY: a mount point already; ENOSPC:
 *   POSIX_MOUNT_MAX mounts.
 *   A device mount from a program (no server capabilities: source
 *   "/dev/NAME" or "NAME", fstype "ext2", "ext3", "ext4" or "auto", flags
 *   0 or MS_RDONLY): the VFS starts a file-system server for the device
 *   through its launcher (include/cairn/launch.h; none: ENODEV), handing
 *   it a capability of its own (the mount's callback, a VFS object). The
 *   server opens the disk and answers on that capability with FS_MOUNT
 *   (flags: MS_RDONLY if it serves read-only, 0, source length, fstype
 *   length) + source + fstype, cap0 its root, cap1 its admin capability;
 *   or, when it cannot serve, FS_MOUNT (POSIX_MOUNT_NONE, the errno) and
 *   ends. Then the program's answer: 0, or ENOENT (no such device),
 *   ENXIO (its driver is not working), EINVAL (not a file system the
 *   server reads: not ext2, corrupt), EROFS (writable mount of one the
 *   server may only read), EIO (the server ended without answering);
 *   before any server starts: ENOTBLK (a source that names no device),
 *   EBUSY (the device is mounted, or being mounted; a mount point
 *   already), ENOTDIR (the mount point). A server that ends while mounted
 *   leaves the table (its mount point uncovered).
 * - FS_UMOUNT (flags, 0, path length) + path: the mount whose mount path is
 *   path (absolute, as /proc/mounts says it): EBUSY while a client holds
 *   something in it (tmpfs: the VFS's count; another server: FS_INUSE)
 *   unless MNT_DETACH (2), then FS_SYNCFS on it, FS_UNCOVER, and, another
 *   server's mount, FS_STOP (the server ends). EINVAL: not a mount point;
 *   EBUSY: "/" (poweroff unmounts it) or a mount below it.
 * - FS_SYNC_ALL: FS_SYNCFS on every mount (sync).
 * /proc/mounts lists the table.
 */
#define POSIX_REMOTE_ROOT     1u     /* restart at the caller's root directory */
#define POSIX_REMOTE_NEWROOT  2u     /* cap0 is the new root directory */
#define POSIX_REMOTE_SPLIT    4u     /* two-path request: send per parent directory */
#define POSIX_REMOTE_MAX      40
#define POSIX_FS_ADMIN        2      /* the admin badge of a file-system server */
#define POSIX_COVER_MAX       32
#define POSIX_MOUNT_MAX       32
#define POSIX_MOUNT_ROOT      (1u << 31)
#define POSIX_MOUNT_AT        (1u << 30)   /* FS_MOUNT: the mount point by path (below) */
#define POSIX_MOUNT_NONE      (1u << 29)   /* FS_MOUNT: the disk expected is not coming */

/* FS_STATFS's answer (musl-port converts it to struct statfs). type: Linux's
 * magic numbers (EXT2 0xef53, TMPFS 0x01021994, PROC 0x9fa0). */
struct posix_statfs {
	uint64_t type, bsize, blocks, bfree, bavail, files, ffree, fsid, namelen, frsize, flags;
};

/* ---- the process server (user/servers/proc) ---------------------------------- */
/*
 * Every POSIX process holds a capability to the process server named
 * "proc", badged with its pid; it stays in the slot its start-up block
 * names (the server puts a child's at the same slot at fork and exec).
 * The server created the process and holds its Process, AddressSpace and
 * main Thread capabilities; the process's slots 0..2 hold its own
 * (SLOT_SELF_*). System services (the console server) may hold an
 * unbadged capability to the server's endpoint (the manifest's
 * endpoint:proc): their calls come from no process (sender pid 0).
 *
 * Capability names of the first process (pid 1): "proc", and each
 * capability the server's manifest names "posix.NAME", under NAME (by
 * convention "console", "kinfo", "vfs", "tty", and "rng": the entropy
 * server, whose RNG_READ (include/cairn/dev.h) seeds musl-port's
 * generator, and "net": the network server's endpoint, for socket()
 * (include/cairn/sock.h); an unbadged "vfs" endpoint
 * reaches it minted with the badge POSIX_VFS_ROOT). A child of fork has its
 * parent's whole table; an image started by exec has the capabilities
 * PS_EXEC keeps, under the names PS_EXEC gives.
 *
 * The start-up block of a POSIX process is abi.h's, extended: after the
 * empty string that ends the capability names comes the environment,
 * "envc\0NAME=value\0...\0" (a reader that stops at the empty string
 * sees the block it always did), then what the process keeps across
 * exec: "umask=N\0" and "rlimitR=cur:max\0" for each resource R (decimal;
 * "inf" for POSIX_RLIM_INF), ended by an empty string. A block longer than abi.h's
 * CAIRN_STARTUP_MAX (at most POSIX_STARTUP_MAX) says its length in its
 * first string, "argc:length\0", and is mapped whole at CAIRN_STARTUP_VA,
 * writable (the libc uses it in place: argv's strings are writable, as C
 * has them); a shorter one is as abi.h says. An exec's argument,
 * environment and name strings together are at most POSIX_ARG_MAX bytes
 * (E2BIG), as Linux's limit (RLIMIT_STACK / 4) would have them.
 *
 * Signal numbers and sets are Linux's (set bit sig - 1, signals 1..64);
 * wait statuses are Linux's: exit code << 8, the terminating signal
 * (never a core flag), 0x7f | sig << 8 for a stopped child, 0xffff for a
 * continued one. Errors are Linux errno values (ECHILD 10, ESRCH 3...).
 */
enum {
	PS_GETPID = 0x300,    /* -> (pid, ppid, pgid, sid) */
	PS_FORK,              /* (pc, sp, arg, tls) -> (child pid). The child: a new process
	                       * with the parent's quota limit; slots 0..2 its own, "proc"
	                       * badged with its pid, the capabilities of PS_EXEC_KEEP at
	                       * their slots (the descriptors' references of its own), every
	                       * other slot a copy of the parent's (PROC_COPY_CAPS); the
	                       * PS_EXEC_KEEP list is emptied as by PS_EXEC; its address space a copy-on-write copy of
	                       * the parent's (AS_COPY: CAIRN_PROT_SHARE mappings stay
	                       * shared) except the page at CAIRN_IPCBUF_VA, a fresh page that
	                       * is its thread's IPC buffer; one thread, the main thread,
	                       * started at pc with sp, arg0 = arg and thread pointer tls
	                       * (THREAD_SET_TLS). It inherits the dispositions, the mask
	                       * and deliveries of the forking thread (its tid inline as a
	                       * uint32_t; none: the main thread), the process group and
	                       * session, not the pending signals. EAGAIN: no free pid;
	                       * ENOMEM: no quota left; ESRCH: no such thread */
	PS_EXEC,              /* cap0 = MemoryObject holding the ELF file at offset 0,
	                       * (size, argc, envc, nnames) + inline: argc argument strings, envc
	                       * "NAME=value" strings, nnames "name=slot" strings, each ended by
	                       * a NUL, and optionally the path exec'd (NUL-ended; the new
	                       * image's comm, /proc/PID/comm, is its last part, else
	                       * argv[0]'s). Strings longer than a message (at most
	                       * POSIX_ARG_MAX bytes) come in cap1, a MemoryObject holding them
	                       * at offset 0, and the inline bytes are their length, one word.
	                       * A new image in a new kernel process with the same pid, parent,
	                       * group, session, mask and pending signals; handled signals go
	                       * back to SIG_DFL. Its table: slots 0..2 its own, "proc" at the
	                       * same slot as before, the capabilities of PS_EXEC_KEEP; its
	                       * start-up block: the arguments, the names given and "proc", the
	                       * environment. No answer on success: the old image ends without
	                       * an exit being reported. Errors leave the caller as it was:
	                       * E2BIG (the strings exceed POSIX_ARG_MAX, the start-up block
	                       * POSIX_STARTUP_MAX), ENOEXEC (not a static ELF of this arch),
	                       * EINVAL (malformed message, no MemoryObject, a name whose slot
	                       * PS_EXEC_KEEP did not give), ENOMEM. Every PS_EXEC, answered or
	                       * not, empties the PS_EXEC_KEEP list */
	PS_EXIT,              /* (status): the process ends, exit code status & 0xff (every
	                       * thread ends; no answer). SYS_EXIT does the same */
	PS_WAIT,              /* (pid, options) -> (pid, status). pid > 0: that child; -1: any
	                       * child; 0: any in the caller's group; < -1: any in group -pid.
	                       * options POSIX_W* (below). ECHILD: no such child; WNOHANG and none ready:
	                       * (0, 0). Otherwise answered when one is (a saved Reply); a
	                       * signal delivered to the caller's main thread interrupts it
	                       * (EINTR from the kernel). A reported zombie is reaped */
	PS_KILL,              /* (pid, sig, flags): pid > 0 that process; 0 the caller's group; -1
	                       * every process but pid 1 and the caller; < -1 group -pid. sig 0:
	                       * existence check only. EINVAL (sig > 64), ESRCH. EPERM: the
	                       * caller (not euid 0) may not signal the process, or any of
	                       * the group (its real or effective uid is not the target's
	                       * real or saved uid; SIGCONT within its session is allowed);
	                       * -1 signals those it may and succeeds if there are any. flags
	                       * POSIX_KILL_PGRP: pid is -pgid of a group, also of group 1
	                       * (which -1 cannot name): the console server's ^C.
	                       * POSIX_KILL_LIVE: ESRCH for a zombie too (a pipe lock's
	                       * holder that is gone, musl-port's fd.c) */
	PS_SIGACTION,         /* (sig, disposition | sa_flags << 32, entry pc, sa_mask) ->
	                       * (old disposition | old sa_flags << 32, old pc, old sa_mask).
	                       * disposition POSIX_SIG_*; sa_flags Linux's (the server uses
	                       * POSIX_SA_*, below); pc: the libc's upcall entry (below).
	                       * EINVAL: sig not 1..64, SIGKILL/SIGSTOP not SIG_DFL */
	PS_SIGMASK,           /* (how, set, flags | tid << 32) -> (old set): the mask of the
	                       * caller's thread tid (0 or the pid: the main thread; ESRCH:
	                       * one not registered, PS_THREAD). how: POSIX_SIG_BLOCK, _UNBLOCK,
	                       * _SETMASK (below); SIGKILL, SIGSTOP are never blocked.
	                       * Signals it unblocks are delivered after the answer.
	                       * flags POSIX_SIGMASK_OUTSIDE: the caller runs outside
	                       * every handler; while a delivery is under way (its
	                       * upcall may not have reached the thread yet) the change
	                       * is to the mask the handler's end puts back, and old is
	                       * that mask, not the handler's */
	PS_SIGPENDING,        /* (tid) -> (set) of signals pending for the process and for
	                       * the caller's thread tid. ESRCH */
	PS_SETPGID,           /* (pid, pgid): 0 = the caller / pgid = pid. ESRCH: neither the
	                       * caller nor its child; EACCES: the child has done an exec;
	                       * EPERM: a session leader, another session, no such group in
	                       * the session; EINVAL: pgid < 0 */
	PS_GETPGID,           /* (pid: 0 = the caller) -> (pgid). ESRCH */
	PS_SETSID,            /* -> (sid = the caller's pid). EPERM: it leads a process group */
	PS_GETSID,            /* (pid: 0 = the caller) -> (sid). ESRCH */
	PS_SIGRETURN_DONE,    /* (sig, how, set, flags | tid << 32): the innermost delivery on
	                       * the caller's thread tid is over; how = 0:
	                       * the mask goes back to what it was before it, 1: the mask
	                       * becomes set (a handler left with siglongjmp). EINVAL: no
	                       * delivery of sig in progress there. flags
	                       * POSIX_SIGRETURN_FORKED alone, (0, 0, 0): the caller is the
	                       * child of a fork made outside every handler (another thread
	                       * forked, or the upcall had not yet reached the main
	                       * thread): a delivery it inherited is over, the mask back to
	                       * what it was before it; nothing to do when there is none */
	PS_EXEC_KEEP,         /* caps 0..n-1 (n = 1..4), (slot 0..3): the next PS_EXEC gives
	                       * the new image cap i at slot w[i] (normally the caller's own
	                       * slot). w[i] | POSIX_KEEP_CLOSE: not given; once the exec is
	                       * done the server sends IO_CLOSE on it (a descriptor with
	                       * FD_CLOEXEC: the old image cannot close it after a successful
	                       * exec). w[i] | POSIX_KEEP_REF: a reference of its own (IO_DUP)
	                       * for the new image or a PS_FORK's child, which the server
	                       * closes if it is not given (the call fails, the list is
	                       * emptied, the caller dies). Repeated calls add to the list
	                       * (320 at most, 1024 for all processes together: E2BIG); a
	                       * call with no capability empties it. EINVAL: a slot below
	                       * 3, the "proc" slot, above 1023, or given twice */
	PS_SETITIMER,         /* (which, value ns, interval ns, flags) -> (old value ns, old
	                       * interval ns): setitimer/alarm. which: ITIMER_REAL 0,
	                       * ITIMER_VIRTUAL 1, ITIMER_PROF 2 (else EINVAL; the last two
	                       * on the process's CPU time, to the ms: SIGVTALRM, SIGPROF);
	                       * value 0 disarms; when it runs out the process
	                       * gets SIGALRM (sender 0) and, with an interval, it starts
	                       * again. flags 1: only read it (getitimer). A fork's child
	                       * starts with none; exec keeps it. It shares the server's one
	                       * kernel Timer (one-shot, to the ns) with PS_TIMER_* */
	PS_SIGWAIT,           /* (set, timeout ns, tid) -> (sig, sender pid | (uint32)si_code << 32,
	                       * si_value, overrun): sigtimedwait from the caller's thread tid
	                       * (0: the main thread). Takes the lowest pending signal of
	                       * set (SIGKILL, SIGSTOP left out; a real-time signal's oldest
	                       * instance; those pending for thread tid first: PS_TKILL,
	                       * POSIX_SIGEV_THREAD_ID) WITHOUT running its handler or default action. None
	                       * pending: timeout 0 is EAGAIN at once; otherwise answered later
	                       * (a saved Reply) when one of set is raised, or EAGAIN once
	                       * timeout has passed (UINT64_MAX: never). While the call waits,
	                       * the signals of set are not discarded as ignored (as Linux).
	                       * A new call of the same tid ends its old one (the thread
	                       * was interrupted and left it).
	                       * A handler run on the caller's thread interrupts it (EINTR
	                       * from the kernel); a signal the server could not hand to an
	                       * interrupted caller stays pending. ENOSYS: a timeout but no
	                       * clock (no kinfo) */
	PS_SIGQUEUE,          /* (pid, sig, si_code, si_value): sigqueue/rt_sigqueueinfo to the
	                       * process pid (> 0; sig 0: existence check). The receiver's
	                       * siginfo: si_code, si_value and the caller's pid. A real-time
	                       * signal (POSIX_SIGRTMIN..64) is queued: every instance is
	                       * delivered (or taken by PS_SIGWAIT), oldest first; EAGAIN when
	                       * the receiver's queue (POSIX_SIGQUEUE_MAX) is full. A standard
	                       * signal already pending is merged (the first one's siginfo
	                       * stays). EPERM: si_code >= 0 or SI_TKILL (-6) to another
	                       * process (as Linux), or one PS_KILL's rule does not let the
	                       * caller signal; ESRCH; EINVAL: sig > 64 */
	PS_SIGINFO,           /* (tid) -> (sig, sender pid | (uint32)si_code << 32, si_value,
	                       * overrun) of the innermost delivery in progress on the caller's
	                       * thread tid (musl-port's entry asks PS_SIGCONTEXT, below,
	                       * which tells the mask before it too). EINVAL: none */
	/* What /proc shows (the VFS asks; docs/vfs.md, "/proc"): */
	PS_PROCLIST,          /* (from) -> (n, processes, last pid, forks) + n uint32_t pids
	                       * inline: the pids >= from of the table (live processes and
	                       * zombies), ascending, at most POSIX_INLINE_MAX / 4 of them
	                       * (ask again from the last one + 1 for more). processes: the
	                       * entries in use; last pid: the last pid handed out; forks:
	                       * the processes made since the server started (the first one
	                       * and every fork). Any caller: kill(pid, 0) tells a process
	                       * the same (every pid it is allowed to signal) */
	PS_PROCINFO,          /* (pid) -> struct posix_procinfo + its arguments inline right
	                       * after it (argv_len bytes: each argument NUL-ended, as Linux's
	                       * /proc/PID/cmdline; cut at POSIX_CMDLINE_MAX). Only for a
	                       * caller with no pid (a system service: the VFS): EPERM from a
	                       * process. ESRCH: no such pid */
	/* POSIX timers (timer_create...): each process has up to
	 * POSIX_TIMERS_PER_PROC, named by an id the server gives (0..
	 * POSIX_TIMER_ID_MAX), gone at exec and exit; a fork's child has none.
	 * Times are ns; a timer runs on the server's monotonic clock, which
	 * CLOCK_MONOTONIC, CLOCK_BOOTTIME and CLOCK_REALTIME share but for an
	 * absolute CLOCK_REALTIME time, which follows PS_SETTIME. */
	PS_TIMER_CREATE,      /* (clock, notify | flags << 32, sig | tid << 32, si_value) -> (id).
	                       * clock POSIX_CLOCK_REALTIME, _MONOTONIC, _BOOTTIME; notify
	                       * POSIX_SIGEV_SIGNAL (sig to the process), _NONE (no signal),
	                       * _THREAD_ID (sig to the caller's thread tid: its sigwaitinfo
	                       * takes it; a handled sig runs on the main thread); flags
	                       * POSIX_TIMER_VALUE_ID: si_value is the timer's id (a NULL
	                       * sigevent). The signal's siginfo: si_code SI_TIMER, sender
	                       * the timer's id (si_timerid), si_value, the overrun
	                       * (PS_SIGINFO). EINVAL: another clock or notify, sig not
	                       * 1..64 (unless _NONE), tid 0 for _THREAD_ID; ENOTSUP: a
	                       * CPU-time clock (2, 3, or negative); EAGAIN: the caller has
	                       * POSIX_TIMERS_PER_PROC, or the server has no room */
	PS_TIMER_SET,         /* (id, flags, value ns, interval ns) -> (old value ns left, old
	                       * interval ns): timer_settime. value 0 disarms; flags
	                       * POSIX_TIMER_ABSTIME: value is a time of the timer's clock
	                       * (one past fires at once). Each expiry raises the signal,
	                       * unless the timer's last one is still pending: then the
	                       * overrun count grows (periods missed count too, up to
	                       * INT_MAX). EINVAL: not the caller's id, flags, a time of
	                       * 2^63 or more; ENOSYS: no clock */
	PS_TIMER_GET,         /* (id) -> (value ns left (0: disarmed), interval ns, overrun):
	                       * timer_gettime and timer_getoverrun (the overrun count of
	                       * the last signal delivered or taken). EINVAL */
	PS_TIMER_DELETE,      /* (id): the timer goes, and its signal if still pending. EINVAL */
	PS_TKILL,             /* (tid, sig, flags, si_value): tgkill, pthread_kill (flags 0:
	                       * SI_TKILL) or pthread_sigqueue (flags POSIX_TKILL_CODE |
	                       * (uint32)si_code) of sig to thread tid of the
	                       * caller (its pid: the main thread): its handler runs on that
	                       * thread, its PS_SIGWAIT takes it, or it stays pending for the
	                       * thread while the thread blocks it; a default action (or
	                       * SIG_IGN) is the process's. sig 0: only checks that tid is.
	                       * EINVAL: sig above 64, tid 0; ESRCH: no such thread
	                       * registered (PS_THREAD); EAGAIN: a real-time signal and
	                       * POSIX_TSIG_MAX such signals pending already */
	PS_AFFINITY,          /* (pid, set, mask) -> (mask): sched_getaffinity and, with set
	                       * 1, sched_setaffinity of another process: the CPUs of its
	                       * main thread (THREAD_GET_AFFINITY, THREAD_SET_AFFINITY; a
	                       * process's own threads are its libc's). Anyone may read;
	                       * setting needs uid 0 or the caller's euid to be the
	                       * target's real or effective uid (EPERM), as Linux. ESRCH:
	                       * no such live process; EINVAL: set with no online CPU in
	                       * mask. A fork's child and an exec's new image start on
	                       * the CPUs of the main thread they come from */
	PS_THREAD,            /* (op, tid, creator) [+ cap0]: the libc's threads other than
	                       * the main one, for signals. POSIX_THREAD_NEW, cap0 = the new
	                       * kernel Thread (before it starts), tid its id (> 0, not the
	                       * pid), creator the tid of the calling thread, whose mask the
	                       * new thread starts with: handlers may run on it from
	                       * now on. POSIX_THREAD_END: it ends (its pending signals and
	                       * sigtimedwait go). EINVAL: a tid known (NEW) or not (END);
	                       * EAGAIN: the server has no room (MAX_STHREADS in all) */
	PS_UMASK,             /* (mask, flags) -> (old mask): the file-creation mask, kept
	                       * across fork and exec (the new image's start-up block says
	                       * it, below). flags 1: only read it. EINVAL: flags */
	PS_RLIMIT,            /* (resource, cur, max, flags) -> (old cur, old max): the
	                       * resource limits (Linux's numbers, POSIX_RLIM_N of them,
	                       * POSIX_RLIM_INF: none), kept across fork and exec (the
	                       * start-up block says them). flags 1: set them. EINVAL: a
	                       * resource past POSIX_RLIM_N, cur above max, flags; EPERM:
	                       * raising max without euid 0. RLIMIT_STACK is the most the
	                       * main thread's stack grows to (from the next exec's
	                       * initial size, POSIX_STACK_PAGES at most, by faults below
	                       * it: the server maps more, as Linux grows a stack) */
	PS_TIMES,             /* (pid: 0 the caller) -> (CPU ns, children's CPU ns): the CPU
	                       * time of a process's threads (PROC_TIMES; an ended one's
	                       * as it ended), and that of its children it has waited for
	                       * (each with its own children's), as times() and getrusage()
	                       * report them. ESRCH */
};

/*
 * PS_PROCINFO's answer. Numbers the server does not know are 0 (CPU
 * times); mem_bytes is the kernel memory charged to the process
 * (PROC_QUOTA's used: its pages, page tables and kernel objects), 0 for
 * a zombie. Times are the server's monotonic clock (nanoseconds since
 * boot, KINFO_TIME), 0 without one.
 */
#define POSIX_CMDLINE_MAX  1024   /* argument bytes kept per process (Linux: all) */
enum { POSIX_PS_RUNNING = 0, POSIX_PS_STOPPED, POSIX_PS_ZOMBIE };
struct posix_procinfo {
	int32_t pid, ppid, pgid, sid;
	uint32_t state;               /* POSIX_PS_*: live (running or blocked: not told apart) */
	uint32_t threads;             /* the threads the server knows of (PS_THREAD) */
	int32_t wstatus;              /* a zombie's wait status, else 0 */
	uint32_t sigq;                /* real-time signals queued */
	uint64_t start_ns;            /* when it was made (fork, or the first start) */
	uint64_t mem_bytes;
	uint64_t pending, blocked, ignored, caught;   /* signal sets, bit sig - 1 */
	uint32_t argv_len;            /* bytes of arguments after this struct */
	uint32_t reserved;            /* 0 */
	char comm[16];                /* the last part of the path exec'd (or of argv[0]),
	                               * at most 15 bytes, NUL-ended: Linux's comm */
};

/*
 * The system's own requests to the process server: its names (uname), the
 * real-time clock, power, users. "uid 0" is the caller's effective uid
 * (PS_SETUID; every process starts as uid 0); the others get EPERM.
 * Numbered apart from the requests above.
 */
enum {
	PS_REBOOT = 0x340,    /* (magic1, magic2, cmd): Linux's reboot(2). EPERM: not uid 0;
	                       * EINVAL: magic1 not POSIX_REBOOT_MAGIC1 or magic2 not one of
	                       * Linux's four. cmd POSIX_REBOOT_POWER_OFF, _HALT, _RESTART: the
	                       * server kills every POSIX process and exits with status 0 (no
	                       * answer: the caller is killed too), which the manifest's
	                       * `exitstatus` makes init's, and init powers the machine off
	                       * (a restart too: there is no reset, and QEMU runs with
	                       * -no-reboot). _CAD_ON, _CAD_OFF: 0 (no Ctrl-Alt-Del to catch).
	                       * Any other cmd: EINVAL */
	PS_SETNAME,           /* (which: 0 the host name, 1 the NIS domain name, len) + the name
	                       * inline (its len bytes; no NUL needed): sethostname,
	                       * setdomainname, for every process (uname's nodename and
	                       * domainname; the host name starts as "cairn", the domain name
	                       * as "(none)"). EPERM: not uid 0; EINVAL: len > POSIX_UTS_LEN,
	                       * fewer bytes sent, which > 1 */
	PS_UNAME,             /* -> struct posix_uts inline (both names, NUL-terminated) */
	PS_SETTIME,           /* (ns since 1970 UTC): settimeofday and clock_settime of
	                       * CLOCK_REALTIME, for every process (KINFO_SET_REALTIME on the
	                       * server's "clock" capability, a KernelInfo with the manage
	                       * right). EPERM: not uid 0, or the server has no "clock" (this
	                       * world may not set the clock); EINVAL: 2^63 or more */
	PS_GETUID,            /* -> (real uid, effective uid, saved uid) */
	PS_SETUID,            /* (how, a, b, c): how 0 setresuid(a, b, c), 1 setuid(a), 2
	                       * setreuid(a, b); POSIX_UID_KEEP (-1 as a uid_t) leaves one as
	                       * it is. Linux's rules: uid 0 may set any; another only to one
	                       * of its own real, effective and saved uids (setuid: the
	                       * effective one only; setreuid: the real one only to its real
	                       * or effective uid), else EPERM. The saved uid follows the
	                       * effective one when setuid by uid 0 or setreuid changes the
	                       * real one or sets an effective one other than the real. A
	                       * fork's child and an exec keep the three. EINVAL: how > 2,
	                       * a uid above POSIX_UID_KEEP. The file-system uid follows the
	                       * effective one (docs/users.md) */
	PS_GETGID,            /* -> (real gid, effective gid, saved gid, fsuid | fsgid << 32) */
	PS_SETGID,            /* (how, a, b, c): PS_SETUID's rules for the group ids: how 0
	                       * setresgid, 1 setgid, 2 setregid; privileged: euid 0 */
	PS_GETGROUPS,         /* -> (n) + n uint32_t supplementary gids inline */
	PS_SETGROUPS,         /* (n) + n uint32_t gids inline: setgroups. EPERM: not euid 0;
	                       * EINVAL: n > POSIX_NGROUPS_MAX or fewer bytes sent */
	PS_SETFSID,           /* (which: 0 uid, 1 gid, id) -> (old): setfsuid, setfsgid; the id
	                       * changes only to one of the real, effective, saved or fs ids
	                       * (any for euid 0), and the old one is the answer either way */
	PS_CRED,              /* through a credential token only (below): -> struct
	                       * posix_cred inline: the ids of the process the token is
	                       * now. ESRCH: the token is no process's any more */
};

/* Scheduling (the process server; docs/proc.md, Scheduling) */
enum {
	PS_SCHED = 0x3f0,     /* (op, tid, policy, priority) -> (policy, priority): op 0
	                       * reads, op 1 sets (sched_setscheduler, sched_setparam,
	                       * pthread_setschedparam) the scheduling of a thread of the
	                       * caller (its tid; the pid: the main one) or of another
	                       * process's main thread (setting that needs uid 0 or the
	                       * caller's euid to be its real or effective uid). policy:
	                       * POSIX_SCHED_* | POSIX_SCHED_RESET_ON_FORK (Linux's
	                       * values); SCHED_FIFO and SCHED_RR priority 1..99, the
	                       * others 0 (EINVAL). Real time needs euid 0, unless the
	                       * thread is real-time already and goes no higher (EPERM:
	                       * Linux's rule with RLIMIT_RTPRIO 0). Kept by fork (the
	                       * forking thread's, unless RESET_ON_FORK), by exec (the
	                       * start-up block's `sched=policy:priority:reset`) and by a
	                       * new thread (its creator's, PS_THREAD). ESRCH */
};
enum {
	POSIX_SCHED_OTHER = 0, POSIX_SCHED_FIFO = 1, POSIX_SCHED_RR = 2, POSIX_SCHED_BATCH = 3,
	POSIX_SCHED_IDLE = 5,
};
#define POSIX_SCHED_RESET_ON_FORK 0x40000000u
#define POSIX_SCHED_RT_MAX        99u

/*
 * Credentials (docs/users.md). Each POSIX process holds a credential
 * token, the capability named "cred": the process server's endpoint with
 * the badge POSIX_CRED_BADGE | a serial of its own, RIGHT_WRITE only. The
 * libc sends it as the last capability of every FS_* request; a file
 * server checks with CAP_OP_IDENTIFY that it is the process server's
 * endpoint (the object id of its own "proc" capability) with such a
 * badge, and asks PS_CRED through it (once: it may keep the answer by
 * the badge, for the server never lets a serial stand for other ids). A
 * change of ids (PS_SETUID, PS_SETGID, PS_SETGROUPS, PS_SETFSID that
 * changes something) revokes the old token, every copy of it, and
 * grants a new one at the same slot; so does the end of the process. A
 * fork's child gets a token of its own, an exec's image the same one
 * (a new one when the exec changes the ids: PS_EXEC_GRANT).
 */
#define POSIX_CRED_BADGE     (1ull << 61)
#define POSIX_NGROUPS_MAX    32             /* musl's NGROUPS_MAX */
#define POSIX_OVERFLOW_ID    65534u         /* "nobody": a request without a token */
struct posix_cred {
	uint32_t ruid, euid, suid, fsuid;
	uint32_t rgid, egid, sgid, fsgid;
	uint32_t ngroups, reserved;
	uint32_t groups[POSIX_NGROUPS_MAX];
};
#define POSIX_UTS_LEN        64             /* host and domain names: at most 64 bytes */
struct posix_uts {
	char nodename[POSIX_UTS_LEN + 1];
	char domainname[POSIX_UTS_LEN + 1];
};
#define POSIX_UID_KEEP       0xffffffffu
/*
 * A process's faults inside its system-call layer (musl-port's
 * ucopy.S). The libc copies the caller's buffers with routines kept in
 * one text range; a memory fault there (after the server's own fixes:
 * the main stack's growth) is answered CAIRN_FAULT_RESUME at the range's
 * fixup, which makes the routine return an error (EFAULT to the caller,
 * as Linux's exception tables do), whatever the SIGSEGV disposition and
 * mask: no signal. A fork's child keeps the range; an exec forgets it.
 */
/*
 * Set-uid and set-gid executables (docs/users.md). The image a process
 * sends with PS_EXEC is its own to choose, so the ids an image runs with
 * come from the file server that made it: IO_IMAGE with the caller's
 * credential token as its last capability, of a file with S_ISUID (or
 * S_ISGID and group execute), has the file server tell the process
 * server before it answers. PS_EXEC then gives those ids only for that
 * very object (its id, CAP_OP_IDENTIFY: a client cannot name another
 * image with it), once: any PS_EXEC of the process ends the grant.
 */
enum {
	PS_EXEC_GRANT = 0x3a0, /* (token badge, image object id, uid | gid << 32, flags
	                       * POSIX_EXEC_SETUID | POSIX_EXEC_SETGID): through the unbadged
	                       * endpoint only (a file server: a system service), else EPERM.
	                       * The next PS_EXEC of the token's process with that image sets
	                       * the effective (and saved, and fs) uid and/or gid. ESRCH: no
	                       * process has that token; EINVAL: no flag, another bit */
};
#define POSIX_EXEC_SETUID 1u
#define POSIX_EXEC_SETGID 2u

enum {
	PS_UCOPY = 0x380,     /* (start, end, fixup): the calling process's copy routines
	                       * are [start, end), fixup within it. EINVAL: an empty or
	                       * reversed range, past the user addresses, or fixup
	                       * outside it */
	PS_SIGCONTEXT,        /* (tid) -> (sig, mask before it, si_value, overrun) of the
	                       * innermost delivery in progress on the caller's thread tid
	                       * (the libc fills a SA_SIGINFO handler's siginfo_t and
	                       * uc_sigmask with it). EINVAL: none */
};
/* PS_REBOOT: Linux's magic numbers and commands (<linux/reboot.h>) */
#define POSIX_REBOOT_MAGIC1  0xfee1deadu
#define POSIX_REBOOT_MAGIC2  672274793u
#define POSIX_REBOOT_MAGIC2A 85072278u
#define POSIX_REBOOT_MAGIC2B 369367448u
#define POSIX_REBOOT_MAGIC2C 537993216u
#define POSIX_REBOOT_RESTART   0x01234567u
#define POSIX_REBOOT_HALT      0xcdef0123u
#define POSIX_REBOOT_CAD_ON    0x89abcdefu
#define POSIX_REBOOT_CAD_OFF   0x00000000u
#define POSIX_REBOOT_POWER_OFF 0x4321fedcu

/*
 * The numbers the process protocol carries, Linux's (so musl's own values
 * go over it unchanged; musl-port checks at compile time that they agree).
 * Prefixed POSIX_: a libc's headers define the plain names.
 */
/* signal numbers; a set is a bit mask with bit sig - 1 (posix_sigbit) */
enum {
	POSIX_SIGHUP = 1, POSIX_SIGINT = 2, POSIX_SIGQUIT = 3, POSIX_SIGILL = 4,
	POSIX_SIGTRAP = 5, POSIX_SIGABRT = 6, POSIX_SIGBUS = 7, POSIX_SIGFPE = 8,
	POSIX_SIGKILL = 9, POSIX_SIGUSR1 = 10, POSIX_SIGSEGV = 11, POSIX_SIGUSR2 = 12,
	POSIX_SIGPIPE = 13, POSIX_SIGALRM = 14, POSIX_SIGTERM = 15, POSIX_SIGSTKFLT = 16,
	POSIX_SIGCHLD = 17, POSIX_SIGCONT = 18, POSIX_SIGSTOP = 19, POSIX_SIGTSTP = 20,
	POSIX_SIGTTIN = 21, POSIX_SIGTTOU = 22, POSIX_SIGURG = 23, POSIX_SIGXCPU = 24,
	POSIX_SIGXFSZ = 25, POSIX_SIGVTALRM = 26, POSIX_SIGPROF = 27, POSIX_SIGWINCH = 28,
	POSIX_SIGIO = 29, POSIX_SIGPWR = 30, POSIX_SIGSYS = 31,
};
#define POSIX_NSIG          64
static inline uint64_t posix_sigbit(int sig) { return 1ull << (sig - 1); }
/* PS_SIGACTION sa_flags the server acts on */
#define POSIX_SA_NOCLDSTOP  0x00000001u
#define POSIX_SA_NOCLDWAIT  0x00000002u
#define POSIX_SA_ONSTACK    0x08000000u    /* the handler on the thread's alternate stack */
#define POSIX_SA_NODEFER    0x40000000u
#define POSIX_SA_RESETHAND  0x80000000u
/* PS_WAIT options */
#define POSIX_WNOHANG       0x00000001u
#define POSIX_WUNTRACED     0x00000002u
#define POSIX_WCONTINUED    0x00000008u
#define POSIX_WNOWAIT       0x01000000u
/* PS_SIGMASK how */
#define POSIX_SIG_BLOCK     0
#define POSIX_SIG_UNBLOCK   1
#define POSIX_SIG_SETMASK   2
/* PS_SIGMASK flags */
#define POSIX_SIGMASK_OUTSIDE 1u

/* Real-time signals (kill or PS_SIGQUEUE) are queued from 32 on (Linux's
 * SIGRTMIN; musl keeps 32..34 for itself); at most POSIX_SIGQUEUE_MAX
 * instances per process. A kill() of a real-time signal that finds the
 * queue full is kept as one more pending instance of its own (merged). */
#define POSIX_SIGRTMIN      32
#define POSIX_SIGQUEUE_MAX  32
/* si_code values the server uses (Linux's). */
#define POSIX_SI_USER    0
#define POSIX_SI_KERNEL  0x80
#define POSIX_SI_QUEUE   (-1)
#define POSIX_SI_TKILL   (-6)
#define POSIX_SI_TIMER   (-2)
/* SIGCHLD's (the child's pid as the sender; PS_SIGINFO's value: si_status,
 * the exit code, or the signal that ended, stopped or continued it) */
#define POSIX_CLD_EXITED    1
#define POSIX_CLD_KILLED    2
#define POSIX_CLD_DUMPED    3
#define POSIX_CLD_STOPPED   5
#define POSIX_CLD_CONTINUED 6
/* PS_TIMER_*: clocks, notifications, flags (Linux's numbers) */
#define POSIX_CLOCK_REALTIME   0
#define POSIX_CLOCK_MONOTONIC  1
#define POSIX_CLOCK_PROCESS_CPUTIME_ID 2
#define POSIX_CLOCK_THREAD_CPUTIME_ID  3
#define POSIX_CLOCK_BOOTTIME   7
#define POSIX_SIGEV_SIGNAL     0
#define POSIX_SIGEV_NONE       1
#define POSIX_SIGEV_THREAD_ID  4
#define POSIX_TIMER_ABSTIME    1
#define POSIX_TIMER_VALUE_ID   1     /* PS_TIMER_CREATE flags */
#define POSIX_TIMERS_PER_PROC  32
#define POSIX_TSIG_MAX         32    /* signals pending for threads, per process */
/* The upcall argument of a delivery: sig | code byte << 8 | sender pid << 32,
 * where the code byte is si_code as an int8_t, except 0x80: SI_KERNEL. */
static inline uint64_t posix_sig_arg(int sig, int code, uint32_t sender)
{
	return (uint64_t)(sig & 0xff) | (uint64_t)(uint8_t)code << 8 | (uint64_t)sender << 32;
}
static inline int posix_sig_arg_code(uint64_t arg)
{
	uint8_t b = (uint8_t)(arg >> 8);

	return b == 0x80 ? POSIX_SI_KERNEL : (int)(int8_t)b;
}

enum { POSIX_SIG_DFL = 0, POSIX_SIG_IGN = 1, POSIX_SIG_HANDLE = 2 };
#define POSIX_KEEP_CLOSE  (1ull << 32)    /* PS_EXEC_KEEP: close it, do not keep it */
#define POSIX_KEEP_REF    (1ull << 33)    /* PS_EXEC_KEEP: a reference of its own, closed
                                           * by the server if it is not given */
#define POSIX_KILL_PGRP 1     /* PS_KILL flags */
#define POSIX_KILL_LIVE 2
#define POSIX_SIGRETURN_FORKED 2 /* PS_SIGRETURN_DONE flags */
#define POSIX_TKILL_CODE  (1ull << 32)  /* PS_TKILL: w2's low half is the si_code */
#define POSIX_THREAD_NEW  0      /* PS_THREAD ops */
#define POSIX_THREAD_END  1

/*
 * Default actions: terminate (the process is killed; its wait status is
 * the signal), ignore (SIGCHLD, SIGURG, SIGWINCH, SIGCONT), stop
 * (SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU: the process's threads are
 * suspended) and continue (SIGCONT resumes a stopped process whatever its
 * disposition). SIGKILL and SIGSTOP cannot be caught, ignored or blocked.
 * SIGCHLD goes to the parent when a child ends, stops or continues (not
 * the last two with SA_NOCLDSTOP); with SIGCHLD ignored (SIG_IGN) or
 * SA_NOCLDWAIT, ended children are reaped at once (no zombie). Orphans
 * become children of pid 1. SIGPIPE is the libc's own (on EPIPE). The
 * server handles every process's user faults (PROC_SET_FAULT): a bad
 * access raises SIGSEGV, another exception SIGILL; with a handler that
 * can run now (not blocked, no delivery in progress) it runs on the main
 * thread (the fault message does not say which thread faulted) and the
 * instruction is tried again when it returns, otherwise
 * the process ends with that signal.
 *
 * A handled signal is delivered with THREAD_UPCALL(entry pc,
 * posix_sig_arg(sig, si_code, sender pid)) on a thread that does not
 * block it: the one a thread-directed signal names (PS_TKILL, a timer's
 * SIGEV_THREAD_ID), else the main thread if it can take it, else another
 * registered one (PS_THREAD)
 * (abi.h; sender pid 0: the system, si_code SI_KERNEL; kill: SI_USER;
 * PS_SIGQUEUE: the code it gave, whose si_value PS_SIGINFO tells; a fault:
 * Linux's, SEGV_MAPERR or SEGV_ACCERR (CAIRN_FAULT_PROT), BUS_ADRALN or
 * BUS_ADRERR, else 1: ILL_ILLOPC, FPE_INTDIV, TRAP_BRKPT). Before it the server sets the thread's mask to mask | sa_mask | sig
 * (not sig with SA_NODEFER) and, with SA_RESETHAND, the disposition back
 * to SIG_DFL. The libc's entry runs the handler (arg1 = the upcall frame),
 * then calls PS_SIGRETURN_DONE(sig, 0, 0, 0), then SYS_UPCALL_RETURN(frame);
 * the next delivery comes by an upcall on the way out of PS_SIGRETURN_DONE
 * (musl-port holds it there and runs it in the same frame: a queue of
 * signals must not nest a frame each). Deliveries nest as on Linux, 8 deep at most:
 * a pending signal the current mask does not block (the handler's own
 * with SA_NODEFER) is delivered by an upcall while a handler runs, and
 * PS_SIGRETURN_DONE ends the innermost; one upcall at a time (the next
 * waits until the thread has taken the last: THREAD_UPCALL's ERR_BUSY).
 * The thread's IPC buffer may hold what the interrupted code has yet to
 * read (an answer's inline bytes, received capability slots) or is
 * writing: the entry must save the part of it a handler's calls may
 * overwrite and put it back before SYS_UPCALL_RETURN.
 */

/* ---- ttys: the console server (user/servers/console, docs/console.md) --------- */
/*
 * A tty speaks the I/O protocol. Programs find it as the capability named
 * "tty" (the manifest's endpoint:console). The badge POSIX_TTY_SHARED, and
 * the unbadged capability too, name the console's shared open description
 * (what init's services inherit); as with the VFS root, a holder of the
 * unbadged endpoint (the process server, for "posix.tty") mints
 * POSIX_TTY_SHARED and hands out only that, since an unbadged capability
 * can be minted into any badge. TTY_OPEN makes a new description, with its
 * own O_NONBLOCK.
 *
 * IO_IOCTL on a tty: w0 = Linux's request number (include/cairn/tty.h),
 * w1 = the argument when it is an int passed by value (TCFLSH, TCSBRK,
 * TCXONC, TIOCSCTTY); a struct the request reads travels inline (struct
 * termios in the kernel's 36-byte layout, struct winsize 8 bytes, an int
 * 4 bytes: at least that many inline bytes, else ERR_INVAL). The answer:
 * w0 = the result, w1 = the bytes of the struct it returns inline (TCGETS
 * 36, TIOCGWINSZ 8, TIOCGPGRP/TIOCGSID/FIONREAD/TIOCOUTQ 4). A request
 * a tty does not know is ENOTTY (25).
 *
 * ^C, ^\ and ^Z (VINTR, VQUIT, VSUSP with ISIG) send SIGINT, SIGQUIT,
 * SIGTSTP to the tty's foreground process group as PS_KILL(-pgid, sig,
 * POSIX_KILL_PGRP), an asynchronous call (a ring submission: the console
 * server never waits for the process server) on the process-server
 * capability given with
 * TIOCSCTTY: cap0 = the session leader's "proc" capability, w2 = its
 * session id, which becomes the foreground process group until
 * TIOCSPGRP; without one, on the console server's own "proc" capability
 * if its manifest gives it one; without either the console server only
 * logs the signal.
 *
 * TIOCSCTTY with POSIX_TTY_CTTY_WEAK in w3 is a weak claim: a later
 * TIOCSCTTY of another session takes the tty without stealing (argument
 * 0), as if it had no session. pid 1 claims its tty so at start-up
 * (musl-port's posix.c), so that ^C reaches a program run by itself, yet
 * the shell an init starts in a session of its own gets the terminal, as
 * on Linux, where the console is nobody's controlling terminal at first.
 */
#define POSIX_TTY_SHARED 1
#define POSIX_TTY_CTTY_WEAK 1

/*
 * Pseudo-terminals (docs/console.md). /dev/ptmx and /dev/pts/N are cloning
 * devices: the VFS answers their FS_OPEN with a capability to the console
 * server minted POSIX_PTY_OPENER | POSIX_PTY_PTMX (or | N), and with
 * POSIX_OPEN_CLONE in w0 next to S_IFCHR; the opener then calls
 * TTY_PTY_OPEN on it and uses the description that comes back instead
 * (the VFS never waits for the console server). Through ptmx it makes a
 * new pty (its slave locked until TIOCSPTLCK 0, ERR_NOSPC past the
 * server's 64); through pts/N it opens pty N's slave (ERR_NOENT if there
 * is no pty N, ERR_IO while it is locked or after its master closed).
 */
#define POSIX_PTY_OPENER (1ull << 62)
#define POSIX_PTY_PTMX   0xffffu
#define POSIX_OPEN_CLONE (1u << 24)      /* FS_OPEN's answer w0: call TTY_PTY_OPEN */
/* FS_OPEN's answer w0 for /dev/tty: the console's tty, which the opener's
 * libc trades for its session's controlling terminal when that is another
 * (a pty's slave among its descriptors 0-2): the VFS cannot tell */
#define POSIX_OPEN_CTTY  (1u << 25)

enum {
	TTY_OPEN = 0x400,     /* (flags: O_NONBLOCK) -> cap0 = a new open description of this tty */
	TTY_CAPTURE,          /* test hook (console server started with `testhooks`, else
	                       * ERR_PERM): (mode) -> (n) + bytes: mode 1 diverts the tty's
	                       * output (writes and echo) into a buffer instead of the device,
	                       * 2 returns what the buffer holds and empties it, 0 returns it
	                       * and ends the diversion. TIOCSTI is likewise a test hook */
	TTY_SESSION_END,      /* (sid), only through the unbadged capability (the process
	                       * server's): session sid's leader has ended. If the tty is
	                       * that session's controlling terminal it is nobody's from now
	                       * on (a new session may take it), and its foreground process
	                       * group, if not the leader's own, gets SIGHUP and SIGCONT (as
	                       * Linux's hangup of a terminal whose session leader exits).
	                       * ERR_PERM through a badged capability */
	TTY_PTY_OPEN,         /* (flags, sid) cap0 (optional) = the caller's "proc", through a
	                       * POSIX_PTY_OPENER capability only (else ERR_BADF) -> cap0 = the
	                       * new open description (rights w, g), w0 = the pty's number.
	                       * flags: O_NONBLOCK, O_NOCTTY. sid: the caller's session when it
	                       * is a session leader, else 0; a slave of no session then
	                       * becomes its controlling terminal (unless O_NOCTTY), as an
	                       * open by a session leader without one does on Linux */
};

/* The signal a kernel fault kind (CAIRN_FAULT_*) stands for. */
static inline int posix_fault_signal(uint64_t kind)
{
	switch (kind) {
	case CAIRN_FAULT_READ: case CAIRN_FAULT_WRITE: case CAIRN_FAULT_EXEC: return POSIX_SIGSEGV;
	case CAIRN_FAULT_MISALIGNED: case CAIRN_FAULT_PAGER: return POSIX_SIGBUS;
	case CAIRN_FAULT_BREAKPOINT: return POSIX_SIGTRAP;
	case CAIRN_FAULT_ARITH: return POSIX_SIGFPE;
	default: return POSIX_SIGILL;               /* illegal instruction, other */
	}
}

#endif
