#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# `make bench`: benchmarks under qemu -icount shift=0,sleep=off. Every
# figure is guest instructions, read from the instruction counter inside
# the guest (riscv64 rdinstret; x86-64 rdtsc, which -icount shift=0
# advances once per instruction: each run checks both with a loop of known
# length). sleep=off: with QEMU's default (sleep=on) the counter also
# advances with the host's clock while every CPU waits (wfi, hlt), so an
# idle moment adds a varying amount (the Linux boot below varied by 2
# million from run to run); with sleep=off an idle CPU jumps to the next
# timer's deadline, and every run gives the same counts (Cairn's do to the
# instruction; Linux's spawn and pipeline figures vary by about 0.1%: QEMU
# gives each boot a random device-tree seed). None of the runs below waits
# for a timer in what it measures. Those that wait for a disk (posixbench's
# file figures, blkbench) run a spinner at the lowest priority (SCHED_IDLE
# on both systems) that keeps the CPU busy meanwhile, and subtract its
# instructions: otherwise the wait would count as whatever the timers are
# set to. Prints one line per figure:
#   <arch> <name> <instructions/op> instructions/op
# (<arch> "linux" for the Linux peer) and fails if a run did not complete.
#
# 1. The kernel benchmarks (user/bench) booted with the bench manifest.
# 2. The POSIX benchmarks (user/posixbench), run with --exec.
# 3. The system figures (user/shellbench, busybox's sh and true): one boot
#    of the shellbench manifest, which is the default boot (busybox init,
#    /etc/inittab, the login shell on the console) with two files added:
#    /bin/shellbench and user/shellbench/profile as /root/.profile. One
#    CPU (--smp 1), as the Linux peer has: Cairn runs every thread on the
#    boot CPU anyway, and with two, the boot CPU waits for the second to
#    come online, which QEMU's round robin under -icount lets run only
#    after 10 ms of guest time (10 million counts of boot on riscv64, 20 on
#    x86-64).
#      system.boot      instructions from the kernel's first instruction
#                       to the login shell's last start-up step before its
#                       first prompt: the counter printed by `shellbench
#                       mark`, run by /root/.profile after /etc/profile,
#                       less the counter the kernel read at its entry (the
#                       banner's "counter at entry": the firmware's share,
#                       OpenSBI, or SeaBIOS and GRUB, left out). It spans
#                       the kernel's boot, Cairn's init, the VFS, console
#                       and process servers, busybox init (its sysinit
#                       step runs hostname), the login shell's start,
#                       /etc/profile (which runs cat /etc/motd) and the
#                       spawn of shellbench itself. On x86-64 it includes
#                       the kernel's two calibrations, busy loops timed by
#                       the guest's clock: the TSC against 20 ms of the PIT
#                       and the APIC timer against 10 ms of the TSC (30
#                       million of its count). A run with -icount shift=1
#                       (two counts an instruction) gives the same figures
#                       halved, but for those 30 ms: no other part of any
#                       figure is guest time rather than instructions.
#      system.spawn     fork + execve("/bin/true") + waitpid, per spawn
#                       (/bin/true is a link to /bin/busybox)
#      system.pipeline  a script of 1,000 `echo x | cat > /dev/null`
#                       lines run by `/bin/sh script` (fork + execve +
#                       waitpid, the shell's start and exit included), per
#                       pipeline
#    The Linux peer (../shared/peer/run-linux.sh: Linux 6.1 riscv64,
#    tinyconfig, one CPU, in the same QEMU) runs the same program built
#    with riscv64-linux-gnu-gcc -static and the same busybox (same source,
#    same configuration: scripts/busybox.mk PEER=linux, glibc, static) as
#    /init, which makes Cairn's tree (busybox and its links, the files of
#    user/rootfs, /root/.profile, /dev/null) out of the initramfs's files
#    and execs busybox init (/sbin/init) with Cairn's pid-1 environment.
#    Its boot figure is shellbench's mark less the counter at the kernel's
#    entry (measured by user/shellbench/linux-entry.S booted in Linux's
#    place by the same command line) and less /init's making of the tree
#    (printed as linux_tree): so it spans Linux's boot with the unpacking
#    of its initramfs, the start of /init and its exec of busybox init,
#    then the same inittab, shell start-up and profile. Linux's initramfs
#    holds busybox's links as files for /init to make, Cairn's boot image
#    as entries the VFS reads; the Linux figure leaves out the making of
#    them.
#    Without the peer (a user's machine), the Linux figures are skipped
#    and the script says so.
#
# 4. The block figures (user/blkbench, blkbench.manifest; riscv64 only: the
#    manifest gives the driver virt's last virtio-mmio slot): reads of a
#    64 MiB raw disk through the block protocol to the virtio block driver,
#    4 KiB at random offsets (blk.rand_4k) and 1 MiB in order (blk.seq_1m),
#    one at a time, in guest instructions per KiB (a spinner at the lowest
#    priority keeps the CPU busy while the disk works, and its instructions
#    are left out: user/blkbench/blkbench.h). The Linux peer (its full
#    kernel, PEER_KERNEL=full) makes the same reads of the same disk as
#    virtio-blk-device, /dev/vda with O_DIRECT (user/blkbench/blkbench-linux.c).
#
# 5. The network figures (user/posixbench with "net PORT"; ./qemu-run.sh
#    --net user --exec: the device manager, the virtio-net driver and the
#    network server): TCP from and to the host (instructions per KiB of 4
#    MiB), a UDP echo round trip, TCP connect + close, against
#    tests/bench/netpeer.py on the host (10.0.2.2 through QEMU's user
#    network). They wait for the host, so they count posixbench's busy()
#    (the spinner's turns subtracted). The Linux peer's full kernel runs
#    the same program (LINUX_PEER: it sets 10.0.2.15/24 on eth0 itself,
#    virtio-net-pci on the same user network).
#
# BENCH_ARCHES="riscv64" and BENCH_PARTS="kernel posix system blk net" pick
# what runs (default: all of them).
set -u
cd "$(dirname "$0")/.."
arches=${BENCH_ARCHES:-riscv64 x86_64}
parts=${BENCH_PARTS:-kernel posix system blk net}
# the arches to run PART on: none when BENCH_PARTS leaves it out
part() { [[ " $parts " == *" $1 "* ]] && echo "$arches"; }
mkdir -p build/logs
rc=0
# QEMU arguments after qemu-run.sh's own -icount shift=0 (the later
# -icount's options replace the earlier's)
exact=(-icount shift=0,sleep=off)
line() { printf "%-8s %-24s %8d instructions/op\n" "$1" "$2" "$3"; }
kib_figures() {    # arch log: the "bench: NAME N insns/KiB" lines
    grep -aE "^bench: blk\.[a-z_0-9]+ [0-9]+ insns/KiB" "$2" |
        while read -r _ name n _; do printf "%-8s %-24s %8d instructions/KiB\n" "$1" "$name" "$n"; done
}
# figures ARCH PREFIX LOG [NAMES]: LOG's "bench: NAME N insns/op" lines
# (NAMES: a regex of the names to take, default all) as line()'s
figures() {
    grep -aE "^bench: (${4:-[a-z_0-9]+}) [0-9]+ insns/op" "$3" |
        while read -r _ name n _; do line "$1" "$2$name" "$n"; done
}
# the counter's own check: a 2-instruction loop must read 2 counts a pass
calibrated() {    # name log
    grep -aq '^bench: calibration 1.00 counts per instruction' "$2" && return 0
    echo "bench: the counter is not one count per instruction in $1's run:" >&2
    grep -a '^bench: calibration' "$2" >&2
    rc=1
}
# cairn_build ARCH NAME [FLAGS]: user/NAME/NAME.c with the Cairn toolchain,
# as build/ARCH/NAME
cairn_build() {
    make --no-print-directory -s ARCH=$1 toolchain >/dev/null 2>&1 &&
        build/$1/bin/$1-cairn-gcc -O2 -idirafter user/lib/arch/$1/include "${@:3}" \
            -o build/$1/$2 user/$2/$2.c && return 0
    echo "bench: cannot build $2 for $1" >&2
    rc=1
    return 1
}
peer=../shared/peer/run-linux.sh
if ! [ -x "$peer" ]; then
    peer=
    echo "bench: no Linux peer (../shared/peer/run-linux.sh): the Linux figures are skipped"
elif [[ " $arches " != *" riscv64 "* ]]; then
    peer=
    echo "bench: riscv64 not benchmarked: the Linux (riscv64) figures are skipped"
elif ! echo 'int main(void){return 0;}' |
     riscv64-linux-gnu-gcc -static -x c -o build/logs/.glibc-check - 2>/dev/null; then
    peer=
    echo "bench: no riscv64-linux-gnu-gcc with a static glibc: the Linux figures are skipped"
fi
# The kernel benchmarks: on one CPU (--smp 1: the single-CPU figures);
# ipc_cross_cpu on two (bench-smp: client and server pinned apart, still
# under -icount, figured in guest time, both CPUs' instructions); and the
# scaling of independent client/server pairs (bench-scale: two CPUs, no
# -icount, QEMU's multi-threaded TCG, wall clock, so it varies with the
# host's load: "scaling_2_pairs R" is two pairs' calls over one pair's in
# the same time, the goal 1.8 or more).
kernel_boot() {    # arch manifest log qemu-run-args...
    if ! timeout 300 ./qemu-run.sh --arch "$1" --manifest "$2" "${@:4}" >"$3" 2>&1; then
        echo "bench: $1 $2 run failed (log: $3)" >&2
        rc=1
    fi
    grep -q '^bench: done' "$3" && return 0
    echo "bench: $1 $2 did not finish (log: $3)" >&2
    grep -E '^bench: FAILED|cairn:' "$3" >&2
    rc=1
    return 1
}
for arch in $(part kernel); do
    log=build/logs/bench-$arch.log
    if kernel_boot "$arch" bench "$log" --smp 1 --icount -- "${exact[@]}"; then
        calibrated "$arch" "$log"
        figures "$arch" "" "$log"
    fi
    log=build/logs/bench-smp-$arch.log
    kernel_boot "$arch" bench-smp "$log" --smp 2 --icount -- "${exact[@]}" && figures "$arch" "" "$log"
    log=build/logs/bench-scale-$arch.log
    if kernel_boot "$arch" bench-scale "$log" --smp 2 -- -accel tcg,thread=multi; then
        grep -aE '^bench: (scale_|scaling_)' "$log" | sed "s/^bench: /$arch  /"
    fi
done

# The POSIX benchmarks (user/posixbench: getppid, pipe ping-pong between
# forked processes, open+read+close of 4 KiB, 1 MiB in 4 KiB reads, a 4 KiB
# pwrite + fsync, create + unlink of an empty file, tar x of a source
# tree), built with the Cairn toolchain and run with --exec under -icount,
# on one CPU (--smp 1) as the Linux peer: with the board's two, the pipe's
# two processes may wait for each other across CPUs (IPIs, the idle loop),
# which the peer never does (riscv64 pipe_pingpong 4,158 on two, 3,388 on
# one).
# The same source runs on the Linux 6.1 peer in the same QEMU when
# ../shared/peer/run-linux.sh and a riscv64 glibc are there (never needed).
# tar x's archive: this repository's kernel/ (about 70 files and 360 KiB),
# a deterministic ustar archive (sorted, owner 0:0, every time 0) built
# into both programs (-DTAR_FILE: posixbench.c's .incbin).
tarfile=build/logs/posixbench-kernel.tar
if [ -n "$(part posix)" ] &&
   ! tar --format=ustar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -cf "$tarfile" kernel; then
    echo "bench: cannot make $tarfile" >&2
    rc=1
fi
tarflag=(-DTAR_FILE="\"$PWD/$tarfile\"")
for arch in $(part posix); do
    log=build/logs/posixbench-$arch.log
    cairn_build "$arch" posixbench "${tarflag[@]}" || continue
    timeout 600 ./qemu-run.sh --arch "$arch" --smp 1 --icount --exec build/$arch/posixbench -- "${exact[@]}" >"$log" 2>&1
    if ! grep -q '^bench: done' "$log"; then
        echo "bench: posixbench on $arch did not finish (log: $log)" >&2
        rc=1
        continue
    fi
    figures "$arch" posix. "$log"
done
if [ -n "$peer" ] && [ -n "$(part posix)" ]; then
    if riscv64-linux-gnu-gcc -O2 -static -DLINUX_PEER -Iuser/lib/arch/riscv64/include "${tarflag[@]}" \
           -o build/posixbench-linux user/posixbench/posixbench.c; then
        PEER_QEMU="${exact[*]}" timeout 600 "$peer" build/posixbench-linux 2>/dev/null </dev/null |
            figures linux posix. -
    else
        echo "bench: cannot build posixbench for the Linux peer" >&2
        rc=1
    fi
fi

# The file rows again on an ext2 disk (the same posixbench with the argument
# "disk": its files in /mnt), a fresh 64 MiB image with 4 KiB blocks each
# side: Cairn's ext2 server mounts it at /mnt (./qemu-run.sh --disk), the
# Linux peer's full kernel mounts /dev/vda (virtio-blk) there itself. Both
# caches are warm: each row reads what it wrote just before, and tar_x is
# the best of 5 extractions (the first, on a fresh disk, reads metadata
# from it). write_4k_fsync waits for the disk in every operation: the
# spinner (above) keeps that wait out of its figure.
for arch in $(part posix); do
    log=build/logs/posixbench-ext2-$arch.log img=build/logs/posixbench-ext2-$arch.img
    rm -f "$img" && mke2fs -q -F -t ext2 -b 4096 "$img" 64M
    timeout 600 ./qemu-run.sh --arch "$arch" --smp 1 --icount --disk "$img" --exec build/$arch/posixbench disk \
        -- "${exact[@]}" >"$log" 2>&1
    if ! grep -q '^bench: done' "$log"; then
        echo "bench: posixbench on ext2 on $arch did not finish (log: $log)" >&2
        rc=1
        continue
    fi
    figures "$arch" ext2. "$log"
done
if [ -n "$peer" ] && [ -n "$(part posix)" ] && [ -f build/posixbench-linux ]; then
    img=build/logs/posixbench-ext2-linux.img
    rm -f "$img" && mke2fs -q -F -t ext2 -b 4096 "$img" 64M
    PEER_KERNEL=full PEER_QEMU="${exact[*]} -drive file=$img,if=none,format=raw,id=d0 -device virtio-blk-device,drive=d0" \
        timeout 600 "$peer" build/posixbench-linux disk 2>/dev/null </dev/null | figures linux ext2. -
fi

# The system figures (user/shellbench): boot, spawn, shell pipeline. The
# counter values come from the logs: "counter at entry" (the kernel's
# banner) or "bench: entry" (linux-entry.S), "bench: mark", and on Linux
# "bench: linux_tree".
value() { sed -n "s/^$2\([0-9][0-9]*\).*/\1/p" "$1" | head -n 1; }
system_figures() {    # arch log entry-log tree
    local arch=$1 log=$2 entry mark tree=0
    entry=$(value "$3" '  counter at entry: ')
    [ -n "$entry" ] || entry=$(value "$3" 'bench: entry ')
    mark=$(value "$log" 'bench: mark ')
    [ -z "$4" ] || tree=$(value "$log" 'bench: linux_tree ')
    if [ -z "$entry" ] || [ -z "$mark" ] || [ -z "$tree" ]; then
        echo "bench: no boot figure for $arch (logs: $log $3)" >&2
        rc=1
    else
        line "$arch" system.boot $((mark - entry - tree))
    fi
    sed 's/^bench: shell_pipeline /bench: pipeline /' "$log" | figures "$arch" system. - 'spawn|pipeline'
}
# the shellbench boot is the default boot: the same services
if [ -n "$(part system)" ] &&
   ! diff <(grep -v '^#' user/manifests/default.manifest) \
          <(grep -v '^#' user/manifests/shellbench.manifest) >/dev/null; then
    echo "bench: user/manifests/shellbench.manifest's services are not default.manifest's" >&2
    rc=1
fi
for arch in $(part system); do
    log=build/logs/shellbench-$arch.log
    cairn_build "$arch" shellbench || continue
    timeout 1200 ./qemu-run.sh --arch "$arch" --smp 1 --icount --manifest shellbench \
        --add build/$arch/shellbench:/bin/shellbench --add user/shellbench/profile:/root/.profile \
        -- "${exact[@]}" >"$log" 2>&1 </dev/null
    if ! grep -aq '^bench: done' "$log"; then
        echo "bench: shellbench on $arch did not finish (log: $log)" >&2
        rc=1
        continue
    fi
    calibrated "$arch" "$log"
    system_figures "$arch" "$log" "$log" ""
done
if [ -n "$peer" ] && [ -n "$(part system)" ]; then
    # the same busybox for Linux, the program as /init, the stand-in kernel
    # that reads the counter at the kernel's entry; the initramfs's files:
    # run-linux.sh puts them side by side at its root, so each is named
    # after its path with '#' for '/' (/init puts them there)
    files=build/riscv64/shellbench-linux-files
    log=build/logs/shellbench-linux.log
    elog=build/logs/shellbench-linux-entry.log
    if make --no-print-directory -s -f scripts/busybox.mk ARCH=riscv64 PEER=linux >&2 &&
       riscv64-linux-gnu-gcc -O2 -static -DLINUX_PEER -Iuser/lib/arch/riscv64/include \
           -o build/riscv64/shellbench-linux user/shellbench/shellbench.c &&
       riscv64-linux-gnu-gcc -nostdlib -static -Wl,-Ttext=0x80200000 -Wl,--build-id=none \
           -o build/riscv64/linux-entry.elf user/shellbench/linux-entry.S &&
       riscv64-linux-gnu-objcopy -O binary build/riscv64/linux-entry.elf build/riscv64/linux-entry.bin; then
        rm -rf "$files" && mkdir -p "$files"
        (cd user/rootfs && find . -type f) | while IFS= read -r f; do
            cp "user/rootfs/$f" "$files/$(echo "${f#.}" | tr / '#')"
        done
        cp build/riscv64/busybox-linux/busybox "$files/#bin#busybox"
        cp build/riscv64/busybox-linux/busybox.links "$files/busybox.links"
        cp user/shellbench/profile "$files/#root#.profile"
        PEER_FILES="$(echo "$files"/*)" PEER_QEMU="${exact[*]}" \
            timeout 1200 "$peer" build/riscv64/shellbench-linux >"$log" 2>&1 </dev/null
        PEER_FILES="$(echo "$files"/*)" \
            PEER_QEMU="${exact[*]} -kernel build/riscv64/linux-entry.bin" \
            timeout 300 "$peer" build/riscv64/shellbench-linux >"$elog" 2>&1 </dev/null
        if ! grep -aq '^bench: done' "$log"; then
            echo "bench: shellbench on Linux did not finish (log: $log)" >&2
            rc=1
        else
            calibrated linux "$log"
            system_figures linux "$log" "$elog" tree
        fi
    else
        echo "bench: cannot build shellbench or busybox for the Linux peer" >&2
        rc=1
    fi
fi

blkdisk=build/logs/blkbench-disk.img
blkdev=(-drive "file=$blkdisk,if=none,format=raw,id=d0" -device virtio-blk-device,drive=d0)
for arch in $(part blk); do
    if [ "$arch" != riscv64 ]; then
        echo "bench: the block figures are riscv64's only (blkbench.manifest names virt's virtio-mmio slot)"
        continue
    fi
    log=build/logs/blkbench-$arch.log
    rm -f "$blkdisk" && truncate -s 64M "$blkdisk"
    timeout 300 ./qemu-run.sh --arch "$arch" --smp 1 --icount --manifest blkbench --no-rng -- "${blkdev[@]}" \
        "${exact[@]}" >"$log" 2>&1 </dev/null
    if ! grep -aq '^bench: done' "$log"; then
        echo "bench: blkbench on $arch did not finish (log: $log)" >&2
        rc=1
        continue
    fi
    calibrated "$arch" "$log"
    kib_figures "$arch" "$log"
done
if [ -n "$peer" ] && [[ " $(part blk) " == *" riscv64 "* ]]; then
    log=build/logs/blkbench-linux.log
    rm -f "$blkdisk" && truncate -s 64M "$blkdisk"
    if riscv64-linux-gnu-gcc -O2 -static -Iuser/lib/arch/riscv64/include -Iuser/blkbench \
           -o build/blkbench-linux user/blkbench/blkbench-linux.c -lpthread; then
        PEER_KERNEL=full PEER_QEMU="${exact[*]} ${blkdev[*]}" timeout 1200 "$peer" build/blkbench-linux \
            >"$log" 2>&1 </dev/null
        kib_figures linux "$log"
        grep -aq '^bench: blk.seq_1m' "$log" || { echo "bench: blkbench on Linux did not finish (log: $log)" >&2; rc=1; }
    else
        echo "bench: cannot build blkbench-linux for the Linux peer" >&2
        rc=1
    fi
fi
# The network figures (5. above)
netpeer_start() {
    coproc NETPEER { exec python3 tests/bench/netpeer.py; }
    read -r netport <&"${NETPEER[0]}"
}
netpeer_stop() { kill "$NETPEER_PID" 2>/dev/null; wait "$NETPEER_PID" 2>/dev/null; }
if [ -n "$(part net)" ] || { [ -n "$peer" ] && [[ " $(part net) " == *" riscv64 "* ]]; }; then
    netpeer_start
fi
# posixbench as the posix part built it, or without the tar archive (the
# network figures do not need it)
nettar=(); [ -f "$tarfile" ] && nettar=("${tarflag[@]}")
for arch in $(part net); do
    log=build/logs/netbench-$arch.log
    cairn_build "$arch" posixbench ${nettar[@]+"${nettar[@]}"} || continue
    timeout 900 ./qemu-run.sh --arch "$arch" --icount --net user --exec build/$arch/posixbench net "$netport" \
        -- "${exact[@]}" >"$log" 2>&1 </dev/null
    if ! grep -aq '^bench: done' "$log"; then
        echo "bench: the network figures on $arch did not finish (log: $log)" >&2
        rc=1
        continue
    fi
    figures "$arch" net. "$log"
done
if [ -n "$peer" ] && [[ " $(part net) " == *" riscv64 "* ]]; then
    log=build/logs/netbench-linux.log
    if riscv64-linux-gnu-gcc -O2 -static -DLINUX_PEER -Iuser/lib/arch/riscv64/include ${nettar[@]+"${nettar[@]}"} \
           -o build/posixbench-linux user/posixbench/posixbench.c; then
        PEER_KERNEL=full PEER_QEMU="${exact[*]} -netdev user,id=n0 -device virtio-net-pci,netdev=n0" \
            timeout 900 "$peer" build/posixbench-linux net "$netport" >"$log" 2>&1 </dev/null
        figures linux net. "$log"
        grep -aq '^bench: done' "$log" || { echo "bench: the network figures on Linux did not finish (log: $log)" >&2; rc=1; }
    else
        echo "bench: cannot build posixbench for the Linux peer" >&2
        rc=1
    fi
fi
[ -z "${NETPEER_PID:-}" ] || netpeer_stop
exit $rc
