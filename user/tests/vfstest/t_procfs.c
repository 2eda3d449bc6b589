/* SPDX-License-Identifier: MIT */
/*
 * /proc (user/servers/vfs/procfs.c) through the protocol, with a fake
 * process server: a peer (this program, mode "fakeproc") that receives on
 * the endpoint the manifest gives the VFS as "proc" and answers
 * PS_PROCLIST and PS_PROCINFO with numbers the tests know, or with
 * broken answers. The tests check the exact text the VFS makes of the
 * numbers (Linux 6.1's formats), the directory's life (pids come and go),
 * /proc/self by the pid in w3, the read-only rules, and that no answer of
 * the process server makes the VFS fail or leak.
 *
 * The VFS waits for the process server when it asks (procfs.c): every
 * test that touches /proc/PID, readdir of /proc, loadavg or stat runs
 * while the fake runs; the last one removes every /proc/PID (an empty
 * list) and ends it.
 */
#include <format.h>
#include <stdlib.h>
#include "vfstest.h"

/* s occurs in text (no strstr in lib/string.c) */
static const char *in_text(const char *text, const char *s)
{
	size_t n = strlen(s);

	for (; *text; text++)
		if (!strncmp(text, s, n))
			return text;
	return NULL;
}

static cap_t fake_ep = CAP_NULL, fake_note = CAP_NULL;
static struct cairn_child fake_child;
static bool fake_running;

/* ---- the fake server (the peer's side) ---------------------------------------------------- */

void fake_info(uint32_t pid, struct posix_procinfo *pi, char *args, uint32_t *args_len)
{
	static const char a[] = "fake\0-x\0";

	memset(pi, 0, sizeof(*pi));
	pi->pid = (int32_t)pid;
	pi->ppid = 1;
	pi->pgid = (int32_t)pid;
	pi->sid = 1;
	pi->state = pid == 9 ? POSIX_PS_ZOMBIE : pid == 7 ? POSIX_PS_STOPPED : POSIX_PS_RUNNING;
	pi->threads = 1;
	pi->wstatus = pid == 9 ? 0x0700 : 0;
	pi->sigq = 2;
	pi->start_ns = 1234567890ull;                  /* 123 ticks of 10 ms */
	pi->mem_bytes = 40960;                         /* 10 pages */
	pi->pending = 1ull << 1;                       /* SIGINT */
	pi->blocked = 1ull << 9;                       /* SIGUSR1 */
	pi->ignored = 1ull << 12;                      /* SIGPIPE */
	pi->caught = 1ull << 1 | 1ull << 40;           /* SIGINT, signal 41 */
	if (pid == 6)
		memcpy(pi->comm, "a\\b\nc", 6);        /* escaped in status */
	else
		fmt_snprintf(pi->comm, sizeof(pi->comm), "fake%u", pid);
	memcpy(args, a, sizeof(a) - 1);
	*args_len = sizeof(a) - 1;
}

int fakeproc_main(cap_t ep)
{
	static uint32_t pids[64];
	static uint8_t out[POSIX_INLINE_MAX];
	unsigned mode = FAKE_NORMAL, npids = 0;
	struct cairn_msg m = cairn_recv(ep, 0);

	for (;;) {
		uint32_t label = cairn_tag_label(m.tag);
		uint64_t w[4] = { 0, 0, 0, 0 };
		size_t n = 0, inl = cairn_tag_len(m.tag) > CAIRN_MSG_REGS ?
				      (cairn_tag_len(m.tag) - CAIRN_MSG_REGS) * 8u : 0;
		err_t e = ERR_OK;
		unsigned ncaps = 0;

		if (m.err) {
			m = cairn_recv(ep, 0);
			continue;
		}
		if (label == FAKE_SET) {
			mode = (unsigned)m.w[0];
			npids = (unsigned)(m.w[1] < 64 ? m.w[1] : 64);
			if (npids * 4 > inl)
				npids = (unsigned)(inl / 4);
			memcpy(pids, &cairn_ipcbuf()->w[CAIRN_MSG_REGS], npids * 4);
		} else if (label == FAKE_QUIT) {
			cairn_reply(cairn_tag(0, CAIRN_MSG_REGS, 0), 0, 0, 0, 0);
			return 0;
		} else if (mode == FAKE_ERROR) {
			e = ERR_IO;
		} else if (label == PS_PROCLIST) {
			uint32_t *o = (uint32_t *)out;
			if (mode == FAKE_BAD_LIST) {
				static const uint32_t bad[] = { 5, 3, 0, 4000000000u, 5 };
				memcpy(o, bad, sizeof(bad));
				w[0] = 5;
			} else {
				for (unsigned i = 0; i < npids; i++)
					if (pids[i] >= m.w[0])
						o[w[0]++] = pids[i];
			}
			n = w[0] * 4;
			if (mode == FAKE_BIG_LIST)
				w[0] = 100000;
			w[1] = npids;
			w[2] = 42;
			w[3] = 77;
		} else if (label == PS_PROCINFO) {
			struct posix_procinfo pi;
			uint32_t alen = 0;
			bool known = false;

			for (unsigned i = 0; i < npids; i++)
				known |= pids[i] == m.w[0];
			if (!known || mode == FAKE_NO_INFO) {
				e = ERR_SRCH;
			} else {
				fake_info((uint32_t)m.w[0], &pi, (char *)out + sizeof(pi), &alen);
				pi.argv_len = alen;
				if (mode == FAKE_WRONG_PID)
					pi.pid++;
				if (mode == FAKE_ARGV_LEN)
					pi.argv_len = 5000;
				if (mode == FAKE_COMM)
					memcpy(pi.comm, "0123456789abcdefXYZ", sizeof(pi.comm));
				if (mode == FAKE_BAD_STATE)
					pi.state = 99;
				memcpy(out, &pi, sizeof(pi));
				n = mode == FAKE_SHORT ? 8 : sizeof(pi) + alen;
				if (mode == FAKE_WITH_CAP) {
					cairn_ipcbuf()->caps[0] = ep;
					ncaps = 1;
				}
			}
		} else {
			e = ERR_NOSYS;
		}
		if (!e)
			memcpy(&cairn_ipcbuf()->w[CAIRN_MSG_REGS], out, n);
		m = cairn_reply_recv(ep, cairn_tag((uint32_t)e, e ? CAIRN_MSG_REGS : posix_words(n), e ? 0 : ncaps),
				     w[0], w[1], w[2], w[3]);
	}
}

/* ---- the tests' side ----------------------------------------------------------------------- */

static err_t fake_set(unsigned mode, const uint32_t *pids, unsigned npids)
{
	return vcall(fake_ep, FAKE_SET, mode, npids, 0, 0, pids, npids * 4u, CAP_NULL).err;
}

/* Starts the fake (once; it runs until t_procfs_end). */
static bool fake_start(void)
{
	if (fake_running)
		return true;
	fake_ep = cairn_cap("fakeproc");
	if (fake_ep == CAP_NULL || (fake_note = mk_notification()) == CAP_NULL)
		return false;
	if (peer_start_rights("fakeproc", "0", fake_ep, RIGHT_READ | RIGHT_WRITE, CAP_NULL, fake_note,
			      &fake_child))
		return false;
	fake_running = true;
	return fake_set(FAKE_NORMAL, NULL, 0) == ERR_OK;
}

/* FS_OPEN with w3 = caller (the pid /proc/self is). */
static err_t popen_as(const char *path, uint64_t caller, uint32_t flags, cap_t *out)
{
	size_t len = strlen(path);
	struct vres r = vcall(v_root, FS_OPEN, flags, 0, len, caller, path, len, CAP_NULL);

	*out = CAP_NULL;
	if (r.err)
		return r.err;
	if (r.ncaps != 1)
		return ERR_IO;
	*out = r.caps[0];
	return ERR_OK;
}

/* The whole text of a /proc file (NUL-terminated) into buf. */
static err_t ptext_as(const char *path, uint64_t caller, char *buf, size_t max, size_t *len)
{
	cap_t f;
	size_t n, got = 0;
	err_t e;

	if ((e = popen_as(path, caller, LINUX_O_RDONLY, &f)))
		return e;
	while (got < max - 1 && !(e = io_read(f, buf + got, max - 1 - got, &n)) && n)
		got += n;
	buf[got] = 0;
	io_close(&f);
	if (len)
		*len = got;
	return e;
}

static err_t ptext(const char *path, char *buf, size_t max)
{
	return ptext_as(path, 0, buf, max, NULL);
}

/* The names of a directory, each followed by '/', in order: "a/b/c/". */
static err_t names(const char *path, char *out, size_t max)
{
	uint8_t buf[POSIX_INLINE_MAX];
	uint64_t cookie = 0, next;
	size_t n, used = 0;
	cap_t d;
	err_t e;

	out[0] = 0;
	if ((e = fs_open(v_root, path, LINUX_O_RDONLY | LINUX_O_DIRECTORY, 0, &d)))
		return e;
	while (!(e = io_readdir(d, cookie, sizeof(buf), buf, &next, &n)) && n) {
		for (size_t pos = 0; pos + 19 < n;) {
			uint16_t rl;
			const char *name = (const char *)buf + pos + 19;
			size_t k = strlen(name);

			memcpy(&rl, buf + pos + 16, 2);
			if (!rl || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
				pos += rl ? rl : n;
				continue;
			}
			if (used + k + 2 > max)
				return ERR_RANGE;
			memcpy(out + used, name, k);
			used += k;
			out[used++] = '/';
			out[used] = 0;
			pos += rl;
		}
		cookie = next;
	}
	io_close(&d);
	return e;
}

void t_procfs_static(void)
{
	char text[4096], *l;
	struct posix_stat st;
	struct cairn_msg m;
	cap_t f;
	uint64_t total_kb, free_kb, pos;
	unsigned long v;
	size_t n;

	/* the directory and its files, read-only */
	CHECK_OK(fs_stat(v_root, "/proc", 0, &st));
	CHECK(st.mode == (TMPFS_S_IFDIR | 0555) && st.dev == TMPFS_DEV_RDONLY, "/proc: mode %lo dev %lu",
	      (unsigned long)st.mode, (unsigned long)st.dev);
	CHECK_OK(fs_stat(v_root, "/proc/meminfo", 0, &st));
	CHECK(st.mode == (TMPFS_S_IFREG | 0444) && st.size == 0, "meminfo: mode %lo", (unsigned long)st.mode);
	{
		struct vres r = vcall(v_root, FS_STAT, LINUX_AT_SYMLINK_NOFOLLOW, 0, 10, 42, "/proc/self", 10,
				      CAP_NULL);
		CHECK_OK(r.err);
		memcpy(&st, vbytes(), sizeof(st));
		CHECK(st.mode == (TMPFS_S_IFLNK | 0777) && st.size == 2, "self: mode %lo",
		      (unsigned long)st.mode);
	}
	CHECK_ERR(fs_stat(v_root, "/proc/self", LINUX_AT_SYMLINK_NOFOLLOW, &st), ERR_NOENT);
	/* meminfo: the kernel's page counts (KINFO_FREE_PAGES), Linux's layout */
	CHECK_OK(ptext("/proc/meminfo", text, sizeof(text)));
	CHECK_OK(cairn_invoke(v_kinfo, KINFO_FREE_PAGES, 0, 0, 0, 0, 0, &m));
	total_kb = m.w[1] * 4;
	free_kb = m.w[0] * 4;
	CHECK(!strncmp(text, "MemTotal:       ", 16) && (uint64_t)strtoul(text + 16, NULL, 10) == total_kb &&
	      !strncmp(text + 24, " kB\nMemFree:        ", 20), "meminfo: %.60s", text);
	v = strtoul(text + 44, NULL, 10);
	CHECK(v <= free_kb + 64 && v + 64 >= free_kb, "MemFree %lu, kinfo %lu", v, (unsigned long)free_kb);
	n = 0;
	for (l = text; *l; l = strchr(l, '\n') + 1, n++)
		CHECK(strlen(l) > 27 && l[27] == '\n' && !strncmp(l + 24, " kB", 3), "line %zu: %.30s", n, l);
	CHECK(n == 36, "%zu lines", n);
	/* uptime: two numbers with two decimals; idle 0.00 */
	CHECK_OK(ptext("/proc/uptime", text, sizeof(text)));
	l = strchr(text, ' ');
	CHECK(l && l - text >= 4 && l[-3] == '.' && !strcmp(l, " 0.00\n"), "uptime: %s", text);
	CHECK_OK(ptext("/proc/version", text, sizeof(text)));
	CHECK(!strncmp(text, "Cairn version ", 14), "version: %s", text);
	CHECK_OK(ptext("/proc/mounts", text, sizeof(text)));
	CHECK(!strcmp(text, "rootfs / tmpfs rw 0 0\nproc /proc proc ro 0 0\nshm /dev/shm tmpfs rw 0 0\n"
		     "mqueue /dev/mqueue mqueue rw 0 0\n"),
	      "mounts: %s", text);
	CHECK_OK(ptext("/proc/cpuinfo", text, sizeof(text)));
	CHECK(!strncmp(text, "processor\t: 0\n", 14) && in_text(text, "\n\n"), "cpuinfo: %s", text);

	/* /proc/self: the pid in w3; none (0) is ENOENT */
	CHECK_ERR(fs_readlink_as(v_root, "/proc/self", 0, text, sizeof(text)), ERR_NOENT);
	CHECK_OK(fs_readlink_as(v_root, "/proc/self", 1234, text, sizeof(text)));
	CHECK(!strcmp(text, "1234"), "self -> %s", text);
	CHECK_OK(fs_readlink_as(v_root, "/proc/self", 7, text, sizeof(text)));
	CHECK(!strcmp(text, "7"), "self -> %s", text);
	CHECK_ERR(fs_readlink_as(v_root, "/proc/self", 1ull << 40, text, sizeof(text)), ERR_NOENT);
	/* without the fake yet: no process is known, /proc/PID is ENOENT */

	/* nothing changes */
	CHECK_ERR(fs_open(v_root, "/proc/meminfo", LINUX_O_WRONLY, 0, &f), ERR_ACCES);
	CHECK_ERR(fs_open(v_root, "/proc/meminfo", LINUX_O_RDWR, 0, &f), ERR_ACCES);
	CHECK_ERR(fs_open(v_root, "/proc/meminfo", LINUX_O_RDONLY | LINUX_O_TRUNC, 0, &f), ERR_ACCES);
	CHECK_ERR(fs_open(v_root, "/proc/x", LINUX_O_RDWR | LINUX_O_CREAT, 0644, &f), ERR_ACCES);
	CHECK_ERR(fs_mkdir(v_root, "/proc/x", 0755), ERR_ROFS);
	CHECK_ERR(fs_unlink(v_root, "/proc/meminfo", 0), ERR_ROFS);
	CHECK_ERR(fs_unlink(v_root, "/proc", LINUX_AT_REMOVEDIR), ERR_BUSY);
	CHECK_ERR(fs_rename(v_root, "/proc", CAP_NULL, "/tmp/p", 0), ERR_BUSY);
	CHECK_ERR(fs_mkdir(v_root, "/tmp/p", 0755), ERR_OK);
	CHECK_ERR(fs_rename(v_root, "/tmp/p", CAP_NULL, "/proc", 0), ERR_BUSY);
	CHECK_ERR(fs_rename(v_root, "/tmp/p", CAP_NULL, "/proc", LINUX_RENAME_EXCHANGE), ERR_BUSY);
	CHECK_ERR(fs_unlink(v_root, "/tmp/p", LINUX_AT_REMOVEDIR), ERR_OK);
	CHECK_ERR(fs_symlink(v_root, "/tmp", "/proc/x"), ERR_ROFS);
	CHECK_ERR(fs_rename(v_root, "/proc/meminfo", CAP_NULL, "/proc/x", 0), ERR_ROFS);
	CHECK_ERR(fs_rename(v_root, "/proc/meminfo", CAP_NULL, "/tmp/x", 0), ERR_XDEV);
	CHECK_ERR(fs_link(v_root, "/proc/meminfo", CAP_NULL, "/tmp/x", 0), ERR_XDEV);
	CHECK_ERR(fs_chmod(v_root, "/proc/meminfo", 0666, 0), ERR_ROFS);
	CHECK_ERR(fs_chmod(v_root, "/proc", 0777, 0), ERR_ROFS);
	CHECK_ERR(fs_truncate(v_root, "/proc/meminfo", 0), ERR_ROFS);
	CHECK_ERR(fs_access(v_root, "/proc/meminfo", 2, 0), ERR_ACCES);
	CHECK_OK(fs_access(v_root, "/proc/meminfo", 4, 0));
	{
		int64_t t[4] = { 0, LINUX_UTIME_NOW, 0, LINUX_UTIME_NOW };
		CHECK_ERR(fs_utimens(v_root, "/proc/meminfo", 0, t), ERR_ROFS);
	}
	/* an open file: its text at open; no writing, no SEEK_END */
	CHECK_OK(fs_open(v_root, "/proc/mounts", LINUX_O_RDONLY, 0, &f));
	CHECK_ERR(io_write(f, "x", 1, &n), ERR_BADF);
	CHECK_ERR(io_truncate(f, 0), ERR_INVAL);
	CHECK_ERR(io_seek(f, 0, POSIX_SEEK_END, &pos), ERR_INVAL);
	CHECK_ERR(io_seek(f, 0, 3, &pos), ERR_INVAL);
	CHECK_ERR(io_seek(f, -1, POSIX_SEEK_SET, &pos), ERR_INVAL);
	CHECK_OK(io_seek(f, 7, POSIX_SEEK_SET, &pos));
	CHECK_OK(io_read(f, text, 3, &n));
	CHECK(n == 3 && !memcmp(text, "/ t", 3), "at 7: %.3s", text);
	CHECK_OK(io_pread(f, text, 100, 1000, &n));
	CHECK(n == 0, "past the end: %zu", n);
	CHECK_OK(io_pread(f, text, 5, 0, &n));
	CHECK(n == 5 && !memcmp(text, "rootf", 5), "pread");
	CHECK_OK(io_stat(f, &st));
	CHECK(st.size == 0 && st.dev == TMPFS_DEV_RDONLY, "fstat");
	CHECK_OK(io_close(&f));
	/* O_PATH: no text made, nothing to read */
	CHECK_OK(fs_open(v_root, "/proc/meminfo", LINUX_O_PATH, 0, &f));
	CHECK_ERR(io_read(f, text, 10, &n), ERR_BADF);
	CHECK_OK(io_close(&f));
}

static const char status_head[] =
	"Name:\tfake5\nState:\tS (sleeping)\nTgid:\t5\nNgid:\t0\nPid:\t5\nPPid:\t1\n"
	"TracerPid:\t0\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nFDSize:\t0\nGroups:\t \n"
	"NStgid:\t5\nNSpid:\t5\nNSpgid:\t5\nNSsid:\t1\nVmPeak:\t      40 kB\nVmSize:\t      40 kB\n";

void t_procfs_processes(void)
{
	static const uint32_t pids[] = { 5, 6, 7, 9 };
	char text[4096], list[512];
	struct posix_stat st;
	cap_t f, d;
	size_t n;

	CHECK(fake_start(), "cannot start the fake process server");
	CHECK_OK(fake_set(FAKE_NORMAL, pids, 4));
	/* readdir: a directory per pid, after the files */
	CHECK_OK(names("/proc", list, sizeof(list)));
	CHECK(!strcmp(list, "meminfo/uptime/loadavg/stat/cpuinfo/version/mounts/filesystems/kobjects/self/5/6/7/9/"), "%s", list);
	CHECK_OK(names("/proc/5", list, sizeof(list)));
	CHECK(!strcmp(list, "stat/status/cmdline/comm/"), "%s", list);
	CHECK_OK(fs_stat(v_root, "/proc/5", 0, &st));
	CHECK(st.mode == (TMPFS_S_IFDIR | 0555), "mode %lo", (unsigned long)st.mode);

	/* stat: Linux 6.1's 52 fields of these numbers; the caller's own is R */
	CHECK_OK(ptext("/proc/5/stat", text, sizeof(text)));
	CHECK(!strcmp(text, "5 (fake5) S 1 5 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 123 40960 10 "
			    "18446744073709551615 1 1 0 0 0 2 512 4096 2 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n"),
	      "%s", text);
	CHECK_OK(ptext_as("/proc/self/stat", 5, text, sizeof(text), NULL));
	CHECK(!strncmp(text, "5 (fake5) R 1 5 1 ", 18), "%s", text);
	CHECK_OK(ptext("/proc/7/stat", text, sizeof(text)));
	CHECK(!strncmp(text, "7 (fake7) T ", 12), "%s", text);
	CHECK_OK(ptext("/proc/9/stat", text, sizeof(text)));
	CHECK(!strcmp(text, "9 (fake9) Z 1 9 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 123 0 0 "
			    "18446744073709551615 0 0 0 0 0 2 512 4096 2 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 1792\n"),
	      "%s", text);
	/* cmdline, comm (a zombie has no arguments: its memory is gone) */
	CHECK_OK(ptext_as("/proc/5/cmdline", 0, text, sizeof(text), &n));
	CHECK(n == 8 && !memcmp(text, "fake\0-x\0", 8), "cmdline: %zu bytes", n);
	CHECK_OK(ptext("/proc/5/comm", text, sizeof(text)));
	CHECK(!strcmp(text, "fake5\n"), "comm: %s", text);
	CHECK_OK(ptext_as("/proc/9/cmdline", 0, text, sizeof(text), &n));
	CHECK(n == 0, "zombie cmdline: %zu bytes", n);

	/* status: Linux's lines, in order */
	CHECK_OK(ptext("/proc/5/status", text, sizeof(text)));
	CHECK(!strncmp(text, status_head, sizeof(status_head) - 1), "%.200s", text);
	CHECK(in_text(text, "\nVmRSS:\t      40 kB\nRssAnon:\t      40 kB\nRssFile:\t       0 kB\n") &&
	      in_text(text, "\nThreads:\t1\nSigQ:\t2/32\nSigPnd:\t0000000000000002\nShdPnd:\t0000000000000000\n"
			   "SigBlk:\t0000000000000200\nSigIgn:\t0000000000001000\nSigCgt:\t0000010000000002\n") &&
	      in_text(text, "\nvoluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n"),
	      "%s", text);
	CHECK_OK(ptext("/proc/9/status", text, sizeof(text)));
	CHECK(in_text(text, "\nState:\tZ (zombie)\n") && !in_text(text, "VmRSS"), "%s", text);
	CHECK_OK(ptext("/proc/7/status", text, sizeof(text)));
	CHECK(in_text(text, "\nState:\tT (stopped)\n"), "%s", text);
	/* Name: as Linux escapes it (a backslash, a newline) */
	CHECK_OK(ptext("/proc/6/status", text, sizeof(text)));
	CHECK(!strncmp(text, "Name:\ta\\\\b\\nc\nState:", 20), "%.30s", text);
	CHECK_OK(ptext("/proc/6/stat", text, sizeof(text)));
	CHECK(!strncmp(text, "6 (a\\b\nc) S ", 12), "%.20s", text);

	/* loadavg and stat: the server's counts (last pid 42, 77 made) */
	CHECK_OK(ptext_as("/proc/loadavg", 5, text, sizeof(text), NULL));
	CHECK(!strcmp(text, "0.00 0.00 0.00 1/4 42\n"), "%s", text);
	CHECK_OK(ptext("/proc/stat", text, sizeof(text)));
	CHECK(!strncmp(text, "cpu  0 0 0 0 0 0 0 0 0 0\ncpu0 0 0 0 0 0 0 0 0 0 0\nintr 0\nctxt 0\nbtime ", 67) &&
	      in_text(text, "\nprocesses 77\nprocs_running 0\nprocs_blocked 0\nsoftirq 0 0 0 0 0 0 0 0 0 0 0\n"),
	      "%s", text);

	/* a pid that ends: its directory goes at the next look (path or readdir) */
	CHECK_OK(fs_open(v_root, "/proc/6", LINUX_O_RDONLY | LINUX_O_DIRECTORY, 0, &d));
	CHECK_OK(popen_as("/proc/7/status", 0, LINUX_O_RDONLY, &f));
	CHECK_OK(fake_set(FAKE_NORMAL, pids, 2));          /* 5 and 6 */
	CHECK_ERR(ptext("/proc/7/stat", text, sizeof(text)), ERR_NOENT);
	CHECK_OK(io_read(f, text, 20, &n));                /* opened before: its text stays */
	CHECK(n == 20 && !memcmp(text, "Name:\tfake7\nState:\tT", 20), "%.20s", text);
	CHECK_OK(io_close(&f));
	CHECK_OK(names("/proc", list, sizeof(list)));
	CHECK(!strcmp(list, "meminfo/uptime/loadavg/stat/cpuinfo/version/mounts/filesystems/kobjects/self/5/6/"), "%s", list);
	CHECK_OK(fake_set(FAKE_NORMAL, pids, 1));          /* 5 */
	CHECK_OK(names("/proc", list, sizeof(list)));
	CHECK(!strcmp(list, "meminfo/uptime/loadavg/stat/cpuinfo/version/mounts/filesystems/kobjects/self/5/"), "%s", list);
	/* the directory held open: removed, empty, its files ENOENT */
	{
		struct vres r = vcall(d, FS_OPEN, LINUX_O_RDONLY, 0, 4, 0, "stat", 4, CAP_NULL);
		CHECK_ERR(r.err, ERR_NOENT);
	}
	CHECK_OK(io_close(&d));
	/* listed, then gone before the open: ENOENT */
	CHECK_OK(fake_set(FAKE_NO_INFO, pids, 4));
	CHECK_OK(names("/proc", list, sizeof(list)));
	CHECK(!strcmp(list, "meminfo/uptime/loadavg/stat/cpuinfo/version/mounts/filesystems/kobjects/self/5/6/7/9/"), "%s", list);
	CHECK_ERR(ptext("/proc/6/stat", text, sizeof(text)), ERR_NOENT);
	CHECK_ERR(fs_stat(v_root, "/proc/9", 0, &st), ERR_NOENT);
	CHECK_OK(fake_set(FAKE_NORMAL, NULL, 0));
	CHECK_OK(names("/proc", list, sizeof(list)));
	CHECK(!strcmp(list, "meminfo/uptime/loadavg/stat/cpuinfo/version/mounts/filesystems/kobjects/self/"), "%s", list);
	/* names that are no pid are not asked about */
	CHECK_ERR(fs_stat(v_root, "/proc/05", 0, &st), ERR_NOENT);
	CHECK_ERR(fs_stat(v_root, "/proc/0", 0, &st), ERR_NOENT);
	CHECK_ERR(fs_stat(v_root, "/proc/99999999", 0, &st), ERR_NOENT);
	CHECK_ERR(fs_stat(v_root, "/proc/5x", 0, &st), ERR_NOENT);
}

/* Every broken answer: the VFS says ENOENT (or what it can), never fails. */
void t_procfs_bad_server(void)
{
	static const uint32_t pids[] = { 5, 6 };
	char text[4096], list[512];
	size_t n;

	CHECK(fake_start(), "cannot start the fake process server");
	static const unsigned gone[] = { FAKE_SHORT, FAKE_WRONG_PID, FAKE_ARGV_LEN, FAKE_BAD_STATE,
					 FAKE_NO_INFO };
	for (unsigned i = 0; i < sizeof(gone) / sizeof(gone[0]); i++) {
		CHECK_OK(fake_set(gone[i], pids, 2));
		CHECK_ERR(ptext("/proc/5/stat", text, sizeof(text)), ERR_NOENT);
		CHECK_ERR(ptext_as("/proc/self/status", 6, text, sizeof(text), NULL), ERR_NOENT);
	}
	/* a comm without its NUL: 15 bytes of it */
	CHECK_OK(fake_set(FAKE_COMM, pids, 2));
	CHECK_OK(ptext("/proc/5/comm", text, sizeof(text)));
	CHECK(!strcmp(text, "0123456789abcde\n"), "%s", text);
	/* a capability with the answer is not kept (the fake sends its endpoint) */
	CHECK_OK(fake_set(FAKE_WITH_CAP, pids, 2));
	for (int i = 0; i < 50; i++)
		CHECK_OK(ptext("/proc/5/comm", text, sizeof(text)));
	CHECK(!strcmp(text, "fake5\n"), "%s", text);
	/* lists: a count above the bytes, unsorted, zero, huge, repeated pids */
	CHECK_OK(fake_set(FAKE_BIG_LIST, pids, 2));
	CHECK_OK(names("/proc", list, sizeof(list)));
	CHECK(!strcmp(list, "meminfo/uptime/loadavg/stat/cpuinfo/version/mounts/filesystems/kobjects/self/5/6/"), "%s", list);
	CHECK_OK(fake_set(FAKE_BAD_LIST, pids, 2));
	CHECK_OK(names("/proc", list, sizeof(list)));
	CHECK(!strcmp(list, "meminfo/uptime/loadavg/stat/cpuinfo/version/mounts/filesystems/kobjects/self/5/3/"), "%s", list);
	/* every answer an error: no processes, counts 0 */
	CHECK_OK(fake_set(FAKE_ERROR, pids, 2));
	CHECK_OK(names("/proc", list, sizeof(list)));
	CHECK(!strcmp(list, "meminfo/uptime/loadavg/stat/cpuinfo/version/mounts/filesystems/kobjects/self/"), "%s", list);
	CHECK_ERR(ptext("/proc/5/stat", text, sizeof(text)), ERR_NOENT);
	CHECK_OK(ptext_as("/proc/loadavg", 5, text, sizeof(text), &n));
	CHECK(!strcmp(text, "0.00 0.00 0.00 0/0 0\n"), "%s", text);
	CHECK_OK(fake_set(FAKE_NORMAL, NULL, 0));
}

/* The fake ends; nothing of /proc/PID is left (vfs.no_leaks counts). */
void t_procfs_end(void)
{
	char list[512];
	int64_t st;

	CHECK(fake_start(), "cannot start the fake process server");
	CHECK_OK(fake_set(FAKE_NORMAL, NULL, 0));
	CHECK_OK(names("/proc", list, sizeof(list)));
	CHECK(!strcmp(list, "meminfo/uptime/loadavg/stat/cpuinfo/version/mounts/filesystems/kobjects/self/"), "%s", list);
	CHECK_OK(vcall(fake_ep, FAKE_QUIT, 0, 0, 0, 0, NULL, 0, CAP_NULL).err);
	st = peer_wait(&fake_child, fake_note, 2000);
	fake_running = false;
	del(&fake_note);
	CHECK(st == 0, "fake: status %ld", (long)st);
}
