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
exit $rc
