# SPDX-License-Identifier: MIT
# Included by scripts/kernel.mk: the bootable GRUB ISO (BIOS, i386-pc) with
# an empty kernel command line. qemu-run.sh makes one per command line
# (arch/x86_64/mkiso.sh) when it is given one.
all: $(O)/cairn.iso

$(O)/cairn.iso: $(KERNEL) arch/x86_64/mkiso.sh
	@echo "  ISO     $@"
	@bash arch/x86_64/mkiso.sh $(KERNEL) $@ ""
