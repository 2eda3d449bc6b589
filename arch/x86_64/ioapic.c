// SPDX-License-Identifier: MIT
/*
 * The IOAPIC(s) as the kernel's irq_chip. Interrupt numbers are GSIs (an
 * ISA IRQ becomes a GSI through the MADT overrides, x86_isa_irq_to_gsi);
 * GSI g arrives on vector VEC_IRQ_BASE + g at the boot CPU. The vector
 * already names the line, so claim() returns what x86_trap() recorded for
 * this CPU, and complete() is the local APIC's end of interrupt. The 8259
 * PICs are remapped away from the exception vectors and masked.
 */
#include <arch.h>
#include <arch/x86.h>
#include <kernel/irq.h>
#include <kernel/log.h>
#include <kernel/mm.h>
#include <kernel/monitor.h>
#include <kernel/spinlock.h>
#include <string.h>

#define IOREGSEL   0x00
#define IOWIN      0x10
#define IOAPIC_VER 0x01
#define REDIR(n)   (0x10 + 2 * (n))
#define RTE_MASKED     (1u << 16)
#define RTE_LEVEL      (1u << 15)
#define RTE_ACTIVE_LOW (1u << 13)
#define MAX_GSI        (VEC_IRQ_LAST - VEC_IRQ_BASE)

static struct {
	volatile uint32_t *regs;
	unsigned gsi_base, n;
} ioapics[X86_MAX_IOAPICS];
static unsigned n_ioapics, max_gsi;
/* each GSI's trigger and polarity now, and by default (the platform's) */
static uint8_t gsi_level[MAX_GSI + 1], gsi_low[MAX_GSI + 1];
static uint8_t def_level[MAX_GSI + 1], def_low[MAX_GSI + 1];
static unsigned dest_apic;
static struct spinlock lock = SPINLOCK_INIT(LOCK_IOAPIC);

static uint32_t io_rd(volatile uint32_t *r, unsigned reg)
{
	x86_mmio_fresh(r);
	r[IOREGSEL / 4] = reg;
	return r[IOWIN / 4];
}

static void io_wr(volatile uint32_t *r, unsigned reg, uint32_t v)
{
	x86_mmio_fresh(r);
	r[IOREGSEL / 4] = reg;
	r[IOWIN / 4] = v;
}

/* The IOAPIC serving gsi and the pin on it; false when none does. */
static bool find_pin(unsigned gsi, volatile uint32_t **regs, unsigned *pin)
{
	for (unsigned i = 0; i < n_ioapics; i++) {
		if (gsi >= ioapics[i].gsi_base && gsi < ioapics[i].gsi_base + ioapics[i].n) {
			*regs = ioapics[i].regs;
			*pin = gsi - ioapics[i].gsi_base;
			return true;
		}
	}
	return false;
}

static void ioapic_enable(unsigned gsi)
{
	volatile uint32_t *r;
	unsigned pin;

	if (!find_pin(gsi, &r, &pin))
		return;
	uint32_t lo = (VEC_IRQ_BASE + gsi) | (gsi_level[gsi] ? RTE_LEVEL : 0) |
		      (gsi_low[gsi] ? RTE_ACTIVE_LOW : 0);
	unsigned long f = spin_lock_irqsave(&lock);
	io_wr(r, REDIR(pin) + 1, dest_apic << 24);
	io_wr(r, REDIR(pin), lo);
	spin_unlock_irqrestore(&lock, f);
}

static void ioapic_disable(unsigned gsi)
{
	volatile uint32_t *r;
	unsigned pin;

	if (!find_pin(gsi, &r, &pin))
		return;
	unsigned long f = spin_lock_irqsave(&lock);
	io_wr(r, REDIR(pin), io_rd(r, REDIR(pin)) | RTE_MASKED);
	spin_unlock_irqrestore(&lock, f);
}

static unsigned ioapic_claim(void)
{
	struct x86_percpu *pc = x86_this_cpu();
	unsigned irq = pc->irq_pending;

	pc->irq_pending = 0;
	return irq;
}

static void ioapic_complete(unsigned gsi)
{
	x86_lapic_eoi();
}

/* Any mode on any pin. (QEMU's IOAPIC ignores the polarity bit: a PCI
 * INTx line arrives asserted as "1" whichever polarity is programmed, so
 * active low and active high both work there; real chipsets need what
 * ACPI says, level and active low for PCI.) */
static bool ioapic_mode_ok(unsigned gsi, unsigned mode)
{
	return true;
}

static void ioapic_set_mode(unsigned gsi, unsigned mode)
{
	gsi_level[gsi] = mode ? !!(mode & IRQCTL_LEVEL) : def_level[gsi];
	gsi_low[gsi] = mode ? !!(mode & IRQCTL_LOW) : def_low[gsi];
}

static struct irq_chip ioapic_chip = {
	.name = "ioapic",
	.enable = ioapic_enable,
	.disable = ioapic_disable,
	.claim = ioapic_claim,
	.complete = ioapic_complete,
	.mode_ok = ioapic_mode_ok,
	.set_mode = ioapic_set_mode,
};

unsigned x86_isa_irq_to_gsi(unsigned isa_irq)
{
	return isa_irq < X86_ISA_IRQS ? x86_platform.isa_gsi[isa_irq] : isa_irq;
}

void x86_pic_disable(void)
{
	/* ICW1..4: remap to 0x20/0x28 (away from the exceptions), then mask all */
	arch_outb(0x20, 0x11);
	arch_outb(0xa0, 0x11);
	arch_outb(0x21, VEC_PIC_BASE);
	arch_outb(0xa1, VEC_PIC_BASE + 8);
	arch_outb(0x21, 4);
	arch_outb(0xa1, 2);
	arch_outb(0x21, 1);
	arch_outb(0xa1, 1);
	arch_outb(0x21, 0xff);
	arch_outb(0xa1, 0xff);
}

/*
 * Maps every IOAPIC of the MADT, masks all its pins, works out each GSI's
 * trigger and polarity (ISA: edge, active high unless overridden; above
 * the ISA range: PCI's level, active low) and registers the irq_chip.
 */
err_t x86_ioapic_init(void)
{
	dest_apic = x86_percpu[0].apic_id;
	for (unsigned i = 0; i < x86_platform.n_ioapics; i++) {
		volatile uint32_t *r = vm_map_device(x86_platform.ioapic[i].pa, PAGE_SIZE);
		if (!r)
			return ERR_NOMEM;
		unsigned n = ((io_rd(r, IOAPIC_VER) >> 16) & 0xff) + 1;
		unsigned base = x86_platform.ioapic[i].gsi_base;
		if (base > MAX_GSI) {
			pr_warn("ioapic %u: GSIs from %u are beyond the vectors we route; not used\n",
				x86_platform.ioapic[i].id, base);
			continue;
		}
		if (base + n - 1 > MAX_GSI)
			n = MAX_GSI + 1 - base;
		for (unsigned p = 0; p < n; p++)
			io_wr(r, REDIR(p), RTE_MASKED | (VEC_IRQ_BASE + base + p));
		ioapics[n_ioapics].regs = r;
		ioapics[n_ioapics].gsi_base = base;
		ioapics[n_ioapics].n = n;
		n_ioapics++;
		max_gsi = MAX(max_gsi, base + n - 1);
		device_note("interrupt controller", "IOAPIC", x86_platform.ioapic[i].pa, 0);
	}
	if (!n_ioapics || max_gsi == 0)
		return ERR_NODEV;
	for (unsigned g = X86_ISA_IRQS; g <= max_gsi; g++)
		def_level[g] = def_low[g] = 1;
	for (unsigned i = 0; i < X86_ISA_IRQS; i++) {
		unsigned g = x86_platform.isa_gsi[i];
		if (g <= max_gsi) {
			def_level[g] = x86_platform.isa_level[i];
			def_low[g] = x86_platform.isa_low[i];
		}
	}
	memcpy(gsi_level, def_level, sizeof(gsi_level));
	memcpy(gsi_low, def_low, sizeof(gsi_low));
	ioapic_chip.nr_irqs = max_gsi;
	return irq_set_chip(&ioapic_chip);
}
