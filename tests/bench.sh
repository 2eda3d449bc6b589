#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# `make bench`: the kernel benchmarks (user/bench) booted under
# qemu -icount shift=0 with the bench manifest. Every figure is guest
# instructions per operation, read from the instruction counter inside the
# guest (riscv64 rdinstret; x86-64 rdtsc, which -icount shift=0 advances
# once per instruction: the bench checks both with a loop of known length),
# so runs are exact and repeatable. Prints one line per figure:
#   <arch> <name> <instructions/op>
# and fails if a run did not complete.
set -u
cd "$(dirname "$0")/.."
arches=${BENCH_ARCHES:-riscv64 x86_64}
mkdir -p build/logs
rc=0
for arch in $arches; do
    log=build/logs/bench-$arch.log
    if ! timeout 300 ./qemu-run.sh --arch "$arch" --icount --manifest bench >"$log" 2>&1; then
        echo "bench: $arch run failed (log: $log)" >&2
        rc=1
    fi
    if ! grep -q '^bench: done' "$log"; then
        echo "bench: $arch did not finish (log: $log)" >&2
        grep -E '^bench: FAILED|cairn:' "$log" >&2
        rc=1
        continue
    fi
    # the counter's own check: a 2-instruction loop must read 2 counts a pass
    if ! grep -q '^bench: calibration 1.00 counts per instruction' "$log"; then
        echo "bench: $arch counter is not one count per instruction:" >&2
        grep '^bench: calibration' "$log" >&2
        rc=1
    fi
    grep -E '^bench: [a-z_0-9]+ [0-9]+ insns/op' "$log" |
        awk -v arch="$arch" '{ printf "%-8s %-24s %8d instructions/op\n", arch, $2, $3 }'
done

# The POSIX benchmarks (user/posixbench: getppid, pipe ping-pong between
# forked processes, open+read+close of 4 KiB, 1 MiB in 4 KiB reads), built
# with the Cairn toolchain and run with --exec under -icount. The same
# source runs on the Linux 6.1 peer in the same QEMU when
# ../shared/peer/run-linux.sh and a riscv64 glibc are there (never needed).
for arch in $arches; do
    log=build/logs/posixbench-$arch.log
    if ! make --no-print-directory -s ARCH=$arch toolchain >/dev/null 2>&1 ||
       ! build/$arch/bin/$arch-cairn-gcc -O2 -idirafter user/lib/arch/$arch/include \
           -o build/$arch/posixbench user/posixbench/posixbench.c; then
        echo "bench: cannot build posixbench for $arch" >&2
        rc=1
        continue
    fi
    timeout 600 ./qemu-run.sh --arch "$arch" --icount --exec build/$arch/posixbench >"$log" 2>&1
    if ! grep -q '^bench: done' "$log"; then
        echo "bench: posixbench on $arch did not finish (log: $log)" >&2
        rc=1
        continue
    fi
    grep -E '^bench: [a-z_0-9]+ [0-9]+ insns/op' "$log" |
        awk -v arch="$arch" '{ printf "%-8s %-24s %8d instructions/op\n", arch, "posix." $2, $3 }'
done
peer=../shared/peer/run-linux.sh
if [ -x "$peer" ] && [[ " $arches " == *" riscv64 "* ]] &&
   riscv64-linux-gnu-gcc -O2 -static -DLINUX_PEER -Iuser/lib/arch/riscv64/include -o build/posixbench-linux user/posixbench/posixbench.c 2>/dev/null; then
    timeout 600 "$peer" build/posixbench-linux 2>/dev/null | grep -E '^bench: [a-z_0-9]+ [0-9]+ insns/op' |
        awk '{ printf "%-8s %-24s %8d instructions/op\n", "linux", "posix." $2, $3 }'
fi
exit $rc
