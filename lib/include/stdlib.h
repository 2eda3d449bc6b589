/* SPDX-License-Identifier: MIT */
/* The few stdlib.h names freestanding code here uses (libfdt among them). */
#ifndef CAIRN_STDLIB_H
#define CAIRN_STDLIB_H
#include <stddef.h>

unsigned long strtoul(const char *s, char **end, int base);

#endif
