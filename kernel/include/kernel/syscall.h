/* SPDX-License-Identifier: MIT */
/* System-call dispatch and the methods of kernel objects. */
#ifndef KERNEL_SYSCALL_H
#define KERNEL_SYSCALL_H
#include <kernel/ipc.h>

/*
 * Invokes a method of the kernel object behind c (anything but an
 * Endpoint) with message in; the answer goes to out: label = the method's
 * err_t, words = its results. caps_ok: the message may carry capabilities
 * in the caller's IPC buffer (not from rings).
 */
void obj_invoke(struct cap *c, const struct msg *in, struct msg *out, bool caps_ok);

/* Methods of the device-like objects (devobj.c); same contract, returns
 * the method's error. */
err_t devobj_invoke(struct cap *c, unsigned method, const struct msg *in, struct msg *out,
		    struct cap *cap0);
/* Creates a Timer (PROC_CREATE). */
struct kobj *timer_create(struct quota *q);
/* The boot-time root objects for init. */
struct kobj *devobj_root(unsigned type);

#endif
