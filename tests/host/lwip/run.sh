#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Runs lwIP's unit test program (built by tests/host/lwip.mk) and prints one
# `ok lwip SUITE TEST` / `not ok lwip SUITE TEST: MESSAGE` line per test
# case, from the TAP log check writes (CK_TAP_LOG_FILE_NAME), then
# `lwIP unit tests: N passed, N failed`.
#
#   tests/host/lwip/run.sh PROGRAM EXPECTED
#
# Every test runs in a child of its own (CK_FORK=yes), so a test that
# crashes (a segfault, an ASan or UBSan report, an lwIP assertion's abort)
# is check's `not ok` for that test alone. The program as a whole is
# checked too, each adding a `not ok` of its own: it must exit 0 (or 1,
# lwIP's main() for "some test failed", with a `not ok` to show for it),
# write check's closing plan line `1..N`, N results, and N must be
# EXPECTED (the number of tests lwIP's test/unit has), so a suite that
# silently dropped out, or a program that died half way, cannot pass.
# Exit status: 0 when every line was `ok`.
set -u
prog=$1
expected=$2
dir=$(dirname "$prog")
tap=$dir/tap.txt
log=$dir/lwip_unittests.log
rm -f "$tap" "$dir/lwip_unittests.xml"

# In $dir: lwIP's main() writes lwip_unittests.xml to the current folder.
# check's default timeout (4 s a test) with room for the sanitizers.
(cd "$dir" && CK_FORK=yes CK_TAP_LOG_FILE_NAME=tap.txt CK_TIMEOUT_MULTIPLIER=5 \
  "./$(basename "$prog")") > "$log" 2>&1
rc=$?

out=$dir/results.txt
if [ -f "$tap" ]; then
  sed -nE \
    -e 's/^ok [0-9]+ - [^:]*:([^:]*):([^:]*): .*$/ok lwip \1 \2/p' \
    -e 's/^not ok [0-9]+ - [^:]*:([^:]*):([^:]*): (.*)$/not ok lwip \1 \2: \3/p' \
    "$tap" > "$out"
else
  : > "$out"
fi
results=$(grep -cE '^(not )?ok ' "$out")
failed=$(grep -c '^not ok ' "$out")
plan=$(sed -nE 's/^1\.\.([0-9]+)$/\1/p' "$tap" 2>/dev/null)

if [ "$rc" -ne 0 ] && ! { [ "$rc" -eq 1 ] && [ "$failed" -gt 0 ]; }; then
  echo "not ok lwip unit test program: exited $rc (see $log)" >> "$out"
fi
if [ -z "$plan" ]; then
  echo "not ok lwip unit test program: check's TAP log $tap has no plan line (the program died; see $log)" >> "$out"
elif [ "$plan" -ne "$results" ]; then
  echo "not ok lwip unit test program: TAP plan 1..$plan but $results results" >> "$out"
fi
if [ "$results" -ne "$expected" ]; then
  echo "not ok lwip unit test count: $results tests ran, lwIP's test/unit has $expected (see $log)" >> "$out"
fi

cat "$out"
pass=$(grep -c '^ok ' "$out")
fail=$(grep -c '^not ok ' "$out")
if [ "$fail" -ne 0 ]; then
  echo "# the program's own output ($log), last lines:"
  tail -n 30 "$log" | sed 's/^/#   /'
fi
echo "lwIP unit tests: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
