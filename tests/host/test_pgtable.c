// SPDX-License-Identifier: MIT
/*
 * Host tests of the portable page-table walker (kernel/pgtable.c) with the
 * riscv64 entry encoding, for 4 levels (Sv48) and 3 levels (Sv39): random
 * map/unmap/protect against a reference model that also predicts which
 * leaves the walker picks and so how many table pages must exist; large
 * leaves; failures that must leave the tables unchanged; empty tables
 * going back to the page allocator; argument checks.
 */
#include <stdlib.h>
#include <string.h>
#include <arch.h>
#include <kernel/mm.h>
#include "test.h"
#include "host.h"

#define KIB     (1ull << 10)
#define MIB     (1ull << 20)
#define GIB     (1ull << 30)
#define RW      (PROT_R | PROT_W)

static inline uint64_t lsize(unsigned level) { return 1ull << (PAGE_SHIFT + 9 * level); }

/* The protection bits pt_lookup() reports for `prot` (W implies R). */
static unsigned seen_prot(unsigned prot)
{
	return prot & PROT_W ? prot | PROT_R : prot;
}

/* A fresh allocator and root for `levels` levels; *base is the free count
 * with the root allocated. */
static bool setup(unsigned levels, paddr_t *root, size_t *base)
{
	host_pt_levels = levels;
	if (!host_pmm_init_arena())
		return false;
	*root = pt_create();
	*base = pmm_free_pages();
	return *root != PADDR_INVALID;
}

/* ---- reference model ------------------------------------------------------ */

/* One successful pt_map (or what is left of it), with the leaf layout the
 * walker chose for it. */
struct region {
	vaddr_t va, end;       /* [va, end) */
	paddr_t pa;            /* of va */
	unsigned prot;
	vaddr_t map_va, map_end;   /* the pt_map call it came from: fixes its leaves */
	paddr_t map_pa;
};

#define MAXREG 4096
static struct region reg[MAXREG];
static unsigned nreg;
static unsigned levels;

/* Size of the leaf that maps page x of region r: the largest allowed
 * level whose aligned block lies inside the original pt_map range and
 * whose physical address is aligned as well. */
static uint64_t leaf_size(const struct region *r, vaddr_t x)
{
	for (int l = MIN(levels - 1, 2u); l > 0; l--) {
		uint64_t L = lsize(l);
		vaddr_t b = ALIGN_DOWN(x, L);
		if (b >= r->map_va && b + L <= r->map_end && b + L > b &&
		    ((r->map_pa - r->map_va) & (L - 1)) == 0)
			return L;
	}
	return PAGE_SIZE;
}

static struct region *model_find(vaddr_t x)
{
	for (unsigned i = 0; i < nreg; i++)
		if (x >= reg[i].va && x < reg[i].end)
			return &reg[i];
	return NULL;
}

static bool model_overlaps(vaddr_t va, vaddr_t end)
{
	for (unsigned i = 0; i < nreg; i++)
		if (va < reg[i].end && reg[i].va < end)
			return true;
	return false;
}

/* Would [va, end) cut through a large leaf? Only its two ends can. */
static bool model_splits(vaddr_t va, vaddr_t end)
{
	vaddr_t pts[2] = { va, end };

	for (int k = 0; k < 2; k++) {
		struct region *r = model_find(pts[k]);
		if (r && ALIGN_DOWN(pts[k], leaf_size(r, pts[k])) != pts[k])
			return true;
	}
	return false;
}

/* Cuts [va, end) out of every region; with prot >= 0 the cut part stays,
 * re-protected. */
static void model_update(vaddr_t va, vaddr_t end, int prot)
{
	unsigned n = nreg;

	for (unsigned i = 0; i < n; i++) {
		struct region r = reg[i];
		if (!(va < r.end && r.va < end))
			continue;
		vaddr_t s = MAX(va, r.va), e = MIN(end, r.end);
		/* left part stays, right part is appended, middle cut */
		reg[i].end = s;
		if (r.end > e) {
			reg[nreg] = r;
			reg[nreg].va = e;
			reg[nreg].pa = r.pa + (e - r.va);
			nreg++;
		}
		if (prot >= 0) {
			reg[nreg] = r;
			reg[nreg].va = s;
			reg[nreg].end = e;
			reg[nreg].pa = r.pa + (s - r.va);
			reg[nreg].prot = (unsigned)prot;
			nreg++;
		}
	}
	for (unsigned i = 0; i < nreg;)   /* drop empty regions */
		if (reg[i].va == reg[i].end)
			reg[i] = reg[--nreg];
		else
			i++;
}

/* The table pages the walker must have: the root, plus for each level l
 * below the top one table per lsize(l + 1) block holding a leaf of level
 * <= l. */
static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

static size_t model_tables(void)
{
	static uint64_t keys[1 << 20];
	size_t n = 0, distinct = 1;

	for (unsigned i = 0; i < nreg; i++) {
		/* Leaf sizes only change at 2 MiB boundaries: one step per block. */
		for (vaddr_t x = reg[i].va; x < reg[i].end && x >= reg[i].va;) {
			uint64_t L = leaf_size(&reg[i], x);
			unsigned leaf_level = L == PAGE_SIZE ? 0 : L == lsize(1) ? 1 : 2;
			if (L == PAGE_SIZE)
				L = lsize(1);
			for (unsigned l = leaf_level; l + 1 < levels; l++) {
				if (n == sizeof(keys) / sizeof(keys[0]))
					return 0;
				uint64_t block = x >> (PAGE_SHIFT + 9 * (l + 1));
				if (l + 1 == levels - 1)   /* the root's index bits only */
					block &= 511;
				keys[n++] = ((uint64_t)l << 56) | block;
			}
			x = ALIGN_DOWN(x, L) + L;
		}
	}
	qsort(keys, n, sizeof(keys[0]), cmp_u64);
	for (size_t i = 0; i < n; i++)
		if (i == 0 || keys[i] != keys[i - 1])
			distinct++;
	return distinct;
}

/* Every region's first, last and some random pages translate as modelled;
 * the page before and after each region too. */
static bool model_check(paddr_t root, uint64_t *seed)
{
	for (unsigned i = 0; i < nreg; i++) {
		struct region *r = &reg[i];
		vaddr_t probes[5] = { r->va, r->end - PAGE_SIZE,
			r->va + ALIGN_DOWN(host_rand(seed) % (r->end - r->va), PAGE_SIZE),
			r->va - PAGE_SIZE, r->end };
		for (int k = 0; k < 5; k++) {
			vaddr_t x = probes[k] + (host_rand(seed) & PAGE_MASK);
			struct region *m = model_find(ALIGN_DOWN(x, PAGE_SIZE));
			paddr_t pa = 0;
			unsigned prot = 0;
			bool mapped = pt_lookup(root, x, &pa, &prot);
			if (mapped != (m != NULL) ||
			    (m && (pa != m->pa + (x - m->va) || prot != seen_prot(m->prot)))) {
				printf("# va %#lx: walker %d pa %#llx prot %#x, model %d pa %#llx\n",
				       (unsigned long)x, mapped, (unsigned long long)pa, prot, m != NULL,
				       m ? (unsigned long long)(m->pa + (x - m->va)) : 0ull);
				return false;
			}
		}
	}
	return true;
}

static const unsigned prots[] = { PROT_R, RW, PROT_R | PROT_X, RW | PROT_X, PROT_R | PROT_USER,
				  RW | PROT_USER, PROT_X, PROT_W, RW | PROT_GLOBAL };

/* A random page-aligned range, mostly near a few hot spots (so that maps
 * collide and ranges cross table boundaries), from one page to 3 GiB. */
static void random_range(uint64_t *seed, vaddr_t *va, size_t *size, paddr_t *pa)
{
	static const vaddr_t hot4[] = { 0, GIB - 4 * MIB, 5 * GIB, 512 * GIB - 2 * MIB };
	static const vaddr_t hot3[] = { 0, GIB - 4 * MIB, 5 * GIB, 32 * GIB - 2 * MIB };
	uint64_t r = host_rand(seed), r2 = host_rand(seed);
	unsigned kind = r % 16;
	vaddr_t hot = (levels == 4 ? hot4 : hot3)[(r >> 4) % 4];
	uint64_t align = 0;

	if (kind < 8) {           /* a few pages */
		*va = hot + (r2 % 2048) * PAGE_SIZE;
		*size = (1 + (r >> 8) % 64) * PAGE_SIZE;
	} else if (kind < 12) {   /* 2 MiB multiples, aligned or a few pages off */
		*va = hot + (r2 % 32) * 2 * MIB + ((r >> 20) & 1 ? 0 : ((r >> 8) % 4) * PAGE_SIZE);
		*size = (1 + (r >> 24) % 6) * 2 * MIB + ((r >> 30) & 1 ? PAGE_SIZE : 0);
	} else if (kind < 15) {   /* GiBs, 2 MiB leaves at least */
		*va = GIB + ALIGN_DOWN(r2 % (15 * GIB), GIB) - ((r >> 20) & 1 ? 2 * MIB : 0);
		*size = (1 + (r >> 8) % 3) * GIB + ((r >> 30) & 1 ? 4 * MIB : 0);
		align = 2 * MIB;
	} else {                  /* anywhere */
		*va = (r2 % ((levels == 4 ? 1ull << 40 : 1ull << 36) / PAGE_SIZE)) * PAGE_SIZE;
		*size = (1 + (r >> 8) % 8) * PAGE_SIZE;
	}
	*pa = (host_rand(seed) % (1ull << 30)) * PAGE_SIZE;
	if ((r >> 40) & 1)        /* same alignment as va: large leaves where possible */
		align = (r >> 41) & 1 ? GIB : 2 * MIB;
	if (align)
		*pa = ALIGN_DOWN(*pa, align) + (*va & (align - 1));
}

static bool random_ops(unsigned lv, uint64_t seed, unsigned steps)
{
	unsigned stats[3][2] = {{0}};   /* [map, unmap, protect][failed, ok] */
	paddr_t root;
	size_t base;

	levels = lv;
	nreg = 0;
	if (!setup(lv, &root, &base))
		return false;
	for (unsigned step = 0; step < steps; step++) {
		vaddr_t va;
		size_t size;
		paddr_t pa;
		unsigned op = host_rand(&seed) % 10;
		unsigned prot = prots[host_rand(&seed) % (sizeof(prots) / sizeof(prots[0]))];
		err_t want, got;

		random_range(&seed, &va, &size, &pa);
		if (op < 5 && nreg < MAXREG - 8) {
			want = model_overlaps(va, va + size) ? ERR_EXIST : ERR_OK;
			got = pt_map(root, va, pa, size, prot);
			if (got == ERR_OK)
				reg[nreg++] = (struct region){ va, va + size, pa, prot, va, va + size, pa };
		} else if (op < 8) {
			want = model_splits(va, va + size) ? ERR_INVAL : ERR_OK;
			got = pt_unmap(root, va, size);
			if (got == ERR_OK)
				model_update(va, va + size, -1);
		} else {
			want = model_splits(va, va + size) ? ERR_INVAL : ERR_OK;
			got = pt_protect(root, va, size, prot);
			if (got == ERR_OK)
				model_update(va, va + size, (int)prot);
		}
		stats[op < 5 ? 0 : op < 8 ? 1 : 2][got == ERR_OK]++;
		if (got != want) {
			printf("# step %u op %u va %#lx size %#zx pa %#llx: got %s, want %s\n", step, op,
			       (unsigned long)va, size, (unsigned long long)pa, err_name(got), err_name(want));
			return false;
		}
		if (!model_check(root, &seed))
			return false;
		size_t tables = pt_count_tables(root), mt = model_tables();
		if (tables != mt || pmm_free_pages() != base + 1 - tables) {
			printf("# step %u: %zu tables, model %zu, free %zu, base %zu\n", step, tables, mt,
			       pmm_free_pages(), base);
			return false;
		}
	}
	printf("# %u levels: map %u ok/%u failed, unmap %u/%u, protect %u/%u; %zu tables at the end\n",
	       lv, stats[0][1], stats[0][0], stats[1][1], stats[1][0], stats[2][1], stats[2][0],
	       pt_count_tables(root));
	/* Unmapping everything leaves the root alone; destroying it, nothing. */
	while (nreg) {
		struct region r = reg[0];
		if (pt_unmap(root, r.map_va, r.map_end - r.map_va) != ERR_OK)
			return false;
		model_update(r.map_va, r.map_end, -1);
	}
	if (pt_count_tables(root) != 1 || pmm_free_pages() != base)
		return false;
	pt_destroy(root);
	return pmm_free_pages() == base + 1;
}

TEST(random_model_4_levels)
{
	CHECK(random_ops(4, 0xc0ffee, 3000));
	return true;
}

TEST(random_model_3_levels)
{
	CHECK(random_ops(3, 0xbeef, 3000));
	return true;
}

/* ---- targeted cases --------------------------------------------------------- */

static bool lookup_is(paddr_t root, vaddr_t va, paddr_t pa, unsigned prot)
{
	paddr_t got;
	unsigned p;

	return pt_lookup(root, va, &got, &p) && got == pa && p == seen_prot(prot);
}

static bool large_leaves(unsigned lv)
{
	paddr_t root;
	size_t base;
	unsigned up = lv - 1;   /* tables above the level-1 one */

	if (!setup(lv, &root, &base))
		return false;
	/* 2 MiB aligned both ways: one level-1 leaf. */
	if (pt_map(root, 0x40000000, 0x80200000, 2 * MIB, RW) ||
	    pt_count_tables(root) != 1 + (up - 1) ||
	    !lookup_is(root, 0x40000000 + 0x12345, 0x80200000 + 0x12345, RW))
		return false;
	/* 1 GiB aligned: a level-2 leaf (in the root with 3 levels). */
	if (pt_map(root, 0x80000000, 0xc0000000, GIB, PROT_R) ||
	    pt_count_tables(root) != 1 + (up - 1) ||
	    !lookup_is(root, 0x80000000 + GIB - 1, 0xc0000000 + GIB - 1, PROT_R))
		return false;
	/* Same size, physical address off by a page: 512 small leaves. */
	if (pt_map(root, 0x40200000, 0x80201000, 2 * MIB, PROT_R) ||
	    pt_count_tables(root) != 1 + (up - 1) + 1)
		return false;
	for (vaddr_t off = 0; off < 2 * MIB; off += PAGE_SIZE)
		if (!lookup_is(root, 0x40200000 + off, 0x80201000 + off, PROT_R))
			return false;
	/* 2 MiB + 8 KiB starting 4 KiB below a 2 MiB boundary: small, large, small. */
	if (pt_map(root, 0x40600000 - PAGE_SIZE, 0x90600000 - PAGE_SIZE, 2 * MIB + 2 * PAGE_SIZE, RW) ||
	    pt_count_tables(root) != 1 + (up - 1) + 1 + 2)
		return false;
	/* Unmapping the large leaves whole is fine and frees nothing else. */
	if (pt_unmap(root, 0x40600000, 2 * MIB) || pt_lookup(root, 0x40600000, NULL, NULL) ||
	    !pt_lookup(root, 0x40600000 - PAGE_SIZE, NULL, NULL) ||
	    !pt_lookup(root, 0x40800000, NULL, NULL))
		return false;
	pt_destroy(root);
	return pmm_free_pages() == base + 1;
}

TEST(large_leaves_4_levels)
{
	CHECK(large_leaves(4));
	return true;
}

TEST(large_leaves_3_levels)
{
	CHECK(large_leaves(3));
	return true;
}

/* ERR_EXIST: found anywhere in the range, nothing is mapped or allocated. */
TEST(exist_changes_nothing)
{
	paddr_t root;
	size_t base;

	CHECK(setup(4, &root, &base));
	CHECK(pt_map(root, 0x7000000000 + 10 * PAGE_SIZE, 0x1000, PAGE_SIZE, RW) == ERR_OK);
	CHECK(pt_map(root, 0x1000, 0x5000, PAGE_SIZE, RW) == ERR_OK);
	size_t tables = pt_count_tables(root), nfree = pmm_free_pages();
	/* The conflict is the last page of a range that would need new tables. */
	CHECK(pt_map(root, 0x7000000000 - 4 * GIB, 0x100000000, 4 * GIB + 11 * PAGE_SIZE, RW) ==
	      ERR_EXIST);
	CHECK(pt_count_tables(root) == tables && pmm_free_pages() == nfree);
	CHECK(!pt_lookup(root, 0x7000000000 - 4 * GIB, NULL, NULL));
	CHECK(!pt_lookup(root, 0x7000000000, NULL, NULL));
	CHECK(lookup_is(root, 0x7000000000 + 10 * PAGE_SIZE, 0x1000, RW));
	/* The conflict is the first page. */
	CHECK(pt_map(root, 0x1000, 0x9000, 8 * PAGE_SIZE, PROT_R) == ERR_EXIST);
	CHECK(!pt_lookup(root, 0x2000, NULL, NULL) && lookup_is(root, 0x1000, 0x5000, RW));
	/* Over a large leaf. */
	CHECK(pt_map(root, 0x40000000, 0x40000000, GIB, RW) == ERR_OK);
	nfree = pmm_free_pages();
	CHECK(pt_map(root, 0x40000000 + 5 * MIB, 0x1000, PAGE_SIZE, RW) == ERR_EXIST);
	CHECK(pmm_free_pages() == nfree);
	CHECK(lookup_is(root, 0x40000000 + 5 * MIB, 0x40000000 + 5 * MIB, RW));
	pt_destroy(root);
	CHECK(pmm_free_pages() == base + 1);
	return true;
}

/* Unmap or protect that would cut a large leaf: ERR_INVAL, nothing changed,
 * even when the range also covers small pages that come first. */
TEST(split_large_leaf_rejected)
{
	paddr_t root;
	size_t base;

	CHECK(setup(4, &root, &base));
	CHECK(pt_map(root, 0x200000 - 4 * PAGE_SIZE, 0x10200000 - 4 * PAGE_SIZE, 4 * PAGE_SIZE + 2 * MIB,
		     RW) == ERR_OK);
	size_t tables = pt_count_tables(root);
	unsigned long flushes = host_tlb_flushes;
	CHECK(pt_unmap(root, 0x200000 + PAGE_SIZE, PAGE_SIZE) == ERR_INVAL);
	CHECK(pt_unmap(root, 0x200000 - 4 * PAGE_SIZE, 4 * PAGE_SIZE + MIB) == ERR_INVAL);
	CHECK(pt_unmap(root, 0x200000 + MIB, 2 * MIB) == ERR_INVAL);
	CHECK(pt_protect(root, 0x200000 - 4 * PAGE_SIZE, 8 * PAGE_SIZE, PROT_R) == ERR_INVAL);
	CHECK(host_tlb_flushes == flushes);
	CHECK(pt_count_tables(root) == tables);
	for (vaddr_t va = 0x200000 - 4 * PAGE_SIZE; va < 0x400000; va += PAGE_SIZE)
		CHECK(lookup_is(root, va, va + 0x10000000, RW));
	/* A GiB leaf too. */
	CHECK(pt_map(root, 0x80000000, 0x80000000, GIB, RW) == ERR_OK);
	CHECK(pt_unmap(root, 0x80000000 + GIB - 2 * MIB, 4 * MIB) == ERR_INVAL);
	CHECK(pt_protect(root, 0x80000000, 2 * MIB, PROT_R) == ERR_INVAL);
	CHECK(lookup_is(root, 0x80000000, 0x80000000, RW));
	/* Whole leaves are fine. */
	CHECK(pt_unmap(root, 0x200000 - 4 * PAGE_SIZE, 4 * PAGE_SIZE + 2 * MIB) == ERR_OK);
	CHECK(pt_unmap(root, 0x80000000, GIB) == ERR_OK);
	CHECK(pt_count_tables(root) == 1 && pmm_free_pages() == base);
	pt_destroy(root);
	return true;
}

TEST(protect)
{
	paddr_t root;
	size_t base;

	CHECK(setup(4, &root, &base));
	CHECK(pt_map(root, 0x10000, 0x20000, 8 * PAGE_SIZE, RW) == ERR_OK);
	CHECK(pt_map(root, 0x400000, 0x600000, 2 * MIB, PROT_R | PROT_X) == ERR_OK);
	size_t tables = pt_count_tables(root);
	unsigned long flushes = host_tlb_flushes;
	/* Part of the small pages, and a range with holes: holes stay unmapped. */
	CHECK(pt_protect(root, 0x12000, 2 * PAGE_SIZE, PROT_R | PROT_USER) == ERR_OK);
	CHECK(host_tlb_flushes == flushes + 2);
	CHECK(lookup_is(root, 0x11000, 0x21000, RW));
	CHECK(lookup_is(root, 0x12000, 0x22000, PROT_R | PROT_USER));
	CHECK(lookup_is(root, 0x13fff, 0x23fff, PROT_R | PROT_USER));
	CHECK(lookup_is(root, 0x14000, 0x24000, RW));
	CHECK(pt_protect(root, 0, 8 * MIB, PROT_R) == ERR_OK);
	CHECK(!pt_lookup(root, 0, NULL, NULL) && !pt_lookup(root, 0x18000, NULL, NULL));
	CHECK(lookup_is(root, 0x17000, 0x27000, PROT_R));
	CHECK(lookup_is(root, 0x400000 + 0x1234, 0x600000 + 0x1234, PROT_R));
	CHECK(pt_count_tables(root) == tables);
	pt_destroy(root);
	CHECK(pmm_free_pages() == base + 1);
	return true;
}

/* Tables that empty go back to the allocator, at every level. */
TEST(unmap_frees_tables)
{
	paddr_t root;
	size_t base;
	static const vaddr_t vas[] = { 0x1000, 0x201000, 0x40001000, 0x8000001000, 0x7fffffff000,
				       0xffff800000000000, 0xfffffffffffff000 };

	CHECK(setup(4, &root, &base));
	for (size_t i = 0; i < sizeof(vas) / sizeof(vas[0]); i++)
		CHECK(pt_map(root, vas[i], 0x1000 * i, PAGE_SIZE, RW) == ERR_OK);
	CHECK(pt_count_tables(root) > 10);
	CHECK(pmm_free_pages() == base + 1 - pt_count_tables(root));
	unsigned long flushes = host_tlb_flushes;
	for (size_t i = 0; i < sizeof(vas) / sizeof(vas[0]); i++) {
		CHECK(pt_unmap(root, vas[i], PAGE_SIZE) == ERR_OK);
		CHECK(!pt_lookup(root, vas[i], NULL, NULL));
		CHECK(pmm_free_pages() == base + 1 - pt_count_tables(root));
	}
	CHECK(host_tlb_flushes == flushes + sizeof(vas) / sizeof(vas[0]));
	CHECK(pt_count_tables(root) == 1 && pmm_free_pages() == base);
	/* Unmapping what is not mapped is fine and allocates nothing. */
	CHECK(pt_unmap(root, 0, 16 * GIB) == ERR_OK);
	CHECK(pmm_free_pages() == base);
	pt_destroy(root);
	CHECK(pmm_free_pages() == base + 1);
	return true;
}

/* The last page of the address space: end wraps to 0, which is allowed. */
TEST(top_of_address_space)
{
	paddr_t root;
	size_t base;

	CHECK(setup(4, &root, &base));
	CHECK(pt_map(root, -2 * PAGE_SIZE, 0x3000, 2 * PAGE_SIZE, RW) == ERR_OK);
	CHECK(lookup_is(root, -PAGE_SIZE, 0x4000, RW));
	CHECK(lookup_is(root, (vaddr_t)-1, 0x4fff, RW));
	CHECK(pt_map(root, -PAGE_SIZE, 0x3000, PAGE_SIZE, RW) == ERR_EXIST);
	CHECK(pt_protect(root, -4 * PAGE_SIZE, 4 * PAGE_SIZE, PROT_R) == ERR_OK);
	CHECK(lookup_is(root, -PAGE_SIZE, 0x4000, PROT_R));
	CHECK(pt_unmap(root, -PAGE_SIZE, PAGE_SIZE) == ERR_OK);
	CHECK(pt_unmap(root, -8 * PAGE_SIZE, 8 * PAGE_SIZE) == ERR_OK);
	CHECK(pt_count_tables(root) == 1 && pmm_free_pages() == base);
	pt_destroy(root);
	return true;
}

TEST(bad_arguments)
{
	paddr_t root;
	size_t base;

	CHECK(setup(4, &root, &base));
	CHECK(pt_map(root, 0x1001, 0x2000, PAGE_SIZE, RW) == ERR_INVAL);
	CHECK(pt_map(root, 0x1000, 0x2001, PAGE_SIZE, RW) == ERR_INVAL);
	CHECK(pt_map(root, 0x1000, 0x2000, PAGE_SIZE + 1, RW) == ERR_INVAL);
	CHECK(pt_map(root, 0x1000, 0x2000, 0, RW) == ERR_INVAL);
	CHECK(pt_map(root, -2 * PAGE_SIZE, 0x2000, 4 * PAGE_SIZE, RW) == ERR_INVAL);
	CHECK(pt_map(root, 2 * PAGE_SIZE, 0x2000, -PAGE_SIZE, RW) == ERR_INVAL);   /* ends at 2^64 + 4K */
	CHECK(pt_unmap(root, 0x1800, PAGE_SIZE) == ERR_INVAL);
	CHECK(pt_unmap(root, 0x1000, 0) == ERR_INVAL);
	CHECK(pt_unmap(root, 0x1000, 0x800) == ERR_INVAL);
	CHECK(pt_unmap(root, -PAGE_SIZE, 2 * PAGE_SIZE) == ERR_INVAL);
	CHECK(pt_protect(root, 0x1000, 0, PROT_R) == ERR_INVAL);
	CHECK(pt_protect(root, 0x1004, PAGE_SIZE, PROT_R) == ERR_INVAL);
	CHECK(pt_protect(root, -PAGE_SIZE, 2 * PAGE_SIZE, PROT_R) == ERR_INVAL);
	CHECK(pt_count_tables(root) == 1 && pmm_free_pages() == base);
	pt_destroy(root);
	return true;
}

/* ERR_NOMEM while mapping: what was mapped stays, nothing leaks. */
TEST(map_out_of_memory)
{
	paddr_t root;
	size_t base;
	paddr_t head = PADDR_INVALID;

	CHECK(setup(4, &root, &base));
	/* Leave exactly three free pages. */
	while (pmm_free_pages() > 3) {
		paddr_t pa = pmm_alloc(0);
		CHECK(pa != PADDR_INVALID);
		*(paddr_t *)phys_to_virt(pa) = head;
		head = pa;
	}
	/* Needs a level-2 and a level-1 table, then one level-0 table per 2 MiB. */
	CHECK(pt_map(root, 0x1ff000, 0x1000, 2 * PAGE_SIZE, RW) == ERR_NOMEM);
	CHECK(pmm_free_pages() == 0);
	CHECK(lookup_is(root, 0x1ff000, 0x1000, RW));
	CHECK(!pt_lookup(root, 0x200000, NULL, NULL));
	CHECK(pt_unmap(root, 0x1ff000, 2 * PAGE_SIZE) == ERR_OK);
	CHECK(pt_count_tables(root) == 1 && pmm_free_pages() == 3);
	while (head != PADDR_INVALID) {
		paddr_t next = *(paddr_t *)phys_to_virt(head);
		pmm_free(head, 0);
		head = next;
	}
	CHECK(pmm_free_pages() == base);
	pt_destroy(root);
	return true;
}

/*
 * A mapping without R, W or X cannot be a large leaf on riscv64 (such an
 * entry points to a table), so it is refused, as is protecting to it.
 */
TEST(no_access_prot_rejected)
{
	paddr_t root;
	size_t base;

	CHECK(setup(4, &root, &base));
	CHECK(pt_map(root, 0x200000, HOST_PA_BASE + 0x200000, 2 * MIB, PROT_USER) == ERR_INVAL);
	CHECK(pt_map(root, 0x200000, HOST_PA_BASE + 0x200000, 2 * MIB, 0) == ERR_INVAL);
	CHECK(pt_map(root, 0x1000, 0x1000, PAGE_SIZE, PROT_GLOBAL) == ERR_INVAL);
	CHECK(!pt_lookup(root, 0x200000, NULL, NULL));
	CHECK(pt_count_tables(root) == 1 && pmm_free_pages() == base);
	CHECK(pt_map(root, 0x200000, HOST_PA_BASE + 0x200000, 2 * MIB, PROT_R) == ERR_OK);
	CHECK(pt_protect(root, 0x200000, 2 * MIB, PROT_USER) == ERR_INVAL);
	CHECK(lookup_is(root, 0x200000, HOST_PA_BASE + 0x200000, PROT_R));
	CHECK(pt_unmap(root, 0x200000, 2 * MIB) == ERR_OK);
	CHECK(pt_count_tables(root) == 1 && pmm_free_pages() == base);
	pt_destroy(root);
	return true;
}

/*
 * A user tree shares the kernel's upper half: pt_create_user() copies the
 * top-level entries 256..511, pt_destroy_user() frees only what lies below
 * them, and pt_tables_live counts every table either way.
 */
TEST(user_tree_shares_kernel_half)
{
	paddr_t kroot, uroot;
	size_t base, live;
	const vaddr_t kva = 0xffff800000000000ul;   /* entry 256 */

	CHECK(setup(4, &kroot, &base));
	CHECK(pt_map(kroot, kva, HOST_PA_BASE, PAGE_SIZE, PROT_R | PROT_W) == ERR_OK);
	kernel_root = kroot;
	live = pt_tables_live;
	uroot = pt_create_user();
	CHECK(uroot != PADDR_INVALID && pt_tables_live == live + 1);
	CHECK(lookup_is(uroot, kva, HOST_PA_BASE, PROT_R | PROT_W));
	CHECK(pt_map(uroot, 0x400000, HOST_PA_BASE + PAGE_SIZE, PAGE_SIZE, PROT_R | PROT_USER) == ERR_OK);
	CHECK(pt_tables_live == live + 4);
	CHECK(!pt_lookup(kroot, 0x400000, NULL, NULL));
	pt_destroy_user(uroot);
	CHECK(pt_tables_live == live);
	CHECK(lookup_is(kroot, kva, HOST_PA_BASE, PROT_R | PROT_W));
	kernel_root = 0;
	CHECK(pt_unmap(kroot, kva, PAGE_SIZE) == ERR_OK);
	CHECK(pt_count_tables(kroot) == 1 && pmm_free_pages() == base);   /* nothing leaked */
	pt_destroy(kroot);
	return true;
}

/* One 4 KiB page at a time (the straight walk: map, unmap, protect,
 * remap): the tables a page needs come and go with it, a page inside a
 * large leaf is refused with nothing changed, and pt_remap() replaces an
 * entry in place (one TLB flush) without freeing its tables. */
TEST(single_pages)
{
	paddr_t root;
	size_t base;
	vaddr_t a = 0x7000000000 + 3 * PAGE_SIZE, b = a + PAGE_SIZE;

	CHECK(setup(4, &root, &base));
	CHECK(pt_map(root, a, 0x5000, PAGE_SIZE, RW) == ERR_OK);
	CHECK(pt_count_tables(root) == 4 && pmm_free_pages() == base - 3);
	CHECK(pt_map(root, a, 0x6000, PAGE_SIZE, RW) == ERR_EXIST);
	CHECK(pt_map(root, b, 0x6000, PAGE_SIZE, PROT_R) == ERR_OK);
	CHECK(pt_count_tables(root) == 4);
	CHECK(pt_protect(root, b, PAGE_SIZE, RW) == ERR_OK && lookup_is(root, b, 0x6000, RW));
	CHECK(pt_protect(root, b + PAGE_SIZE, PAGE_SIZE, RW) == ERR_OK);   /* nothing there */
	CHECK(!pt_lookup(root, b + PAGE_SIZE, NULL, NULL));
	unsigned long flushes = host_tlb_flushes;
	CHECK(pt_remap(root, a, 0x7000, PROT_R) == ERR_OK && lookup_is(root, a, 0x7000, PROT_R));
	CHECK(host_tlb_flushes == flushes + 1 && pt_count_tables(root) == 4);
	CHECK(pt_remap(root, b + PAGE_SIZE, 0x8000, RW) == ERR_OK);           /* a new entry */
	CHECK(host_tlb_flushes == flushes + 1 && lookup_is(root, b + PAGE_SIZE, 0x8000, RW));
	CHECK(pt_remap(root, a + 1, 0x8000, RW) == ERR_INVAL);
	CHECK(pt_remap(root, a, 0x8000, 0) == ERR_INVAL);
	CHECK(pt_unmap(root, a, PAGE_SIZE) == ERR_OK && !pt_lookup(root, a, NULL, NULL));
	CHECK(pt_unmap(root, a, PAGE_SIZE) == ERR_OK && pt_count_tables(root) == 4);
	CHECK(pt_unmap(root, b, PAGE_SIZE) == ERR_OK && pt_count_tables(root) == 4);
	CHECK(pt_unmap(root, b + PAGE_SIZE, PAGE_SIZE) == ERR_OK);
	CHECK(pt_count_tables(root) == 1 && pmm_free_pages() == base);
	/* a new page beside another tree's: only the tables missing are made */
	CHECK(pt_map(root, 0x1000, 0x5000, PAGE_SIZE, RW) == ERR_OK);
	CHECK(pt_remap(root, 0x200000, 0x6000, RW) == ERR_OK && pt_count_tables(root) == 5);
	CHECK(pt_unmap(root, 0x1000, PAGE_SIZE) == ERR_OK && pt_count_tables(root) == 4);
	CHECK(pt_unmap(root, 0x200000, PAGE_SIZE) == ERR_OK && pt_count_tables(root) == 1);
	/* inside a 2 MiB leaf */
	CHECK(pt_map(root, 0x400000, 0x400000, 2 * MIB, RW) == ERR_OK);
	size_t tables = pt_count_tables(root), nfree = pmm_free_pages();
	flushes = host_tlb_flushes;
	CHECK(pt_map(root, 0x401000, 0x5000, PAGE_SIZE, RW) == ERR_EXIST);
	CHECK(pt_unmap(root, 0x401000, PAGE_SIZE) == ERR_INVAL);
	CHECK(pt_protect(root, 0x401000, PAGE_SIZE, PROT_R) == ERR_INVAL);
	CHECK(pt_remap(root, 0x401000, 0x5000, RW) == ERR_INVAL);
	CHECK(host_tlb_flushes == flushes && pt_count_tables(root) == tables &&
	      pmm_free_pages() == nfree && lookup_is(root, 0x401000, 0x401000, RW));
	CHECK(pt_unmap(root, 0x400000, 2 * MIB) == ERR_OK && pt_count_tables(root) == 1);
	CHECK(pmm_free_pages() == base);
	pt_destroy(root);
	return true;
}
