// SPDX-License-Identifier: MIT
/*
 * Record locks and FIFOs, as Linux has them: fcntl F_SETLK/F_SETLKW/F_GETLK
 * between processes (conflicts, F_GETLK's answer, a process's own locks
 * split and merged, a waiting F_SETLKW that gets the lock, EINTR from a
 * signal, EDEADLK, the locks gone at the close of any descriptor, at exit
 * and at a kill, not inherited by fork, bad input), OFD locks, flock
 * (shared, exclusive, LOCK_NB, a waiter, the description's last close, no
 * meeting with fcntl locks); FIFOs (mkfifo, the open rules, data between
 * processes, end of file, EPIPE, poll, a waiting open interrupted).
 * Where: PT_DIR, or an absolute directory as the argument (an ext2 disk's
 * /mnt). Expected list: tests/harness/expected/posix-locks.txt. Passes on
 * Linux (gcc -O2 -Iuser/tests/posix -Iuser/lib/include
 * user/tests/posix/locks.c user/tests/posix/lib/child.c
 * user/tests/posix/lib/test_musl.c user/lib/test.c -lpthread).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include "posixtest.h"

static char base[256];

static void path_of(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", base, name);
}

/* A new file of 100 bytes, open O_RDWR. */
static int new_file(const char *name)
{
	char p[300];
	int fd;

	path_of(p, sizeof(p), name);
	unlink(p);
	fd = open(p, O_RDWR | O_CREAT, 0644);
	if (fd >= 0 && ftruncate(fd, 100))
		return -1;
	return fd;
}

static int setlk(int fd, int cmd, short type, off_t start, off_t len)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };

	return fcntl(fd, cmd, &fl);
}

/* F_GETLK for type over [start, start + len): the answer in *fl */
static int getlk(int fd, short type, off_t start, off_t len, struct flock *fl)
{
	*fl = (struct flock){ .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };
	return fcntl(fd, F_GETLK, fl);
}

/* A child that runs fn(fd) and exits with its result. */
static pid_t child(int (*fn)(int), int fd)
{
	pid_t pid = fork();

	if (pid == 0) {
		pt_child_start();
		_exit(fn(fd));
	}
	return pid;
}

static int c_conflict(int fd)
{
	struct flock fl;

	if (setlk(fd, F_SETLK, F_WRLCK, 0, 10) != -1 || errno != EAGAIN)
		return 1;
	if (setlk(fd, F_SETLK, F_RDLCK, 5, 1) != -1 || errno != EAGAIN)
		return 2;
	if (setlk(fd, F_SETLK, F_WRLCK, 10, 10))      /* past the parent's */
		return 3;
	if (getlk(fd, F_RDLCK, 0, 0, &fl) || fl.l_type != F_WRLCK || fl.l_start != 0 || fl.l_len != 10 ||
	    fl.l_pid != getppid() || fl.l_whence != SEEK_SET)
		return 4;
	if (getlk(fd, F_WRLCK, 20, 5, &fl) || fl.l_type != F_UNLCK)
		return 5;
	return 0;
}

static void conflict(void)
{
	int fd = new_file("conflict");
	struct flock fl;

	CHECK(fd >= 0);
	CHECK(setlk(fd, F_SETLK, F_WRLCK, 0, 10) == 0);
	/* our own lock never conflicts with us */
	CHECK(getlk(fd, F_WRLCK, 0, 10, &fl) == 0 && fl.l_type == F_UNLCK);
	CHECK(setlk(fd, F_SETLK, F_WRLCK, 0, 10) == 0);
	REAP(child(c_conflict, fd), 0);
	close(fd);
}

/* the child's F_GETLK of a write lock at byte b: the lock there (type,
 * start, len) as a number, 0 when none */
static int c_probe_byte;
static int c_probe(int fd)
{
	struct flock fl;

	if (getlk(fd, F_WRLCK, c_probe_byte, 1, &fl))
		return 255;
	if (fl.l_type == F_UNLCK)
		return 0;
	if (fl.l_pid != getppid())
		return 254;
	return (fl.l_type == F_WRLCK ? 100 : 0) + (int)fl.l_start / 10 * 10 + (fl.l_len == 0 ? 9 : (int)fl.l_len / 10);
}

static int probe(int fd, int byte)
{
	c_probe_byte = byte;
	return pt_reap(child(c_probe, fd), 20000);
}

static void split_merge(void)
{
	int fd = new_file("split");

	CHECK(fd >= 0);
	CHECK(setlk(fd, F_SETLK, F_RDLCK, 0, 80) == 0);            /* RD [0, 80) */
	CHECK(setlk(fd, F_SETLK, F_WRLCK, 40, 20) == 0);           /* WR [40, 60) inside: split */
	CHECK(probe(fd, 10) == 0 + 4);                              /* RD start 0 len 40 */
	CHECK(probe(fd, 50) == 100 + 40 + 2);                       /* WR start 40 len 20 */
	CHECK(probe(fd, 70) == 60 + 2);                             /* RD start 60 len 20 */
	CHECK(setlk(fd, F_SETLK, F_UNLCK, 40, 20) == 0);           /* a hole */
	CHECK(probe(fd, 50) == 0);
	CHECK(setlk(fd, F_SETLK, F_RDLCK, 40, 20) == 0);           /* merged back: RD [0, 80) */
	CHECK(probe(fd, 50) == 0 + 8);
	CHECK(setlk(fd, F_SETLK, F_RDLCK, 80, 0) == 0);            /* adjacent, to the end: [0, EOF+) */
	CHECK(probe(fd, 1000) == 0 + 9);
	CHECK(setlk(fd, F_SETLK, F_WRLCK, 0, 0) == 0);             /* all converted */
	CHECK(probe(fd, 5) == 100 + 9);
	CHECK(setlk(fd, F_SETLK, F_UNLCK, 0, 0) == 0);
	CHECK(probe(fd, 5) == 0);
	/* SEEK_CUR and SEEK_END, and a negative length */
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_END, .l_start = -10, .l_len = 10 };
	CHECK(fcntl(fd, F_SETLK, &fl) == 0);                        /* [90, 100) */
	CHECK(probe(fd, 95) == 100 + 90 + 1);
	CHECK(lseek(fd, 30, SEEK_SET) == 30);
	fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_CUR, .l_start = 0, .l_len = -10 };
	CHECK(fcntl(fd, F_SETLK, &fl) == 0);                        /* [20, 30) */
	CHECK(probe(fd, 25) == 100 + 20 + 1);
	close(fd);
}

static int sync_pipe[2];

static int c_waiter(int fd)
{
	int64_t t0 = pt_now_ms();
	char c = 'x';

	if (setlk(fd, F_SETLKW, F_WRLCK, 0, 10))
		return 1;
	if (pt_now_ms() - t0 < 150)
		return 2;                       /* it did not wait */
	if (write(sync_pipe[1], &c, 1) != 1)
		return 3;
	pt_msleep(300);                         /* holding it */
	return 0;
}

static void setlkw_waits(void)
{
	int fd = new_file("wait");
	struct flock fl;
	pid_t pid;
	char c;

	CHECK(fd >= 0 && pipe(sync_pipe) == 0);
	CHECK(setlk(fd, F_SETLK, F_WRLCK, 0, 0) == 0);
	pid = child(c_waiter, fd);
	pt_msleep(250);
	CHECK(setlk(fd, F_SETLK, F_UNLCK, 0, 0) == 0);
	CHECK(read(sync_pipe[0], &c, 1) == 1);
	CHECK(getlk(fd, F_RDLCK, 5, 1, &fl) == 0 && fl.l_type == F_WRLCK && fl.l_pid == pid);
	ERRNO(setlk(fd, F_SETLK, F_RDLCK, 0, 1), EAGAIN);
	REAP(pid, 0);
	/* the child's exit took its lock */
	CHECK(setlk(fd, F_SETLK, F_WRLCK, 0, 0) == 0);
	close(sync_pipe[0]);
	close(sync_pipe[1]);
	close(fd);
}

static volatile sig_atomic_t got_alarm;
static void on_alarm(int s) { (void)s; got_alarm = 1; }

static int c_eintr(int fd)
{
	struct sigaction sa = { .sa_handler = on_alarm };   /* no SA_RESTART */
	struct itimerval it = { .it_value = { 0, 200000 } };

	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	if (setlk(fd, F_SETLKW, F_WRLCK, 0, 10) != -1 || errno != EINTR || !got_alarm)
		return 1;
	/* it was not granted behind our back: the parent still has it */
	if (setlk(fd, F_SETLK, F_WRLCK, 0, 10) != -1 || errno != EAGAIN)
		return 2;
	return 0;
}

static void setlkw_eintr(void)
{
	int fd = new_file("eintr");

	CHECK(fd >= 0);
	CHECK(setlk(fd, F_SETLK, F_WRLCK, 0, 10) == 0);
	REAP(child(c_eintr, fd), 0);
	close(fd);
}

static int c_deadlock(int fd)
{
	char c = 'x';

	if (setlk(fd, F_SETLK, F_WRLCK, 1, 1))
		return 1;
	if (write(sync_pipe[1], &c, 1) != 1)
		return 2;
	if (setlk(fd, F_SETLKW, F_WRLCK, 0, 1))     /* waits for the parent's byte 0 */
		return 3;
	return 0;
}

static void deadlock(void)
{
	int fd = new_file("deadlock");
	char c;
	pid_t pid;

	CHECK(fd >= 0 && pipe(sync_pipe) == 0);
	CHECK(setlk(fd, F_SETLK, F_WRLCK, 0, 1) == 0);
	pid = child(c_deadlock, fd);
	CHECK(read(sync_pipe[0], &c, 1) == 1);
	pt_msleep(200);                          /* the child waits for byte 0 */
	ERRNO(setlk(fd, F_SETLKW, F_WRLCK, 1, 1), EDEADLK);
	CHECK(setlk(fd, F_SETLK, F_UNLCK, 0, 1) == 0);     /* lets it through */
	REAP(pid, 0);
	close(sync_pipe[0]);
	close(sync_pipe[1]);
	close(fd);
}

static int c_can_lock(int fd)
{
	return setlk(fd, F_SETLK, F_WRLCK, 0, 0) ? 1 : 0;
}

static void close_any_fd(void)
{
	char p[300];
	int fd = new_file("close"), fd2 = -1;

	path_of(p, sizeof(p), "close");
	CHECK(fd >= 0 && (fd2 = open(p, O_RDONLY)) >= 0);
	CHECK(setlk(fd, F_SETLK, F_WRLCK, 0, 0) == 0);
	REAP(child(c_can_lock, fd), 1);
	CHECK(close(fd2) == 0);                  /* another descriptor of the file */
	REAP(child(c_can_lock, fd), 0);
	/* dup2 over a descriptor of the file closes it too */
	CHECK(setlk(fd, F_SETLK, F_WRLCK, 0, 0) == 0);
	CHECK((fd2 = dup(fd)) >= 0);
	REAP(child(c_can_lock, fd), 1);
	CHECK(dup2(0, fd2) == fd2);
	REAP(child(c_can_lock, fd), 0);
	close(fd2);
	close(fd);
}

static int c_lock_and_tell(int fd)
{
	char c = 'x';

	if (setlk(fd, F_SETLK, F_WRLCK, 0, 0) || write(sync_pipe[1], &c, 1) != 1)
		return 1;
	pt_msleep(100000);                       /* killed, or the alarm */
	return 0;
}

static int c_lock_exit(int fd)
{
	char c = 'x';

	if (setlk(fd, F_SETLK, F_WRLCK, 0, 0) || write(sync_pipe[1], &c, 1) != 1)
		return 1;
	return 0;                                /* exit with it held */
}

static void exit_drops(void)
{
	int fd = new_file("exit");
	pid_t pid;
	char c;

	CHECK(fd >= 0 && pipe(sync_pipe) == 0);
	pid = child(c_lock_exit, fd);
	CHECK(read(sync_pipe[0], &c, 1) == 1);
	REAP(pid, 0);
	CHECK(setlk(fd, F_SETLK, F_WRLCK, 0, 0) == 0);
	CHECK(setlk(fd, F_SETLK, F_UNLCK, 0, 0) == 0);
	/* killed with the lock held */
	pid = child(c_lock_and_tell, fd);
	CHECK(read(sync_pipe[0], &c, 1) == 1);
	ERRNO(setlk(fd, F_SETLK, F_WRLCK, 0, 0), EAGAIN);
	CHECK(kill(pid, SIGKILL) == 0);
	REAP(pid, 1000 + SIGKILL);
	CHECK(setlk(fd, F_SETLK, F_WRLCK, 0, 0) == 0);
	close(sync_pipe[0]);
	close(sync_pipe[1]);
	close(fd);
}

static int c_not_inherited(int fd)
{
	struct flock fl;

	/* the parent's lock is the parent's: the child conflicts with it */
	if (getlk(fd, F_WRLCK, 0, 1, &fl) || fl.l_type != F_WRLCK || fl.l_pid != getppid())
		return 1;
	if (setlk(fd, F_SETLK, F_UNLCK, 0, 0))  /* unlocks nothing of the parent's */
		return 2;
	return 0;
}

static void fork_not_inherited(void)
{
	int fd = new_file("fork");
	struct flock fl;

	CHECK(fd >= 0);
	CHECK(setlk(fd, F_SETLK, F_WRLCK, 0, 0) == 0);
	REAP(child(c_not_inherited, fd), 0);
	REAP(child(c_can_lock, fd), 1);          /* still the parent's */
	CHECK(getlk(fd, F_WRLCK, 0, 0, &fl) == 0 && fl.l_type == F_UNLCK);
	close(fd);
}

static void bad_input(void)
{
	char p[300];
	int fd = new_file("bad"), ro = -1, wo = -1;
	struct flock fl;

	path_of(p, sizeof(p), "bad");
	CHECK(fd >= 0 && (ro = open(p, O_RDONLY)) >= 0 && (wo = open(p, O_WRONLY)) >= 0);
	ERRNO(setlk(ro, F_SETLK, F_WRLCK, 0, 1), EBADF);
	ERRNO(setlk(wo, F_SETLK, F_RDLCK, 0, 1), EBADF);
	CHECK(setlk(ro, F_SETLK, F_RDLCK, 0, 1) == 0 && setlk(wo, F_SETLK, F_WRLCK, 1, 1) == 0);
	ERRNO(setlk(fd, F_SETLK, 7, 0, 1), EINVAL);
	ERRNO(setlk(fd, F_SETLK, F_WRLCK, -1, 1), EINVAL);
	ERRNO(setlk(fd, F_SETLK, F_WRLCK, 5, -10), EINVAL);
	fl = (struct flock){ .l_type = F_WRLCK, .l_whence = 9 };
	ERRNO(fcntl(fd, F_SETLK, &fl), EINVAL);
	fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_END, .l_start = -101 };
	ERRNO(fcntl(fd, F_SETLK, &fl), EINVAL);
	ERRNO(getlk(fd, F_UNLCK, 0, 1, &fl), EINVAL);
	ERRNO(setlk(99, F_SETLK, F_WRLCK, 0, 1), EBADF);
	int pp[2];
	CHECK(pipe(pp) == 0);
	close(pp[0]);
	close(pp[1]);
	close(ro);
	close(wo);
	close(fd);
}

static void ofd_locks(void)
{
	char p[300];
	int a = new_file("ofd"), b = -1;
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10 };

	path_of(p, sizeof(p), "ofd");
	CHECK(a >= 0 && (b = open(p, O_RDWR)) >= 0);
	CHECK(fcntl(a, F_OFD_SETLK, &fl) == 0);
	/* another description conflicts, even in this process */
	ERRNO(fcntl(b, F_OFD_SETLK, &fl), EAGAIN);
	fl = (struct flock){ .l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 5, .l_len = 1 };
	CHECK(fcntl(b, F_OFD_GETLK, &fl) == 0 && fl.l_type == F_WRLCK && fl.l_pid == -1 && fl.l_len == 10);
	/* and a process's POSIX lock */
	ERRNO(setlk(b, F_SETLK, F_RDLCK, 0, 1), EAGAIN);
	fl = (struct flock){ .l_type = F_WRLCK, .l_pid = 1 };
	ERRNO(fcntl(a, F_OFD_SETLK, &fl), EINVAL);
	/* the description's last close takes it */
	CHECK(close(a) == 0);
	fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET };
	CHECK(fcntl(b, F_OFD_SETLK, &fl) == 0);
	close(b);
}

static int c_flock_nb(int fd)
{
	/* the inherited description's lock is ours too: converting it */
	return flock(fd, LOCK_EX | LOCK_NB) ? 1 : 0;
}

static int c_flock_wait(int fd)
{
	int64_t t0 = pt_now_ms();
	char p[300];
	int my;

	close(fd);                               /* the description's last close is the parent's */
	path_of(p, sizeof(p), "flock");
	if ((my = open(p, O_RDONLY)) < 0)
		return 1;
	if (flock(my, LOCK_EX | LOCK_NB) != -1 || errno != EWOULDBLOCK)
		return 2;
	if (flock(my, LOCK_EX))
		return 3;
	if (pt_now_ms() - t0 < 150)
		return 4;
	return 0;
}

static void flocks(void)
{
	char p[300];
	int a = new_file("flock"), b = -1;

	path_of(p, sizeof(p), "flock");
	CHECK(a >= 0 && (b = open(p, O_RDONLY)) >= 0);
	CHECK(flock(a, LOCK_EX) == 0);
	ERRNO(flock(b, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	ERRNO(flock(b, LOCK_SH | LOCK_NB), EWOULDBLOCK);
	CHECK(flock(a, LOCK_EX) == 0);           /* again: nothing changes */
	/* flock and fcntl locks do not meet (Linux) */
	REAP(child(c_can_lock, a), 0);
	CHECK(flock(a, LOCK_SH) == 0);           /* converted */
	CHECK(flock(b, LOCK_SH | LOCK_NB) == 0);
	REAP(child(c_flock_nb, a), 1);           /* b's shared lock holds it back */
	CHECK(flock(b, LOCK_UN) == 0);
	REAP(child(c_flock_nb, a), 0);           /* the child converted a's description's lock */
	ERRNO(flock(b, LOCK_SH | LOCK_NB), EWOULDBLOCK);
	ERRNO(flock(a, LOCK_SH | LOCK_EX), EINVAL);
	/* a waiter gets it when the description's last descriptor closes */
	pid_t pid = child(c_flock_wait, a);
	pt_msleep(250);
	CHECK(close(a) == 0);
	REAP(pid, 0);
	close(b);
}

/* ---- FIFOs ------------------------------------------------------------------------------ */

static char fifo_path[300];

static int c_fifo_reader(int unused)
{
	int64_t t0 = pt_now_ms();
	char buf[16];
	int fd;

	(void)unused;
	if ((fd = open(fifo_path, O_RDONLY)) < 0)
		return 1;
	if (pt_now_ms() - t0 < 150)
		return 2;                        /* the open did not wait for the writer */
	if (pt_read_full(fd, buf, 5) != 5 || memcmp(buf, "hello", 5))
		return 3;
	if (read(fd, buf, sizeof(buf)) != 0)     /* the writer closed: end of file */
		return 4;
	close(fd);
	return 0;
}

static int c_fifo_writer(int unused)
{
	int64_t t0 = pt_now_ms();
	int fd;

	(void)unused;
	if ((fd = open(fifo_path, O_WRONLY)) < 0)
		return 1;
	if (pt_now_ms() - t0 < 150)
		return 2;
	if (write(fd, "world", 5) != 5)
		return 3;
	close(fd);
	return 0;
}

static void fifo_basics(void)
{
	struct stat st;
	int r, w, rw;

	path_of(fifo_path, sizeof(fifo_path), "fifo");
	unlink(fifo_path);
	CHECK(mkfifo(fifo_path, 0640) == 0);
	ERRNO(mkfifo(fifo_path, 0640), EEXIST);
	CHECK(stat(fifo_path, &st) == 0 && S_ISFIFO(st.st_mode) && (st.st_mode & 0777) == 0640);
	/* no reader: a nonblocking writer is ENXIO; a nonblocking reader opens */
	ERRNO(open(fifo_path, O_WRONLY | O_NONBLOCK), ENXIO);
	CHECK((r = open(fifo_path, O_RDONLY | O_NONBLOCK)) >= 0);
	CHECK(fstat(r, &st) == 0 && S_ISFIFO(st.st_mode));
	char c;
	CHECK(read(r, &c, 1) == 0);              /* no writer: end of file, as on Linux */
	CHECK((w = open(fifo_path, O_WRONLY | O_NONBLOCK)) >= 0);
	CHECK(write(w, "ab", 2) == 2);
	struct pollfd pf = { .fd = r, .events = POLLIN };
	CHECK(poll(&pf, 1, 1000) == 1 && (pf.revents & POLLIN));
	CHECK(read(r, &c, 1) == 1 && c == 'a');
	CHECK(close(w) == 0);
	CHECK(read(r, &c, 1) == 1 && c == 'b');
	CHECK(read(r, &c, 1) == 0);              /* the writer went: end of file */
	CHECK(close(r) == 0);
	/* O_RDWR opens at once and reads back what it writes */
	CHECK((rw = open(fifo_path, O_RDWR)) >= 0);
	CHECK(write(rw, "xyz", 3) == 3 && read(rw, &c, 1) == 1 && c == 'x');
	CHECK(close(rw) == 0);
	/* mknod of a FIFO */
	char p2[300];
	path_of(p2, sizeof(p2), "fifo2");
	unlink(p2);
	CHECK(mknod(p2, S_IFIFO | 0600, 0) == 0 && stat(p2, &st) == 0 && S_ISFIFO(st.st_mode));
	CHECK(unlink(p2) == 0);
}

static void fifo_open_waits(void)
{
	char buf[8];
	pid_t pid;
	int fd;

	/* a reader's open waits for a writer */
	pid = child(c_fifo_reader, -1);
	pt_msleep(250);
	CHECK((fd = open(fifo_path, O_WRONLY)) >= 0);
	CHECK(write(fd, "hello", 5) == 5);
	pt_msleep(50);
	CHECK(close(fd) == 0);
	REAP(pid, 0);
	/* a writer's open waits for a reader */
	pid = child(c_fifo_writer, -1);
	pt_msleep(250);
	CHECK((fd = open(fifo_path, O_RDONLY)) >= 0);
	CHECK(pt_read_full(fd, buf, 5) == 5 && !memcmp(buf, "world", 5));
	CHECK(read(fd, buf, 1) == 0);
	CHECK(close(fd) == 0);
	REAP(pid, 0);
}

static int c_fifo_bulk(int unused)
{
	static char buf[65536];
	int fd;

	(void)unused;
	if ((fd = open(fifo_path, O_WRONLY)) < 0)
		return 1;
	for (int i = 0; i < 8; i++) {
		memset(buf, 'a' + i, sizeof(buf));
		if (pt_write_full(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
			return 2;
	}
	close(fd);
	return 0;
}

static void fifo_data(void)
{
	static char buf[65536];
	pid_t pid = child(c_fifo_bulk, -1);
	int fd, bad = 0;

	CHECK((fd = open(fifo_path, O_RDONLY)) >= 0);
	for (int i = 0; i < 8; i++) {
		CHECK(pt_read_full(fd, buf, sizeof(buf)) == (ssize_t)sizeof(buf));
		for (size_t k = 0; k < sizeof(buf); k++)
			bad += buf[k] != 'a' + i;
	}
	CHECK(bad == 0);
	CHECK(read(fd, buf, 1) == 0);
	REAP(pid, 0);
	close(fd);
}

static void fifo_epipe(void)
{
	int r, w;

	signal(SIGPIPE, SIG_IGN);
	CHECK((r = open(fifo_path, O_RDONLY | O_NONBLOCK)) >= 0);
	CHECK((w = open(fifo_path, O_WRONLY)) >= 0);
	struct pollfd pf = { .fd = w, .events = POLLOUT };
	CHECK(poll(&pf, 1, 1000) == 1 && (pf.revents & POLLOUT));
	CHECK(close(r) == 0);
	ERRNO(write(w, "x", 1), EPIPE);
	CHECK(close(w) == 0);
	signal(SIGPIPE, SIG_DFL);
}

static int c_fifo_eintr(int unused)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct itimerval it = { .it_value = { 0, 200000 } };

	(void)unused;
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	if (open(fifo_path, O_RDONLY) != -1 || errno != EINTR || !got_alarm)
		return 1;
	return 0;
}

static void fifo_open_eintr(void)
{
	REAP(child(c_fifo_eintr, -1), 0);
	/* no reader is left behind by it */
	ERRNO(open(fifo_path, O_WRONLY | O_NONBLOCK), ENXIO);
	CHECK(unlink(fifo_path) == 0);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 && argv[1][0] == '/' ? argv[1] : getenv("PT_DIR");

	pt_prefix = "locks";
	snprintf(base, sizeof(base), "%s/locks.%d", dir ? dir : "/tmp", (int)getpid());
	if (mkdir(base, 0755)) {
		printf("locks: cannot make %s: %s\n", base, strerror(errno));
		return 1;
	}
	run("conflict", conflict);
	run("split_merge", split_merge);
	run("setlkw_waits", setlkw_waits);
	run("setlkw_eintr", setlkw_eintr);
	run("deadlock", deadlock);
	run("close_any_fd", close_any_fd);
	run("exit_drops", exit_drops);
	run("fork_not_inherited", fork_not_inherited);
	run("bad_input", bad_input);
	run("ofd_locks", ofd_locks);
	run("flocks", flocks);
	run("fifo_basics", fifo_basics);
	run("fifo_open_waits", fifo_open_waits);
	run("fifo_data", fifo_data);
	run("fifo_epipe", fifo_epipe);
	run("fifo_open_eintr", fifo_open_eintr);
	return finish();
}
