# SPDX-License-Identifier: MIT
#
# lwIP for Cairn's network server (user/servers/net), called by
# scripts/user.mk:
#
#   make -f scripts/lwip.mk ARCH=riscv64|x86_64
#
#   build/third_party/lwip/src      Debian's lwip 2.1.3 source package, pristine
#                                   (scripts/setup.sh: without Debian's port
#                                   patch); nothing of it is committed
#   build/<arch>/lwip/liblwip.a     its core (IPv4, IPv6, TCP, UDP, ICMP, DHCP,
#                                   DNS's server list, Ethernet/ARP/ND) with
#                                   <arch>-cairn-gcc, configured by
#                                   user/servers/net/port/lwipopts.h
#
# Only the raw API is built: the network server is one thread (NO_SYS 1)
# and implements the socket semantics itself (docs/net.md), so lwIP's
# api/ (netconn, sockets) and its sys_arch threads are not needed.

ARCH ?= riscv64
ifeq ($(filter $(ARCH),riscv64 x86_64),)
$(error lwip.mk: ARCH must be riscv64 or x86_64, not '$(ARCH)')
endif

LW := build/third_party/lwip/src/src
OUT := build/$(ARCH)/lwip
CC := build/$(ARCH)/bin/$(ARCH)-cairn-gcc
PORT := user/servers/net/port
CFLAGS := -std=gnu11 -O2 -g -Wall -Wno-address -Wno-array-bounds -I$(PORT) -I$(LW)/include \
	-idirafter user/lib/include -idirafter include -idirafter lib/include

SRCS := $(addprefix $(LW)/core/,init.c def.c dns.c inet_chksum.c ip.c mem.c memp.c netif.c \
	pbuf.c raw.c stats.c sys.c tcp.c tcp_in.c tcp_out.c timeouts.c udp.c) \
	$(addprefix $(LW)/core/ipv4/,dhcp.c etharp.c icmp.c igmp.c ip4.c ip4_addr.c ip4_frag.c) \
	$(addprefix $(LW)/core/ipv6/,ethip6.c icmp6.c inet6.c ip6.c ip6_addr.c ip6_frag.c mld6.c nd6.c) \
	$(LW)/netif/ethernet.c
OBJS := $(patsubst $(LW)/%.c,$(OUT)/obj/%.o,$(SRCS))
# lwipopts.h includes the server's chksum.h and pool.h
HDRS := $(wildcard $(PORT)/*.h $(PORT)/arch/*.h) user/servers/net/chksum.h user/servers/net/pool.h

.PHONY: all
all: $(OUT)/liblwip.a

$(LW)/core/init.c:
	@echo "lwip.mk: no lwIP source: run scripts/setup.sh" >&2; exit 1

$(OUT)/obj/%.o: $(LW)/%.c $(HDRS) scripts/lwip.mk | $(LW)/core/init.c
	@mkdir -p $(dir $@)
	@$(CC) $(CFLAGS) -c -o $@ $<

$(OUT)/liblwip.a: $(OBJS)
	@echo "  AR      $@"
	@rm -f $@ && $(ARCH)-linux-gnu-ar rcs $@ $(OBJS)
