#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""
Runs busybox's own testsuite (testsuite/runtest and shell/ash_test/run-all,
from Debian's busybox source, as scripts/busybox.mk builds it with
user/busybox/config) in Cairn, and compares the results with
tests/busybox/expected-<arch>.txt; beside them, the Linux reference
tests/busybox/linux-reference.txt (the same suite, busybox and file tree on
the build machine's Linux). Called by tests/busybox/run.sh (`make
busybox-test`, `make busybox-test-update`, `make busybox-test-linux`, and a
step of `make test`).

How it runs. The file tree is the default boot's (busybox, a link per
applet, user/rootfs/) plus /bbtest: what busybox's source tree holds for its
tests (testsuite/, examples/, shell/ash_test/ with its helper programs built
for the target, .config, busybox) and the driver tests/busybox/guest-run.sh.
In Cairn, the process server of the POSIX world (scripts/posix-manifest.sh)
starts `/bin/sh /bbtest/guest-run.sh` as pid 1; its exit ends the boot. On
Linux (--linux), the same tree (scripts/mkbootimage.sh's image, unpacked) is
a chroot, with /proc and /dev, in a mount and pid namespace of its own
(unshare), so there too the driver is pid 1, uid 0, and /bin/sh is busybox.

A unit is an applet (runtest's tests of it: testsuite/APPLET/* and
testsuite/APPLET.tests) or an ash_test module (shell/ash_test/ash-*). A
test's name is `UNIT: NAME`, NAME as runtest or run-all prints it (a name
seen twice in a unit gets ` (2)`). Results: PASS FAIL SKIPPED UNTESTED as
runtest prints them (run-all's ok/fail are PASS/FAIL), MISSING: the list
or the reference names it, and the run printed no result for it; HUNG:
the test that was running when its boot printed nothing for --stall
seconds (run-all's that had begun, runtest's first without a result), and
DIED: the same when the boot ended another way (a crash, a panic).

A boot that dies (no output for --stall seconds, --timeout in all, a panic,
or an end without the driver's last line) is a failure, unless the list
says its test is HUNG (DIED); the unit it was running keeps the results it
printed, and the units after it run in a new boot, so one hang does not
drop the rest of the suite. The units of tests/busybox/slow-units.txt
run after the others, stopped after --slow-stall seconds without output
(a test of theirs computes for minutes under TCG without a line), and the
units the list says hang last, stopped after --hung-stall seconds.

Output: per arch and unit, one `ok`/`not ok` line: not ok when a test
expected to pass did not, or any result differs from the expected list but
a test newly passing (named, and recorded by --update); then per arch `ok`
lines for the boots (not ok: a boot died) and for the reasons (not ok: a
test that passes on Linux is not expected to pass on Cairn, and the list
gives no reason for it); then the table: per unit, tests passed on Linux and
on each arch. Boot logs: $CAIRN_LOG_DIR/busybox-<arch>-<n>.log; results with
the units' times: build/<arch>/bbtest/results.txt.
"""
import argparse
import concurrent.futures
import os
import re
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(TOP, "tests", "harness"))
from cairn_harness import LOG_DIR, PANIC_RE  # noqa: E402  (the shared harness module)
LABEL = ""                # --label: after "busybox-<arch>" in names and logs

SRC = "build/third_party/busybox/src"
# the Linux reference's busybox: scripts/busybox.mk PEER=linux for the build
# machine's own arch (static, glibc, gcc)
HOST_ARCH = os.uname().machine
BOARD = {"riscv64": "virt", "x86_64": "q35"}
RESULTS = ["PASS", "FAIL", "SKIPPED", "UNTESTED", "MISSING", "HUNG", "DIED"]
HERE = "tests/busybox"
REFERENCE = HERE + "/linux-reference.txt"
SLOW = HERE + "/slow-units.txt"

UNIT_RE = re.compile(r"bbtest: unit (runtest|ash_test) (\S+)$")
RUNTEST_RE = re.compile(r"^(PASS|FAIL|SKIPPED|UNTESTED): (.*)$")
# run-all: `MODULE/FILE:` then ` ok` or ` fail` once the test ran, on the
# same line unless something the test did not redirect came between
ASH_NAME_RE = re.compile(r"^(ash-[A-Za-z0-9_]+)/(\S+?):")
ASH_END_RE = re.compile(r" (ok|fail)$")

EXPECTED_HEADER = """\
# Expected results of busybox's own testsuite (Debian's busybox 1.35.0,
# testsuite/runtest and shell/ash_test/run-all, user/busybox/config) on
# Cairn {arch}: a line a test, `RESULT UNIT: NAME` (tests/busybox/run.py
# says what they mean). `make test` and `make busybox-test` fail when a test
# listed PASS does not pass, or a result differs; a test newly passing is
# reported. After a change that changes results on purpose, run
#     make busybox-test-update   (both arches; BBTEST_ARCHES={arch} for one)
# check the diff, and commit this file with the change.
# A test that passes on Linux (tests/busybox/linux-reference.txt) and is
# not PASS here needs a reason: comment lines (`# ...`) just above it. A
# comment is the reason of every test after it up to a blank line, so one
# comment can serve a run of tests; --update keeps them. A result may be
# alternatives, `PASS|FAIL UNIT: NAME`, for a test whose result depends on
# timing (say so in its comment); --update keeps them while the result is
# one of them. HUNG (DIED) is the test the boot hung (died) in, and the
# rest of its unit is MISSING: such a unit runs last, with a short stall.
"""

REFERENCE_HEADER = """\
# busybox's own testsuite on Linux: the reference Cairn's results are
# compared with (tests/busybox/run.py). Same busybox source (Debian's
# 1.35.0), same configuration (user/busybox/config, applied by
# scripts/busybox.mk PEER=linux: the build machine's gcc and glibc,
# static), same file tree (the boot image's, unpacked) and the same driver
# (tests/busybox/guest-run.sh as pid 1 and uid 0, in a chroot with /proc
# and /dev, in a mount and pid namespace of its own). A line a test:
# `RESULT UNIT: NAME`. Comment lines above a test say why it does not pass
# on Linux; `FAIL|PASS` marks a test whose result depends on timing (both
# are kept by the update, as in the expected lists). Made by
# `make busybox-test-linux` ({seconds} s), {date}, on:
"""


def natural(s):
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", s)]


# ---------------------------------------------------------------- the units

def bb_dir(target):
    """Where scripts/busybox.mk builds busybox for target (an arch, or linux)."""
    if target == "linux":
        return os.path.join("build", HOST_ARCH, "busybox-linux")
    return os.path.join("build", target, "busybox")


def work_dir(target):
    """This script's folder for target."""
    if target == "linux":
        return os.path.join("build", HOST_ARCH, "bbtest-linux")
    return os.path.join("build", target, "bbtest")


def all_units(target):
    """[(kind, unit)]: the applets of target's busybox with tests, then the
    ash_test modules."""
    links = os.path.join(bb_dir(target), "busybox.links")
    applets = {"busybox"}
    with open(links) as f:
        applets |= {os.path.basename(l.strip()) for l in f if l.strip()}
    ts = os.path.join(SRC, "testsuite")
    rt = sorted(a for a in applets if os.path.isfile(os.path.join(ts, a + ".tests")) or
                os.path.isdir(os.path.join(ts, a)))
    ash = sorted(d for d in os.listdir(os.path.join(SRC, "shell", "ash_test"))
                 if d.startswith("ash-") and os.path.isdir(os.path.join(SRC, "shell", "ash_test", d)))
    return [("runtest", a) for a in rt] + [("ash_test", m) for m in ash]


def read_slow():
    units = []
    with open(SLOW) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                units.append(line)
    return units


# ------------------------------------------------------------- the file tree

def stage_tree(target):
    """WORK/tree/bbtest: the /bbtest of the image."""
    d = os.path.join(work_dir(target), "tree")
    shutil.rmtree(d, ignore_errors=True)
    b = os.path.join(d, "bbtest")
    for sub in ("testsuite", "examples", "shell/ash_test"):
        shutil.copytree(os.path.join(SRC, sub), os.path.join(b, sub), symlinks=True)
    bb = bb_dir(target)
    for h in ("printenv", "recho", "zecho"):
        shutil.copy2(os.path.join(bb, "ash_test", h), os.path.join(b, "shell", "ash_test", h))
    shutil.copy2(os.path.join(bb, ".config"), os.path.join(b, ".config"))
    os.symlink("/bin/busybox", os.path.join(b, "busybox"))
    shutil.copy2(os.path.join(HERE, "guest-run.sh"), os.path.join(b, "guest-run.sh"))
    return b


def make_image(target, out, units, manifest, progs=()):
    """The boot image (or, manifest "-", the tree alone) with /bbtest/units."""
    ufile = out + ".units"
    with open(ufile, "w") as f:
        for kind, u in units:
            f.write("%s %s\n" % (kind, u))
    bb = bb_dir(target)
    tree = os.path.join(work_dir(target), "tree", "bbtest")
    subprocess.run(["bash", "scripts/mkbootimage.sh", out, manifest,
                    "--busybox", os.path.join(bb, "busybox"), os.path.join(bb, "busybox.links"),
                    "--tree", "user/rootfs", "--add", tree + ":/bbtest",
                    "--add", ufile + ":/bbtest/units"] + list(progs), check=True)
    os.unlink(ufile)


# ------------------------------------------------------------ one run's output

class Run:
    """What one boot (or the Linux run) printed, parsed as it comes."""

    def __init__(self, units):
        self.units = units            # [(kind, unit)] it was given
        self.results = []             # [(unit, name, result, seconds since the one before)]
        self.last = None              # when the last result or unit line came
        self.ash = None               # (module, file) of run-all's test without its result yet
        self.started = {}             # unit: seconds at its marker
        self.unit = None              # the unit running
        self.begun = self.ended = False
        self.t0 = time.monotonic()
        self.lines = []
        self.seconds = 0.0
        self.notes = []
        self.stalled = False

    def line(self, line):
        self.lines.append(line)
        if "bbtest: start" in line:
            self.begun = True
        elif line.endswith("bbtest: end"):
            self.ended = True
            self.unit = None
            return
        now = time.monotonic()
        m = UNIT_RE.search(line)
        if m:
            self.unit = m.group(2)
            self.ash = None
            self.started[self.unit] = now - self.t0
            self.last = now
            return
        took = now - (self.last or self.t0)
        m = ASH_NAME_RE.match(line)
        if m:
            self.ash = (m.group(1), m.group(2))
        if self.ash:
            m = ASH_END_RE.search(line)
            if m:
                self.results.append(self.ash + ("PASS" if m.group(1) == "ok" else "FAIL", took))
                self.ash = None
                self.last = now
            return
        m = RUNTEST_RE.match(line)
        if m and self.unit is not None:
            self.results.append((self.unit, m.group(2).rstrip(), m.group(1), took))
            self.last = now

    def unit_seconds(self):
        order = sorted(self.started.items(), key=lambda kv: kv[1])
        out = {}
        for i, (u, s) in enumerate(order):
            end = order[i + 1][1] if i + 1 < len(order) else self.seconds
            out[u] = end - s
        return out


def stream(cmd, run, timeout, stall, log, env=None):
    """Runs cmd, feeding its output lines to run and to the log as they come;
    stops it after timeout seconds, or stall seconds without output.
    Returns (status, why it was stopped or None)."""
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         stdin=subprocess.DEVNULL, start_new_session=True, env=env)
    os.set_blocking(p.stdout.fileno(), False)
    sel = selectors.DefaultSelector()
    sel.register(p.stdout, selectors.EVENT_READ)
    buf, stopped = b"", None
    last = start = time.monotonic()
    with open(log, "w") as f:
        f.write("# %s\n" % " ".join(cmd))
        while True:
            now = time.monotonic()
            if now - start > timeout:
                stopped = "stopped after %ds in all" % timeout
            elif now - last > stall:
                stopped = "stopped after %ds without output" % stall
            if stopped:
                os.killpg(p.pid, signal.SIGKILL)
                break
            if not sel.select(timeout=0.5):
                if p.poll() is not None:
                    break
                continue
            chunk = p.stdout.read()
            if chunk is None:
                continue
            if not chunk:
                break
            last = time.monotonic()
            buf += chunk
            *lines, buf = buf.split(b"\n")
            for raw in lines:
                line = raw.decode("utf-8", "replace").rstrip("\r")
                run.line(line)
                f.write(line + "\n")
            f.flush()
        status = p.wait()
        sel.close()
        if buf:
            line = buf.decode("utf-8", "replace").rstrip("\r")
            run.line(line)
            f.write(line + "\n")
        run.seconds = time.monotonic() - start
        f.write("# %.1fs, status %s%s\n" % (run.seconds, status, "; " + stopped if stopped else ""))
    return status, stopped


# --------------------------------------------------------------- Cairn boots

def posix_manifest(*args):
    return subprocess.run(["bash", "scripts/posix-manifest.sh"] + list(args), check=True,
                          stdout=subprocess.PIPE, universal_newlines=True).stdout


def cairn_boot(a, arch, index, units, stall):
    d = work_dir(arch)
    man = os.path.join(d, "manifest")
    with open(man, "w") as f:
        f.write("# tests/busybox/run.py: busybox's testsuite, %s\n" % arch)
        if a.root == "disk":
            # "/" an ext2 disk made from the boot image's tree, as the default boot
            f.write(posix_manifest("servers", "--signals", "--vfs-quota", a.vfs_quota, "--devices",
                                   "--disk", "blk0"))
        else:
            f.write(posix_manifest("servers", "--signals", "--vfs-quota", a.vfs_quota))
        f.write(posix_manifest("proc", "proc", a.proc_quota, "--signals", "--exitstatus", "--",
                               "/bin/sh", "/bbtest/guest-run.sh"))
    ubin = os.path.join("build", "%s-%s" % (arch, BOARD[arch]), "user", "bin")
    image = os.path.join(d, "boot-%d.cpio" % index)
    progs = ["init", "vfs", "console", "proc", "entropy"]
    if a.root == "disk":
        progs += ["devmgr", "virtio_blk", "virtio_rng", "ext2"]
    make_image(arch, image, units, man, [os.path.join(ubin, p) for p in progs])
    run = Run(units)
    cmd = ["./qemu-run.sh", "--arch", arch, "--mem", a.mem, "--bootimage", image]
    if a.root == "disk":
        disk = os.path.join(d, "disk-%d.ext2" % index)
        subprocess.run(["bash", "scripts/mkrootfs.sh", image, disk, "256M"], check=True)
        cmd += ["--disk", disk]
    log = os.path.join(LOG_DIR, "busybox-%s%s-%d.log" % (arch, LABEL, index))
    os.makedirs(LOG_DIR, exist_ok=True)
    status, stopped = stream(cmd, run, a.timeout, stall, log)
    run.stalled = bool(stopped)
    os.unlink(image)
    if a.root == "disk":
        os.unlink(disk)
    if stopped:
        run.notes.append(stopped)
    panic = [l for l in run.lines if PANIC_RE.search(l)]
    if panic:
        run.notes.append("kernel: " + panic[0].strip())
    if not run.ended and not stopped:
        run.notes.append("ended (status %s) before the driver's last line" % status)
    elif run.ended and status != 0:
        run.notes.append("exit status %s" % status)
    run.log = log
    return run


def run_all(a, target, units, stall=None, index=0):
    """Boots (runs, on Linux) until every unit ran: [Run]. A boot stops
    after stall seconds without output (a.stall)."""
    runs, todo = [], list(units)
    stall = stall or a.stall
    while todo:
        r = linux_run(a, index, todo, stall) if target == "linux" else \
            cairn_boot(a, target, index, todo, stall)
        runs.append(r)
        print("# busybox-%s%s %s %d: %d units, %.0fs%s (log: %s)" % (
            target, LABEL, "run" if target == "linux" else "boot", index, len(todo), r.seconds,
            "; " + "; ".join(r.notes) if r.notes else "", r.log), flush=True)
        index += 1
        if r.ended:
            break
        # the unit it was running stays as far as it got; the rest go on
        names = [u for _, u in todo]
        if r.unit is None or r.unit not in names:
            break     # it died before the first unit: another boot would too
        todo = todo[names.index(r.unit) + 1:]
    return runs


# ---------------------------------------------------------------- Linux run

def linux_run(a, index, units, stall):
    """The same tree, busybox built for the host, as a chroot: a Run."""
    d = work_dir("linux")
    os.makedirs(d, exist_ok=True)
    image = os.path.join(d, "tree.cpio")
    make_image("linux", image, units, "-")
    root = tempfile.mkdtemp(prefix="bbtest-root-", dir=d)
    try:
        with open(image, "rb") as f:
            subprocess.run(["cpio", "-idm", "--quiet", "--no-absolute-filenames"], stdin=f,
                           cwd=root, check=True)
        root = os.path.abspath(root)
        ns = ["unshare", "--mount", "--pid", "--fork", "--mount-proc=%s/proc" % root]
        if os.geteuid() != 0:
            ns[1:1] = ["--user", "--map-root-user"]
        # the driver's environment is what Cairn's process server gives pid 1
        cmd = ns + ["sh", "-c", 'mount --rbind /dev "$0/dev" && '
                    'exec env -i PATH=/bin HOME=/ "$(command -v chroot)" "$0" /bin/sh /bbtest/guest-run.sh',
                    root]
        run = Run(units)
        log = os.path.join(LOG_DIR, "busybox-linux-%d.log" % index)
        os.makedirs(LOG_DIR, exist_ok=True)
        status, stopped = stream(cmd, run, a.timeout, stall, log,
                                 env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"})
        run.stalled = bool(stopped)
        run.log = log
        if stopped:
            run.notes.append(stopped)
        if not run.ended:
            run.notes.append("ended (status %s) before the driver's last line" % status)
        return run
    finally:
        # the namespace's mounts went with it; never follow a mount still there
        with open("/proc/mounts") as f:
            if root in f.read():
                raise SystemExit("run.py: %s is still mounted: not removed" % root)
        shutil.rmtree(root, ignore_errors=True)
        os.unlink(image)


# ------------------------------------------------------------- lists, results

def keyed(results, times=None):
    """{UNIT: NAME: result} in order, a name seen again in a unit made NAME (2);
    times, if given, gets {UNIT: NAME: seconds}."""
    out, seen = {}, {}
    for unit, name, res, took in results:
        k = "%s: %s" % (unit, name)
        seen[k] = seen.get(k, 0) + 1
        if seen[k] > 1:
            k = "%s (%d)" % (k, seen[k])
        out[k] = res
        if times is not None:
            times[k] = took
    return out


def unit_of(key):
    return key.split(":", 1)[0]


def read_list(path):
    """{test: set of results}, {test: reason lines}, in the file's order. A
    result may be alternatives, PASS|FAIL (a test whose result depends on
    timing). A comment block is the reason of the tests after it, up to a
    blank line or the next comment."""
    res, why = {}, {}
    if not os.path.exists(path):
        return res, why
    block, after_test = [], False
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip():
                block, after_test = [], False
            elif line.startswith("#"):
                if after_test:
                    block, after_test = [], False
                block.append(line)
            else:
                r, k = line.split(" ", 1)
                res[k] = set(r.split("|"))
                if block:
                    why[k] = list(block)
                after_test = True
    return res, why


def write_list(path, header, res, why, order):
    """res: {test: set of results}."""
    with open(path, "w") as f:
        f.write(header)
        prev_unit = prev_block = None
        for k in order:
            u, block = unit_of(k), why.get(k)
            if u != prev_unit or (prev_block and block != prev_block):
                f.write("\n")
                prev_block = None
            if block and block != prev_block:
                f.write("\n".join(block) + "\n")
            f.write("%s %s\n" % ("|".join(sorted(res[k])), k))
            prev_unit, prev_block = u, block


def kept(old, got):
    """What --update writes: the old alternatives if the result is one of
    them, else the result."""
    return {k: old[k] if k in old and len(old[k]) > 1 and r in old[k] else {r}
            for k, r in got.items()}


def passes(lst, k):
    return "PASS" in lst.get(k, ())


def ordered(units, *dicts):
    """The tests of the units, each unit's in the order first seen."""
    pos = {u: i for i, u in enumerate(units)}
    keys = []
    seen = set()
    for d in dicts:
        for k in d:
            if k not in seen and unit_of(k) in pos:
                seen.add(k)
                keys.append(k)
    return sorted(keys, key=lambda k: pos[unit_of(k)])   # stable: keeps the order within a unit


def counts(res, keys):
    c = dict.fromkeys(RESULTS, 0)
    for k in keys:
        c[res[k]] += 1
    return c


def fmt_counts(c):
    return ", ".join("%s %d" % (r.lower(), c[r]) for r in RESULTS if c[r] or r in ("PASS", "FAIL"))


def write_results(target, names, secs, got, order, times):
    """WORK/results.txt: the units' seconds, the results with each test's
    (the time from the line before it)."""
    os.makedirs(work_dir(target), exist_ok=True)
    with open(os.path.join(work_dir(target), "results.txt"), "w") as f:
        for u in names:
            f.write("# %s %.1fs\n" % (u, secs.get(u, 0)))
        for k in order:
            f.write("%s %s%s\n" % (got[k], k, "  # %.1fs" % times[k] if k in times else ""))


def arch_run(a, arch, units, names, ref):
    """One arch's boots and comparison: ([(verdict or None, text)], failed, results)."""
    out = []
    path = os.path.join(HERE, "expected-%s.txt" % arch)
    exp, why = read_list(path)
    t0 = time.monotonic()
    stage_tree(arch)
    # a unit the list says hangs (or dies) runs after the others, in boots
    # stopped after --hung-stall seconds without output
    # and the slow units (slow-units.txt: one test may compute for minutes
    # without a line) after the others, with --slow-stall
    known = {unit_of(k) for k, v in exp.items() if v & {"HUNG", "DIED"}}
    slow = set(read_slow()) - known
    runs = []
    for group, stall in ((lambda u: u not in known and u not in slow, a.stall),
                         (lambda u: u in slow, a.slow_stall),
                         (lambda u: u in known, a.hung_stall)):
        todo = [x for x in units if group(x[1])]
        if todo:
            runs += run_all(a, arch, todo, stall, len(runs))
    results = []
    for r in runs:
        results += r.results
    times = {}
    got = keyed(results, times)
    for src in (exp, ref):
        for k in src:
            if unit_of(k) in names and k not in got:
                got[k] = "MISSING"
    order = ordered(names, got)
    # where a boot hung or died: run-all's test that had begun, or runtest's
    # first test without a result (in the reference's order)
    expected_dead = set()
    for r in runs:
        if r.ended or r.unit is None:
            continue
        what = "HUNG" if r.stalled else "DIED"
        if r.ash:
            k = "%s: %s" % r.ash
        else:
            k = next((k for k in ordered(names, ref, exp, got)
                      if unit_of(k) == r.unit and got.get(k) == "MISSING"), None)
        if k:
            if k not in got:
                order.append(k)
            got[k] = what
            if what in exp.get(k, ()):
                expected_dead.add(id(r))
    order = ordered(names, {k: 1 for k in order})
    secs = {}
    for r in runs:
        secs.update(r.unit_seconds())
    write_results(arch, names, secs, got, order, times)

    nbad = nchanged = 0
    for u in names:
        ks = [k for k in order if unit_of(k) == u]
        c = counts(got, ks)
        lin = sum(1 for k in ks if passes(ref, k))
        bad, new = [], []
        for k in ks:
            want = exp.get(k)
            if want is None:
                bad.append("%s %s: not in the expected list" % (got[k], k))
            elif got[k] in want:
                continue
            elif got[k] == "PASS":
                new.append("%s: newly passing (expected %s)" % (k, "|".join(sorted(want))))
            else:
                bad.append("%s: %s, expected %s" % (k, got[k], "|".join(sorted(want))))
        nbad += len(bad)
        nchanged += len(bad) + len(new)
        if a.update:
            continue
        out.append(("not ok" if bad else "ok", "busybox-%s%s: %s: %d tests: %s (Linux: %d pass), %.0fs" % (
            arch, LABEL, u, len(ks), fmt_counts(c), lin, secs.get(u, 0))))
        out += [(None, "#   " + d) for d in bad + new]
    # the boots (one that hung or died where the list says it does is no
    # failure: its test's line says so)
    dead = [r for r in runs if (not r.ended or r.notes) and id(r) not in expected_dead]
    total = time.monotonic() - t0
    if not a.update:
        out.append(("not ok" if dead else "ok", "busybox-%s%s: boots: %d in %.0fs%s%s" % (
            arch, LABEL, len(runs), total,
            " (%d hung or died where the list says)" % len(expected_dead) if expected_dead else "",
            "".join("; boot %d (unit %s): %s" % (i, r.unit, "; ".join(r.notes) or "no end")
                    for i, r in enumerate(runs) if r in dead))))
    # the reasons: passes on Linux, not expected to pass here (with
    # --update: what the list will say)
    new_exp = kept(exp, got)
    lst = new_exp if a.update else {k: exp.get(k, {got[k]}) for k in got}
    linux_only = [k for k in order if passes(ref, k) and not passes(lst, k)]
    noreason = [k for k in linux_only if not why.get(k)]
    if not a.update:
        out.append(("not ok" if noreason else "ok",
                    "busybox-%s%s: reasons: %d tests pass on Linux and are not expected to pass on "
                    "Cairn, %d of them without a reason in %s" % (
                        arch, LABEL, len(linux_only), len(noreason), path)))
        out += [(None, "#   no reason: %s" % k) for k in noreason[:20]]
        if len(noreason) > 20:
            out.append((None, "#   ... and %d more" % (len(noreason) - 20)))
    c = counts(got, order)
    out.append((None, "# busybox-%s%s: %d tests in %d units: %s; Linux passes %d of them; %.0fs" % (
        arch, LABEL, len(order), len(names), fmt_counts(c), sum(1 for k in order if passes(ref, k)), total)))
    if a.update:
        write_list(path, EXPECTED_HEADER.format(arch=arch), new_exp, why, order)
        out.append((None, "# busybox-%s: wrote %s (%d results changed; %d tests pass on Linux and "
                    "not here, %d of them without a reason: give them one)" % (
                        arch, path, nchanged, len(linux_only), len(noreason))))
        if dead:
            out.append((None, "# busybox-%s: a boot hung or crashed: check the list" % arch))
    return out, bool(nbad or dead or noreason) and not a.update, got


# ------------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--arch", action="append", default=[], help="run in Cairn on this arch (may repeat)")
    ap.add_argument("--linux", action="store_true", help="run on the host's Linux: the reference")
    ap.add_argument("--update", action="store_true",
                    help="write the expected lists (with --linux: the reference) instead of comparing")
    ap.add_argument("--only", action="append", default=[], help="only this unit (may repeat)")
    ap.add_argument("--label", default="", help="added to the names of results and logs (-smp4: a run "
                    "with $CAIRN_SMP=4 beside the full one)")
    ap.add_argument("--subset", action="store_true",
                    help="all units but those of %s (make test's)" % SLOW)
    ap.add_argument("--mem", default="1G", help="the guest's memory")
    ap.add_argument("--root", choices=("disk", "tmpfs"), default="disk",
                    help="\"/\" on an ext2 disk made from the tree (the default boot's way), or the VFS's tmpfs")
    ap.add_argument("--vfs-quota", default="48M", help="the VFS's kernel memory quota (its tmpfs)")
    ap.add_argument("--proc-quota", default="512M",
                    help="the process server's quota: every process takes 16M of it (the default "
                    "boot's 160M holds 9 processes at once, fewer than ash_test's pipelines need)")
    ap.add_argument("--timeout", type=int, default=3600, help="seconds a boot may take in all")
    ap.add_argument("--stall", type=int, default=180, help="seconds a boot may print nothing")
    ap.add_argument("--slow-stall", type=int, default=1200,
                    help="seconds without output that stop a boot of the slow units (%s)" % SLOW)
    ap.add_argument("--hung-stall", type=int, default=60,
                    help="seconds without output that stop a boot of units the list says hang")
    ap.add_argument("--jobs", type=int, default=1,
                    help="arches at a time (a boot is one QEMU, mostly one CPU)")
    a = ap.parse_args()
    global LABEL
    LABEL = a.label
    os.chdir(TOP)
    if not a.arch and not a.linux:
        ap.error("--arch or --linux")
    if a.update and (a.only or a.subset):
        ap.error("--update runs every unit (no --only or --subset)")

    units = all_units("linux" if a.linux else a.arch[0])
    names = [u for _, u in units]
    if a.subset:
        slow = read_slow()
        bad = [u for u in slow if u not in names]
        if bad:
            print("run.py: %s: no such unit: %s" % (SLOW, " ".join(bad)), file=sys.stderr)
            return 2
        units = [x for x in units if x[1] not in slow]
    if a.only:
        bad = [u for u in a.only if u not in names]
        if bad:
            print("run.py: no such unit: %s" % " ".join(bad), file=sys.stderr)
            return 2
        units = [x for x in units if x[1] in a.only]
    names = [u for _, u in units]

    ref, ref_notes = read_list(REFERENCE)
    status = 0

    if a.linux:
        t0 = time.monotonic()
        stage_tree("linux")
        runs = run_all(a, "linux", units)
        results, secs = [], {}
        for r in runs:
            results += r.results
            secs.update(r.unit_seconds())
        times = {}
        got = keyed(results, times)
        for k in ref:
            if unit_of(k) in names and k not in got:
                got[k] = "MISSING"
        order = ordered(names, got)
        write_results("linux", names, secs, got, order, times)
        c = counts(got, got)
        dead = [r for r in runs if not r.ended or r.notes]
        ok = not dead
        print("%s busybox-linux: %d tests: %s; %d runs in %.0fs%s" % (
            "ok" if ok else "not ok", len(got), fmt_counts(c), len(runs), time.monotonic() - t0,
            "".join("; run %d (unit %s): %s" % (i, r.unit, "; ".join(r.notes) or "no end")
                    for i, r in enumerate(runs) if r in dead)))
        diffs = [k for k in got if k in ref and got[k] not in ref[k]]
        for k in diffs:
            print("#   %s: %s, the reference says %s" % (k, got[k], "|".join(sorted(ref[k]))))
        print("# busybox-linux: %d results differ from %s" % (len(diffs), REFERENCE))
        if a.update:
            if not ok:
                print("# busybox-linux: a run hung or died (see above): %s not written; "
                      "run it again" % REFERENCE)
                return 1
            uname = os.uname()
            gcc = subprocess.run(["gcc", "--version"], stdout=subprocess.PIPE,
                                 universal_newlines=True).stdout.splitlines()[0]
            libc = os.confstr("CS_GNU_LIBC_VERSION") if hasattr(os, "confstr") else "?"
            hdr = REFERENCE_HEADER.format(seconds=int(time.monotonic() - t0),
                                          date=time.strftime("%Y-%m-%d", time.gmtime()))
            hdr += "#   %s %s %s, %s, %s, uid %d (CI runs as root)\n" % (
                uname.sysname, uname.release, uname.machine, gcc, libc, os.geteuid())
            write_list(REFERENCE, hdr, kept(ref, got), ref_notes, order)
            print("# busybox-linux: wrote %s" % REFERENCE)
        return 0 if ok else 1

    # the arches, a.jobs at a time (each prints its boots as they end,
    # then its results, in order)
    table = {}
    n = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, a.jobs)) as ex:
        futures = [ex.submit(arch_run, a, arch, units, names, ref) for arch in a.arch]
        for arch, f in zip(a.arch, futures):
            lines, bad, got = f.result()
            table[arch] = got
            for verdict, text in lines:
                if verdict:
                    n += 1
                    print("%s %d %s" % (verdict, n, text))
                else:
                    print(text)
            if bad:
                status = 1

    # the table: per unit, passed on Linux, passed on each arch
    print("# busybox: tests passed, per unit (Linux: %s)" % REFERENCE)
    hdr = ["unit", "tests", "Linux"] + a.arch
    rows = []
    tot = [0] * (2 + len(a.arch))
    for u in names:
        ks = [k for k in ordered(names, ref, *table.values()) if unit_of(k) == u]
        row = [len(ks), sum(1 for k in ks if passes(ref, k))] + \
              [sum(1 for k in ks if table[x].get(k) == "PASS") for x in a.arch]
        tot = [t + v for t, v in zip(tot, row)]
        rows.append([u] + [str(v) for v in row])
    rows.append(["total"] + [str(v) for v in tot])
    w = [max(len(r[i]) for r in [hdr] + rows) for i in range(len(hdr))]
    for r in [hdr] + rows:
        print("#   " + "  ".join(c.ljust(w[i]) if i == 0 else c.rjust(w[i]) for i, c in enumerate(r)))
    return status


if __name__ == "__main__":
    sys.exit(main())
