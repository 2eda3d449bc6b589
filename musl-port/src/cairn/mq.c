/* SPDX-License-Identifier: MIT */
/*
 * POSIX message queues (mq_open, mq_unlink, mq_timedsend, mq_timedreceive,
 * mq_notify, mq_getsetattr; mq_close is close) as Linux has them, kept by
 * their users in shared memory.
 *
 * A queue is a regular file of the VFS's tmpfs in /dev/mqueue (the name
 * without its leading slash), made whole under a temporary name and then
 * renamed into place without replacing (RENAME_NOREPLACE), so an opener
 * never sees one half made. Its pages are a header (struct mq_shared:
 * attributes, counts, the message list, the notification, a lock) and
 * mq_maxmsg slots of mq_msgsize bytes; every process that opens it maps
 * the file's MemoryObject (IO_FMAP) shared, and sends and receives are
 * copies under the header's lock: no server call. The list is kept in
 * priority order, highest first, FIFO within a priority.
 *
 * The descriptor (mqd_t) is the file's descriptor, close-on-exec, opened
 * O_RDWR whatever the access asked (the mapping must be writable); this
 * file's table, indexed by descriptor, keeps the mapping, the access mode
 * (EBADF for a send on O_RDONLY...) and the descriptor's O_NONBLOCK
 * (mq_setattr). A descriptor made otherwise (dup, exec without
 * close-on-exec) is recognised by its header when first used.
 *
 * Waiting: a receiver of an empty queue (a sender to a full one) counts
 * itself and waits on the header's rseq (sseq) word with a process-shared
 * futex wait (thread.c), which another process's change ends within a
 * millisecond; a signal handler ends it with EINTR (made again under
 * SA_RESTART, as Linux's ERESTARTSYS), an absolute CLOCK_REALTIME
 * timeout with ETIMEDOUT.
 *
 * The lock holds the holder's pid (shlock.c, as pipe.c's side locks): a
 * holder that is gone (killed inside a copy) is found and its lock taken
 * over, and a thread holds signal handlers back while it holds the lock.
 *
 * mq_notify: one registration per queue (the process, SIGEV_SIGNAL's
 * signal and value, SIGEV_NONE, or SIGEV_THREAD: the registration's id,
 * which a helper thread of the registering process waits on, patched
 * src/mq/mq_notify.c). A send that makes the queue non-empty while no
 * receiver waits fires it: PS_SIGQUEUE with SI_MESGQ and the value to
 * the process, and removes it. A registration whose process is gone does
 * not make another EBUSY.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <mqueue.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include "futex.h"
#include "kstat.h"
#include "cairn_impl.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE 1                 /* renameat2(2) (musl 1.2.3 has no name for it) */
#endif
#define MQ_DIR        "/dev/mqueue/"
#define MQ_MAGIC      0x314d5163u          /* "cQM1" */
#define HDR           256u                 /* bytes before the first slot */
#define PAGE          CAIRN_PAGE_SIZE
/* Linux's defaults and limits (/proc/sys/fs/mqueue: msg_default,
 * msgsize_default, msg_max, msgsize_max; HARD_MSGMAX, HARD_MSGSIZEMAX for
 * uid 0, which Linux's CAP_SYS_RESOURCE stands for) and its default
 * RLIMIT_MSGQUEUE (819,200 bytes, here per queue) */
#define DFL_MAXMSG    10
#define DFL_MSGSIZE   8192
#define USER_MAXMSG   10
#define USER_MSGSIZE  8192
#define HARD_MAXMSG   65536
#define HARD_MSGSIZE  (16 << 20)
#define BYTES_MAX     819200ul
/* Linux's accounting of a queue's own memory, 64-bit: a struct msg_msg a
 * message and a struct posix_msg_tree_node a priority (at most
 * MQ_PRIO_MAX of them) */
#define MSG_COST      48ul
#define NODE_COST     48ul

#define LOAD(p)     __atomic_load_n(p, __ATOMIC_SEQ_CST)
#define STORE(p, v) __atomic_store_n(p, v, __ATOMIC_SEQ_CST)

/* The shared header, at the start of the file. Every field but the
 * magic, sizes and futex words is written under lock. */
struct mq_shared {
	uint32_t magic;             /* MQ_MAGIC once the rest is made */
	uint32_t hdr;               /* HDR */
	uint64_t maxmsg, msgsize;
	uint64_t stride;            /* bytes of a slot: struct mq_slot + msgsize, 8-aligned */
	uint32_t lock;              /* the holder's pid, 0: free */
	uint32_t curmsgs;
	uint32_t head;              /* the first message's slot + 1, 0: none */
	uint32_t free;              /* the first free slot + 1, 0: none */
	int rseq, sseq;             /* futex words: a message came (receivers
	                             * wait on it), went (senders) */
	uint32_t rwait, swait;      /* receivers, senders waiting */
	int32_t npid;               /* the registered process, 0: none */
	int32_t nkind;              /* SIGEV_SIGNAL, SIGEV_NONE, SIGEV_THREAD */
	int32_t nsig;
	uint32_t nid;               /* registrations so far: the current one's id */
	uint64_t nvalue;            /* sigev_value */
	int nseq;                   /* futex word: the registration changed */
	uint32_t nfired;            /* the id of the last registration fired */
};

struct mq_slot {
	uint32_t next;              /* the next message (or free slot) + 1 */
	uint32_t prio;
	uint64_t len;
	/* the message's bytes follow */
};

/* A descriptor's queue. The sizes are the ones checked when it was
 * mapped (the header's could be changed by a process that writes the
 * file: never trusted again). */
struct mqd {
	struct mq_shared *h;
	uint64_t pages, maxmsg, msgsize, stride;
	cap_t obj;                  /* the file's MemoryObject */
	uint8_t used, acc, nonblock;
};
static struct mqd mqs[FD_MAX];
static volatile int table_lock;
static unsigned tmp_count;

/* ---- locks (shlock.c), waiting --------------------------------------------------------- */

static int lock(struct mq_shared *h)
{
	return __cairn_shlock(&h->lock);
}

static void unlock(struct mq_shared *h, int held)
{
	__cairn_shunlock(&h->lock, held);
}

/* Waits until *word is no longer seq: 0 (it moved, or it may have),
 * -ETIMEDOUT when the absolute CLOCK_REALTIME time at passed, -EINTR
 * when a signal handler ran on this thread (since sigs, counted before
 * the attempt: one held back under the lock ran at its end). */
static long wait_word(int *word, int seq, const struct timespec *at, unsigned long sigs)
{
	long r;

	if (__cairn_sig_self()->count != sigs)
		return -EINTR;
	if (at)
		r = __cairn_futex(word, FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME, seq, at, NULL, -1);
	else
		r = __cairn_futex(word, FUTEX_WAIT, seq, NULL, NULL, 0);
	return r == -EAGAIN ? 0 : r;
}

/* Wakes the waiters of word (moved under the lock). Today's shared
 * futex waits look at the word themselves (within a millisecond); the
 * wake is for a futex that lists them. */
static void wake_word(int *word)
{
	__cairn_futex(word, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

/* ---- the table of descriptors --------------------------------------------------------------- */

static struct mq_slot *slot(const struct mqd *q, uint32_t i)
{
	return (struct mq_slot *)((char *)q->h + HDR + (uint64_t)(i - 1) * q->stride);
}

static int valid(const struct mqd *q, uint32_t i)
{
	return i >= 1 && i <= q->maxmsg;
}

/* The sizes of a queue of maxmsg messages of msgsize bytes. */
static uint64_t stride_of(uint64_t msgsize)
{
	return sizeof(struct mq_slot) + ((msgsize + 7) & ~7ull);
}

static uint64_t file_bytes(uint64_t maxmsg, uint64_t msgsize)
{
	return (HDR + maxmsg * stride_of(msgsize) + PAGE - 1) & ~(uint64_t)(PAGE - 1);
}

/* Maps descriptor fd's file (size bytes) into q: 0 or -errno. */
static long map_file(long fd, uint64_t size, struct mqd *q)
{
	int writable, nosync;
	uint32_t oflags;
	cap_t obj;
	void *va;
	long r;

	if ((r = __cairn_fmap_object(fd, size, 0, &obj, &writable, &oflags, &nosync)))
		return r == -ENOMEM ? r : -EBADF;
	if (!writable) {
		cairn_cap_delete(obj);
		return -EBADF;
	}
	if (cairn_map(obj, 0, size / PAGE, CAIRN_PROT_R | CAIRN_PROT_W | CAIRN_PROT_SHARE, &va)) {
		cairn_cap_delete(obj);
		return -ENOMEM;
	}
	q->h = va;
	q->pages = size / PAGE;
	q->obj = obj;
	return 0;
}

static void unmap(struct mqd *q)
{
	cairn_unmap(q->h, q->pages);
	cairn_cap_delete(q->obj);
	q->h = NULL;
}

/* Descriptor fd, a queue file's, into the table (an entry not yet used):
 * its mapping checked. 0, or -EBADF for anything but a queue. */
static long attach(long fd, int acc, int nonblock)
{
	struct mqd q = { 0 };
	struct kstat st;
	struct mq_shared *h;
	long r;

	if (__cairn_fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size < (off_t)PAGE ||
	    st.st_size % PAGE || st.st_size > (off_t)file_bytes(HARD_MAXMSG, BYTES_MAX))
		return -EBADF;
	if ((r = map_file(fd, (uint64_t)st.st_size, &q)))
		return r;
	h = q.h;
	q.maxmsg = h->maxmsg;
	q.msgsize = h->msgsize;
	q.stride = stride_of(q.msgsize);
	if (__atomic_load_n(&h->magic, __ATOMIC_ACQUIRE) != MQ_MAGIC || h->hdr != HDR ||
	    !q.maxmsg || q.maxmsg > HARD_MAXMSG || !q.msgsize || q.msgsize > HARD_MSGSIZE ||
	    file_bytes(q.maxmsg, q.msgsize) > (uint64_t)st.st_size) {
		unmap(&q);
		return -EBADF;
	}
	q.used = 1;
	q.acc = (uint8_t)acc;
	q.nonblock = !!nonblock;
	mqs[fd] = q;
	return 0;
}

/* The queue of descriptor fd, or NULL (EBADF). A descriptor this table
 * does not know (a dup, one kept through exec) is looked at once: its
 * access mode is its description's other descriptor's here, else O_RDWR
 * (the description's). */
static struct mqd *mq_get(long fd)
{
	struct cairn_fd *f = __cairn_fd(fd), *g;
	long fl;
	int acc = O_RDWR;

	if (!f || f->kind != FDK_IO)
		return NULL;
	if (mqs[fd].used)
		return &mqs[fd];
	if (__cairn_fd_type(f) != S_IFREG || (fl = __cairn_fcntl(fd, F_GETFL, 0)) < 0 ||
	    (fl & O_ACCMODE) != O_RDWR)
		return NULL;
	__cairn_lock(&table_lock);
	for (long i = 0; i < FD_MAX; i++)
		if (i != fd && mqs[i].used && (g = __cairn_fd(i)) && __cairn_same_object(g->cap, f->cap)) {
			acc = mqs[i].acc;
			break;
		}
	if (!mqs[fd].used && attach(fd, acc, (fl & O_NONBLOCK) != 0)) {
		__cairn_unlock(&table_lock);
		return NULL;
	}
	__cairn_unlock(&table_lock);
	return &mqs[fd];
}

/* Removes the registration of this process, if it has h's. */
static void unregister_mine(struct mq_shared *h)
{
	int held = lock(h);

	if (h->npid == (int32_t)__cairn_getpid_known()) {
		h->npid = 0;
		__atomic_fetch_add(&h->nseq, 1, __ATOMIC_SEQ_CST);
	}
	unlock(h, held);
}

/* fd.c: descriptor fd is closed (or replaced by dup2): its queue's
 * mapping goes, and this process's registration on the queue (Linux
 * removes it at any close of the queue by the registered process). */
void __cairn_mq_closed(long fd)
{
	struct mqd q;

	if (fd < 0 || fd >= FD_MAX || !mqs[fd].used)
		return;
	__cairn_lock(&table_lock);
	q = mqs[fd];
	mqs[fd].used = 0;
	__cairn_unlock(&table_lock);
	if (!q.used)
		return;
	unregister_mine(q.h);
	unmap(&q);
}

/* fork.c: before an exec, whose new image must not get our notifications
 * (Linux closes the descriptors, close-on-exec, and so unregisters). */
void __cairn_mq_exec(void)
{
	struct cairn_fd *f;

	for (long fd = 0; fd < FD_MAX; fd++)
		if (mqs[fd].used && (f = __cairn_fd(fd)) && f->cloexec)
			unregister_mine(mqs[fd].h);
}

/* ---- names ------------------------------------------------------------------------------ */

/* The file of queue name (musl took one leading '/' off), as Linux's
 * checks of it: 0, or -errno. */
static long path_of(const char *name, char *path)
{
	size_t len = strnlen(name, PATH_MAX);

	if (len >= PATH_MAX)
		return -ENAMETOOLONG;
	if (!len)
		return -ENOENT;
	if (strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		return -EACCES;
	if (len > NAME_MAX)
		return -ENAMETOOLONG;
	memcpy(path, MQ_DIR, sizeof(MQ_DIR) - 1);
	memcpy(path + sizeof(MQ_DIR) - 1, name, len + 1);
	return 0;
}

/* A new queue's attributes (attr, or the defaults): 0, or -errno. */
static long attrs_ok(const struct mq_attr *attr, uint64_t *maxmsg, uint64_t *msgsize)
{
	uint64_t lim_n = USER_MAXMSG, lim_s = USER_MSGSIZE, bytes;

	*maxmsg = DFL_MAXMSG;
	*msgsize = DFL_MSGSIZE;
	if (!attr)
		return 0;
	if (attr->mq_maxmsg <= 0 || attr->mq_msgsize <= 0)
		return -EINVAL;
	if (__cairn_getuids(1, 0, 0, 0) == 0) {
		lim_n = HARD_MAXMSG;
		lim_s = HARD_MSGSIZE;
	}
	if ((uint64_t)attr->mq_maxmsg > lim_n || (uint64_t)attr->mq_msgsize > lim_s)
		return -EINVAL;
	*maxmsg = (uint64_t)attr->mq_maxmsg;
	*msgsize = (uint64_t)attr->mq_msgsize;
	bytes = *maxmsg * *msgsize + *maxmsg * MSG_COST +
		(*maxmsg < MQ_PRIO_MAX ? *maxmsg : MQ_PRIO_MAX) * NODE_COST;
	return bytes > BYTES_MAX ? -EMFILE : 0;
}

/* Makes queue path whole under a temporary name, then gives it the name:
 * the descriptor, -EEXIST if the name was taken meanwhile, or -errno. */
static long create(const char *path, long flags, long mode, const struct mq_attr *attr)
{
	char tmp[sizeof(MQ_DIR) + 48];
	uint64_t maxmsg, msgsize, size;
	struct mq_shared *h;
	struct mqd q = { 0 };
	long fd, r;

	if ((r = attrs_ok(attr, &maxmsg, &msgsize)))
		return r;
	size = file_bytes(maxmsg, msgsize);
	for (;;) {
		snprintf(tmp, sizeof(tmp), MQ_DIR ".mq-%ld-%u", __cairn_getpid_known(),
			 __atomic_fetch_add(&tmp_count, 1, __ATOMIC_RELAXED));
		fd = __cairn_openat(AT_FDCWD, tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | (flags & O_NONBLOCK),
				    mode & 07777);
		if (fd != -EEXIST)
			break;
	}
	if (fd == -ENOENT) {
		__cairn_unimplemented(CAIRN_UNIMP_OTHER, 0x30000, "message queues without /dev/mqueue are");
		return -ENOSYS;
	}
	if (fd < 0)
		return fd;
	if ((r = __cairn_ftruncate(fd, (long)size)) || (r = map_file(fd, size, &q)))
		goto fail;
	h = q.h;
	h->hdr = HDR;
	h->maxmsg = maxmsg;
	h->msgsize = msgsize;
	h->stride = stride_of(msgsize);
	q.maxmsg = maxmsg;
	q.msgsize = msgsize;
	q.stride = h->stride;
	for (uint32_t i = 1; i <= maxmsg; i++)
		slot(&q, i)->next = i < maxmsg ? i + 1 : 0;
	h->free = 1;
	__atomic_store_n(&h->magic, MQ_MAGIC, __ATOMIC_RELEASE);
	if ((r = __cairn_renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE)))
		goto fail;
	q.used = 1;
	q.acc = (uint8_t)(flags & O_ACCMODE);
	q.nonblock = (flags & O_NONBLOCK) != 0;
	__cairn_lock(&table_lock);
	mqs[fd] = q;
	__cairn_unlock(&table_lock);
	return fd;
fail:
	if (q.h)
		unmap(&q);
	__cairn_unlinkat(AT_FDCWD, tmp, 0);
	__cairn_close(fd);
	return r == -EFBIG || r == -ENOSPC ? -ENOSPC : r;
}

long __cairn_mq_open(const char *name, long flags, long mode, const void *attr)
{
	char path[sizeof(MQ_DIR) + NAME_MAX + 1];
	long fd, r;

	if ((r = path_of(name, path)))
		return r;
	if ((flags & O_ACCMODE) == O_ACCMODE)
		return -EINVAL;
	if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL)) {
		/* a new queue or EEXIST: no look first (a race of two such
		 * opens has one winner either way) */
		fd = create(path, flags, mode, attr);
		if (fd != -EINVAL && fd != -EMFILE)
			return fd;
		/* bad attributes are no matter when the name exists (Linux) */
		r = __cairn_openat(AT_FDCWD, path, O_PATH | O_CLOEXEC, 0);
		if (r >= 0) {
			__cairn_close(r);
			return -EEXIST;
		}
		return fd;
	}
	for (int tries = 0; tries < 100; tries++) {
		fd = __cairn_openat(AT_FDCWD, path, O_RDWR | O_CLOEXEC | (flags & O_NONBLOCK), 0);
		if (fd >= 0) {
			if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL)) {
				__cairn_close(fd);
				return -EEXIST;
			}
			__cairn_lock(&table_lock);
			r = attach(fd, (int)(flags & O_ACCMODE), (flags & O_NONBLOCK) != 0);
			__cairn_unlock(&table_lock);
			if (r) {
				__cairn_close(fd);
				return r == -EBADF ? -EACCES : r;   /* not a queue's file */
			}
			return fd;
		}
		if (fd != -ENOENT || !(flags & O_CREAT))
			return fd == -EISDIR ? -EACCES : fd;
		fd = create(path, flags, mode, attr);
		if (fd != -EEXIST || (flags & O_EXCL))
			return fd;
		/* made by another process meanwhile: open it */
	}
	return -EEXIST;
}

long __cairn_mq_unlink(const char *name)
{
	char path[sizeof(MQ_DIR) + NAME_MAX + 1];
	long r;

	if ((r = path_of(name, path)))
		return r;
	r = __cairn_unlinkat(AT_FDCWD, path, 0);
	return r == -EISDIR ? -EACCES : r;
}

/* ---- messages --------------------------------------------------------------------------- */

static int bad_time(const struct timespec *at)
{
	return at && (at->tv_sec < 0 || (unsigned long)at->tv_nsec >= 1000000000ul);
}

/* Whether a wait that ended with r (-EINTR, -ETIMEDOUT, 0) ends the call. */
static int ends(long r)
{
	if (r == -EINTR)
		return !__cairn_sig_self()->restart;
	return r != 0;
}

long __cairn_mq_timedsend(long fd, const char *msg, size_t len, unsigned prio, const void *ts)
{
	const struct timespec *at = ts;
	unsigned long sigs = __cairn_sig_self()->count;
	struct mq_shared *h;
	struct mq_slot *s;
	struct mqd *q;
	uint32_t i, *link;
	int held, seq, sig = 0, notify = 0;
	uint64_t value = 0;
	int32_t pid = 0;
	long r = 0;

	if (bad_time(at))
		return -EINVAL;
	if (prio >= MQ_PRIO_MAX)
		return -EINVAL;
	if (!(q = mq_get(fd)) || q->acc == O_RDONLY)
		return -EBADF;
	if (len > q->msgsize)
		return -EMSGSIZE;
	h = q->h;
	held = lock(h);
	while (!valid(q, h->free) || h->curmsgs >= q->maxmsg) {
		if (q->nonblock) {
			unlock(h, held);
			return -EAGAIN;
		}
		seq = h->sseq;
		h->swait++;
		unlock(h, held);
		r = wait_word(&h->sseq, seq, at, sigs);
		if (!r)
			cairn_yield();    /* the one that woke us goes on first, as on Linux */
		held = lock(h);
		h->swait--;
		if (r == -EINTR)
			sigs = __cairn_sig_self()->count;
		if (ends(r) && (!valid(q, h->free) || h->curmsgs >= q->maxmsg)) {
			unlock(h, held);
			return r;
		}
	}
	i = h->free;
	s = slot(q, i);
	h->free = valid(q, s->next) ? s->next : 0;
	memcpy(s + 1, msg, len);
	s->len = len;
	s->prio = prio;
	/* after every message of this priority or higher */
	link = &h->head;
	for (uint64_t n = 0; valid(q, *link) && slot(q, *link)->prio >= prio && n < q->maxmsg; n++)
		link = &slot(q, *link)->next;
	s->next = valid(q, *link) ? *link : 0;
	*link = i;
	h->curmsgs++;
	/* the queue was empty and no receiver waits: the notification */
	if (h->curmsgs == 1 && !h->rwait && h->npid) {
		pid = h->npid;
		sig = h->nsig;
		value = h->nvalue;
		notify = h->nkind;
		if (notify == SIGEV_THREAD)
			h->nfired = h->nid;
		h->npid = 0;
		__atomic_fetch_add(&h->nseq, 1, __ATOMIC_SEQ_CST);
	}
	__atomic_fetch_add(&h->rseq, 1, __ATOMIC_SEQ_CST);
	r = h->rwait;
	unlock(h, held);
	if (r)
		wake_word(&h->rseq);
	if (notify == SIGEV_SIGNAL && sig && __cairn_proc != CAP_NULL)
		__cairn_ipc(__cairn_proc, PS_SIGQUEUE, (uint64_t)pid, (uint64_t)sig, (uint64_t)(uint32_t)SI_MESGQ,
			    value, 0, 0, IPC_ALWAYS, NULL);
	return 0;
}

long __cairn_mq_timedreceive(long fd, char *msg, size_t len, unsigned *prio, const void *ts)
{
	const struct timespec *at = ts;
	unsigned long sigs = __cairn_sig_self()->count;
	struct mq_shared *h;
	struct mq_slot *s;
	struct mqd *q;
	int held, seq;
	uint64_t n;
	uint32_t i;
	long r = 0;

	if (bad_time(at))
		return -EINVAL;
	if (!(q = mq_get(fd)) || q->acc == O_WRONLY)
		return -EBADF;
	if (len < q->msgsize)
		return -EMSGSIZE;
	h = q->h;
	held = lock(h);
	while (!valid(q, h->head)) {
		if (q->nonblock) {
			unlock(h, held);
			return -EAGAIN;
		}
		seq = h->rseq;
		h->rwait++;
		unlock(h, held);
		r = wait_word(&h->rseq, seq, at, sigs);
		if (!r)
			cairn_yield();    /* the one that woke us goes on first, as on Linux */
		held = lock(h);
		h->rwait--;
		if (r == -EINTR)
			sigs = __cairn_sig_self()->count;
		if (ends(r) && !valid(q, h->head)) {
			unlock(h, held);
			return r;
		}
	}
	i = h->head;
	s = slot(q, i);
	h->head = valid(q, s->next) ? s->next : 0;
	n = s->len <= q->msgsize ? s->len : q->msgsize;
	memcpy(msg, s + 1, n);
	if (prio)
		*prio = s->prio;
	s->next = h->free;
	h->free = i;
	if (h->curmsgs)
		h->curmsgs--;
	__atomic_fetch_add(&h->sseq, 1, __ATOMIC_SEQ_CST);
	r = h->swait;
	unlock(h, held);
	if (r)
		wake_word(&h->sseq);
	return (long)n;
}

/* ---- attributes and notification --------------------------------------------------------- */

long __cairn_mq_getsetattr(long fd, const void *new_, void *old_)
{
	const struct mq_attr *new = new_;
	struct mq_attr *old = old_;
	struct mqd *q;
	int held;

	if (new && (new->mq_flags & ~(long)O_NONBLOCK))
		return -EINVAL;
	if (!(q = mq_get(fd)))
		return -EBADF;
	if (old) {
		struct mq_attr a = { 0 };
		a.mq_flags = q->nonblock ? O_NONBLOCK : 0;
		a.mq_maxmsg = (long)q->maxmsg;
		a.mq_msgsize = (long)q->msgsize;
		held = lock(q->h);
		a.mq_curmsgs = q->h->curmsgs;
		unlock(q->h, held);
		*old = a;
	}
	if (new) {
		q->nonblock = (new->mq_flags & O_NONBLOCK) != 0;
		/* the description's too, for its other descriptors (dup) */
		__cairn_fcntl(fd, F_SETFL, q->nonblock ? O_NONBLOCK : 0);
	}
	return 0;
}

/* Registers (sev non-NULL) or unregisters this process on fd's queue:
 * 0 or -errno; *id the registration's. */
static long notify(long fd, const struct sigevent *sev, uint32_t *id)
{
	int32_t me = (int32_t)__cairn_getpid_known();
	struct mq_shared *h;
	struct mqd *q;
	long r = 0;
	int held;

	if (sev && sev->sigev_notify != SIGEV_NONE && sev->sigev_notify != SIGEV_SIGNAL &&
	    sev->sigev_notify != SIGEV_THREAD)
		return -EINVAL;
	if (sev && sev->sigev_notify == SIGEV_SIGNAL && (sev->sigev_signo < 0 || sev->sigev_signo > 64))
		return -EINVAL;
	if (!(q = mq_get(fd)))
		return -EBADF;
	h = q->h;
	held = lock(h);
	if (!sev) {
		if (h->npid == me) {
			h->npid = 0;
			__atomic_fetch_add(&h->nseq, 1, __ATOMIC_SEQ_CST);
		}
	} else if (h->npid && (h->npid == me || !__cairn_pid_gone(h->npid))) {
		r = -EBUSY;
	} else {
		h->nkind = sev->sigev_notify;
		h->nsig = sev->sigev_notify == SIGEV_SIGNAL ? sev->sigev_signo : 0;
		h->nvalue = (uint64_t)(uintptr_t)sev->sigev_value.sival_ptr;
		h->nid++;
		*id = h->nid;
		h->npid = me;
		__atomic_fetch_add(&h->nseq, 1, __ATOMIC_SEQ_CST);
	}
	unlock(h, held);
	return r;
}

long __cairn_mq_notify(long fd, const void *sev_)
{
	const struct sigevent *sev = sev_;
	uint32_t id;

	/* SIGEV_THREAD is mq_notify()'s (__cairn_mq_notify_arm) */
	if (sev && sev->sigev_notify == SIGEV_THREAD)
		return -EINVAL;
	return notify(fd, sev, &id);
}

/* SIGEV_THREAD (src/mq/mq_notify.c, patched): the registration and a
 * mapping of the queue of its own for the helper thread, which waits in
 * __cairn_mq_notify_wait. ctx: 4 words the caller keeps for it. */
struct notify_ctx {
	struct mq_shared *h;
	uint64_t pages;
	cap_t obj;
	uint32_t id;
	int32_t pid;
};

long __cairn_mq_notify_arm(long fd, const void *sev, void *ctx_)
{
	struct notify_ctx *c = ctx_;
	struct mqd *q;
	cap_t obj;
	void *va;
	long r;

	_Static_assert(sizeof(struct notify_ctx) <= 4 * sizeof(uint64_t), "notify_ctx");
	if (!(q = mq_get(fd)))
		return -EBADF;
	if (cairn_cap_copy(q->obj, RIGHTS_ALL, &obj))
		return -EAGAIN;
	if (cairn_map(obj, 0, q->pages, CAIRN_PROT_R | CAIRN_PROT_W | CAIRN_PROT_SHARE, &va)) {
		cairn_cap_delete(obj);
		return -EAGAIN;
	}
	*c = (struct notify_ctx){ .h = va, .pages = q->pages, .obj = obj,
				  .pid = (int32_t)__cairn_getpid_known() };
	if ((r = notify(fd, sev, &c->id))) {
		cairn_unmap(va, q->pages);
		cairn_cap_delete(obj);
	}
	return r;
}

static void ctx_drop(struct notify_ctx *c)
{
	cairn_unmap(c->h, c->pages);
	cairn_cap_delete(c->obj);
}

/* The helper could not start: the registration goes. */
void __cairn_mq_notify_disarm(void *ctx_)
{
	struct notify_ctx *c = ctx_;
	struct mq_shared *h = c->h;
	int held = lock(h);

	if (h->npid == c->pid && h->nid == c->id) {
		h->npid = 0;
		__atomic_fetch_add(&h->nseq, 1, __ATOMIC_SEQ_CST);
	}
	unlock(h, held);
	ctx_drop(c);
}

/* The helper thread: 1 when the registration fired (the function is to
 * run), 0 when it was removed (mq_notify(NULL), close, exec). */
int __cairn_mq_notify_wait(void *ctx_)
{
	struct notify_ctx c = *(struct notify_ctx *)ctx_;
	struct mq_shared *h = c.h;
	int fired, seq;

	for (;;) {
		int held = lock(h);
		seq = h->nseq;
		fired = h->nfired == c.id;
		if (fired || h->npid != c.pid || h->nid != c.id) {
			unlock(h, held);
			break;
		}
		unlock(h, held);
		__cairn_futex(&h->nseq, FUTEX_WAIT, seq, NULL, NULL, 0);
	}
	ctx_drop(&c);
	return fired;
}
