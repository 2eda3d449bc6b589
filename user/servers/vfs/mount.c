/* SPDX-License-Identifier: MIT */
/*
 * The mount table (include/cairn/posix.h, "mounts"; docs/vfs.md, "Mounts").
 *
 * The VFS keeps the table every program sees in /proc/mounts and the
 * capabilities that tie the file systems together; the file-system
 * servers do the redirecting themselves (ERR_REMOTE), so a path crosses a
 * mount without passing through here.
 *
 * - Its own tree is a file system like the others. Without a disk it is
 *   the root. With one ("--root-wait SECONDS" in the manifest, and a file
 *   server that sends FS_MOUNT POSIX_MOUNT_ROOT), the disk's root becomes
 *   "/", and the VFS's /tmp, /dev and /proc are mounted over the disk's
 *   directories of those names: the disk's server covers them (FS_COVER
 *   through its admin capability) and the VFS marks its own as mount roots
 *   (TMPFS_F_MROOT: ".." leads back to the disk) and stops being the root
 *   (fs.not_root: absolute paths and links go back to the caller's root).
 *   With "--disk-tmp", /tmp stays the disk's own directory (no tmpfs over
 *   it): files under /tmp are the disk's, as on a system whose /tmp is on
 *   its root file system (tests/openposix/run.py's ext2 boots).
 * - The VFS root (badge 1, and badge 0) then answers every path request
 *   with ERR_REMOTE POSIX_REMOTE_NEWROOT and the disk's root: the caller
 *   keeps that as its root. Until the root arrives (with --root-wait),
 *   such requests wait (saved Replies); if it never does, they are told to
 *   ask again (POSIX_REMOTE_ROOT) and the VFS's own tree is "/".
 * - The VFS calls file servers only for mounting, unmounting and sync,
 *   after answering the request that asked (the skeleton's work hook):
 *   a file server that calls FS_MOUNT waits for that answer, not for us.
 * - A program's mount of a disk (source /dev/NAME, no server given): the
 *   VFS asks init's launcher (the manifest's "fslaunch", include/cairn/
 *   launch.h) for a new file-system server on that device, handing it a
 *   callback object of its own (H_MOUNTCB). The launcher answers at once;
 *   the program's answer waits (saved) until the server calls back on
 *   that object: FS_MOUNT with its root and admin capabilities (then the
 *   mount goes on as any other), or POSIX_MOUNT_NONE with an errno. The
 *   server's end is the callback's badge going (CAP_OP_WATCH): before
 *   the callback EIO; once mounted, the mount leaves the table. umount of
 *   another server's mount asks it FS_INUSE (EBUSY), then FS_STOP.
 */
#include <stdlib.h>
#include <format.h>
#include <cairn/launch.h>
#include "internal.h"

#define MOUNT_PATH_MAX  256
#define MS_RDONLY_BIT   1u                /* Linux's MS_RDONLY, ST_RDONLY */
#define DEFER_MAX       64
#define ROOT_TIMEOUT_BIT 2ull             /* on the relay's Notification */

struct mount {
	bool used;
	bool own;                             /* the mounted file system is the VFS's tree */
	char path[MOUNT_PATH_MAX];
	char source[64];
	char fstype[24];
	uint32_t flags;                       /* MS_RDONLY */
	cap_t root, admin;                    /* not own: its root directory and admin capability */
	cap_t up;                             /* own, mounted over another's directory: that one */
	struct tmpfs_node *node;              /* own: its root here (TMPFS_F_MROOT) */
	struct tmpfs_node *covered;           /* over one of our directories: it (TMPFS_F_COVERED) */
	struct handle *root_h;                /* own, made by FS_MOUNT: its root's object */
	struct handle *cb;                    /* launched: the callback its server holds */
	bool builtin;                         /* "/", /tmp, /dev, /proc: not unmounted */
	bool dead;                            /* launched, and its server ended: to drop */
};

/* FS_MOUNT and FS_UMOUNT wait (saved Replies) while the VFS asks servers.
 * A device mount is P_LAUNCH (its server to start, in the work hook),
 * then P_WAIT (for the server's callback), then P_READY as the others. */
enum { P_READY, P_LAUNCH, P_WAIT };
struct pending {
	cap_t reply;
	uint32_t label;
	uint32_t flags;
	uint8_t state;
	struct handle *cb;                    /* P_WAIT: the launched server's callback */
	char dev[16];                         /* a device mount: the device's name */
	cap_t mp, root, admin;                /* FS_MOUNT: the mount point; another's root, admin */
	struct handle *mp_h;                  /* POSIX_MOUNT_AT: the mount point's object, ours */
	char src[64], type[24];
	char path[MOUNT_PATH_MAX];            /* FS_UMOUNT */
};
#define PENDING_MAX 8
static struct pending pend[PENDING_MAX];
static unsigned npend;
static uint64_t ep_id;                    /* our endpoint's object id */

/* The next free pending entry, cleared, with the request's Reply saved in
 * it (the caller counts it in npend once it keeps it); NULL and a->err
 * (ERR_AGAIN when all PENDING_MAX are in use) when there is none. */
static struct pending *pend_new(struct srv_ans *a)
{
	struct pending *p;

	if (npend == PENDING_MAX) {
		a->err = ERR_AGAIN;
		return NULL;
	}
	p = &pend[npend];
	memset(p, 0, sizeof(*p));
	p->mp = p->root = p->admin = CAP_NULL;
	if ((a->err = srv_save_reply(a, &p->reply)))
		return NULL;
	return p;
}

static struct mount mounts[POSIX_MOUNT_MAX];
static struct mount *root_mnt;            /* "/" from another server, once mounted */
static cap_t launcher = CAP_NULL;         /* init's launcher of file-system servers */
static bool root_wait;
static cap_t deferred[DEFER_MAX];         /* root requests waiting for root_mnt */
static bool deferred_sys[DEFER_MAX];      /* ... each a system service's (mount_trusted) */
static unsigned ndeferred;
static bool mount_work;                   /* the root arrived: covering to do */
static bool disk_tmp;                     /* --disk-tmp: the disk's /tmp is not covered */
static void run_pending(void);
static void close_obj(cap_t c);
static err_t path_of(cap_t c, char *buf, size_t max);
static void stop_server(cap_t admin);
static err_t own_cap(struct tmpfs_node *n, struct handle **hp, cap_t *out);

bool mount_work_pending;

/* ---- the table ------------------------------------------------------------------------- */

static void copy_str(char *dst, size_t max, const char *src, size_t len)
{
	if (len >= max)
		len = max - 1;
	memcpy(dst, src, len);
	dst[len] = 0;
}

static struct mount *mount_add(const char *path, const char *source, const char *fstype)
{
	for (unsigned i = 0; i < POSIX_MOUNT_MAX; i++) {
		struct mount *m = &mounts[i];

		if (m->used)
			continue;
		memset(m, 0, sizeof(*m));
		m->used = true;
		m->root = m->admin = m->up = CAP_NULL;
		copy_str(m->path, sizeof(m->path), path, strlen(path));
		copy_str(m->source, sizeof(m->source), source, strlen(source));
		copy_str(m->fstype, sizeof(m->fstype), fstype, strlen(fstype));
		return m;
	}
	return NULL;
}

static struct mount *own_mount_of(const struct tmpfs_node *n)
{
	for (unsigned i = 0; i < POSIX_MOUNT_MAX; i++)
		if (mounts[i].used && mounts[i].own && mounts[i].node == n)
			return &mounts[i];
	return NULL;
}

/* tmpfs's hook (tmpfs_getpath): where one of our mount roots is. */
static const char *mount_path_of(struct tmpfs *t, struct tmpfs_node *n)
{
	struct mount *m = own_mount_of(n);

	(void)t;
	return m ? m->path : "/";
}

/* /dev/shm and /dev/mqueue (dev.c) in the table as Linux lists them, a
 * tmpfs and an mqueue of their own, once /dev is ours in the tree (the
 * root's, or covering a disk's) */
static const struct {
	const char *name, *path, *source, *fstype;
} dev_lists[] = {
	{ "shm", "/dev/shm", "shm", "tmpfs" },
	{ "mqueue", "/dev/mqueue", "mqueue", "mqueue" },
};

static struct tmpfs_node *dev_listed_node(unsigned i)
{
	struct tmpfs_node *dev = tmpfs_synth_find(fs.root, "dev", 3);

	return dev ? tmpfs_synth_find(dev, dev_lists[i].name, strlen(dev_lists[i].name)) : NULL;
}

static void list_shm(void)
{
	for (unsigned i = 0; i < sizeof(dev_lists) / sizeof(dev_lists[0]); i++) {
		struct tmpfs_node *n = dev_listed_node(i);
		struct mount *m;

		if (!n || own_mount_of(n) || !(m = mount_add(dev_lists[i].path, dev_lists[i].source,
							     dev_lists[i].fstype)))
			continue;
		m->own = m->builtin = true;
		m->node = n;
	}
}

void mount_init(unsigned root_wait_s, bool disk_tmp_, struct tmpfs_node *proc_dir)
{
	struct mount *m = mount_add("/", "rootfs", "tmpfs");
	uint64_t id[4];

	m->own = m->builtin = true;
	m->node = fs.root;
	if (proc_dir && (m = mount_add("/proc", "proc", "proc"))) {
		m->own = m->builtin = true;
		m->node = proc_dir;
		m->flags = MS_RDONLY_BIT;
	}
	(void)id;
	ep_id = vfs_ep_id;
	launcher = cairn_cap("fslaunch");
	fs.mount_path = mount_path_of;
	root_wait = root_wait_s != 0;
	disk_tmp = disk_tmp_;
	/* (a disk root that comes unlists it, and lists it again if our
	 * /dev covers the disk's: mount_do_work) */
	list_shm();
	if (root_wait && mount_timer(root_wait_s)) {
		printf("vfs: cannot time the wait for the root file system: not waiting\n");
		root_wait = false;
	}
}

/* /proc/mounts: one line a mount, as Linux's. */
size_t mount_text(char *buf, size_t max)
{
	size_t n = 0;

	for (int i = -1; i < (int)POSIX_MOUNT_MAX; i++) {
		const struct mount *m = i < 0 ? root_mnt : &mounts[i];   /* "/" first */
		int k;

		if (!m || !m->used || m->dead || (i >= 0 && m == root_mnt) ||
		    (m->own && m->node == fs.root && root_mnt))
			continue;
		k = fmt_snprintf(buf + n, max - n, "%s %s %s %s 0 0\n", m->source, m->path, m->fstype,
			     m->flags & MS_RDONLY_BIT ? "ro" : "rw");
		if (k < 0 || (size_t)k >= max - n)
			break;
		n += (size_t)k;
	}
	return n;
}

/* ---- redirects ------------------------------------------------------------------------- */

/* A copy of cap as the answer's next capability (deleted once it is through). */
static err_t answer_cap(struct srv_ans *a, cap_t cap)
{
	cap_t c;
	err_t e;

	if (cap == CAP_NULL)
		return ERR_NOENT;
	if ((e = cairn_cap_copy(cap, RIGHT_WRITE | RIGHT_GRANT, &c)))
		return e;
	a->caps[a->ncaps] = c;
	a->made[a->ncaps] = NO_ENTRY;
	a->ncaps++;
	return ERR_OK;
}

/* The request at hand is a system service's (users, docs/users.md): a
 * redirect into another server gives it that server's admin capability
 * (its requests there are a service's too: the network server writes
 * /etc/resolv.conf on a disk root) rather than the root processes get. */
bool mount_trusted;

static cap_t entry_cap(const struct mount *m)
{
	return mount_trusted && m->admin != CAP_NULL ? m->admin : m->root;
}

/* A tmpfs operation answered ERR_REMOTE (fs.remote_*): the redirect. */
void mount_remote(struct srv_ans *a)
{
	const struct mount *m = NULL;
	uint64_t flags = 0;
	err_t e = ERR_OK;

	a->ncaps = 0;
	switch (fs.remote_kind) {
	case TMPFS_REMOTE_DOWN:
		for (unsigned i = 0; i < POSIX_MOUNT_MAX && !m; i++)
			if (mounts[i].used && mounts[i].covered == fs.remote)
				m = &mounts[i];
		e = m ? answer_cap(a, entry_cap(m)) : ERR_NOENT;
		break;
	case TMPFS_REMOTE_UP:
		m = own_mount_of(fs.remote);
		e = m ? answer_cap(a, m->up) : ERR_NOENT;
		break;
	case TMPFS_REMOTE_ROOT:
		flags = POSIX_REMOTE_ROOT;
		break;
	case TMPFS_REMOTE_SPLIT:
		flags = POSIX_REMOTE_SPLIT;
		break;
	default:
		e = ERR_IO;
	}
	if (!e && fs.remote_kind != TMPFS_REMOTE_SPLIT && fs.remote_len > INLINE_MAX)
		e = ERR_NAMETOOLONG;
	if (e) {
		for (unsigned i = 0; i < a->ncaps; i++)
			cairn_cap_delete(a->caps[i]);
		a->ncaps = 0;
		a->err = e;
		return;
	}
	a->err = ERR_REMOTE;
	a->w[0] = flags;
	a->w[1] = fs.remote_kind == TMPFS_REMOTE_SPLIT ? 0 : fs.remote_len;
	if (a->w[1])
		memcpy(ans_bytes, fs.remote_rest, fs.remote_len);
	a->nbytes = a->w[1];
}

/* A path request on the VFS root once "/" is elsewhere (or until it is):
 * true when answered here. */
bool mount_root_request(struct srv_ans *a)
{
	if (root_mnt) {
		if ((a->err = answer_cap(a, entry_cap(root_mnt))))
			return true;
		a->err = ERR_REMOTE;
		a->w[0] = POSIX_REMOTE_NEWROOT;
		return true;
	}
	if (!root_wait)
		return false;
	if (ndeferred == DEFER_MAX) {
		a->err = ERR_AGAIN;
		return true;
	}
	if ((a->err = srv_save_reply(a, &deferred[ndeferred])))
		return true;
	deferred_sys[ndeferred] = mount_trusted;
	ndeferred++;
	return true;
}

/* The waiting root requests: redirected to the new root, or (none came)
 * asked again, to be served by our own tree. */
static void answer_deferred(void)
{
	struct cairn_ipcbuf *ib = cairn_ipcbuf();

	for (unsigned i = 0; i < ndeferred; i++) {
		cap_t c = CAP_NULL;

		mount_trusted = deferred_sys[i];
		if (root_mnt && !cairn_cap_copy(entry_cap(root_mnt), RIGHT_WRITE | RIGHT_GRANT, &c)) {
			ib->caps[0] = c;
			cairn_send(deferred[i], cairn_tag(ERR_REMOTE, CAIRN_MSG_REGS, 1),
				   POSIX_REMOTE_NEWROOT, 0, 0, 0);
			cairn_cap_delete(c);
		} else {
			cairn_send(deferred[i], cairn_tag(ERR_REMOTE, CAIRN_MSG_REGS, 0),
				   POSIX_REMOTE_ROOT, 0, 0, 0);
		}
		cairn_cap_delete(deferred[i]);
	}
	ndeferred = 0;
	mount_trusted = false;
}

/* The relay's bits: the wait for the root is over. */
void mount_event(uint64_t bits)
{
	if (!(bits & ROOT_TIMEOUT_BIT) || !root_wait)
		return;
	root_wait = false;
	if (!root_mnt) {
		printf("vfs: no root file system came: the boot image's tree is /\n");
		answer_deferred();
	}
}

/* ---- the timer ------------------------------------------------------------------------- */

static cap_t timer_note = CAP_NULL;
static uint64_t timer_ns;

static void timer_thread(uint64_t arg)
{
	(void)arg;
	cairn_wait(timer_note, timer_ns, NULL);        /* nobody signals it: a sleep */
	cairn_invoke(relay_note, NOTIFY_SIGNAL, 0, ROOT_TIMEOUT_BIT, 0, 0, 0, NULL);
	cairn_thread_exit();
}

err_t mount_timer(unsigned seconds)
{
	struct cairn_msg m;
	err_t e;

	if (relay_note == CAP_NULL)
		return ERR_INVAL;
	if ((e = cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_NOTIFICATION, 0, 0, 0, &m)))
		return e;
	timer_note = m.w[0];
	timer_ns = (uint64_t)seconds * 1000000000ull;
	return cairn_thread_start(timer_thread, 0, 8, NULL);
}

/* ---- FS_MOUNT, FS_UMOUNT, FS_SYNC_ALL ------------------------------------------------------ */

/* Calls label on cap with a path inline (and a capability): the answer's error. */
static err_t call_path(cap_t cap, uint32_t label, uint64_t w0, const char *path, cap_t give_cap,
		       cap_t *got)
{
	struct cairn_ipcbuf *ib = cairn_ipcbuf();
	size_t len = strlen(path);
	struct cairn_msg m;
	err_t e;

	memcpy(&ib->w[CAIRN_MSG_REGS], path, len);
	if (give_cap != CAP_NULL)
		ib->caps[0] = give_cap;
	m = cairn_call(cap, cairn_tag(label, srv_words(len), give_cap != CAP_NULL), w0, 0, len, 0);
	if ((e = m.err ? (err_t)m.err : (err_t)cairn_tag_label(m.tag)))
		return e;
	if (got) {
		if (cairn_tag_ncaps(m.tag) < 1)
			return ERR_IO;
		*got = ib->caps[0];
	}
	return ERR_OK;
}

/* One of our own directories (name under our root) over the new root's. */
static void cover_own(const char *name, const char *source, const char *fstype, uint32_t flags)
{
	char path[MOUNT_PATH_MAX];
	struct tmpfs_node *n = tmpfs_synth_find(fs.root, name, strlen(name));
	struct mount *m;
	struct handle *h;
	cap_t up = CAP_NULL, mine;
	uint32_t idx;
	err_t e;

	fmt_snprintf(path, sizeof(path), "/%s", name);
	if (!n || !tmpfs_is_dir(n))
		return;
	if (!(m = own_mount_of(n)) && !(m = mount_add(path, source, fstype))) {
		printf("vfs: %s: the mount table is full\n", path);
		return;
	}
	m->own = m->builtin = true;
	m->node = n;
	m->flags = flags;
	/* the disk's directory first (once covered, opening it would lead back here) */
	if ((e = call_path(root_mnt->root, FS_OPEN, LINUX_O_PATH | LINUX_O_DIRECTORY, name, CAP_NULL, &up))) {
		printf("vfs: %s is not a directory of the root file system (%s): not mounted\n", path,
		       err_name(e));
		m->used = false;
		return;
	}
	if ((e = handle_new(H_NODE, LINUX_O_PATH | LINUX_O_DIRECTORY, &h)))
		goto fail;
	h->node = n;
	tmpfs_node_get(n);
	h->refs = 1;                              /* the covering server's, for good */
	if ((e = ref_mint(h, false, &mine, &idx))) {
		handle_free(h);
		goto fail;
	}
	e = call_path(root_mnt->admin, FS_COVER, 0, name, mine, NULL);
	cairn_cap_delete(mine);
	if (e) {
		handle_free(handle_at(idx));      /* the reference, and with it h */
		goto fail;
	}
	m->up = up;
	n->flags |= TMPFS_F_MROOT;
	return;
fail:
	printf("vfs: cannot mount %s over the root file system's: %s\n", path, err_name(e));
	if (up != CAP_NULL)
		cairn_cap_delete(up);
	m->used = false;
}

/* After the answer to FS_MOUNT of the root: cover, then let the waiters go. */
void mount_do_work(void)
{
	mount_work_pending = false;
	run_pending();
	if (!mount_work)
		return;
	mount_work = false;
	fs.not_root = true;
	/* /dev/shm and /dev/mqueue are listed again if our /dev covers the disk's */
	for (unsigned i = 0; i < sizeof(dev_lists) / sizeof(dev_lists[0]); i++) {
		struct tmpfs_node *n = dev_listed_node(i);
		struct mount *m = n ? own_mount_of(n) : NULL;
		if (m)
			m->used = false;
	}
	if (!disk_tmp)
		cover_own("tmp", "tmpfs", "tmpfs", 0);
	cover_own("dev", "devtmpfs", "devtmpfs", 0);
	{
		struct tmpfs_node *dev = tmpfs_synth_find(fs.root, "dev", 3);
		if (dev && own_mount_of(dev))
			list_shm();
	}
	cover_own("proc", "proc", "proc", MS_RDONLY_BIT);
	root_wait = false;
	answer_deferred();
	printf("vfs: / is %s (%s)\n", root_mnt->source, root_mnt->fstype);
}

/* ---- mounts elsewhere: the answer saved, the work in the work hook -------------------------- */

static bool is_ours(cap_t c, struct handle **h)
{
	uint64_t id[4];

	if (c == CAP_NULL || cairn_cap_identify(c, id) || id[3] != ep_id)
		return false;
	*h = handle_find(id[2]);
	return *h != NULL;
}

/* The reference (H_REF entry) capability c of ours is, or NULL. */
static struct handle *our_ref(cap_t c)
{
	uint64_t id[4];
	struct handle *ref;

	if (c == CAP_NULL || cairn_cap_identify(c, id) || id[3] != ep_id)
		return NULL;
	ref = entry_find(id[2]);
	return ref && ref->kind == H_REF ? ref : NULL;
}

/* A description of ours whose reference is ref goes, whatever its other
 * references (a mount's root at umount). */
static void own_free(struct handle *ref)
{
	struct handle *d = handle_find(ref->badge);

	if (d)
		handle_free(d);
	ref_close(ref);
}

/* The deepest mount whose path holds path (a mount's own path excluded). */
static struct mount *covering(const char *path)
{
	struct mount *best = NULL;
	size_t bl = 0;

	for (unsigned i = 0; i < POSIX_MOUNT_MAX; i++) {
		struct mount *m = &mounts[i];
		size_t l = strlen(m->path);

		if (!m->used || (root_mnt && m->own && m->node == fs.root))
			continue;
		if (l == 1 ? path[0] == '/' && path[1] :
		    !strncmp(path, m->path, l) && path[l] == '/' && path[l + 1]) {
			if (!best || l > bl) {
				best = m;
				bl = l;
			}
		}
	}
	return best;
}

/* ---- device mounts: a file-system server started for a program's mount ------------------- */

static bool dev_name_ok(const char *p, size_t n)
{
	if (!n || n > LAUNCH_NAME_MAX || p[0] == '.' || p[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == '-'))
			return false;
	}
	return true;
}

/* FS_MOUNT without a server: source /dev/NAME or NAME, a disk type. */
static void device_mount(struct srv_req *r, struct srv_ans *a, const char *src, const char *type)
{
	const char *name = strncmp(src, "/dev/", 5) ? src : src + 5;
	struct pending *p;

	if (strcmp(type, "ext2") && strcmp(type, "ext3") && strcmp(type, "ext4") && strcmp(type, "auto")) {
		a->err = ERR_NODEV;               /* a type no server here reads */
		return;
	}
	if (launcher == CAP_NULL) {
		a->err = ERR_NODEV;               /* no way to start one */
		return;
	}
	if (!dev_name_ok(name, strlen(name))) {
		a->err = ERR_NOTBLK;
		return;
	}
	if (r->w[0] & ~(uint64_t)MS_RDONLY_BIT) {
		a->err = ERR_INVAL;
		return;
	}
	if (!(p = pend_new(a)))
		return;
	npend++;
	p->label = FS_MOUNT;
	p->state = P_LAUNCH;
	p->flags = (uint32_t)r->w[0] & MS_RDONLY_BIT;
	p->mp = r->caps[0];
	r->caps[0] = CAP_NULL;                    /* kept */
	copy_str(p->dev, sizeof(p->dev), name, strlen(name));
	fmt_snprintf(p->src, sizeof(p->src), "/dev/%s", p->dev);
	copy_str(p->type, sizeof(p->type), "ext2", 4);
	mount_work_pending = true;
}

/* Is the device being mounted or mounted (its source in the table)? */
static bool device_busy(const struct pending *self)
{
	for (unsigned i = 0; i < POSIX_MOUNT_MAX; i++)
		if (mounts[i].used && !mounts[i].dead && !strcmp(mounts[i].source, self->src))
			return true;
	for (unsigned i = 0; i < npend; i++)
		if (&pend[i] != self && pend[i].label == FS_MOUNT && pend[i].state != P_LAUNCH &&
		    pend[i].dev[0] && !strcmp(pend[i].dev, self->dev))
			return true;
	return false;
}

/* From the work hook: the checks a server is not needed for, then the
 * launcher's LAUNCH_START with a callback object for the new server. */
static err_t launch(struct pending *p)
{
	struct cairn_ipcbuf *ib = cairn_ipcbuf();
	char path[MOUNT_PATH_MAX];
	size_t n = strlen(p->dev);
	struct handle *h;
	struct cairn_msg m;
	uint64_t r[3];
	err_t e;

	if ((e = path_of(p->mp, path, sizeof(path))))
		return e;
	for (unsigned i = 0; i < POSIX_MOUNT_MAX; i++)
		if (mounts[i].used && !mounts[i].dead && !strcmp(mounts[i].path, path) &&
		    !(root_mnt && mounts[i].own && mounts[i].node == fs.root))
			return ERR_BUSY;              /* a mount point already */
	if (device_busy(p))
		return ERR_BUSY;
	if ((e = handle_new(H_MOUNTCB, 0, &h)))
		return e;
	if ((e = cairn_cap_op(CAP_OP_MINT, ep, CAP_NULL, RIGHT_WRITE | RIGHT_GRANT, h->badge, r))) {
		handle_free(h);
		return e;
	}
	memcpy(&ib->w[CAIRN_MSG_REGS], p->dev, n);
	ib->caps[0] = r[0];
	m = cairn_call(launcher, cairn_tag(LAUNCH_START, srv_words(n), 1),
		       p->flags & MS_RDONLY_BIT ? LAUNCH_RO : 0, 0, n, 0);
	cairn_cap_delete(r[0]);                   /* the server holds its copy */
	if ((e = m.err ? (err_t)m.err : (err_t)cairn_tag_label(m.tag))) {
		printf("vfs: cannot start a server for %s: %s\n", p->src, err_name(e));
		handle_free(h);
		return e == ERR_INVAL || e == ERR_NOENT ? ERR_NODEV : e;
	}
	p->cb = h;
	return ERR_OK;
}

static struct pending *pending_of(const struct handle *h)
{
	for (unsigned i = 0; i < npend; i++)
		if (pend[i].cb == h && pend[i].state == P_WAIT)
			return &pend[i];
	return NULL;
}

/* A device mount's end before the mount: the program's answer. */
static void pending_fail(struct pending *p, err_t e)
{
	if (p->mp != CAP_NULL)
		cairn_cap_delete(p->mp);          /* the caller keeps its reference */
	if (p->cb)
		handle_free(p->cb);
	srv_answer_saved(p->reply, e, 0, 0, 0, 0, 0);
	p->cb = NULL;
	p->mp = CAP_NULL;
	p->label = 0;                             /* done: dropped by run_pending */
	p->state = P_READY;
	mount_work_pending = true;
}

/* FS_MOUNT on a callback: the launched server serves (cap0 its root,
 * cap1 its admin) or cannot (POSIX_MOUNT_NONE, w1 the errno). */
static void mount_callback(struct srv_req *r, struct srv_ans *a, struct handle *h)
{
	struct pending *p = pending_of(h);
	uint64_t sl = r->w[2], tl = r->w[3];

	if (!p) {
		a->err = ERR_INVAL;               /* answered already */
		return;
	}
	if (r->w[0] & POSIX_MOUNT_NONE) {
		err_t e = r->w[1] && r->w[1] < 4096 ? (err_t)r->w[1] : ERR_IO;
		pending_fail(p, e);
		return;
	}
	if ((r->w[0] & ~(uint64_t)MS_RDONLY_BIT) || r->ncaps != 2 || r->caps[0] == CAP_NULL ||
	    r->caps[1] == CAP_NULL || !tl || tl >= sizeof(p->type) || sl + tl > r->nbytes) {
		a->err = ERR_INVAL;
		return;
	}
	copy_str(p->type, sizeof(p->type), (const char *)req_bytes + sl, tl);
	p->flags |= (uint32_t)r->w[0] & MS_RDONLY_BIT;
	p->root = r->caps[0];
	p->admin = r->caps[1];
	r->caps[0] = r->caps[1] = CAP_NULL;       /* kept */
	p->state = P_READY;
	mount_work_pending = true;
}

/* The badge of a callback went: its server ended. */
void mount_cb_gone(struct handle *h)
{
	struct pending *p = pending_of(h);

	if (p) {
		printf("vfs: the server for %s ended before it served\n", p->src);
		pending_fail(p, ERR_IO);
		return;
	}
	for (unsigned i = 0; i < POSIX_MOUNT_MAX; i++) {
		if (mounts[i].used && mounts[i].cb == h) {
			printf("vfs: %s: its server (%s) ended: unmounted\n", mounts[i].path, mounts[i].source);
			mounts[i].dead = true;
			mounts[i].cb = NULL;
			mount_work_pending = true;
		}
	}
	handle_free(h);
}

static void mount_elsewhere(struct srv_req *r, struct srv_ans *a, const char *src, const char *type)
{
	bool tmpfs = !strcmp(type, "tmpfs"), at = r->w[0] & POSIX_MOUNT_AT;
	unsigned given = at ? 0 : 1;              /* caps before the server's two */
	struct tmpfs_node *n = NULL;
	struct pending *p;

	if (!at && (r->ncaps < 1 || r->caps[0] == CAP_NULL)) {
		a->err = ERR_INVAL;
		return;
	}
	if (!tmpfs && !at && r->ncaps == given) {
		device_mount(r, a, src, type);    /* a program's: a server to start */
		return;
	}
	if (!tmpfs && r->ncaps != given + 2) {
		a->err = ERR_NODEV;               /* no server for it given */
		return;
	}
	if (r->w[0] & ~(uint64_t)(MS_RDONLY_BIT | POSIX_MOUNT_AT)) {
		a->err = ERR_INVAL;
		return;
	}
	if (at) {
		/* the mount point by its path in our tree, made if missing (the
		 * manifest's servers: --mount PATH); only from the unbadged endpoint */
		uint64_t off = r->w[2] + r->w[3], pl = r->w[1];
		if (r->badge) {
			a->err = ERR_PERM;
			return;
		}
		if (!pl || pl >= MOUNT_PATH_MAX || off + pl > r->nbytes || req_bytes[off] != '/') {
			a->err = ERR_INVAL;
			return;
		}
		a->err = tmpfs_mkdir(&fs, fs.root, (const char *)req_bytes + off, pl, 0755);
		if (a->err && a->err != ERR_EXIST)
			return;
		if ((a->err = tmpfs_open(&fs, fs.root, (const char *)req_bytes + off, pl,
					 LINUX_O_PATH | LINUX_O_DIRECTORY, 0, &n)))
			return;
	}
	if (!(p = pend_new(a)))
		return;
	p->label = FS_MOUNT;
	p->flags = (uint32_t)r->w[0] & MS_RDONLY_BIT;
	if (at) {
		err_t e = own_cap(n, &p->mp_h, &p->mp);
		tmpfs_node_put(&fs, n);
		if (e) {
			srv_answer_saved(p->reply, e, 0, 0, 0, 0, 0);
			a->err = ERR_OK;
			return;
		}
	} else {
		p->mp = r->caps[0];
	}
	npend++;
	p->root = tmpfs ? CAP_NULL : r->caps[given];
	p->admin = tmpfs ? CAP_NULL : r->caps[given + 1];
	for (unsigned i = 0; i < (tmpfs ? given : given + 2); i++)
		r->caps[i] = CAP_NULL;            /* kept */
	copy_str(p->src, sizeof(p->src), src, strlen(src));
	copy_str(p->type, sizeof(p->type), type, strlen(type));
	mount_work_pending = true;
}

/* The absolute path of directory object c. */
static err_t path_of(cap_t c, char *buf, size_t max)
{
	struct cairn_ipcbuf *ib = cairn_ipcbuf();
	struct handle *h;
	struct cairn_msg m;
	size_t len;
	err_t e;

	if (is_ours(c, &h)) {
		if (!dir_of(h))
			return ERR_NOTDIR;
		return tmpfs_getpath(&fs, h->node, buf, max, &len);
	}
	m = cairn_call(c, cairn_tag(FS_GETPATH, CAIRN_MSG_REGS, 0), 0, 0, 0, 0);
	if ((e = m.err ? (err_t)m.err : (err_t)cairn_tag_label(m.tag)))
		return e;
	len = m.w[0];
	if (len >= max || len > (cairn_tag_len(m.tag) - CAIRN_MSG_REGS) * 8ull || !len)
		return ERR_IO;
	memcpy(buf, &ib->w[CAIRN_MSG_REGS], len);
	buf[len] = 0;
	return buf[0] == '/' ? ERR_OK : ERR_IO;
}

/* A capability to a new object for node n of ours (refs 1: the mount's);
 * *hp is its reference (H_REF). */
static err_t own_cap(struct tmpfs_node *n, struct handle **hp, cap_t *out)
{
	struct handle *h;
	uint32_t idx;
	err_t e;

	if ((e = handle_new(H_NODE, LINUX_O_PATH | LINUX_O_DIRECTORY, &h)))
		return e;
	h->node = n;
	tmpfs_node_get(n);
	if ((e = ref_mint(h, false, out, &idx))) {
		handle_free(h);
		return e;
	}
	*hp = handle_at(idx);
	(*hp)->pinned = true;
	return ERR_OK;
}

static err_t do_mount(struct pending *p)
{
	char path[MOUNT_PATH_MAX];
	struct mount *over, *m;
	struct handle *mh = NULL;
	struct tmpfs_node *tnode = NULL;
	const char *rel;
	cap_t give;
	err_t e;

	if ((e = path_of(p->mp, path, sizeof(path))))
		return e;
	for (unsigned i = 0; i < POSIX_MOUNT_MAX; i++)
		if (mounts[i].used && !strcmp(mounts[i].path, path) &&
		    !(root_mnt && mounts[i].own && mounts[i].node == fs.root))
			return ERR_BUSY;
	if (!(over = covering(path)))
		return ERR_INVAL;
	rel = path + strlen(over->path) + (strlen(over->path) > 1);
	if (!(m = mount_add(path, p->src, p->type)))
		return ERR_NOSPC;
	m->flags = p->flags & MS_RDONLY_BIT;
	if (p->root == CAP_NULL) {               /* a new tmpfs */
		if ((e = tmpfs_mkroot(&fs, 01777, &tnode)))
			goto fail;
		if ((e = own_cap(tnode, &m->root_h, &m->root)))
			goto fail;
		m->own = true;
		m->node = tnode;
	} else {
		m->root = p->root;
		m->admin = p->admin;
		p->root = p->admin = CAP_NULL;
	}
	if (over->own) {                         /* one of our directories */
		if (!is_ours(p->mp, &mh) || !dir_of(mh) || mh->node == fs.root) {
			e = ERR_INVAL;
			goto fail;
		}
		if (mh->node->flags & (TMPFS_F_COVERED | TMPFS_F_MROOT | TMPFS_F_RDONLY)) {
			e = ERR_BUSY;
			goto fail;
		}
		mh->node->flags |= TMPFS_F_COVERED;
		m->covered = mh->node;
	} else {
		if ((e = cairn_cap_copy(m->root, RIGHT_WRITE | RIGHT_GRANT, &give)))
			goto fail;
		e = call_path(over->admin, FS_COVER, 0, rel, give, NULL);
		cairn_cap_delete(give);
		if (e)
			goto fail;
	}
	if (m->own) {
		m->up = p->mp;                   /* ".." out of it */
		p->mp = CAP_NULL;
	} else {
		/* the mounted server learns where it is: "/" (its root) is at path */
		struct cairn_ipcbuf *ib = cairn_ipcbuf();
		size_t pl = strlen(path);
		struct cairn_msg cm;

		memcpy((char *)&ib->w[CAIRN_MSG_REGS], "/", 1);
		memcpy((char *)&ib->w[CAIRN_MSG_REGS] + 1, path, pl);
		ib->caps[0] = p->mp;
		cm = cairn_call(m->admin, cairn_tag(FS_MOUNTED, srv_words(1 + pl), 1), 0, 0, 1, pl);
		if (cm.err || cairn_tag_label(cm.tag))
			printf("vfs: %s: its server did not take FS_MOUNTED (%s)\n", path,
			       err_name(cm.err ? (err_t)cm.err : (err_t)cairn_tag_label(cm.tag)));
	}
	m->cb = p->cb;                           /* launched: its end is the mount's */
	p->cb = NULL;
	return ERR_OK;
fail:
	if (m->covered)
		m->covered->flags &= ~TMPFS_F_COVERED;
	if (m->root_h)
		own_free(m->root_h);
	if (m->root != CAP_NULL)
		cairn_cap_delete(m->root);
	if (m->admin != CAP_NULL) {
		if (p->cb)
			stop_server(m->admin);
		cairn_cap_delete(m->admin);
	}
	if (tnode)
		tmpfs_rmroot(&fs, tnode);
	m->used = false;
	return e;
}

/* A server of ours not mounted after all (or unmounted): it ends. */
static void stop_server(cap_t admin)
{
	cairn_call(admin, cairn_tag(FS_STOP, CAIRN_MSG_REGS, 0), 0, 0, 0, 0);
}

/* The table without the mounts whose servers ended: their mount points
 * uncovered, their capabilities dropped (their servers are not called). */
static void drop_dead(void)
{
	for (unsigned i = 0; i < POSIX_MOUNT_MAX; i++) {
		struct mount *m = &mounts[i], *over;

		if (!m->used || !m->dead)
			continue;
		if (m->covered)
			m->covered->flags &= ~TMPFS_F_COVERED;
		else if ((over = covering(m->path)) && !over->own && !over->dead)
			call_path(over->admin, FS_UNCOVER, 0,
				  m->path + strlen(over->path) + (strlen(over->path) > 1), CAP_NULL, NULL);
		if (m->root != CAP_NULL)
			cairn_cap_delete(m->root);
		if (m->admin != CAP_NULL)
			cairn_cap_delete(m->admin);
		m->used = false;
	}
}

static err_t do_umount(struct pending *p)
{
	struct mount *m = NULL, *over;
	bool inuse = false;
	size_t l;

	for (unsigned i = 0; i < POSIX_MOUNT_MAX; i++)
		if (mounts[i].used && !mounts[i].dead && !strcmp(mounts[i].path, p->path) &&
		    !(root_mnt && mounts[i].own && mounts[i].node == fs.root))
			m = &mounts[i];
	if (!m)
		return ERR_INVAL;
	if (m->builtin)
		return ERR_BUSY;
	/* something in it still open (a working directory too): EBUSY, as
	 * Linux; MNT_DETACH (2) lets it go now, what is open lives on */
	if (!(p->flags & 2u) && m->own && m->node && tmpfs_busy(m->node, 1))
		return ERR_BUSY;
	if (!m->own) {
		/* another server's: does a client hold something there? (a
		 * server without FS_INUSE is taken as idle) */
		struct cairn_msg q = cairn_call(m->admin, cairn_tag(FS_INUSE, CAIRN_MSG_REGS, 0), 0, 0, 0, 0);
		err_t e = q.err ? (err_t)q.err : (err_t)cairn_tag_label(q.tag);

		if (e == ERR_BUSY && !(p->flags & 2u))
			return ERR_BUSY;
		inuse = e == ERR_BUSY;
	}
	l = strlen(m->path);
	for (unsigned i = 0; i < POSIX_MOUNT_MAX; i++)
		if (mounts[i].used && &mounts[i] != m && !strncmp(mounts[i].path, m->path, l) &&
		    mounts[i].path[l] == '/')
			return ERR_BUSY;              /* a mount below it */
	if (!m->own)
		cairn_call(m->root, cairn_tag(FS_SYNCFS, CAIRN_MSG_REGS, 0), 0, 0, 0, 0);
	if (m->covered) {
		m->covered->flags &= ~TMPFS_F_COVERED;
	} else if ((over = covering(m->path)) && !over->own) {
		err_t e = call_path(over->admin, FS_UNCOVER, 0,
				    m->path + strlen(over->path) + (strlen(over->path) > 1), CAP_NULL, NULL);
		if (e)
			return e;
	}
	if (m->own && m->node)
		tmpfs_rmroot(&fs, m->node);
	if (m->root_h)
		own_free(m->root_h);
	if (m->up != CAP_NULL)
		close_obj(m->up);
	if (m->root != CAP_NULL)
		cairn_cap_delete(m->root);
	if (m->admin != CAP_NULL) {
		/* its server ends (written back); with MNT_DETACH and something
		 * still open there, it serves that on, unmounted */
		if (!inuse)
			stop_server(m->admin);
		cairn_cap_delete(m->admin);
	}
	if (m->cb)
		handle_free(m->cb);
	m->used = false;
	return ERR_OK;
}

/* Drops our reference to a directory object: ours directly (a call to
 * ourselves would never be answered), another server's with IO_CLOSE. */
static void close_obj(cap_t c)
{
	struct handle *h, *ref = our_ref(c);

	if (ref)
		ref_close(ref);
	else if (is_ours(c, &h))
		handle_release(h);
	else
		cairn_call(c, cairn_tag(IO_CLOSE, CAIRN_MSG_REGS, 0), 0, 0, 0, 0);
	cairn_cap_delete(c);
}

static void run_pending(void)
{
	unsigned k = 0;

	drop_dead();
	for (unsigned i = 0; i < npend; i++) {
		struct pending *p = &pend[i];
		err_t e;

		if (!p->label)
			continue;                 /* answered already (pending_fail) */
		if (p->state == P_WAIT) {
			pend[k++] = *p;           /* for its server's callback */
			continue;
		}
		if (p->state == P_LAUNCH) {
			if (!(e = launch(p))) {
				p->state = P_WAIT;
				pend[k++] = *p;
				continue;
			}
		} else {
			e = p->label == FS_MOUNT ? do_mount(p) : do_umount(p);
		}
		if (p->mp != CAP_NULL)            /* failed: the caller keeps its reference */
			cairn_cap_delete(p->mp);
		if (e && p->mp_h)                 /* ...and ours, made for POSIX_MOUNT_AT, goes */
			handle_free(p->mp_h);
		if (!e && p->label == FS_MOUNT && root_wait && !root_mnt) {
			/* the disk the wait was for is mounted elsewhere: "/" is ours */
			root_wait = false;
			answer_deferred();
		}
		if (p->root != CAP_NULL)
			cairn_cap_delete(p->root);
		if (p->admin != CAP_NULL) {
			if (p->cb)
				stop_server(p->admin);   /* launched for nothing */
			cairn_cap_delete(p->admin);
		}
		if (p->cb)
			handle_free(p->cb);
		srv_answer_saved(p->reply, e, 0, 0, 0, 0, 0);
	}
	npend = k;
}

static void fs_mount(struct srv_req *r, struct srv_ans *a)
{
	uint64_t flags = r->w[0], sl = r->w[2], tl = r->w[3];
	struct handle *h = r->obj;
	unsigned first;
	struct mount *m;
	char src[64], type[24];

	if (h && h->kind == H_MOUNTCB) {
		mount_callback(r, a, h);
		return;
	}
	if (flags & POSIX_MOUNT_NONE) {
		/* the disk server cannot serve: no more waiting for it */
		if (r->badge) {
			a->err = ERR_PERM;
			return;
		}
		if (root_wait && !root_mnt) {
			printf("vfs: the disk's server gave up: the boot image's tree is /\n");
			root_wait = false;
			answer_deferred();
		}
		return;
	}

	if (sl >= sizeof(src) || tl >= sizeof(type) || !sl || !tl || sl + tl > r->nbytes) {
		a->err = ERR_INVAL;
		return;
	}
	copy_str(src, sizeof(src), (const char *)req_bytes, sl);
	copy_str(type, sizeof(type), (const char *)req_bytes + sl, tl);
	if (!(flags & POSIX_MOUNT_ROOT)) {
		mount_elsewhere(r, a, src, type);
		return;
	}
	if (r->badge) {
		a->err = ERR_PERM;
		return;
	}
	if (root_mnt) {
		a->err = ERR_BUSY;
		return;
	}
	first = r->ncaps == 3 ? 1 : 0;
	if (r->ncaps - first != 2 || r->caps[first] == CAP_NULL || r->caps[first + 1] == CAP_NULL) {
		a->err = ERR_INVAL;
		return;
	}
	if (!(m = mount_add("/", src, type))) {
		a->err = ERR_NOSPC;
		return;
	}
	m->flags = (uint32_t)flags & MS_RDONLY_BIT;
	m->builtin = true;
	m->root = r->caps[first];
	m->admin = r->caps[first + 1];
	r->caps[first] = r->caps[first + 1] = CAP_NULL;   /* kept */
	root_mnt = m;
	mount_work = true;
	mount_work_pending = true;
}

/* FS_SYNC_ALL, FS_UMOUNT (the root: sync only), FS_STATFS and FS_SYNCFS on our objects. */
static void fs_sync_all(struct srv_ans *a)
{
	for (unsigned i = 0; i < POSIX_MOUNT_MAX; i++) {
		struct cairn_msg m;
		err_t e;

		if (!mounts[i].used || mounts[i].own || mounts[i].dead)
			continue;
		m = cairn_call(mounts[i].root, cairn_tag(FS_SYNCFS, CAIRN_MSG_REGS, 0), 0, 0, 0, 0);
		e = m.err ? (err_t)m.err : (err_t)cairn_tag_label(m.tag);
		if (e && !a->err)
			a->err = e;
	}
}

static void fs_statfs(struct srv_req *r, struct srv_ans *a)
{
	const struct handle *h = r->obj;
	struct posix_statfs st = { 0 };
	struct cairn_msg q;
	uint64_t limit = 0, used = 0;

	if (!cairn_invoke(SLOT_SELF_PROC, PROC_QUOTA, 0, 0, 0, 0, 0, &q)) {
		limit = q.w[0];
		used = q.w[1];
	}
	st.type = 0x01021994;                     /* TMPFS_MAGIC */
	if (h->kind != H_NODE)
		st.type = 0x50495045;             /* PIPEFS_MAGIC */
	else if (h->node->flags & TMPFS_F_RDONLY)
		st.type = 0x9fa0;                 /* PROC_SUPER_MAGIC */
	st.bsize = st.frsize = TMPFS_PAGE;
	st.blocks = limit / TMPFS_PAGE;
	st.bfree = st.bavail = limit > used ? (limit - used) / TMPFS_PAGE : 0;
	st.files = HANDLE_MAX;
	st.ffree = handles_free();                /* (references take entries too) */
	st.fsid = st.type == 0x9fa0 ? TMPFS_DEV_RDONLY : TMPFS_DEV;
	st.namelen = TMPFS_NAME_MAX;
	if (st.type == 0x9fa0) {
		st.blocks = st.bfree = st.bavail = 0;
		st.flags = MS_RDONLY_BIT;
	}
	memcpy(ans_bytes, &st, sizeof(st));
	a->nbytes = sizeof(st);
}

/* mount and umount are root's (Linux: CAP_SYS_ADMIN, EPERM): the caller's
 * credential token (the last capability, taken out of r) says who it is;
 * the unbadged endpoint's holders are services. A launched server's
 * callback (its FS_MOUNT answer) is not asked. */
static bool may_mount(struct srv_req *r)
{
	const struct handle *h = r->obj;

	if (h && h->kind == H_MOUNTCB)
		return true;
	return cred_root(cred_take(r, !r->badge));
}

void serve_mount(struct srv_req *r, struct srv_ans *a)
{
	struct handle *h = r->obj;

	if ((r->label == FS_MOUNT || r->label == FS_UMOUNT) && !may_mount(r)) {
		a->err = ERR_PERM;
		return;
	}
	switch (r->label) {
	case FS_STATFS:
		if (is_root(h) && mount_root_request(a))
			return;
		fs_statfs(r, a);
		return;
	case FS_SYNCFS:
		if (is_root(h) && mount_root_request(a))
			return;
		return;                           /* memory: nothing to write back */
	case FS_MOUNT:
		fs_mount(r, a);
		return;
	case FS_UMOUNT:
		if (r->w[2] == 1 && r->nbytes >= 1 && req_bytes[0] == '/') {
			fs_sync_all(a);           /* "/": poweroff's; it stays */
			return;
		}
		if (r->w[2] >= MOUNT_PATH_MAX || r->w[2] > r->nbytes || !r->w[2]) {
			a->err = ERR_INVAL;
			return;
		}
		{
			struct pending *p = pend_new(a);

			if (!p)
				return;
			npend++;
			p->label = FS_UMOUNT;
			p->flags = (uint32_t)r->w[0];
			copy_str(p->path, sizeof(p->path), (const char *)req_bytes, r->w[2]);
			mount_work_pending = true;
		}
		return;
	case FS_SYNC_ALL:
		fs_sync_all(a);
		return;
	default:
		a->err = ERR_NOSYS;       /* FS_COVER, FS_UNCOVER, FS_MOUNTED: not taken yet */
	}
}
