/* SPDX-License-Identifier: MIT */
/*
 * vfstest: what a careless or hostile client sends (lengths that do not
 * match the message, offsets and flags out of range, capabilities of the
 * wrong kind, thousands of capabilities), many open objects, and the
 * clean-up the runner does between tests (rm_rf).
 */
#include <format.h>
#include "vfstest.h"

#define W "/tmp/w"

/* Removes path and everything under it (not following links). */
err_t rm_rf(const char *path)
{
	uint8_t buf[512];
	struct posix_stat st;
	uint64_t next;
	size_t n;
	cap_t d;
	err_t e;

	if ((e = fs_stat(v_root, path, LINUX_AT_SYMLINK_NOFOLLOW, &st)))
		return e;
	if ((st.mode & TMPFS_S_IFMT) != TMPFS_S_IFDIR)
		return fs_unlink(v_root, path, 0);
	if ((e = fs_open(v_root, path, LINUX_O_RDONLY | LINUX_O_DIRECTORY | LINUX_O_NOFOLLOW, 0, &d)))
		return e;
	while (!(e = io_readdir(d, POSIX_DIR_POS, sizeof(buf), buf, &next, &n)) && n) {
		for (size_t pos = 0; pos + 19 < n; ) {
			char child[640];
			uint16_t reclen;
			const char *name = (const char *)buf + pos + 19;

			memcpy(&reclen, buf + pos + 16, 2);
			if (!reclen)
				break;
			pos += reclen;
			if (!strcmp(name, ".") || !strcmp(name, ".."))
				continue;
			fmt_snprintf(child, sizeof(child), "%s/%s", path, name);
			rm_rf(child);
		}
	}
	io_close(&d);
	return fs_unlink(v_root, path, LINUX_AT_REMOVEDIR);
}

void t_bad_lengths(void)
{
	static char buf[POSIX_INLINE_MAX];
	struct vres r;
	cap_t f;

	CHECK_OK(fs_mkdir(v_root, W, 0755));
	memset(buf, 'q', sizeof(buf));
	CHECK_OK(put_file(W "/f", buf, 5000));
	CHECK_OK(fs_open(v_root, W "/f", LINUX_O_RDWR, 0, &f));
	/* a write longer than the bytes sent, or than a message holds */
	CHECK_ERR(vcall(f, IO_WRITE, 100, 0, 0, 0, "abcdefgh", 8, CAP_NULL).err, ERR_INVAL);
	CHECK_ERR(vcall(f, IO_WRITE, 9, 0, 0, 0, "abcdefgh", 8, CAP_NULL).err, ERR_INVAL);
	CHECK_ERR(vcall(f, IO_WRITE, 5000, 0, 0, 0, buf, sizeof(buf), CAP_NULL).err, ERR_INVAL);
	CHECK_ERR(vcall(f, IO_WRITE, UINT64_MAX, 0, 0, 0, buf, sizeof(buf), CAP_NULL).err, ERR_INVAL);
	CHECK_ERR(vcall(f, IO_PWRITE, 8, UINT64_MAX, 0, 0, "abcdefgh", 8, CAP_NULL).err, ERR_INVAL);
	/* a read of more than a message holds gets what fits */
	r = vcall(f, IO_READ, UINT64_MAX, 0, 0, 0, NULL, 0, CAP_NULL);
	CHECK(r.err == ERR_OK && r.w[0] == POSIX_INLINE_MAX && r.nbytes >= r.w[0], "read %lu",
	      (unsigned long)r.w[0]);
	CHECK_ERR(vcall(f, IO_PREAD, 10, 1ull << 63, 0, 0, NULL, 0, CAP_NULL).err, ERR_INVAL);
	CHECK_ERR(vcall(f, IO_SEEK, 0, 99, 0, 0, NULL, 0, CAP_NULL).err, ERR_INVAL);
	CHECK_ERR(vcall(f, IO_SEEK, 0, UINT64_MAX, 0, 0, NULL, 0, CAP_NULL).err, ERR_INVAL);
	io_close(&f);
	/* path lengths */
	CHECK_ERR(vcall(v_root, FS_OPEN, 0, 0, UINT64_MAX, 0, "abc", 3, CAP_NULL).err, ERR_NAMETOOLONG);
	CHECK_ERR(vcall(v_root, FS_OPEN, 0, 0, 100, 0, "abcdefgh", 8, CAP_NULL).err, ERR_INVAL);
	CHECK_ERR(vcall(v_root, FS_MKDIR, 0755, 0, 17, 0, "/tmp/w/abcdefgh", 16, CAP_NULL).err, ERR_INVAL);
	CHECK_ERR(vcall(v_root, FS_RENAME, 0, 0, 8, UINT64_MAX, buf, 16, CAP_NULL).err, ERR_NAMETOOLONG);
	CHECK_ERR(vcall(v_root, FS_RENAME, 0, 0, UINT64_MAX - 4, 8, buf, 16, CAP_NULL).err,
		  ERR_NAMETOOLONG);
	CHECK_ERR(vcall(v_root, FS_RENAME, 0, 0, 8, 100, buf, 16, CAP_NULL).err, ERR_INVAL);
	CHECK_ERR(vcall(v_root, FS_LINK, 0, 0, 4000, 1, buf, sizeof(buf), CAP_NULL).err, ERR_INVAL);
	CHECK_ERR(vcall(v_root, FS_SYMLINK, 0, 0, 3, 4000, buf, 10, CAP_NULL).err, ERR_INVAL);
	CHECK_ERR(vcall(v_root, FS_UTIMENS, 0, 0, 3990, 0, buf, sizeof(buf), CAP_NULL).err, ERR_INVAL);
	CHECK_ERR(vcall(v_root, FS_UTIMENS, 0, 0, 5000, 0, buf, sizeof(buf), CAP_NULL).err,
		  ERR_NAMETOOLONG);
	/* the longest message with one long path component */
	CHECK_ERR(vcall(v_root, FS_STAT, 0, 0, sizeof(buf), 0, buf, sizeof(buf), CAP_NULL).err,
		  ERR_NAMETOOLONG);
	/* flags words with high bits */
	CHECK_ERR(vcall(v_root, FS_STAT, 1ull << 40, 0, 1, 0, "/", 1, CAP_NULL).err, ERR_INVAL);
	CHECK_ERR(vcall(v_root, FS_CHMOD, 0644, 1ull << 40, 1, 0, "/", 1, CAP_NULL).err, ERR_INVAL);
	CHECK_ERR(vcall(v_root, FS_ACCESS, 0, 1ull << 40, 1, 0, "/", 1, CAP_NULL).err, ERR_INVAL);
	CHECK_ERR(vcall(v_root, FS_ACCESS, 1ull << 40, 0, 1, 0, "/", 1, CAP_NULL).err, ERR_INVAL);
	CHECK_ERR(vcall(v_root, FS_PIPE, UINT64_MAX, 0, 0, 0, NULL, 0, CAP_NULL).err, ERR_INVAL);
}

void t_bad_caps(void)
{
	struct cairn_ipcbuf *ib = cairn_ipcbuf();
	struct cairn_msg m;
	cap_t note = mk_notification(), c[4];

	CHECK(note != CAP_NULL, "notification");
	CHECK_OK(fs_mkdir(v_root, W, 0755));
	CHECK_OK(put_file(W "/f", "", 0));
	/* capabilities nobody asked for are dropped; the call works */
	for (unsigned i = 0; i < 4; i++)
		CHECK_OK(cairn_cap_copy(note, RIGHTS_ALL, &c[i]));
	for (unsigned i = 0; i < 4; i++)
		ib->caps[i] = c[i];
	m = cairn_call(v_root, cairn_tag(IO_STAT, CAIRN_MSG_REGS, 4), 0, 0, 0, 0);
	CHECK(!m.err && cairn_tag_label(m.tag) == 0, "IO_STAT with 4 capabilities: %d %d", (int)m.err,
	      (int)cairn_tag_label(m.tag));
	/* a capability where a directory should be */
	CHECK_ERR(fs_link(v_root, W "/f", note, "x", 0), ERR_BADF);
	CHECK_ERR(fs_rename(v_root, W "/f", c[0], "x", 0), ERR_BADF);
	for (unsigned i = 0; i < 4; i++)
		del(&c[i]);
	del(&note);
}

void t_caps_not_kept(void)
{
	struct cairn_ipcbuf *ib = cairn_ipcbuf();
	cap_t note = mk_notification(), c[4], f, d;

	CHECK(note != CAP_NULL, "notification");
	CHECK_OK(fs_mkdir(v_root, W, 0755));
	for (unsigned i = 0; i < 4; i++)
		CHECK_OK(cairn_cap_copy(note, RIGHTS_ALL, &c[i]));
	/* 6000 capabilities sent: the server's table has 1024 slots */
	for (unsigned k = 0; k < 1500; k++) {
		struct cairn_msg m;

		for (unsigned i = 0; i < 4; i++)
			ib->caps[i] = c[i];
		m = cairn_call(v_root, cairn_tag(IO_GETFL, CAIRN_MSG_REGS, 4), 0, 0, 0, 0);
		CHECK(!m.err && cairn_tag_label(m.tag) == 0, "call %u: %d %d", k, (int)m.err,
		      (int)cairn_tag_label(m.tag));
	}
	/* directory capabilities of two-path requests are dropped as well */
	CHECK_OK(fs_open(v_root, W, LINUX_O_RDONLY, 0, &d));
	for (unsigned k = 0; k < 1100; k++)
		CHECK_ERR(fs_rename(v_root, W "/none", d, "x", 0), ERR_NOENT);
	io_close(&d);
	/* and it can still mint */
	CHECK_OK(fs_open(v_root, W "/f", LINUX_O_CREAT | LINUX_O_RDWR, 0600, &f));
	io_close(&f);
	for (unsigned i = 0; i < 4; i++)
		del(&c[i]);
	del(&note);
}

void t_many_opens(void)
{
	static cap_t caps[500], dups[1000];
	uint64_t h0, h1, x;
	struct posix_stat st;
	cap_t f;

	CHECK_OK(fs_mkdir(v_root, W, 0755));
	CHECK_OK(put_file(W "/f", "", 0));
	CHECK_OK(vfs_stats(&h0, &x, &x, &x));
	for (unsigned i = 0; i < 500; i++)
		CHECK_OK(fs_open(v_root, W "/f", LINUX_O_RDONLY, 0, &caps[i]));
	CHECK_OK(vfs_stats(&h1, &x, &x, &x));
	CHECK(h1 == h0 + 500, "%lu objects, want %lu", (unsigned long)h1, (unsigned long)h0 + 500);
	for (unsigned i = 0; i < 500; i++)
		CHECK_OK(io_close(&caps[i]));
	CHECK_OK(vfs_stats(&h1, &x, &x, &x));
	CHECK(h1 == h0, "%lu objects after closing", (unsigned long)h1);
	/* many references to one description: the last close frees it */
	CHECK_OK(fs_open(v_root, W "/f", LINUX_O_RDONLY, 0, &f));
	for (unsigned i = 0; i < 1000; i++)
		CHECK_OK(io_dup(f, &dups[i]));
	for (unsigned i = 0; i < 1000; i++)
		CHECK_OK(io_close(&dups[i]));
	CHECK_OK(io_stat(f, &st));
	CHECK_OK(io_close(&f));
	CHECK_OK(vfs_stats(&h1, &x, &x, &x));
	CHECK(h1 == h0, "%lu objects at the end", (unsigned long)h1);
}
