/* SPDX-License-Identifier: MIT */
/*
 * Parser of the init manifest (docs/manifest.md). The text is split into
 * lines, each line into tokens (pointer and length into the text, never
 * copied until checked), and the first token picks the directive. Every
 * token is length-checked before it is copied into its fixed-size field,
 * every number is range-checked digit by digit, and the first error stops
 * the parse with its line number and a constant message.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <lib/manifest.h>

/* "service <name> <path>" plus the arguments after argv[0]. */
#define MAX_TOKENS  (3 + MANIFEST_MAX_ARGS - 1)

struct token {
	const char *p;
	size_t len;
};

struct line {
	struct token tok[MAX_TOKENS];
	unsigned n;
	bool too_many;     /* more than MAX_TOKENS tokens */
};

struct parser {
	struct manifest_service *out, *svc;   /* svc: the open service block */
	unsigned max, count, lineno;
	bool seen_quota, seen_priority, seen_restart, seen_exitstatus;
	const char *msg;
};

/* Records an error (message and ERR_* value) for the current line. */
static err_t fail(struct parser *ps, err_t rc, const char *msg)
{
	ps->msg = msg;
	return rc;
}

static bool tok_is(const struct token *t, const char *word)
{
	size_t n = strlen(word);

	return t->len == n && memcmp(t->p, word, n) == 0;
}

/* Copies a token checked to be shorter than size. */
static void tok_copy(char *dst, const struct token *t)
{
	memcpy(dst, t->p, t->len);
	dst[t->len] = 0;
}

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '.';
}

/* Service, cap, endpoint and notification names: [A-Za-z0-9_.-], not
 * starting with '.' or '-'. */
static bool valid_name(const char *s, size_t len)
{
	if (len == 0 || s[0] == '.' || s[0] == '-')
		return false;
	for (size_t i = 0; i < len; i++)
		if (!is_name_char(s[i]))
			return false;
	return true;
}

static int digit_in_base(char c, unsigned base)
{
	int d = c >= '0' && c <= '9' ? c - '0' :
		c >= 'a' && c <= 'f' ? c - 'a' + 10 :
		c >= 'A' && c <= 'F' ? c - 'A' + 10 : 99;

	return d < (int)base ? d : -1;
}

/* A whole string of len chars as a decimal or 0x-hex number; false if it
 * is empty, holds another character, or exceeds UINT64_MAX. */
static bool parse_u64(const char *s, size_t len, uint64_t *out)
{
	unsigned base = 10;
	uint64_t v = 0;

	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2, len -= 2, base = 16;
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		int d = digit_in_base(s[i], base);

		if (d < 0 || v > (UINT64_MAX - (uint64_t)d) / base)
			return false;
		v = v * base + (uint64_t)d;
	}
	*out = v;
	return true;
}

/* ---- cap sources ---- */

static const struct {
	const char *word;
	enum manifest_source_kind kind;
} plain_sources[] = {
	{ "console", MANIFEST_SRC_CONSOLE },
	{ "bootimage", MANIFEST_SRC_BOOTIMAGE },
	{ "kinfo", MANIFEST_SRC_KINFO },
	{ "irqctl", MANIFEST_SRC_IRQCTL },
	{ "mmioctl", MANIFEST_SRC_MMIOCTL },
	{ "ioportctl", MANIFEST_SRC_IOPORTCTL },
};

/* If s starts with prefix, the rest after it; else NULL. */
static const char *after_prefix(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncmp(s, prefix, n) == 0 ? s + n : NULL;
}

/* "<base>:<size>": a range [base, base + size) of size > 0 ending at or
 * below limit (limit 0: 2^64). */
static err_t parse_range(const char *arg, uint64_t limit, struct manifest_source *src)
{
	const char *colon = strchr(arg, ':');
	uint64_t base, size;

	if (!colon || !parse_u64(arg, (size_t)(colon - arg), &base) ||
	    !parse_u64(colon + 1, strlen(colon + 1), &size))
		return ERR_INVAL;
	if (size == 0)
		return ERR_INVAL;
	if (limit ? size > limit || base > limit - size       /* base + size <= limit */
		  : base > UINT64_MAX - size + 1)            /* base + size <= 2^64 */
		return ERR_INVAL;
	src->number = base;
	src->size = size;
	return 0;
}

err_t manifest_source_parse(const char *source, struct manifest_source *out)
{
	struct manifest_source src = { .name = NULL };
	const char *arg;

	if (!source || !out)
		return ERR_INVAL;
	for (size_t i = 0; i < sizeof(plain_sources) / sizeof(plain_sources[0]); i++) {
		if (strcmp(source, plain_sources[i].word) == 0) {
			src.kind = plain_sources[i].kind;
			*out = src;
			return 0;
		}
	}
	if ((arg = after_prefix(source, "irq:"))) {
		if (!parse_u64(arg, strlen(arg), &src.number) || src.number > UINT32_MAX)
			return ERR_INVAL;
		src.kind = MANIFEST_SRC_IRQ;
	} else if ((arg = after_prefix(source, "mmio:"))) {
		if (parse_range(arg, 0, &src))
			return ERR_INVAL;
		src.kind = MANIFEST_SRC_MMIO;
	} else if ((arg = after_prefix(source, "ioport:"))) {
		if (parse_range(arg, 0x10000, &src))
			return ERR_INVAL;
		src.kind = MANIFEST_SRC_IOPORT;
	} else if ((arg = after_prefix(source, "endpoint:")) ||
		   (arg = after_prefix(source, "notification:")) ||
		   (arg = after_prefix(source, "launcher:")) ||
		   (arg = after_prefix(source, "process:"))) {
		size_t len = strlen(arg);

		if (len >= MANIFEST_NAME_SIZE || !valid_name(arg, len))
			return ERR_INVAL;
		src.kind = source[0] == 'e' ? MANIFEST_SRC_ENDPOINT :
			   source[0] == 'n' ? MANIFEST_SRC_NOTIFICATION :
			   source[0] == 'l' ? MANIFEST_SRC_LAUNCHER : MANIFEST_SRC_PROCESS;
		src.name = arg;
	} else {
		return ERR_INVAL;
	}
	*out = src;
	return 0;
}

/* ---- directives ---- */

static err_t do_service(struct parser *ps, const struct line *ln)
{
	const struct token *name = &ln->tok[1], *path = &ln->tok[2];
	struct manifest_service *s;

	if (ln->n < 3)
		return fail(ps, ERR_INVAL, "service: missing name or path");
	if (ln->too_many)
		return fail(ps, ERR_2BIG, "service: too many arguments");
	if (name->len >= MANIFEST_NAME_SIZE)
		return fail(ps, ERR_INVAL, "service name too long");
	if (!valid_name(name->p, name->len))
		return fail(ps, ERR_INVAL, "bad service name");
	if (path->len >= MANIFEST_PATH_SIZE)
		return fail(ps, ERR_INVAL, "path too long");
	for (unsigned i = 3; i < ln->n; i++)
		if (ln->tok[i].len >= MANIFEST_ARG_SIZE)
			return fail(ps, ERR_INVAL, "argument too long");
	for (unsigned i = 0; i < ps->count; i++)
		if (tok_is(name, ps->out[i].name))
			return fail(ps, ERR_INVAL, "duplicate service name");
	if (ps->count == ps->max)
		return fail(ps, ERR_2BIG, "too many services");

	s = &ps->out[ps->count++];
	memset(s, 0, sizeof(*s));
	tok_copy(s->name, name);
	tok_copy(s->path, path);
	tok_copy(s->argv[0], name);
	s->argc = 1;
	for (unsigned i = 3; i < ln->n; i++)
		tok_copy(s->argv[s->argc++], &ln->tok[i]);
	s->quota = MANIFEST_QUOTA_DEFAULT;
	s->priority = MANIFEST_PRIORITY_DEFAULT;
	s->line = ps->lineno;
	ps->svc = s;
	ps->seen_quota = ps->seen_priority = ps->seen_restart = false;
	return 0;
}

static bool parse_rights(const struct token *t, unsigned *rights)
{
	static const char letters[] = "rwxgm";   /* bit i is letters[i] */
	unsigned r = 0;

	for (size_t i = 0; i < t->len; i++) {
		const char *l = memchr(letters, t->p[i], sizeof(letters) - 1);
		unsigned bit;

		if (!l)
			return false;
		bit = 1u << (l - letters);
		if (r & bit)
			return false;   /* a letter given twice */
		r |= bit;
	}
	*rights = r;
	return true;
}

/* "cap <name> <source> [rights] [optional]" */
static err_t do_cap(struct parser *ps, const struct line *ln)
{
	struct manifest_service *s = ps->svc;
	const struct token *name = &ln->tok[1], *source = &ln->tok[2];
	struct manifest_source src;
	struct manifest_cap *c;
	unsigned rights = MANIFEST_RIGHTS_ALL, n = ln->n;
	bool optional = false;

	if (n >= 4 && tok_is(&ln->tok[n - 1], "optional")) {
		optional = true;
		n--;
	}
	if (n < 3)
		return fail(ps, ERR_INVAL, "cap: missing name or source");
	if (n > 4 || ln->too_many)
		return fail(ps, ERR_INVAL, "cap: extra argument");
	if (name->len >= MANIFEST_NAME_SIZE)
		return fail(ps, ERR_INVAL, "cap name too long");
	if (!valid_name(name->p, name->len))
		return fail(ps, ERR_INVAL, "bad cap name");
	if (source->len >= MANIFEST_SOURCE_SIZE)
		return fail(ps, ERR_INVAL, "cap source too long");
	if (n == 4 && !parse_rights(&ln->tok[3], &rights))
		return fail(ps, ERR_INVAL, "bad rights (letters from rwxgm, each once)");
	for (unsigned i = 0; i < s->ncaps; i++)
		if (tok_is(name, s->caps[i].name))
			return fail(ps, ERR_INVAL, "duplicate cap name");
	if (s->ncaps == MANIFEST_MAX_CAPS)
		return fail(ps, ERR_2BIG, "too many caps");

	c = &s->caps[s->ncaps];
	memset(c, 0, sizeof(*c));
	tok_copy(c->name, name);
	tok_copy(c->source, source);
	if (manifest_source_parse(c->source, &src))
		return fail(ps, ERR_INVAL, "bad cap source");
	c->rights = rights;
	c->optional = optional;
	s->ncaps++;
	return 0;
}

/* The one argument of quota, priority and restart, as a number. */
static err_t one_number(struct parser *ps, const struct line *ln, uint64_t *v, size_t trim)
{
	if (ln->n < 2)
		return fail(ps, ERR_INVAL, "missing argument");
	if (ln->n > 2 || ln->too_many)
		return fail(ps, ERR_INVAL, "extra argument");
	if (!parse_u64(ln->tok[1].p, ln->tok[1].len - trim, v))
		return fail(ps, ERR_INVAL, "bad number");
	return 0;
}

static err_t do_quota(struct parser *ps, const struct line *ln)
{
	uint64_t v, unit = 1;
	size_t trim = 0;
	err_t rc;

	if (ln->n >= 2 && ln->tok[1].len > 1) {
		char last = ln->tok[1].p[ln->tok[1].len - 1];

		if (last == 'K' || last == 'M') {
			unit = last == 'K' ? 1ull << 10 : 1ull << 20;
			trim = 1;
		}
	}
	if ((rc = one_number(ps, ln, &v, trim)))
		return rc;
	if (ps->seen_quota)
		return fail(ps, ERR_INVAL, "quota given twice");
	if (v == 0 || v > MANIFEST_QUOTA_MAX / unit)
		return fail(ps, ERR_INVAL, "quota out of range (1 byte to 1 GiB)");
	ps->svc->quota = v * unit;
	ps->seen_quota = true;
	return 0;
}

static err_t do_priority(struct parser *ps, const struct line *ln)
{
	uint64_t v;
	err_t rc;

	if ((rc = one_number(ps, ln, &v, 0)))
		return rc;
	if (ps->seen_priority)
		return fail(ps, ERR_INVAL, "priority given twice");
	if (v > MANIFEST_PRIORITY_MAX)
		return fail(ps, ERR_INVAL, "priority above 127");
	ps->svc->priority = (unsigned)v;
	ps->seen_priority = true;
	return 0;
}

static err_t do_restart(struct parser *ps, const struct line *ln)
{
	uint64_t v;
	err_t rc;

	if ((rc = one_number(ps, ln, &v, 0)))
		return rc;
	if (ps->seen_restart)
		return fail(ps, ERR_INVAL, "restart given twice");
	if (v > UINT32_MAX)
		return fail(ps, ERR_INVAL, "restart count too large");
	ps->svc->restart = (unsigned)v;
	ps->seen_restart = true;
	return 0;
}

/* exitstatus: init exits with this service's status; one service at most. */
static err_t do_exitstatus(struct parser *ps, const struct line *ln)
{
	if (ln->n > 1 || ln->too_many)
		return fail(ps, ERR_INVAL, "extra argument");
	if (ps->svc->exitstatus)
		return fail(ps, ERR_INVAL, "exitstatus given twice");
	if (ps->seen_exitstatus)
		return fail(ps, ERR_INVAL, "exitstatus on two services");
	if (ps->svc->tmpl)
		return fail(ps, ERR_INVAL, "exitstatus on a template");
	ps->svc->exitstatus = true;
	ps->seen_exitstatus = true;
	return 0;
}

/* template: not started at boot; instances on demand (a launcher: source). */
static err_t do_template(struct parser *ps, const struct line *ln)
{
	if (ln->n > 1 || ln->too_many)
		return fail(ps, ERR_INVAL, "extra argument");
	if (ps->svc->tmpl)
		return fail(ps, ERR_INVAL, "template given twice");
	if (ps->svc->exitstatus)
		return fail(ps, ERR_INVAL, "exitstatus on a template");
	if (ps->svc->essential)
		return fail(ps, ERR_INVAL, "essential on a template");
	ps->svc->tmpl = true;
	return 0;
}

/* essential: the system ends when this service has ended for good. */
static err_t do_essential(struct parser *ps, const struct line *ln)
{
	if (ln->n > 1 || ln->too_many)
		return fail(ps, ERR_INVAL, "extra argument");
	if (ps->svc->essential)
		return fail(ps, ERR_INVAL, "essential given twice");
	if (ps->svc->tmpl)
		return fail(ps, ERR_INVAL, "essential on a template");
	ps->svc->essential = true;
	return 0;
}

static const struct {
	const char *word;
	err_t (*fn)(struct parser *ps, const struct line *ln);
} directives[] = {
	{ "cap", do_cap },
	{ "quota", do_quota },
	{ "priority", do_priority },
	{ "restart", do_restart },
	{ "exitstatus", do_exitstatus },
	{ "template", do_template },
	{ "essential", do_essential },
};

static err_t do_line(struct parser *ps, const struct line *ln)
{
	if (ln->n == 0)
		return 0;
	if (tok_is(&ln->tok[0], "service"))
		return do_service(ps, ln);
	for (size_t i = 0; i < sizeof(directives) / sizeof(directives[0]); i++) {
		if (tok_is(&ln->tok[0], directives[i].word)) {
			if (!ps->svc)
				return fail(ps, ERR_INVAL, "directive before any service");
			return directives[i].fn(ps, ln);
		}
	}
	return fail(ps, ERR_INVAL, "unknown directive");
}

/* ---- lines and tokens ---- */

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Splits p[0..len) (one line, no '\n', no NUL) into tokens up to a '#'
 * that starts a token. */
static err_t tokenize(struct parser *ps, const char *p, size_t len, struct line *ln)
{
	size_t i = 0;

	ln->n = 0;
	ln->too_many = false;
	while (i < len) {
		size_t start;

		if (is_space(p[i])) {
			i++;
			continue;
		}
		if (p[i] == '#')
			break;
		for (start = i; i < len && !is_space(p[i]); i++)
			if ((unsigned char)p[i] < 0x20 || (unsigned char)p[i] >= 0x7f)
				return fail(ps, ERR_INVAL, "control or non-ASCII character");
		if (ln->n == MAX_TOKENS)
			ln->too_many = true;
		else
			ln->tok[ln->n++] = (struct token){ p + start, i - start };
	}
	return 0;
}

err_t manifest_parse(const char *text, size_t len, struct manifest_service *out, unsigned max,
		     unsigned *count, struct manifest_error *err)
{
	struct parser ps = { .out = out, .max = out ? max : 0, .lineno = 0 };
	size_t pos = 0;
	err_t rc = 0;

	if (count)
		*count = 0;
	if (!text && len)
		rc = fail(&ps, ERR_INVAL, "no text");
	while (!rc && pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t line_len = nl ? (size_t)(nl - (text + pos)) : len - pos;
		struct line ln;

		ps.lineno++;
		if (memchr(text + pos, 0, line_len))
			rc = fail(&ps, ERR_INVAL, "NUL byte in text");
		else if (!(rc = tokenize(&ps, text + pos, line_len, &ln)))
			rc = do_line(&ps, &ln);
		pos += line_len + (nl ? 1 : 0);
	}
	if (err) {
		err->line = rc ? ps.lineno : 0;
		err->msg = rc ? ps.msg : NULL;
	}
	if (!rc && count)
		*count = ps.count;
	return rc;
}
