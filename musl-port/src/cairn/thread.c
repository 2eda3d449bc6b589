/* SPDX-License-Identifier: MIT */
/*
 * futex, for a process of one thread (clone is not implemented yet, so
 * nobody else can change or wake a futex word): FUTEX_WAIT returns EAGAIN
 * when the word differs, else sleeps for its timeout (ETIMEDOUT) or for
 * ever, as Linux would with no other thread; wakes wake nobody (0). The
 * priority-inheritance and wake-op forms are not implemented (ENOSYS,
 * said once each).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <time.h>
#include "futex.h"
#include "cairn_impl.h"

#define FUTEX_WAKE_BITSET  10
#define FUTEX_CMD_MASK     (~(FUTEX_PRIVATE | FUTEX_CLOCK_REALTIME))

long __cairn_futex(int *uaddr, long op, long val, const void *ts, int *uaddr2, long val3)
{
	const struct timespec *t = ts;
	uint64_t ns = CAIRN_FOREVER, now;
	long cmd = op & FUTEX_CMD_MASK;
	err_t e;

	if ((uintptr_t)uaddr & 3)
		return -EINVAL;
	switch (cmd) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET:
		if (cmd == FUTEX_WAIT_BITSET && !(uint32_t)val3)
			return -EINVAL;
		if (t && (t->tv_sec < 0 || t->tv_nsec < 0 || t->tv_nsec >= 1000000000))
			return -EINVAL;
		if (*(volatile int *)uaddr != (int)val)
			return -EAGAIN;
		if (t) {
			ns = (uint64_t)t->tv_sec >= (CAIRN_FOREVER - 1) / 1000000000u - 1 ? CAIRN_FOREVER - 1 :
			     (uint64_t)t->tv_sec * 1000000000u + (uint64_t)t->tv_nsec;
			if (cmd == FUTEX_WAIT_BITSET) {   /* absolute */
				if ((e = __cairn_now(&now)))
					return cairn_errno(e == ERR_NOENT ? ERR_NOSYS : e);
				ns = ns > now ? ns - now : 0;
			}
		}
		e = __cairn_sleep(ns);
		if (e == ERR_INTR)
			return -EINTR;
		return e ? cairn_errno(e) : -ETIMEDOUT;
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET:
		if (cmd == FUTEX_WAKE_BITSET && !(uint32_t)val3)
			return -EINVAL;
		return 0;
	case FUTEX_REQUEUE:
		return 0;
	case FUTEX_CMP_REQUEUE:
		return *(volatile int *)uaddr != (int)val3 ? -EAGAIN : 0;
	}
	__cairn_unimplemented(CAIRN_UNIMP_FUTEX, (unsigned long)cmd,
			      cmd == FUTEX_WAKE_OP ? "futex FUTEX_WAKE_OP" : "futex priority inheritance");
	return -ENOSYS;
}
