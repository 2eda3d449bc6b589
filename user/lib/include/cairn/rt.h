/* SPDX-License-Identifier: MIT */
/*
 * libcairn, the small user runtime of Cairn's own programs (init, servers,
 * tests; POSIX programs use musl-port instead): process start-up, the debug console,
 * a heap, address-space helpers and process creation.
 *
 * Process layout (all below 256 GiB, include/cairn/abi.h):
 *   0x400000                    program (user/lib/user.lds)
 *   CAIRN_HEAP_BASE             heap, grows up (malloc)
 *   CAIRN_VM_BASE..CAIRN_VM_END mappings made with cairn_map()
 *   CAIRN_STACK_TOP             stack, IPC buffer, start-up block (abi.h)
 */
#ifndef CAIRN_RT_H
#define CAIRN_RT_H
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cairn/sys.h>

#define CAIRN_PAGE_SIZE   4096ull
#define CAIRN_HEAP_BASE   0x2000000000ull   /* 128 GiB */
#define CAIRN_HEAP_MAX    0x0800000000ull   /* 32 GiB of address space */
#define CAIRN_VM_BASE     0x3000000000ull   /* 192 GiB */
#define CAIRN_VM_END      0x3800000000ull

/* The program's entry point, called by cairn_start(). */
int main(int argc, char **argv);

/* Called by crt0 with the start-up block (may be NULL): reads argv and the
 * capability names, calls main() and exits with its result. */
__attribute__((noreturn)) void cairn_start(const char *startup);

/* ---- start-up block (startup.c) ------------------------------------------------ */
/* Reads the start-up block at startup (CAIRN_STARTUP_MAX bytes, or NULL:
 * none): copies it into the runtime, records its capability names for
 * cairn_cap() (forgetting those of an earlier call), stores up to max
 * arguments in argv[0..max) (pointers into the copy; argv may be NULL when
 * max is 0) and returns the number of arguments the block holds, which
 * may be more than max. */
unsigned cairn_startup_read(const char *startup, char **argv, unsigned max);
/* The environment of the block cairn_startup_read() read last (POSIX
 * processes: include/cairn/posix.h): stores up to max "NAME=value" strings
 * in envp[0..max) (pointers into the copy) and returns how many the block
 * holds (0: none). */
unsigned cairn_startup_env(char **envp, unsigned max);
/* What a POSIX process keeps across exec, after the environment
 * (include/cairn/posix.h): the value of "key=value", or NULL (read after
 * cairn_startup_env()). */
const char *cairn_startup_kept(const char *key);
/* The slot of the capability the start-up block calls `name`, or CAP_NULL. */
cap_t cairn_cap(const char *name);
/* The i-th capability name of the start-up block (NULL past the end) and
 * its slot in *slot. */
const char *cairn_cap_name(unsigned i, cap_t *slot);

/* Ends the process with status after flushing the console. */
__attribute__((noreturn)) void exit(int status);

/* ---- clock (clock.c) ------------------------------------------------------- */
/* Names the KernelInfo capability the clock reads (CAP_NULL: no clock) and
 * asks it for the counter's scale and the real-time offset (KINFO_CLOCK). */
void cairn_clock_init(cap_t kinfo);
/* Nanoseconds since boot (0 without a clock). */
uint64_t cairn_now_ns(void);
/* Nanoseconds since 1970 UTC, from the platform's real-time clock at boot
 * as settimeofday has moved it since (the first call maps the kernel's
 * clock page, KINFO_CLOCK_PAGE); on a board without one, the time since
 * boot. */
uint64_t cairn_realtime_ns(void);
/* CLOCK_REALTIME - the time since boot, as cairn_realtime_ns() adds it. */
uint64_t cairn_realtime_offset(void);

/* ---- console ----------------------------------------------------------------- */
/* Output goes to the DebugConsole capability named "console", a line at a
 * time; without one it is dropped. */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);
int puts(const char *s);
int putchar(int c);
/* Writes n bytes at once (no buffering beyond what is already pending);
 * ERR_BADF without a "console" capability, or the error of DEBUG_WRITE
 * (debugcons.c). */
err_t cairn_console_write(const char *s, size_t n);
/* The slot of the capability named "console", or CAP_NULL. */
cap_t cairn_console_cap(void);
void cairn_console_flush(void);

/* ---- heap ---------------------------------------------------------------------- */
/* First-fit heap on MemoryObjects mapped at CAIRN_HEAP_BASE; 16-byte
 * aligned; NULL when the quota or the address space is exhausted. */
void *malloc(size_t n);
void *calloc(size_t n, size_t size);
void *realloc(void *p, size_t n);
void free(void *p);

/* ---- memory objects and mappings ------------------------------------------------- */
/* A new MemoryObject of `pages` pages (MEMOBJ_* flags) charged to process
 * `proc` (SLOT_SELF_PROC: this one); its capability lands in the caller's
 * table. */
err_t cairn_memobj_create(cap_t proc, uint64_t pages, unsigned flags, cap_t *out);
/* MEMOBJ_INFO: its size in pages. */
err_t cairn_memobj_pages(cap_t obj, uint64_t *pages);
/* AS_MAP: maps pages [first, first + pages) of obj at va in address space
 * as, with prot = CAIRN_PROT_* bits. */
err_t cairn_as_map(cap_t as, cap_t obj, uint64_t va, uint64_t first, uint64_t pages, unsigned prot);
/* AS_UNMAP of [va, va + bytes) in address space as. */
err_t cairn_as_unmap(cap_t as, uint64_t va, uint64_t bytes);
/* Maps pages [first, first + pages) of obj into this process's own space
 * at a free address in [CAIRN_VM_BASE, CAIRN_VM_END) and returns it in
 * *va. */
err_t cairn_map(cap_t obj, uint64_t first, uint64_t pages, unsigned prot, void **va);
/* Starts fn(arg) on a new thread of this process at priority prio, with
 * its own stack and IPC buffer; its Thread capability in *thread (may be
 * NULL). Returning from fn ends the thread. See user/lib/thread.c. */
err_t cairn_thread_start(void (*fn)(uint64_t), uint64_t arg, unsigned prio, cap_t *thread);
/* The same, and the new thread's IPC buffer (mapped here) in *ipcbuf: a
 * thread that sends capabilities or bytes names them in its own buffer,
 * not in cairn_ipcbuf() (the first thread's). */
err_t cairn_thread_start_ipcbuf(void (*fn)(uint64_t), uint64_t arg, unsigned prio, cap_t *thread,
				struct cairn_ipcbuf **ipcbuf);

/* Undoes cairn_map(). */
err_t cairn_unmap(void *va, uint64_t pages);
/* cairn_map()'s table of free address ranges is shared by the process's
 * threads under a lock. A fork's child calls this first: the lock, if
 * another thread held it when the space was copied, is nobody's now (a
 * fork does not hold it across the copy: a signal handler that maps
 * would wait for ever). A change that thread was making is then half
 * made in the child's table: at worst a range is lost, or a map fails
 * with ERR_EXIST. */
void cairn_vm_forked(void);

#endif
