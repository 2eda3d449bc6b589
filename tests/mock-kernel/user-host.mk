# SPDX-License-Identifier: MIT
#
# Builds build/host/user/mockinit (init) and mocklibtest (tests/mock-kernel/libtest.c)
# with libcairn (user/) for the host, on the mock kernel of tests/mock-kernel/mock.c instead of a trap
# (tests/mock-kernel/include/cairn/syscall_arch.h). Freestanding and static like
# the real thing; undefined behaviour traps (UBSan in trap mode, as no
# runtime library can be linked).

SHELL := /bin/bash
O := build/host/user
CC := gcc
# libcairn's arch code is the host's (a thread never starts on the mock kernel,
# but thread.c names its entry; clock.c reads the host's counter)
HOST_ARCH := $(shell uname -m)
INCLUDES := -nostdinc -isystem $(shell $(CC) -print-file-name=include) -Itests/mock-kernel/include \
	-Iinclude -Ilib/include -Iuser/lib/include -Iuser/lib/arch/$(HOST_ARCH)/include
CFLAGS := -std=gnu11 -O1 -g -ffreestanding -fno-pie -fno-pic -fno-stack-protector -fno-common \
	-fno-strict-aliasing -fcf-protection=none -fsanitize=undefined -fsanitize-undefined-trap-on-error \
	-Wall -Wextra -Werror -Wno-unused-parameter -Wmissing-prototypes -Wstrict-prototypes \
	$(INCLUDES) -MMD -MP
SRC := tests/mock-kernel/mock.c $(wildcard user/lib/*.c) \
	lib/format.c lib/string.c lib/memcpy.c lib/memset.c lib/err.c lib/cpio.c lib/manifest.c lib/elf.c \
	user/lib/arch/$(HOST_ARCH)/thread_entry.S
OBJS := $(patsubst %,$(O)/obj/%.o,$(basename $(SRC)))
obj = $(patsubst %.c,$(O)/obj/%.o,$(1))

all: $(O)/mockinit $(O)/mocklibtest

$(O)/mockinit: $(OBJS) $(call obj,user/init/init.c)
	@echo "  LD      $@"
	@$(CC) -nostdlib -static -no-pie -Wl,-z,noexecstack -o $@ $^

$(O)/mocklibtest: $(OBJS) $(call obj,tests/mock-kernel/libtest.c)
	@echo "  LD      $@"
	@$(CC) -nostdlib -static -no-pie -Wl,-z,noexecstack -o $@ $^

$(O)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) -c $< -o $@

$(O)/obj/%.o: %.S
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	@$(CC) -c $< -o $@

-include $(wildcard $(O)/obj/*/*.d $(O)/obj/*/*/*.d)
