# SPDX-License-Identifier: MIT
#
# The Cairn toolchain for ARCH (riscv64 or x86_64), called by the top-level
# Makefile: `make ARCH=<arch> toolchain` and `make ARCH=<arch> posix-tests`.
#
#   build/<arch>/musl/src       musl 1.2.3 (build/third_party/musl/src, from
#                               scripts/setup.sh) with musl-port/patches/*.patch
#                               applied and musl-port/src/cairn/ added as
#                               src/cairn/, with libcairn's startup.c, vm.c and
#                               debugcons.c (user/lib/) as libcairn_*.c; of
#                               musl-port/src/cairn/arch/<ARCH>/, the headers
#                               go to src/cairn/ and the sources to
#                               src/cairn/<ARCH>/ (musl builds src/*/<ARCH>/*.[csS]);
#                               on riscv64 lib/memcpy.c and lib/memset.c as
#                               src/string/riscv64/, in place of musl's C ones
#   build/<arch>/musl/obj       musl's out-of-tree build (build.log)
#   build/<arch>/sysroot        include/ (musl's headers, cairn/*.h), lib/ (libc.a,
#                               crt1.o crti.o crtn.o, cairn.lds, cairn-gcc.specs)
#   build/<arch>/bin/<arch>-cairn-gcc   the compiler wrapper
#   build/<arch>/tests/posix/<name>     user/tests/posix/<name>.c (posix-tests)
#
# The musl build is incremental: a changed patch starts again from the
# pristine source; a changed source file of musl-port or user/lib is copied
# over and rebuilt; a changed header rebuilds all of src/cairn/.

SHELL := /bin/bash
ARCH ?= riscv64
ifeq ($(filter $(ARCH),riscv64 x86_64),)
$(error toolchain.mk: ARCH must be riscv64 or x86_64, not '$(ARCH)')
endif

top := $(CURDIR)
T := build/$(ARCH)
PRISTINE := build/third_party/musl/src
MSRC := $(T)/musl/src
MOBJ := $(T)/musl/obj
SYSROOT := $(T)/sysroot
WRAPPER := $(T)/bin/$(ARCH)-cairn-gcc
cross-riscv64 := riscv64-linux-gnu-
cross-x86_64 :=
CROSS := $(cross-$(ARCH))
CC := $(CROSS)gcc

PATCHES := $(sort $(wildcard musl-port/patches/*.patch))
PORT_SRC := $(wildcard musl-port/src/cairn/*.c musl-port/src/cairn/*.h)
PORT_ARCH_H := $(wildcard musl-port/src/cairn/arch/$(ARCH)/*.h)
PORT_ARCH_SRC := $(wildcard musl-port/src/cairn/arch/$(ARCH)/*.[cS])
# riscv64: the kernel's memcpy and memset (lib/memcpy.c, lib/memset.c, 64
# bytes a turn) in musl's place for an arch's own string functions,
# src/string/riscv64/, where they replace musl's C ones (16 bytes a turn
# in 32-bit words). x86_64 keeps musl's (rep movsq, rep stosq).
PORT_STRING := $(if $(filter riscv64,$(ARCH)),lib/memcpy.c lib/memset.c)
ULIB_SRC := user/lib/startup.c user/lib/vm.c user/lib/debugcons.c
CAIRN_HEADERS := $(wildcard include/cairn/*.h) user/lib/include/cairn/sys.h \
	user/lib/include/cairn/rt.h user/lib/arch/$(ARCH)/include/cairn/syscall_arch.h \
	user/lib/arch/$(ARCH)/include/cairn/counter.h \
	musl-port/include/cairn/libc.h
# the random generator musl-port shares with libcairn (getrandom, the VFS's /dev/urandom)
ULIB_SRC += user/lib/random.c
CAIRN_HEADERS += user/lib/include/cairn/random.h
# CAIRN_POSIX_STARTUP: libcairn's startup.c reads a POSIX process's start-up
# block (up to POSIX_STARTUP_MAX bytes), not only abi.h's
PORT_CFLAGS := -I$(top)/include -I$(top)/user/lib/include -I$(top)/user/lib/arch/$(ARCH)/include \
	-DCAIRN_IPCBUF_HOOK=__cairn_ipcbuf_self -DCAIRN_POSIX_STARTUP

OVERLAY := $(patsubst musl-port/src/cairn/%,$(MSRC)/src/cairn/%,$(PORT_SRC)) \
	$(patsubst musl-port/src/cairn/arch/$(ARCH)/%,$(MSRC)/src/cairn/%,$(PORT_ARCH_H)) \
	$(patsubst musl-port/src/cairn/arch/$(ARCH)/%,$(MSRC)/src/cairn/$(ARCH)/%,$(PORT_ARCH_SRC)) \
	$(patsubst user/lib/%.c,$(MSRC)/src/cairn/libcairn_%.c,$(ULIB_SRC)) \
	$(patsubst lib/%,$(MSRC)/src/string/$(ARCH)/%,$(PORT_STRING)) \
	$(MSRC)/src/cairn/syscall_names.h

SYSROOT_FILES := $(SYSROOT)/lib/cairn.lds $(SYSROOT)/lib/cairn-gcc.specs \
	$(SYSROOT)/include/cairn/abi.h $(SYSROOT)/include/cairn/err.h \
	$(SYSROOT)/include/cairn/sys.h $(SYSROOT)/include/cairn/syscall_arch.h \
	$(SYSROOT)/include/cairn/libc.h $(SYSROOT)/include/cairn/netlink.h

.PHONY: all posix-tests FORCE
all: $(WRAPPER)

# The pristine source comes from scripts/setup.sh (Debian's source package).
$(PRISTINE)/VERSION:
	@bash scripts/setup.sh

# musl's source with the patches applied: from scratch when a patch changes
$(MSRC)/.patched: $(PATCHES) $(PRISTINE)/VERSION
	@echo "  PATCH   musl $$(cat $(PRISTINE)/VERSION) for $(ARCH)"
	@rm -rf $(MSRC) $(MOBJ) && mkdir -p $(dir $(MSRC)) && cp -a $(PRISTINE) $(MSRC)
	@for p in $(PATCHES); do \
	   patch -d $(MSRC) -p1 -E -s --no-backup-if-mismatch < $$p || { echo "toolchain: $$p does not apply" >&2; exit 1; }; \
	 done
	@touch $@

# musl-port's sources and libcairn's shared ones, copied in as src/cairn/
$(MSRC)/src/cairn/libcairn_%.c: user/lib/%.c $(MSRC)/.patched
	@mkdir -p $(dir $@)
	@cp $< $@
$(MSRC)/src/string/$(ARCH)/%.c: lib/%.c $(MSRC)/.patched
	@mkdir -p $(dir $@)
	@cp $< $@
$(MSRC)/src/cairn/$(ARCH)/%: musl-port/src/cairn/arch/$(ARCH)/% $(MSRC)/.patched
	@mkdir -p $(dir $@)
	@cp $< $@
$(MSRC)/src/cairn/%.h: musl-port/src/cairn/arch/$(ARCH)/%.h $(MSRC)/.patched
	@mkdir -p $(dir $@)
	@cp $< $@
$(MSRC)/src/cairn/%: musl-port/src/cairn/% $(MSRC)/.patched
	@mkdir -p $(dir $@)
	@cp $< $@
# names of this arch's system calls, for the "not implemented" message
$(MSRC)/src/cairn/syscall_names.h: $(MSRC)/.patched
	@mkdir -p $(dir $@)
	@sed -n 's/^#define __NR_\([a-z0-9_]*\)[[:space:]]\{1,\}\([0-9]\{1,\}\)[[:space:]]*$$/[\2] = "\1",/p' \
	   $(MSRC)/arch/$(ARCH)/bits/syscall.h.in > $@.tmp && mv $@.tmp $@

$(MOBJ)/config.mak: $(MSRC)/.patched scripts/toolchain.mk
	@echo "  CONFIG  musl for $(ARCH)"
	@mkdir -p $(MOBJ)
	@cd $(MOBJ) && $(top)/$(MSRC)/configure --target=$(ARCH)-linux-gnu \
	   $(if $(CROSS),CROSS_COMPILE=$(CROSS)) CC=$(CC) --disable-shared \
	   --prefix=$(top)/$(SYSROOT) --syslibdir=/nonexistent CFLAGS="$(PORT_CFLAGS)" \
	   > configure.log 2>&1 || { cat configure.log; exit 1; }

# A changed header (Cairn's ABI, libcairn's, the port's own) rebuilds src/cairn/.
$(MOBJ)/.cairn-headers: $(CAIRN_HEADERS) $(filter %.h,$(PORT_SRC)) $(PORT_ARCH_H) $(MOBJ)/config.mak
	@rm -rf $(MOBJ)/obj/src/cairn
	@touch $@

# musl's own make decides what to rebuild; install copies what changed.
# Everything that reaches musl's tree comes through these prerequisites (the
# patches through config.mak, the port's files as OVERLAY, headers through
# .cairn-headers), so nothing changed means no musl make at all: its no-op
# is most of the half second a `make user` spent here at every --exec boot.
$(SYSROOT)/lib/libc.a: $(MOBJ)/config.mak $(OVERLAY) $(MOBJ)/.cairn-headers
	@for f in $(MSRC)/src/cairn/* $(MSRC)/src/cairn/$(ARCH)/* $(MSRC)/src/string/$(ARCH)/*; do \
	   [ -f "$$f" ] || continue; \
	   [ -f "$(PRISTINE)/$${f#$(MSRC)/}" ] && continue; \
	   case " $(OVERLAY) " in *" $$f "*) ;; *) rm -f "$$f";; esac; \
	 done
	@if ! $(MAKE) --no-silent -C $(MOBJ) > $(MOBJ)/build.log 2>&1; then \
	   grep -E -A3 -m5 'error:|Error [0-9]' $(MOBJ)/build.log >&2; echo "toolchain: musl build failed (log: $(MOBJ)/build.log)" >&2; exit 1; \
	 fi
	@if [ ! -f $@ ] || [ $(MOBJ)/lib/libc.a -nt $@ ]; then echo "  MUSL    $(SYSROOT) ($(ARCH))"; fi
	@$(MAKE) --no-silent -C $(MOBJ) install >> $(MOBJ)/build.log 2>&1 || { echo "toolchain: musl install failed" >&2; exit 1; }
	@touch $@

$(SYSROOT)/lib/cairn.lds: musl-port/cairn.lds
	@mkdir -p $(dir $@)
	@cp $< $@
$(SYSROOT)/lib/cairn-gcc.specs: musl-port/cairn-gcc.specs.in
	@mkdir -p $(dir $@)
	@sed 's|@SYSROOT@|$(top)/$(SYSROOT)|g' $< > $@
$(SYSROOT)/include/cairn/%.h: include/cairn/%.h
	@mkdir -p $(dir $@)
	@cp $< $@
$(SYSROOT)/include/cairn/sys.h: user/lib/include/cairn/sys.h
	@mkdir -p $(dir $@)
	@cp $< $@
$(SYSROOT)/include/cairn/syscall_arch.h: user/lib/arch/$(ARCH)/include/cairn/syscall_arch.h
	@mkdir -p $(dir $@)
	@cp $< $@
$(SYSROOT)/include/cairn/libc.h: musl-port/include/cairn/libc.h
	@mkdir -p $(dir $@)
	@cp $< $@

$(WRAPPER): musl-port/cairn-gcc.in $(SYSROOT)/lib/libc.a $(SYSROOT_FILES)
	@mkdir -p $(dir $@)
	@sed -e 's|@SYSROOT@|$(top)/$(SYSROOT)|g' -e 's|@CC@|$(CC)|g' -e 's|@ARCH@|$(ARCH)|g' $< > $@.tmp
	@chmod +x $@.tmp && mv $@.tmp $@
	@echo "  GCC     $@"

# C test programs of user/tests/posix/, built with the wrapper
POSIX_TESTS := $(patsubst user/tests/posix/%.c,$(T)/tests/posix/%,$(wildcard user/tests/posix/*.c))
posix-tests: $(POSIX_TESTS)
# Each with the test library (user/lib/test.c, the core every in-guest test
# shares, this world's hooks user/tests/posix/lib/test_musl.c, and the
# helpers of programs that fork, user/tests/posix/lib/child.c). Its
# headers (cairn/test.h, the arch's cairn/counter.h and test/arch.h) come
# after the sysroot's (-idirafter): a name both have is the sysroot's.
POSIX_TESTLIB := user/lib/test.c user/tests/posix/lib/test_musl.c user/tests/posix/lib/child.c
POSIX_TESTINC := -idirafter user/lib/include -idirafter user/lib/arch/$(ARCH)/include \
	-idirafter user/tests/arch/$(ARCH)/include
$(T)/tests/posix/%: user/tests/posix/%.c $(wildcard user/tests/posix/*.h) $(POSIX_TESTLIB) \
		user/lib/include/cairn/test.h $(wildcard user/tests/arch/$(ARCH)/include/test/*.h) $(WRAPPER)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(WRAPPER) -std=gnu11 -O2 -g -Wall -Wextra -Werror $(POSIX_TESTINC) -o $@ $< $(POSIX_TESTLIB)

# The server protocol fuzzer (user/tests/pfuzz, issue 17): a Cairn program
# only (raw requests through its descriptors' capabilities), with the same
# test library and the protocols' headers (include/cairn: posix.h, sock.h...)
PFUZZ := $(T)/tests/pfuzz/pfuzz
posix-tests: $(PFUZZ)
$(PFUZZ): user/tests/pfuzz/pfuzz.c user/tests/posix/posixtest.h $(POSIX_TESTLIB) \
		$(wildcard include/cairn/*.h) user/lib/include/cairn/test.h $(WRAPPER)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(WRAPPER) -std=gnu11 -O2 -g -Wall -Wextra -Werror $(POSIX_TESTINC) -Iuser/tests/posix \
		-idirafter include -o $@ $< $(POSIX_TESTLIB)

FORCE:
