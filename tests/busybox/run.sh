#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Busybox's own testsuite in Cairn, beside its Linux reference:
# `make busybox-test`, `make busybox-test-update`, `make busybox-test-linux`
# and a step of `make test` (tests/run-all.sh, with --subset).
#
#   bash tests/busybox/run.sh [--update] [--subset] [--only UNIT]... [run.py options]
#   bash tests/busybox/run.sh --linux [--update]
#   BBTEST_ARCHES="riscv64 x86_64"   the arches (default both)
#
# Builds what a run needs (for each arch: the Cairn toolchain, the kernel and
# the POSIX world's servers, busybox and the helpers of shell/ash_test; for
# --linux the same busybox for the host), then tests/busybox/run.py runs
# the suite and compares (see there).
set -uo pipefail
cd "$(dirname "$0")/../.."
arches=(${BBTEST_ARCHES:-riscv64 x86_64})
linux=
for o in "$@"; do [ "$o" = --linux ] && linux=1; done
bash scripts/setup.sh || { echo "not ok busybox: scripts/setup.sh failed"; exit 1; }

t0=$SECONDS
if [ -n "$linux" ]; then
  if ! make --no-print-directory -s -f scripts/busybox.mk ARCH=host all ash-test-helpers; then
    echo "not ok busybox-linux: busybox for the host did not build (see above)"
    exit 1
  fi
  args=()
else
  for a in "${arches[@]}"; do
    case $a in riscv64) b=virt ;; x86_64) b=q35 ;; *) echo "run.sh: unknown arch $a" >&2; exit 2 ;; esac
    if ! make --no-print-directory -s ARCH=$a toolchain ||
       ! make --no-print-directory -s ARCH=$a BOARD=$b kernel ||
       ! make --no-print-directory -s -f scripts/busybox.mk ARCH=$a all ash-test-helpers ||
       ! make --no-print-directory -s ARCH=$a BOARD=$b user >/dev/null; then
      echo "not ok busybox-$a: the toolchain, kernel, servers or busybox did not build (see above)"
      exit 1
    fi
  done
  args=()
  for a in "${arches[@]}"; do args+=(--arch "$a"); done
fi
echo "# busybox: built in $((SECONDS - t0))s"

out=$(mktemp)
/usr/bin/python3 tests/busybox/run.py "${args[@]}" "$@" | tee "$out"
rc=${PIPESTATUS[0]}
# a failure that said nothing in the tally's terms (a traceback) still counts
if [ "$rc" -ne 0 ] && ! grep -q '^not ok ' "$out"; then
  echo "not ok busybox: tests/busybox/run.py failed (status $rc, see above)"
fi
rm -f "$out"
exit "$rc"
