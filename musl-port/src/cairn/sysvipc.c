/* SPDX-License-Identifier: MIT */
/*
 * System V IPC (msgget, msgsnd, msgrcv, msgctl; semget, semop,
 * semtimedop, semctl; shmget, shmat, shmdt, shmctl) as Linux has them,
 * kept by their users in shared memory, as mq.c keeps POSIX queues.
 *
 * Files of the VFS's tmpfs in /dev/sysvipc (0777, not sticky: an object's
 * owner may be changed by IPC_SET, and its new owner must be able to
 * remove it):
 *   registry      for each kind (messages, semaphores, shared memory)
 *                 SLOTS slots: a key, a sequence number, a state. An
 *                 object's id is seq * SEQ_MUL + slot, as Linux's.
 *   msg.ID, sem.ID, shm.ID   one object: a header page (struct sv_head and
 *                 the kind's part), then the kind's data: a message
 *                 arena, the semaphores, the segment's pages.
 * Every file is made whole under a temporary name (.tmp-PID-N), given
 * mode 0666 and renamed into place, and mapped shared (IO_FMAP) by every
 * process that uses it; a file's mapping is checked when it is made (its
 * sizes, magic, kind and id) and the sizes seen then are used from then
 * on, so a file written by someone else can break the object for its
 * users but not crash one. The registry's lock is taken before an
 * object's (get, remove). Locks are shlock.c's (the holder's pid, a gone
 * holder's taken over).
 *
 * The permission bits of an object are its header's, checked here
 * against the caller's effective uid, gid and groups (euid 0 may do
 * anything): the files themselves are anyone's to write, so the checks
 * keep honest programs apart, not hostile ones.
 *
 * Waiting (a send to a full queue, a receive of an empty one, a semop
 * that cannot be done) is a process-shared futex wait on the header's seq
 * word, which every change moves; a signal handler ends it with EINTR
 * (never restarted, as Linux), a removal with EIDRM.
 *
 * SEM_UNDO: the adjustments are entries (pid, semaphore, value) in the
 * set's header. exit() applies this process's (the sets it used are in
 * a table of this process's); those of a process that is gone (killed,
 * or one that exec'd and lost the table) are applied by the next
 * semop that would wait and by semctl's reads.
 *
 * Shared memory: shmat maps the segment's pages (the file past its
 * header page) MAP_SHARED through mem.c, so a fork's child shares them
 * and exec and exit drop them. shm_nattch is the sum of per-process
 * counts (pid, attaches) in the header, which fork, shmdt, exec and exit
 * keep; a gone process's count is dropped when counted (IPC_STAT, the
 * last detach of a removed segment, a new segment's search for a slot).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include "futex.h"
#include "kstat.h"
#include "cairn_impl.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE 1                 /* renameat2(2) (musl 1.2.3 has no name for it) */
#endif
#define SV_DIR      "/dev/sysvipc/"
#define PAGE        CAIRN_PAGE_SIZE
#define SLOTS       256u
#define SEQ_MUL     32768              /* Linux's IPCMNI: id = seq * SEQ_MUL + slot */
#define SEQ_MAX     65535              /* ids stay positive ints */
#define REG_MAGIC   0x47525653u        /* "SVRG" */
#define OBJ_MAGIC   0x4a425653u        /* "SVBJ" */
#define MODE_BITS   0777u
#define MSG_COPY_LINUX 040000          /* Linux's MSG_COPY (no name in musl 1.2.3) */

/* Linux's limits (msgmax, msgmnb, semmsl, semopm, SEMVMX, SEMAEM) and ours */
#define MSGMAX      8192u
#define MSGMNB      16384u
#define MSG_ARENA   (256u * 1024)      /* a queue's records: msg_qbytes up to QBYTES_MAX */
#define QBYTES_MAX  (128u * 1024)
#define SEMMSL      32000u
#define SEMOPM      500u
#define SEMVMX      32767
#define SEMAEM      32767
#define UNDO_MAX    256u               /* undo entries of a set */
#define SHM_MAX     (1ull << 30)       /* a segment's bytes (Linux: almost unlimited) */
#define ATT_MAX     256u               /* processes attached to a segment */
#define LOCAL_ATT   128u               /* this process's attaches (Linux's SHMSEG is larger) */
#define UNDO_SETS   64u                /* sets this process has undo entries in */
#define CACHE       32u                /* objects kept mapped by this process */
#define WAIT_SLICE  200000000ll        /* ns: a waiting semop looks for gone processes' undo */

enum { K_MSG, K_SEM, K_SHM, KINDS };
static const char *const kind_name[KINDS] = { "msg", "sem", "shm" };
enum { SLOT_FREE, SLOT_LIVE, SLOT_DEST };

#define LOAD(p)     __atomic_load_n(p, __ATOMIC_SEQ_CST)

struct sv_slot {
	int32_t key;
	uint16_t seq;                  /* the id's (the next object's when free) */
	uint8_t state;
	uint8_t pad;
};

struct sv_registry {
	uint32_t magic;
	uint32_t lock;
	struct sv_slot slot[KINDS][SLOTS];
};
#define REG_BYTES ((sizeof(struct sv_registry) + PAGE - 1) & ~(size_t)(PAGE - 1))

struct sv_perm {
	int32_t key;
	uint32_t uid, gid, cuid, cgid, mode;
};

/* The start of every object's file. Written under lock but the magic. */
struct sv_head {
	uint32_t magic, kind;
	uint32_t lock;
	uint32_t gone;                 /* removed (shm: its file unlinked) */
	int32_t id;
	uint32_t dest;                 /* shm: removed, goes at its last detach */
	struct sv_perm perm;
	int64_t ctime;
	int seq;                       /* futex word: a change a waiter may wait for */
	uint32_t waiters;
};

struct sv_msgq {
	struct sv_head h;
	int64_t stime, rtime;
	uint64_t cbytes, qnum, qbytes;
	int32_t lspid, lrpid;
	uint64_t first, top;           /* the records, in [first, top) of the arena */
};
struct msg_rec {
	int64_t type;                  /* 0: received (space to compact) */
	uint64_t len;
	/* the text follows, 8-aligned */
};

struct sv_undo {
	int32_t pid;                   /* 0: a free entry */
	uint32_t num;
	int32_t adj;
};
struct sv_semset {
	struct sv_head h;
	int64_t otime;
	uint32_t nsems;
	struct sv_undo undo[UNDO_MAX];
};
struct sv_sem {
	int32_t val, pid;
	uint32_t ncnt, zcnt;
};

struct sv_att {
	int32_t pid;
	uint32_t n;
};
struct sv_shm {
	struct sv_head h;
	uint64_t segsz;
	int64_t atime, dtime;
	int32_t cpid, lpid;
	struct sv_att att[ATT_MAX];
};

_Static_assert(sizeof(struct sv_msgq) <= PAGE && sizeof(struct sv_semset) <= PAGE &&
	       sizeof(struct sv_shm) <= PAGE, "headers fit their page");

/* An object mapped here, with the sizes checked when it was mapped. */
struct sv_obj {
	int kind;
	int32_t id;
	struct sv_head *h;
	uint64_t pages;
	cap_t obj;
	uint32_t nsems;                /* K_SEM */
	uint64_t segsz;                /* K_SHM */
	unsigned busy;                 /* calls using it now */
	uint64_t used;
};

/* An attach of this process. */
struct local_att {
	uintptr_t va;
	uint64_t bytes;
	int32_t id;
};

static struct sv_registry *reg;
static cap_t reg_obj = CAP_NULL;
static struct sv_obj cache[CACHE];
static uint64_t ticks;
static struct local_att atts[LOCAL_ATT];
static int32_t undo_sets[UNDO_SETS];  /* id + 1, 0: none */
static volatile int table_lock;
static unsigned tmp_count;

/* ---- small helpers ------------------------------------------------------------------------ */

static int64_t now_sec(void)
{
	struct timespec ts;

	return __cairn_clock_gettime(CLOCK_REALTIME, &ts) ? 0 : (int64_t)ts.tv_sec;
}

static int32_t my_pid(void)
{
	return (int32_t)__cairn_getpid_known();
}

static void bump(struct sv_head *h)
{
	__atomic_fetch_add(&h->seq, 1, __ATOMIC_SEQ_CST);
}

static void wake(struct sv_head *h)
{
	__cairn_futex(&h->seq, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

/* Maps descriptor fd's file (the first bytes of it): 0 or -errno. */
static long map_fd(long fd, uint64_t bytes, void **va, cap_t *obj)
{
	int writable, nosync;
	uint32_t oflags;
	long r;

	if ((r = __cairn_fmap_object(fd, bytes, 0, obj, &writable, &oflags, &nosync)))
		return r == -ENOMEM ? r : -EIO;
	if (!writable || cairn_map(*obj, 0, bytes / PAGE, CAIRN_PROT_R | CAIRN_PROT_W | CAIRN_PROT_SHARE, va)) {
		cairn_cap_delete(*obj);
		return -ENOMEM;
	}
	return 0;
}

/* A new file of size bytes under a temporary name in SV_DIR, mapped
 * (the first map_bytes of it): its descriptor, or -errno; *tmp its name. */
static long make_tmp(char *tmp, size_t tmplen, uint64_t size, uint64_t map_bytes, void **va, cap_t *obj)
{
	long fd, r;

	for (;;) {
		snprintf(tmp, tmplen, SV_DIR ".tmp-%d-%u", my_pid(),
			 __atomic_fetch_add(&tmp_count, 1, __ATOMIC_RELAXED));
		fd = __cairn_openat(AT_FDCWD, tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd != -EEXIST)
			break;
	}
	if (fd == -ENOENT) {
		__cairn_unimplemented(CAIRN_UNIMP_OTHER, 0x30001, "System V IPC without /dev/sysvipc is");
		return -ENOSYS;
	}
	if (fd < 0)
		return fd == -ENOSPC ? -ENOSPC : -ENOMEM;
	if ((r = __cairn_fchmod(fd, 0666)) || (r = __cairn_ftruncate(fd, (long)size)) ||
	    (r = map_fd(fd, map_bytes, va, obj))) {
		__cairn_unlinkat(AT_FDCWD, tmp, 0);
		__cairn_close(fd);
		return r == -EFBIG || r == -ENOSPC ? -ENOSPC : -ENOMEM;
	}
	return fd;
}

static void path_of(char *path, size_t len, int kind, int32_t id)
{
	snprintf(path, len, SV_DIR "%s.%d", kind_name[kind], id);
}

/* ---- credentials and permissions ---------------------------------------------------------- */

static uint32_t euid(void)
{
	return (uint32_t)__cairn_getuids(1, 0, 0, 0);
}

static uint32_t egid(void)
{
	return (uint32_t)__cairn_getgids(1, 0, 0, 0);
}

static int in_group(uint32_t g1, uint32_t g2)
{
	unsigned list[POSIX_NGROUPS_MAX];
	uint32_t g = egid();
	long n;

	if (g == g1 || g == g2)
		return 1;
	n = __cairn_getgroups(POSIX_NGROUPS_MAX, list);
	for (long i = 0; i < n; i++)
		if (list[i] == g1 || list[i] == g2)
			return 1;
	return 0;
}

/* Whether the caller may do what want asks (04 read, 02 write) of an
 * object with perm p, as Linux's ipcperms: 0 or -EACCES. */
static long may(const struct sv_perm *p, unsigned want)
{
	uint32_t uid = euid(), mode = LOAD(&p->mode), granted = mode;

	if (!want || uid == 0)
		return 0;
	if (uid == p->uid || uid == p->cuid)
		granted = mode >> 6;
	else if (in_group(p->gid, p->cgid))
		granted = mode >> 3;
	return want & ~granted & 7 ? -EACCES : 0;
}

/* Whether the caller owns (or made) the object, or is euid 0: 0 or -EPERM. */
static long owns(const struct sv_perm *p)
{
	uint32_t uid = euid();

	return uid == 0 || uid == p->uid || uid == p->cuid ? 0 : -EPERM;
}

static void perm_out(const struct sv_perm *p, struct ipc_perm *o)
{
	memset(o, 0, sizeof(*o));
	o->__ipc_perm_key = p->key;
	o->uid = p->uid;
	o->gid = p->gid;
	o->cuid = p->cuid;
	o->cgid = p->cgid;
	o->mode = p->mode;
}

/* IPC_SET's part every kind has */
static void perm_set(struct sv_head *h, const struct ipc_perm *in)
{
	h->perm.uid = in->uid;
	h->perm.gid = in->gid;
	h->perm.mode = (h->perm.mode & ~MODE_BITS) | (in->mode & MODE_BITS);
	h->ctime = now_sec();
}

/* ---- the registry ------------------------------------------------------------------------- */

static long reg_map(long fd)
{
	struct kstat st;
	void *va;
	long r;

	if (__cairn_fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size != (off_t)REG_BYTES)
		return -ENOMEM;
	if ((r = map_fd(fd, REG_BYTES, &va, &reg_obj)))
		return r;
	if (__atomic_load_n(&((struct sv_registry *)va)->magic, __ATOMIC_ACQUIRE) != REG_MAGIC) {
		cairn_unmap(va, REG_BYTES / PAGE);
		cairn_cap_delete(reg_obj);
		return -ENOMEM;
	}
	reg = va;
	return 0;
}

/* Maps the registry, making it the first time: 0 or -errno. */
static long reg_open(void)
{
	char tmp[sizeof(SV_DIR) + 48];
	struct sv_registry *r0;
	long fd, r = 0;
	void *va;
	cap_t obj;

	if (LOAD(&reg))
		return 0;
	__cairn_lock(&table_lock);
	for (int tries = 0; !reg && tries < 100; tries++) {
		fd = __cairn_openat(AT_FDCWD, SV_DIR "registry", O_RDWR | O_CLOEXEC, 0);
		if (fd >= 0) {
			r = reg_map(fd);
			__cairn_close(fd);
			break;
		}
		if (fd != -ENOENT) {
			r = fd == -EACCES ? -EACCES : -ENOMEM;
			break;
		}
		if ((fd = make_tmp(tmp, sizeof(tmp), REG_BYTES, REG_BYTES, &va, &obj)) < 0) {
			r = fd;
			break;
		}
		r0 = va;
		__atomic_store_n(&r0->magic, REG_MAGIC, __ATOMIC_RELEASE);
		cairn_unmap(va, REG_BYTES / PAGE);
		cairn_cap_delete(obj);
		r = __cairn_renameat2(AT_FDCWD, tmp, AT_FDCWD, SV_DIR "registry", RENAME_NOREPLACE);
		__cairn_close(fd);
		if (r) {
			__cairn_unlinkat(AT_FDCWD, tmp, 0);
			if (r != -EEXIST)
				break;
		}
		r = 0;               /* open what is there now */
	}
	__cairn_unlock(&table_lock);
	return r;
}

/* The slot of id (kind's), or NULL for an id that cannot be one. */
static struct sv_slot *slot_of(int kind, long id)
{
	if (id < 0 || id > INT_MAX || id % SEQ_MUL >= SLOTS)
		return NULL;
	return &reg->slot[kind][id % SEQ_MUL];
}

/* Frees id's slot (the registry locked), its next object a new id. */
static void slot_free(int kind, int32_t id)
{
	struct sv_slot *s = slot_of(kind, id);

	if (s && s->seq == id / SEQ_MUL && s->state != SLOT_FREE) {
		s->state = SLOT_FREE;
		s->key = 0;
		s->seq = s->seq >= SEQ_MAX ? 0 : s->seq + 1;
	}
}

/* ---- objects mapped here ------------------------------------------------------------------ */

static uint64_t file_bytes(int kind, uint64_t n)
{
	switch (kind) {
	case K_MSG: return PAGE + MSG_ARENA;
	case K_SEM: return (PAGE + n * sizeof(struct sv_sem) + PAGE - 1) & ~(uint64_t)(PAGE - 1);
	default: return PAGE + ((n + PAGE - 1) & ~(uint64_t)(PAGE - 1));
	}
}

/* The bytes of kind's file that its users map (shm: the header page;
 * shmat maps the rest). */
static uint64_t map_bytes(int kind, uint64_t n)
{
	return kind == K_SHM ? PAGE : file_bytes(kind, n);
}

static void obj_drop(struct sv_obj *o)
{
	cairn_unmap(o->h, o->pages);
	cairn_cap_delete(o->obj);
	o->h = NULL;
}

/* A free entry of the cache (the table locked): an unused one, else the
 * least recently used one that no call uses; NULL if all are busy. */
static struct sv_obj *cache_entry(void)
{
	struct sv_obj *best = NULL;

	for (unsigned i = 0; i < CACHE; i++) {
		if (!cache[i].h)
			return &cache[i];
		if (!cache[i].busy && (!best || cache[i].used < best->used))
			best = &cache[i];
	}
	if (best)
		obj_drop(best);
	return best;
}

/* Maps object id's file, checking it: 0 or -errno (-EINVAL: no such
 * object, or not one). */
static long obj_load(int kind, int32_t id, struct sv_obj *o)
{
	char path[sizeof(SV_DIR) + 24];
	struct kstat st;
	struct sv_head *h;
	uint64_t n = 0;
	void *va;
	cap_t obj;
	long fd, r;

	path_of(path, sizeof(path), kind, id);
	if ((fd = __cairn_openat(AT_FDCWD, path, O_RDWR | O_CLOEXEC, 0)) < 0)
		return fd == -ENOENT ? -EINVAL : fd == -EACCES ? -EACCES : -ENOMEM;
	r = -EINVAL;
	if (__cairn_fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size < (off_t)PAGE ||
	    st.st_size % PAGE)
		goto out;
	if ((r = map_fd(fd, PAGE, &va, &obj)))
		goto out;
	h = va;
	r = -EINVAL;
	if (__atomic_load_n(&h->magic, __ATOMIC_ACQUIRE) != OBJ_MAGIC || h->kind != (uint32_t)kind ||
	    h->id != id)
		goto unmap;
	if (kind == K_SEM) {
		n = ((struct sv_semset *)h)->nsems;
		if (!n || n > SEMMSL)
			goto unmap;
	} else if (kind == K_SHM) {
		n = ((struct sv_shm *)h)->segsz;
		if (!n || n > SHM_MAX)
			goto unmap;
	}
	if ((uint64_t)st.st_size < file_bytes(kind, n))
		goto unmap;
	o->pages = map_bytes(kind, n) / PAGE;
	if (o->pages > 1) {
		/* the whole of it (its header, checked, is what the file holds
		 * from now on: sizes are kept here) */
		cairn_unmap(va, 1);
		cairn_cap_delete(obj);
		if ((r = map_fd(fd, o->pages * PAGE, &va, &obj)))
			goto out;
	}
	o->kind = kind;
	o->id = id;
	o->h = va;
	o->obj = obj;
	o->nsems = kind == K_SEM ? (uint32_t)n : 0;
	o->segsz = kind == K_SHM ? n : 0;
	r = 0;
	goto out;
unmap:
	cairn_unmap(va, 1);
	cairn_cap_delete(obj);
out:
	__cairn_close(fd);
	return r;
}

/* Object id of kind, mapped and marked busy (obj_put gives it back):
 * 0 or -errno (-EINVAL: none, or removed). */
static long obj_get(int kind, long id, struct sv_obj **out)
{
	struct sv_obj *o = NULL, tmp = { 0 };
	long r;

	if (id < 0 || id > INT_MAX || id % SEQ_MUL >= SLOTS)
		return -EINVAL;
	__cairn_lock(&table_lock);
	for (unsigned i = 0; i < CACHE; i++)
		if (cache[i].h && cache[i].kind == kind && cache[i].id == id) {
			o = &cache[i];
			break;
		}
	if (o && LOAD(&o->h->gone)) {
		if (!o->busy)
			obj_drop(o);
		__cairn_unlock(&table_lock);
		return -EINVAL;
	}
	if (!o) {
		__cairn_unlock(&table_lock);
		if ((r = obj_load(kind, (int32_t)id, &tmp)))
			return r;
		if (LOAD(&tmp.h->gone)) {
			obj_drop(&tmp);
			return -EINVAL;
		}
		__cairn_lock(&table_lock);
		if (!(o = cache_entry())) {
			__cairn_unlock(&table_lock);
			obj_drop(&tmp);
			return -ENOMEM;
		}
		*o = tmp;
	}
	o->busy++;
	o->used = ++ticks;
	__cairn_unlock(&table_lock);
	*out = o;
	return 0;
}

static void obj_put(struct sv_obj *o)
{
	__cairn_lock(&table_lock);
	o->busy--;
	__cairn_unlock(&table_lock);
}

/* The object of a *ctl (msgctl, semctl, shmctl), held (obj_put it), with
 * the caller's right to the command checked: want 04 read, 02 write
 * (EACCES), 0 the owner's or creator's (IPC_SET, IPC_RMID: EPERM). */
static long ctl_get(int kind, long id, unsigned want, struct sv_obj **out)
{
	long r;

	if ((r = obj_get(kind, id, out)))
		return r;
	if ((r = want ? may(&(*out)->h->perm, want) : owns(&(*out)->h->perm)))
		obj_put(*out);
	return r;
}

static int lock(struct sv_obj *o)
{
	return __cairn_shlock(&o->h->lock);
}

static void unlock(struct sv_obj *o, int held)
{
	__cairn_shunlock(&o->h->lock, held);
}

/* ---- get: a key to an id ------------------------------------------------------------------ */

static void obj_init(int kind, struct sv_head *h, int32_t id, int32_t key, long flags, uint64_t n)
{
	uint32_t uid = euid(), gid = egid();

	h->kind = (uint32_t)kind;
	h->id = id;
	h->perm = (struct sv_perm){ .key = key, .uid = uid, .gid = gid, .cuid = uid, .cgid = gid,
				    .mode = (uint32_t)flags & MODE_BITS };
	h->ctime = now_sec();
	if (kind == K_MSG) {
		((struct sv_msgq *)h)->qbytes = MSGMNB;
	} else if (kind == K_SEM) {
		((struct sv_semset *)h)->nsems = (uint32_t)n;
	} else {
		((struct sv_shm *)h)->segsz = n;
		((struct sv_shm *)h)->cpid = my_pid();
	}
	__atomic_store_n(&h->magic, OBJ_MAGIC, __ATOMIC_RELEASE);
}

/* Makes an object in slot i of kind (the registry locked): its id or -errno. */
static long obj_make(int kind, unsigned i, int32_t key, long flags, uint64_t n)
{
	char tmp[sizeof(SV_DIR) + 48], path[sizeof(SV_DIR) + 24];
	struct sv_slot *s = &reg->slot[kind][i];
	int32_t id = (int32_t)s->seq * SEQ_MUL + (int32_t)i;
	void *va;
	cap_t obj;
	long fd, r;

	if ((fd = make_tmp(tmp, sizeof(tmp), file_bytes(kind, n), PAGE, &va, &obj)) < 0)
		return fd;
	obj_init(kind, va, id, key, flags, n);
	cairn_unmap(va, 1);
	cairn_cap_delete(obj);
	path_of(path, sizeof(path), kind, id);
	/* a file of that name is a stale one: the slot was free */
	r = __cairn_renameat2(AT_FDCWD, tmp, AT_FDCWD, path, 0);
	__cairn_close(fd);
	if (r) {
		__cairn_unlinkat(AT_FDCWD, tmp, 0);
		return -ENOMEM;
	}
	s->key = key;
	s->state = SLOT_LIVE;
	return id;
}

static long shm_reap(struct sv_obj *o, int destroy_if_unused);

/* Segments removed while attached whose attachers are all gone now go
 * (the registry locked). */
static void shm_sweep(void)
{
	struct sv_obj *o;

	for (unsigned i = 0; i < SLOTS; i++) {
		struct sv_slot *s = &reg->slot[K_SHM][i];
		if (s->state != SLOT_DEST)
			continue;
		if (obj_get(K_SHM, (long)s->seq * SEQ_MUL + i, &o)) {
			slot_free(K_SHM, (int32_t)((long)s->seq * SEQ_MUL + i));
			continue;
		}
		shm_reap(o, 1);
		obj_put(o);
	}
}

/* Checks an existing object against a get's size or count (EINVAL) and
 * mode bits (EACCES). */
static long get_checks(int kind, int32_t id, long flags, uint64_t n)
{
	struct sv_obj *o;
	long r;

	if ((r = obj_get(kind, id, &o)))
		return r;
	if (kind == K_SEM && n > o->nsems)
		r = -EINVAL;
	else if (kind == K_SHM && n > o->segsz)
		r = -EINVAL;
	else
		r = may(&o->h->perm, (unsigned)(flags & MODE_BITS) >> 6 | (unsigned)(flags & MODE_BITS) >> 3 |
			(unsigned)(flags & 07));
	obj_put(o);
	return r;
}

/* msgget, semget, shmget: the id of key's object (n: its size), made if
 * flags say so; or -errno. */
static long sv_get(int kind, int32_t key, long flags, uint64_t n)
{
	struct sv_slot *s;
	int held, found = -1, free_i = -1;
	long r;

	if ((r = reg_open()))
		return r;
	held = __cairn_shlock(&reg->lock);
	for (unsigned i = 0; i < SLOTS; i++) {
		s = &reg->slot[kind][i];
		if (key != IPC_PRIVATE && s->state == SLOT_LIVE && s->key == key) {
			found = (int)i;
			break;
		}
		if (s->state == SLOT_FREE && free_i < 0)
			free_i = (int)i;
	}
	if (found >= 0) {
		int32_t id = (int32_t)reg->slot[kind][found].seq * SEQ_MUL + found;
		__cairn_shunlock(&reg->lock, held);
		if ((flags & (IPC_CREAT | IPC_EXCL)) == (IPC_CREAT | IPC_EXCL))
			return -EEXIST;
		if ((r = get_checks(kind, id, flags, n)))
			return r;
		return id;
	}
	if (key != IPC_PRIVATE && !(flags & IPC_CREAT)) {
		r = -ENOENT;
		goto out;
	}
	if ((kind == K_SEM && !n) || (kind == K_SHM && (!n || n > SHM_MAX))) {
		r = -EINVAL;
		goto out;
	}
	if (free_i < 0 && kind == K_SHM) {
		shm_sweep();
		for (unsigned i = 0; i < SLOTS && free_i < 0; i++)
			if (reg->slot[kind][i].state == SLOT_FREE)
				free_i = (int)i;
	}
	if (free_i < 0) {
		r = -ENOSPC;
		goto out;
	}
	r = obj_make(kind, (unsigned)free_i, key, flags, n);
out:
	__cairn_shunlock(&reg->lock, held);
	return r;
}

/* IPC_RMID of a message queue or semaphore set (o's: owned, checked):
 * its waiters get EIDRM, its id and key go. */
static void sv_remove(struct sv_obj *o)
{
	char path[sizeof(SV_DIR) + 24];
	int rheld, held;

	if (reg_open())
		return;
	rheld = __cairn_shlock(&reg->lock);
	held = lock(o);

	o->h->gone = 1;
	bump(o->h);
	unlock(o, held);
	wake(o->h);
	path_of(path, sizeof(path), o->kind, o->id);
	__cairn_unlinkat(AT_FDCWD, path, 0);
	slot_free(o->kind, o->id);
	__cairn_shunlock(&reg->lock, rheld);
}

/* ---- waiting ------------------------------------------------------------------------------ */

/* Waits (o locked: unlocked meanwhile, locked again) until o's seq moves
 * from seq, for at most slice ns (<0: no limit) and until the monotonic
 * deadline (0: none): 0, -EINTR (a handler ran since sigs), -EAGAIN (the
 * deadline passed). */
static long wait_change(struct sv_obj *o, int *held, int seq, uint64_t deadline, int64_t slice,
			unsigned long sigs)
{
	struct timespec ts, *tp = NULL;
	uint64_t now, ns = UINT64_MAX;
	long r;

	if (deadline) {
		if (__cairn_now(&now))
			now = 0;
		if (now >= deadline)
			return -EAGAIN;
		ns = deadline - now;
	}
	if (slice >= 0 && (uint64_t)slice < ns)
		ns = (uint64_t)slice;
	if (ns != UINT64_MAX) {
		ts.tv_sec = (time_t)(ns / 1000000000u);
		ts.tv_nsec = (long)(ns % 1000000000u);
		tp = &ts;
	}
	o->h->waiters++;
	unlock(o, *held);         /* a handler held back under the lock runs now */
	if (__cairn_sig_self()->count != sigs)
		r = -EINTR;
	else
		r = __cairn_futex(&o->h->seq, FUTEX_WAIT, seq, tp, NULL, 0);
	if (r == 0)
		cairn_yield();      /* the one that woke us goes on first */
	*held = lock(o);
	o->h->waiters--;
	if (r == -EINTR || __cairn_sig_self()->count != sigs)
		return -EINTR;
	if (deadline && (__cairn_now(&now) || now >= deadline) && r == -ETIMEDOUT)
		return -EAGAIN;
	return 0;
}

/* ---- messages ----------------------------------------------------------------------------- */

static uint64_t rec_bytes(uint64_t len)
{
	return sizeof(struct msg_rec) + ((len + 7) & ~7ull);
}

static struct sv_msgq *mq_of(struct sv_obj *o)
{
	return (struct sv_msgq *)o->h;
}

static char *arena(struct sv_obj *o)
{
	return (char *)o->h + PAGE;
}

/* Whether the queue's records are whole (a file written by someone else
 * may have broken them): if not, the queue is emptied. */
static void msg_check(struct sv_obj *o)
{
	struct sv_msgq *q = mq_of(o);
	uint64_t at = q->first, n = 0, bytes = 0;
	int ok = q->first <= q->top && q->top <= MSG_ARENA && !(q->first & 7) && !(q->top & 7);

	while (ok && at < q->top) {
		struct msg_rec *m = (struct msg_rec *)(arena(o) + at);
		if (q->top - at < sizeof(*m) || m->len > MSGMAX || rec_bytes(m->len) > q->top - at) {
			ok = 0;
			break;
		}
		if (m->type) {
			n++;
			bytes += m->len;
		}
		at += rec_bytes(m->len);
	}
	if (ok && n == q->qnum && bytes == q->cbytes && q->qbytes <= QBYTES_MAX)
		return;
	q->first = q->top = q->qnum = q->cbytes = 0;
	if (q->qbytes > QBYTES_MAX)
		q->qbytes = MSGMNB;
}

/* Room at the arena's top for a record of len bytes, compacting: 1 or 0. */
static int msg_room(struct sv_obj *o, uint64_t len)
{
	struct sv_msgq *q = mq_of(o);
	uint64_t need = rec_bytes(len), at, to = 0;

	if (MSG_ARENA - q->top >= need)
		return 1;
	for (at = q->first; at < q->top;) {
		struct msg_rec *m = (struct msg_rec *)(arena(o) + at);
		uint64_t b = rec_bytes(m->len);
		if (m->type) {
			memmove(arena(o) + to, m, b);
			to += b;
		}
		at += b;
	}
	q->first = 0;
	q->top = to;
	return MSG_ARENA - q->top >= need;
}

long __cairn_msgget(long key, long flags)
{
	return sv_get(K_MSG, (int32_t)key, flags, 0);
}

long __cairn_msgsnd(long id, const void *msg, size_t len, long flags)
{
	unsigned long sigs = __cairn_sig_self()->count;
	char text[MSGMAX];
	struct sv_msgq *q;
	struct msg_rec *m;
	struct sv_obj *o;
	long type, r;
	int held;

	if (len > MSGMAX)
		return -EINVAL;
	memcpy(&type, msg, sizeof(type));
	if (type < 1)
		return -EINVAL;
	if ((r = obj_get(K_MSG, id, &o)))
		return r;
	if ((r = may(&o->h->perm, 02)))
		goto out;
	memcpy(text, (const char *)msg + sizeof(long), len);
	q = mq_of(o);
	held = lock(o);
	for (;;) {
		if (q->h.gone) {
			r = -EIDRM;
			break;
		}
		msg_check(o);
		if (q->cbytes + len <= q->qbytes && q->qnum + 1 <= q->qbytes && msg_room(o, len))
			break;
		if (flags & IPC_NOWAIT) {
			r = -EAGAIN;
			break;
		}
		if ((r = wait_change(o, &held, q->h.seq, 0, -1, sigs)))
			break;
	}
	if (!r) {
		m = (struct msg_rec *)(arena(o) + q->top);
		m->type = type;
		m->len = len;
		memcpy(m + 1, text, len);
		q->top += rec_bytes(len);
		q->qnum++;
		q->cbytes += len;
		q->lspid = my_pid();
		q->stime = now_sec();
		bump(&q->h);
	}
	unlock(o, held);
	if (!r)
		wake(&q->h);
out:
	obj_put(o);
	return r;
}

/* The record msgrcv(type, flags) takes, or NULL. */
static struct msg_rec *msg_find(struct sv_obj *o, long type, long flags)
{
	struct sv_msgq *q = mq_of(o);
	struct msg_rec *best = NULL;
	long max = type == LONG_MIN ? LONG_MAX : -type;

	for (uint64_t at = q->first; at < q->top;) {
		struct msg_rec *m = (struct msg_rec *)(arena(o) + at);
		at += rec_bytes(m->len);
		if (!m->type)
			continue;
		if (type == 0)
			return m;
		if (type > 0 && (flags & MSG_EXCEPT ? m->type != type : m->type == type))
			return m;
		if (type < 0 && m->type <= max && (!best || m->type < best->type))
			best = m;
	}
	return best;
}

long __cairn_msgrcv(long id, void *msg, size_t len, long type, long flags)
{
	unsigned long sigs = __cairn_sig_self()->count;
	char text[MSGMAX];
	struct sv_msgq *q;
	struct msg_rec *m = NULL;
	struct sv_obj *o;
	long r, mtype = 0;
	uint64_t n = 0;
	int held;

	if ((long)len < 0)
		return -EINVAL;
	if (flags & MSG_COPY_LINUX)
		return -ENOSYS;       /* as Linux without CONFIG_CHECKPOINT_RESTORE */
	if ((r = obj_get(K_MSG, id, &o)))
		return r;
	if ((r = may(&o->h->perm, 04)))
		goto out;
	q = mq_of(o);
	held = lock(o);
	for (;;) {
		if (q->h.gone) {
			r = -EIDRM;
			break;
		}
		msg_check(o);
		if ((m = msg_find(o, type, flags)))
			break;
		if (flags & IPC_NOWAIT) {
			r = -ENOMSG;
			break;
		}
		if ((r = wait_change(o, &held, q->h.seq, 0, -1, sigs)))
			break;
	}
	if (!r && m->len > len && !(flags & MSG_NOERROR))
		r = -E2BIG;
	if (!r) {
		n = m->len < len ? m->len : len;
		memcpy(text, m + 1, n);
		mtype = m->type;
		m->type = 0;
		q->qnum--;
		q->cbytes -= m->len;
		while (q->first < q->top && !((struct msg_rec *)(arena(o) + q->first))->type)
			q->first += rec_bytes(((struct msg_rec *)(arena(o) + q->first))->len);
		if (!q->qnum)
			q->first = q->top = 0;
		q->lrpid = my_pid();
		q->rtime = now_sec();
		bump(&q->h);
	}
	unlock(o, held);
	if (!r) {
		wake(&q->h);
		memcpy(msg, &mtype, sizeof(mtype));
		memcpy((char *)msg + sizeof(long), text, n);
		r = (long)n;
	}
out:
	obj_put(o);
	return r;
}

long __cairn_msgctl(long id, long cmd, void *buf)
{
	struct msqid_ds *ds = buf, in;
	struct sv_msgq *q;
	struct sv_obj *o;
	int held;
	long r;

	cmd &= ~0x100L;             /* IPC_64 */
	if (cmd != IPC_STAT && cmd != IPC_SET && cmd != IPC_RMID)
		return -EINVAL;
	if (cmd == IPC_SET)
		memcpy(&in, buf, sizeof(in));
	if ((r = ctl_get(K_MSG, id, cmd == IPC_STAT ? 04 : 0, &o)))
		return r;
	q = mq_of(o);
	if (cmd == IPC_STAT) {
		struct msqid_ds out = { 0 };
		held = lock(o);
		msg_check(o);
		perm_out(&q->h.perm, &out.msg_perm);
		out.msg_stime = q->stime;
		out.msg_rtime = q->rtime;
		out.msg_ctime = q->h.ctime;
		out.msg_cbytes = q->cbytes;
		out.msg_qnum = q->qnum;
		out.msg_qbytes = q->qbytes;
		out.msg_lspid = q->lspid;
		out.msg_lrpid = q->lrpid;
		unlock(o, held);
		*ds = out;
	} else if (cmd == IPC_RMID) {
		sv_remove(o);
	} else if (in.msg_qbytes > MSGMNB && euid() != 0) {
		r = -EPERM;
	} else if (in.msg_qbytes > QBYTES_MAX) {
		r = -EINVAL;        /* more than a queue's file holds here */
	} else {
		held = lock(o);
		perm_set(&q->h, &in.msg_perm);
		q->qbytes = in.msg_qbytes;
		bump(&q->h);
		unlock(o, held);
		wake(&q->h);
	}
out:
	obj_put(o);
	return r;
}

/* ---- semaphores --------------------------------------------------------------------------- */

static struct sv_semset *set_of(struct sv_obj *o)
{
	return (struct sv_semset *)o->h;
}

static struct sv_sem *sem_at(struct sv_obj *o, unsigned i)
{
	return (struct sv_sem *)((char *)o->h + PAGE) + i;
}

static int32_t clamp_val(int64_t v)
{
	return v < 0 ? 0 : v > SEMVMX ? SEMVMX : (int32_t)v;
}

/* Applies the undo entries of the processes that are gone (o locked):
 * whether any was. */
static int undo_reap(struct sv_obj *o)
{
	struct sv_semset *s = set_of(o);
	int32_t me = my_pid(), alive[8];
	unsigned nalive = 0;
	int any = 0;

	for (unsigned i = 0; i < UNDO_MAX; i++) {
		struct sv_undo *u = &s->undo[i];
		int32_t pid = u->pid;
		unsigned k;
		if (!pid || pid == me)
			continue;
		for (k = 0; k < nalive && alive[k] != pid; k++)
			;
		if (k < nalive)
			continue;
		if (!__cairn_pid_gone(pid)) {
			if (nalive < 8)
				alive[nalive++] = pid;
			continue;
		}
		for (unsigned j = i; j < UNDO_MAX; j++) {
			struct sv_undo *v = &s->undo[j];
			if (v->pid != pid)
				continue;
			if (v->num < o->nsems) {
				struct sv_sem *m = sem_at(o, v->num);
				m->val = clamp_val((int64_t)m->val + v->adj);
				m->pid = pid;
			}
			v->pid = 0;
			any = 1;
		}
	}
	if (any)
		bump(&s->h);
	return any;
}

/* This process's undo entries in o applied and gone (o locked). */
static void undo_mine(struct sv_obj *o)
{
	struct sv_semset *s = set_of(o);
	int32_t me = my_pid();
	int any = 0;

	for (unsigned i = 0; i < UNDO_MAX; i++) {
		struct sv_undo *u = &s->undo[i];
		if (u->pid != me)
			continue;
		if (u->num < o->nsems) {
			sem_at(o, u->num)->val = clamp_val((int64_t)sem_at(o, u->num)->val + u->adj);
			sem_at(o, u->num)->pid = me;
		}
		u->pid = 0;
		any = 1;
	}
	if (any)
		bump(&s->h);
}

/* Removes every process's undo of semaphore num (-1: all), as SETVAL and
 * SETALL do. */
static void undo_clear(struct sv_obj *o, long num)
{
	for (unsigned i = 0; i < UNDO_MAX; i++)
		if (num < 0 || set_of(o)->undo[i].num == (uint32_t)num)
			set_of(o)->undo[i].pid = 0;
}

static struct sv_undo *undo_find(struct sv_obj *o, int32_t pid, uint32_t num, int make)
{
	struct sv_undo *free_u = NULL;

	for (unsigned i = 0; i < UNDO_MAX; i++) {
		struct sv_undo *u = &set_of(o)->undo[i];
		if (u->pid == pid && u->num == num)
			return u;
		if (!u->pid && !free_u)
			free_u = u;
	}
	if (!make || !free_u)
		return NULL;
	*free_u = (struct sv_undo){ .pid = pid, .num = num, .adj = 0 };
	return free_u;
}

/* Remembers that this process has undo entries in set id. */
static void undo_note(int32_t id)
{
	__cairn_lock(&table_lock);
	for (unsigned i = 0; i < UNDO_SETS; i++)
		if (undo_sets[i] == id + 1)
			goto out;
	for (unsigned i = 0; i < UNDO_SETS; i++)
		if (!undo_sets[i]) {
			undo_sets[i] = id + 1;
			break;
		}
out:
	__cairn_unlock(&table_lock);
}

/* One attempt at sops (o locked): 0 done; 1 it would wait (*blk the
 * operation it waits at); -ERANGE, -ENOSPC. Nothing changes unless 0. */
static long sem_try(struct sv_obj *o, const struct sembuf *sops, size_t n, size_t *blk)
{
	struct { struct sv_undo *u; int32_t adj; } undo[SEMOPM];
	int32_t me = my_pid();
	size_t i, k = 0;
	long r = 0;

	for (i = 0; i < n; i++) {
		struct sv_sem *m = sem_at(o, sops[i].sem_num);
		int32_t v = m->val + sops[i].sem_op;
		if (sops[i].sem_op == 0 ? m->val != 0 : v < 0) {
			*blk = i;
			r = 1;
			break;
		}
		if (v > SEMVMX) {
			r = -ERANGE;
			break;
		}
		m->val = v;
	}
	for (size_t j = 0; !r && j < n; j++) {
		struct sv_undo *u;
		int32_t adj;
		if (!(sops[j].sem_flg & SEM_UNDO) || !sops[j].sem_op)
			continue;
		if (!(u = undo_find(o, me, sops[j].sem_num, 1))) {
			r = -ENOSPC;
			break;
		}
		adj = u->adj - sops[j].sem_op;
		if (adj < -SEMAEM - 1 || adj > SEMAEM) {
			r = -ERANGE;
			break;
		}
		undo[k].u = u;
		undo[k++].adj = u->adj;
		u->adj = adj;
	}
	if (r) {
		while (k--) {
			undo[k].u->adj = undo[k].adj;
			if (!undo[k].u->adj)
				undo[k].u->pid = 0;
		}
		while (i--)
			sem_at(o, sops[i].sem_num)->val -= sops[i].sem_op;
		return r;
	}
	for (size_t j = 0; j < n; j++) {
		struct sv_undo *u = undo_find(o, me, sops[j].sem_num, 0);
		sem_at(o, sops[j].sem_num)->pid = me;
		if (u && !u->adj)
			u->pid = 0;
	}
	set_of(o)->otime = now_sec();
	return 0;
}

long __cairn_semget(long key, long nsems, long flags)
{
	if (nsems < 0 || nsems > (long)SEMMSL)
		return -EINVAL;
	return sv_get(K_SEM, (int32_t)key, flags, (uint64_t)nsems);
}

long __cairn_semtimedop(long id, void *sops_, size_t n, const void *ts_)
{
	const struct timespec *ts = ts_;
	unsigned long sigs = __cairn_sig_self()->count;
	struct sembuf sops[SEMOPM];
	unsigned alter = 0, undo = 0, max = 0;
	uint64_t deadline = 0;
	struct sv_obj *o;
	size_t blk = 0;
	int held;
	long r;

	if (n < 1)
		return -EINVAL;
	if (n > SEMOPM)
		return -E2BIG;
	memcpy(sops, sops_, n * sizeof(*sops));
	if (ts) {
		if (ts->tv_sec < 0 || (unsigned long)ts->tv_nsec >= 1000000000ul)
			return -EINVAL;
		if (__cairn_now(&deadline))
			deadline = 0;
		deadline += (uint64_t)ts->tv_sec * 1000000000u + (uint64_t)ts->tv_nsec + 1;
	}
	for (size_t i = 0; i < n; i++) {
		if (sops[i].sem_num > max)
			max = sops[i].sem_num;
		alter |= sops[i].sem_op != 0;
		undo |= (sops[i].sem_flg & SEM_UNDO) != 0;
	}
	if ((r = obj_get(K_SEM, id, &o)))
		return r;
	if (max >= o->nsems) {
		r = -EFBIG;
		goto out;
	}
	if ((r = may(&o->h->perm, alter ? 02 : 04)))
		goto out;
	if (undo)
		undo_note(o->id);
	held = lock(o);
	for (int reaped = 0;;) {
		struct sv_sem *m;
		if (o->h->gone) {
			r = -EIDRM;
			break;
		}
		if ((r = sem_try(o, sops, n, &blk)) <= 0)
			break;
		/* it would wait: first what gone processes' undo gives back */
		if (!reaped && (reaped = 1, undo_reap(o)))
			continue;
		if (sops[blk].sem_flg & IPC_NOWAIT) {
			r = -EAGAIN;
			break;
		}
		m = sem_at(o, sops[blk].sem_num);
		if (sops[blk].sem_op)
			m->ncnt++;
		else
			m->zcnt++;
		r = wait_change(o, &held, o->h->seq, deadline, WAIT_SLICE, sigs);
		if (!o->h->gone) {
			m = sem_at(o, sops[blk].sem_num);
			if (sops[blk].sem_op && m->ncnt)
				m->ncnt--;
			else if (!sops[blk].sem_op && m->zcnt)
				m->zcnt--;
		}
		reaped = 0;
		if (r)
			break;
	}
	if (!r)
		bump(o->h);
	unlock(o, held);
	if (!r)
		wake(o->h);
out:
	obj_put(o);
	return r;
}

long __cairn_semctl(long id, long num, long cmd, void *arg)
{
	struct semid_ds *ds = arg, in;
	unsigned short *arr = arg;
	struct sv_semset *s;
	struct sv_obj *o;
	int held;
	long r = 0;

	cmd &= ~0x100L;             /* IPC_64 */
	switch (cmd) {
	case IPC_STAT: case IPC_SET: case IPC_RMID: case GETVAL: case GETPID: case GETNCNT:
	case GETZCNT: case GETALL: case SETVAL: case SETALL:
		break;
	default:
		return -EINVAL;
	}
	if (cmd == IPC_SET)
		memcpy(&in, arg, sizeof(in));
	if ((r = ctl_get(K_SEM, id, cmd == IPC_SET || cmd == IPC_RMID ? 0 :
			 cmd == SETVAL || cmd == SETALL ? 02 : 04, &o)))
		return r;
	s = set_of(o);
	if ((cmd == GETVAL || cmd == GETPID || cmd == GETNCNT || cmd == GETZCNT || cmd == SETVAL) &&
	    (num < 0 || num >= (long)o->nsems)) {
		r = -EINVAL;
		goto out;
	}
	if (cmd == SETVAL && ((int)(intptr_t)arg < 0 || (int)(intptr_t)arg > SEMVMX)) {
		r = -ERANGE;
		goto out;
	}
	if (cmd == IPC_RMID) {
		sv_remove(o);
		goto out;
	}
	held = lock(o);
	if (cmd != SETVAL && cmd != SETALL && cmd != IPC_SET)
		undo_reap(o);
	switch (cmd) {
	case IPC_STAT: {
		struct semid_ds out = { 0 };
		perm_out(&s->h.perm, &out.sem_perm);
		out.sem_otime = s->otime;
		out.sem_ctime = s->h.ctime;
		out.sem_nsems = (unsigned short)o->nsems;
		unlock(o, held);
		*ds = out;
		goto out;
	}
	case IPC_SET:
		perm_set(&s->h, &in.sem_perm);
		break;
	case GETVAL: r = sem_at(o, (unsigned)num)->val; break;
	case GETPID: r = sem_at(o, (unsigned)num)->pid; break;
	case GETNCNT: r = sem_at(o, (unsigned)num)->ncnt; break;
	case GETZCNT: r = sem_at(o, (unsigned)num)->zcnt; break;
	case GETALL:
		for (unsigned i = 0; i < o->nsems; i++)
			arr[i] = (unsigned short)sem_at(o, i)->val;
		break;
	case SETVAL:
		sem_at(o, (unsigned)num)->val = (int)(intptr_t)arg;
		sem_at(o, (unsigned)num)->pid = my_pid();
		undo_clear(o, num);
		s->h.ctime = now_sec();
		break;
	case SETALL:
		for (unsigned i = 0; i < o->nsems; i++)
			if (arr[i] > SEMVMX)
				r = -ERANGE;
		for (unsigned i = 0; !r && i < o->nsems; i++) {
			sem_at(o, i)->val = arr[i];
			sem_at(o, i)->pid = my_pid();
		}
		if (!r) {
			undo_clear(o, -1);
			s->h.ctime = now_sec();
		}
		break;
	}
	bump(&s->h);
	unlock(o, held);
	wake(&s->h);
out:
	obj_put(o);
	return r;
}

/* ---- shared memory ------------------------------------------------------------------------ */

static struct sv_shm *shm_of(struct sv_obj *o)
{
	return (struct sv_shm *)o->h;
}

/* The segment's attaches (o locked), those of gone processes dropped
 * first when reap. */
static uint64_t shm_nattch(struct sv_obj *o, int reap)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < ATT_MAX; i++) {
		struct sv_att *a = &shm_of(o)->att[i];
		if (!a->pid)
			continue;
		if (reap && a->pid != my_pid() && __cairn_pid_gone(a->pid))
			a->pid = 0;
		else
			n += a->n;
	}
	return n;
}

/* Adds delta attaches of pid (o locked): 0, or -ENOMEM (no entry left). */
static long shm_count(struct sv_obj *o, int32_t pid, int delta)
{
	struct sv_att *free_a = NULL;

	for (int pass = 0; pass < 2; pass++) {
		for (unsigned i = 0; i < ATT_MAX; i++) {
			struct sv_att *a = &shm_of(o)->att[i];
			if (a->pid == pid) {
				if (delta < 0 && a->n <= (unsigned)-delta)
					a->pid = 0;
				else
					a->n += (unsigned)delta;
				return 0;
			}
			if (!a->pid && !free_a)
				free_a = a;
		}
		if (delta < 0)
			return 0;
		if (free_a) {
			*free_a = (struct sv_att){ .pid = pid, .n = (unsigned)delta };
			return 0;
		}
		shm_nattch(o, 1);       /* gone processes' entries, then again */
	}
	return -ENOMEM;
}

/* The segment's file and id go (the registry and o locked). */
static void shm_destroy(struct sv_obj *o)
{
	char path[sizeof(SV_DIR) + 24];

	o->h->gone = 1;
	path_of(path, sizeof(path), K_SHM, o->id);
	__cairn_unlinkat(AT_FDCWD, path, 0);
	slot_free(K_SHM, o->id);
}

/* A removed segment with no attaches left goes (destroy_if_unused; o not
 * locked, the registry locked by the caller or not). Returns nattch. */
static long shm_reap(struct sv_obj *o, int destroy_if_unused)
{
	int held = lock(o);
	long n = (long)shm_nattch(o, 1);

	if (destroy_if_unused && !n && o->h->dest && !o->h->gone)
		shm_destroy(o);
	unlock(o, held);
	return n;
}

/* This process's attaches to o changed by delta (o not locked): a
 * removed segment left with none goes. */
static void shm_attached(struct sv_obj *o, int delta, int32_t pid)
{
	int held = lock(o), rheld;
	int last;

	shm_count(o, pid, delta);
	if (delta < 0) {
		shm_of(o)->dtime = now_sec();
		shm_of(o)->lpid = pid;
	}
	last = o->h->dest && !o->h->gone && !shm_nattch(o, 0);
	unlock(o, held);
	if (!last || reg_open())
		return;
	rheld = __cairn_shlock(&reg->lock);
	shm_reap(o, 1);
	__cairn_shunlock(&reg->lock, rheld);
}

long __cairn_shmget(long key, size_t size, long flags)
{
	/* an existing segment's size is checked against size (EINVAL if
	 * larger), a new one's must be in [1, SHM_MAX] */
	return sv_get(K_SHM, (int32_t)key, flags, size);
}

long __cairn_shmat(long id, uintptr_t addr, long flags)
{
	char path[sizeof(SV_DIR) + 24];
	struct local_att *slot = NULL;
	struct sv_obj *o;
	long fd, r, va, mflags = MAP_SHARED, prot = PROT_READ;
	uint64_t bytes;
	int held;

	if (addr & (SHMLBA - 1)) {
		if (!(flags & SHM_RND))
			return -EINVAL;
		addr &= ~(uintptr_t)(SHMLBA - 1);
	}
	if (addr)
		mflags |= flags & SHM_REMAP ? MAP_FIXED : MAP_FIXED_NOREPLACE;
	else if (flags & SHM_REMAP)
		return -EINVAL;
	if (!(flags & SHM_RDONLY))
		prot |= PROT_WRITE;
	if (flags & SHM_EXEC)
		prot |= PROT_EXEC;
	if ((r = obj_get(K_SHM, id, &o)))
		return r;
	if ((r = may(&o->h->perm, flags & SHM_RDONLY ? 04 : 06)))
		goto out;
	bytes = (o->segsz + PAGE - 1) & ~(uint64_t)(PAGE - 1);
	__cairn_lock(&table_lock);
	for (unsigned i = 0; i < LOCAL_ATT && !slot; i++)
		if (!atts[i].va)
			slot = &atts[i];
	if (slot)
		slot->va = 1;          /* taken */
	__cairn_unlock(&table_lock);
	if (!slot) {
		r = -EMFILE;           /* Linux's SHMSEG */
		goto out;
	}
	path_of(path, sizeof(path), K_SHM, o->id);
	if ((fd = __cairn_openat(AT_FDCWD, path, O_RDWR | O_CLOEXEC, 0)) < 0) {
		r = fd == -ENOENT ? -EIDRM : -ENOMEM;
		goto free_slot;
	}
	va = __cairn_mmap(addr, bytes, prot, mflags, fd, PAGE);
	__cairn_close(fd);
	if (va < 0) {
		r = va == -EEXIST ? -EINVAL : va;
		goto free_slot;
	}
	held = lock(o);
	if ((r = shm_count(o, my_pid(), 1))) {
		unlock(o, held);
		__cairn_munmap((uintptr_t)va, bytes);
		goto free_slot;
	}
	shm_of(o)->atime = now_sec();
	shm_of(o)->lpid = my_pid();
	unlock(o, held);
	slot->bytes = bytes;
	slot->id = o->id;
	__atomic_store_n(&slot->va, (uintptr_t)va, __ATOMIC_RELEASE);
	obj_put(o);
	return va;
free_slot:
	__atomic_store_n(&slot->va, 0, __ATOMIC_RELEASE);
out:
	obj_put(o);
	return r;
}

long __cairn_shmdt(uintptr_t addr)
{
	struct local_att a = { 0 };
	struct sv_obj *o;

	__cairn_lock(&table_lock);
	for (unsigned i = 0; i < LOCAL_ATT; i++)
		if (atts[i].va == addr && addr > 1) {
			a = atts[i];
			atts[i].va = 0;
			break;
		}
	__cairn_unlock(&table_lock);
	if (!a.va)
		return -EINVAL;
	__cairn_munmap(a.va, a.bytes);
	if (!obj_get(K_SHM, a.id, &o)) {
		shm_attached(o, -1, my_pid());
		obj_put(o);
	}
	return 0;
}

long __cairn_shmctl(long id, long cmd, void *buf)
{
	struct shmid_ds *ds = buf, in;
	struct sv_shm *s;
	struct sv_obj *o;
	int held, rheld;
	long r;

	cmd &= ~0x100L;             /* IPC_64 */
	if (cmd != IPC_STAT && cmd != IPC_SET && cmd != IPC_RMID && cmd != SHM_LOCK && cmd != SHM_UNLOCK)
		return -EINVAL;
	if (cmd == IPC_SET)
		memcpy(&in, buf, sizeof(in));
	if ((r = ctl_get(K_SHM, id, cmd == IPC_STAT ? 04 : 0, &o)))
		return r;
	s = shm_of(o);
	if (cmd == IPC_STAT) {
		struct shmid_ds out = { 0 };
		held = lock(o);
		perm_out(&s->h.perm, &out.shm_perm);
		if (s->h.dest)
			out.shm_perm.mode |= SHM_DEST;
		out.shm_segsz = o->segsz;
		out.shm_atime = s->atime;
		out.shm_dtime = s->dtime;
		out.shm_ctime = s->h.ctime;
		out.shm_cpid = s->cpid;
		out.shm_lpid = s->lpid;
		out.shm_nattch = shm_nattch(o, 1);
		unlock(o, held);
		*ds = out;
		goto out;
	}
	if (cmd == SHM_LOCK || cmd == SHM_UNLOCK) {
		/* the pages are never swapped out here */
	} else if (cmd == IPC_SET) {
		held = lock(o);
		perm_set(&s->h, &in.shm_perm);
		unlock(o, held);
	} else if (!(r = reg_open())) {
		rheld = __cairn_shlock(&reg->lock);
		held = lock(o);
		if (!s->h.dest) {
			struct sv_slot *sl = slot_of(K_SHM, o->id);
			s->h.dest = 1;
			s->h.perm.key = IPC_PRIVATE;
			if (sl && sl->seq == o->id / SEQ_MUL) {
				sl->state = SLOT_DEST;
				sl->key = 0;
			}
			s->h.ctime = now_sec();
		}
		if (!shm_nattch(o, 1) && !s->h.gone)
			shm_destroy(o);
		unlock(o, held);
		__cairn_shunlock(&reg->lock, rheld);
	}
out:
	obj_put(o);
	return r;
}

/* ---- fork, exec, exit --------------------------------------------------------------------- */

/* Each attach of this process counted (delta 1) or not (-1) for pid. */
static void atts_count(int delta, int32_t pid)
{
	struct sv_obj *o;

	for (unsigned i = 0; i < LOCAL_ATT; i++)
		if (atts[i].va > 1 && !obj_get(K_SHM, atts[i].id, &o)) {
			shm_attached(o, delta, pid);
			obj_put(o);
		}
}

void __cairn_sysv_forked(void)
{
	table_lock = 0;
	for (unsigned i = 0; i < CACHE; i++)
		cache[i].busy = 0;
	memset(undo_sets, 0, sizeof(undo_sets));    /* undo is not inherited */
	atts_count(1, my_pid());
}

void __cairn_sysv_exec(int failed)
{
	atts_count(failed ? 1 : -1, my_pid());
}

void __cairn_sysv_exit(void)
{
	struct sv_obj *o;
	int held;

	for (unsigned i = 0; i < UNDO_SETS; i++)
		if (undo_sets[i] && !obj_get(K_SEM, undo_sets[i] - 1, &o)) {
			held = lock(o);
			undo_mine(o);
			unlock(o, held);
			wake(o->h);
			obj_put(o);
		}
	atts_count(-1, my_pid());
}
