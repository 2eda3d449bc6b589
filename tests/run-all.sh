#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# `make test`: host unit tests (ours and lwIP's), fuzz targets, then every boot configuration
# under QEMU.
# Each part prints `ok`/`not ok` lines; this script counts them all and
# ends with `N passed, N failed` alone on the last line. The counting is
# tests/runner-lib.sh's (runpart, step, fail; tested by
# tests/runner-selftest.sh): each run has its own folder
# build/logs/run-XXXXXX ($CAIRN_LOG_DIR: every boot log of the run, the
# run's transcript test-all.txt, which alone is counted), and a part that
# dies without a result line of its own (a traceback, a missing expected
# file) is counted as failed. build/logs/last points at the latest run.
#
#   CAIRN_TEST_ONLY=REGEX   only the groups whose title matches, e.g.
#                           CAIRN_TEST_ONLY='runner|host unit' tests/run-all.sh
set -uo pipefail
cd "$(dirname "$0")/.."
. tests/runner-lib.sh
run_begin
ln -sfn "$(basename "$RUN_DIR")" build/logs/last
# Boots have one CPU unless they ask for more (qemu-run.sh --smp): the
# suites run again on four CPUs where they are about SMP (ktest, ipctest,
# the POSIX programs of processes, signals, threads, pipes, shared pages
# and timers, the SMP storm, Open POSIX's areas of threads, signals and
# timers). Two lanes of four CPUs each already ask eight host threads of
# this machine's two cores.
export CAIRN_SMP=1

bash scripts/setup.sh || { echo "not ok setup: scripts/setup.sh failed"; echo "0 passed, 1 failed"; exit 1; }

step "the test runner itself (tests/runner-selftest.sh)"
runpart bash tests/runner-selftest.sh

step "host unit tests (ASan + UBSan)"
# built on every core (the programs then run one after another)
runpart make --no-print-directory -j"$(nproc)" -f tests/host/host.mk run

step "lwIP's own unit tests (test/unit, check; ASan + UBSan)"
# One ok/not ok line per test case of lwIP 2.1.3's test/unit (check's TAP
# log); the program's exit status and its number of tests are checked too.
runpart make --no-print-directory -j"$(nproc)" -f tests/host/lwip.mk run

step "fuzz targets (libFuzzer + ASan + UBSan, fixed short runs)"
# One ok/not ok line per target (a target that does not build fails alone;
# none at all is runpart's "printed no result").
runpart make --no-print-directory -f tests/fuzz/fuzz.mk run

step "user side on a mock kernel (init, libcairn, boot images)"
runpart bash tests/mock-kernel/run.sh

# The Open POSIX tests' programs (about 1,300 an arch: 6 minutes of
# compiling on 2 cores) build in the background, at a lower priority, while
# the boots below run: the boots leave a core idle about a fifth of the
# time. The toolchains they need were built just above (the mock kernel's
# make user). The Open POSIX step waits for this; its own make then finds
# the programs built, or builds what this did not and reports the failure.
# Nothing here is counted.
POSIX_PREBUILD=
if [ -z "${CAIRN_TEST_ONLY:-}" ] || [[ "Open POSIX Test Suite" =~ $CAIRN_TEST_ONLY ]]; then
  (
    for a in riscv64 x86_64; do
      mkdir -p build/$a
      flock build/$a/.posix-programs.lock \
        nice -n 10 make --no-print-directory -s -j"$(nproc)" -f tests/openposix/posix.mk ARCH=$a || exit
    done
  ) > "$RUN_DIR/posix-prebuild.log" 2>&1 &
  POSIX_PREBUILD=$!
fi

H="/usr/bin/python3 tests/harness/boot_test.py"
E=tests/harness/expected

# The boots run in two lanes at once (tests/runner-lib.sh, lanes): one arch
# each, since two boots of one arch would build into the same folders. Each
# lane's output is printed when both have ended.

# ---- the kernel on every board: its self-tests and a crash report ----
kernel_riscv64() {
  step "build riscv64/virt"
  buildpart riscv64-virt make --no-print-directory ARCH=riscv64 BOARD=virt kernel
  local EXP="$E/riscv64-common.txt --expect $E/riscv64-virt.txt"
  step "riscv64/virt boots"
  runpart $H --name riscv64-virt --expect $EXP -- --arch riscv64 --board virt --test
  runpart $H --name riscv64-virt-64M --expect $EXP -- --arch riscv64 --board virt --test --mem 64M
  runpart $H --name riscv64-virt-2G --expect $EXP -- --arch riscv64 --board virt --test --mem 2G
  # the debug kernel (make DEBUG=1: the lock-order check, docs/smp.md) on
  # four CPUs: its self-tests, and lock.order_checked of the check itself
  buildpart riscv64-virt-debug make --no-print-directory ARCH=riscv64 BOARD=virt DEBUG=1 kernel
  runpart $H --name riscv64-virt-smp4-debug --expect $EXP --expect $E/debug.txt -- --arch riscv64 --board virt --test --smp 4 --debug
  runpart $H --name riscv64-virt-sv39 --expect $EXP -- --arch riscv64 --board virt --test --append no4lvl
  runpart $H --name riscv64-virt-crash --expect-crash "store page fault" -- --arch riscv64 --board virt --append crash=null --no-bootimage
  step "build riscv64/sifive_u"
  buildpart riscv64-sifive_u make --no-print-directory ARCH=riscv64 BOARD=sifive_u kernel
  step "riscv64/sifive_u boots"
  runpart $H --name riscv64-sifive_u --expect $E/riscv64-common.txt -- --arch riscv64 --board sifive_u --test
  runpart $H --name riscv64-sifive_u-smp3-sv39 --expect $E/riscv64-common.txt -- --arch riscv64 --board sifive_u --test --smp 3 --append no4lvl
  runpart $H --name riscv64-sifive_u-crash --expect-crash "store page fault" -- --arch riscv64 --board sifive_u --append crash=null --no-bootimage
}
kernel_x86_64() {
  step "build x86_64/q35"
  buildpart x86_64-q35 make --no-print-directory ARCH=x86_64 BOARD=q35 kernel
  local XEXP=$E/x86_64-q35.txt
  step "x86_64/q35 boots"
  runpart $H --name x86_64-q35 --expect $XEXP -- --arch x86_64 --test
  runpart $H --name x86_64-q35-64M --expect $XEXP -- --arch x86_64 --test --mem 64M
  runpart $H --name x86_64-q35-2G --expect $XEXP -- --arch x86_64 --test --mem 2G
  buildpart x86_64-q35-debug make --no-print-directory ARCH=x86_64 BOARD=q35 DEBUG=1 kernel
  runpart $H --name x86_64-q35-smp4-debug --expect $XEXP --expect $E/debug.txt -- --arch x86_64 --test --smp 4 --debug
  runpart $H --name x86_64-q35-crash --expect-crash "store page fault" --regs "rip:,vector:,cr2:,rsp:" -- --arch x86_64 --append crash=null --no-bootimage
}
step "the kernel on every board (two lanes: riscv64, x86_64)"
lanes kernel_riscv64 kernel_x86_64

# ---- userland, POSIX programs, the shell, timing: one lane an arch ----
# blk_boot NAME HARNESS-ARGS...: a boot of blktest on a fresh raw image
# ($CAIRN_LOG_DIR/NAME.img, 8 MiB, given to QEMU where @DISK@ stands), then
# the image compared with the pattern blktest leaves (tests/blk/pattern.py).
blk_boot() {
  local name=$1 img="$CAIRN_LOG_DIR/$1.img" args=()
  shift
  rm -f "$img" && truncate -s 8M "$img"
  # (made once; both lanes may get here at once: written aside, then renamed)
  if [ ! -f "$CAIRN_LOG_DIR/blk-expected.img" ]; then
    python3 tests/blk/pattern.py 8388608 "$CAIRN_LOG_DIR/blk-expected.img.$BASHPID" &&
      mv -f "$CAIRN_LOG_DIR/blk-expected.img.$BASHPID" "$CAIRN_LOG_DIR/blk-expected.img"
  fi
  for x in "$@"; do
    if [ "$x" = @DISK@ ]; then args+=(-drive "file=$img,if=none,format=raw,id=d0"); else args+=("$x"); fi
  done
  runpart $H --name $name "${args[@]}"
  blk_cmp() {
    if cmp -s "$CAIRN_LOG_DIR/blk-expected.img" "$1"; then
      echo "ok $2: the disk image holds the pattern (cmp)"
    else
      echo "not ok $2: the disk image differs from tests/blk/pattern.py's: $(cmp "$CAIRN_LOG_DIR/blk-expected.img" "$1" 2>&1 | head -1)"
    fi
  }
  runpart blk_cmp "$img" $name-image
}

# ext2_boot NAME IMG MANIFEST EXPECTED [HARNESS-ARGS...]: a boot of
# user/tests/ext2test with the ext2 server on the disk image IMG (a
# virtio-blk-pci the device manager finds as blk0).
ext2_boot() {
  local name=$1 img=$2 man=$3 exp=$4
  shift 4
  runpart $H --name $name --timeout 120 --expect $E/$exp --count 0 '^init: service ext2 crashed' "$@" \
    -- --arch ${name%%-*} --manifest $man --no-rng -- \
    -drive "file=$img,if=none,format=raw,id=d0" -device virtio-blk-pci,drive=d0
}

# ext2_fsck IMG NAME: the host's e2fsck -fn finds nothing wrong in IMG.
ext2_fsck() {
  local out
  if out=$(e2fsck -fn "$1" 2>&1); then
    echo "ok $2: e2fsck -fn finds the image clean"
  else
    echo "not ok $2: e2fsck -fn: $(echo "$out" | grep -v '^e2fsck\|^Pass' | head -3 | tr '\n' ' ')"
  fi
}

# ext2_fmap_disk IMG NAME: what posix fmap (pid 1, on the disk at /mnt)
# wrote through a MAP_SHARED mapping is in its file on the disk: 8 KiB of
# 's' with "mapped" at 10, "child" at 100, "written" at 4097.
ext2_fmap_disk() {
  local want got
  want=$(python3 -c 'b=bytearray(b"s"*8192); b[10:16]=b"mapped"; b[100:105]=b"child"; b[4097:4104]=b"written"; print(bytes(b).decode())')
  got=$(debugfs -R "cat /fmap.1/shared" "$1" 2>/dev/null)
  if [ "$got" = "$want" ]; then
    echo "ok $2: the mapped writes are on the disk"
  else
    echo "not ok $2: /fmap.1/shared on the disk is not what was written through the mapping"
  fi
}

# diskmount_images DIR TYPE: the disks of the mount(2) tests: DIR-0.img an
# empty ext2 (the manifest's, at /mnt), DIR-1.img a TYPE image (ext2, or
# ext4 without a journal: extents) made by the host's mke2fs -d with
# /hello.txt, DIR-2.img 4 MiB of seeded random bytes (no file system).
diskmount_images() {
  local d=$1 t=$2 opt=()
  [ "$t" = ext2 ] || opt=(-O ^has_journal)
  rm -rf "$d.tree" "$d"-[012].img && mkdir -p "$d.tree"
  echo "hello from the host's mke2fs" > "$d.tree/hello.txt"
  mke2fs -q -F -t ext2 "$d-0.img" 16M
  mke2fs -q -F -t "$t" "${opt[@]}" -d "$d.tree" "$d-1.img" 16M
  python3 -c 'import random,sys; r=random.Random(7); open(sys.argv[1],"wb").write(r.randbytes(4<<20))' "$d-2.img"
}

# diskmount_written IMG NAME WANT: what the guest wrote to IMG's
# /written.txt (debugfs cat), after its poweroff.
diskmount_written() {
  local got
  got=$(debugfs -R "cat /written.txt" "$1" 2>/dev/null)
  if [ "$got" = "$3" ]; then
    echo "ok $2: the file written through mount(2) is on the disk"
  else
    echo "not ok $2: /written.txt on the disk is '$got'"
  fi
}

# mount(2) of a disk (user/tests/posix/diskmount.c): the VFS starts an
# ext2 server per disk through init's launcher (the manifest's ext2x
# template); three disks (diskmount_images; ext4 with extents on x86_64);
# each mount starts an instance (7), which ends at umount (status 0) or,
# for a disk that does not exist or is no file system, after refusing it
# (status 1, 3 times); nothing crashes. Then e2fsck -fn on both ext
# images, and the written file read back by debugfs.
diskmount_tests() {
  local a=$1 d="$CAIRN_LOG_DIR/$1-diskmount" t=ext2 P=build/$1/tests/posix
  [ $a = x86_64 ] && t=ext4
  diskmount_images "$d" $t
  runpart $H --name $a-posix-diskmount --timeout 240 --expect $E/posix-diskmount.txt \
    --count 7 '^init: started ext2x\.[0-9]+ ' \
    --count 4 '^init: service ext2x\.[0-9]+ exited with status 0$' \
    --count 3 '^init: service ext2x\.[0-9]+ exited with status 1$' \
    --count 0 '^init: service .* crashed' \
    -- --disk "$d-0.img" --disk "$d-1.img" --disk "$d-2.img" --exec $P/diskmount
  runpart ext2_fsck "$d-0.img" $a-posix-diskmount-fsck-0
  runpart ext2_fsck "$d-1.img" $a-posix-diskmount-fsck-1
  runpart diskmount_written "$d-1.img" $a-posix-diskmount-debugfs "written by Cairn through a mount(2)"
  # the same from busybox (tests/ext2/diskmount-busybox.sh): mount -t ext2,
  # mount without -t (/proc/filesystems), mount -o ro, umount, df, the
  # errors as busybox prints them; fresh disks
  d="$CAIRN_LOG_DIR/$a-bbmount"
  diskmount_images "$d" $t
  runpart $H --name $a-busybox-diskmount --timeout 240 --expect $E/busybox-diskmount.txt \
    --count 0 '^init: service .* crashed' \
    -- --disk "$d-0.img" --disk "$d-1.img" --disk "$d-2.img" \
    --add tests/ext2/diskmount-busybox.sh:/diskmount.sh --exec build/$a/busybox/busybox sh /diskmount.sh
  runpart ext2_fsck "$d-0.img" $a-busybox-diskmount-fsck-0
  runpart ext2_fsck "$d-1.img" $a-busybox-diskmount-fsck-1
}

# The ext2 server (user/servers/ext2) on images made by tests/ext2/mkimg.sh:
# a fresh one (1 KiB blocks on riscv64, 4 KiB on x86_64) driven through the
# whole protocol, e2fsck -fn after its sync; booted again, the files are
# there and e2fsck still finds it clean; a full 1 MiB disk (ENOSPC); two
# corrupt images (seeded flips in the inode table and directories) give
# errors, never a crash of the server.
ext2_tests() {
  local a=$1 bs=1024 img="$CAIRN_LOG_DIR/$1-ext2.img"
  [ $a = x86_64 ] && bs=4096
  step "$a userland: the ext2 server on a disk image (user/tests/ext2test)"
  bash tests/ext2/mkimg.sh fresh "$img" $bs >/dev/null
  ext2_boot $a-ext2-first "$img" ext2test ext2test-first.txt --require '^ext2: /dev/blk0: '
  runpart ext2_fsck "$img" $a-ext2-first-fsck
  ext2_boot $a-ext2-second "$img" ext2test ext2test-second.txt
  runpart ext2_fsck "$img" $a-ext2-second-fsck
  bash tests/ext2/mkimg.sh small "$CAIRN_LOG_DIR/$a-ext2-small.img" >/dev/null
  ext2_boot $a-ext2-small "$CAIRN_LOG_DIR/$a-ext2-small.img" ext2test-small ext2test-small.txt
  runpart ext2_fsck "$CAIRN_LOG_DIR/$a-ext2-small.img" $a-ext2-small-fsck
  for seed in 1 2; do
    [ $a = x86_64 ] && seed=$((seed + 10))
    bash tests/ext2/mkimg.sh corrupt "$CAIRN_LOG_DIR/$a-ext2-corrupt-$seed.img" $seed >/dev/null
    ext2_boot $a-ext2-corrupt-$seed "$CAIRN_LOG_DIR/$a-ext2-corrupt-$seed.img" ext2test-corrupt \
      ext2test-corrupt.txt
  done
}

userland() {
  local a=$1
  step "$a userland: init and its services from the boot image"
  local IEQ=(--equal '^init: (?:before|after) the services: ([0-9]+) of')
  if [ $a = riscv64 ]; then
    runpart $H --name riscv64-virt-init --expect-lines $E/init-demo.txt --status 1 "${IEQ[@]}" -- --arch riscv64 --manifest demo
    runpart $H --name riscv64-virt-init-sv39-smp4 --expect-lines $E/init-demo.txt --status 1 "${IEQ[@]}" -- --arch riscv64 --manifest demo --append no4lvl --smp 4
    runpart $H --name riscv64-virt-init-hello --expect-lines $E/init-hello.txt --status 0 -- --arch riscv64 --manifest hello
    runpart $H --name riscv64-sifive_u-init --expect-lines $E/init-demo.txt --status 1 "${IEQ[@]}" -- --arch riscv64 --manifest demo --board sifive_u
    runpart $H --name riscv64-virt-ipctest --expect $E/ipctest.txt -- --arch riscv64 --manifest ipctest
    runpart $H --name riscv64-virt-ipctest-smp4 --expect $E/ipctest.txt -- --arch riscv64 --manifest ipctest --smp 4
    runpart $H --name riscv64-virt-fptest --expect $E/fptest.txt -- --arch riscv64 --manifest fptest
  else
    runpart $H --name x86_64-q35-init --expect-lines $E/init-demo.txt --status 1 "${IEQ[@]}" -- --arch x86_64 --manifest demo
    runpart $H --name x86_64-q35-init-smp4-64M --expect-lines $E/init-demo.txt --status 1 "${IEQ[@]}" -- --arch x86_64 --manifest demo --smp 4 --mem 64M
    runpart $H --name x86_64-q35-init-hello --expect-lines $E/init-hello.txt --status 0 -- --arch x86_64 --manifest hello
    runpart $H --name x86_64-q35-ipctest --expect $E/ipctest.txt -- --arch x86_64 --manifest ipctest
    runpart $H --name x86_64-q35-ipctest-smp4 --expect $E/ipctest.txt -- --arch x86_64 --manifest ipctest --smp 4
    runpart $H --name x86_64-q35-fptest --expect $E/fptest.txt -- --arch x86_64 --manifest fptest
  fi

  if [ $a = riscv64 ]; then
    step "$a userland: a virtio-rng driver (the kernel's driver primitives with a real device)"
    # drivers/virtio_rng's self-test (user/manifests/virtio_rng.manifest, no
    # --mmio) drives QEMU's virtio-rng register by register through an
    # MmioRegion, a contiguous MemoryObject for DMA and an IrqLine bound to a
    # Notification; one ok line a test (expected/virtio_rng.txt).
    # Both virtio-mmio interfaces: modern (Version 2, asked for with
    # force-legacy=false) and legacy (Version 1, QEMU 7.2's default); --require
    # checks the guest saw the one asked for. The device is the one
    # ./qemu-run.sh adds by default (the board's QEMU_RNG_ARGS: -device
    # virtio-rng-device).
    local RNG=(--timeout 30 --expect $E/virtio_rng.txt)
    runpart $H --name riscv64-virt-virtio_rng "${RNG[@]}" --require 'virtio-mmio version 2 \(modern\)' \
      -- --arch riscv64 --manifest virtio_rng -- -global virtio-mmio.force-legacy=false
    runpart $H --name riscv64-virt-virtio_rng-smp4 "${RNG[@]}" --require 'virtio-mmio version 2 \(modern\)' \
      -- --arch riscv64 --manifest virtio_rng --smp 4 -- -global virtio-mmio.force-legacy=false
    runpart $H --name riscv64-virt-virtio_rng-legacy "${RNG[@]}" --require 'virtio-mmio version 1 \(legacy\)' \
      -- --arch riscv64 --manifest virtio_rng
  fi

  # init's launcher (include/cairn/launch.h; launchtest.manifest): bad
  # LAUNCH_START requests are EINVAL and start nothing; two instances of the
  # template inst (bin/hello) start with its argument, then --dev NAME
  # [--ro], its capabilities and the caller's as "caller", and end
  runpart $H --name $a-launchtest --timeout 60 --expect $E/launchtest.txt \
    --count 2 '^init: started inst\.[0-9]+ ' --count 2 '^init: service inst\.[0-9]+ exited with status 0$' \
    --require '^hello: argv\[0\] = "inst\.[0-9]+"$' --require '^hello: argv\[1\] = "fixed-arg"$' \
    --require '^hello: argv\[3\] = "blk1"$' --require '^hello: argv\[4\] = "--ro"$' \
    --require '^hello: argv\[3\] = "abcdefghijklmno"$' --require '^hello: capability caller in slot' \
    --count 0 '^init: service .* crashed' -- --arch $a --manifest launchtest

  # A server dies while its clients use it (user/tests/deathtest;
  # docs/manifest.md, "When a server dies"): the test kills it through its
  # Process (process:<service>) while a thread waits in a call the server
  # put aside. Restarted (restart 1): the waiting call fails with EPIPE,
  # old objects answer EBADF from the new instance, opening anew works.
  # Not restarted: everything fails with EPIPE at once. essential: init
  # stops the system and powers off with the service's status.
  runpart $H --name $a-deathtest-vfs --timeout 60 --expect $E/deathtest-vfs.txt \
    --count 1 '^init: restarting vfs' --require '^kills survived: 1$' -- --arch $a --manifest deathtest-vfs
  runpart $H --name $a-deathtest-vfs-final --timeout 60 --expect $E/deathtest-vfs-final.txt \
    --count 0 '^init: restarting' --require '^kills survived: 1$' -- --arch $a --manifest deathtest-vfs-final
  runpart $H --name $a-deathtest-console --timeout 60 --expect $E/deathtest-console.txt \
    --count 1 '^init: restarting console' --require '^kills survived: 1$' -- --arch $a --manifest deathtest-console
  # a server that never starts (its program missing): its endpoint given up
  runpart $H --name $a-deathtest-nostart --timeout 60 --expect $E/deathtest-nostart.txt \
    -- --arch $a --manifest deathtest-nostart
  # the device manager not restarted: lookups fail at once, its drivers serve on
  runpart $H --name $a-deathtest-devmgr --timeout 60 --expect $E/deathtest-devmgr.txt \
    --count 0 '^init: restarting' --require '^kills survived: 1$' -- --arch $a --manifest deathtest-devmgr
  # the network server not restarted: a waiting read, old sockets and new
  # ones fail with EPIPE
  runpart $H --name $a-deathtest-net --timeout 60 --expect $E/deathtest-net.txt \
    --count 0 '^init: restarting' --require '^kills survived: 1$' -- --arch $a --manifest deathtest-net
  runpart $H --name $a-deathtest-net-restart --timeout 60 --expect $E/deathtest-net-restart.txt \
    --count 1 '^init: restarting net' --require '^kills survived: 1$' -- --arch $a --manifest deathtest-net-restart
  # the entropy server restarted: reads go on (clients hold no objects of it)
  runpart $H --name $a-deathtest-entropy --timeout 60 --expect $E/deathtest-entropy.txt \
    --count 1 '^init: restarting entropy' --require '^kills survived: 1$' -- --arch $a --manifest deathtest-entropy
  # the ext2 server restarted on an empty ext2 disk: a file synced before
  # the kill is there for the new instance; the disk is clean after
  local dimg="$CAIRN_LOG_DIR/$a-deathtest-ext2.img"
  rm -f "$dimg" && mke2fs -q -F -t ext2 "$dimg" 16M
  ext2_boot $a-deathtest-ext2 "$dimg" deathtest-ext2 deathtest-ext2.txt \
    --count 1 '^init: restarting ext2' --require '^kills survived: 1$'
  runpart ext2_fsck "$dimg" $a-deathtest-ext2-fsck
  # (137: killed; x86-64's isa-debug-exit keeps 7 bits of it)
  runpart $H --name $a-deathtest-essential --timeout 60 --expect-lines $E/deathtest-essential.txt \
    --status $([ $a = x86_64 ] && echo 9 || echo 137) -- --arch $a --manifest deathtest-essential
  # the process server killed while its pid 1 waits: it is the exitstatus
  # service (as in the POSIX world), so its death ends the system too
  runpart $H --name $a-deathtest-proc --timeout 60 --expect-lines $E/deathtest-proc.txt \
    --status $([ $a = x86_64 ] && echo 9 || echo 137) -- --arch $a --manifest deathtest-proc

  step "$a userland: the entropy server (user/servers/entropy) and its protocol"
  # user/tests/entropytest speaks RNG_READ and RNG_INFO to the server
  # (user/manifests/entropytest.manifest; expected/entropytest.txt). Without any
  # source (--no-rng: no virtio-rng device, and on x86_64 no RDRAND) the
  # server must say so exactly once and RNG_INFO has no RNG_HW; on x86_64
  # with the board's RDRAND it is seeded from the CPU and says RNG_HW.
  # entropytest-svc.manifest feeds it from a stand-in `rng` service (entropytest
  # fake): seeded from the service, RNG_HW, and asked again (the stand-in
  # logs each read: its second) when a reseed is due after 1 MiB served.
  # entropytest-devmgr.manifest: the server finds that service through the
  # device manager (DEV_LOOKUP "rng"), whose driver for the default
  # virtio-rng device (virtio-mmio on riscv64, PCI on x86_64) is the
  # stand-in. entropytest-devmgr-hang.manifest: that driver never comes up; the
  # server must not hold the boot for it (it says so and serves).
  local NOSRC='^entropy: no entropy source'
  runpart $H --name $a-entropytest-nosource --timeout 60 --expect $E/entropytest.txt --count 1 "$NOSRC" \
    --require '^ok 1 entropy\.info: flags 0$' -- --arch $a --manifest entropytest --no-rng
  runpart $H --name $a-entropytest-svc --timeout 60 --expect $E/entropytest.txt --count 0 "$NOSRC" \
    --require '^entropy: seeded from the rng service' --require '^entropytest fake: RNG_READ 32 \(request 2\)' \
    -- --arch $a --manifest entropytest-svc
  runpart $H --name $a-entropytest-devmgr --timeout 90 --expect $E/entropytest.txt --count 0 "$NOSRC" \
    --require '^devmgr: rng: up \(bin/entropytest\)' --require '^entropy: seeded from the rng service' \
    -- --arch $a --manifest entropytest-devmgr
  # and with the real driver (drivers/virtio_rng) for that default device
  runpart $H --name $a-entropytest-virtio --timeout 90 --expect $E/entropytest.txt --count 0 "$NOSRC" \
    --require '^devmgr: rng: up \(bin/virtio_rng\)' --require '^entropy: seeded from the rng service' \
    -- --arch $a --manifest entropytest-virtio
  runpart $H --name $a-entropytest-devmgr-hang --timeout 90 --expect $E/entropytest.txt \
    --count 1 '^entropy: the device manager.s "rng" is not up yet' -- --arch $a --manifest entropytest-devmgr-hang
  if [ $a = x86_64 ]; then
    runpart $H --name x86_64-entropytest-rdrand --timeout 60 --expect $E/entropytest.txt --count 0 "$NOSRC" \
      --require '^entropy: seeded from the CPU' --require '^ok 1 entropy\.info: flags 0x1$' \
      -- --arch x86_64 --manifest entropytest
  fi
  step "$a userland: the virtio-rng driver serving RNG_READ (the virtio library)"
  # drivers/virtio_rng as the device manager starts it (--mmio or --pci, svc,
  # devmgr), on the virtio library, serving user/tests/rngtest
  # (expected/rngtest.txt): riscv64 virtio-mmio modern and legacy
  # (rng-mmio.manifest), x86_64 virtio-pci at 00:05.0 (rng-pci.manifest).
  # These and the block boots take --no-rng: only the devices they name
  # (qemu-run.sh adds a virtio-rng device by default).
  local RNGD=(--timeout 30 --expect $E/rngtest.txt)
  if [ $a = riscv64 ]; then
    runpart $H --name riscv64-virt-rngd-mmio "${RNGD[@]}" --require 'rng: virtio-mmio version 2 \(modern\)' \
      -- --arch riscv64 --manifest rng-mmio --no-rng -- -device virtio-rng-device -global virtio-mmio.force-legacy=false
    runpart $H --name riscv64-virt-rngd-mmio-legacy "${RNGD[@]}" --require 'rng: virtio-mmio version 1 \(legacy\)' \
      -- --arch riscv64 --manifest rng-mmio --no-rng -- -device virtio-rng-device
  else
    runpart $H --name x86_64-q35-rngd-pci "${RNGD[@]}" --require 'rng: virtio-pci \(modern\)' \
      -- --arch x86_64 --manifest rng-pci --no-rng -- -device virtio-rng-pci,addr=0x5
  fi
  # started by the device manager, found by DEV_LOOKUP (rng-devmgr.manifest)
  runpart $H --name $a-rngd-devmgr "${RNGD[@]}" --require 'rng: virtio-pci \(modern\)' \
    --require 'devmgr: rng: up' -- --arch $a --manifest rng-devmgr --no-rng -- -device virtio-rng-pci
  if [ $a = riscv64 ]; then
    runpart $H --name $a-rngd-devmgr-legacy "${RNGD[@]}" --require 'rng: virtio-pci \(legacy\)' \
      -- --arch $a --manifest rng-devmgr --no-rng -- -device virtio-rng-pci,disable-modern=on
  fi

  step "$a userland: the virtio block driver and the block protocol"
  # drivers/virtio_blk serves include/cairn/blk.h to user/tests/blktest
  # (expected/blktest.txt) on a raw 8 MiB image made here; blktest's last
  # test writes the whole disk, and after poweroff the image must equal
  # tests/blk/pattern.py's (cmp). riscv64: virtio-mmio, modern and legacy;
  # x86_64: virtio-pci (modern) at 00:04.0, caps by manifest (blktest-pci).
  local BLK=(--timeout 60 --expect $E/blktest.txt)
  if [ $a = riscv64 ]; then
    blk_boot riscv64-virt-blk-mmio "${BLK[@]}" --require 'virtio-mmio version 2 \(modern\)' \
      -- --arch riscv64 --manifest blktest-mmio --no-rng -- @DISK@ -device virtio-blk-device,drive=d0 \
      -global virtio-mmio.force-legacy=false
    blk_boot riscv64-virt-blk-mmio-legacy "${BLK[@]}" --require 'virtio-mmio version 1 \(legacy\)' \
      -- --arch riscv64 --manifest blktest-mmio --no-rng -- @DISK@ -device virtio-blk-device,drive=d0
    # the driver crashes with requests in flight (its --testhooks), init
    # restarts it (blktest-restart.manifest): the client fails them with EIO
    # and attaches again
    runpart $H --name riscv64-virt-blk-restart --timeout 60 --expect $E/blktest-restart.txt \
      --count 1 '^init: restarting blk0' -- --arch riscv64 --manifest blktest-restart --no-rng -- \
      -drive "file=$CAIRN_LOG_DIR/riscv64-virt-blk-mmio.img,if=none,format=raw,id=d0" \
      -device virtio-blk-device,drive=d0
  else
    blk_boot x86_64-q35-blk-pci "${BLK[@]}" --require 'virtio-pci \(modern\)' \
      -- --arch x86_64 --manifest blktest-pci --no-rng -- @DISK@ -device virtio-blk-pci,drive=d0,addr=0x4
    # legacy virtio-pci through the port-I/O capability (an IoPort for BAR 0)
    blk_boot x86_64-q35-blk-pci-legacy "${BLK[@]}" --require 'virtio-pci \(legacy\)' \
      -- --arch x86_64 --manifest blktest-pci-legacy --no-rng -- @DISK@ \
      -device virtio-blk-pci,disable-modern=on,drive=d0,addr=0x4
  fi

  # started by the device manager, found by DEV_LOOKUP (blktest-devmgr.manifest):
  # virtio-blk-pci, on riscv64 modern and legacy (the I/O window)
  blk_boot $a-blk-devmgr "${BLK[@]}" --require 'blk0: virtio-pci \(modern\)' --require 'devmgr: blk0: up' \
    -- --arch $a --manifest blktest-devmgr --no-rng -- @DISK@ -device virtio-blk-pci,drive=d0
  # legacy: riscv64's I/O BAR in the host bridge's I/O window, x86-64's an IoPort
  blk_boot $a-blk-devmgr-legacy "${BLK[@]}" --require 'blk0: virtio-pci \(legacy\)' \
    -- --arch $a --manifest blktest-devmgr --no-rng -- @DISK@ -device virtio-blk-pci,disable-modern=on,drive=d0
  # the driver crashes with requests in flight and the device manager
  # restarts it (blktest-devmgr-restart.manifest): device quiesced and
  # reset, queues rebuilt, the client's requests fail with EIO or complete,
  # later ones work, the free pages come back
  runpart $H --name $a-blk-devmgr-restart --timeout 60 --expect $E/blktest-restart.txt \
    --count 1 '^devmgr: blk0: restarting' --require 'devmgr: blk0: up' \
    -- --arch $a --manifest blktest-devmgr-restart --no-rng -- \
    -drive "file=$CAIRN_LOG_DIR/$a-blk-devmgr.img,if=none,format=raw,id=d0" -device virtio-blk-pci,drive=d0

  step "$a userland: the virtio-net driver and the frame protocol (QEMU user networking)"
  # drivers/virtio_net, started by the device manager as net0, serves
  # include/cairn/net.h to user/tests/nettest (nettest.manifest, lookup=net0;
  # expected/nettest.txt), which exchanges real frames with QEMU's user
  # networking (./qemu-run.sh --net user: slirp, MAC 52:54:00:12:34:56):
  # ARP and ICMP echo to the gateway 10.0.2.2, 200 in a row, bad
  # descriptors, a broken queue, sessions running out, a client killed with
  # receive buffers on the device (the driver resets the device to take
  # them back: three resets a run). riscv64 virt: virtio-mmio modern and
  # legacy, virtio-net-pci modern and legacy; x86-64 q35: virtio-net-pci
  # modern and legacy (its I/O BAR through an IoPort).
  local NET=(--timeout 60 --expect $E/nettest.txt --require 'devmgr: net0: up \(bin/virtio_net\)'
             --count 3 '^net0: a session ended with receive buffers on the device')
  if [ $a = riscv64 ]; then
    runpart $H --name riscv64-virt-net-mmio "${NET[@]}" --require '^net0: virtio-mmio version 2 \(modern\)' \
      -- --arch riscv64 --manifest nettest --no-rng --net user -- -global virtio-mmio.force-legacy=false
    runpart $H --name riscv64-virt-net-mmio-legacy "${NET[@]}" --require '^net0: virtio-mmio version 1 \(legacy\)' \
      -- --arch riscv64 --manifest nettest --no-rng --net user
  fi
  runpart $H --name $a-net-pci "${NET[@]}" --require '^net0: virtio-pci \(modern\)' \
    -- --arch $a --manifest nettest --no-rng --net user --net-device virtio-net-pci
  runpart $H --name $a-net-pci-legacy "${NET[@]}" --require '^net0: virtio-pci \(legacy\)' \
    -- --arch $a --manifest nettest --no-rng --net user --net-device virtio-net-pci,disable-modern=on

  step "$a devices: the device manager (user/servers/devmgr) with several devices at once"
  # user/tests/devtest asks the device manager (devtest.manifest; x86-64:
  # devtest-pci.manifest) for devices, restarts and crashes their drivers (the
  # stub user/tests/stubdrv, which checks it was started as
  # include/cairn/dev.h says) and counts the kernel's free pages
  # (expected/devtest.txt). riscv64 virt: two virtio-mmio devices with a
  # driver, one whose driver always crashes (virtio-serial), two PCI ones
  # with a driver and one without (virtio-balloon), and QEMU's edu device
  # whose INTx must reach its driver, a virtio keyboard whose driver never
  # says DEV_READY, and a virtio-crypto whose driver works when first started
  # and crashes in every restart; x86-64 q35: the PCI ones. The device
  # manager logs one line per device found (--count), gives up on the
  # crashing one after DEV_RESTART_MAX restarts (twice), on the silent one
  # after as many ready timeouts, and on the crypto one once devtest crashes it
  # (its client's calls then fail: dev.given_up_fails_calls). --no-rng: no device but those named here (qemu-run.sh
  # adds a virtio-rng device by default).
  local DISK=$CAIRN_LOG_DIR/devtest-$a
  truncate -s 1M "$DISK-0.img" "$DISK-1.img"
  local DEVPCI=(-drive if=none,id=d1,file=$DISK-1.img,format=raw -device virtio-blk-pci,drive=d1
                -device virtio-rng-pci -device virtio-balloon-pci -device edu -object cryptodev-backend-builtin,id=cr0 -device virtio-crypto-pci,cryptodev=cr0)
  local DEVT=(--timeout 90 --expect $E/devtest.txt
              --count 2 '^devmgr: con: its driver failed every restart: giving up'
              --count 10 '^devmgr: con: restarting \([1-5] of 5\)$'
              --count 6 '^devmgr: kbd: no DEV_READY within 500 ms: stopping its driver$'
              --count 1 '^devmgr: kbd: its driver failed every restart: giving up'
              --count 1 '^devmgr: cry: its driver failed every restart: giving up')
  if [ $a = riscv64 ]; then
    runpart $H --name riscv64-virt-devtest "${DEVT[@]}" --count 10 '^devmgr: (virtio-mmio 0x|pci [0-9a-f]{2}:)' \
      -- --arch riscv64 --manifest devtest --no-rng -- -device virtio-rng-device \
      -drive if=none,id=d0,file=$DISK-0.img,format=raw -device virtio-blk-device,drive=d0 \
      -device virtio-serial-device -device virtio-keyboard-device "${DEVPCI[@]}"
  else
    runpart $H --name x86_64-q35-devtest "${DEVT[@]}" --count 13 '^devmgr: pci [0-9a-f]{2}:' \
      -- --arch x86_64 --manifest devtest-pci --no-rng -- "${DEVPCI[@]}" -device virtio-serial-pci \
      -device virtio-keyboard-pci
  fi

  step "$a userland: the console server (a tty with a line discipline)"
  # user/servers/console serves the tty protocol (include/cairn/posix.h) to
  # user/tests/ttytest, which types with TIOCSTI and reads the echo back with
  # TTY_CAPTURE (user/manifests/ttytest.manifest; expected/ttytest.txt).
  # tty_test.py types into QEMU's serial console through its stdin and checks
  # the echo and the lines user/tests/ttyecho reads (ttyecho.manifest).
  # ttysig: ^C, ^\ and ^Z reach a process's handlers through the process
  # server (ttysig.manifest; expected/ttysig.txt).
  runpart $H --name $a-ttytest --expect $E/ttytest.txt -- --arch $a --manifest ttytest
  runpart /usr/bin/python3 tests/harness/tty_test.py --name $a-ttyecho -- --arch $a
  runpart $H --name $a-ttysig --expect $E/ttysig.txt -- --arch $a --manifest ttysig
  # The same typing with the console server driving the UART itself
  # (ttyecho-uart.manifest: the kernel hands its 16550 over: riscv64 virt's
  # through an MmioRegion, x86-64's COM1 through an IoPort).
  runpart /usr/bin/python3 tests/harness/tty_test.py --name $a-ttyecho-uart --manifest ttyecho-uart -- --arch $a
  runpart uart_taken $a

  step "$a userland: ktest (every system call and kernel-object method) and kfuzz"
  # One boot of user/manifests/ktest.manifest: user/tests/ktest's tests
  # (expected/ktest.txt, each an ok line in the count), the last of which run
  # the fuzzer user/tests/kfuzz in a child and check that every page comes back.
  # The boot powers off with status 0 only when every test passed.
  # x86_64 gets QEMU's edu device at 00:10.0, whose INTx ktest raises
  # (irq.pci_intx_level_low).
  local dev=()
  [ $a = x86_64 ] && dev=(-- -device edu,addr=0x10)
  # console.dump asks for the kernel's thread dump (DEBUG_DUMP): --require
  # its last line
  runpart $H --name $a-ktest --timeout 90 --expect $E/ktest.txt \
    --require '^kdump: end: [0-9]+ processes, [0-9]+ threads' -- --arch $a --manifest ktest "${dev[@]}"
  # the same on four CPUs: ktest pins its own threads to one CPU; kfuzz runs
  # a fuzzer a CPU, and their children and the servers use them all. With
  # the debug kernel: every lock taken is checked against the lock order
  # (a violation panics, and the boot fails)
  runpart $H --name $a-ktest-smp4-debug --timeout 120 --expect $E/ktest.txt -- --arch $a --manifest ktest --smp 4 --debug "${dev[@]}"
  # riscv64 (QEMU's harts have ASIDs; its x86-64 CPUs no PCIDs) with a pool
  # of four tags, so that tlb.many_spaces has more spaces than tags
  [ $a = riscv64 ] &&
    runpart $H --name $a-ktest-astags4 --timeout 90 --expect $E/ktest.txt -- --arch $a --manifest ktest --append astags=4

  step "$a userland: the process server (user/servers/proc) and its protocol"
  # user/manifests/proctest.manifest: the server starts user/tests/proctest as
  # pid 1, which speaks PS_* directly (fork by hand, wait, exit statuses,
  # signals through THREAD_UPCALL, process groups, exec); one ok line a test
  # (expected/proctest.txt); the server exits with pid 1's status.
  # user/manifests/proctest-init.manifest: the server's --init, proctest's
  # tests of pid 1 as the system's init (signals it has not asked for are not
  # delivered to it; blocked or handled ones are), expected/proctest-init.txt
  runpart $H --name $a-proctest --timeout 90 --expect $E/proctest.txt -- --arch $a --manifest proctest
  runpart $H --name $a-proctest-init --timeout 60 --expect $E/proctest-init.txt -- --arch $a --manifest proctest-init

  step "$a userland: the VFS server (files, directories, pipes) and its protocol tests"
  # user/manifests/vfstest.manifest: user/servers/vfs with user/tests/vfstest,
  # which exercises every I/O and file-system operation of posix.h through
  # the protocol (libcairn only), pipes with a peer process, and bad input;
  # one ok line a test (expected/vfstest.txt), the last a leak check of the
  # server's objects; the boot ends with vfstest's status.
  runpart $H --name $a-vfstest --timeout 90 --expect $E/vfstest.txt -- --arch $a --manifest vfstest

  ext2_tests $a

  step "$a POSIX programs: the Cairn toolchain (musl-port) and ./qemu-run.sh --exec"
  # make ARCH=<arch> posix-tests builds the toolchain (musl 1.2.3 patched by
  # musl-port/, about a minute per arch the first time) and user/tests/posix/
  # with it (user/tests/posix/*.c: each also builds and passes on Linux).
  # basics prints one ok line a test (expected/posix-basics.txt) and
  # calls one unimplemented system call three times: the dispatcher must say
  # so exactly once. status checks that the program's output and exit status
  # come through --exec whole, and that a crash ends with 128 + SIGSEGV.
  buildpart "$a toolchain and POSIX test programs" make --no-print-directory -j"$(nproc)" ARCH=$a posix-tests
  local P=build/$a/tests/posix t rb
  runpart $H --name $a-posix-basics --timeout 120 --expect $E/posix-basics.txt \
    --count 1 '^cairn: system call acct \([0-9]+\) not implemented$' -- --exec $P/basics
  runpart $H --name $a-posix-status --expect-lines $E/posix-status.txt --status 200 -- --exec $P/status 200
  runpart $H --name $a-posix-crash --expect-lines $E/posix-crash.txt --status 139 -- --exec $P/status crash
  # the POSIX servers through musl-port: files and directories, descriptors
  # (pipes, dup, fcntl, poll, select, the tty), processes (fork, exec,
  # wait, groups, posix_spawn), signals, threads; files through their
  # shared pages (fmap: offsets across fork, O_APPEND, mmap, SIGBUS); record
  # locks, flock and FIFOs (locks); message queues; System V IPC; bad
  # pointers to system calls (efault: EFAULT, no SIGSEGV); a SA_SIGINFO
  # handler's ucontext (ucontext: registers, the pc moved past a fault,
  # uc_sigmask, si_code); scheduling policies (sched); references that
  # belong to capabilities (overclose: a child, an exec'd program and an
  # SCM_RIGHTS receiver over-close what they were given, the parent's
  # descriptors still work); one ok line a test
  for t in files io procs signals timers threads pipes fmap mounts locks mqueue sysvipc efault ucontext sched overclose; do
    runpart $H --name $a-posix-$t --timeout 180 --expect $E/posix-$t.txt -- --exec $P/$t
  done
  # the programs about processes, signals, threads, pipes, shared pages,
  # timers, message queues and System V IPC again on four CPUs
  for t in procs signals threads pipes fmap timers mqueue sysvipc sched; do
    runpart $H --name $a-posix-$t-smp4 --timeout 240 --expect $E/posix-$t.txt -- --smp 4 --exec $P/$t
  done
  # threads and mappings bounded by memory only (limits.c: 1,000 threads
  # alive at once, 10,000 live mmaps), with a quota that pays for them, on
  # one CPU and on four
  runpart $H --name $a-posix-limits --timeout 180 --expect $E/posix-limits.txt -- --quota 100M \
    --exec $P/limits
  runpart $H --name $a-posix-limits-smp4 --timeout 240 --expect $E/posix-limits.txt -- --quota 100M \
    --smp 4 --exec $P/limits
  # processes bounded by the memory they use (forks.c) on a machine of
  # 256M: 1,000 forked children alive at once; children forked until fork
  # fails (EAGAIN or ENOMEM, 1,000 at least), twice, every page back after;
  # a fork bomb in a session of its own while this one forks and uses
  # files. make stress runs 6 rounds.
  runpart $H --name $a-posix-forks --timeout 400 --expect $E/posix-forks.txt -- --mem 256M \
    --exec $P/forks
  # The SMP storm (user/tests/posix/stress.c): pairs of processes on four
  # CPUs call through pipes, signal, map, fork and kill, and are killed,
  # for 2 s, twice; after the second every page must be back (within
  # 512 KiB). make stress runs it for 60 s.
  runpart $H --name $a-posix-stress --timeout 300 --expect $E/posix-stress.txt -- --quota 4M --smp 4 \
    --exec $P/stress 2
  # the kernel's thread dump (three Ctrl-] at the console, kernel/kdump.c),
  # which the harness asks of every boot that runs out of time
  runpart /usr/bin/python3 tests/harness/kdump_test.py --name $a-kdump -- --arch $a
  # the same file programs on an ext2 disk (the ext2 server mounts it at
  # /mnt: --exec with --disk), through musl-port's redirects; fmap there
  # through the ext2 server's file pages (user/servers/ext2/pages.c); locks
  # and FIFOs on the disk's files (the locks are the ext2 server's, the
  # FIFOs' pipes the VFS's); overclose on the disk's files (the ext2
  # server's references)
  local fimg="$CAIRN_LOG_DIR/$a-posix-ext2.img"
  for t in files io locks overclose fmap; do
    rm -f "$fimg" && mke2fs -q -F -t ext2 "$fimg" 32M
    runpart $H --name $a-posix-$t-ext2 --timeout 240 --expect $E/posix-$t.txt \
      --require '^ext2: /dev/blk0 mounted on /mnt$' -- --disk "$fimg" --exec $P/$t /mnt
    runpart ext2_fsck "$fimg" $a-posix-$t-ext2-fsck
  done
  # fmap's last image: its mmap writes reached the disk (write-back)
  runpart ext2_fmap_disk "$fimg" $a-posix-fmap-ext2-disk
  # the server protocol fuzzer (user/tests/pfuzz/pfuzz.c): random and
  # malformed requests, as uid 1000, through every kind of object a
  # process holds (the VFS's files, folders, pipes, FIFOs, /dev, /proc, a
  # message queue; the disk's at /mnt; the tty and a pty; proc, cred;
  # net and its sockets; rng), each server's answers to real requests
  # checked after every 50; the requests that once broke a server, then 5
  # seeds of 600 (make stress: 40 of 1,500); the disk clean after it
  rm -f "$fimg" && mke2fs -q -F -t ext2 "$fimg" 32M
  runpart $H --name $a-pfuzz --timeout 180 --expect $E/pfuzz.txt \
    --require '^ext2: /dev/blk0 mounted on /mnt$' -- --disk "$fimg" \
    --exec build/$a/tests/pfuzz/pfuzz seeds=1-5 requests=600
  runpart ext2_fsck "$fimg" $a-pfuzz-fsck
  # a redirect's capability into a mount, closed: the mount stays (the
  # VFS pins a tmpfs mount's root reference)
  rm -f "$fimg" && mke2fs -q -F -t ext2 "$fimg" 32M
  runpart $H --name $a-pfuzz-overclose --timeout 120 --expect $E/pfuzz-overclose.txt \
    --require '^ext2: /dev/blk0 mounted on /mnt$' -- --disk "$fimg" \
    --exec build/$a/tests/pfuzz/pfuzz overclose
  diskmount_tests $a
  # the crash test (tests/ext2/crash_test.py): records appended and fsync'd
  # on the disk, QEMU killed with SIGKILL at random moments, e2fsck -fy,
  # every synced record intact on the next boot; 6 kills on riscv64, 4 on
  # x86_64 here (make stress: 100)
  local kills=6; [ $a = x86_64 ] && kills=4
  runpart python3 tests/ext2/crash_test.py --name $a-ext2-crash --arch $a --runs $kills
  # the periodic write-back: records written with no fsync, QEMU killed 8 s
  # later (the server's period is 5 s): e2fsck -fn clean, every record there
  runpart python3 tests/ext2/crash_test.py --name $a-ext2-writeback --arch $a --lazy 8
  # /proc (the VFS's procfs.c with the process server's numbers) and
  # sysinfo: formats, /proc/self, a child's state, cmdline, errors
  runpart $H --name $a-posix-procfs --timeout 180 --expect $E/posix-procfs.txt -- --exec $P/procfs
  # getrandom, /dev/urandom and /dev/random: sizes, flags, EFAULT, forked
  # workers, forks in a loop and threads that never share bytes, bit balance
  runpart $H --name $a-posix-random --timeout 180 --expect $E/posix-random.txt -- --exec $P/random
  # the system: /dev's devices, uname and host names, setting the clock,
  # user ids, reboot's errors (expected/posix-system.txt); then reboot(2)
  # itself, power off and restart: the boot ends with status 0
  runpart $H --name $a-posix-system --timeout 120 --expect $E/posix-system.txt -- --exec $P/system
  # users and permissions (docs/users.md): ids, groups and every check of
  # the file servers, in the VFS's /tmp and on an ext2 disk's /mnt
  runpart $H --name $a-posix-users --timeout 180 --expect $E/posix-users.txt -- --exec $P/users
  local uimg="$CAIRN_LOG_DIR/$a-posix-users-ext2.img"
  rm -f "$uimg" && mke2fs -q -F -t ext2 "$uimg" 32M
  runpart $H --name $a-posix-users-ext2 --timeout 240 --expect $E/posix-users.txt \
    --require '^ext2: /dev/blk0 mounted on /mnt$' -- --disk "$uimg" --exec $P/users /mnt
  runpart ext2_fsck "$uimg" $a-posix-users-ext2-fsck
  for rb in poweroff restart; do
    runpart $H --name $a-posix-reboot-$rb --expect-lines $E/posix-reboot.txt --status 0 -- --exec $P/system $rb
  done
  # issue 5's "done when" program: fork, pipe, execve, waitpid, signals,
  # files, directories and pthreads together
  runpart $H --name $a-posix-demo --timeout 120 --expect $E/posix-demo.txt -- --exec $P/demo
  # typing at a program: canonical lines, ^C to the foreground group, raw mode, ^D
  runpart /usr/bin/python3 tests/harness/posix_tty_test.py --name $a-posix-tty -- --exec $P/ttyplay
  # pseudo-terminals of the console server (user/tests/posix/ptys.c, passes
  # on Linux too): ptmx, unlockpt, ptsname, canonical lines and echo, ONLCR,
  # ^C to the foreground group, hangups both ways, poll, the 64-pty limit
  runpart $H --name $a-posix-ptys --timeout 120 --expect $E/posix-ptys.txt -- --exec $P/ptys

  step "$a the shell: the default boot, busybox, typed at the console"
  # The default boot (user/manifests/default.manifest): busybox init, a login
  # shell on the console. shell_test.py types a session (pipelines,
  # redirection, job control, history, completion, vi, less, ps, free,
  # uptime, a crashing child) and ends it with poweroff (riscv64) or by
  # leaving the first shell (x86_64): QEMU's status must be 0. The crashing
  # child is the POSIX test program status, added to the image as
  # /usr/bin/status.
  buildpart "$a busybox" make --no-print-directory ARCH=$a busybox
  local end=poweroff; [ $a = x86_64 ] && end=exit
  # on two CPUs, the board's default and what a user gets: a SIGCHLD that
  # met musl's fork on another CPU once left the shell's children with
  # every signal blocked (^C and ^Z did nothing)
  runpart /usr/bin/python3 tests/harness/shell_test.py --name $a-shell --end $end -- \
    --arch $a --smp 2 --add build/$a/tests/posix/status:/usr/bin/status
  # its "/" was a disk (a fresh one: --add): clean after the session's end
  local board=virt; [ $a = x86_64 ] && board=q35
  runpart ext2_fsck "build/$a-$board/rootfs-add.ext2" $a-shell-disk-fsck

  step "$a the network: the network server (lwIP), sockets, busybox's network applets"
  # user/tests/posix/sockets.c through musl-port's sockets and the network
  # server over its loopback interface (the --exec world: no device); it
  # passes on Linux too (tests/README.md, sockets)
  runpart $H --name $a-posix-sockets --timeout 240 --expect $E/posix-sockets.txt -- --exec $P/sockets
  # the socket protocol spoken by hand (user/tests/socktest): malformed
  # requests refused, 1,000 sockets, 20,000 random requests, the server on
  runpart $H --name $a-socktest --timeout 120 --expect $E/socktest.txt -- --arch $a --manifest socktest
  # the default boot on QEMU's user network, from the host with real clients
  # (tests/harness/net_test.py): DHCP, ping, curl from busybox httpd through
  # a port forward (10 MiB, the same SHA-256), wget from the host, nc both
  # ways, a telnet login to busybox telnetd (commands on a pty, ^C, exit);
  # and 10,000 connections in a row from the host to netxfer serve on
  # Cairn, the network server's memory the same after them as after a
  # warm-up (tests/harness/net_load.py)
  runpart /usr/bin/python3 tests/harness/net_test.py --name $a-net -- \
    --arch $a --add build/$a/tests/posix/status:/usr/bin/status \
    --add build/$a/tests/posix/netxfer:/usr/bin/netxfer
  # two machines (--exec netxfer) on a link through a relay on the host
  # that drops 5% of the frames, reorders 2% and sends malformed ones
  # toward both (tests/harness/relay_test.py, relay.py): 5 MiB over TCP,
  # every byte checked, then a fresh connection; both network servers
  # alive, refusing the garbage, quiet (make stress: 100 MiB)
  runpart /usr/bin/python3 tests/harness/relay_test.py --name $a-relay --arch $a --bytes 5M

  step "$a timing under -icount: exact guest time, tight bounds"
  # ./qemu-run.sh --icount runs QEMU with -icount shift=0 (guest time is the
  # instruction count: exact, the same every run, whatever the host's load)
  # and puts "icount" on the kernel command line. There the timing tests hold
  # tight upper bounds (timer interrupts within 20 us of their deadlines; a
  # POSIX sleep of W within W + 10% + 1 ms, a 1 ms nanosleep within 2 ms),
  # which the boots above, on the host's clock, cannot: a timeout made 3
  # times too long fails here.
  # - the kernel's time self-tests (kernel/tests/test_time.c)
  # - ktest's timing tests, with sys.yield and console.write, whose line must
  #   reach the console (user/manifests/ktest-icount.manifest)
  # - basics' sleeps (icount=1 and the names of the tests to run)
  # - timers' signals (the same: a 1 ms timer's signal within 2 ms...)
  runpart $H --name $a-selftest-time-icount --expect $E/selftest-time.txt -- --arch $a --test time --icount
  runpart $H --name $a-ktest-icount --timeout 120 --expect $E/ktest-icount.txt \
    --require '^# ktest: a line written with DEBUG_WRITE$' -- --arch $a --manifest ktest-icount --icount
  runpart $H --name $a-posix-basics-icount --timeout 120 --expect $E/posix-basics-icount.txt \
    -- --icount --exec build/$a/tests/posix/basics icount=1 nanosleep_at_least nanosleep_1ms clock_nanosleep_abstime
  runpart $H --name $a-posix-timers-icount --timeout 120 --expect $E/posix-timers-icount.txt \
    -- --icount --exec build/$a/tests/posix/timers icount=1 oneshot_1ms periodic overrun_blocked abstime

  # The two suites below ran after both lanes, both arches at once; in each
  # lane the lane that ends first no longer waits for the other.
  step "$a Open POSIX Test Suite (tests/openposix/, make posix)"
  # The conformance tests of Debian's posixtestsuite for the areas of
  # tests/openposix/areas.txt, built with the Cairn toolchain (in the
  # background since the start, tests/openposix/posix.mk; the lock waits for
  # that build) and run in Cairn, 60 tests a boot, two boots at a time. One
  # ok/not ok line per area: not ok when a result differs from
  # tests/openposix/expected-$a.txt (make posix-update rewrites them). The
  # file areas (fsync, mmap, munmap: "ext2" in areas.txt) again on an ext2
  # root with /tmp on the disk, against expected-$a-ext2.txt, and a line for
  # e2fsck -fn of each such disk after its boot's sync and power-off.
  runpart env POSIX_ARCHES=$a bash tests/openposix/run.sh --jobs 2
  # the areas of threads meeting (mutexes, condition variables, barriers,
  # spin locks, semaphores) and of signals between them and processes on
  # four CPUs, one boot at a time, against the same expected list
  local SMP_AREAS="fork kill sigqueue pthread_kill pthread_barrier_wait pthread_cond_broadcast
    pthread_cond_signal pthread_cond_wait pthread_mutex_lock pthread_mutex_trylock pthread_spin_lock
    pthread_rwlock_rdlock pthread_rwlock_wrlock pthread_join pthread_create sem_post sem_wait"
  runpart env POSIX_ARCHES=$a POSIX_ROOTS=tmpfs POSIX_AREAS="$SMP_AREAS" \
    bash tests/openposix/run.sh --jobs 1 --smp 4 --label=-smp4

  step "$a busybox's own testsuite (tests/busybox/, make busybox-test)"
  # busybox's testsuite/runtest and shell/ash_test/run-all, run in Cairn by
  # /bin/sh as pid 1 of the POSIX world (one QEMU): every unit (applet or
  # ash_test module) but the slow ones of tests/busybox/slow-units.txt, which
  # make busybox-test and make stress run. One ok/not ok line per unit: not
  # ok when a result differs from tests/busybox/expected-$a.txt (a test newly
  # passing is only named); then one for the boots (one that hung or crashed
  # where the list does not say so fails) and one for the reasons (each test
  # that passes on Linux, tests/busybox/linux-reference.txt, and is not
  # expected to pass on Cairn has one in the list); then the Linux-vs-Cairn
  # table. On one CPU; then on four (--label=-smp4, the same lists) the
  # units whose pipelines, signals and CPU masks SMP broke before: a
  # pipeline's bytes lost, EINTR from an open at SIGCHLD, taskset.
  runpart env CAIRN_SMP=1 BBTEST_ARCHES=$a bash tests/busybox/run.sh --subset --jobs 1
  local u bb4=()
  for u in ash-signals ash-read taskset awk uuencode xxd tr cut xargs; do bb4+=(--only $u); done
  runpart env CAIRN_SMP=4 BBTEST_ARCHES=$a bash tests/busybox/run.sh --subset --jobs 1 --label=-smp4 "${bb4[@]}"
}
uart_taken() {   # uart_taken ARCH
  local how=MMIO
  [ "$1" = x86_64 ] && how="port I/O"
  if grep -q "^console: a tty on the 16550 UART (userland driver, $how)" "$CAIRN_LOG_DIR/$1-ttyecho-uart.log"; then
    echo "ok $1-ttyecho-uart: the console server drove the UART ($how + IrqLine)"
  else
    echo "not ok $1-ttyecho-uart: the console server did not take the UART"
  fi
}
userland_riscv64() { userland riscv64; }
userland_x86_64() { userland x86_64; }

step "the shell's manifest: the default boot is still the POSIX world"
# tests/default-manifest.sh checks that the manifest's POSIX-world lines
# are still scripts/posix-manifest.sh's.
runpart bash tests/default-manifest.sh
step "userland, POSIX programs, the shell, timing, Open POSIX, busybox's tests (two lanes: riscv64, x86_64)"
lanes userland_riscv64 userland_x86_64
[ -z "$POSIX_PREBUILD" ] || wait "$POSIX_PREBUILD" || echo "# the background build of the Open POSIX programs failed: $RUN_DIR/posix-prebuild.log"

run_end
