// SPDX-License-Identifier: MIT
/*
 * The local APIC (xAPIC registers, memory mapped): enable, end of
 * interrupt, start-up IPIs, and its timer as the tick. Time itself is the
 * TSC (arch_counter_read), whose frequency is measured once against the
 * 8254 PIT, unless CPUID leaf 0x15 states it. The APIC timer's rate is then
 * measured against the TSC, and arch_timer_arm() turns a TSC deadline into
 * a one-shot APIC count.
 */
#include <arch.h>
#include <arch/x86.h>
#include <kernel/log.h>
#include <kernel/mm.h>
#include <kernel/clock.h>

#define LAPIC_ID       0x020
#define LAPIC_TPR      0x080
#define LAPIC_EOI      0x0b0
#define LAPIC_SVR      0x0f0
#define LAPIC_ESR      0x280
#define LAPIC_ICR_LO   0x300
#define LAPIC_ICR_HI   0x310
#define LAPIC_LVT_TMR  0x320
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_ERR  0x370
#define LAPIC_TMR_INIT 0x380
#define LAPIC_TMR_CUR  0x390
#define LAPIC_TMR_DIV  0x3e0
#define LVT_MASKED     (1u << 16)
#define SVR_ENABLE     (1u << 8)
#define ICR_PENDING    (1u << 12)
#define ICR_INIT       0x00004500u    /* INIT, level assert */
#define ICR_STARTUP    0x00004600u    /* start-up, level assert, | vector */
#define APIC_BASE_ENABLE (1ull << 11)

#define PIT_HZ         1193182ull
#define PIT_CH2        0x42
#define PIT_CMD        0x43
#define PIT_GATE       0x61

static volatile uint32_t *lapic;
uint64_t x86_tsc_hz;
static uint64_t lapic_hz;           /* APIC timer counts per second (divide by 16) */
static uint64_t tsc_to_lapic;       /* APIC counts per TSC tick, << 32 */

static uint32_t rd(unsigned reg) { x86_mmio_fresh(lapic); return lapic[reg / 4]; }
static void wr(unsigned reg, uint32_t v) { x86_mmio_fresh(lapic); lapic[reg / 4] = v; }

/* ---- TSC calibration ----------------------------------------------------- */

static uint16_t pit_ch2_read(void)
{
	arch_outb(PIT_CMD, 0x80);          /* latch counter 2 */
	uint8_t lo = arch_inb(PIT_CH2);
	return lo | (uint16_t)arch_inb(PIT_CH2) << 8;
}

/* A (TSC, PIT count) pair read close together: the tightest of a few. */
static void pit_sample(uint64_t *tsc, uint16_t *count)
{
	uint64_t best = ~0ull;

	for (int i = 0; i < 5; i++) {
		uint64_t a = arch_counter_read();
		uint16_t c = pit_ch2_read();
		uint64_t b = arch_counter_read();
		if (b - a < best) {
			best = b - a;
			*tsc = a + (b - a) / 2;
			*count = c;
		}
	}
}

/*
 * TSC ticks per second: CPUID 0x15 when it gives the crystal ratio and
 * frequency; otherwise PIT channel 2 counts down 20 ms (mode 0, gate on,
 * speaker off) while the TSC runs. 0 when the PIT does not count.
 */
uint64_t x86_tsc_calibrate(void)
{
	if (x86_cpuid(0, 0).eax >= 0x15) {
		struct x86_cpuid r = x86_cpuid(0x15, 0);
		if (r.eax && r.ebx && r.ecx)
			return (uint64_t)r.ecx * r.ebx / r.eax;
	}
	uint64_t t0, t1;
	uint16_t c0, c1;

	arch_outb(PIT_GATE, (arch_inb(PIT_GATE) & ~0x02) | 0x01);
	arch_outb(PIT_CMD, 0xb0);          /* counter 2, lo/hi byte, mode 0 */
	arch_outb(PIT_CH2, 0xff);
	arch_outb(PIT_CH2, 0xff);
	pit_sample(&t0, &c0);
	do {
		pit_sample(&t1, &c1);
		if (t1 - t0 > (1ull << 37))
			return 0;              /* no PIT counting: tens of seconds gone */
	} while ((uint16_t)(c0 - c1) < PIT_HZ / 50);
	return (t1 - t0) * PIT_HZ / (uint16_t)(c0 - c1);
}

uint64_t arch_counter_hz(void)
{
	return x86_tsc_hz;
}

/* ---- the local APIC ------------------------------------------------------ */

unsigned x86_lapic_id(void)
{
	return rd(LAPIC_ID) >> 24;
}

void x86_lapic_eoi(void)
{
	wr(LAPIC_EOI, 0);
}

/* Enables the calling CPU's local APIC: spurious vector, no priority
 * threshold, LINT0 (the 8259s' virtual wire) and the error LVT masked. */
void x86_lapic_init(void)
{
	if (!lapic) {
		lapic = vm_map_device(x86_platform.lapic_pa, PAGE_SIZE);
		if (!lapic)
			panic("cannot map the local APIC at %#lx", (unsigned long)x86_platform.lapic_pa);
	}
	uint64_t base = x86_rdmsr(MSR_APIC_BASE);
	if (!(base & APIC_BASE_ENABLE))
		x86_wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE);
	wr(LAPIC_SVR, SVR_ENABLE | VEC_SPURIOUS);
	wr(LAPIC_TPR, 0);
	wr(LAPIC_LVT_LINT0, LVT_MASKED);
	wr(LAPIC_LVT_ERR, LVT_MASKED);
	wr(LAPIC_ESR, 0);
	/* one-shot, unmasked once calibrated (the boot CPU calibrates; the
	 * others' timers count at the same rate) */
	wr(LAPIC_LVT_TMR, lapic_hz ? VEC_TIMER : LVT_MASKED | VEC_TIMER);
	wr(LAPIC_TMR_DIV, 0x3);            /* divide by 16 */
	wr(LAPIC_TMR_INIT, 0);
	x86_lapic_eoi();
}

/* A (TSC, APIC timer count) pair read close together: the tightest of a few. */
static void timer_sample(uint64_t *tsc, uint32_t *count)
{
	uint64_t best = ~0ull;

	*tsc = 0;
	*count = 0;
	for (int i = 0; i < 5; i++) {
		uint64_t a = arch_counter_read();
		uint32_t c = rd(LAPIC_TMR_CUR);
		uint64_t b = arch_counter_read();
		if (b - a < best) {
			best = b - a;
			*tsc = a + (b - a) / 2;
			*count = c;
		}
	}
}

/* APIC timer rate: let it count down from the top for 10 ms of TSC. */
void x86_lapic_timer_calibrate(void)
{
	uint64_t t0, t1;
	uint32_t c0, c1;

	wr(LAPIC_LVT_TMR, LVT_MASKED | VEC_TIMER);
	wr(LAPIC_TMR_INIT, 0xffffffff);
	timer_sample(&t0, &c0);
	while (arch_counter_read() - t0 < x86_tsc_hz / 100)
		arch_cpu_relax();
	timer_sample(&t1, &c1);
	wr(LAPIC_TMR_INIT, 0);
	lapic_hz = (uint64_t)(c0 - c1) * x86_tsc_hz / (t1 - t0);
	if (!lapic_hz || lapic_hz >= (1ull << 32))
		panic("the local APIC timer counts at %lu Hz", (unsigned long)lapic_hz);
	tsc_to_lapic = (lapic_hz << 32) / x86_tsc_hz;
	wr(LAPIC_LVT_TMR, VEC_TIMER);      /* one-shot, unmasked */
}

uint64_t x86_lapic_timer_hz(void)
{
	return lapic_hz;
}

/* One-shot: the APIC count that covers the TSC time left until `deadline`. */
void arch_timer_arm(uint64_t deadline)
{
	uint64_t now = arch_counter_read(), count = 1;

	if (deadline == UINT64_MAX) {
		wr(LAPIC_TMR_INIT, 0);          /* stopped */
		return;
	}
	if (deadline > now) {
		/* one count more than the TSC time left: the truncated ratio
		 * would have it fire a hair early, and again, and again */
		count = (uint64_t)(((unsigned __int128)(deadline - now) * tsc_to_lapic) >> 32) + 1;
		if (count > 0xffffffffu)
			count = 0xffffffffu;
	}
	wr(LAPIC_TMR_INIT, (uint32_t)count);
}

/* ---- IPIs -------------------------------------------------------------------- */

static void icr_send(unsigned apic_id, uint32_t low)
{
	wr(LAPIC_ICR_HI, apic_id << 24);
	wr(LAPIC_ICR_LO, low);
	for (int i = 0; i < 1000000 && (rd(LAPIC_ICR_LO) & ICR_PENDING); i++)
		arch_cpu_relax();
}

/* A fixed interrupt at VEC_IPI to one CPU. The ICR is a pair of registers
 * of this CPU's APIC: interrupts stay off between the two writes. */
void arch_send_ipi(unsigned cpu)
{
	unsigned long f = arch_irq_save();

	icr_send(x86_percpu[cpu].apic_id, VEC_IPI);
	arch_irq_restore(f);
}

/*
 * INIT, 10 ms, start-up IPI, and a second start-up IPI if *started is
 * still 0 after 200 us (the Intel MP protocol). The AP begins in real
 * mode at sipi_vector << 12.
 */
err_t x86_lapic_start_ap(unsigned apic_id, unsigned sipi_vector, volatile int *started)
{
	if (apic_id > 255)
		return ERR_RANGE;          /* needs x2APIC */
	wr(LAPIC_ESR, 0);
	icr_send(apic_id, ICR_INIT);
	clock_delay_ns(10000000);
	for (int i = 0; i < 2; i++) {
		icr_send(apic_id, ICR_STARTUP | sipi_vector);
		uint64_t end = clock_ns() + 200000;
		while (clock_ns() < end && !*started)
			arch_cpu_relax();
		if (*started)
			break;
	}
	return ERR_OK;
}
