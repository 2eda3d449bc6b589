/* SPDX-License-Identifier: MIT */
/*
 * Process creation, the sequence init uses for each service:
 *
 *   PROC_CREATE(OBJ_PROCESS, quota (all reserved), name) on our Process
 *                                                  -> child Process + AS caps
 *   PROC_CREATE(OBJ_THREAD) on the child            -> its first thread
 *   PROC_LOAD_ELF(image, offset, size) on the child -> entry
 *   stack, IPC buffer and start-up block: MemoryObjects made with
 *     PROC_CREATE(OBJ_MEMOBJ) on the child (charged to it), mapped with
 *     AS_MAP in its space; the start-up block is written through a
 *     temporary mapping in ours first
 *   THREAD_SET_IPCBUF on the thread
 *   PROC_GRANT on the child: its own Process, AS, Thread caps in slots 0..2,
 *     then the capabilities given, from SLOT_FIRST_FREE
 *   PROC_BIND_EXIT(notification, bits) on the child
 *   THREAD_START(entry, CAIRN_STACK_TOP, CAIRN_STARTUP_VA, priority)
 *
 * Any failure kills the half-built child and deletes every capability made.
 */
#include <string.h>
#include <format.h>
#include <cairn/rt.h>
#include <cairn/spawn.h>

size_t cairn_startup_build(char *buf, size_t max, unsigned argc, const char *const *argv,
			   unsigned ncaps, const struct cairn_spawn_cap *caps)
{
	size_t pos = 0;
	int n;

#define PUT(...)                                                          \
	do {                                                              \
		if (pos >= max)                                           \
			return 0;                                         \
		n = fmt_snprintf(buf + pos, max - pos, __VA_ARGS__);      \
		if (n < 0 || (size_t)n + 1 > max - pos)                   \
			return 0;                                         \
		pos += (size_t)n + 1;                                     \
	} while (0)

	PUT("%u", argc);
	for (unsigned i = 0; i < argc; i++)
		PUT("%s", argv[i]);
	for (unsigned i = 0; i < ncaps; i++) {
		if (strchr(caps[i].name, '=') || !caps[i].name[0])
			return 0;
		PUT("%s=%u", caps[i].name, SLOT_FIRST_FREE + i);
	}
	PUT("%s", "");
#undef PUT
	return pos;
}

static err_t create(cap_t proc, unsigned type, uint64_t a, uint64_t b, cap_t *out)
{
	struct cairn_msg m;
	err_t e = cairn_invoke(proc, PROC_CREATE, 0, type, a, b, 0, &m);

	if (!e)
		*out = m.w[0];
	return e;
}

static err_t grant(cap_t proc, cap_t cap, cap_t dst, unsigned rights, uint64_t badge)
{
	return cairn_invoke_cap(proc, PROC_GRANT, cap, dst, rights, badge, 0, NULL);
}

/* A one-or-more-page MemoryObject charged to the child, mapped at va in
 * its space. */
static err_t child_memory(struct cairn_child *c, uint64_t pages, uint64_t va, unsigned prot,
			  cap_t *out)
{
	err_t e = cairn_memobj_create(c->proc, pages, 0, out);

	if (e)
		return e;
	return cairn_as_map(c->as, *out, va, 0, pages, prot);
}

/* The start-up block: written through a temporary mapping in our space,
 * then mapped read-only in the child's. */
static err_t child_startup(const struct cairn_spawn *s, struct cairn_child *c)
{
	void *va;
	size_t len;
	err_t e;

	e = cairn_memobj_create(c->proc, 1, 0, &c->startup);
	if (e)
		return e;
	e = cairn_map(c->startup, 0, 1, CAIRN_PROT_R | CAIRN_PROT_W, &va);
	if (e)
		return e;
	len = cairn_startup_build(va, CAIRN_STARTUP_MAX, s->argc, s->argv, s->ncaps, s->caps);
	if ((e = cairn_unmap(va, 1)))
		return e;
	if (!len)
		return ERR_2BIG;
	return cairn_as_map(c->as, c->startup, CAIRN_STARTUP_VA, 0, 1, CAIRN_PROT_R);
}

static err_t child_caps(const struct cairn_spawn *s, struct cairn_child *c)
{
	err_t e;

	if ((e = grant(c->proc, c->proc, SLOT_SELF_PROC, RIGHTS_ALL, 0)) ||
	    (e = grant(c->proc, c->as, SLOT_SELF_AS, RIGHTS_ALL, 0)) ||
	    (e = grant(c->proc, c->thread, SLOT_SELF_THREAD, RIGHTS_ALL, 0)))
		return e;
	for (unsigned i = 0; i < s->ncaps; i++) {
		e = grant(c->proc, s->caps[i].cap, SLOT_FIRST_FREE + i, s->caps[i].rights,
			  s->caps[i].badge);
		if (e)
			return e;
	}
	return ERR_OK;
}

/* The name for PROC_CREATE: up to 16 bytes in w2 and w3. */
static void proc_name(const struct cairn_spawn *s, uint64_t w[2])
{
	const char *name = s->name ? s->name : s->argc ? s->argv[0] : "";

	w[0] = w[1] = 0;
	memcpy(w, name, strnlen(name, 2 * sizeof(uint64_t)));
}

err_t cairn_spawn(const struct cairn_spawn *s, struct cairn_child *c)
{
	struct cairn_msg m;
	uint64_t name[2];
	err_t e;

	c->proc = c->as = c->thread = CAP_NULL;
	c->stack = c->ipcbuf = c->startup = CAP_NULL;
	c->entry = 0;
	if (SLOT_FIRST_FREE + s->ncaps > CAP_SLOTS)
		return ERR_2BIG;

	proc_name(s, name);
	e = cairn_invoke(SLOT_SELF_PROC, PROC_CREATE, 0, OBJ_PROCESS, cairn_quota_arg(s->quota, s->quota),
			 name[0], name[1], &m);
	if (e)
		return e;
	c->proc = m.w[0];
	c->as = m.w[1];

	e = create(c->proc, OBJ_THREAD, 0, 0, &c->thread);
	if (e)
		goto out_kill;
	e = cairn_invoke_cap(c->proc, PROC_LOAD_ELF, s->image, s->offset, s->size, 0, 0, &m);
	if (e)
		goto out_kill;
	c->entry = m.w[0];

	e = child_memory(c, CAIRN_STACK_PAGES, CAIRN_STACK_TOP - CAIRN_STACK_PAGES * CAIRN_PAGE_SIZE,
			 CAIRN_PROT_R | CAIRN_PROT_W, &c->stack);
	if (e)
		goto out_kill;
	e = child_memory(c, 1, CAIRN_IPCBUF_VA, CAIRN_PROT_R | CAIRN_PROT_W, &c->ipcbuf);
	if (e)
		goto out_kill;
	e = cairn_invoke_cap(c->thread, THREAD_SET_IPCBUF, c->ipcbuf, 0, CAIRN_IPCBUF_VA, 0, 0, NULL);
	if (e)
		goto out_kill;
	e = child_startup(s, c);
	if (e)
		goto out_kill;
	e = child_caps(s, c);
	if (e)
		goto out_kill;
	if (s->exit_notify != CAP_NULL) {
		e = cairn_invoke_cap(c->proc, PROC_BIND_EXIT, s->exit_notify, s->exit_bits, 0, 0, 0,
				     NULL);
		if (e)
			goto out_kill;
	}
	e = cairn_invoke(c->thread, THREAD_START, 0, c->entry, CAIRN_STACK_TOP, CAIRN_STARTUP_VA,
			 s->priority, NULL);
	if (e)
		goto out_kill;
	return ERR_OK;

out_kill:
	cairn_invoke(c->proc, PROC_KILL, 0, (uint64_t)-1, 0, 0, 0, NULL);
	cairn_child_release(c);
	return e;
}

err_t cairn_child_status(const struct cairn_child *c, struct cairn_proc_status *st)
{
	struct cairn_msg m;
	err_t e = cairn_invoke(c->proc, PROC_STATUS, 0, 0, 0, 0, 0, &m);

	if (e)
		return e;
	st->state = (unsigned)m.w[0];
	st->status = (int64_t)m.w[1];
	st->fault_addr = m.w[2];
	st->fault_pc = m.w[3];
	return ERR_OK;
}

void cairn_child_release(struct cairn_child *c)
{
	cap_t *slots[] = { &c->startup, &c->ipcbuf, &c->stack, &c->thread, &c->as, &c->proc };

	for (unsigned i = 0; i < sizeof(slots) / sizeof(slots[0]); i++) {
		if (*slots[i] != CAP_NULL)
			cairn_cap_delete(*slots[i]);
		*slots[i] = CAP_NULL;
	}
}
