/* SPDX-License-Identifier: MIT */
/*
 * Names of the Linux system calls of this arch, for the dispatcher's
 * "not implemented" message. syscall_names.h is generated at build time
 * from musl's arch/<arch>/bits/syscall.h.in (scripts/toolchain.mk), one
 * `[N] = "name",` line a call.
 */
#define _GNU_SOURCE
#include "cairn_impl.h"

static const char *const names[] = {
#include "syscall_names.h"
};

const char *__cairn_syscall_name(unsigned long n)
{
	return n < sizeof(names) / sizeof(names[0]) ? names[n] : 0;
}
