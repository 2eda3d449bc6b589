// SPDX-License-Identifier: MIT
/*
 * Bad pointers handed to system calls: -1 with EFAULT, as on Linux, never
 * a SIGSEGV (musl-port/src/cairn/uaccess.c: the copies of the caller's
 * memory recover from the fault). Each call gets three bad addresses:
 * (void *)1 (the unmapped page 0), a PROT_NONE page, and a page that was
 * mapped and munmap'd (in the middle of a 16-page hole, so that no later
 * mapping takes it). Data (read, write, pread, pwrite, readv, writev on a
 * pipe and a file; the iovec array itself), paths (open, openat, stat,
 * lstat, access, mkdir, rmdir, unlink, rename, chdir, chmod, truncate,
 * readlink), what calls write back (fstat, getcwd, pipe, pipe2, uname,
 * getrlimit, wait4's status), time (clock_gettime, gettimeofday,
 * nanosleep), signals (sigaction, sigprocmask, sigpending), poll, select,
 * AF_UNIX sockets (bind, connect, sendto, recvfrom, getsockname) and
 * futex waits; and the pointers inside arguments (inside: sendmsg's and
 * recvmsg's header, iovec array, address and control data; ioctl's
 * termios, winsize, FIONREAD count and SIOCGIFCONF's ifconf and buffer;
 * fcntl's struct flock). After them the call works with good memory, the process's
 * state is whole (no descriptor leaked, the pipe's bytes still there),
 * a process that shares nothing of it is untouched, and the calls fail so
 * whatever the SIGSEGV disposition and mask (a handler installed never
 * runs; blocked, the process lives). A bad pointer outside a system call
 * is still a SIGSEGV.
 *
 * Calls whose musl wrappers read or convert the memory themselves (stat's
 * struct, sigaction's, clock_gettime through Linux's vDSO, sendmsg's and
 * recvmsg's header) are made with
 * syscall(), which crashes neither here nor on Linux.
 *
 * It passes on Linux, built on the host:
 *   gcc -std=gnu11 -O2 -Wall -Wextra -Werror -Iuser/tests/posix -Iuser/lib/include \
 *       -o /tmp/efault user/tests/posix/efault.c user/tests/posix/lib/child.c \
 *       user/tests/posix/lib/test_musl.c user/lib/test.c -lpthread
 * Expected list: tests/harness/expected/posix-efault.txt.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include "posixtest.h"

/* <linux/futex.h>'s (musl has no header for them) */
#define FUTEX_WAIT         0
#define FUTEX_PRIVATE_FLAG 128

#define NBAD 3
static void *bad[NBAD];
static const char *bad_name[NBAD] = { "(void *)1", "PROT_NONE page", "munmap'd page" };
static char dir[64];
static volatile sig_atomic_t segvs;

#define EACH_BAD(i) for (int i = 0; i < NBAD; i++)

static void on_segv(int sig)
{
	(void)sig;
	segvs++;
}

/* -1 with EFAULT for every bad address: call is an expression of p. */
#define ALL_EFAULT(p, call)                                                                 \
	EACH_BAD(i_) {                                                                     \
		void *p = bad[i_];                                                         \
		errno = 0;                                                                 \
		long r_ = (long)(call);                                                    \
		if (r_ != -1 || errno != EFAULT)                                           \
			FAIL("line %d: %s with %s: %ld, %s", __LINE__, #call, bad_name[i_], \
			     r_, strerror(errno));                                         \
	}

static void setup(void)
{
	char *hole;
	long pg = sysconf(_SC_PAGESIZE);

	bad[0] = (void *)1;
	bad[1] = mmap(NULL, (size_t)pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	/* a hole of 16 pages between two mapped ones; its middle page */
	hole = mmap(NULL, (size_t)pg * 18, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (bad[1] == MAP_FAILED || hole == MAP_FAILED) {
		printf("efault: mmap failed\n");
		exit(1);
	}
	hole[pg * 8] = 1;
	munmap(hole + pg, (size_t)pg * 16);
	bad[2] = hole + pg * 8;
	snprintf(dir, sizeof(dir), "/tmp/efault.%d", (int)getpid());
	mkdir(dir, 0700);
}

/* The lowest free descriptor (a leak moves it). */
static int next_fd(void)
{
	int fd = dup(0);

	if (fd >= 0)
		close(fd);
	return fd;
}

/* Data: pipes and a file, each call's buffer and the iovec array. */
static void data(void)
{
	int p[2], fd, before = next_fd();
	char buf[16], path[96];
	struct iovec badv[2];

	CHECK(pipe(p) == 0);
	CHECK(write(p[1], "hello", 5) == 5);
	ALL_EFAULT(b, read(p[0], b, 5));
	ALL_EFAULT(b, write(p[1], b, 5));
	ALL_EFAULT(b, readv(p[0], (struct iovec *)b, 1));
	ALL_EFAULT(b, writev(p[1], (struct iovec *)b, 1));
	EACH_BAD(i) {
		badv[0] = (struct iovec){ bad[i], 5 };
		errno = 0;
		if (readv(p[0], badv, 1) != -1 || errno != EFAULT)
			FAIL("readv into %s: %s", bad_name[i], strerror(errno));
		errno = 0;
		if (writev(p[1], badv, 1) != -1 || errno != EFAULT)
			FAIL("writev from %s: %s", bad_name[i], strerror(errno));
	}
	/* the bytes are still there, and nothing more */
	CHECK(read(p[0], buf, sizeof(buf)) == 5 && !memcmp(buf, "hello", 5));
	close(p[0]);
	close(p[1]);

	snprintf(path, sizeof(path), "%s/data", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0);
	ALL_EFAULT(b, write(fd, b, 5));
	ALL_EFAULT(b, pwrite(fd, b, 5, 0));
	CHECK(write(fd, "world", 5) == 5);
	ALL_EFAULT(b, pread(fd, b, 5, 0));
	CHECK(lseek(fd, 0, SEEK_SET) == 0);
	ALL_EFAULT(b, read(fd, b, 5));
	ALL_EFAULT(b, readv(fd, (struct iovec *)b, 1));
	ALL_EFAULT(b, writev(fd, (struct iovec *)b, 1));
	/* the file and its offset as they were */
	CHECK(read(fd, buf, sizeof(buf)) == 5 && !memcmp(buf, "world", 5));
	CHECK(pread(fd, buf, sizeof(buf), 0) == 5);
	close(fd);
	unlink(path);
	CHECK(next_fd() == before);
}

/* Paths, and what the path calls write. */
static void paths(void)
{
	char good[96], other[96], buf[64];
	struct stat st;
	int fd;

	snprintf(good, sizeof(good), "%s/file", dir);
	snprintf(other, sizeof(other), "%s/other", dir);
	fd = open(good, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0);
	ALL_EFAULT(p, open(p, O_RDONLY));
	ALL_EFAULT(p, open(p, O_RDWR | O_CREAT, 0600));
	ALL_EFAULT(p, openat(AT_FDCWD, p, O_RDONLY));
	ALL_EFAULT(p, stat(p, &st));
	ALL_EFAULT(p, lstat(p, &st));
	ALL_EFAULT(p, access(p, F_OK));
	ALL_EFAULT(p, mkdir(p, 0700));
	ALL_EFAULT(p, rmdir(p));
	ALL_EFAULT(p, unlink(p));
	ALL_EFAULT(p, rename(p, other));
	ALL_EFAULT(p, rename(good, p));
	ALL_EFAULT(p, chdir(p));
	ALL_EFAULT(p, chmod(p, 0600));
	ALL_EFAULT(p, truncate(p, 0));
	ALL_EFAULT(p, readlink(p, buf, sizeof(buf)));
	/* the kernel's structure, written by the call (musl's stat converts it) */
	ALL_EFAULT(p, syscall(SYS_fstat, fd, p));
#ifdef SYS_newfstatat
	ALL_EFAULT(p, syscall(SYS_newfstatat, AT_FDCWD, good, p, 0));
#endif
	ALL_EFAULT(p, getcwd(p, 64) ? 0 : -1);
	/* nothing was made or moved; good calls work */
	CHECK(stat(good, &st) == 0 && S_ISREG(st.st_mode));
	CHECK(access(other, F_OK) == -1 && errno == ENOENT);
	CHECK(rename(good, other) == 0 && unlink(other) == 0);
	CHECK(getcwd(buf, sizeof(buf)) == buf && buf[0] == '/');
	close(fd);
}

/* pipe, pipe2, uname, getrlimit, setrlimit, wait4's status. */
static void results(void)
{
	int before = next_fd(), st;
	struct utsname u;
	struct rlimit rl;
	pid_t pid;

	ALL_EFAULT(p, pipe(p));
	ALL_EFAULT(p, pipe2(p, O_CLOEXEC));
	CHECK(next_fd() == before);               /* no descriptor left behind */
	ALL_EFAULT(p, uname(p));
	ALL_EFAULT(p, getrlimit(RLIMIT_NOFILE, p));
	ALL_EFAULT(p, setrlimit(RLIMIT_NOFILE, p));
	CHECK(uname(&u) == 0 && u.sysname[0]);
	CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0 && setrlimit(RLIMIT_NOFILE, &rl) == 0);
	EACH_BAD(i) {
		pid = fork();
		if (pid == 0)
			_exit(7);
		CHECK(pid > 0);
		pt_msleep(20);                    /* ended by now */
		errno = 0;
		if (waitpid(pid, bad[i], 0) != -1 || errno != EFAULT)
			FAIL("waitpid into %s: %s", bad_name[i], strerror(errno));
		/* Linux has reaped it already; here it waits for the next wait */
		if (waitpid(pid, &st, 0) == pid)
			CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 7);
		else
			CHECK(errno == ECHILD);
	}
}

/* Time: clock_gettime and gettimeofday through syscall() (Linux's vDSO
 * would write the memory itself), nanosleep. */
static void times(void)
{
	struct timespec ts;
	struct timeval tv;

	ALL_EFAULT(p, syscall(SYS_clock_gettime, CLOCK_REALTIME, p));
	ALL_EFAULT(p, syscall(SYS_clock_gettime, CLOCK_MONOTONIC, p));
	ALL_EFAULT(p, syscall(SYS_gettimeofday, p, NULL));
	ALL_EFAULT(p, nanosleep(p, NULL));
	EACH_BAD(i)                               /* (it returns the error) */
		CHECK(clock_nanosleep(CLOCK_MONOTONIC, 0, bad[i], NULL) == EFAULT);
	CHECK(clock_gettime(CLOCK_REALTIME, &ts) == 0 && ts.tv_sec > 0);
	CHECK(gettimeofday(&tv, NULL) == 0 && tv.tv_sec > 0);
}

/* sigaction (the kernel's structure: syscall()), sigprocmask, sigpending. */
static void signals(void)
{
	sigset_t set, old;

	ALL_EFAULT(p, syscall(SYS_rt_sigaction, SIGUSR1, p, NULL, 8));
	ALL_EFAULT(p, syscall(SYS_rt_sigaction, SIGUSR1, NULL, p, 8));
	ALL_EFAULT(p, syscall(SYS_rt_sigprocmask, SIG_BLOCK, p, NULL, 8));
	ALL_EFAULT(p, syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, p, 8));
	ALL_EFAULT(p, sigpending(p));
	/* nothing changed: SIGUSR1 unblocked, SIG_DFL */
	CHECK(sigprocmask(SIG_BLOCK, NULL, &old) == 0 && !sigismember(&old, SIGUSR1));
	CHECK(signal(SIGUSR1, SIG_IGN) == SIG_DFL && signal(SIGUSR1, SIG_DFL) == SIG_IGN);
	sigemptyset(&set);
	CHECK(sigpending(&set) == 0);
}

/* poll and select (its sets; the timeout is read by the C libraries'
 * select themselves). */
static void waiting(void)
{
	int p[2];
	struct pollfd pf;
	struct timeval tv0 = { 0, 0 };
	fd_set rs;

	CHECK(pipe(p) == 0);
	CHECK(write(p[1], "x", 1) == 1);
	ALL_EFAULT(b, poll(b, 1, 0));
	ALL_EFAULT(b, select(p[0] + 1, b, NULL, NULL, &tv0));
	pf = (struct pollfd){ .fd = p[0], .events = POLLIN };
	CHECK(poll(&pf, 1, 0) == 1 && (pf.revents & POLLIN));
	FD_ZERO(&rs);
	FD_SET(p[0], &rs);
	CHECK(select(p[0] + 1, &rs, NULL, NULL, &tv0) == 1);
	close(p[0]);
	close(p[1]);
}

/* AF_UNIX sockets: bind, connect, sendto, recvfrom, getsockname. */
static void sockets(void)
{
	int s, sv[2];
	socklen_t len;
	struct sockaddr_un un;
	char buf[16];

	s = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHECK(s >= 0);
	ALL_EFAULT(p, bind(s, p, sizeof(struct sockaddr_un)));
	ALL_EFAULT(p, connect(s, p, sizeof(struct sockaddr_un)));
	len = sizeof(un);
	ALL_EFAULT(p, getsockname(s, p, &len));
	ALL_EFAULT(p, getsockname(s, (struct sockaddr *)&un, p));
	close(s);
	CHECK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0);
	ALL_EFAULT(p, sendto(sv[0], p, 5, 0, NULL, 0));
	ALL_EFAULT(p, send(sv[0], p, 5, 0));
	/* a datagram for each (Linux drops one it could not copy; here it stays) */
	for (int i = 0; i < NBAD; i++)
		CHECK(send(sv[0], "hello", 5, 0) == 5);
	ALL_EFAULT(p, recvfrom(sv[1], p, 5, MSG_DONTWAIT, NULL, NULL));
	while (recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
	/* the socket still carries datagrams */
	CHECK(send(sv[0], "again", 5, 0) == 5);
	CHECK(recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT) == 5 && !memcmp(buf, "again", 5));
	close(sv[0]);
	close(sv[1]);
}

/* Pointers inside the arguments: a bad one is EFAULT, and the call did
 * nothing (no datagram sent or taken, no lock). */
static void inside(void)
{
	int sv[2], fd, m, s, avail;
	char buf[16], path[96];
	struct iovec good = { .iov_base = "hello", .iov_len = 5 };
	struct sockaddr_un to = { .sun_family = AF_UNIX };
	union { struct cmsghdr h; char b[CMSG_SPACE(sizeof(int))]; } ctl;
	struct msghdr h;

	CHECK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0);
	ALL_EFAULT(p, syscall(SYS_sendmsg, sv[0], p, 0));
	memset(&h, 0, sizeof(h));
	h.msg_iovlen = 1;
	ALL_EFAULT(p, (h.msg_iov = p, syscall(SYS_sendmsg, sv[0], &h, 0)));
	h.msg_iov = &good;
	h.msg_namelen = sizeof(to);
	ALL_EFAULT(p, (h.msg_name = p, syscall(SYS_sendmsg, sv[0], &h, 0)));
	h.msg_name = NULL;
	h.msg_namelen = 0;
	h.msg_controllen = sizeof(ctl);
	ALL_EFAULT(p, (h.msg_control = p, syscall(SYS_sendmsg, sv[0], &h, 0)));
	h.msg_control = NULL;
	h.msg_controllen = 0;
	errno = 0;
	CHECK(recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT) == -1 && errno == EAGAIN);   /* none sent */
	CHECK(syscall(SYS_sendmsg, sv[0], &h, 0) == 5);
	ALL_EFAULT(p, syscall(SYS_recvmsg, sv[1], p, MSG_DONTWAIT));
	ALL_EFAULT(p, (h.msg_iov = p, syscall(SYS_recvmsg, sv[1], &h, MSG_DONTWAIT)));
	struct iovec into = { .iov_base = buf, .iov_len = sizeof(buf) };
	h.msg_iov = &into;
	CHECK(syscall(SYS_recvmsg, sv[1], &h, MSG_DONTWAIT) == 5 && !memcmp(buf, "hello", 5));
	close(sv[0]);
	close(sv[1]);

	/* ioctl: a terminal's settings and size, a pipe's count */
	m = posix_openpt(O_RDWR | O_NOCTTY);
	CHECK(m >= 0 && grantpt(m) == 0 && unlockpt(m) == 0);
	fd = open(ptsname(m), O_RDWR | O_NOCTTY);
	CHECK(fd >= 0);
	ALL_EFAULT(p, ioctl(fd, TCGETS, p));
	ALL_EFAULT(p, ioctl(fd, TCSETS, p));
	ALL_EFAULT(p, ioctl(fd, TIOCGWINSZ, p));
	ALL_EFAULT(p, ioctl(fd, TIOCSWINSZ, p));
	struct termios t;
	CHECK(tcgetattr(fd, &t) == 0);
	close(fd);
	close(m);
	CHECK(pipe(sv) == 0 && write(sv[1], "abc", 3) == 3);
	ALL_EFAULT(p, ioctl(sv[0], FIONREAD, p));
	CHECK(ioctl(sv[0], FIONREAD, &avail) == 0 && avail == 3);
	close(sv[0]);
	close(sv[1]);
	/* SIOCGIFCONF: the ifconf, and the buffer it points to */
	s = socket(AF_INET, SOCK_DGRAM, 0);
	CHECK(s >= 0);
	ALL_EFAULT(p, ioctl(s, SIOCGIFCONF, p));
	struct ifconf ifc = { .ifc_len = 64 * (int)sizeof(struct ifreq) };
	ALL_EFAULT(p, (ifc.ifc_buf = p, ioctl(s, SIOCGIFCONF, &ifc)));
	close(s);

	/* fcntl's record locks: the struct flock */
	snprintf(path, sizeof(path), "%s/lk", dir);
	fd = open(path, O_RDWR | O_CREAT, 0600);
	CHECK(fd >= 0);
	ALL_EFAULT(p, fcntl(fd, F_GETLK, p));
	ALL_EFAULT(p, fcntl(fd, F_SETLK, p));
	ALL_EFAULT(p, fcntl(fd, F_SETLKW, p));
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	CHECK(fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type == F_UNLCK);
	close(fd);
	unlink(path);
}

/* A futex wait reads the word: EFAULT for an aligned bad address ((void
 * *)1 is EINVAL on Linux: misaligned). */
static void futexes(void)
{
	int word = 1;

	for (int i = 1; i < NBAD; i++) {
		errno = 0;
		if (syscall(SYS_futex, bad[i], FUTEX_WAIT, 0, NULL, NULL, 0) != -1 || errno != EFAULT)
			FAIL("FUTEX_WAIT on %s: %s", bad_name[i], strerror(errno));
		errno = 0;
		if (syscall(SYS_futex, bad[i], FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 0, NULL, NULL, 0) != -1 ||
		    errno != EFAULT)
			FAIL("private FUTEX_WAIT on %s: %s", bad_name[i], strerror(errno));
	}
	errno = 0;
	CHECK(syscall(SYS_futex, (void *)4, FUTEX_WAIT, 0, NULL, NULL, 0) == -1 && errno == EFAULT);
	/* a good wait: the word is not 0, EAGAIN at once */
	CHECK(syscall(SYS_futex, &word, FUTEX_WAIT, 0, NULL, NULL, 0) == -1 && errno == EAGAIN);
}

/* The SIGSEGV disposition and mask change nothing: a handler never runs,
 * a blocked SIGSEGV does not end the process. */
static void disposition(void)
{
	struct sigaction sa = { .sa_handler = on_segv };
	sigset_t segv, old;
	int p[2];

	CHECK(pipe(p) == 0);
	CHECK(sigaction(SIGSEGV, &sa, NULL) == 0);
	segvs = 0;
	ALL_EFAULT(b, write(p[1], b, 4));
	ALL_EFAULT(b, open(b, O_RDONLY));
	CHECK(segvs == 0);
	sigemptyset(&segv);
	sigaddset(&segv, SIGSEGV);
	CHECK(sigprocmask(SIG_BLOCK, &segv, &old) == 0);
	ALL_EFAULT(b, write(p[1], b, 4));
	ALL_EFAULT(b, uname(b));
	CHECK(sigprocmask(SIG_SETMASK, &old, NULL) == 0);
	signal(SIGSEGV, SIG_DFL);
	CHECK(segvs == 0);
	close(p[0]);
	close(p[1]);
}

/* Another process, blocked on a pipe all along, is untouched; a bad
 * pointer outside a system call is a SIGSEGV as before. */
static void others(void)
{
	int to[2], from[2];
	char c = 0;
	pid_t pid;

	CHECK(pipe(to) == 0 && pipe(from) == 0);
	pid = fork();
	if (pid == 0) {
		pt_child_start();
		if (read(to[0], &c, 1) != 1)
			_exit(2);
		c++;
		_exit(write(from[1], &c, 1) == 1 ? 0 : 3);
	}
	CHECK(pid > 0);
	ALL_EFAULT(b, write(to[1], b, 1));
	c = 'a';
	CHECK(write(to[1], &c, 1) == 1);
	struct pollfd pf = { .fd = from[0], .events = POLLIN };
	CHECK(poll(&pf, 1, 10000) == 1);          /* (a read waits for bytes before it copies) */
	ALL_EFAULT(b, read(from[0], b, 1));
	CHECK(read(from[0], &c, 1) == 1 && c == 'b');
	REAP(pid, 0);
	close(to[0]);
	close(to[1]);
	close(from[0]);
	close(from[1]);
	for (int i = 0; i < NBAD; i++) {
		pid = fork();
		if (pid == 0) {
			pt_child_start();
			*(volatile char *)bad[i] = 1;
			_exit(0);
		}
		CHECK(pid > 0);
		REAP(pid, 1000 + SIGSEGV);
	}
}

int main(int argc, char **argv)
{
	pt_prefix = "efault";
	pt_select(argc, argv);
	setup();
	run_named("data", data);
	run_named("paths", paths);
	run_named("results", results);
	run_named("times", times);
	run_named("signals", signals);
	run_named("waiting", waiting);
	run_named("sockets", sockets);
	run_named("inside", inside);
	run_named("futexes", futexes);
	run_named("disposition", disposition);
	run_named("others", others);
	rmdir(dir);
	return finish();
}
