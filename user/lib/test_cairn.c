/* SPDX-License-Identifier: MIT */
/*
 * The libcairn hooks of the test library (include/cairn/test.h): output
 * through printf (the debug console), errors by their err_t names, free
 * pages and the clock from the kinfo capability (looked up once, by name).
 */
#include <format.h>
#include <cairn/rt.h>
#include <cairn/test.h>

void t_write(const char *s)
{
	printf("%s", s);
}

int t_vsnprintf(char *buf, unsigned long size, const char *fmt, va_list ap)
{
	return fmt_vsnprintf(buf, size, fmt, ap);
}

const char *t_err_name(long e)
{
	return err_name((err_t)e);
}

static cap_t kinfo(void)
{
	static cap_t c = CAP_NULL;
	static bool looked;

	if (!looked) {
		c = cairn_cap("kinfo");
		cairn_clock_init(c);
		looked = true;
	}
	return c;
}

static uint64_t kinfo_get(uint32_t method)
{
	struct cairn_msg m;

	if (kinfo() == CAP_NULL || cairn_invoke(kinfo(), method, 0, 0, 0, 0, 0, &m))
		return 0;
	return m.w[0];
}

uint64_t t_free_pages(void)
{
	return kinfo_get(KINFO_FREE_PAGES);
}

uint64_t t_clock_ns(void)
{
	kinfo();
	return cairn_now_ns();
}

uint64_t free_pages(void)
{
	return t_free_pages();
}

uint64_t now_ns(void)
{
	return t_clock_ns();
}

uint64_t free_pages_back(uint64_t want, unsigned ms)
{
	uint64_t end = now_ns() + (uint64_t)ms * 1000000, n;

	while ((n = free_pages()) != want && now_ns() < end)
		cairn_yield();
	return n;
}
