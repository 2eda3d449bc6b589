# SPDX-License-Identifier: MIT
#
# Builds the Open POSIX Test Suite's conformance tests of the areas listed in
# tests/openposix/areas.txt with the Cairn toolchain for ARCH (called by
# tests/openposix/run.sh; the toolchain must be built already).
#
#   build/third_party/posixtestsuite/src   Debian's posixtestsuite 1.5.2 (scripts/setup.sh)
#   build/<arch>/posixtestsuite/<area>/<test>       the program
#   build/<arch>/posixtestsuite/<area>/<test>.log   the compiler's output
#   build/<arch>/posixtestsuite/<area>/<test>.st    "ok", or "nobuild" (did not
#                                                   compile or link: UNSUPPORTED)
#   build/<arch>/posixtestsuite/pts-end             tests/openposix/end.c: ends
#                                                   run.py's ext2 boots (sync, power off)
#
# A test is conformance/interfaces/<area>/N-M.c (and speculative/N-M.c);
# a *-buildonly.c test is only compiled. The flags are the suite's
# (Makefile, LDFLAGS with Debian's patch) without -Werror; with musl,
# -lpthread and -lrt are empty libraries. A test is rebuilt when its source,
# the compiler wrapper or the Cairn libc changes.

SHELL := /bin/bash
ARCH ?= riscv64
T := build/$(ARCH)
PTS := build/third_party/posixtestsuite/src
IFACES := $(PTS)/conformance/interfaces
OUT := $(T)/posixtestsuite
WRAPPER := $(T)/bin/$(ARCH)-cairn-gcc
LIBC := $(T)/sysroot/lib/libc.a
PTS_CFLAGS := -O2 -std=gnu99 -D_POSIX_C_SOURCE=200112L -D_GNU_SOURCE -I$(PTS)/include -w
PTS_LIBS := -lpthread -lrt -lm

# an area line's first word (a second, "ext2", is run.py's)
AREAS := $(shell sed -e 's/\#.*//' -e 's/^[[:space:]]*\([^[:space:]]*\).*/\1/' tests/openposix/areas.txt)
SRCS := $(foreach a,$(AREAS),$(wildcard $(IFACES)/$(a)/[0-9]*-*.c $(IFACES)/$(a)/speculative/[0-9]*-*.c))
STAMPS := $(patsubst $(IFACES)/%.c,$(OUT)/%.st,$(SRCS))

.PHONY: all
all: $(STAMPS) $(OUT)/pts-end

$(OUT)/pts-end: tests/openposix/end.c $(WRAPPER) $(LIBC)
	@mkdir -p $(dir $@)
	@$(WRAPPER) -O2 -Wall -Werror -o $@ $<

$(PTS)/include/posixtest.h:
	@bash scripts/setup.sh

# Never fails: a test that does not build is a result (nobuild), not an error.
$(OUT)/%.st: $(IFACES)/%.c $(WRAPPER) $(LIBC) $(PTS)/include/posixtest.h
	@mkdir -p $(dir $@)
	@rm -f $(OUT)/$*
	@if $(WRAPPER) $(PTS_CFLAGS) $(if $(findstring buildonly,$*),-c) -o $(OUT)/$* $< \
	     $(if $(findstring buildonly,$*),,$(PTS_LIBS)) > $(OUT)/$*.log 2>&1; then \
	   echo ok; else echo nobuild; fi > $@.tmp && mv $@.tmp $@
