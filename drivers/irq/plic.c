// SPDX-License-Identifier: MIT
/*
 * RISC-V Platform-Level Interrupt Controller. The context that delivers
 * S-mode external interrupts to a hart is found from interrupts-extended:
 * entry i is a (cpu interrupt controller phandle, cause) pair, and context i
 * is the one whose controller belongs to the hart with cause 9 (S-external).
 * For now every interrupt is routed to the boot hart.
 */
#include <kernel/irq.h>
#include <kernel/devtree.h>
#include <kernel/mm.h>
#include <kernel/log.h>
#include <kernel/monitor.h>
#include <libfdt.h>

#define PLIC_PRIORITY(irq)      (4 * (irq))
#define PLIC_ENABLE(ctx, irq)   (0x2000 + 0x80 * (ctx) + 4 * ((irq) / 32))
#define PLIC_THRESHOLD(ctx)     (0x200000 + 0x1000 * (ctx))
#define PLIC_CLAIM(ctx)         (0x200004 + 0x1000 * (ctx))
#define IRQ_S_EXT 9

static volatile uint32_t *regs;
static unsigned boot_ctx;
static struct irq_chip chip;

static inline volatile uint32_t *reg(unsigned off)
{
	return &regs[off / 4];
}

/* Enable bit first, priority last: QEMU's PLIC (like some hardware)
 * re-evaluates what to deliver on priority writes, not on enable writes,
 * so a source that became pending while masked is delivered at once. */
static void plic_enable(unsigned irq)
{
	*reg(PLIC_ENABLE(boot_ctx, irq)) |= 1u << (irq % 32);
	*reg(PLIC_PRIORITY(irq)) = 1;
}

static void plic_disable(unsigned irq)
{
	*reg(PLIC_ENABLE(boot_ctx, irq)) &= ~(1u << (irq % 32));
}

static unsigned plic_claim(void)
{
	return *reg(PLIC_CLAIM(boot_ctx));
}

/* A PLIC source has one mode: its gateway sees the line level as the
 * device drives it (active high). Level is accepted (it is what the line
 * is); active low cannot be had. */
static bool plic_mode_ok(unsigned irq, unsigned mode)
{
	return mode == IRQCTL_LEVEL;
}

/* The PLIC ignores a completion for a source that is not enabled, and a
 * handler may have disabled it (an IrqLine masks until its driver
 * acknowledges): enable it around the completion. */
static void plic_complete(unsigned irq)
{
	volatile uint32_t *en = reg(PLIC_ENABLE(boot_ctx, irq));
	uint32_t bit = 1u << (irq % 32);

	if (*en & bit) {
		*reg(PLIC_CLAIM(boot_ctx)) = irq;
		return;
	}
	*en |= bit;
	*reg(PLIC_CLAIM(boot_ctx)) = irq;
	*en &= ~bit;
}

/* Finds the context index of hart `hartid`'s S-mode external interrupt. */
static int find_context(const void *fdt, int node, uint64_t hartid)
{
	int len;
	const fdt32_t *ie = fdt_getprop(fdt, node, "interrupts-extended", &len);

	if (!ie || len % 8)
		return -1;
	for (int i = 0; i < len / 8; i++) {
		int intc = fdt_node_offset_by_phandle(fdt, fdt32_to_cpu(ie[2 * i]));
		int cpu = intc >= 0 ? fdt_parent_offset(fdt, intc) : -1;
		paddr_t hw;
		uint64_t unused;
		if (cpu < 0 || fdt32_to_cpu(ie[2 * i + 1]) != IRQ_S_EXT)
			continue;
		if (dt_reg(fdt, cpu, 0, &hw, &unused) == ERR_OK && hw == hartid)
			return i;
	}
	return -1;
}

err_t plic_probe(const void *fdt, uint64_t boot_hartid)
{
	int node = dt_find_compatible(fdt, -1, "riscv,plic0");
	paddr_t base;
	uint64_t size;
	uint32_t ndev;
	int ctx;

	if (node < 0)
		node = dt_find_compatible(fdt, -1, "sifive,plic-1.0.0");
	if (node < 0)
		return ERR_NODEV;
	if (dt_reg(fdt, node, 0, &base, &size) || dt_u32(fdt, node, "riscv,ndev", 0, &ndev) ||
	    ndev == 0 || ndev > 1023)
		return ERR_INVAL;
	ctx = find_context(fdt, node, boot_hartid);
	if (ctx < 0)
		return ERR_NOENT;
	regs = vm_map_device(base, size);
	if (!regs)
		return ERR_NOMEM;
	boot_ctx = ctx;
	for (unsigned i = 1; i <= ndev; i++)
		plic_disable(i);
	*reg(PLIC_THRESHOLD(boot_ctx)) = 0;
	chip = (struct irq_chip){ "PLIC", ndev, plic_enable, plic_disable, plic_claim, plic_complete,
				  plic_mode_ok, NULL };
	device_note("interrupt controller", dt_node_name(fdt, node), base, 0);
	pr_info("plic: %u interrupts, hart %lu is context %d\n", ndev, (unsigned long)boot_hartid, ctx);
	return irq_set_chip(&chip);
}
