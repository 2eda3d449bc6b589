/* SPDX-License-Identifier: MIT */
/*
 * The host "arch" (as HelenOS's abs32le): just enough of arch/cpu.h for the
 * portable kernel code to build and run as a host program in unit tests.
 */
#ifndef ARCH_HOST_CPU_H
#define ARCH_HOST_CPU_H
#include <stdint.h>
#include <stdbool.h>

struct trap_frame {
	uint64_t pc, fp;
};

/* Threads never run on the host; these only let the headers build. */
struct arch_context {
	uint64_t ra, sp;
};
static inline void arch_syscall_set(struct trap_frame *tf, unsigned i, uint64_t v)
{
	(void)tf; (void)i; (void)v;
}
static inline uint64_t arch_syscall_arg(const struct trap_frame *tf, unsigned i)
{
	(void)tf; (void)i;
	return 0;
}
static inline void arch_set_user_frame(struct trap_frame *tf) { (void)tf; }
static inline uint64_t arch_as_token(uint64_t root, unsigned tag) { return root | tag; }
static inline void arch_as_load(uint64_t token, bool flush) { (void)token; (void)flush; }
static inline bool arch_as_self_flush(uint64_t token) { (void)token; return false; }

static inline unsigned arch_cpu_id(void) { return 0; }
/* the one CPU's struct cpu (a host program that uses it defines it) */
void *host_cpu_core(void);
static inline void *arch_cpu_core(void) { return host_cpu_core(); }
static inline void arch_cpu_core_set(void *core) { (void)core; }
static inline unsigned long arch_irq_save(void) { return 0; }
static inline void arch_irq_restore(unsigned long f) { (void)f; }
static inline void arch_irq_enable(void) {}
static inline void arch_irq_disable(void) {}
static inline bool arch_irq_enabled(void) { return false; }
static inline void arch_cpu_relax(void) {}
uint64_t host_counter(void);
static inline uint64_t arch_counter_read(void) { return host_counter(); }
static inline uintptr_t arch_current_fp(void) { return (uintptr_t)__builtin_frame_address(0); }

#endif
