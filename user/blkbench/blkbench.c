/* SPDX-License-Identifier: MIT */
/*
 * The Cairn side of `make bench`'s block figures (tests/bench.sh): the
 * same reads as the Linux peer's blkbench-linux.c (user/blkbench/blkbench.h:
 * counts, sizes, offsets, best of BLKBENCH_RUNS), through the block
 * protocol (include/cairn/blk.h) to the virtio block driver
 * (drivers/virtio_blk), one request at a time (blk_io: submit, BLK_WAIT),
 * under QEMU -icount shift=0,sleep=off. A spinner at the lowest priority
 * keeps the CPU busy while the disk works and its turns are subtracted
 * (blkbench.h says why). The figures count every instruction of the
 * guest: blkbench's, the driver's and the kernel's.
 * Output: "bench: blk.rand_4k N insns/KiB", "bench: blk.seq_1m N insns/KiB",
 * and "bench: blk.copy N insns/KiB": one memcpy of 1 MiB, what a driver
 * that bounced data through its `dma` memory instead of letting the device
 * write into the client's buffer would add to every KiB (docs/drivers.md).
 * Started by blkbench.manifest beside the driver; plays the device
 * manager's part (DEV_READY on `devmgr`).
 */
#include <stdint.h>
#include <string.h>
#include <cairn/rt.h>
#include <cairn/dev.h>
#include <cairn/counter.h>
#include <cairn/blk_client.h>
#include "blkbench.h"

static volatile uint64_t spin_turns;
static struct blk_client bc;

static void die(const char *what, err_t e)
{
	printf("bench: FAILED %s: %s\n", what, err_name(e));
	exit(1);
}

static void spinner(uint64_t arg)
{
	blkbench_spin(&spin_turns);
}

static uint64_t busy_since(uint64_t t0, uint64_t s0)
{
	uint64_t t = insns(), s = spin_turns;

	return t - t0 - (s - s0) * BLKBENCH_SPIN_INSNS;
}

static void read_at(uint64_t pos, uint32_t len)
{
	err_t e = blk_io(&bc, BLK_OP_READ, pos, len, BLK_DATA_OFF);

	if (e)
		die("read", e);
}

int main(int argc, char **argv)
{
	cap_t svc = cairn_cap("svc"), devmgr = cairn_cap("devmgr");
	uint64_t best, t, n = 100000;
	struct cairn_msg m;
	err_t e;

	t = insns();
	insns_loop2(n);
	t = insns() - t;
	printf("bench: calibration %lu.%02lu counts per instruction (2-instruction loop)\n",
	       (unsigned long)(t / (2 * n)), (unsigned long)(t * 100 / (2 * n) % 100));
	m = cairn_recv(devmgr, 0);                     /* the driver's DEV_READY */
	if (m.err || cairn_tag_label(m.tag) != DEV_READY)
		die("DEV_READY", (err_t)m.err);
	cairn_reply(cairn_tag(0, CAIRN_MSG_REGS, 0), 0, 0, 0, 0);
	if ((e = blk_attach(&bc, svc, 4, BLKBENCH_SEQ_SIZE)))
		die("attach", e);
	if (bc.capacity < (uint64_t)BLKBENCH_DISK_MB << 20)
		die("disk smaller than BLKBENCH_DISK_MB", ERR_NOSPC);
	if ((e = cairn_thread_start(spinner, 0, 1, NULL)))
		die("spinner", e);
	/* (it runs whenever this thread waits: a yield here would not reach it) */

	best = UINT64_MAX;
	for (int run = 0; run < BLKBENCH_RUNS; run++) {
		uint64_t seed = BLKBENCH_SEED, s0 = spin_turns;

		t = insns();
		for (unsigned i = 0; i < BLKBENCH_RAND_OPS; i++)
			read_at(blkbench_rand_offset(&seed), 4096);
		t = busy_since(t, s0);
		if (t < best)
			best = t;
	}
	printf("bench: blk.rand_4k %lu insns/KiB\n", (unsigned long)(best / (BLKBENCH_RAND_OPS * 4ull)));

	best = UINT64_MAX;
	for (int run = 0; run < BLKBENCH_RUNS; run++) {
		uint64_t s0 = spin_turns;

		t = insns();
		for (unsigned i = 0; i < BLKBENCH_SEQ_OPS; i++)
			read_at((uint64_t)i * BLKBENCH_SEQ_SIZE, BLKBENCH_SEQ_SIZE);
		t = busy_since(t, s0);
		if (t < best)
			best = t;
	}
	printf("bench: blk.seq_1m %lu insns/KiB\n",
	       (unsigned long)(best / (BLKBENCH_SEQ_OPS * (BLKBENCH_SEQ_SIZE / 1024ull))));
	/* the copy a bounce buffer would add: 1 MiB, page 0 of the data area to the rest */
	{
		static uint8_t src[BLKBENCH_SEQ_SIZE];
		uint64_t s0;

		memcpy(blk_data(&bc), src, BLKBENCH_SEQ_SIZE);     /* src's pages made first */
		s0 = spin_turns;
		t = insns();
		memcpy(blk_data(&bc), src, BLKBENCH_SEQ_SIZE);
		t = busy_since(t, s0);
		printf("bench: blk.copy %lu insns/KiB\n", (unsigned long)(t / (BLKBENCH_SEQ_SIZE / 1024)));
	}
	printf("bench: done\n");
	cairn_console_flush();
	exit(0);
}
