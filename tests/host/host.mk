# SPDX-License-Identifier: MIT
#
# Host unit tests: the portable kernel and library code built for the host
# with AddressSanitizer and UndefinedBehaviorSanitizer, one program per
# subsystem. Run from the repository root:
#
#   make -f tests/host/host.mk run
#
# `run` builds everything, runs every program even when one fails, prints
# all their `ok N name` / `not ok N name` lines (also kept in
# build/host/results.txt) and exits non-zero if any test failed or any
# program did not finish with its `N passed, 0 failed` line.
#
# The host headers (glibc's string.h, stdlib.h, limits.h) must win, so
# lib/include is never on the include path: lib/format.h is reached
# through tests/host/include/format.h, and lib/string.c is compiled on its
# own with its freestanding headers and every name renamed to k_*.
# lib/include comes last (-idirafter), after the host's own headers, so
# only names the host lacks (lib/elf.h, lib/cpio.h, ...) come from it.
#
# test_elf and test_cpio read inputs made here with real tools (a static
# program linked for riscv64 and x86-64, archives written by cpio) from
# $(O)/data, passed to them as CAIRN_TESTDATA.

O := build/host
LIBFDT := build/third_party/libfdt

CC := cc
SAN := -fsanitize=address,undefined -fno-sanitize-recover=all
CFLAGS := -std=gnu11 -g -O1 $(SAN) -fno-omit-frame-pointer -Wall -Wextra
INCLUDES := -Iinclude -Ikernel/include -Itests/host/include -I$(LIBFDT) -idirafter lib/include
LDFLAGS := $(SAN)

# lib/string.c, memcpy.c and memset.c under test: renamed so they never
# replace the host's libc.
STRING_NAMES := memcpy memmove memset memcmp memchr strlen strnlen strcmp strncmp \
	strchr strrchr strlcpy strtoul
STRING_CFLAGS := -std=gnu11 -g -O1 $(SAN) -fno-omit-frame-pointer -Wall -Wextra \
	-ffreestanding -fno-builtin -fno-tree-loop-distribute-patterns -Ilib/include \
	$(foreach n,$(STRING_NAMES),-D$(n)=k_$(n))

LIBFDT_SRCS := fdt.c fdt_ro.c fdt_rw.c fdt_wip.c fdt_sw.c fdt_addresses.c fdt_strerror.c
LIBFDT_OBJS := $(addprefix $(O)/libfdt/,$(LIBFDT_SRCS:.c=.o))

PROGS := test_format test_string test_pmm test_heap test_pgtable test_devtree \
	test_elf test_cpio test_manifest test_tmpfs test_devmgr_fw test_virtq test_ext2 test_socket \
	test_chksum

COMMON := $(O)/tests/host/main.o
KSTUBS := $(O)/tests/host/stubs.o $(O)/lib/err.o

test_format_OBJS := $(O)/tests/host/test_format.o $(O)/lib/format.o $(COMMON)
test_string_OBJS := $(O)/tests/host/test_string.o $(O)/string_k.o $(O)/memcpy_k.o $(O)/memset_k.o $(COMMON)
test_pmm_OBJS := $(O)/tests/host/test_pmm.o $(O)/kernel/pmm.o $(KSTUBS) $(COMMON)
test_heap_OBJS := $(O)/tests/host/test_heap.o $(O)/kernel/heap.o $(O)/kernel/pmm.o \
	$(KSTUBS) $(COMMON)
test_pgtable_OBJS := $(O)/tests/host/test_pgtable.o $(O)/kernel/pgtable.o $(O)/kernel/pmm.o \
	$(KSTUBS) $(COMMON)
test_devtree_OBJS := $(O)/tests/host/test_devtree.o $(O)/kernel/devtree.o $(O)/kernel/boot.o \
	$(LIBFDT_OBJS) $(O)/lib/err.o $(COMMON)
test_elf_OBJS := $(O)/tests/host/test_elf.o $(O)/lib/elf.o $(COMMON)
test_cpio_OBJS := $(O)/tests/host/test_cpio.o $(O)/lib/cpio.o $(COMMON)
test_manifest_OBJS := $(O)/tests/host/test_manifest.o $(O)/lib/manifest.o $(COMMON)
test_virtq_OBJS := $(O)/tests/host/test_virtq.o $(O)/drivers/virtio/virtq.o $(COMMON)
test_tmpfs_OBJS := $(O)/tests/host/test_tmpfs.o $(O)/user/servers/vfs/tmpfs.o $(O)/lib/cpio.o $(COMMON)
test_devmgr_fw_OBJS := $(O)/tests/host/test_devmgr_fw.o $(O)/user/servers/devmgr/fw.o $(LIBFDT_OBJS) \
	$(COMMON)

# musl-port's socket.c against a mock network server: a copy of it, so
# that its "cairn_impl.h" is the shim of tests/host/musl/ (musl's own
# internal headers are not the host's).
test_chksum_OBJS := $(O)/tests/host/test_chksum.o $(O)/user/servers/net/chksum.o $(COMMON)

test_socket_OBJS := $(O)/tests/host/test_socket.o $(O)/musl-port/socket.o $(COMMON)
$(O)/musl-port/socket.c: musl-port/src/cairn/socket.c
	@mkdir -p $(dir $@)
	@cp $< $@
$(O)/musl-port/socket.o: $(O)/musl-port/socket.c tests/host/musl/cairn_impl.h
	@echo "  HOSTCC  musl-port/src/cairn/socket.c"
	@$(CC) $(CFLAGS) -Werror -Itests/host/musl $(INCLUDES) -MMD -MP -c $< -o $@
$(O)/tests/host/test_socket.o: INCLUDES := -Itests/host/musl $(INCLUDES)

# The ext2 server's file system layer and block cache, on libext2fs built
# for the host (scripts/e2fs.mk ARCH=host: Debian's e2fsprogs source); the
# test makes its images with the host's mke2fs and checks them with e2fsck.
E2SRC := build/third_party/e2fsprogs/src
E2OBJ := build/host/e2fsprogs/obj
E2LIBS := $(E2OBJ)/lib/libext2fs.a $(E2OBJ)/lib/libcom_err.a
test_ext2_OBJS := $(O)/tests/host/test_ext2.o $(O)/user/servers/ext2/xfs.o \
	$(O)/user/servers/ext2/bcache.o $(COMMON) $(E2LIBS)
$(O)/tests/host/test_ext2.o $(O)/user/servers/ext2/xfs.o $(O)/user/servers/ext2/bcache.o: \
	INCLUDES += -I$(E2SRC)/lib -I$(E2OBJ)/lib
$(O)/tests/host/test_ext2.o $(O)/user/servers/ext2/xfs.o $(O)/user/servers/ext2/bcache.o: | $(E2LIBS)
$(E2LIBS) &:
	+@$(MAKE) --no-print-directory -f scripts/e2fs.mk ARCH=host

# The parsers of untrusted input are held to the kernel's warning flags.
PARSER_OBJS := $(O)/user/servers/net/chksum.o $(O)/lib/elf.o $(O)/lib/cpio.o $(O)/lib/manifest.o $(O)/user/servers/vfs/tmpfs.o \
	$(O)/user/servers/devmgr/fw.o $(O)/drivers/virtio/virtq.o
$(PARSER_OBJS): CFLAGS += -Werror -Wmissing-prototypes -Wstrict-prototypes -Wshadow -Wconversion
# (libfdt's own header is not held to them). The device manager's log
# lines reach the test's printf (it counts them): no puts() for them.
$(O)/user/servers/devmgr/fw.o: INCLUDES := -isystem $(LIBFDT) $(INCLUDES)
$(O)/user/servers/devmgr/fw.o: CFLAGS += -fno-builtin-printf

# Test inputs made with real tools.
DATA := $(O)/data
DATA_FILES := $(DATA)/prog-riscv64.elf $(DATA)/prog-x86_64.elf $(DATA)/prog-x86_64-pie.elf \
	$(DATA)/newc.cpio $(DATA)/crc.cpio
PROG_FLAGS := -nostdlib -ffreestanding -O2 -w

# The device tree QEMU's virt machine hands a kernel: 256 MiB, 2 harts,
# a command line and an initrd of INITRD_SIZE bytes.
DTB := $(O)/virt.dtb
INITRD_SIZE := 3000
QEMU := qemu-system-riscv64

.PHONY: all run clean
all: $(addprefix $(O)/,$(PROGS)) $(DTB) $(DATA_FILES)

define prog_rule
$(O)/$(1): $$($(1)_OBJS)
	@echo "  LD      $$@"
	@$(CC) $(LDFLAGS) -o $$@ $$^
endef
$(foreach p,$(PROGS),$(eval $(call prog_rule,$(p))))

$(O)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $<"
	@$(CC) $(CFLAGS) $(INCLUDES) -MMD -MP -c $< -o $@

$(O)/string_k.o $(O)/memcpy_k.o $(O)/memset_k.o: $(O)/%_k.o: lib/%.c
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $< (renamed k_*)"
	@$(CC) $(STRING_CFLAGS) -MMD -MP -c $< -o $@

$(O)/libfdt/%.o: $(LIBFDT)/%.c
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $<"
	@$(CC) $(CFLAGS) -Wno-sign-compare -I$(LIBFDT) -MMD -MP -c $< -o $@

$(DATA)/prog-riscv64.elf: tests/host/elf_prog.c
	@mkdir -p $(DATA)
	@echo "  CC      $@"
	@riscv64-linux-gnu-gcc $(PROG_FLAGS) -static -no-pie -fno-pie -Wl,-z,max-page-size=4096 $< -o $@

$(DATA)/prog-x86_64.elf: tests/host/elf_prog.c
	@mkdir -p $(DATA)
	@echo "  CC      $@"
	@x86_64-linux-gnu-gcc $(PROG_FLAGS) -static -no-pie -fno-pie $< -o $@

$(DATA)/prog-x86_64-pie.elf: tests/host/elf_prog.c
	@mkdir -p $(DATA)
	@echo "  CC      $@"
	@x86_64-linux-gnu-gcc $(PROG_FLAGS) -pie -fpie $< -o $@

# A small tree with the cases a reader must get right: empty files, sizes
# of every residue mod 4, names of every length mod 4, nested and empty
# directories, a symlink, a long name. tree.list is what cpio was given
# (relative names as the boot image has them: ".", "bin", "bin/init").
$(DATA)/tree.list: $(DATA)/prog-riscv64.elf tests/host/host.mk
	@rm -rf $(DATA)/tree && mkdir -p $(DATA)/tree/bin $(DATA)/tree/etc $(DATA)/tree/a/bb/ccc \
		$(DATA)/tree/empty-dir
	@cp $< $(DATA)/tree/bin/init
	@printf 'service init bin/init\n' > $(DATA)/tree/etc/manifest
	@: > $(DATA)/tree/empty
	@for n in 1 2 3 4 5 6 7 8 9; do printf '0123456789' | head -c $$n > $(DATA)/tree/a/f$$n; done
	@printf 'deep' > $(DATA)/tree/a/bb/ccc/dddd
	@printf 'long' > $(DATA)/tree/a/$$(printf 'n%.0s' $$(seq 1 200))
	@ln -s bin/init $(DATA)/tree/link
	@cd $(DATA)/tree && find . | sed 's|^\./||' | LC_ALL=C sort > ../tree.list

$(DATA)/newc.cpio: $(DATA)/tree.list
	@echo "  CPIO    $@"
	@cd $(DATA)/tree && cpio -o -H newc --quiet < ../tree.list > ../newc.cpio

$(DATA)/crc.cpio: $(DATA)/tree.list
	@echo "  CPIO    $@"
	@cd $(DATA)/tree && cpio -o -H crc --quiet < ../tree.list > ../crc.cpio

$(DTB):
	@mkdir -p $(O)
	@echo "  QEMU    $@"
	@head -c 4096 /dev/zero > $(O)/dtb-kernel.bin
	@head -c $(INITRD_SIZE) /dev/zero | tr '\0' 'i' > $(O)/dtb-initrd.bin
	@$(QEMU) -M virt -m 256M -smp 2 -kernel $(O)/dtb-kernel.bin \
		-append "console=ttyS0 selftest=mm" -initrd $(O)/dtb-initrd.bin \
		-machine dumpdtb=$@ -nographic < /dev/null > $(O)/dtb.log 2>&1 \
		|| { cat $(O)/dtb.log; rm -f $@; exit 1; }

run: all
	@rc=0; : > $(O)/results.txt; \
	for p in $(PROGS); do \
		CAIRN_DTB=$(DTB) CAIRN_INITRD_SIZE=$(INITRD_SIZE) CAIRN_TESTDATA=$(DATA) \
			./$(O)/$$p > $(O)/$$p.log 2>&1; prc=$$?; \
		if [ $$prc -ne 0 ] || ! tail -n 1 $(O)/$$p.log | grep -q '^[0-9]* passed, 0 failed$$'; then \
			echo "not ok $$p (exit status $$prc, see $(O)/$$p.log)" >> $(O)/$$p.log; rc=1; \
		fi; \
		cat $(O)/$$p.log; cat $(O)/$$p.log >> $(O)/results.txt; \
	done; \
	pass=$$(grep -c '^ok ' $(O)/results.txt); fail=$$(grep -c '^not ok ' $(O)/results.txt); \
	echo "host tests: $$pass passed, $$fail failed (results in $(O)/results.txt)"; \
	exit $$rc

clean:
	rm -rf $(O)

-include $(shell find $(O) -name '*.d' 2>/dev/null)
