// SPDX-License-Identifier: MIT
/* Self-tests of traps: fault recovery, breakpoints, symbols, backtraces. */
#include <arch.h>
#include <kernel/selftest.h>
#include <kernel/trap.h>
#include <kernel/mm.h>
#include <format.h>
#include <string.h>

SELFTEST(trap, fault_recovery)
{
	uint64_t v = 0, x = 0x1122334455667788ull;

	ST_CHECK(arch_probe_read64(&x, &v) == ERR_OK && v == x);
	ST_CHECK(arch_probe_read64((void *)(uintptr_t)0x8, &v) == ERR_FAULT);
	/* a direct-map address beyond RAM is unmapped */
	ST_CHECK(arch_probe_read64((char *)phys_to_virt(0) + (1ul << 37), &v) == ERR_FAULT);
	return true;
}

static int bp_hits;
static bool count_bp(struct trap_frame *tf)
{
	(void)tf;
	bp_hits++;
	return true;
}

SELFTEST(trap, breakpoint_resumes)
{
	bp_hits = 0;
	breakpoint_hook = count_bp;
	arch_breakpoint();
	arch_breakpoint();
	breakpoint_hook = NULL;
	ST_CHECK(bp_hits == 2);
	return true;
}

SELFTEST(trap, symbol_lookup)
{
	uintptr_t off;
	const char *n = ksym_lookup((uintptr_t)kmain + 4, &off);

	ST_CHECK(n && !strcmp(n, "kmain") && off == 4);
	ST_CHECK(ksym_lookup(0x1000, NULL) == NULL);
	return true;
}

__attribute__((noinline)) static unsigned bt_inner(uintptr_t *pcs)
{
	unsigned n = backtrace_collect(pcs, 8);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	return n;
}

__attribute__((noinline)) static unsigned bt_outer(uintptr_t *pcs)
{
	unsigned n = bt_inner(pcs);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	return n;
}

SELFTEST(trap, backtrace_names_callers)
{
	uintptr_t pcs[8];
	unsigned n = bt_outer(pcs);
	bool inner = false, outer = false;

	ST_CHECK(n >= 3);
	for (unsigned i = 0; i < n; i++) {
		const char *s = ksym_lookup(pcs[i], NULL);
		inner |= s && !strcmp(s, "bt_inner");
		outer |= s && !strcmp(s, "bt_outer");
	}
	ST_CHECK(inner && outer);
	return true;
}

SELFTEST(lib, format)
{
	char b[64];

	ST_CHECK(fmt_snprintf(b, sizeof(b), "%d|%5s|%-3x|%08lx", -42, "ab", 255, 0xbeefUL) == 22);
	ST_CHECK(!strcmp(b, "-42|   ab|ff |0000beef"));
	ST_CHECK(fmt_snprintf(b, 4, "%s", "truncated") == 9 && !strcmp(b, "tru"));
	return true;
}
