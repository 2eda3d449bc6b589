# SPDX-License-Identifier: MIT
#
# Builds Cairn's user programs and a boot image for the configuration in
# $(O)/.config (called by the top-level Makefile: `make user`).
#
#   $(O)/user/libcairn.a            the user runtime (user/lib) + lib/ code
#   $(O)/user/<prog>.elf            each program of user/Build.mk, with symbols
#   $(O)/user/bin/<prog>            the same, stripped: what goes in the image
#   $(O)/bootimage.cpio             from user/manifests/default.manifest, or
#   $(O)/bootimage-<name>.cpio      from BOOTIMAGE_MANIFEST=.../<name>.manifest
#
# User code is freestanding, static, not PIE, linked at 0x400000
# (user/lib/user.lds), general registers only: no FP/vector state for the
# kernel to switch yet.

SHELL := /bin/bash
include $(O)/.config
unquote = $(patsubst "%",%,$(1))
ARCH := $(call unquote,$(CONFIG_ARCH))
include arch/$(ARCH)/arch.mk            # CROSS_COMPILE
include user/Build.mk

CC := $(CROSS_COMPILE)gcc
AR := $(CROSS_COMPILE)ar
STRIP := $(CROSS_COMPILE)strip
U := $(O)/user
BOOTIMAGE_MANIFEST ?= user/manifests/default.manifest

user-cflags-riscv64 := -march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany -mstrict-align
user-cflags-x86_64 := -m64 -march=x86-64 -mgeneral-regs-only -fcf-protection=none

LIBFDT := build/third_party/libfdt
INCLUDES := -nostdinc -isystem $(shell $(CC) -print-file-name=include) -Iinclude -Ilib/include \
	-Iuser/lib/include -Iuser/lib/arch/$(ARCH)/include -Iuser/tests/arch/$(ARCH)/include \
	-Idrivers/virtio -I$(LIBFDT)
CFLAGS := -std=gnu11 -O2 -g -ffreestanding -nostdlib -fno-common -fno-pie -fno-pic \
	-fno-stack-protector -fno-omit-frame-pointer -fno-strict-aliasing \
	-fno-asynchronous-unwind-tables -fno-unwind-tables \
	-Wall -Wextra -Werror -Wno-unused-parameter -Wmissing-prototypes -Wstrict-prototypes \
	$(INCLUDES) $(user-cflags-$(ARCH)) -MMD -MP
ASFLAGS := -D__ASSEMBLY__ $(INCLUDES) $(user-cflags-$(ARCH)) -MMD -MP
LDFLAGS := $(user-cflags-$(ARCH)) -nostdlib -static -no-pie -T user/lib/user.lds \
	-Wl,--build-id=none -Wl,-z,max-page-size=4096 -Wl,-z,noexecstack

obj = $(patsubst %,$(U)/obj/%.o,$(basename $(1)))

# libfdt (Debian's u-boot source, as the kernel's) for the programs that
# name it in <prog>-libs (user/Build.mk): built as the kernel builds it
FDT_CFLAGS := $(filter-out -Werror -Wmissing-prototypes -Wstrict-prototypes -Wextra,$(CFLAGS)) -Wno-sign-compare
LIBFDT_A := $(U)/libfdt.a
LIBFDT_OBJS := $(patsubst %,$(U)/obj/libfdt/%.o,fdt fdt_ro fdt_rw fdt_wip fdt_addresses fdt_strerror)

LIBCAIRN_SRC := $(wildcard user/lib/*.c) lib/format.c lib/string.c lib/memcpy.c lib/memset.c lib/err.c \
	$(filter-out %/crt0.S,$(wildcard user/lib/arch/$(ARCH)/*.S))
LIBCAIRN := $(U)/libcairn.a
CRT0 := $(U)/obj/user/lib/arch/$(ARCH)/crt0.o

prog-dir = $(if $(filter drivers/%,$(1)),$(1),user/$(1))
prog-src = $(filter-out %-linux.c,$(wildcard $(call prog-dir,$(1))/*.c $(call prog-dir,$(1))/*.S)) $($(1)-src)
prog-name = $(notdir $(1))
BINS := $(foreach p,$(user-progs),$(U)/bin/$(call prog-name,$(p)))

manifest-name := $(basename $(notdir $(BOOTIMAGE_MANIFEST)))
BOOTIMAGE := $(O)/$(if $(filter default,$(manifest-name)),bootimage.cpio,bootimage-$(manifest-name).cpio)

.PHONY: all
all: $(BINS) $(BOOTIMAGE)
# the musl programs: `make user` builds them when the image needs them

$(U)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) -c $< -o $@

$(U)/obj/%.o: %.S
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	@$(CC) $(ASFLAGS) -c $< -o $@

$(LIBCAIRN): $(call obj,$(LIBCAIRN_SRC))
	@echo "  AR      $@"
	@rm -f $@
	@$(AR) rcs $@ $^

$(U)/obj/libfdt/%.o: $(LIBFDT)/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(FDT_CFLAGS) -c $< -o $@

$(LIBFDT_A): $(LIBFDT_OBJS)
	@echo "  AR      $@"
	@rm -f $@
	@$(AR) rcs $@ $^

prog-libs = $(if $(filter fdt,$($(1)-libs)),$(LIBFDT_A))

define prog-rules
$(U)/$(call prog-name,$(1)).elf: $(call obj,$(call prog-src,$(1))) $(CRT0) $(call prog-libs,$(1)) $(LIBCAIRN) user/lib/user.lds
	@echo "  LD      $$@"
	@$(CC) $(LDFLAGS) -o $$@ $(CRT0) $(call obj,$(call prog-src,$(1))) $(call prog-libs,$(1)) $(LIBCAIRN)
$(U)/bin/$(call prog-name,$(1)): $(U)/$(call prog-name,$(1)).elf
	@mkdir -p $$(dir $$@)
	@$(STRIP) -o $$@ $$<
endef
$(foreach p,$(user-progs),$(eval $(call prog-rules,$(p))))

# musl-progs (user/Build.mk): built with the Cairn toolchain's wrapper
WRAPPER := build/$(ARCH)/bin/$(ARCH)-cairn-gcc
MUSL_LIBC := build/$(ARCH)/sysroot/lib/libc.a
E2_SRC := build/third_party/e2fsprogs/src
E2_OBJ := build/$(ARCH)/e2fsprogs/obj
E2_LIBS := $(E2_OBJ)/lib/libext2fs.a $(E2_OBJ)/lib/libcom_err.a
MUSL_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter -Wmissing-prototypes \
	-DCAIRN_IPCBUF_HOOK=__cairn_ipcbuf_self -idirafter user/lib/include \
	-idirafter include -idirafter user/lib/arch/$(ARCH)/include -idirafter lib/include
LWIP_SRC := build/third_party/lwip/src/src
LWIP_A := build/$(ARCH)/lwip/liblwip.a
musl-libs = $(if $(filter e2fs,$($(1)-musl-libs)),$(E2_LIBS)) $(if $(filter lwip,$($(1)-musl-libs)),$(LWIP_A))
musl-incs = $(if $(filter e2fs,$($(1)-musl-libs)),-I$(E2_SRC)/lib -I$(E2_OBJ)/lib) \
	$(if $(filter lwip,$($(1)-musl-libs)),-Iuser/$(1)/port -I$(LWIP_SRC)/include)
musl-src = $(wildcard user/$(1)/*.c) $($(1)-musl-src)
MUSL_BINS := $(foreach p,$(musl-progs),$(U)/bin/$(call prog-name,$(p)))
# the musl programs a non-system image's manifest names (bin/<name>)
manifest-musl-bins := $(foreach p,$(musl-progs),$(if $(shell grep -qs 'bin/$(call prog-name,$(p))\b' \
	$(BOOTIMAGE_MANIFEST) && echo y),$(U)/bin/$(call prog-name,$(p))))

define musl-prog-rules
$(U)/$(call prog-name,$(1)).elf: $(call musl-src,$(1)) $(wildcard user/$(1)/*.h) $(call musl-libs,$(1)) $(WRAPPER) $(MUSL_LIBC)
	@mkdir -p $$(dir $$@)
	@echo "  CC      $$@ (musl-port)"
	@$(WRAPPER) $(MUSL_CFLAGS) $(call musl-incs,$(1)) $($(1)-musl-ldflags) -o $$@ $(call musl-src,$(1)) $(call musl-libs,$(1))
$(U)/bin/$(call prog-name,$(1)): $(U)/$(call prog-name,$(1)).elf
	@mkdir -p $$(dir $$@)
	@$(STRIP) -o $$@ $$<
endef
$(foreach p,$(musl-progs),$(eval $(call musl-prog-rules,$(p))))

# the toolchain (`make toolchain`), libext2fs and lwIP, brought up to date
# first; the program is linked again only when they changed
.PHONY: musl-deps
musl-deps:
	+@$(MAKE) --no-print-directory -f Makefile ARCH=$(ARCH) toolchain
	+@$(MAKE) --no-print-directory -f scripts/e2fs.mk ARCH=$(ARCH)
	+@$(MAKE) --no-print-directory -f scripts/lwip.mk ARCH=$(ARCH)
$(WRAPPER) $(MUSL_LIBC) $(E2_LIBS) $(LWIP_A): musl-deps ;

ifneq ($(filter $(manifest-name),$(rootfs-manifests)),)
# a whole system: busybox, user/rootfs/, the POSIX world's servers
BUSYBOX := build/$(ARCH)/busybox/busybox
ROOTFS_BINS := $(foreach p,$(rootfs-progs),$(U)/bin/$(call prog-name,$(p)))
ROOTFS_FILES := $(shell find user/rootfs)
# ADD="HOST:GUEST ..." (./qemu-run.sh --add): more files in the image; the
# image is made again when the list changes (the stamp keeps the last list)
# or one of its host files does, not on every make
ADD_STAMP := $(O)/.bootimage-$(manifest-name).add
ADD_HOST := $(foreach a,$(ADD),$(firstword $(subst :, ,$(a))))
$(shell mkdir -p $(O); printf '%s\n' '$(ADD)' | cmp -s - $(ADD_STAMP) || printf '%s\n' '$(ADD)' > $(ADD_STAMP))
$(BOOTIMAGE): $(BOOTIMAGE_MANIFEST) $(ROOTFS_BINS) $(BUSYBOX) $(ROOTFS_FILES) scripts/mkbootimage.sh $(ADD_STAMP) $(ADD_HOST)
	@echo "  CPIO    $@"
	@bash scripts/mkbootimage.sh $@.new $(BOOTIMAGE_MANIFEST) --busybox $(BUSYBOX) $(BUSYBOX).links \
	   --tree user/rootfs $(foreach a,$(ADD),--add $(a)) $(ROOTFS_BINS)
	@cmp -s $@.new $@ && rm -f $@.new || mv -f $@.new $@; touch $@

# a file with FORCE, not .PHONY: the sub-make runs every time, but the
# image is made again only when busybox's file changed
.PHONY: FORCE
$(BUSYBOX): FORCE    # the top-level `make busybox`: the toolchain, then busybox
	+@$(MAKE) --no-print-directory -f Makefile ARCH=$(ARCH) busybox
FORCE:
else
$(BOOTIMAGE): $(BOOTIMAGE_MANIFEST) $(BINS) $(manifest-musl-bins) scripts/mkbootimage.sh
	@echo "  CPIO    $@"
	@bash scripts/mkbootimage.sh $@ $(BOOTIMAGE_MANIFEST) $(BINS) $(manifest-musl-bins)
endif

-include $(shell find $(U)/obj -name '*.d' 2>/dev/null)
