# SPDX-License-Identifier: MIT
# QEMU `virt` board: sourced by qemu-run.sh with $O set to the build dir
# and $K to the kernel's (qemu-run.sh --debug: the debug kernel's).
QEMU=qemu-system-riscv64
QEMU_DEFAULT_MEM=512M
QEMU_DEFAULT_SMP=2
QEMU_ARGS=(-M virt -bios /usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin
           -kernel "$K/cairn.bin")
# The machine's random source (qemu-run.sh adds it unless --no-rng): a
# virtio-rng device on one of virt's virtio-mmio transports. QEMU's rv64
# has no Zkr (the seed CSR) by default.
QEMU_RNG_ARGS=(-device virtio-rng-device)
# The disk (qemu-run.sh: the default boot's build/<arch>/rootfs.ext2, or --disk
# FILE): a virtio-blk device on a virtio-mmio transport, with -drive id=disk0.
QEMU_DISK_DEVICE=virtio-blk-device
# The network (qemu-run.sh --net; the default boot's unless --net none): a
# virtio-net on a virtio-mmio transport, with -netdev id=net0.
QEMU_NET_DEVICE=virtio-net-device
