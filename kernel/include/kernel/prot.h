/* SPDX-License-Identifier: MIT */
/*
 * Mapping protection bits: what pt_map() takes and arch_pte_prot() gives
 * back. One definition, read by the core and by each arch's PTE encoding
 * (arch/<arch>/include/arch/mmu.h).
 */
#ifndef KERNEL_PROT_H
#define KERNEL_PROT_H

#define PROT_R       0x01u
#define PROT_W       0x02u
#define PROT_X       0x04u
#define PROT_USER    0x08u
#define PROT_GLOBAL  0x10u
#define PROT_DEVICE  0x20u   /* uncached device memory where the arch has such a thing */

#endif
