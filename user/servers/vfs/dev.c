/* SPDX-License-Identifier: MIT */
/*
 * The VFS server's character devices under /dev, with Linux's numbers:
 *
 *   null     1,3   reads end at once, writes take everything
 *   zero     1,5   reads give zeros, writes take everything
 *   full     1,7   reads give zeros, writes fail with ENOSPC
 *   random   1,8   reads give random bytes (libcairn's generator,
 *   urandom  1,9   <cairn/random.h>, seeded at start-up from the entropy
 *                  server when the manifest gives "rng", else from
 *                  jitter; every read folds the time counter in);
 *                  writes are taken and folded in too. musl-port's
 *                  programs read these from their own generator instead
 *                  (musl-port/src/cairn/fd.c): the VFS serves the others
 *   tty      5,0   opening one gives the console server's tty (the
 *   console  5,1   capability the manifest names "tty", an unbadged
 *                  endpoint:console with rights wg): a capability minted
 *                  POSIX_TTY_SHARED, the console's shared open description
 *                  (so O_NONBLOCK set on it is everyone's, as for the
 *                  descriptors 0-2 pid 1 starts with; a dup or fork of it
 *                  makes references of their own, IO_DUP). What is
 *                  opened is the console server's object: reads, writes,
 *                  ioctls (isatty, tcgetattr) and its stat go there.
 *                  Without "tty" opening them is ENXIO. The console
 *                  server cannot tell whether the opener has a controlling
 *                  terminal, so /dev/tty is the console for everyone.
 *   ptmx     5,2   pseudo-terminals, the console server's too: opening
 *   pts/N  136,N   one answers a capability to the console server minted
 *                  POSIX_PTY_OPENER | POSIX_PTY_PTMX (or | N) with
 *                  POSIX_OPEN_CLONE next to S_IFCHR; the opener's libc
 *                  asks it for the description itself (TTY_PTY_OPEN), so
 *                  the VFS never waits for the console server. pts/ holds
 *                  a node for each of the server's 64 ptys, whether it is
 *                  in use or not (opening one not in use: ENOENT).
 *
 * Nodes of the tree (tmpfs.c) carry the number; stat of the path shows it.
 * The devices have no state of their own but the generator.
 *
 * With the manifest's "devmgr" (the device manager), /dev also names the
 * disks it found: blkN, a block device node with Linux's number for the
 * Nth SCSI disk (8, 16 N: what the ext2 server's files say as st_dev), for
 * mount(2) and ls; opening one is ENXIO (no block I/O through the VFS).
 * A thread reads DEV_LIST (the device manager serves once it has
 * enumerated the devices, so the call waits for that) and signals the
 * relay (DEVS_BIT); the main thread then makes the nodes. A lookup in or
 * a read of /dev before then (a program started at boot, racing the
 * device manager) waits for the list, at most BLK_WAIT_NS, so that the
 * disks are there for the first program as they are for later ones.
 * Disks found later (none are: no hot plug) are not listed.
 */
#include <cairn/random.h>
#include <cairn/counter.h>
#include <cairn/dev.h>
#include "internal.h"

static struct cairn_rng rng;
static cap_t tty = CAP_NULL;          /* POSIX_TTY_SHARED, minted from "tty" */
static cap_t tty_ep = CAP_NULL;       /* "tty" itself, to mint the pty openers */

static const struct {
	const char *path;
	uint32_t mode;
	uint64_t rdev;
} devs[] = {
	{ "/dev/null", 0666, DEV_NULL },
	{ "/dev/zero", 0666, DEV_ZERO },
	{ "/dev/full", 0666, DEV_FULL },
	{ "/dev/random", 0666, DEV_RANDOM },
	{ "/dev/urandom", 0666, DEV_URANDOM },
	{ "/dev/tty", 0666, DEV_TTY },
	{ "/dev/console", 0620, DEV_CONSOLE },
	{ "/dev/ptmx", 0666, DEV_PTMX },
};

/* ---- the disks' nodes ------------------------------------------------------------------ */

#define BLK_MAX   16
#define DEVS_BIT  4ull                    /* on the relay's Notification */

static char blk_names[BLK_MAX][DEV_NAME_MAX + 1];
static unsigned nblk;
static char list_text[4096];
static struct cairn_ipcbuf *volatile blk_ib;   /* the thread's own IPC buffer */
static cap_t blk_go = CAP_NULL;                 /* signalled once blk_ib is set; then
						 * by the thread once the list is in */
static bool blk_pending;                        /* the thread runs: no nodes yet */
static struct tmpfs_node *dev_dir;

#define BLK_WAIT_NS  (5 * 1000000000ull)

static void blk_list(cap_t dm)
{
	size_t len = 0;
	unsigned first = 0;

	for (;;) {
		struct cairn_msg m = cairn_call(dm, cairn_tag(DEV_LIST, CAIRN_MSG_REGS, 0), first, 0, 0, 0);
		size_t n = (cairn_tag_len(m.tag) - CAIRN_MSG_REGS) * 8, tl;
		const char *t = (const char *)&blk_ib->w[CAIRN_MSG_REGS];

		if (m.err || cairn_tag_label(m.tag) || !m.w[0] || cairn_tag_len(m.tag) < CAIRN_MSG_REGS)
			break;
		tl = strnlen(t, n);
		if (len + tl >= sizeof(list_text))
			break;
		memcpy(list_text + len, t, tl);
		len += tl;
		first += (unsigned)m.w[0];
		if (first >= m.w[1])
			break;
	}
	list_text[len] = 0;
}

/* blk followed by digits only: a disk's name, and its number */
static bool blk_name(const char *s, size_t n, unsigned long *num)
{
	if (n < 4 || n > 7 || strncmp(s, "blk", 3))
		return false;
	*num = 0;
	for (size_t i = 3; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*num = *num * 10 + (unsigned long)(s[i] - '0');
	}
	return true;
}

static void blk_thread(uint64_t arg)
{
	cap_t dm = (cap_t)arg;
	unsigned long num;

	/* registers only but for the answer's text, which lands in this
	 * thread's own IPC buffer (the runtime's cairn_ipcbuf() is the main
	 * thread's): its address is known once the start has returned */
	while (!blk_ib)
		cairn_wait(blk_go, CAIRN_FOREVER, NULL);
	blk_list(dm);
	for (const char *l = list_text; *l && nblk < BLK_MAX;) {
		const char *e = strchr(l, '\n'), *sp = strchr(l, ' ');
		if (!e)
			break;
		if (sp && sp < e && blk_name(l, (size_t)(sp - l), &num)) {
			memcpy(blk_names[nblk], l, (size_t)(sp - l));
			blk_names[nblk++][sp - l] = 0;
		}
		l = e + 1;
	}
	cairn_invoke(blk_go, NOTIFY_SIGNAL, 0, 2, 0, 0, 0, NULL);
	cairn_invoke(relay_note, NOTIFY_SIGNAL, 0, DEVS_BIT, 0, 0, 0, NULL);
	cairn_thread_exit();
}

/* After the relay started: the thread that lists the disks. */
void dev_blk_start(void)
{
	cap_t dm = cairn_cap("devmgr");
	struct cairn_ipcbuf *ib;
	struct cairn_msg m;

	if (dm == CAP_NULL || relay_note == CAP_NULL)
		return;
	if (cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_NOTIFICATION, 0, 0, 0, &m) ||
	    (blk_go = m.w[0], cairn_thread_start_ipcbuf(blk_thread, (uint64_t)dm, 8, NULL, &ib))) {
		printf("vfs: cannot start the thread that lists the disks: no /dev/blkN\n");
		return;
	}
	blk_pending = true;
	blk_ib = ib;
	cairn_invoke(blk_go, NOTIFY_SIGNAL, 0, 1, 0, 0, 0, NULL);
}

static void blk_nodes(void)
{
	struct tmpfs_node *d = dev_dir;
	unsigned long num;

	blk_pending = false;
	if (!d)
		return;
	for (unsigned i = 0; i < nblk; i++) {
		uint64_t minor;

		if (!blk_name(blk_names[i], strlen(blk_names[i]), &num))
			continue;
		minor = num * 16;
		tmpfs_mkdev(&fs, d, blk_names[i], strlen(blk_names[i]), TMPFS_S_IFBLK | 0660,
			    (minor & 0xff) | 0x800 | (minor & ~0xffull) << 12);
	}
}

/* The relay's bits: the disks are listed. */
void dev_event(uint64_t bits)
{
	if ((bits & DEVS_BIT) && blk_pending)
		blk_nodes();
}

/* Before a lookup in /dev or a read of it: the disks' nodes, once the
 * thread has them (bit 2 of blk_go; the relay's DEVS_BIT may come later,
 * and then finds the work done). Past BLK_WAIT_NS /dev goes on without
 * them; they come with the relay's bit if the list ever arrives. Waited
 * once only: a device manager that never answers costs one lookup 5 s,
 * not every lookup. */
static bool blk_waited;

static void blk_wait(void)
{
	uint64_t end = cairn_now_ns() + BLK_WAIT_NS, bits = 0;

	blk_waited = true;
	while (blk_pending && !(bits & 2)) {
		uint64_t now = cairn_now_ns(), b = 0;

		if (now >= end || cairn_wait(blk_go, end - now, &b))
			return;
		bits |= b;
	}
	if (blk_pending)
		blk_nodes();
}

err_t dev_synth_lookup(struct tmpfs_node *dir)
{
	if (dir == dev_dir && blk_pending && !blk_waited)
		blk_wait();
	return ERR_OK;
}

void dev_synth_fill(struct tmpfs_node *dir)
{
	dev_synth_lookup(dir);
}

void dev_init(void)
{
	cap_t ep = cairn_cap("tty");
	uint64_t id[3];

	tmpfs_mkdir(&fs, fs.root, "dev", 3, 0755);
	if ((dev_dir = tmpfs_synth_find(fs.root, "dev", 3)))
		dev_dir->flags |= TMPFS_F_SYNTH;
	for (unsigned i = 0; i < sizeof(devs) / sizeof(devs[0]); i++)
		tmpfs_mkdev(&fs, fs.root, devs[i].path, strlen(devs[i].path), devs[i].mode, devs[i].rdev);
	tmpfs_mkdir(&fs, fs.root, "dev/pts", 7, 0755);
	/* POSIX shared memory (shm_open) and named semaphores (sem_open):
	 * files of this tmpfs, anyone's to make, only their owners' to
	 * remove (sticky, as /tmp) */
	tmpfs_mkdir(&fs, fs.root, "dev/shm", 7, 01777);
	/* POSIX message queues (mq_open): a file a queue, which its users
	 * map (musl-port/src/cairn/mq.c) */
	tmpfs_mkdir(&fs, fs.root, "dev/mqueue", 10, 01777);
	/* System V IPC (msgget, semget, shmget): a registry of keys and a
	 * file an object, which their users map and check (musl-port's
	 * sysvipc.c); not sticky, as an object's owner (IPC_SET) removes it */
	tmpfs_mkdir(&fs, fs.root, "dev/sysvipc", 11, 0777);
	for (unsigned i = 0; i < DEV_NPTS; i++) {
		char path[16] = "/dev/pts/";
		size_t len = 9;
		if (i >= 10)
			path[len++] = (char)('0' + i / 10);
		path[len++] = (char)('0' + i % 10);
		tmpfs_mkdev(&fs, fs.root, path, len, 0620, DEV_PTS0 + i);
	}
	if (cairn_cap("rng") == CAP_NULL || cairn_rng_seed_from(&rng, cairn_cap("rng")))
		cairn_rng_seed(&rng, cairn_cap("kinfo"));
	if (ep == CAP_NULL)
		return;
	if (cairn_cap_op(CAP_OP_IDENTIFY, ep, CAP_NULL, 0, 0, id) || id[0] != OBJ_ENDPOINT || id[2] ||
	    !(id[1] & RIGHT_WRITE) ||
	    cairn_cap_op(CAP_OP_MINT, ep, CAP_NULL, RIGHT_WRITE | RIGHT_GRANT, POSIX_TTY_SHARED, id)) {
		printf("vfs: \"tty\" is not an unbadged endpoint with rights wg: no /dev/tty\n");
		return;
	}
	tty = id[0];
	tty_ep = ep;
}

bool dev_is_tty(const struct tmpfs_node *n)
{
	return tmpfs_is_chr(n) && (n->rdev == DEV_TTY || n->rdev == DEV_CONSOLE ||
				   n->rdev == DEV_PTMX ||
				   (n->rdev >= DEV_PTS0 && n->rdev < DEV_PTS0 + DEV_NPTS));
}

err_t dev_open_tty(struct srv_ans *a, const struct tmpfs_node *n)
{
	uint64_t r[3];
	err_t e;

	if (tty == CAP_NULL)
		return ERR_NXIO;
	if (n->rdev == DEV_PTMX || n->rdev >= DEV_PTS0) {
		uint64_t which = n->rdev == DEV_PTMX ? POSIX_PTY_PTMX : n->rdev - DEV_PTS0;
		if ((e = cairn_cap_op(CAP_OP_MINT, tty_ep, CAP_NULL, RIGHT_WRITE | RIGHT_GRANT,
				      POSIX_PTY_OPENER | which, r)))
			return e;
		a->caps[a->ncaps] = r[0];
		a->made[a->ncaps] = NO_ENTRY;
		a->ncaps++;
		return ERR_OK;
	}
	if ((e = cairn_cap_op(CAP_OP_COPY, tty, CAP_NULL, RIGHT_WRITE | RIGHT_GRANT, 0, r)))
		return e;
	a->caps[a->ncaps] = r[0];
	a->made[a->ncaps] = NO_ENTRY;
	a->ncaps++;
	return ERR_OK;
}

void dev_read(struct srv_ans *a, const struct tmpfs_node *n, uint64_t max)
{
	size_t got = (size_t)max;

	switch (n->rdev) {
	case DEV_RANDOM:
	case DEV_URANDOM:
		cairn_rng_mix(&rng, seed_jitter());
		cairn_rng_bytes(&rng, ans_bytes, got);
		break;
	case DEV_ZERO:
	case DEV_FULL:
		memset(ans_bytes, 0, got);
		break;
	default:                              /* null: the end at once */
		got = 0;
		break;
	}
	a->w[0] = got;
	a->nbytes = got;
}

void dev_write(struct srv_ans *a, const struct tmpfs_node *n, const uint8_t *data, uint64_t len)
{
	uint64_t v;

	switch (n->rdev) {
	case DEV_FULL:
		a->err = ERR_NOSPC;
		return;
	case DEV_RANDOM:
	case DEV_URANDOM:
		for (uint64_t i = 0; i < len; i += 8) {
			v = 0;
			memcpy(&v, data + i, len - i < 8 ? len - i : 8);
			cairn_rng_mix(&rng, v);
		}
		break;
	default:
		break;
	}
	a->w[0] = len;
}
