// SPDX-License-Identifier: MIT
/*
 * The buses: virtio-mmio slots and PCI Express through ECAM.
 *
 * A virtio-mmio slot is a device when its magic reads "virt", its version
 * is 1 (legacy) or 2 (modern) and its device id is not 0 (an empty slot).
 *
 * PCI: each bus of the host's range is mapped (1 MiB of ECAM), each
 * function's vendor id read (0xffff: none; function 0's header type says
 * whether functions 1..7 exist). A type 0 function's BARs are sized
 * (decoding off, all-ones written, the mask read back, the value put
 * back); where the firmware left a BAR at 0 and the host has a window for
 * it (riscv64 virt: OpenSBI assigns nothing), it gets the next naturally
 * aligned, at least page-aligned, address of the window: 64-bit BARs from
 * the 64-bit window when there is one, the others from the 32-bit one,
 * I/O BARs from the I/O window. A function that gets a driver has memory
 * (and I/O) decoding and bus mastering turned on. Bridges are listed but
 * their buses are not walked (no firmware here configures one).
 *
 * Quiescing (a driver ended): a virtio-mmio device is reset (Status 0); a
 * PCI function loses bus mastering and has its INTx disabled, both given
 * back just before the next driver starts.
 */
#include <string.h>
#include <format.h>
#include "devmgr.h"

#define VIRTIO_MMIO_MAGIC        0x74726976u   /* "virt" */
#define VIRTIO_MMIO_VERSION      0x004
#define VIRTIO_MMIO_DEVICE_ID    0x008
#define VIRTIO_MMIO_VENDOR_ID    0x00c
#define VIRTIO_MMIO_STATUS       0x070

#define PCI_VENDOR     0x00
#define PCI_COMMAND    0x04
#define PCI_CLASS      0x08    /* revision in the low byte */
#define PCI_HEADER     0x0e
#define PCI_BAR0       0x10
#define PCI_SUBSYS_ID  0x2e
#define PCI_INT_PIN    0x3d
#define CMD_IO         0x1u
#define CMD_MEM        0x2u
#define CMD_MASTER     0x4u
#define CMD_INTX_OFF   0x400u  /* Interrupt Disable */

#define VIRTIO_PCI_VENDOR  0x1af4

static inline uint32_t rd32(volatile uint8_t *b, unsigned off)
{
	return *(volatile uint32_t *)(b + off);
}

static inline void wr32(volatile uint8_t *b, unsigned off, uint32_t v)
{
	*(volatile uint32_t *)(b + off) = v;
}

static inline uint16_t rd16(volatile uint8_t *b, unsigned off)
{
	return *(volatile uint16_t *)(b + off);
}

static inline void wr16(volatile uint8_t *b, unsigned off, uint16_t v)
{
	*(volatile uint16_t *)(b + off) = v;
}

static cap_t mmioctl = CAP_NULL, ioportctl = CAP_NULL;

void bus_init(void)
{
	mmioctl = cairn_cap("mmioctl");
	ioportctl = cairn_cap("ioportctl");
}

/* An MmioRegion of [pa, pa + bytes) (page-aligned) and, when va is not
 * NULL, our own mapping of it. */
static err_t region(uint64_t pa, uint64_t bytes, cap_t *cap, volatile uint8_t **va)
{
	struct cairn_msg m;
	void *p;
	err_t e;

	if ((e = cairn_invoke(mmioctl, MMIOCTL_GET, 0, pa, bytes, 0, 0, &m)))
		return e;
	*cap = m.w[0];
	if (!va)
		return ERR_OK;
	if ((e = cairn_map(*cap, 0, bytes / CAIRN_PAGE_SIZE, CAIRN_PROT_R | CAIRN_PROT_W, &p))) {
		cairn_cap_delete(*cap);
		*cap = CAP_NULL;
		return e;
	}
	*va = p;
	return ERR_OK;
}

static void dev_init(struct device *d)
{
	memset(d, 0, sizeof(*d));
	d->regs_cap = d->irq_cap = d->svc = d->svc_client = d->dma = CAP_NULL;
	for (unsigned i = 0; i < NBARS; i++)
		d->bar[i].cap = CAP_NULL;
}

/* The IrqLine for the device's line, when it has one. */
static void dev_irq(struct device *d)
{
	err_t e;

	if (d->irq && (e = get_irq(d->irq, &d->irq_cap)))
		LOG("%s: no IrqLine for interrupt %u: %s\n", d->name[0] ? d->name : "device", d->irq,
		    err_name(e));
}

/* ---- virtio-mmio ---------------------------------------------------------------------- */

void mmio_probe(uint64_t base, uint64_t size, uint32_t irq)
{
	volatile uint8_t *r;
	struct device *d;
	uint32_t magic, version, id;
	cap_t cap;
	err_t e;

	if (base % CAIRN_PAGE_SIZE || size < 0x100 || size > CAIRN_PAGE_SIZE) {
		LOG("virtio-mmio at %#lx: reg size %#lx not one page: skipped\n", (unsigned long)base,
		    (unsigned long)size);
		return;
	}
	if ((e = region(base, CAIRN_PAGE_SIZE, &cap, &r))) {
		LOG("virtio-mmio at %#lx: MMIOCTL_GET: %s\n", (unsigned long)base, err_name(e));
		return;
	}
	magic = rd32(r, 0);
	version = rd32(r, VIRTIO_MMIO_VERSION);
	id = rd32(r, VIRTIO_MMIO_DEVICE_ID);
	if (magic != VIRTIO_MMIO_MAGIC || (version != 1 && version != 2) || id == 0) {
		if (magic != VIRTIO_MMIO_MAGIC || (version != 1 && version != 2))
			LOG("virtio-mmio at %#lx: magic %#x version %u: skipped\n", (unsigned long)base,
			    magic, version);
		cairn_unmap((void *)r, 1);
		cairn_cap_delete(cap);
		return;
	}
	if (!(d = dev_new())) {
		cairn_unmap((void *)r, 1);
		cairn_cap_delete(cap);
		return;
	}
	dev_init(d);
	d->bus = BUS_MMIO;
	d->paddr = base;
	d->regs = r;
	d->regs_cap = cap;
	d->vendor = rd32(r, VIRTIO_MMIO_VENDOR_ID);
	d->device = id;
	d->virtio_id = id;
	d->irq = irq;
	d->drv = driver_for(id, 0, 0);
	dev_irq(d);
	LOG("virtio-mmio %#lx: virtio device %u (version %u), irq %u%s%s\n", (unsigned long)base, id,
	    version, irq, d->drv ? ", driver " : ", no driver", d->drv ? d->drv->path : "");
}

/* ---- PCI ---------------------------------------------------------------------------------- */

/* Gives BAR b an address from window w (size and alignment b->size, at
 * least a page); false when it does not fit. */
static bool assign(struct pci_window *w, struct pci_bar *b)
{
	uint64_t align = b->size < CAIRN_PAGE_SIZE ? CAIRN_PAGE_SIZE : b->size;
	uint64_t a = (w->next + align - 1) & ~(align - 1);

	if (!w->size || a < w->next || a + align > w->pci + w->size)
		return false;
	b->addr = a;
	w->next = a + align;
	return true;
}

/* Sizes BAR i of the function at cfg (decoding is off); returns how many
 * BAR slots it takes (2 for a 64-bit one). */
static unsigned bar_size(volatile uint8_t *cfg, unsigned i, struct pci_bar *b)
{
	unsigned off = PCI_BAR0 + 4 * i;
	uint32_t lo = rd32(cfg, off), hi = 0, mlo, mhi = 0xffffffffu;
	uint64_t mask;

	b->io = lo & 1;
	b->is64 = !b->io && (lo >> 1 & 3) == 2 && i + 1 < NBARS;
	wr32(cfg, off, 0xffffffffu);
	mlo = rd32(cfg, off);
	wr32(cfg, off, lo);
	if (b->is64) {
		hi = rd32(cfg, off + 4);
		wr32(cfg, off + 4, 0xffffffffu);
		mhi = rd32(cfg, off + 4);
		wr32(cfg, off + 4, hi);
	}
	if (b->io) {
		mask = (mlo & ~3u) | 0xffff0000u;
		b->addr = lo & ~3u;
		b->size = mlo ? (uint32_t)~mask + 1 : 0;
	} else {
		mask = (uint64_t)mhi << 32 | (mlo & ~0xfu);
		b->addr = ((uint64_t)hi << 32 | lo) & ~0xfull;
		b->size = (mlo & ~0xfu) ? ~mask + 1 : 0;
		if (!b->is64)
			b->size &= 0xffffffffu;
	}
	return b->is64 ? 2 : 1;
}

static void bar_write(volatile uint8_t *cfg, unsigned i, const struct pci_bar *b)
{
	unsigned off = PCI_BAR0 + 4 * i;

	wr32(cfg, off, (uint32_t)b->addr | (rd32(cfg, off) & (b->io ? 3u : 0xfu)));
	if (b->is64)
		wr32(cfg, off + 4, (uint32_t)(b->addr >> 32));
}

/* The BARs of a type 0 function: sized, assigned where needed, and a
 * capability made for each one in use. */
static void pci_bars(struct pci_host *h, struct device *d)
{
	volatile uint8_t *cfg = d->regs;
	uint16_t cmd = rd16(cfg, PCI_COMMAND);

	wr16(cfg, PCI_COMMAND, cmd & ~(CMD_IO | CMD_MEM | CMD_MASTER));
	for (unsigned i = 0; i < NBARS;) {
		struct pci_bar *b = &d->bar[i];
		unsigned n = bar_size(cfg, i, b), idx = i;
		i += n;
		if (!b->size)
			continue;
		if (!b->addr && !h->assign) {
			b->size = 0;            /* unassigned and not ours to assign */
			continue;
		}
		if (!b->addr) {
			struct pci_window *w = b->io ? &h->io : (b->is64 && h->mem64.size) ? &h->mem64 : &h->mem32;
			if (!assign(w, b)) {
				LOG("  BAR %u of %02x:%02x.%u (%#lx bytes): no room in the window\n", idx,
				    d->pbus, d->pdev, d->pfn, (unsigned long)b->size);
				b->size = 0;
				continue;
			}
			bar_write(cfg, idx, b);
		}
		/* the CPU's address: through the window the address falls in */
		struct pci_window *w = b->io ? &h->io : (b->addr >= h->mem64.pci && h->mem64.size &&
							 b->addr - h->mem64.pci < h->mem64.size)
								? &h->mem64 : &h->mem32;
		b->cpu = w->size ? b->addr - w->pci + w->cpu : b->addr;
	}
	wr16(cfg, PCI_COMMAND, cmd);
}

/* Capabilities of the BARs for a driver: an MmioRegion of each memory BAR
 * (and of each I/O BAR reached through an MMIO window), an IoPort for an
 * I/O BAR where ports are their own space. */
static void pci_bar_caps(struct device *d, const struct pci_host *h)
{
	for (unsigned i = 0; i < NBARS; i++) {
		struct pci_bar *b = &d->bar[i];
		struct cairn_msg m;
		err_t e;
		if (!b->size)
			continue;
		if (b->io && !h->io.size) {
			if (ioportctl == CAP_NULL) {
				LOG("  I/O BAR %u of %02x:%02x.%u (ports %#lx+%#lx) not given: no ioportctl "
				    "(TODO: IOPORTCTL_GET)\n", i, d->pbus, d->pdev, d->pfn,
				    (unsigned long)b->addr, (unsigned long)b->size);
				continue;
			}
			e = cairn_invoke(ioportctl, IOPORTCTL_GET, 0, b->addr, b->size, 0, 0, &m);
			if (!e)
				b->cap = m.w[0];
		} else {
			uint64_t base = b->cpu & ~(CAIRN_PAGE_SIZE - 1);
			uint64_t end = (b->cpu + b->size + CAIRN_PAGE_SIZE - 1) & ~(CAIRN_PAGE_SIZE - 1);
			e = region(base, end - base, &b->cap, NULL);
		}
		if (e)
			LOG("pci %02x:%02x.%u: BAR %u at %#lx: %s\n", d->pbus, d->pdev, d->pfn, i,
			    (unsigned long)b->cpu, err_name(e));
	}
}

/* q35's ICH9 in APIC mode: a bus 0 device in slots 0..24 raises INTA..D
 * on PIRQ E..H by (slot + pin) % 4, and PIRQ n is IOAPIC input 16 + n
 * (QEMU hw/isa/lpc_ich9.c; the DSDT's _PRT says the same). */
static uint32_t ich9_intx(unsigned bus, unsigned dev, unsigned pin)
{
	if (bus != 0 || dev > 24 || pin < 1 || pin > 4)
		return 0;
	return 16 + 4 + (dev + pin - 1) % 4;
}

static uint32_t virtio_pci_id(volatile uint8_t *cfg, uint32_t device)
{
	if (device >= 0x1040 && device <= 0x107f)
		return device - 0x1040;                 /* modern */
	if (device >= 0x1000 && device <= 0x103f)
		return rd16(cfg, PCI_SUBSYS_ID);        /* transitional: the subsystem id */
	return 0;
}

static void pci_function(struct pci_host *h, volatile uint8_t *busva, unsigned bus, unsigned dev,
			 unsigned fn)
{
	volatile uint8_t *cfg = busva + (dev << 15 | fn << 12);
	uint64_t pa = h->ecam + ((uint64_t)bus << 20 | dev << 15 | fn << 12);
	struct device *d;
	uint8_t hdr = rd32(cfg, PCI_HEADER & ~3u) >> 16 & 0x7f;
	unsigned pin;

	if (!(d = dev_new()))
		return;
	dev_init(d);
	d->bus = BUS_PCI;
	d->paddr = pa;
	d->pbus = bus;
	d->pdev = dev;
	d->pfn = fn;
	d->regs = cfg;
	d->vendor = rd16(cfg, PCI_VENDOR);
	d->device = rd16(cfg, PCI_VENDOR + 2);
	d->class = rd32(cfg, PCI_CLASS) >> 8;
	if (d->vendor == VIRTIO_PCI_VENDOR)
		d->virtio_id = virtio_pci_id(cfg, d->device);
	if (hdr != 0) {
		LOG("pci %02x:%02x.%u: %04x:%04x class %06x, header type %u: not walked\n", bus, dev, fn,
		    d->vendor, d->device, d->class, hdr);
		return;
	}
	pci_bars(h, d);
	pin = rd32(cfg, PCI_INT_PIN & ~3u) >> 8 & 0xff;
	d->irq = h->ich9 ? ich9_intx(bus, dev, pin) : fw_dt_intx(h, bus, dev, fn, pin);
	d->drv = d->virtio_id ? driver_for(d->virtio_id, 0, 0) : NULL;
	if (!d->drv)
		d->drv = driver_for(0, (uint16_t)d->vendor, (uint16_t)d->device);
	char what[24] = "";
	if (d->virtio_id)
		fmt_snprintf(what, sizeof(what), ", virtio device %u", d->virtio_id);
	LOG("pci %02x:%02x.%u: %04x:%04x class %06x%s, irq %u, %s%s\n", bus, dev, fn, d->vendor,
	    d->device, d->class, what, d->irq, d->drv ? "driver " : "no driver",
	    d->drv ? d->drv->path : "");
	if (!d->drv)
		return;
	/* what the driver gets: its config page, its BARs, its line */
	err_t e = region(pa, CAIRN_PAGE_SIZE, &d->regs_cap, NULL);
	if (e)
		LOG("pci %02x:%02x.%u: config page: %s\n", bus, dev, fn, err_name(e));
	pci_bar_caps(d, h);
	dev_irq(d);
	uint16_t cmd = rd16(cfg, PCI_COMMAND) | CMD_MEM | CMD_MASTER;
	for (unsigned i = 0; i < NBARS; i++)
		if (d->bar[i].size && d->bar[i].io)
			cmd |= CMD_IO;
	wr16(cfg, PCI_COMMAND, cmd);
}

void pci_scan(struct pci_host *h)
{
	for (unsigned bus = h->bus_first; bus <= h->bus_last; bus++) {
		volatile uint8_t *va = NULL;
		cap_t cap;
		bool any = false;
		err_t e;

		if ((e = region(h->ecam + ((uint64_t)bus << 20), 1u << 20, &cap, &va))) {
			LOG("pci: bus %u's configuration space: %s\n", bus, err_name(e));
			return;
		}
		for (unsigned dev = 0; dev < 32; dev++) {
			volatile uint8_t *f0 = va + (dev << 15);
			if (rd16(f0, PCI_VENDOR) == 0xffff)
				continue;
			any = true;
			bool multi = rd32(f0, PCI_HEADER & ~3u) >> 16 & 0x80;
			for (unsigned fn = 0; fn < (multi ? 8u : 1u); fn++)
				if (rd16(va + (dev << 15 | fn << 12), PCI_VENDOR) != 0xffff)
					pci_function(h, va, bus, dev, fn);
		}
		/* an empty bus: no mapping kept (the devices keep theirs) */
		if (!any) {
			cairn_unmap((void *)va, 256);
			cairn_cap_delete(cap);
		}
		/* no bridge is configured: the buses after the first are empty */
		if (!any && bus > h->bus_first)
			break;
	}
}

void dev_quiesce(struct device *d)
{
	if (d->bus == BUS_MMIO) {
		wr32(d->regs, VIRTIO_MMIO_STATUS, 0);   /* reset: the device lets go of its queues */
		(void)rd32(d->regs, VIRTIO_MMIO_STATUS);
	} else {
		/* no DMA, and no INTx on a line another device may share */
		wr16(d->regs, PCI_COMMAND, (rd16(d->regs, PCI_COMMAND) & ~CMD_MASTER) | CMD_INTX_OFF);
		(void)rd16(d->regs, PCI_COMMAND);
	}
}

void dev_unquiesce(struct device *d)
{
	if (d->bus == BUS_PCI)
		wr16(d->regs, PCI_COMMAND, (rd16(d->regs, PCI_COMMAND) | CMD_MASTER) & ~CMD_INTX_OFF);
}
