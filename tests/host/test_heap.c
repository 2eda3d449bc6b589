// SPDX-License-Identifier: MIT
/*
 * Host tests of the kernel heap (kernel/heap.c) on top of the page
 * allocator over a fake RAM arena: every size from 1 to 8192 bytes is
 * 16-byte aligned and never overlaps another object (checked with
 * per-object patterns), slabs go back to the page allocator when they
 * empty (free pages before == after), and sizes that cannot be served
 * give NULL.
 */
#include <stdlib.h>
#include <string.h>
#include <kernel/mm.h>
#include "test.h"
#include "host.h"

/* The heap keeps slab lists across tests, so the page allocator is set up
 * once per program and every test checks for leaks on its own. */
static bool setup(void)
{
	static bool done;

	if (!done)
		done = host_pmm_init_arena();
	return done;
}

struct obj {
	unsigned char *p;
	size_t size;
	unsigned char tag;
};

static void stamp(struct obj *o)
{
	memset(o->p, o->tag, o->size);
}

static bool intact(const struct obj *o)
{
	for (size_t i = 0; i < o->size; i++)
		if (o->p[i] != o->tag)
			return false;
	return true;
}

static bool in_arena(const void *p, size_t size)
{
	const char *a = host_arena;

	return (const char *)p >= a && (const char *)p + size <= a + HOST_ARENA_SIZE;
}

TEST(all_sizes_aligned_no_overlap)
{
	static struct obj objs[8192];
	CHECK(setup());
	size_t before = pmm_free_pages();

	for (size_t s = 1; s <= 8192; s++) {
		struct obj *o = &objs[s - 1];
		o->p = kmalloc(s);
		o->size = s;
		o->tag = (unsigned char)(s * 7 + 1);
		CHECK(o->p != NULL);
		CHECK(((uintptr_t)o->p & 15) == 0);
		CHECK(in_arena(o->p, s));
		if (s > 2048)
			CHECK(((uintptr_t)o->p & PAGE_MASK) == 0);
		stamp(o);
	}
	for (size_t s = 1; s <= 8192; s++)
		CHECK(intact(&objs[s - 1]));
	for (size_t s = 1; s <= 8192; s += 2)   /* odd sizes first, then the rest */
		kfree(objs[s - 1].p);
	for (size_t s = 2; s <= 8192; s += 2) {
		CHECK(intact(&objs[s - 1]));
		kfree(objs[s - 1].p);
	}
	CHECK(pmm_free_pages() == before);
	return true;
}

TEST(slab_page_accounting)
{
	CHECK(setup());
	size_t before = pmm_free_pages();
	void *objs[PAGE_SIZE / 16 + 1];

	/* One page holds exactly 256 objects of 16 bytes. */
	for (size_t i = 0; i < PAGE_SIZE / 16; i++) {
		objs[i] = kmalloc(16);
		CHECK(objs[i] != NULL);
		CHECK(pmm_free_pages() == before - 1);
	}
	objs[PAGE_SIZE / 16] = kmalloc(16);
	CHECK(pmm_free_pages() == before - 2);
	/* The first page is full: its objects are 256 distinct 16-byte slots. */
	uintptr_t page = (uintptr_t)objs[0] & ~(uintptr_t)PAGE_MASK;
	for (size_t i = 0; i < PAGE_SIZE / 16; i++)
		CHECK(((uintptr_t)objs[i] & ~(uintptr_t)PAGE_MASK) == page);
	kfree(objs[PAGE_SIZE / 16]);
	CHECK(pmm_free_pages() == before - 1);
	for (size_t i = 0; i < PAGE_SIZE / 16; i++)
		kfree(objs[i]);
	CHECK(pmm_free_pages() == before);
	return true;
}

TEST(free_orders)
{
	static const size_t sizes[] = { 16, 24, 100, 128, 500, 1024, 2048 };
	void *p[300];
	CHECK(setup());
	size_t before = pmm_free_pages();

	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		for (int order = 0; order < 3; order++) {
			for (size_t i = 0; i < 300; i++) {
				p[i] = kmalloc(sizes[k]);
				CHECK(p[i] != NULL);
				memset(p[i], (int)i, sizes[k]);
			}
			for (size_t j = 0; j < 300; j++) {
				size_t i = order == 0 ? j : order == 1 ? 299 - j : (j * 7) % 300;
				CHECK(((unsigned char *)p[i])[sizes[k] - 1] == (unsigned char)i);
				kfree(p[i]);
			}
			CHECK(pmm_free_pages() == before);
		}
	}
	return true;
}

TEST(churn_no_leak)
{
	static struct obj live[2000];
	size_t nlive = 0;
	uint64_t seed = 7;
	CHECK(setup());
	size_t before = pmm_free_pages();

	for (unsigned step = 0; step < 60000; step++) {
		uint64_t r = host_rand(&seed);
		if (nlive < 2000 && (r & 1)) {
			size_t size = (r >> 8) % 16 == 0 ? 1 + (r >> 16) % 12000 : 1 + (r >> 16) % 600;
			struct obj *o = &live[nlive];
			o->p = kmalloc(size);
			CHECK(o->p != NULL && ((uintptr_t)o->p & 15) == 0 && in_arena(o->p, size));
			o->size = size;
			o->tag = (unsigned char)(r >> 40);
			stamp(o);
			nlive++;
		} else if (nlive) {
			size_t i = (r >> 8) % nlive;
			CHECK(intact(&live[i]));
			kfree(live[i].p);
			live[i] = live[--nlive];
		}
	}
	for (size_t i = 0; i < nlive; i++) {
		CHECK(intact(&live[i]));
		kfree(live[i].p);
	}
	CHECK(pmm_free_pages() == before);
	return true;
}

TEST(zero_and_too_large)
{
	CHECK(setup());
	size_t before = pmm_free_pages();

	CHECK(kmalloc(0) == NULL);
	CHECK(kzalloc(0) == NULL);
	CHECK(kmalloc((PAGE_SIZE << PMM_MAX_ORDER) + 1) == NULL);
	CHECK(kmalloc(SIZE_MAX / 2) == NULL);
	CHECK(kmalloc(SIZE_MAX) == NULL);
	CHECK(kzalloc(SIZE_MAX - 15) == NULL);
	CHECK(pmm_free_pages() == before);
	/* The largest block is still fine. */
	void *big = kmalloc(PAGE_SIZE << PMM_MAX_ORDER);
	CHECK(big != NULL && ((uintptr_t)big & ((PAGE_SIZE << PMM_MAX_ORDER) - 1)) == 0);
	memset(big, 1, PAGE_SIZE << PMM_MAX_ORDER);
	kfree(big);
	kfree(NULL);
	CHECK(pmm_free_pages() == before);
	return true;
}

TEST(kzalloc_zeroes_reused_memory)
{
	CHECK(setup());
	size_t before = pmm_free_pages();

	for (size_t s = 8; s <= 4096; s *= 2) {
		void *p = kmalloc(s);
		CHECK(p != NULL);
		memset(p, 0xff, s);
		kfree(p);
		unsigned char *z = kzalloc(s);
		CHECK(z != NULL);
		for (size_t i = 0; i < s; i++)
			CHECK(z[i] == 0);
		kfree(z);
	}
	CHECK(pmm_free_pages() == before);
	return true;
}

/* Out of pages: kmalloc answers NULL, and everything comes back after. */
TEST(exhaustion_returns_null)
{
	CHECK(setup());
	size_t before = pmm_free_pages();
	void **chain = NULL;
	size_t n = 0;

	for (;;) {
		void **p = kmalloc(n % 3 == 0 ? 3000 : 64);
		if (!p)
			break;
		*p = chain;
		chain = p;
		n++;
	}
	CHECK(n > 1000);
	CHECK(pmm_free_pages() == 0);
	CHECK(kmalloc(16) == NULL);   /* no partial 16-byte slab is left */
	while (chain) {
		void **next = *chain;
		kfree(chain);
		chain = next;
	}
	CHECK(pmm_free_pages() == before);
	return true;
}

TEST(bad_kfree_panics)
{
	CHECK(setup());
	size_t before = pmm_free_pages();
	char *big = kmalloc(3 * PAGE_SIZE);
	char *small = kmalloc(64);

	CHECK(big && small);
	CHECK(EXPECT_PANIC(kfree(big + 16)));        /* not the start of a block */
	CHECK(EXPECT_PANIC(kfree((char *)host_arena - 4096)));   /* not heap memory */
	kfree(big);
	kfree(small);
	CHECK(pmm_free_pages() == before);
	return true;
}
