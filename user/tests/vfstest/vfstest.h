/* SPDX-License-Identifier: MIT */
/*
 * vfstest: tests of the VFS server (user/servers/vfs) through its
 * protocol (include/cairn/posix.h), with libcairn only. The runner and the
 * client helpers are in main.c, the peer process (this program started
 * again with argv[1] = "peer") in peer.c, the tests in t_*.c, listed in
 * tests.def.
 */
#ifndef VFSTEST_H
#define VFSTEST_H
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <cairn/rt.h>
#include <cairn/spawn.h>
#include <cairn/posix.h>
#include "../../servers/vfs/tmpfs.h"
#include "../../servers/vfs/vfs.h"

/* ---- the runner: the test library (CHECK, CHECK_ERR, CHECK_OK, t_fail, now_ns...) ---- */
#include <cairn/test.h>

/* ---- capabilities -------------------------------------------------------------- */

extern cap_t v_ep;          /* the unbadged endpoint (the manifest's) */
extern cap_t v_root;        /* badge POSIX_VFS_ROOT, minted from it */
extern cap_t v_kinfo, v_bootimage;

/* ---- the protocol ---------------------------------------------------------------- */

/* An answer: err is the call's error or the answer's label. */
struct vres {
	err_t err;
	uint64_t w[4];
	unsigned ncaps;
	cap_t caps[CAIRN_MSG_MAX_CAPS];
	size_t nbytes;               /* inline bytes, at vbytes() */
};

/* The inline bytes of the IPC buffer (word 4 on). */
uint8_t *vbytes(void);
/* A call with n inline bytes (copied from data unless it is vbytes()) and
 * cap0 (CAP_NULL: none). Received capabilities are in r.caps. */
struct vres vcall(cap_t obj, uint32_t op, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3,
		  const void *data, size_t n, cap_t cap0);

err_t fs_open(cap_t dir, const char *path, uint32_t flags, uint32_t mode, cap_t *out);
err_t fs_mkdir(cap_t dir, const char *path, uint32_t mode);
err_t fs_unlink(cap_t dir, const char *path, unsigned flags);
err_t fs_rename(cap_t dir, const char *p1, cap_t dir2, const char *p2, unsigned flags);
err_t fs_link(cap_t dir, const char *p1, cap_t dir2, const char *p2, unsigned flags);
err_t fs_symlink(cap_t dir, const char *target, const char *path);
err_t fs_readlink(cap_t dir, const char *path, char *buf, size_t max);
/* the same with the caller's pid in w3 (what /proc/self is resolved by) */
err_t fs_readlink_as(cap_t dir, const char *path, uint64_t caller, char *buf, size_t max);
err_t fs_stat(cap_t dir, const char *path, unsigned flags, struct posix_stat *st);
err_t fs_chmod(cap_t dir, const char *path, uint32_t mode, unsigned flags);
err_t fs_utimens(cap_t dir, const char *path, unsigned flags, const int64_t t[4]);
err_t fs_access(cap_t dir, const char *path, unsigned mode, unsigned flags);
err_t fs_truncate(cap_t dir, const char *path, uint64_t len);
err_t fs_getpath(cap_t dir, char *buf, size_t max);
err_t fs_pipe(unsigned flags, cap_t *rd, cap_t *wr);

err_t io_read(cap_t obj, void *buf, size_t max, size_t *n);
err_t io_write(cap_t obj, const void *buf, size_t n, size_t *done);
err_t io_pread(cap_t obj, void *buf, size_t max, uint64_t off, size_t *n);
err_t io_pwrite(cap_t obj, const void *buf, size_t n, uint64_t off, size_t *done);
err_t io_seek(cap_t obj, int64_t off, unsigned whence, uint64_t *pos);
err_t io_stat(cap_t obj, struct posix_stat *st);
err_t io_truncate(cap_t obj, uint64_t len);
err_t io_dup(cap_t obj, cap_t *out);   /* *out: the new reference's capability */
err_t io_getfl(cap_t obj, uint64_t *flags);
err_t io_setfl(cap_t obj, uint64_t flags);
err_t io_poll(cap_t obj, uint32_t events, uint32_t *rev);
err_t io_poll_arm(cap_t obj, cap_t notif, uint32_t events, uint64_t bits, uint32_t *rev);
err_t io_readdir(cap_t obj, uint64_t cookie, size_t max, void *buf, uint64_t *next, size_t *n);
/* IO_CLOSE, then the capability goes; *obj becomes CAP_NULL. */
err_t io_close(cap_t *obj);

/* Writes a whole file (created or truncated) / reads it into buf. */
err_t put_file(const char *path, const void *data, size_t n);
err_t get_file(const char *path, void *buf, size_t max, size_t *n);
/* Removes path and everything under it (t_robust.c). */
err_t rm_rf(const char *path);
/* Server statistics (VFS_DEBUG_STATS). */
err_t vfs_stats(uint64_t *handles, uint64_t *nodes, uint64_t *waiters, uint64_t *arms);

/* ---- kernel helpers ---------------------------------------------------------------- */

cap_t mk_notification(void);
void del(cap_t *slot);
void sleep_ms(unsigned ms);
/* Waits up to ms for bits on note; the bits seen or 0. */
uint64_t wait_bits(cap_t note, unsigned ms);
/* Mints a capability to the VFS endpoint with any badge (to forge one). */
cap_t forge(uint64_t badge);
uint64_t badge_of(cap_t c);

/* ---- the peer process (peer.c) ---------------------------------------------------------- */

/* Starts this program again as a peer doing `mode` with arg on obj (which
 * it gets as "obj"); its end signals exit_note. */
err_t peer_start(const char *mode, const char *arg, cap_t obj, cap_t exit_note,
		 struct cairn_child *child);
/* The same with a second capability, "obj2" (CAP_NULL: none). */
err_t peer_start2(const char *mode, const char *arg, cap_t obj, cap_t obj2, cap_t exit_note,
		  struct cairn_child *child);
/* The same with obj given with these rights (peer_start2: write and grant). */
err_t peer_start_rights(const char *mode, const char *arg, cap_t obj, unsigned obj_rights, cap_t obj2,
			cap_t exit_note, struct cairn_child *child);
/* Waits up to ms for the peer's end; its exit status, or -1. */
int64_t peer_wait(struct cairn_child *child, cap_t exit_note, unsigned ms);
void peer_kill(struct cairn_child *child);
int peer_main(int argc, char **argv);

/* ---- the fake process server of the /proc tests (t_procfs.c) ------------------------------ */

/* Requests vfstest sends it (the VFS sends PS_PROCLIST and PS_PROCINFO):
 * FAKE_SET (mode, npids) + npids uint32_t pids inline: what it answers
 * from now on; FAKE_QUIT: it answers, then exits. */
#define FAKE_SET   0x3f0
#define FAKE_QUIT  0x3f1
enum {
	FAKE_NORMAL,        /* the pids given, each with fake_info()'s numbers */
	FAKE_SHORT,         /* PS_PROCINFO: 8 bytes, not a whole struct */
	FAKE_WRONG_PID,     /* PS_PROCINFO: about another pid */
	FAKE_ARGV_LEN,      /* PS_PROCINFO: more argument bytes claimed than sent */
	FAKE_COMM,          /* PS_PROCINFO: comm of 16 bytes, no NUL */
	FAKE_BIG_LIST,      /* PS_PROCLIST: a count far above the bytes sent */
	FAKE_BAD_LIST,      /* PS_PROCLIST: unsorted, 0, huge and repeated pids, whatever "from" */
	FAKE_ERROR,         /* every answer: EIO */
	FAKE_BAD_STATE,     /* PS_PROCINFO: state 99 */
	FAKE_NO_INFO,       /* PS_PROCINFO: ESRCH for every pid (listed, then gone) */
	FAKE_WITH_CAP,      /* PS_PROCINFO as normal, with a capability the VFS must drop */
};
/* The numbers the fake gives pid (FAKE_NORMAL): t_procfs.c checks the
 * text the VFS makes of them. */
void fake_info(uint32_t pid, struct posix_procinfo *pi, char *args, uint32_t *args_len);
int fakeproc_main(cap_t ep);
/* vfstest bench (bench.c): the server's costs in instructions. */
int bench_main(void);

/* ---- tests --------------------------------------------------------------------------------- */

#define T(fn, name) void fn(void);
#include "tests.def"
#undef T

#endif
