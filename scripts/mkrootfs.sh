#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# mkrootfs.sh BOOTIMAGE.cpio OUT.ext2 [SIZE]
#
# The disk image of the default boot (`make rootfs`, build/<arch>/rootfs.ext2,
# which ./qemu-run.sh attaches as a virtio-blk disk): an ext2 file system
# made by the host's mke2fs -d (e2fsprogs) from a staging folder holding
# what the default boot's tree holds (the boot image's files: /bin with the
# system's programs, busybox and its links, /etc from user/rootfs), plus
# empty mount points /tmp (mode 1777), /dev and /proc, /root and
# /home/user. Owned by 0:0. SIZE (default 64M) leaves most of it free.
# Written aside and renamed, so a half-made image is never seen.
set -euo pipefail
die() { echo "mkrootfs.sh: $*" >&2; exit 1; }
[ $# -ge 2 ] || die "usage: mkrootfs.sh BOOTIMAGE.cpio OUT.ext2 [SIZE]"
cpio_in=$1 out=$2 size=${3:-64M}
[ -f "$cpio_in" ] || die "no boot image '$cpio_in'"
command -v mke2fs >/dev/null || die "no mke2fs (Debian's e2fsprogs: scripts/setup.sh installs it)"
mkdir -p "$(dirname "$out")"
stage=$(mktemp -d "$(dirname "$out")/.rootfs.XXXXXX")
trap 'rm -rf "$stage"' EXIT
in=$(realpath "$cpio_in")
r=$stage/root
mkdir "$r"
(cd "$r" && cpio -idm --quiet --no-absolute-filenames < "$in")
mkdir -p "$r/tmp" "$r/dev" "$r/proc" "$r/root" "$r/home/user"
chmod 1777 "$r/tmp"
chmod 0755 "$r/dev" "$r/proc" "$r/home" "$r/home/user"
chmod 0700 "$r/root"
[ "$(id -u)" = 0 ] && chown -R 0:0 "$r"
mke2fs -q -F -t ext2 -L cairn-root -E root_owner=0:0 -d "$r" "$out.tmp" "$size" >/dev/null
mv -f "$out.tmp" "$out"
