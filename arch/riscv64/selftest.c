// SPDX-License-Identifier: MIT
/* riscv64-specific self-tests: the paging mode chosen at boot. */
#include <arch.h>
#include <kernel/selftest.h>
#include <kernel/devtree.h>
#include <libfdt.h>
#include <string.h>

uint64_t riscv_satp_mode(void);

/* What the boot hart's device-tree node allows: 3 for riscv,sv39, else 4. */
static unsigned dt_levels(void)
{
	int cpus = fdt_path_offset(boot_info.fdt, "/cpus"), node, len;

	fdt_for_each_subnode(node, boot_info.fdt, cpus) {
		paddr_t hw;
		uint64_t sz;
		if (dt_reg(boot_info.fdt, node, 0, &hw, &sz) || hw != boot_info.cpu_hwid[0])
			continue;
		const char *m = fdt_getprop(boot_info.fdt, node, "mmu-type", &len);
		return m && !strcmp(m, "riscv,sv39") ? 3 : 4;
	}
	return 4;
}

SELFTEST(riscv, satp_mode_matches)
{
	unsigned want = cmdline_get(boot_info.cmdline, "no4lvl", NULL, 0) ? 3 : dt_levels();

	ST_CHECK(arch_pt_levels() == want);
	ST_CHECK(riscv_satp_mode() == (want == 4 ? 9u : 8u));
	ST_CHECK(!strcmp(arch_mmu_mode_name(), want == 4 ? "Sv48" : "Sv39"));
	ST_CHECK(physmap_base == (want == 4 ? PHYSMAP_BASE_SV48 : PHYSMAP_BASE_SV39));
	return true;
}
