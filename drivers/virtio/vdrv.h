/* SPDX-License-Identifier: MIT */
/*
 * A virtio driver process as the device manager starts it
 * (include/cairn/dev.h): vdrv_open() reads the arguments and capabilities,
 * maps the registers, opens the transport (virtio.h) and the DMA memory;
 * vdrv_dma_alloc() carves that memory; vdrv_ready() sends DEV_READY.
 * drivers/virtio/caps.c.
 */
#ifndef VDRV_H
#define VDRV_H
#include <stdbool.h>
#include <stddef.h>
#include <cairn/sys.h>
#include "virtio.h"

struct vdrv {
	struct virtio_dev dev;
	const char *name;          /* --name, else argv[0] */
	cap_t svc, devmgr, irq;    /* CAP_NULL when not given (svc, devmgr) */
	cap_t dma;
	bool dma_own;              /* no `dma`: our own contiguous object */
	volatile uint8_t *dma_va;
	uint64_t dma_pa, dma_bytes, dma_used;
};

/*
 * Opens the device the arguments name (--mmio PADDR with `regs`, or --pci
 * BB:DD.F with `cfg` and `barN`), checks it is a virtio device_id, maps
 * `dma` (without it, makes own_dma_pages of its own: tests before the
 * device manager). Errors: ERR_INVAL (arguments or capabilities missing),
 * ERR_RANGE (the address is not in the region), ERR_NODEV (no such
 * device there), those of mapping.
 */
err_t vdrv_open(struct vdrv *v, int argc, char **argv, uint32_t device_id, unsigned own_dma_pages);

/* bytes of DMA memory aligned to align (a power of two), its physical
 * address in *pa; NULL when it is used up. */
void *vdrv_dma_alloc(struct vdrv *v, size_t bytes, size_t align, uint64_t *pa);

/* IRQ_BIND of `irq` to note (bits), then IRQ_ACK to unmask it. */
err_t vdrv_irq_bind(struct vdrv *v, cap_t note, uint64_t bits);
err_t vdrv_irq_ack(struct vdrv *v);

/* DEV_READY through `devmgr` (a call; ERR_OK without devmgr). */
err_t vdrv_ready(struct vdrv *v);

#endif
