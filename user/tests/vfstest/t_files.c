/* SPDX-License-Identifier: MIT */
/*
 * vfstest: objects and badges, files, directories, links, paths and
 * attributes. Every test works under /tmp/w, which the runner removes
 * after each test (rm_rf in t_robust.c).
 */
#include <format.h>
#include <stdlib.h>
#include <lib/cpio.h>
#include "vfstest.h"

#define W "/tmp/w"

/* FS_OPEN's answer word (the file type) as well as the capability. */
static err_t open_type(const char *path, uint32_t flags, uint64_t *type, cap_t *out)
{
	size_t len = strlen(path);
	struct vres r = vcall(v_root, FS_OPEN, flags, 0644, len, 0, path, len, CAP_NULL);

	*out = r.ncaps ? r.caps[0] : CAP_NULL;
	*type = r.w[0];
	return r.err;
}

static bool same(const void *a, const char *b, size_t n)
{
	return !memcmp(a, b, n);
}

/* ---- objects and badges ------------------------------------------------------------- */

void t_root_badge(void)
{
	struct posix_stat a, b, c;
	uint64_t fl;
	cap_t c2;

	CHECK_OK(fs_stat(v_root, "/", 0, &a));
	CHECK(a.mode == (TMPFS_S_IFDIR | 0755) && a.ino == 1, "root mode %lo ino %lu",
	      (unsigned long)a.mode, (unsigned long)a.ino);
	CHECK_OK(io_stat(v_root, &b));
	CHECK_OK(io_stat(v_ep, &c));            /* badge 0 names the root too */
	CHECK(b.ino == a.ino && c.ino == a.ino, "root inodes differ");
	CHECK_OK(io_getfl(v_root, &fl));
	CHECK((fl & LINUX_O_DIRECTORY) && (fl & LINUX_O_ACCMODE) == LINUX_O_RDONLY, "root flags %lo", (unsigned long)fl);
	/* the root is never closed */
	CHECK_OK(io_dup(v_root, &c2));
	CHECK(badge_of(c2) == POSIX_VFS_ROOT, "the root's dup: badge %lx", (unsigned long)badge_of(c2));
	CHECK_OK(io_close(&c2));
	CHECK_OK(vcall(v_root, IO_CLOSE, 0, 0, 0, 0, NULL, 0, CAP_NULL).err);
	CHECK_OK(vcall(v_root, IO_CLOSE, 0, 0, 0, 0, NULL, 0, CAP_NULL).err);
	CHECK_OK(io_stat(v_root, &b));
	CHECK(badge_of(v_root) == POSIX_VFS_ROOT, "root badge");
}

void t_bad_badges(void)
{
	static const uint64_t badges[] = {
		2, 3, 0x1234, 0xffffff, 0x1000002, 0xdeadbeef00000002ull, UINT64_MAX, 1ull << 32 | 1,
	};
	struct posix_stat st;
	cap_t f;

	for (unsigned i = 0; i < sizeof(badges) / sizeof(badges[0]); i++) {
		cap_t c = forge(badges[i]);

		CHECK(c != CAP_NULL, "mint");
		err_t e1 = io_stat(c, &st), e2 = fs_open(c, "/tmp", LINUX_O_RDONLY, 0, &f);
		err_t e3 = vcall(c, IO_CLOSE, 0, 0, 0, 0, NULL, 0, CAP_NULL).err;
		del(&c);
		CHECK(e1 == ERR_BADF && e2 == ERR_BADF && e3 == ERR_BADF, "badge %#lx: %d %d %d",
		      (unsigned long)badges[i], e1, e2, e3);
	}
}

void t_stale_badge(void)
{
	struct posix_stat st;
	cap_t f, copy, g, forged;
	uint64_t b;

	CHECK_OK(fs_mkdir(v_root, W, 0755));
	CHECK_OK(fs_open(v_root, W "/f", LINUX_O_CREAT | LINUX_O_RDWR, 0600, &f));
	b = badge_of(f);
	CHECK(VFS_BADGE_INDEX(b) >= 2 && (b >> 32), "badge %#lx", (unsigned long)b);
	CHECK_OK(cairn_cap_copy(f, RIGHTS_ALL, &copy));
	CHECK_OK(io_stat(copy, &st));
	CHECK_OK(io_close(&f));
	CHECK_ERR(io_stat(copy, &st), ERR_BADF);
	CHECK_ERR(io_close(&copy), ERR_BADF);
	/* the entry is used again: the old badge still does not work */
	CHECK_OK(fs_open(v_root, W "/f", LINUX_O_RDWR, 0, &g));
	CHECK(badge_of(g) != b, "same badge again");
	forged = forge(b);
	CHECK_ERR(io_stat(forged, &st), ERR_BADF);
	del(&forged);
	forged = forge(badge_of(g) ^ (1ull << 45));
	CHECK_ERR(io_stat(forged, &st), ERR_BADF);
	del(&forged);
	forged = forge(badge_of(g) ^ (1ull << 24));
	CHECK_ERR(io_stat(forged, &st), ERR_BADF);
	del(&forged);
	CHECK_OK(io_stat(g, &st));
	CHECK_OK(io_close(&g));
}

void t_unknown_ops(void)
{
	static const uint32_t ops[] = {
		0, 1, 0xff, IO_LOCK + 1, 0x1ff, FS_SYNC_ALL + 1, 0x2ef, VFS_DEBUG_STATS, VFS_DEBUG_SHUTDOWN,
		0x300, 0xfa17,
		0xffffffffu,
	};
	cap_t f;

	CHECK_OK(fs_mkdir(v_root, W, 0755));
	CHECK_OK(fs_open(v_root, W "/f", LINUX_O_CREAT | LINUX_O_RDWR, 0600, &f));
	for (unsigned i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		err_t a = vcall(v_root, ops[i], 1, 2, 3, 4, NULL, 0, CAP_NULL).err;
		err_t b = vcall(f, ops[i], 1, 2, 3, 4, NULL, 0, CAP_NULL).err;
		CHECK(a == ERR_NOSYS && b == ERR_NOSYS, "op %#x: %d %d", ops[i], a, b);
	}
	io_close(&f);
}

void t_boot_files(void)
{
	static uint8_t buf[POSIX_INLINE_MAX];
	struct cpio_entry ent;
	struct posix_stat st;
	uint64_t pages, off;
	void *img;
	size_t n;
	cap_t f;

	CHECK_OK(cairn_memobj_pages(v_bootimage, &pages));
	CHECK_OK(cairn_map(v_bootimage, 0, pages, CAIRN_PROT_R, &img));
	CHECK_OK(cpio_find(img, pages * CAIRN_PAGE_SIZE, "bin/vfstest", &ent));
	CHECK_OK(fs_stat(v_root, "/bin/vfstest", 0, &st));
	CHECK((st.mode & TMPFS_S_IFMT) == TMPFS_S_IFREG && st.size == ent.size, "size %lu, want %lu",
	      (unsigned long)st.size, (unsigned long)ent.size);
	CHECK_OK(fs_open(v_root, "/bin/vfstest", LINUX_O_RDONLY, 0, &f));
	for (off = 0; off < ent.size; off += n) {
		CHECK_OK(io_read(f, buf, sizeof(buf), &n));
		CHECK(n && same(buf, (const char *)ent.data + off, n), "bytes differ at %lu", (unsigned long)off);
	}
	CHECK_OK(io_read(f, buf, sizeof(buf), &n));
	CHECK(n == 0, "read past the end");
	io_close(&f);
	CHECK_OK(cpio_find(img, pages * CAIRN_PAGE_SIZE, "etc/manifest", &ent));
	CHECK_OK(get_file("/etc/manifest", buf, sizeof(buf), &n));
	CHECK(n == ent.size && same(buf, ent.data, n), "etc/manifest differs");
	CHECK_OK(fs_stat(v_root, "/bin/vfs", 0, &st));
	CHECK_OK(fs_stat(v_root, "/tmp", 0, &st));
	CHECK(st.mode == (TMPFS_S_IFDIR | 01777), "/tmp mode %lo", (unsigned long)st.mode);
	CHECK_OK(fs_stat(v_root, "/dev", 0, &st));
	CHECK(st.mode == (TMPFS_S_IFDIR | 0755), "/dev mode %lo", (unsigned long)st.mode);
	cairn_unmap(img, pages);
}

/* ---- open ------------------------------------------------------------------------------- */

void t_open_create(void)
{
	struct posix_stat st;
	uint64_t type;
	cap_t f, d;

	CHECK_OK(fs_mkdir(v_root, W, 0755));
	CHECK_OK(open_type(W "/f", LINUX_O_CREAT | LINUX_O_RDWR, &type, &f));
	CHECK(type == TMPFS_S_IFREG, "type %lo", (unsigned long)type);
	CHECK_OK(io_stat(f, &st));
	CHECK(st.mode == (TMPFS_S_IFREG | 0644) && st.nlink == 1 && st.size == 0, "mode %lo nlink %lu",
	      (unsigned long)st.mode, (unsigned long)st.nlink);
	io_close(&f);
	CHECK_ERR(fs_open(v_root, W "/f", LINUX_O_CREAT | LINUX_O_EXCL | LINUX_O_RDWR, 0600, &f), ERR_EXIST);
	CHECK_ERR(fs_open(v_root, W "/nope", LINUX_O_RDONLY, 0, &f), ERR_NOENT);
	CHECK_ERR(fs_open(v_root, W "/f/x", LINUX_O_CREAT | LINUX_O_RDWR, 0600, &f), ERR_NOTDIR);
	CHECK_ERR(fs_open(v_root, W "/nodir/x", LINUX_O_CREAT | LINUX_O_RDWR, 0600, &f), ERR_NOENT);
	CHECK_ERR(fs_open(v_root, W "/new/", LINUX_O_CREAT | LINUX_O_RDWR, 0600, &f), ERR_ISDIR);
	CHECK_OK(open_type(W, LINUX_O_RDONLY, &type, &d));
	CHECK(type == TMPFS_S_IFDIR, "dir type %lo", (unsigned long)type);
	io_close(&d);
	CHECK_OK(fs_open(v_root, W "/g", LINUX_O_CREAT | LINUX_O_EXCL | LINUX_O_WRONLY, 0400, &f));
	CHECK_OK(io_stat(f, &st));
	CHECK(st.mode == (TMPFS_S_IFREG | 0400), "mode %lo", (unsigned long)st.mode);
	io_close(&f);
}

void t_open_flags(void)
{
	uint64_t fl;
	size_t n;
	cap_t f;

	CHECK_OK(fs_mkdir(v_root, W, 0755));
	CHECK_OK(put_file(W "/f", "12345", 5));
	CHECK_ERR(fs_open(v_root, W, LINUX_O_WRONLY, 0, &f), ERR_ISDIR);
	CHECK_ERR(fs_open(v_root, W, LINUX_O_RDWR, 0, &f), ERR_ISDIR);
	CHECK_ERR(fs_open(v_root, W, LINUX_O_RDONLY | LINUX_O_CREAT, 0, &f), ERR_ISDIR);
	CHECK_ERR(fs_open(v_root, W "/f", LINUX_O_RDONLY | LINUX_O_DIRECTORY, 0, &f), ERR_NOTDIR);
	CHECK_ERR(fs_open(v_root, W "/f", 3, 0, &f), ERR_INVAL);
	CHECK_ERR(vcall(v_root, FS_OPEN, 1ull << 40, 0, 1, 0, "/", 1, CAP_NULL).err, ERR_INVAL);
	CHECK_ERR(fs_open(v_root, W, LINUX_O_TMPFILE | LINUX_O_RDWR, 0600, &f), ERR_OPNOTSUPP);
	CHECK_OK(fs_open(v_root, W "/f", LINUX_O_RDWR | LINUX_O_NONBLOCK | LINUX_O_CLOEXEC | LINUX_O_CREAT | LINUX_O_TRUNC,
			 0, &f));
	CHECK_OK(io_getfl(f, &fl));
	CHECK(fl == (LINUX_O_RDWR | LINUX_O_NONBLOCK), "flags %lo", (unsigned long)fl);
	CHECK_OK(io_read(f, (char[8]){ 0 }, 8, &n));
	CHECK(n == 0, "O_TRUNC left %zu bytes", n);
	io_close(&f);
}

/* ---- data --------------------------------------------------------------------------------- */

void t_read_write(void)
{
	char buf[64];
	size_t n;
	cap_t f;

	CHECK_OK(fs_mkdir(v_root, W, 0755));
	CHECK_OK(fs_open(v_root, W "/f", LINUX_O_CREAT | LINUX_O_RDWR, 0600, &f));
	CHECK_OK(io_write(f, "hello world", 11, &n));
	CHECK(n == 11, "wrote %zu", n);
	CHECK_OK(io_read(f, buf, sizeof(buf), &n));
	CHECK(n == 0, "read at the end gave %zu", n);
	CHECK_OK(io_seek(f, 0, POSIX_SEEK_SET, NULL));
	CHECK_OK(io_read(f, buf, 5, &n));
	CHECK(n == 5 && same(buf, "hello", 5), "first read");
	CHECK_OK(io_read(f, buf, sizeof(buf), &n));
	CHECK(n == 6 && same(buf, " world", 6), "second read");
	CHECK_OK(io_read(f, buf, 0, &n));
	CHECK(n == 0, "read of 0");
	CHECK_OK(io_write(f, "", 0, &n));
	CHECK(n == 0, "write of 0");
	CHECK_OK(io_write(f, "!", 1, &n));
	io_close(&f);
	CHECK_OK(get_file(W "/f", buf, sizeof(buf), &n));
	CHECK(n == 12 && same(buf, "hello world!", 12), "content");
}

void t_seek(void)
{
	char buf[1200];
	uint64_t pos;
	size_t n;
	cap_t f;

	CHECK_OK(fs_mkdir(v_root, W, 0755));
	memset(buf, 'a', 100);
	CHECK_OK(put_file(W "/f", buf, 100));
	CHECK_OK(fs_open(v_root, W "/f", LINUX_O_RDWR, 0, &f));
	CHECK_OK(io_seek(f, 10, POSIX_SEEK_SET, &pos));
	CHECK(pos == 10, "SET");
	CHECK_OK(io_seek(f, 5, POSIX_SEEK_CUR, &pos));
	CHECK(pos == 15, "CUR");
	CHECK_OK(io_seek(f, -10, POSIX_SEEK_END, &pos));
	CHECK(pos == 90, "END");
	CHECK_OK(io_seek(f, 1000, POSIX_SEEK_END, &pos));
	CHECK(pos == 1100, "past the end");
	CHECK_OK(io_write(f, "x", 1, &n));
	CHECK_OK(io_pread(f, buf, sizeof(buf), 0, &n));
	CHECK(n == 1101 && buf[99] == 'a' && buf[1100] == 'x', "size %zu", n);
	for (unsigned i = 100; i < 1100; i++)
		CHECK(buf[i] == 0, "hole byte %u is %d", i, buf[i]);
	CHECK_ERR(io_seek(f, -1, POSIX_SEEK_SET, NULL), ERR_INVAL);
	CHECK_ERR(io_seek(f, -2000, POSIX_SEEK_END, NULL), ERR_INVAL);
	CHECK_ERR(io_seek(f, 0, 7, NULL), ERR_INVAL);
	CHECK_ERR(io_seek(f, INT64_MAX, POSIX_SEEK_END, NULL), ERR_OVERFLOW);
	CHECK_OK(io_seek(f, INT64_MAX, POSIX_SEEK_SET, &pos));
	CHECK_ERR(io_write(f, "y", 1, &n), ERR_FBIG);
	CHECK_OK(io_read(f, buf, 10, &n));
	CHECK(n == 0, "read far past the end");
	CHECK_OK(io_seek(f, 5, 3 /* SEEK_DATA */, &pos));
	CHECK(pos == 5, "SEEK_DATA");
	CHECK_OK(io_seek(f, 5, 4 /* SEEK_HOLE */, &pos));
	CHECK(pos == 1101, "SEEK_HOLE");
	CHECK_ERR(io_seek(f, 1101, 3, NULL), ERR_NXIO);
	io_close(&f);
}

void t_shared_offset(void)
{
	char buf[8];
	size_t n;
	cap_t a, b;

	CHECK_OK(fs_mkdir(v_root, W, 0755));
	CHECK_OK(put_file(W "/f", "abcdef", 6));
	CHECK_OK(fs_open(v_root, W "/f", LINUX_O_RDONLY, 0, &a));
	/* dup: one more reference to the same description (and its offset),
	 * a capability with a badge of its own */
	CHECK_OK(io_dup(a, &b));
	CHECK(badge_of(b) != badge_of(a), "the same badge");
	CHECK_OK(io_read(a, buf, 2, &n));
	CHECK(n == 2 && same(buf, "ab", 2), "first");
	CHECK_OK(io_read(b, buf, 2, &n));
	CHECK(n == 2 && same(buf, "cd", 2), "offset not shared");
	CHECK_OK(io_close(&a));
	CHECK_OK(io_read(b, buf, 8, &n));
	CHECK(n == 2 && same(buf, "ef", 2), "closed with a reference left");
	CHECK_OK(io_close(&b));
}

void t_pread_pwrite(void)
{
	char buf[16];
	uint64_t pos;
	size_t n;
	cap_t f;

	CHECK_OK(fs_mkdir(v_root, W, 0755));
	CHECK_OK(put_file(W "/f", "abcdef", 6));
	CHECK_OK(fs_open(v_root, W "/f", LINUX_O_RDWR, 0, &f));
	CHECK_OK(io_seek(f, 1, POSIX_SEEK_SET, NULL));
	CHECK_OK(io_pwrite(f, "XYZ", 3, 2, &n));
	CHECK(n == 3, "pwrite");
	CHECK_OK(io_pread(f, buf, 3, 1, &n));
	CHECK(n == 3 && same(buf, "bXY", 3), "pread");
	CHECK_OK(io_seek(f, 0, POSIX_SEEK_CUR, &pos));
	CHECK(pos == 1, "the offset moved to %lu", (unsigned long)pos);
	CHECK_OK(io_pread(f, buf, 3, 100, &n));
	CHECK(n == 0, "pread past the end");
	CHECK_ERR(io_pread(f, buf, 3, (uint64_t)-1, &n), ERR_INVAL);
	CHECK_ERR(io_pwrite(f, "q", 1, (uint64_t)-5, &n), ERR_INVAL);
	CHECK_OK(io_pwrite(f, "e", 1, 9999, &n));
	CHECK_OK(io_pread(f, buf, 16, 9990, &n));
	CHECK(n == 10 && buf[0] == 0 && buf[9] == 'e', "sparse pwrite");
	io_close(&f);
}

void t_append(void)
{
	char buf[16];
	uint64_t fl;
	size_t n;
	cap_t f;

	CHECK_OK(fs_mkdir(v_root, W, 0755));
	CHECK_OK(put_file(W "/f", "12", 2));
	CHECK_OK(fs_open(v_root, W "/f", LINUX_O_RDWR | LINUX_O_APPEND, 0, &f));
	CHECK_OK(io_write(f, "a", 1, &n));
	CHECK_OK(io_seek(f, 0, POSIX_SEEK_SET, NULL));
	CHECK_OK(io_write(f, "b", 1, &n));
	CHECK_OK(io_pwrite(f, "c", 1, 0, &n));     /* Linux: O_APPEND wins over the offset */
	CHECK_OK(io_getfl(f, &fl));
	CHECK(fl == (LINUX_O_RDWR | LINUX_O_APPEND), "flags %lo", (unsigned long)fl);
	/* F_SETFL changes O_APPEND and O_NONBLOCK only */
	CHECK_OK(io_setfl(f, LINUX_O_WRONLY | LINUX_O_NONBLOCK | LINUX_O_SYNC));
	CHECK_OK(io_getfl(f, &fl));
	CHECK(fl == (LINUX_O_RDWR | LINUX_O_NONBLOCK), "flags after SETFL %lo", (unsigned long)fl);
	CHECK_OK(io_seek(f, 0, POSIX_SEEK_SET, NULL));
	CHECK_OK(io_write(f, "Z", 1, &n));
	io_close(&f);
	CHECK_OK(get_file(W "/f", buf, sizeof(buf), &n));
	CHECK(n == 5 && same(buf, "Z2abc", 5), "content %.*s", (int)n, buf);
}

void t_access_modes(void)
{
	char buf[8];
	size_t n;
	cap_t r, w;

	CHECK_OK(fs_mkdir(v_root, W, 0755));
	CHECK_OK(put_file(W "/f", "data", 4));
	CHECK_OK(fs_open(v_root, W "/f", LINUX_O_RDONLY, 0, &r));
	CHECK_ERR(io_write(r, "x", 1, &n), ERR_BADF);
	CHECK_ERR(io_pwrite(r, "x", 1, 0, &n), ERR_BADF);
	CHECK_ERR(io_truncate(r, 0), ERR_INVAL);
	CHECK_OK(io_read(r, buf, 8, &n));
	CHECK_OK(fs_open(v_root, W "/f", LINUX_O_WRONLY, 0, &w));
	CHECK_ERR(io_read(w, buf, 8, &n), ERR_BADF);
	CHECK_ERR(io_pread(w, buf, 8, 0, &n), ERR_BADF);
	CHECK_OK(io_write(w, "D", 1, &n));
	CHECK_OK(io_truncate(w, 2));
	io_close(&r);
	io_close(&w);
	CHECK_OK(get_file(W "/f", buf, sizeof(buf), &n));
	CHECK(n == 2 && same(buf, "Da", 2), "content");
}

void t_opath(void)
{
	struct posix_stat st;
	uint64_t fl;
	uint32_t rev;
	char buf[4];
	size_t n;
	cap_t p, l;

	CHECK_OK(fs_mkdir(v_root, W, 0755));
	CHECK_OK(put_file(W "/f", "data", 4));
	CHECK_OK(fs_symlink(v_root, "f", W "/l"));
	CHECK_OK(fs_open(v_root, W "/f", LINUX_O_PATH | LINUX_O_RDWR, 0, &p));
	CHECK_ERR(io_read(p, buf, 4, &n), ERR_BADF);
	CHECK_ERR(io_write(p, "x", 1, &n), ERR_BADF);
	CHECK_ERR(io_seek(p, 0, POSIX_SEEK_SET, NULL), ERR_BADF);
	CHECK_ERR(io_truncate(p, 0), ERR_BADF);
	CHECK_ERR(io_setfl(p, LINUX_O_APPEND), ERR_BADF);
	CHECK_OK(io_stat(p, &st));
	CHECK(st.size == 4, "stat");
	CHECK_OK(io_getfl(p, &fl));
	CHECK(fl & LINUX_O_PATH, "flags %lo", (unsigned long)fl);
	CHECK_OK(io_poll(p, 1, &rev));
	CHECK(rev == 0x20, "revents %x (want POLLNVAL)", rev);
	io_close(&p);
	CHECK_OK(fs_open(v_root, W "/l", LINUX_O_PATH | LINUX_O_NOFOLLOW, 0, &l));
	CHECK_OK(io_stat(l, &st));
	CHECK((st.mode & TMPFS_S_IFMT) == TMPFS_S_IFLNK && st.size == 1, "link mode %lo",
	      (unsigned long)st.mode);
	io_close(&l);
	CHECK_ERR(fs_open(v_root, W "/l", LINUX_O_RDONLY | LINUX_O_NOFOLLOW, 0, &l), ERR_LOOP);
}

void t_big_file(void)
{
	static uint8_t buf[POSIX_INLINE_MAX];
	struct posix_stat st;
	const size_t total = 100000;
	size_t off, n;
	cap_t f;

	CHECK_OK(fs_mkdir(v_root, W, 0755));
	CHECK_OK(fs_open(v_root, W "/big", LINUX_O_CREAT | LINUX_O_RDWR, 0600, &f));
	for (off = 0; off < total; off += n) {
		size_t k = total - off < sizeof(buf) ? total - off : sizeof(buf);
		for (size_t i = 0; i < k; i++)
			buf[i] = (uint8_t)((off + i) * 7 + ((off + i) >> 11));
		CHECK_OK(io_write(f, buf, k, &n));
		CHECK(n == k, "short write");
	}
	CHECK_OK(io_stat(f, &st));
	CHECK(st.size == total && st.blocks == 25 * 8, "size %lu blocks %lu", (unsigned long)st.size,
	      (unsigned long)st.blocks);
	CHECK_OK(io_seek(f, 0, POSIX_SEEK_SET, NULL));
	for (off = 0; off < total; off += n) {
		CHECK_OK(io_read(f, buf, sizeof(buf), &n));
		CHECK(n, "early end at %zu", off);
		for (size_t i = 0; i < n; i++)
			CHECK(buf[i] == (uint8_t)((off + i) * 7 + ((off + i) >> 11)), "byte %zu", off + i);
	}
	CHECK_OK(io_read(f, buf, sizeof(buf), &n));
	CHECK(n == 0, "past the end");
	io_close(&f);
}

void t_truncate(void)
{
	char buf[32];
	size_t n;
	cap_t f, d;

	CHECK_OK(fs_mkdir(v_root, W, 0755));
	CHECK_OK(put_file(W "/f", "0123456789abc", 13));
	CHECK_OK(fs_open(v_root, W "/f", LINUX_O_RDWR, 0, &f));
	CHECK_OK(io_truncate(f, 10));
	CHECK_OK(io_truncate(f, 20));
	CHECK_OK(io_pread(f, buf, sizeof(buf), 0, &n));
	CHECK(n == 20 && same(buf, "0123456789\0\0\0\0\0\0\0\0\0\0", 20), "extended with zeros");
	CHECK_ERR(io_truncate(f, (uint64_t)-1), ERR_INVAL);
	CHECK_ERR(io_truncate(f, 1ull << 50), ERR_FBIG);
	io_close(&f);
	CHECK_OK(fs_symlink(v_root, "f", W "/l"));
	CHECK_OK(fs_truncate(v_root, W "/l", 3));
	CHECK_OK(get_file(W "/f", buf, sizeof(buf), &n));
	CHECK(n == 3 && same(buf, "012", 3), "by path through a link");
	CHECK_ERR(fs_truncate(v_root, W, 0), ERR_ISDIR);
	CHECK_ERR(fs_truncate(v_root, W "/nope", 0), ERR_NOENT);
	CHECK_ERR(fs_truncate(v_root, W "/f", (uint64_t)-3), ERR_INVAL);
	CHECK_OK(fs_open(v_root, W, LINUX_O_RDONLY, 0, &d));
	CHECK_ERR(io_truncate(d, 0), ERR_INVAL);
	io_close(&d);
}

/* ---- directories ------------------------------------------------------------------------- */

void t_mkdir_rmdir(void)
{
	struct posix_stat st, w0, w1;

	CHECK_OK(fs_mkdir(v_root, W, 0755));
	CHECK_OK(fs_stat(v_root, W, 0, &w0));
	CHECK_OK(fs_mkdir(v_root, W "/d", 0750));
	CHECK_OK(fs_stat(v_root, W "/d", 0, &st));
	CHECK(st.mode == (TMPFS_S_IFDIR | 0750) && st.nlink == 2, "mode %lo nlink %lu",
	      (unsigned long)st.mode, (unsigned long)st.nlink);
	CHECK_OK(fs_stat(v_root, W, 0, &w1));
	CHECK(w1.nlink == w0.nlink + 1, "parent nlink %lu", (unsigned long)w1.nlink);
	CHECK_ERR(fs_mkdir(v_root, W "/d", 0755), ERR_EXIST);
	CHECK_ERR(fs_mkdir(v_root, W "/x/y", 0755), ERR_NOENT);
	CHECK_OK(put_file(W "/f", "", 0));
	CHECK_ERR(fs_mkdir(v_root, W "/f/y", 0755), ERR_NOTDIR);
	CHECK_ERR(fs_mkdir(v_root, W "/f", 0755), ERR_EXIST);
	CHECK_ERR(fs_mkdir(v_root, "/", 0755), ERR_EXIST);
	CHECK_OK(fs_mkdir(v_root, W "/d/e/", 0755));
	CHECK_ERR(fs_unlink(v_root, W "/d", LINUX_AT_REMOVEDIR), ERR_NOTEMPTY);
	CHECK_ERR(fs_unlink(v_root, W "/f", LINUX_AT_REMOVEDIR), ERR_NOTDIR);
	CHECK_ERR(fs_unlink(v_root, W "/d/e/.", LINUX_AT_REMOVEDIR), ERR_INVAL);
	CHECK_ERR(fs_unlink(v_root, W "/d/e/..", LINUX_AT_REMOVEDIR), ERR_NOTEMPTY);
	CHECK_ERR(fs_unlink(v_root, "/", LINUX_AT_REMOVEDIR), ERR_BUSY);
	CHECK_ERR(fs_unlink(v_root, W "/d/e", 0), ERR_ISDIR);
	CHECK_ERR(fs_unlink(v_root, W "/d/none", LINUX_AT_REMOVEDIR), ERR_NOENT);
	CHECK_OK(fs_unlink(v_root, W "/d/e", LINUX_AT_REMOVEDIR));
	CHECK_OK(fs_unlink(v_root, W "/d", LINUX_AT_REMOVEDIR));
	CHECK_OK(fs_stat(v_root, W, 0, &w1));
	CHECK(w1.nlink == w0.nlink, "parent nlink back to %lu", (unsigned long)w1.nlink);
}

void t_unlink(void)
{
	struct posix_stat st;
	uint64_t h0, n0, h1, n1, x;
	char buf[8];
	size_t n;
	cap_t f;

	CHECK_OK(fs_mkdir(v_root, W, 0755));
	CHECK_OK(put_file(W "/f", "kept", 4));
	CHECK_OK(fs_open(v_root, W "/f", LINUX_O_RDONLY, 0, &f));
	CHECK_OK(vfs_stats(&h0, &n0, &x, &x));
	CHECK_OK(fs_unlink(v_root, W "/f", 0));
	CHECK_ERR(fs_stat(v_root, W "/f", 0, &st), ERR_NOENT);
	CHECK_OK(io_stat(f, &st));
	CHECK(st.nlink == 0, "nlink %lu", (unsigned long)st.nlink);
	CHECK_OK(io_read(f, buf, 8, &n));
	CHECK(n == 4 && same(buf, "kept", 4), "an open unlinked file keeps its data");
	CHECK_OK(vfs_stats(&h1, &n1, &x, &x));
	CHECK(n1 == n0, "the node went while open");
	io_close(&f);
	CHECK_OK(vfs_stats(&h1, &n1, &x, &x));
	CHECK(n1 == n0 - 1 && h1 == h0 - 1, "nodes %lu -> %lu, objects %lu -> %lu", (unsigned long)n0,
	      (unsigned long)n1, (unsigned long)h0, (unsigned long)h1);
	CHECK_ERR(fs_unlink(v_root, W "/f", 0), ERR_NOENT);
	CHECK_OK(put_file(W "/g", "", 0));
	CHECK_ERR(fs_unlink(v_root, W "/g/", 0), ERR_NOTDIR);
	CHECK_ERR(fs_unlink(v_root, W "/g", 1), ERR_INVAL);
	CHECK_ERR(vcall(v_root, FS_UNLINK, 1ull << 33, 0, 8, 0, W "/g", 8, CAP_NULL).err, ERR_INVAL);
	CHECK_ERR(fs_unlink(v_root, W "/.", 0), ERR_ISDIR);
	CHECK_OK(fs_unlink(v_root, W "/g", 0));
}

void t_rename(void)
{
	struct posix_stat a, b;
	char buf[8];
	size_t n;

	CHECK_OK(fs_mkdir(v_root, W, 0755));
	CHECK_OK(put_file(W "/a", "A", 1));
	CHECK_OK(put_file(W "/b", "B", 1));
	CHECK_OK(fs_mkdir(v_root, W "/d", 0755));
	CHECK_OK(fs_stat(v_root, W "/a", 0, &a));
	CHECK_OK(fs_rename(v_root, W "/a", CAP_NULL, W "/b", 0));
	CHECK_ERR(fs_stat(v_root, W "/a", 0, &b), ERR_NOENT);
	CHECK_OK(fs_stat(v_root, W "/b", 0, &b));
	CHECK(b.ino == a.ino, "replaced by the wrong node");
	CHECK_OK(get_file(W "/b", buf, 8, &n));
	CHECK(n == 1 && buf[0] == 'A', "content");
	CHECK_ERR(fs_rename(v_root, W "/nope", CAP_NULL, W "/x", 0), ERR_NOENT);
	CHECK_ERR(fs_rename(v_root, W "/b", CAP_NULL, W "/d", 0), ERR_ISDIR);
	CHECK_ERR(fs_rename(v_root, W "/d", CAP_NULL, W "/b", 0), ERR_NOTDIR);
	CHECK_ERR(fs_rename(v_root, W "/b", CAP_NULL, W "/nodir/x", 0), ERR_NOENT);
	CHECK_ERR(fs_rename(v_root, W "/b", CAP_NULL, W "/c/", 0), ERR_NOTDIR);
	CHECK_ERR(fs_rename(v_root, W "/.", CAP_NULL, W "/x", 0), ERR_BUSY);
	CHECK_OK(fs_rename(v_root, W "/b", CAP_NULL, W "/b", 0));
	CHECK_OK(put_file(W "/c", "C", 1));
	CHECK_ERR(fs_rename(v_root, W "/b", CAP_NULL, W "/c", LINUX_RENAME_NOREPLACE), ERR_EXIST);
	CHECK_ERR(fs_rename(v_root, W "/b", CAP_NULL, W "/c", 4), ERR_INVAL);
	CHECK_ERR(fs_rename(v_root, W "/b", CAP_NULL, W "/c", 3), ERR_INVAL);
	CHECK_OK(fs_rename(v_root, W "/b", CAP_NULL, W "/c", LINUX_RENAME_EXCHANGE));
	CHECK_OK(get_file(W "/b", buf, 8, &n));
	CHECK(n == 1 && buf[0] == 'C', "exchanged b");
	CHECK_OK(get_file(W "/c", buf, 8, &n));
	CHECK(n == 1 && buf[0] == 'A', "exchanged c");
	CHECK_ERR(fs_rename(v_root, W "/b", CAP_NULL, W "/zz", LINUX_RENAME_EXCHANGE), ERR_NOENT);
	CHECK_ERR(vcall(v_root, FS_RENAME, 1ull << 32, 0, 1, 1, "ab", 2, CAP_NULL).err, ERR_INVAL);
}

void t_rename_dirs(void)
{
	struct posix_stat st, d0;
	cap_t d2, f, note, fake;

	CHECK_OK(fs_mkdir(v_root, W, 0755));
	CHECK_OK(fs_mkdir(v_root, W "/d", 0755));
	CHECK_OK(fs_mkdir(v_root, W "/d/sub", 0755));
	CHECK_OK(fs_mkdir(v_root, W "/e", 0755));
	CHECK_OK(fs_mkdir(v_root, W "/full", 0755));
	CHECK_OK(put_file(W "/full/x", "", 0));
	CHECK_ERR(fs_rename(v_root, W "/d", CAP_NULL, W "/d/sub/x", 0), ERR_INVAL);
	CHECK_ERR(fs_rename(v_root, W "/d", CAP_NULL, W "/full", 0), ERR_NOTEMPTY);
	CHECK_OK(fs_stat(v_root, W "/d", 0, &d0));
	/* across parents, over an empty directory: the link counts follow */
	CHECK_OK(fs_rename(v_root, W "/d/sub", CAP_NULL, W "/e", 0));
	CHECK_OK(fs_stat(v_root, W "/d", 0, &st));
	CHECK(st.nlink == d0.nlink - 1, "old parent nlink %lu", (unsigned long)st.nlink);
	CHECK_OK(fs_stat(v_root, W "/e/..", 0, &st));
	CHECK_OK(fs_stat(v_root, W, 0, &d0));
	CHECK(st.ino == d0.ino, "'..' of the moved directory");
	/* the second path from another directory object (cap0) */
	CHECK_OK(fs_open(v_root, W "/d", LINUX_O_RDONLY | LINUX_O_DIRECTORY, 0, &d2));
	CHECK_OK(put_file(W "/f", "", 0));
	CHECK_OK(fs_rename(v_root, W "/f", d2, "moved", 0));
	CHECK_OK(fs_stat(v_root, W "/d/moved", 0, &st));
	CHECK_OK(fs_rename(d2, "moved", v_root, W "/back", 0));
	CHECK_OK(fs_stat(v_root, W "/back", 0, &st));
	/* cap0 that is not a directory object of this server */
	CHECK_OK(fs_open(v_root, W "/back", LINUX_O_RDONLY, 0, &f));
	CHECK_ERR(fs_rename(v_root, W "/back", f, "x", 0), ERR_NOTDIR);
	note = mk_notification();
	CHECK_ERR(fs_rename(v_root, W "/back", note, "x", 0), ERR_BADF);
	fake = forge(0x123456);
	CHECK_ERR(fs_rename(v_root, W "/back", fake, "x", 0), ERR_BADF);
	CHECK_ERR(fs_rename(v_root, W "/back", v_ep, "x", 0), ERR_BADF);
	del(&fake);
	del(&note);
	io_close(&f);
	io_close(&d2);
}

void t_hard_links(void)
{
	struct posix_stat a, b;
	char buf[8];
	size_t n;
	cap_t d;

	CHECK_OK(fs_mkdir(v_root, W, 0755));
	CHECK_OK(fs_mkdir(v_root, W "/d", 0755));
	CHECK_OK(put_file(W "/f", "L", 1));
	CHECK_OK(fs_link(v_root, W "/f", CAP_NULL, W "/g", 0));
	CHECK_OK(fs_stat(v_root, W "/f", 0, &a));
	CHECK_OK(fs_stat(v_root, W "/g", 0, &b));
	CHECK(a.ino == b.ino && a.nlink == 2 && b.nlink == 2, "nlink %lu", (unsigned long)a.nlink);
	CHECK_ERR(fs_link(v_root, W "/f", CAP_NULL, W "/g", 0), ERR_EXIST);
	CHECK_ERR(fs_link(v_root, W "/d", CAP_NULL, W "/d2", 0), ERR_PERM);
	CHECK_ERR(fs_link(v_root, W "/nope", CAP_NULL, W "/x", 0), ERR_NOENT);
	CHECK_ERR(fs_link(v_root, W "/f", CAP_NULL, W "/x", 0x8000), ERR_INVAL);
	CHECK_OK(fs_open(v_root, W "/d", LINUX_O_RDONLY, 0, &d));
	CHECK_OK(fs_link(v_root, W "/f", d, "h", 0));
	io_close(&d);
	CHECK_OK(fs_unlink(v_root, W "/f", 0));
	CHECK_OK(fs_stat(v_root, W "/d/h", 0, &b));
	CHECK(b.nlink == 2, "nlink after unlink %lu", (unsigned long)b.nlink);
	CHECK_OK(get_file(W "/g", buf, 8, &n));
	CHECK(n == 1 && buf[0] == 'L', "content");
}

void t_symlinks(void)
{
	struct posix_stat st, t;
	char buf[64];
	cap_t f;

	CHECK_OK(fs_mkdir(v_root, W, 0755));
	CHECK_OK(fs_mkdir(v_root, W "/dir", 0755));
	CHECK_OK(put_file(W "/dir/target", "T", 1));
	CHECK_OK(fs_symlink(v_root, "dir/target", W "/rel"));
	CHECK_OK(fs_symlink(v_root, W "/dir", W "/abs"));
	CHECK_OK(fs_readlink(v_root, W "/rel", buf, sizeof(buf)));
	CHECK(!strcmp(buf, "dir/target"), "readlink %s", buf);
	CHECK_OK(fs_stat(v_root, W "/rel", LINUX_AT_SYMLINK_NOFOLLOW, &st));
	CHECK((st.mode & TMPFS_S_IFMT) == TMPFS_S_IFLNK && st.size == 10, "lstat mode %lo size %lu",
	      (unsigned long)st.mode, (unsigned long)st.size);
	CHECK_OK(fs_stat(v_root, W "/rel", 0, &st));
	CHECK_OK(fs_stat(v_root, W "/dir/target", 0, &t));
	CHECK(st.ino == t.ino, "stat does not follow");
	CHECK_OK(fs_stat(v_root, W "/abs/target", 0, &st));
	CHECK(st.ino == t.ino, "through an absolute link");
	CHECK_OK(fs_stat(v_root, W "/abs/", LINUX_AT_SYMLINK_NOFOLLOW, &st));
	CHECK((st.mode & TMPFS_S_IFMT) == TMPFS_S_IFDIR, "a trailing slash follows");
	CHECK_ERR(fs_readlink(v_root, W "/dir/target", buf, sizeof(buf)), ERR_INVAL);
	CHECK_ERR(fs_readlink(v_root, W "/none", buf, sizeof(buf)), ERR_NOENT);
	CHECK_ERR(fs_symlink(v_root, "x", W "/rel"), ERR_EXIST);
	CHECK_ERR(fs_symlink(v_root, "", W "/empty"), ERR_NOENT);
	/* a dangling link: O_CREAT makes its target */
	CHECK_OK(fs_symlink(v_root, "dir/made", W "/dangling"));
	CHECK_ERR(fs_stat(v_root, W "/dangling", 0, &st), ERR_NOENT);
	CHECK_ERR(fs_open(v_root, W "/dangling", LINUX_O_CREAT | LINUX_O_EXCL | LINUX_O_WRONLY, 0600, &f), ERR_EXIST);
	CHECK_OK(fs_open(v_root, W "/dangling", LINUX_O_CREAT | LINUX_O_WRONLY, 0600, &f));
	io_close(&f);
	CHECK_OK(fs_stat(v_root, W "/dir/made", 0, &st));
	CHECK_ERR(fs_mkdir(v_root, W "/dangling", 0755), ERR_EXIST);
	/* unlink removes the link, not what it points to */
	CHECK_OK(fs_unlink(v_root, W "/abs", 0));
	CHECK_OK(fs_stat(v_root, W "/dir", 0, &st));
}

void t_symlink_loops(void)
{
	struct posix_stat st;
	char name[32], target[32];
	cap_t f;

	CHECK_OK(fs_mkdir(v_root, W, 0755));
	CHECK_OK(fs_symlink(v_root, "b", W "/a"));
	CHECK_OK(fs_symlink(v_root, "a", W "/b"));
	CHECK_ERR(fs_stat(v_root, W "/a", 0, &st), ERR_LOOP);
	CHECK_ERR(fs_stat(v_root, W "/a/x", 0, &st), ERR_LOOP);
	CHECK_ERR(fs_open(v_root, W "/a", LINUX_O_CREAT | LINUX_O_RDWR, 0600, &f), ERR_LOOP);
	CHECK_OK(fs_stat(v_root, W "/a", LINUX_AT_SYMLINK_NOFOLLOW, &st));
	CHECK_OK(fs_symlink(v_root, "self/x", W "/self"));
	CHECK_ERR(fs_stat(v_root, W "/self", 0, &st), ERR_LOOP);
	/* 40 links in a row are followed, 41 are a loop */
	CHECK_OK(put_file(W "/l0", "end", 3));
	for (int i = 1; i <= 41; i++) {
		fmt_snprintf(target, sizeof(target), "l%d", i - 1);
		fmt_snprintf(name, sizeof(name), W "/l%d", i);
		CHECK_OK(fs_symlink(v_root, target, name));
	}
	CHECK_OK(fs_stat(v_root, W "/l40", 0, &st));
	CHECK(st.size == 3, "l40 size");
	CHECK_ERR(fs_stat(v_root, W "/l41", 0, &st), ERR_LOOP);
}

void t_path_limits(void)
{
	static char p[POSIX_INLINE_MAX];
	struct posix_stat st;
	size_t len;
	cap_t l;

	CHECK_OK(fs_mkdir(v_root, W, 0755));
	/* a component of 255 bytes is fine, 256 is too long */
	memcpy(p, W "/", 7);
	memset(p + 7, 'n', 255);
	p[7 + 255] = 0;
	CHECK_ERR(fs_stat(v_root, p, 0, &st), ERR_NOENT);
	CHECK_OK(put_file(p, "", 0));
	CHECK_OK(fs_stat(v_root, p, 0, &st));
	p[7 + 255] = 'n';
	p[7 + 256] = 0;
	CHECK_ERR(fs_stat(v_root, p, 0, &st), ERR_NAMETOOLONG);
	CHECK_ERR(fs_mkdir(v_root, p, 0755), ERR_NAMETOOLONG);
	/* a length word of a path of 4096 bytes or more */
	CHECK_ERR(vcall(v_root, FS_STAT, 0, 0, 4096, 0, "/", 1, CAP_NULL).err, ERR_NAMETOOLONG);
	CHECK_ERR(vcall(v_root, FS_STAT, 0, 0, UINT64_MAX, 0, "/", 1, CAP_NULL).err, ERR_NAMETOOLONG);
	/* a length beyond the bytes the message carries */
	CHECK_ERR(vcall(v_root, FS_STAT, 0, 0, 100, 0, "/tmp/w/", 7, CAP_NULL).err, ERR_INVAL);
	CHECK_ERR(vcall(v_root, FS_STAT, 0, 0, 9, 0, NULL, 0, CAP_NULL).err, ERR_INVAL);
	/* a NUL inside the path; the empty path */
	CHECK_ERR(vcall(v_root, FS_STAT, 0, 0, 9, 0, "/tmp\0/w/", 9, CAP_NULL).err, ERR_INVAL);
	CHECK_ERR(fs_stat(v_root, "", 0, &st), ERR_NOENT);
	CHECK_ERR(fs_open(v_root, "", LINUX_O_CREAT | LINUX_O_RDWR, 0600, &l), ERR_NOENT);
	/* ".." at the root stays there */
	CHECK_OK(fs_stat(v_root, "/../../tmp/../../tmp/w/.", 0, &st));
	/* the longest path a message carries: 4000 bytes */
	memset(p, '/', sizeof(p));
	CHECK_ERR(vcall(v_root, FS_STAT, 0, 0, sizeof(p), 0, p, sizeof(p), CAP_NULL).err, ERR_OK);
	for (size_t i = 0; i + 1 < sizeof(p); i += 2) {
		p[i] = '.';
		p[i + 1] = '/';
	}
	CHECK_ERR(vcall(v_root, FS_STAT, 0, 0, sizeof(p), 0, p, sizeof(p), CAP_NULL).err, ERR_OK);
	/* a link whose expansion makes the path 4096 bytes or more */
	memcpy(p, W "/", 7);
	for (len = 7; len < 3007; len += 2) {
		p[len] = '.';
		p[len + 1] = '/';
	}
	p[len] = 0;
	CHECK_OK(fs_symlink(v_root, p, W "/long"));
	memcpy(p, W "/long/", 12);
	for (len = 12; len < 1000; len += 2) {
		p[len] = '.';
		p[len + 1] = '/';
	}
	p[len] = 0;
	CHECK_OK(fs_stat(v_root, p, 0, &st));
	for (; len < 2100; len += 2) {
		p[len] = '.';
		p[len + 1] = '/';
	}
	p[len] = 0;
	CHECK_ERR(fs_stat(v_root, p, 0, &st), ERR_NAMETOOLONG);
}

void t_relative(void)
{
	struct posix_stat st, a;
	cap_t d, f, g;

	CHECK_OK(fs_mkdir(v_root, W, 0755));
	CHECK_OK(fs_mkdir(v_root, W "/sub", 0755));
	CHECK_OK(fs_open(v_root, W "/sub", LINUX_O_RDONLY | LINUX_O_DIRECTORY, 0, &d));
	CHECK_OK(fs_open(d, "f", LINUX_O_CREAT | LINUX_O_RDWR, 0600, &f));
	CHECK_OK(fs_stat(v_root, W "/sub/f", 0, &a));
	CHECK_OK(fs_stat(d, "f", 0, &st));
	CHECK(st.ino == a.ino, "relative");
	CHECK_OK(fs_stat(d, "../sub/./f", 0, &st));
	CHECK(st.ino == a.ino, "through ..");
	CHECK_OK(fs_stat(d, W "/sub/f", 0, &st));
	CHECK(st.ino == a.ino, "absolute from a directory object");
	CHECK_OK(fs_stat(d, ".", 0, &st));
	CHECK_OK(fs_mkdir(d, "x", 0755));
	CHECK_OK(fs_stat(v_root, W "/sub/x", 0, &st));
	/* a file object is no directory */
	CHECK_ERR(fs_open(f, "g", LINUX_O_CREAT | LINUX_O_RDWR, 0600, &g), ERR_NOTDIR);
	CHECK_ERR(fs_mkdir(f, "x", 0755), ERR_NOTDIR);
	CHECK_ERR(fs_unlink(f, "x", 0), ERR_NOTDIR);
	CHECK_ERR(fs_stat(f, "x", 0, &st), ERR_NOTDIR);
	/* a directory removed while open: nothing can be made in it */
	CHECK_OK(fs_unlink(v_root, W "/sub/x", LINUX_AT_REMOVEDIR));
	CHECK_OK(fs_unlink(v_root, W "/sub/f", 0));
	CHECK_OK(fs_unlink(v_root, W "/sub", LINUX_AT_REMOVEDIR));
	CHECK_ERR(fs_open(d, "g", LINUX_O_CREAT | LINUX_O_RDWR, 0600, &g), ERR_NOENT);
	CHECK_ERR(fs_stat(d, "..", 0, &st), ERR_NOENT);
	CHECK_OK(fs_stat(d, ".", 0, &st));
	CHECK(st.nlink == 0, "removed directory nlink %lu", (unsigned long)st.nlink);
	io_close(&f);
	io_close(&d);
}

struct dent {
	uint64_t ino;
	int64_t off;
	uint16_t reclen;
	uint8_t type;
	const char *name;
};

/* The records of buf[0..n) into out (at most max); their count, or -1 if
 * one is malformed. */
static int dents(const uint8_t *buf, size_t n, struct dent *out, int max)
{
	int k = 0;

	for (size_t pos = 0; pos < n; k++) {
		if (k == max || n - pos < 24)
			return -1;
		memcpy(&out[k].ino, buf + pos, 8);
		memcpy(&out[k].off, buf + pos + 8, 8);
		memcpy(&out[k].reclen, buf + pos + 16, 2);
		out[k].type = buf[pos + 18];
		out[k].name = (const char *)buf + pos + 19;
		if (out[k].reclen % 8 || out[k].reclen < 24 || out[k].reclen > n - pos ||
		    !memchr(buf + pos + 19, 0, out[k].reclen - 19u))
			return -1;
		pos += out[k].reclen;
	}
	return k;
}

void t_readdir(void)
{
	static uint8_t buf[POSIX_INLINE_MAX];
	struct posix_stat st, ds;
	struct dent de[16];
	uint64_t next;
	size_t n;
	int k;
	cap_t d, p, f;

	CHECK_OK(fs_mkdir(v_root, W, 0755));
	CHECK_OK(put_file(W "/a", "", 0));
	CHECK_OK(fs_mkdir(v_root, W "/bb", 0755));
	CHECK_OK(fs_symlink(v_root, "a", W "/ccc"));
	CHECK_OK(fs_open(v_root, W, LINUX_O_RDONLY | LINUX_O_DIRECTORY, 0, &d));
	CHECK_OK(io_readdir(d, POSIX_DIR_POS, sizeof(buf), buf, &next, &n));
	CHECK((k = dents(buf, n, de, 16)) == 5, "%d records", k);
	CHECK_OK(fs_stat(v_root, W, 0, &ds));
	CHECK(!strcmp(de[0].name, ".") && de[0].ino == ds.ino && de[0].type == LINUX_DT_DIR, ".");
	CHECK(!strcmp(de[1].name, "..") && de[1].type == LINUX_DT_DIR, "..");
	CHECK_OK(fs_stat(v_root, W "/a", 0, &st));
	CHECK(!strcmp(de[2].name, "a") && de[2].type == LINUX_DT_REG && de[2].ino == st.ino, "a");
	CHECK(!strcmp(de[3].name, "bb") && de[3].type == LINUX_DT_DIR, "bb");
	CHECK(!strcmp(de[4].name, "ccc") && de[4].type == LINUX_DT_LNK, "ccc");
	CHECK(de[0].off == 1 && de[1].off == 2 && (uint64_t)de[4].off == next, "cookies");
	/* the description remembers where it is */
	CHECK_OK(io_readdir(d, POSIX_DIR_POS, sizeof(buf), buf, &next, &n));
	CHECK(n == 0, "not at the end: %zu", n);
	CHECK_OK(io_seek(d, 0, POSIX_SEEK_SET, NULL));
	CHECK_OK(io_readdir(d, POSIX_DIR_POS, 24, buf, &next, &n));
	CHECK(n == 24 && dents(buf, n, de, 1) == 1 && !strcmp(de[0].name, "."), "one record");
	CHECK_OK(io_readdir(d, POSIX_DIR_POS, 24, buf, &next, &n));
	CHECK(n == 24 && dents(buf, n, de, 1) == 1 && !strcmp(de[0].name, ".."), "the next one");
	/* an explicit cookie */
	CHECK_OK(io_readdir(d, 3, sizeof(buf), buf, &next, &n));
	CHECK(dents(buf, n, de, 16) == 2 && !strcmp(de[0].name, "bb"), "from cookie 3");
	CHECK_ERR(io_readdir(d, 0, 23, buf, &next, &n), ERR_INVAL);
	CHECK_ERR(io_readdir(d, 0, 0, buf, &next, &n), ERR_INVAL);
	CHECK_OK(io_readdir(d, 1ull << 62, sizeof(buf), buf, &next, &n));
	CHECK(n == 0, "past the end");
	io_close(&d);
	CHECK_OK(fs_open(v_root, W, LINUX_O_PATH | LINUX_O_DIRECTORY, 0, &p));
	CHECK_ERR(io_readdir(p, 0, sizeof(buf), buf, &next, &n), ERR_BADF);
	io_close(&p);
	CHECK_OK(fs_open(v_root, W "/a", LINUX_O_RDONLY, 0, &f));
	CHECK_ERR(io_readdir(f, 0, sizeof(buf), buf, &next, &n), ERR_NOTDIR);
	io_close(&f);
	CHECK_ERR(io_read(v_root, buf, 10, &n), ERR_ISDIR);
}

void t_readdir_many(void)
{
	static uint8_t buf[512];
	static uint8_t seen[300];
	char name[40];
	struct dent de[32];
	uint64_t next = 0;
	unsigned total = 0;
	size_t n;
	cap_t d;

	CHECK_OK(fs_mkdir(v_root, W, 0755));
	for (unsigned i = 0; i < 300; i++) {
		fmt_snprintf(name, sizeof(name), W "/file-%u", i);
		CHECK_OK(put_file(name, "", 0));
	}
	memset(seen, 0, sizeof(seen));
	CHECK_OK(fs_open(v_root, W, LINUX_O_RDONLY | LINUX_O_DIRECTORY, 0, &d));
	for (;;) {
		int k;
		CHECK_OK(io_readdir(d, POSIX_DIR_POS, sizeof(buf), buf, &next, &n));
		if (!n)
			break;
		CHECK((k = dents(buf, n, de, 32)) > 0, "malformed");
		for (int i = 0; i < k; i++) {
			unsigned v;
			total++;
			if (!strncmp(de[i].name, "file-", 5)) {
				v = (unsigned)strtoul(de[i].name + 5, NULL, 10);
				CHECK(v < 300 && !seen[v], "%s twice", de[i].name);
				seen[v] = 1;
				/* removing entries while reading skips none of the others */
				if (v % 3 == 0) {
					fmt_snprintf(name, sizeof(name), W "/%s", de[i].name);
					CHECK_OK(fs_unlink(v_root, name, 0));
				}
			}
		}
	}
	io_close(&d);
	CHECK(total == 302, "%u records", total);
}

/* ---- attributes ------------------------------------------------------------------------ */

void t_stat(void)
{
	struct posix_stat a, b, c;
	size_t n;
	cap_t f;

	CHECK_OK(fs_mkdir(v_root, W, 0755));
	CHECK_OK(put_file(W "/a", "x", 1));
	CHECK_OK(put_file(W "/b", "yy", 2));
	CHECK_OK(fs_stat(v_root, W "/a", 0, &a));
	CHECK_OK(fs_stat(v_root, W "/b", 0, &b));
	CHECK(a.ino != b.ino && a.dev == b.dev && a.dev == TMPFS_DEV, "ino/dev");
	/* made through a process's root with no credential token: nobody's
	 * (docs/users.md; this VFS knows a process server, the fake one) */
	CHECK(a.blksize == 4096 && a.size == 1 && b.size == 2 && a.uid == POSIX_OVERFLOW_ID &&
	      a.gid == POSIX_OVERFLOW_ID, "fields");
	CHECK(a.mtime_sec || a.mtime_nsec, "no time");
	sleep_ms(2);
	CHECK_OK(fs_open(v_root, W "/a", LINUX_O_WRONLY, 0, &f));
	CHECK_OK(io_write(f, "z", 1, &n));
	CHECK_OK(io_stat(f, &c));
	io_close(&f);
	CHECK(c.mtime_sec > a.mtime_sec || (c.mtime_sec == a.mtime_sec && c.mtime_nsec > a.mtime_nsec),
	      "mtime did not move");
	CHECK(c.ctime_sec == c.mtime_sec && c.ctime_nsec == c.mtime_nsec, "ctime");
	CHECK_ERR(fs_stat(v_root, W "/a", 0x2, &a), ERR_INVAL);
	CHECK_ERR(fs_stat(v_root, W "/a", LINUX_AT_REMOVEDIR, &a), ERR_INVAL);
	CHECK_ERR(fs_stat(v_root, W "/nope", 0, &a), ERR_NOENT);
}

void t_chmod(void)
{
	struct posix_stat st, before;

	CHECK_OK(fs_mkdir(v_root, W, 0755));
	CHECK_OK(put_file(W "/f", "", 0));
	CHECK_OK(fs_symlink(v_root, "f", W "/l"));
	CHECK_OK(fs_stat(v_root, W "/f", 0, &before));
	sleep_ms(2);
	CHECK_OK(fs_chmod(v_root, W "/f", 0600, 0));
	CHECK_OK(fs_stat(v_root, W "/f", 0, &st));
	CHECK(st.mode == (TMPFS_S_IFREG | 0600), "mode %lo", (unsigned long)st.mode);
	CHECK(st.ctime_sec != before.ctime_sec || st.ctime_nsec != before.ctime_nsec, "ctime");
	CHECK_OK(fs_chmod(v_root, W "/l", 0170777, 0));     /* type bits are ignored */
	CHECK_OK(fs_stat(v_root, W "/f", 0, &st));
	CHECK(st.mode == (TMPFS_S_IFREG | 0777), "through the link: %lo", (unsigned long)st.mode);
	CHECK_OK(fs_chmod(v_root, W "/f", 07777, 0));
	CHECK_OK(fs_stat(v_root, W "/f", 0, &st));
	CHECK(st.mode == (TMPFS_S_IFREG | 07777), "all bits: %lo", (unsigned long)st.mode);
	CHECK_ERR(fs_chmod(v_root, W "/l", 0600, LINUX_AT_SYMLINK_NOFOLLOW), ERR_OPNOTSUPP);
	CHECK_ERR(fs_chmod(v_root, W "/nope", 0600, 0), ERR_NOENT);
	CHECK_ERR(fs_chmod(v_root, W "/f", 0600, LINUX_AT_REMOVEDIR), ERR_INVAL);
	CHECK_OK(fs_chmod(v_root, W, 0700, 0));
	CHECK_OK(fs_stat(v_root, W, 0, &st));
	CHECK(st.mode == (TMPFS_S_IFDIR | 0700), "dir mode");
}

void t_utimens(void)
{
	int64_t t[4] = { 1000, 1, 2000, 2 };
	struct posix_stat st, l;

	CHECK_OK(fs_mkdir(v_root, W, 0755));
	CHECK_OK(put_file(W "/f", "", 0));
	CHECK_OK(fs_symlink(v_root, "f", W "/l"));
	CHECK_OK(fs_utimens(v_root, W "/f", 0, t));
	CHECK_OK(fs_stat(v_root, W "/f", 0, &st));
	CHECK(st.atime_sec == 1000 && st.atime_nsec == 1 && st.mtime_sec == 2000 && st.mtime_nsec == 2,
	      "times %ld %ld", (long)st.atime_sec, (long)st.mtime_sec);
	t[1] = LINUX_UTIME_OMIT;
	t[3] = LINUX_UTIME_NOW;
	CHECK_OK(fs_utimens(v_root, W "/l", 0, t));         /* follows the link */
	CHECK_OK(fs_stat(v_root, W "/f", 0, &st));
	CHECK(st.atime_sec == 1000 && st.mtime_sec != 2000, "OMIT/NOW");
	t[0] = 5;
	t[1] = 6;
	t[3] = LINUX_UTIME_OMIT;
	CHECK_OK(fs_utimens(v_root, W "/l", LINUX_AT_SYMLINK_NOFOLLOW, t));
	CHECK_OK(fs_stat(v_root, W "/l", LINUX_AT_SYMLINK_NOFOLLOW, &l));
	CHECK(l.atime_sec == 5 && l.atime_nsec == 6, "the link's own times");
	CHECK_OK(fs_stat(v_root, W "/f", 0, &st));
	CHECK(st.atime_sec == 1000, "the target's changed too");
	t[1] = 1000000000;
	CHECK_ERR(fs_utimens(v_root, W "/f", 0, t), ERR_INVAL);
	t[1] = -1;
	CHECK_ERR(fs_utimens(v_root, W "/f", 0, t), ERR_INVAL);
	t[1] = 0;
	CHECK_ERR(fs_utimens(v_root, W "/nope", 0, t), ERR_NOENT);
	CHECK_ERR(fs_utimens(v_root, W "/f", LINUX_AT_REMOVEDIR, t), ERR_INVAL);
	/* times missing from the message */
	CHECK_ERR(vcall(v_root, FS_UTIMENS, 0, 0, 8, 0, W "/f", 8, CAP_NULL).err, ERR_INVAL);
}

void t_access(void)
{
	CHECK_OK(fs_mkdir(v_root, W, 0755));
	CHECK_OK(put_file(W "/f", "", 0));
	CHECK_OK(fs_access(v_root, W "/f", 0, 0));
	CHECK_OK(fs_access(v_root, W "/f", 6, 0));
	CHECK_ERR(fs_access(v_root, W "/f", 1, 0), ERR_ACCES);
	CHECK_OK(fs_chmod(v_root, W "/f", 0100, 0));
	CHECK_OK(fs_access(v_root, W "/f", 1, LINUX_AT_EACCESS));
	CHECK_ERR(fs_access(v_root, W "/f", 7, LINUX_AT_EACCESS), ERR_ACCES);   /* its owner's bits */
	CHECK_OK(fs_access(v_root, W, 1, 0));
	CHECK_ERR(fs_access(v_root, W "/nope", 0, 0), ERR_NOENT);
	CHECK_ERR(fs_access(v_root, W "/f", 8, 0), ERR_INVAL);
	CHECK_ERR(fs_access(v_root, W "/f", 0, 0x1), ERR_INVAL);
}

void t_getpath(void)
{
	char buf[128];
	cap_t d, p, f;

	CHECK_OK(fs_mkdir(v_root, W, 0755));
	CHECK_OK(fs_mkdir(v_root, W "/d1", 0755));
	CHECK_OK(fs_mkdir(v_root, W "/d1/d2", 0755));
	CHECK_OK(put_file(W "/f", "", 0));
	CHECK_OK(fs_getpath(v_root, buf, sizeof(buf)));
	CHECK(!strcmp(buf, "/"), "root: %s", buf);
	CHECK_OK(fs_open(v_root, W "/d1/../d1/./d2/", LINUX_O_RDONLY, 0, &d));
	CHECK_OK(fs_getpath(d, buf, sizeof(buf)));
	CHECK(!strcmp(buf, W "/d1/d2"), "got %s", buf);
	CHECK_OK(fs_open(v_root, W "/d1", LINUX_O_PATH, 0, &p));
	CHECK_OK(fs_getpath(p, buf, sizeof(buf)));
	CHECK(!strcmp(buf, W "/d1"), "O_PATH: %s", buf);
	CHECK_OK(fs_rename(v_root, W "/d1", CAP_NULL, W "/moved", 0));
	CHECK_OK(fs_getpath(d, buf, sizeof(buf)));
	CHECK(!strcmp(buf, W "/moved/d2"), "after rename: %s", buf);
	CHECK_OK(fs_unlink(v_root, W "/moved/d2", LINUX_AT_REMOVEDIR));
	CHECK_ERR(fs_getpath(d, buf, sizeof(buf)), ERR_NOENT);
	CHECK_OK(fs_open(v_root, W "/f", LINUX_O_RDONLY, 0, &f));
	CHECK_ERR(fs_getpath(f, buf, sizeof(buf)), ERR_NOTDIR);
	io_close(&f);
	io_close(&p);
	io_close(&d);
}

void t_empty_path(void)
{
	int64_t t[4] = { 77, 0, 88, 0 };
	struct posix_stat a, b;
	cap_t f, d;

	CHECK_OK(fs_mkdir(v_root, W, 0755));
	CHECK_OK(fs_mkdir(v_root, W "/d", 0755));
	CHECK_OK(put_file(W "/f", "abc", 3));
	CHECK_OK(fs_open(v_root, W "/f", LINUX_O_RDONLY, 0, &f));
	CHECK_OK(fs_open(v_root, W "/d", LINUX_O_RDONLY, 0, &d));
	/* fstatat(fd, "", AT_EMPTY_PATH), fchmod, futimens, faccessat: the object itself */
	CHECK_OK(fs_stat(f, "", LINUX_AT_EMPTY_PATH, &a));
	CHECK_OK(io_stat(f, &b));
	CHECK(a.ino == b.ino && a.size == 3, "stat");
	CHECK_OK(fs_chmod(f, "", 0604, LINUX_AT_EMPTY_PATH));
	CHECK_OK(fs_utimens(f, "", LINUX_AT_EMPTY_PATH, t));
	CHECK_OK(fs_access(f, "", 4, LINUX_AT_EMPTY_PATH));
	CHECK_OK(io_stat(f, &b));
	CHECK(b.mode == (TMPFS_S_IFREG | 0604) && b.atime_sec == 77 && b.mtime_sec == 88, "attributes");
	/* linkat(fd, "", dir, name, AT_EMPTY_PATH) */
	CHECK_OK(fs_link(f, "", d, "g", LINUX_AT_EMPTY_PATH));
	CHECK_OK(fs_stat(v_root, W "/d/g", 0, &a));
	CHECK(a.ino == b.ino && a.nlink == 2, "linked");
	/* without AT_EMPTY_PATH a file object is no directory, an empty path is ENOENT */
	CHECK_ERR(fs_stat(f, "", 0, &a), ERR_NOTDIR);
	CHECK_ERR(fs_stat(d, "", 0, &a), ERR_NOENT);
	CHECK_OK(fs_stat(d, "", LINUX_AT_EMPTY_PATH, &a));
	CHECK((a.mode & TMPFS_S_IFMT) == TMPFS_S_IFDIR, "the directory itself");
	io_close(&f);
	io_close(&d);
}

void t_file_poll(void)
{
	uint32_t rev;
	cap_t f, note, ro;

	CHECK_OK(fs_mkdir(v_root, W, 0755));
	CHECK_OK(put_file(W "/f", "", 0));
	CHECK_OK(fs_open(v_root, W "/f", LINUX_O_RDWR, 0, &f));
	CHECK_OK(io_poll(f, 0x1 | 0x4, &rev));
	CHECK(rev == (0x1 | 0x4), "revents %x", rev);
	CHECK_OK(io_poll(f, 0, &rev));
	CHECK(rev == 0, "nothing asked: %x", rev);
	note = mk_notification();
	CHECK_OK(io_poll_arm(f, note, 0x1, 0x20, &rev));
	CHECK(rev == 0x1 && wait_bits(note, 100) == 0x20, "a file is ready at once");
	CHECK_ERR(io_poll_arm(f, CAP_NULL, 0x1, 0x20, &rev), ERR_INVAL);
	CHECK_ERR(io_poll_arm(f, f, 0x1, 0x20, &rev), ERR_INVAL);
	CHECK_OK(cairn_cap_copy(note, RIGHT_READ, &ro));
	CHECK_ERR(io_poll_arm(f, ro, 0x1, 0x20, &rev), ERR_INVAL);
	del(&ro);
	del(&note);
	io_close(&f);
}

void t_ioctl(void)
{
	struct vres r;
	uint64_t fl;
	int32_t v;
	cap_t f;

	CHECK_OK(fs_mkdir(v_root, W, 0755));
	CHECK_OK(put_file(W "/f", "0123456789", 10));
	CHECK_OK(fs_open(v_root, W "/f", LINUX_O_RDONLY, 0, &f));
	CHECK_OK(io_seek(f, 2, POSIX_SEEK_SET, NULL));
	r = vcall(f, IO_IOCTL, 0x541b, 0, 0, 0, NULL, 0, CAP_NULL);      /* FIONREAD */
	CHECK(r.err == ERR_OK && r.nbytes >= 4, "FIONREAD: %d", r.err);
	memcpy(&v, vbytes(), 4);
	CHECK(v == 8, "FIONREAD gave %d", v);
	v = 1;
	CHECK_OK(vcall(f, IO_IOCTL, 0x5421, 0, 0, 0, &v, 4, CAP_NULL).err);   /* FIONBIO */
	CHECK_OK(io_getfl(f, &fl));
	CHECK(fl & LINUX_O_NONBLOCK, "FIONBIO 1");
	v = 0;
	CHECK_OK(vcall(f, IO_IOCTL, 0x5421, 0, 0, 0, &v, 4, CAP_NULL).err);
	CHECK_OK(io_getfl(f, &fl));
	CHECK(!(fl & LINUX_O_NONBLOCK), "FIONBIO 0");
	CHECK_ERR(vcall(f, IO_IOCTL, 0x5421, 0, 0, 0, NULL, 0, CAP_NULL).err, ERR_INVAL);
	CHECK_ERR(vcall(f, IO_IOCTL, 0x5401, 0, 0, 0, NULL, 0, CAP_NULL).err, ERR_NOTTY);   /* TCGETS */
	CHECK_ERR(vcall(v_root, IO_IOCTL, 0x541b, 0, 0, 0, NULL, 0, CAP_NULL).err, ERR_NOTTY);
	io_close(&f);
}

void t_dev_null_zero(void)
{
	static uint8_t buf[POSIX_INLINE_MAX];
	struct posix_stat st;
	uint64_t pos;
	size_t n;
	cap_t f;

	CHECK_OK(fs_stat(v_root, "/dev/null", 0, &st));
	CHECK(st.mode == (0020000 | 0666) && st.rdev == 0x103 && st.size == 0, "null: mode %lo rdev %lx",
	      (unsigned long)st.mode, (unsigned long)st.rdev);
	CHECK_OK(fs_open(v_root, "/dev/null", LINUX_O_RDWR | LINUX_O_TRUNC | LINUX_O_CREAT, 0, &f));
	CHECK_OK(io_write(f, "gone", 4, &n));
	CHECK(n == 4, "null took %zu", n);
	CHECK_OK(io_read(f, buf, sizeof(buf), &n));
	CHECK(n == 0, "null gave %zu", n);
	CHECK_OK(io_seek(f, 100, POSIX_SEEK_SET, &pos));
	CHECK(pos == 0, "null seek %lu", (unsigned long)pos);
	CHECK_ERR(io_truncate(f, 0), ERR_INVAL);
	io_close(&f);
	CHECK_OK(fs_open(v_root, "/dev/zero", LINUX_O_RDONLY, 0, &f));
	memset(buf, 1, sizeof(buf));
	CHECK_OK(io_read(f, buf, sizeof(buf), &n));
	CHECK(n == sizeof(buf), "zero gave %zu", n);
	for (size_t i = 0; i < n; i++)
		CHECK(buf[i] == 0, "zero byte %zu", i);
	io_close(&f);
	CHECK_ERR(fs_truncate(v_root, "/dev/null", 0), ERR_INVAL);
}

void t_sync(void)
{
	cap_t f, r, w;

	CHECK_OK(fs_mkdir(v_root, W, 0755));
	CHECK_OK(fs_open(v_root, W "/f", LINUX_O_CREAT | LINUX_O_RDWR, 0600, &f));
	CHECK_OK(vcall(f, IO_SYNC, 0, 0, 0, 0, NULL, 0, CAP_NULL).err);
	CHECK_OK(vcall(v_root, IO_SYNC, 0, 0, 0, 0, NULL, 0, CAP_NULL).err);
	CHECK_OK(fs_pipe(0, &r, &w));
	CHECK_ERR(vcall(r, IO_SYNC, 0, 0, 0, 0, NULL, 0, CAP_NULL).err, ERR_INVAL);
	io_close(&r);
	io_close(&w);
	io_close(&f);
}

/* ---- exec images (IO_IMAGE) ------------------------------------------------------- */

static err_t image_of(cap_t f, cap_t *mo, uint64_t *size)
{
	struct vres r = vcall(f, IO_IMAGE, 0, 0, 0, 0, NULL, 0, CAP_NULL);

	*mo = r.ncaps ? r.caps[0] : CAP_NULL;
	*size = r.w[0];
	if (!r.err && r.ncaps != 1)
		return ERR_IO;
	return r.err;
}

/* identify: type, rights, object id (ERR_* of the slot when it is empty) */
static err_t ident(cap_t c, uint64_t *type, uint64_t *rights, uint64_t *oid)
{
	uint64_t r[6] = { 0 };
	err_t e = (err_t)cairn_arch_syscall(SYS_CAP, CAP_OP_IDENTIFY, c, CAP_NULL, 0, 0, 0, r);

	*type = r[0];
	*rights = r[1];
	*oid = r[3];
	return e;
}

static uint8_t image_byte(size_t i)
{
	return (uint8_t)(i * 13 + (i >> 12) + 1);
}

/* A file's image: its bytes, read-only, zeros after its end; the same
 * object while the file is unchanged, a new one after a write or a
 * truncate, the old one a snapshot; errors; the least recently used of
 * more than the VFS keeps is revoked. */
void t_image(void)
{
	static uint8_t buf[3 * 4096 + 100];
	uint64_t size, type, rights, oid, oid2, ids[9];
	cap_t f, w, mo, mo2, many[9], rd, wr;
	uint8_t *va;
	size_t n;
	char path[32];

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = image_byte(i);
	CHECK_OK(fs_mkdir(v_root, W, 0755));
	CHECK_OK(put_file(W "/x", buf, sizeof(buf)));
	CHECK_OK(fs_open(v_root, W "/x", LINUX_O_RDONLY, 0, &f));
	CHECK_OK(image_of(f, &mo, &size));
	CHECK(size == sizeof(buf), "size %lu", (unsigned long)size);
	CHECK_OK(ident(mo, &type, &rights, &oid));
	CHECK(type == OBJ_MEMOBJ && rights == RIGHT_READ, "type %lu rights %#lx", (unsigned long)type,
	      (unsigned long)rights);
	CHECK_ERR(cairn_map(mo, 0, 4, CAIRN_PROT_R | CAIRN_PROT_W, (void **)&va), ERR_PERM);
	CHECK_OK(cairn_map(mo, 0, 4, CAIRN_PROT_R, (void **)&va));
	CHECK(!memcmp(va, buf, sizeof(buf)), "the image's bytes");
	for (size_t i = sizeof(buf); i < 4 * 4096; i++)
		CHECK(!va[i], "byte %zu after the end", i);
	cairn_unmap(va, 4);
	/* unchanged: the same object */
	CHECK_OK(image_of(f, &mo2, &size));
	CHECK_OK(ident(mo2, &type, &rights, &oid2));
	CHECK(oid2 == oid, "a second image of an unchanged file");
	del(&mo2);
	/* a write: a new image; the old one as it was */
	CHECK_OK(fs_open(v_root, W "/x", LINUX_O_WRONLY, 0, &w));
	CHECK_OK(io_pwrite(w, "CHANGED", 7, 5000, &n));
	CHECK_OK(image_of(f, &mo2, &size));
	CHECK_OK(ident(mo2, &type, &rights, &oid2));
	CHECK(oid2 != oid && size == sizeof(buf), "an image after a write");
	CHECK_OK(cairn_map(mo2, 0, 4, CAIRN_PROT_R, (void **)&va));
	CHECK(!memcmp(va + 5000, "CHANGED", 7) && va[4999] == buf[4999] && va[5007] == buf[5007],
	      "the new image has the write");
	cairn_unmap(va, 4);
	CHECK_OK(cairn_map(mo, 0, 4, CAIRN_PROT_R, (void **)&va));
	CHECK(!memcmp(va, buf, sizeof(buf)), "the old image did not change");
	cairn_unmap(va, 4);
	del(&mo);
	del(&mo2);
	/* a truncate: a new image of the new size */
	CHECK_OK(io_truncate(w, 10));
	CHECK_OK(image_of(f, &mo, &size));
	CHECK(size == 10, "size %lu after a truncate", (unsigned long)size);
	del(&mo);
	/* errors: not open for reading, not a regular file, empty, /proc */
	CHECK_ERR(image_of(w, &mo, &size), ERR_BADF);
	CHECK_OK(io_truncate(w, 0));
	CHECK_ERR(image_of(f, &mo, &size), ERR_INVAL);
	CHECK_ERR(image_of(v_root, &mo, &size), ERR_INVAL);
	io_close(&w);
	CHECK_OK(fs_pipe(0, &rd, &wr));
	CHECK_ERR(image_of(rd, &mo, &size), ERR_INVAL);
	io_close(&rd);
	io_close(&wr);
	CHECK_OK(fs_open(v_root, "/dev/zero", LINUX_O_RDONLY, 0, &w));
	CHECK_ERR(image_of(w, &mo, &size), ERR_INVAL);
	io_close(&w);
	CHECK_OK(fs_open(v_root, "/proc/uptime", LINUX_O_RDONLY, 0, &w));
	CHECK_ERR(image_of(w, &mo, &size), ERR_INVAL);
	io_close(&w);
	io_close(&f);
	/* the VFS keeps 8: 9 new ones revoke the least recently used (the
	 * 3 of x, then the first new one); its slot may hold the ninth since */
	for (unsigned i = 0; i < 9; i++) {
		fmt_snprintf(path, sizeof(path), W "/m%u", i);
		CHECK_OK(put_file(path, buf, 100 + i));
		CHECK_OK(fs_open(v_root, path, LINUX_O_RDONLY, 0, &f));
		CHECK_OK(image_of(f, &many[i], &size));
		CHECK(size == 100 + i, "image %u: size %lu", i, (unsigned long)size);
		CHECK_OK(ident(many[i], &type, &rights, &ids[i]));
		io_close(&f);
	}
	CHECK(ident(many[0], &type, &rights, &oid) != ERR_OK || oid != ids[0],
	      "the least recently used was revoked");
	for (unsigned i = 1; i < 9; i++) {
		CHECK_OK(ident(many[i], &type, &rights, &oid));
		CHECK(oid == ids[i], "image %u is still there", i);
	}
	for (unsigned i = 1; i < 9; i++)
		del(&many[i]);
	if (many[0] != many[8])
		del(&many[0]);
}
