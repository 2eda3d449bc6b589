# SPDX-License-Identifier: MIT
#
# Busybox for Cairn (called by the top-level Makefile: `make ARCH=<arch> busybox`).
#
#   build/third_party/busybox/src   Debian's busybox 1.35.0 source package, pristine
#                                   (scripts/setup.sh); nothing of it is committed
#   build/<arch>/busybox/.config    busybox's defconfig with user/busybox/config applied
#   build/<arch>/busybox/busybox    the static program, built out of tree with
#                                   <arch>-cairn-gcc and stripped (busybox_unstripped
#                                   keeps the symbols)
#   build/<arch>/busybox/busybox.links   one line per applet: its path (/bin/ls, ...)
#   build/<arch>/uapi/              Linux's UAPI headers (linux/, asm/, asm-generic/,
#                                   mtd/) from Debian's linux-libc-dev (the riscv64 cross
#                                   package for riscv64), alone in a folder: busybox
#                                   includes them after musl's headers (-idirafter), and
#                                   none of glibc's headers come with them
#
# The configuration is user/busybox/config: the options it names are set as
# it says, every other option is defconfig's (every applet busybox has, with
# its usual features). The source is pristine and never changes, so busybox
# is rebuilt only when its .config, the Cairn libc (libc.a) or this file is
# newer than it (busybox's own make then recompiles what needs it).
#
# PEER=linux builds the same source with the same configuration for Linux
# instead, the peer `make bench` compares with (tests/bench.sh):
#   build/<arch>/busybox-linux/busybox   static, glibc, with <cross>gcc
#                                        (riscv64-linux-gnu-gcc: Debian's
#                                        libc6-dev-riscv64-cross), and its
#                                        busybox.links
# (ARCH=x86_64 PEER=linux on an x86-64 build machine is busybox for the
# machine itself: tests/busybox/ runs busybox's testsuite with it for the
# Linux reference.)
#
# ash-test-helpers: $(BB)/ash_test/{printenv,recho,zecho}, the helper
# programs of busybox's shell/ash_test built with the same compiler (its
# run-all would call gcc), for tests/busybox/.

SHELL := /bin/bash
ARCH ?= riscv64
ifeq ($(filter $(ARCH),riscv64 x86_64),)
$(error busybox.mk: ARCH must be riscv64 or x86_64, not '$(ARCH)')
endif

top := $(CURDIR)
T := build/$(ARCH)
BB_SRC := $(top)/build/third_party/busybox/src
BB := $(top)/$(T)/busybox
UAPI := $(top)/$(T)/uapi
WRAPPER := $(top)/$(T)/bin/$(ARCH)-cairn-gcc
LIBC := $(T)/sysroot/lib/libc.a
cross-riscv64 := riscv64-linux-gnu-
cross-x86_64 :=
CROSS := $(cross-$(ARCH))
uapi-riscv64 := /usr/riscv64-linux-gnu/include
uapi-asm-riscv64 := /usr/riscv64-linux-gnu/include/asm
uapi-x86_64 := /usr/include
uapi-asm-x86_64 := /usr/include/x86_64-linux-gnu/asm

PEER ?=
ifeq ($(PEER),)
BB_CC := $(WRAPPER)
BB_CFLAGS := -idirafter $(UAPI)
BB_DEPS := $(UAPI)/.done $(LIBC)
else ifeq ($(PEER),linux)
# glibc's headers bring Linux's UAPI headers themselves
BB := $(top)/$(T)/busybox-linux
BB_CC := $(CROSS)gcc
BB_CFLAGS :=
BB_DEPS :=
else
$(error busybox.mk: PEER must be empty or linux, not '$(PEER)')
endif

BB_MAKE = $(MAKE) --no-print-directory -s -C $(BB) CROSS_COMPILE=$(CROSS) CC=$(BB_CC) \
	HOSTCC=gcc CONFIG_EXTRA_CFLAGS="$(BB_CFLAGS)"

.PHONY: all ash-test-helpers
all: $(BB)/busybox $(BB)/busybox.links

$(UAPI)/.done:
	@rm -rf $(UAPI) && mkdir -p $(UAPI)
	@for d in linux asm-generic mtd; do \
	   [ -d $(uapi-$(ARCH))/$$d ] || { echo "busybox.mk: no $(uapi-$(ARCH))/$$d (linux-libc-dev)" >&2; exit 1; }; \
	   ln -s $(uapi-$(ARCH))/$$d $(UAPI)/$$d; done
	@[ -d $(uapi-asm-$(ARCH)) ] || { echo "busybox.mk: no $(uapi-asm-$(ARCH))" >&2; exit 1; }
	@ln -s $(uapi-asm-$(ARCH)) $(UAPI)/asm
	@touch $@

# defconfig, then user/busybox/config's lines replace defconfig's for the
# same options, then oldconfig settles what depends on them.
$(BB)/.config: user/busybox/config scripts/busybox.mk | $(BB_SRC)/Makefile
	@mkdir -p $(BB)
	@echo "  CONFIG  busybox ($(ARCH)$(if $(PEER), $(PEER)))"
	@$(MAKE) --no-print-directory -s -C $(BB_SRC) O=$(BB) defconfig >/dev/null
	@grep -E '^(CONFIG_[A-Z0-9_]+=|# CONFIG_[A-Z0-9_]+ is not set)' user/busybox/config | \
	 while IFS= read -r line; do \
	   opt=$$(echo "$$line" | sed -E 's/^# (CONFIG_[A-Z0-9_]+) is not set/\1/; s/=.*//'); \
	   grep -qE "^(# )?$$opt[= ]" $(BB)/.config || { echo "busybox.mk: user/busybox/config: no option $$opt in busybox" >&2; exit 1; }; \
	   sed -i -E "/^(# )?$$opt[= ]/c\\$$line" $(BB)/.config; \
	 done
	@yes '' | $(MAKE) --no-print-directory -s -C $(BB) oldconfig >/dev/null
	@# every line of the fragment must have survived oldconfig
	@grep -E '^(CONFIG_[A-Z0-9_]+=|# CONFIG_[A-Z0-9_]+ is not set)' user/busybox/config | \
	 while IFS= read -r line; do grep -qxF "$$line" $(BB)/.config || \
	   { echo "busybox.mk: oldconfig changed '$$line'" >&2; exit 1; }; done

$(BB_SRC)/Makefile:
	@echo "busybox.mk: no busybox source: run scripts/setup.sh" >&2; exit 1

$(BB)/busybox: $(BB)/.config $(BB_DEPS) scripts/busybox.mk
	@if [ -z "$(PEER)" ] && [ -f $(BB)/busybox_unstripped ] && [ $(LIBC) -nt $(BB)/busybox_unstripped ]; then \
	   rm -f $(BB)/busybox_unstripped; fi
	+@$(BB_MAKE) busybox_unstripped >$(BB)/build.log 2>&1 || { tail -30 $(BB)/build.log >&2; \
	   echo "busybox.mk: busybox build failed for $(ARCH)$(if $(PEER), ($(PEER))) (log: $(BB)/build.log)" >&2; exit 1; }
	@echo "  STRIP   $@"
	@$(CROSS)strip -o $@.tmp $(BB)/busybox_unstripped && mv -f $@.tmp $@

$(BB)/busybox.links: $(BB)/.config
	+@$(BB_MAKE) busybox.links >/dev/null

ASH_HELPERS := $(addprefix $(BB)/ash_test/,printenv recho zecho)
ash-test-helpers: $(ASH_HELPERS)
$(BB)/ash_test/%: $(BB_SRC)/shell/ash_test/%.c $(BB_DEPS)
	@mkdir -p $(@D)
	@echo "  CC      $@"
	@$(BB_CC) -static -O2 -o $@ $<

