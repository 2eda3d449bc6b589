// SPDX-License-Identifier: MIT
/*
 * Self-tests of the kernel-object method tables (kernel/obj/): every
 * object type has a table, and every entry is whole: it sits at its
 * method number, has exactly one of invoke and act, asks only for real
 * rights, and a table with methods for live objects says how to tell.
 */
#include <kernel/selftest.h>
#include <kernel/method.h>

static bool entry_ok(const struct method_table *t, unsigned long i)
{
	const struct method *m = &t->methods[i];

	if (!m->nr)                          /* a number between methods */
		return !m->decode && !m->invoke && !m->act;
	ST_CHECK(m->nr == t->first + i);
	ST_CHECK(!m->invoke != !m->act);
	ST_CHECK(!(m->rights & ~RIGHTS_ALL));
	ST_CHECK(!(m->flags & M_LIVE) || t->alive);
	return true;
}

SELFTEST(obj, method_tables)
{
	for (unsigned type = 0; type < OBJ_TYPE_COUNT; type++) {
		const struct method_table *t = method_table_of(type);
		ST_CHECK(t);
		for (unsigned long i = 0; i < t->n; i++)
			if (!entry_ok(t, i))
				return false;
	}
	return true;
}
