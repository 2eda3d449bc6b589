/* SPDX-License-Identifier: MIT */
/*
 * One processor's block of /proc/cpuinfo, as Linux 6.1's x86 writes it
 * (arch/x86/kernel/cpu/proc.c), for the VFS (user/servers/vfs/procfs.c;
 * the riscv64 twin is user/lib/arch/riscv64/include/cairn/cpuinfo.h).
 * What CPUID tells user mode: vendor, family, model, stepping, the brand
 * string, the highest leaf and the address sizes. What only the
 * kernel knows (microcode, MHz, caches, APIC ids, bogomips) and the flags
 * are left out. Needs <format.h>.
 */
#ifndef CAIRN_CPUINFO_H
#define CAIRN_CPUINFO_H
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <format.h>

static inline void cairn_cpuid(uint32_t leaf, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(0));
}

/* Writes processor cpu's block (ending with an empty line) into buf (max
 * bytes, NUL-terminated); the length it needed, as snprintf. */
static inline int cairn_cpuinfo(char *buf, size_t max, unsigned cpu)
{
	uint32_t r[4], max_leaf, max_ext, sig, fam, model, phys = 36, virt = 48;
	char vendor[13], brand[49];
	const char *b = brand;

	cairn_cpuid(0, r);
	max_leaf = r[0];
	memcpy(vendor, &r[1], 4);
	memcpy(vendor + 4, &r[3], 4);
	memcpy(vendor + 8, &r[2], 4);
	vendor[12] = 0;
	cairn_cpuid(1, r);
	sig = r[0];
	fam = (sig >> 8) & 0xf;
	model = (sig >> 4) & 0xf;
	if (fam == 0xf)
		fam += (sig >> 20) & 0xff;
	if (fam >= 6)
		model += ((sig >> 16) & 0xf) << 4;
	cairn_cpuid(0x80000000u, r);
	max_ext = r[0];
	brand[0] = 0;
	if (max_ext >= 0x80000004u) {
		for (uint32_t i = 0; i < 3; i++) {
			cairn_cpuid(0x80000002u + i, r);
			memcpy(brand + 16 * i, r, 16);
		}
		brand[48] = 0;
		while (*b == ' ')
			b++;
		for (size_t n = strlen(brand); n && brand[n - 1] == ' '; n--)
			brand[n - 1] = 0;
	}
	if (max_ext >= 0x80000008u) {
		cairn_cpuid(0x80000008u, r);
		phys = r[0] & 0xff;
		virt = (r[0] >> 8) & 0xff;
	}
	return fmt_snprintf(buf, max,
			    "processor\t: %u\n"
			    "vendor_id\t: %s\n"
			    "cpu family\t: %u\n"
			    "model\t\t: %u\n"
			    "model name\t: %s\n"
			    "stepping\t: %u\n"
			    "fpu\t\t: yes\n"
			    "fpu_exception\t: yes\n"
			    "cpuid level\t: %u\n"
			    "wp\t\t: yes\n"
			    "address sizes\t: %u bits physical, %u bits virtual\n"
			    "power management:\n"
			    "\n",
			    cpu, vendor, fam, model, *b ? b : "unknown", sig & 0xf, max_leaf, phys, virt);
}

#endif
