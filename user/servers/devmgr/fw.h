/* SPDX-License-Identifier: MIT */
/*
 * The device manager's firmware readers (fw.c): what they find, and the
 * bus probes they call (bus.c). Kept free of the Cairn runtime so that
 * tests/host/test_devmgr_fw.c runs fw.c on the host, under sanitizers,
 * with the probes stubbed.
 */
#ifndef DEVMGR_FW_H
#define DEVMGR_FW_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cairn/err.h>

int printf(const char *fmt, ...);
#define LOG(...) printf("devmgr: " __VA_ARGS__)

/* The host bridge of a PCI Express segment, as the firmware describes it. */
struct pci_window {
	uint64_t pci, cpu, size;     /* bus address, CPU address, size; size 0: none */
	uint64_t next;               /* the next free bus address (BAR assignment) */
};

struct pci_host {
	uint64_t ecam;               /* bus 0's configuration space (CPU address) */
	unsigned bus_first, bus_last;
	bool assign;                 /* give addresses to BARs the firmware left at 0 */
	struct pci_window io, mem32, mem64;
	/* INTx: the device tree's interrupt-map (fdt, node), or q35's ICH9
	 * routing; neither: no INTx */
	const void *fdt;
	int node;
	bool ich9;
};

/* Reads the firmware's tables (bytes long: a device tree blob, or ACPI
 * tables as KINFO_FIRMWARE gives them) and calls mmio_probe() for each
 * virtio-mmio slot and pci_scan() for each host bridge. Nothing in them is
 * trusted. ERR_INVAL: a device tree that is malformed (nothing probed). */
err_t fw_parse(const void *blob, size_t bytes);
/* The PLIC source of a PCI function's INTx pin (1..4) through the device
 * tree's interrupt-map; 0 when it has none. */
uint32_t fw_dt_intx(const struct pci_host *h, unsigned bus, unsigned dev, unsigned fn, unsigned pin);

/* A virtio-mmio slot at [base, base + size) with interrupt irq: added when
 * the magic and version are right and a device is attached (id != 0). */
void mmio_probe(uint64_t base, uint64_t size, uint32_t irq);
/* Every function on the host's buses: BARs sized (and assigned), decoding
 * and bus mastering on for the ones a driver gets. */
void pci_scan(struct pci_host *h);

#endif
