// SPDX-License-Identifier: MIT
/*
 * MmioControl and MmioRegion. MmioControl (a boot-time root, manage
 * right) hands out MmioRegions: MemoryObjects over device registers,
 * never over RAM and never over the registers of the kernel's own
 * drivers. An MmioRegion is mapped with AS_MAP like a MemoryObject (never
 * executable); its one method of its own says where it is.
 */
#include <kernel/method.h>
#include <kernel/memory.h>
#include <kernel/boot.h>

/* ---- MmioControl: MMIOCTL_GET (paddr, bytes) -> (slot) ----------------------------- */

struct mmioctl_get_args {
	struct cap *slot;
	struct memobj *mo;
};

/* [pa, pa + bytes) overlaps RAM. */
static bool is_ram(paddr_t pa, uint64_t bytes)
{
	const struct boot_info *bi = &boot_info;

	for (unsigned i = 0; i < bi->n_mem; i++)
		if (pa < bi->mem[i].base + bi->mem[i].size && bi->mem[i].base < pa + bytes)
			return true;
	return false;
}

/* ERR_INVAL: empty, unaligned or too big; ERR_PERM: RAM; ERR_BUSY: the
 * kernel's own device. The region is made here; invoke only installs it. */
static err_t mmioctl_decode_get(struct invocation *iv)
{
	struct mmioctl_get_args *a = METHOD_ARGS(struct mmioctl_get_args, iv);
	struct process *self = current->proc;
	paddr_t pa = iv->in->w[0];
	uint64_t bytes = iv->in->w[1];
	err_t e;

	if (!bytes || !IS_ALIGNED(pa, PAGE_SIZE) || !IS_ALIGNED(bytes, PAGE_SIZE) || pa + bytes < pa ||
	    bytes / PAGE_SIZE > MEMOBJ_MAX_PAGES)
		return ERR_INVAL;
	if (is_ram(pa, bytes))
		return ERR_PERM;
	if (vm_is_kernel_device(pa, bytes))
		return ERR_BUSY;
	if ((e = cap_reserve(self, CAP_NULL, &a->slot)))
		return e;
	a->mo = memobj_device(pa, bytes / PAGE_SIZE, self->quota, &e);
	return a->mo ? ERR_OK : e;
}

static void mmioctl_invoke_get(struct invocation *iv)
{
	struct mmioctl_get_args *a = METHOD_ARGS(struct mmioctl_get_args, iv);

	cap_install(a->slot, &a->mo->obj, RIGHT_READ | RIGHT_WRITE | RIGHT_GRANT | RIGHT_MANAGE, 0);
	kobj_put(&a->mo->obj);
	iv->out->w[0] = cap_slot_of(a->slot);
}

/* ---- MmioRegion: MEMOBJ_INFO -> (pages, physical base) ----------------------------- */

static void mmio_invoke_info(struct invocation *iv)
{
	struct memobj *mo = (struct memobj *)iv->obj;

	iv->out->w[0] = mo->npages;
	iv->out->w[1] = mo->base;
}

#define METHODS_FIRST MMIOCTL_GET
static const struct method mmioctl_list[] = {
	METHOD(MMIOCTL_GET, RIGHT_MANAGE, 0, mmioctl_decode_get, mmioctl_invoke_get),
};

METHOD_TABLE(mmioctl_methods, mmioctl_list, NULL);
#undef METHODS_FIRST

#define METHODS_FIRST MEMOBJ_INFO
static const struct method mmio_list[] = {
	METHOD(MEMOBJ_INFO, 0, 0, NULL, mmio_invoke_info),
};

METHOD_TABLE(mmio_methods, mmio_list, NULL);
