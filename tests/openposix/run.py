#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""
Runs the Open POSIX Test Suite's conformance tests (built by
tests/openposix/posix.mk) in Cairn and compares their results with
tests/openposix/expected-<arch>.txt. Called by tests/openposix/run.sh (`make posix`,
`make posix-update`, `make test`).

How the tests run: packed into boots of at most --per-boot tests (init
starts at most 64 services), never two tests that make the same file
name from their pid (pid_names) in one boot. A boot's image holds init,
its tests and /etc/passwd and /etc/group (ETC), and its manifest starts
every test as a service, all at once, each as
`./qemu-run.sh --exec` starts a program (the console and kinfo, --quota of
kernel memory). init logs how each ends, and a test's exit status is its
result (PTS_PASS 0, PTS_FAIL 1, PTS_UNRESOLVED 2, PTS_UNSUPPORTED 4,
PTS_UNTESTED 5). A boot ends when every test has ended (init then powers
off), or is stopped after --timeout seconds: the tests that had not ended
then HUNG. The tests that HUNG last time (the expected list) are packed
into boots of their own, stopped after --hung-timeout seconds, and so are
the tests the list marks slow (--update marks those that took --slow
seconds), so the other boots end as soon as their tests do. Boots (of both
arches) run --jobs at a time.

Results (a line a test: `area/test RESULT`):
  PASS FAIL UNRESOLVED UNSUPPORTED UNTESTED   exit status 0 1 2 4 5
  STATUS-N   another exit status                        (counted as fail)
  CRASHED    a fault ended it; KILLED: it was killed   (counted as fail)
  HUNG       not ended when its boot was stopped       (counted as fail)
  NOSTART    init could not start it                   (counted as fail)
  NOBUILD    it did not compile or link       (counted as unsupported)
  A *-buildonly test is only compiled: PASS when it does.

Output: per arch and area, the counts and one `ok`/`not ok` line (not ok
when a result differs from the expected list; a test newly passing is
named as such). The results go to build/<arch>/posixtestsuite/results.txt
(with each test's time), the boot logs to $CAIRN_LOG_DIR/posix-<arch>-<n>.log
(build/logs/ by default).
--update writes the expected lists from the results instead of comparing.

Roots (--root): tmpfs runs every area as above; ext2 runs the areas that
areas.txt marks "ext2" again, in boots whose "/" is a fresh ext2 disk with
/tmp on it (EXT2_SERVERS below), compared with expected-<arch>-ext2.txt
(results: build/<arch>/posixtestsuite/results-ext2.txt, logs
posix-<arch>-ext2-<n>.log), and prints one more line per arch: the host's
e2fsck -fn of every such disk after its boot's sync and power-off.

Linux's results (tests/openposix/linux-x86_64.txt, made by
tests/openposix/linux-ref.sh: the same tests built with musl-gcc and run
on the host) are printed beside Cairn's in the closing summary, for
information only (no run fails by them): a row "linux" under each run's
over the same tests, and per run the tests that pass on Linux and not
here, with and without a reason (a comment line just above the test's line
in the expected list); --verbose (or POSIX_VERBOSE=1) names those without.
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
import time

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(TOP, "tests", "harness"))
from cairn_harness import LOG_DIR, PANIC_RE  # noqa: E402  (the shared harness module)
PTS = "build/third_party/posixtestsuite/src/conformance/interfaces"
BOARD = {"riscv64": "virt", "x86_64": "q35"}
STATUS = {0: "PASS", 1: "FAIL", 2: "UNRESOLVED", 4: "UNSUPPORTED", 5: "UNTESTED"}
# the process server's status of a process a signal ended: 128 + the signal
SIGNALS = {n: "SIG" + name for n, name in enumerate(
    "HUP INT QUIT ILL TRAP ABRT BUS FPE KILL USR1 SEGV USR2 PIPE ALRM TERM STKFLT CHLD CONT "
    "STOP TSTP TTIN TTOU URG XCPU XFSZ VTALRM PROF WINCH IO PWR SYS".split(), 1)}
COLUMNS = ["pass", "fail", "unresolved", "unsupported", "untested"]
# Linux's results, the reference (tests/openposix/linux-ref.sh writes it)
REFERENCE = "tests/openposix/linux-x86_64.txt"
KIND = {"PASS": "pass", "FAIL": "fail", "UNRESOLVED": "unresolved", "UNSUPPORTED": "unsupported",
        "UNTESTED": "untested", "NOBUILD": "unsupported"}
# init's lines: whole, but another process's unfinished line may come first
END_RE = re.compile(r"init: service (\S+?):? (exited with status (-?\d+)|crashed: .*|"
                    r"was killed.*|ended \(no status.*|cannot start .*)$")
START_RE = re.compile(r"init: started \S+ \(id")
HEADER = """\
# Expected results of the Open POSIX Test Suite (Debian's posixtestsuite
# 1.5.2, conformance/interfaces/, the areas of tests/openposix/areas.txt) on
# Cairn {arch}{root}: a line a test, `area/test RESULT` (the results:
# tests/openposix/run.py). `make test` and `make posix` fail when a result
# differs from this list, a test newly passing included. After a change
# that changes results on purpose, run
#     make posix-update          (both arches; POSIX_ARCHES={arch} for one)
# check the diff, and commit this file with the change. A line may allow
# alternatives, `area/test PASS|FAIL`, for a test whose result depends on
# timing: say why in a comment line just above it (comments above a test
# are kept by posix-update); such a test is counted as flaky, not as its
# result. `slow` after a result: the test took 5 s or more last time
# (posix-update marks it), and shares boots with the other slow tests.
"""


def kind(result):
    return KIND.get(result, "fail")


def natural(s):
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", s)]


def read_areas(path):
    """The areas, in order, and those marked "ext2" (run on an ext2 root too)."""
    areas, ext2 = [], set()
    with open(path) as f:
        for line in f:
            words = line.split("#", 1)[0].split()
            if words:
                areas.append(words[0])
                if "ext2" in words[1:]:
                    ext2.add(words[0])
    return areas, ext2


def target(arch, root):
    """A run's name: the arch, "-ext2" added for the ext2 root."""
    return arch if root == "tmpfs" else "%s-%s" % (arch, root)


def root_of(tgt):
    return tgt.partition("-")[2] or "tmpfs"


def expected_path(tgt):
    return "tests/openposix/expected-%s.txt" % tgt


def list_tests(area):
    """The tests of an area: area/N-M and area/speculative/N-M, in order."""
    ids = []
    for sub in ("", "speculative/"):
        d = os.path.join(TOP, PTS, area, sub)
        if os.path.isdir(d):
            ids += [area + "/" + sub + n[:-2] for n in os.listdir(d) if re.match(r"^[0-9].*-.*\.c$", n)]
    return sorted(ids, key=natural)


def pid_names(t):
    """The file names a test makes from its pid ("/tmp/pts_munmap_1_1_%d").
    Every test of a boot is pid 1 of a process server of its own, so two
    tests of one boot that name the same file race for it (munmap's 1-1,
    1-2, 3-1 and 9-1 share one: unlink, then open O_EXCL, which the other
    may have done in between: EEXIST); pack() keeps them in boots apart."""
    with open(os.path.join(TOP, PTS, t + ".c"), errors="replace") as f:
        src = f.read()
    names = set(re.findall(r'"(/tmp/[^"]*%d[^"]*)"', src))
    if t.startswith("mq_"):
        # message queues: sprintf(name, "/" FUNCTION "_" TEST "_%d", getpid())
        # with the test's own macros (mq_timedreceive's 10-1 and 10-2 name
        # one queue), the leading slash optional (musl drops it)
        defs = dict(re.findall(r'#define\s+(\w+)\s+"([^"]*)"', src))
        for m in re.finditer(r'sprintf\s*\(\s*\w+\s*,\s*((?:"[^"]*"|[A-Z_][A-Z_0-9]*|\s)+),', src):
            name = "".join(lit or defs.get(mac, "?")
                           for lit, mac in re.findall(r'"([^"]*)"|([A-Z_][A-Z_0-9]*)', m.group(1)))
            if "%d" in name:
                names.add("mq:" + name.lstrip("/"))
    return names


def pack(tests, per_boot):
    """The tests in boots of at most per_boot, in order, no two tests that
    name the same file (pid_names) in one boot."""
    boots = []
    for t in tests:
        names = pid_names(t)
        for b in boots:
            if len(b[0]) < per_boot and not (b[1] & names):
                b[0].append(t)
                b[1].update(names)
                break
        else:
            boots.append(([t], set(names)))
    return [b[0] for b in boots]


def read_expected(path, slow=None):
    """{test: set of results}, {test: the comment lines just above it};
    the tests marked slow are added to the set slow."""
    exp, notes, pending = {}, {}, []
    if not os.path.exists(path):
        return exp, notes
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip():
                pending = []
            elif line.startswith("#"):
                pending.append(line)
            else:
                t, r, *more = line.split("#", 1)[0].split()
                exp[t] = set(r.split("|"))
                if "slow" in more and slow is not None:
                    slow.add(t)
                if pending:
                    notes[t] = pending
                pending = []
    return exp, notes


ROOT_NOTE = {"tmpfs": "", "ext2": (
    ",\n# the areas marked ext2 in areas.txt, in boots whose \"/\" is a fresh ext2\n"
    "# disk with /tmp on it (run.py's --root ext2)")}


def write_expected(path, arch, root, areas, res, exp, notes, slow):
    with open(path, "w") as f:
        f.write(HEADER.format(arch=arch, root=ROOT_NOTE[root]))
        for area in areas:
            f.write("\n")
            for t in sorted((t for t in res if t.split("/")[0] == area), key=natural):
                want = exp.get(t, set())
                r = "|".join(sorted(want)) if len(want) > 1 and res[t] in want else res[t]
                for n in notes.get(t, []):
                    f.write(n + "\n")
                f.write("%s %s%s\n" % (t, r, " slow" if t in slow else ""))


def service_names(tests):
    """A manifest service name (1-31 of [A-Za-z0-9_.-]) for each test."""
    names, used = {}, set()
    for i, t in enumerate(tests):
        n = t.replace("/speculative/", ".s").replace("/", ".")
        if len(n) > 31:
            n = n[len(n) - 31:].lstrip(".-")
        if n in used:
            n = ("t%d.%s" % (i, n))[:31]
        used.add(n)
        names[t] = n
    return names


class Boot:
    def __init__(self, tgt, index, tests, hung_expected):
        self.tgt, self.index, self.tests, self.hung_expected = tgt, index, tests, hung_expected
        self.arch, self.root = tgt.partition("-")[0], root_of(tgt)
        self.names = service_names(tests)
        self.results = {}
        self.ended = {}   # test: seconds from the first start to its end
        self.log = os.path.join(LOG_DIR, "posix-%s-%s.log" % (tgt, index))
        self.notes = []
        self.seconds = 0.0
        self.fsck = None  # ext2: (clean, what) after the boot


# The servers of the POSIX world, as ./qemu-run.sh --exec starts them
# (scripts/posix-manifest.sh, the one definition): the VFS and the console
# server, shared by every test of a boot, and a process server a test.
SERVERS = ["vfs", "console", "proc", "entropy"]
# With an ext2 root (--root ext2): the device manager, its drivers and the
# ext2 server too (scripts/posix-manifest.sh --devices --disk blk0), which
# mounts a fresh disk as "/" with /tmp on it (--disk-tmp: no tmpfs over
# the disk's /tmp, so the tests' "/tmp/pts_*" files are the disk's). The
# tests are the disk's /bin/NAME (the process servers exec them from "/").
# One more world ends the boot: /bin/ptsend (tests/openposix/end.c, the
# manifest's exitstatus service) waits for a line on the console, which
# run_boot types once every test has ended, then syncs and powers off;
# then the host's e2fsck -fn checks the disk.
EXT2_SERVERS = ["devmgr", "virtio_blk", "virtio_rng", "ext2"]
# The system's users and groups (user/rootfs/etc), in the image's /etc or
# the disk's: the tests that act as another user look one up (getpwent:
# the first that is not root, daemon, uid 1) and set its uid
ETC = ["passwd", "group"]
ETC_ADD = [x for f in ETC for x in ("--add", "user/rootfs/etc/%s:/etc/%s" % (f, f))]
END = "ptsend"
END_LINE = "pts-end: sync and power off"
# init starts at most 64 services: the servers of each root (their
# manifest's service lines, templates among them, and ptsend), and the tests
INIT_MAX = 64
# the disk: 1 KiB blocks on riscv64, 4 KiB on x86_64 (as ext2test's), so
# that both a page over several blocks and a block a page are seen
BLOCK = {"riscv64": 1024, "x86_64": 4096}


def posix_manifest(*args):
    """Lines of scripts/posix-manifest.sh ARGS."""
    out = subprocess.run(["bash", "scripts/posix-manifest.sh"] + list(args), check=True, cwd=TOP,
                         stdout=subprocess.PIPE, universal_newlines=True).stdout
    return out.splitlines()


def services(a, names, root="tmpfs"):
    """The manifest's services: with --env posix, each test is pid 1 of a
    process server of its own (/bin/NAME, the test, with vfs, tty, console
    and kinfo), as ./qemu-run.sh --exec runs a program; with --env bare, a
    service of init with the console and kinfo only. root ext2: the disk's
    servers and the world that ends the boot (EXT2_SERVERS)."""
    disk = ["--devices", "--disk", "blk0", "--disk-tmp"] if root == "ext2" else []
    lines = posix_manifest("servers", *disk) if a.env == "posix" else []
    for name in names:
        if a.env == "posix":
            # --no-clock: tests that set the clock would move it under the
            # other tests of their boot (clock_settime answers EPERM)
            lines += posix_manifest("proc", name, a.proc_quota, "--no-clock", "--",
                                    "--quota=%s" % a.quota, "/bin/%s" % name)
        else:
            lines += ["service %s bin/%s" % (name, name), "    cap console console w",
                      "    cap kinfo kinfo r", "    quota %s" % a.quota]
    if root == "ext2":
        lines += posix_manifest("proc", END, a.proc_quota, "--no-clock", "--exitstatus", "--",
                                "/bin/%s" % END)
    return lines


def make_disk(boot, d):
    """A fresh ext2 disk for an ext2 boot: the host's mke2fs -t ext2 of the
    tests as /bin/NAME, /bin/ptsend, an empty /tmp (1777), /dev and /proc
    (the VFS's mount points), /etc's passwd and group (ETC), all 0:0."""
    tree = os.path.join(d, "%s.disk" % boot.index)
    shutil.rmtree(tree, ignore_errors=True)
    os.makedirs(os.path.join(tree, "bin"))
    for sub, mode in (("tmp", 0o1777), ("dev", 0o755), ("proc", 0o555), ("etc", 0o755)):
        os.mkdir(os.path.join(tree, sub))
        os.chmod(os.path.join(tree, sub), mode)
    for f in ETC:
        shutil.copyfile(os.path.join(TOP, "user", "rootfs", "etc", f), os.path.join(tree, "etc", f))
        os.chmod(os.path.join(tree, "etc", f), 0o644)
    for t in boot.tests:
        shutil.copyfile(os.path.join(TOP, "build", boot.arch, "posixtestsuite", t),
                        os.path.join(tree, "bin", boot.names[t]))
    shutil.copyfile(os.path.join(TOP, "build", boot.arch, "posixtestsuite", "pts-end"),
                    os.path.join(tree, "bin", END))
    for n in os.listdir(os.path.join(tree, "bin")):
        os.chmod(os.path.join(tree, "bin", n), 0o755)
    img = os.path.join(d, "%s.ext2" % boot.index)
    with open(img, "wb") as f:
        f.truncate(32 << 20)
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext2", "-b", str(BLOCK[boot.arch]), "-E", "root_owner=0:0",
                    "-d", tree, img], check=True, cwd=TOP)
    shutil.rmtree(tree)
    return img


def fsck(img):
    """(clean, what): the host's e2fsck -fn of the disk."""
    p = subprocess.run(["e2fsck", "-fn", img], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       universal_newlines=True)
    if p.returncode == 0:
        return True, "clean"
    said = [l.strip() for l in p.stdout.splitlines() if l.strip() and not re.match(r"e2fsck |Pass \d", l)]
    return False, "e2fsck -fn status %d: %s" % (p.returncode, "; ".join(said[:3]))


def make_image(a, boot):
    """The boot image: init, the servers and the tests, and the manifest
    (root ext2: the disk's servers; the tests are on the disk)."""
    d = os.path.join(TOP, "build", boot.arch, "posixtestsuite", "boot" if boot.root == "tmpfs" else
                     "boot-" + boot.root)
    os.makedirs(d, exist_ok=True)
    stage = os.path.join(d, "%s.stage" % boot.index)
    shutil.rmtree(stage, ignore_errors=True)
    os.makedirs(stage)
    ubin = os.path.join(TOP, "build", "%s-%s" % (boot.arch, BOARD[boot.arch]), "user", "bin")
    progs = [os.path.join(ubin, p) for p in ["init"] + (SERVERS if a.env == "posix" else []) +
             (EXT2_SERVERS if boot.root == "ext2" else [])]
    if boot.root == "tmpfs":
        for t in boot.tests:
            dst = os.path.join(stage, boot.names[t])
            shutil.copyfile(os.path.join(TOP, "build", boot.arch, "posixtestsuite", t), dst)
            progs.append(dst)
    else:
        boot.disk = make_disk(boot, d)
    man = os.path.join(stage, "manifest")
    with open(man, "w") as f:
        f.write("# tests/openposix/run.py: Open POSIX tests, %s boot %s\n" % (boot.tgt, boot.index))
        f.write("\n".join(services(a, [boot.names[t] for t in boot.tests], boot.root)) + "\n")
    out = os.path.join(d, "%s.cpio" % boot.index)
    subprocess.run(["bash", "scripts/mkbootimage.sh", out + ".new", man] + ETC_ADD + progs, check=True,
                   cwd=TOP)
    # an unchanged image keeps its date, so x86_64 reuses its cached ISO
    with open(out + ".new", "rb") as new:
        same = os.path.exists(out) and open(out, "rb").read() == new.read()
    if same:
        os.unlink(out + ".new")
    else:
        os.replace(out + ".new", out)
    shutil.rmtree(stage)
    return out


def run_boot(a, boot):
    image = make_image(a, boot)
    cmd = ["./qemu-run.sh", "--arch", boot.arch, "--mem", a.mem, "--bootimage", image]
    if a.smp:
        cmd += ["--smp", str(a.smp)]
    ext2 = boot.root == "ext2"
    if ext2:
        cmd += ["--disk", boot.disk]
    limit = a.hung_timeout if boot.hung_expected else a.timeout
    start = time.monotonic()
    p = subprocess.Popen(cmd, cwd=TOP, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         stdin=subprocess.PIPE if ext2 else subprocess.DEVNULL, start_new_session=True)
    os.set_blocking(p.stdout.fileno(), False)
    sel = selectors.DefaultSelector()
    sel.register(p.stdout, selectors.EVENT_READ)
    by_name = {n: t for t, n in boot.names.items()}
    out, buf = [], b""
    first_start = None
    stopped = None
    typed = None      # ext2: when the line that ends the boot was typed
    while True:
        over = time.monotonic() - start > limit
        if typed is None and (len(boot.results) == len(boot.tests) or over):
            if over:
                stopped = "stopped after %ds" % limit
            if not ext2:
                # every test has ended: the servers of the POSIX world run on
                if a.env == "posix" or over:
                    os.killpg(p.pid, signal.SIGKILL)
                break
            # ptsend syncs and powers off (the tests still running are killed)
            typed = time.monotonic()
            try:
                p.stdin.write(b"end\n")
                p.stdin.flush()
            except OSError:
                pass
        if typed is not None and time.monotonic() - typed > a.end_timeout:
            boot.notes.append("no power-off %ds after the end line" % a.end_timeout)
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
        buf += chunk
        *lines, buf = buf.split(b"\n")
        for raw in lines:
            line = raw.decode("utf-8", "replace").rstrip("\r")
            out.append(line)
            if first_start is None and START_RE.search(line):
                first_start = time.monotonic()
            m = END_RE.search(line)
            if m and m.group(1) in by_name and typed is None:
                t = by_name[m.group(1)]
                boot.ended[t] = time.monotonic() - (first_start or start)
                what = m.group(2)
                if m.group(3) is not None:
                    st = int(m.group(3))
                    boot.results[t] = STATUS.get(st, SIGNALS.get(st - 128, "STATUS-%d" % st)
                                                 if a.env == "posix" else "STATUS-%d" % st)
                elif what.startswith("crashed"):
                    boot.results[t] = "CRASHED"
                elif what.startswith("cannot start"):
                    boot.results[t] = "NOSTART"
                else:
                    boot.results[t] = "KILLED"
    p.wait()
    sel.close()
    if buf:
        out.append(buf.decode("utf-8", "replace"))
    if ext2:
        if p.returncode == 0 and any(END_LINE in l for l in out):
            boot.fsck = fsck(boot.disk)
        else:
            boot.fsck = (False, "no clean power-off (status %s)" % p.returncode)
        if not boot.fsck[0]:
            boot.notes.append(boot.fsck[1])
    boot.seconds = time.monotonic() - start
    if stopped:
        boot.notes.append(stopped)
    if first_start is None:
        boot.notes.append("no test started")
        errors = [l for l in out if re.search(r"error|rror:|qemu-run.sh:", l)]
        if errors:
            boot.notes.append(errors[0].strip())
    panic = [l for l in out if PANIC_RE.search(l)]
    if panic:
        boot.notes.append("kernel: " + panic[0].strip())
    for t in boot.tests:
        boot.results.setdefault(t, "HUNG")
    os.makedirs(os.path.join(TOP, LOG_DIR), exist_ok=True)
    with open(os.path.join(TOP, boot.log), "w") as f:
        f.write("# %s\n# %.1fs%s\n" % (" ".join(cmd), boot.seconds,
                                       "; " + "; ".join(boot.notes) if boot.notes else ""))
        f.write("\n".join(out) + "\n")
        for t in boot.tests:
            f.write("# %s %s %s (service %s)\n" % (t, boot.results[t], "%.1fs" % boot.ended[t]
                                                   if t in boot.ended else "-", boot.names[t]))
    return boot


BOOTS = [0]


def run_boots(a, boots):
    """Runs the boots, a.jobs at a time, in the order given."""
    BOOTS[0] += len(boots)
    with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as ex:
        for b in ex.map(lambda b: run_boot(a, b), boots):
            print("# posix %s boot %s: %s%s, %.1fs%s (log: %s)" % (
                b.tgt, b.index, "%d tests" % len(b.tests) if len(b.tests) > 1 else b.tests[0],
                " that hung last time" if b.hung_expected else "", b.seconds,
                "; " + "; ".join(b.notes) if b.notes else "", b.log), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--arch", action="append", required=True)
    ap.add_argument("--areas", default="tests/openposix/areas.txt")
    ap.add_argument("--only", action="append", default=[],
                    help="run this area only (may repeat; compares only these)")
    ap.add_argument("--update", action="store_true", help="write the expected lists")
    ap.add_argument("--jobs", type=int, default=2 * (os.cpu_count() or 1),
                    help="boots at a time (default: twice the CPUs; a boot's tests mostly "
                    "sleep, and QEMU uses a fraction of a CPU)")
    ap.add_argument("--per-boot", type=int, default=60, help="tests a boot (init's limit: 64)")
    ap.add_argument("--env", choices=["posix", "bare"], default="posix",
                    help="posix: each test as ./qemu-run.sh --exec runs a program (pid 1 of a "
                    "process server, with the VFS and the console server); bare: a service of init")
    ap.add_argument("--quota", default="8M", help="kernel memory quota of each test process")
    ap.add_argument("--proc-quota", default="24M",
                    help="quota of a test's process server (pays for the test and its children)")
    ap.add_argument("--mem", default="2G", help="the guest's memory")
    ap.add_argument("--smp", type=int, default=0,
                    help="CPUs a boot (default: qemu-run.sh's, $CAIRN_SMP or the board's)")
    ap.add_argument("--label", default="",
                    help="added to each line's name, e.g. -smp4 for a run on four CPUs")
    ap.add_argument("--timeout", type=int, default=60, help="seconds a boot may take")
    ap.add_argument("--hung-timeout", type=int, default=20,
                    help="seconds a boot of tests that hung last time may take")
    ap.add_argument("--slow", type=float, default=5,
                    help="--update marks a test that takes this many seconds slow: the slow "
                    "tests share boots of their own, so the others' boots end sooner")
    ap.add_argument("--retry", type=int, default=12,
                    help="tests at most an arch whose result differs that run again alone")
    ap.add_argument("--root", action="append", choices=["tmpfs", "ext2"],
                    help="tmpfs: every area, the tests' files on the VFS's tmpfs; ext2: the areas "
                    "areas.txt marks ext2, in boots whose \"/\" is a fresh ext2 disk with /tmp on "
                    "it, compared with expected-<arch>-ext2.txt (default: both)")
    ap.add_argument("--end-timeout", type=int, default=30,
                    help="seconds an ext2 boot may take to power off after the end line")
    ap.add_argument("--verbose", action="store_true", default=bool(os.environ.get("POSIX_VERBOSE")),
                    help="name the tests that pass on Linux (%s) and not here, without a reason "
                    "in the expected list (default: $POSIX_VERBOSE set)" % REFERENCE)
    a = ap.parse_args()
    os.chdir(TOP)
    areas, ext2_areas = read_areas(a.areas)
    if a.only:
        unknown = [x for x in a.only if x not in areas]
        if unknown:
            print("run.py: not in %s: %s" % (a.areas, " ".join(unknown)), file=sys.stderr)
            return 2
        if a.update:
            print("run.py: --update needs every area (no --only)", file=sys.stderr)
            return 2
        areas = [x for x in areas if x in a.only]
    roots = a.root or ["tmpfs", "ext2"]
    if "ext2" in roots and a.env != "posix":
        print("run.py: --root ext2 needs --env posix", file=sys.stderr)
        return 2
    # the runs: an arch and a root each; the areas of each
    targets, tareas = [], {}
    for arch in a.arch:
        for root in roots:
            ar = areas if root == "tmpfs" else [x for x in areas if x in ext2_areas]
            if ar:
                targets.append(target(arch, root))
                tareas[target(arch, root)] = ar

    plan, boots, slow = {}, [], {}
    nserv = {}
    for root in roots:
        disk = ["--devices", "--disk", "blk0", "--disk-tmp"] if root == "ext2" else []
        nserv[root] = sum(l.startswith("service ") for l in posix_manifest("servers", *disk)) + \
            (root == "ext2")

    def per_boot(tgt):
        return min(a.per_boot, INIT_MAX - nserv[root_of(tgt)])

    for tgt in targets:
        arch = tgt.split("-")[0]
        slow[tgt] = set()
        exp, notes = read_expected(expected_path(tgt), slow[tgt])
        res, groups = {}, {"hung": [], "slow": [], "": []}
        for area in tareas[tgt]:
            tests = list_tests(area)
            if not tests:
                print("run.py: no tests in area %s" % area, file=sys.stderr)
                return 2
            for t in tests:
                st = os.path.join("build", arch, "posixtestsuite", t + ".st")
                built = open(st).read().strip() if os.path.exists(st) else "missing"
                if built == "missing":
                    print("run.py: %s: not built (tests/openposix/posix.mk)" % st, file=sys.stderr)
                    return 2
                if built != "ok":
                    res[t] = "NOBUILD"
                elif "buildonly" in t:
                    res[t] = "PASS"
                else:
                    groups["hung" if "HUNG" in exp.get(t, ()) else
                           "slow" if t in slow[tgt] else ""].append(t)
        plan[tgt] = (exp, notes, res)
        n = 0
        for kind_ in ("hung", "slow", ""):
            for ts in pack(groups[kind_], per_boot(tgt)):
                boots.append(Boot(tgt, n, ts, kind_ == "hung"))
                n += 1

    t0 = time.monotonic()
    run_boots(a, boots)
    for b in boots:
        plan[b.tgt][2].update(b.results)

    # A test whose result differs from the list runs again alone, in a boot
    # of its own: its result alone counts. Timing tests may fail when 60
    # tests share one CPU, and a test that spins starves the sleeping ones
    # of its boot (see README.md). --update does what the next `make posix`
    # will do with the list it writes, so that the list is stable: a test
    # that hung and was not expected to (or is not in the list) first runs
    # again with the tests that hung, in boots stopped after --hung-timeout
    # seconds, as the next run will run it; only if it ends there does it
    # run alone. Another test whose result differs from the old list runs
    # alone, as in a comparing run.
    ended = {(b.tgt, t): s for b in boots for t, s in b.ended.items()}
    together = {}
    all_boots = list(boots)

    def differs(exp, res, t):
        if a.update and t not in exp:
            return res[t] == "HUNG"
        return t in exp and res[t] not in exp[t]

    def rerun(pending):
        run_boots(a, pending)
        all_boots.extend(pending)
        for b in pending:
            plan[b.tgt][2].update(b.results)
            ended.update({(b.tgt, t): s for t, s in b.ended.items()})

    if a.update:
        hung = []
        for tgt in targets:
            exp, notes, res = plan[tgt]
            g = [t for b in boots if b.tgt == tgt and not b.hung_expected for t in b.tests
                 if res[t] == "HUNG" and differs(exp, res, t)]
            for t in g:
                together[(tgt, t)] = res[t]
            for ts in pack(g, per_boot(tgt)):
                hung.append(Boot(tgt, "hung-%d" % len(hung), ts, True))
        rerun(hung)

    alone = []
    for tgt in targets:
        exp, notes, res = plan[tgt]
        again = []
        for b in boots:
            if b.tgt != tgt:
                continue
            for t in b.tests:
                if (tgt, t) in together:
                    # (--update) it hung, and ran again with the tests that hang: alone if it ended
                    if res[t] != "HUNG":
                        again.append(t)
                elif differs(exp, res, t):
                    again.append(t)
        if len(again) > a.retry and not a.update:
            print("# posix-%s: %d results differ: only the first %d run again alone" % (
                tgt, len(again), a.retry))
            again = again[:a.retry]
        for t in again:
            together.setdefault((tgt, t), res[t])
            alone.append(Boot(tgt, "alone-%d" % len(alone), [t], "HUNG" in exp.get(t, ())))
    rerun(alone)

    status = 0
    totals, flaky, ndiffs = {}, {}, {}
    for tgt in targets:
        exp, notes, res = plan[tgt]
        arch, root = tgt.partition("-")[0], root_of(tgt)
        with open("build/%s/posixtestsuite/results%s.txt" % (arch, tgt[len(arch):]), "w") as f:
            for area in tareas[tgt]:
                for t in sorted((t for t in res if t.split("/")[0] == area), key=natural):
                    s = ended.get((tgt, t))
                    f.write("%s %s%s\n" % (t, res[t], " %.1fs" % s if s is not None else ""))
        total = dict.fromkeys(COLUMNS, 0)
        totals[tgt] = total
        flaky[tgt] = []
        ndiff = 0
        n = 0
        for n, area in enumerate(tareas[tgt], 1):
            ts = sorted((t for t in res if t.split("/")[0] == area), key=natural)
            c = dict.fromkeys(COLUMNS, 0)
            odd = {}
            nflaky = 0
            for t in ts:
                if len(exp.get(t, ())) > 1:
                    nflaky += 1   # not counted as any result, named below
                    continue
                c[kind(res[t])] += 1
                total[kind(res[t])] += 1
                if res[t] not in STATUS.values():
                    odd[res[t]] = odd.get(res[t], 0) + 1
            counts = ", ".join("%s %d" % (k, c[k]) for k in COLUMNS)
            if nflaky:
                counts += ", flaky %d" % nflaky
            if odd:
                counts += " (%s)" % ", ".join("%d %s" % (v, k) for k, v in sorted(odd.items()))
            diffs, notes_here = [], []
            for t in ts:
                if len(exp.get(t, ())) > 1:
                    # a test the list marks flaky (alternatives): in no column, named
                    flaky[tgt].append(t)
                    notes_here.append("%s: flaky (the list allows %s): %s" % (
                        t, "|".join(sorted(exp[t])), res[t]))
                if (tgt, t) in together and together[(tgt, t)] != res[t]:
                    notes_here.append("%s: %s with the others, %s alone" % (t, together[(tgt, t)], res[t]))
                want = exp.get(t)
                if want is None:
                    diffs.append("%s %s: not in the expected list" % (t, res[t]))
                elif res[t] not in want:
                    diffs.append("%s %s, expected %s%s" % (t, res[t], "|".join(sorted(want)),
                                                             " (newly passing)" if res[t] == "PASS" else ""))
            diffs += ["%s: in the expected list, not in the suite" % t
                      for t in exp if t.split("/")[0] == area and t not in res]
            ndiff += len(diffs)
            if a.update:
                print("# posix-%s: %s: %d tests: %s" % (tgt, area, len(ts), counts))
                for d in notes_here:
                    print("#   (%s)" % d)
                continue
            print("%s %d posix-%s%s: %s: %d tests: %s" % ("not ok" if diffs else "ok", n, tgt, a.label,
                                                        area, len(ts), counts))
            for d in diffs:
                print("#   " + d)
            for d in notes_here:
                print("#   (%s)" % d)
        if root == "ext2":
            # every boot of the disk ended with a clean power-off, and e2fsck -fn found its disk clean
            eb = [b for b in all_boots if b.tgt == tgt]
            bad = ["boot %s: %s" % (b.index, b.fsck[1]) for b in eb if not (b.fsck and b.fsck[0])]
            print("%s %d posix-%s: e2fsck -fn: %s" % (
                "not ok" if bad else "ok", n + 1, tgt,
                "; ".join(bad) if bad else "every disk clean after its boot's power-off (%d boots)" % len(eb)))
            if bad:
                status = 1
        print("# posix-%s: %d tests in %d areas: %s%s" % (
            tgt, len(res), len(tareas[tgt]), ", ".join("%s %d" % (k, total[k]) for k in COLUMNS),
            ", flaky %d" % len(flaky[tgt]) if flaky[tgt] else ""))
        ndiffs[tgt] = ndiff
        if a.update:
            gone = [t for t in exp if t.split("/")[0] not in tareas[tgt]]
            path = expected_path(tgt)
            # slow: it took --slow seconds or more (a test marked slow stays
            # so until it takes less than half that)
            new_slow = {t for t in res if (tgt, t) in ended and res[t] != "HUNG" and
                        ended[(tgt, t)] >= (a.slow / 2 if t in slow[tgt] else a.slow)}
            write_expected(path, arch, root, tareas[tgt], res, exp, notes, new_slow)
            print("# posix-%s: wrote %s (%d results changed%s)" % (
                tgt, path, ndiff, ", %d tests of areas no longer run dropped" % len(gone) if gone else ""))
        elif ndiff:
            status = 1
            print("# posix-%s: %d results differ from %s; if that is "
                  "intended: make posix-update, check and commit it" % (tgt, ndiff, expected_path(tgt)))
    # the closing summary, a row a run (an arch and root), and under it
    # Linux's over the same tests (flaky: the reference's `A|B`; a test it
    # lacks is left out of its row's tests)
    ref = read_expected(REFERENCE)[0]
    print("# posix summary%s:" % (" (--update: the lists were written)" if a.update else ""))
    hdr = ["run", "tests"] + COLUMNS + ["flaky", "differ"]
    rows = []
    for tgt in targets:
        rows.append([tgt, str(sum(totals[tgt].values()) + len(flaky[tgt]))] +
                    [str(totals[tgt][k]) for k in COLUMNS] + [str(len(flaky[tgt])), str(ndiffs[tgt])])
        if ref:
            lin = [ref[t] for t in plan[tgt][2] if t in ref]
            c = dict.fromkeys(COLUMNS, 0)
            for r in lin:
                if len(r) == 1:
                    c[kind(next(iter(r)))] += 1
            rows.append(["  linux", str(len(lin))] + [str(c[k]) for k in COLUMNS] +
                        [str(sum(len(r) > 1 for r in lin)), "-"])
    w = [max(len(r[i]) for r in [hdr] + rows) for i in range(len(hdr))]
    for r in [hdr] + rows:
        print("#   " + "  ".join(c.ljust(w[i]) if i == 0 else c.rjust(w[i]) for i, c in enumerate(r)))
    # What Linux passes (PASS in every run of the reference) and Cairn does
    # not, per run: with a reason (a comment just above the test in the
    # expected list) or without one.
    # Information: the aim is none without a reason, but no run
    # fails by it (Linux's list is one machine's, x86-64's, for both arches).
    if ref:
        for tgt in targets:
            exp, notes, res = plan[tgt]
            gap = [t for area in tareas[tgt] for t in sorted(
                (t for t in res if t.split("/")[0] == area), key=natural)
                if ref.get(t) == {"PASS"} and res[t] != "PASS"]
            noreason = [t for t in gap if not notes.get(t)]
            print("# posix-%s%s: %d tests pass on Linux (%s) and not here: %d with a reason in %s, "
                  "%d without%s" % (tgt, a.label, len(gap), REFERENCE, len(gap) - len(noreason),
                                    expected_path(tgt), len(noreason),
                                    "" if a.verbose or not noreason else " (--verbose names them)"))
            if a.verbose:
                for t in noreason:
                    print("#   no reason: %s %s%s" % (t, res[t], "" if res[t] in exp.get(t, ()) else
                                                       " (expected %s)" % "|".join(sorted(exp.get(t, ("-",))))))
    else:
        print("# posix: no %s (tests/openposix/linux-ref.sh makes it): Linux's results not shown" % REFERENCE)
    print("# posix: %d boots in %.0fs" % (BOOTS[0], time.monotonic() - t0))
    return status


if __name__ == "__main__":
    sys.exit(main())
