// SPDX-License-Identifier: MIT
/*
 * forks [ROUNDS]: how many processes memory allows, and what a fork bomb
 * leaves to others (docs/proc.md, "Memory"; docs/kernel.md, "Quotas").
 *
 *  - thousand_alive: 1,000 forked children alive at once (each counts
 *    itself in a shared page, then sleeps), then killed and reaped, each
 *    seen ended by SIGKILL;
 *  - until_failure: children forked until fork fails, which must be a
 *    clean EAGAIN or ENOMEM with 1,000 children or more alive; all killed
 *    and reaped, a fork works again and, on Cairn, the free memory
 *    (/proc/meminfo MemFree) is back within 1 MiB. ROUNDS rounds (default
 *    2: the first warms the servers up, their tables grow and stay; make
 *    stress runs more), the memory measured over the last ones;
 *  - bomb_other_session: a process in a session of its own forks until
 *    fork fails, and while its children are alive this session still
 *    forks (a child's exit code comes back), makes, writes, reads and
 *    removes a file, and sends bytes through a pipe.
 * The forking process keeps its descriptors 0 to 2 (the tty), so each
 * child holds three references of the console server's besides its
 * memory, as a shell's children do.
 *
 * On Cairn a POSIX process's kernel memory is a limit, charged to its
 * session's pool as it uses it; the machine's memory bounds the count
 * (tests/run-all.sh boots it with 256M, QEMU's smallest usual size).
 * It passes on Linux too, built on the host, where the forking stops at
 * LINUX_MAX children without a failure (the host's limits are far above):
 *   gcc -std=gnu11 -O2 -Wall -Wextra -Werror -Iuser/tests/posix -Iuser/lib/include \
 *       -o /tmp/forks user/tests/posix/forks.c user/tests/posix/lib/child.c \
 *       user/tests/posix/lib/test_musl.c user/lib/test.c -lpthread
 * Expected list: tests/harness/expected/posix-forks.txt.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include "posixtest.h"

#define THOUSAND   1000
#define MAX_KIDS   8192           /* above what 256M holds on Cairn */
#define LINUX_MAX  1500
#define WAIT_MS    120000         /* for the children to count themselves in */

struct shared {
	volatile int alive;           /* children counted in */
	volatile int ready, go;       /* the bomb: all forked; may end */
	int made, seen, err, bad;
	long free_peak;               /* MemFree with the children alive (KiB) */
};

static struct shared *sh;
static pid_t kids[MAX_KIDS];
static int rounds = 2;

/* A child: counts itself in and sleeps until killed. */
static void sleeper(void)
{
	__atomic_add_fetch(&sh->alive, 1, __ATOMIC_SEQ_CST);
	for (;;)
		pause();
}

/* In a process of its own: forks n sleepers (0: until
 * fork fails, at most MAX_KIDS, on Linux LINUX_MAX), waits until all count
 * themselves in, notes what happened in sh, then (once sh->go, if wait_go)
 * kills and reaps them. Ends the process: 0. */
static void spawner(int n, int wait_go)
{
	int made = 0, max = n ? n : MAX_KIDS, bad = 0, status;
	int64_t until;

#ifndef __cairn__
	if (max > LINUX_MAX)
		max = LINUX_MAX;
#endif
	sh->err = 0;
	while (made < max) {
		pid_t pid = fork();
		if (pid < 0) {
			sh->err = errno;
			break;
		}
		if (pid == 0)
			sleeper();
		kids[made++] = pid;
	}
	until = pt_now_ms() + WAIT_MS;
	while (sh->alive < made && pt_now_ms() < until)
		pt_msleep(5);
	sh->made = made;
	sh->seen = sh->alive;
	sh->free_peak = pt_mem_free_kb();
	sh->ready = 1;
	while (wait_go && !sh->go)
		pt_msleep(5);
	for (int i = 0; i < made; i++)
		kill(kids[i], SIGKILL);
	for (int i = 0; i < made; i++)
		if (waitpid(kids[i], &status, 0) != kids[i] || !WIFSIGNALED(status) ||
		    WTERMSIG(status) != SIGKILL)
			bad++;
	sh->bad = bad;
	_exit(0);
}

/* Runs spawner(n, wait_go) in a child and waits for it: its exit code. */
static int run_spawner(int n)
{
	pid_t pid;
	int status;

	memset(sh, 0, sizeof(*sh));
	fflush(stdout);
	pid = fork();
	if (pid == 0)
		spawner(n, 0);
	if (pid < 0)
		return -1;
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1000 + WTERMSIG(status);
}

static void thousand_alive(void)
{
	CHECK(run_spawner(THOUSAND) == 0);
	if (sh->made < THOUSAND)
		FAIL("only %d children forked: %s", sh->made, strerror(sh->err));
	CHECK(sh->seen == sh->made);
	CHECK(sh->bad == 0);
}

static void until_failure(void)
{
	long before = -1, after = -1;
	pid_t pid;

	for (int r = 0; r < rounds; r++) {
		if (r == 1)
			before = pt_mem_free_kb();
		CHECK(run_spawner(0) == 0);
		printf("# forks: round %d: %d children (fork: %s), MemFree %ld KiB with them\n", r + 1,
		       sh->made, sh->err ? strerror(sh->err) : "no failure", sh->free_peak);
#ifdef __cairn__
		CHECK(sh->err == EAGAIN || sh->err == ENOMEM);
		if (sh->made < THOUSAND)
			FAIL("round %d: only %d children", r + 1, sh->made);
#else
		CHECK(!sh->err || sh->err == EAGAIN || sh->err == ENOMEM);
#endif
		CHECK(sh->seen == sh->made);
		CHECK(sh->bad == 0);
	}
	/* afterwards a fork works again */
	pid = fork();
	if (pid == 0)
		_exit(5);
	CHECK(pid > 0 && REAP(pid, 5));
#ifdef __cairn__
	/* the memory comes back: once the servers are done with the reaped
	 * (up to 10 s) */
	for (int i = 0; i < 200 && (after = pt_mem_free_kb()) < before - 1024; i++)
		pt_msleep(50);
	printf("# forks: MemFree %ld KiB before, %ld KiB after\n", before, after);
	CHECK(before > 0 && after >= before - 1024);
#else
	(void)before;
	(void)after;
#endif
}

/* This session's work while the other's bomb holds its children. */
static void still_working(void)
{
	char path[64], buf[16];
	int fd, p[2];
	pid_t pid;

	pid = fork();
	if (pid == 0)
		_exit(7);
	CHECK(pid > 0 && REAP(pid, 7));
	snprintf(path, sizeof(path), "/tmp/forks_bomb_%d", (int)getpid());
	fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0600);
	CHECK(fd >= 0);
	if (fd >= 0) {
		CHECK(write(fd, "working", 7) == 7);
		CHECK(lseek(fd, 0, SEEK_SET) == 0);
		CHECK(read(fd, buf, sizeof(buf)) == 7 && !memcmp(buf, "working", 7));
		CHECK(close(fd) == 0);
		CHECK(unlink(path) == 0);
	}
	CHECK(pipe(p) == 0);
	CHECK(write(p[1], "pipe", 4) == 4 && read(p[0], buf, sizeof(buf)) == 4 && !memcmp(buf, "pipe", 4));
	close(p[0]);
	close(p[1]);
	CHECK(getsid(0) > 0 && getpgid(0) > 0);   /* answers from the process server */
}

static void bomb_other_session(void)
{
	int64_t until;
	pid_t bomb;
	int status;

	memset(sh, 0, sizeof(*sh));
	fflush(stdout);
	bomb = fork();
	if (bomb == 0) {
		if (setsid() < 0)
			_exit(3);
		spawner(0, 1);
	}
	CHECK(bomb > 0);
	if (bomb < 0)
		return;
	until = pt_now_ms() + WAIT_MS + 60000;
	while (!sh->ready && pt_now_ms() < until)
		pt_msleep(5);
	CHECK(sh->ready);
	printf("# forks: the bomb: %d children (fork: %s)\n", sh->made,
	       sh->err ? strerror(sh->err) : "no failure");
#ifdef __cairn__
	CHECK(sh->err == EAGAIN || sh->err == ENOMEM);
#endif
	CHECK(sh->made > 0 && sh->seen == sh->made);
	still_working();
	sh->go = 1;
	CHECK(waitpid(bomb, &status, 0) == bomb && WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(sh->bad == 0);
	still_working();
}

int main(int argc, char **argv)
{
	pt_prefix = "forks";
	if (argc > 1)
		rounds = atoi(argv[1]);
	if (argc > 2 || rounds < 2) {
		printf("usage: forks [ROUNDS (2 or more)]\n");
		return 2;
	}
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		printf("forks: shared mapping: %s\n", strerror(errno));
		return 1;
	}
	run("thousand_alive", thousand_alive);
	run("until_failure", until_failure);
	run("bomb_other_session", bomb_other_session);
	return finish();
}
