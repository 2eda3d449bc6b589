/* SPDX-License-Identifier: MIT */
/*
 * lwIP's compiler and platform port for Cairn's network server
 * (user/servers/net): the types come from musl's <stdint.h>, diagnostics
 * go to the server's console, a failed lwIP assertion ends the server
 * with one line saying where (init restarts it).
 */
#ifndef CAIRN_LWIP_CC_H
#define CAIRN_LWIP_CC_H
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define LWIP_PLATFORM_DIAG(x)   do { printf x; } while (0)
#define LWIP_PLATFORM_ASSERT(x) do { \
		fprintf(stderr, "net: lwIP assertion \"%s\" failed at %s:%d\n", x, __FILE__, __LINE__); \
		abort(); \
	} while (0)

/* lwIP's err_t is Cairn's type (int), so that one file may include both
 * <cairn/err.h> and lwIP's headers: user/servers/net/net.h. */
#define LWIP_ERR_T              int

/* The server's random generator (seeded from the entropy server) */
uint32_t net_rand(void);
#define LWIP_RAND()             net_rand()

#endif
