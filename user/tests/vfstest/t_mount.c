/* SPDX-License-Identifier: MIT */
/*
 * The mount table (user/servers/vfs/mount.c; include/cairn/posix.h,
 * "mounts"): a thread of this program plays a disk's file server on an
 * endpoint of its own ("fakefs"), mounts it as "/" (FS_MOUNT
 * POSIX_MOUNT_ROOT), and checks what the VFS does: it covers /tmp and /proc
 * (FS_OPEN of the disk's directories, then FS_COVER through the admin
 * capability) but not /dev (the fake disk has none), its root sends every
 * path to the new root (POSIX_REMOTE_NEWROOT), ".." out of its /tmp goes
 * back to the disk's tmp, absolute links in it go to the caller's root,
 * /proc/mounts lists the table and FS_SYNC_ALL reaches the disk.
 * The VFS's root stays redirected: this runs after vfs.no_leaks.
 */
#include <cairn/fs_client.h>
#include "vfstest.h"

#define FAKE_ROOT   1u
#define FAKE_ADMIN  POSIX_FS_ADMIN
#define FAKE_TMP    100u
#define FAKE_PROC   101u

static cap_t fake_ep = CAP_NULL;
static volatile unsigned covers, syncs, opens;
static char cover_names[4][8];
static cap_t cover_caps[4];
static volatile bool fake_stop;
static struct cairn_ipcbuf *fake_ib;        /* the thread's own IPC buffer */

static cap_t mint(uint64_t badge)
{
	uint64_t r[3];

	if (cairn_cap_op(CAP_OP_MINT, fake_ep, CAP_NULL, RIGHT_WRITE | RIGHT_GRANT, badge, r))
		return CAP_NULL;
	return r[0];
}

static void fake_fs(uint64_t arg)
{
	struct cairn_msg m = cairn_recv(fake_ep, 0);
	struct cairn_ipcbuf *ib = fake_ib;      /* set before anything reaches it */

	(void)arg;
	for (;;) {
		uint32_t label = cairn_tag_label(m.tag);
		unsigned ncaps = cairn_tag_ncaps(m.tag), nout = 0;
		size_t len = m.w[2] < 64 ? (size_t)m.w[2] : 0;
		char name[64] = { 0 };
		err_t e = ERR_NOSYS;

		memcpy(name, &ib->w[CAIRN_MSG_REGS], len);
		if (label == FS_OPEN && m.badge == FAKE_ROOT) {
			opens++;
			e = ERR_NOENT;
			if (!strcmp(name, "tmp") || !strcmp(name, "proc")) {
				ib->caps[0] = mint(!strcmp(name, "tmp") ? FAKE_TMP : FAKE_PROC);
				nout = 1;
				e = ERR_OK;
			}
		} else if (label == FS_COVER && m.badge == FAKE_ADMIN && ncaps == 1 && covers < 4) {
			memcpy(cover_names[covers], name, len < 8 ? len + 1 : 2);
			cover_caps[covers++] = ib->caps[0];      /* kept */
			ncaps = 0;
			e = ERR_OK;
		} else if (label == FS_COVER) {
			e = ERR_PERM;
		} else if (label == FS_SYNCFS) {
			syncs++;
			e = ERR_OK;
		}
		for (unsigned i = 0; i < ncaps; i++)
			cairn_cap_delete(ib->caps[i]);
		if (fake_stop)
			break;
		{
			cap_t sent = nout ? ib->caps[0] : CAP_NULL;
			m = cairn_reply_recv(fake_ep, cairn_tag((uint32_t)e, CAIRN_MSG_REGS, nout), 0, 0, 0, 0);
			if (sent != CAP_NULL)
				cairn_cap_delete(sent);
		}
	}
	cairn_reply(cairn_tag(0, CAIRN_MSG_REGS, 0), 0, 0, 0, 0);
	cairn_thread_exit();
}

static uint64_t object_of(cap_t c, uint64_t *badge)
{
	uint64_t id[4];

	if (cairn_cap_identify(c, id))
		return 0;
	if (badge)
		*badge = id[2];
	return id[3];
}

static cap_t cover_of(const char *name)
{
	for (unsigned i = 0; i < covers; i++)
		if (!strcmp(cover_names[i], name))
			return cover_caps[i];
	return CAP_NULL;
}

void t_mount_root(void)
{
	uint64_t fake_id, badge;
	struct cairn_msg m;
	struct vres r;
	cap_t root, admin, tmp, proc, f;
	char text[512];
	size_t n;

	CHECK_OK(cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_ENDPOINT, 0, 0, 0, &m));
	fake_ep = m.w[0];
	fake_id = object_of(fake_ep, NULL);
	CHECK_OK(cairn_thread_start_ipcbuf(fake_fs, 0, 4, NULL, &fake_ib));
	root = mint(FAKE_ROOT);
	admin = mint(FAKE_ADMIN);

	/* the wrong ways: a badged capability, no capabilities, not the root */
	memcpy(vbytes(), "fakediskfakefs", 14);
	vbytes()[14] = 0;
	CHECK_ERR(vcall(v_root, FS_MOUNT, POSIX_MOUNT_ROOT, 0, 8, 6, vbytes(), 14, CAP_NULL).err, ERR_PERM);
	CHECK_ERR(vcall(v_ep, FS_MOUNT, POSIX_MOUNT_ROOT, 0, 8, 6, vbytes(), 14, CAP_NULL).err, ERR_INVAL);
	CHECK_ERR(vcall(v_ep, FS_MOUNT, POSIX_MOUNT_ROOT, 0, 8, 60, vbytes(), 14, CAP_NULL).err, ERR_INVAL);
	CHECK_ERR(vcall(v_ep, FS_MOUNT, 0, 0, 8, 6, vbytes(), 14, root).err, ERR_NODEV);

	/* the root: cap0 its root directory, cap1 its admin capability */
	{
		struct cairn_ipcbuf *ib = cairn_ipcbuf();
		memcpy(vbytes(), "fakediskfakefs", 14);
		ib->caps[0] = root;
		ib->caps[1] = admin;
		m = cairn_call(v_ep, cairn_tag(FS_MOUNT, posix_words(14), 2), POSIX_MOUNT_ROOT, 0, 8, 6);
		CHECK_OK(m.err ? (err_t)m.err : (err_t)cairn_tag_label(m.tag));
	}
	/* the VFS covers after answering: wait for it */
	for (unsigned i = 0; i < 200 && covers < 2; i++)
		sleep_ms(5);
	CHECK(covers == 2 && opens == 3, "covers %u, opens %u", covers, opens);
	CHECK((tmp = cover_of("tmp")) != CAP_NULL && (proc = cover_of("proc")) != CAP_NULL &&
	      cover_of("dev") == CAP_NULL, "covered: %s %s", cover_names[0], cover_names[1]);
	CHECK_ERR(vcall(v_ep, FS_MOUNT, POSIX_MOUNT_ROOT, 0, 8, 6, vbytes(), 14, CAP_NULL).err, ERR_BUSY);

	/* the VFS root: every path request goes to the new root */
	r = vcall(v_root, FS_STAT, 0, 0, 3, 0, "etc", 3, CAP_NULL);
	CHECK(r.err == ERR_REMOTE && r.w[0] == POSIX_REMOTE_NEWROOT && r.ncaps == 1,
	      "stat /etc: %d %#lx %u", r.err, (unsigned long)r.w[0], r.ncaps);
	CHECK(object_of(r.caps[0], &badge) == fake_id && badge == FAKE_ROOT, "badge %lu", (unsigned long)badge);
	del(&r.caps[0]);
	r = vcall(v_root, FS_STATFS, 0, 0, 0, 0, NULL, 0, CAP_NULL);
	CHECK(r.err == ERR_REMOTE && r.w[0] == POSIX_REMOTE_NEWROOT && r.ncaps == 1, "statfs: %d", r.err);
	del(&r.caps[0]);
	/* pipes stay the VFS's */
	r = vcall(v_root, FS_PIPE, 0, 0, 0, 0, NULL, 0, CAP_NULL);
	CHECK(r.err == ERR_OK && r.ncaps == 2, "pipe: %d", r.err);
	for (unsigned i = 0; i < r.ncaps; i++)
		io_close(&r.caps[i]);

	/* the VFS's /tmp, through the capability the disk's server was given */
	CHECK_OK(fs_open(tmp, "x", LINUX_O_CREAT | LINUX_O_RDWR, 0600, &f));
	io_close(&f);
	CHECK_OK(fs_getpath(tmp, text, sizeof(text)));
	CHECK(!strcmp(text, "/tmp"), "getpath %s", text);
	r = vcall(tmp, FS_STAT, 0, 0, 6, 0, "../etc", 6, CAP_NULL);
	CHECK(r.err == ERR_REMOTE && r.w[0] == 0 && r.w[1] == 6 && r.ncaps == 1 &&
	      !memcmp(vbytes(), "../etc", 6), "..: %d", r.err);
	CHECK(object_of(r.caps[0], &badge) == fake_id && badge == FAKE_TMP, "badge %lu", (unsigned long)badge);
	del(&r.caps[0]);
	CHECK_OK(fs_symlink(tmp, "/etc/passwd", "abs"));
	r = vcall(tmp, FS_STAT, 0, 0, 5, 0, "abs/y", 5, CAP_NULL);
	CHECK(r.err == ERR_REMOTE && r.w[0] == POSIX_REMOTE_ROOT && r.ncaps == 0 && r.w[1] == 13 &&
	      !memcmp(vbytes(), "/etc/passwd/y", 13), "abs: %d", r.err);
	CHECK_OK(fs_unlink(tmp, "abs", 0));
	/* a second directory of another server: another file system */
	CHECK_OK(fs_open(tmp, "x", LINUX_O_CREAT | LINUX_O_RDWR, 0600, &f));
	io_close(&f);
	r = vcall(tmp, FS_RENAME, 0, 0, 1, 1, "xy", 2, root);
	CHECK(r.err == ERR_XDEV, "rename to another server's directory: %d", r.err);
	r = vcall(tmp, FS_LINK, 0, 0, 1, 1, "xy", 2, root);
	CHECK(r.err == ERR_XDEV, "link into another server's directory: %d", r.err);
	CHECK_OK(fs_unlink(tmp, "x", 0));

	/* /proc/mounts */
	CHECK_OK(fs_open(proc, "mounts", LINUX_O_RDONLY, 0, &f));
	CHECK_OK(io_read(f, text, sizeof(text) - 1, &n));
	text[n] = 0;
	io_close(&f);
	CHECK(!strcmp(text, "fakedisk / fakefs rw 0 0\nproc /proc proc ro 0 0\ntmpfs /tmp tmpfs rw 0 0\n"),
	      "mounts: %s", text);

	/* sync reaches the disk */
	CHECK_OK(vcall(v_root, FS_SYNC_ALL, 0, 0, 0, 0, NULL, 0, CAP_NULL).err);
	CHECK(syncs == 1, "syncs %u", syncs);
	CHECK_OK(vcall(v_ep, FS_UMOUNT, 0, 0, 1, 0, "/", 1, CAP_NULL).err);
	CHECK(syncs == 2, "syncs %u", syncs);
	CHECK_ERR(vcall(v_ep, FS_UMOUNT, 0, 0, 4, 0, "/tmp", 4, CAP_NULL).err, ERR_BUSY);
	CHECK_ERR(vcall(v_ep, FS_UMOUNT, 0, 0, 4, 0, "/etc", 4, CAP_NULL).err, ERR_INVAL);
}

/* A tmpfs mounted on one of the VFS's directories (FS_MOUNT "tmpfs" with the
 * mount point as cap0), used, and unmounted; vfs.no_leaks then checks that
 * nothing of it is left. */
static bool has(const char *text, const char *needle)
{
	size_t n = strlen(needle);

	for (; *text; text++)
		if (!strncmp(text, needle, n))
			return true;
	return false;
}

void t_mount_tmpfs(void)
{
	cap_t mp, f, root = v_root, up, mroot;
	struct posix_stat st;
	struct vres r;
	uint64_t badge, mp_badge, id;
	char text[512];
	size_t n;

	CHECK_OK(fs_mkdir(v_root, "/tmp/mt", 0755));
	CHECK_OK(fs_mkdir(v_root, "/tmp/mt/m", 0755));
	CHECK_OK(put_file("/tmp/mt/m/under", "hidden", 6));
	CHECK_OK(fs_open(v_root, "/tmp/mt/m", LINUX_O_PATH | LINUX_O_DIRECTORY, 0, &mp));
	id = object_of(mp, &mp_badge);
	/* mount and umount are root's: a process's capability with no
	 * credential token is nobody's (the unbadged endpoint, v_ep, is a
	 * service's: the calls below) */
	CHECK_ERR(vcall(v_root, FS_MOUNT, 0, 0, 4, 5, "nonetmpfs", 9, mp).err, ERR_PERM);
	CHECK_ERR(vcall(v_root, FS_UMOUNT, 0, 0, 4, 0, "/tmp", 4, CAP_NULL).err, ERR_PERM);
	/* no mount point, no server for the type, bad flags */
	CHECK_ERR(vcall(v_ep, FS_MOUNT, 0, 0, 4, 5, "nonetmpfs", 9, CAP_NULL).err, ERR_INVAL);
	CHECK_ERR(vcall(v_ep, FS_MOUNT, 0, 0, 4, 4, "noneext2", 8, mp).err, ERR_NODEV);
	CHECK_ERR(vcall(v_ep, FS_MOUNT, 0x20, 0, 4, 5, "nonetmpfs", 9, mp).err, ERR_INVAL);
	/* mounted: the mount point's reference is the VFS's now */
	CHECK_OK(vcall(v_ep, FS_MOUNT, 0, 0, 4, 5, "nonetmpfs", 9, mp).err);
	del(&mp);
	CHECK_ERR(vcall(v_ep, FS_MOUNT, 0, 0, 4, 5, "nonetmpfs", 9, CAP_NULL).err, ERR_INVAL);

	/* the path now leads into the new tree: empty, what was under is hidden */
	r = vcall(v_root, FS_STAT, 0, 0, 11, 0, "/tmp/mt/m/x", 11, CAP_NULL);
	CHECK(r.err == ERR_REMOTE && r.w[0] == 0 && r.ncaps == 1 && r.w[1] == 1 && vbytes()[0] == 'x',
	      "stat: %d", r.err);
	mroot = r.caps[0];
	CHECK(object_of(mroot, &badge) == id && badge != mp_badge, "the new root is the VFS's");
	CHECK_ERR(fs_stat(mroot, "under", 0, &st), ERR_NOENT);
	CHECK_OK(cairn_fs_open(&root, CAP_NULL, "/tmp/mt/m/f", 11, LINUX_O_CREAT | LINUX_O_RDWR, 0600, &f, NULL));
	io_close(&f);
	CHECK_OK(fs_stat(mroot, "f", 0, &st));
	CHECK_OK(fs_getpath(mroot, text, sizeof(text)));
	CHECK(!strcmp(text, "/tmp/mt/m"), "getpath %s", text);
	/* ".." out of it: the mount point */
	r = vcall(mroot, FS_STAT, 0, 0, 8, 0, "../under", 8, CAP_NULL);
	CHECK(r.err == ERR_REMOTE && r.ncaps == 1 && r.w[1] == 8, "..: %d", r.err);
	up = r.caps[0];
	CHECK(object_of(up, &badge) == id && badge == mp_badge, "up is the mount point");
	CHECK_OK(fs_stat(up, "under", 0, &st));      /* a starting directory is never redirected */
	del(&up);
	/* the mount point cannot go or be mounted on again; nothing moves across */
	CHECK_ERR(fs_unlink(v_root, "/tmp/mt/m", LINUX_AT_REMOVEDIR), ERR_BUSY);
	CHECK_ERR(fs_rename(v_root, "/tmp/mt/m", CAP_NULL, "/tmp/mt/n", 0), ERR_BUSY);
	r = vcall(v_root, FS_RENAME, 0, 0, 11, 9, "/tmp/mt/m/f/tmp/mt/g", 20, CAP_NULL);
	CHECK(r.err == ERR_REMOTE && r.w[0] == POSIX_REMOTE_SPLIT && r.ncaps == 0, "rename: %d", r.err);
	{
		cap_t d;
		CHECK_OK(fs_open(v_root, "/tmp/mt", LINUX_O_PATH | LINUX_O_DIRECTORY, 0, &d));
		CHECK_ERR(fs_rename(mroot, "f", d, "g", 0), ERR_XDEV);
		CHECK_ERR(fs_link(mroot, "f", d, "g", 0), ERR_XDEV);
		io_close(&d);
	}
	/* /proc/mounts */
	CHECK_OK(get_file("/proc/mounts", text, sizeof(text) - 1, &n));
	text[n] = 0;
	CHECK(has(text, "none /tmp/mt/m tmpfs rw 0 0\n"), "mounts: %s", text);
	/* unmounted: the old directory again; a mount that is not there, one that stays */
	CHECK_ERR(vcall(v_ep, FS_UMOUNT, 0, 0, 7, 0, "/tmp/mt", 7, CAP_NULL).err, ERR_INVAL);
	CHECK_ERR(vcall(v_ep, FS_UMOUNT, 0, 0, 5, 0, "/proc", 5, CAP_NULL).err, ERR_BUSY);
	CHECK_OK(vcall(v_ep, FS_UMOUNT, 0, 0, 9, 0, "/tmp/mt/m", 9, CAP_NULL).err);
	CHECK_ERR(vcall(v_ep, FS_UMOUNT, 0, 0, 9, 0, "/tmp/mt/m", 9, CAP_NULL).err, ERR_INVAL);
	CHECK_OK(fs_stat(v_root, "/tmp/mt/m/under", 0, &st));
	CHECK_ERR(fs_stat(mroot, "f", 0, &st), ERR_BADF);
	del(&mroot);
	CHECK_OK(get_file("/proc/mounts", text, sizeof(text) - 1, &n));
	text[n] = 0;
	CHECK(!has(text, "/tmp/mt"), "mounts: %s", text);
	CHECK_OK(fs_unlink(v_root, "/tmp/mt/m/under", 0));
	CHECK_OK(fs_unlink(v_root, "/tmp/mt/m", LINUX_AT_REMOVEDIR));
	CHECK_OK(fs_unlink(v_root, "/tmp/mt", LINUX_AT_REMOVEDIR));
}
