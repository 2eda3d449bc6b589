/* SPDX-License-Identifier: MIT */
/*
 * The ext2 server's block cache and libext2fs I/O manager (bcache.c). It
 * makes no Cairn system call: the device is a struct bdev (read, write,
 * flush of whole device blocks), which the server backs with the block
 * protocol (blkdev.c) and the host tests with a file
 * (tests/host/test_ext2.c), so the same cache runs in both.
 */
#ifndef EXT2_BCACHE_H
#define EXT2_BCACHE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <ext2fs/ext2fs.h>

/* A device: whole blocks of bsize bytes, at most max_io bytes a request.
 * The functions answer 0 or an errno (EIO, EROFS, EINVAL). */
struct bdev {
	uint64_t capacity;                 /* bytes */
	uint32_t bsize;                    /* a power of two, at most BCACHE_PAGE */
	uint32_t max_io;                   /* a multiple of BCACHE_PAGE */
	bool can_flush;                    /* flush() empties a write cache of the device */
	bool ro;
	/* The device's own buffer of max_io bytes (the block session's shared
	 * data area), or NULL. When set, the cache copies its pages straight
	 * into and out of it and read() and write() are always given it as
	 * buf: no staging copy. */
	void *area;
	int (*read)(struct bdev *d, uint64_t pos, uint32_t len, void *buf);
	int (*write)(struct bdev *d, uint64_t pos, uint32_t len, const void *buf);
	int (*flush)(struct bdev *d);
	void *priv;
};

#define BCACHE_PAGE 4096u

struct bcache_stats {
	uint64_t hits, misses, reads, writes, flushes;   /* device requests */
	uint32_t pages, dirty, max_pages;
};

/*
 * The I/O manager (ext2fs_open's io_manager) over the device given to
 * bcache_init(): write-back pages of BCACHE_PAGE bytes, at most
 * max_pages of them (least recently used go first; a dirty one is written
 * first). io_channel_flush (ext2fs_flush, ext2fs_close) writes every
 * dirty page and then flushes the device when it can. A failed write
 * keeps the page dirty and answers EIO.
 */
extern io_manager bcache_io_manager;

/* Names the device for the next ext2fs_open (one device at a time). */
void bcache_init(struct bdev *d, uint32_t max_pages);
/* Writes every dirty page and flushes the device (0 or an errno). */
int bcache_sync(void);
/* The next write of exactly len bytes at pos (one whole block) changes
 * only its bytes [off, off + n): only those are copied into the cache.
 * libext2fs writes an inode as its whole block, from a copy of the block
 * it read through the cache and changed only there; xfs.c's write_inode
 * hook names the inode's bytes. Any write takes the hint away. */
void bcache_hint(uint64_t pos, uint32_t len, uint32_t off, uint32_t n);
/* Forgets every page (after bcache_sync(); tests: read from the device again). */
void bcache_drop(void);
void bcache_get_stats(struct bcache_stats *s);

#endif
