/* SPDX-License-Identifier: MIT */
/*
 * lwIP's hooks (lwipopts.h, LWIP_HOOK_FILENAME): what its core calls in
 * the network server (user/servers/net).
 */
#ifndef CAIRN_LWIP_HOOKS_H
#define CAIRN_LWIP_HOOKS_H

struct pbuf;
/* Every IPv4 and IPv6 packet lwIP takes in: counts the loopback
 * interface's (iface.c); 0, so lwIP goes on with it. */
int net_loop_input(struct pbuf *p);

#endif
