/* SPDX-License-Identifier: MIT */
/*
 * The stub driver's protocol on its `svc` endpoint (user/tests/stubdrv),
 * which user/tests/devtest speaks: private to the two test programs.
 */
#ifndef STUB_H
#define STUB_H

enum {
	STUB_PING = 0x5f0,    /* -> (id0, id1, process object id, problems): id0 is what
	                       * the registers say (virtio-mmio: the magic, PCI: the
	                       * vendor and device id word), id1 the virtio-mmio device
	                       * id (PCI: the class word; with --edu 1 when the
	                       * edu device's interrupt arrived); problems counts what was
	                       * wrong with its capabilities and arguments (0: none) */
	STUB_CRASH,           /* the driver faults (no answer) */
};

#define STUB_READY_DELAY_NS  50000000ull   /* it says DEV_READY this long after it starts */

#endif
