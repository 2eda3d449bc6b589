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

/* Message length (in words) for n bytes of inline data. */
static inline unsigned posix_words(uint64_t bytes) { return CAIRN_MSG_REGS + (unsigned)((bytes + 7) / 8); }

/* ---- the I/O protocol: every descriptor's object ----------------------------- */
enum {
	IO_READ = 0x100,      /* (max) -> (n), the bytes inline. 0 bytes: end of file */
	IO_WRITE,             /* (n) bytes inline -> (written) */
	IO_PREAD,             /* (max, offset) -> (n) + bytes */
	IO_PWRITE,            /* (n, offset) + bytes -> (written) */
	IO_SEEK,              /* (offset, whence) -> (new offset); ERR_PIPE: not seekable (ESPIPE) */
	IO_STAT,              /* -> struct posix_stat inline */
	IO_TRUNCATE,          /* (length) */
	IO_DUP,               /* one more reference to this description (dup, fork) */
	IO_CLOSE,             /* one reference less; the last one closes it */
	IO_GETFL,             /* -> (flags: O_* status flags, Linux values) */
	IO_SETFL,             /* (flags): only O_APPEND and O_NONBLOCK change */
	IO_IOCTL,             /* (request, arg) [+ struct inline] -> (result) [+ struct inline] */
	IO_POLL,              /* (events) -> (revents) now, POLLIN... Linux values */
	IO_POLL_ARM,          /* cap0 = Notification, (events, bits): signal bits once when one
	                       * of events is ready (or at once if it is) */
	IO_READDIR,           /* (cookie, max) -> (next cookie, n) + struct linux_dirent64
	                       * records inline; n = 0 at the end */
	IO_SYNC,
};

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
 * path after the first in the same buffer (w2 = length of the first) and
 * its starting directory as cap0 (none: the same directory).
 */
enum {
	FS_OPEN = 0x200,      /* (flags, mode, path length) + path -> cap0 = the new object,
	                       * (type: S_IFMT bits). Linux O_* flags */
	FS_MKDIR,             /* (mode, 0, path length) + path */
	FS_UNLINK,            /* (flags: AT_REMOVEDIR, 0, path length) + path */
	FS_RENAME,            /* (0, 0, length 1) + path 1 + path 2 [cap0: directory of path 2] */
	FS_LINK,              /* (flags, 0, length 1) + old path + new path [cap0] */
	FS_SYMLINK,           /* (0, 0, target length) + target + link path */
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
};

/* ---- the process server ------------------------------------------------------ */
/*
 * Every POSIX process holds a capability to the process server (named
 * "proc") badged with its own pid. The server created the process and
 * holds its Process, AddressSpace and main Thread capabilities.
 */
enum {
	PS_GETPID = 0x300,    /* -> (pid, ppid, pgid, sid) */
	PS_FORK,              /* (pc, sp, arg, tls) -> (child pid). The child is a copy-on-write
	                       * copy of the caller (AS_COPY) with a copy of its capability
	                       * table; its one thread starts at pc with sp and arg0 = arg */
	PS_EXEC,              /* cap0 = MemoryObject holding the ELF file, (size, argc, envc) +
	                       * "argv\0...envp\0" inline; cap1.. = capabilities the new image
	                       * keeps (its descriptors, as a list of slots in w3..). Does not
	                       * answer on success: the caller is replaced */
	PS_EXIT,              /* (status): the process ends (after the answer) */
	PS_WAIT,              /* (pid or -1 or -pgid, options: WNOHANG...) -> (pid, status) */
	PS_KILL,              /* (pid or -pgid or -1, sig) */
	PS_SIGACTION,         /* (sig, disposition: POSIX_SIG_DFL/IGN/HANDLE, handler pc) */
	PS_SIGMASK,           /* (how, set) -> (old set) */
	PS_SIGPENDING,        /* -> (set) */
	PS_SETPGID,           /* (pid, pgid) */
	PS_GETPGID,           /* (pid) -> (pgid) */
	PS_SETSID,            /* -> (sid) */
	PS_GETSID,            /* (pid) -> (sid) */
	PS_SIGRETURN_DONE,    /* (sig): the handler for sig finished (unmask it) */
};

enum { POSIX_SIG_DFL = 0, POSIX_SIG_IGN = 1, POSIX_SIG_HANDLE = 2 };

/* A signal is delivered with THREAD_UPCALL(handler pc, signal number) on
 * the process's main thread (see abi.h): musl-port's handler entry runs
 * the sigaction handler and returns with SYS_UPCALL_RETURN. */

/* ---- ttys: the console server (user/servers/console, docs/console.md) --------- */
/*
 * A tty speaks the I/O protocol. Programs find it as the capability named
 * "tty" (the manifest's endpoint:console); the unbadged capability is the
 * console's shared open description (what init's services inherit), and
 * TTY_OPEN makes a new one, with its own O_NONBLOCK.
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
 * SIGTSTP to the tty's foreground process group as PS_KILL(-pgid, sig),
 * an asynchronous call (a ring submission: the console server never waits
 * for the process server) on the process-server capability given with
 * TIOCSCTTY: cap0 = the session leader's "proc" capability, w2 = its
 * session id, which becomes the foreground process group until
 * TIOCSPGRP; without one, on the console server's own "proc" capability
 * if its manifest gives it one; without either the console server only
 * logs the signal.
 */
enum {
	TTY_OPEN = 0x400,     /* (flags: O_NONBLOCK) -> cap0 = a new open description of this tty */
	TTY_CAPTURE,          /* test hook (console server started with `testhooks`, else
	                       * ERR_PERM): (mode) -> (n) + bytes: mode 1 diverts the tty's
	                       * output (writes and echo) into a buffer instead of the device,
	                       * 2 returns what the buffer holds and empties it, 0 returns it
	                       * and ends the diversion. TIOCSTI is likewise a test hook */
};

#endif
