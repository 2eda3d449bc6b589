/* SPDX-License-Identifier: MIT */
/*
 * The init manifest (lib/manifest.c; the format is in docs/manifest.md):
 * a line-based text file naming the services init starts, with the
 * capabilities, memory quota, priority and restart policy of each. The
 * parser takes untrusted text of a given length (no NUL terminator
 * needed), fills caller-provided fixed-size records, never truncates a
 * token, and reports the first error with its line number.
 */
#ifndef LIB_MANIFEST_H
#define LIB_MANIFEST_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cairn/err.h>

/* Array sizes, NUL included: a name holds at most 31 characters. */
#define MANIFEST_NAME_SIZE    32
#define MANIFEST_PATH_SIZE    96
#define MANIFEST_ARG_SIZE     64
#define MANIFEST_SOURCE_SIZE  64
#define MANIFEST_MAX_ARGS     8     /* argv[0] (the service name) included */
#define MANIFEST_MAX_CAPS     16

/* manifest_cap.rights: the same values as RIGHT_* in cairn/abi.h. */
#define MANIFEST_RIGHT_READ    0x01u   /* r */
#define MANIFEST_RIGHT_WRITE   0x02u   /* w */
#define MANIFEST_RIGHT_EXEC    0x04u   /* x */
#define MANIFEST_RIGHT_GRANT   0x08u   /* g */
#define MANIFEST_RIGHT_MANAGE  0x10u   /* m */
#define MANIFEST_RIGHTS_ALL    0x1fu

#define MANIFEST_QUOTA_DEFAULT     (256ull << 10)
#define MANIFEST_QUOTA_MAX         (1ull << 30)
#define MANIFEST_PRIORITY_DEFAULT  8u
#define MANIFEST_PRIORITY_MAX      127u

struct manifest_cap {
	char name[MANIFEST_NAME_SIZE];
	char source[MANIFEST_SOURCE_SIZE];   /* checked by manifest_source_parse() */
	unsigned rights;
	bool optional;                        /* "optional": left out when init has no
					       * such root on this machine */
};

struct manifest_service {
	char name[MANIFEST_NAME_SIZE];
	char path[MANIFEST_PATH_SIZE];
	unsigned argc;                        /* >= 1: argv[0] is the name */
	char argv[MANIFEST_MAX_ARGS][MANIFEST_ARG_SIZE];
	unsigned ncaps;
	struct manifest_cap caps[MANIFEST_MAX_CAPS];
	uint64_t quota;                       /* bytes of kernel memory */
	unsigned priority, restart;
	unsigned line;                        /* line of its `service` directive */
	bool exitstatus;                      /* init exits with this service's status
					       * (at most one service has it) */
	bool tmpl;                            /* "template": not started at boot; init
					       * starts instances of it on demand, for the
					       * holders of a launcher:<name> capability */
	bool essential;                       /* "essential": when it has ended for good,
					       * init stops every service and the system
					       * powers off */
};

struct manifest_error {
	unsigned line;     /* 1-based; 0 when there was no error */
	const char *msg;   /* constant string; NULL when there was no error */
};

/*
 * Parses len bytes of manifest text into out[0..max).
 * Returns 0 and sets *count to the number of services; on error returns
 * ERR_INVAL (syntax, bad value, duplicate name, NUL byte) or ERR_2BIG (more
 * than max services, MANIFEST_MAX_CAPS caps or MANIFEST_MAX_ARGS args),
 * sets *count to 0, leaves out[] partly written, and if err is not NULL
 * fills it with the line and a message. out may be NULL when max is 0.
 */
err_t manifest_parse(const char *text, size_t len, struct manifest_service *out, unsigned max,
		     unsigned *count, struct manifest_error *err);

/* What a cap's source string names. */
enum manifest_source_kind {
	MANIFEST_SRC_CONSOLE,        /* console */
	MANIFEST_SRC_BOOTIMAGE,      /* bootimage */
	MANIFEST_SRC_KINFO,          /* kinfo */
	MANIFEST_SRC_IRQCTL,         /* irqctl */
	MANIFEST_SRC_MMIOCTL,        /* mmioctl */
	MANIFEST_SRC_IOPORTCTL,      /* ioportctl (x86-64 only) */
	MANIFEST_SRC_IRQ,            /* irq:<n>                 number = n */
	MANIFEST_SRC_MMIO,           /* mmio:<base>:<size>      base, size > 0 */
	MANIFEST_SRC_IOPORT,         /* ioport:<base>:<count>   base, size = count > 0 */
	MANIFEST_SRC_ENDPOINT,       /* endpoint:<name>         name */
	MANIFEST_SRC_NOTIFICATION,   /* notification:<name>     name */
	MANIFEST_SRC_LAUNCHER,       /* launcher:<name>         name: a template service */
	MANIFEST_SRC_PROCESS,        /* process:<name>          name: a service started before
				      * (its Process: tests that kill a server) */
};

struct manifest_source {
	enum manifest_source_kind kind;
	uint64_t number;      /* irq number, or mmio or ioport base */
	uint64_t size;        /* mmio size, or ioport count */
	const char *name;     /* endpoint/notification name: points into the source */
};

/*
 * Decodes a NUL-terminated cap source string (as stored in
 * manifest_cap.source, which manifest_parse has already checked).
 * Numbers are decimal or 0x-prefixed hex; an irq number fits 32 bits; an
 * mmio range has size > 0 and does not wrap; an ioport range has count > 0
 * and ends at or below 0x10000 (ports are 16-bit); names follow the rules
 * of service names. Returns 0, or ERR_INVAL for an unknown or malformed source.
 */
err_t manifest_source_parse(const char *source, struct manifest_source *out);

#endif
