/* SPDX-License-Identifier: MIT */
/*
 * File pages, the server's half (include/cairn/posix.h, "File pages";
 * docs/vfs.md): what any file server (the VFS's tmpfs, an ext2 server)
 * needs to give its regular files' bytes to clients as MemoryObjects it
 * pages.
 *
 * - The slot table: one MemoryObject of POSIX_FMAP_SLOTS struct
 *   posix_fmap_slot, mapped read-write here and handed to clients
 *   read-only; each file with shared pages has a slot whose size and
 *   pages the server keeps true.
 * - A file: a paged MemoryObject (MEMOBJ_PAGED) bound to the server's
 *   Endpoint with the file's key as the badge of its page requests, mapped
 *   read-write in the server (its own reads and writes of the file go
 *   through that mapping, after fmap_present()), its pages grown with
 *   slack so that a file written in small pieces is not re-mapped at each.
 *
 * The server stays the pager: page requests (CAIRN_PAGER_LABEL) arrive on
 * its Endpoint with a key fmap_find() turns back into the file; what
 * bytes a page holds is the server's business (fmap_zero() for a hole,
 * fmap_supply_bytes() for bytes it has elsewhere). Single-threaded: the
 * server's receive loop.
 */
#ifndef CAIRN_FMAP_H
#define CAIRN_FMAP_H
#include <stdbool.h>
#include <stdint.h>
#include <cairn/posix.h>
#include <cairn/sys.h>

struct fmap_file {
	cap_t obj;                  /* the paged MemoryObject, the server's (RIGHT_MANAGE) */
	uint8_t *va;                /* the server's mapping of its pages */
	uint64_t pages;             /* pages the object has (and the server maps) */
	uint64_t size;              /* bytes: the pager's size, the slot's */
	uint64_t key;
	uint32_t slot;
	void *user;                 /* the server's word: its file */
};

/*
 * Makes the slot table and the zero and scratch objects; ep is the
 * Endpoint page requests go to (the server's, receive right). Errors:
 * those of creating and mapping MemoryObjects.
 */
err_t fmap_init(cap_t ep);
/* The slot table's MemoryObject (the server's capability: copy it
 * read-only to hand it out). */
cap_t fmap_table(void);
/* Files with shared pages now, and the most there may be. */
uint32_t fmap_count(void);

/*
 * A new file of size bytes (at most POSIX_FMAP_MAX) with shared pages:
 * no page present yet. ERR_NOSPC: every slot is taken; ERR_FBIG: too
 * big; or the kernel's error (quota). user is the server's word.
 */
err_t fmap_file_new(struct fmap_file *f, uint64_t size, void *user);
/* Its end: the slot freed (key 0), the object's capability deleted.
 * Clients' capabilities and mappings keep the object alive, but every
 * later page request for it is refused (the key is gone). fmap_file_free
 * also revokes the clients' capabilities (the VFS's); fmap_file_release
 * leaves them (a musl-port client deletes its copy by slot number later:
 * a revoked slot may hold another capability by then). */
void fmap_file_free(struct fmap_file *f);
void fmap_file_release(struct fmap_file *f);
/* The file whose key a page request came with, or NULL. */
struct fmap_file *fmap_find(uint64_t key);
/* A page request's file (key: the request's badge) when pages [first,
 * first + count) lie in its object, else NULL; *end: the first page past
 * the ones asked for that lie below its size (the pages to supply are
 * [first, *end)). */
struct fmap_file *fmap_request(uint64_t key, uint64_t first, uint64_t count, uint64_t *end);
/* The file in slot i, or NULL (a walk over every file). */
struct fmap_file *fmap_at(uint32_t i);

/*
 * The file is size bytes from now on (MEMOBJ_RESIZE): pages past it are
 * dropped (the tail of a partial last page is the caller's to clear),
 * and growing past the object's pages adds pages with slack (re-mapping
 * the server's window). The slot says so. ERR_FBIG: past POSIX_FMAP_MAX;
 * ERR_NOMEM.
 */
err_t fmap_resize(struct fmap_file *f, uint64_t size);
/* At least `pages` pages (mmap past the end), the size unchanged. */
err_t fmap_reserve(struct fmap_file *f, uint64_t pages);

/* Supplies zero pages to the absent pages of [first, first + count)
 * (inside the size). */
err_t fmap_zero(struct fmap_file *f, uint64_t first, uint64_t count);
/* Supplies page idx if absent, holding n bytes of data then zeros
 * (n <= 4096): whether it was absent. */
bool fmap_supply_bytes(struct fmap_file *f, uint64_t idx, const void *data, size_t n);
/* Whether page idx is present (MEMOBJ_READ of one byte: ERR_AGAIN). */
bool fmap_present(struct fmap_file *f, uint64_t idx);

/*
 * Capability copies for an answer: the object with rights rx (+ w when
 * write), never RIGHT_MANAGE, and the slot table read-only; CAP_NULL on
 * failure. The caller deletes its copies once the answer is through.
 */
cap_t fmap_give_obj(const struct fmap_file *f, bool write);
cap_t fmap_give_table(void);

#endif
