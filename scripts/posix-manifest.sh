#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The POSIX world's manifest lines (the format: docs/manifest.md), the one
# definition that ./qemu-run.sh --exec and tests/openposix/run.py both
# print into their boot images:
#
#   scripts/posix-manifest.sh servers [--signals] [--uart] [--devices] [--vfs-quota SIZE]
#                                     [--disk NAME [--disk-at PATH | --disk-tmp]]
#                                     [--net [--net-addr A.B.C.D/N]]
#       the entropy server (user/servers/entropy: the random bytes every
#       POSIX process seeds its generator from), the VFS (the boot image's
#       files, /tmp, /dev, /proc) and the console server (the tty). The
#       VFS gets "rng" (the entropy server) for /dev/urandom's own
#       generator, and the tty too, for /dev/tty and
#       /dev/console. --signals: the console server gets "proc", the process
#       server's endpoint, to send ^C, ^\ and ^Z to the foreground group,
#       and the VFS gets it too, for /proc/PID (user/servers/vfs/procfs.c;
#       without it /proc has no processes).
#       --vfs-quota: the VFS's kernel memory (its tmpfs's files and
#       folders live in it), default 24M.
#       --uart: the console server drives the UART itself where it can
#       (docs/console.md): it gets "console" with the right m, "irqctl" and,
#       optional (x86-64 only), "ioportctl": on x86-64 it takes COM1 from
#       the kernel; on riscv64, with no ioportctl, it stays on the relay.
#       --devices: the device manager first (user/servers/devmgr,
#       docs/devices.md: it finds the devices and starts their drivers,
#       among them the virtio-rng that qemu-run.sh adds), and the entropy
#       server gets "devmgr" to find "rng" there; the VFS gets it too, to
#       name the disks in /dev (blk0, blk1, ...).
#       --disk NAME (needs --devices): the ext2 server (user/servers/ext2,
#       docs/ext2.md) on the device manager's block device NAME (blk0: the
#       disk qemu-run.sh attaches), after the VFS; it asks the VFS to mount
#       it as "/" (FS_MOUNT; a VFS without a mount table says ENOSYS and
#       the server serves anyway). Off by default. The VFS then waits up
#       to 20 s for that root before serving its own tree as "/"
#       (--root-wait). --disk-at PATH: the disk is mounted at PATH (made in
#       the VFS's tree) instead, and the VFS's tree stays "/". --disk-tmp
#       (with --disk, the disk as "/"): the VFS mounts no tmpfs over the
#       disk's /tmp (vfs --disk-tmp), so /tmp's files are the disk's (the
#       Open POSIX file areas on an ext2 root: tests/openposix/run.py).
#       With --disk, the template ext2x too (not started at boot: init
#       starts an instance of it per mount(2) of another disk, for the VFS,
#       which holds its launcher "fslaunch"; include/cairn/launch.h): the
#       ext2 server with only the device manager, the console and the clock,
#       and an endpoint of its own.
#       --net: the network server (user/servers/net, docs/net.md) on the
#       device manager's net0 (DHCP), or with --net-addr that static IPv4
#       address and netmask length (net --addr).
#       A server's death (docs/manifest.md, "When a server dies"): the VFS
#       and the console server are `essential` (init stops the system and
#       powers off); the entropy server is restarted (`restart 3`); the
#       others' clients get EPIPE (EIO in musl-port). Not the ext2 server of
#       "/": it ends by itself when there is no disk or it cannot read it,
#       and the VFS then serves its own tree as "/".
#   scripts/posix-manifest.sh proc NAME QUOTA [--signals] [--exitstatus] -- ARGS...
#       a process server named NAME with kernel memory QUOTA, started with
#       ARGS ([--quota=SIZE] /bin/PROG [PROG's arguments]); it starts PROG as
#       pid 1 with "vfs", "tty", "console", "kinfo" and "rng" (include/cairn/posix.h,
#       "the POSIX world"). --signals: it serves endpoint:proc (one process
#       server a boot may); --exitstatus: its status is init's.
#       It gets "clock" (KernelInfo, manage right: settimeofday sets the
#       machine's real-time clock) unless --no-clock (worlds that must not
#       move the clock under others: the Open POSIX tests, many a boot).
set -euo pipefail

die() { echo "posix-manifest.sh: $*" >&2; exit 2; }

servers() {
  local signals= vfs_quota=24M uart= devices= disk= disk_at= disk_tmp= net= net_args=
  while [ $# -gt 0 ]; do
    case $1 in
      --signals) signals=1 ;;
      --uart) uart=1 ;;
      --devices) devices=1 ;;
      --vfs-quota) [ $# -ge 2 ] || die "servers: --vfs-quota needs a size"; vfs_quota=$2; shift ;;
      --disk) [ $# -ge 2 ] || die "servers: --disk needs a device name"; disk=$2; shift ;;
      --disk-at) [ $# -ge 2 ] && [[ $2 == /* ]] || die "servers: --disk-at needs an absolute path"; disk_at=$2; shift ;;
      --disk-tmp) disk_tmp=1 ;;
      --net) net=1 ;;
      --net-addr) [ $# -ge 2 ] || die "servers: --net-addr needs A.B.C.D/N"; net_args=" --addr $2"; shift ;;
      *) die "servers: unknown option '$1'" ;;
    esac
    shift
  done
  if [ -n "$disk_tmp" ] && { [ -z "$disk" ] || [ -n "$disk_at" ]; }; then
    die "servers: --disk-tmp needs --disk (the disk as \"/\"), not --disk-at"
  fi
  if [ -n "$devices" ]; then
    cat <<END
service devmgr bin/devmgr
    cap devmgr endpoint:devmgr rwg
    cap console console w
    cap kinfo kinfo r
    cap bootimage bootimage r
    cap irqctl irqctl m
    cap mmioctl mmioctl m
    cap ioportctl ioportctl m optional
    quota 8M
    priority 111
END
  fi
  cat <<END
service entropy bin/entropy
    cap console console w
    cap entropy endpoint:entropy rw
    cap kinfo kinfo r
END
  [ -z "$devices" ] || echo "    cap devmgr endpoint:devmgr w"
  local vfs_args=
  [ -z "$disk" ] || vfs_args=" --root-wait 20"
  [ -z "$disk_tmp" ] || vfs_args+=" --disk-tmp"
  cat <<END
    quota 1M
    priority 111
    restart 3
service vfs bin/vfs$vfs_args
    cap console console w
    cap vfs endpoint:vfs rwg
    cap bootimage bootimage r
    cap kinfo kinfo r
    cap rng endpoint:entropy w
    cap tty endpoint:console wg
END
  [ -z "$signals" ] || echo "    cap proc endpoint:proc w"
  [ -z "$devices" ] || echo "    cap devmgr endpoint:devmgr w"
  # /proc/net's files: the network server's texts (user/servers/vfs/procfs.c)
  [ -z "$net" ] || echo "    cap net endpoint:net w"
  [ -z "$disk" ] || echo "    cap fslaunch launcher:ext2x wg"
  cat <<END
    quota $vfs_quota
    priority 111
    essential
service console bin/console
END
  if [ -n "$uart" ]; then
    echo "    cap console console rwm"
  else
    echo "    cap console console rw"
  fi
  echo "    cap kinfo kinfo r"
  echo "    cap tty endpoint:console rwg"
  [ -z "$signals" ] || echo "    cap proc endpoint:proc w"
  if [ -n "$uart" ]; then
    echo "    cap ioportctl ioportctl m optional"
    echo "    cap irqctl irqctl m"
  fi
  echo "    quota 3M"                 # 64 ptys of 20 KiB
  echo "    priority 111"
  echo "    essential"
  if [ -n "$net" ]; then
    # the network server (user/servers/net, docs/net.md): lwIP on the
    # device manager's net0 (none: loopback only); DHCP's name servers
    # into /etc/resolv.conf through the VFS
    echo "service net bin/net$net_args"
    echo "    cap net endpoint:net rwg"
    [ -z "$devices" ] || echo "    cap devmgr endpoint:devmgr w"
    echo "    cap vfs endpoint:vfs wg"
    echo "    cap rng endpoint:entropy w"
    echo "    cap console console w"
    echo "    cap kinfo kinfo r"
    echo "    quota 32M"
    echo "    priority 111"
  fi
  if [ -n "$disk" ]; then
    [ -n "$devices" ] || die "servers: --disk needs --devices (the device manager finds the disk)"
    [[ $disk =~ ^[A-Za-z0-9_.-]{1,15}$ ]] || die "servers: --disk: a device name, as blk0"
    cat <<END
service ext2 bin/ext2 --dev $disk${disk_at:+ --mount $disk_at}
    cap ext2 endpoint:ext2 rwg
    cap devmgr endpoint:devmgr w
    cap vfs endpoint:vfs wg
    cap console console w
    cap kinfo kinfo r
END
    # the process server: whose credential tokens (docs/users.md), which
    # lock holders live (user/servers/ext2/lock.c)
    [ -z "$signals" ] || echo "    cap proc endpoint:proc w"
    cat <<END
    quota 16M
    priority 111
service ext2x bin/ext2 --cache 128 --no-fmap
    cap ext2 endpoint:ext2x rwg
    cap devmgr endpoint:devmgr w
    cap console console w
    cap kinfo kinfo r
END
    # the process server: users (docs/users.md), lock holders
    [ -z "$signals" ] || echo "    cap proc endpoint:proc w"
    cat <<END
    quota 3M
    priority 111
    template
END
  fi
}

proc() {
  [ $# -ge 2 ] || die "proc: NAME QUOTA [--signals] [--exitstatus] -- ARGS..."
  local name=$1 quota=$2 signals= exitstatus= net=
  local clock=1
  shift 2
  while [ $# -gt 0 ]; do
    case $1 in
      --signals) signals=1 ;;
      --exitstatus) exitstatus=1 ;;
      --no-clock) clock= ;;
      --net) net=1 ;;
      --) shift; break ;;
      *) die "proc: unknown option '$1'" ;;
    esac
    shift
  done
  [ $# -ge 1 ] || die "proc: no program"
  echo "service $name bin/proc $*"
  echo "    cap console console w"
  echo "    cap bootimage bootimage r"
  echo "    cap kinfo kinfo r"
  [ -z "$clock" ] || echo "    cap clock kinfo m"
  [ -z "$signals" ] || echo "    cap ep endpoint:proc rwgm"
  echo "    cap posix.console console w"
  echo "    cap posix.kinfo kinfo r"
  echo "    cap posix.vfs endpoint:vfs wg"
  echo "    cap posix.tty endpoint:console wg"
  echo "    cap posix.rng endpoint:entropy w"
  [ -z "$net" ] || echo "    cap posix.net endpoint:net wg"
  echo "    quota $quota"
  echo "    priority 110"
  [ -z "$exitstatus" ] || echo "    exitstatus"
}

case ${1:-} in
  servers) shift; servers "$@" ;;
  proc) shift; proc "$@" ;;
  *) die "usage: $0 servers [--signals] [--uart] [--devices] [--disk NAME] | proc NAME QUOTA [--signals] [--exitstatus] -- ARGS..." ;;
esac
