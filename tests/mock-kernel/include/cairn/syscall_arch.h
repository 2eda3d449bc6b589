/* SPDX-License-Identifier: MIT */
/*
 * The "trap" of user code built for tests/mock-kernel/mock.c: a plain call into a
 * mock kernel in the same host process. Same contract as
 * user/lib/arch/<arch>/include/cairn/syscall_arch.h.
 */
#ifndef CAIRN_SYSCALL_ARCH_H
#define CAIRN_SYSCALL_ARCH_H
#include <stdint.h>

uint64_t mock_syscall(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
		      uint64_t a4, uint64_t a5, uint64_t out[6]);

static inline uint64_t cairn_arch_syscall(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2,
					  uint64_t a3, uint64_t a4, uint64_t a5, uint64_t out[6])
{
	return mock_syscall(nr, a0, a1, a2, a3, a4, a5, out);
}

#endif
