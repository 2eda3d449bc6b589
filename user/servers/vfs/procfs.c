/* SPDX-License-Identifier: MIT */
/*
 * /proc: a read-only directory of the tree whose files the server writes
 * itself, in the text formats of Linux 6.1 (fs/proc/array.c, meminfo.c,
 * stat.c, uptime.c, loadavg.c, version.c and the arch's cpuinfo), a
 * subset of Linux's files and lines. docs/vfs.md, "/proc", says what is
 * there and which numbers are 0 because Cairn does not know them.
 *
 *   /proc/meminfo uptime loadavg stat cpuinfo version mounts filesystems
 *   /proc/self          a symbolic link to the caller's pid
 *   /proc/PID/          stat status cmdline comm, per process
 *   /proc/net/          dev if_inet6 route, the network server's
 *
 * How. The directory and its entries are tmpfs nodes (tmpfs.h, "Read-only
 * and synthetic nodes"): /proc is TMPFS_F_SYNTH, so tmpfs calls lookup()
 * before it looks a name up in it and fill() before it is read. lookup()
 * makes /proc/PID (a directory of four files) when the process server
 * knows PID and removes it when it does not, so a path through a pid
 * that ended is ENOENT; fill() does the same for every pid (PS_PROCLIST)
 * before a readdir. The files are TMPFS_F_SYNTH too: they hold no bytes;
 * when one is opened, procfs_snapshot() writes its text, which the open
 * description keeps (as Linux's seq_file makes it on the first read), so
 * reads and lseek see one consistent text. A pid that ended between the
 * readdir and the open is ENOENT then.
 *
 * The process server. The numbers of a process come from the process
 * server (PS_PROCINFO, PS_PROCLIST), asked through the unbadged
 * capability "proc" of the manifest (a system service's: a process asks
 * /proc, not the server). This is the one call the VFS makes to another
 * server and waits for: the process server answers at once and never
 * waits for the VFS once it serves (it reads its first program through
 * the VFS before that, when no process exists to ask /proc anything).
 * Without "proc" there are no /proc/PID (the boot tests of the VFS
 * alone). The machine's numbers come from the kernel's KernelInfo
 * ("kinfo": free and total pages, the clock).
 *
 * /proc/self. The VFS does not know who calls: the capability a request
 * comes through names a directory, shared by every process. So the
 * caller says: w3 of a one-path request is its pid (include/cairn/posix.h,
 * the file-system protocol; musl-port's fs.c sends it), and /proc/self is
 * a link to that pid while the request is resolved. A caller that sends
 * none (0) finds no /proc/self (ENOENT). Nothing is trusted to it: a
 * process that names another pid sees /proc/PID, which it may read
 * anyway.
 *
 * The network server. /proc/net's files are texts the network server
 * writes (NET_PROCNET, include/cairn/sock.h: it knows the interfaces and
 * their counters), asked through "net" of the manifest (its unbadged
 * endpoint) when one is opened, as "proc" is asked: the network server
 * never waits for the VFS from the thread that serves (it writes
 * /etc/resolv.conf from a thread of its own). Without "net" there is no
 * /proc/net.
 *
 * Who may see what: no process learns more about another through /proc
 * than kill(pid, 0) tells it. Today every process may signal every other
 * (there are no users: kill never answers EPERM), so every /proc/PID is
 * visible to all; the check belongs in lookup(), by the caller's own
 * identity (which the VFS would need from its capability, not from w3),
 * once processes have owners.
 */
#include <format.h>
#include <cairn/cpuinfo.h>
#include <cairn/sock.h>
#include <cairn/version.h>
#include "internal.h"

uint64_t procfs_caller;

enum {
	K_MEMINFO = 1, K_UPTIME, K_LOADAVG, K_STAT, K_CPUINFO, K_VERSION, K_MOUNTS, K_FILESYSTEMS, K_SELF,
	K_PIDDIR, K_PID_STAT, K_PID_STATUS, K_PID_CMDLINE, K_PID_COMM,
	K_NETDIR, K_NET_DEV, K_NET_IF_INET6, K_NET_ROUTE, K_NET_TCP, K_NET_TCP6, K_NET_UDP, K_NET_UDP6,
	K_NET_UNIX, K_KOBJECTS,
};
#define SYNTH(kind, pid)   ((uint64_t)(kind) | (uint64_t)(pid) << 8)
#define KIND(n)            ((unsigned)((n)->synth & 0xff))
#define PID(n)             ((uint32_t)((n)->synth >> 8))
#define PID_LIMIT          4194304u      /* the largest pid a name may have (Linux's) */
#define PID_DIRS_MAX       512u          /* more than this: drop those of ended pids first */
#define LIST_MAX           4096u         /* pids PS_PROCLIST may give in all */
#define TEXT_MAX           65536u        /* NET_PROC_MAX: /proc/net/tcp of many sockets */
#define USER_HZ            100u          /* the clock ticks of stat files (Linux's USER_HZ) */

static const struct { const char *name; unsigned kind; } top_files[] = {
	{ "meminfo", K_MEMINFO }, { "uptime", K_UPTIME }, { "loadavg", K_LOADAVG },
	{ "stat", K_STAT }, { "cpuinfo", K_CPUINFO }, { "version", K_VERSION },
	{ "mounts", K_MOUNTS }, { "filesystems", K_FILESYSTEMS }, { "kobjects", K_KOBJECTS },
};
static const struct { const char *name; unsigned kind; } pid_files[] = {
	{ "stat", K_PID_STAT }, { "status", K_PID_STATUS }, { "cmdline", K_PID_CMDLINE },
	{ "comm", K_PID_COMM },
};

static const struct { const char *name; unsigned kind; uint64_t which; } net_files[] = {
	{ "dev", K_NET_DEV, NET_PROC_DEV }, { "if_inet6", K_NET_IF_INET6, NET_PROC_IF_INET6 },
	{ "route", K_NET_ROUTE, NET_PROC_ROUTE }, { "tcp", K_NET_TCP, NET_PROC_TCP },
	{ "tcp6", K_NET_TCP6, NET_PROC_TCP6 }, { "udp", K_NET_UDP, NET_PROC_UDP },
	{ "udp6", K_NET_UDP6, NET_PROC_UDP6 }, { "unix", K_NET_UNIX, NET_PROC_UNIX },
};

static cap_t proc_ep = CAP_NULL, kinfo = CAP_NULL, net_ep = CAP_NULL;
static struct tmpfs_node *proc_dir, *self_link;
static unsigned npid_dirs;

/* ---- asking the process server -------------------------------------------------------- */

static struct {
	struct posix_procinfo pi;
	char args[POSIX_CMDLINE_MAX];
} info;

/* A call on ep ("proc" or "net"): the answer's words in out_w, its
 * inline bytes (at most max) copied to out, their count in *n. */
static err_t srv_call(cap_t ep, uint32_t label, uint64_t w0, uint64_t w1, uint64_t out_w[4], void *out,
		      size_t max, size_t *n)
{
	struct cairn_msg m;
	size_t got = 0;
	err_t e;

	if (ep == CAP_NULL)
		return ERR_SRCH;
	m = cairn_call(ep, cairn_tag(label, CAIRN_MSG_REGS, 0), w0, w1, 0, 0);
	if (!m.err)                            /* capabilities are not asked for: none kept */
		for (unsigned i = 0; i < cairn_tag_ncaps(m.tag) && i < CAIRN_MSG_MAX_CAPS; i++)
			if (cairn_ipcbuf()->caps[i] != CAP_NULL)
				cairn_cap_delete(cairn_ipcbuf()->caps[i]);
	if ((e = m.err ? (err_t)m.err : (err_t)cairn_tag_label(m.tag)))
		return e;
	if (cairn_tag_len(m.tag) > CAIRN_MSG_REGS)
		got = (cairn_tag_len(m.tag) - CAIRN_MSG_REGS) * 8u;
	if (got > max)
		got = max;
	memcpy(out, &cairn_ipcbuf()->w[CAIRN_MSG_REGS], got);
	memcpy(out_w, m.w, sizeof(m.w));
	*n = got;
	return ERR_OK;
}

static err_t ps_call(uint32_t label, uint64_t w0, uint64_t out_w[4], void *out, size_t max, size_t *n)
{
	return srv_call(proc_ep, label, w0, 0, out_w, out, max, n);
}

bool procfs_pid_live(uint32_t pid)
{
	struct cairn_msg m;

	if (proc_ep == CAP_NULL)
		return true;
	/* PS_KILL(pid, 0, POSIX_KILL_LIVE): ESRCH for no process or a zombie */
	m = cairn_call(proc_ep, cairn_tag(PS_KILL, CAIRN_MSG_REGS, 0), pid, 0, POSIX_KILL_LIVE, 0);
	if (!m.err)
		for (unsigned i = 0; i < cairn_tag_ncaps(m.tag) && i < CAIRN_MSG_MAX_CAPS; i++)
			if (cairn_ipcbuf()->caps[i] != CAP_NULL)
				cairn_cap_delete(cairn_ipcbuf()->caps[i]);
	return m.err || cairn_tag_label(m.tag) != ERR_SRCH;
}

/* PS_PROCINFO of pid into info; ERR_SRCH if the server does not know it.
 * The answer is checked as any client's request would be: the pid it is
 * about, the lengths, a NUL-ended comm. */
static err_t procinfo(uint32_t pid)
{
	static uint8_t buf[sizeof(info.pi) + POSIX_CMDLINE_MAX];
	uint64_t w[4];
	size_t n;
	err_t e;

	if ((e = ps_call(PS_PROCINFO, pid, w, buf, sizeof(buf), &n)))
		return e == ERR_SRCH ? ERR_SRCH : ERR_IO;
	if (n < sizeof(info.pi))
		return ERR_IO;
	memcpy(&info.pi, buf, sizeof(info.pi));
	if ((uint32_t)info.pi.pid != pid || info.pi.state > POSIX_PS_ZOMBIE ||
	    info.pi.argv_len > POSIX_CMDLINE_MAX || info.pi.argv_len > n - sizeof(info.pi))
		return ERR_IO;
	memcpy(info.args, buf + sizeof(info.pi), info.pi.argv_len);
	info.pi.comm[sizeof(info.pi.comm) - 1] = 0;
	return ERR_OK;
}

/* Every pid the server has (PS_PROCLIST, ascending), at most LIST_MAX,
 * and its counts (w[1..3]); false if it cannot be asked. */
static uint32_t pids[LIST_MAX];
static bool proclist(unsigned *count, uint64_t counts[4])
{
	uint64_t from = 1, w[4];
	unsigned n = 0;
	size_t got;

	memset(counts, 0, 4 * sizeof(uint64_t));
	for (unsigned round = 0; n < LIST_MAX && round < LIST_MAX; round++) {
		static uint32_t chunk[POSIX_INLINE_MAX / 4];
		uint64_t k;

		if (ps_call(PS_PROCLIST, from, w, chunk, sizeof(chunk), &got))
			return false;
		memcpy(counts, w, sizeof(w));
		k = w[0] < got / 4 ? w[0] : got / 4;
		if (!k)
			break;
		for (uint64_t i = 0; i < k && n < LIST_MAX; i++)
			if (chunk[i] >= from && chunk[i] && chunk[i] < PID_LIMIT)
				pids[n++] = chunk[i];
		if (chunk[k - 1] < from || chunk[k - 1] >= PID_LIMIT)
			break;                    /* not ascending: take what came */
		from = (uint64_t)chunk[k - 1] + 1;
	}
	*count = n;
	return true;
}

/* ---- the tree -------------------------------------------------------------------------- */

static size_t decimal(char *buf, uint64_t v)
{
	return (size_t)fmt_snprintf(buf, 24, "%lu", (unsigned long)v);
}

/* A pid's name: decimal digits, no leading zero, 1..PID_LIMIT - 1. */
static bool pid_name(const char *s, size_t len, uint32_t *pid)
{
	uint32_t v = 0;

	if (!len || len > 7 || s[0] == '0')
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint32_t)(s[i] - '0');
	}
	*pid = v;
	return v < PID_LIMIT;
}

static void pid_dir_remove(const char *name, size_t len)
{
	if (tmpfs_synth_find(proc_dir, name, len)) {
		tmpfs_synth_remove(&fs, proc_dir, name, len);
		npid_dirs--;
	}
}

static void fill(struct tmpfs *t, struct tmpfs_node *dir);

/* /proc/PID and its files, if not there yet. */
static err_t pid_dir_add(uint32_t pid, bool may_trim)
{
	struct tmpfs_node *d;
	char name[24];
	size_t len = decimal(name, pid);
	err_t e;

	if (tmpfs_synth_find(proc_dir, name, len))
		return ERR_OK;
	if (may_trim && npid_dirs >= PID_DIRS_MAX)
		fill(&fs, proc_dir);           /* those of pids that ended go first */
	if ((e = tmpfs_synth_add(&fs, proc_dir, name, len, TMPFS_S_IFDIR | 0555, 0,
				 SYNTH(K_PIDDIR, pid), NULL, 0, &d)))
		return e;
	npid_dirs++;
	for (unsigned i = 0; i < sizeof(pid_files) / sizeof(pid_files[0]); i++)
		if ((e = tmpfs_synth_add(&fs, d, pid_files[i].name, strlen(pid_files[i].name),
					 TMPFS_S_IFREG | 0444, TMPFS_F_SYNTH,
					 SYNTH(pid_files[i].kind, pid), NULL, 0, NULL))) {
			pid_dir_remove(name, len);
			return e;
		}
	return ERR_OK;
}

/* tmpfs's hook: name is about to be looked up in /proc (or /dev, dev.c's). */
static err_t lookup(struct tmpfs *t, struct tmpfs_node *dir, const char *name, size_t len)
{
	char buf[24];
	uint32_t pid;

	(void)t;
	if (dir != proc_dir)
		return dev_synth_lookup(dir);
	if (len == 4 && !memcmp(name, "self", 4) && self_link) {
		if (!procfs_caller || procfs_caller >= PID_LIMIT)
			return ERR_NOENT;
		return tmpfs_synth_relink(self_link, buf, decimal(buf, procfs_caller));
	}
	if (!pid_name(name, len, &pid))
		return ERR_OK;
	/* Who may see what (see the top of this file): every process may
	 * kill(pid, 0) every pid today, so nothing is hidden from anyone. */
	if (procinfo(pid) == ERR_OK)
		return pid_dir_add(pid, true);
	pid_dir_remove(name, len);
	return ERR_OK;
}

/* tmpfs's hook: /proc is about to be read: a directory per pid the
 * process server has, and no other (or /dev, dev.c's). */
static void fill(struct tmpfs *t, struct tmpfs_node *dir)
{
	uint64_t counts[4];
	unsigned n = 0;

	(void)t;
	if (dir != proc_dir) {
		dev_synth_fill(dir);
		return;
	}
	if (!proclist(&n, counts))
		n = 0;
	for (uint32_t i = proc_dir->u.dir.n; i-- > 0;) {
		const struct tmpfs_dentry *e;
		bool live = false;

		if (i >= proc_dir->u.dir.n)
			continue;
		e = &proc_dir->u.dir.ents[i];
		if (!(e->node->flags & TMPFS_F_RDONLY) || KIND(e->node) != K_PIDDIR)
			continue;
		for (unsigned j = 0; j < n && !live; j++)
			live = pids[j] == PID(e->node);
		if (!live)
			pid_dir_remove(e->name, e->len);
	}
	for (unsigned j = 0; j < n; j++)
		if (pid_dir_add(pids[j], false))
			break;                     /* out of memory: the rest are missing */
}

void procfs_init(void)
{
	struct tmpfs_node *n;
	err_t e;

	proc_ep = cairn_cap("proc");
	kinfo = cairn_cap("kinfo");
	fs.synth_lookup = lookup;          /* /dev's too: there even without /proc */
	fs.synth_fill = fill;
	e = tmpfs_mkdir(&fs, fs.root, "proc", 4, 0555);
	if ((e && e != ERR_EXIST) || !(n = tmpfs_synth_find(fs.root, "proc", 4)) || !tmpfs_is_dir(n)) {
		printf("vfs: no /proc (%s)\n", err_name(e ? e : ERR_NOTDIR));
		return;
	}
	proc_dir = n;
	n->mode = TMPFS_S_IFDIR | 0555;
	n->flags |= TMPFS_F_RDONLY | TMPFS_F_SYNTH;
	/* what the boot image put there stays, read-only too */
	for (uint32_t i = 0; i < n->u.dir.n; i++)
		n->u.dir.ents[i].node->flags |= TMPFS_F_RDONLY;
	for (unsigned i = 0; i < sizeof(top_files) / sizeof(top_files[0]); i++)
		tmpfs_synth_add(&fs, proc_dir, top_files[i].name, strlen(top_files[i].name),
				TMPFS_S_IFREG | 0444, TMPFS_F_SYNTH, SYNTH(top_files[i].kind, 0),
				NULL, 0, NULL);
	if (tmpfs_synth_add(&fs, proc_dir, "self", 4, TMPFS_S_IFLNK | 0777, 0, SYNTH(K_SELF, 0), "0", 1,
			    &self_link))
		self_link = NULL;
	net_ep = cairn_cap("net");
	if (net_ep != CAP_NULL &&
	    !tmpfs_synth_add(&fs, proc_dir, "net", 3, TMPFS_S_IFDIR | 0555, 0, SYNTH(K_NETDIR, 0), NULL, 0, &n))
		for (unsigned i = 0; i < sizeof(net_files) / sizeof(net_files[0]); i++)
			tmpfs_synth_add(&fs, n, net_files[i].name, strlen(net_files[i].name),
					TMPFS_S_IFREG | 0444, TMPFS_F_SYNTH, SYNTH(net_files[i].kind, 0), NULL, 0, NULL);
}

/* ---- the texts --------------------------------------------------------------------------- */

struct text {
	char *buf;
	size_t len, max;
};

static void put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->len + 1 >= t->max)
		return;
	va_start(ap, fmt);
	n = fmt_vsnprintf(t->buf + t->len, t->max - t->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		t->len = (size_t)n < t->max - t->len ? t->len + (size_t)n : t->max - 1;
}

static void put_bytes(struct text *t, const void *p, size_t n)
{
	if (n > t->max - 1 - t->len)
		n = t->max - 1 - t->len;
	memcpy(t->buf + t->len, p, n);
	t->len += n;
}

/* "N.NN": ns as seconds with two decimals */
static void put_secs(struct text *t, uint64_t ns)
{
	put(t, "%lu.%02lu", (unsigned long)(ns / 1000000000u),
	    (unsigned long)(ns % 1000000000u / 10000000u));
}

/* A meminfo line: the label padded to 16 columns, kB right-aligned in 8. */
static void put_kb(struct text *t, const char *label, uint64_t kb)
{
	put(t, "%-16s%8lu kB\n", label, (unsigned long)kb);
}

static void meminfo(struct text *t)
{
	static const char *const zero[] = {
		"Buffers:", "Cached:", "SwapCached:", "Active:", "Inactive:", "Active(anon):",
		"Inactive(anon):", "Active(file):", "Inactive(file):", "Unevictable:", "Mlocked:",
		"SwapTotal:", "SwapFree:", "Dirty:", "Writeback:", "AnonPages:", "Mapped:",
		"Shmem:", "KReclaimable:", "Slab:", "SReclaimable:", "SUnreclaim:",
		"KernelStack:", "PageTables:", "NFS_Unstable:", "Bounce:", "WritebackTmp:",
		"CommitLimit:", "Committed_AS:", "VmallocTotal:", "VmallocUsed:",
		"VmallocChunk:", "Percpu:",
	};
	uint64_t free_kb = 0, total_kb = 0;
	struct cairn_msg m;

	if (kinfo != CAP_NULL && !cairn_invoke(kinfo, KINFO_FREE_PAGES, 0, 0, 0, 0, 0, &m)) {
		free_kb = m.w[0] * (CAIRN_PAGE_SIZE / 1024);
		total_kb = m.w[1] * (CAIRN_PAGE_SIZE / 1024);
	}
	put_kb(t, "MemTotal:", total_kb);
	put_kb(t, "MemFree:", free_kb);
	put_kb(t, "MemAvailable:", free_kb);
	for (unsigned i = 0; i < sizeof(zero) / sizeof(zero[0]); i++)
		put_kb(t, zero[i], 0);
}

/* Cairn's own: the kernel's objects alive now by type (KINFO_OBJECTS), a
 * line each: the type, how many, their bytes; "quotas" first. For leak
 * hunts: what a workload left behind shows as a count that grew. */
static void kobjects(struct text *t)
{
	static const char *const names[OBJ_TYPE_COUNT] = {
		"quotas", "process", "aspace", "thread", "endpoint", "reply", "notification",
		"memobj", "irqline", "mmio", "timer", "irqctl", "mmioctl", "debugcons", "kinfo",
		"ioportctl", "ioport",
	};
	struct cairn_msg m;

	for (unsigned i = 0; i < OBJ_TYPE_COUNT; i++)
		if (kinfo != CAP_NULL && !cairn_invoke(kinfo, KINFO_OBJECTS, 0, i, 0, 0, 0, &m))
			put(t, "%-13s %8lu %10lu\n", names[i] ? names[i] : "?", (unsigned long)m.w[0],
			    (unsigned long)m.w[1]);
}

/* The reader (the caller, if it said who it is) is the running one: one
 * CPU runs every thread; the others wait for a message (sleeping). */
static unsigned running(void)
{
	return procfs_caller ? 1 : 0;
}

static void loadavg(struct text *t)
{
	uint64_t counts[4];
	unsigned n;

	if (!proclist(&n, counts))
		memset(counts, 0, sizeof(counts));
	put(t, "0.00 0.00 0.00 %u/%lu %lu\n", counts[1] ? running() : 0, (unsigned long)counts[1],
	    (unsigned long)counts[2]);
}

static void stat_cpu(struct text *t, const char *name)
{
	put(t, "%s 0 0 0 0 0 0 0 0 0 0\n", name);
}

static void stat_file(struct text *t)
{
	uint64_t counts[4], now = cairn_now_ns(), real = cairn_realtime_ns();
	unsigned n;

	if (!proclist(&n, counts))
		memset(counts, 0, sizeof(counts));
	stat_cpu(t, "cpu ");
	stat_cpu(t, "cpu0");
	put(t, "intr 0\nctxt 0\nbtime %lu\nprocesses %lu\nprocs_running %u\nprocs_blocked 0\n",
	    (unsigned long)((real - now) / 1000000000u), (unsigned long)counts[3],
	    counts[1] ? running() : 0);
	put(t, "softirq 0 0 0 0 0 0 0 0 0 0 0\n");
}

/* Linux's task state: the letter and its text. */
static const char *state_text(void)
{
	switch (info.pi.state) {
	case POSIX_PS_ZOMBIE: return "Z (zombie)";
	case POSIX_PS_STOPPED: return "T (stopped)";
	default: return (uint64_t)info.pi.pid == procfs_caller ? "R (running)" : "S (sleeping)";
	}
}

static uint64_t ticks(uint64_t ns)
{
	return ns / (1000000000u / USER_HZ);
}

static void pid_stat(struct text *t)
{
	const struct posix_procinfo *p = &info.pi;
	bool zombie = p->state == POSIX_PS_ZOMBIE;
	uint64_t mem = zombie ? 0 : p->mem_bytes;

	put(t, "%d (%s) %c %d %d %d 0 -1 0 0 0 0 0 0 0 0 0 20 0 %u 0 %lu %lu %lu "
	    "18446744073709551615 %u %u 0 0 0 %lu %lu %lu %lu 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 %d\n",
	    p->pid, p->comm, state_text()[0], p->ppid, p->pgid, p->sid, p->threads,
	    (unsigned long)ticks(p->start_ns), (unsigned long)mem,
	    (unsigned long)(mem / CAIRN_PAGE_SIZE), zombie ? 0 : 1, zombie ? 0 : 1,
	    (unsigned long)(p->pending & 0x7fffffffu), (unsigned long)(p->blocked & 0x7fffffffu),
	    (unsigned long)(p->ignored & 0x7fffffffu), (unsigned long)(p->caught & 0x7fffffffu),
	    zombie ? p->wstatus : 0);
}

static void status_kb(struct text *t, const char *label, uint64_t kb)
{
	put(t, "%s\t%8lu kB\n", label, (unsigned long)kb);
}

static void pid_status(struct text *t)
{
	const struct posix_procinfo *p = &info.pi;
	uint64_t kb = p->mem_bytes / 1024;

	put(t, "Name:\t");
	for (const char *c = p->comm; *c; c++)
		if (*c == '\n')
			put(t, "\\n");
		else if (*c == '\\')
			put(t, "\\\\");
		else
			put_bytes(t, c, 1);
	put(t, "\nState:\t%s\nTgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\nTracerPid:\t0\n"
	    "Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nFDSize:\t0\nGroups:\t \n"
	    "NStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\n",
	    state_text(), p->pid, p->pid, p->ppid, p->pid, p->pid, p->pgid, p->sid);
	if (p->state != POSIX_PS_ZOMBIE) {
		static const char *const mem_lines[] = {
			"VmPeak:", "VmSize:", "VmLck:", "VmPin:", "VmHWM:", "VmRSS:", "RssAnon:",
			"RssFile:", "RssShmem:", "VmData:", "VmStk:", "VmExe:", "VmLib:", "VmPTE:",
			"VmSwap:", "HugetlbPages:",
		};
		/* the one size known: what the process is charged for */
		for (unsigned i = 0; i < sizeof(mem_lines) / sizeof(mem_lines[0]); i++) {
			const char *l = mem_lines[i];
			bool is_mem = !strcmp(l, "VmPeak:") || !strcmp(l, "VmSize:") ||
				      !strcmp(l, "VmHWM:") || !strcmp(l, "VmRSS:") ||
				      !strcmp(l, "RssAnon:");
			status_kb(t, l, is_mem ? kb : 0);
		}
		put(t, "CoreDumping:\t0\nTHP_enabled:\t0\n");
	}
	put(t, "Threads:\t%u\nSigQ:\t%u/%u\nSigPnd:\t%016lx\nShdPnd:\t%016lx\nSigBlk:\t%016lx\n"
	    "SigIgn:\t%016lx\nSigCgt:\t%016lx\n",
	    p->threads, p->sigq, POSIX_SIGQUEUE_MAX, (unsigned long)p->pending, 0ul,
	    (unsigned long)p->blocked, (unsigned long)p->ignored, (unsigned long)p->caught);
	put(t, "CapInh:\t0000000000000000\nCapPrm:\t0000000000000000\nCapEff:\t0000000000000000\n"
	    "CapBnd:\t0000000000000000\nCapAmb:\t0000000000000000\nNoNewPrivs:\t0\nSeccomp:\t0\n"
	    "Seccomp_filters:\t0\nSpeculation_Store_Bypass:\tunknown\n"
	    "SpeculationIndirectBranch:\tunsupported\nCpus_allowed:\t1\nCpus_allowed_list:\t0\n"
	    "voluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n");
}

/* What the file of node n says now, into t; ENOENT for a pid that ended. */
static err_t make_text(const struct tmpfs_node *n, struct text *t)
{
	err_t e;

	switch (KIND(n)) {
	case K_MEMINFO:
		meminfo(t);
		return ERR_OK;
	case K_KOBJECTS:
		kobjects(t);
		return ERR_OK;
	case K_UPTIME:
		put_secs(t, cairn_now_ns());
		put(t, " 0.00\n");             /* idle time: not measured */
		return ERR_OK;
	case K_LOADAVG:
		loadavg(t);
		return ERR_OK;
	case K_STAT:
		stat_file(t);
		return ERR_OK;
	case K_CPUINFO: {
		int k = cairn_cpuinfo(t->buf + t->len, t->max - t->len, 0);
		if (k > 0)
			t->len = (size_t)k < t->max - t->len ? t->len + (size_t)k : t->max - 1;
		return ERR_OK;
	}
	case K_VERSION:
		/* uname's values (musl-port/src/cairn/proc.c) */
		put(t, "Cairn version %s (cairn@cairn) (gcc version %s) Cairn musl-port\n", CAIRN_RELEASE, __VERSION__);
		return ERR_OK;
	case K_MOUNTS:
		t->len += mount_text(t->buf + t->len, t->max - 1 - t->len);
		return ERR_OK;
	case K_NET_DEV: case K_NET_IF_INET6: case K_NET_ROUTE: case K_NET_TCP: case K_NET_TCP6:
	case K_NET_UDP: case K_NET_UDP6: case K_NET_UNIX: {
		uint64_t w[4], off = 0;
		size_t got = 0;

		/* the text a part a call, from where the last part ended */
		for (unsigned i = 0; i < sizeof(net_files) / sizeof(net_files[0]); i++)
			while (net_files[i].kind == KIND(n) && t->len + 1 < t->max &&
			       srv_call(net_ep, NET_PROCNET, net_files[i].which, off, w, t->buf + t->len,
					t->max - 1 - t->len, &got) == ERR_OK) {
				got = got < w[0] ? got : w[0];
				t->len += got;
				off += got;
				if (!got || off >= w[1])
					break;
			}
		return ERR_OK;
	}
	case K_FILESYSTEMS:
		/* the types mount(2) takes: busybox's mount without -t tries
		 * the ones without "nodev" (a disk's) in turn */
		put(t, "nodev\ttmpfs\nnodev\tproc\nnodev\tdevtmpfs\n\text2\n");
		return ERR_OK;
	case K_PID_STAT: case K_PID_STATUS: case K_PID_CMDLINE: case K_PID_COMM:
		if ((e = procinfo(PID(n))))
			return e == ERR_SRCH ? ERR_NOENT : e;
		break;
	default:
		return ERR_NOENT;
	}
	switch (KIND(n)) {
	case K_PID_STAT:
		pid_stat(t);
		break;
	case K_PID_STATUS:
		pid_status(t);
		break;
	case K_PID_CMDLINE:                    /* a zombie's memory is gone: none */
		if (info.pi.state != POSIX_PS_ZOMBIE)
			put_bytes(t, info.args, info.pi.argv_len);
		break;
	default:
		put(t, "%s\n", info.pi.comm);
		break;
	}
	return ERR_OK;
}

err_t procfs_snapshot(const struct tmpfs_node *n, uint8_t **out, uint32_t *len)
{
	static char buf[TEXT_MAX];
	struct text t = { buf, 0, sizeof(buf) };
	err_t e;

	if ((e = make_text(n, &t)))
		return e;
	if (!(*out = tmpfs_alloc(t.len ? t.len : 1)))
		return ERR_NOMEM;
	memcpy(*out, buf, t.len);
	*len = (uint32_t)t.len;
	return ERR_OK;
}
