#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Builds Cairn if needed and boots it under QEMU on its console.
#
#   ./qemu-run.sh [--arch riscv64|x86_64] [--board B] [--smp N] [--mem SIZE] [--test [SUITE]]
#                 [--manifest NAME | --bootimage FILE | --no-bootimage]
#                 [--append "ARGS"] [--icount] [--gdb] [-- QEMU ARGS...]
#
# --test [SUITE]  boot the kernel self-tests (all, or one suite) and exit with
#                 their status (0: all passed); no boot image unless asked for
# --manifest NAME boot image from user/manifests/NAME.manifest (or a path to a
#                 manifest), built as needed; default: default.manifest
# --bootimage F   boot image file F (a newc cpio: scripts/mkbootimage.sh)
# --append ARGS   extra kernel command line
# --icount        add -icount shift=0 (exact guest instruction counts)
# --gdb           start halted with a gdb stub on localhost:1234
# Exits with QEMU's status, which is the guest's power-off status.
set -euo pipefail
cd "$(dirname "$0")"

arch=riscv64 board= smp= mem= test= cmdline= icount= gdb= manifest= bootimage= nobootimage=
extra=()
while [ $# -gt 0 ]; do
  case $1 in
    --arch) arch=$2; shift 2 ;;
    --board) board=$2; shift 2 ;;
    --smp) smp=$2; shift 2 ;;
    --mem) mem=$2; shift 2 ;;
    --append) cmdline="$cmdline $2"; shift 2 ;;
    --test)
      test=all; shift
      if [ $# -gt 0 ] && [[ $1 != -* ]]; then test=$1; shift; fi ;;
    --manifest) manifest=$2; shift 2 ;;
    --bootimage) bootimage=$2; shift 2 ;;
    --no-bootimage) nobootimage=1; shift ;;
    --icount) icount=1; shift ;;
    --gdb) gdb=1; shift ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '3,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "qemu-run.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
done

case $arch in
  riscv64) : "${board:=virt}" ;;
  x86_64) : "${board:=q35}" ;;
  *) echo "qemu-run.sh: unknown arch '$arch'" >&2; exit 2 ;;
esac
bdir=arch/$arch/boards/$board
[ -f "$bdir/qemu.sh" ] || { echo "qemu-run.sh: no board '$board' for $arch" >&2; exit 2; }

bash scripts/setup.sh
O=build/$arch-$board
make --no-print-directory -s ARCH="$arch" BOARD="$board" O="$O" kernel >&2

# The boot image (init, the services, etc/manifest): the initrd on riscv64,
# the first Multiboot2 module on x86_64. Kernel self-tests (--test) boot
# without one unless --manifest or --bootimage asks for it.
if [ -n "$bootimage" ]; then
  [ -z "$manifest" ] || { echo "qemu-run.sh: --bootimage and --manifest exclude each other" >&2; exit 2; }
  [ -f "$bootimage" ] || { echo "qemu-run.sh: no boot image '$bootimage'" >&2; exit 2; }
elif [ -z "$nobootimage" ] && { [ -z "$test" ] || [ -n "$manifest" ]; }; then
  case ${manifest:=default} in
    */*|*.manifest) mfile=$manifest ;;
    *) mfile=user/manifests/$manifest.manifest ;;
  esac
  [ -f "$mfile" ] || { echo "qemu-run.sh: no manifest '$mfile'" >&2; exit 2; }
  mname=$(basename "$mfile" .manifest)
  make --no-print-directory -s ARCH="$arch" BOARD="$board" O="$O" BOOTIMAGE_MANIFEST="$mfile" user >&2
  if [ "$mname" = default ]; then bootimage=$O/bootimage.cpio; else bootimage=$O/bootimage-$mname.cpio; fi
fi

# shellcheck source=/dev/null
source "$bdir/qemu.sh"
args=("${QEMU_ARGS[@]}" -m "${mem:-$QEMU_DEFAULT_MEM}" -smp "${smp:-$QEMU_DEFAULT_SMP}"
      -nographic -no-reboot)
[ -n "${QEMU_CMDLINE:-}" ] && cmdline="$QEMU_CMDLINE $cmdline"
[ -n "$test" ] && cmdline="$cmdline selftest=$test"
cmdline=${cmdline# }
if declare -F qemu_board_cmdline >/dev/null; then
  # the board passes both itself (x86_64: grub.cfg and a module in the ISO)
  qemu_board_cmdline "$cmdline" "$bootimage"
else
  [ -n "$cmdline" ] && args+=(-append "$cmdline")
  [ -n "$bootimage" ] && args+=(-initrd "$bootimage")
fi
[ -n "$icount" ] && args+=(-icount shift=0)
if [ -n "$gdb" ]; then
  args+=(-s -S)
  echo "qemu-run.sh: waiting for gdb: gdb-multiarch $O/cairn.elf -ex 'target remote :1234'" >&2
fi
if [ "$arch" != x86_64 ]; then
  exec "$QEMU" "${args[@]}" "${extra[@]}"
fi
# x86_64: isa-debug-exit makes QEMU exit with (status << 1) | 1, so status 0
# arrives as 1, which is also QEMU's own "could not start": QEMU's errors on
# stderr tell the two apart. QEMU's 0 means the guest never wrote a status
# (a triple fault under -no-reboot, or quitting QEMU): a failure for --test.
errf=$(mktemp)
trap 'rm -f "$errf"' EXIT
rc=0
"$QEMU" "${args[@]}" "${extra[@]}" 2>"$errf" || rc=$?
cat "$errf" >&2
if [ "$rc" -eq 0 ]; then
  [ -z "$test" ] && exit 0
  echo "qemu-run.sh: QEMU exited without a status from the guest" >&2
  exit 125
fi
if [ "$rc" -eq 1 ] && grep -v ': warning: ' "$errf" | grep -q "^${QEMU##*/}: "; then
  exit 1
fi
(( rc & 1 )) && exit $((rc >> 1))
exit "$rc"
