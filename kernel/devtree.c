// SPDX-License-Identifier: MIT
/*
 * Device tree reading on top of libfdt (from Debian's u-boot source
 * package). The tree comes from firmware, so it is treated as untrusted
 * input: the header and the whole structure block are checked once in
 * dt_check(), and every property's length is checked before use.
 */
#include <kernel/devtree.h>
#include <libfdt.h>
#include <string.h>

err_t dt_check(const void *fdt, size_t bufsize)
{
	int off = 0, depth = 0, prop;

	if (!fdt || bufsize < sizeof(struct fdt_header) || ((uintptr_t)fdt & 7))
		return ERR_INVAL;
	if (fdt_magic(fdt) != FDT_MAGIC || fdt_totalsize(fdt) > bufsize ||
	    fdt_check_header(fdt) != 0)
		return ERR_INVAL;
	/* libfdt reads the blocks with aligned loads: insist on the spec's alignment */
	if (fdt_off_mem_rsvmap(fdt) % 8 || fdt_off_dt_struct(fdt) % 4)
		return ERR_INVAL;
	/* Walk every node and property once: libfdt bounds-checks each tag.
	 * The walk ends when depth drops below 0, at the root's end. */
	for (off = 0; off >= 0 && depth >= 0; off = fdt_next_node(fdt, off, &depth)) {
		if (!fdt_get_name(fdt, off, NULL))
			return ERR_INVAL;
		fdt_for_each_property_offset(prop, fdt, off) {
			const char *name;
			int len;
			if (!fdt_getprop_by_offset(fdt, prop, &name, &len) || !name)
				return ERR_INVAL;
		}
		if (prop != -FDT_ERR_NOTFOUND)
			return ERR_INVAL;
	}
	return off >= 0 || off == -FDT_ERR_NOTFOUND ? ERR_OK : ERR_INVAL;
}

static uint64_t read_cells(const fdt32_t *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = (v << 32) | fdt32_to_cpu(p[i]);
	return v;
}

/* No status, "okay", or the older "ok" (as Linux reads it). */
static bool node_enabled(const void *fdt, int node)
{
	int len;
	const char *s = fdt_getprop(fdt, node, "status", &len);

	if (!s)
		return true;
	size_t n = strnlen(s, len);
	return (n == 4 && memcmp(s, "okay", 4) == 0) || (n == 2 && memcmp(s, "ok", 2) == 0);
}

static err_t cells_of(const void *fdt, int parent, int *ac, int *sc)
{
	*ac = fdt_address_cells(fdt, parent);
	*sc = fdt_size_cells(fdt, parent);
	if (*ac < 1 || *ac > 2 || *sc < 0 || *sc > 2)
		return ERR_INVAL;
	return ERR_OK;
}

err_t dt_reg(const void *fdt, int node, unsigned index, paddr_t *base, uint64_t *size)
{
	int ac, sc, len;
	int parent = fdt_parent_offset(fdt, node);
	const fdt32_t *reg;

	if (parent < 0 || cells_of(fdt, parent, &ac, &sc))
		return ERR_INVAL;
	reg = fdt_getprop(fdt, node, "reg", &len);
	if (!reg)
		return ERR_NOENT;
	unsigned stride = (ac + sc) * 4;
	if (len <= 0 || len % stride)
		return ERR_INVAL;
	if ((index + 1) * stride > (unsigned)len)
		return ERR_NOENT;
	reg += index * (ac + sc);
	*base = read_cells(reg, ac);
	*size = sc ? read_cells(reg + ac, sc) : 0;
	if (*base + *size < *base)
		return ERR_INVAL;
	return ERR_OK;
}

err_t dt_u32(const void *fdt, int node, const char *name, uint32_t def, uint32_t *out)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, name, &len);

	if (!p) {
		*out = def;
		return ERR_OK;
	}
	if (len != 4)
		return ERR_INVAL;
	*out = fdt32_to_cpu(*p);
	return ERR_OK;
}

static err_t prop_u64(const void *fdt, int node, const char *name, uint64_t *out)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, name, &len);

	if (!p)
		return ERR_NOENT;
	if (len != 4 && len != 8)
		return ERR_INVAL;
	*out = read_cells(p, len / 4);
	return ERR_OK;
}

err_t dt_irq(const void *fdt, int node, uint32_t *irq)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, "interrupts", &len);

	if (p) {
		if (len < 4)
			return ERR_INVAL;
		*irq = fdt32_to_cpu(p[0]);
		return ERR_OK;
	}
	p = fdt_getprop(fdt, node, "interrupts-extended", &len);
	if (!p)
		return ERR_NOENT;
	if (len < 8)
		return ERR_INVAL;
	*irq = fdt32_to_cpu(p[1]);
	return ERR_OK;
}

int dt_find_compatible(const void *fdt, int from, const char *compat)
{
	int node = from;

	while ((node = fdt_node_offset_by_compatible(fdt, node, compat)) >= 0)
		if (node_enabled(fdt, node))
			return node;
	return node;
}

int dt_stdout_node(const void *fdt)
{
	int chosen = fdt_path_offset(fdt, "/chosen"), len, alen;
	const char *path, *alias;

	if (chosen < 0)
		return chosen;
	path = fdt_getprop(fdt, chosen, "stdout-path", &len);
	if (!path || len < 1)
		return -FDT_ERR_NOTFOUND;
	int n = strnlen(path, len);
	const char *colon = memchr(path, ':', n);
	if (colon)
		n = colon - path;
	if (n == 0)
		return -FDT_ERR_BADPATH;
	if (path[0] != '/') {
		/* An alias. libfdt would follow an alias naming another alias
		 * until the stack overflows, so only one to a full path. */
		int aliases = fdt_path_offset(fdt, "/aliases");
		alias = aliases < 0 ? NULL : fdt_getprop_namelen(fdt, aliases, path, n, &alen);
		if (!alias || alen < 2 || alias[0] != '/' || (int)strnlen(alias, alen) == alen)
			return -FDT_ERR_BADPATH;
		path = alias;
		n = strnlen(alias, alen);
	}
	return fdt_path_offset_namelen(fdt, path, n);
}

const char *dt_node_name(const void *fdt, int node)
{
	const char *n = fdt_get_name(fdt, node, NULL);

	return n ? n : "?";
}

static err_t add_mem(struct boot_info *bi, paddr_t base, uint64_t size)
{
	if (size == 0)
		return ERR_OK;
	if (bi->n_mem >= BOOT_MAX_MEM)
		return ERR_NOSPC;
	bi->mem[bi->n_mem++] = (struct mem_range){ base, size, "RAM" };
	return ERR_OK;
}

static err_t parse_memory(const void *fdt, struct boot_info *bi)
{
	int node = -1;
	err_t e;

	while ((node = fdt_node_offset_by_prop_value(fdt, node, "device_type", "memory", 7)) >= 0) {
		paddr_t base;
		uint64_t size;
		unsigned i = 0;
		if (!node_enabled(fdt, node))
			continue;
		while ((e = dt_reg(fdt, node, i++, &base, &size)) == ERR_OK)
			if ((e = add_mem(bi, base, size)))
				return e;
		if (e != ERR_NOENT || i == 1)   /* malformed, or a memory node without reg */
			return ERR_INVAL;
	}
	return bi->n_mem ? ERR_OK : ERR_INVAL;
}

static err_t parse_reserved(const void *fdt, struct boot_info *bi)
{
	int n = fdt_num_mem_rsv(fdt), node, child;
	err_t e;

	for (int i = 0; i < n; i++) {
		uint64_t a, s;
		if (fdt_get_mem_rsv(fdt, i, &a, &s))
			return ERR_INVAL;
		if ((e = boot_reserve(bi, a, s, "memreserve")))
			return e;
	}
	node = fdt_path_offset(fdt, "/reserved-memory");
	if (node < 0)
		return ERR_OK;
	fdt_for_each_subnode(child, fdt, node) {
		paddr_t base;
		uint64_t size;
		unsigned i = 0;
		while ((e = dt_reg(fdt, child, i++, &base, &size)) == ERR_OK)
			if ((e = boot_reserve(bi, base, size, "firmware")))
				return e;
		if (e != ERR_NOENT)
			return ERR_INVAL;
	}
	return ERR_OK;
}

static err_t parse_chosen(const void *fdt, struct boot_info *bi)
{
	int node = fdt_path_offset(fdt, "/chosen"), len;
	const char *args;
	uint64_t s, e;

	bi->cmdline[0] = 0;
	if (node < 0)
		return ERR_OK;
	args = fdt_getprop(fdt, node, "bootargs", &len);
	if (args && len > 0) {
		size_t n = strnlen(args, len);
		if (n >= sizeof(bi->cmdline))
			return ERR_INVAL;
		memcpy(bi->cmdline, args, n);
		bi->cmdline[n] = 0;
	}
	err_t r1 = prop_u64(fdt, node, "linux,initrd-start", &s);
	err_t r2 = prop_u64(fdt, node, "linux,initrd-end", &e);
	if (r1 == ERR_OK && r2 == ERR_OK) {
		if (e < s)
			return ERR_INVAL;
		bi->initrd_start = s;
		bi->initrd_end = e;
	} else if (r1 != ERR_NOENT || r2 != ERR_NOENT) {
		return ERR_INVAL;   /* one without the other, or malformed */
	}
	return ERR_OK;
}

static err_t parse_cpus(const void *fdt, uint64_t boot_hwid, struct boot_info *bi)
{
	int cpus = fdt_path_offset(fdt, "/cpus"), node;
	uint64_t tb = 0;

	if (cpus < 0)
		return ERR_INVAL;
	if (prop_u64(fdt, cpus, "timebase-frequency", &tb) == ERR_INVAL)
		return ERR_INVAL;
	bi->timebase_hz = tb;
	bi->n_cpus = 1;
	bi->cpu_hwid[0] = boot_hwid;
	fdt_for_each_subnode(node, fdt, cpus) {
		const char *type = fdt_getprop(fdt, node, "device_type", NULL);
		paddr_t hw;
		uint64_t unused;
		if (!type || strcmp(type, "cpu") != 0 || !node_enabled(fdt, node))
			continue;
		if (dt_reg(fdt, node, 0, &hw, &unused))
			return ERR_INVAL;
		if (hw == boot_hwid || bi->n_cpus >= BOOT_MAX_CPUS)
			continue;
		bi->cpu_hwid[bi->n_cpus++] = hw;
	}
	return ERR_OK;
}

err_t dt_parse_boot_info(const void *fdt, size_t bufsize, uint64_t boot_hwid,
			 struct boot_info *bi)
{
	err_t e = dt_check(fdt, bufsize);

	if (e)
		return e;
	bi->fdt_size = fdt_totalsize(fdt);
	if ((e = parse_memory(fdt, bi)) || (e = parse_reserved(fdt, bi)) ||
	    (e = parse_chosen(fdt, bi)) || (e = parse_cpus(fdt, boot_hwid, bi)))
		return e;
	return ERR_OK;
}
