/* SPDX-License-Identifier: MIT */
/*
 * vfstest bench: what the VFS server costs, in guest instructions per
 * operation (the whole machine's: client, kernel and server), read with
 * the instruction counter under QEMU -icount as user/bench does:
 *
 *   ./qemu-run.sh --manifest vfsbench --icount
 *
 * Best of RUNS runs each. The operations are the protocol's, as a libc
 * would send them (a 4 KiB read is two messages: 4000 + 96 bytes, the
 * most a message carries being POSIX_INLINE_MAX):
 *   vfs_getfl          IO_GETFL on the root: a request round trip
 *   vfs_getfl_raw      the same with a bare SYS_CALL (no client helper)
 *   stat_path          FS_STAT of /tmp/b/f4k
 *   open_read4k_close  FS_OPEN, 4 KiB in two IO_READs, IO_CLOSE and the
 *                      capability's deletion
 *   read_1m_4k         1 MiB read 4 KiB at a time (per 4 KiB)
 *   write_4k           4 KiB written in two IO_WRITEs (per 4 KiB)
 *   pipe_pingpong      1 byte to a peer process through one pipe and back
 *                      through another: one round trip (2 writes, 2 reads,
 *                      each read waiting for its byte)
 */
#include "vfstest.h"
#include <cairn/counter.h>

#define RUNS 5

static void report(const char *name, uint64_t best, uint64_t ops)
{
	printf("bench: %s %lu insns/op\n", name, (unsigned long)((best + ops / 2) / ops));
}

static uint8_t buf[POSIX_INLINE_MAX];

static err_t read4k(cap_t f)
{
	size_t n;
	err_t e = io_read(f, buf, 4000, &n);

	return e ? e : io_read(f, buf, 96, &n);
}

int bench_main(void)
{
	uint64_t best, t, ops;
	struct posix_stat st;
	uint64_t fl;
	size_t n;
	cap_t f;
	err_t e;

	if ((e = fs_mkdir(v_root, "/tmp/b", 0755)))
		goto fail;
	memset(buf, 'b', sizeof(buf));
	if ((e = put_file("/tmp/b/f4k", buf, 4096)))
		goto fail;

	best = UINT64_MAX;
	ops = 2000;
	for (int r = 0; r < RUNS; r++) {
		t = insns();
		for (uint64_t i = 0; i < ops; i++)
			io_getfl(v_root, &fl);
		t = insns() - t;
		best = t < best ? t : best;
	}
	report("vfs_getfl", best, ops);

	best = UINT64_MAX;
	for (int r = 0; r < RUNS; r++) {
		t = insns();
		for (uint64_t i = 0; i < ops; i++)
			cairn_call(v_root, cairn_tag(IO_GETFL, CAIRN_MSG_REGS, 0), 0, 0, 0, 0);
		t = insns() - t;
		best = t < best ? t : best;
	}
	report("vfs_getfl_raw", best, ops);

	best = UINT64_MAX;
	ops = 1000;
	for (int r = 0; r < RUNS; r++) {
		t = insns();
		for (uint64_t i = 0; i < ops; i++)
			fs_stat(v_root, "/tmp/b/f4k", 0, &st);
		t = insns() - t;
		best = t < best ? t : best;
	}
	report("stat_path", best, ops);

	best = UINT64_MAX;
	ops = 500;
	for (int r = 0; r < RUNS; r++) {
		t = insns();
		for (uint64_t i = 0; i < ops; i++) {
			if ((e = fs_open(v_root, "/tmp/b/f4k", LINUX_O_RDONLY, 0, &f)) || (e = read4k(f)))
				goto fail;
			io_close(&f);
		}
		t = insns() - t;
		best = t < best ? t : best;
	}
	report("open_read4k_close", best, ops);

	/* 1 MiB file */
	if ((e = fs_open(v_root, "/tmp/b/f1m", LINUX_O_CREAT | LINUX_O_RDWR, 0600, &f)))
		goto fail;
	best = UINT64_MAX;
	for (int r = 0; r < RUNS; r++) {
		io_seek(f, 0, POSIX_SEEK_SET, NULL);
		t = insns();
		for (unsigned i = 0; i < 256; i++) {
			io_write(f, buf, 4000, &n);
			io_write(f, buf, 96, &n);
		}
		t = insns() - t;
		best = t < best ? t : best;
	}
	report("write_4k", best, 256);
	best = UINT64_MAX;
	for (int r = 0; r < RUNS; r++) {
		io_seek(f, 0, POSIX_SEEK_SET, NULL);
		t = insns();
		for (unsigned i = 0; i < 256; i++)
			read4k(f);
		t = insns() - t;
		best = t < best ? t : best;
	}
	report("read_1m_4k", best, 256);
	io_close(&f);

	/* pipe ping-pong with a peer process */
	{
		struct cairn_child child;
		cap_t a_r, a_w, b_r, b_w, note = mk_notification();
		const uint64_t rounds = 500;
		char c = 'p';

		if ((e = fs_pipe(0, &a_r, &a_w)) || (e = fs_pipe(0, &b_r, &b_w)))
			goto fail;
		cap_t pr = CAP_NULL, pw = CAP_NULL;      /* the peer's own references */
		io_dup(a_r, &pr);
		io_dup(b_w, &pw);
		e = peer_start2("pong", "2500", pr, pw, note, &child);
		del(&pr);
		del(&pw);
		if (e)
			goto fail;
		best = UINT64_MAX;
		for (int r = 0; r < RUNS; r++) {
			t = insns();
			for (uint64_t i = 0; i < rounds; i++) {
				io_write(a_w, &c, 1, &n);
				io_read(b_r, &c, 1, &n);
			}
			t = insns() - t;
			best = t < best ? t : best;
		}
		report("pipe_pingpong", best, rounds);
		peer_wait(&child, note, 5000);
		io_close(&a_r);
		io_close(&a_w);
		io_close(&b_r);
		io_close(&b_w);
		del(&note);
	}
	rm_rf("/tmp/b");
	return 0;
fail:
	printf("bench: FAILED: %s\n", err_name(e));
	return 1;
}
