// SPDX-License-Identifier: MIT
/*
 * The kernel's address space: the image mapped W^X at its link address
 * (text RX, read-only data R, data and bss RW), all RAM in the direct map
 * (RW, never executable), and device registers mapped on demand into the
 * direct map's window at their physical address.
 */
#include <arch.h>
#include <kernel/mm.h>
#include <kernel/log.h>

extern char _text_start[], _text_end[], _rodata_start[], _rodata_end[], _data_start[], _end[];

paddr_t kernel_root;

static paddr_t image_pa(const void *va)
{
	return (vaddr_t)va - kernel_vbase + kernel_pbase;
}

static err_t map_image(const char *s, const char *e, unsigned prot)
{
	vaddr_t va = ALIGN_DOWN((vaddr_t)s, PAGE_SIZE);
	vaddr_t end = ALIGN_UP((vaddr_t)e, PAGE_SIZE);

	return pt_map(kernel_root, va, image_pa((void *)va), end - va, prot | PROT_GLOBAL);
}

err_t vm_init(const struct boot_info *bi)
{
	err_t e;

	kernel_root = pt_create();
	if (kernel_root == PADDR_INVALID)
		return ERR_NOMEM;
	e = map_image(_text_start, _text_end, PROT_R | PROT_X);
	if (!e)
		e = map_image(_rodata_start, _rodata_end, PROT_R);
	if (!e)
		e = map_image(_data_start, _end, PROT_R | PROT_W);
	for (unsigned i = 0; !e && i < bi->n_mem; i++) {
		paddr_t s = ALIGN_DOWN(bi->mem[i].base, PAGE_SIZE);
		paddr_t end = ALIGN_UP(bi->mem[i].base + bi->mem[i].size, PAGE_SIZE);
		e = pt_map(kernel_root, (vaddr_t)phys_to_virt(s), s, end - s, PROT_R | PROT_W | PROT_GLOBAL);
	}
	if (e)
		return e;
	arch_mmu_activate(kernel_root);
	return ERR_OK;
}

/* Device registers the kernel maps for its own drivers: never given to
 * user space as MmioRegions. */
#define MAX_KERNEL_DEVICES 16
static struct { paddr_t base, end; } kernel_devices[MAX_KERNEL_DEVICES];
static unsigned n_kernel_devices;

bool vm_is_kernel_device(paddr_t pa, uint64_t size)
{
	for (unsigned i = 0; i < n_kernel_devices; i++)
		if (pa < kernel_devices[i].end && kernel_devices[i].base < pa + size)
			return true;
	return false;
}

void vm_release_device(paddr_t pa)
{
	for (unsigned i = 0; i < n_kernel_devices; i++)
		if (pa >= kernel_devices[i].base && pa < kernel_devices[i].end)
			kernel_devices[i] = kernel_devices[--n_kernel_devices];
}

void *vm_map_device(paddr_t pa, size_t size)
{
	if (n_kernel_devices < MAX_KERNEL_DEVICES) {
		kernel_devices[n_kernel_devices].base = ALIGN_DOWN(pa, PAGE_SIZE);
		kernel_devices[n_kernel_devices++].end = ALIGN_UP(pa + size, PAGE_SIZE);
	}
	paddr_t s = ALIGN_DOWN(pa, PAGE_SIZE);
	paddr_t end = ALIGN_UP(pa + size, PAGE_SIZE);

	for (paddr_t p = s; p < end; p += PAGE_SIZE) {
		paddr_t have;
		if (pt_lookup(kernel_root, (vaddr_t)phys_to_virt(p), &have, NULL)) {
			if (have != p)
				return NULL;
			continue;
		}
		/* map the rest of the run that is not yet mapped */
		paddr_t q = p + PAGE_SIZE;
		while (q < end && !pt_lookup(kernel_root, (vaddr_t)phys_to_virt(q), NULL, NULL))
			q += PAGE_SIZE;
		if (pt_map(kernel_root, (vaddr_t)phys_to_virt(p), p, q - p,
			   PROT_R | PROT_W | PROT_GLOBAL | PROT_DEVICE))
			return NULL;
		p = q - PAGE_SIZE;
	}
	return phys_to_virt(pa);
}
