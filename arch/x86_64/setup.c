// SPDX-License-Identifier: MIT
/*
 * x86-64 boot and platform set-up: from the higher-half entry to kmain(),
 * boot information from Multiboot2 and ACPI, the local APIC timer, the
 * IOAPIC and the COM1 console, power-off through QEMU's isa-debug-exit.
 */
#include <arch.h>
#include <arch/x86.h>
#include <kernel/log.h>
#include <kernel/mm.h>
#include <kernel/console.h>
#include <kernel/irq.h>
#include <kernel/clock.h>
#include <kernel/monitor.h>
#include <kernel/ioport.h>
#include <string.h>

#define COM1          0x3f8
#define COM1_ISA_IRQ  4
#define DEBUG_EXIT    0xf4      /* QEMU isa-debug-exit: exits with (v << 1) | 1 */
#define LOW_MEMORY    0x100000ul

extern char _start_image[], _end[], boot_stack_top[];

vaddr_t physmap_base;
vaddr_t kernel_vbase;
paddr_t kernel_pbase;

static uint8_t bsp_ist_df[PAGE_SIZE] __attribute__((aligned(16)));
static uint8_t bsp_ist_nmi[PAGE_SIZE] __attribute__((aligned(16)));
static const char *boot_loader = "?";

void x86_boot(void);

/* ---- early console: COM1, polled ----------------------------------------- */

void x86_early_uart_init(void)
{
	arch_outb(COM1 + 1, 0x00);      /* no interrupts */
	arch_outb(COM1 + 3, 0x80);      /* divisor latch */
	arch_outb(COM1 + 0, 0x01);      /* 115200 baud */
	arch_outb(COM1 + 1, 0x00);
	arch_outb(COM1 + 3, 0x03);      /* 8N1 */
	arch_outb(COM1 + 2, 0x07);      /* FIFOs on and cleared */
	arch_outb(COM1 + 4, 0x03);      /* DTR, RTS */
}

static void com1_put(char c)
{
	for (int i = 0; i < 100000 && !(arch_inb(COM1 + 5) & 0x20); i++)
		arch_cpu_relax();
	arch_outb(COM1, c);
}

void arch_early_putc(char c)
{
	if (c == '\n')
		com1_put('\r');
	com1_put(c);
}

/* ---- from head.S to kmain ----------------------------------------------- */

/* The boot CPU in 64-bit mode on the boot page tables. */
void x86_boot(void)
{
	struct x86_percpu *pc = &x86_percpu[0];

	x86_early_uart_init();
	x86_features_init();
	pc->id = 0;
	pc->apic_id = x86_cpuid(1, 0).ebx >> 24;
	pc->online = 1;
	pc->stack_top = (uint64_t)boot_stack_top;
	x86_idt_init();
	x86_cpu_init(pc, bsp_ist_df + sizeof(bsp_ist_df), bsp_ist_nmi + sizeof(bsp_ist_nmi));
	physmap_base = PHYSMAP_BASE;
	kernel_vbase = (vaddr_t)_start_image;
	kernel_pbase = KERNEL_LOAD_PA;
	kmain();
}

/* ---- boot information ---------------------------------------------------- */

/* n pages of RAM below 4 GiB that no reservation touches. */
static paddr_t find_low_pages(const struct boot_info *bi, size_t n)
{
	uint64_t size = n * PAGE_SIZE;

	for (unsigned i = 0; i < bi->n_mem; i++) {
		paddr_t s = ALIGN_UP(bi->mem[i].base, PAGE_SIZE);
		paddr_t end = MIN(bi->mem[i].base + bi->mem[i].size, 4ull << 30);
		bool moved = true;

		while (moved && s + size <= end) {
			moved = false;
			for (unsigned r = 0; r < bi->n_reserved; r++) {
				const struct mem_range *x = &bi->reserved[r];
				if (s < x->base + x->size && x->base < s + size) {
					s = ALIGN_UP(x->base + x->size, PAGE_SIZE);
					moved = true;
				}
			}
		}
		if (!moved && s + size <= end)
			return s;
	}
	return PADDR_INVALID;
}

/*
 * head.S maps the low 4 GiB. When RAM goes higher, the boot direct map
 * (shared with the identity map, as in head.S) is extended before the page
 * allocator touches that RAM: with 1 GiB pages, or with page directories
 * taken from low RAM and reserved.
 */
static err_t extend_boot_physmap(struct boot_info *bi)
{
	uint64_t top = 0;
	unsigned gb;

	for (unsigned i = 0; i < bi->n_mem; i++)
		top = MAX(top, bi->mem[i].base + bi->mem[i].size);
	if (top <= (4ull << 30))
		return ERR_OK;
	if (top > (512ull << 30)) {
		unsigned keep = 0;
		for (unsigned i = 0; i < bi->n_mem; i++) {
			if (bi->mem[i].base >= (512ull << 30))
				continue;
			bi->mem[keep] = bi->mem[i];
			if (bi->mem[keep].base + bi->mem[keep].size > (512ull << 30))
				bi->mem[keep].size = (512ull << 30) - bi->mem[keep].base;
			keep++;
		}
		pr_warn("RAM above 512 GiB is not used\n");
		bi->n_mem = keep;
		top = 512ull << 30;
	}
	gb = (top + (1ull << 30) - 1) >> 30;
	if (x86_has_1g_pages) {
		for (unsigned g = 4; g < gb; g++)
			boot_pdpt_low[g] = ((uint64_t)g << 30) | PTE_P | PTE_RW | PTE_PS;
	} else {
		paddr_t pd = find_low_pages(bi, gb - 4);
		err_t e;
		if (pd == PADDR_INVALID)
			return ERR_NOMEM;
		if ((e = boot_reserve(bi, pd, (gb - 4) * PAGE_SIZE, "boot page tables")))
			return e;
		for (unsigned g = 4; g < gb; g++) {
			uint64_t *t = phys_to_virt(pd + (g - 4) * PAGE_SIZE);
			for (unsigned i = 0; i < 512; i++)
				t[i] = ((uint64_t)g << 30) + ((uint64_t)i << 21) + (PTE_P | PTE_RW | PTE_PS);
			boot_pdpt_low[g] = (pd + (g - 4) * PAGE_SIZE) | PTE_P | PTE_RW;
		}
	}
	x86_write_cr(3, x86_read_cr(3));
	return ERR_OK;
}

err_t arch_early_init(struct boot_info *bi)
{
	paddr_t rsdp;
	err_t e;

	e = x86_multiboot_parse(bi, &rsdp, &boot_loader);
	if (e)
		return e;
	bi->entry_counter = x86_entry_counter;
	bi->kernel_pa_start = kernel_pbase;
	bi->kernel_pa_end = kernel_pbase + (_end - _start_image);
	if ((e = boot_reserve(bi, bi->kernel_pa_start, bi->kernel_pa_end - bi->kernel_pa_start, "kernel")) ||
	    (e = boot_reserve(bi, 0, LOW_MEMORY, X86_LOW_MEMORY_OWNER)))
		return e;
	if ((e = extend_boot_physmap(bi)))
		return e;
	bi->cpu_hwid[0] = x86_percpu[0].apic_id;
	bi->n_cpus = 1;
	x86_acpi_init(rsdp, bi);
	x86_tsc_hz = x86_tsc_calibrate();
	if (x86_tsc_hz < 1000000) {
		pr_err("TSC calibration gave %lu Hz\n", (unsigned long)x86_tsc_hz);
		return ERR_INVAL;
	}
	bi->timebase_hz = x86_tsc_hz;
	return ERR_OK;
}

/* ---- platform ----------------------------------------------------------- */

static void x86_rtc_read(void);

/* The ports the kernel itself drives (or that would let a process reach
 * around its capabilities): IOPORTCTL_GET refuses them. */
static void x86_reserve_ports(void)
{
	ioport_reserve(0x20, 2, "8259 PIC (master)");
	ioport_reserve(0xa0, 2, "8259 PIC (slave)");
	ioport_reserve(0x40, 4, "8254 PIT");
	ioport_reserve(0x61, 1, "PIT gate (port B)");
	ioport_reserve(0x70, 2, "CMOS clock");
	ioport_reserve(DEBUG_EXIT, 4, "isa-debug-exit");
	ioport_reserve(0xcf8, 8, "PCI configuration");
}

void arch_platform_init(const struct boot_info *bi)
{
	err_t e;

	x86_reserve_ports();
	x86_pic_disable();
	x86_lapic_init();
	if (x86_lapic_id() != x86_percpu[0].apic_id)
		pr_warn("boot CPU: CPUID APIC id %u, local APIC says %u\n", x86_percpu[0].apic_id,
			x86_lapic_id());
	x86_lapic_timer_calibrate();
	device_note("local APIC", "LAPIC", x86_platform.lapic_pa, 0);
	if ((e = x86_ioapic_init()))
		panic("no usable IOAPIC (%s)", err_name(e));
	e = uart16550_probe_port(COM1, x86_isa_irq_to_gsi(COM1_ISA_IRQ), "COM1");
	if (e)
		pr_warn("no COM1 console driver (%s); staying on polled output\n", err_name(e));
	x86_rtc_read();
}

/* ---- the CMOS real-time clock ----------------------------------------------------------- */

static uint8_t x86_cmos(uint8_t reg)
{
	arch_outb(0x70, reg);
	return arch_inb(0x71);
}

static unsigned x86_cmos_value(uint8_t reg, bool bcd)
{
	uint8_t v = x86_cmos(reg);

	return bcd ? (v >> 4) * 10 + (v & 15) : v;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; Howard Hinnant's days_from_civil). */
static int64_t x86_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + (int64_t)doe - 719468;
}

/* Reads the MC146818 clock (UTC, as QEMU keeps it) into CLOCK_REALTIME:
 * twice outside an update until two reads agree. */
static void x86_rtc_read(void)
{
	unsigned t[6], prev[6];
	uint8_t status_b = x86_cmos(0x0b);
	bool bcd = !(status_b & 4), h12 = !(status_b & 2);
	static const uint8_t regs[6] = { 0x00, 0x02, 0x04, 0x07, 0x08, 0x09 };

	for (int tries = 0; tries < 100; tries++) {
		while (x86_cmos(0x0a) & 0x80)
			;
		for (int i = 0; i < 6; i++)      /* the hour raw: its bit 7 is PM */
			t[i] = x86_cmos_value(regs[i], bcd && i != 2);
		if (tries && !memcmp(t, prev, sizeof(t)))
			break;
		memcpy(prev, t, sizeof(t));
	}
	unsigned hour = t[2] & 0x7f;
	if (bcd)
		hour = (hour >> 4) * 10 + (hour & 15);
	if (h12 && (t[2] & 0x80))
		hour = (hour % 12) + 12;
	else if (h12 && hour == 12)
		hour = 0;
	if (t[4] < 1 || t[4] > 12 || t[3] < 1 || t[3] > 31 || hour > 23 || t[1] > 59 || t[0] > 60)
		return;
	int64_t days = x86_days_from_civil(2000 + (int64_t)t[5], t[4], t[3]);
	int64_t secs = days * 86400 + hour * 3600 + t[1] * 60 + t[0];
	if (secs > 0)
		clock_set_realtime((uint64_t)secs * 1000000000ull);
}

void arch_banner(void)
{
	kprintf("  paging: %s, NX %s, 1 GiB pages %s, kernel at %#lx (phys %#lx)\n",
		arch_mmu_mode_name(), x86_pte_nx ? "on" : "off", x86_has_1g_pages ? "yes" : "no",
		(unsigned long)kernel_vbase, (unsigned long)kernel_pbase);
	kprintf("  cpu: %s%s%s, TSC %lu kHz%s, local APIC timer %lu kHz%s\n", x86_cpu_vendor,
		x86_hypervisor[0] ? " under " : "", x86_hypervisor,
		(unsigned long)(x86_tsc_hz / 1000), x86_has_invariant_tsc ? " (invariant)" : "",
		(unsigned long)(x86_lapic_timer_hz() / 1000),
		x86_mmio_refill ? ", its TLB entry refilled per access" : "");
	if (x86_platform.have_madt)
		kprintf("  firmware: %s (Multiboot2), ACPI revision %u from \"%s\", MADT: %u IOAPIC%s\n",
			boot_loader, x86_platform.acpi_revision, x86_platform.oem,
			x86_platform.n_ioapics, x86_platform.n_ioapics == 1 ? "" : "s");
	else
		kprintf("  firmware: %s (Multiboot2), no ACPI MADT: defaults\n", boot_loader);
}

/* ---- paging ------------------------------------------------------------- */

const char *arch_mmu_mode_name(void)
{
	return "4-level";
}

void arch_tlb_flush_all(void)
{
	uint64_t cr4 = x86_read_cr(4);

	x86_write_cr(4, cr4 & ~(uint64_t)CR4_PGE);   /* drops global entries too */
	x86_write_cr(4, cr4);
}

/* Every PCID when the CPU has them (CPUID.1:ECX.PCID; x86_cpu_init()
 * turned CR4.PCIDE on); QEMU's TCG CPU models have none. */
unsigned arch_as_tags(void)
{
	return x86_has_pcid ? 4096 : 0;
}

void arch_mmu_activate(paddr_t root)
{
	x86_write_cr(3, root);
	arch_tlb_flush_all();
}

void arch_tlb_flush_page(vaddr_t va)
{
	__asm__ volatile("invlpg (%0)" :: "r"(va) : "memory");
}

/* ---- CPU states and power ----------------------------------------------- */

/*
 * hlt with interrupts off would never end. With them off, open them for
 * the hlt only: sti takes effect after the next instruction, so an
 * interrupt pending now still ends the hlt instead of slipping in before
 * it; its handler runs during the wait and interrupts are off again on
 * return.
 */
/* PAUSE ends QEMU's execution loop for the CPU (its turn under -icount);
 * a HLT here would take the interrupt that ends it. */
void arch_cpu_doze(void)
{
	for (int i = 0; i < 64; i++)
		__asm__ volatile("pause" ::: "memory");
}

void arch_cpu_wait_ipi(void)
{
	/* an IPI that came before sti waits in the APIC and ends the hlt;
	 * the timer and devices stay pending until CR8 is back at 0 */
	__asm__ volatile("mov %0, %%cr8; sti; hlt; cli; mov %1, %%cr8"
			 :: "r"((uint64_t)TPR_IPI_ONLY), "r"(0ull) : "memory");
}

void arch_wait_for_interrupt(void)
{
	if (arch_irq_enabled())
		__asm__ volatile("hlt" ::: "memory");
	else
		__asm__ volatile("sti; hlt; cli" ::: "memory");
}

noreturn void arch_halt_cpu(void)
{
	for (;;)
		__asm__ volatile("cli; hlt" ::: "memory");
}

noreturn void arch_poweroff(int status)
{
	const struct console_driver *d = console_driver();

	arch_irq_disable();
	if (d && d->write_polled)
		d->write_polled("", 0);     /* flushes what the driver still queues */
	x86_outl(DEBUG_EXIT, (uint32_t)status);
	kprintf("power-off is not supported on this machine (no isa-debug-exit); halted\n");
	arch_halt_cpu();
}
