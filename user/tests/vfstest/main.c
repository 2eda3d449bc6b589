/* SPDX-License-Identifier: MIT */
/*
 * vfstest: tests of the VFS server through its protocol, success and error
 * paths of every operation. Started by init with the server from
 * user/manifests/vfstest.manifest; prints one line a test,
 *     ok N vfs.name            or    not ok N vfs.name: line L: what went wrong
 * and closes with "N passed, N failed"; then asks the server to end
 * (VFS_DEBUG_SHUTDOWN) so the boot ends, and exits with the number of
 * failures (the manifest's exitstatus makes that the boot's status).
 *
 * With argv[1] = "peer" this program is the other end of the pipe tests
 * (peer.c); with argv[1] = "bench" it measures the server instead
 * (bench.c, user/manifests/vfsbench.manifest).
 */
#include <lib/cpio.h>
#include "vfstest.h"

static const struct t_case tests[] = {
#define T(fn, name) { name, fn },
#include "tests.def"
#undef T
};

cap_t v_ep = CAP_NULL, v_root = CAP_NULL, v_kinfo = CAP_NULL, v_bootimage = CAP_NULL;
static cap_t sleeper = CAP_NULL;

/* ---- kernel helpers ------------------------------------------------------------------ */

cap_t mk_notification(void)
{
	struct cairn_msg m;

	if (cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_NOTIFICATION, 0, 0, 0, &m))
		return CAP_NULL;
	return m.w[0];
}

void del(cap_t *slot)
{
	if (*slot != CAP_NULL)
		cairn_cap_delete(*slot);
	*slot = CAP_NULL;
}

void sleep_ms(unsigned ms)
{
	if (sleeper == CAP_NULL)
		sleeper = mk_notification();
	cairn_wait(sleeper, (uint64_t)ms * 1000000u, NULL);
}

uint64_t wait_bits(cap_t note, unsigned ms)
{
	uint64_t bits = 0;

	if (cairn_wait(note, (uint64_t)ms * 1000000u, &bits))
		return 0;
	return bits;
}

cap_t forge(uint64_t badge)
{
	uint64_t r[3];

	if (cairn_cap_op(CAP_OP_MINT, v_ep, CAP_NULL, RIGHT_WRITE | RIGHT_GRANT, badge, r))
		return CAP_NULL;
	return r[0];
}

uint64_t badge_of(cap_t c)
{
	uint64_t r[3];

	return cairn_cap_op(CAP_OP_IDENTIFY, c, 0, 0, 0, r) ? 0 : r[2];
}

/* ---- the protocol --------------------------------------------------------------------- */

uint8_t *vbytes(void)
{
	return (uint8_t *)&cairn_ipcbuf()->w[CAIRN_MSG_REGS];
}

struct vres vcall(cap_t obj, uint32_t op, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3,
		  const void *data, size_t n, cap_t cap0)
{
	struct cairn_ipcbuf *ib = cairn_ipcbuf();
	struct vres r = { 0 };
	struct cairn_msg m;
	unsigned ncaps = cap0 != CAP_NULL;

	if (n > POSIX_INLINE_MAX)
		n = POSIX_INLINE_MAX;
	if (data && data != vbytes())
		memcpy(vbytes(), data, n);
	if (ncaps)
		ib->caps[0] = cap0;
	m = cairn_call(obj, cairn_tag(op, posix_words(n), ncaps), w0, w1, w2, w3);
	r.err = m.err ? (err_t)m.err : (err_t)cairn_tag_label(m.tag);
	memcpy(r.w, m.w, sizeof(r.w));
	if (!m.err) {
		r.ncaps = cairn_tag_ncaps(m.tag);
		for (unsigned i = 0; i < r.ncaps && i < CAIRN_MSG_MAX_CAPS; i++)
			r.caps[i] = ib->caps[i];
		if (cairn_tag_len(m.tag) > CAIRN_MSG_REGS)
			r.nbytes = (cairn_tag_len(m.tag) - CAIRN_MSG_REGS) * 8u;
	}
	return r;
}

/* path 1 then path 2 in the inline bytes */
static size_t two(const char *p1, const char *p2)
{
	size_t l1 = strlen(p1), l2 = strlen(p2);

	memcpy(vbytes(), p1, l1);
	memcpy(vbytes() + l1, p2, l2);
	return l1 + l2;
}

err_t fs_open(cap_t dir, const char *path, uint32_t flags, uint32_t mode, cap_t *out)
{
	size_t len = strlen(path);
	struct vres r = vcall(dir, FS_OPEN, flags, mode, len, 0, path, len, CAP_NULL);

	*out = CAP_NULL;
	if (r.err)
		return r.err;
	if (r.ncaps != 1 || r.caps[0] == CAP_NULL)
		return ERR_IO;
	*out = r.caps[0];
	return ERR_OK;
}

err_t fs_mkdir(cap_t dir, const char *path, uint32_t mode)
{
	size_t len = strlen(path);

	return vcall(dir, FS_MKDIR, mode, 0, len, 0, path, len, CAP_NULL).err;
}

err_t fs_unlink(cap_t dir, const char *path, unsigned flags)
{
	size_t len = strlen(path);

	return vcall(dir, FS_UNLINK, flags, 0, len, 0, path, len, CAP_NULL).err;
}

err_t fs_rename(cap_t dir, const char *p1, cap_t dir2, const char *p2, unsigned flags)
{
	size_t n = two(p1, p2);

	return vcall(dir, FS_RENAME, flags, 0, strlen(p1), strlen(p2), vbytes(), n, dir2).err;
}

err_t fs_link(cap_t dir, const char *p1, cap_t dir2, const char *p2, unsigned flags)
{
	size_t n = two(p1, p2);

	return vcall(dir, FS_LINK, flags, 0, strlen(p1), strlen(p2), vbytes(), n, dir2).err;
}

err_t fs_symlink(cap_t dir, const char *target, const char *path)
{
	size_t n = two(target, path);

	return vcall(dir, FS_SYMLINK, 0, 0, strlen(target), strlen(path), vbytes(), n, CAP_NULL).err;
}

err_t fs_readlink(cap_t dir, const char *path, char *buf, size_t max)
{
	return fs_readlink_as(dir, path, 0, buf, max);
}

err_t fs_readlink_as(cap_t dir, const char *path, uint64_t caller, char *buf, size_t max)
{
	size_t len = strlen(path);
	struct vres r = vcall(dir, FS_READLINK, 0, 0, len, caller, path, len, CAP_NULL);

	if (r.err)
		return r.err;
	if (r.w[0] >= max || r.w[0] > r.nbytes)
		return ERR_RANGE;
	memcpy(buf, vbytes(), r.w[0]);
	buf[r.w[0]] = 0;
	return ERR_OK;
}

err_t fs_stat(cap_t dir, const char *path, unsigned flags, struct posix_stat *st)
{
	size_t len = strlen(path);
	struct vres r = vcall(dir, FS_STAT, flags, 0, len, 0, path, len, CAP_NULL);

	if (r.err)
		return r.err;
	if (r.nbytes < sizeof(*st))
		return ERR_IO;
	memcpy(st, vbytes(), sizeof(*st));
	return ERR_OK;
}

err_t fs_chmod(cap_t dir, const char *path, uint32_t mode, unsigned flags)
{
	size_t len = strlen(path);

	return vcall(dir, FS_CHMOD, mode, flags, len, 0, path, len, CAP_NULL).err;
}

err_t fs_utimens(cap_t dir, const char *path, unsigned flags, const int64_t t[4])
{
	size_t len = strlen(path), off = (len + 7) & ~(size_t)7;

	memcpy(vbytes(), path, len);
	memcpy(vbytes() + off, t, 4 * sizeof(int64_t));
	return vcall(dir, FS_UTIMENS, flags, 0, len, 0, vbytes(), off + 32, CAP_NULL).err;
}

err_t fs_access(cap_t dir, const char *path, unsigned mode, unsigned flags)
{
	size_t len = strlen(path);

	return vcall(dir, FS_ACCESS, mode, flags, len, 0, path, len, CAP_NULL).err;
}

err_t fs_truncate(cap_t dir, const char *path, uint64_t length)
{
	size_t len = strlen(path);

	return vcall(dir, FS_TRUNCATE, length, 0, len, 0, path, len, CAP_NULL).err;
}

err_t fs_getpath(cap_t dir, char *buf, size_t max)
{
	struct vres r = vcall(dir, FS_GETPATH, 0, 0, 0, 0, NULL, 0, CAP_NULL);

	if (r.err)
		return r.err;
	if (r.w[0] >= max || r.w[0] > r.nbytes)
		return ERR_RANGE;
	memcpy(buf, vbytes(), r.w[0]);
	buf[r.w[0]] = 0;
	return ERR_OK;
}

err_t fs_pipe(unsigned flags, cap_t *rd, cap_t *wr)
{
	struct vres r = vcall(v_root, FS_PIPE, flags, 0, 0, 0, NULL, 0, CAP_NULL);

	*rd = *wr = CAP_NULL;
	if (r.err)
		return r.err;
	if (r.ncaps != 2)
		return ERR_IO;
	*rd = r.caps[0];
	*wr = r.caps[1];
	return ERR_OK;
}

err_t io_read(cap_t obj, void *buf, size_t max, size_t *n)
{
	struct vres r = vcall(obj, IO_READ, max, 0, 0, 0, NULL, 0, CAP_NULL);

	*n = 0;
	if (r.err)
		return r.err;
	if (r.w[0] > max || r.w[0] > r.nbytes)
		return ERR_IO;
	memcpy(buf, vbytes(), r.w[0]);
	*n = r.w[0];
	return ERR_OK;
}

err_t io_write(cap_t obj, const void *buf, size_t n, size_t *done)
{
	struct vres r = vcall(obj, IO_WRITE, n, 0, 0, 0, buf, n, CAP_NULL);

	*done = r.err ? 0 : r.w[0];
	return r.err;
}

err_t io_pread(cap_t obj, void *buf, size_t max, uint64_t off, size_t *n)
{
	struct vres r = vcall(obj, IO_PREAD, max, off, 0, 0, NULL, 0, CAP_NULL);

	*n = 0;
	if (r.err)
		return r.err;
	if (r.w[0] > max || r.w[0] > r.nbytes)
		return ERR_IO;
	memcpy(buf, vbytes(), r.w[0]);
	*n = r.w[0];
	return ERR_OK;
}

err_t io_pwrite(cap_t obj, const void *buf, size_t n, uint64_t off, size_t *done)
{
	struct vres r = vcall(obj, IO_PWRITE, n, off, 0, 0, buf, n, CAP_NULL);

	*done = r.err ? 0 : r.w[0];
	return r.err;
}

err_t io_seek(cap_t obj, int64_t off, unsigned whence, uint64_t *pos)
{
	struct vres r = vcall(obj, IO_SEEK, (uint64_t)off, whence, 0, 0, NULL, 0, CAP_NULL);

	if (pos)
		*pos = r.w[0];
	return r.err;
}

err_t io_stat(cap_t obj, struct posix_stat *st)
{
	struct vres r = vcall(obj, IO_STAT, 0, 0, 0, 0, NULL, 0, CAP_NULL);

	if (r.err)
		return r.err;
	if (r.nbytes < sizeof(*st))
		return ERR_IO;
	memcpy(st, vbytes(), sizeof(*st));
	return ERR_OK;
}

err_t io_truncate(cap_t obj, uint64_t len)
{
	return vcall(obj, IO_TRUNCATE, len, 0, 0, 0, NULL, 0, CAP_NULL).err;
}

err_t io_dup(cap_t obj, cap_t *out)
{
	struct vres r = vcall(obj, IO_DUP, 0, 0, 0, 0, NULL, 0, CAP_NULL);

	for (unsigned i = r.err ? 0 : 1; i < r.ncaps; i++)
		del(&r.caps[i]);
	if (!r.err && r.ncaps != 1)
		return ERR_IO;                  /* a reference is a capability of its own */
	*out = r.err ? CAP_NULL : r.caps[0];
	return r.err;
}

err_t io_getfl(cap_t obj, uint64_t *flags)
{
	struct vres r = vcall(obj, IO_GETFL, 0, 0, 0, 0, NULL, 0, CAP_NULL);

	*flags = r.w[0];
	return r.err;
}

err_t io_setfl(cap_t obj, uint64_t flags)
{
	return vcall(obj, IO_SETFL, flags, 0, 0, 0, NULL, 0, CAP_NULL).err;
}

err_t io_poll(cap_t obj, uint32_t events, uint32_t *rev)
{
	struct vres r = vcall(obj, IO_POLL, events, 0, 0, 0, NULL, 0, CAP_NULL);

	*rev = (uint32_t)r.w[0];
	return r.err;
}

err_t io_poll_arm(cap_t obj, cap_t notif, uint32_t events, uint64_t bits, uint32_t *rev)
{
	struct vres r = vcall(obj, IO_POLL_ARM, events, bits, 0, 0, NULL, 0, notif);

	if (rev)
		*rev = (uint32_t)r.w[0];
	return r.err;
}

err_t io_readdir(cap_t obj, uint64_t cookie, size_t max, void *buf, uint64_t *next, size_t *n)
{
	struct vres r = vcall(obj, IO_READDIR, cookie, max, 0, 0, NULL, 0, CAP_NULL);

	*n = 0;
	if (r.err)
		return r.err;
	if (r.w[1] > max || r.w[1] > r.nbytes)
		return ERR_IO;
	memcpy(buf, vbytes(), r.w[1]);
	*next = r.w[0];
	*n = r.w[1];
	return ERR_OK;
}

err_t io_close(cap_t *obj)
{
	err_t e = vcall(*obj, IO_CLOSE, 0, 0, 0, 0, NULL, 0, CAP_NULL).err;

	del(obj);
	return e;
}

err_t put_file(const char *path, const void *data, size_t n)
{
	cap_t f;
	size_t done, k;
	err_t e = fs_open(v_root, path, LINUX_O_CREAT | LINUX_O_TRUNC | LINUX_O_WRONLY, 0644, &f);

	for (size_t off = 0; !e && off < n; off += done) {
		k = n - off > POSIX_INLINE_MAX ? POSIX_INLINE_MAX : n - off;
		if (!(e = io_write(f, (const char *)data + off, k, &done)) && done != k)
			e = ERR_IO;
	}
	if (f != CAP_NULL)
		io_close(&f);
	return e;
}

err_t get_file(const char *path, void *buf, size_t max, size_t *n)
{
	cap_t f;
	size_t got;
	err_t e = fs_open(v_root, path, LINUX_O_RDONLY, 0, &f);

	*n = 0;
	while (!e && *n < max) {
		size_t k = max - *n > POSIX_INLINE_MAX ? POSIX_INLINE_MAX : max - *n;
		if ((e = io_read(f, (char *)buf + *n, k, &got)) || !got)
			break;
		*n += got;
	}
	if (f != CAP_NULL)
		io_close(&f);
	return e;
}

err_t vfs_stats(uint64_t *handles, uint64_t *nodes, uint64_t *waiters, uint64_t *arms)
{
	struct vres r = vcall(v_ep, VFS_DEBUG_STATS, 0, 0, 0, 0, NULL, 0, CAP_NULL);

	*handles = r.w[0];
	*nodes = r.w[1];
	*waiters = r.w[2];
	*arms = r.w[3];
	return r.err;
}

/* ---- the runner ----------------------------------------------------------------------- */

static uint64_t base_handles, base_nodes;

/* The last test: everything the tests opened is closed, every node they
 * made is gone, no call or arm is left waiting. */
void t_no_leaks(void)
{
	uint64_t h, n, w, a;

	CHECK_OK(vfs_stats(&h, &n, &w, &a));
	CHECK(h == base_handles && n == base_nodes && !w && !a,
	      "objects %lu (were %lu), nodes %lu (were %lu), waiters %lu, arms %lu", (unsigned long)h,
	      (unsigned long)base_handles, (unsigned long)n, (unsigned long)base_nodes,
	      (unsigned long)w, (unsigned long)a);
}

int main(int argc, char **argv)
{
	unsigned n = sizeof(tests) / sizeof(tests[0]), nfailed;
	uint64_t w, a;

	if (argc > 1 && !strcmp(argv[1], "peer"))
		return peer_main(argc, argv);
	v_ep = cairn_cap("vfs");
	v_kinfo = cairn_cap("kinfo");
	v_bootimage = cairn_cap("bootimage");
	if (v_ep == CAP_NULL || v_kinfo == CAP_NULL || v_bootimage == CAP_NULL ||
	    (v_root = forge(POSIX_VFS_ROOT)) == CAP_NULL) {
		return t_abort("vfstest: needs the capabilities vfs (unbadged, wg), kinfo and bootimage");
	}
	if (argc > 1 && !strcmp(argv[1], "bench")) {
		int st = bench_main();
		vcall(v_ep, VFS_DEBUG_SHUTDOWN, 0, 0, 0, 0, NULL, 0, CAP_NULL);
		return st;
	}
	if (vfs_stats(&base_handles, &base_nodes, &w, &a)) {
		return t_abort("vfstest: the server does not answer");
	}
	t_begin("vfstest", n);
	for (unsigned i = 0; i < n; i++) {
		t_run(NULL, tests[i].name, tests[i].fn);
		rm_rf("/tmp/w");                /* what the test made, even if it failed */
	}
	nfailed = t_end("vfstest");
	cairn_console_flush();
	vcall(v_ep, VFS_DEBUG_SHUTDOWN, 0, 0, 0, 0, NULL, 0, CAP_NULL);
	return (int)nfailed;
}
