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
 * - The VFS root (badge 1, and badge 0) then answers every path request
 *   with ERR_REMOTE POSIX_REMOTE_NEWROOT and the disk's root: the caller
 *   keeps that as its root. Until the root arrives (with --root-wait),
 *   such requests wait (saved Replies); if it never does, they are told to
 *   ask again (POSIX_REMOTE_ROOT) and the VFS's own tree is "/".
 * - The VFS calls file servers only for mounting, unmounting and sync,
 *   after answering the request that asked (the skeleton's work hook):
 *   a file server that calls FS_MOUNT waits for that answer, not for us.
 */
#include <stdlib.h>
#include <format.h>
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
};

static struct mount mounts[POSIX_MOUNT_MAX];
static struct mount *root_mnt;            /* "/" from another server, once mounted */
static bool root_wait;
static cap_t deferred[DEFER_MAX];         /* root requests waiting for root_mnt */
static unsigned ndeferred;
static bool mount_work;                   /* the root arrived: covering to do */

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

void mount_init(unsigned root_wait_s, struct tmpfs_node *proc_dir)
{
	struct mount *m = mount_add("/", "rootfs", "tmpfs");

	m->own = true;
	m->node = fs.root;
	if (proc_dir && (m = mount_add("/proc", "proc", "proc"))) {
		m->own = true;
		m->node = proc_dir;
		m->flags = MS_RDONLY_BIT;
	}
	fs.mount_path = mount_path_of;
	root_wait = root_wait_s != 0;
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

		if (!m || !m->used || (i >= 0 && m == root_mnt) || (m->own && m->node == fs.root && root_mnt))
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
			if (mounts[i].used && !mounts[i].own && mounts[i].node == fs.remote)
				m = &mounts[i];
		e = m ? answer_cap(a, m->root) : ERR_NOENT;
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
		if ((a->err = answer_cap(a, root_mnt->root)))
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

		if (root_mnt && !cairn_cap_copy(root_mnt->root, RIGHT_WRITE | RIGHT_GRANT, &c)) {
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
	uint64_t r[3];
	err_t e;

	fmt_snprintf(path, sizeof(path), "/%s", name);
	if (!n || !tmpfs_is_dir(n))
		return;
	if (!(m = own_mount_of(n)) && !(m = mount_add(path, source, fstype))) {
		printf("vfs: %s: the mount table is full\n", path);
		return;
	}
	m->own = true;
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
	if ((e = cairn_cap_op(CAP_OP_MINT, ep, CAP_NULL, RIGHT_WRITE | RIGHT_GRANT, h->badge, r))) {
		handle_free(h);
		goto fail;
	}
	mine = r[0];
	e = call_path(root_mnt->admin, FS_COVER, 0, name, mine, NULL);
	cairn_cap_delete(mine);
	if (e) {
		handle_free(h);
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
	if (!mount_work)
		return;
	mount_work = false;
	fs.not_root = true;
	cover_own("tmp", "tmpfs", "tmpfs", 0);
	cover_own("dev", "devtmpfs", "devtmpfs", 0);
	cover_own("proc", "proc", "proc", MS_RDONLY_BIT);
	root_wait = false;
	answer_deferred();
	printf("vfs: / is %s (%s)\n", root_mnt->source, root_mnt->fstype);
}

static void fs_mount(struct srv_req *r, struct srv_ans *a)
{
	uint64_t flags = r->w[0], sl = r->w[2], tl = r->w[3];
	unsigned first;
	struct mount *m;
	char src[64], type[24];

	if (sl >= sizeof(src) || tl >= sizeof(type) || !sl || !tl || sl + tl > r->nbytes) {
		a->err = ERR_INVAL;
		return;
	}
	copy_str(src, sizeof(src), (const char *)req_bytes, sl);
	copy_str(type, sizeof(type), (const char *)req_bytes + sl, tl);
	if (!(flags & POSIX_MOUNT_ROOT)) {
		a->err = ERR_NODEV;      /* mounting a server's tree elsewhere: not yet */
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

		if (!mounts[i].used || mounts[i].own)
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
	st.ffree = HANDLE_MAX - hcount;
	st.fsid = st.type == 0x9fa0 ? TMPFS_DEV_RDONLY : TMPFS_DEV;
	st.namelen = TMPFS_NAME_MAX;
	if (st.type == 0x9fa0) {
		st.blocks = st.bfree = st.bavail = 0;
		st.flags = MS_RDONLY_BIT;
	}
	memcpy(ans_bytes, &st, sizeof(st));
	a->nbytes = sizeof(st);
}

void serve_mount(struct srv_req *r, struct srv_ans *a)
{
	struct handle *h = r->obj;

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
		a->err = ERR_INVAL;
		for (unsigned i = 0; i < POSIX_MOUNT_MAX; i++)
			if (mounts[i].used && strlen(mounts[i].path) == r->w[2] && r->w[2] <= r->nbytes &&
			    !memcmp(mounts[i].path, req_bytes, r->w[2]))
				a->err = ERR_BUSY;        /* ours stay, and others cannot go yet */
		return;
	case FS_SYNC_ALL:
		fs_sync_all(a);
		return;
	default:
		a->err = ERR_NOSYS;       /* FS_COVER, FS_UNCOVER, FS_MOUNTED: not taken yet */
	}
}
