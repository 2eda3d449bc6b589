# SPDX-License-Identifier: MIT
#
# Builds one kernel image from the configuration in $(O)/.config.
# Each source folder lists its objects in a Build.mk (obj-y, obj-$(CONFIG_X)).

SHELL := /bin/bash
PY := /usr/bin/python3
include $(O)/.config
unquote = $(patsubst "%",%,$(1))
ARCH := $(call unquote,$(CONFIG_ARCH))
BOARD := $(call unquote,$(CONFIG_BOARD))
LIBFDT := build/third_party/libfdt

obj-y :=
include arch/$(ARCH)/arch.mk
include kernel/Build.mk
include lib/Build.mk
include drivers/Build.mk
include arch/$(ARCH)/Build.mk
-include arch/$(ARCH)/boards/$(BOARD)/Build.mk

CC := $(CROSS_COMPILE)gcc
LD := $(CROSS_COMPILE)ld
NM := $(CROSS_COMPILE)nm
OBJCOPY := $(CROSS_COMPILE)objcopy
SIZE := $(CROSS_COMPILE)size

GEN := $(O)/include/generated
AUTOCONF := $(GEN)/autoconf.h

INCLUDES := -nostdinc -isystem $(shell $(CROSS_COMPILE)gcc -print-file-name=include) -Iinclude -Ikernel/include -Iarch/$(ARCH)/include -Ilib/include -I$(LIBFDT) -I$(O)/include
CFLAGS := -std=gnu11 -O2 -g -ffreestanding -nostdlib -fno-common -fno-pie -fno-stack-protector \
	-fno-omit-frame-pointer -fno-optimize-sibling-calls -fno-strict-aliasing -Wall -Wextra -Werror -Wno-unused-parameter \
	-Wmissing-prototypes -Wstrict-prototypes -include $(AUTOCONF) $(INCLUDES) $(ARCH_CFLAGS) -MMD -MP
ASFLAGS := -D__ASSEMBLY__ -include $(AUTOCONF) $(INCLUDES) $(ARCH_CFLAGS) -MMD -MP
FDT_CFLAGS := $(filter-out -Werror -Wmissing-prototypes -Wstrict-prototypes -Wextra,$(CFLAGS)) -Wno-sign-compare

LIBFDT_OBJS := $(addprefix $(O)/obj/libfdt/,fdt.o fdt_ro.o fdt_rw.o fdt_wip.o fdt_addresses.o fdt_strerror.o)
OBJS := $(addprefix $(O)/obj/,$(obj-y)) $(LIBFDT_OBJS)
KERNEL := $(O)/cairn.elf

all: $(KERNEL) $(O)/cairn.bin

$(AUTOCONF): $(O)/.config Kconfig $(wildcard arch/*/Kconfig)
	@mkdir -p $(GEN)
	@KCONFIG_CONFIG=$(O)/.config $(PY) -m genconfig --header-path $@ Kconfig

$(O)/obj/%.o: %.c $(AUTOCONF)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) -c $< -o $@

$(O)/obj/%.o: %.S $(AUTOCONF)
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	@$(CC) $(ASFLAGS) -c $< -o $@

$(O)/obj/libfdt/%.o: $(LIBFDT)/%.c $(AUTOCONF)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(FDT_CFLAGS) -c $< -o $@

LDS := $(O)/kernel.lds
$(LDS): arch/$(ARCH)/kernel.lds.S $(AUTOCONF)
	@$(CC) -E -P -D__ASSEMBLY__ $(INCLUDES) -include $(AUTOCONF) -MMD -MP -MT $@ -MF $@.d -x c $< -o $@

# Two-pass link: the symbol table (.ksyms) sits after .text, so adding it
# moves no function; pass 2 embeds the names taken from pass 1.
$(O)/ksyms.o: $(O)/cairn.pass1.elf scripts/ksyms.py $(AUTOCONF)
	@$(NM) -n --defined-only $< | $(PY) scripts/ksyms.py > $(O)/ksyms.S
	@$(CC) $(ASFLAGS) -c $(O)/ksyms.S -o $@

$(O)/ksyms-empty.o: scripts/ksyms.py $(AUTOCONF)
	@echo | $(PY) scripts/ksyms.py > $(O)/ksyms-empty.S
	@$(CC) $(ASFLAGS) -c $(O)/ksyms-empty.S -o $@

$(O)/cairn.pass1.elf: $(OBJS) $(LDS) $(O)/ksyms-empty.o
	@$(LD) $(ARCH_LDFLAGS) -T $(LDS) -o $@ $(OBJS) $(O)/ksyms-empty.o

$(KERNEL): $(OBJS) $(LDS) $(O)/ksyms.o
	@echo "  LD      $@"
	@$(LD) $(ARCH_LDFLAGS) -T $(LDS) -o $@ $(OBJS) $(O)/ksyms.o
	@$(SIZE) $@ | tail -1 | awk '{printf "  SIZE    text %d data %d bss %d\n", $$1, $$2, $$3}'

$(O)/cairn.bin: $(KERNEL)
	@$(OBJCOPY) -O binary $< $@

-include $(OBJS:.o=.d)
-include $(LDS).d
# Arch-specific boot images (x86_64: the GRUB ISO), after `all` is defined.
-include arch/$(ARCH)/image.mk
