# SPDX-License-Identifier: MIT
obj-y += lib/string.o lib/memcpy.o lib/memset.o lib/format.o lib/err.o
obj-y += lib/elf.o lib/cpio.o lib/manifest.o
