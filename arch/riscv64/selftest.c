// SPDX-License-Identifier: MIT
/* riscv64-specific self-tests: the paging mode chosen at boot, user copies. */
#include <arch.h>
#include <kernel/selftest.h>
#include <kernel/devtree.h>
#include <kernel/mm.h>
#include <kernel/thread.h>   /* kernel/astag.h, with what it needs */
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

/* The ASID probe: a power of two (or none), and satp keeps the widest
 * ASID it found; the core took that many tags (at most 4096, or fewer by
 * the boot argument astags=). */
SELFTEST(riscv, asid_probe)
{
	unsigned n = arch_as_tags();
	uint64_t satp = csr_read(satp), back;

	ST_CHECK((n & (n - 1)) == 0 && n <= 65536);
	if (n) {
		unsigned long flags = arch_irq_save();
		csr_write(satp, (satp & ~(SATP_ASID_MASK << SATP_ASID_SHIFT)) |
			  ((uint64_t)(n - 1) << SATP_ASID_SHIFT));
		back = csr_read(satp);
		csr_write(satp, satp);
		__asm__ volatile("sfence.vma" ::: "memory");
		arch_irq_restore(flags);
		ST_CHECK(((back >> SATP_ASID_SHIFT) & SATP_ASID_MASK) == n - 1);
	}
	ST_CHECK(cmdline_get(boot_info.cmdline, "astags", NULL, 0) || astag_count() == (n < 2 ? 1 : n > 4096 ? 4096 : n));
	return true;
}

#define ST_UVA 0x10000000ul

/* Outside the copy helpers the kernel cannot touch user memory: SUM is
 * off again after a copy, and a plain kernel load from a user page faults
 * (the copies themselves: the portable user.copy_helpers test). */
SELFTEST(riscv, user_memory_closed)
{
	uint8_t b = 1;
	uint64_t v;
	paddr_t root = pt_create_user(), pg = pmm_alloc_zeroed(0);

	ST_CHECK(root != PADDR_INVALID && pg != PADDR_INVALID);
	ST_CHECK(pt_map(root, ST_UVA, pg, PAGE_SIZE, PROT_R | PROT_W | PROT_USER) == ERR_OK);
	unsigned long flags = arch_irq_save();
	astag_load_root(root);
	err_t to = arch_copy_to_user((void *)ST_UVA, &b, 1);
	unsigned long sstatus = csr_read(sstatus);
	err_t probe = arch_probe_read64((const void *)ST_UVA, &v);
	astag_load_root(kernel_root);
	arch_irq_restore(flags);
	ST_CHECK(to == ERR_OK && !(sstatus & SSTATUS_SUM) && probe == ERR_FAULT);
	pt_destroy_user(root);
	pmm_free(pg, 0);
	return true;
}
