/* SPDX-License-Identifier: MIT */
/*
 * cairn_thread_start() for the servers built with the Cairn C toolchain
 * (musl-port: the ext2 and network servers): libcairn's own makes a bare
 * kernel Thread, which musl knows nothing of; here the thread is a POSIX
 * thread of musl-port (its own IPC buffer, TLS and stack; the priority is
 * the process's). The server skeleton's relay runs on it.
 */
#include <pthread.h>
#include <stdlib.h>
#include <cairn/rt.h>

struct tstart { void (*fn)(uint64_t); uint64_t arg; };

static void *thread_main(void *p)
{
	struct tstart t = *(struct tstart *)p;

	free(p);
	t.fn(t.arg);
	return NULL;
}

err_t cairn_thread_start(void (*fn)(uint64_t), uint64_t arg, unsigned prio, cap_t *thread)
{
	struct tstart *t = malloc(sizeof(*t));
	pthread_t th;

	if (!t)
		return ERR_NOMEM;
	t->fn = fn;
	t->arg = arg;
	if (pthread_create(&th, NULL, thread_main, t)) {
		free(t);
		return ERR_AGAIN;
	}
	pthread_detach(th);
	if (thread)
		*thread = CAP_NULL;
	return 0;
}
