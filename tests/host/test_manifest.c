// SPDX-License-Identifier: MIT
/*
 * Host tests of lib/manifest.c: the example of docs/manifest.md parsed
 * field by field, defaults, every boundary of every token and number,
 * every error with its line and message, and truncations and mutations
 * of a valid manifest. Texts are copied into exactly sized heap blocks
 * without a NUL, so AddressSanitizer catches any read past len.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <lib/manifest.h>
#include "test.h"
#include "host.h"
#include "../fuzz/invariants.h"

#if __has_include(<cairn/abi.h>)
#include <cairn/abi.h>
#ifdef RIGHT_READ
_Static_assert(MANIFEST_RIGHT_READ == RIGHT_READ && MANIFEST_RIGHT_WRITE == RIGHT_WRITE &&
	       MANIFEST_RIGHT_EXEC == RIGHT_EXEC && MANIFEST_RIGHT_GRANT == RIGHT_GRANT &&
	       MANIFEST_RIGHT_MANAGE == RIGHT_MANAGE, "manifest rights differ from the ABI's");
#endif
#endif

#define MAXSVC 8
static struct manifest_service svc[MAXSVC];
static unsigned nsvc;
static struct manifest_error perr;

/* manifest_parse on an exact, unterminated copy of text[0..len). */
static err_t parse_n(const char *text, size_t len, unsigned max)
{
	char *p = malloc(len ? len : 1);
	err_t rc;

	memcpy(p, text, len);
	memset(svc, 0x5a, sizeof(svc));
	rc = manifest_parse(p, len, svc, max, &nsvc, &perr);
	free(p);
	if (rc == 0 && (perr.line != 0 || perr.msg != NULL || manifest_invariants(svc, nsvc)))
		return -1;
	if (rc != 0 && (nsvc != 0 || perr.line == 0 || perr.msg == NULL))
		return -2;
	return rc;
}

static err_t parse(const char *text)
{
	return parse_n(text, strlen(text), MAXSVC);
}

/* True if text fails with rc on line `line` with a message containing msg. */
static bool fails(const char *text, err_t rc, unsigned line, const char *msg)
{
	err_t got = parse(text);

	if (got != rc || perr.line != line || !perr.msg || !strstr(perr.msg, msg)) {
		printf("# \"%s\": rc %d line %u \"%s\"; wanted %d line %u \"%s\"\n", text, got,
		       perr.line, perr.msg ? perr.msg : "", rc, line, msg);
		return false;
	}
	return true;
}

static bool ok1(const char *text)
{
	err_t rc = parse(text);

	if (rc != 0 || nsvc != 1) {
		printf("# \"%s\": rc %d, %u services, line %u: %s\n", text, rc, nsvc, perr.line,
		       perr.msg ? perr.msg : "");
		return false;
	}
	return true;
}

static const char example[] =
	"# The services init starts (docs/manifest.md).\n"
	"\n"
	"service console-srv bin/console\n"
	"    cap uart mmio:0x10000000:0x100 rw\n"
	"    cap uart-irq irq:10\n"
	"    cap log endpoint:log rg   # served by this service\n"
	"    priority 2\n"
	"    quota 64K\n"
	"\n"
	"service logger /bin/logger --level=info -v\n"
	"\tcap log endpoint:log w\n"
	"\tcap done notification:ready w\n"
	"\tcap out console\n"
	"\tquota 2M\n"
	"\trestart 3\n"
	"service idle ./bin/idle\n";

TEST(example)
{
	const struct manifest_service *s;

	CHECK(parse(example) == 0 && nsvc == 3);
	s = &svc[0];
	CHECK(strcmp(s->name, "console-srv") == 0 && strcmp(s->path, "bin/console") == 0);
	CHECK(s->argc == 1 && strcmp(s->argv[0], "console-srv") == 0);
	CHECK(s->ncaps == 3 && s->line == 3);
	CHECK(strcmp(s->caps[0].name, "uart") == 0 && strcmp(s->caps[0].source, "mmio:0x10000000:0x100") == 0);
	CHECK(s->caps[0].rights == (MANIFEST_RIGHT_READ | MANIFEST_RIGHT_WRITE));
	CHECK(strcmp(s->caps[1].source, "irq:10") == 0 && s->caps[1].rights == MANIFEST_RIGHTS_ALL);
	CHECK(strcmp(s->caps[2].source, "endpoint:log") == 0);
	CHECK(s->caps[2].rights == (MANIFEST_RIGHT_READ | MANIFEST_RIGHT_GRANT));
	CHECK(s->priority == 2 && s->quota == 64 * 1024 && s->restart == 0);
	s = &svc[1];
	CHECK(strcmp(s->name, "logger") == 0 && strcmp(s->path, "/bin/logger") == 0 && s->line == 10);
	CHECK(s->argc == 3 && strcmp(s->argv[0], "logger") == 0);
	CHECK(strcmp(s->argv[1], "--level=info") == 0 && strcmp(s->argv[2], "-v") == 0);
	CHECK(s->ncaps == 3 && s->caps[0].rights == MANIFEST_RIGHT_WRITE);
	CHECK(strcmp(s->caps[1].name, "done") == 0 && strcmp(s->caps[2].source, "console") == 0);
	CHECK(s->quota == 2u << 20 && s->restart == 3 && s->priority == MANIFEST_PRIORITY_DEFAULT);
	s = &svc[2];
	CHECK(strcmp(s->name, "idle") == 0 && strcmp(s->path, "./bin/idle") == 0 && s->line == 16);
	CHECK(s->argc == 1 && s->ncaps == 0);
	CHECK(s->quota == MANIFEST_QUOTA_DEFAULT && s->priority == 8 && s->restart == 0);
	return true;
}

TEST(empty_texts)
{
	CHECK(parse("") == 0 && nsvc == 0);
	CHECK(parse("\n\n# nothing\n   \n\t\n") == 0 && nsvc == 0);
	CHECK(manifest_parse(NULL, 0, svc, MAXSVC, &nsvc, &perr) == 0 && nsvc == 0);
	CHECK(manifest_parse(NULL, 0, NULL, 0, NULL, NULL) == 0);
	CHECK(manifest_parse(NULL, 5, svc, MAXSVC, &nsvc, &perr) == ERR_INVAL);
	return true;
}

TEST(layout_variants)
{
	/* No final newline, CRLF line ends, tabs, runs of blanks, no indentation. */
	CHECK(ok1("service a b"));
	CHECK(ok1("service a b\r\ncap c console r\r\n"));
	CHECK(strcmp(svc[0].caps[0].source, "console") == 0 && svc[0].caps[0].rights == 1);
	CHECK(ok1("  \t service \t a   b  \t\n\t\t  priority\t\t0   \n"));
	CHECK(svc[0].priority == 0 && strcmp(svc[0].path, "b") == 0);
	/* '#' starts a comment at the start of a token only. */
	CHECK(ok1("service a b#c #comment\n#service x y\n"));
	CHECK(strcmp(svc[0].path, "b#c") == 0 && svc[0].argc == 1);
	/* Anything but NUL may follow a '#'. */
	CHECK(ok1("service a b # caf\xc3\xa9 \x01\x7f\n"));
	return true;
}

TEST(unterminated_text)
{
	static const char text[] = "service a b\ncap c irq:1";

	/* Every prefix parses on its own (parse_n copies exactly len bytes). */
	CHECK(parse_n(text, sizeof(text) - 1, MAXSVC) == 0 && svc[0].ncaps == 1);
	CHECK(strcmp(svc[0].caps[0].source, "irq:1") == 0);
	CHECK(parse_n(text, sizeof(text) - 2, MAXSVC) == ERR_INVAL && perr.line == 2);
	CHECK(strstr(perr.msg, "bad cap source"));
	CHECK(parse_n(text, 12, MAXSVC) == 0 && svc[0].ncaps == 0);   /* "service a b\n" */
	CHECK(parse_n(text, 13, MAXSVC) == ERR_INVAL && perr.line == 2);  /* "...\nc" */
	return true;
}

/* ---- errors ---- */

TEST(directive_errors)
{
	CHECK(fails("services a b\n", ERR_INVAL, 1, "unknown directive"));
	CHECK(fails("service a b\n  Cap c console\n", ERR_INVAL, 2, "unknown directive"));
	CHECK(fails("\n\nfrobnicate\n", ERR_INVAL, 3, "unknown directive"));
	CHECK(fails("cap c console\nservice a b\n", ERR_INVAL, 1, "before any service"));
	CHECK(fails("# x\nquota 1K\n", ERR_INVAL, 2, "before any service"));
	CHECK(fails("priority 1\n", ERR_INVAL, 1, "before any service"));
	CHECK(fails("restart 1\n", ERR_INVAL, 1, "before any service"));
	return true;
}

TEST(argument_count_errors)
{
	CHECK(fails("service\n", ERR_INVAL, 1, "missing name or path"));
	CHECK(fails("service a\n", ERR_INVAL, 1, "missing name or path"));
	CHECK(fails("service a b\ncap\n", ERR_INVAL, 2, "missing name or source"));
	CHECK(fails("service a b\ncap c\n", ERR_INVAL, 2, "missing name or source"));
	CHECK(fails("service a b\ncap c console r w\n", ERR_INVAL, 2, "extra argument"));
	CHECK(fails("service a b\ncap c console r 1 2 3 4 5 6 7 8 9 10\n", ERR_INVAL, 2, "extra argument"));
	CHECK(fails("service a b\nquota\n", ERR_INVAL, 2, "missing argument"));
	CHECK(fails("service a b\nquota 1 2\n", ERR_INVAL, 2, "extra argument"));
	CHECK(fails("service a b\npriority\n", ERR_INVAL, 2, "missing argument"));
	CHECK(fails("service a b\npriority 1 # x\npriority 2 3\n", ERR_INVAL, 3, "extra argument"));
	CHECK(fails("service a b\nrestart\n", ERR_INVAL, 2, "missing argument"));
	CHECK(fails("service a b\nrestart 1 1 1 1 1 1 1 1 1 1 1 1\n", ERR_INVAL, 2, "extra argument"));
	return true;
}

TEST(args_limit)
{
	CHECK(ok1("service a b 1 2 3 4 5 6 7\n"));
	CHECK(svc[0].argc == MANIFEST_MAX_ARGS && strcmp(svc[0].argv[7], "7") == 0);
	CHECK(fails("service a b 1 2 3 4 5 6 7 8\n", ERR_2BIG, 1, "too many arguments"));
	CHECK(fails("service a b 1 2 3 4 5 6 7 8 9 10 11 12 13\n", ERR_2BIG, 1, "too many arguments"));
	return true;
}

/* A string of n copies of c. */
static const char *rep(char c, size_t n)
{
	static char buf[4][256];
	static unsigned k;
	char *b = buf[k++ % 4];

	memset(b, c, n);
	b[n] = 0;
	return b;
}

static bool ok1f(const char *fmt, const char *a)
{
	char text[512];

	snprintf(text, sizeof(text), fmt, a);
	return ok1(text);
}

static bool failsf(const char *fmt, const char *a, err_t rc, unsigned line, const char *msg)
{
	char text[512];

	snprintf(text, sizeof(text), fmt, a);
	return fails(text, rc, line, msg);
}

TEST(token_lengths)
{
	CHECK(ok1f("service %s p\n", rep('n', 31)) && strlen(svc[0].name) == 31);
	CHECK(strlen(svc[0].argv[0]) == 31);
	CHECK(failsf("service %s p\n", rep('n', 32), ERR_INVAL, 1, "service name too long"));
	CHECK(ok1f("service n %s\n", rep('p', 95)) && strlen(svc[0].path) == 95);
	CHECK(failsf("service n %s\n", rep('p', 96), ERR_INVAL, 1, "path too long"));
	CHECK(ok1f("service n p x %s\n", rep('a', 63)) && strlen(svc[0].argv[2]) == 63);
	CHECK(failsf("service n p x %s\n", rep('a', 64), ERR_INVAL, 1, "argument too long"));
	CHECK(ok1f("service n p\ncap %s console\n", rep('c', 31)));
	CHECK(strlen(svc[0].caps[0].name) == 31);
	CHECK(failsf("service n p\ncap %s console\n", rep('c', 32), ERR_INVAL, 2, "cap name too long"));
	CHECK(ok1f("service n p\ncap c endpoint:%s\n", rep('e', 31)));
	CHECK(strlen(svc[0].caps[0].source) == 40);
	CHECK(failsf("service n p\ncap c endpoint:%s\n", rep('e', 32), ERR_INVAL, 2, "bad cap source"));
	CHECK(ok1f("service n p\ncap c mmio:0x%s:1\n", rep('0', 54)));
	CHECK(strlen(svc[0].caps[0].source) == 63);
	CHECK(failsf("service n p\ncap c mmio:0x%s:1\n", rep('0', 55), ERR_INVAL, 2, "cap source too long"));
	return true;
}

TEST(names)
{
	CHECK(ok1("service A-z_0.9 p\ncap _x.Y-1 console\n"));
	CHECK(ok1("service 0 p\ncap 9 console\n"));
	CHECK(fails("service -a p\n", ERR_INVAL, 1, "bad service name"));
	CHECK(fails("service .a p\n", ERR_INVAL, 1, "bad service name"));
	CHECK(fails("service a/b p\n", ERR_INVAL, 1, "bad service name"));
	CHECK(fails("service a:b p\n", ERR_INVAL, 1, "bad service name"));
	CHECK(fails("service n p\ncap a@b console\n", ERR_INVAL, 2, "bad cap name"));
	CHECK(fails("service n p\ncap -c console\n", ERR_INVAL, 2, "bad cap name"));
	return true;
}

TEST(duplicates)
{
	CHECK(fails("service a p\nservice b p\nservice a q\n", ERR_INVAL, 3, "duplicate service name"));
	CHECK(fails("service a p\ncap c console\ncap d kinfo\ncap c kinfo\n", ERR_INVAL, 4,
		    "duplicate cap name"));
	/* Cap names are per service. */
	CHECK(parse("service a p\ncap c console\nservice b p\ncap c console\n") == 0 && nsvc == 2);
	CHECK(fails("service a p\nquota 1K\nquota 1K\n", ERR_INVAL, 3, "quota given twice"));
	CHECK(fails("service a p\npriority 1\nrestart 1\npriority 1\n", ERR_INVAL, 4,
		    "priority given twice"));
	CHECK(fails("service a p\nrestart 1\nrestart 1\n", ERR_INVAL, 3, "restart given twice"));
	/* Directives belong to the last service: no clash across services. */
	CHECK(parse("service a p\nquota 1K\nservice b p\nquota 2K\n") == 0 && nsvc == 2);
	CHECK(svc[0].quota == 1024 && svc[1].quota == 2048);
	return true;
}

TEST(service_and_cap_limits)
{
	char text[4096];
	size_t len = 0;

	for (unsigned i = 0; i < MAXSVC; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "service s%u p\n", i);
	CHECK(parse(text) == 0 && nsvc == MAXSVC);
	CHECK(parse_n(text, len, MAXSVC - 1) == ERR_2BIG && perr.line == MAXSVC);
	CHECK(strstr(perr.msg, "too many services"));
	CHECK(parse_n(text, len, 0) == ERR_2BIG && perr.line == 1);
	CHECK(manifest_parse(text, len, NULL, 5, &nsvc, &perr) == ERR_2BIG && perr.line == 1);

	len = (size_t)snprintf(text, sizeof(text), "service a p\n");
	for (unsigned i = 0; i < MANIFEST_MAX_CAPS; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "cap c%u console r\n", i);
	CHECK(ok1(text) && svc[0].ncaps == MANIFEST_MAX_CAPS);
	snprintf(text + len, sizeof(text) - len, "cap c16 console r\n");
	CHECK(fails(text, ERR_2BIG, 18, "too many caps"));
	return true;
}

/* "optional" after the source (and the rights): init leaves the cap out
 * when it has no such root on the machine (ioportctl on riscv64). */
TEST(cap_optional)
{
	CHECK(ok1("service a p\ncap c ioportctl m optional\ncap d irqctl m\n"));
	CHECK(svc[0].ncaps == 2 && svc[0].caps[0].optional && !svc[0].caps[1].optional);
	CHECK(svc[0].caps[0].rights == MANIFEST_RIGHT_MANAGE);
	CHECK(ok1("service a p\ncap c ioport:0x3f8:8 optional\n"));
	CHECK(svc[0].caps[0].optional && svc[0].caps[0].rights == MANIFEST_RIGHTS_ALL);
	CHECK(fails("service a p\ncap c optional\n", ERR_INVAL, 2, "bad cap source"));
	CHECK(fails("service a p\ncap c console optional r\n", ERR_INVAL, 2, "extra argument"));
	CHECK(ok1("service a p\ncap c console optional\n") && svc[0].caps[0].optional);
	CHECK(fails("service a p\ncap c console optional optional\n", ERR_INVAL, 2, "bad rights"));
	CHECK(fails("service a p\ncap c console r w optional\n", ERR_INVAL, 2, "extra argument"));
	CHECK(fails("service a p\ncap c console Optional\n", ERR_INVAL, 2, "bad rights"));
	return true;
}

TEST(rights)
{
	static const struct { const char *r; unsigned want; } good[] = {
		{ "r", 1 }, { "w", 2 }, { "x", 4 }, { "g", 8 }, { "m", 16 },
		{ "rwxgm", 0x1f }, { "mgxwr", 0x1f }, { "wm", 0x12 },
	};
	static const char *const bad[] = { "rr", "rwr", "R", "a", "rw-", "-", "0", "rwxgmr" };

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		CHECK(ok1f("service a p\ncap c console %s\n", good[i].r));
		CHECK(svc[0].caps[0].rights == good[i].want);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(failsf("service a p\ncap c console %s\n", bad[i], ERR_INVAL, 2, "bad rights"));
	CHECK(ok1("service a p\ncap c console\n") && svc[0].caps[0].rights == MANIFEST_RIGHTS_ALL);
	return true;
}

TEST(sources)
{
	static const char *const good[] = {
		"console", "bootimage", "kinfo", "irqctl", "mmioctl", "irq:0", "irq:10", "irq:0x1f",
		"irq:4294967295", "mmio:0x10000000:0x100", "mmio:0:1", "mmio:4096:4096",
		"mmio:0xfffffffffffff000:0x1000", "mmio:0xffffffffffffffff:1",
		"ioportctl", "ioport:0x3f8:8", "ioport:0:1", "ioport:0:0x10000", "ioport:0xffff:1",
		"ioport:0xfff0:0x10",
		"endpoint:log", "endpoint:A-b.c_9", "notification:ready", "launcher:ext2x",
		"process:vfs",
	};
	static const char *const bad[] = {
		"Console", "consoles", "console:", "irq", "irq:", "irq:x", "irq:-1", "irq:4294967296",
		"irq:1:2", "irq:0x", "mmio", "mmio:", "mmio:0x1000", "mmio:0x1000:", "mmio::0x10",
		"mmio:0x1000:0", "mmio:0xffffffffffffffff:2", "mmio:0xfffffffffffff000:0x1001",
		"mmio:1:2:3", "mmio:0x10000000000000000:1",
		"ioport", "ioport:", "ioport:0x3f8", "ioport:0x3f8:", "ioport::8", "ioport:0x3f8:0",
		"ioport:0x10000:1", "ioport:0xffff:2", "ioport:0:0x10001", "ioport:1:0xffffffffffffffff",
		"ioport:0xffffffffffffffff:1", "ioport:1:2:3", "ioportctl:1", "ioports:1:1", "endpoint", "endpoint:", "endpoint:-x",
		"endpoint:a:b", "endpoint:a/b", "notification:", "irqctl:1", "kinfo2", "x:y",
		"launcher:", "launcher:-a", "launcher:a/b", "launchers:a",
		"process:", "process:.a", "process:a:b", "processes:a", "process",
	};

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		CHECK(ok1f("service a p\ncap c %s\n", good[i]));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(failsf("service a p\ncap c %s r\n", bad[i], ERR_INVAL, 2, "bad cap source"));
	return true;
}

TEST(source_parse)
{
	struct manifest_source src;

	CHECK(manifest_source_parse("console", &src) == 0 && src.kind == MANIFEST_SRC_CONSOLE);
	CHECK(manifest_source_parse("bootimage", &src) == 0 && src.kind == MANIFEST_SRC_BOOTIMAGE);
	CHECK(manifest_source_parse("kinfo", &src) == 0 && src.kind == MANIFEST_SRC_KINFO);
	CHECK(manifest_source_parse("irqctl", &src) == 0 && src.kind == MANIFEST_SRC_IRQCTL);
	CHECK(manifest_source_parse("mmioctl", &src) == 0 && src.kind == MANIFEST_SRC_MMIOCTL);
	CHECK(manifest_source_parse("irq:0x21", &src) == 0 && src.kind == MANIFEST_SRC_IRQ);
	CHECK(src.number == 0x21);
	CHECK(manifest_source_parse("mmio:0x10000000:256", &src) == 0 && src.kind == MANIFEST_SRC_MMIO);
	CHECK(src.number == 0x10000000 && src.size == 256);
	CHECK(manifest_source_parse("ioportctl", &src) == 0 && src.kind == MANIFEST_SRC_IOPORTCTL);
	CHECK(manifest_source_parse("ioport:0x3f8:8", &src) == 0 && src.kind == MANIFEST_SRC_IOPORT);
	CHECK(src.number == 0x3f8 && src.size == 8);
	CHECK(manifest_source_parse("endpoint:fs", &src) == 0 && src.kind == MANIFEST_SRC_ENDPOINT);
	CHECK(strcmp(src.name, "fs") == 0);
	CHECK(manifest_source_parse("notification:n1", &src) == 0);
	CHECK(src.kind == MANIFEST_SRC_NOTIFICATION && strcmp(src.name, "n1") == 0);
	CHECK(manifest_source_parse("launcher:ext2x", &src) == 0);
	CHECK(src.kind == MANIFEST_SRC_LAUNCHER && strcmp(src.name, "ext2x") == 0);
	CHECK(manifest_source_parse("process:vfs", &src) == 0);
	CHECK(src.kind == MANIFEST_SRC_PROCESS && strcmp(src.name, "vfs") == 0);
	CHECK(manifest_source_parse("010", &src) == ERR_INVAL);
	CHECK(manifest_source_parse(NULL, &src) == ERR_INVAL);
	CHECK(manifest_source_parse("console", NULL) == ERR_INVAL);
	return true;
}

TEST(numbers)
{
	static const struct { const char *q; uint64_t want; } quotas[] = {
		{ "1", 1 }, { "1K", 1024 }, { "1M", 1u << 20 }, { "1024M", 1u << 30 },
		{ "1048576K", 1u << 30 }, { "1073741824", 1u << 30 }, { "0x100K", 256u << 10 },
		{ "007", 7 }, { "0x40000000", 1u << 30 },
	};
	static const char *const bad_numbers[] = {
		"K", "M", "k", "12k", "1G", "1KB", "-1", "+1", "1.5M", "0x", "0xK", "x10", "1 K",
		"18446744073709551616", "0x10000000000000000", "99999999999999999999K",
	};
	static const char *const out_of_range[] = {
		"0", "0K", "0M", "0x0", "1025M", "1048577K", "1073741825",
		"18446744073709551615", "17592186044416K",
	};

	for (size_t i = 0; i < sizeof(quotas) / sizeof(quotas[0]); i++) {
		CHECK(ok1f("service a p\nquota %s\n", quotas[i].q));
		CHECK(svc[0].quota == quotas[i].want);
	}
	for (size_t i = 0; i < sizeof(bad_numbers) / sizeof(bad_numbers[0]); i++) {
		bool split = strchr(bad_numbers[i], ' ') != NULL;
		CHECK(failsf("service a p\nquota %s\n", bad_numbers[i], ERR_INVAL, 2,
			     split ? "extra argument" : "bad number"));
	}
	for (size_t i = 0; i < sizeof(out_of_range) / sizeof(out_of_range[0]); i++)
		CHECK(failsf("service a p\nquota %s\n", out_of_range[i], ERR_INVAL, 2, "quota out of range"));

	CHECK(ok1("service a p\npriority 0\n") && svc[0].priority == 0);
	CHECK(ok1("service a p\npriority 127\n") && svc[0].priority == 127);
	CHECK(ok1("service a p\npriority 0x7f\n") && svc[0].priority == 127);
	CHECK(fails("service a p\npriority 128\n", ERR_INVAL, 2, "priority above 127"));
	CHECK(fails("service a p\npriority 18446744073709551615\n", ERR_INVAL, 2, "priority above 127"));
	CHECK(fails("service a p\npriority -1\n", ERR_INVAL, 2, "bad number"));
	CHECK(fails("service a p\npriority 1K\n", ERR_INVAL, 2, "bad number"));
	CHECK(ok1("service a p\nrestart 0\n") && svc[0].restart == 0);
	CHECK(ok1("service a p\nrestart 4294967295\n") && svc[0].restart == 4294967295u);
	CHECK(fails("service a p\nrestart 4294967296\n", ERR_INVAL, 2, "restart count too large"));
	CHECK(fails("service a p\nrestart many\n", ERR_INVAL, 2, "bad number"));
	return true;
}

TEST(bad_bytes)
{
	static const char nul_text[] = "service a p\n# a \0 in a comment\n";
	static const char nul_token[] = "service a p\0q\n";
	static const char nul_last[] = "service a p\n\n\n\0";

	CHECK(parse_n(nul_text, sizeof(nul_text) - 1, MAXSVC) == ERR_INVAL && perr.line == 2);
	CHECK(strstr(perr.msg, "NUL byte"));
	CHECK(parse_n(nul_token, sizeof(nul_token) - 1, MAXSVC) == ERR_INVAL && perr.line == 1);
	CHECK(strstr(perr.msg, "NUL byte"));
	CHECK(parse_n(nul_last, sizeof(nul_last) - 1, MAXSVC) == ERR_INVAL && perr.line == 4);
	CHECK(parse_n("\0", 1, MAXSVC) == ERR_INVAL && perr.line == 1);
	CHECK(fails("service a p\x01q\n", ERR_INVAL, 1, "control or non-ASCII"));
	CHECK(fails("service a p\ncap c \x7f" "console\n", ERR_INVAL, 2, "control or non-ASCII"));
	CHECK(fails("service a caf\xc3\xa9\n", ERR_INVAL, 1, "control or non-ASCII"));
	CHECK(fails("service a p\vq\n", ERR_INVAL, 1, "control or non-ASCII"));
	CHECK(fails("service a p\fq\n", ERR_INVAL, 1, "control or non-ASCII"));
	return true;
}

TEST(error_stops_at_first)
{
	CHECK(fails("service a p\nbogus\nservice a p\n", ERR_INVAL, 2, "unknown directive"));
	CHECK(nsvc == 0);
	CHECK(manifest_parse("x", 1, svc, MAXSVC, NULL, NULL) == ERR_INVAL);
	return true;
}

TEST(exitstatus)
{
	CHECK(ok1("service a p\n") && !svc[0].exitstatus);
	CHECK(ok1("service a p\nexitstatus\n") && svc[0].exitstatus);
	CHECK(ok1("service a p\n  exitstatus # the program's status is init's\n") && svc[0].exitstatus);
	CHECK(parse("service a p\nservice b q\nexitstatus\nservice c r\n") == 0 && nsvc == 3 &&
	      !svc[0].exitstatus && svc[1].exitstatus && !svc[2].exitstatus);
	CHECK(fails("exitstatus\n", ERR_INVAL, 1, "before any service"));
	CHECK(fails("service a p\nexitstatus 1\n", ERR_INVAL, 2, "extra argument"));
	CHECK(fails("service a p\nexitstatus\nexitstatus\n", ERR_INVAL, 3, "exitstatus given twice"));
	CHECK(fails("service a p\nexitstatus\nservice b q\nexitstatus\n", ERR_INVAL, 4,
		    "exitstatus on two services"));
	CHECK(fails("service a p\nexitstatusx\n", ERR_INVAL, 2, "unknown directive"));
	return true;
}

TEST(template)
{
	CHECK(ok1("service a p\n") && !svc[0].tmpl);
	CHECK(ok1("service a p\ntemplate\n") && svc[0].tmpl);
	CHECK(parse("service a p\ntemplate\nservice b q\ncap l launcher:a w\n") == 0 && nsvc == 2 &&
	      svc[0].tmpl && !svc[1].tmpl);
	CHECK(fails("template\n", ERR_INVAL, 1, "before any service"));
	CHECK(fails("service a p\ntemplate x\n", ERR_INVAL, 2, "extra argument"));
	CHECK(fails("service a p\ntemplate\ntemplate\n", ERR_INVAL, 3, "template given twice"));
	CHECK(fails("service a p\ntemplate\nexitstatus\n", ERR_INVAL, 3, "exitstatus on a template"));
	CHECK(fails("service a p\nexitstatus\ntemplate\n", ERR_INVAL, 3, "exitstatus on a template"));
	return true;
}

TEST(essential)
{
	CHECK(ok1("service a p\n") && !svc[0].essential);
	CHECK(ok1("service a p\nessential\n") && svc[0].essential);
	CHECK(parse("service a p\nessential\nservice b q\nessential\nexitstatus\nservice c r\n") == 0 &&
	      nsvc == 3 && svc[0].essential && svc[1].essential && !svc[2].essential);
	CHECK(fails("essential\n", ERR_INVAL, 1, "before any service"));
	CHECK(fails("service a p\nessential 1\n", ERR_INVAL, 2, "extra argument"));
	CHECK(fails("service a p\nessential\nessential\n", ERR_INVAL, 3, "essential given twice"));
	CHECK(fails("service a p\ntemplate\nessential\n", ERR_INVAL, 3, "essential on a template"));
	CHECK(fails("service a p\nessential\ntemplate\n", ERR_INVAL, 3, "essential on a template"));
	return true;
}

/* ---- robustness ---- */

TEST(every_prefix_of_example)
{
	for (size_t len = 0; len <= sizeof(example) - 1; len++) {
		err_t rc = parse_n(example, len, MAXSVC);

		/* A prefix can only be cut mid-token: an error is possible
		 * (e.g. "prio"), a crash or a broken result is not. */
		CHECK(rc == 0 || rc == ERR_INVAL);
	}
	return true;
}

TEST(random_mutations)
{
	static const char pick[] = "service cap quota priority restart exitstatus console irq:mmio:0x"
				   "endpoint:notification:#\n\t \r\0\x01\xff:rwxgmKM0123456789";
	uint64_t seed = 99;
	unsigned accepted = 0;

	for (unsigned iter = 0; iter < 20000; iter++) {
		char text[sizeof(example) + 64];
		size_t len = sizeof(example) - 1;
		unsigned edits = 1 + host_rand(&seed) % 4;
		err_t rc;

		memcpy(text, example, len);
		for (unsigned i = 0; i < edits; i++) {
			size_t at = host_rand(&seed) % len;
			text[at] = pick[host_rand(&seed) % (sizeof(pick) - 1)];
		}
		if (host_rand(&seed) % 4 == 0)
			len = host_rand(&seed) % (len + 1);
		rc = parse_n(text, len, 1 + host_rand(&seed) % 4);
		CHECK(rc == 0 || rc == ERR_INVAL || rc == ERR_2BIG);
		accepted += rc == 0;
	}
	printf("# %u mutated manifests accepted\n", accepted);
	return true;
}
