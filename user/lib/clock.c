/* SPDX-License-Identifier: MIT */
/*
 * The clock of libcairn programs: the monotonic time since boot and the
 * real time, from the KernelInfo capability a program names with
 * cairn_clock_init(). With the counter's scale from KINFO_CLOCK the time
 * is read from the counter user mode may read (rdtime, rdtsc: no system
 * call); a kernel that gives no scale is asked each time (KINFO_TIME).
 * The one clock reader of Cairn's own programs: the servers and the
 * in-guest tests use it (musl-port has its own, for POSIX programs).
 */
#include <cairn/counter.h>
#include <cairn/rt.h>

static cap_t kinfo = CAP_NULL;
static uint64_t mult;                 /* ns = counter * mult >> 32; 0: ask KINFO_TIME */
static uint64_t realtime_offset;      /* real time = monotonic + offset (0: no RTC) */

void cairn_clock_init(cap_t kinfo_cap)
{
	struct cairn_msg m;

	kinfo = kinfo_cap;
	mult = realtime_offset = 0;
	if (kinfo != CAP_NULL && !cairn_invoke(kinfo, KINFO_CLOCK, 0, 0, 0, 0, 0, &m)) {
		mult = m.w[0];
		realtime_offset = m.w[2];
	}
}

uint64_t cairn_now_ns(void)
{
	struct cairn_msg m;

	if (mult)
		return (uint64_t)(((unsigned __int128)clock_counter() * mult) >> 32);
	if (kinfo == CAP_NULL || cairn_invoke(kinfo, KINFO_TIME, 0, 0, 0, 0, 0, &m))
		return 0;
	return m.w[0];
}

uint64_t cairn_realtime_ns(void)
{
	return cairn_now_ns() + realtime_offset;
}
