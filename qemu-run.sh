#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Builds Cairn if needed and boots it under QEMU on its console.
#
#   ./qemu-run.sh [--arch riscv64|x86_64] [--board B] [--smp N] [--mem SIZE] [--test [SUITE]]
#                 [--manifest NAME | --bootimage FILE | --no-bootimage]
#                 [--append "ARGS"] [--icount] [--gdb] [--quota SIZE]
#                 [--add HOST:GUEST]... [--no-rng] [--disk FILE | --no-disk] [--snapshot]
#                 [--net none|user|PORTS|dgram:LPORT:RPORT] [--net-device DEV]
#                 [--net-mac MAC] [--net-addr A.B.C.D/N] [--instance NAME]
#                 [--exec PROG [ARGS...]] [-- QEMU ARGS...]
#
# Without options: the default boot, a busybox shell on the console
# (user/manifests/default.manifest); `poweroff` or leaving the shell ends it
# with status 0, Ctrl-A x quits QEMU.
#
# --smp N         N CPUs (default: the board's, QEMU_DEFAULT_SMP in its
#                 qemu.sh, or $CAIRN_SMP when set, but no fewer than the
#                 board's QEMU_MIN_SMP: make test sets 1 and
#                 asks for more where a test is about SMP). Without
#                 --icount QEMU runs them in threads of their own (its
#                 multi-threaded TCG), so they really run at once
# --test [SUITE]  boot the kernel self-tests (all, or one suite) and exit with
#                 their status (0: all passed); no boot image unless asked for
# --manifest NAME boot image from user/manifests/NAME.manifest (or a path to a
#                 manifest), built as needed; default: default.manifest
# --bootimage F   boot image file F (a newc cpio: scripts/mkbootimage.sh)
# --add HOST:GUEST  put the host file or folder HOST in the boot image at
#                 GUEST (an absolute path; no spaces): the default boot's
#                 file tree (files there are also taken from user/rootfs/),
#                 or --exec's
# --append ARGS   extra kernel command line
# --icount        add -icount shift=0,sleep=off (guest time = instruction
#                 count: exact, deterministic; sleep=off: while every CPU
#                 waits, the clock jumps to the next timer instead of
#                 following the host's, which a loaded host made late) and
#                 "icount" to the kernel command line
# --gdb           start halted with a gdb stub on localhost:1234
# --debug         boot the debug kernel (make DEBUG=1: the lock-order check,
#                 CONFIG_LOCK_CHECK), built in build/<arch>-<board>-debug;
#                 the programs and boot image are the usual ones
# --no-rng        no random source: without the virtio-rng device the board
#                 adds by default (riscv64 virt, x86_64 q35), and on x86_64
#                 without RDRAND (the entropy server then says it has none)
# --exec PROG [ARGS...]  run the static Cairn program PROG (built with
#                 <arch>-cairn-gcc) as pid 1 of the POSIX world (the entropy server, the VFS, the
#                 console server and the process server: scripts/posix-manifest.sh),
#                 as /bin/PROG with ARGS (at most 6, 5 with --quota, each 1-63 printable
#                 characters without spaces; up to a `--`), stdin/stdout/stderr
#                 on the console's tty; the exit status is PROG's.
#                 The arch is PROG's unless --arch says it. Must come last.
#                 With --disk, the world has the device manager and the ext2
#                 server too, which mounts the disk at /mnt; with --net (not
#                 none), the device manager and the network driver.
# --quota SIZE    kernel memory limit of each process of --exec (default 16M;
#                 what it uses is taken from the process server's 144M as
#                 it is used: docs/proc.md, Memory)
# --disk FILE     attach FILE (a raw disk image) as a virtio-blk disk (riscv64
#                 virt: virtio-blk-device on virtio-mmio; x86_64 q35:
#                 virtio-blk-pci), whatever the boot. The default boot
#                 attaches build/<arch>/rootfs.ext2 (made by `make rootfs`
#                 when missing, never replaced: what is written there stays)
#                 and mounts it as "/"; with --add, a fresh copy of the boot
#                 image's tree for that run only. The device manager names
#                 it blk0 and the ext2 server (scripts/posix-manifest.sh
#                 --disk) serves it. Given again, each further FILE is
#                 another disk (blk1, blk2, ...: the device manager's order,
#                 which is the order given), which a program mounts
#                 (`mount /dev/blk1 DIR`: the VFS starts an ext2 server for it)
# --no-disk       attach no disk (the default boot's is the only default)
# --snapshot      QEMU's snapshot=on for the disk: writes are thrown away
# --net none|user|PORTS  a virtio-net on QEMU's user networking (slirp: the
#                 guest is 10.0.2.15, the gateway 10.0.2.2, DNS 10.0.2.3), MAC
#                 52:54:00:12:34:56; the device manager names it net0 and
#                 starts drivers/virtio_net. PORTS: the same with host TCP
#                 ports forwarded to the guest, HOST:GUEST[,...] (e.g.
#                 8080:80,2323:23: the host's 8080 reaches the guest's 80).
#                 dgram:LPORT:RPORT: no user network; the virtio-net's Ethernet
#                 frames go as UDP datagrams from 127.0.0.1:LPORT to
#                 127.0.0.1:RPORT and come back to LPORT (QEMU's -netdev
#                 dgram): another QEMU's, or a relay's between two
#                 (tests/harness/relay.py). No DHCP there: --net-addr.
#                 Default: user for the default boot, none for any other
#                 (--test, --manifest NAME, --exec: the tests name their devices)
# --net-device DEV  the QEMU device for --net (default the board's: riscv64
#                 virt virtio-net-device on virtio-mmio, x86_64 q35
#                 virtio-net-pci), e.g. virtio-net-pci,disable-modern=on
# --net-mac MAC   the virtio-net's MAC (default 52:54:00:12:34:56): two
#                 machines on one link need two
# --net-addr A.B.C.D/N  --exec: the network server takes this static IPv4
#                 address and netmask length instead of asking DHCP
#                 (net --addr; a manifest puts --addr on its net line)
# --instance NAME --exec: its boot image and lock are NAME's own, so that
#                 two QEMUs of one build dir run at once (two machines on
#                 a link); each NAME one at a time
# Exits with QEMU's status, which is the guest's power-off status.
set -euo pipefail
start_dir=$PWD
cd "$(dirname "$0")"

arch= board= smp= mem= test= cmdline= icount= gdb= debug= manifest= bootimage= nobootimage= norng=
disk= nodisk= snapshot= net= net_device= default_boot= net_mac=52:54:00:12:34:56 net_addr= instance=
more_disks=()
exec_prog= exec_quota=16M
extra=() exec_args=() adds=()
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
    --add)
      [ $# -ge 2 ] && [[ $2 == *:/* ]] ||
        { echo "qemu-run.sh: --add needs HOST:GUEST (GUEST an absolute path)" >&2; exit 2; }
      host=${2%%:/*}
      [[ $host == /* ]] || host=$start_dir/$host
      [ -e "$host" ] || { echo "qemu-run.sh: --add: no file or folder '${2%%:/*}'" >&2; exit 2; }
      [[ "$host:/${2#*:/}" != *[[:space:]]* ]] ||
        { echo "qemu-run.sh: --add '$2': no spaces" >&2; exit 2; }
      adds+=("$host:/${2#*:/}"); shift 2 ;;
    --icount) icount=1; shift ;;
    --gdb) gdb=1; shift ;;
    --debug) debug=1; shift ;;
    --no-rng) norng=1; shift ;;
    --disk)
      [ $# -ge 2 ] || { echo "qemu-run.sh: --disk needs an image file" >&2; exit 2; }
      d=$2
      [[ $d == /* ]] || d=$start_dir/$d
      [ -f "$d" ] || { echo "qemu-run.sh: no disk image '$2'" >&2; exit 2; }
      [[ $d != *,* ]] || { echo "qemu-run.sh: --disk '$2': no commas" >&2; exit 2; }
      if [ -z "$disk" ]; then disk=$d; else more_disks+=("$d"); fi
      shift 2 ;;
    --no-disk) nodisk=1; shift ;;
    --snapshot) snapshot=1; shift ;;
    --net)
      [ $# -ge 2 ] && [[ $2 =~ ^(none|user|[0-9]+:[0-9]+(,[0-9]+:[0-9]+)*|dgram:[0-9]+:[0-9]+)$ ]] ||
        { echo "qemu-run.sh: --net needs none, user, HOST:GUEST[,HOST:GUEST...] (TCP ports) or dgram:LPORT:RPORT" >&2; exit 2; }
      net=$2; shift 2 ;;
    --net-mac)
      [ $# -ge 2 ] && [[ $2 =~ ^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$ ]] ||
        { echo "qemu-run.sh: --net-mac needs a MAC (xx:xx:xx:xx:xx:xx)" >&2; exit 2; }
      net_mac=$2; shift 2 ;;
    --net-addr)
      [ $# -ge 2 ] && [[ $2 =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}/[0-9]{1,2}$ ]] ||
        { echo "qemu-run.sh: --net-addr needs A.B.C.D/N" >&2; exit 2; }
      net_addr=$2; shift 2 ;;
    --instance)
      [ $# -ge 2 ] && [[ $2 =~ ^[A-Za-z0-9_-]{1,32}$ ]] ||
        { echo "qemu-run.sh: --instance needs a name (letters, digits, _ and -)" >&2; exit 2; }
      instance=$2; shift 2 ;;
    --net-device)
      [ $# -ge 2 ] || { echo "qemu-run.sh: --net-device needs a QEMU device" >&2; exit 2; }
      net_device=$2; shift 2 ;;
    --quota) exec_quota=$2; shift 2 ;;
    --exec)
      [ $# -ge 2 ] || { echo "qemu-run.sh: --exec needs a program" >&2; exit 2; }
      exec_prog=$2; shift 2
      while [ $# -gt 0 ] && [ "$1" != -- ]; do exec_args+=("$1"); shift; done ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '3,86p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "qemu-run.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
done

[ -z "$net_addr$instance" ] || [ -n "$exec_prog" ] ||
  { echo "qemu-run.sh: --net-addr and --instance are for --exec" >&2; exit 2; }
# --exec: the program decides the arch (its ELF e_machine) unless --arch did.
if [ -n "$exec_prog" ]; then
  [ -f "$exec_prog" ] || { echo "qemu-run.sh: no program '$exec_prog'" >&2; exit 2; }
  [ -z "$test$manifest$bootimage$nobootimage" ] ||
    { echo "qemu-run.sh: --exec excludes --test, --manifest, --bootimage and --no-bootimage" >&2; exit 2; }
  [ "$(head -c 4 "$exec_prog" | od -An -c | tr -d ' ')" = '177ELF' ] ||
    { echo "qemu-run.sh: '$exec_prog' is not an ELF file" >&2; exit 2; }
  case $(od -An -tx1 -j18 -N2 "$exec_prog" | tr -d ' \n') in
    f300) prog_arch=riscv64 ;;
    3e00) prog_arch=x86_64 ;;
    *) echo "qemu-run.sh: '$exec_prog' is neither a riscv64 nor an x86_64 program" >&2; exit 2 ;;
  esac
  [ -z "$arch" ] || [ "$arch" = "$prog_arch" ] ||
    { echo "qemu-run.sh: '$exec_prog' is an $prog_arch program, not $arch" >&2; exit 2; }
  arch=$prog_arch
  # the process server's service line holds [--quota=SIZE] /bin/PROG ARGS: 7 words
  max_args=6
  [ "$exec_quota" = 16M ] || max_args=5
  [ ${#exec_args[@]} -le $max_args ] ||
    { echo "qemu-run.sh: --exec takes at most $max_args arguments" >&2; exit 2; }
  for a in "${exec_args[@]}"; do
    # the manifest's tokens: printable ASCII without spaces, no leading '#'
    if ! [[ $a =~ ^[!-~]{1,63}$ ]] || [[ $a == \#* ]]; then
      echo "qemu-run.sh: --exec argument '$a': 1 to 63 printable characters, no spaces, not starting with #" >&2
      exit 2
    fi
  done
fi
: "${arch:=riscv64}"

case $arch in
  riscv64) : "${board:=virt}" ;;
  x86_64) : "${board:=q35}" ;;
  *) echo "qemu-run.sh: unknown arch '$arch'" >&2; exit 2 ;;
esac
bdir=arch/$arch/boards/$board
[ -f "$bdir/qemu.sh" ] || { echo "qemu-run.sh: no board '$board' for $arch" >&2; exit 2; }

bash scripts/setup.sh
O=build/$arch-$board
# K: where the kernel comes from (the board's qemu.sh boots $K's)
K=$O
[ -z "$debug" ] || K=$O-debug
make --no-print-directory -s ARCH="$arch" BOARD="$board" O="$K" ${debug:+DEBUG=1} kernel >&2

# The boot image (init, the services, etc/manifest): the initrd on riscv64,
# the first Multiboot2 module on x86_64. Kernel self-tests (--test) boot
# without one unless --manifest or --bootimage asks for it.
if [ -n "$exec_prog" ]; then
  # A boot image of the POSIX world: init starts the entropy server, the VFS
  # (the boot image's files, /tmp), the console server (the tty) and the
  # process server, which starts PROG (/bin/NAME) as pid 1 with "vfs",
  # "tty", "console", "kinfo", "rng";
  # PROG's status is the process server's, which is init's (exitstatus).
  # One --exec at a time per build dir: the lock is held until QEMU ends.
  make --no-print-directory -s ARCH="$arch" BOARD="$board" O="$O" user >&2
  exec 9>"$O/.exec${instance:+-$instance}.lock"
  if ! flock -n 9; then
    echo "qemu-run.sh: another --exec of $O is running (it holds $O/.exec${instance:+-$instance}.lock); waiting for it to end" >&2
    flock 9
  fi
  name=$(basename "$exec_prog" | tr -c 'A-Za-z0-9_.\n-' '_' | sed 's/^[.-]*//' | cut -c1-31)
  : "${name:=prog}"
  file=$name
  case $file in init|vfs|console|proc) file=$file.exec ;; esac
  stage=$(mktemp -d "$O/.exec.XXXXXX")
  trap 'rm -rf "$stage"' EXIT
  cp "$exec_prog" "$stage/$file"
  quota_arg=
  [ "$exec_quota" = 16M ] || quota_arg="--quota=$exec_quota"
  {
    echo "# ./qemu-run.sh --exec: $exec_prog"
    if [ -n "$disk" ]; then
      # a disk given: the device manager, its drivers and the ext2 server,
      # which mounts it at /mnt (the boot image's tree stays "/")
      bash scripts/posix-manifest.sh servers --signals --devices --disk blk0 --disk-at /mnt --net \
        ${net_addr:+--net-addr "$net_addr"}
    elif [ -n "$net" ] && [ "$net" != none ]; then
      # a network device given: the device manager and its drivers too
      bash scripts/posix-manifest.sh servers --signals --devices --net ${net_addr:+--net-addr "$net_addr"}
    else
      bash scripts/posix-manifest.sh servers --signals --net
    fi
    bash scripts/posix-manifest.sh proc proc 144M --signals --exitstatus --net -- \
      $quota_arg /bin/$file "${exec_args[@]}"
  } > "$stage/manifest"
  add_opts=()
  for a in "${adds[@]}"; do add_opts+=(--add "$a"); done
  disk_progs=()
  [ -z "$disk" ] || disk_progs=("$O/user/bin/devmgr" "$O/user/bin/virtio_blk" "$O/user/bin/virtio_rng"
                                "$O/user/bin/ext2")
  if [ -n "$net" ] && [ "$net" != none ]; then
    [ -n "$disk" ] || disk_progs=("$O/user/bin/devmgr" "$O/user/bin/virtio_rng")
    disk_progs+=("$O/user/bin/virtio_net")
  fi
  bash scripts/mkbootimage.sh "$stage/image.cpio" "$stage/manifest" "${add_opts[@]}" "$O/user/bin/init" \
    "$O/user/bin/vfs" "$O/user/bin/console" "$O/user/bin/proc" "$O/user/bin/entropy" "$O/user/bin/net" \
    ${disk_progs[@]+"${disk_progs[@]}"} "$stage/$file"
  bootimage=$O/bootimage-exec${instance:+-$instance}.cpio
  # unchanged images keep their date, so x86_64 reuses its cached ISO
  cmp -s "$stage/image.cpio" "$bootimage" || mv -f "$stage/image.cpio" "$bootimage"
  rm -rf "$stage"
  stage=
elif [ -n "$bootimage" ]; then
  [ -z "$manifest" ] || { echo "qemu-run.sh: --bootimage and --manifest exclude each other" >&2; exit 2; }
  [ -f "$bootimage" ] || { echo "qemu-run.sh: no boot image '$bootimage'" >&2; exit 2; }
elif [ -z "$nobootimage" ] && { [ -z "$test" ] || [ -n "$manifest" ]; }; then
  case ${manifest:=default} in
    */*|*.manifest) mfile=$manifest ;;
    *) mfile=user/manifests/$manifest.manifest ;;
  esac
  [ -f "$mfile" ] || { echo "qemu-run.sh: no manifest '$mfile'" >&2; exit 2; }
  mname=$(basename "$mfile" .manifest)
  make --no-print-directory -s ARCH="$arch" BOARD="$board" O="$O" BOOTIMAGE_MANIFEST="$mfile" \
    ADD="${adds[*]}" user >&2
  if [ "$mname" = default ]; then bootimage=$O/bootimage.cpio; else bootimage=$O/bootimage-$mname.cpio; fi
  [ "$mname" != default ] || [ -n "$test" ] || default_boot=1
  # the default boot's disk, its "/": build/<arch>/rootfs.ext2, made once
  # (what is written there stays); with --add, a fresh one made from this
  # boot image for this run only, so that what is added is on "/"
  if [ "$mname" = default ] && [ -z "$disk$nodisk$test" ] && grep -qs QEMU_DISK_DEVICE "$bdir/qemu.sh"; then
    if [ ${#adds[@]} -gt 0 ]; then
      disk=$PWD/$O/rootfs-add.ext2
      bash scripts/mkrootfs.sh "$bootimage" "$disk" >&2
    else
      disk=$PWD/build/$arch/rootfs.ext2
      if [ ! -f "$disk" ]; then
        make --no-print-directory -s ARCH="$arch" BOARD="$board" O="$O" rootfs >&2
      elif [ "$bootimage" -nt "$disk" ] && [ -t 2 ]; then
        echo "qemu-run.sh: note: $disk is older than the boot image; \`make rootfs\` makes it anew (its files are lost)" >&2
      fi
    fi
  fi
fi
[ -z "$nodisk" ] || { disk=; more_disks=(); }

# shellcheck source=/dev/null
source "$bdir/qemu.sh"
# $CAIRN_SMP (make test's 1) no lower than what the board needs
# (sifive_u: hart 0 is a monitor core, so 2 is one CPU for Cairn)
if [ -z "$smp" ] && [ -n "${CAIRN_SMP:-}" ]; then
  smp=$CAIRN_SMP
  [ "$smp" -lt "${QEMU_MIN_SMP:-1}" ] && smp=$QEMU_MIN_SMP
fi
args=("${QEMU_ARGS[@]}" -m "${mem:-$QEMU_DEFAULT_MEM}" -smp "${smp:-$QEMU_DEFAULT_SMP}"
      -nographic -no-reboot)
[ -n "${QEMU_CMDLINE:-}" ] && cmdline="$QEMU_CMDLINE $cmdline"
[ -n "$test" ] && cmdline="$cmdline selftest=$test"
# the kernel's timing self-tests hold tight bounds under -icount
[ -n "$icount" ] && cmdline="$cmdline icount"
cmdline=${cmdline# }
if declare -F qemu_board_cmdline >/dev/null; then
  # the board passes both itself (x86_64: grub.cfg and a module in the ISO)
  qemu_board_cmdline "$cmdline" "$bootimage"
else
  [ -n "$cmdline" ] && args+=(-append "$cmdline")
  [ -n "$bootimage" ] && args+=(-initrd "$bootimage")
fi
[ -n "$icount" ] && args+=(-icount shift=0,sleep=off)
if [ -n "$norng" ]; then
  args+=(${QEMU_NORNG_ARGS[@]+"${QEMU_NORNG_ARGS[@]}"})
else
  args+=(${QEMU_RNG_ARGS[@]+"${QEMU_RNG_ARGS[@]}"})
fi
if [ -n "$disk" ]; then
  [ -n "${QEMU_DISK_DEVICE:-}" ] || { echo "qemu-run.sh: the $board board has no virtio-blk disk" >&2; exit 2; }
  args+=(-drive "file=$disk,if=none,format=raw,id=disk0${snapshot:+,snapshot=on}"
         -device "$QEMU_DISK_DEVICE,drive=disk0")
  n=1
  for d in ${more_disks[@]+"${more_disks[@]}"}; do
    args+=(-drive "file=$d,if=none,format=raw,id=disk$n${snapshot:+,snapshot=on}"
           -device "$QEMU_DISK_DEVICE,drive=disk$n")
    n=$((n + 1))
  done
fi
# the network: a virtio-net on QEMU's user networking (the default boot's
# unless --net none), host TCP ports forwarded with PORTS
[ -n "$net" ] || { [ -n "$default_boot" ] && [ -n "${QEMU_NET_DEVICE:-}" ] && net=user; } || net=none
if [ "$net" != none ]; then
  [ -n "${net_device:-${QEMU_NET_DEVICE:-}}" ] ||
    { echo "qemu-run.sh: the $board board has no virtio-net device (--net-device DEV)" >&2; exit 2; }
  netdev=user,id=net0
  if [[ $net == dgram:* ]]; then
    IFS=: read -r _ lport rport <<< "$net"
    netdev="dgram,id=net0,local.type=inet,local.host=127.0.0.1,local.port=$lport"
    netdev="$netdev,remote.type=inet,remote.host=127.0.0.1,remote.port=$rport"
  elif [ "$net" != user ]; then
    IFS=, read -r -a fwds <<< "$net"
    for f in "${fwds[@]}"; do netdev="$netdev,hostfwd=tcp::${f%%:*}-:${f#*:}"; done
  fi
  args+=(-netdev "$netdev" -device "${net_device:-$QEMU_NET_DEVICE},netdev=net0,mac=$net_mac")
fi
if [ -n "$gdb" ]; then
  args+=(-s -S)
  echo "qemu-run.sh: waiting for gdb: gdb-multiarch $K/cairn.elf -ex 'target remote :1234'" >&2
fi
if [ "$arch" != x86_64 ]; then
  exec "$QEMU" "${args[@]}" "${extra[@]}"
fi
# x86_64: isa-debug-exit makes QEMU exit with (status << 1) | 1, so status 0
# arrives as 1, which is also QEMU's own "could not start": QEMU's errors on
# stderr tell the two apart. QEMU's 0 means the guest never wrote a status
# (a triple fault under -no-reboot, or quitting QEMU): a failure for --test.
errf=$(mktemp)
outf=$(mktemp)
trap 'rm -f "$errf" "$outf"' EXIT
rc=0
if [ -n "$exec_prog" ]; then
  # isa-debug-exit keeps 7 bits of the status: init's line has all 8
  set +e
  "$QEMU" "${args[@]}" "${extra[@]}" 2>"$errf" | tee "$outf"
  rc=${PIPESTATUS[0]}
  set -e
else
  "$QEMU" "${args[@]}" "${extra[@]}" 2>"$errf" || rc=$?
fi
cat "$errf" >&2
if [ -n "$exec_prog" ] && (( rc & 1 )); then
  st=$(sed -n 's/^init: exit status \([0-9]\{1,3\}\) (service .*).*$/\1/p' "$outf" | tail -n 1)
  if [ -n "$st" ] && [ $(( st & 127 )) -eq $(( (rc >> 1) & 127 )) ]; then
    exit "$st"
  fi
fi
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
