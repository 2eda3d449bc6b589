// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the kernel's capability tables (kernel/object.c).
 *
 * Four processes (struct process with just a table and a quota) and eight
 * Notification objects. Each input is a program of 6-byte operations:
 * copy, mint, move, delete, revoke, destroy a whole table (process exit),
 * drop the fuzzer's own reference to an object, reap. Operations go
 * through the same decode rules as the SYS_CAP system call (mint only an
 * unbadged capability, rights only shrink). Every derivation is checked
 * against the model: the new capability names the source's object with
 * rights = source & mask and the badge asked for, as the source's child.
 * After every step the fuzzer checks the derivation tree (parent/child/sibling links agree, no
 * cycles), that every capability names a live object, that every live
 * object's reference count equals the capabilities naming it plus the
 * fuzzer's own reference, and quotas. At the end everything is deleted:
 * every page, object and quota byte must come back (LeakSanitizer checks
 * the heap).
 */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <kernel/thread.h>
#include <kernel/ipc.h>
#include "captable_fuzz.h"

#define NPROC 4
#define NOBJ  8
#define QUOTA (64 * PAGE_SIZE)

static struct process procs[NPROC];
static struct kobj *objs[NOBJ];
static bool held[NOBJ], alive[NOBJ];

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "check failed: %s (%s:%d)\n", #c, __FILE__, __LINE__); abort(); } } while (0)
#include <stdio.h>

void fuzz_object_destroyed(struct kobj *o)
{
	for (int i = 0; i < NOBJ; i++)
		if (objs[i] == o) {
			CHECK(alive[i] && !held[i]);
			alive[i] = false;
			return;
		}
	CHECK(!"unknown object destroyed");
}

static int obj_index(struct kobj *o)
{
	for (int i = 0; i < NOBJ; i++)
		if (alive[i] && objs[i] == o)
			return i;
	return -1;
}

static void check_all(void)
{
	unsigned refs[NOBJ] = { 0 };

	for (int p = 0; p < NPROC; p++) {
		for (cap_t s = 0; s < procs[p].caps.nslots; s++) {
			struct cap *c = cap_get(&procs[p], s);
			if (!c) {                 /* a page never made: the next one */
				s |= CAPS_PER_PAGE - 1;
				continue;
			}
			if (!c || !c->obj) {
				if (c)
					CHECK(!c->parent && !c->first_child && !c->next_sib && !c->prev_sib);
				continue;
			}
			int i = obj_index(c->obj);
			CHECK(i >= 0);
			refs[i]++;
			CHECK(c->owner == &procs[p]);
			CHECK((c->rights & ~RIGHTS_ALL) == 0);
			if (c->parent) {
				CHECK(c->parent->obj == c->obj);
				/* the model of a derivation: rights only shrink, and a
				 * badge is set once (a badged capability's children
				 * carry its badge; only an unbadged one is minted) */
				CHECK((c->rights & ~c->parent->rights) == 0);
				CHECK(!c->parent->badge || c->badge == c->parent->badge);
				bool found = false;
				for (struct cap *k = c->parent->first_child; k; k = k->next_sib)
					if (k == c)
						found = true;
				CHECK(found);
			} else {
				CHECK(!c->prev_sib && !c->next_sib);
			}
			for (struct cap *k = c->first_child; k; k = k->next_sib) {
				CHECK(k->parent == c);
				CHECK(!k->next_sib || k->next_sib->prev_sib == k);
			}
			/* no cycle up the tree */
			unsigned depth = 0;
			for (struct cap *a = c->parent; a; a = a->parent)
				CHECK(++depth < CAP_SLOTS * NPROC);
		}
	}
	for (int i = 0; i < NOBJ; i++)
		if (alive[i])
			CHECK(objs[i]->refs == refs[i] + (held[i] ? 1 : 0));
	for (int p = 0; p < NPROC; p++)
		CHECK(procs[p].quota->used <= procs[p].quota->limit);
}

/* cap_derive, checked against the model of a derivation */
static void derive_checked(struct cap *d, struct cap *c, unsigned mask, uint64_t badge)
{
	unsigned want = c->rights & mask;
	struct kobj *obj = c->obj;

	cap_derive(d, c, mask, badge);
	CHECK(d->obj == obj && d->parent == c);
	CHECK(d->rights == want);
	CHECK(d->badge == badge);
}

static void setup(void)
{
	memset(procs, 0, sizeof(procs));
	for (int p = 0; p < NPROC; p++) {
		procs[p].state = PROC_STATE_RUNNING;
		procs[p].quota = quota_create(NULL, QUOTA, QUOTA);
		CHECK(procs[p].quota);
	}
	for (int i = 0; i < NOBJ; i++) {
		struct notification *n = kobj_alloc(OBJ_NOTIFICATION, sizeof(*n), procs[i % NPROC].quota);
		CHECK(n);
		list_init(&n->waiters);
		objs[i] = &n->obj;
		held[i] = alive[i] = true;
		struct cap *c;
		CHECK(cap_reserve(&procs[0], i, &c) == ERR_OK);
		cap_install(c, objs[i], RIGHTS_ALL, 0);
	}
}

static void teardown(void)
{
	for (int p = 0; p < NPROC; p++)
		cap_table_destroy(&procs[p]);
	for (int i = 0; i < NOBJ; i++)
		if (held[i]) {
			held[i] = false;
			kobj_put(objs[i]);
		}
	kobj_reap();
	for (int i = 0; i < NOBJ; i++)
		CHECK(!alive[i]);
	CHECK(kobj_reap_pending == 0);
	for (int p = 0; p < NPROC; p++) {
		CHECK(procs[p].quota->used == 0);
		quota_put(procs[p].quota);
	}
	CHECK(fuzz_pages_live == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	setup();
	check_all();
	for (size_t at = 0; at + 6 <= size; at += 6) {
		const uint8_t *op = data + at;
		struct process *p = &procs[op[1] % NPROC], *q = &procs[op[3] % NPROC];
		cap_t slot = op[2] % 80, dst = op[4] % 80;   /* 80: spans two table pages */
		/* the top bit: the same near the table's end (a directory grown) */
		if (op[2] & 0x80)
			slot = CAP_SLOTS - 1 - slot;
		if (op[4] & 0x40)
			dst = CAP_SLOTS - 1 - dst;
		unsigned rights = op[5] & RIGHTS_ALL;
		struct cap *c = NULL, *d;

		if (op[0] % 8 < 5 && cap_lookup(p, slot, OBJ_NONE, 0, &c) != ERR_OK)
			continue;
		switch (op[0] % 8) {
		case 0:   /* copy, into any process (as IPC transfer and PROC_GRANT do) */
			if (cap_reserve(q, op[4] & 0x80 ? CAP_NULL : dst, &d) == ERR_OK)
				derive_checked(d, c, rights, c->badge);
			break;
		case 1:   /* mint */
			if (!c->badge && cap_reserve(q, dst, &d) == ERR_OK)
				derive_checked(d, c, rights, op[5] + 1u);
			break;
		case 2:   /* move within a table */
			if (dst != slot && cap_reserve(p, dst, &d) == ERR_OK)
				cap_move(d, c);
			break;
		case 3:
			cap_delete(c);
			break;
		case 4:
			cap_revoke(c);
			CHECK(c->first_child == NULL);
			break;
		case 5:   /* a process ends: its whole table goes */
			cap_table_destroy(p);
			break;
		case 6: { /* the fuzzer lets go of an object */
			int i = op[1] % NOBJ;
			if (held[i]) {
				held[i] = false;
				kobj_put(objs[i]);
			}
			break;
		}
		default:
			kobj_reap();
			break;
		}
		check_all();
	}
	kobj_reap();
	check_all();
	teardown();
	return 0;
}
