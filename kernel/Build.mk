# SPDX-License-Identifier: MIT
obj-y += kernel/selftest.o kernel/main.o kernel/boot.o kernel/log.o kernel/console.o kernel/pmm.o \
	kernel/heap.o kernel/pgtable.o kernel/vm.o kernel/devtree.o kernel/clock.o \
	kernel/irq.o kernel/trap.o kernel/monitor.o \
	kernel/object.o kernel/astag.o kernel/smp.o kernel/sched.o kernel/ipc.o kernel/ring.o kernel/memory.o kernel/pager.o \
	kernel/process.o kernel/syscall.o kernel/upcall.o kernel/kdump.o
obj-$(CONFIG_LOCK_CHECK) += kernel/lockcheck.o
# the methods of kernel objects: one file per object type, one dispatcher
obj-y += kernel/obj/dispatch.o kernel/obj/process.o kernel/obj/aspace.o kernel/obj/thread.o \
	kernel/obj/memobj.o kernel/obj/notification.o kernel/obj/irqline.o kernel/obj/mmio.o \
	kernel/obj/timer.o kernel/obj/debugcons.o kernel/obj/kinfo.o kernel/obj/ioport.o
obj-$(CONFIG_SELFTESTS) += kernel/tests/test_mm.o kernel/tests/test_boot.o \
	kernel/tests/test_trap.o kernel/tests/test_time.o kernel/tests/test_user.o \
	kernel/tests/test_obj.o kernel/tests/test_astag.o
ifeq ($(CONFIG_SELFTESTS)$(CONFIG_LOCK_CHECK),yy)
obj-y += kernel/tests/test_lock.o
endif
