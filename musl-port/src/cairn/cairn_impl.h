/* SPDX-License-Identifier: MIT */
/*
 * musl-port internals: the Linux system-call dispatcher (dispatch.c) and
 * the files that answer each area of calls. Built inside musl's tree as
 * src/cairn/ (scripts/toolchain.mk), with musl's internal headers and
 * Cairn's ABI (include/cairn/abi.h) and libcairn (user/lib/include).
 *
 * Each handler takes the raw system-call arguments and returns what the
 * Linux system call would: a result >= 0, or -errno. Cairn's err_t values
 * are errno numbers (include/cairn/err.h), so -(long)err is the answer.
 */
#ifndef CAIRN_IMPL_H
#define CAIRN_IMPL_H
#include <features.h>
#include <stddef.h>
#include <stdint.h>
#include <cairn/rt.h>

/* Process layout of a musl-port program (include/cairn/abi.h and
 * user/lib/include/cairn/rt.h have the rest):
 *   0x400000                            the program (musl-port/cairn.lds)
 *   CAIRN_MMAP_BASE..CAIRN_MMAP_END     mmap
 *   CAIRN_HEAP_BASE..+CAIRN_HEAP_MAX    brk
 *   CAIRN_VM_BASE..CAIRN_VM_END         libcairn's cairn_map() (runtime use)
 *   CAIRN_STACK_TOP                     stack, IPC buffer, start-up block */
#define CAIRN_MMAP_BASE  0x1000000000ull   /* 64 GiB */
#define CAIRN_MMAP_END   0x2000000000ull   /* 128 GiB = CAIRN_HEAP_BASE */

/* Until the process server hands out pids, every process is this one. */
#define CAIRN_PID        2
#define CAIRN_PPID       1

static inline long cairn_errno(err_t e) { return -(long)e; }

/* dispatch.c: -ENOSYS, saying once per number on stderr that the call
 * is not implemented. */
hidden long __cairn_nosys(long n);
/* Says "cairn: WHAT not implemented" on stderr the first time key is
 * seen for this kind of thing (kind: a small number naming the table). */
hidden void __cairn_unimplemented(unsigned kind, unsigned long key, const char *what);
enum { CAIRN_UNIMP_IOCTL, CAIRN_UNIMP_FUTEX, CAIRN_UNIMP_CLOCK, CAIRN_UNIMP_OTHER, CAIRN_UNIMP_KINDS };
/* Writes a message on stderr (fd 2). */
hidden void __cairn_say(const char *s);

/* fd.c: descriptors 0, 1, 2 on the console */
hidden long __cairn_read(long fd, void *buf, size_t n);
hidden long __cairn_readv(long fd, const void *iov, long cnt);
hidden long __cairn_write(long fd, const void *buf, size_t n);
hidden long __cairn_writev(long fd, const void *iov, long cnt);
hidden long __cairn_close(long fd);
hidden long __cairn_lseek(long fd, long off, long whence);
hidden long __cairn_ioctl(long fd, unsigned long req, void *arg);
hidden int __cairn_fd_is_console(long fd);

/* mem.c: brk and anonymous mmap on MemoryObjects */
hidden long __cairn_brk(uintptr_t end);
hidden long __cairn_mmap(uintptr_t addr, size_t len, long prot, long flags, long fd, long off);
hidden long __cairn_munmap(uintptr_t addr, size_t len);
hidden long __cairn_mprotect(uintptr_t addr, size_t len, long prot);
hidden long __cairn_madvise(uintptr_t addr, size_t len, long advice);
hidden long __cairn_mremap(uintptr_t old, size_t old_len, size_t new_len, long flags, uintptr_t new_addr);

/* time.c */
hidden long __cairn_clock_gettime(long clk, void *ts);
hidden long __cairn_gettimeofday(void *tv, void *tz);
hidden long __cairn_nanosleep(const void *req, void *rem);
hidden long __cairn_clock_nanosleep(long clk, long flags, const void *req, void *rem);
/* Monotonic nanoseconds (KINFO_TIME on the "kinfo" capability); ERR_NOENT
 * without one. */
hidden err_t __cairn_now(uint64_t *ns);
/* Blocks the calling thread for at least ns nanoseconds (CAIRN_FOREVER:
 * until interrupted); ERR_INTR if an upcall interrupted it. */
hidden err_t __cairn_sleep(uint64_t ns);

/* proc.c */
_Noreturn hidden void __cairn_exit_group(long status);
hidden long __cairn_exit_thread(long status);
hidden long __cairn_set_tid_address(int *tidptr);
hidden long __cairn_uname(void *buf);
hidden long __cairn_rt_sigaction(long sig, const void *act, void *oact, size_t size);
hidden long __cairn_rt_sigprocmask(long how, const void *set, void *old, size_t size);
hidden long __cairn_arch_prctl(long code, unsigned long addr);

/* thread.c */
hidden long __cairn_futex(int *uaddr, long op, long val, const void *ts, int *uaddr2, long val3);

/* random.c */
hidden long __cairn_getrandom(void *buf, size_t len, long flags);
/* Fills buf with n bytes from the generator (seeding it first if needed). */
hidden void __cairn_random_bytes(void *buf, size_t n);

/* start.c: called by _start_c (crt/crt1.c) with the start-up block */
_Noreturn void __cairn_start(const char *startup, int (*entry)(), void (*init)(), void (*fini)());

/* The generated table of system-call names (syscall_names.h, from musl's
 * arch/<arch>/bits/syscall.h.in). */
hidden const char *__cairn_syscall_name(unsigned long n);

#endif
