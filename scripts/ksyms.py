#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Turns `nm -n` output into an assembly file with the kernel's text symbols:
# a sorted array of {address, name offset} and a string table, read by
# kernel/ksyms.c to name backtrace frames.
import sys

# Linker-script markers that share an address with a real function.
MARKERS = {"_start_image", "_text_start", "_text_end"}
syms = []
for line in sys.stdin:
    parts = line.split()
    if len(parts) != 3 or parts[1] not in "tTwW":
        continue
    name = parts[2]
    if name.startswith(".L") or name.startswith("$") or name in MARKERS:
        continue
    syms.append((int(parts[0], 16), name))

out = ['\t.section .ksyms, "a"', "\t.balign 8", "\t.globl ksyms_count", "ksyms_count:",
       "\t.quad %d" % len(syms), "\t.globl ksyms_addrs", "ksyms_addrs:"]
out += ["\t.quad 0x%x" % a for a, _ in syms]
out += ["\t.globl ksyms_name_offs", "ksyms_name_offs:"]
off = 0
for _, n in syms:
    out.append("\t.long %d" % off)
    off += len(n) + 1
out += ["\t.globl ksyms_names", "ksyms_names:"]
out += ['\t.asciz "%s"' % n for _, n in syms]
print("\n".join(out))
