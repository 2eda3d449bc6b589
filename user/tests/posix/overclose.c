// SPDX-License-Identifier: MIT
/*
 * References belong to capabilities: whoever holds a copy of a shared
 * open description (a forked child, an exec'd program, the receiver of
 * an SCM_RIGHTS message) can release only its own references, however
 * often it closes. Each test hands a descriptor to another process, which
 * closes it four times over; the parent's descriptor must still work
 * (write, lseek, read; a pipe's write and read; a tty's tcgetattr and
 * F_GETFL). On Cairn the over-closing is raw IO_CLOSE calls through the
 * descriptor's capability (include/cairn/posix.h: the first releases that
 * capability's reference, the others are EBADF and touch nothing), what
 * a hostile program could send past musl; elsewhere it is close(2) four
 * times (which Linux's descriptors make harmless as well), so the program
 * also passes on Linux, built on the host:
 *   gcc -std=gnu11 -O2 -Wall -Wextra -Werror -Iuser/tests/posix -Iuser/lib/include \
 *       -o /tmp/overclose user/tests/posix/overclose.c user/tests/posix/lib/child.c \
 *       user/tests/posix/lib/test_musl.c user/lib/test.c -lpthread
 *
 *   file_fork      a file's descriptor, over-closed by a forked child
 *   pipe_fork      both ends of a pipe, the same
 *   tty_fork       a dup of the terminal (descriptor 0), the same; and a
 *                  pseudo-terminal's master
 *   socket_fork    both ends of an AF_UNIX socket pair (the network
 *                  server's), the same; they still carry bytes both ways
 *   file_exec      a file's descriptor and a pipe's write end, inherited
 *                  by a program the child execs (this one: `overclose
 *                  close FD...`), which over-closes them
 *   file_message   a file's descriptor and a pipe's read end, received by
 *                  a child over an AF_UNIX socket (SCM_RIGHTS)
 *   own_close      in one process: a dup's capability closed four times;
 *                  the first close is ok, the rest EBADF (Cairn), and the
 *                  original descriptor works
 *   no_leak        what a shell does, 20 times each (fork and exit, exec,
 *                  exec with close-on-exec descriptors, a failed exec, a
 *                  child killed, a redirection saved and restored,
 *                  posix_spawn, a pipeline): the file server's free entries
 *                  (statvfs's f_ffree of /tmp, which counts references on
 *                  Cairn) are what they were before, so nothing held a
 *                  reference the server never got back (elsewhere only
 *                  that they run: f_ffree counts inodes)
 *
 * With an absolute directory as the argument (a disk's /mnt) the files are
 * made there (the ext2 server's); else in /tmp.
 * Expected list: tests/harness/expected/posix-overclose.txt.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <spawn.h>
#include <sys/statvfs.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include "posixtest.h"

#ifdef __cairn__
#include <cairn/sys.h>
/* include/cairn/posix.h's IO_CLOSE (IO_READ 0x100 + 8; that header is not
 * in the sysroot): a wrong number would answer ENOSYS, and fail the test */
#define IO_CLOSE 0x108
/* musl-port's descriptor table (musl-port/src/cairn/cairn_impl.h): an
 * entry starts with its capability */
struct cairn_fd;
struct cairn_fd *__cairn_fd(long fd);
#endif

#define TIMES 4

static char base[256], self[256];

/* Closes fd `TIMES` times: raw IO_CLOSE on Cairn (then the slot is the
 * descriptor's still; it is never used again), close(2) elsewhere. 0, or
 * a code saying which close answered wrongly. */
static int overclose(int fd)
{
#ifdef __cairn__
	struct cairn_fd *f = __cairn_fd(fd);
	if (!f)
		return 90;
	cap_t cap = *(cap_t *)f;
	for (int i = 0; i < TIMES; i++) {
		struct cairn_msg m = cairn_call(cap, cairn_tag(IO_CLOSE, CAIRN_MSG_REGS, 0), 0, 0, 0, 0);
		err_t e = m.err ? (err_t)m.err : (err_t)cairn_tag_label(m.tag);
		if (e != (i ? ERR_BADF : ERR_OK))
			return 91 + i;
	}
	return 0;
#else
	if (close(fd))
		return 91;
	for (int i = 1; i < TIMES; i++)
		if (close(fd) == 0 || errno != EBADF)
			return 91 + i;
	return 0;
#endif
}

/* A file in base with "ab" written, open O_RDWR at offset 2. */
static int made_file(const char *name)
{
	char path[300];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", base, name);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0 && write(fd, "ab", 2) != 2) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The parent's file still works: "cd" written at 2, lseek, "abcd" read. */
static void file_works(int fd)
{
	char buf[8] = { 0 };

	CHECK(write(fd, "cd", 2) == 2);
	CHECK(lseek(fd, 0, SEEK_SET) == 0);
	CHECK(read(fd, buf, sizeof(buf)) == 4 && !memcmp(buf, "abcd", 4));
	CHECK(close(fd) == 0);
}

/* The parent's pipe still works both ways. */
static void pipe_works(int p[2])
{
	char c = 0;

	CHECK(write(p[1], "x", 1) == 1);
	CHECK(read(p[0], &c, 1) == 1 && c == 'x');
	CHECK(close(p[0]) == 0 && close(p[1]) == 0);
}

/* A forked child over-closes fds (n of them) and exits with the result. */
static void child_overcloses(const int *fds, int n)
{
	pid_t pid = fork();

	if (pid == 0) {
		for (int i = 0; i < n; i++) {
			int r = overclose(fds[i]);
			if (r)
				_exit(r);
		}
		_exit(0);
	}
	CHECK(pid > 0);
	if (pid > 0)
		REAP(pid, 0);
}

static void file_fork(void)
{
	int fd = made_file("fork");

	if (!CHECK(fd >= 0))
		return;
	child_overcloses(&fd, 1);
	file_works(fd);
}

static void pipe_fork(void)
{
	int p[2];

	if (!CHECK(pipe(p) == 0))
		return;
	child_overcloses(p, 2);
	pipe_works(p);
}

static void tty_fork(void)
{
	struct termios t;
	int fd, m;

#ifdef __cairn__
	CHECK(isatty(0));                 /* --exec: the console's terminal */
#endif
	if (isatty(0)) {
		if (!CHECK((fd = dup(0)) >= 0))
			return;
		child_overcloses(&fd, 1);
		CHECK(tcgetattr(fd, &t) == 0 && tcgetattr(0, &t) == 0);
		CHECK(fcntl(fd, F_GETFL) >= 0 && fcntl(0, F_GETFL) >= 0);
		CHECK(close(fd) == 0);
	}
	/* a pseudo-terminal's master */
	if (!CHECK((m = posix_openpt(O_RDWR | O_NOCTTY)) >= 0))
		return;
	child_overcloses(&m, 1);
	CHECK(grantpt(m) == 0 && unlockpt(m) == 0 && ptsname(m) != NULL);
	CHECK(fcntl(m, F_GETFL) >= 0);
	CHECK(close(m) == 0);
}

static void socket_fork(void)
{
	int sv[2];
	char c = 0;

	if (!CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0))
		return;
	child_overcloses(sv, 2);
	CHECK(write(sv[0], "s", 1) == 1 && read(sv[1], &c, 1) == 1 && c == 's');
	CHECK(write(sv[1], "t", 1) == 1 && read(sv[0], &c, 1) == 1 && c == 't');
	CHECK(close(sv[0]) == 0 && close(sv[1]) == 0);
}

/* `overclose close FD...`: over-closes the inherited FDs. */
static int mode_close(int argc, char **argv)
{
	for (int i = 2; i < argc; i++) {
		int r = overclose(atoi(argv[i]));
		if (r)
			return r;
	}
	return 0;
}

static void file_exec(void)
{
	int fd = made_file("exec"), p[2];
	pid_t pid;

	if (!CHECK(fd >= 0) || !CHECK(pipe(p) == 0))
		return;
	pid = fork();
	if (pid == 0) {
		char a[16], b[16];
		char *argv[] = { self, "close", a, b, NULL };
		snprintf(a, sizeof(a), "%d", fd);
		snprintf(b, sizeof(b), "%d", p[1]);
		execv(self, argv);
		_exit(127);
	}
	CHECK(pid > 0);
	if (pid > 0)
		REAP(pid, 0);
	file_works(fd);
	pipe_works(p);
}

/* Sends fd over socket s (SCM_RIGHTS). */
static int send_fd(int s, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec v = { "f", 1 };
	struct msghdr msg = { .msg_iov = &v, .msg_iovlen = 1, .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(s, &msg, 0) == 1 ? 0 : -1;
}

/* A descriptor received on s, or -1. */
static int recv_fd(int s)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 }, byte;
	struct iovec v = { &byte, 1 };
	struct msghdr msg = { .msg_iov = &v, .msg_iovlen = 1, .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;
	int fd;

	if (recvmsg(s, &msg, 0) != 1 || !(c = CMSG_FIRSTHDR(&msg)) || c->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

static void file_message(void)
{
	int fd = made_file("message"), p[2], sv[2];
	pid_t pid;

	if (!CHECK(fd >= 0) || !CHECK(pipe(p) == 0) || !CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0))
		return;
	pid = fork();
	if (pid == 0) {
		/* the child has only what it receives */
		close(fd);
		close(p[0]);
		close(p[1]);
		close(sv[0]);
		int got[2] = { recv_fd(sv[1]), recv_fd(sv[1]) };
		if (got[0] < 0 || got[1] < 0)
			_exit(80);
		for (int i = 0; i < 2; i++) {
			int r = overclose(got[i]);
			if (r)
				_exit(r);
		}
		_exit(0);
	}
	CHECK(pid > 0);
	CHECK(send_fd(sv[0], fd) == 0 && send_fd(sv[0], p[0]) == 0);
	if (pid > 0)
		REAP(pid, 0);
	close(sv[0]);
	close(sv[1]);
	file_works(fd);
	pipe_works(p);
}

static void own_close(void)
{
	int fd = made_file("own"), d;

	if (!CHECK(fd >= 0) || !CHECK((d = dup(fd)) >= 0))
		return;
	CHECK(overclose(d) == 0);
#ifdef __cairn__
	CHECK(close(d) == 0);             /* the slot (its reference went already) */
#endif
	file_works(fd);
}

/* ---- no_leak ---- */

static unsigned long free_entries(void)
{
	struct statvfs st;

	return statvfs("/tmp", &st) ? 0 : (unsigned long)st.f_ffree;
}

static void wait_ok(pid_t pid)
{
	int st;

	if (pid > 0)
		waitpid(pid, &st, 0);
}

static void op_fork_exit(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	wait_ok(pid);
}

static void op_exec(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		char *argv[] = { self, "nop", NULL };
		execv(self, argv);
		_exit(127);
	}
	wait_ok(pid);
}

static void op_exec_cloexec(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC), p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		p[0] = p[1] = -1;
	pid = fork();
	if (pid == 0) {
		char *argv[] = { self, "nop", NULL };
		fcntl(1, F_DUPFD_CLOEXEC, 10);
		execv(self, argv);
		_exit(127);
	}
	wait_ok(pid);
	close(fd);
	close(p[0]);
	close(p[1]);
}

static void op_exec_fails(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		char *argv[] = { "/nonexistent/x", NULL };
		execv(argv[0], argv);
		_exit(127);
	}
	wait_ok(pid);
}

static void op_killed(void)
{
	int p[2];
	pid_t pid;
	char c;

	if (pipe(p))
		return;
	pid = fork();
	if (pid == 0) {
		int fd = open("/dev/null", O_RDONLY);
		(void)fd;
		close(p[0]);
		if (write(p[1], "r", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	if (pid > 0 && read(p[0], &c, 1) == 1)
		kill(pid, SIGKILL);
	wait_ok(pid);
	close(p[0]);
}

static void op_redirect(void)
{
	int saved = fcntl(1, F_DUPFD_CLOEXEC, 10), fd = open("/dev/null", O_WRONLY);

	if (saved < 0 || fd < 0)
		return;
	dup2(fd, 1);
	close(fd);
	dup2(saved, 1);
	close(saved);
}

static void op_spawn(void)
{
	char *argv[] = { self, "nop", NULL };
	posix_spawn_file_actions_t fa;
	pid_t pid;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	if (!posix_spawn(&pid, self, &fa, NULL, argv, environ))
		wait_ok(pid);
	posix_spawn_file_actions_destroy(&fa);
}

static void op_pipeline(void)
{
	int p[2];
	pid_t a, b;

	if (pipe(p))
		return;
	a = fork();
	if (a == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		_exit(write(1, "hello\n", 6) == 6 ? 0 : 1);
	}
	b = fork();
	if (b == 0) {
		char buf[16];
		dup2(p[0], 0);
		close(p[0]);
		close(p[1]);
		_exit(read(0, buf, sizeof(buf)) > 0 ? 0 : 1);
	}
	close(p[0]);
	close(p[1]);
	wait_ok(a);
	wait_ok(b);
}

static void no_leak(void)
{
	static const struct { const char *name; void (*fn)(void); } ops[] = {
		{ "fork_exit", op_fork_exit }, { "exec", op_exec },
		{ "exec_cloexec", op_exec_cloexec }, { "exec_fails", op_exec_fails },
		{ "killed", op_killed }, { "redirect", op_redirect },
		{ "spawn", op_spawn }, { "pipeline", op_pipeline },
	};

	for (unsigned i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		unsigned long before, after;

		ops[i].fn();                  /* the first time may fill caches */
		before = free_entries();
		for (int k = 0; k < 20; k++)
			ops[i].fn();
		/* a killed process's references go when the server hears of
		 * its end, which may come after waitpid: up to a second */
		after = free_entries();
		for (int tries = 0; after != before && tries < 100; tries++) {
			usleep(10000);
			after = free_entries();
		}
#ifndef __cairn__
		after = before;               /* Linux's f_ffree counts inodes, shared with the host's */
#endif
		if (!CHECK(before && after == before))
			printf("overclose: no_leak: %s: %lu free entries before 20 rounds, %lu after\n",
			       ops[i].name, before, after);
	}
}

int main(int argc, char **argv)
{
	if (argc > 2 && !strcmp(argv[1], "close"))
		return mode_close(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "nop"))
		return 0;
	const char *dir = argc > 1 && argv[1][0] == '/' ? argv[1] : getenv("PT_DIR");

	pt_prefix = "overclose";
	signal(SIGPIPE, SIG_IGN);         /* a pipe closed under us: EPIPE, a failed check */
	if (argv[0][0] == '/')
		snprintf(self, sizeof(self), "%s", argv[0]);
	else if (!realpath(argv[0], self))
		return 1;
	snprintf(base, sizeof(base), "%s/overclose.%d", dir ? dir : "/tmp", (int)getpid());
	if (mkdir(base, 0755)) {
		printf("overclose: cannot make %s: %s\n", base, strerror(errno));
		return 1;
	}
	run("file_fork", file_fork);
	run("pipe_fork", pipe_fork);
	run("tty_fork", tty_fork);
	run("socket_fork", socket_fork);
	run("file_exec", file_exec);
	run("file_message", file_message);
	run("own_close", own_close);
	run("no_leak", no_leak);
	return finish();
}
