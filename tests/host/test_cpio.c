// SPDX-License-Identifier: MIT
/*
 * Host tests of lib/cpio.c: archives written by the cpio tool (-H newc and
 * -H crc, built by host.mk from a small tree) are read back and compared
 * with the tree itself; archives built here byte by byte exercise every
 * refusal; every truncation of the tool's archive and random mutations
 * must end in ERR_NOENT or ERR_INVAL, never a read outside the archive
 * (each input sits in an exactly sized heap block under AddressSanitizer).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <lib/cpio.h>
#include "test.h"
#include "host.h"
#include "../fuzz/invariants.h"

static const char *data_dir(void)
{
	const char *d = getenv("CAIRN_TESTDATA");
	return d ? d : "build/host/data";
}

static uint8_t *read_file(const char *name, size_t *len)
{
	char path[512];
	FILE *f;
	uint8_t *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s", data_dir(), name);
	if (!(f = fopen(path, "rb"))) {
		printf("# cannot open %s\n", path);
		return NULL;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(n ? (size_t)n : 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static err_t iterate(const uint8_t *buf, size_t len, unsigned *n);

/* ---- archives written by cpio(1) ---- */

/* Checks one entry against the file it came from in the tree. */
static bool same_as_tree(const struct cpio_entry *e)
{
	char path[1024], target[512];
	struct stat st;
	uint8_t *want;
	size_t len;
	bool ok;

	snprintf(path, sizeof(path), "%s/tree/%s", data_dir(), e->name);
	if (lstat(path, &st) != 0 || e->mode != (uint32_t)st.st_mode) {
		printf("# %s: mode %o\n", e->name, e->mode);
		return false;
	}
	if (S_ISDIR(st.st_mode))
		return e->size == 0;
	if (S_ISLNK(st.st_mode)) {
		ssize_t n = readlink(path, target, sizeof(target));
		return n >= 0 && (size_t)n == e->size && memcmp(e->data, target, e->size) == 0;
	}
	snprintf(path, sizeof(path), "tree/%s", e->name);
	if (!(want = read_file(path, &len)))
		return false;
	ok = len == e->size && memcmp(e->data, want, len) == 0;
	free(want);
	return ok;
}

/* Reads a tool-made archive and compares it, entry by entry, with
 * tree.list (the names cpio was given, in order) and the tree. */
static bool tool_archive(const char *name)
{
	size_t size, list_len, pos = 0;
	uint8_t *ar = read_file(name, &size), *list = read_file("tree.list", &list_len);
	struct cpio_iter it;
	struct cpio_entry e;
	unsigned n = 0;
	bool ok = ar && list;

	cpio_iter_init(&it, ar, size);
	while (ok && cpio_next(&it, &e) == 0) {
		const uint8_t *nl = memchr(list + pos, '\n', list_len - pos);

		ok = nl && (size_t)(nl - (list + pos)) == e.name_len &&
		     memcmp(list + pos, e.name, e.name_len) == 0 &&
		     cpio_entry_invariants(ar, size, &e) == NULL && same_as_tree(&e);
		if (!ok)
			printf("# entry %u (%s) differs\n", n, e.name);
		pos = nl ? (size_t)(nl - list) + 1 : list_len;
		n++;
	}
	ok = ok && pos == list_len && n > 20 && it.done && cpio_next(&it, &e) == ERR_NOENT;
	free(ar);
	free(list);
	return ok;
}

TEST(tool_newc_archive)
{
	return tool_archive("newc.cpio");
}

TEST(tool_crc_archive)
{
	return tool_archive("crc.cpio");
}

TEST(find_in_tool_archive)
{
	size_t size, init_len;
	uint8_t *ar = read_file("newc.cpio", &size), *init = read_file("tree/bin/init", &init_len);
	static const char *const same[] = { "bin/init", "/bin/init", "./bin/init", "//./bin/init",
					    "././bin/init", "/./bin/init" };
	struct cpio_entry e;

	CHECK(ar && init);
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		memset(&e, 0, sizeof(e));
		CHECK(cpio_find(ar, size, same[i], &e) == 0);
		CHECK(e.size == init_len && memcmp(e.data, init, init_len) == 0);
		CHECK((e.mode & CPIO_S_IFMT) == CPIO_S_IFREG);
		CHECK(strcmp(e.name, "bin/init") == 0 && e.name_len == 8);
	}
	CHECK(cpio_find(ar, size, "a/bb/ccc/dddd", &e) == 0 && e.size == 4);
	CHECK(memcmp(e.data, "deep", 4) == 0);
	CHECK(cpio_find(ar, size, "a/bb", &e) == 0 && (e.mode & CPIO_S_IFMT) == CPIO_S_IFDIR);
	CHECK(cpio_find(ar, size, "link", &e) == 0 && (e.mode & CPIO_S_IFMT) == CPIO_S_IFLNK);
	CHECK(cpio_find(ar, size, "empty", &e) == 0 && e.size == 0);
	CHECK(cpio_find(ar, size, ".", &e) == 0 && e.name_len == 1);
	CHECK(cpio_find(ar, size, "bin/ini", &e) == ERR_NOENT);
	CHECK(cpio_find(ar, size, "bin/init/", &e) == ERR_NOENT);
	CHECK(cpio_find(ar, size, "bin/init2", &e) == ERR_NOENT);
	CHECK(cpio_find(ar, size, "BIN/INIT", &e) == ERR_NOENT);
	CHECK(cpio_find(ar, size, "", &e) == ERR_NOENT);
	CHECK(cpio_find(ar, size, "TRAILER!!!", &e) == ERR_NOENT);
	CHECK(cpio_find(ar, size, NULL, &e) == ERR_INVAL);
	free(ar);
	free(init);
	return true;
}

/* Every prefix of the archive: the entries whose data fits come out
 * unchanged, then the iteration ends with ERR_NOENT exactly when the cut
 * falls on an entry's end or padding (or inside the trailer after its
 * name), and with ERR_INVAL otherwise. */
TEST(tool_archive_every_truncation)
{
	size_t size, ends[64], data_ends[64], trailer_name_end;
	uint8_t *ar = read_file("newc.cpio", &size);
	struct cpio_iter it;
	struct cpio_entry e;
	unsigned n = 0;

	CHECK(ar);
	cpio_iter_init(&it, ar, size);
	while (cpio_next(&it, &e) == 0) {
		CHECK(n < 64);
		/* An empty entry needs no padding after its name. */
		data_ends[n] = e.size ? (size_t)((const uint8_t *)e.data - ar) + e.size :
			       (size_t)((const uint8_t *)e.name - ar) + e.name_len + 1;
		ends[n++] = it.off;
	}
	trailer_name_end = ends[n - 1] + 110 + 11;
	for (size_t len = 0; len <= size; len++) {
		unsigned got, want = 0;
		bool boundary;
		err_t rc = iterate(ar, len, &got);

		while (want < n && data_ends[want] <= len)
			want++;
		boundary = len == 0 || (want > 0 && ends[want - 1] >= len) ||
			   (want == n && len >= trailer_name_end);
		if (rc != (boundary ? ERR_NOENT : ERR_INVAL) || got != want) {
			printf("# len %zu: %u entries (want %u), rc %d\n", len, got, want, rc);
			return false;
		}
	}
	free(ar);
	return true;
}

/* ---- archives built here ---- */

#define HDR 110

struct fields {
	const char *magic;
	uint32_t mode, filesize, namesize, check;
};

/* Appends one entry; name is namesize bytes (taken as given, so tests can
 * omit the NUL or embed one); the data is padded to 4 unless no_pad. */
static size_t put(uint8_t *buf, size_t off, const struct fields *f, const char *name,
		  const void *data, size_t data_len)
{
	char hdr[HDR + 1];

	snprintf(hdr, sizeof(hdr), "%s%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		 f->magic, 42u, f->mode, 0u, 0u, 1u, 0x5f000000u, f->filesize, 0u, 0u, 0u, 0u,
		 f->namesize, f->check);
	memcpy(buf + off, hdr, HDR);
	off += HDR;
	memcpy(buf + off, name, f->namesize);
	off += f->namesize;
	while (off & 3)
		buf[off++] = 0;
	memcpy(buf + off, data, data_len);
	off += data_len;
	while (off & 3)
		buf[off++] = 0;
	return off;
}

static size_t put_file(uint8_t *buf, size_t off, const char *name, const char *data)
{
	struct fields f = { "070701", 0100644, (uint32_t)strlen(data), (uint32_t)strlen(name) + 1, 0 };

	return put(buf, off, &f, name, data, strlen(data));
}

static size_t put_trailer(uint8_t *buf, size_t off)
{
	struct fields f = { "070701", 0, 0, 11, 0 };

	return put(buf, off, &f, "TRAILER!!!", "", 0);
}

/* A two-file archive with a trailer. */
static size_t small_archive(uint8_t *buf)
{
	size_t off = put_file(buf, 0, "hello", "Hello, world\n");
	off = put_file(buf, off, "dir/x", "xyz");
	return put_trailer(buf, off);
}

/* The results of iterating an exact copy of buf[0..len): the number of
 * entries before the end, and the final code. */
static err_t iterate(const uint8_t *buf, size_t len, unsigned *n)
{
	uint8_t *p = malloc(len ? len : 1);
	struct cpio_iter it;
	struct cpio_entry e;
	err_t rc;

	memcpy(p, buf, len);
	*n = 0;
	cpio_iter_init(&it, p, len);
	while ((rc = cpio_next(&it, &e)) == 0) {
		if (cpio_entry_invariants(p, len, &e)) {
			rc = -1;
			break;
		}
		++*n;
	}
	if (rc > 0 && cpio_next(&it, &e) != ERR_NOENT)   /* the end is sticky */
		rc = -2;
	free(p);
	return rc;
}

TEST(built_archive)
{
	uint8_t buf[1024];
	size_t len = small_archive(buf);
	struct cpio_iter it;
	struct cpio_entry e;
	unsigned n;

	cpio_iter_init(&it, buf, len);
	CHECK(cpio_next(&it, &e) == 0);
	CHECK(e.name_len == 5 && strcmp(e.name, "hello") == 0 && e.size == 13);
	CHECK(memcmp(e.data, "Hello, world\n", 13) == 0 && e.mode == 0100644);
	CHECK((const uint8_t *)e.data - buf == 116);   /* 110 + 6, already aligned */
	CHECK(cpio_next(&it, &e) == 0 && strcmp(e.name, "dir/x") == 0 && e.size == 3);
	CHECK(cpio_next(&it, &e) == ERR_NOENT && it.done);
	CHECK(cpio_next(&it, &e) == ERR_NOENT);
	CHECK(iterate(buf, len, &n) == ERR_NOENT && n == 2);
	return true;
}

TEST(empty_and_trailerless)
{
	uint8_t buf[1024];
	size_t len;
	unsigned n;
	struct cpio_iter it;
	struct cpio_entry e;

	cpio_iter_init(&it, NULL, 0);
	CHECK(cpio_next(&it, &e) == ERR_NOENT);
	cpio_iter_init(&it, NULL, 100);
	CHECK(cpio_next(&it, &e) == ERR_NOENT);
	CHECK(iterate(buf, 0, &n) == ERR_NOENT && n == 0);
	/* No trailer: the end of the archive ends the iteration. */
	len = put_file(buf, 0, "a", "1234");
	CHECK(iterate(buf, len, &n) == ERR_NOENT && n == 1);
	/* The last entry's padding cut off: still whole. */
	len = put_file(buf, 0, "a", "12345");
	CHECK(iterate(buf, len - 3, &n) == ERR_NOENT && n == 1);
	/* Zeros after the trailer (cpio pads to 512-byte blocks). */
	len = small_archive(buf);
	memset(buf + len, 0, 300);
	CHECK(iterate(buf, len + 300, &n) == ERR_NOENT && n == 2);
	/* Zeros where a header should be. */
	len = put_file(buf, 0, "a", "1234");
	memset(buf + len, 0, 200);
	CHECK(iterate(buf, len + 200, &n) == ERR_INVAL && n == 1);
	/* A zero-size last entry whose name padding is cut off. */
	struct fields f = { "070701", 0100644, 0, 2, 0 };
	len = put(buf, 0, &f, "a", "", 0);   /* 110 + 2 = 112: no padding */
	f.namesize = 3;
	len = put(buf, len, &f, "ab", "", 0);  /* 112 + 110 + 3 = 225 -> 228 */
	CHECK(len == 228);
	CHECK(iterate(buf, 225, &n) == ERR_NOENT && n == 2);
	CHECK(iterate(buf, 224, &n) == ERR_INVAL && n == 1);
	return true;
}

TEST(trailer_ends_iteration)
{
	uint8_t buf[1024];
	size_t len;
	unsigned n;
	struct fields t = { "070701", 0, 0xffffffff, 11, 0 };

	/* A trailer claiming data past the end still ends it cleanly. */
	len = put_file(buf, 0, "a", "1");
	len = put(buf, len, &t, "TRAILER!!!", "", 0);
	len = put_file(buf, len, "after", "never seen");
	CHECK(iterate(buf, len, &n) == ERR_NOENT && n == 1);
	/* TRAILER!!! is matched by its exact name only. */
	len = put_file(buf, 0, "TRAILER!!", "1");
	len = put_file(buf, len, "TRAILER!!!!", "2");
	len = put_file(buf, len, "./TRAILER!!!", "3");
	len = put_trailer(buf, len);
	CHECK(iterate(buf, len, &n) == ERR_NOENT && n == 3);
	return true;
}

TEST(bad_magic)
{
	static const char *const magics[] = { "070707", "070700", "070703", "07070A", "170701",
					      "O70701", "      " };
	uint8_t buf[1024];
	unsigned n;

	for (size_t i = 0; i < sizeof(magics) / sizeof(magics[0]); i++) {
		size_t len = small_archive(buf);

		memcpy(buf, magics[i], 6);
		CHECK(iterate(buf, len, &n) == ERR_INVAL && n == 0);
		/* The second entry's magic. */
		len = small_archive(buf);
		memcpy(buf + 132, magics[i], 6);
		CHECK(iterate(buf, len, &n) == ERR_INVAL && n == 1);
	}
	return true;
}

TEST(every_field_digit_non_hex)
{
	static const char bad[] = { 'g', 'G', ' ', 'x', '-', '+', 0, '\n', (char)0xb0 };

	for (unsigned field = 0; field < 13; field++)
		for (unsigned pos = 0; pos < 8; pos++)
			for (size_t b = 0; b < sizeof(bad); b++) {
				uint8_t buf[1024];
				size_t len = small_archive(buf);
				unsigned n;

				buf[6 + field * 8 + pos] = (uint8_t)bad[b];
				CHECK(iterate(buf, len, &n) == ERR_INVAL && n == 0);
			}
	return true;
}

TEST(lowercase_hex_accepted)
{
	uint8_t buf[1024], data[0xab];
	struct fields f = { "070701", 0100644, 0xab, 2, 0 };
	size_t len;
	unsigned n;

	memset(data, 'd', sizeof(data));
	len = put(buf, 0, &f, "z", data, sizeof(data));
	CHECK(memcmp(buf + 6 + 6 * 8, "000000AB", 8) == 0);
	memcpy(buf + 6 + 6 * 8, "000000ab", 8);
	CHECK(iterate(buf, len, &n) == ERR_NOENT && n == 1);
	return true;
}

TEST(bad_names)
{
	uint8_t buf[1024];
	size_t len;
	unsigned n;
	struct fields f = { "070701", 0100644, 1, 0, 0 };

	/* namesize 0 */
	len = put(buf, 0, &f, "", "x", 1);
	CHECK(iterate(buf, len, &n) == ERR_INVAL && n == 0);
	/* namesize 1: the empty name, accepted */
	f.namesize = 1;
	len = put(buf, 0, &f, "", "x", 1);
	CHECK(iterate(buf, len, &n) == ERR_NOENT && n == 1);
	/* No NUL at the end of the name. */
	f.namesize = 4;
	len = put(buf, 0, &f, "abcd", "x", 1);
	CHECK(iterate(buf, len, &n) == ERR_INVAL && n == 0);
	/* A NUL inside the name. */
	f.namesize = 4;
	len = put(buf, 0, &f, "a\0b", "x", 1);
	CHECK(iterate(buf, len, &n) == ERR_INVAL && n == 0);
	/* A name running past the end, by one byte and by far. */
	f.namesize = 6;
	len = put(buf, 0, &f, "hello", "", 0);
	CHECK(iterate(buf, HDR + 5, &n) == ERR_INVAL && n == 0);
	CHECK(iterate(buf, HDR + 6, &n) == ERR_INVAL && n == 0);  /* data (1 byte) missing */
	f.filesize = 0;
	len = put(buf, 0, &f, "hello", "", 0);
	CHECK(iterate(buf, HDR + 6, &n) == ERR_NOENT && n == 1);
	memcpy(buf + 6 + 11 * 8, "FFFFFFFF", 8);
	CHECK(iterate(buf, len, &n) == ERR_INVAL && n == 0);
	memcpy(buf + 6 + 11 * 8, "80000000", 8);
	CHECK(iterate(buf, len, &n) == ERR_INVAL && n == 0);
	return true;
}

TEST(data_past_end)
{
	uint8_t buf[1024];
	size_t len;
	unsigned n;
	struct fields f = { "070701", 0100644, 8, 2, 0 };

	len = put(buf, 0, &f, "a", "12345678", 8);   /* data at 112..120 */
	CHECK(len == 120);
	CHECK(iterate(buf, 120, &n) == ERR_NOENT && n == 1);
	CHECK(iterate(buf, 119, &n) == ERR_INVAL && n == 0);
	memcpy(buf + 6 + 6 * 8, "FFFFFFFF", 8);
	CHECK(iterate(buf, len, &n) == ERR_INVAL && n == 0);
	memcpy(buf + 6 + 6 * 8, "FFFFFFF8", 8);
	CHECK(iterate(buf, len, &n) == ERR_INVAL && n == 0);
	return true;
}

TEST(crc_checksum)
{
	uint8_t buf[1024];
	size_t len;
	unsigned n;
	struct fields f = { "070702", 0100644, 4, 2, 0x61 + 0x62 + 0x63 + 0xff };

	len = put(buf, 0, &f, "a", "abc\xff", 4);
	CHECK(iterate(buf, len, &n) == ERR_NOENT && n == 1);
	f.check++;
	len = put(buf, 0, &f, "a", "abc\xff", 4);
	CHECK(iterate(buf, len, &n) == ERR_INVAL && n == 0);
	/* Only regular files are summed (cpio -H crc writes 0 for the rest). */
	f.mode = 0120777;
	len = put(buf, 0, &f, "a", "abc\xff", 4);
	CHECK(iterate(buf, len, &n) == ERR_NOENT && n == 1);
	f.mode = 0100644;
	/* newc (070701) ignores the field. */
	f.magic = "070701";
	len = put(buf, 0, &f, "a", "abc\xff", 4);
	CHECK(iterate(buf, len, &n) == ERR_NOENT && n == 1);
	return true;
}

TEST(header_truncated_every_length)
{
	uint8_t buf[1024];
	unsigned n;

	/* "hello": header 0..110, name to 116, data to 129, padding to 132;
	 * "dir/x": header 132..242, name to 248, data to 251, padding to 252. */
	CHECK(small_archive(buf) == 252 + 124);
	for (size_t cut = 1; cut <= 252; cut++) {
		err_t want_rc = cut < 129 || (cut > 132 && cut < 251) ? ERR_INVAL : ERR_NOENT;
		unsigned want_n = cut < 129 ? 0 : cut < 251 ? 1 : 2;

		CHECK(iterate(buf, cut, &n) == want_rc && n == want_n);
	}
	return true;
}

TEST(unaligned_archive)
{
	uint8_t buf[1024], *p = malloc(1025);
	size_t len = small_archive(buf);
	struct cpio_entry e;

	/* Padding is counted from the archive's start, wherever it sits. */
	memcpy(p + 1, buf, len);
	CHECK(cpio_find(p + 1, len, "dir/x", &e) == 0 && e.size == 3);
	CHECK(memcmp(e.data, "xyz", 3) == 0);
	free(p);
	return true;
}

TEST(find_stops_at_errors_and_takes_first)
{
	uint8_t buf[2048];
	size_t len;
	struct cpio_entry e;

	len = put_file(buf, 0, "./etc/x", "first");
	len = put_file(buf, len, "etc/x", "second");
	len = put_file(buf, len, "y", "why");
	memcpy(buf + len, "garbage", 7);
	len += 7;
	CHECK(cpio_find(buf, len, "/etc/x", &e) == 0 && e.size == 5);
	CHECK(memcmp(e.data, "first", 5) == 0);
	CHECK(cpio_find(buf, len, "y", &e) == 0);
	CHECK(cpio_find(buf, len, "z", &e) == ERR_INVAL);
	CHECK(cpio_find(buf, len, "y", NULL) == ERR_INVAL);
	CHECK(cpio_find(NULL, 0, "y", &e) == ERR_NOENT);
	/* Stripping applies to archive names too: "/y" and "././y". */
	len = put_file(buf, 0, "/abs", "1");
	len = put_file(buf, len, "././rel", "2");
	len = put_trailer(buf, len);
	CHECK(cpio_find(buf, len, "abs", &e) == 0 && cpio_find(buf, len, "./rel", &e) == 0);
	return true;
}

TEST(random_mutations)
{
	size_t size;
	uint8_t *ar = read_file("newc.cpio", &size);
	uint64_t seed = 7;
	unsigned ends[2] = { 0, 0 };

	static const char pick[] = "0123456789abcdefABCDEFxg\0\377";

	CHECK(ar);
	for (unsigned iter = 0; iter < 3000; iter++) {
		uint8_t *p = malloc(size);
		unsigned flips = 1 + host_rand(&seed) % 4, n;
		size_t len = size;
		err_t rc;

		memcpy(p, ar, size);
		for (unsigned i = 0; i < flips; i++) {
			/* Mostly in the first headers, where it matters. */
			size_t off = host_rand(&seed) % (host_rand(&seed) % 2 ? 1024 : size);
			p[off] = (uint8_t)pick[host_rand(&seed) % (sizeof(pick) - 1)];
		}
		if (host_rand(&seed) % 3 == 0)
			len = host_rand(&seed) % (size + 1);
		rc = iterate(p, len, &n);
		free(p);
		CHECK(rc == ERR_NOENT || rc == ERR_INVAL);
		ends[rc == ERR_INVAL]++;
	}
	printf("# %u ended cleanly, %u malformed\n", ends[0], ends[1]);
	free(ar);
	return true;
}
