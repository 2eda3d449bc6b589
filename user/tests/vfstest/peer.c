/* SPDX-License-Identifier: MIT */
/*
 * The other end of vfstest's pipe tests: vfstest started again as
 *     <name> peer <mode> <arg>
 * with the capabilities console, kinfo and obj (a pipe end or file). The
 * modes (each ends with an exit status the test checks):
 *   write-after MS     sleeps MS ms, writes "ping" to obj, sleeps MS ms
 *                      again, closes obj; exits 0
 *   read-block N       reads up to N bytes from obj (waiting as long as it
 *                      takes); exits with the count, or 1000 + the error
 *   write-block N      writes N bytes of 'w' to obj; exits with the count
 *                      written, or 1000 + the error
 *   read-after MS      sleeps MS ms, then reads obj until 8000 bytes came
 *                      or an error; exits with the count
 *   pong N             N times: reads a byte from obj, writes it to obj2
 *                      (the pipe benchmark); exits 0
 *   fakeproc 0         a process server for the VFS's /proc (t_procfs.c):
 *                      receives on obj (an endpoint), answers PS_PROCLIST
 *                      and PS_PROCINFO as FAKE_SET last said, until
 *                      FAKE_QUIT; exits 0
 * Each closes obj (IO_CLOSE) before it exits (fakeproc: not a VFS object).
 */
#include <lib/cpio.h>
#include <stdlib.h>
#include "vfstest.h"

static uint64_t num(const char *s)
{
	return strtoul(s, NULL, 10);
}

int peer_main(int argc, char **argv)
{
	cap_t obj = cairn_cap("obj");
	static char buf[POSIX_INLINE_MAX];
	size_t n, total = 0;
	err_t e;

	v_kinfo = cairn_cap("kinfo");
	if (argc < 4 || obj == CAP_NULL)
		return 999;
	if (!strcmp(argv[2], "write-after")) {
		sleep_ms((unsigned)num(argv[3]));
		if ((e = io_write(obj, "ping", 4, &n)))
			return 1000 + e;
		sleep_ms((unsigned)num(argv[3]));
		io_close(&obj);
		return 0;
	}
	if (!strcmp(argv[2], "read-block")) {
		e = io_read(obj, buf, num(argv[3]), &n);
		io_close(&obj);
		return e ? 1000 + e : (int)n;
	}
	if (!strcmp(argv[2], "write-block")) {
		memset(buf, 'w', sizeof(buf));
		e = io_write(obj, buf, num(argv[3]), &n);
		io_close(&obj);
		return e ? 1000 + e : (int)n;
	}
	if (!strcmp(argv[2], "read-after")) {
		sleep_ms((unsigned)num(argv[3]));
		while (total < 8000) {
			if (io_read(obj, buf, 8000 - total > sizeof(buf) ? sizeof(buf) : 8000 - total, &n) || !n)
				break;
			total += n;
		}
		io_close(&obj);
		return (int)total;
	}
	if (!strcmp(argv[2], "fakeproc"))
		return fakeproc_main(obj);
	if (!strcmp(argv[2], "pong")) {
		cap_t obj2 = cairn_cap("obj2");
		char c;

		for (uint64_t i = num(argv[3]); i; i--)
			if (io_read(obj, &c, 1, &n) || n != 1 || io_write(obj2, &c, 1, &n) || n != 1)
				return 1;
		io_close(&obj);
		io_close(&obj2);
		return 0;
	}
	return 998;
}

/* ---- starting and ending peers (for the tests) ------------------------------------------- */

static const void *image;
static uint64_t image_size;

err_t peer_start2(const char *mode, const char *arg, cap_t obj, cap_t obj2, cap_t exit_note,
		  struct cairn_child *child)
{
	return peer_start_rights(mode, arg, obj, RIGHT_WRITE | RIGHT_GRANT, obj2, exit_note, child);
}

err_t peer_start_rights(const char *mode, const char *arg, cap_t obj, unsigned obj_rights, cap_t obj2,
			cap_t exit_note, struct cairn_child *child)
{
	const char *argv[] = { "vfs-peer", "peer", mode, arg };
	struct cairn_spawn_cap caps[] = {
		{ "console", cairn_console_cap(), RIGHT_WRITE, 0 },
		{ "kinfo", v_kinfo, RIGHT_READ, 0 },
		{ "obj", obj, obj_rights, 0 },
		{ "obj2", obj2, RIGHT_WRITE | RIGHT_GRANT, 0 },
	};
	struct cairn_spawn s = { 0 };
	struct cpio_entry ent;
	err_t e;

	if (!image) {
		uint64_t pages;
		void *va;

		if ((e = cairn_memobj_pages(v_bootimage, &pages)) ||
		    (e = cairn_map(v_bootimage, 0, pages, CAIRN_PROT_R, &va)))
			return e;
		image = va;
		image_size = pages * CAIRN_PAGE_SIZE;
	}
	if ((e = cpio_find(image, image_size, "bin/vfstest", &ent)))
		return e;
	s.image = v_bootimage;
	s.offset = (uint64_t)((const char *)ent.data - (const char *)image);
	s.size = ent.size;
	s.name = "vfs-peer";
	s.argc = 4;
	s.argv = argv;
	s.ncaps = obj2 == CAP_NULL ? 3 : 4;
	s.caps = caps;
	s.quota = 512 * 1024;
	s.priority = 8;
	s.exit_notify = exit_note;
	s.exit_bits = 1;
	return cairn_spawn(&s, child);
}

err_t peer_start(const char *mode, const char *arg, cap_t obj, cap_t exit_note,
		 struct cairn_child *child)
{
	return peer_start2(mode, arg, obj, CAP_NULL, exit_note, child);
}

int64_t peer_wait(struct cairn_child *child, cap_t exit_note, unsigned ms)
{
	struct cairn_proc_status st;
	uint64_t deadline = now_ns() + (uint64_t)ms * 1000000u;

	for (;;) {
		if (!cairn_child_status(child, &st) && st.state != PROC_STATE_RUNNING) {
			cairn_child_release(child);
			return st.state == PROC_STATE_EXITED ? st.status : -1;
		}
		if (now_ns() >= deadline)
			return -1;
		wait_bits(exit_note, 10);
	}
}

void peer_kill(struct cairn_child *child)
{
	struct cairn_proc_status st;

	cairn_invoke(child->proc, PROC_KILL, 0, 9, 0, 0, 0, NULL);
	for (int i = 0; i < 100; i++) {
		if (!cairn_child_status(child, &st) && st.state != PROC_STATE_RUNNING)
			break;
		sleep_ms(1);
	}
	cairn_child_release(child);
}
