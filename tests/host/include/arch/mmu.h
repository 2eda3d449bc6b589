/* SPDX-License-Identifier: MIT */
/* Host tests exercise the walker with the riscv64 entry encoding. */
#include "../../../../arch/riscv64/include/arch/mmu.h"
