/* SPDX-License-Identifier: MIT */
/*
 * PS_EXEC and PS_EXEC_KEEP: errors leave the caller as it was; a new
 * image keeps the pid, the kept capabilities under their names, the mask,
 * and gets its argv and environment. The image is this program again
 * (bin/proctest from the boot image), run with argv[1] = "exec-child":
 * exec_child_main() checks what it was given and exits with 0 or the
 * number of the check that failed.
 */
#include <lib/cpio.h>
#include <format.h>
#include "proctest.h"

#define POLL(cond, ms)                                                    \
	do {                                                              \
		for (unsigned i_ = 0; i_ < (ms) && !(cond); i_ += 2)      \
			sleep_ms(2);                                      \
	} while (0)

/* Appends NUL-terminated strings to the IPC buffer from word 4; returns
 * the bytes used. */
static size_t put_strings(size_t pos, const char *const *s, unsigned n)
{
	char *buf = (char *)&cairn_ipcbuf()->w[CAIRN_MSG_REGS];

	for (unsigned i = 0; i < n; i++) {
		size_t len = strlen(s[i]) + 1;
		memcpy(buf + pos, s[i], len);
		pos += len;
	}
	return pos;
}

/* PS_EXEC of file (size bytes) with argv, env, names; the error, if it
 * answers. */
static err_t do_exec(cap_t file, uint64_t size, const char *const *argv, unsigned argc,
		     const char *const *env, unsigned envc, const char *const *names,
		     unsigned nnames)
{
	size_t len = put_strings(0, argv, argc);
	struct cairn_msg m;

	len = put_strings(len, env, envc);
	len = put_strings(len, names, nnames);
	cairn_ipcbuf()->caps[0] = file;
	m = cairn_call(proc_cap, cairn_tag(PS_EXEC, posix_words(len), file == CAP_NULL ? 0 : 1), size,
		       argc, envc, nnames);
	return m.err ? (err_t)m.err : (err_t)cairn_tag_label(m.tag);
}

static err_t keep(cap_t cap, uint64_t slot)
{
	cairn_ipcbuf()->caps[0] = cap;
	return cairn_invoke(proc_cap, PS_EXEC_KEEP, 1, slot, 0, 0, 0, NULL);
}

/* A descriptor-like object served here (by a thread of pid 1): counts
 * the IO_CLOSE calls it gets. */
static cap_t closer_ep = CAP_NULL;
static volatile unsigned closes;

static void closer_thread(uint64_t ep)
{
	struct cairn_msg m = cairn_recv(ep, 0);

	for (;;) {
		if (!m.err && cairn_tag_label(m.tag) == IO_CLOSE)
			closes++;
		m = cairn_reply_recv(ep, cairn_tag(0, CAIRN_MSG_REGS, 0), 0, 0, 0, 0);
	}
}

static err_t closer_start(void)
{
	struct cairn_msg m;
	err_t e;

	if (closer_ep != CAP_NULL)
		return ERR_OK;
	if ((e = cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_ENDPOINT, 0, 0, 0, &m)))
		return e;
	closer_ep = m.w[0];
	return cairn_thread_start(closer_thread, closer_ep, 8, NULL);
}

/* bin/proctest from the boot image, copied into a MemoryObject of its own. */
static err_t image_file(cap_t *file, uint64_t *size)
{
	cap_t boot = cairn_cap("bootimage");
	struct cpio_entry ent;
	uint64_t pages;
	void *img, *dst;
	err_t e;

	if (boot == CAP_NULL)
		return ERR_NOENT;
	if ((e = cairn_memobj_pages(boot, &pages)) ||
	    (e = cairn_map(boot, 0, pages, CAIRN_PROT_R, &img)))
		return e;
	e = cpio_find(img, pages * CAIRN_PAGE_SIZE, "bin/proctest", &ent);
	if (!e) {
		uint64_t n = (ent.size + CAIRN_PAGE_SIZE - 1) / CAIRN_PAGE_SIZE;
		if (!(e = cairn_memobj_create(SLOT_SELF_PROC, n, 0, file)) &&
		    !(e = cairn_map(*file, 0, n, CAIRN_PROT_R | CAIRN_PROT_W, &dst))) {
			memcpy(dst, ent.data, ent.size);
			cairn_unmap(dst, n);
			*size = ent.size;
		}
	}
	cairn_unmap(img, pages);
	return e;
}

void t_exec_errors(void)
{
	static const char *const argv[] = { "proctest", "exec-child" };
	cap_t junk;
	char name[32];
	const char *names[1] = { name };

	/* no file; a file that is no ELF */
	EXPECT_ERR(do_exec(CAP_NULL, 4096, argv, 2, NULL, 0, NULL, 0), ERR_INVAL);
	CHECK_OK(cairn_memobj_create(SLOT_SELF_PROC, 1, 0, &junk));
	EXPECT_ERR(do_exec(junk, 4096, argv, 2, NULL, 0, NULL, 0), ERR_NOEXEC);
	EXPECT_ERR(do_exec(junk, 1 << 20, argv, 2, NULL, 0, NULL, 0), ERR_NOEXEC);
	/* malformed: more strings announced than sent; a name of a slot not kept */
	size_t len = put_strings(0, argv, 2);
	cairn_ipcbuf()->caps[0] = junk;
	struct cairn_msg m = cairn_call(proc_cap, cairn_tag(PS_EXEC, posix_words(len), 1), 4096, 5, 0, 0);
	EXPECT(!m.err && cairn_tag_label(m.tag) == ERR_INVAL, "5 arguments announced, 2 sent: %d",
	       m.err ? (int)m.err : (int)cairn_tag_label(m.tag));
	fmt_snprintf(name, sizeof(name), "gate=%lu", (unsigned long)gate);
	EXPECT_ERR(do_exec(junk, 4096, argv, 2, NULL, 0, names, 1), ERR_INVAL);
	EXPECT_ERR(do_exec(junk, 4096, argv, 2, NULL, 0, (const char *const[]){ "gate" }, 1),
		   ERR_INVAL);
	/* PS_EXEC_KEEP: not slots 0..2 or "proc"'s, not twice; no capability empties it */
	EXPECT_ERR(keep(gate, SLOT_SELF_PROC), ERR_INVAL);
	EXPECT_ERR(keep(gate, proc_cap), ERR_INVAL);
	EXPECT_ERR(keep(gate, CAP_SLOTS), ERR_INVAL);
	EXPECT_OK(keep(gate, gate));
	EXPECT_ERR(keep(gate, gate), ERR_INVAL);
	EXPECT_OK(cairn_invoke(proc_cap, PS_EXEC_KEEP, 0, 0, 0, 0, 0, NULL));
	EXPECT_OK(keep(gate, gate));
	/* the exec that fails empties the list too (the kept slot is named: fine) */
	EXPECT_ERR(do_exec(junk, 4096, argv, 2, NULL, 0, names, 1), ERR_NOEXEC);
	EXPECT_ERR(do_exec(junk, 4096, argv, 2, NULL, 0, names, 1), ERR_INVAL);
	cairn_cap_delete(junk);
	/* and we are still here */
	EXPECT_OK(ps(PS_GETPID, 0, 0, 0, 0, NULL));
}

/* The child: execs bin/proctest "exec-child" with the gate, the console
 * and the shared page kept, the environment FOO=bar X=1. */
static int child_exec(uint64_t arg)
{
	char pidstr[16], bootslot[16], gname[32], cname[32], sname[32], closeslot[16];
	const char *argv[] = { "proctest", "exec-child", "arg2", pidstr, bootslot, closeslot };
	const char *env[] = { "FOO=bar", "X=1" };
	const char *names[] = { gname, cname, sname };
	cap_t file, console = cairn_cap("console");
	uint64_t size, r[4];
	err_t e;

	if (ps(PS_GETPID, 0, 0, 0, 0, r))
		return 101;
	fmt_snprintf(pidstr, sizeof(pidstr), "%lu", (unsigned long)r[0]);
	fmt_snprintf(bootslot, sizeof(bootslot), "%lu", (unsigned long)cairn_cap("bootimage"));
	fmt_snprintf(gname, sizeof(gname), "gate=%lu", (unsigned long)gate);
	fmt_snprintf(cname, sizeof(cname), "console=%lu", (unsigned long)console);
	fmt_snprintf(sname, sizeof(sname), "shared=%lu", (unsigned long)shared_mo);
	fmt_snprintf(closeslot, sizeof(closeslot), "%lu", (unsigned long)closer_ep);
	if ((e = image_file(&file, &size)))
		return 102;
	if (keep(gate, gate) || keep(console, console) || keep(shared_mo, shared_mo) ||
	    keep(closer_ep, closer_ep | POSIX_KEEP_CLOSE))
		return 103;
	/* the new image must find SIGUSR2 still blocked and SIGUSR1 back to SIG_DFL */
	ps(PS_SIGMASK, 0, sigbit(SIGUSR2), 0, 0, NULL);
	e = do_exec(file, size, argv, 6, env, 2, names, 3);
	return 110 + e;
}

void t_exec_image(void)
{
	int pid, wp, st;

	CHECK_OK(handle_signal(SIGUSR1, 0, 0));
	CHECK_OK(closer_start());
	closes = 0;
	pid = fork_fn(child_exec, 0);
	CHECK(pid > 1, "fork: %d", pid);
	POLL(shared[0], 3000);
	if (!shared[0]) {
		CHECK_OK(ps_wait(pid, WNOHANG, &wp, &st));
		CHECK(0, "the new image did not run: status %#x", st);
	}
	/* the child has done an exec: setpgid on it is EACCES */
	EXPECT_ERR(ps(PS_SETPGID, (uint64_t)pid, 0, 0, 0, NULL), ERR_ACCES);
	gate_open();
	CHECK_OK(ps_wait(pid, 0, &wp, &st));
	CHECK(wp == pid && st == 0, "pid %d: the new image's check %d failed (status %#x)", wp,
	      st >> 8, st);
	CHECK(shared[0] == 1000, "the new image reported %lu", (unsigned long)shared[0]);
	/* the process server's IO_CLOSE is an asynchronous call: the closer
	 * thread may answer it on another CPU a moment later */
	POLL(closes == 1, 1000);
	CHECK(closes == 1, "the close-on-exec object got %u IO_CLOSE calls, want 1", closes);
}

/* ---- the new image ------------------------------------------------------------------- */

static unsigned long num(const char *s)
{
	unsigned long v = 0;

	while (*s >= '0' && *s <= '9')
		v = v * 10 + (unsigned long)(*s++ - '0');
	return v;
}

static int exec_checks(int argc, char **argv)
{
	char *env[4];
	uint64_t r[4], id[3];
	cap_t g = cairn_cap("gate"), p = cairn_cap("proc");

	if (argc != 6 || strcmp(argv[0], "proctest") || strcmp(argv[2], "arg2"))
		return 1;
	if (ps(PS_GETPID, 0, 0, 0, 0, r) || r[0] != num(argv[3]) || r[1] != 1)
		return 2;                    /* the same pid, the same parent */
	if (cairn_startup_env(env, 4) != 2 || strcmp(env[0], "FOO=bar") || strcmp(env[1], "X=1"))
		return 3;
	if (g == CAP_NULL || cairn_cap_op(CAP_OP_IDENTIFY, g, CAP_NULL, 0, 0, id) ||
	    id[0] != OBJ_NOTIFICATION)
		return 4;
	if (p != 3 || cairn_cap_op(CAP_OP_IDENTIFY, p, CAP_NULL, 0, 0, id) || id[2] != r[0])
		return 5;                    /* "proc" where it was, badged with the pid */
	if (cairn_cap("bootimage") != CAP_NULL ||
	    cairn_cap_op(CAP_OP_IDENTIFY, num(argv[4]), CAP_NULL, 0, 0, id) != ERR_BADF)
		return 6;                    /* what was not kept is gone */
	if (ps(PS_SIGACTION, SIGUSR1, POSIX_SIG_DFL, 0, 0, r) || r[0] != POSIX_SIG_DFL)
		return 7;                    /* handlers do not survive an exec */
	if (ps(PS_SIGMASK, 0, 0, 0, 0, r) || r[0] != sigbit(SIGUSR2))
		return 8;                    /* the mask does */
	if (cairn_cap_op(CAP_OP_IDENTIFY, SLOT_SELF_PROC, CAP_NULL, 0, 0, id) || id[0] != OBJ_PROCESS)
		return 9;
	if (cairn_cap_op(CAP_OP_IDENTIFY, num(argv[5]), CAP_NULL, 0, 0, id) != ERR_BADF)
		return 10;                   /* closed on exec, not kept */
	return 0;
}

int exec_child_main(int argc, char **argv)
{
	int r;

	proc_cap = cairn_cap("proc");
	gate = cairn_cap("gate");
	shared_mo = cairn_cap("shared");
	r = exec_checks(argc, argv);
	/* a new address space: the shared page is mapped again from its kept
	 * MemoryObject, to tell the parent we are here */
	if (shared_mo == CAP_NULL || map_shared())
		return 20;
	shared[0] = 1000 + (uint64_t)r;
	gate_wait();
	return r;
}
