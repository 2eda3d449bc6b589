// SPDX-License-Identifier: MIT
/*
 * Host tests of the device manager's firmware readers
 * (user/servers/devmgr/fw.c) with its bus probes stubbed: what they find
 * in QEMU virt's device tree (build/host/virt.dtb, $CAIRN_DTB) and in ACPI
 * tables made here, and that a truncated, corrupted or malformed tree or
 * table gives an error or fewer devices, never a crash (every input is in
 * an exactly-sized heap block, so AddressSanitizer sees any read past it).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libfdt.h>
#include "../../user/servers/devmgr/fw.h"
#include "test.h"

#define MAX_SEEN 64

/* fw.c's log lines are counted, not printed (thousands of them); the
 * rest of the program's output goes out as usual. */
static unsigned nlogs;

int printf(const char *fmt, ...)
{
	va_list ap;
	int r;

	if (!strncmp(fmt, "devmgr: ", 8)) {
		nlogs++;
		return 0;
	}
	va_start(ap, fmt);
	r = vprintf(fmt, ap);
	va_end(ap);
	return r;
}

static struct { uint64_t base, size; uint32_t irq; } mmio[MAX_SEEN];
static unsigned nmmio;
static struct pci_host hosts[4];
static unsigned nhosts;
/* the interrupt-map read while the tree is there (pci_scan's time) */
static uint32_t intx[8][5];

void mmio_probe(uint64_t base, uint64_t size, uint32_t irq)
{
	if (nmmio < MAX_SEEN)
		mmio[nmmio++] = (typeof(mmio[0])){ base, size, irq };
}

void pci_scan(struct pci_host *h)
{
	if (nhosts < 4)
		hosts[nhosts++] = *h;
	for (unsigned dev = 0; dev < 8; dev++)
		for (unsigned pin = 0; pin < 5; pin++)
			intx[dev][pin] = fw_dt_intx(h, 0, dev, 0, pin);
}

static void *orig;
static size_t orig_size;

static bool load(void)
{
	const char *path = getenv("CAIRN_DTB");
	static char buf[1 << 20];
	FILE *f;
	size_t n;

	if (orig)
		return true;
	if (!path || !(f = fopen(path, "rb")))
		return false;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (n < sizeof(struct fdt_header) || fdt_totalsize(buf) > n)
		return false;
	orig_size = fdt_totalsize(buf);
	orig = malloc(orig_size);
	memcpy(orig, buf, orig_size);
	return true;
}

/* fw_parse() of the first n bytes of p, in a block of exactly n bytes. */
static err_t parse(const void *p, size_t n)
{
	void *q = malloc(n ? n : 1);
	err_t e;

	memcpy(q, p, n);
	nmmio = nhosts = nlogs = 0;
	memset(intx, 0, sizeof(intx));
	e = fw_parse(q, n);
	free(q);
	return e;
}

/* QEMU virt: eight virtio-mmio slots at 0x10001000 + n * 0x1000 with PLIC
 * sources 1..8, one ECAM host bridge with its three windows. */
TEST(virt_tree)
{
	bool slot[8] = { false };

	CHECK(load());
	CHECK(parse(orig, orig_size) == ERR_OK);
	CHECK(nmmio == 8);
	for (unsigned i = 0; i < nmmio; i++) {
		unsigned n = (unsigned)((mmio[i].base - 0x10001000) / 0x1000);
		CHECK(mmio[i].base >= 0x10001000 && n < 8 && mmio[i].base == 0x10001000 + n * 0x1000ull);
		CHECK(mmio[i].size == 0x1000 && mmio[i].irq == n + 1);
		slot[n] = true;
	}
	for (unsigned i = 0; i < 8; i++)
		CHECK(slot[i]);
	CHECK(nhosts == 1);
	CHECK(hosts[0].ecam == 0x30000000 && hosts[0].bus_first == 0 && hosts[0].bus_last == 255);
	CHECK(hosts[0].assign && !hosts[0].ich9);
	CHECK(hosts[0].io.cpu == 0x3000000 && hosts[0].io.size == 0x10000 && hosts[0].io.pci == 0);
	CHECK(hosts[0].io.next != 0);   /* bus address 0 is never handed out */
	CHECK(hosts[0].mem32.cpu == 0x40000000 && hosts[0].mem32.size == 0x40000000);
	CHECK(hosts[0].mem64.cpu == 0x400000000ull && hosts[0].mem64.size == 0x400000000ull);
	return true;
}

/* virt's interrupt-map: slot S, pin P -> PLIC 32 + (S + P - 1) % 4; pins
 * outside 1..4 have none. */
TEST(virt_intx)
{
	CHECK(load());
	CHECK(parse(orig, orig_size) == ERR_OK && nhosts == 1);
	for (unsigned dev = 0; dev < 8; dev++) {
		CHECK(intx[dev][0] == 0);
		for (unsigned pin = 1; pin <= 4; pin++)
			CHECK(intx[dev][pin] == 32 + (dev + pin - 1) % 4);
	}
	return true;
}

/* Every prefix of the tree: the tree is refused (ERR_INVAL, with a log
 * line, nothing probed); an ACPI reading of the bytes finds no MCFG. */
TEST(tree_truncated)
{
	CHECK(load());
	for (size_t n = 0; n < orig_size; n += 3) {
		err_t e = parse(orig, n);
		CHECK(nmmio == 0 && nhosts == 0 && nlogs > 0);
		CHECK(e == ERR_INVAL || n < 4);
	}
	return true;
}

/* Bytes of the tree overwritten, one at a time at many offsets and with
 * several values: whatever fw_parse makes of it, it returns. */
TEST(tree_corrupted)
{
	uint8_t *t;
	unsigned seed = 12345;

	CHECK(load());
	t = malloc(orig_size);
	for (unsigned round = 0; round < 3000; round++) {
		memcpy(t, orig, orig_size);
		for (unsigned k = 0; k < 1 + round % 4; k++) {
			seed = seed * 1103515245u + 12345u;
			size_t off = (seed >> 8) % orig_size;
			static const uint8_t vals[] = { 0, 0xff, 0x7f, 0x80, 0x01, 0x10 };
			t[off] = vals[(seed >> 4) % sizeof(vals)];
		}
		parse(t, orig_size);
		CHECK(nmmio <= MAX_SEEN);
	}
	free(t);
	return true;
}

/* An editable copy of the tree: the pci host node, set up for edits. */
static void *edit(int *pci)
{
	size_t room = orig_size + 4096;
	void *buf = malloc(room);

	if (fdt_open_into(orig, buf, (int)room)) {
		free(buf);
		return NULL;
	}
	*pci = fdt_node_offset_by_compatible(buf, -1, "pci-host-ecam-generic");
	return buf;
}

/* A malformed interrupt-map (cut short, a phandle to nothing, a mask of
 * the wrong length) or bus-range gives no INTx or no bridge, never a
 * crash. */
TEST(pci_node_malformed)
{
	static const uint32_t bad_busrange[2] = { 0x01000000u, 0x00000000u };   /* 1..0 */
	int pci, len;
	void *t;

	CHECK(load());
	/* interrupt-map cut short, at every length (most are not whole entries) */
	CHECK((t = edit(&pci)) && pci >= 0);
	const void *map = fdt_getprop(t, pci, "interrupt-map", &len);
	CHECK(map && len > 40);
	void *whole = malloc((size_t)len);
	int wlen = len;
	memcpy(whole, map, (size_t)len);
	free(t);
	for (int cut = 0; cut < wlen; cut += 2) {
		CHECK((t = edit(&pci)) && pci >= 0);
		CHECK(fdt_setprop(t, pci, "interrupt-map", whole, cut) == 0);
		fdt_pack(t);
		CHECK(parse(t, fdt_totalsize(t)) == ERR_OK && nhosts == 1);
		for (unsigned dev = 0; dev < 8; dev++)
			for (unsigned pin = 1; pin <= 4; pin++)
				CHECK(intx[dev][pin] == 0 || intx[dev][pin] == 32 + (dev + pin - 1) % 4);
		free(t);
	}
	free(whole);
	/* a phandle naming nothing */
	CHECK((t = edit(&pci)) && pci >= 0);
	map = fdt_getprop(t, pci, "interrupt-map", &len);
	uint32_t *m2 = malloc((size_t)len);
	memcpy(m2, map, (size_t)len);
	m2[4] = cpu_to_fdt32(0xdead);
	CHECK(fdt_setprop(t, pci, "interrupt-map", m2, len) == 0);
	free(m2);
	fdt_pack(t);
	CHECK(parse(t, fdt_totalsize(t)) == ERR_OK && nhosts == 1);
	for (unsigned dev = 0; dev < 8; dev++)
		CHECK(intx[dev][1] == 0);
	free(t);
	/* a mask of the wrong length */
	CHECK((t = edit(&pci)) && pci >= 0);
	CHECK(fdt_setprop_u32(t, pci, "interrupt-map-mask", 0x1800) == 0);
	fdt_pack(t);
	CHECK(parse(t, fdt_totalsize(t)) == ERR_OK && nhosts == 1 && intx[1][1] == 0);
	free(t);
	/* a bus range backwards: no bridge */
	CHECK((t = edit(&pci)) && pci >= 0);
	CHECK(fdt_setprop(t, pci, "bus-range", bad_busrange, sizeof(bad_busrange)) == 0);
	fdt_pack(t);
	CHECK(parse(t, fdt_totalsize(t)) == ERR_OK && nhosts == 0 && nmmio == 8 && nlogs > 0);
	free(t);
	/* no reg: no bridge */
	CHECK((t = edit(&pci)) && pci >= 0);
	CHECK(fdt_delprop(t, pci, "reg") == 0);
	fdt_pack(t);
	CHECK(parse(t, fdt_totalsize(t)) == ERR_OK && nhosts == 0 && nmmio == 8 && nlogs > 0);
	free(t);
	return true;
}

/* ---- ACPI ----------------------------------------------------------------------------------- */

static size_t put_table(uint8_t *b, size_t off, const char *sig, uint32_t len, const void *body,
			size_t blen)
{
	memset(b + off, 0, len);
	memcpy(b + off, sig, 4);
	memcpy(b + off + 4, &len, 4);
	if (body)
		memcpy(b + off + 36, body, blen < len - 36 ? blen : len - 36);
	return off + len;
}

/* An MCFG body: 8 reserved bytes, then (base, segment, first bus, last bus). */
static size_t mcfg_body(uint8_t *m, uint64_t base, uint16_t seg, uint8_t first, uint8_t last)
{
	memset(m, 0, 24);
	memcpy(m + 8, &base, 8);
	memcpy(m + 16, &seg, 2);
	m[18] = first;
	m[19] = last;
	return 24;
}

/* The tables q35 gives: an MCFG among others -> one bridge, q35's INTx. */
TEST(acpi_mcfg)
{
	uint8_t b[512], m[24];
	size_t off = 0;

	off = put_table(b, off, "FACP", 116, NULL, 0);
	off = put_table(b, off, "APIC", 120, NULL, 0);
	mcfg_body(m, 0xb0000000ull, 0, 0, 255);
	off = put_table(b, off, "MCFG", 60, m, sizeof(m));
	off = put_table(b, off, "DSDT", 100, NULL, 0);
	CHECK(parse(b, off) == ERR_OK);
	CHECK(nhosts == 1 && nmmio == 0);
	CHECK(hosts[0].ecam == 0xb0000000ull && hosts[0].bus_first == 0 && hosts[0].bus_last == 255);
	CHECK(hosts[0].ich9 && !hosts[0].assign && !hosts[0].fdt);
	return true;
}

/* Bad ACPI: a length under the header's, one past the end, an MCFG cut
 * inside its entry, another segment, a backwards bus range, bytes after
 * the last table: the rest is skipped, nothing read past the end. */
TEST(acpi_malformed)
{
	uint8_t b[512], m[24];
	size_t off;

	mcfg_body(m, 0xb0000000ull, 0, 0, 255);
	off = put_table(b, 0, "MCFG", 60, m, sizeof(m));
	uint32_t small = 20;
	memcpy(b + 4, &small, 4);
	CHECK(parse(b, off) == ERR_OK && nhosts == 0 && nlogs > 0);
	off = put_table(b, 0, "MCFG", 60, m, sizeof(m));
	CHECK(parse(b, off - 1) == ERR_OK && nhosts == 0);          /* length past the end */
	off = put_table(b, 0, "MCFG", 50, m, sizeof(m));
	CHECK(parse(b, off) == ERR_OK && nhosts == 0);              /* entry cut short */
	mcfg_body(m, 0xb0000000ull, 1, 0, 255);
	off = put_table(b, 0, "MCFG", 60, m, sizeof(m));
	CHECK(parse(b, off) == ERR_OK && nhosts == 0);              /* segment 1 */
	mcfg_body(m, 0xb0000000ull, 0, 9, 3);
	off = put_table(b, 0, "MCFG", 60, m, sizeof(m));
	CHECK(parse(b, off) == ERR_OK && nhosts == 0);              /* buses backwards */
	mcfg_body(m, 0xb0000000ull, 0, 0, 255);
	off = put_table(b, 0, "MCFG", 60, m, sizeof(m));
	memset(b + off, 0xee, 20);
	CHECK(parse(b, off + 20) == ERR_OK && nhosts == 1);         /* trailing bytes */
	for (size_t n = 0; n <= off; n++)
		parse(b, n);                                        /* every prefix */
	CHECK(parse(b, 0) == ERR_OK && nhosts == 0);
	return true;
}
