/* SPDX-License-Identifier: MIT */
/*
 * The arch contract: everything the portable core needs from the machine.
 *
 * Every function here is implemented by arch/<arch>/, either out of line or
 * as a static inline in the arch/<arch>/include/arch/ headers (included below). The
 * core never names an architecture; an arch never reaches into the core
 * except through the hooks documented here (kmain, kmain_secondary,
 * trap_*, irq_dispatch, clock_tick).
 *
 * "Any context" means: may be called with interrupts on or off, on any CPU,
 * including from trap handlers and panic.
 */
#ifndef KERNEL_ARCH_H
#define KERNEL_ARCH_H
#include <kernel/types.h>
#include <kernel/boot.h>
#include <arch/mmu.h>     /* pte_t and the PTE encoding inlines */
#include <arch/cpu.h>     /* struct trap_frame, irq save/restore inlines */

/* ---- boot ---------------------------------------------------------------- */

/*
 * Fills *bi from the boot protocol (device tree, Multiboot2): memory,
 * reserved ranges (firmware, the kernel image, the boot structures
 * themselves), CPUs, command line, boot image. Runs once on the boot CPU,
 * interrupts off, before any allocator exists; may only use the early
 * console. Returns an error when the boot structures are unusable; the core
 * then reports it and powers off.
 */
err_t arch_early_init(struct boot_info *bi);

/*
 * The firmware's description of the machine, for KINFO_FIRMWARE (the
 * device manager reads its buses from it): riscv64 the device tree blob,
 * x86-64 the ACPI tables in the format include/cairn/abi.h gives. Copies it
 * to dst when it fits in max bytes (dst may be NULL with max 0) and returns
 * its size in bytes either way; 0: there is none. The core calls it at
 * boot after pmm_init() and before vm_init(), while the boot direct map
 * still reaches the firmware's memory; it must not allocate.
 */
size_t arch_firmware_copy(void *dst, size_t max);

/*
 * Second stage, after the page allocator, the kernel page tables and the
 * heap exist: install trap vectors, bring up the interrupt controller, the
 * timer and the console driver. Interrupts are still off on return.
 */
void arch_platform_init(const struct boot_info *bi);

/*
 * Starts every CPU in bi->cpu_hwid[1..] and lets each run kmain_secondary()
 * on its own stack. Returns once each has either come online or failed to
 * start (reported in the log). Boot CPU only.
 */
void arch_start_secondaries(const struct boot_info *bi);

/* Logical index (0 = boot CPU) of the calling CPU. Any context. */
static inline unsigned arch_cpu_id(void);
/* A pointer the core keeps per CPU (its struct cpu), one load away: set
 * once on each CPU by the core, read from any context after. */
static inline void *arch_cpu_core(void);
static inline void arch_cpu_core_set(void *core);

/* Interrupts CPU `cpu` (logical index, online): it calls smp_ipi() from
 * that interrupt, with interrupts off, in user or kernel mode (the idle
 * loop's wait included). An interrupt that arrives while the CPU has
 * interrupts off waits for them to come on; one pending already may
 * absorb a second. Any context. */
void arch_send_ipi(unsigned cpu);

/* Marks the calling CPU online (from kmain_secondary); CPUs online now. */
void arch_cpu_set_online(void);
unsigned arch_cpus_online(void);

/* A pause hint inside spin loops. */
static inline void arch_cpu_relax(void);

/* For a CPU that has waited a while for another one (a lock, an answer):
 * waits about 10 us, or less if an interrupt becomes pending, without
 * taking it while it waits (interrupts may be on or off). Under emulation this lets the
 * host run the CPU waited for (several emulated CPUs share a host core;
 * with QEMU's -icount they take turns, and a CPU spinning holds its turn).
 * May arm this CPU's timer for the end of the wait: the interrupt that
 * comes of it is a harmless early clock_tick(). */
void arch_cpu_doze(void);

/* A doze until another CPU's IPI, with interrupts off: a CPU waiting for
 * its turn of the kernel lock, which the release before its turn wakes
 * with an IPI (kunlock_wake()). No other interrupt ends or is taken in
 * it (it stays pending); IPIs are handled, for requests (TLB, kicks) to
 * be answered. x86-64: hlt with the timer and devices held off by the
 * task priority; riscv64: arch_cpu_doze(). Under emulation the host
 * thread of a halted CPU sleeps, so the lock holder gets the host. */
void arch_cpu_wait_ipi(void);

/* Short human-readable name of the paging mode in use ("Sv48"). */
const char *arch_mmu_mode_name(void);

/* Arch-specific lines for the boot banner (devices, CPU features). */
void arch_banner(void);

/* ---- console and power ---------------------------------------------------- */

/* Writes one character without interrupts or locks (firmware or polled
 * UART). Usable from the first instruction of C and from panic. */
void arch_early_putc(char c);

/* Powers the machine off; status 0 means success. Under QEMU this becomes
 * QEMU's exit status (0 or non-zero). Any context. */
noreturn void arch_poweroff(int status);

/* Waits for an interrupt (or returns spuriously). Interrupts may be off, in
 * which case a pending interrupt still ends the wait. */
void arch_wait_for_interrupt(void);

/* Stops this CPU for good, interrupts off. */
noreturn void arch_halt_cpu(void);

/* ---- interrupts (arch/cpu.h inlines) -------------------------------------- */

/* Disables interrupts on this CPU and returns the previous state, for
 * arch_irq_restore(). Any context. */
static inline unsigned long arch_irq_save(void);
static inline void arch_irq_restore(unsigned long flags);
static inline void arch_irq_enable(void);
static inline void arch_irq_disable(void);
/* Interrupts are on on this CPU. */
static inline bool arch_irq_enabled(void);

/* ---- port I/O (arch/cpu.h inlines; only where CONFIG_ARCH_HAS_PORT_IO) ----- */
/*
 * ARCH_IO_PORTS is the number of I/O ports (x86-64: 0x10000), or 0 where
 * the arch has no port space (riscv64): then no IoPortControl exists, and
 * the core never calls arch_port_in/arch_port_out (their plain defaults
 * below do nothing).
 */
#ifdef CONFIG_ARCH_HAS_PORT_IO
/* One byte from or to an I/O port. Any context. */
static inline uint8_t arch_inb(uint16_t port);
static inline void arch_outb(uint16_t port, uint8_t val);
/* An access of width 1, 2 or 4 bytes (the caller checked width and
 * alignment): the value read, zero-extended; the low width bytes of val
 * written. Any context. */
static inline uint32_t arch_port_in(uint16_t port, unsigned width);
static inline void arch_port_out(uint16_t port, unsigned width, uint32_t val);
#else
#define ARCH_IO_PORTS 0u
static inline uint32_t arch_port_in(uint16_t port, unsigned width)
{
	(void)port;
	(void)width;
	return 0;
}
static inline void arch_port_out(uint16_t port, unsigned width, uint32_t val)
{
	(void)port;
	(void)width;
	(void)val;
}
#endif

/* ---- time ------------------------------------------------------------------ */

/* Free-running counter, monotonic, same rate on every CPU. Any context. */
static inline uint64_t arch_counter_read(void);

/* Counter frequency in Hz; valid after arch_early_init. */
uint64_t arch_counter_hz(void);

/* Arms this CPU's timer, one-shot, to interrupt when the counter reaches
 * `deadline` (absolute), replacing what it was armed for; UINT64_MAX:
 * never. It may fire early (a deadline beyond what the hardware counts),
 * never late. The core calls clock_tick() from that interrupt, on the CPU
 * that armed it. */
void arch_timer_arm(uint64_t deadline);

/* ---- memory management ----------------------------------------------------- */
/*
 * Page tables are radix trees of 512 8-byte entries a level. The portable
 * walker (kernel/pgtable.c) does all tree work; the arch only encodes and
 * decodes entries (arch/mmu.h inlines). Levels count from 0 (the leaves
 * of 4 KiB pages) up; prot is PROT_* (kernel/prot.h).
 */

/* An entry pointing to the next-level table at physical address next. */
static inline pte_t arch_pte_table(paddr_t next);
/* A leaf mapping pa (aligned for its level) with protection prot. */
static inline pte_t arch_pte_leaf(paddr_t pa, unsigned prot, unsigned level);
static inline bool arch_pte_valid(pte_t e);
/* A valid entry at `level` maps memory rather than pointing to a table. */
static inline bool arch_pte_is_leaf(pte_t e, unsigned level);
/* The physical address in an entry (a table's or a leaf's). */
static inline paddr_t arch_pte_addr(pte_t e);
/* A leaf's protection back as PROT_* bits. */
static inline unsigned arch_pte_prot(pte_t e);
/* A leaf may sit at `level` (a 4 KiB, 2 MiB or 1 GiB page). */
static inline bool arch_leaf_ok(unsigned level);

/* Number of levels of the active paging mode (3 or 4); fixed once booted. */
static inline unsigned arch_pt_levels(void);

/* Base virtual address of the direct map of physical memory. */
extern vaddr_t physmap_base;

/* Virtual range of the kernel image and its physical load address. */
extern vaddr_t kernel_vbase;
extern paddr_t kernel_pbase;

/* Makes `root` the kernel's page table on this CPU, flushing the TLB. */
void arch_mmu_activate(paddr_t root);

/* TLB maintenance for the calling CPU: every entry of every tag, global
 * ones too; the entries of va under the loaded tag and global ones (other
 * tags may keep theirs: riscv64 drops them too, x86-64 not). */
void arch_tlb_flush_all(void);
void arch_tlb_flush_page(vaddr_t va);

/*
 * Reads 8 bytes at a kernel virtual address, recovering from a fault:
 * returns ERR_FAULT instead of trapping fatally. The same fixup mechanism
 * backs copy-in/copy-out.
 */
err_t arch_probe_read64(const void *addr, uint64_t *val);

/* ---- threads and user mode ------------------------------------------------- */
/*
 * struct arch_context (arch/cpu.h) holds the callee-saved registers of a
 * kernel context; struct trap_frame holds a thread's user registers. Each
 * thread has a kernel stack whose top holds its trap frame.
 *
 * All of these run with interrupts off, on the CPU that runs the thread.
 */

/* Saves the current kernel context into *from and resumes *to. Returns when
 * something switches back to *from. */
void arch_context_switch(struct arch_context *from, struct arch_context *to);

/* Prepares *ctx so that the first switch to it calls entry() on a stack
 * whose top is stack_top (16-byte aligned). entry must not return. */
void arch_context_init(struct arch_context *ctx, void *stack_top, void (*entry)(void));

/* Fills a fresh user frame: user mode, interrupts on, pc, sp, first
 * argument register = arg, every other register zero except the thread
 * pointer (arch_set_tls() may have set it already). */
void arch_user_frame_init(struct trap_frame *tf, uintptr_t pc, uintptr_t sp, uintptr_t arg);

/* Leaves the kernel for user mode with every register from *tf (a new
 * thread's first run). tf must be the frame registered with
 * arch_set_user_frame(). */
noreturn void arch_user_enter(struct trap_frame *tf);

/* Registers where the next trap from user mode on this CPU saves its
 * frame (riscv: sscratch; x86: TSS rsp0 and the syscall stack). The kernel
 * stack of that trap grows down from just below tf. On the IPC fast path:
 * an arch may define it as a static inline in its arch/cpu.h. */
void arch_set_user_frame(struct trap_frame *tf);

/* System-call results and arguments (arch/cpu.h inlines, see
 * include/cairn/abi.h): sets result i (1..6) of the call tf made, reads
 * its argument i (0..5). Result 0 is the return value of
 * syscall_dispatch(). */
static inline void arch_syscall_set(struct trap_frame *tf, unsigned i, uint64_t v);
static inline uint64_t arch_syscall_arg(const struct trap_frame *tf, unsigned i);

/* Sets a thread's thread pointer (riscv tp, x86-64 FS base) to value;
 * running: it is the thread on this CPU now (make it take effect). */
void arch_set_tls(struct arch_context *ctx, struct trap_frame *tf, uint64_t value, bool running);

/*
 * Upcalls (signal delivery). A frame comes in two kinds: full (saved on an
 * exception or interrupt: every register) and partial (saved by the
 * system-call path: what that path restores; callee-saved registers are
 * live in the CPU, kept by the C code).
 *   arch_frame_sp():       the user stack pointer in a frame.
 *   arch_upcall_enter():   makes tf resume at pc on stack sp with the first
 *                          two argument registers a0, a1 (both kinds).
 *   arch_frame_restore():  copies a saved frame (from user memory: never
 *                          trusted) into tf: partial, only what the
 *                          system-call path restores; full, everything, with
 *                          the privileged state (mode, interrupt flag,
 *                          segments, FP status) left as the kernel wants it.
 */
uintptr_t arch_frame_sp(const struct trap_frame *tf);
/* Makes a thread's user frame (either kind) resume at pc, a user address. */
void arch_frame_set_pc(struct trap_frame *tf, uintptr_t pc);
void arch_upcall_enter(struct trap_frame *tf, uintptr_t pc, uintptr_t sp, uintptr_t a0, uintptr_t a1);
void arch_frame_restore(struct trap_frame *tf, const struct trap_frame *saved, bool partial);

/* Highest user address + 1 for the paging mode in use (user space is
 * [0, arch_user_top())). */
vaddr_t arch_user_top(void);

/*
 * Address-space tags (riscv64 ASIDs, x86-64 PCIDs; kernel/astag.c keeps
 * them). A TLB entry of a space loaded with a tag is kept for that tag
 * when another space is loaded, so that loading it again can skip the
 * flush; kernel (global) entries are kept for every tag.
 *
 * arch_as_tags(): how many tags this machine offers, tag 0 included;
 * below 2, none (every load then flushes, as with flush below). Called
 * once on the boot CPU after the kernel's table is loaded; with
 * CONFIG_ARCH_HAS_ASID unset it is 0.
 *
 * arch_as_token(): what loads `root` (the kernel's table, or one made by
 * pt_create_user()) under `tag` (below arch_as_tags(); 0 when there are
 * none): riscv64's satp, x86-64's CR3. Made once for each space, so that
 * a switch does not compute it.
 *
 * arch_as_load(): makes the space of a token the active one on this CPU.
 * flush: forget every non-global entry cached under its tag first;
 * without it the CPU keeps and uses what it cached for the tag, which the
 * caller knows to be good. Interrupts off.
 *
 * arch_as_self_flush(): a load of this token flushes its tag by itself,
 * whatever flush says (x86-64: a CR3 value without bit 63, which is
 * every token of tag 0, and every token without PCIDs), so a switch need
 * not work out whether to flush; false where a load without a flush keeps
 * entries (riscv64, even without ASIDs: satp writes never flush).
 *
 * All three are static inlines of arch/cpu.h: the IPC fast path loads
 * spaces.
 */
#ifdef CONFIG_ARCH_HAS_ASID
unsigned arch_as_tags(void);
#else
static inline unsigned arch_as_tags(void) { return 0; }
#endif
static inline uint64_t arch_as_token(paddr_t root, unsigned tag);
static inline void arch_as_load(uint64_t token, bool flush);
static inline bool arch_as_self_flush(uint64_t token);

/*
 * Copy to and from user memory of the active address space, recovering
 * from faults: ERR_FAULT if any byte is not accessible (some bytes may have
 * been copied). The core has already checked that the range lies below
 * arch_user_top().
 */
err_t arch_copy_from_user(void *dst, const void *usrc, size_t n);
err_t arch_copy_to_user(void *udst, const void *src, size_t n);

/* Sets up the CPU for user mode (counters readable from user mode, user
 * memory access from the kernel only through the copy helpers). Called
 * once on each CPU that runs threads. */
void arch_user_init(void);

/* ---- traps and diagnostics ------------------------------------------------- */

/* Prints the registers of a trap frame, one block, for fatal reports. */
void arch_dump_frame(const struct trap_frame *tf);

/* Program counter and frame pointer of a trap frame. */
uintptr_t arch_frame_pc(const struct trap_frame *tf);
uintptr_t arch_frame_fp(const struct trap_frame *tf);

/*
 * One step of a frame-pointer unwind: given a frame pointer, stores the
 * return address and the caller's frame pointer. Returns false when the
 * frame is not readable or does not look like a frame (never faults).
 */
bool arch_unwind_step(uintptr_t fp, uintptr_t *ret, uintptr_t *next_fp);

/*
 * First unwind step from a trap frame, where the trapped function may be a
 * leaf that kept its return address in a register. Same contract as
 * arch_unwind_step().
 */
bool arch_unwind_frame(const struct trap_frame *tf, uintptr_t *ret, uintptr_t *next_fp);

/* Current frame pointer (for backtraces from panic). */
static inline uintptr_t arch_current_fp(void);

/* Executes a breakpoint instruction; the trap is reported to
 * trap_breakpoint(). Used by the self-tests of the trap path. */
void arch_breakpoint(void);

/* ---- hooks the arch calls in the core -------------------------------------- */
noreturn void kmain(void);
noreturn void kmain_secondary(unsigned cpu);
/* A kernel-mode exception nobody handles: report and stop. */
noreturn void trap_fatal(const char *cause, uintptr_t addr, const struct trap_frame *tf);
/* A breakpoint trap; returns true if handled (frame may be modified). */
bool trap_breakpoint(struct trap_frame *tf);
/* External interrupt pending on this CPU. */
void irq_dispatch(void);
/* This CPU's timer fired. */
void clock_tick(void);
/* The timer's interrupt in user mode when only a lone thread's slice
 * ended (kernel/clock.c): handled without the kernel lock (true), else
 * false and the arch takes the lock and calls clock_tick(). */
bool clock_tick_alone(void);
/* An IPI arrived (see arch_send_ipi()). */
void smp_ipi(void);

/*
 * A system call from user mode. The arch has saved what it needs to resume
 * the thread into the frame registered with arch_set_user_frame() and
 * passes the arguments and the number; the return value is result 0, the
 * others are set with arch_syscall_set(). May switch threads.
 */
uint64_t syscall_dispatch(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
			  uint64_t a4, uint64_t a5, uint64_t nr);

/* The kernel context of the thread running on this CPU (for arch state
 * kept there, such as lazily enabled FPU registers). */
struct arch_context *sched_current_context(void);

/* An exception in user mode: kind is one of TRAP_USER_* (kernel/trap.h),
 * addr the faulting address (page faults) or 0. Full frame saved. */
void trap_user(struct trap_frame *tf, unsigned kind, uintptr_t addr);

/* A kernel-mode page fault at a user address (in the copy helpers): true
 * when the core resolved it (copy-on-write) and the access may be retried;
 * otherwise the arch applies the exception table. */
bool vm_user_fault(uintptr_t addr, bool write);

/* Called by the arch before it returns to user mode after an interrupt
 * or an exception (after trap_user()) taken in user mode: may switch
 * threads (preemption, or the current thread was blocked or killed). */
void sched_user_return(void);

#endif
