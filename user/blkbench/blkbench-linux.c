/* SPDX-License-Identifier: MIT */
/*
 * The Linux side of `make bench`'s block figures: the same reads as
 * Cairn's user/blkbench (the same counts, sizes and offsets), on the Linux
 * peer's virtio-blk disk read raw with O_DIRECT (no page cache), under
 * QEMU -icount shift=0, where rdinstret counts guest instructions exactly.
 * Built with riscv64-linux-gnu-gcc -static and run as /init by
 * ../shared/peer/run-linux.sh (PEER_KERNEL=full, a disk as virtio-blk).
 * Output: "bench: blk.<name> <instructions> insns/KiB", one line a figure.
 *
 *   blk.rand_4k   4 KiB reads at pseudo-random 4 KiB-aligned offsets, one
 *                 at a time (BLKBENCH_RAND_OPS of them)
 *   blk.seq_1m    1 MiB reads, one after another from offset 0
 *                 (BLKBENCH_SEQ_OPS of them)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <cairn/counter.h>
#include "blkbench.h"

static void die(const char *what)
{
	perror(what);
	reboot(RB_POWER_OFF);
	exit(1);
}

/* /dev/vda from /sys/block/vda/dev (the peer's root has no devtmpfs). */
static int open_disk(void)
{
	unsigned maj, min;
	FILE *f;
	int fd;

	mkdir("/sys", 0755);
	if (mount("sysfs", "/sys", "sysfs", 0, NULL) && access("/sys/block", F_OK))
		die("mount /sys");
	if (!(f = fopen("/sys/block/vda/dev", "r")) || fscanf(f, "%u:%u", &maj, &min) != 2)
		die("/sys/block/vda/dev");
	fclose(f);
	if (mknod("/dev/vda", S_IFBLK | 0600, makedev(maj, min)) && access("/dev/vda", F_OK))
		die("mknod /dev/vda");
	if ((fd = open("/dev/vda", O_RDONLY | O_DIRECT)) < 0)
		die("open /dev/vda");
	return fd;
}

static volatile uint64_t spin_turns;

static void *spinner(void *arg)
{
	struct sched_param sp = { 0 };

	(void)arg;
	if (sched_setscheduler(0, SCHED_IDLE, &sp))
		perror("SCHED_IDLE");
	blkbench_spin(&spin_turns);
	return NULL;
}

/* Instructions since *t0 (and the spinner's turns since *s0), less the
 * spinner's. */
static uint64_t busy_since(uint64_t t0, uint64_t s0)
{
	uint64_t t = insns(), s = spin_turns;

	return t - t0 - (s - s0) * BLKBENCH_SPIN_INSNS;
}

static void read_at(int fd, void *buf, size_t len, uint64_t off)
{
	if (pread(fd, buf, len, (off_t)off) != (ssize_t)len)
		die("pread");
}

int main(void)
{
	void *buf;
	int fd = open_disk();
	uint64_t best, t;

	if (posix_memalign(&buf, 4096, BLKBENCH_SEQ_SIZE))
		die("posix_memalign");
	memset(buf, 0, BLKBENCH_SEQ_SIZE);
	pthread_t th;
	if (pthread_create(&th, NULL, spinner, NULL))
		die("pthread_create");
	while (!spin_turns)
		sched_yield();

	best = UINT64_MAX;
	for (int run = 0; run < BLKBENCH_RUNS; run++) {
		uint64_t seed = BLKBENCH_SEED, s0 = spin_turns;

		t = insns();
		for (unsigned i = 0; i < BLKBENCH_RAND_OPS; i++)
			read_at(fd, buf, 4096, blkbench_rand_offset(&seed));
		t = busy_since(t, s0);
		if (t < best)
			best = t;
	}
	printf("bench: blk.rand_4k %llu insns/KiB\n",
	       (unsigned long long)(best / (BLKBENCH_RAND_OPS * 4ull)));

	best = UINT64_MAX;
	for (int run = 0; run < BLKBENCH_RUNS; run++) {
		uint64_t s0 = spin_turns;

		t = insns();
		for (unsigned i = 0; i < BLKBENCH_SEQ_OPS; i++)
			read_at(fd, buf, BLKBENCH_SEQ_SIZE, (uint64_t)i * BLKBENCH_SEQ_SIZE);
		t = busy_since(t, s0);
		if (t < best)
			best = t;
	}
	printf("bench: blk.seq_1m %llu insns/KiB\n",
	       (unsigned long long)(best / (BLKBENCH_SEQ_OPS * (BLKBENCH_SEQ_SIZE / 1024ull))));
	fflush(stdout);
	sync();
	reboot(RB_POWER_OFF);
	return 0;
}
