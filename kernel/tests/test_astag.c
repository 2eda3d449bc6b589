// SPDX-License-Identifier: MIT
/*
 * Self-tests of address-space tags (kernel/astag.c) through real address
 * spaces: a page of a space re-mapped while another space is loaded here
 * is read anew when the space comes back, a space that did not change
 * comes back without a flush, and more spaces than tags all read their
 * own pages. Each checks both what the hardware reads and the
 * bookkeeping behind it (whether a load flushed, the stale mask): QEMU's
 * riscv64 empties its own TLB on any change of satp, so a missing flush
 * shows there only in the bookkeeping.
 */
#include <arch.h>
#include <kernel/selftest.h>
#include <kernel/thread.h>
#include <kernel/smp.h>

#define ST_VA 0x10000000ul

/* A one-page object whose first word is v (a reference, or NULL). */
static struct memobj *page_of(uint64_t v)
{
	err_t e;
	struct memobj *mo = memobj_create(1, 0, NULL, &e);

	if (mo && memobj_write(mo, 0, &v, sizeof(v))) {
		kobj_put(&mo->obj);
		return NULL;
	}
	return mo;
}

static void put(struct kobj *o)
{
	if (o)
		kobj_put(o);
}

/* Loads as here the way the scheduler does and reads the word at ST_VA
 * through it (all ones if that faults); *flushed: whether the load
 * flushed as's tag. Interrupts off. */
static uint64_t read_in(struct aspace *as, bool *flushed)
{
	struct cpu *c = this_cpu();
	uint64_t v;

	c->active_as = as;
	*flushed = astag_load(c->id, as);
	if (arch_copy_from_user(&v, (const void *)ST_VA, sizeof(v)))
		v = ~0ull;
	return v;
}

static void leave(void)
{
	this_cpu()->active_as = NULL;
	astag_load_root(kernel_root);
}

static bool stale_here(struct aspace *as)
{
	return (as->stale >> this_cpu()->id) & 1;
}

SELFTEST(astag, remap_while_away)
{
	struct memobj *m1 = page_of(0x1111), *m2 = page_of(0x2222), *mb = page_of(0xbbbb);
	struct aspace *a = aspace_create(NULL), *b = aspace_create(NULL);
	bool tagged = false, f[5] = { 0 }, fb, stale_unmap = false, stale_load = true, stale_here_change = true;
	uint64_t v[5] = { 0 };
	unsigned long flags;
	bool ok = m1 && m2 && mb && a && b;

	arch_user_init();
	if (ok)
		ok = !aspace_map(a, m1, ST_VA, 0, 1, PROT_R, PROT_R) &&
		     !aspace_map(b, mb, ST_VA, 0, 1, PROT_R, PROT_R);
	if (ok) {
		flags = arch_irq_save();
		v[0] = read_in(a, &f[0]);       /* a fresh tag: flushed */
		v[1] = read_in(b, &f[1]);
		v[2] = read_in(a, &f[2]);       /* back to a, unchanged: kept */
		/* a's page goes to another frame while b is loaded here */
		read_in(b, &fb);
		aspace_unmap(a, ST_VA, PAGE_SIZE);
		stale_unmap = stale_here(a);
		aspace_map(a, m2, ST_VA, 0, 1, PROT_R, PROT_R);
		v[3] = read_in(a, &f[3]);       /* must flush, and read m2 */
		stale_load = stale_here(a);
		/* a changes while loaded here: the change flushed its entry */
		aspace_unmap(a, ST_VA, PAGE_SIZE);
		aspace_map(a, m1, ST_VA, 0, 1, PROT_R, PROT_R);
		stale_here_change = stale_here(a);
		v[4] = read_in(a, &f[4]);
		leave();
		arch_irq_restore(flags);
	}
	if (ok) {
		tagged = a->tag != ASTAG_SHARED;    /* the first free tag, if any */
		ok = a->tag != b->tag || !tagged;
	}
	put(a ? &a->obj : NULL);
	put(b ? &b->obj : NULL);
	put(m1 ? &m1->obj : NULL);
	put(m2 ? &m2->obj : NULL);
	put(mb ? &mb->obj : NULL);
	kobj_reap();
	ST_CHECK(ok);
	ST_CHECK(v[0] == 0x1111 && v[1] == 0xbbbb && v[2] == 0x1111);
	ST_CHECK(v[3] == 0x2222 && v[4] == 0x1111);
	ST_CHECK(f[0] && f[1] && f[3]);
	/* marked when it changed away from here; the load cleared the mark,
	 * and a change while loaded here made none (a space on the shared tag
	 * keeps its marks: it flushes on every load) */
	ST_CHECK(stale_unmap);
	ST_CHECK(!tagged || (!stale_load && !stale_here_change));
	/* with a tag, a load of a space whose entries here are good flushes nothing */
	ST_CHECK(!tagged || (!f[2] && !f[4]));
	return true;
}

#define NSPACES 6

/* More spaces than tags (the pool cut to 4: three to give and the shared
 * one): three get tags, the others share tag 0 and flush it each time;
 * all read their own page, round after round; a tag given back goes to
 * the next space made, whose first load flushes it. */
SELFTEST(astag, pool_exhausted)
{
	struct aspace *as[NSPACES] = { 0 };
	struct memobj *mo[NSPACES] = { 0 };
	unsigned lim = astag_count() < 4 ? astag_count() : 4, old, tagged = 0, bad = 0, t0;
	bool ok = astag_in_use() == 0, f, again_flushed = false;
	uint64_t again = 0;
	unsigned long flags;

	arch_user_init();
	old = astag_set_count(lim);
	for (unsigned i = 0; ok && i < NSPACES; i++) {
		mo[i] = page_of(0x100 + i);
		as[i] = aspace_create(NULL);
		ok = mo[i] && as[i] && !aspace_map(as[i], mo[i], ST_VA, 0, 1, PROT_R, PROT_R);
	}
	for (unsigned i = 0; ok && i < NSPACES; i++) {
		tagged += as[i]->tag != ASTAG_SHARED;
		for (unsigned j = 0; j < i; j++)
			if (as[i]->tag != ASTAG_SHARED && as[i]->tag == as[j]->tag)
				bad++;          /* one tag given twice */
	}
	if (ok) {
		flags = arch_irq_save();
		for (unsigned round = 0; round < 3; round++)
			for (unsigned i = 0; i < NSPACES; i++) {
				if (read_in(as[i], &f) != 0x100 + i)
					bad++;
				/* after the first round only the shared tag flushes */
				if (round && f != (as[i]->tag == ASTAG_SHARED))
					bad++;
			}
		leave();
		arch_irq_restore(flags);
		/* a tag given back is the next space's */
		t0 = as[0]->tag;
		kobj_put(&as[0]->obj);
		kobj_reap();
		as[0] = aspace_create(NULL);
		ok = as[0] && as[0]->tag == t0 && !aspace_map(as[0], mo[0], ST_VA, 0, 1, PROT_R, PROT_R);
		if (ok) {
			flags = arch_irq_save();
			again = read_in(as[0], &again_flushed);
			leave();
			arch_irq_restore(flags);
		}
	}
	for (unsigned i = 0; i < NSPACES; i++) {
		put(as[i] ? &as[i]->obj : NULL);
		put(mo[i] ? &mo[i]->obj : NULL);
	}
	kobj_reap();
	astag_set_count(old);
	ST_CHECK(ok && bad == 0);
	ST_CHECK(tagged == lim - 1);
	ST_CHECK(again == 0x100 && again_flushed);
	ST_CHECK(astag_in_use() == 0);
	return true;
}
