// SPDX-License-Identifier: MIT
/*
 * Users and permissions (docs/users.md): the process server's real,
 * effective and saved user and group ids and supplementary groups with
 * Linux's rules for changing them, and the file servers' checks of every
 * path and open against them: read, write and execute permission, search
 * on every directory, write and search to make and remove, sticky
 * directories, chmod and chown by the owner, utimensat, access() with the
 * real ids, exec, set-uid and set-gid executables, set-gid directories,
 * new files' owners; and the
 * same checks on /dev/shm's shared memory objects and named semaphores;
 * the process server's rule of who may signal whom (kill, killpg,
 * sigqueue).
 * One `ok N users.NAME` line a test, then `N passed, N failed`; the exit
 * status is the number of failures (tests/harness/expected/posix-users.txt).
 *
 * Run as root (uid 0); every test that needs another user forks a child
 * that becomes it (setgroups, setgid, setuid) and reports by its exit
 * status: the step that failed, 0 when all held. The files are made in
 * DIR/users.PID (DIR: the argument, an absolute path such as a disk's
 * /mnt, else /tmp) and removed at the end. `users ids` is what an exec
 * after the ids changed runs: its status is 0 when they are still 1000.
 * Passes on Linux as root.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <semaphore.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/fsuid.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "posixtest.h"

static char base[PATH_MAX / 2], self[PATH_MAX];

/* base/name */
static const char *at(const char *name)
{
	static char buf[4][PATH_MAX];
	static unsigned k;
	char *b = buf[k++ % 4];

	snprintf(b, PATH_MAX, "%s/%s", base, name);
	return b;
}

/* A child that becomes uid, gid with groups, runs fn: fn's result, or 100
 * + the step that failed becoming it, -1 when it did not end. */
static int as_user(uid_t uid, gid_t gid, int n, const gid_t *groups, int (*fn)(void))
{
	int st;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		if (setgroups((size_t)n, groups))
			_exit(101);
		if (setgid(gid))
			_exit(102);
		if (setuid(uid))
			_exit(103);
		_exit(fn());
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static int user1000(int (*fn)(void))
{
	return as_user(1000, 1000, 0, NULL, fn);
}

static int make_file(const char *path, mode_t mode, uid_t uid, gid_t gid)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd < 0)
		return -1;
	if (write(fd, "data", 4) != 4 || close(fd))
		return -1;
	if (chown(path, uid, gid) || chmod(path, mode))
		return -1;
	return 0;
}

static int make_dir(const char *path, mode_t mode, uid_t uid, gid_t gid)
{
	if (mkdir(path, 0700) && errno != EEXIST)
		return -1;
	return chown(path, uid, gid) || chmod(path, mode) ? -1 : 0;
}

/* A child's test: its step that failed, if one did */
#define CHILD(expr) do { int r_ = (expr); if (r_) FAIL("%s: step %d", #expr, r_); } while (0)

/* errno of a call that must fail with it */
#define FAILS(call, err) ((call) == -1 && errno == (err))

static void rm_tree(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	char sub[PATH_MAX];

	if (lstat(path, &st))
		return;
	if (!S_ISDIR(st.st_mode)) {
		unlink(path);
		return;
	}
	chmod(path, 0700);
	if ((d = opendir(path))) {
		while ((e = readdir(d))) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
			rm_tree(sub);
		}
		closedir(d);
	}
	rmdir(path);
}

/* ---- the ids ---- */

static int child_gids(void)
{
	gid_t r, e, s, g[4];

	/* root: any gid, groups */
	if (setresgid(100, 200, 300) || getresgid(&r, &e, &s) || r != 100 || e != 200 || s != 300)
		return 1;
	if (getgid() != 100 || getegid() != 200)
		return 2;
	g[0] = 5, g[1] = 6;
	if (setgroups(2, g) || getgroups(0, NULL) != 2)
		return 3;
	g[0] = g[1] = 0;
	if (getgroups(4, g) != 2 || g[0] != 5 || g[1] != 6)
		return 4;
	if (!FAILS(getgroups(1, g), EINVAL))
		return 5;
	/* no longer root: only its own gids, no groups */
	if (setuid(1000))
		return 6;
	if (!FAILS(setgroups(0, NULL), EPERM))
		return 7;
	if (!FAILS(setgid(999), EPERM) || !FAILS(setresgid(-1, 999, -1), EPERM))
		return 8;
	if (setgid(300) || getresgid(&r, &e, &s) || r != 100 || e != 300 || s != 300)
		return 9;          /* the saved one: the effective gid only */
	if (setregid(-1, 100) || getegid() != 100)
		return 10;
	if (!FAILS(setregid(300, -1), EPERM))   /* the real one: to the real or effective only */
		return 11;
	if (setresgid(300, 300, 300) || getgid() != 300)
		return 12;
	if (getgroups(2, g) != 2 || g[0] != 5)  /* the groups stay */
		return 13;
	return 0;
}

static void ids_groups(void)
{
	CHECK(getuid() == 0 && geteuid() == 0);
	CHILD(as_user(0, 0, 0, NULL, child_gids));
	CHECK(getgid() == 0 && getegid() == 0);
}

static int child_fs_ids(void)
{
	/* setfsuid: the old one, and a change only to one of its own ids */
	if (setfsuid(1000) != 1000)
		return 1;
	if (setfsuid(5555) != 1000 || setfsuid(-1) != 1000)
		return 2;
	return 0;
}

static void fs_ids(void)
{
	CHILD(user1000(child_fs_ids));
}

static int child_keep(void)
{
	gid_t g[2] = { 0, 0 };
	int st;
	pid_t pid = fork();

	if (pid == 0)
		_exit(getuid() == 1000 && geteuid() == 1000 && getgid() == 1000 &&
		      getgroups(2, g) == 1 && g[0] == 4242 ? 0 : 1);
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		return 1;
	execl(self, "users", "ids", (char *)NULL);
	return 2;
}

static void fork_exec_keep(void)
{
	gid_t g = 4242;

	CHILD(as_user(1000, 1000, 1, &g, child_keep));
}

/* ---- files ---- */

static int child_open(void)
{
	char b[4];
	int fd;

	if (!FAILS(open(at("o600"), O_RDONLY), EACCES))
		return 1;
	if ((fd = open(at("o644"), O_RDONLY)) < 0 || read(fd, b, 4) != 4 || close(fd))
		return 2;
	if (!FAILS(open(at("o644"), O_WRONLY), EACCES) || !FAILS(open(at("o644"), O_RDWR), EACCES))
		return 3;
	if (!FAILS(open(at("o644"), O_RDONLY | O_TRUNC), EACCES))
		return 4;
	if ((fd = open(at("g640"), O_RDONLY)) < 0 || close(fd))
		return 5;          /* its group's bits */
	if (!FAILS(open(at("own077"), O_RDONLY), EACCES))
		return 6;          /* its own bits, though the others' allow it */
	if ((fd = open(at("o602"), O_WRONLY)) < 0 || close(fd))
		return 7;
	if (!FAILS(truncate(at("o644"), 0), EACCES))
		return 8;
	return 0;
}

static int child_open_group(void)
{
	int fd = open(at("g640"), O_RDONLY);

	return fd >= 0 && !close(fd) ? 0 : 1;
}

static int child_open_other(void)
{
	return FAILS(open(at("g640"), O_RDONLY), EACCES) ? 0 : 1;
}

static void open_modes(void)
{
	gid_t g = 1000;
	char b[4];
	int fd;

	CHECK(make_file(at("o600"), 0600, 0, 0) == 0);
	CHECK(make_file(at("o644"), 0644, 0, 0) == 0);
	CHECK(make_file(at("g640"), 0640, 0, 1000) == 0);
	CHECK(make_file(at("own077"), 0077, 1000, 0) == 0);
	CHECK(make_file(at("o602"), 0602, 0, 0) == 0);
	CHILD(user1000(child_open));
	CHILD(as_user(2000, 2000, 1, &g, child_open_group));      /* a supplementary group */
	CHILD(as_user(2000, 2000, 0, NULL, child_open_other));
	/* root reads and writes whatever the bits */
	CHECK(make_file(at("o000"), 0000, 1000, 1000) == 0);
	fd = open(at("o000"), O_RDWR);
	CHECK(fd >= 0 && read(fd, b, 4) == 4 && close(fd) == 0);
}

static int child_search(void)
{
	struct stat st;
	int fd;

	if (!FAILS(stat(at("s700/f"), &st), EACCES) || !FAILS(open(at("s700/f"), O_RDONLY), EACCES))
		return 1;
	if (!FAILS(stat(at("s700/sub/f"), &st), EACCES))
		return 2;          /* every directory of the path */
	if (stat(at("s711/f"), &st) || (fd = open(at("s711/f"), O_RDONLY)) < 0 || close(fd))
		return 3;          /* search without read */
	if (!FAILS(open(at("s711"), O_RDONLY | O_DIRECTORY), EACCES))
		return 4;          /* but not list it */
	if (!FAILS(chdir(at("s700")), EACCES))
		return 5;
	return 0;
}

static void search_dirs(void)
{
	CHECK(make_dir(at("s700"), 0700, 0, 0) == 0);
	CHECK(make_dir(at("s700/sub"), 0755, 0, 0) == 0);
	CHECK(make_file(at("s700/f"), 0644, 0, 0) == 0);
	CHECK(make_file(at("s700/sub/f"), 0644, 0, 0) == 0);
	CHECK(make_dir(at("s711"), 0711, 0, 0) == 0);
	CHECK(make_file(at("s711/f"), 0644, 0, 0) == 0);
	CHILD(user1000(child_search));
}

static int child_create(void)
{
	struct stat st;
	int fd;

	if (!FAILS(open(at("c755/x"), O_WRONLY | O_CREAT, 0644), EACCES))
		return 1;
	if (!FAILS(mkdir(at("c755/d"), 0755), EACCES) || !FAILS(symlink("x", at("c755/l")), EACCES))
		return 2;
	if (!FAILS(mkfifo(at("c755/p"), 0644), EACCES) || !FAILS(link(at("c777/linkable"), at("c755/h")), EACCES))
		return 3;
	if (!FAILS(unlink(at("c755/f")), EACCES) || !FAILS(rename(at("c755/f"), at("c777/f")), EACCES))
		return 4;
	if (!FAILS(rmdir(at("c755/e")), EACCES))
		return 5;
	/* a directory it may write: its own files, with its ids */
	if ((fd = open(at("c777/mine"), O_WRONLY | O_CREAT | O_EXCL, 0644)) < 0 || close(fd))
		return 6;
	if (stat(at("c777/mine"), &st) || st.st_uid != 1000 || st.st_gid != 1000)
		return 7;
	if (mkdir(at("c777/dir"), 0755) || stat(at("c777/dir"), &st) || st.st_uid != 1000)
		return 8;
	if (symlink("mine", at("c777/lnk")) || lstat(at("c777/lnk"), &st) || st.st_uid != 1000)
		return 9;
	/* not sticky: anyone who may write it removes and renames anyone's */
	if (rename(at("c777/rootf"), at("c777/moved")) || unlink(at("c777/moved")))
		return 10;
	/* a directory moving elsewhere must be writable itself (its "..") */
	if (!FAILS(rename(at("c777/rootdir"), at("c777/dir/rootdir")), EACCES))
		return 11;
	if (rename(at("c777/dir"), at("c777/dir2")) || rmdir(at("c777/dir2")))
		return 12;
	return 0;
}

static void create_remove(void)
{
	CHECK(make_dir(at("c755"), 0755, 0, 0) == 0);
	CHECK(make_file(at("c755/f"), 0644, 1000, 1000) == 0);
	CHECK(make_dir(at("c755/e"), 0777, 1000, 1000) == 0);
	CHECK(make_dir(at("c777"), 0777, 0, 0) == 0);
	CHECK(make_file(at("c777/rootf"), 0644, 0, 0) == 0);
	CHECK(make_file(at("c777/linkable"), 0666, 0, 0) == 0);   /* (Linux's protected_hardlinks) */
	CHECK(make_dir(at("c777/rootdir"), 0755, 0, 0) == 0);
	CHILD(user1000(child_create));
}

static int child_sticky_a(void)
{
	int fd = open(at("t/a"), O_WRONLY | O_CREAT | O_EXCL, 0666);

	return fd >= 0 && !close(fd) ? 0 : 1;
}

static int child_sticky_b(void)
{
	int fd;

	if (!FAILS(unlink(at("t/rootf")), EPERM) || !FAILS(unlink(at("t/a")), EPERM))
		return 1;
	if (!FAILS(rename(at("t/a"), at("t/b")), EPERM))
		return 2;
	if (!FAILS(rename(at("t/mine0"), at("t/a")), EPERM))
		return 3;          /* nor over another's file */
	if ((fd = open(at("t/b"), O_WRONLY | O_CREAT | O_EXCL, 0666)) < 0 || close(fd))
		return 4;          /* its own, yes */
	if (rename(at("t/b"), at("t/c")) || unlink(at("t/c")))
		return 5;
	return 0;
}

static int child_sticky_a_removes(void)
{
	return unlink(at("t/a")) ? 1 : 0;
}

static void sticky_tmp(void)
{
	struct stat st;

	CHECK(stat("/tmp", &st) == 0 && (st.st_mode & 07777) == 01777);
	CHECK(make_dir(at("t"), 01777, 0, 0) == 0);
	CHECK(make_file(at("t/rootf"), 0666, 0, 0) == 0);
	CHECK(make_file(at("t/mine0"), 0666, 2000, 2000) == 0);
	CHILD(user1000(child_sticky_a));
	CHILD(as_user(2000, 2000, 0, NULL, child_sticky_b));
	CHILD(user1000(child_sticky_a_removes));
	/* the directory's owner may remove anyone's; root too */
	CHILD(user1000(child_sticky_a));
	CHECK(chown(at("t"), 2000, 2000) == 0);
	CHILD(as_user(2000, 2000, 0, NULL, child_sticky_a_removes));
	CHECK(unlink(at("t/rootf")) == 0 && unlink(at("t/mine0")) == 0);
}

static int child_chmod_chown(void)
{
	struct stat st;

	if (!FAILS(chmod(at("rootf"), 0666), EPERM))
		return 1;
	if (!FAILS(chown(at("rootf"), 1000, 1000), EPERM))
		return 2;
	if (chmod(at("minef"), 0600) || stat(at("minef"), &st) || (st.st_mode & 07777) != 0600)
		return 3;
	if (!FAILS(chown(at("minef"), 2000, -1), EPERM))
		return 4;          /* giving it away: root only */
	if (!FAILS(chown(at("minef"), -1, 5000), EPERM))
		return 5;          /* a group it is not in */
	if (chown(at("minef"), -1, 3000) || stat(at("minef"), &st) || st.st_gid != 3000)
		return 6;          /* one it is in */
	if (chown(at("minef"), 1000, -1))
		return 7;          /* itself: a change to nothing */
	/* set-gid on a file of a group it is not in: the bit goes */
	if (chown(at("minef"), -1, 1000) || stat(at("minef"), &st))
		return 8;
	if (!FAILS(fchmodat(AT_FDCWD, at("rootf"), 0600, 0), EPERM))
		return 9;
	return 0;
}

static int child_chmod_sgid(void)
{
	struct stat st;

	if (chmod(at("sgidf"), 02755) || stat(at("sgidf"), &st))
		return 1;
	return (st.st_mode & 07777) == 0755 ? 0 : 2;
}

static void chmod_chown(void)
{
	gid_t g = 3000;
	struct stat st;

	CHECK(make_file(at("rootf"), 0644, 0, 0) == 0);
	CHECK(make_file(at("minef"), 0644, 1000, 1000) == 0);
	CHECK(make_file(at("sgidf"), 0644, 1000, 5000) == 0);
	CHILD(as_user(1000, 1000, 1, &g, child_chmod_chown));
	CHILD(user1000(child_chmod_sgid));
	/* root: any owner; a new owner takes the set-uid bit */
	CHECK(chmod(at("rootf"), 04755) == 0 && chown(at("rootf"), 1000, 1000) == 0);
	CHECK(stat(at("rootf"), &st) == 0 && st.st_uid == 1000 && st.st_gid == 1000 &&
	      !(st.st_mode & S_ISUID));
}

static int child_utimes(void)
{
	struct timespec t[2] = { { 1000, 0 }, { 2000, 0 } };

	if (utimensat(AT_FDCWD, at("u666"), NULL, 0))
		return 1;          /* "now": write permission will do */
	if (!FAILS(utimensat(AT_FDCWD, at("u666"), t, 0), EPERM))
		return 2;          /* a time of its choosing: the owner only */
	if (!FAILS(utimensat(AT_FDCWD, at("u644"), NULL, 0), EACCES))
		return 3;
	if (utimensat(AT_FDCWD, at("umine"), t, 0))
		return 4;
	return 0;
}

static void utimes_rules(void)
{
	CHECK(make_file(at("u666"), 0666, 0, 0) == 0);
	CHECK(make_file(at("u644"), 0644, 0, 0) == 0);
	CHECK(make_file(at("umine"), 0444, 1000, 1000) == 0);
	CHILD(user1000(child_utimes));
}

static int child_access(void)
{
	/* real uid 1000, effective 0 */
	if (setresuid(1000, 0, 0))
		return 1;
	if (!FAILS(access(at("a600"), R_OK), EACCES))
		return 2;          /* the real ids */
	if (faccessat(AT_FDCWD, at("a600"), R_OK | W_OK, AT_EACCESS))
		return 3;          /* the effective ones */
	if (access(at("a604"), R_OK) || !FAILS(access(at("a604"), W_OK), EACCES))
		return 4;
	return 0;
}

static void access_ids(void)
{
	CHECK(make_file(at("a600"), 0600, 0, 0) == 0);
	CHECK(make_file(at("a604"), 0604, 0, 1) == 0);      /* (not its group: the others' bits) */
	CHECK(make_file(at("a744"), 0744, 1000, 1000) == 0);
	CHILD(as_user(0, 0, 0, NULL, child_access));
	/* root: everything but executing what no one may execute */
	CHECK(access(at("a600"), R_OK | W_OK) == 0);
	CHECK(access(at("a604"), X_OK) == -1 && errno == EACCES);
	CHECK(access(at("a744"), X_OK) == 0);
}

/* The program copied to path with mode */
static int copy_self(const char *path, mode_t mode)
{
	char buf[8192];
	ssize_t n;
	int in = open(self, O_RDONLY), out;

	if (in < 0)
		return -1;
	out = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0700);
	if (out < 0) {
		close(in);
		return -1;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			n = -1;
	close(in);
	if (close(out) || n < 0)
		return -1;
	return chmod(path, mode);
}

static int child_exec_denied(void)
{
	execl(at("x700"), "users", "ids", (char *)NULL);
	return errno == EACCES ? 0 : 1;
}

static int child_exec_xonly(void)
{
	execl(at("x711"), "users", "ids", (char *)NULL);
	return 50;
}

static void exec_perm(void)
{
	gid_t g = 4242;

	CHECK(copy_self(at("x700"), 0700) == 0);
	CHECK(copy_self(at("x711"), 0711) == 0);
	CHECK(make_file(at("x644"), 0644, 0, 0) == 0);
	CHILD(user1000(child_exec_denied));
	CHILD(as_user(1000, 1000, 1, &g, child_exec_xonly));        /* execute without read: a program runs */
	errno = 0;
	CHECK(execl(at("x644"), "x644", (char *)NULL) == -1 && errno == EACCES);   /* root too */
}

/* ---- set-uid and set-gid executables ---- */

/* What `users setid R E S RG EG SG FILE` checks in the image exec'd: its
 * real, effective and saved ids, and that a file it makes is its
 * effective ids' (what the file servers see); 0 when all hold. */
static int setid_report(char **argv)
{
	uid_t r, e, s;
	gid_t rg, eg, sg;
	struct stat st;
	int fd;

	if (getresuid(&r, &e, &s) || getresgid(&rg, &eg, &sg))
		return 11;
	if (r != (uid_t)atoi(argv[2]) || e != (uid_t)atoi(argv[3]) || s != (uid_t)atoi(argv[4]))
		return 12;
	if (rg != (gid_t)atoi(argv[5]) || eg != (gid_t)atoi(argv[6]) || sg != (gid_t)atoi(argv[7]))
		return 13;
	if ((fd = open(argv[8], O_WRONLY | O_CREAT | O_EXCL, 0600)) < 0 || close(fd))
		return 14;
	if (stat(argv[8], &st) || st.st_uid != e || st.st_gid != eg || unlink(argv[8]))
		return 15;
	return 0;
}

static const char *setid_file;
static const char *setid_want[6];

static int child_setid(void)
{
	execl(setid_file, "users", "setid", setid_want[0], setid_want[1], setid_want[2],
	      setid_want[3], setid_want[4], setid_want[5], at("made"), (char *)NULL);
	return 50;
}

/* user 1000 (or root: uid 0) runs file; the ids it should see */
static int run_setid(uid_t as, const char *file, const char *r, const char *e, const char *s,
		     const char *rg, const char *eg, const char *sg)
{
	setid_file = file;
	setid_want[0] = r;
	setid_want[1] = e;
	setid_want[2] = s;
	setid_want[3] = rg;
	setid_want[4] = eg;
	setid_want[5] = sg;
	return as ? user1000(child_setid) : as_user(0, 0, 0, NULL, child_setid);
}

/* A set-uid file runs with its owner as the effective and saved uid, a
 * set-gid one (with group execute) with its group; set-gid without group
 * execute, and a file with neither, with the caller's ids. The base
 * directory is writable by all for the files the images make. */
static void setid_exec(void)
{
	CHECK(chmod(base, 0777) == 0);
	CHECK(copy_self(at("su"), 0755) == 0 && chown(at("su"), 3000, 3001) == 0 &&
	      chmod(at("su"), 04755) == 0);
	CHECK(copy_self(at("sg"), 0755) == 0 && chown(at("sg"), 3000, 3001) == 0 &&
	      chmod(at("sg"), 02755) == 0);
	CHECK(copy_self(at("sgnx"), 0755) == 0 && chown(at("sgnx"), 3000, 3001) == 0 &&
	      chmod(at("sgnx"), 02745) == 0);
	CHECK(copy_self(at("plain"), 0755) == 0 && chown(at("plain"), 3000, 3001) == 0);
	CHILD(run_setid(1000, at("su"), "1000", "3000", "3000", "1000", "1000", "1000"));
	CHILD(run_setid(1000, at("sg"), "1000", "1000", "1000", "1000", "3001", "3001"));
	CHILD(run_setid(1000, at("sgnx"), "1000", "1000", "1000", "1000", "1000", "1000"));
	CHILD(run_setid(1000, at("plain"), "1000", "1000", "1000", "1000", "1000", "1000"));
	CHILD(run_setid(0, at("su"), "0", "3000", "3000", "0", "0", "0"));
	/* the same file after chmod u-s: its owner's ids no more */
	CHECK(chmod(at("su"), 0755) == 0);
	CHILD(run_setid(1000, at("su"), "1000", "1000", "1000", "1000", "1000", "1000"));
	CHECK(chmod(base, 0755) == 0);
}

/* A write by a user other than root takes a file's set-id bits; root's
 * keeps them. (Set-gid without group execute: Linux 6.1 keeps it, later
 * kernels drop it when the writer is not in the file's group; Cairn keeps
 * it, so it is not tested.) */
static int child_write_setid(void)
{
	struct stat st;
	int fd;

	if ((fd = open(at("w1"), O_WRONLY | O_APPEND)) < 0 || write(fd, "x", 1) != 1 || close(fd))
		return 1;
	if (stat(at("w1"), &st) || (st.st_mode & 07777) != 0777)
		return 2;
	if (truncate(at("w2"), 1) || stat(at("w2"), &st) || (st.st_mode & 07777) != 0777)
		return 3;
	if ((fd = open(at("w3"), O_WRONLY | O_TRUNC)) < 0 || close(fd) || stat(at("w3"), &st) ||
	    (st.st_mode & 07777) != 0777)
		return 4;
	return 0;
}

static void setid_write(void)
{
	struct stat st;
	int fd;

	CHECK(make_file(at("w1"), 06777, 3000, 3001) == 0);
	CHECK(make_file(at("w2"), 06777, 3000, 3001) == 0);
	CHECK(make_file(at("w3"), 06777, 3000, 3001) == 0);
	CHECK(make_file(at("w5"), 06777, 3000, 3001) == 0);
	CHILD(user1000(child_write_setid));
	fd = open(at("w5"), O_WRONLY | O_APPEND);
	CHECK(fd >= 0 && write(fd, "x", 1) == 1 && close(fd) == 0);
	CHECK(stat(at("w5"), &st) == 0 && (st.st_mode & 07777) == 06777);   /* root's write */
}

static void setgid_dir(void)
{
	struct stat st;
	int fd;

	CHECK(make_dir(at("g"), 02775, 0, 1234) == 0);
	fd = open(at("g/f"), O_WRONLY | O_CREAT | O_EXCL, 0644);
	CHECK(fd >= 0 && close(fd) == 0);
	CHECK(stat(at("g/f"), &st) == 0 && st.st_gid == 1234 && st.st_uid == 0);
	CHECK(mkdir(at("g/d"), 0755) == 0);
	CHECK(stat(at("g/d"), &st) == 0 && st.st_gid == 1234 && (st.st_mode & S_ISGID));
}

/* ---- shared memory and named semaphores: files of /dev/shm ---- */

static char shm_root[64], shm_own[64], sem_root[64];

static int child_shm(void)
{
	struct stat st;
	sem_t *s;
	int fd;

	if (!FAILS(shm_open(shm_root, O_RDWR, 0), EACCES))
		return 1;              /* root's, 0644: read only */
	if ((fd = shm_open(shm_root, O_RDONLY, 0)) < 0 || close(fd))
		return 2;
	if (!FAILS(shm_open(shm_root, O_RDONLY | O_TRUNC, 0), EACCES))
		return 3;
	if (shm_unlink(shm_root) != -1 || (errno != EPERM && errno != EACCES))
		return 4;              /* /dev/shm is sticky (glibc says EACCES, musl EPERM) */
	/* its own: its ids; mode 0 keeps even its owner out */
	if ((fd = shm_open(shm_own, O_RDWR | O_CREAT | O_EXCL, 0)) < 0)
		return 5;
	if (fstat(fd, &st) || st.st_uid != 1000 || st.st_gid != 1000 || close(fd))
		return 6;
	if (!FAILS(shm_open(shm_own, O_RDONLY, 0), EACCES))
		return 7;
	if (shm_unlink(shm_own))
		return 8;
	/* a semaphore is such a file too */
	s = sem_open(sem_root, 0);
	if (s != SEM_FAILED || errno != EACCES)
		return 9;
	return 0;
}

static void shm_perm(void)
{
	struct stat st;
	sem_t *s;
	int fd;

	snprintf(shm_root, sizeof(shm_root), "/users_shm_%d", (int)getpid());
	snprintf(shm_own, sizeof(shm_own), "/users_shm_own_%d", (int)getpid());
	snprintf(sem_root, sizeof(sem_root), "/users_sem_%d", (int)getpid());
	fd = shm_open(shm_root, O_RDWR | O_CREAT | O_EXCL, 0644);
	CHECK(fd >= 0 && fchmod(fd, 0644) == 0 && ftruncate(fd, 8) == 0);
	s = sem_open(sem_root, O_CREAT | O_EXCL, 0600, 1);
	CHECK(s != SEM_FAILED);
	CHILD(user1000(child_shm));
	/* untouched by the other user */
	CHECK(fstat(fd, &st) == 0 && st.st_size == 8 && st.st_uid == 0 && (st.st_mode & 07777) == 0644);
	CHECK(close(fd) == 0 && shm_unlink(shm_root) == 0);
	CHECK(sem_close(s) == 0 && sem_unlink(sem_root) == 0);
}

/* ---- signals: who may signal whom ---- */

static pid_t target1000, target_saved;

/* A child with uids r, e, s in a group of its own, waiting to be killed
 * (it ends itself after 20 s): its pid once it has them, -1 */
static pid_t signal_target(uid_t r, uid_t e, uid_t s)
{
	int p[2];
	char c = 0;
	pid_t pid;

	if (pipe(p))
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		pt_child_start();
		close(p[0]);
		if (setpgid(0, 0) || setresuid(r, e, s))
			_exit(1);
		c = 1;
		if (write(p[1], &c, 1) != 1)
			_exit(2);
		for (;;)
			pause();
	}
	close(p[1]);
	if (pid > 0 && (read(p[0], &c, 1) != 1 || c != 1)) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		pid = -1;
	}
	close(p[0]);
	return pid;
}

/* another user (1001): none of them, but SIGCONT in its session */
static int child_kill_other(void)
{
	union sigval v = { .sival_int = 0 };

	if (!FAILS(kill(target1000, 0), EPERM) || !FAILS(kill(target1000, SIGTERM), EPERM))
		return 1;
	if (!FAILS(sigqueue(target1000, 0, v), EPERM) || !FAILS(sigqueue(target1000, SIGTERM, v), EPERM))
		return 2;
	if (!FAILS(killpg(target1000, SIGTERM), EPERM) || !FAILS(kill(-target1000, 0), EPERM))
		return 3;                  /* a group with no member it may signal */
	if (kill(target1000, SIGCONT))
		return 4;
	if (kill(-1, 0))                   /* there are others: success, though it may signal none */
		return 5;
	if (setsid() < 0 || !FAILS(kill(target1000, SIGCONT), EPERM))
		return 6;                  /* SIGCONT outside its session */
	return 0;
}

/* the same user (1000): the real and the saved uid count */
static int child_kill_same(void)
{
	union sigval v = { .sival_int = 0 };

	if (kill(target1000, 0) || kill(target_saved, 0))
		return 1;
	if (sigqueue(target1000, 0, v) || killpg(target_saved, 0))
		return 2;
	return 0;
}

/* the sender's real or effective uid counts, not its saved one */
static int child_kill_euid(void)
{
	if (setresuid(1001, 1000, 1001) || kill(target1000, 0))
		return 1;
	return 0;
}

static int child_kill_ruid(void)
{
	if (setresuid(1000, 1001, 1001) || kill(target1000, 0) || kill(target_saved, 0))
		return 1;
	return 0;
}

static int child_kill_suid(void)
{
	if (setresuid(1001, 1001, 1000) || !FAILS(kill(target1000, 0), EPERM))
		return 1;
	return 0;
}

static void kill_perm(void)
{
	target1000 = signal_target(1000, 1000, 1000);
	target_saved = signal_target(1002, 1002, 1000);
	CHECK(target1000 > 0 && target_saved > 0);
	if (target1000 <= 0 || target_saved <= 0)
		return;
	CHILD(as_user(1001, 1001, 0, NULL, child_kill_other));
	CHILD(user1000(child_kill_same));
	CHILD(as_user(0, 0, 0, NULL, child_kill_euid));
	CHILD(as_user(0, 0, 0, NULL, child_kill_ruid));
	CHILD(as_user(0, 0, 0, NULL, child_kill_suid));
	/* root: any */
	CHECK(kill(target1000, SIGKILL) == 0 && kill(target_saved, SIGKILL) == 0);
	CHECK(pt_reap(target1000, 5000) == 1000 + SIGKILL);
	CHECK(pt_reap(target_saved, 5000) == 1000 + SIGKILL);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 && argv[1][0] == '/' ? argv[1] : getenv("PT_DIR");
	gid_t g[2];

	if (argc > 8 && !strcmp(argv[1], "setid"))
		return setid_report(argv);
	if (argc > 1 && !strcmp(argv[1], "ids"))
		return getuid() == 1000 && geteuid() == 1000 && getgid() == 1000 &&
		       getgroups(2, g) == 1 && g[0] == 4242 ? 0 : 10;
	if (argv[0][0] == '/')
		snprintf(self, sizeof(self), "%s", argv[0]);
	else if (getcwd(self, sizeof(self)))
		snprintf(self + strlen(self), sizeof(self) - strlen(self), "/%s", argv[0]);
	pt_prefix = "users";
	snprintf(base, sizeof(base), "%s/users.%d", dir ? dir : "/tmp", (int)getpid());
	if (mkdir(base, 0755) || chmod(base, 0755)) {
		printf("users: cannot make %s: %s\n", base, strerror(errno));
		return 1;
	}
	printf("users: in %s\n", base);
	run("ids_groups", ids_groups);
	run("fs_ids", fs_ids);
	run("fork_exec_keep", fork_exec_keep);
	run("open_modes", open_modes);
	run("search_dirs", search_dirs);
	run("create_remove", create_remove);
	run("sticky_tmp", sticky_tmp);
	run("chmod_chown", chmod_chown);
	run("utimes_rules", utimes_rules);
	run("access_ids", access_ids);
	run("exec_perm", exec_perm);
	run("setid_exec", setid_exec);
	run("setid_write", setid_write);
	run("setgid_dir", setgid_dir);
	run("shm_perm", shm_perm);
	run("kill_perm", kill_perm);
	rm_tree(base);
	return finish();
}
