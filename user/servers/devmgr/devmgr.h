/* SPDX-License-Identifier: MIT */
/*
 * The device manager's parts (docs/devices.md): the firmware readers
 * (fw.c: the device tree or the ACPI tables from KINFO_FIRMWARE), the buses
 * (bus.c: virtio-mmio slots, PCI Express through ECAM, BAR assignment),
 * and the registry with its drivers (main.c: the table, starting and
 * restarting driver processes, the DEV_* protocol of include/cairn/dev.h).
 */
#ifndef DEVMGR_H
#define DEVMGR_H
#include <stdbool.h>
#include <stdint.h>
#include <cairn/dev.h>
#include <cairn/rt.h>
#include <cairn/spawn.h>
#include "fw.h"

#define MAX_DEVS    48           /* one bit of the exit Notification each */
#define MAX_WAIT    8            /* DEV_LOOKUPs waiting per device */
#define NBARS       6

enum dev_bus { BUS_MMIO, BUS_PCI };
enum dev_state { ST_NONE, ST_STARTING, ST_UP, ST_RESTARTING, ST_FAILED };

/* A PCI base address register in use. */
struct pci_bar {
	uint64_t addr, size;         /* bus address (I/O: port) and size; size 0: unused */
	uint64_t cpu;                /* where the CPU reaches it (I/O on riscv64: the window) */
	bool io, is64;
	cap_t cap;                   /* MmioRegion (or IoPort) for the driver, CAP_NULL: none */
};

/* A driver table entry: a virtio device id, or PCI vendor and device ids,
 * -> a program in the boot image. */
struct driver {
	uint32_t virtio_id;          /* 0: matched by the PCI ids */
	uint16_t pci_vendor, pci_device;
	char stem[DEV_NAME_MAX + 1]; /* "blk": blk0, blk1...; "rng": rng, rng1... */
	bool numbered;               /* the first is stem0 (else stem alone) */
	char path[64];
	char arg[32];                /* one more argument for the driver, "" none */
	unsigned count;              /* devices named so far */
	uint64_t elf_off, elf_size;  /* the program in the boot image (size 0: absent) */
};

struct device {
	enum dev_bus bus;
	char name[DEV_NAME_MAX + 1]; /* "" without a driver */
	uint64_t paddr;              /* virtio-mmio: the register block; PCI: its config page */
	unsigned pbus, pdev, pfn;
	uint32_t vendor, device, class;
	uint32_t virtio_id;          /* 0: not a virtio device */
	uint32_t irq;                /* PLIC source or GSI; 0: none */
	volatile uint8_t *regs;      /* our mapping of paddr (one page) */
	cap_t regs_cap;              /* MmioRegion of paddr: `regs` or `cfg` */
	struct pci_bar bar[NBARS];
	cap_t irq_cap;               /* CAP_NULL: none */
	struct driver *drv;          /* NULL: no driver */
	/* with a driver */
	enum dev_state state;
	cap_t svc, svc_client, dma;  /* svc: rwg; the clients' copy: wg */
	struct cairn_child child;
	bool running, restart_asked;
	unsigned fails, gen;         /* failures in a row; starts so far */
	uint64_t started_ns;         /* when this start began (the DEV_READY timeout) */
	uint64_t restart_at;         /* a restart waits until then (0: none waits) */
	cap_t waiters[MAX_WAIT];     /* saved Replies of DEV_LOOKUPs */
	unsigned nwait;
};

extern struct device devs[MAX_DEVS];
extern unsigned ndevs;

/* bus.c */
void bus_init(void);
/* Quiesces a device whose driver ended (virtio-mmio: Status 0; PCI: bus
 * master off, INTx disabled), and undoes it before a driver starts (PCI:
 * bus master on, INTx enabled). */
void dev_quiesce(struct device *d);
void dev_unquiesce(struct device *d);

/* main.c */
/* The driver for a virtio device id, or for PCI ids (virtio_id 0); NULL:
 * none. */
struct driver *driver_for(uint32_t virtio_id, uint16_t pci_vendor, uint16_t pci_device);
/* A new device record (NULL: the table is full; logged). */
struct device *dev_new(void);
err_t get_irq(uint32_t irq, cap_t *out);


#endif
