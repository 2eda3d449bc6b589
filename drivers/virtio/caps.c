/* SPDX-License-Identifier: MIT */
/*
 * Opening a virtio device the way the device manager hands it to its
 * driver (include/cairn/dev.h): the arguments --mmio PADDR or --pci
 * BB:DD.F and --name NAME; the capabilities regs, or cfg and barN; irq,
 * dma, svc, devmgr. Maps what the device needs, finds its registers,
 * binds its interrupt, carves the DMA memory, and says DEV_READY.
 */
#include <string.h>
#include <format.h>
#include <cairn/rt.h>
#include <cairn/dev.h>
#include "vdrv.h"

#define PG CAIRN_PAGE_SIZE

/* x86-64's port-I/O capability (IoPort): (offset, width) -> value and
 * (offset, width, value), the methods the port-I/O work adds to abi.h. */
#ifndef IOPORT_IN
#define IOPORT_IN   84
#define IOPORT_OUT  85
#endif

static uint64_t number(const char *s, bool *ok)
{
	unsigned base = 10;
	uint64_t v = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2, base = 16;
	*ok = *s != 0;
	for (; *s; s++) {
		int dgt = *s >= '0' && *s <= '9' ? *s - '0' : *s >= 'a' && *s <= 'f' ? *s - 'a' + 10 :
			  *s >= 'A' && *s <= 'F' ? *s - 'A' + 10 : 99;
		if (dgt >= (int)base)
			*ok = false;
		v = v * base + (uint64_t)(dgt < 16 ? dgt : 0);
	}
	return v;
}

/* Maps the whole region or object at cap; its size in *bytes and, for an
 * MmioRegion, its physical base in *base. */
static err_t map_all(cap_t cap, volatile uint8_t **va, uint64_t *bytes, uint64_t *base)
{
	struct cairn_msg m;
	void *p;
	err_t e;

	if ((e = cairn_invoke(cap, MEMOBJ_INFO, 0, 0, 0, 0, 0, &m)))
		return e;
	if ((e = cairn_map(cap, 0, m.w[0], CAIRN_PROT_R | CAIRN_PROT_W, &p)))
		return e;
	*va = p;
	*bytes = m.w[0] * PG;
	if (base)
		*base = m.w[1];
	return ERR_OK;
}

static err_t open_mmio(struct vdrv *v, const char *addr)
{
	uint64_t pa, base, bytes;
	volatile uint8_t *va;
	cap_t regs = cairn_cap("regs");
	bool ok;
	err_t e;

	pa = number(addr, &ok);
	if (!ok || regs == CAP_NULL)
		return ERR_INVAL;
	if ((e = map_all(regs, &va, &bytes, &base)))
		return e;
	if (pa < base || pa - base + 0x200 > bytes)
		return ERR_RANGE;
	return virtio_mmio_open(&v->dev, va + (pa - base));
}

/* IoPort methods for a legacy device's I/O BAR on x86-64. */
static uint32_t pio_in(void *ctx, unsigned off, unsigned width)
{
	struct cairn_msg m;

	if (cairn_invoke((cap_t)(uintptr_t)ctx, IOPORT_IN, 0, off, width, 0, 0, &m))
		return 0xffffffffu;
	return (uint32_t)m.w[0];
}

static void pio_out(void *ctx, unsigned off, unsigned width, uint32_t val)
{
	cairn_invoke((cap_t)(uintptr_t)ctx, IOPORT_OUT, 0, off, width, val, 0, NULL);
}

/* BAR i's address from configuration space (a 64-bit BAR takes two). */
static uint64_t bar_addr(volatile uint8_t *cfg, unsigned i, bool *io)
{
	uint32_t lo = *(volatile uint32_t *)(cfg + PCI_CFG_BAR0 + 4 * i);

	*io = lo & 1;
	if (*io)
		return lo & ~3u;
	if (((lo >> 1) & 3) == 2 && i < 5)
		return (lo & ~0xfull) | (uint64_t)*(volatile uint32_t *)(cfg + PCI_CFG_BAR0 + 4 * i + 4) << 32;
	return lo & ~0xfull;
}

static err_t open_pci(struct vdrv *v, const char *addr)
{
	struct virtio_bar bars[6];
	struct virtio_pio pio = { 0 };
	volatile uint8_t *cfg;
	uint64_t bytes, base;
	cap_t c = cairn_cap("cfg");
	char name[8];
	err_t e;

	memset(bars, 0, sizeof(bars));
	if (c == CAP_NULL || strlen(addr) != 7 || addr[2] != ':' || addr[5] != '.')
		return ERR_INVAL;
	if ((e = map_all(c, &cfg, &bytes, NULL)))
		return e;
	for (unsigned i = 0; i < 6; i++) {
		uint64_t type_rights[3], pa;
		volatile uint8_t *va;
		bool io;

		fmt_snprintf(name, sizeof(name), "bar%u", i);
		if ((c = cairn_cap(name)) == CAP_NULL)
			continue;
		pa = bar_addr(cfg, i, &io);
		if ((e = cairn_cap_op(CAP_OP_IDENTIFY, c, 0, 0, 0, type_rights)))
			return e;
		if (type_rights[0] != OBJ_MMIO) {       /* an IoPort: port I/O */
			bars[i].is_io = true;
			pio = (struct virtio_pio){ pio_in, pio_out, (void *)(uintptr_t)c };
			continue;
		}
		if ((e = map_all(c, &va, &bytes, &base)))
			return e;
		/* an I/O BAR in a host bridge's I/O window (riscv64): the BAR holds
		 * the port, the region starts at the page holding it */
		if (io)
			pa = base + (pa & (CAIRN_PAGE_SIZE - 1));
		if (pa < base || pa - base >= bytes)
			return ERR_RANGE;
		bars[i] = (struct virtio_bar){ va + (pa - base), bytes - (pa - base), io };
	}
	return virtio_pci_open(&v->dev, cfg, bars, pio.in ? &pio : NULL);
}

/* The DMA memory: `dma`, or (before the device manager, in tests) our own. */
static err_t open_dma(struct vdrv *v, unsigned own_pages)
{
	struct cairn_msg m;
	uint64_t bytes;
	err_t e;

	v->dma = cairn_cap("dma");
	if (v->dma == CAP_NULL) {
		if ((e = cairn_memobj_create(SLOT_SELF_PROC, own_pages, MEMOBJ_CONTIG, &v->dma)))
			return e;
		v->dma_own = true;
	}
	if ((e = map_all(v->dma, &v->dma_va, &bytes, NULL)))
		return e;
	if ((e = cairn_invoke(v->dma, MEMOBJ_PADDR, 0, 0, 0, 0, 0, &m)))
		return e;
	v->dma_pa = m.w[0];
	v->dma_bytes = bytes;
	v->dma_used = 0;
	return ERR_OK;
}

err_t vdrv_open(struct vdrv *v, int argc, char **argv, uint32_t device_id, unsigned own_dma_pages)
{
	const char *mmio = NULL, *pci = NULL;
	err_t e;

	memset(v, 0, sizeof(*v));
	v->name = argv[0];
	for (int i = 1; i + 1 < argc; i++) {
		if (!strcmp(argv[i], "--mmio"))
			mmio = argv[++i];
		else if (!strcmp(argv[i], "--pci"))
			pci = argv[++i];
		else if (!strcmp(argv[i], "--name"))
			v->name = argv[++i];
	}
	v->svc = cairn_cap("svc");
	v->devmgr = cairn_cap("devmgr");
	v->irq = cairn_cap("irq");
	if (!mmio == !pci || v->irq == CAP_NULL)
		return ERR_INVAL;
	if ((e = mmio ? open_mmio(v, mmio) : open_pci(v, pci)))
		return e;
	if (v->dev.device_id != device_id)
		return ERR_NODEV;
	return open_dma(v, own_dma_pages);
}

void *vdrv_dma_alloc(struct vdrv *v, size_t bytes, size_t align, uint64_t *pa)
{
	size_t at = (v->dma_used + align - 1) & ~(align - 1);

	if (at > v->dma_bytes || bytes > v->dma_bytes - at)
		return NULL;
	v->dma_used = at + bytes;
	*pa = v->dma_pa + at;
	return (void *)(v->dma_va + at);
}

err_t vdrv_irq_bind(struct vdrv *v, cap_t note, uint64_t bits)
{
	err_t e = cairn_invoke_cap(v->irq, IRQ_BIND, note, bits, 0, 0, 0, NULL);

	return e ? e : vdrv_irq_ack(v);
}

err_t vdrv_irq_ack(struct vdrv *v)
{
	return cairn_invoke(v->irq, IRQ_ACK, 0, 0, 0, 0, 0, NULL);
}

err_t vdrv_ready(struct vdrv *v)
{
	if (v->devmgr == CAP_NULL)
		return ERR_OK;
	return cairn_invoke(v->devmgr, DEV_READY, 0, 0, 0, 0, 0, NULL);
}
