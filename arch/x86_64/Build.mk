# SPDX-License-Identifier: MIT
obj-y += arch/x86_64/head.o arch/x86_64/entry.o arch/x86_64/trampoline.o \
	arch/x86_64/setup.o arch/x86_64/multiboot.o arch/x86_64/acpi.o arch/x86_64/cpu.o \
	arch/x86_64/trap.o arch/x86_64/apic.o arch/x86_64/ioapic.o arch/x86_64/smp.o \
	arch/x86_64/user.o
obj-$(CONFIG_SELFTESTS) += arch/x86_64/selftest.o
