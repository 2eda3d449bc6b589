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
 *   tar_x            extracting a ustar archive of a source tree (the
 *                    repository's kernel/, made by tests/bench.sh with the
 *                    host's tar and built in with -DTAR_FILE, see below):
 *                    per whole extraction; tar_x_file: the same figure per
 *                    file of the archive
 * With the argument "disk" only the last five, on an ext2 disk at /mnt
 * (tests/bench.sh's ext2.* rows).
 *
 * With the arguments "net PORT" the network figures, against the host's
 * tests/bench/netpeer.py through QEMU's user network (the host is
 * 10.0.2.2; PORT its TCP source, PORT + 1 its TCP sink, PORT + 2 its UDP
 * echo, PORT + 3 a listener that takes connections and closes them):
 *   tcp_rx_kib       4 MiB received from the host in 64 KiB reads: per KiB
 *   tcp_tx_kib       4 MiB sent to the host in 64 KiB writes: per KiB
 *   udp_rtt          a 64-byte datagram to the host's echo and back
 *   tcp_connect      connect + close to the host
 * They wait for the host, so they count busy() (the spinner below).
 *
 * With the argument "pipeprof": 100 pipe round trips (after 50 to warm
 * up) between the calls prof_begin() and prof_end(), for a profile:
 *   ./qemu-run.sh --smp 1 --icount --exec build/riscv64/posixbench pipeprof \
 *       -- -d exec,nochain,in_asm -D LOG
 *   tests/bench/tbprof.py LOG --bin kernel=build/riscv64-virt/cairn.elf \
 *       --bin pb=build/riscv64/posixbench --begin pb:prof_begin --end pb:prof_end
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cairn/counter.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#ifdef LINUX_PEER
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/sysmacros.h>
#include <sys/reboot.h>
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

/* the profile's window ("pipeprof") */
void prof_begin(void);
void prof_end(void);
__attribute__((noinline)) void prof_begin(void) { __asm__ volatile("" ::: "memory"); }
__attribute__((noinline)) void prof_end(void) { __asm__ volatile("" ::: "memory"); }
static int profiling;

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
	if (profiling) {
		for (int i = 0; i < 50; i++)
			if (write(a[1], &c, 1) != 1 || read(b[0], &c, 1) != 1)
				die("ping-pong");
		prof_begin();
		for (int i = 0; i < 100; i++)
			if (write(a[1], &c, 1) != 1 || read(b[0], &c, 1) != 1)
				die("ping-pong");
		prof_end();
		exit(0);
	}
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
	/* a wait, not a yield: a yield never lets a SCHED_IDLE thread run on
	 * Cairn, whose SCHED_IDLE is strictly below every other thread */
	while (!spin_turns)
		usleep(1000);
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

/* dir/name, in one of four buffers in turn. A figure's loop uses a path
 * made before it: the loop measures the file operations, not the C
 * library's snprintf (musl's "%s/%s" is about 1,800 instructions, which
 * made a riscv64 open + read + close 9,295 instead of 7,483). */
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

	const char *p = path("bench-4k");       /* made once: the loop is the file's */

	make_file(p, 4096);
	for (int r = 0; r < RUNS; r++) {
		uint64_t t0 = busy();
		for (uint64_t i = 0; i < n; i++) {
			int fd = open(p, O_RDONLY);
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

	const char *p = path("bench-new");      /* made once: the loop is the file's */

	for (int r = 0; r < RUNS; r++) {
		uint64_t t0 = busy();
		for (uint64_t i = 0; i < n; i++) {
			int fd = open(p, O_CREAT | O_EXCL | O_WRONLY, 0644);
			if (fd < 0 || close(fd) || unlink(p))
				die("create+unlink");
		}
		uint64_t d = busy() - t0;
		if (d < best)
			best = d;
	}
	report("create_unlink", best, n);
}

/*
 * tar x. TAR_FILE (a path string, given by tests/bench.sh) is a ustar
 * archive that the assembler builds into the program (.incbin), made with
 *   tar --format=ustar --sort=name --owner=0 --group=0 --numeric-owner
 *       --mtime=@0 -cf FILE kernel
 * so both systems extract the same bytes. The extractor does what GNU
 * tar's does for these entries: for a directory mkdir (its mode and time
 * set once everything is extracted, as tar delays them); for a file
 * open(O_WRONLY | O_CREAT | O_EXCL), write in 10 KiB records (tar's
 * default record size), close, then utimensat (the header's mtime) and
 * chmod (the header's mode). No chown (the owners are 0 already). Each
 * run extracts into DIR/tarx, which is then removed (not counted); the
 * first extraction is checked (every file's bytes, mode and mtime) before
 * it is removed. The figure is the best of TAR_RUNS: a warm one (on a
 * fresh ext2 disk the first extraction also reads the inode table and
 * bitmaps from the disk). Counted with busy(): the spinner's turns while
 * the disk works are left out.
 */
#ifdef TAR_FILE
__asm__(".section .rodata\n"
	".p2align 9\n"
	".globl tar_start\n"
	"tar_start:\n"
	".incbin \"" TAR_FILE "\"\n"
	".globl tar_end\n"
	"tar_end:\n"
	".previous\n");
extern const char tar_start[], tar_end[];

#define TAR_RUNS 5
#define TAR_RECORD 10240
#define TAR_MAX 256           /* entries */

struct tar_entry {
	char path[256];
	char type;                /* '0' file, '5' directory */
	mode_t mode;
	time_t mtime;
	const char *data;
	size_t size;
};

static struct tar_entry entries[TAR_MAX];
static unsigned nentries, nfiles;

static unsigned long long octal(const char *f, size_t n)
{
	unsigned long long v = 0;

	for (size_t i = 0; i < n && f[i] >= '0' && f[i] <= '7'; i++)
		v = v * 8 + (unsigned)(f[i] - '0');
	return v;
}

/* The archive's entries (checked once, before anything is timed). */
static void tar_parse(void)
{
	const char *p = tar_start;

	while (p + 512 <= tar_end && p[0]) {
		struct tar_entry *e = &entries[nentries];
		unsigned sum = 0;

		for (int i = 0; i < 512; i++)
			sum += (i >= 148 && i < 156) ? ' ' : (unsigned char)p[i];
		if (memcmp(p + 257, "ustar", 5) || sum != octal(p + 148, 8) || nentries == TAR_MAX)
			die("tar: not a ustar header, or too many entries");
		e->type = p[156] ? p[156] : '0';
		if (e->type != '0' && e->type != '5')
			die("tar: an entry neither a file nor a directory");
		snprintf(e->path, sizeof(e->path), "%s/tarx/%.*s%s%.*s", dir, (int)strnlen(p + 345, 155), p + 345,
			 p[345] ? "/" : "", (int)strnlen(p, 100), p);
		size_t len = strlen(e->path);
		if (len && e->path[len - 1] == '/')
			e->path[len - 1] = 0;
		e->mode = (mode_t)octal(p + 100, 8);
		e->mtime = (time_t)octal(p + 136, 12);
		e->size = (size_t)octal(p + 124, 12);
		e->data = p + 512;
		p += 512 + (e->size + 511) / 512 * 512;
		if (p > tar_end)
			die("tar: truncated");
		nfiles += e->type == '0';
		nentries++;
	}
}

static void tar_extract(void)
{
	for (unsigned i = 0; i < nentries; i++) {
		struct tar_entry *e = &entries[i];

		if (e->type == '5') {
			if (mkdir(e->path, 0700) && errno != EEXIST)
				die(e->path);
			continue;
		}
		int fd = open(e->path, O_WRONLY | O_CREAT | O_EXCL, 0600);
		if (fd < 0)
			die(e->path);
		for (size_t done = 0; done < e->size;) {
			size_t n = e->size - done < TAR_RECORD ? e->size - done : TAR_RECORD;
			if (write(fd, e->data + done, n) != (ssize_t)n)
				die("tar: write");
			done += n;
		}
		if (close(fd))
			die("tar: close");
		struct timespec ts[2] = { { e->mtime, 0 }, { e->mtime, 0 } };
		if (utimensat(AT_FDCWD, e->path, ts, 0) || chmod(e->path, e->mode))
			die(e->path);
	}
	/* the directories' modes and times last, deepest first */
	for (unsigned i = nentries; i-- > 0;) {
		struct tar_entry *e = &entries[i];
		struct timespec ts[2] = { { e->mtime, 0 }, { e->mtime, 0 } };

		if (e->type == '5' && (chmod(e->path, e->mode) || utimensat(AT_FDCWD, e->path, ts, 0)))
			die(e->path);
	}
}

static void tar_check(void)
{
	static char got[65536];

	for (unsigned i = 0; i < nentries; i++) {
		struct tar_entry *e = &entries[i];
		struct stat st;

		if (stat(e->path, &st))
			die(e->path);
		if ((st.st_mode & 07777) != (e->mode & 07777) || st.st_mtime != e->mtime ||
		    (e->type == '5') != !!S_ISDIR(st.st_mode) || (e->type == '0' && (off_t)e->size != st.st_size)) {
			printf("bench: tar: %s: mode %o mtime %lld size %lld, the archive says %o %lld %zu\n", e->path,
			       (unsigned)st.st_mode, (long long)st.st_mtime, (long long)st.st_size, (unsigned)e->mode,
			       (long long)e->mtime, e->size);
			exit(1);
		}
		if (e->type != '0')
			continue;
		int fd = open(e->path, O_RDONLY);
		if (fd < 0 || e->size > sizeof(got) || read(fd, got, sizeof(got)) != (ssize_t)e->size ||
		    memcmp(got, e->data, e->size))
			die("tar: a file's bytes differ from the archive's");
		close(fd);
	}
}

static void tar_remove(void)
{
	for (unsigned i = nentries; i-- > 0;)
		if ((entries[i].type == '5' ? rmdir : unlink)(entries[i].path))
			die(entries[i].path);
}

static void bench_tar_x(void)
{
	uint64_t best = UINT64_MAX;

	tar_parse();
	if (mkdir(path("tarx"), 0755))
		die("tarx");
	for (int r = 0; r < TAR_RUNS; r++) {
		uint64_t t0 = busy();
		tar_extract();
		uint64_t d = busy() - t0;
		if (d < best)
			best = d;
		if (r == 0)
			tar_check();
		tar_remove();
	}
	rmdir(path("tarx"));
	printf("bench: tar_x: %u files, %u directories, %zu bytes of archive\n", nfiles, nentries - nfiles,
	       (size_t)(tar_end - tar_start));
	report("tar_x", best, 1);
	report("tar_x_file", best, nfiles);
}
#endif

/* ---- the network figures ---- */

static struct sockaddr_in host_at(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };

	a.sin_addr.s_addr = inet_addr("10.0.2.2");
	return a;
}

static int tcp_to(int port)
{
	struct sockaddr_in a = host_at(port);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)))
		die("connect to the host");
	return fd;
}

#define NET_BYTES (4u << 20)
static char netbuf[65536];

static void bench_tcp_rx(int port)
{
	uint64_t best = UINT64_MAX;

	for (int r = 0; r < RUNS; r++) {
		int fd = tcp_to(port);
		size_t got = 0;
		ssize_t n;
		uint64_t t0 = busy();

		while ((n = read(fd, netbuf, sizeof(netbuf))) > 0)
			got += (size_t)n;
		uint64_t d = busy() - t0;
		close(fd);
		if (n < 0 || got != NET_BYTES)
			die("tcp_rx: short");
		if (d < best)
			best = d;
	}
	report("tcp_rx_kib", best, NET_BYTES / 1024);
}

static void bench_tcp_tx(int port)
{
	uint64_t best = UINT64_MAX;

	memset(netbuf, 'c', sizeof(netbuf));
	for (int r = 0; r < RUNS; r++) {
		int fd = tcp_to(port);
		uint64_t t0 = busy();
		char ack;

		for (size_t sent = 0; sent < NET_BYTES; sent += sizeof(netbuf))
			if (write(fd, netbuf, sizeof(netbuf)) != (ssize_t)sizeof(netbuf))
				die("tcp_tx: write");
		shutdown(fd, SHUT_WR);
		if (read(fd, &ack, 1) != 1)        /* the host has it all */
			die("tcp_tx: no answer");
		uint64_t d = busy() - t0;
		close(fd);
		if (d < best)
			best = d;
	}
	report("tcp_tx_kib", best, NET_BYTES / 1024);
}

static void bench_udp_rtt(int port)
{
	struct sockaddr_in a = host_at(port);
	uint64_t best = UINT64_MAX, n = 200;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	char d64[64] = "ping";

	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)))
		die("udp: connect");
	for (int r = 0; r < RUNS; r++) {
		uint64_t t0 = busy();
		for (uint64_t i = 0; i < n; i++)
			if (send(fd, d64, sizeof(d64), 0) != sizeof(d64) || recv(fd, d64, sizeof(d64), 0) != sizeof(d64))
				die("udp: echo");
		uint64_t d = busy() - t0;
		if (d < best)
			best = d;
	}
	close(fd);
	report("udp_rtt", best, n);
}

static void bench_tcp_connect(int port)
{
	uint64_t best = UINT64_MAX, n = 50;

	for (int r = 0; r < RUNS; r++) {
		uint64_t t0 = busy();
		for (uint64_t i = 0; i < n; i++)
			close(tcp_to(port));
		uint64_t d = busy() - t0;
		if (d < best)
			best = d;
	}
	report("tcp_connect", best, n);
}

#ifdef LINUX_PEER
/* The Linux peer has no DHCP client: lo and eth0 up, 10.0.2.15/24 */
static void linux_net_up(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	const char *ifs[] = { "lo", "eth0" };

	for (int i = 0; i < 2; i++) {
		struct ifreq r = { 0 };
		struct sockaddr_in *sin = (struct sockaddr_in *)&r.ifr_addr;

		strcpy(r.ifr_name, ifs[i]);
		if (i == 1) {
			sin->sin_family = AF_INET;
			sin->sin_addr.s_addr = inet_addr("10.0.2.15");
			if (ioctl(fd, SIOCSIFADDR, &r))
				die("SIOCSIFADDR");
			sin->sin_addr.s_addr = inet_addr("255.255.255.0");
			if (ioctl(fd, SIOCSIFNETMASK, &r))
				die("SIOCSIFNETMASK");
		}
		if (ioctl(fd, SIOCGIFFLAGS, &r))
			die("SIOCGIFFLAGS");
		r.ifr_flags |= IFF_UP | IFF_RUNNING;
		if (ioctl(fd, SIOCSIFFLAGS, &r))
			die("SIOCSIFFLAGS");
	}
	close(fd);
	sleep(1);
}
#endif

/* Cairn's network server takes its address by DHCP at boot: until then a
 * connect is ENETUNREACH. Waits for a first connection (up to 60 s). */
static void wait_net(int port)
{
	struct sockaddr_in a = host_at(port);

	for (int i = 0; i < 600; i++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		if (fd < 0)
			die("socket");
		if (!connect(fd, (struct sockaddr *)&a, sizeof(a))) {
			close(fd);
			return;
		}
		close(fd);
		usleep(100000);
	}
	die("the network did not come up");
}

static void bench_net(int port)
{
#ifdef LINUX_PEER
	linux_net_up();
#endif
	wait_net(port + 3);
	start_spinner();
	bench_tcp_connect(port + 3);
	bench_udp_rtt(port + 2);
	bench_tcp_rx(port);
	bench_tcp_tx(port + 1);
	printf("bench: done\n");
#ifdef LINUX_PEER
	reboot(RB_POWER_OFF);
#endif
	exit(0);
}

/*
 * LINUX_PEER: built as /init for the Linux peer (../shared/peer/run-linux.sh,
 * tests/bench.sh): it makes its /tmp and powers the machine off.
 */
int main(int argc, char **argv)
{
	int disk = argc > 1 && !strcmp(argv[1], "disk");

	if (argc > 1 && !strcmp(argv[1], "pipeprof")) {
		profiling = 1;
		bench_pipe();
	}

	if (argc > 2 && !strcmp(argv[1], "net"))
		bench_net(atoi(argv[2]));

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
#ifdef TAR_FILE
	bench_tar_x();
#endif
	printf("bench: done\n");
#ifdef LINUX_PEER
	sync();
	reboot(RB_POWER_OFF);
#endif
	return 0;
}
