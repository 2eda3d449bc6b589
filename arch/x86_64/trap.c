// SPDX-License-Identifier: MIT
/*
 * x86-64 trap dispatch: the local APIC timer goes to the core's clock,
 * IOAPIC vectors to irq_dispatch(), kernel exceptions to the breakpoint
 * hook, the exception table or a fatal report, user exceptions to
 * trap_user(). Also the frame-pointer unwinder: [rbp] is the caller's
 * rbp, [rbp+8] the return address.
 */
#include <arch.h>
#include <kernel/smp.h>
#include <arch/x86.h>
#include <kernel/log.h>
#include <kernel/trap.h>

static const char *const exc_names[32] = {
	[0] = "divide error", [1] = "debug exception", [2] = "non-maskable interrupt",
	[3] = "breakpoint", [4] = "overflow", [5] = "bound range exceeded",
	[6] = "invalid opcode", [7] = "device not available", [8] = "double fault",
	[9] = "coprocessor segment overrun", [10] = "invalid TSS",
	[11] = "segment not present", [12] = "stack-segment fault",
	[13] = "general protection fault", [14] = "page fault",
	[16] = "x87 floating-point exception", [17] = "alignment check",
	[18] = "machine check", [19] = "SIMD floating-point exception",
	[20] = "virtualization exception", [21] = "control protection exception",
	[28] = "hypervisor injection exception", [29] = "VMM communication exception",
	[30] = "security exception",
};

#define PF_PRESENT 0x01
#define PF_WRITE   0x02
#define PF_USER    0x04
#define PF_RSVD    0x08
#define PF_INSN    0x10

/* Page faults are named like riscv64's: what the access was, and why. */
static const char *pf_name(uint64_t err)
{
	if (err & PF_RSVD)
		return "page fault (reserved bit set in a page-table entry)";
	if (err & PF_INSN)
		return err & PF_PRESENT ? "instruction page fault (no-execute page)"
					: "instruction page fault (not present)";
	if (err & PF_WRITE)
		return err & PF_PRESENT ? "store page fault (read-only page)"
					: "store page fault (not present)";
	return err & PF_PRESENT ? "load page fault (protection)" : "load page fault (not present)";
}

static void exception(struct trap_frame *tf)
{
	unsigned v = tf->vector;

	if (v == 3 && trap_breakpoint(tf))
		return;                 /* rip is already past the int3 */
	if (v != 2 && v != 8 && v != 18) {
		uintptr_t fixup = extable_fixup(tf->rip);
		/* a copy helper touching a copy-on-write page of the current
		 * thread: the core makes it writable and the copy goes on */
		if (fixup && v == 14 && tf->cr2 < X86_USER_TOP &&
		    vm_user_fault(tf->cr2, tf->error & PF_WRITE))
			return;
		if (fixup) {
			tf->rip = fixup;
			return;
		}
	}
	const char *name = v == 14 ? pf_name(tf->error) : exc_names[v] ? exc_names[v] : "reserved exception";
	trap_fatal(name, v == 14 ? tf->cr2 : 0, tf);
}

/* The kernel lock is taken here unless held: from kernel mode, an
 * interrupt comes only in the idle loop's wait (or a self-test), and an
 * IPI also in arch_cpu_wait_ipi(). An IPI needs no lock. */
static void interrupt(struct trap_frame *tf)
{
	unsigned v = tf->vector;
	bool took;

	if (v == VEC_IPI) {
		x86_lapic_eoi();
		smp_ipi();
		return;
	}
	took = klock();
	if (v == VEC_TIMER) {
		x86_lapic_eoi();
		clock_tick();
	} else if (v >= VEC_IRQ_BASE && v <= VEC_IRQ_LAST) {
		x86_this_cpu()->irq_pending = v - VEC_IRQ_BASE;
		irq_dispatch();
		x86_this_cpu()->irq_pending = 0;
	} else if (v == VEC_SPURIOUS || (v >= VEC_PIC_BASE && v < VEC_PIC_BASE + 16)) {
		/* spurious (local APIC, or the masked 8259s): no EOI */
	} else {
		pr_warn("cpu%u: unexpected interrupt vector %u\n", arch_cpu_id(), v);
		x86_lapic_eoi();
	}
	if (took)
		kunlock();
}

void x86_trap(struct trap_frame *tf)
{
	if (tf->vector < 32)
		exception(tf);
	else
		interrupt(tf);
}

/* What a user exception is for trap_user(): TRAP_USER_* and the address. */
static unsigned user_exception_kind(const struct trap_frame *tf, uintptr_t *addr)
{
	*addr = 0;
	switch (tf->vector) {
	case 14:
		*addr = tf->cr2;
		if (tf->error & PF_INSN)
			return TRAP_USER_FAULT_EXEC;
		return tf->error & PF_WRITE ? TRAP_USER_FAULT_WRITE : TRAP_USER_FAULT_READ;
	case 6:                         /* invalid opcode */
	case 13:                        /* privileged instruction, I/O port, non-canonical address */
		return TRAP_USER_ILLEGAL;
	case 3:                         /* int3: rip is past it */
		return TRAP_USER_BREAKPOINT;
	case 17:
		return TRAP_USER_MISALIGNED;
	case 0:                         /* divide error */
	case 16:                        /* x87 floating point */
	case 19:                        /* SIMD floating point */
		return TRAP_USER_ARITH;
	default:
		return TRAP_USER_OTHER;
	}
}

/*
 * A trap taken in user mode; tf is the thread's user frame. Exceptions go
 * to the core (which may change the frame, block the thread on its fault
 * handler or end it), interrupts are handled as in kernel mode; then the
 * core may switch threads before this one returns to user mode.
 */
void x86_trap_user(struct trap_frame *tf)
{
	if (tf->vector == VEC_IPI) {
		interrupt(tf);          /* before the lock: it may be what the holder waits for */
		/* nothing asked of this thread (a wake-up of a lock waiter that
		 * came late, a request answered already): no lock */
		if (!this_cpu()->work.any) {
			x86_user_return_check(tf);
			return;
		}
	}
	if (tf->vector == VEC_TIMER && clock_tick_alone()) {
		x86_lapic_eoi();
		x86_user_return_check(tf);
		return;
	}
	klock();
	if (tf->vector < 32) {
		uintptr_t addr;
		unsigned kind = user_exception_kind(tf, &addr);
		trap_user(tf, kind, addr);
	} else if (tf->vector != VEC_IPI) {
		interrupt(tf);
	}
	sched_user_return();
	kunlock();
	x86_user_return_check(tf);
}

uintptr_t arch_frame_pc(const struct trap_frame *tf) { return tf->rip; }
uintptr_t arch_frame_fp(const struct trap_frame *tf) { return tf->rbp; }

static bool canonical(uintptr_t a)
{
	return (uintptr_t)((intptr_t)(a << 16) >> 16) == a;
}

bool arch_unwind_step(uintptr_t fp, uintptr_t *ret, uintptr_t *next_fp)
{
	uint64_t r, prev;

	if (fp < 4096 || (fp & 7) || !canonical(fp) || !canonical(fp + 15))
		return false;
	if (arch_probe_read64((void *)(fp + 8), &r) || arch_probe_read64((void *)fp, &prev))
		return false;
	*ret = r;
	*next_fp = prev;
	return true;
}

/*
 * Has the function that starts at fn set up its frame (push %rbp; mov
 * %rsp,%rbp) before pc? *pushed tells whether at least the push ran.
 * A function that does not start with push %rbp has no frame at all.
 */
static bool frame_ready(uintptr_t fn, uintptr_t pc, bool *pushed)
{
	uint8_t code[40];
	size_t n = MIN(pc - fn, sizeof(code) - 8);

	*pushed = false;
	for (size_t i = 0; i < n + 1; i += 8)
		if (arch_probe_read64((void *)(fn + i), (uint64_t *)(code + i)))
			return true;            /* unreadable: trust rbp */
	if (code[0] != 0x55)
		return false;                   /* frameless leaf */
	*pushed = pc > fn;
	for (size_t i = 1; i + 3 <= n; i++)
		if (code[i] == 0x48 && code[i + 1] == 0x89 && code[i + 2] == 0xe5)
			return true;
	return n >= sizeof(code) - 8;           /* a long way in: assume done */
}

/*
 * The first step from a trap. Where the trapped function's frame is not
 * (or no longer) set up, rbp still holds its caller's frame and the return
 * address is on the stack: at [rsp] before push %rbp, on the final ret, in
 * a frameless leaf or outside the kernel's text (a bad jump); at [rsp+8]
 * between push %rbp and mov %rsp,%rbp. Anywhere else rbp is its own frame.
 */
bool arch_unwind_frame(const struct trap_frame *tf, uintptr_t *ret, uintptr_t *next_fp)
{
	uintptr_t off = 0, sp = tf->rsp;
	const char *fn = ksym_lookup(tf->rip, &off);
	uint64_t insn = 0, r = 0, saved = 0;
	bool pushed = false;

	arch_probe_read64((void *)tf->rip, &insn);
	if (fn && (insn & 0xff) != 0xc3 && frame_ready(tf->rip - off, tf->rip, &pushed))
		return arch_unwind_step(tf->rbp, ret, next_fp);
	if (pushed) {
		if (arch_probe_read64((void *)(sp + 8), &r) || arch_probe_read64((void *)sp, &saved))
			return false;
		*ret = r;
		*next_fp = saved;
		return true;
	}
	if (arch_probe_read64((void *)sp, &r))
		return false;
	*ret = r;
	*next_fp = tf->rbp;
	return true;
}

void arch_dump_frame(const struct trap_frame *tf)
{
	kprintf(" rip: %016lx  cs: %04lx  rflags: %08lx  vector: %lu  error: %#lx\n",
		(unsigned long)tf->rip, (unsigned long)tf->cs, (unsigned long)tf->rflags,
		(unsigned long)tf->vector, (unsigned long)tf->error);
	kprintf(" rsp: %016lx  ss: %04lx  cr2: %016lx\n", (unsigned long)tf->rsp,
		(unsigned long)tf->ss, (unsigned long)tf->cr2);
	kprintf(" rax: %016lx rbx: %016lx rcx: %016lx rdx: %016lx\n", (unsigned long)tf->rax,
		(unsigned long)tf->rbx, (unsigned long)tf->rcx, (unsigned long)tf->rdx);
	kprintf(" rsi: %016lx rdi: %016lx rbp: %016lx  r8: %016lx\n", (unsigned long)tf->rsi,
		(unsigned long)tf->rdi, (unsigned long)tf->rbp, (unsigned long)tf->r8);
	kprintf("  r9: %016lx r10: %016lx r11: %016lx r12: %016lx\n", (unsigned long)tf->r9,
		(unsigned long)tf->r10, (unsigned long)tf->r11, (unsigned long)tf->r12);
	kprintf(" r13: %016lx r14: %016lx r15: %016lx\n", (unsigned long)tf->r13,
		(unsigned long)tf->r14, (unsigned long)tf->r15);
	kprintf(" cr0: %016lx cr3: %016lx cr4: %016lx efer: %016lx\n",
		(unsigned long)x86_read_cr(0), (unsigned long)x86_read_cr(3),
		(unsigned long)x86_read_cr(4), (unsigned long)x86_rdmsr(MSR_EFER));
}
