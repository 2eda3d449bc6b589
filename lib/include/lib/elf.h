/* SPDX-License-Identifier: MIT */
/*
 * Static ELF64 executable validation (lib/elf.c), shared by the kernel's
 * program loader and userland. elf_parse() reads only the start of the file
 * (ELF header and program headers) and checks every field a loader relies
 * on, so the segment list it returns can be mapped without further checks:
 * every PT_LOAD lies inside the file and inside user space, no two share a
 * page, none is both writable and executable, and the entry point is in an
 * executable one. Only static executables (ET_EXEC, no PT_INTERP, no
 * PT_DYNAMIC) are accepted.
 */
#ifndef LIB_ELF_H
#define LIB_ELF_H
#include <stddef.h>
#include <stdint.h>
#include <cairn/err.h>

/* e_machine values the loader knows. */
#define ELF_MACHINE_X86_64  62
#define ELF_MACHINE_RISCV   243

/* elf_segment.prot bits (same values as CAIRN_PROT_* in cairn/abi.h). */
#define ELF_PROT_R  1u
#define ELF_PROT_W  2u
#define ELF_PROT_X  4u

#define ELF_PAGE_SIZE     4096u
#define ELF_MAX_SEGMENTS  8

/* One PT_LOAD: memsz bytes at vaddr, the first filesz of them copied from
 * the file at offset, the rest zero. */
struct elf_segment {
	uint64_t vaddr, memsz, offset, filesz;
	unsigned prot;
};

/* The loadable image: segments in program-header order. */
struct elf_image {
	uint64_t entry;
	unsigned nseg;
	struct elf_segment seg[ELF_MAX_SEGMENTS];
};

/*
 * Validates a static ELF64 executable and describes what to load.
 *
 * hdr:       the first hdr_len bytes of the file (any alignment); the ELF
 *            header and every program header must lie inside them.
 * file_size: size of the whole file (hdr_len <= file_size); segment file
 *            ranges are checked against it.
 * machine:   the e_machine expected (ELF_MACHINE_RISCV, ELF_MACHINE_X86_64).
 * user_top:  first address above user space; every segment must end at or
 *            below it, and start at or above ELF_PAGE_SIZE.
 * out:       filled only on success.
 * why:       if not NULL, set to a short constant string naming the check
 *            that failed (or "ok"), for a log line.
 *
 * Returns 0, ERR_NOEXEC for any malformed or unsupported file, or
 * ERR_INVAL when the call itself is wrong (out NULL, hdr NULL with
 * hdr_len > 0, hdr_len > file_size). Reads nothing outside hdr[0..hdr_len),
 * allocates nothing, never overflows.
 */
err_t elf_parse(const void *hdr, size_t hdr_len, uint64_t file_size, unsigned machine,
		uint64_t user_top, struct elf_image *out, const char **why);

#endif
