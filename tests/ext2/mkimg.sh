#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The disk images of user/tests/ext2test (tests/run-all.sh, ext2_boot),
# made with the host's mke2fs (e2fsprogs):
#
#   tests/ext2/mkimg.sh fresh IMG BLOCKSIZE    an empty 32 MiB ext2
#   tests/ext2/mkimg.sh small IMG              a 1 MiB ext2 (ENOSPC), no reserved blocks
#   tests/ext2/mkimg.sh corrupt IMG SEED       a 4 MiB ext2 holding a small tree
#                                              (files, a symlink, directories), then
#                                              bytes flipped by SEED in the inode
#                                              table's first blocks and the directories'
#                                              blocks; the superblock and group
#                                              descriptors are left alone, so the file
#                                              system opens and its contents are broken
set -euo pipefail
die() { echo "mkimg.sh: $*" >&2; exit 2; }
[ $# -ge 2 ] || die "usage: mkimg.sh fresh IMG BS | small IMG | corrupt IMG SEED"
mode=$1 img=$2
rm -f "$img"
case $mode in
  fresh) mke2fs -q -F -t ext2 -b "${3:-1024}" "$img" 32M ;;
  small) mke2fs -q -F -t ext2 -m 0 -N 64 "$img" 1M ;;
  corrupt)
    seed=${3:?seed}
    d=$(mktemp -d)
    trap 'rm -rf "$d"' EXIT
    mkdir -p "$d/a/b" "$d/c"
    echo hi > "$d/a/f"
    ln -s f "$d/a/l"
    seq 1 3000 > "$d/a/b/numbers"
    for i in $(seq 1 40); do echo "$i" > "$d/c/entry-$i"; done
    mke2fs -q -F -t ext2 -b 1024 -d "$d" "$img" 4M
    # the blocks worth breaking: the inode table's first 4, every directory's
    blocks=$(dumpe2fs "$img" 2>/dev/null | sed -n 's/.*Inode table at \([0-9]*\)-.*/\1/p' | head -1)
    blocks="$blocks $((blocks + 1)) $((blocks + 2)) $((blocks + 3))"
    for p in / /a /a/b /c; do
      blocks="$blocks $(debugfs -R "blocks $p" "$img" 2>/dev/null)"
    done
    python3 - "$img" "$seed" $blocks <<'PY'
import random, sys
img, seed, blocks = sys.argv[1], int(sys.argv[2]), [int(b) for b in sys.argv[3:]]
rnd = random.Random(seed)
with open(img, "r+b") as f:
    for _ in range(4 + seed % 8):
        b = rnd.choice(blocks)
        off = b * 1024 + rnd.randrange(1024 - 8)
        f.seek(off)
        f.write(bytes(rnd.randrange(256) for _ in range(rnd.choice((1, 2, 4, 8)))))
PY
    ;;
  *) die "unknown image kind '$mode'" ;;
esac
