#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""
Types into Cairn's serial console and checks what comes back: the console
server's echo and line editing as a terminal sees them, and the lines a
reader gets (user/tests/ttyecho, user/manifests/ttyecho.manifest).

QEMU runs through qemu-run.sh with its stdin a pipe: with -nographic the
serial port is QEMU's stdio, so bytes written to the pipe arrive at the
UART as if typed (^A, QEMU's escape key, is never sent). Each step waits
for ttyecho's prompt "> " before typing, then for the expected echo and
answer.

Output: one `ok N NAME: step` / `not ok N NAME: step` line a check and a
`# NAME: N passed, N failed` summary; the log is build/logs/NAME.log.

    tty_test.py --name riscv64-virt-ttyecho [--timeout S] -- --arch riscv64
"""
import argparse
import os
import re
import subprocess
import sys
import threading
import time

PANIC_RE = re.compile(rb"KERNEL PANIC|FATAL: unexpected trap")


class Guest:
    def __init__(self, args):
        self.p = subprocess.Popen(["./qemu-run.sh"] + args, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.out = b""
        self.pos = 0          # what expect() has consumed
        self.cv = threading.Condition()
        self.done = False
        threading.Thread(target=self._reader, daemon=True).start()

    def _reader(self):
        while True:
            b = os.read(self.p.stdout.fileno(), 4096)
            with self.cv:
                if not b:
                    self.done = True
                    self.cv.notify_all()
                    return
                self.out += b
                self.cv.notify_all()

    def expect(self, what, timeout):
        """Waits for bytes `what` (or a compiled bytes regex) after the
        position reached so far; moves past it. Returns the match or None."""
        end = time.monotonic() + timeout
        with self.cv:
            while True:
                if isinstance(what, bytes):
                    i = self.out.find(what, self.pos)
                    if i >= 0:
                        self.pos = i + len(what)
                        return what
                else:
                    m = what.search(self.out, self.pos)
                    if m:
                        self.pos = m.end()
                        return m
                left = end - time.monotonic()
                if left <= 0 or self.done:
                    return None
                self.cv.wait(left)

    def type(self, data):
        self.p.stdin.write(data)
        self.p.stdin.flush()

    def wait(self, timeout):
        try:
            return self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
            return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--name", required=True)
    ap.add_argument("--timeout", type=int, default=30, help="seconds for each step")
    ap.add_argument("--manifest", default="ttyecho", help="ttyecho, or ttyecho-uart (userland 16550)")
    ap.add_argument("qemu_args", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    qargs = a.qemu_args[1:] if a.qemu_args[:1] == ["--"] else a.qemu_args
    results = []

    def emit(ok, what, why=None):
        results.append(ok)
        print("%s %d %s: %s" % ("ok" if ok else "not ok", len(results), a.name, what))
        if why and not ok:
            print("#   " + why)

    g = Guest(qargs + ["--manifest", a.manifest])

    def step(what, keys, *expect):
        """Waits for the prompt, types keys, then expects each of expect in turn."""
        if not g.expect(b"> ", a.timeout):
            emit(False, what, "no prompt from ttyecho")
            return False
        g.type(keys)
        for e in expect:
            if not g.expect(e, a.timeout):
                tail = g.out[g.pos:g.pos + 200]
                emit(False, what, "missing %r; after it came %r" % (e, tail))
                return False
        emit(True, what)
        return True

    started = g.expect(b"ttyecho: ready\r\n", 300)
    emit(b"ttyecho: TIOCSTI refused" in g.out, "without testhooks the console refuses TIOCSTI",
         "TIOCSTI was not refused")
    emit(bool(started), "ttyecho says it is ready through the tty (ONLCR: \\r\\n)",
         "no 'ttyecho: ready' line")
    if started and b"console: no input" in g.out:
        emit(False, "the console server reads the console",
             "it has no input (its console capability needs RIGHT_READ, which init's must have)")
        started = None
    if started:
        # DEL erases (ECHOE: "\b \b"); Enter arrives as CR (ICRNL)
        step("DEL erases a character: echo 'ab\\b \\bc', line [ac]", b"ab\x7fc\r",
             b"ab\x08 \x08c\r\n", b"[ac]\r\n")
        step("^U kills the line: echo erases it, line [line]", b"junk\x15line\n",
             b"junk" + b"\x08 \x08" * 4 + b"line\r\n", b"[line]\r\n")
        step("^W erases a word: line [hello world]", b"hello wor\x17world\r",
             b"[hello world]\r\n")
        step("^D after text delivers the partial line [part]", b"part\x04", b"part[part]\r\n")
        if step("^C echoes ^C, flushes the line, and is logged without a process server",
                b"xyz\x03", b"xyz^C", re.compile(rb"console: SIGINT: no foreground process group")):
            g.type(b"after\r")      # the same read goes on: no new prompt
            ok = g.expect(b"[after]\r\n", a.timeout)
            emit(bool(ok), "after ^C the same read gets the next line [after]",
                 "missing [after]; came %r" % g.out[g.pos:g.pos + 200])
        step("raw mode (ICANON and ECHO off, VMIN 3) reads 3 bytes unechoed",
             b"raw\r", b"[raw]\r\n", b"raw> ")
        g.type(b"abc")
        ok = g.expect(b"{abc}\r\n", a.timeout)
        emit(bool(ok) and b"raw> abc" not in g.out, "raw read gets {abc}, no echo",
             "came %r" % g.out[g.pos - 40:g.pos + 100])
        step("^D at the start of a line is end of file", b"\x04", b"[EOF]\r\n")
        ok = g.expect(b"init: all services ended", a.timeout)
        emit(bool(ok), "ttyecho and the console server end; init ends", "they did not end")
    rc = g.wait(a.timeout if started else 5)
    os.makedirs("build/logs", exist_ok=True)
    with open("build/logs/%s.log" % a.name, "wb") as f:
        f.write(g.out)
    panic = PANIC_RE.search(g.out)
    emit(rc == 0 and not panic, "boot ends with status 0, no panic",
         "exit status %s%s" % (rc, "; panic text" if panic else ""))
    passed = sum(results)
    print("# %s: %d passed, %d failed (log: build/logs/%s.log)" % (a.name, passed, len(results) - passed,
                                                                  a.name))
    sys.exit(0 if passed == len(results) else 1)


if __name__ == "__main__":
    main()
