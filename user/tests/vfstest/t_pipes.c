/* SPDX-License-Identifier: MIT */
/*
 * vfstest: pipes (FS_PIPE). The tests that need a call to wait run the
 * other end in a peer process (peer.c); a pipe end given to a peer is
 * a reference of its own (IO_DUP), as fork would, and the peer closes it
 * when it is done.
 */
#include "vfstest.h"

#define POLLIN   0x001u
#define POLLOUT  0x004u
#define POLLERR  0x008u
#define POLLHUP  0x010u
#define POLLRDNORM 0x040u

/* Fills a nonblocking pipe to its 65536 bytes. */
static err_t fill(cap_t w, size_t *total)
{
	static uint8_t buf[4000];
	size_t n;
	err_t e;

	*total = 0;
	for (;;) {
		for (size_t i = 0; i < sizeof(buf); i++)
			buf[i] = (uint8_t)(*total + i);
		if ((e = io_write(w, buf, sizeof(buf), &n)))
			break;
		*total += n;
	}
	if (e != ERR_AGAIN)
		return e;
	for (size_t i = 0; i < 65536 - *total; i++)
		buf[i] = (uint8_t)(*total + i);
	if ((e = io_write(w, buf, 65536 - *total, &n)))
		return e;
	*total += n;
	return ERR_OK;
}

/* Reads a nonblocking pipe until it is empty; the bytes read. */
static size_t drain(cap_t r)
{
	static uint8_t buf[4000];
	size_t n, total = 0;

	while (!io_read(r, buf, sizeof(buf), &n) && n)
		total += n;
	return total;
}

void t_pipe_basic(void)
{
	struct posix_stat a, b;
	char buf[16];
	uint64_t fl, next;
	size_t n;
	cap_t r, w, x;

	CHECK_OK(fs_pipe(0, &r, &w));
	CHECK_OK(io_stat(r, &a));
	CHECK_OK(io_stat(w, &b));
	CHECK(a.mode == (TMPFS_S_IFIFO | 0600) && a.ino == b.ino && a.nlink == 1, "mode %lo",
	      (unsigned long)a.mode);
	CHECK_OK(io_write(w, "hello", 5, &n));
	CHECK(n == 5, "wrote %zu", n);
	CHECK_OK(io_read(r, buf, 3, &n));
	CHECK(n == 3 && !memcmp(buf, "hel", 3), "first read");
	CHECK_OK(io_read(r, buf, 16, &n));
	CHECK(n == 2 && !memcmp(buf, "lo", 2), "second read");
	CHECK_OK(io_read(r, buf, 0, &n));
	CHECK(n == 0, "a read of 0 bytes does not wait");
	CHECK_OK(io_getfl(r, &fl));
	CHECK(fl == LINUX_O_RDONLY, "read end flags %lo", (unsigned long)fl);
	CHECK_OK(io_getfl(w, &fl));
	CHECK(fl == LINUX_O_WRONLY, "write end flags %lo", (unsigned long)fl);
	CHECK_ERR(io_read(w, buf, 4, &n), ERR_BADF);
	CHECK_ERR(io_write(r, "x", 1, &n), ERR_BADF);
	CHECK_ERR(io_seek(r, 0, POSIX_SEEK_CUR, NULL), ERR_SPIPE);
	CHECK_ERR(io_pread(r, buf, 4, 0, &n), ERR_SPIPE);
	CHECK_ERR(io_pwrite(w, "x", 1, 0, &n), ERR_SPIPE);
	CHECK_ERR(io_truncate(w, 0), ERR_INVAL);
	CHECK_ERR(io_readdir(r, 0, 100, buf, &next, &n), ERR_NOTDIR);
	CHECK_ERR(fs_open(r, "x", LINUX_O_RDONLY, 0, &x), ERR_NOTDIR);
	CHECK_OK(fs_stat(w, "", LINUX_AT_EMPTY_PATH, &b));
	CHECK(b.ino == a.ino, "fstatat of a pipe");
	CHECK_ERR(fs_pipe(LINUX_O_CREAT, &x, &x), ERR_INVAL);
	CHECK_ERR(vcall(v_root, FS_PIPE, 1ull << 40, 0, 0, 0, NULL, 0, CAP_NULL).err, ERR_INVAL);
	CHECK_OK(io_close(&r));
	CHECK_OK(io_close(&w));
}

void t_pipe_eof_epipe(void)
{
	char buf[8];
	uint32_t rev;
	size_t n;
	cap_t r, w;

	CHECK_OK(fs_pipe(0, &r, &w));
	io_close(&w);
	CHECK_OK(io_read(r, buf, 8, &n));
	CHECK(n == 0, "no writer: end of file");
	CHECK_OK(io_poll(r, POLLIN, &rev));
	CHECK(rev == POLLHUP, "revents %x", rev);
	io_close(&r);

	CHECK_OK(fs_pipe(0, &r, &w));
	io_close(&r);
	CHECK_ERR(io_write(w, "x", 1, &n), ERR_PIPE);
	CHECK_OK(io_poll(w, POLLOUT, &rev));
	CHECK(rev == (POLLOUT | POLLERR), "revents %x", rev);
	io_close(&w);

	CHECK_OK(fs_pipe(0, &r, &w));
	CHECK_OK(io_write(w, "abc", 3, &n));
	io_close(&w);
	CHECK_OK(io_read(r, buf, 8, &n));
	CHECK(n == 3 && !memcmp(buf, "abc", 3), "data before the end");
	CHECK_OK(io_read(r, buf, 8, &n));
	CHECK(n == 0, "then the end");
	io_close(&r);
}

void t_pipe_capacity(void)
{
	static uint8_t buf[4096];
	size_t total, n, got = 0;
	uint32_t rev;
	cap_t r, w;

	CHECK_OK(fs_pipe(LINUX_O_NONBLOCK, &r, &w));
	CHECK_OK(fill(w, &total));
	CHECK(total == 65536, "holds %zu bytes", total);
	CHECK_ERR(io_write(w, "x", 1, &n), ERR_AGAIN);
	CHECK_OK(io_poll(w, POLLOUT, &rev));
	CHECK(rev == 0, "full but writable: %x", rev);
	/* room for PIPE_BUF bytes makes it writable */
	CHECK_OK(io_read(r, buf, 4000, &n));
	CHECK(n == 4000, "read %zu", n);
	for (size_t i = 0; i < n; i++)
		CHECK(buf[i] == (uint8_t)i, "byte %zu", i);
	got = n;
	CHECK_OK(io_poll(w, POLLOUT, &rev));
	CHECK(rev == 0, "4000 bytes free is not PIPE_BUF");
	CHECK_OK(io_read(r, buf, 96, &n));
	got += n;
	CHECK_OK(io_poll(w, POLLOUT, &rev));
	CHECK(rev == POLLOUT, "writable with PIPE_BUF free: %x", rev);
	/* the rest comes out in order */
	while (!io_read(r, buf, 4000, &n) && n) {
		for (size_t i = 0; i < n; i++)
			CHECK(buf[i] == (uint8_t)(got + i), "byte %zu", got + i);
		got += n;
	}
	CHECK(got == 65536, "read %zu", got);
	CHECK_ERR(io_read(r, buf, 4000, &n), ERR_AGAIN);
	io_close(&r);
	io_close(&w);
}

void t_pipe_nonblock(void)
{
	uint64_t fl;
	char buf[4];
	size_t n;
	cap_t r, w;

	CHECK_OK(fs_pipe(0, &r, &w));
	CHECK_OK(io_setfl(r, LINUX_O_NONBLOCK));
	CHECK_OK(io_getfl(r, &fl));
	CHECK(fl == (LINUX_O_RDONLY | LINUX_O_NONBLOCK), "flags %lo", (unsigned long)fl);
	CHECK_ERR(io_read(r, buf, 4, &n), ERR_AGAIN);
	io_close(&r);
	io_close(&w);
	CHECK_OK(fs_pipe(LINUX_O_NONBLOCK | LINUX_O_CLOEXEC, &r, &w));
	CHECK_OK(io_getfl(w, &fl));
	CHECK(fl == (LINUX_O_WRONLY | LINUX_O_NONBLOCK), "pipe2 flags %lo", (unsigned long)fl);
	CHECK_ERR(io_read(r, buf, 4, &n), ERR_AGAIN);
	io_close(&r);
	io_close(&w);
}

void t_pipe_blocking_read(void)
{
	struct cairn_child child;
	char buf[16];
	uint64_t t0;
	size_t n;
	cap_t r, w, note = mk_notification();

	CHECK(note != CAP_NULL, "notification");
	CHECK_OK(fs_pipe(0, &r, &w));
	{
		cap_t dw;
		CHECK_OK(io_dup(w, &dw));       /* the peer's own reference */
		CHECK_OK(peer_start("write-after", "30", dw, note, &child));
		del(&dw);
	}
	io_close(&w);                   /* the peer holds the only writer */
	t0 = now_ns();
	CHECK_OK(io_read(r, buf, sizeof(buf), &n));
	CHECK(n == 4 && !memcmp(buf, "ping", 4), "read %zu bytes", n);
	CHECK(now_ns() - t0 >= 10000000u, "did not wait");
	CHECK_OK(io_read(r, buf, sizeof(buf), &n));     /* waits for the peer's close */
	CHECK(n == 0, "end of file: %zu", n);
	CHECK(peer_wait(&child, note, 5000) == 0, "peer status");
	io_close(&r);
	del(&note);
}

void t_pipe_blocking_write(void)
{
	static uint8_t buf[4000];
	struct cairn_child child;
	size_t total, n;
	int64_t st;
	cap_t r, w, note = mk_notification();

	CHECK_OK(fs_pipe(0, &r, &w));
	CHECK_OK(io_setfl(w, LINUX_O_NONBLOCK));
	CHECK_OK(fill(w, &total));
	CHECK_OK(io_setfl(w, 0));
	{
		cap_t dr;
		CHECK_OK(io_dup(r, &dr));       /* the peer's own reference */
		CHECK_OK(peer_start("read-after", "30", dr, note, &child));
		del(&dr);
	}
	memset(buf, 'z', sizeof(buf));
	CHECK_OK(io_write(w, buf, sizeof(buf), &n));    /* waits for the peer to read */
	CHECK(n == sizeof(buf), "wrote %zu", n);
	st = peer_wait(&child, note, 5000);
	CHECK(st == 8000, "peer read %ld", (long)st);
	CHECK_OK(io_setfl(r, LINUX_O_NONBLOCK));
	n = drain(r);
	CHECK(n == 65536 - 8000 + 4000, "left %zu", n);
	io_close(&r);
	io_close(&w);
	del(&note);
}

void t_pipe_writer_epipe(void)
{
	struct cairn_child child;
	uint64_t h, nodes, waiters, arms;
	size_t total;
	int64_t st;
	cap_t r, w, note = mk_notification();

	CHECK_OK(fs_pipe(LINUX_O_NONBLOCK, &r, &w));
	CHECK_OK(fill(w, &total));
	CHECK_OK(io_setfl(w, 0));
	{
		cap_t dw;
		CHECK_OK(io_dup(w, &dw));       /* the peer's own reference */
		CHECK_OK(peer_start("write-block", "4000", dw, note, &child));
		del(&dw);
	}
	sleep_ms(30);
	CHECK_OK(vfs_stats(&h, &nodes, &waiters, &arms));
	CHECK(waiters == 1, "%lu waiting", (unsigned long)waiters);
	io_close(&r);                   /* the last reader goes: the writer gets EPIPE */
	st = peer_wait(&child, note, 5000);
	CHECK(st == 1000 + ERR_PIPE, "peer status %ld", (long)st);
	io_close(&w);
	del(&note);
}

void t_pipe_dead_reader(void)
{
	struct cairn_child child;
	uint64_t h, nodes, waiters, arms;
	char buf[8];
	size_t n;
	cap_t r, w, note = mk_notification();

	CHECK_OK(fs_pipe(0, &r, &w));
	{
		cap_t dr;
		CHECK_OK(io_dup(r, &dr));       /* the peer's own reference */
		CHECK_OK(peer_start("read-block", "100", dr, note, &child));
		del(&dr);
	}
	sleep_ms(30);
	CHECK_OK(vfs_stats(&h, &nodes, &waiters, &arms));
	CHECK(waiters == 1, "%lu waiting", (unsigned long)waiters);
	peer_kill(&child);
	/* a killed process closes nothing: the kernel tells the server which
	 * references went with it (CAP_OP_WATCH), and the server drops them */
	sleep_ms(20);
	CHECK_OK(vfs_stats(&h, &nodes, &waiters, &arms));
	/* the dead reader's call is dropped, not given the data */
	CHECK_OK(io_write(w, "x", 1, &n));
	CHECK_OK(vfs_stats(&h, &nodes, &waiters, &arms));
	CHECK(waiters == 0, "%lu waiting", (unsigned long)waiters);
	CHECK_OK(io_read(r, buf, sizeof(buf), &n));
	CHECK(n == 1 && buf[0] == 'x', "the byte is still there");
	io_close(&r);
	io_close(&w);
	del(&note);
}

void t_pipe_poll(void)
{
	uint32_t rev;
	char c;
	size_t n;
	cap_t r, w;

	CHECK_OK(fs_pipe(0, &r, &w));
	CHECK_OK(io_poll(r, POLLIN, &rev));
	CHECK(rev == 0, "empty: %x", rev);
	CHECK_OK(io_poll(w, POLLOUT, &rev));
	CHECK(rev == POLLOUT, "writable: %x", rev);
	CHECK_OK(io_write(w, "a", 1, &n));
	CHECK_OK(io_poll(r, POLLIN | POLLRDNORM, &rev));
	CHECK(rev == (POLLIN | POLLRDNORM), "readable: %x", rev);
	io_close(&w);
	CHECK_OK(io_poll(r, POLLIN, &rev));
	CHECK(rev == (POLLIN | POLLHUP), "data and hang-up: %x", rev);
	CHECK_OK(io_read(r, &c, 1, &n));
	CHECK_OK(io_poll(r, POLLIN, &rev));
	CHECK(rev == POLLHUP, "hang-up: %x", rev);
	io_close(&r);
}

void t_pipe_poll_arm(void)
{
	uint64_t h, nodes, waiters, arms;
	size_t total, n;
	uint32_t rev;
	char c;
	cap_t r, w, r2, w2, note = mk_notification();

	CHECK_OK(fs_pipe(0, &r, &w));
	CHECK_OK(io_poll_arm(r, note, POLLIN, 0x4, &rev));
	CHECK(rev == 0, "not ready: %x", rev);
	CHECK(wait_bits(note, 20) == 0, "signalled too early");
	CHECK_OK(vfs_stats(&h, &nodes, &waiters, &arms));
	CHECK(arms == 1, "%lu arms", (unsigned long)arms);
	CHECK_OK(io_write(w, "a", 1, &n));
	CHECK(wait_bits(note, 500) == 0x4, "data did not signal");
	CHECK_OK(vfs_stats(&h, &nodes, &waiters, &arms));
	CHECK(arms == 0, "%lu arms after firing", (unsigned long)arms);
	CHECK_OK(io_poll_arm(r, note, POLLIN, 0x8, &rev));
	CHECK(rev == POLLIN && wait_bits(note, 500) == 0x8, "ready at once");
	CHECK_OK(io_read(r, &c, 1, &n));
	/* the write end becomes writable */
	CHECK_OK(io_setfl(w, LINUX_O_NONBLOCK));
	CHECK_OK(fill(w, &total));
	CHECK_OK(io_poll_arm(w, note, POLLOUT, 0x10, &rev));
	CHECK(rev == 0 && wait_bits(note, 20) == 0, "full pipe signalled");
	CHECK_OK(io_setfl(r, LINUX_O_NONBLOCK));
	CHECK(drain(r) == 65536, "drain");
	CHECK(wait_bits(note, 500) == 0x10, "room did not signal");
	/* the writer closing signals a reader's arm (POLLHUP) */
	CHECK_OK(io_poll_arm(r, note, POLLIN, 0x20, &rev));
	io_close(&w);
	CHECK(wait_bits(note, 500) == 0x20, "hang-up did not signal");
	io_close(&r);
	/* closing the armed description signals its arms */
	CHECK_OK(fs_pipe(0, &r2, &w2));
	CHECK_OK(io_poll_arm(r2, note, POLLIN, 0x40, &rev));
	io_close(&r2);
	CHECK(wait_bits(note, 500) == 0x40, "close did not signal");
	io_close(&w2);
	CHECK_OK(vfs_stats(&h, &nodes, &waiters, &arms));
	CHECK(arms == 0, "%lu arms left", (unsigned long)arms);
	del(&note);
}

void t_pipe_arm_limit(void)
{
	uint64_t h, nodes, waiters, arms;
	uint32_t rev;
	cap_t r, w, note = mk_notification();

	CHECK_OK(fs_pipe(0, &r, &w));
	for (unsigned i = 0; i < 20; i++) {
		CHECK_OK(io_poll_arm(r, note, POLLIN, 1ull << i, &rev));
		CHECK(rev == 0, "ready");
	}
	/* 16 arms an end: the 4 oldest fired early to make room */
	CHECK(wait_bits(note, 100) == 0xf, "early ones");
	CHECK_OK(vfs_stats(&h, &nodes, &waiters, &arms));
	CHECK(arms == 16, "%lu arms", (unsigned long)arms);
	io_close(&w);
	CHECK(wait_bits(note, 500) == 0xffff0, "the others on hang-up");
	CHECK_OK(vfs_stats(&h, &nodes, &waiters, &arms));
	CHECK(arms == 0, "%lu arms left", (unsigned long)arms);
	io_close(&r);
	del(&note);
}

/* A writer killed while it holds the only write end: the reader sees end
 * of file, because the kernel reports the dead process's reference
 * (CAP_OP_WATCH) and the server drops it (a killed `cat | less`). */
void t_pipe_dead_writer(void)
{
	struct cairn_child child;
	char buf[8];
	size_t n = 99;
	cap_t r, w, note = mk_notification();

	CHECK_OK(fs_pipe(0, &r, &w));
	{
		cap_t dw;
		CHECK_OK(io_dup(w, &dw));       /* the peer's own reference */
		CHECK_OK(peer_start("write-after", "5000", dw, note, &child));
		del(&dw);
	}
	io_close(&w);                   /* the peer holds the only writer */
	sleep_ms(20);
	peer_kill(&child);
	CHECK_OK(io_read(r, buf, sizeof(buf), &n));   /* would wait forever without the report */
	CHECK(n == 0, "read %lu bytes, want end of file", (unsigned long)n);
	io_close(&r);
	del(&note);
}

/* ---- shared rings (IO_PIPE_MAP) ------------------------------------------------------- */

struct win {
	cap_t obj[3];
	struct posix_pipe_shm *s;
	uint8_t *ring;
};

static err_t pipe_map(cap_t end, struct win *w, uint64_t *which)
{
	struct vres r = vcall(end, IO_PIPE_MAP, 0, 0, 0, 0, NULL, 0, CAP_NULL);
	void *va;
	err_t e;

	if (r.err)
		return r.err;
	if (r.ncaps != 3 || r.w[1] != POSIX_PIPE_RING)
		return ERR_IO;
	for (unsigned i = 0; i < 3; i++)
		w->obj[i] = r.caps[i];
	*which = r.w[0];
	if ((e = cairn_map(w->obj[0], 0, POSIX_PIPE_PAGES, CAIRN_PROT_R | CAIRN_PROT_W, &va)))
		return e;
	w->s = va;
	w->ring = (uint8_t *)va + 4096;
	return ERR_OK;
}

static void pipe_unmap(struct win *w)
{
	if (w->s)
		cairn_unmap(w->s, POSIX_PIPE_PAGES);
	w->s = NULL;
	for (unsigned i = 0; i < 3; i++)
		del(&w->obj[i]);
}

static uint32_t rights_of(cap_t c, uint64_t type)
{
	uint64_t id[3];

	if (cairn_cap_op(CAP_OP_IDENTIFY, c, 0, 0, 0, id) || id[0] != type)
		return 0xdead;
	return (uint32_t)id[1] & (RIGHT_READ | RIGHT_WRITE);
}

/* The ring and the server's IO_READ/IO_WRITE are one pipe. */
void t_pipe_shared(void)
{
	struct win rw = { 0 }, ww = { 0 };
	uint64_t which = 9;
	char buf[16];
	size_t n;
	cap_t r, w, f, note = mk_notification();

	CHECK_OK(fs_pipe(0, &r, &w));
	CHECK_OK(pipe_map(r, &rw, &which));
	CHECK(which == 0, "read end says %lu", (unsigned long)which);
	CHECK_OK(pipe_map(w, &ww, &which));
	CHECK(which == 1, "write end says %lu", (unsigned long)which);
	/* a reader may wait for data and only signal space; a writer the reverse */
	CHECK(rights_of(rw.obj[0], OBJ_MEMOBJ) == (RIGHT_READ | RIGHT_WRITE), "ring rights");
	CHECK(rights_of(rw.obj[1], OBJ_NOTIFICATION) == (RIGHT_READ | RIGHT_WRITE), "reader's data");
	CHECK(rights_of(rw.obj[2], OBJ_NOTIFICATION) == RIGHT_WRITE, "reader's space");
	CHECK(rights_of(ww.obj[1], OBJ_NOTIFICATION) == RIGHT_WRITE, "writer's data");
	CHECK(rights_of(ww.obj[2], OBJ_NOTIFICATION) == (RIGHT_READ | RIGHT_WRITE), "writer's space");
	CHECK_ERR(cairn_wait(ww.obj[1], 0, NULL), ERR_PERM);
	CHECK(rw.s->readers == 1 && rw.s->writers == 1 && rw.s->head == rw.s->tail, "header");
	/* only pipes have rings */
	CHECK_ERR(vcall(v_root, IO_PIPE_MAP, 0, 0, 0, 0, NULL, 0, CAP_NULL).err, ERR_INVAL);
	CHECK_OK(fs_open(v_root, "/tmp/pipe_shared", LINUX_O_CREAT | LINUX_O_RDWR, 0600, &f));
	CHECK_ERR(vcall(f, IO_PIPE_MAP, 0, 0, 0, 0, NULL, 0, CAP_NULL).err, ERR_INVAL);
	io_close(&f);
	fs_unlink(v_root, "/tmp/pipe_shared", 0);
	/* bytes put in the ring by hand come out of IO_READ ... */
	memcpy(ww.ring + ww.s->tail % POSIX_PIPE_RING, "direct", 6);
	__atomic_store_n(&ww.s->tail, ww.s->tail + 6, __ATOMIC_SEQ_CST);
	CHECK_OK(io_read(r, buf, sizeof(buf), &n));
	CHECK(n == 6 && !memcmp(buf, "direct", 6), "server read %zu", n);
	CHECK(rw.s->head == rw.s->tail, "server consumed");
	/* ... and IO_WRITE's are in the ring; a counted waiter is signalled */
	__atomic_store_n(&rw.s->rwait, 1, __ATOMIC_SEQ_CST);
	CHECK_OK(io_write(w, "server", 6, &n));
	__atomic_store_n(&rw.s->rwait, 0, __ATOMIC_SEQ_CST);
	CHECK(rw.s->tail - rw.s->head == 6 && !memcmp(rw.ring + rw.s->head % POSIX_PIPE_RING, "server", 6),
	      "ring has %u bytes", rw.s->tail - rw.s->head);
	CHECK_OK(cairn_wait(rw.obj[1], 0, NULL));
	rw.s->head += 6;
	/* the server's counts and flags */
	CHECK_OK(io_setfl(r, LINUX_O_NONBLOCK));
	CHECK(rw.s->rflags == LINUX_O_NONBLOCK && rw.s->wflags == 0, "flags %x %x", rw.s->rflags, rw.s->wflags);
	CHECK_OK(io_setfl(r, 0));
	CHECK(rw.s->rflags == 0, "flags cleared");
	/* an armed poll asks for kicks; a kick after a change fires it */
	uint32_t rev = 1;
	CHECK_OK(io_poll_arm(r, note, POLLIN, 4, &rev));
	CHECK(rev == 0 && rw.s->kick, "armed: rev %x, kick %u", rev, rw.s->kick);
	CHECK_ERR(cairn_wait(note, 0, NULL), ERR_AGAIN);
	memcpy(ww.ring + ww.s->tail % POSIX_PIPE_RING, "k", 1);
	__atomic_store_n(&ww.s->tail, ww.s->tail + 1, __ATOMIC_SEQ_CST);
	CHECK_OK(vcall(w, IO_PIPE_KICK, 0, 0, 0, 0, NULL, 0, CAP_NULL).err);
	CHECK_OK(cairn_wait(note, 0, NULL));
	CHECK(!rw.s->kick, "nothing armed: no kicks");
	CHECK_ERR(vcall(v_root, IO_PIPE_KICK, 0, 0, 0, 0, NULL, 0, CAP_NULL).err, ERR_INVAL);
	/* the last writer's close is in the header, and wakes a counted reader */
	__atomic_store_n(&rw.s->rwait, 1, __ATOMIC_SEQ_CST);
	io_close(&w);
	CHECK(rw.s->writers == 0 && rw.s->readers == 1, "counts %u %u", rw.s->readers, rw.s->writers);
	CHECK_OK(cairn_wait(rw.obj[1], 0, NULL));
	pipe_unmap(&ww);
	pipe_unmap(&rw);
	io_close(&r);
	del(&note);
}

/* A side a client holds is not ready for the server; a broken header
 * breaks only its pipe. */
void t_pipe_shared_locked(void)
{
	struct win rw = { 0 };
	uint64_t which;
	char buf[16];
	uint32_t rev;
	size_t n;
	cap_t r, w;

	CHECK_OK(fs_pipe(LINUX_O_NONBLOCK, &r, &w));
	CHECK_OK(pipe_map(r, &rw, &which));
	__atomic_store_n(&rw.s->wlock, 12345, __ATOMIC_SEQ_CST);
	CHECK_ERR(io_write(w, "x", 1, &n), ERR_AGAIN);
	__atomic_store_n(&rw.s->wlock, 0, __ATOMIC_SEQ_CST);
	CHECK_OK(io_write(w, "xy", 2, &n));
	__atomic_store_n(&rw.s->rlock, 12345, __ATOMIC_SEQ_CST);
	CHECK_ERR(io_read(r, buf, sizeof(buf), &n), ERR_AGAIN);
	__atomic_store_n(&rw.s->rlock, 0, __ATOMIC_SEQ_CST);
	CHECK_OK(io_read(r, buf, sizeof(buf), &n));
	CHECK(n == 2 && !memcmp(buf, "xy", 2), "read %zu", n);
	/* 10 MiB "in" a 64 KiB ring: full and readable, nothing crashes */
	rw.s->tail = rw.s->head + (10u << 20);
	CHECK_ERR(io_write(w, "z", 1, &n), ERR_AGAIN);
	CHECK_OK(io_read(r, buf, sizeof(buf), &n));
	CHECK(n == sizeof(buf), "read %zu", n);
	CHECK_OK(io_poll(w, POLLOUT, &rev));
	CHECK(rev == 0, "full: rev %x", rev);
	rw.s->head = rw.s->tail;
	CHECK_OK(io_write(w, "ok", 2, &n));
	CHECK_OK(io_read(r, buf, sizeof(buf), &n));
	CHECK(n == 2 && !memcmp(buf, "ok", 2), "read %zu after repair", n);
	pipe_unmap(&rw);
	io_close(&r);
	io_close(&w);
}

/* Past the server's shared pipes, pipes keep a ring of the server's own. */
void t_pipe_shared_budget(void)
{
	static cap_t ends[2 * 160];
	unsigned made = 0, shared = 0, own = 0;
	struct win win = { 0 };
	uint64_t which;
	char buf[8];
	size_t n;
	err_t e;

	for (; made < 160; made++) {
		if ((e = fs_pipe(LINUX_O_NONBLOCK, &ends[2 * made], &ends[2 * made + 1])))
			break;
		e = vcall(ends[2 * made], IO_PIPE_MAP, 0, 0, 0, 0, NULL, 0, CAP_NULL).err;
		if (e == ERR_OK)
			shared++;
		else if (e == ERR_NODEV)
			own++;
		else
			break;
		/* the answer's capabilities: dropped again */
		for (unsigned i = 0; !e && i < 3; i++)
			cairn_cap_delete(cairn_ipcbuf()->caps[i]);
	}
	CHECK(made == 160, "made %u pipes: %d", made, e);
	CHECK(shared >= 100 && shared <= 128 && own == made - shared, "shared %u, own %u", shared, own);
	/* both kinds carry data */
	for (unsigned i = 0; i < made; i++) {
		buf[0] = (char)i;
		CHECK_OK(io_write(ends[2 * i + 1], buf, 1, &n));
		CHECK_OK(io_read(ends[2 * i], buf + 1, 1, &n));
		CHECK(n == 1 && buf[1] == (char)i, "pipe %u", i);
	}
	CHECK_ERR(pipe_map(ends[2 * (made - 1)], &win, &which), ERR_NODEV);
	for (unsigned i = 0; i < 2 * made; i++)
		io_close(&ends[i]);
	/* the budget comes back */
	CHECK_OK(fs_pipe(0, &ends[0], &ends[1]));
	CHECK_OK(pipe_map(ends[0], &win, &which));
	pipe_unmap(&win);
	io_close(&ends[0]);
	io_close(&ends[1]);
}
