// SPDX-License-Identifier: MIT
/*
 * The terminal from a C program, typed at by tests/harness/posix_tty_test.py
 * through QEMU's serial console (./qemu-run.sh --exec): canonical lines
 * read with stdio, ^C sending SIGINT to the foreground process group (a
 * child waiting for input dies of it, the first process's handler runs),
 * a non-canonical read, and end of file. Each step prints a prompt ending
 * in "> " and what it got in brackets.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static volatile sig_atomic_t intr;

static void on_int(int sig)
{
	(void)sig;
	intr++;
}

int main(void)
{
	char line[256];
	struct sigaction sa = { 0 };
	struct termios t, raw;
	int st;
	pid_t pid;

	printf("ttyplay: ready, pgrp %d, foreground %d\n", (int)getpgrp(), (int)tcgetpgrp(0));
	printf("line> ");
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return 1;
	line[strcspn(line, "\n")] = 0;
	printf("[%s]\n", line);

	sa.sa_handler = on_int;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	int ready[2];
	char c;
	if (pipe(ready))
		return 1;
	pid = fork();
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		close(ready[0]);
		close(ready[1]);         /* ready: SIGINT's default action is back */
		read(0, &c, 1);          /* ^C ends it first */
		_exit(0);
	}
	close(ready[1]);
	read(ready[0], &c, 1);       /* end of file once the child is ready */
	close(ready[0]);
	printf("interrupt> ");
	fflush(stdout);
	while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
		;
	printf("[child %s %d, handler ran %d]\n", WIFSIGNALED(st) ? "killed by signal" : "exited",
	       WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st), (int)intr);

	tcgetattr(0, &t);
	raw = t;
	raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	raw.c_cc[VMIN] = 3;
	raw.c_cc[VTIME] = 0;
	tcsetattr(0, TCSANOW, &raw);
	printf("raw> ");
	fflush(stdout);
	ssize_t n = read(0, line, 3);
	tcsetattr(0, TCSANOW, &t);
	printf("{%.*s}\n", n > 0 ? (int)n : 0, line);

	printf("eof> ");
	fflush(stdout);
	clearerr(stdin);
	if (!fgets(line, sizeof(line), stdin) && feof(stdin))
		printf("[EOF]\n");
	return 0;
}
