/* SPDX-License-Identifier: MIT */
/*
 * lwIP's arch/cc.h for its unit tests built on the host (tests/host/lwip.mk):
 * what contrib/ports/unix/port/include/arch/cc.h says for Linux, which
 * Debian's dfsg source of lwIP leaves out (it has no contrib/).
 */
#ifndef CAIRN_LWIP_TEST_ARCH_CC_H
#define CAIRN_LWIP_TEST_ARCH_CC_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>

/* struct timeval from the host's <sys/time.h>, errno from <errno.h>. */
#define LWIP_TIMEVAL_PRIVATE 0
#define LWIP_ERRNO_INCLUDE <errno.h>
#define LWIP_ERRNO_STDINCLUDE 1

#define LWIP_RAND() ((u32_t)rand())

/* As upstream's check Makefile builds them (-DLWIP_NOASSERT_ON_ERROR):
 * LWIP_ERROR runs its handler without asserting, since some tests feed
 * lwIP bad arguments on purpose. */
#ifdef LWIP_NOASSERT_ON_ERROR
#define LWIP_ERROR(message, expression, handler) do { if (!(expression)) { \
  handler;}} while(0)
#endif

struct sio_status_s;
typedef struct sio_status_s sio_status_t;
#define sio_fd_t sio_status_t*
#define __sio_fd_t_defined

typedef unsigned int sys_prot_t;

#endif
