/* SPDX-License-Identifier: MIT */
/*
 * Reading the start-up block (include/cairn/abi.h: "argc\0argv0\0...\0"
 * then "name=slot\0" entries ended by an empty string; for POSIX
 * processes then "envc\0NAME=value\0...", include/cairn/posix.h) into
 * argv, a capability-name table and the environment. The block is copied,
 * so argv strings are writable as C expects and the block's page could be
 * unmapped. A block longer than CAIRN_STARTUP_MAX starts "argc:length"
 * (a POSIX process's, posix.h): the C library (CAIRN_POSIX_STARTUP)
 * reads up to POSIX_STARTUP_MAX bytes of it in place (the process server
 * maps it writable, and the libc never unmaps it: 2 MiB copied into every
 * process's data would be charged to each), libcairn's programs the
 * first CAIRN_STARTUP_MAX. Shared by libcairn's start-up (start.c) and musl-port's
 * (musl-port/src/cairn/start.c), which builds this file into the Cairn libc.
 */
#include <stdlib.h>
#include <string.h>
#include <cairn/rt.h>
#ifdef CAIRN_POSIX_STARTUP
#include <cairn/posix.h>
#define LONG_MAX_  POSIX_STARTUP_MAX
#else
#define LONG_MAX_  CAIRN_STARTUP_MAX
#endif

#define MAX_CAPS  64

struct cairn_ipcbuf *cairn_ipcbuf_ptr = (struct cairn_ipcbuf *)CAIRN_IPCBUF_VA;

static char copy[CAIRN_STARTUP_MAX + 1];
static char *block = copy;
static size_t block_len;
static struct {
	const char *name;
	cap_t slot;
} cap_tab[MAX_CAPS];
static unsigned ncaps;
static size_t env_pos;      /* where the environment starts in block, 0: none */
static size_t kept_pos;     /* ... what the process keeps across exec, 0: none */

/* The next NUL-terminated string at *pos, or NULL at the end of the block. */
static char *next_string(size_t *pos)
{
	char *s = block + *pos;
	size_t len;

	if (*pos >= block_len)
		return NULL;
	len = strnlen(s, block_len - *pos);
	if (*pos + len >= block_len)
		return NULL;            /* unterminated: stop there */
	*pos += len + 1;
	return s;
}

/* A decimal number (strtoul(s, end, 10) without a sign, spaces or
 * errno: musl-port reads the block before the thread pointer is set up,
 * and errno lives behind it). Saturates instead of overflowing. */
static unsigned long dec(const char *s, char **end)
{
	unsigned long n = 0;

	for (; *s >= '0' && *s <= '9'; s++)
		n = n > (~0ul - 9) / 10 ? ~0ul : n * 10 + (unsigned long)(*s - '0');
	*end = (char *)s;
	return n;
}

/* The names, copied out of the block (a block used in place is read
 * again by a second cairn_startup_read: it must stay as it was) */
static char names[MAX_CAPS * 32];
static size_t names_len;

static void add_cap(const char *entry)
{
	const char *eq = strchr(entry, '=');
	char *end;
	unsigned long slot;
	size_t n;

	if (!eq || eq == entry || ncaps == MAX_CAPS)
		return;
	slot = dec(eq + 1, &end);
	n = (size_t)(eq - entry);
	if (end == eq + 1 || *end || n + 1 > sizeof(names) - names_len)
		return;
	memcpy(names + names_len, entry, n);
	names[names_len + n] = 0;
	cap_tab[ncaps].name = names + names_len;
	cap_tab[ncaps].slot = slot;
	names_len += n + 1;
	ncaps++;
}

unsigned cairn_startup_read(const char *startup, char **argv, unsigned max)
{
	size_t pos = 0;
	char *s, *end;
	unsigned long n;
	unsigned argc = 0;

	ncaps = 0;
	names_len = 0;
	env_pos = 0;
	kept_pos = 0;
	block_len = 0;
	if (!startup)
		return 0;
	/* the length: "argc:length" says it (read in the first page, which is
	 * always there), else CAIRN_STARTUP_MAX */
	block_len = CAIRN_STARTUP_MAX;
	block = copy;
	n = dec(startup, &end);
	if (end != startup && *end == ':') {
		const char *l = end + 1;
		unsigned long len = dec(l, &end);
		if (end != l && !*end && len > CAIRN_STARTUP_MAX)
			block_len = len < LONG_MAX_ ? len : LONG_MAX_;
	}
	if (block_len > CAIRN_STARTUP_MAX) {
		block = (char *)startup;        /* in place (writable) */
	} else {
		memcpy(block, startup, block_len);
		block[block_len] = 0;
	}
	s = next_string(&pos);
	if (!s)
		return 0;
	n = dec(s, &end);
	if (end == s || (*end && *end != ':'))
		return 0;
	for (unsigned long i = 0; i < n; i++) {
		s = next_string(&pos);
		if (!s)
			break;
		if (argc < max)
			argv[argc] = s;
		argc++;
	}
	while ((s = next_string(&pos)) && *s)
		add_cap(s);
	if (s)
		env_pos = pos;
	return argc;
}

unsigned cairn_startup_env(char **envp, unsigned max)
{
	size_t pos = env_pos;
	char *s, *end;
	unsigned long n;
	unsigned envc = 0;

	if (!pos || !(s = next_string(&pos)))
		return 0;
	n = dec(s, &end);
	if (end == s || *end)
		return 0;
	for (unsigned long i = 0; i < n; i++) {
		s = next_string(&pos);
		if (!s)
			return envc;
		if (envc < max)
			envp[envc] = s;
		envc++;
	}
	kept_pos = pos;
	return envc;
}

const char *cairn_startup_kept(const char *key)
{
	size_t pos = kept_pos, n = strlen(key);
	const char *s;

	if (!pos)
		return NULL;
	while ((s = next_string(&pos)) && *s)
		if (!strncmp(s, key, n) && s[n] == '=')
			return s + n + 1;
	return NULL;
}

cap_t cairn_cap(const char *name)
{
	for (unsigned i = 0; i < ncaps; i++)
		if (!strcmp(cap_tab[i].name, name))
			return cap_tab[i].slot;
	return CAP_NULL;
}

const char *cairn_cap_name(unsigned i, cap_t *slot)
{
	if (i >= ncaps)
		return NULL;
	if (slot)
		*slot = cap_tab[i].slot;
	return cap_tab[i].name;
}
