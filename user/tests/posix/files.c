// SPDX-License-Identifier: MIT
/*
 * Files and directories through the VFS server: open/openat/creat with
 * their flags, read/write/pread/pwrite/readv/writev/lseek, stat/fstat/
 * lstat/fstatat, mkdir/rmdir/unlink/rename/link/symlink/readlink,
 * getdents64 (readdir), chdir/fchdir/getcwd, truncate/ftruncate,
 * chmod/fchmod/access, utimensat/futimens, and their error paths: ENOENT,
 * EEXIST, ENOTDIR, EISDIR, ENOTEMPTY, ELOOP, ENAMETOOLONG, EBADF, EINVAL,
 * ERANGE. Everything happens under a fresh directory in /tmp (PT_DIR
 * elsewhere). Expected list: tests/harness/expected/posix-files.txt.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <sys/uio.h>
#include <time.h>
#include "posixtest.h"

static char base[256];

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

/* The file's contents into buf (NUL-terminated), or -1. */
static ssize_t read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n >= 0)
		buf[n] = 0;
	return n;
}

static void open_read_write(void)
{
	char buf[64];
	int fd;

	fd = open("a.txt", O_RDWR | O_CREAT | O_EXCL, 0644);
	CHECK(fd >= 0);
	CHECK(write(fd, "hello, world", 12) == 12);
	CHECK(lseek(fd, 0, SEEK_CUR) == 12);
	CHECK(lseek(fd, 7, SEEK_SET) == 7);
	CHECK(read(fd, buf, sizeof(buf)) == 5 && !memcmp(buf, "world", 5));
	CHECK(read(fd, buf, sizeof(buf)) == 0);       /* end of file */
	CHECK(lseek(fd, -5, SEEK_END) == 7);
	CHECK(pwrite(fd, "WORLD", 5, 7) == 5 && lseek(fd, 0, SEEK_CUR) == 7);
	CHECK(pread(fd, buf, 12, 0) == 12 && !memcmp(buf, "hello, WORLD", 12));
	ERRNO(lseek(fd, -1, SEEK_SET), EINVAL);
	ERRNO(pread(fd, buf, 1, -1), EINVAL);
	/* a hole reads as zeros */
	CHECK(pwrite(fd, "!", 1, 100) == 1);
	CHECK(pread(fd, buf, 4, 20) == 4 && !buf[0] && !buf[3]);
	CHECK(close(fd) == 0);
	ERRNO(close(fd), EBADF);
	ERRNO(read(fd, buf, 1), EBADF);

	/* O_APPEND, O_TRUNC, creat */
	fd = open("a.txt", O_WRONLY | O_APPEND);
	CHECK(fd >= 0 && lseek(fd, 0, SEEK_SET) == 0 && write(fd, "+", 1) == 1);
	CHECK(lseek(fd, 0, SEEK_CUR) == 102);
	ERRNO(read(fd, buf, 1), EBADF);
	close(fd);
	fd = open("a.txt", O_RDONLY);
	ERRNO(write(fd, "x", 1), EBADF);
	close(fd);
	fd = open("a.txt", O_RDWR | O_TRUNC);
	CHECK(fd >= 0 && read(fd, buf, 10) == 0 && lseek(fd, 0, SEEK_END) == 0);
	close(fd);
	fd = creat("b.txt", 0600);
	CHECK(fd >= 0 && write(fd, "b", 1) == 1);
	ERRNO(read(fd, buf, 1), EBADF);
	close(fd);
}

static void open_errors(void)
{
	char name[300], *longpath;
	int fd;

	ERRNO(open("missing", O_RDONLY), ENOENT);
	ERRNO(open("missing/x", O_RDONLY | O_CREAT, 0644), ENOENT);
	ERRNO(open("", O_RDONLY), ENOENT);
	CHECK(write_file("f", "file") == 0);
	ERRNO(open("f", O_RDWR | O_CREAT | O_EXCL, 0644), EEXIST);
	ERRNO(open("f/x", O_RDONLY), ENOTDIR);
	ERRNO(open("f", O_RDONLY | O_DIRECTORY), ENOTDIR);
	CHECK(mkdir("d", 0755) == 0);
	ERRNO(open("d", O_WRONLY), EISDIR);
	ERRNO(open("d", O_RDWR), EISDIR);
	fd = open("d", O_RDONLY | O_DIRECTORY);
	CHECK(fd >= 0);
	ERRNO(read(fd, name, 1), EISDIR);
	close(fd);
	/* a name of 256 bytes, a path of PATH_MAX bytes */
	memset(name, 'n', 256);
	name[256] = 0;
	ERRNO(open(name, O_RDONLY | O_CREAT, 0644), ENAMETOOLONG);
	longpath = malloc(PATH_MAX + 2);
	memset(longpath, 'a', PATH_MAX + 1);
	for (int i = 100; i < PATH_MAX; i += 100)
		longpath[i] = '/';
	longpath[PATH_MAX + 1] = 0;
	ERRNO(open(longpath, O_RDONLY), ENAMETOOLONG);
	ERRNO(mkdir(longpath, 0755), ENAMETOOLONG);
	free(longpath);
	/* symbolic link loops */
	CHECK(symlink("loop2", "loop1") == 0 && symlink("loop1", "loop2") == 0);
	ERRNO(open("loop1", O_RDONLY), ELOOP);
	ERRNO(stat("loop1", &(struct stat){ 0 }), ELOOP);
	CHECK(symlink("f", "lf") == 0);
	ERRNO(open("lf", O_RDONLY | O_NOFOLLOW), ELOOP);
	fd = open("lf", O_RDONLY);
	CHECK(fd >= 0 && read(fd, name, 4) == 4 && !memcmp(name, "file", 4));
	close(fd);
	ERRNO(openat(999, "f", O_RDONLY), EBADF);
	fd = open("f", O_RDONLY);
	ERRNO(openat(fd, "x", O_RDONLY), ENOTDIR);
	close(fd);
}

static void stat_kinds(void)
{
	struct stat st, st2;
	int fd;

	CHECK(write_file("s", "12345") == 0);
	CHECK(stat("s", &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 5 && st.st_nlink == 1);
	CHECK((st.st_mode & 0777) == (0644 & ~022));
	fd = open("s", O_RDONLY);
	CHECK(fstat(fd, &st2) == 0 && st2.st_ino == st.st_ino && st2.st_size == 5);
	close(fd);
	CHECK(stat(".", &st) == 0 && S_ISDIR(st.st_mode));
	CHECK(symlink("s", "sl") == 0);
	CHECK(lstat("sl", &st) == 0 && S_ISLNK(st.st_mode) && st.st_size == 1);
	CHECK(stat("sl", &st) == 0 && S_ISREG(st.st_mode) && st.st_ino == st2.st_ino);
	CHECK(fstatat(AT_FDCWD, "sl", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode));
	ERRNO(stat("nothing", &st), ENOENT);
	ERRNO(stat("s/x", &st), ENOTDIR);
	ERRNO(fstat(-1, &st), EBADF);
	CHECK(stat("/", &st) == 0 && S_ISDIR(st.st_mode));
	CHECK(fstat(1, &st) == 0 && (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode) || S_ISREG(st.st_mode)));
}

static void directories(void)
{
	struct stat st;

	CHECK(mkdir("dir", 0700) == 0);
	CHECK(stat("dir", &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0700);
	ERRNO(mkdir("dir", 0700), EEXIST);
	ERRNO(mkdir("no/dir", 0700), ENOENT);
	CHECK(write_file("dir/file", "x") == 0);
	ERRNO(mkdir("dir/file/sub", 0700), ENOTDIR);
	ERRNO(rmdir("dir"), ENOTEMPTY);
	ERRNO(rmdir("dir/file"), ENOTDIR);
	ERRNO(unlink("dir"), EISDIR);
	ERRNO(rmdir("dir/nothing"), ENOENT);
	ERRNO(rmdir("dir/."), EINVAL);
	CHECK(unlink("dir/file") == 0);
	ERRNO(unlink("dir/file"), ENOENT);
	CHECK(rmdir("dir") == 0);
	ERRNO(stat("dir", &st), ENOENT);
	CHECK(mkdirat(AT_FDCWD, "d2", 0755) == 0);
	int dfd = open("d2", O_RDONLY | O_DIRECTORY);
	CHECK(dfd >= 0 && mkdirat(dfd, "sub", 0755) == 0 && stat("d2/sub", &st) == 0 && S_ISDIR(st.st_mode));
	CHECK(unlinkat(dfd, "sub", AT_REMOVEDIR) == 0);
	ERRNO(unlinkat(dfd, "sub", AT_REMOVEDIR), ENOENT);
	close(dfd);
	CHECK(rmdir("d2") == 0);
}

static void rename_link(void)
{
	struct stat st;
	char buf[64];

	CHECK(write_file("r1", "one") == 0 && write_file("r2", "two") == 0);
	CHECK(rename("r1", "r2") == 0);
	CHECK(read_file("r2", buf, sizeof(buf)) == 3 && !strcmp(buf, "one"));
	ERRNO(stat("r1", &st), ENOENT);
	ERRNO(rename("r1", "r3"), ENOENT);
	CHECK(mkdir("rd", 0755) == 0 && mkdir("re", 0755) == 0);
	CHECK(write_file("re/x", "x") == 0);
	ERRNO(rename("rd", "re"), ENOTEMPTY);
	ERRNO(rename("r2", "rd"), EISDIR);
	ERRNO(rename("rd", "r2"), ENOTDIR);
	ERRNO(rename("rd", "rd/sub"), EINVAL);
	CHECK(rename("r2", "rd/moved") == 0 && read_file("rd/moved", buf, sizeof(buf)) == 3);
	CHECK(unlink("re/x") == 0 && rename("rd", "re") == 0);      /* over an empty directory */
	CHECK(read_file("re/moved", buf, sizeof(buf)) == 3 && !strcmp(buf, "one"));
	/* renameat between two directories given by descriptors */
	int d1 = open("re", O_RDONLY | O_DIRECTORY), d2 = open(".", O_RDONLY | O_DIRECTORY);
	CHECK(d1 >= 0 && d2 >= 0 && renameat(d1, "moved", d2, "back") == 0);
	CHECK(read_file("back", buf, sizeof(buf)) == 3);
	close(d1);
	close(d2);

	/* hard links */
	CHECK(link("back", "hard") == 0);
	CHECK(stat("back", &st) == 0 && st.st_nlink == 2);
	ERRNO(link("back", "hard"), EEXIST);
	ERRNO(link("nothing", "h2"), ENOENT);
	ERRNO(link("re", "h3"), EPERM);                              /* a directory */
	CHECK(unlink("back") == 0 && stat("hard", &st) == 0 && st.st_nlink == 1);
	CHECK(read_file("hard", buf, sizeof(buf)) == 3 && !strcmp(buf, "one"));

	/* symbolic links */
	CHECK(symlink("hard", "soft") == 0);
	CHECK(readlink("soft", buf, sizeof(buf)) == 4 && !memcmp(buf, "hard", 4));
	CHECK(readlink("soft", buf, 2) == 2 && !memcmp(buf, "ha", 2));   /* truncated */
	ERRNO(readlink("hard", buf, sizeof(buf)), EINVAL);
	ERRNO(readlink("nothing", buf, sizeof(buf)), ENOENT);
	ERRNO(symlink("x", "soft"), EEXIST);
	CHECK(symlink("dangling-target", "dangling") == 0);
	ERRNO(stat("dangling", &st), ENOENT);
	CHECK(lstat("dangling", &st) == 0 && S_ISLNK(st.st_mode));
	CHECK(unlink("soft") == 0 && stat("hard", &st) == 0);       /* the link, not its target */
	CHECK(symlink(base, "abs") == 0 && stat("abs/hard", &st) == 0 && S_ISREG(st.st_mode));
}

static void readdir_list(void)
{
	int seen[5] = { 0 }, others = 0;
	struct dirent *e;
	DIR *d;
	long pos;

	CHECK(mkdir("ls", 0755) == 0);
	for (int i = 0; i < 3; i++) {
		char p[32];
		snprintf(p, sizeof(p), "ls/entry%d", i);
		CHECK(write_file(p, "x") == 0);
	}
	CHECK(mkdir("ls/sub", 0755) == 0);
	d = opendir("ls");
	CHECK(d != NULL);
	if (!d)
		return;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, "."))
			seen[3]++;
		else if (!strcmp(e->d_name, ".."))
			seen[4]++;
		else if (!strncmp(e->d_name, "entry", 5) && e->d_name[5] >= '0' && e->d_name[5] <= '2')
			seen[e->d_name[5] - '0']++, CHECK(e->d_type == DT_REG || e->d_type == DT_UNKNOWN);
		else if (!strcmp(e->d_name, "sub"))
			CHECK(e->d_type == DT_DIR || e->d_type == DT_UNKNOWN);
		else
			others++;
	}
	for (int i = 0; i < 5; i++)
		CHECK(seen[i] == 1);
	CHECK(others == 0);
	rewinddir(d);
	CHECK((e = readdir(d)) != NULL);
	pos = telldir(d);
	e = readdir(d);
	char again[256];
	snprintf(again, sizeof(again), "%s", e ? e->d_name : "");
	seekdir(d, pos);
	e = readdir(d);
	CHECK(e && !strcmp(e->d_name, again));
	closedir(d);
	ERRNO((long)(intptr_t)opendir("ls/entry0") ? 0 : -1, ENOTDIR);
	ERRNO((long)(intptr_t)opendir("ls/none") ? 0 : -1, ENOENT);
	/* the boot image's programs are files of the tree */
	CHECK((d = opendir("/bin")) != NULL);
	if (d)
		closedir(d);
}

static void cwd_moves(void)
{
	char buf[512], here[512];
	int fd;

	CHECK(getcwd(here, sizeof(here)) && !strcmp(here, base));
	CHECK(mkdir("cw", 0755) == 0 && mkdir("cw/in", 0755) == 0);
	CHECK(chdir("cw/in") == 0 && getcwd(buf, sizeof(buf)));
	CHECK(strlen(buf) == strlen(base) + 6 && !strcmp(buf + strlen(base), "/cw/in"));
	CHECK(write_file("rel", "r") == 0);
	CHECK(chdir("..") == 0 && access("in/rel", F_OK) == 0);
	errno = 0;
	CHECK(getcwd(buf, 3) == NULL && errno == ERANGE);
	ERRNO(chdir("nothing"), ENOENT);
	ERRNO(chdir("in/rel"), ENOTDIR);
	fd = open("in", O_RDONLY | O_DIRECTORY);
	CHECK(chdir("/") == 0 && getcwd(buf, sizeof(buf)) && !strcmp(buf, "/"));
	CHECK(fchdir(fd) == 0 && access("rel", F_OK) == 0);
	close(fd);
	fd = open("rel", O_RDONLY);
	ERRNO(fchdir(fd), ENOTDIR);
	close(fd);
	ERRNO(fchdir(77), EBADF);
	CHECK(chdir(base) == 0 && getcwd(buf, sizeof(buf)) && !strcmp(buf, base));
}

static void truncate_sizes(void)
{
	struct stat st;
	char buf[16];
	int fd;

	CHECK(write_file("t", "0123456789") == 0);
	CHECK(truncate("t", 4) == 0 && stat("t", &st) == 0 && st.st_size == 4);
	CHECK(truncate("t", 8192) == 0 && stat("t", &st) == 0 && st.st_size == 8192);
	fd = open("t", O_RDWR);
	CHECK(pread(fd, buf, 6, 2) == 6 && !memcmp(buf, "23\0\0\0\0", 6));
	CHECK(ftruncate(fd, 1) == 0 && fstat(fd, &st) == 0 && st.st_size == 1);
	ERRNO(ftruncate(fd, -1), EINVAL);
	close(fd);
	fd = open("t", O_RDONLY);
	ERRNO(ftruncate(fd, 0), EINVAL);       /* not open for writing */
	close(fd);
	ERRNO(truncate("t", -1), EINVAL);
	ERRNO(truncate("nothing", 0), ENOENT);
	CHECK(mkdir("td", 0755) == 0);
	ERRNO(truncate("td", 0), EISDIR);
}

static void modes_access(void)
{
	struct stat st;
	int fd;

	CHECK(write_file("m", "m") == 0);
	CHECK(chmod("m", 0751) == 0 && stat("m", &st) == 0 && (st.st_mode & 07777) == 0751);
	fd = open("m", O_RDONLY);
	CHECK(fchmod(fd, 0640) == 0 && fstat(fd, &st) == 0 && (st.st_mode & 07777) == 0640);
	close(fd);
	ERRNO(chmod("nothing", 0644), ENOENT);
	ERRNO(fchmod(-1, 0644), EBADF);
	CHECK(access("m", F_OK) == 0 && access("m", R_OK | W_OK) == 0);
	ERRNO(access("m", X_OK), EACCES);        /* no x bit at all: even root */
	ERRNO(access("nothing", F_OK), ENOENT);
	ERRNO(access("m", 0x10), EINVAL);
	CHECK(faccessat(AT_FDCWD, "m", R_OK, 0) == 0);
	/* the umask */
	mode_t old = umask(077);
	CHECK(old == 022);
	fd = open("u", O_CREAT | O_WRONLY, 0666);
	CHECK(fd >= 0 && fstat(fd, &st) == 0 && (st.st_mode & 0777) == 0600);
	close(fd);
	CHECK(umask(old) == 077);
}

static void times(void)
{
	struct timespec ts[2] = { { 1000000, 5 }, { 2000000, 7 } };
	struct stat st;
	int fd;

	CHECK(write_file("tm", "t") == 0);
	CHECK(utimensat(AT_FDCWD, "tm", ts, 0) == 0 && stat("tm", &st) == 0);
	CHECK(st.st_atim.tv_sec == 1000000 && st.st_atim.tv_nsec == 5);
	CHECK(st.st_mtim.tv_sec == 2000000 && st.st_mtim.tv_nsec == 7);
	ts[0].tv_nsec = UTIME_OMIT;
	ts[1].tv_sec = 3000000;
	ts[1].tv_nsec = 0;
	fd = open("tm", O_RDONLY);
	CHECK(futimens(fd, ts) == 0 && fstat(fd, &st) == 0);
	CHECK(st.st_atim.tv_sec == 1000000 && st.st_mtim.tv_sec == 3000000);
	CHECK(futimens(fd, NULL) == 0 && fstat(fd, &st) == 0 && st.st_mtim.tv_sec != 3000000);
	close(fd);
	ts[1].tv_nsec = 1000000000;
	ERRNO(utimensat(AT_FDCWD, "tm", ts, 0), EINVAL);
	ERRNO(utimensat(AT_FDCWD, "nothing", NULL, 0), ENOENT);
}

static void big_file(void)
{
	enum { SIZE = 100000 };
	unsigned char *w = malloc(SIZE), *r = malloc(SIZE);
	struct iovec iov[3];
	int fd;

	for (int i = 0; i < SIZE; i++)
		w[i] = (unsigned char)(i * 7 + (i >> 8));
	fd = open("big", O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0 && write(fd, w, SIZE) == SIZE);
	CHECK(lseek(fd, 0, SEEK_SET) == 0 && read(fd, r, SIZE) == SIZE && !memcmp(w, r, SIZE));
	memset(r, 0, SIZE);
	iov[0] = (struct iovec){ r, 10 };
	iov[1] = (struct iovec){ r + 10, 0 };
	iov[2] = (struct iovec){ r + 10, 9000 };
	CHECK(preadv(fd, iov, 3, 0) == 9010 && !memcmp(w, r, 9010));
	CHECK(lseek(fd, 0, SEEK_SET) == 0 && readv(fd, iov, 3) == 9010 && lseek(fd, 0, SEEK_CUR) == 9010);
	iov[0] = (struct iovec){ "abc", 3 };
	iov[1] = (struct iovec){ "", 0 };
	iov[2] = (struct iovec){ "defg", 4 };
	CHECK(lseek(fd, 0, SEEK_END) == SIZE && writev(fd, iov, 3) == 7);
	CHECK(pread(fd, r, 7, SIZE) == 7 && !memcmp(r, "abcdefg", 7));
	close(fd);
	free(w);
	free(r);
}

/* sendfile: from a file's offset (which it moves when given none), into
 * a file and into a pipe; bad descriptors, a negative offset. */
static void sendfile_copies(void)
{
	enum { SIZE = 10000 };
	char *w = malloc(SIZE), *r = malloc(SIZE);
	int in, out, p[2];
	off_t off;

	for (int i = 0; i < SIZE; i++)
		w[i] = (char)('a' + i % 23);
	in = open("sf-in", O_RDWR | O_CREAT | O_TRUNC, 0644);
	out = open("sf-out", O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK(in >= 0 && out >= 0 && write(in, w, SIZE) == SIZE);
	CHECK(lseek(in, 100, SEEK_SET) == 100);
	CHECK(sendfile(out, in, NULL, SIZE) == SIZE - 100);      /* from the offset to the end */
	CHECK(lseek(in, 0, SEEK_CUR) == SIZE && lseek(out, 0, SEEK_CUR) == SIZE - 100);
	CHECK(pread(out, r, SIZE, 0) == SIZE - 100 && !memcmp(r, w + 100, SIZE - 100));
	CHECK(sendfile(out, in, NULL, 10) == 0);                  /* at the end: nothing */
	off = 5000;
	CHECK(pipe(p) == 0);
	CHECK(sendfile(p[1], in, &off, 3000) == 3000 && off == 8000);
	CHECK(lseek(in, 0, SEEK_CUR) == SIZE);                    /* an offset leaves the file's */
	CHECK(read(p[0], r, SIZE) == 3000 && !memcmp(r, w + 5000, 3000));
	ERRNO(sendfile(out, 99, NULL, 10), EBADF);
	ERRNO(sendfile(99, in, &off, 10), EBADF);
	off = -1;
	ERRNO(sendfile(out, in, &off, 1), EINVAL);
	close(p[0]);
	close(p[1]);
	close(in);
	close(out);
	free(w);
	free(r);
}

/*
 * A full file system: 64 KiB writes until one says ENOSPC (a short write
 * first is fine), at most 96 MiB (the disk of make test is 32 MiB, tmpfs
 * has the VFS's memory quota). Then fsync and close succeed (nothing
 * written was accepted that cannot be kept: ext2 reserves the blocks at
 * the write), every byte written and a file written before are intact,
 * and unlinking the big file gives the room back. While it is full, a
 * pipe still carries bytes and a forked child still makes one.
 */
static uint8_t fill_byte(uint64_t pos)
{
	return (uint8_t)(pos * 131 + (pos >> 16) * 7 + 3);
}

static void full_disk(void)
{
	enum { CHUNK = 65536 };
	uint64_t written = 0, max = 96ull << 20;
	uint8_t *b = malloc(CHUNK), *r = malloc(CHUNK);
	char keep[64];
	ssize_t n = 0;
	int fd, err = 0;

	CHECK(b && r);
	if (!b || !r)
		return;
	CHECK(write_file("keep", "written before the disk filled") == 0);
	fd = open("fill", O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);
	while (fd >= 0 && written < max) {
		for (int i = 0; i < CHUNK; i++)
			b[i] = fill_byte(written + i);
		n = write(fd, b, CHUNK);
		if (n < 0) {
			err = errno;
			break;
		}
		written += (uint64_t)n;
		if (n < CHUNK) {          /* short: the next write says why */
			n = write(fd, b + n, CHUNK - n);
			err = n < 0 ? errno : 0;
			break;
		}
	}
	printf("files: full_disk: %llu bytes, then %s\n", (unsigned long long)written, strerror(err));
	CHECK(err == ENOSPC);
	CHECK(written >= CHUNK);
	CHECK(fsync(fd) == 0);
	CHECK(close(fd) == 0);
	CHECK(read_file("keep", keep, sizeof(keep)) == 30 && !strcmp(keep, "written before the disk filled"));
	/* a full disk is the files' limit, not the pipes' or the processes' */
	int p[2];
	char c = 0;
	CHECK(pipe(p) == 0 && write(p[1], "p", 1) == 1 && read(p[0], &c, 1) == 1 && c == 'p');
	CHECK(close(p[0]) == 0 && close(p[1]) == 0);
	pid_t pid = fork();
	if (pid == 0) {
		int q[2];
		_exit(pipe(q) == 0 && write(q[1], "q", 1) == 1 && read(q[0], &c, 1) == 1 &&
		      access("keep", R_OK) == 0 ? 0 : 1);
	}
	CHECK(pid > 0);
	if (pid > 0)
		REAP(pid, 0);
	fd = open("fill", O_RDONLY);
	CHECK(fd >= 0);
	struct stat st;
	CHECK(fd >= 0 && fstat(fd, &st) == 0 && (uint64_t)st.st_size == written);
	for (uint64_t pos = 0; fd >= 0 && pos < written; pos += CHUNK) {
		size_t want = written - pos < CHUNK ? (size_t)(written - pos) : CHUNK;
		bool same = read(fd, r, want) == (ssize_t)want;
		for (size_t i = 0; same && i < want; i++)
			same = r[i] == fill_byte(pos + i);
		if (!same) {
			FAIL("fill differs in the 64 KiB at %llu", (unsigned long long)pos);
			break;
		}
	}
	if (fd >= 0)
		close(fd);
	CHECK(unlink("fill") == 0);
	fd = open("after", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0 && write(fd, b, CHUNK) == CHUNK && fsync(fd) == 0 && close(fd) == 0);
	CHECK(unlink("after") == 0 && unlink("keep") == 0);
	free(b);
	free(r);
}

/*
 * Unlinked files give every page back to the whole system, not to the
 * file server only: the machine's free memory (sysinfo, the kernel's
 * count of free pages on Cairn) after three rounds of 16 MiB in one file
 * and 256 small files, all unlinked, is what it was before them, but for
 * GIVE_BACK_SLACK (the VFS keeps one 64-page chunk for the next files,
 * and page tables). Exact on Cairn's tmpfs; elsewhere (Linux, a disk: a
 * cache may keep pages) it only has to run.
 */
#define GIVE_BACK_SLACK (96ul * 4096)

static unsigned long free_bytes(void)
{
	struct sysinfo si;

	return sysinfo(&si) ? 0 : si.freeram * (unsigned long)si.mem_unit;
}

static void fill_unlink(size_t big)
{
	enum { CHUNK = 65536 };
	static uint8_t b[CHUNK];
	char name[32];
	int fd = open("big", O_WRONLY | O_CREAT | O_TRUNC, 0644);

	CHECK(fd >= 0);
	memset(b, 0x5a, sizeof(b));
	for (size_t done = 0; fd >= 0 && done < big; done += CHUNK)
		if (!CHECK(write(fd, b, CHUNK) == CHUNK))
			break;
	CHECK(fd >= 0 && close(fd) == 0);
	for (int i = 0; i < 256; i++) {
		snprintf(name, sizeof(name), "small-%d-with-a-longer-name", i);
		CHECK(write_file(name, "a few bytes of a small file") == 0);
	}
	CHECK(unlink("big") == 0);
	for (int i = 0; i < 256; i++) {
		snprintf(name, sizeof(name), "small-%d-with-a-longer-name", i);
		CHECK(unlink(name) == 0);
	}
}

static void unlink_gives_back(void)
{
	struct statfs sf;
	unsigned long before, after;
	bool exact = false;

#ifdef __cairn__
	exact = statfs(".", &sf) == 0 && sf.f_type == 0x01021994;      /* TMPFS_MAGIC */
#else
	(void)sf;
#endif
	fill_unlink(1 << 20);            /* the server's tables and caches grow once */
	before = free_bytes();
	for (int round = 0; round < 3; round++) {
		fill_unlink(16u << 20);
		printf("files: round %d: %lu KiB free\n", round, free_bytes() / 1024);
	}
	after = free_bytes();
	printf("files: unlink_gives_back: %lu KiB free before, %lu KiB after three rounds\n",
	       before / 1024, after / 1024);
	CHECK(before > 0 && after > 0);
	if (exact)
		CHECK(after + GIVE_BACK_SLACK >= before);
}

int main(int argc, char **argv)
{
	/* where: PT_DIR, or an absolute path as the argument (a disk's /mnt) */
	const char *dir = argc > 1 && argv[1][0] == '/' ? argv[1] : getenv("PT_DIR");

	pt_prefix = "files";
	snprintf(base, sizeof(base), "%s/files.%d", dir ? dir : "/tmp", (int)getpid());
	if (mkdir(base, 0755) || chdir(base)) {
		printf("files: cannot make %s: %s\n", base, strerror(errno));
		return 1;
	}
	printf("files: in %s (%s)\n", base, argv[0]);
	run("open_read_write", open_read_write);
	run("open_errors", open_errors);
	run("stat_kinds", stat_kinds);
	run("directories", directories);
	run("rename_link", rename_link);
	run("readdir_list", readdir_list);
	run("cwd_moves", cwd_moves);
	run("truncate_sizes", truncate_sizes);
	run("modes_access", modes_access);
	run("times", times);
	run("big_file", big_file);
	run("sendfile_copies", sendfile_copies);
	run("unlink_gives_back", unlink_gives_back);
	run("full_disk", full_disk);
	return finish();
}
