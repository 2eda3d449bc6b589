/* SPDX-License-Identifier: MIT */
/*
 * The block-sized buffers libext2fs allocates and frees on every
 * directory walk and file open (a block, three blocks: ext2fs_dir_iterate,
 * ext2fs_block_iterate3, ext2fs_file_open2), kept for the next one.
 *
 * musl's allocator gives such a buffer a group of its own and returns it
 * to the system when it is freed: an munmap and an mmap, each a few
 * MemoryObject calls, for every lookup, link and unlink. The server is
 * linked with --wrap=malloc,--wrap=free (user/Build.mk), so that every
 * malloc and free, libext2fs's and musl's own, comes here first: a freed
 * buffer of one of those sizes waits in a short list, and a malloc of
 * that size takes it back. Everything else goes to musl's malloc as is;
 * a kept buffer is one of its blocks, so realloc and malloc_usable_size
 * work on it unchanged.
 */
#include <malloc.h>
#include <stdlib.h>
#include "ext2.h"

#define KEEP 4u                  /* buffers kept of each size */

void *__real_malloc(size_t n);
void __real_free(void *p);
void *__wrap_malloc(size_t n);
void __wrap_free(void *p);

static struct { size_t size; unsigned n; void *v[KEEP]; } kept[2];
static volatile int lock;        /* the server's other threads allocate too (rarely) */

static void keep_lock(void)
{
	/* yields: a holder of a lower priority must get the CPU to let go */
	while (__atomic_exchange_n(&lock, 1, __ATOMIC_ACQUIRE))
		cairn_yield();
}

static void keep_unlock(void)
{
	__atomic_store_n(&lock, 0, __ATOMIC_RELEASE);
}

void alloc_keep(size_t block)
{
	keep_lock();
	kept[0].size = block;
	kept[1].size = 3 * block;
	keep_unlock();
}

void *__wrap_malloc(size_t n)
{
	void *p = NULL;

	for (unsigned i = 0; i < 2; i++)
		if (n == kept[i].size) {
			keep_lock();
			if (kept[i].n)
				p = kept[i].v[--kept[i].n];
			keep_unlock();
		}
	return p ? p : __real_malloc(n);
}

void __wrap_free(void *p)
{
	size_t n;

	if (!p)
		return;
	n = malloc_usable_size(p);
	for (unsigned i = 0; i < 2; i++)
		if (n == kept[i].size) {
			bool done = false;
			keep_lock();
			if (kept[i].n < KEEP) {
				kept[i].v[kept[i].n++] = p;
				done = true;
			}
			keep_unlock();
			if (done)
				return;
		}
	__real_free(p);
}
