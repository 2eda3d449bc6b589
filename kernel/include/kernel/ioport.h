/* SPDX-License-Identifier: MIT */
/*
 * I/O ports the kernel's own drivers use (x86-64's PICs, PIT, PCI
 * configuration, the console UART, ...): IOPORTCTL_GET refuses them with
 * ERR_BUSY (kernel/obj/ioport.c). On an arch without port I/O
 * (ARCH_IO_PORTS 0) nothing registers any.
 */
#ifndef KERNEL_IOPORT_H
#define KERNEL_IOPORT_H
#include <kernel/types.h>

/* Marks ports [base, base + count) as the kernel's, with a name for the
 * log. At most IOPORT_KERNEL_MAX ranges (beyond: a warning, not refused). */
#define IOPORT_KERNEL_MAX 16
void ioport_reserve(unsigned base, unsigned count, const char *name);
/* Gives the range starting at base back (DEBUG_RELEASE_DEVICE). */
void ioport_release(unsigned base);
/* Some port of [base, base + count) is the kernel's. */
bool ioport_is_kernel(unsigned base, unsigned count);

#endif
