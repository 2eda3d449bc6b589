/* SPDX-License-Identifier: MIT */
/* Free lists in front of malloc for lwIP and the server (pool.c). */
#ifndef NET_POOL_H
#define NET_POOL_H

#include <stddef.h>

void *net_alloc(size_t n);
void net_free(void *p);
void *net_calloc(size_t count, size_t size);
/* bytes the free lists hold now */
size_t net_pool_kept(void);

#endif
