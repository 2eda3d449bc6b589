/* SPDX-License-Identifier: MIT */
/*
 * Locks of memory that processes share (mq.c's queues, sysvipc.c's
 * objects): a 32-bit word holding the holder's pid, 0 when free. A
 * holder that is gone (killed inside a copy) is found and its lock taken
 * over, and a thread holds signal handlers back while it holds one (a
 * handler that used the same object would wait for itself).
 */
#include "cairn_impl.h"

static int hold(void)
{
	__cairn_sig_self()->hold++;
	return 1;
}

static void unhold(int held)
{
	struct cairn_sigthr *me = __cairn_sig_self();

	if (held && !--me->hold && me->held)
		__cairn_sig_release();
}

int __cairn_pid_gone(int32_t pid)
{
	return pid > 0 && __cairn_proc != CAP_NULL &&
	       __cairn_ipc(__cairn_proc, PS_KILL, (uint64_t)pid, 0, POSIX_KILL_LIVE, 0, 0, 0, IPC_ALWAYS,
			   NULL) == ERR_SRCH;
}

int __cairn_shlock(uint32_t *word)
{
	int held = hold();
	uint32_t me = (uint32_t)__cairn_getpid_known(), cur;
	unsigned spins = 0;

	for (;;) {
		cur = 0;
		if (__atomic_compare_exchange_n(word, &cur, me, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			return held;
		if (++spins < 64) {
			cairn_yield();
			continue;
		}
		/* a holder at a lower priority, or one that is gone */
		__cairn_sleep(1000000);
		if (spins % 16 == 0 && cur != me && __cairn_pid_gone((int32_t)cur))
			__atomic_compare_exchange_n(word, &cur, 0, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	}
}

void __cairn_shunlock(uint32_t *word, int held)
{
	__atomic_store_n(word, 0, __ATOMIC_RELEASE);
	unhold(held);
}
