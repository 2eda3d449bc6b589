# SPDX-License-Identifier: MIT
#
# Cairn top-level Makefile. Everything generated goes under build/.
#
#   make                         build the kernel, user programs and boot image for ARCH/BOARD
#                                (default riscv64/virt)
#   make user                    user programs and $(O)/bootimage.cpio (from
#                                user/manifests/default.manifest); with
#                                BOOTIMAGE_MANIFEST=user/manifests/NAME.manifest:
#                                $(O)/bootimage-NAME.cpio
#   make ARCH=riscv64 BOARD=virt select a configuration (build dir build/<arch>-<board>)
#   make <arch>_<board>_defconfig  write that configuration from configs/
#   make menuconfig              edit the configuration of the current build dir
#   make rootfs                  build/<arch>/rootfs.ext2: the default boot's tree (its boot
#                                image's files, busybox, /etc) as an ext2 disk image made by
#                                the host's mke2fs (scripts/mkrootfs.sh); made anew (what the
#                                old image held is lost). ./qemu-run.sh makes it when missing
#                                and attaches it
#   make ARCH=<arch> toolchain   the Cairn C toolchain: musl-port's libc in build/<arch>/sysroot
#                                and build/<arch>/bin/<arch>-cairn-gcc (scripts/toolchain.mk)
#   make ARCH=<arch> posix-tests the C test programs of user/tests/posix/ built with it
#   make ARCH=<arch> busybox     busybox (Debian's source, user/busybox/config) built with it:
#                                build/<arch>/busybox/busybox (scripts/busybox.mk; with
#                                PEER=linux the same for Linux, glibc: build/<arch>/busybox-linux)
#   make posix                   the Open POSIX Test Suite (tests/openposix/) built with it and run
#                                in Cairn, both arches, compared with tests/openposix/expected-<arch>.txt
#                                (POSIX_ARCHES=riscv64, POSIX_AREAS="nanosleep fork" to narrow)
#   make posix-update            the same, writing the expected lists (tmpfs and ext2 roots) instead of comparing
#   make busybox-test            busybox's own testsuite (tests/busybox/) run in Cairn, both
#                                arches, compared with tests/busybox/expected-<arch>.txt, beside
#                                the Linux reference (BBTEST_ARCHES=riscv64 to narrow)
#   make busybox-test-update     the same, writing the expected lists instead of comparing
#   make busybox-test-linux      the same suite on this machine's Linux: rewrites
#                                tests/busybox/linux-reference.txt
#   make stress                  the long tests make test leaves out: busybox's whole
#                                testsuite (make test runs all but tests/busybox/slow-units.txt),
#                                the ext2 crash test's 100 kills, 100 MiB over TCP through the
#                                lossy relay (tests/harness/relay_test.py; make test: 5 MiB),
#                                user/tests/posix/forks.c's fork-until-failure for 6 rounds
#                                an arch (make test: 2), the SMP storm user/tests/posix/stress.c for 60 s on four CPUs
#                                an arch (make test: 2 s), the server protocol fuzzer
#                                user/tests/pfuzz for 40 seeds of 1,500 requests an arch
#                                (make test: 5 of 600), and the kernel fuzzer kfuzz for
#                                10 million calls over 100 seeds on four CPUs an arch
#                                (tests/kfuzz/stress.sh; make test: 20,000 calls, one seed)
#   make test                    host tests, short fuzz runs, every boot configuration;
#                                ends "N passed, N failed"
#   make fuzz                    the libFuzzer targets (tests/fuzz/), longer: FUZZ_RUNS=N each
#                                (default 10000000), FUZZ_TARGETS=elf,cpio to pick
#   make bench                   benchmarks under -icount: guest instructions per operation,
#                                beside Linux's when ../shared/peer is there (tests/bench.sh)
#   make clean / distclean
#
# O=DIR overrides the build directory. DEBUG=1 builds the debug kernel
# (the lock-order check, CONFIG_LOCK_CHECK) in build/<arch>-<board>-debug:
#   make DEBUG=1 kernel; ./qemu-run.sh --debug ...

SHELL := /bin/bash
KARCHES := riscv64 x86_64
ARCH ?= riscv64
default_board_riscv64 := virt
default_board_x86_64 := q35
BOARD ?= $(default_board_$(ARCH))
# DEBUG=1: the board's configuration plus configs/debug.fragment (the
# lock-order check), built in its own folder
ifeq ($(DEBUG),1)
O ?= build/$(ARCH)-$(BOARD)-debug
CONFIG_FRAGMENTS := configs/debug.fragment
else
O ?= build/$(ARCH)-$(BOARD)
CONFIG_FRAGMENTS :=
endif
PY := /usr/bin/python3
SETUP := build/.setup-done-v1
export srctree := $(CURDIR)

.PHONY: rootfs busybox all kernel user bootimage menuconfig savedefconfig olddefconfig test test-host test-boot fuzz bench clean distclean setup toolchain posix-tests posix posix-update busybox-test busybox-test-update busybox-test-linux stress FORCE

all: kernel user

setup $(SETUP):
	@bash scripts/setup.sh

# A defconfig name is <arch>_<board>_defconfig; the arch is one of KARCHES.
%_defconfig: $(SETUP) FORCE
	@name=$*; arch=; for a in $(KARCHES); do case $$name in $${a}_*) arch=$$a;; esac; done; \
	 [ -n "$$arch" ] && [ -f configs/$@ ] || { echo "no such configuration: configs/$@" >&2; exit 1; }; \
	 board=$${name#$${arch}_}; out=$(if $(filter command line,$(origin O)),$(O),build/$$arch-$$board); \
	 mkdir -p $$out; KCONFIG_CONFIG=$$out/.config $(PY) -m defconfig --kconfig Kconfig configs/$@ >/dev/null && \
	 echo "wrote $$out/.config"

$(O)/.config: | $(SETUP)
	@[ -f configs/$(ARCH)_$(BOARD)_defconfig ] || { echo "no configuration for ARCH=$(ARCH) BOARD=$(BOARD)" >&2; exit 1; }
	@mkdir -p $(O)
	@cat configs/$(ARCH)_$(BOARD)_defconfig $(CONFIG_FRAGMENTS) > $(O)/defconfig.in
	@KCONFIG_CONFIG=$(O)/.config $(PY) -m defconfig --kconfig Kconfig $(O)/defconfig.in >/dev/null

menuconfig: $(O)/.config
	KCONFIG_CONFIG=$(O)/.config $(PY) -m menuconfig Kconfig

olddefconfig: $(O)/.config
	KCONFIG_CONFIG=$(O)/.config $(PY) -m olddefconfig Kconfig

savedefconfig: $(O)/.config
	KCONFIG_CONFIG=$(O)/.config $(PY) -m savedefconfig --kconfig Kconfig --out $(O)/defconfig
	@echo "wrote $(O)/defconfig"

kernel: $(O)/.config | $(SETUP)
	@$(MAKE) --no-print-directory -f scripts/kernel.mk O=$(O)

BOOTIMAGE_MANIFEST ?= user/manifests/default.manifest
user bootimage: $(O)/.config | $(SETUP)
	@$(MAKE) --no-print-directory -f scripts/user.mk O=$(O) BOOTIMAGE_MANIFEST=$(BOOTIMAGE_MANIFEST)

rootfs: $(O)/.config | $(SETUP)
	@$(MAKE) --no-print-directory -f scripts/user.mk O=$(O) BOOTIMAGE_MANIFEST=user/manifests/default.manifest
	@echo "  EXT2    build/$(ARCH)/rootfs.ext2"
	@bash scripts/mkrootfs.sh $(O)/bootimage.cpio build/$(ARCH)/rootfs.ext2

# one at a time per arch (flock): busybox's build and a musl program's
# (user.mk's musl-deps: the ext2 server) both bring the toolchain up to
# date, and two musl builds in one folder break each other
toolchain posix-tests: | $(SETUP)
	@mkdir -p build/$(ARCH)
	@flock build/$(ARCH)/.toolchain-lock $(MAKE) --no-print-directory -f scripts/toolchain.mk ARCH=$(ARCH) $(filter posix-tests,$@)

# one at a time per arch (flock): make test's parts run `make user` side
# by side, and two busybox builds in one folder break each other
busybox: | $(SETUP)
	@mkdir -p build/$(ARCH)
	@flock build/$(ARCH)/.busybox-lock sh -c 'flock build/$(ARCH)/.toolchain-lock $(MAKE) --no-print-directory -f scripts/toolchain.mk ARCH=$(ARCH) && \
	  $(MAKE) --no-print-directory -f scripts/busybox.mk ARCH=$(ARCH)'

test: | $(SETUP)
	@bash tests/run-all.sh

posix posix-update: | $(SETUP)
	@bash tests/openposix/run.sh $(if $(filter posix-update,$@),--update)

busybox-test busybox-test-update: | $(SETUP)
	@bash tests/busybox/run.sh $(if $(filter busybox-test-update,$@),--update)

busybox-test-linux: | $(SETUP)
	@bash tests/busybox/run.sh --linux --update

stress: | $(SETUP)
	@bash tests/busybox/run.sh
	@CAIRN_SMP=4 bash tests/busybox/run.sh --jobs 1 --label=-smp4
	@bash tests/openposix/run.sh --jobs 1 --smp 4 --label=-smp4
	@$(MAKE) --no-print-directory ARCH=riscv64 posix-tests >/dev/null
	@python3 tests/ext2/crash_test.py --name riscv64-ext2-crash-stress --arch riscv64 --runs 100
	@python3 tests/harness/relay_test.py --name riscv64-relay-stress --arch riscv64 --bytes 100M --timeout 3600
	@for a in riscv64 x86_64; do $(MAKE) --no-print-directory ARCH=$$a posix-tests >/dev/null && \
	  rm -f build/$$a/pfuzz-stress.img && mke2fs -q -F -t ext2 build/$$a/pfuzz-stress.img 32M && \
	  python3 tests/harness/boot_test.py --name $$a-pfuzz-stress --timeout 1800 \
	    --expect tests/harness/expected/pfuzz-stress.txt -- --arch $$a --disk build/$$a/pfuzz-stress.img \
	    --exec build/$$a/tests/pfuzz/pfuzz seeds=1-40 requests=1500 && \
	  e2fsck -fn build/$$a/pfuzz-stress.img >/dev/null || exit 1; done
	@for a in riscv64 x86_64; do $(MAKE) --no-print-directory ARCH=$$a posix-tests >/dev/null && \
	  python3 tests/harness/boot_test.py --name $$a-posix-forks-6 --timeout 1200 \
	    --expect tests/harness/expected/posix-forks.txt -- --arch $$a --mem 256M \
	    --exec build/$$a/tests/posix/forks 6 || exit 1; done
	@for a in riscv64 x86_64; do $(MAKE) --no-print-directory ARCH=$$a posix-tests >/dev/null && \
	  python3 tests/harness/boot_test.py --name $$a-posix-stress-60s --timeout 900 \
	    --expect tests/harness/expected/posix-stress.txt -- --arch $$a --quota 4M --smp 4 \
	    --exec build/$$a/tests/posix/stress 60 || exit 1; done
	@bash tests/kfuzz/stress.sh riscv64
	@bash tests/kfuzz/stress.sh x86_64

# Our host unit tests, then lwIP's own (tests/host/lwip.mk): both run even
# when the first fails.
test-host: | $(SETUP)
	@rc=0; $(MAKE) --no-print-directory -f tests/host/host.mk run || rc=1; \
	$(MAKE) --no-print-directory -f tests/host/lwip.mk run || rc=1; exit $$rc

fuzz: | $(SETUP)
	@$(MAKE) --no-print-directory -f tests/fuzz/fuzz.mk long

bench: | $(SETUP)
	@bash tests/bench.sh

clean:
	rm -rf build/riscv64-* build/x86_64-* build/riscv64 build/x86_64 build/host build/fuzz

distclean:
	rm -rf build

FORCE:
