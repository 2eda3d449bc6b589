/* SPDX-License-Identifier: MIT */
/*
 * "newc" cpio archive reader. An entry is a 110-byte ASCII header (magic,
 * then thirteen 8-digit hex fields), the NUL-terminated name, padding to a
 * multiple of 4 from the archive start, the data, and padding again. The
 * archive ends with an entry named TRAILER!!!. All offsets are checked
 * against the archive size before use; sums cannot wrap because every
 * operand is first compared with the space left.
 */
#include <stdint.h>
#include <string.h>
#include <lib/cpio.h>

#define HDR_SIZE   110
#define MAGIC_LEN  6
#define FIELD_LEN  8
#define NFIELDS    13

/* Header fields, in order after the magic. */
enum {
	F_INO, F_MODE, F_UID, F_GID, F_NLINK, F_MTIME, F_FILESIZE,
	F_DEVMAJOR, F_DEVMINOR, F_RDEVMAJOR, F_RDEVMINOR, F_NAMESIZE, F_CHECK,
};

static const char trailer[] = "TRAILER!!!";

void cpio_iter_init(struct cpio_iter *it, const void *archive, size_t size)
{
	it->base = archive;
	it->size = archive ? size : 0;
	it->off = 0;
	it->done = false;
}

static int hex_value(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes the 13 fields after the magic; false if any is not hex. */
static bool parse_fields(const uint8_t *h, uint32_t f[NFIELDS])
{
	const uint8_t *p = h + MAGIC_LEN;

	for (unsigned i = 0; i < NFIELDS; i++) {
		uint32_t v = 0;

		for (unsigned j = 0; j < FIELD_LEN; j++, p++) {
			int d = hex_value(*p);
			if (d < 0)
				return false;
			v = v << 4 | (uint32_t)d;
		}
		f[i] = v;
	}
	return true;
}

/* off rounded up to a multiple of 4, or size if the padding runs past the
 * end (the last entry of a trimmed archive). */
static size_t pad4(size_t off, size_t size)
{
	size_t pad = (4 - (off & 3)) & 3;

	return pad > size - off ? size : off + pad;
}

/* The 070702 checksum: the byte sum modulo 2^32 (summed in 64 bits,
 * which a 4 GiB file cannot overflow). */
static uint32_t byte_sum(const uint8_t *p, size_t n)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < n; i++)
		sum += p[i];
	return (uint32_t)sum;
}

static err_t stop(struct cpio_iter *it, err_t rc)
{
	it->done = true;
	return rc;
}

err_t cpio_next(struct cpio_iter *it, struct cpio_entry *e)
{
	const uint8_t *h;
	size_t left = it->size - it->off, name_off, data_off, namesize, filesize;
	uint32_t f[NFIELDS];
	bool crc;

	if (it->done)
		return ERR_NOENT;
	if (left == 0)
		return stop(it, ERR_NOENT);    /* ended without a trailer */
	if (left < HDR_SIZE)
		return stop(it, ERR_INVAL);
	h = it->base + it->off;
	if (memcmp(h, "07070", 5) != 0 || (h[5] != '1' && h[5] != '2'))
		return stop(it, ERR_INVAL);
	crc = h[5] == '2';
	if (!parse_fields(h, f))
		return stop(it, ERR_INVAL);

	namesize = f[F_NAMESIZE];
	filesize = f[F_FILESIZE];
	name_off = it->off + HDR_SIZE;
	if (namesize == 0 || namesize > left - HDR_SIZE)
		return stop(it, ERR_INVAL);
	if (it->base[name_off + namesize - 1] != 0 ||
	    memchr(it->base + name_off, 0, namesize - 1) != NULL)
		return stop(it, ERR_INVAL);
	if (namesize == sizeof(trailer) && memcmp(it->base + name_off, trailer, namesize) == 0)
		return stop(it, ERR_NOENT);

	data_off = pad4(name_off + namesize, it->size);
	if (filesize > it->size - data_off)
		return stop(it, ERR_INVAL);
	/* cpio -H crc sums the data of regular files only (0 for the rest). */
	if (crc && (f[F_MODE] & CPIO_S_IFMT) == CPIO_S_IFREG &&
	    byte_sum(it->base + data_off, filesize) != f[F_CHECK])
		return stop(it, ERR_INVAL);

	*e = (struct cpio_entry){
		.name = (const char *)it->base + name_off,
		.name_len = namesize - 1,
		.data = it->base + data_off,
		.size = filesize,
		.mode = f[F_MODE],
	};
	it->off = pad4(data_off + filesize, it->size);
	return 0;
}

/* Skips leading "/" and "./" components. */
static const char *strip_prefix(const char *s, size_t *len)
{
	for (;;) {
		if (*len >= 1 && s[0] == '/') {
			s++, (*len)--;
		} else if (*len >= 2 && s[0] == '.' && s[1] == '/') {
			s += 2, *len -= 2;
		} else {
			return s;
		}
	}
}

err_t cpio_find(const void *archive, size_t size, const char *path, struct cpio_entry *e)
{
	struct cpio_iter it;
	struct cpio_entry cur;
	size_t want_len;
	const char *want;
	err_t rc;

	if (!path || !e)
		return ERR_INVAL;
	want_len = strlen(path);
	want = strip_prefix(path, &want_len);
	cpio_iter_init(&it, archive, size);
	while ((rc = cpio_next(&it, &cur)) == 0) {
		size_t len = cur.name_len;
		const char *name = strip_prefix(cur.name, &len);

		if (len == want_len && memcmp(name, want, len) == 0) {
			*e = cur;
			return 0;
		}
	}
	return rc;
}
