/* SPDX-License-Identifier: MIT */
/*
 * The VFS server's clock: the monotonic time its files' timestamps come
 * from, read from the time counter when the kernel says its scale (no
 * system call), else with KINFO_TIME.
 */
#include "internal.h"

static cap_t kinfo = CAP_NULL;
static uint64_t clock_mult;           /* KINFO_CLOCK: ns = counter * mult >> 32 */

/* The monotonic clock: from the time counter when the kernel says its
 * scale (no system call), else KINFO_TIME; 0 without kinfo. */
uint64_t now_ns(void)
{
	struct cairn_msg m;

	if (clock_mult) {
		uint64_t counter;
#if defined(__riscv)
		__asm__ volatile("rdtime %0" : "=r"(counter));
#else
		uint32_t lo, hi;
		__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
		counter = ((uint64_t)hi << 32) | lo;
#endif
		return (uint64_t)(((unsigned __int128)counter * clock_mult) >> 32);
	}
	if (kinfo == CAP_NULL || cairn_invoke(kinfo, KINFO_TIME, 0, 0, 0, 0, 0, &m))
		return 0;
	return m.w[0];
}

void clock_init(cap_t kinfo_cap)
{
	kinfo = kinfo_cap;
	struct cairn_msg m;

	if (kinfo != CAP_NULL && !cairn_invoke(kinfo, KINFO_CLOCK, 0, 0, 0, 0, 0, &m))
		clock_mult = m.w[0];
}

struct tmpfs_time stamp(void)
{
	uint64_t ns = now_ns();

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
