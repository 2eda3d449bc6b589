/* SPDX-License-Identifier: MIT */
/*
 * The virtio transports (virtio.h): virtio-mmio (Version 2 modern,
 * Version 1 legacy) and virtio over PCI (the modern interface found
 * through the vendor capabilities in configuration space, or the legacy
 * registers of I/O BAR 0). Each operation of the API is one switch on the
 * transport; the registers are reached through mapped device memory (and,
 * for a legacy PCI device on x86-64, the caller's port-I/O functions).
 */
#include <string.h>
#include <cairn/counter.h>
#include "virtio.h"

/* ---- register access ----------------------------------------------------------------- */

static inline uint8_t rd8(volatile uint8_t *b, unsigned off) { return *(volatile uint8_t *)(b + off); }
static inline uint16_t rd16(volatile uint8_t *b, unsigned off) { return *(volatile uint16_t *)(b + off); }
static inline uint32_t rd32(volatile uint8_t *b, unsigned off) { return *(volatile uint32_t *)(b + off); }
static inline void wr8(volatile uint8_t *b, unsigned off, uint8_t v) { *(volatile uint8_t *)(b + off) = v; }
static inline void wr16(volatile uint8_t *b, unsigned off, uint16_t v) { *(volatile uint16_t *)(b + off) = v; }
static inline void wr32(volatile uint8_t *b, unsigned off, uint32_t v) { *(volatile uint32_t *)(b + off) = v; }

/* The legacy PCI registers: mapped, or through the caller's port I/O. */
static uint32_t io_rd(struct virtio_dev *d, unsigned off, unsigned width)
{
	if (!d->io)
		return d->pio.in(d->pio.ctx, off, width);
	return width == 1 ? rd8(d->io, off) : width == 2 ? rd16(d->io, off) : rd32(d->io, off);
}

static void io_wr(struct virtio_dev *d, unsigned off, unsigned width, uint32_t v)
{
	if (!d->io) {
		d->pio.out(d->pio.ctx, off, width, v);
		return;
	}
	if (width == 1)
		wr8(d->io, off, (uint8_t)v);
	else if (width == 2)
		wr16(d->io, off, (uint16_t)v);
	else
		wr32(d->io, off, v);
}

/* ---- opening -------------------------------------------------------------------------- */

err_t virtio_mmio_open(struct virtio_dev *d, volatile void *regs)
{
	volatile uint8_t *r = regs;
	uint32_t v;

	memset(d, 0, sizeof(*d));
	if (rd32(r, VIRTIO_MMIO_MAGIC_VALUE) != VIRTIO_MMIO_MAGIC)
		return ERR_NODEV;
	v = rd32(r, VIRTIO_MMIO_VERSION);
	if (v != 1 && v != 2)
		return ERR_NODEV;
	d->transport = VIRTIO_MMIO;
	d->legacy = v == 1;
	d->regs = r;
	d->device_id = rd32(r, VIRTIO_MMIO_DEVICE_ID);
	return d->device_id ? ERR_OK : ERR_NODEV;
}

/* The structure a virtio PCI capability at cap points to, or NULL (bad BAR,
 * not mapped, I/O, or outside the BAR). */
static volatile uint8_t *pci_cap_ptr(volatile uint8_t *cfg, unsigned cap, const struct virtio_bar bars[6],
				     uint32_t min_len)
{
	unsigned bar = rd8(cfg, cap + VIRTIO_PCI_CAP_BAR);
	uint32_t off = rd32(cfg, cap + VIRTIO_PCI_CAP_OFFSET), len = rd32(cfg, cap + VIRTIO_PCI_CAP_LENGTH);

	if (bar >= 6 || !bars[bar].va || bars[bar].is_io || len < min_len ||
	    (uint64_t)off + len > bars[bar].len)
		return NULL;
	return bars[bar].va + off;
}

/* Walks the capability list for the four virtio structures. */
static err_t pci_find_modern(struct virtio_dev *d, volatile uint8_t *cfg, const struct virtio_bar bars[6])
{
	unsigned cap, guard = 0;
	err_t bad = ERR_NODEV;

	if (!(rd16(cfg, PCI_CFG_STATUS) & PCI_STATUS_CAP_LIST))
		return ERR_NODEV;
	for (cap = rd8(cfg, PCI_CFG_CAP_PTR) & ~3u; cap >= 0x40 && cap < 0x100 && guard < 48;
	     cap = rd8(cfg, cap + 1) & ~3u, guard++) {
		volatile uint8_t *p;
		unsigned type;

		if (rd8(cfg, cap) != PCI_CAP_ID_VENDOR)
			continue;
		type = rd8(cfg, cap + VIRTIO_PCI_CAP_CFG_TYPE);
		if (type < VIRTIO_PCI_CAP_COMMON_CFG || type > VIRTIO_PCI_CAP_DEVICE_CFG)
			continue;
		p = pci_cap_ptr(cfg, cap, bars, type == VIRTIO_PCI_CAP_COMMON_CFG ? 56 : 1);
		if (!p) {
			bad = ERR_INVAL;
			continue;
		}
		if (type == VIRTIO_PCI_CAP_COMMON_CFG && !d->common)
			d->common = p;
		else if (type == VIRTIO_PCI_CAP_NOTIFY_CFG && !d->notify) {
			d->notify = p;
			d->notify_mult = rd32(cfg, cap + VIRTIO_PCI_NOTIFY_MULT);
		} else if (type == VIRTIO_PCI_CAP_ISR_CFG && !d->isr)
			d->isr = p;
		else if (type == VIRTIO_PCI_CAP_DEVICE_CFG && !d->devcfg)
			d->devcfg = p;
	}
	return d->common && d->notify && d->isr ? ERR_OK : bad;
}

err_t virtio_pci_open(struct virtio_dev *d, volatile void *cfgp, const struct virtio_bar bars[6],
		      const struct virtio_pio *pio)
{
	volatile uint8_t *cfg = cfgp;
	uint16_t dev = rd16(cfg, PCI_CFG_DEVICE), cmd;
	err_t e;

	memset(d, 0, sizeof(*d));
	if (rd16(cfg, PCI_CFG_VENDOR) != VIRTIO_PCI_VENDOR || dev < 0x1000 || dev > 0x107f)
		return ERR_NODEV;
	d->transport = VIRTIO_PCI;
	/* 0x1040 + id: modern; 0x1000..0x103f: transitional, the id in the subsystem id */
	d->device_id = dev >= 0x1040 ? dev - 0x1040u : rd16(cfg, PCI_CFG_SUBSYS_ID);
	cmd = rd16(cfg, PCI_CFG_COMMAND);
	e = pci_find_modern(d, cfg, bars);
	if (e) {
		d->common = d->notify = d->isr = d->devcfg = NULL;
		if (dev >= 0x1040 || (!bars[0].va && !(pio && pio->in)) || !bars[0].is_io)
			return e;
		d->legacy = true;
		d->io = bars[0].va;
		if (!d->io)
			d->pio = *pio;
		cmd |= PCI_CMD_IO;
	} else {
		cmd |= PCI_CMD_MEMORY;
	}
	cmd = (uint16_t)((cmd | PCI_CMD_MASTER) & ~PCI_CMD_INTX_DISABLE);
	wr16(cfg, PCI_CFG_COMMAND, cmd);
	return d->device_id ? ERR_OK : ERR_NODEV;
}

const char *virtio_describe(const struct virtio_dev *d)
{
	if (d->transport == VIRTIO_MMIO)
		return d->legacy ? "virtio-mmio version 1 (legacy)" : "virtio-mmio version 2 (modern)";
	return d->legacy ? "virtio-pci (legacy)" : "virtio-pci (modern)";
}

/* ---- status and features --------------------------------------------------------------- */

uint8_t virtio_status(struct virtio_dev *d)
{
	if (d->transport == VIRTIO_MMIO)
		return (uint8_t)rd32(d->regs, VIRTIO_MMIO_STATUS);
	if (d->legacy)
		return (uint8_t)io_rd(d, VIRTIO_PCI_LEGACY_STATUS, 1);
	return rd8(d->common, VIRTIO_PCI_COMMON_STATUS);
}

static void set_status(struct virtio_dev *d, uint8_t s)
{
	mem_barrier();
	if (d->transport == VIRTIO_MMIO)
		wr32(d->regs, VIRTIO_MMIO_STATUS, s);
	else if (d->legacy)
		io_wr(d, VIRTIO_PCI_LEGACY_STATUS, 1, s);
	else
		wr8(d->common, VIRTIO_PCI_COMMON_STATUS, s);
	mem_barrier();
}

bool virtio_reset(struct virtio_dev *d)
{
	set_status(d, 0);
	for (int i = 0; i < 1000; i++)
		if (virtio_status(d) == 0)
			return true;
	return false;
}

/* The device's feature bits 32 * sel .. 32 * sel + 31. */
static uint32_t dev_features(struct virtio_dev *d, unsigned sel)
{
	if (d->transport == VIRTIO_MMIO) {
		wr32(d->regs, VIRTIO_MMIO_DEVICE_FEATURES_SEL, sel);
		mem_barrier();
		return rd32(d->regs, VIRTIO_MMIO_DEVICE_FEATURES);
	}
	if (d->legacy)
		return sel ? 0 : io_rd(d, VIRTIO_PCI_LEGACY_HOST_FEATURES, 4);
	wr32(d->common, VIRTIO_PCI_COMMON_DFSELECT, sel);
	mem_barrier();
	return rd32(d->common, VIRTIO_PCI_COMMON_DF);
}

static void drv_features(struct virtio_dev *d, unsigned sel, uint32_t v)
{
	if (d->transport == VIRTIO_MMIO) {
		wr32(d->regs, VIRTIO_MMIO_DRIVER_FEATURES_SEL, sel);
		wr32(d->regs, VIRTIO_MMIO_DRIVER_FEATURES, v);
	} else if (d->legacy) {
		if (!sel)
			io_wr(d, VIRTIO_PCI_LEGACY_GUEST_FEATURES, 4, v);
	} else {
		wr32(d->common, VIRTIO_PCI_COMMON_GFSELECT, sel);
		wr32(d->common, VIRTIO_PCI_COMMON_GF, v);
	}
	mem_barrier();
}

err_t virtio_negotiate(struct virtio_dev *d, uint64_t want)
{
	uint64_t have;
	uint8_t st = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER;

	if (!virtio_reset(d))
		return ERR_IO;
	set_status(d, VIRTIO_STATUS_ACKNOWLEDGE);
	set_status(d, st);
	have = dev_features(d, 0) | (uint64_t)dev_features(d, 1) << 32;
	if (d->legacy) {
		want &= ~(1ull << VIRTIO_F_VERSION_1);
	} else {
		if (!(have & (1ull << VIRTIO_F_VERSION_1))) {
			set_status(d, st | VIRTIO_STATUS_FAILED);
			return ERR_IO;
		}
		want |= 1ull << VIRTIO_F_VERSION_1;
	}
	d->features = have & want;
	drv_features(d, 0, (uint32_t)d->features);
	drv_features(d, 1, (uint32_t)(d->features >> 32));
	if (d->transport == VIRTIO_MMIO && d->legacy)
		wr32(d->regs, VIRTIO_MMIO_GUEST_PAGE_SIZE, VIRTQ_ALIGN);
	if (d->legacy)
		return ERR_OK;         /* no FEATURES_OK before virtio 1.0 */
	set_status(d, st | VIRTIO_STATUS_FEATURES_OK);
	if (!(virtio_status(d) & VIRTIO_STATUS_FEATURES_OK)) {
		set_status(d, st | VIRTIO_STATUS_FAILED);
		return ERR_IO;
	}
	return ERR_OK;
}

/* ---- queues -------------------------------------------------------------------------------- */

/* Selects queue qi; its maximum size (0: no such queue). */
static unsigned queue_select(struct virtio_dev *d, unsigned qi)
{
	if (d->transport == VIRTIO_MMIO) {
		wr32(d->regs, VIRTIO_MMIO_QUEUE_SEL, qi);
		mem_barrier();
		return rd32(d->regs, VIRTIO_MMIO_QUEUE_NUM_MAX);
	}
	if (d->legacy) {
		io_wr(d, VIRTIO_PCI_LEGACY_QUEUE_SEL, 2, qi);
		return io_rd(d, VIRTIO_PCI_LEGACY_QUEUE_NUM, 2);
	}
	if (qi >= rd16(d->common, VIRTIO_PCI_COMMON_NUMQ))
		return 0;
	wr16(d->common, VIRTIO_PCI_COMMON_Q_SELECT, (uint16_t)qi);
	mem_barrier();
	return rd16(d->common, VIRTIO_PCI_COMMON_Q_SIZE);
}

/* The selected virtio-mmio queue: n entries, rings from pa. */
static err_t mmio_queue(struct virtio_dev *d, unsigned n, uint64_t pa)
{
	uint64_t aa = pa + VIRTQ_DESC_BYTES(n), ua = pa + VIRTQ_USED_OFF(n);

	wr32(d->regs, VIRTIO_MMIO_QUEUE_NUM, n);
	if (d->legacy) {
		wr32(d->regs, VIRTIO_MMIO_QUEUE_ALIGN, VIRTQ_ALIGN);
		mem_barrier();
		wr32(d->regs, VIRTIO_MMIO_QUEUE_PFN, (uint32_t)(pa / VIRTQ_ALIGN));
		return ERR_OK;
	}
	wr32(d->regs, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)pa);
	wr32(d->regs, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(pa >> 32));
	wr32(d->regs, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)aa);
	wr32(d->regs, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, (uint32_t)(aa >> 32));
	wr32(d->regs, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)ua);
	wr32(d->regs, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, (uint32_t)(ua >> 32));
	mem_barrier();
	wr32(d->regs, VIRTIO_MMIO_QUEUE_READY, 1);
	mem_barrier();
	return rd32(d->regs, VIRTIO_MMIO_QUEUE_READY) == 1 ? ERR_OK : ERR_IO;
}

/* The selected modern virtio-pci queue: n entries, rings from pa, no MSI-X. */
static err_t pci_queue(struct virtio_dev *d, unsigned n, uint64_t pa)
{
	uint64_t aa = pa + VIRTQ_DESC_BYTES(n), ua = pa + VIRTQ_USED_OFF(n);

	wr16(d->common, VIRTIO_PCI_COMMON_Q_SIZE, (uint16_t)n);
	wr16(d->common, VIRTIO_PCI_COMMON_Q_MSIX, VIRTIO_MSI_NO_VECTOR);
	wr32(d->common, VIRTIO_PCI_COMMON_Q_DESCLO, (uint32_t)pa);
	wr32(d->common, VIRTIO_PCI_COMMON_Q_DESCHI, (uint32_t)(pa >> 32));
	wr32(d->common, VIRTIO_PCI_COMMON_Q_AVAILLO, (uint32_t)aa);
	wr32(d->common, VIRTIO_PCI_COMMON_Q_AVAILHI, (uint32_t)(aa >> 32));
	wr32(d->common, VIRTIO_PCI_COMMON_Q_USEDLO, (uint32_t)ua);
	wr32(d->common, VIRTIO_PCI_COMMON_Q_USEDHI, (uint32_t)(ua >> 32));
	mem_barrier();
	wr16(d->common, VIRTIO_PCI_COMMON_Q_ENABLE, 1);
	mem_barrier();
	return rd16(d->common, VIRTIO_PCI_COMMON_Q_ENABLE) == 1 ? ERR_OK : ERR_IO;
}

err_t virtio_queue_setup(struct virtio_dev *d, unsigned qi, unsigned *num, uint64_t pa)
{
	bool pci_legacy = d->transport == VIRTIO_PCI && d->legacy;
	unsigned max, n = *num;
	err_t e;

	if (pa & (VIRTQ_ALIGN - 1))
		return ERR_INVAL;
	if (!(max = queue_select(d, qi)))
		return ERR_NODEV;
	/* a legacy PCI queue has exactly the device's size, the others at most it:
	 * the rings were laid out for *num entries, never more */
	while (n > max)
		n >>= 1;
	if (n == 0 || (n & (n - 1)) || (pci_legacy && n != max) ||
	    (d->legacy && (pa / VIRTQ_ALIGN) >> 32))
		return ERR_INVAL;
	if (d->transport == VIRTIO_MMIO) {
		e = mmio_queue(d, n, pa);
	} else if (pci_legacy) {
		io_wr(d, VIRTIO_PCI_LEGACY_QUEUE_PFN, 4, (uint32_t)(pa / VIRTQ_ALIGN));
		e = ERR_OK;
	} else {
		e = pci_queue(d, n, pa);
	}
	if (!e)
		*num = n;
	return e;
}

err_t virtio_driver_ok(struct virtio_dev *d)
{
	uint8_t st = virtio_status(d);

	set_status(d, st | VIRTIO_STATUS_DRIVER_OK);
	st = virtio_status(d);
	if (!(st & VIRTIO_STATUS_DRIVER_OK) || (st & (VIRTIO_STATUS_FAILED | VIRTIO_STATUS_NEEDS_RESET)))
		return ERR_IO;
	return ERR_OK;
}

void virtio_notify(struct virtio_dev *d, unsigned qi)
{
	mem_barrier();                   /* the rings before the doorbell */
	if (d->transport == VIRTIO_MMIO) {
		wr32(d->regs, VIRTIO_MMIO_QUEUE_NOTIFY, qi);
	} else if (d->legacy) {
		io_wr(d, VIRTIO_PCI_LEGACY_QUEUE_NOTIFY, 2, qi);
	} else {
		uint16_t off;

		wr16(d->common, VIRTIO_PCI_COMMON_Q_SELECT, (uint16_t)qi);
		mem_barrier();
		off = rd16(d->common, VIRTIO_PCI_COMMON_Q_NOFF);
		wr16(d->notify, (unsigned)off * d->notify_mult, (uint16_t)qi);
	}
	mem_barrier();
}

uint32_t virtio_isr(struct virtio_dev *d)
{
	uint32_t s;

	if (d->transport == VIRTIO_MMIO) {
		s = rd32(d->regs, VIRTIO_MMIO_INTERRUPT_STATUS);
		if (s)
			wr32(d->regs, VIRTIO_MMIO_INTERRUPT_ACK, s);
	} else if (d->legacy) {
		s = io_rd(d, VIRTIO_PCI_LEGACY_ISR, 1);    /* reading clears it */
	} else {
		s = rd8(d->isr, 0);                        /* reading clears it */
	}
	mem_barrier();
	return s & (VIRTIO_INT_VRING | VIRTIO_INT_CONFIG);
}

uint64_t virtio_cfg_read(struct virtio_dev *d, unsigned off, unsigned width)
{
	volatile uint8_t *b;

	if (width == 8)
		return virtio_cfg_read(d, off, 4) | virtio_cfg_read(d, off + 4, 4) << 32;
	if (d->transport == VIRTIO_PCI && d->legacy)
		return io_rd(d, VIRTIO_PCI_LEGACY_CONFIG + off, width);
	b = d->transport == VIRTIO_MMIO ? d->regs + VIRTIO_MMIO_CONFIG : d->devcfg;
	if (!b)
		return 0;
	return width == 1 ? rd8(b, off) : width == 2 ? rd16(b, off) : rd32(b, off);
}
