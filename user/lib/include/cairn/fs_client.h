/* SPDX-License-Identifier: MIT */
/*
 * Opening a file by path from a libcairn program (a server, a test), across
 * mounts: the FS_OPEN of include/cairn/posix.h, following ERR_REMOTE
 * redirects as musl-port's fs.c does. user/lib/fs.c.
 */
#ifndef CAIRN_FS_CLIENT_H
#define CAIRN_FS_CLIENT_H
#include <stdint.h>
#include <cairn/posix.h>
#include <cairn/sys.h>

/*
 * FS_OPEN of path (len bytes, at most POSIX_INLINE_MAX) with Linux open
 * flags and mode, sent to dir, or to *root for an absolute path or when
 * dir is CAP_NULL. A POSIX_REMOTE_NEWROOT answer replaces *root with the
 * new root (the old capability stays in its slot: the caller's to keep or
 * delete). The object in *obj, its S_IFMT type in *type (may be NULL).
 * Errors: the server's, ERR_LOOP (more than POSIX_REMOTE_MAX redirects),
 * ERR_IO (a malformed answer), ERR_NAMETOOLONG.
 */
err_t cairn_fs_open(cap_t *root, cap_t dir, const char *path, size_t len, uint32_t flags,
		    uint32_t mode, cap_t *obj, uint32_t *type);

#endif
