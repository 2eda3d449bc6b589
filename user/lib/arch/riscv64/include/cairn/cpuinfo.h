/* SPDX-License-Identifier: MIT */
/*
 * One processor's block of /proc/cpuinfo, as Linux 6.1's riscv64 writes
 * it (arch/riscv/kernel/cpu.c), for the VFS (user/servers/vfs/procfs.c;
 * the x86_64 twin is user/lib/arch/x86_64/include/cairn/cpuinfo.h).
 * User mode cannot read the hart id or the ISA string (the device tree
 * is the kernel's), so the block says what it can: the processor number
 * and the ISA Cairn's POSIX programs are built for (rv64gc: Linux spells
 * it rv64imafdc). Lines it cannot fill are left out. Needs <format.h>.
 */
#ifndef CAIRN_CPUINFO_H
#define CAIRN_CPUINFO_H
#include <stddef.h>
#include <format.h>

/* Writes processor cpu's block (ending with an empty line) into buf (max
 * bytes, NUL-terminated); the length it needed, as snprintf. */
static inline int cairn_cpuinfo(char *buf, size_t max, unsigned cpu)
{
	return fmt_snprintf(buf, max, "processor\t: %u\nisa\t\t: rv64imafdc\n\n", cpu);
}

#endif
