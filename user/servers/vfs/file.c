/* SPDX-License-Identifier: MIT */
/*
 * The VFS server's open files: the I/O protocol of include/cairn/posix.h
 * (IO_*) on an open file description, a directory or a pipe end (the
 * pipe's own work is in pipe.c).
 */
#include <cairn/tty.h>
#include "internal.h"

bool can_read(const struct handle *h)
{
	unsigned acc = h->flags & LINUX_O_ACCMODE;

	return !(h->flags & LINUX_O_PATH) && (acc == LINUX_O_RDONLY || acc == LINUX_O_RDWR);
}

/* A write through h (its data, its size, its pages mapped for writing):
 * a writer other than root takes the file's set-id bits (Linux). */
void write_kills_setid(const struct handle *h)
{
	if (h->kind == H_NODE && !h->fsetid && tmpfs_is_reg(h->node))
		h->node->mode = cred_write_mode(h->node->mode);
}

bool can_write(const struct handle *h)
{
	unsigned acc = h->flags & LINUX_O_ACCMODE;

	return !(h->flags & LINUX_O_PATH) && (acc == LINUX_O_WRONLY || acc == LINUX_O_RDWR);
}

void answer_stat(struct srv_ans *a, const struct posix_stat *st)
{
	memcpy(ans_bytes, st, sizeof(*st));
	a->nbytes = sizeof(*st);
}


/* ---- the I/O protocol ------------------------------------------------------------- */

static void io_seek(struct srv_ans *a, struct handle *h, int64_t off, uint64_t whence)
{
	struct tmpfs_node *n = h->node;
	int64_t base;

	if (h->kind != H_NODE) {
		a->err = ERR_SPIPE;
		return;
	}
	if (tmpfs_is_chr(n)) {                  /* as Linux's /dev/null: always 0 */
		h->pos = 0;
		a->w[0] = 0;
		return;
	}
	if (tmpfs_is_dir(n) || is_snapshot(h)) {      /* a /proc file: as Linux's seq_file */
		if (whence == POSIX_SEEK_SET)
			base = 0;
		else if (whence == POSIX_SEEK_CUR)
			base = (int64_t)h->pos;
		else {
			a->err = ERR_INVAL;
			return;
		}
	} else if (whence == POSIX_SEEK_SET) {
		base = 0;
	} else if (whence == POSIX_SEEK_CUR) {
		base = (int64_t)h->pos;
	} else if (whence == POSIX_SEEK_END) {
		base = (int64_t)n->size;
	} else if (whence == 3 || whence == 4) {      /* SEEK_DATA, SEEK_HOLE */
		if (off < 0 || (uint64_t)off >= n->size) {
			a->err = ERR_NXIO;
			return;
		}
		h->pos = whence == 3 ? (uint64_t)off : n->size;
		a->w[0] = h->pos;
		return;
	} else {
		a->err = ERR_INVAL;
		return;
	}
	if (off > 0 && base > INT64_MAX - off) {
		a->err = ERR_OVERFLOW;
		return;
	}
	if (base + off < 0) {
		a->err = ERR_INVAL;
		return;
	}
	h->pos = (uint64_t)(base + off);
	a->w[0] = h->pos;
}

static void io_read(struct srv_ans *a, struct handle *h, uint64_t max, uint64_t off, bool at)
{
	size_t got;

	if (h->kind != H_NODE) {
		if (at)
			a->err = ERR_SPIPE;
		else
			pipe_read(a, h, max);
		return;
	}
	if (!can_read(h)) {
		a->err = ERR_BADF;
		return;
	}
	if (at && (int64_t)off < 0) {
		a->err = ERR_INVAL;
		return;
	}
	if (max > INLINE_MAX)
		max = INLINE_MAX;
	if (tmpfs_is_chr(h->node)) {            /* /dev/null, /dev/zero...: dev.c */
		dev_read(a, h->node, max);
		return;
	}
	if (is_snapshot(h)) {                   /* a /proc file: the text made at open */
		uint64_t o = at ? off : h->pos;
		got = o < h->snap_len ? (size_t)(h->snap_len - o < max ? h->snap_len - o : max) : 0;
		if (got)
			memcpy(ans_bytes, h->snap + o, got);
	} else if ((a->err = tmpfs_read(&fs, h->node, at ? off : h->pos, ans_bytes, (size_t)max, &got))) {
		return;
	}
	if (!at)
		h->pos += got;
	a->w[0] = got;
	a->nbytes = got;
	touch_atime(h->node);
}

static void io_write(struct srv_ans *a, const struct srv_req *r, struct handle *h, bool at)
{
	uint64_t n = r->w[0], off = r->w[1];
	size_t done;

	if (n > INLINE_MAX || n > r->nbytes) {
		a->err = ERR_INVAL;
		return;
	}
	if (h->kind != H_NODE) {
		if (at)
			a->err = ERR_SPIPE;
		else
			pipe_write(a, h, req_bytes, (uint32_t)n);
		return;
	}
	if (!can_write(h)) {
		a->err = ERR_BADF;
		return;
	}
	if (at && (int64_t)off < 0) {
		a->err = ERR_INVAL;
		return;
	}
	if (tmpfs_is_chr(h->node)) {            /* /dev/null, /dev/full...: dev.c */
		dev_write(a, h->node, req_bytes, n);
		return;
	}
	if (!at || (h->flags & LINUX_O_APPEND))
		off = (h->flags & LINUX_O_APPEND) ? h->node->size : h->pos;
	if (!n)
		return;
	if ((a->err = tmpfs_write(&fs, h->node, off, req_bytes, (size_t)n, &done)))
		return;
	if (!at)
		h->pos = off + done;
	a->w[0] = done;
}

static uint32_t node_revents(void)
{
	return LINUX_POLLIN | LINUX_POLLRDNORM | LINUX_POLLOUT | LINUX_POLLWRNORM;
}

static void io_poll(struct srv_ans *a, struct srv_req *r, struct handle *h, bool arm)
{
	uint32_t events = (uint32_t)r->w[0];
	uint32_t rev;

	if (h->flags & LINUX_O_PATH) {
		a->w[0] = LINUX_POLLNVAL;
		if (arm && r->ncaps && r->caps[0] != CAP_NULL)
			cairn_invoke(r->caps[0], NOTIFY_SIGNAL, 0, r->w[1], 0, 0, 0, NULL);
		return;
	}
	if (arm) {
		uint64_t id[3];

		if (!r->ncaps || r->caps[0] == CAP_NULL ||
		    cairn_cap_op(CAP_OP_IDENTIFY, r->caps[0], 0, 0, 0, id) ||
		    id[0] != OBJ_NOTIFICATION || !(id[1] & RIGHT_WRITE)) {
			a->err = ERR_INVAL;
			return;
		}
		if (h->kind != H_NODE) {
			pipe_arm(a, h, &r->caps[0], events, r->w[1]);
			return;
		}
	}
	if (h->kind == H_NODE)
		rev = node_revents();
	else
		rev = pipe_revents(h->pipe, h->kind == H_PIPE_W) |
		      (h->both ? pipe_revents(h->pipe, true) : 0);
	a->w[0] = rev & (events | LINUX_POLLERR | LINUX_POLLHUP);
	if (arm && a->w[0])
		cairn_invoke(r->caps[0], NOTIFY_SIGNAL, 0, r->w[1], 0, 0, 0, NULL);
}

static void io_ioctl(struct srv_ans *a, const struct srv_req *r, struct handle *h)
{
	int32_t v;

	switch (r->w[0]) {
	case LINUX_FIONREAD:
		if (h->kind == H_PIPE_R) {
			v = (int32_t)pipe_used(h->pipe);
		} else if (h->kind == H_NODE && tmpfs_is_reg(h->node)) {
			uint64_t left = h->node->size > h->pos ? h->node->size - h->pos : 0;
			v = left > INT32_MAX ? INT32_MAX : (int32_t)left;
		} else {
			a->err = ERR_NOTTY;
			return;
		}
		memcpy(ans_bytes, &v, sizeof(v));
		a->nbytes = sizeof(v);
		return;
	case LINUX_FIONBIO:
		if (r->nbytes < sizeof(v)) {
			a->err = ERR_INVAL;
			return;
		}
		memcpy(&v, req_bytes, sizeof(v));
		if (!is_root(h))
			h->flags = v ? h->flags | LINUX_O_NONBLOCK : h->flags & ~(uint32_t)LINUX_O_NONBLOCK;
		if (h->kind != H_NODE)
			pipe_flags(h);
		return;
	default:
		a->err = ERR_NOTTY;
	}
}

static void io_readdir(struct srv_ans *a, struct handle *h, uint64_t cookie, uint64_t max)
{
	size_t n;
	uint64_t next;

	if (h->flags & LINUX_O_PATH) {
		a->err = ERR_BADF;
		return;
	}
	if (!dir_of(h)) {
		a->err = ERR_NOTDIR;
		return;
	}
	if (cookie == POSIX_DIR_POS)
		cookie = h->pos;
	if (max > INLINE_MAX)
		max = INLINE_MAX;
	if ((a->err = tmpfs_readdir(&fs, h->node, cookie, ans_bytes, (size_t)max, &n, &next)))
		return;
	h->pos = next;
	a->w[0] = next;
	a->w[1] = n;
	a->nbytes = n;
	touch_atime(h->node);
}

void serve_io(struct srv_req *r, struct srv_ans *a)
{
	struct handle *h = r->obj;
	struct posix_stat st;

	/* an O_PATH description only locates its file */
	if ((h->flags & LINUX_O_PATH) && r->label != IO_STAT && r->label != IO_DUP &&
	    r->label != IO_CLOSE && r->label != IO_GETFL && r->label != IO_POLL &&
	    r->label != IO_POLL_ARM) {
		a->err = ERR_BADF;
		return;
	}
	switch (r->label) {
	case IO_READ:
		io_read(a, h, r->w[0], 0, false);
		break;
	case IO_PREAD:
		io_read(a, h, r->w[0], r->w[1], true);
		break;
	case IO_WRITE:
	case IO_PWRITE:
		if (can_write(h))
			write_kills_setid(h);
		io_write(a, r, h, r->label == IO_PWRITE);
		break;
	case IO_SEEK:
		h->leased = false;         /* the client gives its offset back */
		io_seek(a, h, (int64_t)r->w[0], r->w[1]);
		break;
	case IO_STAT:
		if (h->kind == H_NODE) {
			fmap_sync(h->node);
			tmpfs_stat(h->node, &st);
		}
		else
			pipe_stat(h->pipe, &st);
		answer_stat(a, &st);
		break;
	case IO_FMAP:
		if ((r->w[0] & ~(uint64_t)(POSIX_FMAP_TABLE | POSIX_FMAP_ACCESS)) || r->w[1] > POSIX_FMAP_MAX)
			a->err = ERR_INVAL;
		else
			a->err = fmap_answer(a, h, 0, r->w[0] & POSIX_FMAP_TABLE, r->w[1], NULL);
		/* writes to mapped pages never reach us: a description open
		 * for writing gets its pages here, where its writes begin */
		if (!a->err && can_write(h))
			write_kills_setid(h);
		if (!a->err && (r->w[0] & POSIX_FMAP_ACCESS) && h->kind == H_NODE)
			touch_atime(h->node);           /* an mmap (Linux's file_accessed) */
		break;
	case IO_FEXTEND:
		fmap_extend(a, r, h);
		if (!a->err)
			write_kills_setid(h);
		break;
	case IO_TRUNCATE:
		if (h->kind != H_NODE || !can_write(h) || !tmpfs_is_reg(h->node) || (int64_t)r->w[0] < 0)
			a->err = ERR_INVAL;
		else if (!(a->err = tmpfs_truncate(&fs, h->node, r->w[0])))
			write_kills_setid(h);
		break;
	case IO_DUP:                       /* a new reference: the answer's capability */
		h->leased = false;
		a->err = ref_give(a, h);
		break;
	case IO_CLOSE:                     /* the reference it came through goes */
		lock_close(h, r->w[0]);    /* w0: the closing pid, whose locks go */
		if (req_ref && !req_ref->pinned)
			ref_close(req_ref);
		break;
	case IO_LOCK:
		io_lock(a, r, h);
		break;
	case IO_GETFL:
		a->w[0] = h->flags;
		break;
	case IO_SETFL:
		if (!is_root(h))
			h->flags = (h->flags & ~(uint32_t)(LINUX_O_APPEND | LINUX_O_NONBLOCK)) |
				   ((uint32_t)r->w[0] & (LINUX_O_APPEND | LINUX_O_NONBLOCK));
		if (h->kind != H_NODE)
			pipe_flags(h);
		break;
	case IO_IOCTL:
		io_ioctl(a, r, h);
		break;
	case IO_POLL:
		io_poll(a, r, h, false);
		break;
	case IO_POLL_ARM:
		io_poll(a, r, h, true);
		break;
	case IO_READDIR:
		io_readdir(a, h, r->w[0], r->w[1]);
		break;
	case IO_SYNC:
		if (h->kind != H_NODE)
			a->err = ERR_INVAL;
		else
			fmap_sync(h->node);
		break;
	case IO_PIPE_MAP:
		pipe_map(a, h);
		break;
	case IO_IMAGE:
		io_image(r, a, h);
		break;
	case IO_PIPE_KICK:
		if (h->kind == H_NODE)
			a->err = ERR_INVAL;
		else
			pipe_pump(h->pipe, true);
		break;
	default:
		a->err = ERR_NOSYS;
	}
}
