#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The Open POSIX Test Suite on this machine's Linux, with musl: the
# reference tests/openposix/run.py prints beside Cairn's results. Rewrites
# tests/openposix/linux-x86_64.txt (check the diff and commit it).
#
#   bash tests/openposix/linux-ref.sh
#   LINUX_REF_RUNS=3        runs of every test (results that differ: `A|B`)
#   LINUX_REF_TIMEOUT=60    seconds a test may take (run.py's boot limit)
#   LINUX_REF_HUNG_TIMEOUT=20  the same, in later runs, for a test that hung
#                           in an earlier one (run.py's --hung-timeout)
#   LINUX_REF_JOBS=2        tests at a time (at most 2: timing tests)
#   LINUX_REF_AREAS="mq_open timer_create"  only these areas; the list is
#                           then not written (build/linux-ref/results.txt is)
#   LINUX_REF_REWRITE=1     no build or run: write the list again from the
#                           last whole run's results (after a header change)
#
# Every area of conformance/interfaces/ (Debian's posixtestsuite 1.5.2,
# scripts/setup.sh), not only those of areas.txt: aio_*, lio_listio, mq_*,
# timer_*, sched_setparam, sched_setscheduler (pthread_attr_getstackaddr
# and pthread_attr_setstackaddr hold no test). Built as tests/openposix/posix.mk builds
# them for Cairn (the suite's flags, -lpthread -lrt -lm; a test that does
# not build is NOBUILD, a *-buildonly test is only compiled: PASS when it
# does), with Debian's musl-gcc -static (musl-tools), into build/linux-ref/.
# A result is run.py's: the exit status (PASS FAIL UNRESOLVED UNSUPPORTED
# UNTESTED, STATUS-N), the signal that ended it (SIGSEGV...), or HUNG.
#
# Safety: the tests send signals to their process group and to every
# process they may (kill(0, ...), kill(-1, ...)), set the clock and change
# rlimits. The whole run is in a user and pid namespace of its own
# (unshare -p -f --mount-proc in a user namespace: unshare -r, or run by
# root, the host's uids 0-65535 mapped to themselves, below), and each test in a pid, mount and IPC
# namespace of its own within it, in a session of its own (setsid), with a
# tmpfs of its own on /tmp (its working directory: /tmp/work) and on
# /dev/shm: nothing outside can be signalled, the message queues and files
# it makes vanish with it (nothing is left in the host's /tmp), and when
# its time is up its namespace's init is killed, which kills all it
# started. The test is pid 2 of its namespace (init, pid 1, is the shell
# that waits for it: kill(-1) does not reach it). Being root of a user
# namespace only, a test has no capability in the host's: what needs
# one there (CAP_SYS_TIME: clock_settime; CAP_SYS_NICE or an RLIMIT_RTPRIO:
# SCHED_FIFO and SCHED_RR; CAP_IPC_LOCK beyond RLIMIT_MEMLOCK) fails with
# EPERM here, as it would for an ordinary user. The list's header says so.
# One limit is lifted, in the test's own IPC namespace: the message queue
# limits are the kernel's hard ones, which the host's root may reach.
# The working directory is empty, as in Cairn: the few tests that open
# their own source by a path of the suite's tree do not find it there either.
set -uo pipefail
cd "$(dirname "$0")/../.."
top=$PWD
PTS=build/third_party/posixtestsuite/src
IFACES=$PTS/conformance/interfaces
OUT=build/linux-ref
LIST=tests/openposix/linux-x86_64.txt
RUNS=${LINUX_REF_RUNS:-3}
TIMEOUT=${LINUX_REF_TIMEOUT:-60}
HUNG_TIMEOUT=${LINUX_REF_HUNG_TIMEOUT:-20}
JOBS=${LINUX_REF_JOBS:-2}
# the suite's flags, as tests/openposix/posix.mk's
PTS_CFLAGS="-O2 -std=gnu99 -D_POSIX_C_SOURCE=200112L -D_GNU_SOURCE -I$PTS/include -w"
PTS_LIBS="-lpthread -lrt -lm"

# One test in its namespaces (see above), called by the run below:
# prints `area/test RESULT SECONDS`. Its output: $OUT/logs/run-N/area/test.
one() {
  local run=$1 t=$2 limit=$TIMEOUT st log status s0 r
  # a test that hung in an earlier run has the shorter limit (as run.py's boots of them)
  if [ "$run" -gt 1 ] && grep -qx "$t HUNG" "$OUT"/run-*.hung 2>/dev/null; then
    limit=$HUNG_TIMEOUT
  fi
  log=$OUT/logs/run-$run/$t
  status=$log.status
  mkdir -p "$(dirname "$log")"
  rm -f "$status"
  s0=$(date +%s.%N)
  # when the time is up, timeout kills unshare (SIGKILL: unshare -f ignores
  # SIGTERM), and --kill-child's SIGKILL then ends the shell, pid 1 of the
  # test's namespace, and so every process in it
  timeout --foreground -s KILL "$limit" unshare -p -f -m -i --kill-child --mount-proc sh -c '
    mount -t tmpfs -o mode=1777 tmpfs /tmp && mount -t tmpfs -o mode=1777 tmpfs /dev/shm &&
      mkdir /tmp/work && cd /tmp/work || exit 1
    # the message queue limits of its IPC namespace: the kernel'"'"'s hard
    # ones, which the host'"'"'s root may reach (CAP_SYS_RESOURCE); the
    # defaults (10 messages, 8 KiB) are an ordinary user'"'"'s limits
    echo 65536 > /proc/sys/fs/mqueue/msg_max && echo 16777216 > /proc/sys/fs/mqueue/msgsize_max || exit 1
    setsid "$1" >"$2" 2>&1 </dev/null
    echo $? >"$3"' sh "$top/$OUT/bin/$t" "$top/$log" "$top/$status"
  s=$(echo "$(date +%s.%N) - $s0" | bc)
  if [ -s "$status" ]; then
    r=$(cat "$status")
    case $r in
      0) r=PASS ;; 1) r=FAIL ;; 2) r=UNRESOLVED ;; 4) r=UNSUPPORTED ;; 5) r=UNTESTED ;;
      *) if [ "$r" -gt 128 ] && [ "$r" -le 192 ]; then r=SIG$(kill -l $((r - 128)) 2>/dev/null || echo $((r - 128)))
         else r=STATUS-$r; fi ;;
    esac
  else
    r=HUNG
  fi
  printf '%s %s %.1fs\n' "$t" "$r" "$s"
}

# The namespaces' side: every run, JOBS tests at a time.
if [ "${1:-}" = --in-namespace ]; then
  export -f one
  export OUT TIMEOUT HUNG_TIMEOUT top
  for run in $(seq 1 "$RUNS"); do
    t0=$SECONDS
    xargs -a "$OUT/torun" -P "$JOBS" -n 1 bash -c 'one '"$run"' "$1"' sh > "$OUT/run-$run.txt"
    grep ' HUNG ' "$OUT/run-$run.txt" | cut -d' ' -f1,2 > "$OUT/run-$run.hung"
    echo "# linux-ref: run $run: $(wc -l < "$OUT/run-$run.txt") tests in $((SECONDS - t0))s," \
         "$(wc -l < "$OUT/run-$run.hung") hung"
  done
  exit 0
fi

t_start=$SECONDS
if [ -z "${LINUX_REF_REWRITE:-}" ]; then
command -v musl-gcc >/dev/null || bash scripts/setup.sh || exit 1
[ -e "$IFACES" ] || bash scripts/setup.sh || exit 1
command -v bc >/dev/null || { echo "linux-ref: needs bc" >&2; exit 1; }
if [ "$JOBS" -gt 2 ]; then echo "linux-ref: at most 2 jobs (timing tests)" >&2; exit 2; fi

# The tests: areas by name; in an area, run.py's order (N-M naturally, speculative/ after)
mkdir -p "$OUT"
areas=${LINUX_REF_AREAS:-$(cd "$IFACES" && ls -d */ | tr -d / | sort)}
for a in $areas; do
  [ -d "$IFACES/$a" ] || { echo "linux-ref: no area $a" >&2; exit 2; }
  (cd "$IFACES" && ls "$a"/[0-9]*-*.c 2>/dev/null | sort -V
   ls "$a"/speculative/[0-9]*-*.c 2>/dev/null | sort -V)
done | sed 's/\.c$//' > "$OUT/tests"

# The build: a .st per test ("ok" or "nobuild"), rebuilt when its source
# is newer
build() {
  local t=$1 bin=$OUT/bin/$1
  [ -e "$bin.st" ] && [ "$bin.st" -nt "$IFACES/$t.c" ] && return 0
  mkdir -p "$(dirname "$bin")"
  rm -f "$bin"
  if case $t in
       *buildonly*) musl-gcc -static $PTS_CFLAGS -c -o "$bin" "$IFACES/$t.c" ;;
       *) musl-gcc -static $PTS_CFLAGS -o "$bin" "$IFACES/$t.c" $PTS_LIBS ;;
     esac > "$bin.log" 2>&1; then echo ok; else echo nobuild; fi > "$bin.st"
}
export -f build
export OUT IFACES PTS_CFLAGS PTS_LIBS
xargs -a "$OUT/tests" -P "$JOBS" -n 1 bash -c 'build "$1"' sh
echo "# linux-ref: $(wc -l < "$OUT/tests") tests built in $((SECONDS - t_start))s" \
     "($(grep -lx nobuild $(sed "s|^|$OUT/bin/|; s|$|.st|" "$OUT/tests") | wc -l) do not build)"

# what runs: built, and not *-buildonly
while read -r t; do
  [ "$(cat "$OUT/bin/$t.st")" = ok ] && case $t in *buildonly*) ;; *) echo "$t" ;; esac
done < "$OUT/tests" > "$OUT/torun"
rm -rf "$OUT/logs" "$OUT"/run-*.txt "$OUT"/run-*.hung
t_run=$SECONDS
# The user namespace: run by root, the host's uids and gids 0-65535 are
# mapped to themselves (unshare -r maps root alone, and then a test that
# takes another uid to see kill() or sem_open() refuse it could not); run
# by another user, unshare -r
if [ "$(id -u)" = 0 ]; then
  mkfifo "$OUT/go.$$"
  unshare -U sh -c 'read _ < "$1"; shift; exec unshare -p -f --mount-proc "$@"' \
    sh "$OUT/go.$$" bash "$0" --in-namespace &
  ns=$!
  while [ "$(readlink /proc/$ns/ns/user)" = "$(readlink /proc/self/ns/user)" ]; do sleep 0.1; done
  echo "0 0 65536" > /proc/$ns/uid_map && echo "0 0 65536" > /proc/$ns/gid_map || kill $ns
  echo go > "$OUT/go.$$"
  wait $ns
else
  unshare -r -p -f --mount-proc bash "$0" --in-namespace
fi || { rm -f "$OUT/go.$$"; echo "linux-ref: the run failed" >&2; exit 1; }
rm -f "$OUT/go.$$"
# what the list's header says of the run
echo "$RUNS $((SECONDS - t_run)) $TIMEOUT $HUNG_TIMEOUT $JOBS $(id -u) $(date +%F) ${LINUX_REF_AREAS:+some}" > "$OUT/run-info"
fi

# The results: a line a test; results that differ between runs as the
# expected lists write them (`A|B`, sorted)
python3 - "$OUT" "$LIST" <<'EOF'
import os, subprocess, sys, textwrap
out, path = sys.argv[1:]
runs, secs, timeout, hung_timeout, jobs, uid, date, *only = open(os.path.join(out, "run-info")).read().split()
tests = open(os.path.join(out, "tests")).read().split()
res = {t: set() for t in tests}
for t in tests:
    st = open(os.path.join(out, "bin", t + ".st")).read().strip()
    if st != "ok":
        res[t].add("NOBUILD")
    elif "buildonly" in t:
        res[t].add("PASS")
for n in range(1, int(runs) + 1):
    for line in open(os.path.join(out, "run-%d.txt" % n)):
        t, r, _ = line.split()
        res[t].add(r)
missing = [t for t in tests if not res[t]]
if missing:
    sys.exit("linux-ref: no result for %s" % " ".join(missing))
lines = ["%s %s" % (t, "|".join(sorted(res[t]))) for t in tests]
with open(os.path.join(out, "results.txt"), "w") as f:
    f.write("\n".join(lines) + "\n")
kinds = {}
for t in tests:
    k = "|".join(sorted(res[t])) if len(res[t]) > 1 else next(iter(res[t]))
    k = "flaky" if "|" in k else k
    kinds[k] = kinds.get(k, 0) + 1
print("# linux-ref: %d tests: %s" % (len(tests), ", ".join(
    "%s %d" % (k, v) for k, v in sorted(kinds.items(), key=lambda kv: -kv[1]))))
if only:
    print("# linux-ref: LINUX_REF_AREAS given: %s not written (results: %s/results.txt)" % (path, out))
    sys.exit(0)
def cmd(*c):
    return subprocess.run(c, stdout=subprocess.PIPE, universal_newlines=True).stdout.strip()
musl = cmd("dpkg-query", "-W", "-f", "${Version}", "musl-dev")
gcc = cmd("gcc", "-dumpfullversion")
def para(text):
    return textwrap.fill(text, 75, initial_indent="# ", subsequent_indent="# ") + "\n"
with open(path, "w") as f:
    f.write(para(
        "The Open POSIX Test Suite on Linux with musl: the reference tests/openposix/run.py prints "
        "beside Cairn's results. Debian's posixtestsuite 1.5.2, conformance/interfaces/, every area "
        "(those not in areas.txt too), built with the suite's flags as tests/openposix/posix.mk "
        "builds them, by Debian's musl-gcc -static (musl %s, gcc %s), and run natively on x86-64, "
        "%s times each, %s at a time on %d CPUs, at most %s s each (%s s in later runs for a test "
        "that hung), in %s s, on %s, host kernel Linux %s, by" % (
            musl, gcc, runs, jobs, os.cpu_count(), timeout, hung_timeout, secs, date,
            os.uname().release)))
    f.write("#     bash tests/openposix/linux-ref.sh\n")
    f.write(para(
        "A line a test, `area/test RESULT` (run.py's results; NOBUILD: did not compile or link); "
        "`A|B`: the runs' results differed."))
    f.write(para(
        "The run is as root of a user namespace only (%s), each test in pid, mount and IPC "
        "namespaces of its own, its own session, its own tmpfs /tmp and /dev/shm, an empty "
        "working directory, and the message queue limits of its IPC namespace at the kernel's "
        "hard ones (which the host's root may reach). No capability in the host's namespace: "
        "what needs one there fails with EPERM, as for an ordinary user: clock_settime "
        "(CAP_SYS_TIME), SCHED_FIFO and SCHED_RR (CAP_SYS_NICE; RLIMIT_RTPRIO is 0), mlock "
        "beyond RLIMIT_MEMLOCK (CAP_IPC_LOCK)." % (
            "the host's uids and gids 0-65535 mapped to themselves" if uid == "0" else
            "unshare -r: the user alone, as root")))
    area = None
    for t, l in zip(tests, lines):
        if t.split("/")[0] != area:
            area = t.split("/")[0]
            f.write("\n")
        f.write(l + "\n")
print("# linux-ref: wrote %s" % path)
EOF
rc=$?
echo "# linux-ref: $((SECONDS - t_start))s in all"
exit $rc
