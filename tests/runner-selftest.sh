#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The test of tests/run-all.sh's counting (tests/runner-lib.sh), a part of
# `make test`: small fake runs, each in a folder of its own with its output
# kept out of this script's, whose final `N passed, N failed` must be what
# the fake parts deserve. A part that dies without a result of its own (a
# Python traceback, a silent non-zero exit, a silent exit 0, an expected
# file that is not there, a guest that ran fewer tests than its list) must
# count as failed; a part's own `not ok` must count once; two runs at once
# must each count only their own parts. Prints `ok N runner: ...` lines and
# `# runner: N passed, N failed`; exits 0 when all passed. No QEMU.
set -uo pipefail
cd "$(dirname "$0")/.."
unset CAIRN_TEST_ONLY CAIRN_LOG_DIR     # the outer run's, when make test runs this
mkdir -p build/logs
T=$(mktemp -d build/logs/runner-selftest-XXXXXX)
n=0 failed=0

result() {   # result OK|FAIL what [file to show]
  n=$((n + 1))
  if [ "$1" = OK ]; then
    echo "ok $n runner: $2"
  else
    failed=$((failed + 1))
    echo "not ok $n runner: $2"
    [ -n "${3:-}" ] && sed 's/^/#   | /' "$3" | tail -15
  fi
}

# fake NAME CMD...: a run of its own in $T/NAME whose one group is the
# shell code CMD (runpart, buildpart... calls); its output in $T/NAME.out
fake() {
  local name=$1
  shift
  (
    . tests/runner-lib.sh
    run_begin "$T/$name"
    step "fake $name"
    eval "$*"
    run_end
  ) > "$T/$name.out" 2>&1
}

# expect NAME "P passed, F failed" WHAT [GREP]: the run's last line, and
# GREP (a regex) among its lines
expect() {
  local name=$1 want=$2 what=$3 re=${4:-}
  if [ "$(tail -n 1 "$T/$name.out")" = "$want" ] && { [ -z "$re" ] || grep -qE "$re" "$T/$name.out"; }; then
    result OK "$what"
  else
    result FAIL "$what (want '$want'${re:+ and a line /$re/})" "$T/$name.out"
  fi
}

fake good 'runpart printf "ok 1 fake: a\nok 2 fake: b\n"'
expect good "2 passed, 0 failed" "a part with two ok lines counts two passes"

fake traceback "runpart python3 -c 'print(\"ok 1 fake: before\", flush=True); raise RuntimeError(\"boom\")'"
expect traceback "1 passed, 1 failed" "a Python traceback after an ok line is a failure" \
  '^not ok python3: exited 1 without a result'

fake silent1 "runpart bash -c 'exit 1'"
expect silent1 "0 passed, 1 failed" "a part that prints nothing and exits 1 is a failure" \
  '^not ok bash: exited 1 without a result'

fake silent0 "runpart true"
expect silent0 "0 passed, 1 failed" "a part that prints no result and exits 0 is a failure" \
  '^not ok true: printed no result'

fake notok 'runpart bash -c "echo \"ok 1 fake: a\"; echo \"not ok 2 fake: b\"; exit 1"'
expect notok "1 passed, 1 failed" "a part's own not ok line counts once"

fake reason 'runpart printf "ok 1 fake: a\nnot ok 2 fake: b\n#   because of c\n# fake: 1 passed\n"'
expect reason "1 passed, 1 failed" "the end repeats a failure with its reason (what a CI page's tail shows)" \
  '^#     because of c$'

fake missing 'runpart /usr/bin/python3 tests/harness/boot_test.py --name fake-missing --expect tests/harness/expected/no-such-file.txt -- --arch riscv64'
expect missing "0 passed, 1 failed" "boot_test.py with a missing expected file fails (before booting)" \
  '^not ok 1 fake-missing: the expected file'

# boot_test.py's judging of a guest's lines, on made-up output: a test of
# the expected list that did not run is a failure, so is a guest summary
# that disagrees with its lines
printf 'fake.a\nfake.b\nfake.c\n' > "$T/expected.txt"
cat > "$T/judge.py" <<PY
import argparse, sys
sys.path.insert(0, "tests/harness")
import boot_test
from cairn_harness import Results
a = argparse.Namespace(name="fake-guest", expect=["$T/expected.txt"], timeout=1)
r = Results(a.name)
boot_test.selftest_mode(a, 0, "ok 1 fake.a\nok 2 fake.b\n2 passed, 0 failed\n", False, r)
r.finish()
PY
fake fewer "runpart python3 $T/judge.py"
expect fewer "2 passed, 2 failed" "a guest that ran fewer tests than its expected list fails" \
  '^not ok 3 fake-guest: fake.c'

fake build 'buildpart fake-build false; buildpart fake-build2 true'
expect build "1 passed, 1 failed" "a build that fails is a failure, one that succeeds a pass"

fake only 'CAIRN_TEST_ONLY=nomatch; step "a group not asked for"; runpart bash -c "exit 3"; fail "skipped too"'
expect only "0 passed, 0 failed" "CAIRN_TEST_ONLY skips the groups it does not name"

# two runs at once: each counts its own parts only
fake twin1 'runpart bash -c "sleep 1; echo \"ok 1 twin1: a\""' &
fake twin2 'runpart bash -c "sleep 0.5; echo \"not ok 1 twin2: b\"; echo \"ok 2 twin2: c\"; echo \"ok 3 twin2: d\""' &
wait
expect twin1 "1 passed, 0 failed" "two runs at once: the first counts only its own lines"
expect twin2 "2 passed, 1 failed" "two runs at once: the second counts only its own lines"

# lanes: parts of two functions at once, each counted once, in order; a
# lane that exits before its end is a failure
fake lanes 'l1() { runpart bash -c "sleep 0.5; echo \"ok 1 l1: a\""; runpart bash -c "echo \"not ok 2 l1: b\""; }
l2() { runpart bash -c "echo \"ok 1 l2: c\""; runpart bash -c "exit 1"; }
lanes l1 l2'
expect lanes "2 passed, 2 failed" "two lanes at once: each part counted once, a silent death too" \
  '^not ok bash: exited 1 without a result'
fake lanedies 'l1() { runpart bash -c "echo \"ok 1 l1: a\""; exit 3; runpart bash -c "echo \"ok 2 l1: never\""; }
l2() { runpart bash -c "echo \"ok 1 l2: b\""; }
lanes l1 l2'
expect lanedies "2 passed, 1 failed" "a lane that exits before its end is a failure" \
  '^not ok lane l1: ended \(status 3\)'
if [ -f "$T/lanes/part-l1-1.out" ] && [ -f "$T/lanes/part-l2-1.out" ]; then
  result OK "lanes keep each part's output apart (part-LANE-N.out)"
else
  result FAIL "lanes keep each part's output apart (part-LANE-N.out)"
fi

# every harness of a run logs into the run's own folder
fake logdir 'runpart bash -c "[ \"\$CAIRN_LOG_DIR\" = \"$T/logdir\" ] && echo \"ok 1 logdir\""'
expect logdir "1 passed, 0 failed" "a run's parts get CAIRN_LOG_DIR, the run's own folder"

echo "# runner: $((n - failed)) passed, $failed failed"
[ "$failed" -eq 0 ] && rm -rf "$T"
[ "$failed" -eq 0 ]
