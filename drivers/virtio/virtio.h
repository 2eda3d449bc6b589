/* SPDX-License-Identifier: MIT */
/*
 * The virtio library of Cairn's userland virtio drivers (drivers/virtio/):
 * what the virtio 1.x specification defines (the virtio-mmio registers,
 * section 4.2; the virtio PCI capabilities and the legacy I/O registers,
 * section 4.1; the split virtqueue, section 2.7) and the transport API a
 * driver uses to reach its device whatever the bus:
 *
 *   virtio_mmio_open() / virtio_pci_open()   find and check the device
 *   virtio_negotiate()                       reset, status, feature bits
 *   virtio_queue_setup()                     give a virtqueue to the device
 *   virtio_driver_ok(), virtio_notify(), virtio_isr(), virtio_cfg_read()
 *   virtio_reset()                           stop it (the device forgets its queues)
 *
 * The virtqueue itself (descriptor chains, free list, the rings) is
 * virtq.h: plain memory, no device registers, tested on the host.
 * caps.c opens a device from the capabilities and arguments the device
 * manager gives a driver (include/cairn/dev.h). docs/drivers.md tells the
 * whole story.
 */
#ifndef VIRTIO_H
#define VIRTIO_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cairn/err.h>

/* ---- virtio-mmio registers (byte offsets, 32-bit, little endian) ---------------------- */
#define VIRTIO_MMIO_MAGIC_VALUE         0x000   /* 0x74726976, "virt" */
#define VIRTIO_MMIO_VERSION             0x004   /* 2 modern, 1 legacy */
#define VIRTIO_MMIO_DEVICE_ID           0x008   /* 0: no device behind this transport */
#define VIRTIO_MMIO_VENDOR_ID           0x00c
#define VIRTIO_MMIO_DEVICE_FEATURES     0x010
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014
#define VIRTIO_MMIO_DRIVER_FEATURES     0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024
#define VIRTIO_MMIO_GUEST_PAGE_SIZE     0x028   /* legacy only */
#define VIRTIO_MMIO_QUEUE_SEL           0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX       0x034
#define VIRTIO_MMIO_QUEUE_NUM           0x038
#define VIRTIO_MMIO_QUEUE_ALIGN         0x03c   /* legacy only */
#define VIRTIO_MMIO_QUEUE_PFN           0x040   /* legacy only */
#define VIRTIO_MMIO_QUEUE_READY         0x044   /* modern only */
#define VIRTIO_MMIO_QUEUE_NOTIFY        0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS    0x060
#define VIRTIO_MMIO_INTERRUPT_ACK       0x064
#define VIRTIO_MMIO_STATUS              0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW      0x080   /* modern only, to 0x0a4 */
#define VIRTIO_MMIO_QUEUE_DESC_HIGH     0x084
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW    0x090   /* the available ring */
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH   0x094
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW    0x0a0   /* the used ring */
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH   0x0a4
#define VIRTIO_MMIO_CONFIG_GENERATION   0x0fc
#define VIRTIO_MMIO_CONFIG              0x100   /* the device's configuration */

#define VIRTIO_MMIO_MAGIC               0x74726976u

/* InterruptStatus / InterruptACK bits (the PCI ISR byte has the same two) */
#define VIRTIO_INT_VRING                1u      /* a used buffer */
#define VIRTIO_INT_CONFIG               2u      /* configuration change */
#define VIRTIO_MMIO_INT_VRING           VIRTIO_INT_VRING
#define VIRTIO_MMIO_INT_CONFIG          VIRTIO_INT_CONFIG

/* ---- virtio over PCI ------------------------------------------------------------------ */
#define VIRTIO_PCI_VENDOR               0x1af4
#define PCI_CFG_VENDOR                  0x00
#define PCI_CFG_DEVICE                  0x02
#define PCI_CFG_COMMAND                 0x04
#define PCI_CFG_STATUS                  0x06
#define PCI_CFG_BAR0                    0x10
#define PCI_CFG_SUBSYS_ID               0x2e    /* a transitional device's virtio id */
#define PCI_CFG_CAP_PTR                 0x34
#define PCI_CMD_IO                      0x1u
#define PCI_CMD_MEMORY                  0x2u
#define PCI_CMD_MASTER                  0x4u
#define PCI_CMD_INTX_DISABLE            0x400u
#define PCI_STATUS_CAP_LIST             0x10u
#define PCI_CAP_ID_VENDOR               0x09

/* struct virtio_pci_cap fields (byte offsets in the capability) */
#define VIRTIO_PCI_CAP_CFG_TYPE         3
#define VIRTIO_PCI_CAP_BAR              4
#define VIRTIO_PCI_CAP_OFFSET           8
#define VIRTIO_PCI_CAP_LENGTH           12
#define VIRTIO_PCI_NOTIFY_MULT          16      /* virtio_pci_notify_cap only */
#define VIRTIO_PCI_CAP_COMMON_CFG       1
#define VIRTIO_PCI_CAP_NOTIFY_CFG       2
#define VIRTIO_PCI_CAP_ISR_CFG          3
#define VIRTIO_PCI_CAP_DEVICE_CFG       4

/* struct virtio_pci_common_cfg (byte offsets) */
#define VIRTIO_PCI_COMMON_DFSELECT      0
#define VIRTIO_PCI_COMMON_DF            4
#define VIRTIO_PCI_COMMON_GFSELECT      8
#define VIRTIO_PCI_COMMON_GF            12
#define VIRTIO_PCI_COMMON_MSIX          16
#define VIRTIO_PCI_COMMON_NUMQ          18
#define VIRTIO_PCI_COMMON_STATUS        20
#define VIRTIO_PCI_COMMON_CFGGEN        21
#define VIRTIO_PCI_COMMON_Q_SELECT      22
#define VIRTIO_PCI_COMMON_Q_SIZE        24
#define VIRTIO_PCI_COMMON_Q_MSIX        26
#define VIRTIO_PCI_COMMON_Q_ENABLE      28
#define VIRTIO_PCI_COMMON_Q_NOFF        30
#define VIRTIO_PCI_COMMON_Q_DESCLO      32
#define VIRTIO_PCI_COMMON_Q_DESCHI      36
#define VIRTIO_PCI_COMMON_Q_AVAILLO     40
#define VIRTIO_PCI_COMMON_Q_AVAILHI     44
#define VIRTIO_PCI_COMMON_Q_USEDLO      48
#define VIRTIO_PCI_COMMON_Q_USEDHI      52
#define VIRTIO_MSI_NO_VECTOR            0xffff

/* The legacy interface in I/O BAR 0 (byte offsets) */
#define VIRTIO_PCI_LEGACY_HOST_FEATURES  0      /* 32 */
#define VIRTIO_PCI_LEGACY_GUEST_FEATURES 4      /* 32 */
#define VIRTIO_PCI_LEGACY_QUEUE_PFN      8      /* 32 */
#define VIRTIO_PCI_LEGACY_QUEUE_NUM      12     /* 16 */
#define VIRTIO_PCI_LEGACY_QUEUE_SEL      14     /* 16 */
#define VIRTIO_PCI_LEGACY_QUEUE_NOTIFY   16     /* 16 */
#define VIRTIO_PCI_LEGACY_STATUS         18     /* 8 */
#define VIRTIO_PCI_LEGACY_ISR            19     /* 8 */
#define VIRTIO_PCI_LEGACY_CONFIG         20     /* the device's configuration (no MSI-X) */

/* ---- device status, features, ids ------------------------------------------------------ */
#define VIRTIO_STATUS_ACKNOWLEDGE       1u
#define VIRTIO_STATUS_DRIVER            2u
#define VIRTIO_STATUS_DRIVER_OK         4u
#define VIRTIO_STATUS_FEATURES_OK       8u
#define VIRTIO_STATUS_NEEDS_RESET       64u
#define VIRTIO_STATUS_FAILED            128u

#define VIRTIO_F_VERSION_1              32      /* the modern interface */

#define VIRTIO_ID_BLOCK                 2
#define VIRTIO_ID_ENTROPY               4

/* ---- split virtqueue ------------------------------------------------------------------- */
#define VIRTQ_DESC_F_NEXT               1u
#define VIRTQ_DESC_F_WRITE              2u      /* device writes (otherwise reads) */
#define VIRTQ_AVAIL_F_NO_INTERRUPT      1u
#define VIRTQ_USED_F_NO_NOTIFY          1u

struct virtq_desc {
	uint64_t addr;          /* guest physical */
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct virtq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];        /* then uint16_t used_event */
};

struct virtq_used_elem {
	uint32_t id;            /* head of the descriptor chain */
	uint32_t len;           /* bytes the device wrote */
};

struct virtq_used {
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem ring[];   /* then uint16_t avail_event */
};

/* The layout every transport accepts (the legacy one, QueueAlign 4096):
 * descriptors, the available ring right after them, the used ring at the
 * next 4096-byte boundary. */
#define VIRTQ_ALIGN           4096u
#define VIRTQ_DESC_BYTES(n)   (16u * (n))
#define VIRTQ_AVAIL_BYTES(n)  (6u + 2u * (n))
#define VIRTQ_USED_BYTES(n)   (6u + 8u * (n))
#define VIRTQ_USED_OFF(n)     ((VIRTQ_DESC_BYTES(n) + VIRTQ_AVAIL_BYTES(n) + VIRTQ_ALIGN - 1) & \
			       ~(VIRTQ_ALIGN - 1))
#define VIRTQ_BYTES(n)        ((VIRTQ_USED_OFF(n) + VIRTQ_USED_BYTES(n) + VIRTQ_ALIGN - 1) & \
			       ~(VIRTQ_ALIGN - 1))

/* ---- the transport API ------------------------------------------------------------------ */
enum virtio_transport { VIRTIO_MMIO = 1, VIRTIO_PCI = 2 };

/*
 * Register access to a legacy PCI device's I/O BAR when it is not memory
 * mapped (x86-64's port I/O): read or write `width` bytes (1, 2, 4) at
 * offset off. NULL: the BAR is memory mapped at io.
 */
struct virtio_pio {
	uint32_t (*in)(void *ctx, unsigned off, unsigned width);
	void (*out)(void *ctx, unsigned off, unsigned width, uint32_t v);
	void *ctx;
};

struct virtio_dev {
	enum virtio_transport transport;
	bool legacy;                    /* virtio 0.9.5: no VERSION_1, page-number queues */
	uint32_t device_id;             /* VIRTIO_ID_* */
	uint64_t features;              /* negotiated */
	/* virtio-mmio */
	volatile uint8_t *regs;
	/* virtio-pci modern: the structures of the vendor capabilities */
	volatile uint8_t *common, *notify, *isr, *devcfg;
	uint32_t notify_mult;
	/* virtio-pci legacy: the I/O BAR, mapped (io) or through pio */
	volatile uint8_t *io;
	struct virtio_pio pio;
};

/* A BAR of a PCI function as the driver mapped it (NULL va: not mapped). */
struct virtio_bar {
	volatile uint8_t *va;
	uint64_t len;
	bool is_io;
};

/*
 * Checks a virtio-mmio register block mapped at regs: magic, Version 1 or
 * 2, a device behind it. Fills *d. ERR_NODEV: no virtio device (bad magic,
 * unknown version, DeviceID 0).
 */
err_t virtio_mmio_open(struct virtio_dev *d, volatile void *regs);

/*
 * Opens a virtio PCI function from its configuration space (cfg, 4 KiB)
 * and its BARs: the modern interface when its capabilities are there
 * (common, notify, ISR and device configuration each in a mapped memory
 * BAR), else, when legacy is allowed, the legacy one in I/O BAR 0 (mapped,
 * or reached through pio). Enables memory or I/O decoding and bus
 * mastering and INTx. ERR_NODEV: not a virtio device, or neither
 * interface usable; ERR_INVAL: a capability points outside its BAR.
 */
err_t virtio_pci_open(struct virtio_dev *d, volatile void *cfg, const struct virtio_bar bars[6],
		      const struct virtio_pio *pio);

/*
 * Resets the device and negotiates: ACKNOWLEDGE, DRIVER, the features both
 * sides have out of `want` (a modern device also gets VERSION_1, which it
 * must offer), FEATURES_OK (modern: checked). d->features says what was
 * agreed. ERR_IO: the device did not reset or refused the features.
 */
err_t virtio_negotiate(struct virtio_dev *d, uint64_t want);

/*
 * Gives queue qi to the device: its size is *num (a power of two), halved
 * until the device's maximum allows it, and written back; its rings at
 * physical address pa laid out as VIRTQ_* says (VIRTQ_BYTES(*num) bytes,
 * 4096 aligned). ERR_NODEV: no such queue; ERR_INVAL: pa not aligned or
 * too high for a legacy device, or a legacy PCI device whose queue size
 * (fixed by the device) is more than *num; ERR_IO: the device did not
 * take it.
 */
err_t virtio_queue_setup(struct virtio_dev *d, unsigned qi, unsigned *num, uint64_t pa);

/* DRIVER_OK: the device may use its queues. ERR_IO: it reports FAILED or NEEDS_RESET. */
err_t virtio_driver_ok(struct virtio_dev *d);

/* Tells the device queue qi has new available buffers. */
void virtio_notify(struct virtio_dev *d, unsigned qi);

/* Reads and acknowledges the interrupt status: VIRTIO_INT_* bits. */
uint32_t virtio_isr(struct virtio_dev *d);

/* Reads width (1, 2, 4 or 8) bytes at off of the device's configuration. */
uint64_t virtio_cfg_read(struct virtio_dev *d, unsigned off, unsigned width);

/* Writes status 0: the device stops, forgets its queues and features.
 * False if it does not read back 0. */
bool virtio_reset(struct virtio_dev *d);

/* The device status register. */
uint8_t virtio_status(struct virtio_dev *d);

/* "virtio-mmio version 2 (modern)", "virtio-pci (legacy)", ... */
const char *virtio_describe(const struct virtio_dev *d);

#endif
