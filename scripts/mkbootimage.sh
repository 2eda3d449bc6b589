#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# mkbootimage.sh OUT.cpio MANIFEST [OPTIONS] PROGRAM...
#
# Builds Cairn's boot image: a newc cpio archive holding
#   bin/<name>     each PROGRAM (one of them must be named init)
#   etc/manifest   MANIFEST, which init reads to start the services
# and, with the options, a root file tree (the VFS serves the image's files
# as its root, so they are the system's files until a disk filesystem
# exists):
#   --busybox BIN LINKS  bin/busybox, and for each line of LINKS (busybox's
#                 busybox.links: /bin/ls, /usr/sbin/...) a symbolic link to
#                 /bin/busybox; the standard folders (sbin, usr/bin,
#                 usr/sbin, root, home, mnt, var, dev, proc, tmp)
#   --tree DIR    DIR's files, folders and symbolic links at the same paths
#                 (user/rootfs: /etc); modes are kept, owners are 0:0
#   --add HOST:GUEST  the file or folder HOST at GUEST (an absolute path in
#                 the image); later options replace what earlier ones put
# MANIFEST - makes an image of the file tree alone (no etc/manifest, no
# programs needed): the same tree for use outside Cairn (tests/busybox
# unpacks one as the Linux reference's chroot).
# Entries are sorted, owned by 0:0, dated 0 (the archive depends only on
# its inputs). Written to a temporary file and renamed, so a concurrent
# reader never sees half an image.
set -euo pipefail
die() { echo "mkbootimage.sh: $*" >&2; exit 1; }
[ $# -ge 3 ] || die "usage: mkbootimage.sh OUT.cpio MANIFEST [--busybox BIN LINKS] [--tree DIR] [--add HOST:GUEST] PROGRAM..."
out=$1 manifest=$2
shift 2
[ "$manifest" = - ] || [ -f "$manifest" ] || die "no manifest '$manifest'"

outdir=$(dirname "$out")
mkdir -p "$outdir"
stage=$(mktemp -d "$outdir/.bootimage.XXXXXX")
trap 'rm -rf "$stage"' EXIT
r=$stage/root
mkdir -p "$r/bin" "$r/etc"

# copy HOST (a file or a folder's contents) to the image path GUEST
put() {
  local host=$1 guest=$2
  case $guest in /*) ;; *) die "'$guest': the image path must be absolute" ;; esac
  case /$guest/ in */../*|*/./*) die "'$guest': no . or .. in the image path" ;; esac
  guest=${guest#/}
  if [ -d "$host" ]; then
    mkdir -p "$r/$guest"
    cp -a --no-preserve=ownership "$host/." "$r/$guest/"
  elif [ -e "$host" ] || [ -L "$host" ]; then
    [ -n "$guest" ] || die "'$host' is not a folder: it cannot be the root"
    mkdir -p "$(dirname "$r/$guest")"
    rm -rf "${r:?}/$guest"
    cp -a --no-preserve=ownership "$host" "$r/$guest"
  else
    die "no file or folder '$host'"
  fi
}

progs=()
while [ $# -gt 0 ]; do
  case $1 in
    --busybox)
      [ $# -ge 3 ] || die "--busybox needs BIN and LINKS"
      [ -f "$2" ] || die "no busybox '$2'"
      [ -f "$3" ] || die "no busybox links file '$3'"
      mkdir -p "$r"/{sbin,usr/bin,usr/sbin,root,home,mnt,var,dev,proc,tmp}
      chmod 0700 "$r/root"
      chmod 1777 "$r/tmp"
      install -m 0755 "$2" "$r/bin/busybox"
      # the links in one process (a fork or two a link took seconds)
      python3 - "$3" "$r" <<'PYEOF' || die "$3: a link that is not an absolute path"
import os, sys
links, root = sys.argv[1], sys.argv[2]
for l in open(links).read().split("\n"):
    if not l:
        continue
    if not l.startswith("/") or "/../" in l + "/" or "/./" in l + "/":
        sys.exit(1)
    l = l.lstrip("/")
    if l == "bin/busybox":
        continue
    p = os.path.join(root, l)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    if os.path.lexists(p):
        os.unlink(p)
    os.symlink("/bin/busybox", p)
PYEOF
      shift 3 ;;
    --tree)
      [ $# -ge 2 ] && [ -d "$2" ] || die "--tree needs a folder"
      put "$2" /
      shift 2 ;;
    --add)
      [ $# -ge 2 ] || die "--add needs HOST:GUEST"
      [[ $2 == *:/* ]] || die "--add '$2': HOST:GUEST with GUEST an absolute path"
      put "${2%%:/*}" "/${2#*:/}"
      shift 2 ;;
    *) progs+=("$1"); shift ;;
  esac
done
[ ${#progs[@]} -gt 0 ] || [ "$manifest" = - ] || die "no programs"
for p in ${progs[@]+"${progs[@]}"}; do
  name=${p##*/}
  [ -f "$p" ] || die "no program '$p'"
  [ ! -e "$r/bin/$name" ] || die "two programs named '$name'"
  install -m 0755 "$p" "$r/bin/$name"
done
if [ "$manifest" != - ]; then
  [ -f "$r/bin/init" ] || die "no program named init"
  install -m 0644 "$manifest" "$r/etc/manifest"
fi
find "$r" -exec touch -h -d @0 {} +

(cd "$r" && find . -mindepth 1 | sed 's#^\./##' | LC_ALL=C sort |
   cpio -o -H newc --owner=0:0 --reproducible --quiet) > "$stage/out.cpio" ||
  die "cpio failed"
mv -f "$stage/out.cpio" "$out"
