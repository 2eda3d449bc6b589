/* SPDX-License-Identifier: MIT */
/*
 * deathtest: a server dies while its clients use it (docs/manifest.md,
 * "When a server dies"). The test holds the server's Process ("victim",
 * the manifest's process:<service> source) and kills it while one of its
 * threads waits in a call the server put aside (a read of an empty pipe
 * or tty) and it holds objects of the server. Every call must end with an
 * error, none may wait for ever:
 *
 *   deathtest vfs            the VFS, restarted by init (restart 1): the
 *                            waiting read fails (EPIPE), the old file
 *                            and pipe answer EBADF from the new instance,
 *                            /tmp's file died with the tmpfs, a new file
 *                            works, and a page of the old file not yet
 *                            in memory faults instead of being asked of
 *                            the new instance for ever (a child process
 *                            touches it: the kernel ends it)
 *                            (deathtest-vfs.manifest)
 *   deathtest vfs-final      the VFS, not restarted: the waiting read, the
 *                            old objects and new opens fail with EPIPE
 *                            at once (deathtest-vfs-final.manifest)
 *   deathtest console        the console server, restarted: the waiting
 *                            tty read fails, an old description answers
 *                            EBADF (even after a new one is made: its
 *                            badge names no new description), the tty
 *                            works anew (deathtest-console.manifest)
 *   deathtest ext2           the ext2 server, restarted, killed while a
 *                            thread reads a file in a loop: that thread's
 *                            last call fails (EPIPE, or EBADF from the new
 *                            instance), the old file answers EBADF, and the
 *                            file, synced before, is still on the disk
 *                            (deathtest-ext2.manifest)
 *   deathtest entropy        the entropy server, restarted, killed while a
 *                            thread reads random bytes in a loop: that
 *                            thread's calls end, and reads work after
 *                            (deathtest-entropy.manifest)
 *   deathtest devmgr         the device manager, not restarted, killed
 *                            after a lookup of "rng": lookups fail with
 *                            EPIPE at once, the driver it started still
 *                            serves (deathtest-devmgr.manifest)
 *   deathtest net-restart    the network server killed and restarted:
 *                            the waiting read fails, a new pair works, an
 *                            old socket is EBADF and never writes into a
 *                            new one (deathtest-net-restart.manifest)
 *
 *   deathtest net            the network server, not restarted, killed
 *                            while a thread reads an empty socket of a
 *                            pair: the read, a write on the other end and
 *                            a new socket fail with EPIPE at once
 *                            (deathtest-net.manifest)
 *   deathtest nostart        the VFS's program is not in the boot image:
 *                            init gives its endpoint up at once, so an
 *                            open fails with EPIPE instead of waiting for
 *                            a server that never comes
 *                            (deathtest-nostart.manifest)
 *   deathtest essential      kills the VFS, marked essential: init stops
 *                            the system (deathtest-essential.manifest;
 *                            the harness checks init's lines and status);
 *                            `essential late`: half a second later
 *
 *   deathtest toucher N      (the child) maps "obj" and reads its page N
 *
 *   deathtest sleeper        waits for ever: the process server's pid 1 in
 *                            deathtest-proc.manifest, where `deathtest
 *                            essential` kills the process server (the
 *                            exitstatus service: its death ends the system)
 *
 * One `ok N death.NAME` line a check, then "kills survived: N" and
 * `N passed, N failed`; the program's status is the number of failures.
 */
#include <string.h>
#include <lib/cpio.h>
#include <cairn/dev.h>
#include <cairn/dev_client.h>
#include <cairn/sock.h>
#include <cairn/rt.h>
#include <cairn/spawn.h>
#include <cairn/posix.h>
#include <cairn/linux.h>
#include <cairn/test.h>

#define WAIT_MS  3000        /* no call may take longer than this */

static cap_t victim, vfs, tty, ext2, rng, devmgr, net;
static unsigned kills;

/* ---- calls -------------------------------------------------------------------------- */

/* An answer: the call's error or the answer's label, w0, one capability. */
struct res {
	err_t err;
	uint64_t w0;
	cap_t cap0, cap1;
};

static uint8_t *bytes_of(struct cairn_ipcbuf *ib)
{
	return (uint8_t *)&ib->w[CAIRN_MSG_REGS];
}

static struct res call_in(struct cairn_ipcbuf *ib, cap_t obj, uint32_t op, uint64_t w0,
			  uint64_t w1, uint64_t w2, const void *data, size_t n)
{
	struct res r = { 0, 0, CAP_NULL, CAP_NULL };
	struct cairn_msg m;

	if (n)
		memcpy(bytes_of(ib), data, n);
	m = cairn_call(obj, cairn_tag(op, posix_words(n), 0), w0, w1, w2, 0);
	r.err = m.err ? (err_t)m.err : (err_t)cairn_tag_label(m.tag);
	r.w0 = m.w[0];
	if (!r.err && cairn_tag_ncaps(m.tag) >= 1)
		r.cap0 = ib->caps[0];
	if (!r.err && cairn_tag_ncaps(m.tag) >= 2)
		r.cap1 = ib->caps[1];
	return r;
}

static struct res call(cap_t obj, uint32_t op, uint64_t w0, uint64_t w1, uint64_t w2,
		       const void *data, size_t n)
{
	return call_in(cairn_ipcbuf(), obj, op, w0, w1, w2, data, n);
}

static err_t open_path(const char *path, uint32_t flags, cap_t *out)
{
	struct res r = call(vfs, FS_OPEN, flags, 0644, strlen(path), path, strlen(path));

	*out = r.cap0;
	if (!r.err && r.cap0 == CAP_NULL)
		return ERR_IO;
	return r.err;
}

static err_t write_str(cap_t obj, const char *s)
{
	struct res r = call(obj, IO_WRITE, strlen(s), 0, 0, s, strlen(s));

	if (!r.err && r.w0 != strlen(s))
		return ERR_IO;
	return r.err;
}

static void sleep_ms(unsigned ms)
{
	struct cairn_msg m;
	cap_t n;

	if (cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_NOTIFICATION, 0, 0, 0, &m))
		return;
	n = m.w[0];
	cairn_wait(n, (uint64_t)ms * 1000000, NULL);
	cairn_cap_delete(n);
}

/* ---- a thread that waits in a read the server puts aside ---------------------------- */

static struct {
	cap_t obj, done;
	struct cairn_ipcbuf *ib;
	volatile int started;
	volatile err_t err;
} reader;

static void reader_main(uint64_t arg)
{
	(void)arg;
	reader.started = 1;
	reader.err = call_in(reader.ib, reader.obj, IO_READ, 64, 0, 0, NULL, 0).err;
	cairn_invoke(reader.done, NOTIFY_SIGNAL, 0, 1, 0, 0, 0, NULL);
}

static err_t reader_start(cap_t obj)
{
	struct cairn_msg m;
	err_t e;

	if ((e = cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_NOTIFICATION, 0, 0, 0, &m)))
		return e;
	reader.done = m.w[0];
	reader.obj = obj;
	reader.err = -1;
	if ((e = cairn_thread_start_ipcbuf(reader_main, 0, 8, NULL, &reader.ib)))
		return e;
	while (!reader.started)
		sleep_ms(5);
	sleep_ms(200);         /* in its call, put aside by the server */
	return ERR_OK;
}

/* The reader's error once its read ended, or -1 if it still waits. */
static long reader_end(void)
{
	uint64_t bits = 0;

	cairn_wait(reader.done, (uint64_t)WAIT_MS * 1000000, &bits);
	return bits ? (long)reader.err : -1;
}

/* A thread that makes the same call on obj until one fails: its error
 * and how many succeeded. */
static struct {
	cap_t obj, done;
	uint32_t op;
	uint64_t w0, w1;
	struct cairn_ipcbuf *ib;
	volatile unsigned ok;
	volatile err_t err;
} looper;

static void looper_main(uint64_t arg)
{
	err_t e;

	(void)arg;
	while (!(e = call_in(looper.ib, looper.obj, looper.op, looper.w0, looper.w1, 0, NULL, 0).err))
		looper.ok++;
	looper.err = e;
	cairn_invoke(looper.done, NOTIFY_SIGNAL, 0, 1, 0, 0, 0, NULL);
}

static err_t looper_start(cap_t obj, uint32_t op, uint64_t w0, uint64_t w1)
{
	struct cairn_msg m;
	err_t e;

	if ((e = cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_NOTIFICATION, 0, 0, 0, &m)))
		return e;
	looper.done = m.w[0];
	looper.err = -1;
	looper.obj = obj;
	looper.op = op;
	looper.w0 = w0;
	looper.w1 = w1;
	if ((e = cairn_thread_start_ipcbuf(looper_main, 0, 8, NULL, &looper.ib)))
		return e;
	while (looper.ok < 3)
		sleep_ms(2);
	return ERR_OK;
}

/* The looper's error once it stopped, or -1 if it still waits. */
static long looper_end(void)
{
	uint64_t bits = 0;

	cairn_wait(looper.done, (uint64_t)WAIT_MS * 1000000, &bits);
	return bits ? (long)looper.err : -1;
}

/* ---- the kill ------------------------------------------------------------------------ */

static bool kill_victim(void)
{
	err_t e = cairn_invoke(victim, PROC_KILL, 0, 9, 0, 0, 0, NULL);

	if (!e)
		kills++;
	return t_ok(!e, "death.kill");
}

/* The time a call took, checked against WAIT_MS. */
static uint64_t t0;
static void clock_start(void) { t0 = now_ns(); }
static bool in_time(void) { return now_ns() - t0 < (uint64_t)WAIT_MS * 1000000; }

/* ---- a child that touches a page of a file's MemoryObject ------------------------------ */

#define FILE_PAGES 16

static int toucher_main(const char *page)
{
	cap_t obj = cairn_cap("obj");
	unsigned long i = page[0] - '0';
	void *va;

	if (obj == CAP_NULL || cairn_map(obj, 0, FILE_PAGES, CAIRN_PROT_R, &va))
		return 2;
	return ((volatile uint8_t *)va)[i * CAIRN_PAGE_SIZE];   /* 0: supplied, zero */
}

/* Starts the toucher on obj's page `page`; how it ended, or -1 if it is
 * still running after WAIT_MS (killed then). */
static int touch_in_child(cap_t obj, const char *page, struct cairn_proc_status *st)
{
	const char *argv[] = { "toucher", "toucher", page };
	cap_t image_cap = cairn_cap("bootimage");
	struct cairn_spawn_cap caps[] = {
		{ "console", cairn_console_cap(), RIGHT_WRITE, 0 },
		{ "obj", obj, RIGHT_READ, 0 },
	};
	struct cairn_spawn sp = { 0 };
	struct cairn_child child;
	struct cpio_entry ent;
	struct cairn_msg m;
	uint64_t pages, bits = 0;
	const void *image;
	void *va;

	if (image_cap == CAP_NULL || cairn_memobj_pages(image_cap, &pages) ||
	    cairn_map(image_cap, 0, pages, CAIRN_PROT_R, &va))
		return -2;
	image = va;
	if (cpio_find(image, pages * CAIRN_PAGE_SIZE, "bin/deathtest", &ent) ||
	    cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_NOTIFICATION, 0, 0, 0, &m))
		return -2;
	sp.image = image_cap;
	sp.offset = (uint64_t)((const char *)ent.data - (const char *)image);
	sp.size = ent.size;
	sp.name = "toucher";
	sp.argc = 3;
	sp.argv = argv;
	sp.caps = caps;
	sp.ncaps = 2;
	sp.quota = 512 * 1024;
	sp.priority = 8;
	sp.exit_notify = m.w[0];
	sp.exit_bits = 1;
	if (cairn_spawn(&sp, &child))
		return -2;
	cairn_wait(m.w[0], (uint64_t)WAIT_MS * 1000000, &bits);
	if (!bits)
		cairn_invoke(child.proc, PROC_KILL, 0, 9, 0, 0, 0, NULL);
	cairn_child_status(&child, st);
	cairn_child_release(&child);
	cairn_cap_delete(m.w[0]);
	return bits ? 0 : -1;
}

/* ---- the VFS ------------------------------------------------------------------------- */

static int vfs_test(bool restarted)
{
	cap_t file, rd = CAP_NULL, wr = CAP_NULL, again, mo;
	struct cairn_proc_status st;
	int how;
	struct res r;
	err_t e;
	long re;

	e = open_path("/tmp/kept", LINUX_O_RDWR | LINUX_O_CREAT, &file);
	if (!t_ok(!e, "death.vfs_open"))
		return 1;
	t_ok(write_str(file, "before the death") == ERR_OK, "death.vfs_write");
	/* the file's pages: 16, of which only the first has been written */
	e = call(file, IO_TRUNCATE, FILE_PAGES * CAIRN_PAGE_SIZE, 0, 0, NULL, 0).err;
	r = call(file, IO_FMAP, 0, FILE_PAGES * CAIRN_PAGE_SIZE, 0, NULL, 0);
	mo = r.cap0;
	if (!t_ok(!e && !r.err && mo != CAP_NULL, "death.vfs_fmap"))
		return 1;
	r = call(vfs, FS_PIPE, 0, 0, 0, NULL, 0);
	rd = r.cap0;
	wr = r.cap1;
	if (!t_ok(!r.err && rd != CAP_NULL && wr != CAP_NULL, "death.vfs_pipe"))
		return 1;
	if (!t_ok(reader_start(rd) == ERR_OK, "death.vfs_reader"))
		return 1;
	if (!kill_victim())
		return 1;
	re = reader_end();
	if (re == -1)
		t_failf("the read of the empty pipe still waits");
	else if (re != ERR_PIPE)
		t_failf("the read of the empty pipe ended with %s", err_name((err_t)re));
	t_ok(re == ERR_PIPE, "death.vfs_waiting_read_fails");

	/* the old objects: the new instance does not know their badges */
	clock_start();
	e = write_str(file, "after");
	if (e != (restarted ? ERR_BADF : ERR_PIPE))
		t_failf("write to the old file: %s", err_name(e));
	t_ok(e == (restarted ? ERR_BADF : ERR_PIPE) && in_time(), "death.vfs_old_file");
	clock_start();
	e = write_str(wr, "x");
	if (e != (restarted ? ERR_BADF : ERR_PIPE))
		t_failf("write to the old pipe: %s", err_name(e));
	t_ok(e == (restarted ? ERR_BADF : ERR_PIPE) && in_time(), "death.vfs_old_pipe");

	/* a page of the old file nobody has asked for yet: the dead server
	 * bound it, the new one cannot supply it; the touch must fault */
	how = touch_in_child(mo, "9", &st);
	if (how == -1)
		t_failf("the touch of an old file's page still waits");
	else if (how < 0)
		t_failf("cannot start the child");
	else if (st.state != PROC_STATE_FAULTED)
		t_failf("the child ended in state %u, status %ld", st.state, (long)st.status);
	t_ok(how == 0 && st.state == PROC_STATE_FAULTED, "death.vfs_old_page_faults");

	/* opening anew */
	clock_start();
	e = open_path("/tmp/kept", LINUX_O_RDWR, &again);
	if (e != (restarted ? ERR_NOENT : ERR_PIPE))
		t_failf("open of /tmp/kept after the death: %s", err_name(e));
	t_ok(e == (restarted ? ERR_NOENT : ERR_PIPE) && in_time(), "death.vfs_tmpfs_died");
	if (restarted) {
		char buf[16] = { 0 };

		e = open_path("/tmp/new", LINUX_O_RDWR | LINUX_O_CREAT, &again);
		t_ok(!e, "death.vfs_open_anew");
		if (!e) {
			e = write_str(again, "new");
			r = call(again, IO_PREAD, sizeof(buf), 0, 0, NULL, 0);
			if (!r.err && r.w0 <= sizeof(buf))
				memcpy(buf, bytes_of(cairn_ipcbuf()), r.w0);
			if (e || r.err || r.w0 != 3 || memcmp(buf, "new", 3))
				t_failf("new file: write %s, read %s, %lu bytes", err_name(e),
					err_name(r.err), (unsigned long)r.w0);
			t_ok(!e && !r.err && r.w0 == 3 && !memcmp(buf, "new", 3), "death.vfs_new_file_works");
		}
	}
	return 0;
}

/* ---- the console ---------------------------------------------------------------------- */

static int console_test(void)
{
	struct res r, nd;
	err_t e;
	long re;

	r = call(tty, TTY_OPEN, 0, 0, 0, NULL, 0);
	if (!t_ok(!r.err && r.cap0 != CAP_NULL, "death.tty_open"))
		return 1;
	t_ok(write_str(r.cap0, "deathtest: a description of the tty\n") == ERR_OK, "death.tty_write");
	if (!t_ok(reader_start(tty) == ERR_OK, "death.tty_reader"))
		return 1;
	if (!kill_victim())
		return 1;
	re = reader_end();
	if (re == -1)
		t_failf("the read of the tty still waits");
	else if (re != ERR_PIPE)
		t_failf("the read of the tty ended with %s", err_name((err_t)re));
	t_ok(re == ERR_PIPE, "death.tty_waiting_read_fails");

	/* anew: the unbadged tty and a new description, served by the new
	 * instance (this call waits in the endpoint until it serves) */
	clock_start();
	e = write_str(tty, "deathtest: the tty after the restart\n");
	t_ok(e == ERR_OK && in_time(), "death.tty_works_anew");
	nd = call(tty, TTY_OPEN, 0, 0, 0, NULL, 0);
	t_ok(!nd.err && nd.cap0 != CAP_NULL, "death.tty_open_anew");
	/* the old description names nothing, whatever was opened since */
	e = write_str(r.cap0, "deathtest: through the old description\n");
	if (e != ERR_BADF)
		t_failf("write to the old description: %s", err_name(e));
	t_ok(e == ERR_BADF, "death.tty_old_description");
	return 0;
}

/* ---- ext2: the files are on the disk -------------------------------------------------------- */

static err_t open_in(cap_t root, const char *path, uint32_t flags, cap_t *out)
{
	struct res r = call(root, FS_OPEN, flags, 0644, strlen(path), path, strlen(path));

	*out = r.cap0;
	if (!r.err && r.cap0 == CAP_NULL)
		return ERR_IO;
	return r.err;
}

static int ext2_test(void)
{
	static const char text[] = "kept on the disk";
	char buf[32] = { 0 };
	cap_t file, again;
	struct res r;
	err_t e;
	long le;

	e = open_in(ext2, "/kept", LINUX_O_RDWR | LINUX_O_CREAT, &file);
	if (!t_ok(!e, "death.ext2_open"))
		return 1;
	/* syncfs, not fsync: fsync writes the file and its inode, but the
	 * allocation bitmaps stay in the dead server's memory (e2fsck would
	 * then find them behind); the disk is checked after the boot */
	t_ok(write_str(file, text) == ERR_OK && !call(file, FS_SYNCFS, 0, 0, 0, NULL, 0).err,
	     "death.ext2_write_sync");
	if (!t_ok(looper_start(file, IO_PREAD, 8, 0) == ERR_OK, "death.ext2_reader"))
		return 1;
	if (!kill_victim())
		return 1;
	le = looper_end();
	if (le == -1)
		t_failf("the reading thread still waits");
	else if (le != ERR_PIPE && le != ERR_BADF)
		t_failf("the reading thread's last call: %s", err_name((err_t)le));
	t_ok(le == ERR_PIPE || le == ERR_BADF, "death.ext2_reader_ends");
	clock_start();
	e = call(file, IO_PREAD, 8, 0, 0, NULL, 0).err;
	if (e != ERR_BADF)
		t_failf("read of the old file: %s", err_name(e));
	t_ok(e == ERR_BADF && in_time(), "death.ext2_old_file");
	e = open_in(ext2, "/kept", LINUX_O_RDWR, &again);
	t_ok(!e, "death.ext2_open_anew");
	if (!e) {
		r = call(again, IO_PREAD, sizeof(buf), 0, 0, NULL, 0);
		if (!r.err && r.w0 < sizeof(buf))
			memcpy(buf, bytes_of(cairn_ipcbuf()), r.w0);
		if (r.err || r.w0 != sizeof(text) - 1 || memcmp(buf, text, sizeof(text) - 1))
			t_failf("the file after the restart: %s, %lu bytes", err_name(r.err),
				(unsigned long)r.w0);
		t_ok(!r.err && r.w0 == sizeof(text) - 1 && !memcmp(buf, text, sizeof(text) - 1),
		     "death.ext2_file_survived");
	}
	return 0;
}

/* ---- entropy: nothing to lose -------------------------------------------------------------- */

static int entropy_test(void)
{
	unsigned n0;
	bool goes_on;
	err_t e;

	if (!t_ok(looper_start(rng, RNG_READ, 32, 0) == ERR_OK, "death.rng_reader"))
		return 1;
	if (!kill_victim())
		return 1;
	clock_start();
	e = call(rng, RNG_READ, 32, 0, 0, NULL, 0).err;   /* waits for the new instance */
	if (e)
		t_failf("RNG_READ after the restart: %s", err_name(e));
	t_ok(!e && in_time(), "death.rng_read_after");
	/* the reading thread: its call being served ended with EPIPE (it
	 * stopped there), or it went on with the new instance */
	n0 = looper.ok;
	sleep_ms(50);
	goes_on = looper.ok > n0;
	if (!goes_on && looper.err != ERR_PIPE)
		t_failf("the reading thread neither goes on nor ended with EPIPE (%ld)", (long)looper.err);
	t_ok(goes_on || looper.err == ERR_PIPE, "death.rng_reader_ends_or_goes_on");
	return 0;
}

/* ---- the network server ------------------------------------------------------------------ */

/* A socket pair (*r) whose first end a thread reads, empty, while the
 * network server is killed: the read must fail with EPIPE. false: the
 * test cannot go on. */
static bool net_pair_killed(struct res *r)
{
	long re;

	*r = call(net, SOCK_PAIR, 1 /* AF_UNIX */, 1 /* SOCK_STREAM */, 0, NULL, 0);
	if (!t_ok(!r->err && r->cap0 != CAP_NULL && r->cap1 != CAP_NULL, "death.net_pair"))
		return false;
	if (!t_ok(reader_start(r->cap0) == ERR_OK, "death.net_reader"))
		return false;
	if (!kill_victim())
		return false;
	re = reader_end();
	if (re == -1)
		t_failf("the read of the empty socket still waits");
	else if (re != ERR_PIPE)
		t_failf("the read of the empty socket ended with %s", err_name((err_t)re));
	t_ok(re == ERR_PIPE, "death.net_waiting_read_fails");
	return true;
}

static int net_test(void)
{
	struct res r;
	err_t e;

	if (!net_pair_killed(&r))
		return 1;
	clock_start();
	e = write_str(r.cap1, "x");
	if (e != ERR_PIPE)
		t_failf("write on the other end: %s", err_name(e));
	t_ok(e == ERR_PIPE && in_time(), "death.net_old_socket");
	clock_start();
	e = call(net, SOCK_OPEN, 1, 1, 0, NULL, 0).err;
	if (e != ERR_PIPE)
		t_failf("a new socket: %s", err_name(e));
	t_ok(e == ERR_PIPE && in_time(), "death.net_new_socket_fails");
	return 0;
}

/* The network server restarted (deathtest-net-restart.manifest): its
 * sockets die with it (a waiting read fails), new ones work, and an old
 * socket answers EBADF even where the new instance's sockets sit at the
 * same places in its table (its badges are not the dead one's). */
static int net_restart_test(void)
{
	struct res r, n;
	char buf[8] = { 0 };
	err_t e;

	if (!net_pair_killed(&r))
		return 1;
	/* anew: this call waits in the endpoint until the new instance serves */
	clock_start();
	n = call(net, SOCK_PAIR, 1, 1, 0, NULL, 0);
	t_ok(!n.err && n.cap0 != CAP_NULL && n.cap1 != CAP_NULL && in_time(), "death.net_pair_anew");
	if (n.err)
		return 1;
	e = write_str(n.cap1, "new");
	struct res rd = call(n.cap0, IO_READ, 3, 0, 0, NULL, 0);
	if (!rd.err && rd.w0 <= 3)
		memcpy(buf, bytes_of(cairn_ipcbuf()), rd.w0);
	t_ok(!e && !rd.err && rd.w0 == 3 && !memcmp(buf, "new", 3), "death.net_new_pair_works");
	/* the old sockets name nothing of the new instance */
	e = write_str(r.cap1, "old");
	if (e != ERR_BADF)
		t_failf("write on an old socket: %s", err_name(e));
	t_ok(e == ERR_BADF, "death.net_old_socket_badf");
	rd = call(n.cap0, SOCK_RECV, 3, 0x40 /* MSG_DONTWAIT */, 0, NULL, 0);
	if (rd.err != ERR_AGAIN)
		t_failf("the new pair after the old write: %s, %lu bytes", err_name(rd.err), (unsigned long)rd.w0);
	t_ok(rd.err == ERR_AGAIN, "death.net_new_pair_untouched");
	return 0;
}

/* ---- the device manager: its drivers live on ------------------------------------------ */

static int devmgr_test(void)
{
	cap_t svc, again;
	err_t e;

	e = cairn_dev_lookup(devmgr, "rng", 0, &svc);
	if (!t_ok(!e, "death.devmgr_lookup"))
		return 1;
	if (!kill_victim())
		return 1;
	clock_start();
	e = cairn_dev_lookup(devmgr, "rng", 0, &again);
	if (e != ERR_PIPE)
		t_failf("lookup after the death: %s", err_name(e));
	t_ok(e == ERR_PIPE && in_time(), "death.devmgr_lookup_fails");
	e = call(svc, RNG_READ, 16, 0, 0, NULL, 0).err;
	if (e)
		t_failf("RNG_READ on the driver: %s", err_name(e));
	t_ok(!e, "death.devmgr_driver_serves");
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	unsigned nfailed;
	err_t e;

	if (!strcmp(mode, "toucher") && argc > 2)
		return toucher_main(argv[2]);
	if (!strcmp(mode, "sleeper")) {
		printf("deathtest: pid 1 waits\n");
		cairn_console_flush();
		for (;;)
			sleep_ms(1000);
	}
	victim = cairn_cap("victim");
	vfs = cairn_cap("vfs");
	tty = cairn_cap("tty");
	ext2 = cairn_cap("ext2");
	rng = cairn_cap("entropy");
	devmgr = cairn_cap("devmgr");
	net = cairn_cap("net");
	if (victim == CAP_NULL && strcmp(mode, "nostart"))
		return t_abort("deathtest: needs the capability victim (the server's Process)");
	t_begin(NULL, 0);
	if (!strcmp(mode, "vfs") || !strcmp(mode, "vfs-final")) {
		if (vfs == CAP_NULL)
			return t_abort("deathtest: needs the capability vfs");
		vfs_test(!strcmp(mode, "vfs"));
	} else if (!strcmp(mode, "console")) {
		if (tty == CAP_NULL)
			return t_abort("deathtest: needs the capability tty");
		console_test();
	} else if (!strcmp(mode, "ext2")) {
		if (ext2 == CAP_NULL)
			return t_abort("deathtest: needs the capability ext2");
		ext2_test();
	} else if (!strcmp(mode, "entropy")) {
		if (rng == CAP_NULL)
			return t_abort("deathtest: needs the capability entropy");
		entropy_test();
	} else if (!strcmp(mode, "devmgr")) {
		if (devmgr == CAP_NULL)
			return t_abort("deathtest: needs the capability devmgr");
		devmgr_test();
	} else if (!strcmp(mode, "net") || !strcmp(mode, "net-restart")) {
		if (net == CAP_NULL)
			return t_abort("deathtest: needs the capability net");
		if (!strcmp(mode, "net"))
			net_test();
		else
			net_restart_test();
	} else if (!strcmp(mode, "nostart")) {
		cap_t f;

		clock_start();
		e = open_path("/tmp/x", LINUX_O_RDWR | LINUX_O_CREAT, &f);
		if (e != ERR_PIPE)
			t_failf("open on a server that never started: %s", err_name(e));
		t_ok(e == ERR_PIPE && in_time(), "death.nostart_open_fails");
	} else if (!strcmp(mode, "essential")) {
		if (argc > 2 && !strcmp(argv[2], "late"))
			sleep_ms(500);       /* the victim's own work started */
		/* said first: init, above us, stops us at once */
		printf("deathtest: killing an essential service\n");
		cairn_console_flush();
		kill_victim();
		for (;;)
			sleep_ms(1000);      /* init stops us with the rest */
	} else {
		return t_abort("deathtest: unknown mode '%s'", mode);
	}
	printf("kills survived: %u\n", kills);
	nfailed = t_end("deathtest");
	cairn_console_flush();
	return (int)nfailed;
}
