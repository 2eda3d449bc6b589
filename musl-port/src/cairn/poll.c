/* SPDX-License-Identifier: MIT */
/*
 * poll, ppoll, select and pselect over the I/O protocol. Each round asks
 * every descriptor IO_POLL (ready now?); if none is and there is time
 * left, each gets IO_POLL_ARM with this process's Notification (the
 * server signals it once when the descriptor becomes ready, or at once if
 * it already is) and the thread waits on it with SYS_WAIT and the time
 * left, then asks again. A wake-up with nothing ready (an arm left from an
 * earlier poll) just starts another round. A signal handler interrupts the
 * wait: EINTR, as poll never restarts.
 *
 * ppoll and pselect set the signal mask for the call and put it back
 * after, in two requests to the process server. A handler the call's
 * mask lets run counts from before the first request, so one that
 * runs as the mask is set ends the call (EINTR), as if the change and
 * the wait were one step; one that runs as the old mask comes back runs
 * before the call returns, as Linux delivers it with the call's mask.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <sys/select.h>
#include <sys/time.h>
#include "cairn_impl.h"

#define NFDS_MAX  4096

/* Asks each descriptor what is ready; the number of entries with revents. */
static long scan(struct pollfd *p, unsigned long n)
{
	long count = 0;

	for (unsigned long i = 0; i < n; i++) {
		struct cairn_fd *f;
		struct cairn_ans a;
		short ev = p[i].events;

		p[i].revents = 0;
		if (p[i].fd < 0)
			continue;
		if (!(f = __cairn_fd(p[i].fd))) {
			p[i].revents = POLLNVAL;
		} else if (f->kind == FDK_DEBUG) {
			p[i].revents = ev & (POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM);
		} else if (__cairn_ipc(f->cap, IO_POLL, (uint16_t)ev, 0, 0, 0, 0, 0, IPC_ALWAYS, &a)) {
			p[i].revents = POLLERR;
		} else {
			p[i].revents = (short)(a.w[0] & ((uint16_t)ev | POLLERR | POLLHUP | POLLNVAL));
		}
		count += p[i].revents != 0;
	}
	return count;
}

/* Arms every descriptor on note; true if one said it is ready already. */
static int arm(struct pollfd *p, unsigned long n, cap_t note)
{
	for (unsigned long i = 0; i < n; i++) {
		struct cairn_fd *f;
		struct cairn_ans a;

		if (p[i].fd < 0 || !(f = __cairn_fd(p[i].fd)) || f->kind != FDK_IO)
			continue;
		cairn_ipcbuf()->caps[0] = note;
		if (__cairn_ipc(f->cap, IO_POLL_ARM, (uint16_t)p[i].events, NOTE_POLL_BIT, 0, 0, 0, 1,
				IPC_ALWAYS, &a))
			return 1;          /* cannot arm: ask again rather than sleep */
		if (a.w[0])
			return 1;
	}
	return 0;
}

/* poll with a timeout in nanoseconds (CAIRN_FOREVER: none); a handler
 * that ran on this thread since its count was sigs interrupts it. */
static long poll_ns(struct pollfd *p, unsigned long n, uint64_t timeout, unsigned long sigs)
{
	uint64_t now = 0, deadline = CAIRN_FOREVER;
	cap_t note;
	long count;
	err_t e;

	if (n > NFDS_MAX)
		return -EINVAL;
	if (timeout != CAIRN_FOREVER && timeout && !__cairn_now(&now))
		deadline = now + timeout < now ? CAIRN_FOREVER - 1 : now + timeout;
	for (;;) {
		if ((count = scan(p, n)) || !timeout)
			return count;
		if ((note = __cairn_note()) == CAP_NULL)
			return -ENOMEM;
		while (!cairn_wait(note, 0, NULL))
			;                   /* old wake-ups */
		if (arm(p, n, note))
			continue;
		if (deadline != CAIRN_FOREVER) {
			if (__cairn_now(&now))
				return -ENOSYS;
			if (now >= deadline)
				return scan(p, n);
			timeout = deadline - now;
		}
		/* a handler that ran since poll began interrupts it, even if it
		 * came before the wait (its end signals note) */
		if (sigs != __cairn_sig_self()->count)
			return -EINTR;
		e = cairn_wait(note, timeout, NULL);
		if (e == ERR_INTR || sigs != __cairn_sig_self()->count)
			return -EINTR;
		if (e == ERR_TIMEDOUT && deadline == CAIRN_FOREVER)
			return scan(p, n);  /* no clock: the one wait was the timeout */
		if (e && e != ERR_TIMEDOUT)
			return cairn_errno(e);
	}
}

static uint64_t ts_ns(const struct timespec *ts, long *err)
{
	*err = 0;
	if (!ts)
		return CAIRN_FOREVER;
	if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000) {
		*err = -EINVAL;
		return 0;
	}
	if ((uint64_t)ts->tv_sec >= (CAIRN_FOREVER - 1) / 1000000000u - 1)
		return CAIRN_FOREVER - 1;
	return (uint64_t)ts->tv_sec * 1000000000u + (uint64_t)ts->tv_nsec;
}

/* Sets the signal mask for the call (set may be NULL), *old gets the old one. */
static long mask_for_call(const void *set, size_t size, sigset_t *old, int *changed)
{
	long r;

	*changed = 0;
	if (!set)
		return 0;
	if (size != 8)
		return -EINVAL;
	if ((r = __cairn_rt_sigprocmask(SIG_SETMASK, set, old, 8)))
		return r;
	*changed = 1;
	return 0;
}

long __cairn_ppoll(void *fds, unsigned long n, const void *ts, const void *mask, size_t size)
{
	sigset_t old;
	int changed;
	long err, r;
	uint64_t t = ts_ns(ts, &err);
	unsigned long sigs = __cairn_sig_self()->count;

	if (err)
		return err;
	if ((r = mask_for_call(mask, size, &old, &changed)))
		return r;
	r = poll_ns(fds, n, t, sigs);
	if (changed)
		__cairn_rt_sigprocmask(SIG_SETMASK, &old, NULL, 8);
	return r;
}

long __cairn_poll(void *fds, unsigned long n, long timeout_ms)
{
	return poll_ns(fds, n, timeout_ms < 0 ? CAIRN_FOREVER : (uint64_t)timeout_ms * 1000000u,
		       __cairn_sig_self()->count);
}

/* select's sets as a pollfd array, and back. */
static long select_ns(long n, fd_set *r, fd_set *w, fd_set *e, uint64_t timeout,
		      unsigned long sigs)
{
	struct pollfd p[FD_SETSIZE];
	unsigned long k = 0;
	long ready, count = 0;

	if (n < 0 || n > FD_SETSIZE)
		return -EINVAL;
	for (long fd = 0; fd < n; fd++) {
		short ev = 0;
		if (r && FD_ISSET(fd, r))
			ev |= POLLIN;
		if (w && FD_ISSET(fd, w))
			ev |= POLLOUT;
		if (e && FD_ISSET(fd, e))
			ev |= POLLPRI;
		if (ev)
			p[k++] = (struct pollfd){ .fd = (int)fd, .events = ev };
	}
	if ((ready = poll_ns(p, k, timeout, sigs)) < 0)
		return ready;
	for (unsigned long i = 0; i < k; i++)
		if (p[i].revents & POLLNVAL)
			return -EBADF;
	for (unsigned long i = 0; i < k; i++) {
		int fd = p[i].fd;
		short rev = p[i].revents;
		if (r && FD_ISSET(fd, r)) {
			if (rev & (POLLIN | POLLHUP | POLLERR))
				count++;
			else
				FD_CLR(fd, r);
		}
		if (w && FD_ISSET(fd, w)) {
			if (rev & (POLLOUT | POLLERR))
				count++;
			else
				FD_CLR(fd, w);
		}
		if (e && FD_ISSET(fd, e)) {
			if (rev & POLLPRI)
				count++;
			else
				FD_CLR(fd, e);
		}
	}
	return count;
}

long __cairn_pselect6(long n, void *r, void *w, void *e, const void *ts, const void *data)
{
	const struct { const void *set; size_t size; } *m = data;
	sigset_t old;
	int changed = 0;
	long err, res;
	uint64_t t = ts_ns(ts, &err);
	unsigned long sigs = __cairn_sig_self()->count;

	if (err)
		return err;
	if (m && (res = mask_for_call(m->set, m->size, &old, &changed)))
		return res;
	res = select_ns(n, r, w, e, t, sigs);
	if (changed)
		__cairn_rt_sigprocmask(SIG_SETMASK, &old, NULL, 8);
	return res;
}

long __cairn_select(long n, void *r, void *w, void *e, void *tvp)
{
	struct timeval *tv = tvp;
	uint64_t t = CAIRN_FOREVER;

	if (tv) {
		if (tv->tv_sec < 0 || tv->tv_usec < 0 || tv->tv_usec >= 1000000)
			return -EINVAL;
		t = (uint64_t)tv->tv_sec * 1000000000u + (uint64_t)tv->tv_usec * 1000u;
	}
	return select_ns(n, r, w, e, t, __cairn_sig_self()->count);
}
