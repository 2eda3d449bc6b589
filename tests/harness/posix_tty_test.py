#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""
Types at a POSIX program's terminal: ./qemu-run.sh --exec
build/<arch>/tests/posix/ttyplay (user/tests/posix/ttyplay.c), with
QEMU's stdin a pipe (cairn_harness.Guest). Checks a canonical line read
with stdio, ^C sending SIGINT to the foreground process group through the
console server and the process server (the child waiting for input dies
of it, the first process's handler runs and its waitpid goes on), a
non-canonical read of 3 bytes without echo, ^D as end of file, and the
program's exit status 0.

    posix_tty_test.py --name riscv64-posix-tty [--timeout S] -- --exec build/riscv64/tests/posix/ttyplay
"""
import argparse
import re

from cairn_harness import Guest, Results, qemu_args


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--name", required=True)
    ap.add_argument("--timeout", type=int, default=30, help="seconds for each step")
    ap.add_argument("qemu_args", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    results = Results(a.name)
    emit = results.emit
    g = Guest(qemu_args(a.qemu_args))

    def step(what, prompt, keys, *expect):
        return g.step(results, what, prompt, keys, expect, a.timeout)

    started = g.expect(re.compile(rb"ttyplay: ready, pgrp 1, foreground 1\r\n"), 300)
    emit(bool(started), "pid 1 has the tty as its controlling terminal (foreground group 1)",
         "came %r" % g.out[-300:])
    if started:
        step("a canonical line read with fgets, echoed as typed", b"line> ", b"hello tty\r",
             b"hello tty\r\n", b"[hello tty]\r\n")
        step("^C: SIGINT to the foreground group kills the waiting child, the handler runs",
             b"interrupt> ", b"\x03", b"^C", b"[child killed by signal 2, handler ran 1]\r\n")
        step("raw mode reads 3 bytes, no echo", b"raw> ", b"xyz", b"{xyz}\r\n")
        emit(b"raw> xyz" not in g.out, "raw mode does not echo")
        step("^D at the start of a line is end of file", b"eof> ", b"\x04", b"[EOF]\r\n")
    g.end(results, a.name, a.timeout if started else 5, "the program exits 0, no panic")

if __name__ == "__main__":
    main()
