#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""
A session typed at the default boot's console, as a person would: the
busybox login shell that busybox init starts (user/rootfs/etc/inittab),
with QEMU's stdin a pipe (cairn_harness.Guest). Each step waits for the
shell's prompt, types a line (or keys) and checks what the terminal shows:

  a pipeline and a count (ls -l /bin | wc -l), redirection into /tmp and
  back, busybox tar x of /etc's archive onto the disk ("/" is ext2: the
  same bytes and times), ^C of a foreground sleep, a background job (&, jobs, kill %1),
  ^Z and fg, history with the up arrow, tab completion of a command and a
  path, vi editing a file (:wq, then cat shows the edit), less on a long
  file, ps showing the shell and itself, free, uptime, a crashing child
  reported by the shell, and the end: `poweroff` (or, --end exit, leaving
  the first shell) ending QEMU with status 0.

    shell_test.py --name riscv64-shell [--end poweroff|exit] -- --arch riscv64 --add ...

The crashing child is user/tests/posix/status.c (`status crash`), which the
caller puts in the image with --add HOST:/usr/bin/status.
"""
import argparse
import re
import time

from cairn_harness import Guest, Results, qemu_args

PROMPT = b"/ # "
ESC = b"\x1b"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--name", required=True)
    ap.add_argument("--timeout", type=int, default=30, help="seconds for each step")
    ap.add_argument("--end", choices=["poweroff", "exit"], default="poweroff")
    ap.add_argument("qemu_args", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    results = Results(a.name)
    emit = results.emit
    g = Guest(qemu_args(a.qemu_args))
    t = a.timeout

    def expect(what, timeout=t):
        return g.expect(what, timeout)

    def settle():
        """As a person would: the job is running before ^C or ^Z is typed.
        The shell echoes the line, then leaves its raw line-editing mode
        and hands the terminal to the job; a key typed in between is a
        byte of input (no ISIG yet), on Linux too."""
        time.sleep(2)

    def after(n=200):
        return g.out[g.pos:g.pos + n]

    def cmd(what, line, *want, prompt=PROMPT):
        """Waits for the prompt, types line + CR, expects want in turn."""
        return g.step(results, what, prompt, line + b"\r", list(want), t)

    started = expect(b"Welcome to Cairn", 300) and expect(PROMPT, 60)
    emit(bool(started), "the default boot reaches the busybox shell's prompt",
         "came %r" % g.out[-400:])
    if not started:
        g.end(results, a.name, 5, "QEMU ends with status 0, no panic")
        return

    # the first prompt was consumed: each cmd() below waits for the next one,
    # so type the first line directly
    g.type(b"echo $HOME $PATH; pwd\r")
    emit(expect(re.compile(rb"/root /bin:/sbin:/usr/bin:/usr/sbin\r\n/\r\n")),
         "the login shell's environment and working directory", "came %r" % after())

    m = None
    if cmd("ls -l /bin | wc -l", b"ls -l /bin | wc -l", re.compile(rb"wc -l\r\n")):
        m = expect(re.compile(rb"\s*(\d+)\r\n"))
    emit(m and int(m.group(1)) >= 50, "a pipeline counts /bin's links (at least 50)",
         "came %r" % after())

    cmd("redirection into /tmp and back", b"echo typed-at-cairn > /tmp/f; cat < /tmp/f",
        b"\r\ntyped-at-cairn\r\n")

    # busybox tar on the ext2 root: /etc archived into /tmp (tmpfs) and
    # extracted under /root (the disk); the same bytes, and the times kept
    cmd("busybox tar c of /etc and tar x of it onto the disk",
        b"tar cf /tmp/e.tar -C / etc; mkdir /root/x; tar xf /tmp/e.tar -C /root/x; echo tar=$?",
        b"\r\ntar=0\r\n")
    cmd("the extracted tree is /etc's, byte for byte", b"diff -r /etc /root/x/etc; echo diff=$?",
        b"\r\ndiff=0\r\n")
    cmd("tar x kept the files' modification times", b"stat -c %Y /etc/motd /root/x/etc/motd | uniq -c",
        re.compile(rb"\r\n\s*2 \d+\r\n"))
    cmd("the tree is removed", b"rm -r /root/x /tmp/e.tar; echo rm=$?", b"\r\nrm=0\r\n")

    # ^C ends the foreground job; the shell comes back at once
    cmd("sleep 100 starts in the foreground", b"sleep 100", b"sleep 100\r\n")
    settle()
    g.type(b"\x03")
    emit(expect(b"^C") and expect(PROMPT, 10), "^C ends a foreground sleep",
         "came %r" % after())
    g.type(b"echo status $?\r")
    emit(expect(b"status 130\r\n"), "the interrupted job's status is 130", "came %r" % after())

    # a background job: &, jobs, kill %1
    cmd("sleep 100 & starts a background job", b"sleep 100 &", b"sleep 100 &\r\n")
    cmd("jobs lists it running", b"jobs", re.compile(rb"\[1\]\+\s+Running\s+sleep 100"))
    cmd("kill %1 ends it", b"kill %1; sleep 1; jobs; echo jobs-done",
        re.compile(rb"\[1\]\+\s+Terminated\s+sleep 100"), b"jobs-done\r\n")

    # ^Z stops the foreground job, fg continues it
    cmd("sleep 100 in the foreground again", b"sleep 100", b"sleep 100\r\n")
    settle()
    g.type(b"\x1a")
    emit(expect(re.compile(rb"\[1\]\+\s+Stopped\s+sleep 100")) and expect(PROMPT, 10),
         "^Z stops it and the shell reports it", "came %r" % after())
    g.type(b"fg\r")
    emit(expect(b"sleep 100\r\n"), "fg continues it in the foreground", "came %r" % after())
    settle()
    g.type(b"\x03")
    emit(expect(PROMPT, 10), "^C then ends the continued job", "came %r" % after())
    g.pos -= len(PROMPT)        # the next cmd() waits for this prompt

    # history: the up arrow brings back the last line
    cmd("a line for the history", b"echo history-$((6*7))", b"\r\nhistory-42\r\n")
    g.step(results, "the up arrow recalls it, Enter runs it again", PROMPT, ESC + b"[A\r",
           [b"echo history-$((6*7))", b"\r\nhistory-42\r\n"], t)

    # tab completion: a command, then a path
    g.step(results, "tab completes a command (ech -> echo)", PROMPT, b"ech\t",
           [b"echo "], t)
    g.type(b"completed\r")
    emit(expect(b"\r\ncompleted\r\n"), "the completed command runs", "came %r" % after())
    g.step(results, "tab completes a path (/etc/hostn -> /etc/hostname)", PROMPT,
           b"cat /etc/hostn\t", [b"ame"], t)
    g.type(b"\r")
    emit(expect(b"\r\ncairn\r\n"), "cat of the completed path", "came %r" % after())

    # vi: insert a line, :wq, then cat shows it
    cmd("vi opens a new file", b"vi /tmp/edit.txt", re.compile(rb"/tmp/edit.txt"))
    g.type(b"iedited in vi" + ESC)
    time.sleep(1)               # ESC alone, not the start of an escape sequence
    g.type(b":wq\r")
    emit(expect(PROMPT, 15), "vi's :wq writes and quits", "came %r" % after())
    g.pos -= len(PROMPT)
    cmd("cat shows the edit", b"cat /tmp/edit.txt", b"\r\nedited in vi\r\n")

    # less on a file longer than the screen: the first page, then q
    # (less clears each line before writing it: ESC [ K, then the text)
    cmd("less shows the first page of a long file", b"seq 1 500 > /tmp/long; less /tmp/long",
        b"\x1b[K1\r\n", b"\x1b[K20\r\n")
    emit(b"\x1b[K480\r\n" not in g.out[g.pos:], "less stops at a page")
    g.type(b" ")
    emit(expect(b"\x1b[K30\r\n", 10), "space shows the next page", "came %r" % after())
    g.type(b"q")
    emit(expect(PROMPT, 10), "q leaves less", "came %r" % after())
    g.pos -= len(PROMPT)

    cmd("ps shows the shell and itself", b"ps", re.compile(rb"PID\s+USER\s+TIME\s+COMMAND"),
        re.compile(rb"/bin/sh -l\r\n"), re.compile(rb"\bps\r\n"))
    cmd("free shows memory", b"free", re.compile(rb"Mem:\s+\d+\s+\d+\s+\d+"))
    cmd("uptime", b"uptime", re.compile(rb"up .*load average: \d+\.\d\d, \d+\.\d\d, \d+\.\d\d\r\n"))
    cmd("a crashing child is reported by the shell", b"status crash",
        b"Segmentation fault")
    g.type(b"echo status $?\r")
    emit(expect(b"status 139\r\n"), "its status is 139 (128 + SIGSEGV)", "came %r" % after())

    # the end: poweroff, or leaving the first shell, powers off with status 0
    if a.end == "poweroff":
        cmd("poweroff", b"poweroff", b"The system is going down NOW!")
    else:
        cmd("exit of the first shell", b"exit", b"The system is going down NOW!")
    g.end(results, a.name, 60, "QEMU ends with status 0, no panic")


if __name__ == "__main__":
    main()
