/* SPDX-License-Identifier: MIT */
/*
 * Devices: the device manager's protocol (the registry where clients find
 * a device's service by name), what a driver process is started with, and
 * the random-bytes protocol that the virtio-rng driver and the entropy
 * server both speak. Conventions as in include/cairn/posix.h: a request is
 * a SYS_CALL whose label is the operation, the answer's label an err_t,
 * bytes inline from word 4 of the IPC buffer.
 *
 * ---- How the device manager starts a driver ------------------------------------
 * For each device it has a driver for (its table: the driver's program in
 * the boot image), the device manager makes the device's capabilities and
 * starts the driver with exactly these (names in the start-up block):
 *   console  DebugConsole, write right (log lines).
 *   devmgr   the device manager's Endpoint, write right, minted with a badge
 *            naming this driver: it sends DEV_READY there once it serves.
 *   svc      an Endpoint (read, write, grant) the driver serves. The device
 *            manager keeps it: it outlives the driver, so clients keep their
 *            capability across a restart (calls in flight then fail).
 *   dma      a contiguous MemoryObject (all rights; MEMOBJ_PADDR works) for
 *            the driver's rings and bounce buffers. The device manager keeps
 *            it too, and quiesces the device (virtio reset, PCI bus master
 *            off) before it lets the memory go, so a device never writes
 *            to a page that was given back.
 *   irq      the device's IrqLine (INTx through the PLIC or the IOAPIC, or
 *            a virtio-mmio slot's PLIC line), not bound yet: the driver
 *            binds it to its own Notification.
 *   For a virtio-mmio device:
 *     regs   an MmioRegion of the page(s) holding the register block.
 *   For a PCI function:
 *     cfg    an MmioRegion of its 4 KiB configuration space (ECAM), read
 *            and write. The device manager has enabled memory (and I/O)
 *            decoding and bus mastering.
 *     barN   for each BAR N in use: an MmioRegion covering a memory BAR
 *            (page-aligned), or an IoPort capability for an I/O BAR on
 *            x86-64 (on riscv64 an I/O BAR is an MmioRegion in the host
 *            bridge's I/O window). A 64-bit BAR is named by its first index.
 * and these arguments (argv[0] is the program):
 *   --name NAME          the service's name in the registry (blk0, rng, ...)
 *   --mmio PADDR         virtio-mmio: the register block's physical address
 *                        (the region's base is MEMOBJ_INFO's w1 on `regs`)
 *   --pci BB:DD.F        PCI: the function's address; each BAR's address
 *                        is read from `cfg`, each region's base from
 *                        MEMOBJ_INFO's w1 on `barN`
 * Its quota is its own memory (heap, stack, objects), a few hundred KiB.
 * When a driver ends other than by the device manager's DEV_RESTART, the
 * device manager logs how, quiesces the device and starts it again (at
 * most DEV_RESTART_MAX times in a row without a DEV_READY in between).
 */
#ifndef CAIRN_DEV_H
#define CAIRN_DEV_H
#include <stdint.h>
#include <cairn/abi.h>

#define DEV_NAME_MAX     15       /* "blk0", "rng", "net0": at most 15 bytes */
#define DEV_RESTART_MAX  5

/* ---- the device manager (labels 0x500..) ------------------------------------------ */
enum {
	DEV_LOOKUP = 0x500,   /* (flags) + the name inline -> cap0 = the service's Endpoint
	                       * (write right). The answer waits while the devices are
	                       * still being enumerated or the service's driver has not
	                       * said DEV_READY yet (unless DEV_NOWAIT: ERR_AGAIN).
	                       * ERR_NOENT: no such device (enumeration is over);
	                       * ERR_NODEV: its driver failed DEV_RESTART_MAX times */
	DEV_LIST,             /* (first) -> (count, total), text inline: one line per
	                       * device from index first, as many as fit:
	                       * "NAME BUS ADDRESS VENDOR:DEVICE CLASS DRIVER STATE\n"
	                       * (NAME "-" and DRIVER "-" for a device without a
	                       * driver; STATE up, starting, restarting, failed, none) */
	DEV_READY,            /* from a driver, through its `devmgr` capability: it
	                       * serves `svc` now (clients waiting in DEV_LOOKUP get it) */
	DEV_RESTART,          /* (flags) + the name inline: kill the service's driver
	                       * and start it again (tests; needs the manage badge) */
};

#define DEV_NOWAIT  1u

/* ---- random bytes (labels 0x700..): the virtio-rng driver and the entropy server --- */
enum {
	RNG_READ = 0x700,     /* (n) -> (n') + n' bytes inline, 0 < n' <= n; n at most
	                       * RNG_READ_MAX. A driver answers what the device gave
	                       * (it may wait for the device); the entropy server
	                       * answers all n from its generator */
	RNG_INFO,             /* -> (flags): RNG_HW when a hardware source feeds it */
};

#define RNG_READ_MAX  256
#define RNG_HW        1u

#endif
