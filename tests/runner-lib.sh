# SPDX-License-Identifier: MIT
#
# The counting half of tests/run-all.sh (`make test`), sourced by it and by
# its own test, tests/runner-selftest.sh.
#
#   run_begin [DIR]    this run's folder: DIR, or a new build/logs/run-XXXXXX;
#                      exported as CAIRN_LOG_DIR, where every harness of this
#                      run writes its boot logs (tests/harness/cairn_harness.py),
#                      so two runs at once never share a log. $RUN_LOG, the
#                      run's own transcript, is the only thing counted.
#   step TITLE         starts a part group; with CAIRN_TEST_ONLY=REGEX set, a
#                      group whose title does not match is skipped (runpart
#                      and fail then do nothing), for running a few parts.
#   runpart CMD...     runs one part, its output to the terminal and
#                      $RUN_LOG. A part must end in a result of its own: if
#                      it exits non-zero without a `not ok` line (a Python
#                      traceback, a missing file, a crash), or prints no
#                      `ok`/`not ok` line at all, runpart adds
#                      `not ok PART: ...` for it. Returns the part's status.
#   buildpart NAME CMD...  a build (prints no result of its own): `ok build
#                      NAME` when CMD succeeds, else `not ok build NAME: ...`.
#   fail MESSAGE       records `not ok MESSAGE`.
#   step TITLE         a group's header, with the time since the start.
#   lanes FN...        runs the shell functions FN... at the same time (each
#                      a lane: its runpart/buildpart calls in order, e.g. one
#                      arch's boots; CAIRN_TEST_JOBS=1 runs them one after
#                      another). Each lane counts into a log of its own, which
#                      is added to $RUN_LOG, and printed, when all have ended,
#                      in the order given. A lane that does not reach its end
#                      (it exited early: an error in the script, a kill)
#                      adds `not ok lane FN: ...`, so no part can drop out of
#                      the count unseen. Lanes must not share build folders:
#                      two boots of one arch build into the same one. A lane
#                      should start with a step: CAIRN_TEST_ONLY filters by
#                      the steps inside the lanes.
#   run_end            prints `N passed, N failed` counted from $RUN_LOG
#                      alone; status 0 when nothing failed and something passed.

run_begin() {
  if [ -n "${1:-}" ]; then
    RUN_DIR=$1
    mkdir -p "$RUN_DIR"
  else
    mkdir -p build/logs
    RUN_DIR=$(mktemp -d build/logs/run-XXXXXX)
  fi
  export CAIRN_LOG_DIR=$RUN_DIR
  RUN_LOG=$RUN_DIR/test-all.txt
  : > "$RUN_LOG"
  RUN_SKIP=
  RUN_PARTS=0
  RUN_LANE=
}

step() {
  RUN_SKIP=
  if [ -n "${CAIRN_TEST_ONLY:-}" ] && ! [[ $* =~ $CAIRN_TEST_ONLY ]]; then
    RUN_SKIP=1
    return 0
  fi
  echo "# --- $* (at $((SECONDS / 60))m$((SECONDS % 60))s)" | tee -a "$RUN_LOG"
}

fail() {
  [ -n "$RUN_SKIP" ] && return 0
  echo "not ok $*" | tee -a "$RUN_LOG"
}

# The name a part's own result line uses: the value of --name, else the
# command's words up to the first option.
part_name() {
  local prev= w name=
  for w in "$@"; do
    if [ "$prev" = --name ]; then echo "$w"; return; fi
    prev=$w
  done
  for w in "$@"; do
    case $w in -*) break ;; esac
    name+="${name:+ }${w##*/}"
  done
  echo "$name"
}

runpart() {
  [ -n "$RUN_SKIP" ] && return 0
  local out rc name
  RUN_PARTS=$((RUN_PARTS + 1))
  out=$RUN_DIR/part-$RUN_LANE$RUN_PARTS.out
  "$@" 2>&1 | tee "$out" | tee -a "$RUN_LOG"
  rc=${PIPESTATUS[0]}
  name=$(part_name "$@")
  if [ "$rc" -ne 0 ] && ! grep -q '^not ok ' "$out"; then
    echo "not ok $name: exited $rc without a result (\`$*\`, see $out)" | tee -a "$RUN_LOG"
  elif ! grep -qE '^(not )?ok ' "$out"; then
    echo "not ok $name: printed no result (\`$*\`, see $out)" | tee -a "$RUN_LOG"
  fi
  return "$rc"
}

buildpart() {
  [ -n "$RUN_SKIP" ] && return 0
  local name=$1 rc
  shift
  "$@" 2>&1 | tee -a "$RUN_LOG"
  rc=${PIPESTATUS[0]}
  if [ "$rc" -eq 0 ]; then
    echo "ok build $name" | tee -a "$RUN_LOG"
  else
    echo "not ok build $name: exited $rc (see above)" | tee -a "$RUN_LOG"
  fi
  return "$rc"
}

lanes() {
  local l pids=() i rc
  for l in "$@"; do
    (
      RUN_LANE=$l-
      RUN_LOG=$RUN_DIR/lane-$l.txt
      : > "$RUN_LOG"
      "$l"
      echo "lane $l: done" > "$RUN_DIR/lane-$l.end"
    ) > "$RUN_DIR/lane-$l.term" 2>&1 &
    pids+=($!)
    [ "${CAIRN_TEST_JOBS:-2}" -gt 1 ] || wait "${pids[-1]}"
  done
  i=0
  for l in "$@"; do
    wait "${pids[$i]}"
    rc=$?
    i=$((i + 1))
    cat "$RUN_DIR/lane-$l.term"
    cat "$RUN_DIR/lane-$l.txt" >> "$RUN_LOG"
    if ! [ -f "$RUN_DIR/lane-$l.end" ]; then
      echo "not ok lane $l: ended (status $rc) before its last part; see $RUN_DIR/lane-$l.term" | tee -a "$RUN_LOG"
    fi
  done
}

run_end() {
  local passed failed
  passed=$(grep -c '^ok ' "$RUN_LOG")
  failed=$(grep -c '^not ok ' "$RUN_LOG")
  # the tail of the output is what a CI page shows: when each step began,
  # then the failures again with the first line of each one's reason and
  # the thread dump of a boot that ran out of time (its "#   kdump:" lines,
  # tests/harness/cairn_harness.py)
  echo "# the steps and when they began:"
  grep '^# --- ' "$RUN_LOG" | sed 's/^# --- /#   /' | cut -c1-110
  if [ "$failed" -gt 0 ]; then
    echo "# the failures (the first 40) and their reasons:"
    awk '/^not ok /{ if (n++ >= 40) exit; print "#   " substr($0, 1, 150); want = 1; k = 0; next }
         want && /^#   kdump:/{ if (k++ < 40) print "#     " substr($0, 5, 150); next }
         want == 1 && /^#   /{ print "#     " substr($0, 5, 150); want = 2; next }
         want && /^#   /{ next } { want = 0 }' "$RUN_LOG"
  fi
  echo "# logs of this run: $RUN_DIR (took $((SECONDS / 60))m$((SECONDS % 60))s)"
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
}
