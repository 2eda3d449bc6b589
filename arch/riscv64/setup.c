// SPDX-License-Identifier: MIT
/*
 * riscv64 boot and platform set-up: from the higher-half entry to kmain(),
 * boot information from the device tree, the console, interrupt controller
 * and timer drivers, power-off through SBI.
 */
#include <stddef.h>
#include <arch.h>
#include <cairn/abi.h>
#include <arch/sbi.h>
#include <kernel/log.h>
#include <kernel/mm.h>
#include <kernel/devtree.h>
#include <kernel/console.h>
#include <kernel/irq.h>
#include <kernel/clock.h>
#include <string.h>
#include <libfdt.h>

extern char _start[], _end[];
extern uint64_t riscv_load_pa, riscv_boot_dtb_pa, riscv_boot_satp;
extern uint64_t riscv_entry_counter;    /* rdinstret at _start (head.S) */

struct riscv_percpu riscv_percpu[CONFIG_NR_CPUS] __attribute__((aligned(64)));
_Static_assert(sizeof(struct riscv_percpu) == PERCPU_SIZE, "percpu layout");
_Static_assert(__builtin_offsetof(struct riscv_percpu, stack_top) == PERCPU_STACK, "percpu layout");
_Static_assert(sizeof(struct trap_frame) == TF_SIZE, "trap frame layout");

vaddr_t physmap_base;
vaddr_t kernel_vbase;
paddr_t kernel_pbase;
static uint64_t timebase_hz;
static volatile uint32_t *test_finisher;   /* QEMU's sifive,test0, if present */
static bool semihosting;                   /* boot arg: QEMU runs with -semihosting */
void riscv_semihost_exit(const uint64_t block[2]);
unsigned riscv_pt_levels;   /* arch_pt_levels() */

void riscv_boot(unsigned long hartid, unsigned long dtb_pa);

void riscv_boot(unsigned long hartid, unsigned long dtb_pa)
{
	riscv_percpu[0].id = 0;
	riscv_percpu[0].hartid = hartid;
	riscv_percpu[0].online = 1;
	if ((riscv_boot_satp >> SATP_MODE_SHIFT) == SATP_MODE_SV48) {
		physmap_base = PHYSMAP_BASE_SV48;
		riscv_pt_levels = 4;
	} else {
		physmap_base = PHYSMAP_BASE_SV39;
		riscv_pt_levels = 3;
	}
	kernel_vbase = (vaddr_t)_start;
	kernel_pbase = riscv_load_pa;
	kmain();
}

void arch_early_putc(char c)
{
	riscv_sbi_putchar(c);
}

/* Harts whose node has no mmu-type (like the E51 monitor core of the
 * FU540) cannot run the kernel: drop them from the CPU list. */
static void drop_harts_without_mmu(struct boot_info *bi)
{
	int cpus = fdt_path_offset(bi->fdt, "/cpus"), node;
	unsigned keep = 1;

	for (unsigned i = 1; i < bi->n_cpus; i++) {
		bool ok = false;
		fdt_for_each_subnode(node, bi->fdt, cpus) {
			paddr_t hw;
			uint64_t sz;
			if (dt_reg(bi->fdt, node, 0, &hw, &sz) == ERR_OK && hw == bi->cpu_hwid[i])
				ok = fdt_getprop(bi->fdt, node, "mmu-type", NULL) != NULL;
		}
		if (ok)
			bi->cpu_hwid[keep++] = bi->cpu_hwid[i];
		else
			pr_info("hart %lu has no MMU; not used\n", (unsigned long)bi->cpu_hwid[i]);
	}
	bi->n_cpus = keep;
}

err_t arch_early_init(struct boot_info *bi)
{
	uint64_t hartid = riscv_this_cpu()->hartid;
	err_t e;

	bi->fdt_pa = riscv_boot_dtb_pa;
	bi->fdt = phys_to_virt(riscv_boot_dtb_pa);
	e = dt_parse_boot_info(bi->fdt, DT_MAX_SIZE, hartid, bi);
	if (e)
		return e;
	bi->entry_counter = riscv_entry_counter;
	drop_harts_without_mmu(bi);
	semihosting = cmdline_get(bi->cmdline, "semihosting", NULL, 0);
	timebase_hz = bi->timebase_hz;
	if (!timebase_hz) {
		pr_err("device tree has no /cpus timebase-frequency\n");
		return ERR_INVAL;
	}
	bi->kernel_pa_start = kernel_pbase;
	bi->kernel_pa_end = kernel_pbase + (_end - _start);
	e = boot_reserve(bi, bi->kernel_pa_start, bi->kernel_pa_end - bi->kernel_pa_start, "kernel");
	if (!e)
		e = boot_reserve(bi, bi->fdt_pa, bi->fdt_size, "device tree");
	if (!e && bi->initrd_end > bi->initrd_start)
		e = boot_reserve(bi, bi->initrd_start, bi->initrd_end - bi->initrd_start, "initrd");
	return e;
}

/* KINFO_FIRMWARE: the device tree blob as firmware gave it (checked whole
 * by dt_parse_boot_info()). */
size_t arch_firmware_copy(void *dst, size_t max)
{
	if (!boot_info.fdt)
		return 0;
	if (dst && boot_info.fdt_size <= max)
		memcpy(dst, boot_info.fdt, boot_info.fdt_size);
	return boot_info.fdt_size;
}

uint64_t arch_counter_hz(void)
{
	return timebase_hz;
}

void arch_timer_arm(uint64_t deadline)
{
	riscv_sbi_set_timer(deadline);
	csr_set(sie, SIE_STIE);
}

const char *arch_mmu_mode_name(void)
{
	return riscv_pt_levels == 4 ? "Sv48" : "Sv39";
}

uint64_t riscv_satp_mode_bits;

void arch_mmu_activate(paddr_t root)
{
	uint64_t mode = riscv_pt_levels == 4 ? SATP_MODE_SV48 : SATP_MODE_SV39;

	riscv_satp_mode_bits = mode << SATP_MODE_SHIFT;
	__asm__ volatile("sfence.vma" ::: "memory");
	csr_write(satp, (mode << SATP_MODE_SHIFT) | (root >> 12));
	__asm__ volatile("sfence.vma" ::: "memory");
}

/*
 * How many ASIDs the hart has, probed as Linux's asids_init() does: a
 * write of satp with every ASID bit set keeps only the bits it has (none:
 * no ASIDs). Harts are taken to be alike: this one's count is everyone's.
 */
unsigned arch_as_tags(void)
{
	uint64_t satp = csr_read(satp), asid;

	csr_write(satp, satp | (SATP_ASID_MASK << SATP_ASID_SHIFT));
	asid = (csr_read(satp) >> SATP_ASID_SHIFT) & SATP_ASID_MASK;
	csr_write(satp, satp);
	__asm__ volatile("sfence.vma" ::: "memory");
	return asid ? (unsigned)asid + 1 : 0;   /* the bits it kept are its width */
}

uint64_t riscv_satp_mode(void);
uint64_t riscv_satp_mode(void)
{
	return csr_read(satp) >> SATP_MODE_SHIFT;
}

void arch_tlb_flush_all(void)
{
	__asm__ volatile("sfence.vma" ::: "memory");
}

void arch_tlb_flush_page(vaddr_t va)
{
	__asm__ volatile("sfence.vma %0" :: "r"(va) : "memory");
}

void arch_cpu_doze(void)
{
	unsigned long f = arch_irq_save();   /* a timer interrupt taken here would end it too soon */

	csr_clear(sip, SIE_SSIE);       /* an IPI: its words are read after the doze */
	riscv_sbi_set_timer(arch_counter_read() + timebase_hz / 100000 + 1);
	csr_set(sie, SIE_STIE);
	__asm__ volatile("wfi" ::: "memory");
	arch_irq_restore(f);
}

void arch_cpu_wait_ipi(void)
{
	arch_cpu_doze();        /* wfi ends at an IPI; the doze's timer bounds it */
}

void arch_wait_for_interrupt(void)
{
	__asm__ volatile("wfi" ::: "memory");
}

noreturn void arch_halt_cpu(void)
{
	arch_irq_disable();
	csr_write(sie, 0);
	for (;;)
		__asm__ volatile("wfi");
}

/*
 * SBI system reset carries only "failure or not", and OpenSBI 1.1 reports
 * every shutdown to QEMU's test device as a pass. To give QEMU (and so
 * qemu-run.sh --test) the real status, a failure is written to the test
 * device directly when the board has one; success goes through SBI.
 * Boards without that device under QEMU (sifive_u) boot with `semihosting`
 * and leave through the semihosting exit call, which carries the status.
 */
noreturn void arch_poweroff(int status)
{
	if (status && test_finisher)
		*test_finisher = 0x3333 | ((uint32_t)(status & 0xffff) << 16);
	if (semihosting) {
		const uint64_t block[2] = { 0x20026 /* ADP_Stopped_ApplicationExit */, (uint64_t)status };
		riscv_semihost_exit(block);
	}
	riscv_sbi_shutdown(status != 0);
	kprintf("power-off is not supported on this board; halted\n");
	arch_halt_cpu();
}

static void riscv_rtc_read(const void *fdt);

void arch_platform_init(const struct boot_info *bi)
{
	err_t e;

	e = plic_probe(bi->fdt, riscv_this_cpu()->hartid);
	if (e)
		panic("no usable interrupt controller in the device tree (%s)", err_name(e));
	e = console_probe_dt(bi->fdt);
	if (e)
		pr_warn("no console UART (%s); staying on the SBI console\n", err_name(e));
	csr_set(sie, SIE_SEIE | SIE_SSIE);

	int node = dt_find_compatible(bi->fdt, -1, "sifive,test0");
	paddr_t base;
	uint64_t size;
	if (node >= 0 && dt_reg(bi->fdt, node, 0, &base, &size) == ERR_OK && size >= 4)
		test_finisher = vm_map_device(base, 4);
	riscv_rtc_read(bi->fdt);
}

/* The Goldfish RTC (QEMU virt): TIME_LOW (0x00) then TIME_HIGH (0x04), ns
 * since 1970; reading TIME_LOW latches TIME_HIGH. Boards without one keep
 * CLOCK_REALTIME counting from boot. */
static void riscv_rtc_read(const void *fdt)
{
	int node = dt_find_compatible(fdt, -1, "google,goldfish-rtc");
	volatile uint32_t *rtc;
	paddr_t base;
	uint64_t size, lo, hi;

	if (node < 0 || dt_reg(fdt, node, 0, &base, &size) != ERR_OK || size < 8)
		return;
	rtc = vm_map_device(base, 8);
	lo = rtc[0];
	hi = rtc[1];
	clock_set_realtime(hi << 32 | lo);
}

void arch_banner(void)
{
	kprintf("  paging: %s active (satp mode %lu), kernel at %#lx (phys %#lx)\n",
		arch_mmu_mode_name(), (unsigned long)riscv_satp_mode(),
		(unsigned long)kernel_vbase, (unsigned long)kernel_pbase);
	kprintf("  firmware: SBI %s, HSM %s, SRST %s\n",
		riscv_sbi_probe(SBI_EXT_TIME) ? "TIME" : "legacy timer",
		riscv_sbi_probe(SBI_EXT_HSM) ? "yes" : "no",
		riscv_sbi_probe(SBI_EXT_SRST) ? "yes" : "no");
}

/* ---- threads and user mode ------------------------------------------------------------ */

void arch_context_init(struct arch_context *ctx, void *stack_top, void (*entry)(void))
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->ra = (uintptr_t)entry;
	ctx->sp = (uintptr_t)stack_top;
}

void arch_user_frame_init(struct trap_frame *tf, uintptr_t pc, uintptr_t sp, uintptr_t arg)
{
	uint64_t tp = tf->regs[4];      /* THREAD_SET_TLS may come before the start */

	memset(tf->regs, 0, sizeof(tf->regs));
	tf->regs[4] = tp;
	tf->regs[2] = sp;
	tf->regs[10] = arg;
	tf->sepc = pc;
	tf->sstatus = (csr_read(sstatus) & ~(SSTATUS_SPP | SSTATUS_SIE | SSTATUS_SUM | SSTATUS_FS)) |
		      SSTATUS_SPIE;
	tf->kernel_tp = (uintptr_t)riscv_this_cpu();
}

vaddr_t arch_user_top(void)
{
	return riscv_pt_levels == 4 ? 0x0000800000000000ul : 0x0000004000000000ul;
}

void arch_user_init(void)
{
	csr_write(scounteren, 7);     /* cycle, time, instret readable in U-mode */
	csr_clear(sstatus, SSTATUS_SUM);
}

void arch_set_tls(struct arch_context *ctx, struct trap_frame *tf, uint64_t value, bool running)
{
	(void)ctx;
	(void)running;
	tf->regs[4] = value;          /* tp: restored on every way back to U-mode */
}

uintptr_t arch_frame_sp(const struct trap_frame *tf)
{
	return tf->regs[2];
}

/* the upcall frame's layout, as include/cairn/abi.h tells user space */
_Static_assert(offsetof(struct trap_frame, sepc) == CAIRN_UPF_RV_PC * 8 &&
	       sizeof(struct trap_frame) == CAIRN_UPF_RV_NREGS * 8, "upcall frame registers");

void arch_frame_set_pc(struct trap_frame *tf, uintptr_t pc)
{
	tf->sepc = pc;
}

void arch_upcall_enter(struct trap_frame *tf, uintptr_t pc, uintptr_t sp, uintptr_t a0, uintptr_t a1)
{
	tf->sepc = pc;
	tf->regs[2] = sp;
	tf->regs[10] = a0;
	tf->regs[11] = a1;
}

void arch_frame_restore(struct trap_frame *tf, const struct trap_frame *saved, bool partial)
{
	static const uint8_t syscall_regs[] = { 1, 2, 3, 4, 11, 12, 13, 14, 15, 16 };

	tf->sepc = saved->sepc;
	if (partial) {
		for (unsigned i = 0; i < sizeof(syscall_regs); i++)
			tf->regs[syscall_regs[i]] = saved->regs[syscall_regs[i]];
		return;
	}
	memcpy(&tf->regs[1], &saved->regs[1], 31 * sizeof(uint64_t));
	/* the live FP status, not a stale or forged one; mode bits: arch_user_enter */
	tf->sstatus = csr_read(sstatus);
}
