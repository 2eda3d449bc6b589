// SPDX-License-Identifier: MIT
/*
 * riscv64 trap dispatch: interrupts go to the core's clock and IRQ hooks,
 * kernel exceptions to the exception table or a fatal report.
 */
#include <arch.h>
#include <kernel/log.h>
#include <kernel/trap.h>
#include <kernel/smp.h>

#define SCAUSE_INTR (1ul << 63)

static const char *const exc_names[] = {
	[0] = "instruction address misaligned", [1] = "instruction access fault",
	[2] = "illegal instruction", [3] = "breakpoint",
	[4] = "load address misaligned", [5] = "load access fault",
	[6] = "store address misaligned", [7] = "store access fault",
	[8] = "environment call from U-mode", [9] = "environment call from S-mode",
	[12] = "instruction page fault", [13] = "load page fault",
	[15] = "store page fault",
};

void riscv_trap(struct trap_frame *tf);
void riscv_user_trap(struct trap_frame *tf);
void riscv_fp_enable(struct arch_context *ctx);

static unsigned insn_len(uintptr_t pc)
{
	return (*(const uint16_t *)pc & 3) == 3 ? 4 : 2;
}

void riscv_trap(struct trap_frame *tf)
{
	unsigned long code = tf->scause & ~SCAUSE_INTR;

	if (tf->scause & SCAUSE_INTR) {
		/* in the kernel only while idle (or in a self-test): the lock is
		 * taken here unless held */
		bool took;
		switch (code) {
		case 1:
			csr_clear(sip, SIE_SSIE);
			smp_ipi();
			return;
		case 5:
			took = klock();
			clock_tick();
			break;
		case 9:
			took = klock();
			irq_dispatch();
			break;
		default:
			pr_warn("spurious interrupt %lu\n", code);
			return;
		}
		if (took)
			kunlock();
		return;
	}
	if (code == 3 && trap_breakpoint(tf)) {
		tf->sepc += insn_len(tf->sepc);
		return;
	}
	uintptr_t fixup = extable_fixup(tf->sepc);
	/* the copy helpers touching a copy-on-write page of the current thread
	 * (only them: any other kernel access to user memory is a bug) */
	if (fixup && (code == 13 || code == 15) && tf->stval < arch_user_top() &&
	    vm_user_fault(tf->stval, code == 15))
		return;
	if (fixup) {
		tf->sepc = fixup;
		return;
	}
	const char *name = code < sizeof(exc_names) / sizeof(exc_names[0]) && exc_names[code]
		? exc_names[code] : "unknown exception";
	trap_fatal(name, tf->stval, tf);
}

/* Exceptions and interrupts taken in U-mode (system calls take the fast
 * path in entry.S). */
void riscv_user_trap(struct trap_frame *tf)
{
	unsigned long code = tf->scause & ~SCAUSE_INTR;
	unsigned kind;

	if (tf->scause & SCAUSE_INTR) {
		if (code == 1) {
			csr_clear(sip, SIE_SSIE);
			smp_ipi();
			/* nothing asked of this thread (a wake-up of a lock
			 * waiter that came late, a request answered already):
			 * back to user mode without the lock */
			if (!this_cpu()->work.any)
				return;
		}
		if (code == 5 && clock_tick_alone())
			return;
		klock();
		if (code == 5)
			clock_tick();
		else if (code == 9)
			irq_dispatch();
		sched_user_return();
		kunlock();
		return;
	}
	klock();
	if (code == 2 && !(tf->sstatus & SSTATUS_FS) && !sched_current_context()->fp_used) {
		/* its first floating-point instruction: give it an FPU and retry */
		struct arch_context *ctx = sched_current_context();
		ctx->fp_used = 1;
		riscv_fp_enable(ctx);
		tf->sstatus = (tf->sstatus & ~SSTATUS_FS) | SSTATUS_FS_CLEAN;
		sched_user_return();
		kunlock();
		return;
	}
	switch (code) {
	case 1: case 12: kind = TRAP_USER_FAULT_EXEC; break;
	case 5: case 13: kind = TRAP_USER_FAULT_READ; break;
	case 7: case 15: kind = TRAP_USER_FAULT_WRITE; break;
	case 2: kind = TRAP_USER_ILLEGAL; break;
	case 3: kind = TRAP_USER_BREAKPOINT; break;
	case 0: case 4: case 6: kind = TRAP_USER_MISALIGNED; break;
	default: kind = TRAP_USER_OTHER; break;
	}
	trap_user(tf, kind, tf->stval);
	sched_user_return();
	kunlock();
}

uintptr_t arch_frame_pc(const struct trap_frame *tf) { return tf->sepc; }
uintptr_t arch_frame_fp(const struct trap_frame *tf) { return tf->regs[8]; }

/* RISC-V frame records: ra at fp-8, caller's fp at fp-16. */
bool arch_unwind_step(uintptr_t fp, uintptr_t *ret, uintptr_t *next_fp)
{
	uint64_t ra, prev;

	if (fp < 16 || (fp & 7))
		return false;
	if (arch_probe_read64((void *)(fp - 8), &ra) || arch_probe_read64((void *)(fp - 16), &prev))
		return false;
	*ret = ra;
	*next_fp = prev;
	return true;
}

/*
 * The first step from a trap needs care: the trapped function may be a
 * leaf that saved only fp (at fp-8, so that slot holds a stack address), or
 * may already have restored its caller's fp in an epilogue. In both cases
 * the return address is still in ra.
 */
bool arch_unwind_frame(const struct trap_frame *tf, uintptr_t *ret, uintptr_t *next_fp)
{
	uintptr_t fp = tf->regs[8], ra = tf->regs[1], sp = tf->regs[2];
	uint64_t slot;

	if (arch_probe_read64((void *)(fp - 8), &slot) != 0)
		return false;
	if (slot >= sp && slot - sp < 65536 && !(slot & 7)) {
		*ret = ra;
		*next_fp = slot;
		return true;
	}
	if (slot != ra && ksym_lookup(ra, NULL) &&
	    ksym_lookup(ra, NULL) != ksym_lookup(tf->sepc, NULL)) {
		*ret = ra;
		*next_fp = fp;
		return true;
	}
	return arch_unwind_step(fp, ret, next_fp);
}

void arch_dump_frame(const struct trap_frame *tf)
{
	static const char *const names[32] = {
		"zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1",
		"a2", "a3", "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7",
		"s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
	};

	kprintf(" sepc: %016lx sstatus: %016lx scause: %016lx stval: %016lx\n",
		(unsigned long)tf->sepc, (unsigned long)tf->sstatus,
		(unsigned long)tf->scause, (unsigned long)tf->stval);
	for (int i = 1; i < 32; i++)
		kprintf(" %4s: %016lx%s", names[i], (unsigned long)tf->regs[i], i % 4 == 3 ? "\n" : "");
	kprintf("\n");
}
