/* SPDX-License-Identifier: MIT */
/*
 * The VFS server's clock: the monotonic time, read from the time counter
 * when the kernel says its scale (no system call), else with KINFO_TIME;
 * files' timestamps are real time, that plus the offset of the platform's
 * real-time clock (KINFO_CLOCK; 0 without one: time since boot).
 */
#include <cairn/counter.h>
#include "internal.h"

static cap_t kinfo = CAP_NULL;
static uint64_t clock_mult;           /* KINFO_CLOCK: ns = counter * mult >> 32 */
static uint64_t realtime_offset;      /* KINFO_CLOCK: real time = monotonic + offset */

/* The monotonic clock: from the time counter when the kernel says its
 * scale (no system call), else KINFO_TIME; 0 without kinfo. */
uint64_t now_ns(void)
{
	struct cairn_msg m;

	if (clock_mult)
		return (uint64_t)(((unsigned __int128)clock_counter() * clock_mult) >> 32);
	if (kinfo == CAP_NULL || cairn_invoke(kinfo, KINFO_TIME, 0, 0, 0, 0, 0, &m))
		return 0;
	return m.w[0];
}

void clock_init(cap_t kinfo_cap)
{
	kinfo = kinfo_cap;
	struct cairn_msg m;

	if (kinfo != CAP_NULL && !cairn_invoke(kinfo, KINFO_CLOCK, 0, 0, 0, 0, 0, &m)) {
		clock_mult = m.w[0];
		realtime_offset = m.w[2];
	}
}

struct tmpfs_time stamp(void)
{
	uint64_t ns = now_ns() + realtime_offset;

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
