/* SPDX-License-Identifier: MIT */
/*
 * Starting a process from a static ELF file held in a MemoryObject (the
 * boot image, for init): the sequence of kernel calls behind it is in
 * user/lib/spawn.c.
 */
#ifndef CAIRN_SPAWN_H
#define CAIRN_SPAWN_H
#include <cairn/sys.h>

/* A capability to give the child. */
struct cairn_spawn_cap {
	const char *name;    /* its name in the child's start-up block */
	cap_t cap;           /* slot in the caller's table */
	unsigned rights;     /* the child's copy gets rights &= this */
	uint64_t badge;      /* badge for the child's copy, 0 = keep */
};

struct cairn_spawn {
	cap_t image;                          /* MemoryObject holding the ELF file */
	uint64_t offset, size;                /* the file inside it, in bytes */
	const char *name;                     /* the process's name in kernel messages (first
	                                       * 16 bytes); NULL: argv[0] */
	unsigned argc;
	const char *const *argv;              /* argv[0] is the program's name */
	unsigned ncaps;
	const struct cairn_spawn_cap *caps;   /* caps[i] lands in the child's slot
	                                       * SLOT_FIRST_FREE + i */
	uint64_t quota;                       /* bytes, taken from the caller's quota */
	unsigned priority;
	cap_t exit_notify;                    /* Notification signalled (exit_bits) when
	                                       * the child ends, or CAP_NULL */
	uint64_t exit_bits;
};

/* A started child: capabilities in the caller's table. */
struct cairn_child {
	cap_t proc, as, thread;               /* full rights */
	cap_t stack, ipcbuf, startup;         /* its MemoryObjects (charged to it) */
	uint64_t entry;
};

/* PROC_STATUS of a child. */
struct cairn_proc_status {
	unsigned state;                       /* PROC_STATE_* */
	int64_t status;                       /* exit or kill status */
	uint64_t fault_addr, fault_pc;        /* PROC_STATE_FAULTED (pc: 0 if unknown) */
};

/*
 * Creates a process named `name` with `quota` bytes, loads the ELF file into it, gives
 * it a stack, an IPC buffer, a start-up block (argv and "name=slot" for
 * each capability) and the capabilities (its own Process, AddressSpace and
 * Thread in slots 0..2, then caps[]), binds its end to exit_notify and
 * starts its first thread at the ELF entry.
 * Returns 0 and fills *child, or an error (ERR_2BIG: the start-up block
 * does not fit a page) after undoing everything (the half-built process is
 * killed and every capability made is deleted).
 */
err_t cairn_spawn(const struct cairn_spawn *s, struct cairn_child *child);

/* PROC_STATUS on child->proc. */
err_t cairn_child_status(const struct cairn_child *child, struct cairn_proc_status *st);

/* Deletes the caller's capabilities to the child's objects (after it
 * ended, or to let it go): the child's own copies are not touched. */
void cairn_child_release(struct cairn_child *child);

/* Writes the start-up block for argv and caps (child slots SLOT_FIRST_FREE
 * + i) to buf; returns its length, or 0 if it does not fit in max bytes. */
size_t cairn_startup_build(char *buf, size_t max, unsigned argc, const char *const *argv,
			   unsigned ncaps, const struct cairn_spawn_cap *caps);

#endif
