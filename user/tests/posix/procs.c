// SPDX-License-Identifier: MIT
/*
 * Processes through the process server: fork (copy-on-write memory,
 * shared MAP_SHARED memory, inherited descriptors and their offsets),
 * wait/waitpid/waitid (WNOHANG, ECHILD, any child, a given one), execve
 * (arguments, environment, descriptors kept or closed by FD_CLOEXEC, the
 * working directory, the pid; ENOENT, EACCES, ENOEXEC), exit statuses,
 * getpid/getppid (orphans go to pid 1), process groups and sessions
 * (setpgid/getpgid/setsid/getsid and their errors), kill of a process
 * group, posix_spawn with file actions, vfork, resource limits, a main
 * stack that grows to RLIMIT_STACK (8 MiB; a lower limit holds), the umask
 * and limits kept across exec, CPU-time clocks, times() and getrusage(), an exec with 2,000,000 bytes of environment
 * (E2BIG past 2 MiB), an exec with
 * 80 KB of arguments and environment (more than a message) and one with
 * a string over 128 KiB (E2BIG), CPU affinity (busybox's taskset, musl's
 * processor count; another process's, kept across exec).
 *
 * The program also runs itself through execve: `procs report FD ...`
 * writes what it sees to descriptor FD, `procs fdcheck A B` checks that A
 * was closed and B kept, `procs exit N` exits with N, `procs bigcheck
 * ARGS...` checks the arguments and environment exec_big gives it, `procs
 * cpus` exits with the mask of its CPUs.
 * Expected list:
 * tests/harness/expected/posix-procs.txt.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <sys/times.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include "posixtest.h"

extern char **environ;
static char base[256], self[256];

static void msleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int exit_code(int st)
{
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Reads everything from fd until end of file (NUL-terminated). */
static ssize_t slurp(int fd, char *buf, size_t size)
{
	size_t got = 0;
	ssize_t n;

	while (got < size - 1 && (n = read(fd, buf + got, size - 1 - got)) > 0)
		got += (size_t)n;
	buf[got] = 0;
	return (ssize_t)got;
}

/* ---- the modes this program runs in when it execs itself ---- */

static int mode_report(int argc, char **argv)
{
	int fd = atoi(argv[2]);
	char cwd[256];

	dprintf(fd, "argc=%d", argc);
	for (int i = 3; i < argc; i++)
		dprintf(fd, " [%s]", argv[i]);
	dprintf(fd, " var=%s pid=%d ppid=%d cwd=%s", getenv("PT_VAR") ? getenv("PT_VAR") : "(none)",
		(int)getpid(), (int)getppid(), getcwd(cwd, sizeof(cwd)) ? cwd : "?");
	return 0;
}

/* "sreport FD": the interpreter of a #! script; every argument to FD */
static int mode_sreport(int argc, char **argv)
{
	int fd = atoi(argv[1] + 8);

	for (int i = 1; i < argc; i++)
		dprintf(fd, "%s[%s]", i > 1 ? " " : "", argv[i]);
	return 0;
}

static int mode_fdcheck(char **argv)
{
	int closed = atoi(argv[2]), kept = atoi(argv[3]);
	char buf[8];

	if (fcntl(closed, F_GETFD) != -1 || errno != EBADF)
		return 1;
	if (pread(kept, buf, 4, 0) != 4 || memcmp(buf, "kept", 4))
		return 2;
	if (fcntl(kept, F_GETFD) != 0)
		return 3;
	return 0;
}

/* ---- tests ---- */

static void fork_wait(void)
{
	pid_t pids[4];
	int st, seen = 0;

	for (int i = 0; i < 4; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			_exit(10 + i);
		CHECK(pids[i] > 0);
	}
	CHECK(waitpid(pids[2], &st, 0) == pids[2] && exit_code(st) == 12);
	for (int i = 0; i < 3; i++) {
		pid_t w = wait(&st);
		for (int j = 0; j < 4; j++)
			if (w == pids[j] && j != 2 && exit_code(st) == 10 + j)
				seen |= 1 << j;
	}
	CHECK(seen == 0xb);
	ERRNO(wait(&st), ECHILD);
	ERRNO(waitpid(pids[0], &st, 0), ECHILD);
	ERRNO(waitpid(-1, &st, WNOHANG), ECHILD);
	ERRNO(waitpid(-1, &st, 0x400000), EINVAL);
}

static void wait_nohang(void)
{
	int p[2], st = 0;
	pid_t pid;
	siginfo_t si;

	CHECK(pipe(p) == 0);
	pid = fork();
	if (pid == 0) {
		char c;
		close(p[1]);
		read(p[0], &c, 1);      /* until the parent says */
		_exit(42);
	}
	close(p[0]);
	CHECK(waitpid(pid, &st, WNOHANG) == 0);
	memset(&si, 0xff, sizeof(si));
	CHECK(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG) == 0 && si.si_pid == 0);
	CHECK(write(p[1], "go", 1) == 1);
	CHECK(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT) == 0 && si.si_pid == pid &&
	      si.si_code == CLD_EXITED && si.si_status == 42);
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 42);
	close(p[1]);
}

static int global = 1;

static void fork_memory(void)
{
	int *heap = malloc(sizeof(int)), *priv, *shared, st;
	pid_t pid;

	*heap = 2;
	priv = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(priv != MAP_FAILED && shared != MAP_FAILED);
	*priv = 3;
	*shared = 4;
	pid = fork();
	if (pid == 0) {
		int ok = global == 1 && *heap == 2 && *priv == 3 && *shared == 4;
		global = 10;
		*heap = 20;
		*priv = 30;
		*shared = 40;
		/* the child's own memory goes on working: more heap, a new mapping */
		char *more = malloc(100000);
		memset(more, 1, 100000);
		_exit(ok ? 0 : 1);
	}
	CHECK(waitpid(pid, &st, 0) == pid && exit_code(st) == 0);
	CHECK(global == 1 && *heap == 2 && *priv == 3);
	CHECK(*shared == 40);                       /* MAP_SHARED is shared */
	munmap(priv, 4096);
	munmap(shared, 4096);
	free(heap);
}

static void fork_descriptors(void)
{
	char path[300], buf[16];
	int fd, st;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/shared-offset", base);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0 && write(fd, "ab", 2) == 2);
	pid = fork();
	if (pid == 0) {
		_exit(write(fd, "cd", 2) == 2 ? 0 : 1);
	}
	CHECK(waitpid(pid, &st, 0) == pid && exit_code(st) == 0);
	CHECK(lseek(fd, 0, SEEK_CUR) == 4);        /* one description, one offset */
	CHECK(pread(fd, buf, 4, 0) == 4 && !memcmp(buf, "abcd", 4));
	close(fd);
	/* the child closing its copy does not close the parent's */
	fd = open(path, O_RDONLY);
	pid = fork();
	if (pid == 0) {
		close(fd);
		_exit(0);
	}
	CHECK(waitpid(pid, &st, 0) == pid && read(fd, buf, 2) == 2);
	close(fd);
}

/* Runs this program as `procs MODE args...` in a child, its output on a pipe. */
static pid_t spawn_self(char **args, char **env, int *rfd)
{
	int p[2];
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		char fdarg[16], *argv[16];
		int n = 0;
		close(p[0]);
		snprintf(fdarg, sizeof(fdarg), "%d", p[1]);
		argv[n++] = self;
		argv[n++] = "report";
		argv[n++] = fdarg;
		for (int i = 0; args[i] && n < 15; i++)
			argv[n++] = args[i];
		argv[n] = NULL;
		execve(self, argv, env);
		_exit(127);
	}
	close(p[1]);
	*rfd = p[0];
	return pid;
}

static void exec_args_env(void)
{
	char *args[] = { "one", "two words", "", "three", NULL };
	char *env[] = { "PT_VAR=hello=there", "OTHER=1", NULL };
	char buf[512], want[512];
	int rfd, st;
	pid_t pid = spawn_self(args, env, &rfd);

	CHECK(pid > 0);
	CHECK(slurp(rfd, buf, sizeof(buf)) > 0);
	close(rfd);
	CHECK(waitpid(pid, &st, 0) == pid && exit_code(st) == 0);
	snprintf(want, sizeof(want), "argc=7 [one] [two words] [] [three] var=hello=there pid=%d ppid=%d cwd=%s",
		 (int)pid, (int)getpid(), base);
	if (strcmp(buf, want))
		FAIL("got '%s', want '%s'", buf, want);
}

static void exec_descriptors(void)
{
	char path[300], a[16], b[16];
	int closed, kept, st;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/kept", base);
	kept = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK(kept >= 0 && write(kept, "kept", 4) == 4);
	closed = open(path, O_RDONLY | O_CLOEXEC);
	CHECK(closed >= 0 && fcntl(closed, F_GETFD) == FD_CLOEXEC);
	snprintf(a, sizeof(a), "%d", closed);
	snprintf(b, sizeof(b), "%d", kept);
	pid = fork();
	if (pid == 0) {
		char *argv[] = { self, "fdcheck", a, b, NULL };
		execv(self, argv);
		_exit(127);
	}
	CHECK(waitpid(pid, &st, 0) == pid && exit_code(st) == 0);
	if (exit_code(st))
		FAIL("fdcheck exited %d", exit_code(st));
	close(kept);
	close(closed);
	/* a pipe whose write end is close-on-exec: the reader sees its end
	 * when the child execs (posix_spawn counts on it) */
	int p[2];
	char c;
	CHECK(pipe2(p, O_CLOEXEC) == 0);
	pid = fork();
	if (pid == 0) {
		char *argv[] = { self, "sleep", NULL };
		close(p[0]);
		execv(self, argv);
		_exit(127);
	}
	close(p[1]);
	CHECK(read(p[0], &c, 1) == 0);
	close(p[0]);
	CHECK(waitpid(pid, &st, 0) == pid && exit_code(st) == 0);
}

static void exec_cwd_pid(void)
{
	char dir[300], buf[512], want[512];
	char *args[] = { NULL };
	int rfd, st;
	pid_t pid;

	snprintf(dir, sizeof(dir), "%s/sub", base);
	CHECK(mkdir(dir, 0755) == 0 && chdir(dir) == 0);
	pid = spawn_self(args, environ, &rfd);
	CHECK(chdir(base) == 0);
	CHECK(pid > 0 && slurp(rfd, buf, sizeof(buf)) > 0);
	close(rfd);
	CHECK(waitpid(pid, &st, 0) == pid && exit_code(st) == 0);
	snprintf(want, sizeof(want), "argc=3 var=(none) pid=%d ppid=%d cwd=%s", (int)pid, (int)getpid(), dir);
	if (strcmp(buf, want))
		FAIL("got '%s', want '%s'", buf, want);
}

static void exec_errors(void)
{
	char path[300];
	char *argv[] = { "x", NULL };
	int fd;

	ERRNO(execve("/no/such/program", argv, environ), ENOENT);
	ERRNO(execve(base, argv, environ), EACCES);                 /* a directory */
	snprintf(path, sizeof(path), "%s/noexec", base);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0 && write(fd, "#!/bin/nothing\n", 15) == 15);
	close(fd);
	ERRNO(execve(path, argv, environ), EACCES);                 /* no x bit */
	snprintf(path, sizeof(path), "%s/notelf", base);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	CHECK(fd >= 0 && write(fd, "\x7f" "ELF but not really, long enough to look at the header", 55) == 55);
	close(fd);
	ERRNO(execve(path, argv, environ), ENOEXEC);
	/* this process is still here and whole */
	CHECK(getpid() > 0 && access(self, X_OK) == 0);
}

/* Writes a file of mode 0755 holding text. */
static int make_script(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	size_t n = strlen(text);

	if (fd < 0)
		return -1;
	if (write(fd, text, n) != (ssize_t)n) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/* Runs path with argv in a child; what its interpreter (this program,
 * mode sreport) reported, or "exit N" / "errno N" when it did not run. */
static void run_script(const char *path, char **argv, char *out, size_t size)
{
	int p[2], st;
	pid_t pid;

	out[0] = 0;
	if (pipe(p))
		return;
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		if (p[1] != 5) {
			dup2(p[1], 5);
			close(p[1]);
		}
		execv(path, argv);
		dprintf(5, "errno %d", errno);
		_exit(1);
	}
	close(p[1]);
	slurp(p[0], out, size);
	close(p[0]);
	waitpid(pid, &st, 0);
}

static void exec_scripts(void)
{
	char s1[300], s2[300], s3[300], s4[300], text[400], got[1024], want[1024];
	char *argv1[] = { "one", "a", "b c", NULL }, *argv2[] = { "two", "z", NULL };

	snprintf(s1, sizeof(s1), "%s/script1", base);
	snprintf(s2, sizeof(s2), "%s/script2", base);
	snprintf(s3, sizeof(s3), "%s/script3", base);
	snprintf(s4, sizeof(s4), "%s/script4", base);
	/* the interpreter, its one argument (the rest of the line, trimmed),
	 * the script's path, then the arguments after argv[0] */
	snprintf(text, sizeof(text), "#!  %s sreport 5  \t\nignored\n", self);
	CHECK(make_script(s1, text) == 0);
	run_script(s1, argv1, got, sizeof(got));
	snprintf(want, sizeof(want), "[sreport 5] [%s] [a] [b c]", s1);
	if (strcmp(got, want))
		FAIL("script: got '%s', want '%s'", got, want);
	/* an interpreter that is a script itself */
	snprintf(text, sizeof(text), "#!%s\n", s1);
	CHECK(make_script(s2, text) == 0);
	run_script(s2, argv2, got, sizeof(got));
	snprintf(want, sizeof(want), "[sreport 5] [%s] [%s] [z]", s1, s2);
	if (strcmp(got, want))
		FAIL("nested: got '%s', want '%s'", got, want);
	/* its own interpreter: ELOOP; none: ENOENT; an empty line: ENOEXEC */
	snprintf(text, sizeof(text), "#!%s\n", s3);
	CHECK(make_script(s3, text) == 0);
	run_script(s3, argv2, got, sizeof(got));
	snprintf(want, sizeof(want), "errno %d", ELOOP);
	if (strcmp(got, want))
		FAIL("loop: got '%s', want '%s'", got, want);
	CHECK(make_script(s4, "#!/no/such/interpreter -x\n") == 0);
	run_script(s4, argv2, got, sizeof(got));
	snprintf(want, sizeof(want), "errno %d", ENOENT);
	if (strcmp(got, want))
		FAIL("missing interpreter: got '%s', want '%s'", got, want);
	CHECK(make_script(s4, "#!   \n") == 0);
	run_script(s4, argv2, got, sizeof(got));
	snprintf(want, sizeof(want), "errno %d", ENOEXEC);
	if (strcmp(got, want))
		FAIL("empty #! line: got '%s', want '%s'", got, want);
}

static void orphan_reparented(void)
{
	int p[2], st;
	pid_t pid, mid;
	char buf[64];

	CHECK(pipe(p) == 0);
	mid = fork();
	if (mid == 0) {
		pid_t parent = getpid();
		pid = fork();
		if (pid == 0) {
			/* until its parent has gone */
			for (int i = 0; i < 500 && getppid() == parent; i++)
				msleep(2);
			dprintf(p[1], "%d", (int)getppid());
			_exit(0);
		}
		_exit(0);
	}
	close(p[1]);
	CHECK(waitpid(mid, &st, 0) == mid);
	CHECK(slurp(p[0], buf, sizeof(buf)) > 0);
	close(p[0]);
	if (atoi(buf) == mid || atoi(buf) <= 0)
		FAIL("the orphan's parent is %s (mid %d, me %d)", buf, (int)mid, (int)getpid());
}

/* A stopped member of a group its parent's exit orphans gets SIGHUP and
 * SIGCONT; an exit in a group that was orphaned already sends nothing. */
static volatile sig_atomic_t hups;
static void on_hup(int sig) { (void)sig; hups++; }

static int orphan_mode(void)
{
	pid_t d, a, b;
	int st;

	if (setsid() < 0)                    /* a session of our own: our group is orphaned */
		return 1;
	signal(SIGHUP, on_hup);
	/* an exit in an orphaned group: nothing, though a member is stopped */
	if ((a = fork()) == 0) {
		for (;;)
			pause();
	}
	if ((b = fork()) == 0) {
		msleep(30);
		_exit(0);
	}
	kill(a, SIGSTOP);
	if (waitpid(a, &st, WUNTRACED) != a || !WIFSTOPPED(st) || waitpid(b, &st, 0) != b)
		return 2;
	msleep(30);
	if (hups)
		return 3;
	if (waitpid(a, &st, WNOHANG | WCONTINUED) != 0)
		return 4;                    /* not continued */
	kill(a, SIGKILL);
	waitpid(a, NULL, 0);
	/* D's exit orphans its group (D's parent, us, is in another group of
	 * the session): its stopped member E gets SIGHUP, then SIGCONT */
	int p[2];
	if (pipe(p))
		return 5;
	if ((d = fork()) == 0) {
		pid_t e;
		setpgid(0, 0);
		if ((e = fork()) == 0) {
			close(p[0]);
			signal(SIGHUP, on_hup);
			raise(SIGSTOP);
			/* continued: the SIGHUP (pending while stopped) comes too */
			for (int i = 0; i < 100 && !hups; i++)
				msleep(10);
			char c = hups ? 'H' : 'n';
			write(p[1], &c, 1);
			_exit(0);
		}
		if (waitpid(e, &st, WUNTRACED) != e || !WIFSTOPPED(st))
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	if (waitpid(d, &st, 0) != d || !WIFEXITED(st) || WEXITSTATUS(st))
		return 6;
	alarm(10);
	char c = 0;
	if (read(p[0], &c, 1) != 1)
		return 7;
	return c == 'H' ? 0 : 8;
}

static void orphaned_groups(void)
{
	pid_t pid = fork();
	int st;

	if (pid == 0)
		_exit(orphan_mode());
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 1 : FAIL("orphan_mode: status %#x", st));
}

static void groups_sessions(void)
{
	int st, p[2];
	pid_t pid, me = getpid();
	char c;

	CHECK(getpgid(0) == getpgrp() && getpgid(me) == getpgrp());
	CHECK(getsid(0) == getsid(me) && getsid(0) > 0);
	ERRNO(getpgid(999999), ESRCH);
	ERRNO(getsid(999999), ESRCH);
	ERRNO(setpgid(0, -1), EINVAL);
	ERRNO(setpgid(999999, 0), ESRCH);
	CHECK(pipe(p) == 0);
	pid = fork();
	if (pid == 0) {
		close(p[1]);
		read(p[0], &c, 1);
		/* its own session: it leads it and its group */
		if (setsid() != getpid() || getsid(0) != getpid() || getpgrp() != getpid())
			_exit(1);
		if (setsid() != -1 || errno != EPERM)
			_exit(2);
		_exit(0);
	}
	close(p[0]);
	CHECK(setpgid(pid, pid) == 0 && getpgid(pid) == pid);   /* its own group */
	CHECK(setpgid(pid, getpgrp()) == 0 && getpgid(pid) == getpgrp());   /* back */
	CHECK(write(p[1], "x", 1) == 1);
	CHECK(waitpid(pid, &st, 0) == pid && exit_code(st) == 0);
	close(p[1]);
	/* a child in another session cannot be moved; one that execs: EACCES */
	CHECK(pipe(p) == 0);
	pid = fork();
	if (pid == 0) {
		char *argv[] = { self, "sleep", NULL };
		close(p[1]);
		read(p[0], &c, 1);
		execv(self, argv);
		_exit(127);
	}
	close(p[0]);
	CHECK(write(p[1], "x", 1) == 1);
	for (int i = 0; i < 200; i++) {
		if (setpgid(pid, pid) == -1 && errno == EACCES)
			break;
		msleep(2);
	}
	ERRNO(setpgid(pid, pid), EACCES);
	CHECK(waitpid(pid, &st, 0) == pid && exit_code(st) == 0);
	close(p[1]);
}

static void kill_group(void)
{
	pid_t pids[3], pg = 0;
	int st, killed = 0, p[2];

	CHECK(pipe(p) == 0);
	for (int i = 0; i < 3; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			char c;
			close(p[1]);
			setpgid(0, i ? pg : 0);
			read(p[0], &c, 1);     /* never comes: the signal ends it */
			_exit(0);
		}
		if (!i)
			pg = pids[0];
		setpgid(pids[i], pg);      /* both sides, as shells do */
	}
	close(p[0]);
	for (int i = 0; i < 3; i++)
		CHECK(getpgid(pids[i]) == pg);
	CHECK(kill(-pg, 0) == 0);
	CHECK(kill(-pg, SIGTERM) == 0);
	for (int i = 0; i < 3; i++)
		if (waitpid(pids[i], &st, 0) == pids[i] && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM)
			killed++;
	CHECK(killed == 3);
	ERRNO(kill(-pg, SIGTERM), ESRCH);
	ERRNO(kill(pids[0], 0), ESRCH);
	ERRNO(kill(getpid(), 65), EINVAL);
	CHECK(kill(getpid(), 0) == 0);
	close(p[1]);
}

static void spawn(void)
{
	char *argv[] = { self, "exit", "5", NULL }, buf[512], want[512];
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int st, p[2];

	CHECK(posix_spawn(&pid, self, NULL, NULL, argv, environ) == 0);
	CHECK(waitpid(pid, &st, 0) == pid && exit_code(st) == 5);
	char *none[] = { "none", NULL };
	CHECK(posix_spawn(&pid, "/no/such/program", NULL, NULL, none, environ) == ENOENT);
	/* file actions: the pipe's write end becomes descriptor 5 */
	CHECK(pipe(p) == 0);
	CHECK(posix_spawn_file_actions_init(&fa) == 0);
	CHECK(posix_spawn_file_actions_adddup2(&fa, p[1], 5) == 0);
	CHECK(posix_spawn_file_actions_addclose(&fa, p[0]) == 0);
	char *rep[] = { self, "report", "5", "spawned", NULL };
	CHECK(posix_spawnp(&pid, self, &fa, NULL, rep, environ) == 0);
	close(p[1]);
	CHECK(slurp(p[0], buf, sizeof(buf)) > 0);
	close(p[0]);
	CHECK(waitpid(pid, &st, 0) == pid && exit_code(st) == 0);
	snprintf(want, sizeof(want), "argc=4 [spawned] var=(none) pid=%d ppid=%d cwd=%s", (int)pid,
		 (int)getpid(), base);
	if (strcmp(buf, want))
		FAIL("got '%s', want '%s'", buf, want);
	posix_spawn_file_actions_destroy(&fa);
}

static void vfork_exit(void)
{
	int st;
	pid_t pid = vfork();

	if (pid == 0)
		_exit(9);
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid && exit_code(st) == 9);
}

static void limits(void)
{
	struct rlimit rl;

	CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur >= 64 && rl.rlim_cur <= rl.rlim_max);
	CHECK(getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur >= 64 * 1024);
	CHECK(getrlimit(RLIMIT_CPU, &rl) == 0 && rl.rlim_cur == RLIM_INFINITY);
	ERRNO(getrlimit(99, &rl), EINVAL);
	CHECK(prlimit(0, RLIMIT_NOFILE, NULL, &rl) == 0 && rl.rlim_cur >= 64);
	CHECK(sysconf(_SC_OPEN_MAX) == (long)rl.rlim_cur);
}

/* sched_getaffinity/sched_setaffinity: at least one CPU, the count
 * sysconf says, a mask that can be set again; ESRCH, EINVAL */
static void affinity(void)
{
	cpu_set_t set, none;
	int n;

	CHECK(sched_getaffinity(0, sizeof(set), &set) == 0);
	n = CPU_COUNT(&set);
	CHECK(n >= 1 && sysconf(_SC_NPROCESSORS_ONLN) == n);
	CHECK(sched_setaffinity(0, sizeof(set), &set) == 0);
	CHECK(sched_getaffinity(getpid(), sizeof(set), &set) == 0 && CPU_COUNT(&set) == n);
	CHECK(sched_getaffinity(getppid(), sizeof(set), &set) == 0 && CPU_COUNT(&set) >= 1);
	ERRNO(sched_getaffinity(0, 4, &set), EINVAL);
	ERRNO(sched_getaffinity(999999, sizeof(set), &set), ESRCH);
	CPU_ZERO(&none);
	ERRNO(sched_setaffinity(0, sizeof(none), &none), EINVAL);
}

/* The scheduler's numbers: the priority ranges as Linux gives them, the
 * round robin's slice (under a second: Cairn's, 0 on Linux for a thread
 * alone), errors. */
static void sched_numbers(void)
{
	struct timespec ts = { -1, -1 };

	CHECK(sched_get_priority_min(SCHED_FIFO) == 1 && sched_get_priority_max(SCHED_FIFO) == 99);
	CHECK(sched_get_priority_min(SCHED_RR) == 1 && sched_get_priority_max(SCHED_RR) == 99);
	CHECK(sched_get_priority_min(SCHED_OTHER) == 0 && sched_get_priority_max(SCHED_OTHER) == 0);
	ERRNO(sched_get_priority_max(12345), EINVAL);
	CHECK(sched_rr_get_interval(0, &ts) == 0 && ts.tv_sec == 0 && ts.tv_nsec >= 0);   /* Linux: 0 alone */
	CHECK(sched_rr_get_interval(getppid(), &ts) == 0 && ts.tv_nsec >= 0);
	ERRNO(sched_rr_get_interval(-1, &ts), EINVAL);
	ERRNO(sched_rr_get_interval(999999, &ts), ESRCH);
}

/* fexecve: the program open at a descriptor runs (its argv, its exit
 * status back); EACCES for a file without execute permission and for a
 * directory, EBADF for no descriptor. */
static void fexecve_fd(void)
{
	char *argv[] = { self, "exit", "42", NULL }, path[300];
	int fd = open(self, O_RDONLY | O_CLOEXEC), nx, dir;
	pid_t pid;

	CHECK(fd >= 0);
	if ((pid = fork()) == 0) {
		fexecve(fd, argv, environ);
		_exit(100 + errno);
	}
	REAP(pid, 42);
	snprintf(path, sizeof(path), "%s.nx", base);
	nx = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK(nx >= 0 && write(nx, "\177ELF", 4) == 4);
	ERRNO(fexecve(nx, argv, environ), EACCES);
	dir = open("/", O_RDONLY | O_DIRECTORY);
	CHECK(dir >= 0);
	ERRNO(fexecve(dir, argv, environ), EACCES);
	ERRNO(fexecve(1000, argv, environ), EBADF);
	close(dir);
	close(nx);
	unlink(path);
	close(fd);
}

/* Another process's CPUs (busybox's `taskset -p PID`): read and set by
 * pid; the child runs where it was put, and keeps it across exec (`procs
 * cpus` exits with its mask). A user other than root may not move root's
 * process (EPERM). */
static void affinity_of_others(void)
{
	cpu_set_t all, one, got;
	int go[2], st, last = 0;
	pid_t pid;

	CHECK(sched_getaffinity(0, sizeof(all), &all) == 0);
	for (int i = 0; i < 8; i++)
		if (CPU_ISSET(i, &all))
			last = i;
	CPU_ZERO(&one);
	CPU_SET(last, &one);
	CHECK(pipe(go) == 0);
	if ((pid = fork()) == 0) {
		char c, *argv[] = { self, "cpus", NULL };
		close(go[1]);
		if (read(go[0], &c, 1) != 1 || sched_getaffinity(0, sizeof(got), &got) ||
		    !CPU_EQUAL(&got, &one) || (sched_yield(), sched_getcpu()) != last)
			_exit(200);
		execv(self, argv);
		_exit(201);
	}
	close(go[0]);
	CHECK(pid > 0 && sched_getaffinity(pid, sizeof(got), &got) == 0 && CPU_EQUAL(&got, &all));
	CHECK(sched_setaffinity(pid, sizeof(one), &one) == 0);
	CHECK(sched_getaffinity(pid, sizeof(got), &got) == 0 && CPU_EQUAL(&got, &one));
	CHECK(write(go[1], "g", 1) == 1);
	close(go[1]);
	CHECK(waitpid(pid, &st, 0) == pid);
	/* 200: the child's mask or CPU was not the one set; 201: no exec */
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 1 << last)
		FAIL("the child ended with status 0x%x, not exit %d", st, 1 << last);
	if (geteuid() == 0) {
		pid_t parent = getpid();
		if ((pid = fork()) == 0) {
			errno = 0;
			_exit(setuid(1000) == 0 && sched_getaffinity(parent, sizeof(got), &got) == 0 &&
			      sched_setaffinity(parent, sizeof(all), &all) == -1 && errno == EPERM ? 0 : 1);
		}
		CHECK(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
}

/* `procs cpus`: exits with the mask of the CPUs it may run on (0..7) */
static int mode_cpus(void)
{
	cpu_set_t set;
	int bits = 0;

	if (sched_getaffinity(0, sizeof(set), &set))
		return 255;
	for (int i = 0; i < 8; i++)
		if (CPU_ISSET(i, &set))
			bits |= 1 << i;
	return bits;
}

/* Uses about kib KiB of stack, a page at a time; returns a sum the
 * compiler cannot know. */
static int __attribute__((noinline)) stack_use(int kib)
{
	volatile char page[4096];

	page[0] = (char)kib;
	page[4095] = 1;
	return kib <= 4 ? page[0] + page[4095] : stack_use(kib - 4) + page[4095];
}

/* A child that sets RLIMIT_STACK to 2 MiB, then uses kib KiB of stack
 * (exec'd: `procs stack KIB`, else in itself): its wait status. */
static int limited_stack(int kib, int exec)
{
	struct rlimit rl;
	char arg[16];
	int st;
	pid_t pid = fork();

	if (pid == 0) {
		getrlimit(RLIMIT_STACK, &rl);
		rl.rlim_cur = 2 << 20;
		if (setrlimit(RLIMIT_STACK, &rl))
			_exit(98);
		snprintf(arg, sizeof(arg), "%d", kib);
		if (exec)
			execl(self, self, "stack", arg, (char *)NULL);
		_exit(stack_use(kib) == kib / 4 + 4 ? 0 : 1);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return st;
}

/* The main thread's stack grows to RLIMIT_STACK, 8 MiB as on Linux: 6 MiB
 * in this process, in a forked child and in an exec'd image (`procs
 * stack 6144`); a lower limit holds, set in the process or before an
 * exec: past it, SIGSEGV. */
static void big_stack(void)
{
	struct rlimit rl;
	int st;
	pid_t pid;

	CHECK(getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur >= 8 << 20);
	st = limited_stack(1536, 0);
	CHECK(WIFEXITED(st) && exit_code(st) == 0);
	st = limited_stack(3072, 0);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
	st = limited_stack(1536, 1);
	CHECK(WIFEXITED(st) && exit_code(st) == 0);
	st = limited_stack(3072, 1);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
	if ((pid = fork()) == 0) {
		execl(self, self, "stack", "6144", (char *)NULL);
		_exit(99);
	}
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && exit_code(st) == 0);
	CHECK(stack_use(6144) == 6144 / 4 + 4);
	if ((pid = fork()) == 0)
		_exit(stack_use(6144) == 6144 / 4 + 4 ? 0 : 1);
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && exit_code(st) == 0);
}

/* `procs kept UMASK NOFILE`: the umask and RLIMIT_NOFILE's soft limit an
 * exec kept */
static int mode_kept(char **argv)
{
	struct rlimit rl;
	mode_t m = umask(0);

	if (m != (mode_t)strtol(argv[2], NULL, 8))
		return 1;
	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur != (rlim_t)atol(argv[3]))
		return 2;
	return 0;
}

/* The umask and the resource limits are kept across exec */
static void kept_across_exec(void)
{
	struct rlimit rl;
	int st;
	pid_t pid = fork();

	if (pid == 0) {
		umask(027);
		getrlimit(RLIMIT_NOFILE, &rl);
		rl.rlim_cur = 100;
		if (setrlimit(RLIMIT_NOFILE, &rl))
			_exit(98);
		execl(self, self, "kept", "027", "100", (char *)NULL);
		_exit(99);
	}
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && exit_code(st) == 0);
}

/* ---- CPU time ---- */

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double clock_s(clockid_t c)
{
	struct timespec ts;

	if (clock_gettime(c, &ts))
		return -1;
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Runs (no system call) for about s seconds of the clock. */
static void spin_for(double s)
{
	double end = mono_s() + s;
	volatile unsigned long n = 0;

	while (mono_s() < end)
		for (int i = 0; i < 10000; i++)
			n++;
}

static volatile int cpu_stop;

static void *cpu_sleeper(void *arg)
{
	(void)arg;
	while (!cpu_stop)
		usleep(10000);
	return NULL;
}

/* The CPU-time clocks, times() and getrusage(): a spin of 0.2 s is about
 * 0.2 s of the process's and the thread's CPU time, a sleeping thread's
 * stays small, a child's comes to its parent once waited for. */
static void cpu_times(void)
{
	struct tms t0, t1;
	struct rusage ru;
	clockid_t other, pclk;
	pthread_t t;
	double p0, p1, th0, th1, w0, w1, o;
	int st;
	pid_t pid;

	CHECK(times(&t0) != (clock_t)-1);
	p0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
	th0 = clock_s(CLOCK_THREAD_CPUTIME_ID);
	w0 = mono_s();
	spin_for(0.2);
	w1 = mono_s();
	p1 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
	th1 = clock_s(CLOCK_THREAD_CPUTIME_ID);
	if (!(p0 >= 0 && p1 - p0 >= 0.5 * (w1 - w0) && p1 - p0 <= (w1 - w0) + 0.05))
		FAIL("process CPU %.3f s over %.3f s", p1 - p0, w1 - w0);
	if (!(th1 - th0 >= 0.5 * (w1 - w0) && th1 - th0 <= p1 - p0 + 0.01))
		FAIL("thread CPU %.3f s, process %.3f s", th1 - th0, p1 - p0);
	CHECK(times(&t1) != (clock_t)-1);
	CHECK((t1.tms_utime + t1.tms_stime) - (t0.tms_utime + t0.tms_stime) >= 10);
	CHECK(getrusage(RUSAGE_SELF, &ru) == 0 &&
	      ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6 >= p1 - 0.05);
	/* a thread that sleeps: little CPU time; its clock by pthread_getcpuclockid */
	cpu_stop = 0;
	CHECK(pthread_create(&t, NULL, cpu_sleeper, NULL) == 0);
	usleep(100000);
	CHECK(pthread_getcpuclockid(t, &other) == 0);
	o = clock_s(other);
	cpu_stop = 1;
	pthread_join(t, NULL);
	if (!(o >= 0 && o < 0.05))
		FAIL("a sleeping thread's CPU time %.3f s", o);
	ERRNO(clock_gettime((clockid_t)-999999, &(struct timespec){ 0 }), EINVAL);
	/* a child's: readable by its pid while it runs, its parent's once reaped */
	CHECK(getrusage(RUSAGE_CHILDREN, &ru) == 0);
	double c0 = ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
	if ((pid = fork()) == 0) {
		spin_for(0.3);
		_exit(0);
	}
	CHECK(pid > 0 && clock_getcpuclockid(pid, &pclk) == 0);
	usleep(100000);
	o = clock_s(pclk);
	if (!(o >= 0.02 && o <= 0.3))
		FAIL("the running child's CPU time %.3f s", o);
	CHECK(waitpid(pid, &st, 0) == pid && exit_code(st) == 0);
	CHECK(getrusage(RUSAGE_CHILDREN, &ru) == 0);
	double c1 = ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
	if (!(c1 - c0 >= 0.15 && c1 - c0 <= 0.4))
		FAIL("children's CPU time grew by %.3f s", c1 - c0);
	CHECK(times(&t1) != (clock_t)-1 && t1.tms_cutime + t1.tms_cstime >= 15);
	ERRNO(getrusage(42, &ru), EINVAL);
}

#define BIG_ARGS  2000
#define MEGA_N    20
#define MEGA_LEN  100000

/* `procs megacheck`: the environment exec_big's 2,000,000 bytes made */
static int mode_megacheck(void)
{
	int n = 0;

	for (char **e = environ; *e; e++, n++) {
		char want[16];
		snprintf(want, sizeof(want), "M%02d=", n % 100);
		if (strncmp(*e, want, 4) || strlen(*e) != MEGA_LEN - 1 ||
		    (*e)[4] != 'a' + n % 26 || (*e)[MEGA_LEN - 2] != 'a' + n % 26)
			return 2;
	}
	return n == MEGA_N ? 0 : 3;
}
#define BIG_ENV   60000

/* `procs bigcheck arg-0000 ... arg-1999` with BIG = BIG_ENV x's */
static int mode_bigcheck(int argc, char **argv)
{
	char want[16];
	const char *big = getenv("BIG");

	if (argc != BIG_ARGS + 2 || !big || strlen(big) != BIG_ENV || strspn(big, "x") != BIG_ENV)
		return 1;
	for (int i = 0; i < BIG_ARGS; i++) {
		snprintf(want, sizeof(want), "arg-%04d", i);
		if (strcmp(argv[i + 2], want))
			return 2;
	}
	return 0;
}

/* An exec whose strings do not fit one message, and one over the limit */
static void exec_big(void)
{
	static char args[BIG_ARGS][16], env[BIG_ENV + 8], huge[200008];
	static char *argv[BIG_ARGS + 3], *envp[3];
	int st;
	pid_t pid;

	argv[0] = self;
	argv[1] = "bigcheck";
	for (int i = 0; i < BIG_ARGS; i++) {
		snprintf(args[i], sizeof(args[i]), "arg-%04d", i);
		argv[i + 2] = args[i];
	}
	argv[BIG_ARGS + 2] = NULL;
	memcpy(env, "BIG=", 4);
	memset(env + 4, 'x', BIG_ENV);
	envp[0] = env;
	envp[1] = "PT_VAR=1";
	envp[2] = NULL;
	if ((pid = fork()) == 0) {
		execve(self, argv, envp);
		_exit(99);
	}
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st));
	if (exit_code(st))
		FAIL("bigcheck exited %d", exit_code(st));
	/* a string of 200000 bytes: E2BIG, and the caller goes on */
	memcpy(huge, "HUGE=", 5);
	memset(huge + 5, 'y', sizeof(huge) - 6);
	envp[0] = huge;
	if ((pid = fork()) == 0) {
		execve(self, argv, envp);
		_exit(errno == E2BIG ? 42 : 1);
	}
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid && exit_code(st) == 42);
	/* 2,000,000 bytes of environment in strings of 100,000: under
	 * Linux's 2 MiB (a quarter of RLIMIT_STACK); 2,400,000: E2BIG */
	static char mega[MEGA_N + 4][MEGA_LEN + 8];
	static char *menv[MEGA_N + 5];
	char *margv[] = { self, "megacheck", NULL };
	for (int n = MEGA_N; n <= MEGA_N + 4; n += 4) {
		for (int i = 0; i < n; i++) {
			snprintf(mega[i], 8, "M%02d=", i % 100);
			memset(mega[i] + 4, 'a' + i % 26, MEGA_LEN - 5);
			mega[i][MEGA_LEN - 1] = 0;
			menv[i] = mega[i];
		}
		menv[n] = NULL;
		if ((pid = fork()) == 0) {
			execve(self, margv, menv);
			_exit(errno == E2BIG ? 42 : 1);
		}
		CHECK(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st));
		if (exit_code(st) != (n == MEGA_N ? 0 : 42))
			FAIL("%d strings of %d bytes: exit %d", n, MEGA_LEN, exit_code(st));
	}
}

int main(int argc, char **argv)
{
	const char *dir = getenv("PT_DIR");

	if (argc > 2 && !strcmp(argv[1], "report"))
		return mode_report(argc, argv);
	if (argc > 1 && !strncmp(argv[1], "sreport ", 8))
		return mode_sreport(argc, argv);
	if (argc > 3 && !strcmp(argv[1], "fdcheck"))
		return mode_fdcheck(argv);
	if (argc > 1 && !strcmp(argv[1], "cpus"))
		return mode_cpus();
	if (argc > 2 && !strcmp(argv[1], "exit"))
		return atoi(argv[2]);
	if (argc > 1 && !strcmp(argv[1], "megacheck"))
		return mode_megacheck();
	if (argc > 1 && !strcmp(argv[1], "bigcheck"))
		return mode_bigcheck(argc, argv);
	if (argc > 3 && !strcmp(argv[1], "kept"))
		return mode_kept(argv);
	if (argc > 2 && !strcmp(argv[1], "stack"))
		return stack_use(atoi(argv[2])) == atoi(argv[2]) / 4 + 4 ? 0 : 1;
	if (argc > 1 && !strcmp(argv[1], "sleep")) {
		msleep(20);
		return 0;
	}
	pt_prefix = "procs";
	if (argv[0][0] == '/')
		snprintf(self, sizeof(self), "%s", argv[0]);
	else if (!realpath(argv[0], self))
		return 1;
	snprintf(base, sizeof(base), "%s/procs.%d", dir ? dir : "/tmp", (int)getpid());
	if (mkdir(base, 0755) || chdir(base)) {
		printf("procs: cannot make %s: %s\n", base, strerror(errno));
		return 1;
	}
	unsetenv("PT_VAR");
	run("fork_wait", fork_wait);
	run("wait_nohang", wait_nohang);
	run("fork_memory", fork_memory);
	run("fork_descriptors", fork_descriptors);
	run("exec_args_env", exec_args_env);
	run("exec_descriptors", exec_descriptors);
	run("exec_cwd_pid", exec_cwd_pid);
	run("exec_errors", exec_errors);
	run("exec_scripts", exec_scripts);
	run("exec_big", exec_big);
	run("orphan_reparented", orphan_reparented);
	run("groups_sessions", groups_sessions);
	run("orphaned_groups", orphaned_groups);
	run("kill_group", kill_group);
	run("spawn", spawn);
	run("vfork_exit", vfork_exit);
	run("limits", limits);
	run("big_stack", big_stack);
	run("kept_across_exec", kept_across_exec);
	run("cpu_times", cpu_times);
	run("affinity", affinity);
	run("sched_numbers", sched_numbers);
	run("affinity_of_others", affinity_of_others);
	run("fexecve", fexecve_fd);
	return finish();
}
