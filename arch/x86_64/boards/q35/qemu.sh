# SPDX-License-Identifier: MIT
# QEMU `q35` board: sourced by qemu-run.sh with $O set to the build dir
# and $K to the kernel's (qemu-run.sh --debug: the debug kernel's).
# GRUB boots the kernel from an ISO; the kernel command line lives in the
# ISO's grub.cfg, so qemu-run.sh calls qemu_board_cmdline instead of
# passing -append. isa-debug-exit carries the guest's power-off status
# (QEMU exits with (status << 1) | 1; qemu-run.sh maps it back).
QEMU=qemu-system-x86_64
QEMU_DEFAULT_MEM=512M
QEMU_DEFAULT_SMP=2
# COM1 is the console (stdio, with QEMU's monitor on ^A c, as -nographic
# alone would make it); COM2 (0x2f8, ISA IRQ 3) goes nowhere: a UART the
# kernel never touches, for ktest's IoPort and interrupt-mode tests
# (user/tests/ktest/t_io.c).
QEMU_ARGS=(-M q35 -cpu qemu64,+rdrand -boot d
           -device isa-debug-exit,iobase=0xf4,iosize=0x04
           -serial mon:stdio -serial null)
# The machine's random sources (qemu-run.sh adds these unless --no-rng): a
# virtio-rng device, and RDRAND, which TCG has (not RDSEED): with --no-rng
# the CPU is plain qemu64 again (QEMU takes the last -cpu).
QEMU_RNG_ARGS=(-device virtio-rng-pci)
QEMU_NORNG_ARGS=(-cpu qemu64)

# qemu_board_cmdline CMDLINE [BOOTIMAGE]: appends the -cdrom for that command
# line (and boot image, loaded as the first Multiboot2 module) to args,
# making (and caching, per command line and boot image) its ISO when needed.
qemu_board_cmdline() {
  local iso=$K/cairn.iso bootimage=${2:-}
  if [ -n "$1" ] || [ -n "$bootimage" ]; then
    local sum
    sum=$(printf '%s' "$1${bootimage:+ bootimage=$bootimage}" | sha1sum | cut -c1-16)
    iso=$K/iso/$sum.iso
    mkdir -p "$K/iso"
    if [ ! -f "$iso" ] || [ "$iso" -ot "$K/cairn.elf" ] || [ "$iso" -ot arch/x86_64/mkiso.sh ] ||
       { [ -n "$bootimage" ] && [ "$iso" -ot "$bootimage" ]; }; then
      # ISOs of an older kernel are stale: drop them
      find "$K/iso" -name '*.iso' ! -newer "$K/cairn.elf" -delete 2>/dev/null || true
      bash arch/x86_64/mkiso.sh "$K/cairn.elf" "$iso" "$1" "$bootimage"
    fi
  fi
  args+=(-cdrom "$iso")
}
# The disk (qemu-run.sh: the default boot's build/<arch>/rootfs.ext2, or --disk
# FILE): a virtio-blk device on PCI, with -drive id=disk0.
QEMU_DISK_DEVICE=virtio-blk-pci
# The network (qemu-run.sh --net; the default boot's unless --net none): a
# virtio-net on PCI, with -netdev id=net0.
QEMU_NET_DEVICE=virtio-net-pci
