/* SPDX-License-Identifier: MIT */
/*
 * ext2: the disk file system server. It serves the I/O and file-system
 * protocols of include/cairn/posix.h, as the VFS's tmpfs does
 * (docs/vfs.md), over an ext2 (or ext3/ext4: what libext2fs handles)
 * file system on a block device (include/cairn/blk.h), through
 * libext2fs from Debian's e2fsprogs: the on-disk format is the
 * library's. docs/ext2.md says what it serves and how it is started:
 *
 *     service ext2 bin/ext2 --dev blk0 [--ro] [--cache PAGES]
 *         cap ext2 endpoint:ext2 rwg      # served (minted from)
 *         cap devmgr endpoint:devmgr w    # finds --dev there (or: cap blk = its svc)
 *         cap vfs endpoint:vfs wg         # optional: FS_MOUNT of "/" in the mount table
 *         cap caller ...                  # or, started by the VFS through init's launcher
 *                                         # (a mount(2) of the disk): FS_MOUNT there
 *         cap console console w
 *         cap kinfo kinfo r               # time stamps
 *
 * Design note.
 * - It is a program of the Cairn C toolchain (musl-port), since
 *   libext2fs wants a C library, started by init like the other servers
 *   (no process server: descriptors 0-2 are the console). It runs
 *   libcairn's server skeleton (user/lib/server.c), built with it.
 * - Objects and badges are the VFS's (docs/vfs.md): the root directory
 *   is badge POSIX_VFS_ROOT, the admin capability badge POSIX_FS_ADMIN
 *   (also the root directory; FS_COVER, FS_UNCOVER, FS_MOUNTED only
 *   through it or the unbadged endpoint), every open file description an
 *   entry of the object table with index, generation and random bits.
 * - One thread serves; libext2fs is called only from it. A second thread
 *   (the skeleton's relay) turns dead clients into IO_CLOSEs
 *   (CAP_OP_WATCH); a third makes the FS_MOUNT call to the VFS once this
 *   one serves, so that the VFS may call back (FS_MOUNTED) meanwhile.
 * - Started for a mount(2) (the manifest's ext2x template, an instance
 *   per disk through init's launcher, include/cairn/launch.h), it holds
 *   the VFS's callback capability as "caller" and answers there:
 *   FS_MOUNT with its root and admin capabilities, or POSIX_MOUNT_NONE
 *   and the errno, and ends (a disk that is not ext2 or is corrupt
 *   costs nothing once refused). umount sends FS_STOP: it writes
 *   everything back and ends.
 * - Writes stay in the block cache (bcache.c) until FS_SYNCFS, IO_SYNC,
 *   a cache eviction, the periodic write-back, or the end: then dirty
 *   pages go to the device and the device is flushed (BLK_OP_FLUSH).
 * - The periodic write-back (--writeback SECONDS, default 5; 0: none): a
 *   thread signals the relay every SECONDS, and the serving thread then
 *   writes the clients' file pages and, if anything changed, everything
 *   else (as FS_SYNCFS): what was written more than SECONDS ago is on
 *   the disk, as Linux's flusher does (it every 5 s, for what is 30 s
 *   old), so a crash or a kill loses at most the last few seconds.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <errno.h>
#include "ext2.h"

#define GONE_BIT  1ull
#define WB_BIT    2ull                    /* the periodic write-back's tick */
#define HBLOCK    256u

struct xfs xfs;
cap_t ep = CAP_NULL;
uint64_t ep_id;
uint8_t req_bytes[INLINE_MAX];
uint32_t hcount;

static struct handle *hblock[HANDLE_MAX / HBLOCK];
static uint32_t hnext = POSIX_FS_ADMIN + 1, hfree;
static uint64_t rng_state;
static char devname[32] = "blk0";
static char source[48];

/* ---- the object table (as the VFS's objects.c) ------------------------------------------ */

static uint64_t rng_next(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static struct handle *handle_at(uint32_t i) { return &hblock[i / HBLOCK][i % HBLOCK]; }

/* The entry badge names, whatever it is, or NULL. */
static struct handle *entry_find(uint64_t badge)
{
	uint32_t i = BADGE_INDEX(badge);
	struct handle *h;

	if (!badge)
		return handle_at(POSIX_FS_ADMIN);
	if (i >= hnext)
		return NULL;
	h = handle_at(i);
	return h->used && h->badge == badge ? h : NULL;
}

/* What a client's badge names: a reference's description, the root or the
 * admin root; never a description by its own badge. */
struct handle *handle_find(uint64_t badge)
{
	struct handle *h = entry_find(badge);

	if (h && h->ref)
		return h->desc->used && h->desc->badge == h->desc_badge ? h->desc : NULL;
	return h && is_fixed(h) ? h : NULL;
}

/* A free entry with a fresh badge, zeroed but for it. */
static err_t entry_new(struct handle **out)
{
	struct handle *h;
	uint32_t i, gen;

	if (hfree) {
		i = hfree;
		hfree = handle_at(i)->next_free;
	} else {
		if (hnext == HANDLE_MAX)
			return ERR_MFILE;
		if (!hblock[hnext / HBLOCK] && !(hblock[hnext / HBLOCK] = calloc(HBLOCK, sizeof(struct handle))))
			return ERR_NOMEM;
		i = hnext++;
	}
	h = handle_at(i);
	gen = h->gen;
	memset(h, 0, sizeof(*h));
	h->gen = gen;
	h->used = true;
	h->refs = 1;
	h->badge = i | (uint64_t)(gen & 0xffu) << 24 | (rng_next() & 0xffffffff00000000ull);
	*out = h;
	return 0;
}

static void entry_put(struct handle *h)
{
	uint32_t i = BADGE_INDEX(h->badge);

	h->used = false;
	h->badge = 0;
	h->gen++;
	h->next_free = hfree;
	hfree = i;
}

err_t handle_new(ext2_ino_t ino, uint32_t type, uint32_t flags, struct handle **out)
{
	struct handle *h;
	err_t e;

	if ((e = entry_new(&h)))
		return e;
	h->flags = flags;
	h->ino = ino;
	h->type = type & LINUX_S_IFMT;
	xfs_hold(&xfs, ino);
	hcount++;
	*out = h;
	return 0;
}

void handle_free(struct handle *h)
{
	unsigned acc = h->flags & LINUX_O_ACCMODE;

	if (h->ref) {
		ref_close(h);
		return;
	}
	pages_closing(h, !(h->flags & LINUX_O_PATH) && (acc == LINUX_O_WRONLY || acc == LINUX_O_RDWR));
	lock_desc_freed(h);
	xfs_release(&xfs, h->ino);
	entry_put(h);
	hcount--;
}

void handle_release(struct handle *h)
{
	if (is_fixed(h))
		return;
	if (!--h->refs)
		handle_free(h);
}

/* A reference of h as the answer's next capability (more: one more
 * reference, IO_DUP; else the one a new description starts with). The
 * fixed roots have none: their badge is minted again. */
static err_t ref_mint(struct srv_ans *a, struct handle *h, bool more)
{
	struct handle *ref = NULL;
	uint64_t r[3], badge = h->badge;
	err_t e;

	if (!is_fixed(h)) {
		if (more && h->refs == UINT32_MAX - 1)
			return ERR_MFILE;
		if ((e = entry_new(&ref)))
			return e;
		badge = ref->badge;
	}
	if ((e = cairn_cap_op(CAP_OP_MINT, ep, CAP_NULL, RIGHT_WRITE | RIGHT_GRANT, badge, r))) {
		if (ref)
			entry_put(ref);
		return e;
	}
	if (ref) {
		ref->ref = true;
		ref->desc = h;
		ref->desc_badge = h->badge;
		if (more)
			h->refs++;
	}
	a->caps[a->ncaps] = r[0];
	a->made[a->ncaps] = ref ? BADGE_INDEX(ref->badge) : NO_ENTRY;
	a->ncaps++;
	return 0;
}

/* A new description h to the caller, as its first reference; on failure
 * h is freed. */
err_t give(struct srv_ans *a, struct handle *h)
{
	err_t e = ref_mint(a, h, false);

	if (e)
		handle_free(h);
	return e;
}

/* IO_DUP: one more reference of h, the answer's capability. */
err_t ref_give(struct srv_ans *a, struct handle *h)
{
	return ref_mint(a, h, true);
}

/* The reference goes, and with it one of its description's (unless that
 * is gone already). */
void ref_close(struct handle *ref)
{
	struct handle *d = ref->desc;
	bool live = d->used && d->badge == ref->desc_badge;

	entry_put(ref);
	if (live)
		handle_release(d);
}

static err_t objects_init(void)
{
	if (!(hblock[0] = calloc(HBLOCK, sizeof(struct handle))))
		return ERR_NOMEM;
	for (uint32_t i = POSIX_VFS_ROOT; i <= POSIX_FS_ADMIN; i++) {
		struct handle *h = handle_at(i);
		h->used = true;
		h->badge = i;
		h->refs = UINT32_MAX;
		h->flags = LINUX_O_RDONLY | LINUX_O_DIRECTORY;
		h->ino = EXT2_ROOT_INO;
		h->type = LINUX_S_IFDIR;
	}
	return 0;
}

/* ---- the skeleton's hooks ------------------------------------------------------------------ */

static const struct srv_op ops[] = {
	{ IO_READ, IO_LOCK, serve_io },
	{ CAIRN_PAGER_LABEL, CAIRN_PAGER_LABEL, pages_request },
	{ FS_OPEN, FS_MKNOD, serve_fs },
	{ FS_CHOWN, FS_CHOWN, serve_fs },
};

struct handle *req_ref;

static err_t object(struct srv_req *r)
{
	if (r->label == CAIRN_PAGER_LABEL)     /* a page request: its badge is a file's key */
		return ERR_OK;
	if (!(r->obj = handle_find(r->badge)))
		return ERR_BADF;
	req_ref = entry_find(r->badge);
	if (!req_ref->ref)
		req_ref = NULL;
	return ERR_OK;
}

/* A badge went with its dead holder: that reference goes. */
static void gone(uint64_t badge)
{
	struct handle *ref = entry_find(badge), *h = handle_find(badge);

	if (ref && badge && ref->ref) {
		if (h)
			lock_gone(h);           /* a dead process's locks */
		ref_close(ref);
	}
}

static void answered(struct srv_ans *a, err_t sent)
{
	for (unsigned i = 0; i < a->ncaps; i++) {
		cairn_cap_delete(a->caps[i]);
		if (sent && a->made[i] != NO_ENTRY) {
			struct handle *h = handle_at((uint32_t)a->made[i]);
			if (h->used)
				handle_free(h);
		}
	}
}

static struct srv srv;
static bool closed;                       /* FS_STOP closed the file system */
static err_t close_err;

/* FS_STOP: everything written back and the file system closed before the
 * answer (umount's caller finds the disk clean once answered), then the
 * loop ends. */
err_t server_stop(void)
{
	err_t e = pages_sync_all();

	close_err = xfs_unmount(&xfs);
	closed = true;
	srv_stop(&srv);
	return e ? e : close_err;
}

static void event(uint64_t bits);

static struct srv srv = {
	.name = "ext2",
	.event = event,
	.ops = ops,
	.nops = sizeof(ops) / sizeof(ops[0]),
	.in_buf = req_bytes,
	.in_max = INLINE_MAX,
	.object = object,
	.answered = answered,
	.gone = gone,
};

static cap_t relay_note = CAP_NULL;

static void watch_clients(void)
{
	struct cairn_msg m;
	err_t e;

	if ((e = cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_NOTIFICATION, 0, 0, 0, &m)) ||
	    (e = srv_relay(&srv, m.w[0], 8)) || (e = srv_watch(&srv, GONE_BIT))) {
		fprintf(stderr, "ext2: cannot watch for dead clients (%s): their references stay\n", err_name(e));
		return;
	}
	relay_note = m.w[0];
}

/* ---- the periodic write-back ------------------------------------------------------------------ */

static unsigned long wb_secs = 5;

static void *writeback_thread(void *arg)
{
	struct timespec ts = { .tv_sec = (time_t)wb_secs };

	(void)arg;
	for (;;) {
		while (nanosleep(&ts, &ts))
			;
		ts.tv_sec = (time_t)wb_secs;
		cairn_invoke(relay_note, NOTIFY_SIGNAL, 0, WB_BIT, 0, 0, 0, NULL);
	}
	return NULL;
}

static void writeback_start(void)
{
	pthread_t th;

	if (!wb_secs || xfs.ro || relay_note == CAP_NULL)
		return;
	if (pthread_create(&th, NULL, writeback_thread, NULL)) {
		fprintf(stderr, "ext2: cannot start the write-back thread: writes wait for a sync\n");
		return;
	}
	pthread_detach(th);
}

/* The relay's bits beyond the dead clients' (on the serving thread). */
static void event(uint64_t bits)
{
	struct bcache_stats st;
	err_t e;

	if (!(bits & WB_BIT) || closed || !xfs.fs)
		return;
	e = pages_sync_all();
	bcache_get_stats(&st);
	if (st.dirty || (xfs.fs->flags & EXT2_FLAG_DIRTY) || xfs.ndtimes) {
		err_t s = xfs_sync(&xfs);
		if (s)
			e = s;
	}
	if (e)
		fprintf(stderr, "ext2: periodic write-back: %s (the pages stay dirty)\n", err_name(e));
}

/* ---- the mount table ------------------------------------------------------------------------ */

/* FS_MOUNT of "/" on the VFS (include/cairn/posix.h): (flags, 0, source
 * length, fstype length) + source + "ext2", cap1 the root directory, cap2
 * the admin capability. From its own thread: the VFS may call us back. */
static const char *mount_at;              /* --mount PATH: there, not "/" */

static bool by_caller;                    /* vfs is the VFS's callback ("caller") */

static void *mount_thread(void *arg)
{
	cap_t vfs = (cap_t)(uintptr_t)arg;
	struct cairn_ipcbuf *ib = cairn_ipcbuf();
	size_t sl = strlen(source);
	uint64_t r[3];
	cap_t root, adm;
	struct cairn_msg m;
	err_t e;

	if ((e = cairn_cap_op(CAP_OP_MINT, ep, CAP_NULL, RIGHT_WRITE | RIGHT_GRANT, POSIX_VFS_ROOT, r)))
		goto fail;
	root = r[0];
	if ((e = cairn_cap_op(CAP_OP_MINT, ep, CAP_NULL, RIGHT_WRITE | RIGHT_GRANT, POSIX_FS_ADMIN, r))) {
		cairn_cap_delete(root);
		goto fail;
	}
	adm = r[0];
	memcpy(&ib->w[CAIRN_MSG_REGS], source, sl);
	memcpy((char *)&ib->w[CAIRN_MSG_REGS] + sl, "ext2", 4);
	ib->caps[0] = root;
	ib->caps[1] = adm;
	if (by_caller) {
		/* a mount(2): the VFS holds the mount point */
		m = cairn_call(vfs, cairn_tag(FS_MOUNT, posix_words(sl + 4), 2), xfs.ro ? 1 : 0, 0, sl, 4);
	} else if (mount_at) {
		/* the VFS's own directory at that path (POSIX_MOUNT_AT) */
		size_t pl = strlen(mount_at);
		memcpy((char *)&ib->w[CAIRN_MSG_REGS] + sl + 4, mount_at, pl);
		m = cairn_call(vfs, cairn_tag(FS_MOUNT, posix_words(sl + 4 + pl), 2),
			       POSIX_MOUNT_AT | (xfs.ro ? 1 : 0), pl, sl, 4);
	} else {
		m = cairn_call(vfs, cairn_tag(FS_MOUNT, posix_words(sl + 4), 2),
			       POSIX_MOUNT_ROOT | (xfs.ro ? 1 : 0), 0, sl, 4);
	}
	cairn_cap_delete(root);
	cairn_cap_delete(adm);
	e = m.err ? (err_t)m.err : (err_t)cairn_tag_label(m.tag);
	if (e == ERR_NOSYS)
		fprintf(stderr, "ext2: the VFS has no mount table yet (FS_MOUNT: ENOSYS): serving without it\n");
	else if (e)
		goto fail;
	else if (by_caller)
		fprintf(stderr, "ext2: %s mounted\n", source);
	else
		fprintf(stderr, "ext2: %s mounted on %s\n", source, mount_at ? mount_at : "/");
	return NULL;
fail:
	fprintf(stderr, "ext2: FS_MOUNT of %s: %s\n", source, err_name(e));
	return NULL;
}

/* ---- start-up -------------------------------------------------------------------------------- */

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts))
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Nothing to serve: the VFS stops waiting for this disk, or fails the
 * mount(2) that started us with errno (POSIX_MOUNT_NONE). */
static void give_up(int errno_)
{
	cap_t vfs = cairn_cap("caller");

	if (vfs == CAP_NULL)
		vfs = cairn_cap("vfs");
	if (vfs != CAP_NULL)
		cairn_call(vfs, cairn_tag(FS_MOUNT, CAIRN_MSG_REGS, 0), POSIX_MOUNT_NONE, (uint64_t)errno_, 0, 0);
}

/* st_dev: Linux's for the Nth SCSI disk (major 8, minor 16 N) for blkN, so
 * that each disk's files tell their file system apart (df PATH, find
 * -xdev); another name hashed into the same major. */
static uint64_t dev_number(const char *name)
{
	unsigned long n = 0, minor;

	if (!strncmp(name, "blk", 3) && name[3] >= '0' && name[3] <= '9' && strlen(name) < 8) {
		minor = strtoul(name + 3, NULL, 10) * 16;
	} else {
		for (const char *p = name; *p; p++)
			n = n * 31 + (unsigned char)*p;
		minor = (n % 4096) * 16 + 8;
	}
	/* glibc's and Linux's encoding of (major, minor) */
	return (minor & 0xff) | 0x800 | (uint64_t)(minor & ~0xfful) << 12;
}

static void usage(void)
{
	fprintf(stderr, "ext2: usage: ext2 [--dev NAME] [--ro] [--cache PAGES] [--no-fmap] [--mount /PATH]"
		" [--writeback SECONDS]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static struct bdev dev;
	unsigned long cache = 1024;
	bool ro = false, fmap = true;
	uint64_t id[4];
	const char *msg;
	cap_t vfs;
	err_t e;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--dev") && i + 1 < argc && strlen(argv[i + 1]) < sizeof(devname))
			strcpy(devname, argv[++i]);
		else if (!strcmp(argv[i], "--ro"))
			ro = true;
		else if (!strcmp(argv[i], "--no-fmap"))
			fmap = false;
		else if (!strcmp(argv[i], "--cache") && i + 1 < argc)
			cache = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--mount") && i + 1 < argc && argv[i + 1][0] == '/')
			mount_at = argv[++i];
		else if (!strcmp(argv[i], "--writeback") && i + 1 < argc)
			wb_secs = strtoul(argv[++i], NULL, 0);
		else
			usage();
	}
	snprintf(source, sizeof(source), "/dev/%s", devname);
	ep = cairn_cap("ext2");
	if (ep == CAP_NULL || cairn_cap_identify(ep, id) || id[0] != OBJ_ENDPOINT ||
	    (id[1] & (RIGHT_READ | RIGHT_WRITE | RIGHT_GRANT)) != (RIGHT_READ | RIGHT_WRITE | RIGHT_GRANT) || id[2]) {
		fprintf(stderr, "ext2: needs the unbadged endpoint \"ext2\" with rights rwg\n");
		return 1;
	}
	ep_id = id[3];
	/* users (docs/users.md): tokens are the process server's ("proc",
	 * optional: without it no user is checked) */
	cred_init(cairn_cap("proc"), ep_id);
	if ((e = blkdev_open(cairn_cap("devmgr"), cairn_cap("blk"), devname, &dev))) {
		fprintf(stderr, "ext2: no block device %s: %s\n", devname, err_name(e));
		give_up(e == ERR_NOENT ? ENOENT : ENXIO);
		return 1;
	}
	if (dev.ro && !ro) {
		fprintf(stderr, "ext2: %s is read-only: mounting it read-only\n", devname);
		ro = true;
	}
	bcache_init(&dev, (uint32_t)cache);
	if ((e = xfs_mount(&xfs, bcache_io_manager, source, ro, realtime_ns, &msg))) {
		int no = e == ERR_ROFS ? EROFS : e == ERR_NOMEM ? ENOMEM : EINVAL;
		fprintf(stderr, "ext2: cannot open the file system on %s: %s (%s): refused (%s)\n", devname,
			err_name(e), msg, err_name((err_t)no));
		give_up(no);
		return 1;
	}
	xfs.dev = dev_number(devname);
	alloc_keep(xfs.fs->blocksize);
	rng_state = realtime_ns() ^ (uint64_t)(uintptr_t)&id ^ ep_id << 17 ^ 0x5ca1ab1e0ddba11ull;
	if (objects_init()) {
		fprintf(stderr, "ext2: out of memory\n");
		return 1;
	}
	srv.ep = ep;
	if (fmap)
		pages_init();
	watch_clients();
	writeback_start();
	fprintf(stderr, "ext2: %s: %llu blocks of %u, %u inodes%s; serving\n", source,
		(unsigned long long)ext2fs_blocks_count(xfs.fs->super), xfs.fs->blocksize,
		xfs.fs->super->s_inodes_count, ro ? ", read-only" : "");
	if ((vfs = cairn_cap("caller")) != CAP_NULL)
		by_caller = true;
	else
		vfs = cairn_cap("vfs");
	if (vfs != CAP_NULL) {
		pthread_t th;
		if (pthread_create(&th, NULL, mount_thread, (void *)(uintptr_t)vfs))
			fprintf(stderr, "ext2: cannot start the mount thread: FS_MOUNT not sent\n");
		else
			pthread_detach(th);
	}
	srv_run(&srv);
	if (closed) {
		e = close_err;
	} else {
		pages_sync_all();
		e = xfs_unmount(&xfs);
	}
	fprintf(stderr, "ext2: stopped (%s)\n", e ? err_name(e) : "synced");
	return e ? 1 : 0;
}
