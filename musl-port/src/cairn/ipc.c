/* SPDX-License-Identifier: MIT */
/*
 * Requests to the POSIX servers (include/cairn/posix.h): a SYS_CALL whose
 * label is the operation, with inline bytes in the IPC buffer; the
 * answer's label is an errno.
 *
 * A call that waits in a server (a read of an empty pipe, wait4) is
 * interrupted when the process server runs a signal handler on this
 * thread: the kernel answers ERR_INTR, after the handler has run (the
 * upcall happens on the way back to user mode). The kernel interrupts
 * only a request still queued or one the server put aside with a Reply
 * (a call the server is serving gets its answer first: kernel/ipc.c,
 * ipc_interrupt()),
 * so the server has not acted on an interrupted request (an answer it
 * cannot deliver is not taken: a pipe keeps its bytes), and it can be
 * made again: as Linux does
 * for a handler with SA_RESTART, or always for requests that must happen.
 * The upcall entry puts the IPC buffer back as it was (signal.c), so the
 * request's bytes are still in place.
 *
 * A call that can get no answer (its server died) fails with EIO.
 */
#define _GNU_SOURCE
#include <errno.h>
#include "cairn_impl.h"

err_t __cairn_ipc(cap_t cap, uint32_t label, uint64_t w0, uint64_t w1, uint64_t w2,
		  uint64_t w3, size_t nbytes, unsigned ncaps, int intr, struct cairn_ans *a)
{
	uint64_t tag = cairn_tag(label, posix_words(nbytes), ncaps);
	struct cairn_msg m;

	for (;;) {
		m = cairn_call(cap, tag, w0, w1, w2, w3);
		if (m.err != ERR_INTR)
			break;
		if (intr == IPC_EINTR || (intr == IPC_RESTART && !__cairn_sig_self()->restart))
			return ERR_INTR;
	}
	/* the kernel's ERR_PIPE: no answer will ever come (the server died,
	 * dropped the call, or nobody can serve the endpoint any more:
	 * docs/manifest.md, When a server dies). EIO, as Linux's read and
	 * write of a tty that hung up, not a pipe's EPIPE (and its SIGPIPE):
	 * a server's own ERR_PIPE answer (a pipe with no reader) is a label */
	if (m.err)
		return m.err == ERR_PIPE ? ERR_IO : (err_t)m.err;
	if (a) {
		unsigned len = cairn_tag_len(m.tag);
		a->w[0] = m.w[0];
		a->w[1] = m.w[1];
		a->w[2] = m.w[2];
		a->w[3] = m.w[3];
		a->nbytes = len > CAIRN_MSG_REGS ? (len - CAIRN_MSG_REGS) * 8ul : 0;
		if (a->nbytes > POSIX_INLINE_MAX)
			a->nbytes = POSIX_INLINE_MAX;
		a->ncaps = cairn_tag_ncaps(m.tag);
		if (a->ncaps > CAIRN_MSG_MAX_CAPS)
			a->ncaps = CAIRN_MSG_MAX_CAPS;
	}
	return (err_t)cairn_tag_label(m.tag);
}
