/* SPDX-License-Identifier: MIT */
/*
 * blktest: the block protocol (include/cairn/blk.h) against the virtio
 * block driver (drivers/virtio_blk) and a real QEMU disk, through the
 * client library (<cairn/blk_client.h>) and, for what the library never
 * sends, by hand.
 *
 * Started by init (user/manifests/blktest-*.manifest) beside the driver.
 * It plays the device manager's part the driver needs (it receives the
 * driver's DEV_READY on `devmgr`), then calls the driver's `svc`.
 * Arguments: the disk's size in bytes (the image tests/run-all.sh made),
 * then `restart` (the driver dies mid-test: blktest-restart.manifest,
 * where init restarts it, and blktest-devmgr-restart.manifest, where the
 * device manager does) and/or `lookup=NAME` (a real device manager holds
 * the driver: blk.dev_ready is then DEV_LOOKUP of NAME on `devmgr`, which
 * gives `svc`).
 *
 * The last test leaves the whole disk holding pattern(pos) (below, and
 * tests/blk-pattern.py for the host), which the host compares with cmp
 * after poweroff.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <cairn/rt.h>
#include <cairn/test.h>
#include <cairn/dev_client.h>
#include <cairn/blk_client.h>
#include <cairn/spawn.h>
#include <lib/cpio.h>

#define MIB         (1024u * 1024u)
#define DATA_BYTES  (2u * MIB)          /* the data area: two 1 MiB buffers */
#define ENTRIES     32u
#define SEED_A      0x1234567u
#define SEED_FINAL  0xc0ffeeu

static cap_t c_svc = CAP_NULL, c_devmgr = CAP_NULL;
static uint64_t disk_bytes;
static struct blk_client bc;
static bool attached;

/* The disk's byte at pos for a seed: little-endian 64-bit words
 * (pos / 8) * K + seed, as tests/blk-pattern.py writes them. */
static uint64_t pat_word(uint64_t w, uint64_t seed)
{
	return w * 0x9e3779b97f4a7c15ull + seed;
}

static void pat_fill(uint8_t *p, uint64_t pos, uint32_t len, uint64_t seed)
{
	for (uint32_t i = 0; i < len; i += 8) {
		uint64_t v = pat_word((pos + i) / 8, seed);
		memcpy(p + i, &v, 8);
	}
}

/* The first wrong byte's index, or -1. */
static long pat_check(const uint8_t *p, uint64_t pos, uint32_t len, uint64_t seed)
{
	for (uint32_t i = 0; i < len; i += 8) {
		uint64_t v = pat_word((pos + i) / 8, seed);
		if (memcmp(p + i, &v, 8))
			return (long)i;
	}
	return -1;
}

static uint64_t off_of(uint8_t *p)
{
	return (uint64_t)(p - bc.va);
}

static err_t call0(cap_t cap, uint32_t label, uint64_t w0, struct cairn_msg *m)
{
	*m = cairn_call(cap, cairn_tag(label, CAIRN_MSG_REGS, 0), w0, 0, 0, 0);
	return m->err ? (err_t)m->err : (err_t)cairn_tag_label(m->tag);
}

/* ---- the tests ------------------------------------------------------------------------ */

/* The driver says DEV_READY on devmgr (we answer it as the device manager would). */
static const char *lookup_name;        /* argument lookup=NAME: a real device manager */

/* DEV_LOOKUP of lookup_name through the device manager: the driver's svc. */
static void lookup(void)
{
	err_t e = cairn_dev_lookup(c_devmgr, lookup_name, 0, &c_svc);

	CHECK(!e, "DEV_LOOKUP %s: %s", lookup_name, err_name(e));
}

static void t_ready(void)
{
	struct cairn_msg m;

	if (lookup_name) {
		lookup();
		return;
	}
	CHECK(c_devmgr != CAP_NULL && c_svc != CAP_NULL, "capabilities devmgr and svc");
	m = cairn_recv(c_devmgr, 0);
	CHECK_OK((err_t)m.err);
	CHECK(cairn_tag_label(m.tag) == DEV_READY, "label %#x, want DEV_READY", cairn_tag_label(m.tag));
	CHECK_OK(cairn_reply(cairn_tag(0, CAIRN_MSG_REGS, 0), 0, 0, 0, 0));
}

static void t_info(void)
{
	struct cairn_msg m;

	CHECK_OK(call0(c_svc, BLK_INFO, 0, &m));
	CHECK(m.w[0] == disk_bytes, "capacity %lu, want %lu", (unsigned long)m.w[0], (unsigned long)disk_bytes);
	CHECK(m.w[1] == 512, "block size %lu", (unsigned long)m.w[1]);
	CHECK(!(m.w[2] & BLK_F_RO), "read-only");
	CHECK(m.w[3] == BLK_QUEUE_MAX, "queue max %lu", (unsigned long)m.w[3]);
}

static uint64_t pages_before;

static void t_attach(void)
{
	pages_before = free_pages();
	CHECK_OK(blk_attach(&bc, c_svc, ENTRIES, DATA_BYTES));
	attached = true;
	CHECK(bc.capacity == disk_bytes && bc.bsize == 512, "info %lu/%u", (unsigned long)bc.capacity, bc.bsize);
	CHECK(bc.shm->entries == ENTRIES, "entries %u", bc.shm->entries);
}

/* BLK_ATTACH's checks: entries, the object's kind, size and rights. */
static void t_attach_errors(void)
{
	static const uint64_t bad_entries[] = { 0, 3, 48, BLK_QUEUE_MAX * 2 };
	cap_t contig = CAP_NULL, paged = CAP_NULL, small = CAP_NULL, ro = CAP_NULL;
	struct cairn_msg m;

	CHECK_OK(cairn_memobj_create(SLOT_SELF_PROC, 2, MEMOBJ_CONTIG, &contig));
	CHECK_OK(cairn_memobj_create(SLOT_SELF_PROC, 2, 0, &paged));
	CHECK_OK(cairn_memobj_create(SLOT_SELF_PROC, 1, MEMOBJ_CONTIG, &small));
	CHECK_OK(cairn_cap_copy(contig, RIGHT_READ | RIGHT_WRITE, &ro));
	for (unsigned i = 0; i < 4; i++) {
		cairn_ipcbuf()->caps[0] = contig;
		m = cairn_call(c_svc, cairn_tag(BLK_ATTACH, CAIRN_MSG_REGS, 1), bad_entries[i], 0, 0, 0);
		EXPECT(!m.err && cairn_tag_label(m.tag) == ERR_INVAL, "entries %lu: %s",
		       (unsigned long)bad_entries[i], err_name(cairn_tag_label(m.tag)));
	}
	m = cairn_call(c_svc, cairn_tag(BLK_ATTACH, CAIRN_MSG_REGS, 0), 8, 0, 0, 0);
	EXPECT(cairn_tag_label(m.tag) == ERR_INVAL, "no object: %s", err_name(cairn_tag_label(m.tag)));
	cairn_ipcbuf()->caps[0] = paged;
	m = cairn_call(c_svc, cairn_tag(BLK_ATTACH, CAIRN_MSG_REGS, 1), 8, 0, 0, 0);
	EXPECT(cairn_tag_label(m.tag) == ERR_INVAL, "not contiguous: %s", err_name(cairn_tag_label(m.tag)));
	cairn_ipcbuf()->caps[0] = small;
	m = cairn_call(c_svc, cairn_tag(BLK_ATTACH, CAIRN_MSG_REGS, 1), 8, 0, 0, 0);
	EXPECT(cairn_tag_label(m.tag) == ERR_INVAL, "one page: %s", err_name(cairn_tag_label(m.tag)));
	cairn_ipcbuf()->caps[0] = ro;
	m = cairn_call(c_svc, cairn_tag(BLK_ATTACH, CAIRN_MSG_REGS, 1), 8, 0, 0, 0);
	EXPECT(cairn_tag_label(m.tag) == ERR_PERM, "no manage right: %s", err_name(cairn_tag_label(m.tag)));
	/* a session attaches nothing; the service knows only INFO and ATTACH */
	if (attached) {
		/* (the session has no grant right: a capability cannot even go with it) */
		cairn_ipcbuf()->caps[0] = contig;
		m = cairn_call(bc.session, cairn_tag(BLK_ATTACH, CAIRN_MSG_REGS, 1), 8, 0, 0, 0);
		EXPECT(m.err == ERR_PERM, "attach with a capability through a session: call %s",
		       err_name((err_t)m.err));
		EXPECT_ERR(call0(bc.session, BLK_ATTACH, 8, &m), ERR_INVAL);
	}
	EXPECT_ERR(call0(c_svc, BLK_WAIT, 0, &m), ERR_BADF);
	EXPECT_ERR(call0(c_svc, 0x6ff, 0, &m), ERR_BADF);
	cairn_cap_delete(contig);
	cairn_cap_delete(paged);
	cairn_cap_delete(small);
	cairn_cap_delete(ro);
}

/* One write then one read back, at pos, of len bytes, with seed. */
static bool write_read(uint64_t pos, uint32_t len, uint64_t seed, int line)
{
	uint8_t *w = blk_data(&bc), *r = blk_data(&bc) + MIB;
	long bad;
	err_t e;

	pat_fill(w, pos, len, seed);
	memset(r, 0x5a, len);
	if ((e = blk_io(&bc, BLK_OP_WRITE, pos, len, off_of(w)))) {
		t_fail(line, "write %u bytes at %lu: %s", len, (unsigned long)pos, err_name(e));
		return false;
	}
	if ((e = blk_io(&bc, BLK_OP_READ, pos, len, off_of(r)))) {
		t_fail(line, "read %u bytes at %lu: %s", len, (unsigned long)pos, err_name(e));
		return false;
	}
	if ((bad = pat_check(r, pos, len, seed)) >= 0) {
		t_fail(line, "read %u bytes at %lu: byte %ld differs", len, (unsigned long)pos, bad);
		return false;
	}
	return true;
}

/* Patterns at many offsets and sizes: the first and last blocks, odd
 * sectors, page-crossing, 1 MiB. */
static void t_patterns(void)
{
	static const uint32_t sizes[] = { 512, 1024, 1536, 4096, 8192, 12288, 65536, 131072, MIB };
	uint64_t pos = 0;

	CHECK(attached, "not attached");
	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint64_t at[3] = { 0, disk_bytes - sizes[i], (pos * 7 + 512 * (i * 13 + 1)) % (disk_bytes - sizes[i]) };

		for (unsigned k = 0; k < 3; k++) {
			at[k] &= ~511ull;
			if (!write_read(at[k], sizes[i], SEED_A + i * 3 + k, __LINE__))
				return;
		}
		pos = at[2];
	}
}

/* ENTRIES requests at once: all taken in one kick, all complete, each
 * tag once; then read back what they wrote. */
static void t_in_flight(void)
{
	struct blk_cpl cpl[ENTRIES];
	bool seen[ENTRIES];
	unsigned got = 0, n;
	uint8_t *buf = blk_data(&bc);
	err_t e;

	CHECK(attached, "not attached");
	uint32_t head0 = bc.shm->sq_head;

	memset(seen, 0, sizeof(seen));
	for (unsigned i = 0; i < ENTRIES; i++) {
		pat_fill(buf + i * 4096, 4 * MIB + i * 8192, 4096, SEED_A);
		CHECK_OK(blk_submit(&bc, BLK_OP_WRITE, 4 * MIB + i * 8192, 4096, off_of(buf + i * 4096), i));
	}
	CHECK_ERR(blk_submit(&bc, BLK_OP_READ, 0, 512, BLK_DATA_OFF, 99), ERR_AGAIN);
	CHECK_OK(blk_kick(&bc));
	CHECK(bc.shm->sq_head - head0 == ENTRIES, "the driver took %u of %u at once", bc.shm->sq_head - head0,
	      ENTRIES);
	while (got < ENTRIES) {
		CHECK_OK(blk_wait(&bc, cpl, ENTRIES, &n));
		for (unsigned i = 0; i < n; i++) {
			CHECK(cpl[i].tag < ENTRIES && !seen[cpl[i].tag], "completion tag %lu", (unsigned long)cpl[i].tag);
			CHECK(cpl[i].err == 0 && cpl[i].len == 4096, "request %lu: %s, len %u",
			      (unsigned long)cpl[i].tag, err_name(cpl[i].err), cpl[i].len);
			seen[cpl[i].tag] = true;
			got++;
		}
	}
	CHECK_ERR(blk_wait(&bc, cpl, 1, &n), ERR_AGAIN);
	/* the same at once the other way */
	memset(buf, 0, ENTRIES * 4096);
	for (unsigned i = 0; i < ENTRIES; i++)
		CHECK_OK(blk_submit(&bc, BLK_OP_READ, 4 * MIB + i * 8192, 4096, off_of(buf + i * 4096), i));
	for (got = 0; got < ENTRIES; got += n) {
		CHECK_OK(e = blk_wait(&bc, cpl, ENTRIES, &n));
		for (unsigned i = 0; i < n; i++)
			CHECK(cpl[i].err == 0, "read %lu: %s", (unsigned long)cpl[i].tag, err_name(cpl[i].err));
	}
	for (unsigned i = 0; i < ENTRIES; i++)
		CHECK(pat_check(buf + i * 4096, 4 * MIB + i * 8192, 4096, SEED_A) < 0, "request %u read back wrong", i);
}

/* A second BLK_WAIT on a session whose first waits is ERR_BUSY. A thread
 * at the lowest priority calls BLK_WAIT over and over: it runs only while
 * this thread is blocked, that is while its own BLK_WAIT waits for the
 * device, so one of its calls meets a waiting one (a 1 MiB read leaves
 * the device working for a while). Both run on this thread's CPU alone:
 * on another CPU the busy thread would wait in this one's place. */
static volatile int busy_seen, busy_done;
static uint64_t pages_kept;
static cap_t busy_note = CAP_NULL;

static void busy_thread(uint64_t arg)
{
	struct cairn_msg m;

	for (int i = 0; i < 100000 && !busy_seen; i++)
		if (call0(bc.session, BLK_WAIT, 0, &m) == ERR_BUSY)
			busy_seen = 1;
	busy_done = 1;
	cairn_invoke(busy_note, NOTIFY_SIGNAL, 0, 1, 0, 0, 0, NULL);
	cairn_thread_exit();
}

static void t_wait_busy(void)
{
	struct cairn_msg m;
	unsigned i;

	uint64_t mask;

	CHECK(attached, "not attached");
	CHECK_OK(cairn_invoke(SLOT_SELF_THREAD, THREAD_GET_AFFINITY, 0, 0, 0, 0, 0, &m));
	mask = m.w[0];
	/* pinned here, the thread started next inherits it */
	CHECK_OK(cairn_invoke(SLOT_SELF_THREAD, THREAD_SET_AFFINITY, 0, 1ull << m.w[1], 0, 0, 0, NULL));
	CHECK_OK(cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_NOTIFICATION, 0, 0, 0, &m));
	busy_note = m.w[0];
	pages_kept = free_pages();
	CHECK_OK(cairn_thread_start(busy_thread, 0, 1, NULL));
	pages_kept -= free_pages();             /* its stack and IPC buffer stay: t_detach */
	for (i = 0; i < 200 && !busy_seen; i++)
		CHECK_OK(blk_io(&bc, BLK_OP_READ, (i % 8) * MIB, MIB, BLK_DATA_OFF));
	EXPECT(busy_seen, "no ERR_BUSY in %u reads", i);
	while (!busy_done)
		cairn_wait(busy_note, 100000000, NULL);
	cairn_cap_delete(busy_note);
	cairn_invoke(SLOT_SELF_THREAD, THREAD_SET_AFFINITY, 0, mask, 0, 0, 0, NULL);
}

static void t_flush(void)
{
	CHECK(attached, "not attached");
	CHECK_OK(blk_io(&bc, BLK_OP_FLUSH, 0, 0, 0));
	CHECK_ERR(blk_io(&bc, BLK_OP_FLUSH, 0, 512, BLK_DATA_OFF), ERR_INVAL);
}

/* Requests past the end of the disk: ERR_INVAL, nothing moved. */
static void t_past_end(void)
{
	uint64_t off = BLK_DATA_OFF;

	CHECK(attached, "not attached");
	EXPECT_ERR(blk_io(&bc, BLK_OP_READ, disk_bytes, 512, off), ERR_INVAL);
	EXPECT_ERR(blk_io(&bc, BLK_OP_WRITE, disk_bytes, 512, off), ERR_INVAL);
	EXPECT_ERR(blk_io(&bc, BLK_OP_READ, disk_bytes - 512, 1024, off), ERR_INVAL);
	EXPECT_ERR(blk_io(&bc, BLK_OP_WRITE, disk_bytes - 512, 4096, off), ERR_INVAL);
	EXPECT_ERR(blk_io(&bc, BLK_OP_READ, UINT64_MAX - 511, 512, off), ERR_INVAL);
	EXPECT_ERR(blk_io(&bc, BLK_OP_READ, disk_bytes + 0x100000000ull, 512, off), ERR_INVAL);
	EXPECT_OK(blk_io(&bc, BLK_OP_READ, disk_bytes - 512, 512, off));
}

/* Bad buffers and sizes: ERR_INVAL; the next good request works. */
static void t_bad_offsets(void)
{
	uint64_t end = bc.bytes;

	CHECK(attached, "not attached");
	EXPECT_ERR(blk_io(&bc, BLK_OP_READ, 0, 512, 0), ERR_INVAL);                   /* the queues' page */
	EXPECT_ERR(blk_io(&bc, BLK_OP_READ, 0, 512, BLK_DATA_OFF - 512), ERR_INVAL);
	EXPECT_ERR(blk_io(&bc, BLK_OP_READ, 0, 1024, end - 512), ERR_INVAL);          /* past the object */
	EXPECT_ERR(blk_io(&bc, BLK_OP_READ, 0, 512, end), ERR_INVAL);
	EXPECT_ERR(blk_io(&bc, BLK_OP_READ, 0, 512, UINT64_MAX - 100), ERR_INVAL);
	EXPECT_ERR(blk_io(&bc, BLK_OP_READ, 0, 0, BLK_DATA_OFF), ERR_INVAL);          /* len 0 */
	EXPECT_ERR(blk_io(&bc, BLK_OP_READ, 0, 100, BLK_DATA_OFF), ERR_INVAL);        /* not blocks */
	EXPECT_ERR(blk_io(&bc, BLK_OP_READ, 100, 512, BLK_DATA_OFF), ERR_INVAL);
	EXPECT_ERR(blk_io(&bc, BLK_OP_WRITE, 0, 0xfffffe00u, BLK_DATA_OFF), ERR_INVAL);
	EXPECT_OK(blk_io(&bc, BLK_OP_READ, 0, 512, end - 512));                       /* the last bytes */
}

/* A malformed request (unknown op) completes with ERR_INVAL; a broken
 * queue breaks only that session: another keeps working, and so does a
 * new one. */
static void t_malformed(void)
{
	struct blk_client other;
	struct cairn_msg m;

	CHECK(attached, "not attached");
	EXPECT_ERR(blk_io(&bc, 0, 0, 512, BLK_DATA_OFF), ERR_INVAL);
	EXPECT_ERR(blk_io(&bc, 77, 0, 512, BLK_DATA_OFF), ERR_INVAL);
	EXPECT_OK(blk_io(&bc, BLK_OP_READ, 0, 512, BLK_DATA_OFF));
	CHECK_OK(blk_attach(&other, c_svc, 4, 8192));
	/* sq_tail a thousand ahead of sq_head */
	other.shm->sq_tail = other.sq_tail + 1000;
	EXPECT_ERR(call0(other.session, BLK_KICK, 0, &m), ERR_INVAL);
	EXPECT_ERR(call0(other.session, BLK_WAIT, 0, &m), ERR_INVAL);
	EXPECT_OK(blk_io(&bc, BLK_OP_READ, 0, 512, BLK_DATA_OFF));     /* the others are served */
	blk_detach(&other);
	CHECK_OK(blk_attach(&other, c_svc, 4, 8192));
	EXPECT_OK(blk_io(&other, BLK_OP_READ, 0, 512, BLK_DATA_OFF));
	blk_detach(&other);
}

/* BLK_WAIT with nothing in flight answers ERR_AGAIN at once; a second
 * waiter on the same session is ERR_BUSY (not testable from one thread:
 * see docs); a detached session is ERR_BADF. */
static void t_session_end(void)
{
	struct blk_client other;
	struct cairn_msg m;
	cap_t sess;

	CHECK(attached, "not attached");
	EXPECT_ERR(call0(bc.session, BLK_WAIT, 0, &m), ERR_AGAIN);
	CHECK_OK(blk_attach(&other, c_svc, 4, 8192));
	CHECK_OK(cairn_cap_copy(other.session, RIGHTS_ALL, &sess));
	blk_detach(&other);
	EXPECT_ERR(call0(sess, BLK_KICK, 0, &m), ERR_BADF);
	EXPECT_ERR(call0(sess, BLK_INFO, 0, &m), ERR_BADF);
	cairn_cap_delete(sess);
}

/* Sessions come back: more attaches than BLK_SESSIONS in a row work
 * when each detaches; BLK_SESSIONS + 1 at once is ERR_NOSPC. */
static void t_sessions(void)
{
	static struct blk_client many[BLK_SESSIONS];
	struct blk_client extra;
	unsigned n = 0;
	err_t e;

	CHECK(attached, "not attached");
	for (unsigned i = 0; i < 3 * BLK_SESSIONS; i++) {
		CHECK_OK(blk_attach(&extra, c_svc, 1, 4096));
		blk_detach(&extra);
	}
	/* we hold one already */
	while (n < BLK_SESSIONS && !(e = blk_attach(&many[n], c_svc, 1, 4096)))
		n++;
	EXPECT(n == BLK_SESSIONS - 1 && e == ERR_NOSPC, "%u more sessions, then %s", n, err_name(e));
	while (n)
		blk_detach(&many[--n]);
	CHECK_OK(blk_attach(&extra, c_svc, 1, 4096));
	blk_detach(&extra);
}

/* ---- a client that dies ------------------------------------------------------------------ */

/* argument `child`: attach, put 8 reads in flight, say so on `ready`, wait
 * to be killed (t_client_dies). */
static int child_main(void)
{
	cap_t ready = cairn_cap("ready"), sleep = CAP_NULL;
	struct blk_client c;
	struct cairn_msg m;

	if (blk_attach(&c, c_svc, 8, 8 * 65536))
		return 1;
	for (unsigned i = 0; i < 8; i++)
		blk_submit(&c, BLK_OP_READ, i * 65536, 65536, BLK_DATA_OFF + i * 65536, i);
	blk_kick(&c);
	cairn_invoke(ready, NOTIFY_SIGNAL, 0, 1, 0, 0, 0, NULL);
	if (!cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_NOTIFICATION, 0, 0, 0, &m))
		sleep = m.w[0];
	for (;;)
		cairn_wait(sleep, CAIRN_FOREVER, NULL);
}

/* Sessions we can still attach (each detached again). */
static unsigned free_sessions(void)
{
	static struct blk_client many[BLK_SESSIONS];
	unsigned n = 0;

	while (n < BLK_SESSIONS && !blk_attach(&many[n], c_svc, 1, 4096))
		n++;
	for (unsigned i = n; i > 0; i--)
		blk_detach(&many[i - 1]);
	return n;
}

/* A client killed with requests in flight (and its session never
 * detached): the driver frees the session (srv_watch) once the device
 * is done with it, and keeps serving. */
static void t_client_dies(void)
{
	cap_t image = cairn_cap("bootimage"), ready = CAP_NULL, ended = CAP_NULL;
	struct cairn_spawn_cap caps[3];
	struct cairn_spawn sp = { 0 };
	const char *argv[] = { "blkchild", "8388608", "child" };
	struct cairn_child child;
	struct cpio_entry ent;
	struct cairn_msg m;
	uint64_t pages, bits;
	unsigned before, during = 0, after = 0;
	void *va;

	CHECK(attached && image != CAP_NULL, "attached, bootimage");
	CHECK_OK(cairn_memobj_pages(image, &pages));
	CHECK_OK(cairn_map(image, 0, pages, CAIRN_PROT_R, &va));
	CHECK_OK(cpio_find(va, pages * CAIRN_PAGE_SIZE, "bin/blktest", &ent));
	CHECK_OK(cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_NOTIFICATION, 0, 0, 0, &m));
	ready = m.w[0];
	CHECK_OK(cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_NOTIFICATION, 0, 0, 0, &m));
	ended = m.w[0];
	before = free_sessions();
	caps[0] = (struct cairn_spawn_cap){ "console", cairn_cap("console"), RIGHT_WRITE, 0 };
	caps[1] = (struct cairn_spawn_cap){ "svc", c_svc, RIGHT_WRITE | RIGHT_GRANT, 0 };
	caps[2] = (struct cairn_spawn_cap){ "ready", ready, RIGHT_WRITE, 0 };
	sp.image = image;
	sp.offset = (uint64_t)((const char *)ent.data - (const char *)va);
	sp.size = ent.size;
	sp.argc = 3;
	sp.argv = argv;
	sp.ncaps = 3;
	sp.caps = caps;
	sp.quota = 3 * 1024 * 1024;
	sp.priority = 8;
	sp.exit_notify = ended;
	sp.exit_bits = 1;
	CHECK_OK(cairn_spawn(&sp, &child));
	EXPECT_OK(cairn_wait(ready, 5000000000ull, &bits));
	during = free_sessions();
	CHECK_OK(cairn_invoke(child.proc, PROC_KILL, 0, 9, 0, 0, 0, NULL));
	EXPECT_OK(cairn_wait(ended, 5000000000ull, &bits));
	for (int i = 0; i < 100 && (after = free_sessions()) < before; i++)
		cairn_wait(ended, 10000000, NULL);
	EXPECT(during == before - 1 && after == before, "free sessions: %u before, %u with the child, "
	       "%u after it was killed", before, during, after);
	EXPECT_OK(blk_io(&bc, BLK_OP_READ, 0, 512, BLK_DATA_OFF));
	cairn_cap_delete(child.proc);
	cairn_cap_delete(child.as);
	cairn_cap_delete(child.thread);
	cairn_cap_delete(ready);
	cairn_cap_delete(ended);
	cairn_unmap(va, pages);
}

/* The whole disk gets the final pattern in chunks of mixed sizes, many
 * in flight, read back, flushed; the host compares the image. */
static void t_whole_disk(void)
{
	static const uint32_t chunk[] = { 512, 4096, 65536, 3584, MIB, 8192, 131072, 1024 };
	struct blk_cpl cpl[ENTRIES];
	uint8_t *buf = blk_data(&bc);
	uint64_t pos = 0, boff = 0;
	unsigned k = 0, n;
	long bad;

	CHECK(attached, "not attached");
	/* writes: each chunk at its own place in the 2 MiB area, up to ENTRIES at once */
	while (pos < disk_bytes) {
		uint32_t len = chunk[k++ % 8];

		if (len > disk_bytes - pos)
			len = (uint32_t)(disk_bytes - pos);
		if (boff + len > DATA_BYTES)
			boff = 0;
		/* wait until the buffer region is not in flight: simply drain all */
		if (boff == 0 && bc.nflight) {
			while (bc.nflight) {
				CHECK_OK(blk_wait(&bc, cpl, ENTRIES, &n));
				for (unsigned i = 0; i < n; i++)
					CHECK(cpl[i].err == 0, "write at %lu: %s", (unsigned long)cpl[i].tag,
					      err_name(cpl[i].err));
			}
		}
		pat_fill(buf + boff, pos, len, SEED_FINAL);
		while (blk_submit(&bc, BLK_OP_WRITE, pos, len, BLK_DATA_OFF + boff, pos) == ERR_AGAIN) {
			CHECK_OK(blk_wait(&bc, cpl, ENTRIES, &n));
			for (unsigned i = 0; i < n; i++)
				CHECK(cpl[i].err == 0, "write at %lu: %s", (unsigned long)cpl[i].tag, err_name(cpl[i].err));
		}
		CHECK_OK(blk_kick(&bc));
		pos += len;
		boff += len;
	}
	while (bc.nflight) {
		CHECK_OK(blk_wait(&bc, cpl, ENTRIES, &n));
		for (unsigned i = 0; i < n; i++)
			CHECK(cpl[i].err == 0, "write at %lu: %s", (unsigned long)cpl[i].tag, err_name(cpl[i].err));
	}
	CHECK_OK(blk_io(&bc, BLK_OP_FLUSH, 0, 0, 0));
	for (pos = 0; pos < disk_bytes; pos += MIB) {
		uint32_t len = disk_bytes - pos < MIB ? (uint32_t)(disk_bytes - pos) : MIB;

		memset(buf, 0, len);
		CHECK_OK(blk_io(&bc, BLK_OP_READ, pos, len, BLK_DATA_OFF));
		bad = pat_check(buf, pos, len, SEED_FINAL);
		CHECK(bad < 0, "the disk at %lu reads back wrong", (unsigned long)(pos + (uint64_t)bad));
	}
}

/* Detaching gives the object back: its pages return (a few page-table
 * pages may stay with the driver's address space). */
static void t_detach(void)
{
	uint64_t after;

	CHECK(attached, "not attached");
	blk_detach(&bc);
	attached = false;
	after = free_pages();
	EXPECT(after + 16 + pages_kept >= pages_before, "free pages %lu before attaching, %lu after "
	       "detaching (%lu kept by a test's thread)", (unsigned long)pages_before, (unsigned long)after,
	       (unsigned long)pages_kept);
}

/* ---- a driver that dies (argument "restart": blktest-restart.manifest) ---------------- */

#define TEST_CRASH_TAG  0xdeadb10cdeadb10cull   /* drivers/virtio_blk's --testhooks */

/* The device manager's part for every driver instance: DEV_READY answered. */
static void devmgr_thread(uint64_t arg)
{
	for (;;) {
		struct cairn_msg m = cairn_recv(c_devmgr, 0);

		if (!m.err)
			cairn_reply(cairn_tag(0, CAIRN_MSG_REGS, 0), 0, 0, 0, 0);
	}
}

/* Writes in flight when the driver crashes (the crash request in their
 * middle) complete with ERR_IO or OK, never hang; the client attaches to
 * the restarted driver, and later writes and reads work. */
static void t_driver_dies(void)
{
	struct blk_cpl cpl[ENTRIES];
	uint8_t *buf = blk_data(&bc);
	unsigned done = 0, failed = 0, n;

	CHECK(attached, "not attached");
	for (unsigned i = 0; i < 16; i++) {
		pat_fill(buf + i * 4096, i * 4096, 4096, SEED_A);
		CHECK_OK(blk_submit(&bc, BLK_OP_WRITE, i * 4096, 4096, off_of(buf + i * 4096), i));
		if (i == 8)
			CHECK_OK(blk_submit(&bc, BLK_OP_READ, 0, 512, BLK_DATA_OFF, TEST_CRASH_TAG));
	}
	while (bc.nflight || bc.failed) {
		CHECK_OK(blk_wait(&bc, cpl, ENTRIES, &n));
		for (unsigned i = 0; i < n; i++) {
			CHECK(cpl[i].err == 0 || cpl[i].err == ERR_IO, "request %lu: %s", (unsigned long)cpl[i].tag,
			      err_name(cpl[i].err));
			failed += cpl[i].err != 0;
			done++;
		}
	}
	CHECK(done == 17, "%u completions for 17 requests", done);
	CHECK(bc.reattached == 1, "attached again %u times", bc.reattached);
	CHECK(failed >= 1, "no request failed: the crash request completed?");
	t_note("%u of 17 requests failed with EIO", failed);
	/* the new driver serves the same session object */
	for (unsigned i = 0; i < 16; i++)
		if (!write_read(i * 65536, 4096, SEED_A + i, __LINE__))
			return;
}

static const struct t_case restart_tests[] = {
	{ "blk.dev_ready", t_ready },
	{ "blk.attach", t_attach },
	{ "blk.patterns", t_patterns },
	{ "blk.driver_dies", t_driver_dies },
	{ "blk.after_restart", t_patterns },
	{ "blk.detach", t_detach },
};

static const struct t_case tests[] = {
	{ "blk.dev_ready", t_ready },
	{ "blk.info", t_info },
	{ "blk.attach", t_attach },
	{ "blk.attach_errors", t_attach_errors },
	{ "blk.patterns", t_patterns },
	{ "blk.in_flight", t_in_flight },
	{ "blk.wait_busy", t_wait_busy },
	{ "blk.flush", t_flush },
	{ "blk.past_end", t_past_end },
	{ "blk.bad_offsets", t_bad_offsets },
	{ "blk.malformed", t_malformed },
	{ "blk.session_end", t_session_end },
	{ "blk.sessions", t_sessions },
	{ "blk.client_dies", t_client_dies },
	{ "blk.whole_disk", t_whole_disk },
	{ "blk.detach", t_detach },
};

int main(int argc, char **argv)
{
	unsigned n = sizeof(tests) / sizeof(tests[0]);

	disk_bytes = argc > 1 ? strtoul(argv[1], NULL, 0) : 8ul * MIB;
	c_svc = cairn_cap("svc");
	c_devmgr = cairn_cap("devmgr");
	if (argc > 2 && !strcmp(argv[2], "child"))
		return child_main();
	bool restart = false;
	for (int i = 2; i < argc; i++) {
		if (!strncmp(argv[i], "lookup=", 7))
			lookup_name = argv[i] + 7;
		else if (!strcmp(argv[i], "restart"))
			restart = true;
	}
	if (restart) {
		n = sizeof(restart_tests) / sizeof(restart_tests[0]);
		t_begin("blktest", n);
		t_run(NULL, restart_tests[0].name, restart_tests[0].fn);
		/* without a device manager, play its part for the restarted driver */
		if (!lookup_name && cairn_thread_start(devmgr_thread, 0, 8, NULL))
			return t_abort("blktest: no devmgr thread");
		t_run_all(restart_tests + 1, n - 1);
		return t_end("blktest") ? 1 : 0;
	}
	t_begin("blktest", n);
	t_run_all(tests, n);
	return t_end("blktest") ? 1 : 0;
}
