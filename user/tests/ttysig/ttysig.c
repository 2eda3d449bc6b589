/* SPDX-License-Identifier: MIT */
/*
 * ttysig: ^C, ^\ and ^Z from the console server to the process server and
 * back as signals (user/manifests/ttysig.manifest). The process server
 * starts ttysig as pid 1 with "proc" and "tty"; ttysig makes the tty its
 * controlling terminal (TIOCSCTTY with its "proc" capability), installs
 * handlers, types the signal characters with TIOCSTI (the console server
 * runs with `testhooks`) and checks that each handler runs with the right
 * signal (sent, as the process server sees it, by the session leader whose
 * "proc" capability the console server uses: here pid 1 itself). One `ok N name` line a test, then
 * `N passed, N failed`; exits with the number of failures after closing
 * the tty (the console server, clients=1, ends then too).
 */
#include <stdbool.h>
#include <string.h>
#include <cairn/rt.h>
#include <cairn/posix.h>
#include <cairn/tty.h>
#include <cairn/test.h>
#include <test/arch.h>

static cap_t tty, proc, kinfo;
static volatile uint64_t got_sig, got_count;

/* ---- the signal entry: the process server's THREAD_UPCALL lands here ------------------------ */

void upcall_stub(void);
void upcall_handler(uint64_t arg);

/* Entered with arg0 = sig | sender << 32, arg1 = the frame: keep the frame,
 * run the C handler, return through SYS_UPCALL_RETURN. */
TEST_UPCALL_STUB(upcall_stub, upcall_handler);

void upcall_handler(uint64_t arg)
{
	got_sig = arg;
	got_count++;
	/* registers only: the interrupted code's IPC buffer stays as it was */
	cairn_call(proc, cairn_tag(PS_SIGRETURN_DONE, CAIRN_MSG_REGS, 0), arg & 0xffffffff, 0, 0, 0);
}

/* ---- helpers ------------------------------------------------------------------------------- */

static err_t label_of(struct cairn_msg m)
{
	return m.err ? (err_t)m.err : (err_t)cairn_tag_label(m.tag);
}

/* Types c; ERR_INTR is fine (the signal may interrupt the call itself). */
static err_t type(char c)
{
	memcpy(&cairn_ipcbuf()->w[CAIRN_MSG_REGS], &c, 1);
	err_t e = label_of(cairn_call(tty, cairn_tag(IO_IOCTL, posix_words(1), 0), LINUX_TIOCSTI, 0, 0, 0));
	return e == ERR_INTR ? ERR_OK : e;
}

/* Waits up to ms for a signal (blocked in a read of the tty, which the
 * signal interrupts); returns the signal number and sender, or 0. */
static uint64_t wait_signal(unsigned ms)
{
	uint64_t end = now_ns() + ms * 1000000ull;
	cap_t note;
	struct cairn_msg m;

	if (cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_NOTIFICATION, 0, 0, 0, &m))
		return 0;
	note = m.w[0];
	while (!got_count && now_ns() < end)
		cairn_wait(note, 10000000ull, NULL);     /* ERR_INTR when the upcall comes */
	cairn_cap_delete(note);
	return got_count ? got_sig : 0;
}

static err_t sigaction_handle(int sig)
{
	return label_of(cairn_call(proc, cairn_tag(PS_SIGACTION, CAIRN_MSG_REGS, 0), (uint64_t)sig,
				   POSIX_SIG_HANDLE, (uint64_t)upcall_stub, 0));
}

int main(int argc, char **argv)
{
	static const struct { char key; int sig; const char *name; } keys[] = {
		{ 3, POSIX_SIGINT, "tty.ctrl_c_is_sigint" },
		{ 28, POSIX_SIGQUIT, "tty.ctrl_backslash_is_sigquit" },
		{ 26, POSIX_SIGTSTP, "tty.ctrl_z_is_sigtstp" },
	};
	struct cairn_msg m;
	int64_t pid, sid;
	err_t e;

	tty = cairn_cap("tty");
	proc = cairn_cap("proc");
	kinfo = cairn_cap("kinfo");
	if (tty == CAP_NULL || proc == CAP_NULL || kinfo == CAP_NULL) {
		return t_abort("ttysig: needs the capabilities tty, proc and kinfo");
	}
	m = cairn_call(proc, cairn_tag(PS_GETPID, CAIRN_MSG_REGS, 0), 0, 0, 0, 0);
	pid = (int64_t)m.w[0];
	sid = (int64_t)m.w[3];
	if (label_of(m) || pid <= 0) {
		return t_abort("ttysig: PS_GETPID failed");
	}
	if (sid != pid) {
		m = cairn_call(proc, cairn_tag(PS_SETSID, CAIRN_MSG_REGS, 0), 0, 0, 0, 0);
		sid = label_of(m) ? sid : (int64_t)m.w[0];
	}
	t_ok(sid == pid, "tty.session_leader");

	/* no echo: a "^C" would start the next ok line */
	struct linux_termios t;
	m = cairn_call(tty, cairn_tag(IO_IOCTL, CAIRN_MSG_REGS, 0), LINUX_TCGETS, 0, 0, 0);
	if (label_of(m) || m.w[1] != LINUX_TERMIOS_SIZE) {
		return t_abort("ttysig: TCGETS failed");
	}
	memcpy(&t, &cairn_ipcbuf()->w[CAIRN_MSG_REGS], sizeof(t));
	t.c_lflag &= ~LINUX_ECHO;
	memcpy(&cairn_ipcbuf()->w[CAIRN_MSG_REGS], &t, sizeof(t));
	cairn_call(tty, cairn_tag(IO_IOCTL, posix_words(sizeof(t)), 0), LINUX_TCSETS, 0, 0, 0);

	/* the tty becomes the session's: ^C goes to the process server through our "proc" */
	cairn_ipcbuf()->caps[0] = proc;
	e = label_of(cairn_call(tty, cairn_tag(IO_IOCTL, CAIRN_MSG_REGS, 1), LINUX_TIOCSCTTY, 0,
				(uint64_t)sid, 0));
	t_ok(!e, "tty.tiocsctty_with_proc");

	for (unsigned i = 0; i < 3; i++) {
		bool ok = !sigaction_handle(keys[i].sig);
		got_count = got_sig = 0;
		ok = ok && !type(keys[i].key);
		uint64_t s = wait_signal(2000);
		if (ok && (s & 0xffffffff) != (uint64_t)keys[i].sig)
			printf("# %s: signal %lu from pid %lu (count %lu)\n", keys[i].name,
			       (unsigned long)(s & 0xffffffff), (unsigned long)(s >> 32),
			       (unsigned long)got_count);
		t_ok(ok && (s & 0xffffffff) == (uint64_t)keys[i].sig && got_count == 1, keys[i].name);
	}

	/* another foreground group: ^C is not ours (the console logs ESRCH) */
	int32_t other = (int32_t)pid + 1000;
	memcpy(&cairn_ipcbuf()->w[CAIRN_MSG_REGS], &other, 4);
	e = label_of(cairn_call(tty, cairn_tag(IO_IOCTL, posix_words(4), 0), LINUX_TIOCSPGRP, 0, 0, 0));
	got_count = 0;
	t_ok(!e && !type(3) && !wait_signal(300), "tty.ctrl_c_only_for_the_foreground_group");

	t_end(NULL);
	cairn_call(tty, cairn_tag(IO_CLOSE, CAIRN_MSG_REGS, 0), 0, 0, 0, 0);
	return (int)t_nfailed();
}
