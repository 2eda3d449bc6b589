/* SPDX-License-Identifier: MIT */
/* The network server's Internet checksum (chksum.c): lwIP's LWIP_CHKSUM. */
#ifndef NET_CHKSUM_H
#define NET_CHKSUM_H
#include <stdint.h>

/* The one's-complement sum of len bytes at data (any alignment), not
 * inverted, as lwIP's lwip_standard_chksum returns it. */
uint16_t net_chksum(const void *data, int len);

#endif
