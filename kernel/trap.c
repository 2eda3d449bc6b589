// SPDX-License-Identifier: MIT
/*
 * What the core does with kernel traps: exception-table fixups (the basis of
 * fault-tolerant user copies), fatal reports with registers and a
 * symbolized backtrace, and symbol lookup in the table the two-pass link
 * embeds (.ksyms, made by scripts/ksyms.py).
 */
#include <arch.h>
#include <kernel/trap.h>
#include <kernel/log.h>
#include <kernel/console.h>

struct extable_entry {
	uintptr_t insn, fixup;
};

extern const struct extable_entry __extable_start[], __extable_end[];
extern const uint64_t ksyms_count, ksyms_addrs[];
extern const uint32_t ksyms_name_offs[];
extern const char ksyms_names[];
extern char _text_start[], _text_end[];

bool (*breakpoint_hook)(struct trap_frame *tf);

uintptr_t extable_fixup(uintptr_t pc)
{
	for (const struct extable_entry *e = __extable_start; e < __extable_end; e++)
		if (e->insn == pc)
			return e->fixup;
	return 0;
}

const char *ksym_lookup(uintptr_t addr, uintptr_t *offset)
{
	uint64_t lo = 0, hi = ksyms_count;

	if (addr < (uintptr_t)_text_start || addr >= (uintptr_t)_text_end || hi == 0)
		return NULL;
	if (addr < ksyms_addrs[0])
		return NULL;
	while (hi - lo > 1) {   /* last entry with address <= addr */
		uint64_t mid = lo + (hi - lo) / 2;
		if (ksyms_addrs[mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	if (offset)
		*offset = addr - ksyms_addrs[lo];
	return &ksyms_names[ksyms_name_offs[lo]];
}

/* A return address is looked up one byte back: after a call to a noreturn
 * function it may already point at the next function. */
static void print_pc_at(uintptr_t pc, uintptr_t lookup)
{
	uintptr_t off;
	const char *name = ksym_lookup(lookup, &off);

	off += pc - lookup;
	if (name)
		kprintf("  [<%016lx>] %s+%#lx\n", (unsigned long)pc, name, (unsigned long)off);
	else
		kprintf("  [<%016lx>] ?\n", (unsigned long)pc);
}

static void print_pc(uintptr_t pc)
{
	print_pc_at(pc, pc);
}

static void print_ret(uintptr_t ret)
{
	print_pc_at(ret, ret - 1);
}

#define MAX_FRAMES 32

static void walk(uintptr_t fp)
{
	uintptr_t ret, next;

	for (int i = 0; i < MAX_FRAMES && arch_unwind_step(fp, &ret, &next); i++) {
		if (!ksym_lookup(ret - 1, NULL))
			break;
		print_ret(ret);
		if (next <= fp)   /* stacks grow down: callers' frames are higher */
			break;
		fp = next;
	}
}

void backtrace_print(uintptr_t pc, uintptr_t fp)
{
	kprintf("backtrace:\n");
	if (pc)
		print_pc(pc);
	walk(fp);
}

void backtrace_print_frame(const struct trap_frame *tf)
{
	uintptr_t ret, next;

	kprintf("backtrace:\n");
	print_pc(arch_frame_pc(tf));
	if (!arch_unwind_frame(tf, &ret, &next) || !ksym_lookup(ret - 1, NULL))
		return;
	print_ret(ret);
	walk(next);   /* next is the frame that ret returns into */
}

unsigned backtrace_collect(uintptr_t *pcs, unsigned max)
{
	uintptr_t fp = arch_current_fp(), ret, next;
	unsigned n = 0;

	while (n < max && arch_unwind_step(fp, &ret, &next) && ksym_lookup(ret - 1, NULL)) {
		pcs[n++] = ret;
		if (next <= fp)
			break;
		fp = next;
	}
	return n;
}

noreturn void trap_fatal(const char *cause, uintptr_t addr, const struct trap_frame *tf)
{
	uintptr_t off;
	const char *fn = ksym_lookup(arch_frame_pc(tf), &off);

	arch_irq_disable();
	console_panic_mode();
	kprintf("\nFATAL: unexpected trap on cpu%u: %s\n", arch_cpu_id(), cause);
	kprintf(" at pc %#lx (%s+%#lx), address %#lx\n", (unsigned long)arch_frame_pc(tf),
		fn ? fn : "?", (unsigned long)(fn ? off : 0), (unsigned long)addr);
	arch_dump_frame(tf);
	backtrace_print_frame(tf);
	kprintf("system halted\n");
	arch_poweroff(3);
}

bool trap_breakpoint(struct trap_frame *tf)
{
	return breakpoint_hook && breakpoint_hook(tf);
}
