#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Host test of the user side: init and libcairn on the mock kernel
# (tests/mock-kernel/mock.c), on boot images of the real x86_64 programs built
# from tests/mock-kernel/manifests/ and user/manifests/; and lib/elf's checks of
# every program of both arches. Prints `ok N user: ...` / `not ok N ...`
# lines and `# user: N passed, N failed`; exits 0 if all passed.
set -uo pipefail
cd "$(dirname "$0")/../.."
B=build/host/user
n=0 failed=0
result() {   # result OK|FAIL what [why]
  n=$((n + 1))
  if [ "$1" = OK ]; then echo "ok $n user: $2"; else echo "not ok $n user: $2"; failed=$((failed + 1)); [ -n "${3:-}" ] && echo "#   $3"; fi
}

build_ok=OK
# both arches at once (separate build folders): their configure scripts and
# links are serial, so one arch alone leaves a core idle (7 minutes from a
# fresh clone, not 8.5)
pids=()
for a in riscv64 x86_64; do
  make --no-print-directory -s -j"$(nproc)" ARCH=$a user >/dev/null & pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || build_ok=FAIL; done
make --no-print-directory -s -f tests/mock-kernel/user-host.mk >/dev/null || build_ok=FAIL
result $build_ok "user programs (riscv64, x86_64) and the mock build with -Werror"
if [ $build_ok != OK ]; then echo "# user: $((n - failed)) passed, $failed failed"; exit 1; fi

for a in riscv64 x86_64; do
  d=build/$a-$([ $a = riscv64 ] && echo virt || echo q35)
  if out=$($B/mockinit --check-elf $a $d/user/bin/* 2>&1); then
    result OK "$a programs are static ELF executables the loader accepts"
  else
    result FAIL "$a programs are static ELF executables the loader accepts" "$(grep '^not ok' <<<"$out" | head -3 | tr '\n' ' ')"
  fi
  # the listing whole first: grep -q leaving early would kill cpio (SIGPIPE)
  list=$(cpio -it --quiet < $d/bootimage.cpio)
  if grep -qx etc/manifest <<<"$list" && grep -qx bin/init <<<"$list"; then
    result OK "$a boot image lists bin/init and etc/manifest"
  else
    result FAIL "$a boot image lists bin/init and etc/manifest"
  fi
done

bins=(build/x86_64-q35/user/bin/*)
mkdir -p $B/images
# run NAME MANIFEST STATUS PATTERN...: boots init on the mock with that
# manifest; init must exit with STATUS, the mock see no problem, and every
# PATTERN (an extended regex) match a line of the output.
# MOCK_ARGS: more arguments of the mock (--no-ioports: a machine without I/O ports).
MOCK_ARGS=
run() {
  local name=$1 manifest=$2 want=$3; shift 3
  local img=$B/images/$name.cpio out rc missing=
  bash scripts/mkbootimage.sh "$img" "$manifest" "${bins[@]}" || { result FAIL "$name: boot image"; return; }
  out=$($B/mockinit "$img" $MOCK_ARGS 2>&1); rc=$?
  echo "$out" > $B/$name.log
  for p in "$@"; do grep -Eq -- "$p" <<<"$out" || missing="$missing [$p]"; done
  if [ "$rc" = "$want" ] && [ -z "$missing" ]; then
    result OK "$name: init exits $want$([ $# -gt 0 ] && echo ", $# expected lines")"
  else
    result FAIL "$name: init exits $want$([ $# -gt 0 ] && echo ", $# expected lines")" \
      "status $rc; missing:${missing:- none}; $(grep -m1 PROBLEM <<<"$out") (log: $B/$name.log)"
  fi
}

run demo user/manifests/demo.manifest 1 \
  '^init: started hello \(id 1\) caps: console$' \
  '^mock: start hello .*argv: hello from-the-manifest; caps: console=3\(console#[0-9]+,0x2\)$' \
  '^init: service hello exited with status 0$' \
  '^init: service crasher crashed: fault at 0xdead000 \(pc 0x400123\)$' \
  '^init: restarting crasher \(1 of 1\)$' \
  '^init: all services ended$'
run hello user/manifests/hello.manifest 0 '^init: service hello exited with status 0$'
run shared tests/mock-kernel/manifests/shared.manifest 0 \
  '^mock: start server .* requests=4\(endpoint#([0-9]+),0x9\) events=5\(notification#([0-9]+),0x1f\) uart-irq=6\(irqline#[0-9]+,0x1f\) uart=7\(mmio#[0-9]+,0x3\)$' \
  '^mock: start client .* server=4\(endpoint#[0-9]+,0x2\) events=5\(notification#[0-9]+,0x2\) image=6\(memobj#[0-9]+,0x1\) info=7\(kinfo#[0-9]+,0x1f\)$'
# the endpoint and the notification are the same objects in both services
if [ -f $B/shared.log ]; then
  s=$(grep '^mock: start server' $B/shared.log | grep -Eo '(endpoint|notification)#[0-9]+' | tr '\n' ' ')
  c=$(grep '^mock: start client' $B/shared.log | grep -Eo '(endpoint|notification)#[0-9]+' | tr '\n' ' ')
  [ -n "$s" ] && [ "$s" = "$c" ] && result OK "shared: named endpoint and notification made once" ||
    result FAIL "shared: named endpoint and notification made once" "server: $s client: $c"
fi
run status tests/mock-kernel/manifests/status.manifest 1 \
  '^init: service ghost: no program bin/not-there in the boot image: ENOENT$' \
  '^init: service greedy: cannot start bin/hello \(priority 20, quota 262144\): EPERM$' \
  '^init: service good exited with status 0$' \
  '^init: restarting bad \(2 of 2\)$' \
  '^init: all services ended$'
if [ -f $B/status.log ]; then
  [ "$(grep -c '^init: started bad' $B/status.log)" = 3 ] && [ "$(grep -c '^init: started good' $B/status.log)" = 1 ] &&
    result OK "status: a failed service restarts as often as allowed, a good one never" ||
    result FAIL "status: a failed service restarts as often as allowed, a good one never"
fi
run bad tests/mock-kernel/manifests/bad.manifest 1 '^init: etc/manifest:3: bad number$'
# I/O ports (x86-64): ioport: asks IoPortControl for the range; an optional
# cap is given where the root exists. Without I/O ports (riscv64) the
# optional caps are left out, and a service naming ioport: does not start.
run ports tests/mock-kernel/manifests/ports.manifest 0 \
  '^mock: start uart .* com1=4\(ioport#[0-9]+,0x3\) com1-irq=5\(irqline#[0-9]+,0x1f\) ctl=6\(ioportctl#[0-9]+,0x10\)$' \
  '^init: started uart \(id 1\) caps: console com1 com1-irq ctl$' \
  '^init: service hello exited with status 0$'
MOCK_ARGS=--no-ioports
run ports-none tests/mock-kernel/manifests/ports.manifest 1 \
  '^init: service uart: no capability com1 \(ioport:0x3f8:8\): ENOENT \(this machine has no I/O ports\)$' \
  '^mock: start hello .* caps: console=3\(console#[0-9]+,0x2\) irqs=4\(irqctl#[0-9]+,0x10\)$' \
  '^init: started hello \(id 1\) caps: console irqs$'
MOCK_ARGS=

# libcairn's own checks (tests/mock-kernel/libtest.c), one line each
out=$($B/mocklibtest $B/images/hello.cpio 2>&1); rc=$?
echo "$out" > $B/libtest.log
while read -r verdict num name; do
  [ "$verdict" = ok ] && result OK "$name" || result FAIL "$name"
done < <(grep -E '^(ok|not ok) [0-9]+ lib\.' <<<"$out" | sed 's/^not ok/not_ok/')
grep -Eqx "lib\.long_line -{2999}\|" <<<"$out" && result OK "lib.console_long_line_whole" ||
  result FAIL "lib.console_long_line_whole"
grep -qx "mock: 0 problems" <<<"$out" && [ $rc = 0 ] && result OK "lib: no failure, no mock problem" ||
  result FAIL "lib: no failure, no mock problem" "status $rc (log: $B/libtest.log)"

# Every kernel call of the demo boot failing in turn: init must unwind
# each time (no half-built process, no capability of a service left).
img=$B/images/demo.cpio bad=
total=$($B/mockinit "$img" 100000 2>&1 | grep -c '^init: started')
for i in $(seq 1 120); do
  $B/mockinit "$img" "$i" > $B/failat.log 2>&1; rc=$?
  [ $rc = 0 ] || [ $rc = 1 ] || { bad="$bad $i(status $rc)"; cp $B/failat.log $B/failat-$i.log; }
done
[ -z "$bad" ] && [ "$total" -gt 0 ] && result OK "every kernel call failing in turn (1..120): init unwinds cleanly" ||
  result FAIL "every kernel call failing in turn (1..120): init unwinds cleanly" "failed at:$bad (logs: $B/failat-N.log)"

echo "# user: $((n - failed)) passed, $failed failed"
[ $failed = 0 ]
