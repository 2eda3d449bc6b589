// SPDX-License-Identifier: MIT
/*
 * Application processors: the CPUs of the MADT after the boot CPU, started
 * one at a time with INIT-SIPI-SIPI through the real-mode trampoline,
 * each on its own stack and IST stacks, with its own GDT and TSS. Until a
 * scheduler exists they report in and park.
 */
#include <arch.h>
#include <arch/x86.h>
#include <kernel/log.h>
#include <kernel/mm.h>
#include <kernel/clock.h>
#include <string.h>

void x86_ap_entry(struct x86_percpu *pc);

/* First C on an AP, on its own stack, still on the boot page tables. */
void x86_ap_entry(struct x86_percpu *pc)
{
	uint64_t *ist = (uint64_t *)pc->stack_top;   /* IST tops stored below the stack */

	x86_cpu_init(pc, (void *)ist[0], (void *)ist[1]);
	arch_mmu_activate(kernel_root);
	x86_lapic_init();
	kmain_secondary(pc->id);
}

static unsigned stack_order(void)
{
	unsigned order = 0;

	while ((1u << order) < CONFIG_KERNEL_STACK_PAGES)
		order++;
	return order;
}

/* Stacks: the kernel stack, then one page each for the IST stacks. The
 * two IST tops are kept in the stack's top 16 bytes for x86_ap_entry. */
static err_t give_stacks(struct x86_percpu *pc)
{
	unsigned order = stack_order();
	paddr_t stack = pmm_alloc(order), df = pmm_alloc(0), nmi = pmm_alloc(0);

	if (stack == PADDR_INVALID || df == PADDR_INVALID || nmi == PADDR_INVALID) {
		if (stack != PADDR_INVALID) pmm_free(stack, order);
		if (df != PADDR_INVALID) pmm_free(df, 0);
		if (nmi != PADDR_INVALID) pmm_free(nmi, 0);
		return ERR_NOMEM;
	}
	uint64_t *top = (uint64_t *)((char *)phys_to_virt(stack) + (PAGE_SIZE << order));
	top[-2] = (uint64_t)phys_to_virt(df) + PAGE_SIZE;
	top[-1] = (uint64_t)phys_to_virt(nmi) + PAGE_SIZE;
	pc->stack_top = (uint64_t)(top - 2);
	return ERR_OK;
}

static void tramp_set(char *tramp, const char *field, uint64_t v)
{
	memcpy(tramp + (field - x86_trampoline_start), &v, sizeof(v));
}

void arch_start_secondaries(const struct boot_info *bi)
{
	char *tramp = phys_to_virt(X86_TRAMPOLINE_PA);
	size_t size = x86_trampoline_end - x86_trampoline_start;
	uint64_t efer = EFER_LME | (x86_pte_nx ? EFER_NXE : 0);

	if (bi->n_cpus < 2)
		return;
	for (unsigned i = 0; i < bi->n_reserved; i++) {
		const struct mem_range *r = &bi->reserved[i];
		if (r->base < X86_TRAMPOLINE_PA + PAGE_SIZE && X86_TRAMPOLINE_PA < r->base + r->size &&
		    strcmp(r->what, X86_LOW_MEMORY_OWNER)) {
			pr_err("the AP trampoline page %#lx holds the %s; other CPUs not started\n",
			       (unsigned long)X86_TRAMPOLINE_PA, r->what);
			return;
		}
	}
	memcpy(tramp, x86_trampoline_start, size);
	tramp_set(tramp, x86_tramp_cr3, (uint64_t)boot_pml4 - kernel_vbase + kernel_pbase);
	tramp_set(tramp, x86_tramp_efer, efer);
	tramp_set(tramp, x86_tramp_entry, (uint64_t)x86_ap_entry);
	for (unsigned i = 1; i < bi->n_cpus && i < CONFIG_NR_CPUS; i++) {
		struct x86_percpu *pc = &x86_percpu[i];

		pc->id = i;
		pc->apic_id = bi->cpu_hwid[i];
		if (give_stacks(pc)) {
			pr_err("cpu%u: no memory for its stacks\n", i);
			continue;
		}
		tramp_set(tramp, x86_tramp_percpu, (uint64_t)pc);
		tramp_set(tramp, x86_tramp_stack, pc->stack_top);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		err_t e = x86_lapic_start_ap(pc->apic_id, X86_TRAMPOLINE_PA >> 12, &pc->online);
		if (e) {
			pr_err("cpu%u: cannot start APIC id %u (%s)\n", i, pc->apic_id, err_name(e));
			continue;
		}
		uint64_t deadline = clock_ns() + 10000000000ull;   /* 10 s: a busy host is slow */
		while (!__atomic_load_n(&pc->online, __ATOMIC_ACQUIRE) && clock_ns() < deadline)
			arch_cpu_doze();
		if (!pc->online)
			pr_err("cpu%u: APIC id %u did not come online\n", i, pc->apic_id);
	}
	if (bi->n_cpus > CONFIG_NR_CPUS)
		pr_warn("%u CPUs found, CONFIG_NR_CPUS is %d: the rest stay stopped\n",
			bi->n_cpus, CONFIG_NR_CPUS);
}

void arch_cpu_set_online(void)
{
	__atomic_store_n(&x86_this_cpu()->online, 1, __ATOMIC_RELEASE);
}

unsigned arch_cpus_online(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < CONFIG_NR_CPUS; i++)
		n += __atomic_load_n(&x86_percpu[i].online, __ATOMIC_ACQUIRE) ? 1 : 0;
	return n;
}
