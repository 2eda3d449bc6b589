// SPDX-License-Identifier: MIT
/*
 * The portable page-table walker, for every arch whose tables are radix
 * trees of 512 eight-byte entries a level (riscv64 Sv39/Sv48, x86-64).
 * Level 0 holds 4 KiB leaves; level L covers 4 KiB << 9L. The number of
 * levels comes from arch_pt_levels(); the arch only encodes entries.
 *
 * Every operation checks its whole range before changing anything, so a
 * failure leaves the tables as they were (except ERR_NOMEM while mapping).
 *
 * Each table's page descriptor counts its nonzero entries (struct
 * page.inuse, written by set_entry() only), so that "is this table empty
 * now" after an unmap is one compare, not a scan of 512 entries. Mapping,
 * unmapping or re-protecting one 4 KiB page (what faults and memory
 * objects do, page by page) walks straight down the tree (page_walk());
 * ranges take the general recursive walk.
 */
#include <arch.h>
#include <kernel/mm.h>
#include <string.h>

#define ENTRIES 512

static inline pte_t *table(paddr_t pa) { return phys_to_virt(pa); }
static inline unsigned index_of(vaddr_t va, unsigned level) { return (va >> (PAGE_SHIFT + 9 * level)) & 511; }
static inline uint64_t level_size(unsigned level) { return 1ull << (PAGE_SHIFT + 9 * level); }
static inline unsigned top_level(void) { return arch_pt_levels() - 1; }

/* Range [va, end) is inclusive of va, exclusive of end; end 0 means 2^64. */
static vaddr_t slot_end(vaddr_t va, unsigned level, vaddr_t end)
{
	vaddr_t next = ALIGN_DOWN(va, level_size(level)) + level_size(level);

	return (next == 0 || (end != 0 && next > end)) ? end : next;
}

/* Table pages allocated and not yet freed, all trees together: address
 * spaces charge the difference an operation makes to their quota. */
size_t pt_tables_live;
unsigned long pt_tlb_flushes;

/* An entry that was valid changed: this CPU's TLB forgets it, and the
 * count tells the caller that other CPUs' must too. */
static inline void tlb_flush_page(vaddr_t va)
{
	arch_tlb_flush_page(va);
	pt_tlb_flushes++;
}

/* Table pages set aside by pt_reserve() for the operation under way
 * (`spare`, not zeroed yet: most go back unused), linked through their
 * first entry; while `reserving`, a table freed goes on `freed` (empty, so
 * zeroed already: a re-map of the page takes it again as it is). */
static paddr_t spare = PADDR_INVALID, freed = PADDR_INVALID;
static bool reserving;

/* The count of nonzero entries of table t, in its page descriptor. */
static inline uint16_t *entries_of(paddr_t t) { return &pmm_page(t)->inuse; }

/* Writes entry i of table t, keeping its count. */
static inline void set_entry(paddr_t t, unsigned i, pte_t v)
{
	pte_t *slot = &table(t)[i];
	int d = (v != 0) - (*slot != 0);

	*slot = v;
	if (d)
		*entries_of(t) += d;
}

static bool table_empty(paddr_t t)
{
	return *entries_of(t) == 0;
}

paddr_t pt_create(void)
{
	paddr_t t = page_stack_pop(&freed);

	if (t == PADDR_INVALID) {
		t = page_stack_pop(&spare);
		if (t != PADDR_INVALID)
			memset(table(t), 0, PAGE_SIZE);
		else
			t = pmm_alloc_zeroed(0);
	}
	if (t != PADDR_INVALID) {
		*entries_of(t) = 0;
		pt_tables_live++;
	}
	return t;
}

static void table_free(paddr_t t)
{
	if (reserving)   /* an empty one is all zeros (pt_destroy() frees full ones) */
		page_stack_push(table_empty(t) ? &freed : &spare, t);
	else
		pmm_free(t, 0);
	pt_tables_live--;
}

err_t pt_reserve(size_t n)
{
	err_t e = page_stack_fill(&spare, n);

	reserving = !e;
	return e;
}

void pt_release(void)
{
	reserving = false;
	page_stack_free(&spare);
	page_stack_free(&freed);
}

void pt_count_missing(paddr_t root, vaddr_t va, vaddr_t seen[PT_LEVELS_MAX], size_t *n)
{
	paddr_t t = root;

	for (unsigned level = top_level(); level > 0; level--) {
		pte_t e = table(t)[index_of(va, level)];
		if (!arch_pte_valid(e)) {
			/* a table for each level below, unless counted already
			 * (1 + the block: nonzero even for the block at 0) */
			for (unsigned l = level; l > 0; l--) {
				vaddr_t b = ALIGN_DOWN(va, level_size(l)) + 1;
				if (seen[l] != b) {
					seen[l] = b;
					(*n)++;
				}
			}
			return;
		}
		if (arch_pte_is_leaf(e, level))
			return;
		t = arch_pte_addr(e);
	}
}

/* Is anything mapped in [va, end)? */
static bool any_mapped(paddr_t t, unsigned level, vaddr_t va, vaddr_t end)
{
	while (va != end) {
		vaddr_t se = slot_end(va, level, end);
		pte_t e = table(t)[index_of(va, level)];
		if (arch_pte_valid(e)) {
			if (level == 0 || arch_pte_is_leaf(e, level))
				return true;
			paddr_t child = arch_pte_addr(e);
			if (*entries_of(child) && any_mapped(child, level - 1, va, se))
				return true;
		}
		va = se;
	}
	return false;
}

/* Does [va, end) cut through a large leaf? (Level 0 holds 4 KiB leaves
 * only: never looked into.) */
static bool splits_leaf(paddr_t t, unsigned level, vaddr_t va, vaddr_t end)
{
	while (va != end) {
		vaddr_t se = slot_end(va, level, end);
		pte_t e = table(t)[index_of(va, level)];
		if (level > 0 && arch_pte_valid(e)) {
			bool whole = IS_ALIGNED(va, level_size(level)) && se - va == level_size(level);
			if (arch_pte_is_leaf(e, level)) {
				if (!whole)
					return true;
			} else if (level > 1 && splits_leaf(arch_pte_addr(e), level - 1, va, se)) {
				return true;
			}
		}
		va = se;
	}
	return false;
}

static err_t map_level(paddr_t t, unsigned level, vaddr_t va, vaddr_t end, paddr_t pa, unsigned prot)
{
	while (va != end) {
		vaddr_t se = slot_end(va, level, end);
		unsigned i = index_of(va, level);
		pte_t *slot = &table(t)[i];
		bool whole = IS_ALIGNED(va, level_size(level)) && se - va == level_size(level);

		if (level == 0 || (whole && IS_ALIGNED(pa, level_size(level)) && arch_leaf_ok(level))) {
			set_entry(t, i, arch_pte_leaf(pa, prot, level));
		} else {
			if (!arch_pte_valid(*slot)) {
				paddr_t nt = pt_create();
				if (nt == PADDR_INVALID)
					return ERR_NOMEM;
				set_entry(t, i, arch_pte_table(nt));
			}
			err_t e = map_level(arch_pte_addr(*slot), level - 1, va, se, pa, prot);
			if (e)
				return e;
		}
		pa += se - va;
		va = se;
	}
	return ERR_OK;
}

/* A leaf needs one of R, W, X: without them an entry means "next table". */
static bool prot_ok(unsigned prot)
{
	return prot & (PROT_R | PROT_W | PROT_X);
}

static err_t check_range(vaddr_t va, size_t size)
{
	if (size == 0 || !IS_ALIGNED(va, PAGE_SIZE) || !IS_ALIGNED(size, PAGE_SIZE))
		return ERR_INVAL;
	if (va + size != 0 && va + size < va)
		return ERR_INVAL;
	return ERR_OK;
}

/*
 * One 4 KiB page at va, straight down the tree: the level-0 table that
 * holds it, creating missing tables when `create` (NULL for ERR_NOMEM),
 * else NULL when a table is missing; *large is set when a large leaf
 * covers va (NULL returned). path[level] (top to 0) gets the table at
 * each level reached.
 */
static pte_t *page_walk(paddr_t root, vaddr_t va, bool create, bool *large, paddr_t *path)
{
	paddr_t t = root;

	*large = false;
	for (unsigned level = top_level(); level > 0; level--) {
		unsigned i = index_of(va, level);
		pte_t e = table(t)[i];

		path[level] = t;
		if (!arch_pte_valid(e)) {
			if (!create)
				return NULL;
			paddr_t nt = pt_create();
			if (nt == PADDR_INVALID)
				return NULL;
			set_entry(t, i, arch_pte_table(nt));
			t = nt;
		} else if (arch_pte_is_leaf(e, level)) {
			*large = true;
			return NULL;
		} else {
			t = arch_pte_addr(e);
		}
	}
	path[0] = t;
	return &table(t)[index_of(va, 0)];
}

/* pt_map() of one page: nothing is created when va is mapped (tables are
 * created only below a missing entry, where nothing can be). */
static err_t map_page(paddr_t root, vaddr_t va, paddr_t pa, unsigned prot)
{
	paddr_t path[PT_LEVELS_MAX];
	bool large;
	pte_t *slot = page_walk(root, va, true, &large, path);

	if (large)
		return ERR_EXIST;
	if (!slot)
		return ERR_NOMEM;
	if (arch_pte_valid(*slot))
		return ERR_EXIST;
	set_entry(path[0], index_of(va, 0), arch_pte_leaf(pa, prot, 0));
	return ERR_OK;
}

/* update_level() of one page: unmaps (prot < 0) or re-protects it; an
 * unmap frees the tables it leaves empty, from the bottom up. */
static err_t update_page(paddr_t root, vaddr_t va, int prot)
{
	paddr_t path[PT_LEVELS_MAX];
	unsigned level = top_level();
	bool large;
	pte_t *slot = page_walk(root, va, false, &large, path);

	if (large)
		return ERR_INVAL;     /* would split the leaf */
	if (slot) {
		if (arch_pte_valid(*slot)) {
			set_entry(path[0], index_of(va, 0),
				  prot < 0 ? 0 : arch_pte_leaf(arch_pte_addr(*slot), (unsigned)prot, 0));
			tlb_flush_page(va);
		}
		level = 0;
	} else {
		/* the deepest table reached, whose entry for va is missing */
		while (level > 0 && arch_pte_valid(table(path[level])[index_of(va, level)]))
			level--;
	}
	if (prot < 0) {
		for (; level < top_level() && table_empty(path[level]); level++) {
			set_entry(path[level + 1], index_of(va, level + 1), 0);
			table_free(path[level]);
		}
	}
	return ERR_OK;
}

err_t pt_remap(paddr_t root, vaddr_t va, paddr_t pa, unsigned prot)
{
	paddr_t path[PT_LEVELS_MAX];
	bool large;
	pte_t *slot;

	if (!IS_ALIGNED(va, PAGE_SIZE) || !IS_ALIGNED(pa, PAGE_SIZE) || !prot_ok(prot))
		return ERR_INVAL;
	slot = page_walk(root, va, true, &large, path);
	if (large)
		return ERR_INVAL;
	if (!slot)
		return ERR_NOMEM;
	bool was = arch_pte_valid(*slot);
	set_entry(path[0], index_of(va, 0), arch_pte_leaf(pa, prot, 0));
	if (was)
		tlb_flush_page(va);
	return ERR_OK;
}

err_t pt_map(paddr_t root, vaddr_t va, paddr_t pa, size_t size, unsigned prot)
{
	err_t e = check_range(va, size);

	if (e || !IS_ALIGNED(pa, PAGE_SIZE) || !prot_ok(prot))
		return ERR_INVAL;
	if (size == PAGE_SIZE)
		return map_page(root, va, pa, prot);
	if (any_mapped(root, top_level(), va, va + size))
		return ERR_EXIST;
	return map_level(root, top_level(), va, va + size, pa, prot);
}

/* Unmaps (prot < 0) or re-protects leaves in [va, end). */
static void update_level(paddr_t t, unsigned level, vaddr_t va, vaddr_t end, int prot)
{
	while (va != end) {
		vaddr_t se = slot_end(va, level, end);
		unsigned i = index_of(va, level);
		pte_t *slot = &table(t)[i];

		if (arch_pte_valid(*slot)) {
			if (level == 0 || arch_pte_is_leaf(*slot, level)) {
				set_entry(t, i, prot < 0 ? 0 : arch_pte_leaf(arch_pte_addr(*slot), (unsigned)prot, level));
				tlb_flush_page(va);
			} else {
				paddr_t child = arch_pte_addr(*slot);
				if (*entries_of(child))
					update_level(child, level - 1, va, se, prot);
				if (prot < 0 && table_empty(child)) {
					set_entry(t, i, 0);
					table_free(child);
				}
			}
		}
		va = se;
	}
}

err_t pt_unmap(paddr_t root, vaddr_t va, size_t size)
{
	err_t e = check_range(va, size);

	if (e)
		return e;
	if (size == PAGE_SIZE)
		return update_page(root, va, -1);
	if (splits_leaf(root, top_level(), va, va + size))
		return ERR_INVAL;
	update_level(root, top_level(), va, va + size, -1);
	return ERR_OK;
}

err_t pt_protect(paddr_t root, vaddr_t va, size_t size, unsigned prot)
{
	err_t e = check_range(va, size);

	if (e || !prot_ok(prot))
		return ERR_INVAL;
	if (size == PAGE_SIZE)
		return update_page(root, va, (int)prot);
	if (splits_leaf(root, top_level(), va, va + size))
		return ERR_INVAL;
	update_level(root, top_level(), va, va + size, (int)prot);
	return ERR_OK;
}

bool pt_lookup(paddr_t root, vaddr_t va, paddr_t *pa, unsigned *prot)
{
	paddr_t t = root;

	for (int level = top_level(); level >= 0; level--) {
		pte_t e = table(t)[index_of(va, level)];
		if (!arch_pte_valid(e))
			return false;
		if (level == 0 || arch_pte_is_leaf(e, level)) {
			if (pa)
				*pa = arch_pte_addr(e) + (va & (level_size(level) - 1));
			if (prot)
				*prot = arch_pte_prot(e);
			return true;
		}
		t = arch_pte_addr(e);
	}
	return false;
}

static size_t walk_tables(paddr_t t, unsigned level, bool free_them)
{
	size_t n = 1;

	if (level > 0) {
		for (unsigned i = 0; i < ENTRIES; i++) {
			pte_t e = table(t)[i];
			if (arch_pte_valid(e) && !arch_pte_is_leaf(e, level))
				n += walk_tables(arch_pte_addr(e), level - 1, free_them);
		}
	}
	if (free_them)
		table_free(t);
	return n;
}

void pt_destroy(paddr_t root)
{
	walk_tables(root, top_level(), true);
}

/* The upper half of every user tree is the kernel's: shared, never freed. */
#define USER_TOP_ENTRIES (ENTRIES / 2)

paddr_t pt_create_user(void)
{
	paddr_t root = pt_create();

	if (root != PADDR_INVALID)
		for (unsigned i = USER_TOP_ENTRIES; i < ENTRIES; i++)
			set_entry(root, i, table(kernel_root)[i]);
	return root;
}

void pt_destroy_user(paddr_t root)
{
	unsigned top = top_level();

	for (unsigned i = 0; i < USER_TOP_ENTRIES; i++) {
		pte_t e = table(root)[i];
		if (arch_pte_valid(e) && !arch_pte_is_leaf(e, top))
			walk_tables(arch_pte_addr(e), top - 1, true);
	}
	table_free(root);
}

size_t pt_count_tables(paddr_t root)
{
	return walk_tables(root, top_level(), false);
}
