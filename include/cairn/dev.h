/* SPDX-License-Identifier: MIT */
/*
 * Devices: the device manager's protocol (the registry where clients find
 * a device's service by name), what a driver process is started with, and
 * the random-bytes protocol that the virtio-rng driver and the entropy
 * server both speak. Conventions as in include/cairn/posix.h: a request is
 * a SYS_CALL whose label is the operation, the answer's label an err_t,
 * bytes inline from word 4 of the IPC buffer. A name inline is padded
 * with NULs to a whole word (ERR_INVAL: empty, or longer than
 * DEV_NAME_MAX).
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
 *   dma      a contiguous MemoryObject (all rights; MEMOBJ_PADDR works) of
 *            DEV_DMA_PAGES pages (MEMOBJ_INFO says), zeroed, for the
 *            driver's rings and bounce buffers. The device manager keeps it
 *            too, and quiesces the device (virtio reset, PCI bus master
 *            off and INTx disabled) before it lets the memory go, so a
 *            device never writes to a page that was given back; a
 *            restarted driver gets a new one.
 *   irq      the device's IrqLine (INTx through the PLIC or the IOAPIC, or
 *            a virtio-mmio slot's PLIC line), not bound yet: the driver
 *            binds it to its own Notification. Absent when the device has
 *            no line. PCI functions whose INTx share a line get the same
 *            IrqLine (a second IRQ_BIND takes it over: no sharing yet).
 *   For a virtio-mmio device:
 *     regs   an MmioRegion of the page(s) holding the register block.
 *   For a PCI function:
 *     cfg    an MmioRegion of its 4 KiB configuration space (ECAM), read
 *            and write. The device manager has enabled memory (and I/O)
 *            decoding and bus mastering.
 *     barN   for each BAR N in use: an MmioRegion covering a memory BAR
 *            (its pages: the BAR's address rounded down to a page, its end
 *            up), or an IoPort capability for an I/O BAR on x86-64 (when
 *            init gave the device manager `ioportctl`); on riscv64 an I/O BAR is
 *            an MmioRegion of the page(s) of the host bridge's I/O window
 *            holding it. A 64-bit BAR is named by its first index. The
 *            device manager gave unassigned BARs their addresses (riscv64
 *            virt), page-aligned at least.
 * and these arguments (argv[0] is the program):
 *   --name NAME          the service's name in the registry (blk0, rng, ...)
 *   --mmio PADDR         virtio-mmio: the register block's physical address
 *                        (the region's base is MEMOBJ_INFO's w1 on `regs`)
 *   --pci BB:DD.F        PCI: the function's address (hex bus and device,
 *                        as 00:03.0); each BAR's address is read from
 *                        `cfg`, each region's base from MEMOBJ_INFO's w1
 *                        on `barN`
 *   ARG                  one more argument when the driver table has one
 *                        (the device manager's --driver ID=STEM:PATH:ARG)
 * Its quota is its own memory (heap, stack, objects): DEV_DRIVER_QUOTA.
 * When a driver ends other than by the device manager's DEV_RESTART, the
 * device manager logs how, quiesces the device and starts it again (at
 * most DEV_RESTART_MAX times in a row without a DEV_READY in between;
 * then the device is `failed`). A driver that has not sent DEV_READY
 * within the device manager's ready timeout (10 s unless its
 * --ready-timeout says) is killed, which counts as such an end.
 *
 * ---- Names and the manage badge --------------------------------------------------
 * The device manager's table: virtio device id 2 (block) -> bin/virtio_blk,
 * named blk0, blk1, ... ; id 4 (entropy) -> bin/virtio_rng, named rng,
 * rng1, ... ; virtio-mmio slots first (by address), then PCI (by address).
 * Its clients hold its endpoint unbadged (DEV_LOOKUP, DEV_LIST). The
 * manage badge (DEV_RESTART) is handed out on a second endpoint, the
 * device manager's `admin` in the manifest: DEV_MANAGE there answers with
 * cap0 = the device manager's endpoint (write right) minted with it.
 */
#ifndef CAIRN_DEV_H
#define CAIRN_DEV_H
#include <stdint.h>
#include <cairn/abi.h>

#define DEV_NAME_MAX     15       /* "blk0", "rng", "net0": at most 15 bytes */
#define DEV_RESTART_MAX  5
#define DEV_DMA_PAGES    64       /* a driver's `dma`: 256 KiB */
#define DEV_DRIVER_QUOTA (512u << 10)

/* ---- the device manager (labels 0x500..) ------------------------------------------ */
enum {
	DEV_LOOKUP = 0x500,   /* (flags) + the name inline (NUL-padded to a whole word)
	                       * -> cap0 = the service's Endpoint (write and grant
	                       * rights: a client may send the driver capabilities,
	                       * the memory of shared queues). The answer waits
	                       * while the devices are still being enumerated or the
	                       * service's driver has not said DEV_READY yet (unless
	                       * DEV_NOWAIT: ERR_AGAIN).
	                       * ERR_NOENT: no such device (enumeration is over);
	                       * ERR_NODEV: its driver failed DEV_RESTART_MAX times */
	DEV_LIST,             /* (first) -> (count, total), text inline: one line per
	                       * device from index first, as many as fit:
	                       * "NAME BUS ADDRESS VENDOR:DEVICE CLASS DRIVER STATE\n"
	                       * (NAME "-" and DRIVER "-" for a device without a
	                       * driver; STATE up, starting, restarting, failed, none).
	                       * BUS "virtio-mmio": ADDRESS the registers (0x10008000),
	                       * VENDOR:DEVICE the virtio vendor and device ids, CLASS
	                       * "-"; BUS "pci": ADDRESS BB:DD.F, the PCI ids and the
	                       * class code (6 hex digits) */
	DEV_READY,            /* from a driver, through its `devmgr` capability: it
	                       * serves `svc` now (clients waiting in DEV_LOOKUP get it) */
	DEV_RESTART,          /* (flags) + the name inline: kill the service's driver
	                       * and start it again, or start a `failed` one anew
	                       * (tests; needs the manage badge: ERR_PERM) */
	DEV_MANAGE,           /* on the `admin` endpoint only: -> cap0 = the device
	                       * manager's endpoint with the manage badge */
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
