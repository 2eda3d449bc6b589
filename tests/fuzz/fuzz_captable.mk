# SPDX-License-Identifier: MIT
# The kernel's capability tables (kernel/object.c) on the host: random
# copy/mint/move/delete/revoke/table-destroy sequences across processes,
# checking the derivation tree and reference counts after every step.
fuzz_captable_SRCS := kernel/object.c tests/fuzz/captable_stubs.c
fuzz_captable_CFLAGS := -Ikernel/include -Itests/host/include -DCONFIG_ARCH_ELF_MACHINE=0 -DCONFIG_NR_CPUS=1
fuzz_captable_RUNS := 80000
