// SPDX-License-Identifier: MIT
/*
 * Host tests of the device-tree reader (kernel/devtree.c) and the boot
 * information helpers (kernel/boot.c). The tree is the one QEMU's virt
 * machine gives a kernel (build/host/virt.dtb, made by host.mk and named
 * by $CAIRN_DTB); variants are made from it with the host's libfdt. Every
 * tree is handed over in an exactly-sized heap block, so that
 * AddressSanitizer catches any read past its end: malformed trees must
 * give ERR_INVAL (or another error), never a crash.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libfdt.h>
#include <kernel/boot.h>
#include <kernel/devtree.h>
#include "test.h"
#include "host.h"

#define MIB (1ull << 20)

static void *orig;          /* the tree as QEMU wrote it, exactly sized */
static size_t orig_size;    /* its totalsize */

static bool load(void)
{
	const char *path = getenv("CAIRN_DTB");
	static char buf[DT_MAX_SIZE];
	FILE *f;
	size_t n;

	if (orig)
		return true;
	if (!path || !(f = fopen(path, "rb"))) {
		printf("# cannot open the device tree: set CAIRN_DTB (host.mk does)\n");
		return false;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (n < sizeof(struct fdt_header) || fdt_totalsize(buf) > n)
		return false;
	orig_size = fdt_totalsize(buf);
	orig = malloc(orig_size);
	memcpy(orig, buf, orig_size);
	return true;
}

/* A copy of the first n bytes of p in a block of exactly n bytes. */
static void *exact(const void *p, size_t n)
{
	void *q = malloc(n ? n : 1);

	memcpy(q, p, n);
	return q;
}

/* An editable copy of the tree with room to grow. */
static void *edit_begin(void)
{
	size_t room = orig_size + 64 * 1024;
	void *buf = malloc(room);

	if (fdt_open_into(orig, buf, room) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* Packs an edited tree into an exactly-sized block (frees buf). */
static void *edit_end(void *buf, size_t *size)
{
	void *t;

	fdt_pack(buf);
	*size = fdt_totalsize(buf);
	t = exact(buf, *size);
	free(buf);
	return t;
}

static err_t parse(const void *fdt, size_t size, uint64_t hart, struct boot_info *bi)
{
	memset(bi, 0, sizeof(*bi));
	return dt_parse_boot_info(fdt, size, hart, bi);
}

/* Parses an edited tree and frees it. */
static err_t parse_edit(void *buf, struct boot_info *bi)
{
	size_t size;
	void *t = edit_end(buf, &size);
	err_t e = parse(t, size, 0, bi);

	free(t);
	return e;
}

static int node(void *fdt, const char *path)
{
	return fdt_path_offset(fdt, path);
}

/* ---- the QEMU virt tree ------------------------------------------------------ */

TEST(virt_memory)
{
	struct boot_info bi;

	CHECK(load());
	CHECK(parse(orig, orig_size, 0, &bi) == ERR_OK);
	CHECK(bi.n_mem == 1);
	CHECK(bi.mem[0].base == 0x80000000 && bi.mem[0].size == 256 * MIB);
	CHECK(boot_mem_total(&bi) == 256 * MIB);
	CHECK(bi.fdt_size == orig_size);
	CHECK(bi.n_reserved == 0);   /* QEMU itself reserves nothing */
	return true;
}

TEST(virt_cpus_and_timebase)
{
	struct boot_info bi;

	CHECK(load());
	CHECK(parse(orig, orig_size, 0, &bi) == ERR_OK);
	CHECK(bi.timebase_hz == 10000000);
	CHECK(bi.n_cpus == 2 && bi.cpu_hwid[0] == 0 && bi.cpu_hwid[1] == 1);
	/* The boot hart always comes first. */
	CHECK(parse(orig, orig_size, 1, &bi) == ERR_OK);
	CHECK(bi.n_cpus == 2 && bi.cpu_hwid[0] == 1 && bi.cpu_hwid[1] == 0);
	return true;
}

TEST(virt_chosen)
{
	struct boot_info bi;
	const char *isz = getenv("CAIRN_INITRD_SIZE");
	char val[32];

	CHECK(load() && isz);
	CHECK(parse(orig, orig_size, 0, &bi) == ERR_OK);
	CHECK(strcmp(bi.cmdline, "console=ttyS0 selftest=mm") == 0);
	CHECK(bi.initrd_start >= 0x80000000 && bi.initrd_start < 0x80000000 + 256 * MIB);
	CHECK(bi.initrd_end - bi.initrd_start == strtoull(isz, NULL, 0));
	CHECK(cmdline_get(bi.cmdline, "selftest", val, sizeof(val)) && strcmp(val, "mm") == 0);
	CHECK(cmdline_get(bi.cmdline, "console", val, sizeof(val)) && strcmp(val, "ttyS0") == 0);
	return true;
}

TEST(virt_uart)
{
	paddr_t base;
	uint64_t size;
	uint32_t irq, v;

	CHECK(load());
	int uart = dt_find_compatible(orig, -1, "ns16550a");
	CHECK(uart >= 0);
	CHECK(strcmp(dt_node_name(orig, uart), "serial@10000000") == 0);
	CHECK(dt_reg(orig, uart, 0, &base, &size) == ERR_OK);
	CHECK(base == 0x10000000 && size == 0x100);
	CHECK(dt_reg(orig, uart, 1, &base, &size) == ERR_NOENT);
	CHECK(dt_irq(orig, uart, &irq) == ERR_OK && irq == 10);
	CHECK(dt_stdout_node(orig) == uart);
	CHECK(dt_find_compatible(orig, uart, "ns16550a") < 0);   /* only one */
	CHECK(dt_find_compatible(orig, -1, "no,such-device") < 0);
	CHECK(dt_u32(orig, uart, "clock-frequency", 0, &v) == ERR_OK && v == 3686400);
	CHECK(dt_u32(orig, uart, "no-such-prop", 1234, &v) == ERR_OK && v == 1234);
	CHECK(dt_u32(orig, uart, "compatible", 0, &v) == ERR_INVAL);   /* 9 bytes */
	CHECK(dt_reg(orig, 0, 0, &base, &size) == ERR_INVAL);            /* root: no parent */
	CHECK(dt_irq(orig, node(orig, "/cpus"), &irq) == ERR_NOENT);
	return true;
}

/* The tree must be usable from a buffer bigger than totalsize as well. */
TEST(virt_larger_buffer)
{
	struct boot_info bi;

	CHECK(load());
	char *big = calloc(1, orig_size + 4096);
	memcpy(big, orig, orig_size);
	CHECK(parse(big, orig_size + 4096, 0, &bi) == ERR_OK && bi.fdt_size == orig_size);
	free(big);
	return true;
}

/* ---- reservations -------------------------------------------------------------- */

TEST(memreserve_entries)
{
	struct boot_info bi;
	void *t;

	CHECK(load() && (t = edit_begin()));
	CHECK(fdt_add_mem_rsv(t, 0x80000000, 0x200000) == 0);
	CHECK(fdt_add_mem_rsv(t, 0x8f000000, 0x1234) == 0);
	CHECK(parse_edit(t, &bi) == ERR_OK);
	CHECK(bi.n_reserved == 2);
	CHECK(bi.reserved[0].base == 0x80000000 && bi.reserved[0].size == 0x200000);
	CHECK(bi.reserved[1].base == 0x8f000000 && bi.reserved[1].size == 0x1234);
	CHECK(strcmp(bi.reserved[0].what, "memreserve") == 0);
	/* One that wraps around the address space is refused. */
	CHECK((t = edit_begin()));
	CHECK(fdt_add_mem_rsv(t, 0xfffffffffffff000ull, 0x2000) == 0);
	CHECK(parse_edit(t, &bi) == ERR_INVAL);
	return true;
}

static int add_reserved_memory(void *t)
{
	int rm = fdt_add_subnode(t, 0, "reserved-memory");

	if (rm < 0)
		return rm;
	fdt_setprop_u32(t, rm, "#address-cells", 2);
	fdt_setprop_u32(t, rm, "#size-cells", 2);
	fdt_setprop(t, rm, "ranges", NULL, 0);
	return rm;
}

TEST(reserved_memory_node)
{
	struct boot_info bi;
	void *t;
	int rm, c;

	CHECK(load() && (t = edit_begin()));
	CHECK((rm = add_reserved_memory(t)) >= 0);
	CHECK((c = fdt_add_subnode(t, rm, "mmode_resv0@80000000")) >= 0);
	CHECK(fdt_appendprop_u64(t, c, "reg", 0x80000000) == 0);
	CHECK(fdt_appendprop_u64(t, c, "reg", 0x40000) == 0);
	CHECK(fdt_appendprop_u64(t, c, "reg", 0x80100000) == 0);
	CHECK(fdt_appendprop_u64(t, c, "reg", 0x1000) == 0);
	CHECK((rm = fdt_path_offset(t, "/reserved-memory")) >= 0);
	CHECK((c = fdt_add_subnode(t, rm, "dynamic")) >= 0);   /* no reg: allocated by size */
	CHECK(fdt_setprop_u64(t, c, "size", 0x100000) == 0);
	CHECK(parse_edit(t, &bi) == ERR_OK);
	CHECK(bi.n_reserved == 2);
	CHECK(bi.reserved[0].base == 0x80000000 && bi.reserved[0].size == 0x40000);
	CHECK(bi.reserved[1].base == 0x80100000 && bi.reserved[1].size == 0x1000);
	CHECK(strcmp(bi.reserved[1].what, "firmware") == 0);

	/* A malformed reg in there is an error, not a range to ignore. */
	CHECK((t = edit_begin()));
	CHECK((rm = add_reserved_memory(t)) >= 0);
	CHECK((c = fdt_add_subnode(t, rm, "bad@0")) >= 0);
	CHECK(fdt_setprop_u32(t, c, "reg", 0x80000000) == 0);
	CHECK(parse_edit(t, &bi) == ERR_INVAL);
	return true;
}

/* ---- malformed memory ---------------------------------------------------------- */

TEST(memory_reg_bad_length)
{
	static const size_t lens[] = { 0, 4, 12, 20, 36 };
	unsigned char junk[36];
	struct boot_info bi;

	CHECK(load());
	memset(junk, 0x11, sizeof(junk));
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		void *t = edit_begin();
		CHECK(t);
		CHECK(fdt_setprop(t, node(t, "/memory@80000000"), "reg", junk, lens[i]) == 0);
		CHECK(parse_edit(t, &bi) == ERR_INVAL);
	}
	return true;
}

TEST(memory_without_reg)
{
	struct boot_info bi;
	void *t;

	CHECK(load() && (t = edit_begin()));
	CHECK(fdt_delprop(t, node(t, "/memory@80000000"), "reg") == 0);
	CHECK(parse_edit(t, &bi) == ERR_INVAL);
	return true;
}

TEST(no_memory_node)
{
	struct boot_info bi;
	void *t;

	CHECK(load() && (t = edit_begin()));
	CHECK(fdt_del_node(t, node(t, "/memory@80000000")) == 0);
	CHECK(parse_edit(t, &bi) == ERR_INVAL);
	/* A disabled memory node is no memory either. */
	CHECK((t = edit_begin()));
	CHECK(fdt_setprop_string(t, node(t, "/memory@80000000"), "status", "disabled") == 0);
	CHECK(parse_edit(t, &bi) == ERR_INVAL);
	return true;
}

/* "okay" and the older "ok" both mean enabled (DT spec, Linux). */
TEST(status_ok_and_okay)
{
	struct boot_info bi;
	void *t;

	CHECK(load() && (t = edit_begin()));
	CHECK(fdt_setprop_string(t, node(t, "/memory@80000000"), "status", "ok") == 0);
	CHECK(parse_edit(t, &bi) == ERR_OK && bi.n_mem == 1);
	CHECK((t = edit_begin()));
	CHECK(fdt_setprop_string(t, node(t, "/memory@80000000"), "status", "okay") == 0);
	CHECK(parse_edit(t, &bi) == ERR_OK && bi.n_mem == 1);
	CHECK((t = edit_begin()));
	CHECK(fdt_setprop_string(t, node(t, "/memory@80000000"), "status", "okdisabled") == 0);
	CHECK(parse_edit(t, &bi) == ERR_INVAL);
	/* A disabled CPU is not counted. */
	CHECK((t = edit_begin()));
	CHECK(fdt_setprop_string(t, node(t, "/cpus/cpu@1"), "status", "disabled") == 0);
	CHECK(parse_edit(t, &bi) == ERR_OK && bi.n_cpus == 1);
	return true;
}

TEST(too_many_memory_ranges)
{
	struct boot_info bi;

	CHECK(load());
	for (unsigned n = BOOT_MAX_MEM; n <= BOOT_MAX_MEM + 1; n++) {
		void *t = edit_begin();
		int mem = node(t, "/memory@80000000");
		CHECK(fdt_delprop(t, mem, "reg") == 0);
		for (unsigned i = 0; i < n; i++) {
			CHECK(fdt_appendprop_u64(t, mem, "reg", 0x80000000 + i * 0x10000000ull) == 0);
			CHECK(fdt_appendprop_u64(t, mem, "reg", 0x1000000) == 0);
		}
		err_t e = parse_edit(t, &bi);
		CHECK(n == BOOT_MAX_MEM ? e == ERR_OK && bi.n_mem == n : e == ERR_NOSPC);
	}
	return true;
}

TEST(reg_cells_checked)
{
	paddr_t base;
	uint64_t size;
	size_t tsize;
	void *t;

	CHECK(load() && (t = edit_begin()));
	CHECK(fdt_setprop_u32(t, node(t, "/soc"), "#address-cells", 3) == 0);
	t = edit_end(t, &tsize);
	int uart = dt_find_compatible(t, -1, "ns16550a");
	CHECK(uart >= 0 && dt_reg(t, uart, 0, &base, &size) == ERR_INVAL);
	free(t);
	/* base + size wrapping around is malformed */
	CHECK((t = edit_begin()));
	uart = dt_find_compatible(t, -1, "ns16550a");
	CHECK(fdt_setprop_u64(t, uart, "reg", 0xfffffffffffff000ull) == 0);
	CHECK(fdt_appendprop_u64(t, uart, "reg", 0x2000) == 0);
	t = edit_end(t, &tsize);
	uart = dt_find_compatible(t, -1, "ns16550a");
	CHECK(uart >= 0 && dt_reg(t, uart, 0, &base, &size) == ERR_INVAL);
	free(t);
	return true;
}

/* ---- /chosen and /cpus ---------------------------------------------------------- */

TEST(initrd_malformed)
{
	struct boot_info bi;
	void *t;
	int ch;

	CHECK(load());
	/* only one of the two */
	CHECK((t = edit_begin()));
	CHECK(fdt_delprop(t, node(t, "/chosen"), "linux,initrd-end") == 0);
	CHECK(parse_edit(t, &bi) == ERR_INVAL);
	/* end before start */
	CHECK((t = edit_begin()));
	ch = node(t, "/chosen");
	CHECK(fdt_setprop_u64(t, ch, "linux,initrd-start", 0x88200000) == 0);
	CHECK(fdt_setprop_u64(t, ch, "linux,initrd-end", 0x88100000) == 0);
	CHECK(parse_edit(t, &bi) == ERR_INVAL);
	/* both with a bad length */
	CHECK((t = edit_begin()));
	ch = node(t, "/chosen");
	CHECK(fdt_setprop(t, ch, "linux,initrd-start", "abc", 3) == 0);
	CHECK(fdt_setprop(t, ch, "linux,initrd-end", "abcdef", 6) == 0);
	CHECK(parse_edit(t, &bi) == ERR_INVAL);
	/* 32- and 64-bit cells are both fine */
	CHECK((t = edit_begin()));
	ch = node(t, "/chosen");
	CHECK(fdt_setprop_u32(t, ch, "linux,initrd-start", 0x88000000) == 0);
	CHECK(fdt_setprop_u64(t, ch, "linux,initrd-end", 0x88001000) == 0);
	CHECK(parse_edit(t, &bi) == ERR_OK);
	CHECK(bi.initrd_start == 0x88000000 && bi.initrd_end == 0x88001000);
	/* none at all */
	CHECK((t = edit_begin()));
	ch = node(t, "/chosen");
	CHECK(fdt_delprop(t, ch, "linux,initrd-start") == 0);
	CHECK(fdt_delprop(t, ch, "linux,initrd-end") == 0);
	CHECK(parse_edit(t, &bi) == ERR_OK && bi.initrd_start == 0 && bi.initrd_end == 0);
	return true;
}

TEST(bootargs_length)
{
	char args[BOOT_CMDLINE_MAX + 1];
	struct boot_info bi;
	void *t;

	CHECK(load());
	memset(args, 'a', sizeof(args));
	args[BOOT_CMDLINE_MAX - 1] = 0;   /* 511 characters: fits */
	CHECK((t = edit_begin()));
	CHECK(fdt_setprop_string(t, node(t, "/chosen"), "bootargs", args) == 0);
	CHECK(parse_edit(t, &bi) == ERR_OK && strlen(bi.cmdline) == BOOT_CMDLINE_MAX - 1);
	args[BOOT_CMDLINE_MAX - 1] = 'a';
	args[BOOT_CMDLINE_MAX] = 0;        /* 512: does not */
	CHECK((t = edit_begin()));
	CHECK(fdt_setprop_string(t, node(t, "/chosen"), "bootargs", args) == 0);
	CHECK(parse_edit(t, &bi) == ERR_INVAL);
	/* Not NUL-terminated: stops at the property's end. */
	CHECK((t = edit_begin()));
	CHECK(fdt_setprop(t, node(t, "/chosen"), "bootargs", "quiet", 5) == 0);
	CHECK(parse_edit(t, &bi) == ERR_OK && strcmp(bi.cmdline, "quiet") == 0);
	/* No /chosen: empty command line. */
	CHECK((t = edit_begin()));
	CHECK(fdt_del_node(t, node(t, "/chosen")) == 0);
	CHECK(parse_edit(t, &bi) == ERR_OK && bi.cmdline[0] == 0 && bi.initrd_start == 0);
	return true;
}

TEST(cpus_malformed)
{
	struct boot_info bi;
	void *t;

	CHECK(load());
	CHECK((t = edit_begin()));
	CHECK(fdt_del_node(t, node(t, "/cpus")) == 0);
	CHECK(parse_edit(t, &bi) == ERR_INVAL);
	CHECK((t = edit_begin()));
	CHECK(fdt_delprop(t, node(t, "/cpus/cpu@1"), "reg") == 0);
	CHECK(parse_edit(t, &bi) == ERR_INVAL);
	CHECK((t = edit_begin()));
	CHECK(fdt_setprop(t, node(t, "/cpus"), "timebase-frequency", "xyz", 3) == 0);
	CHECK(parse_edit(t, &bi) == ERR_INVAL);
	/* No timebase: 0, the arch calibrates. */
	CHECK((t = edit_begin()));
	CHECK(fdt_delprop(t, node(t, "/cpus"), "timebase-frequency") == 0);
	CHECK(parse_edit(t, &bi) == ERR_OK && bi.timebase_hz == 0);
	return true;
}

/* ---- stdout-path ---------------------------------------------------------------- */

static void *with_stdout(const char *path, const char *alias, const char *target, size_t *size)
{
	void *t = edit_begin();
	int al;

	if (!t)
		return NULL;
	fdt_setprop_string(t, node(t, "/chosen"), "stdout-path", path);
	if (alias) {
		al = fdt_path_offset(t, "/aliases");
		if (al < 0)
			al = fdt_add_subnode(t, 0, "aliases");
		fdt_setprop_string(t, al, alias, target);
	}
	return edit_end(t, size);
}

TEST(stdout_path_forms)
{
	size_t size;
	void *t;
	int uart;

	CHECK(load());
	CHECK((t = with_stdout("/soc/serial@10000000:115200n8", NULL, NULL, &size)));
	uart = dt_find_compatible(t, -1, "ns16550a");
	CHECK(uart >= 0 && dt_stdout_node(t) == uart);
	free(t);
	CHECK((t = with_stdout("serial0:115200n8", "serial0", "/soc/serial@10000000", &size)));
	uart = dt_find_compatible(t, -1, "ns16550a");
	CHECK(uart >= 0 && dt_stdout_node(t) == uart);
	free(t);
	CHECK((t = with_stdout("serial0", "serial0", "/soc/serial@10000000", &size)));
	uart = dt_find_compatible(t, -1, "ns16550a");
	CHECK(uart >= 0 && dt_stdout_node(t) == uart);
	free(t);
	CHECK((t = with_stdout(":115200", NULL, NULL, &size)));
	CHECK(dt_stdout_node(t) < 0);
	free(t);
	CHECK((t = with_stdout("/soc/nothing", NULL, NULL, &size)));
	CHECK(dt_stdout_node(t) < 0);
	free(t);
	CHECK((t = with_stdout("serial1", "serial0", "/soc/serial@10000000", &size)));
	CHECK(dt_stdout_node(t) < 0);
	free(t);
	return true;
}

/* An alias that names itself, or another alias, must not recurse forever. */
TEST(stdout_alias_loop)
{
	size_t size;
	void *t;

	CHECK(load());
	CHECK((t = with_stdout("loop", "loop", "loop", &size)));
	CHECK(dt_stdout_node(t) < 0);
	free(t);
	CHECK((t = with_stdout("loop:9600", "loop", "loop/x", &size)));
	CHECK(dt_stdout_node(t) < 0);
	free(t);
	/* an alias whose value is not NUL-terminated */
	void *e = edit_begin();
	CHECK(e);
	fdt_setprop_string(e, node(e, "/chosen"), "stdout-path", "s");
	int al = fdt_add_subnode(e, 0, "aliases");
	CHECK(al >= 0 && fdt_setprop(e, al, "s", "/soc", 4) == 0);
	t = edit_end(e, &size);
	CHECK(dt_stdout_node(t) < 0);
	free(t);
	return true;
}

/* ---- damaged trees ---------------------------------------------------------------- */

/* The packed tree, exactly sized. */
static void *packed(size_t *size)
{
	void *t = edit_begin();

	return t ? edit_end(t, size) : NULL;
}

TEST(bad_header)
{
	struct boot_info bi;
	size_t size;
	char *t;

	CHECK(load() && (t = packed(&size)));
	CHECK(parse(NULL, size, 0, &bi) == ERR_INVAL);
	CHECK(parse(t, sizeof(struct fdt_header) - 1, 0, &bi) == ERR_INVAL);
	CHECK(parse(t, size - 1, 0, &bi) == ERR_INVAL);   /* totalsize > bufsize */
	t[0] ^= 1;                                        /* magic */
	CHECK(parse(t, size, 0, &bi) == ERR_INVAL);
	CHECK(dt_check(t, size) == ERR_INVAL);
	t[0] ^= 1;
	CHECK(dt_check(t, size) == ERR_OK);
	fdt_set_version(t, 1);
	CHECK(parse(t, size, 0, &bi) == ERR_INVAL);
	fdt_set_version(t, 17);
	fdt_set_off_dt_struct(t, size);
	CHECK(parse(t, size, 0, &bi) == ERR_INVAL);
	free(t);
	return true;
}

/* libfdt loads 32- and 64-bit words directly: a blob or block that is
 * not aligned as the spec requires is refused before any such load. */
TEST(misaligned_blocks)
{
	struct boot_info bi;
	size_t size;
	char *t, *c;

	CHECK(load() && (t = packed(&size)));
	/* the blob itself at an address that is only 4-aligned */
	c = malloc(size + 4);
	memcpy(c + 4, t, size);
	CHECK(parse(c + 4, size, 0, &bi) == ERR_INVAL);
	free(c);
	/* the structure and strings blocks moved up by one byte */
	c = calloc(1, size + 1);
	uint32_t so = fdt_off_dt_struct(t);
	memcpy(c, t, so);
	memcpy(c + so + 1, t + so, size - so);
	fdt_set_totalsize(c, size + 1);
	fdt_set_off_dt_struct(c, so + 1);
	fdt_set_off_dt_strings(c, fdt_off_dt_strings(t) + 1);
	CHECK(parse(c, size + 1, 0, &bi) == ERR_INVAL);
	free(c);
	/* the reservation map at an offset that is only 4-aligned */
	c = exact(t, size);
	fdt_set_off_mem_rsvmap(c, fdt_off_mem_rsvmap(t) + 4);
	CHECK(parse(c, size, 0, &bi) == ERR_INVAL);
	free(c);
	free(t);
	return true;
}

/* Every prefix of the tree, in a block of exactly that size. */
TEST(every_truncation)
{
	struct boot_info bi;
	size_t size;
	void *t;

	CHECK(load() && (t = packed(&size)));
	for (size_t len = 0; len < size; len++) {
		void *cut = exact(t, len);
		CHECK(parse(cut, len, 0, &bi) == ERR_INVAL);
		CHECK(dt_check(cut, len) == ERR_INVAL);
		free(cut);
	}
	CHECK(parse(t, size, 0, &bi) == ERR_OK);
	free(t);
	return true;
}

/* Every prefix again, now with the header claiming exactly what is there:
 * the structure block is cut short and libfdt's bounds checks must hold. */
TEST(every_truncation_consistent_header)
{
	struct boot_info bi;
	size_t size;
	char *t;
	unsigned ok = 0;

	CHECK(load() && (t = packed(&size)));
	uint32_t sstart = fdt_off_dt_struct(t), ssize = fdt_size_dt_struct(t);
	for (uint32_t k = 0; k < ssize; k++) {
		char *cut = exact(t, size);
		fdt_set_size_dt_struct(cut, k);
		err_t e = parse(cut, size, 0, &bi);
		if (e != ERR_INVAL && k < ssize - 4)
			printf("# size_dt_struct %u of %u: %s\n", k, ssize, err_name(e));
		/* Only cutting into the final FDT_END tag is tolerated (libfdt
		 * takes a missing end tag after the root node as the end). */
		CHECK(e == ERR_INVAL || (e == ERR_OK && k >= ssize - 4));
		ok += e == ERR_OK;
		free(cut);
	}
	CHECK(ok <= 4);
	/* Cut the whole blob right after the structure block (strings lost). */
	for (uint32_t k = sstart; k < sstart + ssize; k += 4) {
		char *cut = exact(t, k);
		fdt_set_totalsize(cut, k);
		fdt_set_size_dt_struct(cut, k - sstart);
		fdt_set_size_dt_strings(cut, 0);
		fdt_set_off_dt_strings(cut, k);
		CHECK(parse(cut, k, 0, &bi) == ERR_INVAL);
		free(cut);
	}
	free(t);
	return true;
}

/* Random damage, fixed seed: no crash, no over-read, whatever the answer. */
TEST(random_corruption)
{
	struct boot_info bi;
	size_t size;
	unsigned char *t;
	uint64_t seed = 0x5eed;
	unsigned good = 0, bad = 0;

	CHECK(load() && (t = packed(&size)));
	for (unsigned iter = 0; iter < 4000; iter++) {
		unsigned char *c = exact(t, size);
		unsigned nflips = 1 + host_rand(&seed) % 4;
		for (unsigned i = 0; i < nflips; i++) {
			uint64_t r = host_rand(&seed);
			size_t off = (r >> 8) % size;
			switch (r % 4) {
			case 0:   /* one bit */
				c[off] ^= 1u << ((r >> 40) % 8);
				break;
			case 1:   /* one byte */
				c[off] = (unsigned char)(r >> 40);
				break;
			case 2: { /* a big-endian word: tags, lengths, offsets */
				size_t w = ALIGN_DOWN(off, 4);
				uint32_t v = (r >> 32) % 3 ? (uint32_t)(r >> 40) % 64 : (uint32_t)(r >> 32);
				if (w + 4 <= size)
					*(fdt32_t *)(c + w) = cpu_to_fdt32(v);
				break;
			}
			default:  /* a header field */
				*(fdt32_t *)(c + 4 * ((r >> 40) % 10)) ^= cpu_to_fdt32(1u << ((r >> 48) % 32));
				break;
			}
		}
		if (parse(c, size, (host_rand(&seed) & 1), &bi) == ERR_OK) {
			good++;
			CHECK(bi.n_mem >= 1 && bi.n_mem <= BOOT_MAX_MEM);
			CHECK(bi.n_cpus >= 1 && bi.n_cpus <= BOOT_MAX_CPUS);
			CHECK(strlen(bi.cmdline) < BOOT_CMDLINE_MAX);
			/* The lookups drivers use, on a tree that passed the check. */
			paddr_t base;
			uint64_t sz;
			uint32_t irq, v;
			int n = dt_find_compatible(c, -1, "ns16550a");
			if (n >= 0) {
				(void)dt_reg(c, n, 0, &base, &sz);
				(void)dt_irq(c, n, &irq);
				(void)dt_u32(c, n, "clock-frequency", 0, &v);
				(void)dt_node_name(c, n);
			}
			(void)dt_stdout_node(c);
			(void)dt_find_compatible(c, -1, "riscv,plic0");
		} else {
			bad++;
		}
		free(c);
	}
	printf("# %u damaged trees accepted, %u refused\n", good, bad);
	CHECK(good > 0 && bad > 0);
	free(t);
	return true;
}

/* ---- boot.c helpers ---------------------------------------------------------------- */

TEST(boot_reserve_rules)
{
	struct boot_info bi;

	memset(&bi, 0, sizeof(bi));
	CHECK(boot_reserve(&bi, 0x1000, 0, "empty") == ERR_OK && bi.n_reserved == 0);
	CHECK(boot_reserve(&bi, 0xfffffffffffff000ull, 0x2000, "wraps") == ERR_INVAL);
	/* Ending exactly at 2^64: the end is not representable either. */
	CHECK(boot_reserve(&bi, 0xfffffffffffff000ull, 0x1000, "top") == ERR_INVAL);
	CHECK(bi.n_reserved == 0);
	for (unsigned i = 0; i < BOOT_MAX_RESERVED; i++)
		CHECK(boot_reserve(&bi, i * 0x1000ull, 0x1000, "x") == ERR_OK);
	CHECK(bi.n_reserved == BOOT_MAX_RESERVED);
	CHECK(boot_reserve(&bi, 0x100000, 0x1000, "full") == ERR_NOSPC);
	CHECK(bi.n_reserved == BOOT_MAX_RESERVED);
	return true;
}

TEST(cmdline_parsing)
{
	char v[8];

	CHECK(cmdline_get("a=1 selftest b", "selftest", v, sizeof(v)) && v[0] == 0);
	CHECK(cmdline_get("a=1 selftest=mm b", "selftest", v, sizeof(v)) && !strcmp(v, "mm"));
	CHECK(!cmdline_get("selftests=x", "selftest", v, sizeof(v)));
	CHECK(!cmdline_get("xselftest=x", "selftest", v, sizeof(v)));
	CHECK(cmdline_get("  x=0123456789", "x", v, sizeof(v)) && !strcmp(v, "0123456"));
	CHECK(cmdline_get("x=", "x", v, sizeof(v)) && v[0] == 0);
	CHECK(cmdline_get("a b  c", "c", NULL, 0));
	CHECK(cmdline_get("k=1 k=2", "k", v, sizeof(v)) && !strcmp(v, "1"));
	CHECK(!cmdline_get("", "x", v, sizeof(v)));
	CHECK(!cmdline_get("   ", "x", v, sizeof(v)));
	return true;
}
