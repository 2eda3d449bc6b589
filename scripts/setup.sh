#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# One idempotent set-up step for Cairn on a Debian (bookworm) machine.
# Installs the Debian packages the build and tests need, and fetches the
# Debian source packages whose code we build (libfdt from u-boot's source
# package) into build/third_party/. Safe to run again: it does nothing when
# everything is already present. Called by ./qemu-run.sh, `make` and .ci/run.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
tp="$top/build/third_party"
stamp="$top/build/.setup-done-v1"

PKGS=(
  make gcc libc6-dev
  gcc-riscv64-linux-gnu binutils-riscv64-linux-gnu
  qemu-system-misc qemu-system-x86 opensbi
  device-tree-compiler python3 python3-kconfiglib
  grub-pc-bin grub-common xorriso mtools
  clang llvm libclang-rt-14-dev
  dpkg-dev cpio patch
  e2fsprogs check pkg-config curl socat
  linux-libc-dev linux-libc-dev-riscv64-cross libc6-dev-riscv64-cross
  musl-tools    # musl-gcc: tests/openposix/linux-ref.sh (Linux's Open POSIX results)
)

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

missing_pkgs() {
  local p
  for p in "${PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"
  done
}

ensure_deb_src() {
  # Source packages need a deb-src entry for Debian's own archive.
  local f=/etc/apt/sources.list.d/cairn-debian-src.sources
  if ! grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ /etc/apt/sources.list 2>/dev/null &&
     ! grep -qs '^deb-src' /etc/apt/sources.list 2>/dev/null; then
    local uri
    uri=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
    [ -n "$uri" ] || uri=http://deb.debian.org/debian
    as_root tee "$f" >/dev/null <<SRC
Types: deb-src
URIs: $uri
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
    APT_UPDATED=
  fi
}

APT_UPDATED=
apt_update() { [ -n "$APT_UPDATED" ] || { as_root apt-get update -qq; APT_UPDATED=1; }; }

install_pkgs() {
  local m
  m=$(missing_pkgs)
  [ -z "$m" ] && return 0
  echo "setup: installing Debian packages:" $m
  apt_update
  # shellcheck disable=SC2086
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $m
}

# fetch_source PKG [patches]: unpack Debian source package PKG under
# $tp/PKG/src: pristine, or with Debian's own patches applied if asked.
fetch_source() {
  local pkg=$1 skip=--skip-patches
  [ "${2:-}" = patches ] && skip=
  [ -e "$tp/$pkg.done" ] && return 0
  ensure_deb_src
  apt_update
  rm -rf "$tp/$pkg"
  mkdir -p "$tp/$pkg"
  echo "setup: fetching Debian source package $pkg"
  (cd "$tp/$pkg" && apt-get source --download-only -qq "$pkg" >/dev/null &&
     dpkg-source $skip -x ./*.dsc src >/dev/null)
  touch "$tp/$pkg.done"
}

# libfdt: Debian's device-tree-compiler source package is not served, so the
# same libfdt sources come from u-boot's source package (scripts/dtc/libfdt).
setup_libfdt() {
  [ -e "$tp/libfdt/fdt.c" ] && return 0
  fetch_source u-boot
  mkdir -p "$tp/libfdt"
  cp "$tp/u-boot/src/scripts/dtc/libfdt/"*.[ch] "$tp/libfdt/"
}

# musl 1.2.3, pristine (Debian's packaging patches skipped), for the Cairn
# toolchain: musl-port/ patches a copy of it at build time
# (scripts/toolchain.mk). Nothing of it is committed.
MUSL_VERSION=1.2.3
setup_musl() {
  [ -e "$tp/musl.done" ] && return 0
  fetch_source musl
  local v
  v=$(cat "$tp/musl/src/VERSION" 2>/dev/null || true)
  if [ "$v" != "$MUSL_VERSION" ]; then
    echo "setup: Debian's musl source package is $v, musl-port needs $MUSL_VERSION" >&2
    rm -f "$tp/musl.done"
    return 1
  fi
}

# The Open POSIX Test Suite 1.5.2 (Debian's posixtestsuite, with Debian's
# patches: LDFLAGS for GNU, missing includes), built with the Cairn
# toolchain and run in Cairn by `make posix` (tests/openposix/). Nothing of it
# is committed.
setup_posixtestsuite() {
  [ -e "$tp/posixtestsuite.done" ] && return 0
  fetch_source posixtestsuite patches
  [ -e "$tp/posixtestsuite/src/include/posixtest.h" ] || {
    echo "setup: Debian's posixtestsuite source package has no include/posixtest.h" >&2
    rm -f "$tp/posixtestsuite.done"
    return 1
  }
}

# busybox 1.35.0, pristine (Debian's packaging patches skipped): the userland,
# built with the Cairn toolchain by scripts/busybox.mk, configured by
# user/busybox/config. Nothing of it is committed.
BUSYBOX_VERSION=1.35.0
setup_busybox() {
  [ -e "$tp/busybox.done" ] && return 0
  fetch_source busybox
  local v
  v=$(sed -n 's/^VERSION = //p; s/^PATCHLEVEL = //p; s/^SUBLEVEL = //p' "$tp/busybox/src/Makefile" | paste -sd.)
  if [ "$v" != "$BUSYBOX_VERSION" ]; then
    echo "setup: Debian's busybox source package is $v, Cairn's configuration is for $BUSYBOX_VERSION" >&2
    rm -f "$tp/busybox.done"
    return 1
  fi
}

# e2fsprogs 1.47.0, pristine (Debian's packaging patches skipped): libext2fs
# for the ext2 server (user/servers/ext2), built per arch by scripts/e2fs.mk
# with the Cairn toolchain (and for the host tests). Nothing of it is
# committed; Cairn's own patches, if any, are scripts/patches/e2fsprogs/.
E2FSPROGS_VERSION=1.47.0
setup_e2fsprogs() {
  [ -e "$tp/e2fsprogs.done" ] && return 0
  fetch_source e2fsprogs
  local v
  v=$(sed -n 's/^#define E2FSPROGS_VERSION "\(.*\)"/\1/p' "$tp/e2fsprogs/src/version.h" 2>/dev/null || true)
  if [ "$v" != "$E2FSPROGS_VERSION" ]; then
    echo "setup: Debian's e2fsprogs source package is $v, the ext2 server needs $E2FSPROGS_VERSION" >&2
    rm -f "$tp/e2fsprogs.done"
    return 1
  fi
}

# lwIP 2.1.3, pristine: `apt-get source lwip` would apply Debian's port patch,
# which ties api/sockets.c to Debian's own port headers
# (../shared/design/DEPENDENCIES.md); Cairn's network server
# (user/servers/net) uses the raw API and brings its own port
# (user/servers/net/port/), built per arch by scripts/lwip.mk, and lwIP's
# own unit tests (test/unit, on Debian's `check`) run on the host.
LWIP_VERSION=2.1.3
setup_lwip() {
  [ -e "$tp/lwip.done" ] && return 0
  fetch_source lwip
  local v
  # init.h has CRLF line ends
  v=$(tr -d '\r' < "$tp/lwip/src/src/include/lwip/init.h" 2>/dev/null |
      awk '/define LWIP_VERSION_MAJOR/{a=$3} /define LWIP_VERSION_MINOR/{b=$3}
           /define LWIP_VERSION_REVISION/{c=$3} END{print a"."b"."c}' || true)
  if [ "$v" != "$LWIP_VERSION" ]; then
    echo "setup: Debian's lwip source package is $v, the network server needs $LWIP_VERSION" >&2
    rm -f "$tp/lwip.done"
    return 1
  fi
}

main() {
  if [ -e "$stamp" ] && [ -z "$(missing_pkgs)" ] && [ -e "$tp/libfdt/fdt.c" ] &&
     [ -e "$tp/musl.done" ] && [ -e "$tp/posixtestsuite.done" ] && [ -e "$tp/busybox.done" ] &&
     [ -e "$tp/e2fsprogs.done" ] && [ -e "$tp/lwip.done" ]; then
    return 0
  fi
  install_pkgs
  setup_libfdt
  setup_musl
  setup_posixtestsuite
  setup_busybox
  setup_e2fsprogs
  setup_lwip
  mkdir -p "$(dirname "$stamp")"
  touch "$stamp"
  echo "setup: done"
}

main "$@"
