// SPDX-License-Identifier: MIT
/* Self-tests of what boot found: memory, reservations, CPUs, paging. */
#include <arch.h>
#include <kernel/selftest.h>
#include <kernel/mm.h>
#include <kernel/devtree.h>
#include <string.h>

SELFTEST(boot, memory_found)
{
	uint64_t total = boot_mem_total(&boot_info);

	ST_CHECK(boot_info.n_mem >= 1);
	ST_CHECK(total >= 16ul << 20);
	/* the allocator manages all RAM except what is reserved */
	ST_CHECK(pmm_total_pages() * PAGE_SIZE <= total);
	ST_CHECK(pmm_total_pages() * PAGE_SIZE >= total / 2);
	return true;
}

/* No page of a reserved range (firmware, kernel, device tree, initrd) may
 * ever be handed out. */
SELFTEST(boot, reserved_never_free)
{
	bool kernel = false;

	for (unsigned i = 0; i < boot_info.n_reserved; i++) {
		const struct mem_range *r = &boot_info.reserved[i];
		for (paddr_t p = ALIGN_DOWN(r->base, PAGE_SIZE); p < r->base + r->size; p += PAGE_SIZE)
			ST_CHECK(!pmm_is_free(p));
		if (!strcmp(r->what, "kernel"))
			kernel = true;
	}
	ST_CHECK(kernel);
	return true;
}

SELFTEST(boot, cmdline_parsing)
{
	char v[16];

	ST_CHECK(cmdline_get("a=1 selftest b", "selftest", v, sizeof(v)) && v[0] == 0);
	ST_CHECK(cmdline_get("a=1 selftest=mm b", "selftest", v, sizeof(v)) && !strcmp(v, "mm"));
	ST_CHECK(!cmdline_get("selftests=x", "selftest", v, sizeof(v)));
	ST_CHECK(cmdline_get("  x=0123456789abcdefXYZ", "x", v, sizeof(v)) && strlen(v) == 15);
	ST_CHECK(!cmdline_get("", "x", v, sizeof(v)));
	return true;
}

SELFTEST(boot, all_cpus_online)
{
	unsigned want = MIN(boot_info.n_cpus, (unsigned)CONFIG_NR_CPUS);

	ST_CHECK(arch_cpus_online() == want);
	return true;
}

/* Four levels unless the command line forces three (no4lvl). */
SELFTEST(boot, paging_mode)
{
	bool forced3 = cmdline_get(boot_info.cmdline, "no4lvl", NULL, 0);

	ST_CHECK(arch_pt_levels() == 3 || arch_pt_levels() == 4);
	if (forced3)
		ST_CHECK(arch_pt_levels() == 3);
	/* the direct map works at this depth: read back through it */
	uint64_t v = 0, x = 0x5a5a;
	ST_CHECK(arch_probe_read64(phys_to_virt(virt_to_phys(&x)), &v) == ERR_OK && v == x);
	return true;
}

SELFTEST(boot, devtree_rejects_garbage)
{
	static uint32_t junk[64];
	struct boot_info *bi = kzalloc(sizeof(*bi));

	ST_CHECK(bi);
	memset(junk, 0x5a, sizeof(junk));
	ST_CHECK(dt_parse_boot_info(junk, sizeof(junk), 0, bi) == ERR_INVAL);
	if (boot_info.fdt)   /* the real tree, but claimed shorter: truncation */
		ST_CHECK(dt_parse_boot_info(boot_info.fdt, boot_info.fdt_size / 2, 0, bi) == ERR_INVAL);
	kfree(bi);
	return true;
}
