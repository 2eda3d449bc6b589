// SPDX-License-Identifier: MIT
/*
 * The kernel log: level-filtered lines with a timestamp, formatted into a
 * line buffer and written to the console in one piece so CPUs don't
 * interleave within a line.
 */
#include <kernel/log.h>
#include <kernel/smp.h>
#include <kernel/console.h>
#include <kernel/clock.h>
#include <kernel/trap.h>
#include <format.h>

int log_level = CONFIG_LOG_LEVEL;

struct line {
	char buf[256];
	size_t n;
};

static void line_sink(void *ctx, char c)
{
	struct line *l = ctx;

	if (l->n == sizeof(l->buf)) {
		console_write(l->buf, l->n);
		l->n = 0;
	}
	l->buf[l->n++] = c;
}

void kvprintf(const char *fmt, va_list ap)
{
	struct line l = { .n = 0 };

	fmt_vformat(line_sink, &l, fmt, ap);
	console_write(l.buf, l.n);
}

void kprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
}

int ksnprintf(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = fmt_vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	return r;
}

static const char *const level_tag[] = { "error: ", "warning: ", "", "debug: " };

void klog(int level, const char *fmt, ...)
{
	struct line l = { .n = 0 };
	char pre[48];
	uint64_t ns;
	va_list ap;

	if (level > log_level)
		return;
	ns = clock_ns();
	int n = fmt_snprintf(pre, sizeof(pre), "[%5lu.%06lu] %s", (unsigned long)(ns / 1000000000),
			     (unsigned long)(ns / 1000 % 1000000), level_tag[level & 3]);
	for (int i = 0; i < n && i < (int)sizeof(pre) - 1; i++)
		line_sink(&l, pre[i]);
	va_start(ap, fmt);
	fmt_vformat(line_sink, &l, fmt, ap);
	va_end(ap);
	console_write(l.buf, l.n);
}

noreturn void panic(const char *fmt, ...)
{
	va_list ap;

	arch_irq_disable();
	smp_stop_others();
	console_panic_mode();
	kprintf("\nKERNEL PANIC on cpu%u: ", arch_cpu_id());
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");
	backtrace_print(0, arch_current_fp());
	kprintf("system halted\n");
	arch_poweroff(3);
}
