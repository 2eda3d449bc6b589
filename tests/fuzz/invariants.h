/* SPDX-License-Identifier: MIT */
/*
 * What a successful result of the lib/ parsers promises, checked
 * independently of the parsers: the host unit tests and the fuzz targets
 * run every accepted input through these. Each returns NULL when the
 * promise holds, else a short description of the broken one.
 */
#ifndef TESTS_INVARIANTS_H
#define TESTS_INVARIANTS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <lib/cpio.h>
#include <lib/elf.h>
#include <lib/manifest.h>

static inline const char *elf_image_invariants(const struct elf_image *img, uint64_t file_size,
					       uint64_t user_top)
{
	bool entry_ok = false;

	if (img->nseg < 1 || img->nseg > ELF_MAX_SEGMENTS)
		return "segment count";
	for (unsigned i = 0; i < img->nseg; i++) {
		const struct elf_segment *s = &img->seg[i];

		if (s->memsz == 0 || s->filesz > s->memsz)
			return "segment sizes";
		if (s->offset > file_size || s->filesz > file_size - s->offset)
			return "segment outside file";
		if (s->vaddr < 4096 || s->vaddr > user_top || s->memsz > user_top - s->vaddr)
			return "segment outside user space";
		if (s->vaddr % 4096 != s->offset % 4096)
			return "segment page offset";
		if (s->prot & ~7u)
			return "segment prot bits";
		if ((s->prot & ELF_PROT_W) && (s->prot & ELF_PROT_X))
			return "segment W+X";
		for (unsigned j = 0; j < i; j++) {
			const struct elf_segment *t = &img->seg[j];
			uint64_t s_end = (s->vaddr + s->memsz - 1) / 4096, t_end = (t->vaddr + t->memsz - 1) / 4096;

			if (s->vaddr / 4096 <= t_end && t->vaddr / 4096 <= s_end)
				return "segments share a page";
		}
		if (img->entry >= s->vaddr && img->entry - s->vaddr < s->memsz && (s->prot & ELF_PROT_X))
			entry_ok = true;
	}
	return entry_ok ? NULL : "entry not in an executable segment";
}

static inline const char *cpio_entry_invariants(const void *archive, size_t size,
						const struct cpio_entry *e)
{
	uintptr_t lo = (uintptr_t)archive, name = (uintptr_t)e->name, data = (uintptr_t)e->data;

	if (name < lo || name - lo > size || e->name_len >= size - (name - lo))
		return "name outside archive";
	if (e->name[e->name_len] != 0 || memchr(e->name, 0, e->name_len))
		return "name termination";
	if (e->size && (data < lo || data - lo > size || e->size > size - (data - lo)))
		return "data outside archive";
	return NULL;
}

static inline bool invariant_string(const char *s, size_t size)
{
	return memchr(s, 0, size) != NULL;
}

static inline const char *manifest_service_invariants(const struct manifest_service *s)
{
	struct manifest_source src;

	if (!invariant_string(s->name, sizeof(s->name)) || !s->name[0] ||
	    !invariant_string(s->path, sizeof(s->path)) || !s->path[0])
		return "service name or path";
	if (s->argc < 1 || s->argc > MANIFEST_MAX_ARGS || strcmp(s->argv[0], s->name) != 0)
		return "argc or argv[0]";
	for (unsigned i = 0; i < s->argc; i++)
		if (!invariant_string(s->argv[i], sizeof(s->argv[i])) || !s->argv[i][0])
			return "argv string";
	if (s->ncaps > MANIFEST_MAX_CAPS)
		return "cap count";
	for (unsigned i = 0; i < s->ncaps; i++) {
		const struct manifest_cap *c = &s->caps[i];

		if (!invariant_string(c->name, sizeof(c->name)) || !c->name[0] ||
		    !invariant_string(c->source, sizeof(c->source)))
			return "cap strings";
		if (c->rights == 0 || (c->rights & ~MANIFEST_RIGHTS_ALL))
			return "cap rights";
		if (manifest_source_parse(c->source, &src) != 0)
			return "cap source does not parse";
		if (src.kind == MANIFEST_SRC_IOPORT &&
		    (src.size == 0 || src.size > 0x10000 || src.number > 0x10000 - src.size))
			return "ioport range past 0x10000";
		if (src.kind == MANIFEST_SRC_MMIO && (src.size == 0 || src.number > UINT64_MAX - src.size + 1))
			return "mmio range wraps";
		for (unsigned j = 0; j < i; j++)
			if (strcmp(c->name, s->caps[j].name) == 0)
				return "duplicate cap names";
	}
	if (s->quota == 0 || s->quota > MANIFEST_QUOTA_MAX)
		return "quota";
	if (s->priority > MANIFEST_PRIORITY_MAX)
		return "priority";
	if (s->line == 0)
		return "line";
	return NULL;
}

static inline const char *manifest_invariants(const struct manifest_service *out, unsigned count)
{
	unsigned exitstatus = 0;

	for (unsigned i = 0; i < count; i++) {
		const char *msg = manifest_service_invariants(&out[i]);

		if (msg)
			return msg;
		if (*(const unsigned char *)&out[i].exitstatus > 1 || (exitstatus += out[i].exitstatus) > 1)
			return "exitstatus not one service at most";
		for (unsigned j = 0; j < i; j++)
			if (strcmp(out[i].name, out[j].name) == 0)
				return "duplicate service names";
		if (i && out[i].line <= out[i - 1].line)
			return "service lines not increasing";
	}
	return NULL;
}

#endif
