// SPDX-License-Identifier: MIT
/*
 * /proc and sysinfo(2) through musl-port: the VFS's /proc
 * (user/servers/vfs/procfs.c) with the process server's numbers.
 * - the formats parse as Linux 6.1 writes them (field counts, labels);
 * - /proc/self is this process, whatever the path to it (absolute,
 *   relative, readlink, lstat);
 * - a forked child's stat and status: pid, ppid, group, state (sleeping,
 *   stopped, zombie), and it is gone once reaped (ENOENT);
 * - cmdline: several arguments (an empty one too), after exec and at
 *   fork; comm is the last part of the path exec'd;
 * - meminfo agrees with sysinfo (which reads the kernel's page counts),
 *   /proc/uptime with sysinfo's uptime, and it increases;
 * - readdir of /proc lists self, this pid and a child; of /proc/PID its
 *   files;
 * - errors: writes and changes refused (EACCES, EROFS), ENOENT for a
 *   pid that is not there and for one that ended after readdir;
 * - a file's text is a snapshot made at open: lseek and read again see
 *   the same bytes.
 * Linux passes it too (where Cairn's answer is its own: EROFS where
 * Linux says EPERM, an open for writing that root may do there, the
 * text kept after the process ended, the test says which).
 *
 * With argv[0] = "hold" (argv[1] = FD) the program is the child of the
 * exec test: it waits until descriptor FD reaches its end. Expected list:
 * tests/harness/expected/posix-procfs.txt.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include "posixtest.h"

static char self[256];
static const char *argv0;
static int on_cairn;

static void msleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* The whole file at path (NUL-terminated); its length, or -1. */
static ssize_t slurp(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	size_t got = 0;
	ssize_t n;

	if (fd < 0)
		return -1;
	while (got < size - 1 && (n = read(fd, buf + got, size - 1 - got)) > 0)
		got += (size_t)n;
	close(fd);
	buf[got] = 0;
	return (ssize_t)got;
}

static ssize_t slurpf(char *buf, size_t size, const char *fmt, int pid, const char *file)
{
	char path[64];

	snprintf(path, sizeof(path), fmt, pid, file);
	return slurp(path, buf, size);
}

/* /proc/PID/stat split into its fields: comm (without the parentheses)
 * is field 2; the count, or -1. */
struct stat_fields {
	char comm[64];
	char state;
	long long f[64];              /* f[i]: field i (1-based), numbers only */
	int n;
};

static int read_stat(int pid, struct stat_fields *s)
{
	char buf[1024], *open_p, *close_p, *p;

	memset(s, 0, sizeof(*s));
	if (slurpf(buf, sizeof(buf), "/proc/%d/%s", pid, "stat") <= 0)
		return -1;
	open_p = strchr(buf, '(');
	close_p = strrchr(buf, ')');
	if (!open_p || !close_p || close_p < open_p || close_p[1] != ' ' ||
	    (size_t)(close_p - open_p - 1) >= sizeof(s->comm))
		return -1;
	memcpy(s->comm, open_p + 1, (size_t)(close_p - open_p - 1));
	s->f[1] = strtoll(buf, NULL, 10);
	s->state = close_p[2];
	s->n = 3;
	p = close_p + 3;
	while (*p == ' ') {
		char *end;
		long long v = strtoll(p + 1, &end, 10);
		if (end == p + 1 || (*end != ' ' && *end != '\n'))
			return -1;
		if (++s->n < 64)
			s->f[s->n] = v;
		p = end;
	}
	return *p == '\n' && !p[1] ? s->n : -1;
}

/* The value of "Key:\t..." in a status text, or NULL. */
static const char *status_field(const char *text, const char *key, char *out, size_t size)
{
	size_t k = strlen(key);

	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (!strncmp(l, key, k) && l[k] == ':' && l[k + 1] == '\t') {
			size_t n = strcspn(l + k + 2, "\n");
			if (n >= size)
				n = size - 1;
			memcpy(out, l + k + 2, n);
			out[n] = 0;
			return out;
		}
	return NULL;
}

static long status_num(int pid, const char *key)
{
	char text[4096], v[64];

	if (slurpf(text, sizeof(text), "/proc/%d/%s", pid, "status") <= 0 ||
	    !status_field(text, key, v, sizeof(v)))
		return -1;
	return strtol(v, NULL, 10);
}

/* A meminfo line's kB, or -1. */
static long meminfo_kb(const char *key)
{
	char text[8192], *l;
	size_t k = strlen(key);

	if (slurp("/proc/meminfo", text, sizeof(text)) <= 0)
		return -1;
	for (l = text; l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (!strncmp(l, key, k) && l[k] == ':')
			return strtol(l + k + 1, NULL, 10);
	return -1;
}

static double uptime_now(void)
{
	char buf[128];

	return slurp("/proc/uptime", buf, sizeof(buf)) > 0 ? strtod(buf, NULL) : -1;
}

/* A child that waits for the end of a pipe: its pid; *wfd the write end. */
static pid_t holder(int *wfd)
{
	int fd[2];
	pid_t pid;
	char c;

	if (pipe(fd))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(fd[1]);
		while (read(fd[0], &c, 1) > 0)
			;
		_exit(7);
	}
	close(fd[0]);
	*wfd = fd[1];
	return pid;
}

/* Waits up to a second for pid's state letter to become want. */
static char state_becomes(pid_t pid, char want)
{
	struct stat_fields s;

	for (int i = 0; i < 100; i++) {
		if (read_stat(pid, &s) > 0 && s.state == want)
			return want;
		msleep(10);
	}
	return read_stat(pid, &s) > 0 ? s.state : '?';
}

static int in_dir(const char *dir, const char *name)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int found = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		found |= !strcmp(e->d_name, name);
	closedir(d);
	return found;
}

/* ---- the tests ---- */

static void formats(void)
{
	char text[8192], *l;
	struct stat_fields s;
	struct utsname u;
	int lines = 0, ok = 1, proc_mount = 0;
	double a, b, c;
	unsigned r, t, last;

	/* stat: 52 fields (Linux 6.1), comm in parentheses */
	CHECK(read_stat(getpid(), &s) == 52);
	CHECK(s.f[1] == getpid() && s.f[4] == getppid() && s.f[5] == getpgrp() && s.f[6] == getsid(0));
	CHECK(strchr("RS", s.state) != NULL && s.f[20] >= 1 && s.f[23] > 0);
	/* status: "Key:\tvalue" lines, with the ones busybox and procps read */
	CHECK(slurp("/proc/self/status", text, sizeof(text)) > 0);
	for (l = text; *l; l = strchr(l, '\n') + 1, lines++) {
		char *colon = strchr(l, ':'), *nl = strchr(l, '\n');
		if (!nl || !colon || colon > nl || (colon[1] != '\t' && colon[1] != '\n'))
			ok = 0;
		if (!nl)
			break;
	}
	CHECK(ok && lines >= 20);
	CHECK(status_num(getpid(), "Pid") == getpid() && status_num(getpid(), "PPid") == getppid() &&
	      status_num(getpid(), "Tgid") == getpid() && status_num(getpid(), "Threads") >= 1 &&
	      status_num(getpid(), "VmRSS") > 0);
	/* meminfo: "Label:" padded to 16 columns, then kB (Linux's HugePages_
	 * counts have no unit) */
	CHECK(slurp("/proc/meminfo", text, sizeof(text)) > 0);
	ok = 1;
	lines = 0;
	for (l = text; *l; l = strchr(l, '\n') + 1, lines++) {
		char label[32];
		unsigned long kb;
		int end = 0;
		if (sscanf(l, "%31s %lu%n", label, &kb, &end) != 2 || !end ||
		    (strncmp(l + end, " kB\n", 4) && l[end] != '\n') ||
		    label[strlen(label) - 1] != ':' || (strlen(label) < 16 && l[15] != ' '))
			ok = 0;
		if (on_cairn && strncmp(l + end, " kB\n", 4))
			ok = 0;
		if (!strchr(l, '\n'))
			break;
	}
	CHECK(ok && lines >= 20);
	CHECK(meminfo_kb("MemTotal") > 0 && meminfo_kb("MemFree") > 0 &&
	      meminfo_kb("MemFree") <= meminfo_kb("MemTotal") && meminfo_kb("MemAvailable") >= 0);
	/* uptime: two numbers with 2 decimals */
	CHECK(slurp("/proc/uptime", text, sizeof(text)) > 0 && sscanf(text, "%lf %lf", &a, &b) == 2 &&
	      a > 0 && strchr(text, '.') && strchr(text, '.')[3] == ' ');
	/* loadavg: 3 averages, running/total, the last pid */
	CHECK(slurp("/proc/loadavg", text, sizeof(text)) > 0 &&
	      sscanf(text, "%lf %lf %lf %u/%u %u", &a, &b, &c, &r, &t, &last) == 6 && t >= 1 &&
	      r <= t && last >= (unsigned)getpid());
	/* stat: the cpu lines (10 numbers), btime, processes */
	CHECK(slurp("/proc/stat", text, sizeof(text)) > 0 && !strncmp(text, "cpu  ", 5));
	{
		unsigned long long v[11];
		CHECK(sscanf(text, "cpu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
			     &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]) == 10);
		CHECK(strstr(text, "\ncpu0 ") && strstr(text, "\nbtime ") && strstr(text, "\nprocesses ") &&
		      strstr(text, "\nprocs_running ") && strstr(text, "\nctxt "));
		CHECK(sscanf(strstr(text, "\nprocesses "), "\nprocesses %llu", &v[10]) == 1 && v[10] >= 1);
	}
	/* cpuinfo: a block per processor, from processor 0 */
	CHECK(slurp("/proc/cpuinfo", text, sizeof(text)) > 0 && !strncmp(text, "processor\t: 0\n", 14));
	/* version: uname's sysname and release */
	CHECK(uname(&u) == 0 && slurp("/proc/version", text, sizeof(text)) > 0);
	{
		char want[200];
		snprintf(want, sizeof(want), "%s version %s ", u.sysname, u.release);
		CHECK(!strncmp(text, want, strlen(want)) && text[strlen(text) - 1] == '\n');
	}
	/* mounts: 6 fields a line, /proc among them */
	CHECK(slurp("/proc/mounts", text, sizeof(text)) > 0);
	ok = 1;
	for (l = text; *l; l = strchr(l, '\n') + 1) {
		char dev[64], dir[64], type[64], opts[256];
		int x, y;
		if (sscanf(l, "%63s %63s %63s %255s %d %d", dev, dir, type, opts, &x, &y) != 6)
			ok = 0;
		else if (!strcmp(dir, "/proc") && !strcmp(type, "proc"))
			proc_mount = 1;
		if (!strchr(l, '\n'))
			break;
	}
	CHECK(ok && proc_mount);
	/* comm: the name and a newline */
	CHECK(slurp("/proc/self/comm", text, sizeof(text)) > 0 && !strcmp(text, "procfs\n"));
}

static void self_link(void)
{
	char buf[64], want[32];
	struct stat st;
	struct stat_fields s;
	ssize_t n;

	snprintf(want, sizeof(want), "%d", (int)getpid());
	n = readlink("/proc/self", buf, sizeof(buf) - 1);
	CHECK(n > 0 && (buf[n] = 0, !strcmp(buf, want)));
	CHECK(lstat("/proc/self", &st) == 0 && S_ISLNK(st.st_mode));
	if (on_cairn)                   /* Linux: 0 */
		CHECK(st.st_size == (off_t)strlen(want));
	CHECK(stat("/proc/self", &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0555);
	CHECK(stat("/proc/self/stat", &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0777) == 0444 &&
	      st.st_size == 0);
	CHECK(stat("/proc", &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0555);
	CHECK(read_stat(getpid(), &s) == 52);
	/* relative to /proc, and through /proc/self as a working directory */
	if (CHECK(chdir("/proc") == 0)) {
		n = readlink("self", buf, sizeof(buf) - 1);
		CHECK(n > 0 && (buf[n] = 0, !strcmp(buf, want)));
		CHECK(chdir("self") == 0 && getcwd(buf, sizeof(buf)) && !strncmp(buf, "/proc/", 6) &&
		      !strcmp(buf + 6, want));
		CHECK(slurp("stat", buf, sizeof(buf)) > 0 && atoi(buf) == getpid());
		CHECK(slurp("../self/comm", buf, sizeof(buf)) > 0 && !strcmp(buf, "procfs\n"));
		CHECK(chdir("/") == 0);
	}
	/* a child's /proc/self is its own */
	pid_t pid = fork();
	if (pid == 0) {
		n = readlink("/proc/self", buf, sizeof(buf) - 1);
		snprintf(want, sizeof(want), "%d", (int)getpid());
		_exit(n > 0 && (buf[n] = 0, !strcmp(buf, want)) ? 0 : 1);
	}
	int st2;
	CHECK(pid > 0 && waitpid(pid, &st2, 0) == pid && WIFEXITED(st2) && WEXITSTATUS(st2) == 0);
}

static void fork_child(void)
{
	struct stat_fields s;
	char text[4096], v[64];
	int wfd, st;
	pid_t pid = holder(&wfd);

	if (!CHECK(pid > 0))
		return;
	CHECK(read_stat(pid, &s) == 52 && s.f[1] == pid && s.f[4] == getpid() &&
	      s.f[5] == getpgrp() && s.f[6] == getsid(0) && !strcmp(s.comm, "procfs"));
	CHECK(state_becomes(pid, 'S') == 'S');
	CHECK(status_num(pid, "PPid") == getpid() && status_num(pid, "Pid") == pid);
	CHECK(slurpf(text, sizeof(text), "/proc/%d/%s", pid, "status") > 0 &&
	      status_field(text, "State", v, sizeof(v)) && !strcmp(v, "S (sleeping)"));
	/* stopped and continued */
	CHECK(kill(pid, SIGSTOP) == 0 && state_becomes(pid, 'T') == 'T');
	CHECK(slurpf(text, sizeof(text), "/proc/%d/%s", pid, "status") > 0 &&
	      status_field(text, "State", v, sizeof(v)) && !strcmp(v, "T (stopped)"));
	CHECK(kill(pid, SIGCONT) == 0 && state_becomes(pid, 'S') == 'S');
	/* a zombie: state Z, no arguments, until reaped */
	close(wfd);
	CHECK(state_becomes(pid, 'Z') == 'Z');
	CHECK(slurpf(text, sizeof(text), "/proc/%d/%s", pid, "status") > 0 &&
	      status_field(text, "State", v, sizeof(v)) && !strcmp(v, "Z (zombie)"));
	CHECK(slurpf(text, sizeof(text), "/proc/%d/%s", pid, "cmdline") == 0);
	CHECK(read_stat(pid, &s) == 52 && s.f[4] == getpid());
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 7);
	CHECK(slurpf(text, sizeof(text), "/proc/%d/%s", pid, "stat") < 0 && errno == ENOENT);
	snprintf(v, sizeof(v), "/proc/%d", (int)pid);
	ERRNO(open(v, O_RDONLY | O_DIRECTORY), ENOENT);
}

/* The exec'd holder: "hold FD" waits for the end of FD. */
static int mode_hold(int fd)
{
	char c;

	while (read(fd, &c, 1) > 0)
		;
	return 0;
}

static void cmdline(void)
{
	static const char want_args[] = "hold\0" "4\0" "a b\0" "\0" "c\0";
	char text[1024], mine[1024], link[] = "/tmp/procfs-link";
	int fd[2], st;
	ssize_t n, m;
	pid_t pid;

	/* a fork's child has its parent's */
	m = slurp("/proc/self/cmdline", mine, sizeof(mine));
	CHECK(m > 0 && !strcmp(mine, argv0) && mine[m - 1] == 0);
	pid = holder(&fd[1]);
	if (CHECK(pid > 0)) {
		n = slurpf(text, sizeof(text), "/proc/%d/%s", pid, "cmdline");
		CHECK(n == m && !memcmp(text, mine, (size_t)n));
		close(fd[1]);
		waitpid(pid, &st, 0);
	}
	/* after exec: argv as given, an empty one too; comm: the path's last part */
	unlink(link);
	if (!CHECK(symlink(self, link) == 0) || !CHECK(pipe(fd) == 0))
		return;
	pid = fork();
	if (pid == 0) {
		char *argv[] = { "hold", "4", "a b", "", "c", NULL };
		close(fd[1]);
		if (dup2(fd[0], 4) != 4)
			_exit(1);
		/* argv[0] says "hold": the program is procfs, started as the link */
		execv(link, argv);
		_exit(127);
	}
	close(fd[0]);
	if (CHECK(pid > 0)) {
		/* the exec is done once comm has changed */
		for (int i = 0; i < 100; i++) {
			if (slurpf(text, sizeof(text), "/proc/%d/%s", pid, "comm") > 0 &&
			    strcmp(text, "procfs\n"))
				break;
			msleep(10);
		}
		CHECK(!strcmp(text, "procfs-link\n"));
		n = slurpf(text, sizeof(text), "/proc/%d/%s", pid, "cmdline");
		CHECK(n == (ssize_t)sizeof(want_args) - 1 && !memcmp(text, want_args, (size_t)n));
		struct stat_fields s;
		CHECK(read_stat(pid, &s) == 52 && !strcmp(s.comm, "procfs-link") && s.f[4] == getpid());
	}
	close(fd[1]);
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	unlink(link);
}

static void meminfo_sysinfo(void)
{
	struct sysinfo si;
	long total, freekb;
	double up;

	CHECK(sysinfo(&si) == 0);
	total = meminfo_kb("MemTotal");
	freekb = meminfo_kb("MemFree");
	up = uptime_now();
	CHECK(si.mem_unit >= 1 && total > 0 && freekb > 0);
	CHECK((unsigned long long)si.totalram * si.mem_unit / 1024 == (unsigned long long)total);
	/* free memory moves a little between the two reads */
	long long d = (long long)((unsigned long long)si.freeram * si.mem_unit / 1024) - freekb;
	CHECK(d < total / 16 && d > -total / 16);
	CHECK(si.freeram <= si.totalram && si.procs >= 1);
	CHECK(si.uptime >= 1 && up > 0 && si.uptime + 0.0 >= up - 1 && si.uptime + 0.0 <= up + 2);
	if (on_cairn) {
		/* Cairn measures no load; MemAvailable is what is free */
		CHECK(si.loads[0] == 0 && si.loads[1] == 0 && si.loads[2] == 0 && si.totalswap == 0);
		CHECK(meminfo_kb("MemAvailable") >= freekb - total / 16);
	}
	/* a child more: one process more (Linux counts every thread of the system) */
	int wfd, st;
	pid_t pid = holder(&wfd);
	struct sysinfo si2;
	if (CHECK(pid > 0)) {
		CHECK(sysinfo(&si2) == 0 && si2.procs >= 2);
		if (on_cairn)
			CHECK(si2.procs == si.procs + 1);
		close(wfd);
		waitpid(pid, &st, 0);
	}
}

static void uptime_increases(void)
{
	double a = uptime_now(), b;

	msleep(300);
	b = uptime_now();
	CHECK(a > 0 && b >= a + 0.2 && b < a + 60);
}

static void readdir_lists(void)
{
	char me[16], child[16];
	int wfd, st;
	pid_t pid;

	snprintf(me, sizeof(me), "%d", (int)getpid());
	CHECK(in_dir("/proc", "self") == 1 && in_dir("/proc", me) == 1 && in_dir("/proc", "meminfo") == 1);
	CHECK(in_dir("/proc", ".") == 1 && in_dir("/proc", "..") == 1);
	CHECK(in_dir("/proc/self", "stat") == 1 && in_dir("/proc/self", "status") == 1 &&
	      in_dir("/proc/self", "cmdline") == 1 && in_dir("/proc/self", "comm") == 1);
	CHECK(in_dir("/", "proc") == 1);
	pid = holder(&wfd);
	if (!CHECK(pid > 0))
		return;
	snprintf(child, sizeof(child), "%d", (int)pid);
	CHECK(in_dir("/proc", child) == 1);
	close(wfd);
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(in_dir("/proc", child) == 0);
	/* the directory of a pid that ended, still open: empty, its files ENOENT */
}

static void errors(void)
{
	int fd;

	ERRNO(open("/proc/999999/stat", O_RDONLY), ENOENT);
	ERRNO(open("/proc/self/nothing", O_RDONLY), ENOENT);
	ERRNO(open("/proc/0/stat", O_RDONLY), ENOENT);
	ERRNO(open("/proc/01/stat", O_RDONLY), ENOENT);
	ERRNO(open("/proc/meminfo/x", O_RDONLY), ENOTDIR);
	ERRNO(open("/proc/self", O_WRONLY), EISDIR);
	ERRNO(rename("/proc/meminfo", "/tmp/procfs-meminfo"), EXDEV);
	ERRNO(link("/proc/meminfo", "/tmp/procfs-meminfo"), EXDEV);
	if (on_cairn) {
		/* Linux lets root open them for writing (a write is EIO), says
		 * ENOENT to root's O_CREAT and EPERM where Cairn says EROFS (a
		 * read-only file system) */
		ERRNO(open("/proc/new", O_RDWR | O_CREAT, 0644), EACCES);
		ERRNO(open("/proc/meminfo", O_WRONLY), EACCES);
		ERRNO(open("/proc/self/stat", O_RDWR), EACCES);
		ERRNO(open("/proc/uptime", O_RDONLY | O_TRUNC), EACCES);
		ERRNO(mkdir("/proc/x", 0755), EROFS);
		ERRNO(unlink("/proc/meminfo"), EROFS);
		ERRNO(rmdir("/proc/self"), EROFS);
		ERRNO(symlink("/tmp", "/proc/x"), EROFS);
		ERRNO(chmod("/proc/meminfo", 0666), EROFS);
		ERRNO(truncate("/proc/meminfo", 0), EROFS);
		ERRNO(rename("/proc/meminfo", "/proc/x"), EROFS);
		ERRNO(access("/proc/meminfo", W_OK), EACCES);
	}
	CHECK(access("/proc/meminfo", R_OK) == 0);
	fd = open("/proc/meminfo", O_RDONLY);
	if (CHECK(fd >= 0)) {
		char c;
		ERRNO(write(fd, "x", 1), EBADF);
		CHECK(read(fd, &c, 1) == 1 && c == 'M');
		close(fd);
	}
}

static void ended_after_readdir(void)
{
	char path[64], text[4096];
	int wfd, st, fd;
	ssize_t n;
	pid_t pid = holder(&wfd);

	if (!CHECK(pid > 0))
		return;
	snprintf(path, sizeof(path), "%d", (int)pid);
	CHECK(in_dir("/proc", path) == 1);
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	fd = open(path, O_RDONLY);
	CHECK(fd >= 0);
	close(wfd);
	CHECK(waitpid(pid, &st, 0) == pid);
	/* listed, then gone: ENOENT, never a crash */
	ERRNO(open(path, O_RDONLY), ENOENT);
	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	CHECK(in_dir("/proc", path + 6) == 0);
	ERRNO(opendir(path) ? 0 : -1, ENOENT);
	/* what was opened before: Cairn keeps the text made at open (Linux:
	 * ESRCH once the process is gone) */
	if (fd >= 0 && on_cairn) {
		n = read(fd, text, sizeof(text) - 1);
		CHECK(n > 0 && !strncmp(text, "Name:\tprocfs\n", 13));
	}
	if (fd >= 0)
		close(fd);
}

static void snapshot(void)
{
	char a[4096], b[4096];
	ssize_t n, m;
	int fd = open("/proc/self/status", O_RDONLY);

	if (!CHECK(fd >= 0))
		return;
	n = read(fd, a, sizeof(a));
	CHECK(n > 100);
	CHECK(read(fd, b, sizeof(b)) == 0);
	/* SEEK_END means nothing for a text made on demand (Linux: EINVAL) */
	ERRNO(lseek(fd, 0, SEEK_END), EINVAL);
	CHECK(lseek(fd, 6, SEEK_SET) == 6 && read(fd, b, 7) == 7 && !memcmp(b, a + 6, 7));
	CHECK(lseek(fd, -3, SEEK_CUR) == 10 && read(fd, b, 3) == 3 && !memcmp(b, a + 10, 3));
	CHECK(pread(fd, b, 20, 1) == 20 && !memcmp(b, a + 1, 20));
	if (on_cairn) {
		/* the same text from the start (Linux makes it again) */
		CHECK(lseek(fd, 0, SEEK_SET) == 0 && (m = read(fd, b, sizeof(b))) == n && !memcmp(a, b, (size_t)n));
		CHECK(pread(fd, b, 10, n) == 0 && pread(fd, b, 10, n + 100) == 0);
	}
	close(fd);
	/* small reads add up to the whole text (busybox reads 1 KiB at a time) */
	fd = open("/proc/self/stat", O_RDONLY);
	if (CHECK(fd >= 0)) {
		char c, line[1024];
		size_t k = 0;
		while (k < sizeof(line) - 1 && read(fd, &c, 1) == 1)
			line[k++] = c;
		line[k] = 0;
		CHECK(k > 50 && line[k - 1] == '\n' && atoi(line) == getpid());
		close(fd);
	}
}

int main(int argc, char **argv)
{
	struct utsname u;

	if (argc > 1 && !strcmp(argv[0], "hold"))
		return mode_hold(atoi(argv[1]));
	pt_prefix = "procfs";
	argv0 = argv[0];
	if (argv[0][0] == '/')
		snprintf(self, sizeof(self), "%s", argv[0]);
	else if (!realpath(argv[0], self))
		return 1;
	on_cairn = uname(&u) == 0 && !strcmp(u.sysname, "Cairn");
	run("formats", formats);
	run("self", self_link);
	run("fork_child", fork_child);
	run("cmdline", cmdline);
	run("meminfo_sysinfo", meminfo_sysinfo);
	run("uptime_increases", uptime_increases);
	run("readdir", readdir_lists);
	run("errors", errors);
	run("ended_after_readdir", ended_after_readdir);
	run("snapshot", snapshot);
	return finish();
}
