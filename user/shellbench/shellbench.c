/* SPDX-License-Identifier: MIT */
/*
 * The system benchmarks of `make bench` (tests/bench.sh): boot, spawn and
 * a shell workload, on Cairn (built with <arch>-cairn-gcc) and on the
 * Linux peer (riscv64-linux-gnu-gcc -static -DLINUX_PEER), both with the
 * same busybox (same source, same configuration), under QEMU -icount
 * shift=0, where the instruction counter (insns(): rdinstret; rdtsc on
 * x86-64) counts guest instructions. Output: "bench: <name> <n> insns/op"
 * lines, then "bench: done".
 *
 *   shellbench mark   prints "bench: mark <counter>", the counter as its
 *                     main() starts. The bench image's /root/.profile runs
 *                     it as the login shell's last start-up command, just
 *                     before the first prompt (the shell busybox init
 *                     starts on the console, as in the default boot); the
 *                     boot figure is this minus the kernel's "counter at
 *                     entry".
 *   shellbench        the benchmarks:
 *     calibration     counts per instruction of a 2-instruction loop
 *     spawn           fork + execve("/bin/true") + waitpid, per spawn
 *                     (/bin/true is a link to /bin/busybox); best of RUNS
 *                     runs of SPAWNS
 *     shell_pipeline  fork + execve("/bin/sh", script) + waitpid of a
 *                     script of PIPELINES lines `echo x | cat > /dev/null`,
 *                     the whole run divided by PIPELINES (the shell's own
 *                     start and exit included, nothing subtracted)
 *                     then powers the machine off (reboot(2)).
 *   (LINUX_PEER) as /init: builds the file tree from the initramfs's flat
 *                     root (tests/bench.sh puts the files there), then
 *                     execs busybox init (/sbin/init) as Cairn's process
 *                     server starts it; prints the tree's cost as
 *                     "bench: linux_tree <n>", which is not part of a boot.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cairn/counter.h>
#include <sys/reboot.h>
#ifdef LINUX_PEER
#include <sys/sysmacros.h>
#endif

#define RUNS 3
#define SPAWNS 50
#define PIPELINES 1000
#define SCRIPT "/tmp/pipelines.sh"

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void report(const char *name, uint64_t total, uint64_t ops)
{
	printf("bench: %s %llu insns/op\n", name, (unsigned long long)((total + ops / 2) / ops));
	fflush(stdout);
}

/* The counter against a loop of known length: 1.00 when it counts
 * instructions (tests/bench.sh checks). */
static void calibration(void)
{
	uint64_t n = 1000000, t0 = insns();

	insns_loop2(n);
	uint64_t d = insns() - t0;
	printf("bench: calibration %llu.%02llu counts per instruction\n",
	       (unsigned long long)(d / (2 * n)), (unsigned long long)(d * 100 / (2 * n) % 100));
	fflush(stdout);
}

/* fork, exec argv[0] with argv, wait; dies unless it exits with 0 */
static void run(char *const argv[])
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	if (pid == 0) {
		execv(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		die("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "shellbench: %s: status %#x\n", argv[0], status);
		exit(1);
	}
}

static void bench_spawn(void)
{
	char *const argv[] = { "/bin/true", NULL };
	uint64_t best = UINT64_MAX;

	run(argv); /* the first one brings busybox's pages in */
	for (int r = 0; r < RUNS; r++) {
		uint64_t t0 = insns();
		for (int i = 0; i < SPAWNS; i++)
			run(argv);
		uint64_t d = insns() - t0;
		if (d < best)
			best = d;
	}
	report("spawn", best, SPAWNS);
}

static void bench_shell(void)
{
	char *const argv[] = { "/bin/sh", SCRIPT, NULL };
	FILE *f = fopen(SCRIPT, "w");

	if (!f)
		die(SCRIPT);
	for (int i = 0; i < PIPELINES; i++)
		fputs("echo x | cat > /dev/null\n", f);
	if (fclose(f))
		die(SCRIPT);
	uint64_t t0 = insns();
	run(argv);
	report("shell_pipeline", insns() - t0, PIPELINES);
}

#ifdef LINUX_PEER
/* The folders of path's parent, made as needed (path is changed back). */
static void make_parents(char *path)
{
	for (char *p = strchr(path + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = 0;
		if (mkdir(path, 0755) && access(path, F_OK))
			die(path);
		*p = '/';
	}
}

/*
 * The tree Cairn's boot image has (scripts/mkbootimage.sh --busybox, the
 * files of user/rootfs), from the initramfs's flat root, where
 * tests/bench.sh put each file under its path with '#' for '/'
 * ("#bin#busybox", "#etc#init.d#console-shell", "#root#.profile"):
 * each goes to its path; then busybox's folders and a link to /bin/busybox
 * per line of /busybox.links, /bin/shellbench a link to /init, /dev/null.
 */
static void linux_tree(void)
{
	static const char *const dirs[] = { "/bin", "/sbin", "/usr", "/usr/bin", "/usr/sbin",
					    "/etc", "/root", "/home", "/var", "/tmp" };
	char line[300];
	DIR *d = opendir("/");
	struct dirent *e;

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (mkdir(dirs[i], 0755) && access(dirs[i], F_OK))
			die(dirs[i]);
	chmod("/root", 0700);
	chmod("/tmp", 01777);
	while (d && (e = readdir(d))) {
		char from[300];
		if (e->d_name[0] != '#')
			continue;
		snprintf(from, sizeof(from), "/%s", e->d_name);
		snprintf(line, sizeof(line), "%s", e->d_name);
		for (char *p = line; *p; p++)
			if (*p == '#')
				*p = '/';
		make_parents(line);
		if (rename(from, line))
			die(from);
	}
	if (!d)
		die("/");
	closedir(d);
	FILE *f = fopen("/busybox.links", "r");
	if (!f)
		die("/busybox.links");
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		if (line[0] == '/' && strcmp(line, "/bin/busybox") && symlink("/bin/busybox", line))
			die(line);
	}
	fclose(f);
	unlink("/busybox.links");
	if (symlink("/init", "/bin/shellbench"))
		die("/bin/shellbench");
	if (mknod("/dev/null", S_IFCHR | 0666, makedev(1, 3)) && access("/dev/null", F_OK))
		die("/dev/null");
}
#endif

int main(int argc, char **argv)
{
	uint64_t start = insns();

	if (argc > 1 && !strcmp(argv[1], "mark")) {
		printf("bench: mark %llu\n", (unsigned long long)start);
		return 0;
	}
#ifdef LINUX_PEER
	if (!strcmp(argv[0], "/init")) {
		/* Cairn's process server starts pid 1 so, with this environment */
		char *const env[] = { "PATH=/bin", "HOME=/", NULL };
		char *const init[] = { "/sbin/init", NULL };

		linux_tree();
		printf("bench: linux_tree %llu\n", (unsigned long long)(insns() - start));
		fflush(stdout);
		execve(init[0], init, env);
		die(init[0]);
	}
#endif
	calibration();
	bench_spawn();
	bench_shell();
	printf("bench: done\n");
	fflush(stdout);
	sync();
	reboot(RB_POWER_OFF);
	perror("reboot");
	return 1;
}
