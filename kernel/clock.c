// SPDX-License-Identifier: MIT
/*
 * The monotonic clock (the arch counter scaled to nanoseconds with a
 * multiply and shift, no division on the read path) and the periodic tick.
 */
#include <arch.h>
#include <kernel/clock.h>
#include <kernel/thread.h>

static uint64_t mult;           /* ns per count, << 32 */
static uint64_t period;         /* counts per tick */
static uint64_t next_deadline;
static volatile uint64_t ticks;
static uint64_t realtime_offset;  /* CLOCK_REALTIME - clock_ns(); 0: unknown */

uint64_t clock_ns(void)
{
	if (!mult) {
		uint64_t hz = arch_counter_hz();
		if (!hz)
			return 0;
		mult = (1000000000ull << 32) / hz;
	}
	return (uint64_t)(((unsigned __int128)arch_counter_read() * mult) >> 32);
}

uint64_t clock_mult(void)
{
	clock_ns();             /* computes mult on first use */
	return mult;
}

void clock_set_realtime(uint64_t epoch_ns)
{
	uint64_t now = clock_ns();

	realtime_offset = epoch_ns > now ? epoch_ns - now : 0;
}

uint64_t clock_realtime_offset(void)
{
	return realtime_offset;
}

void clock_init(void)
{
	period = arch_counter_hz() / CONFIG_TIMER_HZ;
	next_deadline = arch_counter_read() + period;
	arch_timer_arm(next_deadline);
}

void clock_tick(void)
{
	uint64_t now = arch_counter_read();

	ticks++;
	next_deadline += period;
	if (next_deadline <= now)   /* fell behind (debugger, long irq-off): skip */
		next_deadline = now + period;
	arch_timer_arm(next_deadline);
	sched_tick();
}

uint64_t clock_ticks(void)
{
	return ticks;
}

void clock_delay_ns(uint64_t ns)
{
	uint64_t end = clock_ns() + ns;

	while (clock_ns() < end)
		arch_cpu_relax();
}
