/* SPDX-License-Identifier: MIT */
/*
 * The device manager's registry from a client's side (include/cairn/dev.h):
 * finding a device's service by name. user/lib/dev.c.
 */
#ifndef CAIRN_DEV_CLIENT_H
#define CAIRN_DEV_CLIENT_H
#include <cairn/dev.h>
#include <cairn/sys.h>

/*
 * DEV_LOOKUP of name ("blk0", "rng") on the device manager's Endpoint
 * devmgr: the service's Endpoint (write and grant) in *svc. flags:
 * DEV_NOWAIT, or 0 to wait while the devices are enumerated or the
 * driver is starting. Errors: ERR_INVAL (an empty name or one longer than
 * DEV_NAME_MAX), the device manager's (ERR_NOENT: no such device;
 * ERR_NODEV: its driver failed; ERR_AGAIN: not up yet, with DEV_NOWAIT),
 * the call's, and ERR_IO for an answer without the capability.
 */
err_t cairn_dev_lookup(cap_t devmgr, const char *name, unsigned flags, cap_t *svc);

#endif
