// SPDX-License-Identifier: MIT
/*
 * The one dispatcher of kernel-object methods (see kernel/method.h for the
 * decode/invoke rule): finds the object type's method table and the
 * method's entry, checks rights and liveness, runs decode and then invoke
 * (or act), and turns the err_t into the answer's label. Each object
 * type's methods are in their own file beside this one.
 */
#include <kernel/method.h>

/* Endpoints and Replies have no methods (a call on them is IPC). */
static const struct method_table no_methods = { NULL, 0, 0, NULL };

static const struct method_table *const tables[OBJ_TYPE_COUNT] = {
	[OBJ_NONE] = &no_methods,
	[OBJ_PROCESS] = &process_methods,
	[OBJ_ASPACE] = &aspace_methods,
	[OBJ_THREAD] = &thread_methods,
	[OBJ_ENDPOINT] = &no_methods,
	[OBJ_REPLY] = &no_methods,
	[OBJ_NOTIFICATION] = &notification_methods,
	[OBJ_MEMOBJ] = &memobj_methods,
	[OBJ_IRQLINE] = &irqline_methods,
	[OBJ_MMIO] = &mmio_methods,
	[OBJ_TIMER] = &timer_methods,
	[OBJ_IRQ_CONTROL] = &irqctl_methods,
	[OBJ_MMIO_CONTROL] = &mmioctl_methods,
	[OBJ_DEBUG_CONSOLE] = &debugcons_methods,
	[OBJ_KINFO] = &kinfo_methods,
	[OBJ_IOPORT_CONTROL] = &ioportctl_methods,
	[OBJ_IOPORT] = &ioport_methods,
};

/* The entry of method nr of an object type (every type has a table), or NULL. */
static inline const struct method *method_find(unsigned long type, unsigned long nr,
					       const struct method_table **table)
{
	const struct method_table *t = tables[type < OBJ_TYPE_COUNT ? type : OBJ_NONE];
	unsigned long i = nr - t->first;

	*table = t;
	if (i >= t->n || t->methods[i].nr != nr)
		return NULL;
	return &t->methods[i];
}

const struct method_table *method_table_of(unsigned type)
{
	return type < OBJ_TYPE_COUNT ? tables[type] : NULL;
}

/* Everything up to and including decode: the method's error, or ERR_OK
 * with *m the method to invoke. */
static inline err_t method_decode(struct invocation *iv, const struct method **m)
{
	const struct method_table *t;
	unsigned long nr = cairn_tag_label(iv->in->tag);

	if (!(*m = method_find(iv->obj->type, nr, &t)))
		return ERR_NOSYS;
	if (((*m)->rights & iv->cap->rights) != (*m)->rights)
		return ERR_PERM;
	if (((*m)->flags & M_LIVE) && !t->alive(iv->obj))
		return ERR_SRCH;
	return (*m)->decode ? (*m)->decode(iv) : ERR_OK;
}

void obj_invoke(struct cap *c, const struct msg *in, struct msg *out, bool caps_ok)
{
	struct invocation iv;          /* args left as they are: decode fills them */
	const struct method *m;
	err_t e;

	iv.cap = c;
	iv.obj = c->obj;
	iv.in = in;
	iv.out = out;
	iv.caps_ok = caps_ok;

	*out = (struct msg){ cairn_tag(0, CAIRN_MSG_REGS, 0), { 0, 0, 0, 0 } };
	if (cairn_tag_label(in->tag) == OBJ_IDENTIFY) {
		out->w[0] = c->obj->type;       /* every object's, in no table */
		e = ERR_OK;
	} else if (!(e = method_decode(&iv, &m))) {
		if (m->invoke)
			m->invoke(&iv);
		else
			e = m->act(&iv);
	}
	out->tag = cairn_tag(e, cairn_tag_len(out->tag), 0);
}

err_t method_cap(const struct invocation *iv, unsigned i, unsigned type, unsigned rights,
		 struct cap **out)
{
	if (!iv->caps_ok || cairn_tag_ncaps(iv->in->tag) <= i || !current->ipcbuf)
		return ERR_INVAL;
	return cap_lookup(current->proc, current->ipcbuf->caps[i], type, rights, out);
}

err_t method_notification(const struct invocation *iv, struct notification **out)
{
	struct cap *c;

	if (method_cap(iv, 0, OBJ_NONE, 0, &c) || c->obj->type != OBJ_NOTIFICATION)
		return ERR_INVAL;
	if (!(c->rights & RIGHT_WRITE))
		return ERR_PERM;
	*out = (struct notification *)c->obj;
	return ERR_OK;
}
