// SPDX-License-Identifier: MIT
/*
 * The kernel heap. Objects up to 2 KiB come from slabs: one page per slab,
 * split into equal objects, with its free list and use count kept in the
 * page's struct page. A slab that empties goes straight back to the page
 * allocator, so "free pages before == after" is an exact leak check.
 * Larger objects are whole page blocks.
 */
#include <kernel/mm.h>
#include <kernel/log.h>
#include <kernel/spinlock.h>
#include <string.h>

#define NCLASSES 8
static const uint16_t class_size[NCLASSES] = { 16, 32, 64, 128, 256, 512, 1024, 2048 };

static struct page *partial[NCLASSES];   /* slabs with at least one free object */
static struct spinlock lock = SPINLOCK_INIT(LOCK_HEAP);

static void partial_push(unsigned c, struct page *p)
{
	p->prev = NULL;
	p->next = partial[c];
	if (p->next)
		p->next->prev = p;
	partial[c] = p;
}

static void partial_remove(unsigned c, struct page *p)
{
	if (p->prev)
		p->prev->next = p->next;
	else
		partial[c] = p->next;
	if (p->next)
		p->next->prev = p->prev;
	p->next = p->prev = NULL;
}

static struct page *slab_new(unsigned c)
{
	paddr_t pa = pmm_alloc(0);
	struct page *p;
	char *base;

	if (pa == PADDR_INVALID)
		return NULL;
	p = pmm_page(pa);
	base = phys_to_virt(pa);
	p->flags |= PAGE_SLAB;
	p->slab_class = c;
	p->inuse = 0;
	p->freelist = NULL;
	for (size_t off = PAGE_SIZE; off >= class_size[c]; off -= class_size[c]) {
		void **obj = (void **)(base + off - class_size[c]);
		*obj = p->freelist;
		p->freelist = obj;
	}
	partial_push(c, p);
	return p;
}

static unsigned order_for(size_t size)
{
	unsigned o = 0;

	while ((PAGE_SIZE << o) < size)
		o++;
	return o;
}

void *kmalloc(size_t size)
{
	unsigned c;

	if (size == 0)
		return NULL;
	if (size > class_size[NCLASSES - 1]) {
		if (size > (PAGE_SIZE << PMM_MAX_ORDER))   /* before order_for() overflows */
			return NULL;
		paddr_t pa = pmm_alloc(order_for(size));
		return pa == PADDR_INVALID ? NULL : phys_to_virt(pa);
	}
	for (c = 0; class_size[c] < size; c++)
		;
	unsigned long f = spin_lock_irqsave(&lock);
	struct page *p = partial[c] ? partial[c] : slab_new(c);
	void **obj = NULL;
	if (p) {
		obj = p->freelist;
		p->freelist = *obj;
		p->inuse++;
		if (!p->freelist)
			partial_remove(c, p);
	}
	spin_unlock_irqrestore(&lock, f);
	return obj;
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

void kfree(void *ptr)
{
	if (!ptr)
		return;
	paddr_t pa = virt_to_phys(ptr);
	struct page *p = pmm_page(ALIGN_DOWN(pa, PAGE_SIZE));

	BUG_ON(!p);
	if (!(p->flags & PAGE_SLAB)) {
		BUG_ON(!(p->flags & PAGE_HEAD) || (pa & PAGE_MASK));
		pmm_free(pa, p->order);
		return;
	}
	unsigned c = p->slab_class;
	unsigned long f = spin_lock_irqsave(&lock);
	BUG_ON((pa & PAGE_MASK) % class_size[c] != 0 || p->inuse == 0);
	bool was_full = p->freelist == NULL;
	*(void **)ptr = p->freelist;
	p->freelist = ptr;
	p->inuse--;
	if (p->inuse == 0) {
		if (!was_full)
			partial_remove(c, p);
		p->flags &= ~PAGE_SLAB;
		p->freelist = NULL;
		spin_unlock_irqrestore(&lock, f);
		pmm_free(ALIGN_DOWN(pa, PAGE_SIZE), 0);
		return;
	}
	if (was_full)
		partial_push(c, p);
	spin_unlock_irqrestore(&lock, f);
}
