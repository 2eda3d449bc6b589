// SPDX-License-Identifier: MIT
/*
 * stress [SECONDS [PARTS]]: many threads on every CPU call, signal, map, unmap,
 * fork and kill each other for a bounded time (default 3 s; make stress
 * runs it for 60), then everything is killed and reaped and the free
 * memory must come back.
 *
 * The parent starts pairs of worker processes, two pairs a CPU. Each
 * worker runs three threads:
 *  - a caller: messages round trip through a pair of pipes to its
 *    partner, which echoes them; each is checked (the pipes are calls
 *    through the VFS server);
 *  - a mapper: anonymous mappings of 1 to 16 pages made, filled, checked,
 *    half made read-only, unmapped;
 *  - a forker: children that exit with a code, or sleep until the forker
 *    kills them (SIGKILL) or sends them SIGTERM; each end is checked by
 *    waitpid (one whose forker dies first ends itself a second later).
 * PARTS (all by default: "cmfsk") picks callers, mappers, forkers, signals
 * and the parent's kills, to find which one a fault needs.
 * The main thread queues SIGUSR1 at its partner with sigqueue (counted by
 * a handler). Meanwhile the parent kills a random pair now and then and
 * starts a new one, so processes die in the middle of their calls,
 * mappings and forks.
 *
 * Counters live in a shared mapping. A worker that sees a wrong answer
 * records it there and exits with status 3; every worker must end by the
 * parent's SIGKILL. The storm runs twice: after the second, once all are
 * reaped, the free memory (/proc/meminfo MemFree on Cairn) must be back
 * within a small allowance; the first warms the servers up (their heaps
 * grow to what a storm needs and stay). The same program runs on Linux, where only the
 * behaviour is checked.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <dirent.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include "posixtest.h"

#define MAX_PAIRS 16
#define MSG       96

enum { C_CALLS, C_SIGS_SENT, C_SIGS_GOT, C_MAPS, C_FORKS, C_CHILD_KILLS, C_PAIR_KILLS, C_BAD, C_FORK_LIMIT, C_N };
static const char *const c_name[C_N] = { "calls", "signals sent", "signals got", "maps", "forks",
					 "children killed", "pairs killed", "wrong answers",
					 "forks refused (EAGAIN, ENOMEM)" };

struct shared {
	volatile long n[C_N];
	volatile int bad_line, bad_errno;
	volatile int ending[MAX_PAIRS];         /* the parent is killing pair i */
};
static struct shared *sh;

static void count(int c, long k)
{
	__atomic_add_fetch(&sh->n[c], k, __ATOMIC_RELAXED);
}

/* a wrong answer: recorded (the first line wins) and the worker ends */
#define BAD(cond)                                                                          \
	do {                                                                               \
		if (cond) {                                                                \
			int zero_ = 0, errno_ = errno;                                     \
			if (__atomic_compare_exchange_n(&sh->bad_line, &zero_, __LINE__, 0, \
							__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) \
				sh->bad_errno = errno_;                                    \
			count(C_BAD, 1);                                                   \
			_exit(3);                                                          \
		}                                                                          \
	} while (0)

static uint64_t rnd_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* ---- a worker ------------------------------------------------------------------------- */

struct worker {
	int slot;               /* pairs[slot] */
	int rd, wr;             /* from and to the partner */
	int leader;             /* the one that starts each round trip */
	pid_t partner;
	uint64_t seed;
};
static struct worker w;
static const char *parts = "cmfsk";    /* argv[2]: which of them run (for finding a fault) */

/* n bytes moved whole, or the partner is being killed: then wait for
 * our own end (a partner killed first closes its ends) */
static int whole(ssize_t n)
{
	if (n != MSG && sh->ending[w.slot])
		for (;;)
			pause();
	return n == MSG;
}

static void *caller(void *arg)
{
	unsigned char out[MSG], in[MSG];

	for (uint32_t i = 0;; i++) {
		if (w.leader) {
			for (int k = 0; k < MSG; k++)
				out[k] = (unsigned char)(i * 7 + k);
			BAD(!whole(pt_write_full(w.wr, out, MSG)));
			BAD(!whole(pt_read_full(w.rd, in, MSG)));
			if (memcmp(in, out, MSG)) {
				int k = 0;
				while (in[k] == out[k])
					k++;
				dprintf(1, "# stress: pid %d round trip %u: byte %d is %#x, not %#x (%02x %02x %02x %02x)\n",
				       (int)getpid(), i, k, in[k], out[k], in[0], in[1], in[2], in[3]);
				BAD(1);
			}
			count(C_CALLS, 1);
		} else {
			BAD(!whole(pt_read_full(w.rd, in, MSG)));
			BAD(!whole(pt_write_full(w.wr, in, MSG)));
		}
	}
	return arg;
}

static void *mapper(void *arg)
{
	uint64_t s = w.seed ^ 0x9e3779b97f4a7c15ull;
	long pg = sysconf(_SC_PAGESIZE);

	for (;;) {
		size_t n = 1 + rnd_next(&s) % 16;
		uint64_t *p = mmap(NULL, n * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		BAD(p == MAP_FAILED);
		for (size_t k = 0; k < n * pg / 8; k += 61)
			p[k] = k ^ s;
		if (n > 1)
			BAD(mprotect(p, n / 2 * pg, PROT_READ) != 0);
		for (size_t k = 0; k < n * pg / 8; k += 61)
			BAD(p[k] != (k ^ s));
		BAD(munmap(p, n * pg) != 0);
		count(C_MAPS, 1);
		/* the others' turn: a thread woken at our priority waits
		 * behind us for a whole slice otherwise */
		sched_yield();
	}
	return arg;
}

static void *forker(void *arg)
{
	uint64_t s = w.seed ^ 0xc2b2ae3d27d4eb4full;
	int st;

	for (;;) {
		int how = (int)(rnd_next(&s) % 3), code = (int)(rnd_next(&s) % 100);
		pid_t c = fork();

		if (c < 0 && (errno == EAGAIN || errno == ENOMEM)) {
			count(C_FORK_LIMIT, 1);         /* the system's limit: later */
			usleep(2000);
			continue;
		}
		BAD(c < 0);
		if (c == 0) {
			if (how == 0)
				_exit(code);
			/* one whose forker is killed before it ends ends
			 * itself a second later (SIGALRM's default) */
			signal(SIGTERM, SIG_DFL);
			alarm(1);
			for (;;)
				pause();
		}
		if (how == 1)
			BAD(kill(c, SIGKILL) != 0);
		else if (how == 2)
			BAD(kill(c, SIGTERM) != 0);
		BAD(waitpid(c, &st, 0) != c);
		if (how == 0)
			BAD(!WIFEXITED(st) || WEXITSTATUS(st) != code);
		else
			BAD(!WIFSIGNALED(st) || WTERMSIG(st) != (how == 1 ? SIGKILL : SIGTERM));
		count(how ? C_CHILD_KILLS : C_FORKS, 1);
		if (how)
			count(C_FORKS, 1);
	}
	return arg;
}

static void on_usr1(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)ctx;
	if (si->si_code == SI_QUEUE && si->si_value.sival_int == 0x5157)
		count(C_SIGS_GOT, 1);
	else
		count(C_BAD, 1);
}

static void worker(int slot, int rd, int wr, int leader, pid_t partner, uint64_t seed)
{
	pthread_t t;

	w = (struct worker){ slot, rd, wr, leader, partner, seed };
	signal(SIGPIPE, SIG_IGN);       /* a partner's end: EPIPE, see whole() */
	if (strchr(parts, 'c'))
		BAD(pthread_create(&t, NULL, caller, NULL) != 0);
	if (strchr(parts, 'm'))
		BAD(pthread_create(&t, NULL, mapper, NULL) != 0);
	if (strchr(parts, 'f'))
		BAD(pthread_create(&t, NULL, forker, NULL) != 0);
	for (;;) {
		if (!strchr(parts, 's'))
			pause();
		/* the partner may be gone: a killed pair's survivor is
		 * killed too, so ESRCH is no error here */
		/* counted first: the receiver may count it before we are back */
		count(C_SIGS_SENT, 1);
		if (w.partner <= 0 || sigqueue(w.partner, SIGUSR1, (union sigval){ .sival_int = 0x5157 }))
			count(C_SIGS_SENT, -1);
		usleep(200 + rnd_next(&w.seed) % 800);
	}
}

/* ---- the parent ----------------------------------------------------------------------- */

struct pair {
	pid_t a, b;
};
static struct pair pairs[MAX_PAIRS];
static unsigned npairs;

/* Two workers joined by two pipes; b learns a's pid through the first. */
static int pair_start(struct pair *p, uint64_t seed)
{
	int ab[2], ba[2];
	pid_t a;

	if (pipe(ab) || pipe(ba))
		return -1;
	a = fork();
	if (a == 0) {
		close(ab[0]);
		close(ba[1]);
		/* b's pid comes once b is up: the parent writes it */
		pid_t b = 0;
		BAD(pt_read_full(ba[0], &b, sizeof(b)) != sizeof(b));
		worker((int)(p - pairs), ba[0], ab[1], 1, b, seed);
	}
	p->a = a;
	p->b = fork();
	if (p->b == 0) {
		close(ab[1]);
		close(ba[0]);
		pid_t me = getpid();
		BAD(pt_write_full(ba[1], &me, sizeof(me)) != sizeof(me));
		worker((int)(p - pairs), ab[0], ba[1], 0, a, seed * 31 + 1);
	}
	close(ab[0]);
	close(ab[1]);
	close(ba[0]);
	close(ba[1]);
	return a > 0 && p->b > 0 ? 0 : -1;
}

/* Kills both; each must have been running (ended by this SIGKILL). */
static int pair_end(struct pair *p)
{
	int st, ok = 1;
	pid_t who[2] = { p->a, p->b };

	sh->ending[p - pairs] = 1;
	kill(p->a, SIGKILL);
	kill(p->b, SIGKILL);
	for (int i = 0; i < 2; i++) {
		if (waitpid(who[i], &st, 0) != who[i]) {
			printf("# stress: waitpid(%d): %s\n", (int)who[i], strerror(errno));
			ok = 0;
		} else if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGKILL) {
			printf("# stress: worker %d ended with status %#x, not by SIGKILL (wrong answer at line %d)\n",
			       (int)who[i], st, sh->bad_line);
			ok = 0;
		}
	}
	sh->ending[p - pairs] = 0;
	return ok;
}

/* /proc/kobjects (Cairn's kernel objects by type) into names and counts;
 * how many lines. */
#define KOBJ_TYPES 32
static int kobjects(char names[KOBJ_TYPES][16], long counts[KOBJ_TYPES], long bytes[KOBJ_TYPES])
{
	FILE *f = fopen("/proc/kobjects", "r");
	int n = 0;

	if (!f)
		return 0;
	while (n < KOBJ_TYPES && fscanf(f, "%15s %ld %ld", names[n], &counts[n], &bytes[n]) == 3)
		n++;
	fclose(f);
	return n;
}

/* The kernel objects whose count changed since the census taken in
 * names0/counts0/bytes0 (a leak hunt's first clue). */
static void kobjects_changed(char names0[KOBJ_TYPES][16], const long *counts0, const long *bytes0, int n0)
{
	char names[KOBJ_TYPES][16];
	long counts[KOBJ_TYPES], bytes[KOBJ_TYPES];
	int n = kobjects(names, counts, bytes);

	(void)names0;                   /* the same types in the same order */
	printf("# stress: kernel objects now (change):");
	for (int i = 0; i < n && i < n0; i++)
		if (counts[i] != counts0[i] || bytes[i] != bytes0[i])
			printf(" %s %ld (%+ld, %+ld bytes)", names[i], counts[i], counts[i] - counts0[i],
			       bytes[i] - bytes0[i]);
	printf("\n");
}

/* The processes still about (a leak hunt's second clue): /proc/PID/stat
 * of each but ours. */
static void processes_left(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	char path[300], line[256];

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9' || atoi(e->d_name) == getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		FILE *f = fopen(path, "r");
		if (f && fgets(line, sizeof(line), f))
			printf("# stress: left: %s", line);
		if (f)
			fclose(f);
		snprintf(path, sizeof(path), "/proc/%s/status", e->d_name);
		f = fopen(path, "r");
		while (f && fgets(line, sizeof(line), f))
			if (!strncmp(line, "Sig", 3) || !strncmp(line, "Shd", 3) || !strncmp(line, "State", 5))
				printf("# stress:   %s", line);
		if (f)
			fclose(f);
	}
	closedir(d);
}

static double seconds = 3;
/* The first storm warms the servers up: their heaps grow to what such a
 * storm needs (about 1 MiB on four CPUs) and stay; the second one's
 * memory must come back (a leak of one thread stack in eight: 680 KiB) */
static int measured;

static void storm(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	long before = pt_mem_free_kb(), after;
	char k_names[KOBJ_TYPES][16];
	long k_counts[KOBJ_TYPES], k_bytes[KOBJ_TYPES];
	int k_n = kobjects(k_names, k_counts, k_bytes);
	uint64_t seed = 0x1234567ull ^ (uint64_t)getpid();
	int64_t t0 = pt_now_ms(), t1, end, next_kill;
	struct sigaction sa;
	int ok = 1;

	/* the workers' handler, theirs from their first instruction on */
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_usr1;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	npairs = (unsigned)(cpus < 1 ? 2 : cpus * 2 > MAX_PAIRS ? MAX_PAIRS : cpus * 2);
	for (unsigned i = 0; i < npairs; i++)
		CHECK(pair_start(&pairs[i], rnd_next(&seed)) == 0);
	/* the storm's time counts from when every pair is up; it goes on
	 * until the parent has killed one pair at least */
	t1 = pt_now_ms();
	end = t1 + (int64_t)(seconds * 1000);
	next_kill = t1 + 300;
	while (pt_now_ms() < end || (!sh->n[C_PAIR_KILLS] && strchr(parts, 'k'))) {
		pt_msleep(50);
		if (sh->n[C_BAD])
			break;
		if (pt_now_ms() >= next_kill && strchr(parts, 'k')) {
			struct pair *p = &pairs[rnd_next(&seed) % npairs];
			ok &= pair_end(p);
			CHECK(pair_start(p, rnd_next(&seed)) == 0);
			count(C_PAIR_KILLS, 1);
			next_kill = pt_now_ms() + 100 + (int64_t)(rnd_next(&seed) % 400);
		}
	}
	for (unsigned i = 0; i < npairs; i++)
		ok &= pair_end(&pairs[i]);
	/* a killed forker's child ends itself within a second (alarm); it
	 * is ours to reap when we are pid 1 (Cairn's --exec), else init's */
	pt_msleep(1200);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	printf("# stress: %u pairs on %ld CPUs (started in %.1f s) for %.1f s:", npairs, cpus,
	       (double)(t1 - t0) / 1000, (double)(pt_now_ms() - t1) / 1000);
	for (int c = 0; c < C_N; c++)
		printf(" %ld %s%s", sh->n[c], c_name[c], c == C_N - 1 ? "\n" : ",");
	CHECK(ok);
	CHECK(sh->n[C_BAD] == 0);
	if (sh->n[C_BAD])
		printf("# stress: first wrong answer at stress.c line %d (errno %s)\n", sh->bad_line,
		       strerror(sh->bad_errno));
	for (int c = 0; c < C_BAD && !strcmp(parts, "cmfsk"); c++)
		if (!sh->n[c])
			FAIL("no %s", c_name[c]);
	/* signals queue: none got that was not sent (the last few sent may
	 * not have arrived before their receiver was killed) */
	CHECK(sh->n[C_SIGS_GOT] <= sh->n[C_SIGS_SENT]);
#ifdef __cairn__
	if (!measured) {
		printf("# stress: MemFree %ld KiB before, %ld KiB after (a warm-up: not checked)\n", before,
		       pt_mem_free_kb());
		kobjects_changed(k_names, k_counts, k_bytes, k_n);
		return;
	}
	/* the servers and the kernel free what the workers had once every
	 * process is reaped; the process and VFS servers' heaps may have
	 * grown and stay grown: up to 512 KiB */
	/* a reap's pages come back when the servers are done with it, and a
	 * killed forker's child ends a second after its alarm, which a busy
	 * host may deliver late: up to 10 s, reaping what ends meanwhile (a
	 * leak stays short however long we wait) */
	for (int i = 0; i < 200 && (after = pt_mem_free_kb()) < before - 512; i++) {
		pt_msleep(50);
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
	}
	printf("# stress: MemFree %ld KiB before, %ld KiB after\n", before, after);
	kobjects_changed(k_names, k_counts, k_bytes, k_n);
	if (after < before - 512)
		processes_left();
	CHECK(before > 0 && after >= before - 512);
#else
	(void)after;
	(void)before;
#endif
}

int main(int argc, char **argv)
{
	pt_prefix = "stress";
	if (argc > 1)
		seconds = atof(argv[1]);
	if (argc > 2)
		parts = argv[2];
	if (argc > 3 || seconds <= 0 || !parts[0] || strspn(parts, "cmfsk") != strlen(parts)) {
		printf("usage: stress [SECONDS [PARTS: letters of cmfsk]]\n");
		return 2;
	}
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		printf("stress: shared mapping: %s\n", strerror(errno));
		return 1;
	}
	memset((void *)sh, 0, sizeof(*sh));
	run("warm_up", storm);
	measured = 1;
	memset((void *)sh, 0, sizeof(*sh));
	run("storm", storm);
	return finish();
}
