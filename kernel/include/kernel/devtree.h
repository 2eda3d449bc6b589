/* SPDX-License-Identifier: MIT */
/*
 * Reading the flattened device tree (libfdt underneath). Every function
 * checks what it reads: a truncated tree or a malformed property gives
 * ERR_INVAL, never a fault.
 */
#ifndef KERNEL_DEVTREE_H
#define KERNEL_DEVTREE_H
#include <kernel/types.h>
#include <kernel/boot.h>

#define DT_MAX_SIZE (1u << 21)   /* we refuse device trees larger than 2 MiB */

/*
 * Checks the tree's header against `bufsize` (the bytes that are really
 * there) and fills bi: memory (/memory nodes), reserved ranges (the
 * memreserve block and /reserved-memory), /chosen bootargs and initrd,
 * timebase, and the CPUs (boot_hwid first). fdt_size is set.
 * ERR_INVAL: bad header, truncation, no memory, a malformed reg.
 */
err_t dt_parse_boot_info(const void *fdt, size_t bufsize, uint64_t boot_hwid,
			 struct boot_info *bi);

/* Next node (after `from`, -1 to start) that is compatible with `compat`
 * and not disabled; negative when none. */
int dt_find_compatible(const void *fdt, int from, const char *compat);

/* Entry `index` of the node's reg property, translated through the parents'
 * cell sizes. ERR_NOENT if absent, ERR_INVAL if malformed. */
err_t dt_reg(const void *fdt, int node, unsigned index, paddr_t *base, uint64_t *size);

/* A u32 property; `def` if absent. ERR_INVAL if present with a bad size. */
err_t dt_u32(const void *fdt, int node, const char *name, uint32_t def, uint32_t *out);

/* The first interrupt specifier cell of the node. */
err_t dt_irq(const void *fdt, int node, uint32_t *irq);

/* Node offset for the path in /chosen stdout-path (options after ':'
 * ignored), or negative. */
int dt_stdout_node(const void *fdt);

/* The node's name (for logs). */
const char *dt_node_name(const void *fdt, int node);

/* Checks the tree's header; ERR_INVAL when it is not a usable tree. */
err_t dt_check(const void *fdt, size_t bufsize);

#endif
