/* SPDX-License-Identifier: MIT */
/*
 * The VFS server's object table: every object a client holds (the root
 * directory, an open file description, a pipe end) is an entry, named by
 * the badge of the client's capability (vfs.h: index, generation, random
 * bits). give() hands an entry out as a capability minted with its badge.
 */
#include "internal.h"

struct handle *hblock[HANDLE_MAX / HANDLE_BLOCK];
uint32_t hnext = 2;
static uint32_t hfree;
static uint64_t rng_state;
uint32_t hcount;

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
	hcount++;
	*out_h = h;
	return ERR_OK;
}

/* Frees an entry whatever its references (the last reference went, or
 * the answer that made it never arrived). */
void handle_free(struct handle *h)
{
	uint32_t i = handle_index(h);

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
	h->kind = H_FREE;
	h->badge = 0;
	h->gen++;
	h->next_free = hfree;
	hfree = i;
	hcount--;
}

void handle_release(struct handle *h)
{
	if (h->refs == UINT32_MAX)
		return;                   /* the root */
	if (!--h->refs)
		handle_free(h);
}

/* Hands entry h to the caller: a capability minted with its badge. On
 * failure the entry is freed. */
err_t give(struct srv_ans *a, struct handle *h)
{
	uint64_t r[3];
	err_t e = cairn_cap_op(CAP_OP_MINT, ep, CAP_NULL, RIGHT_WRITE | RIGHT_GRANT, h->badge, r);

	if (e) {
		handle_free(h);
		return e;
	}
	a->caps[a->ncaps] = r[0];
	a->made[a->ncaps] = handle_index(h);
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
