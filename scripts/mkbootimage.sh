#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# mkbootimage.sh OUT.cpio MANIFEST PROGRAM...
#
# Builds Cairn's boot image: a newc cpio archive holding
#   bin/<name>     each PROGRAM (one of them must be named init)
#   etc/manifest   MANIFEST, which init reads to start the services
# Entries are sorted, owned by 0:0, dated 0 (the archive depends only on
# its inputs). Written to a temporary file and renamed, so a concurrent
# reader never sees half an image.
set -euo pipefail
die() { echo "mkbootimage.sh: $*" >&2; exit 1; }
[ $# -ge 3 ] || die "usage: mkbootimage.sh OUT.cpio MANIFEST PROGRAM..."
out=$1 manifest=$2
shift 2
[ -f "$manifest" ] || die "no manifest '$manifest'"

outdir=$(dirname "$out")
mkdir -p "$outdir"
stage=$(mktemp -d "$outdir/.bootimage.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/root/bin" "$stage/root/etc"
for p; do
  name=${p##*/}
  [ -f "$p" ] || die "no program '$p'"
  [ ! -e "$stage/root/bin/$name" ] || die "two programs named '$name'"
  install -m 0755 "$p" "$stage/root/bin/$name"
done
[ -f "$stage/root/bin/init" ] || die "no program named init"
install -m 0644 "$manifest" "$stage/root/etc/manifest"
find "$stage/root" -exec touch -h -d @0 {} +

(cd "$stage/root" && find bin etc | LC_ALL=C sort |
   cpio -o -H newc --owner=0:0 --reproducible --quiet) > "$stage/out.cpio" ||
  die "cpio failed"
mv -f "$stage/out.cpio" "$out"
