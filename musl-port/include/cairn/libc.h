/* SPDX-License-Identifier: MIT */
/*
 * What the Cairn libc (musl-port) offers beyond POSIX, for programs built
 * with <arch>-cairn-gcc that want to talk to Cairn directly: the kernel
 * ABI (<cairn/abi.h>), its system calls as inline functions
 * (<cairn/sys.h>) and the capabilities of the start-up block by name.
 */
#ifndef CAIRN_LIBC_H
#define CAIRN_LIBC_H
/* each thread has its own IPC buffer: cairn_ipcbuf() asks the libc */
#ifndef CAIRN_IPCBUF_HOOK
#define CAIRN_IPCBUF_HOOK __cairn_ipcbuf_self
#endif
#include <cairn/sys.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The slot of the capability the start-up block calls `name` (e.g.
 * "console", "kinfo"), or CAP_NULL. */
cap_t cairn_cap(const char *name);
/* The i-th capability name of the start-up block (NULL past the end) and
 * its slot in *slot. */
const char *cairn_cap_name(unsigned i, cap_t *slot);

#ifdef __cplusplus
}
#endif
#endif
