/* SPDX-License-Identifier: MIT */
/* Intrusive circular doubly linked lists. */
#ifndef KERNEL_LIST_H
#define KERNEL_LIST_H
#include <kernel/types.h>

struct list {
	struct list *next, *prev;
};

#define LIST_INIT(name) { &(name), &(name) }

static inline void list_init(struct list *l) { l->next = l->prev = l; }
static inline bool list_empty(const struct list *l) { return l->next == l; }
/* A node that is on no list (after list_init or list_del). */
static inline bool list_linked(const struct list *n) { return n->next != n; }

static inline void list_add_between(struct list *n, struct list *prev, struct list *next)
{
	n->prev = prev;
	n->next = next;
	prev->next = n;
	next->prev = n;
}
static inline void list_add_tail(struct list *l, struct list *n) { list_add_between(n, l->prev, l); }
static inline void list_add_head(struct list *l, struct list *n) { list_add_between(n, l, l->next); }

static inline void list_del(struct list *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->next = n->prev = n;
}

#define list_entry(p, T, m) container_of(p, T, m)
#define list_first(l, T, m) (list_empty(l) ? NULL : list_entry((l)->next, T, m))
#define list_for_each(it, l) for (struct list *it = (l)->next; it != (l); it = it->next)
#define list_for_each_safe(it, nx, l) \
	for (struct list *it = (l)->next, *nx = it->next; it != (l); it = nx, nx = it->next)

#endif
