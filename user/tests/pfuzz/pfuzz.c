// SPDX-License-Identifier: MIT
/*
 * pfuzz: a protocol fuzzer of the POSIX servers (issue 17, item 6).
 *
 * A POSIX program (built with <arch>-cairn-gcc, run with ./qemu-run.sh
 * --exec and a disk at /mnt) that opens one object of every kind a process
 * can hold, takes the capability behind each (a descriptor's, or a
 * start-up block's), and sends raw requests through them:
 *
 *   VFS      the root, a directory, a file, a FIFO, both ends of a pipe,
 *            /dev/null, /dev/zero, /dev/full, /dev/urandom, a /proc file
 *            and the /proc directory, a message queue (a file of
 *            /dev/mqueue)
 *   ext2     a directory and a file on the disk at /mnt
 *   console  the console's tty (requests that only read: it is the test's
 *            output), a pseudo-terminal's master and slave
 *   process  "proc" (our pid) and the credential token "cred"
 *   network  "net", a UDP socket, a listening and a connected TCP socket,
 *            both ends of an AF_UNIX socketpair
 *   entropy  "rng"
 *
 * Each request is one of: a random label (anywhere, or in a protocol's
 * range) with random words, length and capabilities; a real label with
 * garbage words; or a real request made properly and then broken (a
 * length past what was sent, a huge size, a bad offset or whence, flags
 * that mean nothing, too many or wrong capabilities, the request of
 * another kind of object). Every capability an answer carries is closed
 * (IO_CLOSE) and deleted.
 *
 * A run is the requests that once broke a server (`regressions`, the
 * table below, sent as they were), then seeds of random requests
 * (arguments: seeds=A-B, seed=N[:REQUESTS], requests=N; default seeds 1-3
 * of 300 requests), each seed in a child process that drops to uid 1000 (so the requests
 * that only root may make, PS_REBOOT, PS_SETTIME, FS_MOUNT of a device,
 * chmod of /bin, killing others, must fail: they are sent too), in rounds
 * of ROUND requests; after each round the child checks that every server
 * still answers a real request rightly (liveness: the pid, a file's
 * bytes in the VFS and on the disk, a pipe's and a socketpair's round
 * trip, a UDP datagram to itself, the tty's termios, random bytes); after
 * each seed the parent, root and a process the requests never came from,
 * checks the same. A periodic SIGALRM ends any request that waits (a read
 * of an empty pipe, an accept) within ALRM_MS (the kernel ends a call
 * queued or put aside with ERR_INTR; SA_RESTART lets the libc's own calls
 * go on); a child
 * whose progress stops for HANG_MS is killed and reported with the
 * request it was in. The requests depend only on the seed (the answers
 * never steer them): `pfuzz seed=N:1500 verbose` replays seed N and
 * prints each request.
 *
 * Left out, so that the fuzzer only hurts itself: PS_EXIT, PS_FORK (a
 * child at a random pc), signals that stop or kill (SIGKILL, SIGSTOP: the
 * others are ignored), SIGALRM's disposition and mask (the watchdog),
 * ITIMER_REAL (the same), lowering RLIMIT_STACK (our own stack), and
 * IO_DUP and IO_CLOSE on the objects under test (reference counting,
 * issue 17 item 1, has its own tests). Writes and mode changes on the
 * console's tty are left out (the harness reads it); the pty gets them.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <grp.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <cairn/libc.h>
#include <cairn/posix.h>
#include <cairn/sock.h>
#include <cairn/dev.h>
#include <cairn/tty.h>
#include "posixtest.h"

/* musl-port's descriptor table (musl-port/src/cairn/cairn_impl.h): the
 * first member of a descriptor is its capability */
struct cairn_fd;
extern struct cairn_fd *__cairn_fd(long fd);

#define ROUND      50          /* requests between liveness checks */
#define ALRM_MS    40          /* a waiting request ends within this */
#define HANG_MS    20000       /* no progress this long: a hang */
#define FUZZ_UID   1000
#define TOP_T      "/tmp/pfuzz"
#define TOP_X      "/mnt/pfuzz"
#define KNOWN      "pfuzz: a known file's bytes\n"

/* ---- the seed's random numbers (xorshift64*) ------------------------------------ */

static uint64_t rs;
static uint64_t rnd(void)
{
	rs ^= rs >> 12;
	rs ^= rs << 25;
	rs ^= rs >> 27;
	return rs * 0x2545f4914f6cdd1dull;
}
static uint64_t rn(uint64_t n) { return n ? rnd() % n : 0; }
static int chance(unsigned pct) { return rn(100) < pct; }

static const uint64_t interesting[] = {
	0, 1, 2, 3, 4, 7, 8, 15, 16, 31, 32, 63, 64, 127, 128, 255, 256, 511, 512, 1023,
	1024, 3999, 4000, 4001, 4095, 4096, 4097, 8192, 65535, 65536, 65537, 1u << 20,
	(1u << 24) + 1, 1u << 30, (1ull << 30) + 1, 0x7fffffff, 0x80000000, 0xffffffff,
	1ull << 32, (1ull << 32) + 1, 1ull << 40, 1ull << 62, 0x7fffffffffffffffull,
	0x8000000000000000ull, UINT64_MAX, UINT64_MAX - 1, -4096ull, -2ull, 0xdeadbeefull,
};
#define NINTERESTING (sizeof(interesting) / sizeof(interesting[0]))

static uint64_t word(void)
{
	switch (rn(4)) {
	case 0: return interesting[rn(NINTERESTING)];
	case 1: return rn(65);
	case 2: return interesting[rn(NINTERESTING)] + rn(3) - 1;
	default: return rnd();
	}
}
/* a size: mostly sane, sometimes not */
static uint64_t size_word(void) { return chance(70) ? rn(4097) : word(); }
/* an offset: small, near the end of things, negative, huge */
static uint64_t off_word(void) { return chance(60) ? rn(70000) : word(); }

/* ---- targets ------------------------------------------------------------------ */

enum kind {
	K_VROOT, K_VDIR, K_VFILE, K_PIPER, K_PIPEW, K_DEV, K_PROCF, K_PROCD, K_FIFO, K_MQ,
	K_XDIR, K_XFILE, K_TTY, K_PTM, K_PTS, K_PROC, K_CRED, K_NET, K_SOCK, K_RNG,
};
enum { S_VFS, S_EXT2, S_CONSOLE, S_PROC, S_NET, S_RNG, S_N };
static const char *const server_name[S_N] = { "vfs", "ext2", "console", "proc", "net", "entropy" };

struct target {
	const char *name;
	enum kind kind;
	int server;
	cap_t cap;
	unsigned sent;
};
#define TMAX 32
static struct target tg[TMAX];
static unsigned ntg;
static cap_t pool_note = CAP_NULL, pool_mo = CAP_NULL;

static int kind_server(enum kind k)
{
	switch (k) {
	case K_XDIR: case K_XFILE: return S_EXT2;
	case K_TTY: case K_PTM: case K_PTS: return S_CONSOLE;
	case K_PROC: case K_CRED: return S_PROC;
	case K_NET: case K_SOCK: return S_NET;
	case K_RNG: return S_RNG;
	default: return S_VFS;
	}
}

static void add_cap(const char *name, enum kind kind, cap_t cap)
{
	cap_t mine;

	if (cap == CAP_NULL || ntg == TMAX || cairn_cap_copy(cap, RIGHTS_ALL, &mine)) {
		printf("# pfuzz: no %s to fuzz\n", name);
		return;
	}
	tg[ntg++] = (struct target){ name, kind, kind_server(kind), mine, 0 };
}

static void add_fd(const char *name, enum kind kind, int fd)
{
	struct cairn_fd *f = fd >= 0 ? __cairn_fd(fd) : NULL;

	if (fd < 0)
		printf("# pfuzz: %s: %s\n", name, strerror(errno));
	add_cap(name, kind, f ? *(cap_t *)f : CAP_NULL);
}

/* ---- the shared record of progress (the parent reads it) ------------------------ */

struct progress {
	volatile uint64_t beats;        /* grows with every request and check */
	volatile uint32_t seed, round, index, in_check;
	volatile uint32_t label, len, ncaps, target;
	volatile uint64_t w[4];
	char tname[16];                 /* the target's name */
	char check[64];                 /* the liveness check under way */
};
static struct progress *pg;

/* ---- building a request ------------------------------------------------------------ */

struct req {
	uint32_t label;
	unsigned len;                   /* words in the tag (4 + inline) */
	unsigned ncaps;
	uint64_t w[4];
	cap_t caps[4];
};

static uint8_t *inl(void) { return (uint8_t *)&cairn_ipcbuf()->w[CAIRN_MSG_REGS]; }

static void fill_random(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = chance(50) ? (uint8_t)rnd() : (uint8_t)"fdx./\0a"[rn(7)];
}

/* Inline bytes n: sets the length (sometimes wrongly) */
static void set_inline(struct req *r, size_t n)
{
	r->len = posix_words(n);
	if (chance(8))
		r->len = (unsigned)rn(CAIRN_MSG_MAX + 40);   /* past 504 too */
	if (r->len > 0x3ff)
		r->len = 0x3ff;
}

static const char *const path_parts[] = {
	"f", "g", "d", "e", "fifo", "known", "sock", "..", ".", "", "d/f", "../f", "/tmp",
	"/tmp/pfuzz", "/dev/null", "/dev/zero", "/dev/ptmx", "/dev/tty", "/dev/pts/0",
	"/proc/self", "/proc/self/fd/0", "/proc/1/status", "/proc/mounts", "/mnt", "/mnt/pfuzz",
	"/", "//", "f/", "d/../f", "/dev/mqueue", "/etc/manifest", "/bin", "/proc/self/cwd",
	"/dev/sysvipc", "lnk", "/proc/self/root/tmp",
};
#define NPARTS (sizeof(path_parts) / sizeof(path_parts[0]))

/* A path at p (at most max bytes): its length */
static size_t gen_path(uint8_t *p, size_t max)
{
	size_t n = 0;

	if (chance(6)) {                             /* long: NAME_MAX, PATH_MAX edges */
		static const size_t longs[] = { 255, 256, 1000, 3999, 4000 };
		n = longs[rn(5)];
		if (n > max)
			n = max;
		memset(p, 'a' + (int)rn(3), n);
		if (chance(50))
			for (size_t i = 200; i < n; i += 201)
				p[i] = '/';
		return n;
	}
	if (chance(6)) {                             /* bytes */
		n = rn(64);
		fill_random(p, n);
		return n;
	}
	for (unsigned k = 0, parts = 1 + (unsigned)rn(3); k < parts; k++) {
		const char *s = path_parts[rn(NPARTS)];
		size_t l = strlen(s);
		if (k && n < max)
			p[n++] = '/';
		if (n + l > max)
			break;
		memcpy(p + n, s, l);
		n += l;
	}
	return n;
}

/* The capabilities to send: the targets' (the console's tty and the shared
 * start-up ones too: a server must not be hurt by what it is sent), a
 * Notification, a MemoryObject, and slots that are empty or impossible. */
static cap_t pool_cap(void)
{
	switch (rn(6)) {
	case 0: return pool_note;
	case 1: return pool_mo;
	case 2: return chance(50) ? CAP_NULL : (chance(50) ? 60000 : rnd() & 0xffffff);
	default: {
		cap_t c = tg[rn(ntg)].cap;
		/* never the tty: a server that closed it (SCM_RIGHTS releases what it
		 * is sent with IO_CLOSE) would close the parent's console description */
		return c == tg[0].cap ? pool_note : c;
	}
	}
}

static void set_caps(struct req *r, unsigned n)
{
	r->ncaps = n;
	for (unsigned i = 0; i < n; i++)
		r->caps[i] = pool_cap();
}

static const uint32_t ioctls[] = {
	LINUX_TCGETS, LINUX_TCSETS, LINUX_TCSETSW, LINUX_TCSETSF, LINUX_TCSBRK, LINUX_TCXONC,
	LINUX_TCFLSH, LINUX_TIOCSCTTY, LINUX_TIOCGPGRP, LINUX_TIOCSPGRP, LINUX_TIOCOUTQ,
	LINUX_TIOCSTI, LINUX_TIOCGWINSZ, LINUX_TIOCSWINSZ, LINUX_FIONREAD, LINUX_FIONBIO,
	LINUX_TIOCNOTTY, LINUX_TIOCGSID, LINUX_TIOCGPTN, LINUX_TIOCSPTLCK, LINUX_TIOCGPTLCK,
	0x8912 /* SIOCGIFCONF */, 0x8913 /* SIOCGIFFLAGS */, 0x8915 /* SIOCGIFADDR */, 0x5452,
	0x541c, 0x80086601, 0,
};
/* ioctls that only read (the console's tty gets only those) */
static const uint32_t ioctls_get[] = {
	LINUX_TCGETS, LINUX_TIOCGPGRP, LINUX_TIOCOUTQ, LINUX_TIOCGWINSZ, LINUX_FIONREAD,
	LINUX_TIOCGSID, LINUX_TIOCGPTN, LINUX_TIOCGPTLCK, 0x8912, 0x12345678,
};

static void gen_io(struct req *r)
{
	uint8_t *b = inl();
	size_t n = 0;

	static const uint32_t labels[] = {
		IO_READ, IO_WRITE, IO_PREAD, IO_PWRITE, IO_SEEK, IO_STAT, IO_TRUNCATE, IO_GETFL,
		IO_SETFL, IO_IOCTL, IO_POLL, IO_POLL_ARM, IO_READDIR, IO_SYNC, IO_PIPE_MAP,
		IO_PIPE_KICK, IO_IMAGE, IO_FMAP, IO_FEXTEND, IO_LOCK,
	};
	r->label = labels[rn(sizeof(labels) / sizeof(labels[0]))];
	switch (r->label) {
	case IO_READ: r->w[0] = size_word(); break;
	case IO_WRITE: n = rn(4001); r->w[0] = chance(80) ? n : word(); fill_random(b, n); break;
	case IO_PREAD: r->w[0] = size_word(); r->w[1] = off_word(); break;
	case IO_PWRITE:
		n = rn(4001); r->w[0] = chance(80) ? n : word(); r->w[1] = off_word(); fill_random(b, n);
		break;
	case IO_SEEK: r->w[0] = off_word(); r->w[1] = chance(80) ? rn(5) : word(); break;
	case IO_TRUNCATE: r->w[0] = chance(70) ? rn(100000) : word(); break;
	case IO_SETFL: r->w[0] = chance(50) ? (rn(2) ? O_NONBLOCK : 0) | (rn(2) ? O_APPEND : 0) : word(); break;
	case IO_IOCTL:
		r->w[0] = ioctls[rn(sizeof(ioctls) / sizeof(ioctls[0]))];
		r->w[1] = chance(50) ? rn(4) : word();
		n = chance(70) ? rn(64) : rn(4001);
		fill_random(b, n);
		if (chance(30))
			set_caps(r, 1);
		break;
	case IO_POLL: r->w[0] = chance(70) ? rn(0x40) : word(); break;
	case IO_POLL_ARM: r->w[0] = chance(70) ? rn(0x40) : word(); r->w[1] = word(); set_caps(r, 1); break;
	case IO_READDIR: r->w[0] = chance(50) ? POSIX_DIR_POS : off_word(); r->w[1] = size_word(); break;
	case IO_IMAGE: if (chance(50)) set_caps(r, 1); break;
	case IO_FMAP: r->w[0] = chance(70) ? rn(4) : word(); r->w[1] = chance(50) ? rn(1 << 20) : word(); break;
	case IO_FEXTEND: r->w[0] = size_word(); r->w[1] = chance(30) ? POSIX_FEXTEND_APPEND : off_word(); break;
	case IO_LOCK:
		r->w[0] = (chance(80) ? rn(4) : word()) | (chance(30) ? POSIX_LK_OFD : 0) |
			  (chance(20) ? POSIX_LK_FLOCK : 0);
		r->w[1] = (chance(80) ? rn(3) : rn(256)) | (chance(80) ? rn(3) : rn(256)) << 8 |
			  (uint64_t)(chance(70) ? (uint64_t)getpid() : rn(1 << 16)) << 32;
		r->w[2] = off_word();
		r->w[3] = chance(50) ? rn(1000) : word();
		break;
	}
	set_inline(r, n);
}

static void gen_fs(struct req *r)
{
	uint8_t *b = inl();
	size_t n = 0, l1, l2;

	r->label = FS_OPEN + (uint32_t)rn(FS_CHOWN - FS_OPEN + 1);
	r->w[3] = chance(80) ? (uint64_t)getpid() : word();      /* one-path: the pid */
	switch (r->label) {
	case FS_RENAME: case FS_LINK: case FS_SYMLINK:
		l1 = gen_path(b, 2000);
		l2 = gen_path(b + l1, 1990);
		n = l1 + l2;
		r->w[0] = chance(70) ? rn(8) : word();
		r->w[1] = 0;
		r->w[2] = chance(85) ? l1 : word();
		r->w[3] = chance(85) ? l2 : word();
		if (chance(30))
			set_caps(r, 1);
		break;
	case FS_GETPATH: case FS_PIPE: case FS_STATFS: case FS_SYNCFS: case FS_SYNC_ALL:
	case FS_INUSE: case FS_STOP:
		r->w[0] = chance(70) ? rn(4) | (chance(30) ? O_NONBLOCK : 0) : word();
		break;
	case FS_FIFO:
		r->w[0] = chance(70) ? rn(3) | O_NONBLOCK : word();
		r->w[1] = word();
		r->w[2] = word();
		break;
	default:
		n = gen_path(b, 3990);
		r->w[2] = chance(85) ? n : word();
		switch (r->label) {
		case FS_OPEN:
			r->w[0] = chance(70) ? (rn(3) | (rn(2) ? O_CREAT : 0) | (rn(4) ? 0 : O_TRUNC) |
						(rn(4) ? 0 : O_EXCL) | (rn(4) ? 0 : O_DIRECTORY) |
						(rn(4) ? 0 : O_NOFOLLOW) | (rn(4) ? 0 : O_PATH) |
						(rn(4) ? 0 : O_APPEND) | O_NONBLOCK)
					     : word();
			r->w[1] = (chance(70) ? rn(07777) : word()) |
				  (chance(30) ? POSIX_OPEN_FMAP | (rn(2) ? POSIX_OPEN_FMAP_TABLE : 0) : 0) |
				  (chance(10) ? POSIX_OPEN_FMAP_HAVE : 0) | (chance(10) ? POSIX_OPEN_EXEC : 0);
			if (r->w[1] & POSIX_OPEN_FMAP_HAVE) {   /* a bitmap after the path */
				size_t at = (n + 7) & ~7ul, k = rn(129);
				if (at + k <= 4000) {
					fill_random(b + at, k);
					n = at + k;
				}
			}
			break;
		case FS_MKDIR: r->w[0] = chance(70) ? rn(01777) : word(); break;
		case FS_UNLINK: r->w[0] = chance(70) ? (rn(2) ? 0x200 : 0) : word(); break;
		case FS_STAT: case FS_READLINK: r->w[0] = chance(70) ? rn(2) * 0x100 | rn(2) * 0x1000 : word(); break;
		case FS_CHMOD: case FS_ACCESS:
			r->w[0] = chance(70) ? rn(07777) : word();
			r->w[1] = chance(70) ? rn(2) * 0x100 | rn(2) * 0x1000 : word();
			break;
		case FS_UTIMENS: {
			size_t at = (n + 7) & ~7ul;
			r->w[0] = chance(70) ? rn(2) * 0x100 | rn(2) * 0x1000 : word();
			if (at + 32 <= 4000 && chance(85)) {
				for (int i = 0; i < 4; i++) {
					uint64_t v = word();
					memcpy(b + at + 8 * i, &v, 8);
				}
				n = at + 32;
			}
			break;
		}
		case FS_TRUNCATE: r->w[0] = chance(70) ? rn(100000) : word(); break;
		case FS_MKNOD:
			r->w[0] = chance(70) ? (rn(2) ? S_IFSOCK : S_IFIFO) | rn(0777) : word();
			r->w[1] = word();
			break;
		case FS_CHOWN:
			r->w[0] = chance(70) ? (uint64_t)(rn(2) ? FUZZ_UID : 0) | (uint64_t)(rn(2) ? FUZZ_UID : 0) << 32
					     : word();
			r->w[1] = chance(70) ? rn(2) * 0x100 | rn(2) * 0x1000 : word();
			break;
		case FS_MOUNT: {
			static const char *const srcs[] = { "/dev/blk0", "blk0", "blk1", "tmpfs", "x" };
			static const char *const types[] = { "ext2", "auto", "tmpfs", "ext4", "" };
			const char *s = srcs[rn(5)], *t = types[rn(5)];
			size_t ls = strlen(s), lt = strlen(t);
			memcpy(b, s, ls);
			memcpy(b + ls, t, lt);
			n = ls + lt;
			r->w[0] = chance(60) ? rn(2) : word();
			r->w[2] = chance(85) ? ls : word();
			r->w[3] = chance(85) ? lt : word();
			set_caps(r, (unsigned)rn(4));
			break;
		}
		case FS_COVER: case FS_MOUNTED: set_caps(r, 1); break;
		default: r->w[0] = word(); break;
		}
	}
	set_inline(r, n);
}

/* process-server requests; sanitized after (sanitize_proc) */
static void gen_proc(struct req *r)
{
	uint8_t *b = inl();
	size_t n = 0;
	static const uint32_t labels[] = {
		PS_GETPID, PS_EXEC, PS_WAIT, PS_KILL, PS_SIGACTION, PS_SIGMASK, PS_SIGPENDING,
		PS_SETPGID, PS_GETPGID, PS_SETSID, PS_GETSID, PS_SIGRETURN_DONE, PS_EXEC_KEEP,
		PS_SETITIMER, PS_SIGWAIT, PS_SIGQUEUE, PS_SIGINFO, PS_PROCLIST, PS_PROCINFO,
		PS_TIMER_CREATE, PS_TIMER_SET, PS_TIMER_GET, PS_TIMER_DELETE, PS_TKILL, PS_AFFINITY,
		PS_THREAD, PS_UMASK, PS_RLIMIT, PS_TIMES, PS_REBOOT, PS_SETNAME, PS_UNAME,
		PS_SETTIME, PS_GETUID, PS_SETUID, PS_GETGID, PS_SETGID, PS_GETGROUPS, PS_SETGROUPS,
		PS_SETFSID, PS_CRED, PS_SCHED, PS_EXEC_GRANT, PS_UCOPY, PS_SIGCONTEXT,
	};
	r->label = labels[rn(sizeof(labels) / sizeof(labels[0]))];
	for (int i = 0; i < 4; i++)
		r->w[i] = chance(50) ? rn(70) : word();
	switch (r->label) {
	case PS_EXEC:
		n = rn(4001);
		fill_random(b, n);
		r->w[0] = size_word();
		set_caps(r, (unsigned)rn(3));
		break;
	case PS_EXEC_KEEP: set_caps(r, (unsigned)rn(5)); break;
	case PS_THREAD: set_caps(r, (unsigned)rn(2)); break;
	case PS_SETNAME: case PS_SETGROUPS: case PS_FORK:
		n = rn(200);
		fill_random(b, n);
		break;
	case PS_REBOOT:
		r->w[0] = chance(70) ? POSIX_REBOOT_MAGIC1 : word();
		r->w[1] = chance(70) ? POSIX_REBOOT_MAGIC2 : word();
		r->w[2] = chance(70) ? POSIX_REBOOT_POWER_OFF : word();
		break;
	}
	set_inline(r, n);
}

static void gen_tty(struct req *r)
{
	r->label = TTY_OPEN + (uint32_t)rn(4);
	r->w[0] = chance(60) ? rn(2) * O_NONBLOCK | rn(2) * O_NOCTTY : word();
	r->w[1] = chance(60) ? rn(8) : word();
	if (chance(50))
		set_caps(r, 1);
	set_inline(r, chance(80) ? 0 : rn(100));
}

static void gen_sock_addr(uint8_t *b, size_t *alen)
{
	struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons((uint16_t)rn(4)) };
	struct sockaddr_in6 in6 = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)rn(4)) };

	switch (rn(5)) {
	case 0:
		in.sin_addr.s_addr = htonl(rn(2) ? INADDR_LOOPBACK : INADDR_ANY);
		memcpy(b, &in, sizeof(in));
		*alen = chance(80) ? sizeof(in) : rn(SOCK_ADDR_MAX + 20);
		break;
	case 1:
		in6.sin6_addr.s6_addr[15] = (uint8_t)rn(2);   /* ::1 or :: */
		memcpy(b, &in6, sizeof(in6));
		*alen = chance(80) ? sizeof(in6) : rn(SOCK_ADDR_MAX + 20);
		break;
	case 2: {
		uint16_t fam = AF_UNIX;
		memcpy(b, &fam, 2);
		*alen = 2 + rn(110);
		fill_random(b + 2, *alen - 2);
		if (chance(50))
			b[2] = 0;                        /* abstract */
		break;
	}
	default:
		*alen = rn(SOCK_ADDR_MAX + 20);
		fill_random(b, *alen);
		if (*alen >= 2 && (b[0] == AF_INET || b[0] == AF_INET6) && b[1] == 0)
			b[0] = 0xff;                     /* nothing random reaches the network */
	}
}

static void gen_sock(struct req *r)
{
	uint8_t *b = inl();
	size_t n = 0, alen = 0;

	r->label = SOCK_OPEN + (uint32_t)rn(SOCK_MAP - SOCK_OPEN + 1);
	if (chance(5))
		r->label = NET_PROCNET;
	for (int i = 0; i < 4; i++)
		r->w[i] = chance(50) ? rn(8) : word();
	switch (r->label) {
	case SOCK_OPEN: case SOCK_PAIR: {
		static const uint64_t doms[] = { AF_UNIX, AF_INET, AF_INET6, AF_NETLINK, 0, 99 };
		r->w[0] = chance(80) ? doms[rn(6)] : word();
		r->w[1] = chance(80) ? (1 + rn(5)) | (chance(30) ? SOCK_NONBLOCK : 0) : word();
		r->w[2] = chance(70) ? rn(3) * 6 * rn(3) : word();
		break;
	}
	case SOCK_BIND: case SOCK_CONNECT:
		gen_sock_addr(b, &alen);
		n = SOCK_ADDR_PAD(alen);
		r->w[0] = chance(85) ? alen : word();
		r->w[1] = chance(70) ? rn(3) : word();
		if (r->w[1] & SOCK_UX_KEYED) {
			struct sock_ux ux = { word(), (uint32_t)rnd(), (uint32_t)rnd(), 0, 0 };
			memcpy(b + n, &ux, sizeof(ux));
			n += sizeof(ux);
		}
		break;
	case SOCK_SEND: {
		size_t d = rn(2000);
		if (chance(50))
			gen_sock_addr(b, &alen);
		n = SOCK_ADDR_PAD(alen);
		fill_random(b + n, d);
		n += d;
		r->w[0] = chance(85) ? d : word();
		r->w[1] = chance(70) ? (rn(2) ? 0x40 /* MSG_DONTWAIT */ : 0) | (rn(2) ? 0x4000 : 0) : word();
		r->w[2] = chance(85) ? alen : word();
		r->w[3] = chance(70) ? rn(16) | rnd() << 32 : word();
		if (chance(30))
			set_caps(r, (unsigned)rn(5));
		break;
	}
	case SOCK_RECV:
		r->w[0] = size_word();
		r->w[1] = chance(70) ? (rn(2) ? 0x40 : 0) | (rn(2) ? 2 /* MSG_PEEK */ : 0) |
				       (rn(4) ? 0 : SOCK_RECV_RIGHTS) : word();
		break;
	case SOCK_SETOPT:
		n = rn(64);
		fill_random(b, n);
		r->w[0] = chance(70) ? (rn(2) ? 1 : rn(42)) : (chance(50) ? SOL_CAIRN_NET : word());
		r->w[1] = chance(70) ? rn(70) : word();
		r->w[2] = chance(85) ? n : word();
		break;
	case SOCK_GETOPT:
		r->w[0] = chance(70) ? (rn(2) ? 1 : rn(42)) : (chance(50) ? SOL_CAIRN_NET : word());
		r->w[1] = chance(70) ? rn(70) : word();
		r->w[2] = size_word();
		break;
	case NET_PROCNET: r->w[0] = chance(80) ? rn(9) : word(); r->w[1] = off_word(); break;
	}
	set_inline(r, n);
}

static void gen_rng(struct req *r)
{
	r->label = RNG_READ + (uint32_t)rn(2);
	r->w[0] = chance(70) ? rn(RNG_READ_MAX + 2) : word();
	set_inline(r, chance(90) ? 0 : rn(64));
}

/* The family a target speaks (its own), or another's */
static void gen_family(struct req *r, const struct target *t, int own)
{
	int fam;

	if (own) {
		switch (t->kind) {
		case K_VROOT: case K_VDIR: case K_XDIR: case K_PROCD: fam = rn(3) ? 1 : 0; break;
		case K_PTM: case K_PTS: case K_TTY: fam = rn(4) ? 0 : 3; break;
		case K_PROC: case K_CRED: fam = 2; break;
		case K_NET: case K_SOCK: fam = rn(3) ? 4 : 0; break;
		case K_RNG: fam = 5; break;
		default: fam = rn(6) ? 0 : 1; break;          /* files: IO, and FS on themselves */
		}
	} else {
		fam = (int)rn(6);
	}
	switch (fam) {
	case 0: gen_io(r); break;
	case 1: gen_fs(r); break;
	case 2: gen_proc(r); break;
	case 3: gen_tty(r); break;
	case 4: gen_sock(r); break;
	default: gen_rng(r); break;
	}
}

static void gen_request(struct req *r, const struct target *t)
{
	memset(r, 0, sizeof(*r));
	switch (rn(10)) {
	case 0: {                                     /* a random label */
		static const uint32_t bases[] = { 0x100, 0x200, 0x300, 0x340, 0x380, 0x3a0, 0x3f0,
						  0x400, 0x500, 0x700, 0x900, 0xa00, 0xa40 };
		r->label = chance(30) ? (uint32_t)rnd() : bases[rn(13)] + (uint32_t)rn(48);
		for (int i = 0; i < 4; i++)
			r->w[i] = word();
		size_t n = rn(4001);
		fill_random(inl(), n);
		set_inline(r, n);
		if (chance(30))
			set_caps(r, (unsigned)rn(5));
		break;
	}
	case 1: case 2:                               /* a real label, garbage */
		gen_family(r, t, chance(50));
		for (int i = 0; i < 4; i++)
			if (chance(60))
				r->w[i] = word();
		if (chance(20))
			set_inline(r, rn(4001));
		if (chance(20))
			set_caps(r, (unsigned)rn(5));
		break;
	case 3:                                       /* another kind of object's request */
		gen_family(r, t, 0);
		break;
	default:                                      /* its own, made and then broken a little */
		gen_family(r, t, 1);
		if (chance(15))
			r->w[rn(4)] = word();
		if (chance(5))
			set_caps(r, (unsigned)rn(5));
	}
	if (r->ncaps > 4 && r->ncaps > rn(8))
		r->ncaps = 4;
}

/* ---- what is never sent (see the top) ---------------------------------------------- */

static uint64_t no_alrm(uint64_t set) { return set & ~posix_sigbit(POSIX_SIGALRM); }
static uint64_t safe_sig(uint64_t sig)
{
	uint32_t s = (uint32_t)sig;

	return s == POSIX_SIGKILL || s == POSIX_SIGSTOP || s == POSIX_SIGALRM ? 0 : sig;
}

static void sanitize(struct req *r, const struct target *t)
{
	/* reference counts are item 1's: no IO_DUP, no IO_CLOSE on a target */
	if (r->label == IO_DUP || r->label == IO_CLOSE)
		r->label = IO_STAT;
	if (t->kind == K_TTY) {
		/* the console's tty is the run's output: only what reads */
		switch (r->label) {
		case IO_STAT: case IO_POLL: case IO_GETFL: case IO_POLL_ARM: case IO_SEEK:
		case FS_STAT: case FS_STATFS: case FS_GETPATH:
			break;
		case IO_IOCTL:
			r->w[0] = ioctls_get[rn(sizeof(ioctls_get) / sizeof(ioctls_get[0]))];
			break;
		default:
			if (r->label < 0x100 || r->label > 0x4ff || (r->label >= 0x300 && r->label < 0x400))
				break;                            /* not a label the console knows */
			r->label = IO_STAT;
		}
	}
	if (t->kind == K_PTM || t->kind == K_PTS) {
		if (r->label == TTY_CAPTURE)              /* a test hook of the console's tty */
			r->label = IO_STAT;
		if (r->label == IO_IOCTL && (uint32_t)r->w[0] == LINUX_TIOCSTI)
			r->w[0] = LINUX_TCGETS;
	}
	if (t->kind != K_PROC && t->kind != K_CRED)
		return;
	switch (r->label) {
	case PS_EXIT: case PS_FORK: r->label = PS_GETPID; break;
	case PS_KILL: case PS_SIGQUEUE: case PS_TKILL: r->w[1] = safe_sig(r->w[1]); break;
	case PS_SIGACTION:
		r->w[0] = safe_sig(r->w[0]);
		/* never a handler (a random pc) nor the default of a deadly signal */
		r->w[1] = (r->w[1] & ~0xffffffffull) | POSIX_SIG_IGN;
		break;
	case PS_SIGMASK: r->w[1] = no_alrm(r->w[1]); break;
	case PS_SIGRETURN_DONE: r->w[2] = no_alrm(r->w[2]); break;
	case PS_SETITIMER: if ((uint32_t)r->w[0] == 0) r->w[0] = 1; break;
	case PS_TIMER_CREATE:
		r->w[2] = (r->w[2] & ~0xffffffffull) | (uint32_t)safe_sig((uint32_t)r->w[2]);
		break;
	case PS_RLIMIT: if (r->w[3] & 1) r->w[0] = POSIX_RLIMIT_CORE; break;
	case PS_UCOPY: r->w[1] = r->w[0];          /* an empty range: EINVAL, ours kept */
		break;
	}
}

/* ---- sending ----------------------------------------------------------------------- */

static int verbose;
static unsigned n_ok, n_err, n_intr, n_caps, n_callerr;

static void release_answer_caps(uint64_t tag)
{
	unsigned nc = cairn_tag_ncaps(tag);
	cap_t got[4];

	if (nc > 4)
		nc = 4;
	for (unsigned i = 0; i < nc; i++)
		got[i] = cairn_ipcbuf()->caps[i];
	for (unsigned i = 0; i < nc; i++) {
		if (got[i] == CAP_NULL)
			continue;
		n_caps++;
		uint64_t id[4];
		/* a server object: one reference less (a kernel object does not
		 * know the label and says so) */
		if (!cairn_cap_identify(got[i], id) && id[0] == OBJ_ENDPOINT)
			cairn_call(got[i], cairn_tag(IO_CLOSE, CAIRN_MSG_REGS, 0), 0, 0, 0, 0);
		cairn_cap_delete(got[i]);
	}
}

static void send_req(const struct req *r, struct target *t, unsigned index)
{
	struct cairn_msg m;

	pg->index = index;
	pg->label = r->label;
	pg->len = r->len;
	pg->ncaps = r->ncaps;
	pg->target = (uint32_t)(t - tg);
	snprintf(pg->tname, sizeof(pg->tname), "%s", t->name);
	for (int i = 0; i < 4; i++)
		pg->w[i] = r->w[i];
	pg->beats++;
	if (verbose)
		printf("# %u %s label %#x len %u caps %u w %#llx %#llx %#llx %#llx\n", index, t->name,
		       r->label, r->len, r->ncaps, (unsigned long long)r->w[0],
		       (unsigned long long)r->w[1], (unsigned long long)r->w[2],
		       (unsigned long long)r->w[3]);
	for (unsigned i = 0; i < r->ncaps && i < 4; i++)
		cairn_ipcbuf()->caps[i] = r->caps[i];
	m = cairn_call(t->cap, cairn_tag(r->label, r->len, r->ncaps), r->w[0], r->w[1], r->w[2], r->w[3]);
	if (verbose)
		printf("#   -> err %lld label %u w %#llx\n", (long long)m.err, cairn_tag_label(m.tag),
		       (unsigned long long)m.w[0]);
	if (m.err == ERR_INTR)
		n_intr++;
	else if (m.err)
		n_callerr++;
	else {
		if (cairn_tag_label(m.tag))
			n_err++;
		else
			n_ok++;
		release_answer_caps(m.tag);
	}
	t->sent++;
}

/* ---- liveness ----------------------------------------------------------------------- */

static char why[256];
static cap_t cap_proc = CAP_NULL, cap_rng = CAP_NULL;
static int have_disk;

#define ALIVE(cond, ...)                                                    \
	do {                                                                \
		if (!(cond)) {                                              \
			snprintf(why, sizeof(why), __VA_ARGS__);            \
			return 0;                                           \
		}                                                           \
	} while (0)

static void checking(const char *what)
{
	snprintf(pg->check, sizeof(pg->check), "%s", what);
	pg->beats++;
}

static int known_file(const char *path)
{
	char buf[64];
	struct stat st;
	int fd;
	ssize_t n;

	ALIVE(stat(path, &st) == 0, "stat %s: %s", path, strerror(errno));
	ALIVE(st.st_size == (off_t)strlen(KNOWN), "stat %s: size %lld", path, (long long)st.st_size);
	ALIVE((fd = open(path, O_RDONLY)) >= 0, "open %s: %s", path, strerror(errno));
	n = read(fd, buf, sizeof(buf));
	close(fd);
	ALIVE(n == (ssize_t)strlen(KNOWN) && !memcmp(buf, KNOWN, (size_t)n), "read %s: %zd", path, n);
	return 1;
}

static int alive(void)
{
	struct cairn_msg m;
	char buf[128];
	int p[2], sv[2], u;
	struct termios tio;

	checking("proc: PS_GETPID");
	m = cairn_call(cap_proc, cairn_tag(PS_GETPID, CAIRN_MSG_REGS, 0), 0, 0, 0, 0);
	ALIVE(!m.err && !cairn_tag_label(m.tag) && m.w[0] == (uint64_t)getpid(),
	      "proc: PS_GETPID answered err %lld label %u pid %lld (want %d)", (long long)m.err,
	      cairn_tag_label(m.tag), (long long)m.w[0], getpid());

	checking("vfs: the known file");
	if (!known_file(TOP_T "/known"))
		return 0;
	checking("vfs: a tmpfs root mounted");
	if (!known_file(TOP_T "/mnt/known"))
		return 0;
	checking("vfs: a pipe's round trip");
	ALIVE(pipe(p) == 0, "vfs: pipe: %s", strerror(errno));
	ALIVE(write(p[1], KNOWN, strlen(KNOWN)) == (ssize_t)strlen(KNOWN), "vfs: pipe write: %s",
	      strerror(errno));
	ALIVE(read(p[0], buf, sizeof(buf)) == (ssize_t)strlen(KNOWN) && !memcmp(buf, KNOWN, strlen(KNOWN)),
	      "vfs: pipe read");
	close(p[0]);
	close(p[1]);
	checking("vfs: /proc/self/stat");
	{
		int fd = open("/proc/self/stat", O_RDONLY);
		ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
		if (fd >= 0)
			close(fd);
		ALIVE(n > 0 && atoi(buf) == getpid(), "vfs: /proc/self/stat: %zd", n);
	}

	if (have_disk) {
		checking("ext2: the known file");
		if (!known_file(TOP_X "/known"))
			return 0;
	}

	checking("console: TCGETS");
	ALIVE(tcgetattr(1, &tio) == 0, "console: tcgetattr: %s", strerror(errno));

	checking("net: a socketpair's round trip");
	ALIVE(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "net: socketpair: %s", strerror(errno));
	ALIVE(write(sv[0], KNOWN, strlen(KNOWN)) == (ssize_t)strlen(KNOWN), "net: socketpair write");
	ALIVE(read(sv[1], buf, sizeof(buf)) == (ssize_t)strlen(KNOWN) && !memcmp(buf, KNOWN, strlen(KNOWN)),
	      "net: socketpair read");
	close(sv[0]);
	close(sv[1]);
	checking("net: a UDP datagram to itself");
	{
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		socklen_t al = sizeof(a);
		ALIVE((u = socket(AF_INET, SOCK_DGRAM, 0)) >= 0, "net: socket: %s", strerror(errno));
		ALIVE(bind(u, (struct sockaddr *)&a, sizeof(a)) == 0 &&
		      getsockname(u, (struct sockaddr *)&a, &al) == 0, "net: bind: %s", strerror(errno));
		ALIVE(sendto(u, KNOWN, strlen(KNOWN), 0, (struct sockaddr *)&a, al) == (ssize_t)strlen(KNOWN),
		      "net: sendto: %s", strerror(errno));
		ALIVE(recv(u, buf, sizeof(buf), 0) == (ssize_t)strlen(KNOWN), "net: recv: %s", strerror(errno));
		close(u);
	}

	checking("entropy: RNG_READ");
	m = cairn_call(cap_rng, cairn_tag(RNG_READ, CAIRN_MSG_REGS, 0), 32, 0, 0, 0);
	ALIVE(!m.err && !cairn_tag_label(m.tag) && m.w[0] == 32, "entropy: RNG_READ err %lld label %u n %lld",
	      (long long)m.err, cairn_tag_label(m.tag), (long long)m.w[0]);
	checking("");
	return 1;
}

/* /proc/mounts, after a check failed (the disk's mount gone?) */
static void show_mounts(void)
{
	char buf[1024];
	int fd = open("/proc/mounts", O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = 0;
	for (char *l = strtok(buf, "\n"); l; l = strtok(NULL, "\n"))
		printf("#   /proc/mounts: %s\n", l);
}

/* ---- one seed, in a child --------------------------------------------------------- */

static void on_alarm(int sig) { (void)sig; }

static void alarm_every(long ms)
{
	struct itimerval it = { { 0, ms * 1000 }, { 0, ms * 1000 } };

	setitimer(ITIMER_REAL, &it, NULL);
}

/* the pty's slave is root's (opened before the child drops to uid 1000) */
static int pty_m = -1, pty_s = -1;

/* A directory of the seed's (dir_kind) and its file "f" holding KNOWN
 * (file_kind), as targets. */
static void add_dir_file(const char *dir, const char *dname, enum kind dir_kind, const char *fname,
			 enum kind file_kind)
{
	char path[128];
	int fd;

	add_fd(dname, dir_kind, open(dir, O_RDONLY | O_DIRECTORY));
	snprintf(path, sizeof(path), "%s/f", dir);
	fd = open(path, O_RDWR | O_CREAT, 0644);
	if (fd >= 0)
		write(fd, KNOWN, strlen(KNOWN));
	add_fd(fname, file_kind, fd);
}

static void open_targets(unsigned seed)
{
	char path[128], dir[64], xdir[64];
	int p[2], sv[2];

	snprintf(dir, sizeof(dir), TOP_T "/s%u", seed);
	snprintf(xdir, sizeof(xdir), TOP_X "/s%u", seed);
	add_fd("tty", K_TTY, 1);                       /* first: pool_cap() knows it */
	add_cap("vfs-root", K_VROOT, cairn_cap("vfs"));
	add_dir_file(dir, "vfs-dir", K_VDIR, "vfs-file", K_VFILE);
	if (pipe(p) == 0) {
		add_fd("pipe-r", K_PIPER, p[0]);
		add_fd("pipe-w", K_PIPEW, p[1]);
	}
	add_fd("dev-null", K_DEV, open("/dev/null", O_RDWR));
	add_fd("dev-zero", K_DEV, open("/dev/zero", O_RDWR));
	add_fd("dev-full", K_DEV, open("/dev/full", O_RDWR));
	add_fd("dev-urandom", K_DEV, open("/dev/urandom", O_RDWR));
	add_fd("proc-file", K_PROCF, open("/proc/self/status", O_RDONLY));
	add_fd("proc-dir", K_PROCD, open("/proc", O_RDONLY | O_DIRECTORY));
	snprintf(path, sizeof(path), "%s/fifo", dir);
	mkfifo(path, 0644);
	add_fd("fifo", K_FIFO, open(path, O_RDWR | O_NONBLOCK));
	snprintf(path, sizeof(path), "/pfuzz%u", seed);
	{
		struct mq_attr at = { .mq_maxmsg = 4, .mq_msgsize = 64 };
		mqd_t q = mq_open(path, O_RDWR | O_CREAT, 0600, &at);
		add_fd("mqueue", K_MQ, (int)q);
		mq_unlink(path);
	}
	if (have_disk)
		add_dir_file(xdir, "ext2-dir", K_XDIR, "ext2-file", K_XFILE);
	if (pty_m >= 0) {
		add_fd("pty-master", K_PTM, pty_m);
		add_fd("pty-slave", K_PTS, pty_s);
	}
	add_cap("proc", K_PROC, cairn_cap("proc"));
	add_cap("cred", K_CRED, cairn_cap("cred"));
	add_cap("net", K_NET, cairn_cap("net"));
	add_cap("rng", K_RNG, cairn_cap("rng"));
	{
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		socklen_t al = sizeof(a);
		int u = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
		int l = socket(AF_INET, SOCK_STREAM, 0), c, s;
		if (u >= 0 && !bind(u, (struct sockaddr *)&a, sizeof(a)))
			add_fd("udp", K_SOCK, u);
		if (l >= 0 && !bind(l, (struct sockaddr *)&a, sizeof(a)) && !listen(l, 4) &&
		    !getsockname(l, (struct sockaddr *)&a, &al)) {
			add_fd("tcp-listen", K_SOCK, l);
			c = socket(AF_INET, SOCK_STREAM, 0);
			if (c >= 0 && !connect(c, (struct sockaddr *)&a, al) && (s = accept(l, NULL, NULL)) >= 0) {
				add_fd("tcp-conn", K_SOCK, c);
				add_fd("tcp-accepted", K_SOCK, s);
			}
		}
	}
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0) {
		add_fd("unix-a", K_SOCK, sv[0]);
		add_fd("unix-b", K_SOCK, sv[1]);
	}
	{
		struct cairn_msg m;
		if (!cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_NOTIFICATION, 0, 0, 0, &m))
			pool_note = m.w[0];
		if (!cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_MEMOBJ, 8192, 0, 0, &m))
			pool_mo = m.w[0];
	}
}

/*
 * Requests that once broke a server, sent as they were (the run's
 * "regressions", seed 0), before any seed: each entry a target by name, a
 * label, its words and inline bytes, no capabilities.
 */
struct fixed {
	const char *target;
	uint32_t label;
	uint64_t w[4];
	const char *bytes;              /* inline (NULL: none) */
};
static const struct fixed regressions[] = {
	/* the VFS waited for itself: IO_FEXTEND inside the size marked a hole's
	 * page written without making it present, and its next own touch of
	 * it (a read) faulted on its own object (seed 38 of a 40 x 1,500 run) */
	{ "vfs-file", IO_TRUNCATE, { 65536 }, NULL },
	{ "vfs-file", IO_FEXTEND, { 4096, 36864 }, NULL },
	{ "vfs-file", IO_PREAD, { 100, 36864 }, NULL },
	{ "vfs-file", IO_PWRITE, { 0, 40960 }, NULL },
	{ "vfs-file", IO_TRUNCATE, { 30000 }, NULL },
	{ "vfs-file", IO_FEXTEND, { 20000, 10000 }, NULL },
	{ "vfs-file", IO_READ, { 4000 }, NULL },
	/* IO_IMAGE of a file made long (sparse) had the VFS copy all of it
	 * into a new object, making every hole of the file present on the
	 * way: its memory ran out, and its touch of a page it could not make
	 * present waited for itself (seed 8 of 40 x 1,500, request 1250);
	 * now an image is at most half the quota left (else ENOMEM) and a
	 * read of a hole costs no memory */
	{ "vfs-file", IO_TRUNCATE, { 1u << 29 }, NULL },
	{ "vfs-file", IO_IMAGE, { 0 }, NULL },
	{ "vfs-file", IO_PREAD, { 4000, (1u << 29) - 2000 }, NULL },
	{ "vfs-file", IO_TRUNCATE, { 8u << 20 }, NULL },
	{ "vfs-file", IO_IMAGE, { 0 }, NULL },
	{ "vfs-file", IO_TRUNCATE, { 12u << 20 }, NULL },
	{ "vfs-file", IO_IMAGE, { 0 }, NULL },
	{ "vfs-file", IO_TRUNCATE, { 16u << 20 }, NULL },
	{ "vfs-file", IO_IMAGE, { 0 }, NULL },
	{ "vfs-file", IO_TRUNCATE, { 100 }, NULL },
	/* anyone could unmount (and mount): FS_UMOUNT had no credential check,
	 * and uid 1000 took away a tmpfs root had mounted (the boot's own
	 * mounts, /mnt's, are EBUSY to everyone) */
	{ "vfs-root", FS_UMOUNT, { 2, 0, 14 }, TOP_T "/mnt" },
	{ "vfs-root", FS_UMOUNT, { 0, 0, 14 }, TOP_T "/mnt" },
	{ "vfs-root", FS_UMOUNT, { 2, 0, 4 }, "/mnt" },
};

static void send_fixed(void)
{
	for (unsigned k = 0; k < sizeof(regressions) / sizeof(regressions[0]); k++) {
		const struct fixed *f = &regressions[k];
		struct req r = { .label = f->label, .len = CAIRN_MSG_REGS };
		if (f->bytes) {
			memcpy(inl(), f->bytes, strlen(f->bytes));
			r.len = posix_words(strlen(f->bytes));
		}
		for (unsigned i = 0; i < ntg; i++)
			if (!strcmp(tg[i].name, f->target)) {
				memcpy(r.w, f->w, sizeof(r.w));
				send_req(&r, &tg[i], k);
			}
	}
}

static int run_seed(unsigned seed, unsigned nreq)
{
	struct req r;
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };

	/* signals: SIGALRM ends a waiting request; the rest ignored, so that
	 * the requests' kills and timers hurt nothing */
	for (int s = 1; s < 32; s++)
		if (s != SIGKILL && s != SIGSTOP && s != SIGALRM)
			signal(s, SIG_IGN);
	sigaction(SIGALRM, &sa, NULL);
	pty_m = posix_openpt(O_RDWR | O_NOCTTY);
	if (pty_m >= 0 && grantpt(pty_m) == 0 && unlockpt(pty_m) == 0)
		pty_s = open(ptsname(pty_m), O_RDWR | O_NOCTTY | O_NONBLOCK);
	setgroups(0, NULL);
	if (setgid(FUZZ_UID) || setuid(FUZZ_UID)) {
		printf("# seed %u: setuid: %s\n", seed, strerror(errno));
		return 1;
	}
	open_targets(seed);
	cap_proc = cairn_cap("proc");
	cap_rng = cairn_cap("rng");
	rs = 0x9e3779b97f4a7c15ull * (seed + 1);
	for (int i = 0; i < 8; i++)
		rnd();
	if (seed == 0) {                 /* the regressions */
		alarm_every(ALRM_MS);
		send_fixed();
		alarm_every(0);
		pg->in_check = 1;
		if (!alive()) {
			printf("# regressions: %s\n", why);
			return 1;
		}
		printf("# regressions: %u requests, all servers answer\n", (unsigned)(sizeof(regressions) /
		       sizeof(regressions[0])));
		return 0;
	}
	for (unsigned i = 0, round = 0; i < nreq; round++) {
		unsigned end = i + ROUND < nreq ? i + ROUND : nreq, first = i;
		pg->round = round;
		pg->in_check = 0;
		alarm_every(ALRM_MS);
		for (; i < end; i++) {
			struct target *t = &tg[rn(ntg)];
			gen_request(&r, t);
			sanitize(&r, t);
			send_req(&r, t, i);
		}
		alarm_every(0);
		pg->in_check = 1;
		if (!alive()) {
			printf("# seed %u round %u (requests %u-%u): %s\n", seed, round, first, end - 1, why);
			show_mounts();
			return 1;
		}
		printf("# seed %u round %u: requests %u-%u, all servers answer\n", seed, round, first, end - 1);
	}
	printf("# seed %u: %u requests: %u answered 0, %u an error, %u interrupted, %u refused by the "
	       "kernel; %u capabilities came back\n", seed, nreq, n_ok, n_err, n_intr, n_callerr, n_caps);
	{
		char line[512];
		size_t o = 0;
		unsigned per[S_N] = { 0 };
		for (unsigned k = 0; k < ntg; k++)
			per[tg[k].server] += tg[k].sent;
		for (int s = 0; s < S_N; s++)
			o += (size_t)snprintf(line + o, sizeof(line) - o, " %s %u", server_name[s], per[s]);
		printf("# seed %u: requests by server:%s\n", seed, line);
	}
	return 0;
}

/* ---- the parent ------------------------------------------------------------------ */

static void rm_tree(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	char sub[4200];

	if (d) {
		while ((e = readdir(d))) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
			struct stat st;
			if (!lstat(sub, &st) && S_ISDIR(st.st_mode)) {
				chmod(sub, 0700);
				rm_tree(sub);
			} else {
				unlink(sub);
			}
		}
		closedir(d);
	}
	rmdir(path);
}

static int put_known(const char *top)
{
	char path[64];
	int fd;

	/* root's, 0755: the fuzzer (uid 1000) cannot remove or change the
	 * known file, only what is in its own folder of each seed */
	if (mkdir(top, 0755) && errno != EEXIST)
		return 0;
	snprintf(path, sizeof(path), "%s/known", top);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return 0;
	write(fd, KNOWN, strlen(KNOWN));
	close(fd);
	return 1;
}

static void one_seed(unsigned seed, unsigned nreq)
{
	char name[32];
	int st = 0;
	pid_t pid;
	uint64_t beats = 0;
	int64_t since;
	int hung = 0, ok;

	snprintf(name, sizeof(name), seed ? "seed%u" : "regressions", seed);
	memset(pg, 0, sizeof(*pg));
	pg->seed = seed;
	{
		char dir[64];
		snprintf(dir, sizeof(dir), TOP_T "/s%u", seed);
		if (mkdir(dir, 0755) == 0)
			chown(dir, FUZZ_UID, FUZZ_UID);
		if (have_disk) {
			snprintf(dir, sizeof(dir), TOP_X "/s%u", seed);
			if (mkdir(dir, 0755) == 0)
				chown(dir, FUZZ_UID, FUZZ_UID);
		}
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int rc = run_seed(seed, nreq);
		fflush(stdout);
		_exit(rc);
	}
	if (pid < 0) {
		t_failf("fork: %s", strerror(errno));
		t_result("pfuzz", name, false);
		return;
	}
	since = pt_now_ms();
	for (;;) {
		pid_t w = waitpid(pid, &st, WNOHANG);
		if (w == pid)
			break;
		if (pg->beats != beats) {
			beats = pg->beats;
			since = pt_now_ms();
		} else if (pt_now_ms() - since > HANG_MS) {
			hung = 1;
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			break;
		}
		pt_msleep(20);
	}
	ok = !hung && WIFEXITED(st) && WEXITSTATUS(st) == 0;
	if (!ok)                  /* at once: the check below may hang too */
		printf("# seed %u round %u request %u (%s label %#x len %u caps %u w %#llx %#llx %#llx "
		       "%#llx; check \"%s\"): %s\n", seed, pg->round, pg->index, pg->tname, pg->label,
		       pg->len, pg->ncaps, (unsigned long long)pg->w[0], (unsigned long long)pg->w[1],
		       (unsigned long long)pg->w[2], (unsigned long long)pg->w[3], pg->in_check ? pg->check : "",
		       hung ? "hung" : "ended");
	if (hung && pg->in_check)
		t_failf("seed %u round %u: the liveness check \"%s\" hung", seed, pg->round, pg->check);
	else if (hung || !WIFEXITED(st))
		t_failf("seed %u round %u request %u (%s label %#x len %u caps %u w %#llx %#llx %#llx %#llx): "
			"%s %d", seed, pg->round, pg->index, pg->tname, pg->label, pg->len, pg->ncaps,
			(unsigned long long)pg->w[0], (unsigned long long)pg->w[1],
			(unsigned long long)pg->w[2], (unsigned long long)pg->w[3],
			hung ? "hung; killed after ms" : "the fuzzer died of signal",
			hung ? HANG_MS : WTERMSIG(st));
	else if (!ok)
		t_failf("seed %u: a liveness check failed (above)", seed);
	/* the servers still serve a process the requests never came from */
	if (!alive()) {
		t_failf("seed %u, after: %s", seed, why);
		ok = 0;
	}
	{
		char dir[64];
		snprintf(dir, sizeof(dir), TOP_T "/s%u", seed);
		rm_tree(dir);
		if (have_disk) {
			snprintf(dir, sizeof(dir), TOP_X "/s%u", seed);
			rm_tree(dir);
		}
	}
	t_result("pfuzz", name, ok);
}

/* The over-close the fuzzer found (seed 67, round 13): the capability of
 * an ERR_REMOTE answer into a tmpfs mount is a copy of the mount root's
 * own reference, and an IO_CLOSE through it closed the mount's root for
 * every process. The VFS now pins that reference (no client's close or
 * end takes it); `pfuzz overclose`, in make test, checks both kinds of
 * mount. */
static int overclose_one(const char *path)
{
	size_t n = strlen(path);
	struct cairn_msg m;
	struct stat st;
	cap_t c;

	memcpy(inl(), path, n);
	m = cairn_call(cairn_cap("vfs"), cairn_tag(FS_STAT, posix_words(n), 0), 0, 0, n, 0);
	if (m.err || cairn_tag_label(m.tag) != ERR_REMOTE || cairn_tag_ncaps(m.tag) != 1) {
		t_failf("FS_STAT %s: err %lld label %u", path, (long long)m.err, cairn_tag_label(m.tag));
		return 0;
	}
	c = cairn_ipcbuf()->caps[0];
	m = cairn_call(c, cairn_tag(IO_CLOSE, CAIRN_MSG_REGS, 0), 0, 0, 0, 0);
	printf("# IO_CLOSE through the redirect's capability for %s: label %u\n", path,
	       cairn_tag_label(m.tag));
	if (stat(path, &st)) {
		t_failf("stat %s after: %s", path, strerror(errno));
		return 0;
	}
	return 1;
}

static int overclose(void)
{
	t_begin("pfuzz", 2);
	t_result("pfuzz", "overclose_tmpfs", overclose_one(TOP_T "/mnt/known"));
	if (have_disk)
		t_result("pfuzz", "overclose_ext2", overclose_one(TOP_X "/known"));
	return (int)t_end("pfuzz");
}

/* Arguments: seeds=A-B (default 1-3), seed=N or seed=N:REQUESTS (more
 * seeds: a regression's), requests=N (default 300), verbose. */
#define MAXRUNS 256
static unsigned run_seed_n[MAXRUNS], run_req[MAXRUNS], nruns;

static void add_run(unsigned seed, unsigned nreq)
{
	if (nruns < MAXRUNS) {
		run_seed_n[nruns] = seed;
		run_req[nruns++] = nreq;
	}
}

int main(int argc, char **argv)
{
	unsigned first = 1, last = 3, nreq = 300, total = 0;
	int over = 0;
	struct statfs sf;

	for (int i = 1; i < argc; i++)
		if (!strncmp(argv[i], "requests=", 9))
			nreq = (unsigned)atoi(argv[i] + 9);
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "overclose"))
			over = 1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *c;
		if (!strncmp(a, "seeds=", 6)) {
			first = (unsigned)atoi(a + 6);
			last = (c = strchr(a, '-')) ? (unsigned)atoi(c + 1) : first;
		} else if (!strncmp(a, "seed=", 5)) {
			add_run((unsigned)atoi(a + 5), (c = strchr(a, ':')) ? (unsigned)atoi(c + 1) : nreq);
		} else if (!strcmp(a, "verbose") || !strcmp(a, "overclose")) {
			verbose |= a[0] == 'v';
		} else if (strncmp(a, "requests=", 9)) {
			return t_abort("pfuzz: unknown argument %s", a);
		}
	}
	{
		int ranged = 0;
		for (int i = 1; i < argc; i++)
			ranged |= !strncmp(argv[i], "seeds=", 6);
		if (ranged || !nruns) {
			unsigned keep = nruns, ks[MAXRUNS], kr[MAXRUNS];
			memcpy(ks, run_seed_n, sizeof(ks));
			memcpy(kr, run_req, sizeof(kr));
			nruns = 0;
			for (unsigned s = first; s <= last; s++)
				add_run(s, nreq);
			for (unsigned k = 0; k < keep; k++)
				add_run(ks[k], kr[k]);
		}
	}
	for (unsigned k = 0; k < nruns; k++)
		total += run_req[k];
	setvbuf(stdout, NULL, _IOLBF, 0);
	pg = mmap(NULL, sizeof(*pg), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (pg == MAP_FAILED)
		return t_abort("mmap: %s", strerror(errno));
	have_disk = statfs("/mnt", &sf) == 0 && sf.f_type == 0xef53;
	if (!put_known(TOP_T) || (have_disk && !put_known(TOP_X)))
		return t_abort("the known files: %s", strerror(errno));
	/* a mount of root's, which uid 1000 must not take away */
	if ((mkdir(TOP_T "/mnt", 0755) && errno != EEXIST) ||
	    mount("tmpfs", TOP_T "/mnt", "tmpfs", 0, NULL) || !put_known(TOP_T "/mnt"))
		return t_abort("a tmpfs at " TOP_T "/mnt: %s", strerror(errno));
	if (verbose)
		show_mounts();
	if (over)
		return overclose();
	cap_proc = cairn_cap("proc");
	cap_rng = cairn_cap("rng");
	printf("# pfuzz: %u seeds, %u requests in all, rounds of %u, as uid %u; ext2 at /mnt: %s\n",
	       nruns, total, ROUND, FUZZ_UID, have_disk ? "yes" : "no (not fuzzed)");
	t_begin("pfuzz", nruns + 1);
	if (!alive())
		return t_abort("the servers do not answer before the first request: %s", why);
	one_seed(0, 0);
	for (unsigned k = 0; k < nruns; k++)
		one_seed(run_seed_n[k], run_req[k]);
	return (int)t_end("pfuzz");
}
