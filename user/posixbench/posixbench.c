/* SPDX-License-Identifier: MIT */
/*
 * POSIX benchmarks of `make bench`: the same C source is built for Linux
 * (riscv64-linux-gnu-gcc -static) and for Cairn (<arch>-cairn-gcc), and run
 * under QEMU -icount shift=0, where the instruction counter (rdinstret;
 * rdtsc on x86-64) counts guest instructions exactly. Each figure is the
 * best of several runs. Output: "bench: <name> <instructions> insns/op".
 *
 *   getppid          a getppid() loop
 *   pipe_pingpong    write 1 byte, read 1 byte back, between two forked
 *                    processes over two pipes: one round trip
 *   open_read_close  open + read 4 KiB + close of a tmpfs file
 *   read_4k_seq      1 MiB read sequentially in 4 KiB reads: per read
 *   write_4k_fsync   pwrite of 4 KiB at offset 0 of a 4 KiB tmpfs file +
 *                    fsync: a page rewritten and made durable
 *   create_unlink    open(O_CREAT | O_EXCL) + close + unlink of an empty
 *                    tmpfs file
 * With the argument "disk" only the last four, on an ext2 disk at /mnt
 * (tests/bench.sh's ext2.* rows).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cairn/counter.h>
#ifdef LINUX_PEER
#include <sys/mount.h>
#include <sys/sysmacros.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#endif

#define RUNS 3

static void report(const char *name, uint64_t total, uint64_t ops)
{
	printf("bench: %s %llu insns/op\n", name, (unsigned long long)((total + ops / 2) / ops));
	fflush(stdout);
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void bench_getppid(void)
{
	uint64_t best = UINT64_MAX, n = 1000;

	for (int r = 0; r < RUNS; r++) {
		uint64_t t0 = insns();
		for (uint64_t i = 0; i < n; i++)
			getppid();
		uint64_t d = insns() - t0;
		if (d < best)
			best = d;
	}
	report("getppid", best, n);
}

static void bench_pipe(void)
{
	int a[2], b[2];
	uint64_t best = UINT64_MAX, n = 200;
	char c = 'x';

	if (pipe(a) || pipe(b))
		die("pipe");
	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		close(a[1]);
		close(b[0]);
		while (read(a[0], &c, 1) == 1)
			if (write(b[1], &c, 1) != 1)
				_exit(1);
		_exit(0);
	}
	close(a[0]);
	close(b[1]);
	for (int r = 0; r < RUNS; r++) {
		uint64_t t0 = insns();
		for (uint64_t i = 0; i < n; i++)
			if (write(a[1], &c, 1) != 1 || read(b[0], &c, 1) != 1)
				die("ping-pong");
		uint64_t d = insns() - t0;
		if (d < best)
			best = d;
	}
	close(a[1]);
	waitpid(pid, NULL, 0);
	close(b[0]);
	report("pipe_pingpong", best, n);
}

/*
 * The file figures wait for a disk (fsync on ext2, and Linux's). Under
 * -icount shift=0,sleep=off a CPU with nothing to run jumps its clock,
 * which the instruction counter reads, to the next timer's deadline, so a
 * wait would count as whatever the timers are set to (Cairn's 100 Hz tick,
 * Linux's next timer) and vary with the host. So a spinner thread at the
 * lowest priority (SCHED_IDLE, on both systems) runs from the first file
 * figure on and keeps the CPU busy while everything else waits; busy() is
 * the instruction counter less the spinner's turns (COUNTER_SPIN_INSNS
 * instructions each, within one turn per interruption), what the file
 * operations cost the CPU (as user/blkbench does). A figure that never
 * waits is the same with or without it.
 */
static volatile uint64_t spin_turns;

static void *spinner(void *arg)
{
	struct sched_param sp = { 0 };

	(void)arg;
	if (pthread_setschedparam(pthread_self(), SCHED_IDLE, &sp)) {
		printf("bench: FAILED SCHED_IDLE\n");
		exit(1);
	}
	counter_spin(&spin_turns);
	return NULL;
}

static void start_spinner(void)
{
	pthread_t th;

	if (pthread_create(&th, NULL, spinner, NULL))
		die("pthread_create");
	while (!spin_turns)
		sched_yield();
}

static uint64_t busy(void)
{
	return insns() - spin_turns * COUNTER_SPIN_INSNS;
}

static char buf[4096];

static void make_file(const char *path, size_t size)
{
	int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);

	if (fd < 0)
		die(path);
	memset(buf, 'c', sizeof(buf));
	for (size_t done = 0; done < size; done += sizeof(buf))
		if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
			die("write");
	close(fd);
}

/* Where the files are: /tmp (the VFS's tmpfs), or with the argument
 * "disk" /mnt, an ext2 disk (Cairn: ./qemu-run.sh --disk's ext2 server;
 * the Linux peer mounts /dev/vda itself). */
static const char *dir = "/tmp";

static const char *path(const char *name)
{
	static char p[4][64];
	static unsigned k;
	char *b = p[k++ % 4];

	snprintf(b, sizeof(p[0]), "%s/%s", dir, name);
	return b;
}

static void bench_open_read_close(void)
{
	uint64_t best = UINT64_MAX, n = 100;

	make_file(path("bench-4k"), 4096);
	for (int r = 0; r < RUNS; r++) {
		uint64_t t0 = busy();
		for (uint64_t i = 0; i < n; i++) {
			int fd = open(path("bench-4k"), O_RDONLY);
			if (fd < 0 || read(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
				die("open+read");
			close(fd);
		}
		uint64_t d = busy() - t0;
		if (d < best)
			best = d;
	}
	report("open_read_close", best, n);
}

static void bench_read_seq(void)
{
	uint64_t best = UINT64_MAX, n = 256;

	make_file(path("bench-1m"), 1 << 20);
	for (int r = 0; r < RUNS; r++) {
		int fd = open(path("bench-1m"), O_RDONLY);
		if (fd < 0)
			die("open");
		uint64_t t0 = busy();
		for (uint64_t i = 0; i < n; i++)
			if (read(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
				die("read");
		uint64_t d = busy() - t0;
		close(fd);
		if (d < best)
			best = d;
	}
	report("read_4k_seq", best, n);
}

static void bench_write_fsync(void)
{
	uint64_t best = UINT64_MAX, n = 100;

	make_file(path("bench-w4k"), 4096);
	int fd = open(path("bench-w4k"), O_RDWR);
	if (fd < 0)
		die("open");
	for (int r = 0; r < RUNS; r++) {
		uint64_t t0 = busy();
		for (uint64_t i = 0; i < n; i++) {
			buf[0] = (char)i;
			if (pwrite(fd, buf, sizeof(buf), 0) != (ssize_t)sizeof(buf) || fsync(fd))
				die("pwrite+fsync");
		}
		uint64_t d = busy() - t0;
		if (d < best)
			best = d;
	}
	close(fd);
	report("write_4k_fsync", best, n);
}

static void bench_create_unlink(void)
{
	uint64_t best = UINT64_MAX, n = 100;

	for (int r = 0; r < RUNS; r++) {
		uint64_t t0 = busy();
		for (uint64_t i = 0; i < n; i++) {
			int fd = open(path("bench-new"), O_CREAT | O_EXCL | O_WRONLY, 0644);
			if (fd < 0 || close(fd) || unlink(path("bench-new")))
				die("create+unlink");
		}
		uint64_t d = busy() - t0;
		if (d < best)
			best = d;
	}
	report("create_unlink", best, n);
}

/*
 * LINUX_PEER: built as /init for the Linux peer (../shared/peer/run-linux.sh,
 * tests/bench.sh): it makes its /tmp and powers the machine off.
 */
int main(int argc, char **argv)
{
	int disk = argc > 1 && !strcmp(argv[1], "disk");

#ifdef LINUX_PEER
	mkdir("/tmp", 01777);
	if (disk) {
		/* /dev/vda: devtmpfs, else its number from sysfs */
		mkdir("/dev", 0755);
		mkdir("/mnt", 0755);
		if (mount("devtmpfs", "/dev", "devtmpfs", 0, NULL)) {
			char num[32] = { 0 };
			unsigned maj, min;
			int fd;

			mkdir("/sys", 0755);
			mount("sysfs", "/sys", "sysfs", 0, NULL);
			fd = open("/sys/block/vda/dev", O_RDONLY);
			if (fd < 0 || read(fd, num, sizeof(num) - 1) <= 0 || sscanf(num, "%u:%u", &maj, &min) != 2 ||
			    mknod("/dev/vda", S_IFBLK | 0600, makedev(maj, min)))
				die("/dev/vda");
			close(fd);
		}
		if (mount("/dev/vda", "/mnt", "ext2", 0, NULL))
			die("mount /dev/vda");
	}
#endif
	if (disk) {
		dir = "/mnt";
	} else {
		bench_getppid();
		bench_pipe();
	}
	start_spinner();
	bench_open_read_close();
	bench_read_seq();
	bench_write_fsync();
	bench_create_unlink();
	printf("bench: done\n");
#ifdef LINUX_PEER
	sync();
	reboot(RB_POWER_OFF);
#endif
	return 0;
}
