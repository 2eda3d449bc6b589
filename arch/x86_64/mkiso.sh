#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# mkiso.sh KERNEL.elf OUT.iso "KERNEL COMMAND LINE" [BOOTIMAGE.cpio]
#
# A BIOS-bootable GRUB rescue ISO that boots KERNEL through Multiboot2 with
# the given command line, at once (timeout 0), and the boot image (if given)
# as its first Multiboot2 module. Written to a temporary file
# and renamed, so a concurrent reader never sees half an ISO.
set -euo pipefail
elf=$1 out=$2 cmdline=${3:-} bootimage=${4:-}
case $cmdline in *[\"\\\$]*) echo "mkiso.sh: command line may not contain \" \\ \$" >&2; exit 2 ;; esac
dir=$(mktemp -d "${out%/*}/.iso.XXXXXX")
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/root/boot/grub"
cp "$elf" "$dir/root/boot/cairn.elf"
module=
if [ -n "$bootimage" ]; then
  cp "$bootimage" "$dir/root/boot/bootimage.cpio"
  module="module2 /boot/bootimage.cpio bootimage"
fi
cat > "$dir/root/boot/grub/grub.cfg" <<CFG
set timeout=0
set default=0
serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
terminfo serial dumb
menuentry "Cairn" {
	multiboot2 /boot/cairn.elf $cmdline
	$module
	boot
}
CFG
if ! grub-mkrescue -o "$dir/out.iso" "$dir/root" >"$dir/log" 2>&1; then
  cat "$dir/log" >&2
  exit 1
fi
mv -f "$dir/out.iso" "$out"
