/* SPDX-License-Identifier: MIT */
/* Between fuzz_captable.c and captable_stubs.c. */
#ifndef CAPTABLE_FUZZ_H
#define CAPTABLE_FUZZ_H
#include <kernel/object.h>
void fuzz_object_destroyed(struct kobj *o);
extern size_t fuzz_pages_live;
#endif
