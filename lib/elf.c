/* SPDX-License-Identifier: MIT */
/*
 * Static ELF64 executable validation. The file is hostile: every field is
 * read with byte loads (no alignment assumed), every sum is checked before
 * it is formed, and a failure names the check in a constant string for the
 * log. Only what a loader of static executables needs is accepted; anything
 * else is ERR_NOEXEC. The result is built in a local copy and written to
 * the caller's only when the whole file has passed.
 */
#include <stdbool.h>
#include <stdint.h>
#include <lib/elf.h>

/* ELF header (Elf64_Ehdr) field offsets. */
#define EH_TYPE       16
#define EH_MACHINE    18
#define EH_VERSION    20
#define EH_ENTRY      24
#define EH_PHOFF      32
#define EH_SHOFF      40
#define EH_FLAGS      48   /* arch ABI flags (float ABI, RVC): not the loader's concern */
#define EH_EHSIZE     52
#define EH_PHENTSIZE  54
#define EH_PHNUM      56
#define EH_SHENTSIZE  58
#define EH_SHNUM      60
#define EH_SHSTRNDX   62
#define EHDR_SIZE     64

/* Program header (Elf64_Phdr) field offsets. */
#define PH_TYPE     0
#define PH_FLAGS    4
#define PH_OFFSET   8
#define PH_VADDR    16
#define PH_FILESZ   32
#define PH_MEMSZ    40
#define PH_ALIGN    48
#define PHDR_SIZE   56
#define SHDR_SIZE   64

#define EI_CLASS       4
#define EI_DATA        5
#define EI_VERSION     6
#define EI_OSABI       7
#define EI_ABIVERSION  8
#define ELFCLASS64     2
#define ELFDATA2LSB    1
#define ELFOSABI_NONE  0
#define ELFOSABI_GNU   3
#define EV_CURRENT     1
#define ET_EXEC        2

#define PT_NULL     0
#define PT_LOAD     1
#define PT_DYNAMIC  2
#define PT_INTERP   3
#define PT_SHLIB    5

#define PF_X  1u
#define PF_W  2u
#define PF_R  4u

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

/* Records why the file was refused and returns ERR_NOEXEC. */
static err_t refuse(const char **why, const char *msg)
{
	if (why)
		*why = msg;
	return ERR_NOEXEC;
}

static const char *check_ident(const uint8_t *h)
{
	if (h[0] != 0x7f || h[1] != 'E' || h[2] != 'L' || h[3] != 'F')
		return "bad magic";
	if (h[EI_CLASS] != ELFCLASS64)
		return "not ELFCLASS64";
	if (h[EI_DATA] != ELFDATA2LSB)
		return "not little-endian";
	if (h[EI_VERSION] != EV_CURRENT)
		return "bad EI_VERSION";
	if (h[EI_OSABI] != ELFOSABI_NONE && h[EI_OSABI] != ELFOSABI_GNU)
		return "unsupported OS ABI";
	if (h[EI_ABIVERSION] != 0)
		return "unsupported ABI version";
	return NULL;
}

/* The section header table is not used for loading, but a file whose
 * table points outside the file (or has a nonsensical shape) is corrupt. */
static const char *check_sections(const uint8_t *h, uint64_t file_size)
{
	uint64_t shoff = rd64(h + EH_SHOFF);
	unsigned shentsize = rd16(h + EH_SHENTSIZE);
	unsigned shnum = rd16(h + EH_SHNUM), shstrndx = rd16(h + EH_SHSTRNDX);

	if (shoff == 0) {
		if (shnum != 0 || shstrndx != 0 || (shentsize != 0 && shentsize != SHDR_SIZE))
			return "bad section header table";
		return NULL;
	}
	if (shentsize != SHDR_SIZE)
		return "bad e_shentsize";
	if (shnum == 0)
		return "extended section numbering unsupported";
	if (shoff % 8 != 0)
		return "misaligned section header table";
	if (shoff > file_size || (uint64_t)shnum * SHDR_SIZE > file_size - shoff)
		return "section header table outside file";
	if (shstrndx >= shnum)
		return "bad e_shstrndx";
	return NULL;
}

static const char *check_header(const uint8_t *h, size_t hdr_len, uint64_t file_size,
				unsigned machine)
{
	const char *msg = check_ident(h);
	uint64_t phoff = rd64(h + EH_PHOFF);
	unsigned phnum = rd16(h + EH_PHNUM);

	if (msg)
		return msg;
	if (rd16(h + EH_TYPE) != ET_EXEC)
		return "not a static executable (e_type)";
	if (rd16(h + EH_MACHINE) != machine)
		return "wrong machine";
	if (rd32(h + EH_VERSION) != EV_CURRENT)
		return "bad e_version";
	if (rd16(h + EH_EHSIZE) != EHDR_SIZE)
		return "bad e_ehsize";
	if (rd16(h + EH_PHENTSIZE) != PHDR_SIZE)
		return "bad e_phentsize";
	if (phnum == 0)
		return "no program headers";
	if (phoff < EHDR_SIZE || phoff % 8 != 0)
		return "bad e_phoff";
	if (phoff > hdr_len || (uint64_t)phnum * PHDR_SIZE > hdr_len - phoff)
		return "program headers outside header";
	return check_sections(h, file_size);
}

static unsigned prot_of(uint32_t flags)
{
	return (flags & PF_R ? ELF_PROT_R : 0) | (flags & PF_W ? ELF_PROT_W : 0) |
	       (flags & PF_X ? ELF_PROT_X : 0);
}

/* Checks one PT_LOAD and converts it to an elf_segment. */
static const char *check_load(const uint8_t *ph, uint64_t file_size, uint64_t user_top,
			      struct elf_segment *seg)
{
	uint32_t flags = rd32(ph + PH_FLAGS);
	uint64_t offset = rd64(ph + PH_OFFSET), vaddr = rd64(ph + PH_VADDR);
	uint64_t filesz = rd64(ph + PH_FILESZ), memsz = rd64(ph + PH_MEMSZ);
	uint64_t align = rd64(ph + PH_ALIGN);

	if (flags & ~(PF_R | PF_W | PF_X))
		return "unknown segment flags";
	if ((flags & PF_W) && (flags & PF_X))
		return "segment both writable and executable";
	if (memsz == 0)
		return "empty segment";
	if (filesz > memsz)
		return "segment filesz > memsz";
	if (offset > file_size || filesz > file_size - offset)
		return "segment outside file";
	if (vaddr < ELF_PAGE_SIZE)
		return "segment in page 0";
	if (vaddr > user_top || memsz > user_top - vaddr)
		return "segment outside user space";
	if (vaddr % ELF_PAGE_SIZE != offset % ELF_PAGE_SIZE)
		return "segment vaddr and offset differ within a page";
	if (align > 1) {
		if (align & (align - 1))
			return "segment alignment not a power of two";
		if ((vaddr & (align - 1)) != (offset & (align - 1)))
			return "segment vaddr and offset disagree with p_align";
	}
	*seg = (struct elf_segment){ .vaddr = vaddr, .memsz = memsz, .offset = offset,
				     .filesz = filesz, .prot = prot_of(flags) };
	return NULL;
}

/* Whether two segments (memsz > 0, no wrap) touch a common page. */
static bool share_page(const struct elf_segment *a, const struct elf_segment *b)
{
	uint64_t a_first = a->vaddr / ELF_PAGE_SIZE, a_last = (a->vaddr + a->memsz - 1) / ELF_PAGE_SIZE;
	uint64_t b_first = b->vaddr / ELF_PAGE_SIZE, b_last = (b->vaddr + b->memsz - 1) / ELF_PAGE_SIZE;

	return a_first <= b_last && b_first <= a_last;
}

static const char *check_phdrs(const uint8_t *h, uint64_t file_size, uint64_t user_top,
			       struct elf_image *img)
{
	const uint8_t *ph = h + rd64(h + EH_PHOFF);
	unsigned phnum = rd16(h + EH_PHNUM);

	img->nseg = 0;
	for (unsigned i = 0; i < phnum; i++, ph += PHDR_SIZE) {
		uint32_t type = rd32(ph + PH_TYPE);
		struct elf_segment seg;
		const char *msg;

		if (type == PT_INTERP)
			return "dynamically linked (PT_INTERP)";
		if (type == PT_DYNAMIC)
			return "dynamically linked (PT_DYNAMIC)";
		if (type == PT_SHLIB)
			return "PT_SHLIB segment";
		if (type != PT_LOAD)
			continue;   /* PT_NULL, PT_NOTE, PT_PHDR, PT_TLS, PT_GNU_*, ... */
		msg = check_load(ph, file_size, user_top, &seg);
		if (msg)
			return msg;
		if (img->nseg == ELF_MAX_SEGMENTS)
			return "too many PT_LOAD segments";
		for (unsigned j = 0; j < img->nseg; j++)
			if (share_page(&seg, &img->seg[j]))
				return "segments overlap";
		img->seg[img->nseg++] = seg;
	}
	if (img->nseg == 0)
		return "no PT_LOAD segment";
	return NULL;
}

static const char *check_entry(const struct elf_image *img)
{
	for (unsigned i = 0; i < img->nseg; i++) {
		const struct elf_segment *s = &img->seg[i];

		if (img->entry >= s->vaddr && img->entry - s->vaddr < s->memsz)
			return s->prot & ELF_PROT_X ? NULL : "entry point not executable";
	}
	return "entry point outside segments";
}

err_t elf_parse(const void *hdr, size_t hdr_len, uint64_t file_size, unsigned machine,
		uint64_t user_top, struct elf_image *out, const char **why)
{
	const uint8_t *h = hdr;
	struct elf_image img;
	const char *msg;

	if (why)
		*why = "bad call";
	if (!out || (!hdr && hdr_len) || hdr_len > file_size)
		return ERR_INVAL;
	if (hdr_len < EHDR_SIZE) {
		bool magic_ok = hdr_len >= 4 && h[0] == 0x7f && h[1] == 'E' && h[2] == 'L' && h[3] == 'F';
		return refuse(why, hdr_len >= 4 && !magic_ok ? "bad magic" : "truncated ELF header");
	}
	msg = check_header(h, hdr_len, file_size, machine);
	if (!msg)
		msg = check_phdrs(h, file_size, user_top, &img);
	if (!msg) {
		img.entry = rd64(h + EH_ENTRY);
		msg = check_entry(&img);
	}
	if (msg)
		return refuse(why, msg);
	*out = img;
	if (why)
		*why = "ok";
	return 0;
}
