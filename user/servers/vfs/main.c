/* SPDX-License-Identifier: MIT */
/*
 * vfs: the file server. It serves the I/O and file-system protocols of
 * include/cairn/posix.h on one Endpoint (the manifest's `endpoint:vfs`,
 * which the server holds with rights rwg so that it can mint from it),
 * over an in-memory tree (tmpfs.c) that starts with the boot image's
 * files, /tmp, /dev (dev.c: null, zero, full, random, urandom, and tty
 * and console, which open the console server's tty) and /proc (procfs.c:
 * with the manifest's optional "proc", the process server's endpoint,
 * unbadged).
 *
 * Design note.
 * - Objects. Every object a client holds (the root directory, an open
 *   file description, a pipe end) is an entry of the object table, named
 *   by the badge of the client's capability (vfs.h: index, generation,
 *   random bits). FS_OPEN and FS_PIPE make entries and answer with
 *   capabilities minted from the server's endpoint with the entry's badge
 *   (rights w+g); the server's own copy is deleted once the answer is
 *   through, so the table, not the capability table, bounds what is open.
 *   An entry is an open file description: its offset and status flags are
 *   shared by every holder. Each capability handed out is a reference of
 *   its own (objects.c: an H_REF entry, the capability's badge): IO_DUP
 *   answers a new one (dup, fork, exec, SCM_RIGHTS), IO_CLOSE through a
 *   capability releases its reference once (its badge is refused from
 *   then on: EBADF), and the last reference frees the description. A
 *   holder can release only what it holds, never another's.
 * - One thread, never blocked by a client: the server skeleton's loop
 *   (<cairn/server.h>) answers with SYS_REPLY_RECV or SYS_REPLY (neither
 *   waits), a call that must wait (a read of an empty pipe, a write to a
 *   full one) has its Reply saved and is answered later with SYS_SEND on
 *   it, and IO_POLL_ARM's Notifications are signalled (which never waits
 *   either). A shared pipe's lock words are only ever tried (pipe.c).
 *   A second thread, the skeleton's relay, turns the kernel's word that
 *   clients died (CAP_OP_WATCH) into a call: the references their
 *   capabilities were are released as IO_CLOSE would have.
 * - Nothing a client sends is trusted: the message length bounds every
 *   byte string read, every length, offset and flag word is checked, every
 *   capability a client sends is deleted from the server's table once the
 *   request is done (unless it is a Notification kept for IO_POLL_ARM),
 *   and the slots kept for saved Replies and Notifications are bounded
 *   (SLOT_BUDGET), so no client can fill the server's table.
 * - Memory: file data, pipe buffers and the tree are the server's (mem.c;
 *   a shared pipe's ring is a MemoryObject of its own); a client is
 *   charged nothing but its mappings of pipe rings.
 *
 * Files: main.c (this: start-up, dispatch), objects.c (the object table),
 * file.c (the I/O protocol), path.c (the file-system protocol), pipe.c
 * (pipes), dev.c (/dev), procfs.c (/proc), clock.c, mem.c (the server's
 * memory), tmpfs.c (the tree).
 */
#include <stdlib.h>
#include "internal.h"

#define GONE_BIT        1ull              /* on the relay's Notification: clients died */

struct tmpfs fs;
cap_t ep = CAP_NULL;
cap_t relay_note = CAP_NULL;
uint64_t vfs_ep_id;
uint8_t req_bytes[INLINE_MAX];
uint8_t *ans_bytes;
struct handle *req_ref;

/* ---- requests outside the protocol ---------------------------------------------------- */

static void debug_stats(struct srv_req *r, struct srv_ans *a)
{
	struct vfs_mem_stats ms;

	if (r->badge) {
		a->err = ERR_NOSYS;
		return;
	}
	vfs_mem_stats(&ms);
	ms.fmap_files = fmap_count();
	a->w[0] = hcount;
	a->w[1] = fs.nodes;
	a->w[2] = nwaiters;
	a->w[3] = narms;
	memcpy(ans_bytes, &ms, sizeof(ms));
	a->nbytes = sizeof(ms);
}

static void debug_evict(struct srv_req *r, struct srv_ans *a)
{
	if (r->badge) {
		a->err = ERR_NOSYS;
		return;
	}
	a->w[0] = fmap_evict();
}

static void debug_shutdown(struct srv_req *r, struct srv_ans *a)
{
	if (r->badge) {
		a->err = ERR_NOSYS;
		return;
	}
	cairn_reply(cairn_tag(0, CAIRN_MSG_REGS, 0), 0, 0, 0, 0);
	printf("vfs: shut down by request\n");
	exit(0);
}

/* ---- the skeleton's hooks ------------------------------------------------------------- */

static const struct srv_op ops[] = {
	{ IO_READ, IO_LOCK, serve_io },
	{ CAIRN_PAGER_LABEL, CAIRN_PAGER_LABEL, fmap_page_request },
	{ FS_OPEN, FS_PIPE, serve_fs },
	{ FS_STATFS, FS_SYNC_ALL, serve_mount },
	{ FS_MKNOD, FS_MKNOD, serve_fs },
	{ FS_CHOWN, FS_CHOWN, serve_fs },
	{ FS_FIFO, FS_FIFO, fs_fifo },
	{ VFS_DEBUG_STATS, VFS_DEBUG_STATS, debug_stats },
	{ VFS_DEBUG_SHUTDOWN, VFS_DEBUG_SHUTDOWN, debug_shutdown },
	{ VFS_DEBUG_EVICT, VFS_DEBUG_EVICT, debug_evict },
};

/* Every request names an entry of the object table by its badge. */
static err_t object(struct srv_req *r)
{
	struct handle *h;

	if (r->label == CAIRN_PAGER_LABEL)     /* a page request: its badge is a file's key */
		return ERR_OK;
	if (!(h = handle_find(r->badge)))
		return ERR_BADF;
	req_ref = entry_find(r->badge);
	if (req_ref->kind != H_REF)
		req_ref = NULL;
	if (h->kind == H_MOUNTCB && r->label != FS_MOUNT)
		return ERR_BADF;                /* a launched server's callback: FS_MOUNT only */
	r->obj = h;
	return ERR_OK;
}

/* A badge whose capability went with a dead process: its reference goes,
 * as an IO_CLOSE through it would have done (the kernel queues one badge
 * per capability, and each capability is a reference of its own). */
static void gone(uint64_t badge)
{
	struct handle *ref = entry_find(badge), *h = handle_find(badge);

	if (h && h->kind == H_MOUNTCB)
		mount_cb_gone(h);               /* a launched file-system server ended */
	else if (ref && ref->kind == H_REF) {
		if (h)
			lock_gone(h);           /* a dead process's locks */
		if (!ref->pinned)
			ref_close(ref);
	}
}

/* An answer with capabilities: the server's copies go once it is through
 * (the table, not the capability table, bounds what is open); if it never
 * arrived (an error answer, or the caller is gone), nobody holds what was
 * made for it. */
static void answered(struct srv_ans *a, err_t sent)
{
	for (unsigned i = 0; i < a->ncaps; i++) {
		cairn_cap_delete(a->caps[i]);
		if (sent && a->made[i] != NO_ENTRY) {
			struct handle *h = handle_at((uint32_t)a->made[i]);
			if (h->kind != H_FREE)
				handle_free(h);
		}
	}
}

/* The relay's bits that are not dead clients: the root's wait, the disks. */
static void event(uint64_t bits)
{
	mount_event(bits);
	dev_event(bits);
}

static struct srv srv = {
	.name = "vfs",
	.ops = ops,
	.nops = sizeof(ops) / sizeof(ops[0]),
	.in_buf = req_bytes,
	.in_max = INLINE_MAX,
	.object = object,
	.answered = answered,
	.gone = gone,
	.event = event,
	.work = mount_do_work,
	.work_pending = &mount_work_pending,
};

/* Clients' ends: the relay wakes on GONE_BIT of a Notification of our own. */
static void watch_clients(void)
{
	struct cairn_msg m;
	err_t e;

	if ((e = cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_NOTIFICATION, 0, 0, 0, &m)) ||
	    (e = srv_relay(&srv, relay_note = m.w[0], 8)) || (e = srv_watch(&srv, GONE_BIT)))
		printf("vfs: cannot watch for dead clients (%s): their references stay\n", err_name(e));
}

/* ---- start-up ------------------------------------------------------------------------- */

static void load_bootimage(void)
{
	cap_t img = cairn_cap("bootimage");
	unsigned added, skipped;
	uint64_t pages;
	void *va;
	err_t e;

	if (img == CAP_NULL) {
		printf("vfs: no boot image capability: the tree starts empty\n");
		return;
	}
	if ((e = cairn_memobj_pages(img, &pages)) || (e = cairn_map(img, 0, pages, CAIRN_PROT_R, &va))) {
		printf("vfs: cannot map the boot image: %s\n", err_name(e));
		return;
	}
	e = tmpfs_load_cpio(&fs, va, pages * CAIRN_PAGE_SIZE, &added, &skipped);
	printf("vfs: %u entries from the boot image", added);
	if (skipped)
		printf(", %u skipped", skipped);
	if (e)
		printf(" (archive: %s)", err_name(e));
	printf("\n");
}

int main(int argc, char **argv)
{
	unsigned root_wait = 0;
	bool disk_tmp = false;
	uint64_t id[3];
	err_t e;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--root-wait") && i + 1 < argc)
			root_wait = (unsigned)strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--disk-tmp"))
			disk_tmp = true;          /* the disk's /tmp stays: no tmpfs over it */
		else
			printf("vfs: unknown argument %s\n", argv[i]);
	}

	ep = cairn_cap("vfs");
	if (ep == CAP_NULL || cairn_cap_op(CAP_OP_IDENTIFY, ep, 0, 0, 0, id) || id[0] != OBJ_ENDPOINT ||
	    (id[1] & (RIGHT_READ | RIGHT_WRITE | RIGHT_GRANT)) != (RIGHT_READ | RIGHT_WRITE | RIGHT_GRANT) ||
	    id[2]) {
		printf("vfs: needs the unbadged endpoint \"vfs\" with rights rwg\n");
		return 1;
	}
	cairn_clock_init(cairn_cap("kinfo"));
	if ((e = tmpfs_init(&fs, cairn_realtime_ns))) {
		printf("vfs: cannot make the tree: %s\n", err_name(e));
		return 1;
	}
	load_bootimage();
	tmpfs_mkdir(&fs, fs.root, "tmp", 3, 01777);
	dev_init();
	procfs_init();
	if (objects_init(cairn_now_ns() ^ (uint64_t)(uintptr_t)&id ^ 0x5ca1ab1e0ddba11ull)) {
		printf("vfs: out of memory\n");
		return 1;
	}
	srv.ep = ep;
	{
		uint64_t eid[4];
		if (!cairn_cap_identify(ep, eid))
			vfs_ep_id = eid[3];
	}
	/* users (docs/users.md): tokens are the process server's */
	cred_init(cairn_cap("proc"), vfs_ep_id);
	ans_bytes = srv_out();
	fmap_setup();
	watch_clients();
	mount_init(root_wait, disk_tmp, tmpfs_synth_find(fs.root, "proc", 4));
	dev_blk_start();
	printf("vfs: serving\n");
	cairn_console_flush();
	srv_run(&srv);
	return 1;
}
