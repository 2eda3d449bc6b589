#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the disk image user/tests/blktest leaves behind (its last test,
blk.whole_disk): SIZE bytes of little-endian 64-bit words, word w being
(w * 0x9e3779b97f4a7c15 + SEED) mod 2^64, SEED 0xc0ffee (SEED_FINAL in
user/tests/blktest/main.c). tests/run-all.sh compares it with the image
QEMU wrote, with cmp.

    tests/blk/pattern.py SIZE OUT
"""
import sys

K = 0x9e3779b97f4a7c15
SEED = 0xc0ffee
MASK = (1 << 64) - 1


def main():
    size, out = int(sys.argv[1], 0), sys.argv[2]
    words = size // 8
    buf = bytearray(words * 8)
    v = SEED
    for w in range(words):
        buf[8 * w:8 * w + 8] = v.to_bytes(8, "little")
        v = (v + K) & MASK
    with open(out, "wb") as f:
        f.write(buf)


if __name__ == "__main__":
    main()
