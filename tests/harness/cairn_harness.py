# SPDX-License-Identifier: MIT
"""
What every host-side driver of a Cairn boot shares (boot_test.py,
tty_test.py, posix_tty_test.py, tests/openposix/run.py):

  PANIC_RE, PANIC_RE_B   kernel text that fails any boot (str and bytes)
  LOG_DIR                where boot logs go: $CAIRN_LOG_DIR (tests/run-all.sh
                         gives each run its own), else build/logs
  log_path(name)         LOG_DIR/<name>.log, the folder made
  qemu_args(rest)        the arguments after `--` for ./qemu-run.sh
  boot(args, timeout)    runs ./qemu-run.sh to the end: (status, output, timed out)
  Guest(args)            a running ./qemu-run.sh to type at and read from
  Results(name)          the `ok N name: what` / `not ok N ...` lines, the
                         `# name: N passed, N failed` summary and the exit status

A driver that dies before its results (a traceback) prints no summary and
exits non-zero; tests/run-all.sh counts that as a failure of its own.
"""
import atexit
import os
import re
import signal
import subprocess
import sys
import threading
import time

PANIC_TEXT = r"KERNEL PANIC|FATAL: unexpected trap|unusable boot information"
PANIC_RE = re.compile(PANIC_TEXT)
PANIC_RE_B = re.compile(PANIC_TEXT.encode())

LOG_DIR = os.environ.get("CAIRN_LOG_DIR") or "build/logs"


def log_path(name):
    """The log file of a boot called name (its folder made)."""
    os.makedirs(LOG_DIR, exist_ok=True)
    return os.path.join(LOG_DIR, "%s.log" % name)


def qemu_args(rest):
    """argparse.REMAINDER after `--`: the arguments for ./qemu-run.sh."""
    return rest[1:] if rest[:1] == ["--"] else rest


# Every ./qemu-run.sh runs in a session of its own and is killed as a
# group: on x86_64 QEMU is qemu-run.sh's child, not its exec, so killing
# qemu-run.sh alone left QEMU running, spinning a core and holding the
# build's --exec lock (fd 9), and every later --exec boot of that build
# waited on the lock until its own timeout (a CI run lost 157 tests and
# 50 minutes that way after one boot timed out).
_live = set()


def _kill_live():
    for pid in list(_live):
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    _live.clear()


def _on_term(signum, frame):
    _kill_live()
    sys.exit(128 + signum)


atexit.register(_kill_live)
for _s in (signal.SIGTERM, signal.SIGHUP):
    signal.signal(_s, _on_term)


# The kernel's thread dump (kernel/kdump.c, docs/kernel.md): three Ctrl-]
# typed at the console print every thread and what it waits for, ending
# with "kdump: end". A boot that runs out of time is asked for one before
# it is killed, and the next failure's reason lines carry it (Results).
KDUMP_KEYS = b"\x1d\x1d\x1d"
KDUMP_END = b"kdump: end"
KDUMP_WAIT = 5
_dumps = []     # the dumps taken since the last failure was reported


def _keep_dump(out, start):
    """The kdump lines of out after position start, kept for Results."""
    lines = [l.strip() for l in out[start:].decode("utf-8", "replace").splitlines()
             if l.startswith("kdump:")]
    if lines:
        _dumps.append(lines)
    else:
        _dumps.append(["kdump: none came (the kernel did not answer the keys: "
                       "a kernel hang, or the console is a user driver's)"])


def boot(args, timeout):
    """Runs ./qemu-run.sh args; returns (exit status or None, output, timed
    out). One that runs out of time is asked for the thread dump first
    (Guest.wait())."""
    g = Guest(args)
    rc = g.wait(timeout)
    return rc, g.output().decode("utf-8", "replace"), rc is None


class Guest:
    """./qemu-run.sh args with its stdin a pipe: with -nographic the serial
    port is QEMU's stdio, so bytes written arrive at the UART as if typed.
    A reader thread collects the output in self.out."""

    def __init__(self, args, session=True):
        # always a session of its own (session is kept for old callers), so
        # that kill_group(), a timeout and the driver's exit reach QEMU
        self.p = subprocess.Popen(["./qemu-run.sh"] + args, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  start_new_session=True)
        _live.add(self.p.pid)
        self.session = True
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

    def wait_for(self, pred, timeout):
        """Waits until pred(all the output so far) is true; returns it."""
        end = time.monotonic() + timeout
        with self.cv:
            while not pred(self.out):
                left = end - time.monotonic()
                if left <= 0 or self.done:
                    return pred(self.out)
                self.cv.wait(left)
            return True

    def kill_group(self):
        """SIGKILL to qemu-run.sh and QEMU (session=True); the whole output."""
        try:
            os.killpg(self.p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.p.wait()
        _live.discard(self.p.pid)
        return self.output()

    def output(self):
        """The whole output, once QEMU's side has closed it."""
        with self.cv:
            while not self.done:
                self.cv.wait(1)
            return self.out

    def type(self, data):
        self.p.stdin.write(data)
        self.p.stdin.flush()

    def dump(self):
        """Asks the kernel for its thread dump (KDUMP_KEYS) and waits a few
        seconds for it; kept for the next failure's reason. For a guest
        that ran out of time, before kill_group()."""
        start = len(self.out)
        try:
            self.type(KDUMP_KEYS)
        except OSError:
            pass
        with self.cv:
            end = time.monotonic() + KDUMP_WAIT
            while KDUMP_END not in self.out[start:] and not self.done:
                left = end - time.monotonic()
                if left <= 0:
                    break
                self.cv.wait(left)
            _keep_dump(self.out, start)

    def wait(self, timeout):
        """QEMU's exit status, or None if it had to be killed after timeout
        (asked for the thread dump first)."""
        try:
            rc = self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            self.dump()
            self.kill_group()
            return None
        _live.discard(self.p.pid)
        return rc

    def panic(self):
        """The first line of panic text in the output, or None."""
        m = PANIC_RE_B.search(self.out)
        return m.group(0).decode() if m else None

    def step(self, results, what, prompt, keys, expects, timeout):
        """One typed step, one result line: waits for prompt, types keys,
        then expects each of expects in turn. True when all came."""
        if not self.expect(prompt, timeout):
            return results.emit(False, what, "no prompt %r; came %r"
                                % (prompt, self.out[self.pos:self.pos + 200]))
        self.type(keys)
        for e in expects:
            if not self.expect(e, timeout):
                return results.emit(False, what, "missing %r; after it came %r"
                                    % (e, self.out[self.pos:self.pos + 200]))
        return results.emit(True, what)

    def end(self, results, name, timeout, what):
        """Waits for QEMU to exit, keeps the output as name's log, and
        ends with the result line `what`: exit status 0 and no panic text."""
        rc = self.wait(timeout)
        log = log_path(name)
        with open(log, "wb") as f:
            f.write(self.out)
        panic = self.panic()
        results.emit(rc == 0 and not panic, what,
                     "exit status %s%s" % (rc, "; panic text: " + panic if panic else ""))
        results.finish(log)


class Results:
    """One `ok N name: what` / `not ok N name: what` line a check (a failure
    may add `#   why` on the next line), then finish(): the summary and the
    exit status (0 only when every check passed and there was one)."""

    def __init__(self, name):
        self.name = name
        self.oks = []

    def emit(self, ok, what, why=None):
        self.oks.append(bool(ok))
        print("%s %d %s: %s" % ("ok" if ok else "not ok", len(self.oks), self.name, what))
        if why and not ok:
            print("#   " + why)
        if not ok:      # the thread dumps of boots that ran out of time
            for d in _dumps:
                for l in d[:60]:
                    print("#   " + l)
            del _dumps[:]
        sys.stdout.flush()
        return ok

    def passed(self):
        return sum(self.oks)

    def finish(self, log=None):
        passed = self.passed()
        print("# %s: %d passed, %d failed%s" % (self.name, passed, len(self.oks) - passed,
                                                " (log: %s)" % log if log else ""))
        sys.exit(0 if self.oks and passed == len(self.oks) else 1)
