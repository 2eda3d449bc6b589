#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""
The crash test of issue 13: a program appends checksummed records to a file
on an ext2 disk and fsyncs each (user/tests/posix/crashrec.c, run with
./qemu-run.sh --disk IMAGE --exec: the disk's server mounts it at /mnt);
the host kills QEMU with SIGKILL at a random moment, runs `e2fsck -fy` on
the image, and boots again: the program first checks that every record
whose fsync had returned (the last `synced N` line that reached the host)
is there and intact, then appends on. After the last run a clean boot
checks the file once more, ends (pid 1's exit syncs), and `e2fsck -fn`
must find nothing.

  crash_test.py --name NAME --arch ARCH --runs N [--seed S] [--image FILE]
  crash_test.py --name NAME --arch ARCH --lazy SECONDS

--lazy: the periodic write-back instead. The program appends records with
no fsync (crashrec lazy), says "written N" and waits; the host waits
SECONDS (more than the ext2 server's --writeback period, 5 s), kills QEMU,
and then e2fsck -fn must find the disk clean and the next boot every
record intact: nothing written more than a period ago is lost.

One result line a run (killed after how many records, e2fsck's status),
then the final check and the clean e2fsck. The image is made fresh
(mke2fs, 16 MiB) unless --image names one to use. Random moments come
from --seed (default: the time), printed so a failure can be replayed.
"""
import argparse
import os
import random
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "harness"))
from cairn_harness import PANIC_RE, Guest, Results, log_path  # noqa: E402

SYNCED_RE = re.compile(rb"^synced (\d+)\r?$", re.M)
INTACT_RE = re.compile(rb"^crashrec: (\d+) intact records", re.M)
# whole lines only: the console may have given half of "crashrec: 97
# intact records" so far (CI: "crashrec: 97 int" read as a complaint)
BAD_RE = re.compile(rb"^crashrec: (?!\d+ intact)[^\r\n]*\r?\n", re.M)


def Run(args):
    """./qemu-run.sh args in a session of its own (SIGKILL reaches QEMU)."""
    return Guest(args, session=True)


def synced_of(out):
    """The last complete `synced N` line's N (0 if none)."""
    m = SYNCED_RE.findall(out)
    return int(m[-1]) if m else 0


def e2fsck(image, fix):
    p = subprocess.run(["e2fsck", "-f", "-y" if fix else "-n", image], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
    return p.returncode, p.stdout.decode("utf-8", "replace")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--name", required=True)
    ap.add_argument("--arch", default="riscv64")
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--image", default=None)
    ap.add_argument("--max-records", type=int, default=40)
    ap.add_argument("--timeout", type=float, default=90)
    ap.add_argument("--lazy", type=float, default=None)
    a = ap.parse_args()

    seed = a.seed if a.seed is not None else int(time.time())
    rng = random.Random(seed)
    print("# %s: seed %d" % (a.name, seed))
    res = Results(a.name)
    prog = "build/%s/tests/posix/crashrec" % a.arch
    image = a.image or os.path.join(os.path.dirname(log_path(a.name)), a.name + ".img")
    if not a.image:
        if os.path.exists(image):
            os.unlink(image)
        subprocess.run(["mke2fs", "-q", "-F", "-t", "ext2", "-b", "1024", image, "16M"], check=True)
    log = open(log_path(a.name), "wb")
    if a.lazy is not None:
        lazy(a, res, prog, image, log)
        log.close()
        res.finish(log_path(a.name))
        return
    synced = 0
    for i in range(a.runs):
        target = synced + rng.randint(1, a.max_records)
        r = Run(["--arch", a.arch, "--disk", image, "--exec", prog, "cycle", "/mnt/log", str(synced)])
        checked = r.wait_for(lambda o: INTACT_RE.search(o) or BAD_RE.search(o), a.timeout)
        got = r.wait_for(lambda o: synced_of(o) >= target or BAD_RE.search(o), a.timeout)
        time.sleep(rng.uniform(0, 0.05))         # anywhere: mid-write, mid-fsync
        if not checked or not got:
            r.dump()                             # who waits for whom (the failure's reason)
        out = r.kill_group()
        log.write(b"==== run %d (synced %d before, target %d)\n" % (i, synced, target) + out)
        bad = BAD_RE.search(out) or PANIC_RE.search(out.decode("utf-8", "replace"))
        if not checked or not got or bad:
            why = bad.group(0) if hasattr(bad, "group") else "no check or no records in time"
            res.emit(False, "run %d" % i, str(why)[:300])
            break
        now = synced_of(out)
        rc, text = e2fsck(image, True)
        log.write(b"==== e2fsck -fy: %d\n" % rc + text.encode())
        if not res.emit(rc in (0, 1), "run %d: killed after %d records synced; e2fsck -fy %d"
                        % (i, now, rc), text[-300:]):
            break
        synced = now
    else:
        r = Run(["--arch", a.arch, "--disk", image, "--exec", prog, "check", "/mnt/log", str(synced)])
        rc = r.wait(a.timeout)
        log.write(b"==== the check\n" + r.out)
        res.emit(rc == 0 and INTACT_RE.search(r.out), "the last check: %d records intact" % synced,
                 "exit status %s; %r" % (rc, r.out[-300:]))
        rc, text = e2fsck(image, False)
        log.write(b"==== e2fsck -fn: %d\n" % rc + text.encode())
        res.emit(rc == 0, "e2fsck -fn after the clean end", text[-300:])
    log.close()
    res.finish(log_path(a.name))


WRITTEN_RE = re.compile(rb"^written (\d+)\r?$", re.M)
LAZY_RECORDS = 200


def lazy(a, res, prog, image, log):
    """Records written with no fsync, a kill a.lazy seconds later: all there."""
    r = Run(["--arch", a.arch, "--disk", image, "--exec", prog, "lazy", "/mnt/log", str(LAZY_RECORDS)])
    got = r.wait_for(lambda o: WRITTEN_RE.search(o), a.timeout)
    if got:
        time.sleep(a.lazy)
    else:
        r.dump()
    out = r.kill_group()
    log.write(b"==== lazy run\n" + out)
    if not res.emit(bool(got), "%d records written with no fsync" % LAZY_RECORDS, repr(out[-300:])):
        return
    rc, text = e2fsck(image, False)
    log.write(b"==== e2fsck -fn: %d\n" % rc + text.encode())
    res.emit(rc == 0, "killed %g s later: e2fsck -fn finds the disk clean" % a.lazy, text[-300:])
    if rc:
        rc, text = e2fsck(image, True)
        log.write(b"==== e2fsck -fy: %d\n" % rc + text.encode())
    r = Run(["--arch", a.arch, "--disk", image, "--exec", prog, "check", "/mnt/log", str(LAZY_RECORDS)])
    rc = r.wait(a.timeout)
    log.write(b"==== the check\n" + r.out)
    res.emit(rc == 0 and INTACT_RE.search(r.out), "the next boot: %d records intact" % LAZY_RECORDS,
             "exit status %s; %r" % (rc, r.out[-300:]))


if __name__ == "__main__":
    main()
