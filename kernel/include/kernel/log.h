/* SPDX-License-Identifier: MIT */
/* Kernel log with levels. Lines go to the console (or the early console). */
#ifndef KERNEL_LOG_H
#define KERNEL_LOG_H
#include <stdarg.h>
#include <kernel/types.h>

enum log_level { LOG_ERR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

extern int log_level;

void klog(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* printf to the console regardless of level. */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kvprintf(const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#define pr_err(...)   klog(LOG_ERR, __VA_ARGS__)
#define pr_warn(...)  klog(LOG_WARN, __VA_ARGS__)
#define pr_info(...)  klog(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) klog(LOG_DEBUG, __VA_ARGS__)

/* Stops the system: prints the message and a backtrace, powers off with a
 * failure status. Never for user input. */
noreturn void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define BUG_ON(c) do { if (unlikely(c)) panic("BUG: %s at %s:%d", #c, __FILE__, __LINE__); } while (0)

#endif
