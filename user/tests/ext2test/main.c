/* SPDX-License-Identifier: MIT */
/*
 * ext2test: the ext2 server (user/servers/ext2) through its protocol, on
 * a disk image the host made with mke2fs (tests/run-all.sh, ext2_boot).
 * Started by init beside the device manager, the virtio block driver and
 * the server (user/manifests/ext2test.manifest); it holds the server's
 * endpoint unbadged and mints the root (badge POSIX_VFS_ROOT) and admin
 * (POSIX_FS_ADMIN) capabilities itself.
 *
 * The argument and what the image holds pick the run (one boot each):
 * - a fresh image: every operation and its errors ("first"); it leaves
 *   /persist and /.ext2test-done behind, syncs (FS_SYNCFS), and the host
 *   checks the image with e2fsck -fn after poweroff;
 * - /.ext2test-done: the same image booted again ("second"): the first
 *   boot's files are there;
 * - argument "small" (ext2test-small.manifest, a 1 MiB image): a full
 *   disk gives ENOSPC, and what was written stays;
 * - argument "corrupt" (ext2test-corrupt.manifest): the host flipped bytes
 *   of metadata blocks (tests/ext2/mkimg.sh): every request gets an
 *   answer (an error or not), and the server still answers at the end.
 * One `ok N ext2.NAME` line a test, "N passed, N failed", the exit status
 * the number of failures.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <cairn/rt.h>
#include <cairn/test.h>
#include <cairn/posix.h>
#include <cairn/linux.h>

#define S_FMT(m) ((m) & 0170000u)
#define IS_REG(m) (S_FMT(m) == 0100000u)
#define IS_DIR(m) (S_FMT(m) == 0040000u)
#define IS_LNK(m) (S_FMT(m) == 0120000u)

static cap_t ep = CAP_NULL, root = CAP_NULL, adm = CAP_NULL;

/* ---- the protocol ---------------------------------------------------------------------- */

struct res {
	err_t err;
	uint64_t w[4];
	unsigned ncaps;
	cap_t caps[CAIRN_MSG_MAX_CAPS];
	size_t nbytes;
};

static uint8_t *bytes(void) { return (uint8_t *)&cairn_ipcbuf()->w[CAIRN_MSG_REGS]; }

static struct res call(cap_t obj, uint32_t op, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3,
		       const void *data, size_t n, cap_t cap0)
{
	struct cairn_ipcbuf *ib = cairn_ipcbuf();
	struct res r = { 0 };
	struct cairn_msg m;
	unsigned ncaps = cap0 != CAP_NULL;

	if (data && data != bytes())
		memcpy(bytes(), data, n);
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

static void drop(struct res *r)
{
	for (unsigned i = 0; i < r->ncaps; i++)
		if (r->caps[i] != CAP_NULL)
			cairn_cap_delete(r->caps[i]);
	r->ncaps = 0;
}

static void del(cap_t *c)
{
	if (*c != CAP_NULL)
		cairn_cap_delete(*c);
	*c = CAP_NULL;
}

static err_t fopen_(cap_t dir, const char *path, uint32_t flags, uint32_t mode, cap_t *out)
{
	size_t len = strlen(path);
	struct res r = call(dir, FS_OPEN, flags, mode, len, 0, path, len, CAP_NULL);

	*out = CAP_NULL;
	if (r.err) {
		drop(&r);
		return r.err;
	}
	if (r.ncaps != 1)
		return ERR_IO;
	*out = r.caps[0];
	return 0;
}

static err_t path_op(cap_t dir, uint32_t op, uint64_t w0, uint64_t w1, const char *path)
{
	size_t len = strlen(path);
	struct res r = call(dir, op, w0, w1, len, 0, path, len, CAP_NULL);

	drop(&r);
	return r.err;
}

static err_t two_op(cap_t dir, uint32_t op, uint64_t w0, const char *p1, const char *p2, cap_t dir2)
{
	size_t l1 = strlen(p1), l2 = strlen(p2);
	struct res r;

	memcpy(bytes(), p1, l1);
	memcpy(bytes() + l1, p2, l2);
	r = call(dir, op, w0, 0, l1, l2, bytes(), l1 + l2, dir2);
	drop(&r);
	return r.err;
}

static err_t fstat_(cap_t dir, const char *path, unsigned flags, struct posix_stat *st)
{
	size_t len = strlen(path);
	struct res r = call(dir, FS_STAT, flags, 0, len, 0, path, len, CAP_NULL);

	if (!r.err)
		memcpy(st, bytes(), sizeof(*st));
	return r.err;
}

static err_t pwrite_(cap_t f, const void *data, size_t n, uint64_t off, bool at, size_t *done)
{
	struct res r = call(f, at ? IO_PWRITE : IO_WRITE, n, off, 0, 0, data, n, CAP_NULL);

	*done = r.err ? 0 : r.w[0];
	return r.err;
}

static err_t pread_(cap_t f, void *buf, size_t max, uint64_t off, bool at, size_t *n)
{
	struct res r = call(f, at ? IO_PREAD : IO_READ, max, off, 0, 0, NULL, 0, CAP_NULL);

	*n = 0;
	if (r.err)
		return r.err;
	*n = r.w[0];
	memcpy(buf, bytes(), *n);
	return 0;
}

static err_t close_(cap_t *f)
{
	struct res r = call(*f, IO_CLOSE, 0, 0, 0, 0, NULL, 0, CAP_NULL);

	del(f);
	return r.err;
}

/* Creates path holding text (truncated first). */
static err_t put(const char *path, const char *text)
{
	cap_t f;
	size_t n;
	err_t e;

	if ((e = fopen_(root, path, LINUX_O_CREAT | LINUX_O_WRONLY | LINUX_O_TRUNC, 0644, &f)))
		return e;
	e = pwrite_(f, text, strlen(text), 0, false, &n);
	close_(&f);
	return e ? e : n == strlen(text) ? 0 : ERR_IO;
}

static bool holds(const char *path, const char *text)
{
	char buf[512];
	cap_t f;
	size_t n = 0;

	if (fopen_(root, path, LINUX_O_RDONLY, 0, &f))
		return false;
	pread_(f, buf, sizeof(buf), 0, true, &n);
	close_(&f);
	return n == strlen(text) && !memcmp(buf, text, n);
}

static cap_t mint(uint64_t badge)
{
	uint64_t r[3];

	if (cairn_cap_op(CAP_OP_MINT, ep, CAP_NULL, RIGHT_WRITE | RIGHT_GRANT, badge, r))
		return CAP_NULL;
	return r[0];
}

/* Entries readdir gives for dir, max bytes a call (names with prefix counted). */
static err_t count_dir(cap_t dir, size_t max, const char *prefix, unsigned *all, unsigned *with)
{
	uint64_t cookie = 0;

	*all = *with = 0;
	for (unsigned rounds = 0; rounds < 100000; rounds++) {
		struct res r = call(dir, IO_READDIR, cookie, max, 0, 0, NULL, 0, CAP_NULL);
		uint8_t buf[POSIX_INLINE_MAX];
		size_t n;

		if (r.err)
			return r.err;
		n = r.w[1];
		if (!n)
			return 0;
		memcpy(buf, bytes(), n);
		for (size_t o = 0; o + 19 < n;) {
			uint16_t rl;
			memcpy(&rl, buf + o + 16, 2);
			if (!rl)
				return ERR_IO;
			(*all)++;
			if (!strncmp((char *)buf + o + 19, prefix, strlen(prefix)))
				(*with)++;
			o += rl;
		}
		cookie = r.w[0];
	}
	return ERR_LOOP;
}

/* ---- the first boot ------------------------------------------------------------------------- */

static void t_create_rw(void)
{
	struct posix_stat st;
	char buf[64];
	cap_t f, g;
	size_t n;

	CHECK_OK(fopen_(root, "hello", LINUX_O_CREAT | LINUX_O_RDWR | LINUX_O_EXCL, 0640, &f));
	CHECK_OK(pwrite_(f, "hello, disk", 11, 0, false, &n));
	CHECK(n == 11, "wrote %zu", n);
	CHECK_OK(pread_(f, buf, sizeof(buf), 0, true, &n));
	CHECK(n == 11 && !memcmp(buf, "hello, disk", 11), "read back %zu", n);
	CHECK_OK(pread_(f, buf, sizeof(buf), 0, false, &n));
	CHECK(n == 0, "at the end: %zu", n);
	/* the open description's offset is shared by every holder (IO_DUP:
	 * a reference of its own, a capability with a badge of its own,
	 * closed once: then EBADF, and the other holder's stays) */
	struct res d = call(f, IO_DUP, 0, 0, 0, 0, NULL, 0, CAP_NULL);
	CHECK(!d.err && d.ncaps == 1, "IO_DUP: %d, %u caps", d.err, d.ncaps);
	g = d.ncaps == 1 ? d.caps[0] : CAP_NULL;
	CHECK_OK(call(g, IO_SEEK, 7, POSIX_SEEK_SET, 0, 0, NULL, 0, CAP_NULL).err);
	CHECK_OK(pread_(f, buf, 4, 0, false, &n));
	CHECK(n == 4 && !memcmp(buf, "disk", 4), "after seek %zu", n);
	CHECK_OK(call(g, IO_CLOSE, 0, 0, 0, 0, NULL, 0, CAP_NULL).err);
	CHECK_ERR(call(g, IO_CLOSE, 0, 0, 0, 0, NULL, 0, CAP_NULL).err, ERR_BADF);
	CHECK_ERR(call(g, IO_CLOSE, 0, 0, 0, 0, NULL, 0, CAP_NULL).err, ERR_BADF);
	CHECK_OK(call(f, IO_SEEK, 0, POSIX_SEEK_SET, 0, 0, NULL, 0, CAP_NULL).err);
	cairn_cap_delete(g);
	CHECK_OK(fstat_(root, "hello", 0, &st));
	CHECK(st.size == 11 && (st.mode & 07777) == 0640 && IS_REG(st.mode) && st.nlink == 1,
	      "stat: size %llu mode %llo", (unsigned long long)st.size, (unsigned long long)st.mode);
	CHECK(st.mtime_sec > 1600000000, "mtime %lld", (long long)st.mtime_sec);
	CHECK_ERR(fopen_(root, "hello", LINUX_O_CREAT | LINUX_O_EXCL, 0, &g), ERR_EXIST);
	CHECK_OK(close_(&f));
}

static void t_badges(void)
{
	cap_t f, forged;
	uint64_t r[3];

	CHECK_OK(fopen_(root, "hello", LINUX_O_RDONLY, 0, &f));
	CHECK_OK(cairn_cap_op(CAP_OP_IDENTIFY, f, 0, 0, 0, r));
	CHECK(r[2] > POSIX_FS_ADMIN && (r[2] >> 32), "badge %llx", (unsigned long long)r[2]);
	forged = mint(r[2] ^ (1ull << 40));
	CHECK_ERR(call(forged, IO_STAT, 0, 0, 0, 0, NULL, 0, CAP_NULL).err, ERR_BADF);
	del(&forged);
	forged = mint(r[2]);
	CHECK_OK(close_(&f));
	CHECK_ERR(call(forged, IO_STAT, 0, 0, 0, 0, NULL, 0, CAP_NULL).err, ERR_BADF);
	del(&forged);
	/* admin requests only through the admin capability */
	CHECK_ERR(path_op(root, FS_UNCOVER, 0, 0, "/"), ERR_PERM);
}

static void t_flags(void)
{
	char buf[64];
	cap_t f;
	size_t n;

	CHECK_OK(put("app", "one"));
	CHECK_OK(fopen_(root, "app", LINUX_O_WRONLY | LINUX_O_APPEND, 0, &f));
	CHECK_OK(pwrite_(f, "two", 3, 0, true, &n));          /* pwrite appends with O_APPEND */
	CHECK_OK(close_(&f));
	CHECK(holds("app", "onetwo"), "O_APPEND");
	CHECK_OK(fopen_(root, "app", LINUX_O_RDONLY | LINUX_O_TRUNC, 0, &f));
	CHECK_OK(pread_(f, buf, sizeof(buf), 0, true, &n));
	CHECK(n == 0, "O_TRUNC left %zu", n);
	CHECK_ERR(pwrite_(f, "x", 1, 0, false, &n), ERR_BADF);
	CHECK_OK(close_(&f));
	CHECK_ERR(fopen_(root, "app", LINUX_O_DIRECTORY, 0, &f), ERR_NOTDIR);
	CHECK_ERR(fopen_(root, ".", LINUX_O_WRONLY, 0, &f), ERR_ISDIR);
	CHECK_ERR(fopen_(root, "nothing", 0, 0, &f), ERR_NOENT);
	CHECK_ERR(fopen_(root, "app", 3, 0, &f), ERR_INVAL);
	CHECK_OK(fopen_(root, "app", LINUX_O_PATH, 0, &f));
	CHECK_ERR(pread_(f, buf, 1, 0, false, &n), ERR_BADF);
	CHECK_OK(close_(&f));
}

static void t_dirs(void)
{
	struct posix_stat st;
	unsigned all, with;
	char buf[64];
	cap_t d;
	struct res r;

	CHECK_OK(path_op(root, FS_MKDIR, 0755, 0, "dir"));
	CHECK_ERR(path_op(root, FS_MKDIR, 0755, 0, "dir"), ERR_EXIST);
	CHECK_OK(path_op(root, FS_MKDIR, 0700, 0, "dir/sub"));
	CHECK_OK(fopen_(root, "dir", LINUX_O_RDONLY | LINUX_O_DIRECTORY, 0, &d));
	CHECK_OK(fstat_(d, "sub", 0, &st));
	CHECK(IS_DIR(st.mode) && (st.mode & 07777) == 0700 && st.nlink == 2, "sub");
	CHECK_OK(fstat_(root, "dir", 0, &st));
	CHECK(st.nlink == 3, "dir links %llu", (unsigned long long)st.nlink);
	r = call(d, FS_GETPATH, 0, 0, 0, 0, NULL, 0, CAP_NULL);
	CHECK_OK(r.err);
	memcpy(buf, bytes(), r.w[0]);
	CHECK(r.w[0] == 4 && !memcmp(buf, "/dir", 4), "getpath %llu", (unsigned long long)r.w[0]);
	CHECK_OK(count_dir(d, 4000, "", &all, &with));
	CHECK(all == 3, "dir lists %u", all);
	CHECK_ERR(path_op(root, FS_UNLINK, LINUX_AT_REMOVEDIR, 0, "dir"), ERR_NOTEMPTY);
	CHECK_ERR(path_op(root, FS_UNLINK, 0, 0, "dir"), ERR_ISDIR);
	CHECK_OK(path_op(d, FS_UNLINK, LINUX_AT_REMOVEDIR, 0, "sub"));
	CHECK_OK(close_(&d));
	/* a socket node (bind of an AF_UNIX socket): its key as st_rdev, not opened */
	CHECK_OK(path_op(root, FS_MKNOD, 0140755, 0x123456789abcdefull, "sock"));
	CHECK_ERR(path_op(root, FS_MKNOD, 0140755, 1, "sock"), ERR_EXIST);
	CHECK_ERR(path_op(root, FS_MKNOD, 0100644, 1, "file"), ERR_INVAL);
	CHECK_OK(fstat_(root, "sock", 0, &st));
	CHECK((st.mode & 0170000) == 0140000 && (st.mode & 07777) == 0755 && st.rdev == 0x123456789abcdefull,
	      "sock mode %llo rdev %llx", (unsigned long long)st.mode, (unsigned long long)st.rdev);
	CHECK_ERR(fopen_(root, "sock", LINUX_O_RDONLY, 0, &d), ERR_NXIO);
	CHECK_OK(path_op(root, FS_UNLINK, 0, 0, "sock"));
}

static void t_large_dir(void)
{
	unsigned all, with;
	char name[64];
	cap_t d;

	CHECK_OK(path_op(root, FS_MKDIR, 0755, 0, "many"));
	for (unsigned i = 0; i < 600; i++) {
		char *p = name;
		memcpy(p, "many/entry-number-", 18);
		p += 18;
		unsigned v = i, k = 0;
		char digits[8];
		do { digits[k++] = (char)('0' + v % 10); v /= 10; } while (v);
		while (k)
			*p++ = digits[--k];
		*p = 0;
		CHECK_OK(put(name, "e"));
	}
	CHECK_OK(fopen_(root, "many", LINUX_O_RDONLY | LINUX_O_DIRECTORY, 0, &d));
	CHECK_OK(count_dir(d, 300, "entry-", &all, &with));
	CHECK(all == 602 && with == 600, "listed %u (%u entries)", all, with);
	CHECK_OK(close_(&d));
	CHECK(holds("many/entry-number-599", "e"), "the last one");
}

static void t_links(void)
{
	struct posix_stat st;
	char buf[512];
	struct res r;

	CHECK_OK(put("orig", "linked"));
	CHECK_OK(two_op(root, FS_LINK, 0, "orig", "dir/hard", CAP_NULL));
	CHECK_OK(fstat_(root, "orig", 0, &st));
	CHECK(st.nlink == 2, "links %llu", (unsigned long long)st.nlink);
	CHECK_ERR(two_op(root, FS_LINK, 0, "dir", "dir2", CAP_NULL), ERR_PERM);
	CHECK_OK(two_op(root, FS_SYMLINK, 0, "orig", "fast", CAP_NULL));
	memset(buf, 'a', 300);
	memcpy(buf, "dir/", 4);
	buf[300] = 0;
	CHECK_OK(two_op(root, FS_SYMLINK, 0, buf, "slow", CAP_NULL));
	r = call(root, FS_READLINK, 0, 0, 4, 0, "slow", 4, CAP_NULL);
	CHECK_OK(r.err);
	CHECK(r.w[0] == 300 && !memcmp(bytes(), buf, 300), "slow link %llu", (unsigned long long)r.w[0]);
	CHECK(holds("fast", "linked"), "through the link");
	CHECK_OK(fstat_(root, "fast", LINUX_AT_SYMLINK_NOFOLLOW, &st));
	CHECK(IS_LNK(st.mode) && st.size == 4, "link stat: size %llu", (unsigned long long)st.size);
	CHECK_OK(path_op(root, FS_UNLINK, 0, 0, "orig"));
	CHECK(holds("dir/hard", "linked"), "the other name");
	CHECK_ERR(fstat_(root, "fast", 0, &st), ERR_NOENT);
}

static void t_rename(void)
{
	cap_t d;

	CHECK_OK(put("r1", "first"));
	CHECK_OK(put("r2", "second"));
	CHECK_ERR(two_op(root, FS_RENAME, LINUX_RENAME_NOREPLACE, "r1", "r2", CAP_NULL), ERR_EXIST);
	CHECK_OK(two_op(root, FS_RENAME, LINUX_RENAME_EXCHANGE, "r1", "r2", CAP_NULL));
	CHECK(holds("r1", "second") && holds("r2", "first"), "exchanged");
	CHECK_OK(two_op(root, FS_RENAME, 0, "r1", "r2", CAP_NULL));
	CHECK(holds("r2", "second"), "replaced");
	CHECK_OK(fopen_(root, "dir", LINUX_O_RDONLY | LINUX_O_DIRECTORY, 0, &d));
	CHECK_OK(two_op(root, FS_RENAME, 0, "r2", "moved", d));      /* cap0: path 2's directory */
	CHECK(holds("dir/moved", "second"), "into dir");
	CHECK_ERR(two_op(root, FS_RENAME, 0, "dir", "dir/inside", CAP_NULL), ERR_INVAL);
	CHECK_ERR(two_op(root, FS_RENAME, 0, "nothing", "x", CAP_NULL), ERR_NOENT);
	CHECK_OK(close_(&d));
}

static void t_truncate_sparse(void)
{
	struct posix_stat st;
	uint8_t buf[4000];
	uint64_t big = 6ull << 30;            /* past 4 GiB */
	cap_t f;
	size_t n;

	CHECK_OK(fopen_(root, "sparse", LINUX_O_CREAT | LINUX_O_RDWR, 0644, &f));
	CHECK_OK(pwrite_(f, "end", 3, big, true, &n));
	CHECK_OK(call(f, IO_STAT, 0, 0, 0, 0, NULL, 0, CAP_NULL).err);
	memcpy(&st, bytes(), sizeof(st));
	CHECK(st.size == big + 3 && st.blocks < 128, "size %llu blocks %llu", (unsigned long long)st.size,
	      (unsigned long long)st.blocks);
	CHECK_OK(pread_(f, buf, sizeof(buf), 1ull << 30, true, &n));
	CHECK(n == sizeof(buf), "hole read %zu", n);
	for (unsigned i = 0; i < n; i++)
		CHECK(!buf[i], "hole byte %u", i);
	CHECK_OK(pread_(f, buf, 10, big, true, &n));
	CHECK(n == 3 && !memcmp(buf, "end", 3), "tail");
	CHECK_OK(call(f, IO_SEEK, 0, POSIX_SEEK_END, 0, 0, NULL, 0, CAP_NULL).err);
	CHECK_OK(call(f, IO_TRUNCATE, 1000, 0, 0, 0, NULL, 0, CAP_NULL).err);
	CHECK_OK(fstat_(root, "sparse", 0, &st));
	CHECK(st.size == 1000, "truncated %llu", (unsigned long long)st.size);
	CHECK_OK(path_op(root, FS_TRUNCATE, 5000000000ull, 0, "sparse"));
	CHECK_OK(fstat_(root, "sparse", 0, &st));
	CHECK(st.size == 5000000000ull, "grown %llu", (unsigned long long)st.size);
	CHECK_ERR(path_op(root, FS_TRUNCATE, 1, 0, "dir"), ERR_ISDIR);
	CHECK_OK(close_(&f));
}

static void t_attrs(void)
{
	struct posix_stat st;
	int64_t t[4] = { 1000, 5, 2000, 6 };
	uint8_t msg[64];
	size_t len = 5, off = 8;

	CHECK_OK(path_op(root, FS_CHMOD, 0604, 0, "hello"));
	memcpy(msg, "hello", len);
	memcpy(msg + off, t, sizeof(t));
	CHECK_OK(call(root, FS_UTIMENS, 0, 0, len, 0, msg, off + sizeof(t), CAP_NULL).err);
	CHECK_OK(fstat_(root, "hello", 0, &st));
	CHECK((st.mode & 07777) == 0604, "mode %llo", (unsigned long long)st.mode);
	CHECK(st.atime_sec == 1000 && st.atime_nsec == 5 && st.mtime_sec == 2000 && st.mtime_nsec == 6,
	      "times %lld.%lld %lld.%lld", (long long)st.atime_sec, (long long)st.atime_nsec,
	      (long long)st.mtime_sec, (long long)st.mtime_nsec);
	t[1] = LINUX_UTIME_OMIT;
	t[3] = LINUX_UTIME_NOW;
	memcpy(msg + off, t, sizeof(t));
	CHECK_OK(call(root, FS_UTIMENS, 0, 0, len, 0, msg, off + sizeof(t), CAP_NULL).err);
	CHECK_OK(fstat_(root, "hello", 0, &st));
	CHECK(st.atime_sec == 1000 && st.mtime_sec > 1600000000, "UTIME_OMIT, UTIME_NOW");
}

static void t_statfs_sync(void)
{
	struct posix_statfs sf;
	struct res r;
	cap_t f;

	r = call(root, FS_STATFS, 0, 0, 0, 0, NULL, 0, CAP_NULL);
	CHECK_OK(r.err);
	memcpy(&sf, bytes(), sizeof(sf));
	CHECK(sf.type == 0xef53 && sf.bsize >= 1024 && sf.blocks > sf.bfree && sf.files > sf.ffree,
	      "statfs %llx %llu", (unsigned long long)sf.type, (unsigned long long)sf.bsize);
	CHECK_OK(fopen_(root, "hello", LINUX_O_RDONLY, 0, &f));
	CHECK_OK(call(f, IO_SYNC, 0, 0, 0, 0, NULL, 0, CAP_NULL).err);
	CHECK_OK(call(f, FS_SYNCFS, 0, 0, 0, 0, NULL, 0, CAP_NULL).err);
	CHECK_ERR(path_op(f, FS_MKDIR, 0755, 0, "x"), ERR_NOTDIR);
	CHECK_OK(close_(&f));
}

static void t_mounts(void)
{
	struct posix_stat st;
	struct res r;
	cap_t other = mint(POSIX_VFS_ROOT), up = mint(POSIX_VFS_ROOT);
	uint64_t id[3];

	CHECK_OK(path_op(root, FS_MKDIR, 0755, 0, "mnt"));
	/* cover /mnt with "another file system" (our own root, for the test) */
	r = call(adm, FS_COVER, 0, 0, 4, 0, "/mnt", 4, other);
	CHECK_OK(r.err);
	r = call(root, FS_STAT, 0, 0, 9, 0, "mnt/a/b/c", 9, CAP_NULL);
	CHECK_ERR(r.err, ERR_REMOTE);
	CHECK(r.w[0] == 0 && r.w[1] == 5 && !memcmp(bytes(), "a/b/c", 5) && r.ncaps == 1, "redirect");
	CHECK_OK(cairn_cap_op(CAP_OP_IDENTIFY, r.caps[0], 0, 0, 0, id));
	CHECK(id[2] == POSIX_VFS_ROOT, "cap0 badge %llx", (unsigned long long)id[2]);
	drop(&r);
	r = call(root, FS_OPEN, 0, 0, 3, 0, "mnt", 3, CAP_NULL);
	CHECK(r.err == ERR_REMOTE && r.w[1] == 1 && bytes()[0] == '.', "the mount point itself");
	drop(&r);
	CHECK_ERR(path_op(root, FS_UNLINK, LINUX_AT_REMOVEDIR, 0, "mnt"), ERR_BUSY);
	CHECK_ERR(path_op(root, FS_MKDIR, 0755, 0, "mnt"), ERR_EXIST);
	CHECK_ERR(two_op(root, FS_RENAME, 0, "mnt/x", "y", CAP_NULL), ERR_REMOTE);
	CHECK_ERR(path_op(root, FS_UNCOVER, 0, 0, "/mnt"), ERR_PERM);
	CHECK_OK(call(adm, FS_UNCOVER, 0, 0, 4, 0, "/mnt", 4, CAP_NULL).err);
	CHECK_OK(fstat_(root, "mnt", 0, &st));
	/* a foreign directory as cap0: EXDEV (an endpoint of ours, not the server's) */
	{
		struct cairn_msg m;
		CHECK_OK(cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_ENDPOINT, 0, 0, 0, &m));
		cap_t foreign = m.w[0];
		CHECK_ERR(two_op(root, FS_RENAME, 0, "hello", "x", foreign), ERR_XDEV);
		del(&foreign);
	}
	/* mounted at /media/disk: ".." at the root and absolute names go up */
	memcpy(bytes(), "/", 1);
	memcpy(bytes() + 1, "/media/disk", 11);
	r = call(adm, FS_MOUNTED, 0, 0, 1, 11, bytes(), 12, up);
	CHECK_OK(r.err);
	r = call(root, FS_STAT, 0, 0, 6, 0, "../etc", 6, CAP_NULL);
	CHECK(r.err == ERR_REMOTE && r.w[1] == 6 && !memcmp(bytes(), "../etc", 6) && r.ncaps == 1, "..");
	drop(&r);
	r = call(root, FS_STAT, 0, 0, 4, 0, "/etc", 4, CAP_NULL);
	CHECK(r.err == ERR_REMOTE && r.w[0] == POSIX_REMOTE_ROOT && r.ncaps == 0, "absolute");
	r = call(root, FS_GETPATH, 0, 0, 0, 0, NULL, 0, CAP_NULL);
	CHECK(!r.err && r.w[0] == 11 && !memcmp(bytes(), "/media/disk", 11), "getpath under the mount");
	/* back to the namespace root for the tests that follow */
	CHECK_OK(call(adm, FS_MOUNTED, 0, 0, 1, 1, "//", 2, up).err);
	CHECK_OK(fstat_(root, "/hello", 0, &st));
	del(&other);
	del(&up);
}

static void t_bad_input(void)
{
	struct res r;

	r = call(root, FS_OPEN, 0, 0, 100, 0, "short", 5, CAP_NULL);
	CHECK_ERR(r.err, ERR_INVAL);
	r = call(root, FS_OPEN, 0, 0, 5000, 0, NULL, 0, CAP_NULL);
	CHECK_ERR(r.err, ERR_NAMETOOLONG);
	r = call(root, IO_WRITE, 4001, 0, 0, 0, NULL, 0, CAP_NULL);
	CHECK_ERR(r.err, ERR_INVAL);
	r = call(root, IO_WRITE, 1, 0, 0, 0, "x", 1, CAP_NULL);
	CHECK_ERR(r.err, ERR_BADF);
	r = call(root, 0x2ff, 0, 0, 0, 0, NULL, 0, CAP_NULL);
	CHECK_ERR(r.err, ERR_NOSYS);
	r = call(root, FS_OPEN, 0, 0, 3, 0, "a\0b", 3, CAP_NULL);
	CHECK_ERR(r.err, ERR_INVAL);
}

/* IO_IMAGE: the file's bytes in a read-only MemoryObject, the same object
 * for an unchanged file, a new one (and the old unchanged) after a write. */
static void t_image(void)
{
	static char data[10000];
	uint64_t id1[4], id2[4];
	struct res r;
	cap_t f, mo1 = CAP_NULL, mo2 = CAP_NULL;
	uint8_t *va = NULL;
	size_t n;

	for (unsigned i = 0; i < sizeof(data); i++)
		data[i] = (char)('a' + i % 26);
	CHECK_OK(fopen_(root, "prog", LINUX_O_CREAT | LINUX_O_RDWR | LINUX_O_TRUNC, 0755, &f));
	for (size_t off = 0; off < sizeof(data); off += n)
		CHECK_OK(pwrite_(f, data + off, sizeof(data) - off > 4000 ? 4000 : sizeof(data) - off, 0, false, &n));
	r = call(f, IO_IMAGE, 0, 0, 0, 0, NULL, 0, CAP_NULL);
	CHECK_OK(r.err);
	CHECK(r.ncaps == 1 && r.w[0] == sizeof(data), "image of %llu", (unsigned long long)r.w[0]);
	mo1 = r.caps[0];
	CHECK_OK(cairn_cap_identify(mo1, id1));
	CHECK(id1[0] == OBJ_MEMOBJ && id1[1] == RIGHT_READ, "type %llu rights %llx", (unsigned long long)id1[0],
	      (unsigned long long)id1[1]);
	CHECK_OK(cairn_map(mo1, 0, 3, CAIRN_PROT_R, (void **)&va));
	EXPECT(!memcmp(va, data, sizeof(data)), "the bytes");
	EXPECT(!va[sizeof(data)], "zeros after the end");
	cairn_unmap(va, 3);
	r = call(f, IO_IMAGE, 0, 0, 0, 0, NULL, 0, CAP_NULL);
	CHECK_OK(r.err);
	mo2 = r.caps[0];
	CHECK_OK(cairn_cap_identify(mo2, id2));
	EXPECT(id1[3] == id2[3], "the same object for an unchanged file");
	del(&mo2);
	CHECK_OK(pwrite_(f, "X", 1, 0, true, &n));
	r = call(f, IO_IMAGE, 0, 0, 0, 0, NULL, 0, CAP_NULL);
	CHECK_OK(r.err);
	mo2 = r.caps[0];
	CHECK_OK(cairn_cap_identify(mo2, id2));
	EXPECT(id1[3] != id2[3], "a new object after a write");
	del(&mo1);
	del(&mo2);
	CHECK_OK(close_(&f));
	CHECK_OK(fopen_(root, "prog", LINUX_O_WRONLY, 0, &f));
	CHECK_ERR(call(f, IO_IMAGE, 0, 0, 0, 0, NULL, 0, CAP_NULL).err, ERR_BADF);
	CHECK_OK(close_(&f));
	CHECK_OK(fopen_(root, "dir", LINUX_O_RDONLY, 0, &f));
	CHECK_ERR(call(f, IO_IMAGE, 0, 0, 0, 0, NULL, 0, CAP_NULL).err, ERR_INVAL);
	CHECK_OK(close_(&f));
}

static void t_leave_for_next_boot(void)
{
	CHECK_OK(put("persist", "written by the first boot"));
	CHECK_OK(put(".ext2test-done", "1"));
	CHECK_OK(call(root, FS_SYNCFS, 0, 0, 0, 0, NULL, 0, CAP_NULL).err);
}

static const struct t_case first[] = {
	{ "ext2.create_rw", t_create_rw },
	{ "ext2.badges", t_badges },
	{ "ext2.flags", t_flags },
	{ "ext2.dirs", t_dirs },
	{ "ext2.large_dir", t_large_dir },
	{ "ext2.links", t_links },
	{ "ext2.rename", t_rename },
	{ "ext2.truncate_sparse_4g", t_truncate_sparse },
	{ "ext2.attrs", t_attrs },
	{ "ext2.statfs_sync", t_statfs_sync },
	{ "ext2.mounts", t_mounts },
	{ "ext2.bad_input", t_bad_input },
	{ "ext2.exec_image", t_image },
	{ "ext2.persist_write", t_leave_for_next_boot },
};

/* ---- the second boot ---------------------------------------------------------------------- */

static void t_persisted(void)
{
	struct posix_stat st;
	unsigned all, with;
	cap_t d;

	CHECK(holds("persist", "written by the first boot"), "persist");
	CHECK(holds("dir/moved", "second"), "dir/moved");
	CHECK(holds("dir/hard", "linked"), "dir/hard");
	CHECK_OK(fstat_(root, "sparse", 0, &st));
	CHECK(st.size == 5000000000ull, "sparse %llu", (unsigned long long)st.size);
	CHECK_OK(fstat_(root, "hello", 0, &st));
	CHECK((st.mode & 07777) == 0604 && st.atime_sec == 1000, "attributes");
	CHECK_OK(fopen_(root, "many", LINUX_O_RDONLY | LINUX_O_DIRECTORY, 0, &d));
	CHECK_OK(count_dir(d, 4000, "entry-", &all, &with));
	CHECK(with == 600, "many: %u", with);
	CHECK_OK(close_(&d));
	CHECK_OK(path_op(root, FS_UNLINK, 0, 0, "persist"));
	CHECK_OK(call(root, FS_SYNCFS, 0, 0, 0, 0, NULL, 0, CAP_NULL).err);
}

static const struct t_case second[] = {
	{ "ext2.persisted", t_persisted },
};

/* ---- a small disk ------------------------------------------------------------------------------ */

static void t_enospc(void)
{
	static uint8_t blk[4000];
	uint64_t off = 0;
	err_t e = 0;
	cap_t f;
	size_t n;

	CHECK_OK(put("before", "written before the disk filled"));
	memset(blk, 'z', sizeof(blk));
	CHECK_OK(fopen_(root, "filler", LINUX_O_CREAT | LINUX_O_WRONLY, 0644, &f));
	for (unsigned i = 0; i < 100000; i++) {
		if ((e = pwrite_(f, blk, sizeof(blk), off, true, &n)))
			break;
		off += n;
	}
	CHECK_ERR(e, ERR_NOSPC);
	CHECK(off > 100000, "only %llu bytes", (unsigned long long)off);
	CHECK(holds("before", "written before the disk filled"), "earlier data");
	CHECK_ERR(put("another", "x"), ERR_NOSPC);
	CHECK_OK(close_(&f));
	CHECK_OK(path_op(root, FS_UNLINK, 0, 0, "filler"));
	CHECK_OK(put("after", "room again"));
	CHECK_OK(call(root, FS_SYNCFS, 0, 0, 0, 0, NULL, 0, CAP_NULL).err);
}

static const struct t_case small[] = {
	{ "ext2.enospc", t_enospc },
};

/* ---- a corrupt disk --------------------------------------------------------------------------- */

static unsigned answered;

static void walk(cap_t dir, int depth)
{
	uint64_t cookie = 0;

	for (unsigned rounds = 0; rounds < 20 && depth < 5; rounds++) {
		struct res r = call(dir, IO_READDIR, cookie, 2000, 0, 0, NULL, 0, CAP_NULL);
		uint8_t buf[2000];
		size_t n;

		answered++;
		if (r.err || !(n = r.w[1]))
			return;
		memcpy(buf, bytes(), n);
		for (size_t o = 0; o + 19 < n;) {
			char name[256];
			uint16_t rl;
			size_t got;
			cap_t f;
			char data[256];

			memcpy(&rl, buf + o + 16, 2);
			if (!rl)
				return;
			size_t nl = strnlen((char *)buf + o + 19, sizeof(name) - 1);
			memcpy(name, buf + o + 19, nl);
			name[nl] = 0;
			o += rl;
			if (!strcmp(name, ".") || !strcmp(name, ".."))
				continue;
			answered++;
			if (fopen_(dir, name, LINUX_O_RDONLY, 0, &f))
				continue;
			pread_(f, data, sizeof(data), 0, false, &got);
			walk(f, depth + 1);
			close_(&f);
		}
		cookie = r.w[0];
	}
}

static void t_corrupt(void)
{
	struct res r;

	walk(root, 0);
	path_op(root, FS_MKDIR, 0755, 0, "newdir");
	put("newdir/file", "data");
	put("a/f", "rewritten");
	path_op(root, FS_UNLINK, 0, 0, "a/l");
	two_op(root, FS_RENAME, 0, "a/b", "b2", CAP_NULL);
	call(root, FS_SYNCFS, 0, 0, 0, 0, NULL, 0, CAP_NULL);
	r = call(root, FS_STATFS, 0, 0, 0, 0, NULL, 0, CAP_NULL);
	CHECK_OK(r.err);
	t_note("%u requests answered on the corrupt image", answered);
}

static const struct t_case corrupt[] = {
	{ "ext2.corrupt_answers", t_corrupt },
};

int main(int argc, char **argv)
{
	const struct t_case *tests = first;
	unsigned n = sizeof(first) / sizeof(first[0]);
	char mode[32] = "";
	struct posix_stat st;
	cap_t f;
	size_t got = 0;

	ep = cairn_cap("ext2");
	root = mint(POSIX_VFS_ROOT);
	adm = mint(POSIX_FS_ADMIN);
	if (ep == CAP_NULL || root == CAP_NULL || adm == CAP_NULL)
		return t_abort("ext2test: needs the server's endpoint \"ext2\" (wg)");
	if (argc > 1) {
		got = strlen(argv[1]) < sizeof(mode) ? strlen(argv[1]) : sizeof(mode) - 1;
		memcpy(mode, argv[1], got);
		mode[got] = 0;
	}
	(void)f;
	if (!strncmp(mode, "small", 5)) {
		tests = small;
		n = 1;
	} else if (!strncmp(mode, "corrupt", 7)) {
		tests = corrupt;
		n = 1;
	} else if (!fstat_(root, ".ext2test-done", 0, &st)) {
		tests = second;
		n = 1;
	}
	t_begin("ext2test", n);
	t_run_all(tests, n);
	return t_end("ext2test") ? 1 : 0;
}
