/* SPDX-License-Identifier: MIT */
/*
 * Checks of libcairn's own logic, run as the "init" of the mock kernel
 * (tests/mock-kernel/mock.c): the heap, the mapping window, the start-up block
 * builder and the console's chunking. One `ok N name` / `not ok N name`
 * line a check; exits with the number of failures.
 */
#include <stdbool.h>
#include <string.h>
#include <cairn/rt.h>
#include <cairn/spawn.h>
#include <cairn/test.h>

static void check(bool ok, const char *name)
{
	t_result("lib", name, ok);
}

static bool filled(const unsigned char *p, size_t len, unsigned char v)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != v)
			return false;
	return true;
}

static void test_heap(void)
{
	static unsigned char *p[200];
	bool ok = true;

	/* sizes from 0 to ~20 KiB, 16-byte aligned, disjoint, keeping content */
	for (unsigned i = 0; i < 200; i++) {
		size_t len = (i * 97) % 20000;

		p[i] = malloc(len);
		if (!p[i] || (uintptr_t)p[i] % 16) {
			ok = false;
			break;
		}
		memset(p[i], i, len);
	}
	for (unsigned i = 0; ok && i < 200; i++)
		ok = filled(p[i], (i * 97) % 20000, (unsigned char)i);
	check(ok, "heap_malloc_aligned_disjoint");

	/* freeing every other block and allocating again reuses the holes */
	for (unsigned i = 0; i < 200; i += 2)
		free(p[i]);
	for (unsigned i = 0; ok && i < 200; i += 2) {
		p[i] = malloc((i * 97) % 20000);
		ok = p[i] && (uintptr_t)p[i] < CAIRN_HEAP_BASE + CAIRN_HEAP_MAX;
		if (ok)
			memset(p[i], i, (i * 97) % 20000);
	}
	for (unsigned i = 1; ok && i < 200; i += 2)
		ok = filled(p[i], (i * 97) % 20000, (unsigned char)i);
	check(ok, "heap_free_and_reuse");

	/* everything freed: one big block fits where the small ones were */
	for (unsigned i = 0; i < 200; i++)
		free(p[i]);
	unsigned char *big = malloc(1 << 20);
	check(big && (uintptr_t)big < CAIRN_HEAP_BASE + (4u << 20), "heap_coalesces");

	unsigned char *z = calloc(1000, 10);
	check(z && filled(z, 10000, 0), "heap_calloc_zeroes");
	check(!calloc(SIZE_MAX / 2, 4), "heap_calloc_overflow");
	check(!malloc(SIZE_MAX - 8), "heap_malloc_huge");

	memset(z, 7, 10000);
	z = realloc(z, 50000);
	check(z && filled(z, 10000, 7), "heap_realloc_keeps_content");
	free(z);
	free(big);
	free(NULL);
}

static void test_map(void)
{
	cap_t obj;
	void *va, *first = NULL;
	bool ok = !cairn_memobj_create(SLOT_SELF_PROC, 3, 0, &obj);

	/* mapping and unmapping over and over reuses the same addresses */
	for (unsigned i = 0; ok && i < 500; i++) {
		ok = !cairn_map(obj, 0, 3, CAIRN_PROT_R | CAIRN_PROT_W, &va);
		if (ok && !first)
			first = va;
		ok = ok && va == first && (uintptr_t)va >= CAIRN_VM_BASE;
		if (ok)
			((volatile char *)va)[3 * 4096 - 1] = 1;
		ok = ok && !cairn_unmap(va, 3);
	}
	check(ok, "map_unmap_reuses_window");

	/* holes merge: a, b, c unmapped in a scattered order leave one range */
	void *a, *b, *c, *d;
	ok = !cairn_map(obj, 0, 1, CAIRN_PROT_R, &a) && !cairn_map(obj, 0, 2, CAIRN_PROT_R, &b) &&
	     !cairn_map(obj, 0, 3, CAIRN_PROT_R, &c);
	ok = ok && !cairn_unmap(b, 2) && !cairn_unmap(a, 1) && !cairn_unmap(c, 3);
	ok = ok && !cairn_map(obj, 0, 3, CAIRN_PROT_R, &d) && d == a && !cairn_unmap(d, 3);
	check(ok, "map_holes_merge");
	check(cairn_unmap((void *)(uintptr_t)CAIRN_HEAP_BASE, 1) == ERR_INVAL, "unmap_outside_window");
	check(cairn_map(obj, 0, 0, CAIRN_PROT_R, &va) == ERR_INVAL, "map_zero_pages");
	cairn_cap_delete(obj);
}

static void test_startup_block(void)
{
	static char buf[CAIRN_STARTUP_MAX];
	static char longarg[3000];
	const char *argv[] = { "svc", "a", "" };
	struct cairn_spawn_cap caps[] = { { "console", 5, RIGHT_WRITE, 0 }, { "ep", 9, RIGHTS_ALL, 7 } };
	static const char want[] = "3\0svc\0a\0\0console=3\0ep=4\0";
	size_t len = cairn_startup_build(buf, sizeof(buf), 3, argv, 2, caps);

	check(len == sizeof(want) && !memcmp(buf, want, sizeof(want)), "startup_block_layout");
	memset(longarg, 'x', sizeof(longarg) - 1);
	const char *two[] = { longarg, longarg };
	check(cairn_startup_build(buf, sizeof(buf), 2, two, 0, NULL) == 0, "startup_block_too_big");
	struct cairn_spawn_cap bad[] = { { "a=b", 5, RIGHT_WRITE, 0 } };
	check(cairn_startup_build(buf, sizeof(buf), 1, argv, 1, bad) == 0, "startup_block_bad_name");
	check(cairn_startup_build(buf, 5, 1, argv, 0, NULL) == 0, "startup_block_tiny_buffer");
}

static void test_startup_parse(int argc, char **argv)
{
	cap_t slot;

	check(argc == 1 && !strcmp(argv[0], "init") && !argv[1], "start_argv");
	check(cairn_cap("console") != CAP_NULL && cairn_cap("bootimage") != CAP_NULL &&
	      cairn_cap("nope") == CAP_NULL && cairn_cap_name(0, &slot) && slot >= SLOT_FIRST_FREE &&
	      !cairn_cap_name(99, NULL), "start_cap_names");
}

int main(int argc, char **argv)
{
	static char line[3000];

	test_startup_parse(argc, argv);
	test_heap();
	test_map();
	test_startup_block();
	/* a line longer than the console buffer arrives whole, in order */
	memset(line, '-', sizeof(line) - 1);
	printf("lib.long_line %s|\n", line);
	return (int)t_end(NULL);
}
