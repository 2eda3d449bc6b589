/* SPDX-License-Identifier: MIT */
/*
 * The clock of libcairn programs: the monotonic time since boot and the
 * real time, from the KernelInfo capability a program names with
 * cairn_clock_init(). With the counter's scale from KINFO_CLOCK the time
 * is read from the counter user mode may read (rdtime, rdtsc: no system
 * call); a kernel that gives no scale is asked each time (KINFO_TIME).
 * The real time is that plus the real-time offset, which the kernel keeps
 * on its clock page (KINFO_CLOCK_PAGE), mapped by the first
 * cairn_realtime_ns(), so a settimeofday moves it here too; without the
 * page, the offset KINFO_CLOCK gave.
 * The one clock reader of Cairn's own programs: the servers and the
 * in-guest tests use it (musl-port has its own, for POSIX programs).
 */
#include <stdbool.h>
#include <cairn/counter.h>
#include <cairn/rt.h>

static cap_t kinfo = CAP_NULL;
static uint64_t mult;                 /* ns = counter * mult >> 32; 0: ask KINFO_TIME */
static uint64_t realtime_offset;      /* real time = monotonic + offset (0: no RTC) */
static const struct cairn_clock_page *page;   /* the kernel's, once mapped */
static bool page_tried;

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

/* The clock page, mapped the first time (NULL without one). */
static const struct cairn_clock_page *clock_page(void)
{
	struct cairn_msg m;
	void *va;

	if (page || page_tried || kinfo == CAP_NULL)
		return page;
	page_tried = true;
	if (cairn_invoke(kinfo, KINFO_CLOCK_PAGE, 0, 0, 0, 0, 0, &m))
		return NULL;
	if (cairn_map(m.w[0], 0, 1, CAIRN_PROT_R | CAIRN_PROT_SHARE, &va)) {
		cairn_cap_delete(m.w[0]);
		return NULL;
	}
	page = va;
	return page;
}

uint64_t cairn_realtime_offset(void)
{
	const struct cairn_clock_page *p = clock_page();

	return p ? __atomic_load_n(&p->realtime_offset, __ATOMIC_ACQUIRE) : realtime_offset;
}

uint64_t cairn_realtime_ns(void)
{
	return cairn_now_ns() + cairn_realtime_offset();
}
