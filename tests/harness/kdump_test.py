#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""
The kernel's thread dump (kernel/kdump.c, docs/kernel.md "The thread
dump"): boots the POSIX world with a program that waits for ever
(crashrec lazy: writes a few records, says "written N", pauses), types
three Ctrl-] and checks the dump: every CPU, the program's process with
its thread blocked on a Notification (pause), the servers' threads
receiving on Endpoints, a closing count that matches the lines; then
that two Ctrl-] and a letter print nothing and the guest still answers
(a second dump). The harness types the same keys into every boot that
runs out of time (Guest.dump(), boot()).

    kdump_test.py --name riscv64-kdump -- --arch riscv64
"""
import argparse
import re
import time

from cairn_harness import Guest, Results, log_path, qemu_args, KDUMP_KEYS

END_RE = re.compile(rb"^kdump: end: (\d+) processes, (\d+) threads\r?$", re.M)


def dump_lines(out):
    return [l.rstrip("\r") for l in out.decode("utf-8", "replace").splitlines() if l.startswith("kdump:")]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--name", required=True)
    ap.add_argument("--timeout", type=int, default=120)
    ap.add_argument("qemu_args", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    res = Results(a.name)
    arch = "x86_64" if "x86_64" in a.qemu_args else "riscv64"
    g = Guest(qemu_args(a.qemu_args) + ["--exec", "build/%s/tests/posix/crashrec" % arch,
                                        "lazy", "/tmp/log", "3"])
    try:
        if not res.emit(bool(g.expect(b"written 3", a.timeout)), "the program runs and waits",
                        repr(g.out[-300:])):
            return
        time.sleep(0.5)
        start = len(g.out)
        g.type(KDUMP_KEYS)
        m = g.expect(END_RE, 20)
        lines = dump_lines(g.out[start:])
        res.emit(bool(m), "three Ctrl-] print a dump that ends with its counts", repr(g.out[start:][-300:]))
        if not m:
            return
        procs = [l for l in lines if re.match(r"kdump: process \d+ \(", l)]
        threads = [l for l in lines if re.match(r"kdump:   T\d+ prio \d+ cpu\d+ ", l)]
        res.emit(len(procs) == int(m.group(1)) and len(threads) == int(m.group(2)),
                 "its closing counts match its lines (%d processes, %d threads)" % (len(procs), len(threads)),
                 "counted %d and %d lines" % (len(procs), len(threads)))
        cpus = [l for l in lines if re.match(r"kdump: cpu\d+ (idle|runs T\d+)", l)]
        res.emit(len(cpus) >= 1 and any(re.match(r"kdump: at \d+ ms, %d CPUs" % len(cpus), l) for l in lines),
                 "a line for each CPU", "\n".join(lines[:4]))
        i = next((k for k, l in enumerate(lines) if "(crashrec)" in l and l.startswith("kdump: process")), None)
        res.emit(i is not None and i + 1 < len(lines) and
                 re.search(r"blocked: wait on Notification #\d+ \(bits 0\) pc 0x[0-9a-f]+$", lines[i + 1]),
                 "the paused program's thread: blocked on a Notification, with its pc",
                 lines[i + 1] if i is not None and i + 1 < len(lines) else "no crashrec process")
        res.emit(any(re.match(r"kdump:   T\d+ .*blocked: receive on Endpoint #\d+", l) for l in threads),
                 "a server's thread: receiving on an Endpoint", "\n".join(threads[:6]))
        start = len(g.out)
        g.type(b"\x1d\x1dq")
        time.sleep(2)
        res.emit(b"kdump:" not in g.out[start:], "two Ctrl-] and a letter print nothing",
                 repr(g.out[start:][-200:]))
        start = len(g.out)
        g.type(KDUMP_KEYS)
        res.emit(bool(g.expect(END_RE, 20)), "the guest still answers: a second dump",
                 repr(g.out[start:][-200:]))
    finally:
        out = g.kill_group()
        with open(log_path(a.name), "wb") as f:
            f.write(out)
        res.finish(log_path(a.name))


if __name__ == "__main__":
    main()
