# SPDX-License-Identifier: MIT
#
# libext2fs for Cairn (called by scripts/user.mk, the ext2 server's
# library, and by tests/host/ext2.mk for the host tests):
#
#   make -f scripts/e2fs.mk ARCH=riscv64|x86_64|host
#
#   build/third_party/e2fsprogs/src    Debian's e2fsprogs 1.47.0 source package,
#                                      pristine (scripts/setup.sh); nothing of it is
#                                      committed
#   build/<arch>/e2fsprogs/src         a copy of it with scripts/patches/e2fsprogs/*.patch
#                                      applied (in order, patch -p1), when there are
#                                      patches; else the pristine tree is used as is
#   build/<arch>/e2fsprogs/obj         configured out of tree (flags below) with
#                                      <arch>-cairn-gcc (ARCH=host: the host's gcc)
#   build/<arch>/e2fsprogs/obj/lib/libext2fs.a, libcom_err.a   what `make libs` makes
#
# The configure flags are the ones ../shared/design/DEPENDENCIES.md checked:
# no NLS, no programs beyond the libraries, static only, no tdb; libuuid and
# libblkid are e2fsprogs' internal ones.

SHELL := /bin/bash
ARCH ?= riscv64
ifeq ($(filter $(ARCH),riscv64 x86_64 host),)
$(error e2fs.mk: ARCH must be riscv64, x86_64 or host, not '$(ARCH)')
endif

top := $(CURDIR)
PRISTINE := build/third_party/e2fsprogs/src
E2 := build/$(ARCH)/e2fsprogs
PATCHES := $(sort $(wildcard scripts/patches/e2fsprogs/*.patch))
ifeq ($(PATCHES),)
SRC := $(PRISTINE)
else
SRC := $(E2)/src
endif
OBJ := $(E2)/obj

ifeq ($(ARCH),host)
E2_CC := gcc
E2_HOST :=
E2_CFLAGS := -O1 -g -fPIC
else
E2_CC := $(top)/build/$(ARCH)/bin/$(ARCH)-cairn-gcc
E2_HOST := --host=$(ARCH)-linux-gnu
E2_CFLAGS := -O2 -g
endif
CONFIGURE_FLAGS := --disable-nls --disable-fuse2fs --disable-defrag --disable-imager \
	--disable-debugfs --disable-e2initrd-helper --disable-uuidd --disable-elf-shlibs \
	--disable-tdb

LIBS := $(OBJ)/lib/libext2fs.a $(OBJ)/lib/libcom_err.a

.PHONY: all
all: $(LIBS)

$(PRISTINE)/configure:
	@echo "e2fs.mk: no e2fsprogs source: run scripts/setup.sh" >&2; exit 1

# the patched copy: again from scratch when a patch or this file changes
$(E2)/src/.done: $(PATCHES) scripts/e2fs.mk | $(PRISTINE)/configure
	@rm -rf $(E2)/src $(OBJ) && mkdir -p $(E2)
	@cp -a $(PRISTINE) $(E2)/src
	@for p in $(PATCHES); do echo "  PATCH   e2fsprogs: $$p"; \
	   patch -s -p1 -d $(E2)/src < $$p || exit 1; done
	@touch $@

$(OBJ)/.configured: scripts/e2fs.mk $(if $(PATCHES),$(E2)/src/.done) | $(PRISTINE)/configure
	@rm -rf $(OBJ) && mkdir -p $(OBJ)
	@echo "  CONFIG  libext2fs ($(ARCH))"
	@cd $(OBJ) && CC="$(E2_CC)" CFLAGS="$(E2_CFLAGS)" $(top)/$(SRC)/configure $(E2_HOST) \
	   $(CONFIGURE_FLAGS) >config.log.out 2>&1 || { tail -30 config.log.out >&2; \
	   echo "e2fs.mk: configure failed ($(OBJ)/config.log)" >&2; exit 1; }
	@touch $@

$(LIBS) &: $(OBJ)/.configured
	@echo "  MAKE    libext2fs ($(ARCH))"
	+@$(MAKE) --no-print-directory -C $(OBJ) libs >$(OBJ)/build.log 2>&1 || { tail -30 $(OBJ)/build.log >&2; \
	   echo "e2fs.mk: libext2fs build failed ($(OBJ)/build.log)" >&2; exit 1; }
	@touch $(LIBS)
