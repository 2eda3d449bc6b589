#!/bin/bash
# SPDX-License-Identifier: MIT
# make stress's long kfuzz run: one boot of ktest with only its kfuzz tests
# (user/manifests/ktest.manifest's service, with ktest's arguments
# only=kfuzz fuzzseed= fuzzseeds= fuzzcount= fuzztime=), one fuzzer a CPU,
# each running its share of the calls over its seeds one after another.
# The boot passes when every answer was well formed, no fuzzer's watchdog
# saw a stall, every fuzzer could be killed and every page came back
# (expected/ktest-kfuzz.txt); the fuzzers' "done in" lines give the calls
# a second.
#
#   tests/kfuzz/stress.sh [ARCH]   (default riscv64)
#   KFUZZ_CALLS (10000000: all fuzzers together), KFUZZ_SEEDS (25: seeds
#   of each fuzzer), KFUZZ_SEED (1: the first), KFUZZ_SMP (4)
set -e
cd "$(dirname "$0")/../.."
arch=${1:-riscv64}
calls=${KFUZZ_CALLS:-10000000}
seeds=${KFUZZ_SEEDS:-25}
seed=${KFUZZ_SEED:-1}
smp=${KFUZZ_SMP:-4}
case $arch in riscv64) board=virt ;; x86_64) board=q35 ;; *) echo "no arch $arch" >&2; exit 2 ;; esac
# the fuzzers' time limit and the harness's: 1,000 calls a second at least
# (riscv64 on four CPUs of a busy two-core host makes about 5,000)
secs=$((calls / 1000 + 600))
man=build/$arch-$board/kfuzz-stress.manifest
mkdir -p "$(dirname "$man")"
sed "s|^service ktest bin/ktest\$|service ktest bin/ktest only=kfuzz fuzzseed=$seed fuzzseeds=$seeds fuzzcount=$calls fuzztime=$((secs * 1000))|" \
  user/manifests/ktest.manifest > "$man"
grep -q "fuzzcount=$calls" "$man" || { echo "$man: no ktest service line to change" >&2; exit 1; }
dev=()
[ "$arch" = x86_64 ] && dev=(-- -device edu,addr=0x10)
exec python3 tests/harness/boot_test.py --name "$arch-kfuzz-stress-smp$smp" --timeout $((secs + 300)) \
  --expect tests/harness/expected/ktest-kfuzz.txt -- --arch "$arch" --manifest "$man" --smp "$smp" "${dev[@]}"
