// SPDX-License-Identifier: MIT
/*
 * System V IPC (msgget, msgsnd, msgrcv, msgctl; semget, semop,
 * semtimedop, semctl; shmget, shmat, shmdt, shmctl;
 * musl-port/src/cairn/sysvipc.c): keys, IPC_PRIVATE, IPC_CREAT and
 * IPC_EXCL; msgrcv's types (0, > 0, < 0, MSG_EXCEPT), MSG_NOERROR, E2BIG,
 * ENOMSG, a full queue (msg_qbytes) blocking a sender; semop's atomic
 * arrays, waits for zero, IPC_NOWAIT, semtimedop's timeout, the semctl
 * commands, SEM_UNDO at exit and at SIGKILL; shmat at an address,
 * SHM_RND, SHM_RDONLY, shm_nattch across fork, exec and exit, a removed
 * segment living until its last detach; processes exchanging messages,
 * playing semaphore ping-pong and counting in a segment under a
 * semaphore; waiters woken by IPC_RMID (EIDRM) and by signals (EINTR,
 * even under SA_RESTART); permissions against another uid (when run as
 * root); and the errors of bad ids, sizes and commands.
 *
 * It passes on Linux (as root; the permission checks need root, the rest
 * not), built on the host:
 *   gcc -std=gnu11 -O2 -Wall -Wextra -Werror -Iuser/tests/posix -Iuser/lib/include \
 *       -o /tmp/sysvipc user/tests/posix/sysvipc.c user/tests/posix/lib/child.c \
 *       user/tests/posix/lib/test_musl.c user/lib/test.c -lpthread
 * Expected list: tests/harness/expected/posix-sysvipc.txt.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <grp.h>
#include <time.h>
#include "posixtest.h"

#ifndef MSG_EXCEPT
#define MSG_EXCEPT 020000
#endif

static const char *self;          /* argv[0]: exec'd again by shm_exec */

union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
};

struct msg {
	long type;
	char text[8192];
};

/* A key of this run's (n: which one). */
static key_t key_of(int n)
{
	return (key_t)(0x5a000000 | ((getpid() & 0xffff) << 8) | n);
}

static int send_text(int q, long type, const char *text, int flags)
{
	struct msg m;

	m.type = type;
	strcpy(m.text, text);
	return msgsnd(q, &m, strlen(text), flags);
}

/* The type and text of the message msgrcv(type, flags) gives, in *m
 * (NUL-ended): its length, or -1. */
static ssize_t recv_text(int q, long type, int flags, struct msg *m)
{
	ssize_t n = msgrcv(q, m, sizeof(m->text) - 1, type, flags);

	if (n >= 0)
		m->text[n] = 0;
	return n;
}

static int sem_op(int s, unsigned short num, short op, short flg)
{
	struct sembuf b = { num, op, flg };

	return semop(s, &b, 1);
}

static int getval(int s, int num)
{
	return semctl(s, num, GETVAL);
}

/* Whether a byte came on fd within 10 s (a child's "I am there"). */
static int byte_from(int fd)
{
	struct pollfd p = { fd, POLLIN, 0 };
	char c;

	return poll(&p, 1, 10000) == 1 && read(fd, &c, 1) == 1;
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* ---- messages ------------------------------------------------------------------------- */

/* Keys: IPC_CREAT, IPC_EXCL (EEXIST), ENOENT without IPC_CREAT, the same
 * id for the same key, IPC_PRIVATE always new; IPC_STAT's fields; an id
 * removed is EINVAL; the key is free again. */
static void msg_keys(void)
{
	key_t k = key_of(1);
	struct msqid_ds ds;
	int q, q2, p;

	ERRNO(msgget(k, 0600), ENOENT);
	CHECK((q = msgget(k, IPC_CREAT | IPC_EXCL | 0640)) >= 0);
	ERRNO(msgget(k, IPC_CREAT | IPC_EXCL | 0600), EEXIST);
	CHECK(msgget(k, 0) == q && msgget(k, IPC_CREAT | 0600) == q);
	CHECK((p = msgget(IPC_PRIVATE, 0600)) >= 0 && p != q);
	CHECK((q2 = msgget(IPC_PRIVATE, 0600)) >= 0 && q2 != p && q2 != q);
	CHECK(msgctl(q, IPC_STAT, &ds) == 0);
	CHECK(ds.msg_perm.__key == k && (ds.msg_perm.mode & 0777) == 0640);
	CHECK(ds.msg_perm.uid == geteuid() && ds.msg_perm.cuid == geteuid());
	CHECK(ds.msg_perm.gid == getegid() && ds.msg_perm.cgid == getegid());
	CHECK(ds.msg_qnum == 0 && ds.msg_cbytes == 0 && ds.msg_qbytes == 16384);
	CHECK(ds.msg_lspid == 0 && ds.msg_lrpid == 0 && ds.msg_stime == 0 && ds.msg_ctime > 0);
	CHECK(send_text(q, 7, "hello", 0) == 0 && send_text(q, 8, "abc", 0) == 0);
	CHECK(msgctl(q, IPC_STAT, &ds) == 0);
	CHECK(ds.msg_qnum == 2 && ds.msg_cbytes == 8 && ds.msg_lspid == getpid() && ds.msg_stime > 0);
	ds.msg_perm.mode = 0604;
	CHECK(msgctl(q, IPC_SET, &ds) == 0);
	CHECK(msgctl(q, IPC_STAT, &ds) == 0 && (ds.msg_perm.mode & 0777) == 0604 && ds.msg_qnum == 2);
	CHECK(msgctl(q, IPC_RMID, NULL) == 0);
	ERRNO(msgctl(q, IPC_STAT, &ds), EINVAL);
	ERRNO(send_text(q, 1, "x", 0), EINVAL);
	ERRNO(msgget(k, 0), ENOENT);
	CHECK((q = msgget(k, IPC_CREAT | IPC_EXCL | 0600)) >= 0);
	CHECK(msgctl(q, IPC_STAT, &ds) == 0 && ds.msg_qnum == 0);
	CHECK(msgctl(q, IPC_RMID, NULL) == 0 && msgctl(p, IPC_RMID, NULL) == 0);
	CHECK(msgctl(q2, IPC_RMID, NULL) == 0);
}

/* msgrcv's selection: type 0 (the first), > 0 (the first of that type),
 * MSG_EXCEPT, < 0 (the lowest type up to -type, first among equals);
 * ENOMSG, E2BIG (the message stays), MSG_NOERROR (cut). */
static void msg_types(void)
{
	struct msg m;
	int q = msgget(IPC_PRIVATE, 0600);

	CHECK(q >= 0);
	CHECK(send_text(q, 5, "a5", 0) == 0 && send_text(q, 3, "b3", 0) == 0);
	CHECK(send_text(q, 9, "c9", 0) == 0 && send_text(q, 3, "d3", 0) == 0);
	CHECK(send_text(q, 1, "e1", 0) == 0 && send_text(q, 5, "f5", 0) == 0);
	CHECK(recv_text(q, 3, 0, &m) == 2 && m.type == 3 && !strcmp(m.text, "b3"));
	CHECK(recv_text(q, 5, MSG_EXCEPT, &m) == 2 && m.type == 9 && !strcmp(m.text, "c9"));
	CHECK(recv_text(q, -4, 0, &m) == 2 && m.type == 1 && !strcmp(m.text, "e1"));
	CHECK(recv_text(q, -4, 0, &m) == 2 && m.type == 3 && !strcmp(m.text, "d3"));
	ERRNO(recv_text(q, -4, IPC_NOWAIT, &m), ENOMSG);
	ERRNO(recv_text(q, 2, IPC_NOWAIT, &m), ENOMSG);
	CHECK(recv_text(q, 0, 0, &m) == 2 && m.type == 5 && !strcmp(m.text, "a5"));
	CHECK(send_text(q, 2, "0123456789", 0) == 0);
	ERRNO(msgrcv(q, &m, 4, -2, IPC_NOWAIT), E2BIG);
	ERRNO(msgrcv(q, &m, 4, 2, IPC_NOWAIT), E2BIG);
	memset(m.text, 0, 16);
	CHECK(msgrcv(q, &m, 4, 2, MSG_NOERROR) == 4 && m.type == 2 && !memcmp(m.text, "0123\0", 5));
	CHECK(recv_text(q, 0, 0, &m) == 2 && !strcmp(m.text, "f5"));
	ERRNO(recv_text(q, 0, IPC_NOWAIT, &m), ENOMSG);
	/* an empty message, and one of msgmax bytes */
	CHECK(send_text(q, 4, "", 0) == 0 && recv_text(q, 0, 0, &m) == 0 && m.type == 4);
	memset(m.text, 'z', 8192);
	m.type = 6;
	CHECK(msgsnd(q, &m, 8192, 0) == 0);
	memset(m.text, 0, 8192);
	CHECK(msgrcv(q, &m, 8192, 6, 0) == 8192 && m.text[0] == 'z' && m.text[8191] == 'z');
	CHECK(msgctl(q, IPC_RMID, NULL) == 0);
}

/* A full queue: msg_qbytes bytes (16384 by default); IPC_NOWAIT gives
 * EAGAIN, a sender without it waits until a receive makes room; IPC_SET
 * lowers msg_qbytes. */
static void msg_full(void)
{
	struct msqid_ds ds;
	struct msg m;
	int q = msgget(IPC_PRIVATE, 0600), fds[2];
	pid_t pid;

	CHECK(q >= 0 && pipe(fds) == 0);
	m.type = 1;
	memset(m.text, 'f', 8192);
	CHECK(msgsnd(q, &m, 8192, 0) == 0 && msgsnd(q, &m, 8192, 0) == 0);
	ERRNO(msgsnd(q, &m, 1, IPC_NOWAIT), EAGAIN);
	if ((pid = fork()) == 0) {
		pt_child_start();
		close(fds[0]);
		write(fds[1], "s", 1);
		m.type = 2;
		_exit(msgsnd(q, &m, 100, 0) == 0 ? 0 : 10 + errno);
	}
	CHECK(byte_from(fds[0]));
	pt_msleep(100);
	CHECK(msgctl(q, IPC_STAT, &ds) == 0 && ds.msg_qnum == 2 && ds.msg_cbytes == 16384);
	CHECK(waitpid(pid, NULL, WNOHANG) == 0);      /* still waiting */
	CHECK(msgrcv(q, &m, 8192, 1, 0) == 8192);
	REAP(pid, 0);
	CHECK(msgctl(q, IPC_STAT, &ds) == 0 && ds.msg_qnum == 2 && ds.msg_cbytes == 8292);
	CHECK(ds.msg_lspid == pid && ds.msg_lrpid == getpid());
	ds.msg_qbytes = 8292;
	CHECK(msgctl(q, IPC_SET, &ds) == 0);
	ERRNO(msgsnd(q, &m, 1, IPC_NOWAIT), EAGAIN);
	CHECK(msgctl(q, IPC_STAT, &ds) == 0 && ds.msg_qbytes == 8292);
	CHECK(msgctl(q, IPC_RMID, NULL) == 0);
	close(fds[0]);
	close(fds[1]);
}

/* A sender and a receiver process: 300 messages of several types and
 * sizes arrive whole and in order; a receiver waiting on a queue that is
 * removed gets EIDRM. */
static void msg_processes(void)
{
	int q = msgget(IPC_PRIVATE, 0600), ok = 1;
	struct msg m;
	pid_t pid;

	CHECK(q >= 0);
	if ((pid = fork()) == 0) {
		pt_child_start();
		for (int i = 0; i < 300; i++) {
			m.type = 1 + i % 3;
			memset(m.text, 'a' + i % 26, (size_t)(i * 37 % 2000));
			if (msgsnd(q, &m, (size_t)(i * 37 % 2000), 0))
				_exit(1);
		}
		_exit(0);
	}
	for (int i = 0; i < 300 && ok; i++) {
		ssize_t n = msgrcv(q, &m, sizeof(m.text), 0, 0);
		ok = n == i * 37 % 2000 && m.type == 1 + i % 3 && (!n || (m.text[0] == 'a' + i % 26 &&
								  m.text[n - 1] == 'a' + i % 26));
	}
	CHECK(ok);
	REAP(pid, 0);
	if ((pid = fork()) == 0) {
		pt_child_start();
		if (msgrcv(q, &m, sizeof(m.text), 0, 0) >= 0)
			_exit(1);
		_exit(errno == EIDRM ? 0 : 10 + errno);
	}
	pt_msleep(150);
	CHECK(msgctl(q, IPC_RMID, NULL) == 0);
	REAP(pid, 0);
}

/* A signal handler ends a waiting msgrcv and semop with EINTR, even with
 * SA_RESTART (System V IPC is never restarted). */
static void interrupted(void)
{
	struct sigaction sa = { 0 }, old;
	int q = msgget(IPC_PRIVATE, 0600), s = semget(IPC_PRIVATE, 1, 0600);
	struct msg m;

	CHECK(q >= 0 && s >= 0);
	sa.sa_handler = on_alarm;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, &old);
	ualarm(100000, 0);
	ERRNO(msgrcv(q, &m, sizeof(m.text), 0, 0), EINTR);
	ualarm(100000, 0);
	ERRNO(sem_op(s, 0, -1, 0), EINTR);
	sigaction(SIGALRM, &old, NULL);
	CHECK(semctl(s, 0, GETNCNT) == 0);
	CHECK(msgctl(q, IPC_RMID, NULL) == 0 && semctl(s, 0, IPC_RMID) == 0);
}

/* ---- semaphores ----------------------------------------------------------------------- */

/* SETVAL, GETVAL, SETALL, GETALL, GETPID, IPC_STAT, IPC_SET; semget's
 * nsems against an existing set; ERANGE. */
static void sem_control(void)
{
	unsigned short vals[4] = { 1, 2, 3, 32767 }, got[4] = { 0 };
	key_t k = key_of(2);
	struct semid_ds ds;
	union semun arg;
	int s;

	ERRNO(semget(k, 4, 0600), ENOENT);
	ERRNO(semget(k, 0, IPC_CREAT | 0600), EINVAL);
	CHECK((s = semget(k, 4, IPC_CREAT | IPC_EXCL | 0600)) >= 0);
	CHECK(semget(k, 0, 0) == s && semget(k, 4, 0) == s && semget(k, 2, IPC_CREAT) == s);
	ERRNO(semget(k, 5, 0), EINVAL);
	arg.buf = &ds;
	CHECK(semctl(s, 0, IPC_STAT, arg) == 0 && ds.sem_nsems == 4 && ds.sem_otime == 0);
	CHECK(ds.sem_perm.__key == k && (ds.sem_perm.mode & 0777) == 0600 && ds.sem_perm.uid == geteuid());
	for (int i = 0; i < 4; i++)
		CHECK(getval(s, i) == 0 && semctl(s, i, GETPID) == 0);
	arg.val = 5;
	CHECK(semctl(s, 1, SETVAL, arg) == 0 && getval(s, 1) == 5 && semctl(s, 1, GETPID) == getpid());
	arg.val = 32768;
	ERRNO(semctl(s, 1, SETVAL, arg), ERANGE);
	arg.val = -1;
	ERRNO(semctl(s, 1, SETVAL, arg), ERANGE);
	arg.val = 1;
	ERRNO(semctl(s, 4, SETVAL, arg), EINVAL);
	ERRNO(semctl(s, -1, GETVAL), EINVAL);
	arg.array = vals;
	CHECK(semctl(s, 0, SETALL, arg) == 0);
	arg.array = got;
	CHECK(semctl(s, 0, GETALL, arg) == 0 && !memcmp(got, vals, sizeof(vals)));
	CHECK(getval(s, 3) == 32767);
	ERRNO(sem_op(s, 3, 1, IPC_NOWAIT), ERANGE);
	CHECK(sem_op(s, 2, -3, 0) == 0 && getval(s, 2) == 0);
	arg.buf = &ds;
	CHECK(semctl(s, 0, IPC_STAT, arg) == 0 && ds.sem_otime > 0);
	ds.sem_perm.mode = 0640;
	CHECK(semctl(s, 0, IPC_SET, arg) == 0);
	CHECK(semctl(s, 0, IPC_STAT, arg) == 0 && (ds.sem_perm.mode & 0777) == 0640);
	CHECK(semctl(s, 0, IPC_RMID) == 0);
	ERRNO(getval(s, 0), EINVAL);
	ERRNO(semget(k, 1, 0), ENOENT);
}

/* semop's array is all or nothing: an operation that would wait undoes
 * the ones before it (IPC_NOWAIT: EAGAIN); waits for zero; EFBIG, E2BIG,
 * EINVAL; semtimedop's timeout (EAGAIN, not before it). */
static void sem_atomic(void)
{
	struct sembuf two[2] = { { 0, -1, IPC_NOWAIT }, { 1, -1, IPC_NOWAIT } };
	struct sembuf zero[2] = { { 0, 0, IPC_NOWAIT }, { 1, 1, 0 } };
	static struct sembuf many[501];
	struct sembuf wait1 = { 0, -1, 0 };
	struct timespec ts = { 0, 150000000 };
	int s = semget(IPC_PRIVATE, 3, 0600);
	union semun arg;
	int64_t t0;

	CHECK(s >= 0);
	arg.val = 1;
	CHECK(semctl(s, 0, SETVAL, arg) == 0);
	ERRNO(semop(s, two, 2), EAGAIN);
	CHECK(getval(s, 0) == 1 && getval(s, 1) == 0);
	ERRNO(semop(s, zero, 2), EAGAIN);
	CHECK(getval(s, 0) == 1 && getval(s, 1) == 0);
	CHECK(sem_op(s, 1, 2, 0) == 0);
	CHECK(semop(s, two, 2) == 0 && getval(s, 0) == 0 && getval(s, 1) == 1);
	CHECK(semop(s, zero, 2) == 0 && getval(s, 1) == 2);
	two[1].sem_num = 3;
	ERRNO(semop(s, two, 2), EFBIG);
	ERRNO(semop(s, two, 0), EINVAL);
	for (int i = 0; i < 501; i++)
		many[i] = (struct sembuf){ 2, 1, 0 };
	ERRNO(semop(s, many, 501), E2BIG);
	CHECK(semop(s, many, 500) == 0 && getval(s, 2) == 500);
	t0 = pt_now_ms();
	ERRNO(semtimedop(s, &wait1, 1, &ts), EAGAIN);
	CHECK(pt_now_ms() - t0 >= 150);
	ts.tv_nsec = 1000000000;
	ERRNO(semtimedop(s, &wait1, 1, &ts), EINVAL);
	CHECK(semctl(s, 0, IPC_RMID) == 0);
}

/* Two processes take turns 200 times through two semaphores; GETNCNT
 * counts a waiter, GETZCNT one waiting for zero; a waiter whose set is
 * removed gets EIDRM. */
static void sem_pingpong(void)
{
	int s = semget(IPC_PRIVATE, 3, 0600), fails = 0;
	union semun arg;
	pid_t pid;

	CHECK(s >= 0);
	if ((pid = fork()) == 0) {
		pt_child_start();
		for (int i = 0; i < 200; i++)
			if (sem_op(s, 0, -1, 0) || sem_op(s, 1, 1, 0))
				_exit(1);
		_exit(0);
	}
	for (int i = 0; i < 200; i++)
		if (sem_op(s, 0, 1, 0) || sem_op(s, 1, -1, 0))
			fails++;
	CHECK(fails == 0);
	REAP(pid, 0);
	CHECK(getval(s, 0) == 0 && getval(s, 1) == 0 && semctl(s, 1, GETPID) == getpid());
	/* a waiter for an increase, then one for zero */
	if ((pid = fork()) == 0) {
		pt_child_start();
		_exit(sem_op(s, 2, -1, 0) ? 1 : 0);
	}
	for (int i = 0; i < 200 && semctl(s, 2, GETNCNT) != 1; i++)
		pt_msleep(5);
	CHECK(semctl(s, 2, GETNCNT) == 1 && semctl(s, 2, GETZCNT) == 0);
	CHECK(sem_op(s, 2, 1, 0) == 0);
	REAP(pid, 0);
	CHECK(semctl(s, 2, GETNCNT) == 0 && getval(s, 2) == 0 && semctl(s, 2, GETPID) == pid);
	arg.val = 3;
	CHECK(semctl(s, 2, SETVAL, arg) == 0);
	if ((pid = fork()) == 0) {
		pt_child_start();
		_exit(sem_op(s, 2, 0, 0) ? 1 : 0);
	}
	for (int i = 0; i < 200 && semctl(s, 2, GETZCNT) != 1; i++)
		pt_msleep(5);
	CHECK(semctl(s, 2, GETZCNT) == 1);
	CHECK(sem_op(s, 2, -3, 0) == 0);
	REAP(pid, 0);
	/* removed under a waiter */
	if ((pid = fork()) == 0) {
		pt_child_start();
		if (!sem_op(s, 0, -1, 0))
			_exit(1);
		_exit(errno == EIDRM ? 0 : 10 + errno);
	}
	for (int i = 0; i < 200 && semctl(s, 0, GETNCNT) != 1; i++)
		pt_msleep(5);
	CHECK(semctl(s, 0, IPC_RMID) == 0);
	REAP(pid, 0);
}

/* SEM_UNDO: a child's decrement comes back when it exits, and when it is
 * killed (here: by the time the set is next read); SETVAL clears the
 * adjustments; a fork's child does not inherit its parent's. */
static void sem_undo(void)
{
	struct sembuf take2 = { 0, -2, 0 };
	struct timespec ten_s = { 10, 0 };
	int s = semget(IPC_PRIVATE, 2, 0600), fds[2];
	union semun arg;
	pid_t pid;

	CHECK(s >= 0 && pipe(fds) == 0);
	arg.val = 2;
	CHECK(semctl(s, 0, SETVAL, arg) == 0);
	if ((pid = fork()) == 0) {
		pt_child_start();
		_exit(sem_op(s, 0, -2, SEM_UNDO) || sem_op(s, 1, 5, SEM_UNDO) || getval(s, 0) != 0 ? 1 : 0);
	}
	REAP(pid, 0);
	CHECK(getval(s, 0) == 2 && getval(s, 1) == 0 && semctl(s, 0, GETPID) == pid);
	/* killed while holding it */
	if ((pid = fork()) == 0) {
		pt_child_start();
		if (sem_op(s, 0, -1, SEM_UNDO))
			_exit(1);
		write(fds[1], "h", 1);
		pause();
		_exit(2);
	}
	CHECK(byte_from(fds[0]) && getval(s, 0) == 1);
	kill(pid, SIGKILL);
	REAP(pid, 1000 + SIGKILL);
	CHECK(getval(s, 0) == 2);
	/* a waiter gets what a killed holder had */
	if ((pid = fork()) == 0) {
		pt_child_start();
		if (sem_op(s, 0, -2, SEM_UNDO))
			_exit(1);
		write(fds[1], "h", 1);
		pause();
		_exit(2);
	}
	CHECK(byte_from(fds[0]) && getval(s, 0) == 0);
	kill(pid, SIGKILL);
	REAP(pid, 1000 + SIGKILL);
	CHECK(semtimedop(s, &take2, 1, &ten_s) == 0 && getval(s, 0) == 0);
	/* SETVAL forgets the adjustments; the parent's are not the child's */
	arg.val = 1;
	CHECK(semctl(s, 0, SETVAL, arg) == 0);
	CHECK(sem_op(s, 0, -1, SEM_UNDO) == 0);
	if ((pid = fork()) == 0) {
		pt_child_start();
		_exit(sem_op(s, 1, 1, SEM_UNDO) ? 1 : 0);
	}
	REAP(pid, 0);
	CHECK(getval(s, 0) == 0 && getval(s, 1) == 0);
	if ((pid = fork()) == 0) {
		pt_child_start();
		if (sem_op(s, 1, 4, SEM_UNDO))
			_exit(1);
		arg.val = 4;
		_exit(semctl(s, 1, SETVAL, arg) ? 2 : 0);
	}
	REAP(pid, 0);
	CHECK(getval(s, 1) == 4);
	CHECK(semctl(s, 0, IPC_RMID) == 0);
	close(fds[0]);
	close(fds[1]);
}

/* ---- shared memory -------------------------------------------------------------------- */

/* shmget's sizes and keys, IPC_STAT, two attaches seeing each other's
 * writes, shm_nattch, shmat at an address and with SHM_RND, SHM_RDONLY
 * (a write faults), shmdt's EINVAL. */
static void shm_attach(void)
{
	key_t k = key_of(3);
	struct shmid_ds ds;
	char *a = NULL, *b = NULL, *c;
	pid_t pid;
	int m;

	ERRNO(shmget(k, 4096, 0600), ENOENT);
	ERRNO(shmget(k, 0, IPC_CREAT | 0600), EINVAL);
	ERRNO(shmget(IPC_PRIVATE, 0, 0600), EINVAL);
	CHECK((m = shmget(k, 10000, IPC_CREAT | IPC_EXCL | 0600)) >= 0);
	CHECK(shmget(k, 0, 0) == m && shmget(k, 10000, 0) == m);
	ERRNO(shmget(k, 10001, 0), EINVAL);
	ERRNO(shmget(k, 100, IPC_CREAT | IPC_EXCL | 0600), EEXIST);
	CHECK(shmctl(m, IPC_STAT, &ds) == 0 && ds.shm_segsz == 10000 && ds.shm_nattch == 0);
	CHECK(ds.shm_cpid == getpid() && ds.shm_lpid == 0 && ds.shm_atime == 0 && ds.shm_perm.__key == k);
	CHECK((a = shmat(m, NULL, 0)) != (void *)-1);
	CHECK((b = shmat(m, NULL, 0)) != (void *)-1 && b != a);
	CHECK(a[0] == 0 && a[9999] == 0);
	strcpy(a, "shared");
	a[12287] = 'e';            /* the last page is whole */
	CHECK(!strcmp(b, "shared") && b[12287] == 'e');
	CHECK(shmctl(m, IPC_STAT, &ds) == 0 && ds.shm_nattch == 2 && ds.shm_lpid == getpid());
	CHECK(ds.shm_atime > 0);
	CHECK(shmdt(b) == 0);
	ERRNO(shmdt(b), EINVAL);
	ERRNO(shmdt(a + 4096), EINVAL);
	CHECK(shmctl(m, IPC_STAT, &ds) == 0 && ds.shm_nattch == 1 && ds.shm_dtime > 0);
	/* at an address: there, rounded with SHM_RND, EINVAL unaligned */
	c = (char *)mmap(NULL, 8 * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(c != MAP_FAILED);
	munmap(c, 8 * 4096);
	CHECK(shmat(m, c + 4096, 0) == c + 4096 && !strcmp(c + 4096, "shared"));
	CHECK(shmdt(c + 4096) == 0);
	ERRNO((long)shmat(m, c + 100, 0), EINVAL);
	CHECK(shmat(m, c + 4096 + 100, SHM_RND) == c + 4096);
	CHECK(shmdt(c + 4096) == 0);
	/* read-only */
	CHECK((b = shmat(m, NULL, SHM_RDONLY)) != (void *)-1 && !strcmp(b, "shared"));
	if ((pid = fork()) == 0) {
		pt_child_start();
		b[0] = 'X';
		_exit(0);
	}
	REAP(pid, 1000 + SIGSEGV);
	CHECK(a[0] == 's');
	CHECK(shmdt(b) == 0 && shmdt(a) == 0);
	CHECK(shmctl(m, IPC_STAT, &ds) == 0 && ds.shm_nattch == 0);
	CHECK(shmctl(m, IPC_RMID, NULL) == 0);
	ERRNO(shmctl(m, IPC_STAT, &ds), EINVAL);
	ERRNO((long)shmat(m, NULL, 0), EINVAL);
}

/* IPC_RMID while attached: SHM_DEST and the private key, still there for
 * its attachers (and IPC_STAT) until the last detach; the key names a new
 * segment meanwhile. */
static void shm_removed(void)
{
	key_t k = key_of(4);
	struct shmid_ds ds;
	int m = shmget(k, 4096, IPC_CREAT | IPC_EXCL | 0600), m2;
	char *a = NULL;

	CHECK(m >= 0 && (a = shmat(m, NULL, 0)) != (void *)-1);
	strcpy(a, "kept");
	CHECK(shmctl(m, IPC_RMID, NULL) == 0);
	CHECK(shmctl(m, IPC_STAT, &ds) == 0 && (ds.shm_perm.mode & SHM_DEST) && ds.shm_perm.__key == 0);
	CHECK(ds.shm_nattch == 1);
	ERRNO(shmget(k, 4096, 0600), ENOENT);
	CHECK((m2 = shmget(k, 4096, IPC_CREAT | IPC_EXCL | 0600)) >= 0 && m2 != m);
	CHECK(!strcmp(a, "kept"));
	CHECK(shmdt(a) == 0);
	ERRNO(shmctl(m, IPC_STAT, &ds), EINVAL);
	CHECK(shmctl(m2, IPC_RMID, NULL) == 0);
}

/* shm_nattch across fork (the child's attaches count), exit (they go
 * without shmdt) and exec (they go with the old image). */
static void shm_fork_exec(void)
{
	int m = shmget(IPC_PRIVATE, 4096, 0600), fds[2], go[2];
	struct shmid_ds ds;
	char *a = NULL, c, arg[16];
	pid_t pid;

	CHECK(m >= 0 && (a = shmat(m, NULL, 0)) != (void *)-1 && pipe(fds) == 0 && pipe(go) == 0);
	if ((pid = fork()) == 0) {
		pt_child_start();
		strcpy(a, "child");
		write(fds[1], "a", 1);
		read(go[0], &c, 1);
		_exit(0);
	}
	CHECK(byte_from(fds[0]) && !strcmp(a, "child"));
	CHECK(shmctl(m, IPC_STAT, &ds) == 0 && ds.shm_nattch == 2);
	write(go[1], "g", 1);
	REAP(pid, 0);
	CHECK(shmctl(m, IPC_STAT, &ds) == 0 && ds.shm_nattch == 1);
	if ((pid = fork()) == 0) {
		pt_child_start();
		snprintf(arg, sizeof(arg), "%d", go[0]);
		execl(self, self, "idle", arg, (char *)NULL);
		_exit(99);
	}
	/* the exec'd program waits for a byte on go[0] */
	for (int i = 0; i < 400; i++) {
		if (shmctl(m, IPC_STAT, &ds) == 0 && ds.shm_nattch == 1 && ds.shm_lpid == pid)
			break;
		pt_msleep(5);
	}
	CHECK(shmctl(m, IPC_STAT, &ds) == 0 && ds.shm_nattch == 1 && ds.shm_lpid == pid);
	write(go[1], "g", 1);
	REAP(pid, 0);
	CHECK(shmdt(a) == 0 && shmctl(m, IPC_RMID, NULL) == 0);
	close(fds[0]);
	close(fds[1]);
	close(go[0]);
	close(go[1]);
}

/* Four processes add 1 to a counter in a segment 300 times each, under a
 * semaphore (SEM_UNDO); the sum is whole. */
static void shm_counter(void)
{
	int m = shmget(IPC_PRIVATE, sizeof(long), 0600), s = semget(IPC_PRIVATE, 1, 0600);
	volatile long *n = NULL;
	union semun arg;
	pid_t pids[4];

	CHECK(m >= 0 && s >= 0 && (n = shmat(m, NULL, 0)) != (void *)-1);
	arg.val = 1;
	CHECK(semctl(s, 0, SETVAL, arg) == 0);
	for (int p = 0; p < 4; p++)
		if ((pids[p] = fork()) == 0) {
			pt_child_start();
			for (int i = 0; i < 300; i++) {
				if (sem_op(s, 0, -1, SEM_UNDO))
					_exit(1);
				long v = *n;
				if (i % 50 == 0)
					sched_yield();
				*n = v + 1;
				if (sem_op(s, 0, 1, SEM_UNDO))
					_exit(2);
			}
			_exit(0);
		}
	for (int p = 0; p < 4; p++)
		REAP(pids[p], 0);
	CHECK(*n == 1200 && getval(s, 0) == 1);
	CHECK(shmdt((void *)n) == 0 && shmctl(m, IPC_RMID, NULL) == 0 && semctl(s, 0, IPC_RMID) == 0);
}

/* ---- permissions and errors ----------------------------------------------------------- */

/* Another uid (a child of root's): the mode bits decide (EACCES): the
 * owner's for the owner, the group's for a member (a supplementary group
 * too), else the others'; the owner's commands need ownership (EPERM);
 * IPC_SET gives it to the other uid, which may then remove it. Root
 * passes every check. */
static void permissions(void)
{
	int q = msgget(IPC_PRIVATE, 0600), s = semget(IPC_PRIVATE, 1, 0604), m = shmget(IPC_PRIVATE, 4096, 0604);
	struct msqid_ds ds;
	int q2 = -1, q3 = -1;
	pid_t pid;

	CHECK(q >= 0 && s >= 0 && m >= 0);
	if (geteuid() != 0) {
		CHECK(send_text(q, 1, "x", 0) == 0);
		goto out;
	}
	CHECK(msgctl(q, IPC_STAT, &ds) == 0);
	ds.msg_perm.mode = 0;
	CHECK(msgctl(q, IPC_SET, &ds) == 0 && send_text(q, 1, "root", 0) == 0);
	ds.msg_perm.mode = 0600;
	CHECK(msgctl(q, IPC_SET, &ds) == 0);
	if ((pid = fork()) == 0) {
		struct sembuf down = { 0, -1, IPC_NOWAIT }, look = { 0, 0, IPC_NOWAIT };
		struct msqid_ds d2;
		struct shmid_ds sd;
		struct msg mm;
		void *p;
		pt_child_start();
		if (setgid(4321) || setuid(4321))
			_exit(1);
		if (send_text(q, 1, "x", 0) == 0 || errno != EACCES)
			_exit(2);
		if (msgrcv(q, &mm, 10, 0, IPC_NOWAIT) >= 0 || errno != EACCES)
			_exit(3);
		if (msgctl(q, IPC_STAT, &d2) == 0 || errno != EACCES)
			_exit(4);
		if (msgctl(q, IPC_RMID, NULL) == 0 || errno != EPERM)
			_exit(5);
		if (semop(s, &down, 1) == 0 || errno != EACCES)
			_exit(6);
		if (semop(s, &look, 1) != 0 || semctl(s, 0, GETVAL) != 0)
			_exit(7);
		if ((p = shmat(m, NULL, 0)) != (void *)-1 || errno != EACCES)
			_exit(8);
		if ((p = shmat(m, NULL, SHM_RDONLY)) == (void *)-1 || shmdt(p))
			_exit(9);
		if (shmctl(m, IPC_STAT, &sd) || shmctl(m, IPC_RMID, NULL) == 0 || errno != EPERM)
			_exit(10);
		_exit(0);
	}
	REAP(pid, 0);
	/* the group bits for a supplementary group; the owner gets the
	 * owner bits only, even when the others' would do */
	CHECK((q2 = msgget(IPC_PRIVATE, 0660)) >= 0 && (q3 = msgget(IPC_PRIVATE, 0066)) >= 0);
	CHECK(msgctl(q2, IPC_STAT, &ds) == 0);
	ds.msg_perm.gid = 777;
	ds.msg_perm.mode = 0020;
	CHECK(msgctl(q2, IPC_SET, &ds) == 0);
	CHECK(msgctl(q3, IPC_STAT, &ds) == 0);
	ds.msg_perm.uid = 4321;
	CHECK(msgctl(q3, IPC_SET, &ds) == 0);
	if ((pid = fork()) == 0) {
		gid_t g = 777;
		struct msg mm;
		pt_child_start();
		if (setgroups(1, &g) || setgid(4321) || setuid(4321))
			_exit(1);
		if (send_text(q2, 1, "grp", 0))
			_exit(2);
		if (msgrcv(q2, &mm, 10, 0, IPC_NOWAIT) >= 0 || errno != EACCES)
			_exit(3);
		if (send_text(q3, 1, "own", IPC_NOWAIT) == 0 || errno != EACCES)
			_exit(4);
		_exit(msgctl(q3, IPC_RMID, NULL) ? 5 : 0);
	}
	REAP(pid, 0);
	CHECK(msgctl(q2, IPC_STAT, &ds) == 0 && ds.msg_qnum == 1 && msgctl(q2, IPC_RMID, NULL) == 0);
	ERRNO(msgctl(q3, IPC_STAT, &ds), EINVAL);
	/* given to uid 4321: its owner now */
	CHECK(msgctl(q, IPC_STAT, &ds) == 0);
	ds.msg_perm.uid = 4321;
	CHECK(msgctl(q, IPC_SET, &ds) == 0);
	if ((pid = fork()) == 0) {
		struct msg mm;
		pt_child_start();
		if (setgid(4321) || setuid(4321))
			_exit(1);
		if (recv_text(q, 0, IPC_NOWAIT, &mm) != 4 || strcmp(mm.text, "root"))
			_exit(2);
		_exit(msgctl(q, IPC_RMID, NULL) ? 3 : 0);
	}
	REAP(pid, 0);
	ERRNO(msgctl(q, IPC_STAT, &ds), EINVAL);
	q = -1;
out:
	if (q >= 0)
		CHECK(msgctl(q, IPC_RMID, NULL) == 0);
	CHECK(semctl(s, 0, IPC_RMID) == 0 && shmctl(m, IPC_RMID, NULL) == 0);
}

/* Ids that are none (never made, removed, negative), bad sizes, types
 * and commands. */
static void errors(void)
{
	int q = msgget(IPC_PRIVATE, 0600), s = semget(IPC_PRIVATE, 1, 0600), m = shmget(IPC_PRIVATE, 1, 0600);
	struct sembuf op = { 0, 1, 0 };
	struct msqid_ds ds;
	struct msg mm;

	CHECK(q >= 0 && s >= 0 && m >= 0);
	mm.type = 0;
	ERRNO(msgsnd(q, &mm, 1, 0), EINVAL);
	mm.type = 1;
	ERRNO(msgsnd(q, &mm, 8193, 0), EINVAL);
	ERRNO(msgsnd(-1, &mm, 1, 0), EINVAL);
	ERRNO(msgrcv(-1, &mm, 1, 0, 0), EINVAL);
	ERRNO(msgctl(q, 12345, &ds), EINVAL);
	ERRNO(semget(IPC_PRIVATE, -1, 0600), EINVAL);
	ERRNO(semget(IPC_PRIVATE, 40000, 0600), EINVAL);
	ERRNO(semop(-1, &op, 1), EINVAL);
	ERRNO(semctl(s, 0, 12345), EINVAL);
	ERRNO((long)shmat(-1, NULL, 0), EINVAL);
	ERRNO(shmctl(m, 12345, NULL), EINVAL);
	CHECK(msgctl(q, IPC_RMID, NULL) == 0 && semctl(s, 0, IPC_RMID) == 0 && shmctl(m, IPC_RMID, NULL) == 0);
	/* removed ids are no more */
	ERRNO(msgsnd(q, &mm, 1, 0), EINVAL);
	ERRNO(msgctl(q, IPC_RMID, NULL), EINVAL);
	ERRNO(semop(s, &op, 1), EINVAL);
	ERRNO(semctl(s, 0, GETVAL), EINVAL);
	ERRNO(shmctl(m, IPC_STAT, (struct shmid_ds *)&ds), EINVAL);
	ERRNO(msgctl(0x7fff0000, IPC_STAT, &ds), EINVAL);
}

/* Cairn keeps each object in a file of /dev/sysvipc that any process may
 * write (where there is no such directory, as on Linux, there is nothing
 * to test): a queue whose records were overwritten is emptied, not a
 * crash; an object whose file is cut short or whose header is garbage is
 * no object (EINVAL) for a process that maps it anew. */
static void broken_files(void)
{
	char path[64], junk[4096];
	struct msg mm;
	int q, q2, s = -1, fd;

	if (access("/dev/sysvipc", F_OK))
		return;
	memset(junk, 0xff, sizeof(junk));
	CHECK((q = msgget(IPC_PRIVATE, 0600)) >= 0 && send_text(q, 3, "abc", 0) == 0);
	snprintf(path, sizeof(path), "/dev/sysvipc/msg.%d", q);
	CHECK((fd = open(path, O_RDWR)) >= 0);
	CHECK(pwrite(fd, junk, sizeof(junk), 4096) == (ssize_t)sizeof(junk));
	close(fd);
	ERRNO(recv_text(q, 0, IPC_NOWAIT, &mm), ENOMSG);
	CHECK(send_text(q, 4, "again", 0) == 0 && recv_text(q, 0, 0, &mm) == 5 && mm.type == 4);
	CHECK(msgctl(q, IPC_RMID, NULL) == 0);
	/* not mapped here yet: checked when mapped */
	CHECK((q2 = msgget(IPC_PRIVATE, 0600)) >= 0 && (s = semget(IPC_PRIVATE, 2, 0600)) >= 0);
	snprintf(path, sizeof(path), "/dev/sysvipc/msg.%d", q2);
	CHECK(truncate(path, 100) == 0);
	ERRNO(send_text(q2, 1, "x", 0), EINVAL);
	unlink(path);
	snprintf(path, sizeof(path), "/dev/sysvipc/sem.%d", s);
	CHECK((fd = open(path, O_RDWR)) >= 0);
	CHECK(pwrite(fd, junk, 256, 0) == 256);
	close(fd);
	ERRNO(semctl(s, 0, GETVAL), EINVAL);
	ERRNO(semctl(s, 0, IPC_RMID), EINVAL);
	unlink(path);
}

int main(int argc, char **argv)
{
	/* shm_fork_exec's exec'd program: waits for a byte on descriptor argv[2] */
	if (argc == 3 && !strcmp(argv[1], "idle")) {
		char c;
		alarm(20);
		return read(atoi(argv[2]), &c, 1) == 1 ? 0 : 1;
	}
	self = argv[0];
	pt_prefix = "sysvipc";
	pt_select(argc, argv);
	run_named("msg_keys", msg_keys);
	run_named("msg_types", msg_types);
	run_named("msg_full", msg_full);
	run_named("msg_processes", msg_processes);
	run_named("interrupted", interrupted);
	run_named("sem_control", sem_control);
	run_named("sem_atomic", sem_atomic);
	run_named("sem_pingpong", sem_pingpong);
	run_named("sem_undo", sem_undo);
	run_named("shm_attach", shm_attach);
	run_named("shm_removed", shm_removed);
	run_named("shm_fork_exec", shm_fork_exec);
	run_named("shm_counter", shm_counter);
	run_named("permissions", permissions);
	run_named("errors", errors);
	run_named("broken_files", broken_files);
	return finish();
}
