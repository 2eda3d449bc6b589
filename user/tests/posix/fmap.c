// SPDX-License-Identifier: MIT
/*
 * Regular files as a program sees them when their bytes travel through
 * shared pages (docs/vfs.md, "File pages"; musl-port's fmap.c): one
 * offset shared by a description's holders across fork and dup, O_APPEND
 * from two processes, growth and truncation seen by every holder, stat's
 * size and mtime after in-place writes, many files at once, and mmap:
 * MAP_SHARED writes reaching the file and the file's reaching the
 * mapping, MAP_PRIVATE copy-on-write, SIGBUS past the end, the access
 * time an mmap moves, msync,
 * mprotect, a mapping outliving its file's name and descriptor; POSIX
 * shared memory (shm_open in /dev/shm) and named and process-shared
 * semaphores between a parent and its child. Every test passes on Linux
 * too. Expected list:
 * tests/harness/expected/posix-fmap.txt.
 */
#define _GNU_SOURCE
#include <semaphore.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include "posixtest.h"

#define PAGE 4096

static char base[256];

static const char *path(const char *name)
{
	static char p[2][320];
	static int k;

	k ^= 1;
	snprintf(p[k], sizeof(p[k]), "%s/%s", base, name);
	return p[k];
}

/* A file holding the n bytes of s (repeated), open with flags. */
static int make(const char *name, const char *s, size_t n, int flags)
{
	int fd = open(path(name), O_CREAT | O_TRUNC | O_RDWR, 0644);
	size_t len = strlen(s);

	for (size_t i = 0; fd >= 0 && i < n; i += len)
		if (write(fd, s, n - i < len ? n - i : len) < 0)
			return -1;
	if (fd >= 0)
		close(fd);
	return open(path(name), flags);
}

static int child_status(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* ---- offsets -------------------------------------------------------------------------- */

static void fork_shared_offset(void)
{
	char buf[8];
	int fd = make("off", "0123456789", 10, O_RDONLY);
	pid_t pid;

	CHECK(fd >= 0 && read(fd, buf, 2) == 2 && !memcmp(buf, "01", 2));
	pid = fork();
	if (pid == 0) {
		/* the child moves the parent's offset too */
		_exit(read(fd, buf, 3) == 3 && !memcmp(buf, "234", 3) &&
		      lseek(fd, 1, SEEK_CUR) == 6 ? 0 : 1);
	}
	CHECK(child_status(pid) == 0);
	CHECK(lseek(fd, 0, SEEK_CUR) == 6);
	CHECK(read(fd, buf, 4) == 4 && !memcmp(buf, "6789", 4));
	CHECK(read(fd, buf, 4) == 0);
	/* and the parent's moves reach a child */
	CHECK(lseek(fd, 1, SEEK_SET) == 1);
	pid = fork();
	if (pid == 0)
		_exit(read(fd, buf, 1) == 1 && buf[0] == '1' ? 0 : 1);
	CHECK(child_status(pid) == 0);
	CHECK(read(fd, buf, 1) == 1 && buf[0] == '2');
	close(fd);
}

static void dup_shared_offset(void)
{
	char buf[8];
	int fd = make("dup", "abcdefgh", 8, O_RDWR), fd2;

	CHECK(fd >= 0 && read(fd, buf, 1) == 1);
	fd2 = dup(fd);
	CHECK(fd2 >= 0 && lseek(fd2, 0, SEEK_CUR) == 1);
	CHECK(read(fd2, buf, 2) == 2 && !memcmp(buf, "bc", 2));
	CHECK(read(fd, buf, 1) == 1 && buf[0] == 'd');
	CHECK(write(fd2, "XY", 2) == 2 && lseek(fd, 0, SEEK_CUR) == 6);
	close(fd2);
	/* one holder again: still the same offset */
	CHECK(read(fd, buf, 8) == 2 && !memcmp(buf, "gh", 2));
	CHECK(pread(fd, buf, 8, 0) == 8 && !memcmp(buf, "abcdXYgh", 8));
	close(fd);
}

/* Two processes append 10-byte records through descriptions of their
 * own (and a third shares the parent's): none overwrites another. */
static void append_two_processes(void)
{
	enum { N = 150 };
	int fd = make("app", "", 0, O_WRONLY | O_APPEND), counts[3] = { 0 };
	char rec[11], all[3 * N * 10 + 1];
	pid_t pid[2];

	CHECK(fd >= 0);
	for (int c = 0; c < 2; c++) {
		pid[c] = fork();
		if (pid[c] == 0) {
			int f = c ? fd : open(path("app"), O_WRONLY | O_APPEND);
			for (int i = 0; i < N; i++) {
				snprintf(rec, sizeof(rec), "%c%08d\n", 'a' + c, i);
				if (write(f, rec, 10) != 10)
					_exit(1);
				if (i % 16 == 0)
					sched_yield();
			}
			_exit(0);
		}
	}
	for (int i = 0; i < N; i++) {
		snprintf(rec, sizeof(rec), "%c%08d\n", 'c', i);
		CHECK(write(fd, rec, 10) == 10);
		if (i % 16 == 0)
			sched_yield();
	}
	CHECK(child_status(pid[0]) == 0 && child_status(pid[1]) == 0);
	close(fd);
	fd = open(path("app"), O_RDONLY);
	CHECK(read(fd, all, sizeof(all)) == 3 * N * 10);
	for (int r = 0; r < 3 * N; r++) {
		const char *p = all + r * 10;
		int who = p[0] - 'a';
		if (who < 0 || who > 2 || p[9] != '\n' || atoi(p + 1) != counts[who]) {
			FAIL("record %d is %.9s", r, p);
			break;
		}
		counts[who]++;
	}
	close(fd);
}

static void growth_and_truncate_seen(void)
{
	char buf[16];
	struct stat st;
	int a = make("grow", "1234", 4, O_RDWR), b = open(path("grow"), O_RDWR);
	pid_t pid;

	CHECK(a >= 0 && b >= 0 && read(a, buf, 4) == 4 && read(a, buf, 4) == 0);
	/* another process writes past the end: a sees the bytes and the size */
	pid = fork();
	if (pid == 0)
		_exit(pwrite(b, "56789", 5, 4) == 5 ? 0 : 1);
	CHECK(child_status(pid) == 0);
	CHECK(fstat(a, &st) == 0 && st.st_size == 9);
	CHECK(read(a, buf, 16) == 5 && !memcmp(buf, "56789", 5));
	/* a write far past the end leaves a hole of zeros */
	CHECK(pwrite(b, "Z", 1, 3 * PAGE) == 1);
	CHECK(pread(a, buf, 4, 2 * PAGE) == 4 && !memcmp(buf, "\0\0\0\0", 4));
	CHECK(pread(a, buf, 4, 3 * PAGE) == 1 && buf[0] == 'Z');
	/* truncated by one: the other reads to the new end, then zeros when it grows */
	CHECK(ftruncate(b, 6) == 0);
	CHECK(fstat(a, &st) == 0 && st.st_size == 6);
	CHECK(pread(a, buf, 16, 0) == 6 && !memcmp(buf, "123456", 6));
	CHECK(pread(a, buf, 16, 3 * PAGE) == 0);
	CHECK(lseek(a, 0, SEEK_END) == 6);
	CHECK(ftruncate(b, 9) == 0 && pread(a, buf, 16, 0) == 9 && !memcmp(buf, "123456\0\0\0", 9));
	close(a);
	close(b);
}

static void stat_after_writes(void)
{
	struct stat st0, st1;
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	int fd = make("mtime", "abcd", 8192, O_RDWR);

	CHECK(fd >= 0 && fstat(fd, &st0) == 0 && st0.st_size == 8192);
	nanosleep(&ts, NULL);
	/* an in-place write (no growth) moves mtime */
	CHECK(pwrite(fd, "Q", 1, 5000) == 1);
	CHECK(fstat(fd, &st1) == 0 && st1.st_size == 8192);
	CHECK(st1.st_mtim.tv_sec > st0.st_mtim.tv_sec ||
	      (st1.st_mtim.tv_sec == st0.st_mtim.tv_sec && st1.st_mtim.tv_nsec > st0.st_mtim.tv_nsec));
	/* seen by path too, and the blocks are counted */
	CHECK(stat(path("mtime"), &st0) == 0 && st0.st_mtim.tv_nsec == st1.st_mtim.tv_nsec);
	CHECK(st0.st_blocks >= 16);
	CHECK(fsync(fd) == 0 && fdatasync(fd) == 0);
	close(fd);
}

static void many_files(void)
{
	enum { N = 48 };
	int fds[N];
	char buf[32], want[32];

	for (int i = 0; i < N; i++) {
		char name[16];
		snprintf(name, sizeof(name), "many%d", i);
		snprintf(want, sizeof(want), "file %d here", i);
		fds[i] = make(name, want, strlen(want), O_RDWR);
		CHECK(fds[i] >= 0);
	}
	for (int i = 0; i < N; i++) {
		snprintf(want, sizeof(want), "file %d here", i);
		memset(buf, 0, sizeof(buf));
		CHECK(read(fds[i], buf, sizeof(buf)) == (ssize_t)strlen(want) && !strcmp(buf, want));
		CHECK(write(fds[i], "!", 1) == 1);
		close(fds[i]);
	}
	for (int i = 0; i < N; i++) {
		char name[16];
		struct stat st;
		snprintf(name, sizeof(name), "many%d", i);
		snprintf(want, sizeof(want), "file %d here!", i);
		CHECK(stat(path(name), &st) == 0 && st.st_size == (off_t)strlen(want));
		unlink(path(name));
	}
}

/* ---- mmap ------------------------------------------------------------------------------ */

static void map_shared(void)
{
	int fd = make("shared", "s", 2 * PAGE, O_RDWR);
	char buf[8], *p;
	pid_t pid;

	p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(p != MAP_FAILED);
	if (p == MAP_FAILED)
		return;
	CHECK(p[0] == 's' && p[2 * PAGE - 1] == 's');
	/* the mapping's writes are the file's */
	memcpy(p + 10, "mapped", 6);
	CHECK(pread(fd, buf, 6, 10) == 6 && !memcmp(buf, "mapped", 6));
	/* and the file's writes are the mapping's */
	CHECK(pwrite(fd, "written", 7, PAGE + 1) == 7 && !memcmp(p + PAGE + 1, "written", 7));
	/* a child shares the mapping */
	pid = fork();
	if (pid == 0) {
		memcpy(p + 100, "child", 5);
		_exit(0);
	}
	CHECK(child_status(pid) == 0 && !memcmp(p + 100, "child", 5));
	CHECK(pread(fd, buf, 5, 100) == 5 && !memcmp(buf, "child", 5));
	/* an offset mapping */
	char *q = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, PAGE);
	CHECK(q != MAP_FAILED && !memcmp(q + 1, "written", 7));
	CHECK(msync(p, 2 * PAGE, MS_SYNC) == 0);
	CHECK(munmap(p, 2 * PAGE) == 0 && (q == MAP_FAILED || munmap(q, PAGE) == 0));
	close(fd);
}

static void map_private(void)
{
	int fd = make("private", "p", 2 * PAGE, O_RDWR);
	char buf[4], *p;

	p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(p != MAP_FAILED);
	if (p == MAP_FAILED)
		return;
	p[0] = 'X';
	CHECK(pread(fd, buf, 1, 0) == 1 && buf[0] == 'p');
	/* the file's later change does not reach a page the mapping wrote
	 * (whether it reaches the others POSIX leaves open: Linux's do,
	 * Cairn's keep what the file held when mapped; docs/vfs.md) */
	CHECK(pwrite(fd, "G", 1, 1) == 1 && p[1] == 'p' && p[0] == 'X');
	CHECK(pread(fd, buf, 2, 0) == 2 && !memcmp(buf, "pG", 2));
	munmap(p, 2 * PAGE);
	/* a private mapping of a read-only descriptor may be written */
	close(fd);
	fd = open(path("private"), O_RDONLY);
	p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(p != MAP_FAILED);
	if (p != MAP_FAILED) {
		p[5] = 'W';
		CHECK(pread(fd, buf, 1, 5) == 1 && buf[0] == 'p');
		munmap(p, PAGE);
	}
	close(fd);
}

static sigjmp_buf jump;

static void on_bus(int sig)
{
	siglongjmp(jump, sig);
}

/* Touches *p: 0, or the signal it raised. */
static int touch(volatile char *p)
{
	int sig;

	if ((sig = sigsetjmp(jump, 1)))
		return sig;
	(void)*p;
	return 0;
}

static void sigbus_past_end(void)
{
	struct sigaction sa = { .sa_handler = on_bus }, old[2];
	int fd = make("bus", "b", 100, O_RDWR);
	char *p;

	sigaction(SIGBUS, &sa, &old[0]);
	sigaction(SIGSEGV, &sa, &old[1]);
	p = mmap(NULL, 3 * PAGE, PROT_READ, MAP_SHARED, fd, 0);
	CHECK(p != MAP_FAILED);
	if (p != MAP_FAILED) {
		CHECK(touch(p + 99) == 0 && p[99] == 'b');
		CHECK(touch(p + 200) == 0 && p[200] == 0);      /* the rest of the last page */
		CHECK(touch(p + PAGE) == SIGBUS);
		CHECK(touch(p + 2 * PAGE + 5) == SIGBUS);
		/* the file grows: the page is there */
		CHECK(ftruncate(fd, PAGE + 10) == 0 && touch(p + PAGE) == 0 && p[PAGE] == 0);
		/* shrinks: gone again, and the last page's tail reads zeros */
		CHECK(pwrite(fd, "zz", 2, 50) == 2 && ftruncate(fd, 51) == 0);
		CHECK(touch(p + PAGE) == SIGBUS && p[50] == 'z' && p[51] == 0);
		munmap(p, 3 * PAGE);
	}
	sigaction(SIGBUS, &old[0], NULL);
	sigaction(SIGSEGV, &old[1], NULL);
	close(fd);
}

/* mmap is an access (Linux's file_accessed): the access time moves, by
 * relatime's rule (it is not after the last change), shared or private,
 * read-only too; reads through the mapping need not move it */
static void map_atime(void)
{
	struct timespec old[2];
	struct stat st;
	time_t t0 = time(NULL);
	void *m;
	int fd = open(path("atime"), O_RDWR | O_CREAT | O_TRUNC, 0644);

	if (!CHECK(fd >= 0))
		return;
	CHECK(write(fd, "abcd", 4) == 4);
	for (int shared = 0; shared < 2; shared++) {
		old[0] = old[1] = (struct timespec){ .tv_sec = t0 - 100, .tv_nsec = 0 };
		CHECK(futimens(fd, old) == 0);
		/* the write's pages were the server's to notice: before the change */
		CHECK(fstat(fd, &st) == 0 && st.st_atime == t0 - 100 && st.st_mtime == t0 - 100);
		m = mmap(NULL, 4, PROT_READ, shared ? MAP_SHARED : MAP_PRIVATE, fd, 0);
		if (!CHECK(m != MAP_FAILED))
			continue;
		CHECK(fstat(fd, &st) == 0);
		if (!CHECK(st.st_atime >= t0 && st.st_mtime == t0 - 100))
			printf("# %s: atime %lld mtime %lld, t0 %lld\n", shared ? "shared" : "private",
			       (long long)st.st_atime, (long long)st.st_mtime, (long long)t0);
		CHECK(munmap(m, 4) == 0);
	}
	CHECK(close(fd) == 0 && unlink(path("atime")) == 0);
}

static void map_errors(void)
{
	int ro = make("merr", "m", PAGE, O_RDONLY), wo = open(path("merr"), O_WRONLY);
	char *p;

	CHECK(ro >= 0 && wo >= 0);
	CHECK(mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0) == MAP_FAILED && errno == EACCES);
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, wo, 0);
	CHECK(p == MAP_FAILED && errno == EACCES);
	if (p != MAP_FAILED)
		munmap(p, PAGE);
	else if (errno != EACCES)
		printf("# write-only: errno %d\n", errno);
	CHECK(mmap(NULL, PAGE, PROT_READ, MAP_SHARED, ro, 1) == MAP_FAILED && errno == EINVAL);
	CHECK(mmap(NULL, PAGE, PROT_READ, MAP_SHARED, 999, 0) == MAP_FAILED && errno == EBADF);
	/* a read-only shared mapping cannot be made writable */
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, ro, 0);
	CHECK(p != MAP_FAILED);
	if (p != MAP_FAILED) {
		CHECK(mprotect(p, PAGE, PROT_READ | PROT_WRITE) == -1 && errno == EACCES);
		CHECK(msync(p, PAGE, MS_SYNC | MS_ASYNC) == -1 && errno == EINVAL);
		CHECK(msync(p + 1, PAGE, MS_SYNC) == -1 && errno == EINVAL);
		munmap(p, PAGE);
	}
	close(ro);
	close(wo);
}

static void map_mprotect(void)
{
	int fd = make("mprot", "r", PAGE, O_RDWR);
	char buf[2], *p;

	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0);
	CHECK(p != MAP_FAILED);
	if (p == MAP_FAILED)
		return;
	CHECK(mprotect(p, PAGE, PROT_READ | PROT_WRITE) == 0);
	p[3] = 'M';
	CHECK(pread(fd, buf, 1, 3) == 1 && buf[0] == 'M');
	CHECK(mprotect(p, PAGE, PROT_NONE) == 0 && mprotect(p, PAGE, PROT_READ) == 0 && p[3] == 'M');
	munmap(p, PAGE);
	close(fd);
}

/* The mapping keeps the bytes after close and unlink, as on Linux. */
static void map_outlives_file(void)
{
	int fd = make("gone", "g", 3 * PAGE, O_RDWR);
	char *p = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	CHECK(p != MAP_FAILED);
	if (p == MAP_FAILED)
		return;
	close(fd);
	CHECK(unlink(path("gone")) == 0);
	CHECK(p[0] == 'g' && p[3 * PAGE - 1] == 'g');
	p[PAGE] = 'h';
	CHECK(p[PAGE] == 'h');
	munmap(p, 3 * PAGE);
}

/* shm_open's objects and sem_open's semaphores live in /dev/shm (a
 * tmpfs for everyone, sticky); a child opens both by name, writes the
 * shared page and posts; the parent, waiting on the semaphore, is woken
 * by it; an unnamed semaphore in a shared mapping works across fork too */
static void shm_and_semaphores(void)
{
	char name[64], sname[64];
	struct stat st;
	struct timespec until;
	FILE *f;
	char line[256];
	int fd, listed = 0;

	snprintf(name, sizeof(name), "/pt_shm_%d", (int)getpid());
	snprintf(sname, sizeof(sname), "/pt_sem_%d", (int)getpid());
	CHECK(stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 07777) == 01777);
	CHECK((f = fopen("/proc/mounts", "r")) != NULL);
	while (f && fgets(line, sizeof(line), f))
		listed |= strstr(line, " /dev/shm tmpfs ") != NULL;
	if (f)
		fclose(f);
	CHECK(listed);
	CHECK((fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600)) >= 0);
	ERRNO(shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600), EEXIST);
	CHECK(ftruncate(fd, 2 * PAGE) == 0);
	volatile int *p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(p != MAP_FAILED);
	sem_t *s = sem_open(sname, O_CREAT | O_EXCL, 0600, 0);
	CHECK(s != SEM_FAILED);
	sem_t *u = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(u != MAP_FAILED && sem_init(u, 1, 0) == 0);
	pid_t pid = fork();
	if (pid == 0) {
		pt_child_start();
		int cfd = shm_open(name, O_RDWR, 0);
		volatile int *q = cfd < 0 ? MAP_FAILED : mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
								 MAP_SHARED, cfd, 0);
		sem_t *cs = sem_open(sname, 0);
		if (q == MAP_FAILED || cs == SEM_FAILED)
			_exit(1);
		pt_msleep(50);             /* the parent waits first */
		q[PAGE / sizeof(int) + 3] = 4242;
		if (sem_post(cs))
			_exit(2);
		pt_msleep(20);
		_exit(sem_post(u) ? 3 : 0);
	}
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 10;
	CHECK(sem_timedwait(s, &until) == 0);
	CHECK(p[PAGE / sizeof(int) + 3] == 4242);
	CHECK(sem_timedwait(u, &until) == 0);
	REAP(pid, 0);
	/* gone by name; the mapping stays */
	CHECK(shm_unlink(name) == 0 && sem_unlink(sname) == 0);
	ERRNO(shm_open(name, O_RDWR, 0), ENOENT);
	CHECK(sem_open(sname, 0) == SEM_FAILED && errno == ENOENT);
	CHECK(p[PAGE / sizeof(int) + 3] == 4242);
	sem_close(s);
	sem_destroy(u);
	munmap((void *)u, PAGE);
	munmap((void *)p, 2 * PAGE);
	close(fd);
}

int main(int argc, char **argv)
{
	/* where: PT_DIR, or an absolute path as the argument (a disk's /mnt) */
	const char *dir = argc > 1 && argv[1][0] == '/' ? argv[1] : getenv("PT_DIR");

	pt_prefix = "fmap";
	snprintf(base, sizeof(base), "%s/fmap.%d", dir ? dir : "/tmp", (int)getpid());
	if (mkdir(base, 0755)) {
		printf("fmap: cannot make %s: %s\n", base, strerror(errno));
		return 1;
	}
	run("fork_shared_offset", fork_shared_offset);
	run("dup_shared_offset", dup_shared_offset);
	run("append_two_processes", append_two_processes);
	run("growth_and_truncate_seen", growth_and_truncate_seen);
	run("stat_after_writes", stat_after_writes);
	run("many_files", many_files);
	run("map_shared", map_shared);
	run("map_private", map_private);
	run("sigbus_past_end", sigbus_past_end);
	run("map_atime", map_atime);
	run("map_errors", map_errors);
	run("map_mprotect", map_mprotect);
	run("map_outlives_file", map_outlives_file);
	run("shm_and_semaphores", shm_and_semaphores);
	return finish();
}
