// SPDX-License-Identifier: MIT
/*
 * Just enough ACPI to find the CPUs and interrupt controllers: RSDP ->
 * XSDT (or RSDT) -> MADT; and a copy of every table for the device
 * manager (KINFO_FIRMWARE, arch_firmware_copy()). Every table's length and checksum are checked
 * before it is used; a bad table is skipped with a warning. Runs on the
 * boot page tables, whose direct map covers the low 4 GiB where firmware
 * keeps its tables (anything higher is refused).
 */
#include <arch.h>
#include <arch/x86.h>
#include <kernel/log.h>
#include <kernel/mm.h>
#include <string.h>

#define BOOT_MAP_LIMIT (4ull << 30)

struct acpi_rsdp {
	char sig[8];
	uint8_t checksum;
	char oem[6];
	uint8_t revision;
	uint32_t rsdt;
	uint32_t length;
	uint64_t xsdt;
	uint8_t xchecksum, reserved[3];
} __attribute__((packed));

struct acpi_header {
	char sig[4];
	uint32_t length;
	uint8_t revision, checksum;
	char oem[6], oem_table[8];
	uint32_t oem_rev, creator, creator_rev;
} __attribute__((packed));

struct x86_platform x86_platform;

static bool sum_ok(const void *p, size_t n)
{
	uint8_t s = 0;

	for (size_t i = 0; i < n; i++)
		s += ((const uint8_t *)p)[i];
	return s == 0;
}

/* The table at pa if it is whole, below the boot map limit and sums to 0. */
static const struct acpi_header *table_at(paddr_t pa)
{
	const struct acpi_header *h;

	if (!pa || pa + sizeof(*h) > BOOT_MAP_LIMIT)
		return NULL;
	h = phys_to_virt(pa);
	if (h->length < sizeof(*h) || h->length > (1u << 20) || pa + h->length > BOOT_MAP_LIMIT ||
	    !sum_ok(h, h->length))
		return NULL;
	return h;
}

static const struct acpi_header *find_table(const struct acpi_rsdp *rsdp, const char *sig)
{
	bool x = rsdp->revision >= 2 && rsdp->xsdt;
	const struct acpi_header *root = table_at(x ? rsdp->xsdt : rsdp->rsdt);
	size_t esize = x ? 8 : 4;

	if (!root) {
		pr_warn("acpi: the %s is missing or corrupt\n", x ? "XSDT" : "RSDT");
		return NULL;
	}
	const uint8_t *p = (const uint8_t *)(root + 1);
	size_t n = (root->length - sizeof(*root)) / esize;
	for (size_t i = 0; i < n; i++) {
		uint64_t pa = 0;
		memcpy(&pa, p + i * esize, esize);
		const struct acpi_header *h = table_at(pa);
		if (h && !memcmp(h->sig, sig, 4))
			return h;
	}
	return NULL;
}

static void add_cpu(struct boot_info *bi, unsigned apic_id, uint32_t flags)
{
	if (!(flags & 1))                   /* not enabled */
		return;
	if (apic_id == bi->cpu_hwid[0])
		return;                     /* the boot CPU, already first */
	if (bi->n_cpus == BOOT_MAX_CPUS) {
		pr_warn("acpi: more than %u CPUs; APIC id %u not used\n", BOOT_MAX_CPUS, apic_id);
		return;
	}
	bi->cpu_hwid[bi->n_cpus++] = apic_id;
}

static void parse_madt(const struct acpi_header *madt, struct boot_info *bi)
{
	const uint8_t *p = (const uint8_t *)madt + 44, *end = (const uint8_t *)madt + madt->length;
	uint32_t lapic;

	if (madt->length < 44)
		return;
	memcpy(&lapic, (const uint8_t *)madt + 36, 4);
	x86_platform.lapic_pa = lapic;
	while (p + 2 <= end && p[1] >= 2 && p + p[1] <= end) {
		const uint8_t *e = p;
		p += e[1];
		switch (e[0]) {
		case 0:     /* processor local APIC */
			if (e[1] >= 8) {
				uint32_t f;
				memcpy(&f, e + 4, 4);
				add_cpu(bi, e[3], f);
			}
			break;
		case 1:     /* I/O APIC */
			if (e[1] >= 12 && x86_platform.n_ioapics < X86_MAX_IOAPICS) {
				uint32_t pa, gsi;
				memcpy(&pa, e + 4, 4);
				memcpy(&gsi, e + 8, 4);
				unsigned i = x86_platform.n_ioapics++;
				x86_platform.ioapic[i].id = e[2];
				x86_platform.ioapic[i].pa = pa;
				x86_platform.ioapic[i].gsi_base = gsi;
			}
			break;
		case 2:     /* interrupt source override (ISA bus) */
			if (e[1] >= 10 && e[2] == 0 && e[3] < X86_ISA_IRQS) {
				uint32_t gsi;
				uint16_t fl;
				memcpy(&gsi, e + 4, 4);
				memcpy(&fl, e + 8, 2);
				x86_platform.isa_gsi[e[3]] = gsi;
				/* polarity 3 = active low, trigger 3 = level; 0 = bus default */
				x86_platform.isa_low[e[3]] = (fl & 3) == 3;
				x86_platform.isa_level[e[3]] = ((fl >> 2) & 3) == 3;
			}
			break;
		case 5:     /* local APIC address override */
			if (e[1] >= 12) {
				uint64_t pa;
				memcpy(&pa, e + 4, 8);
				x86_platform.lapic_pa = pa;
			}
			break;
		case 9:     /* processor local x2APIC */
			if (e[1] >= 16) {
				uint32_t id, f;
				memcpy(&id, e + 4, 4);
				memcpy(&f, e + 8, 4);
				add_cpu(bi, id, f);
			}
			break;
		}
	}
}

/*
 * Reads the MADT: CPUs into bi (the boot CPU, bi->cpu_hwid[0], already
 * set), the local APIC and IOAPIC addresses and the ISA overrides into
 * x86_platform. Without ACPI the machine is taken as one CPU with the
 * standard PC addresses. Never fails the boot.
 */
err_t x86_acpi_init(paddr_t rsdp_pa, struct boot_info *bi)
{
	const struct acpi_rsdp *rsdp;
	const struct acpi_header *madt = NULL;

	x86_platform.lapic_pa = 0xfee00000;
	for (unsigned i = 0; i < X86_ISA_IRQS; i++)
		x86_platform.isa_gsi[i] = i;
	if (!rsdp_pa) {
		pr_warn("acpi: no RSDP from the boot loader; one CPU, default APIC addresses\n");
		goto defaults;
	}
	rsdp = phys_to_virt(rsdp_pa);
	if (memcmp(rsdp->sig, "RSD PTR ", 8) || !sum_ok(rsdp, 20) ||
	    (rsdp->revision >= 2 && (rsdp->length < sizeof(*rsdp) || rsdp->length > 4096 ||
				     !sum_ok(rsdp, rsdp->length)))) {
		pr_warn("acpi: the RSDP is corrupt; one CPU, default APIC addresses\n");
		goto defaults;
	}
	x86_platform.acpi_revision = rsdp->revision;
	memcpy(x86_platform.oem, rsdp->oem, 6);
	for (int i = 5; i >= 0 && (x86_platform.oem[i] == ' ' || !x86_platform.oem[i]); i--)
		x86_platform.oem[i] = 0;
	x86_platform.rsdp_pa = rsdp_pa;
	madt = find_table(rsdp, "APIC");
	if (!madt) {
		pr_warn("acpi: no MADT; one CPU, default APIC addresses\n");
		goto defaults;
	}
	x86_platform.have_madt = true;
	parse_madt(madt, bi);
defaults:
	if (x86_platform.n_ioapics == 0) {
		x86_platform.n_ioapics = 1;
		x86_platform.ioapic[0].pa = 0xfec00000;
	}
	return ERR_OK;
}

/* Appends table h to dst (when it fits) at *off; *off grows either way. */
static void put_table(const struct acpi_header *h, uint8_t *dst, size_t max, size_t *off)
{
	if (dst && *off + h->length <= max)
		memcpy(dst + *off, h, h->length);
	*off += h->length;
}

/*
 * KINFO_FIRMWARE: every table the XSDT (or RSDT) lists that is whole and
 * sums to 0, in its order, then the DSDT the FADT names (X_DSDT, else
 * DSDT), each whole with its header (include/cairn/abi.h). A bad table is
 * left out, as x86_acpi_init() skips it.
 */
size_t arch_firmware_copy(void *dst, size_t max)
{
	const struct acpi_rsdp *rsdp;
	const struct acpi_header *root, *dsdt = NULL;
	size_t off = 0, esize, n;
	bool x;

	if (!x86_platform.rsdp_pa)
		return 0;
	rsdp = phys_to_virt(x86_platform.rsdp_pa);
	x = rsdp->revision >= 2 && rsdp->xsdt;
	root = table_at(x ? rsdp->xsdt : rsdp->rsdt);
	if (!root)
		return 0;
	esize = x ? 8 : 4;
	n = (root->length - sizeof(*root)) / esize;
	for (size_t i = 0; i < n; i++) {
		uint64_t pa = 0;
		memcpy(&pa, (const uint8_t *)(root + 1) + i * esize, esize);
		const struct acpi_header *h = table_at(pa);
		if (!h)
			continue;
		put_table(h, dst, max, &off);
		if (!memcmp(h->sig, "FACP", 4) && !dsdt) {
			uint64_t d = 0;
			if (h->length >= 148)
				memcpy(&d, (const uint8_t *)h + 140, 8);     /* X_DSDT */
			if (!d && h->length >= 44)
				memcpy(&d, (const uint8_t *)h + 40, 4);      /* DSDT */
			dsdt = table_at(d);
		}
	}
	if (dsdt)
		put_table(dsdt, dst, max, &off);
	return off;
}
