// SPDX-License-Identifier: MIT
/*
 * The monotonic clock (the arch counter scaled to nanoseconds with a
 * multiply and shift, no division on the read path) and each CPU's timer,
 * armed for the next thing due there (clock_program(): no periodic tick).
 */
#include <arch.h>
#include <kernel/clock.h>
#include <kernel/memory.h>
#include <kernel/mm.h>
#include <kernel/thread.h>

static uint64_t mult;           /* ns per count, << 32 */
static uint64_t cmult;          /* counts per ns, << 32 */
static volatile uint64_t ticks;
static uint64_t realtime_offset;  /* CLOCK_REALTIME - clock_ns(); 0: unknown */
static struct cairn_clock_page *page;    /* what user mode maps (KINFO_CLOCK_PAGE) */
static struct memobj *page_mo;           /* a MemoryObject over it, never freed */

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

/* The offset changes in one aligned 64-bit store: a reader of the page
 * sees the old value or the new one. */
static void publish(void)
{
	if (page)
		__atomic_store_n(&page->realtime_offset, realtime_offset, __ATOMIC_RELEASE);
}

void clock_set_realtime(uint64_t epoch_ns)
{
	uint64_t now = clock_ns();

	realtime_offset = epoch_ns > now ? epoch_ns - now : 0;
	publish();
}

void clock_settime(uint64_t epoch_ns)
{
	realtime_offset = epoch_ns - clock_ns();      /* modulo 2^64: before boot too */
	if (page)
		page->sets++;
	publish();
}

struct memobj *clock_page_object(void)
{
	return page_mo;
}

uint64_t clock_realtime_offset(void)
{
	return realtime_offset;
}

void clock_init(void)
{
	/* the clock page, made once at boot (not charged to anyone: one page
	 * for the whole machine); without it KINFO_CLOCK_PAGE is ERR_NOMEM */
	if (!page) {
		paddr_t pa = pmm_alloc_zeroed(0);
		if (pa != PADDR_INVALID) {
			page = phys_to_virt(pa);
			page_mo = memobj_borrow(pa, 1);
			publish();
		}
	}
	uint64_t hz = arch_counter_hz();   /* counts per ns << 32, without a 128-bit division */
	cmult = ((hz / 1000000000u) << 32) + ((hz % 1000000000u) << 32) / 1000000000u;
	clock_init_cpu();
}

void clock_init_cpu(void)
{
	struct cpu *c = this_cpu();

	c->timer_at = 0;                /* unknown: the next clock_program() arms it */
	clock_program();
}

/* The counter value at or just after ns (the timer may not fire before
 * clock_ns() says the deadline came). */
static uint64_t ns_to_counter(uint64_t ns)
{
	return (uint64_t)(((unsigned __int128)ns * cmult) >> 32) + 1;
}

void clock_program(void)
{
	struct cpu *c = this_cpu();
	uint64_t want = c->slice_end < c->timeout_next ? c->slice_end : c->timeout_next;

	/* armed for sooner already (a slice that ended early, a timeout
	 * gone): that interrupt comes early and arms this one then; so a
	 * switch, which times a new slice, seldom touches the timer */
	if (want >= c->timer_at && c->timer_at)
		return;
	c->timer_at = want;
	arch_timer_arm(want == UINT64_MAX ? UINT64_MAX : ns_to_counter(want));
}

/* This CPU's timer fired: what is due, then the timer for what is next
 * (it may have fired early: the counter's rounding, a far deadline cut to
 * what the hardware counts). `ticks` counts the boot CPU's interrupts. */
void clock_tick(void)
{
	struct cpu *c = this_cpu();

	if (c->id == 0)
		ticks++;
	c->timer_at = 0;                /* fired: armed for nothing known (0 is never wanted) */
	sched_tick();
	clock_program();
}

/* The timer fired in user mode on a CPU whose thread runs alone (nothing
 * queued here, no work for the way out) with no timeout due: only its
 * slice ended. A new slice and the timer armed again, without the kernel
 * lock: a lone thread's slice is timed (kernel/sched.c), and taking the
 * lock whole 50 times a second stopped the other CPUs' fast paths each
 * time (make bench's scaling figure fell from 1.7 to 1.3). Fields other
 * CPUs write under the lock are only read here: a thread made ready here
 * meanwhile, or a timeout moved, comes with an IPI or finds the timer
 * early, which is harmless. False: the full tick, under the lock. */
bool clock_tick_alone(void)
{
	struct cpu *c = this_cpu();
	struct thread *t = c->cur;
	uint64_t now;

	if (t == &c->idle || __atomic_load_n(&c->nready, __ATOMIC_RELAXED) ||
	    __atomic_load_n(&c->work.any, __ATOMIC_RELAXED) || t->upcall_pending || t->suspend_pending)
		return false;
	now = clock_ns();
	if (now >= __atomic_load_n(&c->timeout_next, __ATOMIC_RELAXED))
		return false;
	if (c->id == 0)
		ticks++;
	if (now >= c->slice_end)
		c->slice_end = now + SLICE_NS;
	c->timer_at = 0;                /* fired: armed for nothing known */
	clock_program();
	return true;
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
