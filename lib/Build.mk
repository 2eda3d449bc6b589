# SPDX-License-Identifier: MIT
obj-y += lib/string.o lib/format.o lib/err.o
obj-y += lib/elf.o lib/cpio.o lib/manifest.o
