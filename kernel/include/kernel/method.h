/* SPDX-License-Identifier: MIT */
/*
 * Methods of kernel objects: one table per object type, one dispatcher.
 *
 * A call on a kernel object (SYS_CALL or SYS_SEND on anything but an
 * Endpoint, or a ring submission) reaches obj_invoke() (kernel/obj/
 * dispatch.c). It finds the object type's table, the entry for the
 * method (the message label), checks the rights the entry asks of the
 * capability, then calls
 *
 *   decode  (<obj>_decode_<op>): looks up and checks every argument
 *           (capability arguments, ranges, state), and allocates or
 *           reserves whatever the operation needs; fills the method's
 *           own struct of decoded arguments. May fail; when it does,
 *           nothing has changed that the caller can see.
 *   invoke  (<obj>_invoke_<op>): changes state with the decoded
 *           arguments and writes the results. Cannot fail.
 *
 * Where the change would allocate as it goes, decode counts what it will
 * need and sets it aside (AS_MAP, AS_UNMAP, AS_PROTECT: mapping records
 * and page-table pages in a struct as_reserve; MEMOBJ_WRITE: the pages it
 * will fill; MEMOBJ_COPY: the copy, not yet sharing pages), and invoke
 * uses it and gives back the rest itself. Nothing runs between the two
 * (one CPU, interrupts off in the kernel).
 *
 * A few operations cannot be split that way without rewriting more of
 * the subsystem behind them (AS_COPY, PROC_LOAD_ELF,
 * DEBUG_RELEASE_DEVICE); their entries have an `act` instead of an
 * `invoke`, which may fail, and say why at the entry.
 *
 * The answer is a message whose label is the method's err_t, like a
 * server's answer, so a server can stand in for a kernel object.
 */
#ifndef KERNEL_METHOD_H
#define KERNEL_METHOD_H
#include <kernel/ipc.h>

/* Room for any method's decoded arguments; METHOD_ARGS() checks the fit. */
struct method_args {
	uint64_t w[8];
};

/* One call on a kernel object, as decode and invoke see it. */
struct invocation {
	struct cap *cap;          /* the capability invoked (its rights checked) */
	struct kobj *obj;         /* cap->obj */
	const struct msg *in;     /* label = method, w[0..3] = arguments */
	struct msg *out;          /* w[0..3] = results; tag = CAIRN_MSG_REGS words */
	bool caps_ok;             /* the message may carry capabilities (not from a ring) */
	struct method_args args;  /* what decode found, for invoke */
};

/* The method's own struct of decoded arguments, in iv->args. */
#define METHOD_ARGS(type, iv)                                                   \
	({                                                                      \
		_Static_assert(sizeof(type) <= sizeof(struct method_args),      \
			       #type " does not fit in struct method_args");    \
		(type *)&(iv)->args;                                            \
	})

typedef err_t method_decode_fn(struct invocation *iv);
typedef void method_invoke_fn(struct invocation *iv);
typedef err_t method_act_fn(struct invocation *iv);

/* Flags of a method. */
#define M_LIVE  1u    /* the object must be alive (struct method_table.alive) */

/* One method: exactly one of invoke and act is set; decode may be NULL
 * (nothing to check beyond the rights). */
struct method {
	uint8_t nr;               /* the method number (message label) */
	uint8_t rights;           /* RIGHT_* the capability must carry */
	uint8_t flags;            /* M_* */
	method_decode_fn *decode;
	method_invoke_fn *invoke;
	method_act_fn *act;       /* only where invoke cannot be made infallible */
};

/*
 * A table is indexed by method number less the number of its first
 * method, METHODS_FIRST, which the file defines before the table (methods
 * of one type are numbered together, include/cairn/abi.h); numbers in
 * between that are not methods have empty entries.
 */
#define METHOD(n, r, f, dec, inv) \
	[(n) - METHODS_FIRST] = { .nr = (n), .rights = (r), .flags = (f), .decode = (dec), .invoke = (inv) }
#define METHOD_ACT(n, r, f, dec, a) \
	[(n) - METHODS_FIRST] = { .nr = (n), .rights = (r), .flags = (f), .decode = (dec), .act = (a) }

/* The methods of one object type. */
struct method_table {
	const struct method *methods;
	unsigned long first, n;   /* methods[i] is method first + i (if its nr says so) */
	/* For M_LIVE methods: false (ERR_SRCH) once the object has ended. */
	bool (*alive)(const struct kobj *o);
};

#define METHOD_TABLE(name, list, alive_fn) \
	const struct method_table name = { list, METHODS_FIRST, sizeof(list) / sizeof(list[0]), alive_fn }

/* The table of an object type (for the self-tests); NULL: no such type. */
const struct method_table *method_table_of(unsigned type);

extern const struct method_table process_methods, aspace_methods, thread_methods,
	notification_methods, memobj_methods, mmio_methods, irqline_methods, timer_methods,
	irqctl_methods, mmioctl_methods, debugcons_methods, kinfo_methods, ioportctl_methods,
	ioport_methods;

/*
 * Invokes a method of the kernel object behind c (anything but an
 * Endpoint) with message in; the answer goes to out: label = the method's
 * err_t (ERR_NOSYS: no such method; ERR_PERM: c lacks the rights the
 * method needs; ERR_SRCH: the object has ended), words = its results.
 * caps_ok: the message may carry capabilities in the caller's IPC buffer.
 */
void obj_invoke(struct cap *c, const struct msg *in, struct msg *out, bool caps_ok);

/*
 * The i-th capability sent with the call, looked up in the caller's table
 * and checked for type (OBJ_NONE: any) and rights. Errors: ERR_INVAL (the
 * call carries no i-th capability, or may carry none), and those of
 * cap_lookup().
 */
err_t method_cap(const struct invocation *iv, unsigned i, unsigned type, unsigned rights,
		 struct cap **out);

/* The calls whose arguments are a notification to signal (IRQ_BIND,
 * TIMER_SET, DEBUG_BIND_INPUT, PROC_BIND_EXIT): cap0, a Notification with
 * the write right. ERR_INVAL: none, or not a Notification; ERR_PERM. */
err_t method_notification(const struct invocation *iv, struct notification **out);

/* ---- what the objects' files provide to the rest of the kernel ---------------- */

/* A new Timer (PROC_CREATE), charged to q; NULL when out of quota or memory. */
struct kobj *timer_create(struct quota *q);
/* Teardown of an IrqLine and of a Timer whose last reference went (object.c). */
void irqline_destroy(struct kobj *o);
void timer_destroy(struct kobj *o);
/* THREAD_SUSPEND and THREAD_RESUME (also per thread of PROC_SUSPEND and
 * PROC_RESUME): the check (ERR_BUSY: suspended or pending already, or not
 * started; ERR_INVAL: nothing to resume), then the change. A blocked
 * thread is suspended when it next returns to user mode. */
err_t thread_suspend_check(const struct thread *t);
void thread_suspend(struct thread *t);
err_t thread_resume_check(const struct thread *t);
void thread_resume(struct thread *t);
/* The boot-time root object of a type (IrqControl, MmioControl,
 * DebugConsole, KernelInfo, IoPortControl) for init; never destroyed. */
struct kobj *devobj_root(unsigned type);
/* Copies the firmware's tables (arch_firmware_copy()) into pages of their
 * own for KINFO_FIRMWARE; at boot, after pmm_init() and before vm_init().
 * Without room (or tables) KINFO_FIRMWARE answers ERR_NOENT. */
void kinfo_firmware_init(void);

#endif
