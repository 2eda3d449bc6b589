/* SPDX-License-Identifier: MIT */
/*
 * The Linux values the POSIX protocols of include/cairn/posix.h carry:
 * open(2) and *at() flags, renameat2 and utimensat flags, directory entry
 * types and poll bits. musl-port passes its callers' flags through
 * unchanged, so the servers (vfs, console) and their tests read them as
 * these. The generic values, which riscv64 and x86-64 share. Prefixed
 * LINUX_ so that a program may include this next to libc's <fcntl.h>.
 * (The tty's own values, termios and ioctls, are in include/cairn/tty.h.)
 */
#ifndef CAIRN_LINUX_H
#define CAIRN_LINUX_H

/* open(2) flags; IO_GETFL/IO_SETFL's status flags */
#define LINUX_O_ACCMODE   03
#define LINUX_O_RDONLY    00
#define LINUX_O_WRONLY    01
#define LINUX_O_RDWR      02
#define LINUX_O_CREAT     0100
#define LINUX_O_EXCL      0200
#define LINUX_O_NOCTTY    0400
#define LINUX_O_TRUNC     01000
#define LINUX_O_APPEND    02000
#define LINUX_O_NONBLOCK  04000
#define LINUX_O_DSYNC     010000
#define LINUX_O_ASYNC     020000
#define LINUX_O_DIRECT    040000
#define LINUX_O_LARGEFILE 0100000
#define LINUX_O_DIRECTORY 0200000
#define LINUX_O_NOFOLLOW  0400000
#define LINUX_O_NOATIME   01000000
#define LINUX_O_CLOEXEC   02000000
#define LINUX_O_SYNC      04010000
#define LINUX_O_PATH      010000000
#define LINUX_O_TMPFILE   020000000   /* with O_DIRECTORY */

/* *at() flags */
#define LINUX_AT_SYMLINK_NOFOLLOW 0x100
#define LINUX_AT_REMOVEDIR        0x200
#define LINUX_AT_EACCESS          0x200
#define LINUX_AT_SYMLINK_FOLLOW   0x400
#define LINUX_AT_NO_AUTOMOUNT     0x800
#define LINUX_AT_EMPTY_PATH       0x1000

/* renameat2 flags */
#define LINUX_RENAME_NOREPLACE 1u
#define LINUX_RENAME_EXCHANGE  2u

/* utimensat: tv_nsec values */
#define LINUX_UTIME_NOW   ((1l << 30) - 1l)
#define LINUX_UTIME_OMIT  ((1l << 30) - 2l)

/* struct linux_dirent64 d_type */
#define LINUX_DT_UNKNOWN 0
#define LINUX_DT_FIFO    1
#define LINUX_DT_CHR     2
#define LINUX_DT_BLK     6
#define LINUX_DT_DIR     4
#define LINUX_DT_REG     8
#define LINUX_DT_LNK     10
#define LINUX_DT_SOCK    12

/* poll(2) events (IO_POLL, IO_POLL_ARM) */
#define LINUX_POLLIN     0x001u
#define LINUX_POLLPRI    0x002u
#define LINUX_POLLOUT    0x004u
#define LINUX_POLLERR    0x008u
#define LINUX_POLLHUP    0x010u
#define LINUX_POLLNVAL   0x020u
#define LINUX_POLLRDNORM 0x040u
#define LINUX_POLLWRNORM 0x100u

#endif
