/* SPDX-License-Identifier: MIT */
/*
 * The ext2 server's device: the block cache's struct bdev over the block
 * protocol (include/cairn/blk.h, libcairn's client <cairn/blk_client.h>).
 * Data moves through the session's shared data area (BLKDEV_IO bytes: the
 * device reads and writes it directly; no other memory is ever given to
 * the device), one request at a time. The area is the cache's I/O buffer
 * (struct bdev's area): the cache copies its pages straight into and out
 * of it, so a request moves no other copy.
 */
#include <errno.h>
#include <string.h>
#include <cairn/libc.h>
#include <cairn/blk_client.h>
#include <cairn/dev_client.h>
#include "ext2.h"

static struct blk_client bc;

static int to_errno(err_t e)
{
	return e == ERR_ROFS ? EROFS : e == ERR_INVAL ? EINVAL : EIO;
}

static int bd_read(struct bdev *d, uint64_t pos, uint32_t len, void *buf)
{
	err_t e;

	if (len > BLKDEV_IO)
		return EINVAL;
	if ((e = blk_io(&bc, BLK_OP_READ, pos, len, BLK_DATA_OFF)))
		return to_errno(e);
	if (buf != blk_data(&bc))
		memcpy(buf, blk_data(&bc), len);
	return 0;
}

static int bd_write(struct bdev *d, uint64_t pos, uint32_t len, const void *buf)
{
	err_t e;

	if (len > BLKDEV_IO)
		return EINVAL;
	if (buf != blk_data(&bc))
		memcpy(blk_data(&bc), buf, len);
	if ((e = blk_io(&bc, BLK_OP_WRITE, pos, len, BLK_DATA_OFF)))
		return to_errno(e);
	return 0;
}

static int bd_flush(struct bdev *d)
{
	err_t e = blk_io(&bc, BLK_OP_FLUSH, 0, 0, 0);

	return e ? to_errno(e) : 0;
}

err_t blkdev_open(cap_t devmgr, cap_t blk, const char *name, struct bdev *d)
{
	cap_t svc = blk;
	err_t e;

	if (svc == CAP_NULL) {
		if (devmgr == CAP_NULL)
			return ERR_NOENT;
		if ((e = cairn_dev_lookup(devmgr, name, 0, &svc)))
			return e;
	}
	if ((e = blk_attach(&bc, svc, 4, BLKDEV_IO)))
		return e;
	if (!bc.bsize || bc.bsize > BCACHE_PAGE || (bc.bsize & (bc.bsize - 1)) || !bc.capacity) {
		blk_detach(&bc);
		return ERR_INVAL;
	}
	*d = (struct bdev){
		.capacity = bc.capacity, .bsize = bc.bsize, .max_io = BLKDEV_IO,
		.area = blk_data(&bc),
		.can_flush = bc.flags & BLK_F_FLUSH, .ro = bc.flags & BLK_F_RO,
		.read = bd_read, .write = bd_write, .flush = bd_flush,
	};
	return 0;
}
