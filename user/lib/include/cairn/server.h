/* SPDX-License-Identifier: MIT */
/*
 * The server skeleton (user/lib/server.c): the one receive loop every
 * Cairn server runs. The VFS, console and process servers use it; a new
 * server (a block driver, a disk file system, the network) starts here.
 *
 * A server is one thread receiving on one Endpoint. Its clients hold
 * capabilities to that Endpoint minted with badges that name the server's
 * objects (include/cairn/posix.h). The server fills a struct srv and calls
 * srv_run(), which for each message:
 *   1. gathers it into a struct srv_req (badge, label, words, the inline
 *      bytes copied to in_buf, the capabilities that came with it);
 *   2. a message from the server's own relay thread (srv_relay()) goes to
 *      event() and, when the server watches its clients (srv_watch()),
 *      each dead client's badge to gone();
 *   3. otherwise object() names the object the badge stands for (its
 *      error is the answer), and the first ops[] entry whose label range
 *      holds the label handles it (none: ERR_NOSYS);
 *   4. deletes every received capability the handler did not keep (a
 *      handler keeps one by setting r->caps[i] to CAP_NULL), runs after();
 *   5. answers: label a->err, words a->w[], a->nbytes inline bytes (from
 *      out_buf, or written straight into the IPC buffer at srv_out()),
 *      a->caps[]; with SYS_REPLY_RECV, so an answer and the next receive
 *      are one system call. An error answer carries no bytes and no
 *      capabilities, except ERR_REMOTE (include/cairn/posix.h, mounts:
 *      the new path inline and cap0). A handler that cannot answer now calls
 *      srv_save_reply() (a->deferred: nothing goes now) and answers later
 *      with srv_answer_saved(); a handler whose caller is gone sets
 *      a->deferred itself.
 *
 * The contract a server keeps: handlers never wait for a client or
 * another server (the whole server would wait with them); anything that
 * must wait is a saved Reply or an asynchronous call. Nothing in a request
 * is trusted: nbytes bounds what was sent, every word is checked.
 */
#ifndef CAIRN_SERVER_H
#define CAIRN_SERVER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cairn/sys.h>

#define SRV_ANS_CAPS     3                    /* capabilities an answer may carry */
#define SRV_EVENT_BADGE  CAIRN_NOTIFY_BADGE   /* the relay's badge (1 << 63): must name no object */
#define SRV_EVENT_LABEL  0xffff0001u

/* A request. Valid during its handler only. */
struct srv_req {
	uint64_t badge;                     /* the badge of the capability it came through */
	uint32_t label;
	uint64_t w[4];
	size_t nbytes;                      /* inline bytes received (at srv.in_buf) */
	unsigned ncaps;
	cap_t caps[CAIRN_MSG_MAX_CAPS];     /* received; a handler keeps one by setting CAP_NULL */
	void *obj;                          /* what srv.object() found (NULL without one) */
};

/* An answer: err, w[], nbytes, ncaps and deferred are 0 when the handler
 * starts. */
struct srv_ans {
	err_t err;                          /* the answer's label */
	uint64_t w[4];
	size_t nbytes;                      /* inline bytes (at srv.out_buf or srv_out()) */
	unsigned ncaps;
	cap_t caps[SRV_ANS_CAPS];
	uintptr_t made[SRV_ANS_CAPS];       /* the server's note of what each was made for */
	bool deferred;                      /* no answer now: saved, or the caller is gone */
};

/* Labels first..last go to fn. */
struct srv_op {
	uint32_t first, last;
	void (*fn)(struct srv_req *r, struct srv_ans *a);
};

struct srv {
	const char *name;                   /* for log lines */
	cap_t ep;                           /* the Endpoint served */
	const struct srv_op *ops;           /* the dispatch table, nops entries */
	unsigned nops;
	uint8_t *in_buf;                    /* where a request's inline bytes are copied */
	size_t in_max;                      /* its size: longer requests are cut (nbytes) */
	uint8_t *out_buf;                   /* NULL: handlers write answer bytes at srv_out() */

	/* All optional (NULL). */
	err_t (*object)(struct srv_req *r);               /* badge -> r->obj, or the error */
	void (*after)(void);                              /* after each message, before its answer */
	void (*answered)(struct srv_ans *a, err_t sent);  /* an answer with capabilities went out
	                                                   * (sent 0) or did not (the error, or the
	                                                   * caller was gone): the server drops its
	                                                   * copies, undoes what it made */
	void (*event)(uint64_t bits);                     /* the relay's Notification fired */
	void (*gone)(uint64_t badge);                     /* a dead client's capability went */
	void (*work)(void);                               /* run when *work_pending after an answer */
	bool *work_pending;

	/* the skeleton's own (zero to start) */
	cap_t relay_ep, relay_note;
	uint64_t gone_bit;
	bool relayed, bound, stopping;
};

/* Serves s->ep until srv_stop(). Receive errors are counted: 100 in a row
 * end the loop. Returns after the answer to the message being handled when
 * srv_stop() was called went out. */
void srv_run(struct srv *s);

/* From a handler or after(): the current answer is the last one. */
static inline void srv_stop(struct srv *s) { s->stopping = true; }

/* Where a handler writes an answer's inline bytes when out_buf is NULL:
 * the IPC buffer from word 4 (anything else that uses the IPC buffer,
 * srv_answer_saved() included, overwrites them). */
static inline uint8_t *srv_out(void) { return (uint8_t *)&cairn_ipcbuf()->w[CAIRN_MSG_REGS]; }

/* Message length in words for n inline bytes. */
static inline unsigned srv_words(size_t n) { return CAIRN_MSG_REGS + (unsigned)((n + 7) / 8); }

/*
 * Starts the relay: a thread at priority prio that waits on Notification
 * notif and turns each wake-up into a call on s->ep (badge SRV_EVENT_BADGE,
 * w0 = the bits), so the main thread only ever waits in SYS_RECV; srv_run()
 * hands the bits to s->event (those of srv_watch() to s->gone). May be
 * called again after a failure (e.g. ERR_PERM: prio above the server's).
 * Errors: those of minting the relay's capability from s->ep (CAP_OP_MINT)
 * and of cairn_thread_start().
 * A relay below the server's priority batches: its events wait until the
 * server and its clients have nothing else to do (the network server's,
 * the VFS's, ext2's: many frames or blocks an event). Where an event
 * should be taken at once, srv_bind() is cheaper.
 */
err_t srv_relay(struct srv *s, cap_t notif, unsigned prio);

/*
 * The relay without a thread: binds notif to the calling thread, the one
 * that will run srv_run() (NOTIFY_BIND). Each signal then arrives in its
 * own receive, at the server's priority, before the clients' messages,
 * as a message srv_run() hands to s->event (and s->gone, srv_watch()):
 * no thread switch and no call an event. ERR_BUSY: a relay or binding is
 * there already, or the thread is bound; the errors of NOTIFY_BIND.
 */
err_t srv_bind(struct srv *s, cap_t notif);

/*
 * Asks the kernel (CAP_OP_WATCH) to signal bit on the relay's Notification
 * each time a badged capability to s->ep goes with a process that ended;
 * srv_run() then calls s->gone(badge) once per such capability, so the
 * server drops that client's reference as IO_CLOSE would have. Call after
 * srv_relay(). Errors: ERR_INVAL without a relay, those of CAP_OP_WATCH.
 */
err_t srv_watch(struct srv *s, uint64_t bit);

/*
 * From a handler: the caller's answer is owed later. Saves its Reply
 * (CAP_OP_SAVE_REPLY) into a slot returned in *reply and sets a->deferred.
 * Errors: those of CAP_OP_SAVE_REPLY (ERR_NOMEM: no free slot).
 */
err_t srv_save_reply(struct srv_ans *a, cap_t *reply);

/*
 * Answers a saved Reply (label err, nbytes inline bytes already at
 * srv_out(), words w0..w3) and frees its slot: a Reply answers once.
 * Returns the send's error: the caller is gone (killed, or its call
 * interrupted) when it is not 0.
 */
err_t srv_answer_saved(cap_t reply, err_t err, size_t nbytes, uint64_t w0, uint64_t w1,
		       uint64_t w2, uint64_t w3);
/* The same with ncaps capabilities (at most CAIRN_MSG_MAX_CAPS) derived to
 * the caller (the Reply carries the grant right); the server keeps its own. */
err_t srv_answer_saved_caps(cap_t reply, err_t err, size_t nbytes, unsigned ncaps, const cap_t *caps,
			    uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3);

/*
 * A call that must not wait (a ring submission: THREAD_SET_RING on the
 * calling thread, which must be the server's main thread, made by the
 * first call or by srv_async_init()): label and w0 to cap, answered to
 * nobody (completions are dropped). The process server sends IO_CLOSE
 * this way, the VFS IO_DUP and IO_CLOSE to the console server. Errors:
 * ERR_AGAIN (16 calls in flight), those of making the ring.
 */
err_t srv_async_init(void);
err_t srv_call_async(cap_t cap, uint32_t label, uint64_t w0);

#endif
