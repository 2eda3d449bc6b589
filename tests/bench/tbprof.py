#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""
Where the instructions go: a profile from QEMU's execution log.

    ./qemu-run.sh --icount --exec PROG ... -- -d exec,nochain,in_asm -D LOG
    tests/bench/tbprof.py LOG --bin kernel=build/riscv64-virt/cairn.elf \\
        --bin net=build/riscv64-virt/user/net.elf --bin prog=PROG \\
        [--begin prog:prof_begin --end prog:prof_end] [--top 60] [--callers memcpy,malloc]

QEMU's `-d exec,nochain,in_asm` log: each translation
block is printed once when translated (its instructions, with their
encodings) and its start once per execution. So the count of a function
is exact: the instructions of every block that ran, credited to the
function the block starts in. (A block cut short by an interrupt counts
whole; under -icount that is rare.)

Every program is linked at 0x400000, so an address alone does not say
which program ran: each translated block's instruction encodings are
matched against the programs given with --bin (their loaded bytes at that
address), and the block is that program's. Blocks of programs not given
count as "other".

--begin/--end bound the window by the first execution of a block starting
at that symbol (PROGRAM:SYMBOL or a hex address): a program under study
calls an empty noinline function before and after what it measures.
--callers lists, for the named functions, who entered them (the block
before the one at the function's start) and how often.

The log is large (about 200 bytes for every 5 instructions run): keep the
run short.
"""
import argparse
import bisect
import collections
import struct
import subprocess
import sys


class Elf:
    def __init__(self, name, path):
        self.name = name
        with open(path, "rb") as f:
            data = f.read()
        if data[:4] != b"\x7fELF" or data[4] != 2:
            sys.exit("tbprof: %s: not a 64-bit ELF" % path)
        phoff, = struct.unpack_from("<Q", data, 0x20)
        phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
        self.segs = []
        for i in range(phnum):
            p_type, _flags, off, vaddr, _pa, filesz, _memsz, _al = struct.unpack_from(
                "<IIQQQQQQ", data, phoff + i * phentsize)
            if p_type == 1 and filesz:
                self.segs.append((vaddr, vaddr + filesz, data[off:off + filesz]))
        out = subprocess.run(["nm", "-n", "--defined-only", path], capture_output=True, text=True).stdout
        syms = []
        for line in out.splitlines():
            f = line.split()
            if len(f) == 3 and f[1] in "tTwW" and not f[2].startswith(("$", ".L")):
                syms.append((int(f[0], 16), f[2]))
        self.addrs = [a for a, _ in syms]
        self.names = [n for _, n in syms]
        self.by_name = {n: a for a, n in syms}

    def holds(self, pc, enc):
        for lo, hi, b in self.segs:
            if lo <= pc and pc + len(enc) <= hi:
                return b[pc - lo:pc - lo + len(enc)] == enc
        return False

    def sym(self, pc):
        i = bisect.bisect_right(self.addrs, pc) - 1
        return self.names[i] if i >= 0 else "?"

    def is_start(self, pc):
        i = bisect.bisect_right(self.addrs, pc) - 1
        return i >= 0 and self.addrs[i] == pc


def encoding(tok):
    """An instruction's bytes from in_asm: riscv64 prints one word of 4 or
    8 hex digits (its value), x86-64 its bytes one pair at a time."""
    if len(tok) == 1:
        w = tok[0]
        return int(w, 16).to_bytes(len(w) // 2, "little")
    return bytes(int(t, 16) for t in tok)


HEX = set(b"0123456789abcdef")


def parse_insn(line):
    """(address, encoding tokens) of an in_asm line: "0x...:  00050513   addi ..."
    (riscv64) or "0x...:  48 89 e5   movq ..." (x86-64)."""
    head, _, rest = line.partition(b":")
    words = rest.split()
    toks = []
    if words and len(words[0]) in (4, 8) and set(words[0]) <= HEX:
        toks = [words[0].decode()]
    else:
        for w in words:
            if len(w) != 2 or not set(w) <= HEX:
                break
            toks.append(w.decode())
    return int(head, 16), toks


def main():
    ap = argparse.ArgumentParser(description="a profile from QEMU's -d exec,nochain,in_asm log")
    ap.add_argument("log")
    ap.add_argument("--bin", action="append", default=[], metavar="NAME=ELF", help="a program of the run")
    ap.add_argument("--begin", help="PROGRAM:SYMBOL or hex address where the window opens")
    ap.add_argument("--end", help="PROGRAM:SYMBOL or hex address where it closes")
    ap.add_argument("--top", type=int, default=50)
    ap.add_argument("--callers", default="", help="functions whose callers to list (comma-separated)")
    a = ap.parse_args()
    elves = [Elf(*b.split("=", 1)) for b in a.bin]
    named = {e.name: e for e in elves}

    def where(spec):
        """(address, program or None) of --begin/--end"""
        if spec is None:
            return None, None
        if ":" in spec:
            prog, s = spec.split(":", 1)
            if prog not in named or s not in named[prog].by_name:
                sys.exit("tbprof: no symbol %s" % spec)
            return named[prog].by_name[s], named[prog]
        return int(spec, 16), None
    (begin, begin_in), (end, end_in) = where(a.begin), where(a.end)
    want = set(filter(None, a.callers.split(",")))

    blocks = {}                  # host address of a translation -> (elf or None, instructions)
    block = None                 # the translation just printed: [instructions, encodings]
    on = begin is None
    per = collections.Counter()
    comp = collections.Counter()
    callers = collections.Counter()
    prev = None
    total = runs = 0
    with open(a.log, "rb") as f:
        for line in f:
            if line.startswith(b"0x") and block is not None:
                block[0] += 1
                if len(block[1]) < 8:
                    pc, toks = parse_insn(line)
                    if toks:
                        block[1].append((pc, encoding(toks)))
            elif line.startswith(b"IN:"):
                block = [0, []]
            elif line.startswith(b"Trace "):
                parts = line.split()
                ptr = parts[2]
                pc = int(parts[3][1:].split(b"/")[1], 16)
                if block is not None:
                    owner = None
                    if block[1]:
                        for e in elves:
                            if all(e.holds(p, enc) for p, enc in block[1]):
                                owner = e
                                break
                    blocks[ptr] = (owner, block[0])
                    block = None
                owner, n = blocks.get(ptr, (None, 0))
                if not on:
                    if pc != begin or (begin_in and owner is not begin_in):
                        continue
                    on = True
                if pc == end and (not end_in or owner is end_in):
                    break
                name = owner.name if owner else "other"
                fn = owner.sym(pc) if owner else "%#x" % pc
                per[(name, fn)] += n
                comp[name] += n
                total += n
                runs += 1
                if want and owner and owner.is_start(pc) and fn in want and prev and prev != (name, fn):
                    callers[((name, fn), prev)] += 1
                prev = (name, fn)
    if not on:
        sys.exit("tbprof: the window never opened (no block at %s)" % a.begin)
    print("%d instructions in %d blocks" % (total, runs))
    for name, n in comp.most_common():
        print("  %-14s %12d %5.1f%%" % (name, n, 100.0 * n / max(total, 1)))
    print()
    for (name, fn), n in per.most_common(a.top):
        print("%12d %5.1f%%  %-12s %s" % (n, 100.0 * n / max(total, 1), name, fn))
    if want:
        print()
        for ((callee, caller), n) in callers.most_common():
            print("%8d calls of %s:%s from %s:%s" % (n, callee[0], callee[1], caller[0], caller[1]))


if __name__ == "__main__":
    main()
