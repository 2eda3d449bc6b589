/* SPDX-License-Identifier: MIT */
/*
 * Interfaces between the files of arch/x86_64/ (not part of the arch
 * contract; the core never includes this).
 */
#ifndef ARCH_X86_X86_H
#define ARCH_X86_X86_H
#include <arch.h>

#define X86_LOW_MEMORY_OWNER "BIOS, AP trampoline"   /* the first MiB, reserved */
#define X86_MAX_IOAPICS    4
#define X86_ISA_IRQS       16

/* What the ACPI MADT says about the machine (acpi.c). */
struct x86_platform {
	paddr_t lapic_pa;
	unsigned n_ioapics;
	struct {
		unsigned id;
		paddr_t pa;
		unsigned gsi_base;
	} ioapic[X86_MAX_IOAPICS];
	/* ISA IRQ -> GSI and its polarity/trigger (MADT interrupt source
	 * overrides; identity, edge, active high when none) */
	unsigned isa_gsi[X86_ISA_IRQS];
	bool isa_level[X86_ISA_IRQS], isa_low[X86_ISA_IRQS];
	bool have_madt;
	unsigned acpi_revision;
	paddr_t rsdp_pa;            /* 0: no usable RSDP */
	char oem[7];
};
extern struct x86_platform x86_platform;

/* head.S */
extern uint64_t boot_pml4[], boot_pdpt_low[];
extern uint32_t x86_mb2_magic, x86_mb2_info_pa;
extern uint64_t x86_entry_counter;      /* rdtsc at _start (head.S) */

/* multiboot.c: memory, command line, modules, RSDP. */
err_t x86_multiboot_parse(struct boot_info *bi, paddr_t *rsdp_pa, const char **loader);

/* acpi.c: the MADT (CPUs, IOAPICs, ISA overrides). Boot tables active. */
err_t x86_acpi_init(paddr_t rsdp_pa, struct boot_info *bi);

/* cpu.c: per-CPU GDT, TSS, IDT, control registers. */
extern struct x86_percpu x86_percpu[];
void x86_cpu_init(struct x86_percpu *pc, void *ist_df, void *ist_nmi);
void x86_idt_init(void);
void x86_features_init(void);
extern char x86_cpu_vendor[13];
extern char x86_hypervisor[13];   /* CPUID 0x40000000's signature, "" on bare metal */
extern bool x86_has_invariant_tsc, x86_has_smep, x86_has_smap, x86_has_umip, x86_has_pcid;

/* apic.c: the local APIC, its timer, IPIs; TSC calibration. */
uint64_t x86_tsc_calibrate(void);
void x86_lapic_init(void);          /* on the calling CPU (maps it on the first call) */
void x86_lapic_eoi(void);
unsigned x86_lapic_id(void);
void x86_lapic_timer_calibrate(void);
err_t x86_lapic_start_ap(unsigned apic_id, unsigned sipi_vector, volatile int *started);
uint64_t x86_lapic_timer_hz(void);
extern uint64_t x86_tsc_hz;

/* ioapic.c: the interrupt controller for device lines (irq_chip). */
err_t x86_ioapic_init(void);
unsigned x86_isa_irq_to_gsi(unsigned isa_irq);
void x86_pic_disable(void);

/* trap.c: traps taken in kernel mode, and in user mode (then tf is the
 * thread's user frame; returns with interrupts off). */
void x86_trap(struct trap_frame *tf);
void x86_trap_user(struct trap_frame *tf);
extern char x86_isr_stubs[];

/* entry.S: the SYSCALL entry (LSTAR); the return to user mode through
 * iretq with every register of tf (interrupts off, kernel GS active). */
extern char x86_syscall_entry[];
noreturn void x86_iret_to_user(struct trap_frame *tf);

/* user.c: before any return to user mode. A return address outside user
 * space (a SYSCALL at the very top of it, or a bad pc given to
 * arch_user_frame_init) becomes an instruction fault of the thread, so
 * neither SYSRET nor IRET ever faults in kernel mode. Returns with
 * interrupts off. */
void x86_user_return_check(struct trap_frame *tf);

/* trampoline.S */
extern char x86_trampoline_start[], x86_trampoline_end[];
extern char x86_tramp_cr3[], x86_tramp_efer[], x86_tramp_percpu[], x86_tramp_stack[],
	x86_tramp_entry[];

/* Early COM1 output (polled), usable before anything is set up. */
void x86_early_uart_init(void);

/*
 * Under QEMU's TCG (7.2, Debian 12's; fixed in 8.1), a CPU's software TLB
 * entry for an MMIO page holds the number of a section of the machine's
 * memory map. A PCI BAR that appears or goes (the device manager turning
 * a function's decoding off to size its BARs, then on) renumbers the
 * sections, and another CPU still holding an entry filled before that
 * reaches a different device with it until its pending flush runs: a
 * local APIC write landed in a NIC's MSI-X table and QEMU aborted (3 in 6
 * busybox-test boots on 4 CPUs; 0 in 24 with this). There (CPUID's
 * hypervisor signature "TCGTCGTCGTCG"), the kernel's own device accesses
 * (local APIC, IOAPIC) first drop the page's entry, so the access fills
 * a new one, numbered in the map of that moment.
 */
extern bool x86_mmio_refill;
static inline void x86_mmio_fresh(const volatile void *page)
{
	if (x86_mmio_refill)
		__asm__ volatile("invlpg (%0)" :: "r"(page) : "memory");
}

#endif
