// SPDX-License-Identifier: MIT
/*
 * Mounts, statfs and sync through musl-port (docs/vfs.md, Mounts):
 * - statfs and fstatfs agree, /proc is PROC_SUPER_MAGIC, the errors;
 * - sync, syncfs, fsync and fdatasync succeed, syncfs of a bad descriptor
 *   is EBADF;
 * - a tmpfs mounted on a directory: empty, what was under it hidden,
 *   files made in it, getcwd and ".." across it, /proc/mounts lists it,
 *   rename and link out of it EXDEV, rmdir of it EBUSY; unmounted, the
 *   old contents are back and its files are gone;
 * - mount's and umount's errors.
 * Linux (as root) passes it too. Expected list:
 * tests/harness/expected/posix-mounts.txt.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include "posixtest.h"

#define TMPFS_MAGIC 0x01021994
#define PROC_MAGIC  0x9fa0
#define D "/tmp/mnt-test"

static int put(const char *path, const char *text)
{
	int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
	int ok = fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text);

	if (fd >= 0)
		close(fd);
	return ok;
}

static void statfs_calls(void)
{
	struct statfs a, b;
	int fd;

	CHECK(statfs("/proc", &a) == 0 && a.f_type == PROC_MAGIC);
	CHECK(statfs("/tmp", &a) == 0 && a.f_bsize > 0 && a.f_bfree <= a.f_blocks &&
	      a.f_bavail <= a.f_blocks && a.f_namelen >= 255);
	fd = open("/tmp", O_RDONLY | O_DIRECTORY);
	CHECK(fd >= 0 && fstatfs(fd, &b) == 0 && b.f_type == a.f_type && b.f_bsize == a.f_bsize);
	close(fd);
	CHECK(statfs("/", &a) == 0 && a.f_bsize > 0);
	errno = 0;
	CHECK(statfs("/no/such/place", &a) == -1 && errno == ENOENT);
	errno = 0;
	CHECK(fstatfs(-1, &a) == -1 && errno == EBADF);
}

static void sync_calls(void)
{
	int fd = open("/tmp/sync-test", O_CREAT | O_TRUNC | O_RDWR, 0644);

	CHECK(fd >= 0 && write(fd, "data", 4) == 4);
	sync();
	CHECK(syncfs(fd) == 0 && fsync(fd) == 0 && fdatasync(fd) == 0);
	close(fd);
	errno = 0;
	CHECK(syncfs(-1) == -1 && errno == EBADF);
	CHECK(unlink("/tmp/sync-test") == 0);
}

static void mount_tmpfs(void)
{
	struct statfs st;
	char cwd[256], buf[16];
	int fd;

	rmdir(D "/m");
	rmdir(D);
	CHECK(mkdir(D, 0755) == 0 && put(D "/under", "below"));
	CHECK(mount("none", D, "tmpfs", 0, NULL) == 0);
	CHECK(statfs(D, &st) == 0 && st.f_type == TMPFS_MAGIC);
	errno = 0;
	CHECK(access(D "/under", F_OK) == -1 && errno == ENOENT);
	CHECK(put(D "/f", "in the mount") && mkdir(D "/m", 0700) == 0);
	CHECK(mounts_has(" " D " tmpfs "));
	/* getcwd and ".." across the mount */
	CHECK(chdir(D "/m") == 0 && getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, D "/m"));
	CHECK(chdir("../..") == 0 && getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, "/tmp"));
	CHECK(access("mnt-test/../mnt-test/f", F_OK) == 0);
	CHECK(chdir("/") == 0);
	/* nothing moves out of it, and it stays while mounted */
	errno = 0;
	CHECK(rename(D "/f", "/tmp/f-out") == -1 && errno == EXDEV);
	errno = 0;
	CHECK(link(D "/f", "/tmp/f-out") == -1 && errno == EXDEV);
	CHECK(rename(D "/f", D "/g") == 0);
	errno = 0;
	CHECK(rmdir(D) == -1 && errno == EBUSY);
	/* busy while a file in it is open (or a working directory is in it);
	 * MNT_DETACH lets it go, and the open file stays readable */
	fd = open(D "/g", O_RDONLY);
	CHECK(fd >= 0);
	errno = 0;
	CHECK(umount(D) == -1 && errno == EBUSY);
	CHECK(umount2(D, MNT_DETACH) == 0);
	CHECK(read(fd, buf, 2) == 2 && !memcmp(buf, "in", 2));
	close(fd);
	/* again, with nothing open: a plain umount */
	CHECK(mount("none", D, "tmpfs", 0, NULL) == 0);
	CHECK(chdir(D) == 0);
	errno = 0;
	CHECK(umount(D) == -1 && errno == EBUSY);
	CHECK(chdir("/") == 0);
	CHECK(umount(D) == 0);
	CHECK(access(D "/under", F_OK) == 0 && access(D "/g", F_OK) == -1);
	CHECK(!mounts_has(" " D " "));
	errno = 0;
	CHECK(umount(D) == -1 && errno == EINVAL);
	CHECK(unlink(D "/under") == 0 && rmdir(D) == 0);
}

static void mount_errors(void)
{
	errno = 0;
	CHECK(mount("none", "/no/such/dir", "tmpfs", 0, NULL) == -1 && errno == ENOENT);
	CHECK(put("/tmp/mnt-file", "x"));
	errno = 0;
	CHECK(mount("none", "/tmp/mnt-file", "tmpfs", 0, NULL) == -1 && errno == ENOTDIR);
	unlink("/tmp/mnt-file");
	errno = 0;
	CHECK(mount("none", "/tmp", "no-such-fs", 0, NULL) == -1 && errno == ENODEV);
	errno = 0;
	CHECK(umount("/no/such/dir") == -1 && errno == ENOENT);
	CHECK(mkdir("/tmp/not-mounted", 0755) == 0 || errno == EEXIST);
	errno = 0;
	CHECK(umount("/tmp/not-mounted") == -1 && errno == EINVAL);
	rmdir("/tmp/not-mounted");
	CHECK(mounts_has(" / ") && mounts_has(" /proc proc "));
}

int main(void)
{
	pt_prefix = "mounts";
	run("statfs", statfs_calls);
	run("sync", sync_calls);
	run("tmpfs", mount_tmpfs);
	run("errors", mount_errors);
	return finish();
}
