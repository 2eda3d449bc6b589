/* SPDX-License-Identifier: MIT */
/*
 * Reading "newc" cpio archives (lib/cpio.c), the format of the boot image
 * (`cpio -o -H newc`, magic 070701, or 070702, `-H crc`, with a checksum of
 * each regular file's data).
 * Entries are returned in archive order as pointers into the archive; the
 * archive is never modified or copied. Every header field is checked
 * against the archive's size, so a malformed archive is an error, never an
 * out-of-bounds read.
 */
#ifndef LIB_CPIO_H
#define LIB_CPIO_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cairn/err.h>

/* File type bits of cpio_entry.mode (the POSIX S_IF* values). */
#define CPIO_S_IFMT   0170000u
#define CPIO_S_IFDIR  0040000u
#define CPIO_S_IFREG  0100000u
#define CPIO_S_IFLNK  0120000u

struct cpio_entry {
	const char *name;    /* NUL-terminated, name_len bytes before the NUL */
	size_t name_len;
	const void *data;    /* size bytes inside the archive */
	size_t size;
	uint32_t mode;       /* type and permission bits */
};

struct cpio_iter {
	const uint8_t *base;
	size_t size, off;
	bool done;
};

/* Starts an iteration over the size bytes at archive. */
void cpio_iter_init(struct cpio_iter *it, const void *archive, size_t size);

/*
 * The next entry, in archive order.
 * Returns 0 and fills *e; ERR_NOENT at the TRAILER!!! entry or when the
 * archive ends exactly after an entry; ERR_INVAL for a malformed header
 * (bad magic, a field that is not 8 hex digits, namesize 0, a name that is
 * not NUL-terminated or holds a NUL, name or data past the end, a 070702
 * regular file whose checksum does not match). After ERR_NOENT or ERR_INVAL the iteration is over
 * and later calls return ERR_NOENT.
 */
err_t cpio_next(struct cpio_iter *it, struct cpio_entry *e);

/*
 * Finds the first entry named path. Leading "/" and "./" are stripped from
 * both path and the entry names before comparing ("/bin/init",
 * "./bin/init" and "bin/init" are the same name).
 * Returns 0 and fills *e; ERR_NOENT if no entry has that name; ERR_INVAL if
 * a malformed header comes before a match, or path is NULL.
 */
err_t cpio_find(const void *archive, size_t size, const char *path, struct cpio_entry *e);

#endif
