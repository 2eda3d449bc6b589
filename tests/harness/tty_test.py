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
`# NAME: N passed, N failed` summary; the log is $CAIRN_LOG_DIR/NAME.log
(build/logs/ by default). Guest and Results: tests/harness/cairn_harness.py.

    tty_test.py --name riscv64-virt-ttyecho [--timeout S] -- --arch riscv64
"""
import argparse
import re

from cairn_harness import Guest, Results, qemu_args


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--name", required=True)
    ap.add_argument("--timeout", type=int, default=30, help="seconds for each step")
    ap.add_argument("--manifest", default="ttyecho", help="ttyecho, or ttyecho-uart (userland 16550)")
    ap.add_argument("qemu_args", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    results = Results(a.name)
    emit = results.emit
    g = Guest(qemu_args(a.qemu_args) + ["--manifest", a.manifest])

    def step(what, keys, *expect):
        """Waits for ttyecho's prompt, types keys, then expects each of expect in turn."""
        return g.step(results, what, b"> ", keys, expect, a.timeout)

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
    g.end(results, a.name, a.timeout if started else 5, "boot ends with status 0, no panic")

if __name__ == "__main__":
    main()
