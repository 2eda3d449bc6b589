// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for lib/elf.c. The input is a whole file: its first
 * min(size, 4096) bytes are the header the kernel reads, its size is the
 * file size. Each input is parsed for both machines and two user-space
 * limits; an accepted image must keep every promise of elf_parse()
 * (tests/fuzz/invariants.h), a refused one must say why.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <lib/elf.h>
#include "invariants.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const uint8_t *data, size_t size, unsigned machine, uint64_t top)
{
	size_t hdr_len = size < 4096 ? size : 4096;
	struct elf_image img;
	const char *why = NULL, *broken;
	err_t rc = elf_parse(data, hdr_len, size, machine, top, &img, &why);

	if (rc == 0) {
		broken = elf_image_invariants(&img, size, top);
		if (broken) {
			fprintf(stderr, "accepted image breaks: %s\n", broken);
			abort();
		}
	} else if (rc != ERR_NOEXEC || !why) {
		fprintf(stderr, "unexpected result %d\n", rc);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check(data, size, ELF_MACHINE_RISCV, 1ull << 38);
	check(data, size, ELF_MACHINE_RISCV, 1ull << 47);
	check(data, size, ELF_MACHINE_X86_64, 1ull << 47);
	check(data, size, ELF_MACHINE_X86_64, ~0ull);
	return 0;
}
