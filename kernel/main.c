// SPDX-License-Identifier: MIT
/*
 * kmain: the portable boot sequence, from the arch's first C call to the
 * self-tests or the kernel monitor.
 */
#include <cairn/version.h>
#include <arch.h>
#include <kernel/log.h>
#include <kernel/mm.h>
#include <kernel/clock.h>
#include <kernel/console.h>
#include <kernel/selftest.h>
#include <kernel/monitor.h>
#include <kernel/thread.h>
#include <kernel/smp.h>
#include <kernel/method.h>
#include <string.h>

static void print_banner(const struct boot_info *bi)
{
	kprintf("\nCairn microkernel (%s/%s), %u CPU%s online\n", CONFIG_ARCH, CONFIG_BOARD,
		arch_cpus_online(), arch_cpus_online() == 1 ? "" : "s");
	arch_banner();
	kprintf("  memory: %lu MiB in %u range%s, %lu MiB free\n",
		(unsigned long)(boot_mem_total(bi) >> 20), bi->n_mem, bi->n_mem == 1 ? "" : "s",
		(unsigned long)(pmm_free_pages() * PAGE_SIZE >> 20));
	for (unsigned i = 0; i < bi->n_mem; i++)
		kprintf("    %#014lx-%#014lx RAM\n", (unsigned long)bi->mem[i].base,
			(unsigned long)(bi->mem[i].base + bi->mem[i].size - 1));
	for (unsigned i = 0; i < bi->n_reserved; i++)
		kprintf("    %#014lx-%#014lx reserved (%s)\n", (unsigned long)bi->reserved[i].base,
			(unsigned long)(bi->reserved[i].base + bi->reserved[i].size - 1),
			bi->reserved[i].what);
	monitor_print_devices();
	kprintf("  timebase: %lu Hz, no tick (time slice %d ms)\n", (unsigned long)arch_counter_hz(),
		CONFIG_TIME_SLICE_MS);
	kprintf("  cmdline: \"%s\"\n", bi->cmdline);
	kprintf("  counter at entry: %lu\n", (unsigned long)bi->entry_counter);
	if (bi->initrd_end > bi->initrd_start)
		kprintf("  initrd: %#lx, %lu bytes\n", (unsigned long)bi->initrd_start,
			(unsigned long)(bi->initrd_end - bi->initrd_start));
}

noreturn void kmain(void)
{
	struct boot_info *bi = &boot_info;
	char arg[32];
	err_t e;

	e = arch_early_init(bi);
	if (e) {
		kprintf("cairn: unusable boot information (%s); stopping\n", err_name(e));
		arch_poweroff(2);
	}
	if (cmdline_get(bi->cmdline, "loglevel", arg, sizeof(arg)) && arg[0] >= '0' && arg[0] <= '3')
		log_level = arg[0] - '0';
	pr_info("Cairn %s booting on %s/%s, paging %s\n", CAIRN_RELEASE, CONFIG_ARCH, CONFIG_BOARD,
		arch_mmu_mode_name());
	if ((e = pmm_init(bi)))
		panic("no usable memory (%s)", err_name(e));
	kinfo_firmware_init();          /* while the boot map reaches the firmware */
	if ((e = vm_init(bi)))
		panic("cannot build the kernel page table (%s)", err_name(e));
	astag_init(bi->cmdline);
	arch_platform_init(bi);
	sched_init();
	clock_init();
	arch_irq_enable();
	arch_start_secondaries(bi);
	print_banner(bi);
	if (cmdline_get(bi->cmdline, "crash", arg, sizeof(arg)))
		monitor_crash(arg);
	if (cmdline_get(bi->cmdline, "selftest", arg, sizeof(arg))) {
		char flag[8];
		selftest_icount = cmdline_get(bi->cmdline, "icount", flag, sizeof(flag));
		unsigned failed = selftest_run(arg);
		arch_poweroff(failed ? 1 : 0);
	}
	arch_user_init();
	smp_release_secondaries();
	klock();
	if (process_start_init(bi))
		sched_run();
	kunlock();
	monitor_run();
}

static volatile int secondaries_go;

/* The other CPUs join the scheduler now (they wait until init is about to
 * start: the self-tests and the monitor run on the boot CPU alone). ncpus
 * counts them all from here, before any of them takes the kernel lock
 * (which relies on it never changing: kernel/smp.c); each is used once it
 * says it is online. */
void smp_release_secondaries(void)
{
	unsigned n = 1;

	for (unsigned i = 1; i < CONFIG_NR_CPUS; i++)
		if (cpus[i].id == i)        /* came up (kmain_secondary) */
			n = i + 1;
	ncpus = n;
	__atomic_store_n(&secondaries_go, 1, __ATOMIC_SEQ_CST);
	for (unsigned i = 1; i < n; i++)
		if (cpus[i].id == i)
			arch_send_ipi(i);
}

noreturn void kmain_secondary(unsigned cpu)
{
	sched_init_cpu();
	arch_cpu_set_online();
	pr_info("cpu%u online\n", cpu);
	while (!__atomic_load_n(&secondaries_go, __ATOMIC_ACQUIRE))
		arch_wait_for_interrupt();
	if (cpu >= ncpus) {
		/* up after the release counted the CPUs (a host too busy to
		 * start it in time): the lock needs ncpus fixed, so never */
		pr_err("cpu%u came online too late: stopped\n", cpu);
		for (;;)
			arch_wait_for_interrupt();
	}
	arch_user_init();
	clock_init_cpu();
	sched_cpu_online();          /* before any kernel lock: ncpus is settled first */
	sched_run();
}
