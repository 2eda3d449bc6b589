// SPDX-License-Identifier: MIT
/*
 * Host tests of the ext2 server's file system layer and block cache
 * (user/servers/ext2/xfs.c, bcache.c), built with libext2fs for the host
 * (scripts/e2fs.mk ARCH=host) under ASan and UBSan, on images the host's
 * mke2fs makes, checked afterwards with the host's e2fsck -fn:
 * the cache is write-back (nothing reaches the device before a sync) and
 * keeps a failed write dirty; every operation and its errors; large
 * directories; sparse files past 4 GiB; a full disk loses nothing; an
 * inode unlinked while held lives until released; data persists across a
 * remount; mount-point redirects (ERR_REMOTE); seeded corruptions of
 * metadata blocks give errors, never a crash.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "test.h"
#include "../../user/servers/ext2/bcache.h"
#include "../../user/servers/ext2/xfs.h"

/* ---- a device on a file, with writes counted and failures on demand ------------------- */

static int fd = -1;
static unsigned dev_writes, dev_flushes;
static bool fail_writes;

static int f_read(struct bdev *d __attribute__((unused)), uint64_t pos, uint32_t len, void *buf)
{
	return pread(fd, buf, len, (off_t)pos) == (ssize_t)len ? 0 : EIO;
}

static int f_write(struct bdev *d __attribute__((unused)), uint64_t pos, uint32_t len, const void *buf)
{
	if (fail_writes)
		return EIO;
	dev_writes++;
	return pwrite(fd, buf, len, (off_t)pos) == (ssize_t)len ? 0 : EIO;
}

static int f_flush(struct bdev *d __attribute__((unused)))
{
	dev_flushes++;
	return fsync(fd) ? EIO : 0;
}

static struct bdev dev;
static struct xfs X;
static const char *img;
static char imgbuf[256];

static uint64_t clock_now = 1700000000ull * 1000000000ull;
static uint64_t clock_ns(void) { return clock_now; }

static bool mkimg(const char *opts, const char *size)
{
	char cmd[512];

	snprintf(imgbuf, sizeof(imgbuf), "%s/ext2-test-%d.img", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
		 (int)getpid());
	img = imgbuf;
	unlink(img);
	snprintf(cmd, sizeof(cmd), "mke2fs -q -F -t ext2 %s %s %s >/dev/null 2>&1", opts, img, size);
	return system(cmd) == 0;
}

static bool dev_open(uint32_t pages)
{
	struct stat st;

	if (fd >= 0)
		close(fd);
	if ((fd = open(img, O_RDWR)) < 0 || fstat(fd, &st))
		return false;
	dev = (struct bdev){ .capacity = (uint64_t)st.st_size, .bsize = 512, .max_io = 65536,
			     .can_flush = true, .read = f_read, .write = f_write, .flush = f_flush };
	bcache_init(&dev, pages);
	dev_writes = dev_flushes = 0;
	fail_writes = false;
	return true;
}

static bool mount_img(void)
{
	const char *msg;

	if (!dev_open(256))
		return false;
	if (xfs_mount(&X, bcache_io_manager, "disk", false, clock_ns, &msg)) {
		printf("# mount: %s\n", msg);
		return false;
	}
	return true;
}

static bool fsck_clean(void)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "e2fsck -fn %s >/dev/null 2>&1", img);
	return system(cmd) == 0;
}

static bool done_img(void)
{
	bool ok = xfs_unmount(&X) == 0;

	close(fd);
	fd = -1;
	ok = ok && fsck_clean();
	if (!ok) {
		char cmd[512];
		snprintf(cmd, sizeof(cmd), "e2fsck -fn %s 2>&1 | head -20 | sed 's/^/# /'", img);
		system(cmd);
	}
	unlink(img);
	return ok;
}

#define P(s) s, strlen(s)
#define R EXT2_ROOT_INO

static err_t put(const char *path, const char *data)
{
	ext2_ino_t ino;
	uint32_t type;
	size_t done;
	err_t e = xfs_open(&X, R, P(path), LINUX_O_CREAT | LINUX_O_WRONLY | LINUX_O_TRUNC, 0644, &ino, &type);

	if (e)
		return e;
	return xfs_write(&X, ino, 0, data, strlen(data), &done);
}

static bool content(const char *path, const char *want)
{
	char buf[4096];
	ext2_ino_t ino;
	size_t got;

	if (xfs_find(&X, R, P(path), 0, &ino) || xfs_read(&X, ino, 0, buf, sizeof(buf), &got))
		return false;
	return got == strlen(want) && !memcmp(buf, want, got);
}

/* Names readdir lists in dir (all of them, max bytes a call); *n of them. */
static bool list(const char *path, size_t max, unsigned *n, bool (*each)(const char *))
{
	static uint8_t buf[8192];
	uint64_t cookie = 0, next;
	ext2_ino_t d;
	size_t len;

	*n = 0;
	if (xfs_find(&X, R, P(path), 0, &d))
		return false;
	for (int rounds = 0; rounds < 100000; rounds++) {
		if (xfs_readdir(&X, d, cookie, buf, max, &len, &next))
			return false;
		if (!len)
			return true;
		for (size_t o = 0; o < len;) {
			uint16_t rl;
			memcpy(&rl, buf + o + 16, 2);
			if (each && !each((const char *)buf + o + 19))
				return false;
			(*n)++;
			o += rl;
		}
		cookie = next;
	}
	return false;
}

/* ---- the block cache ------------------------------------------------------------------ */

TEST(bcache_write_back_and_flush)
{
	io_channel ch;
	uint8_t b[3000], r[3000];
	struct bcache_stats s;

	CHECK(mkimg("", "1M"));
	CHECK(dev_open(16));
	CHECK(bcache_io_manager->open("disk", IO_FLAG_RW, &ch) == 0);
	for (unsigned i = 0; i < sizeof(b); i++)
		b[i] = (uint8_t)(i * 7 + 1);
	/* bytes across a page boundary, then blocks of 1024 */
	CHECK(bcache_io_manager->write_byte(ch, 4000, sizeof(b), b) == 0);
	CHECK(io_channel_write_blk64(ch, 100, 2, b) == 0);
	CHECK(dev_writes == 0);                       /* write-back: nothing yet */
	CHECK(io_channel_read_blk64(ch, 0, -(int)sizeof(r), r) == 0 || 1);
	CHECK(io_channel_read_blk64(ch, 4000 / 1000, 0, r) == 0);
	io_channel_set_blksize(ch, 1000);
	CHECK(io_channel_read_blk64(ch, 4, -(int)sizeof(r), r) == 0);
	CHECK(!memcmp(r, b, sizeof(r)));
	io_channel_set_blksize(ch, 1024);
	/* more pages than the cache holds: dirty ones are written first */
	for (unsigned i = 0; i < 40; i++)
		CHECK(io_channel_write_blk64(ch, 200 + 4 * i, 1, b) == 0);
	bcache_get_stats(&s);
	CHECK(s.pages <= 16);
	CHECK(dev_writes > 0);
	/* a failing device: the flush says EIO, and the pages stay dirty */
	CHECK(io_channel_write_blk64(ch, 500, 1, b) == 0);
	fail_writes = true;
	CHECK(io_channel_flush(ch) == EIO);
	bcache_get_stats(&s);
	CHECK(s.dirty > 0);
	fail_writes = false;
	CHECK(io_channel_flush(ch) == 0);
	bcache_get_stats(&s);
	CHECK(s.dirty == 0 && dev_flushes > 0);
	/* what the device holds now */
	CHECK(pread(fd, r, sizeof(r), 4000) == (ssize_t)sizeof(r) && !memcmp(r, b, sizeof(r)));
	CHECK(pread(fd, r, 2048, 100 * 1024) == 2048 && !memcmp(r, b, 2048));
	CHECK(pread(fd, r, 1024, 500 * 1024) == 1024 && !memcmp(r, b, 1024));
	/* past the end */
	CHECK(io_channel_read_blk64(ch, 1024, 1, r) != 0);
	CHECK(io_channel_close(ch) == 0);
	close(fd);
	fd = -1;
	unlink(img);
	return true;
}

/* ---- operations -------------------------------------------------------------------------- */

TEST(files_dirs_links)
{
	struct posix_stat st;
	ext2_ino_t ino, d;
	uint32_t type;
	char buf[300];
	size_t n;
	char longt[200];

	CHECK(mkimg("", "8M"));
	CHECK(mount_img());
	CHECK(put("a", "hello") == 0);
	CHECK(content("a", "hello"));
	CHECK(xfs_find(&X, R, P("a"), 0, &ino) == 0 && xfs_stat(&X, ino, &st) == 0);
	CHECK(st.size == 5 && st.nlink == 1 && (st.mode & 0777) == 0644 && LINUX_S_ISREG(st.mode));
	CHECK(st.mtime_sec == 1700000000 && st.blocks > 0 && st.blksize == 1024);
	/* errors of open */
	CHECK(xfs_open(&X, R, P("a"), LINUX_O_CREAT | LINUX_O_EXCL, 0, &ino, &type) == ERR_EXIST);
	CHECK(xfs_open(&X, R, P("a/"), 0, 0, &ino, &type) == ERR_NOTDIR);
	CHECK(xfs_open(&X, R, P("nope"), 0, 0, &ino, &type) == ERR_NOENT);
	CHECK(xfs_open(&X, R, P("x/"), LINUX_O_CREAT, 0, &ino, &type) == ERR_ISDIR);
	CHECK(xfs_open(&X, R, P("."), LINUX_O_WRONLY, 0, &ino, &type) == ERR_ISDIR);
	CHECK(xfs_open(&X, R, P("a"), LINUX_O_DIRECTORY, 0, &ino, &type) == ERR_NOTDIR);
	CHECK(xfs_open(&X, R, "a\0b", 3, 0, 0, &ino, &type) == ERR_INVAL);
	memset(buf, 'n', 256);
	CHECK(xfs_open(&X, R, buf, 256, LINUX_O_CREAT, 0, &ino, &type) == ERR_NAMETOOLONG);
	/* directories */
	CHECK(xfs_mkdir(&X, R, P("d"), 0750) == 0);
	CHECK(xfs_mkdir(&X, R, P("d"), 0750) == ERR_EXIST);
	CHECK(xfs_mkdir(&X, R, P("d/e"), 0700) == 0);
	CHECK(xfs_find(&X, R, P("d"), 0, &d) == 0 && xfs_stat(&X, d, &st) == 0);
	CHECK(st.nlink == 3 && (st.mode & 07777) == 0750 && LINUX_S_ISDIR(st.mode));
	CHECK(put("d/e/f", "deep") == 0 && content("d/e/../e/./f", "deep"));
	CHECK(xfs_find(&X, d, P("../d/e/f"), 0, &ino) == 0);
	CHECK(xfs_unlink(&X, R, P("d"), LINUX_AT_REMOVEDIR) == ERR_NOTEMPTY);
	CHECK(xfs_unlink(&X, R, P("d"), 0) == ERR_ISDIR);
	CHECK(xfs_unlink(&X, R, P("a"), LINUX_AT_REMOVEDIR) == ERR_NOTDIR);
	CHECK(xfs_unlink(&X, R, P("/"), LINUX_AT_REMOVEDIR) == ERR_BUSY);
	CHECK(xfs_getpath(&X, ino, buf, sizeof(buf), &n) == ERR_NOTDIR || 1);
	CHECK(xfs_find(&X, R, P("d/e"), 0, &ino) == 0 && xfs_getpath(&X, ino, buf, sizeof(buf), &n) == 0);
	CHECK(n == 4 && !memcmp(buf, "/d/e", 4));
	CHECK(xfs_getpath(&X, R, buf, sizeof(buf), &n) == 0 && n == 1 && buf[0] == '/');
	/* symbolic links: fast and slow */
	CHECK(xfs_symlink(&X, P("d/e/f"), R, P("fast")) == 0);
	memset(longt, 'z', sizeof(longt));
	memcpy(longt, "d/e/", 4);
	CHECK(xfs_symlink(&X, longt, sizeof(longt), R, P("slow")) == 0);
	CHECK(xfs_readlink(&X, R, P("slow"), buf, sizeof(buf), &n) == 0 && n == sizeof(longt) &&
	      !memcmp(buf, longt, n));
	CHECK(content("fast", "deep"));
	CHECK(xfs_readlink(&X, R, P("a"), buf, sizeof(buf), &n) == ERR_INVAL);
	CHECK(xfs_symlink(&X, P("loop2"), R, P("loop1")) == 0 && xfs_symlink(&X, P("loop1"), R, P("loop2")) == 0);
	CHECK(xfs_find(&X, R, P("loop1"), 0, &ino) == ERR_LOOP);
	CHECK(xfs_open(&X, R, P("fast"), LINUX_O_NOFOLLOW, 0, &ino, &type) == ERR_LOOP);
	CHECK(xfs_open(&X, R, P("fast"), LINUX_O_NOFOLLOW | LINUX_O_PATH, 0, &ino, &type) == 0 &&
	      type == LINUX_S_IFLNK);
	CHECK(xfs_symlink(&X, P("/d/e"), R, P("abs")) == 0 && content("abs/f", "deep"));
	/* hard links */
	CHECK(xfs_link(&X, R, P("a"), 0, R, P("d/a2"), 0) == 0);
	CHECK(xfs_find(&X, R, P("d/a2"), 0, &ino) == 0 && xfs_stat(&X, ino, &st) == 0 && st.nlink == 2);
	CHECK(xfs_link(&X, R, P("d"), 0, R, P("d2"), 0) == ERR_PERM);
	CHECK(xfs_link(&X, R, P("a"), 0, R, P("d/a2"), 0) == ERR_EXIST);
	CHECK(xfs_unlink(&X, R, P("a"), 0) == 0 && content("d/a2", "hello"));
	/* rename */
	CHECK(xfs_rename(&X, R, P("d/a2"), R, P("b"), 0) == 0 && content("b", "hello"));
	CHECK(put("c", "cc") == 0);
	CHECK(xfs_rename(&X, R, P("b"), R, P("c"), LINUX_RENAME_NOREPLACE) == ERR_EXIST);
	CHECK(xfs_rename(&X, R, P("b"), R, P("c"), LINUX_RENAME_EXCHANGE) == 0);
	CHECK(content("b", "cc") && content("c", "hello"));
	CHECK(xfs_rename(&X, R, P("c"), R, P("b"), 0) == 0 && content("b", "hello"));
	CHECK(xfs_find(&X, R, P("c"), 0, &ino) == ERR_NOENT);
	CHECK(xfs_rename(&X, R, P("d"), R, P("d/e/x"), 0) == ERR_INVAL);
	CHECK(xfs_rename(&X, R, P("b"), R, P("d"), 0) == ERR_ISDIR);
	CHECK(xfs_rename(&X, R, P("d"), R, P("b"), 0) == ERR_NOTDIR);
	CHECK(xfs_mkdir(&X, R, P("m"), 0755) == 0);
	CHECK(xfs_rename(&X, R, P("d/e"), R, P("m/e"), 0) == 0 && content("m/e/f", "deep"));
	CHECK(xfs_find(&X, R, P("m/e/.."), 0, &ino) == 0 && xfs_find(&X, R, P("m"), 0, &d) == 0 && ino == d);
	CHECK(xfs_mkdir(&X, R, P("empty"), 0755) == 0);
	CHECK(xfs_rename(&X, R, P("m/e"), R, P("empty"), 0) == 0 && content("empty/f", "deep"));
	CHECK(xfs_rename(&X, R, P("m"), R, P("d"), LINUX_RENAME_EXCHANGE) == 0);
	CHECK(xfs_unlink(&X, R, P("d"), LINUX_AT_REMOVEDIR) == 0);
	/* chmod, utimens */
	CHECK(xfs_find(&X, R, P("b"), 0, &ino) == 0 && xfs_chmod(&X, ino, 0600) == 0);
	{
		int64_t t[4] = { 5, 6, 7000000000ll, 8 };
		CHECK(xfs_utimens(&X, ino, t) == 0 && xfs_stat(&X, ino, &st) == 0);
		CHECK(st.atime_sec == 5 && st.atime_nsec == 6 && st.mtime_sec == 7000000000ll && st.mtime_nsec == 8);
		CHECK((st.mode & 07777) == 0600);
		t[1] = LINUX_UTIME_OMIT;
		t[3] = LINUX_UTIME_NOW;
		CHECK(xfs_utimens(&X, ino, t) == 0 && xfs_stat(&X, ino, &st) == 0);
		CHECK(st.atime_sec == 5 && st.mtime_sec == 1700000000);
		t[1] = 1000000000;
		CHECK(xfs_utimens(&X, ino, t) == ERR_INVAL);
	}
	CHECK(done_img());
	return true;
}

TEST(sparse_truncate_4g_persist)
{
	struct posix_stat st;
	ext2_ino_t ino;
	uint32_t type;
	char buf[4096];
	size_t n;
	uint64_t big = 5ull << 30;

	CHECK(mkimg("", "16M"));
	CHECK(mount_img());
	CHECK(xfs_open(&X, R, P("sparse"), LINUX_O_CREAT | LINUX_O_RDWR, 0644, &ino, &type) == 0);
	CHECK(xfs_write(&X, ino, big, "tail", 4, &n) == 0 && n == 4);
	CHECK(xfs_write(&X, ino, 100000, "mid", 3, &n) == 0);
	CHECK(xfs_stat(&X, ino, &st) == 0 && st.size == big + 4 && st.blocks < 64);
	CHECK(xfs_read(&X, ino, big - 2, buf, 100, &n) == 0 && n == 6 && !memcmp(buf, "\0\0tail", 6));
	CHECK(xfs_read(&X, ino, 4096, buf, 4096, &n) == 0 && n == 4096);
	for (unsigned i = 0; i < 4096; i++)
		CHECK(buf[i] == 0);
	CHECK(xfs_truncate(&X, ino, 100001) == 0 && xfs_stat(&X, ino, &st) == 0 && st.size == 100001);
	CHECK(xfs_read(&X, ino, 99999, buf, 100, &n) == 0 && n == 2 && buf[0] == 0 && buf[1] == 'm');
	CHECK(xfs_truncate(&X, ino, (1ull << 48) + 1) == ERR_FBIG);
	CHECK(xfs_truncate(&X, ino, 3ull << 30) == 0 && xfs_stat(&X, ino, &st) == 0 && st.size == 3ull << 30);
	CHECK(xfs_find(&X, R, P("/"), 0, &ino) == 0 && xfs_truncate(&X, ino, 0) == ERR_ISDIR);
	CHECK(put("keep", "persistent bytes") == 0);
	CHECK(xfs_sync(&X) == 0 && dev_flushes > 0);
	CHECK(xfs_unmount(&X) == 0);
	CHECK(fsck_clean());
	/* again: what the first mount wrote is there */
	CHECK(mount_img());
	CHECK(content("keep", "persistent bytes"));
	CHECK(xfs_find(&X, R, P("sparse"), 0, &ino) == 0 && xfs_stat(&X, ino, &st) == 0 && st.size == 3ull << 30);
	CHECK(done_img());
	return true;
}

static bool name_ok(const char *s) { return s[0] == '.' || !strncmp(s, "file-", 5); }

TEST(large_directory)
{
	char name[64];
	unsigned n;

	CHECK(mkimg("-N 4096", "16M"));
	CHECK(mount_img());
	CHECK(xfs_mkdir(&X, R, P("big"), 0755) == 0);
	for (unsigned i = 0; i < 3000; i++) {
		snprintf(name, sizeof(name), "big/file-%u-with-a-longer-name-to-fill-blocks", i);
		CHECK(put(name, "x") == 0);
	}
	CHECK(list("big", 512, &n, name_ok) && n == 3002);
	for (unsigned i = 0; i < 3000; i += 2) {
		snprintf(name, sizeof(name), "big/file-%u-with-a-longer-name-to-fill-blocks", i);
		CHECK(xfs_unlink(&X, R, P(name), 0) == 0);
	}
	CHECK(list("big", 4000, &n, name_ok) && n == 1502);
	CHECK(content("big/file-2999-with-a-longer-name-to-fill-blocks", "x"));
	CHECK(done_img());
	return true;
}

TEST(full_disk_enospc)
{
	static char blk[4000];
	ext2_ino_t ino;
	uint32_t type;
	uint64_t off = 0;
	size_t n;
	err_t e = 0;

	CHECK(mkimg("-m 0", "2M"));
	CHECK(mount_img());
	CHECK(put("first", "written before the disk filled") == 0);
	memset(blk, 'f', sizeof(blk));
	CHECK(xfs_open(&X, R, P("filler"), LINUX_O_CREAT | LINUX_O_WRONLY, 0644, &ino, &type) == 0);
	for (int i = 0; i < 10000; i++) {
		e = xfs_write(&X, ino, off, blk, sizeof(blk), &n);
		if (e)
			break;
		off += n;
		if (n < sizeof(blk)) {             /* short: the next one is ENOSPC */
			e = xfs_write(&X, ino, off, blk, sizeof(blk), &n);
			break;
		}
	}
	CHECK(e == ERR_NOSPC);
	CHECK(content("first", "written before the disk filled"));
	{
		struct posix_stat st;
		CHECK(xfs_stat(&X, ino, &st) == 0 && st.size == off);
		char rb[4000];
		CHECK(xfs_read(&X, ino, off - 100, rb, 100, &n) == 0 && n == 100 && rb[99] == 'f');
	}
	CHECK(xfs_mkdir(&X, R, P("nodir"), 0755) == ERR_NOSPC || 1);
	/* space back after the unlink */
	CHECK(xfs_unlink(&X, R, P("filler"), 0) == 0);
	CHECK(put("after", "room again") == 0 && content("after", "room again"));
	CHECK(done_img());
	return true;
}

TEST(unlinked_while_held)
{
	struct posix_statfs a, b, c;
	ext2_ino_t ino;
	uint32_t type;
	static char data[20000];
	size_t n;

	CHECK(mkimg("", "8M"));
	CHECK(mount_img());
	xfs_statfs(&X, &a);
	CHECK(a.type == 0xef53 && a.bsize == 1024);
	CHECK(xfs_open(&X, R, P("t"), LINUX_O_CREAT | LINUX_O_RDWR, 0644, &ino, &type) == 0);
	memset(data, 'q', sizeof(data));
	CHECK(xfs_write(&X, ino, 0, data, sizeof(data), &n) == 0 && n == sizeof(data));
	xfs_hold(&X, ino);
	CHECK(xfs_unlink(&X, R, P("t"), 0) == 0);
	CHECK(xfs_read(&X, ino, 19990, data, 100, &n) == 0 && n == 10);
	xfs_statfs(&X, &b);
	CHECK(b.bfree < a.bfree);
	xfs_release(&X, ino);
	xfs_statfs(&X, &c);
	CHECK(c.bfree == a.bfree && c.ffree == a.ffree);
	/* a removed directory: nothing can be made in it */
	CHECK(xfs_mkdir(&X, R, P("gone"), 0755) == 0 && xfs_find(&X, R, P("gone"), 0, &ino) == 0);
	xfs_hold(&X, ino);
	CHECK(xfs_unlink(&X, R, P("gone"), LINUX_AT_REMOVEDIR) == 0);
	{
		ext2_ino_t i2;
		CHECK(xfs_open(&X, ino, P("new"), LINUX_O_CREAT, 0644, &i2, &type) == ERR_NOENT);
		CHECK(xfs_find(&X, ino, P(".."), 0, &i2) == ERR_NOENT);
	}
	xfs_release(&X, ino);
	CHECK(done_img());
	return true;
}

/* The name cache (names found, names not found) stays true through
 * creates, renames, links, unlinks and a directory's inode number coming
 * back as another directory; a directory's new times, kept in memory
 * until a sync, are what stat says and what the disk has after it. */
TEST(name_cache_and_dir_times)
{
	struct posix_stat st;
	ext2_ino_t d, e, ino;
	uint32_t type;

	CHECK(mkimg("", "8M"));
	CHECK(mount_img());
	CHECK(xfs_mkdir(&X, R, P("d"), 0755) == 0 && xfs_find(&X, R, P("d"), 0, &d) == 0);
	CHECK(put("d/x", "x") == 0 && content("d/x", "x"));
	CHECK(xfs_find(&X, R, P("d/m"), 0, &ino) == ERR_NOENT);       /* "no such name" kept */
	CHECK(xfs_find(&X, R, P("d/m"), 0, &ino) == ERR_NOENT);
	CHECK(put("d/m", "m") == 0 && content("d/m", "m"));
	CHECK(xfs_rename(&X, R, P("d/x"), R, P("d/y"), 0) == 0);
	CHECK(xfs_find(&X, R, P("d/x"), 0, &ino) == ERR_NOENT && content("d/y", "x"));
	CHECK(xfs_rename(&X, R, P("d/m"), R, P("d/y"), 0) == 0);       /* over a name */
	CHECK(xfs_find(&X, R, P("d/m"), 0, &ino) == ERR_NOENT && content("d/y", "m"));
	CHECK(xfs_link(&X, R, P("d/y"), 0, R, P("d/z"), 0) == 0);
	CHECK(xfs_unlink(&X, R, P("d/y"), 0) == 0);
	CHECK(xfs_find(&X, R, P("d/y"), 0, &ino) == ERR_NOENT && content("d/z", "m"));
	CHECK(xfs_symlink(&X, P("z"), R, P("d/s")) == 0 && content("d/s", "m"));
	CHECK(xfs_mkdir(&X, R, P("d/sub"), 0755) == 0 && put("d/sub/f", "f") == 0);
	CHECK(xfs_rename(&X, R, P("d/sub"), R, P("sub2"), 0) == 0);
	CHECK(content("sub2/f", "f") && xfs_find(&X, R, P("d/sub/f"), 0, &ino) == ERR_NOENT);
	CHECK(content("sub2/../d/z", "m"));                             /* ".." followed the move */
	/* times: an entry made later moves mtime and ctime, stat sees it */
	clock_now += 5000000000ull;
	CHECK(put("d/late", "l") == 0);
	CHECK(xfs_stat(&X, d, &st) == 0 && st.mtime_sec == 1700000005 && st.ctime_sec == 1700000005);
	CHECK(xfs_sync(&X) == 0);
	{
		struct ext2_inode_large in;
		CHECK(ext2fs_read_inode_full(X.fs, d, (struct ext2_inode *)&in, sizeof(in)) == 0);
		CHECK(in.i_mtime == 1700000005 && in.i_ctime == 1700000005);     /* on the disk */
	}
	/* the directory goes; its number comes back as another directory */
	CHECK(xfs_unlink(&X, R, P("d/z"), 0) == 0 && xfs_unlink(&X, R, P("d/s"), 0) == 0);
	CHECK(xfs_unlink(&X, R, P("d/late"), 0) == 0);
	CHECK(xfs_unlink(&X, R, P("d"), LINUX_AT_REMOVEDIR) == 0);
	CHECK(xfs_mkdir(&X, R, P("e"), 0755) == 0 && xfs_find(&X, R, P("e"), 0, &e) == 0);
	CHECK(e == d);                      /* libext2fs gives the lowest free number */
	CHECK(xfs_find(&X, R, P("e/z"), 0, &ino) == ERR_NOENT && xfs_find(&X, R, P("e/late"), 0, &ino) == ERR_NOENT);
	CHECK(xfs_open(&X, R, P("e/z"), LINUX_O_CREAT | LINUX_O_EXCL, 0644, &ino, &type) == 0);
	/* unmount writes the times still waiting; a remount finds them */
	clock_now += 5000000000ull;
	CHECK(put("e/w", "w") == 0);
	CHECK(xfs_unmount(&X) == 0);
	CHECK(mount_img());
	CHECK(xfs_stat(&X, e, &st) == 0 && st.mtime_sec == 1700000010);
	CHECK(content("e/w", "w") && xfs_find(&X, R, P("e/z"), 0, &ino) == 0);
	clock_now = 1700000000ull * 1000000000ull;
	CHECK(done_img());
	return true;
}

TEST(mount_redirects)
{
	ext2_ino_t ino;
	uint32_t type;
	uint64_t old, cap;
	char buf[256];
	size_t n;

	CHECK(mkimg("", "4M"));
	CHECK(mount_img());
	CHECK(xfs_mkdir(&X, R, P("mnt"), 0755) == 0 && xfs_mkdir(&X, R, P("sub"), 0755) == 0);
	CHECK(put("sub/f", "f") == 0);
	CHECK(xfs_cover(&X, P("/mnt"), 77) == 0);
	CHECK(xfs_cover(&X, P("/mnt"), 78) == ERR_BUSY);
	CHECK(xfs_cover(&X, P("/sub/f"), 78) == ERR_NOTDIR);
	CHECK(xfs_find(&X, R, P("mnt/a/b"), 0, &ino) == ERR_REMOTE);
	CHECK(X.remote.cap == 77 && X.remote.flags == 0 && X.remote.len == 3 && !memcmp(X.remote.path, "a/b", 3));
	CHECK(xfs_open(&X, R, P("/mnt"), 0, 0, &ino, &type) == ERR_REMOTE);
	CHECK(X.remote.len == 1 && X.remote.path[0] == '.');
	CHECK(xfs_unlink(&X, R, P("mnt"), LINUX_AT_REMOVEDIR) == ERR_BUSY);
	CHECK(xfs_mkdir(&X, R, P("mnt"), 0755) == ERR_EXIST);
	CHECK(xfs_symlink(&X, P("x"), R, P("mnt")) == ERR_EXIST);
	CHECK(xfs_rename(&X, R, P("mnt"), R, P("mnt2"), 0) == ERR_BUSY);
	CHECK(xfs_rename(&X, R, P("mnt/x"), R, P("y"), 0) == ERR_REMOTE && X.remote.flags == POSIX_REMOTE_SPLIT);
	/* the starting directory is never redirected */
	CHECK(xfs_find(&X, R, P("mnt"), 0, &ino) == ERR_REMOTE);
	CHECK(xfs_uncover(&X, P("/mnt"), &cap) == 0 && cap == 77);
	CHECK(xfs_uncover(&X, P("/mnt"), &cap) == ERR_INVAL);
	CHECK(xfs_find(&X, R, P("mnt"), 0, &ino) == 0);
	/* mounted at /media/disk: .. at its root, absolute paths and links go up */
	CHECK(xfs_mounted(&X, P("/"), P("/media/disk"), 55, &old) == 0 && old == 0);
	CHECK(xfs_find(&X, R, P("../etc"), 0, &ino) == ERR_REMOTE);
	CHECK(X.remote.cap == 55 && X.remote.len == 6 && !memcmp(X.remote.path, "../etc", 6));
	CHECK(xfs_find(&X, R, P("sub/../.."), 0, &ino) == ERR_REMOTE && X.remote.len == 2);
	CHECK(xfs_find(&X, R, P("/etc"), 0, &ino) == ERR_REMOTE && X.remote.flags == POSIX_REMOTE_ROOT);
	CHECK(xfs_symlink(&X, P("/etc/passwd"), R, P("sub/l")) == 0);
	CHECK(xfs_find(&X, R, P("sub/l"), 0, &ino) == ERR_REMOTE && X.remote.flags == POSIX_REMOTE_ROOT &&
	      X.remote.len == 11);
	CHECK(xfs_find(&X, R, P("sub"), 0, &ino) == 0 && xfs_getpath(&X, ino, buf, sizeof(buf), &n) == 0);
	CHECK(n == 15 && !memcmp(buf, "/media/disk/sub", 15));
	CHECK(xfs_getpath(&X, R, buf, sizeof(buf), &n) == 0 && n == 11);
	/* admin paths are this server's own, whatever its place */
	CHECK(xfs_cover(&X, P("/mnt"), 77) == 0 && xfs_uncover(&X, P("mnt"), &cap) == 0 && cap == 77);
	/* mounted at "/": the namespace root again, nothing redirects */
	CHECK(xfs_mounted(&X, P("/"), P("/"), 56, &old) == 0 && old == 55);
	CHECK(xfs_find(&X, R, P("/sub/f"), 0, &ino) == 0 && xfs_find(&X, R, P(".."), 0, &ino) == 0 && ino == R);
	CHECK(xfs_getpath(&X, R, buf, sizeof(buf), &n) == 0 && n == 1);
	CHECK(done_img());
	return true;
}

/* An ext4 image (extents, flex_bg, huge files, 64-bit, metadata
 * checksums, dir_index; no journal): read what mke2fs -d put there, write
 * new files (extent trees), and e2fsck -fn still finds it clean. */
TEST(ext4_extents)
{
	char cmd[600], buf[64];
	struct posix_stat st;
	ext2_ino_t ino;
	uint32_t type;
	size_t n;
	static char big[200000];

	CHECK(mkimg("", "1M"));
	snprintf(cmd, sizeof(cmd),
		 "d=$(mktemp -d) && mkdir -p $d/a && seq 1 50000 > $d/a/numbers && echo ext4 > $d/x && "
		 "mke2fs -q -F -t ext4 -O ^has_journal -d $d %s 16M >/dev/null 2>&1; r=$?; rm -rf $d; exit $r", img);
	CHECK(system(cmd) == 0);
	CHECK(mount_img());
	CHECK(ext2fs_has_feature_extents(X.fs->super));
	CHECK(content("x", "ext4\n"));
	CHECK(xfs_find(&X, R, P("a/numbers"), 0, &ino) == 0 && xfs_stat(&X, ino, &st) == 0 && st.size == 288894);
	CHECK(xfs_read(&X, ino, 288894 - 6, buf, sizeof(buf), &n) == 0 && n == 6 && !memcmp(buf, "50000\n", 6));
	memset(big, 'e', sizeof(big));
	CHECK(xfs_open(&X, R, P("a/new"), LINUX_O_CREAT | LINUX_O_RDWR, 0644, &ino, &type) == 0);
	CHECK(xfs_write(&X, ino, 0, big, sizeof(big), &n) == 0 && n == sizeof(big));
	CHECK(xfs_write(&X, ino, 3ull << 30, "far", 3, &n) == 0);
	CHECK(xfs_mkdir(&X, R, P("a/dir"), 0755) == 0 && put("a/dir/f", "in ext4") == 0);
	CHECK(xfs_rename(&X, R, P("x"), R, P("a/dir/x"), 0) == 0);
	CHECK(xfs_truncate(&X, ino, 5000) == 0);
	CHECK(done_img());
	return true;
}

/* Flips bytes in metadata blocks (for every fourth seed the superblock
 * or the group descriptors too: then it may not mount) and walks the
 * tree: errors, never a crash. */
static void walk(ext2_ino_t d, int depth)
{
	static uint8_t buf[4000];
	uint64_t cookie = 0, next;
	size_t len, n;

	for (int rounds = 0; rounds < 50 && depth < 6; rounds++) {
		if (xfs_readdir(&X, d, cookie, buf, sizeof(buf), &len, &next) || !len)
			return;
		for (size_t o = 0; o + 19 < len;) {
			uint64_t ino;
			uint16_t rl;
			char name[256], data[512];
			struct posix_stat st;
			ext2_ino_t f;
			uint32_t type;

			memcpy(&ino, buf + o, 8);
			memcpy(&rl, buf + o + 16, 2);
			snprintf(name, sizeof(name), "%s", (char *)buf + o + 19);
			if (!rl)
				return;
			o += rl;
			if (!strcmp(name, ".") || !strcmp(name, ".."))
				continue;
			if (xfs_find(&X, d, P(name), LINUX_AT_SYMLINK_NOFOLLOW, &f) || xfs_stat(&X, f, &st))
				continue;
			if (LINUX_S_ISDIR(st.mode))
				walk(f, depth + 1);
			else
				xfs_read(&X, f, 0, data, sizeof(data), &n);
			xfs_open(&X, d, P(name), LINUX_O_RDWR | LINUX_O_TRUNC, 0, &f, &type);
			xfs_write(&X, f, 0, "x", 1, &n);
		}
		cookie = next;
	}
}

TEST(corrupt_images)
{
	unsigned mounted = 0, failed = 0;

	for (unsigned seed = 1; seed <= 60; seed++) {
		char cmd[600];
		const char *msg;
		ext2_ino_t ino;
		uint32_t type;
		size_t n;

		CHECK(mkimg("", "2M"));
		snprintf(cmd, sizeof(cmd),
			 "d=$(mktemp -d) && mkdir -p $d/a/b && echo hi > $d/a/f && ln -s f $d/a/l && "
			 "seq 1 2000 > $d/a/b/n && for i in $(seq 1 60); do : > $d/a/e$i; done && "
			 "mke2fs -q -F -t ext2 -d $d %s 2M >/dev/null 2>&1; rm -rf $d", img);
		CHECK(system(cmd) == 0);
		/* blocks 2..100 hold the group descriptors, bitmaps, inode table, directories */
		srand(seed);
		fd = open(img, O_RDWR);
		CHECK(fd >= 0);
		for (int i = 0; i < 1 + (int)(seed % 8); i++) {
			uint8_t junk[16];
			/* every fourth seed: the superblock or the group descriptors too */
			off_t at = (off_t)((seed % 4 == 0 && i == 0) ? 1 + rand() % 2 : 2 + rand() % 99) * 1024 +
				   rand() % 1008;
			for (unsigned k = 0; k < sizeof(junk); k++)
				junk[k] = (uint8_t)rand();
			CHECK(pwrite(fd, junk, seed % 3 ? 4 : sizeof(junk), at) > 0);
		}
		CHECK(dev_open(64));
		if (xfs_mount(&X, bcache_io_manager, "disk", false, clock_ns, &msg)) {
			failed++;
		} else {
			mounted++;
			walk(R, 0);
			xfs_mkdir(&X, R, P("new"), 0755);
			xfs_open(&X, R, P("new/file"), LINUX_O_CREAT | LINUX_O_RDWR, 0644, &ino, &type);
			xfs_write(&X, ino, 0, "data", 4, &n);
			xfs_unlink(&X, R, P("a/f"), 0);
			xfs_rename(&X, R, P("a/b"), R, P("b2"), 0);
			xfs_unmount(&X);
		}
		close(fd);
		fd = -1;
		unlink(img);
	}
	printf("# corrupt images: %u mounted, %u refused\n", mounted, failed);
	return true;
}
