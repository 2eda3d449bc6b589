/* SPDX-License-Identifier: MIT */
/* System-call dispatch (kernel/syscall.c); the methods of kernel objects
 * that SYS_CALL and rings reach are kernel/method.h. */
#ifndef KERNEL_SYSCALL_H
#define KERNEL_SYSCALL_H
#include <kernel/method.h>

#endif
