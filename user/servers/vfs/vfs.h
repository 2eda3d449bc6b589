/* SPDX-License-Identifier: MIT */
/*
 * The VFS server (user/servers/vfs): what its test client
 * (user/tests/vfstest) may know beyond the protocol of
 * include/cairn/posix.h (the server's own files share internal.h too).
 *
 * Badges. Every object a client holds is a capability to the server's one
 * Endpoint, minted by the server with a badge naming an entry of its
 * object table:
 *     bits 0..23   the entry's index (2 and up; 1 is the root directory)
 *     bits 24..31  the entry's generation (bumped each time it is freed)
 *     bits 32..63  random bits drawn when the entry is handed out
 * and an entry answers only to the exact badge it was handed out with, so
 * a closed object's capability is refused (EBADF) even after its entry is
 * reused. The root directory is badge POSIX_VFS_ROOT (1); badge 0, the
 * unbadged endpoint the manifest hands out, also names it: whoever holds
 * that capability could mint any badge anyway (it is the trusted
 * bootstrap capability, for the process server and tests).
 */
#ifndef VFS_VFS_H
#define VFS_VFS_H
#include <stdint.h>
#include <cairn/posix.h>

#define VFS_BADGE_INDEX(b)  ((uint32_t)((b) & 0xffffffu))
#define VFS_BADGE_GEN(b)    ((uint32_t)(((b) >> 24) & 0xffu))

/* Server-private request (not in posix.h), for tests, only through the
 * unbadged endpoint: -> (objects in the table, tmpfs nodes alive, calls
 * waiting for an answer, poll arms waiting), and inline a struct
 * vfs_mem_stats. */
#define VFS_DEBUG_STATS  0x2f0

/* Server-private request, only through the unbadged endpoint (badge 0,
 * the trusted bootstrap capability): the server answers, then exits 0, so
 * a test boot can end (init waits for every service). */
#define VFS_DEBUG_SHUTDOWN  0x2f1

/* Server-private request, only through the unbadged endpoint: drops the
 * clean pages of every file's shared pages, as memory pressure does
 * (fmap.c) -> (pages dropped). */
#define VFS_DEBUG_EVICT  0x2f2

struct vfs_mem_stats {
	uint64_t pages_total;     /* pages the server got from the kernel for data */
	uint64_t pages_used;      /* of them in use (file data, radix nodes, small objects) */
	uint64_t small_bytes;     /* small objects in use */
	uint64_t big_bytes;       /* malloc'd objects in use */
	uint64_t fmap_files;      /* files with shared pages (fmap.c) */
};

/* mem.c */
void vfs_mem_stats(struct vfs_mem_stats *out);

#endif
