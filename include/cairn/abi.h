/* SPDX-License-Identifier: MIT */
/*
 * The Cairn kernel ABI: one source of truth for the kernel, the servers,
 * the user runtime and (later) musl-port.
 *
 * System calls
 * ------------
 * A system call takes a number and up to six word arguments and gives back
 * up to seven word results. Registers:
 *
 *            number  args 0..5                  results 0..6
 *   riscv64  a7      a0 a1 a2 a3 a4 a5          a0 a1 a2 a3 a4 a5 a6
 *   x86_64   rax     rdi rsi rdx r10 r8 r9      rax rdi rsi rdx r10 r8 r9
 *
 * Every other caller-saved register (riscv: ra is preserved; t0-t6 are
 * clobbered; x86: rcx, r11 are clobbered) may be clobbered; callee-saved
 * registers, sp and tp/fs are preserved. Result 0 is always an err_t. A
 * result a call does not define keeps the value of the argument in that
 * register (results 1..5), or is 0 (result 6).
 *
 * Messages
 * --------
 * A message is a tag word, up to CAIRN_MSG_MAX words and up to
 * CAIRN_MSG_MAX_CAPS capabilities. Words 0..3 travel in registers; words
 * 4.. sit in the sender's IPC buffer (struct cairn_ipcbuf, one page, at the
 * same index) and arrive in the receiver's. Capabilities to send are named
 * by slot in ipcbuf->caps[]; received ones land in free slots of the
 * receiver's table and their slot numbers are written to its
 * ipcbuf->caps[].
 *
 * Calling a kernel object and calling a server are the same operation:
 * SYS_CALL(cap, tag, w0..w3). The answer is a message whose label is an
 * err_t (the method's result) and whose words are the method's results, so
 * a server can stand in for any kernel object. Result 0 of the system call
 * is the error of the call mechanism itself (bad slot, missing right, bad
 * IPC buffer, the server died before answering).
 */
#ifndef CAIRN_ABI_H
#define CAIRN_ABI_H
#include <stdint.h>
#include <cairn/err.h>

/* ---- system call numbers --------------------------------------------------- */
enum {
	SYS_NULL = 0,        /* () -> err 0. Does nothing: the null system call. */
	SYS_CALL = 1,        /* (cap, tag, w0..w3) -> (err, 0, tag, w0..w3) */
	SYS_RECV = 2,        /* (ep, flags) -> (err, badge, tag, w0..w3) */
	SYS_REPLY = 3,       /* (tag, w0..w3) -> (err): answer the last call received */
	SYS_REPLY_RECV = 4,  /* (ep, tag, w0..w3) -> as SYS_RECV; reply first (if a caller waits) */
	SYS_SEND = 5,        /* (cap, tag, w0..w3) -> (err): send without waiting for an answer
	                      * (endpoint: blocks until received unless CAIRN_NONBLOCK in the tag) */
	SYS_WAIT = 6,        /* (notification, timeout_ns) -> (err, bits); timeout 0 = poll,
	                      * CAIRN_FOREVER = no timeout. ERR_TIMEDOUT / ERR_AGAIN (poll). */
	SYS_YIELD = 7,       /* (ns) -> err. 0: the rest of the slice to a thread of the same or
	                      * a higher priority; ns > 0: sleeps ns, so that every ready thread
	                      * may run, lower priorities too (a spin lock's holder). ERR_INTR
	                      * if an upcall ended the sleep. */
	SYS_ENTER = 8,       /* (n_submit, min_complete, timeout_ns) -> (err, submitted, ready) */
	SYS_CAP = 9,         /* (op, slot, dst, rights, badge) -> (err, slot): own table, CAP_OP_* */
	SYS_EXIT = 10,       /* (status): ends the calling process. Does not return. */
	SYS_THREAD_EXIT = 11,/* (): ends the calling thread; the last thread ends the process. */
	SYS_UPCALL_RETURN = 12, /* (frame): back to where an upcall interrupted the thread */
	SYS_COUNT
};

#define CAIRN_FOREVER   UINT64_MAX

/* SYS_RECV flags */
#define CAIRN_RECV_NONBLOCK  1u

/* ---- message tag --------------------------------------------------------- */
/* bits 0..9 length in words, 10..12 capabilities, 13 nonblocking send,
 * 16..47 label (method number on a call, err_t on an answer). */
#define CAIRN_MSG_MAX        504
#define CAIRN_MSG_REGS       4
#define CAIRN_MSG_MAX_CAPS   4
#define CAIRN_NONBLOCK       (1ull << 13)

static inline uint64_t cairn_tag(uint32_t label, unsigned len, unsigned ncaps)
{
	return ((uint64_t)label << 16) | ((uint64_t)(ncaps & 7) << 10) | (len & 0x3ff);
}
static inline uint32_t cairn_tag_label(uint64_t t) { return (uint32_t)(t >> 16); }
static inline unsigned cairn_tag_len(uint64_t t) { return t & 0x3ff; }
static inline unsigned cairn_tag_ncaps(uint64_t t) { return (t >> 10) & 7; }

/* The per-thread IPC buffer: exactly one page, page aligned. */
struct cairn_ipcbuf {
	uint64_t caps[CAIRN_MSG_MAX_CAPS];   /* send: slots; receive: where they landed */
	uint64_t reserved[4];
	uint64_t w[CAIRN_MSG_MAX];           /* w[0..3] unused (registers) */
};

/* ---- capabilities ---------------------------------------------------------- */
typedef uint64_t cap_t;                  /* a slot in the caller's table */
#define CAP_NULL     ((cap_t)-1)         /* "no capability" where one is optional */
#define CAP_SLOTS    65536               /* slots per process (a table grows to it on demand) */

/* Rights. A method needs the rights listed with it. */
#define RIGHT_READ    0x01u    /* receive on an endpoint; read/map readable; wait */
#define RIGHT_WRITE   0x02u    /* send/call on an endpoint; map writable; signal */
#define RIGHT_EXEC    0x04u    /* map executable */
#define RIGHT_GRANT   0x08u    /* capabilities may travel with messages sent through it */
#define RIGHT_MANAGE  0x10u    /* control methods (create, map into, configure, kill) */
#define RIGHTS_ALL    0x1fu

/* SYS_CAP operations on the caller's own table. dst = CAP_NULL picks a free slot;
 * result 1 is the slot used. */
enum {
	CAP_OP_COPY = 0,      /* copy slot to dst with rights &= rights (badge kept) */
	CAP_OP_MINT = 1,      /* copy with rights &= rights and this badge (only if the
	                       * source has no badge yet) */
	CAP_OP_MOVE = 2,      /* move slot to dst */
	CAP_OP_DELETE = 3,    /* delete slot */
	CAP_OP_REVOKE = 4,    /* delete every capability derived from slot (in any table) */
	CAP_OP_IDENTIFY = 5,  /* -> (err, type, rights, badge, object id) in results 1..4; the id
	                       * names the object for the whole boot (never reused), so two
	                       * capabilities name the same object iff their ids are equal */
	CAP_OP_WATCH = 7,     /* slot = an Endpoint (RIGHT_READ: its server), dst = a Notification
	                       * (RIGHT_WRITE), badge = bits: from now on, each badged capability
	                       * to the endpoint that goes because its process ended (not by a
	                       * delete) is queued, and the bits signalled; a server learns its
	                       * clients' ends (the references a dead process held) */
	CAP_OP_GONE = 8,      /* slot = the watched Endpoint -> (err, badge, overflow): the next
	                       * queued badge; ERR_AGAIN when none; overflow 1 when some were
	                       * lost since the last call (the queue grows, charged to the
	                       * watcher's quota, up to 65,536 badges: lost only past that or
	                       * with that quota spent) */
	CAP_OP_SAVE_REPLY = 6,/* (slot ignored) the answer the caller owes (the last call it
	                       * received) becomes a Reply capability at dst: answer it
	                       * later with SYS_SEND on it, once. ERR_NOENT: none owed. */
};

/* ---- quotas (docs/kernel.md "Quotas") -------------------------------------- */
/* PROC_CREATE's argument for a new process's quota, in 4 KiB pages
 * (rounded up, at most 2^32 - 1 each): limit, what the process may use
 * (with everything made from its quota); reserve, at most the limit,
 * charged to the creator's quota up front. Use beyond the reserve is
 * charged to the creator's quota as it happens (and so on up, each level
 * bounded by its own limit), and given back when freed. */
#define CAIRN_QUOTA_PAGE 4096ull
static inline uint64_t cairn_quota_arg(uint64_t limit, uint64_t reserve)
{
	uint64_t l = limit / CAIRN_QUOTA_PAGE + (limit % CAIRN_QUOTA_PAGE != 0);
	uint64_t r = reserve / CAIRN_QUOTA_PAGE + (reserve % CAIRN_QUOTA_PAGE != 0);

	if (l > UINT32_MAX)
		l = UINT32_MAX;
	if (r > UINT32_MAX)
		r = UINT32_MAX;
	return l | r << 32;
}
static inline uint64_t cairn_quota_limit(uint64_t arg) { return (arg & UINT32_MAX) * CAIRN_QUOTA_PAGE; }
static inline uint64_t cairn_quota_reserve(uint64_t arg) { return (arg >> 32) * CAIRN_QUOTA_PAGE; }

/* ---- object types -------------------------------------------------------- */
enum {
	OBJ_NONE = 0,
	OBJ_PROCESS, OBJ_ASPACE, OBJ_THREAD, OBJ_ENDPOINT, OBJ_REPLY, OBJ_NOTIFICATION,
	OBJ_MEMOBJ, OBJ_IRQLINE, OBJ_MMIO, OBJ_TIMER,
	/* boot-time roots, given to init only */
	OBJ_IRQ_CONTROL, OBJ_MMIO_CONTROL, OBJ_DEBUG_CONSOLE, OBJ_KINFO,
	/* port I/O (x86-64 only: riscv64 has no port space, no IoPortControl root) */
	OBJ_IOPORT_CONTROL, OBJ_IOPORT,
	OBJ_TYPE_COUNT
};

/* ---- methods (the label of a SYS_CALL on a kernel object) ------------------ */
/* Arguments are w0..w3; "cap0" is ipcbuf->caps[0] sent with the call. */
enum {
	/* Process (RIGHT_MANAGE) */
	PROC_CREATE = 1,      /* (type, a, b) -> (slot): new object charged to this process,
	                       * capability in the CALLER's table. a, b by type:
	                       * PROCESS: a = its quota, cairn_quota_arg(limit, reserve)
	                       *   (below): ERR_INVAL for limit 0 or reserve above it
	                       * THREAD: (none; created in this process, suspended)
	                       * ENDPOINT, NOTIFICATION, TIMER: (none)
	                       * MEMOBJ: a = pages, b = MEMOBJ_* flags */
	PROC_GRANT = 2,       /* cap0, (dst slot or CAP_NULL, rights, badge or 0) -> (slot):
	                       * put a copy of cap0 into THIS process's table */
	PROC_LOAD_ELF = 3,    /* cap0 = MemoryObject holding the file, (offset, size) -> (entry):
	                       * load a static ELF64 into this process's address space. A
	                       * read-only segment whose file offset and address agree modulo
	                       * the page size is the object's own pages, mapped (no copy): a
	                       * later write to them shows in the process, so give an object
	                       * nobody writes (exec: the VFS's image); the others are copied */
	PROC_KILL = 4,        /* (status): end the process */
	PROC_STATUS = 5,      /* -> (state, status, fault_addr, fault_pc): PROC_STATE_*; status is
	                       * the exit or kill status, or for FAULTED the CAIRN_FAULT_* kind */
	PROC_BIND_EXIT = 6,   /* cap0 = Notification, (bits): signalled when the process ends */
	PROC_SET_FAULT = 7,   /* cap0 = Endpoint or none: where user faults go */
	PROC_QUOTA = 8,       /* -> (limit, used, reserve) in bytes */
	PROC_SUSPEND = 10,    /* every started thread of the process (see THREAD_SUSPEND) */
	PROC_RESUME = 11,
	PROC_TIMES = 12,      /* RIGHT_READ -> (ns): the CPU time of its threads, ended ones
	                       * included (kernel time spent for them too; counted at
	                       * every switch); an ended process's stays readable */
	PROC_COPY_CAPS = 9,   /* cap0 = another Process (RIGHT_MANAGE): a copy of each of its
	                       * capabilities goes into the same slot here (fork); slots
	                       * already used here are left alone. -> (copied) */

	/* AddressSpace (RIGHT_MANAGE) */
	AS_MAP = 16,          /* cap0 = MemoryObject or MmioRegion, (va, first page, pages | prot << 48)
	                       * prot = PROT bits below; needs the matching rights on cap0 */
	AS_UNMAP = 17,        /* (va, bytes) */
	AS_PROTECT = 18,      /* (va, bytes, prot); prot 0 (also for AS_MAP): no access, every
	                       * touch faults (guard pages, PROT_NONE) */
	AS_COPY = 19,         /* cap0 = another AddressSpace (RIGHT_MANAGE): every mapping of it
	                       * is made here too, at the same address with the same
	                       * protection: a copy-on-write copy of its MemoryObject, or the
	                       * same object for mappings made with CAIRN_PROT_SHARE (fork).
	                       * This space must not overlap them (ERR_EXIST). -> (mappings) */

	/* Thread (RIGHT_MANAGE) */
	THREAD_START = 32,    /* (pc, sp, arg, priority): run it (once), its ceiling the
	                       * priority. Priorities are 0 (lowest) .. 127; one above the
	                       * caller's ceiling is ERR_PERM (init's is 126) */
	THREAD_SET_IPCBUF = 33,/* cap0 = MemoryObject, (page index, va): the page is the IPC buffer,
	                       * mapped by the caller at va in the thread's space */
	THREAD_SET_RING = 34, /* cap0 = contiguous MemoryObject, (entries): rings, see below */
	THREAD_SET_PRIORITY = 35, /* (priority, ceiling, flags): the priority at most the
	                       * caller's ceiling (ERR_PERM). flags THREAD_PRIO_CEILING:
	                       * the thread's ceiling (what it may give itself and the
	                       * threads it starts) becomes ceiling, at most the caller's
	                       * (ERR_PERM) and not below priority (ERR_INVAL);
	                       * THREAD_PRIO_FIFO: the thread runs without a time slice
	                       * (SCHED_FIFO): it keeps its CPU until it blocks, yields
	                       * or a more urgent thread preempts it, and preempted it
	                       * is first again at its level; without it, threads of a
	                       * level share it round robin (SCHED_RR, as threads start) */
	THREAD_SUSPEND = 36,  /* a thread blocked in a call is suspended when that call returns
	                       * (before user mode); ERR_BUSY: already suspended or pending */
	THREAD_RESUME = 37,   /* cancels a pending suspension too; ERR_INVAL: not suspended */
	THREAD_SET_TLS = 38,  /* (value): the thread pointer (riscv64 tp, x86-64 FS base) */
	THREAD_UPCALL = 39,   /* (pc, arg, flags): interrupt the thread (signals). A system call it is
	                       * blocked in returns ERR_INTR (but not a call a server is
	                       * serving, whose answer it holds, nor one queued on the
	                       * Endpoint the calling thread last received on; those
	                       * return their answer first: a call is interrupted
	                       * only while queued or put aside with a Reply, and
	                       * one served when the upcall came is interrupted
	                       * when its server puts it aside);
	                       * then, on its way back to user mode,
	                       * it saves its registers in a frame on its stack (below sp, past a
	                       * 128-byte red zone) and runs pc with arg0 = arg, arg1 = the
	                       * frame. SYS_UPCALL_RETURN(frame) resumes where it was. The frame
	                       * (below: a signal's ucontext is made from it) holds no FP
	                       * registers, and the code at pc must
	                       * keep the callee-saved registers (it is a C call) and the FP
	                       * state itself. flags UPCALL_ONSTACK: the frame goes at the top
	                       * of the thread's alternate stack (THREAD_SET_ALTSTACK) instead,
	                       * unless it has none or sp is in it already (sigaltstack,
	                       * SA_ONSTACK). ERR_INVAL before THREAD_START, or for other
	                       * flags; ERR_BUSY while an upcall sent before has yet to
	                       * run (one at a time: nested ones come from inside it). */
	THREAD_SET_AFFINITY = 40, /* (mask): the CPUs it may run on, bit i = CPU i (as
	                       * KINFO_CPUS numbers them); bits of CPUs that are not
	                       * online are dropped, ERR_INVAL when none is left. A
	                       * thread made by a thread of its own process starts
	                       * with its maker's CPUs, any other with every CPU; one
	                       * running on a CPU it may no longer use moves at its
	                       * next switch */
	THREAD_GET_AFFINITY = 41, /* RIGHT_READ -> (mask, cpu): its CPUs (only online
	                       * ones), and the CPU it runs on (the caller's own: the
	                       * one it is on now) or last ran on */
	THREAD_SET_ALTSTACK = 42, /* (base, size): the alternate stack of UPCALL_ONSTACK
	                       * upcalls (user memory, not checked until used: an upcall
	                       * that cannot write its frame there ends the process as
	                       * any other); size 0: none. ERR_INVAL: size below
	                       * UPCALL_ALTSTACK_MIN or past the user addresses */
	THREAD_GET_ID = 43,   /* RIGHT_READ -> (id): the kernel's number of the thread, unique
	                       * while the system runs (never 0); a user fault's message
	                       * carries the faulting thread's (w3) */
	THREAD_GET_TIME = 44, /* RIGHT_READ -> (ns): the CPU time the thread has had (its
	                       * run on a CPU so far included) */

	/* Endpoint: no methods of its own (a call on it is IPC) */

	/* Notification */
	NOTIFY_SIGNAL = 48,   /* (bits)  RIGHT_WRITE */
	NOTIFY_POLL = 49,     /* -> (bits), clears them  RIGHT_READ */
	NOTIFY_BIND = 50,     /* binds the Notification to the calling thread: while that thread
	                       * receives on an Endpoint (SYS_RECV, SYS_REPLY_RECV), a signal
	                       * arrives as a message: badge CAIRN_NOTIFY_BADGE, label
	                       * CAIRN_NOTIFY_LABEL, w0 = the bits (then cleared); bits set
	                       * before it receives come first, before page requests and
	                       * messages. A thread in SYS_WAIT on it still takes a signal
	                       * first. One server thread waits for its clients and its
	                       * events at once. ERR_BUSY: either is bound already  RIGHT_READ */
	NOTIFY_UNBIND = 51,   /* undoes NOTIFY_BIND (whichever thread it was); ERR_NOENT: not
	                       * bound  RIGHT_READ */

	/* MemoryObject */
	MEMOBJ_INFO = 64,     /* -> (pages, flags, size bytes): flags MEMOBJ_CONTIG,
	                       * MEMOBJ_PAGED; the size is pages * 4096 unless paged */
	MEMOBJ_PADDR = 65,    /* (page) -> (physical address)  RIGHT_MANAGE */
	MEMOBJ_COPY = 66,     /* (quota_process unused) -> (slot): copy-on-write copy, charged
	                       * to the process that owns the source  RIGHT_READ */
	MEMOBJ_WRITE = 67,    /* (offset, len, words from w[4..]): write bytes  RIGHT_WRITE */
	MEMOBJ_READ = 68,     /* (offset, len) -> bytes in w[4..]  RIGHT_READ */
	/* Paged MemoryObjects (docs/kernel.md, Pagers): a fault on an absent page
	 * of the object blocks the thread and sends the pager a page request
	 * (CAIRN_PAGER_LABEL, below) on its Endpoint, once per page; the pager
	 * answers with MEMOBJ_SUPPLY or MEMOBJ_FAIL, and the threads retry or
	 * get a CAIRN_FAULT_PAGER fault. Pages are counted from 0. A paged
	 * object's pages are charged to its owner's quota as they arrive (not
	 * up front); its size is in bytes, and a page at or past it faults. On
	 * a paged object, or a copy of one, MEMOBJ_READ and MEMOBJ_WRITE never
	 * wait for the pager: a range with an absent page is ERR_AGAIN (past
	 * the size ERR_RANGE); MEMOBJ_PADDR and THREAD_SET_IPCBUF refuse it
	 * (ERR_INVAL). The pager reads pages to write back through a mapping
	 * of its own (dirty pages are present: no fault) or MEMOBJ_READ. */
	MEMOBJ_SET_PAGER = 69,/* cap0 = Endpoint with RIGHT_READ (the pager's own: it receives
	                       * the requests), (key, size bytes)  RIGHT_MANAGE: the object
	                       * becomes paged; requests carry key as their badge. ERR_INVAL:
	                       * contiguous, pinned (an IPC buffer) or a copy; ERR_BUSY: not
	                       * paged yet but has pages, or paged with a live pager (one
	                       * whose pager is gone takes a new one: a restarted server);
	                       * ERR_RANGE: size past its pages.
	                       * The pager is gone when the last capability with RIGHT_READ
	                       * to the Endpoint is: its objects' waiting and later faults
	                       * get CAIRN_FAULT_PAGER */
	MEMOBJ_SUPPLY = 70,   /* cap0 = source MemoryObject (RIGHT_READ), (first, count,
	                       * source first) -> (supplied)  RIGHT_MANAGE: pages [first,
	                       * first + count) that are absent get the source's pages
	                       * [source first, ...): shared copy-on-write (no copy) when
	                       * the source can share, else copied; an absent source page
	                       * gives zeros. Present pages are left alone. The threads
	                       * waiting for them retry. ERR_RANGE: past the size or the
	                       * source; ERR_INVAL: not paged, source = this or device memory;
	                       * ERR_NOMEM: the owner's quota */
	MEMOBJ_FAIL = 71,     /* (first, count) -> (requests failed)  RIGHT_MANAGE: the
	                       * requests of absent pages in the range are dropped and the
	                       * threads waiting for them get CAIRN_FAULT_PAGER (a later
	                       * fault asks again) */
	MEMOBJ_DIRTY = 72,    /* (first, count 1..64) -> (bitmap, next)  RIGHT_MANAGE: bit k
	                       * is set when page first + k was written since it was supplied
	                       * or last reported; the bits are cleared and the pages made
	                       * read-only again, so the next write sets them anew. next: the
	                       * first dirty page at or after first + count, or the object's
	                       * pages (none): fsync walks the object in few calls */
	MEMOBJ_EVICT = 73,    /* (first, count) -> (evicted)  RIGHT_MANAGE: clean present pages
	                       * in the range are dropped (and uncharged); the next touch asks
	                       * the pager again. Dirty pages stay (write back, MEMOBJ_DIRTY,
	                       * then evict) */
	MEMOBJ_RESIZE = 74,   /* (size bytes)  RIGHT_MANAGE, paged objects: pages at or past
	                       * the new size are dropped (dirty or not) and their waiters
	                       * get CAIRN_FAULT_PAGER; growing past the object's pages
	                       * grows it (its page array charged to the owner). The tail
	                       * of a last partial page is the pager's to clear. ERR_RANGE:
	                       * more than MEMOBJ_MAX bytes */

	/* IrqLine */
	IRQ_BIND = 80,        /* cap0 = Notification, (bits)  RIGHT_MANAGE. The line stays
	                       * masked until the first IRQ_ACK */
	IRQ_ACK = 81,         /* re-enable delivery after handling  RIGHT_WRITE */

	/* IoPort: a range of I/O ports [base, base + count) (x86-64). Offsets are from
	 * base; an access of width 1, 2 or 4 bytes must lie inside the range, and its
	 * port (base + offset) be a multiple of the width. ERR_INVAL otherwise. */
	IOPORT_IN = 84,       /* (offset, width) -> (value)  RIGHT_READ */
	IOPORT_OUT = 85,      /* (offset, width, value): the low width bytes of value  RIGHT_WRITE */
	IOPORT_WRITE = 86,    /* (offset, n) + n bytes inline from w[4..]: each byte out to
	                       * that one port, in order (a UART's FIFO); n at most the
	                       * message's bytes  RIGHT_WRITE */
	IOPORT_INFO = 87,     /* -> (base, count) */

	/* Timer (RIGHT_MANAGE) */
	TIMER_SET = 96,       /* cap0 = Notification, (bits, deadline_ns absolute, period_ns) */
	TIMER_CANCEL = 97,

	/* IrqControl: (irq, flags) -> (slot) an IrqLine for that interrupt. flags 0
	 * keeps the platform's trigger mode and polarity for it (x86-64: ISA
	 * interrupts as the MADT says, edge and active high unless overridden;
	 * GSIs 16 and up level and active low, PCI INTx); else IRQCTL_LEVEL picks
	 * level (without it: edge) and IRQCTL_LOW active low (without it: high),
	 * for as long as the line exists. riscv64's PLIC has one mode, level and
	 * active high (its gateways see the line as a device drives it): 0 and
	 * IRQCTL_LEVEL are accepted, anything with IRQCTL_LOW is ERR_INVAL. Unknown
	 * bits: ERR_INVAL */
	IRQCTL_GET = 112,
	/* MmioControl: (paddr, bytes) -> (slot) an MmioRegion, device memory only:
	 * RAM is ERR_PERM, registers of the kernel's own drivers ERR_BUSY */
	MMIOCTL_GET = 113,
	/* IoPortControl (x86-64): (base, count) -> (slot) an IoPort over ports [base,
	 * base + count). ERR_INVAL: count 0, or past port 0xffff; ERR_BUSY: a port the
	 * kernel uses itself (the 8259 PICs 0x20-0x21 and 0xa0-0xa1, the PIT
	 * 0x40-0x43 and its gate 0x61, the CMOS clock 0x70-0x71, PCI configuration
	 * 0xcf8-0xcff, QEMU's isa-debug-exit 0xf4-0xf7, the console UART until
	 * DEBUG_RELEASE_DEVICE). IoPorts may overlap, as MmioRegions may: whoever
	 * holds IoPortControl decides who gets which ports */
	IOPORTCTL_GET = 124,
	/* DebugConsole: (len) bytes in w[4..] are printed on the kernel console
	 * -> (bytes written: len) */
	DEBUG_WRITE = 114,
	/* DebugConsole, RIGHT_READ: what the console device received (the kernel's
	 * driver keeps it until a console server takes it):
	 *   DEBUG_READ (max) -> (n) + the bytes in w[4..]; n = 0: nothing waiting
	 *   DEBUG_BIND_INPUT cap0 = Notification, (bits): signalled when bytes arrive */
	DEBUG_READ = 117,
	DEBUG_BIND_INPUT = 118,
	/* DebugConsole, RIGHT_MANAGE: the kernel gives its console UART to a user-level
	 * driver: -> (base, size, irq, reg_shift | reg_width << 8 | space << 16). space
	 * DEBUG_DEV_MMIO: base and size are the registers' physical address and bytes
	 * (MMIOCTL_GET); DEBUG_DEV_PORT: base is the first I/O port and size the
	 * number of ports (IOPORTCTL_GET; reg_shift 0, reg_width 1). irq is what
	 * IRQCTL_GET takes (x86-64: the GSI, through the MADT's ISA override). After
	 * it the kernel writes its log by polling, takes no input, and MMIOCTL_GET or
	 * IOPORTCTL_GET, and IRQCTL_GET, hand the device out. ERR_BUSY: given
	 * already; ERR_NOSYS: this console cannot be given (sifive_u's UART). */
	DEBUG_RELEASE_DEVICE = 119,
	/* DebugConsole, RIGHT_WRITE: the kernel's thread dump (docs/kernel.md, "The
	 * thread dump") on the console, as three Ctrl-] typed there print it: every
	 * CPU, and every thread of every live process with what it waits for. For a
	 * test that sees its threads stop (kfuzz's watchdog) */
	DEBUG_DUMP = 130,
	/* KernelInfo */
	KINFO_FREE_PAGES = 115,   /* -> (free pages, total pages) */
	KINFO_TIME = 116,         /* -> (monotonic ns) */
	KINFO_CLOCK = 120,        /* -> (mult, counter hz, realtime offset): monotonic ns =
	                           * counter * mult >> 32 (128-bit product), where counter is
	                           * what user mode reads with rdtime (riscv64) or rdtsc
	                           * (x86-64): clock_gettime without a system call. Real
	                           * time (ns since 1970 UTC) = monotonic ns + offset, from
	                           * the platform's real-time clock at boot, moved by
	                           * KINFO_SET_REALTIME (the sum wraps modulo 2^64);
	                           * offset 0: none */
	KINFO_CLOCK_PAGE = 121,   /* -> (slot): a MemoryObject of one page, read right only,
	                           * holding struct cairn_clock_page, which the kernel keeps
	                           * current: map it (CAIRN_PROT_SHARE, so a fork's child
	                           * shares it) and read the real-time offset without a
	                           * system call as it changes. The same page for everyone */
	KINFO_SET_REALTIME = 122, /* (ns since 1970 UTC) RIGHT_MANAGE: CLOCK_REALTIME is that
	                           * now, for every reader (KINFO_CLOCK, the clock page).
	                           * ERR_INVAL: 2^63 or more */
	KINFO_FIRMWARE = 123,     /* -> (slot, bytes): a MemoryObject, read right only,
	                           * holding a copy (made at boot) of the firmware's
	                           * description of the machine, `bytes` long (the rest
	                           * of its last page is 0); the same object for every
	                           * caller. riscv64: the flattened device tree blob as
	                           * firmware gave it (starts with the FDT magic
	                           * d00dfeed, big-endian). x86-64: the ACPI tables,
	                           * concatenated with no padding: every table the XSDT
	                           * (or RSDT) lists, in its order, then the DSDT the
	                           * FADT names; each starts with its 36-byte SDT header
	                           * (signature, then a 32-bit little-endian length: the
	                           * table's size, header included), so the next one
	                           * begins `length` bytes on. Tables whose checksum is
	                           * wrong are left out; the RSDP and the XSDT are not
	                           * there. The device manager reads its buses from it.
	                           * ERR_NOENT: the firmware gave none */
	KINFO_CPUS = 125,         /* -> (CPUs online, their mask, time slice ns): bit i = CPU i,
	                           * the numbering of THREAD_SET_AFFINITY; CPU 0 is the boot
	                           * CPU; the slice is the round robin's (sched_rr_get_interval) */
	KINFO_CPU_STAT = 126,     /* (cpu) -> (ns idle, switches) since boot, of an online
	                           * CPU: the scheduler's switches between threads (an
	                           * IPC call's direct hand-off is not one); ERR_INVAL:
	                           * not an online CPU */
	/* any object: */
	OBJ_IDENTIFY = 127,       /* -> (type) */
	/* KInfo again */
	KINFO_OBJECTS = 129,      /* (type) -> (live, bytes): kernel objects of that type
	                           * (OBJ_*) alive now and the bytes they are charged for
	                           * (their own structures; pages and tables are charged
	                           * apart); type OBJ_NONE: live quotas (a process's, and
	                           * each child quota), bytes 0. ERR_INVAL: no such type.
	                           * For leak hunts: /proc/kobjects */
};

/* The page of KINFO_CLOCK_PAGE. Real time (ns since 1970 UTC) = monotonic ns +
 * realtime_offset (modulo 2^64); the kernel stores the offset in one aligned
 * 64-bit write, so a reader sees the old value or the new one. sets counts the
 * KINFO_SET_REALTIME calls since boot. */
struct cairn_clock_page {
	uint64_t realtime_offset;
	uint64_t sets;
};

/* IRQCTL_GET flags */
#define IRQCTL_LEVEL  1u      /* level-triggered (else edge) */
#define IRQCTL_LOW    2u      /* active low (else high) */

/* DEBUG_RELEASE_DEVICE: the address space of the device (result 3, bits 16..23) */
#define DEBUG_DEV_MMIO  0u
#define DEBUG_DEV_PORT  1u

/* AS_MAP prot bits */
#define CAIRN_PROT_R  1u
#define CAIRN_PROT_W  2u
#define CAIRN_PROT_X  4u
#define CAIRN_PROT_SHARE 8u   /* AS_MAP: AS_COPY shares this mapping instead of copying it */

#define MEMOBJ_CONTIG  1u     /* physically contiguous (DMA, rings) */
#define MEMOBJ_PAGED   2u     /* PROC_CREATE: to be paged (MEMOBJ_SET_PAGER): its pages
                               * are not charged up front; until a pager is set every
                               * fault on it is CAIRN_FAULT_PAGER */
#define MEMOBJ_MAX     (1ull << 30)   /* bytes: the largest MemoryObject */

/* A page request from the kernel to a pager (MEMOBJ_SET_PAGER), received on
 * its Endpoint like a message sent to it (nothing to answer): label
 * CAIRN_PAGER_LABEL, badge = the key given to MEMOBJ_SET_PAGER, w0 = first
 * page, w1 = count (a run of absent pages faulted on, each asked for once),
 * w2 = CAIRN_PAGER_WRITE if a write asked for one of them. Requests wait in
 * the kernel (in the object: nothing allocated) until received; they come
 * before the Endpoint's other messages. */
#define CAIRN_PAGER_LABEL  0xfa18u
/* A bound Notification's signal, received as a message (NOTIFY_BIND): a
 * server must mint no capability with this badge. */
#define CAIRN_NOTIFY_BADGE (1ull << 63)
#define CAIRN_NOTIFY_LABEL 0xffff0002u
#define CAIRN_PAGER_WRITE  1u

/* THREAD_UPCALL's flags; THREAD_SET_ALTSTACK's least size (a frame, its
 * red zone and some room for the function) */
#define UPCALL_ONSTACK      1u
#define UPCALL_ALTSTACK_MIN 2048u
/*
 * The upcall frame, in 64-bit words: [0] CAIRN_UPCALL_MAGIC, [1] partial,
 * [2] result, [3] 0, then from word CAIRN_UPF_REGS the registers at the
 * interruption, in the arch's order:
 *   riscv64: x0..x31 (x0's word unused, x2 the sp), then the pc, sstatus,
 *            scause, stval and 2 words of the kernel's (CAIRN_UPF_RV_*);
 *   x86-64:  cr2, r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx,
 *            rcx, rbx, rax, the vector (an exception's, or 0x100 for the
 *            system-call entry), the error code, rip, cs, rflags, rsp, ss
 *            (CAIRN_UPF_X86_*).
 * partial 1: saved by the system-call path (an upcall that interrupted a
 * call, or came on the way out of one): result is the call's result 0 (what
 * a0/rax will be), and only the registers that path restores are in the
 * frame and taken back (riscv64: the pc, ra, sp, gp, tp, a1-a6; x86-64:
 * rip, rsp, rflags, rdi, rsi, rdx, r10, r8, r9, rbp); the callee-saved
 * ones are live in the CPU when the code at pc starts, and resume with
 * what they hold at SYS_UPCALL_RETURN. partial 0 (an exception or an
 * interrupt): every register is in it, and SYS_UPCALL_RETURN takes them
 * all back (pc and sp included: a handler may move the pc), except what
 * user mode may not set (privilege, interrupt flag, segments).
 */
#define CAIRN_UPCALL_MAGIC   0x4341524e55504331ull    /* "CARNUPC1" */
#define CAIRN_UPF_REGS       4
#define CAIRN_UPF_RV_PC      32        /* register words: after x31 */
#define CAIRN_UPF_RV_NREGS   38
#define CAIRN_UPF_X86_RIP    18
#define CAIRN_UPF_X86_NREGS  23

/* THREAD_SET_PRIORITY's flags */
#define THREAD_PRIO_CEILING 1u
#define THREAD_PRIO_FIFO    2u

/* The priorities of the system as built (docs/kernel.md, Priorities):
 * POSIX processes' threads at 8 (SCHED_OTHER; SCHED_IDLE 1, SCHED_FIFO and
 * SCHED_RR priority p at 8 + p, up to 107), drivers, the process server
 * and the other services above every one of them, init at 126. */
#define PRIO_POSIX          8u
#define PRIO_POSIX_RT_TOP   107u
#define PRIO_DRIVER         108u

enum { PROC_STATE_RUNNING = 0, PROC_STATE_EXITED = 1, PROC_STATE_KILLED = 2, PROC_STATE_FAULTED = 3 };

/* A user fault sent to the fault endpoint: label CAIRN_FAULT_LABEL,
 * w0 = address, w1 = pc, w2 = CAIRN_FAULT_* (| CAIRN_FAULT_PROT), w3 = the
 * faulting thread's id (THREAD_GET_ID); badge = the endpoint cap's badge.
 * Answering with label 0 retries the instruction; with label
 * CAIRN_FAULT_RESUME, the thread goes on at pc w0 (a user address; its
 * registers otherwise as they were: a copy routine's fixup, musl-port's
 * ucopy.S, returns its error there); any other label kills the process. */
#define CAIRN_FAULT_LABEL  0xfa17u
#define CAIRN_FAULT_RESUME 0xfa19u
/* In w2 of a READ, WRITE or EXEC fault: the page is mapped, but its
 * protection forbids the access (SEGV_ACCERR); without it, nothing is
 * mapped there (SEGV_MAPERR). Not in PROC_STATUS's kind. */
#define CAIRN_FAULT_PROT   0x100u
#define CAIRN_FAULT_KIND(w) ((w) & 0xffu)
enum {
	CAIRN_FAULT_READ = 1, CAIRN_FAULT_WRITE = 2, CAIRN_FAULT_EXEC = 3,   /* memory: SIGSEGV */
	CAIRN_FAULT_OTHER = 4,
	CAIRN_FAULT_MISALIGNED = 5,     /* SIGBUS */
	CAIRN_FAULT_BREAKPOINT = 6,     /* SIGTRAP */
	CAIRN_FAULT_ILLEGAL = 7,        /* illegal or privileged instruction: SIGILL */
	CAIRN_FAULT_ARITH = 8,          /* divide error, FP exception: SIGFPE */
	CAIRN_FAULT_PAGER = 9,          /* a page of a paged object the pager failed, past its
	                                 * size, or whose pager is gone: SIGBUS */
};

/* ---- submission and completion rings -------------------------------------- */
/*
 * THREAD_SET_RING takes a physically contiguous MemoryObject laid out as:
 * struct cairn_ring_hdr at offset 0, `entries` SQEs at offset 256, then
 * `entries` CQEs. entries is a power of two, 1..64. The thread writes SQEs
 * and advances sq_tail; SYS_ENTER consumes them (advancing sq_head). The
 * kernel writes CQEs and advances cq_tail; the thread consumes and
 * advances cq_head. At most `entries` calls are in flight; SYS_ENTER
 * submits fewer when that many are outstanding.
 * A SQE on a kernel object completes at once; a SQE on an Endpoint is an
 * asynchronous call whose answer completes later.
 */
struct cairn_ring_hdr {
	volatile uint32_t sq_head, sq_tail, cq_head, cq_tail;
	uint32_t entries, pad[3];
};
struct cairn_sqe {
	uint64_t cap, tag, w[4], user_data, flags;
};
struct cairn_cqe {
	uint64_t user_data, err, tag, w[4], badge;
};
#define CAIRN_RING_SQ_OFF  256

/* ---- process start-up ----------------------------------------------------- */
/* Slots every process started by init (and init itself) finds filled. */
#define SLOT_SELF_PROC    0
#define SLOT_SELF_AS      1
#define SLOT_SELF_THREAD  2
#define SLOT_FIRST_FREE   3

/*
 * The first thread starts with arg0 = address of a start-up block (read
 * only, in its own address space): "argc\0argv0\0...argvN\0" then
 * "name=slot\0" capability names, ended by an empty string. The kernel
 * builds init's; init builds one for each service.
 *
 * Layout the kernel uses for init and init uses for its services (all
 * below 256 GiB, so it fits Sv39 as well as Sv48 and x86-64):
 */
#define CAIRN_STACK_TOP     0x3fff000000ull   /* stack grows down from here */
#define CAIRN_STACK_PAGES   16
#define CAIRN_IPCBUF_VA     0x3fff100000ull   /* the first thread's IPC buffer */
#define CAIRN_STARTUP_VA    0x3fff200000ull   /* the start-up block */
#define CAIRN_STARTUP_MAX   4096
#endif
