/* SPDX-License-Identifier: MIT */
/*
 * File pages (include/cairn/posix.h, "File pages"; docs/vfs.md): IO_FMAP
 * and its rights, the slot table, bytes moved through the mapping and
 * seen by IO_READ and the reverse, IO_FEXTEND, leased offsets, the
 * object left out for a client that has it (POSIX_OPEN_FMAP_HAVE),
 * truncation of a mapped file, page requests for holes and the boot
 * image's bytes, eviction, a client's hostile calls, and the budget of
 * files with shared pages (the least recently used taken back).
 */
#include <format.h>
#include "vfstest.h"

#define PAGE 4096u
#define TABLE_PAGES ((POSIX_FMAP_SLOTS * sizeof(struct posix_fmap_slot) + PAGE - 1) / PAGE)

/* A file's pages as a client holds them. */
struct fm {
	cap_t obj, table;
	uint64_t word, off, flags, key;
	const volatile struct posix_fmap_slot *slots;
	uint8_t *va;
	uint64_t pages;
};

static uint32_t rights(cap_t c)
{
	uint64_t id[3];

	if (cairn_cap_op(CAP_OP_IDENTIFY, c, 0, 0, 0, id) || id[0] != OBJ_MEMOBJ)
		return 0xdead;
	return (uint32_t)id[1];
}

static err_t fmap(cap_t f, uint64_t bytes, struct fm *m)
{
	struct vres r = vcall(f, IO_FMAP, POSIX_FMAP_TABLE, bytes, 0, 0, NULL, 0, CAP_NULL);
	void *va;
	err_t e;

	memset(m, 0, sizeof(*m));
	if (r.err)
		return r.err;
	if (r.ncaps != 2)
		return ERR_IO;
	m->obj = r.caps[0];
	m->table = r.caps[1];
	m->word = r.w[0];
	m->off = r.w[1];
	m->flags = r.w[2];
	m->key = r.w[3];
	if ((e = cairn_map(m->table, 0, TABLE_PAGES, CAIRN_PROT_R, &va)))
		return e;
	m->slots = va;
	return ERR_OK;
}

static const volatile struct posix_fmap_slot *slot_of(const struct fm *m)
{
	return &m->slots[m->word >> 32];
}

/* Maps the object's pages now (rw: writable). */
static err_t fm_map(struct fm *m, bool rw)
{
	void *va;
	err_t e;

	if (m->va)
		cairn_unmap(m->va, m->pages);
	m->va = NULL;
	m->pages = slot_of(m)->pages;
	e = cairn_map(m->obj, 0, m->pages, CAIRN_PROT_R | (rw ? CAIRN_PROT_W : 0), &va);
	if (!e)
		m->va = va;
	return e;
}

static void fm_drop(struct fm *m)
{
	if (m->va)
		cairn_unmap(m->va, m->pages);
	if (m->slots)
		cairn_unmap((void *)m->slots, TABLE_PAGES);
	del(&m->obj);
	del(&m->table);
	memset(m, 0, sizeof(*m));
}

void t_fmap_basic(void)
{
	static char data[5000], buf[64];
	struct posix_stat st0, st1;
	struct fm m;
	cap_t f;
	size_t n;
	void *va;

	for (unsigned i = 0; i < sizeof(data); i++)
		data[i] = (char)('a' + i % 26);
	CHECK_OK(put_file("/tmp/fmap_basic", data, sizeof(data)));
	CHECK_OK(fs_open(v_root, "/tmp/fmap_basic", LINUX_O_RDWR, 0, &f));
	CHECK_OK(fmap(f, 0, &m));
	/* the only holder gets the offset; tmpfs needs no sync */
	CHECK(m.word & POSIX_FMAP_LEASE && m.word & POSIX_FMAP_NOSYNC && m.off == 0, "word %lx",
	      (unsigned long)m.word);
	CHECK((m.flags & LINUX_O_ACCMODE) == LINUX_O_RDWR, "flags %lx", (unsigned long)m.flags);
	/* rights: the object rwx without manage, the table read-only */
	CHECK((rights(m.obj) & RIGHTS_ALL) == (RIGHT_READ | RIGHT_WRITE | RIGHT_EXEC), "object %x", rights(m.obj));
	CHECK((rights(m.table) & RIGHTS_ALL) == RIGHT_READ, "table %x", rights(m.table));
	CHECK(slot_of(&m)->key == m.key && m.key && slot_of(&m)->size == sizeof(data) &&
	      slot_of(&m)->pages >= 2, "slot %lx %lu %lu", (unsigned long)slot_of(&m)->key,
	      (unsigned long)slot_of(&m)->size, (unsigned long)slot_of(&m)->pages);
	CHECK_OK(fm_map(&m, true));
	CHECK(!memcmp(m.va, data, sizeof(data)), "the bytes");
	/* a write into the pages is the file's, and moves its mtime */
	CHECK_OK(io_stat(f, &st0));
	sleep_ms(2);
	memcpy(m.va + 4090, "viamap!", 7);
	CHECK_OK(io_pread(f, buf, 7, 4090, &n));
	CHECK(n == 7 && !memcmp(buf, "viamap!", 7), "IO_PREAD saw %zu", n);
	CHECK_OK(io_stat(f, &st1));
	CHECK(st1.mtime_sec > st0.mtime_sec || (st1.mtime_sec == st0.mtime_sec && st1.mtime_nsec > st0.mtime_nsec),
	      "mtime did not move");
	/* and the server's writes are the pages' */
	CHECK_OK(io_pwrite(f, "server", 6, 10, &n));
	CHECK(!memcmp(m.va + 10, "server", 6), "IO_PWRITE not in the pages");
	/* no client may manage the object or write the table */
	CHECK_ERR(cairn_pager_resize(m.obj, 0), ERR_PERM);
	CHECK_ERR(cairn_pager_evict(m.obj, 0, 1, NULL), ERR_PERM);
	CHECK_ERR(cairn_pager_fail(m.obj, 0, 1), ERR_PERM);
	CHECK_ERR(cairn_map(m.table, 0, 1, CAIRN_PROT_R | CAIRN_PROT_W, &va), ERR_PERM);
	CHECK_ERR(cairn_invoke(m.table, MEMOBJ_WRITE, 0, 0, 8, 0x41, 0, NULL), ERR_PERM);
	CHECK(slot_of(&m)->size == sizeof(data), "size %lu", (unsigned long)slot_of(&m)->size);
	fm_drop(&m);
	io_close(&f);
	/* a read-only description: a read-only object */
	CHECK_OK(fs_open(v_root, "/tmp/fmap_basic", LINUX_O_RDONLY, 0, &f));
	CHECK_OK(fmap(f, 0, &m));
	CHECK((rights(m.obj) & (RIGHT_WRITE | RIGHT_MANAGE)) == 0, "object %x", rights(m.obj));
	CHECK_ERR(fm_map(&m, true), ERR_PERM);
	CHECK_OK(fm_map(&m, false));
	CHECK(!memcmp(m.va + 4090, "viamap!", 7), "read-only view");
	fm_drop(&m);
	io_close(&f);
	fs_unlink(v_root, "/tmp/fmap_basic", 0);
}

void t_fmap_errors(void)
{
	struct fm m;
	cap_t f, g, r, w, d;

	CHECK_OK(put_file("/tmp/fmap_err", "x", 1));
	CHECK_OK(fs_open(v_root, "/tmp/fmap_err", LINUX_O_RDWR, 0, &f));
	CHECK_ERR(vcall(v_root, IO_FMAP, 0, 0, 0, 0, NULL, 0, CAP_NULL).err, ERR_INVAL);
	CHECK_ERR(vcall(f, IO_FMAP, 4, 0, 0, 0, NULL, 0, CAP_NULL).err, ERR_INVAL);
	CHECK_ERR(vcall(f, IO_FMAP, 0, POSIX_FMAP_MAX + 1, 0, 0, NULL, 0, CAP_NULL).err, ERR_INVAL);
	/* pages far past the end cost the server: refused */
	CHECK_ERR(vcall(f, IO_FMAP, 0, (16u << 20) + 2, 0, 0, NULL, 0, CAP_NULL).err, ERR_NOMEM);
	CHECK_OK(fs_pipe(0, &r, &w));
	CHECK_ERR(vcall(r, IO_FMAP, 0, 0, 0, 0, NULL, 0, CAP_NULL).err, ERR_INVAL);
	CHECK_ERR(vcall(w, IO_FEXTEND, 1, 0, 0, 0, NULL, 0, CAP_NULL).err, ERR_INVAL);
	io_close(&r);
	io_close(&w);
	/* write-only: no pages (a mapping could read them) */
	CHECK_OK(fs_open(v_root, "/tmp/fmap_err", LINUX_O_WRONLY, 0, &g));
	CHECK_ERR(vcall(g, IO_FMAP, 0, 0, 0, 0, NULL, 0, CAP_NULL).err, ERR_NODEV);
	io_close(&g);
	CHECK_OK(fs_open(v_root, "/dev/null", LINUX_O_RDWR, 0, &d));
	CHECK_ERR(vcall(d, IO_FMAP, 0, 0, 0, 0, NULL, 0, CAP_NULL).err, ERR_INVAL);
	io_close(&d);
	CHECK_OK(fs_open(v_root, "/tmp/fmap_err", LINUX_O_PATH, 0, &g));
	CHECK_ERR(vcall(g, IO_FMAP, 0, 0, 0, 0, NULL, 0, CAP_NULL).err, ERR_BADF);
	io_close(&g);
	/* no pages yet: IO_FEXTEND says so; a read-only description may not */
	CHECK_ERR(vcall(f, IO_FEXTEND, 1, 0, 0, 0, NULL, 0, CAP_NULL).err, ERR_NODEV);
	CHECK_OK(fmap(f, 0, &m));
	CHECK_OK(fs_open(v_root, "/tmp/fmap_err", LINUX_O_RDONLY, 0, &g));
	CHECK_ERR(vcall(g, IO_FEXTEND, 1, 0, 0, 0, NULL, 0, CAP_NULL).err, ERR_BADF);
	io_close(&g);
	CHECK_ERR(vcall(f, IO_FEXTEND, 1, POSIX_FMAP_MAX, 0, 0, NULL, 0, CAP_NULL).err, ERR_FBIG);
	CHECK_ERR(vcall(f, IO_FEXTEND, POSIX_FMAP_MAX, 1, 0, 0, NULL, 0, CAP_NULL).err, ERR_FBIG);
	CHECK_ERR(vcall(f, IO_FEXTEND, 1, (uint64_t)1 << 63, 0, 0, NULL, 0, CAP_NULL).err, ERR_INVAL);
	CHECK(slot_of(&m)->size == 1, "size %lu", (unsigned long)slot_of(&m)->size);
	fm_drop(&m);
	io_close(&f);
	fs_unlink(v_root, "/tmp/fmap_err", 0);
}

void t_fmap_extend(void)
{
	static char buf[128];
	struct fm m;
	cap_t f;
	size_t n;

	CHECK_OK(put_file("/tmp/fmap_ext", "", 0));
	CHECK_OK(fs_open(v_root, "/tmp/fmap_ext", LINUX_O_RDWR, 0, &f));
	CHECK_OK(fmap(f, 0, &m));
	CHECK(slot_of(&m)->size == 0, "empty");
	struct vres r = vcall(f, IO_FEXTEND, 100, 0, 0, 0, NULL, 0, CAP_NULL);
	CHECK(!r.err && r.w[0] == 0 && slot_of(&m)->size == 100, "extend: %d %lu", r.err, (unsigned long)r.w[0]);
	CHECK_OK(fm_map(&m, true));
	memcpy(m.va, "grown by the client", 19);
	CHECK_OK(io_pread(f, buf, sizeof(buf), 0, &n));
	CHECK(n == 100 && !memcmp(buf, "grown by the client", 19) && !buf[99], "read %zu", n);
	/* appending: at the end, whatever offset is asked */
	r = vcall(f, IO_FEXTEND, 10, POSIX_FEXTEND_APPEND, 0, 0, NULL, 0, CAP_NULL);
	CHECK(!r.err && r.w[0] == 100 && slot_of(&m)->size == 110, "append: %lu", (unsigned long)r.w[0]);
	CHECK_OK(io_setfl(f, LINUX_O_APPEND));
	r = vcall(f, IO_FEXTEND, 5, 3, 0, 0, NULL, 0, CAP_NULL);
	CHECK(!r.err && r.w[0] == 110 && slot_of(&m)->size == 115, "O_APPEND: %lu", (unsigned long)r.w[0]);
	CHECK_OK(io_setfl(f, 0));
	/* inside the size: nothing grows */
	r = vcall(f, IO_FEXTEND, 5, 3, 0, 0, NULL, 0, CAP_NULL);
	CHECK(!r.err && r.w[0] == 3 && slot_of(&m)->size == 115, "inside: %lu", (unsigned long)r.w[0]);
	/* far: the pages grow with it, the hole reads zeros through the pages */
	r = vcall(f, IO_FEXTEND, 1, 40 * PAGE, 0, 0, NULL, 0, CAP_NULL);
	CHECK(!r.err && slot_of(&m)->size == 40 * PAGE + 1 && slot_of(&m)->pages >= 41, "far: %d", r.err);
	CHECK_OK(fm_map(&m, true));
	m.va[40 * PAGE] = 'E';
	CHECK(m.va[20 * PAGE] == 0 && m.va[40 * PAGE] == 'E', "hole and end");
	CHECK_OK(io_pread(f, buf, 4, 40 * PAGE, &n));
	CHECK(n == 1 && buf[0] == 'E', "end read %zu", n);
	fm_drop(&m);
	io_close(&f);
	fs_unlink(v_root, "/tmp/fmap_ext", 0);
}

/* FS_OPEN's pages, leases, and the object left out for who has it. */
void t_fmap_lease(void)
{
	static uint8_t req[64 + POSIX_FMAP_SLOTS / 8];
	const char *p = "/tmp/fmap_lease";
	size_t len = strlen(p), n;
	struct fm m;
	char buf[8];
	cap_t f, f2;

	CHECK_OK(put_file(p, "0123456789", 10));
	struct vres r = vcall(v_root, FS_OPEN, LINUX_O_RDWR, POSIX_OPEN_FMAP, len, 0, p, len, CAP_NULL);
	CHECK(!r.err && r.ncaps == 2 && (r.w[1] & POSIX_FMAP_LEASE) && r.w[2] == 0 && r.w[3],
	      "open: %d, %u caps, %lx", r.err, r.ncaps, (unsigned long)r.w[1]);
	if (r.err || r.ncaps != 2)
		return;
	f = r.caps[0];
	del(&r.caps[1]);
	uint32_t slot = (uint32_t)(r.w[1] >> 32);
	/* the offset goes back with IO_SEEK; IO_READ uses it */
	CHECK_OK(io_seek(f, 7, POSIX_SEEK_SET, NULL));
	CHECK_OK(io_read(f, buf, sizeof(buf), &n));
	CHECK(n == 3 && !memcmp(buf, "789", 3), "read %zu", n);
	/* shared: no lease */
	CHECK_OK(io_dup(f, &f2));
	CHECK_OK(fmap(f, 0, &m));
	CHECK(!(m.word & POSIX_FMAP_LEASE) && m.off == 10, "word %lx off %lu", (unsigned long)m.word,
	      (unsigned long)m.off);
	fm_drop(&m);
	CHECK_OK(io_close(&f2));
	io_close(&f);
	/* a client that says it has the object gets none */
	memcpy(req, p, len);
	memset(req + 16, 0, sizeof(req) - 16);
	req[16 + slot / 8] |= (uint8_t)(1u << (slot % 8));
	r = vcall(v_root, FS_OPEN, LINUX_O_RDONLY, POSIX_OPEN_FMAP | POSIX_OPEN_FMAP_HAVE, len, 0, req,
		  16 + POSIX_FMAP_SLOTS / 8, CAP_NULL);
	CHECK(!r.err && r.ncaps == 1 && r.w[1] >> 32 == slot, "have: %d, %u caps", r.err, r.ncaps);
	for (unsigned i = 1; i < r.ncaps; i++)
		del(&r.caps[i]);
	if (!r.err)
		io_close(&r.caps[0]);
	/* a bitmap that ends before the slot's bit: the object comes */
	memset(req + 16, 0, sizeof(req) - 16);
	req[16 + slot / 8] |= (uint8_t)(1u << (slot % 8));
	r = vcall(v_root, FS_OPEN, LINUX_O_RDONLY, POSIX_OPEN_FMAP | POSIX_OPEN_FMAP_HAVE, len, 0, req,
		  16 + (slot / 64) * 8, CAP_NULL);
	CHECK(!r.err && r.ncaps == 2, "short bitmap: %d, %u caps", r.err, r.ncaps);
	for (unsigned i = 1; i < r.ncaps; i++)
		del(&r.caps[i]);
	if (!r.err)
		io_close(&r.caps[0]);
	/* an empty file gets no pages at open */
	CHECK_OK(put_file("/tmp/fmap_empty", "", 0));
	r = vcall(v_root, FS_OPEN, LINUX_O_RDWR, POSIX_OPEN_FMAP, 15, 0, "/tmp/fmap_empty", 15, CAP_NULL);
	CHECK(!r.err && r.ncaps == 1 && !r.w[1], "empty: %d, %u caps", r.err, r.ncaps);
	if (!r.err)
		io_close(&r.caps[0]);
	fs_unlink(v_root, "/tmp/fmap_empty", 0);
	fs_unlink(v_root, p, 0);
}

void t_fmap_truncate_mapped(void)
{
	static char data[3 * PAGE];
	struct posix_stat st;
	struct cairn_msg info;
	struct fm m;
	cap_t f;

	memset(data, 'x', sizeof(data));
	CHECK_OK(put_file("/tmp/fmap_trunc", data, sizeof(data)));
	CHECK_OK(fs_open(v_root, "/tmp/fmap_trunc", LINUX_O_RDWR, 0, &f));
	CHECK_OK(fmap(f, 0, &m));
	CHECK_OK(fm_map(&m, true));
	CHECK(m.va[3 * PAGE - 1] == 'x', "last byte");
	CHECK_OK(io_truncate(f, 5000));
	CHECK(slot_of(&m)->size == 5000, "slot size %lu", (unsigned long)slot_of(&m)->size);
	CHECK_OK(cairn_invoke(m.obj, MEMOBJ_INFO, 0, 0, 0, 0, 0, &info));
	CHECK(info.w[2] == 5000, "object size %lu", (unsigned long)info.w[2]);
	CHECK(m.va[4999] == 'x' && m.va[5000] == 0 && m.va[2 * PAGE - 1] == 0, "the tail is zeros");
	/* grown again: zeros, through page requests for the dropped page */
	CHECK_OK(io_truncate(f, 3 * PAGE));
	CHECK(m.va[2 * PAGE] == 0 && m.va[3 * PAGE - 1] == 0 && m.va[100] == 'x', "grown");
	CHECK_OK(io_stat(f, &st));
	CHECK(st.size == 3 * PAGE, "stat %lu", (unsigned long)st.size);
	/* by path too */
	CHECK_OK(fs_truncate(v_root, "/tmp/fmap_trunc", 10));
	CHECK(slot_of(&m)->size == 10 && m.va[9] == 'x' && m.va[10] == 0, "by path");
	fm_drop(&m);
	io_close(&f);
	fs_unlink(v_root, "/tmp/fmap_trunc", 0);
}

/* Holes and boot-image bytes come by page requests; clean pages can be
 * evicted and come back; a forged request changes nothing. */
void t_fmap_pages(void)
{
	static uint8_t buf[PAGE];
	struct posix_stat st;
	struct fm m;
	cap_t f;
	size_t n;

	CHECK_OK(fs_open(v_root, "/bin/hello", LINUX_O_RDONLY, 0, &f));
	CHECK_OK(io_stat(f, &st));
	CHECK_OK(fmap(f, 0, &m));
	CHECK_OK(fm_map(&m, false));
	CHECK_OK(io_pread(f, buf, sizeof(buf), 0, &n));
	CHECK(n == POSIX_INLINE_MAX && !memcmp(m.va, buf, n) && !memcmp(buf, "\177ELF", 4),
	      "the image's bytes: %zu, %02x%02x%02x%02x vs %02x%02x%02x%02x", n, m.va[0], m.va[1], m.va[2],
	      m.va[3], buf[0], buf[1], buf[2], buf[3]);
	uint8_t tail[16];
	size_t k;
	CHECK_OK(io_pread(f, tail, 16, st.size - 16, &k));
	CHECK(k == 16 && !memcmp(m.va + st.size - 16, tail, 16), "the last bytes");
	/* its clean pages go under pressure, and come back the same */
	struct vres r = vcall(v_ep, VFS_DEBUG_EVICT, 0, 0, 0, 0, NULL, 0, CAP_NULL);
	CHECK(!r.err && r.w[0] >= 1, "evicted %lu", (unsigned long)r.w[0]);
	unsigned d = 0;
	while (d < n && m.va[d] == buf[d])
		d++;
	CHECK(d == n, "after eviction: byte %u is %02x, not %02x", d, m.va[d], buf[d]);
	CHECK_ERR(vcall(forge(5), VFS_DEBUG_EVICT, 0, 0, 0, 0, NULL, 0, CAP_NULL).err, ERR_BADF);
	fm_drop(&m);
	/* a client calling with the page-request label: nothing happens */
	r = vcall(f, CAIRN_PAGER_LABEL, 0, 1000, 0, 0, NULL, 0, CAP_NULL);
	CHECK(!r.err, "forged request: %d", r.err);
	CHECK_OK(io_stat(f, &st));
	io_close(&f);
	/* a sparse file's hole, written afterwards through the pages */
	CHECK_OK(put_file("/tmp/fmap_sparse", "", 0));
	CHECK_OK(fs_open(v_root, "/tmp/fmap_sparse", LINUX_O_RDWR, 0, &f));
	CHECK_OK(io_pwrite(f, "E", 1, 10 * PAGE, &n));
	CHECK_OK(fmap(f, 0, &m));
	CHECK_OK(fm_map(&m, true));
	CHECK(m.va[5 * PAGE] == 0 && m.va[10 * PAGE] == 'E', "hole");
	m.va[5 * PAGE + 1] = 'H';
	r = vcall(v_ep, VFS_DEBUG_EVICT, 0, 0, 0, 0, NULL, 0, CAP_NULL);
	CHECK(!r.err && m.va[5 * PAGE + 1] == 'H', "a written page stays");
	CHECK_OK(io_pread(f, buf, 2, 5 * PAGE, &n));
	CHECK(n == 2 && buf[1] == 'H', "read %zu", n);
	fm_drop(&m);
	io_close(&f);
	fs_unlink(v_root, "/tmp/fmap_sparse", 0);
}

/* More files than the server keeps objects for: the held ones fill it,
 * the rest go through IO_READ; closed ones are taken back whole. */
void t_fmap_budget(void)
{
	enum { N = 160 };
	static cap_t f[N];
	char name[32], buf[32];
	unsigned mapped = 0, nodev = 0, other = 0;
	size_t n;

	for (unsigned i = 0; i < N; i++) {
		fmt_snprintf(name, sizeof(name), "/tmp/fmap_b%u", i);
		fmt_snprintf(buf, sizeof(buf), "file %u", i);
		CHECK_OK(put_file(name, buf, strlen(buf)));
		CHECK_OK(fs_open(v_root, name, LINUX_O_RDWR, 0, &f[i]));
		struct vres r = vcall(f[i], IO_FMAP, 0, 0, 0, 0, NULL, 0, CAP_NULL);
		if (!r.err)
			mapped++;
		else if (r.err == ERR_NODEV)
			nodev++;
		else
			other++;
		for (unsigned k = 0; k < r.ncaps; k++)
			del(&r.caps[k]);
	}
	CHECK(!other && mapped >= 64 && mapped <= 128 && nodev == N - mapped, "mapped %u, nodev %u, other %u",
	      mapped, nodev, other);
	/* every file still reads and writes */
	for (unsigned i = 0; i < N; i++) {
		fmt_snprintf(buf, sizeof(buf), "file %u", i);
		CHECK_OK(io_pwrite(f[i], "!", 1, strlen(buf), &n));
		io_close(&f[i]);
	}
	/* closed: the next files get objects, the old ones' bytes stay */
	for (unsigned i = 0; i < N; i++) {
		struct vres r;
		fmt_snprintf(name, sizeof(name), "/tmp/fmap_b%u", i);
		CHECK_OK(fs_open(v_root, name, LINUX_O_RDONLY, 0, &f[0]));
		r = vcall(f[0], IO_FMAP, 0, 0, 0, 0, NULL, 0, CAP_NULL);
		CHECK(!r.err, "file %u: %d", i, r.err);
		for (unsigned k = 0; k < r.ncaps; k++)
			del(&r.caps[k]);
		io_close(&f[0]);
	}
	for (unsigned i = 0; i < N; i++) {
		char want[32];
		fmt_snprintf(name, sizeof(name), "/tmp/fmap_b%u", i);
		fmt_snprintf(want, sizeof(want), "file %u!", i);
		CHECK_OK(get_file(name, buf, sizeof(buf), &n));
		CHECK(n == strlen(want) && !memcmp(buf, want, n), "file %u: %.*s", i, (int)n, buf);
		fs_unlink(v_root, name, 0);
	}
}
