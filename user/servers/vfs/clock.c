/* SPDX-License-Identifier: MIT */
/*
 * The VFS server's timestamps: real time from libcairn's clock
 * (cairn_realtime_ns(), user/lib/clock.c; the time since boot on a board
 * without a real-time clock), and relatime for access times.
 */
#include "internal.h"

struct tmpfs_time stamp(void)
{
	uint64_t ns = cairn_realtime_ns();

	return (struct tmpfs_time){ (int64_t)(ns / 1000000000u), (int64_t)(ns % 1000000000u) };
}

static bool time_before_eq(struct tmpfs_time a, struct tmpfs_time b)
{
	return a.sec < b.sec || (a.sec == b.sec && a.nsec <= b.nsec);
}

/* relatime: the access time moves only when it is not after the last change. */
void touch_atime(struct tmpfs_node *n)
{
	if (time_before_eq(n->atime, n->mtime) || time_before_eq(n->atime, n->ctime))
		n->atime = stamp();
}
