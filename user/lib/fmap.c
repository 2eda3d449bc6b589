// SPDX-License-Identifier: MIT
/*
 * File pages, the server's half: the slot table and the paged
 * MemoryObjects of files (<cairn/fmap.h>). The VFS's tmpfs and the ext2
 * server (user/servers/ext2/pages.c) use it.
 */
#include <string.h>
#include <cairn/counter.h>
#include <cairn/fmap.h>
#include <cairn/rt.h>

#define PAGE          CAIRN_PAGE_SIZE
#define TABLE_PAGES   ((POSIX_FMAP_SLOTS * sizeof(struct posix_fmap_slot) + PAGE - 1) / PAGE)
#define ZERO_PAGES    64u
#define MIN_PAGES     16u             /* slack: a new file's object has at least this many */

static cap_t pager_ep = CAP_NULL;
static cap_t table_obj = CAP_NULL, zero_obj = CAP_NULL, scratch_obj = CAP_NULL;
static volatile struct posix_fmap_slot *slots;
static uint8_t *scratch;
static struct fmap_file *files[POSIX_FMAP_SLOTS];
static uint32_t nfiles, key_gen;
static uint64_t key_rand;

err_t fmap_init(cap_t ep)
{
	void *va;
	err_t e;

	pager_ep = ep;
	/* keys differ from server to server (a client tells their tables
	 * apart by them) and from boot to boot; the counter, not
	 * cairn_now_ns(): a musl-port server (ext2) has no libcairn clock */
	key_rand = (clock_counter() ^ (uint64_t)(uintptr_t)&ep) * 0x9e3779b97f4a7c15ull;
	if ((e = cairn_memobj_create(SLOT_SELF_PROC, TABLE_PAGES, 0, &table_obj)) ||
	    (e = cairn_map(table_obj, 0, TABLE_PAGES, CAIRN_PROT_R | CAIRN_PROT_W, &va)))
		return e;
	slots = va;
	/* a paged object no pager fills: every page absent, so a supply
	 * from it gives zero pages, and it costs no quota */
	if ((e = cairn_memobj_create(SLOT_SELF_PROC, ZERO_PAGES, MEMOBJ_PAGED, &zero_obj)) ||
	    (e = cairn_memobj_create(SLOT_SELF_PROC, 1, 0, &scratch_obj)) ||
	    (e = cairn_map(scratch_obj, 0, 1, CAIRN_PROT_R | CAIRN_PROT_W, &va)))
		return e;
	scratch = va;
	return ERR_OK;
}

cap_t fmap_table(void)
{
	return table_obj;
}

uint32_t fmap_count(void)
{
	return nfiles;
}

static uint64_t pages_of(uint64_t bytes)
{
	return (bytes + PAGE - 1) / PAGE;
}

static void publish(const struct fmap_file *f)
{
	volatile struct posix_fmap_slot *s = &slots[f->slot];

	/* size before pages when shrinking, after when growing: a reader of
	 * the slot never sees a size past the pages */
	s->pages = f->pages > s->pages ? f->pages : s->pages;
	__atomic_store_n(&s->size, f->size, __ATOMIC_RELEASE);
	s->pages = f->pages;
	__atomic_store_n(&s->key, f->key, __ATOMIC_RELEASE);
}

err_t fmap_file_new(struct fmap_file *f, uint64_t size, void *user)
{
	uint64_t pages = pages_of(size);
	uint32_t i;
	void *va;
	err_t e;

	if (size > POSIX_FMAP_MAX)
		return ERR_FBIG;
	if (!slots)
		return ERR_NODEV;
	for (i = 0; i < POSIX_FMAP_SLOTS && files[i]; i++)
		;
	if (i == POSIX_FMAP_SLOTS)
		return ERR_NOSPC;
	if (pages < MIN_PAGES)
		pages = MIN_PAGES;
	*f = (struct fmap_file){ .slot = i, .size = size, .pages = pages, .user = user };
	/* the key: the slot in the low bits, a generation above (a page
	 * request for a file that is gone finds no file) */
	f->key = ((key_rand + ++key_gen * 0x632be59bd9b4e019ull) & ~0xffffull) | i;
	if (!(f->key >> 16))
		f->key |= 1ull << 62;
	if ((e = cairn_memobj_create(SLOT_SELF_PROC, pages, MEMOBJ_PAGED, &f->obj)))
		return e;
	if ((e = cairn_pager_set(f->obj, pager_ep, f->key, size)) ||
	    (e = cairn_map(f->obj, 0, pages, CAIRN_PROT_R | CAIRN_PROT_W, &va))) {
		cairn_cap_delete(f->obj);
		return e;
	}
	f->va = va;
	files[i] = f;
	nfiles++;
	publish(f);
	return ERR_OK;
}

static void file_end(struct fmap_file *f, bool revoke)
{
	__atomic_store_n(&slots[f->slot].key, 0, __ATOMIC_RELEASE);
	slots[f->slot].size = 0;
	slots[f->slot].pages = 0;
	files[f->slot] = NULL;
	nfiles--;
	cairn_unmap(f->va, f->pages);
	/* revoked: clients' copies go too (their mappings keep the object) */
	if (revoke)
		cairn_cap_op(CAP_OP_REVOKE, f->obj, 0, 0, 0, NULL);
	cairn_cap_delete(f->obj);
	f->obj = CAP_NULL;
}

void fmap_file_free(struct fmap_file *f)
{
	file_end(f, true);
}

void fmap_file_release(struct fmap_file *f)
{
	file_end(f, false);
}

struct fmap_file *fmap_at(uint32_t i)
{
	return i < POSIX_FMAP_SLOTS ? files[i] : NULL;
}

struct fmap_file *fmap_find(uint64_t key)
{
	struct fmap_file *f = files[key & 0xffff & (POSIX_FMAP_SLOTS - 1)];

	return f && f->key == key ? f : NULL;
}

struct fmap_file *fmap_request(uint64_t key, uint64_t first, uint64_t count, uint64_t *end)
{
	struct fmap_file *f = fmap_find(key);

	if (!f || first >= f->pages || count > f->pages - first)
		return NULL;
	*end = pages_of(f->size);
	if (first + count < *end)
		*end = first + count;
	return f;
}

/* Gives the object `pages` pages (and the server's window with them). */
static err_t grow_pages(struct fmap_file *f, uint64_t pages)
{
	void *va;
	err_t e;

	if (pages <= f->pages)
		return ERR_OK;
	if (pages < 2 * f->pages)
		pages = 2 * f->pages;
	if (pages > POSIX_FMAP_MAX / PAGE)
		pages = POSIX_FMAP_MAX / PAGE;
	/* the object's pages grow with its size: up, then back to the size */
	if ((e = cairn_pager_resize(f->obj, pages * PAGE)) ||
	    (e = cairn_pager_resize(f->obj, f->size)))
		return e;
	if ((e = cairn_map(f->obj, 0, pages, CAIRN_PROT_R | CAIRN_PROT_W, &va)))
		return e;
	cairn_unmap(f->va, f->pages);
	f->va = va;
	f->pages = pages;
	return ERR_OK;
}

err_t fmap_resize(struct fmap_file *f, uint64_t size)
{
	err_t e;

	if (size > POSIX_FMAP_MAX)
		return ERR_FBIG;
	if ((e = grow_pages(f, pages_of(size))) || (e = cairn_pager_resize(f->obj, size)))
		return e;
	f->size = size;
	publish(f);
	return ERR_OK;
}

err_t fmap_reserve(struct fmap_file *f, uint64_t pages)
{
	err_t e;

	if (pages > POSIX_FMAP_MAX / PAGE)
		return ERR_FBIG;
	if ((e = grow_pages(f, pages)))
		return e;
	publish(f);
	return ERR_OK;
}

err_t fmap_zero(struct fmap_file *f, uint64_t first, uint64_t count)
{
	err_t e;

	while (count) {
		uint64_t k = count < ZERO_PAGES ? count : ZERO_PAGES;

		if ((e = cairn_pager_supply(f->obj, first, k, zero_obj, 0, NULL)))
			return e;
		first += k;
		count -= k;
	}
	return ERR_OK;
}

bool fmap_supply_bytes(struct fmap_file *f, uint64_t idx, const void *data, size_t n)
{
	uint64_t got = 0;

	memcpy(scratch, data, n);
	memset(scratch + n, 0, PAGE - n);
	/* the page is shared copy-on-write with the scratch page: the next
	 * write here copies it */
	return !cairn_pager_supply(f->obj, idx, 1, scratch_obj, 0, &got) && got;
}

bool fmap_present(struct fmap_file *f, uint64_t idx)
{
	return cairn_invoke(f->obj, MEMOBJ_READ, 0, idx * PAGE, 1, 0, 0, NULL) != ERR_AGAIN;
}

cap_t fmap_give_obj(const struct fmap_file *f, bool write)
{
	cap_t c;

	return cairn_cap_copy(f->obj, RIGHT_READ | RIGHT_EXEC | (write ? RIGHT_WRITE : 0), &c) ? CAP_NULL : c;
}

cap_t fmap_give_table(void)
{
	cap_t c;

	return cairn_cap_copy(table_obj, RIGHT_READ, &c) ? CAP_NULL : c;
}
