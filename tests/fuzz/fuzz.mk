# SPDX-License-Identifier: MIT
#
# libFuzzer targets, built with clang and AddressSanitizer +
# UndefinedBehaviorSanitizer. Run from the repository root:
#
#   make -f tests/fuzz/fuzz.mk build      build every target
#   make -f tests/fuzz/fuzz.mk run        build and run each target, short fixed runs (make
#                                         test): one `ok N fuzz_NAME` / `not ok N fuzz_NAME`
#                                         line each, also in $(O)/results.txt
#   make -f tests/fuzz/fuzz.mk long       longer runs (make fuzz), FUZZ_RUNS each (default 10M),
#                                         keeping a growing corpus in $(O)/corpus/NAME
#
# FUZZ_TARGETS=elf,cpio picks targets; FUZZ_RUNS=N overrides every
# target's run count. A crash, a sanitizer report, a leak or a timeout is
# a failure; the input that caused it is saved as $(O)/artifacts/NAME-*
# and can be replayed with `$(O)/fuzz_NAME FILE`.
#
# Adding a target: drop in tests/fuzz/fuzz_NAME.c (defining
# LLVMFuzzerTestOneInput), and set, here or in an optional
# tests/fuzz/fuzz_NAME.mk:
#   fuzz_NAME_SRCS    the sources it tests (compiled with the same sanitizers)
#   fuzz_NAME_CFLAGS  extra flags (e.g. -Ikernel/include -Itests/host/include)
#   fuzz_NAME_SEEDS   seed input files (default: none; libFuzzer starts empty)
#   fuzz_NAME_RUNS    runs for `run` (default FUZZ_DEFAULT_RUNS); keep it
#                     under 20 s on a 2-core machine
#   tests/fuzz/fuzz_NAME.dict, if present, is passed as -dict.
# Seed files that are generated need a rule that makes them.

SHELL := /bin/bash
O := build/fuzz
CLANG := clang
FUZZ_SAN := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
# -idirafter: the host's libc headers win over lib/include's freestanding
# ones; only lib/elf.h and friends come from lib/include.
FUZZ_CFLAGS := -std=gnu11 -g -O1 -fno-omit-frame-pointer -Wall -Wextra -Werror \
	-Iinclude -Itests/fuzz -idirafter lib/include $(FUZZ_SAN)
FUZZ_DEFAULT_RUNS := 100000
FUZZ_RUNS ?=
FUZZ_TARGETS ?=
# libFuzzer options common to every run: a deterministic seed, per-input
# time and memory limits, inputs up to 64 KiB.
FUZZ_OPTS := -seed=1 -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1

all-targets := $(sort $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c)))
comma := ,
TARGETS := $(if $(FUZZ_TARGETS),$(subst $(comma), ,$(FUZZ_TARGETS)),$(all-targets))

# ---- the lib/ parsers ----
# The parsers also run under the integer sanitizers: they promise never to
# wrap or truncate silently, and these make any wrap a crash.
PARSER_SAN := -fsanitize=unsigned-integer-overflow,implicit-conversion,local-bounds

fuzz_elf_SRCS := lib/elf.c
fuzz_elf_CFLAGS := $(PARSER_SAN)
fuzz_elf_RUNS := 1500000
fuzz_elf_SEEDS := $(O)/gen/prog-riscv64.elf $(O)/gen/prog-x86_64.elf $(O)/gen/prog-x86_64-pie.elf

fuzz_cpio_SRCS := lib/cpio.c
fuzz_cpio_CFLAGS := $(PARSER_SAN)
fuzz_cpio_RUNS := 1500000
fuzz_cpio_SEEDS := $(O)/gen/newc.cpio $(O)/gen/crc.cpio $(O)/gen/one.cpio

fuzz_manifest_SRCS := lib/manifest.c
fuzz_manifest_CFLAGS := $(PARSER_SAN)
fuzz_manifest_RUNS := 1000000
fuzz_manifest_SEEDS := $(sort $(wildcard tests/fuzz/seeds/manifest/*.manifest) \
	$(wildcard user/manifests/*.manifest))

-include $(wildcard tests/fuzz/fuzz_*.mk)

# Seeds made with real tools: a static program for riscv64 and x86-64
# (and a PIE, which elf_parse refuses), and cpio archives of a small tree.
PROG := tests/host/elf_prog.c
PROG_FLAGS := -nostdlib -ffreestanding -O2 -w

$(O)/gen/prog-riscv64.elf: $(PROG)
	@mkdir -p $(dir $@)
	@riscv64-linux-gnu-gcc $(PROG_FLAGS) -static -no-pie -fno-pie -Wl,-z,max-page-size=4096 $< -o $@

$(O)/gen/prog-x86_64.elf: $(PROG)
	@mkdir -p $(dir $@)
	@x86_64-linux-gnu-gcc $(PROG_FLAGS) -static -no-pie -fno-pie $< -o $@

$(O)/gen/prog-x86_64-pie.elf: $(PROG)
	@mkdir -p $(dir $@)
	@x86_64-linux-gnu-gcc $(PROG_FLAGS) -pie -fpie $< -o $@

$(O)/gen/tree.list: tests/fuzz/fuzz.mk
	@rm -rf $(O)/gen/tree && mkdir -p $(O)/gen/tree/bin $(O)/gen/tree/etc
	@printf 'service init bin/init\n' > $(O)/gen/tree/etc/manifest
	@printf '\177ELF' > $(O)/gen/tree/bin/init
	@printf 'abc' > $(O)/gen/tree/bin/x
	@: > $(O)/gen/tree/empty
	@ln -s bin/init $(O)/gen/tree/link
	@cd $(O)/gen/tree && find . | sed 's|^\./||' | LC_ALL=C sort > ../tree.list

$(O)/gen/newc.cpio: $(O)/gen/tree.list
	@cd $(O)/gen/tree && cpio -o -H newc --quiet < ../tree.list > ../newc.cpio

$(O)/gen/crc.cpio: $(O)/gen/tree.list
	@cd $(O)/gen/tree && cpio -o -H crc --quiet < ../tree.list > ../crc.cpio

$(O)/gen/one.cpio: $(O)/gen/tree.list
	@cd $(O)/gen/tree && echo etc/manifest | cpio -o -H newc --quiet > ../one.cpio

# ---- per-target rules ----
define target_rules
$(1)_OBJS := $$(patsubst %.c,$(O)/obj/$(1)/%.o,tests/fuzz/fuzz_$(1).c $$(fuzz_$(1)_SRCS))

$(O)/obj/$(1)/%.o: %.c
	@mkdir -p $$(dir $$@)
	@echo "  FUZZCC  $$< ($(1))"
	@$(CLANG) $(FUZZ_CFLAGS) $$(fuzz_$(1)_CFLAGS) -MMD -MP -c $$< -o $$@

$(O)/fuzz_$(1): $$($(1)_OBJS)
	@echo "  FUZZLD  $$@"
	@$(CLANG) $(FUZZ_SAN) $$(fuzz_$(1)_CFLAGS) $$(fuzz_$(1)_LDFLAGS) $$^ -o $$@

# The seed corpus: the seed files, copied fresh when any changes.
$(O)/seeds/$(1)/.stamp: $$(fuzz_$(1)_SEEDS)
	@rm -rf $(O)/seeds/$(1) && mkdir -p $(O)/seeds/$(1)
	@i=0; for f in $$^; do cp $$$$f $(O)/seeds/$(1)/seed$$$$i-$$$${f##*/}; i=$$$$((i+1)); done
	@touch $$@
endef
$(foreach t,$(all-targets),$(eval $(call target_rules,$(t))))

.PHONY: build run long clean
build: $(foreach t,$(TARGETS),$(O)/fuzz_$(t) $(O)/seeds/$(t)/.stamp)

# run_one NAME RUNS MODE: builds one target and runs it, and prints one
# result line (numbered by the shell variable n; also appended to
# $(O)/results.txt). A target that does not build is a failure of that
# target only. MODE short starts from the seeds alone, in a fresh work
# dir, so every run is the same; long adds the persistent corpus.
define run_one
	n=$$((n + 1)); t=$(1); runs=$(2); \
	work=$(O)/work/$$t; log=$(O)/fuzz_$$t.log; \
	if ! $(MAKE) -s --no-print-directory -f tests/fuzz/fuzz.mk $(O)/fuzz_$$t $(O)/seeds/$$t/.stamp; then \
		res=$$(printf 'not ok %d fuzz_%s (build failed)' $$n $$t); fail=1; \
	else \
		rm -rf $$work; mkdir -p $$work $(O)/artifacts $(O)/corpus/$$t; \
		dirs="$$work $(O)/seeds/$$t"; [ "$(3)" = long ] && dirs="$(O)/corpus/$$t $(O)/seeds/$$t"; \
		dict=; [ -f tests/fuzz/fuzz_$$t.dict ] && dict=-dict=tests/fuzz/fuzz_$$t.dict; \
		start=$$(date +%s%N); \
		./$(O)/fuzz_$$t $(FUZZ_OPTS) -runs=$$runs $$dict -artifact_prefix=$(O)/artifacts/$$t- \
			$$dirs > $$log 2>&1; rc=$$?; \
		ms=$$(( ($$(date +%s%N) - start) / 1000000 )); \
		stats=$$(grep -a DONE $$log | grep -ao 'cov: [0-9]* ft: [0-9]*' | head -n 1); \
		if [ $$rc -eq 0 ] && grep -aq '^Done [0-9]* runs' $$log; then \
			res=$$(printf 'ok %d fuzz_%s (%s runs in %d.%d s, %s)' $$n $$t $$runs \
				$$((ms / 1000)) $$((ms % 1000 / 100)) "$$stats"); \
		else \
			grep -aEv '^#[0-9]+|^INFO:|^stat::|^"|^###|^Dictionary|^MS:|^0x|^Base64' $$log | \
				tail -n 40 | sed 's/^/# /'; \
			res=$$(printf 'not ok %d fuzz_%s (exit status %d, see %s)' $$n $$t $$rc $$log); fail=1; \
		fi; \
	fi; \
	echo "$$res"; echo "$$res" >> $(O)/results.txt;
endef

# Results in $(O)/results.txt; the exit status says whether all passed.
run:
	@mkdir -p $(O); : > $(O)/results.txt; fail=0; n=0; \
	$(foreach t,$(TARGETS),$(call run_one,$(t),$(or $(FUZZ_RUNS),$(fuzz_$(t)_RUNS),$(FUZZ_DEFAULT_RUNS)),short)) \
	exit $$fail

long:
	@mkdir -p $(O); : > $(O)/results.txt; fail=0; n=0; \
	$(foreach t,$(TARGETS),$(call run_one,$(t),$(or $(FUZZ_RUNS),10000000),long)) \
	exit $$fail

clean:
	rm -rf $(O)

-include $(shell find $(O)/obj -name '*.d' 2>/dev/null)
