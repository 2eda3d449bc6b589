// SPDX-License-Identifier: MIT
/*
 * Helpers of the POSIX test programs that fork and move bytes
 * (posixtest.h declares them): bounded waits for children, whole reads
 * and writes, the clock in milliseconds, the free memory. Built into every program of
 * user/tests/posix/ (scripts/toolchain.mk's POSIX_TESTLIB) and, on Linux,
 * by the host commands their headers give.
 */
#include <errno.h>
#include <string.h>
#include <stdlib.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "../posixtest.h"

int64_t pt_now_ms(void)
{
	return (int64_t)(t_clock_ns() / 1000000);
}

void pt_msleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

void pt_child_start(void)
{
	signal(SIGALRM, SIG_DFL);
	alarm(20);
}

int pt_reap(pid_t pid, int ms)
{
	int64_t end = pt_now_ms() + ms;
	int st;

	if (pid <= 0)
		return -1;
	for (;;) {
		pid_t w = waitpid(pid, &st, WNOHANG);
		if (w == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 1000 + WTERMSIG(st) : -1;
		if (w < 0 && errno != EINTR)
			return -1;
		if (pt_now_ms() > end) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			return -2;
		}
		pt_msleep(1);
	}
}

int pt_check_reap(pid_t pid, int want, int line)
{
	int got = pt_reap(pid, 20000);

	return got == want ? 1 : FAIL("line %d: child %d: status %d, want %d (1000+: signal, -2: hung)", line,
				      (int)pid, got, want);
}

ssize_t pt_read_full(int fd, void *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t k = read(fd, (char *)buf + got, n - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return got ? (ssize_t)got : k;
		got += (size_t)k;
	}
	return (ssize_t)got;
}

ssize_t pt_write_full(int fd, const void *buf, size_t n)
{
	size_t put = 0;

	while (put < n) {
		ssize_t k = write(fd, (const char *)buf + put, n - put);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return put ? (ssize_t)put : k;
		put += (size_t)k;
	}
	return (ssize_t)put;
}

/* MemFree of /proc/meminfo in KiB; -1 without it. */
long pt_mem_free_kb(void)
{
	char buf[2048], *s;
	int fd = open("/proc/meminfo", O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	s = strstr(buf, "MemFree:");
	return s ? strtol(s + 8, NULL, 10) : -1;
}
