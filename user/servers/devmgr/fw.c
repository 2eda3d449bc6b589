// SPDX-License-Identifier: MIT
/*
 * The firmware's description of the machine (KINFO_FIRMWARE): a device
 * tree blob (riscv64) or ACPI tables (x86-64, the format of
 * include/cairn/abi.h); which one is told by the first bytes, not by the
 * arch. Nothing in them is trusted: libfdt checks every offset, each ACPI
 * table's length is checked against the bytes given, and a malformed node
 * or table is skipped with a log line.
 *
 *   device tree: `virtio,mmio` nodes (reg, interrupts) and
 *   `pci-host-ecam-generic` (reg = ECAM, bus-range, ranges = the I/O and
 *   memory windows BARs are assigned from, interrupt-map = INTx -> PLIC).
 *   ACPI: the MCFG (ECAM of each segment; segment 0 is walked). BARs are
 *   the firmware's (SeaBIOS assigns them); INTx follows QEMU q35's ICH9.
 */
#include <string.h>
#include <libfdt.h>
#include "fw.h"

#define FW_PAGE 4096u

static uint64_t cells(const fdt32_t *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = v << 32 | fdt32_to_cpu(p[i]);
	return v;
}

/* The first (address, size) of node's reg, with its parent's cell counts. */
static err_t dt_reg(const void *fdt, int node, uint64_t *base, uint64_t *size)
{
	int parent = fdt_parent_offset(fdt, node), ac, sc, len;
	const fdt32_t *reg;

	if (parent < 0)
		return ERR_INVAL;
	ac = fdt_address_cells(fdt, parent);
	sc = fdt_size_cells(fdt, parent);
	reg = fdt_getprop(fdt, node, "reg", &len);
	if (ac < 1 || ac > 2 || sc < 1 || sc > 2 || !reg || len < (ac + sc) * 4)
		return ERR_INVAL;
	*base = cells(reg, ac);
	*size = cells(reg + ac, sc);
	return ERR_OK;
}

static bool dt_enabled(const void *fdt, int node)
{
	const char *s = fdt_getprop(fdt, node, "status", NULL);

	return !s || !strcmp(s, "okay") || !strcmp(s, "ok");
}

/* The windows of a host bridge's `ranges`: (phys.hi mid lo, cpu address
 * (the parent's cells), size (2 cells)) per entry; phys.hi bits 24..25
 * say I/O (1), 32-bit (2) or 64-bit memory (3). */
static void dt_ranges(const void *fdt, int node, struct pci_host *h)
{
	int parent = fdt_parent_offset(fdt, node), pac, len, n;
	const fdt32_t *r = fdt_getprop(fdt, node, "ranges", &len);

	pac = parent >= 0 ? fdt_address_cells(fdt, parent) : -1;
	if (!r || pac < 1 || pac > 2) {
		LOG("pci: no usable ranges: BARs are not assigned\n");
		return;
	}
	n = 3 + pac + 2;
	for (int i = 0; (i + 1) * n * 4 <= len; i++) {
		const fdt32_t *e = r + i * n;
		uint32_t hi = fdt32_to_cpu(e[0]);
		struct pci_window *w;
		switch (hi >> 24 & 3) {
		case 1: w = &h->io; break;
		case 2: w = &h->mem32; break;
		case 3: w = &h->mem64; break;
		default: continue;
		}
		w->pci = cells(e + 1, 2);
		w->cpu = cells(e + 3, pac);
		w->size = cells(e + 3 + pac, 2);
		/* bus address 0 reads as "unassigned": never hand it out */
		w->next = w->pci ? w->pci : FW_PAGE;
	}
}

static void dt_pci_host(const void *fdt, int node)
{
	struct pci_host h = { 0 };
	uint64_t size;
	const fdt32_t *br;
	int len;

	if (dt_reg(fdt, node, &h.ecam, &size)) {
		LOG("pci: host bridge without a usable reg\n");
		return;
	}
	h.bus_first = 0;
	h.bus_last = (unsigned)(size >> 20) - 1;
	br = fdt_getprop(fdt, node, "bus-range", &len);
	if (br && len == 8) {
		h.bus_first = fdt32_to_cpu(br[0]);
		h.bus_last = fdt32_to_cpu(br[1]);
	}
	/* the ECAM window starts at bus_first's space */
	if (h.bus_last > 255 || h.bus_first > h.bus_last ||
	    ((uint64_t)(h.bus_last - h.bus_first) + 1) << 20 > size) {
		LOG("pci: bus-range %u-%u does not fit the ECAM window (%#lx bytes)\n", h.bus_first,
		    h.bus_last, (unsigned long)size);
		return;
	}
	h.ecam -= (uint64_t)h.bus_first << 20;
	dt_ranges(fdt, node, &h);
	h.assign = true;
	h.fdt = fdt;
	h.node = node;
	LOG("pci: ECAM at %#lx, buses %u-%u, windows io %#lx+%#lx mem %#lx+%#lx mem64 %#lx+%#lx\n",
	    (unsigned long)(h.ecam + ((uint64_t)h.bus_first << 20)), h.bus_first, h.bus_last,
	    (unsigned long)h.io.cpu, (unsigned long)h.io.size, (unsigned long)h.mem32.cpu,
	    (unsigned long)h.mem32.size, (unsigned long)h.mem64.cpu, (unsigned long)h.mem64.size);
	pci_scan(&h);
}

/*
 * interrupt-map: entries of (child unit address: #address-cells of the
 * bridge (3), child interrupt: its #interrupt-cells (1), the parent's
 * phandle, the parent's unit address (its #address-cells, 0 when absent)
 * and interrupt (its #interrupt-cells)), matched under interrupt-map-mask.
 */
uint32_t fw_dt_intx(const struct pci_host *h, unsigned bus, unsigned dev, unsigned fn, unsigned pin)
{
	const void *fdt = h->fdt;
	const fdt32_t *map, *mask, *p;
	int len, mlen, ac, ic;
	uint32_t key[4], m[4];

	if (!fdt || pin < 1 || pin > 4)
		return 0;
	ac = fdt_address_cells(fdt, h->node);
	ic = 1;
	p = fdt_getprop(fdt, h->node, "#interrupt-cells", &len);
	if (p && len == 4)
		ic = (int)fdt32_to_cpu(*p);
	map = fdt_getprop(fdt, h->node, "interrupt-map", &len);
	mask = fdt_getprop(fdt, h->node, "interrupt-map-mask", &mlen);
	if (ac != 3 || ic != 1 || !map || !mask || mlen != 16)
		return 0;
	key[0] = bus << 16 | dev << 11 | fn << 8;
	key[1] = key[2] = 0;
	key[3] = pin;
	for (int i = 0; i < 4; i++)
		m[i] = fdt32_to_cpu(mask[i]);
	for (p = map; (const uint8_t *)(p + 5) <= (const uint8_t *)map + len;) {
		bool match = true;
		for (int i = 0; i < 4; i++)
			match &= (key[i] & m[i]) == fdt32_to_cpu(p[i]);
		int parent = fdt_node_offset_by_phandle(fdt, fdt32_to_cpu(p[4]));
		if (parent < 0)
			return 0;
		const fdt32_t *c = fdt_getprop(fdt, parent, "#address-cells", &mlen);
		int pac = c && mlen == 4 ? (int)fdt32_to_cpu(*c) : 0;
		c = fdt_getprop(fdt, parent, "#interrupt-cells", &mlen);
		int pic = c && mlen == 4 ? (int)fdt32_to_cpu(*c) : 0;
		if (pac < 0 || pac > 3 || pic < 1 || pic > 3 ||
		    (const uint8_t *)(p + 5 + pac + pic) > (const uint8_t *)map + len)
			return 0;
		if (match)
			return fdt32_to_cpu(p[5 + pac]);
		p += 5 + pac + pic;
	}
	return 0;
}

/* Walks every node once so that libfdt has checked each tag before use. */
static err_t dt_check(const void *fdt, size_t bytes)
{
	int off, depth = 0;

	if (bytes < sizeof(struct fdt_header) || fdt_magic(fdt) != FDT_MAGIC ||
	    fdt_totalsize(fdt) > bytes || fdt_check_header(fdt))
		return ERR_INVAL;
	for (off = 0; off >= 0 && depth >= 0; off = fdt_next_node(fdt, off, &depth))
		if (!fdt_get_name(fdt, off, NULL))
			return ERR_INVAL;
	return off == -FDT_ERR_NOTFOUND || depth < 0 ? ERR_OK : ERR_INVAL;
}

#define for_each_compatible(node, fdt, c)                                         \
	for (node = fdt_node_offset_by_compatible(fdt, -1, c); node >= 0;         \
	     node = fdt_node_offset_by_compatible(fdt, node, c))

static err_t dt_scan(const void *fdt, size_t bytes)
{
	int node;

	if (dt_check(fdt, bytes)) {
		LOG("the device tree is malformed: no devices\n");
		return ERR_INVAL;
	}
	for_each_compatible(node, fdt, "virtio,mmio") {
		uint64_t base, size;
		const fdt32_t *irq;
		int len;
		if (!dt_enabled(fdt, node))
			continue;
		irq = fdt_getprop(fdt, node, "interrupts", &len);
		if (dt_reg(fdt, node, &base, &size) || !irq || len < 4) {
			LOG("virtio-mmio node %s: no usable reg or interrupts\n", fdt_get_name(fdt, node, NULL));
			continue;
		}
		mmio_probe(base, size, fdt32_to_cpu(irq[0]));
	}
	for_each_compatible(node, fdt, "pci-host-ecam-generic")
		if (dt_enabled(fdt, node))
			dt_pci_host(fdt, node);
	return ERR_OK;
}

/* ---- ACPI ------------------------------------------------------------------------------- */

static uint32_t le32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/* The MCFG: after its header and 8 reserved bytes, 16-byte entries of
 * (ECAM base, segment, first bus, last bus, 4 reserved). */
static void acpi_mcfg(const uint8_t *t, uint32_t len)
{
	for (uint32_t off = 44; off + 16 <= len; off += 16) {
		struct pci_host h = { 0 };
		uint16_t seg;
		memcpy(&h.ecam, t + off, 8);
		memcpy(&seg, t + off + 8, 2);
		h.bus_first = t[off + 10];
		h.bus_last = t[off + 11];
		if (seg != 0) {
			LOG("pci: segment %u not walked (only segment 0)\n", seg);
			continue;
		}
		if (h.bus_first > h.bus_last)
			continue;
		/* the base is bus 0's, whatever the first bus */
		h.ich9 = true;
		LOG("pci: ECAM at %#lx, buses %u-%u (MCFG)\n",
		    (unsigned long)(h.ecam + ((uint64_t)h.bus_first << 20)), h.bus_first, h.bus_last);
		pci_scan(&h);
	}
}

static err_t acpi_scan(const uint8_t *b, size_t bytes)
{
	bool mcfg = false;

	for (size_t off = 0; off + 36 <= bytes;) {
		uint32_t len = le32(b + off + 4);
		if (len < 36 || len > bytes - off) {
			LOG("ACPI table at offset %lu: bad length %u; the rest is skipped\n",
			    (unsigned long)off, len);
			break;
		}
		if (!memcmp(b + off, "MCFG", 4)) {
			mcfg = true;
			acpi_mcfg(b + off, len);
		}
		off += len;
	}
	if (!mcfg)
		LOG("no MCFG in the ACPI tables: no PCI Express\n");
	return ERR_OK;
}

err_t fw_parse(const void *blob, size_t bytes)
{
	if (bytes >= 4 && fdt_magic(blob) == FDT_MAGIC)
		return dt_scan(blob, bytes);
	return acpi_scan(blob, bytes);
}
