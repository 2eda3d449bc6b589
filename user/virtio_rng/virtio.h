/* SPDX-License-Identifier: MIT */
/*
 * virtio over MMIO: the register block of a virtio-mmio transport and the
 * split virtqueue layout (virtio 1.x spec, sections 2.7 "Split
 * Virtqueues" and 4.2 "Virtio Over MMIO"), both the modern interface
 * (Version 2) and the legacy one (Version 1, section 4.2.4).
 */
#ifndef VIRTIO_H
#define VIRTIO_H
#include <stdint.h>

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

#define VIRTIO_MMIO_MAGIC               0x74726976u

/* InterruptStatus / InterruptACK bits */
#define VIRTIO_MMIO_INT_VRING           1u      /* a used buffer */
#define VIRTIO_MMIO_INT_CONFIG          2u      /* configuration change */

/* Device status bits */
#define VIRTIO_STATUS_ACKNOWLEDGE       1u
#define VIRTIO_STATUS_DRIVER            2u
#define VIRTIO_STATUS_DRIVER_OK         4u
#define VIRTIO_STATUS_FEATURES_OK       8u
#define VIRTIO_STATUS_NEEDS_RESET       64u
#define VIRTIO_STATUS_FAILED            128u

/* Feature bits */
#define VIRTIO_F_VERSION_1              32      /* the modern interface */

/* Device IDs */
#define VIRTIO_ID_ENTROPY               4

/* ---- split virtqueue ------------------------------------------------------------------- */
#define VIRTQ_DESC_F_NEXT               1u
#define VIRTQ_DESC_F_WRITE              2u      /* device writes (otherwise reads) */
#define VIRTQ_AVAIL_F_NO_INTERRUPT      1u

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

/* Legacy layout: descriptors, then the available ring right after them,
 * then the used ring at the next QueueAlign boundary. */
#define VIRTQ_DESC_BYTES(n)   (16u * (n))
#define VIRTQ_AVAIL_BYTES(n)  (6u + 2u * (n))
#define VIRTQ_USED_BYTES(n)   (6u + 8u * (n))

#endif
