// SPDX-License-Identifier: MIT
/* Boot information helpers and command-line parsing. */
#include <kernel/boot.h>
#include <string.h>

struct boot_info boot_info;

err_t boot_reserve(struct boot_info *bi, paddr_t base, uint64_t size, const char *what)
{
	if (size == 0)
		return ERR_OK;
	if (base + size < base)
		return ERR_INVAL;
	if (bi->n_reserved >= BOOT_MAX_RESERVED)
		return ERR_NOSPC;
	bi->reserved[bi->n_reserved++] = (struct mem_range){ base, size, what };
	return ERR_OK;
}

uint64_t boot_mem_total(const struct boot_info *bi)
{
	uint64_t t = 0;

	for (unsigned i = 0; i < bi->n_mem; i++)
		t += bi->mem[i].size;
	return t;
}

bool cmdline_get(const char *cmdline, const char *key, char *val, size_t len)
{
	size_t klen = strlen(key);
	const char *p = cmdline;

	while (*p) {
		while (*p == ' ')
			p++;
		const char *w = p;
		while (*p && *p != ' ')
			p++;
		size_t wlen = p - w;
		if (wlen < klen || strncmp(w, key, klen) != 0)
			continue;
		if (wlen == klen) {
			if (val && len)
				val[0] = 0;
			return true;
		}
		if (w[klen] != '=')
			continue;
		if (val && len) {
			size_t n = MIN(wlen - klen - 1, len - 1);
			memcpy(val, w + klen + 1, n);
			val[n] = 0;
		}
		return true;
	}
	return false;
}
