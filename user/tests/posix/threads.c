// SPDX-License-Identifier: MIT
/*
 * pthreads: create and join (return values), detached threads, many
 * threads one after another, mutexes under contention, condition
 * variables, semaphores, timed waits, thread-local storage, threads doing
 * I/O at the same time (each has its own IPC buffer), a thread that forks
 * and waits for its child, signals once threads exist, signals for one
 * thread and each thread's mask, pthread_cancel, robust mutexes, CPU affinity
 * (sched_setaffinity, sched_getcpu, pthread_setaffinity_np, inherited by
 * threads and a fork's child), a fork while 100 threads and 400 mappings
 * live, threads with alternate signal stacks, a futex wait left by an
 * asynchronous cancel, and two threads at once on two CPUs.
 * Expected list:
 * tests/harness/expected/posix-threads.txt.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include "posixtest.h"

static char base[256];

static void *square(void *arg)
{
	uintptr_t v = (uintptr_t)arg;

	return (void *)(v * v);
}

static void create_join(void)
{
	pthread_t t[8];
	void *r;

	for (uintptr_t i = 0; i < 8; i++)
		CHECK(pthread_create(&t[i], NULL, square, (void *)(i + 1)) == 0);
	for (uintptr_t i = 0; i < 8; i++)
		CHECK(pthread_join(t[i], &r) == 0 && (uintptr_t)r == (i + 1) * (i + 1));
	CHECK(!pthread_equal(t[0], pthread_self()) && pthread_equal(pthread_self(), pthread_self()));
}

static volatile int detached_done;
static pthread_mutex_t dmu = PTHREAD_MUTEX_INITIALIZER;

static void *detached(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&dmu);
	detached_done++;
	pthread_mutex_unlock(&dmu);
	return NULL;
}

static void detach_many(void)
{
	pthread_attr_t a;
	pthread_t t;
	void *r;

	CHECK(pthread_attr_init(&a) == 0 && pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED) == 0);
	for (int i = 0; i < 10; i++)
		CHECK(pthread_create(&t, &a, detached, NULL) == 0);
	for (int i = 0; i < 2000 && detached_done < 10; i++) {
		struct timespec ts = { 0, 1000000 };
		nanosleep(&ts, NULL);
	}
	CHECK(detached_done == 10);
	pthread_attr_destroy(&a);
	/* more threads, one after another, than could live at once */
	for (uintptr_t i = 0; i < 100; i++) {
		if (pthread_create(&t, NULL, square, (void *)i) || pthread_join(t, &r) || (uintptr_t)r != i * i) {
			FAIL("round %lu", (unsigned long)i);
			break;
		}
	}
}

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *add(void *arg)
{
	(void)arg;
	for (int i = 0; i < 20000; i++) {
		pthread_mutex_lock(&mu);
		long c = counter;
		if (!(i % 500))
			sched_yield();       /* hold it across a switch now and then */
		counter = c + 1;
		pthread_mutex_unlock(&mu);
	}
	return NULL;
}

static void mutex_contention(void)
{
	pthread_t t[4];

	counter = 0;
	for (int i = 0; i < 4; i++)
		CHECK(pthread_create(&t[i], NULL, add, NULL) == 0);
	add(NULL);
	for (int i = 0; i < 4; i++)
		CHECK(pthread_join(t[i], NULL) == 0);
	CHECK(counter == 5 * 20000);
	CHECK(pthread_mutex_trylock(&mu) == 0 && pthread_mutex_trylock(&mu) == EBUSY);
	pthread_mutex_unlock(&mu);
}

static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int queue[16], qhead, qtail, produced_done;

static void *consumer(void *arg)
{
	long sum = 0;

	(void)arg;
	pthread_mutex_lock(&mu);
	for (;;) {
		while (qhead == qtail && !produced_done)
			pthread_cond_wait(&cv, &mu);
		if (qhead == qtail)
			break;
		sum += queue[qhead++ % 16];
		pthread_cond_broadcast(&cv);
	}
	pthread_mutex_unlock(&mu);
	return (void *)sum;
}

static void condvar(void)
{
	pthread_t t[2];
	void *r0, *r1;

	qhead = qtail = produced_done = 0;
	for (int i = 0; i < 2; i++)
		CHECK(pthread_create(&t[i], NULL, consumer, NULL) == 0);
	for (int i = 1; i <= 1000; i++) {
		pthread_mutex_lock(&mu);
		while (qtail - qhead == 16)
			pthread_cond_wait(&cv, &mu);
		queue[qtail++ % 16] = i;
		pthread_cond_broadcast(&cv);
		pthread_mutex_unlock(&mu);
	}
	pthread_mutex_lock(&mu);
	produced_done = 1;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
	CHECK(pthread_join(t[0], &r0) == 0 && pthread_join(t[1], &r1) == 0);
	CHECK((long)r0 + (long)r1 == 1000 * 1001 / 2);
	/* a timed wait that times out */
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 20 * 1000 * 1000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&mu);
	CHECK(pthread_cond_timedwait(&cv, &mu, &ts) == ETIMEDOUT);
	pthread_mutex_unlock(&mu);
}

static sem_t sem;

static void *poster(void *arg)
{
	for (int i = 0; i < 50; i++)
		sem_post(&sem);
	return arg;
}

static void semaphores(void)
{
	pthread_t t;
	struct timespec ts = { 0, 0 };

	CHECK(sem_init(&sem, 0, 0) == 0);
	CHECK(pthread_create(&t, NULL, poster, NULL) == 0);
	for (int i = 0; i < 50; i++)
		CHECK(sem_wait(&sem) == 0);
	CHECK(pthread_join(t, NULL) == 0);
	ERRNO(sem_trywait(&sem), EAGAIN);
	ERRNO(sem_timedwait(&sem, &ts), ETIMEDOUT);
	sem_destroy(&sem);
}

static __thread int tls_value = 7;
static __thread char tls_name[32];

static void *tls_thread(void *arg)
{
	uintptr_t id = (uintptr_t)arg;

	if (tls_value != 7 || tls_name[0])
		return (void *)1;
	tls_value = (int)id;
	snprintf(tls_name, sizeof(tls_name), "thread %lu", (unsigned long)id);
	for (int i = 0; i < 100; i++)
		sched_yield();
	char want[32];
	snprintf(want, sizeof(want), "thread %lu", (unsigned long)id);
	return (void *)(uintptr_t)(tls_value != (int)id || strcmp(tls_name, want) || gettid() == getpid() ||
				   errno != 0);
}

static void thread_local(void)
{
	pthread_t t[4];
	void *r;

	tls_value = 99;
	for (uintptr_t i = 0; i < 4; i++)
		CHECK(pthread_create(&t[i], NULL, tls_thread, (void *)(i + 10)) == 0);
	for (int i = 0; i < 4; i++)
		CHECK(pthread_join(t[i], &r) == 0 && r == NULL);
	CHECK(tls_value == 99 && gettid() == getpid());
}

/* Each thread writes its own file and a pipe at the same time as the
 * others: every request's bytes travel in that thread's IPC buffer. */
static void *io_thread(void *arg)
{
	uintptr_t id = (uintptr_t)arg;
	char path[300], buf[4096], back[4096];
	int fd, p[2];
	uintptr_t bad = 0;

	snprintf(path, sizeof(path), "%s/t%lu", base, (unsigned long)id);
	memset(buf, 'a' + (int)id, sizeof(buf));
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || pipe(p))
		return (void *)1;
	/* bad: a bit for each kind of failure (1 pwrite, 2 pipe write, with its
	 * errno at bit 24, 4 pipe read's count, with the count at bit 8, 8 pipe
	 * read's bytes, with the first at bit 16, 16 pread, 32 pread's bytes) */
	for (int i = 0; i < 40; i++) {
		ssize_t n;
		if (pwrite(fd, buf, sizeof(buf), (off_t)i * (off_t)sizeof(buf)) != sizeof(buf))
			bad |= 1;
		if ((n = write(p[1], buf, 100)) != 100)
			bad |= 2 | (uintptr_t)(n < 0 ? errno : 0xff) << 24;
		else if ((n = read(p[0], back, 100)) != 100)
			bad |= 4 | (uintptr_t)(n < 0 ? 0xff : n) << 8;
		else if (memcmp(buf, back, 100))
			bad |= 8 | (uintptr_t)(unsigned char)back[0] << 16;
	}
	for (int i = 0; i < 40; i++) {
		if (pread(fd, back, sizeof(back), (off_t)i * (off_t)sizeof(back)) != sizeof(back))
			bad |= 16;
		else if (memcmp(buf, back, sizeof(back)))
			bad |= 32;
	}
	close(fd);
	close(p[0]);
	close(p[1]);
	unlink(path);
	return (void *)bad;
}

/* fn on four new threads and this one at once, each with its number
 * (0 to 4) as argument: each must return NULL, or the failures it saw. */
static void on_five_threads(void *(*fn)(void *), const char *what)
{
	pthread_t t[4];
	void *r;

	for (uintptr_t i = 0; i < 4; i++)
		CHECK(pthread_create(&t[i], NULL, fn, (void *)i) == 0);
	r = fn((void *)4);
	if (r)
		FAIL("the main thread's %s: failures %#lx", what, (unsigned long)(uintptr_t)r);
	for (int i = 0; i < 4; i++) {
		CHECK(pthread_join(t[i], &r) == 0);
		if (r)
			FAIL("thread %d's %s: failures %#lx", i, what, (unsigned long)(uintptr_t)r);
	}
}

static void io_together(void)
{
	on_five_threads(io_thread, "io_thread");
}

/* Threads open and close descriptors at once: each new descriptor is
 * the taker's alone. A pipe's two descriptors get their capabilities
 * after the VFS answered; a table that let another thread take one in
 * between gave two threads one descriptor (io_together's failures). */
static void *fd_churn(void *arg)
{
	uintptr_t id = (uintptr_t)arg, bad = 0;
	char path[300], c;

	snprintf(path, sizeof(path), "%s/churn%lu", base, (unsigned long)id);
	for (int i = 0; i < 120 && !bad; i++) {
		struct stat st;
		int p[2], fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || pipe(p)) {
			bad = 1;
			break;
		}
		/* each descriptor is still what this thread made of it */
		if (fstat(fd, &st) || !S_ISREG(st.st_mode))
			bad |= 2;
		if (fstat(p[0], &st) || !S_ISFIFO(st.st_mode) || fstat(p[1], &st) || !S_ISFIFO(st.st_mode))
			bad |= 4;
		c = (char)('A' + id);
		if (write(p[1], &c, 1) != 1 || read(p[0], &c, 1) != 1 || c != (char)('A' + id))
			bad |= 8;
		if (close(p[0]) || close(p[1]) || close(fd))
			bad |= 16;
	}
	unlink(path);
	return (void *)bad;
}

static void fd_table_race(void)
{
	on_five_threads(fd_churn, "descriptors");
}

static void *forker(void *arg)
{
	int st;
	pid_t pid = fork();

	(void)arg;
	if (pid == 0) {
		/* the child has one thread, this one */
		_exit(getpid() > 1 ? 21 : 1);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return (void *)1;
	return (void *)(uintptr_t)WEXITSTATUS(st);
}

static void fork_from_thread(void)
{
	pthread_t t;
	void *r;

	CHECK(pthread_create(&t, NULL, forker, NULL) == 0);
	CHECK(pthread_join(t, &r) == 0 && (uintptr_t)r == 21);
}

/*
 * A fork while 100 threads and 400 mappings live (musl-port's piece table
 * has grown into a MemoryObject of its own by then): the child goes on
 * with the forking thread alone, sees every mapping's bytes and writes
 * its own copies, maps as many again (its piece table grows past the one
 * it inherited), runs as many threads of its own and unmaps everything;
 * the parent's threads and bytes are untouched.
 */
#define FM_THREADS 100
#define FM_MAPS    400

/* Threads that count themselves in and wait for the word to go (the
 * child has its own: the parent's condition variable has waiters the
 * child does not) */
struct fm_sync {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int go;
	unsigned started;
};
static struct fm_sync fm_parent = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0 };
static struct fm_sync fm_child = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0 };
static struct fm_sync *fm = &fm_parent;

static void *fm_wait(void *arg)
{
	struct fm_sync *s = fm;

	pthread_mutex_lock(&s->mu);
	s->started++;
	pthread_cond_broadcast(&s->cv);
	while (!s->go)
		pthread_cond_wait(&s->cv, &s->mu);
	pthread_mutex_unlock(&s->mu);
	return arg;
}

/* Up to n threads on fm, all seen alive: how many were made. */
static unsigned fm_start(pthread_t *t, unsigned n)
{
	pthread_attr_t a;
	unsigned made;

	pthread_attr_init(&a);
	pthread_attr_setstacksize(&a, 16 << 10);
	for (made = 0; made < n; made++)
		if (pthread_create(&t[made], &a, fm_wait, (void *)(uintptr_t)made))
			break;
	pthread_attr_destroy(&a);
	pthread_mutex_lock(&fm->mu);
	while (fm->started < made)
		pthread_cond_wait(&fm->cv, &fm->mu);
	pthread_mutex_unlock(&fm->mu);
	return made;
}

/* Releases and joins fm's made threads: how many failed. */
static unsigned fm_end(pthread_t *t, unsigned made)
{
	unsigned bad = 0;
	void *r;

	pthread_mutex_lock(&fm->mu);
	fm->go = 1;
	pthread_cond_broadcast(&fm->cv);
	pthread_mutex_unlock(&fm->mu);
	for (unsigned i = 0; i < made; i++)
		if (pthread_join(t[i], &r) || (uintptr_t)r != i)
			bad++;
	return bad;
}

/* FM_MAPS page mappings, each holding its index + salt: how many failed. */
static unsigned fm_map(unsigned char **m, unsigned salt)
{
	unsigned bad = 0;

	for (unsigned i = 0; i < FM_MAPS; i++) {
		m[i] = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m[i] == MAP_FAILED) {
			bad++;
			continue;
		}
		m[i][0] = (unsigned char)(i + salt);
		if (i % 2 && mprotect(m[i], 4096, PROT_READ))
			bad++;
	}
	return bad;
}

static unsigned fm_check(unsigned char **m, unsigned salt, int unmap)
{
	unsigned bad = 0;

	for (unsigned i = 0; i < FM_MAPS; i++) {
		if (m[i] == MAP_FAILED || m[i][0] != (unsigned char)(i + salt))
			bad++;
		if (unmap && m[i] != MAP_FAILED && munmap(m[i], 4096))
			bad++;
	}
	return bad;
}

static void fork_with_many(void)
{
	static pthread_t t[FM_THREADS];
	static unsigned char *m[FM_MAPS], *m2[FM_MAPS];
	unsigned made;
	pid_t pid;

	CHECK(fm_map(m, 0) == 0);
	made = fm_start(t, FM_THREADS);
	CHECK(made == FM_THREADS);
	pid = fork();
	if (pid == 0) {
		static pthread_t ct[FM_THREADS];
		unsigned bad = fm_check(m, 0, 0), n;
		for (unsigned i = 0; i < FM_MAPS; i += 2)
			m[i][0] = (unsigned char)(i + 7);     /* its own copies */
		for (unsigned i = 0; i < FM_MAPS; i++)
			if (m[i][0] != (unsigned char)(i + (i % 2 ? 0 : 7)))
				bad++;
		bad += fm_map(m2, 3);
		fm = &fm_child;
		n = fm_start(ct, FM_THREADS);
		bad += (FM_THREADS - n) + fm_end(ct, n);
		bad += fm_check(m2, 3, 1);
		for (unsigned i = 0; i < FM_MAPS; i++)
			if (munmap(m[i], 4096))
				bad++;
		_exit(bad ? 1 : 0);
	}
	CHECK(pid > 0);
	if (pid > 0)
		REAP(pid, 0);
	CHECK(fm_end(t, made) == 0);
	CHECK(fm_check(m, 0, 1) == 0);
}

/*
 * Threads with alternate signal stacks: each takes a signal on its own
 * stack and ends; a second round's threads are made while the first's
 * entries wait to be freed with their stacks' save pages (that freeing
 * once took the thread table's lock twice: the second round hung).
 */
#define ALT_THREADS 4
static char alt_stacks[2][ALT_THREADS][64 << 10];
static __thread volatile uintptr_t alt_sp;

static void alt_handler(int sig)
{
	volatile char here;

	(void)sig;
	alt_sp = (uintptr_t)&here;
}

static void *alt_thread(void *arg)
{
	char *mem = arg;
	stack_t ss = { .ss_sp = mem, .ss_size = sizeof(alt_stacks[0][0]), .ss_flags = 0 };

	if (sigaltstack(&ss, NULL))
		return (void *)1;
	alt_sp = 0;
	pthread_kill(pthread_self(), SIGUSR2);
	return (void *)(uintptr_t)(alt_sp > (uintptr_t)mem && alt_sp < (uintptr_t)mem + ss.ss_size ? 0 : 2);
}

static void altstack_threads(void)
{
	struct sigaction sa = { .sa_handler = alt_handler, .sa_flags = SA_ONSTACK }, old;
	pthread_t t[ALT_THREADS];
	void *r;

	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(SIGUSR2, &sa, &old) == 0);
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < ALT_THREADS; i++)
			CHECK(pthread_create(&t[i], NULL, alt_thread, alt_stacks[round][i]) == 0);
		for (int i = 0; i < ALT_THREADS; i++)
			CHECK(pthread_join(t[i], &r) == 0 && r == NULL);
	}
	CHECK(sigaction(SIGUSR2, &old, NULL) == 0);
}

/*
 * A futex wait its thread never returns to: a thread of asynchronous
 * cancel type blocked in sem_wait is cancelled (it ends inside the
 * cancel's signal handler); then another thread waits on the same
 * semaphore and is woken by a post, and a second post finds nobody
 * waiting (the ended wait is not a waiter any more).
 */
static sem_t aw_sem;
static volatile int aw_waiting;

static void *aw_thread(void *arg)
{
	pthread_setcanceltype(PTHREAD_CANCEL_ASYNCHRONOUS, NULL);
	aw_waiting = 1;
	sem_wait(&aw_sem);
	return arg;
}

static void wait_left_by_cancel(void)
{
	pthread_t t;
	void *r;

	CHECK(sem_init(&aw_sem, 0, 0) == 0);
	for (int round = 0; round < 2; round++) {
		aw_waiting = 0;
		CHECK(pthread_create(&t, NULL, aw_thread, (void *)(uintptr_t)(round + 1)) == 0);
		while (!aw_waiting)
			sched_yield();
		pt_msleep(50);                   /* in sem_wait by now */
		if (round == 0) {
			CHECK(pthread_cancel(t) == 0);
			CHECK(pthread_join(t, &r) == 0 && r == PTHREAD_CANCELED);
		} else {
			CHECK(sem_post(&aw_sem) == 0);
			CHECK(pthread_join(t, &r) == 0 && r == (void *)2);
		}
	}
	CHECK(sem_post(&aw_sem) == 0 && sem_trywait(&aw_sem) == 0);
	sem_destroy(&aw_sem);
}

static volatile sig_atomic_t got_usr1;

/* stdio's locks and the owner-checking mutexes keep the owner's thread id
 * in the lock word: ids must fit musl's FUTEX_TID_MASK beside its flags */
static FILE *shared_file;
static pthread_mutex_t owned;

static void *stdio_thread(void *arg)
{
	for (int i = 0; i < 50; i++)
		fprintf(shared_file, "thread %ld line %02d end\n", (long)(intptr_t)arg, i);
	return (void *)(intptr_t)gettid();
}

static void *not_owner(void *arg)
{
	(void)arg;
	return (void *)(intptr_t)(pthread_mutex_unlock(&owned) * 1000 + pthread_mutex_trylock(&owned));
}

static void stdio_and_owners(void)
{
	char path[64], line[64];
	pthread_t t[4];
	pthread_mutexattr_t ma;
	int seen[4] = { 0 }, lines = 0, bad = 0;
	void *r;

	snprintf(path, sizeof(path), "/tmp/threads-stdio.%d", (int)getpid());
	CHECK((shared_file = fopen(path, "w+")) != NULL);
	if (!shared_file)
		return;
	fprintf(shared_file, "main line\n");          /* before the threads: no lock yet */
	for (long i = 0; i < 4; i++)
		CHECK(pthread_create(&t[i], NULL, stdio_thread, (void *)(intptr_t)i) == 0);
	for (int i = 0; i < 4; i++) {
		CHECK(pthread_join(t[i], &r) == 0);
		long tid = (long)(intptr_t)r;
		CHECK(tid > 0 && tid < 0x40000000 && tid != getpid() ? 1 : FAIL("thread id %#lx", tid));
	}
	rewind(shared_file);
	CHECK(fgets(line, sizeof(line), shared_file) && !strcmp(line, "main line\n"));
	while (fgets(line, sizeof(line), shared_file)) {
		long th;
		int n;
		lines++;
		if (sscanf(line, "thread %ld line %d end", &th, &n) != 2 || th < 0 || th > 3 ||
		    n != seen[th]++ || strlen(line) != 21)
			bad++;
	}
	CHECK(lines == 200 && !bad ? 1 : FAIL("%d lines, %d bad", lines, bad));
	fclose(shared_file);
	unlink(path);
	/* an error-checking mutex knows its owner */
	CHECK(pthread_mutexattr_init(&ma) == 0 && pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_ERRORCHECK) == 0);
	CHECK(pthread_mutex_init(&owned, &ma) == 0 && pthread_mutex_lock(&owned) == 0);
	CHECK(pthread_mutex_lock(&owned) == EDEADLK);
	CHECK(pthread_create(&t[0], NULL, not_owner, NULL) == 0 && pthread_join(t[0], &r) == 0);
	CHECK((intptr_t)r == EPERM * 1000 + EBUSY ? 1 : FAIL("not the owner: %ld", (long)(intptr_t)r));
	CHECK(pthread_mutex_unlock(&owned) == 0 && pthread_mutex_unlock(&owned) == EPERM);
	pthread_mutex_destroy(&owned);
	/* a recursive one counts */
	CHECK(pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE) == 0);
	CHECK(pthread_mutex_init(&owned, &ma) == 0);
	CHECK(pthread_mutex_lock(&owned) == 0 && pthread_mutex_lock(&owned) == 0);
	CHECK(pthread_create(&t[0], NULL, not_owner, NULL) == 0 && pthread_join(t[0], &r) == 0);
	CHECK((intptr_t)r == EPERM * 1000 + EBUSY ? 1 : FAIL("recursive, not the owner: %ld", (long)(intptr_t)r));
	CHECK(pthread_mutex_unlock(&owned) == 0 && pthread_mutex_unlock(&owned) == 0);
	CHECK(pthread_mutex_unlock(&owned) == EPERM);
	pthread_mutex_destroy(&owned);
	pthread_mutexattr_destroy(&ma);
}

static void on_usr1(int sig)
{
	(void)sig;
	got_usr1++;
}

static void *block_all(void *arg)
{
	sigset_t s;

	sigfillset(&s);
	pthread_sigmask(SIG_BLOCK, &s, NULL);    /* this thread's mask only */
	return arg;
}

/* Signals go on working once threads came and went, whatever their masks. */
static void signals_and_threads(void)
{
	pthread_t t;

	got_usr1 = 0;
	signal(SIGUSR1, on_usr1);
	CHECK(pthread_create(&t, NULL, block_all, NULL) == 0 && pthread_join(t, NULL) == 0);
	CHECK(raise(SIGUSR1) == 0 && got_usr1 == 1);
	CHECK(kill(getpid(), SIGUSR1) == 0 && got_usr1 == 2);
	signal(SIGUSR1, SIG_DFL);
}

/* ---- signals for threads ------------------------------------------------------------------ */

static pthread_t handled_on[4];
static volatile int nhandled;

static void note_thread(int sig)
{
	(void)sig;
	if (nhandled < 4)
		handled_on[nhandled] = pthread_self();
	nhandled++;
}

struct waiter_arg {
	sigset_t block;                  /* the thread's mask */
	volatile int ready, stop;
	int unblock_at_end;              /* sigset of block, unblocked before stop */
	int pending_seen;                /* sigpending showed SIGUSR1 (for the thread only) */
};

static void *sig_waiter(void *arg)
{
	struct waiter_arg *w = arg;
	sigset_t pend;

	pthread_sigmask(SIG_SETMASK, &w->block, NULL);
	w->ready = 1;
	while (!w->stop)
		sched_yield();
	if (w->unblock_at_end) {
		w->pending_seen = sigpending(&pend) == 0 && sigismember(&pend, SIGUSR1);
		pthread_sigmask(SIG_UNBLOCK, &w->block, NULL);   /* delivered here, now */
	}
	return NULL;
}

/* pthread_kill runs the handler on the thread it names; a signal for the
 * process goes to a thread that does not block it; each thread has its
 * own mask; a signal for a thread that blocks it waits for that thread. */
static void thread_signals(void)
{
	struct waiter_arg w = { 0 };
	sigset_t usr2, cur, pend;
	pthread_t t;

	signal(SIGUSR1, note_thread);
	signal(SIGUSR2, note_thread);
	/* to a chosen thread */
	nhandled = 0;
	sigemptyset(&w.block);
	CHECK(pthread_create(&t, NULL, sig_waiter, &w) == 0);
	while (!w.ready)
		sched_yield();
	CHECK(pthread_kill(t, SIGUSR1) == 0);
	for (int i = 0; i < 1000 && nhandled < 1; i++)
		usleep(1000);
	CHECK(nhandled == 1 && pthread_equal(handled_on[0], t));
	CHECK(pthread_kill(pthread_self(), SIGUSR1) == 0);
	CHECK(nhandled == 2 && pthread_equal(handled_on[1], pthread_self()));
	/* to the process, blocked here: the other thread runs it */
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	CHECK(pthread_sigmask(SIG_BLOCK, &usr2, NULL) == 0);
	CHECK(kill(getpid(), SIGUSR2) == 0);
	for (int i = 0; i < 1000 && nhandled < 3; i++)
		usleep(1000);
	CHECK(nhandled == 3 && pthread_equal(handled_on[2], t));
	CHECK(pthread_sigmask(SIG_UNBLOCK, &usr2, NULL) == 0 && nhandled == 3);
	w.stop = 1;
	CHECK(pthread_join(t, NULL) == 0);
	/* a thread's mask is its own */
	nhandled = 0;
	w = (struct waiter_arg){ .unblock_at_end = 1 };
	sigemptyset(&w.block);
	sigaddset(&w.block, SIGUSR1);
	CHECK(pthread_create(&t, NULL, sig_waiter, &w) == 0);
	while (!w.ready)
		sched_yield();
	CHECK(pthread_sigmask(SIG_SETMASK, NULL, &cur) == 0 && !sigismember(&cur, SIGUSR1));
	/* for that thread, which blocks it: pending there, not here */
	CHECK(pthread_kill(t, SIGUSR1) == 0);
	usleep(20000);
	CHECK(nhandled == 0);
	CHECK(sigpending(&pend) == 0 && !sigismember(&pend, SIGUSR1));
	w.stop = 1;
	CHECK(pthread_join(t, NULL) == 0);
	CHECK(w.pending_seen && nhandled == 1 && pthread_equal(handled_on[0], t));
	/* a thread that is gone */
	CHECK(pthread_kill(pthread_self(), 0) == 0);
	signal(SIGUSR1, SIG_DFL);
	signal(SIGUSR2, SIG_DFL);
}

/* ---- cancellation ---------------------------------------------------------------------------- */

static volatile int cleanups;

static void count_cleanup(void *arg)
{
	(void)arg;
	cleanups++;
}

static int cancel_pipe[2];
static volatile int in_point;

static void *read_forever(void *arg)
{
	char c;

	(void)arg;
	pthread_cleanup_push(count_cleanup, NULL);
	in_point = 1;
	read(cancel_pipe[0], &c, 1);     /* a cancellation point that blocks */
	pthread_cleanup_pop(0);
	return (void *)1;
}

static pthread_mutex_t cmu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ccv = PTHREAD_COND_INITIALIZER;

/* a thread cancelled in pthread_cond_wait has the mutex again */
static void unlock_cleanup(void *arg)
{
	(void)arg;
	if (pthread_mutex_unlock(&cmu) == 0)
		cleanups++;
}

static void *cond_forever(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&cmu);
	pthread_cleanup_push(unlock_cleanup, NULL);
	in_point = 1;
	for (;;)
		pthread_cond_wait(&ccv, &cmu);
	pthread_cleanup_pop(0);
	return NULL;
}

static void *sleep_forever(void *arg)
{
	(void)arg;
	pthread_cleanup_push(count_cleanup, NULL);
	in_point = 1;
	for (;;)
		sleep(100);
	pthread_cleanup_pop(0);
	return NULL;
}

static volatile unsigned long spins;

static void *spin_async(void *arg)
{
	(void)arg;
	pthread_setcanceltype(PTHREAD_CANCEL_ASYNCHRONOUS, NULL);
	pthread_cleanup_push(count_cleanup, NULL);
	in_point = 1;
	for (;;)
		spins++;
	pthread_cleanup_pop(0);
	return NULL;
}

static void *disabled_then_test(void *arg)
{
	volatile int *go = arg;

	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
	in_point = 1;
	while (!*go)
		usleep(1000);            /* a point, disabled: no cancellation */
	pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, NULL);
	pthread_testcancel();
	return (void *)2;
}

static int cancelled_in(void *(*fn)(void *), void *arg)
{
	pthread_t t;
	void *r = NULL;

	in_point = 0;
	if (pthread_create(&t, NULL, fn, arg))
		return 0;
	while (!in_point)
		usleep(1000);
	usleep(20000);                   /* in the point's wait by now */
	if (pthread_cancel(t) || pthread_join(t, &r))
		return 0;
	return r == PTHREAD_CANCELED;
}

/* pthread_cancel of a thread blocked in a cancellation point (read,
 * pthread_cond_wait, sleep), asynchronous cancellation of a thread that
 * makes no call, and a request that waits while cancellation is off. */
static void cancel(void)
{
	volatile int go = 0;
	pthread_t t;
	void *r;

	CHECK(pipe(cancel_pipe) == 0);
	cleanups = 0;
	CHECK(cancelled_in(read_forever, NULL) && cleanups == 1);
	CHECK(cancelled_in(cond_forever, NULL) && cleanups == 2);
	CHECK(pthread_mutex_trylock(&cmu) == 0 && pthread_mutex_unlock(&cmu) == 0);
	CHECK(cancelled_in(sleep_forever, NULL) && cleanups == 3);
	CHECK(cancelled_in(spin_async, NULL) && cleanups == 4 && spins > 0);
	/* the pipe still works: nothing was left half read */
	CHECK(write(cancel_pipe[1], "x", 1) == 1);
	{
		char c = 0;
		CHECK(read(cancel_pipe[0], &c, 1) == 1 && c == 'x');
	}
	/* off, then on: acted on at pthread_testcancel */
	in_point = 0;
	CHECK(pthread_create(&t, NULL, disabled_then_test, (void *)&go) == 0);
	while (!in_point)
		usleep(1000);
	CHECK(pthread_cancel(t) == 0);
	usleep(20000);
	go = 1;
	CHECK(pthread_join(t, &r) == 0 && r == PTHREAD_CANCELED);
	close(cancel_pipe[0]);
	close(cancel_pipe[1]);
}

/* ---- robust mutexes ----------------------------------------------------------------------- */

static void *lock_and_leave(void *arg)
{
	return (void *)(intptr_t)pthread_mutex_lock(arg);   /* and ends holding it */
}

static void robust_init(pthread_mutex_t *m, int pshared)
{
	pthread_mutexattr_t a;

	CHECK(pthread_mutexattr_init(&a) == 0);
	CHECK(pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST) == 0);
	if (pshared)
		CHECK(pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED) == 0);
	CHECK(pthread_mutex_init(m, &a) == 0);
	pthread_mutexattr_destroy(&a);
}

/* A robust mutex whose owner ended: the next locker gets EOWNERDEAD, makes
 * it consistent, and it works on; its owner a thread that ended, then a
 * process that exited holding a process-shared one. */
static void robust_mutexes(void)
{
	pthread_mutex_t m, *shm;
	pthread_t t;
	void *r;
	int st;

	robust_init(&m, 0);
	CHECK(pthread_create(&t, NULL, lock_and_leave, &m) == 0 && pthread_join(t, &r) == 0 && r == NULL);
	CHECK(pthread_mutex_lock(&m) == EOWNERDEAD);
	CHECK(pthread_mutex_consistent(&m) == 0 && pthread_mutex_unlock(&m) == 0);
	CHECK(pthread_mutex_lock(&m) == 0 && pthread_mutex_unlock(&m) == 0);
	pthread_mutex_destroy(&m);
	shm = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(shm != MAP_FAILED);
	if (shm == MAP_FAILED)
		return;
	robust_init(shm, 1);
	pid_t pid = fork();
	if (pid == 0) {
		/* a second thread holds it as the process exits */
		pthread_t u;
		if (pthread_create(&u, NULL, lock_and_leave, shm) || pthread_join(u, NULL))
			_exit(2);
		/* its thread ended holding it: EOWNERDEAD here, and the
		 * child leaves it locked, inconsistent, as it exits */
		_exit(pthread_mutex_lock(shm) == EOWNERDEAD ? 0 : 3);
	}
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* the child exited holding it */
	CHECK(pthread_mutex_lock(shm) == EOWNERDEAD);
	CHECK(pthread_mutex_consistent(shm) == 0 && pthread_mutex_unlock(shm) == 0);
	CHECK(pthread_mutex_trylock(shm) == 0 && pthread_mutex_unlock(shm) == 0);
	munmap(shm, 4096);
}

/* ---- CPU affinity ----------------------------------------------------------------------- */

static volatile int pp_a, pp_b, pp_cpu_seen;

struct pinned {
	int cpu, ok;
	volatile int go;
};

static void *on_cpu(void *arg)
{
	struct pinned *p = arg;

	while (!p->go)
		sched_yield();
	sched_yield();
	p->ok = sched_getcpu() == p->cpu;
	return NULL;
}

static void *report_mask(void *arg)
{
	cpu_set_t *set = arg;

	return (void *)(intptr_t)pthread_getaffinity_np(pthread_self(), sizeof(*set), set);
}

static int nth_cpu(const cpu_set_t *set, int n)
{
	for (int i = 0; i < CPU_SETSIZE; i++)
		if (CPU_ISSET(i, set) && n-- == 0)
			return i;
	return -1;
}

static void affinity(void)
{
	cpu_set_t all, one, got;
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	int last;

	CHECK(n >= 1);
	CHECK(sched_getaffinity(0, sizeof(all), &all) == 0 && CPU_COUNT(&all) == n);
	last = nth_cpu(&all, (int)n - 1);
	/* each CPU in turn: the caller runs there */
	for (int i = 0; i < n && i < 4; i++) {
		int cpu = nth_cpu(&all, i);
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		CHECK(sched_setaffinity(0, sizeof(one), &one) == 0);
		for (int k = 0; k < 3; k++) {
			sched_yield();
			CHECK(sched_getcpu() == cpu);
		}
		CHECK(sched_getaffinity(0, sizeof(got), &got) == 0 && CPU_EQUAL(&got, &one));
	}
	/* a thread moved by pthread_setaffinity_np runs there */
	{
		struct pinned pin = { .cpu = nth_cpu(&all, 0) };
		pthread_t t;
		CPU_ZERO(&one);
		CPU_SET(pin.cpu, &one);
		CHECK(sched_setaffinity(0, sizeof(all), &all) == 0);
		CHECK(pthread_create(&t, NULL, on_cpu, &pin) == 0);
		CHECK(pthread_setaffinity_np(t, sizeof(one), &one) == 0);
		pin.go = 1;
		CHECK(pthread_join(t, NULL) == 0 && pin.ok);
	}
	/* a new thread and a fork's child start with their creator's CPUs */
	{
		pthread_t t;
		void *r;
		pid_t pid;
		int st;
		CPU_ZERO(&one);
		CPU_SET(last, &one);
		CHECK(sched_setaffinity(0, sizeof(one), &one) == 0);
		CPU_ZERO(&got);
		CHECK(pthread_create(&t, NULL, report_mask, &got) == 0 && pthread_join(t, &r) == 0 &&
		      r == NULL && CPU_EQUAL(&got, &one));
		if ((pid = fork()) == 0) {
			cpu_set_t c;
			_exit(sched_getaffinity(0, sizeof(c), &c) == 0 && CPU_EQUAL(&c, &one) &&
			      sched_getcpu() == last ? 0 : 1);
		}
		CHECK(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	/* errors: no CPU, no online CPU, no such thread, a short mask */
	CPU_ZERO(&one);
	errno = 0;
	CHECK(sched_setaffinity(0, sizeof(one), &one) == -1 && errno == EINVAL);
	if (n < 64) {
		uint64_t off = 1ull << 63;
		errno = 0;
		CHECK(sched_setaffinity(0, sizeof(off), (cpu_set_t *)&off) == -1 && errno == EINVAL);
	}
	errno = 0;
	CHECK(sched_getaffinity(0x3ffffff0, sizeof(got), &got) == -1 && errno == ESRCH);
	errno = 0;
	CHECK(sched_getaffinity(0, 1, &got) == -1 && errno == EINVAL);
	CHECK(sched_setaffinity(0, sizeof(all), &all) == 0);
}

/* Two threads on two CPUs ping-pong through memory, never entering the
 * kernel: 2,000 turns take milliseconds when both run at once (seconds
 * when the host is busy and runs QEMU's CPUs in turns), and a time slice
 * a turn (40 s) if they shared one CPU. */
static void *pong(void *arg)
{
	cpu_set_t *one = arg;

	if (sched_setaffinity(0, sizeof(*one), one))
		return NULL;
	sched_yield();
	pp_cpu_seen = sched_getcpu();
	for (int i = 1; i <= 2000; i++) {
		while (pp_a != i)
			;
		pp_b = i;
	}
	return NULL;
}

static void two_at_once(void)
{
	cpu_set_t all, one, other;
	struct timespec t0, t1;
	pthread_t t;
	int c0, c1;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2) {
		printf("# threads.two_at_once: one CPU, nothing to check\n");
		return;
	}
	CHECK(sched_getaffinity(0, sizeof(all), &all) == 0);
	c0 = nth_cpu(&all, 0);
	c1 = nth_cpu(&all, 1);
	CPU_ZERO(&other);
	CPU_SET(c1, &other);
	pp_a = pp_b = 0;
	pp_cpu_seen = -1;
	CPU_ZERO(&one);
	CPU_SET(c0, &one);
	CHECK(sched_setaffinity(0, sizeof(one), &one) == 0);
	CHECK(pthread_create(&t, NULL, pong, &other) == 0);
	while (pp_cpu_seen < 0)
		sched_yield();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 1; i <= 2000; i++) {
		pp_a = i;
		while (pp_b != i)
			;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CHECK(pthread_join(t, NULL) == 0);
	double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("# threads.two_at_once: 2000 turns between CPUs %d and %d in %.3f s\n", c0, c1, s);
	CHECK(pp_cpu_seen == c1 && sched_getcpu() == c0);
	CHECK(s < 20.0);
	CHECK(sched_setaffinity(0, sizeof(all), &all) == 0);
}

int main(void)
{
	const char *dir = getenv("PT_DIR");

	pt_prefix = "threads";
	snprintf(base, sizeof(base), "%s/threads.%d", dir ? dir : "/tmp", (int)getpid());
	if (mkdir(base, 0755)) {
		printf("threads: cannot make %s: %s\n", base, strerror(errno));
		return 1;
	}
	run("create_join", create_join);
	run("detach_many", detach_many);
	run("mutex_contention", mutex_contention);
	run("condvar", condvar);
	run("semaphores", semaphores);
	run("thread_local", thread_local);
	run("io_together", io_together);
	run("fd_table_race", fd_table_race);
	run("stdio_and_owners", stdio_and_owners);
	run("fork_from_thread", fork_from_thread);
	run("fork_with_many", fork_with_many);
	run("altstack_threads", altstack_threads);
	run("wait_left_by_cancel", wait_left_by_cancel);
	run("signals_and_threads", signals_and_threads);
	run("thread_signals", thread_signals);
	run("cancel", cancel);
	run("robust_mutexes", robust_mutexes);
	run("affinity", affinity);
	run("two_at_once", two_at_once);
	return finish();
}
