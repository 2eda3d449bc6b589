# SPDX-License-Identifier: MIT
# QEMU `sifive_u` (HiFive Unleashed): hart 0 is an E51 monitor core without
# S-mode, so at least 2 harts; OpenSBI boots the kernel on a U54.
QEMU=qemu-system-riscv64
QEMU_DEFAULT_MEM=256M
QEMU_DEFAULT_SMP=2
QEMU_MIN_SMP=2        # $CAIRN_SMP=1 (make test) is raised to this: one U54
QEMU_ARGS=(-M sifive_u -bios /usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin
           -kernel "$K/cairn.bin")
# No test device here, and OpenSBI has no shutdown for this board: the kernel
# leaves QEMU through semihosting, which also carries the exit status.
QEMU_ARGS+=(-semihosting-config enable=on,target=native)
QEMU_CMDLINE=semihosting
