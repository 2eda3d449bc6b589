// SPDX-License-Identifier: MIT
/*
 * mount(2) of a disk (docs/vfs.md, Mounts; docs/ext2.md): the VFS starts
 * an ext2 server for the device through init's launcher. Run with three
 * disks (tests/run-all.sh, diskmount): blk0 the ext2 disk the manifest
 * mounts at /mnt, blk1 an ext2 image made by the host's mke2fs -d with
 * /hello.txt, blk2 an image that is not a file system. Checks:
 * - mount of /dev/blk1 on a directory: the host's file read, a file
 *   written and a directory made, /proc/mounts and statfs list it;
 * - EBUSY: the device mounted twice, a mount point mounted over, umount
 *   while a file is open in it or a working directory is in it;
 * - umount: the tree is gone; mounted again (the bare name "blk1"), the
 *   file written is there;
 * - MS_RDONLY: read, and every change EROFS;
 * - errors: a device that does not exist ENOENT, a source that names no
 *   device ENOTBLK, a type no server reads ENODEV, a mount point that is
 *   not a directory ENOTDIR, a disk that is not ext2 EINVAL (its server
 *   ends), and the other disks still work after it.
 * The host then checks both images with e2fsck -fn and reads the written
 * file with debugfs (tests/run-all.sh). Expected list:
 * tests/harness/expected/posix-diskmount.txt.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include "posixtest.h"

#define EXT2_MAGIC 0xef53
#define MP "/tmp/disk2"
#define HELLO "hello from the host's mke2fs\n"
#define WRITTEN "written by Cairn through a mount(2)\n"

static int has(const char *path, const char *text)
{
	char buf[256];
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return 0;
	buf[n] = 0;
	return !strcmp(buf, text);
}

static int put(const char *path, const char *text)
{
	int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
	int ok = fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text);

	if (fd >= 0 && close(fd))
		ok = 0;
	return ok;
}

static void mount_read_write(void)
{
	struct statfs st;
	struct stat ds;

	CHECK(mkdir(MP, 0755) == 0 || errno == EEXIST);
	/* the VFS names the disks: block devices, Linux's sd numbers */
	CHECK(stat("/dev/blk1", &ds) == 0 && S_ISBLK(ds.st_mode) && ds.st_rdev == 0x810);
	ERRNO(open("/dev/blk1", O_RDONLY), ENXIO);
	CHECK(mount("/dev/blk1", MP, "ext2", 0, NULL) == 0);
	CHECK(has(MP "/hello.txt", HELLO));
	CHECK(mounts_has("/dev/blk1 " MP " ext2 rw"));
	CHECK(statfs(MP, &st) == 0 && st.f_type == EXT2_MAGIC && st.f_blocks > 0);
	CHECK(stat(MP "/hello.txt", &ds) == 0 && ds.st_dev == 0x810);        /* the disk's */
	CHECK(put(MP "/written.txt", WRITTEN));
	CHECK(mkdir(MP "/dir", 0755) == 0);
	CHECK(has(MP "/written.txt", WRITTEN));
}

static void busy(void)
{
	int fd;

	CHECK(mkdir("/tmp/disk2b", 0755) == 0 || errno == EEXIST);
	ERRNO(mount("/dev/blk1", "/tmp/disk2b", "ext2", 0, NULL), EBUSY);     /* mounted already */
	ERRNO(mount("/dev/blk0", "/tmp/disk2b", "ext2", 0, NULL), EBUSY);     /* the manifest's */
	ERRNO(mount("tmpfs", MP, "tmpfs", 0, NULL), EBUSY);                  /* a mount point */
	fd = open(MP "/written.txt", O_RDONLY);
	CHECK(fd >= 0);
	ERRNO(umount(MP), EBUSY);                                            /* a file open */
	close(fd);
	CHECK(chdir(MP "/dir") == 0);
	ERRNO(umount(MP), EBUSY);                                            /* a cwd in it */
	CHECK(chdir("/") == 0);
	CHECK(mounts_has("/dev/blk1 " MP " ext2 rw"));
}

static void unmount_remount(void)
{
	struct stat st;

	CHECK(umount(MP) == 0);
	ERRNO(stat(MP "/hello.txt", &st), ENOENT);
	CHECK(!mounts_has("/dev/blk1"));
	CHECK(mount("blk1", MP, "ext2", 0, NULL) == 0);                      /* the bare name */
	CHECK(has(MP "/written.txt", WRITTEN));
	CHECK(stat(MP "/dir", &st) == 0 && S_ISDIR(st.st_mode));
	CHECK(umount(MP) == 0);
	ERRNO(umount(MP), EINVAL);                                           /* not a mount */
}

static void read_only(void)
{
	struct statfs st;

	CHECK(mount("/dev/blk1", MP, "ext2", MS_RDONLY, NULL) == 0);
	CHECK(mounts_has("/dev/blk1 " MP " ext2 ro"));
	CHECK(has(MP "/hello.txt", HELLO));
	ERRNO(open(MP "/new.txt", O_CREAT | O_WRONLY, 0644), EROFS);
	ERRNO(open(MP "/written.txt", O_WRONLY), EROFS);
	ERRNO(mkdir(MP "/d2", 0755), EROFS);
	ERRNO(unlink(MP "/hello.txt"), EROFS);
	CHECK(statfs(MP, &st) == 0 && (st.f_flags & ST_RDONLY));
	CHECK(umount(MP) == 0);
}

static void errors(void)
{
	CHECK(put("/tmp/afile", "x"));
	ERRNO(mount("/dev/blk9", MP, "ext2", 0, NULL), ENOENT);              /* no such disk */
	ERRNO(mount("/tmp/afile", MP, "ext2", 0, NULL), ENOTBLK);            /* names no device */
	ERRNO(mount("/dev/blk1", MP, "xfs", 0, NULL), ENODEV);               /* no server reads it */
	ERRNO(mount("/dev/blk1", "/tmp/afile", "ext2", 0, NULL), ENOTDIR);
	ERRNO(mount("/dev/blk1", "/no/such/dir", "ext2", 0, NULL), ENOENT);
	CHECK(!mounts_has("/dev/blk1") && !mounts_has("blk9"));
}

static void not_ext2(void)
{
	ERRNO(mount("/dev/blk2", MP, "ext2", 0, NULL), EINVAL);              /* its server ends */
	CHECK(!mounts_has("/dev/blk2"));
	ERRNO(mount("/dev/blk2", MP, "ext2", MS_RDONLY, NULL), EINVAL);
	/* the others still serve */
	CHECK(put("/mnt/after-corrupt.txt", "root disk\n") && has("/mnt/after-corrupt.txt", "root disk\n"));
	CHECK(mount("/dev/blk1", MP, "ext2", 0, NULL) == 0);
	CHECK(has(MP "/hello.txt", HELLO));
	CHECK(put(MP "/last.txt", "the last mount\n"));
	CHECK(umount(MP) == 0);
}

int main(void)
{
	pt_prefix = "diskmount";
	run("mount_read_write", mount_read_write);
	run("busy", busy);
	run("unmount_remount", unmount_remount);
	run("read_only", read_only);
	run("errors", errors);
	run("not_ext2", not_ext2);
	return finish();
}
