// SPDX-License-Identifier: MIT
/*
 * Notification methods: signal (write right), poll, bind and unbind (read
 * right). A
 * SYS_SEND on a Notification signals without coming here, and SYS_WAIT
 * waits on one (kernel/syscall.c); the Notification itself is
 * kernel/ipc.c.
 */
#include <kernel/method.h>

#define NOTE(iv) ((struct notification *)(iv)->obj)

static void notification_invoke_signal(struct invocation *iv)
{
	notify_signal(NOTE(iv), iv->in->w[0]);
}

/* ERR_AGAIN: no bits are set. */
static err_t notification_decode_poll(struct invocation *iv)
{
	return NOTE(iv)->bits ? ERR_OK : ERR_AGAIN;
}

/* Takes the bits and clears them (a poll never blocks). */
static void notification_invoke_poll(struct invocation *iv)
{
	(void)notify_wait(NOTE(iv), 0, &iv->out->w[0]);
}

/* ERR_BUSY: the Notification or the calling thread is bound already. */
static err_t notification_decode_bind(struct invocation *iv)
{
	return NOTE(iv)->bound || current->bound_note ? ERR_BUSY : ERR_OK;
}

static void notification_invoke_bind(struct invocation *iv)
{
	(void)notify_bind(NOTE(iv), current);
}

/* ERR_NOENT: not bound. */
static err_t notification_decode_unbind(struct invocation *iv)
{
	return NOTE(iv)->bound ? ERR_OK : ERR_NOENT;
}

static void notification_invoke_unbind(struct invocation *iv)
{
	notify_unbind(NOTE(iv));
}

#define METHODS_FIRST NOTIFY_SIGNAL
static const struct method methods[] = {
	METHOD(NOTIFY_SIGNAL, RIGHT_WRITE, 0, NULL, notification_invoke_signal),
	METHOD(NOTIFY_POLL, RIGHT_READ, 0, notification_decode_poll, notification_invoke_poll),
	METHOD(NOTIFY_BIND, RIGHT_READ, 0, notification_decode_bind, notification_invoke_bind),
	METHOD(NOTIFY_UNBIND, RIGHT_READ, 0, notification_decode_unbind, notification_invoke_unbind),
};

METHOD_TABLE(notification_methods, methods, NULL);
