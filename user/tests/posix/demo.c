// SPDX-License-Identifier: MIT
/*
 * Issue 5's "done when" program: an ordinary C program that uses fork,
 * pipe, execve, waitpid, signals, files, directories and pthreads
 * together, built with <arch>-cairn-gcc and run with ./qemu-run.sh --exec.
 *
 * It writes a few text files into a directory of its own, then counts
 * their words in parallel: for each file a child (fork) gets the file as
 * its stdin and a pipe as its stdout (dup2), and becomes a counter by
 * running this very program again (execve of /bin/demo count). The
 * counter writes "lines words" to the pipe, then waits (sigsuspend) for
 * the parent's SIGUSR1 before it exits with the number of lines. A thread
 * of the parent polls the pipes and collects the answers, while threads
 * of its own recount each file to check them; the parent sends each
 * counter SIGUSR1, reaps them with waitpid (its SIGCHLD handler counts
 * them), writes a summary file, lists the directory and removes it all.
 * Each step prints an ok line; the exit status is the number of failed
 * steps.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "posixtest.h"

#define NFILES 3

static const char *const texts[NFILES] = {
	"the quick brown fox\njumps over\nthe lazy dog\n",
	"one\ntwo three\nfour five six\nseven eight nine ten\n",
	"cairn is a capability microkernel\n",
};
static const int want_lines[NFILES] = { 3, 4, 1 }, want_words[NFILES] = { 9, 10, 5 };

static volatile sig_atomic_t go, reaped;
static char self[256], dir[256];
static pid_t workers[NFILES];
static int pipes[NFILES];
static char results[NFILES][64];

static void on_go(int sig) { (void)sig; go = 1; }
static void on_child(int sig) { (void)sig; reaped++; }

/* `demo count`: stdin is a file, stdout a pipe. */
static int counter(void)
{
	char buf[512];
	int lines = 0, words = 0, inword = 0;
	ssize_t n;
	sigset_t block, empty;

	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, NULL);
	signal(SIGUSR1, on_go);
	while ((n = read(0, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			int space = buf[i] == ' ' || buf[i] == '\n';
			lines += buf[i] == '\n';
			words += !space && !inword;
			inword = !space;
		}
	}
	dprintf(1, "%d %d", lines, words);
	close(1);
	sigemptyset(&empty);
	while (!go)
		sigsuspend(&empty);
	return lines;
}

static void make_files(void)
{
	snprintf(dir, sizeof(dir), "/tmp/demo.%d", (int)getpid());
	CHECK(mkdir(dir, 0755) == 0);
	for (int i = 0; i < NFILES; i++) {
		char path[300];
		snprintf(path, sizeof(path), "%s/text%d", dir, i);
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
		CHECK(fd >= 0 && write(fd, texts[i], strlen(texts[i])) == (ssize_t)strlen(texts[i]));
		close(fd);
	}
}

static void start_counters(void)
{
	struct sigaction sa = { 0 };

	sa.sa_handler = on_child;
	sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(SIGCHLD, &sa, NULL) == 0);
	for (int i = 0; i < NFILES; i++) {
		char path[300];
		int p[2];

		snprintf(path, sizeof(path), "%s/text%d", dir, i);
		CHECK(pipe(p) == 0);
		workers[i] = fork();
		if (workers[i] == 0) {
			int in = open(path, O_RDONLY);
			char *argv[] = { self, "count", NULL };
			char *envp[] = { "DEMO=counter", NULL };
			if (in < 0 || dup2(in, 0) != 0 || dup2(p[1], 1) != 1)
				_exit(100);
			close(in);
			close(p[0]);
			close(p[1]);
			for (int j = 0; j < i; j++)
				close(pipes[j]);
			execve(self, argv, envp);
			_exit(101);
		}
		CHECK(workers[i] > 0);
		close(p[1]);
		pipes[i] = p[0];
	}
}

/* A thread's recount of file i: "lines words". */
static void *recount(void *arg)
{
	uintptr_t i = (uintptr_t)arg;
	static char out[NFILES][64];
	char path[300], buf[512];
	int lines = 0, words = 0, inword = 0, fd;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/text%lu", dir, (unsigned long)i);
	if ((fd = open(path, O_RDONLY)) < 0)
		return NULL;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (ssize_t k = 0; k < n; k++) {
			int space = buf[k] == ' ' || buf[k] == '\n';
			lines += buf[k] == '\n';
			words += !space && !inword;
			inword = !space;
		}
	close(fd);
	snprintf(out[i], sizeof(out[i]), "%d %d", lines, words);
	return out[i];
}

static void collect_body(void)
{
	struct pollfd pf[NFILES];
	size_t len[NFILES] = { 0 };
	int open_ends = NFILES;

	for (int i = 0; i < NFILES; i++)
		pf[i] = (struct pollfd){ .fd = pipes[i], .events = POLLIN };
	while (open_ends) {
		int n = poll(pf, NFILES, 10000);
		if (n <= 0) {
			FAIL("poll: %d (errno %d)", n, errno);
			break;
		}
		for (int i = 0; i < NFILES; i++) {
			if (!pf[i].revents)
				continue;
			ssize_t k = read(pipes[i], results[i] + len[i], sizeof(results[i]) - 1 - len[i]);
			if (k > 0) {
				len[i] += (size_t)k;
				continue;
			}
			close(pipes[i]);         /* end of file: the counter closed its stdout */
			pf[i].fd = -1;
			open_ends--;
		}
	}
	for (int i = 0; i < NFILES; i++) {
		char want[64];
		snprintf(want, sizeof(want), "%d %d", want_lines[i], want_words[i]);
		if (strcmp(results[i], want))
			FAIL("text%d: got '%s', want '%s'", i, results[i], want);
	}
}

static void *collector(void *arg)
{
	(void)arg;
	collect_body();
	return NULL;
}

/* One thread collects the counters' answers, NFILES more recount. */
static void collect(void)
{
	pthread_t coll, re[NFILES];
	void *r;

	CHECK(pthread_create(&coll, NULL, collector, NULL) == 0);
	for (uintptr_t i = 0; i < NFILES; i++)
		CHECK(pthread_create(&re[i], NULL, recount, (void *)i) == 0);
	for (int i = 0; i < NFILES; i++) {
		CHECK(pthread_join(re[i], &r) == 0 && r);
		char want[64];
		snprintf(want, sizeof(want), "%d %d", want_lines[i], want_words[i]);
		if (r && strcmp(r, want))
			FAIL("recount of text%d: got '%s', want '%s'", i, (char *)r, want);
	}
	CHECK(pthread_join(coll, NULL) == 0);
}

static void signal_and_reap(void)
{
	int st;

	for (int i = 0; i < NFILES; i++)
		CHECK(kill(workers[i], SIGUSR1) == 0);
	for (int i = 0; i < NFILES; i++) {
		CHECK(waitpid(workers[i], &st, 0) == workers[i]);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != want_lines[i])
			FAIL("counter %d: status %#x, want exit %d", i, st, want_lines[i]);
	}
	/* SIGCHLD came (signals of one kind are not queued: at least once) */
	CHECK(reaped >= 1);
	ERRNO(waitpid(-1, &st, WNOHANG), ECHILD);
}

static void summary_and_cleanup(void)
{
	char path[600], buf[256];
	struct dirent *e;
	int total = 0, entries = 0;
	DIR *d;
	FILE *f;

	snprintf(path, sizeof(path), "%s/summary", dir);
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (!f)
		return;
	for (int i = 0; i < NFILES; i++)
		fprintf(f, "text%d %s\n", i, results[i]);
	CHECK(fclose(f) == 0);
	f = fopen(path, "r");
	while (f && fgets(buf, sizeof(buf), f)) {
		int l, w;
		if (sscanf(buf, "%*s %d %d", &l, &w) == 2)
			total += w;
	}
	if (f)
		fclose(f);
	CHECK(total == 9 + 10 + 5);
	CHECK((d = opendir(dir)) != NULL);
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		entries++;
		CHECK(unlink(path) == 0);
	}
	if (d)
		closedir(d);
	CHECK(entries == NFILES + 1);
	CHECK(rmdir(dir) == 0);
	printf("demo: %d files, %d words counted by %d processes and checked by %d threads, %d SIGCHLD\n",
	       NFILES, total, NFILES, NFILES, (int)reaped);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "count"))
		return counter();
	pt_prefix = "demo";
	if (!realpath(argv[0], self))
		snprintf(self, sizeof(self), "%s", argv[0]);
	printf("demo: pid %d, %s\n", (int)getpid(), self);
	run("make_files", make_files);
	run("start_counters", start_counters);
	run("collect", collect);
	run("signal_and_reap", signal_and_reap);
	run("summary_and_cleanup", summary_and_cleanup);
	return finish();
}
