// SPDX-License-Identifier: MIT
/*
 * Secondary harts: started through SBI HSM at riscv_secondary_entry with
 * their logical index as the opaque argument, each on its own stack, then
 * kmain_secondary(). IPIs are SBI's (a supervisor software interrupt on
 * the target hart).
 */
#include <arch.h>
#include <arch/sbi.h>
#include <kernel/log.h>
#include <kernel/mm.h>
#include <kernel/clock.h>

extern struct riscv_percpu riscv_percpu[];
extern char riscv_secondary_entry[];

void riscv_secondary_boot(unsigned cpu);

void riscv_secondary_boot(unsigned cpu)
{
	arch_mmu_activate(kernel_root);
	csr_set(sie, SIE_SSIE);
	kmain_secondary(cpu);
}

void arch_send_ipi(unsigned cpu)
{
	riscv_sbi_send_ipi(riscv_percpu[cpu].hartid);
}

void arch_start_secondaries(const struct boot_info *bi)
{
	unsigned order = 0;

	while ((1u << order) < CONFIG_KERNEL_STACK_PAGES)
		order++;
	for (unsigned i = 1; i < bi->n_cpus && i < CONFIG_NR_CPUS; i++) {
		struct riscv_percpu *pc = &riscv_percpu[i];
		paddr_t stack = pmm_alloc(order);

		if (stack == PADDR_INVALID) {
			pr_err("cpu%u: no memory for a stack\n", i);
			continue;
		}
		pc->id = i;
		pc->hartid = bi->cpu_hwid[i];
		pc->stack_top = (uint64_t)phys_to_virt(stack) + (PAGE_SIZE << order);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		paddr_t entry = (vaddr_t)riscv_secondary_entry - kernel_vbase + kernel_pbase;
		struct sbiret r = riscv_sbi_hart_start(pc->hartid, entry, i);
		if (r.error) {
			pr_err("cpu%u: SBI could not start hart %lu (error %ld)\n", i,
			       (unsigned long)pc->hartid, r.error);
			pmm_free(stack, order);
			continue;
		}
		uint64_t deadline = clock_ns() + 10000000000ull;   /* 10 s: a busy host is slow */
		while (!__atomic_load_n(&pc->online, __ATOMIC_ACQUIRE) && clock_ns() < deadline)
			arch_cpu_doze();
		if (!pc->online)
			pr_err("cpu%u: hart %lu did not come online\n", i, (unsigned long)pc->hartid);
	}
	if (bi->n_cpus > CONFIG_NR_CPUS)
		pr_warn("%u CPUs found, CONFIG_NR_CPUS is %d: the rest stay stopped\n",
			bi->n_cpus, CONFIG_NR_CPUS);
}

void arch_cpu_set_online(void);
void arch_cpu_set_online(void)
{
	__atomic_store_n(&riscv_this_cpu()->online, 1, __ATOMIC_RELEASE);
}

unsigned arch_cpus_online(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < CONFIG_NR_CPUS; i++)
		n += __atomic_load_n(&riscv_percpu[i].online, __ATOMIC_ACQUIRE) ? 1 : 0;
	return n;
}
