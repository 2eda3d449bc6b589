// SPDX-License-Identifier: MIT
/*
 * Host tests of the VFS server's tree (user/servers/vfs/tmpfs.c): path
 * resolution with its Linux errors, symbolic links, every operation by
 * path, file data (sparse pages, truncation, the boot image's backing),
 * directory cookies, and out-of-memory at every allocation of a sequence
 * of changes (the tree must stay consistent and free everything).
 *
 * The allocation hooks tmpfs.c asks for check that every free names the
 * size that was allocated, count live blocks (each test ends with none)
 * and fail on demand.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "test.h"
#include "../../user/servers/vfs/tmpfs.h"

/* ---- allocation hooks -------------------------------------------------------------- */

#define MAGIC 0x7a3f5e11u

struct hdr {
	size_t size;
	uint32_t magic, page;
	uint64_t pad;
};

static long live, fail_after = -1;
static bool size_mismatch;

static void *alloc(size_t n, bool page)
{
	struct hdr *h;

	if (fail_after == 0)
		return NULL;
	if (fail_after > 0)
		fail_after--;
	h = calloc(1, sizeof(*h) + n);
	if (!h)
		return NULL;
	h->size = n;
	h->magic = MAGIC;
	h->page = page;
	live++;
	return h + 1;
}

static void release(void *p, size_t n, bool page)
{
	struct hdr *h;

	if (!p)
		return;
	h = (struct hdr *)p - 1;
	if (h->magic != MAGIC || h->page != page || (!page && h->size != n)) {
		printf("# bad free: size %zu, allocated %zu\n", n, h->size);
		size_mismatch = true;
	}
	h->magic = 0;
	live--;
	free(h);
}

void *tmpfs_alloc(size_t n) { return alloc(n, false); }
void tmpfs_free(void *p, size_t n) { release(p, n, false); }
void *tmpfs_page_alloc(void) { return alloc(TMPFS_PAGE, true); }
/* not zeroed: filled with a pattern, so a byte tmpfs fails to write shows */
void *tmpfs_page_alloc_raw(void)
{
	void *p = alloc(TMPFS_PAGE, true);

	if (p)
		memset(p, 0xa5, TMPFS_PAGE);
	return p;
}
void tmpfs_page_free(void *p) { release(p, TMPFS_PAGE, true); }

static uint64_t clock_ns;
static uint64_t fake_now(void) { return clock_ns += 1000; }

static struct tmpfs fs;

static bool setup(void)
{
	live = 0;
	fail_after = -1;
	size_mismatch = false;
	return tmpfs_init(&fs, fake_now) == ERR_OK;
}

/* Tears the tree down: nothing may be left, every free the right size. */
static bool teardown(void)
{
	tmpfs_destroy(&fs);
	if (live || size_mismatch)
		printf("# %ld blocks still allocated, size mismatch %d\n", live, size_mismatch);
	return live == 0 && !size_mismatch && fs.nodes == 0;
}

#define S(s) (s), strlen(s)
#define R fs.root

static err_t mkfile(const char *path, const char *data)
{
	struct tmpfs_node *n;
	size_t done;
	err_t e = tmpfs_open(&fs, R, S(path), LINUX_O_CREAT | LINUX_O_WRONLY, 0644, &n);

	if (e)
		return e;
	if (data && *data)
		e = tmpfs_write(&fs, n, 0, data, strlen(data), &done);
	tmpfs_node_put(&fs, n);
	return e;
}

/* The node path names (following links), or NULL. */
static struct tmpfs_node *find(const char *path)
{
	struct tmpfs_node *n;

	return tmpfs_find(&fs, R, S(path), 0, 0, &n) ? NULL : n;
}

static struct tmpfs_node *lfind(const char *path)
{
	struct tmpfs_node *n;

	return tmpfs_find(&fs, R, S(path), LINUX_AT_SYMLINK_NOFOLLOW, LINUX_AT_SYMLINK_NOFOLLOW, &n) ? NULL : n;
}

static err_t find_err(const char *path)
{
	struct tmpfs_node *n;

	return tmpfs_find(&fs, R, S(path), 0, 0, &n);
}

static bool content_is(const char *path, const char *want)
{
	struct tmpfs_node *n = find(path);
	char buf[256];
	size_t got;

	if (!n || tmpfs_read(&fs, n, 0, buf, sizeof(buf), &got))
		return false;
	return got == strlen(want) && !memcmp(buf, want, got);
}

/* ---- tests --------------------------------------------------------------------------- */

TEST(root)
{
	struct posix_stat st;

	CHECK(setup());
	tmpfs_stat(R, &st);
	CHECK(st.ino == 1 && st.mode == (TMPFS_S_IFDIR | 0755) && st.nlink == 2);
	CHECK(find("/") == R && find("//") == R && find(".") == R && find("..") == R);
	CHECK(find("/../../..") == R && find("./.././") == R);
	return teardown();
}

TEST(create_read_write)
{
	struct tmpfs_node *n;
	char buf[64];
	size_t k;

	CHECK(setup());
	CHECK(tmpfs_open(&fs, R, S("f"), LINUX_O_CREAT | LINUX_O_RDWR, 0640, &n) == ERR_OK);
	CHECK(n->mode == (TMPFS_S_IFREG | 0640) && n->nlink == 1 && n->refs == 1);
	CHECK(tmpfs_write(&fs, n, 0, "hello, world", 12, &k) == ERR_OK && k == 12);
	CHECK(tmpfs_read(&fs, n, 7, buf, sizeof(buf), &k) == ERR_OK && k == 5 && !memcmp(buf, "world", 5));
	CHECK(tmpfs_read(&fs, n, 12, buf, sizeof(buf), &k) == ERR_OK && k == 0);
	CHECK(tmpfs_read(&fs, n, 1000, buf, sizeof(buf), &k) == ERR_OK && k == 0);
	/* across a page boundary */
	CHECK(tmpfs_write(&fs, n, 4090, "0123456789", 10, &k) == ERR_OK && k == 10);
	CHECK(n->size == 4100);
	CHECK(tmpfs_read(&fs, n, 4088, buf, 20, &k) == ERR_OK && k == 12);
	CHECK(buf[0] == 0 && buf[1] == 0 && !memcmp(buf + 2, "0123456789", 10));
	tmpfs_node_put(&fs, n);
	CHECK(content_is("/f", "hello, world") == false);     /* 4100 bytes now */
	return teardown();
}

TEST(sparse_and_limits)
{
	struct tmpfs_node *n;
	struct posix_stat st;
	char buf[8192];
	size_t k;

	CHECK(setup());
	CHECK(tmpfs_open(&fs, R, S("s"), LINUX_O_CREAT | LINUX_O_RDWR, 0600, &n) == ERR_OK);
	CHECK(tmpfs_write(&fs, n, 1ull << 30, "x", 1, &k) == ERR_OK && k == 1);
	CHECK(n->size == (1ull << 30) + 1 && n->u.file.pages == 1);
	tmpfs_stat(n, &st);
	CHECK(st.blocks == 8);
	memset(buf, 0x55, sizeof(buf));
	CHECK(tmpfs_read(&fs, n, (1ull << 30) - 8000, buf, sizeof(buf), &k) == ERR_OK && k == 8001);
	for (unsigned i = 0; i < 8000; i++)
		CHECK(buf[i] == 0);
	CHECK(buf[8000] == 'x');
	/* the largest file */
	CHECK(tmpfs_write(&fs, n, TMPFS_FILE_MAX - 1, "yz", 2, &k) == ERR_OK && k == 1);
	CHECK(n->size == TMPFS_FILE_MAX && n->u.file.depth == TMPFS_DEPTH_MAX);
	CHECK(tmpfs_write(&fs, n, TMPFS_FILE_MAX, "y", 1, &k) == ERR_FBIG);
	CHECK(tmpfs_truncate(&fs, n, TMPFS_FILE_MAX + 1) == ERR_FBIG);
	CHECK(tmpfs_truncate(&fs, n, 10) == ERR_OK && n->u.file.pages == 0 && n->size == 10);
	CHECK(tmpfs_read(&fs, n, 0, buf, 100, &k) == ERR_OK && k == 10 && !buf[0] && !buf[9]);
	tmpfs_node_put(&fs, n);
	return teardown();
}

TEST(truncate_zeroes_tail)
{
	struct tmpfs_node *n;
	char buf[10000], want[10000];
	size_t k;

	CHECK(setup());
	CHECK(tmpfs_open(&fs, R, S("t"), LINUX_O_CREAT | LINUX_O_RDWR, 0600, &n) == ERR_OK);
	memset(buf, 'a', sizeof(buf));
	CHECK(tmpfs_write(&fs, n, 0, buf, sizeof(buf), &k) == ERR_OK && k == sizeof(buf));
	CHECK(n->u.file.pages == 3);
	CHECK(tmpfs_truncate(&fs, n, 5000) == ERR_OK && n->u.file.pages == 2);
	CHECK(tmpfs_truncate(&fs, n, 9000) == ERR_OK && n->size == 9000);
	memset(want, 'a', 5000);
	memset(want + 5000, 0, 4000);
	CHECK(tmpfs_read(&fs, n, 0, buf, sizeof(buf), &k) == ERR_OK && k == 9000);
	CHECK(!memcmp(buf, want, 9000));
	CHECK(tmpfs_truncate(&fs, n, 0) == ERR_OK && n->u.file.pages == 0 && !n->u.file.root);
	tmpfs_node_put(&fs, n);
	return teardown();
}

TEST(mkdir_rmdir)
{
	CHECK(setup());
	CHECK(tmpfs_mkdir(&fs, R, S("d"), 0755) == ERR_OK);
	CHECK(R->nlink == 3);
	CHECK(tmpfs_mkdir(&fs, R, S("d/e/"), 0700) == ERR_OK);
	CHECK(find("d")->nlink == 3 && find("d/e")->nlink == 2);
	CHECK(find("d/e")->mode == (TMPFS_S_IFDIR | 0700));
	CHECK(tmpfs_mkdir(&fs, R, S("d"), 0755) == ERR_EXIST);
	CHECK(tmpfs_mkdir(&fs, R, S("d/."), 0755) == ERR_EXIST);
	CHECK(tmpfs_mkdir(&fs, R, S("/"), 0755) == ERR_EXIST);
	CHECK(tmpfs_mkdir(&fs, R, S("x/y"), 0755) == ERR_NOENT);
	CHECK(tmpfs_mkdir(&fs, R, S(""), 0755) == ERR_NOENT);
	CHECK(mkfile("d/f", "1") == ERR_OK);
	CHECK(tmpfs_mkdir(&fs, R, S("d/f/g"), 0755) == ERR_NOTDIR);
	CHECK(tmpfs_mkdir(&fs, R, S("d/f/"), 0755) == ERR_EXIST);
	CHECK(tmpfs_unlink(&fs, R, S("d"), LINUX_AT_REMOVEDIR) == ERR_NOTEMPTY);
	CHECK(tmpfs_unlink(&fs, R, S("d/f"), LINUX_AT_REMOVEDIR) == ERR_NOTDIR);
	CHECK(tmpfs_unlink(&fs, R, S("d/e/."), LINUX_AT_REMOVEDIR) == ERR_INVAL);
	CHECK(tmpfs_unlink(&fs, R, S("d/e/.."), LINUX_AT_REMOVEDIR) == ERR_NOTEMPTY);
	CHECK(tmpfs_unlink(&fs, R, S("/"), LINUX_AT_REMOVEDIR) == ERR_BUSY);
	CHECK(tmpfs_unlink(&fs, R, S("d/nope"), LINUX_AT_REMOVEDIR) == ERR_NOENT);
	CHECK(tmpfs_unlink(&fs, R, S("d/e"), 0) == ERR_ISDIR);
	CHECK(tmpfs_unlink(&fs, R, S("d/e"), 0x1) == ERR_INVAL);
	CHECK(tmpfs_unlink(&fs, R, S("d/e/"), LINUX_AT_REMOVEDIR) == ERR_OK);
	CHECK(find("d")->nlink == 2);
	CHECK(tmpfs_unlink(&fs, R, S("d/f"), 0) == ERR_OK);
	CHECK(tmpfs_unlink(&fs, R, S("d"), LINUX_AT_REMOVEDIR) == ERR_OK);
	CHECK(R->nlink == 2 && fs.nodes == 1);
	return teardown();
}

TEST(removed_directory)
{
	struct tmpfs_node *d, *n;
	char buf[16];
	size_t len;

	CHECK(setup());
	CHECK(tmpfs_mkdir(&fs, R, S("gone"), 0755) == ERR_OK);
	CHECK(tmpfs_open(&fs, R, S("gone"), LINUX_O_RDONLY | LINUX_O_DIRECTORY, 0, &d) == ERR_OK);
	CHECK(tmpfs_unlink(&fs, R, S("gone"), LINUX_AT_REMOVEDIR) == ERR_OK);
	CHECK(d->nlink == 0 && fs.nodes == 2);
	/* nothing can be made in it, and it has no path */
	CHECK(tmpfs_open(&fs, d, S("x"), LINUX_O_CREAT | LINUX_O_RDWR, 0600, &n) == ERR_NOENT);
	CHECK(tmpfs_mkdir(&fs, d, S("x"), 0755) == ERR_NOENT);
	CHECK(tmpfs_find(&fs, d, S("."), 0, 0, &n) == ERR_OK && n == d);
	CHECK(tmpfs_find(&fs, d, S(".."), 0, 0, &n) == ERR_NOENT);
	CHECK(tmpfs_getpath(&fs, d, buf, sizeof(buf), &len) == ERR_NOENT);
	tmpfs_node_put(&fs, d);
	CHECK(fs.nodes == 1);
	return teardown();
}

TEST(unlink_open_file)
{
	struct tmpfs_node *n;
	char buf[8];
	size_t k;

	CHECK(setup());
	CHECK(mkfile("f", "data") == ERR_OK);
	CHECK(tmpfs_open(&fs, R, S("f"), LINUX_O_RDONLY, 0, &n) == ERR_OK);
	CHECK(tmpfs_unlink(&fs, R, S("f/"), 0) == ERR_NOTDIR);
	CHECK(tmpfs_unlink(&fs, R, S("f"), 0) == ERR_OK);
	CHECK(find("f") == NULL && n->nlink == 0 && fs.nodes == 2);
	CHECK(tmpfs_read(&fs, n, 0, buf, sizeof(buf), &k) == ERR_OK && k == 4 && !memcmp(buf, "data", 4));
	CHECK(tmpfs_unlink(&fs, R, S("f"), 0) == ERR_NOENT);
	CHECK(tmpfs_unlink(&fs, R, S("."), 0) == ERR_ISDIR);
	CHECK(tmpfs_unlink(&fs, R, S("/"), 0) == ERR_ISDIR);
	tmpfs_node_put(&fs, n);
	CHECK(fs.nodes == 1);
	return teardown();
}

TEST(path_errors)
{
	char p[TMPFS_PATH_MAX + 8];

	CHECK(setup());
	CHECK(tmpfs_mkdir(&fs, R, S("a"), 0755) == ERR_OK);
	CHECK(tmpfs_mkdir(&fs, R, S("a/b"), 0755) == ERR_OK);
	CHECK(mkfile("a/b/c", "c") == ERR_OK);
	CHECK(find("a//b/./c") == find("/a/b/c") && find("a/b/c") != NULL);
	CHECK(find("a/b/../b/c") == find("a/b/c"));
	CHECK(find_err("a/b/c/d") == ERR_NOTDIR);
	CHECK(find_err("a/b/c/") == ERR_NOTDIR);
	CHECK(find_err("a/x/c") == ERR_NOENT);
	CHECK(find_err("") == ERR_NOENT);
	CHECK(find("a/b/") == find("a/b"));
	{
		struct tmpfs_node *n;
		CHECK(tmpfs_find(&fs, R, "a\0b", 3, 0, 0, &n) == ERR_INVAL);
	}
	/* a component of 255 bytes is fine, 256 is too long */
	memset(p, 'n', 255);
	CHECK(find_err((p[255] = 0, p)) == ERR_NOENT);
	memset(p, 'n', 256);
	CHECK(find_err((p[256] = 0, p)) == ERR_NAMETOOLONG);
	CHECK(tmpfs_mkdir(&fs, R, p, 256, 0755) == ERR_NAMETOOLONG);
	p[255] = 0;
	CHECK(mkfile(p, "") == ERR_OK);
	/* a path of 4095 bytes is resolved, 4096 is too long */
	for (unsigned i = 0; i < TMPFS_PATH_MAX; i += 2) {
		p[i] = '.';
		p[i + 1] = '/';
	}
	p[TMPFS_PATH_MAX - 1] = '.';
	CHECK(tmpfs_find(&fs, R, p, TMPFS_PATH_MAX - 1, 0, 0, &(struct tmpfs_node *){ 0 }) == ERR_OK);
	CHECK(tmpfs_find(&fs, R, p, TMPFS_PATH_MAX, 0, 0, &(struct tmpfs_node *){ 0 }) == ERR_NAMETOOLONG);
	return teardown();
}

TEST(symlinks)
{
	struct tmpfs_node *n;
	const char *t;
	size_t tl;
	char name[16];

	CHECK(setup());
	CHECK(tmpfs_mkdir(&fs, R, S("d"), 0755) == ERR_OK);
	CHECK(mkfile("d/f", "F") == ERR_OK);
	CHECK(tmpfs_symlink(&fs, S("f"), R, S("d/rel")) == ERR_OK);
	CHECK(tmpfs_symlink(&fs, S("/d"), R, S("abs")) == ERR_OK);
	CHECK(tmpfs_symlink(&fs, S("abs/rel"), R, S("chain")) == ERR_OK);
	CHECK(content_is("d/rel", "F") && content_is("abs/f", "F") && content_is("chain", "F"));
	CHECK(lfind("chain") && tmpfs_is_lnk(lfind("chain")) && lfind("chain")->mode == (TMPFS_S_IFLNK | 0777));
	CHECK(tmpfs_readlink(&fs, R, S("chain"), &t, &tl) == ERR_OK && tl == 7 && !memcmp(t, "abs/rel", 7));
	CHECK(tmpfs_readlink(&fs, R, S("d/f"), &t, &tl) == ERR_INVAL);
	CHECK(tmpfs_readlink(&fs, R, S("nope"), &t, &tl) == ERR_NOENT);
	CHECK(tmpfs_symlink(&fs, S("x"), R, S("chain")) == ERR_EXIST);
	CHECK(tmpfs_symlink(&fs, "", 0, R, S("empty")) == ERR_NOENT);
	CHECK(tmpfs_symlink(&fs, "a\0b", 3, R, S("nul")) == ERR_INVAL);
	CHECK(tmpfs_symlink(&fs, S("x"), R, S("new/")) == ERR_NOENT);
	/* a trailing slash follows a link to a directory */
	CHECK(find("abs/") == find("d"));
	CHECK(lfind("abs/") == find("d"));
	/* O_NOFOLLOW on a link: ELOOP; O_PATH|O_NOFOLLOW: the link itself */
	CHECK(tmpfs_open(&fs, R, S("chain"), LINUX_O_RDONLY | LINUX_O_NOFOLLOW, 0, &n) == ERR_LOOP);
	CHECK(tmpfs_open(&fs, R, S("chain"), LINUX_O_PATH | LINUX_O_NOFOLLOW, 0, &n) == ERR_OK);
	CHECK(tmpfs_is_lnk(n));
	tmpfs_node_put(&fs, n);
	/* a dangling link: O_CREAT makes its target, O_EXCL refuses */
	CHECK(tmpfs_symlink(&fs, S("d/target"), R, S("dangling")) == ERR_OK);
	CHECK(find_err("dangling") == ERR_NOENT);
	CHECK(tmpfs_open(&fs, R, S("dangling"), LINUX_O_CREAT | LINUX_O_EXCL | LINUX_O_WRONLY, 0600, &n) == ERR_EXIST);
	CHECK(tmpfs_open(&fs, R, S("dangling"), LINUX_O_CREAT | LINUX_O_WRONLY, 0600, &n) == ERR_OK);
	tmpfs_node_put(&fs, n);
	CHECK(find("d/target") != NULL && find("dangling") == find("d/target"));
	/* loops */
	CHECK(tmpfs_symlink(&fs, S("loop2"), R, S("loop1")) == ERR_OK);
	CHECK(tmpfs_symlink(&fs, S("loop1"), R, S("loop2")) == ERR_OK);
	CHECK(find_err("loop1") == ERR_LOOP && find_err("loop1/x") == ERR_LOOP);
	CHECK(lfind("loop1") != NULL);
	/* a chain of 40 links resolves, 41 is a loop */
	CHECK(mkfile("l0", "end") == ERR_OK);
	for (int i = 1; i <= 41; i++) {
		char target[8];
		snprintf(target, sizeof(target), "l%d", i - 1);
		snprintf(name, sizeof(name), "l%d", i);
		CHECK(tmpfs_symlink(&fs, S(target), R, S(name)) == ERR_OK);
	}
	CHECK(content_is("l40", "end"));
	CHECK(find_err("l41") == ERR_LOOP);
	/* mkdir and unlink never follow the last component */
	CHECK(tmpfs_mkdir(&fs, R, S("dangling"), 0755) == ERR_EXIST);
	CHECK(tmpfs_unlink(&fs, R, S("abs"), LINUX_AT_REMOVEDIR) == ERR_NOTDIR);
	CHECK(tmpfs_unlink(&fs, R, S("abs/"), LINUX_AT_REMOVEDIR) == ERR_NOTDIR);
	CHECK(tmpfs_unlink(&fs, R, S("abs"), 0) == ERR_OK);
	CHECK(find("d") != NULL);
	return teardown();
}

TEST(open_flags)
{
	struct tmpfs_node *n;

	CHECK(setup());
	CHECK(tmpfs_mkdir(&fs, R, S("d"), 0755) == ERR_OK);
	CHECK(mkfile("f", "12345") == ERR_OK);
	CHECK(tmpfs_open(&fs, R, S("f"), LINUX_O_CREAT | LINUX_O_EXCL | LINUX_O_RDWR, 0600, &n) == ERR_EXIST);
	CHECK(tmpfs_open(&fs, R, S("f"), LINUX_O_RDONLY | LINUX_O_DIRECTORY, 0, &n) == ERR_NOTDIR);
	CHECK(tmpfs_open(&fs, R, S("f/"), LINUX_O_RDONLY, 0, &n) == ERR_NOTDIR);
	CHECK(tmpfs_open(&fs, R, S("d"), LINUX_O_WRONLY, 0, &n) == ERR_ISDIR);
	CHECK(tmpfs_open(&fs, R, S("d"), LINUX_O_RDWR, 0, &n) == ERR_ISDIR);
	CHECK(tmpfs_open(&fs, R, S("d"), LINUX_O_RDONLY | LINUX_O_CREAT, 0, &n) == ERR_ISDIR);
	CHECK(tmpfs_open(&fs, R, S("d"), LINUX_O_RDONLY | LINUX_O_TRUNC, 0, &n) == ERR_ISDIR);
	CHECK(tmpfs_open(&fs, R, S("nope"), LINUX_O_RDONLY, 0, &n) == ERR_NOENT);
	CHECK(tmpfs_open(&fs, R, S("new/"), LINUX_O_CREAT | LINUX_O_RDWR, 0600, &n) == ERR_ISDIR);
	CHECK(tmpfs_open(&fs, R, S("new"), LINUX_O_CREAT | LINUX_O_DIRECTORY, 0600, &n) == ERR_INVAL);
	CHECK(tmpfs_open(&fs, R, S("x/new"), LINUX_O_CREAT | LINUX_O_RDWR, 0600, &n) == ERR_NOENT);
	CHECK(tmpfs_open(&fs, R, S("f"), 3, 0, &n) == ERR_INVAL);
	CHECK(tmpfs_open(&fs, R, S("d"), LINUX_O_TMPFILE | LINUX_O_RDWR, 0600, &n) == ERR_OPNOTSUPP);
	CHECK(tmpfs_open(&fs, R, S("f"), LINUX_O_RDONLY | LINUX_O_TRUNC, 0, &n) == ERR_OK);
	CHECK(n->size == 0);
	tmpfs_node_put(&fs, n);
	CHECK(tmpfs_open(&fs, R, S("d"), LINUX_O_RDONLY | LINUX_O_DIRECTORY, 0, &n) == ERR_OK && n == find("d"));
	tmpfs_node_put(&fs, n);
	CHECK(tmpfs_open(&fs, R, S("d/"), LINUX_O_PATH, 0, &n) == ERR_OK);
	tmpfs_node_put(&fs, n);
	CHECK(fs.nodes == 3 && find("d")->refs == 0);
	return teardown();
}

TEST(rename)
{
	struct tmpfs_node *f, *g;

	CHECK(setup());
	CHECK(mkfile("f", "F") == ERR_OK && mkfile("g", "G") == ERR_OK);
	CHECK(tmpfs_mkdir(&fs, R, S("d"), 0755) == ERR_OK);
	CHECK(tmpfs_mkdir(&fs, R, S("e"), 0755) == ERR_OK);
	CHECK(tmpfs_mkdir(&fs, R, S("d/sub"), 0755) == ERR_OK);
	f = find("f");
	g = find("g");
	/* a file over a file: the old one goes */
	CHECK(tmpfs_rename(&fs, R, S("f"), R, S("g"), 0) == ERR_OK);
	CHECK(find("f") == NULL && find("g") == f && content_is("g", "F") && fs.nodes == 5);
	(void)g;
	CHECK(tmpfs_rename(&fs, R, S("nope"), R, S("x"), 0) == ERR_NOENT);
	CHECK(tmpfs_rename(&fs, R, S("g"), R, S("nodir/x"), 0) == ERR_NOENT);
	CHECK(tmpfs_rename(&fs, R, S("g"), R, S("d"), 0) == ERR_ISDIR);
	CHECK(tmpfs_rename(&fs, R, S("d"), R, S("g"), 0) == ERR_NOTDIR);
	CHECK(tmpfs_rename(&fs, R, S("d"), R, S("d/sub/x"), 0) == ERR_INVAL);
	CHECK(tmpfs_rename(&fs, R, S("d"), R, S("d/x"), 0) == ERR_INVAL);
	CHECK(tmpfs_rename(&fs, R, S("e"), R, S("d"), 0) == ERR_NOTEMPTY);
	CHECK(tmpfs_rename(&fs, R, S("g"), R, S("g2/"), 0) == ERR_NOTDIR);
	CHECK(tmpfs_rename(&fs, R, S("."), R, S("x"), 0) == ERR_BUSY);
	CHECK(tmpfs_rename(&fs, R, S("g"), R, S("/"), 0) == ERR_BUSY);
	CHECK(tmpfs_rename(&fs, R, S("g"), R, S("g"), 0) == ERR_OK && find("g") == f);
	CHECK(tmpfs_rename(&fs, R, S("g"), R, S("e"), LINUX_RENAME_NOREPLACE) == ERR_EXIST);
	CHECK(tmpfs_rename(&fs, R, S("g"), R, S("e"), 4) == ERR_INVAL);
	/* a directory over an empty one, across parents: link counts follow */
	CHECK(tmpfs_rename(&fs, R, S("d/sub"), R, S("e/"), 0) == ERR_OK);
	CHECK(find("d")->nlink == 2 && find("e")->nlink == 2 && R->nlink == 4 && fs.nodes == 4);
	CHECK(tmpfs_rename(&fs, R, S("e"), R, S("d/moved"), 0) == ERR_OK);
	CHECK(find("d")->nlink == 3 && R->nlink == 3 && find("d/moved/..") == find("d"));
	{
		char buf[64];
		size_t len;
		CHECK(tmpfs_getpath(&fs, find("d/moved"), buf, sizeof(buf), &len) == ERR_OK);
		CHECK(len == 8 && !strcmp(buf, "/d/moved"));
	}
	/* exchange */
	CHECK(tmpfs_rename(&fs, R, S("g"), R, S("d/moved"), LINUX_RENAME_EXCHANGE) == ERR_OK);
	CHECK(find("d/moved") == f && tmpfs_is_dir(find("g")) && find("g/..") == R);
	CHECK(find("d")->nlink == 2 && R->nlink == 4);
	CHECK(tmpfs_rename(&fs, R, S("g"), R, S("nope"), LINUX_RENAME_EXCHANGE) == ERR_NOENT);
	CHECK(tmpfs_rename(&fs, R, S("d"), R, S("d/moved"), LINUX_RENAME_EXCHANGE) == ERR_INVAL);
	return teardown();
}

TEST(hard_links)
{
	struct tmpfs_node *n;

	CHECK(setup());
	CHECK(mkfile("f", "F") == ERR_OK);
	CHECK(tmpfs_mkdir(&fs, R, S("d"), 0755) == ERR_OK);
	CHECK(tmpfs_link(&fs, R, S("f"), R, S("d/f2"), 0) == ERR_OK);
	CHECK(find("f") == find("d/f2") && find("f")->nlink == 2);
	CHECK(tmpfs_link(&fs, R, S("f"), R, S("d/f2"), 0) == ERR_EXIST);
	CHECK(tmpfs_link(&fs, R, S("d"), R, S("d2"), 0) == ERR_PERM);
	CHECK(tmpfs_link(&fs, R, S("nope"), R, S("x"), 0) == ERR_NOENT);
	CHECK(tmpfs_link(&fs, R, S("f"), R, S("x/"), 0) == ERR_NOENT);
	CHECK(tmpfs_link(&fs, R, S("f"), R, S("x"), 0x8000) == ERR_INVAL);
	/* a link to a symlink, or through it */
	CHECK(tmpfs_symlink(&fs, S("f"), R, S("s")) == ERR_OK);
	CHECK(tmpfs_link(&fs, R, S("s"), R, S("s2"), 0) == ERR_OK && tmpfs_is_lnk(lfind("s2")));
	CHECK(tmpfs_link(&fs, R, S("s"), R, S("f3"), LINUX_AT_SYMLINK_FOLLOW) == ERR_OK);
	CHECK(find("f3") == find("f") && find("f")->nlink == 3);
	/* AT_EMPTY_PATH: the node itself; not once it has no link left */
	CHECK(tmpfs_open(&fs, R, S("f"), LINUX_O_RDONLY, 0, &n) == ERR_OK);
	CHECK(tmpfs_link(&fs, n, "", 0, R, S("f4"), LINUX_AT_EMPTY_PATH) == ERR_OK && n->nlink == 4);
	CHECK(tmpfs_unlink(&fs, R, S("f"), 0) == ERR_OK && tmpfs_unlink(&fs, R, S("f3"), 0) == ERR_OK);
	CHECK(tmpfs_unlink(&fs, R, S("f4"), 0) == ERR_OK && tmpfs_unlink(&fs, R, S("d/f2"), 0) == ERR_OK);
	CHECK(n->nlink == 0);
	CHECK(tmpfs_link(&fs, n, "", 0, R, S("f5"), LINUX_AT_EMPTY_PATH) == ERR_NOENT);
	tmpfs_node_put(&fs, n);
	return teardown();
}

struct dent {
	uint64_t ino;
	int64_t off;
	uint16_t reclen;
	uint8_t type;
	char name[256];
};

/* Reads every record of buf[0..n) into out; their count, or -1 if malformed. */
static int parse_dirents(const uint8_t *buf, size_t n, struct dent *out, int max)
{
	int k = 0;

	for (size_t pos = 0; pos < n; k++) {
		if (k == max || n - pos < 24)
			return -1;
		memcpy(&out[k].ino, buf + pos, 8);
		memcpy(&out[k].off, buf + pos + 8, 8);
		memcpy(&out[k].reclen, buf + pos + 16, 2);
		out[k].type = buf[pos + 18];
		if (out[k].reclen % 8 || out[k].reclen > n - pos || !memchr(buf + pos + 19, 0, out[k].reclen - 19))
			return -1;
		strcpy(out[k].name, (const char *)buf + pos + 19);
		pos += out[k].reclen;
	}
	return k;
}

TEST(readdir)
{
	struct tmpfs_node *d;
	uint8_t buf[4000];
	struct dent de[64];
	size_t n;
	uint64_t next, c;
	int k;

	CHECK(setup());
	CHECK(tmpfs_mkdir(&fs, R, S("d"), 0755) == ERR_OK);
	d = find("d");
	CHECK(tmpfs_readdir(&fs, d, 0, buf, sizeof(buf), &n, &next) == ERR_OK);
	CHECK((k = parse_dirents(buf, n, de, 64)) == 2 && next == 2);
	CHECK(!strcmp(de[0].name, ".") && de[0].ino == d->ino && de[0].type == LINUX_DT_DIR && de[0].off == 1);
	CHECK(!strcmp(de[1].name, "..") && de[1].ino == R->ino && de[1].off == 2);
	CHECK(tmpfs_readdir(&fs, d, next, buf, sizeof(buf), &n, &next) == ERR_OK && n == 0);
	CHECK(mkfile("d/a", "") == ERR_OK && tmpfs_mkdir(&fs, R, S("d/b"), 0755) == ERR_OK);
	CHECK(tmpfs_symlink(&fs, S("a"), R, S("d/c")) == ERR_OK);
	CHECK(tmpfs_readdir(&fs, d, 0, buf, sizeof(buf), &n, &next) == ERR_OK);
	CHECK((k = parse_dirents(buf, n, de, 64)) == 5);
	CHECK(!strcmp(de[2].name, "a") && de[2].type == LINUX_DT_REG && de[2].ino == find("d/a")->ino);
	CHECK(!strcmp(de[3].name, "b") && de[3].type == LINUX_DT_DIR);
	CHECK(!strcmp(de[4].name, "c") && de[4].type == LINUX_DT_LNK);
	/* one record at a time: 24 bytes each; a buffer too small is EINVAL */
	CHECK(tmpfs_readdir(&fs, d, 0, buf, 23, &n, &next) == ERR_INVAL);
	c = 0;
	for (k = 0; ; k++) {
		CHECK(tmpfs_readdir(&fs, d, c, buf, 24, &n, &next) == ERR_OK);
		if (!n)
			break;
		CHECK(n == 24 && parse_dirents(buf, n, de, 1) == 1);
		c = next;
		/* removing the entry just read does not skip the next one */
		if (!strcmp(de[0].name, "b"))
			CHECK(tmpfs_unlink(&fs, R, S("d/b"), LINUX_AT_REMOVEDIR) == ERR_OK);
		if (!strcmp(de[0].name, "a"))
			CHECK(tmpfs_unlink(&fs, R, S("d/a"), 0) == ERR_OK);
	}
	CHECK(k == 5);
	CHECK(tmpfs_readdir(&fs, lfind("d/c"), 0, buf, sizeof(buf), &n, &next) == ERR_NOTDIR);
	CHECK(tmpfs_readdir(&fs, d, 1ull << 62, buf, sizeof(buf), &n, &next) == ERR_OK && n == 0);
	return teardown();
}

TEST(getpath)
{
	char buf[64];
	size_t len;

	CHECK(setup());
	CHECK(tmpfs_getpath(&fs, R, buf, sizeof(buf), &len) == ERR_OK && len == 1 && !strcmp(buf, "/"));
	CHECK(tmpfs_mkdir(&fs, R, S("usr"), 0755) == ERR_OK);
	CHECK(tmpfs_mkdir(&fs, R, S("usr/local"), 0755) == ERR_OK);
	CHECK(tmpfs_getpath(&fs, find("usr/local"), buf, sizeof(buf), &len) == ERR_OK);
	CHECK(len == 10 && !strcmp(buf, "/usr/local"));
	CHECK(tmpfs_getpath(&fs, find("usr/local"), buf, 10, &len) == ERR_RANGE);
	CHECK(tmpfs_getpath(&fs, find("usr/local"), buf, 11, &len) == ERR_OK);
	CHECK(mkfile("usr/f", "") == ERR_OK);
	CHECK(tmpfs_getpath(&fs, find("usr/f"), buf, sizeof(buf), &len) == ERR_NOTDIR);
	return teardown();
}

/* Mounts (tmpfs.h: fs->remote_*): where a path leaves the tree. */
static bool remote_is(int kind, const struct tmpfs_node *n, const char *rest)
{
	return fs.remote_kind == kind && fs.remote == n && fs.remote_len == strlen(rest) &&
	       !memcmp(fs.remote_rest, rest, fs.remote_len);
}

static const char *mpath(struct tmpfs *t, struct tmpfs_node *n)
{
	(void)t;
	(void)n;
	return "/mnt/here";
}

TEST(mounts)
{
	struct tmpfs_node *n, *mp, *mr;
	char buf[64];
	size_t len;

	CHECK(setup());
	CHECK(tmpfs_mkdir(&fs, R, S("mnt"), 0755) == ERR_OK);
	CHECK(tmpfs_mkdir(&fs, R, S("mnt/m"), 0755) == ERR_OK);
	CHECK(tmpfs_mkdir(&fs, R, S("own"), 0755) == ERR_OK);
	CHECK(tmpfs_mkdir(&fs, R, S("own/sub"), 0755) == ERR_OK);
	CHECK(tmpfs_symlink(&fs, S("mnt/m/x"), R, S("lm")) == ERR_OK);
	CHECK(tmpfs_symlink(&fs, S("/etc/passwd"), R, S("own/abs")) == ERR_OK);
	mp = find("mnt/m");
	mr = find("own");
	mp->flags |= TMPFS_F_COVERED;
	mr->flags |= TMPFS_F_MROOT;
	/* a mount point on the way: the rest of the path, "." when none */
	CHECK(find_err("mnt/m/a/b") == ERR_REMOTE && remote_is(TMPFS_REMOTE_DOWN, mp, "a/b"));
	CHECK(find_err("/mnt/m//a/") == ERR_REMOTE && remote_is(TMPFS_REMOTE_DOWN, mp, "a/"));
	CHECK(find_err("mnt/m") == ERR_REMOTE && remote_is(TMPFS_REMOTE_DOWN, mp, "."));
	CHECK(find_err("mnt/m/") == ERR_REMOTE && remote_is(TMPFS_REMOTE_DOWN, mp, "."));
	CHECK(tmpfs_open(&fs, R, S("mnt/m"), LINUX_O_RDONLY, 0, &n) == ERR_REMOTE);
	CHECK(find_err("lm") == ERR_REMOTE && remote_is(TMPFS_REMOTE_DOWN, mp, "x"));
	/* the mount point itself is never acted on */
	CHECK(tmpfs_unlink(&fs, R, S("mnt/m"), LINUX_AT_REMOVEDIR) == ERR_BUSY);
	CHECK(tmpfs_mkdir(&fs, R, S("mnt/m"), 0755) == ERR_EXIST);
	CHECK(tmpfs_rename(&fs, R, S("mnt/m"), R, S("mnt/n"), 0) == ERR_BUSY);
	CHECK(tmpfs_rename(&fs, R, S("own/sub"), R, S("mnt/m"), 0) == ERR_BUSY);
	/* a two-path operation that leaves the tree: split */
	CHECK(mkfile("f", "x") == ERR_OK);
	CHECK(tmpfs_rename(&fs, R, S("f"), R, S("mnt/m/f"), 0) == ERR_REMOTE &&
	      fs.remote_kind == TMPFS_REMOTE_SPLIT);
	CHECK(tmpfs_link(&fs, R, S("mnt/m/f"), R, S("g"), 0) == ERR_REMOTE &&
	      fs.remote_kind == TMPFS_REMOTE_SPLIT);
	/* ".." out of a mount's root: from ".." on */
	CHECK(find_err("own/sub/../../etc") == ERR_REMOTE && remote_is(TMPFS_REMOTE_UP, mr, "../etc"));
	CHECK(tmpfs_find(&fs, mr, S(".."), 0, 0, &n) == ERR_REMOTE && remote_is(TMPFS_REMOTE_UP, mr, ".."));
	CHECK(find("own/sub/..") == mr);
	CHECK(tmpfs_unlink(&fs, R, S("own"), LINUX_AT_REMOVEDIR) == ERR_BUSY);
	/* absolute paths and links stay inside while this is the root... */
	CHECK(find_err("own/abs") == ERR_NOENT);
	/* ...and leave it when it is not */
	fs.not_root = true;
	CHECK(find_err("own/abs") == ERR_REMOTE && remote_is(TMPFS_REMOTE_ROOT, NULL, "/etc/passwd"));
	CHECK(tmpfs_find(&fs, mr, S("sub/../abs/x"), 0, 0, &n) == ERR_REMOTE &&
	      remote_is(TMPFS_REMOTE_ROOT, NULL, "/etc/passwd/x"));
	CHECK(find_err("/own") == ERR_REMOTE && remote_is(TMPFS_REMOTE_ROOT, NULL, "/own"));
	CHECK(lfind("own/abs") != NULL);          /* not followed: the link itself */
	/* getpath below a mount's root: its mount path first */
	fs.mount_path = mpath;
	CHECK(tmpfs_getpath(&fs, find("own/sub"), buf, sizeof(buf), &len) == ERR_OK &&
	      !strcmp(buf, "/mnt/here/sub") && len == 13);
	CHECK(tmpfs_getpath(&fs, mr, buf, sizeof(buf), &len) == ERR_OK && !strcmp(buf, "/mnt/here"));
	CHECK(tmpfs_getpath(&fs, mr, buf, 9, &len) == ERR_RANGE);
	mp->flags &= ~TMPFS_F_COVERED;
	mr->flags &= ~TMPFS_F_MROOT;
	fs.not_root = false;
	CHECK(find("mnt/m") == mp && find_err("lm") == ERR_NOENT);
	/* another tmpfs mount: a root in no directory */
	{
		struct tmpfs_node *t, *held;

		CHECK(tmpfs_mkroot(&fs, 01777, &t) == ERR_OK && (t->flags & TMPFS_F_MROOT));
		CHECK(tmpfs_mkdir(&fs, t, S("d"), 0755) == ERR_OK);
		CHECK(tmpfs_open(&fs, t, S("d/f"), LINUX_O_CREAT | LINUX_O_RDWR, 0644, &held) == ERR_OK);
		CHECK(tmpfs_find(&fs, t, S("d/.."), 0, 0, &n) == ERR_OK && n == t);
		CHECK(tmpfs_find(&fs, t, S("d/../.."), 0, 0, &n) == ERR_REMOTE &&
		      remote_is(TMPFS_REMOTE_UP, t, ".."));
		CHECK(tmpfs_getpath(&fs, t, buf, sizeof(buf), &len) == ERR_OK && !strcmp(buf, "/mnt/here"));
		/* nothing moves or links between two mounts */
		CHECK(tmpfs_rename(&fs, t, S("d/f"), R, S("f2"), 0) == ERR_XDEV);
		CHECK(tmpfs_rename(&fs, R, S("f"), t, S("f"), 0) == ERR_XDEV);
		CHECK(tmpfs_link(&fs, t, S("d/f"), R, S("f3"), 0) == ERR_XDEV);
		CHECK(tmpfs_rename(&fs, t, S("d/f"), t, S("g"), 0) == ERR_OK);
		/* unmounted with a file still open: it lives on, unlinked */
		tmpfs_rmroot(&fs, t);
		CHECK(held->nlink == 0);
		tmpfs_node_put(&fs, held);
	}
	return teardown();
}

TEST(attributes)
{
	struct tmpfs_node *n;
	struct posix_stat st;
	int64_t t[4] = { 100, 5, 200, 6 };

	CHECK(setup());
	CHECK(mkfile("f", "abc") == ERR_OK);
	n = find("f");
	CHECK(tmpfs_chmod(&fs, n, 0104755) == ERR_OK && n->mode == (TMPFS_S_IFREG | 04755));
	CHECK(tmpfs_utimens(&fs, n, t) == ERR_OK);
	tmpfs_stat(n, &st);
	CHECK(st.atime_sec == 100 && st.atime_nsec == 5 && st.mtime_sec == 200 && st.mtime_nsec == 6);
	CHECK(st.size == 3 && st.nlink == 1 && st.dev == TMPFS_DEV && st.blksize == 4096);
	t[1] = LINUX_UTIME_OMIT;
	t[3] = LINUX_UTIME_NOW;
	CHECK(tmpfs_utimens(&fs, n, t) == ERR_OK && n->atime.sec == 100 && n->mtime.sec != 200);
	t[1] = 1000000000;
	CHECK(tmpfs_utimens(&fs, n, t) == ERR_INVAL);
	t[1] = -1;
	CHECK(tmpfs_utimens(&fs, n, t) == ERR_INVAL);
	CHECK(tmpfs_access(n, 7) == ERR_OK && tmpfs_access(n, 8) == ERR_INVAL);
	CHECK(tmpfs_chmod(&fs, n, 0644) == ERR_OK && tmpfs_access(n, 1) == ERR_ACCES);
	CHECK(tmpfs_access(R, 1) == ERR_OK);
	/* flags outside those allowed */
	CHECK(tmpfs_find(&fs, R, S("f"), LINUX_AT_REMOVEDIR, LINUX_AT_SYMLINK_NOFOLLOW, &n) == ERR_INVAL);
	CHECK(tmpfs_find(&fs, R, "", 0, LINUX_AT_EMPTY_PATH, LINUX_AT_EMPTY_PATH, &n) == ERR_OK && n == R);
	CHECK(tmpfs_find(&fs, R, "", 0, 0, LINUX_AT_EMPTY_PATH, &n) == ERR_NOENT);
	/* creating and removing entries moves the directory's times */
	{
		struct tmpfs_time before = R->mtime;
		CHECK(mkfile("g", "") == ERR_OK);
		CHECK(R->mtime.sec > before.sec || R->mtime.nsec > before.nsec);
	}
	return teardown();
}

TEST(char_devices)
{
	struct tmpfs_node *n;
	struct posix_stat st;
	uint8_t buf[64];
	size_t len;
	uint64_t next;

	CHECK(setup());
	CHECK(tmpfs_mkdir(&fs, R, S("dev"), 0755) == ERR_OK);
	CHECK(tmpfs_mkdev(&fs, R, S("dev/null"), 0666, 0x103) == ERR_OK);
	CHECK(tmpfs_mkdev(&fs, R, S("dev/null"), 0666, 0x103) == ERR_EXIST);
	CHECK(tmpfs_mkdev(&fs, R, S("nodir/null"), 0666, 0x103) == ERR_NOENT);
	n = find("dev/null");
	CHECK(n && tmpfs_is_chr(n));
	tmpfs_stat(n, &st);
	CHECK(st.mode == (TMPFS_S_IFCHR | 0666) && st.rdev == 0x103 && st.size == 0 && st.nlink == 1);
	CHECK(tmpfs_open(&fs, R, S("dev/null"), LINUX_O_RDWR | LINUX_O_TRUNC, 0, &n) == ERR_OK);
	CHECK(tmpfs_truncate(&fs, n, 0) == ERR_INVAL);
	tmpfs_node_put(&fs, n);
	CHECK(tmpfs_open(&fs, R, S("dev/null"), LINUX_O_RDONLY | LINUX_O_DIRECTORY, 0, &n) == ERR_NOTDIR);
	CHECK(tmpfs_readdir(&fs, find("dev"), 2, buf, sizeof(buf), &len, &next) == ERR_OK && len == 24);
	CHECK(buf[18] == LINUX_DT_CHR && !strcmp((char *)buf + 19, "null"));
	return teardown();
}

/* ---- read-only and synthetic nodes (the server's /proc) ------------------------------------- */

static struct tmpfs_node *syn_dir;
static unsigned syn_lookups, syn_fills;
static char syn_live[8];            /* the names the "server" has now, one letter each */

/* The hooks as procfs.c uses them: an entry per live name, made on lookup
 * and on readdir, removed when the name is gone; "self" follows
 * syn_live[0]; "bad" fails the lookup. */
static err_t syn_lookup(struct tmpfs *t, struct tmpfs_node *dir, const char *name, size_t len)
{
	struct tmpfs_node *d;

	syn_lookups++;
	if (dir != syn_dir)
		return ERR_OK;
	if (len == 3 && !memcmp(name, "bad", 3))
		return ERR_IO;
	if (len == 4 && !memcmp(name, "self", 4))
		return syn_live[0] ? tmpfs_synth_relink(tmpfs_synth_find(dir, "self", 4), syn_live, 1)
				   : ERR_NOENT;
	if (len != 1)
		return ERR_OK;
	if (!strchr(syn_live, name[0])) {
		tmpfs_synth_remove(t, dir, name, 1);
		return ERR_OK;
	}
	if (tmpfs_synth_find(dir, name, 1))
		return ERR_OK;
	if (tmpfs_synth_add(t, dir, name, 1, TMPFS_S_IFDIR | 0555, 0, (uint64_t)name[0], NULL, 0, &d))
		return ERR_NOMEM;
	return tmpfs_synth_add(t, d, "f", 1, TMPFS_S_IFREG | 0444, TMPFS_F_SYNTH, 7, NULL, 0, NULL);
}

static void syn_fill(struct tmpfs *t, struct tmpfs_node *dir)
{
	syn_fills++;
	for (uint32_t i = dir->u.dir.n; i-- > 0;) {
		struct tmpfs_dentry *e = &dir->u.dir.ents[i];
		if (e->len == 1 && !strchr(syn_live, e->name[0]))
			tmpfs_synth_remove(t, dir, e->name, 1);
	}
	for (const char *c = syn_live; *c; c++)
		syn_lookup(t, dir, c, 1);
}

TEST(read_only_synthetic)
{
	struct tmpfs_node *n, *held, *f;
	struct posix_stat st;
	uint8_t buf[4000];
	struct dent de[16];
	const char *t;
	size_t len, got;
	uint64_t next;
	int64_t times[4] = { 0, LINUX_UTIME_NOW, 0, LINUX_UTIME_NOW };

	CHECK(setup());
	CHECK(tmpfs_mkdir(&fs, R, S("p"), 0555) == ERR_OK && mkfile("w", "x") == ERR_OK);
	syn_dir = find("p");
	syn_dir->flags = TMPFS_F_RDONLY | TMPFS_F_SYNTH;
	fs.synth_lookup = syn_lookup;
	fs.synth_fill = syn_fill;
	CHECK(tmpfs_synth_add(&fs, syn_dir, S("info"), TMPFS_S_IFREG | 0444, TMPFS_F_SYNTH, 1, NULL, 0, &f) == ERR_OK);
	CHECK(tmpfs_synth_add(&fs, syn_dir, S("self"), TMPFS_S_IFLNK | 0777, 0, 2, S("?"), NULL) == ERR_OK);
	CHECK(tmpfs_synth_add(&fs, syn_dir, S("info"), TMPFS_S_IFREG | 0444, 0, 1, NULL, 0, NULL) == ERR_EXIST);
	CHECK(tmpfs_synth_add(&fs, syn_dir, S("dev"), TMPFS_S_IFCHR | 0444, 0, 1, NULL, 0, NULL) == ERR_INVAL);
	CHECK(tmpfs_synth_add(&fs, syn_dir, S("l"), TMPFS_S_IFLNK | 0777, 0, 1, NULL, 0, NULL) == ERR_INVAL);
	CHECK(f->flags == (TMPFS_F_RDONLY | TMPFS_F_SYNTH) && f->synth == 1);

	/* entries appear and go as the hooks say; a hook's error ends the lookup */
	strcpy(syn_live, "ab");
	CHECK(find("p/a/f") && find("/p/./b/../a") && !find("p/c"));
	CHECK(find_err("p/bad/x") == ERR_IO && find_err("p/bad") == ERR_IO);
	CHECK(tmpfs_readlink(&fs, R, S("p/self"), &t, &len) == ERR_OK && len == 1 && *t == 'a');
	CHECK(find("p/self/f") == find("p/a/f") && lfind("p/self") && tmpfs_is_lnk(lfind("p/self")));
	CHECK(tmpfs_open(&fs, R, S("p/a"), LINUX_O_RDONLY | LINUX_O_DIRECTORY, 0, &held) == ERR_OK);
	strcpy(syn_live, "b");
	CHECK(find_err("p/a") == ERR_NOENT && find_err("p/a/f") == ERR_NOENT);
	CHECK(tmpfs_readlink(&fs, R, S("p/self"), &t, &len) == ERR_OK && *t == 'b');
	/* a removed directory that is held lives on, empty */
	CHECK(held->nlink == 0 && held->u.dir.n == 0);
	CHECK(tmpfs_find(&fs, held, S("f"), 0, 0, &n) == ERR_NOENT);
	tmpfs_node_put(&fs, held);
	syn_live[0] = 0;
	CHECK(find_err("p/self") == ERR_NOENT && find_err("p/b") == ERR_NOENT);

	/* readdir: the fill hook first */
	strcpy(syn_live, "cd");
	syn_fills = 0;
	CHECK(tmpfs_readdir(&fs, syn_dir, 0, buf, sizeof(buf), &len, &next) == ERR_OK && syn_fills == 1);
	CHECK(parse_dirents(buf, len, de, 16) == 6);
	CHECK(!strcmp(de[2].name, "info") && !strcmp(de[3].name, "self") && !strcmp(de[4].name, "c") &&
	      !strcmp(de[5].name, "d"));
	strcpy(syn_live, "d");
	CHECK(tmpfs_readdir(&fs, syn_dir, 2, buf, sizeof(buf), &len, &next) == ERR_OK);
	CHECK(parse_dirents(buf, len, de, 16) == 3 && !strcmp(de[2].name, "d"));
	tmpfs_stat(syn_dir, &st);
	CHECK(st.nlink == 3 && st.dev == TMPFS_DEV_RDONLY && st.mode == (TMPFS_S_IFDIR | 0555));
	tmpfs_stat(find("w"), &st);
	CHECK(st.dev == TMPFS_DEV);

	/* nothing changes: EROFS, opening for writing EACCES, to and from elsewhere EXDEV */
	CHECK(tmpfs_open(&fs, R, S("p/info"), LINUX_O_WRONLY, 0, &n) == ERR_ACCES);
	CHECK(tmpfs_open(&fs, R, S("p/info"), LINUX_O_RDONLY | LINUX_O_TRUNC, 0, &n) == ERR_ACCES);
	CHECK(tmpfs_open(&fs, R, S("p/new"), LINUX_O_RDWR | LINUX_O_CREAT, 0644, &n) == ERR_ACCES);
	CHECK(tmpfs_open(&fs, R, S("p"), LINUX_O_WRONLY, 0, &n) == ERR_ISDIR);
	CHECK(tmpfs_open(&fs, R, S("p/info"), LINUX_O_RDONLY, 0, &n) == ERR_OK);
	CHECK(tmpfs_write(&fs, n, 0, "x", 1, &got) == ERR_ROFS && tmpfs_truncate(&fs, n, 0) == ERR_ROFS);
	CHECK(tmpfs_read(&fs, n, 0, buf, sizeof(buf), &got) == ERR_OK && got == 0);
	tmpfs_node_put(&fs, n);
	CHECK(tmpfs_mkdir(&fs, R, S("p/x"), 0755) == ERR_ROFS);
	CHECK(tmpfs_mkdir(&fs, R, S("p/d"), 0755) == ERR_EXIST);
	CHECK(tmpfs_mkdir(&fs, R, S("p/d/x"), 0755) == ERR_ROFS);
	CHECK(tmpfs_unlink(&fs, R, S("p/info"), 0) == ERR_ROFS);
	CHECK(tmpfs_unlink(&fs, R, S("p/d"), LINUX_AT_REMOVEDIR) == ERR_ROFS);
	CHECK(tmpfs_unlink(&fs, R, S("p/nothing"), 0) == ERR_NOENT);
	CHECK(tmpfs_symlink(&fs, S("w"), R, S("p/l")) == ERR_ROFS);
	CHECK(tmpfs_mkdev(&fs, R, S("p/n"), 0666, 0x103) == ERR_ROFS);
	CHECK(tmpfs_rename(&fs, R, S("p/info"), R, S("p/info2"), 0) == ERR_ROFS);
	CHECK(tmpfs_rename(&fs, R, S("p/info"), R, S("w2"), 0) == ERR_XDEV);
	CHECK(tmpfs_rename(&fs, R, S("w"), R, S("p/w"), 0) == ERR_XDEV);
	CHECK(tmpfs_rename(&fs, R, S("p"), R, S("q"), 0) == ERR_BUSY);
	CHECK(tmpfs_mkdir(&fs, R, S("q"), 0755) == ERR_OK);
	CHECK(tmpfs_rename(&fs, R, S("q"), R, S("p"), 0) == ERR_BUSY);
	CHECK(tmpfs_rename(&fs, R, S("q"), R, S("p"), LINUX_RENAME_EXCHANGE) == ERR_BUSY);
	CHECK(tmpfs_unlink(&fs, R, S("p"), LINUX_AT_REMOVEDIR) == ERR_BUSY);
	CHECK(tmpfs_unlink(&fs, R, S("q"), LINUX_AT_REMOVEDIR) == ERR_OK);
	CHECK(tmpfs_link(&fs, R, S("p/info"), R, S("w3"), 0) == ERR_XDEV);
	CHECK(tmpfs_link(&fs, R, S("w"), R, S("p/w"), 0) == ERR_ROFS);
	CHECK(tmpfs_chmod(&fs, find("p/info"), 0666) == ERR_ROFS);
	CHECK(tmpfs_utimens(&fs, find("p/info"), times) == ERR_ROFS);
	CHECK(tmpfs_access(find("p/info"), 4) == ERR_OK && tmpfs_access(find("p/info"), 2) == ERR_ACCES);
	CHECK(content_is("w", "x") && find("p/info") && find("p/d/f"));

	/* relink: the same target is no change; a bad one is refused */
	n = lfind("p/self");
	CHECK(tmpfs_synth_relink(n, S("12345")) == ERR_OK && n->size == 5);
	CHECK(tmpfs_synth_relink(n, "", 0) == ERR_INVAL && tmpfs_synth_relink(find("w"), S("x")) == ERR_INVAL);
	/* removing a directory takes what is in it */
	tmpfs_synth_remove(&fs, syn_dir, S("d"));
	tmpfs_synth_remove(&fs, syn_dir, S("d"));
	CHECK(!tmpfs_synth_find(syn_dir, S("d")) && syn_dir->nlink == 2);
	fs.synth_lookup = NULL;
	fs.synth_fill = NULL;
	return teardown();
}

/* ---- the boot image ---------------------------------------------------------------------- */

static uint8_t *read_data(const char *name, size_t *len)
{
	const char *dir = getenv("CAIRN_TESTDATA");
	char path[512];
	uint8_t *buf;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir ? dir : "build/host/data", name);
	if (!(f = fopen(path, "rb")))
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return buf;
}

TEST(boot_image)
{
	size_t len, elf_len, k;
	uint8_t *img = read_data("newc.cpio", &len), *copy, *elf = read_data("prog-riscv64.elf", &elf_len);
	unsigned added, skipped;
	struct tmpfs_node *n;
	char buf[64];
	bool ok;

	CHECK(img && elf);
	copy = malloc(len);
	memcpy(copy, img, len);
	CHECK(setup());
	CHECK(tmpfs_load_cpio(&fs, img, len, &added, &skipped) == ERR_OK);
	printf("# %u entries, %u skipped\n", added, skipped);
	CHECK(skipped == 0 && added >= 20);
	n = find("/bin/init");
	CHECK(n && tmpfs_is_reg(n) && n->size == elf_len && n->u.file.pages == 0);
	{
		uint8_t *b = malloc(elf_len);
		CHECK(tmpfs_read(&fs, n, 0, b, elf_len, &k) == ERR_OK && k == elf_len);
		ok = !memcmp(b, elf, elf_len);
		free(b);
		CHECK(ok);
	}
	CHECK(content_is("etc/manifest", "service init bin/init\n"));
	CHECK(content_is("a/bb/ccc/dddd", "deep") && content_is("a/f3", "012"));
	CHECK(content_is("link", "") == false && find("link") == find("bin/init"));
	CHECK(find("empty") && find("empty")->size == 0 && tmpfs_is_dir(find("empty-dir")));
	CHECK(find("a/bb")->nlink == 3);
	/* writing copies the page out of the image; the image never changes */
	CHECK(tmpfs_write(&fs, n, 1, "ZZ", 2, &k) == ERR_OK && n->u.file.pages == 1);
	CHECK(tmpfs_read(&fs, n, 0, buf, 4, &k) == ERR_OK && buf[0] == elf[0] && buf[1] == 'Z' &&
	      buf[2] == 'Z' && buf[3] == elf[3]);
	CHECK(!memcmp(img, copy, len));
	/* a shrunk boot file reads zeros past its new end when extended */
	n = find("a/f9");
	CHECK(tmpfs_truncate(&fs, n, 3) == ERR_OK && tmpfs_truncate(&fs, n, 9) == ERR_OK);
	CHECK(tmpfs_read(&fs, n, 0, buf, 64, &k) == ERR_OK && k == 9 && !memcmp(buf, "012\0\0\0\0\0\0", 9));
	/* a truncated archive still loads what comes before the damage */
	tmpfs_destroy(&fs);
	CHECK(live == 0 && tmpfs_init(&fs, fake_now) == ERR_OK);
	CHECK(tmpfs_load_cpio(&fs, img, len / 2, &added, &skipped) == ERR_INVAL && added > 0);
	ok = teardown();
	free(img);
	free(copy);
	free(elf);
	return ok;
}

/* ---- out of memory ----------------------------------------------------------------------- */

/* A sequence of changes, each of which must succeed or fail cleanly. */
/* ---- file data kept by the user (tmpfs_ext: the server's MemoryObjects) -------------- */

static uint8_t ext_buf[4 * TMPFS_PAGE];
static unsigned ext_calls[4];

static void x_read(struct tmpfs *t, struct tmpfs_node *f, uint64_t off, void *buf, size_t n)
{
	(void)t, (void)f;
	memcpy(buf, ext_buf + off, n);
	ext_calls[0]++;
}

static size_t x_write(struct tmpfs *t, struct tmpfs_node *f, uint64_t off, const void *buf, size_t n,
		      err_t *err)
{
	(void)t, (void)f;
	ext_calls[1]++;
	if (off + n > sizeof(ext_buf)) {
		*err = ERR_FBIG;
		return 0;
	}
	memcpy(ext_buf + off, buf, n);
	return n;
}

static err_t x_truncate(struct tmpfs *t, struct tmpfs_node *f, uint64_t len)
{
	(void)t;
	ext_calls[2]++;
	if (len > sizeof(ext_buf))
		return ERR_FBIG;
	if (len < f->size)
		memset(ext_buf + len, 0, f->size - len);
	return ERR_OK;
}

static void x_release(struct tmpfs *t, struct tmpfs_node *f)
{
	(void)t;
	ext_calls[3]++;
	f->u.file.ext = NULL;
}

static const struct tmpfs_ext x_ops = { x_read, x_write, x_truncate, x_release };

static void x_take(void *arg, uint64_t idx, const void *page)
{
	memcpy(ext_buf + idx * TMPFS_PAGE, page, TMPFS_PAGE);
	(*(unsigned *)arg)++;
}

TEST(ext_hooks)
{
	struct tmpfs_node *n;
	char buf[16];
	unsigned pages = 0;
	uint64_t v;
	size_t k;

	CHECK(setup());
	memset(ext_buf, 0, sizeof(ext_buf));
	memset(ext_calls, 0, sizeof(ext_calls));
	fs.ext = &x_ops;
	CHECK(tmpfs_open(&fs, R, S("f"), LINUX_O_CREAT | LINUX_O_RDWR, 0644, &n) == ERR_OK);
	CHECK(tmpfs_write(&fs, n, 0, "abc", 3, &k) == ERR_OK && tmpfs_write(&fs, n, 8192, "Z", 1, &k) == ERR_OK);
	CHECK(n->u.file.pages == 2 && !ext_calls[1]);
	/* the radix tree's pages handed over, the tree freed */
	tmpfs_export_pages(n, x_take, &pages);
	CHECK(pages == 2 && n->u.file.pages == 0 && !n->u.file.root && n->size == 8193);
	n->u.file.ext = &ext_buf;
	/* reads clamped to the size, then the hook's */
	CHECK(tmpfs_read(&fs, n, 0, buf, sizeof(buf), &k) == ERR_OK && k == 16 && !memcmp(buf, "abc", 3));
	CHECK(tmpfs_read(&fs, n, 8192, buf, sizeof(buf), &k) == ERR_OK && k == 1 && buf[0] == 'Z');
	CHECK(tmpfs_read(&fs, n, 9000, buf, sizeof(buf), &k) == ERR_OK && k == 0 && ext_calls[0] == 2);
	/* writes grow the size tmpfs keeps, and move the version */
	v = n->version;
	CHECK(tmpfs_write(&fs, n, 10000, "W", 1, &k) == ERR_OK && k == 1 && n->size == 10001);
	CHECK(n->version == v + 1 && ext_buf[10000] == 'W');
	CHECK(tmpfs_write(&fs, n, sizeof(ext_buf), "X", 1, &k) == ERR_FBIG && n->size == 10001);
	/* truncation through the hook; its error stops it */
	CHECK(tmpfs_truncate(&fs, n, 5) == ERR_OK && n->size == 5 && ext_calls[2] == 1);
	CHECK(tmpfs_truncate(&fs, n, sizeof(ext_buf) + 1) == ERR_FBIG && n->size == 5);
	CHECK(tmpfs_read(&fs, n, 0, buf, sizeof(buf), &k) == ERR_OK && k == 5 && !memcmp(buf, "abc\0\0", 5));
	/* and back into the tree */
	n->u.file.ext = NULL;
	CHECK(tmpfs_import_page(n, 0, ext_buf) == ERR_OK && n->u.file.pages == 1);
	CHECK(tmpfs_read(&fs, n, 0, buf, 3, &k) == ERR_OK && k == 3 && !memcmp(buf, "abc", 3));
	/* a node freed with its data outside: the hook is told */
	n->u.file.ext = &ext_buf;
	tmpfs_node_put(&fs, n);
	CHECK(tmpfs_unlink(&fs, R, S("f"), 0) == ERR_OK && ext_calls[3] == 1);
	fs.ext = NULL;
	return teardown();
}

static unsigned ops_run(void)
{
	struct tmpfs_node *n;
	unsigned failed = 0;
	size_t k;
	char big[9000];

	memset(big, 'b', sizeof(big));
	failed += tmpfs_mkdir(&fs, R, S("d"), 0755) != ERR_OK;
	failed += tmpfs_mkdir(&fs, R, S("d/e"), 0755) != ERR_OK;
	for (int i = 0; i < 12; i++) {
		char name[16];
		snprintf(name, sizeof(name), "d/f%d", i);
		if (tmpfs_open(&fs, R, S(name), LINUX_O_CREAT | LINUX_O_RDWR, 0600, &n)) {
			failed++;
			continue;
		}
		if (tmpfs_write(&fs, n, (uint64_t)i << 20, big, sizeof(big), &k) || k != sizeof(big))
			failed++;
		tmpfs_node_put(&fs, n);
	}
	failed += tmpfs_symlink(&fs, S("/d/f1"), R, S("s")) != ERR_OK;
	failed += tmpfs_link(&fs, R, S("d/f2"), R, S("d/e/l"), 0) != ERR_OK;
	failed += tmpfs_rename(&fs, R, S("d/f3"), R, S("d/e/r"), 0) != ERR_OK;
	failed += tmpfs_rename(&fs, R, S("d/e"), R, S("e2"), 0) != ERR_OK;
	failed += tmpfs_unlink(&fs, R, S("d/f4"), 0) != ERR_OK;
	return failed;
}

TEST(out_of_memory)
{
	unsigned full, allocs;

	CHECK(setup());
	fail_after = 1000000;
	full = ops_run();
	allocs = (unsigned)(1000000 - fail_after);
	CHECK(full == 0);
	CHECK(teardown());
	for (unsigned i = 0; i < allocs; i++) {
		unsigned failed;
		CHECK(setup());
		fail_after = i;
		failed = ops_run();
		fail_after = -1;
		CHECK(failed > 0);
		/* whatever exists is consistent: link counts add up */
		if (find("d"))
			CHECK(find("d")->nlink == 2u + (find("d/e") != NULL));
		CHECK(R->nlink == 2u + (find("d") != NULL) + (find("e2") != NULL));
		CHECK(teardown());
	}
	printf("# %u allocation points\n", allocs);
	return true;
}
