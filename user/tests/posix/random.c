// SPDX-License-Identifier: MIT
/*
 * Random bytes as a program sees them: getrandom(2), /dev/urandom and
 * /dev/random (on Cairn, musl-port's per-process ChaCha20 seeded from the
 * entropy server: musl-port/src/cairn/random.c). Sizes from 0 to 1 MiB,
 * the flags and their errors, bad buffers (EFAULT), a parent and three
 * forked workers that all get different bytes from both, forks in a loop
 * and forks of forks that never repeat, AT_RANDOM in exec'd programs,
 * threads that never share bytes,
 * and a crude statistical check (bit balance over 64 KiB). One
 * `ok N random.NAME` line a test, then `N passed, N failed`; the exit
 * status is the number of failures (tests/harness/expected/posix-random.txt).
 * It passes on Linux too.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/wait.h>

#include "posixtest.h"

#ifndef GRND_INSECURE
#define GRND_INSECURE 4
#endif

#define VAL 16                        /* bytes compared between processes */

/* n bytes of getrandom into buf (one call): whether it gave them all. */
static int grab(void *buf, size_t n)
{
	return getrandom(buf, n, 0) == (ssize_t)n;
}

/* n bytes of the file path into buf: whether it gave them all. */
static int read_dev(const char *path, void *buf, size_t n)
{
	int fd = open(path, O_RDONLY);
	size_t done = 0;

	if (fd < 0)
		return 0;
	while (done < n) {
		ssize_t k = read(fd, (char *)buf + done, n - done);
		if (k <= 0)
			break;
		done += (size_t)k;
	}
	close(fd);
	return done == n;
}

static int all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

/* Whether any two of the n values of VAL bytes at v are equal. */
static int any_equal(unsigned char (*v)[VAL], unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		for (unsigned j = i + 1; j < n; j++)
			if (!memcmp(v[i], v[j], VAL))
				return 1;
	return 0;
}

static void sizes(void)
{
	static const size_t n[] = { 0, 1, 256, 4096, 1 << 20 };
	unsigned char *a = malloc(1 << 20), *b = malloc(1 << 20);

	if (!CHECK(a && b))
		goto out;
	for (unsigned i = 0; i < sizeof(n) / sizeof(n[0]); i++) {
		memset(a, 0, n[i] + 1);
		memset(b, 0, n[i] + 1);
		if (!CHECK(getrandom(a, n[i], 0) == (ssize_t)n[i]) ||
		    !CHECK(getrandom(b, n[i], 0) == (ssize_t)n[i]))
			goto out;
		if (n[i] >= 256) {
			/* the ends were written too, and no two reads agree */
			CHECK(!all_zero(a, 32) && !all_zero(a + n[i] - 32, 32));
			CHECK(memcmp(a, b, n[i]));
		}
		if (n[i] < (1 << 20))
			CHECK(a[n[i]] == 0);     /* not a byte more */
	}
out:
	free(a);
	free(b);
}

static void flags(void)
{
	unsigned char b[64];

	CHECK(getrandom(b, sizeof(b), GRND_NONBLOCK) == sizeof(b));
	CHECK(getrandom(b, sizeof(b), GRND_RANDOM) == sizeof(b));
	CHECK(getrandom(b, sizeof(b), GRND_RANDOM | GRND_NONBLOCK) == sizeof(b));
	ERRNO(getrandom(b, sizeof(b), 0x100), EINVAL);
	ERRNO(getrandom(b, sizeof(b), -1), EINVAL);
	ERRNO(getrandom(b, sizeof(b), GRND_RANDOM | GRND_INSECURE), EINVAL);
	/* 0 bytes with any good flags: 0 */
	CHECK(getrandom(b, 0, GRND_NONBLOCK) == 0);
}

static void bad_buffers(void)
{
	long page = sysconf(_SC_PAGESIZE);
	unsigned char *gone = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char *ro = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fd = open("/dev/urandom", O_RDONLY);

	if (!CHECK(gone != MAP_FAILED && ro != MAP_FAILED && fd >= 0))
		return;
	CHECK(munmap(gone, page) == 0);
	ERRNO(getrandom(NULL, 16, 0), EFAULT);
	ERRNO(getrandom(gone, 16, 0), EFAULT);
	ERRNO(getrandom(ro, 16, 0), EFAULT);
	ERRNO(read(fd, NULL, 16), EFAULT);
	ERRNO(read(fd, gone, 16), EFAULT);
	ERRNO(read(fd, ro, 16), EFAULT);
	CHECK(all_zero(ro, page));
	close(fd);
	munmap(ro, page);
}

static void dev_files(void)
{
	unsigned char a[4096], b[4096], c[4096];

	CHECK(read_dev("/dev/urandom", a, sizeof(a)));
	CHECK(read_dev("/dev/urandom", b, sizeof(b)));
	CHECK(read_dev("/dev/random", c, sizeof(c)));
	CHECK(memcmp(a, b, sizeof(a)) && memcmp(a, c, sizeof(a)) && memcmp(b, c, sizeof(b)));
	CHECK(!all_zero(a + sizeof(a) - 32, 32));
}

/* A parent and three forked workers: getrandom's and /dev/urandom's
 * bytes after the fork all differ (the bug that was: three workers printed
 * one value). */
static void fork_workers(void)
{
	enum { WORKERS = 3 };
	unsigned char v[2 * (WORKERS + 1)][VAL];
	int p[2], st, n = 0;
	unsigned char warm[VAL];

	CHECK(grab(warm, VAL));            /* the parent's generator is in use */
	if (!CHECK(pipe(p) == 0))
		return;
	fflush(stdout);
	for (int i = 0; i < WORKERS; i++) {
		pid_t pid = fork();
		if (pid == 0) {
			unsigned char mine[2][VAL];
			int ok = grab(mine[0], VAL) && read_dev("/dev/urandom", mine[1], VAL);
			ok = ok && write(p[1], mine, sizeof(mine)) == sizeof(mine);
			_exit(!ok);
		}
		CHECK(pid > 0);
	}
	close(p[1]);
	CHECK(grab(v[0], VAL) && read_dev("/dev/urandom", v[1], VAL));
	n = 2;
	while (n < 2 * (WORKERS + 1) && read(p[0], v[n], 2 * VAL) == 2 * VAL)
		n += 2;
	close(p[0]);
	for (int i = 0; i < WORKERS; i++)
		CHECK(wait(&st) > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	if (!CHECK(n == 2 * (WORKERS + 1)))
		return;
	CHECK(!any_equal(v, (unsigned)n));
}

/* Forks in a loop, each child and a grandchild of it reporting getrandom's
 * bytes: never two alike, nor like the parent's. */
static void fork_loop(void)
{
	enum { ROUNDS = 24, N = 2 * ROUNDS + 1 };
	static unsigned char v[N][VAL];
	int p[2], st, n = 0;

	if (!CHECK(pipe(p) == 0))
		return;
	fflush(stdout);
	for (int i = 0; i < ROUNDS; i++) {
		pid_t pid = fork();
		if (pid == 0) {
			unsigned char mine[VAL];
			pid_t g = fork();                 /* the grandchild first */
			int ok = g >= 0 && grab(mine, VAL) && write(p[1], mine, VAL) == VAL;
			if (g > 0)
				ok = ok && waitpid(g, &st, 0) == g && WIFEXITED(st) && !WEXITSTATUS(st);
			_exit(!ok);
		}
		if (!CHECK(pid > 0) || !CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
					      WEXITSTATUS(st) == 0))
			break;
	}
	close(p[1]);
	while (n < N - 1 && read(p[0], v[n], VAL) == VAL)
		n++;
	close(p[0]);
	CHECK(n == N - 1);
	CHECK(grab(v[n++], VAL));
	CHECK(!any_equal(v, (unsigned)n));
}

/* AT_RANDOM's 16 bytes: there, not all zero, and different in two
 * programs exec'd from here (each seeds its own generator at start-up),
 * which print theirs (`random auxv`) and getrandom's. */
static const char *self = "/bin/random";

static void at_random(void)
{
	unsigned char v[3][VAL], *mine = (unsigned char *)getauxval(AT_RANDOM);
	int n = 0;

	if (!CHECK(mine != NULL) || !CHECK(!all_zero(mine, VAL)))
		return;
	memcpy(v[n++], mine, VAL);
	for (int i = 0; i < 2; i++) {
		int p[2], st;
		pid_t pid;

		if (!CHECK(pipe(p) == 0))
			return;
		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			dup2(p[1], 1);
			close(p[0]);
			close(p[1]);
			execl(self, self, "auxv", (char *)NULL);
			_exit(127);
		}
		close(p[1]);
		CHECK(read(p[0], v[n], VAL) == VAL);
		close(p[0]);
		if (!CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0))
			return;
		n++;
	}
	CHECK(!any_equal(v, (unsigned)n));
}

/* Threads draw from one generator: no two draws of any threads agree. */
enum { THREADS = 3, DRAWS = 64 };
static unsigned char drawn[THREADS + 1][DRAWS][VAL];

static void *drawer(void *arg)
{
	unsigned char (*mine)[VAL] = arg;

	for (int i = 0; i < DRAWS; i++)
		if (!grab(mine[i], VAL))
			return (void *)1;
	return NULL;
}

static void threads(void)
{
	pthread_t t[THREADS];
	void *r;

	for (int i = 0; i < THREADS; i++)
		if (!CHECK(pthread_create(&t[i], NULL, drawer, drawn[i]) == 0))
			return;
	CHECK(drawer(drawn[THREADS]) == NULL);
	for (int i = 0; i < THREADS; i++)
		CHECK(pthread_join(t[i], &r) == 0 && r == NULL);
	CHECK(!any_equal(&drawn[0][0], (THREADS + 1) * DRAWS));
}

/* Of 64 KiB, the ones in each bit position within 5 sigma of half, the
 * whole within 5 sigma, and no byte value far from 1/256. */
static int balanced(const unsigned char *b, size_t n)
{
	unsigned long ones = 0, pos[8] = { 0 }, val[256] = { 0 };

	for (size_t i = 0; i < n; i++) {
		val[b[i]]++;
		for (int k = 0; k < 8; k++)
			if (b[i] >> k & 1) {
				ones++;
				pos[k]++;
			}
	}
	/* sigma: sqrt(8n)/2 = 362 of 8n bits; sqrt(n)/2 = 128 per position */
	if (ones < n * 4 - 5 * 362 || ones > n * 4 + 5 * 362)
		return 0;
	for (int k = 0; k < 8; k++)
		if (pos[k] < n / 2 - 5 * 128 || pos[k] > n / 2 + 5 * 128)
			return 0;
	for (int v = 0; v < 256; v++)   /* mean 256, sigma 16 */
		if (val[v] < 256 - 6 * 16 || val[v] > 256 + 6 * 16)
			return 0;
	return 1;
}

static void bit_balance(void)
{
	static unsigned char b[65536];

	CHECK(grab(b, sizeof(b)) && balanced(b, sizeof(b)));
	CHECK(read_dev("/dev/urandom", b, sizeof(b)) && balanced(b, sizeof(b)));
	/* and what the check must catch: bit 0 cleared in one byte of 16 */
	CHECK(grab(b, sizeof(b)));
	for (size_t i = 0; i < sizeof(b); i += 16)
		b[i] &= 0xfe;
	CHECK(!balanced(b, sizeof(b)));
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "auxv")) {
		const void *r = (const void *)getauxval(AT_RANDOM);
		return !r || write(1, r, VAL) != VAL;
	}
	if (argv[0][0] == '/')
		self = argv[0];
	pt_prefix = "random";
	printf("random: getrandom, /dev/urandom, fork\n");
	run("sizes", sizes);
	run("flags", flags);
	run("bad_buffers", bad_buffers);
	run("dev_files", dev_files);
	run("fork_workers", fork_workers);
	run("fork_loop", fork_loop);
	run("at_random", at_random);
	run("threads", threads);
	run("bit_balance", bit_balance);
	return finish();
}
