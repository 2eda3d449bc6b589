// SPDX-License-Identifier: MIT
/*
 * The crash test's program (tests/ext2/crash_test.py; issue 13's
 * reliability): checksummed records appended to a file, each fsync'd.
 *
 *   crashrec cycle FILE SYNCED   check that the first SYNCED records of FILE
 *                                are there and intact (all the writer saw
 *                                fsync return for before the host killed
 *                                QEMU), keep the intact run and append on:
 *                                "synced N" after each fsync, forever
 *   crashrec check FILE SYNCED   only check; exit 0 when intact
 *   crashrec lazy FILE COUNT     append COUNT records with no fsync, say
 *                                "written COUNT", and wait: the server's
 *                                periodic write-back must put them on the
 *                                disk before the host kills QEMU
 *
 * A record is 64 bytes: "REC!", its number, 48 bytes made from the
 * number, and a CRC-32 of the rest. Past the last record whose fsync
 * returned anything goes (ext2 has no journal: a write the crash cut may
 * leave zeros or old bytes); before it, every record must be intact.
 * Exit status: 0, or 1 with a "crashrec: ..." line saying what is wrong.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define REC 64

static uint32_t crc32(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;

	while (n--) {
		c ^= *p++;
		for (int k = 0; k < 8; k++)
			c = c >> 1 ^ (0xedb88320u & -(c & 1));
	}
	return ~c;
}

static void make(uint8_t *r, uint32_t n)
{
	uint32_t c;

	memcpy(r, "REC!", 4);
	memcpy(r + 4, &n, 4);
	for (int i = 0; i < 52; i++)
		r[8 + i] = (uint8_t)(n * 131u + (unsigned)i * 7u);
	c = crc32(r, 60);
	memcpy(r + 60, &c, 4);
}

static int intact(const uint8_t *r, uint32_t n)
{
	uint8_t want[REC];

	make(want, n);
	return !memcmp(r, want, REC);
}

/* The number of intact records from the start; -1 and a message if fewer than synced. */
static long check(int fd, long synced)
{
	uint8_t r[REC];
	long n = 0;
	ssize_t got;

	if (lseek(fd, 0, SEEK_SET) != 0) {
		printf("crashrec: lseek: %s\n", strerror(errno));
		return -1;
	}
	while ((got = read(fd, r, REC)) == REC && intact(r, (uint32_t)n))
		n++;
	if (got < 0) {
		printf("crashrec: read: %s\n", strerror(errno));
		return -1;
	}
	if (n < synced) {
		printf("crashrec: only %ld intact records, %ld were synced\n", n, synced);
		return -1;
	}
	printf("crashrec: %ld intact records (%ld synced)\n", n, synced);
	return n;
}

int main(int argc, char **argv)
{
	uint8_t r[REC];
	long synced, n;
	int fd;

	if (argc != 4 || (strcmp(argv[1], "cycle") && strcmp(argv[1], "check") && strcmp(argv[1], "lazy"))) {
		fprintf(stderr, "usage: crashrec cycle|check|lazy FILE SYNCED|COUNT\n");
		return 2;
	}
	if (!strcmp(argv[1], "lazy")) {
		long count = atol(argv[3]);

		fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0) {
			printf("crashrec: open %s: %s\n", argv[2], strerror(errno));
			return 1;
		}
		for (n = 0; n < count; n++) {
			make(r, (uint32_t)n);
			if (write(fd, r, REC) != REC) {
				printf("crashrec: record %ld: %s\n", n, strerror(errno));
				return 1;
			}
		}
		printf("written %ld\n", count);
		fflush(stdout);
		for (;;)
			pause();
	}
	synced = atol(argv[3]);
	fd = open(argv[2], O_RDWR | O_CREAT, 0644);
	if (fd < 0) {
		printf("crashrec: open %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	if ((n = check(fd, synced)) < 0)
		return 1;
	if (!strcmp(argv[1], "check"))
		return close(fd) ? 1 : 0;
	if (ftruncate(fd, n * REC) || lseek(fd, 0, SEEK_END) != n * REC) {
		printf("crashrec: truncate: %s\n", strerror(errno));
		return 1;
	}
	for (;; n++) {
		make(r, (uint32_t)n);
		if (write(fd, r, REC) != REC || fsync(fd)) {
			printf("crashrec: record %ld: %s\n", n, strerror(errno));
			return 1;
		}
		printf("synced %ld\n", n + 1);
		fflush(stdout);
	}
}
