/* SPDX-License-Identifier: MIT */
/*
 * MemoryObjects and mappings: thin wrappers of PROC_CREATE, MEMOBJ_INFO,
 * AS_MAP and AS_UNMAP, and a first-fit allocator of address ranges in
 * [CAIRN_VM_BASE, CAIRN_VM_END) of this process's own space for
 * cairn_map(). The free ranges sit in a small sorted table; freeing merges
 * neighbours, so mapping and unmapping over and over (init restarting
 * services) does not use up the window. Threads share the table under
 * vm_lock: without it two threads mapping at once could be given the same
 * range (the second's map then fails with ERR_EXIST, and its free of the
 * range gives away the first's).
 */
#include <cairn/rt.h>

#define MAX_FREE  64

static struct range {
	uint64_t base, pages;
} free_tab[MAX_FREE] = { { CAIRN_VM_BASE, (CAIRN_VM_END - CAIRN_VM_BASE) / CAIRN_PAGE_SIZE } };
static unsigned nfree = 1;
static volatile int vm_lock;

static void vm_lock_take(void)
{
	cairn_spin_take(&vm_lock);
}

static void vm_lock_give(void)
{
	__atomic_store_n(&vm_lock, 0, __ATOMIC_RELEASE);
}

void cairn_vm_forked(void)
{
	vm_lock_give();
}

err_t cairn_memobj_create(cap_t proc, uint64_t pages, unsigned flags, cap_t *out)
{
	struct cairn_msg m;
	err_t e = cairn_invoke(proc, PROC_CREATE, 0, OBJ_MEMOBJ, pages, flags, 0, &m);

	if (!e)
		*out = m.w[0];
	return e;
}

err_t cairn_memobj_pages(cap_t obj, uint64_t *pages)
{
	struct cairn_msg m;
	err_t e = cairn_invoke(obj, MEMOBJ_INFO, 0, 0, 0, 0, 0, &m);

	if (!e)
		*pages = m.w[0];
	return e;
}

err_t cairn_as_map(cap_t as, cap_t obj, uint64_t va, uint64_t first, uint64_t pages, unsigned prot)
{
	if (pages >> 48)
		return ERR_INVAL;
	return cairn_invoke_cap(as, AS_MAP, obj, va, first, pages | (uint64_t)prot << 48, 0, NULL);
}

err_t cairn_as_unmap(cap_t as, uint64_t va, uint64_t bytes)
{
	return cairn_invoke(as, AS_UNMAP, 0, va, bytes, 0, 0, NULL);
}

static uint64_t range_alloc_locked(uint64_t pages)
{
	for (unsigned i = 0; i < nfree; i++) {
		if (free_tab[i].pages < pages)
			continue;
		uint64_t base = free_tab[i].base;
		free_tab[i].base += pages * CAIRN_PAGE_SIZE;
		free_tab[i].pages -= pages;
		if (!free_tab[i].pages) {
			for (unsigned j = i; j + 1 < nfree; j++)
				free_tab[j] = free_tab[j + 1];
			nfree--;
		}
		return base;
	}
	return 0;
}

/* Returns [base, base + pages) to the table; false if the table is full
 * (the range is then lost, which only wastes address space). */
static int range_free_locked(uint64_t base, uint64_t pages)
{
	unsigned i = 0;

	while (i < nfree && free_tab[i].base < base)
		i++;
	/* merge with the range before and/or after */
	if (i > 0 && free_tab[i - 1].base + free_tab[i - 1].pages * CAIRN_PAGE_SIZE == base) {
		free_tab[i - 1].pages += pages;
		if (i < nfree && base + pages * CAIRN_PAGE_SIZE == free_tab[i].base) {
			free_tab[i - 1].pages += free_tab[i].pages;
			for (unsigned j = i; j + 1 < nfree; j++)
				free_tab[j] = free_tab[j + 1];
			nfree--;
		}
		return 1;
	}
	if (i < nfree && base + pages * CAIRN_PAGE_SIZE == free_tab[i].base) {
		free_tab[i].base = base;
		free_tab[i].pages += pages;
		return 1;
	}
	if (nfree == MAX_FREE)
		return 0;
	for (unsigned j = nfree; j > i; j--)
		free_tab[j] = free_tab[j - 1];
	free_tab[i].base = base;
	free_tab[i].pages = pages;
	nfree++;
	return 1;
}

static uint64_t range_alloc(uint64_t pages)
{
	vm_lock_take();
	uint64_t base = range_alloc_locked(pages);
	vm_lock_give();
	return base;
}

static void range_free(uint64_t base, uint64_t pages)
{
	vm_lock_take();
	range_free_locked(base, pages);
	vm_lock_give();
}

err_t cairn_map(cap_t obj, uint64_t first, uint64_t pages, unsigned prot, void **va)
{
	uint64_t base;
	err_t e;

	if (!pages)
		return ERR_INVAL;
	base = range_alloc(pages);
	if (!base)
		return ERR_NOMEM;
	e = cairn_as_map(SLOT_SELF_AS, obj, base, first, pages, prot);
	if (e) {
		range_free(base, pages);
		return e;
	}
	*va = (void *)(uintptr_t)base;
	return ERR_OK;
}

err_t cairn_unmap(void *va, uint64_t pages)
{
	uint64_t base = (uintptr_t)va;
	err_t e;

	if (base < CAIRN_VM_BASE || base + pages * CAIRN_PAGE_SIZE > CAIRN_VM_END ||
	    base % CAIRN_PAGE_SIZE)
		return ERR_INVAL;
	e = cairn_as_unmap(SLOT_SELF_AS, base, pages * CAIRN_PAGE_SIZE);
	if (!e)
		range_free(base, pages);
	return e;
}
