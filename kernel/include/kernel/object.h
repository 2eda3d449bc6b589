/* SPDX-License-Identifier: MIT */
/*
 * Kernel objects, capabilities and quotas.
 *
 * Every object starts with struct kobj: its type, a reference count and
 * the quota it is charged to. References are held by capabilities and by
 * structural links (a mapping holds its MemoryObject, a thread its
 * Process, an IrqLine its Notification). When the count reaches zero the
 * object goes on a reap list and is destroyed by kobj_reap() at a safe
 * point (never inside the function that dropped the reference, so
 * destruction never recurses and never frees the stack it runs on).
 *
 * The whole kernel runs under one rule: interrupts are off while kernel
 * code runs on behalf of a thread, and it holds the kernel lock whole
 * (kernel/smp.c), so kernel state needs no further locking; the IPC fast
 * paths run in the lock's fast mode, beside each other on several CPUs,
 * under the narrower rules of docs/smp.md.
 */
#ifndef KERNEL_OBJECT_H
#define KERNEL_OBJECT_H
#include <arch.h>
#include <kernel/list.h>
#include <cairn/abi.h>

struct quota;
struct process;

struct kobj {
	uint8_t type;            /* OBJ_* */
	uint8_t reaping;
	uint32_t refs;
	uint32_t ncaps;          /* capabilities naming it (part of refs) */
	uint64_t oid;            /* unique for the boot, never reused (CAP_OP_IDENTIFY) */
	struct quota *quota;     /* charged to (NULL: boot objects) */
	uint32_t charge;         /* bytes charged for the object itself */
	struct list reap_node;
	struct list orphan_node; /* on the orphan list: its last capability went */
};

/* ---- quotas ----------------------------------------------------------------- */
/*
 * A quota caps what a process (and the quotas made from it) may use:
 * `used` passes `limit` only by a forced charge (quota_charge_force()),
 * after which charges fail until enough is freed. Its `reserve` is charged to its parent when
 * it is made, so the first `reserve` bytes it uses are its own for sure;
 * use beyond the reserve is charged to the parent at the moment of use
 * (and so on up, each level bounded by its own limit) and uncharged when
 * freed. A parent's `used` counts, for each child, the larger of the
 * child's reserve and its use: a subtree never uses more than any of its
 * ancestors' limits. Every object charged here holds a reference, so a
 * quota with use outstanding is never freed.
 */
struct quota {
	uint64_t limit, reserve, used;
	uint32_t refs;           /* the process, every object charged here, child quotas */
	struct quota *parent;    /* charged `reserve` (and the struct) when made */
};

/* A quota with the given limit and reserve (reserve <= limit), charged
 * to parent (NULL: the root); NULL when parent's quota or memory is out. */
struct quota *quota_create(struct quota *parent, uint64_t limit, uint64_t reserve);
/* KINFO_OBJECTS: by type, live objects and the bytes charged for them
 * (kobj_alloc()'s size); index OBJ_NONE: live quotas. */
extern uint64_t kobj_census[OBJ_TYPE_COUNT], kobj_census_bytes[OBJ_TYPE_COUNT];
/* Charges q and, for what passes each level's reserve, its ancestors;
 * ERR_NOMEM, nothing charged, when any level would pass its limit. NULL
 * q: nothing to charge. */
err_t quota_charge(struct quota *q, uint64_t bytes);
/* The same without the limits (a charge that may overshoot: page tables
 * an operation added, kernel/memory.c); the next charge then fails. */
void quota_charge_force(struct quota *q, uint64_t bytes);
void quota_uncharge(struct quota *q, uint64_t bytes);
void quota_get(struct quota *q);
void quota_put(struct quota *q);

/*
 * Allocates a zeroed object of `size` bytes charged to q (NULL: not
 * charged): ERR_NOMEM via NULL when the quota or memory runs out. The
 * object starts with one reference.
 */
void *kobj_alloc(unsigned type, size_t size, struct quota *q);
static inline void kobj_get(struct kobj *o) { o->refs++; }
void kobj_put(struct kobj *o);
/* The last object id handed out. */
extern uint64_t kobj_next_oid;
/* Objects waiting for kobj_reap(). */
extern unsigned kobj_reap_pending;
/* Destroys every object whose last reference went (see above). */
void kobj_reap(void);
const char *kobj_type_name(unsigned type);

/* ---- capabilities -------------------------------------------------------------- */
/*
 * A slot of a capability table. Derivation links form a tree across all
 * tables: a copy or mint is a child of its source. Deleting a capability
 * hands its children to its parent, so revoking an ancestor still reaches
 * them.
 */
struct cap {
	struct kobj *obj;        /* NULL: empty slot */
	uint64_t badge;
	uint8_t rights;
	uint8_t pad[3];
	uint32_t slot;           /* its index in its owner's table (set with the page) */
	struct cap *parent, *first_child, *next_sib, *prev_sib;
	struct process *owner;
};

#define CAPS_PER_PAGE   (PAGE_SIZE / sizeof(struct cap))
#define CAP_PAGES       ((CAP_SLOTS + CAPS_PER_PAGE - 1) / CAPS_PER_PAGE)
/* Directory entries kept in the table itself: a process with at most
 * CAP_DIR_INLINE * CAPS_PER_PAGE slots (1,024) needs no directory page. */
#define CAP_DIR_INLINE  16

/*
 * A table is a directory of pages of CAPS_PER_PAGE slots each. Pages are
 * allocated on first use; the directory starts in the table (inline) and
 * is reallocated twice as large, up to CAP_PAGES entries, when a slot past
 * its end is wanted. Both are charged to the owner's quota. A zeroed table
 * is a valid empty one (nslots 0: every lookup fails).
 */
struct cap_table {
	struct cap **dir;        /* ndir entries: inline or kmalloc'd */
	unsigned ndir;
	cap_t nslots;            /* ndir * CAPS_PER_PAGE: slots below it may have a page */
	unsigned free_hint;      /* no free slot below it (a search for one starts here) */
	struct cap *inline_dir[CAP_DIR_INLINE];
};

/* The capability in `slot` of p's table, or NULL if out of range or in a
 * page never allocated (the slot may be empty: check ->obj). */
static inline struct cap *cap_get(struct process *p, cap_t slot);
/* Looks up slot, checks type (OBJ_NONE: any) and rights. Errors: ERR_BADF
 * (empty or bad slot), ERR_INVAL (wrong type), ERR_PERM (missing rights). */
static inline err_t cap_lookup(struct process *p, cap_t slot, unsigned type, unsigned rights,
			       struct cap **out);
/* A free slot (allocating a table page and growing the directory if need
 * be, charged to p: ERR_NOMEM when p's quota or memory cannot pay; a
 * quota that cannot pay changes nothing). dst = CAP_NULL: the lowest free slot (ERR_NOSPC when
 * all CAP_SLOTS are used); otherwise dst must be empty (ERR_EXIST) and in
 * range (ERR_BADF). ERR_NOSPC also when p has ended. */
err_t cap_reserve(struct process *p, cap_t dst, struct cap **out);
/* Fills an empty slot from reserve with a new reference to obj (no parent). */
void cap_install(struct cap *slot, struct kobj *obj, unsigned rights, uint64_t badge);
/* Fills an empty slot with a copy derived from src. */
void cap_derive(struct cap *slot, const struct cap *src, unsigned rights, uint64_t badge);
void cap_delete(struct cap *c);
void cap_revoke(struct cap *c);
/* Moves a capability to an empty slot (derivation links follow). */
void cap_move(struct cap *dst, struct cap *src);
cap_t cap_slot_of(const struct cap *c);
/* Empties every slot of p's table and frees its pages and directory. */
void cap_table_destroy(struct process *p);
size_t cap_count(struct process *p);

#endif
