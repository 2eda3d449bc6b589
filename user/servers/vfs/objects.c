/* SPDX-License-Identifier: MIT */
/*
 * The VFS server's object table: every object a client holds (the root
 * directory, an open file description, a pipe end) is an entry, and so is
 * every reference to a description (H_REF). A client's capability is
 * minted with the badge of a reference (vfs.h: index, generation, random
 * bits), never of the description: each capability the server hands out
 * (give() for an open, ref_give() for IO_DUP) is a reference of its own,
 * which IO_CLOSE through it, or the death of its holder, releases once.
 * Whoever holds a copy of one capability can only ever release that one
 * reference, not another holder's. The description goes with its last
 * reference. The root directory is named by its own badge and is never
 * released.
 */
#include "internal.h"

struct handle *hblock[HANDLE_MAX / HANDLE_BLOCK];
uint32_t hnext = 2;
static uint32_t hfree;
static uint64_t rng_state;
uint32_t hcount;
uint32_t nrefs;

/* splitmix64: badges' random bits, so a badge cannot be guessed from
 * another one (not a cryptographic generator). */
static uint64_t rng_next(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint32_t handle_index(const struct handle *h)
{
	return VFS_BADGE_INDEX(h->badge);
}

err_t handle_new(uint8_t kind, uint32_t flags, struct handle **out_h)
{
	struct handle *h;
	uint32_t i, gen;

	if (hfree) {
		i = hfree;
		hfree = handle_at(i)->next_free;
	} else {
		if (hnext == HANDLE_MAX)
			return ERR_MFILE;
		if (!hblock[hnext / HANDLE_BLOCK] &&
		    !(hblock[hnext / HANDLE_BLOCK] = tmpfs_alloc(HANDLE_BLOCK * sizeof(struct handle))))
			return ERR_NOMEM;
		i = hnext++;
	}
	h = handle_at(i);
	gen = h->gen;
	memset(h, 0, sizeof(*h));
	h->gen = gen;
	h->kind = kind;
	h->flags = flags;
	h->refs = 1;
	h->badge = i | (uint64_t)(gen & 0xffu) << 24 | (rng_next() & 0xffffffff00000000ull);
	if (kind == H_REF)
		nrefs++;
	else
		hcount++;
	*out_h = h;
	return ERR_OK;
}

/* The entry goes back to the free list. */
static void entry_put(struct handle *h)
{
	uint32_t i = handle_index(h);   /* (from the badge: before it goes) */

	h->kind = H_FREE;
	h->badge = 0;
	h->gen++;
	h->next_free = hfree;
	hfree = i;
}

/* Entries a new description or reference can still take: those never
 * used and those on the free list (walked: statfs asks, rarely). */
uint32_t handles_free(void)
{
	uint32_t n = HANDLE_MAX - hnext;

	for (uint32_t i = hfree; i && n < HANDLE_MAX; i = handle_at(i)->next_free)
		n++;
	return n;
}

/* Frees an entry whatever its references (the last reference went, or
 * the answer that made it never arrived). A reference's entry releases
 * its description (ref_close). */
void handle_free(struct handle *h)
{
	if (h->kind == H_REF) {
		ref_close(h);
		return;
	}
	if (h->kind == H_NODE) {
		if (can_write(h))
			fmap_sync(h->node);     /* a client's writes in the pages: mtime */
		if (h->snap)
			tmpfs_free(h->snap, h->snap_len ? h->snap_len : 1);
		lock_desc_freed(h);
		tmpfs_node_put(&fs, h->node);
	}
	else if (h->kind == H_PIPE_R || h->kind == H_PIPE_W)
		pipe_end_closed(h);
	entry_put(h);
	hcount--;
}

void handle_release(struct handle *h)
{
	if (h->refs == UINT32_MAX)
		return;                   /* the root */
	if (!--h->refs)
		handle_free(h);
}

/* A reference of description h: a new H_REF entry and a capability minted
 * with its badge (*cap), whose entry index is *index. more: the reference
 * is one more (h->refs grows: IO_DUP); else it is the one reference a new
 * description starts with (handle_new's refs 1). Errors: EMFILE (the table
 * or the count is full), ENOMEM; h is left as it was. The root has no
 * references: its capabilities are all badge POSIX_VFS_ROOT (*index
 * NO_ENTRY). */
err_t ref_mint(struct handle *h, bool more, cap_t *cap, uint32_t *index)
{
	struct handle *ref;
	uint64_t r[3];
	err_t e;

	if (h->refs == UINT32_MAX) {
		if ((e = cairn_cap_op(CAP_OP_MINT, ep, CAP_NULL, RIGHT_WRITE | RIGHT_GRANT, h->badge, r)))
			return e;
		*cap = r[0];
		*index = NO_ENTRY;
		return ERR_OK;
	}
	if (more && h->refs == UINT32_MAX - 1)
		return ERR_MFILE;
	if ((e = handle_new(H_REF, 0, &ref)))
		return e;
	if ((e = cairn_cap_op(CAP_OP_MINT, ep, CAP_NULL, RIGHT_WRITE | RIGHT_GRANT, ref->badge, r))) {
		entry_put(ref);
		nrefs--;
		return e;
	}
	ref->desc = h;
	ref->desc_badge = h->badge;
	if (more)
		h->refs++;
	*cap = r[0];
	*index = handle_index(ref);
	return ERR_OK;
}

/* The reference ref goes (IO_CLOSE through it, its holder died, or the
 * answer that carried it never arrived), and with it one reference of its
 * description, unless that is gone already. */
void ref_close(struct handle *ref)
{
	struct handle *d = ref->desc;
	bool live = d->kind != H_FREE && d->badge == ref->desc_badge;

	entry_put(ref);
	nrefs--;
	if (live)
		handle_release(d);
}

/* Hands a new description h to the caller: a capability of its first
 * reference. On failure the description is freed. */
err_t give(struct srv_ans *a, struct handle *h)
{
	uint32_t index;
	cap_t cap;
	err_t e = ref_mint(h, false, &cap, &index);

	if (e) {
		handle_free(h);
		return e;
	}
	a->caps[a->ncaps] = cap;
	a->made[a->ncaps] = index;
	a->ncaps++;
	return ERR_OK;
}

/* IO_DUP: one more reference of h, as the answer's capability. */
err_t ref_give(struct srv_ans *a, struct handle *h)
{
	uint32_t index;
	cap_t cap;
	err_t e = ref_mint(h, true, &cap, &index);

	if (e)
		return e;
	a->caps[a->ncaps] = cap;
	a->made[a->ncaps] = index;
	a->ncaps++;
	return ERR_OK;
}

/* Seeds the badges' random bits and makes entry 1: the root directory,
 * shared by every holder of badge POSIX_VFS_ROOT (and of badge 0). */
err_t objects_init(uint64_t seed)
{
	struct handle *root;

	rng_state = seed;
	if (!(hblock[0] = tmpfs_alloc(HANDLE_BLOCK * sizeof(struct handle))))
		return ERR_NOMEM;
	root = handle_at(POSIX_VFS_ROOT);
	root->kind = H_NODE;
	root->badge = POSIX_VFS_ROOT;
	root->refs = UINT32_MAX;
	root->flags = LINUX_O_RDONLY | LINUX_O_DIRECTORY;
	root->node = fs.root;
	tmpfs_node_get(fs.root);
	hcount = 1;
	return ERR_OK;
}
