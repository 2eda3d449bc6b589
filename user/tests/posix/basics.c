// SPDX-License-Identifier: MIT
/*
 * The basics of musl-port, from an ordinary C program built with
 * <arch>-cairn-gcc and run with ./qemu-run.sh --exec: stdio and printf,
 * malloc, brk, anonymous mmap/munmap/mprotect/mremap/madvise, clocks and
 * sleeping, getrandom, the tty descriptors, ids, uname, sigaction and the
 * mask, futex for one thread, TLS, and a system call that is not
 * implemented (ENOSYS; the dispatcher says so once: make test counts the
 * message). Each test prints `ok N posix.NAME` or `not ok N posix.NAME:
 * why`, then `N passed, N failed`; the exit status is the number of
 * failures. The list make test expects: tests/harness/expected/posix-basics.txt.
 * Files, pipes, processes and signals: files.c, io.c, procs.c, signals.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/utsname.h>

#define PAGE 4096

#include "posixtest.h"
#include <test/arch.h>

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int64_t now_ns(clockid_t c)
{
	struct timespec ts;

	if (clock_gettime(c, &ts))
		return -1;
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int same(const char *got, const char *want)
{
	if (strcmp(got, want))
		return FAIL("got \"%s\", want \"%s\"", got, want);
	return 1;
}

/* ---- stdio ---- */

static void printf_strings(void)
{
	char b[128];

	snprintf(b, sizeof(b), "[%s|%-5s|%5s|%.2s|%c]", "abc", "ab", "ab", "abcdef", 'z');
	same(b, "[abc|ab   |   ab|ab|z]");
	const char *volatile longer = "truncated";
	CHECK(snprintf(b, 4, "%s", longer) == 9 && !strcmp(b, "tru"));
	CHECK(printf("posix: printf to stdout, %s\n", "line buffered") ==
	      (int)strlen("posix: printf to stdout, line buffered\n"));
}

static void printf_ints(void)
{
	char b[200];

	snprintf(b, sizeof(b), "%d %i %u %x %X %o %ld %lld %zu %+d % d %05d %#x %hhd", INT_MIN, -1,
		 UINT_MAX, 0xbeef, 0xbeef, 8, LONG_MAX, LLONG_MIN, (size_t)-1, 5, 5, -42, 255, 300);
	same(b, "-2147483648 -1 4294967295 beef BEEF 10 9223372036854775807 -9223372036854775808 "
		"18446744073709551615 +5  5 -0042 0xff 44");
}

static void printf_floats(void)
{
	char b[200];

	snprintf(b, sizeof(b), "%.3f %e %g %g %.17g %f %f %.1f %a", 3.14159, 12345.678, 0.0001, 1e20,
		 0.1, INFINITY, -NAN, -0.05, 1.0);
	same(b, "3.142 1.234568e+04 0.0001 1e+20 0.10000000000000001 inf -nan -0.1 0x1p+0");
	CHECK(strtod("2.5e3", NULL) == 2500.0 && strtod("-0x1p-2", NULL) == -0.25);
	CHECK(fabs(sqrt(2.0) - 1.4142135623730951) < 1e-15 && pow(2, 10) == 1024.0);
	CHECK(fabs(sin(M_PI / 6) - 0.5) < 1e-15 && floor(-1.5) == -2.0 && lround(2.5) == 3);
	volatile float f = 1.0f / 3.0f;
	CHECK(f > 0.3333f && f < 0.3334f);
}

static void stdout_long_write(void)
{
	static char line[4100 + 32];
	size_t len;

	strcpy(line, "posix: a line longer than one console message: ");
	len = strlen(line);
	memset(line + len, '.', sizeof(line) - len - 2);
	line[sizeof(line) - 2] = '\n';
	CHECK(write(1, line, sizeof(line) - 1) == (ssize_t)sizeof(line) - 1);
	CHECK(fprintf(stderr, "posix: to stderr, %s\n", "unbuffered") ==
	      (int)strlen("posix: to stderr, unbuffered\n"));
}

/* ---- malloc ---- */

static void malloc_many(void)
{
	enum { N = 4000 };
	static unsigned char *p[N];
	static size_t sz[N];

	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < N; i++) {
			sz[i] = 1 + next() % (i % 50 ? 300 : 20000);
			p[i] = malloc(sz[i]);
			if (!CHECK(p[i]))
				return;
			memset(p[i], (unsigned char)i, sz[i]);
		}
		for (int k = 0; k < N; k++) {   /* free in a shuffled order, checking contents */
			int i = (int)((k * 7919u + round) % N);
			if (p[i][0] != (unsigned char)i || p[i][sz[i] - 1] != (unsigned char)i)
				FAIL("block %d overwritten", i);
			free(p[i]);
		}
	}
}

static void realloc_grow_shrink(void)
{
	unsigned char *p = NULL, *q;
	size_t size = 1, old = 0;

	for (; size <= (1u << 21); size *= 2) {
		q = realloc(p, size);
		if (!CHECK(q))
			break;
		for (size_t i = 0; i < old; i++)
			if (q[i] != (unsigned char)(i * 31))
				return (void)FAIL("contents lost growing to %zu", size);
		for (size_t i = old; i < size; i++)
			q[i] = (unsigned char)(i * 31);
		p = q;
		old = size;
	}
	q = realloc(p, 100);
	CHECK(q && q[99] == (unsigned char)(99 * 31));
	free(q);
	CHECK(realloc(NULL, 10) != NULL);
}

static void calloc_zeroed(void)
{
	unsigned char *p = calloc(50000, 4);

	if (CHECK(p)) {
		for (size_t i = 0; i < 200000; i++)
			if (p[i])
				return (void)FAIL("byte %zu not zero", i);
		free(p);
	}
	errno = 0;
	volatile size_t half = SIZE_MAX / 2;
	CHECK(calloc(half, 4) == NULL && errno == ENOMEM);
}

static void malloc_large_reused(void)
{
	for (int i = 0; i < 6; i++) {
		size_t size = (8u << 20) + (size_t)i * 4096;
		char *p = malloc(size);

		if (!CHECK(p))
			return;
		for (size_t j = 0; j < size; j += PAGE)
			p[j] = (char)j;
		CHECK(p[size - PAGE] == (char)(size - PAGE));
		free(p);
	}
	errno = 0;
	CHECK(malloc((size_t)1 << 40) == NULL && errno == ENOMEM);
}

/* ---- brk ---- */

static void brk_grow_shrink(void)
{
	/* musl's sbrk() only reads the break and brk() always fails (its
	 * malloc uses the system call itself): the raw call moves it */
	char *start = sbrk(0);
	long end;

	if (!CHECK(start != (void *)-1 && (long)start == syscall(SYS_brk, 0)))
		return;
	end = (long)start + 3 * PAGE + 100;
	CHECK(syscall(SYS_brk, end) == end && sbrk(0) == (void *)end);
	memset(start, 0x5a, 3 * PAGE + 100);
	end += 40 * PAGE;                    /* past what was mapped ahead */
	CHECK(syscall(SYS_brk, end) == end);
	CHECK(((char *)end)[-1] == 0 && start[3 * PAGE + 99] == 0x5a);
	((char *)end)[-1] = 1;
	CHECK(syscall(SYS_brk, (long)start) == (long)start && sbrk(0) == start);
	CHECK(syscall(SYS_brk, end) == end && ((char *)end)[-1] == 0);   /* fresh memory again */
	CHECK(syscall(SYS_brk, (long)start) == (long)start);
	/* the break stays where it was when it cannot move */
	CHECK(syscall(SYS_brk, 1L << 46) == (long)start);
	CHECK(syscall(SYS_brk, 4096) == (long)start);
	errno = 0;
	CHECK(sbrk(PAGE) == (void *)-1 && errno == ENOMEM);
	CHECK(brk(start) == -1 && errno == ENOMEM);
}

/* ---- mmap ---- */

static void mmap_anon(void)
{
	unsigned char *p = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char *s;

	if (!CHECK(p != MAP_FAILED))
		return;
	CHECK(((uintptr_t)p & (PAGE - 1)) == 0);
	for (int i = 0; i < 3 * PAGE; i++)
		if (p[i])
			return (void)FAIL("byte %d not zero", i);
	memset(p, 7, 3 * PAGE);
	CHECK(munmap(p, 3 * PAGE) == 0);
	s = mmap(NULL, 100, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (CHECK(s != MAP_FAILED)) {
		strcpy((char *)s, "shared");
		CHECK(!strcmp((char *)s, "shared") && munmap(s, 100) == 0);
	}
}

static void mmap_errors(void)
{
	ERRNO((long)mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), EINVAL);
	ERRNO((long)mmap(NULL, PAGE, PROT_READ, MAP_ANONYMOUS, -1, 0), EINVAL);
	ERRNO((long)mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 100), EINVAL);
	ERRNO((long)mmap(NULL, PAGE, 0x40, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), EINVAL);
	ERRNO((long)mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, 9, 0), EBADF);
	ERRNO((long)mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, 1, 0), ENODEV);
	ERRNO((long)mmap(NULL, (size_t)1 << 46, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), ENOMEM);
	ERRNO((long)mmap((void *)0x10000001, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
	      EINVAL);
	ERRNO(munmap((void *)0x10000001, PAGE), EINVAL);
	ERRNO(munmap((void *)0x10000000, 0), EINVAL);
	CHECK(munmap((void *)0x10000000, PAGE) == 0);   /* nothing there: fine */
}

static void munmap_partial_and_fixed(void)
{
	char *p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), *q;

	if (!CHECK(p != MAP_FAILED))
		return;
	memset(p, 1, 4 * PAGE);
	CHECK(munmap(p + PAGE, 2 * PAGE) == 0);
	CHECK(p[0] == 1 && p[3 * PAGE] == 1);
	q = mmap(p + PAGE, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
		 -1, 0);
	CHECK(q == p + PAGE && q[0] == 0 && q[2 * PAGE - 1] == 0);
	ERRNO((long)mmap(p, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0), EEXIST);
	q = mmap(p + 3 * PAGE, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK(q == p + 3 * PAGE && q[0] == 0 && p[0] == 1);
	CHECK(munmap(p, 4 * PAGE) == 0);
	/* a MAP_FIXED over something that is not mmap's (the program itself) is refused */
	ERRNO((long)mmap((void *)((uintptr_t)&mmap_errors & ~(uintptr_t)(PAGE - 1)), PAGE, PROT_READ,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0), ENOMEM);
}

static void mprotect_ranges(void)
{
	char *p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (!CHECK(p != MAP_FAILED))
		return;
	strcpy(p + PAGE, "kept");
	CHECK(mprotect(p + PAGE, PAGE, PROT_READ) == 0 && !strcmp(p + PAGE, "kept"));
	CHECK(mprotect(p, 4 * PAGE, PROT_NONE) == 0);
	CHECK(mprotect(p, 4 * PAGE, PROT_READ | PROT_WRITE) == 0 && !strcmp(p + PAGE, "kept"));
	p[PAGE] = 'K';
	CHECK(!strcmp(p + PAGE, "Kept"));
	CHECK(mprotect(p, 0, PROT_READ) == 0);
	ERRNO(syscall(SYS_mprotect, p + 1, PAGE, PROT_READ), EINVAL);
	ERRNO(mprotect(p, PAGE, 0x100), EINVAL);
	CHECK(munmap(p + 2 * PAGE, PAGE) == 0);
	ERRNO(mprotect(p, 4 * PAGE, PROT_READ), ENOMEM);   /* a hole in the range */
	CHECK(munmap(p, 4 * PAGE) == 0);
}

/* mlock and friends: a mapped range locks (its pages present), one with
 * a hole is ENOMEM, bad flags EINVAL, mlockall and munlockall work */
static void mlock_ranges(void)
{
	char *p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (!CHECK(p != MAP_FAILED))
		return;
	CHECK(mlock(p, 4 * PAGE) == 0 && munlock(p, 4 * PAGE) == 0);
	CHECK(mlock(p + 1, 10) == 0 && munlock(p + 1, 10) == 0);     /* rounded to pages */
	p[0] = 1;
	CHECK(mlock(p, 0) == 0);
	CHECK(munmap(p + 2 * PAGE, PAGE) == 0);
	ERRNO(mlock(p, 4 * PAGE), ENOMEM);                 /* a hole */
	ERRNO(mlockall(0), EINVAL);
	ERRNO(mlockall(0x100), EINVAL);
	CHECK(mlockall(MCL_CURRENT) == 0 && munlockall() == 0);
	CHECK(mlockall(MCL_CURRENT | MCL_FUTURE) == 0 && munlockall() == 0);
	CHECK(munmap(p, 4 * PAGE) == 0);
}

/* msync(MS_INVALIDATE) of locked pages is EBUSY: mlock's range only,
 * mlockall's current mappings (and with MCL_FUTURE the later ones), not
 * after munlock or munlockall, nor in a fork's child */
static void msync_locked(void)
{
	char *p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), *q;
	pid_t pid;

	if (!CHECK(p != MAP_FAILED))
		return;
	CHECK(msync(p, 4 * PAGE, MS_INVALIDATE) == 0);
	CHECK(mlock(p + PAGE, PAGE) == 0);
	CHECK(msync(p, PAGE, MS_INVALIDATE) == 0 && msync(p + 2 * PAGE, 2 * PAGE, MS_INVALIDATE) == 0);
	ERRNO(msync(p, 2 * PAGE, MS_INVALIDATE), EBUSY);
	CHECK(msync(p + PAGE, PAGE, MS_SYNC) == 0);
	fflush(stdout);
	pid = fork();
	if (pid == 0)
		_exit(msync(p, 4 * PAGE, MS_INVALIDATE) == 0 ? 0 : 1);
	REAP(pid, 0);
	CHECK(munlock(p + PAGE, PAGE) == 0 && msync(p, 4 * PAGE, MS_INVALIDATE) == 0);
	CHECK(mlockall(MCL_CURRENT) == 0);
	ERRNO(msync(p + 3 * PAGE, PAGE, MS_INVALIDATE), EBUSY);
	q = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (CHECK(q != MAP_FAILED))
		CHECK(msync(q, PAGE, MS_INVALIDATE) == 0 && munmap(q, PAGE) == 0);
	CHECK(munlockall() == 0 && msync(p, 4 * PAGE, MS_INVALIDATE) == 0);
	CHECK(mlockall(MCL_FUTURE) == 0 && msync(p, 4 * PAGE, MS_INVALIDATE) == 0);
	q = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (CHECK(q != MAP_FAILED)) {
		ERRNO(msync(q, PAGE, MS_INVALIDATE), EBUSY);
		CHECK(munmap(q, PAGE) == 0);
	}
	CHECK(munlockall() == 0);
	CHECK(munmap(p, 4 * PAGE) == 0);
}

static void mmap_reserve_then_commit(void)
{
	char *p = mmap(NULL, 64 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (!CHECK(p != MAP_FAILED))
		return;
	CHECK(mprotect(p + 10 * PAGE, 2 * PAGE, PROT_READ | PROT_WRITE) == 0);
	CHECK(p[10 * PAGE] == 0 && p[12 * PAGE - 1] == 0);
	memset(p + 10 * PAGE, 3, 2 * PAGE);
	CHECK(mprotect(p + 40 * PAGE, PAGE, PROT_READ | PROT_WRITE) == 0 && p[40 * PAGE] == 0);
	CHECK(munmap(p, 64 * PAGE) == 0);
	/* a large reservation: only what is made accessible gets memory */
	p = mmap(NULL, (size_t)1 << 32, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (CHECK(p != MAP_FAILED)) {
		CHECK(mprotect(p + ((size_t)1 << 31), PAGE, PROT_READ | PROT_WRITE) == 0);
		p[((size_t)1 << 31) + 5] = 5;
		CHECK(munmap(p, (size_t)1 << 32) == 0);
	}
}

static void mremap_grow_shrink(void)
{
	char *p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), *q, *r;

	if (!CHECK(p != MAP_FAILED))
		return;
	strcpy(p, "moved along");
	/* its second page stays behind: growing the first in place is impossible */
	r = p + PAGE;
	CHECK(mprotect(r, PAGE, PROT_READ) == 0);
	ERRNO((long)mremap(p, PAGE, 3 * PAGE, 0), ENOMEM);
	q = mremap(p, PAGE, 3 * PAGE, MREMAP_MAYMOVE);
	if (CHECK(q != MAP_FAILED)) {
		CHECK(q != p && !strcmp(q, "moved along") && q[3 * PAGE - 1] == 0);
		q[3 * PAGE - 1] = 1;
		CHECK(mremap(q, 3 * PAGE, PAGE, 0) == q && !strcmp(q, "moved along"));
		CHECK(munmap(q, PAGE) == 0);
	}
	CHECK(munmap(r, PAGE) == 0);
	ERRNO((long)mremap((void *)0x10000000, PAGE, 2 * PAGE, MREMAP_MAYMOVE), EFAULT);
}

static void madvise_dontneed(void)
{
	char *p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (!CHECK(p != MAP_FAILED))
		return;
	memset(p, 9, 2 * PAGE);
	CHECK(madvise(p, 2 * PAGE, MADV_WILLNEED) == 0 && p[0] == 9);
	CHECK(madvise(p, 2 * PAGE, MADV_DONTNEED) == 0 && p[0] == 0 && p[2 * PAGE - 1] == 0);
	ERRNO(madvise(p, PAGE, 12345), EINVAL);
	ERRNO(madvise(p + 1, PAGE, MADV_NORMAL), EINVAL);
	CHECK(munmap(p, 2 * PAGE) == 0);
}

static void mmap_many(void)
{
	enum { N = 300 };
	static char *p[N];

	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < N; i++) {
			p[i] = mmap(NULL, PAGE * (1 + i % 3), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (!CHECK(p[i] != MAP_FAILED))
				return;
			p[i][0] = (char)i;
		}
		for (int i = 0; i < N; i++)
			CHECK(p[i][0] == (char)i && munmap(p[i], PAGE * (1 + i % 3)) == 0);
	}
}

/* ---- time ---- */

static void clock_monotonic(void)
{
	int64_t prev = now_ns(CLOCK_MONOTONIC), t = prev, start = prev;
	volatile unsigned spin = 0;

	CHECK(prev > 0);
	for (int i = 0; i < 1000; i++) {
		t = now_ns(CLOCK_MONOTONIC);
		if (t < prev)
			return (void)FAIL("went back from %lld to %lld", (long long)prev, (long long)t);
		prev = t;
		for (int j = 0; j < 200; j++)
			spin++;
	}
	CHECK(t > start);
}

static void clock_realtime(void)
{
	struct timeval tv;
	struct timezone tz = { 1, 1 };
	int64_t rt = now_ns(CLOCK_REALTIME), tv_ns;

	CHECK(rt >= 0 && gettimeofday(&tv, NULL) == 0);
	/* the real-time clock's date, not the time since boot (after 2020) */
	CHECK(rt / 1000000000 > 1577836800);
	tv_ns = (int64_t)tv.tv_sec * 1000000000 + tv.tv_usec * 1000;
	CHECK(tv_ns >= rt - 1000 && tv_ns - rt < 1000000000);
	CHECK(syscall(SYS_gettimeofday, &tv, &tz) == 0 && tz.tz_minuteswest == 0);
	CHECK(time(NULL) >= 0 && now_ns(CLOCK_BOOTTIME) > 0 && now_ns(CLOCK_MONOTONIC_COARSE) > 0);
	ERRNO(clock_gettime(12345, &(struct timespec){ 0 }), EINVAL);
}

static void nanosleep_at_least(void)
{
	struct timespec req = { 0, 30 * 1000 * 1000 }, rem = { 7, 7 };
	int64_t t0 = now_ns(CLOCK_MONOTONIC), t1;

	CHECK(nanosleep(&req, &rem) == 0);
	t1 = now_ns(CLOCK_MONOTONIC);
	CHECK(took_ok(30 * 1000 * 1000, t1 - t0));
	CHECK(usleep(5000) == 0 && took_ok(5 * 1000 * 1000, now_ns(CLOCK_MONOTONIC) - t1));
	CHECK(nanosleep(&(struct timespec){ 0, 0 }, NULL) == 0);
}

/* A 1 ms sleep takes 1 ms and, under -icount, less than 2: ten of them. */
static void nanosleep_1ms(void)
{
	int64_t worst = 0;

	for (int i = 0; i < 10; i++) {
		int64_t t0 = now_ns(CLOCK_MONOTONIC), d;
		CHECK(nanosleep(&(struct timespec){ 0, 1000 * 1000 }, NULL) == 0);
		d = now_ns(CLOCK_MONOTONIC) - t0;
		CHECK(d >= 1000 * 1000);
		if (d > worst)
			worst = d;
	}
	if (pt_icount) {
		printf("# posix.nanosleep_1ms: the longest of ten took %lld ns\n", (long long)worst);
		CHECK(worst < 2000 * 1000);
	}
}

static void nanosleep_errors(void)
{
	ERRNO(nanosleep(&(struct timespec){ 0, 1000000000 }, NULL), EINVAL);
	ERRNO(nanosleep(&(struct timespec){ -1, 0 }, NULL), EINVAL);
	ERRNO(nanosleep(&(struct timespec){ 0, -1 }, NULL), EINVAL);
	CHECK(clock_nanosleep(CLOCK_MONOTONIC, 0, &(struct timespec){ 0, 1000000000 }, NULL) == EINVAL);
	CHECK(clock_nanosleep(12345, 0, &(struct timespec){ 0, 1 }, NULL) == EINVAL);
}

static void clock_nanosleep_abstime(void)
{
	int64_t deadline = now_ns(CLOCK_MONOTONIC) + 20 * 1000 * 1000;
	struct timespec ts = { deadline / 1000000000, deadline % 1000000000 };

	CHECK(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == 0);
	CHECK(took_ok(20 * 1000 * 1000, now_ns(CLOCK_MONOTONIC) - (deadline - 20 * 1000 * 1000)));
	/* a deadline in the past returns at once */
	ts.tv_sec = 0;
	CHECK(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == 0);
}

/* ---- random ---- */

static void getrandom_bytes(void)
{
	unsigned char a[64] = { 0 }, b[64] = { 0 }, z[64] = { 0 };

	CHECK(getrandom(a, sizeof(a), 0) == sizeof(a) && getrandom(b, sizeof(b), GRND_NONBLOCK) == sizeof(b));
	CHECK(memcmp(a, z, sizeof(a)) && memcmp(a, b, sizeof(a)));
	ERRNO(getrandom(a, sizeof(a), 0x100), EINVAL);
	CHECK(getentropy(a, 32) == 0);
	ERRNO(getentropy(a, 300), EIO);
	CHECK(getrandom(a, 0, 0) == 0);
}

/* ---- not implemented ---- */

static void unimplemented_enosys(void)
{
	/* process accounting: not in Cairn. The dispatcher says so once. */
	ERRNO(acct("/nowhere"), ENOSYS);
	ERRNO(acct(NULL), ENOSYS);
	ERRNO(syscall(SYS_acct, 0), ENOSYS);
	ERRNO(syscall(100000), ENOSYS);
}

/* ---- the process ---- */

static void ids(void)
{
	/* the first process of ./qemu-run.sh --exec: pid 1, no parent */
	CHECK(getpid() > 0 && getpid() == getpid() && gettid() == getpid());
	CHECK(getpid() != 1 || getppid() == 0);
	CHECK(getuid() == 0 && geteuid() == 0 && getgid() == 0 && getegid() == 0);
}

static void uname_cairn(void)
{
	struct utsname u;

	CHECK(uname(&u) == 0 && !strcmp(u.sysname, "Cairn"));
	CHECK(!strcmp(u.machine, TEST_ARCH_NAME));
}

static void tty_descriptors(void)
{
	struct termios t;
	struct winsize ws;
	char c;
	int fl;

	CHECK(isatty(0) && isatty(1) && isatty(2));
	errno = 0;
	CHECK(!isatty(7) && errno == EBADF);
	CHECK(tcgetattr(1, &t) == 0 && (t.c_lflag & ICANON) && (t.c_oflag & OPOST));
	CHECK(ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_col == 80 && ws.ws_row == 24);
	/* nobody types: a nonblocking read of the tty says so */
	fl = fcntl(0, F_GETFL);
	CHECK(fl >= 0 && fcntl(0, F_SETFL, fl | O_NONBLOCK) == 0);
	ERRNO(read(0, &c, 1), EAGAIN);
	CHECK(fcntl(0, F_SETFL, fl) == 0);
	ERRNO(write(9, "x", 1), EBADF);
	ERRNO(read(9, &c, 1), EBADF);
	ERRNO(close(9), EBADF);
	ERRNO(lseek(1, 0, SEEK_SET), ESPIPE);
}

static void on_usr1(int sig)
{
	(void)sig;
}

static void sigaction_mask(void)
{
	struct sigaction sa = { 0 }, old;
	sigset_t set, cur;

	sa.sa_handler = on_usr1;
	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(SIGUSR1, &sa, NULL) == 0);
	CHECK(sigaction(SIGUSR1, NULL, &old) == 0 && old.sa_handler == on_usr1);
	ERRNO(sigaction(SIGKILL, &sa, NULL), EINVAL);
	ERRNO(sigaction(0, &sa, NULL), EINVAL);
	CHECK(signal(SIGUSR1, SIG_DFL) == on_usr1);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGKILL);
	CHECK(sigprocmask(SIG_BLOCK, &set, NULL) == 0);
	CHECK(sigprocmask(SIG_SETMASK, NULL, &cur) == 0 && sigismember(&cur, SIGUSR2) &&
	      !sigismember(&cur, SIGKILL));
	CHECK(sigprocmask(SIG_UNBLOCK, &set, &cur) == 0 && sigismember(&cur, SIGUSR2));
	ERRNO(sigprocmask(99, &set, NULL), EINVAL);
}

static void futex_one_thread(void)
{
	int word = 1;
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int64_t t0;

	ERRNO(syscall(SYS_futex, &word, 0 /* FUTEX_WAIT */, 2, NULL), EAGAIN);
	CHECK(syscall(SYS_futex, &word, 1 /* FUTEX_WAKE */, 1) == 0);
	t0 = now_ns(CLOCK_MONOTONIC);
	ERRNO(syscall(SYS_futex, &word, 128 /* FUTEX_WAIT | FUTEX_PRIVATE */, 1, &ts), ETIMEDOUT);
	CHECK(now_ns(CLOCK_MONOTONIC) - t0 >= 10 * 1000 * 1000);
	ERRNO(syscall(SYS_futex, (char *)&word + 1, 0, 1, NULL), EINVAL);
	CHECK(sched_yield() == 0);
}

static __thread int tls_counter = 41;
static __thread char tls_buf[64];

static void tls_and_errno(void)
{
	tls_counter++;
	strcpy(tls_buf, "thread-local");
	CHECK(tls_counter == 42 && !strcmp(tls_buf, "thread-local"));
	errno = 0;
	CHECK(close(99) == -1 && errno == EBADF && *__errno_location() == EBADF);
}

static jmp_buf jb;
static void jump(int v) { longjmp(jb, v); }

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static void libc_sanity(void)
{
	volatile int reached = 0;
	int v[100], key = 4242, *hit;
	char buf[64];

	if (setjmp(jb) == 0) {
		reached = 1;
		jump(7);
	}
	CHECK(reached == 1);
	for (int i = 0; i < 100; i++)
		v[i] = (int)(next() % 10000);
	v[50] = key;
	qsort(v, 100, sizeof(v[0]), cmp_int);
	for (int i = 1; i < 100; i++)
		if (v[i - 1] > v[i])
			return (void)FAIL("qsort out of order at %d", i);
	hit = bsearch(&key, v, 100, sizeof(v[0]), cmp_int);
	CHECK(hit && *hit == key);
	CHECK(strtol("-0x7f", NULL, 16) == -127 && atoi("  12z") == 12);
	CHECK(sscanf("17 abc 2.5", "%d %3s %lf", &key, buf, &(double){ 0 }) == 3 && key == 17);
	CHECK(strlen(strerror(ENOSYS)) > 0 && !strcmp(strerror(ENOENT), "No such file or directory"));
}

int main(int argc, char **argv)
{
	printf("posix: musl-port basics, argv[0]=%s argc=%d\n", argv[0], argc);
	pt_select(argc, argv);
	run_named("printf_strings", printf_strings);
	run_named("printf_ints", printf_ints);
	run_named("printf_floats", printf_floats);
	run_named("stdout_long_write", stdout_long_write);
	run_named("malloc_many", malloc_many);
	run_named("realloc_grow_shrink", realloc_grow_shrink);
	run_named("calloc_zeroed", calloc_zeroed);
	run_named("malloc_large_reused", malloc_large_reused);
	run_named("brk_grow_shrink", brk_grow_shrink);
	run_named("mmap_anon", mmap_anon);
	run_named("mmap_errors", mmap_errors);
	run_named("munmap_partial_and_fixed", munmap_partial_and_fixed);
	run_named("mprotect_ranges", mprotect_ranges);
	run_named("mlock_ranges", mlock_ranges);
	run_named("msync_locked", msync_locked);
	run_named("mmap_reserve_then_commit", mmap_reserve_then_commit);
	run_named("mremap_grow_shrink", mremap_grow_shrink);
	run_named("madvise_dontneed", madvise_dontneed);
	run_named("mmap_many", mmap_many);
	run_named("clock_monotonic", clock_monotonic);
	run_named("clock_realtime", clock_realtime);
	run_named("nanosleep_at_least", nanosleep_at_least);
	run_named("nanosleep_1ms", nanosleep_1ms);
	run_named("nanosleep_errors", nanosleep_errors);
	run_named("clock_nanosleep_abstime", clock_nanosleep_abstime);
	run_named("getrandom_bytes", getrandom_bytes);
	run_named("unimplemented_enosys", unimplemented_enosys);
	run_named("ids", ids);
	run_named("uname_cairn", uname_cairn);
	run_named("tty_descriptors", tty_descriptors);
	run_named("sigaction_mask", sigaction_mask);
	run_named("futex_one_thread", futex_one_thread);
	run_named("tls_and_errno", tls_and_errno);
	run_named("libc_sanity", libc_sanity);
	return finish();
}
