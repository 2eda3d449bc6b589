// SPDX-License-Identifier: MIT
/*
 * Host tests of lib/elf.c: real static executables linked at build time
 * for riscv64 and x86-64 (host.mk, from elf_prog.c), and headers built
 * here field by field: one test per refusal, every truncation length,
 * every header byte corrupted, and random mutations whose accepted results
 * must satisfy tests/fuzz/invariants.h. Every input is passed in an
 * exactly sized heap block, so AddressSanitizer catches any read past
 * hdr_len.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <lib/elf.h>
#include "test.h"
#include "host.h"
#include "../fuzz/invariants.h"

#define TOP       (1ull << 38)
#define FSIZE     0x2000u
#define PH(i)     (64 + 56 * (i))
#define HDR_LEN   PH(3)          /* ELF header and three program headers */
#define SH_END    0x1ac0u        /* end of the section header table */

#define PT_LOAD   1
#define PF_X      1u
#define PF_W      2u
#define PF_R      4u

static void wr16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void wr32(uint8_t *p, uint32_t v) { wr16(p, (uint16_t)v); wr16(p + 2, (uint16_t)(v >> 16)); }
static void wr64(uint8_t *p, uint64_t v) { wr32(p, (uint32_t)v); wr32(p + 4, (uint32_t)(v >> 32)); }

static void set_phdr(uint8_t *b, unsigned i, uint32_t type, uint32_t flags, uint64_t off,
		     uint64_t vaddr, uint64_t filesz, uint64_t memsz, uint64_t align)
{
	uint8_t *p = b + PH(i);

	wr32(p, type);
	wr32(p + 4, flags);
	wr64(p + 8, off);
	wr64(p + 16, vaddr);
	wr64(p + 24, vaddr);
	wr64(p + 32, filesz);
	wr64(p + 40, memsz);
	wr64(p + 48, align);
}

/* The reference image: riscv64, text RX at 0x10000 (file 0..0x800), data
 * RW at 0x11800 (file 0x1800..0x1900, memory to 0x13800), a GNU_STACK, and
 * 3 section headers at 0x1a00 in a 0x2000-byte file. */
static void make_elf(uint8_t *b)
{
	memset(b, 0, 4096);
	memcpy(b, "\x7f" "ELF", 4);
	b[4] = 2;    /* ELFCLASS64 */
	b[5] = 1;    /* ELFDATA2LSB */
	b[6] = 1;    /* EV_CURRENT */
	wr16(b + 16, 2);              /* ET_EXEC */
	wr16(b + 18, ELF_MACHINE_RISCV);
	wr32(b + 20, 1);
	wr64(b + 24, 0x10100);        /* entry */
	wr64(b + 32, 64);             /* phoff */
	wr64(b + 40, 0x1a00);         /* shoff */
	wr32(b + 48, 5);              /* flags: RVC, double-float */
	wr16(b + 52, 64);
	wr16(b + 54, 56);
	wr16(b + 56, 3);
	wr16(b + 58, 64);
	wr16(b + 60, 3);
	wr16(b + 62, 2);
	set_phdr(b, 0, PT_LOAD, PF_R | PF_X, 0, 0x10000, 0x800, 0x800, 0x1000);
	set_phdr(b, 1, PT_LOAD, PF_R | PF_W, 0x1800, 0x11800, 0x100, 0x2000, 0x1000);
	set_phdr(b, 2, 0x6474e551, PF_R | PF_W, 0, 0, 0, 0, 16);
}

static uint8_t *copy_exact(const uint8_t *b, size_t len)
{
	uint8_t *p = malloc(len ? len : 1);

	memcpy(p, b, len);
	return p;
}

/* elf_parse on an exact copy of b[0..len). */
static err_t parse(const uint8_t *b, size_t len, uint64_t fsize, unsigned machine,
		   uint64_t top, struct elf_image *img, const char **why)
{
	uint8_t *p = copy_exact(b, len);
	err_t rc = elf_parse(p, len, fsize, machine, top, img, why);

	free(p);
	return rc;
}

/* True if the image b is refused with exactly the message want. */
static bool refused(const uint8_t *b, size_t len, const char *want)
{
	struct elf_image img;
	const char *why = NULL;
	err_t rc = parse(b, len, FSIZE, ELF_MACHINE_RISCV, TOP, &img, &why);

	if (rc != ERR_NOEXEC || !why || strcmp(why, want) != 0) {
		printf("# rc %d why \"%s\", wanted ENOEXEC \"%s\"\n", rc, why ? why : "(null)", want);
		return false;
	}
	return true;
}

static bool accepted(const uint8_t *b, size_t len, struct elf_image *img)
{
	const char *why = NULL;
	err_t rc = parse(b, len, FSIZE, ELF_MACHINE_RISCV, TOP, img, &why);

	if (rc != 0) {
		printf("# refused: %s\n", why ? why : "(null)");
		return false;
	}
	return elf_image_invariants(img, FSIZE, TOP) == NULL && strcmp(why, "ok") == 0;
}

TEST(reference_image)
{
	uint8_t b[4096];
	struct elf_image img;

	make_elf(b);
	CHECK(accepted(b, HDR_LEN, &img));
	CHECK(img.entry == 0x10100 && img.nseg == 2);
	CHECK(img.seg[0].vaddr == 0x10000 && img.seg[0].memsz == 0x800 && img.seg[0].offset == 0 &&
	      img.seg[0].filesz == 0x800 && img.seg[0].prot == (ELF_PROT_R | ELF_PROT_X));
	CHECK(img.seg[1].vaddr == 0x11800 && img.seg[1].memsz == 0x2000 &&
	      img.seg[1].offset == 0x1800 && img.seg[1].filesz == 0x100 &&
	      img.seg[1].prot == (ELF_PROT_R | ELF_PROT_W));
	/* The whole first page, as the kernel passes it, and a NULL why. */
	CHECK(elf_parse(b, 4096, 4096 + 0x1000, ELF_MACHINE_RISCV, TOP, &img, NULL) == 0);
	/* Any alignment of the buffer (fields are read byte by byte). */
	for (unsigned shift = 1; shift < 8; shift++) {
		uint8_t *p = malloc(HDR_LEN + shift);

		memcpy(p + shift, b, HDR_LEN);
		CHECK(elf_parse(p + shift, HDR_LEN, FSIZE, ELF_MACHINE_RISCV, TOP, &img, NULL) == 0);
		free(p);
		CHECK(img.entry == 0x10100 && img.nseg == 2);
	}
	return true;
}

/* ---- real toolchain output ---- */

static uint8_t *read_file(const char *name, size_t *len)
{
	const char *dir = getenv("CAIRN_TESTDATA");
	char path[512];
	FILE *f;
	uint8_t *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir ? dir : "build/host/data", name);
	f = fopen(path, "rb");
	if (!f) {
		printf("# cannot open %s\n", path);
		return NULL;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* Parses a real executable as the kernel does (first min(size, 4096)
 * bytes), then every shorter header: refused exactly while the program
 * headers are cut. */
static bool real_exec(const char *name, unsigned machine, uint64_t top)
{
	size_t size, hdr, need;
	uint8_t *file = read_file(name, &size);
	struct elf_image img;
	const char *why;
	bool ok = true;

	if (!file)
		return false;
	hdr = size < 4096 ? size : 4096;
	need = 64 + 56 * (size_t)(file[56] | file[57] << 8);
	if (parse(file, hdr, size, machine, top, &img, &why) != 0) {
		printf("# %s refused: %s\n", name, why);
		ok = false;
	} else if (elf_image_invariants(&img, size, top) || img.nseg < 2) {
		ok = false;
	}
	for (size_t len = 0; ok && len < hdr; len++) {
		err_t rc = parse(file, len, size, machine, top, &img, &why);
		if (len < need ? rc != ERR_NOEXEC : rc != 0) {
			printf("# %s: hdr_len %zu gives %d (%s)\n", name, len, rc, why);
			ok = false;
		}
	}
	if (ok && parse(file, hdr, size, machine == ELF_MACHINE_RISCV ? ELF_MACHINE_X86_64 :
			ELF_MACHINE_RISCV, top, &img, &why) != ERR_NOEXEC)
		ok = false;
	free(file);
	return ok;
}

TEST(real_riscv64_static)
{
	return real_exec("prog-riscv64.elf", ELF_MACHINE_RISCV, TOP);
}

TEST(real_x86_64_static)
{
	return real_exec("prog-x86_64.elf", ELF_MACHINE_X86_64, 1ull << 47);
}

TEST(real_x86_64_pie_refused)
{
	size_t size;
	uint8_t *file = read_file("prog-x86_64-pie.elf", &size);
	struct elf_image img;
	const char *why = NULL;
	err_t rc;

	CHECK(file);
	rc = parse(file, size < 4096 ? size : 4096, size, ELF_MACHINE_X86_64, 1ull << 47, &img, &why);
	free(file);
	CHECK(rc == ERR_NOEXEC && strcmp(why, "not a static executable (e_type)") == 0);
	return true;
}

/* ---- the call itself ---- */

TEST(bad_calls)
{
	uint8_t b[4096];
	struct elf_image img;
	const char *why;

	make_elf(b);
	CHECK(elf_parse(b, HDR_LEN, FSIZE, ELF_MACHINE_RISCV, TOP, NULL, &why) == ERR_INVAL);
	CHECK(elf_parse(NULL, 64, FSIZE, ELF_MACHINE_RISCV, TOP, &img, &why) == ERR_INVAL);
	CHECK(elf_parse(b, HDR_LEN, HDR_LEN - 1, ELF_MACHINE_RISCV, TOP, &img, &why) == ERR_INVAL);
	CHECK(elf_parse(NULL, 0, FSIZE, ELF_MACHINE_RISCV, TOP, &img, &why) == ERR_NOEXEC);
	CHECK(strcmp(why, "truncated ELF header") == 0);
	return true;
}

TEST(out_untouched_on_failure)
{
	uint8_t b[4096];
	struct elf_image img, before;

	make_elf(b);
	memset(&img, 0xa5, sizeof(img));
	before = img;
	wr64(b + 24, 0x11800);   /* entry in the data segment */
	CHECK(refused(b, HDR_LEN, "entry point not executable"));
	CHECK(elf_parse(b, HDR_LEN, FSIZE, ELF_MACHINE_RISCV, TOP, &img, NULL) == ERR_NOEXEC);
	CHECK(memcmp(&img, &before, sizeof(img)) == 0);
	return true;
}

/* ---- truncation ---- */

TEST(truncated_header_every_length)
{
	uint8_t b[4096];
	struct elf_image img;

	make_elf(b);
	for (size_t len = 0; len < HDR_LEN; len++) {
		const char *why = NULL;

		CHECK(parse(b, len, FSIZE, ELF_MACHINE_RISCV, TOP, &img, &why) == ERR_NOEXEC);
		CHECK(strcmp(why, len < 64 ? "truncated ELF header" : "program headers outside header") == 0);
	}
	CHECK(accepted(b, HDR_LEN, &img));
	/* Too short for an ELF header, but not an ELF file at all. */
	CHECK(refused((const uint8_t *)"#!/bin/sh\n", 10, "bad magic"));
	return true;
}

TEST(truncated_file_every_size)
{
	uint8_t b[4096];
	struct elf_image img;

	make_elf(b);
	for (uint64_t fsize = HDR_LEN; fsize < SH_END; fsize++) {
		const char *why = NULL;

		CHECK(parse(b, HDR_LEN, fsize, ELF_MACHINE_RISCV, TOP, &img, &why) == ERR_NOEXEC);
		CHECK(strcmp(why, "section header table outside file") == 0);
	}
	CHECK(parse(b, HDR_LEN, SH_END, ELF_MACHINE_RISCV, TOP, &img, NULL) == 0);
	/* Without section headers, the data segment's end is the limit. */
	wr64(b + 40, 0);
	wr16(b + 60, 0);
	wr16(b + 62, 0);
	CHECK(parse(b, HDR_LEN, 0x18ff, ELF_MACHINE_RISCV, TOP, &img, NULL) == ERR_NOEXEC);
	CHECK(parse(b, HDR_LEN, 0x1900, ELF_MACHINE_RISCV, TOP, &img, NULL) == 0);
	return true;
}

/* ---- ELF header fields ---- */

struct field_case {
	unsigned off, size;
	uint64_t value;
	const char *why;    /* NULL: still accepted */
};

static bool run_field_cases(const struct field_case *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t b[4096];
		struct elf_image img;

		make_elf(b);
		switch (c[i].size) {
		case 1: b[c[i].off] = (uint8_t)c[i].value; break;
		case 2: wr16(b + c[i].off, (uint16_t)c[i].value); break;
		case 4: wr32(b + c[i].off, (uint32_t)c[i].value); break;
		default: wr64(b + c[i].off, c[i].value); break;
		}
		if (c[i].why ? !refused(b, HDR_LEN, c[i].why) : !accepted(b, HDR_LEN, &img)) {
			printf("# case %zu: offset %u value %#llx\n", i, c[i].off,
			       (unsigned long long)c[i].value);
			return false;
		}
	}
	return true;
}

TEST(ident_fields)
{
	static const struct field_case cases[] = {
		{ 0, 1, 0x7e, "bad magic" },
		{ 1, 1, 'e', "bad magic" },
		{ 2, 1, 0, "bad magic" },
		{ 3, 1, 'f', "bad magic" },
		{ 4, 1, 1, "not ELFCLASS64" },
		{ 4, 1, 0, "not ELFCLASS64" },
		{ 4, 1, 3, "not ELFCLASS64" },
		{ 5, 1, 2, "not little-endian" },
		{ 5, 1, 0, "not little-endian" },
		{ 6, 1, 0, "bad EI_VERSION" },
		{ 6, 1, 2, "bad EI_VERSION" },
		{ 7, 1, 3, NULL },           /* ELFOSABI_GNU */
		{ 7, 1, 9, "unsupported OS ABI" },
		{ 7, 1, 0xff, "unsupported OS ABI" },
		{ 8, 1, 1, "unsupported ABI version" },
		{ 9, 1, 0xff, NULL },        /* padding */
		{ 15, 1, 0xff, NULL },
	};

	return run_field_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

TEST(header_fields)
{
	static const struct field_case cases[] = {
		{ 16, 2, 3, "not a static executable (e_type)" },     /* ET_DYN */
		{ 16, 2, 1, "not a static executable (e_type)" },     /* ET_REL */
		{ 16, 2, 4, "not a static executable (e_type)" },     /* ET_CORE */
		{ 16, 2, 0, "not a static executable (e_type)" },
		{ 18, 2, ELF_MACHINE_X86_64, "wrong machine" },
		{ 18, 2, 0, "wrong machine" },
		{ 20, 4, 0, "bad e_version" },
		{ 20, 4, 2, "bad e_version" },
		{ 48, 4, 0xffffffff, NULL },                          /* e_flags: not checked */
		{ 52, 2, 52, "bad e_ehsize" },
		{ 52, 2, 65, "bad e_ehsize" },
		{ 54, 2, 32, "bad e_phentsize" },
		{ 54, 2, 64, "bad e_phentsize" },
		{ 56, 2, 0, "no program headers" },
		{ 56, 2, 4, "program headers outside header" },
		{ 56, 2, 0xffff, "program headers outside header" },
		{ 32, 8, 0, "bad e_phoff" },
		{ 32, 8, 8, "bad e_phoff" },                          /* inside the ELF header */
		{ 32, 8, 65, "bad e_phoff" },
		{ 32, 8, 68, "bad e_phoff" },
		{ 32, 8, 72, "program headers outside header" },
		{ 32, 8, HDR_LEN, "program headers outside header" },
		{ 32, 8, ~0ull & ~7ull, "program headers outside header" },
		{ 32, 8, 1ull << 63, "program headers outside header" },
		{ 40, 8, 0x1a04, "misaligned section header table" },
		{ 40, 8, FSIZE, "section header table outside file" },
		{ 40, 8, ~0ull & ~7ull, "section header table outside file" },
		{ 40, 8, 0, "bad section header table" },             /* shnum still 3 */
		{ 58, 2, 40, "bad e_shentsize" },
		{ 58, 2, 0, "bad e_shentsize" },
		{ 60, 2, 0, "extended section numbering unsupported" },
		{ 60, 2, 0xffff, "section header table outside file" },
		{ 62, 2, 3, "bad e_shstrndx" },
		{ 62, 2, 0xffff, "bad e_shstrndx" },
		{ 62, 2, 0, NULL },                                   /* SHN_UNDEF */
		{ 24, 8, 0x107ff, NULL },                             /* last text byte */
		{ 24, 8, 0x10000, NULL },
		{ 24, 8, 0x10800, "entry point outside segments" },
		{ 24, 8, 0xffff, "entry point outside segments" },
		{ 24, 8, 0, "entry point outside segments" },
		{ 24, 8, ~0ull, "entry point outside segments" },
		{ 24, 8, 0x11800, "entry point not executable" },
		{ 24, 8, 0x137ff, "entry point not executable" },     /* in the bss */
	};

	return run_field_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

TEST(no_section_headers)
{
	uint8_t b[4096];
	struct elf_image img;

	make_elf(b);
	wr64(b + 40, 0);
	wr16(b + 60, 0);
	wr16(b + 62, 0);
	CHECK(accepted(b, HDR_LEN, &img));
	wr16(b + 58, 0);
	CHECK(accepted(b, HDR_LEN, &img));
	wr16(b + 58, 12);
	CHECK(refused(b, HDR_LEN, "bad section header table"));
	wr16(b + 58, 64);
	wr16(b + 62, 1);
	CHECK(refused(b, HDR_LEN, "bad section header table"));
	return true;
}

/* ---- program headers ---- */

TEST(load_fields)
{
	static const struct field_case cases[] = {
		/* text segment (phdr 0) */
		{ PH(0) + 4, 4, PF_R | PF_W | PF_X, "segment both writable and executable" },
		{ PH(0) + 4, 4, PF_X, NULL },                          /* execute-only */
		{ PH(0) + 4, 4, PF_R | PF_X | 8, "unknown segment flags" },
		{ PH(0) + 4, 4, PF_R | PF_X | 0x80000000u, "unknown segment flags" },
		{ PH(0) + 40, 8, 0, "empty segment" },
		{ PH(0) + 40, 8, 0x7ff, "segment filesz > memsz" },
		{ PH(0) + 32, 8, 0x801, "segment filesz > memsz" },
		{ PH(0) + 32, 8, 0, NULL },                            /* all zero-fill */
		{ PH(0) + 8, 8, ~0ull, "segment outside file" },
		{ PH(0) + 8, 8, FSIZE + 0x1000, "segment outside file" },
		{ PH(0) + 8, 8, FSIZE - 0x800 + 0x1000, "segment outside file" },
		{ PH(0) + 16, 8, 0, "segment in page 0" },
		{ PH(0) + 16, 8, 0xff000, "entry point outside segments" },
		{ PH(0) + 48, 8, 0, NULL },
		{ PH(0) + 48, 8, 1, NULL },
		{ PH(0) + 48, 8, 3, "segment alignment not a power of two" },
		{ PH(0) + 48, 8, 0x3000, "segment alignment not a power of two" },
		{ PH(0) + 48, 8, 0x10000, NULL },                      /* 0x10000 = 0 mod 64K */
		{ PH(0) + 48, 8, 0x20000, "segment vaddr and offset disagree with p_align" },
		{ PH(0) + 48, 8, 1ull << 63, "segment vaddr and offset disagree with p_align" },
		{ PH(0) + 24, 8, 0xdead, NULL },                       /* p_paddr: not used */
		/* data segment (phdr 1) */
		{ PH(1) + 8, 8, 0x1900, "segment vaddr and offset differ within a page" },
		{ PH(1) + 8, 8, 0x1000, "segment vaddr and offset differ within a page" },
		{ PH(1) + 8, 8, 0x800, NULL },                         /* same page offset */
		{ PH(1) + 8, 8, FSIZE - 0x100, "segment vaddr and offset differ within a page" },
		{ PH(1) + 32, 8, FSIZE - 0x1800, NULL },
		{ PH(1) + 32, 8, FSIZE - 0x1800 + 1, "segment outside file" },
		{ PH(1) + 16, 8, 0x10900, "segment vaddr and offset differ within a page" },
		{ PH(1) + 16, 8, 0x10000 + 0x1800 - 0x1000, "segments overlap" },   /* 0x10800 page */
		{ PH(1) + 16, 8, TOP - 0x2000 + 0x800, "segment outside user space" },
		{ PH(1) + 16, 8, TOP - 0x2800, NULL },
		{ PH(1) + 16, 8, TOP + 0x800, "segment outside user space" },
		{ PH(1) + 16, 8, ~0ull - 0xfff + 0x800, "segment outside user space" },
		{ PH(1) + 40, 8, ~0ull, "segment outside user space" },
		{ PH(1) + 40, 8, TOP, "segment outside user space" },
		/* the GNU_STACK becomes another load */
		{ PH(2), 4, 3, "dynamically linked (PT_INTERP)" },
		{ PH(2), 4, 2, "dynamically linked (PT_DYNAMIC)" },
		{ PH(2), 4, 5, "PT_SHLIB segment" },
		{ PH(2), 4, PT_LOAD, "empty segment" },
	};

	return run_field_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

TEST(ignored_segment_types)
{
	static const uint32_t types[] = {
		0,            /* PT_NULL */
		4,            /* PT_NOTE */
		6,            /* PT_PHDR */
		7,            /* PT_TLS */
		0x6474e550,   /* PT_GNU_EH_FRAME */
		0x6474e551,   /* PT_GNU_STACK */
		0x6474e552,   /* PT_GNU_RELRO */
		0x6474e553,   /* PT_GNU_PROPERTY */
		0x70000003,   /* PT_RISCV_ATTRIBUTES */
		0xffffffff,
	};

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		uint8_t b[4096];
		struct elf_image img;

		make_elf(b);
		/* Garbage that would be refused in a PT_LOAD. */
		set_phdr(b, 2, types[i], 0xffffffff, ~0ull, 0, ~0ull, 1, 3);
		CHECK(accepted(b, HDR_LEN, &img));
		CHECK(img.nseg == 2);
	}
	return true;
}

TEST(segment_limits)
{
	uint8_t b[4096];
	struct elf_image img;

	/* ELF_MAX_SEGMENTS loads, one per page, in reverse address order. */
	make_elf(b);
	wr16(b + 56, ELF_MAX_SEGMENTS);
	for (unsigned i = 0; i < ELF_MAX_SEGMENTS; i++)
		set_phdr(b, i, PT_LOAD, i == 0 ? PF_R | PF_X : PF_R, 0,
			 0x20000 - 0x1000 * i, 0x10, 0x1000, 0x1000);
	wr64(b + 24, 0x20000);
	CHECK(accepted(b, PH(ELF_MAX_SEGMENTS), &img));
	CHECK(img.nseg == ELF_MAX_SEGMENTS && img.seg[7].vaddr == 0x20000 - 0x7000);
	/* One more refuses the file, even as PT_LOAD number nine. */
	wr16(b + 56, ELF_MAX_SEGMENTS + 1);
	set_phdr(b, ELF_MAX_SEGMENTS, PT_LOAD, PF_R, 0, 0x30000, 0x10, 0x10, 0x1000);
	CHECK(refused(b, PH(ELF_MAX_SEGMENTS + 1), "too many PT_LOAD segments"));
	/* Nine headers, eight loads: fine. */
	set_phdr(b, ELF_MAX_SEGMENTS, 4, PF_R, 0, 0x30000, 0x10, 0x10, 0x1000);
	CHECK(accepted(b, PH(ELF_MAX_SEGMENTS + 1), &img));
	return true;
}

TEST(overlap_at_page_granularity)
{
	uint8_t b[4096];
	struct elf_image img;

	make_elf(b);
	/* Data right after the text's last page: fine. */
	set_phdr(b, 1, PT_LOAD, PF_R | PF_W, 0x1000, 0x11000, 0x10, 0x10, 0x1000);
	CHECK(accepted(b, HDR_LEN, &img));
	/* Data in the text's page, past its last byte: refused. */
	set_phdr(b, 1, PT_LOAD, PF_R | PF_W, 0xf00, 0x10f00, 0x10, 0x10, 0x1000);
	CHECK(refused(b, HDR_LEN, "segments overlap"));
	/* Data covering the text: refused. */
	set_phdr(b, 1, PT_LOAD, PF_R | PF_W, 0, 0xf000, 0x10, 0x3000, 0x1000);
	CHECK(refused(b, HDR_LEN, "segments overlap"));
	/* The same segment twice. */
	set_phdr(b, 1, PT_LOAD, PF_R | PF_X, 0, 0x10000, 0x800, 0x800, 0x1000);
	CHECK(refused(b, HDR_LEN, "segments overlap"));
	/* A segment that ends on the last byte of the address space. */
	set_phdr(b, 1, PT_LOAD, PF_R | PF_W, 0, ~0ull - 0xfff, 0, 0xfff, 0x1000);
	CHECK(parse(b, HDR_LEN, FSIZE, ELF_MACHINE_RISCV, ~0ull, &img, NULL) == 0);
	CHECK(elf_image_invariants(&img, FSIZE, ~0ull) == NULL);
	set_phdr(b, 1, PT_LOAD, PF_R | PF_W, 0, ~0ull - 0xfff, 0, 0x1000, 0x1000);
	CHECK(parse(b, HDR_LEN, FSIZE, ELF_MACHINE_RISCV, ~0ull, &img, NULL) == ERR_NOEXEC);
	return true;
}

TEST(segment_ends_at_user_top)
{
	uint8_t b[4096];
	struct elf_image img;

	make_elf(b);
	set_phdr(b, 1, PT_LOAD, PF_R | PF_W, 0x1800, TOP - 0x1800, 0x100, 0x1800, 0x1000);
	CHECK(accepted(b, HDR_LEN, &img));
	CHECK(img.seg[1].vaddr + img.seg[1].memsz == TOP);
	set_phdr(b, 1, PT_LOAD, PF_R | PF_W, 0x1800, TOP - 0x1800, 0x100, 0x1801, 0x1000);
	CHECK(refused(b, HDR_LEN, "segment outside user space"));
	/* The lowest page allowed. */
	set_phdr(b, 1, PT_LOAD, PF_R | PF_W, 0x1000, 0x1000, 0x100, 0x1000, 0x1000);
	CHECK(accepted(b, HDR_LEN, &img));
	set_phdr(b, 1, PT_LOAD, PF_R | PF_W, 0xfff, 0xfff, 0x100, 0x1000, 0x1000);
	CHECK(refused(b, HDR_LEN, "segment in page 0"));
	return true;
}

TEST(no_load_segment)
{
	uint8_t b[4096];

	make_elf(b);
	set_phdr(b, 0, 4, PF_R, 0, 0x10000, 0x10, 0x10, 4);
	set_phdr(b, 1, 4, PF_R, 0, 0x10000, 0x10, 0x10, 4);
	CHECK(refused(b, HDR_LEN, "no PT_LOAD segment"));
	return true;
}

/* Any accepted variant must keep every promise of elf_parse(). */
static bool parse_checked(const uint8_t *b, size_t len, uint64_t fsize, unsigned *accepted_count)
{
	struct elf_image img;
	const char *why = NULL;
	err_t rc = parse(b, len, fsize, ELF_MACHINE_RISCV, TOP, &img, &why);

	if (rc == 0) {
		const char *broken = elf_image_invariants(&img, fsize, TOP);
		if (broken) {
			printf("# accepted image breaks: %s\n", broken);
			return false;
		}
		++*accepted_count;
	} else if (rc != ERR_NOEXEC || !why) {
		return false;
	}
	return true;
}

TEST(every_header_byte_corrupted)
{
	static const uint8_t values[] = { 0, 1, 0x7f, 0x80, 0xff };
	unsigned ok = 0;

	for (unsigned off = 0; off < HDR_LEN; off++) {
		for (unsigned v = 0; v < sizeof(values) + 2; v++) {
			uint8_t b[4096];

			make_elf(b);
			b[off] = v < sizeof(values) ? values[v] : v == sizeof(values) ?
				 (uint8_t)(b[off] ^ 1) : (uint8_t)(b[off] + 0x10);
			CHECK(parse_checked(b, HDR_LEN, FSIZE, &ok));
		}
	}
	printf("# %u corrupted variants accepted\n", ok);
	return true;
}

TEST(random_mutations)
{
	uint64_t seed = 42;
	unsigned ok = 0;

	for (unsigned iter = 0; iter < 20000; iter++) {
		uint8_t b[4096];
		unsigned flips = 1 + host_rand(&seed) % 6;
		size_t len = HDR_LEN;

		make_elf(b);
		for (unsigned i = 0; i < flips; i++) {
			unsigned off = (unsigned)(host_rand(&seed) % HDR_LEN);
			b[off] = (uint8_t)host_rand(&seed);
		}
		if (host_rand(&seed) % 4 == 0)
			len = (size_t)(host_rand(&seed) % (HDR_LEN + 1));
		CHECK(parse_checked(b, len, host_rand(&seed) % 2 ? FSIZE :
				    host_rand(&seed) % (2 * FSIZE) + len, &ok));
	}
	printf("# %u mutated variants accepted\n", ok);
	return true;
}
