#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""
Boots Cairn under QEMU (through qemu-run.sh) and judges the run.

Self-test mode (default): the guest prints `ok N suite.name` / `not ok N ...`
(a failure may add `: detail` after the name) and `N passed, N failed`. The run fails if it times out, prints panic or
fatal-trap text, if a test in the expected list did not run, if the guest's
own count disagrees with the lines, or if QEMU's exit status is not 0.

Crash mode (--expect-crash): the kernel is told to fault on purpose and the
report must name the cause, the address, the registers and the callers.

Lines mode (--expect-lines FILE): a userland boot (init and its services).
Every regular expression of FILE must match a line of the output, in the
order given within each group of lines (groups are separated by blank
lines and independent of each other, as the lines of concurrent processes
are); QEMU's exit status must be --status; no panic text; every
--equal REGEX must match at least twice with the same first group (e.g.
free memory before and after the services).

Any mode: every --require REGEX must match a line of the output (e.g. which
variant of a device QEMU gave the guest), one result each; every
--count N REGEX must match exactly N lines (e.g. a message said once).

The arguments after `--` are ./qemu-run.sh's, which builds QEMU's command
line: devices come from its options (e.g. `--net user --net-device
virtio-net-pci`: a virtio-net on QEMU's user networking; `--no-rng`) or
from raw QEMU arguments after a second `--`.

Output: one `ok N config: test` / `not ok N config: test` line per test plus
a `# config: N passed, N failed` summary. The log is kept as
$CAIRN_LOG_DIR/config.log (build/logs/ by default). Booting, the panic
pattern and the result lines are tests/harness/cairn_harness.py's.
"""
import argparse
import os
import re

from cairn_harness import PANIC_RE, Results, boot, log_path, qemu_args

RESULT_RE = re.compile(r"^(ok|not ok) (\d+) ([^\s:]+)(?::\s.*)?\s*$")
SUMMARY_RE = re.compile(r"^(\d+) passed, (\d+) failed\s*$")


def selftest_mode(a, rc, out, timed_out, results):
    lines = [l.rstrip("\r") for l in out.splitlines()]
    seen, detail = {}, {}
    guest_summary = None
    for l in lines:
        m = RESULT_RE.match(l)
        if m:
            seen[m.group(3)] = m.group(1) == "ok"
            if m.group(1) != "ok":
                detail[m.group(3)] = "in the guest: " + l.strip()
        m = SUMMARY_RE.match(l)
        if m:
            guest_summary = (int(m.group(1)), int(m.group(2)))
    expected = []
    for path in a.expect:
        try:
            with open(path) as f:
                expected += [l.strip() for l in f if l.strip() and not l.startswith("#")]
        except OSError as e:
            results.emit(False, "the list of expected tests " + path, "cannot read it: %s" % e)
    for t in expected:
        if t not in seen:
            results.emit(False, t, "did not run")
        else:
            results.emit(seen[t], t, detail.get(t) or "failed in the guest (see log)")
    for t, ok in seen.items():
        if t not in expected:
            results.emit(ok, t)
            print("#   (not in %s: add it there)" % " or ".join(a.expect))
    problems = []
    if timed_out:
        problems.append("timed out after %ds" % a.timeout)
    panic = [l for l in lines if PANIC_RE.search(l)]
    if panic:
        problems.append("panic text: " + panic[0].strip())
    missing = [t for t in expected if t not in seen]
    if missing:
        problems.append("%d of the %d expected tests did not run" % (len(missing), len(expected)))
    if guest_summary is None:
        problems.append("no closing 'N passed, N failed' line from the guest")
    elif guest_summary != (sum(seen.values()), len(seen) - sum(seen.values())):
        problems.append("guest summary %s disagrees with its test lines" % (guest_summary,))
    if rc is not None and (rc != 0) != (not all(seen.values()) or not seen):
        problems.append("exit status %s does not match the results" % rc)
    results.emit(not problems and rc == 0, "boot, all tests ran, powered off with status 0",
         "; ".join(problems) or "exit status %s" % rc)


def crash_mode(a, rc, out, timed_out, results):
    need = ["FATAL: unexpected trap on cpu0: " + a.expect_crash] + a.regs.split(",") + [
            "backtrace:", "crash_store", "crash_nested", "monitor_crash", "kmain", "system halted"]
    missing = [n for n in need if n not in out]
    problems = []
    if missing:
        problems.append("report lacks: " + ", ".join(missing))
    if timed_out:
        problems.append("did not halt within %ds" % a.timeout)
    elif rc != 3:
        problems.append("exit status %s, want 3" % rc)
    results.emit(not problems, "deliberate fault is reported with registers and backtrace, then halts",
         "; ".join(problems))


def lines_mode(a, rc, out, timed_out, results):
    lines = [l.rstrip("\r") for l in out.splitlines()]
    groups, group = [], []
    try:
        with open(a.expect_lines) as f:
            text = f.readlines()
    except OSError as e:
        results.emit(False, "the expected lines " + a.expect_lines, "cannot read them: %s" % e)
        text = []
    for l in text:
        if l.startswith("#"):
            continue
        if l.strip():
            group.append(l.rstrip("\n"))
        elif group:
            groups.append(group)
            group = []
    if group:
        groups.append(group)
    for g in groups:          # each group in order; groups independent of each other
        i = 0
        for p in g:
            r = re.compile(p)
            while i < len(lines) and not r.search(lines[i]):
                i += 1
            if i == len(lines):
                results.emit(False, "output has, in order: " + p, "missing (see log)")
                i = 0
            else:
                results.emit(True, "output has, in order: " + p)
                i += 1
    for e in a.equal:
        vals = [m.group(1) for m in (re.search(e, l) for l in lines) if m]
        results.emit(len(vals) >= 2 and len(set(vals)) == 1, "equal values of " + e,
             "values: %s" % vals)
    problems = []
    if timed_out:
        problems.append("timed out after %ds" % a.timeout)
    panic = [l for l in lines if PANIC_RE.search(l)]
    if panic:
        problems.append("panic text: " + panic[0].strip())
    if rc != a.status:
        problems.append("exit status %s, want %s" % (rc, a.status))
    results.emit(not problems, "boot ends with status %d" % a.status, "; ".join(problems))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--name", required=True)
    ap.add_argument("--expect", action="append", default=[],
                    help="file listing tests that must run (may repeat)")
    ap.add_argument("--expect-crash", help="trap cause the crash report must name")
    ap.add_argument("--regs", default="sepc:,scause:,stval:",
                    help="comma-separated register labels the crash report must show")
    ap.add_argument("--expect-lines", help="file of regexes the output must match, in order")
    ap.add_argument("--status", type=int, default=0, help="exit status wanted (--expect-lines)")
    ap.add_argument("--equal", action="append", default=[],
                    help="regex whose first group must be the same in every match (--expect-lines)")
    ap.add_argument("--require", action="append", default=[],
                    help="regex that must match a line of the output (any mode; may repeat)")
    ap.add_argument("--count", nargs=2, action="append", default=[], metavar=("N", "REGEX"),
                    help="regex that must match exactly N lines of the output (any mode; may repeat)")
    ap.add_argument("--timeout", type=int, default=120)
    ap.add_argument("qemu_args", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    results = Results(a.name)
    # a list that is not there (renamed, mistyped) fails before booting
    unreadable = [p for p in a.expect + [a.expect_lines or ""] if p and not os.access(p, os.R_OK)]
    for p in unreadable:
        results.emit(False, "the expected file " + p, "cannot read it")
    if unreadable:
        results.finish()
    rc, out, timed_out = boot(qemu_args(a.qemu_args), a.timeout)
    log = log_path(a.name)
    with open(log, "w") as f:
        f.write(out)
    if a.expect_crash:
        crash_mode(a, rc, out, timed_out, results)
    elif a.expect_lines:
        lines_mode(a, rc, out, timed_out, results)
    else:
        selftest_mode(a, rc, out, timed_out, results)
    lines = [l.rstrip("\r") for l in out.splitlines()]
    for p in a.require:
        r = re.compile(p)
        results.emit(any(r.search(l) for l in lines), "output has: " + p, "missing (see log)")
    for n, p in a.count:
        r = re.compile(p)
        got = sum(1 for l in lines if r.search(l))
        results.emit(got == int(n), "output has %s line%s: %s" % (n, "" if n == "1" else "s", p),
             "%d lines match (see log)" % got)
    results.finish(log)

if __name__ == "__main__":
    main()
