// SPDX-License-Identifier: MIT
/*
 * The Multiboot2 boot information from GRUB: memory map, command line,
 * modules (the first one is the boot image, like riscv64's initrd) and the
 * ACPI RSDP. Everything is checked against the total size GRUB declares; a
 * malformed structure is ERR_INVAL, never a fault. Read through the boot
 * direct map (0..4 GiB), where GRUB always puts it.
 */
#include <arch.h>
#include <arch/x86.h>
#include <kernel/log.h>
#include <kernel/mm.h>
#include <string.h>

#define MB2_BOOT_MAGIC   0x36d76289
#define MB2_TAG_END      0
#define MB2_TAG_CMDLINE  1
#define MB2_TAG_LOADER   2
#define MB2_TAG_MODULE   3
#define MB2_TAG_MMAP     6
#define MB2_TAG_ACPI_OLD 14
#define MB2_TAG_ACPI_NEW 15
#define MB2_MAX_SIZE     (1u << 20)
#define MB2_MEM_AVAILABLE 1

struct mb2_tag {
	uint32_t type, size;
};

struct mb2_mmap_entry {
	uint64_t base, len;
	uint32_t type, reserved;
};

static paddr_t mb2_pa;
static uint32_t mb2_size;

/* A NUL-terminated string inside a tag, or NULL. */
static const char *tag_string(const struct mb2_tag *t, size_t off)
{
	const char *s = (const char *)t + off;

	if (t->size <= off || !memchr(s, 0, t->size - off))
		return NULL;
	return s;
}

static err_t add_mmap(struct boot_info *bi, const struct mb2_tag *t)
{
	const uint32_t *h = (const uint32_t *)(t + 1);
	uint32_t esize, n;

	if (t->size < 16)
		return ERR_INVAL;
	esize = h[0];
	if (esize < sizeof(struct mb2_mmap_entry) || (esize & 7))
		return ERR_INVAL;
	n = (t->size - 16) / esize;
	for (uint32_t i = 0; i < n; i++) {
		const struct mb2_mmap_entry *e = (const void *)((const char *)t + 16 + i * esize);
		if (e->type != MB2_MEM_AVAILABLE || e->len == 0)
			continue;
		if (e->base + e->len < e->base)
			return ERR_INVAL;
		if (bi->n_mem == BOOT_MAX_MEM) {
			pr_warn("multiboot: more than %u RAM ranges; %#lx.. not used\n", BOOT_MAX_MEM,
				(unsigned long)e->base);
			continue;
		}
		bi->mem[bi->n_mem++] = (struct mem_range){ e->base, e->len, "RAM" };
	}
	return ERR_OK;
}

static err_t add_module(struct boot_info *bi, const struct mb2_tag *t)
{
	const uint32_t *m = (const uint32_t *)(t + 1);
	const char *name = tag_string(t, 16);

	if (t->size < 17 || !name || m[1] < m[0])
		return ERR_INVAL;
	if (bi->initrd_end == bi->initrd_start && m[1] > m[0]) {
		bi->initrd_start = m[0];
		bi->initrd_end = m[1];
	}
	return boot_reserve(bi, m[0], m[1] - m[0], "boot module");
}

/*
 * Fills bi from the Multiboot2 information: RAM, the command line, the
 * first module as the boot image (every module reserved), and reserves the
 * information itself. *rsdp_pa is the physical address of GRUB's copy of
 * the ACPI RSDP (0 when none), *loader GRUB's name for itself.
 */
err_t x86_multiboot_parse(struct boot_info *bi, paddr_t *rsdp_pa, const char **loader)
{
	const struct mb2_tag *t;
	const char *end;
	err_t e;

	*rsdp_pa = 0;
	*loader = "?";
	if (x86_mb2_magic != MB2_BOOT_MAGIC)
		return ERR_INVAL;
	mb2_pa = x86_mb2_info_pa;
	if (!mb2_pa || (mb2_pa & 7))
		return ERR_INVAL;
	mb2_size = *(const uint32_t *)phys_to_virt(mb2_pa);
	if (mb2_size < 16 || mb2_size > MB2_MAX_SIZE)
		return ERR_INVAL;
	end = (const char *)phys_to_virt(mb2_pa) + mb2_size;
	t = (const struct mb2_tag *)((const char *)phys_to_virt(mb2_pa) + 8);
	for (;;) {
		if ((const char *)t + sizeof(*t) > end || t->size < 8 ||
		    t->size > (size_t)(end - (const char *)t))
			return ERR_INVAL;
		if (t->type == MB2_TAG_END)
			break;
		switch (t->type) {
		case MB2_TAG_CMDLINE: {
			const char *s = tag_string(t, 8);
			if (!s)
				return ERR_INVAL;
			strlcpy(bi->cmdline, s, sizeof(bi->cmdline));
			break;
		}
		case MB2_TAG_LOADER:
			if (tag_string(t, 8))
				*loader = tag_string(t, 8);
			break;
		case MB2_TAG_MODULE:
			if ((e = add_module(bi, t)))
				return e;
			break;
		case MB2_TAG_MMAP:
			if ((e = add_mmap(bi, t)))
				return e;
			break;
		case MB2_TAG_ACPI_OLD:
		case MB2_TAG_ACPI_NEW:
			if (t->size >= 8 + 20 && (!*rsdp_pa || t->type == MB2_TAG_ACPI_NEW))
				*rsdp_pa = virt_to_phys(t + 1);
			break;
		}
		t = (const struct mb2_tag *)((const char *)t + ALIGN_UP(t->size, 8u));
	}
	if (bi->n_mem == 0)
		return ERR_INVAL;
	return boot_reserve(bi, mb2_pa, mb2_size, "multiboot info");
}
