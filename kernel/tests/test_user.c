// SPDX-License-Identifier: MIT
/*
 * Self-tests of the arch's user-memory contract, the same on every arch:
 * copies both ways through a user mapping of a user page table, a copy of
 * zero bytes, and faults on a read-only page, on an unmapped page and in
 * the middle of a copy (the bytes before the fault arrive). Whether the
 * kernel can touch user memory outside the copies is arch state, checked
 * by each arch's own tests.
 */
#include <arch.h>
#include <kernel/selftest.h>
#include <kernel/mm.h>
#include <kernel/thread.h>   /* kernel/astag.h, with what it needs */

#define ST_UVA 0x10000000ul

SELFTEST(user, copy_helpers)
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
	astag_load_root(root);
	err_t to = arch_copy_to_user((void *)(ST_UVA + 3), src, sizeof(src));
	err_t from = arch_copy_from_user(dst, (const void *)(ST_UVA + 3), sizeof(src));
	err_t none = arch_copy_from_user(dst, (const void *)(ST_UVA + 2 * PAGE_SIZE), 0);
	err_t ro_read = arch_copy_from_user(&v, (const void *)(ST_UVA + 2 * PAGE_SIZE - 8), 8);
	err_t ro_write = arch_copy_to_user((void *)(ST_UVA + PAGE_SIZE), src, 8);
	err_t partial = arch_copy_from_user(part, (const void *)(ST_UVA + 2 * PAGE_SIZE - 1), 2);
	err_t unmapped = arch_copy_to_user((void *)(ST_UVA + 5 * PAGE_SIZE), src, 1);
	astag_load_root(kernel_root);
	arch_irq_restore(flags);

	ST_CHECK(to == ERR_OK && from == ERR_OK && none == ERR_OK);
	for (unsigned i = 0; i < sizeof(src); i++)
		ST_CHECK(dst[i] == src[i] && ((uint8_t *)phys_to_virt(rw))[3 + i] == src[i]);
	ST_CHECK(ro_read == ERR_OK);
	ST_CHECK(ro_write == ERR_FAULT && ((uint8_t *)phys_to_virt(ro))[0] == 0);
	ST_CHECK(partial == ERR_FAULT && part[0] == 0x5a);   /* the first byte came */
	ST_CHECK(unmapped == ERR_FAULT);
	pt_destroy_user(root);
	pmm_free(rw, 0);
	pmm_free(ro, 0);
	return true;
}
