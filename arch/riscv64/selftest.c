// SPDX-License-Identifier: MIT
/* riscv64-specific self-tests: the paging mode chosen at boot, user copies. */
#include <arch.h>
#include <kernel/selftest.h>
#include <kernel/devtree.h>
#include <kernel/mm.h>
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

#define ST_UVA 0x10000000ul

/*
 * The user-copy helpers: copies both ways through a user mapping, a copy
 * of zero bytes, faults on a read-only page, on an unmapped page and in
 * the middle of a copy (the bytes before the fault arrive), and SUM off
 * again afterwards so the kernel cannot touch user memory by accident.
 */
SELFTEST(riscv, user_copy)
{
	uint8_t src[200], dst[200], part[2] = { 0, 0 };
	uint64_t v;
	paddr_t root, rw, ro;

	arch_user_init();
	root = pt_create_user();
	rw = pmm_alloc_zeroed(0);
	ro = pmm_alloc_zeroed(0);
	ST_CHECK(root != PADDR_INVALID && rw != PADDR_INVALID && ro != PADDR_INVALID);
	ST_CHECK(pt_map(root, ST_UVA, rw, PAGE_SIZE, PROT_R | PROT_W | PROT_USER) == ERR_OK);
	ST_CHECK(pt_map(root, ST_UVA + PAGE_SIZE, ro, PAGE_SIZE, PROT_R | PROT_USER) == ERR_OK);
	for (unsigned i = 0; i < sizeof(src); i++)
		src[i] = (uint8_t)(i * 7 + 1);
	((uint8_t *)phys_to_virt(ro))[PAGE_SIZE - 1] = 0x5a;

	unsigned long flags = arch_irq_save();
	arch_as_activate(root);
	err_t to = arch_copy_to_user((void *)(ST_UVA + 3), src, sizeof(src));
	err_t from = arch_copy_from_user(dst, (const void *)(ST_UVA + 3), sizeof(src));
	err_t none = arch_copy_from_user(dst, (const void *)(ST_UVA + 2 * PAGE_SIZE), 0);
	err_t ro_read = arch_copy_from_user(&v, (const void *)(ST_UVA + 2 * PAGE_SIZE - 8), 8);
	err_t ro_write = arch_copy_to_user((void *)(ST_UVA + PAGE_SIZE), src, 8);
	err_t partial = arch_copy_from_user(part, (const void *)(ST_UVA + 2 * PAGE_SIZE - 1), 2);
	err_t unmapped = arch_copy_to_user((void *)(ST_UVA + 5 * PAGE_SIZE), src, 1);
	unsigned long sstatus = csr_read(sstatus);
	err_t probe = arch_probe_read64((const void *)ST_UVA, &v);   /* SUM off: faults */
	arch_as_activate(kernel_root);
	arch_irq_restore(flags);

	ST_CHECK(to == ERR_OK && from == ERR_OK && none == ERR_OK);
	for (unsigned i = 0; i < sizeof(src); i++)
		ST_CHECK(dst[i] == src[i] && ((uint8_t *)phys_to_virt(rw))[3 + i] == src[i]);
	ST_CHECK(ro_read == ERR_OK);
	ST_CHECK(ro_write == ERR_FAULT && ((uint8_t *)phys_to_virt(ro))[0] == 0);
	ST_CHECK(partial == ERR_FAULT && part[0] == 0x5a);
	ST_CHECK(unmapped == ERR_FAULT);
	ST_CHECK(!(sstatus & SSTATUS_SUM));
	ST_CHECK(probe == ERR_FAULT);
	pt_destroy_user(root);
	pmm_free(rw, 0);
	pmm_free(ro, 0);
	return true;
}
