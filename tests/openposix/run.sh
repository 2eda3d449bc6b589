#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The Open POSIX Test Suite on Cairn: `make posix`, `make posix-update` and
# a step of `make test` (tests/run-all.sh).
#
#   bash tests/openposix/run.sh [--update] [run.py options]
#   POSIX_ARCHES="riscv64 x86_64"   the arches (default both)
#   POSIX_AREAS="nanosleep sem_init" only these areas of tests/openposix/areas.txt
#   POSIX_ROOTS="tmpfs ext2"          the roots (default both; ext2: the areas
#                                     areas.txt marks ext2, on an ext2 "/")
#   POSIX_VERBOSE=1                   name the tests that pass on Linux and not
#                                     here without a reason (run.py --verbose;
#                                     Linux's list: tests/openposix/README.md)
#
# For each arch: the Cairn toolchain, the kernel and init, then the tests of
# the areas of tests/openposix/areas.txt (tests/openposix/posix.mk, cached in
# build/<arch>/posixtestsuite/); then tests/openposix/run.py boots them and
# compares their results with tests/openposix/expected-<arch>.txt: one
# `ok`/`not ok` line per area and arch, with the counts (pass, fail,
# unresolved, unsupported, untested). The areas areas.txt marks "ext2"
# (the file areas) run again in boots whose "/" is a fresh ext2 disk (made
# by the host's mke2fs) with their /tmp on it, compared with
# tests/openposix/expected-<arch>-ext2.txt: a line per area and arch
# again, and one for the host's e2fsck -fn of each disk after its boot's
# power-off. --update writes the expected lists instead.
set -uo pipefail
cd "$(dirname "$0")/../.."
arches=(${POSIX_ARCHES:-riscv64 x86_64})
jobs=$(nproc)
bash scripts/setup.sh || { echo "not ok posix: scripts/setup.sh failed"; exit 1; }

t0=$SECONDS
for a in "${arches[@]}"; do
  case $a in riscv64) b=virt ;; x86_64) b=q35 ;; *) echo "run.sh: unknown arch $a" >&2; exit 2 ;; esac
  if ! make --no-print-directory -s ARCH=$a toolchain ||
     ! make --no-print-directory -s ARCH=$a BOARD=$b kernel ||
     ! make --no-print-directory -s ARCH=$a BOARD=$b user >/dev/null; then
    echo "not ok posix-$a: the toolchain, kernel or init did not build (see above)"
    exit 1
  fi
  # a test that does not compile is a result (NOBUILD), not a failure here
  # one make of an arch's programs at a time (make test builds them in the
  # background too, tests/run-all.sh)
  mkdir -p build/$a
  if ! flock build/$a/.posix-programs.lock make --no-print-directory -s -j"$jobs" -f tests/openposix/posix.mk ARCH=$a; then
    echo "not ok posix-$a: tests/openposix/posix.mk failed (see above)"
    exit 1
  fi
done
echo "# posix: toolchains and tests built in $((SECONDS - t0))s"

args=()
for a in "${arches[@]}"; do args+=(--arch "$a"); done
for x in ${POSIX_AREAS:-}; do args+=(--only "$x"); done
for x in ${POSIX_ROOTS:-}; do args+=(--root "$x"); done
out=$(mktemp)
/usr/bin/python3 tests/openposix/run.py "${args[@]}" "$@" | tee "$out"
rc=${PIPESTATUS[0]}
# a failure that said nothing in the tally's terms (a traceback) still counts
if [ "$rc" -ne 0 ] && ! grep -q '^not ok ' "$out"; then
  echo "not ok posix: tests/openposix/run.py failed (status $rc, see above)"
fi
rm -f "$out"
exit "$rc"
