# SPDX-License-Identifier: MIT
#
# lwIP 2.1.3's own unit tests (its test/unit, on the `check` framework),
# built for the host against the pristine source scripts/setup.sh fetches
# (Debian's lwip source package, build/third_party/lwip/src). Upstream
# builds them with contrib/ports/unix/check/Makefile, which Debian's dfsg
# source leaves out: this is that makefile, and tests/host/lwip/ holds the
# two headers of contrib/ it needs (arch/cc.h for Linux, an empty config.h).
# Run from the repository root:
#
#   make -f tests/host/lwip.mk run
#
# Everything lwip_unittests.c's main() runs is built, with lwIP's own
# main() unchanged: the core (IPv4, IPv6), the netconn/socket API
# (test/unit's lwipopts.h has NO_SYS 0, and its arch/sys_arch.c runs
# lwIP's "threads" without threads: semaphores and mailboxes are counters,
# and tcpip_thread is polled), netif/ethernet.c, and the mDNS and MQTT
# apps for their suites. All with ASan and UBSan (see SAN below).
#
# `run` runs the program (tests/host/lwip/run.sh): one `ok`/`not ok` line
# per test case, from check's TAP log; the program's exit status, check's
# plan line and the number of tests (LWIP_UNIT_TESTS) are checked too, so a
# crash or a dropped suite is a `not ok`.

O := build/host/lwip-unit
LWIP := build/third_party/lwip/src
T := $(LWIP)/test/unit

# The number of test cases lwIP 2.1.3's test/unit has with its lwipopts.h.
LWIP_UNIT_TESTS := 112

CC := cc
# ASan and UBSan, less UBSan's alignment check, which lwIP's own code
# trips: test/unit's lwipopts.h leaves MEM_ALIGNMENT at lwIP's default of 1,
# so memp.c's pools hand out misaligned structs (UBSan stops in lwip_init(),
# memp.c:195, before any test); and with MEM_ALIGNMENT 8 test_mem_double_free
# still trips it on purpose (mem.c:559 reads a struct mem from a freed
# block's stale link, the double free lwIP must detect).
SAN := -fsanitize=address,undefined -fno-sanitize=alignment -fno-sanitize-recover=all
CHECK_CFLAGS := $(shell pkg-config --cflags check)
CHECK_LIBS := $(shell pkg-config --libs check)
# lwIP's code, not ours: held to upstream's own flags (-Wall), not ours.
CFLAGS := -std=gnu99 -g -O1 $(SAN) -fno-omit-frame-pointer -Wall \
	-DLWIP_NOASSERT_ON_ERROR $(CHECK_CFLAGS)
# check 0.15's fail_unless(expr, fmt, args...) declares the assertion's text
# as the printf format, so gcc counts a message's arguments as extra.
CFLAGS += -Wno-format-extra-args
INCLUDES := -Itests/host/lwip -I$(T) -I$(LWIP)/src/include
LDFLAGS := $(SAN)

ifeq ($(wildcard $(LWIP)/src/core/init.c),)
ifneq ($(MAKECMDGOALS),clean)
$(error no lwIP source in $(LWIP): run scripts/setup.sh (make setup))
endif
endif

SRCS := $(wildcard $(LWIP)/src/core/*.c $(LWIP)/src/core/ipv4/*.c $(LWIP)/src/core/ipv6/*.c \
		$(LWIP)/src/api/*.c) \
	$(LWIP)/src/netif/ethernet.c $(LWIP)/src/apps/mdns/mdns.c $(LWIP)/src/apps/mqtt/mqtt.c \
	$(T)/lwip_unittests.c $(T)/arch/sys_arch.c \
	$(wildcard $(T)/api/*.c $(T)/core/*.c $(T)/dhcp/*.c $(T)/etharp/*.c $(T)/ip4/*.c \
		$(T)/ip6/*.c $(T)/mdns/*.c $(T)/mqtt/*.c $(T)/tcp/*.c $(T)/udp/*.c)
OBJS := $(patsubst $(LWIP)/%.c,$(O)/%.o,$(SRCS))
PROG := $(O)/lwip_unittests

.PHONY: all run clean
all: $(PROG)

$(PROG): $(OBJS)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS)

$(O)/%.o: $(LWIP)/%.c tests/host/lwip.mk
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $<"
	@$(CC) $(CFLAGS) $(INCLUDES) -MMD -MP -c $< -o $@

run: all
	@bash tests/host/lwip/run.sh $(PROG) $(LWIP_UNIT_TESTS)

clean:
	rm -rf $(O)

-include $(shell find $(O) -name '*.d' 2>/dev/null)
