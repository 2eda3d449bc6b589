/* SPDX-License-Identifier: MIT */
/*
 * ktest: MemoryObjects and address spaces: map, unmap, protect, their
 * errors, copy-on-write copies, MEMOBJ_READ/WRITE, MEMOBJ_INFO/PADDR.
 */
#include "ktest.h"

#define VA   0x1100000000ull    /* test mappings go here: nothing else uses it */
#define VB   0x1100400000ull
#define PG   CAIRN_PAGE_SIZE
#define RW   (CAIRN_PROT_R | CAIRN_PROT_W)

static err_t map(cap_t mo, uint64_t va, uint64_t first, uint64_t pages, unsigned prot)
{
	return inv1(SLOT_SELF_AS, AS_MAP, mo, va, first, pages | (uint64_t)prot << 48, 0, NULL);
}

static err_t unmap(uint64_t va, uint64_t bytes)
{
	return inv(SLOT_SELF_AS, AS_UNMAP, va, bytes, 0, 0, NULL);
}

static err_t protect(uint64_t va, uint64_t bytes, uint64_t prot)
{
	return inv(SLOT_SELF_AS, AS_PROTECT, va, bytes, prot, 0, NULL);
}

static volatile uint64_t *at(uint64_t va)
{
	return (volatile uint64_t *)va;
}

/* MEMOBJ_READ of one word. */
static err_t mo_read(cap_t mo, uint64_t off, uint64_t *v)
{
	err_t e = inv(mo, MEMOBJ_READ, off, 8, 0, 0, NULL);

	if (!e)
		*v = cairn_ipcbuf()->w[CAIRN_MSG_REGS];
	return e;
}

void t_mem_map(void)
{
	uint64_t v = 0, before = free_pages();
	cap_t mo = mk_memobj(4, 0);

	CHECK(mo != CAP_NULL, "memobj");
	CHECK_OK(map(mo, VA, 0, 4, RW));
	for (unsigned i = 0; i < 4; i++)
		*at(VA + i * PG) = 0x100 + i;
	EXPECT_OK(mo_read(mo, 2 * PG, &v));
	EXPECT(v == 0x102, "MEMOBJ_READ sees %#lx, want 0x102", (unsigned long)v);
	EXPECT_OK(mo_write(mo, 3 * PG + 8, 0x5555));
	EXPECT(at(VA + 3 * PG)[1] == 0x5555, "MEMOBJ_WRITE not seen through the mapping");
	CHECK_OK(unmap(VA, 4 * PG));
	/* map again: the contents stayed with the object */
	CHECK_OK(map(mo, VA, 1, 2, CAIRN_PROT_R));
	EXPECT(*at(VA) == 0x101 && *at(VA + PG) == 0x102, "contents after re-mapping pages 1..2");
	/* the mapping keeps the object: delete the capability, read on */
	del(&mo);
	EXPECT(*at(VA + PG) == 0x102, "contents after deleting the capability");
	CHECK_OK(unmap(VA, 2 * PG));
	EXPECT_OK(unmap(VA, 16 * PG));               /* nothing there: fine */
	EXPECT(free_pages() == before, "free pages %lu, want %lu", (unsigned long)free_pages(),
	       (unsigned long)before);
}

void t_mem_map_errors(void)
{
	cap_t mo = mk_memobj(2, 0);

	CHECK(mo != CAP_NULL, "memobj");
	CHECK_OK(map(mo, VA, 0, 2, RW));
	EXPECT_ERR(map(mo, VA + PG, 0, 1, RW), ERR_EXIST);
	EXPECT_ERR(map(mo, VA - PG, 0, 2, RW), ERR_EXIST);
	EXPECT_ERR(map(mo, VA, 0, 1, CAIRN_PROT_R), ERR_EXIST);
	EXPECT_OK(unmap(VA, 2 * PG));
	EXPECT_ERR(map(mo, VA + 1, 0, 1, RW), ERR_INVAL);
	EXPECT_ERR(map(mo, VA + PG / 2, 0, 1, RW), ERR_INVAL);
	EXPECT_ERR(map(mo, 0, 0, 1, RW), ERR_INVAL);
	EXPECT_ERR(map(mo, 1ull << 47, 0, 1, RW), ERR_INVAL);
	EXPECT_ERR(map(mo, 1ull << 63, 0, 1, RW), ERR_INVAL);
	EXPECT_ERR(map(mo, UINT64_MAX & ~(PG - 1), 0, 1, RW), ERR_INVAL);
	EXPECT_ERR(map(mo, VA, 2, 1, RW), ERR_RANGE);
	EXPECT_ERR(map(mo, VA, 1, 2, RW), ERR_RANGE);
	EXPECT_ERR(map(mo, VA, 0, 0, RW), ERR_RANGE);
	EXPECT_ERR(map(mo, VA, UINT64_MAX, 1, RW), ERR_RANGE);
	EXPECT_ERR(map(mo, VA, 0, 3, RW), ERR_RANGE);
	EXPECT_ERR(map(mo, VA, 0, (1ull << 48) - 1, RW), ERR_RANGE);
	/* no access (PROT_NONE): allowed, and made usable with AS_PROTECT */
	EXPECT_OK(map(mo, VA, 0, 1, 0));
	EXPECT_OK(protect(VA, PG, RW));
	*(volatile uint64_t *)VA = 42;
	EXPECT(*(volatile uint64_t *)VA == 42, "no-access page made writable lost a write");
	EXPECT_OK(protect(VA, PG, 0));
	EXPECT_OK(unmap(VA, PG));
	EXPECT_OK(inv1(SLOT_SELF_AS, AS_MAP, mo, VA, 0, 1 | 8ull << 48, 0, NULL));   /* shared, no access */
	EXPECT_OK(unmap(VA, PG));
	EXPECT_ERR(inv1(SLOT_SELF_AS, AS_MAP, mo, VA, 0, 1 | 0xffffull << 48, 0, NULL), ERR_INVAL);
	/* unmap and protect check their range too */
	EXPECT_ERR(unmap(VA + 1, PG), ERR_INVAL);
	EXPECT_ERR(unmap(VA, PG + 1), ERR_INVAL);
	EXPECT_ERR(unmap(VA, 0), ERR_INVAL);
	EXPECT_ERR(unmap(0, PG), ERR_INVAL);
	EXPECT_ERR(unmap(VA, UINT64_MAX & ~(PG - 1)), ERR_INVAL);
	EXPECT_ERR(protect(VA + 8, PG, CAIRN_PROT_R), ERR_INVAL);
	EXPECT_ERR(protect(VA, 0, CAIRN_PROT_R), ERR_INVAL);
	EXPECT_OK(protect(VA, PG, 0));                  /* nothing mapped: nothing to do */
	EXPECT_ERR(protect(VA, PG, 8), ERR_INVAL);
	EXPECT_OK(protect(VA, PG, CAIRN_PROT_R));       /* nothing mapped: nothing to do */
	/* nothing was left mapped by the failures */
	EXPECT_OK(map(mo, VA, 0, 2, RW));
	EXPECT_OK(unmap(VA, 2 * PG));
	del(&mo);
}

void t_mem_partial(void)
{
	cap_t mo = mk_memobj(4, 0), one = mk_memobj(1, 0);

	CHECK(mo != CAP_NULL && one != CAP_NULL, "memobjs");
	CHECK_OK(map(mo, VA, 0, 4, RW));
	for (unsigned i = 0; i < 4; i++)
		*at(VA + i * PG) = 0x200 + i;
	CHECK_OK(unmap(VA + PG, 2 * PG));
	EXPECT(*at(VA) == 0x200 && *at(VA + 3 * PG) == 0x203, "the pages left mapped changed");
	*at(VA + 3 * PG) = 0x303;
	/* the hole takes a new mapping; its edges are still taken */
	EXPECT_OK(map(one, VA + PG, 0, 1, RW));
	EXPECT_ERR(map(one, VA + 3 * PG, 0, 1, RW), ERR_EXIST);
	*at(VA + PG) = 0x301;
	/* protect and unmap across three mappings */
	EXPECT_OK(protect(VA, 4 * PG, CAIRN_PROT_R));
	EXPECT_OK(protect(VA, 4 * PG, RW));
	*at(VA) = 0x300;
	EXPECT(*at(VA + 3 * PG) == 0x303 && *at(VA + PG) == 0x301, "contents after protect");
	CHECK_OK(unmap(VA, 4 * PG));
	EXPECT_OK(map(mo, VA, 0, 4, RW));      /* all of it free again */
	EXPECT(*at(VA) == 0x300 && *at(VA + PG) == 0x201 && *at(VA + 3 * PG) == 0x303,
	       "object contents after the partial mappings");
	EXPECT_OK(unmap(VA, 4 * PG));
	del(&mo);
	del(&one);
}

void t_mem_protect(void)
{
	cap_t mo = mk_memobj(2, 0);

	CHECK(mo != CAP_NULL, "memobj");
	CHECK_OK(map(mo, VA, 0, 2, CAIRN_PROT_R));
	EXPECT(*at(VA) == 0, "fresh memory is not zero");
	CHECK_OK(protect(VA, 2 * PG, RW));
	*at(VA + PG) = 77;
	CHECK_OK(protect(VA + PG, PG, CAIRN_PROT_R));
	EXPECT(*at(VA + PG) == 77, "read after protect");
	CHECK_OK(protect(VA, PG, RW | CAIRN_PROT_X));
	*at(VA) = 78;
	EXPECT_OK(unmap(VA, 2 * PG));
	del(&mo);
	/* the write actually stopped working is checked by fault.protect_then_fix */
}

void t_mem_protect_perm(void)
{
	cap_t mo = mk_memobj(1, 0), ro;

	CHECK(mo != CAP_NULL, "memobj");
	CHECK_OK(cap_copy(mo, RIGHT_READ, &ro));
	CHECK_OK(map(ro, VA, 0, 1, CAIRN_PROT_R));
	EXPECT_ERR(protect(VA, PG, CAIRN_PROT_W), ERR_PERM);
	EXPECT_ERR(protect(VA, PG, CAIRN_PROT_X), ERR_PERM);
	/* more than the capability allowed must not be granted, even in part */
	EXPECT_ERR(protect(VA, PG, RW), ERR_PERM);
	EXPECT_OK(protect(VA, PG, CAIRN_PROT_R));
	EXPECT_OK(unmap(VA, PG));
	del(&ro);
	del(&mo);
}

void t_mem_cow(void)
{
	uint64_t before = free_pages(), v = 0;
	cap_t a = mk_memobj(2, 0), b, c;
	struct cairn_msg m;

	CHECK(a != CAP_NULL, "memobj");
	CHECK_OK(map(a, VA, 0, 2, RW));
	*at(VA) = 1;
	*at(VA + PG) = 2;
	CHECK_OK(inv(a, MEMOBJ_COPY, 0, 0, 0, 0, &m));
	b = m.w[0];
	CHECK_OK(map(b, VB, 0, 2, RW));
	EXPECT(*at(VB) == 1 && *at(VB + PG) == 2, "the copy does not hold the original's data");
	*at(VA) = 10;                        /* write the original: the copy keeps 1 */
	EXPECT(*at(VB) == 1, "copy changed with the original: %lu", (unsigned long)*at(VB));
	EXPECT(*at(VA) == 10, "original lost its write");
	*at(VB + PG) = 20;                   /* write the copy: the original keeps 2 */
	EXPECT(*at(VA + PG) == 2, "original changed with the copy: %lu", (unsigned long)*at(VA + PG));
	EXPECT(*at(VB + PG) == 20, "copy lost its write");
	EXPECT_OK(mo_read(b, 0, &v));
	EXPECT(v == 1, "MEMOBJ_READ of the copy: %lu", (unsigned long)v);
	EXPECT_OK(mo_read(a, PG, &v));
	EXPECT(v == 2, "MEMOBJ_READ of the original: %lu", (unsigned long)v);
	/* a copy of the copy, then writes on every side */
	CHECK_OK(inv(b, MEMOBJ_COPY, 0, 0, 0, 0, &m));
	c = m.w[0];
	*at(VB) = 100;
	EXPECT_OK(mo_read(c, 0, &v));
	EXPECT(v == 1, "copy of the copy changed: %lu", (unsigned long)v);
	EXPECT_OK(mo_write(c, PG, 300));
	EXPECT(*at(VB + PG) == 20 && *at(VA + PG) == 2, "MEMOBJ_WRITE to a copy leaked to the others");
	/* unmapping and deleting in any order gives every page back */
	EXPECT_OK(unmap(VA, 2 * PG));
	del(&a);
	EXPECT(*at(VB) == 100, "copy changed when the original went");
	EXPECT_OK(unmap(VB, 2 * PG));
	del(&b);
	del(&c);
	EXPECT(free_pages() == before, "free pages %lu before, %lu after", (unsigned long)before,
	       (unsigned long)free_pages());
}

void t_mem_cow_memobj(void)
{
	uint64_t before = free_pages(), v = 0;
	cap_t a = mk_memobj(3, 0), ct = mk_memobj(2, MEMOBJ_CONTIG), b, d;
	struct cairn_msg m;
	struct cairn_ipcbuf *ib = cairn_ipcbuf();

	CHECK(a != CAP_NULL && ct != CAP_NULL, "memobjs");
	/* bytes across a page boundary */
	for (unsigned i = 0; i < 4; i++)
		ib->w[CAIRN_MSG_REGS + i] = 0x1111111111111111ull * (i + 1);
	m = cairn_call(a, cairn_tag(MEMOBJ_WRITE, CAIRN_MSG_REGS + 4, 0), PG - 12, 32, 0, 0);
	CHECK(m.err == 0 && cairn_tag_label(m.tag) == 0, "write across pages: %s",
	      err_name((err_t)cairn_tag_label(m.tag)));
	CHECK_OK(inv(a, MEMOBJ_COPY, 0, 0, 0, 0, &m));
	b = m.w[0];
	EXPECT_OK(mo_write(a, PG + 4, 0xaaaa));          /* inside what was written */
	memset(&ib->w[CAIRN_MSG_REGS], 0, 32);
	m = cairn_call(b, cairn_tag(MEMOBJ_READ, 4, 0), PG - 12, 32, 0, 0);
	EXPECT(m.err == 0 && cairn_tag_label(m.tag) == 0 && cairn_tag_len(m.tag) == 8, "read: %s len %u",
	       err_name((err_t)cairn_tag_label(m.tag)), cairn_tag_len(m.tag));
	for (unsigned i = 0; i < 4; i++)
		EXPECT(ib->w[CAIRN_MSG_REGS + i] == 0x1111111111111111ull * (i + 1),
		       "copy word %u is %#lx", i, (unsigned long)ib->w[CAIRN_MSG_REGS + i]);
	EXPECT_OK(mo_read(a, PG + 4, &v));
	EXPECT(v == 0xaaaa, "original after the write: %#lx", (unsigned long)v);
	/* a contiguous object is copied at once, into a plain one */
	EXPECT_OK(mo_write(ct, 8, 0xc0c0));
	CHECK_OK(inv(ct, MEMOBJ_COPY, 0, 0, 0, 0, &m));
	d = m.w[0];
	EXPECT_OK(mo_write(ct, 8, 0xd0d0));
	EXPECT_OK(mo_read(d, 8, &v));
	EXPECT(v == 0xc0c0, "copy of a contiguous object: %#lx", (unsigned long)v);
	EXPECT_OK(inv(d, MEMOBJ_INFO, 0, 0, 0, 0, &m));
	EXPECT(m.w[0] == 2 && m.w[1] == 0, "copy of a contiguous object: %lu pages, flags %lu",
	       (unsigned long)m.w[0], (unsigned long)m.w[1]);
	del(&a);
	del(&b);
	del(&ct);
	del(&d);
	EXPECT(free_pages() == before, "free pages %lu before, %lu after", (unsigned long)before,
	       (unsigned long)free_pages());
}

void t_mem_rw_errors(void)
{
	cap_t mo = mk_memobj(2, 0);
	struct cairn_msg m;

	CHECK(mo != CAP_NULL, "memobj");
	EXPECT_ERR(inv(mo, MEMOBJ_READ, 2 * PG, 8, 0, 0, NULL), ERR_RANGE);
	EXPECT_ERR(inv(mo, MEMOBJ_READ, 2 * PG - 4, 8, 0, 0, NULL), ERR_RANGE);
	EXPECT_ERR(inv(mo, MEMOBJ_READ, UINT64_MAX, 8, 0, 0, NULL), ERR_RANGE);
	EXPECT_ERR(inv(mo, MEMOBJ_READ, UINT64_MAX - 3, 8, 0, 0, NULL), ERR_RANGE);
	EXPECT_OK(inv(mo, MEMOBJ_READ, 2 * PG, 0, 0, 0, NULL));
	EXPECT_OK(inv(mo, MEMOBJ_READ, 2 * PG - 8, 8, 0, 0, NULL));
	EXPECT_ERR(mo_write(mo, 2 * PG - 4, 1), ERR_RANGE);
	EXPECT_ERR(mo_write(mo, UINT64_MAX - 3, 1), ERR_RANGE);
	m = cairn_call(mo, cairn_tag(MEMOBJ_WRITE, CAIRN_MSG_REGS, 0), 2 * PG, 0, 0, 0);
	EXPECT(cairn_tag_label(m.tag) == 0, "empty write at the end: %s",
	       err_name((err_t)cairn_tag_label(m.tag)));
	del(&mo);
}

void t_mem_info(void)
{
	cap_t mo = mk_memobj(3, 0), ct = mk_memobj(4, MEMOBJ_CONTIG);
	struct cairn_msg m;
	uint64_t pa0;

	CHECK(mo != CAP_NULL && ct != CAP_NULL, "memobjs");
	EXPECT_OK(inv(mo, MEMOBJ_INFO, 0, 0, 0, 0, &m));
	EXPECT(m.w[0] == 3 && m.w[1] == 0, "info: %lu pages flags %lu", (unsigned long)m.w[0],
	       (unsigned long)m.w[1]);
	EXPECT_OK(inv(ct, MEMOBJ_INFO, 0, 0, 0, 0, &m));
	EXPECT(m.w[0] == 4 && m.w[1] == MEMOBJ_CONTIG, "contiguous info: %lu pages flags %lu",
	       (unsigned long)m.w[0], (unsigned long)m.w[1]);
	CHECK_OK(inv(ct, MEMOBJ_PADDR, 0, 0, 0, 0, &m));
	pa0 = m.w[0];
	EXPECT(pa0 && pa0 % PG == 0, "physical address %#lx", (unsigned long)pa0);
	for (unsigned i = 1; i < 4; i++) {
		EXPECT_OK(inv(ct, MEMOBJ_PADDR, i, 0, 0, 0, &m));
		EXPECT(m.w[0] == pa0 + i * PG, "page %u at %#lx, not contiguous", i, (unsigned long)m.w[0]);
	}
	EXPECT_ERR(inv(ct, MEMOBJ_PADDR, 4, 0, 0, 0, &m), ERR_RANGE);
	EXPECT_ERR(inv(mo, MEMOBJ_PADDR, UINT64_MAX, 0, 0, 0, &m), ERR_RANGE);
	EXPECT_OK(inv(mo, MEMOBJ_PADDR, 2, 0, 0, 0, &m));
	del(&mo);
	del(&ct);
}

void t_mem_create_errors(void)
{
	uint64_t before = free_pages();
	cap_t c;

	EXPECT_ERR(create_on(SLOT_SELF_PROC, OBJ_MEMOBJ, 0, 0, &c), ERR_INVAL);
	EXPECT_ERR(create_on(SLOT_SELF_PROC, OBJ_MEMOBJ, (1u << 18) + 1, 0, &c), ERR_INVAL);
	EXPECT_ERR(create_on(SLOT_SELF_PROC, OBJ_MEMOBJ, UINT64_MAX, 0, &c), ERR_INVAL);
	EXPECT_ERR(create_on(SLOT_SELF_PROC, OBJ_MEMOBJ, 1, 4, &c), ERR_INVAL);
	EXPECT_ERR(create_on(SLOT_SELF_PROC, OBJ_MEMOBJ, 1, UINT64_MAX, &c), ERR_INVAL);
	/* more than the quota (and than the machine) */
	EXPECT_ERR(create_on(SLOT_SELF_PROC, OBJ_MEMOBJ, 1u << 18, 0, &c), ERR_NOMEM);
	EXPECT_ERR(create_on(SLOT_SELF_PROC, OBJ_MEMOBJ, 1u << 18, MEMOBJ_CONTIG, &c), ERR_NOMEM);
	EXPECT(free_pages() == before, "free pages %lu before, %lu after the failures",
	       (unsigned long)before, (unsigned long)free_pages());
}

void t_mem_shared(void)
{
	cap_t mo = mk_memobj(1, 0);

	CHECK(mo != CAP_NULL, "memobj");
	CHECK_OK(map(mo, VA, 0, 1, RW));
	CHECK_OK(map(mo, VB, 0, 1, CAIRN_PROT_R));
	*at(VA + 16) = 0xfeed;
	EXPECT(*at(VB + 16) == 0xfeed, "second mapping does not see the write");
	EXPECT_OK(unmap(VA, PG));
	EXPECT(*at(VB + 16) == 0xfeed, "second mapping lost the data");
	EXPECT_OK(unmap(VB, PG));
	del(&mo);
}

/* ---- running out of quota: nothing changes -------------------------------------- */

#define GIB       0x40000000ull
/* A range across a 1 GiB boundary with present pages in four 2 MiB blocks
 * (pages 0 | 1, 513, 1025): mapping it takes six page-table pages, seven
 * with four levels. */
#define NT_VA     (4 * GIB - PG)
#define NT_PAGES  1026
#define NT_FILL   160
#define NT_FILL_VA (8 * GIB)   /* the mappings that fill the quota */

static err_t nt_none(cap_t cas, cap_t mo)
{
	(void)cas, (void)mo;
	return ERR_OK;
}

static err_t nt_map_noaccess(cap_t cas, cap_t mo)
{
	return inv1(cas, AS_MAP, mo, NT_VA, 0, NT_PAGES, 0, NULL);
}

static err_t nt_map(cap_t cas, cap_t mo)
{
	return inv1(cas, AS_MAP, mo, NT_VA, 0, NT_PAGES | (uint64_t)CAIRN_PROT_R << 48, 0, NULL);
}

static err_t nt_protect(cap_t cas, cap_t mo)
{
	(void)mo;
	return inv(cas, AS_PROTECT, NT_VA, NT_PAGES * PG, CAIRN_PROT_R, 0, NULL);
}

/* A page in the middle: two splits, two new mapping records. */
static err_t nt_unmap(cap_t cas, cap_t mo)
{
	(void)mo;
	return inv(cas, AS_UNMAP, NT_VA + 2 * PG, PG, 0, 0, NULL);
}

struct nt_op {
	const char *name;
	err_t (*setup)(cap_t cas, cap_t mo), (*op)(cap_t cas, cap_t mo);
};

/* Runs o on the child's space as the child's quota shrinks (one-page
 * MemoryObjects, then Notifications, then no-access mappings of small's
 * page: the last steps are one mapping record each): each time it either
 * succeeds within the quota or fails with ERR_NOMEM with the quota used
 * and the free pages as they were. Returns how often it failed. */
static unsigned nt_run(const struct nt_op *o, cap_t cp, cap_t cas, cap_t mo, cap_t small)
{
	static cap_t fill[NT_FILL];
	unsigned n = 0, nomem = 0;

	while (n < NT_FILL && !o->setup(cas, mo)) {
		uint64_t limit, used, limit2, used2, fp = free_pages();
		quota_of(cp, &limit, &used);
		err_t e = o->op(cas, mo);
		quota_of(cp, &limit2, &used2);
		if (e == ERR_NOMEM) {
			nomem++;
			EXPECT(used2 == used && free_pages() == fp,
			       "%s: ERR_NOMEM, quota used %lu -> %lu, free pages %lu -> %lu", o->name,
			       (unsigned long)used, (unsigned long)used2, (unsigned long)fp,
			       (unsigned long)free_pages());
		} else {
			EXPECT(e == ERR_OK, "%s: %s", o->name, err_name(e));
			EXPECT(used2 <= limit, "%s: quota used %lu > limit %lu", o->name,
			       (unsigned long)used2, (unsigned long)limit);
		}
		EXPECT_OK(inv(cas, AS_UNMAP, NT_VA, NT_PAGES * PG, 0, 0, NULL));
		fill[n] = CAP_NULL;
		if (create_on(cp, OBJ_MEMOBJ, 1, 0, &fill[n]) &&
		    create_on(cp, OBJ_NOTIFICATION, 0, 0, &fill[n]) &&
		    inv1(cas, AS_MAP, small, NT_FILL_VA + n * PG, 0, 1, 0, NULL))
			break;
		n++;
	}
	while (n)
		if (fill[--n] != CAP_NULL)
			del(&fill[n]);
	EXPECT_OK(inv(cas, AS_UNMAP, NT_FILL_VA, NT_FILL * PG, 0, 0, NULL));
	return nomem;
}

/* AS_MAP, AS_PROTECT and AS_UNMAP that need page-table pages or mapping
 * records the quota cannot pay for fail with ERR_NOMEM before anything
 * changed (they used to make part of the tables, or one of two splits). */
void t_mem_nomem(void)
{
	static const uint64_t present[] = { 0, 1, 513, 1025 };
	static const struct nt_op ops[] = {
		{ "AS_MAP", nt_none, nt_map },
		{ "AS_PROTECT", nt_map_noaccess, nt_protect },
		{ "AS_UNMAP", nt_map_noaccess, nt_unmap },
	};
	uint64_t before = free_pages();
	struct cairn_msg m;
	cap_t mo = mk_memobj(NT_PAGES, 0), small = mk_memobj(1, 0), cp, cas;

	CHECK(mo != CAP_NULL && small != CAP_NULL, "memobj of %u pages", NT_PAGES);
	for (unsigned i = 0; i < 4; i++)
		CHECK_OK(mo_write(mo, present[i] * PG, i + 1));
	CHECK_OK(inv(SLOT_SELF_PROC, PROC_CREATE, OBJ_PROCESS, QUOTA_RESERVED(128 << 10), 0, 0, &m));
	cp = m.w[0];
	cas = m.w[1];
	for (unsigned i = 0; i < 3; i++)
		EXPECT(nt_run(&ops[i], cp, cas, mo, small) > 0, "%s never ran out of quota", ops[i].name);
	/* the range was left free: it maps now */
	EXPECT_OK(nt_map(cas, mo));
	EXPECT_OK(inv(cas, AS_UNMAP, NT_VA, NT_PAGES * PG, 0, 0, NULL));
	EXPECT_OK(inv(cp, PROC_KILL, 0, 0, 0, 0, NULL));
	del(&cas);
	del(&cp);
	del(&mo);
	del(&small);
	EXPECT(free_pages() == before, "free pages %lu before, %lu after", (unsigned long)before,
	       (unsigned long)free_pages());
}

/* MEMOBJ_COPY of an object holding more pages than the quota has left:
 * the copy costs its record and page array only (its pages are the
 * source's, shared); writing its pages gives it its own, each charged,
 * until the quota runs out (ERR_NOMEM, the quota never passed); deleting
 * it gives back every page and byte, and the source is writable again. */
void t_mem_copy_nomem(void)
{
	uint64_t limit, used, used2, fp, pages, i;
	unsigned slots;
	struct cairn_msg m;
	cap_t mo, copy;
	err_t e = ERR_OK;

	quota_of(SLOT_SELF_PROC, &limit, &used);
	/* 60% of what is left, every page touched */
	pages = (limit - used) / PG * 3 / 5;
	mo = mk_memobj(pages, 0);
	CHECK(mo != CAP_NULL, "memobj of %lu pages", (unsigned long)pages);
	CHECK_OK(map(mo, VA, 0, pages, RW));
	for (i = pages; i-- > 0;)
		*at(VA + i * PG) = 7;
	quota_of(SLOT_SELF_PROC, &limit, &used);
	fp = free_pages();
	slots = free_slots();
	CHECK_OK(inv(mo, MEMOBJ_COPY, 0, 0, 0, 0, &m));
	copy = m.w[0];
	quota_of(SLOT_SELF_PROC, &limit, &used2);
	EXPECT(used2 - used <= pages * 8 + 2 * PG, "a copy of %lu pages charged %lu bytes",
	       (unsigned long)pages, (unsigned long)(used2 - used));
	for (i = 0; i < pages && !(e = mo_write(copy, i * PG, i)); i++)
		;
	quota_of(SLOT_SELF_PROC, &limit, &used2);
	EXPECT(e == ERR_NOMEM && i > 0 && i < pages && used2 <= limit,
	       "written %lu of %lu pages: %s, quota %lu of %lu", (unsigned long)i, (unsigned long)pages,
	       err_name(e), (unsigned long)used2, (unsigned long)limit);
	del(&copy);
	quota_of(SLOT_SELF_PROC, &limit, &used2);
	EXPECT(used2 == used && free_pages() == fp && free_slots() == slots,
	       "quota used %lu -> %lu, free pages %lu -> %lu, free slots %u -> %u", (unsigned long)used,
	       (unsigned long)used2, (unsigned long)fp, (unsigned long)free_pages(), slots, free_slots());
	*at(VA) = 8;                    /* its own again: writable */
	EXPECT(*at(VA) == 8, "the source's page reads %lu", (unsigned long)*at(VA));
	EXPECT_OK(unmap(VA, pages * PG));
	del(&mo);
}
