// SPDX-License-Identifier: MIT
/*
 * Host tests of the buddy page allocator (kernel/pmm.c) over a fake RAM
 * arena: exact free counts with reserved ranges, natural alignment of
 * every order, exhaustion and full recovery (coalescing), randomized
 * alloc/free with per-block patterns that reveal overlaps, several memory
 * ranges with holes (poisoned for AddressSanitizer), and the BUG_ONs of
 * pmm_free.
 */
#include <stdlib.h>
#include <string.h>
#include <sanitizer/asan_interface.h>
#include <kernel/mm.h>
#include "test.h"
#include "host.h"

#define PA          HOST_PA_BASE
#define MIB         (1ull << 20)
#define ARENA_PAGES (HOST_ARENA_SIZE / PAGE_SIZE)

static struct boot_info bi;

static void bi_clear(void)
{
	host_arena_init();
	memset(&bi, 0, sizeof(bi));
	ASAN_UNPOISON_MEMORY_REGION(host_arena, HOST_ARENA_SIZE);
}

static void add_mem(paddr_t base, uint64_t size)
{
	bi.mem[bi.n_mem++] = (struct mem_range){ base, size, "RAM" };
}

static void add_res(paddr_t base, uint64_t size)
{
	bi.reserved[bi.n_reserved++] = (struct mem_range){ base, size, "test" };
}

static err_t init(void)
{
	pmm_reset();
	return pmm_init(&bi);
}

/* Makes every byte of the arena outside bi.mem[] unaddressable. */
static void poison_holes(void)
{
	char *a = host_arena;

	ASAN_POISON_MEMORY_REGION(a, HOST_ARENA_SIZE);
	for (unsigned i = 0; i < bi.n_mem; i++)
		ASAN_UNPOISON_MEMORY_REGION(a + (bi.mem[i].base - PA), bi.mem[i].size);
}

static bool in_mem(paddr_t pa, size_t len)
{
	for (unsigned i = 0; i < bi.n_mem; i++)
		if (pa >= bi.mem[i].base && pa + len <= bi.mem[i].base + bi.mem[i].size)
			return true;
	return false;
}

static bool in_reserved(paddr_t pa, size_t len)
{
	for (unsigned i = 0; i < bi.n_reserved; i++)
		if (pa < bi.reserved[i].base + bi.reserved[i].size && bi.reserved[i].base < pa + len)
			return true;
	return false;
}

static size_t page_array_pages(size_t zone_pages)
{
	return ALIGN_UP(zone_pages * sizeof(struct page), PAGE_SIZE) / PAGE_SIZE;
}

/*
 * Takes every page one by one, checking each is new, inside RAM and not
 * reserved; then frees them all in a shuffled order. Returns the count,
 * or (size_t)-1 on a failed check.
 */
static size_t exhaust_and_free(uint64_t seed)
{
	static paddr_t got[ARENA_PAGES + 1];
	static unsigned char seen[ARENA_PAGES];
	size_t n = 0;
	paddr_t pa;
	bool bad = false;

	memset(seen, 0, sizeof(seen));
	while ((pa = pmm_alloc(0)) != PADDR_INVALID) {
		size_t idx = (pa - PA) / PAGE_SIZE;
		if (pa < PA || idx >= ARENA_PAGES || seen[idx] || !in_mem(pa, PAGE_SIZE) ||
		    in_reserved(pa, PAGE_SIZE) || (pa & PAGE_MASK)) {
			printf("# bad page %#llx (seen %d)\n", (unsigned long long)pa,
			       idx < ARENA_PAGES ? seen[idx] : -1);
			bad = true;
			break;
		}
		seen[idx] = 1;
		*(uint64_t *)phys_to_virt(pa) = pa;   /* the page must be real memory */
		got[n++] = pa;
	}
	if (!bad && pmm_free_pages() != 0)
		bad = true;
	for (unsigned o = 0; o <= PMM_MAX_ORDER; o++)
		if (pmm_alloc(o) != PADDR_INVALID)
			bad = true;
	for (size_t i = n; i > 1; i--) {
		size_t j = host_rand(&seed) % i;
		paddr_t t = got[i - 1];
		got[i - 1] = got[j];
		got[j] = t;
	}
	for (size_t i = 0; i < n; i++) {
		if (*(uint64_t *)phys_to_virt(got[i]) != got[i])
			bad = true;
		pmm_free(got[i], 0);
	}
	return bad ? (size_t)-1 : n;
}

/* How many blocks of the largest order can be had at once (then freed). */
static size_t max_blocks(void)
{
	paddr_t blocks[64];
	size_t n = 0;

	while (n < 64 && (blocks[n] = pmm_alloc(PMM_MAX_ORDER)) != PADDR_INVALID)
		n++;
	for (size_t i = 0; i < n; i++)
		pmm_free(blocks[i], PMM_MAX_ORDER);
	return n;
}

/* The whole arena, nothing reserved. */
static bool init_arena(void)
{
	bi_clear();
	add_mem(PA, HOST_ARENA_SIZE);
	return init() == ERR_OK;
}

/* The standard layout: the arena with three reserved ranges. */
static bool init_reserved_layout(void)
{
	bi_clear();
	add_mem(PA, HOST_ARENA_SIZE);
	add_res(PA, 2 * MIB);                       /* firmware */
	add_res(PA + 10 * MIB + 0x123, 0x1000);     /* unaligned: touches 2 pages */
	add_res(PA + HOST_ARENA_SIZE - PAGE_SIZE, PAGE_SIZE);
	return init() == ERR_OK;
}

TEST(init_counts_reserved)
{
	CHECK(init_reserved_layout());
	size_t array = page_array_pages(ARENA_PAGES);
	size_t reserved = 512 + 2 + 1;

	CHECK(pmm_total_pages() == ARENA_PAGES);
	CHECK(pmm_free_pages() == ARENA_PAGES - reserved - array);

	/* Page by page: reserved pages are never free, and the pages that are
	 * neither free nor reserved are exactly the page array. */
	size_t nfree = 0, other = 0;
	for (paddr_t pa = PA; pa < PA + HOST_ARENA_SIZE; pa += PAGE_SIZE) {
		struct page *p = pmm_page(pa);
		CHECK(p != NULL);
		if (in_reserved(pa, PAGE_SIZE)) {
			CHECK(!pmm_is_free(pa));
			CHECK(p->flags & PAGE_RESERVED);
		} else if (pmm_is_free(pa)) {
			nfree++;
		} else {
			CHECK(p->flags & PAGE_RESERVED);
			other++;
		}
	}
	CHECK(nfree == pmm_free_pages());
	CHECK(other == array);
	CHECK(!pmm_is_free(PA + 10 * MIB) && !pmm_is_free(PA + 10 * MIB + PAGE_SIZE));
	CHECK(pmm_is_free(PA + 10 * MIB - PAGE_SIZE) && pmm_is_free(PA + 10 * MIB + 2 * PAGE_SIZE));
	return true;
}

TEST(reserved_never_allocated)
{
	CHECK(init_reserved_layout());
	size_t before = pmm_free_pages();
	CHECK(exhaust_and_free(1) == before);
	CHECK(pmm_free_pages() == before);
	return true;
}

TEST(every_order_aligned)
{
	CHECK(init_arena());
	size_t before = pmm_free_pages();
	paddr_t blocks[PMM_MAX_ORDER + 1];

	for (unsigned o = 0; o <= PMM_MAX_ORDER; o++) {
		size_t len = PAGE_SIZE << o;
		paddr_t pa = pmm_alloc(o);
		CHECK(pa != PADDR_INVALID);
		CHECK(IS_ALIGNED(pa, len));
		CHECK(pa >= PA && pa + len <= PA + HOST_ARENA_SIZE);
		CHECK(pmm_page(pa)->flags & PAGE_HEAD);
		CHECK(pmm_page(pa)->order == o);
		for (size_t off = 0; off < len; off += PAGE_SIZE)
			CHECK(!pmm_is_free(pa + off));
		memset(phys_to_virt(pa), (int)o + 1, len);
		blocks[o] = pa;
	}
	CHECK(pmm_free_pages() == before - ((2ul << PMM_MAX_ORDER) - 1));
	/* No block was overwritten by a later one. */
	for (unsigned o = 0; o <= PMM_MAX_ORDER; o++) {
		unsigned char *p = phys_to_virt(blocks[o]);
		for (size_t i = 0; i < (PAGE_SIZE << o); i += 509)
			CHECK(p[i] == o + 1);
	}
	for (int o = PMM_MAX_ORDER; o >= 0; o--) {
		pmm_free(blocks[o], o);
		CHECK(pmm_is_free(blocks[o]));
	}
	CHECK(pmm_free_pages() == before);
	CHECK(pmm_alloc(PMM_MAX_ORDER + 1) == PADDR_INVALID);
	CHECK(pmm_alloc(~0u) == PADDR_INVALID);
	CHECK(pmm_free_pages() == before);
	return true;
}

TEST(exhaustion_then_full_recovery)
{
	CHECK(init_arena());
	size_t before = pmm_free_pages();
	size_t big = max_blocks();

	/* 64 MiB minus the 512 KiB page array: 15 whole 4 MiB blocks. */
	CHECK(big == HOST_ARENA_SIZE / (PAGE_SIZE << PMM_MAX_ORDER) - 1);
	CHECK(exhaust_and_free(2) == before);
	CHECK(pmm_free_pages() == before);
	/* Freed pages merged back into the same number of largest blocks. */
	CHECK(max_blocks() == big);
	return true;
}

TEST(exhaustion_by_large_orders)
{
	CHECK(init_arena());
	size_t before = pmm_free_pages();
	paddr_t head = PADDR_INVALID;
	size_t got = 0;

	for (int o = PMM_MAX_ORDER; o >= 0; o--) {
		paddr_t pa;
		while ((pa = pmm_alloc(o)) != PADDR_INVALID) {
			uint64_t *w = phys_to_virt(pa);
			w[0] = head;
			w[1] = o;
			head = pa;
			got += 1ul << o;
		}
	}
	CHECK(got == before && pmm_free_pages() == 0);
	while (head != PADDR_INVALID) {
		uint64_t *w = phys_to_virt(head);
		paddr_t next = w[0];
		pmm_free(head, w[1]);
		head = next;
	}
	CHECK(pmm_free_pages() == before);
	return true;
}

struct live {
	paddr_t pa;
	unsigned order;
	uint64_t tag;
};

static void fill(const struct live *b)
{
	uint64_t *w = phys_to_virt(b->pa);

	for (size_t i = 0; i < (PAGE_SIZE << b->order) / 8; i++)
		w[i] = b->tag + i;
}

static bool intact(const struct live *b)
{
	uint64_t *w = phys_to_virt(b->pa);

	for (size_t i = 0; i < (PAGE_SIZE << b->order) / 8; i++)
		if (w[i] != b->tag + i)
			return false;
	return true;
}

TEST(random_alloc_free_patterns)
{
	static struct live live[600];
	size_t nlive = 0, used = 0;
	uint64_t seed = 42;

	CHECK(init_reserved_layout());
	size_t before = pmm_free_pages();
	for (unsigned step = 0; step < 30000; step++) {
		uint64_t r = host_rand(&seed);
		if (nlive < 600 && (r & 3) != 0) {
			unsigned o = (r >> 8) % 64 == 0 ? (r >> 16) % (PMM_MAX_ORDER + 1) : (r >> 16) % 4;
			paddr_t pa = pmm_alloc(o);
			if (pa == PADDR_INVALID)
				continue;
			CHECK(IS_ALIGNED(pa, PAGE_SIZE << o) && !in_reserved(pa, PAGE_SIZE << o));
			CHECK(in_mem(pa, PAGE_SIZE << o));
			live[nlive] = (struct live){ pa, o, host_rand(&seed) };
			fill(&live[nlive++]);
			used += 1ul << o;
		} else if (nlive) {
			size_t i = (r >> 8) % nlive;
			CHECK(intact(&live[i]));
			pmm_free(live[i].pa, live[i].order);
			used -= 1ul << live[i].order;
			live[i] = live[--nlive];
		}
		CHECK(pmm_free_pages() == before - used);
	}
	for (size_t i = 0; i < nlive; i++) {
		CHECK(intact(&live[i]));
		pmm_free(live[i].pa, live[i].order);
	}
	CHECK(pmm_free_pages() == before);
	return true;
}

TEST(two_ranges_with_hole)
{
	bi_clear();
	add_mem(PA, 16 * MIB);
	add_mem(PA + 40 * MIB, 16 * MIB);
	poison_holes();
	CHECK(init() == ERR_OK);
	size_t pages = 32 * MIB / PAGE_SIZE;
	CHECK(pmm_total_pages() == pages);
	/* Each zone's page array lives in RAM. */
	size_t before = pmm_free_pages();
	CHECK(before == pages - 2 * page_array_pages(16 * MIB / PAGE_SIZE));
	CHECK(pmm_page(PA + 20 * MIB) == NULL && !pmm_is_free(PA + 20 * MIB));
	CHECK(exhaust_and_free(3) == before);
	CHECK(pmm_free_pages() == before);
	ASAN_UNPOISON_MEMORY_REGION(host_arena, HOST_ARENA_SIZE);
	return true;
}

/*
 * Two ranges inside one 4 MiB block: their zones overlap (each zone starts
 * at the block boundary), yet every page must be managed exactly once.
 */
TEST(two_ranges_in_one_block)
{
	bi_clear();
	add_mem(PA, 1 * MIB);
	add_mem(PA + 2 * MIB, 1 * MIB);
	add_mem(PA + 11 * MIB + 0x800, 2 * MIB);   /* unaligned, and across a block boundary */
	poison_holes();
	CHECK(init() == ERR_OK);
	size_t pages = 2 * MIB / PAGE_SIZE + (2 * MIB - PAGE_SIZE) / PAGE_SIZE;
	CHECK(pmm_total_pages() == pages);
	size_t before = pmm_free_pages();
	CHECK(before < pages);
	CHECK(exhaust_and_free(4) == before);
	CHECK(pmm_free_pages() == before);
	ASAN_UNPOISON_MEMORY_REGION(host_arena, HOST_ARENA_SIZE);
	return true;
}

/* Ranges in descending order, the later one reaching into the block where
 * the earlier one's zone starts. */
TEST(unsorted_ranges)
{
	bi_clear();
	add_mem(PA + 5 * MIB, 1 * MIB);
	add_mem(PA + 1 * MIB, 3 * MIB + MIB / 2);
	add_res(PA + 4 * MIB + 16 * PAGE_SIZE, PAGE_SIZE);
	poison_holes();
	CHECK(init() == ERR_OK);
	CHECK(pmm_total_pages() == (MIB + 3 * MIB + MIB / 2) / PAGE_SIZE);
	CHECK(!pmm_is_free(PA + 4 * MIB + 16 * PAGE_SIZE));
	CHECK(pmm_is_free(PA + 4 * MIB + 17 * PAGE_SIZE));
	size_t before = pmm_free_pages();
	CHECK(before == pmm_total_pages() - 1 - page_array_pages(MIB / PAGE_SIZE * 2) -
			page_array_pages(MIB / PAGE_SIZE * 9 / 2));
	CHECK(exhaust_and_free(6) == before);
	CHECK(pmm_free_pages() == before);
	ASAN_UNPOISON_MEMORY_REGION(host_arena, HOST_ARENA_SIZE);
	return true;
}

TEST(unaligned_range)
{
	bi_clear();
	add_mem(PA + 0x1800, 8 * MIB - 0x2000);   /* [PA+6K, PA+8M-2K) */
	poison_holes();
	CHECK(init() == ERR_OK);
	CHECK(pmm_total_pages() == 8 * MIB / PAGE_SIZE - 3);
	CHECK(!pmm_is_free(PA) && !pmm_is_free(PA + PAGE_SIZE));
	CHECK(!pmm_is_free(PA + 8 * MIB - PAGE_SIZE));
	size_t before = pmm_free_pages();
	CHECK(before == pmm_total_pages() - page_array_pages(8 * MIB / PAGE_SIZE - 1));
	CHECK(exhaust_and_free(5) == before);
	ASAN_UNPOISON_MEMORY_REGION(host_arena, HOST_ARENA_SIZE);
	return true;
}

TEST(no_usable_memory)
{
	bi_clear();
	CHECK(init() == ERR_NOMEM);
	CHECK(pmm_alloc(0) == PADDR_INVALID);
	add_mem(PA, 4 * MIB);
	add_res(PA, 4 * MIB);
	CHECK(init() == ERR_NOMEM);
	CHECK(pmm_alloc(0) == PADDR_INVALID && pmm_free_pages() == 0);
	bi_clear();
	add_mem(PA, PAGE_SIZE / 2);   /* less than a page */
	CHECK(init() == ERR_NOMEM);
	return true;
}

TEST(alloc_zeroed)
{
	CHECK(init_arena());
	for (unsigned o = 0; o <= 3; o++) {
		paddr_t pa = pmm_alloc(o);
		CHECK(pa != PADDR_INVALID);
		memset(phys_to_virt(pa), 0xee, PAGE_SIZE << o);
		pmm_free(pa, o);
		paddr_t z = pmm_alloc_zeroed(o);
		CHECK(z == pa);   /* LIFO free lists hand the same block back */
		unsigned char *p = phys_to_virt(z);
		for (size_t i = 0; i < (PAGE_SIZE << o); i++)
			CHECK(p[i] == 0);
		pmm_free(z, o);
	}
	return true;
}

TEST(bad_free_panics)
{
	CHECK(init_arena());
	size_t before = pmm_free_pages();
	paddr_t pa = pmm_alloc(2);

	CHECK(pa != PADDR_INVALID);
	CHECK(EXPECT_PANIC(pmm_free(pa, 1)));                 /* wrong order */
	CHECK(EXPECT_PANIC(pmm_free(pa + PAGE_SIZE, 0)));     /* not a block head */
	CHECK(EXPECT_PANIC(pmm_free(pa + 1, 2)));             /* misaligned */
	CHECK(EXPECT_PANIC(pmm_free(PA - PAGE_SIZE, 0)));     /* outside RAM */
	CHECK(pmm_free_pages() == before - 4);
	pmm_free(pa, 2);
	CHECK(EXPECT_PANIC(pmm_free(pa, 2)));                 /* double free */
	CHECK(pmm_free_pages() == before);
	return true;
}

TEST(page_lookup)
{
	CHECK(init_arena());
	CHECK(pmm_page(PA) != NULL);
	CHECK(pmm_page(PA + HOST_ARENA_SIZE - 1) != NULL);
	CHECK(pmm_page(PA + HOST_ARENA_SIZE) == NULL);
	CHECK(pmm_page(PA - 1) == NULL);
	CHECK(pmm_page(0) == NULL);
	CHECK(pmm_page(PMM_MAX_ORDER) == NULL);
	CHECK(pmm_page(PA + PAGE_SIZE) == pmm_page(PA) + 1);
	CHECK(!pmm_is_free(PA + HOST_ARENA_SIZE));
	return true;
}
