// SPDX-License-Identifier: MIT
/*
 * Threads and mappings bounded by memory only, not by tables: 1,000
 * threads alive at once (small stacks), each seen running with its own
 * thread id, then released and joined with its value; 10,000 live
 * anonymous mmaps of a page each (every other one read-only, so that no
 * two neighbours are alike, and every fifth MAP_SHARED), each written and
 * read back, then unmapped; then a mapping past the end of the first
 * round still works. On Cairn these go through musl-port's thread list and
 * piece table, the process server's per-thread state and the kernel's
 * capability table, which all grow on demand; the program needs a quota
 * that pays for them (tests/run-all.sh gives it --quota 100M: a thread
 * costs about 53 KiB of it, a live page-sized mmap about 4.4 KiB).
 *
 * It passes on Linux, built on the host:
 *   gcc -std=gnu11 -O2 -Wall -Wextra -Werror -Iuser/tests/posix -Iuser/lib/include \
 *       -o /tmp/limits user/tests/posix/limits.c user/tests/posix/lib/child.c \
 *       user/tests/posix/lib/test_musl.c user/lib/test.c -lpthread
 * Expected list: tests/harness/expected/posix-limits.txt.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include "posixtest.h"

#define NTHREADS     1000
#define THREAD_STACK (16 << 10)
#define NMAPS        10000

/* ---- threads ------------------------------------------------------------------------------- */

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv_started = PTHREAD_COND_INITIALIZER, cv_go = PTHREAD_COND_INITIALIZER;
static unsigned started;
static int go;
static long tids[NTHREADS];

/* Counts itself in, then waits for the word to go: while the main thread
 * sees every one counted, all of them are alive. */
static void *alive(void *arg)
{
	uintptr_t i = (uintptr_t)arg;

	pthread_mutex_lock(&mu);
	tids[i] = syscall(SYS_gettid);
	started++;
	pthread_cond_signal(&cv_started);
	while (!go)
		pthread_cond_wait(&cv_go, &mu);
	pthread_mutex_unlock(&mu);
	return (void *)(i * 3 + 1);
}

static int by_value(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

static void thousand_threads(void)
{
	static pthread_t t[NTHREADS];
	pthread_attr_t a;
	unsigned n, bad = 0;
	int e = 0;
	void *r;

	CHECK(!pthread_attr_init(&a) && !pthread_attr_setstacksize(&a, THREAD_STACK));
	for (n = 0; n < NTHREADS; n++)
		if ((e = pthread_create(&t[n], &a, alive, (void *)(uintptr_t)n)))
			break;
	if (n < NTHREADS)
		FAIL("only %u threads made: %s", n, strerror(e));
	pthread_mutex_lock(&mu);
	while (started < n)
		pthread_cond_wait(&cv_started, &mu);
	go = 1;
	pthread_cond_broadcast(&cv_go);
	pthread_mutex_unlock(&mu);
	for (unsigned i = 0; i < n; i++)
		if (pthread_join(t[i], &r) || (uintptr_t)r != i * 3 + 1)
			bad++;
	CHECK(bad == 0);
	/* each had a thread id of its own, none the process's */
	qsort(tids, n, sizeof(tids[0]), by_value);
	for (unsigned i = 0; i < n; i++)
		if (tids[i] <= 0 || tids[i] == (long)getpid() || (i && tids[i] == tids[i - 1]))
			bad++;
	CHECK(bad == 0);
	pthread_attr_destroy(&a);
}

/* ---- mappings ------------------------------------------------------------------------------ */

static void ten_thousand_mmaps(void)
{
	static unsigned char *m[NMAPS];
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	unsigned n, bad = 0;
	unsigned char *more;

	for (n = 0; n < NMAPS; n++) {
		int flags = (n % 5 ? MAP_PRIVATE : MAP_SHARED) | MAP_ANONYMOUS;
		m[n] = mmap(NULL, pg, PROT_READ | PROT_WRITE, flags, -1, 0);
		if (m[n] == MAP_FAILED)
			break;
		m[n][0] = (unsigned char)n;
		m[n][pg - 1] = (unsigned char)(n >> 8);
		if (n % 2 && mprotect(m[n], pg, PROT_READ)) {
			munmap(m[n], pg);
			break;
		}
	}
	if (n < NMAPS)
		FAIL("only %u mmaps made: %s", n, strerror(errno));
	for (unsigned i = 0; i < n; i++)
		if (m[i][0] != (unsigned char)i || m[i][pg - 1] != (unsigned char)(i >> 8))
			bad++;
	CHECK(bad == 0);
	for (unsigned i = 0; i < n; i++)
		if (munmap(m[i], pg))
			bad++;
	CHECK(bad == 0);
	/* and afterwards a mapping of many pages, written at its end */
	more = mmap(NULL, pg * 64, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(more != MAP_FAILED);
	if (more != MAP_FAILED) {
		more[pg * 63] = 7;
		CHECK(more[pg * 63] == 7 && !munmap(more, pg * 64));
	}
}

int main(int argc, char **argv)
{
	pt_prefix = "limits";
	pt_select(argc, argv);
	run_named("thousand_threads", thousand_threads);
	run_named("ten_thousand_mmaps", ten_thousand_mmaps);
	return finish();
}
